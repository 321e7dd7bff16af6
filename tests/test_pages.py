"""What the department head relies on, checked on the running pages with demo data.

Every figure a page shows is compared with the data module asked the same question here, so a
page that reads the wrong date, the wrong area or the wrong column fails. Read-only views share
one app run per page (module fixtures); a story that changes filters opens its own app.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from apptest_support import (PROJECT, after_restart, download, element, metrics, open_app,
                             parse_angka, parse_persen, plotly_array, table)
from readback import card_texts, strip_items
from bulukumba import config, figures
from bulukumba.presentation import export, mapview, tables
from bulukumba.language import fmt, texts
from bulukumba.storage import store
from bulukumba.figures import verdict
from bulukumba.regions import distance_km

PAGES = {  # page file -> its title (the page's own words)
    "pages/ringkasan.py": "Ringkasan perekaman e-KTP",
    "pages/peta.py": "Peta desa dan daftar prioritas",
    "pages/mitra.py": "Mitra kemitraan",
    "pages/gertak.py": "GERTAK 2018",
    "pages/unduh.py": "Unduh data",
}
REPORT_DAY = dt.date(2018, 1, 19)  # the news report the demo is calibrated to
BAR_SUFFIX = " · batang "  # show_table adds a bar copy of one column; it is not a figure of its own


# ---------------------------------------------------------------------------------------------
# Shared runs (read-only: tests must not touch their widgets)
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ringkasan():
    return open_app("pages/ringkasan.py")


@pytest.fixture(scope="module")
def peta(ringkasan):
    return open_app("pages/peta.py")


@pytest.fixture(scope="module")
def mitra(ringkasan):
    return open_app("pages/mitra.py")


@pytest.fixture(scope="module")
def gertak(ringkasan):
    return open_app("pages/gertak.py")


@pytest.fixture(scope="module")
def unduh(ringkasan):
    return open_app("pages/unduh.py")


@pytest.fixture(scope="module")
def store_engine(ringkasan):
    """The store the app uses (prepared and filled with demo data by its first run)."""
    return store.engine_for(config.database_url())


@pytest.fixture(scope="module")
def per(store_engine) -> dt.date:
    """The as-of date the pages open on: the newest snapshot."""
    return figures.latest_date(store_engine)


@pytest.fixture(scope="module")
def kajang(store_engine) -> str:
    kec = figures.coverage_kecamatan(engine=store_engine)
    return kec.loc[kec["nama"] == "Kajang", "kode"].item()


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A rendered table without the bar copy of its percentage column."""
    return frame.drop(columns=[c for c in frame.columns if BAR_SUFFIX in c])


def assert_coverage_metrics(at, total: figures.Coverage) -> None:
    m = metrics(at)
    assert parse_angka(m["Wajib KTP"]) == total.wajib_ktp
    assert parse_angka(m["Sudah rekam"]) == total.sudah_rekam
    assert parse_angka(m["Belum rekam"]) == total.belum_rekam
    assert parse_persen(m["Cakupan"]) == pytest.approx(total.cakupan, abs=0.0005 + 1e-12)


def leaderboard_rows(frame: pd.DataFrame) -> list[tuple]:
    return list(zip(frame["Peringkat"].astype(int), frame["Mitra"], frame["Jumlah"].astype(int),
                    frame["Porsi (%)"].round(1), frame["Desa dijangkau"].astype(int),
                    frame["Warga rentan dilayani"].astype(int)))


def expected_leaderboard(board: pd.DataFrame) -> list[tuple]:
    return list(zip(board["peringkat"], board["nama"], board["jumlah"], (board["porsi"] * 100).round(1),
                    board["desa"], board["rentan"]))


# ---------------------------------------------------------------------------------------------
# 1. Every page opens on demo data, labelled as such, with the data date
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_opens_labelled_demo_with_the_data_date(page, request, store_engine):
    at = request.getfixturevalue(page.removeprefix("pages/").removesuffix(".py"))

    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [PAGES[page]]  # this page, not a fallback
    assert at.date_input(key="f_per") is not None         # inside the frame, with the filters
    fresh = figures.freshness(store_engine)
    assert fresh.contoh
    assert any(texts.DEMO_LABEL in w.value for w in at.warning)
    date_line = f"Data per {fmt.date(fresh.data_per)} · diperbarui {fmt.timestamp(fresh.diperbarui)}"
    assert any(c.value.startswith(date_line) for c in at.caption), [c.value for c in at.caption]
    assert fresh.data_per == dt.date(2018, 6, 30)  # the demo's as-of date: "Data per 30 Juni 2018"


# ---------------------------------------------------------------------------------------------
# 2. Ringkasan: the regency at a glance
# ---------------------------------------------------------------------------------------------

def test_ringkasan_metrics_are_the_regency_totals(ringkasan, store_engine, per):
    assert_coverage_metrics(ringkasan, figures.coverage_total(per, engine=store_engine))


def test_ringkasan_table_lists_the_ten_kecamatan_with_their_figures(ringkasan, store_engine, per):
    shown_table = table(ringkasan, "Kecamatan", "Wajib KTP")
    kec = figures.coverage_kecamatan(per, store_engine)

    assert len(shown_table) == 10 == len(kec)
    assert list(shown_table["Kode"]) == list(kec["kode"])
    assert list(shown_table["Kecamatan"]) == list(kec["nama"])
    for column, source in (("Wajib KTP", "wajib_ktp"), ("Sudah rekam", "sudah_rekam"),
                           ("Belum rekam", "belum_rekam")):
        assert list(shown_table[column].astype(int)) == list(kec[source].astype(int)), column
    np.testing.assert_allclose(shown_table["Cakupan (%)"], (kec["cakupan"] * 100).round(1))


# ---------------------------------------------------------------------------------------------
# 3. Filters: date, kecamatan, service; a copied link opens the same view
# ---------------------------------------------------------------------------------------------

def test_filters_change_the_view_and_the_link_reopens_it(store_engine, kajang):
    at = open_app()

    # The report's day: the metrics are the report's figures, and the link remembers the date.
    at.date_input(key="f_per").set_value(REPORT_DAY).run()
    assert not at.exception
    report = figures.coverage_total(REPORT_DAY, engine=store_engine)
    assert_coverage_metrics(at, report)
    assert (report.wajib_ktp, report.sudah_rekam) == (325_880, 300_230)  # the demo's calibration
    assert at.query_params.get("per") == "2018-01-19"
    assert any(f"menampilkan keadaan per **{fmt.date(REPORT_DAY)}**" in c.value for c in at.caption)

    # One kecamatan: its totals, and the table lists its villages instead of the kecamatan.
    at.selectbox(key="f_kec").set_value(kajang).run()
    assert not at.exception
    assert_coverage_metrics(at, figures.coverage_total(REPORT_DAY, kajang, store_engine))
    villages = figures.coverage_villages(REPORT_DAY, kajang, store_engine)
    shown_villages = table(at, "Desa/kelurahan", "Wajib KTP")
    assert list(shown_villages["Kode"]) == list(villages["kode"])
    assert list(shown_villages["Wajib KTP"].astype(int)) == list(villages["wajib_ktp"].astype(int))
    assert list(shown_villages["Belum rekam"].astype(int)) == list(villages["belum_rekam"].astype(int))
    assert at.query_params.get("kec") == kajang

    # The copied link opens the same view in a new session.
    link = dict(at.query_params)
    assert link == {"per": "2018-01-19", "kec": kajang}
    again = open_app(query=link)
    assert not again.exception
    assert again.date_input(key="f_per").value == REPORT_DAY
    assert again.selectbox(key="f_kec").value == kajang
    assert metrics(again) == metrics(at)
    pd.testing.assert_frame_equal(table(again, "Desa/kelurahan", "Wajib KTP"), shown_villages)
    assert dict(again.query_params) == link


def test_a_deep_link_right_after_a_restart_opens_in_the_frame(store_engine, per, kajang):
    """The first request a restarted server gets is /peta?kec=…: Streamlit would run the page on
    its own (old-style pages); it must still get the sidebar filters and the link's view."""
    with after_restart():
        at = open_app("pages/peta.py", query={"kec": kajang})
    assert not at.exception
    assert [t.value for t in at.title] == [PAGES["pages/peta.py"]]
    assert at.selectbox(key="f_kec").value == kajang
    trace = map_trace(map_figure(at))
    assert list(trace["locations"]) == list(figures.coverage_villages(per, kajang, store_engine)["kode"])
    assert at.query_params.get("kec") == kajang


def test_choosing_a_service_leaves_death_certificates_to_pkk_and_dai_muda(store_engine, per):
    at = open_app("pages/mitra.py")
    at.selectbox(key="f_layanan").set_value("akta_kematian").run()
    assert not at.exception

    board = table(at, "Mitra", "Jumlah")
    start = figures.programme_status("gertak_2018", as_of=per, engine=store_engine).mulai
    expected = figures.partner_leaderboard(start, per, "akta_kematian", None, store_engine)
    assert leaderboard_rows(board) == expected_leaderboard(expected)
    partners = figures.partners(store_engine).set_index("kode")["nama"]
    assert set(board.loc[board["Jumlah"] > 0, "Mitra"]) == {partners["pkk"], partners["dai_muda"]}
    assert at.query_params.get("layanan") == "akta_kematian"


# ---------------------------------------------------------------------------------------------
# 4. Peta: the map, the priority list, a village's detail
# ---------------------------------------------------------------------------------------------

def map_figure(at) -> dict:
    return json.loads(element(at, "plotly_chart", "peta").proto.spec)


def map_trace(figure: dict) -> dict:
    traces = [t for t in figure["data"] if t.get("type") == "choroplethmap" and t.get("name") != "Dipilih"]
    assert len(traces) == 1
    return traces[0]


def test_map_colours_every_village_by_unrecorded_residents(peta, store_engine, per):
    spec_text = element(peta, "plotly_chart", "peta").proto.spec
    figure = json.loads(spec_text)
    trace = map_trace(figure)
    villages = figures.coverage_villages(per, engine=store_engine)

    assert len(villages) == 136
    assert list(trace["locations"]) == list(villages["kode"])
    # Five quintile classes, darker = more unrecorded; the hover shows each village's own figure.
    classes = mapview.classes(villages["belum_rekam"], "belum_rekam")
    assert plotly_array(trace["z"]) == pytest.approx(list(classes.index(villages["belum_rekam"])))
    assert sorted(set(plotly_array(trace["z"]))) == [0, 1, 2, 3, 4]
    assert all(20 <= c <= 35 for c in classes.counts) and sum(classes.counts) == 136
    worst = villages["belum_rekam"].astype(float).idxmax()
    assert plotly_array(trace["z"])[worst] == 4
    hover = trace["customdata"]
    assert [parse_angka(row[4]) for row in hover] == [int(v) for v in villages["belum_rekam"]]
    # The legend states the classes and how they were made, above the map (never over land).
    legend = next(h.proto.body for h in peta.get("html") if "legenda-peta" in h.proto.body)
    for label in classes.labels:
        assert label in legend
    assert "5 kelas kuantil" in legend
    # Kecamatan names on the map, as SVG text (no glyph font from a CDN).
    names = {a["text"] for a in figure["layout"].get("annotations", [])}
    assert names == {n.upper() for n in figures.coverage_kecamatan(engine=store_engine)["nama"]}

    # No tiles and no internet: a blank style, layers served by the app itself.
    assert figure["layout"]["map"]["style"] == "white-bg"
    assert "http://" not in spec_text and "https://" not in spec_text
    assert all(layer["source"].startswith("app/static/") for layer in figure["layout"]["map"].get("layers", []))
    assert not [layer for layer in figure["layout"]["map"].get("layers", []) if layer.get("type") == "symbol"]

    # The village layer is a URL the browser fetches once, not geometry resent on every rerun.
    url = trace["geojson"]
    assert isinstance(url, str) and url.startswith("app/static/")
    path = PROJECT / "static" / url.removeprefix("app/static/")
    assert path.is_file()
    layer = json.loads(path.read_text(encoding="utf-8"))
    assert len(layer["features"]) == 136
    assert {f["id"] for f in layer["features"]} == set(villages["kode"])

    size = len(spec_text.encode("utf-8"))
    print(f"\nmap figure JSON: {size:,} bytes (geojson by URL)")
    assert size < 200_000


def test_map_switches_quantity_and_zooms_into_a_kecamatan(store_engine, per, kajang):
    at = open_app("pages/peta.py")
    at.radio(key="peta-ukuran").set_value("cakupan").run()
    assert not at.exception
    trace = map_trace(map_figure(at))
    villages = figures.coverage_villages(per, engine=store_engine)
    classes = mapview.classes(villages["cakupan"], "cakupan")
    z = plotly_array(trace["z"])
    assert z == pytest.approx(list(classes.index(villages["cakupan"])))
    # Low coverage is dark: the worst village is in the darkest class, the best in the lightest.
    assert z[villages["cakupan"].astype(float).idxmin()] == 4
    assert z[villages["cakupan"].astype(float).idxmax()] == 0

    at.selectbox(key="f_kec").set_value(kajang).run()
    assert not at.exception
    figure = map_figure(at)
    trace = map_trace(figure)
    inside = figures.coverage_villages(per, kajang, store_engine)
    assert list(trace["locations"]) == list(inside["kode"])
    inside_classes = mapview.classes(inside["cakupan"], "cakupan")
    assert plotly_array(trace["z"]) == pytest.approx(list(inside_classes.index(inside["cakupan"])))
    layer = json.loads((PROJECT / "static" / trace["geojson"].removeprefix("app/static/")).read_text("utf-8"))
    assert {f["id"] for f in layer["features"]} == set(inside["kode"])
    assert set(table(at, "Skor")["Kode"]) == set(inside["kode"])  # the list follows the map
    # Zoomed into one kecamatan, its villages are named too (those that fit).
    names = {a["text"] for a in figure["layout"]["annotations"]}
    assert "KAJANG" in names
    assert len(names & set(inside["nama"])) >= len(inside) // 2


def test_priority_list_follows_its_stated_score(peta, store_engine, per):
    shown_list = table(peta, "Skor")
    assert shown_list["Skor"].is_monotonic_decreasing
    assert list(shown_list["Peringkat"]) == list(range(1, len(shown_list) + 1))

    # The score as the page states it, computed here from the coverage and the distances.
    villages = figures.coverage_villages(per, engine=store_engine).dropna(subset=["wajib_ktp"])
    lat0, lng0 = figures.office_location(store_engine)
    distance = pd.Series(np.asarray(distance_km(lat0, lng0, villages["lat"], villages["lng"]), float),
                         index=villages.index)
    belum = villages["belum_rekam"].astype(float)
    gap = 1 - villages["cakupan"].astype(float)
    score = 100 * (0.5 * belum / belum.max() + 0.3 * gap / gap.max() + 0.2 * distance / distance.max())
    by_hand = (pd.DataFrame({"kode": villages["kode"], "skor": score, "jarak": distance})
               .sort_values(["skor", "kode"], ascending=[False, True]))

    assert list(shown_list["Kode"]) == list(by_hand["kode"])
    np.testing.assert_allclose(shown_list["Skor"], by_hand["skor"].round(1), atol=1e-9)
    np.testing.assert_allclose(shown_list["Jarak dari kantor (km)"], by_hand["jarak"].round(1), atol=1e-9)
    shown_list = shown_list.set_index("Kode")
    assert list(shown_list.loc[by_hand["kode"], "Belum rekam"].astype(int)) == list(
        villages.set_index("kode").loc[by_hand["kode"], "belum_rekam"].astype(int))


def test_choosing_a_village_shows_its_figures(store_engine, per):
    at = open_app("pages/peta.py")
    first = table(at, "Skor")["Kode"].iloc[0]  # the top of the priority list
    at.selectbox(key="peta-desa").set_value(first).run()
    assert not at.exception

    row = figures.coverage_villages(per, engine=store_engine).set_index("kode").loc[first]
    assert f"{row['nama']} · Kecamatan {row['kecamatan_nama']}" in [s.value for s in at.header]
    assert_coverage_metrics(at, figures.Coverage(row["tanggal"].date(), int(row["wajib_ktp"]),
                                              int(row["sudah_rekam"]), int(row["belum_rekam"]),
                                              float(row["cakupan"])))
    # The village is outlined on the map; the others keep their full colour.
    figure = map_figure(at)
    outline = [t for t in figure["data"] if t.get("name") == "Dipilih"]
    assert len(outline) == 1 and list(outline[0]["locations"]) == [first]
    assert outline[0]["marker"]["line"]["width"] >= 3
    assert map_trace_main(figure)["unselected"]["marker"]["opacity"] == 1


def map_trace_main(figure: dict) -> dict:
    return next(t for t in figure["data"] if t.get("type") == "choroplethmap" and t.get("name") != "Dipilih")


# ---------------------------------------------------------------------------------------------
# 5. Mitra: who delivered what
# ---------------------------------------------------------------------------------------------

def test_mitra_leaderboard_covers_gertak_2018_by_default(mitra, store_engine, per):
    gertak_start = figures.programme_status("gertak_2018", as_of=per, engine=store_engine).mulai
    assert gertak_start == REPORT_DAY
    expected = figures.partner_leaderboard(gertak_start, per, None, None, store_engine)

    board = table(mitra, "Mitra", "Jumlah")
    assert leaderboard_rows(board) == expected_leaderboard(expected)
    assert any(f"{fmt.date(gertak_start)} – {fmt.date(per)}" in c.value for c in mitra.caption)

    # Its download holds the same rows (the trend sparkline is not a figure to export).
    csv = download(mitra, "unduh-mitra-csv")
    back = pd.read_csv(io.BytesIO(csv.content), sep=";", decimal=",", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back.drop(columns=[export.DEMO_COLUMN]),
                                  shown(board).drop(columns=["Tren bulanan"]), check_dtype=False)


def test_partnership_2017_delivered_45000_recordings(store_engine, per):
    at = open_app("pages/mitra.py")
    at.selectbox(key="f_layanan").set_value("rekam_ektp")
    at.button_group(key="mitra-periode").set_value("kemitraan").run()
    assert not at.exception

    programme = figures.programme_status("kemitraan_2017", as_of=per, engine=store_engine)
    expected = figures.partner_leaderboard(programme.mulai, programme.selesai, "rekam_ektp", None, store_engine)
    board = table(at, "Mitra", "Jumlah")
    assert leaderboard_rows(board) == expected_leaderboard(expected)
    assert int(board["Jumlah"].sum()) == int(expected["jumlah"].sum()) == 45_000  # the report's figure
    assert any(f"{fmt.date(programme.mulai)} – {fmt.date(programme.selesai)}" in c.value
               for c in at.caption)


# ---------------------------------------------------------------------------------------------
# 6. GERTAK 2018: on track or not
# ---------------------------------------------------------------------------------------------

def test_gertak_verdict_chart_and_the_late_finish_sentence(gertak, store_engine, per):
    v = verdict.gertak_verdict(per, None, store_engine)
    shown = strip_items(gertak)

    assert parse_angka(shown["sisa"]) == v.sisa
    assert parse_angka(shown["perlu"]) == pytest.approx(v.perlu_per_hari, abs=0.05)
    assert parse_angka(shown["laju"]) == pytest.approx(v.laju, abs=0.05)
    assert shown["proyeksi"] == fmt.date_short(v.proyeksi_selesai)

    # The demo's pace is too slow: the sentence says when it would finish, after the deadline.
    assert v.keadaan == "terlambat" and v.proyeksi_selesai > v.selesai
    assert shown["lencana"] == f"terlambat {fmt.number(v.terlambat_hari)} hari"
    sentence = [md.value for md in gertak.markdown if "setelah tenggat" in md.value]
    assert len(sentence) == 1
    assert fmt.date(v.proyeksi_selesai) in sentence[0]
    assert f"{fmt.number((v.proyeksi_selesai - v.selesai).days)} hari setelah tenggat" in sentence[0]

    # The chart's title gives achieved against where the straight path says it should be.
    card = card_texts(gertak, "grafik-gertak")
    assert card["chart"]
    assert f"{fmt.number(v.capaian)} dari {fmt.number(v.target)} perekaman" in card["title"]
    span = (v.selesai - v.mulai).days
    assert f"seharusnya {fmt.number(round(v.target * (v.tanggal - v.mulai).days / span))}" in card["title"]
    assert card["footer"].endswith(texts.DEMO_LABEL) and fmt.date(per) in card["footer"]


def test_gertak_per_kecamatan_shows_where_each_should_be_by_today(gertak, store_engine, per):
    figure = json.loads(card_texts(gertak, "grafik-gertak-kecamatan")["spec"])
    bars, ticks = figure["data"]
    verdicts = {v.kecamatan: v for v in verdict.programme_verdicts("gertak_2018", "kecamatan", per, store_engine)}
    names = dict(zip(*(figures.coverage_kecamatan(engine=store_engine)[c] for c in ("nama", "kode"))))
    for name, share, should in zip(bars["y"], plotly_array(bars["x"]), plotly_array(ticks["x"])):
        v = verdicts[names[name]]
        assert share == pytest.approx(v.capaian / v.target)
        assert should == pytest.approx((per - v.mulai).days / (v.selesai - v.mulai).days)
    assert figure["layout"]["xaxis"]["range"][0] == 0  # bars from zero


def test_gertak_per_service_table_shows_every_column_it_names(gertak, store_engine, per):
    shown_table = table(gertak, "Layanan", "Proyeksi selesai")
    services = verdict.programme_verdicts("gertak_2018", "layanan", per, store_engine)
    assert list(shown_table["Layanan"]) == [texts.LAYANAN[v.layanan] for v in services]
    assert list(shown_table["Keadaan"]) == [v.badge for v in services]
    assert any("pilihan kecamatan tidak berlaku" in c.value for c in gertak.caption)


# ---------------------------------------------------------------------------------------------
# 7. Unduh: files that hold what the pages show, and never run as formulas
# ---------------------------------------------------------------------------------------------

def reported_from_rows(villages: pd.DataFrame) -> pd.DataFrame:
    """Villages with figures per kecamatan, counted from the village rows (as figures.villages_reported)."""
    return villages.dropna(subset=["wajib_ktp"]).groupby("kecamatan_kode").size().rename("desa").reset_index()


def unduh_tables(per: dt.date, engine, kecamatan: str | None = None) -> dict[str, pd.DataFrame]:
    """The Unduh page's tables for a view, built here from the data module."""
    kec = figures.coverage_kecamatan(engine=engine)
    names = dict(zip(kec["kode"], kec["nama"]))  # as web.kecamatan_names()
    verdicts = [verdict.programme_verdict("gertak_2018", code, per, None, engine) for code in texts.LAYANAN]
    verdicts = [v for v in verdicts if v.target is not None]
    verdicts += [v for v in (verdict.programme_verdict("gertak_2018", "rekam_ektp", per, k, engine)
                             for k in names) if v.target is not None]
    return {
        "cakupan-kecamatan": tables.kecamatan_table(figures.coverage_kecamatan(per, engine),
                                                    reported_from_rows(figures.coverage_villages(per, None, engine))),
        "cakupan-desa": tables.village_table(figures.coverage_villages(per, kecamatan, engine)),
        "riwayat-desa": tables.village_history_table(figures.village_histories(kecamatan, per, engine)),
        "prioritas-desa": tables.priority_table(figures.priority_villages(per, kecamatan, engine)),
        "tren-perekaman": tables.trend_table(figures.recorded_trend(kecamatan, end=per, engine=engine)),
        "peringkat-mitra": tables.leaderboard_table(figures.partner_leaderboard(  # as the Mitra page opens
            figures.programme_period("gertak_2018", engine)[0], per, None, kecamatan, engine)),
        "kegiatan-mitra": tables.partner_activity_table(figures.partner_activity(None, per, None, kecamatan, engine)),
        "progres-gertak": tables.programme_table(verdicts, names),
    }


@pytest.fixture(scope="module")
def unduh_expected(store_engine, per) -> dict[str, pd.DataFrame]:
    """The Unduh page's tables for the whole regency, from the data module (built once)."""
    return unduh_tables(per, store_engine)


class Files(dict):
    """The files behind the shared Unduh run's buttons, by key: each built when first asked for
    (as a click builds it), then shared by the tests below, which only read them."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def __missing__(self, key: str):
        self[key] = download(self.at, key)
        return self[key]


@pytest.fixture(scope="module")
def unduh_files(unduh) -> Files:
    return Files(unduh)


def xlsx_sheet(content: bytes, name: str | None = None):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return book, (book[name] if name else book.worksheets[0])


@pytest.mark.slow
def test_unduh_files_hold_the_tables_named_with_the_data_date(unduh, unduh_expected, unduh_files, per):
    expected_tables = unduh_expected
    buttons = {b.key for b in unduh.get("download_button")}
    assert buttons == {f"unduh-{stem}-{ext}" for stem in expected_tables for ext in ("csv", "xlsx")} | {
        "unduh-semua-xlsx"}
    counts = [md.value for md in unduh.markdown if md.value.endswith(" baris")]
    assert [parse_angka(md.rsplit("·", 1)[1]) for md in counts] == [len(t) for t in expected_tables.values()]

    for stem, expected in expected_tables.items():
        csv = unduh_files[f"unduh-{stem}-csv"]
        xlsx = unduh_files[f"unduh-{stem}-xlsx"]
        for file, ext in ((csv, "csv"), (xlsx, "xlsx")):
            assert file.file_name == f"DATA-CONTOH_{stem}_{per.isoformat()}.{ext}"
        assert csv.content == export.to_csv(expected, demo=True), stem
        back = pd.read_csv(io.BytesIO(csv.content), sep=";", decimal=",", encoding="utf-8-sig",
                           dtype={"Kode": str})
        assert len(back) == len(expected)
        assert (back[export.DEMO_COLUMN] == export.DEMO_VALUE).all()
        book, sheet = xlsx_sheet(xlsx.content)
        from_xlsx = pd.read_excel(book, sheet_name=0, dtype={"Kode": str}, engine="openpyxl")  # the same file, read once
        assert len(from_xlsx) == len(expected), stem
        assert_xlsx_is_ready_to_read(book, sheet, expected, stem)


def assert_xlsx_is_ready_to_read(book, sheet, expected: pd.DataFrame, stem: str) -> None:
    """Thousands and percent formats, a frozen filterable header, sized columns, a Keterangan sheet."""
    header = [c.value for c in sheet[1]]
    assert header[:len(expected.columns)] == list(expected.columns), stem
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:"), stem
    assert all(c.font.bold for c in sheet[1])
    if sheet.max_row > 1:
        row = {h: c for h, c in zip(header, sheet[2])}
        for column in expected.columns:
            cell = row[column]
            width = sheet.column_dimensions[cell.column_letter].width
            assert width >= len(column) + 2, (stem, column, width)  # the header and its filter button fit
            if column.endswith("(%)") and cell.value is not None:
                assert cell.number_format == export.PERCENT, (stem, column)
                value = expected[column].iloc[0]
                assert cell.value == pytest.approx(value / 100)
            elif column in ("Wajib KTP", "Sudah rekam", "Belum rekam", "Jumlah", "Target", "Capaian", "Sisa"):
                assert cell.number_format == export.THOUSANDS, (stem, column)
    notes = book[export.NOTES_SHEET]
    text = {r[0]: r[1] for r in notes.iter_rows(min_row=2, values_only=True) if r[0]}
    assert text["Data per"] == "30/06/2018" and "Sumber" in text and "Judul" in text
    assert "PERHATIAN" in text and export.DEMO_VALUE in text["PERHATIAN"]
    assert any(k.startswith("Filter: ") for k in text)
    for column in expected.columns:
        if column in texts.COLUMN_DEFINITIONS:
            assert text[f"Kolom: {column}"] == texts.COLUMN_DEFINITIONS[column]


def test_unduh_for_one_kecamatan_names_it_and_says_which_filters_apply(store_engine, per, kajang):
    at = open_app("pages/unduh.py", query={"kec": kajang})
    assert not at.exception
    expected = unduh_tables(per, store_engine, kajang)
    desa = download(at, "unduh-cakupan-desa-xlsx")
    assert desa.file_name == f"DATA-CONTOH_cakupan-desa_kec-kajang_{per.isoformat()}.xlsx"
    assert len(pd.read_excel(io.BytesIO(desa.content))) == len(expected["cakupan-desa"])
    book, _sheet = xlsx_sheet(desa.content)
    notes = {r[0]: r[1] for r in book[export.NOTES_SHEET].iter_rows(min_row=2, values_only=True) if r[0]}
    assert notes["Filter: Wilayah"] == "Kecamatan Kajang"
    # The kecamatan file is always every kecamatan, and says so.
    kec_file = download(at, "unduh-cakupan-kecamatan-xlsx")
    assert len(pd.read_excel(io.BytesIO(kec_file.content))) == 10
    kec_notes = {r[0]: r[1] for r in xlsx_sheet(kec_file.content)[0][export.NOTES_SHEET]
                 .iter_rows(min_row=2, values_only=True) if r[0]}
    assert "pilihan kecamatan tidak berlaku" in kec_notes["Filter: Wilayah"]
    # Village history: every snapshot of every Kajang village up to the date.
    history = pd.read_excel(io.BytesIO(download(at, "unduh-riwayat-desa-xlsx").content), dtype={"Kode": str})
    assert set(history["Kode"]) == set(figures.coverage_villages(per, kajang, store_engine)["kode"])
    assert len(history) == len(expected["riwayat-desa"])
    activity = pd.read_excel(io.BytesIO(download(at, "unduh-kegiatan-mitra-xlsx").content), dtype={"Kode": str})
    assert activity["Jumlah"].sum() == figures.partner_leaderboard(None, per, None, kajang, store_engine)["jumlah"].sum()
    assert set(activity["Kecamatan"]) == {"Kajang"}
    assert any("Mengikuti filter: tanggal; selalu semua kecamatan" in c.value for c in at.caption)


@pytest.mark.slow
def test_one_workbook_holds_every_table(unduh_expected, unduh_files, per):
    expected = unduh_expected
    file = unduh_files["unduh-semua-xlsx"]
    assert file.file_name == f"DATA-CONTOH_semua-tabel_{per.isoformat()}.xlsx"
    # Read once, as pandas reads it (read-only, values), for the notes and then every sheet.
    book = openpyxl.load_workbook(io.BytesIO(file.content), read_only=True, data_only=True, keep_links=False)
    assert book.sheetnames == [export.NOTES_SHEET, *expected]
    lines = [r[1] for r in book[export.NOTES_SHEET].iter_rows(min_row=2, values_only=True) if r[0] == "Lembar"]
    assert lines == list(expected)
    sheets = pd.read_excel(book, sheet_name=list(expected), dtype={"Kode": str}, engine="openpyxl")
    for stem, table_ in expected.items():
        assert len(sheets[stem]) == len(table_), stem


def test_downloads_hold_exactly_what_the_pages_show(unduh_files, ringkasan, peta):
    """The kecamatan file against the Ringkasan table, the priority file against the Peta list."""
    for page, columns, key in ((ringkasan, ("Kecamatan", "Wajib KTP"), "unduh-cakupan-kecamatan-csv"),
                               (peta, ("Skor",), "unduh-prioritas-desa-csv")):
        on_page = shown(table(page, *columns))
        for file in (unduh_files[key], unduh_files[key.replace("-csv", "-xlsx")]):
            if file.file_name.endswith(".csv"):
                back = pd.read_csv(io.BytesIO(file.content), sep=";", decimal=",", encoding="utf-8-sig",
                                   dtype={"Kode": str})
            else:
                back = pd.read_excel(io.BytesIO(file.content), dtype={"Kode": str})
                back["Cakupan (%)"] = (back["Cakupan (%)"] * 100).round(1)  # stored as a share, shown as %
            pd.testing.assert_frame_equal(back.drop(columns=[export.DEMO_COLUMN]), on_page,
                                          check_dtype=False)


def test_exports_never_yield_formulas_and_keep_numbers_numbers():
    risky = pd.DataFrame({
        "Catatan": ["=1+1", "+62 812", "-5 rumah", "@SUM(A1)", "biasa"],
        "Jumlah": [1, -5, 300_230, 0, 7],
        "Cakupan (%)": [92.1, -0.5, 100.0, 0.0, 84.7],
        "=Kolom": ["a", "b", "c", "d", "e"],
    })

    back = pd.read_csv(io.BytesIO(export.to_csv(risky)), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(back["Catatan"]) == ["'=1+1", "'+62 812", "'-5 rumah", "'@SUM(A1)", "biasa"]
    assert list(back.columns) == ["Catatan", "Jumlah", "Cakupan (%)", "'=Kolom"]
    assert back["Jumlah"].dtype.kind == "i" and list(back["Jumlah"]) == list(risky["Jumlah"])
    assert back["Cakupan (%)"].dtype.kind == "f" and list(back["Cakupan (%)"]) == list(risky["Cakupan (%)"])
    text = export.to_csv(risky).decode("utf-8-sig")
    for field in (f for line in text.splitlines() for f in line.split(";")):
        if field[:1] in ("=", "+", "-", "@"):  # a spreadsheet would read it as a formula …
            assert re.fullmatch(r"-?\d+(,\d+)?", field), field  # … unless it is a plain number

    sheet = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(risky, "Uji"))).active
    rows = list(sheet.iter_rows())
    cells = [cell for row in rows for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    header = {cell.value: i for i, cell in enumerate(rows[0])}
    assert "=Kolom" in header and rows[0][header["=Kolom"]].quotePrefix
    for i, row in enumerate(rows[1:]):
        original = risky.iloc[i]
        note, count, share = row[header["Catatan"]], row[header["Jumlah"]], row[header["Cakupan (%)"]]
        assert note.data_type == "s"  # text, shown as written (Excel's quote prefix, no visible ')
        risky_start = original["Catatan"][:1] in ("=", "+", "-", "@")
        assert note.value == original["Catatan"]
        assert note.quotePrefix == risky_start
        assert count.data_type == "n" and count.value == original["Jumlah"]
        assert share.data_type == "n" and share.value == pytest.approx(original["Cakupan (%)"] / 100)
        assert share.number_format == export.PERCENT and count.number_format == export.THOUSANDS


# ---------------------------------------------------------------------------------------------
# The factory itself: a store of one's own
# ---------------------------------------------------------------------------------------------

def test_open_app_uses_the_given_store_for_every_run(tmp_path, regions):
    from bulukumba.storage import demo, reference

    url = f"sqlite:///{tmp_path / 'maret.sqlite'}"
    own = store.engine_for(url)
    reference.ensure_reference(own, regions)
    demo.load(own, as_of=dt.date(2018, 3, 31))

    at = open_app(db_url=url)
    assert config.database_url() != url  # restored after the run
    assert any(c.value.startswith(f"Data per {fmt.date(dt.date(2018, 3, 31))} ·") for c in at.caption)
    assert_coverage_metrics(at, figures.coverage_total(engine=own))
    at.switch_page("pages/gertak.py")
    at.run()  # a later run still reads that store
    assert not at.exception
    assert any(c.value.startswith(f"Data per {fmt.date(dt.date(2018, 3, 31))} ·") for c in at.caption)


def test_the_map_size_cookie_is_read_only_when_it_is_two_plausible_numbers():
    """The cookie that lets a reload draw the map at its width is the browser's to change: any
    other value is ignored and the map is measured as on a first visit."""
    from bulukumba.web.browser import remembered_size

    assert remembered_size("828x1080") == (828, 1080)
    for bad in (None, "", "828", "828x", "x1080", "828x1080;x", "-828x1080", "50x1080", "828x99999", "8e2x1080"):
        assert remembered_size(bad) == (None, None), bad
