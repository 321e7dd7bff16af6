"""Ringkasan: the regency (or one kecamatan) at a glance, verdict first."""
import streamlit as st

from bulukumba.presentation import cards, charts, tables
from bulukumba import figures, web
from bulukumba.language import fmt, texts
from bulukumba.figures import verdict

f = web.filters()
engine = web.engine()
demo = web.is_demo()
web.header("Ringkasan perekaman e-KTP")

web.verdict_strip(web.memo(("vonis", f), lambda: verdict.gertak_verdict(f.per, f.kecamatan, engine, f.kabupaten)))

total = figures.coverage_total(f.per, f.kecamatan, engine, kabupaten=f.kabupaten)
week = figures.recorded_change(f.per, 7, f.kecamatan, engine, kabupaten=f.kabupaten)
month = figures.recorded_change(f.per, 30, f.kecamatan, engine, kabupaten=f.kabupaten)
villages = figures.coverage_villages(f.per, f.kecamatan, engine, kabupaten=f.kabupaten)

if total.tanggal is None:  # e.g. a kecamatan none of whose villages has been reported yet
    st.info(f"Belum ada data registri untuk {f.wilayah} sampai {fmt.date(f.per)}. "
            + texts.CARA_TAMBAH["registri"], icon=":material/info:")
else:
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Wajib KTP", fmt.number(total.wajib_ktp))
    c2.metric("Sudah rekam", fmt.number(total.sudah_rekam), texts.change_phrase(week) if week.ada else None)
    c3.metric("Belum rekam", fmt.number(total.belum_rekam),
              f"{fmt.signed(-week.sudah_rekam)} dalam {fmt.number(week.hari)} hari" if week.ada else None,
              delta_color="inverse")
    # A distance from the target, not a trend: no arrow, no colour.
    c4.metric("Cakupan", fmt.percent(total.cakupan), texts.distance_to_target(total.cakupan, charts.NATIONAL_TARGET),
              delta_color="off", delta_arrow="off", help="Target nasional 2017: 96% wajib KTP sudah rekam.")
    st.caption(texts.change_caption(week, month) if week.ada else texts.no_comparison(week.sampai))

BAR = {"bar": "Cakupan (%)", "bar_range": (0, 100)}
if f.kecamatan is None:
    st.header("Per kecamatan", anchor=False)
    kec = figures.coverage_kecamatan(f.per, engine, kabupaten=f.kabupaten)
    reported = figures.villages_reported(f.per, engine, kabupaten=f.kabupaten)
    web.show_table(tables.kecamatan_table(kec, reported), key="tabel-kecamatan", **BAR)
else:
    st.header(f"Desa/kelurahan di {f.wilayah}", anchor=False)
    web.show_table(tables.village_table(villages), key="tabel-desa", **BAR)
st.caption(texts.TABLE_BAR_NOTE)

left, right = st.columns(2)
with left:
    if f.kecamatan is None:
        web.card(web.memo(("kartu-kecamatan", f), lambda: cards.kecamatan_coverage(kec, f.per, demo)),
                 key="grafik-kecamatan")
    web.card(web.memo(("kartu-top5", f), lambda: cards.top_unrecorded(villages, f.wilayah, f.per, demo)),
             key="grafik-top5")
with right:
    web.card(web.memo(("kartu-tren", f), lambda: cards.recorded_trend(
        figures.recorded_trend(f.kecamatan, end=f.per, engine=engine, kabupaten=f.kabupaten), f.wilayah, demo)), key="grafik-tren")
