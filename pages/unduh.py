"""Unduh: every table of the dashboard as CSV and XLSX, named with the data date."""
import streamlit as st

from bulukumba import data, tables, web

f = web.filters()
engine = web.engine()
web.header("Unduh data")
st.caption("Angka dalam setiap tabel sama dengan yang tampil di halaman lain, untuk tanggal, "
           "wilayah dan layanan yang dipilih. Sel teks yang diawali =, +, - atau @ diberi tanda petik agar tidak dijalankan "
           "sebagai rumus oleh aplikasi lembar kerja.")

names = web.kecamatan_names(f.kabupaten)
k = {"kabupaten": f.kabupaten}
GERTAK_START = (data.programme_period("gertak_2018", engine) or (None, None))[0]
statuses = (data.programme_statuses("gertak_2018", "layanan", f.per, engine, **k)
            + data.programme_statuses("gertak_2018", "kecamatan", f.per, engine, **k))
DOWNLOADS = {
    "cakupan-kecamatan": ("Cakupan per kecamatan", lambda: tables.kecamatan_table(
        data.coverage_kecamatan(f.per, engine, **k))),
    "cakupan-desa": ("Cakupan per desa/kelurahan", lambda: tables.village_table(
        data.coverage_villages(f.per, f.kecamatan, engine, **k))),
    "prioritas-desa": ("Daftar prioritas jemput bola", lambda: tables.priority_table(
        data.priority_villages(f.per, f.kecamatan, engine, **k))),
    "tren-perekaman": ("Tren sudah rekam", lambda: tables.trend_table(
        data.recorded_trend(f.kecamatan, end=f.per, engine=engine, **k))),
    "peringkat-mitra": ("Peringkat mitra selama GERTAK 2018 (seperti halaman Mitra)",
                        lambda: tables.leaderboard_table(data.partner_leaderboard(
                            GERTAK_START, f.per, f.layanan, f.kecamatan, engine, **k))),
    "progres-gertak": ("Progres GERTAK 2018 per layanan dan kecamatan", lambda: tables.programme_table(
        statuses, names)),
}
for stem, (title, build) in DOWNLOADS.items():
    table = build()
    with st.container(border=True):
        st.markdown(f"**{title}** · {len(table)} baris")
        web.downloads(table, stem, key=f"unduh-{stem}")
