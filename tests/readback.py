"""Reading what a page rendered back into figures: the verdict strip and the chart cards."""
from __future__ import annotations

import re


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).replace("&amp;", "&").replace("&lt;", "<").strip()


def strip_items(at) -> dict[str, str]:
    """The verdict strip as rendered: data-vonis name -> its shown value (and note), the badge
    under "lencana", the last line under "_note"."""
    bodies = [h.proto.body for h in at.get("html") if "class='vonis" in h.proto.body]
    assert len(bodies) == 1, f"{len(bodies)} verdict strips"
    body = bodies[0]
    items = {k: _text(v) for k, v in re.findall(r"data-vonis='(\w+)'><dt>.*?</dt><dd>(.*?)</dd>", body)}
    items["lencana"] = _text(re.findall(r"data-vonis='lencana'>(.*?)</span>", body)[0])
    items["_note"] = _text((re.findall(r"<p class='vonis-catatan'>(.*?)</p>", body) or [""])[0])
    return items


def walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from walk(child)


def card_block(at, key: str):
    """The bordered block web.card drew for `key`."""
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if getattr(node, "type", None) == "flex_container" and proto is not None and \
                str(getattr(proto, "id", "")).endswith(f"kartu-{key}"):
            return node
    raise AssertionError(f"no card {key!r}")


def card_texts(at, key: str) -> dict[str, object]:
    """A chart card (web.card) by its key: title, subtitle, footer, the sentence or info shown
    instead of a chart, whether a chart is drawn, and the chart's spec (JSON text)."""
    block = card_block(at, key)
    elements = [n for n in walk(block) if n is not block and not isinstance(getattr(n, "children", None), dict)]
    kinds = [(getattr(e, "type", type(e).__name__), e) for e in elements]
    # The title is bold and the subtitle the caption right after it; the footer is the other
    # caption. Peta puts its chart column (with the footer) before the title's column.
    at_title = next(i for i, (t, e) in enumerate(kinds) if t == "markdown" and e.value.startswith("**"))
    title, subtitle = kinds[at_title][1].value, kinds[at_title + 1][1].value
    markdown = [e.value for i, (t, e) in enumerate(kinds) if t == "markdown" and i != at_title]
    captions = [e.value for i, (t, e) in enumerate(kinds) if t == "caption" and i != at_title + 1]
    charts = [e for t, e in kinds if t == "plotly_chart"]
    alerts = [e.value for t, e in kinds if t in ("info", "alert", "warning")]
    return {
        "title": title.removeprefix("**").removesuffix("**"),
        "subtitle": subtitle,
        "footer": captions[-1],
        # An empty card says what is missing in an info box; a card without a chart in words.
        "sentence": alerts[0] if alerts else (markdown[0] if markdown else None),
        "info": alerts,
        "chart": bool(charts),
        "spec": charts[0].proto.spec if charts else None,
    }
