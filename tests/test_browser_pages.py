"""The department head's pages in a real browser (Debian's Chromium), on every data state, at
the screen sizes the office has: the map fits its card, nothing is clipped, no request leaves
the machine. Screenshots land in test-artifacts/ as page-size-state.png.
"""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")

from conftest import layout_only  # noqa: E402
import live_server  # noqa: E402
from browser_waits import frames, poll, settled  # noqa: E402

pytestmark = layout_only

import data_states  # noqa: E402
from bulukumba import figures
from bulukumba.storage import store  # noqa: E402

PROJECT = Path(__file__).resolve().parents[1]
ARTIFACTS = PROJECT / "test-artifacts"
PASSWORD = "sandi-uji-halaman-8"
SIZES = {"390x844": (390, 844), "1366x768": (1366, 768), "1920x1080": (1920, 1080)}
NAV = {"ringkasan": "Ringkasan", "peta": "Peta", "mitra": "Mitra", "gertak": "GERTAK 2018", "unduh": "Unduh"}
TITLES = {"ringkasan": "Ringkasan perekaman e-KTP", "peta": "Peta desa dan daftar prioritas",
          "mitra": "Mitra kemitraan", "gertak": "GERTAK 2018", "unduh": "Unduh data"}



@contextlib.contextmanager
def serve(db_url: str, folder: Path):
    """`streamlit run dashboard.py` on a free port, on the given store, with one account."""
    with live_server.serve_store(db_url, folder, ("kadis", "Kepala Dinas", "pimpinan"), PASSWORD) as url:
        yield url


class Watch:
    """Console errors and every request that leaves the machine (tiles, fonts, glyphs, CDNs).
    `ignore(message)`: console errors that are not the page's (None: every error counts)."""

    def __init__(self, page, ignore=None):
        self.errors, self.external = [], []
        page.on("console", lambda m: self.errors.append(m.text)
                if m.type == "error" and not (ignore and ignore(m)) else None)
        page.on("request", self._request)

    def _request(self, request):
        host = request.url.split("/")[2].split(":")[0] if "://" in request.url else ""
        if request.url.startswith("http") and host not in ("127.0.0.1", "localhost"):
            self.external.append(request.url)

    def assert_clean(self):
        assert self.external == [], self.external  # no tiles, no glyph fonts, no CDN
        assert self.errors == [], self.errors


# ---------------------------------------------------------------------------------------------
# Signing in and moving around (sign-in is changing elsewhere: it lives in this one function)
# ---------------------------------------------------------------------------------------------

def sign_in(page, url: str) -> None:
    """Sign in as the department head as a visitor would: the public page, Masuk from the
    sidebar, the form; lands on Ringkasan."""
    page.goto(url + "/")
    page.wait_for_selector("[data-testid='stSidebarNav']", state="attached", timeout=60_000)
    _with_sidebar(page, lambda: page.get_by_role("link", name="Masuk").click())
    _close_sidebar_on_a_phone(page)
    live_server.sign_in(page, url, "kadis", PASSWORD, path=None, landing=TITLES["ringkasan"])
    _close_sidebar_on_a_phone(page)


#: The sidebar at rest, open (`true`: fully on screen) or closed (`false`: fully off it); its
#: slide is a CSS transition, so "at rest" is also: no animation of it running.
SIDEBAR_AT_REST = """(open) => {
    const bar = document.querySelector("[data-testid='stSidebar']");
    if (!bar) return false;
    if (bar.getAnimations({subtree: true}).some(a => a.playState === 'running')) return false;
    const r = bar.getBoundingClientRect();
    return open ? bar.dataset.collapsed === 'false' && r.left >= -1
                : bar.dataset.collapsed === 'true' && r.right <= 1;
}"""


def _with_sidebar(page, action) -> None:
    """Do `action` in the sidebar, opening it first on a narrow screen."""
    if page.viewport_size["width"] < 700:
        _sidebar_at_rest(page)
        if page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "true":
            page.locator("[data-testid='stExpandSidebarButton'], [data-testid='stSidebarCollapsedControl'] button").first.click()
            page.wait_for_function(SIDEBAR_AT_REST, arg=True, timeout=60_000)
    action()


def _sidebar_at_rest(page) -> None:
    """Wait until the sidebar is there and not sliding, open or closed."""
    frames(page)  # a click that opens or closes it has been rendered (and its slide begun)
    page.wait_for_function(f"() => ({SIDEBAR_AT_REST})(true) || ({SIDEBAR_AT_REST})(false)", timeout=60_000)


def _close_sidebar_on_a_phone(page) -> None:
    """On a phone the sidebar closes by itself after a link in it is followed; if it is still
    open once it stopped moving, close it."""
    if page.viewport_size["width"] < 700:
        _sidebar_at_rest(page)
        if page.locator("[data-testid='stSidebar']").get_attribute("data-collapsed") == "false":
            page.locator("[data-testid='stSidebarCollapseButton'] button, [data-testid='stSidebarCollapseButton']").first.click()
        page.wait_for_function(SIDEBAR_AT_REST, arg=False, timeout=60_000)


def go(page, name: str) -> None:
    if name != "ringkasan" or TITLES["ringkasan"] not in page.inner_text("h1"):
        _with_sidebar(page, lambda: page.get_by_role("link", name=NAV[name], exact=True).click())
        _close_sidebar_on_a_phone(page)
    page.wait_for_function("(t) => [...document.querySelectorAll('h1')].some(h => h.innerText.trim() === t)",
                           arg=TITLES[name], timeout=60_000)
    settled(page)


def shot(page, name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path.name


def choose_kecamatan(page, nama: str) -> None:
    def pick():
        box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text="Kecamatan").first
        # At 1366x768 the box sits at the sidebar's bottom edge, where its list has no room to
        # open: scroll it up first, and type the name so the list holds the one option wanted.
        box.evaluate("e => e.scrollIntoView({block: 'center'})")
        box.locator("input").click()
        page.keyboard.type(nama)
        page.get_by_role("option", name=nama, exact=True).click()
    _with_sidebar(page, pick)
    _close_sidebar_on_a_phone(page)
    settled(page)


# ---------------------------------------------------------------------------------------------
# Measuring what was drawn
# ---------------------------------------------------------------------------------------------

MAP = ".st-key-kartu-peta .js-plotly-plot"


def wait_for_fitted_map(page) -> dict:
    """The map's plot area once it has the width the card gives it (the measured width)."""
    page.wait_for_selector(f"{MAP} canvas", timeout=60_000)
    page.wait_for_function(f"""() => {{
        const plot = document.querySelector("{MAP}");
        const box = plot && plot.closest('[data-testid="stElementContainer"]');
        return plot && box && Math.abs(plot.getBoundingClientRect().width - box.getBoundingClientRect().width) <= 2;
    }}""", timeout=60_000)
    settled(page)
    return page.evaluate(f"""() => {{ const r = document.querySelector("{MAP}").getBoundingClientRect();
        return {{x: r.x, y: r.y, width: r.width, height: r.height}}; }}""")


def land_box(page, plot: dict, timeout: float = 120) -> tuple[int, int, int, int, int, int]:
    """Bounding box (left, top, right, bottom, width, height) of the villages drawn inside the
    map's plot area, from its pixels: the class colours are the only saturated ones (borders,
    names and the background are grey, black or white; neighbouring kecamatan's borders run on
    past the chosen kecamatan and are not what must fit)."""
    from PIL import Image

    from PIL import ImageChops

    locator = page.locator(MAP).first
    locator.scroll_into_view_if_needed()

    def drawn_land():
        image = Image.open(io.BytesIO(locator.screenshot())).convert("RGB")
        r, g, b = image.split()
        spread = ImageChops.subtract(ImageChops.lighter(ImageChops.lighter(r, g), b),
                                     ImageChops.darker(ImageChops.darker(r, g), b))
        mask = spread.point(lambda v: 255 if v > 30 else 0)
        box = mask.getbbox()
        if box and (box[2] - box[0]) * (box[3] - box[1]) > 2000:
            return (*box, image.width, image.height)
        return None

    # The village layer is drawn on the map's canvas after the plot itself: no DOM shows it.
    return poll(page, drawn_land, timeout=timeout, every_ms=500, what="the map to draw its land")


def assert_map_fits(page, where: str) -> None:
    plot = wait_for_fitted_map(page)
    left, top, right, bottom, width, height = land_box(page, plot)
    # The whole regency (or kecamatan) is inside the plot area, nothing cut at an edge ...
    assert left >= 3 and top >= 3 and right <= width - 3 and bottom <= height - 3, (where, (left, top, right, bottom), (width, height))
    # ... and it fills the area on its tighter side (not a small map in a big frame).
    assert max((right - left) / width, (bottom - top) / height) >= 0.85, (where, (left, top, right, bottom), (width, height))
    # The legend is beside the map (or, on a phone, below it), never over land.
    legend = page.evaluate("() => { const r = document.querySelector('.st-key-kartu-peta .legenda-peta')"
                           ".getBoundingClientRect(); return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; }")
    plot_now = page.evaluate(f"""() => {{ const r = document.querySelector('{MAP}').getBoundingClientRect();
        return {{left: r.left, top: r.top, right: r.right, bottom: r.bottom}}; }}""")
    apart = (legend["left"] >= plot_now["right"] - 1 or legend["right"] <= plot_now["left"] + 1
             or legend["top"] >= plot_now["bottom"] - 1 or legend["bottom"] <= plot_now["top"] + 1)
    assert apart, (where, legend, plot_now)


CLIPPED_JS = """() => {
  const out = [];
  const near = (a, b) => a <= b + 1;
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const svgs = plot.querySelectorAll('svg.main-svg');
    if (!svgs.length) continue;
    const r = svgs[0].getBoundingClientRect();
    for (const t of plot.querySelectorAll('svg text')) {
      const b = t.getBoundingClientRect();
      if (!t.textContent.trim() || b.width === 0 || getComputedStyle(t).visibility === 'hidden') continue;
      if (t.closest('.hoverlayer')) continue;
      if (!(near(r.left, b.left) && near(b.right, r.right) && near(r.top, b.top) && near(b.bottom, r.bottom)))
        out.push('chart text cut: ' + t.textContent);
    }
  }
  for (const e of document.querySelectorAll('[data-testid="stMetricValue"], [data-testid="stMetricValue"] *, .vonis dd, .vonis-lencana, h1, h2, h3')) {
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible') out.push('text cut: ' + e.innerText);
  }
  for (const grid of document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')) {
    if (grid.scrollWidth > grid.clientWidth + 1) {
      const table = grid.closest('[data-testid="stDataFrame"]');
      out.push('table wider than its place: ' + (table.getAttribute('aria-label') || '') + ' ' + grid.scrollWidth + '>' + grid.clientWidth);
    }
  }
  for (const th of document.querySelectorAll('table th')) {
    if (th.scrollWidth > th.clientWidth + 1) out.push('table header cut: ' + th.innerText);
  }
  return out;
}"""


def assert_nothing_clipped(page, where: str) -> None:
    cut = page.evaluate(CLIPPED_JS)
    assert cut == [], (where, cut)


# ---------------------------------------------------------------------------------------------
# Demo data: every page at the office's sizes; the map at every size and every kecamatan
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_server(tmp_path_factory, regions):
    url = data_states.store_for("contoh", tmp_path_factory, regions)
    with serve(url, tmp_path_factory.mktemp("browser-contoh")) as address:
        yield address, store.engine_for(url)


# Every page at the office's sizes, nothing clipped: checked by the gallery (test_browser_gallery.py),
# which draws them anyway.


def test_a_typed_date_and_enter_are_applied_at_once(demo_server, browser):
    """The sidebar's date, typed and confirmed with Enter, is applied while the focus is still in
    the field (Streamlit 1.67 applied it only once focus left the field), and the focus stays
    there for the next key."""
    url, _engine = demo_server
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    sign_in(page, url)
    go(page, "peta")
    field = page.locator("[data-testid='stSidebar'] [data-testid='stDateInput']")
    day = field.get_by_role("spinbutton").first  # DD/MM/YYYY: the day first
    day.click()
    page.keyboard.type("31032018")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector(\"[data-testid='stMain']\").innerText"
                           ".includes('menampilkan keadaan per 31 Maret 2018')", timeout=30_000)
    settled(page)
    assert page.evaluate("() => !!document.activeElement.closest('[data-testid=\"stDateInput\"]')")
    shot(page, "peta-tanggal-enter-1366x768-contoh")
    page.close()


def test_the_map_fits_a_phone(demo_server, browser):
    url, _engine = demo_server
    page = browser.new_page(viewport={"width": 390, "height": 844})
    watch = Watch(page)
    sign_in(page, url)
    go(page, "peta")
    assert_map_fits(page, "peta 390")
    names = page.locator(f"{MAP} .annotation-text").all_text_contents()
    assert len(names) == 10, names  # every kecamatan named, even on a phone
    page.locator(MAP).scroll_into_view_if_needed()
    shot(page, "peta-390x844-contoh")
    watch.assert_clean()
    page.close()


def test_the_map_fits_every_kecamatan(demo_server, browser):
    """Every kecamatan at 1366x768; the smallest one (Ujung Bulu, the town) on a wide screen and
    on a phone as well, by resizing the window as a moved window or a turned phone does: the
    page runs again at the new width, it does not reload."""
    url, engine = demo_server
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    watch = Watch(page)
    sign_in(page, url)
    go(page, "peta")
    kecamatan = figures.coverage_kecamatan(engine=engine)
    for kode, nama in zip(kecamatan["kode"], kecamatan["nama"]):
        choose_kecamatan(page, nama)
        page.wait_for_function("(k) => decodeURIComponent(location.search).includes('kec=' + k)", arg=kode,
                               timeout=90_000)
        assert_map_fits(page, f"peta 1366 {nama}")
        names = page.locator(f"{MAP} .annotation-text").all_text_contents()
        assert nama.upper() in names, (nama, names)
        villages = set(figures.coverage_villages(kecamatan=kode, engine=engine)["nama"])
        assert len(villages & set(names)) >= min(len(villages), 4), (nama, names)  # village names too
        page.locator(MAP).scroll_into_view_if_needed()
        shot(page, f"peta-1366x768-kec-{re.sub('[^a-z]+', '-', nama.lower())}-contoh")
    smallest = "Ujung Bulu"
    assert smallest in set(kecamatan["nama"])
    if nama != smallest:
        choose_kecamatan(page, smallest)
    for size in ("1920x1080", "390x844"):
        page.set_viewport_size(dict(zip(("width", "height"), SIZES[size])))
        _close_sidebar_on_a_phone(page)
        page.wait_for_function(f"() => innerWidth === {SIZES[size][0]}", timeout=60_000)
        settled(page)
        assert_map_fits(page, f"peta {size} {smallest}")
        page.locator(MAP).scroll_into_view_if_needed()
        shot(page, f"peta-{size}-kec-ujung-bulu-contoh")
    watch.assert_clean()
    page.close()


def test_a_clicked_village_is_outlined_with_its_detail_beside_the_map(demo_server, browser):
    url, _engine = demo_server
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    watch = Watch(page)
    sign_in(page, url)
    go(page, "peta")
    plot = wait_for_fitted_map(page)
    left, top, right, bottom, _w, _h = land_box(page, plot)
    from PIL import Image

    locator = page.locator(MAP).first
    before = Image.open(io.BytesIO(locator.screenshot())).convert("RGB")
    # Click the middle of the land, then read which village the page says was chosen.
    box = locator.bounding_box()
    x, y = (left + right) / 2, (top + bottom) / 2
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function("() => [...document.querySelectorAll('h2')].some(h => h.innerText.includes('· Kecamatan'))",
                           timeout=90_000)
    settled(page)
    detail = page.locator("h2", has_text="· Kecamatan").first.bounding_box()
    map_box = locator.bounding_box()
    # Beside the map on a wide screen: to its right, at the same height.
    assert detail["x"] >= map_box["x"] + map_box["width"] - 1, (detail, map_box)
    assert detail["y"] < map_box["y"] + map_box["height"] and detail["y"] + detail["height"] > map_box["y"] - 200
    page.mouse.move(box["x"] + box["width"] + 80, box["y"] - 40, steps=12)  # no hover label left over
    page.wait_for_function(f"() => !document.querySelector('{MAP} .hoverlayer .hovertext')", timeout=60_000)
    settled(page)
    frames(page)
    after = Image.open(io.BytesIO(locator.screenshot())).convert("RGB")
    after.save(ARTIFACTS / "peta-1920x1080-desa-dipilih-peta-contoh.png")
    # The other villages keep their colour (nothing faded): a corner village far from the click.
    probe = (int(left + (right - left) * 0.1), int(top + (bottom - top) * 0.35))
    assert max(abs(a - b) for a, b in zip(before.getpixel(probe), after.getpixel(probe))) <= 24, (
        before.getpixel(probe), after.getpixel(probe))
    # The chosen village is outlined: black pixels where there were none.
    dark = lambda im: sum(1 for p in im.get_flattened_data() if max(p) < 40)  # noqa: E731
    assert dark(after) > dark(before) + 40
    shot(page, "peta-1920x1080-desa-dipilih-contoh")
    watch.assert_clean()
    page.close()


# The other data states (what a real office sees after its imports) are checked in
# test_browser_gallery.py, on the gallery's server for each state it draws.
