"""Peta: where the unrecorded residents are, and where the outreach team goes next.

The map is fitted to the column it is drawn in: the browser reports the column's width
(web.container_size), and mapview.fit computes the zoom that shows the whole regency (or the
chosen kecamatan) in it. A clicked village is outlined and its detail appears beside the map.
"""
import pandas as pd
import streamlit as st

from bulukumba import cards, data, fmt, mapview, tables, texts, web

f = web.filters()
engine = web.engine()
demo = web.is_demo()
web.header("Peta desa dan daftar prioritas")

#: The map card's inner width on a 1366 px screen with the sidebar open: used until the browser
#: has reported the real width (the first run of a session), and in AppTest.
DEFAULT_WIDTH = 495

villages = data.coverage_villages(f.per, f.kecamatan, engine)
quantity = st.radio("Warna peta", ["belum_rekam", "cakupan"], horizontal=True, key="peta-ukuran",
                    format_func=lambda q: {"belum_rekam": "Jumlah belum rekam",
                                           "cakupan": "Cakupan (%)"}[q])
names = dict(zip(villages["kode"], villages["nama"] + " (" + villages["kecamatan_nama"] + ")"))

map_col, side_col = st.columns([3, 2], gap="medium")
with map_col:
    layers = web.map_layers(f.kecamatan)
    chosen = None
    if layers is None:
        st.warning(f"Peta tidak dapat ditampilkan. {web.map_unavailable_reason() or ''}",
                   icon=":material/map:")
    else:
        with web.card_frame("peta"):
            # Measured inside the card: the map takes exactly the width the card leaves it.
            measured, window = web.container_size("peta-lebar")
            width = measured or DEFAULT_WIDTH
            height = mapview.map_height(width, layers.lons, layers.lats, window)
            view = mapview.fit(layers.lons, layers.lats, width, height)
            points = web.map_label_points(f.kecamatan)
            labels = mapview.place_labels(points, view) if points is not None else []
            card = cards.village_map(villages, layers, quantity, view, labels, f.wilayah, f.per, demo,
                                     selected=st.session_state.get("peta-desa"))
            event = web.card_body(card, key="peta", on_select="rerun", selection_mode="points",
                                  width="content", config={"displayModeBar": False, "scrollZoom": False})
        points_clicked = (event or {}).get("selection", {}).get("points", []) if event else []
        if points_clicked:
            chosen = points_clicked[0].get("location")

if chosen in names and chosen != st.session_state.get("peta-klik"):  # a new click on the map
    st.session_state["peta-desa"] = chosen
st.session_state["peta-klik"] = chosen
if st.session_state.get("peta-desa") not in (None, *names):  # e.g. another kecamatan now
    st.session_state["peta-desa"] = None


def priority_list(height: int) -> None:
    st.subheader("Prioritas jemput bola")
    st.caption(texts.SKOR_PRIORITAS)
    priority = data.priority_villages(f.per, f.kecamatan, engine)
    table = tables.priority_table(priority)
    # On screen the columns that decide; the download has every column (code, distance too).
    web.show_table(table, key="tabel-prioritas", height=height, bar="Cakupan (%)", bar_range=(0, 100),
                   column_order=["Peringkat", "Desa/kelurahan", "Kecamatan", "Belum rekam", "Cakupan (%)", "Skor"])
    web.downloads(table, "prioritas-desa", key="unduh-prioritas")


with side_col:
    options = [None, *sorted(names, key=names.get)]
    village = st.selectbox("Rincian desa/kelurahan", options, key="peta-desa",
                           format_func=lambda k: "Pilih desa/kelurahan, atau klik di peta" if k is None else names[k])
    if village is None:
        priority_list(420)
    else:
        row = villages.set_index("kode").loc[village]
        st.subheader(f"{row['nama']} · Kecamatan {row['kecamatan_nama']}")
        if pd.isna(row["tanggal"]):
            st.info(f"Belum ada data registri untuk desa/kelurahan ini. {texts.CARA_TAMBAH['registri']}")
        else:
            c1, c2 = st.columns(2)
            c1.metric("Wajib KTP", fmt.angka(row["wajib_ktp"]))
            c2.metric("Sudah rekam", fmt.angka(row["sudah_rekam"]))
            c3, c4 = st.columns(2)
            c3.metric("Belum rekam", fmt.angka(row["belum_rekam"]))
            c4.metric("Cakupan", fmt.persen(row["cakupan"]))
            st.caption(f"Data per {fmt.tanggal(row['tanggal'].date())}")
        history = data.village_history(village, f.per, engine)
        web.card(cards.recorded_trend(history, row["nama"], demo), key="peta-riwayat")
        st.markdown("**Mitra dan layanan di desa ini** (semua layanan, sampai tanggal yang dipilih)")
        delivered = data.village_services(village, end=f.per, engine=engine)
        if delivered.empty:
            st.info("Belum ada kegiatan mitra tercatat di desa ini. " + texts.CARA_TAMBAH["kegiatan"])
        else:
            web.show_table(tables.village_services_table(delivered), key="peta-layanan")

if village is not None:
    st.divider()
    priority_list(360)
