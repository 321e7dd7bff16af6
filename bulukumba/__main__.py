"""Command line: `python -m bulukumba impor FILE`, `template`, `demo`, `wilayah`.

Messages are Indonesian, like the operators who run them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bulukumba import config
from bulukumba.storage import store


class _Progress:
    """Progress on stderr for imports that take more than a second: one line rewritten in a
    terminal, a line per tenth of the file otherwise (a log)."""

    def __init__(self, stream=None, after: float = 1.0):
        import time

        self.stream = stream or sys.stderr
        self.clock = time.monotonic
        self.started = self.clock()
        self.after = after
        self.shown = False
        self.tenth = -1
        self.last = 0.0
        self.tty = self.stream.isatty()

    def __call__(self, fraction: float, text: str) -> None:
        if self.clock() - self.started < self.after:
            return
        if fraction < self.last:  # a new phase (checking, then writing) starts from zero
            self.tenth = -1
        self.last = fraction
        line = f"{fraction:4.0%} · {text}"
        if self.tty:
            self.stream.write(f"\r{line:<60}")
        elif int(fraction * 10) > self.tenth:
            self.tenth = int(fraction * 10)
            self.stream.write(line + "\n")
        else:
            return
        self.shown = True
        self.stream.flush()

    def done(self) -> None:
        if self.shown and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _cmd_impor(args) -> int:
    from bulukumba import importer
    from bulukumba.storage import startup

    try:
        choices = importer.parse_choices(args.kolom)
    except ValueError as error:
        print(f"Gagal: {error}", file=sys.stderr)
        return 2
    progress = _Progress()
    try:
        engine = _prepared(progress)
    except store.ImportBusy:
        progress.done()
        print(f"Gagal: impor lain sedang menulis ke basis data dan belum selesai setelah ditunggu "
              f"{config.import_wait_seconds():.0f} detik (BULUKUMBA_IMPOR_TUNGGU_DETIK); tidak ada "
              f"yang ditulis. Coba lagi setelah impor itu selesai.", file=sys.stderr)
        return 2
    except Exception as error:  # the store cannot be opened: a sentence, not a traceback
        progress.done()
        print(f"Gagal: basis data tidak dapat dibuka ({_reason(error)}); tidak ada yang ditulis. "
              f"Periksa BULUKUMBA_DB_URL, lalu coba lagi.", file=sys.stderr)
        return 2
    try:
        result = importer.import_file(Path(args.file), jenis=args.jenis, engine=engine,
                                      oleh=args.oleh, dry_run=args.periksa, kolom=choices,
                                      ignore_rest=args.abaikan_kolom_lain, progress=progress)
    except Exception as error:  # the operator gets a sentence, not a traceback
        progress.done()
        print(f"Gagal: kesalahan tak terduga saat mengimpor ({type(error).__name__}); tidak ada "
              f"yang ditulis. Laporkan berkas ini ke pengelola dasbor.", file=sys.stderr)
        return 2
    progress.done()
    print(importer.format_report(result))
    nothing_to_do = result.report is not None and result.report.same_as is not None
    return 0 if result.ok or nothing_to_do else 1


def _prepared(progress):
    """The store, ready: when another import holds SQLite's write lock and the store needs a
    write on start (a partner or region missing), wait for that import (bounded), then again."""
    import sqlalchemy as sa

    from bulukumba.storage import startup

    try:
        return startup.prepare(fill_demo=False).engine
    except sa.exc.OperationalError as error:
        if "locked" not in str(error) and "busy" not in str(error):
            raise
    engine = store.default_engine()
    wait = config.import_wait_seconds()
    with store.import_lock(engine, wait, waiting=lambda: progress(
            0.0, f"menunggu impor lain selesai menulis (paling lama {wait:.0f} detik)")):
        try:
            return startup.prepare(engine, fill_demo=False).engine
        except sa.exc.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise store.ImportBusy from None
            raise


def _reason(error: Exception) -> str:
    text = str(getattr(error, "orig", error)).splitlines()[0][:120] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _cmd_template(args) -> int:
    from bulukumba import importer

    kinds = importer.KINDS if args.jenis == "semua" else (args.jenis,)
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    for kind in kinds:
        path = importer.write_template(kind, folder / f"template-{kind}.{args.format}")
        print(f"Template ditulis: {path}")
    return 0


def _cmd_demo(args) -> int:
    from bulukumba.storage import demo, reference
    from bulukumba.regions import RegionsError

    engine = store.default_engine()
    try:
        reference.ensure_reference(engine)
    except RegionsError as error:
        print(f"Gagal: {error}", file=sys.stderr)
        return 1
    try:
        batch = demo.load(engine, as_of=dt.date.fromisoformat(args.per))
    except RuntimeError as error:
        print(f"Gagal: {error}", file=sys.stderr)
        return 1
    print(f"Data contoh dimuat (impor #{batch}, per {args.per}). Semua angkanya berlabel DATA CONTOH.")
    return 0


def _cmd_wilayah(_args) -> int:
    from bulukumba.regions import RegionsError, load_regions, web_layer_report

    try:
        regions = load_regions()
    except RegionsError as error:
        print(f"Gagal: {error}", file=sys.stderr)
        return 1
    report = web_layer_report(regions)
    print(f"{len(regions.villages)} desa/kelurahan, {len(regions.kecamatan)} kecamatan; "
          f"lapisan peta {report['bytes']:,} byte, galat luas terbesar {report['worst_area_error']:.2%}")
    return 0


def _cmd_sandi(args) -> int:
    """Print a bcrypt hash and the secrets.toml entry to paste; the password is never stored."""
    import getpass

    from bulukumba.server import auth

    if args.dari_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Kata sandi baru: ")
        if getpass.getpass("Ulangi kata sandi: ") != password:
            print("Gagal: kedua kata sandi tidak sama.", file=sys.stderr)
            return 1
    if args.peran == "mitra" and not (args.mitra or "").strip():
        print("Gagal: peran mitra perlu --mitra (kode atau nama mitra, mis. PPDI).", file=sys.stderr)
        return 1
    try:
        hashed = auth.hash_password(password)
    except ValueError as error:
        print(f"Gagal: {error}", file=sys.stderr)
        return 1
    print("Tempel ke .streamlit/secrets.toml (berkas ini tidak masuk repositori):\n")
    print(f"[pengguna.{args.nama}]\nnama = \"{args.nama_lengkap or args.nama}\"\n"
          f"peran = \"{args.peran}\"\n" + (f"mitra = \"{args.mitra}\"\n" if args.peran == "mitra" else "")
          + f"hash_sandi = \"{hashed}\"")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bulukumba", description="Dasbor e-KTP Bulukumba")
    sub = parser.add_subparsers(dest="perintah", required=True)

    p = sub.add_parser("impor", help="impor berkas CSV/XLSX (registri, kegiatan mitra, target)")
    p.add_argument("file")
    p.add_argument("--jenis", choices=("registri", "kegiatan", "target"), default=None,
                   help="jenis berkas; tanpa ini dikenali dari judul kolom")
    p.add_argument("--oleh", default=None, help="nama operator untuk catatan impor")
    p.add_argument("--periksa", action="store_true", help="hanya periksa, jangan simpan")
    p.add_argument("--kolom", action="append", default=[], metavar="\"JUDUL=kolom\"",
                   help="arti kolom yang judulnya tidak dikenali, mis. --kolom \"Nama Desa/Kel=nama_desa\" "
                        "atau --kolom \"Keterangan=abaikan\" (boleh berulang; diingat setelah impor berhasil)")
    p.add_argument("--abaikan-kolom-lain", action="store_true",
                   help="abaikan kolom lain yang judulnya tidak dikenali (hanya untuk berkas ini)")
    p.set_defaults(run=_cmd_impor)

    p = sub.add_parser("template", help="tulis template kosong untuk impor")
    p.add_argument("jenis", nargs="?", default="semua", choices=("semua", "registri", "kegiatan", "target"))
    p.add_argument("--folder", default=".")
    p.add_argument("--format", choices=("csv", "xlsx"), default="xlsx")
    p.set_defaults(run=_cmd_template)

    p = sub.add_parser("demo", help="isi basis data kosong dengan data contoh")
    p.add_argument("--per", default="2018-06-30", help="tanggal data contoh terakhir (YYYY-MM-DD)")
    p.set_defaults(run=_cmd_demo)

    p = sub.add_parser("sandi", help="buat hash kata sandi untuk akun di .streamlit/secrets.toml")
    p.add_argument("--nama", default="kadis", help="nama pengguna (untuk masuk)")
    p.add_argument("--nama-lengkap", default=None)
    p.add_argument("--peran", choices=("pimpinan", "operator", "mitra"), default="pimpinan")
    p.add_argument("--mitra", help="peran mitra: kode atau nama mitra (mis. PPDI)")
    p.add_argument("--dari-stdin", action="store_true", help="baca kata sandi dari masukan standar")
    p.set_defaults(run=_cmd_sandi)

    p = sub.add_parser("wilayah", help="periksa batas wilayah dan lapisan peta")
    p.set_defaults(run=_cmd_wilayah)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
