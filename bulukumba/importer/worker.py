"""Checking and writing an uploaded file in a worker process, apart from the server (issue 21).

Kelola data writes the uploaded bytes to a private job folder and starts
`python -m bulukumba.importer.worker FOLDER` (a `Job`); the server process never parses the file.
The worker:
- limits itself once its modules are loaded: address space (RLIMIT_AS,
  `config.import_worker_mb()`), CPU time (RLIMIT_CPU, `config.import_worker_cpu_seconds()`) and
  wall time (SIGALRM, `config.import_worker_seconds()`; the server also kills it a little later);
- checks the file (and, for a write, checks it again and saves it: nothing is kept between the
  two; a write may replace an import the operator chose, `replace`), writing its progress to
  `progress`;
- ends by itself when the page stops touching `heartbeat` for `config.import_worker_heartbeat()`
  seconds: the operator left the page, closed the tab, or the server went away;
- leaves `result.pickle` (the ImportResult, its records reduced to their count) or `limit` (the
  limit it reached). A write cut short by a limit or a kill rolls back: nothing half-written.

The job folder (with the uploaded file) is removed once the outcome is read or the job cancelled.
"""
from __future__ import annotations

import io
import json
import logging
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bulukumba import config
from bulukumba.language import fmt

log = logging.getLogger(__name__)

#: A worker still running this long after its wall limit is killed by the server.
GRACE_SECONDS = 10
#: What a `limit` file may say, and the exit code of a worker that stopped at a limit.
LIMITS = ("memori", "cpu", "waktu", "ditinggalkan")
LIMIT_EXIT = 3


@dataclass(frozen=True)
class WorkerLimits:
    memory_mb: int
    cpu_seconds: int
    wall_seconds: int
    heartbeat_seconds: float

    @classmethod
    def from_config(cls) -> WorkerLimits:
        return cls(config.import_worker_mb(), config.import_worker_cpu_seconds(),
                   config.import_worker_seconds(), config.import_worker_heartbeat())


@dataclass
class Outcome:
    """How a job ended: 'selesai' with its result, or 'gagal' / 'dibatalkan' / 'ditinggalkan'
    with an Indonesian message."""
    status: str
    result: object = None
    message: str = ""


def limit_message(which: str, limits: WorkerLimits, write: bool) -> str:
    """The operator's sentence for a job stopped at a limit, naming the limit and its setting."""
    what = "Penulisan berkas" if write else "Pemeriksaan berkas"
    if which == "memori":
        reason = (f"memakai memori lebih dari batas {fmt.number(limits.memory_mb)} MB "
                  f"(BULUKUMBA_IMPOR_PEKERJA_MB)")
    elif which == "cpu":
        reason = (f"memakai waktu prosesor lebih dari batas {fmt.number(limits.cpu_seconds)} detik "
                  f"(BULUKUMBA_IMPOR_PEKERJA_CPU_DETIK)")
    elif which == "waktu":
        reason = (f"berjalan lebih lama dari batas {fmt.number(limits.wall_seconds)} detik "
                  f"(BULUKUMBA_IMPOR_PEKERJA_DETIK)")
    else:
        reason = "berhenti karena halaman Kelola data ditinggalkan"
    return (f"{what} dihentikan: {reason}; tidak ada yang ditulis. Pecah berkas menjadi beberapa "
            f"bagian (misalnya satu berkas per tanggal), atau minta pengelola dasbor menaikkan "
            f"batasnya.")


# ---------------------------------------------------------------------------------------------
# The server's side
# ---------------------------------------------------------------------------------------------

class Job:
    """One check (or check and write) of an uploaded file in its own process."""

    def __init__(self, content: bytes, nama_file: str, jenis: str | None, db_url: str, *,
                 ignore_rest: bool = False, write: bool = False, oleh: str | None = None,
                 limits: WorkerLimits | None = None, key: object = None, keep_rows: bool = False,
                 replace: int | None = None):
        self.limits = limits or WorkerLimits.from_config()
        self.write, self.key = write, key
        self.folder = Path(tempfile.mkdtemp(prefix="bulukumba-impor-"))  # owner-only (0700)
        (self.folder / "berkas").write_bytes(content)
        (self.folder / "job.json").write_text(json.dumps({
            "nama_file": nama_file, "jenis": jenis, "ignore_rest": ignore_rest, "write": write,
            "oleh": oleh, "keep_rows": keep_rows, "replace": replace,
            "limits": self.limits.__dict__}))
        self.touch()
        env = {**os.environ, "BULUKUMBA_DB_URL": db_url, "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
        with open(self.folder / "log", "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bulukumba.importer.worker", str(self.folder)],
                cwd=config.PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        self.started = time.monotonic()
        self.cpu_seconds = 0.0
        self.peak_mb = 0.0
        self.outcome: Outcome | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def touch(self) -> None:
        """The page is still there: the worker goes on."""
        try:
            (self.folder / "heartbeat").touch()
        except OSError:
            pass

    def progress(self) -> tuple[float, str]:
        try:
            fraction, text = (self.folder / "progress").read_text().split("\t", 1)
            return float(fraction), text
        except (OSError, ValueError):
            return 0.0, ""

    def poll(self) -> Outcome | None:
        """None while the worker runs; its Outcome once it has ended (then the folder is gone)."""
        if self.outcome is not None:
            return self.outcome
        if self.process.returncode is None:
            try:
                pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere
                pid, status, usage = self.process.pid, 0, None
            if pid == 0:
                if time.monotonic() - self.started > self.limits.wall_seconds + GRACE_SECONDS:
                    self._kill()
                    self.outcome = Outcome("gagal", message=limit_message("waktu", self.limits, self.write))
                    self._clean()
                    return self.outcome
                return None
            self.process.returncode = os.waitstatus_to_exitcode(status)
            if usage is not None:
                self.cpu_seconds = usage.ru_utime + usage.ru_stime
                self.peak_mb = usage.ru_maxrss / 1024
        self.outcome = self._read_outcome()
        self._clean()
        return self.outcome

    def wait(self, timeout: float | None = None, touch: bool = True) -> Outcome | None:
        """Poll until the job ends (touching the heartbeat), or `timeout` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while (outcome := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                return None
            if touch:
                self.touch()
            time.sleep(0.1)
        return outcome

    def cancel(self) -> Outcome:
        """The operator cancelled: the worker is killed (a write rolls back)."""
        if self.poll() is None:
            self._kill()
            self.outcome = Outcome("dibatalkan", message=("Penulisan" if self.write else "Pemeriksaan")
                                   + " berkas dibatalkan; tidak ada yang ditulis.")
            self._clean()
        return self.outcome

    def _kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            _, status, usage = os.wait4(self.process.pid, 0)
            self.process.returncode = os.waitstatus_to_exitcode(status)
            self.cpu_seconds = usage.ru_utime + usage.ru_stime
            self.peak_mb = usage.ru_maxrss / 1024
        except ChildProcessError:
            self.process.returncode = -signal.SIGKILL

    def _read_outcome(self) -> Outcome:
        limit_file = self.folder / "limit"
        which = limit_file.read_text().strip() if limit_file.exists() else ""
        code = self.process.returncode
        if not which:
            log = self._log()
            if code == -signal.SIGXCPU or self.cpu_seconds >= self.limits.cpu_seconds:
                which = "cpu"
            elif code == -signal.SIGALRM:
                which = "waktu"
            elif "MemoryError" in log or "Cannot allocate memory" in log:
                which = "memori"
        if which == "ditinggalkan":
            return Outcome("ditinggalkan", message=limit_message(which, self.limits, self.write))
        if which in LIMITS:
            return Outcome("gagal", message=limit_message(which, self.limits, self.write))
        result_file = self.folder / "result.pickle"
        if code == 0 and result_file.exists():
            return Outcome("selesai", result=_load_result(result_file.read_bytes()))
        # where it failed, for the server's log: the frames and the exception's class, never its
        # message (it may quote the file)
        lines = self._log().splitlines()
        where = [line.strip() for line in lines if line.startswith("  File ")][-6:]
        kind = lines[-1].split(":", 1)[0][:80] if lines else ""
        log.error("pekerja impor berhenti tak terduga (kode %s, %s): %s", code, kind, " | ".join(where))
        return Outcome("gagal", message=("Pemeriksaan" if not self.write else "Penulisan")
                       + f" berkas gagal tanpa diduga (kode {code}); tidak ada yang ditulis. "
                         f"Laporkan berkas ini ke pengelola dasbor.")

    def _log(self) -> str:
        try:
            with open(self.folder / "log", "rb") as handle:
                handle.seek(max(0, os.path.getsize(self.folder / "log") - 4096))
                return handle.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _clean(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _Counted:
    """A report's records once they are written or counted: only how many there are."""

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n


_SAFE_MODULES = ("builtins", "collections", "datetime", "copyreg", "bulukumba.")


class _Unpickler(pickle.Unpickler):
    """A worker's result: only the importer's own classes and plain data (never a callable)."""

    def find_class(self, module: str, name: str):
        if module.startswith(_SAFE_MODULES) and not (module == "builtins" and name in (
                "eval", "exec", "getattr", "setattr", "open", "__import__", "compile", "delattr")):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} tidak diizinkan")


def _load_result(data: bytes):
    return _Unpickler(io.BytesIO(data)).load()


# ---------------------------------------------------------------------------------------------
# The worker's side
# ---------------------------------------------------------------------------------------------

class _Stop(BaseException):
    """A limit reached inside the worker (BaseException: the importer's `except Exception` must
    not swallow it)."""

    def __init__(self, which: str):
        super().__init__(which)
        self.which = which


def _watch_heartbeat(folder: Path, seconds: float) -> None:
    """End the worker when the page has not touched the heartbeat for `seconds`."""
    beat = folder / "heartbeat"

    def watch() -> None:
        while True:
            time.sleep(min(1.0, seconds / 4))
            try:
                age = time.time() - beat.stat().st_mtime
            except OSError:
                age = seconds + 1  # the folder is gone: the server has given up on this job
            if age > seconds:
                try:
                    (folder / "limit").write_text("ditinggalkan")
                except OSError:
                    pass
                os._exit(LIMIT_EXIT)

    threading.Thread(target=watch, daemon=True, name="denyut").start()


def _limit_self(limits: WorkerLimits) -> None:
    import resource

    def stop(which: str):
        def handler(_signum, _frame):
            raise _Stop(which)
        return handler

    signal.signal(signal.SIGXCPU, stop("cpu"))
    signal.signal(signal.SIGALRM, stop("waktu"))
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime) + limits.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 5))  # then SIGKILL
    memory = limits.memory_mb * 1024 * 1024
    # the soft limit is the stated one; the hard one leaves room to say so once it is reached
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory + 256 * 1024 * 1024))
    signal.alarm(max(1, limits.wall_seconds))


def _headroom() -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def _progress_writer(folder: Path):
    last = [0.0]

    def progress(fraction: float, text: str) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2 and fraction < 1:
            return
        last[0] = now
        temporary = folder / "progress.tmp"
        temporary.write_text(f"{fraction:.4f}\t{text}")
        os.replace(temporary, folder / "progress")

    return progress


def run(folder: Path) -> int:
    job = json.loads((folder / "job.json").read_text())
    limits = WorkerLimits(**job["limits"])
    os.nice(10)  # the pages the server draws meanwhile come first
    _watch_heartbeat(folder, limits.heartbeat_seconds)
    from bulukumba.storage import store
    from bulukumba.importer import batch
    from bulukumba.importer.records import Listed
    from bulukumba.importer.report import result_of

    engine = store.make_engine(config.database_url())  # its driver loaded before the limits
    with engine.connect():
        pass
    _limit_self(limits)
    try:
        progress = _progress_writer(folder)
        path = folder / "berkas"
        report = batch.validate(path, job["nama_file"], job["jenis"], engine,
                                ignore_rest=job["ignore_rest"], progress=progress)
        if job["write"] and report.ok:
            result = batch.save(report, engine, oleh=job["oleh"], progress=progress,
                                replace=job.get("replace"))
        else:
            result = result_of(report, ok=report.ok, dry_run=not job["write"] or not report.ok)
            if job["write"]:
                result.dry_run = False
        signal.alarm(0)
        if report.records is not None:
            # A check whose rows the page still uses (a partner's file, to send as its report)
            # keeps them as plain rows; otherwise only their number crosses back.
            report.records = (Listed(report.records) if job.get("keep_rows") and not job["write"]
                              else _Counted(len(report.records)))
        result.report = report
        data = pickle.dumps(result)
        (folder / "result.tmp").write_bytes(data)
        os.replace(folder / "result.tmp", folder / "result.pickle")
        return 0
    except MemoryError:
        _headroom()
        (folder / "limit").write_text("memori")
        return LIMIT_EXIT
    except _Stop as stop:
        _headroom()
        (folder / "limit").write_text(stop.which)
        return LIMIT_EXIT
    except (OSError, ImportError) as error:  # a library that cannot map memory says it so
        if "memory" not in str(error) and "map" not in str(error):
            raise
        _headroom()
        (folder / "limit").write_text("memori")
        return LIMIT_EXIT


if __name__ == "__main__":
    # run as the module's importable copy, so what it pickles names bulukumba.importer.worker
    from bulukumba.importer import worker

    sys.exit(worker.run(Path(sys.argv[1])))
