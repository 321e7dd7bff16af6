"""Signed-in sessions: a signed cookie in the browser, a row in the session store.

The cookie carries a random token signed with itsdangerous, so a changed or made-up cookie is
refused before the store is asked. The store keeps only the token's sha256, who signed in, when,
and when the session was last used. Signing out marks the row ended, so every tab that still
presents the cookie is a visitor's again at its next run; a restart keeps the rows and the key,
so nobody is signed out by it. Two lifetimes, both configurable: idle (default 12 hours without
activity) and absolute (default 7 days after sign-in).

Where the rows live (`session_engine`): a SQLite store has one writer at a time, and an import
holds that lock for the whole of its write, so a SQLite store's sessions live in a file of their
own beside it (`bulukumba.sqlite` -> `bulukumba-sesi.sqlite`): signing in, noting activity and
signing out never wait on an import. PostgreSQL locks rows, and an import locks none of the
`sesi` table's, so there the sessions stay in the store, shared by every process. Activity is
best effort either way: a run whose note cannot be written at once still answers, and a later
run writes it.

The signing key comes from `.streamlit/secrets.toml`:

    [sesi]
    kunci = "at least 32 random characters"

or, without it, is generated once per install into `config.session_key_file()` (owner-only
permissions). It is never logged.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import secrets as random
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

import sqlalchemy as sa
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from bulukumba import config
from bulukumba.storage import store
from bulukumba.server.auth import ConfigError

log = logging.getLogger(__name__)

COOKIE = "bulukumba_sesi"
#: Activity is written at most this often per session (not on every rerun).
TOUCH_EVERY = dt.timedelta(minutes=1)
#: The longest a page run waits to note activity (another session write holding the lock).
TOUCH_WAIT = dt.timedelta(milliseconds=250)
MIN_KEY_LENGTH = 32

# Why a cookie that was presented signs nobody in (the `sesi` query parameter carries these).
KELUAR = "keluar"              # signed out, in this tab or another
TIDAK_AKTIF = "tidak-aktif"    # idle too long
KEDALUWARSA = "kedaluwarsa"    # older than the absolute lifetime
TIDAK_SAH = "tidak-sah"        # bad signature, unknown token, or the account is gone


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _hours(delta: dt.timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 48 and hours % 24 == 0:
        return f"{int(hours // 24)} hari"
    if hours >= 1:
        return f"{hours:g} jam".replace(".", ",")
    return f"{max(1, round(hours * 60))} menit"


def notice(reason: str | None) -> str | None:
    """What the visitor is told when a session he had ended, in Indonesian."""
    idle, lifetime = lifetimes()
    return {
        KELUAR: "Anda sudah keluar. Halaman internal tertutup di semua tab peramban ini.",
        TIDAK_AKTIF: f"Sesi Anda berakhir karena tidak ada aktivitas selama {_hours(idle)}. "
                     "Silakan masuk lagi.",
        KEDALUWARSA: f"Sesi Anda berakhir: sesi berlaku paling lama {_hours(lifetime)}. Silakan masuk lagi.",
        TIDAK_SAH: "Sesi Anda tidak berlaku lagi. Silakan masuk lagi.",
    }.get(reason or "")


def lifetimes() -> tuple[dt.timedelta, dt.timedelta]:
    """(idle, absolute) lifetimes from the configuration."""
    return (dt.timedelta(hours=config.session_idle_hours()),
            dt.timedelta(days=config.session_max_days()))


@dataclass(frozen=True)
class Check:
    username: str | None      # who the cookie signs in, or None
    ended: str | None = None  # why a presented cookie no longer does (KELUAR, TIDAK_AKTIF, …)


class Sessions:
    """Start, check and end signed-in sessions in one store."""

    def __init__(self, engine: sa.Engine, key: str, idle: dt.timedelta, lifetime: dt.timedelta,
                 clock: Callable[[], dt.datetime] = _now):
        self.engine = engine
        self.idle, self.lifetime = idle, lifetime
        self._clock = clock
        self._signer = URLSafeTimedSerializer(key, salt="bulukumba.sesi")

    def __repr__(self) -> str:  # never show the key
        return f"Sessions({self.engine.url!r}, idle={self.idle}, lifetime={self.lifetime})"

    @property
    def max_age_seconds(self) -> int:
        return int(self.lifetime.total_seconds())

    def start(self, username: str) -> str:
        """A new session for `username`; returns the cookie value."""
        token = random.token_urlsafe(32)
        now = self._clock()
        with self.engine.begin() as conn:
            # Rows past the longest lifetime serve nobody any more: drop them here, cheaply.
            conn.execute(store.sesi.delete().where(store.sesi.c.dibuat < now - self.lifetime))
            conn.execute(store.sesi.insert().values(id=_digest(token), pengguna=username,
                                                    dibuat=now, terakhir=now))
        return self._signer.dumps(token)

    def check(self, cookie: str | None, touch: bool = False) -> Check:
        """Who `cookie` signs in now. `touch` counts this as activity (a page run by the user)."""
        if not cookie:
            return Check(None)
        token, ended = self._token(cookie)
        if token is None:
            return Check(None, ended)
        now = self._clock()
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(store.sesi).where(store.sesi.c.id == _digest(token))).first()
        if row is None:
            return Check(None, TIDAK_SAH)
        if row.berakhir is not None:
            return Check(None, KELUAR)
        if now - row.dibuat > self.lifetime:
            return Check(None, KEDALUWARSA)
        if now - row.terakhir > self.idle:
            return Check(None, TIDAK_AKTIF)
        if touch and now - row.terakhir >= TOUCH_EVERY:
            self._note_activity(row.id, now)
        return Check(row.pengguna)

    def _note_activity(self, digest: str, now: dt.datetime) -> None:
        """Write the session's last activity, waiting at most TOUCH_WAIT for a lock; if it cannot
        be written now, the session is still valid and the next run writes it."""
        try:
            with self.engine.begin() as conn:
                with _lock_wait(conn, TOUCH_WAIT):
                    conn.execute(store.sesi.update().where(store.sesi.c.id == digest,
                                                           store.sesi.c.berakhir.is_(None))
                                 .values(terakhir=now))
        except sa.exc.OperationalError as error:
            log.info("aktivitas sesi belum dicatat (%s); dicatat pada pemuatan berikutnya",
                     type(error.orig).__name__)

    def end(self, cookie: str | None) -> str | None:
        """Sign out: the session of `cookie` ends for every tab. Returns whose it was."""
        token, _ = self._token(cookie or "")
        if token is None:
            return None
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(store.sesi.c.pengguna).where(store.sesi.c.id == _digest(token))).first()
            conn.execute(store.sesi.update().where(store.sesi.c.id == _digest(token),
                                                   store.sesi.c.berakhir.is_(None))
                         .values(berakhir=self._clock()))
        return row.pengguna if row else None

    def _token(self, cookie: str) -> tuple[str | None, str | None]:
        try:
            return self._signer.loads(cookie, max_age=self.max_age_seconds), None
        except SignatureExpired:
            return None, KEDALUWARSA
        except BadSignature:
            return None, TIDAK_SAH


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


@contextlib.contextmanager
def _lock_wait(conn: sa.Connection, wait: dt.timedelta):
    """Within `conn`'s transaction, wait at most `wait` for a lock instead of the usual."""
    milliseconds = int(wait.total_seconds() * 1000)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")
        yield
    elif conn.dialect.name == "sqlite":
        usual = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {milliseconds}")
        try:
            yield
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(usual)}")
    else:
        yield


# ---------------------------------------------------------------------------------------------
# Where sessions live
# ---------------------------------------------------------------------------------------------

def session_store_path(url: str) -> Path | None:
    """The file of a SQLite store's sessions (beside the store), or None when sessions live in
    the store itself (PostgreSQL; an in-memory SQLite store, which no other process sees)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    database = Path(parsed.database)
    return database.with_name(f"{database.stem}-sesi{database.suffix or '.sqlite'}")


@lru_cache(maxsize=8)
def session_engine(url: str) -> sa.Engine:
    """The engine whose `sesi` table holds the sessions of the store at `url` (one per process)."""
    path = session_store_path(url)
    if path is None:
        return store.engine_for(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(f"sqlite:///{path}")
    sa.event.listen(engine, "connect", store._sqlite_pragmas)  # WAL, and a wait for the lock
    table = store.sesi.to_metadata(sa.MetaData())
    with engine.begin() as conn:
        new = not sa.inspect(conn).has_table(table.name)
        try:
            table.create(conn, checkfirst=True)
        except sa.exc.OperationalError:  # another process created it in the meantime
            new = False
    if new:
        _adopt_store_sessions(url, engine)
    return engine


def _adopt_store_sessions(url: str, engine: sa.Engine) -> None:
    """Copy the sessions a store kept itself (before sessions had their own file), so nobody is
    signed out by the upgrade and an ended one still says so. Only reads the store: an import
    may be writing."""
    if not Path(sa.make_url(url).database).exists():  # a new install: nothing to copy
        return
    source = sa.create_engine(url)
    try:
        with source.connect() as conn:
            if not sa.inspect(conn).has_table(store.sesi.name):
                return
            rows = conn.execute(sa.select(store.sesi)).mappings().all()
    except sa.exc.OperationalError as error:  # an unreadable store: its sessions are lost, nothing else
        log.warning("sesi lama di basis data tidak terbaca (%s); pengguna perlu masuk lagi",
                    type(error.orig).__name__)
        return
    finally:
        source.dispose()
    if rows:
        with engine.begin() as conn:
            conn.execute(store.sesi.insert().prefix_with("OR IGNORE"), [dict(row) for row in rows])
        log.info("%d sesi dipindahkan ke %s", len(rows), session_store_path(url))


# ---------------------------------------------------------------------------------------------
# The signing key
# ---------------------------------------------------------------------------------------------

def load_key(secrets: Mapping, key_file: Path | None = None) -> str:
    """The cookie-signing key: `[sesi] kunci` from secrets.toml, else the per-install key file."""
    section = secrets.get("sesi") if hasattr(secrets, "get") else None
    configured = dict(section).get("kunci") if isinstance(section, Mapping) else None
    if configured is not None:
        if not isinstance(configured, str) or len(configured) < MIN_KEY_LENGTH:
            raise ConfigError(f"[sesi] kunci harus teks acak minimal {MIN_KEY_LENGTH} karakter.")
        return configured
    return _key_from_file(Path(key_file or config.session_key_file()))


@lru_cache(maxsize=4)
def _key_from_file(path: Path) -> str:
    """Read the key file, creating it first (owner-only) if it is not there yet.

    Created under a temporary name and linked into place, so two processes starting at once
    agree on one key and nobody reads a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{random.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(random.token_urlsafe(48))
        try:
            os.link(temporary, path)
            log.info("kunci sesi baru dibuat di %s", path)  # where, never what
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            temporary.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if os.name == "posix" and mode & 0o077:
        path.chmod(0o600)
        log.warning("izin berkas kunci sesi %s dipersempit ke 0600 (sebelumnya %o)", path, mode)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(f"Berkas kunci sesi {path} rusak (kurang dari {MIN_KEY_LENGTH} karakter); "
                          "hapus berkas itu agar dibuat ulang.")
    return key


def sessions_for(url: str, secrets: Mapping) -> Sessions:
    """The sessions of the store at `url`, signed with the configured key (one per process)."""
    idle, lifetime = lifetimes()
    return _sessions(url, load_key(secrets), idle, lifetime)


@lru_cache(maxsize=8)
def _sessions(url: str, key: str, idle: dt.timedelta, lifetime: dt.timedelta) -> Sessions:
    return Sessions(session_engine(url), key, idle, lifetime)
