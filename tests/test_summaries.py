"""The derived registry summaries answer exactly what the raw rows say, after every kind of write.

The figures are checked against a plain reading of `registri` in pandas: per village, the row
of an active batch with the latest date on or before the day, the later batch winning for the
same date. Runs on this run's kind of store (SQLite, or PostgreSQL in CI's second pass).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from bulukumba import data, store, summaries
from conftest import new_store_url

TANAH_TOWA, LEMBANNA, KAJANG = "73.02.06.2006", "73.02.06.2004", "73.02.06"


def by_hand(engine, day: dt.date, kecamatan: str | None = None) -> tuple[int, int]:
    """(wajib, rekam) on `day`, from the raw rows, without the summaries."""
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(
            sa.select(store.registri.c.desa_kode, store.registri.c.tanggal, store.registri.c.wajib_ktp,
                      store.registri.c.sudah_rekam, store.registri.c.impor_id, store.desa.c.kecamatan_kode)
            .join(store.desa).join(store.impor)
            .where(store.impor.c.status == "aktif")).all(),
            columns=["desa", "tanggal", "wajib", "rekam", "impor", "kec"])
    if kecamatan is not None:
        rows = rows[rows["kec"] == kecamatan]
    rows = rows[rows["tanggal"] <= day].sort_values(["desa", "tanggal", "impor"])
    latest = rows.drop_duplicates("desa", keep="last")
    return int(latest["wajib"].sum()), int(latest["rekam"].sum())


def figures(engine, day, kecamatan=None) -> tuple[int, int]:
    total = data.coverage_total(day, kecamatan, engine)
    return total.wajib_ktp, total.sudah_rekam


def batch(conn, name: str) -> int:
    return store.start_batch(conn, nama_file=name, sha256=name.ljust(64, "0"), jenis="registri",
                             jumlah_baris=0, oleh="pengujian")


def snap(conn, b, village, day, wajib, rekam):
    conn.execute(store.registri.insert().values(desa_kode=village, tanggal=day, wajib_ktp=wajib,
                                                sudah_rekam=rekam, impor_id=b))


def test_the_later_batch_wins_and_undoing_it_brings_the_earlier_one_back(engine):
    day = dt.date(2018, 2, 1)
    with engine.begin() as conn:
        first = batch(conn, "pertama")
        snap(conn, first, TANAH_TOWA, day, 1000, 700)
        snap(conn, first, LEMBANNA, day, 500, 400)
    assert figures(engine, day) == (1500, 1100)
    with engine.begin() as conn:
        second = batch(conn, "koreksi")
        snap(conn, second, TANAH_TOWA, day, 1000, 750)  # same village and date: this one counts
    assert figures(engine, day) == (1500, 1150) == by_hand(engine, day)
    assert data.coverage_villages(day, KAJANG, engine).set_index("kode").loc[TANAH_TOWA, "sudah_rekam"] == 750
    with engine.begin() as conn:
        store.cancel_batch(conn, second, "pengujian")
    assert figures(engine, day) == (1500, 1100) == by_hand(engine, day)
    assert list(data.recorded_trend(engine=engine)["sudah_rekam"]) == [1100]


def test_rows_written_or_removed_by_any_writer_reach_the_figures(engine):
    """Raw SQL, not the importer: the triggers note the villages all the same."""
    with engine.begin() as conn:
        b = batch(conn, "mentah")
        conn.execute(sa.text("INSERT INTO registri (desa_kode, tanggal, wajib_ktp, sudah_rekam, impor_id) "
                             "VALUES (:d, :t, 300, 200, :b)"), {"d": LEMBANNA, "t": dt.date(2018, 1, 5), "b": b})
    assert figures(engine, dt.date(2018, 1, 31)) == (300, 200)
    with engine.begin() as conn:
        conn.execute(store.registri.update().where(store.registri.c.desa_kode == LEMBANNA).values(sudah_rekam=250))
        store.bump_version(conn)
    assert figures(engine, dt.date(2018, 1, 31)) == (300, 250)
    with engine.begin() as conn:
        conn.execute(store.registri.delete().where(store.registri.c.desa_kode == LEMBANNA))
        store.bump_version(conn)
    assert figures(engine, dt.date(2018, 1, 31)) == (0, 0)
    assert data.latest_date(engine) is None


def test_a_store_of_several_regencies_matches_the_raw_rows(tmp_path):
    """Monthly batches, a correction batch (later wins) and a cancelled batch, three regencies."""
    from benchmarks import scale_store

    engine = store.make_engine(new_store_url(tmp_path, "tiga"))
    scale_store.generate(engine, n_regencies=3, n_kecamatan=9, n_villages=70, months=8, activity=1_000,
                         log=lambda *_: None)
    with engine.connect() as conn:
        assert summaries.is_dirty(conn)  # the bulk load went around the triggers: rebuilt on first read
    last = data.latest_date(engine)
    for day in (last, last - dt.timedelta(days=45), dt.date(2016, 1, 31)):
        assert figures(engine, day) == by_hand(engine, day)
        kec = data.coverage_kecamatan(day, engine)
        for code in kec["kode"].iloc[::4]:
            assert figures(engine, day, code) == by_hand(engine, day, code)
    villages = data.coverage_villages(last, engine=engine)
    assert (int(villages["wajib_ktp"].sum()), int(villages["sudah_rekam"].sum())) == by_hand(engine, last)
    trend = data.recorded_trend(engine=engine)
    assert len(trend) == 8
    assert (int(trend["wajib_ktp"].iloc[-1]), int(trend["sudah_rekam"].iloc[-1])) == by_hand(engine, last)
    regencies = data.regencies(engine)
    by_regency = data.coverage_kabupaten(last, engine).set_index("kode")
    for code in regencies["kode"]:
        assert by_regency.loc[code, "sudah_rekam"] == data.coverage_total(last, engine=engine, kabupaten=code).sudah_rekam
    assert by_regency["sudah_rekam"].sum() == by_hand(engine, last)[1]
    engine.dispose()


def test_a_store_from_before_regencies_is_upgraded_on_start(tmp_path):
    """A schema-1 store (as the first release wrote it): the next start adds the regency
    columns and tables, the indexes and the summaries, and keeps every figure."""
    path = tmp_path / "lama.sqlite"
    old = sa.create_engine(f"sqlite:///{path}")
    with old.begin() as conn:
        for statement in SCHEMA_1:
            conn.exec_driver_sql(statement)
    old.dispose()
    engine = store.make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert store.schema_version(conn) == store.SCHEMA_VERSION
        columns = {c["name"] for c in sa.inspect(conn).get_columns("kecamatan")}
        assert "kabupaten_kode" in columns
        assert conn.execute(sa.select(store.kabupaten.c.kode)).scalars().all() == ["73.02"]
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("kegiatan")}
        assert {"ix_kegiatan_desa_tanggal", "ix_kegiatan_mitra_tanggal"} <= indexes
    assert figures(engine, dt.date(2018, 2, 1)) == (1500, 1150)
    assert data.region_label(KAJANG, engine=engine) == "Kecamatan Kajang"
    # A new write after the upgrade is seen through the triggers the upgrade installed.
    with engine.begin() as conn:
        b = batch(conn, "sesudah")
        snap(conn, b, LEMBANNA, dt.date(2018, 3, 1), 500, 480)
    assert figures(engine, dt.date(2018, 3, 1)) == (1500, 1230)
    engine.dispose()


#: What the first release created (bb31b98), trimmed to what the upgrade touches, with data.
SCHEMA_1 = [
    "CREATE TABLE kecamatan (kode VARCHAR(8) PRIMARY KEY, nama VARCHAR(80) NOT NULL)",
    "CREATE TABLE desa (kode VARCHAR(13) PRIMARY KEY, nama VARCHAR(80) NOT NULL, jenis VARCHAR(10) NOT NULL, "
    "kecamatan_kode VARCHAR(8) NOT NULL REFERENCES kecamatan(kode), lat FLOAT NOT NULL, lng FLOAT NOT NULL, "
    "luas_km2 FLOAT NOT NULL)",
    "CREATE TABLE mitra (kode VARCHAR(20) PRIMARY KEY, nama VARCHAR(80) NOT NULL UNIQUE, "
    "deskripsi VARCHAR(300) NOT NULL, urutan INTEGER NOT NULL)",
    "CREATE TABLE impor (id INTEGER PRIMARY KEY AUTOINCREMENT, nama_file VARCHAR(255) NOT NULL, "
    "sha256 VARCHAR(64) NOT NULL, jenis VARCHAR(12) NOT NULL, jumlah_baris INTEGER NOT NULL, "
    "waktu DATETIME NOT NULL, oleh VARCHAR(80) NOT NULL, status VARCHAR(12) DEFAULT 'aktif' NOT NULL, "
    "contoh BOOLEAN DEFAULT 0 NOT NULL, dibatalkan_waktu DATETIME, dibatalkan_oleh VARCHAR(80))",
    "CREATE TABLE registri (id INTEGER PRIMARY KEY AUTOINCREMENT, desa_kode VARCHAR(13) NOT NULL "
    "REFERENCES desa(kode), tanggal DATE NOT NULL, wajib_ktp INTEGER NOT NULL, sudah_rekam INTEGER NOT NULL, "
    "wajib_l INTEGER, wajib_p INTEGER, rekam_l INTEGER, rekam_p INTEGER, "
    "impor_id INTEGER NOT NULL REFERENCES impor(id))",
    "CREATE INDEX ix_registri_desa_tanggal ON registri (desa_kode, tanggal)",
    "CREATE TABLE kegiatan (id INTEGER PRIMARY KEY AUTOINCREMENT, tanggal DATE NOT NULL, mitra_kode VARCHAR(20) "
    "NOT NULL REFERENCES mitra(kode), desa_kode VARCHAR(13) NOT NULL REFERENCES desa(kode), layanan VARCHAR(20) "
    "NOT NULL, jumlah INTEGER NOT NULL, cara VARCHAR(20) NOT NULL, rentan VARCHAR(12) DEFAULT 'umum' NOT NULL, "
    "impor_id INTEGER NOT NULL REFERENCES impor(id))",
    "CREATE TABLE target (id INTEGER PRIMARY KEY AUTOINCREMENT, program VARCHAR(20) NOT NULL, layanan VARCHAR(20) "
    "NOT NULL, kecamatan_kode VARCHAR(8) REFERENCES kecamatan(kode), nilai INTEGER NOT NULL, mulai DATE NOT NULL, "
    "selesai DATE NOT NULL, dasar VARCHAR(16) NOT NULL, impor_id INTEGER NOT NULL REFERENCES impor(id))",
    "CREATE TABLE meta (kunci VARCHAR(40) PRIMARY KEY, nilai INTEGER NOT NULL)",
    "INSERT INTO meta VALUES ('versi', 7)",
    "INSERT INTO kecamatan VALUES ('73.02.06', 'Kajang')",
    "INSERT INTO desa VALUES ('73.02.06.2006', 'Tanah Towa', 'desa', '73.02.06', -5.3, 120.3, 10.0)",
    "INSERT INTO desa VALUES ('73.02.06.2004', 'Lembanna', 'desa', '73.02.06', -5.32, 120.32, 8.0)",
    "INSERT INTO impor VALUES (1, 'a.csv', 'x', 'registri', 3, '2018-02-02 00:00:00', 'uji', 'aktif', 0, NULL, NULL)",
    "INSERT INTO impor VALUES (2, 'b.csv', 'y', 'registri', 1, '2018-02-03 00:00:00', 'uji', 'dibatalkan', 0, NULL, NULL)",
    "INSERT INTO registri (desa_kode, tanggal, wajib_ktp, sudah_rekam, impor_id) VALUES "
    "('73.02.06.2006', '2018-01-01', 1000, 700, 1), ('73.02.06.2006', '2018-02-01', 1000, 750, 1), "
    "('73.02.06.2004', '2018-01-15', 500, 400, 1), ('73.02.06.2004', '2018-02-01', 500, 499, 2)",
]


def test_the_daily_activity_summary_equals_the_rows(demo_engine):
    """The whole store's sums come from `ringkas_kegiatan`; a regency's from `kegiatan` itself.
    In a store of one regency both must give the same figures."""
    from bulukumba.data import programmes

    for start, end, service in ((None, None, None), (dt.date(2018, 1, 19), dt.date(2018, 6, 30), None),
                                (dt.date(2017, 5, 1), dt.date(2017, 12, 31), "rekam_ektp"),
                                (dt.date(2018, 2, 10), dt.date(2018, 3, 3), "akta_kematian")):
        whole = data.partner_leaderboard(start, end, service, engine=demo_engine)
        regency = data.partner_leaderboard(start, end, service, engine=demo_engine, kabupaten="73.02")
        pd.testing.assert_frame_equal(whole, regency)
        assert whole["jumlah"].sum() > 0
        pd.testing.assert_frame_equal(data.partner_monthly(start, end, service, engine=demo_engine),
                                      data.partner_monthly(start, end, service, engine=demo_engine, kabupaten="73.02"))
    daily = programmes._activity_daily("akta_kematian", dt.date(2018, 1, 19), dt.date(2018, 6, 30), None, None,
                                       engine=demo_engine)
    pd.testing.assert_frame_equal(daily, programmes._activity_daily(
        "akta_kematian", dt.date(2018, 1, 19), dt.date(2018, 6, 30), None, "73.02", engine=demo_engine))


def test_undoing_an_activity_batch_leaves_the_daily_summary(engine):
    with engine.begin() as conn:
        b = store.start_batch(conn, nama_file="kegiatan", sha256="k" * 64, jenis="kegiatan", jumlah_baris=2,
                              oleh="pengujian")
        for day, n in ((dt.date(2018, 1, 10), 40), (dt.date(2018, 1, 11), 2)):
            conn.execute(store.kegiatan.insert().values(
                tanggal=day, mitra_kode="pmi", desa_kode=TANAH_TOWA, layanan="rekam_ektp", jumlah=n,
                cara="jemput_bola", rentan="umum", impor_id=b))
    board = data.partner_leaderboard(engine=engine).set_index("kode")
    assert (board.loc["pmi", "jumlah"], board.loc["pmi", "desa"]) == (42, 1)
    with engine.begin() as conn:
        store.cancel_batch(conn, b, "pengujian")
    board = data.partner_leaderboard(engine=engine).set_index("kode")
    assert (board.loc["pmi", "jumlah"], board.loc["pmi", "desa"]) == (0, 0)
    assert data.partner_monthly(engine=engine).empty
