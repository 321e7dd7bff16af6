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

What a particular file's columns mean, once the operator has had a say, is `column_plan`.
"""
from __future__ import annotations

import functools
import re
import unicodedata

from bulukumba.importer.values import key

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
_LONGEST_WORD = max(map(len, _KNOWN_WORDS))


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
    'p' allowed, as in 'wajibl'), fewest pieces first.

    Linear in the word's length: a piece is never longer than the longest known word, and each
    position keeps only its count of pieces and where its last piece starts."""
    n = len(word)
    count: list[int | None] = [None] * (n + 1)
    start_of: list[int] = [0] * (n + 1)
    count[0] = 0
    for end in range(1, n + 1):
        for start in range(max(0, end - _LONGEST_WORD), end):
            prior = count[start]
            if prior is None:
                continue
            piece = word[start:end]
            if piece in _KNOWN_WORDS and (len(piece) >= 2 or end == n and piece in ("l", "p")):
                if count[end] is None or prior + 1 < count[end]:
                    count[end], start_of[end] = prior + 1, start
    if count[n] is None or count[n] < 2:
        return None
    pieces, end = [], n
    while end:
        pieces.append(word[start_of[end]:end])
        end = start_of[end]
    return tuple(reversed(pieces))


@functools.lru_cache(maxsize=65536)
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
        if not cell or len(cell) > 80:
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
