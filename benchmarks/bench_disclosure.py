"""What disclosure control costs: time to build the published set (the first visit after an
import: the data module's reads for two dates, the suppression, the view), and cells hidden
beyond the small counts themselves (complementary cells), per kind of store.

Stores (fresh, in a temporary folder; boundaries from BULUKUMBA_WILAYAH or ../shared):
- demo: the demo data as the dashboard fills it (weekly snapshots to 30 June 2018);
- januari-2018: one real-looking snapshot, the demo's figures calibrated to the 19 January 2018
  report (92% recorded), imported as a single registry file with nothing else;
- the disclosure test scenarios (tests/disclosure_scenarios.py): near the end of the drive, one
  to three dates (and a late partner batch on a published date), a fifth of the villages with
  1-4 residents left;
- a year of monthly imports (`setahun`): each month a third of the kecamatan report and
  partners report the month's work. Each month is timed as the first visit after its import
  sees it: the published set built, that month's tables audited against every earlier
  publication and kept in the store. The refresh interval (BULUKUMBA_REFRESH_SECONDS, 5 s) is
  the budget: open pages show an import within it.
With `--ip` it also asks an integer program (scipy's HiGHS, a test dependency) over all twelve
months' publications at once for every small count's range, as tests/disclosure_reader.py does
(about two minutes): the count it narrows beyond what public facts allowed.
No asserts: figures to read, not a test.

    python benchmarks/bench_disclosure.py [--ip]
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("BULUKUMBA_DATA_DIR", tempfile.mkdtemp(prefix="bench-data-"))
if "BULUKUMBA_WILAYAH" not in os.environ and (ROOT.parent / "shared" / "wilayah").is_dir():
    os.environ["BULUKUMBA_WILAYAH"] = str(ROOT.parent / "shared" / "wilayah")

from bulukumba import figures, disclosure
from bulukumba.storage import demo, reference, store  # noqa: E402
from bulukumba.regions import load_regions  # noqa: E402

import disclosure_scenarios as scenarios  # noqa: E402


def hidden_by_table(publication) -> str:
    parts = []
    for name, published in (("registri", publication.registri), ("rentan", publication.rentan)):
        small = sum(1 for c in published.table.cells() if published.status[c.key] != "tampil" and c.small)
        extra = sum(1 for c in published.table.cells() if published.status[c.key] != "tampil" and not c.small)
        cells = len(published.table.cells())
        parts.append(f"{name}: {small} kecil + {extra} pelengkap dari {cells} sel")
    return "; ".join(parts)


def measure(label: str, engine) -> None:
    started = time.perf_counter()
    view = disclosure.public_view(engine=engine)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    disclosure.public_view(engine=engine)
    warm = time.perf_counter() - started
    print(f"{label:<34} dibangun {cold * 1000:5.0f} ms (lagi {warm * 1000:.2f} ms)  "
          f"{hidden_by_table(view.publikasi)}")


def main() -> None:
    regions = load_regions()
    folder = Path(tempfile.mkdtemp(prefix="bench-disclosure-"))

    def fresh(name):
        engine = store.make_engine(f"sqlite:///{folder / name}.sqlite")
        reference.ensure_reference(engine, regions)
        return engine

    engine = fresh("demo")
    demo.load(engine)
    figures.latest_date(engine)
    measure("demo", engine)

    january = fresh("januari")
    villages = figures.coverage_villages(demo.REPORT_DATE, engine=engine)
    scenarios.write(january, [scenarios.Batch("registri", [
        {"desa_kode": k, "tanggal": dt.date(2018, 1, 19), "wajib_ktp": int(w), "sudah_rekam": int(s)}
        for k, w, s in zip(villages["kode"], villages["wajib_ktp"], villages["sudah_rekam"])])], "januari")
    measure("januari-2018 (satu snapshot)", january)

    for name in scenarios.SCENARIOS:
        engine = fresh(name)
        built = scenarios.scenario(name, engine)
        for i, (day, batches) in enumerate(zip(built.dates, built.batches)):
            scenarios.write(engine, batches, f"{name}-{i}")
            measure(f"{name} per {day}", engine)

    a_year(fresh("setahun"), "--ip" in sys.argv)


def a_year(engine, with_ip: bool) -> None:
    """A year of monthly imports: the time to publish each month after its import."""
    from bulukumba.disclosure import history, published

    built = scenarios.scenario("setahun", engine)
    times = []
    print("\nsetahun: satu tahun impor bulanan (waktu terbit = kunjungan pertama setelah impor)")
    for i, (day, batches) in enumerate(zip(built.dates, built.batches)):
        scenarios.write(engine, batches, f"setahun-{i}")
        started = time.perf_counter()
        view = disclosure.public_view(engine=engine)
        times.append(time.perf_counter() - started)
        print(f"  {day}  terbit {times[-1]:5.2f} s  {hidden_by_table(view.publikasi)}")
    kept = history.load(engine, published.history_key(engine, None))
    print(f"  per bulan: median {sorted(times)[len(times) // 2]:.2f} s, terlama {max(times):.2f} s; "
          f"tersimpan {sum(len(p) for p in kept.tables.values())} terbitan")
    if with_ip:
        from disclosure_reader import narrowed

        for name, publications in kept.tables.items():
            started = time.perf_counter()
            found = narrowed(publications)
            print(f"  program bilangan bulat atas {len(publications)} terbitan {name} sekaligus: "
                  f"{len(found)} angka kecil dipersempit ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
