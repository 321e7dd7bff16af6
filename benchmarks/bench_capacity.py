"""Capacity of one server process (issue 23, point 4), with protocol-level clients (no browser).

Starts `streamlit run dashboard.py` on a free loopback port with its own temporary store (demo
data; the first live session prepares it), then measures:

1. The public page shell over plain HTTP: 200 concurrent keep-alive HTTP/1.1 clients ask the
   shells of 12 public addresses (`/`, `/?mode=proyektor`, `/?desa=…` for ten villages,
   benchmarks/bench_public.py's client) for SECONDS seconds: responses per second, latency
   percentiles and the server's CPU per thousand responses. Then the same with
   `If-None-Match` (a browser's revalidation: 304), and `/versi`, which every open public tab
   asks every BULUKUMBA_REFRESH_SECONDS.
2. Open public sessions over Streamlit's own websocket protocol (`/_stcore/stream`, the
   protobuf BackMsg/ForwardMsg of `streamlit.proto`): each client opens the websocket as the
   frontend does (subprotocol `streamlit`, the page's Origin), sends the `rerun_script` BackMsg
   the frontend sends for the public page (query string, empty page hash, the browser's
   context), waits for `script_finished` and stays open, answering the server's pings. Sessions
   are added in steps; after each step, with every session idle, the server's CPU is measured
   over WINDOW seconds twice: the sessions alone (what Streamlit costs to hold them: pings, any
   refresh tick), then with each session's tab asking `/versi` every refresh interval as the
   page shell's script does (a new connection per ask: uvicorn closes idle keep-alive
   connections after 5 s). Also the server's resident memory, and per session the memory
   growth since the first step's baseline.

Prints figures, asserts nothing:

    python benchmarks/bench_capacity.py [--seconds 10] [--sessions 250,500,1000] [--window 30]
                                        [--no-shell] [--no-sessions]

The load clients run on the same machine (their CPU is not the server's, which is read from
/proc for the server process alone). Bounded: every wait has a ceiling and the server stops.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))  # serving.py: the server and Chromium, shared with the tests

from bench_public import VILLAGES, _run, load  # noqa: E402
from bench_server import quiet  # noqa: E402
from serving import cpu_seconds, memory_mb, server_env, start_server, stop_server  # noqa: E402

CLIENTS = 200
OPENING_AT_ONCE = 20
SCRIPT_CEILING_S = 120


# ---------------------------------------------------------------------------------------------
# Streamlit's websocket protocol
# ---------------------------------------------------------------------------------------------

def rerun_message(url: str, query: str = "") -> bytes:
    """The BackMsg the frontend sends first for the public page at `url` (`query`: its query
    string without '?'): run the app's script for this address."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query
    state.page_script_hash = ""
    state.page_name = ""
    state.context_info.timezone = "Asia/Makassar"
    state.context_info.timezone_offset = -480
    state.context_info.locale = "id-ID"
    state.context_info.url = url + "/" + (f"?{query}" if query else "")
    state.context_info.is_embedded = False
    state.context_info.color_scheme = "light"
    return msg.SerializeToString()


class Session:
    """One open public page as Streamlit's frontend holds it: a websocket, its script run."""

    def __init__(self, url: str, query: str = ""):
        self.url = url
        self.query = query
        self.socket = None
        self.received = 0
        self.bytes = 0
        self.finished = asyncio.Event()
        self.errors: list[str] = []
        self._reader: asyncio.Task | None = None

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        host = urlsplit(self.url).netloc
        self.socket = await connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit"],
                                    origin=self.url, max_size=None, open_timeout=60,
                                    compression="deflate", ping_interval=None)
        self._reader = asyncio.create_task(self._read())
        await self.socket.send(rerun_message(self.url, self.query))

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        try:
            async for data in self.socket:
                self.received += 1
                self.bytes += len(data)
                msg = ForwardMsg.FromString(data)
                kind = msg.WhichOneof("type")
                if kind == "script_finished":
                    self.finished.set()
                elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
                    self.errors.append(msg.delta.new_element.exception.message[:200])
        except Exception as e:  # the connection ended: counted by the caller
            self.errors.append(f"{type(e).__name__}: {e}"[:200])
            self.finished.set()

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self._reader is not None:
            await asyncio.wait([self._reader], timeout=5)


async def open_sessions(url: str, count: int, queries: list[str]) -> tuple[list[Session], float]:
    """`count` public sessions, OPENING_AT_ONCE at a time, each until its script finished."""
    sessions: list[Session] = []
    gate = asyncio.Semaphore(OPENING_AT_ONCE)

    async def one(k: int) -> None:
        async with gate:
            s = Session(url, queries[k % len(queries)])
            sessions.append(s)
            try:
                await s.open()
                await asyncio.wait_for(s.finished.wait(), SCRIPT_CEILING_S)
            except Exception as e:
                s.errors.append(f"{type(e).__name__}: {e}"[:200])

    start = time.perf_counter()
    await asyncio.gather(*[one(k) for k in range(count)])
    return sessions, time.perf_counter() - start


async def ask_version(host: str, port: int, latencies: list[float], failures: list[str]) -> None:
    """One `/versi` as the page shell's script asks it (fetch, cache: no-store), on a new
    connection."""
    start = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(f"GET /versi HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n"
                     f"Cache-Control: no-cache\r\nUser-Agent: bench-capacity\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        await reader.readexactly(length)
        writer.close()
        if not head.startswith(b"HTTP/1.1 200"):
            failures.append(head.split(b"\r\n", 1)[0].decode())
        latencies.append(time.perf_counter() - start)
    except (OSError, asyncio.IncompleteReadError) as e:
        failures.append(type(e).__name__)


async def idle_window(pid: int, seconds: float, poll: tuple[str, int, int, float] | None = None) -> dict:
    """The server's CPU over `seconds` with the sessions open and idle; with `poll` (host, port,
    tabs, interval), `tabs` tabs each ask /versi once per interval at their own moment."""
    latencies: list[float] = []
    failures: list[str] = []
    tasks: list[asyncio.Task] = []
    start_cpu, start = cpu_seconds(pid), time.perf_counter()
    if poll is not None:
        host, port, tabs, interval = poll

        async def tab() -> None:
            await asyncio.sleep(random.uniform(0, interval))
            while time.perf_counter() - start < seconds:
                await ask_version(host, port, latencies, failures)
                await asyncio.sleep(interval)

        tasks = [asyncio.create_task(tab()) for _ in range(tabs)]
    await asyncio.sleep(seconds)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return {"core": (cpu_seconds(pid) - start_cpu) / elapsed, "asks": len(latencies), "failures": len(failures),
            "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] * 1000 if ordered else float("nan")}


async def measure_sessions(url: str, pid: int, steps: list[int], window: float, interval: float) -> None:
    parts = urlsplit(url)
    queries = [""] + [f"desa={k}" for k in VILLAGES]  # (the projector keeps its own refresh tick)
    await asyncio.sleep(3)
    base_rss = memory_mb(pid)
    base = await idle_window(pid, min(window, 10))
    print(f"no session open: server {base_rss:.0f} MB resident, {base['core'] * 100:.1f}% of a core idle")
    print(f"{'sessions':>8}  {'opened in':>9}  {'CPU each':>8}  {'failed':>6}  {'resident':>9}  {'per session':>11}  "
          f"{'idle CPU':>9}  {'per session':>11}  {'+ /versi polls':>14}  {'per session':>11}  {'/versi p95':>10}")
    sessions: list[Session] = []
    for target in steps:
        cpu = cpu_seconds(pid)
        more, took = await open_sessions(url, target - len(sessions), queries)
        opening_cpu = (cpu_seconds(pid) - cpu) / max(1, len(more))
        sessions += more
        failed = sum(1 for s in sessions if s.errors or not s.finished.is_set())
        await asyncio.sleep(5)  # the last scripts' threads end, the answers are sent
        rss = memory_mb(pid)
        alone = await idle_window(pid, window)
        polled = await idle_window(pid, window, (parts.hostname, parts.port, len(sessions), interval))
        n = len(sessions)
        print(f"{n:8d}  {took:8.1f}s  {opening_cpu * 1000:5.0f} ms  {failed:6d}  {rss:6.0f} MB  {(rss - base_rss) / n * 1024:8.0f} KB  "
              f"{alone['core'] * 100:8.1f}%  {alone['core'] / n * 100:10.4f}%  {polled['core'] * 100:13.1f}%  "
              f"{polled['core'] / n * 100:10.4f}%  {polled['p95_ms']:7.1f} ms"
              + (f"  ({polled['failures']} /versi failed)" if polled["failures"] else ""), flush=True)
        errors = [e for s in sessions for e in s.errors]
        if errors:
            print(f"    session errors: {len(errors)}, e.g. {errors[0]}")
    received = sum(s.bytes for s in sessions) / max(1, len(sessions))
    print(f"each session received {received / 1024:.1f} KB over the websocket for its page")
    await asyncio.gather(*[s.close() for s in sessions], return_exceptions=True)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def wait_for_public_shell(url: str, ceiling: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + ceiling
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url + "/", timeout=10) as r:
            if b"id='layar-pertama'" in r.read():
                return
        time.sleep(0.5)
    raise SystemExit("the public shell never showed the first screen")


async def _paced(host: str, port: int, paths: list[str], offset: int, every: float, start: float, stop_at: float,
                 latencies: list[float], errors: list[str]) -> None:
    """One keep-alive client sending a request every `every` seconds, on schedule: a late answer
    delays the next send, and its wait counts from when it was due (no coordinated omission)."""
    reader, writer = await asyncio.open_connection(host, port)
    due, i = start + (offset % 1000) / 1000 * every, offset
    try:
        while due < stop_at:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            path = paths[i % len(paths)]
            i += 1
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/html,*/*\r\n"
                         f"Accept-Encoding: br\r\nUser-Agent: bench-capacity\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(int(re.search(rb"(?i)content-length: *(\d+)", head).group(1)))
            latencies.append(time.perf_counter() - due)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(head.split(b"\r\n", 1)[0].decode())
            due += every
    finally:
        writer.close()


def paced_load(url: str, pid: int, paths: list[str], rate: float, seconds: float, clients: int = CLIENTS) -> None:
    """`clients` keep-alive connections offering `rate` requests a second between them, evenly:
    the latency visitors meet at that rate (the closed loop of `load` measures the most the
    server answers, where latency is only the queue: 200 clients / rate)."""
    parts = urlsplit(url)
    latencies: list[float] = []
    errors: list[str] = []

    async def run():
        start = time.perf_counter() + 0.5
        await asyncio.gather(*[_paced(parts.hostname, parts.port, paths, k * 1000 // clients, clients / rate, start,
                                      start + seconds, latencies, errors) for k in range(clients)])

    cpu, client_cpu = cpu_seconds(pid), time.process_time()
    began = time.perf_counter()
    _run(run())
    elapsed = time.perf_counter() - began - 0.5
    ordered = sorted(latencies)
    pct = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    print(f"    offered {rate:.0f}/s: answered {len(latencies) / elapsed:.0f}/s; latency p50 {pct(0.5):.1f} ms, "
          f"p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms; {len(errors)} not 200; server "
          f"{(cpu_seconds(pid) - cpu) / elapsed * 100:.0f}% of a core, client {(time.process_time() - client_cpu) / elapsed * 100:.0f}%")


def shell_load(url: str, pid: int, seconds: float) -> None:
    shells = ["/", "/?mode=proyektor"] + [f"/?desa={k}" for k in VILLAGES]
    load(url, shells, 2, 20)  # every shell built once
    print(f"page shell ({len(shells)} public addresses), {CLIENTS} concurrent keep-alive clients:")
    cpu = cpu_seconds(pid)
    answered = load(url, shells, seconds)
    print(f"    server CPU {(cpu_seconds(pid) - cpu) / answered * 1000 * 1000:.0f} ms per 1,000 responses")
    import urllib.request

    with urllib.request.urlopen(urllib.request.Request(url + "/", headers={"Accept-Encoding": "br"})) as r:
        etag = r.headers["ETag"]
    print(f"page shell at a steady rate, {CLIENTS} keep-alive clients:")
    for rate in (500, 1000, 1500):
        paced_load(url, pid, shells, rate, seconds)
    print("revalidation (If-None-Match, 304) of `/`:")
    cpu = cpu_seconds(pid)
    answered = load(url, ["/"], seconds / 2, headers={"If-None-Match": etag}, status=b"304")
    print(f"    server CPU {(cpu_seconds(pid) - cpu) / answered * 1000 * 1000:.0f} ms per 1,000 responses")
    print("/versi:")
    cpu = cpu_seconds(pid)
    answered = load(url, ["/versi"], seconds / 2)
    print(f"    server CPU {(cpu_seconds(pid) - cpu) / answered * 1000 * 1000:.0f} ms per 1,000 responses")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--sessions", default="250,500,1000")
    parser.add_argument("--window", type=float, default=30)
    parser.add_argument("--no-shell", action="store_true")
    parser.add_argument("--no-sessions", action="store_true")
    args = parser.parse_args()

    from bulukumba import config

    data_dir = Path(tempfile.mkdtemp(prefix="bench-capacity-"))
    env = server_env(data_dir)
    env.pop("BULUKUMBA_DB_URL", None)
    process, url = start_server(data_dir, env)
    try:
        print(f"uvicorn (loop and http 'auto'): http={'httptools' if _has('httptools', env) else 'h11'}, "
              f"loop={'uvloop' if _has('uvloop', env) else 'asyncio'}")
        first, took = _run(open_sessions(url, 1, [""]))
        print(f"first session (prepares the store): {took:.1f} s"
              + (f"; errors: {first[0].errors}" if first[0].errors else ""))
        wait_for_public_shell(url)
        quiet(process.pid)  # a fresh install's best-level compression of the bundles is over
        if not args.no_shell:
            shell_load(url, process.pid, args.seconds)
        if not args.no_sessions:
            steps = [int(s) for s in args.sessions.split(",")]
            _run(measure_sessions(url, process.pid, steps, args.window, config.refresh_seconds()))
        print(f"server memory at the end: {memory_mb(process.pid):.0f} MB resident, "
              f"{memory_mb(process.pid, 'VmHWM'):.0f} MB peak")
    finally:
        stop_server(process)


def _has(module: str, env: dict) -> bool:
    """Whether the server's Python (its environment) has `module`."""
    import subprocess

    return subprocess.run([sys.executable, "-c", f"import {module}"], env=env, capture_output=True).returncode == 0


if __name__ == "__main__":
    main()
