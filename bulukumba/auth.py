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
    """Slows down guessing: after FREE_FAILURES wrong passwords for a user name, each attempt
    must wait 2, 4, 8 … seconds (at most MAX_WAIT_SECONDS) since the last failure.

    Kept per server process, so opening a new browser session does not reset it.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}

    def wait_seconds(self, username: str) -> float:
        with self._lock:
            count, last = self._failures.get(username.lower(), (0, 0.0))
        if count < FREE_FAILURES:
            return 0.0
        wait = min(2 ** (count - FREE_FAILURES + 1), MAX_WAIT_SECONDS)
        return max(0.0, last + wait - self._clock())

    def failed(self, username: str) -> None:
        with self._lock:
            count, _ = self._failures.get(username.lower(), (0, 0.0))
            self._failures[username.lower()] = (count + 1, self._clock())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username.lower(), None)


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    pesan: str | None = None  # why not, in Indonesian


def sign_in(users: dict[str, tuple[User, str]], username: str, password: str,
            throttle: Throttle) -> SignInResult:
    """Check a user name and password. The same message for an unknown user and a wrong
    password, so the form does not tell which user names exist."""
    name = (username or "").strip().lower()
    wait = throttle.wait_seconds(name)
    if wait > 0:
        return SignInResult(None, f"Terlalu banyak percobaan gagal. Coba lagi dalam {int(wait) + 1} detik.")
    entry = users.get(name)
    hashed = entry[1] if entry else _DUMMY_HASH  # check a hash anyway: same time either way
    ok = bcrypt.checkpw((password or "").encode("utf-8"), hashed.encode("ascii"))
    if entry and ok:
        throttle.succeeded(name)
        return SignInResult(entry[0])
    throttle.failed(name)
    return SignInResult(None, "Nama pengguna atau kata sandi salah.")


_DUMMY_HASH = bcrypt.hashpw(b"tidak-ada-pengguna-ini", bcrypt.gensalt(12)).decode("ascii")
