"""The published set: the data module's frames for one date, made safe to show anyone.

`publish(frames, previous)` decides every cell's status (suppress.py) and returns a `PublicView`:
frames and records that carry, for each figure, its exact value where shown (missing where
hidden) and the text to show. The public page, its SVG charts, its tables and downloads, and
projector mode read nothing else, so a cell is hidden everywhere or nowhere. Its trends (the
change in recorded residents, GERTAK's achievement, pace, projection and progress chart) come
from the published history (published.py): from what was published for each date they use.

What else is made safe here, so that no published figure gives a hidden one back:
- recorded residents and coverage of a hidden village or kecamatan are hidden with it; a village
  with "<5" shows its coverage as the band "≥ 99,6%" that "<5" and its wajib KTP already imply;
- a partner's services from 1 to 4 show as "<5" (else "services 2" would cap its vulnerable
  residents served at 2);
- the map colours only published figures; a hidden village gets the "disamarkan" hatch, and
  the legend's ends come from shown villages;
- nothing is ordered by a hidden figure: kecamatan with a hidden total come last in the bars,
  partners with "<5" services sort by the report's order, a village's rank in its kecamatan is
  by published coverage, and the projector's priority list scores only shown villages,
  normalised over shown villages;
- regency figures that would give a hidden regency total back (its recorded count, its change,
  GERTAK progress counted from the registry) are withheld with it;
- what is withheld ("ditahan") is withheld everywhere: a partner whose figures are withheld is
  left out of the projector's partner slide and of the strip's top partner, and shares are of
  the partners shown.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bulukumba.language import fmt
from bulukumba.disclosure import suppress as sp

log = logging.getLogger(__name__)
INF = math.inf
VULNERABLE = ("disabilitas", "lansia")


@dataclass(frozen=True)
class Frames:
    """What the data module says about one date (see published.frames_for). Protection needs
    the first four; the view itself needs the rest."""
    tanggal: dt.date
    desa: pd.DataFrame                  # figures.coverage_villages
    mitra: pd.DataFrame                 # figures.partner_leaderboard over the programme period
    rentan: pd.DataFrame                # figures.vulnerable_by_kecamatan over the same period
    kecamatan: pd.DataFrame | None = None         # figures.coverage_kecamatan
    mitra_urutan: tuple[str, ...] = ()            # partner codes in the report's order
    mitra_perekaman: pd.DataFrame | None = None   # partner_leaderboard for e-KTP recording
    kantor: tuple[float, float] | None = None     # figures.office_location


@dataclass(frozen=True)
class Publication:
    """Every cell's status on one date, as published."""
    tanggal: dt.date
    registri: sp.Published
    rentan: sp.Published
    sebelumnya: sp.Published | None = None     # (publish on frames alone: the date before's)

    def hidden(self) -> dict[str, int]:
        """How many cells are hidden: small counts and complementary cells."""
        counts = {"kecil": 0, "pelengkap": 0}
        for published in (self.registri, self.rentan):
            for cell in published.table.cells():
                status = published.status[cell.key]
                if status != sp.SHOWN and cell.published:
                    counts["kecil" if cell.small else "pelengkap"] += 1
        return counts

    def withheld_partners(self) -> set[str]:
        """Partners whose figures are withheld ("ditahan"): their services are not shown either."""
        return {cell.key[1] for cell in self.rentan.table.inflow
                if cell.published and self.rentan.status[cell.key] == sp.WITHHELD}


@dataclass(frozen=True)
class Trends:
    """The regency's trends, from what was published for the dates they use (published.py).
    riwayat: tanggal, wajib_ktp, sudah_rekam, belum_rekam, cakupan of every date whose regency
    figures were published, up to the date shown."""
    riwayat: pd.DataFrame
    perubahan_30: object | None = None      # figures.Change over about 30 days
    gertak: object | None = None            # figures.ProgrammeStatus counted on `riwayat`
    gertak_progres: pd.DataFrame | None = None
    vonis: object | None = None             # verdict.Verdict for the strip


@dataclass(frozen=True)
class Regency:
    tanggal: dt.date | None
    wajib_ktp: int
    sudah_rekam: int | None      # None: withheld
    belum_rekam: int | None
    cakupan: float | None
    teks_sudah_rekam: str
    teks_belum_rekam: str
    teks_cakupan: str
    perubahan_30: object | None       # figures.Change over about 30 days (None: withheld)

    @property
    def sudah_rekam_30_hari(self) -> int | None:
        """The rise in recorded residents over that span (None: withheld or no comparison)."""
        return None if self.perubahan_30 is None else self.perubahan_30.sudah_rekam


@dataclass(frozen=True)
class PublicView:
    """Everything the public may see for one date. Frames are shared: treat them as read-only.

    desa: kode, nama, jenis, kecamatan_kode, kecamatan_nama, wajib_ktp, sudah_rekam,
        belum_rekam, cakupan (missing where hidden), status ("tampil", "<5", "disamarkan",
        "kosong": no figures yet), teks_sudah_rekam, teks_belum_rekam, teks_cakupan,
        kelas_peta ("nilai", "disamarkan", "kosong"), cakupan_terbit (published coverage: exact,
        or the band's floor for "<5"), peringkat_kecamatan (rank by cakupan_terbit in its
        kecamatan, 1 = highest; missing where nothing is published);
    kecamatan: kode, nama, desa, wajib_ktp, sudah_rekam, belum_rekam, cakupan, status, teks_*;
    mitra: kode, nama, jumlah, desa, rentan, teks_jumlah, teks_rentan (public order);
    mitra_perekaman: peringkat, kode, nama, jumlah, porsi (e-KTP recordings, for the projector;
        empty when the partner table is withheld);
    rentan: kode, nama, disabilitas, lansia, teks_disabilitas, teks_lansia, plus one last row
        with kode None and nama "Jumlah" (the column totals);
    prioritas: peringkat, kode, nama, kecamatan_nama, belum_rekam, cakupan, jarak_km, skor;
    riwayat: the regency's published trend (Trends.riwayat); gertak, gertak_progres and vonis
        (the strip) are counted on it, and missing while the regency's own figures are hidden.
    """
    tanggal: dt.date
    sebelumnya: dt.date | None
    kabupaten: Regency
    kecamatan: pd.DataFrame
    desa: pd.DataFrame
    mitra: pd.DataFrame
    mitra_perekaman: pd.DataFrame
    rentan: pd.DataFrame
    prioritas: pd.DataFrame
    gertak: object | None
    gertak_progres: pd.DataFrame | None
    publikasi: Publication = field(repr=False)
    riwayat: pd.DataFrame | None = None
    vonis: object | None = None

    @property
    def disamarkan(self) -> dict[str, int]:
        return self.publikasi.hidden()


# ---------------------------------------------------------------------------------------------
# Frames -> tables of cells
# ---------------------------------------------------------------------------------------------

def _int(value) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def registry_table(villages: pd.DataFrame) -> sp.Table:
    """Regency = Σ kecamatan = Σ villages, of unrecorded residents (villages with figures)."""
    members: dict[str, list[sp.Tree]] = {}
    # Plain Python lists, not numpy scalars: 83,000 villages nationally, twice per build.
    for kode, kec, belum, wajib in zip(villages["kode"].tolist(), villages["kecamatan_kode"].tolist(),
                                       villages["belum_rekam"].to_numpy(dtype="float64", na_value=np.nan).tolist(),
                                       villages["wajib_ktp"].to_numpy(dtype="float64", na_value=np.nan).tolist()):
        if wajib == wajib:  # not NaN: the village has figures
            members.setdefault(kec, []).append(sp.Tree(sp.Cell(("desa", kode), int(belum), upper=int(wajib))))
    trees = []
    for kec in sorted(members):
        leaves = members[kec]
        trees.append(sp.Tree(sp.Cell(("kec", kec), sum(t.cell.value for t in leaves),
                                     upper=sum(t.cell.upper for t in leaves), total=True), leaves))
    regency = sp.Cell(("kab",), sum(t.cell.value for t in trees), upper=sum(t.cell.upper for t in trees),
                      total=True, hideable=False)
    return sp.Table("registri", [regency], trees)


def services_interval(jumlah: int) -> tuple[float, float]:
    """What a partner's published number of services says: exact, or "<5" from 1 to 4."""
    return (1, 4) if 1 <= jumlah < sp.THRESHOLD else (jumlah, jumlah)


def vulnerable_table(board: pd.DataFrame, by_kecamatan: pd.DataFrame) -> sp.Table:
    """Vulnerable residents served: Σ partners = Σ columns (disability, elderly) = Σ cells.

    Should the two sums ever differ (figures scoped differently), neither side is tied to the
    other: each meets the hub through an unpublished cell that absorbs the difference."""
    partners = [sp.Cell(("mitra", k), _int(r), upper=services_interval(_int(j))[1],
                        companion=services_interval(_int(j)))
                for k, r, j in zip(board["kode"], board["rentan"], board["jumlah"])]
    columns = []
    for kind in VULNERABLE:
        leaves = [sp.Tree(sp.Cell(("rentan", k, kind), _int(v))) for k, v in zip(by_kecamatan["kode"], by_kecamatan[kind])]
        columns.append(sp.Tree(sp.Cell(("rentan_jumlah", kind), sum(t.cell.value for t in leaves), total=True), leaves))
    by_partner, by_cell = sum(c.value for c in partners), sum(t.cell.value for t in columns)
    if by_partner != by_cell:
        log.warning("vulnerable residents: partners say %s, kecamatan say %s; not tied", by_partner, by_cell)
        partners.append(sp.Cell(UNTIED + ("mitra",), by_cell, total=True, hideable=False, published=False))
        columns.append(sp.Tree(sp.Cell(UNTIED + ("kecamatan",), by_partner, total=True, hideable=False,
                                       published=False)))
    return sp.Table("rentan", partners, columns, cumulative=True)


#: Unpublished cells that keep two sides apart (withheld: any value).
UNTIED = ("tak_terpaut",)


def published_trend(publications: list[sp.Published]) -> pd.DataFrame:
    """The regency's recorded trend as published: every date whose regency total was shown, with
    its figures as published (tanggal, wajib_ktp, sudah_rekam, belum_rekam, cakupan)."""
    rows = []
    for published in publications:
        cell = published.cell(("kab",))
        if cell is not None and published.status[cell.key] == sp.SHOWN:
            rows.append((pd.Timestamp(published.tanggal), int(cell.upper), int(cell.upper) - cell.value))
    trend = pd.DataFrame(rows, columns=["tanggal", "wajib_ktp", "sudah_rekam"])
    trend["tanggal"] = pd.to_datetime(trend["tanggal"])
    for column in ("wajib_ktp", "sudah_rekam"):
        trend[column] = trend[column].astype("int64")
    trend["belum_rekam"] = trend["wajib_ktp"] - trend["sudah_rekam"]
    trend["cakupan"] = np.where(trend["wajib_ktp"] > 0, trend["sudah_rekam"] / trend["wajib_ktp"].where(
        trend["wajib_ktp"] > 0, 1), np.nan)
    return trend


def protect(frames: Frames, previous: Frames | None = None) -> Publication:
    """Every cell's status on `frames.tanggal`, audited against the date before as published
    on its own (a store's real history is audited in published.py)."""
    def tables(f: Frames) -> tuple[sp.Table, sp.Table]:
        return registry_table(f.desa), vulnerable_table(f.mitra, f.rentan)

    now = tables(frames)
    if previous is None:
        return Publication(frames.tanggal, sp.suppress(now[0], tanggal=frames.tanggal),
                           sp.suppress(now[1], tanggal=frames.tanggal))
    before = [sp.suppress(table, tanggal=previous.tanggal) for table in tables(previous)]
    for published in before:
        published.urutan = 1
    return Publication(frames.tanggal, sp.suppress(now[0], [before[0]], frames.tanggal),
                       sp.suppress(now[1], [before[1]], frames.tanggal), before[0])


# ---------------------------------------------------------------------------------------------
# Publication -> what is shown
# ---------------------------------------------------------------------------------------------

def _text(cell: sp.Cell | None, status: str | None, exact=fmt.number) -> str:
    if cell is None:
        return fmt.KOSONG
    return exact(cell.value) if status == sp.SHOWN else status


def _hidden_label(status: str) -> str:
    """What a hidden cell's recorded count and coverage say: "ditahan" with a withheld count,
    else "disamarkan" (a "<5" count's recorded count is a complement of it)."""
    return sp.WITHHELD if status == sp.WITHHELD else sp.MASKED


def share_band(wajib) -> str:
    """The coverage of a village with fewer than five unrecorded, as the band "<5" implies: at
    least (wajib − 4) / wajib, rounded down to a tenth of a percent, in whole numbers (wajib 5:
    "≥ 20,0%", which floating point would make 19,9%)."""
    if pd.isna(wajib) or wajib <= 0:
        return fmt.KOSONG
    return f"≥ {fmt.percent(_band_floor(wajib))}"


def _band_floor(wajib) -> float:
    """The band's floor as a fraction: whole thousandths, computed in integers."""
    wajib = int(wajib)
    return max(wajib - (sp.THRESHOLD - 1), 0) * 1000 // wajib / 1000


def _village_frame(frames: Frames, published: sp.Published) -> pd.DataFrame:
    v = frames.desa
    out = v[["kode", "nama", "jenis", "kecamatan_kode", "kecamatan_nama"]].copy()
    status, belum, sudah, cakupan, t_belum, t_sudah, t_cakupan, kelas, urut = ([] for _ in range(9))
    for kode, w, s, c in zip(v["kode"], v["wajib_ktp"], v["sudah_rekam"], v["cakupan"]):
        cell = published.cell(("desa", kode))
        st = published.status[cell.key] if cell is not None else None
        shown = st == sp.SHOWN
        status.append("kosong" if cell is None else st)
        belum.append(cell.value if shown else pd.NA)
        sudah.append(_int(s) if shown else pd.NA)
        cakupan.append(float(c) if shown and pd.notna(c) else np.nan)
        t_belum.append(_text(cell, st))
        t_sudah.append(fmt.KOSONG if cell is None else (fmt.number(s) if shown else _hidden_label(st)))
        if cell is None:
            t_cakupan.append(fmt.KOSONG)
            urut.append(np.nan)
        elif shown:
            t_cakupan.append(fmt.percent(c))
            urut.append(float(c) if pd.notna(c) else np.nan)
        elif st == sp.SMALL:
            t_cakupan.append(share_band(w))
            urut.append(_band_floor(w))
        else:
            t_cakupan.append(_hidden_label(st))
            urut.append(np.nan)
        kelas.append("kosong" if cell is None else ("nilai" if shown else "disamarkan"))
    out["wajib_ktp"] = v["wajib_ktp"].astype("Int64").to_numpy()
    out["sudah_rekam"] = pd.array(sudah, dtype="Int64")
    out["belum_rekam"] = pd.array(belum, dtype="Int64")
    out["cakupan"] = cakupan
    out["status"] = status
    out["teks_sudah_rekam"], out["teks_belum_rekam"], out["teks_cakupan"] = t_sudah, t_belum, t_cakupan
    out["kelas_peta"] = kelas
    out["cakupan_terbit"] = urut
    out["peringkat_kecamatan"] = (out.groupby("kecamatan_kode")["cakupan_terbit"]
                                  .rank(method="min", ascending=False).astype("Int64"))
    return out.reset_index(drop=True)


def _kecamatan_frame(frames: Frames, published: sp.Published) -> pd.DataFrame:
    k = frames.kecamatan
    out = k[["kode", "nama", "desa", "wajib_ktp"]].copy()
    rows = []
    for kode, s, c in zip(k["kode"], k["sudah_rekam"], k["cakupan"]):
        cell = published.cell(("kec", kode))
        st = published.status[cell.key] if cell is not None else None
        shown = st == sp.SHOWN
        rows.append({
            "sudah_rekam": _int(s) if shown else pd.NA, "belum_rekam": cell.value if shown else pd.NA,
            "cakupan": float(c) if shown and pd.notna(c) else np.nan,
            "status": "kosong" if cell is None else st, "teks_belum_rekam": _text(cell, st),
            "teks_sudah_rekam": fmt.KOSONG if cell is None else (fmt.number(s) if shown else _hidden_label(st)),
            "teks_cakupan": fmt.KOSONG if cell is None else (fmt.percent(c) if shown else _hidden_label(st))})
    extra = pd.DataFrame(rows, index=out.index)
    for column in ("sudah_rekam", "belum_rekam"):
        extra[column] = extra[column].astype("Int64")
    out["wajib_ktp"] = out["wajib_ktp"].astype("Int64")
    return pd.concat([out, extra], axis=1).reset_index(drop=True)


def _regency(frames: Frames, published: sp.Published, change) -> Regency:
    cell = published.cell(("kab",))
    wajib = int(frames.desa["wajib_ktp"].sum())
    if cell is None:
        return Regency(frames.tanggal, wajib, None, None, None, fmt.KOSONG, fmt.KOSONG, fmt.KOSONG, None)
    shown = published.status[cell.key] == sp.SHOWN
    newest = frames.desa["tanggal"].max()
    day = None if pd.isna(newest) else newest.date()
    if not shown:
        return Regency(day, wajib, None, None, None, sp.MASKED, sp.MASKED, sp.MASKED, None)
    recorded = wajib - cell.value
    return Regency(day, wajib, recorded, cell.value, recorded / wajib if wajib else None,
                   fmt.number(recorded), fmt.number(cell.value), fmt.percent(recorded / wajib) if wajib else fmt.KOSONG,
                   change)


def _partner_frame(frames: Frames, published: sp.Published) -> pd.DataFrame:
    board = frames.mitra
    order = {k: i for i, k in enumerate(frames.mitra_urutan)}
    rows = []
    for kode, nama, jumlah, desa in zip(board["kode"], board["nama"], board["jumlah"], board["desa"]):
        cell = published.cell(("mitra", kode))
        st = published.status[cell.key]
        withheld = st == sp.WITHHELD  # its services would bound what is withheld
        small_services = 1 <= jumlah < sp.THRESHOLD
        rows.append({"kode": kode, "nama": nama, "jumlah": pd.NA if small_services or withheld else int(jumlah),
                     "desa": int(desa), "rentan": cell.value if st == sp.SHOWN else pd.NA,
                     "teks_jumlah": sp.WITHHELD if withheld else sp.SMALL if small_services else fmt.number(jumlah),
                     "teks_rentan": _text(cell, st),
                     # sort keys: published services ("<5" sits between 0 and 5), then report order
                     "_jumlah": -1.0 if withheld else 2.5 if small_services else float(jumlah),
                     "_urutan": order.get(kode, len(order))})
    out = (pd.DataFrame(rows).sort_values(["_jumlah", "_urutan"], ascending=[False, True])
           .drop(columns=["_jumlah", "_urutan"]).reset_index(drop=True))
    for column in ("jumlah", "rentan"):
        out[column] = out[column].astype("Int64")
    return out


def _vulnerable_frame(frames: Frames, published: sp.Published) -> pd.DataFrame:
    k = frames.rentan
    rows = []
    for kode, nama in zip(k["kode"], k["nama"]):
        row = {"kode": kode, "nama": nama}
        for kind in VULNERABLE:
            cell = published.cell(("rentan", kode, kind))
            st = published.status[cell.key]
            row[kind] = cell.value if st == sp.SHOWN else pd.NA
            row[f"teks_{kind}"] = _text(cell, st)
        rows.append(row)
    total = {"kode": None, "nama": "Jumlah"}
    for kind in VULNERABLE:
        cell = published.cell(("rentan_jumlah", kind))
        st = published.status[cell.key]
        total[kind] = cell.value if st == sp.SHOWN else pd.NA
        total[f"teks_{kind}"] = _text(cell, st)
    out = pd.DataFrame(rows + [total])
    for kind in VULNERABLE:
        out[kind] = out[kind].astype("Int64")
    return out


def _priority(frames: Frames, villages: pd.DataFrame) -> pd.DataFrame:
    """The outreach list over shown villages, scored as figures.priority_villages does but
    normalised over shown villages only, so no hidden figure moves a score or a place."""
    from bulukumba.figures import PRIORITY_WEIGHTS
    from bulukumba.regions import distance_km

    columns = ["peringkat", "kode", "nama", "kecamatan_nama", "belum_rekam", "cakupan", "jarak_km", "skor"]
    mask = (villages["status"] == sp.SHOWN).to_numpy()
    shown = villages[mask].copy()
    if shown.empty or frames.kantor is None:
        return pd.DataFrame(columns=columns)
    # `villages` keeps the data module's row order, so its rows line up with frames.desa.
    shown["jarak_km"] = distance_km(frames.kantor[0], frames.kantor[1], frames.desa["lat"].to_numpy()[mask],
                                    frames.desa["lng"].to_numpy()[mask])
    unrecorded = shown["belum_rekam"].astype("float64")
    gap = 1 - shown["cakupan"]
    parts = {"belum_rekam": unrecorded / max(unrecorded.max(), 1),
             "kesenjangan": gap / gap.max() if gap.max() > 0 else gap * 0,
             "jarak": shown["jarak_km"] / shown["jarak_km"].max() if shown["jarak_km"].max() > 0 else shown["jarak_km"] * 0}
    shown["skor"] = 100 * sum(PRIORITY_WEIGHTS[k] * v for k, v in parts.items())
    ranked = shown.sort_values(["skor", "kode"], ascending=[False, True]).reset_index(drop=True)
    ranked["peringkat"] = np.arange(1, len(ranked) + 1)
    return ranked[columns]


def recordings(frames: Frames, publication: Publication) -> pd.DataFrame:
    """The projector's e-KTP recordings by partner, without the partners whose figures are
    withheld (withheld everywhere), ranked and shared among those shown."""
    board = frames.mitra_perekaman if frames.mitra_perekaman is not None else pd.DataFrame()
    withheld = publication.withheld_partners()
    if board.empty or not withheld:
        return board
    board = board[~board["kode"].isin(withheld)].reset_index(drop=True)
    grand = float(board["jumlah"].sum())
    return board.assign(peringkat=board["jumlah"].rank(method="min", ascending=False).astype("int64"),
                        porsi=board["jumlah"] / grand if grand else 0.0)


def view(frames: Frames, publication: Publication, trends: Trends | None = None) -> PublicView:
    villages = _village_frame(frames, publication.registri)
    trends = trends or Trends(pd.DataFrame(columns=["tanggal", "wajib_ktp", "sudah_rekam", "belum_rekam",
                                                    "cakupan"]))
    regency = _regency(frames, publication.registri, trends.perubahan_30)
    hidden = regency.belum_rekam is None
    registry_based = trends.gertak is not None and getattr(trends.gertak, "dasar", None) == "registri"
    withhold = registry_based and hidden
    kecamatan = _kecamatan_frame(frames, publication.registri)
    earlier = trends.riwayat["tanggal"][trends.riwayat["tanggal"] < pd.Timestamp(frames.tanggal)]
    return PublicView(
        tanggal=frames.tanggal, sebelumnya=earlier.max().date() if len(earlier) else None, kabupaten=regency,
        kecamatan=kecamatan, desa=villages, mitra=_partner_frame(frames, publication.rentan),
        mitra_perekaman=recordings(frames, publication),
        rentan=_vulnerable_frame(frames, publication.rentan), prioritas=_priority(frames, villages),
        gertak=None if withhold else trends.gertak,
        gertak_progres=None if withhold else trends.gertak_progres, publikasi=publication,
        riwayat=trends.riwayat, vonis=None if hidden else trends.vonis)


def publish(frames: Frames, previous: Frames | None = None) -> PublicView:
    """The one disclosure-control step on frames alone (no store): a date's frames (and the date
    before's, published first) in, the published set out; its trend is the two dates'."""
    publication = protect(frames, previous)
    registry = [p for p in (publication.sebelumnya, publication.registri) if p is not None]
    trend = published_trend(registry)
    return view(frames, publication, Trends(trend, change_over(trend, frames.tanggal) if len(trend) else None))


def change_over(trend: pd.DataFrame, day: dt.date, days: int = 30):
    """The change in recorded residents over about `days` to `day`, on a published trend."""
    from bulukumba import figures

    return figures.change_over(figures.Trend.of(trend), day, days)
