"""Writing a submission's steps: send, approve (its rows become an import batch in the same
transaction), return with a reason, withdraw; each step kept in `kiriman_riwayat`."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa

from bulukumba.language import fmt
from bulukumba.storage import store, summaries
from bulukumba.importer.checks import already_imported
from bulukumba.reports.checks import Submission, _clashes
from bulukumba.reports.form import MAX_NOTE, STATUS_LABEL, _now, note_problems


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
        _log(conn, kid, oleh, "dikirim", f"{len(rows)} baris, {fmt.number(total)} layanan")
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
