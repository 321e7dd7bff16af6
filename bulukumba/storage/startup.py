"""Getting the store ready: reference data, and demo data on the very first start."""
from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa

from bulukumba.storage import demo, reference, store
from bulukumba.regions import RegionsError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Readiness:
    engine: sa.Engine
    peta_tersedia: bool          # the boundaries could be read: maps can be drawn
    pesan_wilayah: str | None    # why not, in Indonesian, with the fix
    demo_diisi: bool             # demo data was loaded just now


def prepare(engine: sa.Engine | None = None, fill_demo: bool = True) -> Readiness:
    """Make sure partners and regions are in the store; fill an empty store with demo data.

    Without readable boundaries the store still serves figures if it already knows the villages;
    only the map is missing then.
    """
    engine = engine or store.default_engine()
    message = None
    try:
        from bulukumba.regions import load_regions

        regions = load_regions()
    except RegionsError as error:
        regions, message = None, str(error)
        log.warning("batas wilayah tidak tersedia: %s", error)
    with engine.begin() as conn:
        reference.ensure_partners(conn)
        if regions is not None and not store.has_regions(conn):
            reference.sync_regions(conn, regions)
        elif regions is not None:
            reference.sync_regency(conn, regions)  # a store from before regencies had names
        has_regions = store.has_regions(conn)
        empty = store.is_empty(conn)
    filled = False
    if fill_demo and empty and has_regions:
        try:
            demo.load(engine)
            filled = True
        except RuntimeError:  # another process filled it first
            pass
    return Readiness(engine, regions is not None, message, filled)
