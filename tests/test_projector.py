"""A meeting on a projector: slides that have something to say, legible from the back of the room.

Server-side checks on every data state an office meets (data_states.py); the fit on real
screens and the keyboard are checked in a real browser (test_browser_public.py).
"""
from __future__ import annotations

import html
import re

import pytest

from apptest_support import open_app
from bulukumba import disclosure
from bulukumba.storage import store
from bulukumba.language import texts
from data_states import STATES, store_for

ALL = ["Angka kunci", "Peta belum rekam", f"{texts.MITRA_EKTP} · GERTAK 2018", "Progres GERTAK 2018",
       "Desa prioritas"]


def slide_title(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("## "))[3:]


def counter(at) -> tuple[int, int]:
    text = next(m.value for m in at.markdown if " / " in m.value and "proyektor-meta" in m.value)
    here, total = re.search(r">(\d+) / (\d+)", text).groups()
    return int(here), int(total)


def visit_all(at) -> list[str]:
    """Press 'Berikutnya' through one full round; the titles seen, in order."""
    seen = [slide_title(at)]
    for _ in range(counter(at)[1] - 1):
        at.button(key="slide-maju").click().run()
        assert not at.exception, at.exception
        seen.append(slide_title(at))
    at.button(key="slide-maju").click().run()
    assert slide_title(at) == seen[0], "after the last slide comes the first"
    return seen


def expected_slides(view: disclosure.PublicView) -> list[str]:
    has_partners = not view.mitra_perekaman.empty and view.mitra_perekaman["jumlah"].sum() > 0
    return [s for s, keep in zip(ALL, [True, True, has_partners, view.gertak is not None, not view.prioritas.empty])
            if keep]


@pytest.mark.parametrize("state", STATES)
def test_slides_with_nothing_to_show_are_skipped(state, tmp_path_factory, regions):
    url = store_for(state, tmp_path_factory, regions)
    view = disclosure.public_view(engine=store.engine_for(url))
    at = open_app(role=None, db_url=url, query={"mode": "proyektor"})
    assert not at.exception, at.exception
    seen = visit_all(at)
    assert seen == expected_slides(view)
    if state in ("satu_snapshot", "tanpa_kegiatan"):
        assert ALL[2] not in seen  # no partner activity: no empty partner chart
    if state in ("satu_snapshot", "tanpa_target"):
        assert ALL[3] not in seen  # no target: no progress slide
    if state == "contoh":
        assert seen == ALL


@pytest.fixture(scope="module")
def projector():
    return open_app(role=None, query={"mode": "proyektor"})


def go_to(at, title: str) -> None:
    for _ in range(len(ALL)):
        if slide_title(at) == title:
            return
        at.button(key="slide-maju").click().run()
    raise AssertionError(f"no slide {title!r}")


def test_paused_the_button_says_putar_lagi(projector):
    at = projector
    assert at.button(key="slide-jeda").label == texts.PROYEKTOR_JEDA
    at.button(key="slide-jeda").click().run()
    assert at.button(key="slide-jeda").label == "Putar lagi"
    assert "dijeda" in next(m.value for m in at.markdown if "proyektor-meta" in m.value and " / " in m.value)
    at.button(key="slide-jeda").click().run()
    assert at.button(key="slide-jeda").label == "Jeda"


def svgs(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("<svg")]


def test_the_map_names_the_villages_it_highlights(projector):
    at = projector
    go_to(at, "Peta belum rekam")
    from bulukumba import config

    view = disclosure.public_view(engine=store.engine_for(config.database_url()))
    shown = view.desa[view.desa["status"] == disclosure.SHOWN]
    top = shown.sort_values(["belum_rekam", "kode"], ascending=[False, True]).head(5)
    svg = next(s for s in svgs(at) if "aria-label='Peta" in s)
    marked = re.findall(r">(\d+)</text><text [^>]*paint-order='stroke'>(.*?)</text>", svg)
    assert [html.unescape(name) for _, name in sorted(marked, key=lambda m: int(m[0]))] == list(top["nama"])
    listed = next(m.value for m in at.markdown if "proyektor-daftar" in m.value)
    for row in top.itertuples():
        assert f"<b>{html.escape(row.nama)}</b> · Kec. {row.kecamatan_nama}: {row.teks_belum_rekam} belum rekam" in listed


def _luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_chart_text_on_every_slide_is_black_or_at_least_7_to_1(projector):
    at = projector
    checked = 0
    for _ in range(len(ALL)):
        for svg in svgs(at):
            root_fill = re.match(r"<svg[^>]*?\bfill='([^']+)'", svg)
            for tag in re.findall(r"<text[^>]*>", svg):
                fill = re.search(r"\bfill='([^']+)'", tag)
                colour = fill.group(1) if fill else (root_fill.group(1) if root_fill else "#000")
                if colour == "#fff":  # the number on a black marker
                    assert contrast(colour, "#000") >= 7
                else:
                    assert contrast(colour, "#ffffff") >= 7, (slide_title(at), tag)
                checked += 1
        at.button(key="slide-maju").click().run()
    assert checked >= 30
    assert contrast("#000", "#fff") == pytest.approx(21)


def test_the_projector_draws_no_plotly_chart(projector):
    """Its charts are SVGs sized to the screen's height, so a slide fits without scrolling."""
    at = projector
    for _ in range(len(ALL)):
        assert not at.get("plotly_chart"), slide_title(at)
        at.button(key="slide-maju").click().run()
