"""Many viewers during an import: 20 public-page sessions on a real server, and a large import.

Starts `streamlit run dashboard.py` on a free loopback port with a store of Bulukumba's demo
figures relabelled as real (so the import adds to them instead of retiring them), opens 20
public-page sessions at once in Debian's Chromium (Playwright) and times each one's first draw;
then imports a large partner-activity file from another process (`python -m bulukumba impor`,
as an operator's command line would) and measures:

- how long after the import commits (the data version moves) each session shows the new
  figures (its partner table changes), by the 5-second refresh alone, nobody reloading;
- how long a new visitor who arrives while the import runs waits for the page (several
  arrivals spread over the import);
- the server's memory (resident now and peak).

Bounded: every wait has a ceiling, the import has a row count, and everything stops by itself.
Targets: new figures within 10 s of the commit, a new visitor's page within 5 s.

    python benchmarks/bench_load.py [--sessions 20] [--rows 300000] [--db-url URL]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))  # serving.py: the server and Chromium, shared with the tests

from serving import CHROMIUM, cpu_seconds, memory_mb, server_env, start_server, stop_server  # noqa: E402

#: Records, in each page, the wall-clock time its partner table first differs from what it
#: showed when the watch started.
TABLE_WATCH = """
(() => {
  const table = () => [...document.querySelectorAll('div.tabel table')].map(t => t.innerText).join('|');
  window.__awal = table();
  window.__berubah = null;
  new MutationObserver(() => {
    if (window.__berubah === null && table() !== window.__awal && table() !== '') window.__berubah = Date.now();
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
})()
"""


def prepare_store(url: str, env: dict) -> None:
    """Regions, partners and the demo figures, relabelled as real data."""
    code = ("import datetime as dt, sqlalchemy as sa\n"
            "from bulukumba.storage import demo, reference, store\n"
            f"e = store.make_engine({url!r})\n"
            "reference.ensure_reference(e)\n"
            "demo.load(e, as_of=dt.date(2018, 6, 30))\n"
            "with e.begin() as c:\n"
            "    c.execute(store.impor.update().values(contoh=False))\n"
            "    store.bump_version(c)\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)


def activity_file(path: Path, url: str, rows: int, env: dict) -> None:
    code = ("import sqlalchemy as sa\nfrom bulukumba.storage import store\n"
            f"e = store.make_engine({url!r})\n"
            "with e.connect() as c:\n"
            "    print('\\n'.join(c.execute(sa.select(store.desa.c.kode)).scalars()))\n")
    villages = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True).stdout.split()
    rng = random.Random(2018)
    start = dt.date(2018, 1, 19)
    partners = ["pmi", "dinkes", "bkprmi", "himpaudi", "lakpesdam_nu", "pkk", "dai_muda", "ppdi"]
    with path.open("w", encoding="utf-8") as out:
        out.write("tanggal;mitra;kode_desa;layanan;jumlah;cara;rentan\n")
        for _ in range(rows):
            day = start + dt.timedelta(days=rng.randrange(160))
            out.write(f"{day:%d/%m/%Y};{rng.choice(partners)};{rng.choice(villages)};rekam_ektp;"
                      f"{rng.randint(1, 9)};jemput_bola;umum\n")


def data_version(url: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT nilai FROM meta WHERE kunci = 'versi'")).scalar_one())
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--db-url", help="store URL (default: SQLite in a temporary folder)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    url = args.db_url or f"sqlite:///{folder / 'bulukumba.sqlite'}"
    env = server_env(folder, BULUKUMBA_DB_URL=url)
    print(f"store {url}; preparing figures and a {args.rows:,}-row activity file …", flush=True)
    prepare_store(url, env)
    big = folder / "kegiatan-besar.csv"
    activity_file(big, url, args.rows, env)

    server, base = start_server(folder, env)
    base += "/"
    importer = None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            pages = []
            opened = time.monotonic()
            for _ in range(args.sessions):
                page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                page.goto(base, wait_until="commit", timeout=120_000)
                pages.append(page)
            first_draw = []
            for page in pages:
                page.wait_for_selector("div.tabel table", state="attached", timeout=180_000)
                first_draw.append(time.monotonic() - opened)
            print(f"{args.sessions} sessions opened at once: all drawn within {max(first_draw):.1f} s "
                  f"(median {statistics.median(first_draw):.1f} s)", flush=True)
            for page in pages:
                page.evaluate(TABLE_WATCH)

            version = data_version(url)
            started = time.monotonic()
            # Its progress lines go to a file: a pipe nobody reads until the end fills and stalls it.
            import_log = folder / "impor.log"
            with open(import_log, "wb") as out:
                importer = subprocess.Popen([sys.executable, "-m", "bulukumba", "impor", str(big), "--jenis",
                                             "kegiatan"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            visitors, commit_wall = [], None
            next_visit = started + 1.0
            while importer.poll() is None or commit_wall is None:
                if commit_wall is None and data_version(url) != version:
                    commit_wall = time.time()
                    cpu_at_commit = cpu_seconds(server.pid), cpu_seconds()
                if importer.poll() is None and time.monotonic() >= next_visit:
                    visitor = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                    arrived = time.monotonic()
                    visitor.goto(base, wait_until="commit", timeout=60_000)
                    visitor.wait_for_selector("div.tabel table", state="attached", timeout=120_000)
                    visitors.append((arrived - started, time.monotonic() - arrived))
                    visitor.context.close()
                    next_visit = time.monotonic() + 4.0
                if time.monotonic() - started > 1200:
                    raise SystemExit("the import did not finish within 20 minutes")
                if importer.poll() is not None and commit_wall is None and data_version(url) == version:
                    raise SystemExit("the import ended without a commit:\n" + import_log.read_text()[-2000:])
                time.sleep(0.05)
            print(f"import of {args.rows:,} rows took {time.monotonic() - started:.1f} s "
                  f"({import_log.read_text().strip().splitlines()[-1][:100]})", flush=True)
            for arrived_after, waited in visitors:
                print(f"  a visitor arriving {arrived_after:5.1f} s into the import had the page after {waited:.1f} s")
            deadline = time.monotonic() + 60
            seen = [None] * len(pages)
            while time.monotonic() < deadline and None in seen:
                for i, page in enumerate(pages):
                    if seen[i] is None:
                        changed = page.evaluate("window.__berubah")
                        if changed is not None:
                            seen[i] = changed / 1000 - commit_wall
                time.sleep(0.2)
            server_cpu, machine_cpu = (cpu_seconds(server.pid) - cpu_at_commit[0],
                                       cpu_seconds() - cpu_at_commit[1])
            shown = [s for s in seen if s is not None]
            print(f"new figures on {len(shown)}/{len(pages)} sessions after the commit: "
                  f"max {max(shown):.1f} s, median {statistics.median(shown):.1f} s" if shown else
                  "no session showed new figures within 60 s")
            if shown:
                print("  each session: " + " ".join(f"{s:.1f}" for s in sorted(shown)) + " s")
            print(f"CPU from the commit until the last session showed them: server {server_cpu:.1f} s, "
                  f"everything else on the machine (the {len(pages)} browser pages, this script, anything else running) "
                  f"{machine_cpu - server_cpu:.1f} s, on {os.cpu_count()} cores")
            print(f"server memory: {memory_mb(server.pid):.0f} MB resident, "
                  f"{memory_mb(server.pid, 'VmHWM'):.0f} MB peak")
            browser.close()
    finally:
        if importer is not None and importer.poll() is None:
            importer.kill()
        stop_server(server)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
