"""Kelola data's report on a real registry recap (issue 24, "The importer's report"), run by
Streamlit (AppTest) on a real SQLite store with the 136 villages and the demo data:

- before saving it says what the file changes: its date, its villages, and the regency totals
  it brings beside the store's now and after saving, in Indonesian formats; after saving it says
  what was saved, not "… periksa sebelum menyimpan";
- the same figures again (the XLSX after the CSV) are nothing to do, said once; other figures
  for the same villages and date offer to replace that import in one step;
- the warnings: each row-level one with its row(s), the JUMLAH row's check first, on its own.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from bulukumba import figures, importer
from bulukumba.language import fmt
from readback import walk
from test_import_replace import as_csv, as_xlsx, recap, status_of
from test_kelola import operator, table_with, upload

from import_support import snapshot_of

DAY = dt.date(2017, 12, 31)


def villages(engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT d.kode, d.nama, k.nama FROM desa d JOIN kecamatan k ON k.kode = d.kecamatan_kode "
            "ORDER BY d.kode"))]


def district_recap(engine) -> bytes:
    """Every village on 31 December 2017, three of them by name only, and a JUMLAH row."""
    rows = recap([kode for kode, _, _ in villages(engine)], DAY)
    named = {kode: (nama, kec) for kode, nama, kec in villages(engine)}
    lines = ["Kode Desa;Nama Desa;Kecamatan;Tanggal;Wajib KTP;Sudah Rekam"]
    for i, (kode, day, wajib, rekam) in enumerate(rows[1:-1]):
        nama, kec = named[kode]
        lines.append(f"{'' if i in (4, 40, 90) else kode};{nama};{kec};{day};{wajib};{rekam}")
    lines.append(f";JUMLAH;;;{rows[-1][2]};{rows[-1][3]}")
    return ("\n".join(lines) + "\n").encode()


def unescaped(text: str) -> str:
    return text.replace("\\", "").replace("\u2060", "")


def said(at) -> list[tuple[str, str]]:
    """Every element of the main area in page order: (kind, text)."""
    out = []
    for node in walk(at.main):
        kind = getattr(node, "type", "")
        value = getattr(node, "value", None)
        if kind in ("markdown", "alert", "caption", "subheader", "header", "title") or \
                type(node).__name__ in ("Success", "Info", "Warning", "Error", "Markdown", "Caption"):
            out.append((type(node).__name__.lower(), unescaped(str(value))))
        elif type(node).__name__ == "Table":
            out.append(("table", " | ".join(map(str, value.columns)) + " | "
                        + " | ".join(map(str, value.to_numpy().ravel()))))
    return out


def page_text(at) -> str:
    return "\n".join(text for _, text in said(at))


def preview_table(at):
    return table_with(at, "Angka kabupaten").set_index("Angka kabupaten")


@pytest.mark.slow
@pytest.mark.both_databases
def test_before_saving_the_report_says_what_changes_and_after_saving_what_was_saved(app_demo_store):
    figures.clear_memo()
    now = figures.coverage_total(DAY, engine=app_demo_store)
    at = upload(operator(app_demo_store), "rekap-desember.csv", district_recap(app_demo_store))
    text = page_text(at)
    assert "Berkas ini membawa angka 136 dari 136 desa/kelurahan Bulukumba untuk 1 tanggal: " \
           "31 Desember 2017." in text, text
    shown = preview_table(at)
    rows = recap([k for k, _, _ in villages(app_demo_store)], DAY)
    wajib, rekam = rows[-1][2], rows[-1][3]
    assert list(shown.columns) == ["Berkas ini (136 desa, per 31 Desember 2017)",
                                   f"Sekarang (per {fmt.date(now.tanggal)})",
                                   "Sesudah disimpan (per 31 Desember 2017)", "Selisih"]
    assert shown.iloc[:, 0].tolist() == [fmt.number(wajib), fmt.number(rekam), fmt.number(wajib - rekam),
                                         fmt.percent(rekam / wajib)]
    assert shown.iloc[:, 1].tolist() == [fmt.number(now.wajib_ktp), fmt.number(now.sudah_rekam),
                                         fmt.number(now.belum_rekam), fmt.percent(now.cakupan)]
    assert shown.loc["Wajib KTP", "Selisih"] == fmt.signed(wajib - now.wajib_ktp)
    assert "Angka sekarang adalah data contoh" in text
    assert "3 peringatan; periksa sebelum menyimpan." in text

    at.button(key="kelola-simpan").click()
    at.run()
    text = page_text(at)
    assert "BERHASIL: 136 baris ditulis" in text, text
    assert "periksa sebelum menyimpan" not in text
    figures.clear_memo()
    after = figures.coverage_total(DAY, engine=app_demo_store)
    shown = preview_table(at)
    assert shown["Sesudah (per 31 Desember 2017)"].tolist()[:2] == [fmt.number(after.wajib_ktp),
                                                                    fmt.number(after.sudah_rekam)]
    assert (after.wajib_ktp, after.sudah_rekam) == (wajib, rekam)


@pytest.mark.slow
@pytest.mark.both_databases
def test_the_same_figures_as_xlsx_after_the_csv_are_nothing_to_do(app_demo_store):
    rows = recap([k for k, _, _ in villages(app_demo_store)], DAY)
    first = importer.import_bytes(as_csv(rows), "rekap.csv", "registri", app_demo_store, oleh="uji")
    assert first.ok
    before = snapshot_of(app_demo_store)
    at = upload(operator(app_demo_store), "rekap.xlsx", as_xlsx(rows))
    assert not at.error, [e.value for e in at.error]
    assert [unescaped(i.value) for i in at.info if "persis sama" in i.value] == [
        f"Berkas 'rekap.xlsx' berisi angka yang persis sama dengan impor #{first.impor_id} ('rekap.csv'): "
        f"136 baris desa dan tanggal, tidak ada yang berbeda. Tidak ada yang perlu disimpan; tidak ada "
        f"yang ditulis."]
    assert not [b for b in at.button if b.key == "kelola-simpan"]
    assert snapshot_of(app_demo_store) == before


@pytest.mark.slow
@pytest.mark.both_databases
def test_other_figures_for_the_same_date_offer_to_replace_that_import_in_one_step(app_demo_store):
    codes = [k for k, _, _ in villages(app_demo_store)]
    first = importer.import_bytes(as_csv(recap(codes, DAY)), "rekap.csv", "registri", app_demo_store, oleh="uji")
    corrected = {codes[2]: 1111, codes[60]: 1222}
    at = upload(operator(app_demo_store), "rekap-revisi.xlsx", as_xlsx(recap(codes, DAY, changed=corrected)))
    assert not at.error, [e.value for e in at.error]
    text = page_text(at)
    assert f"sama dengan impor #{first.impor_id} ('rekap.csv'): 2 baris desa dan tanggal berubah, 134 sama. " \
           f"Menyimpannya mengganti impor #{first.impor_id} sekaligus" in text, text
    changed = table_with(at, "Sudah rekam lama → baru")
    assert changed["Kode"].tolist() == [codes[2], codes[60]]
    assert all(re.fullmatch(r"[\d.]+ → " + fmt.number(corrected[k]), v)
               for k, v in zip(changed["Kode"], changed["Sudah rekam lama → baru"]))
    button = at.button(key="kelola-simpan")
    assert button.label == f"Ganti impor #{first.impor_id} dengan berkas ini (136 baris)"
    button.click()
    at.run()
    assert any(f"impor #{first.impor_id} dibatalkan dan digantinya" in s.value for s in at.success), page_text(at)
    assert status_of(app_demo_store, first.impor_id) == "dibatalkan"
    shown = figures.coverage_villages(engine=app_demo_store).set_index("kode")
    assert {k: int(shown.loc[k, "sudah_rekam"]) for k in corrected} == corrected


@pytest.mark.slow
@pytest.mark.both_databases
def test_warnings_name_their_rows_and_the_jumlah_check_comes_first(app_demo_store):
    at = upload(operator(app_demo_store), "rekap-desember.csv", district_recap(app_demo_store))
    order = said(at)
    total = [i for i, (kind, text) in enumerate(order) if "baris jumlah cocok" in text]
    grid = [i for i, (kind, text) in enumerate(order) if kind == "table" and "Peringatan" in text]
    assert total and grid and total[0] < grid[0], order
    assert order[total[0]] == ("info", "Baris 138: baris jumlah cocok dengan jumlah baris-baris di atasnya; "
                                       "baris itu tidak diimpor")
    warnings = table_with(at, "Peringatan")
    assert not any("baris jumlah" in w for w in warnings["Peringatan"])
    assert warnings["Baris"].tolist() == ["6", "42", "92"], warnings
