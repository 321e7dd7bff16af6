"""Plain HTML tables: numbers the Indonesian way, and on a phone three columns, the rest on tap.

The public page and projector draw tables as HTML (no table widget bundle). A table of seven
columns does not fit a 360 px phone, and a table that scrolls sideways hides the figures people
came for, so each table is written twice: the whole table for screens wider than `PHONE_PX`,
and for phones the three columns that matter with the row's other figures folded into the
first cell (a <details>: a tap or Enter opens it; no script). CSS shows one or the other.
"""
from __future__ import annotations

import html

import pandas as pd

from bulukumba.language import fmt

#: Widest screen that gets the phone table (Streamlit stacks columns below 640 px too).
PHONE_PX = 640

CSS = f"""
.tabel {{ max-width: 100%; }}
.tabel table {{ border-collapse: collapse; width: 100%; font-size: 0.9rem; }}
.tabel th, .tabel td {{ border-bottom: 1px solid #d0d0d0; padding: .3em .4em; text-align: left;
  vertical-align: top; }}
.tabel th {{ font-weight: 600; }}
.tabel td.angka, .tabel th.angka {{ text-align: right; font-variant-numeric: tabular-nums; }}
.tabel caption {{ text-align: left; font-weight: 600; padding: 0 0 .3em; }}
.tabel .hp {{ display: none; }}
.tabel details summary {{ cursor: pointer; min-height: 44px; box-sizing: border-box; padding: .6em 0; }}
.tabel details dl {{ margin: .3em 0 .2em !important; padding: 0 !important; font-size: .85rem; }}
.tabel details dl div {{ margin: .1em 0; }}
.tabel details dt {{ display: inline; font-weight: 400; color: #333; }}
.tabel details dt::after {{ content: ": "; }}
.tabel details dd {{ display: inline; margin: 0 !important; font-variant-numeric: tabular-nums; }}
.tabel .hp th:first-child {{ width: 55%; }}
@media (max-width: {PHONE_PX}px) {{
  .tabel .lebar {{ display: none; }}
  .tabel .hp {{ display: table; }}
  .tabel td, .tabel th {{ overflow-wrap: break-word; }}
}}
"""


def number_formats(table: pd.DataFrame) -> dict:
    """Formatters for Indonesian numbers, by column type."""
    by_kind = {"bilangan": fmt.number, "desimal": lambda v: fmt.number(v, 1), "tanggal": fmt.date}
    formats = {}
    for column in table.columns:
        kind = fmt.column_kind(table[column])
        if kind is not None:
            formats[column] = by_kind[kind]
    return formats


def _labels() -> set[str]:
    from bulukumba.disclosure import MASKED, SMALL, WITHHELD

    return {SMALL, MASKED, WITHHELD}


class _Cells:
    """Each cell's text and whether its column holds numbers (right-aligned)."""

    def __init__(self, table: pd.DataFrame):
        self.formats = number_formats(table)
        # A column of counts with some hidden cells ("<5", "disamarkan") is still a column of numbers.
        labels = _labels()
        self.numeric = set(self.formats) | {
            c for c in table.columns
            if len(table) and table[c].map(lambda v: isinstance(v, (int, float)) or v in labels).all()}

    def text(self, column, value) -> str:
        if isinstance(value, str):
            return value
        exact = self.formats.get(column) or (
            fmt.number if isinstance(value, int) and not isinstance(value, bool) else str)
        return exact(value)

    def td(self, column, value) -> str:
        css = " class='angka'" if column in self.numeric or isinstance(value, (int, float)) else ""
        return f"<td{css}>{html.escape(self.text(column, value))}</td>"

    def th(self, column) -> str:
        css = " class='angka'" if column in self.numeric else ""
        return f"<th scope='col'{css}>{html.escape(str(column))}</th>"


def table_html(table: pd.DataFrame, css_class: str = "") -> str:
    """One HTML table, numbers in Indonesian format (the projector's, and the wide one here)."""
    cells = _Cells(table)
    head = "".join(cells.th(c) for c in table.columns)
    rows = "".join("<tr>" + "".join(cells.td(c, v) for c, v in zip(table.columns, row)) + "</tr>"
                   for row in table.itertuples(index=False))
    return f"<table class='{css_class}'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def phone_table_html(table: pd.DataFrame, columns: list[str] | None = None) -> str:
    """The phone's table: `columns` (default: the first three); the first cell of each row folds
    out the row's other figures."""
    cells = _Cells(table)
    shown = list(columns or table.columns[:3])
    rest = [c for c in table.columns if c not in shown]
    head = "".join(cells.th(c) for c in shown)
    rows = []
    for record in table.to_dict("records"):
        first = html.escape(cells.text(shown[0], record[shown[0]]))
        if rest:
            more = "".join(f"<div><dt>{html.escape(str(c))}</dt><dd>{html.escape(cells.text(c, record[c]))}</dd></div>"
                           for c in rest)
            first = f"<details><summary>{first}</summary><dl>{more}</dl></details>"
        css = " class='angka'" if shown[0] in cells.numeric else ""
        rows.append(f"<tr><td{css}>{first}</td>" + "".join(cells.td(c, record[c]) for c in shown[1:]) + "</tr>")
    return f"<table class='hp'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def responsive_table_html(table: pd.DataFrame, phone_columns: list[str] | None = None,
                          caption: str | None = None) -> str:
    """The whole table on wide screens, `phone_table_html` on phones, with their style sheet."""
    wide = table_html(table, "lebar")
    phone = phone_table_html(table, phone_columns) if len(table.columns) > 3 else ""
    if caption:
        wide = wide.replace("<thead>", f"<caption>{html.escape(caption)}</caption><thead>", 1)
        phone = phone.replace("<thead>", f"<caption>{html.escape(caption)}</caption><thead>", 1)
    if not phone:
        wide = wide.replace("class='lebar'", "class='semua'", 1)
    return f"<style>{CSS}</style><div class='tabel'>{wide}{phone}</div>"
