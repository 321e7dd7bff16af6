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
from starlette.routing import Route
from starlette.testclient import TestClient

from bulukumba import auth, store
from bulukumba.server import Server, compression, options, sessions

PASSWORD = "sandi-kantor-2018"
HASH = auth.hash_password(PASSWORD, rounds=4)
STREAMLIT_STATIC = Path(__import__("streamlit").file_util.get_static_dir())


def users_from(accounts: dict):
    return lambda: (auth.users_from_secrets({"pengguna": accounts}), None)


ACCOUNTS = {"kadis": {"nama": "Kepala Dinas", "peran": "pimpinan", "hash_sandi": HASH},
            "op": {"nama": "Operator", "peran": "operator", "hash_sandi": HASH}}


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store.engine_for(url)
    return Server(users=users_from(ACCOUNTS), secrets=lambda: {"sesi": {"kunci": "u" * 40}},
                  database_url=lambda: url)


def build(server: Server, app_static: Path | None = None) -> Starlette:
    """The app's routes and middleware in front of a stand-in for Streamlit."""
    parts = options(server, static_dir=STREAMLIT_STATIC, app_static_dir=app_static or STREAMLIT_STATIC)

    async def streamlit(request):
        return PlainTextResponse("streamlit")

    stand_in = [Route("/{path:path}", streamlit, methods=["GET", "HEAD", "PUT", "POST"])]
    return Starlette(routes=parts["routes"] + stand_in, middleware=parts["middleware"])


@pytest.fixture
def client(server):
    with TestClient(build(server), base_url="http://dasbor.lokal", follow_redirects=False) as c:
        yield c


def post_sign_in(client, name, password, ke=None, **headers):
    form = {"nama": name, "sandi": password} | ({"ke": ke} if ke is not None else {})
    return client.post("/akun/masuk", data=form, headers={"origin": "http://dasbor.lokal", **headers})


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
        assert c.post("/akun/masuk", data={"nama": "kadis", "sandi": PASSWORD}).headers["location"] == \
            "/masuk?gagal=akun"
    bad_key = Server(users=users_from(ACCOUNTS), secrets=lambda: {"sesi": {"kunci": "pendek"}},
                     database_url=lambda: url)
    with TestClient(build(bad_key), follow_redirects=False) as c:
        response = c.post("/akun/masuk", data={"nama": "kadis", "sandi": PASSWORD})
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


def test_spraying_one_address_across_many_user_names_is_slowed_down(server, counted_checks):
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


# ---------------------------------------------------------------------------------------------
# The gate
# ---------------------------------------------------------------------------------------------

PAGE = {"accept": "text/html,application/xhtml+xml"}


def test_an_unknown_address_gets_an_indonesian_not_found_page(client):
    response = client.get("/tidak-ada", headers=PAGE)
    assert response.status_code == 404 and "Halaman tidak ditemukan" in response.text
    assert "/tidak-ada" in response.text and "lang=\"id\"" in response.text
    assert client.get("/akun", headers=PAGE).status_code == 404  # only /akun/masuk and /akun/keluar
    assert client.get("/health", headers=PAGE).json()["status"] == "ok"
    for known in ("/", "/gertak", "/masuk", "/publik", "/kelola", "/favicon.png", "/gertak/"):
        assert client.get(known, headers=PAGE).text == "streamlit", known
    assert client.get("/<script>", headers=PAGE).text.count("<script>") == 0


def test_a_page_load_with_an_ended_session_says_why_once_and_drops_the_cookie(client, server):
    post_sign_in(client, "kadis", PASSWORD)
    assert client.get("/gertak?kec=73.02.06", headers=PAGE).text == "streamlit"  # valid: through
    server.sessions().end(client.cookies[sessions.COOKIE])
    response = client.get("/gertak?kec=73.02.06", headers=PAGE)
    assert response.status_code == 303
    assert response.headers["location"] == "/gertak?kec=73.02.06&sesi=keluar"
    assert "Max-Age=0" in cookie_header(response)
    assert sessions.COOKIE not in client.cookies
    client.cookies.set(sessions.COOKIE, "palsu")  # a forged one: said once, then served
    again = client.get("/gertak?kec=73.02.06&sesi=tidak-sah", headers=PAGE)
    assert again.text == "streamlit" and "Max-Age=0" in cookie_header(again)


def test_uploads_need_a_signed_in_operator(client):
    upload = "/_stcore/upload_file/sesi-orang-lain/berkas"
    assert client.put(upload).status_code == 403
    post_sign_in(client, "kadis", PASSWORD)
    assert client.put(upload).status_code == 403  # pimpinan does not import
    client.cookies.clear()
    post_sign_in(client, "op", PASSWORD)
    assert client.put(upload).text == "streamlit"


def test_internal_metrics_answer_only_this_machine(server):
    app = build(server)
    with TestClient(app, client=("203.0.113.9", 5000)) as outside:
        assert outside.get("/_stcore/metrics").status_code == 404
    with TestClient(app, client=("127.0.0.1", 5000)) as local:
        assert local.get("/_stcore/metrics").text == "streamlit"
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
