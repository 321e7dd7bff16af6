"""The verdict: is GERTAK 2018 on track, and who is delivering? One function for every page.

Ringkasan, the public page and projector slide 1 open with the same strip, so a figure read out
in a meeting is the figure on the department head's screen. `gertak_verdict` computes it from
the data module's public functions; bulukumba/presentation/verdict.py draws it as plain HTML (no Plotly, no table
widget: the public page stays light); `web.verdict_strip` is the Streamlit glue.

Where each figure comes from:
- target, achieved (capaian), remaining (sisa), needed per day (perlu_per_hari), deadline:
  `figures.programme_status` for the programme's e-KTP recording target in that area;
- current pace (laju): for a registry-based target, the rise in recorded residents between the
  newest snapshot and the one about 28 days before it (`figures.recorded_change(..., 28)`), per day
  of the span actually measured — shorter when the data begin later, and no pace at all with a
  single snapshot (one point gives no speed); for a target counted from partner activity, the
  activity of the last 28 days (fewer when the programme is younger), per day;
- projected finish: the remaining count at that pace, counted from the as-of date;
- badge: "target tercapai", "tepat waktu", "terlambat N hari", "tidak ada kemajuan",
  "belum bisa dinilai" (no pace yet), "tanpa target";
- top partner: the most e-KTP recordings by partners ("Perekaman e-KTP oleh mitra") since the
  programme began (the last 30 days when there is no target), in the same area.

Each kecamatan's strip reads its own figures; the GERTAK page's table of every kecamatan reads
them for all at once (`programme_verdicts`: one set of trends, vectorised look-ups in
figures.Trends), through the same rules (`_judged`).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from bulukumba import figures
from bulukumba.language import fmt, texts

PROGRAM = "gertak_2018"
SERVICE = "rekam_ektp"
PACE_DAYS = 28
#: Without a programme period, the top partner is the one of the last 30 days.
FALLBACK_PERIOD_DAYS = 30

#: Badge states, in words a meeting hears; the tone picks the badge colour.
TONE = {"belum_mulai": "netral", "tercapai": "baik", "tepat_waktu": "baik", "terlambat": "buruk", "tanpa_kemajuan": "buruk",
        "tidak_tercapai": "buruk", "belum_ada_laju": "netral", "tanpa_target": "netral",
        "tanpa_data": "netral"}


@dataclass(frozen=True)
class TopPartner:
    kode: str
    nama: str
    jumlah: int          # e-KTP recordings by this partner in the period
    porsi: float         # share of all partners' e-KTP recordings in the period (0..1)
    mulai: dt.date | None
    sampai: dt.date


@dataclass(frozen=True)
class Verdict:
    program: str
    layanan: str
    kecamatan: str | None        # kode, or None for the regency
    wilayah: str                 # "Kabupaten Bulukumba" / "Kecamatan Kajang"
    tanggal: dt.date | None      # the as-of date of the figures (None: no data at all)
    keadaan: str                 # a key of TONE
    # The target (None when there is none for this area)
    target: int | None = None
    capaian: int | None = None
    sisa: int | None = None
    mulai: dt.date | None = None
    selesai: dt.date | None = None
    dasar: str | None = None
    perlu_per_hari: float | None = None   # None: no target, or the deadline has passed
    # The pace
    laju: float | None = None             # per day; None: not measurable yet
    laju_hari: int | None = None          # days the pace was measured over
    laju_dari: dt.date | None = None
    proyeksi_selesai: dt.date | None = None
    terlambat_hari: int | None = None     # days after the deadline (keadaan "terlambat")
    capaian_sejak: dt.date | None = None  # achievement counted from (later than `mulai` when the
    #                                       registry begins after the programme's start)
    # Who delivers
    mitra: TopPartner | None = None
    mitra_mulai: dt.date | None = None    # the period the partner figure covers
    contoh: bool = False
    publik: bool = False                  # read from the published set: said to anyone (texts.AUDIENS)

    @property
    def badge(self) -> str:
        """The verdict in two or three words: 'tepat waktu', 'terlambat 43 hari', …"""
        if self.keadaan == "terlambat":
            return f"terlambat {fmt.number(self.terlambat_hari)} hari"
        return texts.VONIS_BADGE[self.keadaan]

    @property
    def tone(self) -> str:
        return TONE[self.keadaan]

    @property
    def kalimat(self) -> str:
        """One plain sentence (markdown) that says the same as the strip."""
        return texts.verdict_sentence(self)


def _day(as_of: figures.DateLike, engine) -> dt.date | None:
    """The day a verdict is for: `as_of`, else the newest data (None: no data at all)."""
    return pd.Timestamp(as_of).date() if as_of is not None else figures.latest_date(engine)


def _pace(status: figures.ProgrammeStatus, change: figures.Change | None, kecamatan: str | None,
          engine) -> tuple[float | None, int | None, dt.date | None]:
    """(per day, days measured, since) of the recent pace, or (None, None, None) if unknown.
    `change`: for a registry-based target, the area's recorded change over the last 28 days up
    to the status's date (`figures.recorded_change(day, 28, kecamatan)`); the pace is read from it."""
    day = pd.Timestamp(status.tanggal)
    if status.dasar == "registri":
        if not change.ada or not change.hari:
            return None, None, None
        return change.sudah_rekam / change.hari, change.hari, change.dari
    start = max(pd.Timestamp(status.mulai), day - pd.Timedelta(days=PACE_DAYS - 1))
    span = (day - start).days + 1
    if span <= 0:
        return None, None, None
    done = figures.activity_total(status.layanan, start, day, kecamatan, engine, status.kabupaten_kode)
    return float(done) / span, span, start.date()


def _reported(day: dt.date, kecamatan: str | None, engine, kabupaten: str | None = None) -> bool:
    """Any registry figure for the area by `day`; for a kecamatan, residents wajib KTP in it
    (the table of every kecamatan asks its trends the same: `Trends.reported`)."""
    total = figures.coverage_total(day, kecamatan, engine, kabupaten)
    return total.tanggal is not None if kecamatan is None else total.wajib_ktp > 0


def _counted_from(status: figures.ProgrammeStatus, change: figures.Change | None, first: dt.date | None) -> dt.date:
    """Where the achievement starts: the programme's start, or — for a registry-based target
    whose first registry date (`first`) comes after the start — that first date (what was
    recorded in between is not in the data, so it cannot be counted). `change`: as for _pace;
    without a snapshot by the status's date (`change.sampai` None) it is the start."""
    if status.dasar != "registri" or change.sampai is None:
        return status.mulai
    return status.mulai if first <= status.mulai else first


def _top_partner(start: dt.date | None, end: dt.date, kecamatan: str | None, engine,
                 kabupaten: str | None = None) -> TopPartner | None:
    # The leaderboard's first row, from the sums alone: it does not need the villages reached
    # (nationally the leaderboard took 0.15 s, the sums 0.02 s). Ties go to the report's order,
    # as on the leaderboard.
    totals = figures.partner_totals(start, end, SERVICE, engine, kabupaten=kabupaten, kecamatan=kecamatan)
    grand = int(totals["jumlah"].sum())
    if grand <= 0:
        return None
    top = totals.iloc[int(totals["jumlah"].to_numpy().argmax())]  # the first of the largest
    return TopPartner(kode=str(top["kode"]), nama=str(top["nama"]), jumlah=int(top["jumlah"]),
                      porsi=int(top["jumlah"]) / grand, mulai=start, sampai=end)


def programme_verdict(program: str, service: str = SERVICE, as_of: figures.DateLike = None,
                      kecamatan: str | None = None, engine=None, with_partner: bool = True,
                      kabupaten: str | None = None) -> Verdict:
    """The verdict for one programme target (service, area) on `as_of` (default: newest data).
    The area is a kecamatan, else the regency `kabupaten`, else the whole store.
    `with_partner=False` leaves out the top partner (tables of many targets do not show it)."""
    kabupaten = None if kecamatan is not None else kabupaten  # a kecamatan names its regency
    day = _day(as_of, engine)
    fresh = figures.freshness(engine)
    area = _area_name(kecamatan, engine, kabupaten=kabupaten)
    if day is None or not _reported(day, kecamatan, engine, kabupaten):
        return Verdict(program, service, kecamatan, area, day, "tanpa_data", contoh=fresh.contoh)
    status = figures.programme_status(program, service, kecamatan, day, engine, kabupaten=kabupaten)
    if status is None:
        since = day - dt.timedelta(days=FALLBACK_PERIOD_DAYS - 1)
        return Verdict(program, service, kecamatan, area, day, "tanpa_target",
                       mitra=_top_partner(since, day, kecamatan, engine, kabupaten) if with_partner else None,
                       mitra_mulai=since, contoh=fresh.contoh)
    change, first = None, None
    if status.dasar == "registri":
        trend = figures.recorded_trend(kecamatan, engine=engine, kabupaten=kabupaten)
        change = figures.recorded_change(status.tanggal, PACE_DAYS, kecamatan, engine, kabupaten=kabupaten)
        first = trend["tanggal"].iloc[0].date() if len(trend) else None
    return _judged(status, change, first, area, fresh.contoh, with_partner, engine)


def published_verdict(status: figures.ProgrammeStatus | None, trend: figures.Trend, area: str, day: dt.date,
                      contoh: bool, partner: TopPartner | None, partner_since: dt.date | None, engine) -> Verdict:
    """The regency's verdict from what the public page has published (bulukumba.disclosure):
    `status` counted on the published trend (figures.programme_on_trend), the pace read from that
    trend, `partner` the top of the published e-KTP leaderboard since `partner_since`. The same
    rules as `programme_verdict`; a figure it would read from a date whose regency figures were
    not published comes from the nearest published date, or is not shown."""
    if status is None:
        return Verdict(PROGRAM, SERVICE, None, area, day, "tanpa_target", mitra=partner,
                       mitra_mulai=partner_since, contoh=contoh, publik=True)
    change = figures.change_over(trend, status.tanggal, PACE_DAYS) if status.dasar == "registri" else None
    first = pd.Timestamp(trend.tanggal[0]).date() if len(trend.tanggal) else None
    return dataclasses.replace(_judged(status, change, first, area, contoh, False, engine, partner=partner),
                               publik=True)


def _judged(status: figures.ProgrammeStatus, change: figures.Change | None, first: dt.date | None, area: str,
            contoh: bool, with_partner: bool, engine, partner: TopPartner | None = None) -> Verdict:
    """The verdict on a target's status. For a registry-based target, `change`: the area's
    recorded change over the last 28 days up to the status's date; `first`: its first registry
    date (see _pace and _counted_from). `partner`: the top partner when the caller has it."""
    program, service, kecamatan = status.program, status.layanan, status.kecamatan_kode
    pace, pace_days, pace_since = _pace(status, change, kecamatan, engine)
    counted_from = _counted_from(status, change, first)
    projected, late = None, None
    if status.tanggal < status.mulai:
        state = "belum_mulai"
    elif status.sisa == 0:
        state = "tercapai"
        projected = status.tanggal
    elif status.tanggal >= status.selesai:
        state = "tidak_tercapai"
    elif pace is None:
        state = "belum_ada_laju"
    elif pace <= 0:
        state = "tanpa_kemajuan"
    else:
        projected = status.tanggal + dt.timedelta(days=math.ceil(status.sisa / pace))
        late = (projected - status.selesai).days
        state = "terlambat" if late > 0 else "tepat_waktu"
    return Verdict(
        program, service, kecamatan, area, status.tanggal, state, target=status.target,
        capaian=status.capaian, sisa=status.sisa, mulai=status.mulai, selesai=status.selesai,
        dasar=status.dasar, perlu_per_hari=status.laju_perlu, laju=pace, laju_hari=pace_days,
        laju_dari=pace_since, proyeksi_selesai=projected,
        terlambat_hari=late if state == "terlambat" else None, capaian_sejak=counted_from,
        mitra=_top_partner(status.mulai, status.tanggal, kecamatan, engine, status.kabupaten_kode)
        if with_partner else partner,
        mitra_mulai=status.mulai,
        contoh=contoh)


def gertak_verdict(as_of: figures.DateLike = None, kecamatan: str | None = None, engine=None,
                   kabupaten: str | None = None) -> Verdict:
    """GERTAK 2018's e-KTP recording verdict for one kecamatan, else the regency `kabupaten`,
    else the whole store, on `as_of`."""
    return programme_verdict(PROGRAM, SERVICE, as_of, kecamatan, engine, kabupaten=kabupaten)


def programme_verdicts(program: str, by: str, as_of: figures.DateLike = None, engine=None,
                       kabupaten: str | None = None) -> list[Verdict]:
    """The verdict of every target `figures.programme_statuses` lists (per service, or per
    kecamatan; of one regency, or the whole store), in its order, without the top partner: the
    GERTAK page's tables and the download use these. Each is what `programme_verdict` gives for
    that target; per kecamatan they are judged from one set of trends (`figures.kecamatan_trends`), not
    three queries per kecamatan (7,200 kecamatan: 169 s)."""
    statuses = figures.programme_statuses(program, by, as_of, engine, kabupaten)
    if by != "kecamatan":
        return [programme_verdict(program, s.layanan, as_of, s.kecamatan_kode, engine, with_partner=False,
                                  kabupaten=kabupaten) for s in statuses]
    day = _day(as_of, engine)
    contoh = figures.freshness(engine).contoh
    names = figures.kecamatan_names(engine, kabupaten)
    if day is None:
        return [Verdict(program, s.layanan, s.kecamatan_kode, _area_name(s.kecamatan_kode, engine, names), day,
                        "tanpa_data", contoh=contoh) for s in statuses]
    reported = _with_figures(statuses, day, engine, kabupaten)
    trends = figures.kecamatan_trends(engine, kabupaten)
    # Every registry-based target's recent change and first registry date, in one pass.
    registry = [s for s in statuses if s.dasar == "registri"]
    numbers = trends.numbers([s.kecamatan_kode for s in registry])
    changes = trends.changes(numbers, figures.day_numbers([s.tanggal for s in registry]), PACE_DAYS)
    firsts = trends.dates(trends.first_row(numbers))
    per_target = {s.kecamatan_kode: (c, f) for s, c, f in zip(registry, changes, firsts)}
    verdicts = []
    for status, has_figures in zip(statuses, reported):
        code = status.kecamatan_kode
        area = _area_name(code, engine, names)
        if not has_figures:
            verdicts.append(Verdict(program, status.layanan, code, area, day, "tanpa_data", contoh=contoh))
        else:
            change, first = per_target.get(code, (None, None))
            verdicts.append(_judged(status, change, first, area, contoh, False, engine))
    return verdicts


def _with_figures(statuses: list[figures.ProgrammeStatus], day: dt.date, engine, kabupaten: str | None) -> list[bool]:
    """Whether each kecamatan target's kecamatan has residents wajib KTP by `day` (else its verdict
    is "belum ada data"). Read from the trends the statuses came from, not from coverage_kecamatan
    (nationally 0.10-0.13 s for a column of 7,200 numbers)."""
    trends = figures.kecamatan_trends(engine, kabupaten)
    numbers = trends.numbers([s.kecamatan_kode for s in statuses])
    return trends.reported(numbers, figures.day_numbers([day] * len(statuses))).tolist()


def statuses_with_figures(program: str, as_of: figures.DateLike = None, engine=None,
                          kabupaten: str | None = None) -> list[figures.ProgrammeStatus]:
    """The per-kecamatan statuses whose kecamatan has figures by the day, in their order: the
    targets `programme_verdicts` judges and gives a target to, not judged. The GERTAK page's chart
    of every kecamatan draws these (achievement against the target's path; no pace, no badge):
    nationally, judging 7,200 kecamatan it does not show cost 0.2-0.3 s of the page."""
    day = _day(as_of, engine)
    if day is None:
        return []
    statuses = figures.programme_statuses(program, "kecamatan", as_of, engine, kabupaten)
    return [s for s, has_figures in zip(statuses, _with_figures(statuses, day, engine, kabupaten)) if has_figures]


def _area_name(kecamatan: str | None, engine, names: dict[str, str] | None = None,
               kabupaten: str | None = None) -> str:
    """'Kecamatan Kajang', 'Kabupaten Bulukumba': names from the store."""
    if kecamatan is None:
        return figures.region_label(None, kabupaten, engine=engine)
    names = names if names is not None else figures.kecamatan_names(engine)
    return f"Kecamatan {names.get(kecamatan, kecamatan)}"


#: How the pace is measured, in one sentence for captions.
PACE_NOTE = ("untuk perekaman e-KTP, kenaikan sudah rekam antara data terbaru dan data sekitar 28 hari "
             "sebelumnya (lebih pendek bila data baru ada sejak itu), dibagi jumlah harinya, kosong bila "
             "baru ada satu tanggal data; untuk layanan lain, layanan yang dicatat mitra dalam 28 hari "
             "terakhir, per hari.")
