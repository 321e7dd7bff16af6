"""Import templates (CSV and XLSX) and the explanation of every column, in Indonesian.

The XLSX template carries a 'Petunjuk' sheet (what each column holds, whether it is required,
the values accepted, an example); the Kelola data page shows the same table and offers both
files for download.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from bulukumba.storage import reference
from bulukumba.importer.headers import COLUMNS, DERIVED, KINDS, LABELS, NEEDS_VILLAGE, REQUIRED, SPLIT
from bulukumba.importer.values import VOCABS

DESCRIPTIONS = {
    "kode_desa": ("Kode wilayah desa/kelurahan (Kepmendagri), 13 karakter.",
                  "73.02.06.2006 (Tanah Towa)"),
    "nama_desa": ("Nama desa/kelurahan. Dipakai bila kode desa kosong: dicocokkan di kecamatannya "
                  "(ejaan yang sedikit berbeda dicocokkan bila hanya satu desa yang mirip, dan "
                  "dilaporkan sebelum disimpan).", "Tanah Towa"),
    "kecamatan": ("Nama atau kode kecamatan.", "Kajang atau 73.02.06"),
    "tanggal": ("Tanggal data (hari/bulan/tahun).", "19/01/2018 atau 19 Januari 2018"),
    "wajib_ktp": ("Penduduk wajib KTP (bilangan bulat, titik sebagai pemisah ribuan).", "2.400"),
    "sudah_rekam": ("Wajib KTP yang sudah perekaman; tidak boleh melebihi wajib KTP.", "2.150"),
    "wajib_l": ("Opsional: wajib KTP laki-laki. Wajib L + Wajib P = Wajib KTP.", "1.190"),
    "wajib_p": ("Opsional: wajib KTP perempuan.", "1.210"),
    "rekam_l": ("Opsional: sudah rekam laki-laki. Rekam L + Rekam P = Sudah Rekam.", "1.060"),
    "rekam_p": ("Opsional: sudah rekam perempuan.", "1.090"),
    "belum_rekam": ("Boleh ada: diperiksa pada setiap baris (harus Wajib KTP − Sudah Rekam), tidak "
                    "disimpan.", "250"),
    "belum_l": ("Boleh ada: harus Wajib L − Rekam L.", "130"),
    "belum_p": ("Boleh ada: harus Wajib P − Rekam P.", "120"),
    "cakupan": ("Boleh ada: harus Sudah Rekam ÷ Wajib KTP × 100, sesuai pembulatannya.", "89,6"),
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

GENERAL_NOTES = (
    "Baris 1 berisi judul kolom; data mulai baris 2. Baris judul tabel di atasnya dan kolom nomor "
    "urut (NO) boleh ada: diabaikan.",
    "Judul kolom boleh ditulis seperti biasa (mis. 'Nama Desa/Kel', 'Jml Wajib KTP-el', 'WKTP (L)'); "
    "judul yang tidak dikenali ditanyakan di halaman Kelola data, dan jawabannya diingat.",
    "Baris JUMLAH/TOTAL di bagian bawah boleh ada: dicocokkan dengan jumlah baris di atasnya, tidak "
    "disimpan.",
    "Angka hanya 0–9, titik sebagai pemisah ribuan (325.880). Hanya angka agregat per desa: jangan "
    "isi NIK, nama, atau alamat penduduk.",
)


def required_text(kind: str, canon: str) -> str:
    if canon in REQUIRED[kind]:
        return "wajib" if canon not in SPLIT else "wajib (atau kedua kolom L dan P)"
    if canon in ("kode_desa", "nama_desa") and kind in NEEDS_VILLAGE:
        return "wajib: kode desa, atau nama desa"
    if canon == "kecamatan":
        return ("kosong = seluruh wilayah data; atau nama kabupaten/kota bila data memuat beberapa"
                if kind == "target" else "bila desa disebut dengan nama")
    if canon in DERIVED[kind]:
        return "boleh ada, diperiksa"
    return "opsional"


def accepted_values(canon: str) -> str:
    if canon in VOCABS:
        return VOCABS[canon].accepted()
    if canon == "mitra":
        return ", ".join(f"{nama} ({kode})" for kode, nama, _ in reference.PARTNERS)
    return ""


def column_help(kind: str) -> list[dict[str, str]]:
    """One row per column of `kind` (then the derived ones): Kolom, Isian, Keterangan, Contoh."""
    rows = []
    for canon in (*COLUMNS[kind], *DERIVED[kind]):
        description, example = DESCRIPTIONS[canon]
        accepted = accepted_values(canon)
        rows.append({"Kolom": canon, "Judul biasa": LABELS[canon], "Isian": required_text(kind, canon),
                     "Keterangan": description + (f" Diterima: {accepted}." if accepted else ""),
                     "Contoh": example})
    return rows


def write_template(jenis: str, path) -> Path:
    """An empty import template: canonical headers; XLSX adds a 'Petunjuk' sheet."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx"):
        raise ValueError("templat harus .csv atau .xlsx")
    content = template_bytes(jenis, suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def template_bytes(jenis: str, format: str = "xlsx") -> bytes:
    """The template for `jenis` as file content ('csv' or 'xlsx')."""
    kind = str(jenis or "").strip().lower()
    if kind not in KINDS:
        raise ValueError(f"jenis {jenis!r} tidak dikenal; pilih salah satu: {', '.join(KINDS)}")
    headers = list(COLUMNS[kind])
    if format == "csv":
        text = io.StringIO(newline="")
        csv.writer(text, delimiter=";").writerow(headers)
        return text.getvalue().encode("utf-8-sig")
    if format != "xlsx":
        raise ValueError("templat harus .csv atau .xlsx")
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append(headers)
    for j, cell in enumerate(sheet[1]):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(headers[j]) + 4)
        vocab = VOCABS.get(headers[j])
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
    for canon in (*headers, *DERIVED[kind]):
        description, example = DESCRIPTIONS[canon]
        guide.append([canon, required_text(kind, canon), description, accepted_values(canon), example])
    guide.append([])
    for note in GENERAL_NOTES:
        guide.append(["Catatan", "", note, "", ""])
    for letter, width in zip("ABCDE", (14, 22, 70, 70, 30)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
