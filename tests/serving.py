"""What the browser tests and the benchmarks share: the dashboard as the README runs it (`streamlit run
dashboard.py` on a free loopback port), Debian's Chromium, and the process figures they print
(CPU seconds and memory from /proc).

The server's output goes to `server.log` in its data folder, never to a pipe: a pipe nobody reads
fills after 64 KB and then stalls the server (bench_load met this with the importer)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
_TICK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(data_dir: Path, **extra: str) -> dict:
    """The environment of a benchmark's server: its own data folder, the boundaries beside the
    project if BULUKUMBA_WILAYAH does not name them, and `extra` (e.g. BULUKUMBA_DB_URL)."""
    env = {**os.environ, "BULUKUMBA_DATA_DIR": str(data_dir), **extra}
    if "BULUKUMBA_WILAYAH" not in env and (ROOT.parent / "shared" / "wilayah").is_dir():
        env["BULUKUMBA_WILAYAH"] = str(ROOT.parent / "shared" / "wilayah")
    return env


def write_accounts(data_dir: Path, password: str, accounts: list[tuple[str, str, str]]) -> Path:
    """A secrets.toml with (user name, display name, role) accounts sharing one password."""
    sys.path.insert(0, str(ROOT))
    from bulukumba.server import auth

    hashed = auth.hash_password(password, rounds=4)
    secrets = data_dir / "secrets.toml"
    secrets.write_text("".join(f'[pengguna.{user}]\nnama = "{name}"\nperan = "{role}"\nhash_sandi = "{hashed}"\n'
                               for user, name, role in accounts))
    return secrets


def start_server(data_dir: Path, env: dict, secrets: Path | None = None,
                 extra: list[str] | tuple[str, ...] = (), ceiling: float = 120,
                 port: int | None = None) -> tuple[subprocess.Popen, str]:
    """The dashboard on a loopback port (a free one unless given: a restart keeps its port),
    once /_stcore/health answers; (process, base URL). Its output is appended to server.log."""
    port = port or free_port()
    log = open(data_dir / "server.log", "ab")
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true"]
    if secrets is not None:
        command += ["--secrets.files", str(secrets)]
    process = subprocess.Popen([*command, *extra], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + ceiling
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return process, url
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    process.kill()
    process.wait()
    raise SystemExit("streamlit did not start: " + (data_dir / "server.log").read_text(errors="replace")[-2000:])


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time used so far: by one process (user + system), or by the whole machine (busy time
    of every core) when no pid is given."""
    if pid is not None:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    cpu = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(cpu) - cpu[3] - cpu[4]) / _TICK  # everything but idle and iowait


def memory_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's memory from /proc: VmRSS (resident now) or VmHWM (peak resident)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")
