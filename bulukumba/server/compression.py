"""Static files compressed once per process and served with long cache headers (pure ASGI).

Streamlit serves its JavaScript and CSS uncompressed and leaves compression to a reverse proxy,
which most offices do not run. This middleware answers GET/HEAD requests for those bundles (and
for the app's own static files) itself: each file is compressed the first time it is asked for,
kept in memory, and every later request gets the stored bytes, so the CPU cost is paid once per
process, not per request.

- brotli when the browser accepts it (`br`), else gzip; anything else passes through untouched.
  The gzip form is made only when a client first asks for it: every browser takes brotli.
- A file is first compressed at a fast brotli level (quality 5: Plotly's 4.6 MB bundle in about
  a third of a second), then recompressed at the best level (11, about 10% smaller, forty times
  the CPU) in one background thread at low priority; the smaller bytes replace the first ones
  when ready and are kept in `cache_dir`, so a restart reuses them instead of paying again.
- `Content-Encoding`, `Vary: Accept-Encoding`, a strong ETag per encoding (304 on a match),
  and `Cache-Control: public, max-age=31536000, immutable` for names that carry a content hash
  (all of Streamlit's bundles; the app's map layers), one hour otherwise.
"""
from __future__ import annotations

import gzip
import hashlib
import logging
import mimetypes
import queue
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

try:  # a pinned dependency; without it the middleware still serves gzip
    import brotli
except ImportError:  # pragma: no cover - brotli is in requirements.txt
    brotli = None

COMPRESSIBLE = {".js", ".mjs", ".css", ".json", ".svg", ".html", ".txt", ".map", ".xml", ".wasm"}
MIN_SIZE = 1024
FAST_BROTLI, BEST_BROTLI, GZIP_LEVEL = 5, 11, 9
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=3600"
#: Streamlit's bundles (index.DormvYxC.js) and the app's layers (desa-semua-0123456789ab.json).
_HASHED_NAME = re.compile(r"[.-][0-9A-Za-z_-]{8,}\.[a-z0-9]+$")


@dataclass
class _Entry:
    raw_size: int
    content_type: str
    cache_control: str
    encoded: dict[str, bytes] = field(default_factory=dict)   # "br" / "gzip" -> bytes
    etags: dict[str, str] = field(default_factory=dict)
    best_brotli: bool = False
    digest: str = ""


class CompressedFiles:
    """The files under some URL prefixes, compressed on first use and kept for the process.

    `roots` maps URL prefixes ("/static/") to folders."""

    def __init__(self, roots: Iterable[tuple[str, Path]] = (), base_url: str = "",
                 cache_dir: Path | None = None):
        base = "/" + base_url.strip("/") if base_url.strip("/") else ""
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.roots = [(base + prefix, Path(folder).resolve()) for prefix, folder in roots]
        self._entries: dict[Path, _Entry] = {}
        self._locks: dict[Path, threading.Lock] = {}
        self._lock = threading.Lock()
        self._upgrades: queue.Queue[Path] = queue.Queue()
        self._worker: threading.Thread | None = None

    # -- Files -----------------------------------------------------------------------------

    def file_for(self, url_path: str) -> Path | None:
        """The file behind a URL path, if it is one of ours to compress (never outside a root)."""
        for prefix, folder in self.roots:
            if not url_path.startswith(prefix):
                continue
            relative = url_path[len(prefix):]
            if not relative or "\\" in relative or "\x00" in relative or ".." in relative.split("/"):
                return None
            try:  # a name no file system holds (too long) is no file either
                candidate = (folder / relative).resolve()
                if not candidate.is_relative_to(folder) or candidate.suffix.lower() not in COMPRESSIBLE:
                    return None
                return candidate if candidate.is_file() else None
            except (OSError, ValueError):
                return None
        return None

    def entry(self, path: Path) -> _Entry | None:
        """The compressed forms of `path`, made on first use (one thread does it, others wait)."""
        entry = self._entries.get(path)
        if entry is not None:
            return entry
        with self._lock:
            lock = self._locks.setdefault(path, threading.Lock())
        with lock:
            entry = self._entries.get(path)
            if entry is None:
                entry = self._compress(path)
                if entry is not None:
                    self._entries[path] = entry
                    if "br" in entry.encoded and not entry.best_brotli:
                        self._schedule_upgrade(path)
        return entry

    def warm(self, paths: Iterable[Path]) -> None:
        """Compress these files now, in the background (the bundles every first visit needs)."""
        def run():
            _lower_priority()
            for path in paths:
                self.entry(Path(path).resolve())  # and the best level next, in the upgrade thread
        threading.Thread(target=run, name="kompresi-awal", daemon=True).start()

    def _compress(self, path: Path) -> _Entry | None:
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        if len(raw) < MIN_SIZE:
            return None
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        if path.suffix in (".js", ".mjs"):
            content_type = "text/javascript; charset=utf-8"
        entry = _Entry(len(raw), content_type, LONG_CACHE if _HASHED_NAME.search(path.name) else SHORT_CACHE)
        entry.digest = hashlib.sha256(raw).hexdigest()[:20]
        entry.etags["gzip"] = f'"{entry.digest}-gz"'
        if brotli is None:
            entry.encoded["gzip"] = gzip.compress(raw, GZIP_LEVEL, mtime=0)
        else:
            best = self._cached_best(entry.digest)
            entry.encoded["br"] = best if best is not None else brotli.compress(raw, quality=FAST_BROTLI)
            entry.best_brotli = best is not None
            entry.etags["br"] = f'"{entry.digest}-br"'
        return entry

    def gzipped(self, path: Path, entry: _Entry) -> bytes | None:
        """The gzip form of an entry, made the first time a client asks for it (once per file)."""
        if "gzip" not in entry.encoded:
            with self._locks[path]:
                if "gzip" not in entry.encoded:
                    try:
                        entry.encoded["gzip"] = gzip.compress(path.read_bytes(), GZIP_LEVEL, mtime=0)
                    except OSError:
                        return None
        return entry.encoded["gzip"]

    def _cached_best(self, digest: str) -> bytes | None:
        if self.cache_dir is None:
            return None
        try:
            return (self.cache_dir / f"{digest}.br").read_bytes()
        except OSError:
            return None

    def _keep_best(self, digest: str, body: bytes) -> None:
        if self.cache_dir is None:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            temporary = self.cache_dir / f".{digest}.{threading.get_ident()}.tmp"
            temporary.write_bytes(body)
            temporary.replace(self.cache_dir / f"{digest}.br")
        except OSError as error:  # a read-only disk only costs the next start some CPU
            log.warning("tidak dapat menyimpan berkas terkompresi: %s", error)

    def _schedule_upgrade(self, path: Path) -> None:
        self._upgrades.put(path)
        with self._lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._upgrade_all, name="kompresi-terbaik",
                                                daemon=True)
                self._worker.start()

    def _upgrade_all(self) -> None:
        _lower_priority()
        while True:
            try:
                path = self._upgrades.get(timeout=30)
            except queue.Empty:
                return
            self._upgrade(path)

    def _upgrade(self, path: Path) -> None:
        entry = self._entries.get(path)
        if entry is None or entry.best_brotli or brotli is None:
            return
        with self._locks[path]:  # once per file, whoever asks
            if entry.best_brotli:
                return
            try:
                best = brotli.compress(path.read_bytes(), quality=BEST_BROTLI)
            except OSError:
                return
            if len(best) < len(entry.encoded["br"]):
                entry.encoded["br"] = best  # same content, same ETag: only smaller
                self._keep_best(entry.digest, best)
            entry.best_brotli = True


class StaticCompression:
    """ASGI middleware serving `files` (a CompressedFiles) compressed; anything else passes."""

    def __init__(self, app, files: CompressedFiles):
        self.app = app
        self.files = files

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        path = self.files.file_for(scope.get("path", ""))
        encoding = _accepted(_header(scope, b"accept-encoding")) if path else None
        if path is None or encoding is None or _header(scope, b"range"):
            return await self.app(scope, receive, send)
        from anyio import to_thread

        entry = await to_thread.run_sync(self.files.entry, path)
        if entry is None:
            return await self.app(scope, receive, send)
        if encoding == "br" and "br" not in entry.encoded:
            encoding = "gzip"
        if encoding == "gzip" and await to_thread.run_sync(self.files.gzipped, path, entry) is None:
            return await self.app(scope, receive, send)
        body, etag = entry.encoded[encoding], entry.etags[encoding]
        headers = [(b"content-type", entry.content_type.encode()), (b"vary", b"Accept-Encoding"),
                   (b"cache-control", entry.cache_control.encode()), (b"etag", etag.encode()),
                   (b"x-content-type-options", b"nosniff")]
        if etag in (_header(scope, b"if-none-match") or ""):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        headers += [(b"content-encoding", encoding.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def _lower_priority() -> None:
    """Let page runs have the CPU first: this thread only compresses (Linux: per-thread nice)."""
    try:
        import os

        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 15)
    except (AttributeError, OSError):
        pass


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def _accepted(header: str | None) -> str | None:
    """'br' or 'gzip' if the Accept-Encoding header allows it (q > 0), else None."""
    if not header:
        return None
    allowed = {}
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        allowed[name.strip().lower()] = q
    if brotli is not None and allowed.get("br", 0) > 0:
        return "br"
    if allowed.get("gzip", allowed.get("*", 0)) > 0:
        return "gzip"
    return None


def entry_bundles(static_dir: Path) -> list[Path]:
    """The scripts and styles Streamlit's index.html loads (every first visit needs them)."""
    index = static_dir / "index.html"
    try:
        html = index.read_text(encoding="utf-8")
    except OSError:
        return []
    found = re.findall(r'(?:src|href)="\.?/?(static/[^"]+\.(?:js|css))"', html)
    return [static_dir / name for name in found]
