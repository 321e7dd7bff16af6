"""Transparansi: what anyone may see. It reads only the published set (bulukumba.disclosure),
where small counts and the cells that would give them back are hidden.

Built for a phone on a slow connection: its charts are small SVGs (svg.py) and its tables plain
HTML, so the page loads none of the heavy chart and table bundles the internal pages use. The
first screen of a phone holds the title, the four figures and the GERTAK verdict; right below
come "find my village" and how to get recorded, then the charts, the map and the tables.
"""
import streamlit as st

from bulukumba.presentation import charts, citizen, contact, export, htmltables, svg, tables
from bulukumba import figures, disclosure, web
from bulukumba.language import search
from bulukumba.public import opendata
from bulukumba.language import fmt, texts

web.public_page()
web.public_style()
engine = web.engine()
regency = web.public_regency()  # None: the store holds one regency; else the one chosen
view = disclosure.public_view(engine=engine, kabupaten=regency)
region = figures.region_label(None, regency, engine)
demo = web.is_demo()
try:
    office = contact.load()
except contact.ContactError as problem:  # the page keeps serving; staff see why the address is missing
    office = contact.Office(nama=texts.OFFICE)
    if web.current_user() is not None:
        st.warning(f"Data kantor tidak terbaca: {problem}", icon=":material/error:")
if web.current_user() is not None and (notice := contact.staff_notice(office)):  # staff: what to fill in
    st.info(notice, icon=":material/contact_phone:")

# --- The first screen: title, the four figures, the verdict ----------------------------------
st.title(texts.public_title(region), anchor=False)
st.caption(web.freshness_line(regency) + (f" · **{texts.DEMO_LABEL}**" if demo else ""))
earlier = not disclosure.is_current(view, engine)  # the newest is being built: the set before
web.awaiting_publication(earlier)
if earlier:
    st.caption(texts.PUBLIK_DISIAPKAN)
# Drawings are kept per data version: one drawn from the set before, while the newest is being
# built, is kept apart so it is not served once the newest is there.
published = (regency, earlier)
total = view.kabupaten
change = total.perubahan_30
with st.container(key="angka-kunci"):
    st.metric("Wajib KTP", fmt.number(total.wajib_ktp))
    st.metric("Sudah rekam", total.teks_sudah_rekam, texts.change_phrase(change) if change is not None else None,
              delta_color="normal" if change is not None and change.ada else "off",
              delta_arrow="auto" if change is not None and change.ada else "off")
    st.metric("Belum rekam", total.teks_belum_rekam)
    st.metric("Cakupan", total.teks_cakupan, f"target nasional {fmt.percent(charts.NATIONAL_TARGET, 0)}",
              delta_color="off", delta_arrow="off")
# The strip is counted on the published trend, and shown only while the regency's own figures are.
gertak = view.vonis
if gertak is not None:
    web.verdict_strip(gertak)
if demo:
    st.html(f"<p class='catatan-contoh'><b>{texts.DEMO_LABEL}</b> {texts.DEMO_NOTE}</p>")
st.caption(" ".join(filter(None, [texts.public_change_note(change), texts.PRIVASI_SINGKAT, texts.SOURCE_DATA])))

# --- Find my village -------------------------------------------------------------------------
st.header("Cari desa/kelurahan Anda", anchor=False)
query = st.text_input(texts.CARI_LABEL, placeholder=texts.CARI_CONTOH, key="cari-desa")
chosen = None
if query.strip():
    matches = search.find(view.desa, query)
    if not matches:
        st.info(texts.CARI_TIDAK_ADA.format(query=query.strip(), wilayah=region), icon=":material/search_off:")
    elif len(matches) == 1:
        chosen = matches[0].kode
    else:
        names = {m.kode: f"{m.nama} · Kec. {m.kecamatan_nama}" for m in matches}
        chosen = st.pills(texts.CARI_PILIH, list(names), default=matches[0].kode, format_func=names.get,
                          key=f"cari-pilih-{search.normalise(query)}")
    if chosen:
        st.query_params["desa"] = chosen  # a found village goes into the address, to be shared
elif st.query_params.get("desa") in set(view.desa["kode"]):
    chosen = st.query_params["desa"]  # a link to a village's card (the map's, or a shared one)
if chosen:
    st.html(citizen.village_card_html(view.desa, chosen, office, view.tanggal, demo))

# --- How to get recorded ---------------------------------------------------------------------
st.header("Cara merekam e-KTP", anchor=False)
st.html(citizen.how_to_html(office))

# --- Kecamatan and villages ------------------------------------------------------------------
st.header("Cakupan per kecamatan", anchor=False)
web.show_svg(web.memo(("publik", "batang", *published), lambda: svg.coverage_bars(view.kecamatan)))
if len(view.kecamatan) > charts.MAX_BARS:
    st.caption(texts.BATANG_TERENDAH.format(n=charts.MAX_BARS, semua=fmt.number(len(view.kecamatan))))

st.header("Peta desa dan kelurahan", anchor=False)
quantity = st.radio("Warna peta", ["belum_rekam", "cakupan"], horizontal=True, key="publik-ukuran",
                    format_func=lambda q: {"belum_rekam": "Belum rekam", "cakupan": "Cakupan (%)"}[q])
layers = web.map_layer_data(regency)
if layers is None:
    st.info("Peta sedang tidak tersedia; angka per desa ada di tabel di bawah.")
else:
    tapped = web.village_clicks("publik-klik-desa")
    # Every village on the map is a link: one Tab past them all.
    st.html(f"<a class='lewati' href='#setelah-peta'>{texts.LEWATI_PETA.format(n=fmt.number(len(view.desa)))}</a>")
    web.show_svg(web.memo(("publik", "peta", quantity, *published), lambda: svg.village_map(layers[0], layers[1], view.desa,
                                                                             quantity, links=True)))
    st.html("<span id='setelah-peta' tabindex='-1'></span>")
    st.caption(f"{texts.PETA_PETUNJUK} {texts.SOURCE_WILAYAH_PUBLIK}")
    if tapped in set(view.desa["kode"]):
        st.query_params["desa"] = tapped

        @st.dialog("Desa/kelurahan Anda", width="medium")
        def village_card(kode: str) -> None:
            st.html(citizen.village_card_html(view.desa, kode, office, view.tanggal, demo))

        village_card(tapped)
village_table = web.memo(("publik", "tabel desa", *published), lambda: tables.public_village_table(view.desa))
with st.expander("Tabel per desa/kelurahan"):
    st.html(web.memo(("publik", "tabel desa html", *published), lambda: htmltables.responsive_table_html(
        tables.first_rows(village_table, web.TABLE_ROWS), ["Desa/kelurahan", "Belum rekam", "Cakupan"])))
    if len(village_table) > web.TABLE_ROWS:
        st.caption(texts.BARIS_PERTAMA.format(n=web.TABLE_ROWS, semua=fmt.number(len(village_table)))
                   + " " + texts.TABEL_LENGKAP_DIUNDUH)
    # The CSV is the open data file (numbers as numbers; date, source and licence in every row);
    # the XLSX is the table as shown, with its notes sheet.
    web.downloads(village_table, "publik-cakupan-desa", key="publik-unduh-desa", day=view.tanggal,
                  notes=lambda t: export.Notes(f"Cakupan perekaman e-KTP per desa/kelurahan, {region}",
                                               f"{texts.SOURCE_DATA} {texts.PRIVASI_SINGKAT} Lisensi CC BY 4.0; "
                                               "data terbuka lengkap di /data/.", view.tanggal, (("Wilayah", region),),
                                               texts.definitions(t.columns)),
                  csv=lambda: opendata.resource_csv(view, "desa", view.tanggal, demo))
    st.caption(texts.UNDUH_PUBLIK)

# --- Partners and GERTAK 2018 ----------------------------------------------------------------
st.header(f"{texts.MITRA_SEMUA} selama GERTAK 2018", anchor=False)
if not tables.has_partner_figures(view.mitra):
    # No partner activity published: a list of partners with 0 each would read "they did nothing".
    st.markdown(texts.BELUM_TERBIT["kegiatan"] + " " + texts.MITRA_BELUM_TERBIT)
else:
    board, left_out = tables.without_zero_columns(tables.public_leaderboard_table(view.mitra),
                                                  ["Warga rentan dilayani"])
    web.html_table(board, ["Mitra", "Jumlah layanan", "Warga rentan dilayani"])
    vulnerable, empty = tables.without_zero_columns(tables.public_vulnerable_table(view.rentan),
                                                    ["Penyandang disabilitas", "Lanjut usia"])
    if len(vulnerable.columns) > 1:
        st.markdown("**Warga rentan yang dilayani mitra, per kecamatan**")
        web.html_table(tables.first_rows(vulnerable, web.TABLE_ROWS, totals_last=True))
        if len(vulnerable) > web.TABLE_ROWS + 1:
            st.caption(texts.BARIS_PERTAMA.format(n=web.TABLE_ROWS, semua=fmt.number(len(vulnerable) - 1)))
        for column in left_out + empty:
            st.caption(texts.KOLOM_NOL.format(kolom=f'"{column}"'))
    else:  # no heading over notes that all say 0
        st.caption(texts.RENTAN_NOL)

if view.gertak is not None:
    st.header("GERTAK 2018", anchor=False)
    st.markdown(gertak.kalimat if gertak is not None else texts.gertak_projection_sentence(view.gertak))
    # Drawn like the projector's: with the projection the sentence above speaks of.
    web.show_svg(web.memo(("publik", "progres", *published), lambda: svg.progress(
        view.gertak_progres, view.gertak.target, view.gertak.mulai, view.gertak.selesai,
        svg.projection_of(view.gertak, gertak))))
