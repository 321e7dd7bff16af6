"""Signing in as the pages show it (AppTest): where a visitor will land, landing there, and what
a browser whose session ended is told. The same stories in a real browser, with reloads, tabs
and restarts, are in test_browser_sessions.py."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest

import apptest_support
from apptest_support import open_app, signed_in_user
from bulukumba.server import auth
from bulukumba import config, figures
from bulukumba.storage import store
from bulukumba.server import sessions

PASSWORD = "sandi-rapat-gertak"
SECRETS = {"pengguna": {"kadis": {"nama": "Kepala Dinas", "peran": "pimpinan",
                                  "hash_sandi": auth.hash_password(PASSWORD, rounds=4)}}}


@pytest.fixture(scope="module")
def kajang():
    open_app(role=None)  # prepares the store (demo data) the app uses
    kec = figures.coverage_kecamatan(engine=store.engine_for(config.database_url()))
    return kec.loc[kec["nama"] == "Kajang", "kode"].item()


def sign_in_form(at) -> str:
    forms = [h.proto.body for h in at.get("html") if "<form" in h.proto.body]
    assert len(forms) == 1, forms
    return forms[0]


def test_masuk_says_where_the_visitor_will_land_and_carries_it_in_the_form(kajang):
    target = f"/gertak?per=2018-03-31&kec={kajang}"
    at = open_app("pages/masuk.py", query={"ke": target}, role=None, secrets=SECRETS)
    assert not at.exception
    assert "Setelah masuk Anda dibuka ke: **GERTAK 2018 · Kajang · 31 Maret 2018**" in \
        [m.value for m in at.markdown]
    form = sign_in_form(at)
    assert "action='akun/masuk'" in form and "method='post'" in form
    assert f"name='ke' value='{html.escape(target, quote=True)}'" in form
    assert "autocomplete='current-password'" in form and "type='password'" in form


def test_after_signing_in_the_visitor_lands_exactly_on_the_link_he_opened(kajang):
    at = open_app("pages/masuk.py", query={"ke": f"/gertak?per=2018-03-31&kec={kajang}"}, role=None,
                  secrets=SECRETS)
    at = apptest_support.sign_in(at, "kadis", PASSWORD)
    assert not at.exception
    assert signed_in_user(at).username == "kadis"
    assert [t.value for t in at.title] == ["GERTAK 2018"]
    assert at.date_input(key="f_per").value == dt.date(2018, 3, 31)
    assert at.selectbox(key="f_kec").value == kajang
    assert dict(at.query_params) == {"per": "2018-03-31", "kec": kajang}


def test_a_wrong_password_keeps_the_target_and_says_so_once(kajang):
    at = open_app("pages/masuk.py", query={"ke": f"/peta?kec={kajang}"}, role=None, secrets=SECRETS)
    at = apptest_support.sign_in(at, "kadis", "bukan-ini")
    assert [e.value for e in at.error] == [auth.WRONG]
    assert "Setelah masuk Anda dibuka ke: **Peta · Kajang**" in [m.value for m in at.markdown]
    assert "gagal" not in at.query_params and at.query_params["ke"] == f"/peta?kec={kajang}"
    assert signed_in_user(at) is None


def test_a_target_that_leaves_the_site_is_ignored():
    at = open_app("pages/masuk.py", query={"ke": "//jahat.example/gertak"}, role=None, secrets=SECRETS)
    assert not any("Setelah masuk" in m.value for m in at.markdown)
    assert "name='ke'" not in sign_in_form(at)
    at = apptest_support.sign_in(at, "kadis", PASSWORD)
    assert [t.value for t in at.title] == ["Ringkasan perekaman e-KTP"]  # home, nowhere else


def test_a_copied_ringkasan_link_sends_a_visitor_to_masuk_with_its_view(kajang):
    at = open_app(query={"kec": kajang}, role=None, secrets=SECRETS)
    assert [t.value for t in at.title] == ["Masuk"]
    assert at.query_params["ke"] == f"/?kec={kajang}"
    assert "Setelah masuk Anda dibuka ke: **Ringkasan · Kajang**" in [m.value for m in at.markdown]


def test_a_signed_in_user_sent_to_a_target_lands_there_directly(kajang):
    """Signed in already (another tab), he opens the address a visitor's sign-in leads to."""
    at = open_app(query={"ke": f"/mitra?kec={kajang}&layanan=akta_kematian"})
    assert [t.value for t in at.title] == ["Mitra kemitraan"]
    assert dict(at.query_params) == {"kec": kajang, "layanan": "akta_kematian"}
    assert at.selectbox(key="f_layanan").value == "akta_kematian"


def end_in_store(at, **changes):
    """What another tab (sign-out) or the passing of time does to this browser's session row."""
    cookie = apptest_support._browsers[at].cookies[sessions.COOKIE]
    digest = sessions._digest(sessions.sessions_for(config.database_url(), {})._signer.loads(cookie))
    with sessions.session_engine(config.database_url()).begin() as conn:
        conn.execute(store.sesi.update().where(store.sesi.c.id == digest).values(**changes))


def test_a_sign_out_in_another_tab_closes_this_tab_at_its_next_run():
    at = open_app("pages/gertak.py")
    assert [t.value for t in at.title] == ["GERTAK 2018"]
    end_in_store(at, berakhir=dt.datetime.now(dt.UTC).replace(tzinfo=None))
    at.run()  # the refresh tick sees the change and reruns the page
    assert not at.exception
    assert [t.value for t in at.title] == ["Perekaman e-KTP Kabupaten Bulukumba"]
    assert [i.value for i in at.info if "keluar" in i.value] == [sessions.notice(sessions.KELUAR)]
    assert "GERTAK 2018" not in [t.value for t in at.title]


def test_an_idle_session_gives_the_public_page_and_says_why():
    at = open_app("pages/ringkasan.py")
    end_in_store(at, terakhir=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(hours=13))
    at.run()
    assert [t.value for t in at.title] == ["Perekaman e-KTP Kabupaten Bulukumba"]
    assert any("tidak ada aktivitas selama 12 jam" in i.value for i in at.info)


def test_the_notice_after_signing_out_is_said_once():
    at = open_app(query={"sesi": "keluar"}, role=None)
    assert [i.value for i in at.info if "keluar" in i.value] == [sessions.notice(sessions.KELUAR)]
    assert "sesi" not in at.query_params
    at.run()
    assert not [i for i in at.info if "keluar" in i.value]


def test_an_account_removed_from_the_secrets_is_signed_out_at_once():
    at = open_app("pages/ringkasan.py")
    browser = apptest_support._browsers[at]
    browser.secrets["pengguna"].pop("uji-pimpinan")
    at.secrets["pengguna"] = browser.secrets["pengguna"]
    at.run()
    assert [t.value for t in at.title] == ["Perekaman e-KTP Kabupaten Bulukumba"]
    assert signed_in_user(at) is None


def test_the_session_state_alone_signs_nobody_in():
    """What a second browser that took over a signed-in session id has: all of the session's
    state, none of its cookie."""
    at = open_app("pages/ringkasan.py")
    assert at.session_state["_masuk_sebagai"] == "uji-pimpinan"
    apptest_support._browsers[at].cookies.clear()
    at.run()
    assert [t.value for t in at.title] == ["Perekaman e-KTP Kabupaten Bulukumba"]
    assert not at.date_input and not at.file_uploader


def test_an_unexpected_error_is_told_in_indonesian_with_a_code_for_the_log(caplog):
    """What the server's `on_script_error` shows instead of Streamlit's English error box."""
    from streamlit.testing.v1 import AppTest

    def page():
        from bulukumba import web

        web.report_error(KeyError("filters"))

    with caplog.at_level("ERROR", logger="bulukumba"):
        at = AppTest.from_function(page).run()
    [message] = [e.value for e in at.error]
    code = re.search(r"kode \*\*([0-9a-f]{8})\*\*", message).group(1)
    assert message.startswith("Maaf, halaman ini gagal disiapkan.") and "filters" not in message
    assert code in caplog.text and "KeyError" in caplog.text


def test_a_department_head_sent_to_kelola_is_told_it_is_for_operators():
    at = open_app(query={"ke": "/kelola"})
    assert [t.value for t in at.title] == ["Ringkasan perekaman e-KTP"]
    assert "Halaman Kelola data hanya untuk operator." in [i.value for i in at.info]
    assert not at.file_uploader
