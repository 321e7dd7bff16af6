"""GERTAK 2018: is the drive on track to finish by 31 December 2018?

The verdict strip, the sentence and the progress chart come from one verdict (verdict.py), the
same one Ringkasan, the public page and the projector show.
"""
import streamlit as st

from bulukumba.presentation import cards, tables
from bulukumba import figures, web
from bulukumba.language import texts
from bulukumba.figures import verdict

f = web.filters()
engine = web.engine()
demo = web.is_demo()
web.header("GERTAK 2018")
st.caption(texts.PROGRAM["gertak_2018"])

v = web.memo(("vonis", f),
             lambda: verdict.gertak_verdict(f.per, f.kecamatan, engine, f.kabupaten))
web.verdict_strip(v)
st.markdown(v.kalimat)
if v.target is None:
    st.stop()  # the strip says what is missing and how to add it

web.card(web.memo(("kartu-gertak", f), lambda: cards.programme_progress(
    figures.programme_progress("gertak_2018", "rekam_ektp", f.kecamatan, f.per, engine, kabupaten=f.kabupaten), v, demo)), key="grafik-gertak")


def per_kecamatan_card():
    statuses = verdict.statuses_with_figures("gertak_2018", f.per, engine, f.kabupaten)
    return cards.kecamatan_progress(tables.progress_by_region(statuses, web.kecamatan_names(f.kabupaten)), v.tanggal,
                                    demo, f.kecamatan)


web.card(web.memo(("kartu-gertak-kecamatan", f), per_kecamatan_card), key="grafik-gertak-kecamatan")

st.header(f"Per layanan · {f.wilayah_kabupaten}", anchor=False)
services = web.memo(("vonis-layanan", f),
                    lambda: verdict.programme_verdicts("gertak_2018", "layanan", f.per, engine, f.kabupaten))
if services:
    web.show_table(tables.programme_table(services, {}), key="tabel-gertak-layanan", column_order=[
        "Layanan", "Target", "Capaian", "Capaian (%)", "Sisa", "Perlu per hari", "Laju per hari",
        "Proyeksi selesai", "Keadaan"])
    st.caption(f"Target per layanan hanya ada untuk {f.wilayah_kabupaten}: pilihan kecamatan tidak berlaku di "
               "tabel ini. Perekaman e-KTP dihitung dari " + texts.DASAR["registri"] + "; layanan lain dari "
               + texts.DASAR["kegiatan_mitra"] + ". Laju per hari: " + verdict.PACE_NOTE)
else:
    st.info("Belum ada target GERTAK 2018 per layanan. " + texts.CARA_TAMBAH["target"])
