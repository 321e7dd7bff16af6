"""Ringkasan: the regency (or one kecamatan) at a glance."""
import streamlit as st

from bulukumba import charts, data, fmt, tables, texts, verdict, web

f = web.filters()
engine = web.engine()
web.header("Ringkasan perekaman e-KTP")

web.verdict_strip(verdict.gertak_verdict(f.per, f.kecamatan, engine))

total = data.coverage_total(f.per, f.kecamatan, engine, kabupaten=f.kabupaten)
week = data.recorded_change(f.per, 7, f.kecamatan, engine, kabupaten=f.kabupaten)
month = data.recorded_change(f.per, 30, f.kecamatan, engine, kabupaten=f.kabupaten)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Wajib KTP", fmt.angka(total.wajib_ktp))
c2.metric("Sudah rekam", fmt.angka(total.sudah_rekam), texts.change_phrase(week) if week.ada else None)
c3.metric("Belum rekam", fmt.angka(total.belum_rekam),
          f"{fmt.bertanda(-week.sudah_rekam)} dalam {fmt.angka(week.hari)} hari" if week.ada else None,
          delta_color="inverse")
# A distance from the target, not a trend: no arrow, no colour.
c4.metric("Cakupan", fmt.persen(total.cakupan), texts.distance_to_target(total.cakupan, charts.NATIONAL_TARGET),
          delta_color="off", delta_arrow="off", help="Target nasional 2017: 96% wajib KTP sudah rekam.")
st.caption(texts.change_caption(week, month) if week.ada else texts.no_comparison(week.sampai))

BAR = {"bar": "Cakupan (%)", "bar_range": (80, 100)}
national = f.kabupaten is None and len(data.regencies(engine)) > 1  # several regencies, none chosen
if f.kecamatan is None:
    st.subheader("Per kecamatan")
    kec = data.coverage_kecamatan(f.per, engine, kabupaten=f.kabupaten)
    web.show_table(tables.kecamatan_table(kec), key="tabel-kecamatan", **BAR)
else:
    st.subheader(f"Desa/kelurahan di {f.wilayah}")
    villages = data.coverage_villages(f.per, f.kecamatan, engine)
    web.show_table(tables.village_table(villages), key="tabel-desa", **BAR)

left, right = st.columns(2)
with left:
    if f.kecamatan is None:
        st.subheader("Cakupan per kecamatan")
        # A chart of thousands of kecamatan says nothing: the national view charts regencies.
        shown = data.coverage_kabupaten(f.per, engine) if national else kec
        st.plotly_chart(charts.kecamatan_coverage(shown), key="grafik-kecamatan", config={"displayModeBar": False})
    st.subheader("Lima desa dengan belum rekam terbanyak")
    top = data.top_unrecorded(f.per, 5, f.kecamatan, engine, kabupaten=f.kabupaten)
    st.plotly_chart(charts.top_unrecorded(top, 5), key="grafik-top5", config={"displayModeBar": False})
with right:
    st.subheader("Tren sudah rekam")
    trend = data.recorded_trend(f.kecamatan, end=f.per, engine=engine, kabupaten=f.kabupaten)
    st.plotly_chart(charts.recorded_trend(trend), key="grafik-tren", config={"displayModeBar": False})
