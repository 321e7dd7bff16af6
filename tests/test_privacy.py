"""What the public sees never points at a person."""
from __future__ import annotations

import pandas as pd

from bulukumba import privacy


def villages(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["kode", "nama", "kecamatan_kode", "kecamatan_nama",
                                        "wajib_ktp", "sudah_rekam"])
    frame["belum_rekam"] = frame["wajib_ktp"] - frame["sudah_rekam"]
    frame["cakupan"] = frame["sudah_rekam"] / frame["wajib_ktp"]
    return frame


def test_a_village_with_few_unrecorded_is_shown_as_under_five_and_its_neighbour_too():
    frame = villages([
        ("A", "Desa A", "K1", "Kec 1", 1000, 997),   # 3 unrecorded: hidden
        ("B", "Desa B", "K1", "Kec 1", 2000, 1950),  # 50: the smallest other in K1: hidden too
        ("C", "Desa C", "K1", "Kec 1", 3000, 2800),  # 200: shown
        ("D", "Desa D", "K2", "Kec 2", 1500, 1500),  # 0: shown, points at nobody
    ])
    safe = privacy.public_villages(frame).set_index("kode")
    assert safe.loc["A", "tampil_belum_rekam"] == "<5"
    assert safe.loc["B", "tampil_belum_rekam"] == "<5"  # else K1's total minus B and C gives A
    assert safe.loc["C", "tampil_belum_rekam"] == 200
    assert safe.loc["D", "tampil_belum_rekam"] == 0
    # Recorded and coverage of a hidden village would give its unrecorded count back.
    assert safe.loc["A", "tampil_sudah_rekam"] == "disamarkan"
    assert safe.loc["A", "tampil_cakupan"] == "≥ 99,6%"
    assert "997" not in str(safe.loc["A"].drop(["sudah_rekam", "belum_rekam", "cakupan",
                                                "nilai_peta_cakupan", "wajib_ktp"]).tolist())
    # The map colours a hidden village by a stand-in, never by its value.
    assert safe.loc["A", "nilai_peta_belum_rekam"] == 2


def test_the_hidden_cells_cannot_be_worked_back_from_the_kecamatan_total():
    frame = villages([("A", "A", "K1", "K", 100, 98), ("B", "B", "K1", "K", 100, 60),
                      ("C", "C", "K1", "K", 100, 30)])
    safe = privacy.public_villages(frame)
    shown = [v for v in safe["tampil_belum_rekam"] if v != "<5"]
    hidden_total = frame["belum_rekam"].sum() - sum(shown)
    hidden = safe[safe["disamarkan"]]
    assert len(hidden) >= 2  # the total reveals only the sum of at least two hidden cells
    assert hidden_total == hidden["belum_rekam"].sum()


def test_small_counts_of_vulnerable_residents_are_hidden_in_partner_figures():
    board = pd.DataFrame({"kode": ["ppdi", "dinkes", "pmi"], "nama": ["PPDI", "Dinkes", "PMI"],
                          "jumlah": [120, 900, 700], "desa": [30, 60, 50], "rentan": [120, 3, 0]})
    safe = privacy.public_leaderboard(board).set_index("kode")
    assert safe.loc["dinkes", "tampil_rentan"] == "<5"
    assert safe.loc["ppdi", "tampil_rentan"] == "<5"  # complementary: the column total would give it
    assert safe.loc["pmi", "tampil_rentan"] == 0


def test_vulnerable_counts_per_kecamatan(demo_engine):
    from bulukumba import data

    safe = privacy.public_vulnerable(data.vulnerable_by_kecamatan("2018-06-01", "2018-06-30",
                                                                  engine=demo_engine))
    for column in ("disabilitas", "lansia"):
        for exact, shown in zip(safe[column], safe[f"tampil_{column}"]):
            assert shown == "<5" or (shown == exact and (exact == 0 or exact >= 5))
        assert (safe[f"tampil_{column}"] == "<5").sum() != 1
