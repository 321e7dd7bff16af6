"""Hostile texts cost linear time and are refused early (issue 21, "what must hold" 2).

Each file here took minutes or gigabytes before: a 50,000-letter village name (19 minutes), a
100,000-letter header (killed at 12 minutes), a 9 MB shared string in a 30 KB XLSX (killed after
450 s), a row of 650,000 cells (410 MB). Now each is refused within seconds, its message naming
the limit, the row and the column, and nothing is written.
"""
from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

from bulukumba.importer import headers, import_bytes
from bulukumba.importer.limits import MAX_CELL_CHARS, MAX_HEADER_CHARS, MAX_ROW_CELLS
from import_support import KINDANG, csv_bytes, snapshot_of

MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def xlsx_parts(sheet_rows: bytes, shared: list[bytes] = (), prolog: bytes = b"") -> bytes:
    """A minimal workbook written by hand: one sheet of `sheet_rows`, optional shared strings."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/workbook.xml", b'<workbook ' + MAIN + b' xmlns:r="http://schemas.openxmlformats'
                   b'.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" '
                   b'r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", b'<Relationships xmlns="http://schemas.openxmlformats'
                   b'.org/package/2006/relationships"><Relationship Id="rId1" '
                   b'Target="worksheets/sheet1.xml"/></Relationships>')
        if shared:
            z.writestr("xl/sharedStrings.xml", b'<?xml version="1.0"?><sst ' + MAIN + b'>'
                       + b"".join(b"<si><t>" + s + b"</t></si>" for s in shared) + b"</sst>")
        z.writestr("xl/worksheets/sheet1.xml", b'<?xml version="1.0"?>' + prolog + b'<worksheet '
                   + MAIN + b'><sheetData>' + sheet_rows + b"</sheetData></worksheet>")
    return buffer.getvalue()


def inline_row(number: int, *cells: str) -> bytes:
    return (f'<row r="{number}">' + "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in cells)
            + "</row>").encode()


def timed_import(content: bytes, name: str, db):
    started = time.monotonic()
    result = import_bytes(content, name, None, db)
    return result, time.monotonic() - started


def test_a_50000_letter_village_name_is_refused_in_seconds_naming_row_and_column(db):
    before = snapshot_of(db)
    content = csv_bytes("Nama Desa;Kecamatan;Tanggal;WKTP;Rekam", "Kindang;Kindang;19/01/2018;2.400;2.150",
                        "Tanah" + "a" * 50_000 + ";Kajang;19/01/2018;3.112;2.480")
    result, seconds = timed_import(content, "panjang.csv", db)

    assert not result.ok and snapshot_of(db) == before
    message = result.errors[0].pesan
    assert message.startswith("Baris 3, kolom A ('Nama Desa'): sel berisi 50.005 karakter")
    assert f"batas {MAX_CELL_CHARS:,} karakter".replace(",", ".") in message
    assert seconds < 10, seconds  # 19 minutes before


def test_a_100000_letter_header_is_refused_in_seconds(db):
    content = csv_bytes("Nama Desa;Kecamatan;Tanggal;WKTP;" + "Rekam" * 20_000, "Kindang;Kindang;19/01/2018;1;1")
    result, seconds = timed_import(content, "judul.csv", db)

    assert not result.ok
    message = result.errors[0].pesan
    assert "kolom E" in message and "100.000 karakter" in message, message
    assert seconds < 10, seconds  # killed after 12 minutes before


def test_a_long_header_is_refused_as_a_header(db):
    content = csv_bytes("Nama Desa;Kecamatan;Tanggal;WKTP;Rekam " + "x" * MAX_HEADER_CHARS,
                        "Kindang;Kindang;19/01/2018;1;1")
    result = import_bytes(content, "judul.csv", None, db)
    assert "Baris 1, kolom E: judul kolom berisi" in result.errors[0].pesan
    assert "batas 200 karakter satu judul" in result.errors[0].pesan


def test_glued_words_split_in_linear_time():
    started = time.monotonic()
    pieces = headers._split_glued("desa" * 25_000)
    assert pieces == ("desa",) * 25_000
    assert time.monotonic() - started < 10  # quadratic: about 850 s
    assert headers._split_glued("jmlwajibktpl") == ("jml", "wajib", "ktp", "l")


def test_a_9_mb_shared_string_in_a_small_xlsx_is_refused_naming_its_cell(db):
    sheet = (b'<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c>'
             b'<c t="s"><v>3</v></c></row>'
             b'<row r="2"><c t="s"><v>4</v></c><c><v>43119</v></c><c><v>3112</v></c><c><v>2480</v></c></row>')
    content = xlsx_parts(sheet, [b"Nama Desa", b"Tanggal", b"WKTP", b"Rekam", b"a" * 9_000_000])
    assert len(content) < 40_000
    result, seconds = timed_import(content, "bersama.xlsx", db)

    assert not result.ok
    assert result.errors[0].pesan.startswith(
        "Baris 2, kolom A ('Nama Desa'): sel berisi 9.000.000 karakter, lebih dari batas 1.000"), result.errors
    assert seconds < 10, seconds  # killed after 450 s of CPU before


def test_a_row_of_650000_cells_is_refused_before_it_is_held(db):
    sheet = inline_row(1, "Nama Desa", "Tanggal", "WKTP", "Rekam") + b'<row r="2">' + b"<c><v>1</v></c>" * 650_000 + b"</row>"
    content = xlsx_parts(sheet)
    tracemalloc.start()
    try:
        result, seconds = timed_import(content, "lebar.xlsx", db)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert not result.ok
    assert f"Baris 2: baris ini berisi lebih dari {MAX_ROW_CELLS:,} sel".replace(",", ".") \
        in result.errors[0].pesan, result.errors
    assert peak < 50_000_000, peak  # 410 MB before
    assert seconds < 10, seconds


def test_a_cell_far_to_the_right_is_refused_not_padded(db):
    sheet = inline_row(1, "Nama Desa", "Tanggal", "WKTP", "Rekam") + b'<row r="2"><c r="ZZZZZZ2"><v>1</v></c></row>'
    result = import_bytes(xlsx_parts(sheet), "jauh.xlsx", None, db)
    assert "Baris 2 (sel ZZZZZZ2)" in result.errors[0].pesan and "1.000 sel" in result.errors[0].pesan


def test_a_csv_row_of_two_million_cells_is_refused_before_it_is_split(db):
    content = csv_bytes("Nama Desa;Kecamatan;Tanggal;WKTP;Rekam", "Kindang;Kindang;19/01/2018;1;1",
                        ";" * 2_000_000, "Kindang;Kindang;20/01/2018;1;1")
    tracemalloc.start()
    try:
        result, seconds = timed_import(content, "lebar.csv", db)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert not result.ok
    assert result.errors[0].pesan.startswith("Baris 3 berisi lebih dari 1.003.000 karakter"), result.errors
    assert peak < 60_000_000, peak
    assert seconds < 10


def test_a_row_of_1001_short_cells_is_refused_naming_the_limit(db):
    content = csv_bytes("Nama Desa;Kecamatan;Tanggal;WKTP;Rekam", "Kindang;Kindang;19/01/2018;1;1" + ";" * 1_000)
    result = import_bytes(content, "lebar.csv", None, db)
    assert result.errors[0].pesan.startswith("Baris 2 berisi 1.005 sel, lebih dari batas 1.000 sel")


def test_cells_at_the_limits_still_import(db):
    name = "x" * MAX_CELL_CHARS
    content = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam;Keterangan", f"{KINDANG};19/01/2018;2.400;2.150;{name}")
    result = import_bytes(content, "pas.csv", None, db)
    assert result.ok, result.errors


def test_a_row_of_junk_elements_is_refused_before_it_is_held(db):
    sheet = inline_row(1, "Nama Desa", "Tanggal", "WKTP", "Rekam") + b'<row r="2">' + b"<x/>" * 200_000 + b"</row>"
    result = import_bytes(xlsx_parts(sheet), "sampah.xlsx", None, db)
    assert "Baris 2: baris ini berisi lebih dari 1.000 sel, batas satu baris" in result.errors[0].pesan, result.errors


def test_many_elements_after_the_rows_are_not_a_wide_row(db):
    sheet = (inline_row(1, "Kode Desa", "Tanggal", "WKTP", "Rekam") + inline_row(2, KINDANG, "19/01/2018", "2400", "2150")
             + b"</sheetData><mergeCells>" + b'<mergeCell ref="A1:B1"/>' * 20_000 + b"</mergeCells><sheetData>")
    result = import_bytes(xlsx_parts(sheet), "gabung.xlsx", None, db)
    assert result.ok, result.errors
