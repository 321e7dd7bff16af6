"""Recorded trends as arrays: what a change, a programme status or a verdict reads from them.

`recorded_trend` (coverage.py) is a frame, for charts. The GERTAK page and the download judge
every kecamatan on one date (7,200 of them nationally), so their trends come as one set of arrays
(`Trends`, from one query) and each look-up, "the newest snapshot on or before a day", is one
vectorised search for all of them at once. One trend is a `Trends` of one, so a kecamatan's own
strip and the table of every kecamatan read their change through the same code.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bulukumba.figures.core import DateLike, shares, ts

#: A search key is (trend number) * _GROUP + (day number + _OFFSET): one sorted array holds every
#: trend's dates, and a day of one trend never reaches into the next.
_GROUP = 2 ** 32
_OFFSET = 2 ** 31
#: The day number that stands for "no limit" (an as-of date of None).
ALWAYS = _OFFSET - 1


def day_numbers(values) -> np.ndarray:
    """Days since 1970-01-01 (int64) of dates or datetimes (array-like)."""
    return np.asarray(values, dtype="datetime64[ns]").astype("datetime64[D]").astype("int64")


def day_number(value: DateLike) -> int:
    """One date as a day number; None: ALWAYS."""
    return ALWAYS if value is None else int(day_numbers([ts(value)])[0])


@dataclass(frozen=True)
class Change:
    days: int                    # the window asked for
    sudah_rekam: int | None      # rise in recorded residents; None: no comparison snapshot
    cakupan_poin: float | None   # change in coverage, in percentage points; None likewise
    dari: dt.date | None = None  # the comparison snapshot (a real snapshot date)
    sampai: dt.date | None = None  # the snapshot compared with it (newest on or before as_of)

    @property
    def ada(self) -> bool:
        """A comparison snapshot exists, so there is a change to show."""
        return self.sudah_rekam is not None

    @property
    def hari(self) -> int | None:
        """Days actually between the two snapshots (may differ from `days`)."""
        return (self.sampai - self.dari).days if self.dari and self.sampai else None


@dataclass(frozen=True)
class Trend:
    """One recorded trend as arrays, dates ascending."""
    tanggal: np.ndarray      # datetime64[ns]
    sudah_rekam: np.ndarray  # int64, recorded residents on each date
    cakupan: np.ndarray      # float64, coverage on each date (NaN where no one is wajib KTP)
    wajib_ktp: np.ndarray    # int64, residents wajib KTP on each date

    @classmethod
    def of(cls, trend: pd.DataFrame) -> "Trend":
        """From `recorded_trend`'s frame."""
        return cls(trend["tanggal"].to_numpy(dtype="datetime64[ns]"), trend["sudah_rekam"].to_numpy(dtype="int64"),
                   trend["cakupan"].to_numpy(dtype="float64"), trend["wajib_ktp"].to_numpy(dtype="int64"))


@dataclass(frozen=True, eq=False)
class Trends:
    """Many recorded trends (one per kecamatan) in one set of arrays: rows by kecamatan, then date.

    Trend i is rows bounds[i]:bounds[i+1]. Reads like a dictionary of `Trend` by code (`get`,
    `items`); the vectorised look-ups take trend numbers (`numbers`)."""
    kode: np.ndarray         # object, ascending and distinct
    bounds: np.ndarray       # int64, len(kode) + 1
    tanggal: np.ndarray      # datetime64[ns]
    sudah_rekam: np.ndarray  # int64
    cakupan: np.ndarray      # float64
    wajib_ktp: np.ndarray    # int64
    _keys: np.ndarray = field(init=False, repr=False)
    _days: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        days = day_numbers(self.tanggal)
        sizes = np.diff(self.bounds)
        number = np.repeat(np.arange(len(self.kode), dtype="int64"), sizes)
        object.__setattr__(self, "_days", days)
        object.__setattr__(self, "_keys", _key(number, days))

    @classmethod
    def of_changes(cls, codes: np.ndarray, hari: np.ndarray, d_wajib: np.ndarray, d_rekam: np.ndarray) -> "Trends":
        """From per-date changes (summaries.ringkas_registri's rows: code, day number, changes), in
        any order: each trend's totals are the running sums of its changes. Rows are ordered by
        the search key itself (trend number in code order, then day), so no array of codes is
        compared or reordered."""
        numbers, kode = pd.factorize(codes, sort=True)
        order = np.argsort(_key(numbers.astype("int64"), np.asarray(hari, dtype="int64")), kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(numbers, minlength=len(kode)))].astype("int64")
        wajib, recorded = (_running_sums(np.asarray(changes, dtype="int64")[order], bounds)
                           for changes in (d_wajib, d_rekam))
        tanggal = np.asarray(hari, dtype="int64")[order].astype("datetime64[D]").astype("datetime64[ns]")
        return cls(np.asarray(kode, dtype=object), bounds, tanggal, recorded, shares(recorded, wajib), wajib)

    @classmethod
    def one(cls, trend: Trend) -> "Trends":
        return cls(np.array([None], dtype=object), np.array([0, len(trend.tanggal)], dtype="int64"),
                   trend.tanggal, trend.sudah_rekam, trend.cakupan, trend.wajib_ktp)

    # --- like a dictionary of Trend ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.kode)

    def __contains__(self, code) -> bool:
        return self.numbers([code])[0] >= 0

    def get(self, code, default: Trend | None = None) -> Trend | None:
        found = self.numbers([code])[0]
        return default if found < 0 else self._trend(found)

    def _trend(self, i: int) -> Trend:
        a, b = self.bounds[i], self.bounds[i + 1]
        return Trend(self.tanggal[a:b], self.sudah_rekam[a:b], self.cakupan[a:b], self.wajib_ktp[a:b])

    def items(self):
        for i, code in enumerate(self.kode):
            yield code, self._trend(i)

    # --- vectorised look-ups ----------------------------------------------------------------------
    def numbers(self, codes) -> np.ndarray:
        """The trend number of each code (-1: no trend)."""
        codes = np.asarray(codes, dtype=object)
        if not len(self.kode):
            return np.full(len(codes), -1, dtype="int64")
        at = np.searchsorted(self.kode, codes)
        found = at < len(self.kode)
        found[found] = self.kode[at[found]] == codes[found]
        return np.where(found, at, -1).astype("int64")

    def first_row(self, numbers: np.ndarray) -> np.ndarray:
        """Each trend's first row (-1: no trend, or an empty one)."""
        safe = np.maximum(numbers, 0)
        start = self.bounds[safe]
        return np.where((numbers >= 0) & (start < self.bounds[safe + 1]), start, -1)

    def last_on_or_before(self, numbers: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Each trend's row of its newest date on or before the day number (-1: none)."""
        numbers = np.asarray(numbers, dtype="int64")
        found = np.searchsorted(self._keys, _key(numbers, np.asarray(days, dtype="int64")), side="right") - 1
        return np.where((numbers >= 0) & (found >= self.bounds[np.maximum(numbers, 0)]), found, -1)

    def reported(self, numbers: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Whether each trend has residents wajib KTP on its newest date on or before the day
        number: what `coverage_kecamatan`'s wajib_ktp > 0 says, without reading that table."""
        rows = self.last_on_or_before(numbers, days)
        if not len(self.wajib_ktp):
            return np.zeros(len(rows), dtype=bool)
        return (rows >= 0) & (self.wajib_ktp[np.maximum(rows, 0)] > 0)

    def day_of(self, rows: np.ndarray) -> np.ndarray:
        """Day numbers of rows (rows of -1 give ALWAYS + 1: after any day)."""
        if not len(self._days):
            return np.full(len(rows), ALWAYS + 1, dtype="int64")
        return np.where(rows >= 0, self._days[np.maximum(rows, 0)], ALWAYS + 1)

    def dates(self, rows: np.ndarray) -> list[dt.date | None]:
        """The dates of rows (None for -1)."""
        if not len(self.tanggal):
            return [None] * len(rows)
        found = self.tanggal.astype("datetime64[D]")[np.maximum(rows, 0)].tolist()
        return [d if r >= 0 else None for d, r in zip(found, rows.tolist())]

    def changes(self, numbers: np.ndarray, as_of: np.ndarray, days: int) -> list[Change]:
        """`recorded_change` of each trend up to its as-of day number (see there): the newest
        snapshot on or before it, against the earlier snapshot nearest to `days` before that
        one (the older of two equally near)."""
        numbers = np.asarray(numbers, dtype="int64")
        now = self.last_on_or_before(numbers, as_of)
        first = self.first_row(numbers)
        compared = (now >= 0) & (now > first)
        aim = self.day_of(now) - days
        # Dates are ascending and distinct, so the nearest is the last on or before the aim or
        # the one after it (still before now); with none on or before the aim, the first.
        low = np.minimum(self.last_on_or_before(numbers, aim), now - 1)
        high = low + 1
        high_nearer = (low >= 0) & (high < now) & (np.abs(self.day_of(high) - aim) < np.abs(aim - self.day_of(low)))
        before = np.where(low < 0, first, np.where(high_nearer, high, low))
        before = np.where(compared, before, -1)
        recorded = self.sudah_rekam[np.maximum(now, 0)] - self.sudah_rekam[np.maximum(before, 0)] \
            if len(self.sudah_rekam) else np.zeros(len(numbers), dtype="int64")
        points = (self.cakupan[np.maximum(now, 0)] - self.cakupan[np.maximum(before, 0)]) * 100 \
            if len(self.cakupan) else np.zeros(len(numbers))
        out = []
        for has_now, has_before, rise, point, since, until in zip(
                (now >= 0).tolist(), compared.tolist(), recorded.tolist(), points.tolist(),
                self.dates(before), self.dates(now)):
            if not has_now:
                out.append(Change(days, None, None))
            elif not has_before:
                out.append(Change(days, None, None, None, until))
            else:
                out.append(Change(days, int(rise), float(point), since, until))
        return out


def _key(numbers: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The search key of (trend number, day number) pairs (see _GROUP)."""
    return numbers * _GROUP + days + _OFFSET


def _running_sums(changes: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Running sums within each trend (rows bounds[i]:bounds[i+1]): the running sum of all rows
    less what the rows before the trend add up to."""
    running = np.cumsum(changes)
    before = running[bounds[:-1]] - changes[bounds[:-1]]
    return running - np.repeat(before, np.diff(bounds))


def change_over(trend: Trend, as_of: DateLike, days: int) -> Change:
    """`recorded_change` of a trend already read (see there)."""
    return Trends.one(trend).changes(np.array([0]), np.array([day_number(as_of)]), days)[0]
