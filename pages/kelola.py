"""Kelola data (operator): templates, upload with a validation report first, column mapping,
import history and undo, remembered column mappings.

Everything that comes from a file (its name, sheet, headers, cell values) is shown as plain text:
in tables, in `st.text`, or escaped (`plain`) where Streamlit renders Markdown.
"""
import hashlib
import re

import streamlit as st

from bulukumba.presentation import contact
from bulukumba import figures, importer, web
from bulukumba.language import fmt, texts
from bulukumba.importer import changes, mapping

MAX_SELECTS = 30  # columns offered for mapping one by one; more is not a file to map by hand


def plain(text: object) -> str:
    """File-derived text for a Markdown context, shown literally: no links, images, emphasis,
    emoji or icon shortcodes (a header `![t](http://…)` must not make the browser fetch it)."""
    text = " ".join(str(text).split())
    text = re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$&=\"'])", r"\\\1", text)
    return text.replace(":", ":\u2060").replace("/", "/\u2060")


def said(message: str, file_name: str) -> str:
    """One of the importer's own sentences, with the file name in it made plain text."""
    quoted = importer.show(file_name)
    return message.replace(quoted, plain(quoted)) if quoted in message else plain(message)


# No web.filters(): that stops a store with no figures, and this page is where figures come from.
engine = web.engine()
user = web.current_user()
web.header("Kelola data")
if user is None or not user.can_import:  # the frame does not list this page for others either
    st.error("Halaman ini hanya untuk operator.")
    st.stop()

# What residents look for on the public page and do not find: the operator can fill it in.
try:
    if notice := contact.staff_notice(contact.load()):
        st.info(notice, icon=":material/contact_phone:")
except contact.ContactError as problem:
    st.warning(f"Data kantor tidak terbaca: {problem}", icon=":material/error:")

st.header("Impor berkas", anchor=False)
st.caption(texts.IMPOR_PENGANTAR)

with st.expander(texts.IMPOR_TEMPLAT_JUDUL, icon=":material/description:"):
    st.caption(texts.IMPOR_TEMPLAT_PENGANTAR)
    for tab, kind in zip(st.tabs([texts.JENIS_IMPOR[k] for k in importer.KINDS]), importer.KINDS):
        with tab:
            st.dataframe(importer.column_help(kind), hide_index=True, width="stretch",
                         key=f"kelola-kolom-{kind}")
            left, right = st.columns(2)
            left.download_button("Unduh templat CSV", lambda k=kind: importer.template_bytes(k, "csv"),
                                 file_name=f"templat-{kind}.csv", mime="text/csv", on_click="ignore",
                                 key=f"kelola-templat-{kind}-csv", icon=":material/download:",
                                 width="stretch")
            right.download_button("Unduh templat XLSX", lambda k=kind: importer.template_bytes(k, "xlsx"),
                                  file_name=f"templat-{kind}.xlsx", on_click="ignore",
                                  mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                  key=f"kelola-templat-{kind}-xlsx", icon=":material/download:",
                                  width="stretch")
    st.markdown("\n".join(f"- {note}" for note in texts.IMPOR_CATATAN))

kind = st.selectbox("Jenis berkas", [None, *importer.KINDS], key="kelola-jenis",
                    format_func=lambda k: "Kenali dari judul kolom" if k is None else texts.JENIS_IMPOR[k])
limits = importer.Limits.from_config()
max_mb = max(1, round(limits.max_bytes / 1_000_000))
# The uploader's own words ("Upload", "200MB per file") are English and Streamlit has no setting
# for them: CSS puts Indonesian in their place.
st.html(f"""<style>
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p,
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] p::after {{
  content: "{texts.IMPOR_UNGGAH_TOMBOL}"; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: "{texts.IMPOR_UNGGAH_BATAS.format(mb=max_mb)}"; font-size: 0.875rem; }}
</style>""")
# No `type=`: a PDF or a screenshot is taken and answered in Indonesian (what it is, what to send
# instead) rather than refused by the browser in English.
upload = st.file_uploader(texts.IMPOR_UNGGAH, key="kelola-berkas",
                          help=texts.IMPOR_UNGGAH_BANTUAN,
                          max_upload_size=max_mb)


def show_problems(report) -> None:
    """The first hundred problems, and every problem counted by kind."""
    listed = report.errors
    st.dataframe([{"Baris": e.baris or "", "Kolom": e.kolom or "", "Masalah": e.pesan} for e in listed],
                 hide_index=True, width="stretch", key="kelola-kesalahan")
    if report.error_count > len(listed) or len(report.problems.kinds()) > 1:
        st.caption(f"{fmt.number(len(listed))} kesalahan pertama dari {fmt.number(report.error_count)}; "
                   f"semuanya menurut jenis:")
        st.dataframe([{"Kolom": kolom or "", "Jenis kesalahan": jenis, "Jumlah": n}
                      for kolom, jenis, n in report.problems.kinds()],
                     hide_index=True, width="stretch", key="kelola-jenis-kesalahan")


def plain_table(rows: list[dict]) -> None:
    """A table whose text wraps (a grid cuts long text at 1366 px). st.table reads its cells as
    Markdown, so every cell is made plain text (file text included: a header may be a link)."""
    st.table([{column: plain(value) for column, value in row.items()} for row in rows], hide_index=True)


def show_warnings(warnings, saved: bool = False) -> None:
    """The checks' notes: the JUMLAH row's check first, on its own line; the rest in a table
    whose text wraps (a grid cuts long messages), each with its row(s)."""
    if not warnings:
        return
    total = [w for w in warnings if w.jenis == "baris jumlah"]
    rest = [w for w in warnings if w.jenis != "baris jumlah"]
    for w in total:
        st.info(plain(str(w)), icon=":material/functions:")
    if not rest:
        return
    rows = [{"Baris": w.rows_label, "Kolom": w.kolom or "", "Peringatan": w.pesan} for w in rest]
    if saved:
        with st.expander(texts.IMPOR_PERINGATAN_SESUDAH.format(n=fmt.number(len(rest)))):
            plain_table(rows)
        return
    st.warning(texts.IMPOR_PERINGATAN_SEBELUM.format(n=fmt.number(len(rest))), icon=":material/info:")
    plain_table(rows)


def show_changes(report, saved: bool = False) -> None:
    """What saving a registry file changes: its dates and villages, the regency totals it brings
    beside the store's now and after; for a replacement, the villages whose figures change."""
    preview = report.preview
    if preview is None:
        return
    st.subheader(texts.IMPOR_TERSIMPAN_JUDUL if saved else texts.IMPOR_PRATINJAU_JUDUL, anchor=False)
    st.markdown(plain(changes.preview_sentence(preview)))
    plain_table(changes.preview_table(preview, saved=saved))
    if preview.contoh and not saved:
        st.caption(texts.IMPOR_PRATINJAU_CONTOH)
    over = report.replaces
    if over is not None and not saved:
        st.warning(plain(importer.replacement(report)), icon=":material/swap_horiz:")
        if over.perubahan:
            plain_table(changes.change_rows(over))
            if over.berubah > len(over.perubahan):
                st.caption(texts.IMPOR_PERUBAHAN_LAINNYA.format(n=fmt.number(over.berubah - len(over.perubahan))))


def column_mapping(report, file_key: str) -> None:
    """A select box for every unrecognised or ambiguous column; the answers are remembered."""
    unresolved = report.unresolved
    st.header(texts.IMPOR_PEMETAAN_JUDUL, anchor=False)
    st.caption(texts.IMPOR_PEMETAAN_PENGANTAR)
    recognised = [c for c in report.plan.columns if c.resolved]
    if recognised:
        with st.expander(f"{fmt.number(len(recognised))} kolom sudah jelas artinya"):
            st.dataframe([{"Kolom ke-": c.index + 1, "Judul di berkas": c.header,
                           "Dibaca sebagai": mapping.choice_label(c.target), "Karena": c.how}
                          for c in recognised], hide_index=True, width="stretch",
                         key="kelola-kolom-dikenali")
    if len(unresolved) > MAX_SELECTS:
        st.info(f"{fmt.number(len(unresolved))} kolom belum jelas artinya; {MAX_SELECTS} pertama "
                f"ditampilkan. Bila berkas ini memang benar, centang '{texts.IMPOR_PEMETAAN_ABAIKAN_LAIN}'.",
                icon=":material/info:")
    targets = mapping.choice_targets(report.jenis)
    with st.form("kelola-pemetaan"):
        for c in unresolved[:MAX_SELECTS]:
            left, right = st.columns([3, 2], vertical_alignment="center")
            with left:
                st.text(f"Kolom ke-{c.index + 1}: {c.header}")
                samples = report.samples.get(c.index) or []
                why = "arti ganda" if c.candidates else "tidak dikenali"
                st.caption(plain(f"{why}; contoh isi: {', '.join(samples) if samples else '(kosong)'}"))
            options = [None, *c.candidates, importer.IGNORE,
                       *(t for t in targets if t not in c.candidates and t != importer.IGNORE)]
            right.selectbox(f"Arti kolom ke-{c.index + 1}", options, key=f"kelola-peta-{file_key}-{c.index}",
                            label_visibility="collapsed",
                            format_func=lambda t: texts.IMPOR_PEMETAAN_PILIH if t is None else
                            f"{mapping.choice_label(t)}" + ("" if t == importer.IGNORE else f" ({t})"))
        st.checkbox(texts.IMPOR_PEMETAAN_ABAIKAN_LAIN, key=f"kelola-abaikan-{file_key}")
        applied = st.form_submit_button(texts.IMPOR_PEMETAAN_TERAPKAN, type="primary",
                                        icon=":material/check:")
    if applied:
        choices = [(c.header, st.session_state.get(f"kelola-peta-{file_key}-{c.index}"))
                   for c in unresolved[:MAX_SELECTS]]
        choices = [(header, target) for header, target in choices if target is not None]
        if choices:
            mapping.remember_choices(engine, report.jenis, choices, user.username)
        st.session_state.pop("kelola-laporan", None)
        st.rerun()


def check_upload(content: bytes, name: str, wanted: tuple):
    """The file's report, checked in a worker process (the server never parses an upload);
    None when the check was cancelled or stopped at a limit (said on the page)."""
    cached = st.session_state.get("kelola-laporan")
    if cached and cached[0] == wanted:
        return cached[1]
    stopped = st.session_state.get("kelola-berhenti")
    if stopped and stopped[0] == wanted:  # cancelled or refused: not checked again by itself
        (st.info if stopped[1] == "dibatalkan" else st.error)(stopped[2])
        if st.button(texts.IMPOR_PERIKSA_LAGI, key="kelola-periksa-lagi", icon=":material/refresh:"):
            st.session_state.pop("kelola-berhenti", None)
            st.rerun()
        return None
    outcome = web.imports.follow(("periksa", wanted), lambda: web.imports.start(
        content, name, kind, engine, key=("periksa", wanted), ignore_rest=wanted[2]),
        texts.IMPOR_MEMERIKSA)
    if outcome.status != "selesai":
        st.session_state["kelola-berhenti"] = (wanted, outcome.status, outcome.message)
        st.rerun()
    st.session_state["kelola-laporan"] = (wanted, outcome.result.report)
    return outcome.result.report


def write_upload(content: bytes, name: str, wanted: tuple, fingerprint: str, replace: int | None) -> None:
    """Check the file again and write it (replacing import #`replace`), in a worker process."""
    outcome = web.imports.follow(("tulis", wanted, replace), lambda: web.imports.start(
        content, name, kind, engine, key=("tulis", wanted, replace), ignore_rest=wanted[2], write=True,
        oleh=user.username, replace=replace), texts.IMPOR_MENULIS)
    st.session_state.pop("kelola-tulis", None)
    if outcome.status != "selesai":
        (st.info if outcome.status == "dibatalkan" else st.error)(outcome.message)
        return
    st.session_state["kelola-hasil"] = (fingerprint, outcome.result)
    st.session_state.pop("kelola-laporan", None)
    st.rerun()


if upload is not None:
    content = upload.getvalue()
    fingerprint = hashlib.sha256(content).hexdigest()
    saved = st.session_state.get("kelola-hasil")
    if saved and saved[0] == fingerprint:  # this very file was just saved: say what was saved, once
        result = saved[1]
        (st.success if result.ok else st.error)(said(result.pesan, upload.name))
        if not result.ok:
            show_problems(result.report)
            show_warnings(result.warnings)
        else:
            show_changes(result.report, saved=True)
            show_warnings(result.warnings, saved=True)
    else:
        ignore_rest = bool(st.session_state.get(f"kelola-abaikan-{fingerprint[:16]}"))
        wanted = (fingerprint, kind, ignore_rest, figures.data_version(engine))
        report = check_upload(content, upload.name, wanted)
        if report is not None and report.unresolved and report.jenis:
            column_mapping(report, fingerprint[:16])
        if report is not None and report.same_as is not None and not report.problems:
            # two file names in it (this one, the earlier import's): the whole sentence plain text
            st.info(plain(importer.nothing_to_do(report)), icon=":material/task_alt:")
        elif report is not None and not report.ok:
            show_warnings(report.warnings)
            result = importer.format_report(report).splitlines()[0]
            st.error(said(result.replace("tidak lolos pemeriksaan", "DITOLAK"), upload.name))
            show_problems(report)
        elif report is not None:
            st.success(f"Berkas {plain(upload.name)} lolos pemeriksaan: {fmt.number(len(report.records))} "
                       f"baris {report.jenis} siap diimpor.")
            show_warnings(report.warnings)
            show_changes(report)
            replace = report.replaces.impor if report.replaces is not None else None
            label = (texts.IMPOR_GANTI_TOMBOL.format(impor=replace, baris=fmt.number(len(report.records)))
                     if replace is not None else f"Simpan {fmt.number(len(report.records))} baris ke basis data")
            if st.button(label, type="primary", key="kelola-simpan", icon=":material/save:"):
                st.session_state["kelola-tulis"] = (wanted, replace)
            if st.session_state.get("kelola-tulis") == (wanted, replace):
                write_upload(content, upload.name, wanted, fingerprint, replace)

st.header("Riwayat impor", anchor=False)
if "kelola-pesan" in st.session_state:
    st.success(st.session_state.pop("kelola-pesan"))
history = figures.import_history(engine)
shown = history.assign(
    jenis=history["jenis"].map(texts.JENIS_IMPOR),
    waktu=[fmt.timestamp(w) for w in history["waktu"]],
    status=history["status"].map({"aktif": "Aktif", "dibatalkan": "Dibatalkan"}),
    contoh=history["contoh"].map({True: "ya", False: ""}),
).rename(columns={"id": "Impor #", "nama_file": "Berkas", "jenis": "Jenis", "jumlah_baris": "Baris",
                  "waktu": "Waktu", "oleh": "Oleh", "status": "Status", "contoh": "Data contoh"})
web.show_table(shown, key="kelola-riwayat")

active = history[history["status"] == "aktif"]
if not active.empty:
    with st.form("kelola-batal"):
        st.markdown("**Batalkan impor**: angkanya keluar dari semua tampilan; catatannya tetap ada.")
        batch = st.selectbox("Impor", list(active["id"]), key="kelola-batal-id",
                             format_func=lambda i: f"#{i} · {active.set_index('id').loc[i, 'nama_file']}")
        sure = st.checkbox("Saya yakin", key="kelola-batal-yakin")
        if st.form_submit_button("Batalkan impor", icon=":material/undo:") and sure:
            st.session_state["kelola-pesan"] = importer.undo_import(int(batch), engine, user.username)
            st.rerun()

st.header(texts.IMPOR_PEMETAAN_DIINGAT, anchor=False)
remembered = mapping.listing(engine)
if remembered.empty:
    st.caption(texts.IMPOR_PEMETAAN_KOSONG)
else:
    st.dataframe(remembered.assign(
        jenis=remembered["jenis"].map(texts.JENIS_IMPOR),
        kolom=remembered["kolom"].map(mapping.choice_label),
        waktu=[fmt.timestamp(w) for w in remembered["waktu"]],
    ).rename(columns={"judul": "Judul kolom", "jenis": "Jenis berkas", "kolom": "Dibaca sebagai",
                      "oleh": "Oleh", "waktu": "Waktu"})[
        ["Judul kolom", "Jenis berkas", "Dibaca sebagai", "Oleh", "Waktu"]],
        hide_index=True, width="stretch", key="kelola-pemetaan-daftar")
    entries = list(zip(remembered["jenis"], remembered["judul_kunci"], remembered["judul"],
                       remembered["kolom"]))
    with st.form("kelola-pemetaan-hapus"):
        chosen = st.multiselect("Pemetaan yang dihapus", range(len(entries)), key="kelola-pemetaan-pilih",
                                format_func=lambda i: f"{entries[i][2]} → {mapping.choice_label(entries[i][3])} "
                                                      f"({entries[i][0]})")
        if st.form_submit_button(texts.IMPOR_PEMETAAN_HAPUS, icon=":material/delete:") and chosen:
            for i in chosen:
                mapping.forget(engine, entries[i][0], entries[i][1])
            st.session_state.pop("kelola-laporan", None)
            st.rerun()

web.verification_queue(engine, user)  # partners' reports waiting (bulukumba/web/antrian.py)
