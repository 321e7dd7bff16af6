"""Partners: what each partner delivered, where, and to whom.

Where each number comes from: sums of partner activity rows (`kegiatan`) of active batches in
the period, grouped in the database; the rows that come back are the ones shown (eight
partners, a kecamatan's villages, a village's services).
"""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from bulukumba.storage import store, summaries
from bulukumba.figures.core import (DateLike, active, day, engine_or_default, fetch, memoised, month_start, total, total_if,
                   villages_in_scope, where)

K, D, KC, M = store.kegiatan, store.desa, store.kecamatan, store.mitra
R = summaries.ringkas_kegiatan  # the whole store's activity per day, partner, service, group
J = summaries.jangkauan_mitra  # first and last active day per partner, village and service
P = summaries.jangkauan_program  # per programme period: activity per partner, village and service


def summary_filters(start: DateLike, end: DateLike, service: str | None) -> list:
    """Conditions on the daily summary's rows for a period (an open end: no condition) and service."""
    return [R.c.tanggal >= day(start) if start is not None else None,
            R.c.tanggal <= day(end) if end is not None else None,
            R.c.layanan == service if service is not None else None]


def activity_filters(start: DateLike, end: DateLike, service: str | None, kecamatan: str | None,
                      kabupaten: str | None = None) -> list:
    """Conditions on activity rows: active batches, the period, the service and the area."""
    return [active(K.c.impor_id),
            K.c.tanggal >= day(start) if start is not None else None,
            K.c.tanggal <= day(end) if end is not None else None,
            K.c.layanan == service if service is not None else None,
            villages_in_scope(K.c.desa_kode, kecamatan, kabupaten)]


@memoised
def partners(engine: sa.Engine | None = None) -> pd.DataFrame:
    """kode, nama, deskripsi, in the report's order."""
    return fetch(engine, sa.select(M.c.kode, M.c.nama, M.c.deskripsi).order_by(M.c.urutan))


@memoised
def activity_span(engine: sa.Engine | None = None) -> tuple | None:
    """(first, last) day with active partner activity in the whole store, or None."""
    row = fetch(engine, sa.select(sa.func.min(R.c.tanggal), sa.func.max(R.c.tanggal))).iloc[0]
    return None if pd.isna(row.iloc[0]) else (day(row.iloc[0]), day(row.iloc[1]))


@memoised
def _programme_counted(start: DateLike, end: DateLike, engine: sa.Engine | None = None) -> str | None:
    """The programme whose period is exactly [start, end] (its activity per partner and village
    is kept in `jangkauan_program`), or None."""
    if start is None or end is None:
        return None
    row = fetch(engine, sa.select(summaries.periode_program.c.program).where(
        summaries.periode_program.c.mulai == day(start), summaries.periode_program.c.selesai == day(end))
        .order_by(summaries.periode_program.c.program).limit(1))
    return None if row.empty else row.iloc[0, 0]


def _programme_rows(program: str, service: str | None) -> list:
    """Conditions on `jangkauan_program` rows: the programme and the service (or all)."""
    return [P.c.program == program, P.c.layanan == (service or summaries.ALL_SERVICES)]


def _reached(start: DateLike, end: DateLike, service: str | None, engine: sa.Engine) -> list | None:
    """Conditions on `jangkauan_mitra` rows: the partner reached the village in [start, end];
    None when the reach cannot tell and the rows must be counted.

    A village was reached when one of its active rows falls in the period. When the period
    starts at or before the data's first day, that is: its first day is on or before the end;
    when it ends at or after the data's last day: its last day is on or after the start. The
    pages' usual periods (GERTAK to today, all time) are such. A period inside the data at both
    ends (the 2017 partnership, an earlier date) would need a look-up of rows for every village
    whose activity spans it (nationally: 68 s on PostgreSQL, 16 s on SQLite), so there a
    programme's period reads its kept rows (`jangkauan_program`) and any other counts the rows."""
    first, last = day(start), day(end)
    span = activity_span(engine)
    if None not in (first, last, span) and summaries.inside_the_data(first, last, *span):
        return None
    conditions = [J.c.layanan == (service or summaries.ALL_SERVICES)]
    if first is None or span is None or first <= span[0]:
        return conditions + [J.c.pertama <= last if last is not None else None]
    return conditions + [J.c.terakhir >= first]  # the period ends on or after the data's last day


def _villages_reached(start: DateLike, end: DateLike, service: str | None, engine: sa.Engine):
    """Per partner, the number of distinct villages its active rows reach in the period
    (mitra_kode, desa): from the reach table when it can tell (one row per partner and village,
    so a count; nationally 0.1-0.3 s), else from the rows (the 2017 partnership nationally:
    0.7-0.9 s on PostgreSQL, 1.1-1.3 s on SQLite, 2,235,388 rows)."""
    conditions = _reached(start, end, service, engine)
    if conditions is not None:
        return where(sa.select(J.c.mitra_kode, sa.func.count().label("desa")).group_by(J.c.mitra_kode),
                     *conditions).subquery()
    filters = activity_filters(start, end, service, None)
    codes = list(partners(engine)["kode"]) if engine.dialect.name == "postgresql" else []
    if codes:
        # PostgreSQL: one UNION ALL branch per partner. Each reads its partner's period
        # index-only from ix_kegiatan_mitra_rinci and hashes its own ~73,000 villages, and the
        # branches run side by side in parallel workers (Parallel Append). One hash of all
        # 581,000 (partner, village) pairs ran in one process over a scan of every row (and
        # spilled to disk at the default work_mem; more memory alone saved nothing); the union is
        # about two and a half times faster nationally (benchmarks/README.md, bench_scale).
        return sa.union_all(*(_villages_reached_by(code, filters) for code in codes)).subquery()
    # SQLite already reads each partner's period from that index (ANY(mitra_kode)); the union
    # was no faster there.
    return where(sa.select(K.c.mitra_kode, sa.func.count(sa.distinct(K.c.desa_kode)).label("desa"))
                 .group_by(K.c.mitra_kode), *filters).subquery()


def _villages_reached_by(code: str, filters: list):
    """One partner's count of the distinct villages of its rows that pass `filters` (mitra_kode, desa)."""
    villages = where(sa.select(K.c.desa_kode).distinct().where(K.c.mitra_kode == code), *filters).subquery()
    return sa.select(sa.literal(code).label("mitra_kode"), sa.func.count().label("desa")).select_from(villages)


def _summed(start: DateLike, end: DateLike, service: str | None):
    """Per partner, the whole store's activity and vulnerable residents served in the period,
    from the daily summary (mitra_kode, jumlah, rentan)."""
    return where(sa.select(R.c.mitra_kode, total(R.c.jumlah).label("jumlah"),
                           total_if(R.c.rentan != "umum", R.c.jumlah).label("rentan"))
                 .group_by(R.c.mitra_kode), *summary_filters(start, end, service)).subquery()


def _summed_rows(start: DateLike, end: DateLike, service: str | None, kecamatan: str | None,
                 kabupaten: str | None, *more):
    """`_summed` of one area, from its activity rows (mitra_kode, jumlah, rentan, and `more`
    columns counted over the same rows)."""
    return where(sa.select(K.c.mitra_kode, total(K.c.jumlah).label("jumlah"),
                           total_if(K.c.rentan != "umum", K.c.jumlah).label("rentan"), *more)
                 .group_by(K.c.mitra_kode), *activity_filters(start, end, service, kecamatan, kabupaten)).subquery()


def _every_partner(per_partner, *columns: str) -> pd.DataFrame:
    """Every partner (in the report's order) with the per-partner figures, 0 where none."""
    return sa.select(M.c.kode, M.c.nama, M.c.urutan,
                     *(sa.func.coalesce(per_partner.c[c], 0).label(c) for c in columns)) \
        .select_from(M.outerjoin(per_partner, per_partner.c.mitra_kode == M.c.kode)).order_by(M.c.urutan)


@memoised
def partner_totals(start: DateLike = None, end: DateLike = None, service: str | None = None,
                   engine: sa.Engine | None = None, kabupaten: str | None = None,
                   kecamatan: str | None = None) -> pd.DataFrame:
    """Every partner's activity and vulnerable residents served in the period (in one kecamatan
    or regency, or the whole store), in the report's order: kode, nama, jumlah, rentan. The
    leaderboard's sums without its villages reached (a count the daily summary cannot give for
    a period inside the data at both ends, and ~0.1 s nationally even where the reach can)."""
    sums = _summed(start, end, service) if kabupaten is None and kecamatan is None else \
        _summed_rows(start, end, service, kecamatan, kabupaten)  # one regency: ~20,000 of 10 million rows
    totals = fetch(engine, _every_partner(sums, "jumlah", "rentan"))
    for column in ("jumlah", "rentan"):
        totals[column] = totals[column].astype("int64")
    return totals[["kode", "nama", "jumlah", "rentan"]]


@memoised
def partner_leaderboard(start: DateLike = None, end: DateLike = None, service: str | None = None,
                        kecamatan: str | None = None, engine: sa.Engine | None = None,
                        kabupaten: str | None = None) -> pd.DataFrame:
    """Partners ranked by what they delivered in the period (every partner listed, even at 0).

    Columns: peringkat, kode, nama, jumlah, porsi (share of the total, 0..1), desa (villages
    reached), rentan (vulnerable residents served: disability or elderly).
    """
    program = _programme_counted(start, end, engine) if kecamatan is None and kabupaten is None else None
    if program is not None:
        # A programme's period (the 2017 partnership): one row per partner and village, kept.
        per_partner = where(sa.select(P.c.mitra_kode, total(P.c.jumlah).label("jumlah"),
                                      total(P.c.rentan).label("rentan"), sa.func.count().label("desa"))
                            .group_by(P.c.mitra_kode), *_programme_rows(program, service)).subquery()
    elif kecamatan is None and kabupaten is None:
        # The whole store: sums from the daily summary; villages reached from the reach table
        # or the rows (a count of distinct villages does not add up over days).
        sums = _summed(start, end, service)
        reached = _villages_reached(start, end, service, engine_or_default(engine))
        per_partner = sa.select(sums.c.mitra_kode, sums.c.jumlah, sums.c.rentan, reached.c.desa) \
            .select_from(sums.outerjoin(reached, reached.c.mitra_kode == sums.c.mitra_kode)).subquery()
    else:
        per_partner = _summed_rows(start, end, service, kecamatan, kabupaten,
                                   sa.func.count(sa.distinct(K.c.desa_kode)).label("desa"))
    board = fetch(engine, _every_partner(per_partner, "jumlah", "desa", "rentan"))
    for column in ("jumlah", "desa", "rentan"):
        board[column] = board[column].astype("int64")
    grand = board["jumlah"].sum()
    board["porsi"] = board["jumlah"] / grand if grand else 0.0
    board = board.sort_values(["jumlah", "urutan"], ascending=[False, True]).reset_index(drop=True)
    board["peringkat"] = board["jumlah"].rank(method="min", ascending=False).astype("int64")
    return board[["peringkat", "kode", "nama", "jumlah", "porsi", "desa", "rentan"]]


@memoised
def partner_monthly(start: DateLike = None, end: DateLike = None, service: str | None = None,
                    partner: str | None = None, kecamatan: str | None = None,
                    engine: sa.Engine | None = None, kabupaten: str | None = None) -> pd.DataFrame:
    """Month by month: bulan (first day), mitra_kode, jumlah; months without activity are 0."""
    if kecamatan is None and kabupaten is None:  # the whole store: from the daily summary
        month = month_start(R.c.tanggal)
        query = where(sa.select(month.label("bulan"), R.c.mitra_kode, total(R.c.jumlah).label("jumlah"))
                      .group_by(month, R.c.mitra_kode), *summary_filters(start, end, service),
                      R.c.mitra_kode == partner if partner is not None else None)
    else:
        month = month_start(K.c.tanggal)
        query = where(sa.select(month.label("bulan"), K.c.mitra_kode, total(K.c.jumlah).label("jumlah"))
                      .group_by(month, K.c.mitra_kode), *activity_filters(start, end, service, kecamatan, kabupaten),
                      K.c.mitra_kode == partner if partner is not None else None)
    counts = fetch(engine, query, dates=("bulan",))
    if counts.empty:
        return pd.DataFrame({"bulan": pd.Series(dtype="datetime64[ns]"),
                             "mitra_kode": pd.Series(dtype="object"), "jumlah": pd.Series(dtype="int64")})
    months = pd.date_range(counts["bulan"].min(), counts["bulan"].max(), freq="MS")
    codes = [partner] if partner else list(partners(engine)["kode"])
    full = counts.set_index(["bulan", "mitra_kode"])["jumlah"].reindex(
        pd.MultiIndex.from_product([months, codes], names=["bulan", "mitra_kode"]), fill_value=0)
    return full.astype("int64").reset_index()


@memoised
def partner_villages(partner: str, start: DateLike = None, end: DateLike = None,
                     service: str | None = None, engine: sa.Engine | None = None,
                     limit: int | None = None, kecamatan: str | None = None,
                     kabupaten: str | None = None) -> pd.DataFrame:
    """Where a partner worked: kode, nama, kecamatan_nama, jumlah, rentan; most first.

    `limit`: only the first rows (the count of all is `partner_village_count`); `kecamatan` or
    `kabupaten` limits it to that area's villages."""
    program = _programme_counted(start, end, engine) if kecamatan is None and kabupaten is None else None
    if program is not None:  # a programme's period: its kept rows (nationally ~73,000, not ~280,000)
        per_village = where(sa.select(P.c.desa_kode, P.c.jumlah, P.c.rentan).where(P.c.mitra_kode == partner),
                            *_programme_rows(program, service)).subquery()
    else:
        per_village = where(
            sa.select(K.c.desa_kode, total(K.c.jumlah).label("jumlah"),
                      total_if(K.c.rentan != "umum", K.c.jumlah).label("rentan"))
            .where(K.c.mitra_kode == partner).group_by(K.c.desa_kode),
            *activity_filters(start, end, service, kecamatan, kabupaten)).subquery()
    query = (sa.select(D.c.kode, D.c.nama, KC.c.nama.label("kecamatan_nama"), per_village.c.jumlah,
                       per_village.c.rentan)
             .select_from(per_village.join(D, D.c.kode == per_village.c.desa_kode)
                          .join(KC, KC.c.kode == D.c.kecamatan_kode))
             .order_by(per_village.c.jumlah.desc(), D.c.kode))
    if limit is not None:
        query = query.limit(limit)
    frame = fetch(engine, query)
    for column in ("jumlah", "rentan"):
        frame[column] = frame[column].astype("int64")
    return frame


def partner_village_count(partner: str, start: DateLike = None, end: DateLike = None,
                          service: str | None = None, engine: sa.Engine | None = None,
                          kecamatan: str | None = None, kabupaten: str | None = None) -> int:
    """How many villages the partner reached in the period (the length of partner_villages):
    the leaderboard's count, which the page has already asked for (nationally, for the 2017
    partnership, a second count of the partner's rows took 0.13-0.24 s)."""
    board = partner_leaderboard(start, end, service, kecamatan, engine, kabupaten=kabupaten)
    row = board.loc[board["kode"] == partner, "desa"]
    return int(row.iloc[0]) if len(row) else 0


@memoised
def village_services(village: str, start: DateLike = None, end: DateLike = None,
                     engine: sa.Engine | None = None) -> pd.DataFrame:
    """What was delivered in one village: mitra_kode, nama (partner), layanan, jumlah."""
    jumlah = total(K.c.jumlah)
    query = where(
        sa.select(K.c.mitra_kode, M.c.nama, K.c.layanan, jumlah.label("jumlah"))
        .join(M, M.c.kode == K.c.mitra_kode).where(K.c.desa_kode == village)
        .group_by(K.c.mitra_kode, M.c.nama, K.c.layanan)
        .order_by(jumlah.desc(), K.c.mitra_kode, K.c.layanan),
        *activity_filters(start, end, None, None))
    frame = fetch(engine, query)
    frame["jumlah"] = frame["jumlah"].astype("int64")
    return frame


@memoised
def vulnerable_by_kecamatan(start: DateLike = None, end: DateLike = None,
                            engine: sa.Engine | None = None, kabupaten: str | None = None) -> pd.DataFrame:
    """Vulnerable residents served by partners per kecamatan: kode, nama, disabilitas, lansia."""
    # Per village first, from the rows alone (the partial index ix_kegiatan_rentan serves this
    # very condition, written out rather than bound), then per kecamatan.
    per_village = where(
        sa.select(K.c.desa_kode, total_if(K.c.rentan == "disabilitas", K.c.jumlah).label("disabilitas"),
                  total_if(K.c.rentan == "lansia", K.c.jumlah).label("lansia"))
        .where(K.c.rentan != sa.literal_column("'umum'")).group_by(K.c.desa_kode),
        *activity_filters(start, end, None, None, kabupaten)).subquery()
    per_kec = sa.select(D.c.kecamatan_kode, total(per_village.c.disabilitas).label("disabilitas"),
                        total(per_village.c.lansia).label("lansia")) \
        .join(D, D.c.kode == per_village.c.desa_kode).group_by(D.c.kecamatan_kode).subquery()
    with_villages = sa.select(D.c.kecamatan_kode).distinct().subquery()
    query = where(
        sa.select(KC.c.kode, KC.c.nama, sa.func.coalesce(per_kec.c.disabilitas, 0).label("disabilitas"),
                  sa.func.coalesce(per_kec.c.lansia, 0).label("lansia"))
        .select_from(KC.join(with_villages, with_villages.c.kecamatan_kode == KC.c.kode)
                     .outerjoin(per_kec, per_kec.c.kecamatan_kode == KC.c.kode))
        .order_by(KC.c.kode),
        KC.c.kabupaten_kode == kabupaten if kabupaten is not None else None)
    frame = fetch(engine, query)
    for column in ("disabilitas", "lansia"):
        frame[column] = frame[column].astype("int64")
    return frame


@memoised
def partner_activity(start: DateLike = None, end: DateLike = None, service: str | None = None,
                     kecamatan: str | None = None, engine: sa.Engine | None = None,
                     kabupaten: str | None = None) -> pd.DataFrame:
    """Partner activity per partner, village, month and service (the Unduh page's file): bulan
    (first day), mitra_kode, mitra_nama, kode, nama, kecamatan_nama, layanan, jumlah, rentan (of
    them vulnerable residents)."""
    month = month_start(K.c.tanggal)
    per_cell = where(
        sa.select(month.label("bulan"), K.c.mitra_kode, K.c.desa_kode, K.c.layanan,
                  total(K.c.jumlah).label("jumlah"), total_if(K.c.rentan != "umum", K.c.jumlah).label("rentan"))
        .group_by(month, K.c.mitra_kode, K.c.desa_kode, K.c.layanan),
        *activity_filters(start, end, service, kecamatan, kabupaten)).subquery()
    query = (sa.select(per_cell.c.bulan, per_cell.c.mitra_kode, M.c.nama.label("mitra_nama"), D.c.kode, D.c.nama,
                       KC.c.nama.label("kecamatan_nama"), per_cell.c.layanan, per_cell.c.jumlah, per_cell.c.rentan)
             .select_from(per_cell.join(M, M.c.kode == per_cell.c.mitra_kode)
                          .join(D, D.c.kode == per_cell.c.desa_kode).join(KC, KC.c.kode == D.c.kecamatan_kode))
             .order_by(per_cell.c.bulan, M.c.nama, D.c.kode, per_cell.c.layanan))
    frame = fetch(engine, query, dates=("bulan",))
    for column in ("jumlah", "rentan"):
        frame[column] = frame[column].astype("int64")
    return frame


@memoised
def partner_own(partner: str, engine: sa.Engine | None = None) -> pd.DataFrame:
    """One partner's own counted activity (active batches: imported, or its reports once
    approved), per month, kecamatan and service: bulan, kecamatan, layanan, jumlah, rentan,
    desa (villages reached). What a partner account sees of the figures: its own rows only."""
    month = month_start(K.c.tanggal)
    query = (sa.select(month.label("bulan"), KC.c.nama.label("kecamatan"), K.c.layanan,
                       total(K.c.jumlah).label("jumlah"),
                       total_if(K.c.rentan != "umum", K.c.jumlah).label("rentan"),
                       sa.func.count(sa.distinct(K.c.desa_kode)).label("desa"))
             .join(D, D.c.kode == K.c.desa_kode).join(KC, KC.c.kode == D.c.kecamatan_kode)
             .where(K.c.mitra_kode == partner, active(K.c.impor_id))
             .group_by(month, KC.c.nama, K.c.layanan).order_by(month, KC.c.nama, K.c.layanan))
    frame = fetch(engine, query, dates=("bulan",))
    for column in ("jumlah", "rentan", "desa"):
        frame[column] = frame[column].astype("int64")
    return frame


@memoised
def partner_own_villages(partner: str, engine: sa.Engine | None = None) -> int:
    """How many villages the partner reached, all its counted activity together."""
    query = sa.select(sa.func.count(sa.distinct(K.c.desa_kode))).where(K.c.mitra_kode == partner,
                                                                        active(K.c.impor_id))
    return int(fetch(engine, query).iloc[0, 0])
