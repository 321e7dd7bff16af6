"""The derived tables (see the package's docstring for what each answers)."""
from __future__ import annotations

import sqlalchemy as sa

from bulukumba.storage import schema

registri_berlaku = sa.Table(
    "registri_berlaku", schema.metadata,
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
_newest = registri_berlaku.c.sampai.is_(None)
# Every village's newest snapshot, with what the pages read of it (schema 5): "every village on
# the newest date" (Peta's list, the villages that reported, the most unrecorded) is an index-only
# read of 83,000 short entries nationally, in village order, instead of one heap visit per village
# in a table of 3 million rows.
sa.Index("ix_registri_berlaku_terbaru", registri_berlaku.c.desa_kode, registri_berlaku.c.kecamatan_kode,
         registri_berlaku.c.tanggal, registri_berlaku.c.wajib_ktp, registri_berlaku.c.sudah_rekam,
         postgresql_where=_newest, sqlite_where=_newest)

ringkas_registri = sa.Table(
    "ringkas_registri", schema.metadata,
    sa.Column("kecamatan_kode", sa.String(8), primary_key=True),
    sa.Column("tanggal", sa.Date, primary_key=True),
    sa.Column("d_wajib", sa.BigInteger, nullable=False),
    sa.Column("d_rekam", sa.BigInteger, nullable=False),
)

registri_kotor = sa.Table(
    "registri_kotor", schema.metadata,
    sa.Column("desa_kode", sa.String(13), primary_key=True),
)

ringkas_kegiatan = sa.Table(
    "ringkas_kegiatan", schema.metadata,
    sa.Column("tanggal", sa.Date, primary_key=True),
    sa.Column("mitra_kode", sa.String(20), primary_key=True),
    sa.Column("layanan", sa.String(20), primary_key=True),
    sa.Column("rentan", sa.String(12), primary_key=True),
    sa.Column("jumlah", sa.BigInteger, nullable=False),
)

kegiatan_kotor = sa.Table(
    "kegiatan_kotor", schema.metadata,
    sa.Column("tanggal", sa.Date, primary_key=True),
)

#: `layanan` of the rows that stand for every service together.
ALL_SERVICES = "*"

jangkauan_mitra = sa.Table(
    "jangkauan_mitra", schema.metadata,
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
    "jangkauan_kotor", schema.metadata,
    sa.Column("desa_kode", sa.String(13), primary_key=True),
)

jangkauan_program = sa.Table(
    "jangkauan_program", schema.metadata,
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
    "periode_program", schema.metadata,
    sa.Column("program", sa.String(20), primary_key=True),
    sa.Column("mulai", sa.Date, nullable=False),
    sa.Column("selesai", sa.Date, nullable=False),
)
