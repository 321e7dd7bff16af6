"""The store refuses impossible figures from any writer, not only from the importer."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DataError, IntegrityError, StatementError

from bulukumba.storage import store
from conftest import on_postgres

TANAH_TOWA = "73.02.06.2006"


@pytest.fixture
def batch(engine) -> int:
    with engine.begin() as conn:
        return store.start_batch(conn, nama_file="uji.csv", sha256="0" * 64, jenis="registri",
                                 jumlah_baris=1, oleh="pengujian")


def snapshot(**overrides) -> dict:
    row = {"desa_kode": TANAH_TOWA, "tanggal": dt.date(2018, 1, 19), "wajib_ktp": 3000,
           "sudah_rekam": 2500}
    return {**row, **overrides}


def insert(engine, table, row) -> None:
    with engine.begin() as conn:
        conn.execute(table.insert().values(**row))


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_a_sound_snapshot_is_kept(engine, batch):
    insert(engine, store.registri, snapshot(impor_id=batch))
    assert count(engine, store.registri) == 1


@pytest.mark.parametrize("bad", [
    {"wajib_ktp": -1, "sudah_rekam": 0},                 # negative count
    {"wajib_ktp": 100, "sudah_rekam": 101},              # recorded above wajib KTP
    {"wajib_ktp": 100.5},                                # not a whole number
    {"sudah_rekam": "banyak"},                           # not a number at all
    {"desa_kode": "73.02.99.9999"},                      # unknown village
    {"wajib_l": 1000, "wajib_p": 1000},                  # by sex does not add up to the total
    {"wajib_l": 1500, "wajib_p": 1500, "rekam_l": 2000, "rekam_p": 500},  # more men recorded than wajib
], ids=["negatif", "rekam>wajib", "pecahan", "teks", "desa-tak-dikenal", "jenis-kelamin", "rekam-l>wajib-l"])
def test_the_store_refuses_impossible_snapshots(engine, batch, bad):
    with pytest.raises((IntegrityError, StatementError)):
        insert(engine, store.registri, snapshot(impor_id=batch, **bad))
    assert count(engine, store.registri) == 0


@pytest.mark.parametrize("day", ["2018-02-30", "besok", "19/01/2018"])
def test_the_store_refuses_dates_that_are_not_real(engine, batch, day):
    """Even raw SQL, bypassing SQLAlchemy's date type, cannot store an impossible date
    (SQLite: the store's triggers; PostgreSQL: its DATE type, which raises a data error)."""
    with pytest.raises(DataError if on_postgres() else IntegrityError):
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO registri (desa_kode, tanggal, wajib_ktp, sudah_rekam, impor_id) "
                "VALUES (:d, :t, 10, 5, :b)"), {"d": TANAH_TOWA, "t": day, "b": batch})
    assert count(engine, store.registri) == 0


def test_activity_needs_a_known_partner_and_service(engine, batch):
    good = {"tanggal": dt.date(2018, 2, 1), "mitra_kode": "ppdi", "desa_kode": TANAH_TOWA,
            "layanan": "rekam_ektp", "jumlah": 3, "cara": "jemput_bola", "rentan": "disabilitas",
            "impor_id": batch}
    insert(engine, store.kegiatan, good)
    for bad in ({"mitra_kode": "tidak_ada"}, {"layanan": "paspor"}, {"jumlah": -3},
                {"cara": "terbang"}, {"rentan": "rahasia"}):
        with pytest.raises(IntegrityError):
            insert(engine, store.kegiatan, {**good, **bad})
    assert count(engine, store.kegiatan) == 1


def test_a_target_cannot_end_before_it_starts(engine, batch):
    row = {"program": "gertak_2018", "layanan": "rekam_ektp", "kecamatan_kode": None, "nilai": 100,
           "mulai": dt.date(2018, 12, 31), "selesai": dt.date(2018, 1, 1), "dasar": "registri",
           "impor_id": batch}
    with pytest.raises(IntegrityError):
        insert(engine, store.target, row)


@pytest.mark.skipif(on_postgres(), reason="SQLite settings")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_data_version_moves_with_every_write(engine):
    with engine.connect() as conn:
        before = store.data_version(conn)
    with engine.begin() as conn:
        store.start_batch(conn, nama_file="a.csv", sha256="1" * 64, jenis="kegiatan", jumlah_baris=0)
    with engine.connect() as conn:
        assert store.data_version(conn) == before + 1


def test_a_new_store_is_created_on_first_use(tmp_path):
    path = tmp_path / "sub" / "baru.sqlite"
    engine = store.make_engine(f"sqlite:///{path}")
    assert path.exists()
    with engine.connect() as conn:
        assert store.is_empty(conn) and not store.has_regions(conn)
