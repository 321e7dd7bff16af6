"""Downloads: CSV and XLSX with the data date in the file name, safe to open in a spreadsheet.

A text cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return) would be run as a
formula by Excel or LibreOffice; such cells get a leading apostrophe, the usual neutraliser.
Numbers stay numbers. Demo data says so in the file name and in a column.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DEMO_COLUMN = "Keterangan"
DEMO_VALUE = "DATA CONTOH, bukan data SIAK"


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(table: pd.DataFrame, demo: bool = False) -> pd.DataFrame:
    """The table with formula-like text cells neutralised (and the demo label, if demo)."""
    safe = table.copy()
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda v: neutralise(", ".join(map(str, v)) if isinstance(v, list) else v))
    if demo:
        safe[DEMO_COLUMN] = DEMO_VALUE
    return safe


def file_name(stem: str, data_date: dt.date | None, extension: str, demo: bool = False) -> str:
    """'cakupan-desa_2018-06-30.csv'; demo files start with 'DATA-CONTOH_'."""
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    date = data_date.isoformat() if data_date else "tanpa-tanggal"
    return f"{'DATA-CONTOH_' if demo else ''}{slug}_{date}.{extension}"


def to_csv(table: pd.DataFrame, demo: bool = False) -> bytes:
    """UTF-8 with BOM and `;` between fields: what Excel set to Indonesian opens correctly."""
    return safe_frame(table, demo).to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def to_xlsx(table: pd.DataFrame, sheet: str = "Data", demo: bool = False) -> bytes:
    """Formula-like text is stored as text with Excel's quote prefix (the cell style a typed
    apostrophe gives), so the cell shows `=1+1` as written and never runs it."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(table, demo).to_excel(writer, sheet_name=sheet[:31], index=False)
        for row in writer.sheets[sheet[:31]].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] == "'" and cell.value[1:2] in FORMULA_START:
                    cell.value = cell.value[1:]
                    cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
                    cell.quotePrefix = True
    return buffer.getvalue()
