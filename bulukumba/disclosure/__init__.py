"""Statistical disclosure control: the one step between the data module and anything public.

The public page (pages/publik.py), its SVG charts (svg.py), its tables and downloads (the
public_* builders in tables.py), the village cards and projector mode (pages/proyektor.py) read
only the published set this package makes: `public_view(as_of, engine)` gives a `PublicView`
for a date, built once per data version. A figure is hidden there or shown there, and so
everywhere.

One published history (the rule): every figure published for a date is derived only from what
is published for the dates it uses. A change, pace, projection or chart point against a date
comes from that date's published figures (`PublicView.riwayat`, `published_trend`) or is not
shown. What was published is kept in the store per regency, table, date and publication
(history.py), and every new publication is audited against all of it (suppress.py, audit.py).

The rules (UU 24/2013 and UU 27/2022 protect population data; DOMAIN.md):
- a count from 1 to 4 of unrecorded residents (of a village, a kecamatan, the regency) or of
  vulnerable residents served (by a partner, in a kecamatan, in total) is never published: a
  village's, a partner's or a kecamatan cell's shows "<5"; a total shows "disamarkan";
- complementary cells are hidden as "disamarkan" (or withheld on their own, "ditahan") wherever
  what a reader holds (totals, recorded counts with the public wajib KTP, percentages, colours,
  bands, order, the other table, every earlier publication, recorded residents and partner
  figures that never fall) would let a reader narrow a hidden small count. The protection rule,
  checked exactly for every hidden small count against each earlier publication: every value
  from 1 to 4 stays possible (a total: at least four values), except what public facts exclude
  whatever is published. See suppress.py and audit.py for the reader and the model's limits;
- what must stay visible is banded, not exact: the coverage of a "<5" village ("≥ 99,6%"), a
  partner's services from 1 to 4 ("<5");
- zero is shown as 0: it points at nobody; but a village shown at 0 whose wajib KTP rose by less
  than 4 is withheld whatever its figure (its rise would say how many of the new are unrecorded);
- a table too small to protect cell by cell is withheld: every cell, zeros included, shows
  "ditahan"; what is withheld is withheld everywhere (the projector's partner slide too).

What each label promises a reader, as (lowest, highest) count, is public on purpose: the
protection does not depend on its being secret (`SMALL_RANGE`, `MASKED_LEAF_RANGE`,
`MASKED_TOTAL_RANGE`, `WITHHELD_RANGE`).
"""
from bulukumba.disclosure.published import frames_for, is_current, preparing, public_view
from bulukumba.disclosure.suppress import (MASKED, MASKED_LEAF_RANGE, MASKED_TOTAL_RANGE, SHOWN, SMALL, SMALL_RANGE,
                       THRESHOLD, WITHHELD, WITHHELD_RANGE, ProtectionError)
from bulukumba.disclosure.view import Frames, Publication, PublicView, Regency, Trends, protect, publish, published_trend, share_band

__all__ = [
    "MASKED", "MASKED_LEAF_RANGE", "MASKED_TOTAL_RANGE", "SHOWN", "SMALL", "SMALL_RANGE", "THRESHOLD",
    "WITHHELD", "WITHHELD_RANGE",
    "Frames", "ProtectionError", "Publication", "PublicView", "Regency", "Trends", "frames_for", "protect",
    "is_current", "preparing", "public_view", "published_trend", "publish", "share_band",
]
