"""What every data function shares: the engine, the data version, the memo, and query helpers.

The data version (a counter the store bumps in the same transaction as every write) keys a
per-process memo of results. A Streamlit script run pins the version it read once at its start
(`pin_version`, called by web/live.py), so a page of twenty calls costs one version query, not twenty;
outside Streamlit each outermost call reads the version itself, so a write in any process shows
on the next call. Before the first query of a new version, the derived registry summaries are
brought up to date (summaries.refresh) if any writer left villages marked.

Concurrent callers asking the same question of the same version wait for the first one's answer
instead of sending the same query again (twenty sessions rerunning after an import cost one
query per question, not twenty).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import re
import threading
import time

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from bulukumba.storage import store, summaries
from bulukumba.figures import driver
from bulukumba.figures.sharedresults import SharedResults

DateLike = dt.date | str | pd.Timestamp | None

#: Results kept per engine and version; a version's memo is dropped when a newer one is read.
MEMO_ENTRIES = 4096


def engine_or_default(engine: sa.Engine | None) -> sa.Engine:
    return engine or store.default_engine()


def data_version(engine: sa.Engine | None = None) -> int:
    """Cheap number that changes after every write; key caches on it. Always a fresh read."""
    with engine_or_default(engine).connect() as conn:
        return store.data_version(conn)


# ---------------------------------------------------------------------------------------------
# The version a call answers for
# ---------------------------------------------------------------------------------------------

_local = threading.local()


def pin_version(version: int | None, engine: sa.Engine | None = None) -> None:
    """Answer every call of this thread for `version` (None: unpin) until the next pin.

    web/live.py pins the version it reads at the start of each script run; Streamlit runs each
    session's script in a thread of its own, and every full run starts by pinning again.
    """
    _local.pin = None if version is None else (str(engine_or_default(engine).url), version)


@contextlib.contextmanager
def answering_for(version: int, engine: sa.Engine | None = None):
    """Within the block, every data call of this thread answers for `version`, unless the thread
    has pinned a version already. The public server builds a page shell, a card or a file for
    the version it read: one version query per build instead of one per memoised call."""
    engine = engine_or_default(engine)
    if _pinned(engine) is not None:
        yield
        return
    pin_version(version, engine)
    try:
        yield
    finally:
        pin_version(None)


def _pinned(engine: sa.Engine) -> int | None:
    pin = getattr(_local, "pin", None)
    return pin[1] if pin is not None and pin[0] == str(engine.url) else None


# ---------------------------------------------------------------------------------------------
# The memo
# ---------------------------------------------------------------------------------------------

class _Memo:
    """One engine's results for one data version."""

    def __init__(self, version: int):
        self.version = version
        self.results = SharedResults(MEMO_ENTRIES)
        self.lock = threading.Lock()
        self.ready = False                 # summaries checked (and refreshed) for this version
        self.readying: threading.Event | None = None  # set when the thread checking them is done

    def get(self, key, compute):
        return self.results.get(key, compute)


_memos: dict[str, dict[int, _Memo]] = {}
_memos_lock = threading.Lock()


def _memo(engine: sa.Engine, version: int) -> _Memo:
    url = str(engine.url)
    with _memos_lock:
        versions = _memos.setdefault(url, {})
        memo = versions.get(version)
        if memo is None:
            memo = versions[version] = _Memo(version)
            for old in sorted(versions)[:-2]:  # keep the newest two: sessions may lag one behind
                del versions[old]
    # One thread per version brings the summaries up to date; the others wait for it, and try
    # themselves if it failed.
    while True:
        with memo.lock:
            if memo.ready:
                return memo
            leader = memo.readying is None
            if leader:
                memo.readying = threading.Event()
            done = memo.readying
        if not leader:
            done.wait(timeout=300)
            continue
        try:
            _refresh_summaries(engine)
            memo.ready = True
        finally:
            with memo.lock:
                memo.readying = None
            done.set()
        return memo


def clear_memo() -> None:
    """Forget every remembered result (tests and benchmarks measure cold calls with it)."""
    with _memos_lock:
        _memos.clear()


def _refresh_summaries(engine: sa.Engine) -> None:
    """Bring the derived registry tables up to date if a writer left villages marked.

    The refresh writes; on SQLite another writer may hold the lock for a while (a large import),
    so it waits and retries rather than failing the page.
    """
    with engine.connect() as conn:
        if not summaries.is_dirty(conn):
            return
    deadline = time.monotonic() + 120
    while True:
        try:
            with engine.begin() as conn:
                summaries.refresh(conn)
            return
        except sa.exc.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def memoised(func):
    """Remember `func`'s result per engine, data version and arguments (callers get a copy of
    a DataFrame). Inside the call, nested data calls answer for the same version."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        engine = engine_or_default(bound.arguments.get("engine"))
        bound.arguments["engine"] = engine
        key = (func.__name__, *((k, _key(v)) for k, v in bound.arguments.items() if k != "engine"))

        def answer(version: int):
            return _memo(engine, version).get(key, lambda: func(*bound.args, **bound.kwargs))

        version = _pinned(engine)
        if version is not None:  # inside a page run or a server build: the common case
            result = answer(version)
        else:  # an outermost call: read the version, and nested calls answer for it too
            version = data_version(engine)
            with answering_for(version, engine):
                result = answer(version)
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


# ---------------------------------------------------------------------------------------------
# Query helpers
# ---------------------------------------------------------------------------------------------

def day(value: DateLike) -> dt.date | None:
    """A date as the database compares it."""
    return None if value is None else pd.Timestamp(value).date()


def ts(value: DateLike) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value).normalize()


def fetch(engine: sa.Engine, query, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """Run one query; its rows as a DataFrame (date columns as datetime64)."""
    with engine.connect() as conn:
        result = conn.execute(query)
        frame = pd.DataFrame(driver.plain_rows(result), columns=list(result.keys()))
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def fetch_columns(engine: sa.Engine, query, integers: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Run one query; its columns as numpy arrays (`integers` as int64, the rest as objects).

    For queries of hundreds of thousands of rows whose columns need no conversion (codes,
    integers; dates as `epoch_days`): the driver's rows go straight into arrays, without a
    SQLAlchemy Row or a pandas row-wise build per row (nearly twice as fast at national size)."""
    with engine.connect() as conn:
        result = conn.execute(query)
        names = list(result.keys())
        rows = driver.driver_rows(result)
    return {name: np.fromiter((row[i] for row in rows), dtype="int64" if name in integers else object, count=len(rows))
            for i, name in enumerate(names)}


def first_row(engine: sa.Engine, query):
    with engine.connect() as conn:
        return conn.execute(query).first()


def total(column) -> sa.ColumnElement:
    """SUM as a whole number on every database (PostgreSQL sums BIGINT into NUMERIC), 0 if none."""
    return sa.cast(sa.func.coalesce(sa.func.sum(column), 0), sa.BigInteger)


def total_if(condition, column) -> sa.ColumnElement:
    return total(sa.case((condition, column), else_=0))


def active(column) -> sa.ColumnElement:
    """Rows of active import batches only."""
    return column.in_(store.active_batches())


def kecamatan_in_scope(column, kecamatan: str | None, kabupaten: str | None):
    """A filter on a kecamatan code column for one kecamatan, one regency, or (None) everything."""
    if kecamatan is not None:
        return column == kecamatan
    if kabupaten is not None:
        return column.in_(sa.select(store.kecamatan.c.kode).where(store.kecamatan.c.kabupaten_kode == kabupaten))
    return None


def villages_in_scope(column, kecamatan: str | None, kabupaten: str | None):
    """A filter on a village code column (kegiatan.desa_kode) for a kecamatan or regency."""
    within = kecamatan_in_scope(store.desa.c.kecamatan_kode, kecamatan, kabupaten)
    return None if within is None else column.in_(sa.select(store.desa.c.kode).where(within))


def where(query, *conditions):
    """`query` with every condition that is not None."""
    kept = [c for c in conditions if c is not None]
    return query.where(*kept) if kept else query


class month_start(FunctionElement):
    """The first day of the month of a DATE column, on SQLite and PostgreSQL."""
    type = sa.Date()
    inherit_cache = True


@compiles(month_start)
def _month_start_default(element, compiler, **kw):
    return "CAST(date_trunc('month', %s) AS DATE)" % compiler.process(element.clauses, **kw)


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return "date(%s, 'start of month')" % compiler.process(element.clauses, **kw)


class epoch_days(FunctionElement):
    """Days since 1970-01-01 of a DATE column, as an integer, on SQLite and PostgreSQL: numpy
    reads it as datetime64[D] with no date object per row (fetch_columns)."""
    type = sa.BigInteger()
    inherit_cache = True


@compiles(epoch_days)
def _epoch_days_default(element, compiler, **kw):
    return "(%s - DATE '1970-01-01')" % compiler.process(element.clauses, **kw)


@compiles(epoch_days, "sqlite")
def _epoch_days_sqlite(element, compiler, **kw):
    return "CAST(julianday(%s) - 2440587.5 AS INTEGER)" % compiler.process(element.clauses, **kw)


def shares(recorded, wajib) -> np.ndarray:
    """Coverage: recorded / wajib KTP (float64), NaN where no one is wajib KTP (or unknown)."""
    recorded, wajib = np.asarray(recorded, dtype="float64"), np.asarray(wajib, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(wajib > 0, recorded / wajib, np.nan)


def add_shares(frame: pd.DataFrame) -> pd.DataFrame:
    frame["belum_rekam"] = frame["wajib_ktp"] - frame["sudah_rekam"]
    frame["cakupan"] = shares(frame["sudah_rekam"].astype("float64"), frame["wajib_ktp"].astype("float64"))
    return frame
