"""The public side as a shared link meets it: the page shell under load, and time to figures.

Starts `streamlit run dashboard.py` on a free local port with its own temporary store (demo
data), opens the public page once in Chromium (a fresh install prepares its store in the first
session), then measures:

- the page shell (bulukumba/server/public.py) with a protocol-level client: 200 concurrent
  keep-alive HTTP/1.1 connections (plain asyncio, no browser) asking `/`, `/?desa=…` for ten
  villages and `/?mode=proyektor` with `Accept-Encoding: br` for SECONDS seconds: responses per
  second and latency percentiles. The client runs on the same machine (its CPU counts against
  the server's);
- the share card and an open data file the same way, for comparison;
- time to figures in Chromium (390×844): milliseconds from navigation until the four figures are
  on screen (the first screen's, from the first response), and until the live page has taken
  its place; unthrottled, then under emulated slow 4G (150 ms, 1.6 Mbit/s down, 750 kbit/s up)
  with the CPU slowed 4x (bench_browser.py's settings). Median of N runs.

Prints figures, asserts nothing:

    python benchmarks/bench_public.py [runs] [seconds]
"""
from __future__ import annotations

import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))  # serving.py: the server and Chromium, shared with the tests

from bench_browser import SLOW_4G  # noqa: E402
from serving import CHROMIUM, server_env, start_server, stop_server  # noqa: E402

CLIENTS = 200
VILLAGES = ["73.02.01.1001", "73.02.01.1002", "73.02.02.1001", "73.02.03.2001", "73.02.04.2001",
            "73.02.05.2001", "73.02.06.2001", "73.02.07.2001", "73.02.08.2001", "73.02.09.2001"]

TIMING_SCRIPT = """
(() => {
  const seen = {};
  window.__seen = seen;
  const shown = e => e.textContent.trim() !== "" && e.getBoundingClientRect().height > 0;
  const check = () => {
    if (seen.figures === undefined && ([...document.querySelectorAll("#layar-pertama dl.empat dd")].filter(shown)
        .length >= 4 || [...document.querySelectorAll("[data-testid='stMetricValue']")].filter(shown).length >= 4))
      seen.figures = performance.now();
    if (seen.live === undefined && !document.getElementById("layar-pertama") &&
        [...document.querySelectorAll("[data-testid='stMetricValue']")].filter(shown).length >= 4)
      seen.live = performance.now();
    if (seen.figures === undefined || seen.live === undefined) requestAnimationFrame(check);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", check);
  requestAnimationFrame(check);
})();
"""


async def _worker(host: str, port: int, paths: list[str], offset: int, stop_at: float, latencies: list[float],
                  errors: list[str], extra: str = "", status: bytes = b"200") -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = offset
    try:
        while time.perf_counter() < stop_at:
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/html,*/*\r\n"
                         f"Accept-Encoding: br\r\nUser-Agent: bench-public\r\n{extra}\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length: *(\d+)", head)
            length = int(length.group(1)) if length else 0
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 " + status):
                errors.append(head.split(b"\r\n", 1)[0].decode())
    finally:
        writer.close()


def load(url: str, paths: list[str], seconds: float, clients: int = CLIENTS, headers: dict | None = None,
         status: bytes = b"200") -> int:
    """`clients` keep-alive connections asking `paths` in turn for `seconds`; prints the rate and
    latencies, answers how many responses came (`status`: the one expected)."""
    parts = urlsplit(url)
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    latencies: list[float] = []
    errors: list[str] = []

    async def run():
        stop_at = time.perf_counter() + seconds
        await asyncio.gather(*[_worker(parts.hostname, parts.port, paths, k, stop_at, latencies, errors, extra, status)
                               for k in range(clients)])

    import threading

    start = time.perf_counter()
    runner = threading.Thread(target=lambda: _run(run()))  # (Playwright's loop holds this thread)
    runner.start()
    runner.join()
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    print(f"    {len(latencies) / elapsed:7.0f} responses/s over {elapsed:.1f} s, {clients} clients; "
          f"latency p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms; "
          f"{len(errors)} not {status.decode()}" + (f" (e.g. {errors[0]})" if errors else ""))
    return len(latencies)


def _run(coroutine):
    """asyncio.run, on uvloop when it is installed (the client's own cost halves), without the
    client's garbage collector (its pauses would count as the server's latency)."""
    import gc

    try:
        import uvloop
        run = uvloop.run
    except ImportError:
        run = asyncio.run
    gc.disable()
    try:
        return run(coroutine)
    finally:
        gc.enable()


def time_to_figures(browser, url: str, runs: int, throttled: bool) -> None:
    figures, live = [], []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.add_init_script(TIMING_SCRIPT)
        page = context.new_page()
        if throttled:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_4G)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        page.goto(url + "/", wait_until="commit")
        deadline = time.monotonic() + 180
        while True:  # (wait_for_function evaluates a string: the page's CSP forbids that)
            seen = page.evaluate("window.__seen || {}")
            if "figures" in seen and "live" in seen or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        figures.append(seen["figures"])
        live.append(seen["live"])
        context.close()
    label = "slow 4G + 4x CPU" if throttled else "no throttling   "
    print(f"  {label}  four figures (first screen): median {statistics.median(figures):6.0f} ms "
          f"(runs {', '.join(f'{v:.0f}' for v in figures)})")
    print(f"  {label}  live page in its place:      median {statistics.median(live):6.0f} ms "
          f"(runs {', '.join(f'{v:.0f}' for v in live)})")


def first_visits(url: str) -> None:
    """The first visitor of each village's address: one request each, one after another, so each
    builds its shell (figures, first screen, compression) for this data version."""
    import csv
    import io
    import urllib.request

    with urllib.request.urlopen(url + "/data/73.02/desa-data-contoh.csv") as response:
        codes = [row["kode"] for row in csv.DictReader(io.StringIO(response.read().decode("utf-8")))]
    took = []
    for code in codes:
        request = urllib.request.Request(f"{url}/?desa={code}", headers={"Accept-Encoding": "br"})
        started = time.perf_counter()
        with urllib.request.urlopen(request) as response:
            response.read()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    print(f"first visit of each village's address ({len(took)}, one at a time): median {statistics.median(took):.0f} ms, "
          f"p95 {took[int(len(took) * 0.95)]:.0f} ms, max {took[-1]:.0f} ms, total {sum(took) / 1000:.1f} s")


def main(runs: int = 5, seconds: float = 10) -> None:
    from playwright.sync_api import sync_playwright

    data_dir = Path(tempfile.mkdtemp(prefix="bench-public-"))
    env = server_env(data_dir)
    env.pop("BULUKUMBA_DB_URL", None)
    process, url = start_server(data_dir, env)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            warm = browser.new_page()
            warm.goto(url + "/")
            warm.wait_for_selector("[data-testid='stMetricValue']", timeout=180_000)
            warm.close()
            first_visits(url)
            shells = ["/", "/?mode=proyektor"] + [f"/?desa={k}" for k in VILLAGES]
            load(url, shells, 2, 20)  # every shell built once
            print(f"page shell ({len(shells)} public addresses), {CLIENTS} concurrent clients:")
            load(url, shells, seconds)
            print("share card (/kartu/kab-73.02.png):")
            load(url, ["/kartu/kab-73.02.png"], seconds / 2)
            print("open data (/data/73.02/desa-data-contoh.csv):")
            load(url, ["/data/73.02/desa-data-contoh.csv"], seconds / 2)
            print("time to figures (390x844, fresh context, warm server):")
            time_to_figures(browser, url, runs, throttled=False)
            time_to_figures(browser, url, runs, throttled=True)
            browser.close()
    finally:
        stop_server(process)


if __name__ == "__main__":
    main(*(int(a) if i == 0 else float(a) for i, a in enumerate(sys.argv[1:])))
