"""Derived registry tables, so that a national store answers "how many on date D" without a
pass over every snapshot ever imported.

`registri` keeps every row of every batch (the audit trail); which row counts is a question:
the row of an *active* batch, and for the same village and date the *later* batch. These tables
hold the answer, kept per village:

- `registri_berlaku`: one row per village and snapshot date that counts, with the date of the
  village's next snapshot (`sampai`, NULL for its newest) and the change from its previous one
  (`d_wajib`, `d_rekam`). "A village's latest snapshot on or before D" is then a plain filter,
  `tanggal <= D AND (sampai > D OR sampai IS NULL)`, and a total on D is a sum of changes up to D.
- `ringkas_registri`: those changes summed per kecamatan and date (≈ 36 rows per kecamatan a
  year), so a regency's or the country's trend reads a few hundred thousand rows at most.

- `ringkas_kegiatan`: partner activity summed per day, partner, service and vulnerable group
  over the whole store (a few hundred thousand rows at most), for the national view's sums; a
  regency's or kecamatan's activity is read from `kegiatan` itself through its village index.
- `jangkauan_mitra`: per partner, village and service (and for all services, `layanan = '*'`),
  the dates of its first and last active activity row. "Villages a partner reached in a period"
  is a count of distinct villages, which no daily or monthly sum can give; over the national
  store's 10 million rows it took 3-4 s on PostgreSQL and 10-23 s on SQLite. With the first and
  last dates it is a count, for every period open at one end or reaching past the data at one
  end (the pages' defaults); a period inside the data at both ends counts its rows
  (data/activity.py).
- `jangkauan_program`: per programme, service (and `*`), partner and village, the activity and
  vulnerable residents served in the programme's period (`periode_program`: the earliest start
  and latest end of its active targets, as the pages read it). The 2017 partnership is a period
  inside the data at both ends, which the first and last dates cannot answer: nationally its
  leaderboard counted 2.2 million rows per view (0.9-1.3 s on PostgreSQL). Kept per village like
  the reach, and rebuilt for a programme whose period changed (a target imported or undone).

They are derived, never written by importers: triggers on `registri`, `impor` (a batch undone or
retired) and `desa` note the villages whose rows changed in `registri_kotor`, in the writer's
own transaction, whatever the writer is. `refresh` recomputes just those villages (a window over
their rows, portable SQL) and their kecamatan; the data module calls it before it reads a new
data version, and anyone may call it at the end of a write. A store from before schema 2 is
marked dirty as a whole by the upgrade and rebuilt on first read.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from . import store

registri_berlaku = sa.Table(
    "registri_berlaku", store.metadata,
    sa.Column("desa_kode", sa.String(13), primary_key=True),
    sa.Column("tanggal", sa.Date, primary_key=True),
    sa.Column("sampai", sa.Date, nullable=True),  # the village's next snapshot date; NULL: newest
    sa.Column("kecamatan_kode", sa.String(8), nullable=False),
    sa.Column("wajib_ktp", sa.Integer, nullable=False),
    sa.Column("sudah_rekam", sa.Integer, nullable=False),
    sa.Column("d_wajib", sa.Integer, nullable=False),  # change since the village's previous snapshot
    sa.Column("d_rekam", sa.Integer, nullable=False),
    sa.Index("ix_registri_berlaku_kecamatan", "kecamatan_kode", "tanggal"),
    sa.Index("ix_registri_berlaku_sampai", "sampai", "tanggal"),
)

ringkas_registri = sa.Table(
    "ringkas_registri", store.metadata,
    sa.Column("kecamatan_kode", sa.String(8), primary_key=True),
    sa.Column("tanggal", sa.Date, primary_key=True),
    sa.Column("d_wajib", sa.BigInteger, nullable=False),
    sa.Column("d_rekam", sa.BigInteger, nullable=False),
)

registri_kotor = sa.Table(
    "registri_kotor", store.metadata,
    sa.Column("desa_kode", sa.String(13), primary_key=True),
)

ringkas_kegiatan = sa.Table(
    "ringkas_kegiatan", store.metadata,
    sa.Column("tanggal", sa.Date, primary_key=True),
    sa.Column("mitra_kode", sa.String(20), primary_key=True),
    sa.Column("layanan", sa.String(20), primary_key=True),
    sa.Column("rentan", sa.String(12), primary_key=True),
    sa.Column("jumlah", sa.BigInteger, nullable=False),
)

kegiatan_kotor = sa.Table(
    "kegiatan_kotor", store.metadata,
    sa.Column("tanggal", sa.Date, primary_key=True),
)

#: `layanan` of the rows that stand for every service together.
ALL_SERVICES = "*"

jangkauan_mitra = sa.Table(
    "jangkauan_mitra", store.metadata,
    sa.Column("layanan", sa.String(20), primary_key=True),  # a service, or ALL_SERVICES
    sa.Column("mitra_kode", sa.String(20), primary_key=True),
    sa.Column("desa_kode", sa.String(13), primary_key=True),
    sa.Column("pertama", sa.Date, nullable=False),  # first day with an active row
    sa.Column("terakhir", sa.Date, nullable=False),  # last day with an active row
    sa.Index("ix_jangkauan_mitra_desa", "desa_kode"),
    # Covering: a period's count per partner is read from the index alone (PostgreSQL, 581,000
    # rows: 520 ms through the table, 90 ms from the index).
    sa.Index("ix_jangkauan_mitra_periode", "layanan", "mitra_kode", "pertama", "terakhir", "desa_kode"),
)

#: Villages whose partner activity changed since `jangkauan_mitra` was last brought up to date.
jangkauan_kotor = sa.Table(
    "jangkauan_kotor", store.metadata,
    sa.Column("desa_kode", sa.String(13), primary_key=True),
)

jangkauan_program = sa.Table(
    "jangkauan_program", store.metadata,
    sa.Column("program", sa.String(20), primary_key=True),
    sa.Column("layanan", sa.String(20), primary_key=True),  # a service, or ALL_SERVICES
    sa.Column("mitra_kode", sa.String(20), primary_key=True),
    sa.Column("desa_kode", sa.String(13), primary_key=True),
    sa.Column("jumlah", sa.BigInteger, nullable=False),  # activity in the programme's period
    sa.Column("rentan", sa.BigInteger, nullable=False),  # of which vulnerable residents served
    sa.Index("ix_jangkauan_program_desa", "desa_kode"),
)

#: The period each programme's rows in `jangkauan_program` were counted for.
periode_program = sa.Table(
    "periode_program", store.metadata,
    sa.Column("program", sa.String(20), primary_key=True),
    sa.Column("mulai", sa.Date, nullable=False),
    sa.Column("selesai", sa.Date, nullable=False),
)

#: Above this many dirty villages a full rebuild is cheaper than lists of codes.
_FULL_REBUILD_FROM = 5_000
_CHUNK = 900  # codes per IN (...) list, well under any driver's parameter limit

# Schema 3: the villages whose partner reach (jangkauan_mitra) must be recomputed.
_SQLITE_REACH_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS tr_jangkauan_kotor_insert AFTER INSERT ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO jangkauan_kotor (desa_kode) VALUES (NEW.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_jangkauan_kotor_delete AFTER DELETE ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO jangkauan_kotor (desa_kode) VALUES (OLD.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_jangkauan_kotor_update AFTER UPDATE ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO jangkauan_kotor (desa_kode) VALUES (OLD.desa_kode); "
    "INSERT OR IGNORE INTO jangkauan_kotor (desa_kode) VALUES (NEW.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_impor_jangkauan_kotor AFTER UPDATE OF status ON impor "
    "WHEN OLD.status IS NOT NEW.status "
    "BEGIN INSERT OR IGNORE INTO jangkauan_kotor (desa_kode) "
    "SELECT desa_kode FROM kegiatan INDEXED BY ix_kegiatan_impor WHERE impor_id = NEW.id; END",
]

# The batch triggers name their index: when one batch holds most rows (a bulk load), SQLite's
# statistics call impor_id unselective and it walked all 10 million activity rows instead
# (measured: 116 s to undo a 162-row batch); INSERT OR IGNORE drops repeated codes and days.
_SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS tr_registri_kotor_insert AFTER INSERT ON registri "
    "BEGIN INSERT OR IGNORE INTO registri_kotor (desa_kode) VALUES (NEW.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_registri_kotor_delete AFTER DELETE ON registri "
    "BEGIN INSERT OR IGNORE INTO registri_kotor (desa_kode) VALUES (OLD.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_registri_kotor_update AFTER UPDATE ON registri "
    "BEGIN INSERT OR IGNORE INTO registri_kotor (desa_kode) VALUES (OLD.desa_kode); "
    "INSERT OR IGNORE INTO registri_kotor (desa_kode) VALUES (NEW.desa_kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_impor_kotor AFTER UPDATE OF status ON impor "
    "WHEN OLD.status IS NOT NEW.status "
    "BEGIN INSERT OR IGNORE INTO registri_kotor (desa_kode) "
    "SELECT desa_kode FROM registri INDEXED BY ix_registri_impor WHERE impor_id = NEW.id; END",
    "CREATE TRIGGER IF NOT EXISTS tr_desa_kotor AFTER UPDATE OF kecamatan_kode ON desa "
    "BEGIN INSERT OR IGNORE INTO registri_kotor (desa_kode) VALUES (NEW.kode); END",
    "CREATE TRIGGER IF NOT EXISTS tr_kegiatan_kotor_insert AFTER INSERT ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO kegiatan_kotor (tanggal) VALUES (NEW.tanggal); END",
    "CREATE TRIGGER IF NOT EXISTS tr_kegiatan_kotor_delete AFTER DELETE ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO kegiatan_kotor (tanggal) VALUES (OLD.tanggal); END",
    "CREATE TRIGGER IF NOT EXISTS tr_kegiatan_kotor_update AFTER UPDATE ON kegiatan "
    "BEGIN INSERT OR IGNORE INTO kegiatan_kotor (tanggal) VALUES (OLD.tanggal); "
    "INSERT OR IGNORE INTO kegiatan_kotor (tanggal) VALUES (NEW.tanggal); END",
    "CREATE TRIGGER IF NOT EXISTS tr_impor_kegiatan_kotor AFTER UPDATE OF status ON impor "
    "WHEN OLD.status IS NOT NEW.status "
    "BEGIN INSERT OR IGNORE INTO kegiatan_kotor (tanggal) "
    "SELECT tanggal FROM kegiatan INDEXED BY ix_kegiatan_impor WHERE impor_id = NEW.id; END",
    *_SQLITE_REACH_TRIGGERS,
]

# PostgreSQL: statement-level triggers with transition tables, so a 300,000-row import notes its
# villages in one statement instead of 300,000 trigger calls.
_PG_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION registri_kotor_baru() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO registri_kotor (desa_kode) SELECT DISTINCT desa_kode FROM baru
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION registri_kotor_lama() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO registri_kotor (desa_kode) SELECT DISTINCT desa_kode FROM lama
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION registri_kotor_ubah() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO registri_kotor (desa_kode)
             SELECT desa_kode FROM lama UNION SELECT desa_kode FROM baru
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    # A plan made for this batch's id, never a generic one (which may scan every row).
    """CREATE OR REPLACE FUNCTION impor_kotor() RETURNS trigger LANGUAGE plpgsql
       SET plan_cache_mode = force_custom_plan AS $$
       BEGIN INSERT INTO registri_kotor (desa_kode)
             SELECT DISTINCT desa_kode FROM registri WHERE impor_id = NEW.id
             ON CONFLICT DO NOTHING;
             INSERT INTO kegiatan_kotor (tanggal)
             SELECT DISTINCT tanggal FROM kegiatan WHERE impor_id = NEW.id
             ON CONFLICT DO NOTHING;
             INSERT INTO jangkauan_kotor (desa_kode)
             SELECT DISTINCT desa_kode FROM kegiatan WHERE impor_id = NEW.id
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION kegiatan_kotor_baru() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO kegiatan_kotor (tanggal) SELECT DISTINCT tanggal FROM baru
             ON CONFLICT DO NOTHING;
             INSERT INTO jangkauan_kotor (desa_kode) SELECT DISTINCT desa_kode FROM baru
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION kegiatan_kotor_lama() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO kegiatan_kotor (tanggal) SELECT DISTINCT tanggal FROM lama
             ON CONFLICT DO NOTHING;
             INSERT INTO jangkauan_kotor (desa_kode) SELECT DISTINCT desa_kode FROM lama
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION kegiatan_kotor_ubah() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO kegiatan_kotor (tanggal)
             SELECT tanggal FROM lama UNION SELECT tanggal FROM baru
             ON CONFLICT DO NOTHING;
             INSERT INTO jangkauan_kotor (desa_kode)
             SELECT desa_kode FROM lama UNION SELECT desa_kode FROM baru
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION desa_kotor() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN INSERT INTO registri_kotor (desa_kode) VALUES (NEW.kode)
             ON CONFLICT DO NOTHING; RETURN NULL; END $$""",
    "DROP TRIGGER IF EXISTS tr_registri_kotor_insert ON registri",
    "CREATE TRIGGER tr_registri_kotor_insert AFTER INSERT ON registri REFERENCING NEW TABLE AS baru "
    "FOR EACH STATEMENT EXECUTE FUNCTION registri_kotor_baru()",
    "DROP TRIGGER IF EXISTS tr_registri_kotor_delete ON registri",
    "CREATE TRIGGER tr_registri_kotor_delete AFTER DELETE ON registri REFERENCING OLD TABLE AS lama "
    "FOR EACH STATEMENT EXECUTE FUNCTION registri_kotor_lama()",
    "DROP TRIGGER IF EXISTS tr_registri_kotor_update ON registri",
    "CREATE TRIGGER tr_registri_kotor_update AFTER UPDATE ON registri "
    "REFERENCING OLD TABLE AS lama NEW TABLE AS baru FOR EACH STATEMENT EXECUTE FUNCTION registri_kotor_ubah()",
    "DROP TRIGGER IF EXISTS tr_impor_kotor ON impor",
    "CREATE TRIGGER tr_impor_kotor AFTER UPDATE OF status ON impor FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION impor_kotor()",
    "DROP TRIGGER IF EXISTS tr_kegiatan_kotor_insert ON kegiatan",
    "CREATE TRIGGER tr_kegiatan_kotor_insert AFTER INSERT ON kegiatan REFERENCING NEW TABLE AS baru "
    "FOR EACH STATEMENT EXECUTE FUNCTION kegiatan_kotor_baru()",
    "DROP TRIGGER IF EXISTS tr_kegiatan_kotor_delete ON kegiatan",
    "CREATE TRIGGER tr_kegiatan_kotor_delete AFTER DELETE ON kegiatan REFERENCING OLD TABLE AS lama "
    "FOR EACH STATEMENT EXECUTE FUNCTION kegiatan_kotor_lama()",
    "DROP TRIGGER IF EXISTS tr_kegiatan_kotor_update ON kegiatan",
    "CREATE TRIGGER tr_kegiatan_kotor_update AFTER UPDATE ON kegiatan "
    "REFERENCING OLD TABLE AS lama NEW TABLE AS baru FOR EACH STATEMENT EXECUTE FUNCTION kegiatan_kotor_ubah()",
    "DROP TRIGGER IF EXISTS tr_desa_kotor ON desa",
    "CREATE TRIGGER tr_desa_kotor AFTER UPDATE OF kecamatan_kode ON desa FOR EACH ROW "
    "WHEN (OLD.kecamatan_kode IS DISTINCT FROM NEW.kecamatan_kode) EXECUTE FUNCTION desa_kotor()",
]


def install(conn: sa.Connection) -> None:
    """Create the triggers and mark every village with snapshots dirty (schema upgrade step)."""
    install_triggers(conn)
    mark_all_dirty(conn)


def install_triggers(conn: sa.Connection) -> None:
    """Create (or replace) every trigger; idempotent."""
    for statement in (_PG_TRIGGERS if conn.dialect.name == "postgresql" else _SQLITE_TRIGGERS):
        conn.exec_driver_sql(statement)


def mark_reach_dirty(conn: sa.Connection) -> None:
    """Every village with activity gets its partner reach recomputed on the next refresh."""
    conn.execute(jangkauan_kotor.delete())
    conn.execute(jangkauan_kotor.insert().from_select(
        ["desa_kode"], sa.select(store.kegiatan.c.desa_kode).distinct()))


def mark_all_dirty(conn: sa.Connection) -> None:
    """Every village with snapshots and every day with activity is recomputed on the next
    refresh (after a bulk load that went around the triggers)."""
    conn.execute(registri_kotor.delete())
    conn.execute(registri_kotor.insert().from_select(
        ["desa_kode"], sa.select(store.registri.c.desa_kode).distinct()))
    conn.execute(kegiatan_kotor.delete())
    conn.execute(kegiatan_kotor.insert().from_select(
        ["tanggal"], sa.select(store.kegiatan.c.tanggal).distinct()))
    mark_reach_dirty(conn)


def is_dirty(conn: sa.Connection) -> bool:
    return (conn.execute(sa.select(registri_kotor.c.desa_kode).limit(1)).first() is not None
            or conn.execute(sa.select(kegiatan_kotor.c.tanggal).limit(1)).first() is not None
            or conn.execute(sa.select(jangkauan_kotor.c.desa_kode).limit(1)).first() is not None
            or _programme_periods(conn) != _counted_periods(conn))


def refresh(conn: sa.Connection) -> int:
    """Recompute the summaries of every dirty village, in the caller's transaction.

    Serialised between processes (PostgreSQL: an advisory lock; SQLite: the write lock, taken
    by the first DELETE), so two readers that both see dirt do the work once. Returns the
    number of villages recomputed.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7302002)"))
    dirty = _take_dirty(conn, registri_kotor.c.desa_kode)
    _recompute_in_chunks(conn, dirty, _recompute)
    days = _take_dirty(conn, kegiatan_kotor.c.tanggal)
    _recompute_in_chunks(conn, days, _recompute_activity, whole=False)
    reached = _take_dirty(conn, jangkauan_kotor.c.desa_kode)
    _recompute_in_chunks(conn, reached, _recompute_reach)
    changed = _recount_changed_programmes(conn)
    _recompute_in_chunks(conn, reached, lambda c, villages: _recompute_programmes(c, villages, skip=changed))
    if conn.dialect.name == "sqlite" and (dirty or days or reached):
        # SQLite plans by statistics nobody else keeps current (PostgreSQL's autovacuum does):
        # without them it read 3 million rows village by village instead of 300,000 through the
        # partial index (53 s against 1.3 s). Sampled, this takes about 40 ms at national size.
        conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
        conn.exec_driver_sql("ANALYZE")
    return len(dirty) + len(days) + len(reached)


def _take_dirty(conn: sa.Connection, column: sa.Column) -> list:
    """The marked keys of a dirty table, cleared in the same statement, so a key marked by a
    writer that commits meanwhile stays marked for the next refresh."""
    return [row[0] for row in conn.execute(column.table.delete().returning(column)).all()]


def _recompute_in_chunks(conn: sa.Connection, keys: list, recompute, whole: bool = True) -> None:
    """`recompute(conn, chunk)` for the keys, a chunk at a time; with `whole`, from
    _FULL_REBUILD_FROM keys on, once for everything (`recompute(conn, None)`)."""
    if whole and len(keys) >= _FULL_REBUILD_FROM:
        recompute(conn, None)
        return
    for start in range(0, len(keys), _CHUNK):
        recompute(conn, keys[start:start + _CHUNK])


def _recompute_activity(conn: sa.Connection, days: list) -> None:
    """Rebuild the activity sums of `days` from the active rows."""
    k, r = store.kegiatan, ringkas_kegiatan
    days = [_as_date(d) for d in days]
    conn.execute(r.delete().where(r.c.tanggal.in_(days)))
    conn.execute(r.insert().from_select(
        ["tanggal", "mitra_kode", "layanan", "rentan", "jumlah"],
        sa.select(k.c.tanggal, k.c.mitra_kode, k.c.layanan, k.c.rentan, sa.func.sum(k.c.jumlah))
        .where(k.c.tanggal.in_(days), k.c.impor_id.in_(store.active_batches()))
        .group_by(k.c.tanggal, k.c.mitra_kode, k.c.layanan, k.c.rentan)))


def _recompute_reach(conn: sa.Connection, villages: list[str] | None) -> None:
    """Rebuild the partner reach of `villages` (None: all) from the active rows: per service,
    then for all services together from those."""
    k, j = store.kegiatan, jangkauan_mitra
    batch = k.c.impor_id if villages is None else _not_by_index(k.c.impor_id)
    per_service = sa.select(k.c.layanan, k.c.mitra_kode, k.c.desa_kode, sa.func.min(k.c.tanggal),
                            sa.func.max(k.c.tanggal)) \
        .where(batch.in_(store.active_batches())).group_by(k.c.layanan, k.c.mitra_kode, k.c.desa_kode)
    every_service = sa.select(sa.literal(ALL_SERVICES, sa.String(20)), j.c.mitra_kode, j.c.desa_kode,
                              sa.func.min(j.c.pertama), sa.func.max(j.c.terakhir)) \
        .where(j.c.layanan != ALL_SERVICES).group_by(j.c.mitra_kode, j.c.desa_kode)
    if villages is None:
        conn.execute(j.delete())
    else:
        conn.execute(j.delete().where(j.c.desa_kode.in_(villages)))
        per_service = per_service.where(k.c.desa_kode.in_(villages))
        every_service = every_service.where(j.c.desa_kode.in_(villages))
    columns = ["layanan", "mitra_kode", "desa_kode", "pertama", "terakhir"]
    conn.execute(j.insert().from_select(columns, per_service))
    conn.execute(j.insert().from_select(columns, every_service))


def _not_by_index(column: sa.Column) -> sa.ColumnElement:
    """`column` as an expression no index answers (`impor_id + 0`, `program || ''`), so that a
    few villages' rows are found through the village index. SQLite's planner, on sampled
    statistics, walked a batch's or a programme's index instead: refreshing 162 villages'
    partner reach nationally took 2.4-3.6 s (ix_kegiatan_impor over every active row)."""
    return column + 0 if isinstance(column.type, sa.Integer) else column.concat("")


def _recompute(conn: sa.Connection, villages: list[str] | None) -> None:
    """Rebuild the summary rows of `villages` (None: all) from the active registry rows."""
    r, b, s, d = store.registri, registri_berlaku, ringkas_registri, store.desa
    if villages is None:
        conn.execute(b.delete())
        conn.execute(s.delete())
        kecamatan = None
    else:
        kecamatan = sorted({row[0] for row in conn.execute(
            sa.select(d.c.kecamatan_kode).where(d.c.kode.in_(villages)).distinct())}
            | {row[0] for row in conn.execute(
                sa.select(b.c.kecamatan_kode).where(b.c.desa_kode.in_(villages)).distinct())})
        conn.execute(b.delete().where(b.c.desa_kode.in_(villages)))
        conn.execute(s.delete().where(s.c.kecamatan_kode.in_(kecamatan)))

    # The row that counts per village and date: an active batch's, the later batch winning.
    ranked = sa.select(
        r.c.desa_kode, r.c.tanggal, r.c.wajib_ktp, r.c.sudah_rekam,
        sa.func.row_number().over(partition_by=[r.c.desa_kode, r.c.tanggal],
                                  order_by=r.c.impor_id.desc()).label("urut"),
    ).where(r.c.impor_id.in_(store.active_batches()))
    if villages is not None:
        ranked = ranked.where(r.c.desa_kode.in_(villages))
    ranked = ranked.subquery("ranked")
    per_village = dict(partition_by=ranked.c.desa_kode, order_by=ranked.c.tanggal)
    rows = (sa.select(
        ranked.c.desa_kode, ranked.c.tanggal,
        sa.func.lead(ranked.c.tanggal).over(**per_village).label("sampai"),
        d.c.kecamatan_kode, ranked.c.wajib_ktp, ranked.c.sudah_rekam,
        (ranked.c.wajib_ktp - sa.func.coalesce(sa.func.lag(ranked.c.wajib_ktp).over(**per_village), 0))
        .label("d_wajib"),
        (ranked.c.sudah_rekam - sa.func.coalesce(sa.func.lag(ranked.c.sudah_rekam).over(**per_village), 0))
        .label("d_rekam"),
    ).join(d, d.c.kode == ranked.c.desa_kode).where(ranked.c.urut == 1))
    conn.execute(b.insert().from_select(
        ["desa_kode", "tanggal", "sampai", "kecamatan_kode", "wajib_ktp", "sudah_rekam", "d_wajib", "d_rekam"],
        rows))

    sums = sa.select(b.c.kecamatan_kode, b.c.tanggal, sa.func.sum(b.c.d_wajib), sa.func.sum(b.c.d_rekam)) \
        .group_by(b.c.kecamatan_kode, b.c.tanggal)
    if kecamatan is not None:
        sums = sums.where(b.c.kecamatan_kode.in_(kecamatan))
    conn.execute(s.insert().from_select(["kecamatan_kode", "tanggal", "d_wajib", "d_rekam"], sums))


def _programme_periods(conn: sa.Connection) -> dict:
    """{programme: (start, end)} of the active targets (as `data.programme_period` reads them)
    whose period lies inside the activity data at both ends. The others are answered by the
    first and last dates in `jangkauan_mitra` (GERTAK 2018 while its data comes in), and
    counting a programme nationally writes ~1.9 million rows (about 35 s on PostgreSQL)."""
    t, r = store.target, ringkas_kegiatan
    first, last = (_as_date(d) for d in conn.execute(sa.select(sa.func.min(r.c.tanggal), sa.func.max(r.c.tanggal))).one())
    if first is None:
        return {}
    rows = conn.execute(sa.select(t.c.program, sa.func.min(t.c.mulai), sa.func.max(t.c.selesai))
                        .where(t.c.impor_id.in_(store.active_batches())).group_by(t.c.program)).all()
    periods = {program: (_as_date(start), _as_date(end)) for program, start, end in rows}
    return {program: (start, end) for program, (start, end) in periods.items() if first < start and end < last}


def _counted_periods(conn: sa.Connection) -> dict:
    """{programme: (start, end)} that `jangkauan_program` was counted for."""
    p = periode_program
    return {program: (_as_date(start), _as_date(end))
            for program, start, end in conn.execute(sa.select(p.c.program, p.c.mulai, p.c.selesai)).all()}


def _as_date(value) -> dt.date | None:
    """A date; SQLite hands some dates back as text (RETURNING, MIN and MAX)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _recount_changed_programmes(conn: sa.Connection) -> set:
    """Count again, for every village, each programme whose period is new or changed; drop the
    rows of programmes without targets. Returns the programmes counted."""
    wanted, counted = _programme_periods(conn), _counted_periods(conn)
    changed = {program for program, period in wanted.items() if counted.get(program) != period}
    gone = set(counted) - set(wanted)
    for program in changed | gone:
        conn.execute(jangkauan_program.delete().where(jangkauan_program.c.program == program))
        conn.execute(periode_program.delete().where(periode_program.c.program == program))
    for program in sorted(changed):
        start, end = wanted[program]
        conn.execute(periode_program.insert().values(program=program, mulai=start, selesai=end))
        _count_programme(conn, program, start, end, None)
    return changed


def _recompute_programmes(conn: sa.Connection, villages: list[str] | None, skip: set) -> None:
    """Count the programmes' activity of `villages` (None: all) again, except those in `skip`
    (just counted for every village)."""
    for program, (start, end) in _counted_periods(conn).items():
        if program in skip:
            continue
        p = jangkauan_program
        rows = p.delete().where(p.c.program == program) if villages is None else \
            p.delete().where(_not_by_index(p.c.program) == program, p.c.desa_kode.in_(villages))
        conn.execute(rows)
        _count_programme(conn, program, start, end, villages)


def _count_programme(conn: sa.Connection, program: str, start, end, villages: list[str] | None) -> None:
    """Insert one programme's rows for `villages` (None: all) from the active activity rows of
    its period: per service, then for all services together from those."""
    k, p = store.kegiatan, jangkauan_program
    whole = villages is None
    batch, counted = (k.c.impor_id, p.c.program) if whole else (_not_by_index(k.c.impor_id), _not_by_index(p.c.program))
    per_service = sa.select(sa.literal(program, sa.String(20)), k.c.layanan, k.c.mitra_kode, k.c.desa_kode,
                            sa.func.sum(k.c.jumlah),
                            sa.func.sum(sa.case((k.c.rentan != "umum", k.c.jumlah), else_=0))) \
        .where(batch.in_(store.active_batches()), k.c.tanggal >= start, k.c.tanggal <= end) \
        .group_by(k.c.layanan, k.c.mitra_kode, k.c.desa_kode)
    every_service = sa.select(sa.literal(program, sa.String(20)), sa.literal(ALL_SERVICES, sa.String(20)),
                              p.c.mitra_kode, p.c.desa_kode, sa.func.sum(p.c.jumlah), sa.func.sum(p.c.rentan)) \
        .where(counted == program, p.c.layanan != ALL_SERVICES).group_by(p.c.mitra_kode, p.c.desa_kode)
    if villages is not None:
        per_service = per_service.where(k.c.desa_kode.in_(villages))
        every_service = every_service.where(p.c.desa_kode.in_(villages))
    columns = ["program", "layanan", "mitra_kode", "desa_kode", "jumlah", "rentan"]
    conn.execute(p.insert().from_select(columns, per_service))
    conn.execute(p.insert().from_select(columns, every_service))
