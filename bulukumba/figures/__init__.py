"""The data module: the only way pages read figures.

Every function sends one (or a few) aggregate queries built with SQLAlchemy Core and receives
only the rows it returns: a kecamatan's villages, a leaderboard's partners, a trend's dates. The
same code runs on SQLite and PostgreSQL. Results are remembered per data version (a counter the
store bumps in the same transaction as every write), so a rerun that asks again costs a
dictionary look-up, and a write in any process shows on the next call (core.py).

Where each number comes from:
- wajib KTP, recorded (sudah rekam): a village's latest registry snapshot on or before the date,
  among active import batches, the later batch winning for the same village and date;
  unrecorded (belum rekam) = wajib KTP - recorded, never stored; coverage = recorded / wajib KTP;
  kecamatan, regency and national figures are sums over their villages, read from the derived
  summaries kept beside the registry (bulukumba/storage/summaries; coverage.py);
- partner figures: sums of partner activity rows in the period (activity.py);
- programme progress: for a target on the basis `registri`, the rise in recorded residents since
  the programme's start (its baseline is the latest snapshot on or before the start date); for
  `kegiatan_mitra`, the partner activity of that service since the start (programmes.py).

Regions: a store may hold one regency or many. Functions that sum over villages take
`kabupaten=` (default: everything the store holds); names come from the store (meta.py).
"""
from bulukumba.figures.activity import (partner_activity, partner_own, partner_own_villages, partner_leaderboard, partner_totals, partner_monthly, partner_village_count, partner_villages,
                       partners, vulnerable_by_kecamatan, village_services)
from bulukumba.figures.core import DateLike, answering_for, clear_memo, data_version, memoised, pin_version
from bulukumba.figures.coverage import (PRIORITY_WEIGHTS, Change, Coverage, Trend, Trends, change_over, coverage_kabupaten,
                       coverage_kecamatan, coverage_total, coverage_villages, kecamatan_trends, latest_date,
                       office_location, offices, priority_villages, recorded_change, recorded_trend, top_unrecorded,
                       village_histories, village_history, villages_reported)
from bulukumba.figures.trends import day_numbers
from bulukumba.figures.meta import Freshness, freshness, import_history, kecamatan_names, regencies, region_label
from bulukumba.figures.programmes import (ProgrammeStatus, activity_total, partner_programme_part, programme_on_trend, programme_period, programme_targets, programme_progress, programme_status,
                         programme_statuses, targets)

__all__ = [
    "DateLike", "answering_for", "clear_memo", "data_version", "memoised", "pin_version",
    "Coverage", "Change", "Trend", "Trends", "day_numbers", "PRIORITY_WEIGHTS", "change_over", "coverage_kabupaten", "coverage_kecamatan",
    "coverage_total", "coverage_villages", "kecamatan_trends", "latest_date", "office_location", "offices", "priority_villages", "recorded_change",
    "recorded_trend", "top_unrecorded", "village_histories", "village_history", "villages_reported",
    "partner_activity", "partner_own", "partner_own_villages", "partner_leaderboard", "partner_totals", "partner_monthly", "partner_village_count", "partner_villages", "partners",
    "vulnerable_by_kecamatan", "village_services",
    "ProgrammeStatus", "activity_total", "partner_programme_part", "programme_on_trend", "programme_period", "programme_targets", "programme_progress", "programme_status", "programme_statuses",
    "targets",
    "Freshness", "freshness", "import_history", "kecamatan_names", "regencies", "region_label",
]
