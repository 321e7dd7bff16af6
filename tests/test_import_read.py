"""Reading bytes into a table: whatever an operator (or an attacker) sends is either read or
refused with a message that says what the file is and what to send instead; never a traceback,
never a file expanded beyond what it declares."""
from __future__ import annotations

import codecs
import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from bulukumba.importer import ImportFileError, Limits, format_report, import_bytes, read_table, validate
from bulukumba.importer import xlsx as xlsx_module
from import_support import KINDANG, TANAH_KONGKONG, TANAH_TOWA, csv_bytes, error_at, snapshot_of, xlsx_bytes


@pytest.mark.parametrize("content, name, phrase", [
    (b"", "kosong.csv", "kosong"),
    (b"\xef\xbb\xbf\r\n\r\n", "kosong.csv", "kosong"),
    (b"%PDF-1.4 binary", "laporan.pdf", "PDF"),
    (b"{\"a\": 1}", "data.json", "tidak didukung"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "lama.xls", ".xls"),
    (b"PK\x03\x04 not really a zip", "rusak.xlsx", "rusak"),
    (b"bukan excel", "salah.xlsx", "bukan XLSX"),
])
def test_unreadable_files_give_one_clear_error_and_write_nothing(db, content, name, phrase):
    before = snapshot_of(db)
    result = import_bytes(content, name, None, db)

    assert not result.ok and result.ditulis == 0
    assert len(result.errors) == 1 and result.errors[0].baris is None
    assert phrase in result.errors[0].pesan
    assert snapshot_of(db) == before
    with pytest.raises(ImportFileError):
        read_table(content, name)


def test_a_file_with_headers_only_is_refused(db):
    result = import_bytes(csv_bytes("Kode Desa;Tanggal;WKTP;Rekam"), "rekap.csv", "registri", db)
    assert not result.ok and "tidak ada baris data" in result.errors[0].pesan


def test_a_file_whose_kind_cannot_be_recognised_asks_for_it(db):
    result = import_bytes(csv_bytes("Apa;Ini", "1;2"), "misteri.csv", None, db)
    assert not result.ok and "tidak dapat dikenali" in result.errors[0].pesan


def test_a_windows_1252_file_is_read_with_a_warning(db):
    content = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam;Catatan",
                        f"{TANAH_TOWA};19/01/2018;3.112;2.480;sudah dicek oleh André",
                        bom=False, encoding="cp1252")
    result = import_bytes(content, "rekap.csv", "registri", db)
    assert result.ok, format_report(result)
    assert any("bukan UTF-8" in w.pesan for w in result.warnings)


def test_read_table_keeps_spreadsheet_row_numbers_and_raw_strings():
    content = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", f"{TANAH_TOWA};19/01/2018;3.112;2.480", "",
                        f"{KINDANG};19/01/2018;2.400;2.150")
    frame = read_table(content, "rekap.csv")
    assert list(frame.columns) == ["Kode Desa", "Tanggal", "WKTP", "Rekam"]
    assert list(frame.index) == [2, 4]  # the blank line 3 keeps its number
    assert frame.loc[4, "WKTP"] == "2.400"


def test_a_title_above_the_header_is_skipped_and_rows_keep_their_numbers(db):
    content = xlsx_bytes(["Rekap perekaman e-KTP per 19 Januari 2018"], [],
                         ["Kode Desa", "Tanggal", "Wajib KTP", "Sudah Rekam"],
                         [TANAH_TOWA, dt.date(2018, 1, 19), 3112, 4000])
    result = import_bytes(content, "rekap.xlsx", None, db)
    assert "lebih besar dari Wajib KTP" in error_at(result, 4, "Sudah Rekam")



# --- what the file is, said plainly ---------------------------------------------------------------

def _zip(**parts: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@pytest.mark.parametrize("content, name, what, advice", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "rekap.csv", "dokumen PDF", ".xlsx"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "tangkapan-layar.png", "gambar PNG", "tabel aslinya"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "foto-rekap.jpg", "gambar JPEG", "tabel aslinya"),
    (OLE + b"\x00" * 200 + "Workbook".encode("utf-16-le"), "rekap.xls", "Excel 97-2003 (.xls)",
     "Simpan Sebagai"),
    (OLE + b"\x00" * 200 + "Workbook".encode("utf-16-le"), "rekap.csv", "Excel 97-2003 (.xls)",
     "Simpan Sebagai"),
    (OLE + b"\x00" * 200 + "WordDocument".encode("utf-16-le"), "surat.doc", "Word 97-2003", ".xlsx"),
    (_zip(word__document_xml=b"<w/>", **{"[Content_Types].xml": b"<T/>"}), "rekap.docx",
     "dokumen Word (.docx)", "salin tabelnya ke Excel"),
    (_zip(mimetype=b"application/vnd.oasis.opendocument.spreadsheet", content_xml=b"<x/>"),
     "rekap.ods", "LibreOffice (.ods)", "Excel 2007-365"),
    (_zip(rekap_csv=b"a;b"), "kiriman.zip", "arsip ZIP", "ekstrak dulu"),
    (b"<!DOCTYPE html><html><table></table></html>", "rekap.xls", "halaman web (HTML)", ".xlsx"),
    (b"MZ\x90\x00" + b"\x00" * 60, "rekap.exe", "program Windows", "CSV UTF-8"),
    (b"a;b\x00\x01\x02\x03" * 40, "acak.csv", "data biner", "CSV UTF-8"),
])
def test_a_file_that_is_not_a_table_is_named_and_the_way_out_given(db, content, name, what, advice):
    result = import_bytes(content, name, None, db)
    assert not result.ok and len(result.errors) == 1
    message = result.errors[0].pesan
    assert what in message and advice in message, message
    assert snapshot_of(db)["impor"] == 0


# --- encodings --------------------------------------------------------------------------------

REKAP_TEXT = f"Kode Desa;Tanggal;WKTP;Rekam;Catatan\r\n{TANAH_TOWA};19/01/2018;3.112;2.480;dicek André\r\n"


@pytest.mark.parametrize("encoded, said", [
    (codecs.BOM_UTF16_LE + REKAP_TEXT.encode("utf-16-le"), None),
    (REKAP_TEXT.encode("utf-16-le"), "UTF-16 LE tanpa BOM"),
    (REKAP_TEXT.encode("utf-16-be"), "UTF-16 BE tanpa BOM"),
    (REKAP_TEXT.encode("utf-32"), "UTF-32"),
    (REKAP_TEXT.encode("utf-32-le"), "UTF-32 LE tanpa BOM"),
    (REKAP_TEXT.encode("utf-32-be"), "UTF-32 BE tanpa BOM"),
])
def test_utf16_and_utf32_are_read_and_named(db, encoded, said):
    result = import_bytes(encoded, "rekap.csv", "registri", db)
    assert result.ok, format_report(result)
    warnings = " ".join(w.pesan for w in result.warnings)
    assert (said in warnings) if said else "UTF" not in warnings


# --- CSV that breaks the csv module's limits -------------------------------------------------------

def test_a_cell_over_131072_characters_is_a_clear_error_not_a_traceback(db):
    huge = "x" * 131_073
    for content in (csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", f"{TANAH_TOWA};19/01/2018;3.112;{huge}"),
                    csv_bytes(f"Kode Desa,Tanggal,WKTP,{huge}", f"{TANAH_TOWA},19/01/2018,3.112,1"),
                    huge.encode()):
        result = import_bytes(content, "panjang.csv", None, db)
        assert not result.ok
        assert any("lebih dari 131.072 karakter" in e.pesan for e in result.errors), result.errors


def test_an_unclosed_quote_names_the_row(db):
    lines = [f"{TANAH_TOWA};19/01/2018;3.112;2.480"] * 3 + ['"' + "x;" * 70_000]
    result = import_bytes(csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", *lines), "kutip.csv", None, db)
    assert not result.ok and "Baris 5" in result.errors[0].pesan and "tanda kutip" in result.errors[0].pesan


def test_a_thousand_columns_are_one_grouped_message(db):
    header = ";".join(["Kode Desa", "Tanggal", "WKTP", "Rekam"] + [f"Kolom {j}" for j in range(996)])
    row = f"{TANAH_TOWA};19/01/2018;3.112;2.480" + ";x" * 996
    result = import_bytes(csv_bytes(header, row), "lebar.csv", "registri", db)

    assert not result.ok
    assert len(result.errors) == 1 and len(result.warnings) <= 1
    message = result.errors[0].pesan
    assert message.startswith("996 kolom belum jelas artinya: 'Kolom 0', 'Kolom 1'")
    assert "dan 986 lainnya" in message and len(message) < 600
    assert len(format_report(result).splitlines()) < 10


# --- limits -------------------------------------------------------------------------------------

def test_a_file_over_the_size_limit_is_refused_before_it_is_read(db, monkeypatch):
    monkeypatch.setenv("BULUKUMBA_IMPOR_MAKS_MB", "0.001")
    result = import_bytes(csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", *[f"{TANAH_TOWA};19/01/2018;1;1"] * 50),
                          "besar.csv", None, db)
    assert not result.ok and snapshot_of(db)["impor"] == 0
    assert "berukuran 0,0 MB, lebih dari batas 0,001 MB (BULUKUMBA_IMPOR_MAKS_MB)" in result.errors[0].pesan


def test_a_file_over_the_row_limit_is_refused_and_nothing_is_written(db, monkeypatch):
    monkeypatch.setenv("BULUKUMBA_IMPOR_MAKS_BARIS", "3")
    lines = [f"{code};19/01/2018;1.000;900" for code in (TANAH_TOWA, KINDANG, TANAH_KONGKONG)]
    assert import_bytes(csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", *lines), "tiga.csv", None, db).ok
    four = lines + [f"{TANAH_TOWA};20/01/2018;1.000;900"]
    result = import_bytes(csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", *[l.replace("19/01", "21/01") for l in four]),
                          "empat.csv", None, db)
    assert not result.ok and snapshot_of(db)["registri"] == 3
    assert "lebih dari 3 baris data (batas BULUKUMBA_IMPOR_MAKS_BARIS)" in format_report(result)


def test_unreadable_limit_settings_fall_back_to_the_defaults(monkeypatch):
    monkeypatch.setenv("BULUKUMBA_IMPOR_MAKS_MB", "dua ratus")
    monkeypatch.setenv("BULUKUMBA_IMPOR_MAKS_BARIS", "-5")
    limits = Limits.from_config()
    assert (limits.max_bytes, limits.max_rows) == (200_000_000, 2_000_000)


# --- XLSX: zip bombs, formulas, dates, sheets ------------------------------------------------------

ROW = b'<row>' + b'<c t="n"><v>1</v></c>' * 50 + b'</row>'


def _bomb(sheet_bytes: int) -> bytes:
    """A workbook whose one sheet is `sheet_bytes` of repetitive XML (compresses ~1000 times)."""
    head = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>')
    body = ROW * (sheet_bytes // len(ROW))
    return _zip(**{"[Content_Types].xml": b"<Types/>",
                   "xl__workbook.xml": b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml'
                                       b'/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                                       b'2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/>'
                                       b'</sheets></workbook>',
                   "xl___rels__workbook.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/'
                                                    b'package/2006/relationships"><Relationship Id="rId1" '
                                                    b'Target="worksheets/sheet1.xml"/></Relationships>',
                   "xl__worksheets__sheet1.xml": head + body + b"</sheetData></worksheet>"})


def test_a_zip_bomb_is_refused_before_its_sheet_is_opened(db, monkeypatch):
    bomb = _bomb(30_000_000)
    assert len(bomb) < 300_000
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: (opened.append(
        getattr(name, "filename", name)), real_open(self, name, *a, **k))[1])
    result = import_bytes(bomb, "bom.xlsx", None, db)

    assert not result.ok and "bom zip" in result.errors[0].pesan
    assert "xl/worksheets/sheet1.xml" not in opened


def test_an_xlsx_declaring_more_than_the_limit_is_refused(db):
    content = xlsx_bytes(["Kode Desa", "Tanggal", "WKTP", "Rekam"], [TANAH_TOWA, "19/01/2018", 3112, 2480])
    report = validate(content, "rekap.xlsx", None, db, limits=Limits(10 ** 9, 10, 0.001))
    assert not report.ok and "BULUKUMBA_IMPOR_MAKS_MB_XLSX" in report.errors[0].pesan


def test_a_doctype_in_a_workbook_is_refused():
    bomb = _bomb(1000)
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts["xl/worksheets/sheet1.xml"] = (b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]>'
                                         + parts["xl/worksheets/sheet1.xml"].split(b"?>", 1)[1])
    with pytest.raises(ImportFileError, match="DOCTYPE"):
        read_table(_zip(**{k.replace("/", "__"): v for k, v in parts.items()}), "entitas.xlsx")


def test_a_formula_without_a_stored_result_is_reported_as_such_not_as_empty(db):
    content = xlsx_bytes(["Kode Desa", "Tanggal", "Wajib KTP", "Sudah Rekam"],
                         [TANAH_TOWA, dt.date(2018, 1, 19), 3112, "=C2-632"])
    result = import_bytes(content, "rumus.xlsx", None, db)
    message = error_at(result, 2, "Sudah Rekam")
    assert "rumus tanpa nilai tersimpan ('=C2-632')" in message and "kosong" not in message


def test_xlsx_dates_numbers_and_sheet_choice(db):
    workbook = openpyxl.Workbook()
    guide = workbook.active
    guide.title = "Petunjuk"
    guide.append(["bukan data"])
    data_sheet = workbook.create_sheet("Rekap")
    data_sheet.append(["Kode Desa", "Tanggal", "Wajib KTP", "Sudah Rekam", "Cakupan (%)"])
    data_sheet.append([TANAH_TOWA, dt.datetime(2018, 1, 19, 0, 0), 3112.0, 2480, 2480 / 3112])
    data_sheet["E2"].number_format = "0.0%"
    workbook.create_sheet("Lain").append(["x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = import_bytes(buffer.getvalue(), "rekap.xlsx", None, db)

    assert result.ok, format_report(result)
    assert any("hanya lembar pertama ('Rekap')" in w.pesan for w in result.warnings)
    frame = read_table(buffer.getvalue(), "rekap.xlsx")
    assert frame.loc[2, "Tanggal"] == "2018-01-19" and frame.loc[2, "Wajib KTP"] == "3112"


@pytest.mark.slow
def test_an_xlsx_sheet_is_read_as_a_stream():
    """Rows are handed over one by one as the sheet's XML is read, and dropped once read."""
    book = xlsx_module.Workbook(io.BytesIO(_bomb(3_000_000)), "besar.xlsx", 100)
    rows = book.rows(book.sheets[0][1])
    number, cells = next(rows)
    assert (number, cells[:3]) == (1, ["1", "1", "1"]) and book.progress < 0.2
    assert 1 + sum(1 for _ in rows) == 3_000_000 // len(ROW) and book.progress == pytest.approx(1, abs=0.01)


# --- the header row --------------------------------------------------------------------------------

def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(db):
    content = csv_bytes("REKAPITULASI PEREKAMAN KTP-EL;;;", "Keadaan per 19 Januari 2018;;;", ";;;",
                        "NO;Kode Desa;Tgl;Jml Wajib KTP-el;Sudah Rekam",
                        f"1;{TANAH_TOWA};19/01/2018;3.112;4.000")
    result = import_bytes(content, "rekap.csv", None, db)
    assert "lebih besar dari Wajib KTP" in error_at(result, 5, "Sudah Rekam")
    assert "Baris 1, 2, 3: judul tabel di atas judul kolom; diabaikan." in format_report(result)


def test_a_two_row_header_under_merged_cells_is_folded_into_one(db):
    content = xlsx_bytes(["NO", "KODE WILAYAH", "TANGGAL", "WAJIB KTP", None, None, "SUDAH REKAM", None, None],
                         [None, None, None, "L", "P", "JML", "L", "P", "JML"],
                         [1, TANAH_TOWA, "19/01/2018", 1540, 1572, 3112, 1220, 1260, 2480])
    result = import_bytes(content, "rekap.xlsx", None, db)
    assert result.ok, format_report(result)
    assert result.report.rows[0]["wajib_l"] == 1540 and result.report.rows[0]["rekam_p"] == 1260
    assert [c.target for c in result.report.plan.columns] == [
        "nomor", "kode_desa", "tanggal", "wajib_l", "wajib_p", "wajib_ktp", "rekam_l", "rekam_p",
        "sudah_rekam"]
