"""The schema: every table of the store, its vocabularies and invariants (SQLAlchemy 2 Core).

The store holds aggregates only: counts per village and date, never a person. Its invariants
(non-negative whole counts, recorded <= wajib KTP, known village and partner codes, real dates)
are CHECK and FOREIGN KEY constraints, so they hold for every writer, not only the importer.

Every data row belongs to an import batch (`impor`). Figures count only rows of active batches
(`active_batches`), so undoing a batch removes its effect without deleting the audit trail. Demo
data is a batch with `contoh = true`, and every page can label it.

The derived summary tables (bulukumba/storage/summaries) add their own tables and triggers to
`metadata`; bulukumba/storage/store.py creates and upgrades it all.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event

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
    # index alone (several times faster nationally). It replaces (mitra_kode, tanggal), its prefix.
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

def active_batches() -> sa.Select:
    """Ids of active batches, for `WHERE impor_id IN (...)`."""
    return sa.select(impor.c.id).where(impor.c.status == "aktif")


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
# Schema 7: partners' own reports (bulukumba/reports)
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
