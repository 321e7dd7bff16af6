"""CPU of a real `streamlit run` server: per warm rerun of each page, and per idle open session.

AppTest (bench_pages.py) runs the script but skips what the server does around it (the
post-run garbage collection, the websocket, the 5-second refresh tick). This starts the
dashboard on a free local port with a fresh demo store, opens every page in Debian's Chromium
(Playwright), presses "r" (Streamlit's rerun shortcut) N times per page, and reads the server
process's CPU time (/proc/PID/stat, all threads) before and after; then leaves a page open and
untouched for the idle time and reads it again. Loopback only; no asserts: figures to read.

    python benchmarks/bench_server.py [--reruns 20] [--idle 60] [-- extra streamlit options]

e.g. `-- --runner.postScriptGC true` to see what Streamlit's collection after every run costs.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))  # serving.py: the server and Chromium, shared with the tests

from serving import (CHROMIUM, cpu_seconds, memory_mb, server_env, start_server, stop_server,  # noqa: E402
                     write_accounts)

PASSWORD = "sandi-bench"

#: Counts every finished script run (full or fragment) the page sees.
RUN_COUNTER = """
window.__runs = 0;
new MutationObserver((changes) => {
  for (const c of changes) {
    if (c.attributeName === 'data-test-script-state' &&
        c.target.getAttribute('data-test-script-state') === 'notRunning') window.__runs += 1;
  }
}).observe(document, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
"""

#: (link text in the navigation, or None for the page the session lands on, what it waits for)
INTERNAL = [("Ringkasan", "Ringkasan perekaman e-KTP"), ("Peta", "Prioritas jemput bola"),
            ("Mitra", "Peringkat mitra"), ("GERTAK 2018", "Per layanan"), ("Unduh", "Unduh data")]


def settle(page) -> None:
    """Wait until no script runs and the page has drawn."""
    page.wait_for_function("document.querySelector('[data-test-script-state]') && "
                           "document.querySelector('[data-test-script-state]')"
                           ".getAttribute('data-test-script-state') === 'notRunning'", timeout=120_000)
    page.wait_for_timeout(1500)


def quiet(pid: int, ceiling: float = 240.0) -> None:
    """Wait until the server uses under 3% of a core for two seconds: a fresh install compresses
    Streamlit's bundles at the best brotli level once, in a low-priority thread (about 20 s of
    CPU, kept in the cache for every later start), and that must not count as a page's rerun."""
    deadline = time.monotonic() + ceiling
    while time.monotonic() < deadline:
        cpu0 = cpu_seconds(pid)
        time.sleep(2)
        if cpu_seconds(pid) - cpu0 < 0.06:
            return


def reruns(page, pid: int, n: int) -> tuple[float, float]:
    """CPU seconds per rerun (server process) and wall seconds per rerun, over n reruns."""
    page.evaluate("document.activeElement && document.activeElement.blur()")  # keys reach the app
    cpu0, wall0 = cpu_seconds(pid), time.monotonic()
    for _ in range(n):
        before = page.evaluate("window.__runs")
        page.keyboard.press("r")
        page.wait_for_function(f"window.__runs > {before}", timeout=60_000)
        page.wait_for_function("document.querySelector('[data-test-script-state]')"
                               ".getAttribute('data-test-script-state') === 'notRunning'", timeout=60_000)
    return (cpu_seconds(pid) - cpu0) / n, (time.monotonic() - wall0) / n


def idle(pid: int, seconds: float) -> float:
    """Share of one core the server used while the open page(s) sat untouched."""
    cpu0, wall0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - cpu0) / (time.monotonic() - wall0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reruns", type=int, default=20)
    parser.add_argument("--idle", type=float, default=60.0)
    parser.add_argument("extra", nargs="*", help="options passed to streamlit run (after --)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    data_dir = Path(tempfile.mkdtemp(prefix="bench-server-"))
    secrets = write_accounts(data_dir, PASSWORD, [("kadis", "kadis", "pimpinan"), ("operator", "operator", "operator")])
    process, url = start_server(data_dir, server_env(data_dir), secrets, args.extra)
    pid = process.pid
    print(f"server pid {pid} {url}; extra options: {' '.join(args.extra) or '(none)'}")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.add_init_script(RUN_COUNTER)
            page = context.new_page()
            page.goto(url + "/")
            page.wait_for_selector("[data-testid='stMetricValue']", timeout=180_000)
            settle(page)
            quiet(pid)
            results = {}
            results["Transparansi (publik)"] = reruns(page, pid, args.reruns)
            idle_public = idle(pid, args.idle)

            page.get_by_role("link", name="Masuk").click()
            page.get_by_label("Nama pengguna").fill("operator")
            page.get_by_label("Kata sandi").fill(PASSWORD)
            page.get_by_role("button", name="Masuk").click()
            page.wait_for_selector("text=Ringkasan perekaman e-KTP", timeout=120_000)
            for link, marker in INTERNAL + [("Kelola data", "Riwayat impor")]:
                page.get_by_role("link", name=link, exact=True).first.click()
                page.wait_for_selector(f"text={marker}", timeout=120_000)
                settle(page)
                reruns(page, pid, 2)  # the first runs of a page fill caches: not warm
                quiet(pid)
                results[link] = reruns(page, pid, args.reruns)
                print(f"  {link}: {results[link][0] * 1000:.1f} ms CPU per rerun", flush=True)
            page.get_by_role("link", name="Peta", exact=True).first.click()
            page.wait_for_selector("text=Prioritas jemput bola", timeout=120_000)
            settle(page)
            quiet(pid)
            idle_peta = idle(pid, args.idle)
            projector = context.new_page()
            projector.goto(url + "/?mode=proyektor")
            projector.wait_for_selector("[data-testid='stMetricValue']", timeout=120_000)
            settle(projector)
            page.close()
            quiet(pid)
            results["Mode proyektor"] = reruns(projector, pid, args.reruns)
            browser.close()
        print(f"\nwarm rerun, server CPU per run (mean of {args.reruns}, incl. any 5-s refresh tick):")
        for name, (cpu, wall) in results.items():
            print(f"  {name:24s} {cpu * 1000:6.1f} ms CPU   {wall * 1000:6.0f} ms wall")
        print(f"idle open session for {args.idle:.0f} s: Transparansi {idle_public * 100:.2f}% of a core, "
              f"Peta {idle_peta * 100:.2f}% of a core")
        print(f"server memory (RSS) at the end: {memory_mb(pid):.0f} MB")
    finally:
        stop_server(process)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
