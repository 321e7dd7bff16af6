"""The data module's figures, checked against figures computed by hand."""
from __future__ import annotations

import datetime as dt
import itertools
from datetime import date

import pytest

from bulukumba import figures
from bulukumba.storage import store

TANAH_TOWA, LEMBANNA = "73.02.06.2006", "73.02.06.2004"
KAJANG = "73.02.06"


def batch(conn, name: str, jenis: str = "registri") -> int:
    return store.start_batch(conn, nama_file=name, sha256=name.ljust(64, "0"), jenis=jenis,
                             jumlah_baris=0, oleh="pengujian")


def snap(conn, b, village, day, wajib, rekam):
    conn.execute(store.registri.insert().values(desa_kode=village, tanggal=day, wajib_ktp=wajib,
                                                sudah_rekam=rekam, impor_id=b))


def act(conn, b, day, partner, village, n, service="rekam_ektp", rentan="umum"):
    conn.execute(store.kegiatan.insert().values(
        tanggal=day, mitra_kode=partner, desa_kode=village, layanan=service, jumlah=n,
        cara="jemput_bola", rentan=rentan, impor_id=b))


@pytest.fixture
def small(engine):
    """Two Kajang villages reported on different days, and a little partner work."""
    with engine.begin() as conn:
        b = batch(conn, "registri")
        snap(conn, b, TANAH_TOWA, date(2018, 1, 1), 1000, 700)
        snap(conn, b, TANAH_TOWA, date(2018, 2, 1), 1000, 760)
        snap(conn, b, LEMBANNA, date(2018, 1, 15), 500, 450)
        k = batch(conn, "kegiatan", "kegiatan")
        act(conn, k, date(2018, 1, 10), "lakpesdam_nu", TANAH_TOWA, 40)
        act(conn, k, date(2018, 1, 20), "lakpesdam_nu", LEMBANNA, 20)
        act(conn, k, date(2018, 1, 25), "ppdi", TANAH_TOWA, 3, rentan="disabilitas")
        act(conn, k, date(2018, 1, 26), "pkk", TANAH_TOWA, 5, service="akta_kematian")
        t = batch(conn, "target", "target")
        conn.execute(store.target.insert().values(
            program="gertak_2018", layanan="rekam_ektp", kecamatan_kode=None, nilai=1000,
            mulai=date(2018, 1, 1), selesai=date(2018, 3, 2), dasar="registri", impor_id=t))
    return engine


def test_a_village_counts_with_its_latest_snapshot_on_or_before_the_date(small):
    villages = figures.coverage_villages("2018-01-20", KAJANG, engine=small).set_index("kode")
    assert villages.loc[TANAH_TOWA, "sudah_rekam"] == 700      # the 1 Feb snapshot is later
    assert villages.loc[LEMBANNA, "sudah_rekam"] == 450
    assert villages.loc[TANAH_TOWA, "belum_rekam"] == 300
    assert villages.loc[TANAH_TOWA, "cakupan"] == pytest.approx(0.7)
    assert villages["wajib_ktp"].isna().sum() == len(villages) - 2  # the rest have no data yet


def test_totals_add_villages_reported_on_different_days(small):
    total = figures.coverage_total("2018-02-01", engine=small)
    assert (total.wajib_ktp, total.sudah_rekam, total.belum_rekam) == (1500, 1210, 290)
    assert total.cakupan == pytest.approx(1210 / 1500)
    kajang = figures.coverage_kecamatan("2018-02-01", engine=small).set_index("kode").loc[KAJANG]
    assert (kajang["wajib_ktp"], kajang["sudah_rekam"]) == (1500, 1210)
    trend = figures.recorded_trend(engine=small)
    # 1 Jan: only Tanah Towa; 15 Jan: both; 1 Feb: Tanah Towa's new figure plus Lembanna's old one.
    assert list(trend["sudah_rekam"]) == [700, 1150, 1210]


def test_change_over_a_window(small):
    change = figures.recorded_change("2018-02-01", days=30, engine=small)
    # 2 Jan: 700 of 1000 recorded; 1 Feb: 1210 of 1500.
    assert change.sudah_rekam == 510
    assert change.cakupan_poin == pytest.approx((1210 / 1500 - 0.7) * 100)


@pytest.mark.parametrize("days, since, rise", [
    (20, date(2018, 1, 15), 60),   # 12 Jan: 15 Jan (3 days after) is nearer than 1 Jan (11 before)
    (17, date(2018, 1, 15), 60),   # 15 Jan itself
    (24, date(2018, 1, 1), 510),   # 8 Jan: 1 Jan and 15 Jan equally near, the older counts
    (90, date(2018, 1, 1), 510),   # before the data: the first snapshot
])
def test_a_change_compares_with_the_earlier_snapshot_nearest_the_window(small, days, since, rise):
    """Snapshots on 1 Jan (700 recorded), 15 Jan (1,150) and 1 Feb (1,210)."""
    change = figures.recorded_change("2018-02-01", days=days, engine=small)
    assert (change.dari, change.sampai, change.sudah_rekam) == (since, date(2018, 2, 1), rise)
    assert change.hari == (date(2018, 2, 1) - since).days


def test_partner_leaderboard(small):
    board = figures.partner_leaderboard("2018-01-01", "2018-01-31", "rekam_ektp", engine=small)
    top = board.iloc[0]
    assert (top["nama"], top["jumlah"], top["desa"], top["peringkat"]) == ("Lakpesdam NU", 60, 2, 1)
    assert top["porsi"] == pytest.approx(60 / 63)
    ppdi = board.set_index("kode").loc["ppdi"]
    assert (ppdi["jumlah"], ppdi["rentan"], ppdi["peringkat"]) == (3, 3, 2)
    assert len(board) == 8 and board.iloc[-1]["jumlah"] == 0
    everything = figures.partner_leaderboard(engine=small)
    assert everything["jumlah"].sum() == 68


def test_programme_status_by_hand(small):
    # Baseline 1 Jan: 700 recorded. 20 Jan: 1150 (Lembanna's first report adds 450).
    mid = figures.programme_status("gertak_2018", as_of="2018-01-20", engine=small)
    assert (mid.capaian, mid.sisa) == (450, 550)
    assert mid.laju_28 == pytest.approx(450 / 28)
    assert mid.laju_perlu == pytest.approx(550 / 41)           # 41 days to 2 March
    assert mid.proyeksi_selesai == date(2018, 1, 20) + dt.timedelta(days=35)  # ceil(550 / (450/28))
    assert not mid.terlambat
    late = figures.programme_status("gertak_2018", as_of="2018-02-01", engine=small)
    assert late.capaian == 510
    assert late.proyeksi_selesai == date(2018, 2, 1) + dt.timedelta(days=27)  # ceil(490 / (510/28))
    progress = figures.programme_progress("gertak_2018", engine=small)
    assert list(progress["capaian"]) == [0, 450, 510]
    assert list(progress["target_jalur"]) == [0, round(1000 * 14 / 60), round(1000 * 31 / 60)]


@pytest.mark.parametrize("as_of", [None, "2018-01-10", "2018-03-15", "2018-06-30"])
def test_villages_reported_counts_the_village_rows_with_figures(demo_engine, as_of):
    """The Unduh page and the kecamatan table count reporting villages in the database; the
    count is the village rows that have figures on that date."""
    rows = figures.coverage_villages(as_of, engine=demo_engine).dropna(subset=["wajib_ktp"])
    expected = rows.groupby("kecamatan_kode").size()
    counted = figures.villages_reported(as_of, demo_engine).set_index("kecamatan_kode")["desa"]
    assert counted.to_dict() == expected.to_dict() and len(counted) > 0


def test_programme_targets_are_what_the_statuses_judge(demo_engine):
    for by in ("layanan", "kecamatan"):
        statuses = figures.programme_statuses("gertak_2018", by, None, demo_engine)
        chosen = figures.programme_targets("gertak_2018", by, demo_engine)
        key = "layanan" if by == "layanan" else "kecamatan_kode"
        assert [getattr(s, key) for s in statuses] == list(chosen[key]) and len(statuses) > 0
        assert [s.target for s in statuses] == list(chosen["nilai"])


def test_partner_totals_are_the_leaderboards_sums(demo_engine):
    """The public page's protected figures for the date before read partner_totals: each
    partner's activity and vulnerable residents as the leaderboard has them, every partner."""
    periods = ((None, "2018-06-30"), ("2018-01-19", "2018-03-15"), ("2018-05-01", "2018-05-28"))
    # The whole store reads the daily summary; one regency (the public page of a store of
    # several) or kecamatan (a verdict's top partner) reads its rows: all are the leaderboard's sums.
    areas = ((None, None), ("73.02", None), (None, KAJANG))
    for (start, end), service, (kab, kec) in itertools.product(periods, (None, "rekam_ektp"), areas):
        board = figures.partner_leaderboard(start, end, service, kec, demo_engine, kabupaten=kab).set_index("kode")
        totals = figures.partner_totals(start, end, service, demo_engine, kab, kecamatan=kec).set_index("kode")
        assert list(totals.index) == list(figures.partners(demo_engine)["kode"])
        assert totals[["jumlah", "rentan"]].equals(board.loc[totals.index, ["jumlah", "rentan"]])
        assert totals["jumlah"].sum() > 0


def test_activity_total_is_what_the_leaderboard_adds_up_to(demo_engine):
    """A target counted from partner activity takes its pace from `activity_total`: every
    partner's work of that service in the period, as the leaderboard lists it."""
    kecamatan = next(iter(figures.kecamatan_names(demo_engine)))
    for start, end in ((None, "2018-06-30"), ("2018-01-19", "2018-03-15"), ("2018-05-01", "2018-05-28")):
        for service in store.SERVICES:
            for area in (None, kecamatan):
                board = figures.partner_leaderboard(start, end, service, area, demo_engine)
                assert figures.activity_total(service, start, end, area, demo_engine) == board["jumlah"].sum()
    assert figures.activity_total("rekam_ektp", "2018-03-01", "2018-03-31", engine=demo_engine) > 0


def test_undoing_a_batch_removes_its_figures(small):
    before = figures.coverage_total(engine=small).sudah_rekam
    with small.begin() as conn:
        conn.execute(store.impor.update().where(store.impor.c.nama_file == "registri")
                     .values(status="dibatalkan"))
        store.bump_version(conn)
    assert before == 1210
    assert figures.coverage_total(engine=small).sudah_rekam == 0


def test_a_write_from_another_process_shows_on_the_next_call(small, tmp_path):
    assert figures.coverage_total(engine=small).sudah_rekam == 1210
    other = store.make_engine(str(small.url))  # a separate engine and pool: another writer
    with other.begin() as conn:
        b = batch(conn, "susulan")
        snap(conn, b, LEMBANNA, date(2018, 3, 1), 500, 480)
    other.dispose()
    assert figures.coverage_total(engine=small).sudah_rekam == 1240


def test_freshness(small):
    fresh = figures.freshness(small)
    assert fresh.data_per == date(2018, 2, 1)
    assert not fresh.contoh
    assert fresh.diperbarui is not None


@pytest.mark.slow
def test_a_page_run_reads_the_data_version_once_not_once_per_call():
    """GERTAK once asked the database for the data version before every one of its ~6,000
    memoised calls; a run now reads it when it starts (and the refresh watcher once more)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from apptest_support import open_app
    from bulukumba import web

    at = open_app("pages/gertak.py")
    url = str(store.engine_for(web.config.database_url()).url)
    reads = []

    def count(conn, cursor, statement, *args):
        # Listen on every engine: the app's own engine object may not be the one engine_for
        # hands out now (its cache is bounded), only its URL is sure to be the same.
        if "FROM meta" in statement and str(conn.engine.url) == url:
            reads.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        at.run()
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert not at.exception
    assert 1 <= len(reads) <= 2, reads


def test_many_sessions_asking_at_once_share_one_query(small):
    """After an import, every open session reruns at the same moment: the question is sent once."""
    import threading

    from sqlalchemy import event

    sent = []
    event.listen(small, "before_cursor_execute",
                 lambda conn, cursor, statement, *a: sent.append(statement) if "registri_berlaku" in statement else None)
    results, gate = [], threading.Barrier(8)

    def session():
        gate.wait()
        results.append(figures.coverage_villages("2018-01-20", KAJANG, engine=small))

    threads = [threading.Thread(target=session) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 8 and all(r.equals(results[0]) for r in results)
    assert len([s for s in sent if "FROM desa" in s]) == 1, sent


@pytest.mark.parametrize("as_of", [None, "2018-01-10", "2018-03-15", "2018-06-30"])
def test_statuses_of_every_kecamatan_at_once_equal_one_at_a_time(demo_engine, as_of):
    """GERTAK's per-kecamatan list is computed in one pass; each must equal its own status."""
    together = figures.programme_statuses("gertak_2018", "kecamatan", as_of, demo_engine)
    assert len(together) == 10
    for status in together:
        alone = figures.programme_status("gertak_2018", "rekam_ektp", status.kecamatan_kode, as_of, demo_engine)
        assert status == alone
