"""Projector mode: large, high-contrast slides that advance by themselves, for meetings.

Open with `?mode=proyektor`. Anyone may open it (a meeting laptop needs no account), so it reads
only the public page's published set (bulukumba.disclosure): the same hidden cells, the same
map. Every slide, with its controls, fits a 1024×768, 1366×768 or 1920×1080 screen without
scrolling (charts are SVGs sized to the screen's height); a slide with nothing to show is
skipped; a presenter's clicker and keyboard work (→/PageDown/Space, ←/PageUp, P, F).
"""
import html
import time

import streamlit as st

from bulukumba.presentation import charts, htmltables, svg, tables
from bulukumba import config, disclosure, web
from bulukumba.language import fmt, texts

web.public_page()
engine = web.engine()
regency = web.public_regency(choose=False)  # a store of several regencies: `?kab=` picks one
st.html(f"<style>{web.PROJECTOR_CSS}</style>")

KEY_FIGURES, MAP, PARTNERS, PROGRESS, PRIORITY = ("Angka kunci", "Peta belum rekam",
                                                  f"{texts.MITRA_EKTP} · GERTAK 2018", "Progres GERTAK 2018",
                                                  "Desa prioritas")
SLIDES = [KEY_FIGURES, MAP, PARTNERS, PROGRESS, PRIORITY]
MAP_NAMES = 5      # villages named on the map slide
PRIORITY_ROWS = 8
SECONDS = config.slide_seconds()
state = st.session_state
state.setdefault("slide", KEY_FIGURES)
state.setdefault("slide_jeda", False)
state.setdefault("slide_sejak", time.monotonic())


def available(view: disclosure.PublicView) -> list[str]:
    """The slides that have something to show on this data (the others are skipped)."""
    board = view.mitra_perekaman
    has = {
        KEY_FIGURES: True,
        MAP: web.map_layer_data(regency) is not None and (view.desa["kelas_peta"] == "nilai").any(),
        PARTNERS: not board.empty and float(board["jumlah"].fillna(0).sum()) > 0,
        PROGRESS: view.gertak is not None and view.gertak_progres is not None and len(view.gertak_progres) > 0,
        PRIORITY: not view.prioritas.empty,
    }
    return [s for s in SLIDES if has[s]]


def published(view: disclosure.PublicView) -> tuple:
    """What a drawing is kept under besides the data version: the regency, and whether the set
    is the one before (served while the newest is built), so that one is not kept as the newest."""
    return regency, not disclosure.is_current(view, engine)


def step(delta: int, shown: list[str]) -> None:
    here = shown.index(state["slide"]) if state["slide"] in shown else 0
    state["slide"] = shown[(here + delta) % len(shown)]
    state["slide_sejak"] = time.monotonic()


def toggle_pause() -> None:
    state["slide_jeda"] = not state["slide_jeda"]
    state["slide_sejak"] = time.monotonic()


def most_unrecorded(view: disclosure.PublicView) -> list[str]:
    """The villages with the most unrecorded residents among those whose figure is published
    (a hidden figure neither enters nor orders this list)."""
    shown = view.desa[view.desa["status"] == disclosure.SHOWN]
    return list(shown.sort_values(["belum_rekam", "kode"], ascending=[False, True])["kode"].head(MAP_NAMES))


@st.fragment(run_every=SECONDS)
def slides() -> None:
    view = disclosure.public_view(engine=engine, kabupaten=regency)
    shown = available(view)
    pressed = state.pop("slide_tombol", None)  # the key pressed since this fragment last ran
    if pressed == "maju":
        step(1, shown)
    elif pressed == "mundur":
        step(-1, shown)
    elif pressed == "jeda":
        toggle_pause()
    elif not state["slide_jeda"] and time.monotonic() - state["slide_sejak"] >= SECONDS - 0.5:
        step(1, shown)  # the timer's turn (a key or button press in between restarts the count)
    if state["slide"] not in shown:
        state["slide"] = shown[0]
    slide = state["slide"]
    top, meta = st.columns([5, 2], vertical_alignment="bottom")
    top.markdown(f"## {slide}")
    meta.markdown(f"<div class='proyektor-meta'>{web.freshness_line(regency)}<br>{texts.PROYEKTOR_SUMBER}"
                  + (f"<br><b class='contoh'>{texts.DEMO_LABEL}</b>" if web.is_demo() else "") + "</div>",
                  unsafe_allow_html=True)
    with st.container(key="proyektor-isi"):
        draw(slide, view)
    left, mid, right, counter = st.columns([1, 1, 1, 2], vertical_alignment="center")
    left.button("Sebelumnya", on_click=step, args=(-1, shown), icon=":material/skip_previous:", key="slide-mundur")
    paused = state["slide_jeda"]
    mid.button(texts.PROYEKTOR_PUTAR if paused else texts.PROYEKTOR_JEDA, on_click=toggle_pause, key="slide-jeda",
               icon=":material/play_arrow:" if paused else ":material/pause:")
    right.button("Berikutnya", on_click=step, args=(1, shown), icon=":material/skip_next:", key="slide-maju")
    counter.markdown(f"<div class='proyektor-meta'>{shown.index(slide) + 1} / {len(shown)}"
                     f"{' · dijeda' if paused else ''}<br><span class='tombol'>{texts.PROYEKTOR_TOMBOL}</span></div>",
                     unsafe_allow_html=True)


def draw(slide: str, view: disclosure.PublicView) -> None:
    if slide == KEY_FIGURES:
        total = view.kabupaten
        change = total.perubahan_30
        with st.container(key="proyektor-angka"):
            st.metric("Wajib KTP", fmt.number(total.wajib_ktp))
            st.metric("Sudah rekam", total.teks_sudah_rekam,
                      texts.change_phrase(change) if change is not None else None,
                      delta_color="normal" if change is not None and change.ada else "off",
                      delta_arrow="auto" if change is not None and change.ada else "off")
            st.metric("Belum rekam", total.teks_belum_rekam)
            st.metric("Cakupan", total.teks_cakupan, f"target nasional {fmt.percent(charts.NATIONAL_TARGET, 0)}",
                      delta_color="off", delta_arrow="off")
        if view.vonis is not None:  # counted on the published trend (see the public page)
            web.verdict_strip(view.vonis, size="besar")
    elif slide == MAP:
        layers = web.map_layer_data(regency)
        named = most_unrecorded(view)
        picture, names = st.columns([3, 2], vertical_alignment="center")
        with picture:
            web.show_svg(web.memo(("proyektor", "peta proyektor", *published(view)), lambda: svg.village_map(
                layers[0], layers[1], view.desa, "belum_rekam", max_height="64vh", highlight=named)))
        rows = view.desa.set_index("kode").loc[named]
        items = "".join(f"<li><b>{html.escape(row.nama)}</b> · Kec. {html.escape(row.kecamatan_nama)}: "
                        f"{html.escape(row.teks_belum_rekam)} belum rekam</li>" for row in rows.itertuples())
        names.markdown(f"**{texts.PROYEKTOR_PETA_JUDUL.format(n=len(named))}**\n\n"
                       f"<ol class='proyektor-daftar'>{items}</ol>", unsafe_allow_html=True)
    elif slide == PARTNERS:
        web.show_svg(web.memo(("proyektor", "mitra proyektor", *published(view)), lambda: svg.partner_bars(
            view.mitra_perekaman, texts.MITRA_EKTP, max_height="64vh")))
    elif slide == PROGRESS:
        status, strip = view.gertak, view.vonis
        st.markdown(strip.kalimat if strip is not None else texts.gertak_projection_sentence(status))
        web.show_svg(svg.progress(view.gertak_progres, status.target, status.mulai, status.selesai,
                                  svg.projection_of(status, strip),
                                  ink="#000", max_height="55vh"))
    else:
        table = tables.public_priority_table(view.prioritas.head(PRIORITY_ROWS))
        st.html(htmltables.responsive_table_html(table, ["Desa/kelurahan", "Belum rekam", "Skor"]))


# The presenter's keys sit outside the slides' fragment, so a key press runs the whole page.
# Streamlit drops a request to run a fragment it no longer holds (AppSession.request_rerun), never
# one to run the page. While the keys asked the fragment, about one CI run in three lost a → and
# the same key again 20 s later; that this was the cause is likely, not confirmed.
key = web.projector_key("proyektor-tombol")
if key:
    state["slide_tombol"] = key
slides()
