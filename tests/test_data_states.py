"""Every page stays true on every data state a real office meets (tests/data_states.py):
what it draws reconciles with the data module, one point is a sentence and not a chart, a
change needs a comparison date, and where data is missing the page says which import and which
template add it. The figures are read back from what the page rendered."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

import data_states
from apptest_support import open_app, parse_angka, plotly_array, table
from readback import card_texts
from bulukumba import figures
from bulukumba.language import fmt, texts
from bulukumba.presentation import mapview
from bulukumba.storage import store

PAGES = ("ringkasan", "peta", "mitra", "gertak", "unduh")
_runs: dict = {}


@pytest.fixture(scope="module", params=data_states.STATES)
def state(request, tmp_path_factory, regions):
    url = data_states.store_for(request.param, tmp_path_factory, regions)
    return request.param, url, store.engine_for(url)


def run(state, page: str, kecamatan: str | None = None):
    """One read-only run of `page` on the state's store, shared by the tests here."""
    name, url, _engine = state
    key = (name, page, kecamatan)
    if key not in _runs:
        at = open_app(f"pages/{page}.py", query={"kec": kecamatan} if kecamatan else None, db_url=url)
        assert not at.exception, (key, at.exception)
        _runs[key] = at
    return _runs[key]


def figure(at, key: str) -> dict:
    card = card_texts(at, key)
    assert card["chart"], (key, card)
    return json.loads(card["spec"])


def has_activity(engine) -> bool:
    return figures.partner_leaderboard(engine=engine)["jumlah"].sum() > 0


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_on_every_state(state, page):
    at = run(state, page)
    assert not at.exception
    assert (any(texts.DEMO_LABEL in w.value for w in at.warning)) == (state[0] == "contoh")


# ---------------------------------------------------------------------------------------------
# Ringkasan
# ---------------------------------------------------------------------------------------------

def test_ringkasan_charts_reconcile_with_the_data_module(state):
    name, _url, engine = state
    at = run(state, "ringkasan")
    per = figures.latest_date(engine)
    kec = figures.coverage_kecamatan(per, engine)

    dots = figure(at, "grafik-kecamatan")["data"][0]
    reported = kec.dropna(subset=["cakupan"]).sort_values("cakupan")
    assert list(dots["y"]) == list(reported["nama"])
    assert plotly_array(dots["x"]) == pytest.approx(list(reported["cakupan"]))
    card = card_texts(at, "grafik-kecamatan")
    low = reported.iloc[0]
    assert f"terendah {low['nama']} ({fmt.percent(low['cakupan'])})" in card["title"]
    assert card["footer"].startswith("Sumber: data registri") and fmt.date(per) in card["footer"]
    assert card["footer"].endswith(texts.DEMO_LABEL) == (name == "contoh")

    villages = figures.coverage_villages(per, engine=engine)
    bars = figure(at, "grafik-top5")["data"][0]
    top = villages.dropna(subset=["belum_rekam"]).nlargest(5, "belum_rekam", keep="all").iloc[::-1]  # ties drawn
    assert plotly_array(bars["x"]) == [int(v) for v in top["belum_rekam"]]
    assert figure(at, "grafik-top5")["layout"]["xaxis"]["range"][0] == 0  # bars from zero

    trend = figures.recorded_trend(end=per, engine=engine)
    tren = card_texts(at, "grafik-tren")
    if len(trend) == 1:  # one point is a sentence, not a chart
        assert not tren["chart"]
        assert "Baru satu tanggal data registri" in tren["sentence"]
        assert fmt.number(trend["sudah_rekam"].iloc[0]) in tren["sentence"]
    else:
        line = [t for t in figure(at, "grafik-tren")["data"] if t["name"] == "Sudah rekam"][0]
        assert plotly_array(line["y"]) == [int(v) for v in trend["sudah_rekam"]]

    # The table's bar is on 0-100, whatever the figures.
    shown = table(at, "Kecamatan", "Wajib KTP")
    assert any("skala 0–100%" in c.value for c in at.caption)
    assert list(shown["Kode"]) == list(kec["kode"])


def test_a_kecamatan_with_no_village_reported_says_so(state):
    name, _url, engine = state
    if name != "kecamatan_kosong":
        pytest.skip("only this state has a silent kecamatan")
    at = run(state, "ringkasan")
    shown = table(at, "Kecamatan", "Desa melapor").set_index("Kecamatan")
    assert shown.loc["Kindang", "Desa melapor"] == 0
    assert pd.isna(shown.loc["Kindang", "Wajib KTP"])  # no figure, not a zero
    assert (shown.drop(index="Kindang")["Desa melapor"] > 0).all()
    assert "Belum ada data registri: Kindang." in card_texts(at, "grafik-kecamatan")["subtitle"]

    alone = run(state, "ringkasan", data_states.KINDANG)
    info = " ".join(i.value for i in alone.info)
    assert "Belum ada data registri untuk Kecamatan Kindang" in info
    assert "template registri" in info and "Kelola data" in info
    assert not alone.metric  # no zeros dressed up as figures
    assert card_texts(alone, "grafik-tren")["info"]  # the trend says what is missing

    peta = run(state, "peta")
    silent = figures.coverage_villages(engine=engine)["kecamatan_kode"].eq(data_states.KINDANG).sum()
    assert f"Putih: {fmt.number(silent)} desa/kelurahan belum ada datanya" in card_texts(peta, "peta")["subtitle"]
    empty_map = card_texts(run(state, "peta", data_states.KINDANG), "peta")
    assert not empty_map["chart"] and "template registri" in empty_map["sentence"]


# ---------------------------------------------------------------------------------------------
# Peta
# ---------------------------------------------------------------------------------------------

def test_the_map_colours_by_classes_stated_in_its_legend(state):
    _name, _url, engine = state
    at = run(state, "peta")
    per = figures.latest_date(engine)
    villages = figures.coverage_villages(per, engine=engine)
    spec = figure(at, "peta")
    trace = next(t for t in spec["data"] if t["type"] == "choroplethmap")
    classes = mapview.classes(villages["belum_rekam"], "belum_rekam")
    assert plotly_array(trace["z"]) == pytest.approx(list(classes.index(villages["belum_rekam"])), nan_ok=True)
    legend = next(h.proto.body for h in at.get("html") if "legenda-peta" in h.proto.body)
    assert all(label in legend for label in classes.labels)
    assert "kuantil" in legend
    # Light classes stay visible on white; borders are grey.
    assert mapview.contrast_with_white(classes.colours[0]) >= 1.3
    assert trace["marker"]["line"]["color"] == mapview.OUTLINE


# ---------------------------------------------------------------------------------------------
# Mitra
# ---------------------------------------------------------------------------------------------

def test_mitra_with_no_partner_activity_says_how_to_add_it(state):
    _name, _url, engine = state
    at = run(state, "mitra")
    if has_activity(engine):
        pytest.skip("this state has partner activity")
    info = " ".join(i.value for i in at.info)
    assert "Belum ada kegiatan mitra tercatat" in info and "template kegiatan" in info
    assert not [d for d in at.dataframe if "Peringkat" in d.value.columns]  # nobody ranked 1 for nothing
    card = card_texts(at, "grafik-mitra")
    assert not card["chart"] and "template kegiatan" in card["sentence"]
    months = card_texts(at, "grafik-mitra-bulanan")
    assert not months["chart"] and "Tidak ada kegiatan" in months["sentence"]
    assert "empty" not in " ".join(m.value for m in at.markdown).lower()


def test_mitra_leaderboard_chart_reconciles_and_names_its_unit(state):
    _name, _url, engine = state
    if not has_activity(engine):
        pytest.skip("no partner activity in this state")
    at = run(state, "mitra")
    per = figures.latest_date(engine)
    period = figures.programme_period("gertak_2018", engine)
    # The page opens on GERTAK 2018's period, or on the last 30 days when there is no programme.
    start = period[0] if period else per - dt.timedelta(days=29)
    board = figures.partner_leaderboard(start, per, None, None, engine)
    bars = figure(at, "grafik-mitra")["data"][0]
    assert list(bars["y"]) == list(board["nama"].iloc[::-1])
    assert plotly_array(bars["x"]) == [int(v) for v in board["jumlah"].iloc[::-1]]
    card = card_texts(at, "grafik-mitra")
    assert card["subtitle"].startswith(texts.MITRA_SEMUA)
    assert f"dari {fmt.number(board['jumlah'].sum())} layanan" in card["title"]
    assert card["footer"].startswith("Sumber: laporan kegiatan mitra")
    assert [s.value for s in at.header][0] == f"Peringkat mitra · {texts.MITRA_SEMUA}"


def test_partner_villages_follow_the_kecamatan(tmp_path_factory, regions):
    url = data_states.store_for("contoh", tmp_path_factory, regions)
    engine = store.engine_for(url)
    kajang = "73.02.06"
    at = open_app("pages/mitra.py", query={"kec": kajang}, db_url=url)
    at.selectbox(key="mitra-rinci").set_value("lakpesdam_nu").run()
    assert not at.exception
    shown = table(at, "Desa/kelurahan", "Warga rentan")
    assert set(shown["Kecamatan"]) == {"Kajang"}  # not Ujung Bulu, Gantarang, Herlang …
    start = figures.programme_period("gertak_2018", engine)[0]
    expected = figures.partner_villages("lakpesdam_nu", start, figures.latest_date(engine), None, engine, kecamatan=kajang)
    assert list(shown["Kode"]) == list(expected["kode"])
    assert any(f"Desa yang dijangkau di Kecamatan Kajang: {fmt.number(len(expected))}" in m.value for m in at.markdown)
    # The 2017 panel ignores the kecamatan, and says so.
    assert any("pilihan kecamatan, layanan dan periode tidak berlaku" in c.value for c in at.caption)


def test_the_service_filter_appears_only_where_it_acts(tmp_path_factory, regions):
    url = data_states.store_for("contoh", tmp_path_factory, regions)
    at = open_app("pages/mitra.py", db_url=url)
    at.selectbox(key="f_layanan").set_value("rekam_ektp").run()
    assert [s.value for s in at.header][0] == f"Peringkat mitra · {texts.MITRA_EKTP}"
    for page, drawn in (("ringkasan", False), ("peta", False), ("gertak", False), ("unduh", True), ("mitra", True)):
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception
        keys = [s.key for s in at.selectbox]
        assert ("f_layanan" in keys) == drawn, page
        if drawn:  # the choice made on Mitra is kept across pages that do not show it
            assert at.selectbox(key="f_layanan").value == "rekam_ektp"
    assert at.query_params.get("layanan") == "rekam_ektp"


# ---------------------------------------------------------------------------------------------
# GERTAK
# ---------------------------------------------------------------------------------------------

def test_gertak_without_a_target_says_which_template(state):
    _name, _url, engine = state
    at = run(state, "gertak")
    if figures.programme_status("gertak_2018", engine=engine) is not None:
        chart = card_texts(at, "grafik-gertak")
        change = figures.recorded_change(None, 28, None, engine)
        assert chart["chart"] == change.ada  # no progress line drawn from one date
        return
    sentence = " ".join(m.value for m in at.markdown)
    assert "Belum ada target GERTAK 2018" in sentence and "template target" in sentence
    assert not at.get("plotly_chart")


# ---------------------------------------------------------------------------------------------
# Unduh
# ---------------------------------------------------------------------------------------------

def test_unduh_counts_match_the_data_module(state):
    _name, _url, engine = state
    at = run(state, "unduh")
    per = figures.latest_date(engine)
    counts = {md.value.split("**")[1]: parse_angka(md.value.rsplit("·", 1)[1])
              for md in at.markdown if md.value.endswith(" baris")}
    assert counts["Cakupan per desa/kelurahan"] == 136
    history = figures.village_histories(None, per, engine)
    assert counts["Riwayat per desa/kelurahan: setiap tanggal data"] == len(history)
    activity_title = next(k for k in counts if k.startswith("Kegiatan mitra per mitra"))
    assert counts[activity_title] == len(figures.partner_activity(None, per, None, None, engine))


def test_an_empty_download_says_which_import_fills_it(state):
    _name, _url, engine = state
    if has_activity(engine):
        pytest.skip("this state has partner activity")
    at = run(state, "unduh")
    captions = [c.value for c in at.caption]
    assert any("Belum ada data untuk tabel ini" in c and "template kegiatan" in c for c in captions)
