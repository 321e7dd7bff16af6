"""A hostile visitor: everything the public page and projector publish, turned into equations.

The attacker opens the public page (both map colourings) and every projector slide with no
account, presses the village table's download buttons, and reads what it gets: the tables, the
map's hover texts and fill colours and legend, the kecamatan bars, the key figures and their
change ("+12 dalam 7 hari"), the GERTAK strip (remaining, pace, projected finish, the dates
they count from), the progress chart's points (their SVG coordinates), the partner and
vulnerable-resident tables, the projector's map, partner bars and priority list. It does this
after every import (a visitor who comes back each week, or keeps the page open), including a
late batch of partner activity for a date already published, and keeps everything it saw.

It then writes down every linear fact it can (see `Model`):
- the structure, which is public: regency = Σ kecamatan = Σ villages of unrecorded residents;
  wajib KTP per village is published, so recorded = wajib − unrecorded; vulnerable residents
  served = Σ over partners = Σ over kecamatan and type; a partner served at least as many
  vulnerable residents as it served residents in all (rentan ≤ jumlah);
- each published cell as an interval: an exact number, "<5", "disamarkan", a percentage rounded
  to one decimal, a coverage band, a map colour;
- each trend as a difference between the regency's recorded residents on two dates: the key
  figure's change, the strip's achievement since its first date and its pace (and the finish
  date the pace gives), every point of the progress chart, to the precision its coordinates
  carry;
- across all its visits at once (not only consecutive ones), the worst case for the office:
  the attacker knows which figures did not move between visits (equal); that a village's
  recorded residents never fall, so its unrecorded rise by at most its rise in wajib KTP; and
  that partner figures are counted since the programme's start, so they never fall (and new
  vulnerable residents served are never more than new services).

For every cell whose true value is 1..4 it asks an integer program (scipy's HiGHS) for the
smallest and largest value consistent with all of that. The cell is *recovered* when both are
equal and *narrowed* when the range no longer holds every value from 1 to 4 that public facts
allow whatever the office publishes (`allowed`: wajib KTP and what was published before; a
village at 0 whose wajib KTP rises by 2 can have at most 2 unrecorded).

`Semantics` says what the labels promise. `documented()` is what bulukumba.disclosure documents
(and the attacker may rely on it, as on any public algorithm); `OLD` is the sound reading of the
code before issue 12, where "<5" also marked a complementary cell of any size.
"""
from __future__ import annotations

import datetime as dt
import html
import math
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
    deltas: dict[str, str] = field(default_factory=dict)      # a key figure's change, by label
    captions: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)           # every st.html body (the strips)
    shells: dict[str, str] = field(default_factory=dict)      # page shell by address (titles, first screen)
    open_data: dict[str, bytes] = field(default_factory=dict)  # /data/ files by resource name (CSV)

    @property
    def tanggal(self) -> dt.date:
        """The date the visit's figures are for ("Data per 7 September 2018")."""
        for text in self.captions + self.markdown:
            found = re.search(r"Data per (\d{1,2} \w+ \d{4})", text)
            if found:
                return parse_tanggal(found.group(1))
        raise AssertionError("no 'Data per' date on the page")


def _collect(at, obs: Observation) -> None:
    assert not at.exception, at.exception
    for m in at.metric:
        obs.metrics.setdefault(m.label, m.value)
        if m.proto.delta:
            obs.deltas.setdefault(m.label, m.proto.delta)
    for md in at.markdown:
        (obs.svgs if "<svg" in md.value else obs.markdown).append(md.value)
    obs.captions += [c.value for c in at.caption]
    for element in at.get("html"):
        obs.bodies.append(element.proto.body)
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
    visit_web(db_url, obs)
    return obs


def visit_web(db_url: str, obs: Observation) -> None:
    """What a link preview and a journalist read over plain HTTP: the page shell of the regency
    and of every village (title, description, first screen) and the open data files."""
    import json

    from starlette.testclient import TestClient

    from bulukumba.server import Server
    from test_server import build

    server = Server(users=lambda: ({}, None), secrets=lambda: {"sesi": {"kunci": "u" * 40}},
                    database_url=lambda: db_url)
    with TestClient(build(server), base_url="http://dasbor.lokal") as client:
        obs.shells["/"] = client.get("/").text
        index = client.get("/data/").text
        for kode in re.findall(r"/data/([0-9.]+)/datapackage\.json", index):
            package = json.loads(client.get(f"/data/{kode}/datapackage.json").text)
            for resource in package["resources"]:
                obs.open_data[resource["name"]] = client.get(f"/data/{kode}/{resource['path']}").content
        for row in open_data_rows(obs, "desa"):
            obs.shells[row["kode"]] = client.get("/", params={"desa": row["kode"]}).text


def open_data_rows(obs: Observation, name: str) -> list[dict]:
    return open_data_csv(obs.open_data.get(name))


def open_data_csv(content: bytes | None) -> list[dict]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(content.decode("utf-8")))) if content else []


def _published_text(value: str, status: str, percent: bool = False) -> str:
    """An open data cell as the page would show it: the number, or the status that hides it."""
    from bulukumba.language import fmt

    if value != "":
        return fmt.percent(float(value) / 100) if percent else fmt.number(int(value))
    return status if status in ("<5", "disamarkan", "ditahan") else ""


def open_data_village_rows(obs: Observation) -> list[dict]:
    """The open data's villages in the village table's words (the attacker's parser reads them)."""
    return village_rows_of(open_data_rows(obs, "desa"))


def page_csv_rows(content: bytes) -> list[dict]:
    """The public page's CSV download (the open data file) in the village table's words."""
    return village_rows_of(open_data_csv(content))


def village_rows_of(records: list[dict]) -> list[dict]:
    from bulukumba.language import fmt

    rows_ = []
    for r in records:
        if r["status"] == "kosong":
            continue
        share = (f"≥ {fmt.percent(float(r['cakupan_paling_sedikit_persen']) / 100)}" if r["status"] == "<5"
                 else _published_text(r["cakupan_persen"], r["status"], percent=True))
        rows_.append({"Kode": r["kode"], "Desa/kelurahan": r["nama"], "Kecamatan": r["kecamatan_nama"],
                      "Wajib KTP": fmt.number(int(r["wajib_ktp"])),
                      "Belum rekam": _published_text(r["belum_rekam"], r["status"]),
                      "Sudah rekam": _published_text(r["sudah_rekam"], r["status"]), "Cakupan": share})
    return rows_


def shell_village_rows(obs: Observation) -> list[dict]:
    """Each village's link preview (title and description) as a village table row."""
    names = {r["kode"]: (r["nama"], r["kecamatan_nama"]) for r in open_data_rows(obs, "desa")}
    rows_ = []
    for kode, page in obs.shells.items():
        if kode == "/" or kode not in names:
            continue
        title = html.unescape(re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1))
        description = html.unescape(re.search(r'<meta name="description" content="([^"]*)"', page).group(1))
        share = re.search(r": (.+?) sudah rekam e-KTP", title) or re.search(r"cakupan perekaman e-KTP (\S+)", title)
        unrecorded = re.search(r"Belum rekam: (.+?) \(dari ([\d.]+) wajib KTP", description)
        if unrecorded is None:
            continue
        rows_.append({"Kode": kode, "Desa/kelurahan": names[kode][0], "Kecamatan": names[kode][1],
                      "Wajib KTP": unrecorded.group(2), "Belum rekam": unrecorded.group(1), "Sudah rekam": "",
                      "Cakupan": share.group(1) if share else ""})
    return rows_


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
    half = 0.05 + 1e-9   # one decimal, rounded; a share short of all never reads 100 (fmt.percent_value)
    low_pct, high_pct = pct - half, pct + half
    if round(pct, 1) == 99.9:
        return (1, wajib * (1 - low_pct / 100))
    if round(pct, 1) == 0.1:
        high_pct = pct + half
        return (wajib * (1 - high_pct / 100), wajib - 1)
    return (wajib * (1 - high_pct / 100), wajib * (1 - low_pct / 100))


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
        self.wajib_total: dict[int, float] = {}   # each visit's regency wajib KTP (public)

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

    def _compiled(self):
        from scipy.optimize import Bounds, LinearConstraint
        from scipy.sparse import coo_matrix

        key = (len(self.rows), len(self.lo), tuple(self.lo), tuple(self.hi))
        if getattr(self, "_compiled_key", None) != key:
            rows, cols, vals = [], [], []
            for r, (coeffs, _, _) in enumerate(self.rows):
                for i, c in coeffs.items():
                    rows.append(r)
                    cols.append(i)
                    vals.append(c)
            n = len(self.lo)
            matrix = coo_matrix((vals, (rows, cols)), shape=(max(len(self.rows), 1), n)).tocsr()
            constraints = [LinearConstraint(matrix, [r[1] for r in self.rows], [r[2] for r in self.rows])] \
                if self.rows else []
            bounds = Bounds(self.lo, [h if h < INF else np.inf for h in self.hi])
            self._compiled_key, self._compiled_value = key, (constraints, bounds)
        return self._compiled_value

    def range_of(self, name: tuple) -> tuple[float, float]:
        from scipy.optimize import milp

        constraints, bounds = self._compiled()
        n = len(self.lo)
        out = []
        for sign in (1, -1):
            c = np.zeros(n)
            c[self.index[name]] = sign
            result = milp(c, constraints=constraints, integrality=np.ones(n), bounds=bounds)
            if result.status != 0 and sign < 0 and out:  # a smallest value but no largest: unbounded
                out.append(INF)
                continue
            if result.status != 0:
                raise AssertionError(f"the published facts contradict each other ({result.message}); "
                                     "a label promises a range the figure is not in")
            out.append(sign * result.fun)
        return round(out[0]), (round(out[1]) if out[1] < INF else INF)


@dataclass
class Truth:
    """The store's figures on one date (what the attacker wants)."""
    villages: dict[str, tuple[int, int, str]]      # kode -> (wajib, belum, kecamatan kode)
    kecamatan: dict[str, str]                      # kode -> name
    partners: dict[str, tuple[str, int, int]]      # kode -> (name, jumlah, rentan)
    vulnerable: dict[tuple[str, str], int]         # (kecamatan name, type) -> count


def truth(engine, as_of) -> Truth:
    from bulukumba import figures

    villages = figures.coverage_villages(as_of, engine=engine).dropna(subset=["wajib_ktp"])
    status = figures.programme_status("gertak_2018", "rekam_ektp", as_of=as_of, engine=engine)
    start = status.mulai if status else None
    board = figures.partner_leaderboard(start, as_of, None, None, engine)
    vul = figures.vulnerable_by_kecamatan(start, as_of, engine)
    kec = figures.coverage_kecamatan(as_of, engine)
    return Truth(
        villages={k: (int(w), int(b), kk) for k, w, b, kk in
                  zip(villages["kode"], villages["wajib_ktp"], villages["belum_rekam"], villages["kecamatan_kode"])},
        kecamatan=dict(zip(kec["kode"], kec["nama"])),
        partners={k: (n, int(j), int(r)) for k, n, j, r in zip(board["kode"], board["nama"], board["jumlah"], board["rentan"])},
        vulnerable={(n, t): int(v) for n, d, l in zip(vul["nama"], vul["disabilitas"], vul["lansia"])
                    for t, v in (("disabilitas", d), ("lansia", l))})


VUL_COLUMNS = {"Penyandang disabilitas": "disabilitas", "Lanjut usia": "lansia"}


def add_date(model: Model, d: int, obs: Observation, t: Truth, sem: Semantics,
             facts: bool = True) -> dict[str, int]:
    """Everything one visit published, as equations on visit index `d`; returns how many facts
    each source gave (a source that gives none was not read). `facts=False`: only what is
    public whatever is published (the structure and wajib KTP), for `allowed`."""
    read: dict[str, int] = {}

    def fact(source: str, name: tuple, interval) -> None:
        if interval is not None and (facts or interval == (0, 0) or interval == (0.0, 0.0)):
            read[source] = read.get(source, 0) + 1   # (zeros are public whatever is published)
            model.bound(name, interval)

    wajib, kode_of = {}, {}
    village_tables = tables_with(obs, "Kode", "Wajib KTP", "Belum rekam")
    assert village_tables, "no village table on the public page"
    sources = [("tabel desa", village_tables[0])] + [(k, rows(obs.downloads[k])) for k, rows in
                                                    (("publik-unduh-desa-csv", page_csv_rows),
                                                     ("publik-unduh-desa-xlsx", xlsx_rows))
                                                    if k in obs.downloads]
    sources += [(k, rows_) for k, rows_ in (("data terbuka desa", open_data_village_rows(obs)),
                                            ("judul desa", shell_village_rows(obs))) if rows_]
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
    model.wajib_total[d] = sum(wajib.values())
    if "Cakupan" in obs.metrics:
        fact("angka kunci", (d, "kab"), unrecorded_from_share(obs.metrics["Cakupan"], sum(wajib.values()), sem))
    if "Belum rekam" in obs.metrics:
        fact("angka kunci", (d, "kab"), count_interval(obs.metrics["Belum rekam"], sem, total=True))
    if "Sudah rekam" in obs.metrics:
        recorded = count_interval(obs.metrics["Sudah rekam"], sem, total=True)
        if recorded is not None and recorded[0] == recorded[1]:
            fact("angka kunci", (d, "kab"), (sum(wajib.values()) - recorded[0],) * 2)
    _add_web_regency(model, d, obs, wajib, sem, fact)
    for r in open_data_rows(obs, "kecamatan"):
        if (d, "kec", r["kode"]) in model.index:
            fact("data terbuka kecamatan", (d, "kec", r["kode"]),
                 count_interval(_published_text(r["belum_rekam"], r["status"]), sem, total=True))
            fact("data terbuka kecamatan", (d, "kec", r["kode"]), unrecorded_from_share(
                _published_text(r["cakupan_persen"], r["status"], percent=True), int(r["wajib_ktp"]), sem))
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
    _partner_bars(model, d, obs, t, fact)
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
    # The open data's partners: the same cells, numbers as numbers beside their status.
    for r in open_data_rows(obs, "mitra"):
        kode = r["kode"]
        if kode not in partners:
            partners.append(kode)
            model.var((d, "mitra", kode))
            model.var((d, "mitra_jumlah", kode))
            model.constrain({(d, "mitra_jumlah", kode): 1, (d, "mitra", kode): -1}, 0, INF)
        fact("data terbuka mitra", (d, "mitra_jumlah", kode),
             count_interval(_published_text(r["jumlah_layanan"], r["jumlah_layanan_status"]), sem))
        fact("data terbuka mitra", (d, "mitra", kode),
             count_interval(_published_text(r["warga_rentan_dilayani"], r["warga_rentan_status"]), sem))
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


def parse_tanggal(text: str) -> dt.date:
    """'7 September 2018' or '7 Sep 2018' (fmt.date, fmt.date_short)."""
    from bulukumba.language import fmt

    day, month, year = text.split()
    months = {**{m: i for i, m in enumerate(fmt.BULAN, 1)}, **{m: i for i, m in enumerate(fmt.BULAN_PENDEK, 1)}}
    return dt.date(int(year), months[month], int(day))


_DATE = r"(\d{1,2} [A-Z][a-z]+ \d{4})"


def _recorded_difference(model: Model, a: int, b: int, low: float, high: float, source: str, read: dict) -> None:
    """recorded(a) − recorded(b) in [low, high]; recorded = the visit's wajib KTP − unrecorded."""
    if a == b or a is None or b is None:
        return
    shift = model.wajib_total[a] - model.wajib_total[b]
    # (W_a − kab_a) − (W_b − kab_b) in [low, high]  <=>  kab_b − kab_a in [low − shift, high − shift]
    model.constrain({(b, "kab"): 1, (a, "kab"): -1}, low - shift, high - shift)
    read[source] = read.get(source, 0) + 1


def _visit_of(dates: list[dt.date], day: dt.date | None, upto: int) -> int | None:
    """The latest visit (up to index `upto`) whose figures are for `day`."""
    found = [i for i in range(upto + 1) if dates[i] == day]
    return found[-1] if found else None


def _strip_items(body: str) -> dict[str, tuple[str, str]]:
    """The strip's figures: name -> (value, note)."""
    items = {}
    for name, value in re.findall(r"<div data-vonis='(\w+)'><dt>[^<]*</dt><dd>(.*?)</dd></div>", body, flags=re.S):
        main, _, note = value.partition("<small>")
        items[name] = (_text(main), _text(note.replace("</small>", "")))
    return items


def add_trends(model: Model, d: int, obs: Observation, dates: list[dt.date]) -> dict[str, int]:
    """Every trend the visit published, as differences between the regency's recorded residents
    on two visits' dates: the key figure's change, the GERTAK strip's achievement and pace (and
    the finish date the pace gives), the progress chart's points."""
    from apptest_support import parse_angka

    read: dict[str, int] = {}
    now = d
    change = obs.deltas.get("Sudah rekam", "")
    found = re.match(r"([+±-][\d.]+) dalam ([\d.]+) hari", change)
    if found:
        rise, days = parse_angka(found.group(1)), parse_angka(found.group(2))
        then = _visit_of(dates, dates[d] - dt.timedelta(days=days), d)
        _recorded_difference(model, now, then, rise, rise, "perubahan angka kunci", read)
    for body in obs.bodies:
        if "class='vonis" not in body:
            continue
        items = _strip_items(body)
        note = _text(re.search(r"<p class='vonis-catatan'>(.*?)</p>", body, flags=re.S).group(1)) \
            if "vonis-catatan" in body else ""
        since = re.search(r"Capaian dihitung sejak [^(]*\(" + _DATE + r"\)", note)
        base = _visit_of(dates, parse_tanggal(since.group(1)), d) if since else None
        remaining = sisa = None
        if "sisa" in items and items["sisa"][0] not in ("–", ""):
            sisa = parse_angka(items["sisa"][0])
            target = parse_angka(items["sisa"][1])
            if sisa > 0 and base is not None:
                _recorded_difference(model, now, base, target - sisa, target - sisa, "vonis capaian", read)
            remaining = sisa
        pace = re.search(r"Laju = kenaikan sudah rekam " + _DATE + " – " + _DATE, note)
        if pace and "laju" in items and items["laju"][0] not in ("–", ""):
            per_day = parse_angka(items["laju"][0])
            start, end = (parse_tanggal(g) for g in pace.groups())
            days = (end - start).days
            frm, to = _visit_of(dates, start, d), _visit_of(dates, end, d)
            _recorded_difference(model, to, frm, (per_day - 0.05) * days, (per_day + 0.05) * days, "vonis laju", read)
            finish = items.get("proyeksi", ("–", ""))[0]
            if remaining and finish not in ("–", ""):
                k = (parse_tanggal(finish) - end).days  # the remaining at this pace takes k days
                if k >= 1:
                    high = days * remaining / (k - 1) if k > 1 else INF
                    _recorded_difference(model, to, frm, days * remaining / k,
                                         math.floor(high - 1e-9) if high < INF else INF, "vonis proyeksi", read)
    for svg in obs.svgs:
        if "Progres GERTAK 2018" in svg:
            _progress_points(model, d, svg, obs, dates, read)
    _open_data_progress(model, d, obs, dates, read)
    return read


def _open_data_progress(model: Model, d: int, obs: Observation, dates: list[dt.date], read: dict) -> None:
    """The open data's GERTAK progress: each row's achievement since the strip's first date, exact."""
    since = None
    for body in obs.bodies:
        found = re.search(r"Capaian dihitung sejak [^(]*\(" + _DATE + r"\)", _text(body))
        since = since or (found and parse_tanggal(found.group(1)))
    base = _visit_of(dates, since, d) if since else None
    for r in open_data_rows(obs, "gertak"):
        visit = _visit_of(dates, dt.date.fromisoformat(r["tanggal"]), d)
        if base is None or visit is None or r["capaian"] == "":
            continue
        exact = int(r["capaian"])
        _recorded_difference(model, visit, base, exact, exact, "data terbuka gertak", read)


def _progress_points(model: Model, d: int, svg: str, obs: Observation, dates: list[dt.date], read: dict) -> None:
    """The chart's achievement line: each point's x is a date and its y the achievement since the
    strip's first date, to the precision of one decimal of an SVG unit; the axes' own ticks
    give the scales."""
    from apptest_support import parse_angka

    ticks = [(float(y), parse_angka(v)) for y, v in
             re.findall(r"<line x1='\d+' x2='\d+' y1='([\d.]+)' y2='[\d.]+' stroke='#e4e4e4'/>"
                        r"<text [^>]*text-anchor='end'>([\d.]+)</text>", svg)]
    months = [(float(x), text) for x, text in re.findall(r"<text x='([\d.]+)' y='\d+' text-anchor='middle'>"
                                                       r"([A-Z][a-z]{2} \d{4})</text>", svg)]
    polyline = re.search(r"<polyline points='([^']*)'", svg)
    since = None
    for body in obs.bodies:
        found = re.search(r"Capaian dihitung sejak [^(]*\(" + _DATE + r"\)", _text(body))
        since = since or (found and parse_tanggal(found.group(1)))
    base = _visit_of(dates, since, d) if since else None
    if len(ticks) < 2 or len(months) < 2 or not polyline or base is None:
        return
    (y0, v0), (y1, v1) = ticks[0], ticks[-1]
    per_unit = (v1 - v0) / (y1 - y0)                     # achievement per SVG unit (negative: y grows down)
    (x0, m0), (x1, m1) = months[0], months[-1]
    day0, day1 = (parse_tanggal("1 " + m) for m in (m0, m1))
    days_per_unit = (day1 - day0).days / (x1 - x0)
    for point in polyline.group(1).split():
        x, y = (float(p) for p in point.split(","))
        day = day0 + dt.timedelta(days=round((x - x0) * days_per_unit))
        visit = _visit_of(dates, day, d)
        if visit is None:
            continue
        value = v0 + (y - y0) * per_unit
        slack = abs(per_unit) * 0.05 + 1e-6
        _recorded_difference(model, visit, base, value - slack, value + slack, "titik grafik progres", read)
    label = re.search(r"fill='[^']*' font-weight='bold'>([\d.]+)</text>", svg)
    if label:  # the last point's achievement, written out
        x = float(polyline.group(1).split()[-1].split(",")[0])
        visit = _visit_of(dates, day0 + dt.timedelta(days=round((x - x0) * days_per_unit)), d)
        exact = parse_angka(label.group(1))
        _recorded_difference(model, visit, base, exact, exact, "titik grafik progres", read)


def withheld_shown_elsewhere(obs: Observation) -> list[str]:
    """Partners whose row on the public page is withheld ("ditahan") yet named on the
    projector's partner slide (what is withheld must be withheld everywhere)."""
    withheld = [row["Mitra"] for rows_ in tables_with(obs, "Mitra", "Jumlah layanan") for row in rows_
                if row["Jumlah layanan"] == "ditahan"]
    slides = " ".join(html.unescape(svg) for svg in obs.svgs if "Perekaman e-KTP oleh mitra" in svg)
    return [name for name in withheld if name in slides]


def _add_web_regency(model: Model, d: int, obs: Observation, wajib: dict, sem: Semantics, fact) -> None:
    """The regency's link preview: its title and description, and its first screen's figures."""
    page = obs.shells.get("/")
    if not page:
        return
    description = html.unescape(re.search(r'<meta name="description" content="([^"]*)"', page).group(1))
    figures = dict(re.findall(r"(Sudah rekam|Belum rekam|Cakupan) (\S+?)(?: ·|\.)", description))
    figures |= {k: html.unescape(v) for k, v in re.findall(
        r"<dt>(Sudah rekam|Belum rekam|Cakupan)</dt><dd>([^<]+)", page)}
    total = sum(wajib.values())
    if "Belum rekam" in figures:
        fact("judul kabupaten", (d, "kab"), count_interval(figures["Belum rekam"], sem, total=True))
    if "Cakupan" in figures:
        fact("judul kabupaten", (d, "kab"), unrecorded_from_share(figures["Cakupan"], total, sem))
    recorded = count_interval(figures.get("Sudah rekam", ""), sem, total=True)
    if recorded is not None and recorded[0] == recorded[1]:
        fact("judul kabupaten", (d, "kab"), (total - recorded[0],) * 2)


def _partner_bars(model: Model, d: int, obs: Observation, t: Truth, fact) -> None:
    """The projector's partner slide: each partner's e-KTP recordings, at most its services."""
    partner_of = {name: kode for kode, (name, _, _) in t.partners.items()}
    for svg in obs.svgs:
        if "Perekaman e-KTP oleh mitra" not in svg:
            continue
        label = html.unescape(re.search(r"aria-label='([^']*)'", svg).group(1))
        for name, count in re.findall(r"(?:: |; )([^;:()]+?) ([\d.]+) \(", label):
            kode = partner_of.get(name.strip())
            if kode is not None and (d, "mitra_jumlah", kode) in model.index:
                from apptest_support import parse_angka

                fact("mitra proyektor", (d, "mitra_jumlah", kode), (parse_angka(count), INF))


def link_dates(model: Model, before: Truth, after: Truth, b: int = 0, a: int = 1) -> None:
    """What a returning visitor may know, at worst: which figures did not move (a village whose
    registry row is the same; a partner or kecamatan count that did not grow); that a village's
    recorded residents never fall (its unrecorded rise by at most its rise in wajib KTP); and
    that partner figures, counted since the programme's start, never fall. Each is written
    only where it is true of the store (a reader who assumed it otherwise would be wrong)."""
    for kode, row in after.villages.items():
        old = before.villages.get(kode)
        if old is None or (b, "desa", kode) not in model.index or (a, "desa", kode) not in model.index:
            continue
        if old == row:
            model.constrain({(b, "desa", kode): 1, (a, "desa", kode): -1}, 0, 0)
        elif row[0] - row[1] >= old[0] - old[1]:   # recorded did not fall
            model.constrain({(a, "desa", kode): 1, (b, "desa", kode): -1}, -INF, row[0] - old[0])
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


def build_model(observations: list[Observation], truths: list[Truth], sem: Semantics,
                sources: list | None = None, observed_before: int | None = None) -> Model:
    """Every visit's facts and trends, every pair of consecutive visits linked. With
    `observed_before`, visits from that index on give only what is public whatever is published
    (structure and wajib KTP): the baseline `allowed` measures against."""
    model = Model()
    dates = [obs.tanggal for obs in observations]
    cutoff = len(observations) if observed_before is None else observed_before
    for d, (obs, t) in enumerate(zip(observations, truths)):
        read = add_date(model, d, obs, t, sem, facts=d < cutoff)
        if d < cutoff:
            read.update(add_trends(model, d, obs, dates))
        if sources is not None:
            sources.append(read)
    for d in range(1, len(truths)):
        link_dates(model, truths[d - 1], truths[d], d - 1, d)
    return model


class Prefixes:
    """The models of the visits up to each step, with every visit observed or with that step
    showing only what is public whatever is published; each built once."""

    def __init__(self, observations: list[Observation], truths: list[Truth], sem: Semantics):
        self.observations, self.truths, self.sem = observations, truths, sem
        self._models: dict[tuple, Model] = {}

    def model(self, step: int, bare: bool) -> Model:
        if (step, bare) not in self._models:
            self._models[(step, bare)] = build_model(self.observations[:step + 1], self.truths[:step + 1], self.sem,
                                                     observed_before=step if bare else None)
        return self._models[(step, bare)]

    def allowed(self, finding: Finding, top: int | None, step: int) -> tuple[int, int]:
        """The values public facts left a small count when visit `step` was published: its
        range with the visits before `step` as they were and `step` showing nothing but the
        structure, zeros and wajib KTP (within 1..top; a total, whose label says 1 or more:
        from 1 up)."""
        low, high = self.model(step, True).range_of(finding.cell)
        return (max(low, 1), min(high, top)) if top is not None else (max(low, 1), high)


def _short(finding: Finding, top: int | None, low: int, high: int, wanted: tuple) -> bool:
    if top is None:
        span = min(4, wanted[1] - wanted[0] + 1) if wanted[1] < INF else 4
        return (high - low + 1 if high < INF else INF) < span
    return low > wanted[0] or high < wanted[1]


def narrowed_beyond_public(findings, observations, truths, sem) -> list[tuple[Finding, tuple[int, int]]]:
    """The findings some visit narrowed beyond what public facts allowed when it was published
    (see `Prefixes.allowed`): after each visit, with the visits up to it, a small count must
    reach as far as it could with the visits before and that one's zeros and wajib KTP alone."""
    prefixes = Prefixes(observations, truths, sem)
    out = []
    for finding, top in findings:
        if not finding.narrowed(top):
            continue  # not narrowed at all, so by no visit either
        for step in range(finding.date, len(observations)):
            low, high = prefixes.model(step, False).range_of(finding.cell)
            wanted = prefixes.allowed(finding, top, step)
            if _short(finding, top, low, high, wanted):
                out.append((finding, wanted))
                break
    return out


def attack(observations: list[Observation], truths: list[Truth], sem: Semantics,
           sources: list | None = None) -> list[tuple[Finding, int]]:
    """Every sensitive cell of every visit with the range the attacker pins it to, and its top.
    `sources` (if given) receives, per visit, how many facts each source gave."""
    model = build_model(observations, truths, sem, sources)
    findings = []
    for d, t in enumerate(truths):
        for name, value, top in sensitive_cells(d, t):
            if name not in model.index:
                continue
            low, high = model.range_of(name)
            assert low <= value <= high, f"{name}: true value {value} outside the attacker's range"
            findings.append((Finding(d, name, value, low, high), top))
    return findings
