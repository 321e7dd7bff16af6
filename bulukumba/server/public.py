"""The public side served as the web expects it (bulukumba/public): the page shell of every
address, the share cards, the open data, the office's icon and the data version.

- Page shell: Streamlit's index.html rewritten per address (public/shell.py): for the public
  addresses (`/`, `/?desa=`, `/?kab=`, `/?mode=proyektor`) with the view's title, description,
  Open Graph and Twitter tags, canonical address and the first screen; for every other
  address (internal pages, sign-in, a copied internal link, a signed-in user's "/") the
  neutral shell. Built once per data version and address, kept compressed (brotli and gzip)
  with its response head ready; a request costs dictionary look-ups on the event loop: the
  address read from its query string once per distinct request line, the data version read at
  most once a second by one worker thread for every request waiting on it (single flight), no
  thread otherwise (benchmarks/bench_capacity.py).
- `/kartu/<nama>.png`: the share card of the regency (`kab-<kode>`) or a village
  (`desa-<kode>`), drawn once per data version; `?v=<versi>` of the current version is cached
  for a year (the shell's og:image carries it), any other for a minute; ETag, 304.
- `/data/`: the open data (public/opendata.py), ETag per data version.
- `/ikon.png`: the office's icon; `/versi`: the data version as JSON (a public tab can ask it
  instead of rerunning the page on a timer).

Every figure comes from the published set (disclosure.public_view) through public/summary.py.
"""
from __future__ import annotations

import asyncio
import collections
import gzip
import hashlib
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from bulukumba.presentation import navigation
from bulukumba.storage import store
from bulukumba.server.headers import _SAFE_HOST, page_shell

try:
    import brotli
except ImportError:  # pragma: no cover - pinned
    brotli = None

log = logging.getLogger(__name__)

ICON_PATH, VERSION_PATH, CARD_PREFIX, DATA_PREFIX = "/ikon.png", "/versi", "/kartu/", "/data/"
ICON_FILE = Path(__file__).resolve().parent.parent / "assets" / "icon.png"
YEAR = "public, max-age=31536000, immutable"
#: Brotli level of a built answer. A village's page shell (19 KB) at level 5: 5,011 bytes in
#: 0.7 ms; at level 9 (before 7 December 2026): 5,009 bytes in 23 ms, for each address and data
#: version (benchmarks/README.md, "Compressing the public answers").
ANSWER_BROTLI = 5
#: Shells kept (each address of each data version once); unknown codes share their canonical one.
MAX_SHELLS = 2048
#: Request lines (path, query, host, scheme) remembered with the address they mean.
MAX_ADDRESSES = 4096
VERSION_TTL_S = 1.0
_CARD_NAME = re.compile(r"^(kab|desa)-([0-9][0-9.]{0,30})\.png$")


@dataclass
class Built:
    """One answer kept ready: its bytes as they are and compressed, its ETag."""
    body: bytes
    content_type: str
    cache_control: str = "no-cache"
    etag: str = ""
    encoded: dict[str, bytes] = field(default_factory=dict)
    extra: tuple[tuple[bytes, bytes], ...] = ()

    def __post_init__(self):
        self._heads: dict = {}
        if not self.etag:
            self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'
        compressible = self.content_type.startswith(("text/", "application/json", "application/csv"))
        if compressible and len(self.body) > 512:
            if brotli is not None:  # level 5: as small as 9 on these pages and files, 30x less CPU
                self.encoded["br"] = brotli.compress(self.body, quality=ANSWER_BROTLI)
            self.encoded["gzip"] = gzip.compress(self.body, 9, mtime=0)

    def answer(self, encoding: str | None, status: int = 200) -> tuple[list, bytes]:
        """(response headers, body) for a client taking `encoding`; made once per encoding."""
        made = self._heads.get((encoding, status))
        if made is None:
            headers = [(b"content-type", self.content_type.encode()), (b"cache-control", self.cache_control.encode()),
                       (b"etag", self.etag.encode()), (b"vary", b"Accept-Encoding"), *self.extra]
            body = self.body
            if status == 200 and encoding in self.encoded:
                body = self.encoded[encoding]
                headers.append((b"content-encoding", encoding.encode()))
            if status != 304:
                headers.append((b"content-length", str(len(body)).encode()))
            made = self._heads[(encoding, status)] = (headers, body if status != 304 else b"")
        return made


class PublicSide:
    def __init__(self, server, static_dir: Path | None):
        self.server = server
        self.template = page_shell(static_dir)
        self._lock = threading.Lock()
        self._version: tuple[float, str, int] | None = None
        self._shells: collections.OrderedDict = collections.OrderedDict()
        self._files: dict[tuple, Built] = {}
        self._locks: dict = {}
        self._addresses: dict[tuple, tuple[str, tuple | None]] = {}
        self._reading: tuple | None = None  # (event loop, store URL, future): the version being read
        self._versions: dict[int, Built] = {}  # /versi's answer per version

    # -- The data version ----------------------------------------------------------------------

    def engine(self):
        return store.engine_for(self.server.database_url())

    def version(self) -> int:
        """The store's data version, read at most once a second."""
        url = self.server.database_url()
        now = time.monotonic()
        cached = self._version
        if cached is not None and cached[1] == url and now - cached[0] < VERSION_TTL_S:
            return cached[2]
        with self.engine().connect() as conn:
            version = store.data_version(conn)
        self._version = (now, url, version)
        return version

    async def current_version(self) -> int:
        """The data version for a request on the event loop: from memory within the second;
        else one worker thread reads it for every request that asks meanwhile (a burst of
        visitors at the turn of the second waits for one read, not one each)."""
        url = self.server.database_url()
        cached = self._version
        if cached is not None and cached[1] == url and time.monotonic() - cached[0] < VERSION_TTL_S:
            return cached[2]
        loop = asyncio.get_running_loop()
        reading = self._reading
        if reading is None or reading[0] is not loop or reading[1] != url or reading[2].done():
            from anyio import to_thread

            reading = self._reading = (loop, url, asyncio.ensure_future(to_thread.run_sync(self.version)))
        return await asyncio.shield(reading[2])

    def version_answer(self, version: int) -> Built:
        """/versi's answer for `version` (`{"versi_data": 7}`), made once."""
        found = self._versions.get(version)
        if found is None:
            if len(self._versions) > 16:
                self._versions.clear()
            found = self._versions[version] = Built(version_json(version), "application/json", "no-cache",
                                                    f'"{version}"')
        return found

    # -- Page shells ---------------------------------------------------------------------------

    def _address(self, scope, path: str, signed_in: bool) -> tuple[str, tuple | None]:
        """(origin, the public view's query as sorted pairs) of a page request; None: not a
        public address. Remembered per request line: the same link asked again is a look-up."""
        key = (path, scope.get("query_string", b""), _host(scope), self.server.clients.https(scope), signed_in)
        found = self._addresses.get(key)
        if found is not None:
            return found
        params = dict(parse_qsl(key[1].decode("latin-1")))
        public = (path == "/" and not signed_in and not any(k in params for k in (*navigation.FILTER_KEYS, "ke")))
        origin = _origin(scope, self.server)
        if not public or not self.template:
            found = (origin, None)
        else:
            wanted = {k: params[k] for k in ("kab", "desa", "mode") if k in params}
            if wanted.get("mode") != "proyektor":
                wanted.pop("mode", None)
            found = (origin, tuple(sorted(wanted.items())))
        if len(self._addresses) >= MAX_ADDRESSES:
            self._addresses.clear()
        self._addresses[key] = found
        return found

    def is_public(self, scope, path: str, signed_in: bool) -> bool:
        return self._address(scope, path, signed_in)[1] is not None

    def kept_shell(self, scope, path: str, signed_in: bool, version: int | None) -> Built | None:
        """The shell from memory for this data version (`version`: read by `current_version`
        for a public address), else None: no thread, no database (the common case under load)."""
        origin, wanted = self._address(scope, path, signed_in)
        if wanted is None:
            return self._shells.get(("netral", origin))
        if version is None:
            return None
        return self._shells.get((version, self.server.database_url(), origin, wanted))

    def shell(self, scope, path: str, signed_in: bool) -> Built:
        origin, wanted = self._address(scope, path, signed_in)
        if wanted is None:
            return self._kept(("netral", origin), lambda: self._neutral(origin))
        version = self.version()
        key = (version, self.server.database_url(), origin, wanted)
        with self._lock:
            found = self._shells.get(key)
        if found is not None:
            return found
        with self._building(key):
            with self._lock:
                found = self._shells.get(key)
            if found is not None:
                return found
            from bulukumba import figures

            with figures.answering_for(version, self.engine()):
                built = self._public(origin, dict(wanted), version)
            if built is None:  # no figures yet (a first start prepares the store in its first session):
                return self._neutral(origin, version)  # not kept; the tab reloads once there are
            if self._settled():
                self._keep(key, built)
            return built

    def _kept(self, key, build) -> Built:
        with self._lock:
            found = self._shells.get(key)
            if found is not None:
                self._shells.move_to_end(key)
                return found
        with self._building(key):  # a burst of visitors to a new address builds it once
            with self._lock:
                found = self._shells.get(key)
            if found is not None:
                return found
            built = build()
            self._keep(key, built)
            return built

    def _keep(self, key, built: Built) -> None:
        with self._lock:
            self._shells[key] = built
            while len(self._shells) > MAX_SHELLS:
                self._shells.popitem(last=False)

    def _building(self, key) -> threading.Lock:
        """One lock per thing being built (single flight); forgotten past a few hundred."""
        with self._lock:
            lock = self._locks.get(key)
            if lock is None:
                if len(self._locks) > 512:
                    self._locks.clear()
                lock = self._locks[key] = threading.Lock()
            return lock

    def _neutral(self, origin: str, version: int | None = None) -> Built:
        """The shell with no figure; with `version`, one that asks for new data (a public
        address whose store has no figures yet)."""
        from bulukumba import config
        from bulukumba.public import shell

        base = origin + self.server.base_path
        head = shell.head_tags(None, page_url=base + "/", image_url=None, icon_url=base + ICON_PATH)
        if version is not None:
            head += "\n    " + shell.version_tag(version, self.server.base_path + VERSION_PATH,
                                                 config.refresh_seconds())
        return Built(shell.rewrite(self.template, head, poll=version is not None).encode(), "text/html; charset=utf-8")

    def _public(self, origin: str, wanted: dict, version: int) -> Built:
        from bulukumba import disclosure
        from bulukumba.public import shell, summary

        engine = self.engine()
        s = summary.summary_for(engine, wanted, version)
        if s is None:
            return None
        base = origin + self.server.base_path
        query = urlencode(s.query())
        page_url = base + "/" + (f"?{query}" if query else "")
        image = f"{base}{CARD_PREFIX}{s.card_name}.png?v={version}"
        from bulukumba import config

        head = shell.head_tags(s, page_url=page_url, image_url=image, icon_url=base + ICON_PATH)
        head += "\n    " + shell.version_tag(version, self.server.base_path + VERSION_PATH, config.refresh_seconds())
        view = disclosure.public_view(engine=engine, kabupaten=s.kab_param) if s.kind == summary.VILLAGE else None
        from bulukumba.public import opendata

        names = opendata.file_names(s.kab_kode, s.contoh)
        screen = shell.first_screen(s, view.desa if view is not None else None, summary.office(),
                                    table_url=f"{self.server.base_path}{DATA_PREFIX}{names['desa']}.csv",
                                    data_url=f"{self.server.base_path}{DATA_PREFIX}")
        return Built(shell.rewrite(self.template, head, screen, poll=True).encode(), "text/html; charset=utf-8",
                     extra=((b"content-language", b"id"),))

    # -- Share cards, open data, icon, version --------------------------------------------------

    def card(self, name: str, asked_version: str | None) -> Built | None:
        match = _CARD_NAME.match(name)
        if not match:
            return None
        version = self.version()
        key = ("kartu", version, self.server.database_url(), name)
        found = self._file(key, lambda: self._draw_card(match.group(1), match.group(2), version), version)
        if found is None:
            return None
        if asked_version != str(version):
            return Built(found.body, found.content_type, "public, max-age=60", found.etag)
        return found

    def _draw_card(self, kind: str, code: str, version: int) -> Built | None:
        from bulukumba.public import card, summary

        engine = self.engine()
        if kind == "kab":
            names = summary.regencies(engine)
            if code not in names:
                return None
            s = summary.summary_for(engine, {"kab": code} if len(names) > 1 else {}, version)
        else:
            s = self._village_summary(engine, code, version)
        if s is None:
            return None
        png = card.draw(s, summary.office())
        return Built(png, "image/png", YEAR, f'"{version}-{hashlib.sha256(png).hexdigest()[:16]}"')

    @staticmethod
    def _village_summary(engine, code: str, version: int):
        from bulukumba.public import summary

        names = summary.regencies(engine)
        if len(names) <= 1:
            s = summary.summary_for(engine, {"desa": code}, version)
            return s if s is not None and s.kind == summary.VILLAGE else None
        for kab in names:  # the village's own regency
            if code.startswith(kab + "."):
                s = summary.summary_for(engine, {"kab": kab, "desa": code}, version)
                return s if s is not None and s.kind == summary.VILLAGE else None
        return None

    def data_file(self, name: str) -> Built | None:
        from bulukumba.public import opendata

        version = self.version()
        key = ("data", version, self.server.database_url(), name, self.server.base_path)
        def make() -> Built | None:
            made = opendata.serve(self.engine(), name, version, self.server.base_path + DATA_PREFIX)
            if made is None:
                return None
            body, content_type, extra = made
            return Built(body, content_type, "public, max-age=300, must-revalidate",
                         f'"{version}-{hashlib.sha256(body).hexdigest()[:16]}"', extra=extra)

        return self._file(key, make, version)

    def _file(self, key, build, version: int) -> Built | None:
        """A file of this data version, built once (single flight); None is not kept."""
        with self._lock:
            found = self._files.get(key)
        if found is not None:
            return found
        with self._building(key):
            with self._lock:
                found = self._files.get(key)
            if found is not None:
                return found
            from bulukumba import figures

            with figures.answering_for(version, self.engine()):
                found = build()
            if found is not None and self._settled():
                with self._lock:
                    self._forget_other_versions(version)
                    self._files[key] = found
            return found

    def _settled(self) -> bool:
        """False while the newest data's published set is still being built: a shell, card or
        file drawn meanwhile shows the set before (as the page does) and is not kept for this
        data version, whose own set is drawn once it is there."""
        from bulukumba import disclosure

        return not disclosure.preparing(self.engine())

    def _forget_other_versions(self, version: int) -> None:
        for key in [k for k in self._files if k[1] != version]:
            del self._files[key]

    def icon(self) -> Built:
        key = ("ikon", 0)
        with self._lock:
            found = self._files.get(key)
        if found is None:
            found = Built(ICON_FILE.read_bytes(), "image/png", "public, max-age=86400")
            with self._lock:
                self._files[key] = found
        return found


def _host(scope) -> str:
    return next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), "")


def _origin(scope, server) -> str:
    """'https://dasbor.example' of this request (its Host when it is a plain host name)."""
    host = _host(scope)
    if not _SAFE_HOST.match(host or ""):
        host = (server.hosts[0] if server.hosts else "localhost")
    return f"{'https' if server.clients.https(scope) else 'http'}://{host.lower()}"


_ENCODINGS: dict[str | None, str | None] = {}


def accepted_encoding(scope) -> str | None:
    """The encoding a request takes ('br', 'gzip', None); each header value parsed once."""
    from bulukumba.server.compression import _accepted, _header

    header = _header(scope, b"accept-encoding")
    found = _ENCODINGS.get(header, False)
    if found is False:
        if len(_ENCODINGS) > 256:
            _ENCODINGS.clear()
        found = _ENCODINGS[header] = _accepted(header)
    return found


async def send_built(scope, send, built: Built, status: int = 200) -> None:
    """Answer with `built`: compressed when the client takes it, 304 on a matching ETag."""
    match = next((v for k, v in scope.get("headers", ()) if k == b"if-none-match"), None)
    if match is not None and built.etag and built.etag in match.decode("latin-1"):
        headers, body = built.answer(None, 304)
        status = 304
    else:
        headers, body = built.answer(accepted_encoding(scope), status)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def version_json(version: int) -> bytes:
    return json.dumps({"versi_data": version}).encode()
