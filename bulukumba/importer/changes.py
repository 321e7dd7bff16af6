"""What a registry file changes, told before it is saved (issue 24).

- `preview`: the file's date(s), its villages, and the regency totals on its last date three
  ways: the file's own rows, the store as it is now (each village's latest snapshot on or
  before that date, as the pages count it), and the store once the file is saved (demo data
  retired, a replaced import undone).
- `overlap`: a file whose villages and dates an active import already holds. Exactly the same
  figures: nothing to do, said once. Other figures for the same villages and dates of ONE
  import that the file covers whole: the villages that change, and the offer to replace that
  import in one step (batch.save(..., replace=N)). Anything else stays refused, in one sentence.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bulukumba.language import fmt
from bulukumba.storage import store
from bulukumba.importer.places import Places
from bulukumba.importer.records import EMPTY, Records

#: The registry's figures compared between a file and an import (EMPTY where not given).
FIGURES = ("wajib_ktp", "sudah_rekam", "wajib_l", "wajib_p", "rekam_l", "rekam_p")
#: Changed villages listed one by one; the rest are counted.
MAX_CHANGES = 50


@dataclass(frozen=True)
class Totals:
    """Regency figures: `tanggal` is the newest snapshot that went into them (None: none)."""
    tanggal: dt.date | None
    desa: int
    wajib_ktp: int
    sudah_rekam: int

    @property
    def belum_rekam(self) -> int:
        return self.wajib_ktp - self.sudah_rekam

    @property
    def cakupan(self) -> float | None:
        return self.sudah_rekam / self.wajib_ktp if self.wajib_ktp else None


@dataclass
class Preview:
    """What saving a registry file changes, on its last date."""
    pertama: dt.date
    terakhir: dt.date
    tanggal: int              # distinct dates in the file
    desa: int                 # distinct villages in the file
    desa_wilayah: int         # villages of the file's regencies in the store
    wilayah: str              # the regencies' names
    berkas: Totals            # the file's own rows on its last date
    sekarang: Totals          # the store now, on that date (or its latest snapshot before)
    sesudah: Totals           # the store once the file is saved
    contoh: bool = False      # the figures now are demo data (retired when the file is saved)


@dataclass
class Change:
    kode: str
    nama: str
    tanggal: dt.date
    lama: tuple[int | None, int | None]   # wajib KTP, sudah rekam in the import
    baru: tuple[int | None, int | None]   # in the file


@dataclass
class Overlap:
    """An active import holding villages and dates of the file."""
    impor: int
    nama_file: str
    waktu: object
    sama: bool                          # every figure of the file is already in that import
    baris_sama: int                     # rows of the file equal to the import's
    berubah: int                        # rows whose figures differ
    baru: int                           # rows (village, date) the import does not have
    perubahan: list[Change] = field(default_factory=list)  # the first MAX_CHANGES


def when_text(value) -> str:
    """A stored UTC time as the office reads it: '19 Januari 2018 14.05 WITA'."""
    return fmt.timestamp(None if value is None else pd.Timestamp(value).to_pydatetime())


def registry_keys(records: Records) -> np.ndarray:
    return records.array("desa_kode").astype(np.int64) * 1_000_000 + records.array("tanggal")


def _days(records: Records) -> np.ndarray:
    return records.array("tanggal").astype(np.int64)


def _latest_per_village(conn: sa.Connection, codes: list[str], on: dt.date, *, real_only: bool,
                        exclude: int | None = None) -> dict[str, tuple[dt.date, int, int, bool]]:
    """Each village's latest snapshot on or before `on` among active batches (for the same date
    the later batch, as the store's summaries count): kode -> (tanggal, wajib, rekam, demo)."""
    r, i = store.registri, store.impor
    found: dict[str, tuple[dt.date, int, int, bool]] = {}
    for start in range(0, len(codes), 900):
        chunk = codes[start:start + 900]
        ranked = (sa.select(r.c.desa_kode, r.c.tanggal, r.c.wajib_ktp, r.c.sudah_rekam, i.c.contoh,
                            sa.func.row_number().over(partition_by=r.c.desa_kode,
                                                      order_by=[r.c.tanggal.desc(), r.c.impor_id.desc()])
                            .label("urut"))
                  .join(i, r.c.impor_id == i.c.id)
                  .where(i.c.status == "aktif", r.c.tanggal <= on, r.c.desa_kode.in_(chunk)))
        if real_only:
            ranked = ranked.where(i.c.contoh == sa.false())
        if exclude is not None:
            ranked = ranked.where(i.c.id != exclude)
        ranked = ranked.subquery()
        for kode, tanggal, wajib, rekam, contoh, _ in conn.execute(
                sa.select(ranked).where(ranked.c.urut == 1)):
            found[kode] = (tanggal, int(wajib), int(rekam), bool(contoh))
    return found


def _totals(latest: dict[str, tuple]) -> Totals:
    return Totals(tanggal=max((v[0] for v in latest.values()), default=None), desa=len(latest),
                  wajib_ktp=sum(v[1] for v in latest.values()),
                  sudah_rekam=sum(v[2] for v in latest.values()))


def preview(conn: sa.Connection, records: Records, places: Places,
            replace: int | None = None) -> Preview | None:
    """The file's dates, villages and regency totals beside the store's (see the module)."""
    if not len(records):
        return None
    days = _days(records)
    village = records.array("desa_kode").astype(np.int64)
    last = int(days.max())
    on = dt.date.fromordinal(last)
    codes = places.desa_codes
    regencies = sorted({codes[v][:5] for v in np.unique(village)})
    scope = [k for k in codes if k[:5] in regencies]
    # the file's own: each of its villages' latest row on or before its last date
    order = np.lexsort((days, village))
    newest = order[np.r_[village[order][1:] != village[order][:-1], True]]
    wajib, rekam = records.array("wajib_ktp"), records.array("sudah_rekam")
    mine = {codes[int(village[p])]: (dt.date.fromordinal(int(days[p])), int(wajib[p]), int(rekam[p]), False)
            for p in newest}
    now = _latest_per_village(conn, scope, on, real_only=False)
    kept = _latest_per_village(conn, scope, on, real_only=True, exclude=replace)
    after = dict(kept)
    for kode, value in mine.items():
        if kode not in after or after[kode][0] <= value[0]:  # the file's row wins a tie: it is newer
            after[kode] = value
    names = [places.kabupaten.get(k, k) for k in regencies]
    return Preview(pertama=dt.date.fromordinal(int(days.min())), terakhir=on,
                   tanggal=len(np.unique(days)), desa=len(mine), desa_wilayah=len(scope),
                   wilayah=", ".join(names), berkas=_totals(mine), sekarang=_totals(now),
                   sesudah=_totals(after), contoh=any(v[3] for v in now.values()))


def held(conn: sa.Connection, records: Records, places: Places, exclude: int | None = None
         ) -> dict[int, tuple[int, tuple[int, ...]]]:
    """Village-and-date keys of the file that an active real import (other than `exclude`)
    holds: key -> (import id, its figures as FIGURES, EMPTY where not given)."""
    days = np.unique(_days(records))
    t, i = store.registri, store.impor
    found: dict[int, tuple[int, tuple[int, ...]]] = {}
    for start in range(0, len(days), 500):
        chunk = [dt.date.fromordinal(int(d)) for d in days[start:start + 500]]
        query = (sa.select(t.c.desa_kode, t.c.tanggal, i.c.id, *(t.c[f] for f in FIGURES))
                 .join(i, t.c.impor_id == i.c.id)
                 .where(i.c.status == "aktif", i.c.contoh == sa.false(),  # demo gives way to real data
                        t.c.tanggal.in_(chunk)))
        if exclude is not None:
            query = query.where(i.c.id != exclude)
        for kode, tanggal, batch, *values in conn.execute(query):
            if kode in places.desa_index:
                found[places.desa_index[kode] * 1_000_000 + tanggal.toordinal()] = (
                    batch, tuple(EMPTY if v is None else int(v) for v in values))
    if not found:
        return {}
    keys = registry_keys(records)
    wanted = set(keys[np.isin(keys, np.fromiter(found, dtype=np.int64))].tolist())
    return {k: v for k, v in found.items() if k in wanted}


def batch_info(conn: sa.Connection, batch: int) -> tuple[str, object, int]:
    """(file name, time written, rows) of an import."""
    i, t = store.impor, store.registri
    name, when = conn.execute(sa.select(i.c.nama_file, i.c.waktu).where(i.c.id == batch)).one()
    rows = conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.impor_id == batch)).scalar_one()
    return name, when, int(rows)


def overlap(conn: sa.Connection, records: Records, places: Places, found: dict) -> Overlap | None:
    """The one import the file may replace (or already equals), or None when the clash is one
    this does not settle: several imports, or one holding villages/dates the file lacks."""
    batches = {b for b, _ in found.values()}
    if len(batches) != 1:
        return None
    batch = batches.pop()
    name, when, rows = batch_info(conn, batch)
    if rows != len(found):  # the import holds villages or dates this file does not bring
        return None
    keys = registry_keys(records)
    matrix = np.stack([records.array(f).astype(np.int64) for f in FIGURES], axis=1)
    same = changed = 0
    changes: list[Change] = []
    for p, k in enumerate(keys.tolist()):
        stored = found.get(k)
        if stored is None:
            continue
        if tuple(matrix[p].tolist()) == stored[1]:
            same += 1
            continue
        changed += 1
        if len(changes) < MAX_CHANGES:
            kode = places.desa_codes[k // 1_000_000]
            old, new = stored[1][:2], tuple(matrix[p, :2].tolist())
            changes.append(Change(kode, places.desa[kode][0], dt.date.fromordinal(k % 1_000_000),
                                  old, new))
    return Overlap(impor=batch, nama_file=name, waktu=when, sama=changed == 0 and len(keys) == len(found),
                   baris_sama=same, berubah=changed, baru=len(keys) - len(found), perubahan=changes)


def refusal(conn: sa.Connection, found: dict, total_rows: int) -> str:
    """One sentence for a clash this does not settle."""
    from bulukumba.importer.values import show

    per_batch: dict[int, int] = {}
    for batch, _ in found.values():
        per_batch[batch] = per_batch.get(batch, 0) + 1
    parts = []
    for batch, n in sorted(per_batch.items()):
        name, when, rows = batch_info(conn, batch)
        parts.append(f"impor #{batch} ({show(name)}, {when_text(when)}, {fmt.number(rows)} baris)"
                     + (f": {fmt.number(n)} baris" if len(per_batch) > 1 else ""))
    why = ("beberapa impor" if len(per_batch) > 1 else
           "impor itu juga memuat desa atau tanggal yang tidak ada di berkas ini")
    return (f"{fmt.number(len(found))} dari {fmt.number(total_rows)} baris berkas ini (desa dan "
            f"tanggal) sudah ada di {'; '.join(parts)}. Berkas ini tidak dapat menggantinya sekaligus "
            f"karena {why}; batalkan impor itu dulu (Riwayat impor) bila ingin menggantinya. "
            f"Tidak ada yang ditulis.")


# ---------------------------------------------------------------------------------------------
# As the operator reads it (Kelola data shows these as tables)
# ---------------------------------------------------------------------------------------------

def dates_text(p: Preview) -> str:
    from bulukumba.language import texts

    if p.tanggal == 1:
        return texts.IMPOR_PRATINJAU_TANGGAL_SATU.format(tanggal=fmt.date(p.terakhir))
    return texts.IMPOR_PRATINJAU_TANGGAL_BANYAK.format(n=fmt.number(p.tanggal), pertama=fmt.date(p.pertama),
                                                       terakhir=fmt.date(p.terakhir))


def preview_sentence(p: Preview) -> str:
    from bulukumba.language import texts

    return texts.IMPOR_PRATINJAU.format(desa=fmt.number(p.desa), desa_wilayah=fmt.number(p.desa_wilayah),
                                        wilayah=p.wilayah, tanggal=dates_text(p))


def _per(totals: Totals) -> str:
    from bulukumba.language import texts

    return f"per {fmt.date(totals.tanggal)}" if totals.tanggal is not None else texts.IMPOR_PRATINJAU_KOSONG


def preview_table(p: Preview, saved: bool = False) -> list[dict[str, str]]:
    """Wajib KTP, sudah rekam, belum rekam and cakupan: the file's, now (before), after, and the
    difference, in Indonesian formats."""
    from bulukumba.language import texts

    heads = texts.IMPOR_TERSIMPAN_KOLOM if saved else texts.IMPOR_PRATINJAU_KOLOM
    columns = [heads[0], heads[1].format(desa=fmt.number(p.berkas.desa), tanggal=_per(p.berkas)),
               heads[2].format(tanggal=_per(p.sekarang)),
               heads[3].format(tanggal=_per(p.sesudah)), heads[4]]
    rows = []
    for label, name in zip(texts.IMPOR_PRATINJAU_BARIS, ("wajib_ktp", "sudah_rekam", "belum_rekam", "cakupan")):
        values = [getattr(t, name) for t in (p.berkas, p.sekarang, p.sesudah)]
        empty = [t.desa == 0 for t in (p.berkas, p.sekarang, p.sesudah)]
        if name == "cakupan":
            shown = [fmt.KOSONG if e or v is None else fmt.percent(v) for v, e in zip(values, empty)]
            both = values[1] is not None and values[2] is not None and not empty[1]
            diff = fmt.points((values[2] - values[1]) * 100) if both else fmt.KOSONG
        else:
            shown = [fmt.KOSONG if e else fmt.number(v) for v, e in zip(values, empty)]
            diff = fmt.signed(values[2] - values[1]) if not empty[1] else fmt.KOSONG
        rows.append(dict(zip(columns, [label, *shown, diff])))
    return rows


def change_rows(over: Overlap) -> list[dict[str, str]]:
    """The villages whose figures the replacement changes: old → new."""
    from bulukumba.language import texts

    heads = texts.IMPOR_PERUBAHAN_KOLOM

    def pair(old, new) -> str:
        return fmt.number(new) if old == new else f"{fmt.number(old)} → {fmt.number(new)}"

    return [dict(zip(heads, [c.nama, c.kode, fmt.date(c.tanggal), pair(c.lama[0], c.baru[0]),
                             pair(c.lama[1], c.baru[1])])) for c in over.perubahan]
