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
  end (the pages' defaults).
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

The package: `tables` (the tables), `triggers` (what notes a change, on each database),
`registry`, `activity` and `programmes` (how each table is recomputed), and here the refresh
that runs them.
"""
from __future__ import annotations

import sqlalchemy as sa

from bulukumba.storage import schema
from bulukumba.storage.summaries import activity, programmes, registry
from bulukumba.storage.summaries.tables import (ALL_SERVICES, jangkauan_kotor, jangkauan_mitra, jangkauan_program, kegiatan_kotor,
                     periode_program, registri_berlaku, registri_kotor, ringkas_kegiatan, ringkas_registri)
from bulukumba.storage.summaries.programmes import inside_the_data
from bulukumba.storage.summaries.triggers import install as install_triggers

__all__ = ["ALL_SERVICES", "inside_the_data", "install", "install_triggers", "is_dirty", "jangkauan_kotor", "jangkauan_mitra",
           "jangkauan_program", "kegiatan_kotor", "mark_all_dirty", "mark_reach_dirty", "periode_program",
           "refresh", "registri_berlaku", "registri_kotor", "ringkas_kegiatan", "ringkas_registri"]

#: Above this many dirty villages a full rebuild is cheaper than lists of codes.
_FULL_REBUILD_FROM = 5_000
_CHUNK = 900  # codes per IN (...) list, well under any driver's parameter limit


def install(conn: sa.Connection) -> None:
    """Create the triggers and mark every village with snapshots dirty (schema upgrade step)."""
    install_triggers(conn)
    mark_all_dirty(conn)


def mark_reach_dirty(conn: sa.Connection) -> None:
    """Every village with activity gets its partner reach recomputed on the next refresh."""
    conn.execute(jangkauan_kotor.delete())
    conn.execute(jangkauan_kotor.insert().from_select(
        ["desa_kode"], sa.select(schema.kegiatan.c.desa_kode).distinct()))


def mark_all_dirty(conn: sa.Connection) -> None:
    """Every village with snapshots and every day with activity is recomputed on the next
    refresh (after a bulk load that went around the triggers)."""
    conn.execute(registri_kotor.delete())
    conn.execute(registri_kotor.insert().from_select(
        ["desa_kode"], sa.select(schema.registri.c.desa_kode).distinct()))
    conn.execute(kegiatan_kotor.delete())
    conn.execute(kegiatan_kotor.insert().from_select(
        ["tanggal"], sa.select(schema.kegiatan.c.tanggal).distinct()))
    mark_reach_dirty(conn)


def is_dirty(conn: sa.Connection) -> bool:
    return (conn.execute(sa.select(registri_kotor.c.desa_kode).limit(1)).first() is not None
            or conn.execute(sa.select(kegiatan_kotor.c.tanggal).limit(1)).first() is not None
            or conn.execute(sa.select(jangkauan_kotor.c.desa_kode).limit(1)).first() is not None
            or programmes.wanted_periods(conn) != programmes.counted_periods(conn))


def refresh(conn: sa.Connection) -> int:
    """Recompute the summaries of every dirty village, in the caller's transaction.

    Serialised between processes (PostgreSQL: an advisory lock; SQLite: the write lock, taken
    by the first DELETE), so two readers that both see dirt do the work once. Returns the
    number of villages recomputed.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7302002)"))
    dirty = _take_dirty(conn, registri_kotor.c.desa_kode)
    _recompute_in_chunks(conn, dirty, registry.recompute)
    days = _take_dirty(conn, kegiatan_kotor.c.tanggal)
    _recompute_in_chunks(conn, days, activity.recompute_days, whole=False)
    reached = _take_dirty(conn, jangkauan_kotor.c.desa_kode)
    _recompute_in_chunks(conn, reached, activity.recompute_reach)
    changed = programmes.recount_changed(conn)
    _recompute_in_chunks(conn, reached, lambda c, villages: programmes.recompute(c, villages, skip=changed))
    if conn.dialect.name == "sqlite" and (dirty or days or reached or changed):
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
