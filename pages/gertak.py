"""GERTAK 2018: is the drive on track to finish by 31 December 2018?"""
import streamlit as st

from bulukumba import charts, data, fmt, tables, texts, web

f = web.filters()
engine = web.engine()
web.header("GERTAK 2018")
st.caption(texts.PROGRAM["gertak_2018"])

status = data.programme_status("gertak_2018", "rekam_ektp", f.kecamatan, f.per, engine, kabupaten=f.kabupaten)
if status is None:
    st.info(f"Belum ada target perekaman GERTAK 2018 untuk {f.wilayah}.")
    st.stop()

c1, c2, c3, c4 = st.columns(4)
c1.metric("Capaian", fmt.persen(status.persen), f"{fmt.angka(status.capaian)} dari {fmt.angka(status.target)}",
          delta_color="off", delta_arrow="off")
c2.metric("Sisa", fmt.angka(status.sisa))
c3.metric("Perlu per hari", fmt.angka(status.laju_perlu, 1) if status.laju_perlu is not None else fmt.KOSONG,
          f"sampai {fmt.tanggal(status.selesai)}", delta_color="off", delta_arrow="off")
c4.metric("Laju 28 hari terakhir", f"{fmt.angka(status.laju_28, 1)} per hari",
          fmt.poin(0) if status.laju_perlu is None else
          f"{fmt.bertanda(status.laju_28 - status.laju_perlu, 1)} dari yang perlu",
          delta_color="normal")
st.markdown(texts.gertak_projection_sentence(status))

projection = None
if status.proyeksi_selesai and status.sisa:
    projection = (status.proyeksi_selesai, status.target)
progress = data.programme_progress("gertak_2018", "rekam_ektp", f.kecamatan, f.per, engine,
                                   kabupaten=f.kabupaten)
st.plotly_chart(charts.programme_progress(progress, status.target, status.mulai, status.selesai, projection),
                key="grafik-gertak", config={"displayModeBar": False})
st.caption(f"Capaian dihitung dari {texts.DASAR[status.dasar]} sejak {fmt.tanggal(status.mulai)}.")

left, right = st.columns(2)
with left:
    st.subheader("Per kecamatan")
    per_kec = data.programme_statuses("gertak_2018", "kecamatan", f.per, engine, kabupaten=f.kabupaten)
    if len(per_kec) > 60:  # a national store: the slowest kecamatan first, the rest in Unduh
        per_kec = sorted(per_kec, key=lambda s: s.persen)[:60]
        st.caption("60 kecamatan dengan capaian terendah; semuanya ada di halaman Unduh.")
    if per_kec:
        rows = tables.progress_by_region(per_kec, web.kecamatan_names(f.kabupaten))
        st.plotly_chart(charts.kecamatan_progress(rows), key="grafik-gertak-kecamatan",
                        config={"displayModeBar": False})
    else:
        st.info("Belum ada target per kecamatan.")
with right:
    st.subheader("Per layanan")
    services = data.programme_statuses("gertak_2018", "layanan", f.per, engine, kabupaten=f.kabupaten)
    web.show_table(tables.programme_table(services, {}), key="tabel-gertak-layanan")
