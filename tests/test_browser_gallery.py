"""A gallery: every page, on every data state an office meets, at every screen size, as a
screenshot in test-artifacts/galeri/ with an index.html, so anyone can look at all of them in a
minute (issue 24).

One server and one browser per data state (data_states.AUDIENCES: the demo, one real snapshot,
a registry without partner activity, no targets, nothing after an undo); each page is loaded
once per audience and resized through the four sizes (a resize reruns the page, it does not
reload it). Visitors: the public page and the projector; staff (an operator, who sees every
internal page): Ringkasan, Peta, Mitra, GERTAK 2018, Unduh and Kelola data.

What is checked on the way, where the page is already on screen at that size:
- every state: no chart text under 4.5:1 as drawn, tap targets on a phone, the sidebar's filters
  on the first screen, no projector text cut, no console error, no request leaving the machine;
- Peta's first screen (issue 24: 146 of the map's 384 px were on it at 1366x768): the whole map
  on it at 1024x768, 1366x768 and 1920x1080, and at least half the screen's height at the two
  office sizes; on a phone as wide as the screen and no taller than it. The figures go to
  measurements.json;
- on the demo, every staff page at the office's two sizes: nothing clipped (every card scrolled
  into view first), the map fitting its card;
- what each data state's pages must show (EXPECT: the words, the map fitting its card, nothing
  clipped), at 1366x768; the two states in EXPECT that are not audiences' states (two snapshots,
  a silent kecamatan) on a server of their own.
"""
from __future__ import annotations

import contextlib
import html
import json
import re
import time
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")

from conftest import layout_only  # noqa: E402
import data_states  # noqa: E402
import live_server  # noqa: E402
from browser_waits import frames, settled  # noqa: E402
from test_browser_sessions import CSP_SCRIPT  # noqa: E402
from test_browser_pages import (Watch, assert_map_fits, assert_nothing_clipped, choose_kecamatan, go,  # noqa: E402
                                serve as serve_kadis, shot, sign_in)
from test_chart_contrast import contrast  # noqa: E402

pytestmark = layout_only

PROJECT = Path(__file__).resolve().parents[1]
GALLERY = PROJECT / "test-artifacts" / "galeri"
PASSWORD = "sandi-uji-galeri-24"
SIZES = {"390x844": (390, 844), "1024x768": (1024, 768), "1366x768": (1366, 768), "1920x1080": (1920, 1080)}
PUBLIC = {"publik": "/", "proyektor": "/?mode=proyektor"}
STAFF = {"ringkasan": "/ringkasan", "peta": "/peta", "mitra": "/mitra", "gertak": "/gertak", "unduh": "/unduh",
         "kelola": "/kelola"}
SHOTS: dict[tuple[str, str, str], str] = {}
WEAK: dict[str, list[str]] = {}  # chart text under 4.5:1 on white, as the browser drew it
MEASURED: dict = {}


@contextlib.contextmanager
def serve(db_url: str, folder: Path):
    with live_server.serve_store(db_url, folder, ("op", "Operator SIAK", "operator"), PASSWORD,
                                 BULUKUMBA_SLIDE_SECONDS="3600") as url:
        yield url


@pytest.fixture(scope="module", autouse=True)
def index():
    yield
    write_index()


def write_index() -> None:
    """test-artifacts/galeri/index.html: a row per data state and page, a column per size."""
    GALLERY.mkdir(parents=True, exist_ok=True)
    states = [s for s in data_states.AUDIENCES if any(k[0] == s for k in SHOTS)]
    rows = []
    for state in states:
        rows.append(f"<tr><th colspan='{len(SIZES) + 1}' class='keadaan' id='{state}'>{html.escape(state)}</th></tr>")
        for page in [*PUBLIC, *STAFF]:
            cells = []
            for size in SIZES:
                name = SHOTS.get((state, page, size))
                cells.append(f"<td><a href='{name}'><img src='{name}' loading='lazy' alt='{page} {size} {state}'>"
                             f"</a></td>" if name else "<td>—</td>")
            rows.append(f"<tr><th>{html.escape(page)}</th>{''.join(cells)}</tr>")
    heads = "".join(f"<th>{s}</th>" for s in SIZES)
    links = " · ".join(f"<a href='#{s}'>{s}</a>" for s in states)
    (GALLERY / "index.html").write_text(
        "<!doctype html><html lang='id'><meta charset='utf-8'><title>Galeri halaman</title><style>"
        "body{font-family:system-ui,sans-serif;margin:1rem} table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px;vertical-align:top} img{width:220px;display:block}"
        "th.keadaan{background:#eef;text-align:left;font-size:1.2rem}</style>"
        f"<h1>Galeri: setiap halaman × keadaan data × ukuran layar</h1><p>{links}</p>"
        f"<table><tr><th>halaman</th>{heads}</tr>{''.join(rows)}</table></html>", encoding="utf-8")
    (GALLERY / "measurements.json").write_text(json.dumps(MEASURED, indent=1, ensure_ascii=False))


#: The map's colour switch and the village table's row toggles (the table opened first), with a
#: size under 44x44 px: [text, width, height].
TAP_TARGETS_JS = """async () => {
  const table = [...document.querySelectorAll('[data-testid="stExpander"] summary')]
      .find(s => s.innerText.includes('Tabel per desa'));
  if (table && !table.parentElement.open) table.click();
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const targets = [...document.querySelectorAll('.st-key-publik-ukuran [role="radiogroup"] label, .tabel details summary')]
      .filter(e => e.offsetParent !== null);
  return targets.map(e => { const r = e.getBoundingClientRect(); return [e.innerText.trim(), Math.round(r.width), Math.round(r.height)]; })
      .filter(([, w, h]) => w < 44 || h < 44).slice(0, 5).concat([['jumlah diperiksa', targets.length, 0]]);
}"""


def capture(page, state: str, name: str, size: str) -> None:
    page.wait_for_selector("[data-testid='stMain'] h1, [data-testid='stMain'] h2", timeout=90_000)
    if name == "peta" and state in MAP_STATES:  # the map at its column's width, drawn
        page.wait_for_function(f"() => ({MAP_BOX_JS})() && innerWidth === {SIZES[size][0]}", timeout=90_000)
    # A shorter quiet moment than the checks wait for: the rerun a resize asks for (150 ms after
    # it) has shown as running by then; what is asserted on waits again (check_fits, check_state).
    settled(page, quiet_ms=PICTURE_QUIET_MS)
    page.locator("[data-testid='stMain']").evaluate("e => e.scrollTo(0, 0)")
    file = f"{state}-{name}-{size}.png"
    page.screenshot(path=str(GALLERY / file))
    SHOTS[(state, name, size)] = file
    if name == "publik" and size == "390x844" and page.locator("text=Tabel per desa/kelurahan").count():
        small = page.evaluate(TAP_TARGETS_JS)
        MEASURED.setdefault("sasaran ketuk di bawah 44x44 px (390x844)", {})[state] = small
    if name == "proyektor":  # nothing ends in "…": a figure's words cut by the slide's width
        cut = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stMetric"] *, .proyektor-meta, h2')]
            .filter(e => e.children.length === 0 && e.innerText && e.scrollWidth > e.clientWidth + 1
                    && getComputedStyle(e).overflowX !== 'visible').map(e => e.innerText)""")
        if cut:
            WEAK.setdefault(f"{state} {name} {size}: teks terpotong", []).extend(cut)
    if name in ("ringkasan", "mitra") and size == "1366x768":  # every filter on the sidebar's first screen
        below = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stSelectbox"],'
            + ' [data-testid="stSidebar"] [data-testid="stDateInput"]')]
            .filter(e => e.getBoundingClientRect().bottom > innerHeight).map(e => e.innerText.split('\\n')[0])""")
        MEASURED.setdefault("filter di bawah layar pertama (1366x768)", {})[f"{state} {name}"] = below
        if below:
            WEAK.setdefault(f"{state} {name} {size}: filter di bawah layar", []).extend(below)
    if name in STAFF:  # the charts' text as drawn: Streamlit's chart theme must not have greyed it
        for fill in set(page.evaluate("""() => [...document.querySelectorAll(
                '.js-plotly-plot .xtick text, .js-plotly-plot .ytick text, .js-plotly-plot .g-xtitle text, '
                + '.js-plotly-plot .g-ytitle text, .js-plotly-plot .legendtext, .js-plotly-plot .annotation-text, '
                + '.js-plotly-plot .bartext:not([data-notex])')].map(t => getComputedStyle(t).fill)""")):
            if fill == "rgb(255, 255, 255)":
                continue  # a value inside a bar, white on the bar's colour (test_chart_contrast checks it)
            if fill.startswith("rgb") and contrast(fill, "#ffffff") < 4.5:
                WEAK.setdefault(f"{state} {name} {size}", []).append(fill)
    if name == "peta" and state in MAP_STATES:
        MAP_BOXES.setdefault(state, {})[size] = page.evaluate(MAP_BOX_JS)
        MEASURED.setdefault("peta: kotak peta pada layar pertama", {})[f"{state} {size}"] = MAP_BOXES[state][size]


#: States with registry figures, where Peta draws a map (after an undo there is nothing to draw).
MAP_STATES = tuple(s for s in data_states.AUDIENCES if s != "dibatalkan")
MAP_BOXES: dict[str, dict[str, dict]] = {}
#: The map's box once it has the width its column gives it and its canvas; null before.
MAP_BOX_JS = """() => {
  const plot = document.querySelector('.st-key-kartu-peta .js-plotly-plot');
  if (!plot) return null;
  const box = plot.closest('[data-testid="stElementContainer"]');
  const r = plot.getBoundingClientRect();
  if (!box || Math.abs(r.width - box.getBoundingClientRect().width) > 2 || !plot.querySelector('canvas')) return null;
  return {left: Math.round(r.left), top: Math.round(r.top), right: Math.round(r.right), bottom: Math.round(r.bottom),
          width: Math.round(r.width), height: Math.round(r.height), innerWidth, innerHeight,
          on_first_screen: Math.round(Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0)))};
}"""
#: Sizes at which Peta's whole map must be on the first screen, unscrolled (at 1024x768 with the
#: sidebar open the map's column is about 300 px wide: the regency's shape makes it short anyway),
#: and where it must also be a map, not a stamp: at least half the screen's height.
FIRST_SCREEN = ("1366x768", "1920x1080", "1024x768")
TALL = ("1366x768", "1920x1080")
OFFICE_SIZES = ("1366x768", "1920x1080")


def assert_whole_map_on_first_screen(state: str) -> None:
    boxes = MAP_BOXES[state]
    for size in FIRST_SCREEN:
        box = boxes[size]
        assert box["top"] >= 0 and box["left"] >= 0 and box["bottom"] <= box["innerHeight"] \
            and box["right"] <= box["innerWidth"], (state, size, box)
        if size in TALL:
            assert box["height"] >= 0.5 * box["innerHeight"], (state, size, box)
    # On a phone the map may follow the title, but it is as wide as the screen allows and no
    # taller than the screen: one scroll shows it whole.
    phone = boxes["390x844"]
    assert phone["right"] <= 390 and phone["width"] >= 320 and phone["height"] <= 844 - 60, (state, phone)


def check_fits(page, name: str, size: str) -> None:
    """A staff page on the demo at an office size: the map fits its card; nothing is clipped,
    with every card scrolled into view first (what shows only once seen, the tables' grids,
    lays out then). Scrolled back to the top afterwards."""
    if name == "peta":
        assert_map_fits(page, f"peta {size}")
    for card in page.locator("[class*='st-key-kartu-']").all():
        card.scroll_into_view_if_needed()
        frames(page)
    settled(page)
    assert_nothing_clipped(page, f"{name} {size}")
    page.locator("[data-testid='stMain']").evaluate("e => e.scrollTo(0, 0)")


#: A page opened by its address (/peta): Streamlit's frontend first asks for its health and host
#: configuration under the page's path (/peta/_stcore/health), gets 404, then asks at the root.
PAGE_PATH_PROBE = re.compile(r"^http://[^/]+/[a-z]+/_stcore/(health|host-config)$")


def page_path_probe(message) -> bool:
    """The console error of that first probe: not an error of the page (the other browser
    tests move between pages by the sidebar and never meet it)."""
    return (message.text.startswith("Failed to load resource: the server responded with a status of 404")
            and bool(PAGE_PATH_PROBE.match(message.location.get("url", ""))))


def visit(page, url: str, state: str, pages: dict[str, str]) -> None:
    """Each page loaded once, then resized through the four sizes (a resize reruns the page on
    the server, it does not reload it; one tab is cheaper than four side by side, measured);
    at CHECKED_SIZE a staff page of a state in EXPECT is checked as well."""
    for name, path in pages.items():
        page.goto(url + path)
        if name == "proyektor" and state in MAP_STATES:  # the presenter's keys (a component from a blob:
            # address), on every state with slides to show (after an undo there is none)
            page.wait_for_selector("html[data-tombol-proyektor='siap']", state="attached", timeout=90_000)
        for size in SIZES:
            page.set_viewport_size(dict(zip(("width", "height"), SIZES[size])))
            capture(page, state, name, size)
            if state == "contoh" and size in OFFICE_SIZES and name in STAFF:
                check_fits(page, name, size)
            if size == CHECKED_SIZE and state in EXPECT and name in CHECKED_PAGES:
                check_state(page, state, name)
        assert page.evaluate("window.__csp") == [], (state, name)  # drawn at every size, nothing refused


# ---------------------------------------------------------------------------------------------
# The data states: what a real office sees after its imports
# ---------------------------------------------------------------------------------------------

EXPECT = {  # state -> page -> words the page must show
    "satu_snapshot": {"ringkasan": ["Belum ada data pembanding", "Tren belum ada", "tanpa target"],
                      "mitra": ["Belum ada kegiatan mitra tercatat", "template kegiatan"],
                      "gertak": ["Belum ada target GERTAK 2018", "template target"]},
    "dua_snapshot": {"ringkasan": ["dalam 3 hari", "3 hari terakhir"], "gertak": ["Laju saat ini"]},
    "tanpa_kegiatan": {"ringkasan": ["belum ada kegiatan mitra tercatat"],
                       "mitra": ["Belum ada kegiatan mitra tercatat", "template kegiatan"]},
    "tanpa_target": {"ringkasan": ["tanpa target", "template target"],
                     "gertak": ["Belum ada target GERTAK 2018"]},
    "kecamatan_kosong": {"ringkasan": ["Belum ada data registri: Kindang"],
                         "peta": ["belum ada datanya"]},
}
CHECKED_SIZE = "1366x768"
PICTURE_QUIET_MS = 450
CHECKED_PAGES = ("ringkasan", "peta", "mitra", "gertak")


def check_state(page, state: str, name: str) -> None:
    """The page `name`, on screen at CHECKED_SIZE and settled, shows what `state` must show:
    its words, no "empty", the map fitting its card, nothing clipped."""
    settled(page)  # the full quiet moment (the picture waited a shorter one)
    for words in EXPECT[state].get(name, []):
        page.wait_for_function(  # the last columns may still be drawing on a busy machine
            "(w) => document.querySelector(\"[data-testid='stMain']\").innerText.includes(w)",
            arg=words, timeout=90_000)
    body = page.inner_text("[data-testid='stMain']")
    assert "empty" not in body.lower()
    if name == "peta":
        assert_map_fits(page, f"peta {state}")
        page.locator("[data-testid='stMain']").evaluate("e => e.scrollTo(0, 0)")
    shot(page, f"{name}-{CHECKED_SIZE}-{state}")
    assert_nothing_clipped(page, f"{name} {state}")


STATES = data_states.AUDIENCES


@pytest.mark.parametrize("state", STATES)
def test_gallery_of_every_page_size_and_audience(state, tmp_path_factory, regions, browser):
    GALLERY.mkdir(parents=True, exist_ok=True)
    db_url = data_states.store_for(state, tmp_path_factory, regions)
    with serve(db_url, tmp_path_factory.mktemp(f"galeri-{state}")) as url:
        started = time.monotonic()
        visitor = browser.new_context()
        visitor.add_init_script(CSP_SCRIPT)
        visit(visitor.new_page(), url, state, PUBLIC)
        visitor.close()

        staff = browser.new_context()
        staff.add_init_script(CSP_SCRIPT)
        page = staff.new_page()
        watch = Watch(page, ignore=page_path_probe)
        page.goto(url + "/masuk")
        page.get_by_label("Nama pengguna").fill("op")
        page.get_by_label("Kata sandi").fill(PASSWORD)
        assert page.evaluate("window.__csp") == [], (state, "masuk")
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_function("() => !location.pathname.endsWith('/masuk')", timeout=90_000)
        visit(page, url, state, STAFF)
        watch.assert_clean()
        staff.close()
        MEASURED.setdefault("detik per keadaan (tanpa menyalakan server)", {})[state] = round(time.monotonic() - started, 1)
    assert not {k: v for k, v in WEAK.items() if k.startswith(state)}, WEAK
    small = MEASURED.get("sasaran ketuk di bawah 44x44 px (390x844)", {}).get(state)
    if small is not None:
        assert small[-1][1] > 2 and len(small) == 1, small  # targets found, none too small
    missing = [(p, s) for p in [*PUBLIC, *STAFF] for s in SIZES if (state, p, s) not in SHOTS]
    assert not missing, missing
    if state in MAP_STATES:
        assert_whole_map_on_first_screen(state)
    for file in {SHOTS[(state, p, s)] for p in [*PUBLIC, *STAFF] for s in SIZES}:
        assert (GALLERY / file).stat().st_size > 5000, file  # a picture, not a blank


#: The states in EXPECT the gallery does not draw in this run: each on a server of its own.
UNDRAWN = [state for state in EXPECT if state not in STATES]


@pytest.mark.parametrize("state", UNDRAWN)
def test_each_data_state_in_the_browser(state, tmp_path_factory, regions, browser):
    url_db = data_states.store_for(state, tmp_path_factory, regions)
    with serve_kadis(url_db, tmp_path_factory.mktemp(f"browser-{state}")) as url:
        page = browser.new_page(viewport=dict(zip(("width", "height"), SIZES[CHECKED_SIZE])))
        watch = Watch(page)
        sign_in(page, url)
        for name in CHECKED_PAGES:
            go(page, name)
            check_state(page, state, name)
        if state == "kecamatan_kosong":
            choose_kecamatan(page, "Kindang")
            body = page.inner_text("[data-testid='stMain']")
            assert "Belum ada data registri untuk Kecamatan Kindang" in body
            shot(page, "peta-1366x768-kec-kindang-kecamatan_kosong")
        watch.assert_clean()
        page.close()
