"""Masuk / Keluar: sign-in for the office's internal pages."""
import streamlit as st

from bulukumba import auth, web

web.public_page()
user = web.current_user()
if user is not None:
    st.title("Akun")
    st.write(f"Masuk sebagai **{user.nama}** ({user.username}, peran {user.peran}).")
    if st.button("Keluar", icon=":material/logout:", key="keluar"):
        for key in ("pengguna", "f_per", "f_kec", "f_layanan", "filters"):
            st.session_state.pop(key, None)
        st.rerun()
    st.stop()

st.title("Masuk")
users, problem = web.configured_users()
if problem:
    st.error(f"Pengaturan akun tidak sah: {problem}")
if not users:
    st.info(
        "Belum ada akun, jadi dasbor hanya menampilkan halaman publik. Untuk menambah akun:\n\n"
        "1. Buat hash kata sandi: `python -m bulukumba sandi`\n"
        "2. Tempel hasilnya di `.streamlit/secrets.toml` (jangan dimasukkan ke repositori), misalnya\n\n"
        "```toml\n[pengguna.kadis]\nnama = \"Kepala Dinas\"\nperan = \"pimpinan\"  # atau operator\n"
        "hash_sandi = \"$2b$12$...\"\n```\n"
        "3. Muat ulang halaman ini.", icon=":material/key:")
    st.stop()

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
