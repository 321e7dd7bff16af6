"""The serving layer around Streamlit: sign-in routes, sessions, checks, compressed static files.

dashboard.py hands `options(...)` to `st.App`, and `streamlit run dashboard.py` serves it:

- `routes`: POST /akun/masuk and /akun/keluar (sign in and out), GET /health (routes.py);
- `middleware`: the gate (unknown addresses, ended sessions, uploads, metrics; gate.py), then
  static files compressed once per process (compression.py), both before Streamlit's own;
- `lifespan`: the start hooks the app gives (run once, before the first browser connects), and
  compressing the bundles every first visit needs, in the background.

Nothing here imports Streamlit: the app passes in what comes from it (accounts, secrets, paths).
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Callable, Iterable, Mapping

from .. import auth, config
from . import compression, sessions
from .gate import Gate
from .routes import http_routes

log = logging.getLogger(__name__)


class Server:
    """What the routes and the middleware need from the app, given as callables."""

    def __init__(self, users: Callable[[], tuple[dict, str | None]], secrets: Callable[[], Mapping],
                 base_url: str = "", database_url: Callable[[], str] = config.database_url):
        self.users = users
        self.secrets = secrets
        self.database_url = database_url
        self.base_path = "/" + base_url.strip("/") if base_url.strip("/") else ""
        self.guard = auth.Guard()  # one per process: every browser session shares it

    def sessions(self) -> sessions.Sessions:
        return sessions.sessions_for(self.database_url(), self.secrets())

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
            on_start: Iterable[Callable[[], None]] = ()) -> dict:
    """Keyword arguments for `st.App`: routes, middleware and lifespan."""
    from starlette.middleware import Middleware

    files = compression.CompressedFiles(base_url=server.base_path, cache_dir=config.cache_dir() / "static-br", roots=[
        ("/static/", Path(static_dir) / "static"), ("/app/static/", Path(app_static_dir))])

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        for hook in on_start:
            hook()
        files.warm(compression.entry_bundles(Path(static_dir)))
        yield None

    return {"routes": http_routes(server), "lifespan": lifespan, "middleware": [
        Middleware(Gate, server=server), Middleware(compression.StaticCompression, files=files)]}
