"""The vocabulary of headers: real spellings land on their column by meaning; what is unknown or
ambiguous goes back to the operator instead of being guessed or silently dropped."""
from __future__ import annotations

import pytest

from bulukumba.importer import headers
from bulukumba.importer.column_plan import (CHOSEN, RECOGNISED, REMEMBERED, TWICE, UNKNOWN, detect_kind,
                                            plan_columns)
from bulukumba.importer.headers import IGNORE, meanings
from bulukumba.language.names import spelling as spelling_key
from import_header_spellings import SPELLINGS


def test_the_table_holds_at_least_sixty_real_spellings_for_every_kind():
    assert len(SPELLINGS) >= 60
    assert {kind for _, kind, _ in SPELLINGS} == set(headers.KINDS)
    assert len({s for s, _, _ in SPELLINGS}) == len(SPELLINGS)


@pytest.mark.parametrize("spelling, kind, expected", SPELLINGS)
def test_a_real_spelling_means_its_column(spelling, kind, expected):
    assert meanings(spelling, kind) == (expected,)


@pytest.mark.parametrize("spelling, kind", [
    ("Jumlah", "registri"),           # a total of what?
    ("Jumlah Penduduk", "registri"),  # population is not wajib KTP
    ("Tahun", "registri"),
    ("Jumlah KK", "registri"),
    ("Kode Desa/Kecamatan", "registri"),
    ("% Belum Rekam", "registri"),
    ("Rekam Wajib", "registri"),
    ("Sasaran", "kegiatan"),
    ("Nama Kepala Desa", "registri"),
    ("![t](http://contoh.test/a.png)", "registri"),
    ("", "registri"),
])
def test_what_is_not_known_is_not_guessed(spelling, kind):
    assert headers.recognise(spelling, kind) is None


def test_a_header_with_two_meanings_in_a_kind_is_ambiguous():
    # "Jumlah" is the count served in partner activity, and the value of a target
    assert meanings("Jumlah", "kegiatan") == ("jumlah",)
    assert meanings("Jumlah", "target") == ("nilai",)
    plan = plan_columns(["Kode Desa", "Tanggal", "Wajib KTP", "Sudah Rekam", "Kode"], "registri")
    twins = [c for c in plan.columns if c.how == TWICE]
    assert [c.header for c in twins] == ["Kode Desa", "Kode"] and twins[0].candidates == ("kode_desa",)
    assert any(e.jenis == "kolom belum dipetakan" for e in plan.errors)


@pytest.mark.parametrize("spelling, expected", [
    ("KELURHAN", "nama_desa"),               # one letter dropped
    ("Perekamn s.d. Bulan Ini", "sudah_rekam"),
    ("WAJIBKTPL", "wajib_l"),                # glued, with the L at the end
    ("JMLWAJIBKTP", "wajib_ktp"),
    ("sudah_rekam_p", "rekam_p"),
    ("Wajib\u00a0KTP", "wajib_ktp"),          # a non-breaking space
    ("ＷＡＪＩＢ ＫＴＰ", "wajib_ktp"),        # full-width letters
])
def test_slips_glued_words_and_odd_spaces_are_forgiven(spelling, expected):
    assert headers.recognise(spelling, "registri") == expected


@pytest.mark.parametrize("header", ["NIK", "Nama", "Nama Lengkap", "Alamat", "Tanggal Lahir", "No KK",
                                    "Tempat/Tgl Lahir", "No. HP", "nik_kepala_keluarga"])
def test_personal_data_headers_are_seen(header):
    assert headers.looks_personal(header)


@pytest.mark.parametrize("header", ["Nama Desa", "Kode Desa", "Tanggal", "Jumlah", "Kecamatan"])
def test_aggregate_headers_are_not_taken_for_personal_data(header):
    assert not headers.looks_personal(header)


def test_a_choice_beats_a_remembered_answer_which_beats_recognition():
    file_headers = ["NO", "Nama Desa/Kel", "KEC", "TGL", "WAJIB", "REKAM", "Jumlah KK", "Ket"]
    remembered = {"jumlah kk": IGNORE, "rekam": "belum_rekam"}
    plan = plan_columns(file_headers, "registri", chosen={"rekam": "sudah_rekam"}, remembered=remembered)
    how = {c.header: (c.target, c.how) for c in plan.columns}
    assert how == {"NO": ("nomor", RECOGNISED), "Nama Desa/Kel": ("nama_desa", RECOGNISED),
                   "KEC": ("kecamatan", RECOGNISED), "TGL": ("tanggal", RECOGNISED),
                   "WAJIB": ("wajib_ktp", RECOGNISED), "REKAM": ("sudah_rekam", CHOSEN),
                   "Jumlah KK": (IGNORE, REMEMBERED), "Ket": ("catatan", RECOGNISED)}
    assert plan.errors == [] and plan.used["sudah_rekam"] == 5


def test_an_answer_for_another_kind_does_not_apply():
    plan = plan_columns(["Kode Desa", "Tanggal", "Wajib KTP", "Sudah Rekam", "Jml"], "registri",
                        remembered={"jml": "jumlah"})  # 'jumlah' is a column of partner activity
    assert [(c.header, c.how) for c in plan.unresolved] == [("Jml", UNKNOWN)]


def test_ignoring_the_rest_ignores_unknown_columns_but_not_ambiguous_ones():
    plan = plan_columns(["Kode Desa", "Kode", "Tanggal", "Wajib KTP", "Sudah Rekam", "Foo", "Bar"],
                        "registri", ignore_rest=True)
    assert [c.header for c in plan.unresolved] == ["Kode Desa", "Kode"]
    assert {c.header: c.target for c in plan.columns}["Foo"] == IGNORE


def test_missing_required_columns_name_what_is_accepted():
    plan = plan_columns(["Kode Desa", "Tanggal", "Wajib L", "Wajib P"], "registri")
    missing = [e for e in plan.errors if e.jenis == "kolom wajib tidak ada"]
    assert [e.kolom for e in missing] == ["Sudah Rekam"]  # Wajib KTP comes from L + P
    assert "'Sudah Perekaman'" in missing[0].pesan


@pytest.mark.parametrize("file_headers, kind", [
    (["NO", "KODE WILAYAH", "TGL", "WKTP", "SUDAH REKAM"], "registri"),
    (["Tgl Kegiatan", "Lembaga Mitra", "Ds/Kel", "Kec", "Jenis Pelayanan", "Jml Dilayani", "Metode"], "kegiatan"),
    (["Nama Program", "Jenis Layanan", "Wilayah", "Target", "Tgl Mulai", "Batas Waktu", "Basis"], "target"),
    (["Apa", "Ini"], None),
])
def test_the_kind_of_file_is_recognised_from_its_headers(file_headers, kind):
    assert detect_kind(file_headers) == kind


def test_a_header_spelling_is_remembered_case_and_spacing_folded():
    assert spelling_key("  Nama  Desa/KEL ") == spelling_key("nama desa/kel") == "nama desa/kel"
    assert spelling_key("Nama Desa/Kel") != spelling_key("Nama Desa Kel")


def test_a_second_header_row_of_l_p_jml_is_folded_into_the_first():
    upper = ["NO", "DESA", "WAJIB KTP", "", "", "SUDAH REKAM", "", "", "KET"]
    lower = ["", "", "L", "P", "JML", "LK", "PR", "L+P", ""]
    assert headers.is_sub_header(lower)
    assert not headers.is_sub_header(["1", "Tanah Towa", "1.540", "1.572", "3.112"])
    combined = headers.combine_headers(upper, lower)
    assert [headers.recognise(h, "registri") for h in combined] == [
        "nomor", "nama_desa", "wajib_l", "wajib_p", "wajib_ktp", "rekam_l", "rekam_p", "sudah_rekam",
        "catatan"]
