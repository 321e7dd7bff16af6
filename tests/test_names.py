"""Names as people write them, read one way everywhere (bulukumba/language/names.py).

An officer's column header finds its column; a village typed the way it is said ("tanah towa",
"Tanah Toa", "Desa-Tanah Towa") finds Tanah Towa in an import file and on the public page alike;
a partner is found with or without its regency; and a name of any length is answered at once
(benchmarks/bench_names.py prints the time per call). Runs on the small real store of the import
tests (import_support.py).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from bulukumba.importer import headers, import_bytes
from bulukumba.importer.places import Places
from bulukumba.language import names, search
from bulukumba.storage import store
from import_support import KAHAYYA, TANAH_TOWA, csv_bytes

KAJANG = "73.02.06"
ROOT = Path(__file__).resolve().parents[1]
FIFTY_THOUSAND = ("Tanah Towa " * 5000)[:50_000]


def places_of(engine) -> Places:
    with engine.connect() as conn:
        return Places.load(conn)


def villages_of(engine) -> pd.DataFrame:
    """The villages as the public page searches them: kode, nama, kecamatan_nama."""
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(
            sa.select(store.desa.c.kode, store.desa.c.nama, store.kecamatan.c.nama.label("kecamatan_nama"))
            .join(store.kecamatan, store.desa.c.kecamatan_kode == store.kecamatan.c.kode)).all())


# ---------------------------------------------------------------------------------------------
# The officer's file
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["Jml Wajib KTP", "JML. WAJIB KTP-EL", "jml_wajib_ktp", "Jml Wajib KTP (jiwa)",
                                    "JMLWAJIBKTP", "Jml Wajib\u00a0KTP"])
def test_an_officers_header_jml_wajib_ktp_finds_its_column(header):
    assert headers.recognise(header, "registri") == "wajib_ktp"


def test_an_officers_file_with_jml_wajib_ktp_and_tanah_toa_is_imported_to_tanah_towa(db):
    content = csv_bytes("Desa;Kecamatan;Tanggal;Jml Wajib KTP;Sudah Rekam",
                        "Tanah Toa;Kec. Kajang;19/01/2018;3.112;2.480")
    result = import_bytes(content, "rekap.csv", None, db)

    assert result.ok
    with db.connect() as conn:
        assert conn.execute(sa.select(store.registri.c.desa_kode, store.registri.c.wajib_ktp)).all() == \
            [(TANAH_TOWA, 3112)]
    said = " ".join(w.pesan for w in result.warnings)
    assert f"desa 'Tanah Toa' dicocokkan dengan ejaan mirip ke {TANAH_TOWA} Tanah Towa" in said


# ---------------------------------------------------------------------------------------------
# One village, however it is written, in the importer and on the public page
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["tanah towa", "Tanah Toa", "TANAH  TOWA", "Desa Tanah Towa",
                                     "Desa-Tanah Towa", "desa tanah-towa", "Tanah Towá",
                                     "Ｔａｎａｈ Ｔｏｗａ", "Tanah Towaa"])
def test_tanah_towa_as_people_write_it_is_found_by_the_importer_and_the_public_search(db, written):
    match, reason = places_of(db).find_village(written, KAJANG)
    assert reason is None and match.kode == TANAH_TOWA
    found = search.find(villages_of(db), written)
    assert found and found[0].kode == TANAH_TOWA


def test_a_name_far_from_every_village_gets_a_hint_not_a_guess(db):
    match, reason = places_of(db).find_village("Tana Lowa Baru", KAJANG)
    assert match is None and "mungkin maksudnya: Tanah Towa" in reason
    match, reason = places_of(db).find_village("Kahaya", "73.02.08")
    assert match.kode == KAHAYYA and match.how == "ejaan"
    assert search.find(villages_of(db), "qwertyuiop") == []


def test_a_kecamatan_is_found_with_its_prefix_and_a_slip(db):
    places = places_of(db)
    assert places.find_kecamatan("Kec.Kajang") == (KAJANG, None)
    assert places.find_kecamatan("Kecamatan Kajan") == (KAJANG, "ejaan")
    code, reason = places.find_kecamatan("Kajang Timur Laut Jauh")
    assert code is None and "Kajang" in reason


@pytest.mark.parametrize("written, partner", [
    ("PPDI", "ppdi"), ("PPDI Bulukumba", "ppdi"), ("ppdi (bulukumba)", "ppdi"),
    ("TP PKK", "pkk"), ("Tim Penggerak PKK", "pkk"), ("Palang Merah Indonesia", "pmi"),
    ("Organisasi Lain", None)])
def test_a_partner_is_found_with_or_without_its_regency_or_tim_penggerak(db, written, partner):
    assert places_of(db).partner(written) == partner


# ---------------------------------------------------------------------------------------------
# A name of any length is answered
# ---------------------------------------------------------------------------------------------

def test_a_50000_character_village_name_is_answered_with_a_short_message(db):
    match, reason = places_of(db).find_village(FIFTY_THOUSAND, KAJANG)
    assert match is None and "tidak ditemukan di Kecamatan Kajang" in reason and len(reason) < 200
    code, reason = places_of(db).find_kecamatan(FIFTY_THOUSAND)
    assert code is None and len(reason) < 300
    assert places_of(db).partner(FIFTY_THOUSAND) is None
    assert len(search.find(villages_of(db), FIFTY_THOUSAND)) <= search.MAX_RESULTS
    assert headers.recognise("WAJIBKTP" * 6250, "registri") is None


def test_past_the_cap_a_name_is_compared_with_nothing():
    long = "tanahtowa" * 12   # 108 letters, one slip from a 107-letter choice
    assert len(long) > names.MAX_NAME
    assert names.near(long, [long[:-1]]) == []
    assert names.closest(long, [long]) == []
    assert names.fit(long, long[:-1], [long[:-1]], 0.5) == 0.0
    short = long[:names.MAX_NAME]
    assert names.near(short, [short[:-1]]) == [(1, short[:-1])]


# ---------------------------------------------------------------------------------------------
# The normaliser and the matcher
# ---------------------------------------------------------------------------------------------

def test_the_normaliser_folds_case_accents_width_spacing_punctuation_and_prefixes():
    assert names.fold("Bonto-Bahari") == names.fold("BONTO BAHARI") == names.fold("Ｂｏｎｔｏ Bahári") == "bontobahari"
    assert names.bare("Desa Tanah Towa") == names.bare("Kel. Tanah Towa") == names.bare("Ds.Tanah-Towa") == "tanahtowa"
    assert names.bare("Kec. Kajang", names.KECAMATAN_PREFIXES) == "kajang"
    assert names.bare("Desa Kajang", names.KECAMATAN_PREFIXES) == "desakajang"  # a village word, not a kecamatan's
    assert names.bare("Desa") == "desa"  # a prefix alone is the name
    assert names.bare("Kabupaten Bulukumba", names.REGENCY_PREFIXES) == "bulukumba"
    assert names.words("Kel. Tanah-Towa 2") == ["kel", "tanah", "towa", "2"]
    assert names.spelling("  Nama  Desa/KEL ") == "nama desa/kel"


def test_the_matcher_offers_the_closest_spellings_first():
    choices = ["tanahtowa", "tanahjaya", "lembanna", "tanahtoa"]
    assert names.near("tanahtowa", choices) == [(0, "tanahtowa"), (1, "tanahtoa")]
    assert names.near("tanahtoya", choices) == [(1, "tanahtoa"), (1, "tanahtowa"), (2, "tanahjaya")]
    assert names.near("lembana", choices) == [(1, "lembanna")]   # one slip in a short name
    assert names.near("lembxna", choices) == []                  # two are too many there
    assert names.closest("Tana Lowa Baru", ["Lembanna", "Tanah Towa", "Laikang"]) == ["Tanah Towa"]
    tanah_towa = ("tanahtowa", ["tanah", "towa"])
    assert [names.fit(q, *tanah_towa, 0.6) for q in ("tanahtowa", "tanah", "towa", "ahtowa")] == [1, 0.95, 0.9, 0.85]
    assert names.fit("towo", *tanah_towa, 0.6) == pytest.approx(0.9 * 0.75)   # a typo in one word
    assert names.fit("towo", *tanah_towa, 0.7) == 0.0                          # not close enough


def test_only_the_names_module_normalises_or_matches_names():
    """One of each thing: no other module of bulukumba/ or pages/ folds text by Unicode or
    compares spellings (difflib, its own edit distance, another fuzzy library)."""
    offenders = []
    for path in sorted([*(ROOT / "bulukumba").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]):
        if path == ROOT / "bulukumba" / "language" / "names.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            imported = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(m.split(".")[0] in ("difflib", "rapidfuzz", "jellyfish", "Levenshtein") for m in imported):
                offenders.append(f"{path.relative_to(ROOT)} imports {imported}")
            if isinstance(node, ast.Attribute) and node.attr == "normalize" and \
                    isinstance(node.value, ast.Name) and node.value.id == "unicodedata":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} unicodedata.normalize")
            if isinstance(node, ast.FunctionDef) and any(w in node.name.lower() for w in ("edit_distance", "levenshtein")):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} def {node.name}")
    assert offenders == []
