"""Writing a batch: a checked file goes into the store in one transaction with its audit row,
or nothing is written at all.

`validate` reads and checks (nothing written); `save` writes a clean report; `import_bytes` and
`import_file` do both. Once the batch row is written (which serialises writers: SQLite's write
lock, PostgreSQL's lock on the `meta` version row) the duplicate checks run again, so two
operators importing at once cannot both write the same content, or the same village and date.
The same content (sha256 of the bytes) is never imported twice while its batch is active.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable

import sqlalchemy as sa

from bulukumba import config
from bulukumba.language import fmt, names
from bulukumba.storage import reference, store, summaries
from bulukumba.importer import checks, mapping
from bulukumba.importer.column_plan import CHOSEN
from bulukumba.importer.headers import KINDS
from bulukumba.importer.places import Places
from bulukumba.importer.reading import ImportFileError, Limits, fingerprint, open_source, open_table
from bulukumba.importer.report import ImportResult, RowError, ValidationReport, result_of
from bulukumba.importer.values import show

Progress = Callable[[float, str], None]

_TABLES = {"registri": store.registri, "kegiatan": store.kegiatan, "target": store.target}
INSERT_CHUNK = 20_000
SQLITE_CACHE_KB = 64_000


def normal_kind(jenis: str | None) -> str | None:
    return None if jenis is None or not str(jenis).strip() else str(jenis).strip().lower()


def validate(data: bytes | str | os.PathLike, nama_file: str, jenis: str | None, engine, *,
             kolom: dict[str, str] | None = None, ignore_rest: bool = False,
             progress: Progress | None = None, limits: Limits | None = None) -> ValidationReport:
    """Check the whole file (bytes, or a path) against the store without writing anything.

    `kolom` holds the operator's choices for this file: spelling key -> column or 'abaikan';
    `ignore_rest` ignores every column still unknown after them (for this file only).
    """
    jenis = normal_kind(jenis)
    try:
        stream, size = open_source(data)
    except OSError as exc:
        reason = "tidak ditemukan" if isinstance(exc, FileNotFoundError) else "tidak dapat dibaca"
        report = ValidationReport(jenis=jenis, nama_file=nama_file, sha256="")
        report.problems.add(RowError(None, None, f"Berkas {show(str(data))} {reason}.", reason))
        return report
    try:
        sha, text_codec = fingerprint(stream)
    except OSError:
        stream.close()
        raise
    report = ValidationReport(jenis=jenis, nama_file=nama_file, sha256=sha)
    if jenis is not None and jenis not in KINDS:
        stream.close()
        report.jenis = None
        report.problems.add(RowError(None, None, f"jenis impor {show(jenis)} tidak dikenal; pilih "
                                                 f"salah satu: {', '.join(KINDS)}", "jenis tidak dikenal"))
        return report
    try:
        table = open_table(None, nama_file, limits, stream=stream, size=size, text_codec=text_codec)
    except ImportFileError as exc:
        report.problems.add(RowError(None, None, str(exc), "berkas tidak dapat dibaca"))
        return report
    try:
        with engine.connect() as conn:
            remembered = mapping.remembered(conn)
            checks.check(conn, table, report, chosen=kolom, remembered=remembered,
                         ignore_rest=ignore_rest, progress=progress)
    finally:
        table.close()
    _unused_choices(report, kolom, table.header)
    return report


def _unused_choices(report: ValidationReport, kolom: dict[str, str] | None, header: list[str]) -> None:
    """A --kolom for a header the file does not have is a typo to point out, not to skip."""
    present = {names.spelling(h) for h in header if h}
    for k in (kolom or {}):
        if k not in present:
            report.problems.add(RowError(None, None, f"--kolom untuk judul {show(k)} tidak cocok "
                                                     f"dengan judul kolom mana pun di berkas ini",
                                         "pemetaan tidak cocok"))


class _Refused(Exception):
    pass


def save(report: ValidationReport, engine, oleh: str | None = None,
         progress: Progress | None = None, replace: int | None = None) -> ImportResult:
    """Write a clean report in one transaction with its audit row; or write nothing.

    A file holding the villages and dates of import #N (`report.replaces`) is written only when
    the operator asked to replace it (`replace=N`): then import #N is undone and the file written
    in the same transaction, under the same import lock."""
    wanted = report.replaces.impor if report.replaces is not None else None
    if report.ok and replace != wanted:
        report.problems.add(RowError(None, None, _replace_message(report, replace), "ganti impor"))
        report.records = None
    if not report.ok:
        if not report.problems and report.same_as is None:
            report.problems.add(RowError(None, None, "Tidak ada baris data untuk diimpor.",
                                         "tidak ada baris data"))
        return result_of(report, ok=False)
    wait = config.import_wait_seconds()
    try:
        with store.import_lock(engine, wait, waiting=lambda: progress and progress(
                0.0, f"menunggu impor lain selesai menulis (paling lama {fmt.number(wait)} detik)")):
            return _write(report, engine, oleh, progress, replace)
    except store.ImportBusy:
        report.problems.add(RowError(None, None, _busy_message(wait), "impor lain sedang berjalan"))
        report.records = None
        return result_of(report, ok=False)


def _busy_message(wait: float) -> str:
    return (f"Impor lain sedang menulis ke basis data dan belum selesai setelah ditunggu "
            f"{fmt.number(wait)} detik (batas BULUKUMBA_IMPOR_TUNGGU_DETIK); berkas ini sudah "
            f"diperiksa tetapi tidak ada yang ditulis. Coba lagi setelah impor itu selesai.")


def _replace_message(report: ValidationReport, replace: int | None) -> str:
    if report.replaces is None:
        return (f"Impor #{replace} tidak dapat diganti dengan berkas ini: berkas ini tidak memuat desa "
                f"dan tanggal impor itu. Tidak ada yang ditulis.")
    return (f"Berkas ini mengganti impor #{report.replaces.impor} (desa dan tanggal yang sama); "
            f"simpan dengan tombol 'Ganti impor #{report.replaces.impor}' di Kelola data, atau "
            f"batalkan impor itu dulu. Tidak ada yang ditulis.")


def _write(report: ValidationReport, engine, oleh: str | None, progress,
           replace: int | None = None) -> ImportResult:
    records = report.records
    try:
        with engine.begin() as conn:
            if replace is not None and not store.cancel_batch(conn, replace, oleh):
                report.problems.add(RowError(None, None, f"Impor #{replace} sudah tidak aktif (dibatalkan "
                                                         f"orang lain); periksa berkas ini lagi. Tidak ada "
                                                         f"yang ditulis.", "ganti impor"))
                raise _Refused
            if report.jenis == "kegiatan":
                reference.ensure_partners(conn)  # a partner the store lacks yet (idempotent)
            batch = store.start_batch(conn, nama_file=report.nama_file[:255], sha256=report.sha256,
                                      jenis=report.jenis, jumlah_baris=len(records),
                                      oleh=(oleh or None) and oleh[:80])
            late = _late_clashes(conn, report, batch)
            if late:
                report.problems.extend(late)
                raise _Refused
            _insert(conn, _TABLES[report.jenis], records, batch, progress)
            chosen = [(c.header, c.target) for c in report.plan.columns if c.how == CHOSEN]
            if chosen:  # the operator's --kolom answers, remembered with the import they made
                mapping.remember(conn, report.jenis, chosen, oleh)
            # Real figures never mix with demo ones: the demo is cancelled (kept for the audit
            # trail) in the same transaction as the first real import.
            retired = store.retire_demo(conn, f"otomatis: impor #{batch}")
            if retired:
                report.warnings.append(RowError(None, None, "Data contoh dinonaktifkan karena data "
                                                "asli masuk; semua angka kini dari data impor."))
            # The import brings its own summaries up to date before it commits, so the pages
            # that see the new version find them ready instead of the first one rebuilding them.
            summaries.refresh(conn)
    except _Refused:
        report.records = None
        return result_of(report, ok=False)
    except sa.exc.SQLAlchemyError as exc:
        report.problems.add(RowError(None, None, _database_message(exc), "basis data menolak"))
        report.records = None
        return result_of(report, ok=False)
    return result_of(report, ok=True, ditulis=len(records), impor_id=batch, diganti=replace)


def _insert(conn: sa.Connection, table: sa.Table, records, batch: int,
            progress: Progress | None) -> None:
    """The checked rows, chunk by chunk, in the caller's transaction.

    SQLite: SQLAlchemy's per-row parameter handling costs more than SQLite's own insert, and the
    rows are checked and typed already, so they go to the driver as tuples (dates as ISO text,
    exactly as SQLAlchemy's SQLite Date type stores them; the store's CHECKs and date triggers
    still apply). Elsewhere: SQLAlchemy's batched insert.
    """
    names = [*records.names, "impor_id"]
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    fast = conn.dialect.name == "sqlite" and conn.dialect.paramstyle == "qmark"
    chunks = records.tuples(INSERT_CHUNK) if fast else records.chunks(INSERT_CHUNK)
    if fast:  # room for the indexes of a million rows, for this import only (default: 2 MB)
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
    written = 0
    try:
        for chunk in chunks:
            if fast:
                conn.exec_driver_sql(sql, [(*row, batch) for row in chunk])
            else:
                for row in chunk:
                    row["impor_id"] = batch
                conn.execute(table.insert(), chunk)
            written += len(chunk)
            if progress is not None:
                progress(written / len(records), f"{written:,} baris ditulis".replace(",", "."))
    finally:
        if fast:
            conn.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")


def _late_clashes(conn: sa.Connection, report: ValidationReport, batch: int) -> list[RowError]:
    """What another writer committed between validation and this batch's first write."""
    earlier = checks.already_imported(conn, report.sha256, exclude=batch)
    if earlier is not None:
        return [earlier]
    if report.jenis == "registri":
        return checks.registry_clashes(conn, report.records, Places.load(conn), exclude=batch)
    return []


def _database_message(exc: sa.exc.SQLAlchemyError) -> str:
    text = str(getattr(exc, "orig", exc))
    rule = re.search(r"(ck_\w+|FOREIGN KEY|UNIQUE|NOT NULL|tanggal tidak sah|locked|busy)", text)
    reason = rule.group(1) if rule else type(exc).__name__
    if isinstance(exc, sa.exc.IntegrityError):
        return (f"Basis data menolak data ini (aturan: {reason}); tidak ada yang ditulis. "
                f"Laporkan berkas ini ke pengelola dasbor.")
    return f"Gagal menulis ke basis data ({reason}); tidak ada yang ditulis. Coba lagi sebentar."


def import_bytes(data: bytes, nama_file: str, jenis: str | None, engine, oleh: str | None = None,
                 dry_run: bool = False, *, kolom: dict[str, str] | None = None,
                 ignore_rest: bool = False, progress: Progress | None = None) -> ImportResult:
    """Validate the whole file, then (unless `dry_run`) write it in one transaction with its
    audit row. On any problem nothing is written and the result lists the first hundred
    problems and counts all of them by kind."""
    report = validate(data, nama_file, jenis, engine, kolom=kolom, ignore_rest=ignore_rest,
                      progress=progress)
    if dry_run:
        return result_of(report, ok=report.ok, dry_run=True)
    return save(report, engine, oleh=oleh, progress=progress)


def import_file(path, jenis: str | None = None, engine=None, oleh: str | None = None,
                dry_run: bool = False, *, kolom: dict[str, str] | None = None,
                ignore_rest: bool = False, progress: Progress | None = None) -> ImportResult:
    """Import a file from disk, read as a stream (engine default: the configured store)."""
    path = Path(path)
    report = validate(path, path.name, jenis, engine or store.default_engine(), kolom=kolom,
                      ignore_rest=ignore_rest, progress=progress)
    if dry_run or not report.ok:
        return result_of(report, ok=report.ok and dry_run, dry_run=dry_run)
    return save(report, engine or store.default_engine(), oleh=oleh, progress=progress)


def undo_import(batch_id: int, engine, oleh: str | None = None) -> str:
    """Cancel an import: its rows leave every figure, the batch and its rows stay for the audit
    trail. Returns a message in Indonesian."""
    with engine.begin() as conn:
        done = store.cancel_batch(conn, int(batch_id), oleh)
    return f"Impor #{batch_id} dibatalkan." if done else f"Impor #{batch_id} sudah tidak aktif."
