"""The public side served as the web expects it (bulukumba/public): the page shell of every
address, the share cards, the open data, the office's icon and the data version.

- Page shell: Streamlit's index.html rewritten per address (public/shell.py): for the public
  addresses (`/`, `/?desa=`, `/?kab=`, `/?mode=proyektor`) with the view's title, description,
  Open Graph and Twitter tags, canonical address and the first screen; for every other
  address (internal pages, sign-in, a copied internal link, a signed-in user's "/") the
  neutral shell. Built once per data version and address, kept compressed (brotli and gzip);
  a request costs a dictionary look-up (the data version is read at most once a second).
- `/kartu/<nama>.png`: the share card of the regency (`kab-<kode>`) or a village
  (`desa-<kode>`), drawn once per data version; `?v=<versi>` of the current version is cached
  for a year (the shell's og:image carries it), any other for a minute; ETag, 304.
- `/data/`: the open data (public/opendata.py), ETag per data version.
- `/ikon.png`: the office's icon; `/versi`: the data version as JSON (a public tab can ask it
  instead of rerunning the page on a timer).

Every figure comes from the published set (disclosure.public_view) through public/summary.py.
"""
from __future__ import annotations

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
#: Shells kept (each address of each data version once); unknown codes share their canonical one.
MAX_SHELLS = 2048
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
        if not self.etag:
            self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'
        compressible = self.content_type.startswith(("text/", "application/json", "application/csv"))
        if compressible and len(self.body) > 512:
            if brotli is not None:
                self.encoded["br"] = brotli.compress(self.body, quality=9)
            self.encoded["gzip"] = gzip.compress(self.body, 9, mtime=0)


class PublicSide:
    def __init__(self, server, static_dir: Path | None):
        self.server = server
        self.template = page_shell(static_dir)
        self._lock = threading.Lock()
        self._version: tuple[float, str, int] | None = None
        self._shells: collections.OrderedDict = collections.OrderedDict()
        self._files: dict[tuple, Built] = {}
        self._locks: dict = {}

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

    # -- Page shells ---------------------------------------------------------------------------

    def _address(self, scope, path: str, signed_in: bool) -> tuple[str, dict | None]:
        """(origin, the public view's query) of a page request; None: not a public address."""
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        public = (path == "/" and not signed_in and not any(k in params for k in (*navigation.FILTER_KEYS, "ke")))
        origin = _origin(scope, self.server)
        if not public or not self.template:
            return origin, None
        wanted = {k: params[k] for k in ("kab", "desa", "mode") if k in params}
        if wanted.get("mode") != "proyektor":
            wanted.pop("mode", None)
        return origin, wanted

    def kept_shell(self, scope, path: str, signed_in: bool) -> Built | None:
        """The shell from memory when it is there and the version was read within the second
        (no thread, no database: the common case under load), else None."""
        origin, wanted = self._address(scope, path, signed_in)
        cached = self._version
        if wanted is None:
            key = ("netral", origin)
        elif cached is None or time.monotonic() - cached[0] >= VERSION_TTL_S:
            return None
        else:
            url = self.server.database_url()
            if cached[1] != url:
                return None
            key = (cached[2], url, origin, tuple(sorted(wanted.items())))
        return self._shells.get(key)

    def shell(self, scope, path: str, signed_in: bool) -> Built:
        origin, wanted = self._address(scope, path, signed_in)
        if wanted is None:
            return self._kept(("netral", origin), lambda: self._neutral(origin))
        version = self.version()
        key = (version, self.server.database_url(), origin, tuple(sorted(wanted.items())))
        with self._lock:
            found = self._shells.get(key)
        if found is not None:
            return found
        with self._building(key):
            with self._lock:
                found = self._shells.get(key)
            if found is not None:
                return found
            built = self._public(origin, wanted, version)
            if built is None:  # no figures yet (a first start prepares the store in its first session):
                return self._neutral(origin, version)  # not kept; the tab reloads once there are
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
            found = build()
            if found is not None:
                with self._lock:
                    self._forget_other_versions(version)
                    self._files[key] = found
            return found

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


def _origin(scope, server) -> str:
    """'https://dasbor.example' of this request (its Host when it is a plain host name)."""
    host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), "")
    if not _SAFE_HOST.match(host or ""):
        host = (server.hosts[0] if server.hosts else "localhost")
    return f"{'https' if server.clients.https(scope) else 'http'}://{host.lower()}"


def accepted_encoding(scope) -> str | None:
    from bulukumba.server.compression import _accepted, _header

    return _accepted(_header(scope, b"accept-encoding"))


async def send_built(scope, send, built: Built, status: int = 200) -> None:
    """Answer with `built`: compressed when the client takes it, 304 on a matching ETag."""
    headers = [(b"content-type", built.content_type.encode()), (b"cache-control", built.cache_control.encode()),
               (b"etag", built.etag.encode()), (b"vary", b"Accept-Encoding"), *built.extra]
    match = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"if-none-match"), "")
    if built.etag and built.etag in match:
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    encoding = accepted_encoding(scope)
    body = built.body
    if encoding and encoding in built.encoded:
        body = built.encoded[encoding]
        headers.append((b"content-encoding", encoding.encode()))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def version_json(version: int) -> bytes:
    return json.dumps({"versi_data": version}).encode()
