"""Peta's first screen in a real browser (Debian's Chromium): the whole village map is on it, on
the office's laptop (1366x768) and its wide screen (1920x1080), on the demo data and on the first
real import (issue 24: 146 of the map's 384 px were on the first screen at 1366x768, 500 of 625
at 1920x1080). At 1024x768 and on a phone (390x844) the map is measured too: on a phone it may
follow the title, but it must fit the screen's width and height so that one scroll shows it whole.

The figures (map size, px on the first screen) go to test-artifacts/peta-layar-pertama.json.
"""
from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")

from conftest import layout_only  # noqa: E402
import data_states  # noqa: E402
import live_server  # noqa: E402
from browser_waits import settled  # noqa: E402

pytestmark = layout_only

PROJECT = Path(__file__).resolve().parents[1]
ARTIFACTS = PROJECT / "test-artifacts"
PASSWORD = "sandi-uji-peta-24"
SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080), "1024x768": (1024, 768), "390x844": (390, 844)}
#: Sizes at which the whole map must be on the first screen, unscrolled (at 1024x768 with the
#: sidebar open the map's column is about 300 px wide: the regency's shape makes it short anyway).
FIRST_SCREEN = ("1366x768", "1920x1080", "1024x768")
#: ... and where it must also be a map, not a stamp: at least half the screen's height.
TALL = ("1366x768", "1920x1080")
MAP = ".st-key-kartu-peta .js-plotly-plot"
MEASURED: dict[str, dict] = {}

#: The map's box once it has the width its column gives it and its drawn height; scrolled to the top.
MAP_BOX_JS = f"""() => {{
  const plot = document.querySelector("{MAP}");
  if (!plot) return null;
  const box = plot.closest('[data-testid="stElementContainer"]');
  const r = plot.getBoundingClientRect();
  if (!box || Math.abs(r.width - box.getBoundingClientRect().width) > 2 || !plot.querySelector('canvas')) return null;
  return {{left: Math.round(r.left), top: Math.round(r.top), right: Math.round(r.right), bottom: Math.round(r.bottom),
           width: Math.round(r.width), height: Math.round(r.height), innerWidth, innerHeight,
           on_first_screen: Math.round(Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)))}};
}}"""


@pytest.fixture(scope="module", autouse=True)
def write_figures():
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "peta-layar-pertama.json").write_text(json.dumps(MEASURED, indent=1))


@pytest.fixture(scope="module")
def servers(tmp_path_factory, regions):
    """state -> the dashboard's URL on that state's store, started on first use, one per state."""
    with contextlib.ExitStack() as stack:
        started: dict[str, str] = {}

        def url(state: str) -> str:
            if state not in started:
                db_url = data_states.store_for(state, tmp_path_factory, regions)
                started[state] = stack.enter_context(live_server.serve_store(
                    db_url, tmp_path_factory.mktemp(f"peta-{state}"), ("kadis", "Kepala Dinas", "pimpinan"),
                    PASSWORD))
            return started[state]
        yield url


@contextlib.contextmanager
def signed_in(url: str, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    external = []
    page.on("request", lambda r: external.append(r.url) if r.url.startswith("http") and not (
        r.url.split("/")[2].split(":")[0] in ("127.0.0.1", "localhost")) else None)
    live_server.sign_in(page, url, "kadis", PASSWORD)
    page.goto(url + "/peta")
    page.wait_for_selector("h1:has-text('Peta desa dan daftar prioritas')", timeout=90_000)
    yield page
    assert external == [], external  # no tiles, no fonts, no CDN
    context.close()


def measure(page, size: str) -> dict:
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size])))
    page.wait_for_function(f"() => ({MAP_BOX_JS})() && innerWidth === {SIZES[size][0]}", timeout=90_000)
    settled(page)
    page.locator("[data-testid='stMain']").evaluate("e => e.scrollTo(0, 0)")
    settled(page)
    box = page.evaluate(MAP_BOX_JS)
    return box


@pytest.mark.parametrize("state", ["contoh", "satu_snapshot"])
def test_the_whole_map_is_on_the_first_screen(state, servers, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    with signed_in(servers(state), browser) as page:
        for size in SIZES:
            box = measure(page, size)
            page.screenshot(path=str(ARTIFACTS / f"peta-layar-pertama-{size}-{state}.png"))
            MEASURED.setdefault(state, {})[size] = box
    figures = MEASURED[state]
    for size in FIRST_SCREEN:
        box = figures[size]
        # The map's whole box is inside the viewport, without scrolling ...
        assert box["top"] >= 0 and box["left"] >= 0 and box["bottom"] <= box["innerHeight"] \
            and box["right"] <= box["innerWidth"], (state, size, box)
        if size in TALL:  # ... and a map, not a stamp
            assert box["height"] >= 0.5 * box["innerHeight"], (state, size, box)
    phone = figures["390x844"]
    # On a phone the map may follow the title, but it is as wide as the screen allows and no
    # taller than the screen: one scroll shows it whole.
    assert phone["right"] <= 390 and phone["width"] >= 320 and phone["height"] <= 844 - 60, (state, phone)


def test_a_typed_date_and_enter_are_applied_at_once(servers, browser):
    """The sidebar's date, typed and confirmed with Enter, is applied while the focus is still in
    the field (Streamlit 1.67 applied it only once focus left the field), and the focus stays
    there for the next key."""
    with signed_in(servers("contoh"), browser) as page:
        settled(page)
        field = page.locator("[data-testid='stSidebar'] [data-testid='stDateInput']")
        day = field.get_by_role("spinbutton").first  # DD/MM/YYYY: the day first
        day.click()
        page.keyboard.type("31032018")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelector(\"[data-testid='stMain']\").innerText"
                               ".includes('menampilkan keadaan per 31 Maret 2018')", timeout=30_000)
        settled(page)
        assert page.evaluate("() => !!document.activeElement.closest('[data-testid=\"stDateInput\"]')")
        page.screenshot(path=str(ARTIFACTS / "peta-tanggal-enter-1366x768-contoh.png"))
