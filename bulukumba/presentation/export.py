"""Downloads: CSV and XLSX with the data date in the file name, safe to open in a spreadsheet.

A text cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return) would be run as a
formula by Excel or LibreOffice; such cells get a leading apostrophe, the usual neutraliser.
Numbers stay numbers. Demo data says so in the file name and in a column.

An XLSX file is ready to read and to cite: counts with thousands separators, shares as
percentages, dates as dates, a frozen header with filters, columns wide enough for their
contents, and a "Keterangan" sheet that says where the figures come from, for which date,
with which filters, and what each column means. `workbook` puts several tables in one file.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DEMO_COLUMN = "Keterangan"
DEMO_VALUE = "DATA CONTOH, bukan data SIAK"
NOTES_SHEET = "Keterangan"

#: Excel number formats (the file stores the format; Excel shows 325.880 and 92,1% under an
#: Indonesian locale, 325,880 and 92.1% under an English one).
THOUSANDS, DECIMAL, PERCENT, DATE = "#,##0", "#,##0.0", "0.0%", "dd/mm/yyyy"


@dataclass(frozen=True)
class Notes:
    """What the "Keterangan" sheet says about one table."""
    judul: str
    sumber: str
    data_per: dt.date | None
    filter: tuple[tuple[str, str], ...] = ()        # ("Wilayah", "Kecamatan Kajang"), …
    definisi: dict[str, str] = field(default_factory=dict)  # column -> what it means


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


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def file_name(stem: str, data_date: dt.date | None, extension: str, demo: bool = False,
              area: str | None = None) -> str:
    """'cakupan-desa_2018-06-30.csv'; with a kecamatan, 'cakupan-desa_kec-kajang_2018-06-30.csv';
    demo files start with 'DATA-CONTOH_'."""
    date = data_date.isoformat() if data_date else "tanpa-tanggal"
    where = f"_kec-{slug(area)}" if area else ""
    return f"{'DATA-CONTOH_' if demo else ''}{slug(stem)}{where}_{date}.{extension}"


def to_csv(table: pd.DataFrame, demo: bool = False) -> bytes:
    """UTF-8 with BOM and `;` between fields: what Excel set to Indonesian opens correctly."""
    return safe_frame(table, demo).to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def to_xlsx(table: pd.DataFrame, sheet: str = "Data", demo: bool = False, notes: Notes | None = None) -> bytes:
    """One table as a workbook: the data sheet, and the "Keterangan" sheet when `notes` are given."""
    return workbook([(sheet, table, notes)], demo)


def workbook(sheets: list[tuple[str, pd.DataFrame, Notes | None]], demo: bool = False) -> bytes:
    """Several tables in one file: a data sheet each, and one "Keterangan" sheet first that
    describes them all (when any has notes)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        described = [(name, notes) for name, _t, notes in sheets if notes is not None]
        if described:
            _notes_sheet(writer.book.create_sheet(NOTES_SHEET), described, demo)
        for name, table, _notes in sheets:
            name = _sheet_name(name)
            frame = safe_frame(_as_fractions(table), demo)
            frame.to_excel(writer, sheet_name=name, index=False)
            _format_sheet(writer.sheets[name], frame)
        if described and len(sheets) == 1:
            writer.book.move_sheet(NOTES_SHEET, offset=1)  # one table: its data first
    return buffer.getvalue()


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31]


def _is_percent(column: str) -> bool:
    return str(column).endswith("(%)")


def _as_fractions(table: pd.DataFrame) -> pd.DataFrame:
    """Percent columns (92.1 in a column named '… (%)') as fractions (0.921), which the
    percent format then shows as 92,1%."""
    out = table.copy()
    for column in out.columns:
        if _is_percent(column) and pd.api.types.is_numeric_dtype(out[column]):
            out[column] = (out[column].astype("float64") / 100).round(6)
    return out


def _format_sheet(sheet, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for j, column in enumerate(frame.columns, start=1):
        series = frame[column]
        if _is_percent(column) and pd.api.types.is_numeric_dtype(series):
            number_format = PERCENT
        elif pd.api.types.is_integer_dtype(series) or (
                pd.api.types.is_float_dtype(series) and series.dropna().mod(1).eq(0).all()
                and not series.dropna().empty and str(column) not in _DECIMAL_COLUMNS):
            number_format = THOUSANDS
        elif pd.api.types.is_float_dtype(series):
            number_format = DECIMAL
        elif series.map(lambda v: isinstance(v, (dt.date, pd.Timestamp))).any():
            number_format = DATE
        else:
            number_format = None
        for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
            if number_format:
                cell.number_format = number_format
            # Formula-like text is stored as text with Excel's quote prefix (the cell style a typed
            # apostrophe gives), so the cell shows `=1+1` as written and never runs it.
            if isinstance(cell.value, str) and cell.value[:1] == "'" and cell.value[1:2] in FORMULA_START:
                cell.value = cell.value[1:]
                cell.data_type = "s"  # openpyxl would take a leading "=" for a formula
                cell.quotePrefix = True
        header = sheet.cell(row=1, column=j)
        header.font = Font(bold=True)
        header.alignment = Alignment(wrap_text=False, vertical="top")
        if isinstance(header.value, str) and header.value[:1] == "'" and header.value[1:2] in FORMULA_START:
            header.value = header.value[1:]
            header.data_type = "s"
            header.quotePrefix = True
        sheet.column_dimensions[get_column_letter(j)].width = _width(column, series, number_format)
    sheet.freeze_panes = "A2"
    if sheet.max_row >= 1 and sheet.max_column >= 1:
        sheet.auto_filter.ref = f"A1:{get_column_letter(sheet.max_column)}{max(sheet.max_row, 1)}"


#: Columns of decimals even when every value happens to be whole.
_DECIMAL_COLUMNS = {"Skor", "Jarak dari kantor (km)", "Perlu per hari", "Laju per hari"}


def _width(column, series: pd.Series, number_format: str | None) -> float:
    """Characters wide enough for the header (plus the filter button) and the longest value."""
    def shown(v) -> str:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return ""
        if number_format == PERCENT:
            return f"{v * 100:,.1f}%"
        if number_format == THOUSANDS:
            return f"{v:,.0f}"
        if number_format == DECIMAL:
            return f"{v:,.1f}"
        if number_format == DATE:
            return "00/00/0000"
        return str(v)

    longest = max([len(shown(v)) for v in series.head(2000)] + [0])
    return float(min(max(len(str(column)) + 4, longest + 2, 8), 60))


def _notes_sheet(sheet, described: list[tuple[str, Notes]], demo: bool) -> None:
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    rows: list[tuple[str, str]] = []
    if demo:
        rows.append(("PERHATIAN", f"{DEMO_VALUE}: angka contoh yang dikalibrasi dengan laporan "
                                  "19 Januari 2018, bukan data SIAK."))
    rows.append(("Diunduh", dt.datetime.now().strftime("%d/%m/%Y %H.%M")))
    for name, notes in described:
        rows.append(("", ""))
        rows.append(("Lembar", _sheet_name(name)))
        rows.append(("Judul", notes.judul))
        rows.append(("Sumber", notes.sumber))
        rows.append(("Data per", notes.data_per.strftime("%d/%m/%Y") if notes.data_per else "–"))
        rows += [(f"Filter: {k}", v) for k, v in notes.filter]
        rows += [(f"Kolom: {k}", v) for k, v in notes.definisi.items()]
    sheet.append(["Butir", "Isi"])
    for cell in sheet[1]:
        cell.font = bold
    for key, value in rows:
        sheet.append([neutralise(key), neutralise(value)])
        if key in ("Lembar", "PERHATIAN"):
            sheet.cell(row=sheet.max_row, column=1).font = bold
            sheet.cell(row=sheet.max_row, column=2).font = bold
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 100
    for row in sheet.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
