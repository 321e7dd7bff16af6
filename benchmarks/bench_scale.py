"""The data module at national size, on SQLite and PostgreSQL: every page's data, cold and warm.

Generates (scale_store.py) a store of 83,000 villages in 7,200 kecamatan and 514 regencies,
36 monthly snapshots per village (2,988,000 rows, plus a correction batch and a cancelled one),
10,000,000 partner activity rows and 7,724 targets; then, in a fresh process per database:

- each public data function the pages call, cold (memo cleared) and warm, at national scope
  and for one regency;
- each page's data needs, cold (everything that page asks, with the memo cleared first), as
  one script run asks them: the data version read once and pinned;
- an import of one regency's monthly registry file (importer.import_bytes) while the store is
  that large, the first read after it, its undo and the read after that; the same for one
  regency's late partner activity inside the 2017 partnership;
- the process's memory (peak and current resident size).

    python benchmarks/bench_scale.py [--db sqlite,postgresql] [--keep DIR] [--small]

PostgreSQL: a throwaway cluster (.ci/postgres) unless --pg-url names a server; its database is
dropped afterwards unless --keep. --small: a hundredth of the size (a quick look). Loopback only.
No asserts: figures to read, with the targets beside them (PostgreSQL 1 s, SQLite 2 s per page).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

GERTAK_START = dt.date(2018, 1, 19)
TARGET_S = {"sqlite": 2.0, "postgresql": 1.0}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------------
# What the pages ask (national scope unless the page is about one regency)
# ---------------------------------------------------------------------------------------------

def kemitraan_questions(e, per: dt.date, service: str | None) -> list[tuple[str, object]]:
    """The Mitra page on the 2017 partnership, a period inside the data at both ends: read from
    the programme's kept rows (summaries.jangkauan_program), not the reach table's dates."""
    from bulukumba import figures

    suffix = f" kemitraan {service or 'semua'}"

    def period():
        return figures.programme_period("kemitraan_2017", e)

    return [("programme_period x2", lambda: (figures.programme_period("gertak_2018", e), period())),
            ("partner_leaderboard" + suffix, lambda: figures.partner_leaderboard(*period(), service, None, e)),
            ("partner_monthly" + suffix, lambda: figures.partner_monthly(*period(), service, engine=e)),
            ("programme_status kemitraan", lambda: figures.programme_status("kemitraan_2017", as_of=per, engine=e)),
            ("partners", lambda: figures.partners(e)),
            ("partner_monthly one partner" + suffix,
             lambda: figures.partner_monthly(*period(), service, "pkk", engine=e)),
            ("partner_villages top 200" + suffix, lambda: figures.partner_villages("pkk", *period(), service, e, limit=200)),
            ("partner_village_count" + suffix, lambda: figures.partner_village_count("pkk", *period(), service, e))]


def page_questions(e, per: dt.date, kab: str, kec: str) -> dict[str, list[tuple[str, object]]]:
    from bulukumba import figures
    from bulukumba.presentation import downloads
    from bulukumba.figures import verdict

    sidebar = [("latest_date", lambda: figures.latest_date(e)), ("recorded_trend (first date)", lambda: figures.recorded_trend(engine=e)),
               ("regencies", lambda: figures.regencies(e)), ("freshness", lambda: figures.freshness(e)),
               ("region_label", lambda: figures.region_label(None, None, e))]
    return {
        "Ringkasan (nasional)": sidebar + [
            ("coverage_total", lambda: figures.coverage_total(per, engine=e)),
            ("recorded_change 7", lambda: figures.recorded_change(per, 7, engine=e)),
            ("recorded_change 30", lambda: figures.recorded_change(per, 30, engine=e)),
            ("coverage_kecamatan (7,200 rows)", lambda: figures.coverage_kecamatan(per, e)),
            ("coverage_kabupaten", lambda: figures.coverage_kabupaten(per, e)),
            ("top_unrecorded 5", lambda: figures.top_unrecorded(per, 5, engine=e)),
            ("recorded_trend", lambda: figures.recorded_trend(end=per, engine=e)),
            ("gertak_verdict", lambda: verdict.gertak_verdict(per, None, e))],
        "Ringkasan (satu kabupaten)": sidebar + [
            ("kecamatan_names", lambda: figures.kecamatan_names(e, kab)),
            ("coverage_total kab", lambda: figures.coverage_total(per, engine=e, kabupaten=kab)),
            ("recorded_change 7 kab", lambda: figures.recorded_change(per, 7, engine=e, kabupaten=kab)),
            ("recorded_change 30 kab", lambda: figures.recorded_change(per, 30, engine=e, kabupaten=kab)),
            ("coverage_kecamatan kab", lambda: figures.coverage_kecamatan(per, e, kabupaten=kab)),
            ("top_unrecorded kab", lambda: figures.top_unrecorded(per, 5, engine=e, kabupaten=kab)),
            ("recorded_trend kab", lambda: figures.recorded_trend(end=per, engine=e, kabupaten=kab))],
        "Peta (nasional: daftar prioritas)": sidebar + [
            ("priority_villages (83,000 ranked)", lambda: figures.priority_villages(per, engine=e))],
        "Peta (satu kecamatan)": sidebar + [
            ("coverage_villages kec", lambda: figures.coverage_villages(per, kec, e)),
            ("priority_villages kec", lambda: figures.priority_villages(per, kec, e)),
            ("village_history", lambda: figures.village_history(kec + ".2001", per, e)),
            ("village_services", lambda: figures.village_services(kec + ".2001", end=per, engine=e))],
        "Mitra (nasional, GERTAK)": sidebar + [
            ("programme_period x2", lambda: (figures.programme_period("gertak_2018", e),
                                             figures.programme_period("kemitraan_2017", e))),
            ("partner_leaderboard GERTAK", lambda: figures.partner_leaderboard(GERTAK_START, per, None, None, e)),
            ("partner_monthly GERTAK", lambda: figures.partner_monthly(GERTAK_START, per, None, engine=e)),
            ("programme_status kemitraan", lambda: figures.programme_status("kemitraan_2017", as_of=per, engine=e)),
            ("partners", lambda: figures.partners(e)),
            ("partner_monthly one partner", lambda: figures.partner_monthly(GERTAK_START, per, None, "pkk", engine=e)),
            ("partner_villages top 200", lambda: figures.partner_villages("pkk", GERTAK_START, per, None, e, limit=200)),
            ("partner_village_count", lambda: figures.partner_village_count("pkk", GERTAK_START, per, None, e))],
        "Mitra (satu kabupaten, GERTAK)": sidebar + [
            ("partner_leaderboard kab", lambda: figures.partner_leaderboard(GERTAK_START, per, None, None, e, kabupaten=kab)),
            ("partner_monthly kab", lambda: figures.partner_monthly(GERTAK_START, per, None, engine=e, kabupaten=kab))],
        "Mitra (nasional, seluruh periode)": sidebar + [
            ("partner_leaderboard all time", lambda: figures.partner_leaderboard(None, per, None, None, e)),
            ("partner_monthly all time", lambda: figures.partner_monthly(None, per, None, engine=e))],
        **{f"Mitra (nasional, Kemitraan 2017{label})": sidebar + kemitraan_questions(e, per, service)
           for label, service in (("", None), (", rekam e-KTP", "rekam_ektp"))},
        "GERTAK 2018 (nasional)": sidebar + [
            # As pages/gertak.py asks: the strip, the progress chart, the chart of every
            # kecamatan (statuses, not judged), the table per service.
            ("gertak_verdict", lambda: verdict.gertak_verdict(per, None, e)),
            ("programme_progress", lambda: figures.programme_progress("gertak_2018", as_of=per, engine=e)),
            ("statuses_with_figures kecamatan (7,200)", lambda: verdict.statuses_with_figures("gertak_2018", per, e)),
            ("kecamatan_names", lambda: figures.kecamatan_names(e)),
            ("programme_verdicts layanan", lambda: verdict.programme_verdicts("gertak_2018", "layanan", per, e))],
        # Unduh's GERTAK file judges every kecamatan (state, pace, projected finish), at a click.
        "(no page) GERTAK: every kecamatan judged": sidebar + [
            ("programme_verdicts kecamatan (7,200)", lambda: verdict.programme_verdicts("gertak_2018", "kecamatan", per, e))],
        # A store of several regencies publishes one regency at a time (disclosure.published):
        # the page of the national store is one regency's published set, then its verdict.
        "Transparansi (satu kabupaten)": [
            ("regencies", lambda: figures.regencies(e)), ("freshness", lambda: figures.freshness(e)),
            ("region_label kab", lambda: figures.region_label(None, kab, e)),
            ("public_view kab (published set)", lambda: fresh_public_view(e, kab)),
            ("gertak_verdict kab", lambda: verdict.gertak_verdict(per, None, e, kab))],
        "Transparansi (satu kabupaten): its data functions": [
            ("coverage_villages kab", lambda: figures.coverage_villages(per, engine=e, kabupaten=kab)),
            ("coverage_kecamatan kab", lambda: figures.coverage_kecamatan(per, e, kabupaten=kab)),
            ("partner_leaderboard GERTAK kab", lambda: figures.partner_leaderboard(GERTAK_START, per, None, None, e,
                                                                                kabupaten=kab)),
            ("partner_totals GERTAK kab", lambda: figures.partner_totals(GERTAK_START, per, None, e, kab)),
            ("vulnerable_by_kecamatan kab", lambda: figures.vulnerable_by_kecamatan(GERTAK_START, per, e, kabupaten=kab)),
            ("programme_status kab", lambda: figures.programme_status("gertak_2018", as_of=per, engine=e, kabupaten=kab)),
            ("programme_progress kab", lambda: figures.programme_progress("gertak_2018", as_of=per, engine=e,
                                                                      kabupaten=kab))],
        # No page builds the whole country's published set any more; timed for the record.
        "(no page) the whole country's published set": [
            ("public_view, whole store", lambda: fresh_public_view(e))],
        "Unduh (nasional)": sidebar + [
            # What the page reads on opening: the list of files and each one's row count (the
            # files themselves are built when a button is pressed).
            ("downloads: items and row counts", lambda: [item.rows() for item in downloads.items(per, None, None, e)
                                                        if not item.per_regency])],
        "Unduh (nasional): every file built": sidebar + [
            ("downloads: every file", lambda: [item.build() for item in downloads.items(per, None, None, e)
                                               if not item.per_regency])],
    }


def fresh_public_view(engine, kabupaten=None):
    """The public page's published set, built now (its own per-version memo forgotten first)."""
    from bulukumba.disclosure import published

    published._memo.clear()
    return published.public_view(engine=engine, kabupaten=kabupaten)


_TICK = os.sysconf("SC_CLK_TCK")
_postmaster: int | None = None


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def cpu_seconds() -> float:
    """CPU time of this process plus, on PostgreSQL, of every process of the database cluster
    (backends and their parallel workers): the work a call costs, whatever else loads the machine."""
    times = os.times()
    total = times.user + times.system
    if _postmaster is not None:
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    if int(stat[1]) == _postmaster:
                        total += (int(stat[11]) + int(stat[12])) / _TICK
                except (OSError, IndexError, ValueError):
                    pass  # a worker that ended meanwhile
    return total


def page_run(engine, questions) -> None:
    """A page's questions as one script run asks them: the data version read once and pinned
    (web/live.py), so the memoised calls do not each read it again (GERTAK's page makes about
    30 such calls; unpinned, each was one more query)."""
    from bulukumba import figures

    figures.pin_version(figures.data_version(engine), engine)
    try:
        for _, call in questions:
            call()
    finally:
        figures.pin_version(None, engine)


def timed(call) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    cpu, start = cpu_seconds(), time.perf_counter()
    call()
    return time.perf_counter() - start, cpu_seconds() - cpu


def measure(url: str, kind: str) -> dict:
    """In this (fresh) process: functions cold and warm, pages cold, an import, memory."""
    from bulukumba import figures, importer
    from bulukumba.storage import store
    import scale_store

    global _postmaster
    engine = store.make_engine(url)
    if kind == "postgresql":
        with engine.connect() as conn:
            backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        _postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    out = {"kind": kind, "functions": {}, "pages": {}, "import": {}}
    t = time.perf_counter()
    figures.latest_date(engine)  # the first read after generation rebuilds the derived summaries
    out["first_read_s"] = time.perf_counter() - t
    per = figures.latest_date(engine)
    regencies = figures.regencies(engine)
    kab = regencies["kode"].iloc[len(regencies) // 2]
    kec = next(iter(figures.kecamatan_names(engine, kab)))
    pages = page_questions(engine, per, kab, kec)
    for page, questions in pages.items():
        for name, call in questions:
            if name in out["functions"]:
                continue
            figures.clear_memo()
            cold = timed(call)
            warm = timed(call)
            out["functions"][name] = (*cold, *warm)
            print(f"  {name:40s} cold {cold[0] * 1000:8.1f} ms ({cold[1] * 1000:7.0f} ms CPU)   "
                  f"warm {warm[0] * 1000:6.2f} ms", file=sys.stderr, flush=True)
    for page, questions in pages.items():
        figures.clear_memo()
        out["pages"][page] = timed(lambda: page_run(engine, questions))
    # One regency's monthly file while the store is this large.
    day = dt.date(per.year + (per.month == 12), per.month % 12 + 1, 1) + dt.timedelta(days=27)
    content = scale_store.regency_month_csv(engine, kab, day)
    start = time.perf_counter()
    result = importer.import_bytes(content, f"registri-{kab}-{day:%Y-%m}.csv", None, engine, oleh="bench_scale")
    out["import"]["rows"] = result.ditulis
    out["import"]["ok"] = result.ok
    out["import"]["import_s"] = time.perf_counter() - start
    out["import"]["first_read_after_s"] = timed(lambda: figures.coverage_total(day, engine=engine, kabupaten=kab))[0]
    out["import"]["national_total_after_s"] = timed(lambda: figures.coverage_total(day, engine=engine))[0]
    if result.ok:
        start = time.perf_counter()
        importer.undo_import(result.impor_id, engine, "bench_scale")
        out["import"]["undo_s"] = time.perf_counter() - start
        out["import"]["first_read_after_undo_s"] = timed(lambda: figures.coverage_total(day, engine=engine, kabupaten=kab))[0]
    else:
        out["import"]["error"] = result.pesan
    out["activity_import"] = activity_import(engine, kab)
    out["rss_mb"], out["peak_mb"] = rss_mb(), peak_mb()
    return out


def activity_import(engine, kab: str) -> dict:
    """One regency's late partner activity inside the 2017 partnership: the import brings the
    programme's kept rows of those villages up to date; then the Mitra page's leaderboard."""
    from bulukumba import figures, importer
    import scale_store

    period = figures.programme_period("kemitraan_2017", engine)
    if period is None:
        return {}
    day = period[0] + dt.timedelta(days=30)
    content = scale_store.regency_activity_csv(engine, kab, day)
    start = time.perf_counter()
    result = importer.import_bytes(content, f"kegiatan-{kab}-{day:%Y-%m-%d}.csv", None, engine, oleh="bench_scale")
    out = {"rows": result.ditulis, "ok": result.ok, "import_s": time.perf_counter() - start}
    out["leaderboard_after_s"] = timed(lambda: figures.partner_leaderboard(*period, None, None, engine))[0]
    if result.ok:
        start = time.perf_counter()
        importer.undo_import(result.impor_id, engine, "bench_scale")
        out["undo_s"] = time.perf_counter() - start
        out["leaderboard_after_undo_s"] = timed(lambda: figures.partner_leaderboard(*period, None, None, engine))[0]
    else:
        out["error"] = result.pesan
    return out


def report(results: list[dict]) -> None:
    print("\n## per function (ms): cold wall (cold CPU) / warm wall; CPU = this process + the database's")
    kinds = [r["kind"] for r in results]
    print(f"{'function':42s}" + "".join(f"{k:>30s}" for k in kinds))
    for name in results[0]["functions"]:
        cells = []
        for r in results:
            cold, cold_cpu, warm, _ = r["functions"].get(name, (float("nan"),) * 4)
            cells.append(f"{cold * 1000:9.1f} ({cold_cpu * 1000:7.0f}) / {warm * 1000:6.2f}")
        print(f"{name:42s}" + "".join(f"{c:>30s}" for c in cells))
    print("\n## page data, cold, as one script run asks it (the data version read once and pinned): "
          "wall s (CPU s); target PostgreSQL 1 s, SQLite 2 s")
    for page in results[0]["pages"]:
        cells = []
        for r in results:
            wall, cpu = r["pages"][page]
            cells.append(f"{wall:7.2f} ({cpu:6.2f}) {'ok' if wall <= TARGET_S[r['kind']] else 'OVER'}")
        print(f"{page:42s}" + "".join(f"{c:>30s}" for c in cells))
    print("\n## import of one regency's monthly file; memory")
    for r in results:
        print(f"{r['kind']}: {json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r['import'].items()})}")
        print(f"{r['kind']}, partner activity: "
              f"{json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r['activity_import'].items()})}")
        print(f"{r['kind']}: first read after generation (summaries rebuilt) {r['first_read_s']:.1f} s; "
              f"process memory {r['rss_mb']:.0f} MB resident at the end, {r['peak_mb']:.0f} MB peak")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--small", action="store_true", help="a hundredth of the size")
    parser.add_argument("--keep", help="folder for the stores, kept afterwards (reused if present)")
    parser.add_argument("--pg-url", help="an existing PostgreSQL server (default: a throwaway cluster)")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, metavar=("KIND", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    size = dict(n_regencies=514, n_kecamatan=7_200, n_villages=83_000, activity=10_000_000)
    if args.small:
        size = dict(n_regencies=6, n_kecamatan=72, n_villages=830, activity=100_000)

    if args.generate:
        import scale_store
        from bulukumba.storage import store

        print(json.dumps(scale_store.generate(store.make_engine(args.generate[1]), **size)["steps"]))
        return
    if args.worker:
        print(json.dumps(measure(args.worker[1], args.worker[0])))
        return

    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    pg_dir, results = None, []
    try:
        for kind in args.db.split(","):
            if kind == "sqlite":
                path = folder / ("national-small.sqlite" if args.small else "national.sqlite")
                url, fresh = f"sqlite:///{path}", not path.exists()
            else:
                import sqlalchemy as sa

                if args.pg_url is None and pg_dir is None:
                    pg_dir = Path(tempfile.mkdtemp(prefix="bench-scale-pg-"))  # chowned to postgres
                    args.pg_url = subprocess.run([str(ROOT / ".ci" / "postgres"), "start", str(pg_dir)], check=True,
                                                 capture_output=True, text=True).stdout.strip()
                name = "national_small" if args.small else "national"
                admin = sa.create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
                with admin.connect() as conn:
                    fresh = not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
                    if fresh:
                        conn.exec_driver_sql(f"CREATE DATABASE {name}")
                admin.dispose()
                url = sa.make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
            if fresh:
                print(f"# generating the {kind} store ({size})", flush=True)
                started = time.perf_counter()
                subprocess.run([sys.executable, __file__, "--generate", kind, url] + (["--small"] if args.small else []),
                               check=True)
                print(f"# generated in {time.perf_counter() - started:.0f} s", flush=True)
            print(f"# measuring {kind} in a fresh process", flush=True)
            done = subprocess.run([sys.executable, __file__, "--worker", kind, url] + (["--small"] if args.small else []),
                                  check=True, stdout=subprocess.PIPE, text=True)  # progress goes to stderr
            results.append(json.loads(done.stdout.splitlines()[-1]))
        report(results)
    finally:
        if pg_dir is not None:
            subprocess.run([str(ROOT / ".ci" / "postgres"), "stop", str(pg_dir)], check=False)
        if not args.keep:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
