"""The serving layer over HTTP (Starlette's TestClient): sign-in and sign-out routes, the gate,
compressed static files, health. Streamlit itself stands behind them as a stub that answers
"streamlit"; the real server with a real browser is in test_browser_sessions.py."""
from __future__ import annotations

import brotli
import gzip
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient

from bulukumba.server import auth
from bulukumba.storage import store
from bulukumba.server import Server, clients, compression, devices, gate, options, sessions

PASSWORD = "sandi-kantor-2018"
HASH = auth.hash_password(PASSWORD, rounds=4)
STREAMLIT_STATIC = Path(__import__("streamlit").file_util.get_static_dir())


def users_from(accounts: dict):
    return lambda: (auth.users_from_secrets({"pengguna": accounts}), None)


ACCOUNTS = {"kadis": {"nama": "Kepala Dinas", "peran": "pimpinan", "hash_sandi": HASH},
            "op": {"nama": "Operator", "peran": "operator", "hash_sandi": HASH},
            "ppdi": {"nama": "PPDI Bulukumba", "peran": "mitra", "mitra": "PPDI", "hash_sandi": HASH}}


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store.engine_for(url)
    return Server(users=users_from(ACCOUNTS), secrets=lambda: {"sesi": {"kunci": "u" * 40}},
                  database_url=lambda: url)


def build(server: Server, app_static: Path | None = None) -> Starlette:
    """The app's routes and middleware in front of a stand-in for Streamlit: it answers
    "streamlit", a missing media file in English as Streamlit does, and fails at /component/rusak."""
    parts = options(server, static_dir=STREAMLIT_STATIC, app_static_dir=app_static or STREAMLIT_STATIC)

    async def streamlit(request):
        return PlainTextResponse("streamlit")

    async def missing(request):
        return PlainTextResponse("File not found", status_code=404)

    async def broken(request):
        raise RuntimeError("rusak di dalam Streamlit")

    async def stream(websocket):
        await websocket.accept()
        await websocket.send_text("streamlit")
        await websocket.close()

    stand_in = [Route("/media/{path:path}", missing), Route("/component/rusak", broken),
                WebSocketRoute("/_stcore/stream", stream),
                Route("/{path:path}", streamlit, methods=["GET", "HEAD", "PUT", "POST", "DELETE"])]
    return Starlette(routes=parts["routes"] + stand_in, middleware=parts["middleware"])


@pytest.fixture
def client(server):
    with TestClient(build(server), base_url="http://dasbor.lokal", follow_redirects=False) as c:
        yield c


def post_sign_in(client, name, password, ke=None, **headers):
    form = {"nama": name, "sandi": password} | ({"ke": ke} if ke is not None else {})
    return client.post("/akun/masuk", data=form, headers={"origin": "http://dasbor.lokal", **headers})


def served_shell(response) -> bool:
    """The page shell the gate serves for a page address (Streamlit's, rewritten: server/public.py)."""
    return response.status_code == 200 and '<html lang="id">' in response.text and '<div id="root">' in response.text


def cookie_header(response) -> str:
    return response.headers["set-cookie"]


# ---------------------------------------------------------------------------------------------
# Signing in and out
# ---------------------------------------------------------------------------------------------

def test_signing_in_sets_a_signed_httponly_samesite_cookie_that_lasts_the_absolute_lifetime(client, server):
    response = post_sign_in(client, "kadis", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    header = cookie_header(response)
    assert header.startswith(f"{sessions.COOKIE}=")
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/" in header
    assert f"Max-Age={7 * 24 * 3600}" in header and "Secure" not in header
    value = client.cookies[sessions.COOKIE]
    assert server.who(value)[0] == auth.User("kadis", "Kepala Dinas", "pimpinan")
    assert response.headers["cache-control"] == "no-store"


def test_over_https_the_cookie_is_secure(server):
    with TestClient(build(server), base_url="https://dasbor.lokal", follow_redirects=False) as c:
        response = c.post("/akun/masuk", data={"nama": "kadis", "sandi": PASSWORD},
                          headers={"origin": "https://dasbor.lokal"})
    assert "Secure" in cookie_header(response)


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer_and_no_cookie(client):
    wrong = post_sign_in(client, "kadis", "salah-sekali", ke="/gertak?kec=73.02.06")
    unknown = post_sign_in(client, "siapa", PASSWORD, ke="/gertak?kec=73.02.06")
    assert wrong.headers["location"] == unknown.headers["location"] == \
        "/masuk?ke=%2Fgertak%3Fkec%3D73.02.06&gagal=salah"
    assert "set-cookie" not in wrong.headers and "set-cookie" not in unknown.headers


def test_after_signing_in_the_browser_goes_exactly_where_it_was_going(client):
    response = post_sign_in(client, "kadis", PASSWORD, ke="/gertak?per=2018-03-31&kec=73.02.06&layanan=kk")
    # through "/", where the frame opens the target (Streamlit's frontend probes deeper addresses)
    assert response.headers["location"] == "/?ke=%2Fgertak%3Fper%3D2018-03-31%26kec%3D73.02.06%26layanan%3Dkk"


@pytest.mark.parametrize("target", [
    "https://jahat.example/", "//jahat.example/gertak", "/\\jahat.example", "\\\\jahat.example",
    "http:/jahat.example", "javascript:alert(1)", "/\t/jahat.example", "/%0a/jahat.example",
    "jahat.example", "/tidak-ada-halaman", "/gertak/../../x", " //jahat.example", "/masuk\r\nX: y",
])
def test_no_open_redirect_whatever_the_target(client, target):
    response = post_sign_in(client, "kadis", PASSWORD, ke=target)
    location = response.headers["location"]
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc and location.startswith("/") and not location.startswith("//")
    landing = parse_qs(parts.query).get("ke", ["/"])[0]
    assert not urlsplit(landing).netloc and landing.startswith("/") and not landing.startswith("//")
    assert "jahat" not in landing and "\\" not in landing
    assert urlsplit(landing).path in ("/",) + tuple(f"/{p}" for p in ("gertak",))  # only known pages


def test_a_form_sent_from_another_site_is_refused(client):
    assert post_sign_in(client, "kadis", PASSWORD, origin="https://jahat.example").status_code == 403
    assert post_sign_in(client, "kadis", PASSWORD, **{"sec-fetch-site": "cross-site"}).status_code == 403
    assert sessions.COOKIE not in client.cookies
    response = client.post("/akun/keluar", headers={"origin": "https://jahat.example"})
    assert response.status_code == 403


def test_signing_in_and_out_need_the_browser_to_say_the_form_is_this_sites(client, server):
    form = {"nama": "kadis", "sandi": PASSWORD}
    neither = client.post("/akun/masuk", data=form)
    assert neither.status_code == 403 and "halaman dasbor ini" in neither.text
    for sender in ({"origin": "null"}, {"referer": "https://jahat.example/masuk"}, {"referer": "bukan alamat"},
                   {"origin": "http://dasbor.lokal.jahat.example"}):
        assert client.post("/akun/masuk", data=form, headers=sender).status_code == 403, sender
    assert sessions.COOKIE not in client.cookies
    by_referer = client.post("/akun/masuk", data=form, headers={"referer": "http://dasbor.lokal/masuk?ke=%2Fpeta"})
    assert by_referer.status_code == 303 and sessions.COOKIE in client.cookies
    value = client.cookies[sessions.COOKIE]
    assert client.post("/akun/keluar").status_code == 403  # a sign-out nobody's page sent
    assert server.who(value)[0] is not None
    assert client.post("/akun/keluar", headers={"referer": "http://dasbor.lokal/masuk"}).status_code == 303
    assert server.who(value)[0] is None


@pytest.mark.parametrize("password", ["a" * 73, "é" * 37])
def test_a_password_longer_than_72_bytes_is_told_in_indonesian(client, password):
    response = post_sign_in(client, "kadis", password, ke="/peta")
    assert response.status_code == 303 and "set-cookie" not in response.headers
    assert response.headers["location"] == "/masuk?ke=%2Fpeta&gagal=panjang"
    assert "72 byte" in auth.failure_message("panjang")


def test_a_form_larger_than_a_sign_in_is_refused_with_413(client):
    response = client.post("/akun/masuk", content=b"nama=kadis&sandi=" + b"a" * 20_000,
                           headers={"origin": "http://dasbor.lokal", "content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and response.text == "Formulir terlalu besar."


def test_signing_out_ends_the_session_in_the_store_and_clears_the_cookie(client, server):
    post_sign_in(client, "kadis", PASSWORD)
    value = client.cookies[sessions.COOKIE]
    response = client.post("/akun/keluar", headers={"origin": "http://dasbor.lokal"})
    assert response.status_code == 303 and response.headers["location"] == "/?sesi=keluar"
    assert 'bulukumba_sesi=""' in cookie_header(response) and "Max-Age=0" in cookie_header(response)
    assert server.who(value) == (None, sessions.Check(None, sessions.KELUAR))


def test_without_accounts_or_with_a_bad_key_nobody_signs_in(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    nobody = Server(users=lambda: ({}, None), secrets=lambda: {}, database_url=lambda: url)
    with TestClient(build(nobody), follow_redirects=False) as c:
        assert post_sign_in(c, "kadis", PASSWORD, origin="http://testserver").headers["location"] == \
            "/masuk?gagal=akun"
    bad_key = Server(users=users_from(ACCOUNTS), secrets=lambda: {"sesi": {"kunci": "pendek"}},
                     database_url=lambda: url)
    with TestClient(build(bad_key), follow_redirects=False) as c:
        response = post_sign_in(c, "kadis", PASSWORD, origin="http://testserver")
    assert response.headers["location"] == "/masuk?gagal=kunci" and "set-cookie" not in response.headers


# ---------------------------------------------------------------------------------------------
# Guessing
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def counted_checks(monkeypatch):
    """Counts the password checks bcrypt really does, and makes each take a moment."""
    import time

    real = auth.bcrypt.checkpw
    checks = []

    def counting(password, hashed):
        checks.append(threading.get_ident())
        time.sleep(0.05)  # widens the window guesses could race through; no assertion times it
        return real(password, hashed)

    monkeypatch.setattr(auth.bcrypt, "checkpw", counting)
    return checks


def test_thirty_wrong_passwords_at_once_get_only_the_free_checks(server, counted_checks):
    # "At once" whatever the machine's load: time stands still for the throttle, so a request
    # handled late does not find its two-second wait already over.
    server.guard = auth.Guard(clock=lambda: 1000.0)
    app = build(server)
    with TestClient(app, follow_redirects=False) as client:
        def attempt(_):
            return post_sign_in(client, "kadis", f"tebakan-{_}", origin="http://testserver")

        with ThreadPoolExecutor(max_workers=30) as pool:
            answers = list(pool.map(attempt, range(30)))
    codes = [parse_qs(urlsplit(a.headers["location"]).query)["gagal"][0] for a in answers]
    assert len(counted_checks) <= auth.FREE_FAILURES
    assert codes.count("salah") == len(counted_checks) and codes.count("tunggu") == 30 - len(counted_checks)


def test_spraying_one_address_across_many_user_names_is_slowed_down(server, counted_checks, quick_unknown_names):
    server.guard = auth.Guard(clock=lambda: 1000.0)  # the late attempts come before any wait is over
    with TestClient(build(server), follow_redirects=False) as client:
        codes = []
        for i in range(auth.FREE_ADDRESS_FAILURES + 3):
            answer = post_sign_in(client, f"nama-{i}", "sandi-umum-123", origin="http://testserver")
            codes.append(parse_qs(urlsplit(answer.headers["location"]).query)["gagal"][0])
        # the right password from that address now waits too: the address is the limit
        late = post_sign_in(client, "kadis", PASSWORD, origin="http://testserver")
    assert codes[:auth.FREE_ADDRESS_FAILURES] == ["salah"] * auth.FREE_ADDRESS_FAILURES
    assert set(codes[auth.FREE_ADDRESS_FAILURES:]) == {"tunggu"}
    assert len(counted_checks) == auth.FREE_ADDRESS_FAILURES
    assert "gagal=tunggu" in late.headers["location"] and "set-cookie" not in late.headers


def test_a_sign_in_leaves_a_device_cookie_only_the_sign_in_routes_receive(client, server):
    assert "set-cookie" not in post_sign_in(client, "kadis", "salah-sekali").headers
    response = post_sign_in(client, "kadis", PASSWORD)
    [device] = [h for h in response.headers.get_list("set-cookie") if h.startswith(devices.COOKIE + "=")]
    assert "Path=/akun" in device and "HttpOnly" in device and "SameSite=strict" in device
    assert f"Max-Age={365 * 24 * 3600}" in device
    value = client.cookies[devices.COOKIE]
    assert server.devices().device_id(value, "kadis") and server.devices().device_id(value, "op") is None
    assert server.devices().device_id(value[:-2] + "xx", "kadis") is None  # a changed one is nobody's
    client.post("/akun/keluar", headers={"origin": "http://dasbor.lokal"})
    assert client.cookies.get(devices.COOKIE) == value  # signing out keeps it: the browser is known


@pytest.mark.slow
@pytest.mark.both_databases
def test_guessing_from_elsewhere_never_keeps_the_owner_out_of_his_own_browser(server):
    """A wrong guess every half second from the guesser's address; the owner's right password
    from his laptop (which signed in before) every thirty seconds, for five minutes."""
    clock = [1000.0]
    server.guard = auth.Guard(clock=lambda: clock[0])
    app = build(server)
    with TestClient(app, base_url="http://dasbor.lokal", follow_redirects=False, client=("203.0.113.9", 4000)) as guesser, \
            TestClient(app, base_url="http://dasbor.lokal", follow_redirects=False, client=("198.51.100.7", 4000)) as laptop:
        assert post_sign_in(laptop, "kadis", PASSWORD).status_code == 303  # signed in here before
        right = []
        for step in range(1, 601):
            clock[0] += 0.5
            post_sign_in(guesser, "kadis", f"tebakan-{step}")
            if step % 60 == 0:
                laptop.cookies.delete(sessions.COOKIE)
                right.append(sessions.COOKIE in post_sign_in(laptop, "kadis", PASSWORD).cookies)
        assert right == [True] * 10
        # the guesser himself, meanwhile, has been waiting
        assert "gagal=tunggu" in post_sign_in(guesser, "kadis", "tebakan-lagi").headers["location"]


# ---------------------------------------------------------------------------------------------
# Who the client is: forwarded headers only from a configured proxy
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def quick_unknown_names(monkeypatch):
    """An unknown user name is checked against a dummy hash of the real cost (a quarter second
    and more); these tests count attempts, not their time."""
    monkeypatch.setattr(auth, "_DUMMY_HASH", HASH)


def spray(client, headers: dict, names: int = 12) -> list[str]:
    """One password tried for many user names; the answers' codes."""
    codes = []
    for i in range(names):
        answer = post_sign_in(client, f"nama-{i}", "sandi-umum-123", origin="http://testserver", **headers)
        codes.append(parse_qs(urlsplit(answer.headers["location"]).query)["gagal"][0])
    return codes


def test_forwarded_addresses_count_only_from_a_configured_proxy(server, quick_unknown_names):
    server.guard = auth.Guard(clock=lambda: 1000.0)
    with TestClient(build(server), follow_redirects=False, client=("127.0.0.1", 4000)) as local:
        codes = spray(local, {}, auth.FREE_ADDRESS_FAILURES)
        made_up = spray(local, {"x-forwarded-for": "203.0.113.77"}, 2)  # not a proxy: same address
    assert codes == ["salah"] * auth.FREE_ADDRESS_FAILURES and made_up == ["tunggu"] * 2

    behind = Server(users=users_from(ACCOUNTS), secrets=server.secrets, database_url=server.database_url,
                    trusted_proxies=["127.0.0.1"])
    behind.guard = auth.Guard(clock=lambda: 1000.0)
    with TestClient(build(behind), follow_redirects=False, client=("::ffff:127.0.0.1", 4000)) as proxy:
        first = spray(proxy, {"x-forwarded-for": "203.0.113.1"}, auth.FREE_ADDRESS_FAILURES + 1)
        # another client behind the same proxy is not made to wait for the first one's failures,
        # and a client cannot pick its address by writing one before the proxy's
        other = spray(proxy, {"x-forwarded-for": "203.0.113.2"}, 1)
        forged = spray(proxy, {"x-forwarded-for": "10.9.9.9, 203.0.113.1"}, 1)
    assert first[-1] == "tunggu" and other == ["salah"] and forged == ["tunggu"]


def test_https_through_a_configured_local_proxy_marks_the_cookie_secure(server):
    behind = Server(users=users_from(ACCOUNTS), secrets=server.secrets, database_url=server.database_url,
                    trusted_proxies=["127.0.0.1", "::1"])
    for peer, trusted in (("::ffff:127.0.0.1", behind), ("::1", behind), ("127.0.0.1", server)):
        with TestClient(build(trusted), base_url="http://dasbor.lokal", follow_redirects=False,
                        client=(peer, 4000)) as c:
            response = post_sign_in(c, "kadis", PASSWORD, **{"x-forwarded-proto": "https"})
        secure = [h for h in response.headers.get_list("set-cookie") if "Secure" in h]
        assert len(secure) == (2 if trusted is behind else 0), peer  # session and device cookie


def test_uvicorn_no_longer_rewrites_the_client_from_forwarded_headers():
    import asyncio

    import uvicorn

    seen = []

    async def app(scope, receive, send):
        seen.append((scope["client"], scope["scheme"]))

    clients.take_over_forwarded_headers()
    config = uvicorn.Config(app, proxy_headers=True, forwarded_allow_ips="*", lifespan="off")
    config.load()
    scope = {"type": "http", "client": ("127.0.0.1", 5000), "scheme": "http",
             "headers": [(b"x-forwarded-for", b"203.0.113.9"), (b"x-forwarded-proto", b"https")]}
    asyncio.run(config.loaded_app(scope, None, None))
    assert seen == [(("127.0.0.1", 5000), "http")]


# ---------------------------------------------------------------------------------------------
# The gate
# ---------------------------------------------------------------------------------------------

PAGE = {"accept": "text/html,application/xhtml+xml"}


LONG_NAME = "a" * 300


@pytest.mark.parametrize("path", [
    "/tidak-ada", "/admin.php", "/.env", "/foo/bar", "/gertak/x", "/gertak/_stcore/health", "/index.html",
    "/akun", "/static/x", "/static/js/tidak-ada.js", f"/static/js/{LONG_NAME}.js", f"/app/static/{LONG_NAME}.json",
    f"/{LONG_NAME}", "/_stcore/stream", "/_stcore/upload_file/sesi/berkas", "/_stcore/agent/openapi.json",
    "/auth/login", "/oauth2callback", "/a/b/c/d/e/f",
])
def test_an_unknown_address_of_any_depth_gets_the_indonesian_not_found_page(client, path):
    response = client.get(path, headers=PAGE | {"accept-encoding": "br"})
    assert response.status_code == 404 and "Halaman tidak ditemukan" in response.text, path
    assert 'lang="id"' in response.text and "streamlit" not in response.text
    plain = client.get(path, headers={"accept": "*/*"})  # a script or a bot: the same, as text
    assert plain.status_code == 404 and plain.text == "Tidak ditemukan."


def test_every_page_and_deep_link_still_reaches_streamlit(client):
    from bulukumba.presentation import navigation

    links = ["/", "/?desa=73.02.06.2001", "/?mode=proyektor", "/peta?kec=73.02.06", "/gertak/",
             "/favicon.png", "/manifest.json", f"/static/js/{main_bundle()}", "/_stcore/health",
             "/_stcore/host-config", "/media/abc.png", "/app/static/desa-semua.json"]
    for link in links + [f"/{page.path}" for page in navigation.PAGES]:
        response = client.get(link, headers=PAGE)
        assert response.status_code in (200, 404) and "Halaman tidak ditemukan" not in response.text, link
    assert client.get("/health", headers=PAGE).json()["status"] == "ok"
    assert client.get("/<script>", headers=PAGE).text.count("<script>") == 0


def test_streamlits_english_errors_are_answered_in_indonesian(client, caplog):
    missing = client.get("/media/tidak-ada.png")
    assert missing.status_code == 404 and missing.text == "Tidak ditemukan."
    wrong_method = client.patch("/akun/masuk")
    assert wrong_method.status_code == 405 and wrong_method.text == gate.ERROR_TEXT[405]
    with caplog.at_level("ERROR", logger="bulukumba"):
        failed = client.get("/component/rusak")
    assert failed.status_code == 500 and failed.text.startswith("Maaf, terjadi kesalahan di server.")
    code = failed.text.split("kode ")[1].split(" ")[0]
    assert code in caplog.text and "RuntimeError" in caplog.text and "Traceback" not in failed.text


SECURITY = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin", "x-frame-options": "DENY"}


def test_every_answer_carries_the_security_headers(client):
    answers = [client.get("/", headers=PAGE), client.get("/gertak?kec=73.02.06", headers=PAGE),
               client.get("/tidak-ada", headers=PAGE), client.get("/health"),
               client.get(f"/static/js/{main_bundle()}", headers={"accept-encoding": "br"}),
               client.get("/media/x"), post_sign_in(client, "kadis", PASSWORD), client.post("/akun/keluar"),
               client.put("/_stcore/upload_file/s/f"), client.get("/akun/masuk")]
    for answer in answers:
        for name, value in SECURITY.items():
            assert answer.headers.get(name) == value, (answer.url, name)
        policy = dict(d.strip().split(" ", 1) for d in answer.headers["content-security-policy"].split(";"))
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
        assert policy["default-src"] == "'self'" and policy["form-action"] == "'self'"
        assert "'unsafe-eval'" not in policy["script-src"] and "'unsafe-inline'" not in policy["script-src"]
        assert "ws://dasbor.lokal" in policy["connect-src"]


def test_the_policy_allows_the_page_shells_inline_script_and_the_apps_by_their_hashes(server):
    from bulukumba.server import headers

    shell = (STREAMLIT_STATIC / "index.html").read_text()
    ours = "<script>console.log('uji')</script>"
    policy = headers.SecurityHeaders(STREAMLIT_STATIC, (ours,)).policy("dasbor.lokal", https=True)
    hashes = headers.inline_script_hashes(shell + ours)
    assert len(hashes) == 2 and all(h in policy for h in hashes)
    assert "wss://dasbor.lokal" in policy
    assert "evil" not in headers.SecurityHeaders().policy("x; script-src evil", https=False)


def test_a_host_the_configuration_does_not_name_is_refused(server):
    named = Server(users=users_from(ACCOUNTS), secrets=server.secrets, database_url=server.database_url,
                   hosts=["dasbor.bulukumbakab.go.id"])
    with TestClient(build(named), base_url="http://dasbor.bulukumbakab.go.id", follow_redirects=False,
                    client=("203.0.113.9", 4000)) as outside:
        assert served_shell(outside.get("/", headers=PAGE))
        assert served_shell(outside.get("/", headers=PAGE | {"host": "dasbor.bulukumbakab.go.id:443"}))
        refused = outside.get("/", headers=PAGE | {"host": "jahat.example"})
        assert refused.status_code == 400 and refused.text == "Alamat host ini tidak dilayani dasbor."
        assert outside.get("/health", headers={"host": "127.0.0.1:8501"}).status_code == 400
    with TestClient(build(named), base_url="http://127.0.0.1:8501", client=("127.0.0.1", 4000)) as local:
        assert local.get("/health").json()["status"] == "ok"  # the machine itself, by its own name
    with TestClient(build(server), base_url="http://apa.saja") as any_host:  # none named: any Host
        assert served_shell(any_host.get("/", headers=PAGE))


def test_a_websocket_opened_by_another_sites_page_is_refused(client):
    from starlette.websockets import WebSocketDisconnect

    with client.websocket_connect("/_stcore/stream", headers={"origin": "http://testserver"}) as ws:
        assert ws.receive_text() == "streamlit"
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/_stcore/stream", headers={"origin": "https://jahat.example"}) as ws:
            ws.receive_text()


def test_a_page_load_with_an_ended_session_says_why_once_and_drops_the_cookie(client, server):
    post_sign_in(client, "kadis", PASSWORD)
    assert served_shell(client.get("/gertak?kec=73.02.06", headers=PAGE))  # valid: served
    server.sessions().end(client.cookies[sessions.COOKIE])
    response = client.get("/gertak?kec=73.02.06", headers=PAGE)
    assert response.status_code == 303
    assert response.headers["location"] == "/gertak?kec=73.02.06&sesi=keluar"
    assert "Max-Age=0" in cookie_header(response)
    assert sessions.COOKIE not in client.cookies
    client.cookies.set(sessions.COOKIE, "palsu")  # a forged one: said once, then served
    again = client.get("/gertak?kec=73.02.06&sesi=tidak-sah", headers=PAGE)
    assert served_shell(again) and "Max-Age=0" in cookie_header(again)


def test_uploads_need_a_signed_in_operator(client):
    upload = "/_stcore/upload_file/sesi-orang-lain/berkas"
    assert client.put(upload).status_code == 403
    post_sign_in(client, "kadis", PASSWORD)
    assert client.put(upload).status_code == 403  # pimpinan does not import
    client.cookies.clear()
    post_sign_in(client, "op", PASSWORD)
    assert client.put(upload).text == "streamlit"


def test_a_partner_account_may_upload_its_own_spreadsheet(client):
    upload = "/_stcore/upload_file/sesi-mitra/berkas"
    assert client.put(upload).status_code == 403
    post_sign_in(client, "ppdi", PASSWORD)
    assert client.put(upload).text == "streamlit"  # what it may send is decided by its page


def test_internal_metrics_answer_only_this_machine(server):
    app = build(server)
    with TestClient(app, client=("203.0.113.9", 5000)) as outside:
        assert outside.get("/_stcore/metrics").status_code == 404
    for loopback in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        with TestClient(app, client=(loopback, 5000)) as local:
            assert local.get("/_stcore/metrics").text == "streamlit", loopback
            assert local.get("/_stcore/metrics", headers={"x-forwarded-for": "203.0.113.9"}).status_code == 404


def test_health_answers_with_the_store_state(client, tmp_path):
    response = client.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response.json()["basis_data"] == "ok" and isinstance(response.json()["versi_data"], int)
    (tmp_path / "berkas").write_text("bukan folder")  # the store's folder cannot be made
    broken = Server(users=users_from(ACCOUNTS), secrets=lambda: {},
                    database_url=lambda: f"sqlite:///{tmp_path / 'berkas' / 'store.sqlite'}")
    with TestClient(build(broken), raise_server_exceptions=False) as c:
        response = c.get("/health")
    assert response.status_code == 503 and response.json()["status"] == "gangguan"
    assert "Traceback" not in response.text


# ---------------------------------------------------------------------------------------------
# A process that starts while an import writes
# ---------------------------------------------------------------------------------------------

def test_a_dashboard_started_while_an_import_writes_serves_at_once(tmp_path, regions):
    """A restart during an import: opening the store and getting it ready only read a store
    that is ready already, so the new process does not wait for the import, which holds the
    version row from its first write to its commit (and on SQLite the write lock with it)."""
    import sqlalchemy as sa

    from bulukumba.storage import reference, startup
    from conftest import new_store_url

    url = new_store_url(tmp_path)
    engine = store.make_engine(url)
    reference.ensure_reference(engine, regions)
    engine.dispose()
    importing = sa.create_engine(url).connect()
    importing.execute(store.meta.update().where(store.meta.c.kunci == "versi").values(nilai=store.meta.c.nilai + 1))
    try:
        restarted = store.make_engine(url)
        ready = startup.prepare(restarted, fill_demo=False)
        with restarted.connect() as conn:
            assert store.has_regions(conn)
        assert ready.engine is restarted
    finally:
        importing.rollback()
        importing.close()
    restarted.dispose()


# ---------------------------------------------------------------------------------------------
# Compressed static files
# ---------------------------------------------------------------------------------------------

def main_bundle() -> str:
    return next(p.name for p in (STREAMLIT_STATIC / "static" / "js").glob("index.*.js"))


def test_bundles_come_brotli_or_gzip_compressed_with_long_cache_headers(client):
    url = f"/static/js/{main_bundle()}"
    raw = (STREAMLIT_STATIC / "static" / "js" / main_bundle()).read_bytes()
    br = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert br.headers["content-encoding"] == "br" and br.headers["vary"] == "Accept-Encoding"
    assert br.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert br.headers["content-type"].startswith("text/javascript")
    assert int(br.headers["content-length"]) < len(raw) / 3
    assert br.content == raw  # decoded by the client from the brotli bytes
    gz = client.get(url, headers={"accept-encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip" and gz.content == raw
    plain = client.get(url, headers={"accept-encoding": "identity"})
    assert plain.text == "streamlit"  # no compression wanted: Streamlit serves it as it does
    not_modified = client.get(url, headers={"accept-encoding": "br", "if-none-match": br.headers["etag"]})
    assert not_modified.status_code == 304 and not not_modified.content
    head = client.head(url, headers={"accept-encoding": "br"})
    assert head.headers["content-encoding"] == "br" and not head.content


@pytest.mark.slow
@pytest.mark.both_databases
def test_each_file_is_compressed_once_per_process(tmp_path, monkeypatch):
    bundle = tmp_path / "js" / "index.Uji12345.js"  # this test's own file: other tests' threads
    bundle.parent.mkdir()                            # compress other bytes
    bundle.write_bytes((STREAMLIT_STATIC / "static" / "js" / main_bundle()).read_bytes() + b"//uji")
    raw = bundle.read_bytes()
    calls = []
    real_brotli, real_gzip = compression.brotli.compress, gzip.compress
    monkeypatch.setattr(compression.brotli, "compress",
                        lambda data, **kw: (data == raw and calls.append(kw["quality"])) or real_brotli(data, **kw))
    monkeypatch.setattr(compression.gzip, "compress",
                        lambda data, *a, **kw: (data == raw and calls.append("gz")) or real_gzip(data, *a, **kw))
    files = compression.CompressedFiles([("/static/", tmp_path)])
    path = files.file_for("/static/js/index.Uji12345.js")
    with ThreadPoolExecutor(max_workers=8) as pool:
        entries = list(pool.map(lambda _: files.entry(path), range(8)))
    assert all(e is entries[0] for e in entries)
    assert "gz" not in calls  # gzip only once a client asks for it
    with ThreadPoolExecutor(max_workers=8) as pool:
        gzipped = list(pool.map(lambda _: files.gzipped(path, entries[0]), range(8)))
    assert gzip.decompress(gzipped[0]) == raw and all(g is gzipped[0] for g in gzipped)
    files._upgrade(path)  # the best level, as the background thread does it (whichever is first)
    assert sorted(calls, key=str) == sorted(["gz", compression.FAST_BROTLI, compression.BEST_BROTLI], key=str)
    assert entries[0].best_brotli and brotli.decompress(entries[0].encoded["br"]) == raw


def test_the_best_compression_is_kept_on_disk_for_the_next_start(tmp_path):
    root = [("/static/", STREAMLIT_STATIC / "static")]
    first = compression.CompressedFiles(root, cache_dir=tmp_path)
    path = first.file_for(f"/static/js/{main_bundle()}")
    first.entry(path)
    first._upgrade(path)
    restarted = compression.CompressedFiles(root, cache_dir=tmp_path)
    entry = restarted.entry(path)
    assert entry.best_brotli and entry.encoded["br"] == first.entry(path).encoded["br"]


def test_only_files_inside_the_static_folders_are_served(client, tmp_path):
    for url in ("/static/../index.html", "/static/js/../../index.html", "/static/%2e%2e/index.html",
                "/static/js/nope.js", "/static/media/SourceSansVF-Upright.ttf.BsWL4Kly.woff2"):
        response = client.get(url, headers={"accept-encoding": "br"})
        assert "content-encoding" not in response.headers, url
    files = compression.CompressedFiles([("/static/", STREAMLIT_STATIC / "static")])
    assert files.file_for("/static/../../../../etc/passwd") is None
    assert files.file_for("/static/js\\..\\..\\index.html") is None


def test_the_app_map_layers_are_compressed_too(server, tmp_path):
    layer = tmp_path / "desa-semua-0123456789ab.json"
    layer.write_text('{"type":"FeatureCollection","features":[' + ",".join(['{"a":1}'] * 500) + "]}")
    with TestClient(build(server, app_static=tmp_path)) as c:
        response = c.get(f"/app/static/{layer.name}", headers={"accept-encoding": "br"})
    assert response.headers["content-encoding"] == "br" and response.text == layer.read_text()
    assert "immutable" in response.headers["cache-control"]


def test_a_request_head_too_large_for_a_browser_is_refused_under_httptools(server):
    """uvicorn's httptools parser (requirements.txt) has no limit of its own on a head, and a
    header of tens of megabytes kept the server busy for tens of seconds (and this 100 KB one
    passed): the dashboard's server answers 431 in Indonesian past 64 KB and closes; a browser's
    heads pass, on the same keep-alive connection too (server/head_limit.py)."""
    pytest.importorskip("httptools")
    import socket
    import threading
    import time

    import uvicorn

    from bulukumba.server import head_limit

    app = build(server)  # the options install the limit, as dashboard.py's do
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    served = uvicorn.Server(uvicorn.Config(app, http="httptools", lifespan="off", log_level="error"))
    thread = threading.Thread(target=served.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    while not served.started:
        time.sleep(0.05)

    def ask(connection, extra: bytes = b"") -> bytes:
        connection.sendall(b"GET /ikon.png HTTP/1.1\r\nHost: dasbor.lokal\r\n" + extra + b"\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length")), b"0"))
        while len(body) < length:
            body += connection.recv(65536)
        return head.split(b"\r\n", 1)[0] + b" " + body

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
            assert ask(c, b"Cookie: " + b"a=b; " * 2000 + b"\r\n").startswith(b"HTTP/1.1 200")  # 10 KB
            assert ask(c).startswith(b"HTTP/1.1 200")  # the same connection, its next request
        with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
            c.sendall(b"GET /ikon.png HTTP/1.1\r\nHost: dasbor.lokal\r\nX-Besar: " + b"a" * 100_000 + b"\r\n\r\n")
            answer = b""
            while chunk := c.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 431 ")
        assert answer.endswith(head_limit.TOO_LARGE.encode()) and b"content-language: id" in answer
    finally:
        served.should_exit = True
        thread.join(10)


def test_an_upload_whose_head_and_body_arrive_in_one_read_is_not_taken_for_a_long_head():
    """On a busy server one read of the socket can hold an upload's head and the first hundreds
    of kilobytes of its body: 55 MB exports were refused with 431 when the CI machine was loaded
    (server/head_limit.py counts the head's own bytes only). The connection is fed as asyncio
    would feed it, with one chunk of head and body."""
    pytest.importorskip("httptools")
    import asyncio

    import uvicorn
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    from uvicorn.server import ServerState

    from bulukumba.server import head_limit

    class Transport(asyncio.Transport):
        def __init__(self):
            super().__init__()
            self.written, self.closed = b"", False

        def write(self, data):
            self.written += data

        def close(self):
            self.closed = True

        def is_closing(self):
            return self.closed

        def get_extra_info(self, name, default=None):
            return ("127.0.0.1", 8501) if name in ("peername", "sockname") else default

        def pause_reading(self):
            pass

        def resume_reading(self):
            pass

    async def app(scope, receive, send):  # never run: the requests end before the loop runs
        raise AssertionError("not reached")

    assert head_limit.limit_request_heads()
    config = uvicorn.Config(app, http="httptools", lifespan="off", log_level="error")
    config.load()
    loop = asyncio.new_event_loop()

    def feed(*chunks: bytes) -> Transport:
        protocol = HttpToolsProtocol(config, ServerState(), {}, _loop=loop)
        transport = Transport()
        protocol.connection_made(transport)
        for chunk in chunks:
            protocol.data_received(chunk)
        transport.closed_by_server = transport.closed
        protocol.connection_lost(None)
        return transport

    head = (b"PUT /_stcore/upload_file/sesi/berkas HTTP/1.1\r\nHost: dasbor.lokal\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 55500000\r\n\r\n")
    try:
        upload = feed(head + b"7" * 262_144, b"3" * 262_144)
        assert b" 431 " not in upload.written and not upload.closed_by_server
        split = feed(head[:-3], head[-3:] + b"7" * 262_144)  # the head's end cut across two reads
        assert b" 431 " not in split.written and not split.closed_by_server
        long_head = feed(head[:-2] + b"X-Besar: " + b"a" * 70_000 + b"\r\n\r\n")
        assert long_head.written.startswith(b"HTTP/1.1 431 ") and long_head.closed
        in_pieces = feed(*[b"GET / HTTP/1.1\r\nX-Besar: "] + [b"a" * 16_384] * 5)
        assert in_pieces.written.startswith(b"HTTP/1.1 431 ") and in_pieces.closed
    finally:  # the requests whose head was read wait to run the app: ended unrun
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
