"""A second command-line import while another writes (issue 21, "what must hold" 3): it waits for
the first (bounded by BULUKUMBA_IMPOR_TUNGGU_DETIK) or says in Indonesian that another import is
running; never a traceback."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from bulukumba.storage import reference, store
from conftest import on_postgres
from test_import_cli import impor

CSV = "Kode Desa;Tanggal;WKTP;Rekam\r\n73.02.06.2006;19/01/2018;3.112;2.480\r\n"


def _file(tmp_path):
    path = tmp_path / "rekap.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _imports(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(store.impor)).scalar_one()


@pytest.mark.slow
@pytest.mark.both_databases
def test_a_second_import_waits_for_the_first_then_writes(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("BULUKUMBA_IMPOR_TUNGGU_DETIK", "120")
    lock = store.import_lock(engine, 0)
    lock.__enter__()  # "the first import" holds the lock, then finishes after 4 s
    timer = threading.Timer(4.0, lambda: lock.__exit__(None, None, None))
    timer.start()
    try:
        started = time.monotonic()
        done = impor(engine, _file(tmp_path))
    finally:
        timer.join()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BERHASIL: 1 baris ditulis" in done.stdout and "Traceback" not in done.stderr
    assert time.monotonic() - started >= 4.0
    assert _imports(engine) == 1


@pytest.mark.slow
@pytest.mark.both_databases
def test_a_second_import_says_another_import_is_running(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("BULUKUMBA_IMPOR_TUNGGU_DETIK", "1")
    with store.import_lock(engine, 0):
        refused = impor(engine, _file(tmp_path))
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "Impor lain sedang menulis ke basis data dan belum selesai setelah ditunggu 1 detik" in refused.stdout
    assert "tidak ada yang ditulis" in refused.stdout and "Traceback" not in refused.stderr
    assert _imports(engine) == 0


@pytest.mark.skipif(on_postgres(), reason="SQLite's write lock: PostgreSQL readers and writers do not wait on it")
@pytest.mark.slow
@pytest.mark.both_databases
def test_starting_while_another_import_holds_the_write_lock_is_a_sentence_not_a_traceback(engine, tmp_path,
                                                                                          monkeypatch):
    """The traceback came from startup.prepare (a partner to add on start) meeting the write lock."""
    monkeypatch.setenv("BULUKUMBA_IMPOR_TUNGGU_DETIK", "1")
    with engine.begin() as conn:
        conn.execute(store.mitra.delete().where(store.mitra.c.kode == reference.PARTNERS[0][0]))
    writer = sqlite3.connect(engine.url.database, isolation_level=None, timeout=30)
    with store.import_lock(engine, 0):
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE meta SET nilai = nilai")
        try:
            refused = impor(engine, _file(tmp_path), "--periksa")
        finally:
            writer.execute("ROLLBACK")
            writer.close()
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr and "database is locked" not in refused.stderr
    assert refused.stderr.strip().splitlines()[-1].startswith(
        "Gagal: impor lain sedang menulis ke basis data dan belum selesai setelah ditunggu 1 detik")
