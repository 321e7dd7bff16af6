"""Page speed and weight, server side, measured with Streamlit's AppTest.

Prints, for a fresh store in a temporary folder (boundaries from BULUKUMBA_WILAYAH or ../shared):
- preparing the store: creating it, copying regions, filling demo data;
- each page's first run in this process, and its warm rerun (median of N);
- the bytes each page's elements weigh (what a rerun sends over the websocket, roughly) and the
  bytes of the map figure itself, with the map layers it makes the browser fetch once.
No asserts: figures to read, not a test.

    python benchmarks/bench_pages.py [runs]
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BULUKUMBA_DATA_DIR", tempfile.mkdtemp(prefix="bench-data-"))
if "BULUKUMBA_WILAYAH" not in os.environ and (ROOT.parent / "shared" / "wilayah").is_dir():
    os.environ["BULUKUMBA_WILAYAH"] = str(ROOT.parent / "shared" / "wilayah")

import logging  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)
from streamlit.testing.v1 import AppTest  # noqa: E402

#: (page, role): internal pages as the department head, the public page and projector as a visitor.
PAGES = [("pages/ringkasan.py", "pimpinan"), ("pages/peta.py", "pimpinan"), ("pages/mitra.py", "pimpinan"),
         ("pages/gertak.py", "pimpinan"), ("pages/unduh.py", "pimpinan"), ("pages/kelola.py", "operator"),
         ("pages/publik.py", None), ("?mode=proyektor", None)]


def element_bytes(node) -> int:
    total = 0
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "ByteSize"):
        total += proto.ByteSize()
    for child in getattr(node, "children", {}).values() if isinstance(getattr(node, "children", None), dict) else []:
        total += element_bytes(child)
    return total


def tree_bytes(at: AppTest) -> int:
    return sum(element_bytes(root) for root in at._tree.children.values())


def main(runs: int = 15) -> None:
    from bulukumba.storage import startup, store

    start = time.perf_counter()
    ready = startup.prepare(store.engine_for(f"sqlite:///{os.environ['BULUKUMBA_DATA_DIR']}/bulukumba.sqlite"))
    print(f"store prepared (regions + demo data): {(time.perf_counter() - start) * 1000:7.0f} ms"
          f"  map available: {ready.peta_tersedia}")

    sys.path.insert(0, str(ROOT / "tests"))
    from apptest_support import open_app  # signs the role in as the browser would (session cookie)

    for page, role in PAGES:
        query = {"mode": page.split("=", 1)[1]} if page.startswith("?mode=") else None
        at = open_app(query=query, role=role, timeout=120)
        t1 = time.perf_counter()
        if not page.startswith("?"):
            at.switch_page(page)
            at.run()
        else:
            at.run()
        first = time.perf_counter() - t1
        warm, cpu = [], []
        for _ in range(runs):
            t, c = time.perf_counter(), time.process_time()
            at.run()
            warm.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        assert not at.exception, at.exception
        # CPU time (this process: script and data module; SQLite runs in-process) does not grow
        # when other work loads the machine; wall time does.
        line = (f"{page:22s} first run {first * 1000:6.0f} ms   warm rerun median "
                f"{statistics.median(warm) * 1000:5.0f} ms (min {min(warm) * 1000:4.0f}, "
                f"max {max(warm) * 1000:4.0f}), CPU {statistics.median(cpu) * 1000:5.0f} ms   "
                f"elements {tree_bytes(at) / 1024:6.1f} KB")
        print(line)
        if page.endswith("peta.py"):
            chart = at.get("plotly_chart")[0]
            spec = chart.proto.spec
            figure = json.loads(spec)
            layers = [p for p in (ROOT / "static").glob("*.json")]
            print(f"{'':22s} map figure {len(spec.encode()):,} bytes; layers fetched once by the "
                  f"browser: " + ", ".join(f"{p.name} {p.stat().st_size:,} B" for p in sorted(layers)))
            trace = figure["data"][0]
            print(f"{'':22s} trace {trace['type']}, {len(trace['locations'])} villages, "
                  f"geojson={trace['geojson']!r}")
            # The heaviest views: zoomed into the kecamatan with most villages, a village chosen.
            at.selectbox(key="f_kec").set_value("73.02.01").run()
            first_village = at.selectbox(key="peta-desa").options[1]
            at.selectbox(key="peta-desa").select_index(1).run()
            spec = at.get("plotly_chart")[0].proto.spec
            print(f"{'':22s} map figure, Gantarang zoomed, village {first_village!r} chosen: "
                  f"{len(spec.encode()):,} bytes")


def warm(at: AppTest, runs: int) -> str:
    """Wall time and CPU time of this process (every thread: the script runs in its own) per warm
    rerun; on a shared, loaded machine the CPU time is the steadier figure."""
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        at.run()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    assert not at.exception, at.exception
    return (f"warm rerun median {statistics.median(times) * 1000:5.0f} ms (min {min(times) * 1000:4.0f}), "
            f"CPU {statistics.median(cpu) * 1000:4.0f} ms")


def public_features(runs: int) -> None:
    """Issue 9: the public page with a village found (search, card) and opened from a link, and
    each projector slide (the slide the presenter is on is what reruns)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    print(f"{'publik':22s} {warm(at, runs)}   elements {tree_bytes(at) / 1024:6.1f} KB")
    at.text_input(key="cari-desa").input("desa tanah towo").run()
    print(f"{'publik + cari desa':22s} {warm(at, runs)}   elements {tree_bytes(at) / 1024:6.1f} KB")
    at.text_input(key="cari-desa").input("lembanna").run()
    print(f"{'publik + dua pilihan':22s} {warm(at, runs)}")
    link = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    link.query_params["desa"] = "73.02.06.2006"
    link.run()
    print(f"{'publik ?desa=KODE':22s} {warm(link, runs)}")
    projector = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    projector.query_params["mode"] = "proyektor"
    projector.run()
    for _ in range(5):
        title = next(m.value for m in projector.markdown if m.value.startswith("## "))[3:]
        print(f"{'proyektor':10s} {title[:28]:28s} {warm(projector, runs)}   elements "
              f"{tree_bytes(projector) / 1024:6.1f} KB")
        projector.button(key="slide-maju").click().run()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
    public_features(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
