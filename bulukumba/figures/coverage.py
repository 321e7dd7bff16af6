"""Coverage: wajib KTP, recorded, unrecorded, by village, kecamatan, regency and date.

Where each number comes from: a village's latest registry snapshot on or before the date (of
an active batch; for the same date the later batch), read from `registri_berlaku`; kecamatan,
regency and national figures are sums of per-village changes up to the date, read from
`ringkas_registri` (bulukumba/storage/summaries), so they equal the sum over villages without visiting them.
Unrecorded = wajib KTP - recorded, never stored; coverage = recorded / wajib KTP.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bulukumba.storage import store, summaries
from bulukumba.regions import distance_km
from bulukumba.figures.core import (DateLike, add_shares, day, epoch_days, fetch, fetch_columns, first_row, kecamatan_in_scope,
                   memoised, total, ts, where)
from bulukumba.figures.trends import Change, Trend, Trends, change_over

B, S = summaries.registri_berlaku, summaries.ringkas_registri
D, KC, KB = store.desa, store.kecamatan, store.kabupaten


def _current_on(as_of: DateLike, engine: sa.Engine):
    """Rows of registri_berlaku that are each village's latest snapshot on or before `as_of`.

    On or after the newest snapshot date (what pages ask most) that is every village's newest
    row, `sampai IS NULL`, an index look-up; before it, the two halves of the condition are
    each indexable on `sampai`."""
    on = day(as_of)
    newest = latest_date(engine)
    if on is None or (newest is not None and on >= newest):
        return B.c.sampai.is_(None)
    return sa.or_(sa.and_(B.c.sampai > on, B.c.tanggal <= on), sa.and_(B.c.sampai.is_(None), B.c.tanggal <= on))


@memoised
def latest_date(engine: sa.Engine | None = None, kabupaten: str | None = None) -> dt.date | None:
    """The newest registry snapshot date (of one regency, or the whole store), or None when
    there is none."""
    row = first_row(engine, where(sa.select(sa.func.max(S.c.tanggal)),
                                  kecamatan_in_scope(S.c.kecamatan_kode, None, kabupaten)))
    return None if row is None or row[0] is None else row[0]


@memoised
def coverage_villages(as_of: DateLike = None, kecamatan: str | None = None,
                      engine: sa.Engine | None = None, kabupaten: str | None = None) -> pd.DataFrame:
    """Every village (of the kecamatan or regency) with its latest snapshot on or before `as_of`.

    Columns: kode, nama, jenis, kecamatan_kode, kecamatan_nama, lat, lng, luas_km2, tanggal
    (the snapshot used), wajib_ktp, sudah_rekam, belum_rekam, cakupan (0..1). A village without
    a snapshot yet keeps its row with empty figures.
    """
    query = where(
        sa.select(D.c.kode, D.c.nama, D.c.jenis, D.c.kecamatan_kode, KC.c.nama.label("kecamatan_nama"),
                  D.c.lat, D.c.lng, D.c.luas_km2, B.c.tanggal, B.c.wajib_ktp, B.c.sudah_rekam)
        .select_from(D.join(KC, KC.c.kode == D.c.kecamatan_kode)
                     .outerjoin(B, sa.and_(B.c.desa_kode == D.c.kode, _current_on(as_of, engine))))
        .order_by(D.c.kode),
        kecamatan_in_scope(D.c.kecamatan_kode, kecamatan, kabupaten))
    frame = fetch(engine, query, dates=("tanggal",))
    for column in ("wajib_ktp", "sudah_rekam"):
        frame[column] = frame[column].astype("Int64")
    return add_shares(frame)


@memoised
def villages_reported(as_of: DateLike = None, engine: sa.Engine | None = None,
                      kabupaten: str | None = None) -> pd.DataFrame:
    """Per kecamatan, the villages with a snapshot on or before `as_of` (the rows of
    coverage_villages that have figures), counted in the database: kecamatan_kode, desa. A
    kecamatan none of whose villages has reported is left out."""
    return fetch(engine, where(
        sa.select(B.c.kecamatan_kode, sa.func.count().label("desa")).where(_current_on(as_of, engine))
        .group_by(B.c.kecamatan_kode).order_by(B.c.kecamatan_kode),
        kecamatan_in_scope(B.c.kecamatan_kode, None, kabupaten)))


@memoised
def coverage_kecamatan(as_of: DateLike = None, engine: sa.Engine | None = None,
                       kabupaten: str | None = None) -> pd.DataFrame:
    """Per kecamatan: kode, nama, desa (villages), wajib_ktp, sudah_rekam, belum_rekam, cakupan."""
    villages = where(sa.select(D.c.kecamatan_kode, sa.func.count().label("desa")).group_by(D.c.kecamatan_kode),
                     kecamatan_in_scope(D.c.kecamatan_kode, None, kabupaten)).subquery()
    sums = where(sa.select(S.c.kecamatan_kode, total(S.c.d_wajib).label("wajib_ktp"),
                           total(S.c.d_rekam).label("sudah_rekam")).group_by(S.c.kecamatan_kode),
                 S.c.tanggal <= day(as_of) if as_of is not None else None,
                 kecamatan_in_scope(S.c.kecamatan_kode, None, kabupaten)).subquery()
    query = where(
        sa.select(KC.c.kode, KC.c.nama, villages.c.desa,
                  sa.func.coalesce(sums.c.wajib_ktp, 0).label("wajib_ktp"),
                  sa.func.coalesce(sums.c.sudah_rekam, 0).label("sudah_rekam"))
        .select_from(KC.join(villages, villages.c.kecamatan_kode == KC.c.kode)
                     .outerjoin(sums, sums.c.kecamatan_kode == KC.c.kode))
        .order_by(KC.c.kode),
        KC.c.kabupaten_kode == kabupaten if kabupaten is not None else None)
    frame = fetch(engine, query)
    for column in ("desa", "wajib_ktp", "sudah_rekam"):
        frame[column] = frame[column].astype("int64")
    return add_shares(frame)


@memoised
def coverage_kabupaten(as_of: DateLike = None, engine: sa.Engine | None = None) -> pd.DataFrame:
    """Per regency: kode, nama, kecamatan, desa, wajib_ktp, sudah_rekam, belum_rekam, cakupan."""
    kec = coverage_kecamatan(as_of, engine=engine)
    regency = fetch(engine, sa.select(KC.c.kode, KC.c.kabupaten_kode))
    kec = kec.merge(regency.rename(columns={"kode": "kec"}), left_on="kode", right_on="kec")
    grouped = kec.groupby("kabupaten_kode", as_index=False).agg(
        kecamatan=("kode", "size"), desa=("desa", "sum"), wajib_ktp=("wajib_ktp", "sum"),
        sudah_rekam=("sudah_rekam", "sum"))
    names = fetch(engine, sa.select(KB.c.kode, KB.c.nama))
    out = names.merge(grouped.rename(columns={"kabupaten_kode": "kode"}), on="kode").sort_values("kode")
    return add_shares(out.reset_index(drop=True))


@dataclass(frozen=True)
class Coverage:
    """Figures for the regency (or the store, or one kecamatan) on a date."""
    tanggal: dt.date | None  # the newest snapshot that went into the figures
    wajib_ktp: int
    sudah_rekam: int
    belum_rekam: int
    cakupan: float | None  # 0..1


@memoised
def coverage_total(as_of: DateLike = None, kecamatan: str | None = None,
                   engine: sa.Engine | None = None, kabupaten: str | None = None) -> Coverage:
    """Totals on `as_of` for a kecamatan, a regency, or everything the store holds."""
    query = where(sa.select(total(S.c.d_wajib), total(S.c.d_rekam), sa.func.max(S.c.tanggal)),
                  S.c.tanggal <= day(as_of) if as_of is not None else None,
                  kecamatan_in_scope(S.c.kecamatan_kode, kecamatan, kabupaten))
    wajib, rekam, newest = first_row(engine, query)
    wajib, rekam = int(wajib), int(rekam)
    return Coverage(tanggal=newest, wajib_ktp=wajib, sudah_rekam=rekam, belum_rekam=wajib - rekam,
                    cakupan=(rekam / wajib) if wajib else None)


@memoised
def recorded_trend(kecamatan: str | None = None, start: DateLike = None, end: DateLike = None,
                   engine: sa.Engine | None = None, kabupaten: str | None = None) -> pd.DataFrame:
    """Totals on every snapshot date: tanggal, wajib_ktp, sudah_rekam, belum_rekam, cakupan.

    On each date a village counts with its latest snapshot so far, so villages reported on
    different days still add up: the total is the running sum of the per-date changes.
    """
    query = where(sa.select(S.c.tanggal, total(S.c.d_wajib).label("wajib_ktp"),
                            total(S.c.d_rekam).label("sudah_rekam"))
                  .group_by(S.c.tanggal).order_by(S.c.tanggal),
                  kecamatan_in_scope(S.c.kecamatan_kode, kecamatan, kabupaten),
                  S.c.tanggal <= day(end) if end is not None else None)
    trend = fetch(engine, query, dates=("tanggal",))
    for column in ("wajib_ktp", "sudah_rekam"):
        trend[column] = trend[column].astype("int64").cumsum()
    if start is not None:
        trend = trend[trend["tanggal"] >= ts(start)]
    return add_shares(trend.reset_index(drop=True))


@memoised
def recorded_change(as_of: DateLike = None, days: int = 7, kecamatan: str | None = None,
                    engine: sa.Engine | None = None, kabupaten: str | None = None) -> Change:
    """How much recorded residents and coverage moved up to the newest snapshot on or before
    `as_of`, compared with a real earlier snapshot: two points of `recorded_trend`.

    The comparison snapshot is the earlier one nearest to `days` before (the older of two equally
    near); when the data begin later, that is the first snapshot, so `hari`, the span actually
    measured, can differ from `days` and pages state `hari`. With a single snapshot there is
    nothing to compare: `sudah_rekam` and `cakupan_poin` are None (`ada` is False) and pages say
    "belum ada data pembanding" instead of counting the whole population as new.
    """
    return change_over(Trend.of(recorded_trend(kecamatan, engine=engine, kabupaten=kabupaten)), as_of, days)


@memoised
def kecamatan_trends(engine: sa.Engine | None = None, kabupaten: str | None = None) -> Trends:
    """`recorded_trend` of every kecamatan (of one regency) at once, as one `Trends` (reads like a
    dictionary of `Trend` by kecamatan code). One query over the per-kecamatan changes, where one
    trend per kecamatan would be 7,200 queries at national size (the GERTAK page's per-kecamatan
    statuses and verdicts); its 259,200 rows come straight into arrays (fetch_columns)."""
    # One row per kecamatan and date already (the table's key): no grouping to do. Ordered in
    # numpy (Trends.of_changes), not by the database: PostgreSQL read the rows in key order through the index, one heap
    # visit each, five times slower than a plain scan.
    rows = fetch_columns(engine, where(
        sa.select(S.c.kecamatan_kode, epoch_days(S.c.tanggal).label("hari"), S.c.d_wajib, S.c.d_rekam),
        kecamatan_in_scope(S.c.kecamatan_kode, None, kabupaten)), integers=("hari", "d_wajib", "d_rekam"))
    return Trends.of_changes(rows["kecamatan_kode"], rows["hari"], rows["d_wajib"], rows["d_rekam"])


@memoised
def village_history(village: str, end: DateLike = None, engine: sa.Engine | None = None) -> pd.DataFrame:
    """One village's snapshots: tanggal, wajib_ktp, sudah_rekam, belum_rekam, cakupan."""
    query = where(sa.select(B.c.tanggal, B.c.wajib_ktp, B.c.sudah_rekam).where(B.c.desa_kode == village)
                  .order_by(B.c.tanggal),
                  B.c.tanggal <= day(end) if end is not None else None)
    frame = fetch(engine, query, dates=("tanggal",))
    for column in ("wajib_ktp", "sudah_rekam"):
        frame[column] = frame[column].astype("int64")
    return add_shares(frame)


# ---------------------------------------------------------------------------------------------
# Where to go next
# ---------------------------------------------------------------------------------------------

#: The priority score's weights; the Peta page explains them in one sentence (texts.SKOR_PRIORITAS).
PRIORITY_WEIGHTS = {"belum_rekam": 0.5, "kesenjangan": 0.3, "jarak": 0.2}


@memoised
def offices(engine: sa.Engine | None = None) -> pd.DataFrame:
    """Where each regency's Disdukcapil office is: kabupaten_kode, lat, lng.

    The store's own `kabupaten.kantor_lat/lng` when set; otherwise the town: the centre
    (area-weighted mean of village centroids) of the regency's kecamatan with the most
    kelurahan (the regency seat is urban; in Bulukumba that is Ujung Bulu, all 9 kelurahan).
    """
    kel = sa.case((D.c.jenis == "kelurahan", 1), else_=0)
    per_kec = fetch(engine, sa.select(
        KC.c.kabupaten_kode, D.c.kecamatan_kode, sa.func.sum(kel).label("kelurahan"),
        sa.func.count().label("desa"), sa.func.sum(D.c.luas_km2).label("luas"),
        sa.func.sum(D.c.lat * D.c.luas_km2).label("lat_luas"), sa.func.sum(D.c.lng * D.c.luas_km2).label("lng_luas"),
    ).join(KC, KC.c.kode == D.c.kecamatan_kode).group_by(KC.c.kabupaten_kode, D.c.kecamatan_kode))
    if per_kec.empty:
        return pd.DataFrame({"kabupaten_kode": pd.Series(dtype="object"), "lat": pd.Series(dtype="float64"),
                             "lng": pd.Series(dtype="float64")})
    per_kec["share"] = per_kec["kelurahan"] / per_kec["desa"]
    town = (per_kec.sort_values(["kabupaten_kode", "kelurahan", "share", "kecamatan_kode"],
                                ascending=[True, False, False, True])
            .drop_duplicates("kabupaten_kode"))
    town = town.assign(lat=town["lat_luas"] / town["luas"], lng=town["lng_luas"] / town["luas"])
    stored = fetch(engine, sa.select(KB.c.kode.label("kabupaten_kode"), KB.c.kantor_lat, KB.c.kantor_lng))
    out = town[["kabupaten_kode", "lat", "lng"]].merge(stored, on="kabupaten_kode", how="left")
    out["lat"] = out["kantor_lat"].astype("float64").fillna(out["lat"])
    out["lng"] = out["kantor_lng"].astype("float64").fillna(out["lng"])
    return out[["kabupaten_kode", "lat", "lng"]].reset_index(drop=True)


@memoised
def office_location(engine: sa.Engine | None = None, kabupaten: str | None = None) -> tuple[float, float]:
    """(lat, lng) of the regency's office (default: the store's first regency)."""
    found = offices(engine)
    if kabupaten is not None:
        found = found[found["kabupaten_kode"] == kabupaten]
    if found.empty:
        raise LookupError("Belum ada data wilayah: lokasi kantor Disdukcapil tidak dapat ditentukan.")
    row = found.iloc[0]
    return float(row["lat"]), float(row["lng"])


@memoised
def priority_villages(as_of: DateLike = None, kecamatan: str | None = None,
                      engine: sa.Engine | None = None, kabupaten: str | None = None,
                      limit: int | None = None) -> pd.DataFrame:
    """Villages ranked for the outreach team by a transparent score (0..100).

    score = 100 * (0.5 * unrecorded / most unrecorded
                   + 0.3 * coverage gap / largest gap
                   + 0.2 * distance from the office / farthest distance),
    each part measured against the highest village of the village's own regency, so a
    village's score does not change when the list is filtered to one kecamatan. Columns:
    peringkat, kode, nama, kecamatan_nama, wajib_ktp, sudah_rekam, belum_rekam, cakupan,
    jarak_km, skor. `limit`: only the first rows (the page shows a top list; the download all).
    """
    if kecamatan is not None and kabupaten is None:
        row = first_row(engine, sa.select(KC.c.kabupaten_kode).where(KC.c.kode == kecamatan))
        kabupaten = row[0] if row else None
    villages = coverage_villages(as_of, engine=engine, kabupaten=kabupaten).dropna(subset=["wajib_ktp"])
    regency = fetch(engine, where(sa.select(KC.c.kode.label("kecamatan_kode"), KC.c.kabupaten_kode),
                                  KC.c.kabupaten_kode == kabupaten if kabupaten is not None else None))
    villages = villages.merge(regency, on="kecamatan_kode").merge(offices(engine), on="kabupaten_kode")
    villages["jarak_km"] = distance_km(villages["lat_y"], villages["lng_y"], villages["lat_x"], villages["lng_x"])
    villages["gap"] = 1 - villages["cakupan"]
    worst = villages.groupby("kabupaten_kode")[["belum_rekam", "gap", "jarak_km"]].transform("max")
    gap_part = (villages["gap"] / worst["gap"]).where(worst["gap"] > 0, 0.0)
    parts = {
        "belum_rekam": villages["belum_rekam"].astype("float64") / np.maximum(worst["belum_rekam"].astype("float64"), 1),
        "kesenjangan": gap_part,
        "jarak": (villages["jarak_km"] / worst["jarak_km"]).where(worst["jarak_km"] > 0, 0.0),
    }
    villages["skor"] = 100 * sum(PRIORITY_WEIGHTS[k] * v for k, v in parts.items())
    if kecamatan is not None:
        villages = villages[villages["kecamatan_kode"] == kecamatan]
    ranked = villages.sort_values(["skor", "kode"], ascending=[False, True]).reset_index(drop=True)
    if limit is not None:
        ranked = ranked.head(limit)
    ranked["peringkat"] = np.arange(1, len(ranked) + 1)
    return ranked[["peringkat", "kode", "nama", "kecamatan_nama", "wajib_ktp", "sudah_rekam",
                   "belum_rekam", "cakupan", "jarak_km", "skor"]]


@memoised
def top_unrecorded(as_of: DateLike = None, n: int = 5, kecamatan: str | None = None,
                   engine: sa.Engine | None = None, kabupaten: str | None = None) -> pd.DataFrame:
    """The `n` villages with the most unrecorded residents (columns as coverage_villages)."""
    unrecorded = (B.c.wajib_ktp - B.c.sudah_rekam)
    query = where(
        sa.select(D.c.kode, D.c.nama, D.c.jenis, D.c.kecamatan_kode, KC.c.nama.label("kecamatan_nama"),
                  D.c.lat, D.c.lng, D.c.luas_km2, B.c.tanggal, B.c.wajib_ktp, B.c.sudah_rekam)
        .select_from(B.join(D, D.c.kode == B.c.desa_kode).join(KC, KC.c.kode == D.c.kecamatan_kode))
        .where(_current_on(as_of, engine)).order_by(unrecorded.desc(), D.c.kode).limit(n),
        kecamatan_in_scope(B.c.kecamatan_kode, kecamatan, kabupaten))
    frame = fetch(engine, query, dates=("tanggal",))
    for column in ("wajib_ktp", "sudah_rekam"):
        frame[column] = frame[column].astype("Int64")
    return add_shares(frame)


@memoised
def village_histories(kecamatan: str | None = None, end: DateLike = None,
                      engine: sa.Engine | None = None, kabupaten: str | None = None) -> pd.DataFrame:
    """Every snapshot of every village (of one kecamatan or regency): kode, nama, kecamatan_nama,
    tanggal, wajib_ktp, sudah_rekam, belum_rekam, cakupan; by village, then date. What
    `village_history` gives for one village, for all of them at once (the Unduh page's file)."""
    query = where(
        sa.select(D.c.kode, D.c.nama, KC.c.nama.label("kecamatan_nama"), B.c.tanggal, B.c.wajib_ktp,
                  B.c.sudah_rekam)
        .select_from(B.join(D, D.c.kode == B.c.desa_kode).join(KC, KC.c.kode == D.c.kecamatan_kode))
        .order_by(D.c.kode, B.c.tanggal),
        kecamatan_in_scope(D.c.kecamatan_kode, kecamatan, kabupaten),
        B.c.tanggal <= day(end) if end is not None else None)
    frame = fetch(engine, query, dates=("tanggal",))
    for column in ("wajib_ktp", "sudah_rekam"):
        frame[column] = frame[column].astype("int64")
    return add_shares(frame)
