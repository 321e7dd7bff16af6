"""Reading bytes into a table: what the file is, its encoding, its header row, then its rows as
a stream (a 100 MB file is never held as text or as a table in memory).

- What the file is and its text encoding: see `filetype.py`.
- CSV: the delimiter sniffed from the first lines. A cell over
  131,072 characters or an unclosed quote is a clear error, never a traceback.
- XLSX: see `xlsx.py` (zip bombs refused before anything is unpacked).
- The header is the first row naming known columns (title rows above it are skipped); a second
  header row of "L", "P", "JML" under merged cells is folded into the first.
- `Table.rows()` streams the data rows, each with its spreadsheet row number, and stops the file
  at the row limit.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from bulukumba import config
from bulukumba.language import fmt
from bulukumba.importer import headers as vocab
from bulukumba.importer.filetype import EXPORT_ADVICE, ImportFileError, encoding, fingerprint, identify
from bulukumba.importer.limits import MAX_CELL_CHARS, MAX_HEADER_CHARS, MAX_RECORD_CHARS, MAX_ROW_CELLS, column_letter
from bulukumba.importer.report import RowError
from bulukumba.importer.values import TooLong, clean, show
from bulukumba.importer.xlsx import Workbook, XlsxError

SNIFF_BYTES = 1 << 20


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_unzipped_mb: float

    @classmethod
    def from_config(cls) -> Limits:
        return cls(int(config.import_max_mb() * 1_000_000), config.import_max_rows(),
                   config.import_max_unzipped_mb())


# ---------------------------------------------------------------------------------------------
# The source: bytes from the page, or a path from the command line
# ---------------------------------------------------------------------------------------------

def open_source(source: bytes | str | os.PathLike):
    """A seekable binary stream and its size."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source), len(source)
    path = Path(source)
    return path.open("rb"), path.stat().st_size


# ---------------------------------------------------------------------------------------------
# CSV: delimiter, records
# ---------------------------------------------------------------------------------------------

def _sniff_delimiter(stream, codec: str) -> str:
    """The delimiter that splits the first lines into the most consistent number of fields > 1."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    text = decoder.decode(stream.read(SNIFF_BYTES))
    stream.seek(0)
    # line breaks only (str.splitlines also breaks at U+2028 and other separators inside cells)
    lines = [line[:MAX_RECORD_CHARS] for line in re.split(r"\r\n|\r|\n", text) if line.strip()][:20]
    best, best_score = ",", (0, 0)
    for delimiter in (";", "\t", ",", "|"):
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:  # a cell longer than the csv module's limit: not this delimiter
            continue
        common = Counter(c for c in counts if c > 1).most_common(1)
        if common:
            width, frequency = common[0]
            score = (frequency, width)
            if score > best_score:
                best, best_score = delimiter, score
    return best


class _RecordTooLong(Exception):
    pass


class _Lines:
    """The CSV text line by line for `csv.reader`, never more than MAX_RECORD_CHARS characters
    for one row (a row of millions of cells is refused before it is split), counting the quotes
    of the row being read (an odd count at the end of the file: a quote never closed)."""

    def __init__(self, text):
        self.text, self.fed, self.quotes, self.ended = text, 0, 0, False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_RECORD_CHARS + 1 - self.fed)
        if not line:
            self.ended = True
            raise StopIteration
        self.fed += len(line)
        self.quotes += line.count('"')
        if self.fed > MAX_RECORD_CHARS:
            raise _RecordTooLong
        return line

    def next_record(self) -> None:
        self.fed = self.quotes = 0


def _unclosed_quote(row: int) -> ImportFileError:
    return ImportFileError(f"Baris {row}: tanda kutip \" dibuka tetapi tidak pernah ditutup, "
                           f"sehingga sisa berkas terbaca sebagai satu sel. Tutup tanda kutipnya "
                           f"(atau hapus), lalu simpan ulang sebagai CSV.")


def _csv_records(stream, codec: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(stream, encoding=codec, newline="")
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except _RecordTooLong:
            row = number + 1
            if lines.quotes % 2:
                raise _unclosed_quote(row) from None
            raise ImportFileError(f"Baris {row} berisi lebih dari {fmt.number(MAX_RECORD_CHARS)} "
                                  f"karakter (batas satu baris: {fmt.number(MAX_ROW_CELLS)} sel "
                                  f"dan {fmt.number(MAX_CELL_CHARS)} karakter per sel); tidak "
                                  f"dibaca. Ini bukan tabel data yang wajar; periksa baris itu.") \
                from None
        except csv.Error as exc:
            row = number + 1
            if "field larger than field limit" in str(exc):
                raise ImportFileError(f"Baris {row}: satu sel berisi lebih dari "
                                      f"{fmt.number(csv.field_size_limit())} karakter (tanda kutip \" "
                                      f"yang tidak ditutup?). Ini bukan tabel data yang wajar; "
                                      f"periksa baris itu.") from None
            if "NUL" in str(exc):
                raise ImportFileError(f"Baris {row} berisi karakter NUL (data biner). {EXPORT_ADVICE}") \
                    from None
            raise ImportFileError(f"Baris {row}: CSV tidak dapat dibaca ({exc}).") from None
        except UnicodeDecodeError:
            raise ImportFileError(f"Baris {number + 1}: teks tidak sah untuk pengodean {codec}; "
                                  f"simpan ulang sebagai 'CSV UTF-8'.") from None
        number += 1
        if lines.ended and lines.quotes % 2:
            raise _unclosed_quote(number)
        lines.next_record()
        yield number, cells


def _bounded(records: Iterator[tuple[int, list[str]]], header: list[str]):
    """The rows, each refused if it has more than MAX_ROW_CELLS cells, or, once the header is
    known (`header` filled in), a cell longer than MAX_CELL_CHARS: checked before any step looks
    at the cells. The rows read before the header are checked by `_check_cells` afterwards."""
    for number, cells in records:
        if len(cells) > MAX_ROW_CELLS:
            raise ImportFileError(f"Baris {number} berisi {fmt.number(len(cells))} sel, lebih dari "
                                  f"batas {fmt.number(MAX_ROW_CELLS)} sel satu baris; tidak dibaca. "
                                  f"Hapus kolom kosong di kanan tabel, atau simpan ulang hanya "
                                  f"tabel datanya.")
        if header:
            _check_cells(number, cells, header)
        yield number, cells


def _check_cells(number: int, cells: list[str], header: list[str]) -> None:
    for j, cell in enumerate(cells):
        length = cell.length if isinstance(cell, TooLong) else len(cell)
        if length > MAX_CELL_CHARS:
            raise ImportFileError(f"Baris {number}, {_column_name(j, header)}: sel berisi "
                                  f"{fmt.number(length)} karakter, lebih dari batas "
                                  f"{fmt.number(MAX_CELL_CHARS)} karakter satu sel; tidak ada "
                                  f"yang ditulis. Periksa sel itu (teks tertempel berulang?).")


def _column_name(j: int, header: list[str] | None) -> str:
    named = header[j] if header and j < len(header) and header[j] else ""
    return f"kolom {column_letter(j)}" + (f" ({show(named)})" if named else "")


# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------

@dataclass
class Table:
    """A file's header and a stream of its data rows (raw cells, '' for empty)."""
    format: str                                 # 'csv' | 'xlsx'
    header: list[str]                           # header cells as written, on one line
    header_row: int                             # spreadsheet row of the (last) header row
    warnings: list[RowError] = field(default_factory=list)
    sheet: str | None = None
    _rows: Iterator[tuple[int, list[str]]] = iter(())
    _progress: Callable[[], float] = lambda: 0.0
    _close: Callable[[], None] = lambda: None
    max_rows: int = 0
    read: int = 0                               # data rows handed out so far

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Data rows after the header: blank rows skipped, each with its spreadsheet row."""
        for number, cells in self._rows:
            if not "".join(cells).strip():
                continue
            self.read += 1
            if self.read > self.max_rows:
                raise ImportFileError(
                    f"Berkas berisi lebih dari {fmt.number(self.max_rows)} baris data (batas "
                    f"BULUKUMBA_IMPOR_MAKS_BARIS); tidak ada yang ditulis. Pecah menjadi beberapa "
                    f"berkas, misalnya satu berkas per tanggal.")
            yield number, cells

    def progress(self) -> float:
        return min(max(self._progress(), 0.0), 1.0)

    def close(self) -> None:
        self._close()


def open_table(source, nama_file: str, limits: Limits | None = None,
               stream=None, size: int | None = None, text_codec: str = "utf-8") -> Table:
    """Open a file as a Table (header found, rows not read yet). Raises ImportFileError.

    `source` is bytes or a path; or give an open `stream` and its `size` (with `text_codec`
    from `fingerprint`).
    """
    limits = limits or Limits.from_config()
    if stream is None:
        stream, size = open_source(source)
        _, text_codec = fingerprint(stream)
    try:
        return _open(stream, size, nama_file, limits, text_codec)
    except BaseException:
        stream.close()
        raise


def _open(stream, size: int, nama_file: str, limits: Limits, text_codec: str) -> Table:
    if size > limits.max_bytes:
        limit = limits.max_bytes / 1e6
        raise ImportFileError(f"Berkas {show(nama_file)} berukuran {fmt.number(size / 1e6, 1)} MB, "
                              f"lebih dari batas {fmt.number(limit, 0 if limit >= 10 else 3)} MB "
                              f"(BULUKUMBA_IMPOR_MAKS_MB); tidak dibaca. Pecah menjadi beberapa "
                              f"berkas, misalnya satu berkas per tanggal.")
    head = stream.read(65536)
    stream.seek(0)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ImportFileError(f"Berkas {show(nama_file)} kosong.")
    kind = identify(stream, size, nama_file)
    warnings: list[RowError] = []
    sheet_name = None
    if kind == "csv":
        codec, warnings = encoding(stream, nama_file, text_codec)
        delimiter = _sniff_delimiter(stream, codec)
        records = _csv_records(stream, codec, delimiter)
        progress = lambda: stream.tell() / max(size, 1)  # noqa: E731 (read ahead by a buffer)
    else:
        try:
            book = Workbook(stream, nama_file, limits.max_unzipped_mb)
        except XlsxError as exc:
            raise ImportFileError(f"Berkas {show(nama_file)}: {exc}") from None
        sheets = [(n, p) for n, p in book.sheets if n.strip().lower() != "petunjuk"] or book.sheets
        sheet_name, path = sheets[0]
        if len(sheets) > 1:
            warnings.append(RowError(None, None, f"Buku kerja punya {len(sheets)} lembar; hanya "
                                                 f"lembar pertama ({show(sheet_name)}) yang dibaca.",
                                     "lembar lain"))
        records = _xlsx_records(book, path, nama_file)
        progress = lambda: book.progress  # noqa: E731
    table = _with_header(records, kind, nama_file, warnings)
    table.sheet, table._progress, table._close = sheet_name, progress, stream.close
    table.max_rows = limits.max_rows
    return table


def _xlsx_records(book: Workbook, path: str, nama_file: str):
    try:
        yield from book.rows(path)
    except XlsxError as exc:
        raise ImportFileError(f"Berkas {show(nama_file)}: {exc}") from None


#: How many of the first non-blank rows may hold the header (title rows above it).
HEADER_SEARCH = 12


def _with_header(records: Iterator[tuple[int, list[str]]], kind: str, nama_file: str,
                 warnings: list[RowError]) -> Table:
    first: list[tuple[int, list[str]]] = []
    names: list[str] = []  # the header, once found: named in messages about later rows
    records = _bounded(records, names)
    for number, cells in records:
        if any(c.strip() for c in cells if c):
            first.append((number, cells))
            if len(first) >= HEADER_SEARCH:
                break
    if not first:
        raise ImportFileError(f"Berkas {show(nama_file)} kosong: tidak ada judul kolom maupun data.")
    cleaned = [[clean(c[:MAX_CELL_CHARS + 1]) for c in cells] for _, cells in first]
    at = next((i for i, cells in enumerate(cleaned) if vocab.header_score(cells[:200]) >= 2), 0)
    header_row, header = first[at][0], cleaned[at]
    for j, cell in enumerate(header):
        if len(cell) > MAX_HEADER_CHARS:
            raise ImportFileError(f"Baris {header_row}, kolom {column_letter(j)}: judul kolom "
                                  f"berisi {fmt.number(len(first[at][1][j]))} karakter, lebih dari batas "
                                  f"{fmt.number(MAX_HEADER_CHARS)} karakter satu judul; tidak "
                                  f"dibaca. Perbaiki judul kolom itu.")
    for j, cell in enumerate(first[at][1]):
        if "\u2028" in cell or "\u2029" in cell:
            sign = "U+2028" if "\u2028" in cell else "U+2029"
            raise ImportFileError(f"Baris {header_row}, kolom {column_letter(j)}: judul kolom berisi "
                                  f"pemisah baris Unicode [{sign}]. Berkas ini tampaknya memakai "
                                  f"{sign} sebagai pindah baris, yang tidak dikenal CSV, sehingga "
                                  f"baris-barisnya terbaca sebagai satu baris. Simpan ulang dari "
                                  f"Excel atau LibreOffice sebagai 'CSV UTF-8'.")
    if at:
        above = tuple(range(1, header_row))
        warnings.append(RowError(None, None, "judul tabel di atas judul kolom; diabaikan.", "judul tabel",
                                 semua_baris=above[:10], jumlah_baris=len(above)))
    for number, cells in first[at:]:
        _check_cells(number, cells, header)
    names[:] = header
    rest = first[at + 1:]
    if rest and vocab.is_sub_header(cleaned[at + 1]):
        header = vocab.combine_headers(header, cleaned[at + 1])
        header_row = rest[0][0]
        rest = rest[1:]
        warnings.append(RowError(None, None, f"Judul kolom dua baris digabung (mis. "
                                             f"{show(next((h for h in header if ' ' in h), header[0]))}).",
                                 "judul dua baris"))

    def rows():
        yield from rest
        yield from records

    return Table(format=kind, header=header, header_row=header_row, warnings=warnings, _rows=rows())


def read_table(data: bytes, nama_file: str) -> pd.DataFrame:
    """The file as a table of raw strings ('' for empty), indexed by spreadsheet row number.

    For small files and tests: the import itself streams (`open_table`). Columns are the header
    cells as written; `attrs` holds `format`, `header_row` and `warnings`. Raises
    ImportFileError (Indonesian message) when the file is empty or cannot be read.
    """
    table = open_table(data, nama_file)
    try:
        body = list(table.rows())
    finally:
        table.close()
    width = max([len(table.header)] + [len(cells) for _, cells in body])
    header = table.header + [""] * (width - len(table.header))
    matrix = [cells + [""] * (width - len(cells)) for _, cells in body]
    keep = [j for j in range(width) if header[j] or any(r[j] for r in matrix)]
    frame = pd.DataFrame([[r[j] for j in keep] for r in matrix], columns=[header[j] for j in keep],
                         index=pd.Index([n for n, _ in body], name="baris"), dtype=object)
    frame.attrs = {"format": table.format, "header_row": table.header_row,
                   "warnings": table.warnings}
    return frame
