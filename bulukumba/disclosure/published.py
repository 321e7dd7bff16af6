"""The published set for a date, built from the data module and kept per data version.

Building it publishes: every registry snapshot date of the regency up to the date shown (its
trends use their regency figures), and the partner table of the date shown, each one that is
not published yet with these figures audited against every publication kept in the store
(history.py) and then kept there. After an import that is the new date's two tables; on a
store that has published nothing yet, every date once. Built once per data version, then a
dictionary look-up.

The trends a page shows (the change in recorded residents, GERTAK's achievement, pace and
projected finish, the progress chart) are read from that history: from each date's published
regency figures, never from the store's figures for a date whose regency total was hidden.

The published unit is a regency (the root of the registry table). A store of several regencies
publishes each on its own: their villages and their partners' figures in one regency share no
published relation with another's, so protecting each alone protects them together, and a
regency's set is built in well under a second where the whole country's took 5-6 s.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from bulukumba import figures
from bulukumba.storage import store
from bulukumba.disclosure import history as h
from bulukumba.disclosure import suppress as sp
from bulukumba.disclosure import view as v

PROGRAMME = ("gertak_2018", "rekam_ektp")
#: How often a build reads the history again when another process recorded meanwhile.
RECORD_ATTEMPTS = 5
#: How long a build waits for another writer's lock before giving up (SQLite's one writer).
RECORD_WAIT_S = 120


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


def clear_memo() -> None:
    """Forget every published set held in memory, as a restarted process has none (tests); the
    published history in the store stays."""
    with _lock:
        _memo.clear()


def programme_status(day: dt.date | None, engine: sa.Engine, kabupaten: str | None = None):
    """GERTAK 2018's e-KTP target of the regency published (of the whole store without one)."""
    return figures.programme_status(*PROGRAMME, as_of=day, engine=engine, kabupaten=kabupaten)


def programme_start(engine: sa.Engine, kabupaten: str | None = None) -> dt.date | None:
    """Partner figures on the public page count from GERTAK 2018's start: the regency's target,
    else the whole store's (the programme ran nationwide on one calendar); all time without."""
    status = programme_status(None, engine, kabupaten) or (
        programme_status(None, engine) if kabupaten is not None else None)
    return status.mulai if status else None


def frames_for(day: dt.date, engine: sa.Engine, start: dt.date | None, kabupaten: str | None = None) -> v.Frames:
    """The data module's frames for `day` (in one regency, or the whole store), everything the
    view needs."""
    try:
        office = figures.office_location(engine, kabupaten)
    except LookupError:
        office = None
    return v.Frames(
        tanggal=day, desa=figures.coverage_villages(day, engine=engine, kabupaten=kabupaten),
        mitra=figures.partner_leaderboard(start, day, None, None, engine, kabupaten=kabupaten),
        rentan=figures.vulnerable_by_kecamatan(start, day, engine, kabupaten=kabupaten),
        kecamatan=figures.coverage_kecamatan(day, engine, kabupaten=kabupaten),
        mitra_urutan=tuple(figures.partners(engine)["kode"]),
        mitra_perekaman=figures.partner_leaderboard(start, day, "rekam_ektp", None, engine, kabupaten=kabupaten),
        kantor=office)


def registry_tables(day: dt.date, villages: pd.DataFrame, engine: sa.Engine,
                    kabupaten: str | None = None) -> dict[dt.date, sp.Table]:
    """The registry table of every snapshot date of the regency up to `day`: on each, every
    village with its latest snapshot so far (as figures.coverage_villages gives it), from one read
    of every snapshot (figures.village_histories). `villages`: the regency's villages (kode,
    kecamatan_kode)."""
    snapshots = figures.village_histories(end=day, engine=engine, kabupaten=kabupaten)
    if snapshots.empty:
        return {}
    snapshots = snapshots.merge(villages[["kode", "kecamatan_kode"]], on="kode")
    snapshots = snapshots.sort_values(["tanggal", "kode"], kind="stable")
    tables = {}
    for when in sorted(snapshots["tanggal"].unique()):
        so_far = snapshots[snapshots["tanggal"] <= when].drop_duplicates("kode", keep="last")
        tables[pd.Timestamp(when).date()] = v.registry_table(so_far)
    return tables


def history_key(engine: sa.Engine, kabupaten: str | None) -> str:
    """Whose history a publication joins: the regency's code; a store of one regency publishes
    as that regency, so its history stays its own when another regency is added later."""
    if kabupaten is not None:
        return kabupaten
    regencies = figures.regencies(engine)
    return str(regencies["kode"].iloc[0]) if len(regencies) == 1 else ""


def publish_history(day: dt.date, frames: v.Frames, engine: sa.Engine, kabupaten: str | None,
                    version: int) -> tuple[v.Publication, list[sp.Published]]:
    """Publish what `day`'s view needs and is not published yet with these figures (every
    registry date up to it, its partner table), each against every publication kept; keep them.
    Returns the day's publication and the registry's publications up to it, in order."""
    registry = registry_tables(day, frames.desa, engine, kabupaten)
    registry.setdefault(day, v.registry_table(frames.desa))
    vulnerable = v.vulnerable_table(frames.mitra, frames.rentan)
    wilayah = history_key(engine, kabupaten)
    for _ in range(RECORD_ATTEMPTS):
        kept = h.load(engine, wilayah)
        new: list[tuple[str, sp.Published]] = []
        for when, table in sorted(registry.items()):
            _publish(kept, h.REGISTRY, table, when, new)
        _publish(kept, h.VULNERABLE, vulnerable, day, new)
        if not new or _record(engine, kept, new, version):
            break
    else:
        raise RuntimeError(f"{wilayah}: other processes kept publishing; the set was not recorded")
    return (v.Publication(day, kept.latest(h.REGISTRY, day), kept.latest(h.VULNERABLE, day)),
            [kept.latest(h.REGISTRY, when) for when in sorted(registry)])


def _record(engine: sa.Engine, kept: h.History, new: list, version: int) -> bool:
    """h.record, waiting while another writer holds SQLite's lock (an import of a large file):
    what is shown must be recorded first."""
    deadline = time.monotonic() + RECORD_WAIT_S
    while True:
        try:
            return h.record(engine, kept, new, version)
        except sa.exc.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _publish(kept: h.History, name: str, table: sp.Table, when: dt.date, new: list) -> None:
    """Publish `table` for `when` unless its latest publication has these figures; the new one
    joins `kept` (so the next is audited against it) and `new`."""
    fingerprint = h.sidik(table)
    latest = kept.latest(name, when)
    if latest is not None and latest.sidik == fingerprint:
        return
    published = sp.suppress(table, kept.tables[name], when)
    published.urutan, published.sidik = kept.newest + len(new) + 1, fingerprint
    kept.tables[name].append(published)
    new.append((name, published))


def trends(day: dt.date, frames: v.Frames, publications: list[sp.Published], engine: sa.Engine,
           kabupaten: str | None, start: dt.date | None) -> v.Trends:
    """The regency's trends on `day`, from its published trend only."""
    riwayat = v.published_trend(publications)
    trend = figures.Trend.of(riwayat)
    change = figures.change_over(trend, day, 30) if len(riwayat) else None
    status, progress = figures.programme_on_trend(_counted_from_base(riwayat, publications, engine, kabupaten),
                                               *PROGRAMME, as_of=day, engine=engine, kabupaten=kabupaten)
    verdict = _verdict(day, frames, status, riwayat, publications, engine, kabupaten, start)
    return v.Trends(riwayat, change, status, progress if status is not None else None, verdict)


def _counted_from_base(riwayat: pd.DataFrame, publications: list[sp.Published], engine: sa.Engine,
                       kabupaten: str | None) -> pd.DataFrame:
    """The published trend a registry-based target counts on: from its base (the newest snapshot
    date on or before the programme's start); if that date's regency total was not published, no
    earlier one stands in: the achievement counts from the next published date (the strip says
    from when)."""
    status = programme_status(None, engine, kabupaten)
    if status is None:
        return riwayat
    dates = [p.tanggal for p in publications if p.tanggal <= status.mulai]
    return riwayat[riwayat["tanggal"] >= pd.Timestamp(max(dates))].reset_index(drop=True) if dates else riwayat


def _verdict(day, frames: v.Frames, status, riwayat: pd.DataFrame, publications, engine, kabupaten, start):
    from bulukumba.figures import verdict

    counted = _counted_from_base(riwayat, publications, engine, kabupaten)
    board = frames.mitra_perekaman
    partner = None
    if board is not None and len(board) and float(board["jumlah"].sum()) > 0:
        top, grand = board.iloc[0], float(board["jumlah"].sum())   # the leaderboard's first
        partner = verdict.TopPartner(kode=str(top["kode"]), nama=str(top["nama"]), jumlah=int(top["jumlah"]),
                                     porsi=int(top["jumlah"]) / grand, mulai=start, sampai=day)
    return verdict.published_verdict(status, figures.Trend.of(counted), figures.region_label(None, kabupaten, engine),
                                     day, figures.freshness(engine).contoh, partner, start, engine)


def public_view(as_of: dt.date | str | None = None, engine: sa.Engine | None = None,
                kabupaten: str | None = None) -> v.PublicView | None:
    """The published set of one regency (None: the whole store, which the public page asks for
    only when the store holds one regency) for `as_of` (default: the newest date); None on an
    empty store."""
    engine = engine or store.default_engine()
    latest = figures.latest_date(engine)
    if latest is None:
        return None
    day = pd.Timestamp(as_of).date() if as_of is not None else latest
    wanted = (day, kabupaten)
    version = figures.data_version(engine)
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
        built = _build(day, engine, kabupaten, version)
        with _lock:
            entry.views[wanted] = built
        return built
    finally:
        with _lock:
            entry.building.pop(wanted, None)
        building.set()


def _build(day: dt.date, engine: sa.Engine, kabupaten: str | None, version: int) -> v.PublicView:
    start = programme_start(engine, kabupaten)
    frames = frames_for(day, engine, start, kabupaten)
    publication, registry = publish_history(day, frames, engine, kabupaten, version)
    # Withheld everywhere: a partner whose figures are withheld is no top partner either.
    frames = v.Frames(**{**frames.__dict__, "mitra_perekaman": v.recordings(frames, publication)})
    return v.view(frames, publication, trends(day, frames, registry, engine, kabupaten, start))


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
