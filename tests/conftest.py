"""Shared fixtures: the real boundaries from ../shared/wilayah and real stores.

The stores are SQLite files, or, when the suite runs with BULUKUMBA_DB_URL set to a PostgreSQL
server (as `.ci/run`'s second pass does), fresh databases on that server: one per store, dropped
at the end. Comparison tests that need both kinds at once find the server through
`postgres_server_url()` (BULUKUMBA_DB_URL or BULUKUMBA_TEST_PG_URL) and skip without one.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

PROJECT = Path(__file__).resolve().parents[1]
WILAYAH = PROJECT.parent / "shared" / "wilayah"

#: The store URL the suite was started with (read before the session fixture hides it).
_STARTED_WITH = os.environ.get("BULUKUMBA_DB_URL", "")
_created_databases: list[str] = []


def postgres_server_url() -> str | None:
    """A PostgreSQL server to create test databases on, or None (then such tests skip)."""
    for url in (_STARTED_WITH, os.environ.get("BULUKUMBA_TEST_PG_URL", "")):
        if url.startswith("postgresql"):
            return url
    return None


def on_postgres() -> bool:
    """True when this run's stores are PostgreSQL databases."""
    return _STARTED_WITH.startswith("postgresql")


#: For browser tests of layout alone (sizes, fit, accessibility): the database under the page
#: does not change what they measure, so the PostgreSQL pass does not repeat them; every browser
#: test that reads or writes the store (sign-in sessions, imports, live refresh) runs on both.
layout_only = pytest.mark.skipif(on_postgres(), reason="layout only: measured in the SQLite pass")


def new_postgres_url(hint: str = "uji", template: str | None = None) -> str:
    """A fresh database on the test server, empty or a copy of database `template`; its URL."""
    server = sa.make_url(postgres_server_url())
    name = f"{hint}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    admin.dispose()
    _created_databases.append(name)
    return server.set(database=name).render_as_string(hide_password=False)


def new_store_url(folder: Path, hint: str = "store") -> str:
    """A URL for a new, empty store of this run's kind."""
    if on_postgres():
        return new_postgres_url(hint)
    return f"sqlite:///{folder / (hint + '.sqlite')}"


def copy_of_store(template_url: str, folder: Path, hint: str = "salinan") -> str:
    """A new store holding what the store at `template_url` holds: a store built once (per test
    process or per file) and copied for each test, cheaper than building it again (a two-regency
    demo store takes about 5 s to build on PostgreSQL, its copy 0.1 s). No engine may be open on
    the template while it is copied (PostgreSQL refuses a template with connections)."""
    if template_url.startswith("postgresql"):
        return new_postgres_url(hint, template=sa.make_url(template_url).database)
    import sqlite3

    target = folder / f"{hint}.sqlite"
    with contextlib.closing(sqlite3.connect(template_url.removeprefix("sqlite:///"))) as source, \
            contextlib.closing(sqlite3.connect(target)) as copy:
        source.backup(copy)  # consistent whatever the journal mode
    return f"sqlite:///{target}"


def _drop_created_databases() -> None:
    if not _created_databases:
        return
    from bulukumba.storage import store

    store.engine_for.cache_clear()
    admin = sa.create_engine(sa.make_url(postgres_server_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in _created_databases:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()
    _created_databases.clear()


def shared_static_cache() -> Path:
    """One folder for the bundles compressed at brotli's best level, shared by every test server
    of both workers and both passes (and kept between runs). Its files are named by their
    content's digest, so a kept file is never stale. Before, each worker of each pass had a
    folder of its own: its servers compressed Streamlit's bundles again in the background (about
    38 s of CPU for all of them, measured with py-spy) until one lived long enough to finish."""
    folder = Path(tempfile.gettempdir()) / f"bulukumba-tests-static-br-{os.getuid()}"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session", autouse=True)
def _environment(tmp_path_factory):
    """Every test reads the real boundaries and writes only under a temporary folder (or into
    databases of its own on the test server)."""
    mp = pytest.MonkeyPatch()
    data_dir = tmp_path_factory.mktemp("data")
    mp.setenv("BULUKUMBA_WILAYAH", str(WILAYAH))
    mp.setenv("BULUKUMBA_DATA_DIR", str(data_dir))
    cache = tmp_path_factory.mktemp("cache")
    (cache / "static-br").symlink_to(shared_static_cache(), target_is_directory=True)
    mp.setenv("BULUKUMBA_CACHE_DIR", str(cache))
    if on_postgres():
        mp.setenv("BULUKUMBA_DB_URL", new_postgres_url("app"))  # the dashboard's own store
    else:
        mp.delenv("BULUKUMBA_DB_URL", raising=False)
    yield
    mp.undo()
    _drop_created_databases()


@pytest.fixture(scope="session", autouse=True)
def _components_scanned_once():
    """Streamlit's AppTest looks for installed v2 components before its first run: it reads the
    metadata of every installed distribution (about 500 here; 1-2 s each time on a busy machine,
    for every AppTest of the suite). What is installed does not change while the tests run, so
    the scan runs once per test process and every AppTest registers what it found."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    found: list = []

    def scanned_once(*args, **kwargs):
        if not found:
            found.append(scan(*args, **kwargs))
        return list(found[0])

    mp = pytest.MonkeyPatch()
    mp.setattr(manifest_scanner, "scan_component_manifests", scanned_once)
    yield
    mp.undo()


@pytest.fixture(scope="session")
def wilayah_dir() -> Path:
    assert (WILAYAH / "wilayah_boundaries_kel_73.02.sql").exists(), f"boundaries missing at {WILAYAH}"
    return WILAYAH


@pytest.fixture(scope="session")
def regions(wilayah_dir):
    from bulukumba.regions import load_regions

    return load_regions(str(wilayah_dir))


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory, regions):
    """Stores of this run's kind built once per test process, to copy with `copy_of_store`:
    `store_templates("rujukan")` holds the partners and the 136 villages, `("demo")` that and
    the demo data (to its last day, as the dashboard loads it). No engine stays open on them."""
    from bulukumba.storage import demo, reference, store

    built: dict[str, str] = {}

    def template(name: str) -> str:
        if name not in built:
            url = new_store_url(tmp_path_factory.mktemp(f"templat-{name}"), f"templat_{name}")
            engine = store.make_engine(url)
            reference.ensure_reference(engine, regions)
            if name == "demo":
                demo.load(engine)
            engine.dispose()
            built[name] = url
        return built[name]

    return template


@pytest.fixture
def engine(tmp_path, store_templates):
    """A fresh store with partners and the 136 villages, no figures."""
    from bulukumba.storage import store

    engine = store.make_engine(copy_of_store(store_templates("rujukan"), tmp_path, "store"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_engine(tmp_path_factory, regions):
    """A store filled with the demo data (as of 30 June 2018). Tests must not write to it."""
    from bulukumba.storage import demo, reference, store

    engine = store.make_engine(new_store_url(tmp_path_factory.mktemp("demo"), "demo"))
    reference.ensure_reference(engine, regions)
    demo.load(engine, as_of=DEMO_DAY)
    yield engine
    engine.dispose()


# ---------------------------------------------------------------------------------------------
# Fixtures more than one test file uses
# ---------------------------------------------------------------------------------------------

DEMO_DAY = dt.date(2018, 6, 30)


@pytest.fixture
def db(tmp_path):
    """The import tests' small synthetic store (import_support: three kecamatan, seven villages
    with their official codes, the eight partners), a SQLite file of the test's own."""
    from import_support import make_store

    engine = make_store(tmp_path / "t.sqlite")
    yield engine
    engine.dispose()


@pytest.fixture
def db_two_lembanna(tmp_path):
    """That store with a second village called Lembanna in Kajang."""
    from import_support import make_store

    engine = make_store(tmp_path / "dua.sqlite", extra_villages=[("73.02.06.2099", "Lembanna", "desa", "73.02.06")])
    yield engine
    engine.dispose()


@pytest.fixture
def app_demo_store(tmp_path, store_templates, monkeypatch):
    """A store of the test's own (the 136 villages, demo data) that the app under test uses
    (BULUKUMBA_DB_URL): its engine."""
    from bulukumba.storage import store

    url = copy_of_store(store_templates("demo"), tmp_path, "kelola")
    monkeypatch.setenv("BULUKUMBA_DB_URL", url)
    return store.engine_for(url)


@pytest.fixture(scope="session")
def two_regencies_template(tmp_path_factory, regions):
    """Bulukumba with its demo data, and a small second regency (Jeneponto: one kecamatan, two
    villages) with one snapshot per village; copied for each test by `two_regencies`."""
    from bulukumba.storage import demo, reference, store

    url = new_store_url(tmp_path_factory.mktemp("dua"), "dua")
    engine = store.make_engine(url)
    reference.ensure_reference(engine, regions)
    demo.load(engine, as_of=DEMO_DAY)
    with engine.begin() as conn:
        conn.execute(store.kabupaten.insert().values(kode="73.04", nama="Jeneponto"))
        conn.execute(store.kecamatan.insert().values(kode="73.04.01", nama="Bangkala", kabupaten_kode="73.04"))
        conn.execute(store.desa.insert(), [
            {"kode": "73.04.01.2001", "nama": "Desa Satu", "jenis": "desa", "kecamatan_kode": "73.04.01",
             "lat": -5.6, "lng": 119.6, "luas_km2": 12.0},
            {"kode": "73.04.01.1002", "nama": "Kelurahan Dua", "jenis": "kelurahan", "kecamatan_kode": "73.04.01",
             "lat": -5.61, "lng": 119.61, "luas_km2": 3.0}])
        batch = store.start_batch(conn, nama_file="jeneponto.csv", sha256="j" * 64, jenis="registri",
                                  jumlah_baris=2, oleh="pengujian")
        conn.execute(store.registri.insert(), [
            {"desa_kode": "73.04.01.2001", "tanggal": DEMO_DAY, "wajib_ktp": 2000, "sudah_rekam": 1500,
             "impor_id": batch},
            {"desa_kode": "73.04.01.1002", "tanggal": DEMO_DAY, "wajib_ktp": 1000, "sudah_rekam": 900,
             "impor_id": batch}])
    engine.dispose()
    return url


@pytest.fixture
def two_regencies(tmp_path, two_regencies_template):
    """(URL, engine) of a copy of the two-regency store, the test's own to write to."""
    from bulukumba.storage import store

    url = copy_of_store(two_regencies_template, tmp_path, "dua")
    return url, store.engine_for(url)


#: The demo dashboard's two accounts (kadis, operator) share this password; its slides turn
#: every DASHBOARD_SLIDE_SECONDS.
DASHBOARD_PASSWORD = "sandi-uji-peramban"
DASHBOARD_SLIDE_SECONDS = 4


@pytest.fixture(scope="module")
def demo_dashboard(tmp_path_factory, store_templates):
    """`streamlit run dashboard.py` on a free local port, one per test file, on a store of its own
    (SQLite, or PostgreSQL in that pass) holding the demo data: {"url", "env", "db"}. The
    department head (kadis) and an operator can sign in.

    The store is a copy of the demo template rather than one the server's first session fills:
    a tab opened before such a fill reloads itself once the figures are there (the public page's
    version poll), whichever test it belongs to."""
    import live_server
    from bulukumba.server import auth

    data_dir = tmp_path_factory.mktemp("browser-data")
    secrets = data_dir / "secrets.toml"
    hashed = auth.hash_password(DASHBOARD_PASSWORD, rounds=4)
    secrets.write_text(f'[pengguna.kadis]\nnama = "Kepala Dinas"\nperan = "pimpinan"\nhash_sandi = "{hashed}"\n'
                       f'[pengguna.operator]\nnama = "Operator SIAK"\nperan = "operator"\nhash_sandi = "{hashed}"\n')
    env = {**os.environ, "BULUKUMBA_DATA_DIR": str(data_dir), "BULUKUMBA_REFRESH_SECONDS": "2",
           "BULUKUMBA_SLIDE_SECONDS": str(DASHBOARD_SLIDE_SECONDS)}
    db = copy_of_store(store_templates("demo"), data_dir, "bulukumba")
    env["BULUKUMBA_DB_URL"] = db
    with live_server.dashboard(data_dir, env, secrets) as url:
        yield {"url": url, "env": env, "db": db}


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per test file (tests/live_server.py)."""
    pytest.importorskip("playwright.sync_api")
    import live_server

    with live_server.chromium() as chromium:
        yield chromium


# Markers, for a quick loop (`python -m pytest -m "not browser and not slow"`, see the README):
# `browser` is set here on every test that asks for a `browser` fixture (a file that starts
# Chromium itself says so); `postgres` and `slow` are set in the test files.
#
# What the PostgreSQL pass repeats (`.ci/run`'s second pass; the first runs everything on SQLite):
# what the database can change. Every data function is compared on both databases
# (test_data_postgres), so tests of what is drawn from their results, and of what never opens a
# store, run once, in the SQLite pass:
# - browser tests, unless marked `both_databases` (the sessions kept in the store through the
#   page, and an import by another process reaching an open page; a write the page makes, an
#   import or a partner's report, is the importer's or the form's, tested on both without a browser);
# - slow tests, unless marked `both_databases`;
# - the files below: parsing files, texts, charts, verdicts on frames, the pages' presentation.
# The store, its schema and upgrades, every write (imports, undo, sessions, publications, partner
# reports), the data states' edge cases and the sign-in flows run on both.
SAME_ON_EVERY_DATABASE = frozenset({
    "test_audience_texts.py", "test_auth.py", "test_chart_contrast.py", "test_import_checks.py",
    "test_import_headers.py", "test_import_hostile_forms.py", "test_import_limits.py",
    "test_import_mapping.py", "test_import_read.py", "test_import_templates.py", "test_import_values.py",
    "test_date_formats.py",
    "test_data_postgres.py",  # builds a SQLite and a PostgreSQL store itself: the same in both passes
    "test_layers.py",
    "test_library_internals.py", "test_omissions.py", "test_pages.py", "test_privacy.py",
    "test_projector.py", "test_public_reach.py", "test_regions.py", "test_sharedresults.py",
    "test_verdict.py",
})
_ONCE = pytest.mark.skip(reason="the same on every database: run in the SQLite pass")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        if not on_postgres() or item.get_closest_marker("both_databases") is not None:
            continue
        if item.get_closest_marker("browser") or item.get_closest_marker("slow") \
                or item.path.name in SAME_ON_EVERY_DATABASE:
            item.add_marker(_ONCE)
