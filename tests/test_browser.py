"""The real thing: `streamlit run dashboard.py` in a real browser (Debian's Chromium).

The public page on a phone, projector mode on a meeting-room screen, and new figures arriving
while a page is open. Screenshots go to test-artifacts/ (ignored by git) for a person to look at.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")

from conftest import DASHBOARD_PASSWORD, DASHBOARD_SLIDE_SECONDS  # noqa: E402 (after the skip: no browser, no test)
from browser_waits import SCRIPT_DONE, poll, runs_ended, settled, wait_runs  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
ARTIFACTS = PROJECT / "test-artifacts"
LOCAL_HOSTS = ("127.0.0.1", "localhost")



def host(url: str) -> str:
    return url.split("/")[2].split(":")[0] if "://" in url else ""


class Watch:
    """Console errors, failed requests, requests leaving the machine, and bytes received."""

    def __init__(self, page):
        self.errors, self.failed, self.external = [], [], []
        self.http_bytes = self.sent_bytes = self.ws_bytes = 0
        self._responses = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("requestfailed", self._failed)
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _request(self, request):
        if request.url.startswith("http") and host(request.url) not in LOCAL_HOSTS:
            self.external.append(request.url)

    def _failed(self, request):
        """A request that failed. One this server was answering, which the page itself dropped
        (net::ERR_ABORTED: Plotly redrew the map while its layer was on its way, and fetched
        it again) is not a failure a visitor sees; the tests still require that layer's 200."""
        if host(request.url) in LOCAL_HOSTS and request.failure == "net::ERR_ABORTED":
            return
        self.failed.append(f"{request.url} {request.failure}")

    def _response(self, response):
        self._responses.append(response)

    def count_bytes(self):
        """Bytes as they crossed the wire (compressed), and after decoding."""
        for response in self._responses:
            try:
                sizes = response.request.sizes()
                self.sent_bytes += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                self.http_bytes += len(response.body())
            except Exception:  # redirects and aborted responses have no body
                pass
        self._responses.clear()

    def _frame(self, payload):
        self.ws_bytes += len(payload)

    def assert_clean(self):
        assert self.errors == [], self.errors
        assert self.failed == [], self.failed
        assert self.external == [], self.external


def open_page(browser, url, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    watch = Watch(page)
    page.goto(url)
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=120_000)
    settled(page)  # the whole page, its charts and map drawn, not its first figures
    return page, watch


def press(page, button: str, until: str) -> None:
    """Click `button` until the page shows `until`: a page that reruns every few seconds (the
    projector's slides) may hold a stale copy of the button for a moment, and a click on the
    copy that is being replaced is lost."""
    deadline = time.monotonic() + 120
    while True:
        page.wait_for_function(f"() => {SCRIPT_DONE}", timeout=120_000)
        page.get_by_role("button", name=button).first.click()
        try:
            page.wait_for_function(f"() => document.body.innerText.includes({until!r})", timeout=10_000)
            return
        except playwright.Error:
            if time.monotonic() > deadline:
                raise


def metric_value(page, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']", has_text=label).first
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def test_the_public_page_on_a_phone(demo_dashboard, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page, watch = open_page(browser, demo_dashboard["url"] + "/", 390, 844)
    page.wait_for_selector("svg[aria-label^='Peta'] path", timeout=90_000)  # the village map
    assert page.locator("svg[aria-label^='Peta'] a[data-desa] > path").count() == 136
    page.wait_for_selector("text=Cara merekam e-KTP", timeout=90_000)
    page.screenshot(path=str(ARTIFACTS / "publik-390x844.png"))
    page.wait_for_function("() => document.body.innerText.includes('Cara merekam e-KTP')", timeout=120_000)
    body = page.inner_text("body")
    assert "Perekaman e-KTP Kabupaten Bulukumba" in body and "DATA CONTOH" in body
    for internal in ("Ringkasan", "Kelola data", "GERTAK 2018\n"):
        assert internal not in page.locator("[data-testid='stSidebarNav']").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    watch.assert_clean()
    watch.count_bytes()
    first = (watch.sent_bytes, watch.ws_bytes)
    watch.sent_bytes = watch.http_bytes = watch.ws_bytes = 0
    page.reload()
    page.wait_for_selector("svg[aria-label^='Peta'] path", timeout=90_000)
    settled(page)  # the page drawn again ...
    page.wait_for_load_state("networkidle")  # ... and what it fetched for that has arrived
    watch.count_bytes()
    print(f"\npublic page on a phone, first visit: {first[0] / 1024:.0f} KB over HTTP + "
          f"{first[1] / 1024:.0f} KB over the websocket; next visit (browser cache): "
          f"{watch.sent_bytes / 1024:.0f} KB + {watch.ws_bytes / 1024:.0f} KB")
    page.close()


def test_an_internal_address_sends_a_visitor_to_sign_in(demo_dashboard, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(demo_dashboard["url"] + "/kelola")
    page.wait_for_selector("text=Setelah masuk Anda dibuka ke: Kelola data", timeout=60_000)
    body = page.inner_text("body")
    assert "Impor berkas" not in body and "Riwayat impor" not in body
    page.close()


def font_px(page, selector: str) -> float:
    return page.evaluate(f"parseFloat(getComputedStyle(document.querySelector(\"{selector}\")).fontSize)")


def test_projector_mode_on_a_meeting_room_screen(demo_dashboard, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page, watch = open_page(browser, demo_dashboard["url"] + "/?mode=proyektor", 1920, 1080)
    page.wait_for_function(  # the slide's style applies once its run is drawn (slow on a busy machine)
        "() => parseFloat(getComputedStyle(document.querySelector(\"[data-testid='stMarkdownContainer'] p\")).fontSize) >= 28",
        timeout=90_000)
    page.screenshot(path=str(ARTIFACTS / "proyektor-1920x1080.png"))
    assert font_px(page, "[data-testid='stMarkdownContainer'] p") >= 28
    assert page.locator("[data-testid='stSidebar']").is_hidden()
    assert "1 / 5" in page.inner_text("body") and "DATA CONTOH" in page.inner_text("body")
    # Slides advance by themselves (every 4 s here) ...
    page.wait_for_function("() => document.body.innerText.includes('2 / 5')", timeout=60_000)
    # ... and pause.
    press(page, "Jeda", until="dijeda")
    shown = page.inner_text("body")
    # A deliberate wait for time to pass: the slide timer must NOT fire. Two slide intervals
    # of the clock, and at least three runs of the page (its ticks, which are where the timer
    # would turn the slide), so a slow machine cannot pass this by not ticking at all.
    ticks = runs_ended(page)
    started = time.monotonic()
    wait_runs(page, ticks + 2)
    page.wait_for_timeout(max(0.0, 2 * DASHBOARD_SLIDE_SECONDS - (time.monotonic() - started)) * 1000)
    assert page.inner_text("body").split("/ 5")[0][-3:] == shown.split("/ 5")[0][-3:]
    deadline = time.monotonic() + 120
    while True:  # as press(): a click on a stale copy of the button is lost
        page.wait_for_function(f"() => {SCRIPT_DONE}", timeout=120_000)
        page.get_by_role("button", name="Berikutnya").first.click()
        try:
            page.wait_for_function("(before) => document.body.innerText.split('/ 5')[0].slice(-3) !== before",
                                   arg=shown.split("/ 5")[0][-3:], timeout=10_000)
            break
        except playwright.Error:
            if time.monotonic() > deadline:
                raise
    watch.assert_clean()
    small = browser.new_page(viewport={"width": 1024, "height": 768})
    small.goto(demo_dashboard["url"] + "/?mode=proyektor")
    small.wait_for_selector("[data-testid='stMetricValue']", timeout=60_000)
    settled(small)  # the slide's style applies once its run is drawn
    assert font_px(small, "[data-testid='stMarkdownContainer'] p") >= 20
    small.screenshot(path=str(ARTIFACTS / "proyektor-1024x768.png"))
    small.close()
    page.close()


def test_the_department_heads_map_draws_with_no_internet(demo_dashboard, browser):
    """Sign in through the form, open Peta: the village layer comes from this server only."""
    page, watch = open_page(browser, demo_dashboard["url"] + "/", 1400, 1000)
    page.get_by_role("link", name="Masuk").click()
    page.get_by_label("Nama pengguna").fill("kadis")
    page.get_by_label("Kata sandi").fill(DASHBOARD_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    try:
        page.wait_for_selector("text=Ringkasan perekaman e-KTP", timeout=90_000)
    finally:
        page.screenshot(path=str(ARTIFACTS / "masuk.png"))
    layers = []
    page.on("response", lambda r: layers.append((r.url, r.status)) if "/app/static/" in r.url else None)
    page.get_by_role("link", name="Peta").click()
    page.wait_for_selector(".js-plotly-plot canvas", timeout=60_000)
    poll(page, lambda: any("desa-semua" in u for u, _ in layers) and any("kecamatan-" in u for u, _ in layers),
         what="the map's layers (fetched once the map draws)")
    page.screenshot(path=str(ARTIFACTS / "peta-1400x1000.png"))
    assert any("desa-semua" in url and status == 200 for url, status in layers), layers
    assert any("kecamatan-" in url and status == 200 for url, status in layers), layers
    watch.assert_clean()
    page.close()


MAP_WIDTHS = """
window.__lebarPeta = [];
const look = () => {
  const svg = document.querySelector('.js-plotly-plot .main-svg');
  const width = svg && svg.getAttribute('width');
  if (width && window.__lebarPeta[window.__lebarPeta.length - 1] !== width) window.__lebarPeta.push(width);
  requestAnimationFrame(look);
};
requestAnimationFrame(look);
"""


def test_a_reload_draws_the_map_once_at_its_width(demo_dashboard, browser):
    """The head opens Peta, then comes back the next morning (a new session in the same
    browser): the map is drawn at its column's width from the first run, not first at a guessed
    width and then again (the map jumped on every reload)."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(MAP_WIDTHS)
    page = context.new_page()
    page.goto(demo_dashboard["url"] + "/masuk")
    page.get_by_label("Nama pengguna").fill("kadis")
    page.get_by_label("Kata sandi").fill(DASHBOARD_PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_selector("text=Ringkasan perekaman e-KTP", timeout=120_000)
    page.goto(demo_dashboard["url"] + "/peta")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    settled(page)
    first_visit = page.evaluate("window.__lebarPeta")
    assert len(first_visit) >= 1 and first_visit[-1] != "495", first_visit  # measured, not the guess
    assert any(c["name"].startswith("bulukumba_ukuran_") for c in context.cookies())
    page.close()

    again = context.new_page()
    again.goto(demo_dashboard["url"] + "/peta")
    again.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    settled(again)
    assert again.evaluate("window.__lebarPeta") == [first_visit[-1]]
    context.close()


@pytest.mark.both_databases
def test_an_import_from_another_process_appears_without_a_reload(demo_dashboard, browser, tmp_path):
    """Last in this file: the import is the office's first real data, so it retires the demo."""
    from bulukumba import figures
    from bulukumba.language import fmt
    from bulukumba.storage import store

    page, _ = open_page(browser, demo_dashboard["url"] + "/", 1280, 900)
    before = metric_value(page, "Sudah rekam")
    engine = store.make_engine(demo_dashboard["db"])
    latest = figures.latest_date(engine)
    village = figures.coverage_villages(latest, engine=engine).iloc[0]
    new_day = latest + dt.timedelta(days=1)
    csv_file = tmp_path / "siak.csv"
    csv_file.write_text("Kode Desa;Tanggal;Wajib KTP;Sudah Rekam\n"
                        f"{village['kode']};{new_day:%d/%m/%Y};{village['wajib_ktp']};{village['wajib_ktp']}\n",
                        encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bulukumba", "impor", str(csv_file)], cwd=PROJECT,
                          env=demo_dashboard["env"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    started = time.monotonic()
    expected = figures.coverage_total(new_day, engine=engine)
    # The "Sudah rekam" figure itself (Wajib KTP can show the same number a moment earlier, as
    # the page redraws figure by figure).
    page.wait_for_function("(v) => [...document.querySelectorAll(\"[data-testid='stMetric']\")]"
                           ".some(m => m.innerText.includes('Sudah rekam') && "
                           "m.querySelector(\"[data-testid='stMetricValue']\").innerText.trim() === v)",
                           arg=fmt.number(expected.sudah_rekam),
                           timeout=90_000)  # a ceiling, not a speed claim (benchmarks/bench_load.py)
    waited = time.monotonic() - started
    assert metric_value(page, "Sudah rekam") != before or expected.sudah_rekam == 0
    print(f"\nnew figures appeared {waited:.1f} s after the import finished")
    page.close()
