"""Partners report their own outreach: submissions, the operator's verification queue, the audit.

A partner account (role `mitra`, bulukumba/auth.py) sends rows of partner activity from the phone
form or its own spreadsheet. Both go through the importer's own checks (`importer.validate`, kind
`kegiatan`): the form's fields are written as a one-row-per-group CSV with the template's headers,
so a form and a file are refused for the same reasons in the same words. On top of those, what
only a partner's report can get wrong: a row for another partner, a village outside the store's
regency, a row the partner has already reported (waiting or approved), the same content twice.

A submission waits as "menunggu verifikasi" (`kiriman`, schema 7) and is in no figure. The operator
approves it (its rows are then written as an import batch of partner activity, in the same
transaction, so every figure, leaderboard, verdict and the public page count it on the next data
version, and undoing that batch withdraws it), or returns it with a reason the partner reads.
Every step is kept in `kiriman_riwayat` (who, when, what).

Flags for the operator, never refusals: more residents recorded (e-KTP) in a village in a month
than its unrecorded count (the latest registry snapshot on or before the month's end), and rows
an imported batch already holds (the same partner, day, village, service and group).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from . import fmt, reference, store, summaries, texts
from .importer import headers as vocab
from .importer import validate
from .importer.checks import already_imported
from .importer.places import Places
from .importer.report import RowError, ValidationReport
from .importer.values import looks_like_nik

STATUS_LABEL = {"menunggu": "Menunggu verifikasi", "disetujui": "Disetujui",
                "dikembalikan": "Dikembalikan", "ditarik": "Ditarik"}
MAX_NOTE = 300
#: The form's columns, as the template names them: the importer reads the form as a file.
FORM_HEADERS = ("tanggal", "mitra", "kode_desa", "layanan", "jumlah", "cara", "rentan")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def home_regency() -> str:
    from .regions import configured_kabupaten

    return configured_kabupaten()


# ---------------------------------------------------------------------------------------------
# Which partner an account belongs to
# ---------------------------------------------------------------------------------------------

def resolve_partner(raw: str | None, engine) -> str | None:
    """The partner code `raw` names (its code or its name, as the importer reads a Mitra cell),
    or None when the store knows no such partner."""
    if not raw or not str(raw).strip():
        return None
    with engine.connect() as conn:  # the partners and regencies only, not every village
        mitra = dict(conn.execute(sa.select(store.mitra.c.kode, store.mitra.c.nama)).all())
        kab = dict(conn.execute(sa.select(store.kabupaten.c.kode, store.kabupaten.c.nama)).all())
    return Places({}, {}, mitra, set(), kab).partner(str(raw).strip())


def partner_name(code: str, engine) -> str:
    with engine.connect() as conn:
        name = conn.execute(sa.select(store.mitra.c.nama).where(store.mitra.c.kode == code)).scalar()
    return name or dict((k, n) for k, n, _ in reference.PARTNERS).get(code, code)


# ---------------------------------------------------------------------------------------------
# The phone form, read by the importer
# ---------------------------------------------------------------------------------------------

@dataclass
class FormEntry:
    tanggal: str = ""          # as typed or picked: 2018-01-19
    desa_kode: str = ""
    layanan: str = ""
    cara: str = "jemput_bola"
    jumlah: str = ""           # residents served
    lansia: str = "0"          # of whom elderly
    disabilitas: str = "0"     # of whom disabled
    catatan: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def of(cls, values: dict | None) -> "FormEntry":
        known = cls().__dict__
        return cls(**{k: str(v) for k, v in (values or {}).items() if k in known and v is not None})


def _whole_or_none(text: str) -> int | None:
    text = str(text).strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def form_csv(entry: FormEntry, partner: str) -> tuple[bytes, list[RowError]]:
    """The form as the importer's file: one row per group (umum, lansia, disabilitas) with
    residents in it, the template's headers; and what the form itself got wrong (the share of
    elderly and disabled, which only the form asks as "of whom"). Raw values go in as typed, so
    the importer judges them."""
    problems = []
    total, lansia, disab = (_whole_or_none(v) for v in (entry.jumlah, entry.lansia or "0", entry.disabilitas or "0"))
    groups: list[tuple[str, str]] = []
    if total is not None and lansia is not None and disab is not None:
        if lansia + disab > total:
            problems.append(RowError(None, "Di antaranya", f"lansia {fmt.angka(lansia)} + disabilitas "
                                                           f"{fmt.angka(disab)} lebih besar dari warga "
                                                           f"dilayani {fmt.angka(total)}", "rentan melebihi jumlah"))
        elif total == 0:
            problems.append(RowError(None, vocab.LABELS["jumlah"], "harus lebih dari 0", "nol"))
        for group, count in (("umum", total - lansia - disab), ("lansia", lansia), ("disabilitas", disab)):
            if count > 0:
                groups.append((group, str(count)))
    else:  # let the importer say what is wrong with each number, in its words
        groups = [("umum", entry.jumlah)]
        if lansia is None:
            groups.append(("lansia", entry.lansia))
        if disab is None:
            groups.append(("disabilitas", entry.disabilitas))
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow([vocab.LABELS[c] for c in FORM_HEADERS])
    for group, count in groups or [("umum", entry.jumlah)]:
        writer.writerow([entry.tanggal, partner, entry.desa_kode, entry.layanan, count, entry.cara, group])
    return text.getvalue().encode("utf-8"), problems


def note_problems(note: str) -> list[RowError]:
    """The importer's personal-data checks on the short note: no NIK, no names, no addresses."""
    note = note or ""
    out = []
    if len(note) > MAX_NOTE:
        out.append(RowError(None, "Catatan", f"terlalu panjang ({fmt.angka(len(note))} karakter); "
                                             f"paling banyak {MAX_NOTE}", "terlalu panjang"))
    if looks_like_nik(note) or any(looks_like_nik(word) for word in note.split()):
        out.append(RowError(None, "Catatan", "berisi angka 16 digit yang tampak seperti NIK. Dasbor "
                                             "hanya menyimpan angka agregat, bukan data perorangan; "
                                             "berkas ditolak.", "tampak seperti NIK"))
    # "nama desa" names a place, not a person (the importer's header rule says the same).
    words = re.sub(r"(?i)\bnama\s+(desa|kelurahan|kecamatan|dusun|mitra|kegiatan|layanan)\b", r"\1",
                   note.replace(":", " : ")).split()
    labels = [" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)]
    if any(vocab.looks_personal(label) for label in labels if len(label) > 2):
        out.append(RowError(None, "Catatan", "tampak berisi data pribadi (nama, NIK, alamat, tanggal "
                                             "lahir, nomor telepon). Dasbor hanya menyimpan angka "
                                             "agregat per desa, bukan data perorangan: tulis catatan "
                                             "tanpa data perorangan.", "data pribadi"))
    return out


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
                                f"{fmt.tanggal(row['tanggal'])}, {texts.RENTAN[row['rentan']].lower()}) sudah "
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


# ---------------------------------------------------------------------------------------------
# Writing: send, approve, return, withdraw
# ---------------------------------------------------------------------------------------------

class Refused(Exception):
    """A step that cannot be taken now; its message is in Indonesian."""


def _lock(conn: sa.Connection) -> None:
    """Serialise writers (SQLite's write lock, PostgreSQL's lock on the version row) without
    changing the data version."""
    conn.execute(store.meta.update().where(store.meta.c.kunci == "versi").values(nilai=store.meta.c.nilai))


def _log(conn: sa.Connection, kiriman_id: int, oleh: str, aksi: str, keterangan: str | None = None) -> None:
    conn.execute(store.kiriman_riwayat.insert().values(kiriman_id=kiriman_id, waktu=_now(), oleh=oleh[:80],
                                                       aksi=aksi, keterangan=(keterangan or None) and keterangan[:300]))


def send(sub: Submission, oleh: str, engine) -> int:
    """Keep a clean submission as "menunggu verifikasi"; its id. Checked again under the write
    lock, so the same rows sent twice at once are kept once."""
    if not sub.ok:
        raise Refused("Laporan belum lolos pemeriksaan; tidak ada yang dikirim.")
    with engine.begin() as conn:
        _lock(conn)
        late = _clashes(conn, sub)
        if late:
            sub.extra.extend(late)
            raise Refused(late[0].pesan)
        rows = sub.rows
        kid = conn.execute(store.kiriman.insert().values(
            mitra_kode=sub.partner, pengguna=oleh[:80], sumber=sub.sumber,
            nama_file=sub.report.nama_file[:255], sha256=sub.report.sha256,
            catatan=sub.catatan[:MAX_NOTE] or None, dikirim=_now(), status="menunggu")).inserted_primary_key[0]
        conn.execute(store.kiriman_baris.insert(), [{**row, "kiriman_id": kid} for row in rows])
        total = sum(r["jumlah"] for r in rows)
        _log(conn, kid, oleh, "dikirim", f"{len(rows)} baris, {fmt.angka(total)} layanan")
    return int(kid)


def _pending(conn: sa.Connection, kiriman_id: int):
    row = conn.execute(sa.select(store.kiriman).where(store.kiriman.c.id == kiriman_id)).first()
    if row is None:
        raise Refused(f"Laporan #{kiriman_id} tidak ada.")
    if row.status != "menunggu":
        raise Refused(f"Laporan #{kiriman_id} sudah {STATUS_LABEL[row.status].lower()}.")
    return row


def approve(kiriman_id: int, oleh: str, engine) -> int:
    """Approve: the rows become an import batch of partner activity (one transaction), counted
    from the next data version on. Returns the batch id."""
    with engine.begin() as conn:
        _lock(conn)
        row = _pending(conn, kiriman_id)
        rows = [dict(r._mapping) for r in conn.execute(
            sa.select(*(store.kiriman_baris.c[c] for c in ("tanggal", "mitra_kode", "desa_kode", "layanan",
                                                           "jumlah", "cara", "rentan")))
            .where(store.kiriman_baris.c.kiriman_id == kiriman_id).order_by(store.kiriman_baris.c.id))]
        earlier = already_imported(conn, row.sha256)
        sha = row.sha256 if earlier is None else hashlib.sha256(f"{row.sha256}:{kiriman_id}".encode()).hexdigest()
        name = conn.execute(sa.select(store.mitra.c.nama).where(store.mitra.c.kode == row.mitra_kode)).scalar()
        batch = store.start_batch(conn, nama_file=f"Laporan mitra #{kiriman_id} ({name})"[:255], sha256=sha,
                                  jenis="kegiatan", jumlah_baris=len(rows), oleh=oleh[:80])
        conn.execute(store.kegiatan.insert(), [{**r, "impor_id": batch} for r in rows])
        store.retire_demo(conn, f"otomatis: laporan mitra #{kiriman_id}")
        conn.execute(store.kiriman.update().where(store.kiriman.c.id == kiriman_id).values(
            status="disetujui", diperiksa_oleh=oleh[:80], diperiksa_waktu=_now(), impor_id=batch))
        _log(conn, kiriman_id, oleh, "disetujui", f"impor #{batch}")
        summaries.refresh(conn)
    return batch


def send_back(kiriman_id: int, alasan: str, oleh: str, engine) -> None:
    """Return a waiting submission with a reason the partner reads (required, no personal data)."""
    alasan = " ".join((alasan or "").split())
    if not alasan:
        raise Refused("Tulis alasan pengembalian: mitra membacanya untuk memperbaiki laporannya.")
    problems = note_problems(alasan)
    if problems:
        raise Refused(f"Alasan {problems[0].pesan}")
    with engine.begin() as conn:
        _lock(conn)
        _pending(conn, kiriman_id)
        conn.execute(store.kiriman.update().where(store.kiriman.c.id == kiriman_id).values(
            status="dikembalikan", alasan=alasan[:300], diperiksa_oleh=oleh[:80], diperiksa_waktu=_now()))
        _log(conn, kiriman_id, oleh, "dikembalikan", alasan)


def withdraw(kiriman_id: int, oleh: str, engine) -> str:
    """Withdraw an approved submission as an import is undone: its batch is cancelled (its rows
    leave every figure, and stay for the audit). Returns a message."""
    with engine.begin() as conn:
        _lock(conn)
        row = conn.execute(sa.select(store.kiriman).where(store.kiriman.c.id == kiriman_id)).first()
        if row is None or row.status != "disetujui":
            raise Refused(f"Laporan #{kiriman_id} tidak sedang disetujui; tidak ada yang ditarik.")
        store.cancel_batch(conn, row.impor_id, oleh)
        conn.execute(store.kiriman.update().where(store.kiriman.c.id == kiriman_id).values(status="ditarik"))
        _log(conn, kiriman_id, oleh, "ditarik", f"impor #{row.impor_id} dibatalkan")
    return f"Laporan #{kiriman_id} ditarik: impor #{row.impor_id} dibatalkan."


# ---------------------------------------------------------------------------------------------
# Reading: the queue, a partner's submissions, the history, flags
# ---------------------------------------------------------------------------------------------

def _status_expr():
    """The status as the partner and operator see it: approved whose batch was undone = withdrawn."""
    k, i = store.kiriman, store.impor
    return sa.case((sa.and_(k.c.status == "disetujui", i.c.status == "dibatalkan"), "ditarik"),
                   else_=k.c.status).label("status")


def submissions(engine, partner: str | None = None, status: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per submission, newest first: id, mitra_kode, mitra, pengguna, sumber, nama_file,
    dikirim, status, alasan, diperiksa_oleh, diperiksa_waktu, impor_id, baris, jumlah, rentan,
    desa (village names, comma separated), catatan."""
    k, b, i, d, m = store.kiriman, store.kiriman_baris, store.impor, store.desa, store.mitra
    status_col = _status_expr()
    per = (sa.select(b.c.kiriman_id, sa.func.count().label("baris"),
                     sa.cast(sa.func.sum(b.c.jumlah), sa.BigInteger).label("jumlah"),
                     sa.cast(sa.func.sum(sa.case((b.c.rentan != "umum", b.c.jumlah), else_=0)), sa.BigInteger).label("rentan"))
           .group_by(b.c.kiriman_id).subquery())
    query = (sa.select(k.c.id, k.c.mitra_kode, m.c.nama.label("mitra"), k.c.pengguna, k.c.sumber, k.c.nama_file,
                       k.c.dikirim, status_col, k.c.alasan, k.c.diperiksa_oleh, k.c.diperiksa_waktu,
                       k.c.impor_id, per.c.baris, per.c.jumlah, per.c.rentan, k.c.catatan)
             .select_from(k.join(m, m.c.kode == k.c.mitra_kode).outerjoin(i, i.c.id == k.c.impor_id)
                          .outerjoin(per, per.c.kiriman_id == k.c.id))
             .order_by(k.c.id.desc()))
    if partner is not None:
        query = query.where(k.c.mitra_kode == partner)
    with engine.connect() as conn:
        frame = pd.DataFrame([tuple(r) for r in conn.execute(query)],
                             columns=["id", "mitra_kode", "mitra", "pengguna", "sumber", "nama_file", "dikirim",
                                      "status", "alasan", "diperiksa_oleh", "diperiksa_waktu", "impor_id",
                                      "baris", "jumlah", "rentan", "catatan"])
        if status is not None:
            frame = frame[frame["status"].isin(status)].reset_index(drop=True)
        names = {}
        if not frame.empty:
            ids = [int(x) for x in frame["id"]]
            for kid, nama in conn.execute(sa.select(b.c.kiriman_id, d.c.nama).distinct()
                                          .join(d, d.c.kode == b.c.desa_kode).where(b.c.kiriman_id.in_(ids))
                                          .order_by(b.c.kiriman_id, d.c.nama)):
                names.setdefault(kid, []).append(nama)
    for column in ("baris", "jumlah", "rentan"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["desa"] = [", ".join(names.get(int(x), [])) for x in frame["id"]]
    return frame


def queue(engine) -> pd.DataFrame:
    """The waiting submissions, with their flags (`tanda`: a list of sentences)."""
    frame = submissions(engine, status=("menunggu",))
    frame["tanda"] = [flags(int(x), engine) for x in frame["id"]]
    return frame


def queue_by_partner(frame: pd.DataFrame) -> pd.DataFrame:
    """Per partner: laporan, baris, jumlah, rentan (what the queue holds)."""
    if frame.empty:
        return pd.DataFrame(columns=["mitra", "laporan", "baris", "jumlah", "rentan"])
    return (frame.groupby("mitra", sort=True)
            .agg(laporan=("id", "count"), baris=("baris", "sum"), jumlah=("jumlah", "sum"), rentan=("rentan", "sum"))
            .reset_index())


def rows_of(kiriman_id: int, engine) -> pd.DataFrame:
    b, d, kc = store.kiriman_baris, store.desa, store.kecamatan
    query = (sa.select(b.c.tanggal, d.c.nama.label("desa"), kc.c.nama.label("kecamatan"), b.c.layanan, b.c.cara,
                       b.c.rentan, b.c.jumlah)
             .join(d, d.c.kode == b.c.desa_kode).join(kc, kc.c.kode == d.c.kecamatan_kode)
             .where(b.c.kiriman_id == kiriman_id).order_by(b.c.id))
    with engine.connect() as conn:
        return pd.DataFrame([tuple(r) for r in conn.execute(query)],
                            columns=["tanggal", "desa", "kecamatan", "layanan", "cara", "rentan", "jumlah"])


def history(engine, partner: str | None = None, limit: int = 200) -> pd.DataFrame:
    """The audit: kiriman_id, mitra, waktu, oleh, aksi, keterangan; newest first."""
    r, k, m = store.kiriman_riwayat, store.kiriman, store.mitra
    query = (sa.select(r.c.kiriman_id, m.c.nama.label("mitra"), r.c.waktu, r.c.oleh, r.c.aksi, r.c.keterangan)
             .join(k, k.c.id == r.c.kiriman_id).join(m, m.c.kode == k.c.mitra_kode)
             .order_by(r.c.id.desc()).limit(limit))
    if partner is not None:
        query = query.where(k.c.mitra_kode == partner)
    with engine.connect() as conn:
        return pd.DataFrame([tuple(x) for x in conn.execute(query)],
                            columns=["kiriman_id", "mitra", "waktu", "oleh", "aksi", "keterangan"])


def flags(kiriman_id: int, engine) -> list[str]:
    """What the operator should look at before approving (sentences in Indonesian)."""
    b, k = store.kiriman_baris, store.kiriman
    out = []
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(b).where(b.c.kiriman_id == kiriman_id))]
        names = dict(conn.execute(sa.select(store.desa.c.kode, store.desa.c.nama).where(
            store.desa.c.kode.in_({r["desa_kode"] for r in rows}))).all())
        # More residents recorded in a village-month than were unrecorded there.
        served: dict[tuple[str, dt.date], int] = {}
        for row in rows:
            if row["layanan"] == "rekam_ektp":
                month = row["tanggal"].replace(day=1)
                served[(row["desa_kode"], month)] = served.get((row["desa_kode"], month), 0) + row["jumlah"]
        for (desa, month), count in sorted(served.items()):
            end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            unrecorded = _unrecorded(conn, desa, end)
            if unrecorded is not None and count > unrecorded:
                out.append(f"{names[desa]} {fmt.bulan(month)}: {fmt.angka(count)} warga direkam, "
                           f"lebih banyak dari {fmt.angka(unrecorded)} warga yang belum rekam di sana")
        # Rows an import already holds (the operator may have imported the paper report).
        t, i = store.kegiatan, store.impor
        for row in rows:
            batch = conn.execute(sa.select(t.c.impor_id).join(i, i.c.id == t.c.impor_id).where(
                i.c.status == "aktif", i.c.contoh == sa.false(), t.c.mitra_kode == row["mitra_kode"],
                t.c.desa_kode == row["desa_kode"], t.c.tanggal == row["tanggal"],
                t.c.layanan == row["layanan"], t.c.rentan == row["rentan"]).limit(1)).scalar()
            if batch is not None:
                out.append(f"{names[row['desa_kode']]} {fmt.tanggal(row['tanggal'])} "
                           f"({texts.LAYANAN[row['layanan']]}): mungkin ganda, sudah ada di impor #{batch}")
    return out


def _unrecorded(conn: sa.Connection, desa: str, end: dt.date) -> int | None:
    """Wajib KTP - recorded at the village's latest active snapshot on or before `end`."""
    r = store.registri
    row = conn.execute(sa.select(r.c.wajib_ktp, r.c.sudah_rekam)
                       .where(r.c.desa_kode == desa, r.c.tanggal <= end, r.c.impor_id.in_(store.active_batches()))
                       .order_by(r.c.tanggal.desc(), r.c.impor_id.desc()).limit(1)).first()
    return None if row is None else int(row.wajib_ktp - row.sudah_rekam)


# ---------------------------------------------------------------------------------------------
# Drafts of the phone form, kept per account
# ---------------------------------------------------------------------------------------------

def save_draft(pengguna: str, values: dict, engine) -> None:
    text = json.dumps({k: v for k, v in values.items() if isinstance(v, (str, int, float)) or v is None})
    with engine.begin() as conn:
        done = conn.execute(store.konsep_laporan.update().where(store.konsep_laporan.c.pengguna == pengguna)
                            .values(isi=text, waktu=_now())).rowcount
        if not done:
            conn.execute(store.konsep_laporan.insert().values(pengguna=pengguna, isi=text, waktu=_now()))


def load_draft(pengguna: str, engine) -> dict:
    with engine.connect() as conn:
        text = conn.execute(sa.select(store.konsep_laporan.c.isi)
                            .where(store.konsep_laporan.c.pengguna == pengguna)).scalar()
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def clear_draft(pengguna: str, engine) -> None:
    with engine.begin() as conn:
        conn.execute(store.konsep_laporan.delete().where(store.konsep_laporan.c.pengguna == pengguna))


def villages(engine) -> pd.DataFrame:
    """kode, nama, jenis, kecamatan of the store's regency, by name: the form's village list."""
    d, kc = store.desa, store.kecamatan
    query = (sa.select(d.c.kode, d.c.nama, d.c.jenis, kc.c.nama.label("kecamatan"))
             .join(kc, kc.c.kode == d.c.kecamatan_kode)
             .where(d.c.kode.like(home_regency() + ".%")).order_by(d.c.nama, kc.c.nama))
    with engine.connect() as conn:
        return pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=["kode", "nama", "jenis", "kecamatan"])


def describe(error: RowError) -> str:
    """A problem as the form shows it: its column, then the importer's own words."""
    return f"{error.kolom}: {error.pesan}" if error.kolom else error.pesan


__all__ = ["FormEntry", "Refused", "STATUS_LABEL", "Submission", "approve", "check_file", "check_form",
           "clear_draft", "describe", "flags", "form_csv", "history", "home_regency", "load_draft",
           "note_problems", "partner_name", "queue", "queue_by_partner", "resolve_partner", "rows_of",
           "save_draft", "send", "send_back", "submissions", "villages", "withdraw"]
