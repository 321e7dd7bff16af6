"""The same data gives the same figures on SQLite and on PostgreSQL, for every data function.

Two stores are filled identically on each database: the calibrated demo data of Bulukumba, and
a small synthetic store of three regencies (benchmarks/scale_store.py, the national
benchmark's generator at a small size). Every public function of the data module is asked the
same questions of both. Needs a PostgreSQL server (BULUKUMBA_DB_URL or BULUKUMBA_TEST_PG_URL;
`.ci/run` starts one); skips without.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pandas as pd
import pytest

from bulukumba import figures
from bulukumba.storage import demo, reference, store
from conftest import new_postgres_url, postgres_server_url

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(postgres_server_url() is None,
                                 reason="no PostgreSQL server (set BULUKUMBA_TEST_PG_URL or run .ci/run)")]

PER = dt.date(2018, 6, 30)
KAJANG, TANAH_TOWA = "73.02.06", "73.02.06.2006"
GERTAK_START = dt.date(2018, 1, 19)

#: Functions that are not questions to the store.
NOT_QUERIES = {"DateLike", "answering_for", "clear_memo", "data_version", "memoised", "pin_version", "Coverage", "Change",
               "PRIORITY_WEIGHTS", "ProgrammeStatus", "Freshness", "Trend", "Trends", "change_over", "day_numbers"}


def trends_frame(trends: dict) -> pd.DataFrame:
    """`figures.kecamatan_trends` as one frame, to compare."""
    return pd.DataFrame([(code, t, r, c) for code, trend in sorted(trends.items())
                         for t, r, c in zip(trend.tanggal, trend.sudah_rekam, trend.cakupan)],
                        columns=["kecamatan_kode", "tanggal", "sudah_rekam", "cakupan"])


@pytest.fixture(scope="module")
def demo_pair(tmp_path_factory, regions):
    """(SQLite, PostgreSQL) engines holding the same demo data."""
    engines = []
    for url in (f"sqlite:///{tmp_path_factory.mktemp('vs') / 'demo.sqlite'}", new_postgres_url("vs_demo")):
        engine = store.make_engine(url)
        reference.ensure_reference(engine, regions)
        demo.load(engine, as_of=PER)
        engines.append(engine)
    yield engines
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="module")
def regencies_pair(tmp_path_factory):
    """(SQLite, PostgreSQL) engines holding the same small store of three regencies."""
    from benchmarks import scale_store

    engines = []
    for url in (f"sqlite:///{tmp_path_factory.mktemp('vs') / 'tiga.sqlite'}", new_postgres_url("vs_tiga")):
        engine = store.make_engine(url)
        scale_store.generate(engine, n_regencies=3, n_kecamatan=9, n_villages=70, months=8,
                             activity=4_000, log=lambda *_: None)
        engines.append(engine)
    yield engines
    for engine in engines:
        engine.dispose()


def same(a, b, where: str) -> None:
    if isinstance(a, pd.DataFrame):
        assert list(a.columns) == list(b.columns), where
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                      check_dtype=False, check_exact=False, rtol=1e-9, obj=where)
    elif dataclasses.is_dataclass(a):
        same(dataclasses.asdict(a), dataclasses.asdict(b), where)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9) or (math.isnan(a) and math.isnan(b)), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def demo_questions():
    """(name, call) pairs: every data function, with the arguments the pages use."""
    return [
        ("latest_date", lambda e: figures.latest_date(e)),
        ("coverage_villages", lambda e: figures.coverage_villages(PER, engine=e)),
        ("coverage_villages", lambda e: figures.coverage_villages("2018-01-19", KAJANG, e)),
        ("coverage_kecamatan", lambda e: figures.coverage_kecamatan(PER, e)),
        ("villages_reported", lambda e: figures.villages_reported(PER, e)),
        ("villages_reported", lambda e: figures.villages_reported("2018-01-19", e)),
        ("programme_targets", lambda e: figures.programme_targets("gertak_2018", "layanan", e)),
        ("programme_targets", lambda e: figures.programme_targets("gertak_2018", "kecamatan", e)),
        ("coverage_kabupaten", lambda e: figures.coverage_kabupaten(PER, e)),
        ("coverage_total", lambda e: figures.coverage_total(PER, engine=e)),
        ("coverage_total", lambda e: figures.coverage_total("2018-03-01", KAJANG, e)),
        ("recorded_trend", lambda e: figures.recorded_trend(engine=e)),
        ("recorded_trend", lambda e: figures.recorded_trend(KAJANG, "2018-01-01", PER, e)),
        ("kecamatan_trends", lambda e: trends_frame(figures.kecamatan_trends(e))),
        ("recorded_change", lambda e: figures.recorded_change(PER, 7, engine=e)),
        ("recorded_change", lambda e: figures.recorded_change(PER, 30, KAJANG, e)),
        ("village_history", lambda e: figures.village_history(TANAH_TOWA, PER, e)),
        ("village_histories", lambda e: figures.village_histories(end=PER, engine=e)),
        ("village_histories", lambda e: figures.village_histories(KAJANG, PER, e)),
        ("top_unrecorded", lambda e: figures.top_unrecorded(PER, 5, engine=e)),
        ("offices", lambda e: figures.offices(e)),
        ("office_location", lambda e: figures.office_location(e)),
        ("priority_villages", lambda e: figures.priority_villages(PER, engine=e)),
        ("priority_villages", lambda e: figures.priority_villages(PER, KAJANG, e, limit=5)),
        ("partners", lambda e: figures.partners(e)),
        ("partner_leaderboard", lambda e: figures.partner_leaderboard(GERTAK_START, PER, None, None, e)),
        ("partner_leaderboard", lambda e: figures.partner_leaderboard(None, PER, "rekam_ektp", KAJANG, e)),
        # Periods inside the data (1 May 2017 - 30 June 2018) at both ends: villages reached
        # counted from the rows.
        ("partner_leaderboard", lambda e: figures.partner_leaderboard("2017-06-01", "2017-12-31", None, None, e)),
        ("partner_leaderboard", lambda e: figures.partner_leaderboard("2018-02-10", "2018-03-03", "kk", None, e)),
        ("partner_totals", lambda e: figures.partner_totals(GERTAK_START, "2018-05-31", None, e)),
        ("partner_totals", lambda e: figures.partner_totals(None, PER, "rekam_ektp", e)),
        ("partner_monthly", lambda e: figures.partner_monthly(None, PER, None, engine=e)),
        ("partner_monthly", lambda e: figures.partner_monthly(GERTAK_START, PER, "rekam_ektp", "lakpesdam_nu", KAJANG, e)),
        ("partner_villages", lambda e: figures.partner_villages("lakpesdam_nu", None, PER, None, e)),
        ("partner_village_count", lambda e: figures.partner_village_count("pkk", None, PER, None, e)),
        ("partner_village_count", lambda e: figures.partner_village_count("pkk", "2017-06-01", "2017-12-31",
                                                                       "rekam_ektp", e)),
        ("village_services", lambda e: figures.village_services(TANAH_TOWA, end=PER, engine=e)),
        ("partner_activity", lambda e: figures.partner_activity(None, PER, engine=e)),
        ("partner_activity", lambda e: figures.partner_activity(GERTAK_START, PER, "rekam_ektp", KAJANG, e)),
        ("vulnerable_by_kecamatan", lambda e: figures.vulnerable_by_kecamatan(GERTAK_START, PER, e)),
        # What a partner account sees of the figures (Laporan mitra): its own rows only.
        ("partner_own", lambda e: figures.partner_own("ppdi", e)),
        ("partner_own_villages", lambda e: figures.partner_own_villages("pkk", e)),
        ("partner_programme_part", lambda e: figures.partner_programme_part("lakpesdam_nu", e)),
        ("activity_total", lambda e: figures.activity_total("rekam_ektp", GERTAK_START, PER, engine=e)),
        ("activity_total", lambda e: figures.activity_total("akta_kelahiran", "2018-03-01", PER, KAJANG, e)),
        ("targets", lambda e: figures.targets(engine=e)),
        ("programme_progress", lambda e: figures.programme_progress("gertak_2018", as_of=PER, engine=e)),
        ("programme_status", lambda e: figures.programme_status("gertak_2018", as_of=PER, engine=e)),
        ("programme_status", lambda e: figures.programme_status("kemitraan_2017", "rekam_ektp", as_of=PER, engine=e)),
        ("programme_statuses", lambda e: figures.programme_statuses("gertak_2018", "layanan", PER, e)),
        ("programme_statuses", lambda e: figures.programme_statuses("gertak_2018", "kecamatan", PER, e)),
        ("programme_period", lambda e: figures.programme_period("gertak_2018", e)),
        # The public page's form: the target judged on a trend it has published.
        ("programme_on_trend", lambda e: figures.programme_on_trend(figures.recorded_trend(engine=e), "gertak_2018",
                                                                 as_of=PER, engine=e)),
        ("regencies", lambda e: figures.regencies(e)),
        ("kecamatan_names", lambda e: figures.kecamatan_names(e)),
        ("region_label", lambda e: figures.region_label(KAJANG, engine=e)),
        ("freshness", lambda e: dataclasses.replace(figures.freshness(e), versi=0, diperbarui=None)),
        ("import_history", lambda e: figures.import_history(e).drop(columns=["waktu"])),
    ]


def test_every_data_function_is_compared():
    asked = {name for name, _ in demo_questions()}
    public = set(figures.__all__) - NOT_QUERIES
    assert public - asked == set(), f"data functions nobody compares: {sorted(public - asked)}"


@pytest.mark.parametrize("index", range(len(demo_questions())),
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(demo_questions())])
def test_demo_figures_are_the_same_on_both_databases(demo_pair, index):
    name, ask = demo_questions()[index]
    sqlite, postgres = demo_pair
    same(ask(sqlite), ask(postgres), name)


def test_several_regencies_give_the_same_figures_on_both_databases(regencies_pair):
    sqlite, postgres = regencies_pair
    regencies = figures.regencies(sqlite)
    assert len(regencies) == 3
    same(regencies, figures.regencies(postgres), "regencies")
    kab = regencies["kode"].iloc[1]
    kec = next(iter(figures.kecamatan_names(sqlite, kab)))
    per = figures.latest_date(sqlite)
    questions = [
        lambda e: figures.coverage_total(per, engine=e),
        lambda e: figures.coverage_total(per, engine=e, kabupaten=kab),
        lambda e: figures.coverage_kecamatan(per, e, kabupaten=kab),
        lambda e: figures.coverage_kabupaten(per, e),
        lambda e: figures.coverage_villages(per, kec, e),
        lambda e: figures.recorded_trend(engine=e, kabupaten=kab),
        lambda e: figures.top_unrecorded(per, 5, engine=e),
        lambda e: figures.priority_villages(per, engine=e, limit=20),
        lambda e: figures.priority_villages(per, kec, e),
        lambda e: figures.partner_leaderboard(None, per, None, None, e, kabupaten=kab),
        lambda e: figures.partner_monthly(None, per, "rekam_ektp", engine=e, kabupaten=kab),
        lambda e: figures.vulnerable_by_kecamatan(None, per, e, kabupaten=kab),
        lambda e: figures.partner_totals(None, per, None, e, kab),
        lambda e: figures.partner_totals(None, per, "rekam_ektp", e, kab),
        lambda e: figures.programme_status("gertak_2018", as_of=per, engine=e),
        lambda e: figures.programme_status("gertak_2018", as_of=per, engine=e, kabupaten=kab),
        lambda e: figures.programme_statuses("gertak_2018", "kecamatan", per, e, kabupaten=kab),
        lambda e: figures.region_label(None, kab, e),
        lambda e: figures.kecamatan_names(e, kab),
    ]
    for i, ask in enumerate(questions):
        same(ask(sqlite), ask(postgres), f"question {i}")
