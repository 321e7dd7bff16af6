"""The registry's derived tables: the snapshot that counts per village and date
(`registri_berlaku`) and its changes summed per kecamatan and date (`ringkas_registri`)."""
from __future__ import annotations

import sqlalchemy as sa

from bulukumba.storage import schema
from bulukumba.storage.summaries.tables import registri_berlaku, ringkas_registri


def recompute(conn: sa.Connection, villages: list[str] | None) -> None:
    """Rebuild the summary rows of `villages` (None: all) from the active registry rows."""
    r, b, s, d = schema.registri, registri_berlaku, ringkas_registri, schema.desa
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
    ).where(r.c.impor_id.in_(schema.active_batches()))
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
