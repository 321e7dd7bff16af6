"""What the server checks before Streamlit sees a request, and what every answer carries (pure
ASGI middleware).

- The `Host` must be one the configuration names, when it names any (BULUKUMBA_HOSTS); a
  websocket must be opened by a page of this host.
- Only the dashboard's own addresses are served: its pages ("/", "/gertak", …), its routes,
  the files Streamlit's frontend loads, and the endpoints it talks to. Anything else (`/admin.php`,
  `/.env`, `/foo/bar`, `/gertak/x`, a static name that is no file, Streamlit's agent and login
  endpoints the dashboard does not use) gets an Indonesian "not found" (HTTP 404); Streamlit would
  run the home page behind an English dialog, or answer its page shell with 200.
- A page load that presents a session cookie that no longer signs anyone in (signed out,
  idle, expired, forged) clears the cookie and reloads the same address with `sesi=<why>`, so
  the page says once, in Indonesian, why the visitor sees the public pages.
- Uploads need a signed-in operator or partner: the session id in an upload URL is not a credential.
- Streamlit's internal metrics (`/_stcore/metrics`) answer only the machine itself.
- Every answer carries the security headers (headers.py); an error answered in plain text that
  does not say it is Indonesian (`Content-Language: id`, as the dashboard's own answers do) is
  Streamlit's or Starlette's English, and is answered in Indonesian instead; an unexpected
  failure is an Indonesian 500 with a code whose traceback is in the log.
"""
from __future__ import annotations

import html
import logging
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection

from bulukumba.presentation import navigation
from bulukumba.server import headers
from bulukumba.server import public as public_side
from bulukumba.server.clients import is_loopback
from bulukumba.server.routes import HEALTH_PATH, SIGN_IN_PATH, SIGN_OUT_PATH
from bulukumba.server.sessions import COOKIE

log = logging.getLogger(__name__)

_OWN_ROUTES = (SIGN_IN_PATH, SIGN_OUT_PATH, HEALTH_PATH)
#: Streamlit's endpoints the dashboard's pages use over HTTP (its frontend, components, media);
#: its websocket (/_stcore/stream) is no HTTP address, and uploads only take files.
_STREAMLIT_PREFIXES = ("/_stcore/health", "/_stcore/host-config", "/_stcore/metrics", "/_stcore/bidi-components/",
                       "/_stcore/script-health-check", "/media/", "/component/", "/app/static/")
_UPLOADS = "/_stcore/upload_file/"
_STREAMLIT_FILES = ("/favicon.png", "/manifest.json")
#: Longest file name a file system holds: a longer one is no file (and must not reach one).
MAX_NAME = 255

NOT_FOUND_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading} · {title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#31333f}}
a{{color:#1f5fa8}}code{{overflow-wrap:anywhere}}</style></head>
<body><h1>{heading}</h1>
<p>{text}</p>
<p><a href="{home}">Buka halaman utama</a></p></body></html>
"""

#: What an error status says, in Indonesian (Streamlit and Starlette say it in English).
ERROR_TEXT = {
    400: "Permintaan tidak sah.",
    401: "Perlu masuk terlebih dahulu.",
    403: "Akses ditolak.",
    404: "Tidak ditemukan.",
    405: "Cara permintaan ini tidak didukung di alamat ini.",
    413: "Permintaan terlalu besar.",
    414: "Alamat terlalu panjang.",
    431: "Kepala permintaan terlalu besar.",
}
SERVER_ERROR = "Maaf, terjadi kesalahan di server. Coba lagi sebentar lagi."
SERVER_ERROR_CODE = SERVER_ERROR[:-1] + "; bila masih gagal, sampaikan kode {code} kepada pengelola dasbor."
UNKNOWN_HOST = "Alamat host ini tidak dilayani dasbor."


class Gate:
    def __init__(self, app, server, static_dir: Path | None = None, inline_scripts: tuple[str, ...] = ()):
        self.app = app
        self.server = server
        self.base = server.base_path
        self.static_root = (Path(static_dir) / "static").resolve() if static_dir else None
        from bulukumba.public.shell import POLL_SCRIPT, SWAP_SCRIPT

        self.headers = headers.SecurityHeaders(static_dir, (*inline_scripts, f"<script>{SWAP_SCRIPT}</script>",
                                                            f"<script>{POLL_SCRIPT}</script>"))
        self.public = public_side.PublicSide(server, static_dir)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            if not self._host_allowed(scope) or not _opened_by_this_host(scope):
                return await send({"type": "websocket.close", "code": 1008})
            return await self.app(scope, receive, send)
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        send = _Answer(send, self.headers.for_request(scope, self.server.clients.https(scope)))
        try:
            await self._decide(scope, receive, send)
        except Exception:
            if send.started:
                raise
            code = uuid.uuid4().hex[:8]
            log.exception("kesalahan tak terduga [%s] pada %s %s", code, scope.get("method"), scope.get("path", "")[:200])
            await _plain(send, 500, SERVER_ERROR_CODE.format(code=code))

    async def _decide(self, scope, receive, send):
        path = scope.get("path", "")
        inside = not self.base or path == self.base or path.startswith(self.base + "/")
        if self.base and inside:
            path = path[len(self.base):] or "/"
        method = scope["method"]
        if not self._host_allowed(scope):
            return await _plain(send, 400, UNKNOWN_HOST)
        if inside and method in ("GET", "HEAD") and await self._public_file(scope, send, path):
            return
        if not inside or not self._known(path, method):
            return await self._not_found(scope, send, path)
        if path.rstrip("/") == "/_stcore/metrics" and not self.server.clients.from_this_machine(scope):
            return await self._not_found(scope, send, path)
        if path.startswith(_UPLOADS) and method != "OPTIONS":
            if not await self._operator(scope):
                return await _plain(send, 403, "Unggah berkas hanya untuk operator atau mitra yang sudah masuk.")
        if method in ("GET", "HEAD") and _is_page(path):
            user, reason = await self._signed_in(scope)
            if reason and "text/html" in _header(scope, b"accept"):
                return await self._reload_with_notice(scope, receive, send, path, reason)
            if (path == "/" or not path.endswith("/")) and self.public.template:
                # The page shell, rewritten for this address (Streamlit's own answers a slash
                # at the end with a redirect, and a stale cookie is cleared on the way out).
                signed_in = user is not None
                version = await self.public.current_version() if self.public.is_public(scope, path, signed_in) else None
                built = self.public.kept_shell(scope, path, signed_in, version)
                if built is None:  # a first visit of this address and version: built once, in a thread
                    from anyio import to_thread

                    built = await to_thread.run_sync(self.public.shell, scope, path, signed_in)
                return await public_side.send_built(scope, send, built)
        return await self.app(scope, receive, send)

    async def _public_file(self, scope, send, path: str) -> bool:
        """The share cards, open data, icon and data version (server/public.py); False: not one."""
        from anyio import to_thread

        if path == public_side.ICON_PATH:
            built = await to_thread.run_sync(self.public.icon)
        elif path == public_side.VERSION_PATH:  # every open public tab asks it every few seconds
            built = self.public.version_answer(await self.public.current_version())
        elif path.startswith(public_side.CARD_PREFIX):
            params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            built = await to_thread.run_sync(self.public.card, path[len(public_side.CARD_PREFIX):], params.get("v"))
        elif path == public_side.DATA_PREFIX.rstrip("/") and len(path) > 1:
            location = (self.base + public_side.DATA_PREFIX).encode("latin-1")
            await send({"type": "http.response.start", "status": 301, "headers": [
                (b"location", location), (b"content-length", b"0"), (b"cache-control", b"no-cache")]})
            await send({"type": "http.response.body", "body": b""})
            return True
        elif path.startswith(public_side.DATA_PREFIX):
            name = path[len(public_side.DATA_PREFIX):]
            built = None if len(name) > MAX_NAME or name.count("/") > 1 else \
                await to_thread.run_sync(self.public.data_file, name)
        else:
            return False
        if built is None:
            await self._not_found(scope, send, path)
        else:
            await public_side.send_built(scope, send, built)
        return True

    # -- What is served ------------------------------------------------------------------------

    def _known(self, path: str, method: str) -> bool:
        """One of the dashboard's own addresses (every other gets the Indonesian 404)."""
        if _is_page(path) or path in _OWN_ROUTES or path in _STREAMLIT_FILES:
            return True
        if any(len(part) > MAX_NAME for part in path.split("/")):
            return False
        if path.startswith(_STREAMLIT_PREFIXES):
            return True
        if path.startswith(_UPLOADS):
            return method in ("PUT", "DELETE", "OPTIONS")
        return path.startswith("/static/") and self._static_file(path[len("/static/"):])

    def _static_file(self, relative: str) -> bool:
        """A file of Streamlit's frontend (else Streamlit answers its page shell, with 200)."""
        if self.static_root is None:
            return True
        if not relative or "\\" in relative or "\x00" in relative or ".." in relative.split("/"):
            return False
        try:
            candidate = (self.static_root / relative).resolve()
            return candidate.is_relative_to(self.static_root) and candidate.is_file()
        except (OSError, ValueError):
            return False

    def _host_allowed(self, scope) -> bool:
        if not self.server.hosts:
            return True
        host = _header(scope, b"host").strip().lower()
        try:
            name = urlsplit("//" + host).hostname or ""
        except ValueError:
            return False
        if host in self.server.hosts or name in self.server.hosts:
            return True
        return is_loopback(name) and self.server.clients.from_this_machine(scope)

    # -- Sessions ------------------------------------------------------------------------------

    async def _signed_in(self, scope):
        """(who the presented session cookie signs in, why it no longer does): (None, None)
        without a cookie."""
        cookie = _cookies(scope).get(COOKIE)
        if not cookie:
            return None, None
        from anyio import to_thread

        user, check = await to_thread.run_sync(self.server.who, cookie)
        return user, None if user is not None else (check.ended or "tidak-sah")

    async def _operator(self, scope) -> bool:
        cookie = _cookies(scope).get(COOKIE)
        if not cookie:
            return False
        from anyio import to_thread

        user, _ = await to_thread.run_sync(self.server.who, cookie)
        return user is not None and user.can_upload

    async def _reload_with_notice(self, scope, receive, send, path: str, reason: str):
        params = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
        if any(k == "sesi" for k, _ in params):  # said once already: serve it, do not loop
            if (path == "/" or not path.endswith("/")) and self.public.template:
                from anyio import to_thread

                built = await to_thread.run_sync(self.public.shell, scope, path, False)
                return await public_side.send_built(scope, self._clearing_cookie(send, scope), built)
            return await self.app(scope, receive, self._clearing_cookie(send, scope))
        location = self.base + path + "?" + urlencode(params + [("sesi", reason)])
        await send({"type": "http.response.start", "status": 303, "headers": [
            (b"location", location.encode("latin-1")), (b"set-cookie", self._expired_cookie(scope)),
            (b"cache-control", b"no-store"), (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    def _expired_cookie(self, scope) -> bytes:
        secure = "; Secure" if self.server.clients.https(scope) else ""
        return f"{COOKIE}=; Max-Age=0; Path={self.base or '/'}; HttpOnly; SameSite=Lax{secure}".encode()

    def _clearing_cookie(self, send, scope):
        """`send`, removing the stale session cookie on the way out."""
        async def send_clearing(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"set-cookie", self._expired_cookie(scope))]}
            await send(message)
        return send_clearing

    # -- Answers -------------------------------------------------------------------------------

    async def _not_found(self, scope, send, path: str):
        if "text/html" not in _header(scope, b"accept"):
            return await _plain(send, 404, ERROR_TEXT[404])
        from bulukumba.language import texts

        shown = path if len(path) <= 200 else path[:200] + "…"
        body = NOT_FOUND_PAGE.format(
            heading="Halaman tidak ditemukan", title=html.escape(texts.APP_TITLE), home=html.escape(self.base + "/"),
            text=f"Alamat <code>{html.escape(shown)}</code> bukan halaman {html.escape(texts.APP_TITLE)}.").encode()
        await send({"type": "http.response.start", "status": 404, "headers": [
            (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-cache"), (b"content-language", b"id")]})
        await send({"type": "http.response.body", "body": body})


class _Answer:
    """The `send` of one request: the security headers on the answer's start, and the body of a
    plain-text error that is not the dashboard's own (no `Content-Language: id`) replaced by the
    Indonesian text for its status."""

    def __init__(self, send, security: list[tuple[bytes, bytes]]):
        self._send = send
        self._security = security
        self._replacing = False
        self.started = False

    async def __call__(self, message):
        if message["type"] == "http.response.start":
            self.started = True
            headers = list(message.get("headers", []))
            present = {k.lower() for k, _ in headers}
            headers += [(k, v) for k, v in self._security if k not in present]
            status = message["status"]
            content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
            indonesian = any(k.lower() == b"content-language" and v == b"id" for k, v in headers)
            if status >= 400 and not indonesian and (not content_type or content_type.startswith(b"text/plain")):
                self._replacing = True
                text = ERROR_TEXT.get(status) or (SERVER_ERROR if status >= 500 else ERROR_TEXT[400])
                self._body = text.encode()
                headers = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
                headers += [(b"content-type", b"text/plain; charset=utf-8"), (b"content-language", b"id"),
                            (b"content-length", str(len(self._body)).encode())]
            message = {**message, "headers": headers}
        elif message["type"] == "http.response.body" and self._replacing:
            if message.get("more_body", False):
                return  # Streamlit's own text: dropped
            message = {"type": "http.response.body", "body": self._body}
        await self._send(message)


def _is_page(path: str) -> bool:
    """'/', or one of the dashboard's pages ('/gertak', '/gertak/')."""
    name = path.strip("/")
    return path == "/" or (path in (f"/{name}", f"/{name}/") and name in navigation.BY_PATH)


def _opened_by_this_host(scope) -> bool:
    """A websocket opened by a page of this host, or by a client that is no browser (no Origin)."""
    origin = _header(scope, b"origin")
    if not origin:
        return True
    try:
        return urlsplit(origin).netloc.lower() == _header(scope, b"host").lower()
    except ValueError:
        return False


def _header(scope, name: bytes) -> str:
    return Headers(scope=scope).get(name.decode("latin-1"), "")


def _cookies(scope) -> dict[str, str]:
    """The request's cookies as Starlette reads them (leniently, as browsers send them), the same
    reading the sign-in routes get; none without a Cookie header (most public visits)."""
    if not any(k == b"cookie" for k, _ in scope.get("headers", ())):
        return {}
    return HTTPConnection(scope).cookies


async def _plain(send, status: int, text: str):
    body = text.encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"), (b"content-language", b"id")]})
    await send({"type": "http.response.body", "body": body})
