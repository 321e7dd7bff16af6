"""What the server checks before Streamlit sees a request (pure ASGI middleware).

- A page address that is not one of the dashboard's pages gets an Indonesian "not found" page
  (Streamlit would run the home page behind an English dialog).
- A page load that presents a session cookie that no longer signs anyone in (signed out,
  idle, expired, forged) clears the cookie and reloads the same address with `sesi=<why>`, so
  the page says once, in Indonesian, why the visitor sees the public pages.
- Uploads need a signed-in operator: the session id in an upload URL is not a credential.
- Streamlit's internal metrics (`/_stcore/metrics`) answer only the machine itself.
"""
from __future__ import annotations

import html
import ipaddress
import re
from urllib.parse import parse_qsl, urlencode

from .. import navigation
from .routes import HEALTH_PATH
from .sessions import COOKIE

_PAGE_ADDRESS = re.compile(r"^/(?:[^/.]+/?)?$")  # "/", "/gertak", "/gertak/": not "/favicon.png"
_OWN_ROUTES = {HEALTH_PATH.strip("/")}  # a one-segment route of ours (/akun/… has two)
_FORWARDED = (b"forwarded", b"x-forwarded-for", b"x-real-ip")

NOT_FOUND_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Halaman tidak ditemukan · {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#31333f}}
a{{color:#1f5fa8}}</style></head>
<body><h1>Halaman tidak ditemukan</h1>
<p>Alamat <code>{path}</code> bukan halaman {title}.</p>
<p><a href="{home}">Buka halaman utama</a></p></body></html>
"""


class Gate:
    def __init__(self, app, server):
        self.app = app
        self.server = server
        self.base = server.base_path

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if self.base and (path == self.base or path.startswith(self.base + "/")):
            path = path[len(self.base):] or "/"
        method = scope["method"]
        if path.rstrip("/") == "/_stcore/metrics" and not _from_this_machine(scope):
            return await _plain(send, 404, "Tidak ditemukan.")
        if path.startswith("/_stcore/upload_file/") and method not in ("GET", "HEAD", "OPTIONS"):
            if not await self._operator(scope):
                return await _plain(send, 403, "Unggah berkas hanya untuk operator yang sudah masuk.")
        if method in ("GET", "HEAD") and _PAGE_ADDRESS.match(path) and "text/html" in _header(scope, b"accept"):
            name = path.strip("/")
            if name in _OWN_ROUTES:
                return await self.app(scope, receive, send)
            if name and name not in navigation.BY_PATH:
                return await self._not_found(send, path)
            reason = await self._ended(scope)
            if reason:
                return await self._reload_with_notice(scope, receive, send, path, reason)
        return await self.app(scope, receive, send)

    async def _ended(self, scope) -> str | None:
        """Why the presented session cookie no longer signs anyone in (None: no cookie, or valid)."""
        cookie = _cookies(scope).get(COOKIE)
        if not cookie:
            return None
        from anyio import to_thread

        user, check = await to_thread.run_sync(self.server.who, cookie)
        return None if user is not None else (check.ended or "tidak-sah")

    async def _operator(self, scope) -> bool:
        cookie = _cookies(scope).get(COOKIE)
        if not cookie:
            return False
        from anyio import to_thread

        user, _ = await to_thread.run_sync(self.server.who, cookie)
        return user is not None and user.can_import

    async def _reload_with_notice(self, scope, receive, send, path: str, reason: str):
        params = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
        if any(k == "sesi" for k, _ in params):  # said once already: serve it, do not loop
            return await self.app(scope, receive, _clearing_cookie(send, self.base, scope))
        location = self.base + path + "?" + urlencode(params + [("sesi", reason)])
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", location.encode("latin-1")), (b"set-cookie", _expired_cookie(self.base, scope)),
            (b"cache-control", b"no-store"), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    async def _not_found(self, send, path: str):
        from .. import texts

        body = NOT_FOUND_PAGE.format(title=html.escape(texts.APP_TITLE), path=html.escape(path),
                                     home=html.escape(self.base + "/")).encode()
        await send({"type": "http.response.start", "status": 404, "headers": [
            (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-cache")]})
        await send({"type": "http.response.body", "body": body})


def _expired_cookie(base: str, scope) -> bytes:
    secure = "; Secure" if scope.get("scheme") == "https" else ""
    return f"{COOKIE}=; Max-Age=0; Path={base or '/'}; HttpOnly; SameSite=Lax{secure}".encode()


def _clearing_cookie(send, base: str, scope):
    """`send`, removing the stale session cookie on the way out."""
    async def send_clearing(message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", _expired_cookie(base, scope))]}
        await send(message)
    return send_clearing


def _header(scope, name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == name), "")


def _cookies(scope) -> dict[str, str]:
    from starlette.requests import cookie_parser  # lenient, as browsers are; the routes read it too

    return cookie_parser(_header(scope, b"cookie"))


def _from_this_machine(scope) -> bool:
    """A request from a loopback address that no proxy forwarded."""
    host = (scope.get("client") or ("", 0))[0]
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return loopback and not any(k in _FORWARDED for k, _ in scope.get("headers", ()))


async def _plain(send, status: int, text: str):
    body = text.encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
