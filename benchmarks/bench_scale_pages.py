"""Whole pages on a national-size store: does each page open, how long, how heavy.

bench_scale.py times the data module's functions; this runs the pages themselves (Streamlit's
AppTest, the production code with a signed-in session) against a store it made and kept:

    python benchmarks/bench_scale.py --db sqlite --keep /tmp/skala       # makes the store
    python benchmarks/bench_scale_pages.py sqlite:////tmp/skala/national.sqlite

For every page, in one process, in the order a visitor might open them: the first run (cold:
the data module's memo is empty for that page's questions), a warm rerun, the bytes of the
page's elements (roughly what a rerun sends to the browser), and any exception the page raised.
At the end, the process's memory. No asserts: figures to read. Loopback only.
"""
from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("BULUKUMBA_DATA_DIR", tempfile.mkdtemp(prefix="bench-scale-pages-"))

import logging  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)

#: (page, role): internal pages as the department head, Kelola as an operator, the public
#: page and the projector as a visitor.
PAGES = [("pages/ringkasan.py", "pimpinan"), ("pages/peta.py", "pimpinan"), ("pages/mitra.py", "pimpinan"),
         ("pages/gertak.py", "pimpinan"), ("pages/unduh.py", "pimpinan"), ("pages/kelola.py", "operator"),
         ("pages/publik.py", None), ("?mode=proyektor", None)]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(url: str) -> None:
    from apptest_support import open_app
    from bench_pages import tree_bytes

    print(f"# whole pages on {url.split('@')[-1]}")
    print(f"{'page':22s} {'first run':>10s} {'warm rerun':>11s} {'elements':>10s}  result")
    for page, role in PAGES:
        query = {"mode": page.split("=", 1)[1]} if page.startswith("?") else None
        start = time.perf_counter()
        try:
            at = open_app(None if page.startswith("?") else page, query=query, role=role, db_url=url, timeout=900)
        except Exception as error:  # a timeout: the page did not finish
            print(f"{page:22s} {time.perf_counter() - start:9.1f}s {'':>11s} {'':>10s}  DID NOT FINISH: {error!r}")
            continue
        first = time.perf_counter() - start
        start = time.perf_counter()
        at.run()
        warm = time.perf_counter() - start
        result = "ok" if not at.exception else "EXCEPTION: " + " | ".join(
            e.message.splitlines()[0] for e in at.exception)
        print(f"{page:22s} {first:9.1f}s {warm:10.2f}s {tree_bytes(at) / 1024:8.0f} KB  {result}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process memory: {rss_mb():.0f} MB resident at the end, {peak:.0f} MB peak")


if __name__ == "__main__":
    main(sys.argv[1])
