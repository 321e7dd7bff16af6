"""Row checks: every data row converted and checked against the store, one pass, any size.

For each row the checks of its kind run (registry snapshot, partner activity, programme target):
values parsed (`values`), villages and partners found (`places`), derived columns compared with
what they derive from (Belum rekam = Wajib KTP − Sudah rekam, L + P = total, Cakupan within the
rounding it was written with). Every problem is counted with its row, column and reason
(`report.Problems` keeps the first hundred). Clean rows go into compact `Records`; the checks
across rows (the same village and date twice, or already in the store; a JUMLAH row at the
bottom against the sum of the rows above it) run on those arrays once the file is read.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Callable

import numpy as np
import pandas as pd
import sqlalchemy as sa

from .. import fmt, store
from . import headers as vocab
from .headers import LABELS
from .places import Places
from .reading import ImportFileError, Table
from .records import EMPTY, Records
from .report import Notes, RowError, ValidationReport, rows_text
from .values import (EXCEL_ERRORS, LARGEST, VOCABS, FormulaWithoutValue, Invalid, Vocab, clean,
                     is_total_label, key, looks_like_nik, parse_date, parse_percent, parse_whole,
                     show)

BAD = object()  # a cell that already has an error: cross-checks stay quiet about it
PROGRESS_EVERY = 8192
_CACHE_LIMIT = 200_000


def ok(*values) -> bool:
    for v in values:
        if v is None or v is BAD:
            return False
    return True


def quick_whole(raw: str) -> int | None:
    """'2480' or '3.112' the quick way (most cells); None: let parse_whole decide."""
    if raw.isdigit():
        if raw.isascii() and len(raw) < 10:
            return int(raw)
        return None
    parts = raw.split(".")
    if len(parts) < 2 or not raw.isascii() or not 1 <= len(parts[0]) <= 3:
        return None
    for part in parts:
        if not part.isdigit():
            return None
    for part in parts[1:]:
        if len(part) != 3:
            return None
    value = int("".join(parts))
    return value if value <= LARGEST else None


class RowChecks:
    """Converts and checks the rows of one file; collects problems and warnings."""

    def __init__(self, kind: str, plan: vocab.ColumnPlan, places: Places, report: ValidationReport,
                 notes: Notes, today: dt.date):
        self.kind, self.plan, self.places = kind, plan, places
        self.used = plan.used
        self.problems, self.notes, self.today = report.problems, notes, today
        self.labels = {target: plan.label(target) for target in (*vocab.targets(kind),)}
        self._numbers: dict[str, object] = {}
        self._dates: dict[str, object] = {}
        self._codes: dict[str, int] = {}
        self._kec_order = {k: i for i, k in enumerate(sorted(places.kecamatan))}
        self._mitra_order = {k: i for i, k in enumerate(places.mitra_codes)}
        self._vocab_order = {name: {c: i for i, c in enumerate(v.codes)} for name, v in VOCABS.items()}
        self.by_name: dict[tuple, list] = {}

    # --- cells -----------------------------------------------------------------------------------

    def fail(self, n: int, target: str | None, message: str, jenis: str) -> object:
        label = self.labels.get(target, LABELS.get(target, target)) if target else None
        self.problems.add(RowError(n, label, message, jenis))
        return BAD

    def raw(self, cells: list[str], target: str) -> str:
        j = self.used.get(target)
        return cells[j] if j is not None and j < len(cells) else ""

    def _empty(self, n: int, raw: str, target: str, required: bool, what: str = ""):
        if isinstance(raw, FormulaWithoutValue):
            return self.fail(n, target, f"berisi rumus tanpa nilai tersimpan ({show('=' + raw.formula)}); "
                                        f"buka berkas di Excel agar rumusnya dihitung, lalu simpan "
                                        f"lagi", "rumus tanpa nilai tersimpan")
        if required:
            return self.fail(n, target, what or "kosong; kolom ini wajib diisi", "kosong")
        return None

    def whole(self, n: int, cells: list[str], target: str, required: bool = True,
              positive: bool = False):
        j = self.used.get(target)
        if j is None:
            return None
        raw = cells[j] if j < len(cells) else ""
        value = self._numbers.get(raw)
        if value is None:
            if isinstance(raw, FormulaWithoutValue):
                return self._empty(n, raw, target, True)
            if raw.strip() in ("", "-", "–"):
                return self._empty(n, raw, target, required)
            value = quick_whole(raw)
            if value is None:
                try:
                    value = parse_whole(raw)
                except Invalid as exc:
                    value = exc
            if len(self._numbers) > _CACHE_LIMIT:
                self._numbers.clear()
            self._numbers[raw] = value
        if value.__class__ is not int:
            return self.fail(n, target, str(value), value.jenis)
        if positive and value == 0:
            return self.fail(n, target, "harus lebih dari 0", "nol")
        return value

    def date(self, n: int, cells: list[str], target: str, future: bool = False):
        raw = self.raw(cells, target)
        value = self._dates.get(raw)
        if value is None:
            if raw.strip() in ("", "-", "–") or isinstance(raw, FormulaWithoutValue):
                return self._empty(n, raw, target, True)
            try:
                value = parse_date(raw).toordinal()
            except Invalid as exc:
                value = exc
            if len(self._dates) > _CACHE_LIMIT:
                self._dates.clear()
            self._dates[raw] = value
        if isinstance(value, Invalid):
            return self.fail(n, target, str(value), value.jenis)
        if not future and value > self.today.toordinal():
            return self.fail(n, target, f"tanggal {fmt.tanggal(dt.date.fromordinal(value))} belum "
                                        f"lewat (di masa depan)", "tanggal di masa depan")
        return value

    def coded(self, n: int, cells: list[str], target: str, vocabulary: Vocab,
              default: str | None = None):
        raw = clean(self.raw(cells, target))
        if raw in ("", "-", "–"):
            if default is not None:
                return self._vocab_order[target][default]
            return self._empty(n, self.raw(cells, target), target, True,
                               f"kosong; isi salah satu: {vocabulary.accepted()}")
        code = vocabulary.match(raw)
        if code is None:
            return self.fail(n, target, f"{vocabulary.what} {show(raw)} tidak dikenal; yang diterima: "
                                        f"{vocabulary.accepted()}", f"{vocabulary.what} tidak dikenal")
        return self._vocab_order[target][code]

    # --- places ----------------------------------------------------------------------------------

    def kecamatan(self, n: int, cells: list[str], required: bool = True):
        raw = clean(self.raw(cells, "kecamatan"))
        if raw in ("", "-", "–"):
            return self._empty(n, self.raw(cells, "kecamatan"), "kecamatan", required,
                               "kosong; kolom ini wajib diisi bila desa disebut dengan nama")
        code, reason = self.places.find_kecamatan(raw)
        if code is None:
            return self.fail(n, "kecamatan", reason, "kecamatan tidak dikenal")
        if reason == "ejaan":
            self.notes.add(f"kec:{raw}", n, f"kecamatan {show(raw)} dibaca sebagai "
                                            f"{self.places.kecamatan[code]} ({code}), ejaan mirip",
                           self.labels.get("kecamatan"))
        return code

    def village(self, n: int, cells: list[str]):
        """The village's index in places.desa_codes: by code, else by name."""
        raw_code = self.raw(cells, "kode_desa").strip()
        if raw_code:
            index = self._codes.get(raw_code)
            if index is None:
                code = self.places.village_code(raw_code)
                index = self._codes[raw_code] = EMPTY if code is None else self.places.desa_index[code]
            if index == EMPTY:
                return self.fail(n, "kode_desa", f"kode desa {show(raw_code)[1:-1]} tidak dikenal",
                                 "kode desa tidak dikenal")
            return index
        name = clean(self.raw(cells, "nama_desa"))
        if not name:
            what = "kode_desa" if "kode_desa" in self.used else "nama_desa"
            return self.fail(n, what, "kosong; isi kode desa (mis. 73.02.06.2006), atau nama desa dan "
                                      "kecamatannya", "desa kosong")
        kec = None
        if "kecamatan" in self.used:
            kec = self.kecamatan(n, cells, required=False)
            if kec is BAD:
                return BAD
        match, reason = self.places.find_village(name, kec)
        if match is None:
            return self.fail(n, "nama_desa", reason, "desa tidak ditemukan")
        group = self.by_name.setdefault((name, kec, match.kode, match.how), [[], 0])
        if len(group[0]) < 10:
            group[0].append(n)
        group[1] += 1
        return self.places.desa_index[match.kode]

    def partner(self, n: int, cells: list[str]):
        raw = clean(self.raw(cells, "mitra"))
        if not raw:
            return self._empty(n, self.raw(cells, "mitra"), "mitra", True)
        code = self.places.partner(raw)
        if code is None:
            return self.fail(n, "mitra", f"mitra {show(raw)} tidak dikenal; yang diterima: "
                                         f"{self.places.mitra_names()}", "mitra tidak dikenal")
        return self._mitra_order[code]

    def name_warnings(self) -> list[RowError]:
        """One warning per village found by name: which rows, which code."""
        out = []
        for (name, _kec, kode, how), (rows, count) in self.by_name.items():
            nama, kec = self.places.desa[kode]
            how_text = "ejaan mirip" if how == "ejaan" else "nama"
            out.append(RowError(None, self.labels.get("nama_desa"),
                                f"{rows_text(rows, count).capitalize()}: desa {show(name)} "
                                f"dicocokkan dengan {how_text} ke {kode} {nama} (Kec. "
                                f"{self.places.kecamatan[kec]}); periksa sebelum menyimpan",
                                "dicocokkan dengan nama"))
        return out

    # --- kinds -----------------------------------------------------------------------------------

    def registri(self, n: int, cells: list[str]):
        desa = self.village(n, cells)
        tanggal = self.date(n, cells, "tanggal")
        wl = self.whole(n, cells, "wajib_l", required=False)
        wp = self.whole(n, cells, "wajib_p", required=False)
        rl = self.whole(n, cells, "rekam_l", required=False)
        rp = self.whole(n, cells, "rekam_p", required=False)
        used = self.used
        wajib = self.whole(n, cells, "wajib_ktp") if "wajib_ktp" in used else \
            (wl + wp if ok(wl, wp) else BAD if BAD in (wl, wp) else
             self.fail(n, "wajib_l", "kosong; tanpa kolom Wajib KTP, Wajib L dan Wajib P wajib diisi",
                       "kosong"))
        rekam = self.whole(n, cells, "sudah_rekam") if "sudah_rekam" in used else \
            (rl + rp if ok(rl, rp) else BAD if BAD in (rl, rp) else
             self.fail(n, "rekam_l", "kosong; tanpa kolom Sudah Rekam, Rekam L dan Rekam P wajib "
                                     "diisi", "kosong"))
        if ok(wajib, rekam) and rekam > wajib:
            self.fail(n, "sudah_rekam", f"{fmt.angka(rekam)} lebih besar dari Wajib KTP "
                                        f"{fmt.angka(wajib)}", "rekam melebihi wajib KTP")
        for a, b, va, vb, total_col, total in (("wajib_l", "wajib_p", wl, wp, "wajib_ktp", wajib),
                                               ("rekam_l", "rekam_p", rl, rp, "sudah_rekam", rekam)):
            if BAD in (va, vb):
                continue
            if (va is None) != (vb is None):
                missing, given = (a, b) if va is None else (b, a)
                self.fail(n, missing, f"kosong, padahal {self.labels[given]} diisi; isi keduanya atau "
                                      f"kosongkan keduanya", "L/P tidak lengkap")
            elif va is not None and total_col in used and ok(total) and va + vb != total:
                self.fail(n, a, f"{self.labels[a]} {fmt.angka(va)} + {self.labels[b]} {fmt.angka(vb)} = "
                                f"{fmt.angka(va + vb)}, tidak sama dengan {LABELS[total_col]} "
                                f"{fmt.angka(total)}", "L + P tidak sama dengan jumlah")
        if ok(rl, rp) and wl is None and wp is None:
            self.fail(n, "rekam_l", "rincian rekam per jenis kelamin perlu rincian Wajib L dan Wajib P "
                                    "juga", "L/P tidak lengkap")
        for rc, wc, r, w in (("rekam_l", "wajib_l", rl, wl), ("rekam_p", "wajib_p", rp, wp)):
            if ok(r, w) and r > w:
                self.fail(n, rc, f"{fmt.angka(r)} lebih besar dari {self.labels[wc]} {fmt.angka(w)}",
                          "rekam melebihi wajib KTP")
        self._derived(n, cells, wajib, rekam, wl, wp, rl, rp)
        return (desa, tanggal, wajib, rekam, EMPTY if wl is None else wl, EMPTY if wp is None else wp,
                EMPTY if rl is None else rl, EMPTY if rp is None else rp)

    def _derived(self, n, cells, wajib, rekam, wl, wp, rl, rp) -> None:
        """Belum rekam (also by sex) must be Wajib − Rekam; Cakupan must be Rekam ÷ Wajib."""
        for target, w, r, wn, rn in (("belum_rekam", wajib, rekam, "Wajib KTP", "Sudah Rekam"),
                                     ("belum_l", wl, rl, "Wajib L", "Rekam L"),
                                     ("belum_p", wp, rp, "Wajib P", "Rekam P")):
            if target not in self.used:
                continue
            belum = self.whole(n, cells, target, required=False)
            if ok(belum, w, r) and belum != w - r:
                self.fail(n, target, f"{fmt.angka(belum)} tidak sama dengan {wn} {fmt.angka(w)} − "
                                     f"{rn} {fmt.angka(r)} = {fmt.angka(w - r)}",
                          "kolom turunan tidak cocok")
        self.coverage(n, cells, wajib, rekam)

    def coverage(self, n, cells, wajib, rekam) -> None:
        if "cakupan" not in self.used:
            return
        raw = self.raw(cells, "cakupan")
        if raw.strip() in ("", "-", "–") or not ok(wajib, rekam):
            return
        if wajib == 0 and raw.strip() in EXCEL_ERRORS:  # 0 ÷ 0 in Excel
            return
        try:
            value, decimals = parse_percent(raw)
        except Invalid as exc:
            self.fail(n, "cakupan", str(exc), exc.jenis)
            return
        if wajib and not agrees(value, decimals, rekam / wajib * 100):
            self.fail(n, "cakupan", f"{show(raw)} tidak sama dengan Sudah Rekam ÷ Wajib KTP = "
                                    f"{fmt.angka(rekam / wajib * 100, max(decimals, 1))}%",
                      "kolom turunan tidak cocok")

    def kegiatan(self, n: int, cells: list[str]):
        return (self.date(n, cells, "tanggal"), self.partner(n, cells), self.village(n, cells),
                self.coded(n, cells, "layanan", VOCABS["layanan"]), self.whole(n, cells, "jumlah"),
                self.coded(n, cells, "cara", VOCABS["cara"]),
                self.coded(n, cells, "rentan", VOCABS["rentan"], default="umum"))

    def target(self, n: int, cells: list[str]):
        program = self.coded(n, cells, "program", VOCABS["program"])
        layanan = self.coded(n, cells, "layanan", VOCABS["layanan"])
        scope = self._scope(n, cells)
        nilai = self.whole(n, cells, "nilai", positive=True)
        mulai = self.date(n, cells, "mulai", future=True)
        selesai = self.date(n, cells, "selesai", future=True)
        dasar = self.coded(n, cells, "dasar", VOCABS["dasar"])
        if ok(mulai, selesai) and selesai < mulai:
            self.fail(n, "selesai", f"tanggal selesai {fmt.tanggal(dt.date.fromordinal(selesai))} lebih "
                                    f"awal dari tanggal mulai {fmt.tanggal(dt.date.fromordinal(mulai))}",
                      "selesai sebelum mulai")
        registri = self._vocab_order["dasar"]["registri"]
        rekam = self._vocab_order["layanan"]["rekam_ektp"]
        if dasar == registri and ok(layanan) and layanan != rekam:
            self.fail(n, "dasar", "dasar 'registri' hanya untuk layanan rekam_ektp (registri hanya "
                                  "mencatat perekaman); gunakan kegiatan_mitra", "dasar tidak cocok")
        return program, layanan, scope, nilai, mulai, selesai, dasar

    def _scope(self, n: int, cells: list[str]):
        raw = clean(self.raw(cells, "kecamatan"))
        if key(raw) in ("", "kabupaten", "bulukumba", "kabupatenbulukumba", "kabbulukumba", "semua",
                        "seluruhkabupaten"):
            return EMPTY
        code = self.kecamatan(n, cells, required=False)
        return code if code is BAD else self._kec_order[code]


def agrees(written: float, decimals: int, computed: float) -> bool:
    """A percentage as written agrees with the computed one within its rounding; a share written
    as a fraction (0,921 from a %-formatted cell) counts too."""
    tolerance = 0.5 * 10 ** -decimals + 1e-9
    return abs(written - computed) <= tolerance or \
        (written <= 1 and abs(written * 100 - computed) <= tolerance * 100)


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
                                         + (" (Nama desa ditulis 'Nama Desa'.)" if key(h) == "nama" else ""),
                                         "data pribadi"))
        return report
    kind = report.jenis or vocab.detect_kind(headers, chosen, remembered)
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
    plan = vocab.plan_columns(headers, kind, chosen, remembered.get(kind), ignore_rest=ignore_rest)
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


def _samples(table: Table, plan: vocab.ColumnPlan, report: ValidationReport, rows: int = 200) -> None:
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


def _read_rows(table: Table, kind: str, plan: vocab.ColumnPlan, places: Places,
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
    count = 0
    try:
        for n, cells in table.rows():
            count += 1
            if count % PROGRESS_EVERY == 0 and progress is not None:
                progress(table.progress(), f"{fmt.angka(count)} baris diperiksa")
            if total_row is not None:  # a JUMLAH row with rows after it
                problems.add(RowError(total_row[0], None, "baris jumlah/subtotal di tengah data; hapus "
                                                          "baris itu (hanya baris desa yang diimpor)",
                                      "baris jumlah di tengah"))
                total_row = None
            if _is_total(cells, first_label, rules):
                total_row = (n, cells)
                continue
            before = problems.total
            if max(map(len, cells)) >= 16:
                for j, cell in enumerate(cells):
                    if looks_like_nik(cell):
                        problems.add(RowError(n, (table.header[j] if j < width else None) or None,
                                              "berisi angka 16 digit yang tampak seperti NIK. Dasbor "
                                              "hanya menyimpan angka agregat, bukan data perorangan; "
                                              "berkas ditolak.", "tampak seperti NIK"))
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
    if progress is not None:
        progress(1.0, f"{fmt.angka(count)} baris diperiksa")
    if not strict_width and unnamed:
        report.warnings.append(RowError(None, None, f"{len(unnamed)} kolom tanpa judul diabaikan "
                                                    f"(kolom ke-{', '.join(str(j + 1) for j in unnamed[:10])}).",
                                        "kolom tanpa judul"))
    if count == 0 and total_row is None:
        problems.add(RowError(None, None, "Berkas hanya berisi judul kolom; tidak ada baris data.",
                              "tidak ada baris data"))
    report.warnings.extend(notes.warnings())
    report.warnings.extend(rules.name_warnings())
    report.records = records
    if total_row is not None:
        _check_total(total_row, rules, records, report)


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
            rules.fail(n, target, f"baris jumlah: {fmt.angka(value)} tidak sama dengan jumlah "
                                  f"baris-baris di atasnya ({fmt.angka(expected)})",
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

def _when(value) -> str:
    """A stored UTC time as the office reads it: '19 Januari 2018 14.05 WITA'."""
    return fmt.waktu(None if value is None else pd.Timestamp(value).to_pydatetime())


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
                                f"{_when(earlier.waktu)} ({show(earlier.nama_file)}, oleh "
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


def _registry_keys(records: Records) -> np.ndarray:
    return records.array("desa_kode").astype(np.int64) * 1_000_000 + records.array("tanggal")


def registry_clashes(conn: sa.Connection, records: Records, places: Places,
                     exclude: int | None = None) -> list[RowError]:
    """Rows whose village and date an active real batch (other than `exclude`) already holds."""
    if not len(records):
        return []
    days = np.unique(records.array("tanggal"))
    t, i = store.registri, store.impor
    held: dict[int, tuple[int, object]] = {}
    for start in range(0, len(days), 500):
        chunk = [dt.date.fromordinal(int(d)) for d in days[start:start + 500]]
        query = (sa.select(t.c.desa_kode, t.c.tanggal, i.c.id, i.c.waktu)
                 .join(i, t.c.impor_id == i.c.id)
                 .where(i.c.status == "aktif", i.c.contoh == sa.false(),  # demo gives way to real data
                        t.c.tanggal.in_(chunk)))
        if exclude is not None:
            query = query.where(i.c.id != exclude)
        for kode, tanggal, batch, waktu in conn.execute(query):
            if kode in places.desa_index:
                held[places.desa_index[kode] * 1_000_000 + tanggal.toordinal()] = (batch, waktu)
    if not held:
        return []
    keys = _registry_keys(records)
    clash = np.nonzero(np.isin(keys, np.fromiter(held, dtype=np.int64)))[0]
    rows = records.rows_at()
    errors = []
    for p in clash:
        batch, waktu = held[int(keys[p])]
        kode = places.desa_codes[int(keys[p]) // 1_000_000]
        day = dt.date.fromordinal(int(keys[p]) % 1_000_000)
        errors.append(RowError(int(rows[p]), LABELS["tanggal"],
                               f"data desa {kode} {places.desa[kode][0]} per {fmt.tanggal(day)} sudah "
                               f"ada di impor #{batch} ({_when(waktu)}); batalkan impor itu dulu bila "
                               f"ingin menggantinya", "sudah ada di basis data"))
    return errors


def _cross_checks(conn: sa.Connection, kind: str, report: ValidationReport, places: Places) -> None:
    records: Records = report.records
    rows = records.rows_at()
    notes = Notes()
    if kind == "registri":
        keys = _registry_keys(records)
        again, first = _duplicates(keys)
        for p, f in zip(again, first):
            kode = places.desa_codes[int(keys[p]) // 1_000_000]
            day = dt.date.fromordinal(int(keys[p]) % 1_000_000)
            report.problems.add(RowError(int(rows[p]), LABELS["tanggal"], f"desa {kode} "
                                         f"{places.desa[kode][0]} per {fmt.tanggal(day)} sudah ada di "
                                         f"baris {int(rows[f])}", "desa dan tanggal ganda"))
        report.problems.extend(registry_clashes(conn, records, places))
    elif kind == "target":
        keys = (records.array("program").astype(np.int64) * 100 + records.array("layanan")) * 100 \
            + records.array("kecamatan_kode") + 1
        again, first = _duplicates(keys)
        for p, f in zip(again, first):
            row = next(records.dicts(int(p), int(p) + 1))
            report.problems.add(RowError(int(rows[p]), None, f"target {row['program']} / {row['layanan']} "
                                         f"untuk {places.scope_name(row['kecamatan_kode'])} sudah ada "
                                         f"di baris {int(rows[f])}", "target ganda"))
        seen = {(r["program"], r["layanan"], r["kecamatan_kode"]): int(n)
                for r, n in zip(records.dicts(), rows)}
        t, i = store.target, store.impor
        existing = conn.execute(sa.select(t.c.program, t.c.layanan, t.c.kecamatan_kode, i.c.id)
                                .join(i, t.c.impor_id == i.c.id)
                                .where(i.c.status == "aktif", i.c.contoh == sa.false())).all()
        for program, layanan, kec, batch in existing:
            baris = seen.get((program, layanan, kec))
            if baris is not None:
                report.warnings.append(RowError(baris, None, f"target {program} / {layanan} untuk "
                                                f"{places.scope_name(kec)} sudah ada di impor #{batch}; "
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
