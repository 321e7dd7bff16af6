"""The store: the engine, the schema's creation and upgrades, import batches and the data version.

Default an embedded SQLite file (WAL, foreign keys on); any SQLAlchemy URL through
`BULUKUMBA_DB_URL`. Only portable SQL is used, so PostgreSQL runs the same code.

The store holds aggregates only: counts per village and date, never a person. Its invariants
(non-negative whole counts, recorded <= wajib KTP, known village and partner codes, real dates)
are CHECK and FOREIGN KEY constraints, so they hold for every writer, not only the importer.

Every data row belongs to an import batch (`impor`). Figures count only rows of active batches,
so undoing a batch removes its effect without deleting the audit trail. Demo data is a batch
with `contoh = true`, and every page can label it.
"""
from __future__ import annotations

import datetime as dt
import getpass
from contextlib import contextmanager
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bulukumba import config
# The tables are defined in schema.py; the store is the one place the rest of the code names them
# (`store.registri`), so they are re-exported here.
from bulukumba.storage.schema import (  # noqa: F401
    metadata,
    SERVICES,
    DELIVERY,
    VULNERABLE,
    PROGRAMMES,
    TARGET_BASIS,
    BATCH_KINDS,
    BATCH_STATUS,
    kabupaten,
    kecamatan,
    desa,
    mitra,
    impor,
    registri,
    kegiatan,
    target,
    meta,
    active_batches,
    pemetaan_kolom,
    terbitan,
    sesi,
    SUBMISSION_STATUS,
    SUBMISSION_SOURCE,
    kiriman,
    kiriman_baris,
    kiriman_riwayat,
    konsep_laporan,
)
# The derived summary tables (bulukumba/storage/summaries) add theirs to `metadata` on import.
from bulukumba.storage import summaries  # noqa: F401

def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default from config), with the schema created or upgraded on first use."""
    url = url or config.database_url()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    # PostgreSQL's JIT compiles any query whose estimated cost is high: at national size it spent
    # 150-200 ms compiling cold queries (the partner reach count: 0.26 s with it, 0.09 s without).
    options = {"pool_pre_ping": True, "connect_args": {"options": "-c jit=off"}} if url.startswith("postgresql") else {}
    engine = sa.create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    prepare_schema(engine)
    return engine


# ---------------------------------------------------------------------------------------------
# Schema versions: a documented check-and-upgrade on start
# ---------------------------------------------------------------------------------------------

#: The schema this code writes. Stored in `meta` under "skema"; a store without it is schema 1.
#: 1: the first release. 2: regencies (`kabupaten`, `kecamatan.kabupaten_kode`,
#: `target.kabupaten_kode`), the derived registry summaries (bulukumba/storage/summaries) and the indexes
#: the data module's aggregate queries use. 3: partner reach per village (`jangkauan_mitra`,
#: bulukumba/storage/summaries), so "villages reached" is not a count over every activity row, and a covering
#: index for one partner's activity (`ix_kegiatan_mitra_rinci`). 4: each programme's activity
#: per partner and village in its period (`jangkauan_program`, `periode_program`); created
#: empty, and counted by the first refresh, which finds their periods differ from the targets'.
#: 5: a covering index of every village's newest snapshot (`ix_registri_berlaku_terbaru`).
#: 6: what the public page and projector published (`terbitan`), so every new publication is
#: audited against all of it (bulukumba/disclosure/history.py); created empty.
#: 7: partners' own reports (`kiriman`, `kiriman_baris`, `kiriman_riwayat`, `konsep_laporan`,
#: bulukumba/reports): they wait outside every figure until an operator approves them; created
#: empty.
SCHEMA_VERSION = 7


def prepare_schema(engine: Engine) -> None:
    """Create a new store, or bring an older one up to SCHEMA_VERSION, in one transaction.

    Every step is idempotent and runs under a lock (PostgreSQL: an advisory lock; SQLite: the
    write lock), so two processes starting at once on the same old store upgrade it once. A store
    at SCHEMA_VERSION already is only read: a process starting while an import writes (and holds
    that lock, or the version row, until it commits) does not wait for the import.
    """
    if _is_current(engine):
        return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7302001)"))
        metadata.create_all(conn)  # new tables (and their indexes); never alters existing ones
        if conn.execute(sa.select(meta.c.nilai).where(meta.c.kunci == "versi")).first() is None:
            conn.execute(meta.insert().values(kunci="versi", nilai=0))
        # A write that changes nothing takes the write lock (SQLite) or the row lock (PostgreSQL),
        # so the version read next is what the last upgrader left.
        conn.execute(meta.update().where(meta.c.kunci == "versi").values(nilai=meta.c.nilai))
        found = schema_version(conn)
        if found < SCHEMA_VERSION:
            _upgrade(conn, found)
            bump_version(conn)


def _is_current(engine: Engine) -> bool:
    with engine.connect() as conn:
        return sa.inspect(conn).has_table(meta.name) and schema_version(conn) >= SCHEMA_VERSION


def schema_version(conn: sa.Connection) -> int:
    found = conn.execute(sa.select(meta.c.nilai).where(meta.c.kunci == "skema")).scalar()
    return 1 if found is None else int(found)


def _upgrade(conn: sa.Connection, found: int) -> None:
    """From schema `found` to SCHEMA_VERSION. Adds, never drops: older code can still read."""
    inspector = sa.inspect(conn)
    for table_name, column_name in (("kecamatan", "kabupaten_kode"), ("target", "kabupaten_kode")):
        if column_name not in {c["name"] for c in inspector.get_columns(table_name)}:
            conn.execute(sa.text(f"ALTER TABLE {table_name} ADD COLUMN {column_name} VARCHAR(5) "
                                 f"REFERENCES kabupaten(kode)"))
    # A regency for every kecamatan code; its name until the boundary data gives the real one.
    prefix = sa.func.substr(kecamatan.c.kode, 1, 5)
    missing = sa.select(prefix.label("kode")).where(
        kecamatan.c.kabupaten_kode.is_(None), ~sa.exists().where(kabupaten.c.kode == prefix)).distinct()
    for (code,) in conn.execute(missing).all():
        conn.execute(kabupaten.insert().values(kode=code, nama=f"Kabupaten {code}"))
    conn.execute(kecamatan.update().where(kecamatan.c.kabupaten_kode.is_(None)).values(kabupaten_kode=prefix))
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(conn, checkfirst=True)
    if found < 2:
        summaries.install(conn)  # triggers that note changed villages; every village marked dirty
    elif found < 3:  # schema 2 -> 3: the new triggers; only the partner reach is rebuilt on first read
        summaries.install_triggers(conn)
        summaries.mark_reach_dirty(conn)
    # Schema 3's covering index starts with these columns: the old index only costs writes.
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_kegiatan_mitra_tanggal"))
    if conn.execute(sa.select(meta.c.kunci).where(meta.c.kunci == "skema")).first() is None:
        conn.execute(meta.insert().values(kunci="skema", nilai=SCHEMA_VERSION))
    else:
        conn.execute(meta.update().where(meta.c.kunci == "skema").values(nilai=SCHEMA_VERSION))


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine (and connection pool) per URL for the life of the process."""
    return make_engine(url)


def default_engine() -> Engine:
    return engine_for(config.database_url())


class ImportBusy(Exception):
    """Another import holds the import lock and did not finish within the wait."""


@contextmanager
def import_lock(engine: Engine, wait_seconds: float, waiting=None):
    """One import writes at a time, in any process (the command line, Kelola data's workers).

    PostgreSQL: a session advisory lock; SQLite: a lock file beside the store (`….impor.lock`),
    so a second import waits for the first instead of meeting its write lock ('database is
    locked' after 5 s). Waits at most `wait_seconds` (calling `waiting()` once, when it has to
    wait), then raises ImportBusy. The lock is released when the holder ends, even if killed.
    """
    import time

    deadline = time.monotonic() + wait_seconds
    told = False

    def wait_or_give_up() -> None:
        nonlocal told
        if time.monotonic() >= deadline:
            raise ImportBusy
        if not told and waiting is not None:
            waiting()
            told = True
        time.sleep(0.2)

    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            while not conn.execute(sa.text("SELECT pg_try_advisory_lock(7302021)")).scalar():
                conn.commit()
                wait_or_give_up()
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(7302021)"))
                conn.commit()
        return
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    import fcntl

    with open(f"{path}.impor.lock", "a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                wait_or_give_up()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def data_version(conn: sa.Connection) -> int:
    """A number that changes after every write; cheap enough to poll."""
    return int(conn.execute(sa.select(meta.c.nilai).where(meta.c.kunci == "versi")).scalar_one())


def bump_version(conn: sa.Connection) -> None:
    conn.execute(meta.update().where(meta.c.kunci == "versi").values(nilai=meta.c.nilai + 1))


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "tidak diketahui"


def start_batch(conn: sa.Connection, *, nama_file: str, sha256: str, jenis: str,
                jumlah_baris: int, oleh: str | None = None, contoh: bool = False) -> int:
    """Open an import batch in the caller's transaction and return its id."""
    result = conn.execute(impor.insert().values(
        nama_file=nama_file, sha256=sha256, jenis=jenis, jumlah_baris=jumlah_baris,
        waktu=dt.datetime.now(dt.UTC).replace(tzinfo=None), oleh=oleh or current_user(),
        status="aktif", contoh=contoh,
    ))
    bump_version(conn)
    return int(result.inserted_primary_key[0])


def cancel_batch(conn: sa.Connection, batch_id: int, oleh: str | None = None) -> bool:
    """Undo a batch: mark it cancelled (who, when) so its rows leave every figure.

    Nothing is deleted: the rows and the audit row stay. Returns False if it was not active.
    """
    result = conn.execute(impor.update().where(impor.c.id == batch_id, impor.c.status == "aktif").values(
        status="dibatalkan", dibatalkan_waktu=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        dibatalkan_oleh=oleh or current_user()))
    if result.rowcount:
        bump_version(conn)
    return bool(result.rowcount)


def retire_demo(conn: sa.Connection, oleh: str) -> list[int]:
    """Cancel every active demo batch (when real data arrives); returns their ids."""
    ids = list(conn.execute(sa.select(impor.c.id).where(impor.c.contoh, impor.c.status == "aktif")).scalars())
    for batch_id in ids:
        cancel_batch(conn, batch_id, oleh)
    return ids


def is_empty(conn: sa.Connection) -> bool:
    """True when no figures are stored yet (regions alone do not count)."""
    return conn.execute(sa.select(sa.func.count()).select_from(registri)).scalar_one() == 0


def has_regions(conn: sa.Connection) -> bool:
    return conn.execute(sa.select(sa.func.count()).select_from(desa)).scalar_one() > 0
