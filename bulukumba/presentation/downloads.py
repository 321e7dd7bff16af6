"""What the Unduh page offers: each table with its notes and the filters it follows.

One place builds the list, so the page, the all-in-one workbook and the tests agree on what
each file holds. Every entry says which of the shared filters (date, kecamatan, service) it
follows, and the XLSX "Keterangan" sheet repeats it with the source and the definitions.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from bulukumba import figures
from bulukumba.presentation import export, tables
from bulukumba.language import fmt, texts
from bulukumba.figures import verdict

REGISTRY, PARTNERS, PROGRAMME = (texts.SUMBER[k] for k in ("registri", "kegiatan", "program_lengkap"))


@dataclass(frozen=True)
class Item:
    stem: str                         # file name stem
    title: str
    scope: str                        # which filters it follows, in words
    build: Callable[[], pd.DataFrame]  # called when a file is asked for, not when the page opens
    rows: Callable[[], int]           # how many rows the file holds, without building it
    source: str
    filters: tuple[tuple[str, str], ...]
    #: A row per village and date or month: for the whole of a store of many regencies, one
    #: regency at a time (the country's village histories are 3 million rows, past what XLSX
    #: holds; Filters.whole_of_many_regencies).
    per_regency: bool = False

    @property
    def kind(self) -> str:
        """Which import fills this table (texts.CARA_TAMBAH), for an empty one."""
        return {REGISTRY: "registri", PARTNERS: "kegiatan"}.get(self.source, "target")


def items(per: dt.date, kecamatan: str | None, layanan: str | None, engine,
          kabupaten: str | None = None) -> list[Item]:
    """The downloads for this view (as the filters stand)."""
    area = figures.region_label(kecamatan, kabupaten, engine)  # names from the store
    gertak = figures.programme_period("gertak_2018", engine)
    gertak_start = gertak[0] if gertak else None
    names = dict(zip(*(figures.coverage_kecamatan(engine=engine, kabupaten=kabupaten)[c] for c in ("kode", "nama"))))
    unit, _ = texts.service_unit(layanan)
    since = fmt.date(gertak_start) if gertak_start else "awal data"
    date = ("Tanggal", f"keadaan per {fmt.date(per)}")
    where = ("Wilayah", area)
    all_kec = ("Wilayah", "semua kecamatan (pilihan kecamatan tidak berlaku)")
    service = ("Layanan", unit)

    def kecamatan_table():
        return tables.kecamatan_table(figures.coverage_kecamatan(per, engine, kabupaten=kabupaten),
                                      figures.villages_reported(per, engine, kabupaten=kabupaten))

    def programme_table():
        verdicts = (verdict.programme_verdicts("gertak_2018", "layanan", per, engine, kabupaten)
                    + verdict.programme_verdicts("gertak_2018", "kecamatan", per, engine, kabupaten))
        return tables.programme_table(verdicts, names)

    def histories():
        return tables.village_history_table(figures.village_histories(kecamatan, per, engine, kabupaten=kabupaten))

    def trend():
        return tables.trend_table(figures.recorded_trend(kecamatan, end=per, engine=engine, kabupaten=kabupaten))

    def leaderboard():
        return figures.partner_leaderboard(gertak_start, per, layanan, kecamatan, engine, kabupaten=kabupaten)

    def ranking():
        board = leaderboard()
        # No activity in the period: no ranking of partners with 0 each (it would read "they did nothing").
        return tables.leaderboard_table(board if board["jumlah"].fillna(0).sum() > 0 else board.iloc[0:0])

    def activity():
        return tables.partner_activity_table(figures.partner_activity(None, per, layanan, kecamatan, engine,
                                                                   kabupaten=kabupaten))

    # Row counts from small aggregates: the village files are 83,000 rows nationally, and the
    # page should not build them only to say how long they are.
    def in_area(per_kecamatan: pd.DataFrame, code: str) -> int:
        if kecamatan is not None:
            per_kecamatan = per_kecamatan[per_kecamatan[code] == kecamatan]
        return int(per_kecamatan["desa"].sum())

    def village_rows() -> int:  # every village of the area (coverage_villages)
        return in_area(figures.coverage_kecamatan(per, engine, kabupaten=None if kecamatan else kabupaten), "kode")

    def reported_rows() -> int:  # the villages with figures (priority_villages)
        return in_area(figures.villages_reported(per, engine, kabupaten=None if kecamatan else kabupaten), "kecamatan_kode")

    def programme_rows() -> int:  # one verdict per target judged
        return sum(len(figures.programme_targets("gertak_2018", by, engine, kabupaten)) for by in ("layanan", "kecamatan"))

    def length(build: Callable[[], pd.DataFrame]) -> Callable[[], int]:
        return lambda: len(build())

    return [
        Item("cakupan-kecamatan", "Cakupan per kecamatan", "tanggal; selalu semua kecamatan",
             kecamatan_table, lambda: len(figures.coverage_kecamatan(per, engine, kabupaten=kabupaten)), REGISTRY,
             (date, all_kec)),
        Item("cakupan-desa", "Cakupan per desa/kelurahan", "tanggal dan kecamatan",
             lambda: tables.village_table(figures.coverage_villages(per, kecamatan, engine, kabupaten=kabupaten)),
             village_rows, REGISTRY, (date, where)),
        Item("riwayat-desa", "Riwayat per desa/kelurahan: setiap tanggal data", "kecamatan; semua tanggal "
             f"sampai {fmt.date(per)}", histories, length(histories), REGISTRY,
             (("Tanggal", f"semua tanggal data sampai {fmt.date(per)}"), where), per_regency=True),
        Item("prioritas-desa", "Daftar prioritas jemput bola", "tanggal dan kecamatan",
             lambda: tables.priority_table(figures.priority_villages(per, kecamatan, engine, kabupaten=kabupaten)),
             reported_rows, REGISTRY, (date, where)),
        Item("tren-perekaman", "Tren sudah rekam", f"kecamatan; semua tanggal sampai {fmt.date(per)}",
             trend, length(trend), REGISTRY,
             (("Tanggal", f"semua tanggal data sampai {fmt.date(per)}"), where)),
        Item("peringkat-mitra", f"Peringkat mitra selama GERTAK 2018 · {unit} (seperti halaman Mitra)",
             "tanggal, kecamatan dan layanan",
             ranking, length(ranking), PARTNERS, (("Periode", f"{since} – {fmt.date(per)}"), where, service)),
        Item("kegiatan-mitra", f"Kegiatan mitra per mitra, desa, bulan dan layanan · {unit}",
             "kecamatan dan layanan; semua bulan sampai tanggal", activity, length(activity), PARTNERS, (("Periode", f"awal data – {fmt.date(per)}"), where, service), per_regency=True),
        Item("progres-gertak", "Progres GERTAK 2018 per layanan dan kecamatan",
             "tanggal dan kabupaten; selalu semua kecamatan", programme_table, programme_rows, PROGRAMME,
             (date, all_kec)),
    ]


def notes(item: Item, table: pd.DataFrame, per: dt.date) -> export.Notes:
    return export.Notes(item.title, item.source, per, item.filters, texts.definitions(table.columns))


def all_in_one(offered: list[Item], per: dt.date, demo: bool) -> bytes:
    """Every table of the page in one workbook, each on its own sheet (built now)."""
    built = [(item, item.build()) for item in offered]
    return export.workbook([(item.stem, table, notes(item, table, per)) for item, table in built], demo)
