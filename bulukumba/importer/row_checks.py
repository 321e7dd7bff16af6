"""Row checks: one data row converted and checked, cell by cell, as fast as a row can be.

For each row the checks of its kind run (registry snapshot, partner activity, programme target):
values parsed (`values`), villages and partners found (`places`), derived columns compared with
what they derive from (Belum rekam = Wajib KTP − Sudah rekam, L + P = total, Cakupan within the
rounding it was written with). A problem is counted with its row, column and reason; the row's
values come back as the integers `records.Records` keeps. Parsed cells are cached: a file says
"19/01/2018" and "Kajang" a million times.
"""
from __future__ import annotations

import datetime as dt

from bulukumba.language import fmt, names
from bulukumba.importer import headers as vocab
from bulukumba.importer.column_plan import ColumnPlan
from bulukumba.importer.headers import LABELS
from bulukumba.importer.places import Places
from bulukumba.importer.records import EMPTY
from bulukumba.importer.report import Notes, RowError, ValidationReport
from bulukumba.importer.values import (EXCEL_ERRORS, LARGEST, VOCABS, FormulaWithoutValue, Invalid, Vocab, clean,
                     parse_date, parse_percent, parse_whole, show)

BAD = object()  # a cell that already has an error: cross-checks stay quiet about it
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

    def __init__(self, kind: str, plan: ColumnPlan, places: Places, report: ValidationReport,
                 notes: Notes, today: dt.date):
        self.kind, self.plan, self.places = kind, plan, places
        self.used = plan.used
        self.problems, self.notes, self.today = report.problems, notes, today
        self.labels = {target: plan.label(target) for target in (*vocab.targets(kind),)}
        self._numbers: dict[str, object] = {}
        self._dates: dict[str, object] = {}
        self._codes: dict[str, int] = {}
        self._kec_order = {k: i for i, k in enumerate(sorted(places.kecamatan))}
        self._kab_order = {k: i for i, k in enumerate(places.kabupaten_codes)}
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
            return self.fail(n, target, f"tanggal {fmt.date(dt.date.fromordinal(value))} belum "
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
                                f"desa {show(name)} dicocokkan dengan {how_text} ke {kode} {nama} "
                                f"(Kec. {self.places.kecamatan[kec]})", "dicocokkan dengan nama",
                                semua_baris=tuple(rows), jumlah_baris=count))
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
            self.fail(n, "sudah_rekam", f"{fmt.number(rekam)} lebih besar dari Wajib KTP "
                                        f"{fmt.number(wajib)}", "rekam melebihi wajib KTP")
        for a, b, va, vb, total_col, total in (("wajib_l", "wajib_p", wl, wp, "wajib_ktp", wajib),
                                               ("rekam_l", "rekam_p", rl, rp, "sudah_rekam", rekam)):
            if BAD in (va, vb):
                continue
            if (va is None) != (vb is None):
                missing, given = (a, b) if va is None else (b, a)
                self.fail(n, missing, f"kosong, padahal {self.labels[given]} diisi; isi keduanya atau "
                                      f"kosongkan keduanya", "L/P tidak lengkap")
            elif va is not None and total_col in used and ok(total) and va + vb != total:
                self.fail(n, a, f"{self.labels[a]} {fmt.number(va)} + {self.labels[b]} {fmt.number(vb)} = "
                                f"{fmt.number(va + vb)}, tidak sama dengan {LABELS[total_col]} "
                                f"{fmt.number(total)}", "L + P tidak sama dengan jumlah")
        if ok(rl, rp) and wl is None and wp is None:
            self.fail(n, "rekam_l", "rincian rekam per jenis kelamin perlu rincian Wajib L dan Wajib P "
                                    "juga", "L/P tidak lengkap")
        for rc, wc, r, w in (("rekam_l", "wajib_l", rl, wl), ("rekam_p", "wajib_p", rp, wp)):
            if ok(r, w) and r > w:
                self.fail(n, rc, f"{fmt.number(r)} lebih besar dari {self.labels[wc]} {fmt.number(w)}",
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
                self.fail(n, target, f"{fmt.number(belum)} tidak sama dengan {wn} {fmt.number(w)} − "
                                     f"{rn} {fmt.number(r)} = {fmt.number(w - r)}",
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
                                    f"{fmt.number(rekam / wajib * 100, max(decimals, 1))}%",
                      "kolom turunan tidak cocok")

    def kegiatan(self, n: int, cells: list[str]):
        return (self.date(n, cells, "tanggal"), self.partner(n, cells), self.village(n, cells),
                self.coded(n, cells, "layanan", VOCABS["layanan"]), self.whole(n, cells, "jumlah"),
                self.coded(n, cells, "cara", VOCABS["cara"]),
                self.coded(n, cells, "rentan", VOCABS["rentan"], default="umum"))

    def target(self, n: int, cells: list[str]):
        program = self.coded(n, cells, "program", VOCABS["program"])
        layanan = self.coded(n, cells, "layanan", VOCABS["layanan"])
        kecamatan, kabupaten = self._scope(n, cells)
        nilai = self.whole(n, cells, "nilai", positive=True)
        mulai = self.date(n, cells, "mulai", future=True)
        selesai = self.date(n, cells, "selesai", future=True)
        dasar = self.coded(n, cells, "dasar", VOCABS["dasar"])
        if ok(mulai, selesai) and selesai < mulai:
            self.fail(n, "selesai", f"tanggal selesai {fmt.date(dt.date.fromordinal(selesai))} lebih "
                                    f"awal dari tanggal mulai {fmt.date(dt.date.fromordinal(mulai))}",
                      "selesai sebelum mulai")
        registri = self._vocab_order["dasar"]["registri"]
        rekam = self._vocab_order["layanan"]["rekam_ektp"]
        if dasar == registri and ok(layanan) and layanan != rekam:
            self.fail(n, "dasar", "dasar 'registri' hanya untuk layanan rekam_ektp (registri hanya "
                                  "mencatat perekaman); gunakan kegiatan_mitra", "dasar tidak cocok")
        return program, layanan, kecamatan, kabupaten, nilai, mulai, selesai, dasar

    def _scope(self, n: int, cells: list[str]) -> tuple:
        """(kecamatan, regency) a target covers, as record values: a kecamatan; a regency of the
        store (by name or code); or, empty or "semua", everything the store holds. In a store of
        one regency, naming it is the same as everything (the targets of the first release)."""
        raw = clean(self.raw(cells, "kecamatan"))
        if names.fold(raw) in ("", "kabupaten", "semua", "seluruhkabupaten", "semuawilayah", "seluruhwilayah"):
            return EMPTY, EMPTY
        regency = self.places.find_kabupaten(raw)
        if regency is not None:
            if len(self.places.kabupaten) == 1:
                return EMPTY, EMPTY
            return EMPTY, self._kab_order[regency]
        code = self.kecamatan(n, cells, required=False)
        return (code if code is BAD else self._kec_order[code]), EMPTY


def agrees(written: float, decimals: int, computed: float) -> bool:
    """A percentage as written agrees with the computed one within its rounding; a share written
    as a fraction (0,921 from a %-formatted cell) counts too."""
    tolerance = 0.5 * 10 ** -decimals + 1e-9
    return abs(written - computed) <= tolerance or \
        (written <= 1 and abs(written * 100 - computed) <= tolerance * 100)
