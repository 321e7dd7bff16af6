"""Laporan mitra (role mitra): a partner's own figures, its reports and their status, the phone
form and its own spreadsheet. Nothing of another partner, nothing of the staff pages.

The form is checked by the importer (bulukumba/reports: the same checks, the same words); its
draft is kept per account in the store on every change, so a lost connection or a reload loses
nothing. A report waits as "menunggu verifikasi" until the operator approves it on Kelola data.
"""
import datetime as dt

import streamlit as st

from bulukumba import figures, importer, reports, web
from bulukumba.language import fmt, texts

engine = web.engine()
user = web.current_user()
st.title("Laporan mitra", anchor=False)
if user is None or user.peran != "mitra":  # the frame does not list this page for others either
    st.error("Halaman ini hanya untuk akun mitra.")
    st.stop()
partner = reports.resolve_partner(user.mitra, engine)
if partner is None:
    st.error(f"Akun ini tidak terhubung ke mitra yang dikenal dasbor ({importer.show(user.mitra or '')}). "
             "Minta pengelola dasbor memperbaiki `mitra = \"…\"` akun ini di .streamlit/secrets.toml.")
    st.stop()
name = reports.partner_name(partner, engine)
st.caption(f"{name} · masuk sebagai {user.username}. Laporan Anda dihitung setelah diverifikasi "
           f"operator Disdukcapil.")
if web.is_demo():  # the figures under "Angka kami" are the demo's until real data arrives
    web.demo_banner()

FIELDS = ("tanggal", "desa_kode", "layanan", "cara", "jumlah", "lansia", "disabilitas", "catatan")
KEY = {f: f"lapor-{f}" for f in FIELDS}


def _values() -> dict:
    values = {}
    for f in FIELDS:
        v = st.session_state.get(KEY[f])
        values[f] = v.isoformat() if isinstance(v, dt.date) else ("" if v is None else str(v))
    return values


def _keep_draft() -> None:
    reports.save_draft(user.username, _values(), engine)


if "lapor-konsep-dimuat" not in st.session_state:  # a new browser session: the kept draft back
    draft = reports.load_draft(user.username, engine)
    for f, raw in draft.items():
        if f not in KEY or raw in ("", None):
            continue
        if f == "tanggal":
            try:
                st.session_state[KEY[f]] = dt.date.fromisoformat(raw)
            except ValueError:
                pass
        elif f in ("jumlah", "lansia", "disabilitas"):
            if str(raw).isdigit():
                st.session_state[KEY[f]] = int(raw)
        else:
            st.session_state[KEY[f]] = raw
    st.session_state["lapor-konsep-dimuat"] = bool(draft)
# Each field's value lives in the session state (from the draft, or empty), never also in a
# widget's default: Streamlit warns when both are given.
for f, empty in (("tanggal", None), ("desa_kode", None), ("layanan", None), ("cara", "jemput_bola"),
                 ("jumlah", None), ("lansia", 0), ("disabilitas", 0), ("catatan", "")):
    st.session_state.setdefault(KEY[f], empty)

def checked_upload(upload, ignore_rest: bool) -> reports.Submission | None:
    """The partner's file as the importer checks it, in a worker process (the server never
    parses an upload); kept for the session so a click does not check it again. None when the
    check was stopped (the reason is shown)."""
    wanted = (upload.file_id, ignore_rest)
    kept = st.session_state.get("lapor-periksa")
    if kept is None or kept[0] != wanted:
        outcome = web.imports.follow(("lapor", wanted), lambda: web.imports.start(
            upload.getvalue(), upload.name, "kegiatan", engine, key=("lapor", wanted), ignore_rest=ignore_rest,
            keep_rows=True),
            texts.IMPOR_MEMERIKSA)
        if outcome.status != "selesai":
            (st.info if outcome.status == "dibatalkan" else st.error)(outcome.message)
            return None
        kept = st.session_state["lapor-periksa"] = (wanted, outcome.result.report)
    return reports.check_report(kept[1], partner, engine)


def show_checked(sub: reports.Submission) -> None:
    """What the check found, and the button that sends a file that passed."""
    if sub.report.unresolved:
        st.warning("Beberapa kolom tidak dikenali: "
                   + ", ".join(c.header for c in sub.report.unresolved[:10])
                   + ". Pakai judul kolom templat, atau centang 'Abaikan kolom yang tidak dikenali'.")
    if sub.ok:
        st.success(f"Berkas lolos pemeriksaan: {fmt.number(len(sub.rows))} baris, "
                   f"{fmt.number(sum(r['jumlah'] for r in sub.rows))} layanan.")
        if st.button("Kirim sebagai laporan", type="primary", key="lapor-kirim-berkas", icon=":material/send:"):
            try:
                kid = reports.send(sub, user.username, engine)
                st.success(f"Laporan #{kid} terkirim: menunggu verifikasi operator.")
            except reports.Refused as refused:
                st.error(str(refused))
    else:
        st.error("Berkas DITOLAK; tidak ada yang dikirim.")
        st.dataframe([{"Baris": e.baris or "", "Kolom": e.kolom or "", "Masalah": e.pesan}
                      for e in sub.errors], hide_index=True, width="stretch", key="lapor-kesalahan")


tab_form, tab_file, tab_mine, tab_figures = st.tabs(["Lapor", "Unggah", "Laporan saya", "Angka kami"])

with tab_form:
    if st.session_state.get("lapor-konsep-dimuat"):
        st.caption("Konsep laporan Anda yang belum terkirim dipulihkan.")
    if "lapor-terkirim" in st.session_state:
        st.success(st.session_state.pop("lapor-terkirim"), icon=":material/check_circle:")
    villages = reports.villages(engine)
    labels = {k: f"{n} (Kec. {kc})" for k, n, kc in zip(villages["kode"], villages["nama"], villages["kecamatan"])}
    st.date_input("Tanggal kegiatan", key=KEY["tanggal"], format="DD/MM/YYYY",
                  max_value=dt.date.today(), on_change=_keep_draft)
    st.selectbox("Desa/kelurahan", list(labels), key=KEY["desa_kode"], format_func=labels.get,
                 placeholder="Ketik nama desa…", on_change=_keep_draft,
                 help="Ketik sebagian nama desa; kecamatannya tampil di belakang nama.")
    st.selectbox("Layanan", list(texts.LAYANAN), key=KEY["layanan"], format_func=texts.LAYANAN.get,
                 placeholder="Pilih layanan", on_change=_keep_draft)
    st.selectbox("Cara", list(texts.CARA), key=KEY["cara"], format_func=texts.CARA.get, on_change=_keep_draft)
    st.number_input("Warga dilayani", key=KEY["jumlah"], min_value=0, step=1, placeholder="0",
                    on_change=_keep_draft)
    left, right = st.columns(2)
    left.number_input("Di antaranya lansia", key=KEY["lansia"], min_value=0, step=1,
                      on_change=_keep_draft)
    right.number_input("Di antaranya disabilitas", key=KEY["disabilitas"], min_value=0, step=1,
                       on_change=_keep_draft)
    st.text_area("Catatan singkat (tanpa nama atau NIK)", key=KEY["catatan"], max_chars=reports.MAX_NOTE,
                 height=80, on_change=_keep_draft)
    if st.button("Kirim laporan", type="primary", key="lapor-kirim", icon=":material/send:", width="stretch"):
        values = _values()
        reports.save_draft(user.username, values, engine)
        sub = reports.check_form(reports.FormEntry.of(values), partner, engine)
        try:
            kid = reports.send(sub, user.username, engine) if sub.ok else None
        except reports.Refused:
            kid = None
        if kid is None:
            st.error("Laporan belum terkirim; perbaiki dulu:", icon=":material/error:")
            st.markdown("\n".join(f"- {reports.describe(e)}" for e in sub.errors))
        else:
            reports.clear_draft(user.username, engine)
            for f in FIELDS:
                st.session_state.pop(KEY[f], None)
            st.session_state["lapor-konsep-dimuat"] = False
            st.session_state["lapor-terkirim"] = (f"Laporan #{kid} terkirim: menunggu verifikasi operator. "
                                                  f"Statusnya ada di Laporan saya.")
            st.rerun()

with tab_file:
    st.caption("Unggah rekap kegiatan {name} sendiri (CSV atau XLSX, kolom seperti templat kegiatan "
               "mitra). Berkas diperiksa dengan aturan impor yang sama; semua baris harus kegiatan "
               "{name}.".format(name=name))
    st.download_button("Unduh templat XLSX", lambda: importer.template_bytes("kegiatan", "xlsx"),
                       file_name="templat-kegiatan.xlsx", mime=web.XLSX_MIME, on_click="ignore",
                       key="lapor-templat", icon=":material/download:")
    upload = st.file_uploader("Berkas laporan", key="lapor-berkas",
                              max_upload_size=max(1, round(importer.Limits.from_config().max_bytes / 1_000_000)))
    if upload is not None:
        ignore_rest = st.checkbox("Abaikan kolom yang tidak dikenali", key="lapor-abaikan")
        sub = checked_upload(upload, ignore_rest)
        if sub is not None:
            show_checked(sub)

with tab_mine:
    mine = reports.submissions(engine, partner=partner)
    if mine.empty:
        st.caption("Belum ada laporan dari akun mitra ini.")
    else:
        web.html_table(mine.assign(
            dikirim=[fmt.timestamp(w) for w in mine["dikirim"]],
            status=mine["status"].map(reports.STATUS_LABEL),
            alasan=mine["alasan"].fillna(""),
        ).rename(columns={"id": "Laporan #", "status": "Status", "jumlah": "Warga dilayani", "desa": "Desa",
                          "dikirim": "Dikirim", "alasan": "Alasan dikembalikan", "rentan": "Lansia/disabilitas"})[
            ["Laporan #", "Status", "Warga dilayani", "Desa", "Dikirim", "Lansia/disabilitas",
             "Alasan dikembalikan"]])
        returned = mine[mine["status"] == "dikembalikan"]
        for row in returned.itertuples():
            st.warning(f"Laporan #{row.id} dikembalikan: {row.alasan}", icon=":material/undo:")

with tab_figures:
    own = figures.partner_own(partner, engine=engine)
    reached = figures.partner_own_villages(partner, engine=engine)
    a, b, c = st.columns(3)
    a.metric("Layanan", fmt.number(int(own["jumlah"].sum())))
    b.metric("Desa dijangkau", fmt.number(reached))
    c.metric("Warga rentan dilayani", fmt.number(int(own["rentan"].sum())))
    st.caption(f"Hanya kegiatan {name} yang dihitung dasbor: impor operator dan laporan yang sudah "
               f"disetujui.")
    if not own.empty:
        web.html_table(own.assign(bulan=[fmt.month(b.date()) for b in own["bulan"]],
                                  layanan=own["layanan"].map(texts.LAYANAN))
                       .rename(columns={"bulan": "Bulan", "kecamatan": "Kecamatan", "layanan": "Layanan",
                                        "jumlah": "Jumlah", "rentan": "Warga rentan", "desa": "Desa"}))
    part = figures.partner_programme_part(partner, engine=engine)
    if not part.empty:
        st.subheader("Bagian Anda dalam program", anchor=False)
        for row in part.itertuples():
            share = row.jumlah / row.nilai if row.nilai else 0
            st.markdown(f"**{texts.PROGRAM.get(row.program, row.program)}** · {texts.LAYANAN[row.layanan]}: "
                        f"{fmt.number(row.jumlah)} dari target {fmt.number(row.nilai)} ({fmt.percent(share)}), "
                        f"{fmt.date(row.mulai.date())} – {fmt.date(row.selesai.date())}")
