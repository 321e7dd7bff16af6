"""A registry file whose villages and dates are already in the store (issue 24, "The importer's
report"): the same figures again are nothing to do, said once; other figures for the same
villages and dates replace that import in one transaction when the operator asks; a clash this
does not settle is refused in one sentence, not one per row. And before saving, the report says
what the file changes: its dates, villages, and the regency totals beside the store's.

Real stores with the 136 villages (SQLite, and PostgreSQL in that pass); totals compared with
the data module asked the same question."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import sqlalchemy as sa

from bulukumba import figures, importer
from bulukumba.importer import batch
from bulukumba.storage import demo, store

from import_support import snapshot_of

DAY = dt.date(2017, 12, 31)


def villages(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(store.desa.c.kode).order_by(store.desa.c.kode)).scalars())


def recap(codes: list[str], day: dt.date = DAY, changed: dict[str, int] | None = None) -> list[list]:
    """A registry recap: a row per village, then the JUMLAH row, as district offices export it."""
    changed = changed or {}
    rows = [["Kode Desa", "Tanggal", "Wajib KTP", "Sudah Rekam"]]
    for i, kode in enumerate(codes):
        wajib = 1200 + (i * 137) % 2900
        rows.append([kode, f"{day:%d/%m/%Y}", wajib, changed.get(kode, wajib - 40 - i % 90)])
    rows.append(["JUMLAH", "", sum(r[2] for r in rows[1:]), sum(r[3] for r in rows[1:])])
    return rows


def as_csv(rows) -> bytes:
    return ("\n".join(";".join(f"{c:,}".replace(",", ".") if isinstance(c, int) else c for c in row)
                      for row in rows) + "\n").encode()


def as_xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def status_of(engine, batch_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.select(store.impor.c.status).where(store.impor.c.id == batch_id)).scalar_one()


def test_the_same_figures_as_xlsx_after_the_csv_are_nothing_to_do_said_once(engine):
    rows = recap(villages(engine))
    first = importer.import_bytes(as_csv(rows), "rekap.csv", "registri", engine, oleh="uji")
    assert first.ok, importer.format_report(first)
    before = snapshot_of(engine)

    again = importer.import_bytes(as_xlsx(rows), "rekap.xlsx", "registri", engine, oleh="uji")

    assert not again.ok and again.error_count == 0 and again.errors == []
    assert again.pesan == (f"Berkas 'rekap.xlsx' berisi angka yang persis sama dengan impor #{first.impor_id} "
                           f"('rekap.csv'): 136 baris desa dan tanggal, tidak ada yang berbeda. Tidak ada "
                           f"yang perlu disimpan; tidak ada yang ditulis.")
    assert snapshot_of(engine) == before


def test_other_figures_for_the_same_villages_replace_that_import_in_one_step(engine):
    codes = villages(engine)
    first = importer.import_bytes(as_csv(recap(codes)), "rekap.csv", "registri", engine, oleh="uji")
    assert first.ok
    corrected = {codes[0]: 1100, codes[5]: 1300, codes[77]: 1000}
    content = as_xlsx(recap(codes, changed=corrected))

    report = importer.validate(content, "rekap-revisi.xlsx", "registri", engine)
    assert report.ok and report.error_count == 0
    over = report.replaces
    assert (over.impor, over.berubah, over.baris_sama, over.baru) == (first.impor_id, 3, 133, 0)
    assert {c.kode: c.baru[1] for c in over.perubahan} == corrected
    assert "3 baris desa dan tanggal berubah, 133 sama" in importer.replacement(report)

    before = snapshot_of(engine)
    plain_save = importer.save(report, engine, oleh="uji")  # not asked to replace: nothing written
    assert not plain_save.ok and plain_save.error_count == 1
    assert f"mengganti impor #{first.impor_id}" in plain_save.errors[0].pesan
    assert snapshot_of(engine) == before

    report = importer.validate(content, "rekap-revisi.xlsx", "registri", engine)
    done = importer.save(report, engine, oleh="uji", replace=first.impor_id)
    assert done.ok, importer.format_report(done)
    assert f"impor #{first.impor_id} dibatalkan dan digantinya" in done.pesan
    assert status_of(engine, first.impor_id) == "dibatalkan" and status_of(engine, done.impor_id) == "aktif"
    shown = figures.coverage_villages(engine=engine).set_index("kode")
    assert {k: int(shown.loc[k, "sudah_rekam"]) for k in corrected} == corrected
    assert figures.coverage_total(engine=engine).sudah_rekam == report.preview.sesudah.sudah_rekam


def test_a_replacement_that_fails_writes_nothing_and_keeps_the_old_import(engine, monkeypatch):
    codes = villages(engine)
    first = importer.import_bytes(as_csv(recap(codes)), "rekap.csv", "registri", engine, oleh="uji")
    report = importer.validate(as_csv(recap(codes, changed={codes[3]: 999})), "revisi.csv", "registri", engine)
    before, total = snapshot_of(engine), figures.coverage_total(engine=engine)
    real_insert = batch._insert

    def insert_then_fail(conn, *args, **kwargs):  # the rows are in, the old import is undone: then a failure
        real_insert(conn, *args, **kwargs)
        raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(batch, "_insert", insert_then_fail)
    failed = importer.save(report, engine, oleh="uji", replace=first.impor_id)

    assert not failed.ok and "tidak ada yang ditulis" in failed.errors[0].pesan
    assert status_of(engine, first.impor_id) == "aktif"
    assert snapshot_of(engine) == before
    figures.clear_memo()
    assert figures.coverage_total(engine=engine) == total


def test_a_clash_it_does_not_settle_is_refused_in_one_sentence_not_one_per_row(engine):
    codes = villages(engine)
    first = importer.import_bytes(as_csv(recap(codes)), "rekap.csv", "registri", engine, oleh="uji")
    # eight villages with other figures: replacing the whole import would drop the other 128
    part = importer.import_bytes(as_csv(recap(codes[:8], changed={codes[0]: 900})), "kajang.csv",
                                 "registri", engine, oleh="uji")
    assert not part.ok and part.error_count == 1 and part.errors[0].baris is None
    said = part.errors[0].pesan
    assert f"8 dari 8 baris berkas ini (desa dan tanggal) sudah ada di impor #{first.impor_id} ('rekap.csv'" in said
    assert "136 baris" in said and "tidak ada yang ditulis" in said.lower()


@pytest.mark.slow
@pytest.mark.both_databases
def test_before_saving_the_report_says_what_the_file_changes(engine):
    """Dates, villages, and the regency totals the file brings beside the store's now (its
    latest snapshot on or before the file's date) and after saving, as the data module counts
    them; the demo the store held is retired by the save and said so."""
    demo.load(engine, as_of=dt.date(2018, 6, 30))
    codes = villages(engine)
    on = dt.date(2018, 3, 31)  # a date between the demo's snapshots
    content = as_csv(recap(codes[:40], day=on))
    figures.clear_memo()
    now = figures.coverage_total(on, engine=engine)

    report = importer.validate(content, "rekap-maret.csv", "registri", engine)
    p = report.preview
    assert (p.pertama, p.terakhir, p.tanggal, p.desa, p.desa_wilayah) == (on, on, 1, 40, 136)
    assert p.contoh
    assert (p.sekarang.tanggal, p.sekarang.wajib_ktp, p.sekarang.sudah_rekam) == \
        (now.tanggal, now.wajib_ktp, now.sudah_rekam)
    rows = recap(codes[:40], day=on)[1:-1]
    assert (p.berkas.wajib_ktp, p.berkas.sudah_rekam) == (sum(r[2] for r in rows), sum(r[3] for r in rows))

    saved = importer.save(report, engine, oleh="uji")
    assert saved.ok
    figures.clear_memo()
    after = figures.coverage_total(on, engine=engine)
    assert (p.sesudah.wajib_ktp, p.sesudah.sudah_rekam, p.sesudah.tanggal) == \
        (after.wajib_ktp, after.sudah_rekam, after.tanggal)


def test_the_report_for_a_file_of_several_dates_uses_its_last_date(engine):
    codes = villages(engine)
    rows = recap(codes, day=dt.date(2018, 1, 19))[:-1] + recap(codes, day=dt.date(2018, 2, 2))[1:-1]
    report = importer.validate(as_csv(rows), "dua.csv", "registri", engine)
    p = report.preview
    assert (p.pertama, p.terakhir, p.tanggal, p.desa) == (dt.date(2018, 1, 19), dt.date(2018, 2, 2), 2, 136)
    assert p.sekarang.desa == 0 and p.sesudah.tanggal == dt.date(2018, 2, 2)
    from bulukumba.importer import changes
    assert changes.dates_text(p) == "2 tanggal, 19 Januari 2018 s.d. 2 Februari 2018"
    table = changes.preview_table(p)
    assert [r["Angka kabupaten"] for r in table] == ["Wajib KTP", "Sudah rekam", "Belum rekam", "Cakupan"]
    assert list(table[0].values())[2:] == ["–", f"{p.sesudah.wajib_ktp:,}".replace(",", "."), "–"]


@pytest.mark.parametrize("replace", [None, 1])
def test_a_replacement_asked_for_a_file_that_replaces_nothing_is_refused(engine, replace):
    codes = villages(engine)
    report = importer.validate(as_csv(recap(codes)), "rekap.csv", "registri", engine)
    result = importer.save(report, engine, oleh="uji", replace=replace)
    assert result.ok == (replace is None)
