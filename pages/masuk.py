"""Masuk / Keluar: sign-in for the office's internal pages."""
import streamlit as st

from bulukumba import auth, texts, web

web.public_page()
user = web.current_user()
if user is not None:
    st.title("Akun", anchor=False)
    st.write(f"Masuk sebagai **{user.nama}** ({user.username}, peran {user.peran}).")
    if st.button("Keluar", icon=":material/logout:", key="keluar"):
        for key in ("pengguna", "f_per", "f_kec", "f_layanan", "filters"):
            st.session_state.pop(key, None)
        st.rerun()
    st.stop()

st.title("Masuk", anchor=False)
users, problem = web.configured_users()
if problem:
    st.error(f"Pengaturan akun tidak sah: {problem}")
if not users:
    # No accounts yet: a visitor needs nothing more (how to add one is in the README).
    st.info(texts.MASUK_PENGUNJUNG, icon=":material/badge:")
    st.page_link("pages/publik.py", label="Ke halaman Transparansi", icon=":material/public:")
    st.stop()

st.caption(texts.MASUK_PETUGAS)
with st.form("masuk", enter_to_submit=True):
    username = st.text_input("Nama pengguna", key="masuk-nama", autocomplete="username")
    password = st.text_input("Kata sandi", type="password", key="masuk-sandi",
                             autocomplete="current-password")
    submitted = st.form_submit_button("Masuk", type="primary", icon=":material/login:")
if submitted:
    result = auth.sign_in(users, username, password, web.throttle())
    if result.user is None:
        st.error(result.pesan)
    else:
        st.session_state["pengguna"] = result.user
        st.session_state["baru_masuk"] = True  # the frame opens the dashboard on the next run
        st.rerun()
