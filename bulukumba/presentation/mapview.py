"""How the village map is framed, coloured and labelled (no Streamlit, no Plotly).

- Framing: Plotly's map subplot is MapLibre, whose world is 512 px wide at zoom 0 in Web
  Mercator. Given the map's real size in pixels (measured in the browser, see
  `web.container_size`) the zoom that fits a bounding box is exact arithmetic, so the regency
  (or one kecamatan) fills the map at every screen size instead of assuming a 600 px map.
- Colour: five classes (quintiles: each class holds about a fifth of the villages), a
  single-hue scale whose lightest class still stands out from the white background; darker
  always means worse (more unrecorded, or lower coverage).
- Names: MapLibre would fetch glyph fonts from a CDN for any text layer (Plotly's blank style
  points at fonts.openmaptiles.org), which fails with no internet. Names are therefore placed by
  this module in the figure's own coordinates and drawn by Plotly as SVG text: no request.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bulukumba.language import fmt

TILE = 512  # MapLibre's world width in px at zoom 0

#: Five classes per quantity, light to dark. Oranges and Blues from ColorBrewer (single hue,
#: legible in grey and with colour-vision deficiencies), starting one step darker than their
#: palest tint so the lightest class is visible on white (contrast checked in the tests).
PALETTES = {
    "belum_rekam": ("#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#7f2704"),
    "cakupan": ("#c6dbef", "#9ecae1", "#4292c6", "#2171b5", "#08306b"),
}
OUTLINE = "#8c8c8c"          # village borders: grey, so the lightest class keeps an edge
BORDER = "#333333"           # kecamatan borders
SELECTED = "#000000"         # the clicked village's outline
N_CLASSES = 5


# ---------------------------------------------------------------------------------------------
# Framing
# ---------------------------------------------------------------------------------------------

def _mercator(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator, as fractions of the world (0..1; y grows southwards)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    x = (lon + 180.0) / 360.0
    y = (1 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / np.pi) / 2
    return x, y


def _inverse_y(y: float) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y))))


@dataclass(frozen=True)
class View:
    """A map's centre and zoom for a plot area of `width` x `height` px."""
    lon: float
    lat: float
    zoom: float
    width: int
    height: int

    @property
    def centre(self) -> dict:
        return {"lon": self.lon, "lat": self.lat}

    def to_paper(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Positions as fractions of the plot area (x to the right, y upwards), as Plotly's
        `xref="paper"` annotations take them."""
        x, y = _mercator(lon, lat)
        cx, cy = _mercator(self.lon, self.lat)
        scale = TILE * 2 ** self.zoom
        return 0.5 + (x - cx) * scale / self.width, 0.5 - (y - cy) * scale / self.height


def aspect(lons: tuple[float, float], lats: tuple[float, float]) -> float:
    """Height over width of the box as the map draws it."""
    x, y = _mercator(lons, lats)
    return float(abs(y[0] - y[1]) / max(abs(x[1] - x[0]), 1e-9))


def fit(lons: tuple[float, float], lats: tuple[float, float], width: int, height: int,
        padding: int = 12) -> View:
    """The centre and zoom that show the whole box inside `width` x `height` px, with `padding`
    px to spare on the tighter side."""
    x, y = _mercator(lons, lats)
    span_x, span_y = max(abs(x[1] - x[0]), 1e-9), max(abs(y[0] - y[1]), 1e-9)
    usable_w, usable_h = max(width - 2 * padding, 40), max(height - 2 * padding, 40)
    zoom = math.log2(min(usable_w / (span_x * TILE), usable_h / (span_y * TILE)))
    centre_x, centre_y = float(x.mean()), float(y.mean())
    return View(lon=centre_x * 360 - 180, lat=_inverse_y(centre_y), zoom=round(zoom, 4),
                width=int(width), height=int(height))


def map_height(width: int, lons, lats, room: int | None = None) -> int:
    """A height for a map `width` px wide: the box's own shape, within what the screen shows.

    `room` is the space from the map's column top to the bottom of the first screen (measured
    in the browser): the map takes at most that, less the space between the column's top and
    the map and below the map (MAP_MARGIN), so the whole map is on the first screen; never
    under 240 px (a window too short for any map scrolls). Without a measurement: at most 720."""
    wanted = width * aspect(lons, lats) + 24
    ceiling = 720 if room is None else max(240, room - MAP_MARGIN)
    return int(round(max(min(wanted, ceiling), 240)))


#: Px between the top of the map's column and the map (the zero-height measuring element and the
#: gap after it) plus the card's padding and border below the map, measured in Chromium.
MAP_MARGIN = 48


# ---------------------------------------------------------------------------------------------
# Colour classes
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Classes:
    """Five classes of a quantity: `breaks` are the six edges, low to high."""
    quantity: str
    breaks: tuple[float, ...]
    colours: tuple[str, ...]      # light to dark
    labels: tuple[str, ...]       # in the colours' order
    counts: tuple[int, ...]       # villages per class, in the colours' order
    method: str = "kuantil"

    def index(self, values: pd.Series) -> pd.Series:
        """The class (0 lightest .. 4 darkest) of each value; NaN stays NaN."""
        v = pd.Series(values, dtype="float64")
        inner = np.asarray(self.breaks[1:-1], float)
        # A value on an edge belongs to the class above it (the edges are the quantiles).
        position = pd.Series(np.searchsorted(inner, v.to_numpy(), side="right"), index=v.index,
                             dtype="float64")
        if self.quantity == "cakupan":  # low coverage is the worse end: darkest
            position = (len(self.colours) - 1) - position
        return position.where(v.notna())

    @property
    def statement(self) -> str:
        """What the legend says about the classes."""
        what = "desa/kelurahan"
        return (f"{N_CLASSES} kelas kuantil: tiap kelas memuat sekitar seperlima {what} "
                f"({'–'.join(fmt.number(c) for c in self.counts)} {what}).")


def _nice(value: float, quantity: str, up: bool) -> float:
    """Round a class edge to what a legend can print (whole counts; coverage to 0.1 point)."""
    if quantity == "cakupan":
        step = 0.001
        return (math.ceil if up else math.floor)(value / step - 1e-9) * step
    return float(math.ceil(value) if up else math.floor(value))


def classes(values: pd.Series, quantity: str) -> Classes | None:
    """Quintile classes of the villages' values (None when there is nothing to classify)."""
    v = pd.Series(values, dtype="float64").dropna()
    if v.empty:
        return None
    edges = np.quantile(v, np.linspace(0, 1, N_CLASSES + 1))
    rounded = [_nice(edges[0], quantity, up=False)]
    for edge in edges[1:-1]:
        rounded.append(max(_nice(edge, quantity, up=True), rounded[-1]))
    rounded.append(max(_nice(edges[-1], quantity, up=True), rounded[-1]))
    breaks = tuple(float(b) for b in rounded)
    palette = PALETTES[quantity]
    provisional = Classes(quantity, breaks, palette, (), ())
    index = provisional.index(v)
    counts = tuple(int((index == i).sum()) for i in range(N_CLASSES))
    return Classes(quantity, breaks, palette, _labels(breaks, quantity), counts)


def _labels(breaks: tuple[float, ...], quantity: str) -> tuple[str, ...]:
    """Legend text per class, light to dark: '9–44', '45–80', … or '≥ 98,5%' … '< 93,1%'."""
    if quantity == "cakupan":
        show = lambda b: fmt.percent(b, 1)  # noqa: E731
        low_to_high = [f"{show(a)} – < {show(b)}" for a, b in zip(breaks[:-2], breaks[1:-1])]
        low_to_high.append(f"{show(breaks[-2])} – {show(breaks[-1])}")
        return tuple(reversed(low_to_high))  # lightest is the highest coverage
    def span(a: float, b: float) -> str:
        return fmt.number(a) if b <= a else f"{fmt.number(a)}–{fmt.number(b)}"

    labels = [span(a, max(b - 1, a)) for a, b in zip(breaks[:-2], breaks[1:-1])]
    labels.append(span(breaks[-2], breaks[-1]))
    return tuple(labels)


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of a #rrggbb colour against white."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Label:
    text: str
    x: float       # paper fraction
    y: float
    size: int
    bold: bool
    muted: bool = False


def place_labels(points: pd.DataFrame, view: View, margin_px: int = 4) -> list[Label]:
    """Names that fit: inside the plot area and not over a name placed before them.

    `points` has nama, lon, lat, size, bold (and optionally muted), in priority order (kecamatan
    first, then villages by area). A name's box is estimated from its length: SVG text in a
    system font averages about 0.6 em per character, bold capitals about 0.82 em. A name whose
    own spot is taken moves just above, below or beside it; a village name that still finds no
    room is left out (its hover still names it).
    """
    placed: list[tuple[float, float, float, float]] = []
    labels = []
    shrink = min(1.0, view.width / 480)  # a phone's map is narrower: smaller names
    xs, ys = view.to_paper(points["lon"].to_numpy(), points["lat"].to_numpy())
    edge_x, edge_y = margin_px / view.width, margin_px / view.height
    for row, x0, y0 in zip(points.itertuples(index=False), xs, ys):
        size = max(9, round(row.size * shrink))
        em = 0.82 if row.bold else 0.6  # bold capitals run wider than lower-case text
        w = (len(row.nama) * em * size + 28 * shrink) / view.width  # with room between names
        h = (size * 1.3 + 2) / view.height
        for dx, dy in ((0, 0), (0, h), (0, -h), (w * 0.6, 0), (-w * 0.6, 0), (0, 2 * h), (0, -2 * h),
                       (w * 0.35, h), (-w * 0.35, h), (w * 0.35, -h), (-w * 0.35, -h), (0, 3 * h), (0, -3 * h)):
            x, y = x0 + dx, y0 + dy
            box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            if box[0] < edge_x or box[2] > 1 - edge_x or box[1] < edge_y or box[3] > 1 - edge_y:
                continue
            if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
                continue
            placed.append(box)
            labels.append(Label(row.nama, float(x), float(y), int(size), bool(row.bold),
                                bool(getattr(row, "muted", False))))
            break
    return labels


def _label_point(geometry) -> tuple[float, float]:
    """A point well inside the shape (pole of inaccessibility of its largest part): a name
    placed there sits on its own area, unlike a centroid in a crescent-shaped village."""
    from shapely.ops import polylabel

    largest = max(getattr(geometry, "geoms", [geometry]), key=lambda g: g.area)
    point = polylabel(largest, tolerance=0.0005)
    return float(point.x), float(point.y)


def label_points(villages, kecamatan_frame, kecamatan: str | None) -> pd.DataFrame:
    """Where the names go, most important first: every kecamatan; with one kecamatan chosen, its
    name, then its villages (largest first), then its neighbours (muted). Columns: nama, lon,
    lat, size, bold, muted."""
    rows = []
    for kode, nama, geometry in zip(kecamatan_frame["kode"], kecamatan_frame["nama"], kecamatan_frame.geometry):
        lon, lat = _label_point(geometry)
        rows.append({"nama": nama.upper(), "lon": lon, "lat": lat, "size": 12, "bold": True,
                     "muted": kecamatan is not None and kode != kecamatan})
    if kecamatan is not None:
        own = villages[villages["kecamatan_kode"] == kecamatan].sort_values("luas_km2", ascending=False)
        for nama, geometry in zip(own["nama"], own.geometry):
            lon, lat = _label_point(geometry)
            rows.append({"nama": nama, "lon": lon, "lat": lat, "size": 11, "bold": False, "muted": False})
        # The chosen kecamatan's name first, then its villages, then the neighbours (muted).
        rows = ([r for r in rows if r["bold"] and not r["muted"]] + [r for r in rows if not r["bold"]]
                + [r for r in rows if r["muted"]])
    return pd.DataFrame(rows, columns=["nama", "lon", "lat", "size", "bold", "muted"])
