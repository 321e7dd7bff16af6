"""The HTTP routes the dashboard adds to Streamlit: sign in, sign out, health.

Signing in is an ordinary HTML form POST to `/akun/masuk`: the password is checked here (bcrypt,
with the limits of auth.Guard: per browser that signed in before, else per user name and client
address), a session is started, and the answer sets the session cookie (signed, HttpOnly,
SameSite=Lax, Secure over HTTPS) and the device cookie (devices.py), and sends the browser to
where it was going (`ke`, a checked same-site path). A failure sends it back to the sign-in page
with a code the page turns into an Indonesian message. `/akun/keluar` ends the session
server-side and clears the session cookie. Both posts need the browser to say they come from
this site (`Origin`, else `Referer`). `/health` answers monitoring.

The decisions are plain functions (`sign_in`, `sign_out`) that return an `Outcome`; the routes
only translate requests and responses, so the tests can run the same decisions without HTTP.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from bulukumba.server import auth
from bulukumba.presentation import navigation
from bulukumba.storage import store
from bulukumba.server import devices
from bulukumba.server.sessions import COOKIE

log = logging.getLogger(__name__)

MAX_FORM_BYTES = 16 * 1024
SIGN_IN_PATH, SIGN_OUT_PATH, HEALTH_PATH = "/akun/masuk", "/akun/keluar", "/health"


@dataclass(frozen=True)
class Outcome:
    location: str                # app-relative address the browser goes to next
    cookie: str | None = None    # a new session cookie to set
    clear_cookie: bool = False   # remove the session cookie
    device: str | None = None    # the device cookie to set (devices.py)


def sign_in(server, form: Mapping[str, str], address: str | None, device_cookie: str | None = None) -> Outcome:
    """Check the form's user name and password; on success start a session. `device_cookie`
    is the browser's device cookie, if it sent one."""
    target = navigation.safe_target(form.get("ke")) or navigation.HOME

    def back(**failure: str) -> Outcome:
        query = ({"ke": target} if target != navigation.HOME else {}) | failure
        return Outcome("/" + navigation.MASUK.path + "?" + urlencode(query))

    users, problem = server.users()
    if problem or not users:
        return back(gagal="akun")
    name = form.get("nama", "")
    try:
        known = server.devices()
    except auth.ConfigError:
        return back(gagal="kunci")
    device = known.device_id(device_cookie, name)
    result = auth.sign_in(users, name, form.get("sandi", ""), server.guard, address, device)
    if result.user is None:
        if result.tunggu:
            return back(gagal="tunggu", tunggu=str(result.tunggu))
        return back(gagal=result.gagal or "salah")
    try:
        cookie = server.sessions().start(result.user.username)
    except auth.ConfigError:
        return back(gagal="kunci")
    log.info("masuk: %s (%s)", result.user.username, result.user.peran)
    # Through "/": Streamlit's frontend, loaded at a deeper address, first probes that address
    # for its own endpoints (two 404s in the console); the frame opens the target from here.
    landing = "/" if target == navigation.HOME else "/?" + urlencode({"ke": target})
    return Outcome(landing, cookie=cookie, device=known.remember(device_cookie, result.user.username))


def sign_out(server, cookie: str | None) -> Outcome:
    """End the session of `cookie` for every tab, and clear the cookie."""
    try:
        who = server.sessions().end(cookie)
    except auth.ConfigError:
        who = None
    if who:
        log.info("keluar: %s", who)
    return Outcome("/?sesi=keluar", clear_cookie=True)


# ---------------------------------------------------------------------------------------------
# Starlette
# ---------------------------------------------------------------------------------------------

def same_origin(headers: Mapping[str, str], host: str | None) -> bool:
    """True only if the browser says the form was sent from a page of this site (login CSRF):
    its `Origin`, or without one its `Referer`, names this host. A post with neither is refused:
    every browser sends one of them with a form, and a page of this site sends both."""
    site = headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        return False
    sender = headers.get("origin") or headers.get("referer")
    if not sender or sender == "null":
        return False
    try:
        parts = urlsplit(sender)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and parts.netloc.lower() == (host or "").lower()


FORM_TOO_LARGE = "Formulir terlalu besar."
NOT_A_FORM = "Formulir masuk tidak sah."
CROSS_SITE = "Permintaan ditolak: formulir harus dikirim dari halaman dasbor ini."


class _FormTooLarge(Exception):
    pass


def http_routes(server) -> list:
    from anyio import to_thread
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Route

    base = server.base_path

    def respond(request: Request, outcome: Outcome) -> Response:
        response = RedirectResponse(base + outcome.location, status_code=303)
        response.headers["Cache-Control"] = "no-store"
        secure = server.clients.https(request.scope)
        if outcome.cookie is not None:
            response.set_cookie(COOKIE, outcome.cookie, max_age=server.sessions().max_age_seconds,
                                path=base or "/", secure=secure, httponly=True, samesite="lax")
        elif outcome.clear_cookie:
            response.delete_cookie(COOKIE, path=base or "/", secure=secure, httponly=True, samesite="lax")
        if outcome.device is not None:  # sent back only to the sign-in routes
            response.set_cookie(devices.COOKIE, outcome.device, max_age=devices.LIFETIME_SECONDS,
                                path=base + "/akun", secure=secure, httponly=True, samesite="strict")
        return response

    async def form_of(request: Request) -> dict[str, str] | None:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return None
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
            raise _FormTooLarge
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                raise _FormTooLarge
        return dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))

    def plain(text: str, status: int) -> Response:
        return PlainTextResponse(text, status_code=status, headers={"Cache-Control": "no-store", "Content-Language": "id"})

    async def masuk(request: Request) -> Response:
        if not same_origin(request.headers, request.headers.get("host")):
            return plain(CROSS_SITE, 403)
        try:
            form = await form_of(request)
        except _FormTooLarge:
            return plain(FORM_TOO_LARGE, 413)
        if form is None:
            return plain(NOT_A_FORM, 400)
        address = server.clients.address(request.scope)
        outcome = await to_thread.run_sync(sign_in, server, form, address, request.cookies.get(devices.COOKIE))
        return respond(request, outcome)

    async def keluar(request: Request) -> Response:
        if not same_origin(request.headers, request.headers.get("host")):
            return plain(CROSS_SITE, 403)
        outcome = await to_thread.run_sync(sign_out, server, request.cookies.get(COOKIE))
        return respond(request, outcome)

    async def to_sign_in_page(_request: Request) -> Response:
        return RedirectResponse(base + "/" + navigation.MASUK.path, status_code=303)

    async def health(_request: Request) -> Response:
        def look() -> int:
            with store.engine_for(server.database_url()).connect() as conn:
                return store.data_version(conn)

        try:
            version = await to_thread.run_sync(look)
        except Exception:  # any failure to reach the store is "not healthy", never a traceback
            log.exception("pemeriksaan kesehatan: basis data tidak terjangkau")
            return JSONResponse({"status": "gangguan", "basis_data": "tidak terjangkau"}, status_code=503,
                                headers={"Cache-Control": "no-store"})
        return JSONResponse({"status": "ok", "basis_data": "ok", "versi_data": version},
                            headers={"Cache-Control": "no-store"})

    return [
        Route(base + SIGN_IN_PATH, masuk, methods=["POST"]),
        Route(base + SIGN_IN_PATH, to_sign_in_page, methods=["GET"]),
        Route(base + SIGN_OUT_PATH, keluar, methods=["POST"]),
        Route(base + SIGN_OUT_PATH, to_sign_in_page, methods=["GET"]),
        Route(base + HEALTH_PATH, health, methods=["GET", "HEAD"]),
    ]
