"""Partners' reports (bulukumba/reports): how long the phone form's check, the operator's
queue and an approval take on a Bulukumba-size store with demo data.

Prints, for a fresh SQLite store in a temporary folder (boundaries from BULUKUMBA_WILAYAH or
../shared): the form checked by the importer (best of N), the queue with `waiting` reports and
their flags, the first approval (an import batch, the summaries brought up to date, the demo
retired) and a later one. No asserts: figures to read, not a test.

    python benchmarks/bench_laporan.py [waiting]
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BULUKUMBA_DATA_DIR", tempfile.mkdtemp(prefix="bench-data-"))
os.environ.setdefault("BULUKUMBA_CACHE_DIR", tempfile.mkdtemp(prefix="bench-cache-"))
if "BULUKUMBA_WILAYAH" not in os.environ and (ROOT.parent / "shared" / "wilayah").is_dir():
    os.environ["BULUKUMBA_WILAYAH"] = str(ROOT.parent / "shared" / "wilayah")

from bulukumba.storage import demo, reference, store
from bulukumba import reports  # noqa: E402
from bulukumba.regions import load_regions  # noqa: E402

TANAH_TOWA = "73.02.06.2006"


def best_ms(step, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main(waiting: int = 20) -> None:
    engine = store.make_engine(f"sqlite:///{tempfile.mkdtemp(prefix='bench-laporan-')}/laporan.sqlite")
    reference.ensure_reference(engine, load_regions(os.environ["BULUKUMBA_WILAYAH"]))
    demo.load(engine, as_of=dt.date(2018, 6, 30))

    def entry(day: int) -> reports.FormEntry:
        return reports.FormEntry(tanggal=f"2018-03-{day:02d}", desa_kode=TANAH_TOWA, layanan="kk",
                                 jumlah="9", lansia="2", catatan="jemput bola di balai desa")

    print(f"form checked by the importer: {best_ms(lambda: reports.check_form(entry(1), 'ppdi', engine)):.0f} ms")
    ids = [reports.send(reports.check_form(entry(day), "ppdi", engine), "ppdi", engine)
           for day in range(1, waiting + 1)]
    print(f"queue of {waiting} waiting reports with their flags: {best_ms(lambda: reports.queue(engine), 3):.0f} ms")
    started = time.perf_counter()
    reports.approve(ids[0], "operator", engine)
    print(f"first approval (import batch, summaries, demo retired): {(time.perf_counter() - started) * 1000:.0f} ms")
    started = time.perf_counter()
    reports.approve(ids[1], "operator", engine)
    print(f"a later approval: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
