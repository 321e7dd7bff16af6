"""Kelola data, run by Streamlit (AppTest) as an operator uses it: templates, column mapping,
reports that stay readable for any file, and file text that stays plain text."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

from apptest_support import download, open_app
from bulukumba.storage import store
from bulukumba import importer
from bulukumba.importer import mapping

PAGE = "pages/kelola.py"


def operator(app_demo_store):
    at = open_app(PAGE, role="operator", db_url=app_demo_store.url.render_as_string(hide_password=False))
    assert not at.exception, at.exception
    return at


def upload(at, name: str, content: bytes):
    at.file_uploader(key="kelola-berkas").set_value((name, content, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def mapping_boxes(at) -> list:
    return [s for s in at.selectbox if (s.key or "").startswith("kelola-peta-")]


def table_with(at, column: str):
    found = [d.value for d in at.dataframe if column in d.value.columns]
    # st.table's cells are Markdown, made plain by escaping: read back as the operator sees them
    found += [d.value.map(lambda v: str(v).replace("\\", "").replace("\u2060", ""))
              for d in at.table if column in d.value.columns]
    assert found, f"no table with column {column!r}"
    return found[0]


EXPORT = ("\ufeffNO;KODE WILAYAH;Desa Binaan;KECAMATAN;TANGGAL;WAJIB KTP;SUDAH REKAM;Jumlah KK\r\n"
          "1;;Tanah Towa;Kajang;19-01-2026;3.112;2.480;812\r\n"
          "2;73.02.08.2003;Kindang;Kindang;19-01-2026;2.400;2.150;640\r\n").encode()


@pytest.mark.slow
@pytest.mark.both_databases
def test_unknown_columns_get_a_select_box_and_the_answer_is_remembered_and_removable(app_demo_store):
    at = upload(operator(app_demo_store), "rekap.csv", EXPORT)
    boxes = mapping_boxes(at)
    assert len(boxes) == 2 and not [b for b in at.button if b.key == "kelola-simpan"]
    shown = [t.value for t in at.text]
    assert "Kolom ke-3: Desa Binaan" in shown and "Kolom ke-8: Jumlah KK" in shown
    assert boxes[0].options[:3] == ["— pilih —", "Abaikan kolom ini", "Kode Desa (kode_desa)"]

    boxes[0].select("nama_desa")
    boxes[1].select(importer.IGNORE)
    at.get("form_submit_button")[0].click()
    at.run()
    assert not mapping_boxes(at)
    assert "lolos pemeriksaan: 2 baris registri siap diimpor" in at.success[0].value
    warnings = table_with(at, "Peringatan")["Peringatan"].tolist()
    assert any("desa 'Tanah Towa' dicocokkan dengan nama ke 73.02.06.2006" in w for w in warnings)
    remembered = table_with(at, "Judul kolom")
    assert sorted(zip(remembered["Judul kolom"], remembered["Dibaca sebagai"])) == [
        ("Desa Binaan", "Nama Desa"), ("Jumlah KK", "Abaikan kolom ini")]

    at.button(key="kelola-simpan").click()
    at.run()
    assert any("BERHASIL: 2 baris ditulis" in s.value for s in at.success), [e.value for e in at.error] + [s.value for s in at.success]

    at.multiselect(key="kelola-pemetaan-pilih").select(0).select(1)
    [b for b in at.get("form_submit_button") if "Hapus" in b.label][0].click()
    at.run()
    assert mapping.listing(app_demo_store).empty
    assert not [d for d in at.dataframe if "Judul kolom" in d.value.columns]


def _markdown_bodies(at) -> list[str]:
    bodies = [e.proto.body for kind in ("markdown", "caption", "error", "warning", "success", "info")
              for e in at.get(kind) if hasattr(e.proto, "body")]
    bodies += [s.proto.label for s in at.selectbox] + [c.proto.label for c in at.checkbox]
    return bodies


@pytest.mark.slow
@pytest.mark.both_databases
def test_headers_and_file_names_are_plain_text_never_markdown(app_demo_store):
    image = "![t](http://contoh.test/lacak.png)"
    content = (f"Kode Desa;Tanggal;Wajib KTP;Sudah Rekam;{image};**tebal** :smile: [tautan](http://x.test)\n"
               "73.02.06.2006;19/01/2026;3.112;2.480;x;y\n").encode()
    at = upload(operator(app_demo_store), f"{image}.csv", content)
    assert f"Kolom ke-5: {image}" in [t.value for t in at.text]  # st.text: no Markdown at all
    for body in _markdown_bodies(at):
        assert not re.search(r"(?<!\\)!\\?\[t", body) or "\\!\\[t\\]" in body, body
        assert "](http" not in body and "**tebal**" not in body and ":smile:" not in body, body

    at.file_uploader(key="kelola-berkas").set_value((f"{image}.pdf", b"%PDF-1.4", "application/pdf"))
    at.run()
    assert not at.exception and "dokumen PDF" in table_with(at, "Masalah")["Masalah"][0]
    assert "\\!\\[t\\]\\(http:\u2060/\u2060/\u2060contoh\\.test" in at.error[0].value


@pytest.mark.slow
def test_a_thousand_columns_give_one_message_and_a_way_out(app_demo_store):
    header = ";".join(["Kode Desa", "Tanggal", "Wajib KTP", "Sudah Rekam"] + [f"Kolom {j}" for j in range(996)])
    row = "73.02.06.2006;19/01/2026;3.112;2.480" + ";x" * 996
    at = upload(operator(app_demo_store), "lebar.csv", f"{header}\n{row}\n".encode())

    assert len(mapping_boxes(at)) == 30
    file_notes = [i.value for i in at.info if "Data kantor" not in i.value]  # not the office file's notice
    assert len(at.warning) + len(at.error) + len(file_notes) <= 4
    assert "996 kolom belum jelas artinya" in file_notes[0]
    problems = table_with(at, "Masalah")
    assert len(problems) == 1 and problems["Masalah"][0].startswith("996 kolom belum jelas artinya")

    at.checkbox(key=[c.key for c in at.checkbox if (c.key or "").startswith("kelola-abaikan-")][0]).check()
    at.get("form_submit_button")[0].click()
    at.run()
    assert "siap diimpor" in at.success[0].value and mapping.listing(app_demo_store).empty  # not remembered


@pytest.mark.slow
@pytest.mark.both_databases
def test_many_wrong_rows_show_the_first_hundred_and_a_count_of_every_kind(app_demo_store):
    lines = "".join(f"73.02.99.{i:04d};31/02/2018;12,5;-3\n" for i in range(3000))
    at = upload(operator(app_demo_store), "salah.csv", f"Kode Desa;Tanggal;Wajib KTP;Sudah Rekam\n{lines}".encode())
    assert "DITOLAK: 12.000 kesalahan" in at.error[0].value
    assert len(table_with(at, "Masalah")) == 100
    kinds = table_with(at, "Jenis kesalahan")
    assert dict(zip(kinds["Jenis kesalahan"], kinds["Jumlah"])) == {
        "kode desa tidak dikenal": 3000, "tanggal tidak ada di kalender": 3000, "bukan bilangan bulat": 3000,
        "negatif": 3000}


@pytest.mark.parametrize("kind", importer.KINDS)
def test_the_templates_are_offered_with_every_column_explained(app_demo_store, kind):
    at = operator(app_demo_store)
    csv_file = download(at, f"kelola-templat-{kind}-csv")
    assert csv_file.file_name == f"templat-{kind}.csv" and csv_file.content == importer.template_bytes(kind, "csv")
    xlsx_file = download(at, f"kelola-templat-{kind}-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx_file.content))
    assert book.sheetnames == [kind, "Petunjuk"]
    explained = table_with(at, "Keterangan")  # the first tab's table is on the page too
    assert set(importer.COLUMNS["registri"]) <= set(explained["Kolom"])


@pytest.mark.parametrize("name, content, phrase", [
    ("rekap.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "gambar PNG"),
    ("rekap.xlsx", b"PK\x03\x04 rusak", "rusak"),
    ("panjang.csv", b"Kode Desa;Tanggal\n" + b"x" * 140_000, "131.072 karakter"),
    ("utf16.csv", "Kode Desa;Tanggal;Wajib KTP;Sudah Rekam\n73.02.06.2006;19/01/2026;3.112;2.480\n"
     .encode("utf-16-le"), "UTF-16 LE tanpa BOM"),
])
@pytest.mark.slow
@pytest.mark.both_databases
def test_any_file_is_answered_in_indonesian_without_a_traceback(app_demo_store, name, content, phrase):
    at = upload(operator(app_demo_store), name, content)
    said = " ".join(e.value for kind in ("error", "success", "warning") for e in at.get(kind))
    # Problems are a grid; warnings a table whose text wraps: the last column says what is wrong.
    said += " ".join(" ".join(map(str, d.value.iloc[:, -1])) for d in [*at.dataframe, *at.table]
                     if len(d.value.columns))
    assert phrase in said.replace("\\", "")


def test_an_office_whose_every_import_was_undone_can_still_import_on_this_page(app_demo_store):
    """The store knows the villages but every batch is cancelled (the demo by the first real
    import, that import by its undo): the other pages say there is nothing to show and point here,
    so this page must still take a file."""
    with app_demo_store.begin() as conn:
        for batch in conn.execute(store.impor.select().where(store.impor.c.status == "aktif")).all():
            store.cancel_batch(conn, batch.id, "uji")
    at = operator(app_demo_store)
    assert [t.value for t in at.title] == ["Kelola data"]
    with app_demo_store.connect() as conn:
        kode = conn.execute(store.desa.select().limit(1)).first().kode
    csv = f"kode_desa;tanggal;wajib_ktp;sudah_rekam\n{kode};31/12/2025;1000;900\n".encode()
    at = upload(at, "rekap.csv", csv)
    assert [b for b in at.button if b.key == "kelola-simpan"], [b.key for b in at.button]
