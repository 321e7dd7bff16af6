"""The derived registry summaries answer exactly what the raw rows say, after every kind of write.

The figures are checked against a plain reading of `registri` in pandas: per village, the row
of an active batch with the latest date on or before the day, the later batch winning for the
same date. Runs on this run's kind of store (SQLite, or PostgreSQL in CI's second pass).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from bulukumba import figures
from bulukumba.storage import store, summaries
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


def totals_on(engine, day, kecamatan=None) -> tuple[int, int]:
    total = figures.coverage_total(day, kecamatan, engine)
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
    assert totals_on(engine, day) == (1500, 1100)
    with engine.begin() as conn:
        second = batch(conn, "koreksi")
        snap(conn, second, TANAH_TOWA, day, 1000, 750)  # same village and date: this one counts
    assert totals_on(engine, day) == (1500, 1150) == by_hand(engine, day)
    assert figures.coverage_villages(day, KAJANG, engine).set_index("kode").loc[TANAH_TOWA, "sudah_rekam"] == 750
    with engine.begin() as conn:
        store.cancel_batch(conn, second, "pengujian")
    assert totals_on(engine, day) == (1500, 1100) == by_hand(engine, day)
    assert list(figures.recorded_trend(engine=engine)["sudah_rekam"]) == [1100]


def test_rows_written_or_removed_by_any_writer_reach_the_figures(engine):
    """Raw SQL, not the importer: the triggers note the villages all the same."""
    with engine.begin() as conn:
        b = batch(conn, "mentah")
        conn.execute(sa.text("INSERT INTO registri (desa_kode, tanggal, wajib_ktp, sudah_rekam, impor_id) "
                             "VALUES (:d, :t, 300, 200, :b)"), {"d": LEMBANNA, "t": dt.date(2018, 1, 5), "b": b})
    assert totals_on(engine, dt.date(2018, 1, 31)) == (300, 200)
    with engine.begin() as conn:
        conn.execute(store.registri.update().where(store.registri.c.desa_kode == LEMBANNA).values(sudah_rekam=250))
        store.bump_version(conn)
    assert totals_on(engine, dt.date(2018, 1, 31)) == (300, 250)
    with engine.begin() as conn:
        conn.execute(store.registri.delete().where(store.registri.c.desa_kode == LEMBANNA))
        store.bump_version(conn)
    assert totals_on(engine, dt.date(2018, 1, 31)) == (0, 0)
    assert figures.latest_date(engine) is None


def test_a_store_of_several_regencies_matches_the_raw_rows(tmp_path):
    """Monthly batches, a correction batch (later wins) and a cancelled batch, three regencies."""
    from benchmarks import scale_store

    engine = store.make_engine(new_store_url(tmp_path, "tiga"))
    scale_store.generate(engine, n_regencies=3, n_kecamatan=9, n_villages=70, months=8, activity=1_000,
                         log=lambda *_: None)
    with engine.connect() as conn:
        assert summaries.is_dirty(conn)  # the bulk load went around the triggers: rebuilt on first read
    last = figures.latest_date(engine)
    for day in (last, last - dt.timedelta(days=45), dt.date(2016, 1, 31)):
        assert totals_on(engine, day) == by_hand(engine, day)
        kec = figures.coverage_kecamatan(day, engine)
        for code in kec["kode"].iloc[::4]:
            assert totals_on(engine, day, code) == by_hand(engine, day, code)
    villages = figures.coverage_villages(last, engine=engine)
    assert (int(villages["wajib_ktp"].sum()), int(villages["sudah_rekam"].sum())) == by_hand(engine, last)
    trend = figures.recorded_trend(engine=engine)
    assert len(trend) == 8
    assert (int(trend["wajib_ktp"].iloc[-1]), int(trend["sudah_rekam"].iloc[-1])) == by_hand(engine, last)
    regencies = figures.regencies(engine)
    by_regency = figures.coverage_kabupaten(last, engine).set_index("kode")
    for code in regencies["kode"]:
        assert by_regency.loc[code, "sudah_rekam"] == figures.coverage_total(last, engine=engine, kabupaten=code).sudah_rekam
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
        assert {"ix_kegiatan_desa_tanggal", "ix_kegiatan_mitra_rinci"} <= indexes
    assert totals_on(engine, dt.date(2018, 2, 1)) == (1500, 1150)
    assert figures.region_label(KAJANG, engine=engine) == "Kecamatan Kajang"
    # A new write after the upgrade is seen through the triggers the upgrade installed.
    with engine.begin() as conn:
        b = batch(conn, "sesudah")
        snap(conn, b, LEMBANNA, dt.date(2018, 3, 1), 500, 480)
    assert totals_on(engine, dt.date(2018, 3, 1)) == (1500, 1230)
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
    from bulukumba.figures import programmes

    for start, end, service in ((None, None, None), (dt.date(2018, 1, 19), dt.date(2018, 6, 30), None),
                                (dt.date(2017, 5, 1), dt.date(2017, 12, 31), "rekam_ektp"),
                                (dt.date(2018, 2, 10), dt.date(2018, 3, 3), "akta_kematian")):
        whole = figures.partner_leaderboard(start, end, service, engine=demo_engine)
        regency = figures.partner_leaderboard(start, end, service, engine=demo_engine, kabupaten="73.02")
        pd.testing.assert_frame_equal(whole, regency)
        assert whole["jumlah"].sum() > 0
        pd.testing.assert_frame_equal(figures.partner_monthly(start, end, service, engine=demo_engine),
                                      figures.partner_monthly(start, end, service, engine=demo_engine, kabupaten="73.02"))
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
    board = figures.partner_leaderboard(engine=engine).set_index("kode")
    assert (board.loc["pmi", "jumlah"], board.loc["pmi", "desa"]) == (42, 1)
    with engine.begin() as conn:
        store.cancel_batch(conn, b, "pengujian")
    board = figures.partner_leaderboard(engine=engine).set_index("kode")
    assert (board.loc["pmi", "jumlah"], board.loc["pmi", "desa"]) == (0, 0)
    assert figures.partner_village_count("pmi", engine=engine) == 0
    assert figures.partner_monthly(engine=engine).empty


def test_undoing_one_of_a_partners_batches_leaves_its_villages_reached(engine):
    """PMI worked in Tanah Towa (one batch) and Lembanna (another); undoing the first leaves
    one village reached, over every period the reach table answers."""
    with engine.begin() as conn:
        batches = [store.start_batch(conn, nama_file=name, sha256=name * 64, jenis="kegiatan", jumlah_baris=1,
                                     oleh="pengujian") for name in ("a", "b")]
        activity(conn, batches[0], dt.date(2018, 1, 10), TANAH_TOWA)
        activity(conn, batches[1], dt.date(2018, 1, 12), LEMBANNA)
    assert reached(engine, None, None) == (2, 2)
    with engine.begin() as conn:
        store.cancel_batch(conn, batches[0], "pengujian")
    for start, end in ((None, None), (dt.date(2018, 1, 1), None), (None, dt.date(2018, 1, 31))):
        assert reached(engine, start, end) == (1, 1) == (reached_by_hand(engine, "pmi", start, end),) * 2


# ---------------------------------------------------------------------------------------------
# Partner reach (`jangkauan_mitra`): "villages reached" without counting every activity row
# ---------------------------------------------------------------------------------------------

def reached_by_hand(engine, partner: str, start: dt.date | None, end: dt.date | None,
                    service: str | None = None, kecamatan: str | None = None) -> int:
    """Distinct villages among the partner's active rows in the period (and kecamatan), from
    the raw rows."""
    k = store.kegiatan
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(
            sa.select(k.c.desa_kode, k.c.tanggal, k.c.layanan).join(store.impor)
            .where(store.impor.c.status == "aktif", k.c.mitra_kode == partner)).all(),
            columns=["desa", "tanggal", "layanan"])
    if kecamatan is not None:
        rows = rows[rows["desa"].str.startswith(kecamatan + ".")]
    if start is not None:
        rows = rows[rows["tanggal"] >= start]
    if end is not None:
        rows = rows[rows["tanggal"] <= end]
    if service is not None:
        rows = rows[rows["layanan"] == service]
    return rows["desa"].nunique()


def activity(conn, b, day, village, service="rekam_ektp", partner="pmi"):
    conn.execute(store.kegiatan.insert().values(
        tanggal=day, mitra_kode=partner, desa_kode=village, layanan=service, jumlah=5,
        cara="jemput_bola", rentan="umum", impor_id=b))


def reached(engine, start, end, service=None, partner="pmi") -> tuple[int, int]:
    """(leaderboard's villages, partner_village_count) for the whole store."""
    board = figures.partner_leaderboard(start, end, service, engine=engine).set_index("kode")
    return int(board.loc[partner, "desa"]), figures.partner_village_count(partner, start, end, service, engine)


def test_a_village_counts_as_reached_only_for_periods_holding_one_of_its_active_rows(engine):
    """PMI worked in Tanah Towa on 10 January and 10 March only. February alone lies inside
    that span but holds no row; a row of an undone batch in February does not count either."""
    jan, feb, mar = dt.date(2018, 1, 10), dt.date(2018, 2, 14), dt.date(2018, 3, 10)
    with engine.begin() as conn:
        b = store.start_batch(conn, nama_file="kegiatan", sha256="r" * 64, jenis="kegiatan",
                              jumlah_baris=3, oleh="pengujian")
        activity(conn, b, jan, TANAH_TOWA)
        activity(conn, b, mar, TANAH_TOWA, service="kk")
        activity(conn, b, feb, LEMBANNA, service="kk")
        mistaken = store.start_batch(conn, nama_file="salah", sha256="s" * 64, jenis="kegiatan",
                                     jumlah_baris=1, oleh="pengujian")
        activity(conn, mistaken, feb, TANAH_TOWA)
        store.cancel_batch(conn, mistaken, "pengujian")
    february = (dt.date(2018, 2, 1), dt.date(2018, 2, 28))
    cases = {
        (None, None, None): (2, 2),
        (*february, None): (1, 1),                              # Lembanna only
        (dt.date(2018, 2, 1), dt.date(2018, 3, 10), None): (2, 2),  # Tanah Towa's last day is inside
        (dt.date(2018, 1, 10), dt.date(2018, 2, 1), None): (1, 1),  # its first day is inside
        (dt.date(2018, 1, 11), dt.date(2018, 3, 9), "rekam_ektp"): (0, 0),
        (None, dt.date(2018, 1, 9), None): (0, 0),
        (dt.date(2018, 3, 11), None, None): (0, 0),
        (dt.date(2018, 1, 1), dt.date(2018, 12, 31), "kk"): (2, 2),
        (dt.date(2018, 1, 1), dt.date(2018, 12, 31), "rekam_ektp"): (1, 1),
    }
    for (start, end, service), expected in cases.items():
        assert reached(engine, start, end, service) == expected, (start, end, service)
        assert expected[0] == reached_by_hand(engine, "pmi", start, end, service)
    # Now a February row in an active batch: the village inside its own span is reached.
    with engine.begin() as conn:
        b2 = store.start_batch(conn, nama_file="susulan", sha256="t" * 64, jenis="kegiatan",
                               jumlah_baris=1, oleh="pengujian")
        activity(conn, b2, feb, TANAH_TOWA, service="akta_kematian")
    assert reached(engine, *february) == (2, 2) == (reached_by_hand(engine, "pmi", *february),) * 2
    with engine.begin() as conn:  # raw SQL, not the store's helpers: the triggers still see it
        conn.execute(sa.text("DELETE FROM kegiatan WHERE impor_id = :b"), {"b": b2})
        store.bump_version(conn)
    assert reached(engine, *february) == (1, 1)


@pytest.mark.slow
def test_partner_reach_matches_the_rows_for_every_partner_period_and_service(demo_engine):
    """The demo store's eight partners, over the periods the pages offer and some that lie
    inside a village's activity: the reach table gives what the raw rows give."""
    periods = [(None, None), (dt.date(2018, 1, 19), dt.date(2018, 6, 30)), (None, dt.date(2017, 9, 30)),
               (dt.date(2017, 5, 1), dt.date(2017, 12, 31)), (dt.date(2018, 2, 10), dt.date(2018, 3, 3)),
               (dt.date(2018, 4, 1), dt.date(2018, 4, 7)), (dt.date(2018, 6, 1), None)]
    partners = list(figures.partners(demo_engine)["kode"])
    for start, end in periods:
        for service in (None, "rekam_ektp", "akta_kelahiran"):
            board = figures.partner_leaderboard(start, end, service, engine=demo_engine).set_index("kode")
            for partner in partners:
                expected = reached_by_hand(demo_engine, partner, start, end, service)
                assert board.loc[partner, "desa"] == expected, (partner, start, end, service)
                assert figures.partner_village_count(partner, start, end, service, demo_engine) == expected
                assert figures.partner_village_count(partner, start, end, service, demo_engine, kecamatan=KAJANG) \
                    == reached_by_hand(demo_engine, partner, start, end, service, KAJANG)


def restarted_as_schema(version: int, engine: sa.Engine, url: str) -> sa.Engine:
    """The store marked as written by schema `version` (what the test removed is its difference),
    then opened again as a new start of the dashboard would open it."""
    with engine.begin() as conn:
        conn.execute(store.meta.update().where(store.meta.c.kunci == "skema").values(nilai=version))
    engine.dispose()
    return store.make_engine(url)


def test_a_store_of_schema_2_gains_the_partner_reach_on_start(tmp_path, regions):
    """A store written before the reach table (schema 2): the next start creates it and its
    triggers, and the first read fills it from the rows."""
    from bulukumba.storage import reference

    url = new_store_url(tmp_path, "skema2")
    engine = store.make_engine(url)
    reference.ensure_reference(engine, regions)
    with engine.begin() as conn:
        b = store.start_batch(conn, nama_file="kegiatan", sha256="u" * 64, jenis="kegiatan",
                              jumlah_baris=2, oleh="pengujian")
        activity(conn, b, dt.date(2018, 1, 10), TANAH_TOWA)
        activity(conn, b, dt.date(2018, 1, 12), LEMBANNA)
        # Back to schema 2: no reach table, none of its triggers.
        for trigger in ("tr_jangkauan_kotor_insert", "tr_jangkauan_kotor_delete", "tr_jangkauan_kotor_update",
                        "tr_impor_jangkauan_kotor"):
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        if conn.dialect.name == "postgresql":  # the schema-2 functions note days only
            conn.exec_driver_sql("DROP TABLE jangkauan_kotor CASCADE")
            conn.exec_driver_sql("DROP TABLE jangkauan_mitra CASCADE")
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION kegiatan_kotor_baru() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN INSERT INTO kegiatan_kotor (tanggal) SELECT DISTINCT tanggal FROM baru "
                "ON CONFLICT DO NOTHING; RETURN NULL; END $$")
        else:
            conn.exec_driver_sql("DROP TABLE jangkauan_kotor")
            conn.exec_driver_sql("DROP TABLE jangkauan_mitra")
        conn.exec_driver_sql("DROP INDEX ix_kegiatan_mitra_rinci")  # schema 2's index instead
        conn.exec_driver_sql("CREATE INDEX ix_kegiatan_mitra_tanggal ON kegiatan (mitra_kode, tanggal)")
    engine = restarted_as_schema(2, engine, url)
    with engine.connect() as conn:
        assert store.schema_version(conn) == store.SCHEMA_VERSION == 7
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("kegiatan")}
        assert "ix_kegiatan_mitra_rinci" in indexes and "ix_kegiatan_mitra_tanggal" not in indexes
    assert reached(engine, None, None) == (2, 2)
    with engine.begin() as conn:  # a write after the upgrade reaches the table through its triggers
        b = store.start_batch(conn, nama_file="baru", sha256="v" * 64, jenis="kegiatan",
                              jumlah_baris=1, oleh="pengujian")
        third = conn.execute(sa.select(store.desa.c.kode).where(
            store.desa.c.kecamatan_kode == KAJANG, store.desa.c.kode.not_in([TANAH_TOWA, LEMBANNA]))
            .order_by(store.desa.c.kode).limit(1)).scalar_one()
        activity(conn, b, dt.date(2018, 2, 1), third)
    assert reached(engine, None, None) == (3, 3)
    assert reached(engine, dt.date(2018, 1, 11), dt.date(2018, 1, 31)) == (1, 1)
    engine.dispose()


# ---------------------------------------------------------------------------------------------
# A programme's period (`jangkauan_program`): the 2017 partnership, inside the data at both ends
# ---------------------------------------------------------------------------------------------

PARTNERSHIP = (dt.date(2017, 3, 1), dt.date(2017, 10, 31))


def partnership_target(conn, start=PARTNERSHIP[0], end=PARTNERSHIP[1], name="target") -> int:
    b = store.start_batch(conn, nama_file=name, sha256=name.ljust(64, "p"), jenis="target", jumlah_baris=1,
                          oleh="pengujian")
    conn.execute(store.target.insert().values(
        program="kemitraan_2017", layanan="rekam_ektp", kecamatan_kode=None, nilai=1000, mulai=start,
        selesai=end, dasar="kegiatan_mitra", impor_id=b))
    return b


def board_by_hand(engine, start, end, service=None) -> dict:
    """{partner: (jumlah, rentan, villages)} from the raw active rows of the period."""
    k = store.kegiatan
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(
            sa.select(k.c.mitra_kode, k.c.desa_kode, k.c.tanggal, k.c.layanan, k.c.rentan, k.c.jumlah)
            .join(store.impor).where(store.impor.c.status == "aktif")).all(),
            columns=["mitra", "desa", "tanggal", "layanan", "rentan", "jumlah"])
    rows = rows[(rows["tanggal"] >= start) & (rows["tanggal"] <= end)]
    if service is not None:
        rows = rows[rows["layanan"] == service]
    return {partner: (int(group["jumlah"].sum()), int(group.loc[group["rentan"] != "umum", "jumlah"].sum()),
                      group["desa"].nunique()) for partner, group in rows.groupby("mitra")}


def check_partnership_board(engine, start=PARTNERSHIP[0], end=PARTNERSHIP[1]):
    """The Mitra page's leaderboard, partner villages and count for the period match the rows."""
    for service in (None, "rekam_ektp", "kk"):
        expected = board_by_hand(engine, start, end, service)
        board = figures.partner_leaderboard(start, end, service, engine=engine).set_index("kode")
        for partner in board.index:
            got = tuple(int(board.loc[partner, c]) for c in ("jumlah", "rentan", "desa"))
            assert got == expected.get(partner, (0, 0, 0)), (partner, service)
            villages = figures.partner_villages(partner, start, end, service, engine)
            assert len(villages) == got[2] == figures.partner_village_count(partner, start, end, service, engine)
            assert villages["jumlah"].sum() == got[0] and villages["rentan"].sum() == got[1]


@pytest.mark.slow
@pytest.mark.both_databases
def test_the_partnership_period_is_counted_once_and_kept_true_through_imports_undos_and_new_targets(engine):
    """The 2017 partnership's leaderboard reads the programme's kept rows, and they say what the
    raw rows say: after activity is added or undone, and after the target's period changes."""
    with engine.begin() as conn:
        b = store.start_batch(conn, nama_file="kegiatan", sha256="w" * 64, jenis="kegiatan", jumlah_baris=6,
                              oleh="pengujian")
        activity(conn, b, dt.date(2017, 2, 28), TANAH_TOWA)                    # the day before
        activity(conn, b, dt.date(2017, 3, 1), TANAH_TOWA)                     # first day
        activity(conn, b, dt.date(2017, 6, 1), LEMBANNA, service="kk")
        activity(conn, b, dt.date(2017, 10, 31), LEMBANNA, partner="pkk")      # last day
        activity(conn, b, dt.date(2017, 11, 1), TANAH_TOWA, partner="pkk")     # the day after
        activity(conn, b, dt.date(2018, 1, 10), TANAH_TOWA, partner="pkk")     # the data's last day
        conn.execute(store.kegiatan.insert().values(
            tanggal=dt.date(2017, 7, 7), mitra_kode="pmi", desa_kode=TANAH_TOWA, layanan="rekam_ektp", jumlah=3,
            cara="jemput_bola", rentan="disabilitas", impor_id=b))
        partnership_target(conn)
    assert figures.activity._programme_counted(*PARTNERSHIP, engine) == "kemitraan_2017"
    check_partnership_board(engine)
    board = figures.partner_leaderboard(*PARTNERSHIP, engine=engine).set_index("kode")
    assert [int(board.loc["pmi", c]) for c in ("jumlah", "rentan", "desa")] == [13, 3, 2]

    with engine.begin() as conn:  # another batch in the period, then undone
        later = store.start_batch(conn, nama_file="susulan", sha256="x" * 64, jenis="kegiatan", jumlah_baris=1,
                                  oleh="pengujian")
        third = conn.execute(sa.select(store.desa.c.kode).where(
            store.desa.c.kecamatan_kode == KAJANG, store.desa.c.kode.not_in([TANAH_TOWA, LEMBANNA]))
            .order_by(store.desa.c.kode).limit(1)).scalar_one()
        activity(conn, later, dt.date(2017, 8, 1), third, partner="pkk", service="kk")
    check_partnership_board(engine)
    assert figures.partner_village_count("pkk", *PARTNERSHIP, None, engine) == 2
    with engine.begin() as conn:
        store.cancel_batch(conn, later, "pengujian")
    check_partnership_board(engine)
    assert figures.partner_village_count("pkk", *PARTNERSHIP, None, engine) == 1

    longer = (PARTNERSHIP[0], dt.date(2017, 11, 30))
    with engine.begin() as conn:  # a second target stretches the programme by a month
        second = partnership_target(conn, *longer, name="target-2")
    assert figures.activity._programme_counted(*longer, engine) == "kemitraan_2017"
    assert figures.activity._programme_counted(*PARTNERSHIP, engine) is None  # counted from the rows now
    check_partnership_board(engine, *longer)
    check_partnership_board(engine)
    with engine.begin() as conn:
        store.cancel_batch(conn, second, "pengujian")
    assert figures.activity._programme_counted(*PARTNERSHIP, engine) == "kemitraan_2017"
    check_partnership_board(engine)

    # A period reaching the data's last day is answered by the first and last dates instead,
    # until later data puts it inside.
    to_the_end = (PARTNERSHIP[0], dt.date(2018, 1, 31))
    with engine.begin() as conn:
        partnership_target(conn, *to_the_end, name="target-3")
    assert figures.activity._programme_counted(*to_the_end, engine) is None
    check_partnership_board(engine, *to_the_end)
    with engine.begin() as conn:
        b = store.start_batch(conn, nama_file="februari", sha256="z" * 64, jenis="kegiatan", jumlah_baris=1,
                              oleh="pengujian")
        activity(conn, b, dt.date(2018, 2, 5), LEMBANNA, partner="pkk")
    assert figures.activity._programme_counted(*to_the_end, engine) == "kemitraan_2017"
    check_partnership_board(engine, *to_the_end)


def test_a_store_of_schema_3_counts_its_programmes_on_first_read(tmp_path, regions):
    """A store written before the programme table (schema 3), with the 2017 partnership's target
    in it: the next start creates the table and the first read counts the programme."""
    from bulukumba.storage import reference

    url = new_store_url(tmp_path, "skema3")
    engine = store.make_engine(url)
    reference.ensure_reference(engine, regions)
    with engine.begin() as conn:
        b = store.start_batch(conn, nama_file="kegiatan", sha256="y" * 64, jenis="kegiatan", jumlah_baris=4,
                              oleh="pengujian")
        activity(conn, b, dt.date(2017, 1, 5), TANAH_TOWA)
        activity(conn, b, dt.date(2017, 4, 1), TANAH_TOWA)
        activity(conn, b, dt.date(2017, 5, 1), LEMBANNA, partner="pkk")
        activity(conn, b, dt.date(2018, 1, 5), LEMBANNA)
        partnership_target(conn)
        conn.exec_driver_sql("DROP TABLE jangkauan_program")
        conn.exec_driver_sql("DROP TABLE periode_program")
    engine = restarted_as_schema(3, engine, url)
    with engine.connect() as conn:
        assert store.schema_version(conn) == store.SCHEMA_VERSION
        assert {"jangkauan_program", "periode_program"} <= set(sa.inspect(conn).get_table_names())
    assert figures.activity._programme_counted(*PARTNERSHIP, engine) == "kemitraan_2017"
    check_partnership_board(engine)
    assert figures.partner_village_count("pkk", *PARTNERSHIP, None, engine) == 1
    engine.dispose()


def test_a_store_of_schema_4_gains_the_newest_snapshot_index_on_start(tmp_path, regions):
    """Schema 5 indexes every village's newest snapshot (Peta's national list read it from 3
    million rows); a store written before it gains the index on the next start, and its figures
    read the same."""
    from bulukumba.storage import demo, reference

    url = new_store_url(tmp_path, "skema4")
    engine = store.make_engine(url)
    reference.ensure_reference(engine, regions)
    demo.load(engine, as_of=dt.date(2018, 6, 30))
    before = figures.coverage_villages(engine=engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_registri_berlaku_terbaru")
    engine = restarted_as_schema(4, engine, url)
    with engine.connect() as conn:
        assert store.schema_version(conn) == store.SCHEMA_VERSION == 7
        assert "ix_registri_berlaku_terbaru" in {i["name"] for i in sa.inspect(conn).get_indexes("registri_berlaku")}
    figures.clear_memo()
    pd.testing.assert_frame_equal(figures.coverage_villages(engine=engine), before)
    engine.dispose()


def test_a_store_of_schema_5_gains_the_publication_history_on_start(tmp_path, regions):
    """Schema 6 keeps what the public page published (`terbitan`, bulukumba/disclosure/history.py):
    a store written before it gains the table on the next start, and the next published set is
    kept there, once however often it is asked for."""
    from bulukumba import disclosure
    from bulukumba.storage import reference
    from disclosure_scenarios import scenario, write

    url = new_store_url(tmp_path, "skema5")
    engine = store.make_engine(url)
    reference.ensure_reference(engine, regions)
    built = scenario("satu_snapshot", engine)
    write(engine, built.batches[0], "skema5")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE terbitan")
    engine = restarted_as_schema(5, engine, url)
    with engine.connect() as conn:
        assert store.schema_version(conn) == store.SCHEMA_VERSION == 7
        assert "terbitan" in sa.inspect(conn).get_table_names()
    view = disclosure.public_view(engine=engine)
    figures.clear_memo()
    disclosure.published._memo.clear()
    assert disclosure.public_view(engine=engine).disamarkan == view.disamarkan  # built again: the same
    with engine.connect() as conn:
        kept = conn.execute(sa.select(store.terbitan.c.tabel, store.terbitan.c.tanggal)
                            .order_by(store.terbitan.c.tabel)).all()
    assert [tuple(row) for row in kept] == [("registri", built.dates[0]), ("rentan", built.dates[0])]
    engine.dispose()
