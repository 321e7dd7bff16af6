"""Statistical disclosure control: the one step between the data module and anything public.

The public page (pages/publik.py), its SVG charts (svg.py), its tables and downloads (the
public_* builders in tables.py) and projector mode (pages/proyektor.py) read only the published
set this package makes: `public_view(as_of, engine)` gives a `PublicView` for a date, built
once per data version. A figure is hidden there or shown there, and so everywhere.

The rules (UU 24/2013 and UU 27/2022 protect population data; DOMAIN.md):
- a count from 1 to 4 of unrecorded residents (of a village, a kecamatan, the regency) or of
  vulnerable residents served (by a partner, in a kecamatan, in total) is never published: a
  village's, a partner's or a kecamatan cell's shows "<5"; a total shows "disamarkan";
- complementary cells are hidden as "disamarkan" wherever the published figures (totals,
  recorded counts with the public wajib KTP, percentages, colours, bands, order, the other
  view, the date before) would let a reader narrow a hidden small count. The protection rule,
  checked exactly for every hidden small count: every value from 1 to 4 stays possible (a
  total: at least four values), on this date and the date before together. See suppress.py
  for the reasoning, the worst-case reader and why two dates suffice;
- what must stay visible is banded, not exact: the coverage of a "<5" village ("≥ 99,6%"), a
  partner's services from 1 to 4 ("<5");
- zero is shown as 0: it points at nobody;
- a table too small to protect cell by cell (two partners with one elderly resident each, in one
  kecamatan) is withheld: every cell, zeros included, shows "ditahan".

What each label promises a reader, as (lowest, highest) count, is public on purpose: the
protection does not depend on its being secret (`SMALL_RANGE`, `MASKED_LEAF_RANGE`,
`MASKED_TOTAL_RANGE`, `WITHHELD_RANGE`).
"""
from .published import frames_for, is_current, preparing, public_view
from .suppress import (MASKED, MASKED_LEAF_RANGE, MASKED_TOTAL_RANGE, SHOWN, SMALL, SMALL_RANGE,
                       THRESHOLD, WITHHELD, WITHHELD_RANGE, ProtectionError)
from .view import Frames, Publication, PublicView, Regency, Trends, protect, publish, published_trend, share_band

__all__ = [
    "MASKED", "MASKED_LEAF_RANGE", "MASKED_TOTAL_RANGE", "SHOWN", "SMALL", "SMALL_RANGE", "THRESHOLD",
    "WITHHELD", "WITHHELD_RANGE",
    "Frames", "ProtectionError", "Publication", "PublicView", "Regency", "Trends", "frames_for", "protect",
    "is_current", "preparing", "public_view", "published_trend", "publish", "share_band",
]
