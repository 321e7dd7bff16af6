"""Transparansi: what anyone may see. It reads only the published set (bulukumba.disclosure),
where small counts and the cells that would give them back are hidden.

Built for a phone on a slow connection: its charts are small SVGs (svg.py) and its tables plain
HTML, so the page loads none of the heavy chart and table bundles the internal pages use.
"""
import streamlit as st

from bulukumba import charts, disclosure, fmt, svg, tables, texts, web

web.public_page()
engine = web.engine()
web.header("Perekaman e-KTP Kabupaten Bulukumba", public=True)
st.caption(texts.PRIVASI_PUBLIK)

view = disclosure.public_view(engine=engine)
total = view.kabupaten
c1, c2, c3, c4 = st.columns(4)
c1.metric("Wajib KTP", fmt.angka(total.wajib_ktp))
c2.metric("Sudah rekam", total.teks_sudah_rekam, None if total.sudah_rekam_30_hari is None else
          texts.change_phrase(total.perubahan_30))
c3.metric("Belum rekam", total.teks_belum_rekam)
c4.metric("Cakupan", total.teks_cakupan, f"target nasional {fmt.persen(charts.NATIONAL_TARGET, 0)}",
          delta_color="off", delta_arrow="off")

st.subheader("Cakupan per kecamatan")
web.show_svg(svg.coverage_bars(view.kecamatan))

st.subheader("Peta desa dan kelurahan")
quantity = st.radio("Warna peta", ["belum_rekam", "cakupan"], horizontal=True, key="publik-ukuran",
                    format_func=lambda q: {"belum_rekam": "Belum rekam", "cakupan": "Cakupan (%)"}[q])
layers = web.map_layer_data()
if layers is None:
    st.info("Peta sedang tidak tersedia; angka per desa ada di tabel di bawah.")
else:
    web.show_svg(svg.village_map(layers[0], layers[1], view.desa, quantity))
    st.caption("Sentuh lama atau arahkan penunjuk ke desa untuk melihat angkanya. " + texts.SOURCE_WILAYAH)
village_table = tables.public_village_table(view.desa)
with st.expander("Tabel per desa/kelurahan"):
    web.html_table(village_table)
    web.downloads(village_table, "publik-cakupan-desa", key="publik-unduh-desa", day=view.tanggal)

st.subheader(f"{texts.MITRA_SEMUA} selama GERTAK 2018")  # one definition per title (texts.service_unit)
web.html_table(tables.public_leaderboard_table(view.mitra))
st.markdown("**Warga rentan yang dilayani mitra, per kecamatan**")
web.html_table(tables.public_vulnerable_table(view.rentan))

if view.gertak is not None:
    st.subheader("GERTAK 2018")
    st.markdown(texts.gertak_projection_sentence(view.gertak))
    web.show_svg(svg.progress(view.gertak_progres, view.gertak.target, view.gertak.mulai, view.gertak.selesai))

st.divider()
st.markdown(texts.CARA_REKAM)
