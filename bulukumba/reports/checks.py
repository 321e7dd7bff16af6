"""Checking a submission: the importer's own checks, then what only a partner's report can get
wrong (another partner's row, a village outside the regency, rows already reported)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from bulukumba.language import fmt, texts
from bulukumba.storage import store
from bulukumba.importer import headers as vocab
from bulukumba.importer import validate
from bulukumba.importer.places import Places
from bulukumba.importer.report import RowError, ValidationReport
from bulukumba.reports.form import STATUS_LABEL, FormEntry, form_csv, home_regency, note_problems


# ---------------------------------------------------------------------------------------------
# Checking a submission
# ---------------------------------------------------------------------------------------------

@dataclass
class Submission:
    """A checked submission: the importer's report plus the partner's own checks."""
    report: ValidationReport
    partner: str
    sumber: str
    catatan: str = ""
    extra: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.extra

    @property
    def errors(self) -> list[RowError]:
        return [*self.extra, *self.report.errors]

    @property
    def rows(self) -> list[dict]:
        return list(self.report.records.dicts()) if self.report.records is not None else []


def check_form(entry: FormEntry, partner: str, engine) -> Submission:
    """The form's fields checked by the importer (the same checks, the same words)."""
    content, own = form_csv(entry, partner)
    report = validate(content, "formulir", "kegiatan", engine)
    sub = Submission(report, partner, "formulir", entry.catatan.strip(), [*own, *note_problems(entry.catatan)])
    if sub.ok:
        _partner_checks(sub, engine)
    return sub


def check_file(content: bytes, nama_file: str, partner: str, engine, *, kolom: dict | None = None,
               ignore_rest: bool = False) -> Submission:
    """A partner's own spreadsheet, through the importer with its mapping (kind `kegiatan`)."""
    return check_report(validate(content, nama_file, "kegiatan", engine, kolom=kolom, ignore_rest=ignore_rest),
                        partner, engine)


def check_report(report: ValidationReport, partner: str, engine) -> Submission:
    """A partner's own spreadsheet as the importer's check left it (on the page, in a worker
    process: the server never parses an upload), with the partner's own checks added."""
    sub = Submission(report, partner, "berkas")
    if report.ok:
        _partner_checks(sub, engine)
    return sub


def _partner_checks(sub: Submission, engine) -> None:
    """Another partner's rows, villages outside the regency, rows reported before, content sent
    before: each refused with its row."""
    with engine.connect() as conn:
        sub.extra.extend(_clashes(conn, sub))


def _clashes(conn: sa.Connection, sub: Submission) -> list[RowError]:
    out = []
    places = Places.load(conn)
    regency = home_regency()
    rows = sub.report.records.rows_at() if sub.report.records is not None else []
    own_name = places.mitra.get(sub.partner, sub.partner)
    reported = _reported_keys(conn, sub.partner)
    seen_sha = conn.execute(sa.select(store.kiriman.c.id, store.kiriman.c.status).where(
        store.kiriman.c.sha256 == sub.report.sha256, store.kiriman.c.mitra_kode == sub.partner,
        store.kiriman.c.status.in_(("menunggu", "disetujui")))).first()
    if seen_sha is not None and sub.sumber == "berkas":
        out.append(RowError(None, None, f"Berkas ini sudah dikirim sebagai laporan #{seen_sha.id} "
                                        f"({STATUS_LABEL[seen_sha.status].lower()}); isi yang sama "
                                        f"tidak dikirim dua kali.", "sudah pernah dikirim"))
    for n, row in zip(rows, sub.rows):
        n = int(n) if sub.sumber == "berkas" else None
        if row["mitra_kode"] != sub.partner:
            out.append(RowError(n, vocab.LABELS["mitra"], f"mitra {places.mitra.get(row['mitra_kode'], row['mitra_kode'])} "
                                                          f"bukan mitra akun ini ({own_name}); laporkan "
                                                          f"hanya kegiatan {own_name}", "mitra lain"))
        if not row["desa_kode"].startswith(regency + "."):
            nama = places.desa.get(row["desa_kode"], ("?",))[0]
            out.append(RowError(n, vocab.LABELS["kode_desa"], f"desa {row['desa_kode']} {nama} di luar "
                                                              f"wilayah dasbor ini ({regency})",
                                "desa di luar wilayah"))
        k = _key(row)
        if k in reported:
            out.append(RowError(n, vocab.LABELS["tanggal"],
                                f"kegiatan ini ({texts.LAYANAN[row['layanan']]}, {places.desa.get(row['desa_kode'], ('?',))[0]}, "
                                f"{fmt.date(row['tanggal'])}, {texts.RENTAN[row['rentan']].lower()}) sudah "
                                f"dilaporkan di laporan #{reported[k]}", "sudah dilaporkan"))
    return out


def _key(row) -> tuple:
    day = row["tanggal"]
    day = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
    return (day, row["desa_kode"], row["layanan"], row["rentan"])


def _reported_keys(conn: sa.Connection, partner: str) -> dict[tuple, int]:
    """(day, village, service, group) -> submission, for the partner's waiting and approved rows
    (an approved one withdrawn by undoing its batch no longer counts)."""
    k, b, i = store.kiriman, store.kiriman_baris, store.impor
    query = (sa.select(b.c.tanggal, b.c.desa_kode, b.c.layanan, b.c.rentan, k.c.id)
             .join(k, k.c.id == b.c.kiriman_id).outerjoin(i, i.c.id == k.c.impor_id)
             .where(k.c.mitra_kode == partner,
                    sa.or_(k.c.status == "menunggu", sa.and_(k.c.status == "disetujui", i.c.status == "aktif"))))
    return {_key(r._mapping): r.id for r in conn.execute(query)}
