"""The operator's story: a Dukcapil operator imports the files they keep in Excel or CSV.

Happy paths for each kind, refusals that name the row and the problem, nothing half-written,
the same file never counted twice, villages found by name, demo data giving way to real data.
Every test runs against a real SQLite file holding a small real reference (import_support.py).
"""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from bulukumba import figures, importer
from bulukumba.language import fmt
from bulukumba.storage import store
from bulukumba.importer import format_report, import_bytes, validate
from import_support import (KAHAYYA, KINDANG, LEMBANNA, REGISTRI_CSV, TANAH_KONGKONG, TANAH_TOWA, csv_bytes,
                            error_at, snapshot_of, xlsx_bytes)


# --- happy paths -----------------------------------------------------------------------------

def test_registry_csv_with_semicolons_bom_and_indonesian_numbers_is_imported(db):
    before = snapshot_of(db)
    result = import_bytes(REGISTRI_CSV, "rekap-19-januari.csv", None, db, oleh="operator1")

    assert result.ok, format_report(result)
    assert (result.jenis, result.baris, result.ditulis) == ("registri", 3, 3)
    assert result.errors == [] and result.impor_id is not None
    with db.connect() as conn:
        rows = conn.execute(sa.select(store.registri).order_by(store.registri.c.desa_kode)).all()
        batch = conn.execute(sa.select(store.impor)).one()
    assert [(r.desa_kode, r.tanggal, r.wajib_ktp, r.sudah_rekam) for r in rows] == [
        (TANAH_KONGKONG, dt.date(2018, 1, 19), 4873, 4702),
        (TANAH_TOWA, dt.date(2018, 1, 19), 3112, 2480),
        (KINDANG, dt.date(2018, 1, 19), 2400, 2150),
    ]
    assert {r.impor_id for r in rows} == {result.impor_id}
    # the audit row
    assert (batch.id, batch.nama_file, batch.jenis, batch.jumlah_baris, batch.oleh, batch.status) == \
        (result.impor_id, "rekap-19-januari.csv", "registri", 3, "operator1", "aktif")
    assert len(batch.sha256) == 64
    assert snapshot_of(db)["versi"] > before["versi"]
    total = figures.coverage_total(engine=db)
    assert (total.wajib_ktp, total.sudah_rekam) == (3112 + 2400 + 4873, 2480 + 2150 + 4702)
    assert "BERHASIL" in result.pesan and f"#{result.impor_id}" in result.pesan


def test_registry_xlsx_with_real_date_cells_and_sex_columns_is_imported(db):
    content = xlsx_bytes(
        ["Kode Desa", "Per Tanggal", "Jumlah Wajib KTP", "Sudah Perekaman", "Wajib L", "Wajib P",
         "Rekam L", "Rekam P"],
        [TANAH_TOWA, dt.datetime(2018, 1, 19), 3112, 2480, 1540, 1572, 1220, 1260],
        [KINDANG, dt.date(2018, 1, 19), 2400, 2150, None, None, None, None],
    )
    result = import_bytes(content, "rekap.xlsx", "registri", db)

    assert result.ok, format_report(result)
    with db.connect() as conn:
        row = conn.execute(sa.select(store.registri).where(store.registri.c.desa_kode == TANAH_TOWA)).one()
        other = conn.execute(sa.select(store.registri).where(store.registri.c.desa_kode == KINDANG)).one()
    assert (row.tanggal, row.wajib_l, row.wajib_p, row.rekam_l, row.rekam_p) == \
        (dt.date(2018, 1, 19), 1540, 1572, 1220, 1260)
    assert (other.wajib_l, other.rekam_p) == (None, None)


def test_activity_csv_with_labels_operators_write_is_imported(db):
    content = csv_bytes(
        "Tanggal,Nama Mitra,Kode Desa,Jenis Layanan,Jumlah,Metode,Kelompok Rentan",
        f"19 Januari 2018,PMI,{TANAH_TOWA},Perekaman e-KTP,\"1.050\",Jemput Bola,",
        f"2018-01-20,Tim Penggerak PKK,{LEMBANNA},Akta Kematian,12,Dasa Wisma,umum",
        f"21-01-2018,Lakpesdam NU,{KINDANG},Rekam KTP-el,35,Posko Desa,Lansia",
        f"22/01/2018,dai muda,{KAHAYYA},akta kematian,4,Malam Takziah,",
        f"23/01/2018,PPDI Bulukumba,{TANAH_KONGKONG},KTP-el,3,jemput bola,Disabilitas",
        f"24/01/2018,pkk,{TANAH_KONGKONG},KIA,7,Layanan Kantor,",
        bom=False,
    )
    result = import_bytes(content, "kegiatan-mitra.csv", None, db)

    assert result.ok, format_report(result)
    assert (result.jenis, result.ditulis) == ("kegiatan", 6)
    with db.connect() as conn:
        rows = conn.execute(sa.select(store.kegiatan).order_by(store.kegiatan.c.tanggal)).all()
    assert [(r.tanggal.day, r.mitra_kode, r.layanan, r.jumlah, r.cara, r.rentan) for r in rows] == [
        (19, "pmi", "rekam_ektp", 1050, "jemput_bola", "umum"),
        (20, "pkk", "akta_kematian", 12, "dasa_wisma", "umum"),
        (21, "lakpesdam_nu", "rekam_ektp", 35, "posko_desa", "lansia"),
        (22, "dai_muda", "akta_kematian", 4, "malam_takziah", "umum"),
        (23, "ppdi", "rekam_ektp", 3, "jemput_bola", "disabilitas"),
        (24, "pkk", "kia", 7, "layanan_kantor", "umum"),
    ]
    board = figures.partner_leaderboard(engine=db).set_index("kode")
    assert board.loc["pmi", "jumlah"] == 1050 and board.loc["ppdi", "rentan"] == 3


def test_activity_xlsx_is_imported(db):
    content = xlsx_bytes(
        ["Tgl", "Mitra", "Desa", "Kecamatan", "Layanan", "Jml", "Cara", "Rentan"],
        [dt.datetime(2017, 8, 14), "Dinas Kesehatan", "Tanah Towa", "Kajang", "Perekaman e-KTP", 120,
         "Jemput Bola", None],
        [dt.datetime(2017, 9, 2), "BKPRMI", "kindang", "KINDANG", "Akta Kelahiran", 18, "Sekolah",
         "Lanjut Usia"],
    )
    result = import_bytes(content, "kegiatan.xlsx", "kegiatan", db)

    assert result.ok, format_report(result)
    with db.connect() as conn:
        rows = conn.execute(sa.select(store.kegiatan).order_by(store.kegiatan.c.tanggal)).all()
    assert [(r.desa_kode, r.mitra_kode, r.layanan, r.jumlah, r.rentan) for r in rows] == [
        (TANAH_TOWA, "dinkes", "rekam_ektp", 120, "umum"),
        (KINDANG, "bkprmi", "akta_kelahiran", 18, "lansia"),
    ]


def test_target_tab_separated_csv_is_imported(db):
    content = csv_bytes(
        "Program\tLayanan\tKecamatan\tTarget\tTanggal Mulai\tTanggal Selesai\tDasar",
        "Kemitraan 2017\tPerekaman e-KTP\t\t75.000\t01/05/2017\t31/12/2017\tKegiatan Mitra",
        "GERTAK 2018\tRekam e-KTP\tKajang\t3.400\t19 Januari 2018\t31 Desember 2018\tRegistri",
        "gertak\tAkta Kematian\t73.02.08\t250\t2018-01-19\t2018-12-31\tkegiatan_mitra",
    )
    result = import_bytes(content, "target.csv", None, db)

    assert result.ok, format_report(result)
    assert result.jenis == "target"
    with db.connect() as conn:
        rows = conn.execute(sa.select(store.target).order_by(store.target.c.id)).all()
    assert [(r.program, r.layanan, r.kecamatan_kode, r.nilai, r.mulai, r.selesai, r.dasar)
            for r in rows] == [
        ("kemitraan_2017", "rekam_ektp", None, 75000, dt.date(2017, 5, 1), dt.date(2017, 12, 31),
         "kegiatan_mitra"),
        ("gertak_2018", "rekam_ektp", "73.02.06", 3400, dt.date(2018, 1, 19), dt.date(2018, 12, 31),
         "registri"),
        ("gertak_2018", "akta_kematian", "73.02.08", 250, dt.date(2018, 1, 19),
         dt.date(2018, 12, 31), "kegiatan_mitra"),
    ]


def test_target_xlsx_is_imported(db):
    content = xlsx_bytes(
        ["program", "layanan", "kecamatan", "nilai", "mulai", "selesai", "dasar"],
        ["gertak_2018", "rekam_ektp", "Kabupaten", 25650, dt.date(2018, 1, 19), dt.date(2018, 12, 31),
         "registri"],
    )
    result = import_bytes(content, "target.xlsx", "target", db)

    assert result.ok, format_report(result)
    status = figures.programme_status("gertak_2018", engine=db, as_of=dt.date(2018, 2, 1))
    assert status is not None and status.target == 25650


# --- refusals: one message per bad row, with row number, column and reason -------------------

def test_recorded_above_wajib_is_reported_on_its_row_and_column(db):
    content = csv_bytes(
        "Kode Desa;Tanggal;Wajib KTP;Sudah Rekam",
        f"{TANAH_TOWA};19/01/2018;3.112;2.480",
        f"{KINDANG};19/01/2018;2.400;2.500",
    )
    result = import_bytes(content, "rekap.csv", None, db)

    assert not result.ok and result.ditulis == 0 and result.impor_id is None
    assert error_at(result, 3, "Sudah Rekam") == "2.500 lebih besar dari Wajib KTP 2.400"
    assert "Baris 3, kolom 'Sudah Rekam': 2.500 lebih besar dari Wajib KTP 2.400" in format_report(result)
    assert "DITOLAK" in result.pesan


def test_every_bad_row_is_reported_not_only_the_first(db):
    content = csv_bytes(
        "Kode Desa;Tanggal;Wajib KTP;Sudah Rekam",
        f"{TANAH_TOWA};19/01/2018;12,5;2.480",          # row 2: decimal
        f"{KINDANG};19/01/2018;2.400;-3",               # row 3: negative
        f"{LEMBANNA};30/02/2018;2.400;2.000",           # row 4: impossible date
        "73.02.99.9999;19/01/2018;1.000;900",           # row 5: unknown village
        f"{KAHAYYA};19/01/2018;;900",                   # row 6: empty
        f"{TANAH_KONGKONG};kemarin;1.000;900",          # row 7: not a date
        f"{TANAH_KONGKONG};20/01/2018;1.000;9OO",       # row 8: not a number
    )
    result = import_bytes(content, "rekap.csv", "registri", db)

    assert not result.ok
    assert "bukan bilangan bulat" in error_at(result, 2, "Wajib KTP")
    assert "negatif" in error_at(result, 3, "Sudah Rekam")
    assert "tidak ada di kalender" in error_at(result, 4, "Tanggal")
    assert error_at(result, 5, "Kode Desa") == "kode desa 73.02.99.9999 tidak dikenal"
    assert "wajib diisi" in error_at(result, 6, "Wajib KTP")
    assert "format tanggal 'kemarin' tidak dikenali" in error_at(result, 7, "Tanggal")
    assert "bukan angka" in error_at(result, 8, "Sudah Rekam")
    assert sorted({e.baris for e in result.errors}) == [2, 3, 4, 5, 6, 7, 8]
    assert snapshot_of(db)["registri"] == 0


def test_unknown_partner_service_delivery_and_group_list_what_is_accepted(db):
    content = csv_bytes(
        "Tanggal;Mitra;Kode Desa;Layanan;Jumlah;Cara;Rentan",
        f"19/01/2018;Karang Taruna;{TANAH_TOWA};Perekaman e-KTP;10;Jemput Bola;",
        f"19/01/2018;PMI;{TANAH_TOWA};Paspor;10;Jemput Bola;",
        f"19/01/2018;PMI;{TANAH_TOWA};KK;10;Pos Ronda;",
        f"19/01/2018;PMI;{TANAH_TOWA};KK;10;Posko;Anak",
        f"19/01/2018;PMI;{TANAH_TOWA};KK;10;Posko;???",
    )
    result = import_bytes(content, "kegiatan.csv", "kegiatan", db)

    partner = error_at(result, 2, "Mitra")
    assert "mitra 'Karang Taruna' tidak dikenal" in partner and "Lakpesdam NU" in partner
    service = error_at(result, 3, "Layanan")
    assert "'Paspor' tidak dikenal" in service and "akta_kematian" in service and "kia" in service
    assert "jemput_bola" in error_at(result, 4, "Cara")
    assert "disabilitas" in error_at(result, 5, "Rentan")
    assert "'???' tidak dikenal" in error_at(result, 6, "Rentan")
    assert len(result.errors) == 5


def test_future_activity_date_is_refused(db):
    content = csv_bytes("Tanggal;Mitra;Kode Desa;Layanan;Jumlah;Cara",
                        f"01/01/2099;PMI;{TANAH_TOWA};KK;10;Jemput Bola")
    result = import_bytes(content, "kegiatan.csv", "kegiatan", db)
    assert "masa depan" in error_at(result, 2, "Tanggal")


def test_target_rules_are_checked(db):
    content = csv_bytes(
        "Program;Layanan;Kecamatan;Nilai;Mulai;Selesai;Dasar",
        "Program Sulap;rekam_ektp;;100;01/01/2018;31/12/2018;registri",
        "gertak_2018;rekam_ektp;;100;01/01/2018;31/12/2018;tebakan",
        "gertak_2018;rekam_ektp;Kajang;100;31/12/2018;01/01/2018;registri",
        "gertak_2018;rekam_ektp;Gowa;100;01/01/2018;31/12/2018;registri",
        "gertak_2018;akta_kematian;Kindang;100;01/01/2018;31/12/2018;registri",
        "gertak_2018;kk;Kindang;0;01/01/2018;31/12/2018;kegiatan_mitra",
    )
    result = import_bytes(content, "target.csv", "target", db)

    assert "gertak_2018" in error_at(result, 2, "Program")
    assert "kegiatan_mitra" in error_at(result, 3, "Dasar")
    assert "lebih awal dari tanggal mulai" in error_at(result, 4, "Selesai")
    assert "kecamatan 'Gowa' tidak dikenal" in error_at(result, 5, "Kecamatan")
    assert "hanya untuk layanan rekam_ektp" in error_at(result, 6, "Dasar")
    assert "lebih dari 0" in error_at(result, 7, "Nilai")
    assert snapshot_of(db)["target"] == 0


def test_the_same_target_twice_in_one_file_is_refused(db):
    content = csv_bytes("program;layanan;kecamatan;nilai;mulai;selesai;dasar",
                        "gertak_2018;rekam_ektp;;100;01/01/2018;31/12/2018;registri",
                        "GERTAK 2018;Perekaman e-KTP;;200;01/01/2018;31/12/2018;registri")
    result = import_bytes(content, "target.csv", "target", db)
    assert any(e.baris == 3 and "sudah ada di baris 2" in e.pesan for e in result.errors)


@pytest.mark.parametrize("cells, column, phrase", [
    (("1.540", "", "", ""), "Wajib P", "isi keduanya atau kosongkan keduanya"),
    (("1.540", "1.500", "", ""), "Wajib L", "tidak sama dengan Wajib KTP 3.112"),
    (("1.540", "1.572", "1.300", "1.200"), "Rekam L", "tidak sama dengan Sudah Rekam 2.480"),
    (("", "", "1.220", "1.260"), "Rekam L", "perlu rincian Wajib L dan Wajib P"),
    (("1.200", "1.912", "1.220", "1.260"), "Rekam L", "lebih besar dari Wajib L 1.200"),
])
def test_by_sex_figures_must_pair_and_add_up(db, cells, column, phrase):
    content = csv_bytes("Kode Desa;Tanggal;Wajib KTP;Sudah Rekam;Wajib L;Wajib P;Rekam L;Rekam P",
                        f"{TANAH_TOWA};19/01/2018;3.112;2.480;" + ";".join(cells))
    result = import_bytes(content, "rekap.csv", "registri", db)
    assert phrase in error_at(result, 2, column)
    assert snapshot_of(db)["registri"] == 0


def test_missing_required_column_names_it_and_the_accepted_headers(db):
    content = csv_bytes("Kode Desa;Tanggal;Wajib KTP", f"{TANAH_TOWA};19/01/2018;3.112")
    result = import_bytes(content, "rekap.csv", "registri", db)

    message = error_at(result, None, "Sudah Rekam")
    assert "kolom wajib tidak ada" in message
    assert "'Sudah Rekam'" in message and "'Rekam'" in message and "'Sudah Perekaman'" in message
    assert len(result.errors) == 1


def test_a_running_number_is_ignored_silently_and_a_notes_column_with_a_warning(db):
    content = csv_bytes("No;Kode Desa;Tanggal;WKTP;Rekam;Keterangan",
                        f"1;{TANAH_TOWA};19/01/2018;3.112;2.480;sudah diverifikasi")
    result = import_bytes(content, "rekap.csv", "registri", db)

    assert result.ok, format_report(result)
    assert not any("'No'" in w.pesan for w in result.warnings)
    assert any("Kolom keterangan diabaikan: 'Keterangan'" in w.pesan for w in result.warnings)
    assert "Peringatan" in format_report(result)


def test_an_unknown_column_stops_the_import_until_the_operator_says_what_it_is(db):
    content = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam;Jumlah KK",
                        f"{TANAH_TOWA};19/01/2018;3.112;2.480;812")
    refused = import_bytes(content, "rekap.csv", "registri", db)
    assert not refused.ok and snapshot_of(db)["registri"] == 0
    message = refused.errors[0].pesan
    assert "belum jelas artinya: 'Jumlah KK'" in message and '--kolom "Jumlah KK=abaikan"' in message
    assert [c.header for c in refused.report.unresolved] == ["Jumlah KK"]

    taken = import_bytes(content, "rekap.csv", "registri", db, kolom={"jumlah kk": "abaikan"})
    assert taken.ok, format_report(taken)
    assert snapshot_of(db)["registri"] == 1


def test_headers_in_any_case_with_underscores_or_dots(db):
    content = csv_bytes("KODE_WILAYAH;TGL.;wajib_ktp;JUMLAH REKAM",
                        f"{TANAH_TOWA};19/01/2018;3.112;2.480")
    result = import_bytes(content, "rekap.csv", None, db)
    assert result.ok, format_report(result)


def test_unquoted_decimal_comma_in_a_comma_file_is_caught_on_its_row(db):
    content = csv_bytes("kode_desa,tanggal,wajib_ktp,sudah_rekam",
                        f"{TANAH_TOWA},19/01/2018,3112,2480",
                        f"{KINDANG},19/01/2018,2400,2150,5")
    result = import_bytes(content, "rekap.csv", "registri", db)
    assert any(e.baris == 3 and "lebih banyak isian" in e.pesan for e in result.errors)


# --- privacy ---------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["NIK", "Nama Lengkap", "nama_penduduk", "Alamat", "Tanggal Lahir",
                                    "No KK"])
def test_a_file_with_personal_data_is_refused_whole_without_echoing_it(db, header):
    secret = "7302064101900001" if header == "NIK" else "Andi Baso Rahman"
    content = csv_bytes(f"Kode Desa;Tanggal;WKTP;Rekam;{header}",
                        f"{TANAH_TOWA};19/01/2018;3.112;2.480;{secret}")
    result = import_bytes(content, "rekap.csv", None, db)

    assert not result.ok
    assert any(e.kolom == header and "agregat" in e.pesan for e in result.errors)
    assert secret not in format_report(result)
    assert snapshot_of(db)["impor"] == 0


def test_a_nik_in_an_unnamed_place_is_refused_too(db):
    content = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam;Catatan",
                        f"{TANAH_TOWA};19/01/2018;3.112;2.480;7302064101900001")
    result = import_bytes(content, "rekap.csv", "registri", db)
    assert "NIK" in error_at(result, 2, "Catatan")
    assert "7302064101900001" not in format_report(result)


def test_a_long_cell_value_is_cut_in_the_message(db):
    long_value = "Organisasi Kemasyarakatan Yang Namanya Sangat Panjang Sekali Dan Tidak Dikenal"
    content = csv_bytes("Tanggal;Mitra;Kode Desa;Layanan;Jumlah;Cara",
                        f"19/01/2018;{long_value};{TANAH_TOWA};KK;10;Jemput Bola")
    result = import_bytes(content, "kegiatan.csv", "kegiatan", db)
    message = error_at(result, 2, "Mitra")
    assert long_value not in message and long_value[:30] in message


# --- atomicity and idempotency -----------------------------------------------------------------

def test_a_bad_last_row_leaves_every_table_and_the_data_version_unchanged(db):
    before = snapshot_of(db)
    lines = [f"{TANAH_TOWA};{day:02d}/01/2018;3.112;{2400 + day}" for day in range(1, 20)]
    content = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", *lines, f"{KINDANG};19/01/2018;2.400;2.401")
    result = import_bytes(content, "rekap.csv", "registri", db)

    assert not result.ok and [e.baris for e in result.errors] == [21]
    assert snapshot_of(db) == before


def test_a_database_refusal_becomes_a_failed_result_and_writes_nothing(db):
    with db.begin() as conn:  # a rule the checks do not know about, enforced by the store
        conn.exec_driver_sql("CREATE TRIGGER uji_tolak BEFORE INSERT ON registri "
                             "WHEN NEW.wajib_ktp = 2400 BEGIN SELECT RAISE(ABORT, 'ck_uji_tolak'); END")
    before = snapshot_of(db)
    result = import_bytes(REGISTRI_CSV, "rekap.csv", "registri", db)

    assert not result.ok and result.impor_id is None
    message = result.errors[0].pesan
    assert "Basis data menolak" in message and "ck_uji_tolak" in message
    assert snapshot_of(db) == before


def test_the_same_file_twice_is_refused_and_not_counted_twice(db):
    first = import_bytes(REGISTRI_CSV, "rekap.csv", None, db)
    after_first = snapshot_of(db)
    second = import_bytes(REGISTRI_CSV, "rekap-salinan.csv", None, db)

    assert first.ok and not second.ok
    message = second.errors[0].pesan
    assert "sudah pernah diimpor" in message and f"impor #{first.impor_id}" in message
    with db.connect() as conn:
        when = conn.execute(sa.select(store.impor.c.waktu)).scalar_one()
    assert fmt.timestamp(when) in message  # when the earlier batch was written, office time
    assert snapshot_of(db) == after_first
    total = figures.coverage_total(engine=db)
    assert total.wajib_ktp == 3112 + 2400 + 4873 and total.sudah_rekam == 2480 + 2150 + 4702


def test_a_village_and_date_already_imported_is_refused_in_one_sentence_until_undone(db):
    """The corrected file holds one village and date of the first import but not the other two:
    it cannot replace that import whole, so it is refused, once (not once per row)."""
    first = import_bytes(REGISTRI_CSV, "rekap.csv", None, db)
    corrected = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam",
                          f"{TANAH_TOWA};19/01/2018;3.112;2.490",
                          f"{KINDANG};26/01/2018;2.400;2.180")
    refused = import_bytes(corrected, "rekap-revisi.csv", None, db)
    assert not refused.ok and refused.error_count == 1 and refused.errors[0].baris is None
    message = refused.errors[0].pesan
    assert f"1 dari 2 baris berkas ini (desa dan tanggal) sudah ada di impor #{first.impor_id}" in message
    assert "batalkan impor itu dulu" in message

    with db.begin() as conn:  # the operator undoes the first batch
        conn.execute(store.impor.update().where(store.impor.c.id == first.impor_id)
                     .values(status="dibatalkan"))
        store.bump_version(conn)
    again = import_bytes(corrected, "rekap-revisi.csv", None, db)
    assert again.ok, format_report(again)
    villages = figures.coverage_villages(engine=db).set_index("kode")
    assert villages.loc[TANAH_TOWA, "sudah_rekam"] == 2490

    # the undone file's bytes are no longer "already imported"; it holds Tanah Towa's 19 January
    # but not Kindang's 26 January of the import now active: refused, in one sentence
    old_again = import_bytes(REGISTRI_CSV, "rekap.csv", None, db)
    assert old_again.error_count == 1 and f"impor #{again.impor_id}" in old_again.errors[0].pesan


OTHER_OPERATOR_CSV = csv_bytes("Kode Desa;Tanggal;Wajib KTP;Sudah Rekam",
                               f"{TANAH_TOWA};19/01/2018;3.112;2.470")


@pytest.mark.parametrize("other_file, phrase", [(REGISTRI_CSV, "sudah pernah diimpor"),
                                                 (OTHER_OPERATOR_CSV, "sudah ada di impor")])
def test_a_file_committed_by_someone_else_meanwhile_is_caught_at_write_time(db, monkeypatch,
                                                                           other_file, phrase):
    from bulukumba.importer import checks

    real_check = checks.check
    raced = []

    def racing(conn, table, report, **kwargs):
        checked = real_check(conn, table, report, **kwargs)
        if not raced:  # a second operator commits while the first one's file is being checked
            raced.append(None)
            raced[0] = import_bytes(other_file, "kolega.csv", None, db)
        return checked

    monkeypatch.setattr(checks, "check", racing)
    result = import_bytes(REGISTRI_CSV, "rekap.csv", None, db)

    assert raced[0].ok and not result.ok
    assert phrase in format_report(result)
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.impor)).scalar_one() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(store.registri)).scalar_one() == \
            raced[0].ditulis


def test_the_same_village_and_date_twice_in_one_file_is_refused(db):
    content = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam",
                        f"{TANAH_TOWA};19/01/2018;3.112;2.480",
                        f"{TANAH_TOWA};2018-01-19;3.112;2.490")
    result = import_bytes(content, "rekap.csv", None, db)
    assert "sudah ada di baris 2" in error_at(result, 3, "Tanggal")


def test_dry_run_checks_but_writes_nothing(db):
    before = snapshot_of(db)
    result = import_bytes(REGISTRI_CSV, "rekap.csv", None, db, dry_run=True)
    assert result.ok and result.ditulis == 0 and result.impor_id is None and result.dry_run
    assert snapshot_of(db) == before


def test_validate_returns_clean_rows_ready_to_insert(db):
    report = validate(REGISTRI_CSV, "rekap.csv", None, db)
    assert report.ok and report.jenis == "registri" and report.baris == 3
    assert report.rows[0] == {"desa_kode": TANAH_TOWA, "tanggal": dt.date(2018, 1, 19),
                              "wajib_ktp": 3112, "sudah_rekam": 2480, "wajib_l": None,
                              "wajib_p": None, "rekam_l": None, "rekam_p": None}
    assert len(report.sha256) == 64
    assert snapshot_of(db)["impor"] == 0


# --- villages by name ------------------------------------------------------------------------

def test_a_village_by_name_is_found_within_its_kecamatan(db):
    content = csv_bytes("Desa/Kelurahan;Kecamatan;Tanggal;Wajib KTP;Sudah Rekam",
                        "tanah towa;KAJANG;19/01/2018;3.112;2.480",
                        "Kelurahan Tanah  Kongkong;Ujung Bulu;19/01/2018;4.873;4.702",
                        "Kindang;73.02.08;19/01/2018;2.400;2.150")
    result = import_bytes(content, "rekap.csv", None, db)

    assert result.ok, format_report(result)
    with db.connect() as conn:
        codes = set(conn.execute(sa.select(store.registri.c.desa_kode)).scalars())
    assert codes == {TANAH_TOWA, TANAH_KONGKONG, KINDANG}


def test_a_village_name_not_in_that_kecamatan_is_refused_with_a_hint(db):
    content = csv_bytes("Desa;Kecamatan;Tanggal;Wajib KTP;Sudah Rekam",
                        "Tanah Towa;Kindang;19/01/2018;3.112;2.480",
                        "Tana Lowa Baru;Kajang;19/01/2018;3.112;2.480")
    result = import_bytes(content, "rekap.csv", "registri", db)
    assert "ada di Kecamatan Kajang" in error_at(result, 2, "Desa")
    assert "mungkin maksudnya: Tanah Towa" in error_at(result, 3, "Desa")


def test_a_spelling_slip_is_matched_when_one_village_of_the_kecamatan_is_that_close(db):
    content = csv_bytes("Desa;Kecamatan;Tanggal;Wajib KTP;Sudah Rekam",
                        "Tanah Tua;Kajang;19/01/2018;3.112;2.480",
                        "Kel. Tanah Kongkon;Ujung Bulu;19/01/2018;4.873;4.702",
                        "Kahaya;Kindang;19/01/2018;2.400;2.150")
    result = import_bytes(content, "rekap.csv", "registri", db)

    assert result.ok, format_report(result)
    said = " ".join(str(w) for w in result.warnings)
    assert f"Baris 2: desa 'Tanah Tua' dicocokkan dengan ejaan mirip ke {TANAH_TOWA} Tanah Towa" in said
    assert f"'Kel. Tanah Kongkon' dicocokkan dengan ejaan mirip ke {TANAH_KONGKONG}" in said
    assert f"'Kahaya' dicocokkan dengan ejaan mirip ke {KAHAYYA} Kahayya (Kec. Kindang)" in said


def test_a_village_name_without_a_kecamatan_must_be_unique_in_the_regency(db_two_lembanna):
    content = csv_bytes("Desa;Tanggal;Wajib KTP;Sudah Rekam",
                        "Tanah Towa;19/01/2018;3.112;2.480",
                        "Lembanna;19/01/2018;2.000;1.800",
                        "Tanah Tua;19/01/2018;3.112;2.480")
    result = import_bytes(content, "rekap.csv", "registri", db_two_lembanna)

    assert [e.baris for e in result.errors] == [3, 4]
    assert "ada lebih dari satu" in error_at(result, 3, "Desa") and "Kec. Kajang" in error_at(result, 3, "Desa")
    assert "isi kode desa, atau kecamatannya" in error_at(result, 4, "Desa")


def test_an_ambiguous_village_name_is_refused_naming_the_candidates(db_two_lembanna):
    content = csv_bytes("Nama Desa;Kecamatan;Tanggal;Wajib KTP;Sudah Rekam",
                        "Lembanna;Kajang;19/01/2018;2.000;1.800")
    result = import_bytes(content, "rekap.csv", "registri", db_two_lembanna)

    message = error_at(result, 2, "Nama Desa")
    assert "tidak tunggal" in message and LEMBANNA in message and "73.02.06.2099" in message
    # the code settles it
    by_code = csv_bytes("Kode Desa;Nama Desa;Kecamatan;Tanggal;Wajib KTP;Sudah Rekam",
                        "73.02.06.2099;Lembanna;Kajang;19/01/2018;2.000;1.800")
    assert import_bytes(by_code, "rekap.csv", "registri", db_two_lembanna).ok


@pytest.mark.slow
@pytest.mark.both_databases
def test_real_data_replaces_the_demo_without_deleting_it(engine):
    """The office's first real import takes the demo out of every figure; the audit trail stays."""
    from bulukumba import figures
    from bulukumba.storage import demo

    demo.load(engine)
    assert figures.freshness(engine).contoh
    csv_text = "Kode Desa;Tanggal;Wajib KTP;Sudah Rekam\n73.02.06.2006;19/01/2018;3.000;2.400\n"
    result = importer.import_bytes(csv_text.encode("utf-8-sig"), "siak.csv", None, engine, oleh="op")
    assert result.ok, importer.format_report(result)
    assert any("Data contoh dinonaktifkan" in w.pesan for w in result.warnings)
    fresh = figures.freshness(engine)
    assert not fresh.contoh
    total = figures.coverage_total("2018-01-19", engine=engine)
    assert (total.wajib_ktp, total.sudah_rekam) == (3000, 2400)
    history = figures.import_history(engine)
    assert set(history["status"]) == {"aktif", "dibatalkan"}
    assert history.loc[history["contoh"], "status"].tolist() == ["dibatalkan"]


def test_undoing_an_import_restores_the_figures_and_allows_a_corrected_file(engine):
    from bulukumba import figures
    from bulukumba.storage import store

    first = "Kode Desa;Tanggal;WKTP;Rekam\n73.02.06.2006;19/01/2018;3.000;2.400\n".encode()
    assert importer.import_bytes(first, "a.csv", None, engine).ok
    with engine.begin() as conn:
        batch = int(figures.import_history(engine).iloc[0]["id"])
        assert store.cancel_batch(conn, batch, "operator")
        assert not store.cancel_batch(conn, batch, "operator")  # once only
    assert figures.coverage_total("2018-01-19", engine=engine).sudah_rekam == 0
    again = importer.import_bytes(first, "a.csv", None, engine)
    assert again.ok, "after undo the same village and date may be imported again"
    assert figures.coverage_total("2018-01-19", engine=engine).sudah_rekam == 2400
