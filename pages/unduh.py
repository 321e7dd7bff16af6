"""Unduh: every table of the dashboard as CSV and XLSX, named with the data date.

Each entry says which filters it follows; the XLSX files carry a "Keterangan" sheet (source,
date, filters, definitions), and one workbook holds them all.
"""
import streamlit as st

from bulukumba.presentation import downloads, export
from bulukumba.language import fmt, texts
from bulukumba import web

f = web.filters()
engine = web.engine()
demo = web.is_demo()
web.header("Unduh data")
st.caption("Angka dalam setiap tabel sama dengan yang tampil di halaman lain. Setiap berkas menyebut filter "
           "yang berlaku; berkas XLSX memuat lembar *Keterangan* (sumber, tanggal, filter, arti kolom). Sel "
           "teks yang diawali =, +, - atau @ diberi tanda petik agar tidak dijalankan sebagai rumus.")

offered = downloads.items(f.per, f.kecamatan, f.layanan, engine, f.kabupaten)
later = [item for item in offered if item.per_regency and f.whole_of_many_regencies]
ready = [item for item in offered if item not in later]
# Each file is built when its button is pressed; the page only counts the rows.
counts = web.memo(("unduhan-baris", f), lambda: [item.rows() for item in ready])
for item, count in zip(ready, counts):
    with st.container(border=True):
        st.markdown(f"**{item.title}** · {fmt.number(count)} baris")
        st.caption(f"Mengikuti filter: {item.scope}.")
        if count == 0:
            st.caption("Belum ada data untuk tabel ini. " + texts.CARA_TAMBAH[item.kind])
        web.downloads(item.build, item.stem, key=f"unduh-{item.stem}",
                      notes=lambda table, item=item: downloads.notes(item, table, f.per), area=f.kecamatan_nama)

for item in later:
    with st.container(border=True):
        st.markdown(f"**{item.title}**")
        st.caption(texts.UNDUH_PER_KABUPATEN)

with st.container(border=True):
    st.markdown(f"**Semua tabel dalam satu berkas XLSX** · {len(ready)} lembar dan lembar Keterangan")
    st.download_button("Unduh semua (XLSX)", lambda: downloads.all_in_one(ready, f.per, demo),
                       key="unduh-semua-xlsx", on_click="ignore", icon=":material/download:",
                       file_name=export.file_name("semua-tabel", f.per, "xlsx", demo, f.kecamatan_nama),
                       mime=web.XLSX_MIME)
