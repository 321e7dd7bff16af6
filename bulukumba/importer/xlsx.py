"""Reading an XLSX sheet row by row, without expanding what the file does not declare.

An XLSX is a zip of XML parts. A 2 MB zip can declare a sheet of 40 million cells (800 MB of
XML); loading it whole took 15 GB. So, before anything is unpacked:
- the sizes the zip declares are added up and refused above `config.import_max_unzipped_mb()`;
- a part that expands more than `MAX_RATIO` times (real sheets: 5-20 times) is refused;
- a part with a DOCTYPE (entity tricks; no spreadsheet program writes one) is refused.
Then the sheet is read as a stream (`iterparse`, each row dropped once read); zipfile never
returns more bytes than a part declares.

Cells come back as text, the way `reading` gives CSV cells: numbers as written by Excel
(1234, 12,5), date cells as ISO dates, formula cells as their stored result, and a formula
without a stored result as `values.FormulaWithoutValue`, so the checks can say so.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from typing import Iterator
from xml.etree import ElementTree

from bulukumba.importer.limits import MAX_CELL_CHARS, MAX_ROW_CELLS
from bulukumba.importer.values import FormulaWithoutValue, TooLong

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
#: A part larger than this may not expand more than MAX_RATIO times.
MAX_RATIO = 100
RATIO_FLOOR = 10_000_000

_DATE_FORMAT_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))


class XlsxError(Exception):
    """The workbook cannot be read safely; the message is Indonesian, for the operator."""


class _Counting:
    """A file object that counts the bytes read through it (for progress)."""

    def __init__(self, handle):
        self.handle, self.read_bytes = handle, 0

    def read(self, size=-1):
        data = self.handle.read(size)
        self.read_bytes += len(data)
        return data


class Workbook:
    def __init__(self, source, nama_file: str, max_unzipped_mb: float):
        try:
            self.zip = zipfile.ZipFile(source)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise XlsxError("Berkas XLSX rusak: tidak dapat dibuka. Simpan ulang dari Excel, atau "
                            "simpan sebagai CSV.") from None
        self._check_sizes(infos, max_unzipped_mb)
        self.names = {i.filename for i in infos}
        self.date1904 = False
        self.sheets = self._sheets()
        self._shared: list[str] | None = None
        self._date_styles: set[int] | None = None
        self.progress = 0.0

    # --- before anything is unpacked -----------------------------------------------------------

    def _check_sizes(self, infos, max_unzipped_mb: float) -> None:
        declared = sum(i.file_size for i in infos)
        if declared > max_unzipped_mb * 1_000_000:
            raise XlsxError(f"Berkas XLSX ini menyatakan isi {declared / 1e6:,.0f} MB setelah "
                            f"dibuka, lebih dari batas {max_unzipped_mb:,.0f} MB "
                            f"(BULUKUMBA_IMPOR_MAKS_MB_XLSX); tidak dibuka. Bila datanya memang "
                            f"sebesar itu, pecah menjadi beberapa berkas atau simpan sebagai CSV."
                            .replace(",", "."))
        for info in infos:
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise XlsxError(f"Berkas XLSX ini tidak wajar: bagian {info.filename[:60]!r} "
                                f"memadat {info.file_size // max(info.compress_size, 1):,} kali "
                                f"(bom zip?); tidak dibuka. Simpan ulang dari Excel, atau simpan "
                                f"sebagai CSV.".replace(",", "."))

    def _open(self, name: str):
        """A part as a stream, refused if it declares a DOCTYPE (also after long comments)."""
        try:
            with self.zip.open(name) as probe:
                problem = _prolog_problem(probe)
        except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise XlsxError("Berkas XLSX rusak: sebagian isinya tidak dapat dibaca. Simpan ulang "
                            "dari Excel, atau simpan sebagai CSV.") from None
        if problem:
            raise XlsxError(f"Berkas XLSX ini berisi {problem} di bagian {name[:60]!r}, yang tidak "
                            f"pernah ditulis Excel; tidak dibuka. Simpan ulang dari Excel.")
        return self.zip.open(name)

    def _parse(self, name: str) -> ElementTree.Element:
        try:
            with self._open(name) as handle:
                return ElementTree.parse(handle).getroot()
        except ElementTree.ParseError:
            raise XlsxError("Berkas XLSX rusak (XML tidak sah). Simpan ulang dari Excel.") from None

    # --- workbook, sheets, shared strings, styles ------------------------------------------------

    def _sheets(self) -> list[tuple[str, str]]:
        """(name, part path) of every worksheet, in workbook order."""
        if "xl/workbook.xml" not in self.names:
            raise XlsxError("Berkas XLSX rusak: tidak ada buku kerja di dalamnya.")
        book = self._parse("xl/workbook.xml")
        pr = book.find(f"{MAIN}workbookPr")
        self.date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        targets = {}
        if "xl/_rels/workbook.xml.rels" in self.names:
            for rel in self._parse("xl/_rels/workbook.xml.rels").iter(f"{PKG_REL}Relationship"):
                target = rel.get("Target", "")
                target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                targets[rel.get("Id")] = re.sub(r"[^/]+/\.\./", "", target)
        sheets = []
        for sheet in book.iter(f"{MAIN}sheet"):
            path = targets.get(sheet.get(f"{REL}id"), "")
            if path in self.names:
                sheets.append((sheet.get("name", ""), path))
        if not sheets:
            raise XlsxError("Berkas XLSX ini tidak berisi lembar kerja yang dapat dibaca.")
        return sheets

    def _shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            if "xl/sharedStrings.xml" in self.names:
                with self._open("xl/sharedStrings.xml") as handle:
                    for element, parent in _iterparse(handle, f"{MAIN}si"):
                        length = sum(len(t.text or "") for t in element.iter(f"{MAIN}t"))
                        # a text past the limit is kept as its length only: the row that uses
                        # it is refused, naming its row and column
                        self._shared.append(TooLong(length) if length > MAX_CELL_CHARS else
                                            "".join(t.text or "" for t in element.iter(f"{MAIN}t")))
                        element.clear()
                        parent.clear()
        return self._shared

    def _dates(self) -> set[int]:
        """Style indices whose number format is a date or time."""
        if self._date_styles is None:
            self._date_styles = set()
            if "xl/styles.xml" in self.names:
                styles = self._parse("xl/styles.xml")
                custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "")
                          for f in styles.iter(f"{MAIN}numFmt")}
                xfs = styles.find(f"{MAIN}cellXfs")
                for i, xf in enumerate(xfs if xfs is not None else []):
                    fid = int(xf.get("numFmtId", "0"))
                    if fid in _DATE_FORMAT_IDS or (fid in custom and _is_date_format(custom[fid])):
                        self._date_styles.add(i)
        return self._date_styles

    # --- rows ----------------------------------------------------------------------------------

    def rows(self, path: str) -> Iterator[tuple[int, list[str]]]:
        """(sheet row number, cells as text) for every row the sheet stores."""
        shared, dates = self._shared_strings(), self._dates()
        info = self.zip.getinfo(path)
        counting = _Counting(self._open(path))
        number = 0
        row_tag, cell_tag = f"{MAIN}row", f"{MAIN}c"
        try:
            parents: list = [None]
            in_row = parts = 0  # cells (and their parts) started in the current row: counted
            # before the row is held
            for event, element in ElementTree.iterparse(counting, events=("start", "end")):
                if event == "start":
                    parents.append(element)
                    if element.tag == cell_tag:
                        in_row += 1
                        if in_row > MAX_ROW_CELLS:
                            raise XlsxError(_too_wide(element.get("r"), number + 1))
                    elif element.tag == row_tag:
                        in_row, parts = 0, 1
                        number = int(element.get("r") or number + 1) - 1
                    elif parts:  # inside a row: a cell's value, inline text, …: a few per cell
                        parts += 1
                        if parts > 8 * MAX_ROW_CELLS:
                            raise XlsxError(_too_wide(None, number + 1))
                    continue
                parents.pop()
                if element.tag != row_tag:
                    continue
                parts = 0
                number = int(element.get("r") or number + 1)
                cells: list[str] = []
                for c in element.iter(cell_tag):
                    column = _column_index(c.get("r"), len(cells))
                    if column >= MAX_ROW_CELLS:
                        raise XlsxError(_too_wide(c.get("r"), number))
                    if column > len(cells):
                        cells.extend([""] * (column - len(cells)))
                    cells.append(self._cell(c, shared, dates))
                element.clear()
                if parents[-1] is not None:
                    parents[-1].clear()  # the row is read: drop it, so memory stays flat
                self.progress = counting.read_bytes / max(info.file_size, 1)
                yield number, cells
        except ElementTree.ParseError:
            raise XlsxError(f"Berkas XLSX rusak (XML tidak sah setelah baris {number}). Simpan "
                            f"ulang dari Excel.") from None
        except ValueError:  # a row number that is not a number
            raise XlsxError(f"Berkas XLSX rusak (nomor baris tidak sah setelah baris {number}). "
                            f"Simpan ulang dari Excel.") from None
        finally:
            counting.handle.close()

    def _cell(self, c, shared: list[str], dates: set[int]) -> str:
        kind = c.get("t", "n")
        v = c.find(f"{MAIN}v")
        if kind == "inlineStr":
            return "".join(t.text or "" for t in c.iter(f"{MAIN}t"))
        if v is None or v.text is None:
            formula = c.find(f"{MAIN}f")
            return FormulaWithoutValue(formula.text or "") if formula is not None else ""
        text = v.text
        if kind == "s":
            try:
                return shared[int(text)]
            except (ValueError, IndexError):
                return ""
        if kind == "b":
            return "TRUE" if text.strip() in ("1", "true") else "FALSE"
        if kind in ("e", "str"):
            return text
        if kind == "d":
            return text[:10] if text[10:].strip("T0:.Z") == "" else text
        try:
            number = float(text)
        except ValueError:
            return text
        if int(c.get("s", "0") or 0) in dates:
            return _serial_date(number, self.date1904)
        if number.is_integer() and abs(number) < 1e17:
            return str(int(number))
        return repr(number).replace(".", ",")  # shown the Indonesian way: 12,5


def _too_wide(ref: str | None, number: int) -> str:
    where = f" (sel {ref[:12]})" if ref else ""
    limit = f"{MAX_ROW_CELLS:,}".replace(",", ".")
    return (f"Baris {number}{where}: baris ini berisi lebih dari {limit} sel, batas satu baris; "
            f"tidak dibaca. Hapus kolom kosong di kanan tabel, atau simpan ulang hanya tabel datanya.")


#: How far into a part its prolog (declaration, comments) may reach before the first element.
PROLOG_BYTES = 1 << 20


def _prolog_problem(handle) -> str | None:
    """What is wrong before a part's first element (a DOCTYPE, an ENTITY, or a prolog too long
    to be Excel's), or None."""
    head = b""
    while len(head) <= PROLOG_BYTES:
        chunk = handle.read(65536)
        head += chunk
        if b"<!DOCTYPE" in head[:2048].upper() or b"<!ENTITY" in head[:2048].upper():
            return "deklarasi DOCTYPE"
        rest = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", head.removeprefix(b"\xef\xbb\xbf"),
                      flags=re.DOTALL).lstrip()
        if rest.upper().startswith((b"<!DOCTYPE", b"<!ENTITY")):
            return "deklarasi DOCTYPE"
        if re.match(rb"<[A-Za-z_]", rest) or not chunk:
            return None
        if rest.startswith(b"<") and not rest.startswith((b"<!", b"<?")):
            return None
    return f"awal XML (komentar) lebih dari {PROLOG_BYTES // 1024:,} KB sebelum isinya".replace(",", ".")


def _iterparse(handle, tag: str):
    """Each finished `tag` element with its parent (to be cleared once read)."""
    parents = [None]
    for event, element in ElementTree.iterparse(handle, events=("start", "end")):
        if event == "start":
            parents.append(element)
            continue
        parents.pop()
        if element.tag == tag:
            yield element, parents[-1]


def _column_index(ref: str | None, default: int) -> int:
    if not ref:
        return default
    index = 0
    for char in ref:
        if char.isalpha():
            index = index * 26 + (ord(char.upper()) - 64)
        else:
            break
    return index - 1 if index else default


def _is_date_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return code != "general" and bool(re.search(r"[dmyhs]", code))


def _serial_date(serial: float, date1904: bool) -> str:
    if serial < 1 and not date1904:  # a time of day only
        seconds = round(serial * 86400)
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    try:
        moment = base + dt.timedelta(days=serial)
    except OverflowError:
        return repr(serial)
    moment = moment.replace(microsecond=0)
    return moment.date().isoformat() if moment.time() == dt.time(0) else moment.isoformat(" ")
