"""Programmes and targets: achieved against the target path, pace, projected finish.

Where each number comes from: for a target on the basis `registri`, the rise in recorded
residents since the programme's start (its baseline is the total on the latest snapshot date on
or before the start; with none before, the first one after); for `kegiatan_mitra`, the partner
activity of that service since the start. A target belongs to a kecamatan, a regency
(`kabupaten_kode`), or — both empty — to everything the store holds.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bulukumba.storage import store, summaries
from bulukumba.figures.activity import activity_filters, summary_filters
from bulukumba.figures.core import DateLike, active, fetch, first_row, memoised, total, ts, where
from bulukumba.figures.coverage import kecamatan_trends, latest_date, recorded_trend
from bulukumba.figures.trends import Trends, day_number, day_numbers

T, K = store.target, store.kegiatan


@memoised
def targets(program: str | None = None, engine: sa.Engine | None = None) -> pd.DataFrame:
    """Active targets, oldest first: id, program, layanan, kecamatan_kode (None: regency or
    store), nilai, mulai, selesai, dasar, kabupaten_kode."""
    query = where(sa.select(T.c.id, T.c.program, T.c.layanan, T.c.kecamatan_kode, T.c.nilai, T.c.mulai,
                            T.c.selesai, T.c.dasar, T.c.kabupaten_kode).order_by(T.c.id),
                  active(T.c.impor_id), T.c.program == program if program is not None else None)
    frame = fetch(engine, query, dates=("mulai", "selesai"))
    frame["nilai"] = frame["nilai"].astype("int64")
    return frame


def _scope_rows(t: pd.DataFrame, kecamatan: str | None, kabupaten: str | None) -> pd.DataFrame:
    if kecamatan is not None:
        return t[t["kecamatan_kode"] == kecamatan]
    rows = t[t["kecamatan_kode"].isna()]
    if kabupaten is not None:
        return rows[rows["kabupaten_kode"] == kabupaten]
    return rows[rows["kabupaten_kode"].isna()]


def _target_row(program: str, service: str, kecamatan: str | None, kabupaten: str | None,
                engine) -> pd.Series | None:
    """When two active targets cover the same thing, the newest counts."""
    t = targets(program, engine)
    rows = _scope_rows(t[t["layanan"] == service], kecamatan, kabupaten)
    return None if rows.empty else rows.iloc[-1]


def _registry_achieved(trend: pd.DataFrame, start: pd.Timestamp) -> pd.Series:
    """Cumulative rise in recorded residents by date since `start` (index: dates)."""
    series = trend.set_index("tanggal")["sudah_rekam"]
    base = series[series.index <= start]
    baseline = base.iloc[-1] if len(base) else (series.iloc[0] if len(series) else 0)
    after = series[series.index >= start] - baseline
    return pd.concat([pd.Series({start: 0}), after]).groupby(level=0).last().astype("int64")


@memoised
def _activity_daily(service: str, start: DateLike, end: DateLike, kecamatan: str | None,
                    kabupaten: str | None, engine: sa.Engine | None = None) -> pd.DataFrame:
    """tanggal, jumlah: partner activity of one service per day in the period."""
    if kecamatan is None and kabupaten is None:  # the whole store: from the daily summary
        R = summaries.ringkas_kegiatan
        return fetch(engine, where(sa.select(R.c.tanggal, total(R.c.jumlah).label("jumlah"))
                                   .group_by(R.c.tanggal).order_by(R.c.tanggal),
                                   *summary_filters(start, end, service)), dates=("tanggal",))
    return fetch(engine, where(
        sa.select(K.c.tanggal, total(K.c.jumlah).label("jumlah")).group_by(K.c.tanggal).order_by(K.c.tanggal),
        *activity_filters(start, end, service, kecamatan, kabupaten)), dates=("tanggal",))


@memoised
def activity_total(service: str, start: DateLike, end: DateLike, kecamatan: str | None = None,
                   engine: sa.Engine | None = None, kabupaten: str | None = None) -> int:
    """Partner activity of one service in the period (every partner together): what a target
    counted from partner activity achieves, and its recent pace."""
    return int(_activity_daily(service, start, end, kecamatan, kabupaten, engine)["jumlah"].sum())


def _achieved_series(target: pd.Series, kecamatan: str | None, kabupaten: str | None, engine) -> pd.Series:
    """Cumulative achievement by date since the target's start (index: dates)."""
    start = target["mulai"]
    if target["dasar"] == "registri":
        return _registry_achieved(recorded_trend(kecamatan, engine=engine, kabupaten=kabupaten), start)
    daily = _activity_daily(target["layanan"], start, target["selesai"], kecamatan, kabupaten, engine)
    cumulative = daily.set_index("tanggal")["jumlah"].astype("int64").cumsum()
    return pd.concat([pd.Series({start: 0}), cumulative]).groupby(level=0).last().astype("int64")


def _value_on(series: pd.Series, when: pd.Timestamp) -> int:
    before = series[series.index <= when]
    return int(before.iloc[-1]) if len(before) else 0


def _registry_achieved_on(trends: Trends, numbers: np.ndarray, start: np.ndarray, when: np.ndarray) -> np.ndarray:
    """`_registry_achieved` read on a day, for many trends at once (day numbers, int64 arrays): the
    recorded total on the newest snapshot from `start` to `when`, less the baseline; 0 before
    the start or with no snapshot since."""
    if not len(trends.sudah_rekam):
        return np.zeros(len(numbers), dtype="int64")
    recorded = trends.sudah_rekam
    at_start, first = trends.last_on_or_before(numbers, start), trends.first_row(numbers)
    baseline = np.where(at_start >= 0, recorded[np.maximum(at_start, 0)],
                        np.where(first >= 0, recorded[np.maximum(first, 0)], 0))
    last = trends.last_on_or_before(numbers, when)
    counted = (when >= start) & (last >= 0) & (trends.day_of(last) >= start)
    return np.where(counted, recorded[np.maximum(last, 0)] - baseline, 0)


@memoised
def programme_progress(program: str, service: str = "rekam_ektp", kecamatan: str | None = None,
                       as_of: DateLike = None, engine: sa.Engine | None = None,
                       kabupaten: str | None = None) -> pd.DataFrame:
    """Progress over time against the target path: tanggal, capaian, target_jalur.

    The target path rises in a straight line from 0 on the start date to the target on the end
    date. Empty when no such target exists.
    """
    target = _target_row(program, service, kecamatan, kabupaten, engine)
    if target is None:
        return pd.DataFrame(columns=["tanggal", "capaian", "target_jalur"])
    return _progress(target, _achieved_series(target, kecamatan, kabupaten, engine), as_of)


def _progress(target: pd.Series, achieved: pd.Series, as_of: DateLike) -> pd.DataFrame:
    """`programme_progress` from the target's cumulative achievement series."""
    if as_of is not None:
        achieved = achieved[achieved.index <= ts(as_of)]
    achieved = achieved[achieved.index <= target["selesai"]]
    span = (target["selesai"] - target["mulai"]).days or 1
    elapsed = (achieved.index - target["mulai"]).days.to_numpy()
    path = np.round(target["nilai"] * np.clip(elapsed / span, 0, 1)).astype("int64")
    return pd.DataFrame({"tanggal": achieved.index, "capaian": achieved.to_numpy(dtype="int64"),
                         "target_jalur": path}).reset_index(drop=True)


@dataclass(frozen=True)
class ProgrammeStatus:
    program: str
    layanan: str
    kecamatan_kode: str | None
    dasar: str
    mulai: dt.date
    selesai: dt.date
    tanggal: dt.date          # the as-of date the figures are for
    target: int
    capaian: int
    persen: float             # 0..1 (may exceed 1)
    sisa: int                 # still to do (0 when done)
    laju_perlu: float | None  # per day needed from now to finish by `selesai` (None: deadline passed)
    laju_28: float            # per day over the last 28 days
    proyeksi_selesai: dt.date | None  # at the 28-day pace (None: pace is zero and work remains)
    kabupaten_kode: str | None = None

    @property
    def terlambat(self) -> bool:
        """True when the projected finishing date is after the deadline (or never)."""
        if self.sisa == 0:
            return False
        return self.proyeksi_selesai is None or self.proyeksi_selesai > self.selesai


def _asked_day(as_of: DateLike, engine) -> pd.Timestamp:
    """The day a status is asked for: `as_of`, or the newest data, or today on an empty store."""
    return ts(as_of) or ts(latest_date(engine)) or pd.Timestamp(dt.date.today())


def _status_day(target, as_of: DateLike, engine) -> dt.date:
    """The day a status is for: the asked day, no later than the deadline."""
    return min(_asked_day(as_of, engine), max(target["selesai"], target["mulai"])).date()


def _status(program: str, service: str, kecamatan: str | None, kabupaten: str | None, target,
            achieved: pd.Series, as_of: DateLike, engine) -> ProgrammeStatus:
    """`achieved`: the cumulative series (pd.Series by date)."""
    when = _status_day(target, as_of, engine)
    done = _value_on(achieved, pd.Timestamp(when))
    done_28_before = _value_on(achieved, pd.Timestamp(when - dt.timedelta(days=28)))
    return _status_of(program, service, kecamatan, kabupaten, target["dasar"], int(target["nilai"]),
                      target["mulai"].date(), target["selesai"].date(), when, done, done_28_before)


def _status_of(program: str, service: str, kecamatan: str | None, kabupaten: str | None, basis: str,
               value: int, start: dt.date, end: dt.date, when: dt.date, done: int,
               done_28_before: int) -> ProgrammeStatus:
    """The status on `when` from what was achieved by then and by 28 days before."""
    pace_28 = (done - done_28_before) / 28
    remaining = max(value - done, 0)
    days_left = (end - when).days
    needed = remaining / days_left if days_left > 0 else None
    if remaining == 0:
        projected = when
    elif pace_28 > 0:
        projected = when + dt.timedelta(days=math.ceil(remaining / pace_28))
    else:
        projected = None
    return ProgrammeStatus(
        program=program, layanan=service, kecamatan_kode=kecamatan, dasar=basis, mulai=start, selesai=end,
        tanggal=when, target=value, capaian=done, persen=done / value if value else 0.0, sisa=remaining,
        laju_perlu=needed, laju_28=pace_28, proyeksi_selesai=projected, kabupaten_kode=kabupaten)


@memoised
def programme_status(program: str, service: str = "rekam_ektp", kecamatan: str | None = None,
                     as_of: DateLike = None, engine: sa.Engine | None = None,
                     kabupaten: str | None = None) -> ProgrammeStatus | None:
    """Achieved, remaining, pace needed against the last 28 days' pace, projected finish."""
    target = _target_row(program, service, kecamatan, kabupaten, engine)
    if target is None:
        return None
    achieved = _achieved_series(target, kecamatan, kabupaten, engine)
    return _status(program, service, kecamatan, kabupaten, target, achieved, as_of, engine)


def programme_on_trend(trend: pd.DataFrame, program: str, service: str = "rekam_ektp", as_of: DateLike = None,
             engine: sa.Engine | None = None,
             kabupaten: str | None = None) -> tuple[ProgrammeStatus | None, pd.DataFrame]:
    """`programme_status` and `programme_progress` of a regency's (or the store's) target, a
    registry-based one counted on `trend` (a frame as `recorded_trend` gives, such as the trend
    the public page has published: bulukumba.disclosure) instead of the store's figures; one
    counted from partner activity as those count it. (None, empty) without a target."""
    target = _target_row(program, service, None, kabupaten, engine)
    if target is None:
        return None, pd.DataFrame(columns=["tanggal", "capaian", "target_jalur"])
    achieved = (_registry_achieved(trend, target["mulai"]) if target["dasar"] == "registri"
                else _achieved_series(target, None, kabupaten, engine))
    return (_status(program, service, None, kabupaten, target, achieved, as_of, engine),
            _progress(target, achieved, as_of))


@memoised
def programme_targets(program: str, by: str, engine: sa.Engine | None = None,
                      kabupaten: str | None = None) -> pd.DataFrame:
    """The targets `programme_statuses` judges, one row each and in its order (rows of
    `targets`): per service the store-wide (or regency) one, or per kecamatan its e-KTP
    recording one; the newest where two cover the same thing."""
    if by == "layanan":
        rows = [_target_row(program, service, None, kabupaten, engine) for service in store.SERVICES]
        found = [row for row in rows if row is not None]
        return pd.DataFrame(found) if found else targets(program, engine).head(0)
    if by != "kecamatan":
        raise ValueError(f"by must be 'layanan' or 'kecamatan', not {by!r}")
    t = targets(program, engine)
    t = t[(t["layanan"] == "rekam_ektp") & t["kecamatan_kode"].notna()]
    if kabupaten is not None:
        codes = set(fetch(engine, sa.select(store.kecamatan.c.kode)
                          .where(store.kecamatan.c.kabupaten_kode == kabupaten))["kode"])
        t = t[t["kecamatan_kode"].isin(codes)]
    return t.drop_duplicates("kecamatan_kode", keep="last").sort_values("kecamatan_kode").reset_index(drop=True)


@memoised
def programme_statuses(program: str, by: str, as_of: DateLike = None, engine: sa.Engine | None = None,
                       kabupaten: str | None = None) -> list[ProgrammeStatus]:
    """Every store-wide (or regency) target's status per service (`by="layanan"`), or every
    kecamatan's e-KTP recording target (`by="kecamatan"`), in a stable order.

    By kecamatan, the recorded totals of every kecamatan with a target come from one query
    (`kecamatan_trends`), not one query per kecamatan."""
    if by == "layanan":
        statuses = (programme_status(program, service, None, as_of, engine, kabupaten) for service in store.SERVICES)
        return [s for s in statuses if s is not None]
    newest = programme_targets(program, by, engine, kabupaten)
    if newest.empty:
        return []
    registry = newest[newest["dasar"] == "registri"]
    statuses = dict(zip(registry["kecamatan_kode"], _registry_statuses(program, registry, as_of, engine, kabupaten)))
    for target in newest[newest["dasar"] != "registri"].to_dict("records"):
        code = target["kecamatan_kode"]
        achieved = _achieved_series(pd.Series(target), code, None, engine)
        statuses[code] = _status(program, "rekam_ektp", code, None, target, achieved, as_of, engine)
    return [statuses[code] for code in newest["kecamatan_kode"]]


def _registry_statuses(program: str, targets_: pd.DataFrame, as_of: DateLike, engine,
                       kabupaten: str | None) -> list[ProgrammeStatus]:
    """The status of each registry-based kecamatan target (rows of `targets`), all at once: every
    kecamatan's recorded trend from one query, each look-up one search for all of them
    (7,200 kecamatan: what took 0.4 s one by one is a few milliseconds)."""
    if targets_.empty:
        return []
    trends = kecamatan_trends(engine, kabupaten)
    numbers = trends.numbers(targets_["kecamatan_kode"].to_numpy(dtype=object))
    start = day_numbers(targets_["mulai"])
    end = day_numbers(targets_["selesai"])
    when = np.minimum(day_number(_asked_day(as_of, engine)), np.maximum(end, start))  # as _status_day
    done = _registry_achieved_on(trends, numbers, start, when)
    done_28_before = _registry_achieved_on(trends, numbers, start, when - 28)
    dates = [np.array(days, dtype="datetime64[D]").tolist() for days in (start, end, when)]
    return [_status_of(program, "rekam_ektp", code, None, "registri", value, *days, now, before)
            for code, value, *days, now, before in zip(
                targets_["kecamatan_kode"], targets_["nilai"].astype("int64").tolist(), *dates,
                done.tolist(), done_28_before.tolist())]


@memoised
def programme_period(program: str, engine: sa.Engine | None = None) -> tuple[dt.date, dt.date] | None:
    """(start, end) of a programme: the earliest start and latest end among its active targets."""
    row = first_row(engine, sa.select(sa.func.min(T.c.mulai), sa.func.max(T.c.selesai))
                    .where(active(T.c.impor_id), T.c.program == program))
    if row is None or row[0] is None:
        return None
    return row[0], row[1]


@memoised
def partner_programme_part(partner: str, engine: sa.Engine | None = None) -> pd.DataFrame:
    """A partner's part of each programme: for every active target of a regency or the store
    (not a kecamatan's), what the partner's counted activity of that service in the target's
    period comes to. program, layanan, nilai, mulai, selesai, jumlah."""
    from bulukumba.figures.activity import K

    t = targets(engine=engine)
    t = t[t["kecamatan_kode"].isna()].reset_index(drop=True)
    amounts = []
    for row in t.itertuples():
        query = sa.select(total(K.c.jumlah)).where(
            K.c.mitra_kode == partner, K.c.layanan == row.layanan, active(K.c.impor_id),
            K.c.tanggal >= row.mulai.date(), K.c.tanggal <= row.selesai.date())
        amounts.append(int(fetch(engine, query).iloc[0, 0]))
    t["jumlah"] = pd.Series(amounts, dtype="int64")
    return t[["program", "layanan", "nilai", "mulai", "selesai", "jumlah"]]
