"""Imports apart from the server (issue 21, "what must hold" 1): Kelola data checks and writes an
upload in a worker process with limits on memory, CPU and wall time; a worker stopped by a limit
gives a message naming it; the operator can cancel; a page that stops looking ends the work; the
server process never parses the upload."""
from __future__ import annotations

import os
import time

import pytest
import sqlalchemy as sa

from apptest_support import open_app
from bulukumba.storage import store
from bulukumba.importer import batch, reading
from bulukumba.importer.worker import Job, WorkerLimits
from import_support import TANAH_TOWA, csv_bytes, snapshot_of

SMALL = csv_bytes("Kode Desa;Tanggal;WKTP;Rekam", f"{TANAH_TOWA};19/01/2018;3.112;2.480")


def _many_rows(n: int = 200_000) -> bytes:
    """A valid registry file of `n` rows (one village, n dates): seconds of CPU to check."""
    rows = "".join(f"{TANAH_TOWA};{i % 28 + 1:02d}/{i // 28 % 12 + 1:02d}/{2000 + i // 336};3.112;2.480\r\n"
                   for i in range(n))
    return ("Kode Desa;Tanggal;WKTP;Rekam\r\n" + rows).encode()


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def limits(**changed) -> WorkerLimits:
    return WorkerLimits(**{**dict(memory_mb=2000, cpu_seconds=300, wall_seconds=600, heartbeat_seconds=15),
                           **changed})


@pytest.mark.slow
@pytest.mark.both_databases
def test_a_check_and_a_write_run_in_a_worker(engine):
    checked = Job(SMALL, "rekap.csv", None, _url(engine)).wait(timeout=120)
    assert checked.status == "selesai" and checked.result.report.ok
    assert len(checked.result.report.records) == 1 and snapshot_of(engine)["impor"] == 0

    job = Job(SMALL, "rekap.csv", None, _url(engine), write=True, oleh="operator1")
    written = job.wait(timeout=120)
    assert written.status == "selesai" and "BERHASIL: 1 baris ditulis" in written.result.pesan
    assert snapshot_of(engine)["registri"] == 1
    assert not job.folder.exists()  # the uploaded bytes are gone with the job


@pytest.mark.parametrize("changed, said", [
    (dict(memory_mb=64), "memakai memori lebih dari batas 64 MB (BULUKUMBA_IMPOR_PEKERJA_MB)"),
    (dict(cpu_seconds=1), "memakai waktu prosesor lebih dari batas 1 detik (BULUKUMBA_IMPOR_PEKERJA_CPU_DETIK)"),
    (dict(wall_seconds=1), "berjalan lebih lama dari batas 1 detik (BULUKUMBA_IMPOR_PEKERJA_DETIK)"),
])
@pytest.mark.slow
@pytest.mark.both_databases
def test_a_worker_stopped_by_a_limit_says_which(engine, changed, said):
    job = Job(_many_rows(), "besar.csv", None, _url(engine), write=True, limits=limits(**changed))
    outcome = job.wait(timeout=240)
    assert outcome.status == "gagal"
    assert outcome.message.startswith(f"Penulisan berkas dihentikan: {said}; tidak ada yang ditulis"), outcome.message
    assert snapshot_of(engine)["impor"] == 0 and _gone(job.pid)


@pytest.mark.slow
@pytest.mark.both_databases
def test_the_operator_can_cancel_and_nothing_is_written(engine):
    job = Job(_many_rows(), "besar.csv", None, _url(engine), write=True)
    time.sleep(3)
    outcome = job.cancel()
    assert outcome.status == "dibatalkan" and "tidak ada yang ditulis" in outcome.message
    assert _gone(job.pid) and not job.folder.exists()
    assert snapshot_of(engine)["impor"] == 0


@pytest.mark.slow
@pytest.mark.both_databases
def test_a_worker_nobody_looks_at_ends_by_itself(engine):
    """The page stops touching the heartbeat when the operator leaves it or closes the tab."""
    job = Job(_many_rows(), "besar.csv", None, _url(engine), limits=limits(heartbeat_seconds=2))
    started = time.monotonic()
    # Polled, not read from /proc: a worker whose main thread has ended shows as a zombie while
    # its other threads still run, and cannot be reaped until they end.
    outcome = job.wait(timeout=60, touch=False)
    assert outcome is not None and time.monotonic() - started < 30
    assert outcome.status == "ditinggalkan" and "halaman Kelola data ditinggalkan" in outcome.message


def test_a_worker_result_cannot_carry_code(tmp_path):
    import pickle

    from bulukumba.importer.worker import _load_result

    with pytest.raises(pickle.UnpicklingError):
        _load_result(pickle.dumps(os.system))


# --- on the page --------------------------------------------------------------------------------

@pytest.fixture
def kelola(engine, monkeypatch):
    url = _url(engine)
    monkeypatch.setenv("BULUKUMBA_DB_URL", url)
    return url


def _upload(url: str, content: bytes):
    at = open_app("pages/kelola.py", role="operator", db_url=url)
    at.file_uploader(key="kelola-berkas").set_value(("rekap.csv", content, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.slow
@pytest.mark.both_databases
def test_the_server_process_never_parses_the_upload(kelola, engine, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("the server process parsed the upload")

    for module, name in ((batch, "validate"), (batch, "save"), (reading, "open_table")):
        monkeypatch.setattr(module, name, refuse)
    at = _upload(kelola, SMALL)
    assert "lolos pemeriksaan: 1 baris registri siap diimpor" in at.success[0].value
    at.button(key="kelola-simpan").click()
    at.run()
    assert not at.exception and "BERHASIL: 1 baris ditulis" in at.success[0].value
    with engine.connect() as conn:
        batches = conn.execute(sa.select(store.impor.c.id).where(store.impor.c.nama_file == "rekap.csv")).scalars().all()
        assert len(batches) == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(store.registri)
                            .where(store.registri.c.impor_id == batches[0])).scalar_one() == 1


@pytest.mark.slow
@pytest.mark.both_databases
def test_a_limit_reached_on_the_page_is_said_and_the_page_goes_on(kelola, monkeypatch):
    monkeypatch.setenv("BULUKUMBA_IMPOR_PEKERJA_MB", "64")
    at = _upload(kelola, SMALL)
    assert "batas 64 MB (BULUKUMBA_IMPOR_PEKERJA_MB)" in at.error[0].value
    assert "Riwayat impor" in [h.value for h in at.header]  # the rest of the page is served
    assert [b for b in at.button if b.key == "kelola-periksa-lagi"]
    at.run()  # not checked again by itself
    assert "batas 64 MB" in at.error[0].value
