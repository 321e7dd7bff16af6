"""Reading submissions: the operator's queue, a partner's own list, the rows, the history, and
the flags an operator sees (never refusals)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from bulukumba.language import fmt, texts
from bulukumba.storage import store


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
    b = store.kiriman_baris
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
                out.append(f"{names[desa]} {fmt.month(month)}: {fmt.number(count)} warga direkam, "
                           f"lebih banyak dari {fmt.number(unrecorded)} warga yang belum rekam di sana")
        # Rows an import already holds (the operator may have imported the paper report).
        t, i = store.kegiatan, store.impor
        for row in rows:
            batch = conn.execute(sa.select(t.c.impor_id).join(i, i.c.id == t.c.impor_id).where(
                i.c.status == "aktif", i.c.contoh == sa.false(), t.c.mitra_kode == row["mitra_kode"],
                t.c.desa_kode == row["desa_kode"], t.c.tanggal == row["tanggal"],
                t.c.layanan == row["layanan"], t.c.rentan == row["rentan"]).limit(1)).scalar()
            if batch is not None:
                out.append(f"{names[row['desa_kode']]} {fmt.date(row['tanggal'])} "
                           f"({texts.LAYANAN[row['layanan']]}): mungkin ganda, sudah ada di impor #{batch}")
    return out


def _unrecorded(conn: sa.Connection, desa: str, end: dt.date) -> int | None:
    """Wajib KTP - recorded at the village's latest active snapshot on or before `end`."""
    r = store.registri
    row = conn.execute(sa.select(r.c.wajib_ktp, r.c.sudah_rekam)
                       .where(r.c.desa_kode == desa, r.c.tanggal <= end, r.c.impor_id.in_(store.active_batches()))
                       .order_by(r.c.tanggal.desc(), r.c.impor_id.desc()).limit(1)).first()
    return None if row is None else int(row.wajib_ktp - row.sudah_rekam)
