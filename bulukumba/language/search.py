"""Find my village: a typed name to the villages it most likely means.

People type a village the way they say it: with or without "Desa"/"Kelurahan", in any case,
with or without the space in "Bonto Bahari", and with a typo or two ("tanah towo"). A query is
read by the one normaliser and matcher (`names`): a query that is a whole name, the start of one
or a word of one wins outright, otherwise the closest spellings within a tolerance are offered.
Region names come from the boundary data (the store), so nothing is listed here by hand.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bulukumba.language import names

#: Letters of a query that are looked at: no name is longer.
MAX_QUERY = names.MAX_NAME
#: How close a spelling must be to count as a typo of a name (`names.similarity`, 0..1).
TOLERANCE = 0.72
MAX_RESULTS = 5
#: The score of a village found because the query named its kecamatan.
KECAMATAN_SCORE = 0.5
#: A village in the kecamatan the query also names may be this much further away.
KECAMATAN_LENIENCY = 0.05


@dataclass(frozen=True)
class Match:
    kode: str
    nama: str
    kecamatan_nama: str
    skor: float          # 1 = the same name; lower = further away


def normalise(query: str) -> str:
    """The name inside a query: 'Desa Tanah Towa' -> 'tanahtowa'; 'Kel. Caile' -> 'caile'."""
    return names.bare(str(query)[:MAX_QUERY], names.PLACE_PREFIXES)


_index: list = []  # [(frame, rows)]: the last frame searched, its names prepared once


def _rows(villages: pd.DataFrame) -> list[tuple[str, str, str, str, list[str], str]]:
    if _index and _index[0][0] is villages:
        return _index[0][1]
    rows = [(str(k), str(n), str(c), names.fold(n), names.words(n), names.fold(c))
            for k, n, c in zip(villages["kode"], villages["nama"], villages["kecamatan_nama"])]
    _index[:] = [(villages, rows)]
    return rows


def find(villages: pd.DataFrame, query: str, limit: int = MAX_RESULTS) -> list[Match]:
    """Villages whose name fits `query`, best first (an empty list if none is close).

    `villages` has kode, nama and kecamatan_nama (e.g. disclosure.PublicView.desa). A query that
    also names the kecamatan ("Lembanna Kajang") puts the village in that kecamatan first; a
    query that is only a kecamatan's name ("Bonto Bahari") lists that kecamatan's villages
    (score KECAMATAN_SCORE)."""
    wanted = normalise(query)
    if len(wanted) < 2:
        return []
    rows = _rows(villages)
    kecamatan = {row[5] for row in rows}
    in_kecamatan = next((k for k in kecamatan if len(k) >= 4 and wanted.endswith(k) and wanted != k), None)
    name_part = wanted[: -len(in_kecamatan)] if in_kecamatan else wanted
    found = []
    for kode, nama, kec, whole, words, kec_letters in rows:
        score = names.fit(name_part, whole, words, TOLERANCE - KECAMATAN_LENIENCY)
        named_kecamatan = bool(in_kecamatan) and kec_letters == in_kecamatan
        if score >= TOLERANCE or (named_kecamatan and score >= TOLERANCE - KECAMATAN_LENIENCY):
            found.append((not named_kecamatan, -score, nama, kec, Match(kode, nama, kec, round(score, 3))))
    found.sort(key=lambda row: row[:4] if in_kecamatan else row[1:4])
    if wanted in kecamatan and not any(row[1] == -1.0 for row in found):
        # A kecamatan's name and no village of that name: every village of that kecamatan.
        return sorted((Match(kode, nama, kec, KECAMATAN_SCORE) for kode, nama, kec, _w, _ws, k in rows
                       if k == wanted), key=lambda m: m.nama)
    return [row[-1] for row in found[:limit]]
