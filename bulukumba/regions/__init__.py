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
from bulukumba.regions.layers import web_geojson, web_layer_report
from bulukumba.regions.model import (
    DEFAULT_KABUPATEN,
    DERIVATION_VERSION,
    EQUAL_AREA_CRS,
    EXPECTED_SHA256,
    KECAMATAN_FILE,
    PINNED_SOURCES,
    UPSTREAM_PATH,
    VILLAGE_FILE,
    BoundarySource,
    Regions,
    RegionsError,
    clear_memo,
    distance_km,
    villages_frame,
)
from bulukumba.regions.source import configured_kabupaten, load_regions, pinned_source

__all__ = [
    "DEFAULT_KABUPATEN", "DERIVATION_VERSION", "EQUAL_AREA_CRS", "EXPECTED_SHA256", "KECAMATAN_FILE",
    "PINNED_SOURCES", "UPSTREAM_PATH", "VILLAGE_FILE", "BoundarySource", "Regions", "RegionsError",
    "clear_memo", "configured_kabupaten", "distance_km", "load_regions", "pinned_source", "villages_frame",
    "web_geojson", "web_layer_report",
]
