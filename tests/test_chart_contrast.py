"""Chart text on every internal page is legible (issue 24): at least 4.5:1 against its background.

axe does not look inside Plotly's SVG, so this reads the figures the pages send to the browser
and works out, for each piece of text, the colour it is drawn in: its own, else what it
inherits. Streamlit's chart theme colours axis ticks, axis titles, the legend and the hover
label #808495 (3.7:1 on white) unless the figure names a colour there, and greys the layout's
font the same way when the figure names none; so a text without a named colour counts as
#808495. Checked on every data state with figures (data_states.AUDIENCES)."""
from __future__ import annotations

import json
import re

import pytest

import data_states
from apptest_support import open_app

STREAMLIT_GREY = "#808495"
PAGES = ("ringkasan", "peta", "mitra", "gertak")


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip().lower()
    named = {"white": "#ffffff", "black": "#000000"}
    colour = named.get(colour, colour)
    if colour.startswith("#"):
        h = colour[1:]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))
    found = re.match(r"rgba?\(\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)", colour)
    assert found, f"colour {colour!r} not understood"
    return tuple(float(v) / 255 for v in found.groups())


def _luminance(colour: str) -> float:
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _get(obj, *path):
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def text_colours(spec: dict) -> list[tuple[str, str, str]]:
    """(where, text colour, background) of every text a figure draws."""
    layout = spec.get("layout", {})
    paper = layout.get("paper_bgcolor") or "#ffffff"
    plot = layout.get("plot_bgcolor") or paper
    base = _get(layout, "font", "color") or STREAMLIT_GREY
    found = []
    for key, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*", key) and isinstance(axis, dict) and axis.get("visible", True):
            found.append((f"{key} ticks", _get(axis, "tickfont", "color") or STREAMLIT_GREY, paper))
            if _get(axis, "title", "text"):
                found.append((f"{key} title", _get(axis, "title", "font", "color") or STREAMLIT_GREY, paper))
    if layout.get("showlegend") is not False and len(spec.get("data", [])) > 1:
        found.append(("legend", _get(layout, "legend", "font", "color") or STREAMLIT_GREY, paper))
    for i, note in enumerate(layout.get("annotations", [])):
        found.append((f"annotation {note.get('text')!r}", _get(note, "font", "color") or base, plot))
    for i, shape in enumerate(layout.get("shapes", [])):
        if _get(shape, "label", "text"):
            found.append((f"shape label {i}", _get(shape, "label", "font", "color") or base, plot))
    for i, trace in enumerate(spec.get("data", [])):
        if trace.get("text") is None and trace.get("texttemplate") is None:
            continue
        if "text" not in str(trace.get("mode", "text")) and trace.get("type") == "scatter":
            continue
        position = trace.get("textposition", "")
        if position == "inside":
            colour = _get(trace, "insidetextfont", "color") or _get(trace, "textfont", "color")
            bg = _get(trace, "marker", "color")
            assert colour and isinstance(bg, str), f"trace {i}: text inside a bar without named colours"
            found.append((f"trace {i} text inside", colour, bg))
        else:
            found.append((f"trace {i} text", _get(trace, "textfont", "color") or base, plot))
    if spec.get("data") and any(t.get("hovertemplate") for t in spec["data"]):
        hover_bg = _get(layout, "hoverlabel", "bgcolor") or "#ffffff"
        found.append(("hover", _get(layout, "hoverlabel", "font", "color") or STREAMLIT_GREY, hover_bg))
    return found


@pytest.fixture(scope="module", params=[s for s in data_states.AUDIENCES if s != "dibatalkan"])
def state(request, tmp_path_factory, regions):
    return request.param, data_states.store_for(request.param, tmp_path_factory, regions)


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_text_reaches_4_5_to_1(state, page):
    name, url = state
    at = open_app(f"pages/{page}.py", role="pimpinan", db_url=url)
    assert not at.exception, at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    if page == "ringkasan":
        assert specs, f"{name}/{page}: no chart to check"
    weak = []
    for n, spec in enumerate(specs):
        for where, colour, background in text_colours(spec):
            ratio = contrast(colour, background)
            if ratio < 4.5:
                weak.append(f"chart {n} {where}: {colour} on {background} = {ratio:.2f}:1")
    assert not weak, f"{name}/{page}:\n" + "\n".join(weak)


def test_the_check_sees_streamlits_grey():
    assert contrast(STREAMLIT_GREY, "#ffffff") == pytest.approx(3.76, abs=0.05)
    bare = {"data": [{"type": "bar", "x": [1], "y": ["a"], "text": ["1"]}], "layout": {"xaxis": {}}}
    assert all(colour == STREAMLIT_GREY for _w, colour, _b in text_colours(bare))
