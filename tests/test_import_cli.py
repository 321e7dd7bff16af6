"""The command line: `python -m bulukumba impor FILE [--kolom "JUDUL=kolom"] …` as an operator
runs it on a real store (the 136 villages): readable reports, progress, never a traceback."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from bulukumba.__main__ import _Progress
from bulukumba.importer import mapping

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def impor(engine, path, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "BULUKUMBA_DB_URL": str(engine.url)}
    return subprocess.run([sys.executable, "-m", "bulukumba", "impor", str(path), *args], cwd=PROJECT,
                          env=env, capture_output=True, text=True, timeout=300)


EXPORT = ("\ufeffREKAP PEREKAMAN KTP-EL KAB. BULUKUMBA;;;;;;\r\n"
          "NO;KODE WILAYAH;Desa Binaan;TANGGAL;WAJIB KTP;SUDAH REKAM;BELUM REKAM;Jumlah KK\r\n"
          "1;73.02.06.2006;Tanah Towa;19-01-2018;3.112;2.480;632;812\r\n"
          "2;;KAHAYYA;19-01-2018;2.000;1.800;200;501\r\n"
          ";;JUMLAH;;5.112;4.280;832;\r\n")


@pytest.mark.slow
def test_a_district_export_goes_in_with_column_choices_that_are_then_remembered(engine, tmp_path):
    path = tmp_path / "rekap-januari.csv"
    path.write_text(EXPORT, encoding="utf-8")
    refused = impor(engine, path)
    assert refused.returncode == 1
    assert "belum jelas artinya: 'Desa Binaan', 'Jumlah KK'" in refused.stdout
    assert '--kolom "Desa Binaan=abaikan"' in refused.stdout

    done = impor(engine, path, "--kolom", "Desa Binaan=nama_desa", "--kolom", "Jumlah KK=abaikan",
                 "--oleh", "operator1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BERHASIL: 2 baris ditulis" in done.stdout
    assert "Baris 4: desa 'KAHAYYA' dicocokkan dengan nama ke 73.02.08.2011 Kahayya" in done.stdout
    assert "baris jumlah cocok" in done.stdout
    assert sorted(mapping.listing(engine)["judul"]) == ["Desa Binaan", "Jumlah KK"]

    path.write_text(EXPORT.replace("19-01-2018", "19-02-2018"), encoding="utf-8")
    assert impor(engine, path).returncode == 0  # the next month needs no --kolom

    # Lembanna is the name of two villages of the regency: without a kecamatan it is not guessed
    path.write_text(EXPORT.replace("KAHAYYA", "Lembanna").replace("19-01-2018", "19-03-2018"))
    ambiguous = impor(engine, path)
    assert ambiguous.returncode == 1
    assert "nama desa 'Lembanna' ada lebih dari satu: 73.02.03.2008 Lembanna (Kec. Bonto Bahari), " \
           "73.02.06.2004 Lembanna (Kec. Kajang)" in ambiguous.stdout


@pytest.mark.slow
def test_a_file_of_wrong_rows_prints_a_report_a_person_can_read(engine, tmp_path):
    path = tmp_path / "salah.csv"
    path.write_text("Kode Desa;Tanggal;Wajib KTP;Sudah Rekam\n" +
                    "".join(f"73.02.99.{i:04d};31/02/2018;12,5;-3\n" for i in range(5000)))
    done = impor(engine, path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].endswith("DITOLAK: 20.000 kesalahan; tidak ada yang ditulis.")
    assert "Kesalahan (20.000), 100 pertama:" in lines and len(lines) < 120
    assert "  kolom 'Wajib KTP' – bukan bilangan bulat: 5.000" in lines


@pytest.mark.parametrize("content, phrase", [
    ("Kode Desa;Tanggal\n" + "x" * 200_000 + "\n", "lebih dari 131.072 karakter"),
    ("\x00\x01binary" * 100, "data biner"),
])
@pytest.mark.slow
def test_a_hostile_file_gets_a_sentence_not_a_traceback(engine, tmp_path, content, phrase):
    path = tmp_path / "aneh.csv"
    path.write_text(content)
    done = impor(engine, path)
    assert done.returncode == 1 and phrase in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.slow
def test_a_wrong_kolom_option_is_explained(engine, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(EXPORT)
    done = impor(engine, path, "--kolom", "Jumlah KK")
    assert done.returncode == 2 and "tulis JUDUL=kolom" in done.stderr and "Traceback" not in done.stderr


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_progress_shows_only_for_work_that_takes_more_than_a_second():
    out = io.StringIO()
    progress = _Progress(out)
    progress.clock = clock = _Clock()
    progress.started = 0.0
    for step in range(1, 11):
        clock.now = step * 0.09
        progress(step / 100, f"{step} baris diperiksa")
    assert out.getvalue() == ""  # done within a second: nothing said
    for step in range(11, 101):
        clock.now = 1 + step * 0.05
        progress(step / 100, f"{step} baris diperiksa")
    lines = out.getvalue().splitlines()
    assert lines[0] == " 11% · 11 baris diperiksa" and lines[-1] == "100% · 100 baris diperiksa"
    assert len(lines) == 10  # one line per tenth in a log, not one per step
