"""Nothing false by omission (issue 24): an empty partner store is not "every partner did 0",
bars are as long as their figures, the public GERTAK chart draws what its sentence says, and a
tie is named as a tie. Checked on the data states an office meets (data_states.AUDIENCES)."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

import data_states
from apptest_support import open_app
from bulukumba.presentation import cards, svg
from bulukumba import disclosure
from bulukumba.language import fmt, texts
from bulukumba.storage import reference, store

_runs: dict = {}


@pytest.fixture(scope="module", params=[s for s in data_states.AUDIENCES if s != "dibatalkan"])
def state(request, tmp_path_factory, regions):
    url = data_states.store_for(request.param, tmp_path_factory, regions)
    return request.param, url, store.engine_for(url)


def run(state, page: str | None, role: str | None = None):
    name, url, _engine = state
    if (name, page, role) not in _runs:
        at = open_app(page, role=role, db_url=url)
        assert not at.exception, at.exception
        _runs[(name, page, role)] = at
    return _runs[(name, page, role)]


def public(state):
    return run(state, None)


def bodies(at) -> list[str]:
    return [h.proto.body for h in at.get("html")] + [m.value for m in at.markdown]


def has_activity(engine) -> bool:
    from bulukumba import figures

    return figures.partner_leaderboard(engine=engine)["jumlah"].sum() > 0


# ---------------------------------------------------------------------------------------------
# No partner activity
# ---------------------------------------------------------------------------------------------

def test_no_partner_activity_is_not_a_list_of_partners_with_0_each(state):
    name, _url, engine = state
    at = public(state)
    tables_shown = [b for b in bodies(at) if "Jumlah layanan" in b]
    headings = [m.value for m in at.markdown if "Warga rentan yang dilayani" in m.value]
    if has_activity(engine):
        assert tables_shown, name
    else:
        assert not tables_shown, f"{name}: a partner table with nothing in it"
        assert not headings, f"{name}: a heading over empty notes"
        assert not [c.value for c in at.caption if "semuanya 0" in c.value]
        assert any(texts.BELUM_TERBIT["kegiatan"] in m.value for m in at.markdown)


def test_no_heading_over_notes_that_all_say_0(state):
    at = public(state)
    texts_after = [e.value for e in at.main if hasattr(e, "value") and isinstance(e.value, str)]
    for i, text in enumerate(texts_after):
        if "Warga rentan yang dilayani" in text:
            following = texts_after[i + 1:i + 2]
            assert not all("semuanya 0" in t for t in following), "only zeros under the heading"


def test_unduh_offers_no_partner_ranking_beside_no_activity(state):
    name, _url, engine = state
    at = run(state, "pages/unduh.py", role="pimpinan")
    counts = {}
    for m in at.markdown:
        found = re.match(r"\*\*(.+?)\*\* · ([\d.]+) baris", m.value)
        if found:
            counts[found.group(1)] = int(found.group(2).replace(".", ""))
    ranking = next(v for k, v in counts.items() if k.startswith("Peringkat mitra"))
    activity = next(v for k, v in counts.items() if k.startswith("Kegiatan mitra"))
    if activity == 0:
        assert ranking == 0, f"{name}: a ranking of {ranking} rows beside 0 activity rows"


def test_mitra_rincian_shows_no_demo_description_on_real_data(state):
    name, _url, _engine = state
    at = run(state, "pages/mitra.py", role="pimpinan")
    shown = " ".join(c.value for c in at.caption)
    descriptions = [d for _k, _n, d in reference.PARTNERS if d in shown]
    if name == "contoh":
        assert descriptions and texts.DEMO_LABEL in shown
    else:
        assert not descriptions, f"{name}: {descriptions}"


# ---------------------------------------------------------------------------------------------
# Bars from 0; the GERTAK chart says what its sentence says
# ---------------------------------------------------------------------------------------------

def svg_with(at, label_start: str) -> str:
    found = [m.value for m in at.markdown if f"aria-label='{label_start}" in m.value]
    assert len(found) == 1, label_start
    return found[0]


def test_public_coverage_bars_are_as_long_as_their_coverage(state):
    name, _url, engine = state
    at = public(state)
    drawn = svg_with(at, "Cakupan per kecamatan")
    view = disclosure.public_view(engine=engine)
    shares = dict(zip(view.kecamatan["nama"], view.kecamatan["cakupan"]))
    widths = {title.split(":")[0]: float(width) for width, title in re.findall(
        r"<rect x='\d+' y='\d+' width='([\d.]+)' height='\d+' fill='[^']+'><title>([^<]+)</title>", drawn)}
    assert len(widths) >= 2
    longest = max(widths, key=widths.get)
    for kec, width in widths.items():
        if pd.notna(shares.get(kec)) and "url(" not in kec:
            assert width / widths[longest] == pytest.approx(shares[kec] / shares[longest], abs=0.01), (name, kec)
    assert ">0%<" in drawn and ">100%<" in drawn, "an axis says where the bars start"


def test_public_gertak_chart_draws_the_projection_its_sentence_speaks_of(state):
    name, _url, engine = state
    view = disclosure.public_view(engine=engine)
    strip = view.vonis
    if view.gertak is None or strip is None or not strip.proyeksi_selesai or not view.gertak.sisa:
        pytest.skip(f"{name}: no projection to draw")
    drawn = svg_with(public(state), "Progres GERTAK 2018")
    assert f"proyeksi selesai {fmt.date(strip.proyeksi_selesai)}" in drawn
    assert ">Proyeksi<" in drawn and "data-label='tenggat'" in drawn


# ---------------------------------------------------------------------------------------------
# The progress chart's labels: not crossed, the deadline named
# ---------------------------------------------------------------------------------------------

def _crosses(box, a, b) -> bool:
    """Whether the segment a-b passes through the rectangle box=(x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    for i in range(101):
        t = i / 100
        px, py = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        if x0 <= px <= x1 and y0 <= py <= y1:
            return True
    return False


@pytest.mark.parametrize("ink", [None, "#000"])
def test_the_newest_figure_is_not_crossed_by_the_projection_and_the_deadline_is_labelled(ink):
    days = pd.date_range("2018-01-19", "2018-06-30", freq="14D")
    progress = pd.DataFrame({"tanggal": days, "capaian": [int(6000 * i / (len(days) - 1)) for i in range(len(days))]})
    drawn = svg.progress(progress, 13000, dt.date(2018, 1, 19), dt.date(2018, 12, 31),
                         (dt.date(2019, 2, 4), 13000), ink=ink)
    place = re.search(r"<text x='([\d.]+)' y='([\d.]+)'( text-anchor='end')?[^>]*data-label='capaian'>([^<]+)<", drawn)
    x, y, end, label = float(place.group(1)), float(place.group(2)), place.group(3), place.group(4)
    width = len(label) * 15 * 0.62
    box = (x - width, y - 13, x, y + 2) if end else (x, y - 13, x + width, y + 2)
    line = re.search(r"<line x1='([\d.]+)' y1='([\d.]+)' x2='([\d.]+)' y2='([\d.]+)' stroke='[^']+' "
                     r"stroke-width='2.5' stroke-dasharray='2 5'/>", drawn)
    a, b = (float(line.group(1)), float(line.group(2))), (float(line.group(3)), float(line.group(4)))
    assert not _crosses(box, a, b), "the projection line crosses the newest figure's label"
    assert "tenggat 31 Desember 2018" in drawn


# ---------------------------------------------------------------------------------------------
# Ties
# ---------------------------------------------------------------------------------------------

def _villages(counts: list[int]) -> pd.DataFrame:
    names = [f"Desa {chr(65 + i)}" for i in range(len(counts))]
    return pd.DataFrame({"kode": names, "nama": names, "kecamatan_nama": "Kajang", "belum_rekam": counts,
                         "cakupan": [0.9] * len(counts)})


def test_two_villages_tied_for_most_are_both_named():
    card = cards.top_unrecorded(_villages([398, 398, 200, 150, 100, 90, 80]), "Kabupaten Bulukumba",
                                dt.date(2018, 6, 30), False)
    assert "Desa A (Kajang) dan Desa B (Kajang) paling banyak belum rekam: 398 orang masing-masing" in card.title


def test_a_tie_at_the_fifth_place_draws_both():
    card = cards.top_unrecorded(_villages([500, 400, 300, 200, 100, 100, 50]), "Kabupaten Bulukumba",
                                dt.date(2018, 6, 30), False)
    assert len(card.figure.data[0].x) == 6 and "urutan ke-5 sama banyak" in card.subtitle
    assert card.title.startswith("Desa A (Kajang) paling banyak belum rekam: 500 orang;")


def test_public_bar_and_progress_text_stays_under_20_px_on_a_wide_screen(state):
    """The SVGs grow with the column up to their max-width: at 1366 px the coverage chart's
    16-unit text was drawn 25 px tall and filled a screen."""
    at = public(state)
    for label in ("Cakupan per kecamatan", "Progres GERTAK 2018"):
        found = [m.value for m in at.markdown if f"aria-label='{label}" in m.value]
        for drawn in found:
            width = float(re.search(r"viewBox='0 0 (\d+)", drawn).group(1))
            widest = float(re.search(r"max-width:(\d+)px", drawn).group(1))
            font = float(re.search(r"font-size='(\d+)'", drawn).group(1))
            assert font * widest / width <= 20, (label, font * widest / width)


def test_the_projectors_partner_names_are_not_cut():
    """At 1024x768 'PMI (Palang Merah Indonesia)' was cut to 'MI (Palang Merah Indonesia)': the
    names' column was 300 units whatever the names."""
    board = pd.DataFrame({"nama": ["PMI (Palang Merah Indonesia)", "Dinas Kesehatan", "BKPRMI"],
                          "jumlah": [1894, 3759, 1584], "porsi": [0.26, 0.52, 0.22]})
    drawn = svg.partner_bars(board, texts.MITRA_EKTP)
    for x, name in re.findall(r"<text x='([\d.]+)' y='[\d.]+' text-anchor='end'>([^<]+)</text>", drawn):
        assert len(name) * 26 * 0.56 <= float(x), (name, x)  # the name fits left of its bar
