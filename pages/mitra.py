"""Mitra: what each partner delivered, and the 2017 partnership against its target."""
import datetime as dt

import streamlit as st

from bulukumba import charts, data, fmt, tables, texts, web

f = web.filters()
engine = web.engine()
web.header("Mitra kemitraan")

# Periods in the order the head asks for them; a programme appears once its targets are in.
gertak = data.programme_period("gertak_2018", engine)
partnership = data.programme_period("kemitraan_2017", engine)
PERIODS = {}
if gertak:
    PERIODS["gertak"] = (f"GERTAK 2018 (sejak {fmt.tanggal(gertak[0])})", *gertak)
if partnership:
    PERIODS["kemitraan"] = (f"Kemitraan 2017 ({fmt.tanggal(partnership[0])} – "
                            f"{fmt.tanggal(partnership[1])})", *partnership)
PERIODS["30hari"] = ("30 hari terakhir", None, None)
PERIODS["semua"] = ("Seluruh periode", None, None)
first = next(iter(PERIODS))
period = st.segmented_control("Periode", list(PERIODS), default=first, key="mitra-periode",
                              format_func=lambda p: PERIODS[p][0]) or first
_, start, period_end = PERIODS[period]
end = min(f.per, period_end) if period_end else f.per
if period == "30hari":
    start = f.per - dt.timedelta(days=29)
service_label = texts.LAYANAN[f.layanan] if f.layanan else "semua layanan"
st.caption(f"{service_label} · {fmt.tanggal(start) if start else 'awal data'} – {fmt.tanggal(end)}"
           " · layanan dipilih di panel samping")

board = data.partner_leaderboard(start, end, f.layanan, f.kecamatan, engine, kabupaten=f.kabupaten)
monthly = data.partner_monthly(start, end, f.layanan, kecamatan=f.kecamatan, engine=engine, kabupaten=f.kabupaten)
table = tables.leaderboard_table(board, monthly)

st.subheader("Peringkat mitra")
web.show_table(table, key="tabel-mitra", bar="Porsi (%)", bar_range=(0, 50), column_config={
    "Tren bulanan": st.column_config.LineChartColumn("Tren bulanan", y_min=0)})
web.downloads(table.drop(columns=["Tren bulanan"]), "peringkat-mitra", key="unduh-mitra")

left, right = st.columns(2)
with left:
    st.plotly_chart(charts.leaderboard(board), key="grafik-mitra", config={"displayModeBar": False})
with right:
    st.subheader("Program inovasi kemitraan 2017")
    partnership = data.programme_status("kemitraan_2017", "rekam_ektp", as_of=f.per, engine=engine)
    if partnership is None:
        st.info("Belum ada target program kemitraan 2017 di data.")
    else:
        st.plotly_chart(charts.target_gauge(partnership.capaian, partnership.target, "Perekaman e-KTP"),
                        key="grafik-kemitraan", config={"displayModeBar": False})
        st.caption(f"{fmt.tanggal(partnership.mulai)} – {fmt.tanggal(partnership.selesai)}: "
                   f"{fmt.angka(partnership.capaian)} perekaman oleh mitra dari target "
                   f"{fmt.angka(partnership.target)} ({fmt.persen(partnership.persen)}).")

st.subheader("Rincian mitra")
partners = data.partners(engine)
names = dict(zip(partners["kode"], partners["nama"]))
chosen = st.selectbox("Mitra", list(names), format_func=names.get, key="mitra-rinci")
st.caption(partners.set_index("kode").loc[chosen, "deskripsi"])
months_col, villages_col = st.columns([3, 2])
with months_col:
    st.plotly_chart(charts.partner_months(data.partner_monthly(start, end, f.layanan, chosen, f.kecamatan, engine,
                                                               kabupaten=f.kabupaten)),
                    key="grafik-mitra-bulanan", config={"displayModeBar": False})
with villages_col:
    where = data.partner_villages(chosen, start, end, f.layanan, engine, limit=web.TABLE_ROWS)
    reached = data.partner_village_count(chosen, start, end, f.layanan, engine)
    st.markdown(f"**Desa yang dijangkau: {fmt.angka(reached)}**")
    web.show_table(tables.partner_villages_table(where), key="tabel-mitra-desa", height=300)
    if reached > len(where):
        st.caption(f"{fmt.angka(len(where))} desa dengan layanan terbanyak.")
