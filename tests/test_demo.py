"""The demo data matches the January 2018 report exactly and is always marked as demo."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from bulukumba import figures
from bulukumba.storage import demo, store

REPORT_DAY = dt.date(2018, 1, 19)


def activity(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(store.kegiatan, store.desa.c.kecamatan_kode)
                            .join(store.desa)).mappings().all()
    return pd.DataFrame(rows)


def test_the_regency_figures_on_the_report_day_are_the_reports(demo_engine):
    regency = figures.coverage_total(REPORT_DAY, engine=demo_engine)
    assert (regency.wajib_ktp, regency.sudah_rekam, regency.belum_rekam) == (325_880, 300_230, 25_650)
    assert regency.tanggal == REPORT_DAY


def test_partners_recorded_45000_from_may_to_december_2017_against_75000(demo_engine):
    board = figures.partner_leaderboard("2017-05-01", "2017-12-31", "rekam_ektp", engine=demo_engine)
    assert board["jumlah"].sum() == 45_000
    assert len(board) == 8 and (board["jumlah"] > 0).all()
    status = figures.programme_status("kemitraan_2017", as_of="2017-12-31", engine=demo_engine)
    assert (status.target, status.capaian) == (75_000, 45_000)
    rows = activity(demo_engine)
    partnership = rows[(rows["layanan"] == "rekam_ektp") & (rows["tanggal"] < dt.date(2018, 1, 1))]
    assert partnership["tanggal"].min() >= dt.date(2017, 5, 1)


def test_gertak_has_closed_about_half_the_gap_by_the_end_of_june(demo_engine):
    status = figures.programme_status("gertak_2018", as_of="2018-06-30", engine=demo_engine)
    assert status.target == 25_650
    assert 0.45 <= status.persen <= 0.55
    assert status.mulai == REPORT_DAY and status.selesai == dt.date(2018, 12, 31)


def test_kecamatan_wajib_ktp_follows_the_bps_population(demo_engine):
    kec = figures.coverage_kecamatan(REPORT_DAY, engine=demo_engine)
    population = kec["nama"].str.replace(" ", "").str.lower().map(demo.BPS_POPULATION)
    expected = 325_880 * population / sum(demo.BPS_POPULATION.values())
    assert (kec["wajib_ktp"] - expected).abs().max() < 1
    assert kec["wajib_ktp"].sum() == 325_880


def test_remote_villages_are_behind(demo_engine):
    villages = figures.coverage_villages("2018-06-30", engine=demo_engine)
    regency = figures.coverage_total("2018-06-30", engine=demo_engine).cakupan
    kec = figures.coverage_kecamatan("2018-06-30", engine=demo_engine).set_index("nama")["cakupan"]
    assert kec["Kindang"] < regency and kec["Kajang"] < regency
    lowest = villages.sort_values("cakupan")
    assert lowest.iloc[0]["nama"] == "Tanah Towa"


def test_partners_do_what_the_report_says(demo_engine):
    rows = activity(demo_engine)
    lakpesdam = rows[rows["mitra_kode"] == "lakpesdam_nu"]
    assert lakpesdam["desa_kode"].nunique() == 7
    assert set(lakpesdam["kecamatan_kode"]) == {"73.02.06", "73.02.08"}  # Kajang and Kindang
    deaths = rows[rows["layanan"] == "akta_kematian"]
    assert set(deaths["mitra_kode"]) == {"pkk", "dai_muda"}
    assert set(deaths[deaths["mitra_kode"] == "dai_muda"]["cara"]) == {"malam_takziah"}
    assert set(deaths[deaths["mitra_kode"] == "pkk"]["cara"]) == {"dasa_wisma"}
    ppdi = rows[rows["mitra_kode"] == "ppdi"]
    assert set(ppdi["rentan"]) == {"disabilitas"} and set(ppdi["cara"]) == {"jemput_bola"}


def test_every_demo_row_is_marked_as_demo(demo_engine):
    with demo_engine.connect() as conn:
        batches = conn.execute(sa.select(store.impor)).mappings().all()
        for table in (store.registri, store.kegiatan, store.target):
            ids = set(conn.execute(sa.select(table.c.impor_id).distinct()).scalars())
            assert ids == {b["id"] for b in batches if b["contoh"]}
    assert figures.freshness(demo_engine).hanya_contoh


@pytest.mark.slow
def test_the_demo_is_deterministic(engine, demo_engine):
    with engine.connect() as a, demo_engine.connect() as b:
        first, second = demo.build(a), demo.build(b)
    assert first == second


def test_the_demo_never_mixes_into_a_store_with_figures(demo_engine):
    with pytest.raises(RuntimeError, match="sudah berisi data"):
        demo.load(demo_engine)


def test_registry_figures_never_go_backwards(demo_engine):
    trend = figures.recorded_trend(engine=demo_engine)
    assert trend["sudah_rekam"].is_monotonic_increasing
    assert trend["tanggal"].min() == pd.Timestamp("2017-01-31")
