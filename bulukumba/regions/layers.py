"""The web map layers: the village coverage simplified with a per-village tolerance within an
area-error budget, written as compact GeoJSON and cached on disk beside the parsed frames."""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Callable

import numpy as np
import shapely
from shapely.geometry import Polygon, shape

from bulukumba.regions.boundaries import _areas_m2, _clean_coverage
from bulukumba.regions.model import (
    _DERIVED_MEMO, _LOCK, KECAMATAN_ZOOM_PROFILE, REGENCY_PROFILE, WEB_DECIMALS, Regions, SimplifyProfile,
)
from bulukumba.regions.source import _cache_key, _derived_dir, _write_atomically

log = logging.getLogger(__name__)

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
