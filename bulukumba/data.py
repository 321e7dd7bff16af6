"""The data module: the only way pages read figures.

Every function returns a pandas DataFrame or a small record, computed from the rows of active
import batches. The raw tables are read once per data version (a counter the store bumps in the
same transaction as every write) and kept in memory, so a call costs a version check plus a
little pandas work; a write in any process makes the next call read fresh rows.

Where each number comes from:
- wajib KTP, recorded (sudah rekam): a village's latest registry snapshot on or before the date;
  unrecorded (belum rekam) = wajib KTP - recorded, never stored; coverage = recorded / wajib KTP;
  kecamatan and regency figures are sums over their villages;
- partner figures: sums of partner activity rows in the period;
- programme progress: for a target on the basis `registri`, the rise in recorded residents since
  the programme's start (its baseline is the latest snapshot on or before the start date); for
  `kegiatan_mitra`, the partner activity of that service since the start.
"""
from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from . import store
from .regions import distance_km

DateLike = dt.date | str | pd.Timestamp | None


@dataclass(frozen=True)
class Tables:
    """The active rows of every table, as read for one data version."""
    version: int
    desa: pd.DataFrame
    mitra: pd.DataFrame
    registri: pd.DataFrame
    kegiatan: pd.DataFrame
    target: pd.DataFrame
    impor: pd.DataFrame
    #: Results of the public functions below for this version, so a rerun that asks the same
    #: question again costs a dictionary look-up; a new version starts with an empty memo.
    memo: dict = field(default_factory=dict, compare=False, repr=False)


_cache: dict[str, Tables] = {}
_lock = threading.Lock()


def _engine(engine: sa.Engine | None) -> sa.Engine:
    return engine or store.default_engine()


def data_version(engine: sa.Engine | None = None) -> int:
    """Cheap number that changes after every write; key caches on it."""
    with _engine(engine).connect() as conn:
        return store.data_version(conn)


def tables(engine: sa.Engine | None = None) -> Tables:
    """All active rows, read once per data version."""
    engine = _engine(engine)
    key = str(engine.url)
    version = data_version(engine)
    cached = _cache.get(key)
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached.version != version:
            cached = _read_tables(engine)
            _cache[key] = cached
    return cached


def _frame(conn: sa.Connection, query: sa.Select, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    result = conn.execute(query)
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _read_tables(engine: sa.Engine) -> Tables:
    active = store.active_batches()
    with engine.connect() as conn:
        # Read in one transaction-consistent pass; the version read here is the one we key on.
        version = store.data_version(conn)
        desa = _frame(conn, sa.select(
            store.desa.c.kode, store.desa.c.nama, store.desa.c.jenis, store.desa.c.kecamatan_kode,
            store.kecamatan.c.nama.label("kecamatan_nama"), store.desa.c.lat, store.desa.c.lng,
            store.desa.c.luas_km2,
        ).join(store.kecamatan).order_by(store.desa.c.kode))
        mitra = _frame(conn, sa.select(store.mitra).order_by(store.mitra.c.urutan))
        registri = _frame(conn, sa.select(
            store.registri.c.desa_kode, store.registri.c.tanggal, store.registri.c.wajib_ktp,
            store.registri.c.sudah_rekam, store.registri.c.impor_id,
        ).where(store.registri.c.impor_id.in_(active)), dates=("tanggal",))
        kegiatan = _frame(conn, sa.select(store.kegiatan).where(
            store.kegiatan.c.impor_id.in_(active)), dates=("tanggal",))
        # Ordered by id: when two active targets cover the same thing, the newest counts.
        target = _frame(conn, sa.select(store.target).where(
            store.target.c.impor_id.in_(active)).order_by(store.target.c.id), dates=("mulai", "selesai"))
        impor = _frame(conn, sa.select(store.impor).order_by(store.impor.c.id))
    # When two batches hold the same village and date, the later batch wins.
    registri = (registri.sort_values(["desa_kode", "tanggal", "impor_id"])
                .drop_duplicates(["desa_kode", "tanggal"], keep="last").reset_index(drop=True))
    for frame, columns in ((registri, ("wajib_ktp", "sudah_rekam")), (kegiatan, ("jumlah",)),
                           (target, ("nilai",))):
        for column in columns:
            frame[column] = frame[column].astype("int64")
    return Tables(version, desa, mitra, registri, kegiatan, target, impor)


def memoised(func):
    """Remember `func`'s result per data version and arguments (callers get their own copy)."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        engine = bound.arguments.get("engine")
        key = (func.__name__, *((k, _key(v)) for k, v in bound.arguments.items() if k != "engine"))
        memo = tables(engine).memo
        if key not in memo:
            memo[key] = func(*bound.args, **bound.kwargs)
        result = memo[key]
        return result.copy() if isinstance(result, pd.DataFrame) else result

    return wrapper


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _key(value):
    """A date asked as date(2018, 6, 30), a Timestamp or '2018-06-30' is the same question."""
    if isinstance(value, (dt.date, pd.Timestamp)) and not pd.isna(value):
        return pd.Timestamp(value).normalize()
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return pd.Timestamp(value)
    return value


def _ts(value: DateLike) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value).normalize()


def _villages_in(t: Tables, kecamatan: str | None) -> pd.DataFrame:
    return t.desa if kecamatan is None else t.desa[t.desa["kecamatan_kode"] == kecamatan]


def _add_shares(frame: pd.DataFrame) -> pd.DataFrame:
    frame["belum_rekam"] = frame["wajib_ktp"] - frame["sudah_rekam"]
    wajib = frame["wajib_ktp"].astype("float64")
    frame["cakupan"] = (frame["sudah_rekam"].astype("float64") / wajib).where(wajib > 0)
    return frame


# ---------------------------------------------------------------------------------------------
# Coverage
# ---------------------------------------------------------------------------------------------

@memoised
def latest_date(engine: sa.Engine | None = None) -> dt.date | None:
    """The newest registry snapshot date, or None on an empty store."""
    t = tables(engine)
    return None if t.registri.empty else t.registri["tanggal"].max().date()


@memoised
def coverage_villages(as_of: DateLike = None, kecamatan: str | None = None,
                      engine: sa.Engine | None = None) -> pd.DataFrame:
    """Every village with its latest snapshot on or before `as_of` (default: the newest).

    Columns: kode, nama, jenis, kecamatan_kode, kecamatan_nama, lat, lng, luas_km2, tanggal
    (the snapshot used), wajib_ktp, sudah_rekam, belum_rekam, cakupan (0..1). A village without
    a snapshot yet keeps its row with empty figures.
    """
    t = tables(engine)
    villages = _villages_in(t, kecamatan)
    snap = t.registri
    if as_of is not None:
        snap = snap[snap["tanggal"] <= _ts(as_of)]
    latest = snap.drop_duplicates("desa_kode", keep="last")  # rows are sorted by date
    merged = villages.merge(
        latest.drop(columns="impor_id").rename(columns={"desa_kode": "kode"}), on="kode", how="left")
    for column in ("wajib_ktp", "sudah_rekam"):
        merged[column] = merged[column].astype("Int64")
    return _add_shares(merged).reset_index(drop=True)


@memoised
def coverage_kecamatan(as_of: DateLike = None, engine: sa.Engine | None = None) -> pd.DataFrame:
    """Per kecamatan: kode, nama, desa (villages), wajib_ktp, sudah_rekam, belum_rekam, cakupan."""
    villages = coverage_villages(as_of, engine=engine)
    grouped = villages.groupby(["kecamatan_kode", "kecamatan_nama"], as_index=False).agg(
        desa=("kode", "size"), wajib_ktp=("wajib_ktp", "sum"), sudah_rekam=("sudah_rekam", "sum"))
    grouped = grouped.rename(columns={"kecamatan_kode": "kode", "kecamatan_nama": "nama"})
    return _add_shares(grouped)


@dataclass(frozen=True)
class Coverage:
    """Figures for the regency or one kecamatan on a date."""
    tanggal: dt.date | None  # the newest snapshot that went into the figures
    wajib_ktp: int
    sudah_rekam: int
    belum_rekam: int
    cakupan: float | None  # 0..1


@memoised
def coverage_total(as_of: DateLike = None, kecamatan: str | None = None,
                   engine: sa.Engine | None = None) -> Coverage:
    """Regency totals (or one kecamatan's) on `as_of`: the sum over its villages."""
    villages = coverage_villages(as_of, kecamatan, engine)
    wajib = int(villages["wajib_ktp"].sum())
    rekam = int(villages["sudah_rekam"].sum())
    newest = villages["tanggal"].max()
    return Coverage(
        tanggal=None if pd.isna(newest) else newest.date(), wajib_ktp=wajib, sudah_rekam=rekam,
        belum_rekam=wajib - rekam, cakupan=(rekam / wajib) if wajib else None)


@memoised
def recorded_trend(kecamatan: str | None = None, start: DateLike = None, end: DateLike = None,
                   engine: sa.Engine | None = None) -> pd.DataFrame:
    """Totals on every snapshot date: tanggal, wajib_ktp, sudah_rekam, belum_rekam, cakupan.

    On each date a village counts with its latest snapshot so far, so villages reported on
    different days still add up.
    """
    t = tables(engine)
    snap = t.registri
    if kecamatan is not None:
        snap = snap[snap["desa_kode"].isin(_villages_in(t, kecamatan)["kode"])]
    if snap.empty:
        return _add_shares(pd.DataFrame({"tanggal": pd.Series(dtype="datetime64[ns]"),
                                         "wajib_ktp": pd.Series(dtype="int64"),
                                         "sudah_rekam": pd.Series(dtype="int64")}))
    totals = {}
    for column in ("wajib_ktp", "sudah_rekam"):
        wide = snap.pivot(index="tanggal", columns="desa_kode", values=column).ffill()
        totals[column] = wide.sum(axis=1).astype("int64")
    trend = pd.DataFrame(totals).reset_index()
    if start is not None:
        trend = trend[trend["tanggal"] >= _ts(start)]
    if end is not None:
        trend = trend[trend["tanggal"] <= _ts(end)]
    return _add_shares(trend.reset_index(drop=True))


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


@memoised
def recorded_change(as_of: DateLike = None, days: int = 7, kecamatan: str | None = None,
                    engine: sa.Engine | None = None) -> Change:
    """How much recorded residents and coverage moved up to the newest snapshot on or before
    `as_of`, compared with a real earlier snapshot: two points of `recorded_trend`.

    The comparison snapshot is the earlier one nearest to `days` before (the older of two equally
    near); when the data begin later, that is the first snapshot, so `hari`, the span actually
    measured, can differ from `days` and pages state `hari`. With a
    single snapshot there is nothing to compare: `sudah_rekam` and `cakupan_poin` are None
    (`ada` is False) and pages say "belum ada data pembanding" instead of counting the whole
    population as new.
    """
    trend = recorded_trend(kecamatan, engine=engine)  # the whole trend: one memo entry per area
    if as_of is not None:
        trend = trend[trend["tanggal"] <= _ts(as_of)]
    if trend.empty:
        return Change(days, None, None)
    now = trend.iloc[-1]
    earlier = trend[trend["tanggal"] < now["tanggal"]]
    if earlier.empty:
        return Change(days, None, None, None, now["tanggal"].date())
    distance = (earlier["tanggal"] - (now["tanggal"] - pd.Timedelta(days=days))).abs()
    before = earlier.loc[distance.idxmin()]  # the first of equals: the older one
    points = ((now["cakupan"] or 0) - (before["cakupan"] or 0)) * 100
    return Change(days, int(now["sudah_rekam"] - before["sudah_rekam"]), float(points),
                  before["tanggal"].date(), now["tanggal"].date())


# ---------------------------------------------------------------------------------------------
# Partners
# ---------------------------------------------------------------------------------------------

@memoised
def partners(engine: sa.Engine | None = None) -> pd.DataFrame:
    """kode, nama, deskripsi, in the report's order."""
    return tables(engine).mitra[["kode", "nama", "deskripsi"]].copy()


def _activity(t: Tables, start: DateLike, end: DateLike, service: str | None,
              kecamatan: str | None) -> pd.DataFrame:
    rows = t.kegiatan
    if start is not None:
        rows = rows[rows["tanggal"] >= _ts(start)]
    if end is not None:
        rows = rows[rows["tanggal"] <= _ts(end)]
    if service is not None:
        rows = rows[rows["layanan"] == service]
    if kecamatan is not None:
        rows = rows[rows["desa_kode"].isin(_villages_in(t, kecamatan)["kode"])]
    return rows


@memoised
def partner_leaderboard(start: DateLike = None, end: DateLike = None, service: str | None = None,
                        kecamatan: str | None = None, engine: sa.Engine | None = None) -> pd.DataFrame:
    """Partners ranked by what they delivered in the period (every partner listed, even at 0).

    Columns: peringkat, kode, nama, jumlah, porsi (share of the total, 0..1), desa (villages
    reached), rentan (vulnerable residents served: disability or elderly).
    """
    t = tables(engine)
    rows = _activity(t, start, end, service, kecamatan)
    per_partner = rows.groupby("mitra_kode").agg(
        jumlah=("jumlah", "sum"), desa=("desa_kode", "nunique"))
    vulnerable = rows[rows["rentan"] != "umum"].groupby("mitra_kode")["jumlah"].sum().rename("rentan")
    board = (t.mitra[["kode", "nama", "urutan"]].set_index("kode")
             .join(per_partner).join(vulnerable).fillna(0).reset_index())
    for column in ("jumlah", "desa", "rentan"):
        board[column] = board[column].astype("int64")
    total = board["jumlah"].sum()
    board["porsi"] = board["jumlah"] / total if total else 0.0
    board = board.sort_values(["jumlah", "urutan"], ascending=[False, True]).reset_index(drop=True)
    board["peringkat"] = board["jumlah"].rank(method="min", ascending=False).astype("int64")
    return board[["peringkat", "kode", "nama", "jumlah", "porsi", "desa", "rentan"]]


@memoised
def partner_monthly(start: DateLike = None, end: DateLike = None, service: str | None = None,
                    partner: str | None = None, kecamatan: str | None = None,
                    engine: sa.Engine | None = None) -> pd.DataFrame:
    """Month by month: bulan (first day), mitra_kode, jumlah; months without activity are 0."""
    t = tables(engine)
    rows = _activity(t, start, end, service, kecamatan)
    if partner is not None:
        rows = rows[rows["mitra_kode"] == partner]
    if rows.empty:
        return pd.DataFrame({"bulan": pd.Series(dtype="datetime64[ns]"),
                             "mitra_kode": pd.Series(dtype="object"), "jumlah": pd.Series(dtype="int64")})
    month = rows["tanggal"].dt.to_period("M").dt.to_timestamp()
    counts = rows.assign(bulan=month).groupby(["bulan", "mitra_kode"])["jumlah"].sum()
    months = pd.date_range(month.min(), month.max(), freq="MS")
    codes = [partner] if partner else list(t.mitra["kode"])
    full = counts.reindex(pd.MultiIndex.from_product([months, codes], names=["bulan", "mitra_kode"]),
                          fill_value=0)
    return full.astype("int64").reset_index()


@memoised
def partner_villages(partner: str, start: DateLike = None, end: DateLike = None,
                     service: str | None = None, engine: sa.Engine | None = None,
                     kecamatan: str | None = None) -> pd.DataFrame:
    """Where a partner worked: kode, nama, kecamatan_nama, jumlah, rentan; most first.

    `kecamatan` limits it to that kecamatan's villages (keyword, after `engine`, so older
    positional calls keep working)."""
    t = tables(engine)
    rows = _activity(t, start, end, service, kecamatan)
    rows = rows[rows["mitra_kode"] == partner]
    per_village = rows.groupby("desa_kode").agg(jumlah=("jumlah", "sum"))
    per_village["rentan"] = rows[rows["rentan"] != "umum"].groupby("desa_kode")["jumlah"].sum()
    per_village = per_village.fillna(0).astype("int64").reset_index().rename(columns={"desa_kode": "kode"})
    named = per_village.merge(t.desa[["kode", "nama", "kecamatan_nama"]], on="kode")
    return named.sort_values(["jumlah", "kode"], ascending=[False, True]).reset_index(drop=True)[
        ["kode", "nama", "kecamatan_nama", "jumlah", "rentan"]]


@memoised
def village_services(village: str, start: DateLike = None, end: DateLike = None,
                     engine: sa.Engine | None = None) -> pd.DataFrame:
    """What was delivered in one village: mitra_kode, nama (partner), layanan, jumlah."""
    t = tables(engine)
    rows = _activity(t, start, end, None, None)
    rows = rows[rows["desa_kode"] == village]
    grouped = rows.groupby(["mitra_kode", "layanan"], as_index=False)["jumlah"].sum()
    named = grouped.merge(t.mitra[["kode", "nama"]], left_on="mitra_kode", right_on="kode")
    return named[["mitra_kode", "nama", "layanan", "jumlah"]].sort_values(
        "jumlah", ascending=False).reset_index(drop=True)


@memoised
def village_history(village: str, end: DateLike = None, engine: sa.Engine | None = None) -> pd.DataFrame:
    """One village's snapshots: tanggal, wajib_ktp, sudah_rekam, belum_rekam, cakupan."""
    t = tables(engine)
    rows = t.registri[t.registri["desa_kode"] == village]
    if end is not None:
        rows = rows[rows["tanggal"] <= _ts(end)]
    return _add_shares(rows[["tanggal", "wajib_ktp", "sudah_rekam"]].reset_index(drop=True))


# ---------------------------------------------------------------------------------------------
# Programmes and targets
# ---------------------------------------------------------------------------------------------

@memoised
def targets(program: str | None = None, engine: sa.Engine | None = None) -> pd.DataFrame:
    """Active targets: id, program, layanan, kecamatan_kode (None: regency), nilai, mulai, selesai, dasar."""
    t = tables(engine).target
    if program is not None:
        t = t[t["program"] == program]
    return t.drop(columns="impor_id").reset_index(drop=True)


def _target_row(program: str, service: str, kecamatan: str | None, engine) -> pd.Series | None:
    t = targets(program, engine)
    rows = t[(t["layanan"] == service) &
             (t["kecamatan_kode"].isna() if kecamatan is None else t["kecamatan_kode"] == kecamatan)]
    return None if rows.empty else rows.iloc[-1]


def _achieved_series(target: pd.Series, kecamatan: str | None, engine) -> pd.Series:
    """Cumulative achievement by date since the target's start (index: dates)."""
    start = target["mulai"]
    if target["dasar"] == "registri":
        trend = recorded_trend(kecamatan, engine=engine).set_index("tanggal")["sudah_rekam"]
        base = trend[trend.index <= start]
        baseline = base.iloc[-1] if len(base) else (trend.iloc[0] if len(trend) else 0)
        after = trend[trend.index >= start] - baseline
        return pd.concat([pd.Series({start: 0}), after]).groupby(level=0).last()
    t = tables(engine)
    rows = _activity(t, start, target["selesai"], target["layanan"], kecamatan)
    daily = rows.groupby("tanggal")["jumlah"].sum().sort_index().cumsum()
    return pd.concat([pd.Series({start: 0}), daily]).groupby(level=0).last().astype("int64")


def _value_on(series: pd.Series, day: pd.Timestamp) -> int:
    before = series[series.index <= day]
    return int(before.iloc[-1]) if len(before) else 0


@memoised
def programme_progress(program: str, service: str = "rekam_ektp", kecamatan: str | None = None,
                       as_of: DateLike = None, engine: sa.Engine | None = None) -> pd.DataFrame:
    """Progress over time against the target path: tanggal, capaian, target_jalur.

    The target path rises in a straight line from 0 on the start date to the target on the end
    date. Empty when no such target exists.
    """
    target = _target_row(program, service, kecamatan, engine)
    if target is None:
        return pd.DataFrame(columns=["tanggal", "capaian", "target_jalur"])
    achieved = _achieved_series(target, kecamatan, engine)
    if as_of is not None:
        achieved = achieved[achieved.index <= _ts(as_of)]
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

    @property
    def terlambat(self) -> bool:
        """True when the projected finishing date is after the deadline (or never)."""
        if self.sisa == 0:
            return False
        return self.proyeksi_selesai is None or self.proyeksi_selesai > self.selesai


@memoised
def programme_status(program: str, service: str = "rekam_ektp", kecamatan: str | None = None,
                     as_of: DateLike = None, engine: sa.Engine | None = None) -> ProgrammeStatus | None:
    """Achieved, remaining, pace needed against the last 28 days' pace, projected finish."""
    target = _target_row(program, service, kecamatan, engine)
    if target is None:
        return None
    day = _ts(as_of) or _ts(latest_date(engine)) or pd.Timestamp(dt.date.today())
    day = min(day, max(target["selesai"], target["mulai"]))
    achieved = _achieved_series(target, kecamatan, engine)
    done = _value_on(achieved, day)
    pace_28 = (done - _value_on(achieved, day - pd.Timedelta(days=28))) / 28
    remaining = max(int(target["nilai"]) - done, 0)
    days_left = (target["selesai"] - day).days
    needed = remaining / days_left if days_left > 0 else None
    if remaining == 0:
        projected = day.date()
    elif pace_28 > 0:
        projected = (day + pd.Timedelta(days=int(np.ceil(remaining / pace_28)))).date()
    else:
        projected = None
    return ProgrammeStatus(
        program=program, layanan=service, kecamatan_kode=kecamatan, dasar=target["dasar"],
        mulai=target["mulai"].date(), selesai=target["selesai"].date(), tanggal=day.date(),
        target=int(target["nilai"]), capaian=done, persen=done / target["nilai"] if target["nilai"] else 0.0,
        sisa=remaining, laju_perlu=needed, laju_28=pace_28, proyeksi_selesai=projected)


def programme_statuses(program: str, by: str, as_of: DateLike = None,
                       engine: sa.Engine | None = None) -> list[ProgrammeStatus]:
    """Every regency target's status per service (`by="layanan"`), or every kecamatan's
    e-KTP recording target (`by="kecamatan"`), in a stable order."""
    if by == "layanan":
        keys = [(code, None) for code in store.SERVICES]
    elif by == "kecamatan":
        keys = [("rekam_ektp", kode) for kode in sorted(tables(engine).desa["kecamatan_kode"].unique())]
    else:
        raise ValueError(f"by must be 'layanan' or 'kecamatan', not {by!r}")
    statuses = (programme_status(program, service, kec, as_of, engine) for service, kec in keys)
    return [s for s in statuses if s is not None]


# ---------------------------------------------------------------------------------------------
# Freshness and imports
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Freshness:
    versi: int
    data_per: dt.date | None           # newest registry snapshot
    diperbarui: dt.datetime | None     # when the last active batch was written (UTC)
    contoh: bool                       # any demo batch is active: label the figures
    hanya_contoh: bool                 # all active figures are demo


@memoised
def freshness(engine: sa.Engine | None = None) -> Freshness:
    t = tables(engine)
    active = t.impor[t.impor["status"] == "aktif"]
    updated = active["waktu"].max() if len(active) else None
    return Freshness(
        versi=t.version, data_per=latest_date(engine),
        diperbarui=None if updated is None or pd.isna(updated) else pd.Timestamp(updated).to_pydatetime(),
        contoh=bool(active["contoh"].any()) if len(active) else False,
        hanya_contoh=bool(len(active)) and bool(active["contoh"].all()))


@memoised
def import_history(engine: sa.Engine | None = None) -> pd.DataFrame:
    """Every batch, newest first: id, nama_file, jenis, jumlah_baris, waktu, oleh, status, contoh."""
    t = tables(engine).impor
    return t[["id", "nama_file", "jenis", "jumlah_baris", "waktu", "oleh", "status", "contoh"]] \
        .sort_values("id", ascending=False).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Where to go next
# ---------------------------------------------------------------------------------------------

#: The priority score's weights; the Peta page explains them in one sentence (texts.SKOR_PRIORITAS).
PRIORITY_WEIGHTS = {"belum_rekam": 0.5, "kesenjangan": 0.3, "jarak": 0.2}
OFFICE_KECAMATAN = "73.02.02"  # Ujung Bulu, the town, where the Disdukcapil office is


@memoised
def office_location(engine: sa.Engine | None = None) -> tuple[float, float]:
    """The centre of Ujung Bulu (area-weighted mean of its villages' centroids)."""
    town = tables(engine).desa
    town = town[town["kecamatan_kode"] == OFFICE_KECAMATAN]
    if town.empty:
        raise LookupError("Kecamatan Ujung Bulu belum ada di data wilayah.")
    weights = town["luas_km2"]
    return (float((town["lat"] * weights).sum() / weights.sum()),
            float((town["lng"] * weights).sum() / weights.sum()))


@memoised
def priority_villages(as_of: DateLike = None, kecamatan: str | None = None,
                      engine: sa.Engine | None = None) -> pd.DataFrame:
    """Villages ranked for the outreach team by a transparent score (0..100).

    score = 100 * (0.5 * unrecorded / most unrecorded
                   + 0.3 * coverage gap / largest gap
                   + 0.2 * distance from the office / farthest distance),
    each part measured against the highest village in the whole regency, so a village's score
    does not change when the list is filtered to one kecamatan. Columns: peringkat, kode, nama,
    kecamatan_nama, wajib_ktp, sudah_rekam, belum_rekam, cakupan, jarak_km, skor.
    """
    villages = coverage_villages(as_of, engine=engine).dropna(subset=["wajib_ktp"]).copy()
    lat0, lng0 = office_location(engine)
    villages["jarak_km"] = distance_km(lat0, lng0, villages["lat"], villages["lng"])
    gap = 1 - villages["cakupan"]
    parts = {
        "belum_rekam": villages["belum_rekam"].astype("float64") / max(villages["belum_rekam"].max(), 1),
        "kesenjangan": gap / gap.max() if gap.max() > 0 else gap * 0,
        "jarak": villages["jarak_km"] / villages["jarak_km"].max(),
    }
    villages["skor"] = 100 * sum(PRIORITY_WEIGHTS[k] * v for k, v in parts.items())
    if kecamatan is not None:
        villages = villages[villages["kecamatan_kode"] == kecamatan]
    ranked = villages.sort_values(["skor", "kode"], ascending=[False, True]).reset_index(drop=True)
    ranked["peringkat"] = np.arange(1, len(ranked) + 1)
    return ranked[["peringkat", "kode", "nama", "kecamatan_nama", "wajib_ktp", "sudah_rekam",
                   "belum_rekam", "cakupan", "jarak_km", "skor"]]


@memoised
def vulnerable_by_kecamatan(start: DateLike = None, end: DateLike = None,
                            engine: sa.Engine | None = None) -> pd.DataFrame:
    """Vulnerable residents served by partners per kecamatan: kode, nama, disabilitas, lansia."""
    t = tables(engine)
    rows = _activity(t, start, end, None, None)
    rows = rows[rows["rentan"] != "umum"].merge(t.desa[["kode", "kecamatan_kode"]],
                                                left_on="desa_kode", right_on="kode")
    counts = rows.pivot_table(index="kecamatan_kode", columns="rentan", values="jumlah",
                              aggfunc="sum", fill_value=0)
    kec = t.desa.groupby("kecamatan_kode", as_index=False)["kecamatan_nama"].first()
    out = kec.set_index("kecamatan_kode").join(counts).fillna(0).reset_index()
    for column in ("disabilitas", "lansia"):
        out[column] = (out[column] if column in out else 0)
        out[column] = out[column].astype("int64")
    return out.rename(columns={"kecamatan_kode": "kode", "kecamatan_nama": "nama"})[
        ["kode", "nama", "disabilitas", "lansia"]]


@memoised
def programme_period(program: str, engine: sa.Engine | None = None) -> tuple[dt.date, dt.date] | None:
    """(start, end) of a programme: the earliest start and latest end among its active targets."""
    t = targets(program, engine)
    if t.empty:
        return None
    return t["mulai"].min().date(), t["selesai"].max().date()


# ---------------------------------------------------------------------------------------------
# Downloads (issue 8): every snapshot of every village, and partner activity by month
# ---------------------------------------------------------------------------------------------

@memoised
def village_histories(kecamatan: str | None = None, end: DateLike = None,
                      engine: sa.Engine | None = None) -> pd.DataFrame:
    """Every snapshot of every village (of one kecamatan): kode, nama, kecamatan_nama, tanggal,
    wajib_ktp, sudah_rekam, belum_rekam, cakupan; by village, then date. `village_history` for
    all villages at once."""
    t = tables(engine)
    villages = _villages_in(t, kecamatan)[["kode", "nama", "kecamatan_nama"]]
    rows = t.registri[t.registri["desa_kode"].isin(villages["kode"])]
    if end is not None:
        rows = rows[rows["tanggal"] <= _ts(end)]
    merged = villages.merge(rows[["desa_kode", "tanggal", "wajib_ktp", "sudah_rekam"]]
                            .rename(columns={"desa_kode": "kode"}), on="kode")
    return _add_shares(merged.sort_values(["kode", "tanggal"]).reset_index(drop=True))


@memoised
def partner_activity(start: DateLike = None, end: DateLike = None, service: str | None = None,
                     kecamatan: str | None = None, engine: sa.Engine | None = None) -> pd.DataFrame:
    """Partner activity per partner, village, month and service: bulan (first day), mitra_kode,
    mitra_nama, kode, nama, kecamatan_nama, layanan, jumlah, rentan (of them vulnerable)."""
    t = tables(engine)
    rows = _activity(t, start, end, service, kecamatan)
    columns = ["bulan", "mitra_kode", "mitra_nama", "kode", "nama", "kecamatan_nama", "layanan",
               "jumlah", "rentan"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.assign(bulan=rows["tanggal"].dt.to_period("M").dt.to_timestamp(),
                       rentan_jumlah=rows["jumlah"].where(rows["rentan"] != "umum", 0))
    grouped = rows.groupby(["bulan", "mitra_kode", "desa_kode", "layanan"], as_index=False).agg(
        jumlah=("jumlah", "sum"), rentan=("rentan_jumlah", "sum"))
    named = (grouped.merge(t.mitra[["kode", "nama"]].rename(columns={"kode": "mitra_kode", "nama": "mitra_nama"}),
                           on="mitra_kode")
             .merge(t.desa[["kode", "nama", "kecamatan_nama"]], left_on="desa_kode", right_on="kode"))
    named[["jumlah", "rentan"]] = named[["jumlah", "rentan"]].astype("int64")
    return named.sort_values(["bulan", "mitra_nama", "kode", "layanan"]).reset_index(drop=True)[columns]
