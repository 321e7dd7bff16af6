"""What a process prepares once and every session shares: the ready store, the regions, the map
layers published as static files, where map names go, and the memo of built figures."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import streamlit as st

from bulukumba import config, figures
from bulukumba.storage import startup
from bulukumba.figures.sharedresults import SharedResults

STATIC_DIR = config.PROJECT_ROOT / "static"


# ---------------------------------------------------------------------------------------------
# Store and regions, once per process
# ---------------------------------------------------------------------------------------------

def readiness() -> startup.Readiness:
    """The store for the configured URL, prepared once per process (per URL, so tests can
    point the app at a store of their own)."""
    return _readiness(config.database_url())


@st.cache_resource(show_spinner="Menyiapkan data …")
def _readiness(url: str) -> startup.Readiness:
    from bulukumba.storage import store

    return startup.prepare(store.engine_for(url))


def engine():
    return readiness().engine


@st.cache_resource(show_spinner=False)
def _regions():
    from bulukumba.regions import RegionsError, load_regions

    try:
        return load_regions()
    except RegionsError:
        return None


# ---------------------------------------------------------------------------------------------
# Map layers: written once as static files, fetched once by the browser
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MapLayers:
    villages: str          # URL of the village layer (GeoJSON)
    outlines: str          # URL of the kecamatan borders (GeoJSON)
    lons: tuple[float, float]
    lats: tuple[float, float]


def _publish(name: str, layer: dict) -> str:
    """Write `layer` under static/ with its content hash in the name; return its URL.

    The hash makes the URL change when the layer does, so browsers may cache it for good.
    """
    text = json.dumps(layer, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    path = STATIC_DIR / f"{name}-{digest}.json"
    if not path.exists():
        STATIC_DIR.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return f"app/static/{path.name}"


@st.cache_resource(show_spinner=False)
def map_layers(kecamatan: str | None, kabupaten: str | None = None) -> MapLayers | None:
    """Village layer (finer when zoomed into one kecamatan) and kecamatan borders, or None
    (no boundaries, or they are of another regency than the one asked for)."""
    regions = _regions()
    if regions is None or (kabupaten is not None and kabupaten != regions.kabupaten_kode):
        return None
    if kecamatan is not None and kecamatan not in set(regions.kecamatan["kode"]):
        return None
    from bulukumba.regions import web_geojson

    villages = web_geojson(regions, "desa", kecamatan)
    outlines = web_geojson(regions, "kecamatan")
    bounds = (regions.villages if kecamatan is None else
              regions.villages[regions.villages["kecamatan_kode"] == kecamatan]).total_bounds
    return MapLayers(
        villages=_publish(f"desa-{kecamatan or 'semua'}", villages),
        outlines=_publish("kecamatan", outlines),
        lons=(float(bounds[0]), float(bounds[2])), lats=(float(bounds[1]), float(bounds[3])))


@st.cache_resource(show_spinner=False)
def map_layer_data(kabupaten: str | None = None) -> tuple[dict, dict] | None:
    """The village and kecamatan layers themselves (for the public page's SVG map), or None
    (no boundaries, or they are of another regency than the one asked for)."""
    regions = _regions()
    if regions is None or (kabupaten is not None and kabupaten != regions.kabupaten_kode):
        return None
    from bulukumba.regions import web_geojson

    return web_geojson(regions, "desa"), web_geojson(regions, "kecamatan")


def map_unavailable_reason() -> str | None:
    return readiness().pesan_wilayah


@st.cache_resource(show_spinner=False)
def map_label_points(kecamatan: str | None):
    """Where the kecamatan (and, zoomed in, village) names go: derived once per process."""
    regions = _regions()
    if regions is None:
        return None
    from bulukumba.presentation.mapview import label_points

    return label_points(regions.villages, regions.kecamatan, kecamatan)


# ---------------------------------------------------------------------------------------------
# Memo: built figures shared across sessions, per data version
# ---------------------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _memo_store() -> SharedResults:
    return SharedResults(MEMO_SIZE)


MEMO_SIZE = 256


def memo(key: tuple, build):
    """`build()` once per data version and `key` for the whole server (figures, cards, verdicts),
    so a rerun that changes nothing costs a look-up instead of rebuilding Plotly figures (tens of
    ms each), and twenty sessions rerunning after an import build each figure once, not twenty
    times. The result is shared: callers must not change it.

    A page's drawing keys its view with the page's `Filters` as a whole (`("kartu-x", f, ...)`),
    not with fields picked from it: a field left out serves one view's drawing in another (a
    chosen regency once got the whole store's partner chart)."""
    version = st.session_state.get("_versi")  # noted at the start of this run (remember_version)
    full = (figures.data_version(engine()) if version is None else version, str(engine().url), *key)
    return _memo_store().get(full, build)
