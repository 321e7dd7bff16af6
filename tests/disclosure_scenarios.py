"""Stores in the data states where small counts appear, for the disclosure tests.

The demo data has no village with fewer than five unrecorded residents, so it cannot show
whether suppression holds. These stores are what an office meets near the end of the drive:
most villages at 98-99% coverage, a fifth of them with 1-4 residents left, a kecamatan that is
almost done, partners with a handful of vulnerable residents served. Each scenario has one or
two registry dates, written the way an import writes them (one batch per file), so a test can
open the app on the first date, add the second and open it again, as a visitor returning a week
later would. A scenario may also publish one date twice (a late batch of partner activity for
a date already published), and some run for three dates or a year of months.

Figures are generated from a seed, deterministically; nothing here is real data.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bulukumba.storage import reference, store

GERTAK_START = dt.date(2018, 1, 19)
FIRST = dt.date(2018, 9, 7)
SECOND = dt.date(2018, 9, 14)
THIRD = dt.date(2018, 9, 21)
#: A year of monthly imports (the benchmark's history).
MONTHS = [dt.date(2018, m, 28) for m in range(1, 13)]
#: Bonto Tiro: the kecamatan that is almost done in the scenarios that have one.
NEARLY_DONE = "73.02.04"


@dataclass
class Batch:
    jenis: str                      # registri | kegiatan | target
    rows: list[dict]


@dataclass
class Scenario:
    name: str
    dates: list[dt.date]
    #: batches[i]: what is imported when dates[i] becomes the newest date.
    batches: list[list[Batch]] = field(default_factory=list)


def _villages(engine: sa.Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(store.desa.c.kode, store.desa.c.kecamatan_kode)
                            .order_by(store.desa.c.kode)).fetchall()
    return pd.DataFrame(rows, columns=["kode", "kecamatan_kode"])


def write(engine: sa.Engine, batches: list[Batch], name: str) -> None:
    """Write batches as imports do: one batch row each, the data version bumped."""
    tables = {"registri": store.registri, "kegiatan": store.kegiatan, "target": store.target}
    with engine.begin() as conn:
        for i, batch in enumerate(batches):
            if not batch.rows:
                continue
            digest = hashlib.sha256(f"{name}-{i}-{batch.rows!r}".encode()).hexdigest()
            batch_id = store.start_batch(conn, nama_file=f"{name}-{i}.csv", sha256=digest,
                                         jenis=batch.jenis, jumlah_baris=len(batch.rows), oleh="uji")
            conn.execute(tables[batch.jenis].insert(), [{**r, "impor_id": batch_id} for r in batch.rows])


def new_store(path, regions) -> sa.Engine:
    engine = store.make_engine(f"sqlite:///{path}")
    reference.ensure_reference(engine, regions)
    return engine


# ---------------------------------------------------------------------------------------------
# Registry figures
# ---------------------------------------------------------------------------------------------

def _wajib(rng, n: int) -> np.ndarray:
    return np.clip(rng.lognormal(np.log(2300), 0.45, n), 400, 9000).astype(int)


def _unrecorded_near_the_end(rng, kecamatan: pd.Series, nearly_done: str | None) -> np.ndarray:
    """Most villages with tens left, a fifth with 1-4, some done; one kecamatan almost done."""
    n = len(kecamatan)
    kind = rng.choice(["nol", "kecil", "sedang"], size=n, p=[0.15, 0.22, 0.63])
    left = np.where(kind == "nol", 0, np.where(kind == "kecil", rng.integers(1, 5, n),
                                               (rng.gamma(1.3, 40, n) + 5).astype(int)))
    if nearly_done is not None:
        members = np.flatnonzero(kecamatan.to_numpy() == nearly_done)
        left[members] = 0
        left[members[1]], left[members[3]] = 1, 2   # the kecamatan's total is 3
    return left


def _snapshot(villages: pd.DataFrame, day: dt.date, wajib, left, only=None) -> Batch:
    rows = []
    for kode, w, b in zip(villages["kode"], wajib, left):
        if only is not None and kode not in only:
            continue
        rows.append({"desa_kode": kode, "tanggal": day, "wajib_ktp": int(w),
                     "sudah_rekam": int(w) - int(b)})
    return Batch("registri", rows)


def _week_later(rng, wajib, left, changed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A week of recording where `changed`: some residents recorded, a few turn 17."""
    wajib, left = wajib.copy(), left.copy()
    recorded = np.minimum(left, rng.integers(0, 12, len(left)))
    newcomers = rng.choice([0, 0, 0, 1, 2, 5], size=len(left))
    wajib[changed] += newcomers[changed]
    left[changed] = left[changed] - recorded[changed] + newcomers[changed]
    return wajib, left


# ---------------------------------------------------------------------------------------------
# Partner activity: small counts of vulnerable residents
# ---------------------------------------------------------------------------------------------

def _activity(rng, villages: pd.DataFrame, start: dt.date, end: dt.date, small_only: bool = False) -> Batch:
    def row(day_offset, mitra, kode, layanan, jumlah, cara, rentan="umum"):
        day = min(start + dt.timedelta(days=int(day_offset)), end)
        return {"tanggal": day, "mitra_kode": mitra, "desa_kode": kode, "layanan": layanan,
                "jumlah": int(jumlah), "cara": cara, "rentan": rentan}

    span = (end - start).days
    codes = villages["kode"].to_numpy()
    rows = []
    if not small_only:
        for mitra in ("himpaudi", "bkprmi", "dinkes", "pmi"):
            for kode in rng.choice(codes, 12, replace=False):
                rows.append(row(rng.integers(0, span), mitra, kode, "rekam_ektp",
                                rng.integers(5, 40), "posko_desa"))
        for kode in rng.choice(codes, 10, replace=False):
            rows.append(row(rng.integers(0, span), "pkk", kode, "akta_kematian", rng.integers(3, 15), "dasa_wisma"))
        # PPDI: residents with disabilities picked up, a few per village; elderly now and then.
        for kode in rng.choice(codes, 9, replace=False):
            rows.append(row(rng.integers(0, span), "ppdi", kode, "rekam_ektp", rng.integers(1, 6),
                            "jemput_bola", "disabilitas"))
        rows.append(row(span, "ppdi", codes[5], "rekam_ektp", 2, "jemput_bola", "lansia"))
    # A partner that served one elderly resident and nobody else; another with three.
    rows.append(row(span // 2, "lakpesdam_nu", codes[40], "rekam_ektp", 1, "jemput_bola", "lansia"))
    rows.append(row(span // 3, "dai_muda", codes[70], "akta_kematian", 3, "malam_takziah", "lansia"))
    return Batch("kegiatan", rows)


def _gertak_target() -> Batch:
    return Batch("target", [{"program": "gertak_2018", "layanan": "rekam_ektp", "kecamatan_kode": None,
                             "nilai": 25_650, "mulai": GERTAK_START, "selesai": dt.date(2018, 12, 31),
                             "dasar": "registri"}])


# ---------------------------------------------------------------------------------------------
# The scenarios
# ---------------------------------------------------------------------------------------------

def scenario(name: str, engine: sa.Engine, seed: int = 12) -> Scenario:
    """Build the named scenario's batches for the villages in `engine`'s store."""
    rng = np.random.default_rng(seed)
    villages = _villages(engine)
    wajib = _wajib(rng, len(villages))
    if name == "satu_snapshot":
        left = _unrecorded_near_the_end(rng, villages["kecamatan_kode"], NEARLY_DONE)
        first = [_snapshot(villages, FIRST, wajib, left), _activity(rng, villages, GERTAK_START, FIRST),
                 _gertak_target()]
        return Scenario(name, [FIRST], [first])
    if name == "impor_sebagian":
        left = _unrecorded_near_the_end(rng, villages["kecamatan_kode"], NEARLY_DONE)
        first = [_snapshot(villages, FIRST, wajib, left), _activity(rng, villages, GERTAK_START, FIRST),
                 _gertak_target()]
        # A week later only three kecamatan send new figures; the rest keep theirs.
        reporting = villages["kecamatan_kode"].isin(["73.02.01", "73.02.06", NEARLY_DONE]).to_numpy()
        wajib2, left2 = _week_later(rng, wajib, left, reporting)
        second = [_snapshot(villages, SECOND, wajib2, left2, only=set(villages["kode"][reporting])),
                  _activity(rng, villages, FIRST + dt.timedelta(days=1), SECOND, small_only=True)]
        return Scenario(name, [FIRST, SECOND], [first, second])
    if name == "snapshot_penuh":
        left = _unrecorded_near_the_end(rng, villages["kecamatan_kode"], None)
        everyone = np.ones(len(villages), dtype=bool)
        wajib2, left2 = _week_later(rng, wajib, left, everyone)
        return Scenario(name, [FIRST, SECOND], [[_snapshot(villages, FIRST, wajib, left)],
                                                [_snapshot(villages, SECOND, wajib2, left2)]])
    if name == "hampir_tuntas":
        # Three kecamatan nearly done; the week after, one village in each reports.
        left = _unrecorded_near_the_end(rng, villages["kecamatan_kode"], NEARLY_DONE)
        for kec in ("73.02.03", "73.02.05"):
            members = np.flatnonzero(villages["kecamatan_kode"].to_numpy() == kec)
            left[members] = rng.choice([0, 0, 1, 2, 3, 4, 6, 9], size=len(members))
        first = [_snapshot(villages, FIRST, wajib, left), _activity(rng, villages, GERTAK_START, FIRST),
                 _gertak_target()]
        changed = np.zeros(len(villages), dtype=bool)
        for kec in ("73.02.03", "73.02.05", NEARLY_DONE):
            changed[np.flatnonzero(villages["kecamatan_kode"].to_numpy() == kec)[1]] = True
        wajib2, left2 = wajib.copy(), left.copy()
        left2[changed] = [0, 7, 3][: changed.sum()]
        second = [_snapshot(villages, SECOND, wajib2, left2, only=set(villages["kode"][changed])),
                  _activity(rng, villages, FIRST + dt.timedelta(days=1), SECOND, small_only=True)]
        return Scenario(name, [FIRST, SECOND], [first, second])
    if name == "tiga_minggu":
        # Three weeks of partial imports: each week a different group of kecamatan reports.
        left = _unrecorded_near_the_end(rng, villages["kecamatan_kode"], NEARLY_DONE)
        weeks = [[_snapshot(villages, FIRST, wajib, left), _activity(rng, villages, GERTAK_START, FIRST),
                  _gertak_target()]]
        kec = villages["kecamatan_kode"].to_numpy()
        for day, group, since in ((SECOND, ["73.02.01", "73.02.06", NEARLY_DONE], FIRST),
                                  (THIRD, ["73.02.01", "73.02.02", "73.02.07", "73.02.09"], SECOND)):
            reporting = np.isin(kec, group)
            wajib, left = _week_later(rng, wajib, left, reporting)
            weeks.append([_snapshot(villages, day, wajib, left, only=set(villages["kode"][reporting])),
                          _activity(rng, villages, since + dt.timedelta(days=1), day, small_only=True)])
        return Scenario(name, [FIRST, SECOND, THIRD], weeks)
    if name == "kabupaten_tuntas":
        return _regency_nearly_done(rng, villages, wajib)
    if name == "mitra_susulan":
        left = _unrecorded_near_the_end(rng, villages["kecamatan_kode"], NEARLY_DONE)
        first = [_snapshot(villages, FIRST, wajib, left), _activity(rng, villages, GERTAK_START, FIRST),
                 _gertak_target()]
        # The same date again: a partner's late report of work done before it.
        late = [_late_activity(rng, villages, GERTAK_START, FIRST)]
        reporting = villages["kecamatan_kode"].isin(["73.02.02", "73.02.05", NEARLY_DONE]).to_numpy()
        wajib2, left2 = _week_later(rng, wajib, left, reporting)
        second = [_snapshot(villages, SECOND, wajib2, left2, only=set(villages["kode"][reporting])),
                  _activity(rng, villages, FIRST + dt.timedelta(days=1), SECOND, small_only=True)]
        return Scenario(name, [FIRST, FIRST, SECOND], [first, late, second])
    if name == "setahun":
        return _a_year_of_months(rng, villages, wajib)
    raise KeyError(name)


def _regency_nearly_done(rng, villages: pd.DataFrame, wajib: np.ndarray) -> Scenario:
    """The whole regency at 3 unrecorded (two villages of two kecamatan) on the first date; a
    week later residents who turned 17 make it tens again, and the week after some of them
    record. Every trend the page draws compares with a date whose regency total was hidden."""
    kec = villages["kecamatan_kode"].to_numpy()
    left = np.zeros(len(villages), dtype=int)
    left[np.flatnonzero(kec == "73.02.01")[2]] = 1
    left[np.flatnonzero(kec == "73.02.06")[4]] = 2
    first = [_snapshot(villages, FIRST, wajib, left), _activity(rng, villages, GERTAK_START, FIRST),
             _gertak_target()]
    turned_17 = rng.random(len(villages)) < 0.3
    newcomers = np.where(turned_17, rng.choice([1, 2, 3, 5, 8], size=len(villages)), 0)
    wajib2 = wajib + newcomers
    left2 = newcomers - np.minimum(newcomers, rng.integers(0, 3, len(villages)))
    second = [_snapshot(villages, SECOND, wajib2, left2),
              _activity(rng, villages, FIRST + dt.timedelta(days=1), SECOND, small_only=True)]
    reporting = np.isin(kec, ["73.02.01", "73.02.03", "73.02.06", "73.02.09"])
    left3 = left2.copy()
    left3[reporting] -= np.minimum(left3[reporting], rng.integers(0, 4, int(reporting.sum())))
    third = [_snapshot(villages, THIRD, wajib2, left3, only=set(villages["kode"][reporting]))]
    return Scenario("kabupaten_tuntas", [FIRST, SECOND, THIRD], [first, second, third])


def _late_activity(rng, villages: pd.DataFrame, start: dt.date, end: dt.date) -> Batch:
    """Work reported late, dated before `end`: a few vulnerable residents for several partners."""
    codes = villages["kode"].to_numpy()
    span = (end - start).days
    rows = []
    for mitra, rentan, jumlah in (("ppdi", "disabilitas", 1), ("pmi", "lansia", 2), ("dai_muda", "lansia", 1),
                                  ("bkprmi", "umum", 12), ("lakpesdam_nu", "lansia", 3)):
        day = start + dt.timedelta(days=int(rng.integers(0, span)))
        rows.append({"tanggal": day, "mitra_kode": mitra, "desa_kode": codes[int(rng.integers(0, len(codes)))],
                     "layanan": "rekam_ektp", "jumlah": jumlah, "cara": "jemput_bola", "rentan": rentan})
    return Batch("kegiatan", rows)


def _a_year_of_months(rng, villages: pd.DataFrame, wajib: np.ndarray) -> Scenario:
    """Twelve monthly imports near the end of the drive: each month a third of the kecamatan
    report (residents recorded, some turning 17), and partners report the month's work."""
    left = _unrecorded_near_the_end(rng, villages["kecamatan_kode"], NEARLY_DONE)
    kec = villages["kecamatan_kode"].to_numpy()
    groups = np.array_split(np.array(sorted(set(kec))), 3)
    months = [[_snapshot(villages, MONTHS[0], wajib, left), _activity(rng, villages, GERTAK_START, MONTHS[0]),
               _gertak_target()]]
    for i, day in enumerate(MONTHS[1:], start=1):
        reporting = np.isin(kec, groups[i % 3])
        wajib, left = _week_later(rng, wajib, left, reporting)
        months.append([_snapshot(villages, day, wajib, left, only=set(villages["kode"][reporting])),
                       _activity(rng, villages, MONTHS[i - 1] + dt.timedelta(days=1), day, small_only=i % 2 == 1)])
    return Scenario("setahun", list(MONTHS), months)


SCENARIOS = ("satu_snapshot", "impor_sebagian", "snapshot_penuh", "hampir_tuntas", "tiga_minggu",
             "kabupaten_tuntas", "mitra_susulan")
