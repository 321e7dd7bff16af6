"""Partner activity's derived tables: the sums per day (`ringkas_kegiatan`) and the reach per
partner, village and service (`jangkauan_mitra`)."""
from __future__ import annotations

import sqlalchemy as sa

from bulukumba.storage import schema
from bulukumba.storage.summaries.common import as_date, not_by_index
from bulukumba.storage.summaries.tables import ALL_SERVICES, jangkauan_mitra, ringkas_kegiatan


def recompute_days(conn: sa.Connection, days: list) -> None:
    """Rebuild the activity sums of `days` from the active rows."""
    k, r = schema.kegiatan, ringkas_kegiatan
    days = [as_date(d) for d in days]
    conn.execute(r.delete().where(r.c.tanggal.in_(days)))
    conn.execute(r.insert().from_select(
        ["tanggal", "mitra_kode", "layanan", "rentan", "jumlah"],
        sa.select(k.c.tanggal, k.c.mitra_kode, k.c.layanan, k.c.rentan, sa.func.sum(k.c.jumlah))
        .where(k.c.tanggal.in_(days), k.c.impor_id.in_(schema.active_batches()))
        .group_by(k.c.tanggal, k.c.mitra_kode, k.c.layanan, k.c.rentan)))


def recompute_reach(conn: sa.Connection, villages: list[str] | None) -> None:
    """Rebuild the partner reach of `villages` (None: all) from the active rows: per service,
    then for all services together from those."""
    k, j = schema.kegiatan, jangkauan_mitra
    batch = k.c.impor_id if villages is None else not_by_index(k.c.impor_id)
    per_service = sa.select(k.c.layanan, k.c.mitra_kode, k.c.desa_kode, sa.func.min(k.c.tanggal),
                            sa.func.max(k.c.tanggal)) \
        .where(batch.in_(schema.active_batches())).group_by(k.c.layanan, k.c.mitra_kode, k.c.desa_kode)
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


