"""Checking a whole file: its columns, then every row (`row_checks`), then what only the whole
file shows: a JUMLAH row at the bottom against the sum of the rows above it, the same village
and date twice, a village and date the store already holds, the same activity twice.

Clean rows go into compact `records.Records`, and the checks across rows run on those arrays,
so a file of any size is checked in one pass with flat memory.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable

import numpy as np
import sqlalchemy as sa

from bulukumba.language import fmt
from bulukumba.storage import store
from bulukumba.importer import changes
from bulukumba.importer.changes import registry_keys, when_text
from bulukumba.importer import headers as vocab
from bulukumba.importer.column_plan import ColumnPlan, detect_kind, plan_columns
from bulukumba.importer.headers import LABELS
from bulukumba.importer.limits import column_letter
from bulukumba.importer.places import Places
from bulukumba.importer.reading import ImportFileError, Table
from bulukumba.importer.records import EMPTY, Records
from bulukumba.importer.report import Notes, RowError, ValidationReport, rows_text
from bulukumba.importer.row_checks import RowChecks, ok
from bulukumba.importer.values import clean, is_total_label, personal_value, show
from bulukumba.language import names

PROGRESS_EVERY = 8192


# ---------------------------------------------------------------------------------------------
# The whole file
# ---------------------------------------------------------------------------------------------

def check(conn: sa.Connection, table: Table, report: ValidationReport, *,
          chosen: dict[str, str] | None = None, remembered: dict[str, dict[str, str]] | None = None,
          ignore_rest: bool = False, progress: Callable[[float, str], None] | None = None,
          today: dt.date | None = None) -> ValidationReport:
    """Check a file's table against the store seen through `conn`; fills `report`."""
    remembered = remembered or {}
    report.format = table.format
    report.warnings.extend(table.warnings)
    headers = table.header
    personal = [h for h in headers if h and vocab.looks_personal(h)]
    if personal:
        for h in personal:
            report.problems.add(RowError(None, h, "judul ini tampak seperti data pribadi. Dasbor hanya "
                                         "menyimpan angka agregat per desa, bukan data perorangan: "
                                         "hapus kolom dan data perorangan itu dari berkas."
                                         + (" (Nama desa ditulis 'Nama Desa'.)" if names.fold(h) == "nama" else ""),
                                         "data pribadi"))
        return report
    kind = report.jenis or detect_kind(headers, chosen, remembered)
    report.jenis = kind
    earlier = already_imported(conn, report.sha256)
    if earlier is not None:
        report.problems.add(earlier)
        return report
    if kind is None:
        report.problems.add(RowError(None, None, "Jenis berkas tidak dapat dikenali dari judul "
                                                 "kolomnya; pilih jenisnya (registri, kegiatan, "
                                                 "target) atau pakai templat.", "jenis tidak dikenali"))
        return report
    plan = plan_columns(headers, kind, chosen, remembered.get(kind), ignore_rest=ignore_rest)
    report.plan = plan
    report.warnings.extend(plan.warnings)
    if plan.errors:
        report.problems.extend(plan.errors)
        _samples(table, plan, report)
        return report
    places = Places.load(conn)
    if kind in vocab.NEEDS_VILLAGE and not places.desa:
        report.problems.add(RowError(None, None, "Data wilayah (desa/kelurahan) belum ada di basis "
                                                 "data; muat data wilayah dulu.", "wilayah belum ada"))
        return report
    _read_rows(table, kind, plan, places, report, progress, today or dt.date.today())
    if report.records is not None:
        _cross_checks(conn, kind, report, places)
    if report.problems:
        report.records = None
    return report


def _samples(table: Table, plan: ColumnPlan, report: ValidationReport, rows: int = 200) -> None:
    """The first few values of each unresolved column, to show beside its select box."""
    wanted = [c.index for c in plan.unresolved[:50]]
    report.samples = {j: [] for j in wanted}
    try:
        for i, (_, cells) in enumerate(table.rows()):
            for j in wanted:
                value = clean(cells[j]) if j < len(cells) else ""
                if value and len(report.samples[j]) < 3 and value not in report.samples[j]:
                    report.samples[j].append(value[:60])
            if i >= rows:
                break
    except ImportFileError:
        pass
    report.baris = table.read


def _read_rows(table: Table, kind: str, plan: ColumnPlan, places: Places,
               report: ValidationReport, progress, today: dt.date) -> None:
    notes = Notes()
    rules = RowChecks(kind, plan, places, report, notes, today)
    convert = getattr(rules, kind)
    records = Records(kind, places)
    problems = report.problems
    width = len(table.header)
    unnamed = [j for j, h in enumerate(table.header) if not h]
    strict_width = table.format == "csv"
    labels_at = [j for t, j in plan.used.items() if t in ("kode_desa", "nama_desa", "kecamatan")]
    labels_at += [c.index for c in plan.columns if c.target == "nomor"]
    first_label = max(labels_at) if labels_at else 0  # JUMLAH sits in the first label cell it fills
    total_row: tuple[int, list[str]] | None = None
    personal: dict[tuple[int, str | None], list] = {}  # (column, header) -> [first rows, count]
    count = 0
    try:
        for n, cells in table.rows():
            count += 1
            if count % PROGRESS_EVERY == 0 and progress is not None:
                progress(table.progress(), f"{fmt.number(count)} baris diperiksa")
            if total_row is not None:  # a JUMLAH row with rows after it
                problems.add(RowError(total_row[0], None, "baris jumlah/subtotal di tengah data; hapus "
                                                          "baris itu (hanya baris desa yang diimpor)",
                                      "baris jumlah di tengah"))
                total_row = None
            if _is_total(cells, first_label, rules):
                total_row = (n, cells)
                continue
            before = problems.total
            if max(map(len, cells)) >= 7:
                for j, cell in enumerate(cells):
                    what = personal_value(cell)
                    if what:
                        column = (table.header[j] if j < width else None) or None
                        seen = personal.setdefault((j, column), [[], 0])
                        seen[1] += 1
                        if len(seen[0]) < 10:
                            seen[0].append(n)
                        problems.add(RowError(n, column, f"berisi {_PERSONAL_WHAT[what]}. Dasbor "
                                              "hanya menyimpan angka agregat, bukan data perorangan; "
                                              "berkas ditolak.", _PERSONAL_KIND[what]))
            if strict_width and (len(cells) > width and any(c.strip() for c in cells[width:])
                                 or unnamed and any(cells[j].strip() for j in unnamed if j < len(cells))):
                problems.add(RowError(n, None, "baris ini punya lebih banyak isian daripada judul kolom "
                                               "(periksa pemisah kolom; angka desimal dengan koma?)",
                                      "isian lebih banyak dari judul"))
            values = convert(n, cells)
            if problems.total == before:
                records.append(n, values)
    except ImportFileError as exc:
        problems.add(RowError(None, None, str(exc), "berkas tidak dapat dibaca"))
    finally:
        table.close()
    report.baris = count - (total_row is not None)
    for (j, column), (rows, total) in personal.items():
        problems.add(RowError(None, column, f"{'k' if column else 'K'}olom {column_letter(j)} berisi "
                                            f"data pribadi di {rows_text(rows, total)}: seluruh berkas ditolak, "
                                            f"tidak ada yang ditulis. Hapus kolom itu (atau isinya), "
                                            f"lalu impor lagi.", "data pribadi di kolom"))
    if progress is not None:
        progress(1.0, f"{fmt.number(count)} baris diperiksa")
    if not strict_width and unnamed:
        where = ", ".join(str(j + 1) for j in unnamed[:10])
        report.warnings.append(RowError(None, None, f"{len(unnamed)} kolom tanpa judul diabaikan "
                                                    f"(kolom ke-{where}).",
                                        "kolom tanpa judul"))
    if count == 0 and total_row is None:
        problems.add(RowError(None, None, "Berkas hanya berisi judul kolom; tidak ada baris data.",
                              "tidak ada baris data"))
    report.warnings.extend(notes.warnings())
    report.warnings.extend(rules.name_warnings())
    report.records = records
    if total_row is not None:
        _check_total(total_row, rules, records, report)


_PERSONAL_WHAT = {
    "NIK": "angka 15-16 digit yang tampak seperti NIK (juga bila ditulis dengan tanda hubung atau "
           "spasi)",
    "NIK yang ditampilkan spreadsheet dalam notasi ilmiah": "angka dalam notasi ilmiah (mis. "
                                                             "7,3E+15) yang tampak seperti NIK "
                                                             "yang diubah spreadsheet",
    "nama orang dengan tanggal lahir atau alamat": "teks yang tampak seperti nama orang dengan "
                                                   "tanggal lahir atau alamat",
}
_PERSONAL_KIND = {"NIK": "tampak seperti NIK",
                  "NIK yang ditampilkan spreadsheet dalam notasi ilmiah": "tampak seperti NIK",
                  "nama orang dengan tanggal lahir atau alamat": "tampak seperti data pribadi"}


def _is_total(cells: list[str], first_label: int, rules: RowChecks) -> bool:
    """A JUMLAH/TOTAL row: its first label cell (or first cell) says so, and it has no village code."""
    first = ""
    for cell in cells[:first_label + 1]:
        if cell and not cell.isspace():
            first = cell
            break
    if not first or first.lstrip()[:1] not in "JjTtGgSs" or not is_total_label(first):
        return False
    code = rules.raw(cells, "kode_desa").strip()
    return not code or rules.places.village_code(code) is None


_SUMMED = ("wajib_ktp", "sudah_rekam", "wajib_l", "wajib_p", "rekam_l", "rekam_p", "jumlah", "nilai")


def _check_total(total_row: tuple[int, list[str]], rules: RowChecks, records: Records,
                 report: ValidationReport) -> None:
    """The JUMLAH row at the bottom must equal the sum of the rows above it; it is not imported."""
    n, cells = total_row
    report.total_row = n
    if report.problems:
        report.warnings.append(RowError(n, None, "baris jumlah tidak diperiksa karena ada kesalahan "
                                                 "lain; baris itu tidak diimpor", "baris jumlah"))
        return
    sums = {}
    for target in _SUMMED:
        if target in records.names:
            column = records.array(target).astype(np.int64)
            sums[target] = int(column[column != EMPTY].sum())
    if "wajib_ktp" in sums:
        sums["belum_rekam"] = sums["wajib_ktp"] - sums["sudah_rekam"]
        sums["belum_l"] = sums["wajib_l"] - sums["rekam_l"]
        sums["belum_p"] = sums["wajib_p"] - sums["rekam_p"]
    before = report.problems.total
    for target, expected in sums.items():
        if target not in rules.used or not rules.raw(cells, target).strip():
            continue
        value = rules.whole(n, cells, target, required=False)
        if ok(value) and value != expected:
            rules.fail(n, target, f"baris jumlah: {fmt.number(value)} tidak sama dengan jumlah "
                                  f"baris-baris di atasnya ({fmt.number(expected)})",
                       "baris jumlah tidak cocok")
    if "wajib_ktp" in sums:
        rules.coverage(n, cells, sums["wajib_ktp"], sums["sudah_rekam"])
    if report.problems.total == before:
        report.warnings.append(RowError(n, None, "baris jumlah cocok dengan jumlah baris-baris di "
                                                 "atasnya; baris itu tidak diimpor", "baris jumlah"))
    else:
        report.records = None


# ---------------------------------------------------------------------------------------------
# Across rows, and against the store
# ---------------------------------------------------------------------------------------------

def already_imported(conn: sa.Connection, sha: str, exclude: int | None = None) -> RowError | None:
    i = store.impor
    query = (sa.select(i.c.id, i.c.waktu, i.c.nama_file, i.c.oleh)
             .where(i.c.sha256 == sha, i.c.status == "aktif").order_by(i.c.id).limit(1))
    if exclude is not None:
        query = query.where(i.c.id != exclude)
    earlier = conn.execute(query).first()
    if earlier is None:
        return None
    return RowError(None, None, f"Berkas ini sudah pernah diimpor: impor #{earlier.id} pada "
                                f"{when_text(earlier.waktu)} ({show(earlier.nama_file)}, oleh "
                                f"{earlier.oleh}). Isi yang sama tidak diimpor dua kali; "
                                f"tidak ada yang ditulis.", "sudah pernah diimpor")


def _duplicates(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of repeated keys, and for each the position of the key's first occurrence."""
    if len(keys) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    repeated = np.nonzero(ordered[1:] == ordered[:-1])[0] + 1
    first = np.searchsorted(ordered, ordered[repeated], side="left")
    return order[repeated], order[first]


def registry_clashes(conn: sa.Connection, records: Records, places: Places,
                     exclude: int | None = None) -> list[RowError]:
    """Villages and dates an active real batch (other than `exclude`) already holds: one
    sentence for the whole file (never one per row)."""
    if not len(records):
        return []
    found = changes.held(conn, records, places, exclude=exclude)
    if not found:
        return []
    return [RowError(None, None, changes.refusal(conn, found, len(records)), "sudah ada di basis data")]


def _registry_against_store(conn: sa.Connection, report: ValidationReport, places: Places) -> None:
    """A file whose villages and dates an import holds: the same figures (nothing to do), an
    import to replace whole, or one sentence of refusal. Then what saving it changes."""
    records: Records = report.records
    found = changes.held(conn, records, places)
    replace = None
    if found:
        settled = changes.overlap(conn, records, places, found)
        if settled is None:
            report.problems.add(RowError(None, None, changes.refusal(conn, found, len(records)),
                                         "sudah ada di basis data"))
            return
        if settled.sama:
            report.same_as = settled
            return
        report.replaces = settled
        replace = settled.impor
    if not report.problems:
        report.preview = changes.preview(conn, records, places, replace=replace)


def _cross_checks(conn: sa.Connection, kind: str, report: ValidationReport, places: Places) -> None:
    records: Records = report.records
    rows = records.rows_at()
    notes = Notes()
    if kind == "registri":
        keys = registry_keys(records)
        again, first = _duplicates(keys)
        for p, f in zip(again, first):
            kode = places.desa_codes[int(keys[p]) // 1_000_000]
            day = dt.date.fromordinal(int(keys[p]) % 1_000_000)
            report.problems.add(RowError(int(rows[p]), LABELS["tanggal"], f"desa {kode} "
                                         f"{places.desa[kode][0]} per {fmt.date(day)} sudah ada di "
                                         f"baris {int(rows[f])}", "desa dan tanggal ganda"))
        if not report.problems:  # other problems first: the rows compared must be clean
            _registry_against_store(conn, report, places)
    elif kind == "target":
        keys = ((records.array("program").astype(np.int64) * 100 + records.array("layanan")) * 100_000
                + records.array("kecamatan_kode") + 1) * 10_000 + records.array("kabupaten_kode") + 1
        again, first = _duplicates(keys)
        for p, f in zip(again, first):
            row = next(records.dicts(int(p), int(p) + 1))
            report.problems.add(RowError(int(rows[p]), None, f"target {row['program']} / {row['layanan']} "
                                         f"untuk {places.scope_name(row['kecamatan_kode'], row['kabupaten_kode'])} "
                                         f"sudah ada di baris {int(rows[f])}", "target ganda"))
        seen = {(r["program"], r["layanan"], r["kecamatan_kode"], r["kabupaten_kode"]): int(n)
                for r, n in zip(records.dicts(), rows)}
        t, i = store.target, store.impor
        existing = conn.execute(sa.select(t.c.program, t.c.layanan, t.c.kecamatan_kode, t.c.kabupaten_kode, i.c.id)
                                .join(i, t.c.impor_id == i.c.id)
                                .where(i.c.status == "aktif", i.c.contoh == sa.false())).all()
        for program, layanan, kec, kab, batch in existing:
            baris = seen.get((program, layanan, kec, kab))
            if baris is not None:
                report.warnings.append(RowError(baris, None, f"target {program} / {layanan} untuk "
                                                f"{places.scope_name(kec, kab)} sudah ada di impor #{batch}; "
                                                f"target baru ini yang akan dipakai", "target sudah ada"))
    elif kind == "kegiatan" and len(records) > 1:
        matrix = np.stack([records.array(name) for name in records.names], axis=1)
        _, first_of, inverse, counts = np.unique(matrix, axis=0, return_index=True,
                                                 return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        for p in np.nonzero(counts[inverse] > 1)[0]:
            f = first_of[inverse[p]]
            if f != p:
                notes.add(f"sama:{int(rows[f])}", int(rows[p]), f"sama persis dengan baris "
                                                                f"{int(rows[f])}; periksa bahwa kegiatan "
                                                                f"ini tidak tercatat dua kali")
    report.warnings.extend(notes.warnings())
