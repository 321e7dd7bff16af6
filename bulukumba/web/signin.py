"""Who is signed in, decided from the browser's session cookie on every run, and the accounts and
secrets the serving layer checks it against."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class SignIn:
    user: object | None        # the signed-in auth.User, or None for a visitor
    ended: str | None = None   # why a session cookie this browser sent no longer counts


_server = None


def server():
    """The serving layer's view of this app (accounts and secrets from Streamlit), one per process."""
    global _server
    if _server is None:
        from streamlit import config as st_config

        from bulukumba.server import Server

        _server = Server(users=configured_users, secrets=secrets_dict,
                         base_url=st_config.get_option("server.baseUrlPath") or "")
    return _server


def sign_in_state(touch: bool = False) -> SignIn:
    """Who this browser is signed in as: its session cookie, checked against the store, now.

    The cookie is the one the browser sent when it opened this connection (a reload, a new tab
    and a reconnect send the current one). Session state plays no part, so a client that
    reconnects to someone else's Streamlit session without that person's cookie is a visitor.
    `touch` counts this run as activity for the idle lifetime.
    """
    from bulukumba.server.sessions import COOKIE

    cookie = st.context.cookies.get(COOKIE)
    if not cookie:
        return SignIn(None)
    user, check = server().who(cookie, touch=touch)
    return SignIn(user, None if user is not None else check.ended)


def current_user():
    """The signed-in auth.User, or None for a visitor (from the cookie, on every call)."""
    return sign_in_state().user


def frame_sign_in() -> SignIn:
    """The frame's look at who is signed in, counted as activity and remembered for the
    refresh tick, which reruns the page when it changes (a sign-out in another tab)."""
    state = sign_in_state(touch=True)
    st.session_state["_masuk_sebagai"] = state.user.username if state.user else None
    return state


def sign_in_changed() -> bool:
    if "_masuk_sebagai" not in st.session_state:
        return False
    user = sign_in_state().user
    return (user.username if user else None) != st.session_state["_masuk_sebagai"]


def secrets_dict() -> dict:
    """.streamlit/secrets.toml as a dict (empty when there is none)."""
    try:
        return st.secrets.to_dict() if len(st.secrets) else {}
    except Exception:  # no secrets.toml at all: a public-only app
        return {}


def configured_users() -> tuple[dict, str | None]:
    """Users from .streamlit/secrets.toml, and a message if the configuration is broken."""
    from bulukumba.server import auth

    try:
        return auth.users_from_secrets(secrets_dict()), None
    except auth.ConfigError as error:
        return {}, str(error)
