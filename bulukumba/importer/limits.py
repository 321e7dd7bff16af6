"""How long a cell or header may be, and how many cells a row may have: the importer's fixed
limits, in one place (documented in docs/importing.md, "Limits").

No real export comes near them: the longest village name in Indonesia has 40 letters, a header
rarely 80, and a wide SIAK export 60 columns. A file past them is refused early, before the cell
or row is looked at, with the row, the column and the limit named, so no step of the importer
ever works on a text longer than `MAX_CELL_CHARS`, and no row larger than `MAX_ROW_CELLS`
cells is held in memory (CSV: `MAX_RECORD_CHARS` characters are read at most per row).
"""
from __future__ import annotations

#: Most characters in one cell (data rows, title rows, ignored columns, XLSX shared strings).
MAX_CELL_CHARS = 1_000
#: Most characters in a header cell.
MAX_HEADER_CHARS = 200
#: Most cells in one row (counted up to the last one the file stores, empty ones included).
MAX_ROW_CELLS = 1_000
#: Most characters of one CSV row, read before it is split into cells.
MAX_RECORD_CHARS = MAX_ROW_CELLS * (MAX_CELL_CHARS + 3)


def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB': how a spreadsheet names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
