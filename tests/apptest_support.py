"""Running the dashboard under Streamlit's AppTest, and reading its Indonesian numbers back.

Every AppTest the tests use is built by `open_app`, which also signs the test user in (one
place to change when sign-in changes).

Signing in works as in a browser: the app decides who is signed in from the session cookie the
browser sends (`st.context.cookies`), checked against the sessions in the store. AppTest has no
browser, so each AppTest here carries a small cookie jar, and the runs read it where Streamlit
reads a real connection's cookies (`streamlit.runtime.context._get_client_context`). `open_app`
with a role puts a test account into the secrets, starts a real session for it in the store the
app uses, and puts its signed cookie into the jar: the app runs exactly its production code.
`sign_in` and `sign_out` run the sign-in route's own decisions (bulukumba/server/routes.py) and
follow the answer as a browser would: a new page load (a new AppTest) with the cookie set or
cleared, at the address the route sends it to.

Two more things differ from a browser session, and `open_app` makes each run behave like the
server does:

- AppTest resets `PagesManager.uses_pages_directory` before every run. A server sets it once,
  when it starts and before any browser connects (`web.serve_frame_only`, the app's start
  hook); every run here gets the same start hook, so pages always run inside dashboard.py's
  frame, the first request after a restart included.
- The files behind download buttons are deferred callables kept by the run's media file manager,
  which AppTest throws away after each run; each run here keeps its manager so `download` can
  press a button and read back the exact bytes the browser would receive.
"""
from __future__ import annotations

import contextlib
import os
import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

from streamlit.runtime import context as _context_module
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as _app_test_module

PROJECT = Path(__file__).resolve().parents[1]
DASHBOARD = PROJECT / "dashboard.py"
DB_URL_ENV = "BULUKUMBA_DB_URL"

#: AppTest -> the media file manager of its latest run (for `download`).
_media: weakref.WeakKeyDictionary[AppTest, MediaFileManager] = weakref.WeakKeyDictionary()


@dataclass
class _Browser:
    """What stays with a browser across page loads: its cookies, and where this test points it."""
    secrets: dict
    db_url: str | None
    timeout: float
    cookies: dict[str, str] = field(default_factory=dict)


#: AppTest -> the browser it stands for.
_browsers: weakref.WeakKeyDictionary[AppTest, _Browser] = weakref.WeakKeyDictionary()


def open_app(page: str | None = None, query: dict | None = None, role: str | None = "pimpinan",
             db_url: str | None = None, timeout: float = 180, secrets: dict | None = None) -> AppTest:
    """The dashboard, run once (on `page` if given, e.g. "pages/peta.py"), as a user in `role`.

    `query` is the URL's query string of the first request (a copied link). `role` is the signed-in
    user's role ("pimpinan", "operator"), or None for a visitor. `db_url` points the app at another
    store (BULUKUMBA_DB_URL) for this AppTest's runs, including later `at.run()` calls; the
    environment is restored after each run. `secrets` stands for .streamlit/secrets.toml (the
    accounts the Masuk page checks).
    """
    browser = _Browser(secrets=_with_test_account(secrets, role), db_url=db_url, timeout=timeout)
    if role is not None:
        _start_test_session(browser, role)
    return _load(browser, page, query)


def _load(browser: _Browser, page: str | None, query: dict | None) -> AppTest:
    """A page load: a new Streamlit session in `browser` (a new AppTest), run once."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=browser.timeout)
    for key, value in browser.secrets.items():
        at.secrets[key] = value
    _browsers[at] = browser
    for key, value in (query or {}).items():
        at.query_params[key] = value
    original_run = at._run  # every run, also a widget's `.run()`, goes through AppTest._run

    def run(*args, **kwargs):
        with _run_environment(at, browser):
            return original_run(*args, **kwargs)

    at._run = run
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


# ---------------------------------------------------------------------------------------------
# Signing in
# ---------------------------------------------------------------------------------------------

def _test_account(role: str) -> tuple[str, dict]:
    import bcrypt

    global _TEST_HASH
    if _TEST_HASH is None:  # an account nobody can sign in to with a password: a random one
        _TEST_HASH = bcrypt.hashpw(os.urandom(16).hex().encode(), bcrypt.gensalt(4)).decode()
    entry = {"nama": f"Pengguna uji ({role})", "peran": role, "hash_sandi": _TEST_HASH}
    if role == "mitra":  # a partner account belongs to one partner: PPDI, as an office would write it
        entry["mitra"] = "PPDI"
    return f"uji-{role}", entry


_TEST_HASH: str | None = None


def _with_test_account(secrets: dict | None, role: str | None) -> dict:
    secrets = {key: dict(value) if isinstance(value, dict) else value for key, value in (secrets or {}).items()}
    if role is not None:
        from bulukumba.server import auth

        assert role in auth.ROLES, f"unknown role {role!r}; roles: {auth.ROLES}"
        name, entry = _test_account(role)
        secrets["pengguna"] = {**secrets.get("pengguna", {}), name: entry}
    return secrets


def _server(browser: _Browser):
    """The serving layer as the app's server has it, for this browser's store and secrets."""
    from bulukumba.server import auth
    from bulukumba import config
    from bulukumba.server import Server

    def users():
        try:
            return auth.users_from_secrets(browser.secrets), None
        except auth.ConfigError as error:
            return {}, str(error)

    return Server(users=users, secrets=lambda: browser.secrets,
                  database_url=lambda: browser.db_url or config.database_url())


def _start_test_session(browser: _Browser, role: str) -> None:
    """The one place that signs the test user in: a real session in the store, its cookie in the jar."""
    from bulukumba.server.sessions import COOKIE

    name, _ = _test_account(role)
    browser.cookies[COOKIE] = _server(browser).sessions().start(name)


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """Fill in the Masuk form of `at`'s page and send it: the sign-in route's decision, followed
    as the browser follows the route's answer (a new page load)."""
    from bulukumba.server import routes

    browser = _browsers[at]
    form = {"nama": username, "sandi": password, "ke": at.query_params.get("ke", "")}
    return _follow(browser, routes.sign_in(_server(browser), form, "127.0.0.1"))


def sign_out(at: AppTest) -> AppTest:
    """Press Keluar: the sign-out route's decision, followed as the browser follows it."""
    from bulukumba.server import routes
    from bulukumba.server.sessions import COOKIE

    browser = _browsers[at]
    return _follow(browser, routes.sign_out(_server(browser), browser.cookies.get(COOKIE)))


def signed_in_user(at: AppTest):
    """Whom `at`'s browser cookie signs in now (auth.User), or None."""
    from bulukumba.server.sessions import COOKIE

    browser = _browsers[at]
    return _server(browser).who(browser.cookies.get(COOKIE))[0]


def _follow(browser: _Browser, outcome) -> AppTest:
    from bulukumba.server.sessions import COOKIE

    if outcome.cookie is not None:
        browser.cookies[COOKIE] = outcome.cookie
    elif outcome.clear_cookie:
        browser.cookies.pop(COOKIE, None)
    parts = urlsplit(outcome.location)
    page = parts.path.strip("/")
    return _load(browser, f"pages/{page}.py" if page else None, dict(parse_qsl(parts.query)))


class _Connection:
    """What `st.context` reads from a browser's connection: here, only its cookies."""

    def __init__(self, cookies: dict[str, str]):
        self.cookies = dict(cookies)
        self.headers: list[tuple[str, str]] = []
        self.remote_ip = None


# ---------------------------------------------------------------------------------------------
# The server's start hook, and keeping download files
# ---------------------------------------------------------------------------------------------

class _FramedPagesManager(PagesManager):
    """A PagesManager as the server has it: its start hook has run before any session."""

    def __init__(self, *args, **kwargs):
        # AppTest's own reset (to "not decided yet") lands on this subclass, as a restart would;
        # then the app's start hook runs, as on the server, before the session's pages exist.
        from bulukumba import web

        PagesManager.uses_pages_directory = None
        web.serve_frame_only()
        super().__init__(*args, **kwargs)


@contextlib.contextmanager
def after_restart():
    """Runs inside this block are the first requests a freshly started server gets: what a restart
    loses is what the process held in memory (remembered figures, published sets, Streamlit's
    caches, open engines), so all of it is forgotten first; the store and the disk caches stay."""
    import streamlit as st

    from bulukumba import figures, regions
    from bulukumba.storage import store
    from bulukumba.disclosure import published

    figures.clear_memo()
    regions.clear_memo()
    published.clear_memo()
    st.cache_data.clear()
    st.cache_resource.clear()
    store.engine_for.cache_clear()
    yield


@contextlib.contextmanager
def _run_environment(at: AppTest, browser: _Browser):
    created: list[MediaFileManager] = []

    class RecordingMediaFileManager(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            created.append(self)

    saved_url = os.environ.get(DB_URL_ENV)
    if browser.db_url is not None:
        os.environ[DB_URL_ENV] = browser.db_url
    try:
        with mock.patch.object(_app_test_module, "PagesManager", _FramedPagesManager), \
                mock.patch.object(_app_test_module, "MediaFileManager", RecordingMediaFileManager), \
                mock.patch.object(_context_module, "_get_client_context",
                                  lambda: _Connection(browser.cookies)):
            yield
    finally:
        if browser.db_url is not None:
            if saved_url is None:
                os.environ.pop(DB_URL_ENV, None)
            else:
                os.environ[DB_URL_ENV] = saved_url
        if created:
            _media[at] = created[-1]


# ---------------------------------------------------------------------------------------------
# Elements
# ---------------------------------------------------------------------------------------------

def element(at: AppTest, element_type: str, key: str):
    """The element of `element_type` (as in `at.get`) whose user key is `key`."""
    found = [e for e in at.get(element_type) if getattr(e, "key", None) == key]
    assert found, f"no {element_type} with key {key!r}; keys: {[getattr(e, 'key', None) for e in at.get(element_type)]}"
    return found[0]


def table(at: AppTest, *columns: str):
    """The raw table (a Styler's data, unformatted) of the one st.dataframe that has `columns`.

    AppTest does not expose a dataframe's key (it is not in the element's proto unless the
    table is selectable), so tables are told apart by their columns.
    """
    matches = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(matches) == 1, (f"{len(matches)} tables with columns {columns}; tables: "
                               f"{[list(d.value.columns) for d in at.dataframe]}")
    return matches[0]


def metrics(at: AppTest) -> dict[str, str]:
    """Metric label -> shown value."""
    return {m.label: m.value for m in at.metric}


@dataclass(frozen=True)
class Download:
    file_name: str
    mimetype: str
    content: bytes


def download(at: AppTest, key: str) -> Download:
    """Press the download button `key` of the latest run: the file the browser would receive."""
    button = element(at, "download_button", key)
    file_id = button.proto.deferred_file_id
    assert file_id, f"download button {key!r} has no deferred file"
    manager = _media[at]
    url = manager.execute_deferred(file_id)  # what a click asks the server to do
    stored = manager.read_file(url.rsplit("/", 1)[-1])
    assert stored is not None, f"no file behind {url}"
    return Download(stored.filename or "", stored.mimetype, stored.content)


# ---------------------------------------------------------------------------------------------
# Indonesian numbers back from text
# ---------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+\-−±]?\d{1,3}(?:\.\d{3})*(?:,\d+)?|[+\-−±]?\d+(?:,\d+)?")


def parse_angka(text: str) -> int | float:
    """'325.880' -> 325880; '59,8' -> 59.8; '+2.122' -> 2122; '-432' -> -432; '±0' -> 0.

    The first number in `text` (so '59,8 per hari' -> 59.8)."""
    match = _NUMBER.search(text)
    if match is None:
        raise ValueError(f"no Indonesian number in {text!r}")
    token = match.group(0)
    sign = -1 if token[0] in "-−" else 1
    digits = token.lstrip("+-−±").replace(".", "")
    if "," in digits:
        return sign * float(digits.replace(",", "."))
    return sign * int(digits)


def parse_persen(text: str) -> float:
    """'92,1%' -> 0.921 (a share, 0..1)."""
    if "%" not in text:
        raise ValueError(f"no percentage in {text!r}")
    value = parse_angka(text.split("%")[0])
    decimals = len(text.split("%")[0].rsplit(",", 1)[1]) if "," in text.split("%")[0] else 0
    return round(value / 100, decimals + 2)


def plotly_array(value) -> list:
    """A trace array from a figure's JSON: a plain list, or Plotly's typed array
    ({"dtype": "f8", "bdata": base64, "shape": ...}) decoded to a list."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        import numpy as np

        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            shape = value["shape"]
            array = array.reshape([int(s) for s in str(shape).split(",")] if isinstance(shape, str) else shape)
        return array.tolist()
    return list(value)
