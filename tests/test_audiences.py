"""Three audiences, each gets exactly what is theirs: visitors, the department head, operators."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

import apptest_support
from apptest_support import PROJECT, download, open_app, parse_angka, signed_in_user
from bulukumba.server import auth
from bulukumba import figures
from bulukumba.storage import reference, store

PASSWORD = "sandi-rapat-gertak"
HASH = auth.hash_password(PASSWORD, rounds=4)
SECRETS = {"pengguna": {
    "kadis": {"nama": "Kepala Dinas", "peran": "pimpinan", "hash_sandi": HASH},
    "op": {"nama": "Operator SIAK", "peran": "operator", "hash_sandi": HASH}}}


def visitor(secrets: dict | None = SECRETS) -> AppTest:
    """A browser session as it starts: nobody signed in (accounts as in secrets.toml)."""
    return open_app(role=None, secrets=secrets)


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """Open Masuk, send its form; the browser follows the sign-in route's answer."""
    at.switch_page("pages/masuk.py")
    at.run()
    assert any("action='akun/masuk'" in h.proto.body for h in at.get("html")), "no sign-in form"
    return apptest_support.sign_in(at, username, password)


def registered_pages(at: AppTest) -> set[str]:
    pages = set()
    for name in ("publik", "masuk", "ringkasan", "peta", "mitra", "gertak", "unduh", "kelola"):
        try:
            at.switch_page(f"pages/{name}.py")
            pages.add(name)
        except ValueError:
            pass
    return pages


def test_a_visitor_lands_on_the_public_page_and_nothing_internal_is_reachable(app_demo_store):
    at = visitor()
    assert not at.exception
    assert at.title[0].value == "Perekaman e-KTP Kabupaten Bulukumba"
    shown = {m.label: m.value for m in at.metric}
    assert parse_angka(shown["Wajib KTP"]) == figures.coverage_total(engine=app_demo_store).wajib_ktp
    assert registered_pages(at) == {"publik", "masuk"}
    assert not at.file_uploader and not at.date_input  # no uploader, no internal filters
    assert "Riwayat impor" not in [s.value for s in at.header]


def test_with_no_accounts_the_app_is_public_only_and_masuk_tells_a_visitor_only_what_they_need(app_demo_store):
    at = visitor(secrets=None)
    at.switch_page("pages/masuk.py")
    at.run()
    assert not at.text_input, "no sign-in form without accounts: there is no default password"
    shown = " ".join(e.value for e in at.info) + " ".join(e.value for e in at.markdown)
    assert "Halaman ini untuk petugas Disdukcapil" in shown
    for developer_words in ("python -m", "secrets.toml", "hash", "sandi"):  # how to add one: the README
        assert developer_words not in shown
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert "python -m bulukumba sandi" in readme and "secrets.toml" in readme


def test_a_wrong_password_is_refused(app_demo_store):
    at = sign_in(visitor(), "kadis", "bukan-sandinya")
    assert at.error[0].value == "Nama pengguna atau kata sandi salah."
    assert signed_in_user(at) is None
    assert registered_pages(at) == {"publik", "masuk"}


def test_the_department_head_sees_internal_pages_but_cannot_import(app_demo_store):
    at = sign_in(visitor(), "kadis", PASSWORD)
    assert signed_in_user(at).peran == "pimpinan"
    assert registered_pages(at) == {"publik", "masuk", "ringkasan", "peta", "mitra", "gertak", "unduh"}
    at.switch_page("pages/ringkasan.py")
    at.run()
    assert at.title[0].value == "Ringkasan perekaman e-KTP" and not at.file_uploader
    at.switch_page("pages/masuk.py")
    at.run()
    at = apptest_support.sign_out(at)
    assert signed_in_user(at) is None
    assert registered_pages(at) == {"publik", "masuk"}


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="kelola-berkas").upload(name, content, "text/csv")
    return at.run()


@pytest.mark.slow
@pytest.mark.both_databases
def test_an_operator_imports_a_file_and_can_undo_it(app_demo_store):
    at = sign_in(visitor(), "op", PASSWORD)
    at.switch_page("pages/kelola.py")
    at.run()
    tanah_towa = figures.coverage_villages(engine=app_demo_store).set_index("kode").loc["73.02.06.2006"]
    new_day = figures.latest_date(app_demo_store) + dt.timedelta(days=1)
    before = figures.coverage_total(new_day, engine=app_demo_store)

    bad = f"Kode Desa;Tanggal;WKTP;Rekam\n73.02.06.2006;{new_day:%d/%m/%Y};100;150\n".encode()
    at = upload(at, "salah.csv", bad)
    assert "DITOLAK" in at.error[0].value
    assert not [b for b in at.button if b.key == "kelola-simpan"]  # nothing to save

    good = (f"Kode Desa;Tanggal;WKTP;Rekam\n73.02.06.2006;{new_day:%d/%m/%Y};"
            f"{tanah_towa['wajib_ktp']};{tanah_towa['wajib_ktp']}\n").encode()
    at = upload(at, "siak.csv", good)
    assert "siap diimpor" in at.success[0].value
    assert figures.coverage_total(new_day, engine=app_demo_store) == before  # nothing written yet
    at.button(key="kelola-simpan").click()
    at = at.run()
    assert any("BERHASIL" in s.value for s in at.success)
    after = figures.coverage_total(new_day, engine=app_demo_store)
    assert after.sudah_rekam != before.sudah_rekam

    batch = int(figures.import_history(app_demo_store).iloc[0]["id"])
    at.selectbox(key="kelola-batal-id").select(batch)
    at.checkbox(key="kelola-batal-yakin").check()
    at.get("form_submit_button")[-1].click()
    at = at.run()
    history = figures.import_history(app_demo_store).set_index("id")
    assert history.loc[batch, "status"] == "dibatalkan"  # kept for the audit trail, not deleted
    assert figures.coverage_total(new_day, engine=app_demo_store).sudah_rekam != after.sudah_rekam


def test_public_tables_and_downloads_hide_small_counts(tmp_path, regions, monkeypatch):
    """A village with three unrecorded residents is "<5" on the page and in the file."""
    url = f"sqlite:///{tmp_path / 'kecil.sqlite'}"
    engine = store.engine_for(url)
    reference.ensure_reference(engine, regions)
    rows = "\n".join(f"{kode};19/01/2018;1000;{997 if i == 0 else 900}"
                     for i, kode in enumerate(["73.02.02.1001", "73.02.02.1002", "73.02.02.1003"]))
    from bulukumba import importer

    assert importer.import_bytes(f"Kode Desa;Tanggal;WKTP;Rekam\n{rows}\n".encode(), "kecil.csv",
                                 None, engine).ok
    monkeypatch.setenv("BULUKUMBA_DB_URL", url)
    at = open_app(role=None, db_url=url)
    row = html_row(at, "73.02.02.1001")
    assert row[4:6] == ["disamarkan", "<5"]  # Sudah rekam, Belum rekam
    assert "997" not in row and "3" not in row
    map_svg = next(m.value for m in at.markdown if "aria-label='Peta" in m.value)
    hover = map_svg.split("Kec. Ujung Bulu")[1:]
    assert "Belum rekam: &lt;5" in map_svg and "Sudah rekam: disamarkan" in map_svg
    assert not any("Belum rekam: 3&#10;" in h or "Sudah rekam: 997" in h for h in hover)
    # The page's CSV is the open data file: the hidden cells are empty, their status says why.
    import csv
    import io

    rows = csv.DictReader(io.StringIO(download(at, "publik-unduh-desa-csv").content.decode("utf-8")))
    row = next(r for r in rows if r["kode"] == "73.02.02.1001")
    assert (row["status"], row["sudah_rekam"], row["belum_rekam"], row["cakupan_persen"]) == ("<5", "", "", "")
    assert "997" not in row.values() and "3" not in row.values()


def html_row(at: AppTest, first_cell: str) -> list[str]:
    """The cells of the public page's HTML table row that starts with `first_cell`."""
    import re

    for element in at.get("html"):
        for row in re.findall(r"<tr>(.*?)</tr>", element.proto.body):
            cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            if cells and cells[0] == first_cell:
                return [c.replace("&lt;", "<") for c in cells]
    raise AssertionError(f"no table row starting with {first_cell}")


@pytest.mark.slow
@pytest.mark.both_databases
def test_an_import_by_another_process_shows_on_the_next_refresh(app_demo_store, tmp_path):
    at = visitor()
    shown = {m.label: m.value for m in at.metric}["Sudah rekam"]
    new_day = figures.latest_date(app_demo_store) + dt.timedelta(days=1)
    village = figures.coverage_villages(engine=app_demo_store).iloc[0]
    csv_file = tmp_path / "siak.csv"
    csv_file.write_text(f"Kode Desa;Tanggal;Wajib KTP;Sudah Rekam\n{village['kode']};"
                        f"{new_day:%d/%m/%Y};{village['wajib_ktp']};{village['wajib_ktp']}\n")
    done = subprocess.run([sys.executable, "-m", "bulukumba", "impor", str(csv_file)], cwd=PROJECT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    at.run()  # what the refresh fragment does when it sees the data version move
    now = {m.label: m.value for m in at.metric}["Sudah rekam"]
    assert now != shown
    assert parse_angka(now) == figures.coverage_total(engine=app_demo_store).sudah_rekam
