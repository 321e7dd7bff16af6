"""A hostile visitor: everything the public page and projector publish, turned into equations.

The attacker opens the public page (both map colourings) and every projector slide with no
account, presses the village table's download buttons, and reads what it gets: the tables, the
map's hover texts and fill colours and legend, the kecamatan bars, the key figures, the partner
and vulnerable-resident tables, the projector's map and priority list. It does this on two
consecutive data dates, as a visitor who comes back a week later.

It then writes down every linear fact it can (see `Model`):
- the structure, which is public: regency = Σ kecamatan = Σ villages of unrecorded residents;
  wajib KTP per village is published, so recorded = wajib − unrecorded; vulnerable residents
  served = Σ over partners = Σ over kecamatan and type; a partner served at least as many
  vulnerable residents as it served residents in all (rentan ≤ jumlah);
- each published cell as an interval: an exact number, "<5", "disamarkan", a percentage rounded
  to one decimal, a coverage band, a map colour;
- across the two dates, the worst case for the office: the attacker knows which figures did not
  move (a village that sent no new snapshot keeps its figures: equal; a partner's count that
  did not grow), and that partner figures are counted since the programme's start, so they
  never fall (and new vulnerable residents served are never more than new services).

For every cell whose true value is 1..4 it asks an integer program (scipy's HiGHS) for the
smallest and largest value consistent with all of that. The cell is *recovered* when both are
equal and *narrowed* when the range no longer holds every value from 1 to 4.

`Semantics` says what the labels promise. `documented()` is what bulukumba.disclosure documents
(and the attacker may rely on it, as on any public algorithm); `OLD` is the sound reading of the
code before issue 12, where "<5" also marked a complementary cell of any size.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import numpy as np

from apptest_support import download, open_app, parse_angka

INF = float("inf")


# ---------------------------------------------------------------------------------------------
# What the visitor fetches
# ---------------------------------------------------------------------------------------------

@dataclass
class Observation:
    """The raw outputs of one visit: texts as the browser gets them."""
    metrics: dict[str, str] = field(default_factory=dict)
    svgs: list[str] = field(default_factory=list)
    html_tables: list[str] = field(default_factory=list)
    downloads: dict[str, bytes] = field(default_factory=dict)
    plotly: list[str] = field(default_factory=list)
    markdown: list[str] = field(default_factory=list)


def _collect(at, obs: Observation) -> None:
    assert not at.exception, at.exception
    for m in at.metric:
        obs.metrics.setdefault(m.label, m.value)
    for md in at.markdown:
        (obs.svgs if "<svg" in md.value else obs.markdown).append(md.value)
    for element in at.get("html"):
        obs.html_tables += re.findall(r"<table.*?</table>", element.proto.body, flags=re.S)
    for chart in at.get("plotly_chart"):
        obs.plotly.append(chart.proto.spec)


def visit(db_url: str) -> Observation:
    """Open the public page and the projector as a visitor, as the browser would."""
    obs = Observation()
    at = open_app(role=None, db_url=db_url)
    _collect(at, obs)
    for key in [b.key for b in at.get("download_button")]:
        obs.downloads[key] = download(at, key).content
    radio = [r for r in at.radio if r.key == "publik-ukuran"]
    if radio:
        radio[0].set_value("cakupan")
        at.run()
        _collect(at, obs)
    projector = open_app(role=None, db_url=db_url, query={"mode": "proyektor"})
    for _ in range(5):
        _collect(projector, obs)
        projector.button(key="slide-maju").click()
        projector.run()
    return obs


# ---------------------------------------------------------------------------------------------
# Reading it
# ---------------------------------------------------------------------------------------------

def _text(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def html_table_rows(table: str) -> tuple[list[str], list[list[str]]]:
    head = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S)]
    rows = [[_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)]
    return head, [r for r in rows if r]


def tables_with(obs: Observation, *columns: str) -> list[list[dict]]:
    found = []
    for table in obs.html_tables:
        head, rows = html_table_rows(table)
        if set(columns) <= set(head):
            found.append([dict(zip(head, r)) for r in rows])
    return found


def csv_rows(content: bytes) -> list[dict]:
    lines = content.decode("utf-8-sig").splitlines()
    head = lines[0].split(";")
    return [dict(zip(head, line.split(";"))) for line in lines[1:] if line]


def xlsx_rows(content: bytes) -> list[dict]:
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    values = list(sheet.iter_rows(values_only=True))
    head = [str(h) for h in values[0]]
    return [{h: ("" if v is None else (str(v) if not isinstance(v, (int, float)) else v))
             for h, v in zip(head, row)} for row in values[1:]]


def map_paths(svg: str) -> list[tuple[str, str]]:
    """(fill, hover text) of each village on a map SVG."""
    return [(fill, html.unescape(title)) for fill, title in
            re.findall(r"<path d='[^']*' fill='([^']*)'[^>]*><title>(.*?)</title></path>", svg, flags=re.S)]


def hover_fields(text: str) -> dict[str, str]:
    lines = text.split("\n")
    fields = {"judul": lines[0]}
    for line in lines[1:]:
        if ": " in line:
            k, v = line.split(": ", 1)
            fields[k] = v
    return fields


# ---------------------------------------------------------------------------------------------
# Labels as intervals
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Semantics:
    """What a label tells about a hidden count, as (low, high); `trust_bands`: coverage bands
    ("≥ 99,6%") bound the hidden count."""
    small_leaf: tuple[float, float]        # "<5" on a village, a partner or a vulnerable cell
    masked_leaf: tuple[float, float]       # "disamarkan" on the same
    masked_total: tuple[float, float]      # "disamarkan" on a kecamatan, regency or column total
    withheld: tuple[float, float]          # "ditahan": a table withheld whole
    trust_bands: bool
    old_colours: bool                      # hidden villages coloured by min(2, count) (before issue 12)


def documented() -> Semantics:
    from bulukumba import disclosure

    return Semantics(small_leaf=disclosure.SMALL_RANGE, masked_leaf=disclosure.MASKED_LEAF_RANGE,
                     masked_total=disclosure.MASKED_TOTAL_RANGE, withheld=disclosure.WITHHELD_RANGE,
                     trust_bands=True, old_colours=False)


OLD = Semantics(small_leaf=(0, INF), masked_leaf=(0, INF), masked_total=(0, INF), withheld=(0, INF),
                trust_bands=False, old_colours=True)


def count_interval(text, sem: Semantics, total: bool = False) -> tuple[float, float] | None:
    """The interval a published count cell gives, or None when it says nothing."""
    if isinstance(text, (int, float)):
        return (float(text), float(text))
    text = str(text).strip()
    if text in ("", "–", "-", "None", "nan"):
        return None
    if text == "<5":
        return sem.small_leaf
    if text == "disamarkan":
        return sem.masked_total if total else sem.masked_leaf
    if text == "ditahan":
        return sem.withheld
    try:
        value = parse_angka(text) if not re.fullmatch(r"\d+", text) else int(text)
    except ValueError:
        return None
    return (float(value), float(value))


def unrecorded_from_share(text, wajib: float, sem: Semantics) -> tuple[float, float] | None:
    """Unrecorded residents implied by a published coverage ("99,8%", "≥ 99,6%", 99.8)."""
    if wajib is None or wajib <= 0:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):   # a "Cakupan (%)" number
        pct, band = float(text), False
    else:
        text = str(text).strip()
        band = text.startswith("≥")
        match = re.search(r"(\d+(?:,\d+)?)\s*%?", text.replace(".", ""))
        if "%" not in text and not re.fullmatch(r"\d+(?:[.,]\d+)?", text):
            return None
        if match is None:
            return None
        pct = float(match.group(1).replace(",", "."))
    if band:
        if not sem.trust_bands:
            return None
        return (0.0, wajib * (1 - pct / 100) + 1e-9)
    half = 0.05 + 1e-9   # one decimal, rounded
    return (wajib * (1 - (pct + half) / 100), wajib * (1 - (pct - half) / 100))


# ---------------------------------------------------------------------------------------------
# The equations
# ---------------------------------------------------------------------------------------------

class Model:
    """Integer variables with bounds, linear equalities and inequalities."""

    def __init__(self):
        self.index: dict[tuple, int] = {}
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []   # (coeffs, low, high)

    def var(self, name: tuple, lo: float = 0, hi: float = INF) -> int:
        if name not in self.index:
            self.index[name] = len(self.lo)
            self.lo.append(lo)
            self.hi.append(hi)
        else:
            self.bound(name, (lo, hi))
        return self.index[name]

    def bound(self, name: tuple, interval) -> None:
        if interval is None:
            return
        i = self.index[name] if name in self.index else self.var(name)
        lo, hi = interval
        self.lo[i] = max(self.lo[i], float(np.ceil(lo - 1e-9)))
        self.hi[i] = min(self.hi[i], float(np.floor(hi + 1e-9)))

    def constrain(self, coeffs: dict[tuple, float], low: float, high: float) -> None:
        self.rows.append(({self.var(k): c for k, c in coeffs.items()}, low, high))

    def range_of(self, name: tuple) -> tuple[float, float]:
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import lil_matrix

        n = len(self.lo)
        matrix = lil_matrix((max(len(self.rows), 1), n))
        lows, highs = [], []
        for r, (coeffs, low, high) in enumerate(self.rows):
            for i, c in coeffs.items():
                matrix[r, i] = c
            lows.append(low)
            highs.append(high)
        constraints = [LinearConstraint(matrix.tocsr(), lows, highs)] if self.rows else []
        bounds = Bounds(self.lo, [h if h < INF else np.inf for h in self.hi])
        out = []
        for sign in (1, -1):
            c = np.zeros(n)
            c[self.index[name]] = sign
            result = milp(c, constraints=constraints, integrality=np.ones(n), bounds=bounds)
            if result.status != 0:
                raise AssertionError(f"the published facts contradict each other ({result.message}); "
                                     "a label promises a range the figure is not in")
            out.append(sign * result.fun)
        return round(out[0]), round(out[1])


@dataclass
class Truth:
    """The store's figures on one date (what the attacker wants)."""
    villages: dict[str, tuple[int, int, str]]      # kode -> (wajib, belum, kecamatan kode)
    kecamatan: dict[str, str]                      # kode -> name
    partners: dict[str, tuple[str, int, int]]      # kode -> (name, jumlah, rentan)
    vulnerable: dict[tuple[str, str], int]         # (kecamatan name, type) -> count


def truth(engine, as_of) -> Truth:
    from bulukumba import data

    villages = data.coverage_villages(as_of, engine=engine).dropna(subset=["wajib_ktp"])
    status = data.programme_status("gertak_2018", "rekam_ektp", as_of=as_of, engine=engine)
    start = status.mulai if status else None
    board = data.partner_leaderboard(start, as_of, None, None, engine)
    vul = data.vulnerable_by_kecamatan(start, as_of, engine)
    kec = data.coverage_kecamatan(as_of, engine)
    return Truth(
        villages={k: (int(w), int(b), kk) for k, w, b, kk in
                  zip(villages["kode"], villages["wajib_ktp"], villages["belum_rekam"], villages["kecamatan_kode"])},
        kecamatan=dict(zip(kec["kode"], kec["nama"])),
        partners={k: (n, int(j), int(r)) for k, n, j, r in zip(board["kode"], board["nama"], board["jumlah"], board["rentan"])},
        vulnerable={(n, t): int(v) for n, d, l in zip(vul["nama"], vul["disabilitas"], vul["lansia"])
                    for t, v in (("disabilitas", d), ("lansia", l))})


VUL_COLUMNS = {"Penyandang disabilitas": "disabilitas", "Lanjut usia": "lansia"}


def add_date(model: Model, d: int, obs: Observation, t: Truth, sem: Semantics) -> dict[str, int]:
    """Everything one visit published, as equations on date index `d`; returns how many facts
    each source gave (a source that gives none was not read)."""
    read: dict[str, int] = {}

    def fact(source: str, name: tuple, interval) -> None:
        if interval is not None:
            read[source] = read.get(source, 0) + 1
            model.bound(name, interval)

    wajib, kode_of = {}, {}
    village_tables = tables_with(obs, "Kode", "Wajib KTP", "Belum rekam")
    assert village_tables, "no village table on the public page"
    sources = [("tabel desa", village_tables[0])] + [(k, rows(obs.downloads[k])) for k, rows in
                                                    (("publik-unduh-desa-csv", csv_rows),
                                                     ("publik-unduh-desa-xlsx", xlsx_rows))
                                                    if k in obs.downloads]
    for source, rows_ in sources:
        for row in rows_:
            kode = str(row["Kode"]).lstrip("'")
            w = count_interval(row["Wajib KTP"], sem)
            if w is None:
                continue
            wajib[kode] = w[0]
            kode_of[(row["Desa/kelurahan"], row["Kecamatan"])] = kode
            name = (d, "desa", kode)
            model.var(name, 0, w[0])
            fact(source, name, count_interval(row["Belum rekam"], sem))
            sudah = count_interval(row["Sudah rekam"], sem)
            if sudah is not None and sudah[0] == sudah[1]:
                fact(source, name, (w[0] - sudah[0], w[0] - sudah[0]))
            share = row.get("Cakupan", row.get("Cakupan (%)"))
            fact(source, name, unrecorded_from_share(share, w[0], sem))
    # The structure: regency = Σ kecamatan = Σ villages.
    kec_names = t.kecamatan
    for kec in kec_names:
        members = [k for k, (_, _, kk) in t.villages.items() if kk == kec and k in wajib]
        if not members:
            continue
        model.var((d, "kec", kec), 0, sum(wajib[k] for k in members))
        model.constrain({(d, "kec", kec): 1, **{(d, "desa", k): -1 for k in members}}, 0, 0)
    model.var((d, "kab"), 0, sum(wajib.values()))
    model.constrain({(d, "kab"): 1, **{(d, "kec", k): -1 for k in kec_names if (d, "kec", k) in model.index}}, 0, 0)
    if "Belum rekam" in obs.metrics:
        fact("angka kunci", (d, "kab"), count_interval(obs.metrics["Belum rekam"], sem, total=True))
    if "Sudah rekam" in obs.metrics:
        recorded = count_interval(obs.metrics["Sudah rekam"], sem, total=True)
        if recorded is not None and recorded[0] == recorded[1]:
            fact("angka kunci", (d, "kab"), (sum(wajib.values()) - recorded[0],) * 2)
    kec_by_name = {v: k for k, v in kec_names.items()}
    kec_wajib = {kec: sum(wajib[k] for k, (_, _, kk) in t.villages.items() if kk == kec and k in wajib)
                 for kec in kec_names}
    # Kecamatan bars: "Nama: 97,1%; belum rekam 123" and the label beside each bar.
    for svg in obs.svgs:
        if "Cakupan per kecamatan" not in svg:
            continue
        for title in re.findall(r"<title>(.*?)</title>", svg, flags=re.S):
            title = html.unescape(title)
            match = re.match(r"(.+?): (.+?); belum rekam (.+)$", title)
            if not match or match.group(1) not in kec_by_name:
                continue
            kec = kec_by_name[match.group(1)]
            fact("batang kecamatan", (d, "kec", kec), count_interval(match.group(3), sem, total=True))
            fact("batang kecamatan", (d, "kec", kec), unrecorded_from_share(match.group(2), kec_wajib[kec], sem))
    # The village maps: hover texts, and the fill colours.
    for svg in obs.svgs:
        if "aria-label='Peta" not in svg:
            continue
        legend = re.findall(r"<text x='(?:0|360)' [^>]*>(.*?)</text>", svg)
        source = "peta " + re.search(r"aria-label='Peta ([a-z ]+) per desa'", svg).group(1)
        for fill, text in map_paths(svg):
            f = hover_fields(text)
            nama, _, kec = f["judul"].partition(" · Kec. ")
            kode = kode_of.get((nama, kec))
            if kode is None:
                continue
            name = (d, "desa", kode)
            fact(source, name, count_interval(f.get("Belum rekam", ""), sem))
            sudah = count_interval(f.get("Sudah rekam", ""), sem)
            if sudah is not None and sudah[0] == sudah[1]:
                fact(source, name, (wajib[kode] - sudah[0],) * 2)
            fact(source, name, unrecorded_from_share(f.get("Cakupan", ""), wajib[kode], sem))
            hidden = f.get("Belum rekam") in ("<5", "disamarkan", "ditahan")
            if hidden and sem.old_colours and "aria-label='Peta belum rekam" in svg and len(legend) == 2:
                fact(source, name, _old_colour_evidence(fill, parse_angka(legend[0]), parse_angka(legend[1])))
            elif hidden and not sem.old_colours and not fill.startswith("url("):
                fact(source, name, _colour_evidence(fill, svg, legend, wajib[kode]))
    # The projector's Plotly map (before issue 12): z is what a village is coloured by.
    for spec in obs.plotly:
        if "choroplethmap" not in spec:
            continue
        import json

        from apptest_support import plotly_array

        trace = json.loads(spec)["data"][0]
        for kode, z, custom in zip(trace["locations"], plotly_array(trace["z"]), trace["customdata"]):
            name = (d, "desa", kode)
            if name not in model.index:
                continue
            fact("peta proyektor", name, count_interval(custom[4], sem))
            if sem.old_colours and custom[4] == "<5":
                fact("peta proyektor", name, (z, z) if z < 2 else (2, INF))
    # The projector's priority list.
    for rows_ in tables_with(obs, "Desa/kelurahan", "Kecamatan", "Belum rekam"):
        for row in rows_:
            kode = kode_of.get((row["Desa/kelurahan"], row["Kecamatan"]))
            if kode is None or "Kode" in row:
                continue
            name = (d, "desa", kode)
            fact("prioritas proyektor", name, count_interval(row["Belum rekam"], sem))
            share = row.get("Cakupan (%)", row.get("Cakupan"))
            if share not in (None, ""):
                value = parse_angka(share) if "%" not in share and "≥" not in share else share
                fact("prioritas proyektor", name, unrecorded_from_share(value, wajib[kode], sem))
    _add_partners(model, d, obs, t, sem, fact)
    return read


def _old_colour_evidence(fill: str, low: float, high: float):
    """Before issue 12 a hidden village was filled with the colour of min(2, count)."""
    from plotly.colors import sample_colorscale
    from plotly.colors import sequential as scales

    span = (high - low) or 1.0
    colour = {v: sample_colorscale(scales.Oranges, [(v - low) / span])[0] for v in (0, 1, 2)}
    if fill == colour[0]:
        return (0, 0)
    if fill == colour[1]:
        return (1, 1)
    if fill == colour[2]:
        return (2, INF)
    return None


def _colour_evidence(fill: str, svg: str, legend: list[str], wajib: float):
    """A hidden village drawn in a colour of the scale: the values that colour could stand for."""
    from plotly.colors import sample_colorscale
    from plotly.colors import sequential as scales

    if len(legend) != 2:
        return None
    cakupan = "aria-label='Peta cakupan" in svg
    low, high = (parse_angka(x.split("%")[0]) / (100 if cakupan else 1) for x in legend)
    span = (high - low) or 1.0
    values = list(range(0, int(wajib) + 1))
    positions = [min(max(((1 - v / wajib if cakupan else v) - low) / span, 0), 1) for v in values]
    colours = sample_colorscale(scales.Blues if cakupan else scales.Oranges, positions)
    fits = [v for v, colour in zip(values, colours) if colour == fill]
    return (min(fits), max(fits)) if fits else None


def _add_partners(model: Model, d: int, obs: Observation, t: Truth, sem: Semantics, fact) -> None:
    partner_of = {name: kode for kode, (name, _, _) in t.partners.items()}
    # The public page leaves out a column whose every cell is 0 (tables.without_zero_columns):
    # a missing column of counts reads as zeros.
    boards = tables_with(obs, "Mitra", "Jumlah layanan")
    partners = []
    for row in (boards[0] if boards else []):
        row = {"Warga rentan dilayani": "0", **row}
        kode = partner_of[row["Mitra"]]
        partners.append(kode)
        model.var((d, "mitra", kode))
        model.var((d, "mitra_jumlah", kode))
        fact("tabel mitra", (d, "mitra", kode), count_interval(row["Warga rentan dilayani"], sem))
        fact("tabel mitra", (d, "mitra_jumlah", kode), count_interval(row["Jumlah layanan"], sem))
        model.constrain({(d, "mitra_jumlah", kode): 1, (d, "mitra", kode): -1}, 0, INF)   # rentan ≤ jumlah
    vul = [rows_ for rows_ in tables_with(obs, "Kecamatan")
           if rows_ and set(VUL_COLUMNS) & set(rows_[0]) and "Wajib KTP" not in rows_[0]]
    cells = []
    for row in (vul[0] if vul else []):
        row = {**{column: "0" for column in VUL_COLUMNS}, **row}
        for column, kind in VUL_COLUMNS.items():
            if row["Kecamatan"] in ("Jumlah", "Kabupaten"):
                fact("tabel rentan", (d, "rentan_jumlah", kind), count_interval(row[column], sem, total=True))
                continue
            name = (d, "rentan", row["Kecamatan"], kind)
            cells.append(name)
            model.var(name)
            fact("tabel rentan", name, count_interval(row[column], sem))
    if partners and cells:
        for kind in VUL_COLUMNS.values():
            model.constrain({(d, "rentan_jumlah", kind): 1,
                             **{c: -1 for c in cells if c[3] == kind}}, 0, 0)
        model.constrain({**{(d, "mitra", p): 1 for p in partners},
                         **{(d, "rentan_jumlah", k): -1 for k in VUL_COLUMNS.values()}}, 0, 0)


def link_dates(model: Model, before: Truth, after: Truth, b: int = 0, a: int = 1) -> None:
    """What a returning visitor may know, at worst: which figures did not move (a village whose
    registry row is the same; a partner or kecamatan count that did not grow), and that partner
    figures, counted since the programme's start, never fall."""
    for kode, row in after.villages.items():
        if before.villages.get(kode) == row and (b, "desa", kode) in model.index:
            model.constrain({(b, "desa", kode): 1, (a, "desa", kode): -1}, 0, 0)
    for kode, (_, jumlah, rentan) in after.partners.items():
        if (b, "mitra", kode) not in model.index or (a, "mitra", kode) not in model.index:
            continue
        moved = rentan != before.partners[kode][2]
        model.constrain({(a, "mitra", kode): 1, (b, "mitra", kode): -1}, 0, INF if moved else 0)
        model.constrain({(a, "mitra_jumlah", kode): 1, (b, "mitra_jumlah", kode): -1,
                         (a, "mitra", kode): -1, (b, "mitra", kode): 1}, 0, INF)
    for (kec, kind), value in after.vulnerable.items():
        old, new = (b, "rentan", kec, kind), (a, "rentan", kec, kind)
        if old in model.index and new in model.index:
            moved = value != before.vulnerable[(kec, kind)]
            model.constrain({new: 1, old: -1}, 0, INF if moved else 0)


@dataclass
class Finding:
    date: int
    cell: tuple
    true_value: int
    low: int
    high: int

    @property
    def recovered(self) -> bool:
        return self.low == self.high

    def narrowed(self, top: int | None) -> bool:
        """A leaf must still be able to be every value from 1 to `top`; a total (top None),
        whose hidden children's "<5" already bound it below, at least four values."""
        if top is None:
            return self.high - self.low + 1 < 4
        return not (self.low <= 1 and self.high >= top)


def sensitive_cells(d: int, t: Truth) -> list[tuple[tuple, int, int]]:
    """(variable, true value, top of its protection range; None for a total) of every count 1..4."""
    cells = []
    for kode, (w, b, _) in t.villages.items():
        if 1 <= b <= 4:
            cells.append(((d, "desa", kode), b, min(4, w)))
    for kec in t.kecamatan:
        b = sum(v[1] for v in t.villages.values() if v[2] == kec)
        if 1 <= b <= 4:
            cells.append(((d, "kec", kec), b, None))
    total = sum(v[1] for v in t.villages.values())
    if 1 <= total <= 4:
        cells.append(((d, "kab"), total, None))
    for kode, (_, _, r) in t.partners.items():
        if 1 <= r <= 4:
            cells.append(((d, "mitra", kode), r, 4))
    for (kec, kind), v in t.vulnerable.items():
        if 1 <= v <= 4:
            cells.append(((d, "rentan", kec, kind), v, 4))
    for kind in VUL_COLUMNS.values():
        v = sum(value for (_, k), value in t.vulnerable.items() if k == kind)
        if 1 <= v <= 4:
            cells.append(((d, "rentan_jumlah", kind), v, None))
    return cells


def attack(observations: list[Observation], truths: list[Truth], sem: Semantics,
           sources: list | None = None) -> list[tuple[Finding, int]]:
    """Every sensitive cell of every date with the range the attacker pins it to, and its top.
    `sources` (if given) receives, per date, how many facts each source gave."""
    model = Model()
    for d, (obs, t) in enumerate(zip(observations, truths)):
        read = add_date(model, d, obs, t, sem)
        if sources is not None:
            sources.append(read)
    for d in range(1, len(truths)):
        link_dates(model, truths[d - 1], truths[d], d - 1, d)
    findings = []
    for d, t in enumerate(truths):
        for name, value, top in sensitive_cells(d, t):
            if name not in model.index:
                continue
            low, high = model.range_of(name)
            assert low <= value <= high, f"{name}: true value {value} outside the attacker's range"
            findings.append((Finding(d, name, value, low, high), top))
    return findings
