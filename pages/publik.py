"""Transparansi: what anyone may see. Aggregates only, small counts hidden (privacy.py).

Built for a phone on a slow connection: its charts are small SVGs (svg.py) and its tables plain
HTML, so the page loads none of the heavy chart and table bundles the internal pages use.
"""
import streamlit as st

from bulukumba import charts, data, fmt, privacy, svg, tables, texts, web

web.public_page()
engine = web.engine()
web.header("Perekaman e-KTP Kabupaten Bulukumba", public=True)
st.caption(texts.PRIVASI_PUBLIK)

latest = data.latest_date(engine)
total = data.coverage_total(latest, engine=engine)
month = data.recorded_change(latest, 30, engine=engine)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Wajib KTP", fmt.angka(total.wajib_ktp))
c2.metric("Sudah rekam", fmt.angka(total.sudah_rekam), texts.change_phrase(month) if month.ada else None)
c3.metric("Belum rekam", fmt.angka(total.belum_rekam))
c4.metric("Cakupan", fmt.persen(total.cakupan), f"target nasional {fmt.persen(charts.NATIONAL_TARGET, 0)}",
          delta_color="off", delta_arrow="off")

st.subheader("Cakupan per kecamatan")
web.show_svg(svg.coverage_bars(data.coverage_kecamatan(latest, engine)))

st.subheader("Peta desa dan kelurahan")
safe = privacy.public_villages(data.coverage_villages(latest, engine=engine))
quantity = st.radio("Warna peta", ["belum_rekam", "cakupan"], horizontal=True, key="publik-ukuran",
                    format_func=lambda q: {"belum_rekam": "Belum rekam", "cakupan": "Cakupan (%)"}[q])
layers = web.map_layer_data()
if layers is None:
    st.info("Peta sedang tidak tersedia; angka per desa ada di tabel di bawah.")
else:
    web.show_svg(svg.village_map(layers[0], layers[1], safe, quantity))
    st.caption("Sentuh lama atau arahkan penunjuk ke desa untuk melihat angkanya. " + texts.SOURCE_WILAYAH)
village_table = tables.public_village_table(safe)
with st.expander("Tabel per desa/kelurahan"):
    web.html_table(village_table)
    web.downloads(village_table, "publik-cakupan-desa", key="publik-unduh-desa", day=latest)

st.subheader(f"{texts.MITRA_SEMUA} selama GERTAK 2018")  # one definition per title (texts.service_unit)
status = data.programme_status("gertak_2018", "rekam_ektp", as_of=latest, engine=engine)
start = status.mulai if status else None
board = privacy.public_leaderboard(data.partner_leaderboard(start, latest, None, None, engine))
web.html_table(tables.public_leaderboard_table(board))
vulnerable = privacy.public_vulnerable(data.vulnerable_by_kecamatan(start, latest, engine))
st.markdown("**Warga rentan yang dilayani mitra, per kecamatan**")
web.html_table(tables.public_vulnerable_table(vulnerable))

if status is not None:
    st.subheader("GERTAK 2018")
    st.markdown(texts.gertak_projection_sentence(status))
    progress = data.programme_progress("gertak_2018", "rekam_ektp", as_of=latest, engine=engine)
    web.show_svg(svg.progress(progress, status.target, status.mulai, status.selesai))

st.divider()
st.markdown(texts.CARA_REKAM)
