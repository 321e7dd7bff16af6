"""The store: aggregated registry data in SQL (SQLAlchemy 2 Core).

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

from . import config

metadata = sa.MetaData()

#: Services a partner activity or a target may concern. Labels live in texts.py.
SERVICES = ("rekam_ektp", "akta_kematian", "akta_kelahiran", "kk", "kia")
#: How a service was delivered.
DELIVERY = ("jemput_bola", "dasa_wisma", "malam_takziah", "posko_desa", "layanan_kantor", "sekolah")
#: Vulnerable groups served ("umum" = not recorded as vulnerable).
VULNERABLE = ("umum", "disabilitas", "lansia")
PROGRAMMES = ("kemitraan_2017", "gertak_2018")
#: Where a target's progress is counted from: the registry's recorded count, or partner activity.
TARGET_BASIS = ("registri", "kegiatan_mitra")
BATCH_KINDS = ("registri", "kegiatan", "target", "wilayah", "contoh")
BATCH_STATUS = ("aktif", "dibatalkan")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _whole(column: str, nullable: bool = False) -> sa.CheckConstraint:
    """A non-negative whole number (SQLite would otherwise keep 1.5 or 'abc' in an INTEGER column)."""
    rule = f"{column} >= 0 AND {column} = CAST({column} AS INTEGER)"
    if nullable:
        rule = f"{column} IS NULL OR ({rule})"
    return sa.CheckConstraint(rule, name=f"ck_{column}_bilangan_cacah")


#: A regency (kabupaten or kota). A store may hold one or many; names come from the boundary data
#: (regions.py) or whoever loaded the regions, never from constants in the pages.
kabupaten = sa.Table(
    "kabupaten", metadata,
    sa.Column("kode", sa.String(5), primary_key=True),  # 73.02
    sa.Column("nama", sa.String(80), nullable=False),  # Bulukumba
    # Where the Disdukcapil office is (distances in the priority list); NULL: not known yet.
    sa.Column("kantor_lat", sa.Float, nullable=True),
    sa.Column("kantor_lng", sa.Float, nullable=True),
)

kecamatan = sa.Table(
    "kecamatan", metadata,
    sa.Column("kode", sa.String(8), primary_key=True),  # 73.02.06
    sa.Column("nama", sa.String(80), nullable=False),
    # Nullable only because stores made before schema 2 gain the column by ALTER TABLE; the
    # upgrade fills it and every writer (reference.sync_regions) sets it.
    sa.Column("kabupaten_kode", sa.String(5), sa.ForeignKey("kabupaten.kode"), nullable=True),
    sa.Index("ix_kecamatan_kabupaten", "kabupaten_kode", "kode"),
)

desa = sa.Table(
    "desa", metadata,
    sa.Column("kode", sa.String(13), primary_key=True),  # 73.02.06.2006
    sa.Column("nama", sa.String(80), nullable=False),
    sa.Column("jenis", sa.String(10), nullable=False),  # desa | kelurahan
    sa.Column("kecamatan_kode", sa.String(8), sa.ForeignKey("kecamatan.kode"), nullable=False),
    sa.Column("lat", sa.Float, nullable=False),  # centroid, for distances
    sa.Column("lng", sa.Float, nullable=False),
    sa.Column("luas_km2", sa.Float, nullable=False),
    sa.CheckConstraint("jenis IN ('desa', 'kelurahan')", name="ck_desa_jenis"),
    sa.Index("ix_desa_kecamatan", "kecamatan_kode", "kode"),
)

mitra = sa.Table(
    "mitra", metadata,
    sa.Column("kode", sa.String(20), primary_key=True),
    sa.Column("nama", sa.String(80), nullable=False, unique=True),
    sa.Column("deskripsi", sa.String(300), nullable=False),
    sa.Column("urutan", sa.Integer, nullable=False),
)

impor = sa.Table(
    "impor", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("nama_file", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("jenis", sa.String(12), nullable=False),
    sa.Column("jumlah_baris", sa.Integer, nullable=False),
    sa.Column("waktu", sa.DateTime, nullable=False),  # UTC
    sa.Column("oleh", sa.String(80), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="aktif"),
    sa.Column("contoh", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("dibatalkan_waktu", sa.DateTime, nullable=True),
    sa.Column("dibatalkan_oleh", sa.String(80), nullable=True),
    sa.CheckConstraint(_in("jenis", BATCH_KINDS), name="ck_impor_jenis"),
    sa.CheckConstraint(_in("status", BATCH_STATUS), name="ck_impor_status"),
    _whole("jumlah_baris"),
)

registri = sa.Table(
    "registri", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("desa_kode", sa.String(13), sa.ForeignKey("desa.kode"), nullable=False),
    sa.Column("tanggal", sa.Date, nullable=False),
    sa.Column("wajib_ktp", sa.Integer, nullable=False),
    sa.Column("sudah_rekam", sa.Integer, nullable=False),
    sa.Column("wajib_l", sa.Integer, nullable=True),
    sa.Column("wajib_p", sa.Integer, nullable=True),
    sa.Column("rekam_l", sa.Integer, nullable=True),
    sa.Column("rekam_p", sa.Integer, nullable=True),
    sa.Column("impor_id", sa.Integer, sa.ForeignKey("impor.id"), nullable=False),
    _whole("wajib_ktp"), _whole("sudah_rekam"),
    _whole("wajib_l", True), _whole("wajib_p", True), _whole("rekam_l", True), _whole("rekam_p", True),
    sa.CheckConstraint("sudah_rekam <= wajib_ktp", name="ck_registri_rekam_le_wajib"),
    sa.CheckConstraint(
        "(wajib_l IS NULL AND wajib_p IS NULL) OR (wajib_l + wajib_p = wajib_ktp)",
        name="ck_registri_wajib_per_jenis_kelamin",
    ),
    sa.CheckConstraint(
        "(rekam_l IS NULL AND rekam_p IS NULL) OR "
        "(rekam_l + rekam_p = sudah_rekam AND wajib_l IS NOT NULL "
        "AND rekam_l <= wajib_l AND rekam_p <= wajib_p)",
        name="ck_registri_rekam_per_jenis_kelamin",
    ),
    sa.Index("ix_registri_desa_tanggal", "desa_kode", "tanggal"),
    sa.Index("ix_registri_tanggal", "tanggal"),
    sa.Index("ix_registri_impor", "impor_id"),  # schema 2: a batch's villages, when it is undone
)

kegiatan = sa.Table(
    "kegiatan", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tanggal", sa.Date, nullable=False),
    sa.Column("mitra_kode", sa.String(20), sa.ForeignKey("mitra.kode"), nullable=False),
    sa.Column("desa_kode", sa.String(13), sa.ForeignKey("desa.kode"), nullable=False),
    sa.Column("layanan", sa.String(20), nullable=False),
    sa.Column("jumlah", sa.Integer, nullable=False),
    sa.Column("cara", sa.String(20), nullable=False),
    sa.Column("rentan", sa.String(12), nullable=False, server_default="umum"),
    sa.Column("impor_id", sa.Integer, sa.ForeignKey("impor.id"), nullable=False),
    _whole("jumlah"),
    sa.CheckConstraint(_in("layanan", SERVICES), name="ck_kegiatan_layanan"),
    sa.CheckConstraint(_in("cara", DELIVERY), name="ck_kegiatan_cara"),
    sa.CheckConstraint(_in("rentan", VULNERABLE), name="ck_kegiatan_rentan"),
    sa.Index("ix_kegiatan_tanggal", "tanggal"),
    # schema 2: one village's or one partner's activity without reading everyone's
    sa.Index("ix_kegiatan_desa_tanggal", "desa_kode", "tanggal"),
    # schema 3: covering, so one partner's villages in a period (the Mitra page) are read from the
    # index alone: nationally 1.5-3.4 s -> 0.3-0.6 s. It replaces (mitra_kode, tanggal), its prefix.
    sa.Index("ix_kegiatan_mitra_rinci", "mitra_kode", "tanggal", "desa_kode", "layanan", "rentan", "jumlah",
             "impor_id"),
    sa.Index("ix_kegiatan_impor", "impor_id"),  # a batch's days, when it is undone
    # Vulnerable residents served (1 row in 12 or so): per kecamatan without reading the rest.
    sa.Index("ix_kegiatan_rentan", "tanggal", "desa_kode", "rentan", "jumlah", "impor_id",
             sqlite_where=sa.text("rentan != 'umum'"), postgresql_where=sa.text("rentan != 'umum'")),
)

target = sa.Table(
    "target", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("program", sa.String(20), nullable=False),
    sa.Column("layanan", sa.String(20), nullable=False),
    # NULL: the regency in kabupaten_kode, or (both NULL) everything the store holds.
    sa.Column("kecamatan_kode", sa.String(8), sa.ForeignKey("kecamatan.kode"), nullable=True),
    sa.Column("nilai", sa.Integer, nullable=False),
    sa.Column("mulai", sa.Date, nullable=False),
    sa.Column("selesai", sa.Date, nullable=False),
    sa.Column("dasar", sa.String(16), nullable=False),
    sa.Column("impor_id", sa.Integer, sa.ForeignKey("impor.id"), nullable=False),
    # Schema 2: a regency's target in a store that holds several (NULL for older rows and for
    # files that name no regency: they count for the whole store, as before).
    sa.Column("kabupaten_kode", sa.String(5), sa.ForeignKey("kabupaten.kode"), nullable=True),
    _whole("nilai"),
    sa.CheckConstraint(_in("program", PROGRAMMES), name="ck_target_program"),
    sa.CheckConstraint(_in("layanan", SERVICES), name="ck_target_layanan"),
    sa.CheckConstraint(_in("dasar", TARGET_BASIS), name="ck_target_dasar"),
    sa.CheckConstraint("mulai <= selesai", name="ck_target_mulai_le_selesai"),
)

#: One row, `versi`, bumped in the same transaction as every write: the cheap data version
#: that pages poll and caches key on.
meta = sa.Table(
    "meta", metadata,
    sa.Column("kunci", sa.String(40), primary_key=True),
    sa.Column("nilai", sa.Integer, nullable=False),
)

# SQLite keeps any text in a DATE column; PostgreSQL refuses an impossible date by itself.
# These triggers make SQLite refuse '2018-02-30' or 'besok' from any writer too.
_DATE_COLUMNS = {"registri": ["tanggal"], "kegiatan": ["tanggal"], "target": ["mulai", "selesai"]}


def _date_triggers(table_name: str, columns: list[str]) -> list[sa.DDL]:
    # date(x, '+0 days') normalises 2018-02-30 to 2018-03-02, so only a real date equals itself.
    bad = " OR ".join(f"date(NEW.{c}, '+0 days') IS NULL OR date(NEW.{c}, '+0 days') != NEW.{c}"
                      for c in columns)
    return [
        sa.DDL(
            f"CREATE TRIGGER IF NOT EXISTS tr_{table_name}_tanggal_{op.lower()} "
            f"BEFORE {op} ON {table_name} WHEN {bad} "
            f"BEGIN SELECT RAISE(ABORT, 'tanggal tidak sah'); END"
        ).execute_if(dialect="sqlite")
        for op in ("INSERT", "UPDATE")
    ]


for _name, _cols in _DATE_COLUMNS.items():
    for _ddl in _date_triggers(_name, _cols):
        event.listen(metadata.tables[_name], "after_create", _ddl)


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
#: `target.kabupaten_kode`), the derived registry summaries (bulukumba/summaries) and the indexes
#: the data module's aggregate queries use. 3: partner reach per village (`jangkauan_mitra`,
#: bulukumba/summaries), so "villages reached" is not a count over every activity row, and a covering
#: index for one partner's activity (`ix_kegiatan_mitra_rinci`). 4: each programme's activity
#: per partner and village in its period (`jangkauan_program`, `periode_program`); created
#: empty, and counted by the first refresh, which finds their periods differ from the targets'.
#: 5: a covering index of every village's newest snapshot (`ix_registri_berlaku_terbaru`).
#: 6: what the public page and projector published (`terbitan`), so every new publication is
#: audited against all of it (bulukumba/disclosure/history.py); created empty.
#: 7: partners' own reports (`kiriman`, `kiriman_baris`, `kiriman_riwayat`, `konsep_laporan`,
#: bulukumba/laporan.py): they wait outside every figure until an operator approves them; created
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


def active_batches() -> sa.Select:
    """Ids of active batches, for `WHERE impor_id IN (...)`."""
    return sa.select(impor.c.id).where(impor.c.status == "aktif")


def is_empty(conn: sa.Connection) -> bool:
    """True when no figures are stored yet (regions alone do not count)."""
    return conn.execute(sa.select(sa.func.count()).select_from(registri)).scalar_one() == 0


def has_regions(conn: sa.Connection) -> bool:
    return conn.execute(sa.select(sa.func.count()).select_from(desa)).scalar_one() > 0


#: What an operator said a column of an import file means, per header spelling and file kind
#: (bulukumba/importer/mapping.py), so the next file with the same header goes in without
#: asking again. `kolom` is a column of the kind, a derived column, or 'abaikan' (ignore it).
pemetaan_kolom = sa.Table(
    "pemetaan_kolom", metadata,
    sa.Column("jenis", sa.String(12), primary_key=True),
    sa.Column("judul_kunci", sa.String(200), primary_key=True),  # spelling, case/spacing folded
    sa.Column("judul", sa.String(200), nullable=False),          # as first written
    sa.Column("kolom", sa.String(20), nullable=False),
    sa.Column("waktu", sa.DateTime, nullable=False),             # UTC
    sa.Column("oleh", sa.String(80), nullable=False),
)


#: What the public page and projector published (bulukumba/disclosure/history.py): one row per
#: publication of a table (the registry's, or vulnerable residents served) of one regency and
#: date, with every cell's figure and status: a reader may hold every one of them, so each new
#: publication is audited against all of them. Aggregates only, like the rest of the store.
#: Writing here does not bump the data version: a publication is not new data.
terbitan = sa.Table(
    "terbitan", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("wilayah", sa.String(5), nullable=False),    # the regency's code ('' for a whole store)
    sa.Column("tabel", sa.String(12), nullable=False),     # registri | rentan
    sa.Column("tanggal", sa.Date, nullable=False),         # the date its figures are for
    sa.Column("sidik", sa.String(64), nullable=False),     # sha256 of its figures (not the statuses)
    sa.Column("isi", sa.Text, nullable=False),             # JSON: every cell, its figure and status
    sa.Column("versi", sa.Integer, nullable=False),        # the data version it was built from
    sa.Column("waktu", sa.DateTime, nullable=False),       # UTC
    sa.CheckConstraint("tabel IN ('registri', 'rentan')", name="ck_terbitan_tabel"),
    sa.Index("ix_terbitan_wilayah", "wilayah", "tabel", "tanggal"),
)


# The derived summary tables the data module reads (bulukumba/summaries) belong to the schema.
from . import summaries  # noqa: E402,F401  (registers its tables and triggers on `metadata`)


#: Signed-in browser sessions (bulukumba/server/sessions.py). The browser's cookie carries a
#: signed random token; the store keeps only the token's sha256, so a copy of the store signs
#: nobody in. Signing out sets `berakhir`; rows past the longest lifetime are deleted. Writing
#: here does not bump the data version: a sign-in is not new data.
sesi = sa.Table(
    "sesi", metadata,
    sa.Column("id", sa.String(64), primary_key=True),      # sha256 (hex) of the cookie's token
    sa.Column("pengguna", sa.String(80), nullable=False),  # user name in secrets.toml
    sa.Column("dibuat", sa.DateTime, nullable=False),      # UTC, sign-in
    sa.Column("terakhir", sa.DateTime, nullable=False),    # UTC, last activity (to the minute)
    sa.Column("berakhir", sa.DateTime, nullable=True),     # UTC, signed out
    sa.Index("ix_sesi_dibuat", "dibuat"),
)


# ---------------------------------------------------------------------------------------------
# Schema 7: partners' own reports (bulukumba/laporan.py)
# ---------------------------------------------------------------------------------------------

#: What a submission may be: waiting for the operator, approved (its rows are then an import
#: batch, `impor_id`, and count like any import), returned with a reason, or withdrawn.
SUBMISSION_STATUS = ("menunggu", "disetujui", "dikembalikan", "ditarik")
SUBMISSION_SOURCE = ("formulir", "berkas")

#: A partner's report: rows it sent from the phone form or its own spreadsheet. Its rows
#: (`kiriman_baris`) are in no figure until an operator approves it: approval writes them as an
#: import batch of partner activity (`impor`, jenis 'kegiatan'), so every figure, leaderboard,
#: verdict and the public page count them exactly as imported rows, and undoing that batch
#: withdraws them. Aggregates only: counts per village and day, a short checked note.
kiriman = sa.Table(
    "kiriman", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("mitra_kode", sa.String(20), sa.ForeignKey("mitra.kode"), nullable=False),
    sa.Column("pengguna", sa.String(80), nullable=False),    # the account that sent it
    sa.Column("sumber", sa.String(12), nullable=False),      # formulir | berkas
    sa.Column("nama_file", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),      # of what was checked
    sa.Column("catatan", sa.String(300), nullable=True),
    sa.Column("dikirim", sa.DateTime, nullable=False),       # UTC
    sa.Column("status", sa.String(16), nullable=False, server_default="menunggu"),
    sa.Column("alasan", sa.String(300), nullable=True),      # why it was returned, for the partner
    sa.Column("diperiksa_oleh", sa.String(80), nullable=True),
    sa.Column("diperiksa_waktu", sa.DateTime, nullable=True),
    sa.Column("impor_id", sa.Integer, sa.ForeignKey("impor.id"), nullable=True),  # once approved
    sa.CheckConstraint(_in("status", SUBMISSION_STATUS), name="ck_kiriman_status"),
    sa.CheckConstraint(_in("sumber", SUBMISSION_SOURCE), name="ck_kiriman_sumber"),
    sa.Index("ix_kiriman_mitra", "mitra_kode", "status"),
    sa.Index("ix_kiriman_status", "status"),
)

kiriman_baris = sa.Table(
    "kiriman_baris", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kiriman_id", sa.Integer, sa.ForeignKey("kiriman.id"), nullable=False),
    sa.Column("tanggal", sa.Date, nullable=False),
    sa.Column("mitra_kode", sa.String(20), sa.ForeignKey("mitra.kode"), nullable=False),
    sa.Column("desa_kode", sa.String(13), sa.ForeignKey("desa.kode"), nullable=False),
    sa.Column("layanan", sa.String(20), nullable=False),
    sa.Column("jumlah", sa.Integer, nullable=False),
    sa.Column("cara", sa.String(20), nullable=False),
    sa.Column("rentan", sa.String(12), nullable=False, server_default="umum"),
    sa.CheckConstraint("jumlah >= 0 AND jumlah = CAST(jumlah AS INTEGER)",
                       name="ck_kiriman_jumlah_bilangan_cacah"),
    sa.CheckConstraint(_in("layanan", SERVICES), name="ck_kiriman_baris_layanan"),
    sa.CheckConstraint(_in("cara", DELIVERY), name="ck_kiriman_baris_cara"),
    sa.CheckConstraint(_in("rentan", VULNERABLE), name="ck_kiriman_baris_rentan"),
    sa.Index("ix_kiriman_baris_kiriman", "kiriman_id"),
    sa.Index("ix_kiriman_baris_desa", "mitra_kode", "desa_kode", "tanggal"),
)

#: Every step of a submission: who, when, what (sent, approved, returned and why, withdrawn).
kiriman_riwayat = sa.Table(
    "kiriman_riwayat", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kiriman_id", sa.Integer, sa.ForeignKey("kiriman.id"), nullable=False),
    sa.Column("waktu", sa.DateTime, nullable=False),         # UTC
    sa.Column("oleh", sa.String(80), nullable=False),
    sa.Column("aksi", sa.String(16), nullable=False),        # dikirim | disetujui | dikembalikan | ditarik
    sa.Column("keterangan", sa.String(300), nullable=True),
    sa.Index("ix_kiriman_riwayat_kiriman", "kiriman_id"),
)

#: The phone form's draft, per account, so a lost connection or a reload loses nothing.
konsep_laporan = sa.Table(
    "konsep_laporan", metadata,
    sa.Column("pengguna", sa.String(80), primary_key=True),
    sa.Column("isi", sa.Text, nullable=False),               # JSON of the form's fields
    sa.Column("waktu", sa.DateTime, nullable=False),         # UTC
)

for _ddl in _date_triggers("kiriman_baris", ["tanggal"]):
    event.listen(kiriman_baris, "after_create", _ddl)
