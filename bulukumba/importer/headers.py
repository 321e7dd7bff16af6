"""The vocabulary of headers: what each column of an import file means.

Real exports name their columns in endless ways ("Nama Desa/Kel", "Desa / Kelurahan",
"Wajib KTP-el (jiwa)", "Perekaman s.d. bulan ini", "WKTP (L)"). A list of spellings always misses
the next one, so a header is read for its meaning instead:

1. `words`: lower case ASCII words; '%' is a word, 's.d.' and 's/d' are one; glued words
   ("NAMADESA") are split and one-letter slips ("Kelurhan") forgiven;
2. `concepts`: each word stands for a concept (`kel`, `kelurahan` and `desa` all mean *desa*;
   `l`, `lk`, `laki-laki` and `pria` mean *laki*) or is filler (`ktp`, `el`, `jiwa`, `s.d.`,
   `bulan ini`, numbers); a word that is neither makes the header unknown;
3. `recognise`: a column is a set of concepts that must be there and a set that may be
   (wajib_l = {wajib, laki} + maybe {jumlah}), so any reasonable combination of known words
   lands on its column, and a header that fits none, or two, is left to the operator.

`plan_columns` decides every column of a file: the operator's choice for this file, then the
choice remembered for that header spelling, then recognition. Running numbers are ignored
silently, notes columns with a warning; an unknown or ambiguous column stops the import until
the operator says what it is (or "abaikan").
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from .report import RowError
from .values import key, show

KINDS = ("registri", "kegiatan", "target")

#: Canonical column names per kind: the template headers.
COLUMNS: dict[str, tuple[str, ...]] = {
    "registri": ("kode_desa", "nama_desa", "kecamatan", "tanggal", "wajib_ktp", "sudah_rekam",
                 "wajib_l", "wajib_p", "rekam_l", "rekam_p"),
    "kegiatan": ("tanggal", "mitra", "kode_desa", "nama_desa", "kecamatan", "layanan", "jumlah",
                 "cara", "rentan"),
    "target": ("program", "layanan", "kecamatan", "nilai", "mulai", "selesai", "dasar"),
}
#: Columns computed from others in the same file: checked on every row, never stored.
DERIVED: dict[str, tuple[str, ...]] = {
    "registri": ("belum_rekam", "belum_l", "belum_p", "cakupan"),
    "kegiatan": (),
    "target": (),
}
#: Columns that must be present (a village may be given by code, or by name).
REQUIRED: dict[str, tuple[str, ...]] = {
    "registri": ("tanggal", "wajib_ktp", "sudah_rekam"),
    "kegiatan": ("tanggal", "mitra", "layanan", "jumlah", "cara"),
    "target": ("program", "layanan", "nilai", "mulai", "selesai", "dasar"),
}
NEEDS_VILLAGE = ("registri", "kegiatan")
#: A total that may be given as its two halves instead (wajib_l + wajib_p).
SPLIT = {"wajib_ktp": ("wajib_l", "wajib_p"), "sudah_rekam": ("rekam_l", "rekam_p")}

#: What the operator may say a column is, besides a column of the kind.
IGNORE = "abaikan"

#: How a column is named in messages and on the page.
LABELS = {
    "kode_desa": "Kode Desa", "nama_desa": "Nama Desa", "kecamatan": "Kecamatan",
    "tanggal": "Tanggal", "wajib_ktp": "Wajib KTP", "sudah_rekam": "Sudah Rekam",
    "wajib_l": "Wajib L", "wajib_p": "Wajib P", "rekam_l": "Rekam L", "rekam_p": "Rekam P",
    "belum_rekam": "Belum Rekam", "belum_l": "Belum Rekam L", "belum_p": "Belum Rekam P",
    "cakupan": "Cakupan (%)",
    "mitra": "Mitra", "layanan": "Layanan", "jumlah": "Jumlah", "cara": "Cara",
    "rentan": "Rentan", "program": "Program", "nilai": "Nilai", "mulai": "Mulai",
    "selesai": "Selesai", "dasar": "Dasar",
    "nomor": "Nomor urut", "catatan": "Keterangan", IGNORE: "Abaikan kolom ini",
}

#: Example headers per column, quoted in messages ("judul yang diterima, mis.: …").
EXAMPLES: dict[str, tuple[str, ...]] = {
    "kode_desa": ("Kode Desa", "Kode Wilayah", "Kode Desa/Kel", "Kode"),
    "nama_desa": ("Nama Desa", "Desa/Kelurahan", "Nama Desa/Kel"),
    "kecamatan": ("Kecamatan", "Kec.", "Kode Kecamatan"),
    "tanggal": ("Tanggal", "Tgl", "Per Tanggal", "Keadaan Per"),
    "wajib_ktp": ("Wajib KTP", "WKTP", "Jml Wajib KTP-el"),
    "sudah_rekam": ("Sudah Rekam", "Rekam", "Sudah Perekaman", "Perekaman s.d. bulan ini"),
    "wajib_l": ("Wajib L", "Wajib KTP Laki-laki"), "wajib_p": ("Wajib P", "Wajib KTP Perempuan"),
    "rekam_l": ("Rekam L", "Sudah Rekam Lk"), "rekam_p": ("Rekam P", "Sudah Rekam Pr"),
    "mitra": ("Mitra", "Nama Mitra", "Lembaga"),
    "layanan": ("Layanan", "Jenis Layanan", "Jenis Dokumen"),
    "jumlah": ("Jumlah", "Jml Dilayani", "Jumlah Dokumen"),
    "cara": ("Cara", "Metode Pelayanan"), "rentan": ("Rentan", "Kelompok Rentan"),
    "program": ("Program", "Nama Program"), "nilai": ("Nilai", "Target", "Jumlah Target"),
    "mulai": ("Mulai", "Tanggal Mulai", "Tgl Awal"), "selesai": ("Selesai", "Tanggal Selesai",
                                                                "Batas Waktu"),
    "dasar": ("Dasar", "Dasar Perhitungan", "Basis"),
}

# ---------------------------------------------------------------------------------------------
# Words and concepts
# ---------------------------------------------------------------------------------------------

_CONCEPT_WORDS: dict[str, tuple[str, ...]] = {
    "nomor": ("no", "nomor", "nmr", "nomer", "urut", "nourut"),
    "kode": ("kode", "kd", "code", "kodefikasi"),
    "desa": ("desa", "ds", "kelurahan", "kel", "kelur", "village", "lokasi"),
    "wilayah": ("wilayah", "wil", "kemendagri", "kepmendagri", "permendagri"),
    "kecamatan": ("kecamatan", "kec", "kcm", "distrik"),
    "tanggal": ("tanggal", "tgl", "tangal", "tanggl", "date"),
    "keadaan": ("keadaan", "posisi", "kondisi", "periode"),
    "pelaksanaan": ("pelaksanaan", "pendataan", "pelaporan", "laporan", "kegiatan"),
    "wajib": ("wajib", "wjb", "wktp"),
    "rekam": ("rekam", "perekaman", "merekam", "rekaman", "terekam", "direkam", "rkm", "rek"),
    "belum": ("belum", "blm", "blum", "sisa"),
    "laki": ("l", "lk", "laki", "lakilaki", "pria", "lelaki", "male"),
    "perempuan": ("p", "pr", "prp", "perempuan", "wanita", "female"),
    "persen": ("persen", "persentase", "prosentase", "presentase", "pct", "cakupan", "capaian",
               "rasio"),
    "jumlah": ("jumlah", "jml", "jmlh", "jum", "total", "banyaknya"),
    "nama": ("nama", "nm"),
    "mitra": ("mitra", "lembaga", "organisasi", "instansi", "ormas", "partner", "pelaksana", "opd"),
    "layanan": ("layanan", "pelayanan", "dokumen", "adminduk"),
    "dilayani": ("dilayani", "terlayani", "penerima", "peserta"),
    "jenis": ("jenis", "jns", "macam", "tipe"),
    "cara": ("cara", "metode", "mekanisme", "pola", "model", "moda"),
    "rentan": ("rentan", "kerentanan"),
    "kelompok": ("kelompok", "kategori", "golongan"),
    "program": ("program", "prog", "programme"),
    "target": ("target", "sasaran", "tgt"),
    "nilai": ("nilai", "besaran"),
    "mulai": ("mulai", "awal", "dari", "sejak", "start", "dimulai"),
    "selesai": ("selesai", "akhir", "sampai", "hingga", "batas", "berakhir", "tenggat", "deadline"),
    "waktu": ("waktu",),
    "dasar": ("dasar", "basis", "sumber", "acuan"),
    "perhitungan": ("perhitungan", "penghitungan", "hitung"),
    "catatan": ("keterangan", "ket", "catatan", "memo"),
    "lingkup": ("lingkup", "cakupanwilayah"),
}
#: Words that carry no meaning of their own here: units, "KTP-el", "s.d. bulan ini", fillers.
_FILLER = frozenset((
    "ktp", "el", "e", "ektp", "ktpel", "elektronik", "penduduk", "pddk", "jiwa", "orang", "org",
    "sd", "bulan", "bln", "ini", "kumulatif", "komulatif", "akumulasi", "akumulatif", "per",
    "data", "yang", "dan", "melakukan", "sudah", "sdh", "telah", "udah", "digit", "warga",
    "di", "untuk", "ke", "kerja", "terakhir", "tahun", "thn", "th", "kabupaten", "kab",
    *(m.lower() for m in ("januari", "februari", "maret", "april", "mei", "juni", "juli",
                          "agustus", "september", "oktober", "november", "desember", "jan", "feb",
                          "mar", "apr", "jun", "jul", "agu", "agt", "sep", "okt", "nov", "des")),
))
_WORD_CONCEPT = {word: concept for concept, words_ in _CONCEPT_WORDS.items() for word in words_}
_KNOWN_WORDS = set(_WORD_CONCEPT) | set(_FILLER)


def words(header: str) -> list[str]:
    """'Perekaman s.d. Bulan Ini (%)' -> ['perekaman', 'sd', 'bulan', 'ini', 'persen']."""
    text = unicodedata.normalize("NFKD", str(header)).encode("ascii", "ignore").decode().lower()
    text = text.replace("%", " persen ").replace("#", " nomor ")
    text = re.sub(r"\bs\s*[./]\s*d\b|\bsampai\s+dengan\b", " sd ", text)
    text = re.sub(r"\blaki\s*-\s*laki\b", " laki ", text)
    return re.findall(r"[a-z]+|[0-9]+", text)


@functools.lru_cache(maxsize=4096)
def _known(word: str) -> tuple[str, ...] | None:
    """A word as known words: itself, glued words split ('namadesa'), or a one-letter slip."""
    if word in _KNOWN_WORDS or word.isdigit():
        return (word,)
    split = _split_glued(word)
    if split:
        return split
    if len(word) >= 5:  # one slipped letter in a long word: 'kelurhan', 'perekamn'
        close = [w for w in _KNOWN_WORDS if len(w) >= 5 and edit_distance(w, word, 1) <= 1]
        if len({_WORD_CONCEPT.get(w, "") for w in close}) == 1:
            return (close[0],)
    return None


def _split_glued(word: str) -> tuple[str, ...] | None:
    """'jmlwajibktp' -> ('jml', 'wajib', 'ktp'): pieces of two letters or more (a final 'l' or
    'p' allowed, as in 'wajibl'), fewest pieces first."""
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for end in range(1, n + 1):
        for start in range(end):
            piece = word[start:end]
            prior = best[start]
            if prior is None:
                continue
            if piece in _KNOWN_WORDS and (len(piece) >= 2 or end == n and piece in ("l", "p")):
                candidate = prior + (piece,)
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    found = best[n]
    return found if found and len(found) > 1 else None


def concepts(header: str) -> frozenset[str] | None:
    """The concepts a header names, or None when it has a word this vocabulary does not know."""
    found: set[str] = set()
    for word in words(header):
        known = _known(word)
        if known is None:
            return None
        for w in known:
            if w in _FILLER or w.isdigit():
                continue
            found.add(_WORD_CONCEPT[w])
    if {"laki", "perempuan"} <= found:  # "L+P", "Jumlah L/P": the total of both
        found -= {"laki", "perempuan"}
        found.add("jumlah")
    return frozenset(found)


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, or limit + 1 once it is certainly larger than `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


# ---------------------------------------------------------------------------------------------
# Columns as concepts
# ---------------------------------------------------------------------------------------------

def _sig(required: str, optional: str = "") -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(required.split()), frozenset(optional.split())


#: column -> ways of naming it: (concepts that must be there, concepts that may be there).
_SIGNATURES: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = {
    "nomor": [_sig("nomor")],
    "catatan": [_sig("catatan")],
    "kode_desa": [_sig("kode", "desa wilayah nomor")],
    "nama_desa": [_sig("desa", "nama target")],
    "kecamatan": [_sig("kecamatan", "nama kode")],
    "tanggal": [_sig("tanggal", "keadaan pelaksanaan layanan"), _sig("keadaan", "tanggal")],
    "wajib_ktp": [_sig("wajib", "jumlah")],
    "sudah_rekam": [_sig("rekam", "jumlah")],
    "wajib_l": [_sig("wajib laki", "jumlah")],
    "wajib_p": [_sig("wajib perempuan", "jumlah")],
    "rekam_l": [_sig("rekam laki", "jumlah")],
    "rekam_p": [_sig("rekam perempuan", "jumlah")],
    "belum_rekam": [_sig("belum", "rekam wajib jumlah")],
    "belum_l": [_sig("belum laki", "rekam wajib jumlah")],
    "belum_p": [_sig("belum perempuan", "rekam wajib jumlah")],
    "cakupan": [_sig("persen", "rekam wajib jumlah")],
    "mitra": [_sig("mitra", "nama kode jenis")],
    "layanan": [_sig("layanan", "jenis nama")],
    "jumlah": [_sig("jumlah", "dilayani layanan pelaksanaan"), _sig("dilayani", "jumlah")],
    "cara": [_sig("cara", "layanan")],
    "rentan": [_sig("rentan", "kelompok jenis"), _sig("kelompok", "rentan")],
    "program": [_sig("program", "nama jenis")],
    "nilai": [_sig("target", "jumlah nilai"), _sig("nilai", "target")],
    "mulai": [_sig("mulai", "tanggal waktu")],
    "selesai": [_sig("selesai", "tanggal waktu")],
    "dasar": [_sig("dasar", "perhitungan persen")],
}
#: Ways of naming a column that hold within one kind only.
_KIND_SIGNATURES = {
    "target": {"kecamatan": [_sig("wilayah", "lingkup nama"), _sig("lingkup", "wilayah")],
               "nilai": [_sig("jumlah")]},
}


def targets(kind: str) -> tuple[str, ...]:
    """What a column of a file of `kind` may be: its columns and the derived ones it checks."""
    return COLUMNS[kind] + DERIVED[kind]


def _fits(found: frozenset[str], signature) -> bool:
    required, optional = signature
    return required <= found and found <= required | optional


def meanings(header: str, kind: str) -> tuple[str, ...]:
    """Every column of `kind` (or 'nomor', 'catatan') the header could be; () when unknown."""
    found = concepts(header)
    if not found:
        return ()
    extra = _KIND_SIGNATURES.get(kind, {})
    return tuple(column for column in (*targets(kind), "nomor", "catatan")
                 if any(_fits(found, s) for s in (*_SIGNATURES[column], *extra.get(column, ()))))


def recognise(header: str, kind: str) -> str | None:
    """The one column `header` means in a file of `kind`, or None (unknown or ambiguous)."""
    found = meanings(header, kind)
    return found[0] if len(found) == 1 else None


def spelling_key(header: str) -> str:
    """How a header spelling is remembered: case, spacing and width folded, punctuation kept."""
    return " ".join(unicodedata.normalize("NFKC", str(header)).casefold().split())[:200]


# ---------------------------------------------------------------------------------------------
# Personal data
# ---------------------------------------------------------------------------------------------

_PERSONAL_KEYS = {
    "nik", "noktp", "nomorktp", "nomorindukkependudukan", "nama", "namalengkap", "namapenduduk",
    "namawarga", "namapemohon", "alamat", "alamatlengkap", "tanggallahir", "tgllahir",
    "tempatlahir", "tempattanggallahir", "tempattgllahir", "ttl", "nokk", "nomorkk", "nkk",
    "nomorkartukeluarga", "namakepalakeluarga", "namaibu", "namaibukandung", "namaayah", "nohp",
    "nomorhp", "notelp", "telepon", "email",
}
_PERSONAL_PREFIXES = ("nik", "alamat", "tanggallahir", "tgllahir", "namalengkap", "namapenduduk",
                      "nokk", "nomorkk")


def looks_personal(header: str) -> bool:
    """A header that names personal data (NIK, a person's name, address, birth date, …)."""
    k = key(header)
    if not k:
        return False
    parts = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", header).lower())
    return (k in _PERSONAL_KEYS or k.startswith(_PERSONAL_PREFIXES) or "nik" in parts
            or key(re.sub(r"\([^)]*\)", " ", header)) in _PERSONAL_KEYS)


# ---------------------------------------------------------------------------------------------
# The plan for a file's columns
# ---------------------------------------------------------------------------------------------

#: How a column's meaning was decided.
CHOSEN, REMEMBERED, RECOGNISED = "dipilih", "diingat", "dikenali"
REST = "diabaikan bersama kolom lain"  # "abaikan kolom lain": for this file only, not remembered
UNKNOWN, AMBIGUOUS, TWICE = "tidak dikenal", "lebih dari satu arti", "arti sama dengan kolom lain"


@dataclass
class Column:
    index: int
    header: str                       # as written, on one line
    target: str | None                # a column, a derived column, 'nomor', 'catatan', 'abaikan'
    how: str                          # CHOSEN, REMEMBERED, RECOGNISED, or why it is unresolved
    candidates: tuple[str, ...] = ()  # for an unresolved column: what it could be

    @property
    def key(self) -> str:
        return spelling_key(self.header)

    @property
    def resolved(self) -> bool:
        return self.target is not None


@dataclass
class ColumnPlan:
    kind: str
    columns: list[Column] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def used(self) -> dict[str, int]:
        """Column or derived column -> position in the row."""
        return {c.target: c.index for c in self.columns
                if c.target in targets(self.kind)}

    @property
    def unresolved(self) -> list[Column]:
        return [c for c in self.columns if not c.resolved]

    def label(self, target: str) -> str:
        """The file's own header for a column, else its usual name."""
        for c in self.columns:
            if c.target == target:
                return c.header
        return LABELS.get(target, target)


def plan_columns(headers: list[str], kind: str, chosen: dict[str, str] | None = None,
                 remembered: dict[str, str] | None = None, ignore_rest: bool = False) -> ColumnPlan:
    """Decide what every column of a file of `kind` means.

    `chosen` (spelling key -> target) is what the operator said for this file, `remembered`
    what was said before for the same spellings; both may say 'abaikan'. A choice that does not
    fit this kind is left out (it may fit the kind of another file). `ignore_rest` ignores the
    columns that are still unknown after all that (not the ambiguous ones).
    """
    chosen, remembered = chosen or {}, remembered or {}
    allowed = set(targets(kind)) | {IGNORE, "nomor", "catatan"}
    plan = ColumnPlan(kind)
    for index, header in enumerate(headers):
        if not header:
            continue
        k = spelling_key(header)
        if chosen.get(k) in allowed:
            plan.columns.append(Column(index, header, chosen[k], CHOSEN))
        elif remembered.get(k) in allowed:
            plan.columns.append(Column(index, header, remembered[k], REMEMBERED))
        else:
            found = meanings(header, kind)
            if len(found) == 1:
                plan.columns.append(Column(index, header, found[0], RECOGNISED))
            elif not found and ignore_rest:
                plan.columns.append(Column(index, header, IGNORE, REST))
            else:
                plan.columns.append(Column(index, header, None, AMBIGUOUS if found else UNKNOWN,
                                           found))
    _settle_twins(plan)
    _notes(plan)
    plan.errors.extend(_missing_columns(plan))
    return plan


def _settle_twins(plan: ColumnPlan) -> None:
    """Two columns meaning the same: recognition gives way to a choice; two choices are an
    error, two recognitions go back to the operator."""
    by_target: dict[str, list[Column]] = {}
    for c in plan.columns:
        if c.target in targets(plan.kind):
            by_target.setdefault(c.target, []).append(c)
    for target, same in by_target.items():
        if len(same) < 2:
            continue
        decided = [c for c in same if c.how in (CHOSEN, REMEMBERED)]
        if len(decided) > 1:
            names = " dan ".join(show(c.header) for c in decided)
            plan.errors.append(RowError(None, decided[1].header, f"kolom {names} sama-sama "
                                        f"dipetakan ke {LABELS[target]}; ubah salah satunya",
                                        "pemetaan ganda"))
        for c in same:
            if c.how == RECOGNISED and (decided or len(same) > 1):
                c.target, c.how, c.candidates = None, TWICE, (target,)


def _notes(plan: ColumnPlan) -> None:
    notes = [c.header for c in plan.columns if c.target == "catatan"]
    if notes:
        plan.warnings.append(RowError(None, None, f"Kolom keterangan diabaikan: "
                                      f"{list_headers(notes)}.", "kolom keterangan"))
    ignored = [c.header for c in plan.columns if c.target == IGNORE]
    if ignored:
        plan.warnings.append(RowError(None, None, f"{_angka(len(ignored))} kolom diabaikan atas "
                                      f"pilihan operator: {list_headers(ignored)}.",
                                      "kolom diabaikan"))
    unresolved = plan.unresolved
    if unresolved:
        what = "kolom" if len(unresolved) == 1 else f"{_angka(len(unresolved))} kolom"
        plan.errors.append(RowError(
            None, unresolved[0].header if len(unresolved) == 1 else None,
            f"{what} belum jelas artinya: {list_headers([c.header for c in unresolved])}. Pilih "
            f"artinya (atau 'abaikan') di halaman Kelola data, atau di baris perintah dengan "
            f"--kolom \"JUDUL=kolom\" (mis. --kolom \"{unresolved[0].header[:40]}=abaikan\").",
            "kolom belum dipetakan"))


def list_headers(headers: list[str], limit: int = 10) -> str:
    shown = ", ".join(show(h) for h in headers[:limit])
    if len(headers) > limit:
        shown += f", … dan {_angka(len(headers) - limit)} lainnya"
    return shown


def _angka(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _examples(column: str) -> str:
    return ", ".join(f"'{n}'" for n in EXAMPLES.get(column, (LABELS[column],)))


def _missing_columns(plan: ColumnPlan) -> list[RowError]:
    kind, used = plan.kind, plan.used
    errors = []
    for column in REQUIRED[kind]:
        if column in used or all(half in used for half in SPLIT.get(column, ("",))):
            continue
        errors.append(RowError(None, LABELS[column], f"kolom wajib tidak ada; judul yang diterima, "
                                                     f"mis.: {_examples(column)}",
                               "kolom wajib tidak ada"))
    if kind in NEEDS_VILLAGE and "kode_desa" not in used and "nama_desa" not in used:
        errors.append(RowError(None, LABELS["kode_desa"], f"kolom desa tidak ada; isi kode desa "
                               f"(judul mis.: {_examples('kode_desa')}), atau nama desa "
                               f"({_examples('nama_desa')}) bersama kecamatan",
                               "kolom wajib tidak ada"))
    return errors


def detect_kind(headers: list[str], chosen: dict[str, str] | None = None,
                remembered: dict[str, dict[str, str]] | None = None) -> str | None:
    """The kind whose required columns the headers hold (else the kind they resemble most)."""
    remembered = remembered or {}
    best, best_score = None, (0, 0)
    for kind in KINDS:
        plan = plan_columns(headers, kind, chosen, remembered.get(kind))
        used = plan.used
        complete = not any(e.jenis == "kolom wajib tidak ada" for e in plan.errors)
        distinctive = {"registri": "wajib_ktp", "kegiatan": "mitra", "target": "program"}[kind]
        has_distinctive = distinctive in used or (kind == "registri" and "wajib_l" in used)
        score = (int(complete) * 2 + int(has_distinctive), len(used))
        if score > best_score:
            best, best_score = kind, score
    return best if best_score[0] > 0 else None


def header_score(cells: list[str]) -> int:
    """How much a row looks like a header row: cells naming a known column (or personal data)."""
    score = 0
    for cell in cells:
        if not cell or len(cell) > 80:
            continue
        if looks_personal(cell) or any(meanings(cell, kind) for kind in KINDS):
            score += 1
    return score


#: Concepts of a second header row under a merged one: "L", "P", "JML", "L+P".
_SUB_CONCEPTS = frozenset(("laki", "perempuan", "jumlah"))


def is_sub_header(cells: list[str]) -> bool:
    """A row of 'L', 'P', 'JML' under a header whose cells span several columns."""
    subs = 0
    for cell in cells:
        if not cell:
            continue
        found = concepts(cell)
        if found and found <= _SUB_CONCEPTS:
            subs += 1
        elif re.fullmatch(r"[0-9.,\s]+", cell):
            return False  # numbers: this is data
    return subs >= 2


def combine_headers(upper: list[str], lower: list[str]) -> list[str]:
    """'WAJIB KTP' spanning three columns over 'L', 'P', 'JML' -> 'WAJIB KTP L', … ."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    combined, spanning = [], ""
    for top, bottom in zip(upper, lower):
        spanning = top or spanning
        if bottom and (found := concepts(bottom)) and found <= _SUB_CONCEPTS:
            combined.append(f"{spanning} {bottom}".strip())
        else:
            combined.append(top or bottom)
    return combined
