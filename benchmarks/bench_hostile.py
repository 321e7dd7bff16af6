"""Hostile files through Kelola data on a real server (issue 21): per file, how long until the page
answers, the import worker's peak memory, the server's memory, and another visitor's page time
meanwhile against an idle server.

Starts `streamlit run dashboard.py` on a loopback port with the demo store, signs an operator in
on Kelola data in Debian's Chromium and uploads each file (the worst of the issue's corpus, built
here); while the worker checks it, a second browser loads the public page again and again. Worker
memory is its peak resident size (VmHWM, sampled from /proc every 0.1 s); server memory is
resident before the file and the highest seen while it was checked.

    python benchmarks/bench_hostile.py [--rows 300000] [--visits 3]
"""
from __future__ import annotations

import argparse
import io
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))  # serving.py: the server and Chromium, shared with the tests

from serving import CHROMIUM, memory_mb, server_env, start_server, stop_server, write_accounts  # noqa: E402

USER, PASSWORD = "operator", "sandi-benchmark-2018"
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEAD = "Nama Desa;Kecamatan;Tanggal;WKTP;Rekam\r\n"
ROW = "Kindang;Kindang;19/01/2018;2.400;2.150\r\n"


def xlsx(sheet_rows: bytes, shared: list[bytes] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/workbook.xml", b'<workbook ' + MAIN + b' xmlns:r="http://schemas.openxmlformats'
                   b'.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" '
                   b'r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", b'<Relationships xmlns="http://schemas.openxmlformats'
                   b'.org/package/2006/relationships"><Relationship Id="rId1" '
                   b'Target="worksheets/sheet1.xml"/></Relationships>')
        if shared:
            z.writestr("xl/sharedStrings.xml", b'<sst ' + MAIN + b'>'
                       + b"".join(b"<si><t>" + s + b"</t></si>" for s in shared) + b"</sst>")
        z.writestr("xl/worksheets/sheet1.xml", b'<worksheet ' + MAIN + b'><sheetData>' + sheet_rows
                   + b"</sheetData></worksheet>")
    return buffer.getvalue()


def header_row() -> bytes:
    return b'<row r="1">' + b"".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>'.encode()
                                     for h in ("Nama Desa", "Tanggal", "WKTP", "Rekam")) + b"</row>"


def files(folder: Path, rows: int) -> list[tuple[str, Path]]:
    """The hostile files, written to `folder`: (what, path)."""
    made = {
        "desa-50000-huruf.csv": (HEAD + "Tanah" + "a" * 50_000 + ";Kajang;19/01/2018;3.112;2.480\r\n").encode(),
        "judul-100000-huruf.csv": ("Nama Desa;Kecamatan;Tanggal;WKTP;" + "Rekam" * 20_000 + "\r\n" + ROW).encode(),
        "judul-16000-huruf.csv": ("Nama Desa;Kecamatan;Tanggal;WKTP;" + "desa" * 4_000 + "\r\n" + ROW).encode(),
        "string-bersama-9mb.xlsx": xlsx(header_row() + b'<row r="2"><c t="s"><v>0</v></c></row>', [b"a" * 9_000_000]),
        "baris-650000-sel.xlsx": xlsx(header_row() + b'<row r="2">' + b"<c><v>1</v></c>" * 650_000 + b"</row>"),
        "baris-3-juta-sel.xlsx": xlsx(header_row() + b'<row r="2">' + b"<c><v>1</v></c>" * 3_000_000 + b"</row>"),
        "baris-2-juta-pemisah.csv": (HEAD + ROW + ";" * 2_000_000 + "\r\n").encode(),
        "kutip-tak-ditutup.csv": (HEAD + 'Kindang;Kindang;"19/01/2018;2.400;2.150\r\n' + ROW * 100_000).encode(),
        f"registri-{rows}-baris-salah.csv": ("Kode Desa;Tanggal;WKTP;Rekam\r\n" + "".join(
            f"73.02.08.2003;{i % 28 + 1:02d}/{i // 28 % 12 + 1:02d}/{1900 + i // 336};2.400;2.150\r\n"
            for i in range(rows))).encode(),
    }
    from bench_import import zip_bomb

    zip_bomb(folder / "bom-zip-40-juta-sel.xlsx")
    out = [("bom-zip-40-juta-sel.xlsx", folder / "bom-zip-40-juta-sel.xlsx")]
    for name, content in made.items():
        path = folder / name
        path.write_bytes(content)
        out.append((name, path))
    return out


def worker_pids(server_pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"bulukumba.importer.worker" in command:
            found.append(int(proc.name))
    return found


class Sampler:
    """Samples, every 20 ms in a thread of its own, the peak resident memory of every import
    worker (VmHWM, read until the process is gone) and the server's resident memory."""

    def __init__(self, server_pid: int):
        import threading

        self.server_pid, self.worker, self.server, self.running = server_pid, 0.0, 0.0, set()
        self.first_seen = self.last_seen = None  # when a worker ran (monotonic)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.server = memory_mb(self.server_pid)
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = worker_pids(self.server_pid)
            self.running = set(pids)
            if pids:
                self.last_seen = time.monotonic()
                self.first_seen = self.first_seen or self.last_seen
            for pid in pids:
                try:
                    self.worker = max(self.worker, memory_mb(pid, "VmHWM"))
                except (OSError, ValueError):
                    pass
            self.server = max(self.server, memory_mb(self.server_pid))
            time.sleep(0.02)


def visit(browser, base: str) -> float:
    """Seconds until a new visitor sees the public page's table."""
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    started = time.monotonic()
    page.goto(base, wait_until="commit", timeout=120_000)
    page.wait_for_selector("div.tabel table", state="attached", timeout=180_000)
    took = time.monotonic() - started
    page.context.close()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=300_000, help="rows of the large file (every row wrong: years out of range)")
    parser.add_argument("--visits", type=int, default=3, help="idle visits measured first")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    url = f"sqlite:///{folder / 'bulukumba.sqlite'}"
    env = server_env(folder, BULUKUMBA_DB_URL=url)
    hostile = files(folder, args.rows)
    secrets = write_accounts(folder, PASSWORD, [(USER, "Operator", "operator")])
    server, base = start_server(folder, env, secrets, ceiling=300)
    base += "/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            visit(browser, base)  # warm
            idle = [visit(browser, base) for _ in range(args.visits)]
            print(f"idle server: a visitor's page in {statistics.median(idle):.2f} s (median of {len(idle)}); "
                  f"server {memory_mb(server.pid):.0f} MB resident", flush=True)

            operator = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            operator.goto(base + "masuk", timeout=120_000)
            operator.get_by_label("Nama pengguna").fill(USER)
            operator.get_by_label("Kata sandi").fill(PASSWORD)
            operator.get_by_role("button", name="Masuk", exact=True).click()
            operator.wait_for_timeout(3000)
            operator.goto(base + "kelola", timeout=120_000)
            operator.wait_for_selector("input[type=file]", state="attached", timeout=120_000)
            print(f"{'file':<28} {'size':>9} {'answer':>7} {'worker peak':>11} {'server':>15} "
                  f"{'visitor (idle ' + format(statistics.median(idle), '.2f') + ' s)':>26}  answer", flush=True)
            for name, path in hostile:
                before = memory_mb(server.pid)
                operator.set_input_files("input[type=file]", str(path))
                started = time.monotonic()
                visits, answer, worked = [], "", False
                with Sampler(server.pid) as sampler:
                    while time.monotonic() - started < 900:
                        if sampler.running:
                            worked = True
                            visits.append(visit(browser, base))
                        texts = operator.locator("[data-testid='stAlert']").all_inner_texts()
                        done = [t for t in texts if any(w in t for w in ("DITOLAK", "dihentikan", "lolos pemeriksaan",
                                                                         "tidak ada yang ditulis"))]
                        worked = worked or sampler.worker > 0
                        if done and worked and not worker_pids(server.pid):
                            answer = done[0].replace("\n", " ")
                            break
                        time.sleep(0.1)
                peak_worker, peak_server = sampler.worker, sampler.server
                took = (sampler.last_seen or time.monotonic()) - started  # upload until the worker ended
                seen = f"{statistics.median(visits):.2f} s ({len(visits)})" if visits else "–"
                print(f"{name:<28} {path.stat().st_size / 1e6:7.2f}MB {took:6.1f}s {peak_worker:9.0f}MB "
                      f"{before:5.0f}->{peak_server:5.0f}MB {seen:>26}  {answer[:110]}", flush=True)
            print(f"server memory at the end: {memory_mb(server.pid):.0f} MB resident, "
                  f"{memory_mb(server.pid, 'VmHWM'):.0f} MB peak", flush=True)
            browser.close()
    finally:
        stop_server(server)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
