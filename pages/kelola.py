"""Kelola data (operator): upload with a validation report first, import history, undo."""
import hashlib

import streamlit as st

from bulukumba import data, fmt, importer, texts, web

f = web.filters()
engine = web.engine()
user = web.current_user()
web.header("Kelola data")
if user is None or not user.can_import:  # the frame does not list this page for others either
    st.error("Halaman ini hanya untuk operator.")
    st.stop()

st.subheader("Impor berkas")
st.caption("CSV atau XLSX: data registri (wajib KTP dan sudah rekam per desa), kegiatan mitra, atau "
           "target program. Berkas diperiksa seluruhnya dulu; tidak ada yang disimpan sebelum Anda "
           "menekan **Simpan**. Hanya angka agregat: jangan unggah NIK, nama, atau alamat.")
kind = st.selectbox("Jenis berkas", [None, *importer.KINDS], key="kelola-jenis",
                    format_func=lambda k: "Kenali dari judul kolom" if k is None else texts.JENIS_IMPOR[k])
upload = st.file_uploader("Berkas", type=["csv", "xlsx"], key="kelola-berkas")

if upload is not None:
    content = upload.getvalue()
    fingerprint = hashlib.sha256(content).hexdigest()
    saved = st.session_state.get("kelola-hasil")
    if saved and saved[0] == fingerprint:  # this very file was just saved: say so, once
        result = saved[1]
        (st.success if result.ok else st.error)(result.pesan)
        for warning in result.warnings:
            st.info(str(warning), icon=":material/info:")
    else:
        report = importer.import_bytes(content, upload.name, kind, engine, oleh=user.username, dry_run=True)
        for warning in report.warnings:
            st.warning(str(warning), icon=":material/info:")
        if not report.ok:
            st.error(report.pesan)
            st.dataframe([{"Baris": e.baris, "Kolom": e.kolom, "Masalah": e.pesan} for e in report.errors],
                         hide_index=True, width="stretch", key="kelola-kesalahan")
        else:
            st.success(report.pesan)
            if st.button(f"Simpan {fmt.angka(report.baris)} baris ke basis data", type="primary",
                         key="kelola-simpan", icon=":material/save:"):
                result = importer.import_bytes(content, upload.name, kind, engine, oleh=user.username)
                st.session_state["kelola-hasil"] = (fingerprint, result)
                st.rerun()

st.subheader("Riwayat impor")
if "kelola-pesan" in st.session_state:
    st.success(st.session_state.pop("kelola-pesan"))
history = data.import_history(engine)
shown = history.assign(
    jenis=history["jenis"].map(texts.JENIS_IMPOR),
    waktu=[fmt.waktu(w) for w in history["waktu"]],
    status=history["status"].map({"aktif": "Aktif", "dibatalkan": "Dibatalkan"}),
    contoh=history["contoh"].map({True: "ya", False: ""}),
).rename(columns={"id": "Impor #", "nama_file": "Berkas", "jenis": "Jenis", "jumlah_baris": "Baris",
                  "waktu": "Waktu", "oleh": "Oleh", "status": "Status", "contoh": "Data contoh"})
web.show_table(shown, key="kelola-riwayat")

active = history[history["status"] == "aktif"]
if not active.empty:
    with st.form("kelola-batal"):
        st.markdown("**Batalkan impor**: angkanya keluar dari semua tampilan; catatannya tetap ada.")
        batch = st.selectbox("Impor", list(active["id"]), key="kelola-batal-id",
                             format_func=lambda i: f"#{i} · {active.set_index('id').loc[i, 'nama_file']}")
        sure = st.checkbox("Saya yakin", key="kelola-batal-yakin")
        if st.form_submit_button("Batalkan impor", icon=":material/undo:") and sure:
            st.session_state["kelola-pesan"] = importer.undo_import(int(batch), engine, user.username)
            st.rerun()
