"""The published set for a date, built from the data module and kept per data version.

A date's protection depends on what the date before published (suppress.py), so the set for a
date is built along the registry's snapshot dates from the first: what a visitor who came back
each time new figures arrived would have seen. It is built once per data version and then
costs a dictionary look-up; a new import starts afresh.
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from .. import data, store
from . import history
from . import view as v

PROGRAMME = ("gertak_2018", "rekam_ektp")


@dataclass
class _Entry:
    version: int
    publications: dict[dt.date, v.Publication] = field(default_factory=dict)
    views: dict[dt.date, v.PublicView] = field(default_factory=dict)


_memo: dict[str, _Entry] = {}
_lock = threading.Lock()


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


def earlier_frames(day: dt.date, engine: sa.Engine, start: dt.date | None) -> list[v.Frames]:
    """Frames (the protected figures only) for every snapshot date before `day`, oldest first."""
    snapshots = sorted({d.date() for d in data.recorded_trend(engine=engine)["tanggal"]} )
    dates = [d for d in snapshots if d < day]
    if not dates:
        return []
    tables = data.tables(engine)
    registry = history.registry_by_date(tables, dates)
    activity = history.activity_by_date(tables, start, dates)
    return [v.Frames(tanggal=d, desa=registry[d], mitra=activity[d][0], rentan=activity[d][1]) for d in dates]


def public_view(as_of: dt.date | str | None = None, engine: sa.Engine | None = None) -> v.PublicView | None:
    """The published set for `as_of` (default: the newest date); None on an empty store."""
    engine = engine or store.default_engine()
    latest = data.latest_date(engine)
    if latest is None:
        return None
    day = pd.Timestamp(as_of).date() if as_of is not None else latest
    version = data.data_version(engine)
    with _lock:
        entry = _memo.get(str(engine.url))
        if entry is None or entry.version != version:
            entry = _memo[str(engine.url)] = _Entry(version)
        if day not in entry.views:
            start = programme_start(engine)
            before = None
            for frames in earlier_frames(day, engine, start):
                if frames.tanggal not in entry.publications:
                    entry.publications[frames.tanggal] = v.protect(frames, before)
                before = entry.publications[frames.tanggal]
            entry.views[day] = v.publish(frames_for(day, engine, start), before)
            entry.publications.setdefault(day, entry.views[day].publikasi)
        return entry.views[day]
