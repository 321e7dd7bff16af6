"""The published set for a date, built from the data module and kept per data version.

A date is protected together with the date before (suppress.publish_after), so this reads two
dates' figures: everything the view needs for the date shown, the protected figures for the
snapshot date before it. Built once per data version, then a dictionary look-up.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from .. import data, store
from . import view as v

PROGRAMME = ("gertak_2018", "rekam_ektp")


@dataclass
class _Entry:
    version: int
    views: dict[dt.date, v.PublicView] = field(default_factory=dict)
    newest: dt.date | None = None           # the store's newest date in this version
    building: dict[dt.date, threading.Event] = field(default_factory=dict)
    earlier: "_Entry | None" = None         # the version before, served while this one builds


_memo: dict[str, _Entry] = {}
#: How long a visitor waits for another's build before being shown the set before: a
#: regency's set is built in well under a second, so its visitors always see the newest.
WAIT_FOR_BUILD_S = 2.0
_lock = threading.Lock()  # guards _memo and the entries' dictionaries; never held while building


def programme_start(engine: sa.Engine) -> dt.date | None:
    """Partner figures on the public page count from GERTAK 2018's start (all time without it)."""
    status = data.programme_status(*PROGRAMME, engine=engine)
    return status.mulai if status else None


def frames_for(day: dt.date, engine: sa.Engine, start: dt.date | None) -> v.Frames:
    """The data module's frames for `day`, everything the view needs."""
    status = data.programme_status(*PROGRAMME, as_of=day, engine=engine)
    try:
        office = data.office_location(engine)
    except LookupError:
        office = None
    return v.Frames(
        tanggal=day, desa=data.coverage_villages(day, engine=engine),
        mitra=data.partner_leaderboard(start, day, None, None, engine),
        rentan=data.vulnerable_by_kecamatan(start, day, engine),
        kecamatan=data.coverage_kecamatan(day, engine),
        mitra_urutan=tuple(data.partners(engine)["kode"]),
        mitra_perekaman=data.partner_leaderboard(start, day, "rekam_ektp", None, engine),
        perubahan_30=data.recorded_change(day, 30, engine=engine),
        kabupaten_30_hari_lalu=data.coverage_total(pd.Timestamp(day) - pd.Timedelta(days=30), engine=engine),
        gertak=status,
        gertak_progres=data.programme_progress(*PROGRAMME, as_of=day, engine=engine) if status else None,
        kantor=office)


def protected_frames(day: dt.date, engine: sa.Engine, start: dt.date | None) -> v.Frames:
    """Just the figures that are protected, for the date before the one shown: the partners'
    sums without the villages they reached (not protected, and nationally a count of 3 million
    rows for a period that ends inside the data)."""
    return v.Frames(tanggal=day, desa=data.coverage_villages(day, engine=engine),
                    mitra=data.partner_totals(start, day, None, engine),
                    rentan=data.vulnerable_by_kecamatan(start, day, engine))


def date_before(day: dt.date, engine: sa.Engine) -> dt.date | None:
    """The newest registry snapshot date before `day` (None: `day` is the first)."""
    earlier = [d.date() for d in data.recorded_trend(engine=engine)["tanggal"] if d.date() < day]
    return max(earlier) if earlier else None


def public_view(as_of: dt.date | str | None = None, engine: sa.Engine | None = None) -> v.PublicView | None:
    """The published set for `as_of` (default: the newest date); None on an empty store."""
    engine = engine or store.default_engine()
    latest = data.latest_date(engine)
    if latest is None:
        return None
    day = pd.Timestamp(as_of).date() if as_of is not None else latest
    version = data.data_version(engine)
    url = str(engine.url)
    while True:
        with _lock:
            entry = _memo.get(url)
            if entry is None or entry.version != version:  # (lower too: a store restored)
                entry = _memo[url] = _Entry(version, newest=latest, earlier=_without_earlier(entry))
            if day in entry.views:
                return entry.views[day]
            building = entry.building.get(day)
            if building is None:
                building = entry.building[day] = threading.Event()
                break  # this visitor builds it
        if building.wait(timeout=WAIT_FOR_BUILD_S):
            continue  # built (or the build failed and another visitor may try): look again
        # Still building (nationally: seconds). Show the version before meanwhile, if it has
        # this view: it was the published set a moment ago, so it discloses nothing new.
        with _lock:
            earlier = _earlier_view(entry, as_of is None, day)
        if earlier is not None:
            return earlier
        building.wait(timeout=300)
    try:
        built = _build(day, engine)
        with _lock:
            entry.views[day] = built
        return built
    finally:
        with _lock:
            entry.building.pop(day, None)
        building.set()


def _build(day: dt.date, engine: sa.Engine) -> v.PublicView:
    start = programme_start(engine)
    before = date_before(day, engine)
    previous = protected_frames(before, engine, start) if before else None
    return v.publish(frames_for(day, engine, start), previous)


def preparing(engine: sa.Engine | None = None) -> bool:
    """True while the newest data's published set is being built (the page then shows the one
    before and says so)."""
    with _lock:
        entry = _memo.get(str((engine or store.default_engine()).url))
        return entry is not None and bool(entry.building)


def is_current(view: v.PublicView, engine: sa.Engine | None = None) -> bool:
    """False for a set served from the version before while the newest was being built (the
    page says so, and its refresh tick reruns it once `preparing` is over)."""
    with _lock:
        entry = _memo.get(str((engine or store.default_engine()).url))
        return entry is not None and entry.views.get(view.tanggal) is view


def _without_earlier(entry: _Entry | None) -> _Entry | None:
    """The entry kept as the version before: only one step back, so old versions are freed."""
    if entry is not None:
        entry.earlier = None
    return entry


def _earlier_view(entry: _Entry, newest: bool, day: dt.date) -> v.PublicView | None:
    """The version before's view of the same date (for the newest date: its own newest)."""
    earlier = entry.earlier
    if earlier is None:
        return None
    return earlier.views.get(earlier.newest if newest else day)
