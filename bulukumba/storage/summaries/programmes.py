"""Each programme's activity per partner and village in its period (`jangkauan_program`), for
the periods the reach's first and last dates cannot answer (inside the data at both ends)."""
from __future__ import annotations

import sqlalchemy as sa

from bulukumba.storage import schema
from bulukumba.storage.summaries.common import as_date, not_by_index
from bulukumba.storage.summaries.tables import ALL_SERVICES, jangkauan_program, periode_program, ringkas_kegiatan


def inside_the_data(start, end, first_day, last_day) -> bool:
    """A period the reach's first and last dates cannot answer: it starts after the data's first
    day and ends before its last (data/activity.py reads the reach for every other period)."""
    return first_day < start and end < last_day


def wanted_periods(conn: sa.Connection) -> dict:
    """{programme: (start, end)} of the active targets (as `data.programme_period` reads them)
    whose period lies inside the activity data at both ends. The others are answered by the
    first and last dates in `jangkauan_mitra` (GERTAK 2018 while its data comes in), and
    counting a programme nationally writes ~1.9 million rows (29 s on PostgreSQL, 16 s on SQLite)."""
    t, r = schema.target, ringkas_kegiatan
    first, last = (as_date(d) for d in conn.execute(sa.select(sa.func.min(r.c.tanggal), sa.func.max(r.c.tanggal))).one())
    if first is None:
        return {}
    rows = conn.execute(sa.select(t.c.program, sa.func.min(t.c.mulai), sa.func.max(t.c.selesai))
                        .where(t.c.impor_id.in_(schema.active_batches())).group_by(t.c.program)).all()
    periods = {program: (as_date(start), as_date(end)) for program, start, end in rows}
    return {program: (start, end) for program, (start, end) in periods.items()
            if inside_the_data(start, end, first, last)}


def counted_periods(conn: sa.Connection) -> dict:
    """{programme: (start, end)} that `jangkauan_program` was counted for."""
    p = periode_program
    return {program: (as_date(start), as_date(end))
            for program, start, end in conn.execute(sa.select(p.c.program, p.c.mulai, p.c.selesai)).all()}


def recount_changed(conn: sa.Connection) -> set:
    """Count again, for every village, each programme whose period is new or changed; drop the
    rows of programmes without targets. Returns the programmes counted."""
    wanted, counted = wanted_periods(conn), counted_periods(conn)
    changed = {program for program, period in wanted.items() if counted.get(program) != period}
    gone = set(counted) - set(wanted)
    for program in changed | gone:
        conn.execute(jangkauan_program.delete().where(jangkauan_program.c.program == program))
        conn.execute(periode_program.delete().where(periode_program.c.program == program))
    for program in sorted(changed):
        start, end = wanted[program]
        conn.execute(periode_program.insert().values(program=program, mulai=start, selesai=end))
        _count(conn, program, start, end, None)
    return changed


def recompute(conn: sa.Connection, villages: list[str] | None, skip: set) -> None:
    """Count the programmes' activity of `villages` (None: all) again, except those in `skip`
    (just counted for every village)."""
    for program, (start, end) in counted_periods(conn).items():
        if program in skip:
            continue
        p = jangkauan_program
        rows = p.delete().where(p.c.program == program) if villages is None else \
            p.delete().where(not_by_index(p.c.program) == program, p.c.desa_kode.in_(villages))
        conn.execute(rows)
        _count(conn, program, start, end, villages)


def _count(conn: sa.Connection, program: str, start, end, villages: list[str] | None) -> None:
    """Insert one programme's rows for `villages` (None: all) from the active activity rows of
    its period: per service, then for all services together from those."""
    k, p = schema.kegiatan, jangkauan_program
    whole = villages is None
    batch, counted = (k.c.impor_id, p.c.program) if whole else (not_by_index(k.c.impor_id), not_by_index(p.c.program))
    per_service = sa.select(sa.literal(program, sa.String(20)), k.c.layanan, k.c.mitra_kode, k.c.desa_kode,
                            sa.func.sum(k.c.jumlah),
                            sa.func.sum(sa.case((k.c.rentan != "umum", k.c.jumlah), else_=0))) \
        .where(batch.in_(schema.active_batches()), k.c.tanggal >= start, k.c.tanggal <= end) \
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
