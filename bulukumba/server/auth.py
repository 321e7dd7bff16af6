"""Sign-in: users and password hashes from Streamlit secrets, bcrypt, and slowing down guessing.

Users live in `.streamlit/secrets.toml` (never in the repository), one table each:

    [pengguna.kadis]
    nama = "Kepala Dinas"
    peran = "pimpinan"          # pimpinan: internal pages; operator: also imports data
    hash_sandi = "$2b$12$..."   # from `python -m bulukumba sandi`

    [pengguna.ppdi]
    peran = "mitra"             # a partner: its own figures and reports only
    mitra = "PPDI"              # the partner's code or name as the store knows it

There is no default password: with no users configured the app serves the public page only.
"""
from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping

import bcrypt

ROLES = ("pimpinan", "operator", "mitra")
#: Failures allowed for a user name from one client address (or from one browser it signed in
#: on before) before each further attempt must wait, and the longest wait (seconds).
FREE_FAILURES = 3
MAX_WAIT_SECONDS = 300
#: Failures allowed from one client address, over all user names, before it must wait too.
FREE_ADDRESS_FAILURES = 10
#: Wrong passwords for one user name from browsers it never signed in on, over all addresses,
#: within FORGET_SECONDS, before such attempts wait (guessing from many addresses at once).
MAX_UNTRUSTED_FAILURES = 30
#: A user name or address with no failure for this long starts afresh.
FORGET_SECONDS = 15 * 60
#: bcrypt reads at most this many bytes of a password; a longer one is never anyone's.
MAX_PASSWORD_BYTES = 72
#: User names longer than this are nobody's (and are not kept as they were typed).
MAX_NAME_LENGTH = 80
#: Keys kept at most before quiet ones are forgotten (a spray of made-up names costs no memory).
MAX_KEYS = 10_000


@dataclass(frozen=True)
class User:
    username: str
    nama: str
    peran: str
    mitra: str | None = None   # role mitra: the partner as written in secrets.toml (code or name)

    @property
    def can_import(self) -> bool:
        return self.peran == "operator"

    @property
    def can_upload(self) -> bool:
        """Operators upload imports; a partner uploads its own spreadsheet as a report."""
        return self.peran in ("operator", "mitra")


class ConfigError(ValueError):
    """A user entry in secrets.toml is malformed (message in Indonesian)."""


def hash_password(password: str, rounds: int = 12) -> str:
    if len(password) < 10:
        raise ValueError("Kata sandi minimal 10 karakter.")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ValueError(TOO_LONG)
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
        partner = str(entry.get("mitra") or "").strip() or None
        if role == "mitra" and partner is None:
            raise ConfigError(f"Pengguna '{username}': peran mitra perlu `mitra = \"…\"` (kode atau nama "
                              "mitra, mis. \"PPDI\").")
        users[str(username).lower()] = (User(str(username).lower(), entry.get("nama", username), role,
                                             partner if role == "mitra" else None), str(hashed))
    return users


class _Limit:
    """What the limits share: a lock, a clock, and the attempts being checked now (which count as
    failures until their outcome is known, so guesses sent at once cannot race past a limit)."""

    def __init__(self, clock: Callable[[], float]):
        self._clock = clock
        self._lock = threading.Lock()
        self._checking: dict[str, int] = {}   # key -> attempts being checked now

    def _release(self, key: str) -> None:
        """One reserved check of `key` ended (call under the lock)."""
        left = self._checking.get(key, 1) - 1
        if left > 0:
            self._checking[key] = left
        else:
            self._checking.pop(key, None)


class Throttle(_Limit):
    """Slows down guessing for one kind of key (a user name, or a client address).

    After `free` wrong passwords for a key, each further attempt must wait 2, 4, 8 … seconds (at
    most MAX_WAIT_SECONDS) since the last failure. The check and the reservation are one step
    under a lock, and an attempt still being checked counts as a failure until it is known: so
    30 guesses sent at once get `free` password checks, not 30. A key quiet for FORGET_SECONDS
    starts afresh (so an office behind one address is not punished for last week's typos).

    Kept per server process, so opening a new browser session does not reset it.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, free: int = FREE_FAILURES):
        super().__init__(clock)
        self._free = free
        self._failures: dict[str, tuple[int, float]] = {}   # key -> (failures, time of the last)

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
            self._release(key)
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


class Window(_Limit):
    """At most `limit` failures per key within FORGET_SECONDS; past that, attempts wait until the
    oldest failure leaves the window. Same interface as Throttle (`reserve`, `done`), and like it
    an attempt being checked counts until its outcome is known."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, limit: int = MAX_UNTRUSTED_FAILURES):
        super().__init__(clock)
        self._limit = limit
        self._failures: dict[str, collections.deque[float]] = {}

    def _recent(self, key: str) -> collections.deque[float]:
        times = self._failures.get(key, collections.deque())
        while times and self._clock() - times[0] > FORGET_SECONDS:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def reserve(self, key: str) -> float:
        key = key.lower()
        with self._lock:
            times, checking = self._recent(key), self._checking.get(key, 0)
            if len(times) + checking < self._limit:
                self._checking[key] = checking + 1
                return 0.0
            if len(times) < self._limit:  # full only with attempts being checked now
                return 1.0
            return max(1.0, times[len(times) - self._limit] + FORGET_SECONDS - self._clock())

    def done(self, key: str, ok: bool | None) -> None:
        key = key.lower()
        with self._lock:
            self._release(key)
            if ok is False:
                self._failures.setdefault(key, collections.deque()).append(self._clock())
                if len(self._failures) > MAX_KEYS:
                    for quiet in [k for k in self._failures if not self._recent(k)]:
                        self._failures.pop(quiet, None)


class Guard:
    """The limits a sign-in attempt must pass.

    From a browser the user signed in on before (a device cookie, as OWASP recommends: the
    routes check it and pass its `device` id): only that browser's own failures for the user.
    Guesses from anywhere else never make it wait, so the owner of the account gets in while
    someone else keeps guessing.

    From any other browser: the failures for the user name from that client address (guessing
    one password), the failures from that address over all user names (spraying one password
    across names), and the failures for the user name from all such browsers together within
    FORGET_SECONDS (guessing from many addresses). One address guessing on and on is held back
    by its own count alone: a wrong guess every half second waits 2, 4 … 300 seconds and comes
    to about a dozen failures a quarter hour, far below the window's limit, so the owner signing
    in from another address is not made to wait.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.user_at_address = Throttle(clock, FREE_FAILURES)
        self.addresses = Throttle(clock, FREE_ADDRESS_FAILURES)
        self.users = Window(clock, MAX_UNTRUSTED_FAILURES)
        self.devices = Throttle(clock, FREE_FAILURES)

    def limits(self, name: str, address: str | None, device: str | None) -> list[tuple[Throttle | Window, str]]:
        """(limit, key) for each limit an attempt must pass."""
        if device:
            return [(self.devices, f"{name}@{device}")]
        address = address or "-"
        return [(self.user_at_address, f"{name}@{address}"), (self.addresses, address), (self.users, name)]

    def cleared_by_success(self, limit) -> bool:
        """A right password clears the user's own counts (from that address, or that browser);
        the address and the user name's window keep theirs until they go quiet, so one valid
        account cannot reset the limit on spraying others, and a success does not give someone
        guessing elsewhere a fresh start."""
        return limit is self.user_at_address or limit is self.devices


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    pesan: str | None = None     # why not, in Indonesian
    tunggu: int | None = None    # seconds to wait, when refused without checking the password
    gagal: str | None = None     # why not, as the code the sign-in page reads (failure_message)


WRONG = "Nama pengguna atau kata sandi salah."
TOO_LONG = (f"Kata sandi terlalu panjang: paling banyak {MAX_PASSWORD_BYTES} byte (huruf beraksen "
            "dihitung dua byte atau lebih).")


def wait_message(seconds: int) -> str:
    return f"Terlalu banyak percobaan gagal. Coba lagi dalam {seconds} detik."


def failure_message(code: str | None, seconds: str | None = None) -> str | None:
    """What the sign-in page says after the sign-in route sent the browser back with `code`."""
    if code == "tunggu":
        return wait_message(int(seconds) if (seconds or "").isdigit() else MAX_WAIT_SECONDS)
    return {
        "salah": WRONG,
        "panjang": TOO_LONG,
        "akun": "Belum ada akun yang dapat dipakai untuk masuk (lihat pengaturan akun).",
        "kunci": "Kunci sesi di .streamlit/secrets.toml tidak sah: [sesi] kunci harus teks acak "
                 "minimal 32 karakter.",
    }.get(code or "")


def sign_in(users: dict[str, tuple[User, str]], username: str, password: str,
            guard: Guard | Throttle, address: str | None = None, device: str | None = None) -> SignInResult:
    """Check a user name and password. The same message for an unknown user and a wrong
    password, so the form does not tell which user names exist.

    `guard` is a Guard or, for a caller with no address, a Throttle for user names only.
    `device` identifies a browser that signed in as this user before (its device cookie)."""
    name = (username or "").strip().lower()[:MAX_NAME_LENGTH + 1]
    password = password or ""
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:  # nobody's: bcrypt refuses to read it
        return SignInResult(None, TOO_LONG, gagal="panjang")
    limits = guard.limits(name, address, device) if isinstance(guard, Guard) else [(guard, name)]
    granted = []
    for limit, key in limits:
        wait = limit.reserve(key)
        if wait > 0:
            for other, other_key in granted:
                other.done(other_key, None)
            seconds = int(wait) + 1
            return SignInResult(None, wait_message(seconds), seconds, gagal="tunggu")
        granted.append((limit, key))
    ok = False
    try:
        entry = users.get(name) if len(name) <= MAX_NAME_LENGTH else None
        hashed = entry[1] if entry else _DUMMY_HASH  # check a hash anyway: same time either way
        ok = bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii")) and entry is not None
    finally:
        for limit, key in granted:
            keeps = ok and isinstance(guard, Guard) and not guard.cleared_by_success(limit)
            limit.done(key, None if keeps else ok)
    if ok:
        return SignInResult(entry[0])
    return SignInResult(None, WRONG, gagal="salah")


_DUMMY_HASH = bcrypt.hashpw(b"tidak-ada-pengguna-ini", bcrypt.gensalt(12)).decode("ascii")
