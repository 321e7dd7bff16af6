"""Parsing the boundary files and building the frames: villages with their official shapes,
kecamatan and the regency outline dissolved from a cleaned coverage, areas in an equal-area
projection."""
from __future__ import annotations

import json
import re

import geopandas
import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from bulukumba.regions.model import (
    _CLEAN_COVERAGE_MEMO, _LOCK, EQUAL_AREA_CRS, SLIVER_GAP_WIDTH_DEG, VILLAGE_FILE, BoundarySource, Regions,
    RegionsError,
)

_JENIS_BY_DIGIT = {"1": "kelurahan", "2": "desa"}
#: One row of the INSERT statements: ('kode','nama',lat,lng,'path'); SQL doubles a quote inside text.
_SQL_ROW = re.compile(
    r"\(\s*'((?:[^']|'')*)'\s*,\s*'((?:[^']|'')*)'\s*,\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*,"
    r"\s*'((?:[^']|'')*)'\s*\)"
)

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
        raise RegionsError(f"Berkas {file_name} bukan teks UTF-8: {error}.") from error
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
        raise RegionsError(f"Berkas {file_name} tidak memuat satu pun kecamatan {pinned.kabupaten_kode}.")
    return names


def _villages_frame(data: bytes, kecamatan_names: dict[str, str], pinned: BoundarySource) -> geopandas.GeoDataFrame:
    pattern = re.compile(rf"^{re.escape(pinned.kabupaten_kode)}\.\d{{2}}\.[12]\d{{3}}$")
    file_name = pinned.village_file
    records = []
    for kode, nama, lat, lng, path in _sql_rows(data, file_name):
        if not pattern.match(kode):
            raise RegionsError(f"Kode desa/kelurahan tidak dikenal di {file_name}: {kode!r}.")
        kecamatan_kode = kode[:8]
        if kecamatan_kode not in kecamatan_names:
            raise RegionsError(
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
        raise RegionsError(f"Berkas {file_name} tidak memuat satu pun desa/kelurahan.")
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
        raise RegionsError(f"Batas {kode} di {VILLAGE_FILE} tidak dapat dibaca: {error}.") from error


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
