"""Configuration, read from environment variables (documented in the README).

Every setting has a default that works on a fresh checkout, so `streamlit run dashboard.py`
needs no setup: an embedded SQLite store under `data/`, and the official boundaries from
`../shared/wilayah/` when that folder exists beside the project, else their pinned public address.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Pinned public address of the boundary files (see ../shared/wilayah/SOURCE.md).
WILAYAH_PINNED_URL = (
    "https://raw.githubusercontent.com/cahyadsn/wilayah_boundaries/"
    "3c5a7960f4d227a38489094d84252bdbb3f978a5"
)


def data_dir() -> Path:
    """Folder for runtime files (store, caches); ignored by git."""
    return Path(os.environ.get("BULUKUMBA_DATA_DIR", PROJECT_ROOT / "data"))


def cache_dir() -> Path:
    return Path(os.environ.get("BULUKUMBA_CACHE_DIR", data_dir() / "cache"))


def database_url() -> str:
    """SQLAlchemy URL of the store; default an embedded SQLite file under data/."""
    url = os.environ.get("BULUKUMBA_DB_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'bulukumba.sqlite'}"


def wilayah_source() -> str:
    """Where the boundary files come from: a folder path or a base URL.

    `BULUKUMBA_WILAYAH` wins; else `../shared/wilayah/` beside the project if it exists;
    else the pinned public address (downloaded once, verified by sha256, cached).
    """
    configured = os.environ.get("BULUKUMBA_WILAYAH")
    if configured:
        return configured
    shared = PROJECT_ROOT.parent / "shared" / "wilayah"
    if shared.is_dir():
        return str(shared)
    return WILAYAH_PINNED_URL


def timezone() -> str:
    """Time zone for showing times; Bulukumba is on WITA (UTC+8)."""
    return os.environ.get("BULUKUMBA_TZ", "Asia/Makassar")


def refresh_seconds() -> float:
    """How often open pages look for new data (seconds)."""
    return float(os.environ.get("BULUKUMBA_REFRESH_SECONDS", "5"))


def slide_seconds() -> float:
    """How long projector mode shows each slide (seconds)."""
    return float(os.environ.get("BULUKUMBA_SLIDE_SECONDS", "15"))


# --- Import limits (bulukumba/importer) ---------------------------------------------------------

def _positive_number(name: str, default: float) -> float:
    """A positive number from the environment; a missing or unreadable value gives the default
    (a typo in a setting must not take the import page down)."""
    try:
        value = float(os.environ.get(name, "") or default)
    except ValueError:
        return default
    return value if value > 0 else default


def import_max_mb() -> float:
    """Largest import file in MB (BULUKUMBA_IMPOR_MAKS_MB, default 200: Streamlit's upload limit)."""
    return _positive_number("BULUKUMBA_IMPOR_MAKS_MB", 200)


def import_max_rows() -> int:
    """Most data rows in one import file (BULUKUMBA_IMPOR_MAKS_BARIS, default 2,000,000: a
    province's 9,000 villages for 200 dates, or Bulukumba's 136 for forty years of days)."""
    return int(_positive_number("BULUKUMBA_IMPOR_MAKS_BARIS", 2_000_000))


def import_max_unzipped_mb() -> float:
    """Most MB an XLSX may expand to, by the sizes its zip declares (BULUKUMBA_IMPOR_MAKS_MB_XLSX,
    default 1,000)."""
    return _positive_number("BULUKUMBA_IMPOR_MAKS_MB_XLSX", 1000)


def import_wait_seconds() -> float:
    """How long an import waits for another import to finish writing before it says so
    (BULUKUMBA_IMPOR_TUNGGU_DETIK, default 120: a million-row import writes in about a minute)."""
    return _positive_number("BULUKUMBA_IMPOR_TUNGGU_DETIK", 120)


def import_worker_mb() -> int:
    """Most address space (MB, RLIMIT_AS) a Kelola data import worker may use
    (BULUKUMBA_IMPOR_PEKERJA_MB, default 2,000: a million-row file peaks near 300 MB resident)."""
    return int(_positive_number("BULUKUMBA_IMPOR_PEKERJA_MB", 2000))


def import_worker_cpu_seconds() -> int:
    """Most CPU seconds (RLIMIT_CPU) an import worker may use after starting
    (BULUKUMBA_IMPOR_PEKERJA_CPU_DETIK, default 300: a million rows take about 21)."""
    return int(_positive_number("BULUKUMBA_IMPOR_PEKERJA_CPU_DETIK", 300))


def import_worker_seconds() -> int:
    """Most wall-clock seconds an import worker may run (BULUKUMBA_IMPOR_PEKERJA_DETIK,
    default 600)."""
    return int(_positive_number("BULUKUMBA_IMPOR_PEKERJA_DETIK", 600))


def import_worker_heartbeat() -> float:
    """An import worker ends when Kelola data has not looked at it for this many seconds (the
    operator left the page or closed the tab; BULUKUMBA_IMPOR_PEKERJA_DENYUT_DETIK, default 15)."""
    return _positive_number("BULUKUMBA_IMPOR_PEKERJA_DENYUT_DETIK", 15)


def session_idle_hours() -> float:
    """A signed-in session with no activity for this long ends (hours; default 12)."""
    return float(os.environ.get("BULUKUMBA_SESSION_IDLE_HOURS", "12"))


def session_max_days() -> float:
    """A signed-in session ends this long after sign-in, active or not (days; default 7)."""
    return float(os.environ.get("BULUKUMBA_SESSION_MAX_DAYS", "7"))


def session_key_file() -> Path:
    """Where the key that signs session cookies is generated once per install, when
    `.streamlit/secrets.toml` has no `[sesi] kunci` (owner-only permissions)."""
    return Path(os.environ.get("BULUKUMBA_SESSION_KEY_FILE", data_dir() / "kunci-sesi"))


def trusted_proxies() -> tuple[str, ...]:
    """Addresses or networks of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto
    are believed (BULUKUMBA_TRUSTED_PROXIES, comma-separated, e.g. "127.0.0.1, ::1" for a proxy
    on the same machine; default none: every client is the address it connects from)."""
    return tuple(part.strip() for part in os.environ.get("BULUKUMBA_TRUSTED_PROXIES", "").split(",") if part.strip())


def allowed_hosts() -> tuple[str, ...]:
    """Host names (with a port if it must match too) the dashboard answers to (BULUKUMBA_HOSTS,
    comma-separated, e.g. "dasbor.bulukumbakab.go.id"; default none: any Host)."""
    return tuple(part.strip().lower() for part in os.environ.get("BULUKUMBA_HOSTS", "").split(",") if part.strip())
