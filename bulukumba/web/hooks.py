"""The app's hooks (st.App): what runs once when the server starts, and what an unexpected error
shows the browser."""
from __future__ import annotations

import streamlit as st


def serve_frame_only() -> None:
    """Run once when the server starts, before any browser connects (the app's start hook).

    Streamlit treats a folder named `pages/` beside the main script as old-style pages until the
    first `st.navigation` call, so the first request after a start would run a page without the
    frame (and flash a list of raw script names). This sets, once, what that first
    `st.navigation` call would set: dashboard.py's navigation is the only page list.
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def report_error(error: Exception) -> bool:
    """Show an unexpected error in Indonesian, with a reference to find it in the log; no
    traceback or internals reach the browser (the app's `on_script_error`)."""
    import logging
    import uuid

    reference = uuid.uuid4().hex[:8]
    logging.getLogger("bulukumba").error("kesalahan tak terduga [%s]", reference, exc_info=error)
    st.error(f"Maaf, halaman ini gagal disiapkan. Muat ulang halaman; bila masih gagal, sampaikan "
             f"kode **{reference}** kepada pengelola dasbor.", icon=":material/error:")
    return True
