"""Column mapping: the operator says once what an unrecognised column means; the answer is kept
in the store per header spelling and file kind, applies to the next file, and can be removed."""
from __future__ import annotations

import pytest

from bulukumba.importer import format_report, import_bytes, parse_choices, validate
from bulukumba.importer import mapping
from import_support import KINDANG, TANAH_TOWA, csv_bytes, snapshot_of

EXPORT = csv_bytes("NO;Kode Desa;Desa Binaan;TGL;Wajib KTP;Sudah Rekam;Jumlah KK",
                   f"1;{TANAH_TOWA};Tanah Towa;19/01/2018;3.112;2.480;812",
                   f"2;{KINDANG};Kindang;19/01/2018;2.400;2.150;640")
NEXT_MONTH = EXPORT.replace(b"19/01/2018", b"19/02/2018")


def test_an_answer_is_remembered_with_the_import_it_made_and_applies_to_the_next_file(db):
    choices = parse_choices(["Desa Binaan=nama_desa", "Jumlah KK=abaikan"])
    assert not import_bytes(EXPORT, "jan.csv", None, db).ok  # two columns nobody has explained yet

    dry = import_bytes(EXPORT, "jan.csv", None, db, dry_run=True, kolom=choices)
    assert dry.ok and mapping.listing(db).empty  # a dry run remembers nothing
    done = import_bytes(EXPORT, "jan.csv", None, db, kolom=choices, oleh="operator1")
    assert done.ok, format_report(done)

    kept = mapping.listing(db)
    assert sorted(zip(kept["judul"], kept["kolom"], kept["jenis"], kept["oleh"])) == [
        ("Desa Binaan", "nama_desa", "registri", "operator1"), ("Jumlah KK", "abaikan", "registri", "operator1")]
    again = import_bytes(NEXT_MONTH, "feb.csv", None, db)  # no --kolom this time
    assert again.ok, format_report(again)
    assert {c.header: c.how for c in again.report.plan.columns}["Jumlah KK"] == "diingat"


def test_a_refused_import_remembers_nothing(db):
    bad = EXPORT.replace(b"2.150", b"2.950")
    result = import_bytes(bad, "jan.csv", None, db, kolom=parse_choices(["Desa Binaan=nama_desa",
                                                                          "Jumlah KK=abaikan"]))
    assert not result.ok and mapping.listing(db).empty and snapshot_of(db)["registri"] == 0


def test_remembered_answers_are_listed_and_removable(db):
    mapping.remember_choices(db, "registri", [("Jumlah KK", "abaikan"), ("Desa Binaan", "nama_desa")], "op")
    mapping.remember_choices(db, "registri", [("JUMLAH  KK", "belum_rekam")], "op2")  # same spelling, new answer
    listed = mapping.listing(db)
    assert sorted(zip(listed["judul_kunci"], listed["kolom"])) == [("desa binaan", "nama_desa"),
                                                                   ("jumlah kk", "belum_rekam")]
    assert mapping.forget(db, "registri", "jumlah kk") and not mapping.forget(db, "registri", "jumlah kk")
    assert list(mapping.listing(db)["judul"]) == ["Desa Binaan"]
    report = validate(EXPORT, "jan.csv", None, db)
    assert [c.header for c in report.unresolved] == ["Jumlah KK"]


def test_an_answer_that_is_not_a_column_of_the_kind_is_refused(db):
    with pytest.raises(ValueError):
        mapping.remember_choices(db, "registri", [("Jml", "mitra")], "op")


@pytest.mark.parametrize("items, expected", [
    (["Nama Desa/Kel=nama_desa"], {"nama desa/kel": "nama_desa"}),
    (["Nama Desa/Kel = Nama Desa"], {"nama desa/kel": "nama_desa"}),  # the label works too
    (["Jumlah KK=abaikan", "KET=Abaikan"], {"jumlah kk": "abaikan", "ket": "abaikan"}),
    (["A=B=belum_rekam"], {"a=b": "belum_rekam"}),                   # '=' in a header
])
def test_command_line_choices(items, expected):
    assert parse_choices(items) == expected


@pytest.mark.parametrize("item, phrase", [("Nama Desa/Kel", "tulis JUDUL=kolom"),
                                          ("Nama Desa/Kel=desa_saja", "bukan nama kolom")])
def test_a_wrong_command_line_choice_is_explained(item, phrase):
    with pytest.raises(ValueError, match=phrase):
        parse_choices([item])


def test_a_choice_for_a_header_the_file_does_not_have_is_a_typo_to_fix(db):
    result = import_bytes(EXPORT, "jan.csv", None, db,
                          kolom=parse_choices(["Desa Binaan=nama_desa", "Jumlah KK=abaikan",
                                               "Jumlah K=abaikan"]))
    assert not result.ok
    assert "--kolom untuk judul 'jumlah k' tidak cocok" in result.errors[0].pesan
