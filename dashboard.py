"""The frame: page config, navigation by role, sign-in state, shared filters, live refresh.

- A visitor sees the public page (Transparansi) and the sign-in page; nothing internal is in
  the navigation, so an internal URL falls back to the public page.
- `pimpinan` sees the department head's pages; `operator` also manages data.
- `?mode=proyektor` opens projector mode for meetings, without an account.
"""
from __future__ import annotations

import streamlit as st

from bulukumba import texts, web

projector = st.query_params.get("mode") == "proyektor"
st.set_page_config(page_title=texts.APP_TITLE, page_icon=web.ICON, layout="wide",  # local icon: no CDN
                   initial_sidebar_state="collapsed" if projector else "auto")
web.page_style(projector)  # readable captions, a focus ring, no hidden tab stops (issue 9)

ready = web.readiness()
web.remember_version()
user = web.current_user()

PUBLIC = st.Page("pages/publik.py", title="Transparansi", icon=":material/public:", url_path="publik",
                 default=user is None and not projector)
ACCOUNT = st.Page("pages/masuk.py", title="Masuk" if user is None else "Akun", icon=":material/login:"
                  if user is None else ":material/account_circle:", url_path="masuk")
INTERNAL = [
    st.Page("pages/ringkasan.py", title="Ringkasan", icon=":material/dashboard:", default=user is not None),
    st.Page("pages/peta.py", title="Peta", icon=":material/map:", url_path="peta"),
    st.Page("pages/mitra.py", title="Mitra", icon=":material/handshake:", url_path="mitra"),
    st.Page("pages/gertak.py", title="GERTAK 2018", icon=":material/flag:", url_path="gertak"),
    st.Page("pages/unduh.py", title="Unduh", icon=":material/download:", url_path="unduh"),
]
MANAGE = st.Page("pages/kelola.py", title="Kelola data", icon=":material/upload_file:", url_path="kelola")

if projector:
    page = st.navigation([st.Page("pages/proyektor.py", title="Mode proyektor", url_path="proyektor",
                                  default=True)], position="hidden")
elif user is None:
    page = st.navigation([PUBLIC, ACCOUNT])
else:
    internal = INTERNAL + ([MANAGE] if user.can_import else [])
    page = st.navigation({"Dasbor": internal, "Publik": [PUBLIC], "Akun": [ACCOUNT]})
    if st.session_state.pop("baru_masuk", False):
        st.switch_page(INTERNAL[0])  # just signed in: straight to the dashboard

if not projector:
    with st.sidebar:
        st.markdown(f"**{texts.APP_TITLE}**  \n{texts.OFFICE}")
    if user is not None and page.url_path not in (PUBLIC.url_path, ACCOUNT.url_path):
        web.sidebar_filters()
    with st.sidebar:
        st.markdown("[Mode proyektor untuk rapat](?mode=proyektor)")
        if not ready.peta_tersedia:
            st.info(f"Peta tidak tersedia: {ready.pesan_wilayah}", icon=":material/map:")
web.watch_for_new_data()
page.run()
