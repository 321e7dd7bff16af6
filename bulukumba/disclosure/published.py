"""The published set for a date, built from the data module and kept per data version.

A date is protected together with the date before (suppress.publish_after), so this reads two
dates' figures: everything the view needs for the date shown, the protected figures for the
snapshot date before it. Built once per data version, then a dictionary look-up.

The published unit is a regency (the root of the registry table). A store of several regencies
publishes each on its own: their villages and their partners' figures in one regency share no
published relation with another's, so protecting each alone protects them together, and a
regency's set is built in well under a second where the whole country's took 5-6 s.
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
    views: dict[tuple, v.PublicView] = field(default_factory=dict)     # by (date, regency)
    newest: dt.date | None = None           # the store's newest date in this version
    building: dict[tuple, threading.Event] = field(default_factory=dict)
    earlier: "_Entry | None" = None         # the version before, served while this one builds


_memo: dict[str, _Entry] = {}
#: How long a visitor waits for another's build before being shown the set before: a
#: regency's set is built in well under a second, so its visitors always see the newest.
WAIT_FOR_BUILD_S = 2.0
_lock = threading.Lock()  # guards _memo and the entries' dictionaries; never held while building


def programme_status(day: dt.date | None, engine: sa.Engine, kabupaten: str | None = None):
    """GERTAK 2018's e-KTP target of the regency published (of the whole store without one)."""
    return data.programme_status(*PROGRAMME, as_of=day, engine=engine, kabupaten=kabupaten)


def programme_start(engine: sa.Engine, kabupaten: str | None = None) -> dt.date | None:
    """Partner figures on the public page count from GERTAK 2018's start: the regency's target,
    else the whole store's (the programme ran nationwide on one calendar); all time without."""
    status = programme_status(None, engine, kabupaten) or (
        programme_status(None, engine) if kabupaten is not None else None)
    return status.mulai if status else None


def frames_for(day: dt.date, engine: sa.Engine, start: dt.date | None, kabupaten: str | None = None) -> v.Frames:
    """The data module's frames for `day` (in one regency, or the whole store), everything the
    view needs."""
    status = programme_status(day, engine, kabupaten)
    try:
        office = data.office_location(engine, kabupaten)
    except LookupError:
        office = None
    return v.Frames(
        tanggal=day, desa=data.coverage_villages(day, engine=engine, kabupaten=kabupaten),
        mitra=data.partner_leaderboard(start, day, None, None, engine, kabupaten=kabupaten),
        rentan=data.vulnerable_by_kecamatan(start, day, engine, kabupaten=kabupaten),
        kecamatan=data.coverage_kecamatan(day, engine, kabupaten=kabupaten),
        mitra_urutan=tuple(data.partners(engine)["kode"]),
        mitra_perekaman=data.partner_leaderboard(start, day, "rekam_ektp", None, engine, kabupaten=kabupaten),
        perubahan_30=data.recorded_change(day, 30, engine=engine, kabupaten=kabupaten),
        kabupaten_30_hari_lalu=data.coverage_total(pd.Timestamp(day) - pd.Timedelta(days=30), engine=engine,
                                                   kabupaten=kabupaten),
        gertak=status,
        gertak_progres=data.programme_progress(*PROGRAMME, as_of=day, engine=engine, kabupaten=kabupaten)
        if status else None,
        kantor=office)


def protected_frames(day: dt.date, engine: sa.Engine, start: dt.date | None,
                     kabupaten: str | None = None) -> v.Frames:
    """Just the figures that are protected, for the date before the one shown: the partners'
    sums without the villages they reached (not protected, and nationally a count of 3 million
    rows for a period that ends inside the data)."""
    return v.Frames(tanggal=day, desa=data.coverage_villages(day, engine=engine, kabupaten=kabupaten),
                    mitra=data.partner_totals(start, day, None, engine, kabupaten),
                    rentan=data.vulnerable_by_kecamatan(start, day, engine, kabupaten=kabupaten))


def date_before(day: dt.date, engine: sa.Engine, kabupaten: str | None = None) -> dt.date | None:
    """The regency's newest registry snapshot date before `day` (None: `day` is the first)."""
    earlier = [d.date() for d in data.recorded_trend(engine=engine, kabupaten=kabupaten)["tanggal"] if d.date() < day]
    return max(earlier) if earlier else None


def public_view(as_of: dt.date | str | None = None, engine: sa.Engine | None = None,
                kabupaten: str | None = None) -> v.PublicView | None:
    """The published set of one regency (None: the whole store, which the public page asks for
    only when the store holds one regency) for `as_of` (default: the newest date); None on an
    empty store."""
    engine = engine or store.default_engine()
    latest = data.latest_date(engine)
    if latest is None:
        return None
    day = pd.Timestamp(as_of).date() if as_of is not None else latest
    wanted = (day, kabupaten)
    version = data.data_version(engine)
    url = str(engine.url)
    while True:
        with _lock:
            entry = _memo.get(url)
            if entry is None or entry.version != version:  # (lower too: a store restored)
                entry = _memo[url] = _Entry(version, newest=latest, earlier=_without_earlier(entry))
            if wanted in entry.views:
                return entry.views[wanted]
            building = entry.building.get(wanted)
            if building is None:
                building = entry.building[wanted] = threading.Event()
                break  # this visitor builds it
        if building.wait(timeout=WAIT_FOR_BUILD_S):
            continue  # built (or the build failed and another visitor may try): look again
        # Still building (nationally: seconds). Show the version before meanwhile, if it has
        # this view: it was the published set a moment ago, so it discloses nothing new.
        with _lock:
            earlier = _earlier_view(entry, as_of is None, wanted)
        if earlier is not None:
            return earlier
        building.wait(timeout=300)
    try:
        built = _build(day, engine, kabupaten)
        with _lock:
            entry.views[wanted] = built
        return built
    finally:
        with _lock:
            entry.building.pop(wanted, None)
        building.set()


def _build(day: dt.date, engine: sa.Engine, kabupaten: str | None) -> v.PublicView:
    start = programme_start(engine, kabupaten)
    before = date_before(day, engine, kabupaten)
    previous = protected_frames(before, engine, start, kabupaten) if before else None
    return v.publish(frames_for(day, engine, start, kabupaten), previous)


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
        return entry is not None and any(built is view for built in entry.views.values())


def _without_earlier(entry: _Entry | None) -> _Entry | None:
    """The entry kept as the version before: only one step back, so old versions are freed."""
    if entry is not None:
        entry.earlier = None
    return entry


def _earlier_view(entry: _Entry, newest: bool, wanted: tuple) -> v.PublicView | None:
    """The version before's view of the same date and regency (for the newest date: its own
    newest)."""
    earlier = entry.earlier
    if earlier is None:
        return None
    day, kabupaten = wanted
    return earlier.views.get((earlier.newest if newest else day, kabupaten))
