"""The vocabulary of values: numbers, dates and percentages as operators write them, and the
values that must not be taken for numbers (other scripts' digits, a line break in a cell)."""
from __future__ import annotations

import datetime as dt

import pytest

from bulukumba import importer
from bulukumba.importer import import_bytes
from bulukumba.importer.values import parse_percent
from import_support import KINDANG, TANAH_TOWA, csv_bytes, error_at, snapshot_of


@pytest.mark.parametrize("text, value", [
    ("325.880", 325880), ("1.234", 1234), ("2400", 2400), (" 300 230 ", 300230), ("1.234,00", 1234),
    ("0", 0),
])
def test_indonesian_whole_numbers(text, value):
    assert importer.parse_whole(text) == value


@pytest.mark.parametrize("text, phrase", [
    ("12,5", "bukan bilangan bulat"), ("-5", "negatif"), ("1.2", "bukan bilangan bulat"),
    ("dua", "bukan angka"), ("325,880", "bukan bilangan bulat"),
])
def test_numbers_that_are_refused(text, phrase):
    with pytest.raises(ValueError, match=phrase):
        importer.parse_whole(text)


@pytest.mark.parametrize("text", ["2018-01-19", "19/01/2018", "19-01-2018", "19.01.2018",
                                  "19 Januari 2018", "19 jan 2018", "Jumat, 19 Januari 2018",
                                  "2018-01-19 00:00:00", "19/1/18"])
def test_dates_as_operators_write_them(text):
    assert importer.parse_date(text) == dt.date(2018, 1, 19)


def test_indonesian_month_spellings():
    assert importer.parse_date("5 Agustus 2017") == dt.date(2017, 8, 5)
    assert importer.parse_date("1 Mei 2018") == dt.date(2018, 5, 1)
    assert importer.parse_date("30 Nopember 2017") == dt.date(2017, 11, 30)
    assert importer.parse_date("3 Pebruari 2018") == dt.date(2018, 2, 3)


@pytest.mark.parametrize("text, phrase", [("30/02/2018", "tidak ada di kalender"),
                                          ("19 Brumaire 2018", "nama bulan"),
                                          ("01/19/2018", "tidak ada di kalender"),
                                          ("43119", "seri Excel")])
def test_dates_that_are_refused(text, phrase):
    with pytest.raises(ValueError, match=phrase):
        importer.parse_date(text)



# --- digits that look like numbers but are not 0-9 ---------------------------------------------

@pytest.mark.parametrize("text, script", [
    ("\u0663\u0661\u0661\u0662", "Arab"),               # ٣١١٢ Arabic-Indic
    ("\u06f3\u06f1\u06f1\u06f2", "Arab"),               # ۳۱۱۲ extended Arabic-Indic (Persian)
    ("\uff13\uff0e\uff11\uff11\uff12", "lebar penuh"),  # ３．１１２ full-width
    ("\u0969\u0967\u0967\u0968", "Devanagari"),         # ३११२
])
def test_digits_of_other_scripts_are_not_numbers(text, script):
    with pytest.raises(ValueError, match=f"angka {script}; hanya angka 0–9"):
        importer.parse_whole(text)
    assert not text.isascii()


def test_digits_of_other_scripts_are_refused_on_their_row_and_nothing_is_stored(db):
    content = csv_bytes("Kode Desa;Tanggal;Wajib KTP;Sudah Rekam",
                        f"{TANAH_TOWA};19/01/2018;\u0663\u0661\u0661\u0662;2.480",
                        f"{KINDANG};\uff11\uff19/01/2018;2.400;\u0968\u0967\u0966\u0966")
    result = import_bytes(content, "rekap.csv", "registri", db)

    assert not result.ok and snapshot_of(db)["registri"] == 0
    assert "angka Arab" in error_at(result, 2, "Wajib KTP")
    assert "angka lebar penuh" in error_at(result, 3, "Tanggal")
    assert "angka Devanagari" in error_at(result, 3, "Sudah Rekam")


# --- a line break inside a number cell ----------------------------------------------------------

def test_a_line_break_inside_a_number_cell_is_an_error_on_its_row(db):
    content = csv_bytes("Kode Desa;Tanggal;Wajib KTP;Sudah Rekam",
                        f"{TANAH_TOWA};19/01/2018;\"3.1\n12\";2.480",
                        f"{KINDANG};19/01/2018;2.400;2.150")
    result = import_bytes(content, "rekap.csv", "registri", db)

    assert not result.ok and snapshot_of(db)["registri"] == 0
    assert "pindah baris di dalam sel angka" in error_at(result, 2, "Wajib KTP")
    assert [e.baris for e in result.errors] == [2]  # the next record keeps its spreadsheet row


def test_a_line_break_in_a_village_name_is_only_a_line_break(db):
    content = csv_bytes("Desa;Kecamatan;Tanggal;Wajib KTP;Sudah Rekam",
                        "\"Tanah\nTowa\";Kajang;19/01/2018;3.112;2.480")
    assert import_bytes(content, "rekap.csv", "registri", db).ok


@pytest.mark.parametrize("text", ["#DIV/0!", "#REF!", "#VALUE!"])
def test_an_excel_error_in_a_number_cell_says_so(text):
    with pytest.raises(ValueError, match=f"galat rumus Excel {text}"):
        importer.parse_whole(text)


# --- percentages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, value, decimals", [
    ("92,1", 92.1, 1), ("92,1%", 92.1, 1), ("92.1", 92.1, 1), ("92", 92.0, 0), ("0,9213", 0.9213, 4),
    (" 79,70 % ", 79.7, 2),
])
def test_percentages_as_written(text, value, decimals):
    assert parse_percent(text) == (pytest.approx(value), decimals)


@pytest.mark.parametrize("text", ["sembilan puluh", "92,1,3", "\u0669\u0662"])
def test_what_is_not_a_percentage(text):
    with pytest.raises(ValueError):
        parse_percent(text)
