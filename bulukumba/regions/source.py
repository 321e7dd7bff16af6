"""Loading the boundary files: locate them in a folder or download them from the pinned address,
check their sha256, then memo -> disk cache -> parse (boundaries.py)."""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import shapely

from bulukumba import config
from bulukumba.regions.boundaries import _build_regions, _clean_coverage
from bulukumba.regions.model import (
    _CLEAN_COVERAGE_MEMO, _LOCK, _REGIONS_MEMO, DEFAULT_KABUPATEN, DERIVATION_VERSION, EXPECTED_SHA256,
    KECAMATAN_FILE, PINNED_SOURCES, UPSTREAM_PATH, VILLAGE_FILE, BoundarySource, Regions, RegionsError,
)

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Loading: locate or download the two files, verify them, then memo -> disk cache -> parse.
# ---------------------------------------------------------------------------------------------

def configured_kabupaten() -> str:
    """The regency whose boundaries the dashboard reads (BULUKUMBA_KABUPATEN, default 73.02)."""
    return os.environ.get("BULUKUMBA_KABUPATEN", "").strip() or DEFAULT_KABUPATEN


def pinned_source(kabupaten: str) -> BoundarySource:
    """The pinned files of `kabupaten`, or a RegionsError that says how to add them."""
    found = PINNED_SOURCES.get(kabupaten)
    if found is not None:
        return found
    province = kabupaten.split(".")[0]
    known = ", ".join(f"{k} ({s.kabupaten_nama})" for k, s in sorted(PINNED_SOURCES.items()))
    raise RegionsError(
        f"Batas wilayah kabupaten/kota {kabupaten} belum tersedia di dasbor ini; yang tersedia: {known}. "
        f"Untuk menambahkannya: ambil db/kel/{province}/wilayah_boundaries_kel_{kabupaten}.sql dan "
        f"db/kec/wilayah_boundaries_kec_{province}.sql dari sumber yang sama "
        f"({config.WILAYAH_PINNED_URL}), catat sha256 keduanya di regions.EXPECTED_SHA256 dan "
        f"UPSTREAM_PATH, tambahkan kabupatennya (kode, nama) ke regions.PINNED_SOURCES, lalu setel "
        f"BULUKUMBA_KABUPATEN={kabupaten}. Sampai itu, angka tetap tampil bila desa dan kecamatannya "
        f"sudah ada di basis data; hanya peta yang tidak."
    )


def load_regions(source: str | os.PathLike | None = None, kabupaten: str | None = None) -> Regions:
    """A regency's regions (default `configured_kabupaten()`), from `source` (a folder or an
    http(s) base URL; default config.wilayah_source()).

    Every call reads and verifies both files (about 1 ms for 1 MB); parsing happens once per
    process at most, and once per source version and DERIVATION_VERSION on disk.
    """
    pinned = pinned_source(kabupaten or configured_kabupaten())
    source = _normalise_source(config.wilayah_source() if source is None else source)
    contents = _verified_contents(source, (pinned.village_file, pinned.kecamatan_file))
    source_key = _source_key(contents)
    memo_key = (source, source_key)
    with _LOCK:
        regions = _REGIONS_MEMO.get(memo_key)
        if regions is None:
            regions = _regions_from_disk_or_build(contents, source_key, pinned)
            _REGIONS_MEMO[memo_key] = regions
    return regions


def _normalise_source(source: str | os.PathLike) -> str:
    text = os.fspath(source).strip()
    if _is_url(text):
        return text.rstrip("/")
    return str(Path(text).expanduser().resolve())


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _verified_contents(source: str, files: tuple[str, str] = (VILLAGE_FILE, KECAMATAN_FILE)) -> dict[str, bytes]:
    """Both files' bytes, each checked against its expected sha256."""
    village_file, kecamatan_file = files
    if _is_url(source):
        return {name: _downloaded_file(source, name) for name in files}
    folder = Path(source)
    if not folder.is_dir():
        raise RegionsError(
            f"Folder data batas wilayah tidak ditemukan: {folder}. Setel variabel lingkungan "
            f"BULUKUMBA_WILAYAH ke folder yang berisi {village_file} dan {kecamatan_file} "
            f"(lihat ../shared/wilayah/SOURCE.md), atau ke alamat unduhan resmi "
            f"{config.WILAYAH_PINNED_URL}."
        )
    return {name: _local_file(folder, name) for name in files}


def _local_file(folder: Path, name: str) -> bytes:
    """A file kept flat in the folder (as ../shared/wilayah does) or under its upstream path."""
    candidates = [folder / name, folder / UPSTREAM_PATH[name]]
    for path in candidates:
        if path.is_file():
            data = path.read_bytes()
            _check_sha256(name, data, where=str(path))
            return data
    raise RegionsError(
        f"Berkas batas wilayah {name} tidak ditemukan di {folder} (dicari: "
        f"{' dan '.join(str(p) for p in candidates)}). Salin berkas itu ke folder tersebut, atau "
        f"setel BULUKUMBA_WILAYAH ke folder yang berisi {VILLAGE_FILE} dan {KECAMATAN_FILE}."
    )


def _downloaded_file(base_url: str, name: str) -> bytes:
    """The file from cache_dir()/wilayah/ if a verified copy is there, else downloaded and verified
    before it is kept (a wrong download never reaches the disk)."""
    kept = config.cache_dir() / "wilayah" / name
    if kept.is_file():
        data = kept.read_bytes()
        if _sha256(data) == EXPECTED_SHA256[name]:
            return data
        log.warning("Salinan %s di cache tidak cocok dengan sha256 resminya; diunduh ulang.", kept)
    url = f"{base_url}/{UPSTREAM_PATH[name]}"
    data = _fetch_url(url, name)
    _check_sha256(name, data, where=url)
    _write_atomically(kept, data)
    return data


def _fetch_url(url: str, name: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise RegionsError(
            f"Tidak dapat mengunduh {name} dari {url}: {reason}. Periksa koneksi internet, atau "
            f"setel BULUKUMBA_WILAYAH ke folder lokal yang berisi {VILLAGE_FILE} dan "
            f"{KECAMATAN_FILE} (salinannya ada di ../shared/wilayah/)."
        ) from error


def _check_sha256(name: str, data: bytes, where: str) -> None:
    expected, actual = EXPECTED_SHA256[name], _sha256(data)
    if actual != expected:
        raise RegionsError(
            f"Berkas {name} ({where}) tidak sama dengan data resmi: sha256 seharusnya {expected}, "
            f"ternyata {actual}. Berkas itu mungkin telah diubah atau rusak: ambil ulang salinan "
            f"aslinya ({config.WILAYAH_PINNED_URL}/{UPSTREAM_PATH[name]}), atau setel "
            f"BULUKUMBA_WILAYAH ke folder yang berisi salinan asli."
        )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_key(contents: dict[str, bytes]) -> str:
    """One hash for the pair of files: it changes when either file changes. The contents have just
    been verified, so their digests are the expected ones (no need to hash 1 MB again)."""
    digests = ",".join(f"{name}={EXPECTED_SHA256[name]}" for name in sorted(contents))
    return _sha256(digests.encode())


def _cache_key(source_key: str) -> str:
    """Disk-cache key: the source, this code's DERIVATION_VERSION and the libraries whose output
    or pickles it depends on (a library upgrade rebuilds rather than risks a stale or broken cache)."""
    runtime = (
        f"py{sys.version_info[0]}.{sys.version_info[1]} shapely{shapely.__version__} "
        f"geos{shapely.geos_version_string} geopandas{geopandas.__version__} "
        f"pandas{pd.__version__} numpy{np.__version__}"
    )
    return _sha256(f"{source_key}|{DERIVATION_VERSION}|{runtime}".encode())[:24]


def _derived_dir() -> Path:
    return config.cache_dir() / "wilayah" / "derived"


def _regions_from_disk_or_build(contents: dict[str, bytes], source_key: str, pinned: BoundarySource) -> Regions:
    path = _derived_dir() / f"regions-{_cache_key(source_key)}.pickle"
    cached = _read_pickle(path)
    if cached is not None and cached["regions"].source_key == source_key:
        regions = cached["regions"]
    else:
        regions = _build_regions(contents, source_key, pinned)
        cached = {"regions": regions, "clean_coverage": _clean_coverage(regions)}
        _write_atomically(path, pickle.dumps(cached, protocol=pickle.HIGHEST_PROTOCOL))
    _CLEAN_COVERAGE_MEMO[source_key] = cached["clean_coverage"]
    return regions


def _read_pickle(path: Path):
    """Our own cache file, or None when it is missing or unreadable (then it is rebuilt)."""
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except Exception as error:  # a truncated or incompatible cache is only a cache miss
        log.warning("Cache %s tidak terbaca (%s); dibangun ulang.", path, error)
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so a reader never sees half a file. A cache that
    cannot be written (read-only disk) only costs speed, so that is logged, not raised."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
            tmp.write(data)
        os.chmod(tmp.name, 0o644)  # NamedTemporaryFile makes 0600; the cache may be shared
        os.replace(tmp.name, path)
    except OSError as error:
        log.warning("Tidak dapat menulis cache %s: %s", path, error)
