"""What a visitor's browser pays: bytes on the wire and time to the first figures (Chromium).

Starts `streamlit run dashboard.py` on a free local port with its own temporary store (demo
data) and one account, then measures with Playwright and Debian's Chromium:

- bytes on the wire, cold cache: the public page's first visit; the internal pages' first load
  (sign in on Masuk, then open Ringkasan, Peta, Mitra, GERTAK 2018 and Unduh in turn); and a
  repeat visit in the same browser (a new tab on the public page, and a new tab on /peta).
  "Wire" is what the server sent, counted by a TCP relay between browser and server: HTTP
  headers and bodies as encoded, websocket frames as compressed. The breakdown after it is
  Chromium's own count of HTTP bytes by resource type (DevTools protocol) and the websocket
  payload after decompression.
- time to figures: a fresh browser context on a warm server; milliseconds from navigation start
  until the public page shows its four headline figures, and until its village map is drawn
  (checked on every animation frame; median of N), first unthrottled, then under Chromium's
  emulated "slow 4G" (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, as Lighthouse's mobile
  preset) with the CPU slowed 4x.

Prints figures, asserts nothing:

    python benchmarks/bench_browser.py [runs]
"""
from __future__ import annotations

import base64
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))  # serving.py: the server and Chromium, shared with the tests

from serving import CHROMIUM, free_port, server_env, start_server, stop_server, write_accounts  # noqa: E402

USER, PASSWORD = "kadis", "sandi-benchmark-2018"
INTERNAL_PAGES = [("Peta", "Peta desa dan daftar prioritas"), ("Mitra", "Mitra kemitraan"),
                  ("GERTAK 2018", "GERTAK 2018"), ("Unduh", "Unduh data")]
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 1.6 * 1024 * 1024 / 8,
           "uploadThroughput": 750 * 1024 / 8}

#: Records, in the page itself, when the figures and the map are first on screen (ms since
#: navigation), looking on every animation frame.
TIMING_SCRIPT = """
(() => {
  const seen = {};
  window.__seen = seen;
  const shown = e => e.textContent.trim() !== "" && e.getBoundingClientRect().height > 0;
  const check = () => {
    if (seen.figures === undefined &&
        [...document.querySelectorAll("[data-testid='stMetricValue']")].filter(shown).length >= 4)
      seen.figures = performance.now();
    if (seen.map === undefined &&
        [...document.querySelectorAll("svg[aria-label^='Peta']")].some(
          m => m.querySelectorAll("path").length >= 100 && m.getBoundingClientRect().height > 0))
      seen.map = performance.now();
    if (seen.figures === undefined || seen.map === undefined) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
"""


class Relay:
    """A TCP relay between the browser and the server that counts the bytes the server sends."""

    def __init__(self, target_port: int):
        import asyncio
        import threading

        self.sent = 0
        self.port = free_port()
        self._target = target_port
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait(10)

    def _run(self, ready) -> None:
        import asyncio

        async def pipe(reader, writer, count: bool):
            try:
                while data := await reader.read(65536):
                    if count:
                        self.sent += len(data)
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.close()

        async def handle(client_reader, client_writer):
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self._target)
            await asyncio.gather(pipe(client_reader, server_writer, False),
                                 pipe(server_reader, client_writer, True))

        async def main():
            await asyncio.start_server(handle, "127.0.0.1", self.port)
            ready.set()
            await asyncio.Event().wait()

        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(main())


class Wire:
    """Bytes that reach one page, from Chromium's DevTools protocol."""

    def __init__(self, page):
        self.http = self.ws = self.requests = self.cached = 0
        self.by_type: dict[str, int] = {}
        self._types: dict[str, str] = {}
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", lambda e: setattr(self, "cached", self.cached + 1))
        cdp.on("Network.webSocketFrameReceived", self._frame)
        self.cdp = cdp

    def _response(self, event):
        self._types[event["requestId"]] = event.get("type", "Other")

    def _finished(self, event):
        size = int(event.get("encodedDataLength", 0))
        self.http += size
        self.requests += 1
        kind = self._types.get(event["requestId"], "Other")
        self.by_type[kind] = self.by_type.get(kind, 0) + size

    def _frame(self, event):
        response = event["response"]
        data = response.get("payloadData", "")
        self.ws += len(base64.b64decode(data)) if response.get("opcode") == 2 else len(data.encode())

    def total(self) -> int:
        return self.http + self.ws

    def line(self) -> str:
        kinds = ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(self.by_type.items(), key=lambda kv: -kv[1]))
        return (f"{self.total() / 1024:8.0f} KB  (HTTP {self.http / 1024:.0f} KB in {self.requests} responses"
                f" [{kinds}]; websocket {self.ws / 1024:.0f} KB)")


def settle(page, ms: int = 1500) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(ms)


def wait_public(page) -> None:
    page.wait_for_selector("[data-testid='stMetricValue']", timeout=120_000)
    page.wait_for_selector("svg[aria-label^='Peta'] path", timeout=120_000)
    settle(page)


def sign_in(page, url: str) -> None:
    page.goto(url + "/masuk")
    page.get_by_label("Nama pengguna").fill(USER)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_selector("text=Ringkasan perekaman e-KTP", timeout=120_000)
    settle(page)


def open_internal(page, link: str, title: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=link).click()
    page.wait_for_selector(f"h1:has-text('{title}')", timeout=120_000)
    settle(page)


def bytes_on_the_wire(browser, relay: Relay) -> None:
    url = f"http://127.0.0.1:{relay.port}"

    def phase(label: str, wire: Wire, start: int) -> None:
        print(f"  {label:<38} wire {(relay.sent - start) / 1024:6.0f} KB   [{wire.line()}]")

    print("\nBytes on the wire (cold cache unless said)")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    wire, start = Wire(page), relay.sent
    page.goto(url + "/")
    wait_public(page)
    phase("public page, first visit (phone)", wire, start)
    repeat = context.new_page()
    wire, start = Wire(repeat), relay.sent
    repeat.goto(url + "/")
    wait_public(repeat)
    phase("public page, repeat visit (new tab)", wire, start)
    context.close()

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    wire, start = Wire(page), relay.sent
    sign_in(page, url)
    phase("Masuk, sign in, Ringkasan", wire, start)
    for link, title in INTERNAL_PAGES:
        before = relay.sent
        open_internal(page, link, title)
        print(f"    + {link:<12} wire {(relay.sent - before) / 1024:6.0f} KB")
    phase("internal pages, first load (all five)", wire, start)
    repeat = context.new_page()
    wire, start = Wire(repeat), relay.sent
    repeat.goto(url + "/peta")
    try:
        repeat.wait_for_selector("h1", timeout=120_000)
        repeat.wait_for_selector("[data-testid='stMetricValue'], .js-plotly-plot", timeout=120_000)
    except Exception:
        pass
    settle(repeat)
    title = repeat.locator("h1").first.inner_text()
    phase("/peta, repeat visit (new tab)", wire, start)
    print(f"    (the new tab shows: {title!r})")
    context.close()


def time_to_figures(browser, url: str, runs: int, throttled: bool) -> None:
    figures, maps = [], []
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
        page.wait_for_function("window.__seen && window.__seen.figures !== undefined && window.__seen.map !== undefined",
                               timeout=180_000, polling=100)
        seen = page.evaluate("window.__seen")
        figures.append(seen["figures"])
        maps.append(seen["map"])
        context.close()
    label = "slow 4G + 4x CPU" if throttled else "no throttling   "
    print(f"  {label}  four figures: median {statistics.median(figures):6.0f} ms "
          f"(runs {', '.join(f'{v:.0f}' for v in figures)})")
    print(f"  {label}  village map:  median {statistics.median(maps):6.0f} ms "
          f"(runs {', '.join(f'{v:.0f}' for v in maps)})")


def main(runs: int = 5) -> None:
    from playwright.sync_api import sync_playwright

    data_dir = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    env = server_env(data_dir)
    env.pop("BULUKUMBA_DB_URL", None)
    secrets = write_accounts(data_dir, PASSWORD, [(USER, "Kepala Dinas", "pimpinan")])
    process, url = start_server(data_dir, env, secrets)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            warm = browser.new_context()
            page = warm.new_page()
            page.goto(url + "/")
            wait_public(page)  # warm server: store ready, caches filled
            warm.close()
            bytes_on_the_wire(browser, Relay(int(url.rsplit(":", 1)[1])))
            print(f"\nTime to the public page's first figures (fresh context, warm server, {runs} runs)")
            time_to_figures(browser, url, runs, throttled=False)
            time_to_figures(browser, url, runs, throttled=True)
            browser.close()
    finally:
        stop_server(process)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
