"""Regions of a regency, with their boundaries: for Kabupaten Bulukumba its 136 villages and 10
kecamatan.

Which regency's files are read, and their pinned checksums, is `PINNED_SOURCES`; only Bulukumba's
are pinned today, and `load_regions` says what to do for another regency. Everything else in the
dashboard reads region codes and names from the store, which gets them from here.

The boundaries are public data (cahyadsn/wilayah_boundaries, MIT, see ../shared/wilayah/SOURCE.md)
and stay outside the repository: they are read from a folder or downloaded from the pinned address,
checked against the sha256 below, and everything derived from them (parsed frames, web layers) is
cached under `config.cache_dir()` only.

Facts about the source that shaped this module (measured on the pinned files):
- Paths are [lat, lng]; they are flipped to shapely's (lng, lat) once, while parsing.
- The villages are each valid but do not form a clean coverage: neighbours overlap by 0.32 km² in
  total and leave about 860 sliver gaps (the largest about 1.3 ha). `villages.geometry` keeps the
  official shapes untouched; dissolves (kecamatan, outline) and the web layers start from a cleaned
  copy (`shapely.coverage_clean`, which moves no village's area by more than 0.2%), so they carry no
  sliver holes and neighbours share their borders exactly.
- 120°E, the border between UTM zones 50 and 51, runs through the regency: UTM 50S overstates
  areas there by about 0.24% (1,178.4 km² instead of 1,175.6 km²). Areas are therefore computed in
  a Lambert azimuthal equal-area projection centred on the regency (within 3 m² of the geodesic
  area of every village).

Objects returned here are shared through the in-process memo: treat them as read-only.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import re
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import geopandas
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from . import config

log = logging.getLogger(__name__)

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

_JENIS_BY_DIGIT = {"1": "kelurahan", "2": "desa"}
#: One row of the INSERT statements: ('kode','nama',lat,lng,'path'); SQL doubles a quote inside text.
_SQL_ROW = re.compile(
    r"\(\s*'((?:[^']|'')*)'\s*,\s*'((?:[^']|'')*)'\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,"
    r"\s*'((?:[^']|'')*)'\s*\)"
)


class WilayahError(Exception):
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


def _clear_memo() -> None:
    """Forget everything held in this process (tests use it to prove the disk cache works)."""
    with _LOCK:
        _REGIONS_MEMO.clear()
        _CLEAN_COVERAGE_MEMO.clear()
        _DERIVED_MEMO.clear()


# ---------------------------------------------------------------------------------------------
# Loading: locate or download the two files, verify them, then memo -> disk cache -> parse.
# ---------------------------------------------------------------------------------------------

def configured_kabupaten() -> str:
    """The regency whose boundaries the dashboard reads (BULUKUMBA_KABUPATEN, default 73.02)."""
    return os.environ.get("BULUKUMBA_KABUPATEN", "").strip() or DEFAULT_KABUPATEN


def pinned_source(kabupaten: str) -> BoundarySource:
    """The pinned files of `kabupaten`, or a WilayahError that says how to add them."""
    found = PINNED_SOURCES.get(kabupaten)
    if found is not None:
        return found
    province = kabupaten.split(".")[0]
    known = ", ".join(f"{k} ({s.kabupaten_nama})" for k, s in sorted(PINNED_SOURCES.items()))
    raise WilayahError(
        f"Batas wilayah kabupaten/kota {kabupaten} belum tersedia di dasbor ini; yang tersedia: {known}. "
        f"Untuk menambahkannya: ambil db/kel/{province}/wilayah_boundaries_kel_{kabupaten}.sql dan "
        f"db/kec/wilayah_boundaries_kec_{province}.sql dari sumber yang sama "
        f"({config.WILAYAH_PINNED_URL}), catat sha256 keduanya di regions.EXPECTED_SHA256 dan "
        f"UPSTREAM_PATH, tambahkan kabupatennya (kode, nama) ke regions.PINNED_SOURCES, lalu setel "
        f"BULUKUMBA_KABUPATEN={kabupaten}. Sampai itu, angka tetap tampil bila desa dan kecamatannya "
        f"sudah ada di basis data; hanya peta yang tidak."
    )


def load_regions(source: str | os.PathLike | None = None, kabupaten: str | None = None) -> Regions:
    """A regency's regions (default `configured_kabupaten()`), from `source` (a folder or an
    http(s) base URL; default config.wilayah_source()).

    Every call reads and verifies both files (about 1 ms for 1 MB); parsing happens once per
    process at most, and once per source version and DERIVATION_VERSION on disk.
    """
    pinned = pinned_source(kabupaten or configured_kabupaten())
    source = _normalise_source(config.wilayah_source() if source is None else source)
    contents = _verified_contents(source, (pinned.village_file, pinned.kecamatan_file))
    source_key = _source_key(contents)
    memo_key = (source, source_key)
    with _LOCK:
        regions = _REGIONS_MEMO.get(memo_key)
        if regions is None:
            regions = _regions_from_disk_or_build(contents, source_key, pinned)
            _REGIONS_MEMO[memo_key] = regions
    return regions


def _normalise_source(source: str | os.PathLike) -> str:
    text = os.fspath(source).strip()
    if _is_url(text):
        return text.rstrip("/")
    return str(Path(text).expanduser().resolve())


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _verified_contents(source: str, files: tuple[str, str] = (VILLAGE_FILE, KECAMATAN_FILE)) -> dict[str, bytes]:
    """Both files' bytes, each checked against its expected sha256."""
    village_file, kecamatan_file = files
    if _is_url(source):
        return {name: _downloaded_file(source, name) for name in files}
    folder = Path(source)
    if not folder.is_dir():
        raise WilayahError(
            f"Folder data batas wilayah tidak ditemukan: {folder}. Setel variabel lingkungan "
            f"BULUKUMBA_WILAYAH ke folder yang berisi {village_file} dan {kecamatan_file} "
            f"(lihat ../shared/wilayah/SOURCE.md), atau ke alamat unduhan resmi "
            f"{config.WILAYAH_PINNED_URL}."
        )
    return {name: _local_file(folder, name) for name in files}


def _local_file(folder: Path, name: str) -> bytes:
    """A file kept flat in the folder (as ../shared/wilayah does) or under its upstream path."""
    candidates = [folder / name, folder / UPSTREAM_PATH[name]]
    for path in candidates:
        if path.is_file():
            data = path.read_bytes()
            _check_sha256(name, data, where=str(path))
            return data
    raise WilayahError(
        f"Berkas batas wilayah {name} tidak ditemukan di {folder} (dicari: "
        f"{' dan '.join(str(p) for p in candidates)}). Salin berkas itu ke folder tersebut, atau "
        f"setel BULUKUMBA_WILAYAH ke folder yang berisi {VILLAGE_FILE} dan {KECAMATAN_FILE}."
    )


def _downloaded_file(base_url: str, name: str) -> bytes:
    """The file from cache_dir()/wilayah/ if a verified copy is there, else downloaded and verified
    before it is kept (a wrong download never reaches the disk)."""
    kept = config.cache_dir() / "wilayah" / name
    if kept.is_file():
        data = kept.read_bytes()
        if _sha256(data) == EXPECTED_SHA256[name]:
            return data
        log.warning("Salinan %s di cache tidak cocok dengan sha256 resminya; diunduh ulang.", kept)
    url = f"{base_url}/{UPSTREAM_PATH[name]}"
    data = _fetch_url(url, name)
    _check_sha256(name, data, where=url)
    _write_atomically(kept, data)
    return data


def _fetch_url(url: str, name: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise WilayahError(
            f"Tidak dapat mengunduh {name} dari {url}: {reason}. Periksa koneksi internet, atau "
            f"setel BULUKUMBA_WILAYAH ke folder lokal yang berisi {VILLAGE_FILE} dan "
            f"{KECAMATAN_FILE} (salinannya ada di ../shared/wilayah/)."
        ) from error


def _check_sha256(name: str, data: bytes, where: str) -> None:
    expected, actual = EXPECTED_SHA256[name], _sha256(data)
    if actual != expected:
        raise WilayahError(
            f"Berkas {name} ({where}) tidak sama dengan data resmi: sha256 seharusnya {expected}, "
            f"ternyata {actual}. Berkas itu mungkin telah diubah atau rusak: ambil ulang salinan "
            f"aslinya ({config.WILAYAH_PINNED_URL}/{UPSTREAM_PATH[name]}), atau setel "
            f"BULUKUMBA_WILAYAH ke folder yang berisi salinan asli."
        )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_key(contents: dict[str, bytes]) -> str:
    """One hash for the pair of files: it changes when either file changes. The contents have just
    been verified, so their digests are the expected ones (no need to hash 1 MB again)."""
    digests = ",".join(f"{name}={EXPECTED_SHA256[name]}" for name in sorted(contents))
    return _sha256(digests.encode())


def _cache_key(source_key: str) -> str:
    """Disk-cache key: the source, this code's DERIVATION_VERSION and the libraries whose output
    or pickles it depends on (a library upgrade rebuilds rather than risks a stale or broken cache)."""
    runtime = (
        f"py{sys.version_info[0]}.{sys.version_info[1]} shapely{shapely.__version__} "
        f"geos{shapely.geos_version_string} geopandas{geopandas.__version__} "
        f"pandas{pd.__version__} numpy{np.__version__}"
    )
    return _sha256(f"{source_key}|{DERIVATION_VERSION}|{runtime}".encode())[:24]


def _derived_dir() -> Path:
    return config.cache_dir() / "wilayah" / "derived"


def _regions_from_disk_or_build(contents: dict[str, bytes], source_key: str, pinned: BoundarySource) -> Regions:
    path = _derived_dir() / f"regions-{_cache_key(source_key)}.pickle"
    cached = _read_pickle(path)
    if cached is not None and cached["regions"].source_key == source_key:
        regions = cached["regions"]
    else:
        regions = _build_regions(contents, source_key, pinned)
        cached = {"regions": regions, "clean_coverage": _clean_coverage(regions)}
        _write_atomically(path, pickle.dumps(cached, protocol=pickle.HIGHEST_PROTOCOL))
    _CLEAN_COVERAGE_MEMO[source_key] = cached["clean_coverage"]
    return regions


def _read_pickle(path: Path):
    """Our own cache file, or None when it is missing or unreadable (then it is rebuilt)."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception as error:  # a truncated or incompatible cache is only a cache miss
        log.warning("Cache %s tidak terbaca (%s); dibangun ulang.", path, error)
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file. A cache that
    cannot be written (read-only disk) only costs speed, so that is logged, not raised."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
            tmp.write(data)
        os.chmod(tmp.name, 0o644)  # NamedTemporaryFile makes 0600; the cache may be shared
        os.replace(tmp.name, path)
    except OSError as error:
        log.warning("Tidak dapat menulis cache %s: %s", path, error)


# ---------------------------------------------------------------------------------------------
# Parsing and building the frames.
# ---------------------------------------------------------------------------------------------

def _build_regions(contents: dict[str, bytes], source_key: str, pinned: BoundarySource) -> Regions:
    kecamatan_names = _kecamatan_names(contents[pinned.kecamatan_file], pinned)
    villages = _villages_frame(contents[pinned.village_file], kecamatan_names, pinned)
    clean = _cleaned(villages.geometry.values)
    _CLEAN_COVERAGE_MEMO[source_key] = clean
    kecamatan = _kecamatan_frame(villages, clean, kecamatan_names)
    outline = shapely.coverage_union_all(clean)
    return Regions(villages=villages, kecamatan=kecamatan, outline=outline, source_key=source_key,
                   kabupaten_kode=pinned.kabupaten_kode, kabupaten_nama=pinned.kabupaten_nama)


def _sql_rows(data: bytes, file_name: str) -> list[tuple[str, str, float, float, str]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise WilayahError(f"Berkas {file_name} bukan teks UTF-8: {error}.") from error
    return [
        (kode, nama.replace("''", "'"), float(lat), float(lng), path)
        for kode, nama, lat, lng, path in _SQL_ROW.findall(text)
    ]


def _kecamatan_names(data: bytes, pinned: BoundarySource) -> dict[str, str]:
    """Kode -> nama of the regency's kecamatan; the file holds the whole province, paths unused."""
    pattern = re.compile(rf"^{re.escape(pinned.kabupaten_kode)}\.\d{{2}}$")
    file_name = pinned.kecamatan_file
    names = {kode: nama for kode, nama, *_ in _sql_rows(data, file_name) if pattern.match(kode)}
    if not names:
        raise WilayahError(f"Berkas {file_name} tidak memuat satu pun kecamatan {pinned.kabupaten_kode}.")
    return names


def _villages_frame(data: bytes, kecamatan_names: dict[str, str], pinned: BoundarySource) -> geopandas.GeoDataFrame:
    pattern = re.compile(rf"^{re.escape(pinned.kabupaten_kode)}\.\d{{2}}\.[12]\d{{3}}$")
    file_name = pinned.village_file
    records = []
    for kode, nama, lat, lng, path in _sql_rows(data, file_name):
        if not pattern.match(kode):
            raise WilayahError(f"Kode desa/kelurahan tidak dikenal di {file_name}: {kode!r}.")
        kecamatan_kode = kode[:8]
        if kecamatan_kode not in kecamatan_names:
            raise WilayahError(
                f"Desa/kelurahan {kode} ({nama}) merujuk kecamatan {kecamatan_kode} yang tidak ada di "
                f"{pinned.kecamatan_file}."
            )
        records.append({
            "kode": kode,
            "nama": nama,
            "jenis": _JENIS_BY_DIGIT[kode[9]],
            "kecamatan_kode": kecamatan_kode,
            "kecamatan_nama": kecamatan_names[kecamatan_kode],
            "lat": lat,
            "lng": lng,
            "geometry": _geometry_from_path(path, kode),
        })
    if not records:
        raise WilayahError(f"Berkas {file_name} tidak memuat satu pun desa/kelurahan.")
    frame = geopandas.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")
    frame = frame.sort_values("kode", ignore_index=True)
    frame.insert(7, "luas_km2", _areas_m2(frame.geometry.values, pinned.equal_area_crs) / 1e6)
    return frame


def _geometry_from_path(path_json: str, kode: str) -> Polygon | MultiPolygon:
    """The source's [lat, lng] rings as a shapely (lng, lat) Polygon or MultiPolygon."""
    try:
        rings = json.loads(path_json)
        if _nesting_depth(rings) == 3:  # [[[lat,lng],...], hole, ...]: one polygon
            return _polygon(rings)
        return MultiPolygon([_polygon(part) for part in rings])
    except (ValueError, TypeError, IndexError) as error:
        raise WilayahError(f"Batas {kode} di {VILLAGE_FILE} tidak dapat dibaca: {error}.") from error


def _nesting_depth(value) -> int:
    depth = 0
    while isinstance(value, list) and value:
        value, depth = value[0], depth + 1
    return depth


def _polygon(rings: list) -> Polygon:
    lnglat = [np.asarray(ring, dtype=float)[:, ::-1] for ring in rings]
    return Polygon(lnglat[0], lnglat[1:])


def _areas_m2(geometries, crs: str = EQUAL_AREA_CRS) -> np.ndarray:
    return np.asarray(geopandas.GeoSeries(geometries, crs="EPSG:4326").to_crs(crs).area)


def _cleaned(geometries: np.ndarray) -> np.ndarray:
    """An exact coverage (no overlaps, no slivers, shared vertices identical) of the villages."""
    return shapely.coverage_clean(np.asarray(geometries), gap_width=SLIVER_GAP_WIDTH_DEG)


def _clean_coverage(regions: Regions) -> np.ndarray:
    with _LOCK:
        clean = _CLEAN_COVERAGE_MEMO.get(regions.source_key)
        if clean is None:
            clean = _cleaned(regions.villages.geometry.values)
            _CLEAN_COVERAGE_MEMO[regions.source_key] = clean
        return clean


def _kecamatan_frame(
    villages: geopandas.GeoDataFrame, clean: np.ndarray, names: dict[str, str]
) -> geopandas.GeoDataFrame:
    codes = sorted(set(villages["kecamatan_kode"]))
    geometries = [
        shapely.coverage_union_all(clean[(villages["kecamatan_kode"] == kode).to_numpy()])
        for kode in codes
    ]
    frame = geopandas.GeoDataFrame(
        {"kode": codes, "nama": [names[kode] for kode in codes]},
        geometry=geometries, crs="EPSG:4326",
    )
    frame.insert(2, "luas_km2", _areas_m2(frame.geometry.values) / 1e6)
    return frame


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


# ---------------------------------------------------------------------------------------------
# Web layers: coverage simplification with a per-village tolerance, within an area-error budget.
# ---------------------------------------------------------------------------------------------

def web_geojson(regions: Regions, level: str = "desa", kecamatan_kode: str | None = None) -> dict:
    """The simplified layer as a GeoJSON FeatureCollection; features carry only `id` (the kode).

    level "desa": the 136 villages; "kecamatan": the 10 kecamatan, dissolved from those simplified
    villages so their outlines lie exactly on village borders. With `kecamatan_kode`: that
    kecamatan's villages only, at the finer KECAMATAN_ZOOM_PROFILE. Shared and memoised: do not mutate.
    """
    if kecamatan_kode is not None:
        if level != "desa":
            raise ValueError("kecamatan_kode hanya berlaku untuk level 'desa'.")
        return _kecamatan_zoom_layer(regions, kecamatan_kode)
    if level == "desa":
        return _cached_json(regions, "desa", lambda: _village_layer(regions, REGENCY_PROFILE))
    if level == "kecamatan":
        return _cached_json(regions, "kecamatan", lambda: _kecamatan_layer(regions))
    raise ValueError(f"level harus 'desa' atau 'kecamatan', bukan {level!r}.")


def web_layer_report(regions: Regions) -> dict:
    """Size and fidelity of the web layers (for tests, the benchmark and the lead's review)."""
    return _cached_json(regions, "laporan", lambda: _layer_report(regions), persist=False)


def _cached_json(regions: Regions, name: str, build: Callable[[], object], persist: bool = True):
    """In-process memo, then a JSON file under cache_dir(), then `build()`."""
    key = (_cache_key(regions.source_key), name)
    with _LOCK:
        if key in _DERIVED_MEMO:
            return _DERIVED_MEMO[key]
        path = _derived_dir() / f"{name}-{key[0]}.json"
        value = _read_json(path) if persist else None
        if value is None:
            value = build()
            if persist:
                _write_atomically(path, _compact_json(value).encode())
        _DERIVED_MEMO[key] = value
        return value


def _read_json(path: Path):
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        log.warning("Cache %s tidak terbaca (%s); dibangun ulang.", path, error)
        return None


def _compact_json(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def _kecamatan_zoom_layer(regions: Regions, kecamatan_kode: str) -> dict:
    known = set(regions.kecamatan["kode"])
    if kecamatan_kode not in known:
        choices = ", ".join(sorted(known))
        raise ValueError(f"Kecamatan {kecamatan_kode!r} tidak dikenal; pilihan: {choices}.")

    def only_this_kecamatan() -> dict:
        detailed = _cached_json(
            regions, "desa-rinci", lambda: _village_layer(regions, KECAMATAN_ZOOM_PROFILE)
        )
        features = [f for f in detailed["features"] if f["id"].startswith(kecamatan_kode + ".")]
        return {"type": "FeatureCollection", "features": features}

    return _cached_json(regions, f"desa-rinci-{kecamatan_kode}", only_this_kecamatan, persist=False)


def _village_layer(regions: Regions, profile: SimplifyProfile) -> dict:
    simplified = _simplified_villages(regions, profile)
    return _feature_collection(regions.villages["kode"].tolist(), simplified)


def _simplified_villages(regions: Regions, profile: SimplifyProfile) -> np.ndarray:
    """Each village simplified with the coarsest tolerance of the profile that keeps its area error
    within budget, all as one coverage and snapped to the WEB_DECIMALS grid.

    Start every village at the coarsest step; re-run with a finer step for those over budget until
    none is (or they reach the finest step). Tolerances only ever fall, so this ends; it takes 3-5
    rounds of ~30 ms on this data. The error is measured after snapping, as served.
    """
    clean = _clean_coverage(regions)
    official_m2 = regions.villages["luas_km2"].to_numpy() * 1e6
    step = np.zeros(len(clean), dtype=int)
    finest = len(profile.tolerances) - 1
    while True:
        tolerances = np.asarray(profile.tolerances)[step]
        simplified = _snap_to_grid(_coverage_simplify_per_village(clean, tolerances))
        error = np.abs(_areas_m2(simplified) / official_m2 - 1)
        over_budget = (error > profile.max_area_error) & (step < finest)
        if not over_budget.any():
            return simplified
        step[over_budget] += 1


def _coverage_simplify_per_village(coverage: np.ndarray, tolerances: np.ndarray) -> np.ndarray:
    """coverage_simplify with one tolerance per village; a shared border gets the smaller of its two
    villages' tolerances, so small town villages keep their shape without refining the large ones.

    shapely 2.2 takes one tolerance per coverage (an array of tolerances runs the whole coverage once
    per value), and GEOS's C API does not expose JTS's per-geometry tolerances. So: one pass per
    distinct tolerance, finest first, each simplifying only the borders *between* villages allowed
    that tolerance (simplify_boundary=False keeps the subset's own outer edges, i.e. borders with
    finer villages, fixed). A "sea" polygon framing the regency turns the coastline into inner
    borders, so the coast is simplified too. Every pass is a coverage simplification of an exact
    coverage, so the result stays one: no gaps or overlaps between neighbours.
    """
    work = np.append(coverage, _sea_around(coverage))
    for tolerance in np.unique(tolerances):
        members = np.append(tolerances >= tolerance, True)  # the sea always takes part
        work[members] = shapely.coverage_simplify(work[members], float(tolerance), simplify_boundary=False)
    return work[:-1]


def _sea_around(coverage: np.ndarray) -> Polygon:
    """A frame around the regency minus the regency: shares every coastline vertex exactly."""
    land = shapely.coverage_union_all(coverage)
    frame = shapely.box(*shapely.bounds(land)).buffer(0.05, join_style="mitre")
    return frame.difference(land)


def _snap_to_grid(geometries: np.ndarray) -> np.ndarray:
    """Round to WEB_DECIMALS the topology-safe way. Plain rounding collapses one tiny islet of
    Manyampa (73.02.09.2006) into an invalid ring; set_precision drops such collapsed parts and
    keeps every polygon valid, and, rounding shared vertices identically, keeps the coverage."""
    snapped = shapely.set_precision(geometries, 10.0 ** -WEB_DECIMALS)
    if shapely.is_empty(snapped).any() or not shapely.is_valid(snapped).all():
        raise RuntimeError("Pembulatan koordinat merusak batas wilayah; periksa WEB_DECIMALS.")
    return shapely.orient_polygons(snapped, exterior_cw=False)  # RFC 7946 winding


def _feature_collection(ids: list[str], geometries) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "id": kode, "geometry": _geojson_geometry(geometry)}
                     for kode, geometry in zip(ids, geometries)],
    }


def _geojson_geometry(geometry) -> dict:
    if geometry.geom_type == "Polygon":
        return {"type": "Polygon", "coordinates": _polygon_rings(geometry)}
    return {"type": "MultiPolygon", "coordinates": [_polygon_rings(part) for part in geometry.geoms]}


def _polygon_rings(polygon: Polygon) -> list:
    return [_rounded(ring.coords) for ring in (polygon.exterior, *polygon.interiors)]


def _rounded(coords) -> list:
    return np.round(np.asarray(coords)[:, :2], WEB_DECIMALS).tolist()


def _layer_geometries(layer: dict) -> list:
    return [shape(feature["geometry"]) for feature in layer["features"]]


def _kecamatan_layer(regions: Regions) -> dict:
    """Dissolve of the served village geometries, so kecamatan and village borders coincide."""
    villages = web_geojson(regions, "desa")
    geometries = np.array(_layer_geometries(villages), dtype=object)
    village_kecamatan = np.array([feature["id"][:8] for feature in villages["features"]])
    codes = regions.kecamatan["kode"].tolist()
    dissolved = [shapely.coverage_union_all(geometries[village_kecamatan == kode]) for kode in codes]
    return _feature_collection(codes, shapely.orient_polygons(dissolved, exterior_cw=False))


def _layer_report(regions: Regions) -> dict:
    villages = web_geojson(regions, "desa")
    simplified_m2 = _areas_m2(_layer_geometries(villages))
    official_m2 = regions.villages["luas_km2"].to_numpy() * 1e6
    error = np.abs(simplified_m2 / official_m2 - 1)
    worst = int(np.argmax(error))
    return {
        "bytes": len(_compact_json(villages)),
        "worst_area_error": float(error[worst]),
        "worst_village": villages["features"][worst]["id"],
        "kecamatan_bytes": len(_compact_json(web_geojson(regions, "kecamatan"))),
        "points": int(sum(len(shapely.get_coordinates(g)) for g in _layer_geometries(villages))),
    }
