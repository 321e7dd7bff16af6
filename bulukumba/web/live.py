"""New figures without a manual reload: the data version a run shows, and the refresh tick that
reruns the page when the version or the signed-in user changes."""
from __future__ import annotations

import streamlit as st

from bulukumba import config, figures, disclosure
from bulukumba.web.resources import engine
from bulukumba.web.signin import sign_in_changed


def remember_version() -> int:
    """Note the data version this full run shows: read once, and every data call of this run
    answers for it (figures.pin_version), instead of each asking the database again."""
    version = figures.data_version(engine())
    figures.pin_version(version, engine())
    st.session_state["_versi"] = version
    return version


@st.fragment(run_every=config.refresh_seconds())
def watch_for_new_data() -> None:
    """Every few seconds, a cheap look at the data version and the session; a change reruns
    the whole page (so a sign-out in another tab closes this one's internal pages too).

    The look costs one small query (about 0.2 ms); nothing heavy is reloaded unless the
    version moved, and then only what depends on it (the data module keys on the version).
    """
    if figures.data_version(engine()) != st.session_state.get("_versi") or sign_in_changed() or _publication_ready():
        st.rerun(scope="app")  # new figures, or signed out (in this or another tab)


def awaiting_publication(waiting: bool) -> None:
    """The public page showed the set published before, while the newest was being built: the
    tick reruns it once that build is over (the version itself did not move meanwhile)."""
    st.session_state["_menunggu_terbit"] = waiting


def awaiting() -> bool:
    """This session's page showed the set published before (awaiting_publication)."""
    return bool(st.session_state.get("_menunggu_terbit"))


def _publication_ready() -> bool:
    return bool(st.session_state.get("_menunggu_terbit")) and not disclosure.preparing(engine())
