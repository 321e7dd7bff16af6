"""Find my village: a typed name to the villages it most likely means.

People type a village the way they say it: with or without "Desa"/"Kelurahan", in any case,
with or without the space in "Bonto Bahari", and with a typo or two ("tanah towo"). A name is
compared as letters only; a query that is a whole name, the start of one or a word of one wins
outright, otherwise the closest spellings (difflib's ratio) within a tolerance are offered.
Region names come from the boundary data (the store), so nothing is listed here by hand.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

#: Words people put before a name that are not part of it.
PREFIXES = ("desa", "kelurahan", "kel", "ds", "dusun", "kecamatan", "kec")
#: Letters of a query that are looked at: no name is longer, and difflib is quadratic.
MAX_QUERY = 100
#: How close a spelling must be to count as a typo of a name (difflib ratio, 0..1).
TOLERANCE = 0.72
MAX_RESULTS = 5
#: The score of a village found because the query named its kecamatan.
KECAMATAN_SCORE = 0.5


@dataclass(frozen=True)
class Match:
    kode: str
    nama: str
    kecamatan_nama: str
    skor: float          # 1 = the same name; lower = further away


def _letters(text: str) -> str:
    """Lower case ASCII letters and digits, accents dropped: 'Bonto-Bahari' -> 'bontobahari'."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def normalise(query: str) -> str:
    """The name inside a query: 'Desa Tanah Towa' -> 'tanahtowa'; 'Kel. Caile' -> 'caile'."""
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", str(query)).encode("ascii", "ignore")
                       .decode().lower())
    while len(words) > 1 and words[0] in PREFIXES:
        words = words[1:]
    return "".join(words)


def _words(name: str) -> list[str]:
    return [_letters(w) for w in re.split(r"[\s\-/]+", str(name)) if _letters(w)]


def _close(matcher: difflib.SequenceMatcher, text: str, floor: float) -> float:
    """difflib's ratio of `text` against the matcher's query, or 0 when it cannot reach `floor`
    (the cheap upper bounds skip most names)."""
    matcher.set_seq1(text)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return 0.0
    return matcher.ratio()


def _score(query: str, whole: str, words: list[str], matcher: difflib.SequenceMatcher) -> float:
    """How well `query` (normalised) fits a village name (as letters, and word by word)."""
    if query == whole:
        return 1.0
    if whole.startswith(query) and len(query) >= 3:
        return 0.95
    if len(query) >= 4 and any(w.startswith(query) for w in words):
        return 0.9
    if len(query) >= 5 and query in whole:
        return 0.85
    ratio = _close(matcher, whole, TOLERANCE)
    # A typo in one word of a longer name ("towo" for "Tanah Towa").
    if len(query) >= 4 and len(words) > 1:
        ratio = max(ratio, 0.9 * max(_close(matcher, w, TOLERANCE / 0.9) for w in words))
    return ratio


_index: list = []  # [(frame, rows)]: the last frame searched, its names prepared once


def _rows(villages: pd.DataFrame) -> list[tuple[str, str, str, str, list[str], str]]:
    if _index and _index[0][0] is villages:
        return _index[0][1]
    rows = [(str(k), str(n), str(c), _letters(n), _words(n), _letters(c))
            for k, n, c in zip(villages["kode"], villages["nama"], villages["kecamatan_nama"])]
    _index[:] = [(villages, rows)]
    return rows


def find(villages: pd.DataFrame, query: str, limit: int = MAX_RESULTS) -> list[Match]:
    """Villages whose name fits `query`, best first (an empty list if none is close).

    `villages` has kode, nama and kecamatan_nama (e.g. disclosure.PublicView.desa). A query that
    also names the kecamatan ("Lembanna Kajang") puts the village in that kecamatan first; a
    query that is only a kecamatan's name ("Bonto Bahari") lists that kecamatan's villages
    (score KECAMATAN_SCORE)."""
    wanted = normalise(str(query)[:MAX_QUERY])
    if len(wanted) < 2:
        return []
    rows = _rows(villages)
    kecamatan = {row[5] for row in rows}
    in_kecamatan = next((k for k in kecamatan if len(k) >= 4 and wanted.endswith(k) and wanted != k), None)
    name_part = wanted[: -len(in_kecamatan)] if in_kecamatan else wanted
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(name_part)
    found = []
    for kode, nama, kec, whole, words, kec_letters in rows:
        score = _score(name_part, whole, words, matcher)
        named_kecamatan = bool(in_kecamatan) and kec_letters == in_kecamatan
        if score >= TOLERANCE or (named_kecamatan and score >= TOLERANCE - 0.05):
            found.append((not named_kecamatan, -score, nama, kec, Match(kode, nama, kec, round(score, 3))))
    found.sort(key=lambda row: row[:4] if in_kecamatan else row[1:4])
    if wanted in kecamatan and not any(row[1] == -1.0 for row in found):
        # A kecamatan's name and no village of that name: every village of that kecamatan.
        return sorted((Match(kode, nama, kec, KECAMATAN_SCORE) for kode, nama, kec, _w, _ws, k in rows
                       if k == wanted), key=lambda m: m.nama)
    return [row[-1] for row in found[:limit]]
