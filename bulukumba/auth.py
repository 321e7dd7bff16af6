"""Sign-in: users and password hashes from Streamlit secrets, bcrypt, and slowing down guessing.

Users live in `.streamlit/secrets.toml` (never in the repository), one table each:

    [pengguna.kadis]
    nama = "Kepala Dinas"
    peran = "pimpinan"          # pimpinan: internal pages; operator: also imports data
    hash_sandi = "$2b$12$..."   # from `python -m bulukumba sandi`

There is no default password: with no users configured the app serves the public page only.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping

import bcrypt

ROLES = ("pimpinan", "operator")
#: Failures allowed before each further attempt must wait, and the longest wait (seconds).
FREE_FAILURES = 3
MAX_WAIT_SECONDS = 300
#: Failures allowed from one client address, over all user names, before it must wait too.
FREE_ADDRESS_FAILURES = 10
#: A user name or address with no failure for this long starts afresh.
FORGET_SECONDS = 15 * 60
#: Keys kept at most before quiet ones are forgotten (a spray of made-up names costs no memory).
MAX_KEYS = 10_000


@dataclass(frozen=True)
class User:
    username: str
    nama: str
    peran: str

    @property
    def can_import(self) -> bool:
        return self.peran == "operator"


class ConfigError(ValueError):
    """A user entry in secrets.toml is malformed (message in Indonesian)."""


def hash_password(password: str, rounds: int = 12) -> str:
    if len(password) < 10:
        raise ValueError("Kata sandi minimal 10 karakter.")
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def users_from_secrets(secrets: Mapping) -> dict[str, tuple[User, str]]:
    """{username: (User, hash)} from the `pengguna` section; empty when none is configured."""
    section = secrets.get("pengguna", {}) if hasattr(secrets, "get") else {}
    users = {}
    for username, entry in dict(section).items():
        entry = dict(entry)
        role, hashed = entry.get("peran"), entry.get("hash_sandi", "")
        if role not in ROLES:
            raise ConfigError(f"Pengguna '{username}': peran harus salah satu dari {', '.join(ROLES)}.")
        if not str(hashed).startswith("$2"):
            raise ConfigError(f"Pengguna '{username}': hash_sandi bukan hash bcrypt "
                              "(buat dengan `python -m bulukumba sandi`).")
        users[str(username).lower()] = (User(str(username).lower(), entry.get("nama", username), role),
                                        str(hashed))
    return users


class Throttle:
    """Slows down guessing for one kind of key (a user name, or a client address).

    After `free` wrong passwords for a key, each further attempt must wait 2, 4, 8 … seconds (at
    most MAX_WAIT_SECONDS) since the last failure. The check and the reservation are one step
    under a lock, and an attempt still being checked counts as a failure until it is known: so
    30 guesses sent at once get `free` password checks, not 30. A key quiet for FORGET_SECONDS
    starts afresh (so an office behind one address is not punished for last week's typos).

    Kept per server process, so opening a new browser session does not reset it.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, free: int = FREE_FAILURES):
        self._clock = clock
        self._free = free
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}   # key -> (failures, time of the last)
        self._checking: dict[str, int] = {}                 # key -> attempts being checked now

    def _state(self, key: str) -> tuple[int, float]:
        count, last = self._failures.get(key, (0, 0.0))
        if count and self._clock() - last > FORGET_SECONDS:
            self._failures.pop(key, None)
            return 0, 0.0
        return count, last

    def _wait(self, count: int, last: float) -> float:
        if count < self._free:
            return 0.0
        wait = min(2 ** (count - self._free + 1), MAX_WAIT_SECONDS)
        return max(0.0, last + wait - self._clock())

    def wait_seconds(self, key: str) -> float:
        """How long an attempt for `key` must wait now (0: it may go ahead)."""
        with self._lock:
            return self._wait(*self._state(key.lower()))

    def reserve(self, key: str) -> float:
        """Claim the right to check one password for `key`: 0.0 if granted (then call `done`),
        else the seconds to wait."""
        key = key.lower()
        with self._lock:
            count, last = self._state(key)
            checking = self._checking.get(key, 0)
            if count + checking < self._free:
                wait = 0.0
            elif checking:  # the free attempts are being checked right now: their outcome decides
                wait = max(1.0, self._wait(count + checking, self._clock()))
            else:
                wait = self._wait(count, last)
            if wait == 0.0:
                self._checking[key] = checking + 1
            return wait

    def done(self, key: str, ok: bool | None) -> None:
        """The reserved check ended: True right, False wrong, None not checked after all."""
        key = key.lower()
        with self._lock:
            left = self._checking.get(key, 1) - 1
            if left > 0:
                self._checking[key] = left
            else:
                self._checking.pop(key, None)
            if ok is True:
                self._failures.pop(key, None)
            elif ok is False:
                count, _ = self._state(key)
                self._failures[key] = (count + 1, self._clock())
                if len(self._failures) > MAX_KEYS:
                    self._forget_quiet()

    def _forget_quiet(self) -> None:
        now = self._clock()
        for key in [k for k, (_, last) in self._failures.items() if now - last > FORGET_SECONDS]:
            del self._failures[key]

    # The old names, for a failure or a success recorded without a reservation.
    def failed(self, key: str) -> None:
        with self._lock:
            count, _ = self._state(key.lower())
            self._failures[key.lower()] = (count + 1, self._clock())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key.lower(), None)


class Guard:
    """Both limits a sign-in attempt must pass: per user name (guessing one password) and per
    client address (spraying one password across many user names)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.users = Throttle(clock, FREE_FAILURES)
        self.addresses = Throttle(clock, FREE_ADDRESS_FAILURES)


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    pesan: str | None = None     # why not, in Indonesian
    tunggu: int | None = None    # seconds to wait, when refused without checking the password


WRONG = "Nama pengguna atau kata sandi salah."


def wait_message(seconds: int) -> str:
    return f"Terlalu banyak percobaan gagal. Coba lagi dalam {seconds} detik."


def failure_message(code: str | None, seconds: str | None = None) -> str | None:
    """What the sign-in page says after the sign-in route sent the browser back with `code`."""
    if code == "tunggu":
        return wait_message(int(seconds) if (seconds or "").isdigit() else MAX_WAIT_SECONDS)
    return {
        "salah": WRONG,
        "akun": "Belum ada akun yang dapat dipakai untuk masuk (lihat pengaturan akun).",
        "kunci": "Kunci sesi di .streamlit/secrets.toml tidak sah: [sesi] kunci harus teks acak "
                 "minimal 32 karakter.",
    }.get(code or "")


def sign_in(users: dict[str, tuple[User, str]], username: str, password: str,
            guard: Guard | Throttle, address: str | None = None) -> SignInResult:
    """Check a user name and password. The same message for an unknown user and a wrong
    password, so the form does not tell which user names exist.

    `guard` is a Guard (per user and per address) or, for a caller with no address, a Throttle
    for user names only."""
    name = (username or "").strip().lower()
    limits = ([(guard.users, name), (guard.addresses, address or "-")] if isinstance(guard, Guard)
              else [(guard, name)])
    granted = []
    for throttle, key in limits:
        wait = throttle.reserve(key)
        if wait > 0:
            for other, other_key in granted:
                other.done(other_key, None)
            return SignInResult(None, wait_message(int(wait) + 1), int(wait) + 1)
        granted.append((throttle, key))
    ok = False
    try:
        entry = users.get(name)
        hashed = entry[1] if entry else _DUMMY_HASH  # check a hash anyway: same time either way
        ok = bcrypt.checkpw((password or "").encode("utf-8"), hashed.encode("ascii")) and entry is not None
    finally:
        for throttle, key in granted:
            # A right password clears the user's count; the address keeps its count until it
            # goes quiet, so one valid account cannot reset the limit on spraying others.
            keeps_count = ok and throttle is getattr(guard, "addresses", None)
            throttle.done(key, None if keeps_count else ok)
    if ok:
        return SignInResult(entry[0])
    return SignInResult(None, WRONG)


_DUMMY_HASH = bcrypt.hashpw(b"tidak-ada-pengguna-ini", bcrypt.gensalt(12)).decode("ascii")
