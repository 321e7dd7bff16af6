"""Partners report their own outreach (issue 25): a report waits outside every figure until the
operator approves it; the form and a partner's file are checked by the importer in its own words;
abuse and mistakes are refused or flagged; the partner account sees its own page only.

The stores are real (SQLite, or PostgreSQL when BULUKUMBA_DB_URL names one: conftest's `engine`).
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from apptest_support import open_app
from bulukumba.server import auth
from bulukumba import figures, disclosure, importer, reports
from bulukumba.presentation import navigation
from bulukumba.storage import store
from conftest import new_store_url

TANAH_TOWA = "73.02.06.2006"   # Kajang
KINDANG = "73.02.08.2003"      # Kindang
DAY = dt.date(2018, 3, 14)


def registry(engine, wajib: int = 3112, rekam: int = 2480) -> None:
    """One registry date for every village (Tanah Towa: `wajib`/`rekam`), through the importer."""
    with engine.connect() as conn:
        codes = list(conn.execute(sa.select(store.desa.c.kode).order_by(store.desa.c.kode)).scalars())
    lines = ["Kode Desa;Tanggal;Wajib KTP;Sudah Rekam"]
    lines += [f"{k};31/03/2018;{wajib if k == TANAH_TOWA else 2000};{rekam if k == TANAH_TOWA else 1700}"
              for k in codes]
    result = importer.import_bytes(("\n".join(lines) + "\n").encode(), "registri.csv", "registri", engine,
                                   oleh="uji")
    assert result.ok, result.pesan


def entry(**changes) -> reports.FormEntry:
    values = dict(tanggal=DAY.isoformat(), desa_kode=TANAH_TOWA, layanan="rekam_ektp", cara="jemput_bola",
                  jumlah="12", lansia="3", disabilitas="2", catatan="hujan, tetap jalan")
    values.update(changes)
    return reports.FormEntry(**values)


def sent(engine, partner: str = "ppdi", **changes) -> int:
    sub = reports.check_form(entry(**changes), partner, engine)
    assert sub.ok, [reports.describe(e) for e in sub.errors]
    return reports.send(sub, f"uji-{partner}", engine)


def board(engine) -> dict[str, int]:
    figures.clear_memo()
    frame = figures.partner_leaderboard(engine=engine)
    return dict(zip(frame["kode"], frame["jumlah"]))


# ---------------------------------------------------------------------------------------------
# Figures before and after approval (both databases)
# ---------------------------------------------------------------------------------------------

def test_a_report_counts_nowhere_until_approved_then_everywhere_and_leaves_when_withdrawn(engine):
    registry(engine)
    public_before = disclosure.public_view(engine=engine).mitra.copy()
    version = figures.data_version(engine)
    kid = sent(engine)
    assert figures.data_version(engine) == version  # nothing any page shows has changed
    assert board(engine).get("ppdi", 0) == 0
    assert figures.partner_own("ppdi", engine=engine).empty
    assert disclosure.public_view(engine=engine).mitra.equals(public_before)
    [row] = reports.queue(engine).itertuples()
    assert (row.id, row.mitra_kode, row.status, row.jumlah, row.rentan, row.desa) == \
        (kid, "ppdi", "menunggu", 12, 5, "Tanah Towa")

    batch = reports.approve(kid, "uji-operator", engine)
    assert figures.data_version(engine) > version  # open pages see it on their next refresh tick
    assert board(engine)["ppdi"] == 12
    own = figures.partner_own("ppdi", engine=engine)
    assert own[["kecamatan", "layanan", "jumlah", "rentan", "desa"]].values.tolist() == \
        [["Kajang", "rekam_ektp", 12, 5, 1]]
    public_after = disclosure.public_view(engine=engine).mitra.set_index("kode")
    assert public_after.loc["ppdi", "jumlah"] == 12
    assert reports.submissions(engine).loc[0, "status"] == "disetujui"

    assert "ditarik" in reports.withdraw(kid, "uji-operator", engine)
    assert board(engine).get("ppdi", 0) == 0
    with engine.connect() as conn:
        assert conn.execute(sa.select(store.impor.c.status).where(store.impor.c.id == batch)).scalar() == "dibatalkan"
    steps = reports.history(engine)
    assert list(steps["aksi"]) == ["ditarik", "disetujui", "dikirim"]
    assert list(steps["oleh"]) == ["uji-operator", "uji-operator", "uji-ppdi"]


def test_a_returned_report_carries_its_reason_and_never_counts(engine):
    registry(engine)
    kid = sent(engine)
    with pytest.raises(reports.Refused, match="Tulis alasan"):
        reports.send_back(kid, "  ", "uji-operator", engine)
    reports.send_back(kid, "Tanggal salah, kegiatan itu tanggal 15", "uji-operator", engine)
    mine = reports.submissions(engine, partner="ppdi")
    assert (mine.loc[0, "status"], mine.loc[0, "alasan"]) == ("dikembalikan", "Tanggal salah, kegiatan itu tanggal 15")
    with pytest.raises(reports.Refused, match="sudah dikembalikan"):
        reports.approve(kid, "uji-operator", engine)
    assert board(engine).get("ppdi", 0) == 0
    # Returned rows may be sent again, corrected.
    assert sent(engine, tanggal="2018-03-15")


def test_undoing_the_approved_batch_on_kelola_shows_the_report_as_withdrawn(engine):
    registry(engine)
    kid = sent(engine)
    batch = reports.approve(kid, "uji-operator", engine)
    importer.undo_import(batch, engine, "uji-operator")
    assert reports.submissions(engine).loc[0, "status"] == "ditarik"
    assert sent(engine)  # no longer "reported": the same rows may come again


# ---------------------------------------------------------------------------------------------
# The importer's checks, in its words
# ---------------------------------------------------------------------------------------------

def test_the_form_is_refused_for_the_importers_reasons_in_the_importers_words(engine):
    sub = reports.check_form(entry(tanggal="2099-01-19", jumlah="", layanan="potong rambut"), "ppdi", engine)
    assert not sub.ok
    same = importer.validate(("Tanggal;Mitra;Kode Desa;Layanan;Jumlah;Cara;Rentan\n"
                              f"2099-01-19;PPDI;{TANAH_TOWA};potong rambut;;jemput_bola;umum\n").encode(),
                             "sama.csv", "kegiatan", engine)
    assert sorted(reports.describe(e) for e in sub.errors) == sorted(reports.describe(e) for e in same.errors)
    assert "Tanggal: tanggal 19 Januari 2099 belum lewat (di masa depan)" in map(reports.describe, sub.errors)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.kiriman)).scalar_one() == 0


@pytest.mark.parametrize("note", ["NIK 7302061204870001 sudah direkam", "Nama: Hasnah, lansia",
                                  "alamat Jl. Poros Kajang no 4"])
def test_the_note_is_checked_for_personal_data(engine, note):
    sub = reports.check_form(entry(catatan=note), "ppdi", engine)
    assert not sub.ok and any(e.kolom == "Catatan" for e in sub.errors), sub.errors


def test_a_note_naming_a_place_is_no_personal_data(engine):
    assert reports.check_form(entry(catatan="nama desa di papan salah tulis"), "ppdi", engine).ok


def test_of_whom_elderly_and_disabled_cannot_exceed_those_served(engine):
    sub = reports.check_form(entry(jumlah="4", lansia="3", disabilitas="2"), "ppdi", engine)
    assert [reports.describe(e) for e in sub.errors] == \
        ["Di antaranya: lansia 3 + disabilitas 2 lebih besar dari warga dilayani 4"]


# ---------------------------------------------------------------------------------------------
# Abuse and mistakes
# ---------------------------------------------------------------------------------------------

def partner_file(*rows: str) -> bytes:
    return ("\ufeffTanggal;Mitra;Kode Desa;Layanan;Jumlah;Cara;Rentan\r\n" + "\r\n".join(rows) + "\r\n").encode()


def test_a_partner_cannot_report_for_another_partner_or_outside_the_regency(engine):
    with engine.begin() as conn:  # a village of the neighbouring regency, in the same store
        conn.execute(store.kabupaten.insert().values(kode="73.03", nama="Sinjai"))
        conn.execute(store.kecamatan.insert().values(kode="73.03.01", nama="Sinjai Barat", kabupaten_kode="73.03"))
        conn.execute(store.desa.insert().values(kode="73.03.01.2001", nama="Turungan Baji", jenis="desa",
                                                kecamatan_kode="73.03.01", lat=-5.2, lng=120.1, luas_km2=9.0))
    sub = reports.check_file(partner_file(f"14/03/2018;PPDI;{TANAH_TOWA};rekam_ektp;5;jemput_bola;umum",
                                          f"14/03/2018;TP PKK;{KINDANG};akta_kematian;2;dasa_wisma;umum",
                                          "14/03/2018;PPDI;73.03.01.2001;rekam_ektp;3;jemput_bola;umum"),
                             "rekap-ppdi.csv", "ppdi", engine)
    assert not sub.ok
    found = {(e.baris, e.kolom, e.jenis) for e in sub.errors}
    assert found == {(3, "Mitra", "mitra lain"), (4, "Kode Desa", "desa di luar wilayah")}
    with pytest.raises(reports.Refused):
        reports.send(sub, "uji-ppdi", engine)


def test_duplicates_are_caught_in_a_second_form_and_a_second_upload(engine):
    sent(engine)
    again = reports.check_form(entry(), "ppdi", engine)
    assert not again.ok and {e.jenis for e in again.errors} == {"sudah dilaporkan"}
    content = partner_file(f"20/03/2018;PPDI;{KINDANG};rekam_ektp;5;jemput_bola;umum")
    first = reports.check_file(content, "maret.csv", "ppdi", engine)
    reports.send(first, "uji-ppdi", engine)
    second = reports.check_file(content, "maret (1).csv", "ppdi", engine)
    assert {e.jenis for e in second.errors} == {"sudah pernah dikirim", "sudah dilaporkan"}
    # Another partner's identical activity is its own, not a duplicate.
    assert sent(engine, partner="pkk")


def test_the_operator_is_flagged_more_recorded_than_unrecorded_and_rows_already_imported(engine):
    registry(engine, wajib=3112, rekam=3100)  # 12 unrecorded in Tanah Towa
    kid = sent(engine, jumlah="13", lansia="0", disabilitas="0")
    imported = importer.import_bytes(partner_file(f"20/03/2018;PPDI;{KINDANG};kk;4;jemput_bola;umum"),
                                     "kertas.csv", "kegiatan", engine, oleh="uji-operator")
    assert imported.ok
    other = sent(engine, tanggal="2018-03-20", desa_kode=KINDANG, layanan="kk", jumlah="4", lansia="0",
                 disabilitas="0")
    flags = dict(zip(reports.queue(engine)["id"], reports.queue(engine)["tanda"]))
    assert flags[kid] == ["Tanah Towa Maret 2018: 13 warga direkam, lebih banyak dari 12 warga yang belum rekam di sana"]
    assert flags[other] == [f"Kindang 20 Maret 2018 (Kartu Keluarga (KK)): mungkin ganda, sudah ada di impor "
                            f"#{imported.impor_id}"]
    assert sent(engine, tanggal="2018-03-21", jumlah="12", lansia="0", disabilitas="0") and \
        reports.queue(engine)["tanda"].iloc[0] == []  # 12 of 12: plausible


def test_drafts_are_kept_per_account(engine):
    reports.save_draft("uji-ppdi", {"desa_kode": TANAH_TOWA, "jumlah": "7"}, engine)
    reports.save_draft("uji-ppdi", {"desa_kode": KINDANG, "jumlah": "8"}, engine)
    assert reports.load_draft("uji-ppdi", engine) == {"desa_kode": KINDANG, "jumlah": "8"}
    assert reports.load_draft("uji-pkk", engine) == {}
    reports.clear_draft("uji-ppdi", engine)
    assert reports.load_draft("uji-ppdi", engine) == {}


# ---------------------------------------------------------------------------------------------
# Schema 7, accounts
# ---------------------------------------------------------------------------------------------

def test_a_store_of_schema_6_gains_the_report_tables_on_start(tmp_path, regions):
    from bulukumba.storage import reference

    url = new_store_url(tmp_path, "skema6")
    engine = store.make_engine(url)
    reference.ensure_reference(engine, regions)
    with engine.begin() as conn:
        for table in ("kiriman_riwayat", "kiriman_baris", "kiriman", "konsep_laporan"):
            conn.exec_driver_sql(f"DROP TABLE {table}")
        conn.execute(store.meta.update().where(store.meta.c.kunci == "skema").values(nilai=6))
    engine.dispose()
    engine = store.make_engine(url)
    with engine.connect() as conn:
        assert store.schema_version(conn) == store.SCHEMA_VERSION == 7
        assert {"kiriman", "kiriman_baris", "kiriman_riwayat", "konsep_laporan"} <= set(sa.inspect(conn).get_table_names())
    assert sent(engine)
    engine.dispose()


def test_a_partner_account_names_its_partner_and_may_upload_but_not_import():
    hashed = "$2b$04$" + "a" * 53
    users = auth.users_from_secrets({"pengguna": {"ppdi": {"peran": "mitra", "mitra": "PPDI", "hash_sandi": hashed},
                                                  "kadis": {"peran": "pimpinan", "hash_sandi": hashed}}})
    partner, head = users["ppdi"][0], users["kadis"][0]
    assert (partner.mitra, partner.can_upload, partner.can_import) == ("PPDI", True, False)
    assert (head.mitra, head.can_upload) == (None, False)
    with pytest.raises(auth.ConfigError, match="peran mitra perlu"):
        auth.users_from_secrets({"pengguna": {"x": {"peran": "mitra", "hash_sandi": hashed}}})
    assert [p.path for p in navigation.PAGES if p.open_to("mitra")] == ["publik", "masuk", "proyektor", "laporan"]


def test_the_partner_named_in_secrets_is_found_by_code_or_name(engine):
    assert reports.resolve_partner("PPDI", engine) == "ppdi"
    assert reports.resolve_partner("PPDI Bulukumba", engine) == "ppdi"
    assert reports.resolve_partner("Organisasi Lain", engine) is None


# ---------------------------------------------------------------------------------------------
# Role boundaries, run by Streamlit (AppTest)
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def office(engine, monkeypatch):
    registry(engine)
    monkeypatch.setenv("BULUKUMBA_DB_URL", str(engine.url.render_as_string(hide_password=False)))
    return engine


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def open_address(path: str, role: str | None, engine):
    """The dashboard opened at /<path> as typed into the address bar: the page registered under
    that URL path (for an audience that does not open it: the frame's hidden placeholder)."""
    at = open_app(role=role, db_url=url_of(engine))
    [page_hash] = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == path]
    at._page_hash = page_hash
    at.run()
    return at


@pytest.mark.parametrize("path", ["ringkasan", "peta", "mitra", "gertak", "unduh", "kelola"])
def test_a_partner_opening_a_staff_page_by_its_address_stays_on_its_own_page(office, path):
    at = open_address(path, "mitra", office)
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Laporan mitra"]
    title = navigation.BY_PATH[path].title
    assert f"Halaman {title} hanya untuk staf Disdukcapil." in [i.value for i in at.info]


def test_a_partner_sent_to_a_staff_page_after_signing_in_lands_on_its_own_page(office):
    at = open_app(query={"ke": "/ringkasan?kec=73.02.06"}, role="mitra", db_url=url_of(office))
    assert [t.value for t in at.title] == ["Laporan mitra"]
    assert "Halaman Ringkasan hanya untuk staf Disdukcapil." in [i.value for i in at.info]


@pytest.mark.parametrize("role", ["pimpinan", "operator"])
def test_staff_opening_the_partner_page_are_told_it_is_for_partners(office, role):
    at = open_address("laporan", role, office)
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Ringkasan perekaman e-KTP"]
    assert "Halaman Laporan mitra hanya untuk akun mitra." in [i.value for i in at.info]


def test_a_visitor_opening_the_partner_page_is_sent_to_sign_in(office):
    at = open_address("laporan", None, office)
    assert at.query_params.get("ke") in (["/laporan"], "/laporan")


def texts_of(at) -> str:
    return "\n".join([*(h.proto.body for h in at.get("html")), *(m.value for m in at.markdown),
                      *(w.value for w in at.warning)])


def test_a_partner_sees_its_own_reports_and_figures_never_another_partners(office):
    own = sent(office)
    reports.send_back(own, "Periksa jumlah lansia", "uji-operator", office)
    other = sent(office, partner="pkk", desa_kode=KINDANG, jumlah="77", lansia="0", disabilitas="0")
    at = open_app(role="mitra", db_url=url_of(office))
    assert not at.exception, at.exception
    shown = texts_of(at)
    assert "Laporan #1 dikembalikan: Periksa jumlah lansia" in shown
    assert "Kindang" not in shown and "77" not in shown and f">{other}<" not in shown
    assert "PPDI Bulukumba" in at.caption[0].value


def fill(at, **values):
    for key, value in values.items():
        widget = at.get("date_input" if key == "tanggal" else "selectbox" if key in ("desa_kode", "layanan", "cara")
                        else "number_input" if key in ("jumlah", "lansia", "disabilitas") else "text_area")
        [w] = [w for w in widget if w.key == f"lapor-{key}"]
        w.set_value(value)
        at.run()
        assert not at.exception, at.exception
    return at


def test_the_form_sends_a_report_that_waits_and_keeps_its_draft_across_a_reload(office):
    at = open_app(role="mitra", db_url=url_of(office))
    fill(at, tanggal=DAY, desa_kode=TANAH_TOWA, layanan="rekam_ektp", jumlah=9, lansia=2)
    assert json.loads(json.dumps(reports.load_draft("uji-mitra", office)))["desa_kode"] == TANAH_TOWA
    again = open_app(role="mitra", db_url=url_of(office))  # a lost connection: a new session
    [village] = [s for s in again.selectbox if s.key == "lapor-desa_kode"]
    [served] = [n for n in again.number_input if n.key == "lapor-jumlah"]
    assert (village.value, served.value) == (TANAH_TOWA, 9)
    assert not again.warning and not again.exception  # no widget default fighting the draft
    [send] = [b for b in again.button if b.key == "lapor-kirim"]
    send.click()
    again.run()
    assert not again.exception, again.exception
    assert [s.value for s in again.success] == ["Laporan #1 terkirim: menunggu verifikasi operator. Statusnya ada "
                                               "di Laporan saya."]
    [row] = reports.queue(office).itertuples()
    assert (row.jumlah, row.rentan, row.pengguna) == (9, 2, "uji-mitra")
    assert reports.load_draft("uji-mitra", office) == {}


def test_a_form_with_nothing_in_it_is_no_draft_and_no_restored_note(office):
    """After a report is sent the form resets, and the reset can report itself as a change: an
    empty form kept as a draft made the next visit say an unsent draft was restored (a CI run
    found it in the store). An empty form clears the draft; an empty one an older version kept
    is not announced. The form's defaults alone are nothing typed either."""
    empty = {f: "" for f in ("tanggal", "desa_kode", "layanan", "cara", "jumlah", "lansia", "disabilitas",
                             "catatan")}
    reports.save_draft("uji-mitra", {"desa_kode": TANAH_TOWA, "jumlah": "7"}, office)
    reports.save_draft("uji-mitra", empty, office)
    assert reports.load_draft("uji-mitra", office) == {}
    with office.begin() as conn:  # as an older version kept it
        conn.execute(store.konsep_laporan.insert().values(pengguna="uji-mitra", isi=json.dumps(empty),
                                                           waktu=dt.datetime(2018, 3, 14, 9)))
    def restored_note(at) -> bool:
        assert not at.exception, at.exception
        return any("dipulihkan" in c.value for c in at.caption)

    assert not restored_note(open_app(role="mitra", db_url=url_of(office)))
    reports.save_draft("uji-mitra", {**empty, "cara": "jemput_bola", "lansia": "0"}, office)  # the defaults
    assert reports.load_draft("uji-mitra", office) == {}
    reports.save_draft("uji-mitra", {**empty, "jumlah": "7"}, office)
    assert restored_note(open_app(role="mitra", db_url=url_of(office)))


def test_the_form_shows_the_importers_words(office):
    at = fill(open_app(role="mitra", db_url=url_of(office)), desa_kode=TANAH_TOWA, jumlah=3)
    [send] = [b for b in at.button if b.key == "lapor-kirim"]
    send.click()
    at.run()
    assert "Tanggal: kosong; kolom ini wajib diisi" in texts_of(at)
    assert "Layanan: kosong; isi salah satu:" in texts_of(at)
    assert reports.queue(office).empty


def test_the_operator_approves_and_returns_from_the_queue_on_kelola(office):
    first = sent(office)
    second = sent(office, desa_kode=KINDANG, jumlah="5", lansia="0", disabilitas="0")
    at = open_app("pages/kelola.py", role="operator", db_url=url_of(office))
    assert not at.exception, at.exception
    assert f"#{first} · PPDI Bulukumba · 12 warga · Tanah Towa" in [e.label for e in at.expander]
    [approve] = [b for b in at.button if b.key == f"antrian-setujui-{first}"]
    approve.click()
    at.run()
    assert not at.exception, at.exception
    assert board(office)["ppdi"] == 12
    [reason] = [t for t in at.text_input if t.key == f"antrian-alasan-{second}"]
    reason.set_value("Desa salah: kegiatan di Kahayya")
    [form_button] = [b for b in at.get("form_submit_button") if b.label == "Kembalikan"]
    form_button.click()
    at.run()
    assert not at.exception, at.exception
    statuses = reports.submissions(office).set_index("id")
    assert statuses.loc[first, "status"] == "disetujui"
    assert (statuses.loc[second, "status"], statuses.loc[second, "alasan"]) == \
        ("dikembalikan", "Desa salah: kegiatan di Kahayya")
    assert board(office)["ppdi"] == 12
    assert list(reports.history(office)["oleh"][:2]) == ["uji-operator", "uji-operator"]


@pytest.mark.slow
@pytest.mark.both_databases
def test_a_partner_uploads_its_own_spreadsheet_and_another_partners_row_is_refused(office, monkeypatch):
    from bulukumba.importer import batch, reading
    from bulukumba.reports import checks as report_checks

    def refuse(*_args, **_kwargs):
        raise AssertionError("the server process parsed the upload")

    # The file is checked in a worker process, as on Kelola data: the server never parses it.
    for module, name in ((batch, "validate"), (reading, "open_table"), (report_checks, "validate")):
        monkeypatch.setattr(module, name, refuse)
    at = open_app(role="mitra", db_url=url_of(office))
    mixed = partner_file(f"14/03/2018;PPDI;{TANAH_TOWA};rekam_ektp;5;jemput_bola;umum",
                         f"14/03/2018;TP PKK;{KINDANG};akta_kematian;2;dasa_wisma;umum")
    at.file_uploader(key="lapor-berkas").set_value(("rekap.csv", mixed, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    assert "Berkas DITOLAK; tidak ada yang dikirim." in [e.value for e in at.error]
    [problems] = [d.value for d in at.dataframe if "Masalah" in d.value.columns]
    assert problems.values.tolist() == [[3, "Mitra", "mitra Tim Penggerak PKK bukan mitra akun ini "
                                                     "(PPDI Bulukumba); laporkan hanya kegiatan PPDI Bulukumba"]]
    own = partner_file(f"14/03/2018;PPDI;{TANAH_TOWA};rekam_ektp;5;jemput_bola;umum")
    at.file_uploader(key="lapor-berkas").set_value(("rekap.csv", own, "text/csv"))
    at.run()
    [send] = [b for b in at.button if b.key == "lapor-kirim-berkas"]
    send.click()
    at.run()
    assert "Laporan #1 terkirim: menunggu verifikasi operator." in [s.value for s in at.success]
    assert reports.queue(office)[["sumber", "nama_file", "jumlah"]].values.tolist() == [["berkas", "rekap.csv", 5]]


def test_a_partner_opens_its_account_page(office):
    at = open_app("pages/masuk.py", role="mitra", db_url=url_of(office))
    assert not at.exception, at.exception


def test_an_approved_report_shows_on_the_partners_page_and_is_withdrawn_from_the_queue(office):
    kid = sent(office)
    before = open_app(role="mitra", db_url=url_of(office))
    assert [m.value for m in before.metric][:3] == ["0", "0", "0"]
    reports.approve(kid, "uji-operator", office)
    after = open_app(role="mitra", db_url=url_of(office))
    assert [m.value for m in after.metric][:3] == ["12", "1", "5"]  # services, villages, vulnerable
    at = open_app("pages/kelola.py", role="operator", db_url=url_of(office))
    [chosen] = [s for s in at.selectbox if s.key == "antrian-tarik-id"]
    assert chosen.options == [f"#{kid} · PPDI Bulukumba · impor #{reports.submissions(office).loc[0, 'impor_id']}"]
    [sure] = [c for c in at.checkbox if c.key == "antrian-tarik-yakin"]
    sure.check()
    [withdraw] = [b for b in at.get("form_submit_button") if b.label == "Tarik laporan"]
    withdraw.click()
    at.run()
    assert not at.exception, at.exception
    assert reports.submissions(office).loc[0, "status"] == "ditarik"
    assert board(office).get("ppdi", 0) == 0
    assert [m.value for m in open_app(role="mitra", db_url=url_of(office)).metric][:3] == ["0", "0", "0"]
