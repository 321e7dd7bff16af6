"""Peta: where the unrecorded residents are, and where the outreach team goes next.

The map is fitted to the column it is drawn in: the browser reports the column's width and the
room below its top on the first screen (web.container_size); mapview.map_height makes the map as
tall as its shape asks within that room, and mapview.fit computes the zoom that shows the whole
regency (or the chosen kecamatan) in it. Its title, legend and colour switch stand beside it, so
the whole map is on the first screen (issue 24). A clicked village is outlined and its detail
appears beside the map.
"""
import pandas as pd
import streamlit as st

from bulukumba.presentation import cards, mapview, tables
from bulukumba import figures, web
from bulukumba.language import fmt, texts

f = web.filters()
engine = web.engine()
demo = web.is_demo()
web.header("Peta desa dan daftar prioritas")

#: The map column's width on a 1366 px screen with the sidebar open: used until the browser
#: has reported the real width (the first run of its first session), and in AppTest.
DEFAULT_WIDTH = 508

# A store of several regencies with none chosen: no village map of the whole country (tens of
# thousands of polygons); the priority list below still ranks every village.
national = f.whole_of_many_regencies
villages = (pd.DataFrame(columns=["kode", "nama", "kecamatan_nama", "tanggal"]) if national else
            figures.coverage_villages(f.per, f.kecamatan, engine, kabupaten=f.kabupaten))
names = dict(zip(villages["kode"], villages["nama"] + " (" + villages["kecamatan_nama"] + ")"))

# A click on the map reruns the page with the chart's selection already in the session: read it
# before drawing, so the map that comes back outlines the village just clicked.
clicked = ((st.session_state.get("peta") or {}).get("selection") or {}).get("points") or []
chosen = clicked[0].get("location") if clicked else None
if chosen in names and chosen != st.session_state.get("peta-klik"):  # a new click on the map
    st.session_state["peta-desa"] = chosen
st.session_state["peta-klik"] = chosen
if st.session_state.get("peta-desa") not in (None, *names):  # e.g. another kecamatan now
    st.session_state["peta-desa"] = None

layers = None if national else web.map_layers(f.kecamatan, f.kabupaten)
if national or layers is None:
    map_col, side_col = st.columns([3, 2], gap="medium")
    with map_col:
        if national:
            st.info("Basis data ini memuat beberapa kabupaten/kota: pilih satu di panel samping untuk "
                    "melihat peta desanya.", icon=":material/map:")
        else:
            st.warning(f"Peta tidak dapat ditampilkan. {web.map_unavailable_reason() or ''}",
                       icon=":material/map:")
else:
    # One card: the map on the left at the first screen's height, its title, legend and colour
    # switch beside it, then the chosen village's detail (on a phone: below the map).
    with web.card_frame("peta"):
        map_col, side_col = st.columns([3, 2], gap="medium")
        with side_col:
            about = st.container()  # the card's title and legend, once the map is built
            quantity = st.radio("Warna peta", ["belum_rekam", "cakupan"], horizontal=True, key="peta-ukuran",
                                format_func=lambda q: {"belum_rekam": "Warna: jumlah belum rekam",
                                                       "cakupan": "Warna: cakupan (%)"}[q],
                                label_visibility="collapsed")
        with map_col:
            # Measured in the map's column: its width, and the room below its top on the first screen.
            measured, room = web.container_size("peta-ruang")
            width = measured or DEFAULT_WIDTH
            height = mapview.map_height(width, layers.lons, layers.lats, room)
        selected = st.session_state.get("peta-desa")

        def build_map():
            view = mapview.fit(layers.lons, layers.lats, width, height)
            points = web.map_label_points(f.kecamatan)
            labels = mapview.place_labels(points, view) if points is not None else []
            return cards.village_map(villages, layers, quantity, view, labels, f.wilayah, f.per, demo,
                                     selected=selected)

        card = web.memo(("peta", f, quantity, width, height, selected), build_map)
        web.card_beside(card, key="peta", chart=map_col, text=about, on_select="rerun",
                        selection_mode="points", width="content",
                        config={"displayModeBar": False, "scrollZoom": False})


def priority_list() -> None:
    st.header("Prioritas jemput bola", anchor=False)
    st.caption(texts.SKOR_PRIORITAS)
    priority = figures.priority_villages(f.per, f.kecamatan, engine, kabupaten=f.kabupaten)
    table = tables.priority_table(priority)
    # On screen the columns that decide; the download has every column (code too).
    web.show_table(table, key="tabel-prioritas", height=420, bar="Cakupan (%)", bar_range=(0, 100),
                   column_order=["Peringkat", "Desa/kelurahan", "Kecamatan", "Belum rekam", "Cakupan (%)",
                                 "Jarak dari kantor (km)", "Skor"])
    web.downloads(table, "prioritas-desa", key="unduh-prioritas", area=f.kecamatan_nama)


with side_col:
    options = [None, *sorted(names, key=names.get)]
    village = st.selectbox("Rincian desa/kelurahan", options, key="peta-desa",
                           format_func=lambda k: "Pilih desa/kelurahan, atau klik di peta" if k is None else names[k])
    if village is None:
        top = figures.priority_villages(f.per, f.kecamatan, engine, kabupaten=f.kabupaten).head(5)
        st.markdown("**Lima prioritas teratas** (daftar lengkap di bawah peta)")
        st.markdown("\n".join(
            f"{r.peringkat}. {r.nama} ({r.kecamatan_nama}): {fmt.number(r.belum_rekam)} belum rekam, "
            f"cakupan {fmt.percent(r.cakupan)}, skor {fmt.number(r.skor, 1)}" for r in top.itertuples()))
        st.caption("Klik sebuah desa di peta untuk angka, riwayat dan kegiatan mitranya di sini.")
    else:
        row = villages.set_index("kode").loc[village]
        st.header(f"{row['nama']} · Kecamatan {row['kecamatan_nama']}", anchor=False)
        if pd.isna(row["tanggal"]):
            st.info(f"Belum ada data registri untuk desa/kelurahan ini. {texts.CARA_TAMBAH['registri']}")
        else:
            c1, c2 = st.columns(2)
            c1.metric("Wajib KTP", fmt.number(row["wajib_ktp"]))
            c2.metric("Sudah rekam", fmt.number(row["sudah_rekam"]))
            c3, c4 = st.columns(2)
            c3.metric("Belum rekam", fmt.number(row["belum_rekam"]))
            c4.metric("Cakupan", fmt.percent(row["cakupan"]))
            st.caption(f"Data per {fmt.date(row['tanggal'].date())}")
        web.card(web.memo(("riwayat", village, f.per), lambda: cards.recorded_trend(
            figures.village_history(village, f.per, engine), row["nama"], demo)), key="peta-riwayat")
        st.markdown("**Mitra dan layanan di desa ini** (semua layanan, sampai tanggal yang dipilih)")
        delivered = figures.village_services(village, end=f.per, engine=engine)
        if delivered.empty:
            st.info("Belum ada kegiatan mitra tercatat di desa ini. " + texts.CARA_TAMBAH["kegiatan"])
        else:
            web.show_table(tables.village_services_table(delivered), key="peta-layanan")

priority_list()
