"""Peta: where the unrecorded residents are, and where the outreach team goes next."""
import streamlit as st

from bulukumba import charts, data, fmt, tables, texts, web

f = web.filters()
engine = web.engine()
web.header("Peta desa dan daftar prioritas")

# A store of several regencies with none chosen: no village map of the whole country (tens of
# thousands of polygons); the list below still ranks every village.
national = f.kabupaten is None and f.kecamatan is None and len(data.regencies(engine)) > 1
villages = None if national else data.coverage_villages(f.per, f.kecamatan, engine, kabupaten=f.kabupaten)
quantity = st.radio("Warna peta", ["belum_rekam", "cakupan"], horizontal=True, key="peta-ukuran",
                    format_func=lambda q: {"belum_rekam": "Jumlah belum rekam",
                                           "cakupan": "Cakupan (%)"}[q])

map_col, list_col = st.columns([3, 2])
with map_col:
    layers = None if villages is None else web.map_layers(f.kecamatan, f.kabupaten)
    chosen = None
    if villages is None:
        st.info("Basis data ini memuat beberapa kabupaten/kota: pilih satu di panel samping untuk "
                "melihat peta desanya.", icon=":material/map:")
    elif layers is None:
        st.warning(f"Peta tidak dapat ditampilkan. {web.map_unavailable_reason() or ''}",
                   icon=":material/map:")
    else:
        centre, zoom = charts.map_view(layers.lons, layers.lats)
        figure = charts.village_map(villages, layers.villages, quantity, outlines=layers.outlines,
                                    centre=centre, zoom=zoom,
                                    selected=st.session_state.get("peta-desa"))
        event = st.plotly_chart(figure, key="peta", on_select="rerun", selection_mode="points",
                                config={"displayModeBar": False, "scrollZoom": True})
        points = (event or {}).get("selection", {}).get("points", []) if event else []
        if points:
            chosen = points[0].get("location")
        web.source_credit()

with list_col:
    st.subheader("Prioritas jemput bola")
    st.caption(texts.SKOR_PRIORITAS)
    priority = data.priority_villages(f.per, f.kecamatan, engine, kabupaten=f.kabupaten)
    table = tables.priority_table(priority)
    # On screen the columns that decide; the download has every column (code, distance too).
    web.show_table(table, key="tabel-prioritas", height=420, column_order=[
        "Peringkat", "Desa/kelurahan", "Kecamatan", "Belum rekam", "Cakupan (%)", "Skor"])
    web.downloads(table, "prioritas-desa", key="unduh-prioritas")

st.divider()
if villages is None:
    st.stop()
names = dict(zip(villages["kode"], villages["nama"] + " (" + villages["kecamatan_nama"] + ")"))
if chosen in names and chosen != st.session_state.get("peta-klik"):  # a new click on the map
    st.session_state["peta-desa"] = chosen
st.session_state["peta-klik"] = chosen
options = [None, *sorted(names, key=names.get)]
village = st.selectbox("Rincian desa/kelurahan", options, key="peta-desa",
                       format_func=lambda k: "Pilih desa/kelurahan, atau klik di peta" if k is None else names[k])
if village:
    row = villages.set_index("kode").loc[village]
    st.subheader(f"{row['nama']} · Kecamatan {row['kecamatan_nama']}")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Wajib KTP", fmt.angka(row["wajib_ktp"]))
    c2.metric("Sudah rekam", fmt.angka(row["sudah_rekam"]))
    c3.metric("Belum rekam", fmt.angka(row["belum_rekam"]))
    c4.metric("Cakupan", fmt.persen(row["cakupan"]))
    history, services = st.columns([3, 2])
    with history:
        st.markdown("**Riwayat**")
        st.plotly_chart(charts.recorded_trend(data.village_history(village, f.per, engine)),
                        key="peta-riwayat", config={"displayModeBar": False})
    with services:
        st.markdown("**Mitra dan layanan di desa ini**")
        delivered = data.village_services(village, end=f.per, engine=engine)
        if delivered.empty:
            st.info("Belum ada kegiatan mitra tercatat di desa ini.")
        else:
            web.show_table(tables.village_services_table(delivered), key="peta-layanan")
