"""Where and how residents get recorded: the office's details and the pick-up services.

They live in `.streamlit/kantor.toml` (or the file `BULUKUMBA_KANTOR` names), so the office
changes an address, its hours or a WhatsApp number without touching code. The public page's
"Cara merekam e-KTP" box and every village card read them from here.

    [kantor]
    nama = "Kantor Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bulukumba"
    alamat = "Jl. …, Ujung Bulu"
    jam_buka = ["Senin–Kamis 08.00–15.00 WITA", "Jumat 08.00–11.00 WITA"]
    telepon = "0413 …"          # "" = not shown
    whatsapp = "0812 …"
    biaya = "Gratis. Bawa Kartu Keluarga (KK)."

    [[layanan]]                  # one per pick-up or outreach service
    judul = "Jemput bola ke rumah"
    untuk = "Penyandang disabilitas, lanjut usia, …"
    cara = "Petugas … bersama PPDI Bulukumba datang ke rumah. …"

A wrong file raises ContactError with a message in Indonesian that names the field.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bulukumba import config
from bulukumba.language import texts

ENV = "BULUKUMBA_KANTOR"
DEFAULT_PATH = config.PROJECT_ROOT / ".streamlit" / "kantor.toml"
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-.]{5,}$")


class ContactError(ValueError):
    """The office file cannot be used; the message names the file, the field and the problem."""


@dataclass(frozen=True)
class Service:
    judul: str      # "Jemput bola ke rumah"
    untuk: str      # who it is for
    cara: str       # how to get it


@dataclass(frozen=True)
class Office:
    nama: str
    alamat: str = ""
    jam_buka: tuple[str, ...] = ()
    telepon: str = ""
    whatsapp: str = ""
    biaya: str = ""
    layanan: tuple[Service, ...] = ()

    @property
    def telepon_uri(self) -> str | None:
        """'tel:+62413…' for a tap-to-call link, or None."""
        return f"tel:{_international(self.telepon, plus=True)}" if self.telepon else None

    @property
    def whatsapp_uri(self) -> str | None:
        """'https://wa.me/62812…' (opens WhatsApp on a phone), or None."""
        return f"https://wa.me/{_international(self.whatsapp, plus=False)}" if self.whatsapp else None


def missing(office: Office) -> list[str]:
    """The fields of the office file a resident would look for and does not find (telepon,
    whatsapp, jam_buka), in that order: staff are told to fill them in."""
    return [name for name in ("telepon", "whatsapp", "jam_buka") if not getattr(office, name)]


def staff_notice(office: Office) -> str | None:
    """What staff are told while the office file lacks what residents look for (on the public
    page and on Kelola data), or None."""
    absent = missing(office)
    return texts.KANTOR_BELUM_DIISI.format(kolom=", ".join(absent), berkas=path()) if absent else None


def _international(number: str, plus: bool) -> str:
    """'0812-3456 789' -> '+628123456789' (or without '+'): Indonesian numbers, country code 62."""
    digits = re.sub(r"\D", "", number)
    if number.strip().startswith("+"):
        pass
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    return ("+" if plus else "") + digits


def path() -> Path:
    """The office file in use: `BULUKUMBA_KANTOR`, else `.streamlit/kantor.toml`."""
    configured = os.environ.get(ENV)
    return Path(configured) if configured else DEFAULT_PATH


def _text(table: dict, key: str, where: str, required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ContactError(f"{where}: '{key}' harus berupa teks dalam tanda kutip, bukan {value!r}.")
    value = value.strip()
    if required and not value:
        raise ContactError(f"{where}: '{key}' wajib diisi.")
    return value


def parse(text: str, source: str = "kantor.toml") -> Office:
    """The office from the text of a kantor.toml; ContactError names what is wrong."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ContactError(f"{source} tidak dapat dibaca sebagai TOML: {error}.") from None
    office = doc.get("kantor")
    if not isinstance(office, dict):
        raise ContactError(f"{source}: bagian [kantor] tidak ada.")
    where = f"{source}, bagian [kantor]"
    hours = office.get("jam_buka", [])
    if isinstance(hours, str):
        hours = [hours]
    if not isinstance(hours, list) or not all(isinstance(h, str) for h in hours):
        raise ContactError(f"{where}: 'jam_buka' harus berupa daftar teks, misalnya "
                           "[\"Senin–Kamis 08.00–15.00 WITA\"].")
    numbers = {}
    for key in ("telepon", "whatsapp"):
        number = _text(office, key, where)
        if number and not _PHONE.match(number):
            raise ContactError(f"{where}: '{key}' = {number!r} bukan nomor telepon (hanya angka, spasi, "
                               "tanda hubung, kurung, dan '+' di depan).")
        numbers[key] = number
    services = doc.get("layanan", [])
    if not isinstance(services, list):
        raise ContactError(f"{source}: 'layanan' harus ditulis sebagai [[layanan]], satu bagian per layanan.")
    parsed = []
    for i, item in enumerate(services, start=1):
        place = f"{source}, [[layanan]] ke-{i}"
        if not isinstance(item, dict):
            raise ContactError(f"{place}: harus berupa bagian dengan judul, untuk, dan cara.")
        parsed.append(Service(_text(item, "judul", place, required=True), _text(item, "untuk", place),
                              _text(item, "cara", place, required=True)))
    return Office(nama=_text(office, "nama", where, required=True), alamat=_text(office, "alamat", where),
                  jam_buka=tuple(h.strip() for h in hours if h.strip()), telepon=numbers["telepon"],
                  whatsapp=numbers["whatsapp"], biaya=_text(office, "biaya", where), layanan=tuple(parsed))


_cache: dict[tuple[str, float], Office] = {}


def load(file: Path | None = None) -> Office:
    """The office from `file` (default: `path()`), read again only when the file changes.

    A missing file gives the office's name only (the page then shows no address); a wrong file
    raises ContactError."""
    file = Path(file) if file is not None else path()
    try:
        stamp = file.stat().st_mtime
    except FileNotFoundError:
        from bulukumba.language import texts

        return Office(nama=texts.OFFICE)
    key = (str(file), stamp)
    if key not in _cache:
        _cache.clear()
        _cache[key] = parse(file.read_text(encoding="utf-8"), file.name)
    return _cache[key]
