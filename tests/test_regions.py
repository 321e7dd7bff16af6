"""Regions and geometry, on the real boundary files in ../shared/wilayah/.

Every test runs against a temporary cache folder (BULUKUMBA_CACHE_DIR), so no test depends on, or
leaves anything in, the project's data/cache. The parse is shared by the session; tests about the
cache itself use a fresh folder of their own.
"""
from __future__ import annotations

import functools
import http.server
import json
import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import shape

from bulukumba.regions import layers, source
from bulukumba.regions import (
    EXPECTED_SHA256,
    clear_memo,
    KECAMATAN_FILE,
    UPSTREAM_PATH,
    VILLAGE_FILE,
    RegionsError,
    distance_km,
    load_regions,
    villages_frame,
    web_geojson,
    web_layer_report,
)

SHARED_WILAYAH = Path(__file__).resolve().parents[2] / "shared" / "wilayah"
KECAMATAN_NAMES = {  # as spelled in wilayah_boundaries_kec_73.sql
    "73.02.01": "Gantarang", "73.02.02": "Ujung Bulu", "73.02.03": "Bonto Bahari",
    "73.02.04": "Bonto Tiro", "73.02.05": "Herlang", "73.02.06": "Kajang",
    "73.02.07": "Bulukumpa", "73.02.08": "Kindang", "73.02.09": "Ujungloe", "73.02.10": "Rilauale",
}
WEB_BUDGET_BYTES = 150_000
WEB_BUDGET_AREA_ERROR = 0.03
GEOD = pyproj.Geod(ellps="WGS84")


def geodesic_area_m2(geometry) -> float:
    """Independent of the module's projection: the ellipsoidal area."""
    return abs(GEOD.geometry_area_perimeter(geometry)[0])


def compact_size(value) -> int:
    return len(json.dumps(value, separators=(",", ":")))


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def cache_in_tmp(session_cache, monkeypatch):
    monkeypatch.setenv("BULUKUMBA_CACHE_DIR", str(session_cache))
    monkeypatch.delenv("BULUKUMBA_WILAYAH", raising=False)


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder and an empty process memo."""
    cache = tmp_path / "fresh-cache"
    monkeypatch.setenv("BULUKUMBA_CACHE_DIR", str(cache))
    clear_memo()
    yield cache
    clear_memo()


@pytest.fixture(scope="session")
def regions(session_cache):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BULUKUMBA_CACHE_DIR", str(session_cache))
        return load_regions(str(SHARED_WILAYAH))


@pytest.fixture
def source_copy(tmp_path) -> Path:
    folder = tmp_path / "wilayah"
    folder.mkdir()
    for name in (VILLAGE_FILE, KECAMATAN_FILE):
        shutil.copyfile(SHARED_WILAYAH / name, folder / name)
    return folder


@pytest.fixture
def served_upstream(tmp_path):
    """A local web server with the files under their upstream paths, like the pinned address."""
    root = tmp_path / "upstream"
    for name, upstream in UPSTREAM_PATH.items():
        (root / upstream).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED_WILAYAH / name, root / upstream)

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def no_proxy(monkeypatch):
    for variable in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(variable, raising=False)


# --- the reference data ------------------------------------------------------------------------

def test_villages_and_kecamatan_counts(regions):
    villages = regions.villages
    assert len(villages) == 136
    assert villages["kode"].tolist() == sorted(villages["kode"])
    assert villages["kode"].is_unique
    assert villages["jenis"].value_counts().to_dict() == {"desa": 109, "kelurahan": 27}
    assert len(regions.kecamatan) == 10
    assert regions.kecamatan["kode"].tolist() == sorted(KECAMATAN_NAMES)


def test_columns_are_the_agreed_interface(regions):
    assert list(regions.villages.columns) == [
        "kode", "nama", "jenis", "kecamatan_kode", "kecamatan_nama", "lat", "lng", "luas_km2", "geometry",
    ]
    assert list(regions.kecamatan.columns) == ["kode", "nama", "luas_km2", "geometry"]
    assert regions.villages.crs.to_epsg() == 4326 and regions.kecamatan.crs.to_epsg() == 4326


def test_kecamatan_names_as_spelled_in_the_source(regions):
    assert dict(zip(regions.kecamatan["kode"], regions.kecamatan["nama"])) == KECAMATAN_NAMES
    for kode, nama in KECAMATAN_NAMES.items():
        of_kecamatan = regions.villages[regions.villages["kecamatan_kode"] == kode]
        assert len(of_kecamatan) > 0 and set(of_kecamatan["kecamatan_nama"]) == {nama}
        assert of_kecamatan["kode"].str.startswith(kode + ".").all()


def test_tanah_towa_is_a_desa_in_kajang(regions):
    row = regions.villages.set_index("kode").loc["73.02.06.2006"]
    assert (row["nama"], row["jenis"], row["kecamatan_kode"], row["kecamatan_nama"]) == (
        "Tanah Towa", "desa", "73.02.06", "Kajang",
    )


def test_jenis_follows_the_first_digit_of_the_village_part(regions):
    expected = regions.villages["kode"].str[9].map({"1": "kelurahan", "2": "desa"})
    assert (regions.villages["jenis"] == expected).all()


def test_geometries_are_valid_with_three_island_villages(regions):
    geometries = regions.villages.geometry
    assert shapely.is_valid(geometries.values).all()
    multi = regions.villages.loc[geometries.geom_type == "MultiPolygon", "nama"]
    assert len(multi) == 3
    assert set(geometries.geom_type) == {"Polygon", "MultiPolygon"}


def test_coordinates_are_lon_lat(regions):
    minx, miny, maxx, maxy = regions.villages.total_bounds
    assert 119.8 < minx < maxx < 120.6
    assert -5.8 < miny < maxy < -5.1
    assert regions.villages["lng"].between(119.9, 120.5).all()
    assert regions.villages["lat"].between(-5.7, -5.2).all()
    # the file's centroid lies in (or at least by) its own polygon
    centroids = shapely.points(regions.villages["lng"], regions.villages["lat"])
    assert (shapely.distance(regions.villages.geometry.values, centroids) < 0.01).mean() > 0.95


def test_areas_total_about_1178_km2_and_are_equal_area(regions):
    total = regions.villages["luas_km2"].sum()
    assert total == pytest.approx(1178, rel=0.005)
    geodesic = np.array([geodesic_area_m2(g) for g in regions.villages.geometry]) / 1e6
    np.testing.assert_allclose(regions.villages["luas_km2"], geodesic, rtol=1e-4)
    assert regions.kecamatan["luas_km2"].sum() == pytest.approx(total, rel=0.001)


def test_kecamatan_and_outline_are_dissolves_of_the_villages(regions):
    for kode, geometry in zip(regions.kecamatan["kode"], regions.kecamatan.geometry):
        members = regions.villages.loc[regions.villages["kecamatan_kode"] == kode].geometry
        union = shapely.union_all(members.values)
        assert shapely.symmetric_difference(union, geometry).area < 0.001 * union.area
    kecamatan_area = shapely.area(regions.kecamatan.geometry.values).sum()
    assert regions.outline.area == pytest.approx(kecamatan_area, rel=1e-6)
    # dissolved from the cleaned coverage: no digitising slivers left as holes
    assert sum(len(part.interiors) for part in shapely.get_parts(regions.outline)) == 0


def test_villages_frame_is_plain_reference_table(regions):
    frame = villages_frame(regions)
    assert type(frame) is pd.DataFrame
    assert list(frame.columns) == [
        "kode", "nama", "jenis", "kecamatan_kode", "kecamatan_nama", "lat", "lng", "luas_km2",
    ]
    assert len(frame) == 136


def test_office_is_in_ujung_bulu_and_distances(regions, engine):
    from bulukumba import figures

    lat, lng = figures.office_location(engine)  # from the store's village centroids and areas
    ujung_bulu = regions.kecamatan.set_index("kode").geometry.loc["73.02.02"]
    assert ujung_bulu.contains(shapely.Point(lng, lat))
    assert distance_km(lat, lng, lat, lng) == 0
    assert distance_km(0, 120, 1, 120) == pytest.approx(111.19, abs=0.01)
    many = distance_km(lat, lng, regions.villages["lat"].to_numpy(), regions.villages["lng"].to_numpy())
    assert many.shape == (136,) and many.max() < 60


# --- the web layers ----------------------------------------------------------------------------

def test_village_layer_meets_the_budget(regions):
    layer = web_geojson(regions, "desa")
    assert compact_size(layer) <= WEB_BUDGET_BYTES
    official = regions.villages.set_index("kode")["luas_km2"] * 1e6
    errors = {f["id"]: abs(geodesic_area_m2(shape(f["geometry"])) / official[f["id"]] - 1)
              for f in layer["features"]}
    assert max(errors.values()) <= WEB_BUDGET_AREA_ERROR
    report = web_layer_report(regions)
    assert report["bytes"] == compact_size(layer)
    assert report["worst_area_error"] == pytest.approx(max(errors.values()), abs=1e-4)
    assert report["worst_village"] == max(errors, key=errors.get)


def test_layer_features_carry_only_id_and_rounded_lon_lat(regions):
    layer = web_geojson(regions, "desa")
    assert layer["type"] == "FeatureCollection"
    assert [f["id"] for f in layer["features"]] == regions.villages["kode"].tolist()
    for feature in layer["features"]:
        assert set(feature) == {"type", "id", "geometry"} and feature["type"] == "Feature"
        coords = shapely.get_coordinates(shape(feature["geometry"]))
        assert ((119.8 < coords[:, 0]) & (coords[:, 0] < 120.6)).all()
        assert ((-5.8 < coords[:, 1]) & (coords[:, 1] < -5.1)).all()
        assert np.allclose(coords, np.round(coords, 4), atol=1e-12)


def test_a_shared_border_takes_the_finer_tolerance_of_its_two_villages():
    """The per-village tolerance emulation on a toy coverage: two villages sharing a zigzag border."""
    zigzag = [(1 + (0.02 if i % 2 else -0.02), i / 20) for i in range(21)]
    left = shapely.Polygon([(0, 0), *zigzag, (0, 1)])
    right = shapely.Polygon([(2, 0), (2, 1), *reversed(zigzag)])
    coverage = np.array([left, right])
    assert shapely.coverage_is_valid(coverage)

    both_coarse = layers._coverage_simplify_per_village(coverage, np.array([0.2, 0.2]))
    one_fine = layers._coverage_simplify_per_village(coverage, np.array([0.2, 0.001]))

    assert len(shapely.get_coordinates(both_coarse[1])) < 8  # the zigzag is gone
    assert one_fine[1].equals(right)  # the fine village keeps its border
    assert shapely.coverage_is_valid(one_fine)
    assert shapely.union_all(one_fine).area == pytest.approx(shapely.area(one_fine).sum())


def test_simplified_villages_stay_a_coverage(regions):
    geometries = [shape(f["geometry"]) for f in web_geojson(regions, "desa")["features"]]
    assert shapely.is_valid(geometries).all()
    assert shapely.coverage_is_valid(geometries)
    total = sum(g.area for g in geometries)
    assert shapely.union_all(geometries).area == pytest.approx(total, rel=0.001)


def test_kecamatan_layer_lines_up_with_village_borders(regions):
    kecamatan = web_geojson(regions, "kecamatan")
    assert [f["id"] for f in kecamatan["features"]] == regions.kecamatan["kode"].tolist()
    villages = web_geojson(regions, "desa")["features"]
    for feature in kecamatan["features"]:
        polygon = shape(feature["geometry"])
        assert set(feature) == {"type", "id", "geometry"} and polygon.is_valid
        members = [shape(v["geometry"]) for v in villages if v["id"].startswith(feature["id"] + ".")]
        assert shapely.symmetric_difference(polygon, shapely.union_all(members)).area < 1e-9
    assert web_layer_report(regions)["kecamatan_bytes"] == compact_size(kecamatan)


def test_kecamatan_zoom_layer_has_exactly_its_villages_in_finer_detail(regions):
    regency = {f["id"]: f for f in web_geojson(regions, "desa")["features"]}
    for kode in ("73.02.02", "73.02.06"):
        zoom = web_geojson(regions, kecamatan_kode=kode)
        expected = regions.villages.loc[regions.villages["kecamatan_kode"] == kode, "kode"].tolist()
        assert [f["id"] for f in zoom["features"]] == expected
        zoom_points = sum(len(shapely.get_coordinates(shape(f["geometry"]))) for f in zoom["features"])
        regency_points = sum(len(shapely.get_coordinates(shape(regency[k]["geometry"]))) for k in expected)
        assert zoom_points > regency_points
        assert compact_size(zoom) <= WEB_BUDGET_BYTES
    with pytest.raises(ValueError):
        web_geojson(regions, kecamatan_kode="73.02.99")
    with pytest.raises(ValueError):
        web_geojson(regions, level="provinsi")


# --- sources, checksums, errors ----------------------------------------------------------------

def test_missing_folder_says_how_to_fix(tmp_path, fresh_cache):
    with pytest.raises(RegionsError, match="BULUKUMBA_WILAYAH"):
        load_regions(str(tmp_path / "tidak-ada"))


def test_default_source_comes_from_the_environment(tmp_path, fresh_cache, monkeypatch):
    monkeypatch.setenv("BULUKUMBA_WILAYAH", str(tmp_path / "tidak-ada"))
    with pytest.raises(RegionsError, match="tidak-ada"):
        load_regions()


def test_missing_file_is_named(source_copy, fresh_cache):
    (source_copy / KECAMATAN_FILE).unlink()
    with pytest.raises(RegionsError, match=KECAMATAN_FILE.replace(".", r"\.")):
        load_regions(str(source_copy))


def test_altered_file_is_refused_with_both_checksums(source_copy, fresh_cache):
    path = source_copy / VILLAGE_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(RegionsError) as raised:
        load_regions(str(source_copy))
    message = str(raised.value)
    assert VILLAGE_FILE in message and "sha256" in message
    assert EXPECTED_SHA256[VILLAGE_FILE] in message
    assert source._sha256(bytes(data)) in message


def test_files_under_upstream_paths_are_found(tmp_path, regions):
    for name, upstream in UPSTREAM_PATH.items():
        (tmp_path / upstream).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED_WILAYAH / name, tmp_path / upstream)
    nested = load_regions(str(tmp_path))
    assert nested.source_key == regions.source_key and len(nested.villages) == 136


def test_download_is_verified_kept_and_then_works_offline(served_upstream, fresh_cache, no_proxy, regions):
    root, url = served_upstream
    downloaded = load_regions(url)
    assert downloaded.source_key == regions.source_key
    for name in UPSTREAM_PATH:
        assert (fresh_cache / "wilayah" / name).read_bytes() == (SHARED_WILAYAH / name).read_bytes()
    shutil.rmtree(root)  # the server now answers 404: the verified copies must do
    clear_memo()
    assert len(load_regions(url).villages) == 136


def test_wrong_download_is_refused_and_not_kept(served_upstream, fresh_cache, no_proxy):
    root, url = served_upstream
    (root / UPSTREAM_PATH[VILLAGE_FILE]).write_bytes(b"-- bukan data resmi\n")
    with pytest.raises(RegionsError, match="sha256"):
        load_regions(url)
    assert not (fresh_cache / "wilayah" / VILLAGE_FILE).exists()


def test_unreachable_address_says_how_to_fix(fresh_cache, no_proxy):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(RegionsError, match="BULUKUMBA_WILAYAH"):
        load_regions(f"http://127.0.0.1:{port}")


# --- caching -----------------------------------------------------------------------------------

def test_disk_cache_is_reused_and_memo_is_instant(fresh_cache, monkeypatch):
    first = load_regions(str(SHARED_WILAYAH))
    assert list((fresh_cache / "wilayah" / "derived").glob("regions-*.pickle"))
    clear_memo()

    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed again although the disk cache is valid")

    monkeypatch.setattr(source, "_build_regions", must_not_parse)
    second = load_regions(str(SHARED_WILAYAH))
    assert second is not first
    pd.testing.assert_frame_equal(villages_frame(second), villages_frame(first))
    assert second.outline.equals(first.outline)
    assert load_regions(str(SHARED_WILAYAH)) is second
    assert web_layer_report(second)["bytes"] <= WEB_BUDGET_BYTES  # layers build from the cached data


def test_cache_rebuilds_when_the_source_changes(source_copy, fresh_cache, monkeypatch):
    original = load_regions(str(source_copy))
    path = source_copy / VILLAGE_FILE
    altered = path.read_bytes().replace(b"'Tanah Towa'", b"'Tanah Tova'")
    path.write_bytes(altered)
    monkeypatch.setitem(EXPECTED_SHA256, VILLAGE_FILE, source._sha256(altered))
    changed = load_regions(str(source_copy))
    assert changed.source_key != original.source_key
    assert changed.villages.set_index("kode").loc["73.02.06.2006", "nama"] == "Tanah Tova"
    assert len(list((fresh_cache / "wilayah" / "derived").glob("regions-*.pickle"))) == 2


def test_cache_rebuilds_when_the_derivation_changes(fresh_cache, monkeypatch):
    load_regions(str(SHARED_WILAYAH))
    builds = []
    real_build = source._build_regions
    monkeypatch.setattr(source, "_build_regions", lambda *a: builds.append(1) or real_build(*a))
    monkeypatch.setattr(source, "DERIVATION_VERSION", source.DERIVATION_VERSION + "-next")
    clear_memo()
    load_regions(str(SHARED_WILAYAH))
    assert builds == [1]


def test_nothing_derived_is_written_outside_the_cache(fresh_cache, regions):
    web_geojson(regions, "desa")
    derived = sorted(p.name for p in (fresh_cache / "wilayah" / "derived").iterdir())
    assert any(name.startswith("desa-") and name.endswith(".json") for name in derived)
    project = Path(__file__).resolve().parents[1]
    leaked = [p for p in project.rglob("*") if p.suffix in {".geojson", ".parquet", ".pickle"}
              and "cache" not in p.parts]
    assert leaked == []
