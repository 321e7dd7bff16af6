"""What the regions are: the pinned sources, the `Regions` object, its simplification profiles,
the in-process memo, and the reference helpers the store uses (villages table, distances)."""
from __future__ import annotations

import threading
from dataclasses import dataclass

import geopandas
import numpy as np
import pandas as pd
import shapely


#: Bump when anything that shapes a cached result changes (parsing, cleaning, simplification,
#: serialisation): caches on disk are keyed by it, so they rebuild instead of serving stale output.
DERIVATION_VERSION = "2"

VILLAGE_FILE = "wilayah_boundaries_kel_73.02.sql"
KECAMATAN_FILE = "wilayah_boundaries_kec_73.sql"
#: Where each file lives under the upstream repository (and under config.WILAYAH_PINNED_URL).
UPSTREAM_PATH = {
    VILLAGE_FILE: "db/kel/73/wilayah_boundaries_kel_73.02.sql",
    KECAMATAN_FILE: "db/kec/wilayah_boundaries_kec_73.sql",
}
#: The pinned files' sha256 (../shared/wilayah/SOURCE.md). Anything else is refused.
EXPECTED_SHA256 = {
    VILLAGE_FILE: "6f9c050fb1ba559b4891783ec6d32166340aab142d0fc2e36d6d101922cd7648",
    KECAMATAN_FILE: "3161191fc471d9fc1c6312ab0f9d1ae38b82d312e557adcee1f7abcd49e7890a",
}

#: Equal-area projection centred on the regency, for areas in km².
EQUAL_AREA_CRS = "+proj=laea +lat_0=-5.47 +lon_0=120.21 +datum=WGS84 +units=m +no_defs"


@dataclass(frozen=True)
class BoundarySource:
    """The pinned boundary files of one regency. The files carry village and kecamatan names
    but not the regency's own name, so that is pinned here with them."""

    kabupaten_kode: str    # 73.02
    kabupaten_nama: str    # Bulukumba
    village_file: str      # every village of the regency
    kecamatan_file: str    # every kecamatan of the province (the regency's are picked out)
    equal_area_crs: str


#: Regencies whose boundary files this code knows and checks. To add one, see `load_regions`.
PINNED_SOURCES = {
    "73.02": BoundarySource("73.02", "Bulukumba", VILLAGE_FILE, KECAMATAN_FILE, EQUAL_AREA_CRS),
}
#: Which regency's boundaries to read, unless BULUKUMBA_KABUPATEN names another.
DEFAULT_KABUPATEN = "73.02"
#: Gaps between neighbouring villages narrower than this (degrees, ~55 m) are digitising slivers;
#: coverage cleaning gives them to a neighbour. At 0.0001 one 800 m² sliver is left; none at this.
SLIVER_GAP_WIDTH_DEG = 0.0005
#: 4 decimals of a degree is about 11 m: below a pixel at the zoom levels the dashboard uses.
WEB_DECIMALS = 4
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

class RegionsError(Exception):
    """The boundary data cannot be used. The message (Indonesian) says what is wrong and how to fix it."""


@dataclass(frozen=True, eq=False)  # eq=False: identity hash/eq; comparing GeoDataFrames has no single truth
class Regions:
    """A regency's regions, all in lon/lat (EPSG:4326).

    villages: 136 rows sorted by kode: kode, nama, jenis ('desa'|'kelurahan'), kecamatan_kode,
        kecamatan_nama, lat, lng (the file's centroid), luas_km2 (equal-area), geometry (official).
    kecamatan: 10 rows sorted by kode: kode, nama, luas_km2, geometry (dissolve of its villages).
    outline: the regency (dissolve of all villages).
    source_key: hash of both files' sha256, the key of every cache.
    kabupaten_kode, kabupaten_nama: the regency (73.02, Bulukumba).
    """

    villages: geopandas.GeoDataFrame
    kecamatan: geopandas.GeoDataFrame
    outline: shapely.Geometry
    source_key: str
    kabupaten_kode: str
    kabupaten_nama: str


@dataclass(frozen=True)
class SimplifyProfile:
    """How far a web layer may simplify: the coarsest tolerance a village starts from, finer steps it
    falls back to while its area error exceeds `max_area_error` (a fraction)."""

    name: str
    tolerances: tuple[float, ...]  # degrees, coarsest first
    max_area_error: float


#: The 136-village layer of the whole regency. Measured: ~105 KB, worst error < 1%, against ~149 KB
#: and 2.5% for one uniform 0.0008 tolerance.
REGENCY_PROFILE = SimplifyProfile("desa", (0.0012, 0.0008, 0.0005, 0.0003, 0.0002, 0.0001), 0.01)
#: A map zoomed on one kecamatan shows ~3x more detail; each kecamatan is ~5-40 KB at this profile.
KECAMATAN_ZOOM_PROFILE = SimplifyProfile("desa-rinci", (0.0004, 0.0003, 0.0002, 0.0001), 0.005)

_LOCK = threading.RLock()
_REGIONS_MEMO: dict[tuple[str, str], Regions] = {}
_CLEAN_COVERAGE_MEMO: dict[str, np.ndarray] = {}
_DERIVED_MEMO: dict[tuple[str, str], object] = {}


def clear_memo() -> None:
    """Forget everything held in this process (tests use it to prove the disk cache works)."""
    with _LOCK:
        _REGIONS_MEMO.clear()
        _CLEAN_COVERAGE_MEMO.clear()
        _DERIVED_MEMO.clear()


# ---------------------------------------------------------------------------------------------
# Reference helpers.
# ---------------------------------------------------------------------------------------------

def villages_frame(regions: Regions) -> pd.DataFrame:
    """The village reference table (no geometry), for the store."""
    columns = ["kode", "nama", "jenis", "kecamatan_kode", "kecamatan_nama", "lat", "lng", "luas_km2"]
    return pd.DataFrame(regions.villages[columns]).reset_index(drop=True)


def distance_km(lat1, lng1, lat2, lng2):
    """Great-circle (haversine) distance in km; accepts scalars or numpy arrays."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi, dlambda = phi2 - phi1, np.radians(np.subtract(lng2, lng1))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    return float(distance) if np.ndim(distance) == 0 else distance
