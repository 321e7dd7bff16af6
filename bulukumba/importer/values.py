"""The vocabulary of cell values: Indonesian numbers, dates and percentages, region codes, the
labels operators write for coded columns, and the words of a total row.

Every parser raises `Invalid(message, jenis)` (a ValueError) with an Indonesian reason fit for
the operator; the checks put the row number and column in front of it, and count by `jenis`.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from bulukumba.language import fmt, texts
from bulukumba.storage import store

MAX_SHOWN = 40
#: Larger than any count the store holds (and than a 32-bit integer can carry safely).
LARGEST = 2_000_000_000
#: Values Excel writes into a cell whose formula failed.
EXCEL_ERRORS = ("#DIV/0!", "#VALUE!", "#REF!", "#N/A", "#NAME?", "#NUM!", "#NULL!", "#SPILL!",
                "#CALC!", "#GETTING_DATA")


class Invalid(ValueError):
    """A value that cannot be taken: an Indonesian reason, and the kind of problem for counting."""

    def __init__(self, message: str, jenis: str = ""):
        super().__init__(message)
        self.jenis = jenis or message


class FormulaWithoutValue(str):
    """An XLSX cell holding a formula whose result the file does not carry (it reads as '').

    Files written by scripts, or saved without recalculating, have such cells; the checks say so
    instead of calling the cell empty.
    """

    def __new__(cls, formula: str):
        cell = super().__new__(cls, "")
        cell.formula = formula
        return cell


class TooLong(str):
    """An XLSX shared string past `limits.MAX_CELL_CHARS`, kept as its length only (reads as '')."""

    def __new__(cls, length: int):
        cell = super().__new__(cls, "")
        cell.length = length
        return cell


def key(text: str) -> str:
    """Lower case ASCII letters and digits only: 'Desa/Kelurahan' -> 'desakelurahan'."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


#: Characters a message would not show (zero-width, direction marks, controls, line and paragraph
#: separators): written as their code point, so the operator sees what is there.
_INVISIBLE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad"
                        "\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
                        "\u3164\ufeff\ufff9-\ufffb]")


def visible(text: str) -> str:
    """'Nama\u200bDesa' -> 'Nama[U+200B]Desa': invisible characters named by their code point."""
    return _INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def show(value: object) -> str:
    """A cell value as it may appear in a message: quoted, one line, at most MAX_SHOWN characters,
    invisible characters (zero-width, right-to-left marks, U+2028) shown as [U+200B]."""
    raw = str(value)
    text = " ".join(visible(raw[:MAX_SHOWN * 4]).split())
    if len(text) > MAX_SHOWN or len(raw) > MAX_SHOWN * 4:
        text = text[:MAX_SHOWN - 1] + "…"
    return f"'{text}'"


def clean(text: str) -> str:
    """A text cell as one line: spaces (also non-breaking) and line breaks collapsed."""
    return " ".join(str(text).replace("\u00a0", " ").split())


def _digit_problem(text: str) -> str | None:
    """Why a cell with digits other than 0-9 is refused, or None."""
    for char in text:
        if not char.isascii() and unicodedata.category(char) == "Nd":
            name = unicodedata.name(char, "")
            script = ("Arab" if "ARABIC" in name else "lebar penuh" if "FULLWIDTH" in name else
                      "Devanagari" if "DEVANAGARI" in name else "non-Latin")
            return (f"{show(text)} memakai angka {script}; hanya angka 0–9 yang diterima (ketik "
                    f"ulang angkanya, atau ubah format sel menjadi angka biasa)")
    return None


def _line_break(text: str) -> bool:
    return "\n" in text or "\r" in text or "\u2028" in text


def parse_whole(text: str) -> int:
    """A non-negative whole number in Indonesian notation ('325.880', '1.234,00', '2400').

    ASCII digits only. Raises ValueError with an Indonesian reason.
    """
    raw = str(text)
    if _line_break(raw.strip()):
        raise Invalid(f"{show(raw)} berisi pindah baris di dalam sel angka (Enter di dalam sel); "
                      f"hapus pindah barisnya", "pindah baris di dalam sel")
    s = re.sub(r"[ \t\u00a0\u202f]", "", raw.strip())
    if not s:
        raise Invalid("kosong", "kosong")
    if s in EXCEL_ERRORS:
        raise Invalid(f"berisi galat rumus Excel {s}; perbaiki rumusnya di Excel", "galat rumus Excel")
    problem = _digit_problem(s)
    if problem:
        raise Invalid(problem, "angka selain 0-9")
    if s[0] in "-−–(":
        raise Invalid(f"{show(text)} negatif; jumlah tidak boleh kurang dari 0", "negatif")
    s = s.lstrip("+")
    if re.fullmatch(r"[0-9]+", s):
        value = int(s)
    elif re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+", s):
        value = int(s.replace(".", ""))
    elif m := re.fullmatch(r"([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+),([0-9]+)", s):
        if set(m.group(2)) != {"0"}:
            raise Invalid(f"{show(text)} bukan bilangan bulat", "bukan bilangan bulat")
        value = int(m.group(1).replace(".", ""))
    elif re.fullmatch(r"[0-9]+\.[0-9]+", s):
        raise Invalid(f"{show(text)} bukan bilangan bulat (titik adalah pemisah ribuan, "
                      f"mis. 325.880)", "bukan bilangan bulat")
    else:
        raise Invalid(f"{show(text)} bukan angka", "bukan angka")
    if value > LARGEST:
        raise Invalid(f"{show(text)} terlalu besar", "terlalu besar")
    return value


def parse_percent(text: str) -> tuple[float, int]:
    """A percentage as written ('92,1', '92,1%', '92.1', '0,921' from a %-formatted cell):
    the number and how many decimals it was written with. Raises ValueError."""
    raw = str(text)
    if _line_break(raw.strip()):
        raise Invalid(f"{show(raw)} berisi pindah baris di dalam sel angka; hapus pindah "
                      f"barisnya", "pindah baris di dalam sel")
    s = re.sub(r"[ \t\u00a0\u202f]", "", raw.strip()).removesuffix("%")
    if s in EXCEL_ERRORS:
        raise Invalid(f"berisi galat rumus Excel {s}; perbaiki rumusnya di Excel", "galat rumus Excel")
    problem = _digit_problem(s)
    if problem:
        raise Invalid(problem, "angka selain 0-9")
    m = re.fullmatch(r"([0-9]+)(?:[.,]([0-9]+))?", s)
    if not m:
        raise Invalid(f"{show(text)} bukan persentase (contoh: 92,1)", "bukan persentase")
    decimals = m.group(2) or ""
    return float(f"{m.group(1)}.{decimals or '0'}"), len(decimals)


#: Month names in dates: Indonesian (fmt.BULAN, fmt.BULAN_PENDEK), old spellings and English.
MONTHS = {
    **{name.lower(): i for i, name in enumerate(fmt.BULAN, start=1)},
    **{name.lower(): i for i, name in enumerate(fmt.BULAN_PENDEK, start=1)},
    "pebruari": 2, "peb": 2, "agt": 8, "ags": 8, "sept": 9, "nopember": 11, "nop": 11,
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "aug": 8,
    "august": 8, "oct": 10, "october": 10, "dec": 12, "december": 12,
}


def parse_date(text: str) -> dt.date:
    """A date as operators write it: 2018-01-19, 19/01/2018, 19-01-2018, 19 Januari 2018.

    Day first always; ASCII digits only. Raises ValueError with an Indonesian reason.
    """
    if _line_break(str(text).strip()):
        raise Invalid(f"{show(text)} berisi pindah baris di dalam sel tanggal; hapus pindah "
                      f"barisnya", "pindah baris di dalam sel")
    s = " ".join(str(text).split())
    if s in EXCEL_ERRORS:
        raise Invalid(f"berisi galat rumus Excel {s}; perbaiki rumusnya di Excel", "galat rumus Excel")
    problem = _digit_problem(s)
    if problem:
        raise Invalid(problem, "angka selain 0-9")
    s = re.sub(r"^[A-Za-z']+,\s*", "", s)  # "Jumat, 19 Januari 2018"
    time = r"(?:[ T][0-9]{1,2}[:.][0-9]{2}(?:[:.][0-9]{2}(?:\.[0-9]+)?)?)?"
    if m := re.fullmatch(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})" + time, s):
        y, mo, d = (int(g) for g in m.groups())
    elif m := re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})" + time, s):
        d, mo, y = (int(g) for g in m.groups())
        y = y + 2000 if y < 100 else y
    elif m := re.fullmatch(r"([0-9]{1,2})[\s./-]*([A-Za-z]+)\.?[\s./,-]*([0-9]{4})", s):
        month = MONTHS.get(m.group(2).lower())
        if month is None:
            raise Invalid(f"nama bulan {show(m.group(2))} tidak dikenali", "nama bulan tidak dikenali")
        d, mo, y = int(m.group(1)), month, int(m.group(3))
    else:
        if re.fullmatch(r"[0-9]{5}", s):
            raise Invalid(f"{show(text)} bukan tanggal (angka seri Excel? format sel itu "
                             f"sebagai tanggal)", "angka seri Excel, bukan tanggal")
        raise Invalid(f"format tanggal {show(text)} tidak dikenali (contoh: 19/01/2018, "
                      f"2018-01-19, 19 Januari 2018)", "format tanggal tidak dikenali")
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        raise Invalid(f"tanggal {show(text)} tidak ada di kalender",
                      "tanggal tidak ada di kalender") from None
    if not 2000 <= day.year <= 2100:
        raise Invalid(f"tahun {y} di luar rentang yang wajar", "tahun di luar rentang")
    return day


def desa_code(text: str) -> str | None:
    """'73.02.06.2006' or '7302062006' -> '73.02.06.2006'; else None."""
    s = re.sub(r"\s", "", text)
    if re.fullmatch(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}", s):
        return s
    if re.fullmatch(r"[0-9]{10}", s):
        return f"{s[:2]}.{s[2:4]}.{s[4:6]}.{s[6:]}"
    return None


def kecamatan_code(text: str) -> str | None:
    s = re.sub(r"\s", "", text)
    if re.fullmatch(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}", s):
        return s
    if re.fullmatch(r"[0-9]{6}", s):
        return f"{s[:2]}.{s[2:4]}.{s[4:]}"
    return None


DESA_PREFIX = r"^(desa\s+|kelurahan\s+|kel\.\s*|kel\s+|ds\.\s*|ds\s+)"
KEC_PREFIX = r"^(kecamatan\s+|kec\.\s*|kec\s+)"


def strip_prefix(text: str, pattern: str) -> str:
    return re.sub(pattern, "", text.strip(), flags=re.IGNORECASE)


#: What the first cell of a total row says: JUMLAH, TOTAL, Jml, Grand Total, Sub Total, …
_TOTAL_WORDS = re.compile(r"^(jumlah|jml|jmlh|total|grand ?total|sub ?total|jumlah total|"
                          r"total keseluruhan|jumlah keseluruhan)\b")


def is_total_label(text: str) -> bool:
    words = " ".join(re.findall(r"[a-z]+", str(text).lower()))
    return bool(_TOTAL_WORDS.match(words))


# ---------------------------------------------------------------------------------------------
# Coded columns: the labels operators write for each code
# ---------------------------------------------------------------------------------------------

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


class Vocab:
    """A coded column: matches codes, the interface's labels (texts.py) and the labels operators
    write; lists what it accepts."""

    def __init__(self, what: str, labels: dict[str, tuple[str, ...]], shown: dict[str, str]):
        self.what = what
        self.labels = labels
        self.shown = shown
        self.codes = tuple(labels)
        self._index: dict[str, str] = {}
        for code, names in labels.items():
            for name in (code, shown[code], *names):
                if key(name):
                    self._index.setdefault(key(name), code)

    def match(self, text: str) -> str | None:
        k = key(text)
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


SERVICES = Vocab("layanan", SERVICE_LABELS, texts.LAYANAN)
DELIVERY = Vocab("cara", DELIVERY_LABELS, texts.CARA)
VULNERABLE = Vocab("rentan", VULNERABLE_LABELS, texts.RENTAN)
PROGRAMMES = Vocab("program", PROGRAMME_LABELS, texts.PROGRAM)
BASIS = Vocab("dasar", BASIS_LABELS, texts.DASAR)
assert set(SERVICE_LABELS) == set(store.SERVICES) and set(DELIVERY_LABELS) == set(store.DELIVERY)
assert set(VULNERABLE_LABELS) == set(store.VULNERABLE) and set(BASIS_LABELS) == set(store.TARGET_BASIS)
assert set(PROGRAMME_LABELS) == set(store.PROGRAMMES)

#: The coded column -> its vocabulary.
VOCABS = {"layanan": SERVICES, "cara": DELIVERY, "rentan": VULNERABLE, "program": PROGRAMMES,
          "dasar": BASIS}

#: 15 or 16 digits in a row (spaces, dots or dashes between them allowed: 7302-0601-0101-0001)
#: look like a NIK (personal identity number; a spreadsheet that kept 15 significant digits, or a
#: NIK missing a digit); the decimals of a fraction (0,7969151670951157) do not.
NIK = re.compile(r"(?<![0-9,])[0-9]{15,16}(?![0-9])")
_DIGIT_GAPS = re.compile(r"(?<=[0-9])[\s.\-\u2010-\u2015]+(?=[0-9])")
#: A NIK that a spreadsheet showed in scientific notation: 7,30206E+15, 7.30206e15.
_SCIENTIFIC_NIK = re.compile(r"\s*[0-9](?:[.,][0-9]+)?\s*[eE]\s*\+?\s*1[45]\s*")
#: A person in free text (a name with a birth date, or a title and an address): a birth date
#: (a year 1900-2009, when the dashboard's data start in 2017) or 'lahir'/'TTL'/'umur' with a
#: year after it; an address (Jl., Lorong, RT 2, RW 1, No. 5); a title before a name.
_BIRTH = re.compile(r"\b(?:lahir|lhr|ttl)\b\D{0,25}(?:[0-9]{1,2}\D{1,12})?(?:19[0-9]{2}|200[0-9])\b|"
                    r"\b[0-9]{1,2}[-/. ]+(?:[0-9]{1,2}|[A-Za-z]{3,9})[-/. ]+(?:19[0-9]{2}|200[0-9])\b",
                    re.IGNORECASE)
_ADDRESS = re.compile(r"\b(?:jl|jln|jalan|lorong|lr|gang|gg|blok|kompleks|komp|perum)\b\.?\s*[A-Za-z0-9]|"
                      r"\brt\s*\.?\s*[0-9]{1,3}\b|\brw\s*\.?\s*[0-9]{1,3}\b",
                      re.IGNORECASE)
_TITLED = re.compile(r"\b(?i:bin|binti|bapak|bpk|ibu|sdr|sdri|hj?|drs?|ir|muh|moh)\b\.?\s*[A-Z]")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}")


def looks_like_nik(text: str) -> bool:
    return len(text) >= 15 and bool(NIK.search(_DIGIT_GAPS.sub("", text)))


def personal_value(text: str) -> str | None:
    """Why a cell looks like personal data ('NIK', 'NIK dalam notasi ilmiah', 'nama dengan tanggal
    lahir atau alamat'), or None. Linear in the cell's length; most cells are rejected by length."""
    n = len(text)
    if n < 7 or n < 15 and "e" not in text and "E" not in text:
        return None
    if n < 24 and _SCIENTIFIC_NIK.fullmatch(text):
        return "NIK yang ditampilkan spreadsheet dalam notasi ilmiah"
    if n >= 15 and looks_like_nik(text):
        return "NIK"
    if n >= 15:
        birth = _BIRTH.search(text)
        rest = text[:birth.start()] + " " + text[birth.end():] if birth else ""
        if birth and (_CAPITALISED.search(rest) or _ADDRESS.search(text)) \
                or _TITLED.search(text) and _ADDRESS.search(text):
            return "nama orang dengan tanggal lahir atau alamat"
    return None
