"""Masuk / Akun: sign in to the office's internal pages, or sign out.

Both are plain HTML forms posted to the server's routes (bulukumba/server/routes.py): only an
HTTP answer can set the session cookie that keeps a user signed in across reloads, tabs and
restarts. The route sends the browser back here with `gagal=…` when the sign-in fails.
"""
import html

import streamlit as st

from bulukumba.server import auth
from bulukumba.language import fmt, texts
from bulukumba import web
from bulukumba.presentation import navigation as nav

# No web.public_page() here: with no figures at all (after an undo) staff must still sign in,
# to import again on Kelola data.
user = web.current_user()

FORM_CSS = """
form.masuk { display: flex; flex-direction: column; gap: .3rem; max-width: 22rem; margin: .5rem 0 1rem; }
form.masuk label { font-size: .875rem; margin-top: .5rem; }
form.masuk input { font: inherit; padding: .5rem .75rem; border: 1px solid #d5d8de; border-radius: .5rem;
                   background: #f0f2f6; color: inherit; }
form.masuk input:focus { outline: 2px solid #1f5fa8; outline-offset: 0; }
form.masuk button { margin-top: 1rem; align-self: flex-start; font: inherit; padding: .45rem 1.2rem;
                    border: 1px solid #1f5fa8; border-radius: .5rem; background: #1f5fa8; color: #fff;
                    cursor: pointer; }
form.masuk button.kedua { background: #fff; color: #1f5fa8; }
form.masuk button:focus-visible { outline: 2px solid #0b2f57; outline-offset: 2px; }
"""

if user is not None:
    st.title("Akun", anchor=False)
    st.write(f"Masuk sebagai **{user.nama}** ({user.username}, peran {user.peran}).")
    st.html(f"<style>{FORM_CSS}</style>"
            "<form class='masuk' method='post' action='akun/keluar'>"
            "<button type='submit' class='kedua'>Keluar</button></form>")
    st.caption("Keluar menutup halaman internal di semua tab peramban ini.")
    st.stop()

st.title("Masuk", anchor=False)
params = st.query_params
target = nav.safe_target(params.get("ke"))
if target is not None:
    where = nav.describe(target, web.kecamatan_names(), texts.LAYANAN, fmt.date)
    st.markdown(f"Setelah masuk Anda dibuka ke: **{where}**")
failure = auth.failure_message(params.get("gagal"), params.get("tunggu"))
for key in ("gagal", "tunggu"):  # said once; a reload of this page does not repeat it
    if key in params:
        del params[key]

users, problem = web.configured_users()
if problem:
    st.error(f"Pengaturan akun tidak sah: {problem}")
if not users:
    # No accounts yet: a visitor needs nothing more (how to add one is in the README).
    st.info(texts.MASUK_PENGUNJUNG, icon=":material/badge:")
    st.page_link("pages/publik.py", label="Ke halaman Transparansi", icon=":material/public:")
    st.stop()

st.caption(texts.MASUK_PETUGAS)
if failure:
    st.error(failure)
hidden_target = f"<input type='hidden' name='ke' value='{html.escape(target, quote=True)}'>" if target else ""
st.html(f"<style>{FORM_CSS}</style>"
        "<form class='masuk' method='post' action='akun/masuk'>"
        f"{hidden_target}"
        "<label for='masuk-nama'>Nama pengguna</label>"
        "<input id='masuk-nama' name='nama' autocomplete='username' autocapitalize='none' "
        f"spellcheck='false' maxlength='{auth.MAX_NAME_LENGTH}' required>"
        "<label for='masuk-sandi'>Kata sandi</label>"
        "<input id='masuk-sandi' name='sandi' type='password' autocomplete='current-password' "
        f"maxlength='{auth.MAX_PASSWORD_BYTES}' required>"
        "<button type='submit'>Masuk</button></form>")
st.caption("Sesi tetap terbuka saat halaman dimuat ulang atau dibuka di tab baru, dan berakhir setelah "
           "tidak dipakai beberapa jam atau saat Anda keluar.")
