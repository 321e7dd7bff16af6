"""What the bytes are, before they are read as a table: a CSV or an XLSX (or what operators
send by mistake: a PDF, a screenshot, an old .xls, a Word document, a zip, with what to export
instead), and a CSV's text encoding (UTF-8 with or without BOM, UTF-16 and UTF-32 with or without
BOM, said in a warning, Windows-1252/Latin-1 as the fallback)."""
from __future__ import annotations

import codecs
import hashlib
import zipfile
from pathlib import Path

from bulukumba.importer.report import RowError
from bulukumba.importer.values import show

CHUNK = 1 << 20


class ImportFileError(Exception):
    """The file cannot be read as a table; the message is Indonesian and fit for the operator."""


def fingerprint(stream) -> tuple[str, str | None]:
    """sha256 of the whole stream, and whether it is UTF-8 / Windows-1252 text (one pass)."""
    sha = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    ok = {"utf-8": True, "cp1252": True}
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        sha.update(chunk)
        for name, decoder in (("utf-8", utf8), ("cp1252", cp1252)):
            if ok[name]:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    ok[name] = False
    for name, decoder in (("utf-8", utf8), ("cp1252", cp1252)):
        if ok[name]:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                ok[name] = False
    stream.seek(0)
    text = "utf-8" if ok["utf-8"] else "cp1252" if ok["cp1252"] else "latin-1"
    return sha.hexdigest(), text


# ---------------------------------------------------------------------------------------------
# What the file is
# ---------------------------------------------------------------------------------------------

EXPORT_ADVICE = ("Buka datanya di Excel atau LibreOffice lalu simpan sebagai 'CSV UTF-8' (.csv) atau "
           "'Buku Kerja Excel' (.xlsx), atau pakai templat di halaman Kelola data.")

_MAGIC = (
    (b"%PDF-", "dokumen PDF", "PDF tidak dapat dibaca sebagai tabel. Ambil tabel aslinya (dari "
                              "SIAK atau Excel) dan simpan sebagai .csv atau .xlsx."),
    (b"\x89PNG\r\n\x1a\n", "gambar PNG", "angka dalam gambar (tangkapan layar?) tidak dapat "
                                         "dibaca. Unggah tabel aslinya sebagai .csv atau .xlsx."),
    (b"\xff\xd8\xff", "gambar JPEG", "angka dalam foto tidak dapat dibaca. Unggah tabel aslinya "
                                     "sebagai .csv atau .xlsx."),
    (b"GIF8", "gambar GIF", "angka dalam gambar tidak dapat dibaca. Unggah tabel aslinya sebagai "
                            ".csv atau .xlsx."),
    (b"Rar!", "arsip RAR", "ekstrak dulu, lalu unggah berkas .csv atau .xlsx di dalamnya."),
    (b"7z\xbc\xaf\x27\x1c", "arsip 7-Zip", "ekstrak dulu, lalu unggah berkas .csv atau .xlsx di "
                                           "dalamnya."),
    (b"\x1f\x8b", "arsip gzip", "ekstrak dulu, lalu unggah berkas .csv atau .xlsx di dalamnya."),
    (b"MZ", "program Windows (.exe)", "ini bukan data. " + EXPORT_ADVICE),
    (b"\x7fELF", "program", "ini bukan data. " + EXPORT_ADVICE),
    (b"{\\rtf", "dokumen RTF", "salin tabelnya ke Excel dan simpan sebagai .xlsx atau .csv."),
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _refuse(nama_file: str, what: str, advice: str) -> ImportFileError:
    return ImportFileError(f"Berkas {show(nama_file)} adalah {what}, bukan CSV atau XLSX: {advice}")


def identify(stream, size: int, nama_file: str) -> str:
    """'csv' or 'xlsx'; else ImportFileError saying what the file is and what to send instead."""
    head = stream.read(8192)
    stream.seek(0)
    suffix = Path(nama_file).suffix.lower()
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _zip_kind(stream, nama_file)
    if head.startswith(_OLE):
        return _ole_kind(stream, size, nama_file)
    for magic, what, advice in _MAGIC:
        if head.startswith(magic):
            raise _refuse(nama_file, what, advice)
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        raise _refuse(nama_file, "halaman web (HTML)", "bila ini hasil 'Simpan sebagai halaman web' "
                                                        "dari Excel, simpan ulang sebagai .xlsx "
                                                        "atau .csv.")
    if lowered.startswith(b"<?xml"):
        what = ("XML Spreadsheet 2003" if b"urn:schemas-microsoft-com:office:spreadsheet" in head
                else "dokumen XML")
        raise _refuse(nama_file, what, "buka di Excel dan simpan sebagai .xlsx atau .csv.")
    if suffix in (".xlsx", ".xlsm"):
        raise ImportFileError(f"Berkas {show(nama_file)} bukan XLSX yang sah (rusak atau salah "
                              f"nama). Simpan ulang dari Excel sebagai .xlsx, atau sebagai .csv.")
    if suffix not in (".csv", ".txt", ".tsv", ""):
        raise ImportFileError(f"Jenis berkas {show(suffix)} tidak didukung. Gunakan CSV (.csv) atau "
                              f"Excel (.xlsx). {EXPORT_ADVICE}")
    return "csv"


def _zip_kind(stream, nama_file: str) -> str:
    try:
        with zipfile.ZipFile(stream) as z:
            names = set(z.namelist())
            mimetype = z.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError):
        raise ImportFileError(f"Berkas {show(nama_file)} rusak: tidak dapat dibuka sebagai XLSX. "
                              f"Simpan ulang dari Excel, atau simpan sebagai .csv.") from None
    finally:
        stream.seek(0)
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(n.startswith("word/") for n in names):
        raise _refuse(nama_file, "dokumen Word (.docx)", "salin tabelnya ke Excel dan simpan "
                                                         "sebagai .xlsx atau .csv.")
    if any(n.startswith("ppt/") for n in names):
        raise _refuse(nama_file, "presentasi PowerPoint (.pptx)", "salin tabelnya ke Excel dan "
                                                                  "simpan sebagai .xlsx atau .csv.")
    if b"opendocument.spreadsheet" in mimetype:
        raise _refuse(nama_file, "lembar kerja LibreOffice (.ods)", "di LibreOffice pilih Simpan "
                                                                    "Sebagai › Excel 2007-365 "
                                                                    "(.xlsx), atau CSV.")
    if b"opendocument" in mimetype:
        raise _refuse(nama_file, "dokumen LibreOffice", "salin tabelnya ke LibreOffice Calc dan "
                                                        "simpan sebagai .xlsx atau .csv.")
    raise _refuse(nama_file, "arsip ZIP", "ekstrak dulu, lalu unggah berkas .csv atau .xlsx di "
                                          "dalamnya.")


def _ole_kind(stream, size: int, nama_file: str) -> str:
    content = stream.read(min(size, 8 << 20))
    stream.seek(0)
    suffix = Path(nama_file).suffix.lower()
    if "Workbook".encode("utf-16-le") in content or "Book".encode("utf-16-le") in content \
            or suffix == ".xls":
        raise _refuse(nama_file, "buku kerja Excel 97-2003 (.xls)", "format lama ini tidak "
                                                                    "didukung. Buka di Excel, "
                                                                    "pilih Simpan Sebagai › "
                                                                    "'Buku Kerja Excel (.xlsx)'.")
    if "WordDocument".encode("utf-16-le") in content or suffix == ".doc":
        raise _refuse(nama_file, "dokumen Word 97-2003 (.doc)", "salin tabelnya ke Excel dan "
                                                                "simpan sebagai .xlsx atau .csv.")
    raise _refuse(nama_file, "dokumen Office lama (.xls/.doc)", "buka di programnya dan simpan "
                                                                "sebagai .xlsx atau .csv.")


def _bom_or_wide(head: bytes) -> tuple[str, str | None] | None:
    """(codec, warning) for UTF-16/UTF-32 text, with or without BOM; None otherwise."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", "Berkas berpengodean UTF-32; dibaca. Lain kali simpan sebagai 'CSV UTF-8'."
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    sample = head[:4096]
    if len(sample) >= 8 and b"\x00" in sample:
        n = len(sample) - len(sample) % 4
        quads = [sample[i:n:4] for i in range(4)]
        zero = [q.count(0) / max(len(q), 1) for q in quads]
        if zero[1] > .9 and zero[2] > .9 and zero[3] > .9 and zero[0] < .5:
            return "utf-32-le", "Berkas berpengodean UTF-32 LE tanpa BOM; dibaca sebagai UTF-32 LE."
        if zero[0] > .9 and zero[1] > .9 and zero[2] > .9 and zero[3] < .5:
            return "utf-32-be", "Berkas berpengodean UTF-32 BE tanpa BOM; dibaca sebagai UTF-32 BE."
        odd = sample[1::2].count(0) / max(len(sample) // 2, 1)
        even = sample[0::2].count(0) / max(len(sample) // 2, 1)
        if odd > .6 and even < .2:
            return "utf-16-le", ("Berkas berpengodean UTF-16 LE tanpa BOM; dibaca sebagai UTF-16 LE. "
                                 "Lain kali simpan sebagai 'CSV UTF-8'.")
        if even > .6 and odd < .2:
            return "utf-16-be", ("Berkas berpengodean UTF-16 BE tanpa BOM; dibaca sebagai UTF-16 BE. "
                                 "Lain kali simpan sebagai 'CSV UTF-8'.")
    return None


def encoding(stream, nama_file: str, text_codec: str) -> tuple[str, list[RowError]]:
    head = stream.read(8192)
    stream.seek(0)
    wide = _bom_or_wide(head)
    if wide:
        codec, warning = wide
        return codec, [RowError(None, None, warning, "pengodean")] if warning else []
    if b"\x00" in head:
        raise ImportFileError(f"Berkas {show(nama_file)} berisi data biner, bukan teks CSV. "
                              f"{EXPORT_ADVICE}")
    if text_codec == "utf-8":
        return "utf-8-sig", []
    name = {"cp1252": "Windows-1252", "latin-1": "Latin-1"}[text_codec]
    return text_codec, [RowError(None, None, f"Berkas bukan UTF-8; dibaca sebagai {name}. Periksa "
                                             f"huruf khusus, atau simpan sebagai 'CSV UTF-8'.",
                                 "pengodean")]
