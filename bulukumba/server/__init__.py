"""The serving layer around Streamlit: sign-in routes, sessions, checks, compressed static files.

dashboard.py hands `options(...)` to `st.App`, and `streamlit run dashboard.py` serves it:

- `routes`: POST /akun/masuk and /akun/keluar (sign in and out), GET /health (routes.py);
- `middleware`: the gate (hosts, unknown addresses, ended sessions, uploads, metrics, security
  headers, Indonesian error answers; gate.py), then static files compressed once per process
  (compression.py), both before Streamlit's own;
- `lifespan`: the start hooks the app gives (run once, before the first browser connects), and
  compressing the bundles every first visit needs, in the background.

Who the client is (its address, HTTPS) is read by `clients.Clients`, from forwarding headers
only when a configured proxy sends them; building the options also stops uvicorn from reading
them itself (clients.take_over_forwarded_headers), and limits a request's head under uvicorn's
httptools parser as h11 does (head_limit.py).

Nothing here imports Streamlit: the app passes in what comes from it (accounts, secrets, paths).
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Callable, Iterable, Mapping

from bulukumba.server import auth
from bulukumba import config
from bulukumba.server import clients, compression, devices, head_limit, sessions
from bulukumba.server.gate import Gate
from bulukumba.server.routes import http_routes

log = logging.getLogger(__name__)


class Server:
    """What the routes and the middleware need from the app, given as callables."""

    def __init__(self, users: Callable[[], tuple[dict, str | None]], secrets: Callable[[], Mapping],
                 base_url: str = "", database_url: Callable[[], str] = config.database_url,
                 trusted_proxies: Iterable[str] | None = None, hosts: Iterable[str] | None = None):
        self.users = users
        self.secrets = secrets
        self.database_url = database_url
        self.base_path = "/" + base_url.strip("/") if base_url.strip("/") else ""
        self.guard = auth.Guard()  # one per process: every browser session shares it
        self.clients = clients.Clients(config.trusted_proxies() if trusted_proxies is None else trusted_proxies)
        self.hosts = tuple(h.lower() for h in (config.allowed_hosts() if hosts is None else hosts))

    def sessions(self) -> sessions.Sessions:
        return sessions.sessions_for(self.database_url(), self.secrets())

    def devices(self) -> devices.Devices:
        return devices.devices_for(sessions.load_key(self.secrets()))

    def who(self, cookie: str | None, touch: bool = False) -> tuple[auth.User | None, sessions.Check]:
        """The configured user a cookie signs in, or None (`touch`: count it as activity)."""
        try:
            check = self.sessions().check(cookie, touch=touch)
        except auth.ConfigError:
            return None, sessions.Check(None, sessions.TIDAK_SAH)
        if check.username is None:
            return None, check
        entry = self.users()[0].get(check.username)
        if entry is None:  # the account was removed from secrets.toml
            return None, sessions.Check(None, sessions.TIDAK_SAH)
        return entry[0], check


def options(server: Server, *, static_dir: Path, app_static_dir: Path,
            on_start: Iterable[Callable[[], None]] = (), inline_scripts: Iterable[str] = ()) -> dict:
    """Keyword arguments for `st.App`: routes, middleware and lifespan. `inline_scripts`: the
    app's own inline <script> elements, which the content security policy allows by hash."""
    from starlette.middleware import Middleware

    clients.take_over_forwarded_headers()
    head_limit.limit_request_heads()

    files = compression.CompressedFiles(base_url=server.base_path, cache_dir=config.cache_dir() / "static-br", roots=[
        ("/static/", Path(static_dir) / "static"), ("/app/static/", Path(app_static_dir))])

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        for hook in on_start:
            hook()
        files.warm(compression.entry_bundles(Path(static_dir)))
        yield None

    return {"routes": http_routes(server), "lifespan": lifespan, "middleware": [
        Middleware(Gate, server=server, static_dir=Path(static_dir), inline_scripts=tuple(inline_scripts)),
        Middleware(compression.StaticCompression, files=files)]}
