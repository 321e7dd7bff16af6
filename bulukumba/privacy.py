"""Small-count suppression for everything the public sees.

Rules (UU 24/2013, UU 27/2022; DOMAIN.md):
- A count from 1 to 4 that concerns vulnerable residents (disability, elderly), or a village's
  unrecorded residents, is shown as "<5": in tables, hovers, charts and downloads alike.
- No cell can be worked back from a total: where a row's unrecorded count is hidden, so is its
  recorded count (wajib KTP − recorded would give it back), and its coverage is shown only as a
  band; within each group (a kecamatan's villages, a column of partners) a single hidden cell is
  never left alone — the next smallest is hidden too (complementary suppression), so the group
  total cannot give it back.
Zero is shown as 0: it points at nobody.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import fmt

THRESHOLD = 5
HIDDEN = "<5"


def hidden_mask(counts: pd.Series, groups: pd.Series | None = None) -> pd.Series:
    """Which cells to hide: 1..4, plus the smallest other cell of any group with just one."""
    counts = counts.astype("float64")
    hide = (counts > 0) & (counts < THRESHOLD)
    keys = groups if groups is not None else pd.Series(0, index=counts.index)
    for _, index in counts.groupby(keys).groups.items():
        members = counts.loc[index]
        if hide.loc[index].sum() == 1 and len(members) > 1:
            candidates = members[~hide.loc[index] & (members > 0)]
            if candidates.empty:
                candidates = members[~hide.loc[index]]
            hide.loc[candidates.idxmin()] = True
    return hide


def shown_counts(counts: pd.Series, hide: pd.Series) -> pd.Series:
    """Counts as the public sees them: whole numbers, or "<5" where hidden (object dtype)."""
    return pd.Series([HIDDEN if h else (None if pd.isna(c) else int(c)) for c, h in zip(counts, hide)],
                     index=counts.index, dtype="object")


def public_villages(villages: pd.DataFrame) -> pd.DataFrame:
    """The data module's village coverage made safe to publish.

    Adds `tampil_belum_rekam`, `tampil_sudah_rekam` (count, "<5" or "disamarkan"), `tampil_cakupan` (text), `disamarkan`
    (bool), and `nilai_peta_belum_rekam` / `nilai_peta_cakupan` for the map: a hidden village is drawn
    with the colour of the lowest band (2 unrecorded; the coverage of 2 unrecorded), never its value.
    """
    safe = villages.copy()
    hide = hidden_mask(safe["belum_rekam"], safe["kecamatan_kode"])
    safe["disamarkan"] = hide
    safe["tampil_belum_rekam"] = shown_counts(safe["belum_rekam"], hide)
    safe["tampil_sudah_rekam"] = [
        "disamarkan" if h else (None if pd.isna(r) else int(r)) for r, h in zip(safe["sudah_rekam"], hide)]
    safe["tampil_cakupan"] = [_share_band(w) if h else fmt.persen(c)
                              for c, h, w in zip(safe["cakupan"], hide, safe["wajib_ktp"])]
    stand_in = np.minimum(2, safe["belum_rekam"].astype("float64"))
    safe["nilai_peta_belum_rekam"] = np.where(hide, stand_in, safe["belum_rekam"].astype("float64"))
    wajib = safe["wajib_ktp"].astype("float64")
    safe["nilai_peta_cakupan"] = np.where(hide, 1 - stand_in / wajib, safe["cakupan"])
    return safe


def _share_band(wajib) -> str:
    """The coverage of a village with fewer than five unrecorded, as the band it lies in."""
    if pd.isna(wajib) or wajib <= 0:
        return fmt.KOSONG
    floor = np.floor((1 - (THRESHOLD - 1) / float(wajib)) * 1000) / 1000
    return f"≥ {fmt.persen(max(floor, 0.0))}"


def public_leaderboard(board: pd.DataFrame) -> pd.DataFrame:
    """Partner figures with small counts of vulnerable residents hidden (and their complement)."""
    safe = board.copy()
    safe["tampil_rentan"] = shown_counts(safe["rentan"], hidden_mask(safe["rentan"]))
    return safe


def public_vulnerable(by_kecamatan: pd.DataFrame) -> pd.DataFrame:
    """Vulnerable residents per kecamatan with small counts hidden, column by column."""
    safe = by_kecamatan.copy()
    for column in ("disabilitas", "lansia"):
        safe[f"tampil_{column}"] = shown_counts(safe[column], hidden_mask(safe[column]))
    return safe
