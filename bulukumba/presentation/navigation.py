"""The dashboard's pages (address, title, icon, who may open them) and deep-link targets.

One table for the frame (dashboard.py builds its navigation from it), the sign-in page (which
names where a visitor will land) and the server (which knows which addresses are pages). A
target is where a visitor lands after signing in: a same-site relative path to one of these
pages with its query string (`/gertak?per=2018-03-31&kec=73.02.06`); anything else (another
site, `//host`, a backslash, a scheme, an unknown page) is refused, so the sign-in form cannot
be used to send anyone elsewhere.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

#: Who may open a page: anyone, a signed-in staff user (pimpinan or operator), an operator only,
#: or a partner account (role mitra) only. A partner opens no staff page.
PUBLIK, PIMPINAN, OPERATOR, PARTNER = "publik", "pimpinan", "operator", "mitra"


@dataclass(frozen=True)
class Page:
    path: str      # URL path without the leading slash
    file: str      # the page script, relative to the project
    title: str
    icon: str
    access: str    # PUBLIK, PIMPINAN, OPERATOR or PARTNER

    def open_to(self, role: str | None) -> bool:
        if self.access == PUBLIK:
            return True
        if self.access == PIMPINAN:
            return role in (PIMPINAN, OPERATOR)
        if self.access == PARTNER:
            return role == PARTNER
        return role == OPERATOR

    def refusal(self, role: str | None) -> str:
        """Why a signed-in user in `role` does not open this page (Indonesian)."""
        if self.access == PARTNER:
            return f"Halaman {self.title} hanya untuk akun mitra."
        if role == PARTNER:
            return f"Halaman {self.title} hanya untuk staf Disdukcapil."
        return f"Halaman {self.title} hanya untuk operator."


TRANSPARANSI = Page("publik", "pages/publik.py", "Transparansi", ":material/public:", PUBLIK)
MASUK = Page("masuk", "pages/masuk.py", "Masuk", ":material/login:", PUBLIK)
RINGKASAN = Page("ringkasan", "pages/ringkasan.py", "Ringkasan", ":material/dashboard:", PIMPINAN)
PETA = Page("peta", "pages/peta.py", "Peta", ":material/map:", PIMPINAN)
MITRA = Page("mitra", "pages/mitra.py", "Mitra", ":material/handshake:", PIMPINAN)
GERTAK = Page("gertak", "pages/gertak.py", "GERTAK 2018", ":material/flag:", PIMPINAN)
UNDUH = Page("unduh", "pages/unduh.py", "Unduh", ":material/download:", PIMPINAN)
KELOLA = Page("kelola", "pages/kelola.py", "Kelola data", ":material/upload_file:", OPERATOR)
PROYEKTOR = Page("proyektor", "pages/proyektor.py", "Mode proyektor", ":material/slideshow:", PUBLIK)
#: A partner account's own page: its figures, its reports and their status, the phone form.
LAPORAN = Page("laporan", "pages/laporan.py", "Laporan mitra", ":material/assignment:", PARTNER)

#: The department head's pages, in the order of the navigation.
INTERNAL = (RINGKASAN, PETA, MITRA, GERTAK, UNDUH, KELOLA)
#: A partner account's pages.
PARTNER_PAGES = (LAPORAN,)
PAGES = (TRANSPARANSI, MASUK, *INTERNAL, PROYEKTOR, *PARTNER_PAGES)
BY_PATH = {page.path: page for page in PAGES}

#: The shared filters a link carries (web.sidebar_filters keeps them in the URL).
FILTER_KEYS = ("per", "kec", "layanan")
#: Query parameters the sign-in flow itself uses; never part of a target.
CONTROL_KEYS = ("ke", "gagal", "tunggu", "sesi")
#: Where a signed-in user lands when no target was given: his dashboard ("/" is Ringkasan).
HOME = "/"
MAX_TARGET_LENGTH = 2000


def page_for(path: str) -> Page | None:
    """The page an app-relative URL path names ("" or "/" is None: the audience's home page)."""
    return BY_PATH.get(path.strip("/"))


def target_for(path: str, params: Mapping[str, str]) -> str:
    """The target for a page at `path` with the query parameters of the address."""
    query = urlencode([(k, v) for k, v in params.items() if k not in CONTROL_KEYS and isinstance(v, str)])
    return f"/{path.strip('/')}" + (f"?{query}" if query else "")


def safe_target(text: str | None) -> str | None:
    """`text` as a target if it is a same-site relative path to a known page, else None.

    The result is rebuilt from its parts (path of a known page, re-encoded query), never passed
    through, so what the browser is sent to is exactly what was checked.
    """
    if not text or not isinstance(text, str) or len(text) > MAX_TARGET_LENGTH:
        return None
    if "\\" in text or any(ord(c) < 32 or ord(c) == 127 for c in text):
        return None  # browsers read "/\evil" as "//evil" and drop tabs and newlines
    if not text.startswith("/") or text.startswith("//"):
        return None
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path.strip("/")
    if path and path not in BY_PATH:
        return None
    params = dict(parse_qsl(parts.query, keep_blank_values=False))
    return target_for(path, params)


def describe(target: str, kecamatan_names: Mapping[str, str], services: Mapping[str, str],
             date_text=None) -> str:
    """'GERTAK 2018 · Kajang · 31 Maret 2018': the page, area, service and date of a target.

    `date_text` formats a date (fmt.date); the filters a link does not carry are left out
    (the page then opens on the whole regency and the newest date)."""
    parts = urlsplit(target)
    page = page_for(parts.path) or RINGKASAN
    params = dict(parse_qsl(parts.query))
    words = [page.title]
    if params.get("kec") in kecamatan_names:
        words.append(kecamatan_names[params["kec"]])
    if params.get("layanan") in services:
        words.append(services[params["layanan"]])
    try:
        day = dt.date.fromisoformat(params.get("per", ""))
    except ValueError:
        day = None
    if day is not None and date_text is not None:
        words.append(date_text(day))
    return " · ".join(words)
