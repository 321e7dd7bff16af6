"""Projector mode: large, high-contrast slides that advance by themselves, for meetings.

Open with `?mode=proyektor`. Anyone may open it (a meeting laptop needs no account), so it reads
only the public page's published set (bulukumba.disclosure): the same hidden cells, the same
map.
"""
import time

import streamlit as st

from bulukumba import charts, config, disclosure, fmt, svg, tables, texts, web

web.public_page()
engine = web.engine()
st.html(f"<style>{web.PROJECTOR_CSS}</style>")

SLIDES = ["Angka kunci", "Peta belum rekam", f"{texts.MITRA_EKTP} · GERTAK 2018", "Progres GERTAK 2018",
          "Desa prioritas"]
SECONDS = config.slide_seconds()
state = st.session_state
state.setdefault("slide", 0)
state.setdefault("slide_jeda", False)
state.setdefault("slide_sejak", time.monotonic())


def step(delta: int) -> None:
    state["slide"] = (state["slide"] + delta) % len(SLIDES)
    state["slide_sejak"] = time.monotonic()


def toggle_pause() -> None:
    state["slide_jeda"] = not state["slide_jeda"]
    state["slide_sejak"] = time.monotonic()


@st.fragment(run_every=SECONDS)
def slides() -> None:
    if not state["slide_jeda"] and time.monotonic() - state["slide_sejak"] >= SECONDS - 0.5:
        step(1)  # the timer's turn (a button press in between restarts the count)
    view = disclosure.public_view(engine=engine)
    index = state["slide"]
    top, demo = st.columns([5, 2])
    top.markdown(f"## {SLIDES[index]}")
    demo.markdown(f"<div class='proyektor-meta'>{web.freshness_line()}"
                  + (f"<br><b class='contoh'>{texts.DEMO_LABEL}</b>" if web.is_demo() else "") + "</div>",
                  unsafe_allow_html=True)
    if index == 0:
        total = view.kabupaten
        a, b = st.columns(2)
        a.metric("Wajib KTP", fmt.angka(total.wajib_ktp))
        b.metric("Sudah rekam", total.teks_sudah_rekam, None if total.sudah_rekam_30_hari is None else
                 texts.change_phrase(total.perubahan_30))
        c, d = st.columns(2)
        c.metric("Belum rekam", total.teks_belum_rekam)
        d.metric("Cakupan", total.teks_cakupan, f"target nasional {fmt.persen(charts.NATIONAL_TARGET, 0)}",
                 delta_color="off", delta_arrow="off")
    elif index == 1:
        layers = web.map_layer_data()
        if layers is None:
            st.markdown("Peta tidak tersedia di komputer ini.")
        else:
            web.show_svg(svg.village_map(layers[0], layers[1], view.desa, "belum_rekam", max_height="68vh"))
    elif index == 2:
        st.plotly_chart(charts.for_projector(charts.leaderboard(view.mitra_perekaman, "perekaman"), height=720),
                        key="proyektor-mitra", config={"displayModeBar": False})
    elif index == 3:
        status = view.gertak
        if status is None:
            st.markdown("Belum ada target GERTAK 2018.")
        else:
            st.markdown(texts.gertak_projection_sentence(status))
            projection = (status.proyeksi_selesai, status.target) if status.proyeksi_selesai and status.sisa else None
            figure = charts.programme_progress(view.gertak_progres, status.target, status.mulai, status.selesai,
                                               projection)
            st.plotly_chart(charts.for_projector(figure, height=620), key="proyektor-gertak",
                            config={"displayModeBar": False})
    else:
        table = tables.public_priority_table(view.prioritas.head(8))
        st.html(web.big_table_html(table))
    left, mid, right, counter = st.columns([1, 1, 1, 2])
    left.button("Sebelumnya", on_click=step, args=(-1,), icon=":material/skip_previous:", key="slide-mundur")
    mid.button("Lanjut" if state["slide_jeda"] else "Jeda", on_click=toggle_pause, key="slide-jeda",
               icon=":material/play_arrow:" if state["slide_jeda"] else ":material/pause:")
    right.button("Berikutnya", on_click=step, args=(1,), icon=":material/skip_next:", key="slide-maju")
    counter.markdown(f"<div class='proyektor-meta'>{index + 1} / {len(SLIDES)}"
                     f"{' · dijeda' if state['slide_jeda'] else ''}</div>", unsafe_allow_html=True)


slides()
