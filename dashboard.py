"""The frame: page config, navigation by role, sign-in state, shared filters, live refresh.

- Who is signed in is decided on every run from the browser's session cookie (set by the
  sign-in route, bulukumba/server), never from the session state alone.
- A visitor sees Transparansi and Masuk. An internal address, filters and all, sends him to
  Masuk, which says where he will land, and after signing in he lands exactly there; a
  signed-in colleague opening the same link lands there directly.
- `pimpinan` sees the department head's pages; `operator` also manages data; `mitra` (a partner
  account) sees only its own page (Laporan mitra) and the public one, whatever address it asks.
- `?mode=proyektor` opens projector mode for meetings, without an account.

`streamlit run dashboard.py` imports this file once and finds `app` at the bottom: Streamlit's
st.App with the sign-in and health routes and compressed static files. Streamlit then runs the
file as the script of every page on every rerun, where `__name__` is "__main__".
"""
from __future__ import annotations

import streamlit as st

from bulukumba.presentation import navigation as nav
from bulukumba.language import texts
from bulukumba import web


def _page(page: nav.Page, *, default: bool = False, title: str | None = None) -> st.Page:
    return st.Page(page.file, title=title or page.title, icon=page.icon,
                   url_path="" if default else page.path, default=default)


def _elsewhere() -> None:
    """An address this audience does not open as such; the frame sends the browser on."""


def _placeholder(page: nav.Page) -> st.Page:
    # Registered (hidden) so that Streamlit never answers a known address with its English
    # "Page not found" dialog; the frame decides where the browser goes instead.
    return st.Page(_elsewhere, title=page.title, url_path=page.path, visibility="hidden")


def frame() -> None:
    projector = st.query_params.get("mode") == "proyektor"
    st.set_page_config(page_title=texts.APP_TITLE, page_icon=web.ICON, layout="wide",  # local icon: no CDN
                       initial_sidebar_state="collapsed" if projector else "auto",
                       menu_items={"About": f"**{texts.APP_TITLE}**  \n{texts.OFFICE}"})
    web.page_style(projector)  # readable captions, a focus ring, no hidden tab stops
    ready = web.readiness()
    web.remember_version()
    signed = web.frame_sign_in()
    user = signed.user
    role = user.peran if user else None

    # Each audience's pages; "/" is its home. Every other known address is a placeholder.
    if projector:
        home_of = nav.PROYEKTOR
    elif user is None:
        home_of = nav.TRANSPARANSI
    elif role == nav.PARTNER:
        home_of = nav.LAPORAN
    else:
        home_of = nav.RINGKASAN
    home = _page(home_of, default=True)
    if projector:
        real = {}
    elif user is None:
        real = {nav.MASUK.path: _page(nav.MASUK)}
    else:
        own = nav.PARTNER_PAGES if role == nav.PARTNER else nav.INTERNAL
        real = {p.path: _page(p) for p in own if p is not home_of and p.open_to(role)}
        real[nav.TRANSPARANSI.path] = _page(nav.TRANSPARANSI)
        real[nav.MASUK.path] = _page(nav.MASUK, title="Akun")
    placeholders = {p.path: _placeholder(p) for p in nav.PAGES if p.path not in real}
    hidden = list(placeholders.values())
    if projector:
        page = st.navigation([home, *hidden], position="hidden")
    elif user is None:
        page = st.navigation([home, real[nav.MASUK.path], *hidden])
    else:
        own = nav.PARTNER_PAGES if role == nav.PARTNER else nav.INTERNAL
        internal = [home] + [real[p.path] for p in own if p.path in real]
        page = st.navigation({"Dasbor": internal, "Publik": [real[nav.TRANSPARANSI.path]],
                              "Akun": [real[nav.MASUK.path], *hidden]})

    params = st.query_params.to_dict()
    wanted = next((nav.BY_PATH[path] for path, p in placeholders.items() if p is page), None)
    if wanted is None and page is home and user is None and not projector \
            and any(key in params for key in nav.FILTER_KEYS):
        wanted = nav.RINGKASAN  # "/?kec=…" is a copied Ringkasan link (the public page takes no filters)
    if wanted is not None:
        _send_on(wanted, home, real, params, signed, projector)
    if user is not None and "ke" in params:  # just signed in, or signed in already: go there
        _open_target(nav.safe_target(params["ke"]) or nav.HOME, home, real, role)

    notice = _notice(signed)
    if not projector:
        # The filters right under the navigation, the app's name below them: at 1366x768 every
        # filter is on the first screen of the sidebar (the name above them pushed "Layanan
        # mitra" below it).
        if user is not None and role != nav.PARTNER and page is not real.get(nav.TRANSPARANSI.path) \
                and page is not real.get(nav.MASUK.path):
            web.sidebar_filters(layanan=page.url_path in web.SERVICE_PAGES)
        with st.sidebar:
            st.markdown(f"**{texts.APP_TITLE}**  \n{texts.OFFICE}")
            st.markdown("[Mode proyektor untuk rapat](?mode=proyektor)")
            if not ready.peta_tersedia:
                st.info(f"Peta tidak tersedia: {ready.pesan_wilayah}", icon=":material/map:")
        if notice:
            st.info(notice, icon=":material/lock:")
    if user is not None or projector or page is not home:
        web.watch_for_new_data()
    # The public page runs no refresh tick: its shell asks /versi from the browser and reloads
    # on new data (bulukumba/public/shell.py), so an open public tab costs no page runs. Only
    # while it shows the set published before (the newest is still being built, and /versi has
    # nothing more to say) does it look again every few seconds, until the newest is there.
    page.run()
    if user is None and not projector and page is home and web.awaiting():
        web.watch_for_new_data()


def _send_on(wanted: nav.Page, home, real: dict, params: dict, signed, projector: bool):
    """The browser asked for a page this audience does not open at that address."""
    if projector:
        st.switch_page(home, query_params={"mode": "proyektor"})
    if wanted is nav.PROYEKTOR:
        st.switch_page(home, query_params={"mode": "proyektor"})
    if wanted.path in real or (wanted.open_to(signed.user.peran if signed.user else None)):
        st.switch_page(real.get(wanted.path, home), query_params=params)  # its address is "/" here
    if signed.user is not None:
        st.session_state["_pesan"] = wanted.refusal(signed.user.peran)
        st.switch_page(home)
    ended = signed.ended or params.get("sesi")
    if ended:  # a session this browser had has ended: the public page, and why
        st.switch_page(home, query_params={"sesi": ended})
    path = "" if wanted is nav.RINGKASAN else wanted.path  # Ringkasan is a signed-in user's "/"
    st.switch_page(real[nav.MASUK.path], query_params={"ke": nav.target_for(path, params)})


def _open_target(target: str, home, real: dict, role: str | None = None):
    """Open a checked target (navigation.safe_target) for a signed-in user."""
    from urllib.parse import parse_qsl, urlsplit

    parts = urlsplit(target)
    wanted = nav.page_for(parts.path)
    if wanted is not None and wanted.path not in real and not wanted.open_to(role) \
            and wanted.access != nav.PUBLIK:
        st.session_state["_pesan"] = wanted.refusal(role)
        parts = parts._replace(query="")  # the filters of a page it does not open mean nothing at home
    elif role == nav.PARTNER and wanted is None:
        parts = parts._replace(query="")  # "/" is the partner's own page: staff filters mean nothing there
    destination = real.get(wanted.path, home) if wanted else home
    st.switch_page(destination, query_params=dict(parse_qsl(parts.query)))


def _notice(signed) -> str | None:
    """Why this browser sees the public pages although it was signed in (once), if it was."""
    from bulukumba.server import sessions

    reason = st.query_params.get("sesi")
    if reason is not None:
        del st.query_params["sesi"]  # said once; a reload does not say it again
    message = st.session_state.pop("_pesan", None)
    return message or sessions.notice(signed.ended or reason)


if __name__ == "__main__":  # Streamlit runs this file for every page, on every rerun
    frame()
else:  # `streamlit run dashboard.py` imports it once to find the app to serve
    from pathlib import Path

    from streamlit import file_util

    from bulukumba import server

    app = st.App(__file__, on_script_error=web.report_error, **server.options(
        web.server(), static_dir=Path(file_util.get_static_dir()), app_static_dir=web.STATIC_DIR,
        on_start=[web.serve_frame_only], inline_scripts=web.INLINE_SCRIPTS))
