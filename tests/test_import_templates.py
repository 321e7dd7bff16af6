"""Templates (CSV and XLSX) and the explanation of every column: what the Kelola data page
offers for download, and what the command line writes. A filled template goes back in."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from bulukumba import importer
from bulukumba.importer import format_report, import_bytes
from import_support import TANAH_TOWA


FILLED = {
    "registri": [TANAH_TOWA, "Tanah Towa", "Kajang", dt.date(2018, 1, 19), 3112, 2480, 1540, 1572,
                 1220, 1260],
    "kegiatan": [dt.date(2018, 1, 19), "PMI", TANAH_TOWA, "Tanah Towa", "Kajang", "rekam_ektp", 40,
                 "jemput_bola", "disabilitas"],
    "target": ["gertak_2018", "rekam_ektp", "", 25650, dt.date(2018, 1, 19), dt.date(2018, 12, 31),
               "registri"],
}


def _csv_cell(value) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else str(value)


@pytest.mark.parametrize("kind", importer.KINDS)
def test_csv_template_round_trip(db, tmp_path, kind):
    path = importer.write_template(kind, tmp_path / f"templat-{kind}.csv")
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").strip() == ";".join(importer.COLUMNS[kind])
    filled = content + (";".join(_csv_cell(v) for v in FILLED[kind]) + "\r\n").encode()
    result = import_bytes(filled, path.name, None, db)
    assert result.ok and result.jenis == kind and result.ditulis == 1, format_report(result)


@pytest.mark.parametrize("kind", importer.KINDS)
def test_xlsx_template_round_trip(db, tmp_path, kind):
    path = importer.write_template(kind, tmp_path / f"templat-{kind}.xlsx")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == list(importer.COLUMNS[kind]) and sheet.max_row == 1
    guide = workbook["Petunjuk"]
    documented = [guide.cell(row=r, column=1).value for r in range(2, 2 + len(importer.COLUMNS[kind]))]
    assert documented == list(importer.COLUMNS[kind])
    sheet.append(FILLED[kind])
    workbook.save(path)
    result = importer.import_file(path, engine=db, oleh="operator2")
    assert result.ok and result.jenis == kind and result.ditulis == 1, format_report(result)


def test_import_file_reports_a_missing_file(db, tmp_path):
    result = importer.import_file(tmp_path / "tidak-ada.csv", engine=db)
    assert not result.ok and "tidak ditemukan" in result.errors[0].pesan



@pytest.mark.parametrize("kind", importer.KINDS)
def test_template_bytes_are_the_files_the_page_offers(kind, tmp_path):
    assert importer.template_bytes(kind, "csv") == importer.write_template(kind, tmp_path / "t.csv").read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(importer.template_bytes(kind, "xlsx"))).worksheets[0]
    assert [c.value for c in sheet[1]] == list(importer.COLUMNS[kind])


def test_every_column_is_explained_in_indonesian():
    help_rows = importer.column_help("registri")
    assert [r["Kolom"] for r in help_rows] == [*importer.COLUMNS["registri"], *importer.DERIVED["registri"]]
    by_column = {r["Kolom"]: r for r in help_rows}
    assert by_column["wajib_ktp"]["Isian"] == "wajib (atau kedua kolom L dan P)"
    assert "Wajib KTP − Sudah Rekam" in by_column["belum_rekam"]["Keterangan"]
    assert by_column["kode_desa"]["Contoh"].startswith("73.02.06.2006")
    layanan = {r["Kolom"]: r for r in importer.column_help("kegiatan")}["layanan"]["Keterangan"]
    assert "rekam_ektp (Perekaman e-KTP)" in layanan


def test_an_unknown_kind_or_format_is_refused_in_indonesian(tmp_path):
    with pytest.raises(ValueError, match="tidak dikenal"):
        importer.template_bytes("penduduk", "csv")
    with pytest.raises(ValueError, match="harus .csv atau .xlsx"):
        importer.write_template("registri", tmp_path / "t.ods")
