"""The frame: page config, navigation, shared filters. Pages live in pages/."""
from __future__ import annotations

import streamlit as st

from bulukumba import texts, web

st.set_page_config(page_title=texts.APP_TITLE, page_icon=web.ICON, layout="wide")  # a local icon: no CDN

PAGES = [
    st.Page("pages/ringkasan.py", title="Ringkasan", icon=":material/dashboard:", default=True),
    st.Page("pages/peta.py", title="Peta", icon=":material/map:", url_path="peta"),
    st.Page("pages/mitra.py", title="Mitra", icon=":material/handshake:", url_path="mitra"),
    st.Page("pages/gertak.py", title="GERTAK 2018", icon=":material/flag:", url_path="gertak"),
    st.Page("pages/unduh.py", title="Unduh", icon=":material/download:", url_path="unduh"),
]

ready = web.readiness()
page = st.navigation(PAGES)
with st.sidebar:
    st.markdown(f"**{texts.APP_TITLE}**  \n{texts.OFFICE}")
web.sidebar_filters()
if not ready.peta_tersedia:
    st.sidebar.info(f"Peta tidak tersedia: {ready.pesan_wilayah}", icon=":material/map:")
page.run()
