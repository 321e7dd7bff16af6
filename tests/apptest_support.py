"""Running the dashboard under Streamlit's AppTest, and reading its Indonesian numbers back.

Every AppTest the tests use is built by `open_app`, which also signs the test user in (one
place to change when sign-in changes).

Two things differ from a browser session, and `open_app` makes each run behave like the server
does in its steady state:

- AppTest resets `PagesManager.uses_pages_directory` before every run, and because this project
  has a folder named `pages/`, Streamlit then starts every run in old-style multipage mode, as a
  live server does only for the first request after a restart; a live server turns that mode off
  for good once `st.navigation` has run (the app's `web._ensure_frame` handles the first
  request). Every run here starts with the mode off, as on a server that is up and running, so
  the page runs straight through dashboard.py's frame; `after_restart()` turns this off to test
  the first request.
- The files behind download buttons are deferred callables kept by the run's media file manager,
  which AppTest throws away after each run; each run here keeps its manager so `download` can
  press a button and read back the exact bytes the browser would receive.
"""
from __future__ import annotations

import contextlib
import os
import re
import weakref
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as _app_test_module

PROJECT = Path(__file__).resolve().parents[1]
DASHBOARD = PROJECT / "dashboard.py"
DB_URL_ENV = "BULUKUMBA_DB_URL"

#: AppTest -> the media file manager of its latest run (for `download`).
_media: weakref.WeakKeyDictionary[AppTest, MediaFileManager] = weakref.WeakKeyDictionary()


def open_app(page: str | None = None, query: dict | None = None, role: str | None = "pimpinan",
             db_url: str | None = None, timeout: float = 180, secrets: dict | None = None) -> AppTest:
    """The dashboard, run once (on `page` if given, e.g. "pages/peta.py"), as a user in `role`.

    `query` is the URL's query string of the first request (a copied link). `role` is the signed-in
    user's role ("pimpinan", "operator"), or None for a visitor. `db_url` points the app at another
    store (BULUKUMBA_DB_URL) for this AppTest's runs, including later `at.run()` calls; the
    environment is restored after each run. `secrets` stands for .streamlit/secrets.toml (the
    accounts the Masuk page checks).
    """
    at = AppTest.from_file(str(DASHBOARD), default_timeout=timeout)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    _sign_in(at, role)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    original_run = at._run  # every run, also a widget's `.run()`, goes through AppTest._run

    def run(*args, **kwargs):
        with _run_environment(at, db_url):
            return original_run(*args, **kwargs)

    at._run = run
    at.run()
    if page is not None:
        at.switch_page(page)
        at.run()
    return at


#: Where the app keeps the signed-in user (web.current_user).
SESSION_USER_KEY = "pengguna"


def _sign_in(at: AppTest, role: str | None) -> None:
    """The one place that signs the test user in.

    The session starts as it is right after a successful sign-in on the Masuk page (which puts
    the auth.User into the session): the tests here are about the pages, not the form. A
    checkout without sign-in (no bulukumba.auth) runs every page for everyone.
    """
    if role is None:
        return
    try:
        from bulukumba import auth
    except ImportError:
        return
    assert role in auth.ROLES, f"unknown role {role!r}; roles: {auth.ROLES}"
    at.session_state[SESSION_USER_KEY] = auth.User(f"uji-{role}", f"Pengguna uji ({role})", role)


class _FramedPagesManager(PagesManager):
    """A PagesManager as the server has it after the first `st.navigation`: no old-style pages."""

    def __init__(self, *args, **kwargs):
        # AppTest's own reset lands on this subclass (its module name is patched), so reset the
        # real flag here: old-style mode right after a restart, off on a server that is running.
        PagesManager.uses_pages_directory = None if _after_restart else False
        super().__init__(*args, **kwargs)  # None: on, since a folder named pages/ exists


_after_restart = False


@contextlib.contextmanager
def after_restart():
    """Each run inside this block is like the first request a freshly started server gets:
    Streamlit is still in old-style multipage mode (a folder named pages/ exists), so a deep
    link such as /peta would run pages/peta.py on its own unless the app puts it back into its
    frame."""
    global _after_restart
    saved, _after_restart = _after_restart, True
    try:
        yield
    finally:
        _after_restart = saved


@contextlib.contextmanager
def _run_environment(at: AppTest, db_url: str | None):
    created: list[MediaFileManager] = []

    class RecordingMediaFileManager(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            created.append(self)

    saved_url = os.environ.get(DB_URL_ENV)
    if db_url is not None:
        os.environ[DB_URL_ENV] = db_url
    try:
        with mock.patch.object(_app_test_module, "PagesManager", _FramedPagesManager), \
                mock.patch.object(_app_test_module, "MediaFileManager", RecordingMediaFileManager):
            yield
    finally:
        if db_url is not None:
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
