"""Signed-in sessions in a real browser (Debian's Chromium) against `streamlit run dashboard.py`.

The department head signs in once and stays signed in through a reload, a new tab, a dropped
connection and a server restart, on the same page with the same filters; signing out closes
every tab; a copied link opens where it points, through Masuk for a visitor; nobody is sent
off-site; a stolen Streamlit session id without the cookie is a visitor's; the server answers
in Indonesian, compresses its bundles, and serves five first visitors at once after a restart;
a shared village card draws under the content security policy (every page: the gallery);
signing in, every page and signing out work while an import holds the store.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

playwright = pytest.importorskip("playwright.sync_api")

from conftest import PROJECT, new_store_url, on_postgres  # noqa: E402 (after the skip: no browser, no test)
import live_server  # noqa: E402
from browser_waits import runs_ended, settled, wait_runs  # noqa: E402

PASSWORD = "sandi-uji-sesi-2018"
KAJANG = "73.02.06"
GERTAK_LINK = f"/gertak?per=2018-03-31&kec={KAJANG}"
TICK_SECONDS = 2

#: Records the websockets the page opens (to drop one, or to read the session id it resumes),
#: and, if `window.__curi` is given, resumes that session id instead of its own.
SOCKETS_SCRIPT = """
(() => {
  const Original = window.WebSocket;
  window.__sockets = [];
  window.__protocols = [];
  function Recorded(url, protocols) {
    if (window.__curi && Array.isArray(protocols))
      protocols = [protocols[0], protocols[1] || "PLACEHOLDER_AUTH_TOKEN", window.__curi];
    window.__protocols.push(protocols);
    const socket = new Original(url, protocols);
    socket.addEventListener("open", () => { window.__openedAt = performance.now(); });
    window.__sockets.push(socket);
    return socket;
  }
  Recorded.prototype = Original.prototype;
  Object.assign(Recorded, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Recorded;
})();
"""

#: Every label the sidebar's page list ever shows while the page loads.
NAV_SCRIPT = r"""
(() => {
  window.__nav = new Set();
  new MutationObserver(() => {
    document.querySelectorAll("[data-testid='stSidebarNav'] a, [data-testid='stSidebarNavLink']")
      .forEach(a => { const name = a.innerText.trim().split("\n").pop();  // after the icon's name
        if (name) window.__nav.add(name); });  // (no text yet while the first screen covers the page)
  }).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""


class LiveServer:
    """`streamlit run dashboard.py` (the README's command) on one port, stopped and started again
    at will with the same store, key and accounts."""

    def __init__(self, data_dir: Path):
        from bulukumba.server import auth

        self.data_dir = data_dir
        self.secrets = data_dir / "secrets.toml"
        hashed = auth.hash_password(PASSWORD, rounds=4)
        self.secrets.write_text("".join(
            f'[pengguna.{name}]\nnama = "{title}"\nperan = "{role}"\nhash_sandi = "{hashed}"\n'
            for name, title, role in [("kadis", "Kepala Dinas", "pimpinan"), ("op", "Operator", "operator"),
                                      ("tamu", "Akun sasaran tebakan", "pimpinan")]))
        self.env = {**os.environ, "BULUKUMBA_DATA_DIR": str(data_dir),
                    "BULUKUMBA_REFRESH_SECONDS": str(TICK_SECONDS)}
        self.db = new_store_url(data_dir, "bulukumba")  # SQLite, or PostgreSQL in that pass
        self.env["BULUKUMBA_DB_URL"] = self.db
        self.port = live_server.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._running: contextlib.ExitStack | None = None

    def start(self) -> None:
        self._running = contextlib.ExitStack()
        self._running.enter_context(live_server.dashboard(self.data_dir, self.env, self.secrets, port=self.port))

    def stop(self) -> None:
        if self._running is not None:
            self._running.close()
            self._running = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_engine):
    live = LiveServer(tmp_path_factory.mktemp("sesi-data"))
    live.start()
    urllib.request.urlopen(live.url + "/", timeout=30)  # the demo store is filled by the first page run
    yield live
    live.stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_init_script(SOCKETS_SCRIPT)
    yield context
    context.close()


def title(page, text: str, timeout: float = 120_000):
    page.wait_for_selector(f"h1:has-text('{text}')", timeout=timeout)


def sign_in(page, server, name: str = "kadis", password: str = PASSWORD, path: str = "/masuk"):
    live_server.sign_in(page, server.url, name, password, path=path, landing=None)


def shows_gertak_for_kajang_on_31_march(page) -> None:
    """The GERTAK page, filtered to Kajang on 31 March 2018, and the address says so."""
    title(page, "GERTAK 2018")
    page.wait_for_selector("text=menampilkan keadaan per", timeout=120_000)
    caption = page.locator("[data-testid='stCaptionContainer']").first.inner_text()
    assert "31 Maret 2018" in caption and "Kecamatan Kajang" in caption, caption
    day = page.get_by_role("group", name="Keadaan per tanggal")
    assert [day.get_by_role("spinbutton", name=f"{part}, Keadaan per tanggal").get_attribute("aria-valuenow")
            for part in ("day", "month", "year")] == ["31", "3", "2018"]
    assert page.get_by_role("combobox", name="Kecamatan").input_value() == "Kajang"
    query = parse_qs(urlsplit(page.url).query)
    assert urlsplit(page.url).path == "/gertak" and query == {"per": ["2018-03-31"], "kec": [KAJANG]}


def internal(page) -> bool:
    return "Ringkasan" in page.locator("[data-testid='stSidebarNav']").inner_text()


def sockets_opened(page) -> int:
    return page.evaluate("window.__sockets.length")


def wait_new_socket(page, before: int, timeout: float = 90_000) -> None:
    try:
        page.wait_for_function(f"() => window.__sockets.length > {before} && "
                               "window.__sockets[window.__sockets.length - 1].readyState === 1", timeout=timeout)
    except Exception as timed_out:  # seen once under two CPU hogs: say what the sockets were doing
        states = page.evaluate("window.__sockets.map(s => s.readyState)")
        pytest.fail(f"no new open socket after {timeout / 1000:.0f} s: {before} before, states now {states} "
                    f"(0 connecting, 1 open, 2 closing, 3 closed): {timed_out}")


def session_rows(server, newest_only: bool = True, **changes) -> None:
    """Change the newest session row, or every one, where the server keeps them (what the
    passing of time does)."""
    import sqlalchemy as sa

    from bulukumba.storage import store
    from bulukumba.server import sessions

    path = sessions.session_store_path(server.db)
    engine = sa.create_engine(f"sqlite:///{path}" if path else server.db)
    with engine.begin() as conn:
        which = store.sesi.update()
        if newest_only:
            newest = conn.execute(sa.select(store.sesi.c.id).order_by(store.sesi.c.dibuat.desc()).limit(1)).scalar_one()
            which = which.where(store.sesi.c.id == newest)
        conn.execute(which.values(**changes))
    engine.dispose()


# ---------------------------------------------------------------------------------------------
# 1. A real HTTP session
# ---------------------------------------------------------------------------------------------

@pytest.mark.both_databases
def test_signing_in_sets_an_httponly_samesite_cookie_scripts_cannot_read(server, context):
    page = context.new_page()
    sign_in(page, server)
    title(page, "Ringkasan perekaman e-KTP")
    [cookie] = [c for c in context.cookies() if c["name"] == "bulukumba_sesi"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
    assert 6.9 * 86400 < cookie["expires"] - time.time() <= 7 * 86400
    assert "bulukumba_sesi" not in page.evaluate("document.cookie")


def test_a_wrong_password_says_so_in_indonesian_and_signs_nobody_in(server, context):
    page = context.new_page()
    sign_in(page, server, "kadis", "bukan-sandinya")
    page.wait_for_selector("text=Nama pengguna atau kata sandi salah.", timeout=60_000)
    assert not [c for c in context.cookies() if c["name"] == "bulukumba_sesi"]
    assert not internal(page)


def test_another_browser_resuming_the_session_id_without_the_cookie_sees_only_public_pages(server, browser):
    operator = browser.new_context(viewport={"width": 1366, "height": 900})
    operator.add_init_script(SOCKETS_SCRIPT)
    page = operator.new_page()
    sign_in(page, server, "op")
    title(page, "Ringkasan perekaman e-KTP")
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Kelola data").click()
    page.wait_for_selector("text=Impor berkas", timeout=60_000)
    before = sockets_opened(page)
    page.evaluate("window.__sockets[window.__sockets.length - 1].close()")  # the id shows on reconnect
    wait_new_socket(page, before)
    session_id = page.evaluate("window.__protocols[window.__protocols.length - 1][2]")
    assert session_id

    intruder = browser.new_context(viewport={"width": 1366, "height": 900})
    intruder.add_init_script(f"window.__curi = {json.dumps(session_id)};")
    intruder.add_init_script(SOCKETS_SCRIPT)
    other = intruder.new_page()
    other.goto(server.url + "/kelola")
    other.wait_for_selector("h1", timeout=60_000)
    assert other.evaluate("window.__protocols[0][2]") == session_id  # it did resume that session
    # Two refresh ticks after its first run (each looks at the session again): had the stolen
    # id been enough, the page would be internal by now.
    wait_runs(other, runs_ended(other) + 2)
    settled(other)
    body = other.inner_text("body")
    assert "Impor berkas" not in body and "Riwayat impor" not in body and not internal(other)
    other.goto(server.url + "/")
    title(other, "Perekaman e-KTP Kabupaten Bulukumba")
    assert not internal(other)
    intruder.close()
    operator.close()


@pytest.mark.slow
@pytest.mark.both_databases
def test_thirty_wrong_passwords_at_once_get_only_the_free_checks(server):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def guess(i: int) -> str:
        request = urllib.request.Request(
            server.url + "/akun/masuk", data=f"nama=tamu&sandi=tebakan-{i}".encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": server.url})
        try:
            opener.open(request, timeout=60)
        except urllib.error.HTTPError as answer:  # the 303 is not followed
            return parse_qs(urlsplit(answer.headers["location"]).query)["gagal"][0]
        raise AssertionError("no redirect")

    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(guess, range(30)))
    from bulukumba.server import auth

    assert answers.count("salah") <= auth.FREE_FAILURES, answers
    assert answers.count("tunggu") >= 30 - auth.FREE_FAILURES


# ---------------------------------------------------------------------------------------------
# 2. Staying signed in, and signing out everywhere
# ---------------------------------------------------------------------------------------------

def test_reload_new_tab_and_dropped_connection_keep_the_user_on_the_same_view(server, context):
    page = context.new_page()
    page.goto(server.url + GERTAK_LINK)
    sign_in(page, server, path=None)
    shows_gertak_for_kajang_on_31_march(page)

    page.reload()
    shows_gertak_for_kajang_on_31_march(page)

    tab = context.new_page()
    tab.goto(page.url)
    shows_gertak_for_kajang_on_31_march(tab)
    tab.close()

    before = sockets_opened(page)
    page.evaluate("window.__sockets[window.__sockets.length - 1].close()")
    wait_new_socket(page, before)
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Peta").click()
    title(page, "Peta desa dan daftar prioritas")  # the new connection is still signed in
    assert urlsplit(page.url).path == "/peta"
    assert page.get_by_role("combobox", name="Kecamatan").input_value() == "Kajang"


@pytest.mark.both_databases
def test_a_server_restart_keeps_the_user_signed_in_on_the_same_view(server, context):
    page = context.new_page()
    page.goto(server.url + GERTAK_LINK)
    sign_in(page, server, path=None)
    shows_gertak_for_kajang_on_31_march(page)
    before = sockets_opened(page)
    runs_ended(page)  # watch the page's runs from now on

    server.restart()

    wait_new_socket(page, before)  # the open page reconnects to the new process by itself
    # ... and the new process runs it again: until then the page still shows the old run.
    page.wait_for_function("() => window.__waits && window.__waits.lastRunEnd > window.__openedAt", timeout=120_000)
    settled(page)
    shows_gertak_for_kajang_on_31_march(page)
    page.reload()
    shows_gertak_for_kajang_on_31_march(page)
    assert internal(page)


@pytest.mark.both_databases
def test_signing_out_closes_every_tab_of_the_browser(server, context):
    first = context.new_page()
    first.goto(server.url + GERTAK_LINK)
    sign_in(first, server, path=None)
    shows_gertak_for_kajang_on_31_march(first)
    second = context.new_page()
    second.goto(server.url + f"/peta?kec={KAJANG}")
    title(second, "Peta desa dan daftar prioritas")

    first.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Akun").click()
    title(first, "Akun")
    first.get_by_role("button", name="Keluar").click()
    title(first, "Perekaman e-KTP Kabupaten Bulukumba")
    first.wait_for_selector("text=Anda sudah keluar", timeout=90_000)
    assert not internal(first)

    # The other tab: at its next refresh tick, the public page and the same notice.
    title(second, "Perekaman e-KTP Kabupaten Bulukumba", timeout=120_000)  # a ceiling, not the tick
    second.wait_for_selector("text=Anda sudah keluar", timeout=90_000)
    assert not internal(second) and "Prioritas jemput bola" not in second.inner_text("body")
    second.goto(server.url + GERTAK_LINK)  # and the cookie is gone: an internal link asks to sign in
    second.wait_for_selector("text=Setelah masuk Anda dibuka ke", timeout=60_000)


@pytest.mark.both_databases
def test_an_expired_session_gives_the_public_page_and_says_why_once(server, context):
    page = context.new_page()
    page.goto(server.url + GERTAK_LINK)
    sign_in(page, server, path=None)
    shows_gertak_for_kajang_on_31_march(page)
    session_rows(server, terakhir=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=13))

    page.reload()
    title(page, "Perekaman e-KTP Kabupaten Bulukumba")
    page.wait_for_selector("text=tidak ada aktivitas selama 12 jam", timeout=90_000)
    assert not internal(page)
    assert not [c for c in context.cookies() if c["name"] == "bulukumba_sesi"]
    assert "sesi=" not in page.url
    page.reload()
    title(page, "Perekaman e-KTP Kabupaten Bulukumba")
    settled(page)  # the whole page is there: a notice it shows would be there too
    assert "tidak ada aktivitas" not in page.inner_text("body")


# ---------------------------------------------------------------------------------------------
# 3. Deep links, and no open redirect
# ---------------------------------------------------------------------------------------------

def test_a_visitor_opening_a_link_is_told_where_he_will_land_and_lands_exactly_there(server, context):
    page = context.new_page()
    page.goto(server.url + GERTAK_LINK)
    page.wait_for_selector("text=Setelah masuk Anda dibuka ke: GERTAK 2018 · Kajang · 31 Maret 2018",
                           timeout=60_000)
    assert urlsplit(page.url).path == "/masuk"
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, server, path=None)
    shows_gertak_for_kajang_on_31_march(page)
    settled(page)
    assert errors == []  # signing in lands without the frontend's probes of a deeper address


def test_a_signed_in_colleague_opening_the_link_lands_there_directly(server, context):
    page = context.new_page()
    sign_in(page, server)
    title(page, "Ringkasan perekaman e-KTP")
    colleague_tab = context.new_page()
    colleague_tab.goto(server.url + GERTAK_LINK)
    shows_gertak_for_kajang_on_31_march(colleague_tab)


@pytest.mark.parametrize("target", ["https://jahat.example/", "//jahat.example/gertak", "/\\jahat.example"])
def test_signing_in_never_sends_the_browser_to_another_site(server, context, target):
    from urllib.parse import quote

    page = context.new_page()
    page.goto(server.url + "/masuk?ke=" + quote(target, safe=""))
    title(page, "Masuk")
    assert "Setelah masuk" not in page.inner_text("body")
    sign_in(page, server, path=None)
    title(page, "Ringkasan perekaman e-KTP")
    assert urlsplit(page.url).netloc == urlsplit(server.url).netloc


def test_a_tampered_target_in_the_form_is_refused_too(server, context):
    page = context.new_page()
    page.goto(server.url + GERTAK_LINK)
    page.wait_for_selector("text=Setelah masuk Anda dibuka ke", timeout=60_000)
    page.wait_for_selector("input[name='ke']", state="attached", timeout=90_000)  # the form may come later
    page.evaluate("document.querySelector(\"input[name='ke']\").value = 'https://jahat.example/curi'")
    sign_in(page, server, path=None)
    title(page, "Ringkasan perekaman e-KTP")
    assert urlsplit(page.url).netloc == urlsplit(server.url).netloc


# ---------------------------------------------------------------------------------------------
# 4. Indonesian, no raw internals
# ---------------------------------------------------------------------------------------------

def test_an_unknown_address_gets_an_indonesian_page_not_streamlits_dialog(server, context):
    page = context.new_page()
    response = page.goto(server.url + "/tidak-ada")
    assert response.status == 404
    assert "Halaman tidak ditemukan" in page.inner_text("body")
    page.get_by_role("link", name="Buka halaman utama").click()
    title(page, "Perekaman e-KTP Kabupaten Bulukumba")
    assert "Page not found" not in page.inner_text("body")


def test_the_department_head_opening_kelola_is_told_it_is_for_operators(server, context):
    page = context.new_page()
    sign_in(page, server)
    title(page, "Ringkasan perekaman e-KTP")
    page.goto(server.url + "/kelola")
    page.wait_for_selector("text=Halaman Kelola data hanya untuk operator.", timeout=60_000)
    title(page, "Ringkasan perekaman e-KTP")
    body = page.inner_text("body")
    assert "Page not found" not in body and "Impor berkas" not in body


def test_after_a_restart_five_first_visitors_at_once_all_get_their_page(server, browser):
    """The first requests a fresh process gets, at the same time: deep links signed in, and
    visitors. No page runs outside the frame (no KeyError), and no old-style page list of raw
    script names ever shows."""
    signed = browser.new_context(viewport={"width": 1366, "height": 900})
    page = signed.new_page()
    sign_in(page, server)
    title(page, "Ringkasan perekaman e-KTP")
    page.close()
    visitors = browser.new_context(viewport={"width": 1366, "height": 900})
    visitors.add_init_script(NAV_SCRIPT)

    server.restart()

    wanted = [(signed, f"/peta?kec={KAJANG}", "Peta desa dan daftar prioritas"),
              (signed, GERTAK_LINK, "GERTAK 2018"),
              (signed, f"/mitra?kec={KAJANG}", "Mitra kemitraan"),
              (visitors, "/", "Perekaman e-KTP Kabupaten Bulukumba"),
              (visitors, f"/unduh?kec={KAJANG}", "Masuk")]
    pages = [context.new_page() for context, _, _ in wanted]
    for page, (_, path, _) in zip(pages, wanted):
        page.goto(server.url + path, wait_until="commit")
    for page, (_, path, heading) in zip(pages, wanted):
        try:
            title(page, heading, timeout=240_000)  # five first runs at once on a busy machine
        except playwright.TimeoutError:
            pytest.fail(f"{path} did not show {heading!r}: {page.url}\n{page.inner_text('body')[:1500]}")
        body = page.inner_text("body")
        assert "KeyError" not in body and "Maaf, halaman ini gagal" not in body, path
    shows_gertak_for_kajang_on_31_march(pages[1])
    for page in pages[3:]:
        seen = set(page.evaluate("[...window.__nav]"))
        assert seen <= {"Transparansi", "Masuk"}, seen
    signed.close()
    visitors.close()


# ---------------------------------------------------------------------------------------------
# 5, 7. Compressed static files, health, metrics
# ---------------------------------------------------------------------------------------------

def test_bundles_arrive_compressed_and_a_repeat_visit_comes_from_the_cache(server, context):
    page = context.new_page()
    bundles = []
    page.on("response", lambda r: bundles.append(r) if "/static/js/" in r.url or "/static/css/" in r.url else None)
    page.goto(server.url + "/")
    title(page, "Perekaman e-KTP Kabupaten Bulukumba")
    page.wait_for_selector("text=Cara merekam e-KTP", timeout=60_000)  # the whole page is drawn
    page.wait_for_load_state("networkidle")
    assert bundles
    for response in bundles:
        headers = response.all_headers()
        if "content-encoding" not in headers:  # a few bundles are tiny: not worth compressing
            assert int(headers["content-length"]) < 1024, response.url
            continue
        assert headers["content-encoding"] == "br", response.url
        assert headers["cache-control"] == "public, max-age=31536000, immutable", response.url
        assert headers["vary"] == "Accept-Encoding"

    # What a repeat visit fetches over the network, by request: Chromium does not report every
    # memory-cache hit (Chrome 150 reported 62 of 100 bundles), so the test counts what travelled.
    again = context.new_page()
    cdp = context.new_cdp_session(again)
    cdp.send("Network.enable")
    travelled_bytes = []
    cdp.on("Network.loadingFinished", lambda e: travelled_bytes.append(e["encodedDataLength"]))
    responses = []
    cdp.on("Network.responseReceived", lambda e: responses.append(e["response"]))
    again.goto(server.url + "/")
    title(again, "Perekaman e-KTP Kabupaten Bulukumba")
    again.wait_for_selector("text=Cara merekam e-KTP", timeout=60_000)  # drawn: its bundles arrived
    again.wait_for_load_state("networkidle")
    first_visit = {r.url for r in bundles}
    fetched_again = [r["url"] for r in responses if r["url"] in first_visit
                     and not (r.get("fromDiskCache") or r.get("fromMemoryCache"))]
    assert fetched_again == []
    assert sum(travelled_bytes) < 50_000  # the bundles stay in the cache; only the page itself travels


@pytest.mark.slow  # a real server starts for it
@pytest.mark.both_databases  # the health route asks the store
def test_the_health_route_answers_and_internal_metrics_are_not_public(server):
    health = json.loads(urllib.request.urlopen(server.url + "/health", timeout=30).read())
    assert health["status"] == "ok" and health["basis_data"] == "ok"

    request = urllib.request.Request(server.url + "/_stcore/metrics",
                                     headers={"X-Forwarded-For": "203.0.113.9"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 404


# ---------------------------------------------------------------------------------------------
# 8. Every answer the dashboard's own, under its security headers
# ---------------------------------------------------------------------------------------------

#: Every page of an operator, as the sidebar and deep links open them, and what each shows.
EVERY_PAGE = [("/", "Ringkasan perekaman e-KTP"), ("/peta?kec=" + KAJANG, "Peta desa dan daftar prioritas"),
              ("/mitra", "Mitra kemitraan"), (GERTAK_LINK, "GERTAK 2018"), ("/unduh", "Unduh data"),
              ("/kelola", "Kelola data"), ("/publik", "Perekaman e-KTP Kabupaten Bulukumba"), ("/masuk", "Akun")]
PAGE_FAILED = "Maaf, halaman ini gagal"

#: Records every content security policy violation the page meets.
CSP_SCRIPT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def shows(page, heading: str, timeout: float = 120_000) -> None:
    """The page shows `heading`, not the Indonesian error box that stands for a failed run."""
    page.wait_for_selector(f"h1:has-text('{heading}'), :text('{PAGE_FAILED}')", timeout=timeout)
    body = page.inner_text("body")
    assert PAGE_FAILED not in body, f"{page.url}: {body[:600]}"


once = pytest.mark.skipif(on_postgres(), reason="the page's policy does not depend on the database: "
                                                "checked in the SQLite pass")


@once
def test_the_village_card_draws_under_the_content_security_policy(server, browser):
    """Every page, at every size and on every data state, is checked in the gallery
    (test_browser_gallery.py records each violation); the village card a link opens is the
    one view it does not draw."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.add_init_script(CSP_SCRIPT)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(server.url + "/?desa=73.02.01.1001")  # Kelurahan Matekko
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    shows(page, "Perekaman e-KTP")
    page.wait_for_selector("section.kartu[data-desa='73.02.01.1001']", timeout=90_000)
    settled(page)
    assert page.evaluate("window.__csp") == [] and console == []
    context.close()


def get(server, path: str, accept: str = "text/html") -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("GET", path, headers={"Accept": accept})
    answer = connection.getresponse()
    body = answer.read().decode("utf-8", "replace")
    connection.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body


@pytest.mark.slow  # a real server starts for it
def test_the_real_server_answers_unknown_addresses_in_indonesian_and_real_ones_as_before(server):
    long_name = "a" * 300
    for path in ("/admin.php", "/.env", "/foo/bar", "/gertak/x", "/index.html", "/static/x",
                 f"/static/js/{long_name}.js", f"/app/static/{long_name}.json", f"/{long_name}",
                 "/_stcore/agent/openapi.json", "/auth/login"):
        status, headers, body = get(server, path)
        assert status == 404 and "Halaman tidak ditemukan" in body and "Streamlit" not in body, path
        assert headers["x-content-type-options"] == "nosniff", path
    status, _, body = get(server, f"/app/static/{long_name}.json", accept="*/*")
    assert status == 404 and body == "Tidak ditemukan."
    for path in ("/", f"/peta?kec={KAJANG}", "/?desa=73.02.06.2001", "/?mode=proyektor", GERTAK_LINK,
                 "/publik", "/masuk", "/favicon.png", "/_stcore/health", "/health"):
        status, headers, _ = get(server, path)
        assert status == 200 and "frame-ancestors 'none'" in headers["content-security-policy"], path


def post_from(source: str, server, body: str, **headers: str) -> http.client.HTTPResponse:
    """A sign-in post from the loopback address `source` (127.0.0.2 and on: other clients than
    the browser tests' 127.0.0.1), as a script sends it: `Origin` set, no redirect followed."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60, source_address=(source, 0))
    connection.request("POST", "/akun/masuk", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Origin": server.url,
        **{name.replace("_", "-"): value for name, value in headers.items()}})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer


@pytest.mark.slow
@pytest.mark.both_databases
def test_forwarded_headers_are_believed_from_no_one_when_no_proxy_is_configured(server):
    """uvicorn would believe them from the machine itself; the dashboard decides, and no proxy is
    configured here: a client is the address it connects from, whatever it writes."""
    from bulukumba.server import auth

    https = post_from("127.0.0.1", server, f"nama=kadis&sandi={PASSWORD}", X_Forwarded_Proto="https",
                      X_Forwarded_For="203.0.113.5")
    assert https.status == 303 and "bulukumba_sesi=" in https.getheader("set-cookie")
    assert "secure" not in https.getheader("set-cookie").lower()  # plain HTTP, whatever it says
    codes = []
    for i in range(auth.FREE_ADDRESS_FAILURES + 4):
        answer = post_from("127.0.0.2", server, f"nama=semprot-{i}&sandi=sandi-umum-123", X_Forwarded_For=f"203.0.113.{i}")
        codes.append(parse_qs(urlsplit(answer.getheader("location")).query)["gagal"][0])
    assert codes[:auth.FREE_ADDRESS_FAILURES] == ["salah"] * auth.FREE_ADDRESS_FAILURES
    assert set(codes[auth.FREE_ADDRESS_FAILURES:]) == {"tunggu"}, codes


# ---------------------------------------------------------------------------------------------
# 9. Nothing waits on an import
# ---------------------------------------------------------------------------------------------

#: The import is frozen in the middle of its write (SIGSTOP), so it holds the store as long as the
#: test needs, whatever its size: enough rows that its write lasts seconds, far longer than the
#: 0.2 s between looks for it, so the freeze lands inside it. More rows only lengthen the reading
#: before the write (benchmarks/README.md, 8 December).
IMPORT_ROWS = 200_000


def registry_file(server, folder: Path, rows: int) -> Path:
    """A registry export of `rows` rows: every village of the store, day after day from 2000."""
    import sqlalchemy as sa

    from bulukumba.storage import store

    engine = sa.create_engine(server.db)
    with engine.connect() as conn:
        villages = conn.execute(sa.select(store.desa.c.kode).order_by(store.desa.c.kode)).scalars().all()
    engine.dispose()
    path = folder / "registri-besar.csv"
    first = dt.date(2000, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Kode Desa;Tanggal;Wajib KTP;Sudah Rekam\r\n")
        for day in range(rows // len(villages) + 1):
            date = (first + dt.timedelta(days=day)).strftime("%d/%m/%Y")
            count = min(len(villages), rows - day * len(villages))
            out.write("".join(f"{kode};{date};{1500 + i};{900 + i}\r\n" for i, kode in enumerate(villages[:count])))
    return path


def store_is_held(db_url: str) -> bool:
    """Whether another writer holds the store now: SQLite's write lock, or on PostgreSQL the
    data version row, which an import locks from its first write to its commit."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url, connect_args={} if db_url.startswith("postgresql") else {"timeout": 0})
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT nilai FROM meta WHERE kunci = 'versi' FOR UPDATE NOWAIT")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            conn.rollback()
        return False
    except sa.exc.OperationalError:
        return True
    finally:
        engine.dispose()


@contextlib.contextmanager
def import_writing(server, path: Path):
    """`python -m bulukumba impor FILE` against the server's store, held still in the middle of
    its write (SIGSTOP: the longest import there is), and stopped for good afterwards (its
    transaction is never committed: the store stays as it was)."""
    log = path.with_suffix(".log")
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "bulukumba", "impor", str(path), "--jenis", "registri"],
                                   cwd=PROJECT, env=server.env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 600
        while "ditulis" not in log.read_text(errors="replace"):  # the progress of its write
            assert process.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.2)
        os.kill(process.pid, signal.SIGSTOP)
        yield
        assert process.poll() is None, "the import ended while the dashboard was used"
    finally:
        process.kill()
        process.wait()


# SQLite only: what it guards against is SQLite's one writer (PostgreSQL writes sessions beside
# an import); test_import_busy and test_sessions run on both.
def test_signing_in_every_page_and_signing_out_work_while_an_import_writes(server, context, tmp_path):
    page = context.new_page()
    sign_in(page, server, "op")
    shows(page, "Ringkasan perekaman e-KTP")
    # The public page records a data version's published set before it first shows it (the
    # disclosure history); here that happens before the import, as on any day a visitor has seen
    # the page since the last write. (Had nobody, the public page would wait for the import.)
    page.goto(server.url + "/publik")
    shows(page, "Perekaman e-KTP Kabupaten Bulukumba")
    # The session's activity is due (its last note over a minute old): the next page run writes it.
    session_rows(server, newest_only=False,
                 terakhir=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=2))
    with import_writing(server, registry_file(server, tmp_path, IMPORT_ROWS)):
        assert store_is_held(server.db)
        for path, heading in EVERY_PAGE:  # the first one notes the session's activity
            page.goto(server.url + path)
            shows(page, heading)
        answer = post_from("127.0.0.3", server, f"nama=kadis&sandi={PASSWORD}")
        assert answer.status == 303 and "bulukumba_sesi=" in answer.getheader("set-cookie", "")
        assert urlsplit(answer.getheader("location")).path == "/"
        page.get_by_role("button", name="Keluar").click()
        page.wait_for_selector("text=Anda sudah keluar", timeout=90_000)
        assert not internal(page)
        assert store_is_held(server.db)  # all of it while the import held the store
