"""Shared fixtures: the real boundaries from ../shared/wilayah and real SQLite stores."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
WILAYAH = PROJECT.parent / "shared" / "wilayah"


@pytest.fixture(scope="session", autouse=True)
def _environment(tmp_path_factory):
    """Every test reads the real boundaries and writes only under a temporary folder."""
    mp = pytest.MonkeyPatch()
    data_dir = tmp_path_factory.mktemp("data")
    mp.setenv("BULUKUMBA_WILAYAH", str(WILAYAH))
    mp.setenv("BULUKUMBA_DATA_DIR", str(data_dir))
    mp.setenv("BULUKUMBA_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    mp.delenv("BULUKUMBA_DB_URL", raising=False)
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


@pytest.fixture
def engine(tmp_path, regions):
    """A fresh SQLite store with partners and the 136 villages, no figures."""
    from bulukumba import reference, store

    engine = store.make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    reference.ensure_reference(engine, regions)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_engine(tmp_path_factory, regions):
    """A store filled with the demo data (as of 30 June 2018). Tests must not write to it."""
    from bulukumba import demo, reference, store

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    engine = store.make_engine(f"sqlite:///{path}")
    reference.ensure_reference(engine, regions)
    demo.load(engine, as_of=dt.date(2018, 6, 30))
    yield engine
    engine.dispose()
