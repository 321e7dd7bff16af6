"""Demo data: deterministic, calibrated exactly to the January 2018 report, always labelled.

Where each number comes from (DOMAIN.md, seed/berita-ektp-bulukumba-2018.txt):
- regency wajib KTP 325,880 and recorded 300,230 on 19 January 2018 (the report);
- wajib KTP spread over kecamatan by their BPS 2013 population, then over villages by seeded
  weights (kelurahan denser); coverage lower in the remote kecamatan (Kindang highlands, Kajang)
  and lowest in Desa Tanah Towa (the Ammatoa customary community) — an assumption for the demo;
- partnership programme May–December 2017: partner e-KTP recordings summing to 45,000 against a
  target of 75,000; Lakpesdam NU works in seven villages of Kajang and Kindang; PKK and Dai Muda
  deliver death certificates; PPDI picks up residents with disabilities;
- GERTAK 2018 from 19 January 2018 (the day it was announced) to the as-of date: the registry's
  recorded count climbs at a slowing weekly pace that closes about half of the 25,650 gap by
  30 June 2018.
The registry figures are built backwards and forwards from the calibrated 19 January snapshot, so
every later figure is the report's figure plus recordings the demo itself logged.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bulukumba.storage import store

SEED = 2018
REPORT_DATE = dt.date(2018, 1, 19)
DEFAULT_AS_OF = dt.date(2018, 6, 30)
WAJIB_KTP = 325_880
RECORDED = 300_230
PARTNERSHIP_TOTAL = 45_000
PARTNERSHIP_TARGET = 75_000
PARTNERSHIP_START, PARTNERSHIP_END = dt.date(2017, 5, 1), dt.date(2017, 12, 31)
GERTAK_END = dt.date(2018, 12, 31)
FIRST_SNAPSHOT_MONTH = dt.date(2017, 1, 1)

#: BPS 2013 population by kecamatan (jiwa), keyed by the name without spaces, lower case.
BPS_POPULATION = {
    "gantarang": 72_891, "ujungbulu": 49_298, "ujungloe": 40_496, "bontobahari": 24_561,
    "bontotiro": 23_365, "herlang": 24_717, "kajang": 48_227, "bulukumpa": 52_073,
    "rilauale": 38_730, "kindang": 30_542,
}
#: Demo assumption: typical coverage on the report date by kecamatan.
BASE_COVERAGE = {
    "ujungbulu": 0.965, "gantarang": 0.935, "ujungloe": 0.93, "bontobahari": 0.925,
    "bontotiro": 0.915, "herlang": 0.92, "bulukumpa": 0.925, "rilauale": 0.92,
    "kajang": 0.865, "kindang": 0.855,
}
TANAH_TOWA = "73.02.06.2006"
#: Partner e-KTP recordings in the 2017 partnership (sum 45,000); demo assumption.
PARTNER_2017_EKTP = {
    "pmi": 10_300, "dinkes": 10_000, "bkprmi": 8_500, "himpaudi": 7_000,
    "lakpesdam_nu": 2_400, "pkk": 3_000, "dai_muda": 2_300, "ppdi": 1_500,
}
#: Share of the weekly GERTAK registry gain that partners delivered (the rest: office counters).
GERTAK_PARTNER_SHARE = 0.7
OFFICE_2017_PER_MONTH = 900


def _key(name: str) -> str:
    return name.replace(" ", "").lower()


def apportion(total: int, weights) -> np.ndarray:
    """Split a whole `total` by `weights` into whole numbers that sum exactly (largest remainder)."""
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() == 0:
        return np.zeros(len(w), dtype=int)
    exact = w / w.sum() * total
    base = np.floor(exact).astype(int)
    rest = total - base.sum()
    order = np.argsort(-(exact - base), kind="stable")
    base[order[:rest]] += 1
    return base


def apportion_capped(total: int, weights, caps) -> np.ndarray:
    """Like apportion, but no part exceeds its cap (the overflow goes to the others)."""
    caps = np.asarray(caps, dtype=int)
    w = np.asarray(weights, dtype=float).copy()
    out = np.zeros(len(w), dtype=int)
    left = min(total, int(caps.sum()))
    while left > 0:
        w = np.where(out < caps, w, 0.0)
        if w.sum() == 0:
            w = (out < caps).astype(float)
        share = np.minimum(apportion(left, w), caps - out)
        out += share
        left -= int(share.sum())
    return out


# ---------------------------------------------------------------------------------------------
# Villages on the report date
# ---------------------------------------------------------------------------------------------

def _villages(conn: sa.Connection) -> pd.DataFrame:
    query = (sa.select(store.desa.c.kode, store.desa.c.jenis, store.desa.c.kecamatan_kode,
                       store.desa.c.lat, store.desa.c.lng, store.desa.c.luas_km2,
                       store.kecamatan.c.nama.label("kecamatan_nama"))
             .join(store.kecamatan).order_by(store.desa.c.kode))
    frame = pd.DataFrame(conn.execute(query).mappings().all())
    if frame.empty:
        raise RuntimeError("Data wilayah belum ada di basis data; muat batas wilayah terlebih dahulu.")
    frame["kec"] = frame["kecamatan_nama"].map(_key)
    return frame


def _office(villages: pd.DataFrame) -> tuple[float, float]:
    town = villages[villages["kec"] == "ujungbulu"]
    return float(town["lat"].mean()), float(town["lng"].mean())


def village_baseline(villages: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Wajib KTP and recorded per village on the report date, summing exactly to the report."""
    v = villages.copy()
    kec_pop = v.groupby("kec")["kecamatan_kode"].first().index.map(BPS_POPULATION)
    kec_names = list(v.groupby("kec").groups)
    kec_wajib = dict(zip(kec_names, apportion(WAJIB_KTP, kec_pop)))
    density = rng.lognormal(0, 0.35, len(v)) * np.where(v["jenis"] == "kelurahan", 1.6, 1.0)
    v["bobot"] = density * v["luas_km2"].clip(lower=0.5) ** 0.25
    v["wajib_ktp"] = 0
    for kec, total in kec_wajib.items():
        rows = v["kec"] == kec
        v.loc[rows, "wajib_ktp"] = apportion(total, v.loc[rows, "bobot"])

    lat0, lng0 = _office(v)
    distance = np.hypot(v["lat"] - lat0, (v["lng"] - lng0) * np.cos(np.radians(lat0))) * 111.0
    coverage = (v["kec"].map(BASE_COVERAGE) - 0.0015 * (distance - distance.mean())
                + rng.normal(0, 0.012, len(v)))
    coverage = coverage.where(v["kode"] != TANAH_TOWA, 0.72).clip(0.6, 0.985)
    gap = apportion_capped(WAJIB_KTP - RECORDED, v["wajib_ktp"] * (1 - coverage), v["wajib_ktp"])
    v["belum_rekam"] = gap
    v["sudah_rekam"] = v["wajib_ktp"] - gap
    return v


# ---------------------------------------------------------------------------------------------
# Events: recordings and other services, each on a day in a village
# ---------------------------------------------------------------------------------------------

def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    return [d.date() for d in pd.date_range(start, end, freq="MS")]


def _random_day(rng, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def _month_end(first: dt.date) -> dt.date:
    return (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()


def lakpesdam_villages(v: pd.DataFrame) -> list[str]:
    """Seven remote villages: the four of Kajang and three of Kindang with the lowest coverage."""
    coverage = v["sudah_rekam"] / v["wajib_ktp"]
    pick = []
    for kec, n in (("kajang", 4), ("kindang", 3)):
        rows = v[v["kec"] == kec].assign(c=coverage).sort_values("c")
        pick += list(rows["kode"].head(n))
    if TANAH_TOWA in v["kode"].values and TANAH_TOWA not in pick:
        pick[3] = TANAH_TOWA
    return pick


def _split_into_events(rng, total: int, max_events: int) -> np.ndarray:
    n = int(min(max_events, max(1, total // 15)))
    return apportion(total, rng.uniform(0.5, 1.5, n))


def partnership_2017(v: pd.DataFrame, rng) -> list[dict]:
    """Partner e-KTP recordings May–December 2017: 45,000 in all, by partner and month."""
    events: list[dict] = []
    months = _month_starts(PARTNERSHIP_START, PARTNERSHIP_END)
    ramp = np.linspace(0.7, 1.3, len(months))  # the programme gathered pace
    lakpesdam = lakpesdam_villages(v)
    # Partners went where many were unrecorded, but every village had some work.
    need = (v["wajib_ktp"] * (0.5 + 4 * v["belum_rekam"] / v["wajib_ktp"])).to_numpy(dtype=float)
    in_lakpesdam = v["kode"].isin(lakpesdam).to_numpy()
    wajib = v["wajib_ktp"].to_numpy()
    used = np.zeros(len(v), dtype=int)
    # Lakpesdam NU covers its seven villages by size; the others stay mostly elsewhere.
    weights = {"lakpesdam_nu": np.where(in_lakpesdam, np.sqrt(v["wajib_ktp"]), 0.0),
               "other": np.where(in_lakpesdam, 0.25, 1.0) * need}
    for partner, total in PARTNER_2017_EKTP.items():
        w = weights["lakpesdam_nu" if partner == "lakpesdam_nu" else "other"]
        pool = np.flatnonzero(w)
        for month, month_total in zip(months, apportion(total, ramp)):
            for count, cara, rentan in _events_of(partner, month_total, rng):
                # Partners thin out where they already recorded many: no village gets more than
                # about a quarter of its residents from partners in 2017.
                left = np.clip(0.25 * wajib - used, 0, None)
                room, where = w[pool] * left[pool], pool
                if room.sum() == 0:  # the partner's own villages are done: it helps elsewhere
                    room, where = left, np.arange(len(v))
                idx = rng.choice(where, p=room / room.sum())
                used[idx] += count
                events.append(_event(rng, partner, v.at[idx, "kode"], "rekam_ektp", count, month,
                                     cara, rentan))
    return events


def _small_counts(rng, total: int) -> list[int]:
    counts = []
    while total > 0:
        c = int(min(total, rng.integers(1, 9)))
        counts.append(c)
        total -= c
    return counts


def _events_of(partner: str, total: int, rng) -> list[tuple[int, str, str]]:
    """A month's recordings by one partner as events (count, cara, rentan).

    PPDI picks up one to eight residents with disabilities at a time; Dinas Kesehatan spends
    about a tenth of its effort picking up elderly residents, a few at a time.
    """
    if partner == "ppdi":
        return [(c, "jemput_bola", "disabilitas") for c in _small_counts(rng, total)]
    events = []
    if partner == "dinkes":
        elderly = total // 10
        events += [(c, "jemput_bola", "lansia") for c in _small_counts(rng, elderly)]
        total -= elderly
    cara, rentan = _delivery(partner)
    return events + [(int(c), cara, rentan) for c in _split_into_events(rng, total, 12)]


def _delivery(partner: str) -> tuple[str, str]:
    """(cara, rentan) typical for the partner's bulk work."""
    if partner == "ppdi":
        return "jemput_bola", "disabilitas"
    return {
        "pkk": ("dasa_wisma", "umum"), "dai_muda": ("malam_takziah", "umum"),
        "himpaudi": ("sekolah", "umum"), "lakpesdam_nu": ("jemput_bola", "umum"),
    }.get(partner, ("posko_desa", "umum"))


def _event(rng, partner, kode, layanan, count, month_start, cara, rentan, end=None) -> dict:
    end = end or _month_end(month_start)
    return {"tanggal": _random_day(rng, month_start, end), "mitra_kode": partner, "desa_kode": kode,
            "layanan": layanan, "jumlah": int(count), "cara": cara, "rentan": rentan}


def documents(v: pd.DataFrame, rng, start: dt.date, end: dt.date) -> list[dict]:
    """Death certificates (PKK, Dai Muda), and in 2018 KIA (Himpaudi) and birth certificates (Dinkes)."""
    events = []
    weight = v["wajib_ktp"].to_numpy(dtype=float)
    plans = [("pkk", "akta_kematian", 150, start), ("dai_muda", "akta_kematian", 90, start),
             ("himpaudi", "kia", 520, dt.date(2018, 1, 1)),
             ("dinkes", "akta_kelahiran", 310, dt.date(2018, 1, 1))]
    for partner, service, per_month, from_date in plans:
        for month in _month_starts(max(start, from_date), end):
            month_end = min(_month_end(month), end)
            total = int(rng.poisson(per_month) * ((month_end - month).days + 1) / 30.5)
            counts = _small_counts(rng, total) if service == "akta_kematian" else \
                _split_into_events(rng, total, 10)
            chosen = rng.choice(v.index, size=len(counts), p=weight / weight.sum())
            cara, rentan = _delivery(partner)
            for idx, count in zip(chosen, counts):
                events.append(_event(rng, partner, v.at[idx, "kode"], service, count, month,
                                     cara, rentan, end=month_end))
    return events


def _gertak_weeks(as_of: dt.date) -> list[dt.date]:
    """Weekly snapshot dates after the report date (Fridays), and the as-of date itself."""
    weeks = [d.date() for d in pd.date_range(REPORT_DATE + dt.timedelta(days=7), as_of, freq="7D")]
    if as_of > REPORT_DATE and (not weeks or weeks[-1] != as_of):
        weeks.append(as_of)
    return weeks


def gertak_weekly_gain(n_weeks: int) -> np.ndarray:
    """Registry gain per week: 750 at the start slowing to about 380 by week 23 (late June).

    23 weeks of this sum to about half of the 25,650 gap; the pace keeps slowing after that,
    which is what makes the deadline a real question for the dashboard to answer.
    """
    pace = 750 - 16.8 * np.arange(n_weeks)
    return np.clip(np.round(pace), 150, None).astype(int)


# ---------------------------------------------------------------------------------------------
# Building the whole set
# ---------------------------------------------------------------------------------------------

def build(conn: sa.Connection, as_of: dt.date = DEFAULT_AS_OF, seed: int = SEED) -> dict:
    """All demo rows, as {table name: list of row dicts} (no batch id yet)."""
    rng = np.random.default_rng(seed)
    v = village_baseline(_villages(conn), rng)
    index_of = {kode: i for i, kode in enumerate(v["kode"])}
    n = len(v)

    # Gains in the registry per village between snapshot dates. Before the report date we walk
    # backwards from it; after it, forwards.
    partner_2017 = partnership_2017(v, rng)
    month_ends_2017 = [_month_end(m) for m in _month_starts(FIRST_SNAPSHOT_MONTH, dt.date(2017, 12, 1))]
    before_dates = month_ends_2017  # snapshots before the report date
    gain_before = {d: np.zeros(n, dtype=int) for d in before_dates + [REPORT_DATE]}

    def period_after(day: dt.date, dates: list[dt.date]) -> dt.date:
        return next(d for d in dates if d >= day)

    for e in partner_2017:
        gain_before[period_after(e["tanggal"], before_dates + [REPORT_DATE])][index_of[e["desa_kode"]]] += e["jumlah"]
    office_weight = v["wajib_ktp"].to_numpy(dtype=float)
    for d in before_dates[1:] + [REPORT_DATE]:
        days = (d - (before_dates[before_dates.index(d) - 1] if d in before_dates else before_dates[-1])).days
        gain_before[d] += apportion(int(OFFICE_2017_PER_MONTH * days / 30.5), office_weight)

    snapshots: list[dict] = []
    recorded = v["sudah_rekam"].to_numpy(dtype=int).copy()
    wajib = v["wajib_ktp"].to_numpy(dtype=int)
    snapshots += _snapshot_rows(v, REPORT_DATE, wajib, recorded)
    later = recorded.copy()
    for d in reversed(before_dates):
        next_date = (before_dates + [REPORT_DATE])[before_dates.index(d) + 1]
        later = later - gain_before[next_date]
        if (later < 0.3 * wajib).any():  # a calibration guard, not expected to trigger
            raise RuntimeError("demo: cakupan masa lalu tidak masuk akal")
        snapshots += _snapshot_rows(v, d, wajib, later)

    # GERTAK 2018: weekly registry gains, partners delivering most of each village's gain.
    gertak_events: list[dict] = []
    weeks = _gertak_weeks(as_of)
    current = recorded.copy()
    gains = gertak_weekly_gain(len(weeks))
    previous = REPORT_DATE
    lakpesdam = set(lakpesdam_villages(v))
    ease = (recorded / wajib) ** 6
    for week_end, gain in zip(weeks, gains):
        days = (week_end - previous).days
        gain = int(round(gain * days / 7))
        gap = wajib - current
        # The easy villages close first; remote, low-coverage villages stay hardest.
        village_gain = apportion_capped(gain, gap * ease, gap)
        current = current + village_gain
        snapshots += _snapshot_rows(v, week_end, wajib, current)
        for i in np.flatnonzero(village_gain):
            by_partner = int(round(village_gain[i] * GERTAK_PARTNER_SHARE))
            if by_partner == 0:
                continue
            kode = v.at[i, "kode"]
            partner = _gertak_partner(rng, kode in lakpesdam)
            cara, rentan = _delivery(partner)
            day = previous + dt.timedelta(days=int(rng.integers(1, days + 1)))
            gertak_events.append({"tanggal": day, "mitra_kode": partner, "desa_kode": kode,
                                  "layanan": "rekam_ektp", "jumlah": by_partner, "cara": cara,
                                  "rentan": rentan})
        previous = week_end

    activity = partner_2017 + documents(v, rng, PARTNERSHIP_START, as_of) + gertak_events
    activity = [e for e in activity if e["tanggal"] <= as_of]
    return {"registri": snapshots, "kegiatan": activity, "target": _targets(v)}


def _gertak_partner(rng, in_lakpesdam_village: bool) -> str:
    if in_lakpesdam_village and rng.random() < 0.7:
        return "lakpesdam_nu"
    partners = ["pmi", "dinkes", "bkprmi", "himpaudi", "pkk", "dai_muda", "ppdi"]
    weights = np.array([0.22, 0.24, 0.19, 0.14, 0.09, 0.06, 0.06])
    return str(rng.choice(partners, p=weights))


def _snapshot_rows(v: pd.DataFrame, day: dt.date, wajib: np.ndarray, recorded: np.ndarray) -> list[dict]:
    rows = []
    for kode, w, r in zip(v["kode"], wajib, recorded):
        w, r = int(w), int(r)
        wajib_l = round(w * 0.49)
        wajib_p = w - wajib_l
        rekam_l = min(wajib_l, max(r - wajib_p, round(r * 0.485)))  # men travel for work: fewer recorded
        rows.append({"desa_kode": kode, "tanggal": day, "wajib_ktp": w, "sudah_rekam": r,
                     "wajib_l": wajib_l, "wajib_p": wajib_p, "rekam_l": rekam_l, "rekam_p": r - rekam_l})
    return rows


def _targets(v: pd.DataFrame) -> list[dict]:
    gertak = {"program": "gertak_2018", "mulai": REPORT_DATE, "selesai": GERTAK_END}
    rows = [
        {"program": "kemitraan_2017", "layanan": "rekam_ektp", "kecamatan_kode": None,
         "nilai": PARTNERSHIP_TARGET, "mulai": PARTNERSHIP_START, "selesai": PARTNERSHIP_END,
         "dasar": "kegiatan_mitra"},
        {**gertak, "layanan": "rekam_ektp", "kecamatan_kode": None,
         "nilai": WAJIB_KTP - RECORDED, "dasar": "registri"},
        {**gertak, "layanan": "akta_kematian", "kecamatan_kode": None, "nilai": 2_500,
         "dasar": "kegiatan_mitra"},
        {**gertak, "layanan": "kia", "kecamatan_kode": None, "nilai": 6_000, "dasar": "kegiatan_mitra"},
        {**gertak, "layanan": "akta_kelahiran", "kecamatan_kode": None, "nilai": 4_000,
         "dasar": "kegiatan_mitra"},
    ]
    gap_by_kec = v.groupby("kecamatan_kode")["belum_rekam"].sum()
    rows += [{**gertak, "layanan": "rekam_ektp", "kecamatan_kode": kode, "nilai": int(gap),
              "dasar": "registri"} for kode, gap in gap_by_kec.items()]
    return rows


def fingerprint(as_of: dt.date, seed: int) -> str:
    return hashlib.sha256(json.dumps({"demo": 1, "as_of": str(as_of), "seed": seed}).encode()).hexdigest()


def load(engine: sa.Engine, as_of: dt.date = DEFAULT_AS_OF, seed: int = SEED) -> int:
    """Fill an empty store with demo data in one transaction; returns the batch id.

    Refuses a store that already holds registry figures, so real data is never mixed with demo.
    """
    with engine.begin() as conn:
        if not store.is_empty(conn):
            raise RuntimeError("Basis data sudah berisi data; data contoh hanya diisi ke basis data kosong.")
        rows = build(conn, as_of, seed)
        total = sum(len(r) for r in rows.values())
        batch = store.start_batch(conn, nama_file=f"data-contoh (per {as_of.isoformat()})",
                                  sha256=fingerprint(as_of, seed), jenis="contoh",
                                  jumlah_baris=total, oleh="data contoh", contoh=True)
        for table_name, table_rows in rows.items():
            table = store.metadata.tables[table_name]
            conn.execute(table.insert(), [{**r, "impor_id": batch} for r in table_rows])
        return batch
