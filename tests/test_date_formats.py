"""One date format per view (issue 24): the cards said "4 Feb 2019" while the grid beside them
said "04/02/2019". Every view writes a date as the office does, day, Indonesian month name, year
("4 Februari 2019" in sentences, "4 Feb 2019" where room is tight: a table, the verdict strip);
no view writes a date in numbers, nor an English month name (the grid's own date format,
moment.js, writes "Aug", "Oct", "Dec", "May").

Each page is run as its audience sees it (AppTest): everything it writes (markdown, captions,
headings, notes, metrics, HTML) and every date a grid shows, read from what the grid is given
(its column format, or the text it is told to show).
"""
from __future__ import annotations

import io
import json
import re

import pyarrow as pa
import pytest

from apptest_support import open_app
from readback import walk
from bulukumba.language import fmt

MONTHS = "|".join(sorted(set(fmt.BULAN) | set(fmt.BULAN_PENDEK), key=len, reverse=True))
IN_WORDS = re.compile(rf"\b\d{{1,2}} (?:{MONTHS}) \d{{4}}\b")
IN_NUMBERS = re.compile(r"(?<![\d.])(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2})(?![\d.])")
ENGLISH = re.compile(r"\b\d{1,2} (?:May|Aug|Oct|Dec|January|February|March|June|July|August|October|December)\b")
#: A grid's DateColumn format, read as moment.js would write 4 February 2019.
MOMENT = [("YYYY", "2019"), ("MMMM", "February"), ("MMM", "Feb"), ("MM", "02"), ("DD", "04"), ("D", "4")]


def _moment(pattern: str) -> str:
    out = pattern
    for token, value in MOMENT:
        out = out.replace(token, value)
    return out


def grid_dates(node) -> list[str]:
    """The dates a grid shows, as it shows them."""
    proto = node.proto
    data = node.value
    config = json.loads(proto.columns or "{}")
    shown = None
    styler = proto.arrow_data.styler
    if proto.arrow_data.HasField("styler") and styler.display_values:
        shown = pa.ipc.open_stream(io.BytesIO(styler.display_values)).read_pandas()
    out = []
    for position, column in enumerate(data.columns):
        if fmt.column_kind(data[column]) != "tanggal":
            continue
        options = (config.get(str(column)) or config.get(f"_pos:{position}") or {}).get("type_config") or {}
        if options.get("format"):  # the grid's own formatting wins over a Styler's text
            out.append(_moment(options["format"]))
        elif shown is not None:
            out += [str(v) for v in shown.iloc[:, position + (shown.shape[1] - data.shape[1])]]
        else:  # the grid's default: ISO
            out += [v.isoformat() for v in data[column].dropna()]
    return out


def view_texts(at) -> list[str]:
    """Everything the run wrote that a reader sees, and the dates of its grids."""
    texts = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if getattr(node, "type", None) == "arrow_data_frame" or type(node).__name__ == "Dataframe":
            texts += grid_dates(node)
            continue
        for field in ("body", "label", "value", "help", "caption", "placeholder"):
            value = getattr(proto, field, None) if field in proto.DESCRIPTOR.fields_by_name else None
            if isinstance(value, str) and value:
                texts.append(value)
    return texts


def formats(texts: list[str]) -> dict[str, list[str]]:
    found = {}
    for text in texts:
        for name, pattern in (("kata", IN_WORDS), ("angka", IN_NUMBERS), ("Inggris", ENGLISH)):
            found.setdefault(name, []).extend(pattern.findall(text))
    return {k: v for k, v in found.items() if v}


KINDANG = "73.02.08"  # a kecamatan: Ringkasan then lists its villages, each with its data date
VIEWS = [("pages/ringkasan.py", "pimpinan"), ("pages/ringkasan.py?kec", "pimpinan"), ("pages/peta.py", "pimpinan"), ("pages/mitra.py", "pimpinan"),
         ("pages/gertak.py", "pimpinan"), ("pages/unduh.py", "pimpinan"), ("pages/kelola.py", "operator"),
         (None, None)]


@pytest.mark.parametrize("page,role", VIEWS, ids=[p or "publik" for p, _r in VIEWS])
def test_each_view_writes_its_dates_one_way(page, role):
    query = {"kec": KINDANG} if page and page.endswith("?kec") else None
    at = open_app(page.removesuffix("?kec") if page else None, query=query, role=role)
    assert not at.exception, at.exception
    if page == "pages/peta.py":  # a village chosen: its detail has dates too (a caption, its services)
        village = at.selectbox(key="peta-desa").options[1]
        at.selectbox(key="peta-desa").select(village).run()
        assert not at.exception
    found = formats(view_texts(at))
    assert "kata" in found, (page, found)  # the view does show dates (the data date at least)
    assert set(found) == {"kata"}, (page, found)


def test_a_grid_shows_its_dates_in_words_and_keeps_them_dates():
    """Ringkasan's village table: "30 Jun 2018" on screen; the column is still dates (it sorts by
    date, not alphabetically)."""
    at = open_app("pages/ringkasan.py", query={"kec": KINDANG})
    grid = next(d for d in at.dataframe if "Tanggal data" in d.value.columns)
    assert fmt.column_kind(grid.value["Tanggal data"]) == "tanggal"
    shown = grid_dates(grid)
    assert shown and all(IN_WORDS.fullmatch(s) for s in shown), shown[:5]
