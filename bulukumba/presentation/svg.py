"""Light charts for the public page: a DataFrame in, a small self-contained SVG document out.

The public page is opened by citizens on phones over slow connections. Plotly's browser bundle
is 4.7 MB (uncompressed, as Streamlit serves it) and the table widget another 1.2 MB; these SVGs
need neither, so a first visit costs about a third of the bytes. Same colours and formats as
charts.py (orange: unrecorded; blue: recorded and coverage; dark grey: targets). Hovering (or a
long press) on a village shows its figures through the SVG <title>. The maps and bars draw a
published set (bulukumba.disclosure): hidden figures are hatched "disamarkan", never coloured.
"""
from __future__ import annotations

import datetime as dt
import html
import math

import pandas as pd
from plotly.colors import sample_colorscale
from plotly.colors import sequential as scales

from bulukumba.presentation import charts
from bulukumba.language import fmt, texts

WIDTH = 800
#: Fills the column's width at any screen size; text in the page's own font.
STYLE = "style=\"width:100%;max-width:760px;height:auto;display:block;font-family:inherit\""
#: Bars and lines are drawn narrower than the map, so their text stays legible on a phone; on a
#: wide screen they grow to at most 560 px (text at most 16 × 560/480 ≈ 19 px, not a screenful).
NARROW = 480
NARROW_STYLE = STYLE.replace("max-width:760px", "max-width:560px")
SCALES = {"belum_rekam": scales.Oranges, "cakupan": scales.Blues}


def _esc(text) -> str:
    """Escaped for SVG; line breaks as entities, so the SVG stays one line (st.markdown ends an
    HTML block at a blank line)."""
    return html.escape(str(text), quote=True).replace("\n", "&#10;")


# ---------------------------------------------------------------------------------------------
# The village map
# ---------------------------------------------------------------------------------------------

class _Projection:
    """Longitude/latitude to SVG units: equirectangular, scaled by cos(latitude) at the centre
    (the regency spans 0.5°, so this is true to shape within a fraction of a percent)."""

    def __init__(self, lons: tuple[float, float], lats: tuple[float, float], width: float):
        self.lon0, self.lat1 = lons[0], lats[1]
        self.kx = math.cos(math.radians((lats[0] + lats[1]) / 2))
        self.scale = width / ((lons[1] - lons[0]) * self.kx)
        self.height = (lats[1] - lats[0]) * self.scale

    def path(self, geometry: dict) -> str:
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        parts = []
        for polygon in polygons:
            for ring in polygon:
                points = " ".join(f"{(x - self.lon0) * self.kx * self.scale:.1f},"
                                  f"{(self.lat1 - y) * self.scale:.1f}" for x, y in ring)
                parts.append(f"M{points}Z")
        return "".join(parts)


    def centre(self, geometry: dict) -> tuple[float, float]:
        """Where a label goes: the area centroid of the largest ring, in SVG units."""
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        best = (0.0, 0.0, 0.0)
        for polygon in polygons:
            points = [((x - self.lon0) * self.kx * self.scale, (self.lat1 - y) * self.scale) for x, y in polygon[0]]
            area = cx = cy = 0.0
            for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
                cross = x0 * y1 - x1 * y0
                area += cross
                cx += (x0 + x1) * cross
                cy += (y0 + y1) * cross
            if abs(area) > abs(best[0]):
                best = (area, cx / (3 * area), cy / (3 * area))
        return best[1], best[2]


def _bounds(layer: dict) -> tuple[tuple[float, float], tuple[float, float]]:
    xs, ys = [], []
    for feature in layer["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            for x, y in polygon[0]:
                xs.append(x)
                ys.append(y)
    return (min(xs), max(xs)), (min(ys), max(ys))


#: Hidden villages ("disamarkan"): a neutral grey hatch, told apart from every colour of both
#: scales in greyscale too; drawn from a pattern, so its fill says nothing about the figure.
MASKED_FILL = "url(#disamarkan)"
MASKED_PATTERN = ("<pattern id='disamarkan' width='6' height='6' patternUnits='userSpaceOnUse' "
                  "patternTransform='rotate(45)'><rect width='6' height='6' fill='#e6e6e6'/>"
                  "<line x1='0' y1='0' x2='0' y2='6' stroke='#8c8c8c' stroke-width='2.5'/></pattern>")
NO_DATA_FILL = "#ffffff"


def _colours(values: pd.Series, quantity: str) -> tuple[list[str], float, float]:
    """Colours for the published values (missing ones get none); the scale's ends are the
    lowest and highest published value."""
    known = values.dropna()
    if known.empty:
        return [NO_DATA_FILL] * len(values), float("nan"), float("nan")
    low, high = float(known.min()), float(known.max())
    span = (high - low) or 1.0
    positions = [0.0 if pd.isna(v) else (float(v) - low) / span for v in values]
    return sample_colorscale(SCALES[quantity], positions), low, high


def _hover(row) -> str:
    return (f"{row['nama']} · Kec. {row['kecamatan_nama']}\n"
            f"Wajib KTP: {fmt.number(row['wajib_ktp'])}\n"
            f"Sudah rekam: {row['teks_sudah_rekam']}\n"
            f"Belum rekam: {row['teks_belum_rekam']}\n"
            f"Cakupan: {row['teks_cakupan']}")


def _spoken(row) -> str:
    """What a screen reader says for a village link."""
    return (f"{str(row['jenis']).capitalize()} {row['nama']}, Kecamatan {row['kecamatan_nama']}: "
            f"belum rekam {row['teks_belum_rekam']}, cakupan {row['teks_cakupan']}")


LABEL_PX = 26


def _label_place(x: float, y: float, name: str, taken: list, height: float) -> tuple[float, float, str]:
    """Where a village's name goes beside its marker: right, left, above or below, the first
    place that overlaps no name or marker already placed and stays on the map (else right)."""
    width = 0.58 * LABEL_PX * len(name) + 8
    x0 = min(max(x - width / 2, 0), WIDTH - width)  # above or below: slid to stay on the map
    places = [(x + 20, y + 9, "start", (x + 18, y - 19, x + 20 + width, y + 13)),
              (x - 20, y + 9, "end", (x - 20 - width, y - 19, x - 18, y + 13)),
              (x0, y - 22, "start", (x0, y - 50, x0 + width, y - 16)),
              (x0, y + 44, "start", (x0, y + 16, x0 + width, y + 50))]

    def free(box) -> bool:
        inside = box[0] >= 0 and box[2] <= WIDTH and box[1] >= 0 and box[3] <= height
        return inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                                  for b in taken if b != (x - 16, y - 16, x + 16, y + 16))

    tx, ty, anchor, box = next((place for place in places if free(place[3])), places[0])
    taken.append(box)
    return tx, ty, anchor


def village_map(layer: dict, outlines: dict, villages: pd.DataFrame, quantity: str = "belum_rekam",
                max_height: str | None = None, links: bool = False,
                highlight: list[str] | None = None, ink: str = "#000") -> str:
    """Villages coloured by `quantity`, kecamatan borders on top, a legend below.

    `villages` is a published set's village frame (disclosure.PublicView.desa): its figures are
    missing where hidden, `kelas_peta` says how to fill each village and the `teks_*` columns
    what its hover says. A hidden village is hatched grey ("disamarkan"), whatever its figure.
    `links` makes each village a link to `?desa=KODE` (its card); `highlight` lists village
    codes to outline and name, numbered in that order (the projector's "most unrecorded").
    """
    rows = villages.set_index("kode")
    values = rows[quantity].astype("Float64").astype("float64").where(rows["kelas_peta"] == "nilai")
    colours, low, high = _colours(values, quantity)
    fill_of = {kode: (MASKED_FILL if kelas == "disamarkan" else NO_DATA_FILL if kelas == "kosong" else colour)
               for kode, kelas, colour in zip(rows.index, rows["kelas_peta"], colours)}
    lons, lats = _bounds(layer)
    proj = _Projection(lons, lats, WIDTH)
    paths, marked = [], {}
    wanted = {kode: i for i, kode in enumerate(highlight or [], start=1)}
    for feature in layer["features"]:
        kode = feature["id"]
        if kode not in rows.index:
            continue
        row = rows.loc[kode]
        path = (f"<path d='{proj.path(feature['geometry'])}' fill='{fill_of[kode]}'>"
                f"<title>{_esc(_hover(row))}</title></path>")
        if links:
            path = (f"<a href='?desa={_esc(kode)}' data-desa='{_esc(kode)}' "
                    f"aria-label='{_esc(_spoken(row))}'>{path}</a>")
        paths.append(path)
        if kode in wanted:
            marked[kode] = (feature["geometry"], row["nama"])
    borders = "".join(f"<path d='{proj.path(f['geometry'])}'/>" for f in outlines["features"])
    label = charts.MAP_QUANTITIES[quantity]["label"]
    show = fmt.percent if quantity == "cakupan" else fmt.number
    legend_y = proj.height + 20
    gradient = "".join(f"<stop offset='{i / 8:.3f}' stop-color='{c}'/>"
                       for i, c in enumerate(sample_colorscale(SCALES[quantity], [i / 8 for i in range(9)])))
    masked = ""
    if (rows["kelas_peta"] == "disamarkan").any():
        masked = (f"<rect x='0' y='{legend_y + 62:.0f}' width='36' height='18' fill='{MASKED_FILL}' "
                  f"stroke='{charts.GREY}' stroke-width='0.6'/>"
                  f"<text x='46' y='{legend_y + 79:.0f}' font-size='24'>{_esc(texts.DISAMARKAN_LEGENDA)}</text>")
    height = legend_y + (92 if masked else 56)
    outlined, names = "", ""
    if marked:
        outlined = "".join(f"<path d='{proj.path(geometry)}'/>" for geometry, _ in marked.values())
        outlined = f"<g fill='none' stroke='#000' stroke-width='3.5' pointer-events='none'>{outlined}</g>"
        centres = {kode: proj.centre(geometry) for kode, (geometry, _) in marked.items()}
        taken = [(x - 16, y - 16, x + 16, y + 16) for x, y in centres.values()]  # the numbered markers
        for kode, (geometry, name) in marked.items():
            x, y = centres[kode]
            tx, ty, anchor = _label_place(x, y, name, taken, proj.height)
            names += (f"<circle cx='{x:.1f}' cy='{y:.1f}' r='15' fill='#000'/>"
                      f"<text x='{x:.1f}' y='{y + 7:.1f}' text-anchor='middle' fill='#fff' font-size='20' "
                      f"font-weight='700'>{wanted[kode]}</text>"
                      f"<text x='{tx:.1f}' y='{ty:.1f}' text-anchor='{anchor}' font-size='{LABEL_PX}' "
                      f"font-weight='700' fill='{ink}' stroke='#fff' stroke-width='5' "
                      f"paint-order='stroke'>{_esc(name)}</text>")
        names = f"<g pointer-events='none'>{names}</g>"
    role = "role='group'" if links else "role='img'"
    described = (f"<desc>{_esc(texts.PETA_PETUNJUK)}</desc>" if links else "")
    style = STYLE if max_height is None else STYLE.replace("max-width:760px", f"max-height:{max_height}")
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {height:.0f}' {style} "
        f"{role} aria-label='Peta {_esc(label.lower())} per desa'>{described}"
        f"<defs><linearGradient id='g'>{gradient}</linearGradient>{MASKED_PATTERN}</defs>"
        f"<g stroke='#fff' stroke-width='0.6'>{''.join(paths)}</g>"
        f"<g fill='none' stroke='{charts.GREY}' stroke-width='1.6' pointer-events='none'>{borders}</g>"
        f"{outlined}{names}<g fill='{ink}'>"
        f"<rect x='0' y='{legend_y:.0f}' width='360' height='18' fill='url(#g)'/>"
        f"<text x='0' y='{legend_y + 46:.0f}' font-size='24'>{_esc(show(low))}</text>"
        f"<text x='360' y='{legend_y + 46:.0f}' font-size='24' text-anchor='end'>{_esc(show(high))}</text>"
        f"<text x='380' y='{legend_y + 17:.0f}' font-size='24'>{_esc(label)}</text>{masked}</g></svg>")


# ---------------------------------------------------------------------------------------------
# Bars and the progress line
# ---------------------------------------------------------------------------------------------

def coverage_bars(kec: pd.DataFrame, target: float = charts.NATIONAL_TARGET) -> str:
    """Coverage per kecamatan, highest first, with the national target marked.

    `kec` is a published set's kecamatan frame (disclosure.PublicView.kecamatan). A kecamatan
    whose figures are hidden comes last, hatched, with no length: neither its bar nor its place
    says anything about its figure. With more than charts.MAX_BARS kecamatan (a national store),
    only that many published ones with the lowest coverage are drawn (the page says so).
    """
    shown = kec[kec["status"] == "tampil"].dropna(subset=["cakupan"]).sort_values("cakupan", ascending=False)
    hidden = kec[~kec["status"].isin(["tampil", "kosong"])].sort_values("nama")  # "disamarkan", "ditahan"
    if len(kec) > charts.MAX_BARS:
        shown, hidden = shown.tail(charts.MAX_BARS), hidden.iloc[0:0]
    if shown.empty and hidden.empty:
        return ""
    # Bars start at 0%: a bar's length is its coverage (90,5% is drawn 91% as long as 99,6%).
    left, right, bar_h, gap = 110, NARROW - 62, 26, 8
    x = lambda share: left + share * (right - left)  # noqa: E731
    top = 30
    bars = []
    for i, row in enumerate(shown.itertuples()):
        y = top + i * (bar_h + gap)
        bars.append(
            f"<text x='{left - 8}' y='{y + 18}' text-anchor='end'>{_esc(row.nama)}</text>"
            f"<rect x='{left}' y='{y}' width='{x(row.cakupan) - left:.1f}' height='{bar_h}' fill='{charts.BLUE}'>"
            f"<title>{_esc(row.nama)}: {_esc(row.teks_cakupan)}; belum rekam {_esc(row.teks_belum_rekam)}</title></rect>"
            f"<text x='{x(row.cakupan) + 6:.1f}' y='{y + 18}'>{_esc(row.teks_cakupan)}</text>")
    for j, row in enumerate(hidden.itertuples()):
        y = top + (len(shown) + j) * (bar_h + gap)
        bars.append(
            f"<text x='{left - 8}' y='{y + 18}' text-anchor='end'>{_esc(row.nama)}</text>"
            f"<rect x='{left}' y='{y}' width='36' height='{bar_h}' fill='{MASKED_FILL}'>"
            f"<title>{_esc(row.nama)}: {_esc(row.teks_cakupan)}; belum rekam {_esc(row.teks_belum_rekam)}</title></rect>"
            f"<text x='{left + 42}' y='{y + 18}'>{_esc(row.teks_belum_rekam)}</text>")
    bottom = top + (len(shown) + len(hidden)) * (bar_h + gap)
    axis = "".join(f"<line x1='{x(t):.1f}' x2='{x(t):.1f}' y1='{top - 4}' y2='{bottom}' stroke='#e4e4e4'/>"
                   f"<text x='{x(t):.1f}' y='{bottom + 18}' text-anchor='middle' font-size='14'>"
                   f"{fmt.percent(t, 0)}</text>" for t in (0, 0.25, 0.5, 0.75, 1))
    spoken = "; ".join(f"{row.nama} {row.teks_cakupan}" for row in shown.itertuples())
    spoken += "".join(f"; {row.nama} {row.teks_belum_rekam}" for row in hidden.itertuples())
    name = f"Cakupan per kecamatan: {spoken}. Target nasional {fmt.percent(target, 0)}."
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {NARROW} {bottom + 26}' {NARROW_STYLE} font-size='16' "
        f"role='img' aria-label='{_esc(name)}'><defs>{MASKED_PATTERN}</defs>{axis}{''.join(bars)}"
        f"<line x1='{x(target):.1f}' x2='{x(target):.1f}' y1='20' y2='{bottom}' stroke='{charts.GREY}' "
        f"stroke-width='2' stroke-dasharray='6 4'/>"
        f"<text x='{x(target):.1f}' y='14' text-anchor='middle' fill='{charts.GREY}'>"
        f"Target nasional {fmt.percent(target, 0)}</text></svg>")


def _nice_ticks(top: float) -> list[int]:
    """Round steps (1, 2 or 5 times a power of ten) from 0 up to `top`, four or five of them."""
    raw = max(top, 1) / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return list(range(0, int(top) + 1, int(step)))


def projection_of(status, strip) -> tuple[dt.date, int] | None:
    """(finish date, target) of the dotted projection, from a programme's status and its verdict
    (verdict.Verdict), or None when there is none to draw (target reached, no pace yet). The
    public page and the projector draw it alike, so the chart says what the sentence says."""
    if strip is None or status is None or not strip.proyeksi_selesai or not status.sisa:
        return None
    return strip.proyeksi_selesai, status.target


def progress(progress: pd.DataFrame, target: int, start: dt.date, deadline: dt.date,
             projection: tuple[dt.date, int] | None = None, ink: str | None = None,
             max_height: str | None = None) -> str:
    """Cumulative achievement against the straight target path from start to deadline.

    `projection` (finish date, target) draws the dotted line from the last figure to where the
    current pace ends; `ink` colours every text (default: the achievement label in blue, the
    target's in dark grey)."""
    left, right, top, bottom = 62, NARROW - 12, 24, 260
    blue_text, grey_text = (ink, ink) if ink else (charts.BLUE, charts.GREY)
    t0 = pd.Timestamp(start)
    t1 = max(pd.Timestamp(deadline), pd.Timestamp(projection[0])) if projection else pd.Timestamp(deadline)
    x = lambda day: left + (pd.Timestamp(day) - t0).days / max((t1 - t0).days, 1) * (right - left)  # noqa: E731
    y = lambda v: bottom - v / max(target, 1) * (bottom - top)  # noqa: E731
    achieved = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in zip(progress["tanggal"], progress["capaian"]))
    ticks = "".join(
        f"<line x1='{left}' x2='{right}' y1='{y(v):.1f}' y2='{y(v):.1f}' stroke='#e4e4e4'/>"
        f"<text x='{left - 6}' y='{y(v) + 5:.1f}' text-anchor='end'>{fmt.number(v)}</text>"
        for v in _nice_ticks(target))
    months = pd.date_range(t0.to_period("M").to_timestamp() + pd.offsets.MonthBegin(1), t1, freq="4MS")
    month_ticks = "".join(f"<text x='{x(m):.1f}' y='{bottom + 22}' text-anchor='middle'>"
                          f"{fmt.BULAN_PENDEK[m.month - 1]} {m.year}</text>" for m in months)
    last = progress.iloc[-1] if len(progress) else None
    label = ""
    if last is not None:
        # Above and left of the newest point: the projection leaves it to the right, upwards, and
        # the achievement reaches it from below; near the axis, below and right instead.
        lx, ly = x(last["tanggal"]), y(last["capaian"])
        place = (f"x='{lx - 8:.1f}' y='{ly - 10:.1f}' text-anchor='end'" if lx - left > 70
                 else f"x='{lx + 8:.1f}' y='{ly + 22:.1f}'")
        label = (f"<text {place} fill='{blue_text}' font-weight='bold' data-label='capaian'>"
                 f"{fmt.number(last['capaian'])}</text>")
    ahead = legend_ahead = ""
    if projection and last is not None:
        ahead = (f"<line x1='{x(last['tanggal']):.1f}' y1='{y(last['capaian']):.1f}' x2='{x(projection[0]):.1f}' "
                 f"y2='{y(projection[1]):.1f}' stroke='{charts.BLUE}' stroke-width='2.5' stroke-dasharray='2 5'/>")
        legend_ahead = (f"<line x1='{left + 270}' x2='{left + 300}' y1='{bottom + 45}' y2='{bottom + 45}' "
                        f"stroke='{charts.BLUE}' stroke-width='2.5' stroke-dasharray='2 5'/>"
                        f"<text x='{left + 306}' y='{bottom + 50}'>Proyeksi</text>")
    deadline_mark = ""
    if projection:
        deadline_mark = (f"<line x1='{x(deadline):.1f}' x2='{x(deadline):.1f}' y1='{top}' y2='{bottom}' "
                         f"stroke='{charts.GREY}' stroke-width='1'/>"
                         f"<text x='{x(deadline) - 4:.1f}' y='{bottom - 8}' text-anchor='end' fill='{grey_text}' "
                         f"data-label='tenggat'>tenggat {fmt.date(deadline)}</text>")
    spoken = (f"Progres GERTAK 2018: capaian {fmt.number(last['capaian']) if last is not None else fmt.KOSONG} "
              f"pada {fmt.date(pd.Timestamp(last['tanggal']).date()) if last is not None else fmt.KOSONG}, "
              f"target {fmt.number(target)} pada {fmt.date(deadline)}"
              + (f", proyeksi selesai {fmt.date(projection[0])}" if projection else "") + ".")
    style = NARROW_STYLE if max_height is None else STYLE.replace("max-width:760px", f"max-height:{max_height}")
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {NARROW} {bottom + 60}' {style} font-size='15' "
        f"fill='{ink or '#000'}' role='img' aria-label='{_esc(spoken)}'>{ticks}{month_ticks}{deadline_mark}"
        f"<line x1='{x(t0):.1f}' y1='{y(0):.1f}' x2='{x(deadline):.1f}' y2='{y(target):.1f}' stroke='{charts.GREY}' "
        f"stroke-width='2' stroke-dasharray='6 4'/>"
        f"<polyline points='{achieved}' fill='none' stroke='{charts.BLUE}' stroke-width='3'/>{ahead}{label}"
        f"<text x='{right}' y='{y(target) - 6:.1f}' text-anchor='end' fill='{grey_text}'>"
        f"Target {fmt.number(target)} pada {fmt.date(deadline)}</text>"
        f"<g font-size='14'><line x1='{left}' x2='{left + 30}' y1='{bottom + 45}' y2='{bottom + 45}' "
        f"stroke='{charts.BLUE}' stroke-width='3'/><text x='{left + 36}' y='{bottom + 50}'>Capaian</text>"
        f"<line x1='{left + 130}' x2='{left + 160}' y1='{bottom + 45}' y2='{bottom + 45}' stroke='{charts.GREY}' "
        f"stroke-width='2' stroke-dasharray='6 4'/><text x='{left + 166}' y='{bottom + 50}'>Jalur target</text>"
        f"{legend_ahead}</g></svg>")


#: A character's width in em, generous for the system fonts (for sizing a names' column).
NAME_EM = 0.56


def partner_bars(board: pd.DataFrame, title: str, ink: str = "#000", max_height: str | None = None) -> str:
    """Partners' counts as horizontal bars, largest first, each with its count and share.

    `board` is a leaderboard frame (nama, jumlah, porsi), e.g. PublicView.mitra_perekaman: the
    projector's e-KTP recordings by partner. Names and figures are text in `ink`, readable from
    the back of a room; the accessible name carries every figure."""
    rows = board[board["jumlah"].fillna(0) > 0].sort_values("jumlah", ascending=False)
    if rows.empty:
        return ""
    # The names' column as wide as the longest name needs (about 0.56 em a character at 26
    # units; at 300 units "PMI (Palang Merah Indonesia)" was cut at a 1024 px projector), at
    # most three fifths of the width: the bars keep the rest.
    longest = max(len(str(n)) for n in rows["nama"])
    left = min(WIDTH * 3 // 5, max(200, round(NAME_EM * 26 * longest) + 16))
    right, bar_h, gap, top = WIDTH - 170, 40, 14, 6
    most = float(rows["jumlah"].max())
    bars = []
    for i, row in enumerate(rows.itertuples()):
        y = top + i * (bar_h + gap)
        width = max(2.0, float(row.jumlah) / most * (right - left))
        value = f"{fmt.number(row.jumlah)} ({fmt.percent(row.porsi)})"
        bars.append(f"<text x='{left - 12}' y='{y + 29}' text-anchor='end'>{_esc(row.nama)}</text>"
                    f"<rect x='{left}' y='{y}' width='{width:.1f}' height='{bar_h}' fill='{charts.PURPLE}'/>"
                    f"<text x='{left + width + 10:.1f}' y='{y + 29}'>{_esc(value)}</text>")
    bottom = top + len(rows) * (bar_h + gap)
    spoken = f"{title}: " + "; ".join(f"{r.nama} {fmt.number(r.jumlah)} ({fmt.percent(r.porsi)})"
                                      for r in rows.itertuples()) + "."
    style = STYLE if max_height is None else STYLE.replace("max-width:760px", f"max-height:{max_height}")
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {bottom}' {style} font-size='26' "
            f"fill='{ink}' role='img' aria-label='{_esc(spoken)}'>{''.join(bars)}</svg>")
