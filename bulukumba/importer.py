"""Import of CSV and XLSX files written by Dukcapil operators, one file kind at a time.

Kinds (`KINDS`):
- `registri`: registry snapshots, one row per village and date (wajib KTP, recorded, optionally
  by sex);
- `kegiatan`: partner activity (date, partner, village, service, count, delivery, vulnerable group);
- `target`: programme targets (programme, service, kecamatan or empty for the regency, value,
  start, end, basis).

How a file goes in:
1. `read_table` turns the bytes into a table of raw strings (CSV: delimiter sniffed, UTF-8 with or
   without BOM, cp1252/latin-1 fallback; XLSX: the first sheet, real date cells kept as dates).
2. `validate` checks the whole file against the store: headers are matched by their synonyms,
   every row is converted and checked, and every bad row is reported with its row number as the
   operator sees it in the spreadsheet (header = row 1), its column and the reason, in Indonesian.
3. `import_bytes` writes the clean rows in ONE transaction together with the audit row
   (`store.start_batch`), or writes nothing at all.

The same content (sha256 of the bytes) is never imported twice while its batch is active, and a
registry snapshot for a village and date that an active batch already holds is refused on its row.
Import files hold aggregates only: a header that looks like personal data refuses the whole file.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import hashlib
import io
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from . import fmt, reference, store, texts

KINDS = ("registri", "kegiatan", "target")

#: Canonical column names per kind: the template headers.
COLUMNS: dict[str, tuple[str, ...]] = {
    "registri": ("kode_desa", "nama_desa", "kecamatan", "tanggal", "wajib_ktp", "sudah_rekam",
                 "wajib_l", "wajib_p", "rekam_l", "rekam_p"),
    "kegiatan": ("tanggal", "mitra", "kode_desa", "nama_desa", "kecamatan", "layanan", "jumlah",
                 "cara", "rentan"),
    "target": ("program", "layanan", "kecamatan", "nilai", "mulai", "selesai", "dasar"),
}

#: Columns that must be present (a village may be given by code, or by name and kecamatan).
REQUIRED: dict[str, tuple[str, ...]] = {
    "registri": ("tanggal", "wajib_ktp", "sudah_rekam"),
    "kegiatan": ("tanggal", "mitra", "layanan", "jumlah", "cara"),
    "target": ("program", "layanan", "nilai", "mulai", "selesai", "dasar"),
}
_NEEDS_VILLAGE = ("registri", "kegiatan")

#: How a column is named in messages when the file does not have it.
LABELS = {
    "kode_desa": "Kode Desa", "nama_desa": "Nama Desa", "kecamatan": "Kecamatan",
    "tanggal": "Tanggal", "wajib_ktp": "Wajib KTP", "sudah_rekam": "Sudah Rekam",
    "wajib_l": "Wajib L", "wajib_p": "Wajib P", "rekam_l": "Rekam L", "rekam_p": "Rekam P",
    "mitra": "Mitra", "layanan": "Layanan", "jumlah": "Jumlah", "cara": "Cara",
    "rentan": "Rentan", "program": "Program", "nilai": "Nilai", "mulai": "Mulai",
    "selesai": "Selesai", "dasar": "Dasar",
}

#: Header names accepted for each column (matched ignoring case, spaces, underscores, dots).
HEADERS: dict[str, tuple[str, ...]] = {
    "kode_desa": ("kode_desa", "Kode Desa", "Kode Wilayah", "Kode Kelurahan", "Kode Desa/Kelurahan",
                  "Kode", "Kode Kel", "Kd Desa"),
    "nama_desa": ("nama_desa", "Desa", "Kelurahan", "Nama Desa", "Nama Kelurahan", "Desa/Kelurahan",
                  "Kelurahan/Desa", "Nama Desa/Kelurahan"),
    "kecamatan": ("kecamatan", "Nama Kecamatan", "Kode Kecamatan", "Kec"),
    "tanggal": ("tanggal", "Tgl", "Per Tanggal", "Per Tgl", "Tanggal Data", "Keadaan Per",
                "Tanggal Kegiatan", "Tgl Kegiatan", "Tanggal Pelaksanaan"),
    "wajib_ktp": ("wajib_ktp", "Wajib KTP", "WKTP", "Jumlah Wajib KTP", "Jml Wajib KTP",
                  "Wajib KTP-el", "Wajib e-KTP"),
    "sudah_rekam": ("sudah_rekam", "Sudah Rekam", "Rekam", "Sudah Perekaman", "Jumlah Rekam",
                    "Jml Rekam", "Jumlah Perekaman", "Perekaman", "Sudah Rekam e-KTP"),
    "wajib_l": ("wajib_l", "Wajib L", "Wajib KTP L", "Wajib Laki-laki", "Wajib KTP Laki-laki",
                "WKTP L"),
    "wajib_p": ("wajib_p", "Wajib P", "Wajib KTP P", "Wajib Perempuan", "Wajib KTP Perempuan",
                "WKTP P"),
    "rekam_l": ("rekam_l", "Rekam L", "Sudah Rekam L", "Rekam Laki-laki", "Sudah Rekam Laki-laki"),
    "rekam_p": ("rekam_p", "Rekam P", "Sudah Rekam P", "Rekam Perempuan", "Sudah Rekam Perempuan"),
    "mitra": ("mitra", "Nama Mitra", "Kode Mitra", "Mitra Kerja", "Lembaga", "Organisasi"),
    "layanan": ("layanan", "Jenis Layanan", "Dokumen", "Jenis Dokumen"),
    "jumlah": ("jumlah", "Jml", "Jumlah Layanan", "Jumlah Dilayani", "Jumlah Warga",
               "Jumlah Dokumen"),
    "cara": ("cara", "Metode", "Cara Layanan", "Cara Pelayanan", "Metode Layanan",
             "Metode Pelayanan"),
    "rentan": ("rentan", "Kelompok Rentan", "Kelompok"),
    "program": ("program", "Nama Program"),
    "nilai": ("nilai", "Target", "Nilai Target", "Jumlah Target", "Jumlah"),
    "mulai": ("mulai", "Tanggal Mulai", "Tgl Mulai", "Awal", "Tanggal Awal", "Dari", "Sejak"),
    "selesai": ("selesai", "Tanggal Selesai", "Tgl Selesai", "Akhir", "Tanggal Akhir", "Sampai",
                "Hingga", "Batas Waktu"),
    "dasar": ("dasar", "Basis", "Dasar Perhitungan", "Dasar Capaian", "Sumber Capaian"),
}
#: Extra header names only within one kind.
_KIND_HEADERS = {"target": {"kecamatan": ("Wilayah", "Lingkup")}}

#: Values accepted for the coded columns: code -> labels operators write.
SERVICE_LABELS = {
    "rekam_ektp": ("Perekaman e-KTP", "Rekam e-KTP", "Rekam KTP-el", "Perekaman KTP-el", "e-KTP",
                   "KTP-el", "KTP", "Rekam KTP", "Perekaman KTP", "Perekaman", "Rekam"),
    "akta_kematian": ("Akta Kematian", "Akte Kematian", "Kematian", "Akta Mati"),
    "akta_kelahiran": ("Akta Kelahiran", "Akte Kelahiran", "Kelahiran", "Akta Lahir"),
    "kk": ("KK", "Kartu Keluarga"),
    "kia": ("KIA", "Kartu Identitas Anak"),
}
DELIVERY_LABELS = {
    "jemput_bola": ("Jemput Bola", "Jemput", "Pelayanan Jemput Bola"),
    "dasa_wisma": ("Dasa Wisma", "Dasawisma", "Melalui Dasa Wisma"),
    "malam_takziah": ("Malam Takziah", "Takziah", "Takziyah", "Malam Takziyah"),
    "posko_desa": ("Posko Desa", "Posko", "Posko Desa/Kelurahan", "Posko Kelurahan"),
    "layanan_kantor": ("Layanan Kantor", "Kantor", "Di Kantor", "Loket", "Kantor Dinas"),
    "sekolah": ("Sekolah", "Di Sekolah", "Layanan Sekolah"),
}
VULNERABLE_LABELS = {
    "umum": ("Umum", "Tidak", "Bukan", "Tidak Rentan", "Non Rentan"),
    "disabilitas": ("Disabilitas", "Penyandang Disabilitas", "Difabel"),
    "lansia": ("Lansia", "Lanjut Usia", "Manula"),
}
PROGRAMME_LABELS = {
    "kemitraan_2017": ("Kemitraan 2017", "Program Kemitraan", "Kemitraan",
                       "Program Inovasi Kemitraan 2017", "Inovasi Kemitraan"),
    "gertak_2018": ("GERTAK 2018", "GERTAK", "Gerakan Tuntas Administrasi Kependudukan"),
}
BASIS_LABELS = {
    "registri": ("Registri", "SIAK", "Data SIAK", "Registri SIAK"),
    "kegiatan_mitra": ("Kegiatan Mitra", "Kegiatan", "Laporan Mitra", "Mitra"),
}

#: Headers that look like personal data: such a file is refused as a whole.
_PERSONAL_KEYS = {
    "nik", "noktp", "nomorktp", "nomorindukkependudukan", "nama", "namalengkap", "namapenduduk",
    "namawarga", "namapemohon", "alamat", "alamatlengkap", "tanggallahir", "tgllahir",
    "tempatlahir", "tempattanggallahir", "tempattgllahir", "ttl", "nokk", "nomorkk", "nkk",
    "nomorkartukeluarga", "namakepalakeluarga", "namaibu", "namaibukandung", "namaayah", "nohp",
    "nomorhp", "notelp", "telepon", "email",
}
_PERSONAL_PREFIXES = ("nik", "alamat", "tanggallahir", "tgllahir", "namalengkap", "namapenduduk",
                      "nokk", "nomorkk")

MAX_SHOWN = 40
#: Month names in dates: Indonesian (fmt.BULAN, fmt.BULAN_PENDEK), old spellings and English.
_MONTHS = {
    **{name.lower(): i for i, name in enumerate(fmt.BULAN, start=1)},
    **{name.lower(): i for i, name in enumerate(fmt.BULAN_PENDEK, start=1)},
    "pebruari": 2, "peb": 2, "agt": 8, "ags": 8, "sept": 9, "nopember": 11, "nop": 11,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "aug": 8,
    "august": 8, "oct": 10, "october": 10, "dec": 12, "december": 12,
}
_LARGEST = 2_000_000_000


class ImportFileError(Exception):
    """The file cannot be read as a table; the message is Indonesian and fit for the operator."""


@dataclass(frozen=True)
class RowError:
    """One problem: `baris` is the spreadsheet row (header = 1), None for the whole file."""
    baris: int | None
    kolom: str | None
    pesan: str

    def __str__(self) -> str:
        if self.baris is not None and self.kolom:
            return f"Baris {self.baris}, kolom '{self.kolom}': {self.pesan}"
        if self.baris is not None:
            return f"Baris {self.baris}: {self.pesan}"
        if self.kolom:
            return f"Kolom '{self.kolom}': {self.pesan}"
        return self.pesan


@dataclass
class ValidationReport:
    jenis: str | None
    nama_file: str
    sha256: str
    baris: int = 0                                        # data rows read
    rows: list[dict] = field(default_factory=list)        # clean records ready to insert
    row_numbers: list[int] = field(default_factory=list)  # spreadsheet row of each record
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.jenis is not None and bool(self.rows)


@dataclass
class ImportResult:
    ok: bool
    jenis: str | None
    nama_file: str
    baris: int
    ditulis: int
    impor_id: int | None
    errors: list[RowError]
    pesan: str
    warnings: list[RowError] = field(default_factory=list)
    dry_run: bool = False


# ---------------------------------------------------------------------------------------------
# Small helpers: normalised keys, shown values, Indonesian numbers and dates
# ---------------------------------------------------------------------------------------------

def _key(text: str) -> str:
    """Lower case ASCII letters and digits only: 'Desa/Kelurahan' -> 'desakelurahan'."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _show(value: object) -> str:
    """A cell value as it may appear in a message: quoted, at most MAX_SHOWN characters."""
    text = " ".join(str(value).split())
    if len(text) > MAX_SHOWN:
        text = text[:MAX_SHOWN - 1] + "…"
    return f"'{text}'"




def parse_whole(text: str) -> int:
    """A non-negative whole number in Indonesian notation ('325.880', '1.234,00', '2400').

    Raises ValueError with an Indonesian reason.
    """
    s = re.sub(r"[\s\u00a0\u202f]", "", str(text))
    if not s:
        raise ValueError("kosong")
    if s[0] in "-−–(":
        raise ValueError(f"{_show(text)} negatif; jumlah tidak boleh kurang dari 0")
    s = s.lstrip("+")
    if re.fullmatch(r"\d+", s):
        value = int(s)
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", s):
        value = int(s.replace(".", ""))
    elif m := re.fullmatch(r"(\d{1,3}(?:\.\d{3})+|\d+),(\d+)", s):
        if set(m.group(2)) != {"0"}:
            raise ValueError(f"{_show(text)} bukan bilangan bulat")
        value = int(m.group(1).replace(".", ""))
    elif re.fullmatch(r"\d+\.\d+", s):
        raise ValueError(f"{_show(text)} bukan bilangan bulat (titik adalah pemisah ribuan, "
                         f"mis. 325.880)")
    else:
        raise ValueError(f"{_show(text)} bukan angka")
    if value > _LARGEST:
        raise ValueError(f"{_show(text)} terlalu besar")
    return value


def parse_date(text: str) -> dt.date:
    """A date as operators write it: 2018-01-19, 19/01/2018, 19-01-2018, 19 Januari 2018.

    Day first always. Raises ValueError with an Indonesian reason.
    """
    s = " ".join(str(text).split())
    s = re.sub(r"^[A-Za-z']+,\s*", "", s)  # "Jumat, 19 Januari 2018"
    time = r"(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:\.\d+)?)?)?"
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + time, s):
        y, mo, d = (int(g) for g in m.groups())
    elif m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})" + time, s):
        d, mo, y = (int(g) for g in m.groups())
        y = y + 2000 if y < 100 else y
    elif m := re.fullmatch(r"(\d{1,2})[\s./-]*([A-Za-z]+)\.?[\s./,-]*(\d{4})", s):
        month = _MONTHS.get(m.group(2).lower())
        if month is None:
            raise ValueError(f"nama bulan {_show(m.group(2))} tidak dikenali")
        d, mo, y = int(m.group(1)), month, int(m.group(3))
    else:
        if re.fullmatch(r"\d{5}", s):
            raise ValueError(f"{_show(text)} bukan tanggal (angka seri Excel? format sel itu "
                             f"sebagai tanggal)")
        raise ValueError(f"format tanggal {_show(text)} tidak dikenali (contoh: 19/01/2018, "
                         f"2018-01-19, 19 Januari 2018)")
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        raise ValueError(f"tanggal {_show(text)} tidak ada di kalender") from None
    if not 2000 <= day.year <= 2100:
        raise ValueError(f"tahun {y} di luar rentang yang wajar")
    return day


def _desa_code(text: str) -> str | None:
    s = re.sub(r"\s", "", text)
    if re.fullmatch(r"\d{2}\.\d{2}\.\d{2}\.\d{4}", s):
        return s
    if re.fullmatch(r"\d{10}", s):
        return f"{s[:2]}.{s[2:4]}.{s[4:6]}.{s[6:]}"
    return None


def _kecamatan_code(text: str) -> str | None:
    s = re.sub(r"\s", "", text)
    if re.fullmatch(r"\d{2}\.\d{2}\.\d{2}", s):
        return s
    if re.fullmatch(r"\d{6}", s):
        return f"{s[:2]}.{s[2:4]}.{s[4:]}"
    return None


def _strip_prefix(text: str, pattern: str) -> str:
    return re.sub(pattern, "", text.strip(), flags=re.IGNORECASE)


_DESA_PREFIX = r"^(desa\s+|kelurahan\s+|kel\.\s*|kel\s+|ds\.\s*)"
_KEC_PREFIX = r"^(kecamatan\s+|kec\.\s*|kec\s+)"


class _Vocab:
    """A coded column: matches codes, the interface's labels (texts.py) and the labels operators
    write; lists what it accepts."""

    def __init__(self, what: str, labels: dict[str, tuple[str, ...]], shown: dict[str, str]):
        self.what = what
        self.labels = labels
        self.shown = shown
        self._index: dict[str, str] = {}
        for code, names in labels.items():
            for name in (code, shown[code], *names):
                if _key(name):
                    self._index.setdefault(_key(name), code)

    def match(self, text: str) -> str | None:
        k = _key(text)
        if not k:
            return None
        if k in self._index:
            return self._index[k]
        for prefix in ("pelayanan", "layanan", "melalui", "program", "di"):
            if k.startswith(prefix) and k[len(prefix):] in self._index:
                return self._index[k[len(prefix):]]
        return None

    def accepted(self) -> str:
        return ", ".join(f"{code} ({self.shown[code]})" for code in self.labels)


SERVICES = _Vocab("layanan", SERVICE_LABELS, texts.LAYANAN)
DELIVERY = _Vocab("cara", DELIVERY_LABELS, texts.CARA)
VULNERABLE = _Vocab("rentan", VULNERABLE_LABELS, texts.RENTAN)
PROGRAMMES = _Vocab("program", PROGRAMME_LABELS, texts.PROGRAM)
BASIS = _Vocab("dasar", BASIS_LABELS, texts.DASAR)
assert set(SERVICE_LABELS) == set(store.SERVICES) and set(DELIVERY_LABELS) == set(store.DELIVERY)
assert set(VULNERABLE_LABELS) == set(store.VULNERABLE) and set(BASIS_LABELS) == set(store.TARGET_BASIS)
assert set(PROGRAMME_LABELS) == set(store.PROGRAMMES)


def _header_index(kind: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for canon in COLUMNS[kind]:
        names = HEADERS[canon] + _KIND_HEADERS.get(kind, {}).get(canon, ())
        for name in names:
            index.setdefault(_key(name), canon)
    return index


_HEADER_INDEX = {kind: _header_index(kind) for kind in KINDS}
_ALL_HEADER_KEYS = set().union(*(set(i) for i in _HEADER_INDEX.values()))


def _canonical(header: str, kind: str) -> str | None:
    index = _HEADER_INDEX[kind]
    full = _key(header)
    if full in index:
        return index[full]
    bare = _key(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", header))  # "Wajib KTP (jiwa)"
    return index.get(bare) if bare else None


def _looks_personal(header: str) -> bool:
    k = _key(header)
    if not k:
        return False
    words = re.findall(r"[a-z0-9]+", unicodedata.normalize("NFKD", header).lower())
    return (k in _PERSONAL_KEYS or k.startswith(_PERSONAL_PREFIXES) or "nik" in words
            or _key(re.sub(r"\([^)]*\)", " ", header)) in _PERSONAL_KEYS)


# ---------------------------------------------------------------------------------------------
# Reading: bytes -> table of raw strings
# ---------------------------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _file_format(data: bytes, nama_file: str) -> str:
    suffix = Path(nama_file).suffix.lower()
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except zipfile.BadZipFile:
            raise ImportFileError(f"Berkas {_show(nama_file)} rusak: tidak dapat dibuka.") from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise ImportFileError(f"Berkas {_show(nama_file)} bukan CSV atau XLSX (dokumen lain "
                              f"yang dipadatkan). Simpan data sebagai .xlsx atau .csv.")
    if data[:8] == _OLE_MAGIC:
        raise ImportFileError(f"Berkas {_show(nama_file)} berformat Excel lama (.xls) yang tidak "
                              f"didukung. Simpan ulang sebagai .xlsx atau .csv.")
    if data[:5] == b"%PDF-":
        raise ImportFileError(f"Berkas {_show(nama_file)} adalah PDF. Gunakan CSV atau XLSX.")
    if suffix in (".xlsx", ".xlsm"):
        raise ImportFileError(f"Berkas {_show(nama_file)} bukan XLSX yang sah (rusak atau "
                              f"salah nama). Simpan ulang dari Excel.")
    if suffix not in (".csv", ".txt", ".tsv", ""):
        raise ImportFileError(f"Jenis berkas {_show(suffix)} tidak didukung. Gunakan CSV "
                              f"(.csv) atau Excel (.xlsx).")
    return "csv"


def _decode(data: bytes) -> tuple[str, list[RowError]]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            raise ImportFileError("Berkas UTF-16 rusak: tidak dapat dibaca.") from None
    if b"\x00" in data:
        raise ImportFileError("Berkas ini bukan teks CSV (berisi data biner). Gunakan CSV atau "
                              "XLSX.")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    for encoding, name in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, [RowError(None, None, f"Berkas bukan UTF-8; dibaca sebagai {name}. Periksa "
                                           f"huruf khusus, atau simpan sebagai 'CSV UTF-8'.")]
    raise ImportFileError("Pengodean huruf berkas tidak dikenali.")  # unreachable: latin-1


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most consistent number of fields > 1."""
    sample = [line for line in text.splitlines() if line.strip()][:20]
    best, best_score = ",", (0, 0)
    for delimiter in (";", "\t", ",", "|"):
        counts = [len(r) for r in csv.reader(sample, delimiter=delimiter)]
        common = Counter(c for c in counts if c > 1).most_common(1)
        if common:
            width, frequency = common[0]
            score = (frequency, width)
            if score > best_score:
                best, best_score = delimiter, score
    return best


def _read_csv(data: bytes) -> tuple[list[tuple[int, list[str]]], list[RowError]]:
    text, warnings = _decode(data)
    delimiter = _sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(f"Berkas CSV tidak dapat dibaca: {exc}") from None
    return [(i, row) for i, row in enumerate(records, start=1)], warnings


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value).replace(".", ",")  # shown the Indonesian way: 12,5
    return str(value)


def _read_xlsx(data: bytes) -> tuple[list[tuple[int, list[str]]], list[RowError]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError("Berkas XLSX tidak dapat dibaca (rusak?). Simpan ulang dari "
                              "Excel, atau simpan sebagai CSV.") from None
    sheets = [ws for ws in workbook.worksheets if ws.title.strip().lower() != "petunjuk"]
    sheet = (sheets or workbook.worksheets)[0]
    warnings = []
    if len(sheets) > 1:
        warnings.append(RowError(None, None, f"Buku kerja punya {len(sheets)} lembar; hanya "
                                             f"lembar pertama ({_show(sheet.title)}) yang dibaca."))
    rows = [(i, [_cell_text(v) for v in values])
            for i, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)]
    return rows, warnings


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def _header_score(cells: list[str]) -> int:
    return sum(1 for c in cells if _key(c) in _ALL_HEADER_KEYS or _looks_personal(c))


def read_table(data: bytes, nama_file: str) -> pd.DataFrame:
    """The file as a table of raw strings ('' for empty), indexed by spreadsheet row number.

    Columns are the header cells as written (stripped). `attrs` holds `format` ('csv' | 'xlsx'),
    `header_row` and `warnings` (list of RowError). Blank rows are skipped but keep their numbers.
    Raises ImportFileError (Indonesian message) when the file is empty or cannot be read.
    """
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise ImportFileError(f"Berkas {_show(nama_file)} kosong.")
    fmt = _file_format(data, nama_file)
    rows, warnings = _read_csv(data) if fmt == "csv" else _read_xlsx(data)
    rows = [(n, [_clean(c) for c in cells]) for n, cells in rows]
    filled = [(n, cells) for n, cells in rows if any(cells)]
    if not filled:
        raise ImportFileError(f"Berkas {_show(nama_file)} kosong: tidak ada judul kolom maupun data.")
    # The header is the first row, unless a title sits above it: then the first of the first
    # rows that names at least two known columns.
    header_at = 0
    for i, (_, cells) in enumerate(filled[:10]):
        if _header_score(cells) >= 2:
            header_at = i
            break
    header_row, header = filled[header_at]
    if header_at:
        warnings.append(RowError(None, None, f"Baris 1–{header_row - 1} di atas judul kolom "
                                             f"diabaikan."))
    body = filled[header_at + 1:]
    width = max([len(header)] + [len(cells) for _, cells in body])
    header = header + [""] * (width - len(header))
    matrix = [cells + [""] * (width - len(cells)) for _, cells in body]
    keep = [j for j in range(width) if header[j] or any(r[j] for r in matrix)]
    frame = pd.DataFrame([[r[j] for j in keep] for r in matrix], columns=[header[j] for j in keep],
                         index=pd.Index([n for n, _ in body], name="baris"), dtype=object)
    frame.attrs = {"format": fmt, "header_row": header_row, "warnings": warnings}
    return frame


# ---------------------------------------------------------------------------------------------
# Reference data from the store
# ---------------------------------------------------------------------------------------------

def _partner_variants(k: str) -> list[str]:
    """A partner key with and without the words operators add or drop ('Tim Penggerak', 'Bulukumba')."""
    variants = [k]
    for suffix in ("kabupatenbulukumba", "kabbulukumba", "bulukumba"):
        if k.endswith(suffix):
            variants.append(k.removesuffix(suffix))
            break
    for prefix in ("timpenggerak", "tp"):
        if k.startswith(prefix):
            variants.append(k.removeprefix(prefix))
            break
    return [v for v in variants if v]


@dataclass
class _Reference:
    desa: dict[str, tuple[str, str]]                 # kode -> (nama, kecamatan_kode)
    kecamatan: dict[str, str]                        # kode -> nama
    mitra: dict[str, str]                            # kode -> nama
    missing_mitra: set[str]                          # known partners the store lacks yet

    def __post_init__(self):
        self.kec_by_key: dict[str, str] = {}
        for kode, nama in self.kecamatan.items():
            self.kec_by_key[_key(nama)] = kode
        self.desa_by_name: dict[tuple[str, str], list[str]] = {}
        for kode, (nama, kec) in self.desa.items():
            self.desa_by_name.setdefault((kec, _key(nama)), []).append(kode)
        aliases: dict[str, set[str]] = {}
        for kode, nama in self.mitra.items():
            names = {kode, nama, re.sub(r"\([^)]*\)", " ", nama), *re.findall(r"\(([^)]*)\)", nama)}
            for name in names:
                for variant in _partner_variants(_key(name)):
                    aliases.setdefault(variant, set()).add(kode)
        self.mitra_by_key = {k: next(iter(v)) for k, v in aliases.items() if len(v) == 1}

    @classmethod
    def load(cls, conn: sa.Connection) -> _Reference:
        kec = dict(conn.execute(sa.select(store.kecamatan.c.kode, store.kecamatan.c.nama)).all())
        desa = {k: (n, kc) for k, n, kc in conn.execute(sa.select(
            store.desa.c.kode, store.desa.c.nama, store.desa.c.kecamatan_kode)).all()}
        mitra = dict(conn.execute(sa.select(store.mitra.c.kode, store.mitra.c.nama)).all())
        missing = {kode for kode, _, _ in reference.PARTNERS if kode not in mitra}
        mitra.update({kode: nama for kode, nama, _ in reference.PARTNERS if kode in missing})
        return cls(desa, kec, mitra, missing)

    def kecamatan_names(self) -> str:
        return ", ".join(sorted(self.kecamatan.values()))

    def mitra_names(self) -> str:
        return ", ".join(f"{nama} ({kode})" for kode, nama in self.mitra.items())


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

class _Bad:
    """Marks a cell that already has an error, so cross-checks stay quiet about it."""


_BAD = _Bad()


class _Row:
    """One data row being converted; collects its errors."""

    def __init__(self, baris: int, values: tuple, columns: dict[str, int], headers: list[str],
                 errors: list[RowError]):
        self.baris, self.values, self.columns, self.headers = baris, values, columns, headers
        self.errors = errors

    def has(self, canon: str) -> bool:
        return canon in self.columns

    def raw(self, canon: str) -> str:
        j = self.columns.get(canon)
        return "" if j is None else str(self.values[j]).strip()

    def label(self, canon: str) -> str:
        j = self.columns.get(canon)
        return LABELS[canon] if j is None else self.headers[j]

    def error(self, canon: str | None, message: str) -> _Bad:
        self.errors.append(RowError(self.baris, self.label(canon) if canon else None, message))
        return _BAD

    def empty(self, canon: str) -> bool:
        return self.raw(canon) in ("", "-", "–")

    def whole(self, canon: str, required: bool = True, positive: bool = False):
        if self.empty(canon):
            return self.error(canon, "kosong; kolom ini wajib diisi") if required else None
        try:
            value = parse_whole(self.raw(canon))
        except ValueError as exc:
            return self.error(canon, str(exc))
        if positive and value == 0:
            return self.error(canon, "harus lebih dari 0")
        return value

    def date(self, canon: str, future: bool = False):
        if self.empty(canon):
            return self.error(canon, "kosong; kolom ini wajib diisi")
        try:
            value = parse_date(self.raw(canon))
        except ValueError as exc:
            return self.error(canon, str(exc))
        if not future and value > dt.date.today():
            return self.error(canon, f"tanggal {fmt.tanggal(value)} belum lewat (di masa depan)")
        return value

    def coded(self, canon: str, vocab: _Vocab, default: str | None = None):
        if self.empty(canon):
            if default is not None:
                return default
            return self.error(canon, f"kosong; isi salah satu: {vocab.accepted()}")
        code = vocab.match(self.raw(canon))
        if code is None:
            return self.error(canon, f"{vocab.what} {_show(self.raw(canon))} tidak dikenal; "
                                     f"yang diterima: {vocab.accepted()}")
        return code


def _ok(*values) -> bool:
    return all(v is not None and v is not _BAD for v in values)


class _Checker:
    def __init__(self, ref: _Reference):
        self.ref = ref

    def kecamatan(self, row: _Row, required: bool = True):
        raw = row.raw("kecamatan")
        if not raw or raw in ("-", "–"):
            return row.error("kecamatan", "kosong; kolom ini wajib diisi bila desa disebut dengan "
                                          "nama") if required else None
        code = _kecamatan_code(raw)
        if code is None:
            code = self.ref.kec_by_key.get(_key(_strip_prefix(raw, _KEC_PREFIX)))
        if code is None or code not in self.ref.kecamatan:
            return row.error("kecamatan", f"kecamatan {_show(raw)} tidak dikenal; yang ada: "
                                          f"{self.ref.kecamatan_names()}")
        return code

    def village(self, row: _Row):
        raw_code = row.raw("kode_desa")
        if raw_code:
            code = _desa_code(raw_code)
            if code is None or code not in self.ref.desa:
                return row.error("kode_desa", f"kode desa {_show(raw_code)[1:-1]} tidak dikenal")
            return code
        name = row.raw("nama_desa")
        if not name:
            what = "kode_desa" if row.has("kode_desa") else "nama_desa"
            return row.error(what, "kosong; isi kode desa (mis. 73.02.06.2006), atau nama desa "
                                   "dan kecamatannya")
        if not row.has("kecamatan"):
            return row.error("nama_desa", "desa disebut dengan nama tanpa kode; untuk itu berkas "
                                          "perlu kolom Kecamatan")
        kec = self.kecamatan(row)
        if kec is _BAD:
            return _BAD
        wanted = _key(_strip_prefix(name, _DESA_PREFIX))
        found = self.ref.desa_by_name.get((kec, wanted), [])
        kec_name = self.ref.kecamatan[kec]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(f"{k} {self.ref.desa[k][0]}" for k in sorted(found))
            return row.error("nama_desa", f"nama desa {_show(name)} tidak tunggal di Kecamatan "
                                          f"{kec_name}: {names}; tulis kode desanya")
        elsewhere = sorted({self.ref.kecamatan[kc] for (kc, k), codes in self.ref.desa_by_name.items()
                            if k == wanted})
        hint = ""
        if elsewhere:
            hint = f"; nama itu ada di Kecamatan {', '.join(elsewhere)}"
        else:
            names = [n for n, kc in self.ref.desa.values() if kc == kec]
            close = difflib.get_close_matches(_strip_prefix(name, _DESA_PREFIX), names, n=3, cutoff=0.6)
            if close:
                hint = f"; mungkin maksudnya: {', '.join(close)}"
        return row.error("nama_desa", f"desa {_show(name)} tidak ditemukan di Kecamatan "
                                      f"{kec_name}{hint}")

    def partner(self, row: _Row):
        raw = row.raw("mitra")
        if not raw:
            return row.error("mitra", "kosong; kolom ini wajib diisi")
        code = next((self.ref.mitra_by_key[v] for v in _partner_variants(_key(raw))
                     if v in self.ref.mitra_by_key), None)
        if code is None:
            return row.error("mitra", f"mitra {_show(raw)} tidak dikenal; yang diterima: "
                                      f"{self.ref.mitra_names()}")
        return code

    # --- kinds --------------------------------------------------------------------------------

    def registri(self, row: _Row) -> dict | None:
        kode = self.village(row)
        tanggal = row.date("tanggal")
        wajib = row.whole("wajib_ktp")
        rekam = row.whole("sudah_rekam")
        if _ok(wajib, rekam) and rekam > wajib:
            row.error("sudah_rekam", f"{fmt.angka(rekam)} lebih besar dari Wajib KTP {fmt.angka(wajib)}")
        split = {c: row.whole(c, required=False) for c in ("wajib_l", "wajib_p", "rekam_l", "rekam_p")}
        for a, b, total_col, total in (("wajib_l", "wajib_p", "wajib_ktp", wajib),
                                       ("rekam_l", "rekam_p", "sudah_rekam", rekam)):
            va, vb = split[a], split[b]
            if _BAD in (va, vb):
                continue
            if (va is None) != (vb is None):
                missing, given = (a, b) if va is None else (b, a)
                row.error(missing, f"kosong, padahal {row.label(given)} diisi; isi keduanya atau "
                                   f"kosongkan keduanya")
            elif va is not None and _ok(total) and va + vb != total:
                row.error(a, f"{row.label(a)} {fmt.angka(va)} + {row.label(b)} {fmt.angka(vb)} = "
                             f"{fmt.angka(va + vb)}, tidak sama dengan {LABELS[total_col]} "
                             f"{fmt.angka(total)}")
        wl, wp, rl, rp = (split[c] for c in ("wajib_l", "wajib_p", "rekam_l", "rekam_p"))
        if _ok(rl, rp) and wl is None and wp is None:
            row.error("rekam_l", "rincian rekam per jenis kelamin perlu rincian Wajib L dan "
                                 "Wajib P juga")
        for rc, wc, r, w in (("rekam_l", "wajib_l", rl, wl), ("rekam_p", "wajib_p", rp, wp)):
            if _ok(r, w) and r > w:
                row.error(rc, f"{fmt.angka(r)} lebih besar dari {row.label(wc)} {fmt.angka(w)}")
        values = {"desa_kode": kode, "tanggal": tanggal, "wajib_ktp": wajib, "sudah_rekam": rekam,
                  **split}
        return values

    def kegiatan(self, row: _Row) -> dict | None:
        return {
            "tanggal": row.date("tanggal"),
            "mitra_kode": self.partner(row),
            "desa_kode": self.village(row),
            "layanan": row.coded("layanan", SERVICES),
            "jumlah": row.whole("jumlah"),
            "cara": row.coded("cara", DELIVERY),
            "rentan": row.coded("rentan", VULNERABLE, default="umum"),
        }

    def target(self, row: _Row) -> dict | None:
        values = {
            "program": row.coded("program", PROGRAMMES),
            "layanan": row.coded("layanan", SERVICES),
            "kecamatan_kode": self._scope(row),
            "nilai": row.whole("nilai", positive=True),
            "mulai": row.date("mulai", future=True),
            "selesai": row.date("selesai", future=True),
            "dasar": row.coded("dasar", BASIS),
        }
        if _ok(values["mulai"], values["selesai"]) and values["selesai"] < values["mulai"]:
            row.error("selesai", f"tanggal selesai {fmt.tanggal(values['selesai'])} lebih awal dari "
                                 f"tanggal mulai {fmt.tanggal(values['mulai'])}")
        if values["dasar"] == "registri" and _ok(values["layanan"]) and values["layanan"] != "rekam_ektp":
            row.error("dasar", "dasar 'registri' hanya untuk layanan rekam_ektp (registri hanya "
                               "mencatat perekaman); gunakan kegiatan_mitra")
        return values

    def _scope(self, row: _Row):
        raw = row.raw("kecamatan")
        if _key(raw) in ("", "kabupaten", "bulukumba", "kabupatenbulukumba", "kabbulukumba", "semua",
                         "seluruhkabupaten"):
            return None
        return self.kecamatan(row, required=False)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _when(value) -> str:
    """A stored UTC time as the office reads it: '19 Januari 2018 14.05 WITA'."""
    return fmt.waktu(None if value is None else pd.Timestamp(value).to_pydatetime())


def _already_imported(conn: sa.Connection, sha: str, exclude: int | None = None) -> RowError | None:
    i = store.impor
    query = (sa.select(i.c.id, i.c.waktu, i.c.nama_file, i.c.oleh)
             .where(i.c.sha256 == sha, i.c.status == "aktif").order_by(i.c.id).limit(1))
    if exclude is not None:
        query = query.where(i.c.id != exclude)
    earlier = conn.execute(query).first()
    if earlier is None:
        return None
    return RowError(None, None, f"Berkas ini sudah pernah diimpor: impor #{earlier.id} pada "
                                f"{_when(earlier.waktu)} ({_show(earlier.nama_file)}, oleh "
                                f"{earlier.oleh}). Isi yang sama tidak diimpor dua kali; "
                                f"tidak ada yang ditulis.")


def _map_headers(headers: list[str], kind: str) -> tuple[dict[str, int], list[RowError], list[RowError]]:
    """Canonical column -> position; errors (duplicates); warnings (unknown columns)."""
    columns: dict[str, int] = {}
    errors, warnings = [], []
    for j, header in enumerate(headers):
        if not header:
            continue
        canon = _canonical(header, kind)
        if canon is None:
            warnings.append(RowError(None, header, "kolom tidak dikenal; diabaikan"))
        elif canon in columns:
            errors.append(RowError(None, header, f"kolom {_show(headers[columns[canon]])} dan "
                                                 f"{_show(header)} sama-sama berarti {canon}; "
                                                 f"hapus salah satu"))
        else:
            columns[canon] = j
    return columns, errors, warnings


def _missing_columns(columns: dict[str, int], kind: str) -> list[RowError]:
    def accepted(canon: str) -> str:
        names = HEADERS[canon] + _KIND_HEADERS.get(kind, {}).get(canon, ())
        return ", ".join(f"'{n}'" for n in names)

    errors = [RowError(None, LABELS[c], f"kolom wajib tidak ada; judul yang diterima: {accepted(c)}")
              for c in REQUIRED[kind] if c not in columns]
    if kind in _NEEDS_VILLAGE and "kode_desa" not in columns:
        if "nama_desa" not in columns:
            errors.append(RowError(None, LABELS["kode_desa"], "kolom desa tidak ada; isi kode desa "
                                   f"(judul yang diterima: {accepted('kode_desa')}), atau nama desa "
                                   f"({accepted('nama_desa')}) bersama kecamatan"))
        elif "kecamatan" not in columns:
            errors.append(RowError(None, LABELS["kecamatan"], "kolom wajib tidak ada: desa disebut "
                                   "dengan nama tanpa kode, maka kecamatannya perlu; judul yang "
                                   f"diterima: {accepted('kecamatan')}"))
    return errors


def _detect_kind(headers: list[str]) -> str | None:
    """The kind whose required columns the headers hold (else the kind they resemble most)."""
    best, best_score = None, (-1, -1)
    for kind in KINDS:
        columns, _, _ = _map_headers(headers, kind)
        complete = not _missing_columns(columns, kind)
        distinctive = {"registri": "wajib_ktp", "kegiatan": "mitra", "target": "program"}[kind]
        score = (int(complete) * 2 + int(distinctive in columns), len(columns))
        if score > best_score:
            best, best_score = kind, score
    return best if best_score[0] > 0 else None


_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")


def _privacy_errors(frame: pd.DataFrame) -> list[RowError]:
    headers = [str(c) for c in frame.columns]
    errors = [RowError(None, h, "judul ini tampak seperti data pribadi. Dasbor hanya menyimpan angka "
                                "agregat per desa, bukan data perorangan: hapus kolom dan data "
                                "perorangan itu dari berkas."
                                + (" (Nama desa ditulis 'Nama Desa'.)" if _key(h) == "nama" else ""))
              for h in headers if _looks_personal(h)]
    if errors:
        return errors
    for baris, values in zip(frame.index, frame.itertuples(index=False, name=None)):
        for header, value in zip(headers, values):
            if _NIK.search(re.sub(r"[\s.]", "", str(value))):
                errors.append(RowError(int(baris), header or None, "berisi angka 16 digit yang tampak "
                                       "seperti NIK. Dasbor hanya menyimpan angka agregat, bukan data "
                                       "perorangan; berkas ditolak."))
    return errors


@dataclass
class _Parsed:
    nama_file: str
    sha256: str
    frame: pd.DataFrame | None
    errors: list[RowError]
    warnings: list[RowError]


def _parse(data: bytes, nama_file: str) -> _Parsed:
    sha = _sha256(data or b"")
    try:
        frame = read_table(data, nama_file)
    except ImportFileError as exc:
        return _Parsed(nama_file, sha, None, [RowError(None, None, str(exc))], [])
    return _Parsed(nama_file, sha, frame, [], list(frame.attrs.get("warnings", [])))


def _check(conn: sa.Connection, parsed: _Parsed, jenis: str | None) -> ValidationReport:
    """Validate a parsed file against the store seen through `conn`."""
    report = ValidationReport(jenis=jenis, nama_file=parsed.nama_file, sha256=parsed.sha256,
                              errors=list(parsed.errors), warnings=list(parsed.warnings))
    if jenis is not None and jenis not in KINDS:
        report.jenis = None
        report.errors.append(RowError(None, None, f"jenis impor {_show(jenis)} tidak dikenal; "
                                                  f"pilih salah satu: {', '.join(KINDS)}"))
        return report
    frame = parsed.frame
    if frame is None:
        return report
    report.baris = len(frame)
    privacy = _privacy_errors(frame)
    if privacy:
        report.errors.extend(privacy)
        return report
    headers = [str(c) for c in frame.columns]
    kind = jenis or _detect_kind(headers)
    report.jenis = kind
    earlier = _already_imported(conn, parsed.sha256)
    if earlier is not None:
        report.errors.append(earlier)
        return report
    if kind is None:
        report.errors.append(RowError(None, None, "Jenis berkas tidak dapat dikenali dari judul "
                                                  "kolomnya; pilih jenisnya (registri, kegiatan, "
                                                  "target) atau pakai templat."))
        return report
    columns, errors, warnings = _map_headers(headers, kind)
    report.warnings.extend(warnings)
    report.errors.extend(errors)
    report.errors.extend(_missing_columns(columns, kind))
    if report.errors:
        return report
    if frame.empty:
        report.errors.append(RowError(None, None, "Berkas hanya berisi judul kolom; tidak ada baris "
                                                  "data."))
        return report

    ref = _Reference.load(conn)
    if kind in _NEEDS_VILLAGE and not ref.desa:
        report.errors.append(RowError(None, None, "Data wilayah (desa/kelurahan) belum ada di basis "
                                                  "data; muat data wilayah dulu."))
        return report
    checker = _Checker(ref)
    convert = getattr(checker, kind)
    unnamed = [j for j, h in enumerate(headers) if not h]
    errors: list[RowError] = []
    for baris, values in zip(frame.index, frame.itertuples(index=False, name=None)):
        row = _Row(int(baris), values, columns, headers, errors)
        if frame.attrs.get("format") == "csv" and any(values[j] for j in unnamed):
            row.error(None, "baris ini punya lebih banyak isian daripada judul kolom (periksa "
                            "pemisah kolom; angka desimal dengan koma?)")
        before = len(errors)
        record = convert(row)
        if len(errors) == before:
            report.rows.append({"_baris": int(baris), **record})
    if frame.attrs.get("format") != "csv":
        for j in unnamed:
            report.warnings.append(RowError(None, None, f"kolom ke-{j + 1} tanpa judul; diabaikan"))
    report.errors.extend(errors)
    _cross_checks(conn, kind, report, ref)
    report.errors.sort(key=lambda e: -1 if e.baris is None else e.baris)
    if report.errors:
        report.rows = []
    else:
        report.row_numbers = [record.pop("_baris") for record in report.rows]
    return report


def _cross_checks(conn: sa.Connection, kind: str, report: ValidationReport, ref: _Reference) -> None:
    rows = report.rows
    if kind == "registri":
        first: dict[tuple, int] = {}
        for r in rows:
            key = (r["desa_kode"], r["tanggal"])
            if key in first:
                report.errors.append(RowError(r["_baris"], LABELS["tanggal"], f"desa {key[0]} "
                                              f"{ref.desa[key[0]][0]} per {fmt.tanggal(key[1])} sudah "
                                              f"ada di baris {first[key]}"))
            else:
                first[key] = r["_baris"]
        report.errors.extend(_registry_clashes(conn, first))
    elif kind == "target":
        seen: dict[tuple, int] = {}
        for r in rows:
            key = (r["program"], r["layanan"], r["kecamatan_kode"])
            if key in seen:
                report.errors.append(RowError(r["_baris"], None, f"target {key[0]} / {key[1]} untuk "
                                              f"{_scope_name(ref, key[2])} sudah ada di baris {seen[key]}"))
            else:
                seen[key] = r["_baris"]
        t, i = store.target, store.impor
        existing = conn.execute(sa.select(t.c.program, t.c.layanan, t.c.kecamatan_kode, i.c.id)
                                .join(i, t.c.impor_id == i.c.id)
                                .where(i.c.status == "aktif", i.c.contoh == sa.false())).all()
        for program, layanan, kec, batch in existing:
            baris = seen.get((program, layanan, kec))
            if baris is not None:
                report.warnings.append(RowError(baris, None, f"target {program} / {layanan} untuk "
                                                f"{_scope_name(ref, kec)} sudah ada di impor #{batch}; "
                                                f"target baru ini yang akan dipakai"))
    elif kind == "kegiatan":
        seen = {}
        for r in rows:
            key = tuple(v for k, v in r.items() if k != "_baris")
            if key in seen:
                report.warnings.append(RowError(r["_baris"], None, f"sama persis dengan baris "
                                                f"{seen[key]}; periksa bahwa kegiatan ini tidak "
                                                f"tercatat dua kali"))
            else:
                seen[key] = r["_baris"]


def _registry_clashes(conn: sa.Connection, rows: dict[tuple, int],
                      exclude: int | None = None) -> list[RowError]:
    """Rows whose village and date an active batch (other than `exclude`) already holds."""
    if not rows:
        return []
    t, i, d = store.registri, store.impor, store.desa
    query = (sa.select(t.c.desa_kode, d.c.nama, t.c.tanggal, i.c.id, i.c.waktu, i.c.contoh)
             .join(i, t.c.impor_id == i.c.id).join(d, t.c.desa_kode == d.c.kode)
             .where(i.c.status == "aktif", i.c.contoh == sa.false(),  # demo gives way to real data
                    t.c.desa_kode.in_(sorted({k for k, _ in rows})),
                    t.c.tanggal.in_(sorted({day for _, day in rows}))))
    if exclude is not None:
        query = query.where(i.c.id != exclude)
    errors = []
    for kode, nama, tanggal, batch, waktu, _contoh in conn.execute(query).all():
        baris = rows.get((kode, tanggal))
        if baris is None:
            continue
        errors.append(RowError(baris, LABELS["tanggal"], f"data desa {kode} {nama} per "
                                                         f"{fmt.tanggal(tanggal)} sudah ada di impor "
                                                         f"#{batch} ({_when(waktu)}); batalkan impor "
                                                         f"itu dulu bila ingin menggantinya"))
    return errors


def _late_clashes(conn: sa.Connection, report: ValidationReport, batch: int) -> list[RowError]:
    """What another writer committed between validation and this batch's first write.

    Called after `store.start_batch`, whose version bump holds the write lock (SQLite) or
    the `meta` row lock (PostgreSQL), so writers are serialised from here on.
    """
    earlier = _already_imported(conn, report.sha256, exclude=batch)
    if earlier is not None:
        return [earlier]
    if report.jenis == "registri":
        keys = {(r["desa_kode"], r["tanggal"]): n for r, n in zip(report.rows, report.row_numbers)}
        return _registry_clashes(conn, keys, exclude=batch)
    return []


def _scope_name(ref: _Reference, kec: str | None) -> str:
    return "Kabupaten Bulukumba" if kec is None else f"Kecamatan {ref.kecamatan.get(kec, kec)}"


def _normal_kind(jenis: str | None) -> str | None:
    return None if jenis is None or not str(jenis).strip() else str(jenis).strip().lower()


def validate(data: bytes, nama_file: str, jenis: str | None, engine) -> ValidationReport:
    """Check the whole file against the store without writing anything."""
    parsed = _parse(data, nama_file)
    with engine.connect() as conn:
        return _check(conn, parsed, _normal_kind(jenis))


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

_TABLES = {"registri": store.registri, "kegiatan": store.kegiatan, "target": store.target}


def _summary(report: ValidationReport, ok: bool, ditulis: int, impor_id: int | None,
             dry_run: bool) -> str:
    what = report.jenis or "data"
    name = _show(report.nama_file)
    if not ok:
        n = len(report.errors)
        return f"Impor {what} dari {name} DITOLAK: {n} kesalahan; tidak ada yang ditulis."
    if dry_run:
        return (f"Pemeriksaan {what} dari {name}: {fmt.angka(len(report.rows))} baris siap diimpor; "
                f"tidak ada yang ditulis (uji saja).")
    return f"Impor {what} dari {name} BERHASIL: {fmt.angka(ditulis)} baris ditulis sebagai impor #{impor_id}."


def _result(report: ValidationReport, *, ok: bool, ditulis: int = 0, impor_id: int | None = None,
            dry_run: bool = False) -> ImportResult:
    return ImportResult(ok=ok, jenis=report.jenis, nama_file=report.nama_file, baris=report.baris,
                        ditulis=ditulis, impor_id=impor_id, errors=list(report.errors),
                        pesan=_summary(report, ok, ditulis, impor_id, dry_run),
                        warnings=list(report.warnings), dry_run=dry_run)


def _database_message(exc: sa.exc.SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", exc))
    rule = re.search(r"(ck_\w+|FOREIGN KEY|UNIQUE|NOT NULL|tanggal tidak sah|locked|busy)", text)
    reason = rule.group(1) if rule else type(exc).__name__
    if isinstance(exc, sa.exc.IntegrityError):
        return (f"Basis data menolak data ini (aturan: {reason}); tidak ada yang ditulis. "
                f"Laporkan berkas ini ke pengelola dasbor.")
    return f"Gagal menulis ke basis data ({reason}); tidak ada yang ditulis. Coba lagi sebentar."


class _Refused(Exception):
    def __init__(self, report: ValidationReport):
        self.report = report


def import_bytes(data: bytes, nama_file: str, jenis: str | None, engine, oleh: str | None = None,
                 dry_run: bool = False) -> ImportResult:
    """Validate the whole file, then write it in one transaction with its audit row.

    On any error nothing is written and the result lists every problem. Once the batch row is
    written (which serialises writers: SQLite's write lock, PostgreSQL's lock on the `meta`
    version row), the duplicate checks run again, so two operators importing at once cannot
    both write the same content or the same village and date.
    """
    parsed = _parse(data, nama_file)
    jenis = _normal_kind(jenis)
    report = ValidationReport(jenis=jenis, nama_file=nama_file, sha256=parsed.sha256,
                              errors=list(parsed.errors), warnings=list(parsed.warnings))
    try:
        if dry_run:
            with engine.connect() as conn:
                report = _check(conn, parsed, jenis)
            return _result(report, ok=report.ok, dry_run=True)
        with engine.begin() as conn:
            report = _check(conn, parsed, jenis)
            if not report.ok:
                raise _Refused(report)
            if report.jenis == "kegiatan":
                reference.ensure_partners(conn)  # a partner the store lacks yet (idempotent)
            batch = store.start_batch(conn, nama_file=nama_file[:255], sha256=parsed.sha256,
                                      jenis=report.jenis, jumlah_baris=len(report.rows),
                                      oleh=(oleh or None) and oleh[:80])
            late = _late_clashes(conn, report, batch)
            if late:
                report.errors.extend(late)
                raise _Refused(report)
            conn.execute(_TABLES[report.jenis].insert(),
                         [{**r, "impor_id": batch} for r in report.rows])
            # Real figures never mix with demo ones: the demo is cancelled (kept for the audit
            # trail) in the same transaction as the first real import.
            retired = store.retire_demo(conn, f"otomatis: impor #{batch}")
            if retired:
                report.warnings.append(RowError(None, None, "Data contoh dinonaktifkan karena data "
                                                "asli masuk; semua angka kini dari data impor."))
    except _Refused as refused:
        report = refused.report
        if not report.errors:  # e.g. no rows and no specific complaint
            report.errors.append(RowError(None, None, "Tidak ada baris data untuk diimpor."))
        return _result(report, ok=False, dry_run=dry_run)
    except sa.exc.SQLAlchemyError as exc:
        report.errors.append(RowError(None, None, _database_message(exc)))
        return _result(report, ok=False, dry_run=dry_run)
    return _result(report, ok=True, ditulis=len(report.rows), impor_id=batch)


def import_file(path, jenis: str | None = None, engine=None, oleh: str | None = None,
                dry_run: bool = False) -> ImportResult:
    """Import a file from disk (engine default: the configured store)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = "tidak ditemukan" if isinstance(exc, FileNotFoundError) else "tidak dapat dibaca"
        return ImportResult(ok=False, jenis=_normal_kind(jenis), nama_file=path.name, baris=0,
                            ditulis=0, impor_id=None,
                            errors=[RowError(None, None, f"Berkas {_show(str(path))} {reason}.")],
                            pesan=f"Impor dari {_show(path.name)} DITOLAK: berkas {reason}.",
                            dry_run=dry_run)
    return import_bytes(data, path.name, jenis, engine or store.default_engine(), oleh=oleh,
                        dry_run=dry_run)


def format_report(result) -> str:
    """Multi-line Indonesian text for the terminal: summary, then one line per error and warning.

    Accepts an ImportResult or a ValidationReport.
    """
    if isinstance(result, ValidationReport):
        summary = _summary(result, result.ok, 0, None, True) if result.ok else \
            _summary(result, False, 0, None, False).replace("DITOLAK", "tidak lolos pemeriksaan")
    else:
        summary = result.pesan
    lines = [summary, f"Baris data dibaca: {fmt.angka(result.baris)}."]
    if result.errors:
        lines.append(f"Kesalahan ({len(result.errors)}):")
        lines.extend(f"  {e}" for e in result.errors)
    warnings = getattr(result, "warnings", [])
    if warnings:
        lines.append(f"Peringatan ({len(warnings)}):")
        lines.extend(f"  {w}" for w in warnings)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------

_DESCRIPTIONS = {
    "kode_desa": ("Kode wilayah desa/kelurahan, 13 karakter.", "73.02.06.2006 (Tanah Towa)"),
    "nama_desa": ("Nama desa/kelurahan. Dipakai bila kode desa kosong; maka kecamatan wajib diisi.",
                  "Tanah Towa"),
    "kecamatan": ("Nama atau kode kecamatan.", "Kajang atau 73.02.06"),
    "tanggal": ("Tanggal data (hari/bulan/tahun).", "19/01/2018 atau 19 Januari 2018"),
    "wajib_ktp": ("Penduduk wajib KTP (bilangan bulat, titik sebagai pemisah ribuan).", "2.400"),
    "sudah_rekam": ("Wajib KTP yang sudah perekaman; tidak boleh melebihi wajib KTP.", "2.150"),
    "wajib_l": ("Opsional: wajib KTP laki-laki. Wajib L + Wajib P = Wajib KTP.", "1.190"),
    "wajib_p": ("Opsional: wajib KTP perempuan.", "1.210"),
    "rekam_l": ("Opsional: sudah rekam laki-laki. Rekam L + Rekam P = Sudah Rekam.", "1.060"),
    "rekam_p": ("Opsional: sudah rekam perempuan.", "1.090"),
    "mitra": ("Mitra pelaksana: nama atau kode.", "PMI, Tim Penggerak PKK, Lakpesdam NU"),
    "layanan": ("Jenis layanan.", "Perekaman e-KTP"),
    "jumlah": ("Jumlah warga/dokumen yang dilayani (bilangan bulat).", "35"),
    "cara": ("Cara layanan diberikan.", "Jemput Bola"),
    "rentan": ("Opsional: kelompok rentan yang dilayani; kosong = umum.", "Disabilitas"),
    "program": ("Program.", "GERTAK 2018"),
    "nilai": ("Nilai target (bilangan bulat, lebih dari 0).", "25.650"),
    "mulai": ("Tanggal mulai program.", "19/01/2018"),
    "selesai": ("Tanggal akhir target.", "31/12/2018"),
    "dasar": ("Dasar penghitungan capaian: registri (kenaikan sudah rekam di SIAK, hanya untuk "
              "rekam_ektp) atau kegiatan_mitra (jumlah laporan kegiatan mitra).", "registri"),
}
_VOCABS = {"layanan": SERVICES, "cara": DELIVERY, "rentan": VULNERABLE, "program": PROGRAMMES,
           "dasar": BASIS}


def _required_text(kind: str, canon: str) -> str:
    if canon in REQUIRED[kind]:
        return "wajib"
    if canon in ("kode_desa", "nama_desa") and kind in _NEEDS_VILLAGE:
        return "wajib: kode desa, atau nama desa + kecamatan"
    if canon == "kecamatan":
        return "kosong = kabupaten" if kind == "target" else "bila desa disebut dengan nama"
    return "opsional"


def write_template(jenis: str, path) -> Path:
    """An empty import template: canonical headers; XLSX adds a 'Petunjuk' sheet."""
    kind = _normal_kind(jenis)
    if kind not in KINDS:
        raise ValueError(f"jenis {jenis!r} tidak dikenal; pilih salah satu: {', '.join(KINDS)}")
    path = Path(path)
    headers = list(COLUMNS[kind])
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, delimiter=";").writerow(headers)
        return path
    if path.suffix.lower() != ".xlsx":
        raise ValueError("templat harus .csv atau .xlsx")
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append(headers)
    for j, cell in enumerate(sheet[1]):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(headers[j]) + 4)
        vocab = _VOCABS.get(headers[j])
        if vocab is not None:  # a drop-down of codes; other labels stay allowed
            dv = DataValidation(type="list", formula1=f'"{",".join(vocab.labels)}"',
                                allow_blank=True, showErrorMessage=False)
            dv.add(f"{cell.column_letter}2:{cell.column_letter}2000")
            sheet.add_data_validation(dv)
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("Petunjuk")
    guide.append(["Kolom", "Isian", "Keterangan", "Nilai yang diterima", "Contoh"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for canon in headers:
        description, example = _DESCRIPTIONS[canon]
        if canon in _VOCABS:
            accepted = _VOCABS[canon].accepted()
        elif canon == "mitra":
            accepted = ", ".join(f"{nama} ({kode})" for kode, nama, _ in reference.PARTNERS)
        else:
            accepted = ""
        guide.append([canon, _required_text(kind, canon), description, accepted, example])
    guide.append([])
    guide.append(["Catatan", "", "Baris 1 berisi judul kolom; data mulai baris 2. Hanya angka "
                  "agregat per desa: jangan isi NIK, nama, atau alamat penduduk.", "", ""])
    for letter, width in zip("ABCDE", (14, 22, 70, 70, 30)):
        guide.column_dimensions[letter].width = width
    workbook.save(path)
    return path


def undo_import(batch_id: int, engine, oleh: str | None = None) -> str:
    """Cancel an import: its rows leave every figure, the batch and its rows stay for the audit
    trail. Returns a message in Indonesian."""
    with engine.begin() as conn:
        done = store.cancel_batch(conn, int(batch_id), oleh)
    return f"Impor #{batch_id} dibatalkan." if done else f"Impor #{batch_id} sudah tidak aktif."
