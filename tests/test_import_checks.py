"""Row checks: derived columns must agree with what they derive from, a JUMLAH row with the rows
above it, and a file of a hundred thousand wrong rows gets a report a person can read."""
from __future__ import annotations

import pytest

from bulukumba.importer import MAX_LISTED, format_report, import_bytes, validate
from import_support import KINDANG, LEMBANNA, TANAH_TOWA, csv_bytes, error_at, snapshot_of, xlsx_bytes

HEADER = "Kode Desa;Tanggal;Wajib KTP;Sudah Rekam"


# --- derived columns ----------------------------------------------------------------------------

def test_belum_rekam_must_be_wajib_minus_rekam_on_every_row(db):
    content = csv_bytes(f"{HEADER};Belum Rekam",
                        f"{TANAH_TOWA};19/01/2018;3.112;2.480;632",
                        f"{KINDANG};19/01/2018;2.400;2.150;205",
                        f"{LEMBANNA};19/01/2018;2.000;1.900;")  # empty: nothing to check
    result = import_bytes(content, "rekap.csv", "registri", db)

    assert not result.ok and snapshot_of(db)["registri"] == 0
    assert error_at(result, 3, "Belum Rekam") == "205 tidak sama dengan Wajib KTP 2.400 − Sudah Rekam 2.150 = 250"
    assert [e.baris for e in result.errors] == [3]


def test_belum_rekam_by_sex_is_checked_too(db):
    content = csv_bytes(f"{HEADER};Wajib L;Wajib P;Rekam L;Rekam P;Belum Rekam L;Belum Rekam P",
                        f"{TANAH_TOWA};19/01/2018;3.112;2.480;1.540;1.572;1.220;1.260;320;312",
                        f"{KINDANG};19/01/2018;2.400;2.150;1.200;1.200;1.100;1.050;100;151")
    result = import_bytes(content, "rekap.csv", "registri", db)
    assert "151 tidak sama dengan Wajib P 1.200 − Rekam P 1.050 = 150" in error_at(result, 3, "Belum Rekam P")
    assert len(result.errors) == 1


@pytest.mark.parametrize("written, agrees", [
    ("79,7", True), ("79,69", True), ("80", True), ("79,6", False), ("79,68", False), ("0,797", True),
    ("79,7%", True), ("81", False),
])
def test_cakupan_must_agree_within_the_rounding_it_was_written_with(db, written, agrees):
    content = csv_bytes(f"{HEADER};Cakupan (%)", f"{TANAH_TOWA};19/01/2018;3.112;2.480;{written}")
    result = import_bytes(content, "rekap.csv", "registri", db)  # 2.480 / 3.112 = 79,691…%
    assert result.ok is agrees, format_report(result)
    if not agrees:
        assert "tidak sama dengan Sudah Rekam ÷ Wajib KTP = 79,7" in error_at(result, 2, "Cakupan (%)") \
            or "= 79,69%" in error_at(result, 2, "Cakupan (%)")


def test_l_and_p_must_add_up_and_a_missing_total_comes_from_them(db):
    content = csv_bytes("Kode Desa;Tanggal;Wajib L;Wajib P;Rekam L;Rekam P",
                        f"{TANAH_TOWA};19/01/2018;1.540;1.572;1.220;1.260")
    result = import_bytes(content, "rekap.csv", "registri", db)
    assert result.ok, format_report(result)
    with db.connect() as conn:
        row = conn.exec_driver_sql("SELECT wajib_ktp, sudah_rekam FROM registri").one()
    assert tuple(row) == (3112, 2480)


# --- the JUMLAH row ------------------------------------------------------------------------------

def _recap(total_line: str, *extra: str) -> bytes:
    return csv_bytes("NO;Kode Desa;Nama Desa/Kel;Tanggal;Wajib KTP;Sudah Rekam;Belum Rekam",
                     f"1;{TANAH_TOWA};Tanah Towa;19/01/2018;3.112;2.480;632",
                     f"2;{KINDANG};Kindang;19/01/2018;2.400;2.150;250",
                     *extra, total_line)


def test_a_jumlah_row_that_agrees_is_checked_and_not_imported(db):
    result = import_bytes(_recap(";;JUMLAH;;5.512;4.630;882"), "rekap.csv", None, db)
    assert result.ok, format_report(result)
    assert result.ditulis == 2 and result.baris == 2
    assert "Baris 4: baris jumlah cocok dengan jumlah baris-baris di atasnya" in format_report(result)


def test_a_jumlah_row_that_disagrees_refuses_the_file_naming_it(db):
    result = import_bytes(_recap("TOTAL;;;;5.512;4.640;872"), "rekap.csv", None, db)
    assert not result.ok and snapshot_of(db)["registri"] == 0
    assert "baris jumlah: 4.640 tidak sama dengan jumlah baris-baris di atasnya (4.630)" in \
        error_at(result, 4, "Sudah Rekam")
    assert "(882)" in error_at(result, 4, "Belum Rekam")


def test_a_subtotal_in_the_middle_is_named(db):
    content = csv_bytes("NO;Kode Desa;Tanggal;Wajib KTP;Sudah Rekam",
                        f"1;{TANAH_TOWA};19/01/2018;3.112;2.480",
                        "Jumlah Kec. Kajang;;;3.112;2.480",
                        f"2;{KINDANG};19/01/2018;2.400;2.150")
    result = import_bytes(content, "rekap.csv", None, db)
    assert "baris jumlah/subtotal di tengah data" in error_at(result, 3, None)


def test_a_village_is_never_taken_for_a_total(db):
    content = csv_bytes("Desa;Kecamatan;Tanggal;Wajib KTP;Sudah Rekam",
                        "Tanah Towa;Kajang;19/01/2018;3.112;2.480", "Tanah Kongkong;Ujung Bulu;19/01/2018;4.873;4.702")
    assert import_bytes(content, "rekap.csv", None, db).ditulis == 2


# --- a report a person can read ----------------------------------------------------------------

def test_many_wrong_rows_list_the_first_hundred_and_count_every_kind(db):
    rows = [f"73.02.99.{9000 + i};31/02/2018;12,5;-{i}" for i in range(2500)]
    report = validate(csv_bytes("NO;Kode Desa;Tanggal;Wajib KTP;Sudah Rekam",
                                *[f"{i};{r}" for i, r in enumerate(rows, 1)]), "salah.csv", None, db)

    assert report.error_count == 4 * 2500
    assert len(report.errors) == MAX_LISTED
    assert [e.baris for e in report.errors][:8] == [2, 2, 2, 2, 3, 3, 3, 3]
    kinds = {(kolom, jenis): n for kolom, jenis, n in report.problems.kinds()}
    assert kinds == {("Kode Desa", "kode desa tidak dikenal"): 2500,
                     ("Tanggal", "tanggal tidak ada di kalender"): 2500,
                     ("Wajib KTP", "bukan bilangan bulat"): 2500, ("Sudah Rekam", "negatif"): 2500}
    text = format_report(report)
    assert "Kesalahan (10.000), 100 pertama:" in text
    assert "kolom 'Kode Desa' – kode desa tidak dikenal: 2.500" in text
    assert len(text.splitlines()) < MAX_LISTED + 12


def test_errors_found_across_rows_are_listed_in_row_order(db):
    lines = [f"{TANAH_TOWA};{d:02d}/01/2018;3.112;2.480" for d in range(1, 28)]
    lines.insert(5, f"{TANAH_TOWA};01/01/2018;3.112;2.480")  # row 7 repeats row 2
    result = import_bytes(csv_bytes(HEADER, *lines, f"{KINDANG};x;1;1"), "rekap.csv", None, db)
    assert [e.baris for e in result.errors] == [7, 30]
    assert "sudah ada di baris 2" in error_at(result, 7, "Tanggal")


def test_the_same_activity_twice_is_one_grouped_warning(db):
    line = f"19/01/2018;PMI;{TANAH_TOWA};KK;10;Jemput Bola"
    content = csv_bytes("Tanggal;Mitra;Kode Desa;Layanan;Jumlah;Cara", *[line] * 25,
                        f"20/01/2018;PMI;{KINDANG};KK;3;Posko")
    result = import_bytes(content, "kegiatan.csv", None, db)
    assert result.ok
    same = [w for w in result.warnings if "sama persis dengan baris 2" in w.pesan]
    assert len(same) == 1 and str(same[0]).startswith("Baris 3, 4, 5") and "dan 14 lainnya" in str(same[0])
    assert same[0].rows_label == "3, 4, 5, 6, 7, 8, 9, 10, 11, 12 (+14)"  # the report's "Baris" column


def test_villages_matched_by_name_are_said_once_per_name_with_their_rows(db):
    lines = [f"tanah towa;Kajang;{d:02d}/01/2018;3.112;2.480" for d in range(1, 13)]
    content = csv_bytes("Kode Desa;Nama Desa;Kecamatan;Tanggal;Wajib KTP;Sudah Rekam",
                        *[";" + line for line in lines], f"{KINDANG};Kindang;Kindang;01/01/2018;2.400;2.150")
    result = import_bytes(content, "rekap.csv", None, db)
    assert result.ok, format_report(result)
    (said,) = [str(w) for w in result.warnings if "dicocokkan" in w.pesan]
    assert said.startswith("Baris 2, 3, 4") and "(dan 2 lainnya)" in said
    assert f"desa 'tanah towa' dicocokkan dengan nama ke {TANAH_TOWA} Tanah Towa (Kec. Kajang)" in said


def test_a_kecamatan_slip_is_read_and_said(db):
    content = csv_bytes("Desa;Kecamatan;Tanggal;Wajib KTP;Sudah Rekam", "Kindang;Kindag;19/01/2018;2.400;2.150")
    result = import_bytes(content, "rekap.csv", None, db)
    assert result.ok and any("kecamatan 'Kindag' dibaca sebagai Kindang" in w.pesan for w in result.warnings)


def test_a_nik_in_a_fraction_is_not_a_nik_but_sixteen_digits_are(db):
    ok = csv_bytes(f"{HEADER};Catatan", f"{TANAH_TOWA};19/01/2018;3.112;2.480;0,7969151670951157")
    assert import_bytes(ok, "rekap.csv", None, db).ok
    spaced = csv_bytes(f"{HEADER};Catatan", f"{KINDANG};19/01/2018;2.400;2.150;7302 0641 0190 0001")
    result = import_bytes(spaced, "rekap2.csv", None, db)
    assert "NIK" in error_at(result, 2, "Catatan") and "7302" not in format_report(result)


def test_an_xlsx_recap_with_excel_errors_says_which_cell(db):
    content = xlsx_bytes(["Kode Desa", "Tanggal", "Wajib KTP", "Sudah Rekam", "Cakupan (%)"],
                         [TANAH_TOWA, "19/01/2018", 3112, 2480, "#DIV/0!"],
                         [KINDANG, "19/01/2018", 0, 0, "#DIV/0!"])
    result = import_bytes(content, "rekap.xlsx", None, db)
    assert "galat rumus Excel #DIV/0!" in error_at(result, 2, "Cakupan (%)")
    assert [e.baris for e in result.errors] == [2]  # 0 ÷ 0 is what Excel shows for no wajib KTP
