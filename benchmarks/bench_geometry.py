"""Timings and sizes of bulukumba.regions: `python benchmarks/bench_geometry.py [source]`.

Runs against a temporary cache folder, so "cold" really parses and the project's data/cache is
left alone. Prints figures only; the budgets are asserted in tests/test_regions.py.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a plain script from anywhere

import shapely  # noqa: E402

from bulukumba import config, regions as R  # noqa: E402
from bulukumba.regions import boundaries as B, layers as L  # noqa: E402


def timed(action, repeat: int = 1) -> tuple[float, object]:
    """Median seconds of `repeat` runs, and the last result."""
    durations, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations), result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def uniform_baseline(regions: R.Regions, tolerance: float = 0.0008) -> tuple[int, float, str]:
    """The issue's reference: one tolerance for every village, same cleaning and 4-decimal grid."""
    simplified = L._snap_to_grid(shapely.coverage_simplify(B._clean_coverage(regions), tolerance))
    layer = L._feature_collection(regions.villages["kode"].tolist(), simplified)
    error = abs(B._areas_m2(simplified) / (regions.villages["luas_km2"].to_numpy() * 1e6) - 1)
    worst = int(error.argmax())
    return len(L._compact_json(layer)), float(error[worst]), regions.villages["kode"].iloc[worst]


def main() -> None:
    source = sys.argv[1] if len(sys.argv) > 1 else None
    with tempfile.TemporaryDirectory(prefix="bench-geometry-") as cache:
        os.environ["BULUKUMBA_CACHE_DIR"] = cache
        R.clear_memo()
        cold, regions = timed(lambda: R.load_regions(source))
        R.clear_memo()
        warm, regions = timed(lambda: R.load_regions(source))
        memo, _ = timed(lambda: R.load_regions(source), repeat=50)

        R.clear_memo()
        regions = R.load_regions(source)
        layer_cold, _ = timed(lambda: R.web_geojson(regions, "desa"))
        R.clear_memo()
        regions = R.load_regions(source)
        layer_warm, _ = timed(lambda: R.web_geojson(regions, "desa"))
        layer_memo, _ = timed(lambda: R.web_geojson(regions, "desa"), repeat=50)
        report = R.web_layer_report(regions)
        names = dict(zip(regions.villages["kode"], regions.villages["nama"]))

        print(f"source: {source or config.wilayah_source()}")
        print(f"villages {len(regions.villages)}, kecamatan {len(regions.kecamatan)}, "
              f"area {regions.villages['luas_km2'].sum():,.1f} km² (equal-area)")
        print("load_regions")
        print(f"  cold (verify + parse + clean + write cache) {ms(cold)}")
        print(f"  warm (verify + read disk cache)             {ms(warm)}")
        print(f"  memo (verify + in-process memo, median)     {ms(memo)}")
        print("web_geojson('desa')")
        print(f"  cold (simplify + serialise + write cache)   {ms(layer_cold)}")
        print(f"  warm (read disk cache)                      {ms(layer_warm)}")
        print(f"  memo (median)                               {ms(layer_memo)}")
        print("web layer (budget: <= 150,000 bytes, every village within 3%)")
        print(f"  village layer bytes      {report['bytes']:>9,}")
        print(f"  points                   {report['points']:>9,}")
        print(f"  worst area error         {report['worst_area_error']:>9.2%}  "
              f"{report['worst_village']} {names[report['worst_village']]}")
        print(f"  kecamatan layer bytes    {report['kecamatan_bytes']:>9,}")
        size, error, kode = uniform_baseline(regions)
        print(f"  for comparison, uniform 0.0008: {size:,} bytes, worst {error:.2%} {kode} {names[kode]}")
        print("kecamatan zoom layers (finer detail)")
        for kode, nama in zip(regions.kecamatan["kode"], regions.kecamatan["nama"]):
            zoom = R.web_geojson(regions, kecamatan_kode=kode)
            size = len(json.dumps(zoom, separators=(",", ":")))
            print(f"  {kode} {nama:<13} {len(zoom['features']):>3} villages {size:>8,} bytes")
        R.clear_memo()  # the temporary cache goes away now


if __name__ == "__main__":
    main()
