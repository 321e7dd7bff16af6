"""Mitra: what each partner delivered, and the 2017 partnership against its target.

Every panel follows the period, the kecamatan and the service filter, except the 2017
partnership panel, whose target exists only for the regency and e-KTP recording (its caption
says so). Titles name what is counted ("Perekaman e-KTP oleh mitra", "Semua layanan mitra").
"""
import datetime as dt

import streamlit as st

from bulukumba.presentation import cards, tables
from bulukumba import figures, web
from bulukumba.language import fmt, texts

f = web.filters()
engine = web.engine()
demo = web.is_demo()
web.header("Mitra kemitraan")

# Periods in the order the head asks for them; a programme appears once its targets are in.
gertak = figures.programme_period("gertak_2018", engine)
partnership_period = figures.programme_period("kemitraan_2017", engine)
PERIODS = {}
if gertak:
    PERIODS["gertak"] = (f"GERTAK 2018 (sejak {fmt.date(gertak[0])})", *gertak)
if partnership_period:
    PERIODS["kemitraan"] = (f"Kemitraan 2017 ({fmt.date(partnership_period[0])} – "
                            f"{fmt.date(partnership_period[1])})", *partnership_period)
PERIODS["30hari"] = ("30 hari terakhir", None, None)
PERIODS["semua"] = ("Seluruh periode", None, None)
first = next(iter(PERIODS))
period = st.segmented_control("Periode", list(PERIODS), default=first, key="mitra-periode",
                              format_func=lambda p: PERIODS[p][0]) or first
_, start, period_end = PERIODS[period]
end = min(f.per, period_end) if period_end else f.per
if period == "30hari":
    start = f.per - dt.timedelta(days=29)
title_unit, unit = texts.service_unit(f.layanan)
period_text = f"{fmt.date(start) if start else 'awal data'} – {fmt.date(end)}"
st.caption(f"**{title_unit}** · {period_text} · {f.wilayah} · layanan dipilih di panel samping")

board = figures.partner_leaderboard(start, end, f.layanan, f.kecamatan, engine, kabupaten=f.kabupaten)
monthly = figures.partner_monthly(start, end, f.layanan, kecamatan=f.kecamatan, engine=engine, kabupaten=f.kabupaten)

st.header(f"Peringkat mitra · {title_unit}", anchor=False)
if board["jumlah"].sum() == 0:
    st.info(f"Belum ada kegiatan mitra tercatat untuk {title_unit.lower()}, {period_text}, {f.wilayah}. "
            + texts.CARA_TAMBAH["kegiatan"], icon=":material/info:")
else:
    table = tables.leaderboard_table(board, monthly)
    web.show_table(table, key="tabel-mitra", bar="Porsi (%)", bar_range=(0, 100), column_config={
        "Tren bulanan": st.column_config.LineChartColumn("Tren bulanan", y_min=0)})
    st.caption(f"Jumlah = {unit}. Batang: porsi pada skala 0–100%. Peringkat sama bila jumlahnya sama.")
    web.downloads(table.drop(columns=["Tren bulanan"]), "peringkat-mitra", key="unduh-mitra")

left, right = st.columns(2)
with left:
    web.card(web.memo(("kartu-mitra", f, start, end), lambda: cards.leaderboard(
        board, f.layanan, period_text, f.wilayah, end, demo)), key="grafik-mitra")
with right:
    # The programme's target is a regency's (or, in a store of one regency, the store's): the
    # chosen regency's when there is a choice, never a kecamatan's.
    area = f.wilayah_kabupaten
    programme = figures.programme_status("kemitraan_2017", "rekam_ektp", as_of=f.per, engine=engine,
                                      kabupaten=f.kabupaten)
    if programme is None:
        st.header("Program inovasi kemitraan 2017", anchor=False)
        st.info(f"Belum ada target program kemitraan 2017 untuk {area} di data. " + texts.CARA_TAMBAH["target"])
    else:
        web.card(web.memo(("kartu-kemitraan", f),
                          lambda: cards.partnership(programme, f.per, demo, area)), key="grafik-kemitraan")
        st.caption(f"Panel ini selalu untuk {area} dan perekaman e-KTP selama program 2017 "
                   "(targetnya hanya ada untuk itu): pilihan kecamatan, layanan dan periode tidak berlaku di sini.")

st.header("Rincian mitra", anchor=False)
partners = figures.partners(engine)
names = dict(zip(partners["kode"], partners["nama"]))
chosen = st.selectbox("Mitra", list(names), format_func=names.get, key="mitra-rinci")
if demo:  # the roles the 2018 report gave the partners: the demo's story, not what real data shows
    st.caption(f"{partners.set_index('kode').loc[chosen, 'deskripsi']} ({texts.DEMO_LABEL})")
months_col, villages_col = st.columns(2)
with months_col:
    web.card(web.memo(("kartu-mitra-bulanan", f, start, end, chosen), lambda: cards.partner_months(
        figures.partner_monthly(start, end, f.layanan, chosen, f.kecamatan, engine,
                             kabupaten=f.kabupaten), names[chosen], f.layanan,
        period_text, f.wilayah, end, demo)), key="grafik-mitra-bulanan")
with villages_col:
    where = figures.partner_villages(chosen, start, end, f.layanan, engine, limit=web.TABLE_ROWS,
                                  kecamatan=f.kecamatan, kabupaten=f.kabupaten)
    reached = figures.partner_village_count(chosen, start, end, f.layanan, engine, kecamatan=f.kecamatan,
                                         kabupaten=f.kabupaten)
    st.markdown(f"**Desa yang dijangkau di {f.wilayah}: {fmt.number(reached)}**")
    if where.empty:
        st.caption(f"Tidak ada kegiatan {names[chosen]} ({title_unit.lower()}) pada periode ini di {f.wilayah}.")
    else:
        web.show_table(tables.partner_villages_table(where), key="tabel-mitra-desa", height=300,
                       column_order=["Desa/kelurahan", "Kecamatan", "Jumlah", "Warga rentan"])
        if reached > len(where):
            st.caption(f"{fmt.number(len(where))} desa dengan layanan terbanyak.")
