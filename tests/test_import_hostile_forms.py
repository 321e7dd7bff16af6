"""Personal data in its spreadsheet forms, and clear messages for files that used to get a poor
one (issue 21, "what must hold" 6)."""
from __future__ import annotations

import pytest

from bulukumba.importer import ImportFileError, format_report, import_bytes, read_table
from import_support import KINDANG, TANAH_TOWA, csv_bytes, error_at, snapshot_of
from test_import_limits import inline_row, xlsx_parts

HEADER = "Kode Desa;Tanggal;WKTP;Rekam;Keterangan"


@pytest.mark.parametrize("secret, said", [
    ("7302-0601-0101-0001", "tampak seperti NIK"),
    ("7302 0601 0101 0001", "tampak seperti NIK"),
    ("7302.0601.0101.0001", "tampak seperti NIK"),
    ("7,30206E+15", "notasi ilmiah"),
    ("7.30206e15", "notasi ilmiah"),
    ("730206010100001", "tampak seperti NIK"),   # 15 digits
    ("7302060101000010", "tampak seperti NIK"),  # 16 digits, last one lost by a spreadsheet
    ("Andi Baso Rahman, lahir 12-05-1985, Jl. Poros Kajang No. 5", "nama orang dengan tanggal lahir"),
    ("Muh. Arif, tgl lahir 3 Maret 1979", "nama orang dengan tanggal lahir"),
    ("Hj. Sitti Aminah, Dusun Balagana RT 02/RW 01", "nama orang dengan tanggal lahir atau alamat"),
])
def test_personal_data_in_a_notes_column_refuses_the_whole_file_naming_column_and_rows(db, secret, said):
    before = snapshot_of(db)
    content = csv_bytes(HEADER, f"{TANAH_TOWA};19/01/2018;3.112;2.480;diperbarui",
                        f"{KINDANG};19/01/2018;2.400;2.150;{secret}",
                        f"{KINDANG};20/01/2018;2.400;2.150;{secret}")
    result = import_bytes(content, "rekap.csv", None, db)

    assert not result.ok and snapshot_of(db) == before
    assert said in error_at(result, 3, "Keterangan")
    summary = [e.pesan for e in result.errors if e.baris is None and e.kolom == "Keterangan"]
    assert summary and summary[0].startswith("kolom E berisi data pribadi di baris 3, 4: seluruh berkas ditolak")
    assert secret not in format_report(result) and "7302" not in format_report(result)


@pytest.mark.parametrize("note", [
    "Jemput bola oleh Tim Penggerak PKK 19/01/2018", "Pelayanan di kantor desa Tanah Towa",
    "Akta lahir 25 berkas Desa Kindang", "Perekaman usia 17 tahun, Desa Kindang",
    "Kegiatan di Jl. Poros bersama Tim Penggerak PKK", "Lahir 2005 sebanyak 12 anak", "0,7969151670951157",
])
def test_aggregate_notes_are_not_taken_for_personal_data(db, note):
    content = csv_bytes(HEADER, f"{TANAH_TOWA};19/01/2018;3.112;2.480;{note}")
    result = import_bytes(content, "rekap.csv", None, db)
    assert result.ok, result.errors


def test_an_unterminated_quote_is_called_so_not_a_line_break_in_a_number(db):
    content = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", f'{TANAH_TOWA};19/01/2018;"3.112;2.480',
                        f"{KINDANG};19/01/2018;2.400;2.150", f"{KINDANG};20/01/2018;2.400;2.150")
    result = import_bytes(content, "kutip.csv", None, db)
    message = result.errors[0].pesan
    assert message.startswith('Baris 2: tanda kutip " dibuka tetapi tidak pernah ditutup'), message
    assert "pindah baris" not in format_report(result)


def test_a_closed_quote_over_two_lines_is_still_a_line_break_in_a_cell(db):
    content = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", f'{TANAH_TOWA};19/01/2018;"3.1\n12";2.480')
    result = import_bytes(content, "enter.csv", None, db)
    assert "pindah baris di dalam sel angka" in error_at(result, 2, "WKTP")


@pytest.mark.parametrize("invisible, shown", [("\u200b", "[U+200B]"), ("\u200f", "[U+200F]"),
                                               ("\u202e", "[U+202E]"), ("\ufeff", "[U+FEFF]")])
def test_invisible_characters_are_made_visible_in_messages(db, invisible, shown):
    content = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", f"{TANAH_TOWA};19/01/2018;3.1{invisible}12;2.480")
    result = import_bytes(content, "halus.csv", None, db)
    assert f"'3.1{shown}12' bukan angka" in error_at(result, 2, "WKTP")


def test_u2028_as_line_separator_is_named_not_three_unknown_columns(db):
    content = ("Kode Desa;Tanggal;WKTP;Rekam\u2028" + f"{TANAH_TOWA};2018-08-31;100;50\u2028").encode()
    result = import_bytes(content, "ls.csv", None, db)
    message = result.errors[0].pesan
    assert "pemisah baris Unicode [U+2028]" in message and "kolom belum jelas" not in message


def test_u2028_inside_a_number_cell_is_shown(db):
    content = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", f"{TANAH_TOWA};2018-08-31;1\u202800;50")
    result = import_bytes(content, "ls.csv", None, db)
    assert "'1[U+2028]00' berisi pindah baris" in error_at(result, 2, "WKTP")


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
def test_a_quoted_carriage_return_does_not_shift_later_row_numbers(db, ending):
    lines = ["Kode Desa;Tanggal;WKTP;Rekam;Keterangan", f'{TANAH_TOWA};19/01/2018;3.112;2.480;"a\rb"',
             f'{KINDANG};19/01/2018;2.400;2.150;"c\r"', f"{KINDANG};20/01/2018;2.400;x;d"]
    result = import_bytes(ending.join(lines).encode() + ending.encode(), "cr.csv", None, db)
    assert "'x' bukan angka" in error_at(result, 4, "Rekam")


def test_a_doctype_after_a_long_comment_is_named_as_such():
    sheet = inline_row(1, "Kode Desa", "Tanggal", "WKTP", "Rekam")
    prolog = b"<!--" + b"x" * 3_000 + b"-->" + b'<!DOCTYPE lol [<!ENTITY a "aaaa">]>'
    with pytest.raises(ImportFileError, match="deklarasi DOCTYPE di bagian 'xl/worksheets/sheet1.xml'"):
        read_table(xlsx_parts(sheet, prolog=prolog), "entitas.xlsx")


def test_a_comment_before_the_sheet_is_still_read():
    sheet = inline_row(1, "Kode Desa", "Tanggal", "WKTP", "Rekam") + inline_row(2, TANAH_TOWA, "19/01/2018", "3", "2")
    table = read_table(xlsx_parts(sheet, prolog=b"<!--" + b"x" * 3_000 + b"-->"), "komentar.xlsx")
    assert list(table.index) == [2]
