"""The partner's phone form in a real browser (Debian's Chromium, 390×844, touch) against
`streamlit run dashboard.py`: a field coordinator signs in, fills in an outreach day, loses the
page (a reload), finds the draft again, sends it, and the report waits for the operator."""
from __future__ import annotations

import contextlib
import datetime as dt
import os

import pytest

playwright = pytest.importorskip("playwright.sync_api")

from conftest import PROJECT, new_store_url  # noqa: E402 (after the skip: no browser, no test)
import live_server  # noqa: E402
from browser_waits import rerun, settled  # noqa: E402

PASSWORD = "sandi-uji-mitra-2018"
ARTIFACTS = PROJECT / "test-artifacts"


# Drives Chromium itself. The SQLite pass only: the form's writes are the ones test_laporan runs
# on both databases; what the browser adds is the phone.
pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from bulukumba.server import auth

    folder = tmp_path_factory.mktemp("mitra-data")
    secrets = folder / "secrets.toml"
    secrets.write_text(f'[pengguna.ppdi]\nnama = "Koordinator PPDI"\nperan = "mitra"\nmitra = "PPDI"\n'
                       f'hash_sandi = "{auth.hash_password(PASSWORD, rounds=4)}"\n')
    db = new_store_url(folder, "bulukumba")
    env = {**os.environ, "BULUKUMBA_DATA_DIR": str(folder), "BULUKUMBA_DB_URL": db}
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(live_server.dashboard(folder, env, secrets))
        yield {"url": url, "db": db}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px screen"


AXE = PROJECT / "tests" / "node_modules" / "axe-core" / "axe.min.js"


def serious_axe_violations(page) -> list[dict]:
    """Serious and critical violations (axe-core, as test_browser_public runs it), and heading order."""
    assert AXE.exists(), f"axe-core is missing at {AXE}: run `npm ci --prefix tests` (see the README)"
    page.evaluate("() => {" + AXE.read_text(encoding="utf-8") + "\n}")
    found = page.evaluate("""async () => {
        const result = await axe.run(document, { resultTypes: ['violations'] });
        return result.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')) }));
    }""")
    return [v for v in found if v["impact"] in ("serious", "critical") or v["id"] == "heading-order"]


def field(page, label: str):
    return page.get_by_label(label, exact=True)


def test_a_partner_reports_an_outreach_day_from_a_phone(server):
    from bulukumba import reports
    from bulukumba.storage import store

    with live_server.chromium() as browser:
        context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                      device_scale_factor=2)
        page = context.new_page()
        page.goto(server["url"] + "/masuk")
        page.get_by_label("Nama pengguna").fill("ppdi")
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk", exact=True).click()
        page.wait_for_selector("h1:has-text('Laporan mitra')", timeout=180_000)
        settled(page)
        no_sideways_scroll(page)

        # The village, searched by name: the kecamatan shows beside it.
        rerun(page, lambda: (field(page, "Desa/kelurahan").click(), page.keyboard.type("tanah to"),
                             page.get_by_role("option", name="Tanah Towa (Kec. Kajang)").click()))
        served = field(page, "Warga dilayani")
        rerun(page, lambda: (served.fill("9"), served.press("Tab")))
        # The connection is lost: a reload is a new session; the draft comes back from the server.
        page.reload()
        page.wait_for_selector("text=Konsep laporan Anda yang belum terkirim dipulihkan.", timeout=120_000)
        settled(page)
        assert field(page, "Desa/kelurahan").input_value() == "Tanah Towa (Kec. Kajang)"
        assert field(page, "Warga dilayani").input_value() == "9"

        day = field(page, "Tanggal kegiatan").get_by_role("spinbutton").first  # DD/MM/YYYY: the day first
        rerun(page, lambda: (day.click(), page.keyboard.type("14032018"), page.keyboard.press("Tab")))
        page.keyboard.press("Escape")  # the calendar the Tab opened, if it did
        page.get_by_role("heading", name="Laporan mitra").click()
        settled(page)
        rerun(page, lambda: (field(page, "Layanan").click(), page.keyboard.type("perekaman"),
                             page.get_by_role("option", name="Perekaman e-KTP").click()))
        elderly = field(page, "Di antaranya lansia")
        rerun(page, lambda: (elderly.fill("2"), elderly.press("Tab")))
        send = page.get_by_role("button", name="Kirim laporan")
        send.scroll_into_view_if_needed()
        box = send.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 40, box  # a thumb's target
        no_sideways_scroll(page)
        assert serious_axe_violations(page) == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "laporan-mitra-390x844-formulir.png"), full_page=True)
        rerun(page, send.click)
        page.wait_for_selector("text=terkirim: menunggu verifikasi operator", timeout=60_000)
        no_sideways_scroll(page)
        context.close()

    engine = store.make_engine(server["db"])
    waiting = reports.queue(engine)
    assert waiting[["mitra_kode", "pengguna", "jumlah", "rentan", "desa"]].values.tolist() == \
        [["ppdi", "ppdi", 9, 2, "Tanah Towa"]]
    rows = reports.rows_of(int(waiting.loc[0, "id"]), engine)
    assert set(rows["tanggal"]) == {dt.date(2018, 3, 14)}
    assert reports.load_draft("ppdi", engine) == {}
    engine.dispose()
