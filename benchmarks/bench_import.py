"""Import speed and memory through the command line, on files an office (or an attacker) sends.

Generates registry exports the way district offices keep them (BOM, `;`, dot thousands,
dd/mm/yyyy, a running number "NO", the village name under "NAMA DESA/KEL", a derived
"BELUM REKAM") for the real 136 villages, and files whose every row is wrong, then runs
`python -m bulukumba impor FILE` on each in a fresh process on a fresh copy of a store that
holds the regions only. Prints, per file: size, rows, exit code, wall time, CPU time (user +
system: on a shared machine wall time says more about the neighbours), peak memory of the import
process (ru_maxrss and times from os.wait4, so each figure is that one process's own), how much
the command printed, and how many progress lines it wrote to stderr. No asserts: figures to
read, not a test.

    python benchmarks/bench_import.py [--cases valid-10mb,wrong-100mb,...] [--project DIR]
                                      [--files DIR] [--timeout SECONDS]

`--project` runs the command line of another checkout (e.g. the code before a change) on the
same files. Cases: valid-10mb, wrong-10mb, valid-100mb, wrong-100mb, rows-1m (1,000,000 valid
rows, the short four-column export), bomb-xlsx (2 MB zip holding a sheet of 40 million cells;
the import process runs under a 3 GB address-space limit so that old code cannot take the
machine down), columns-20k (a header of 20,000 columns).

All-wrong files are checked to the end: the row limit is raised for them
(BULUKUMBA_IMPOR_MAKS_BARIS) so that the figure is the cost of reading every row, not of
stopping at the limit.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WILAYAH = os.environ.get("BULUKUMBA_WILAYAH") or str(ROOT.parent / "shared" / "wilayah")

CASES = ("valid-10mb", "wrong-10mb", "valid-100mb", "wrong-100mb", "rows-1m", "bomb-xlsx",
         "columns-20k")
MB = 1_000_000


def angka(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# ---------------------------------------------------------------------------------------------
# The store the imports go into: regions only, prepared once and copied for every run
# ---------------------------------------------------------------------------------------------

def prepare_store(folder: Path) -> tuple[Path, list[tuple[str, str, str]]]:
    """A SQLite store holding the 136 villages; returns its path and (kode, nama, kecamatan)."""
    import sqlalchemy as sa

    from bulukumba.storage import reference, store

    path = folder / "bulukumba.sqlite"
    engine = store.make_engine(f"sqlite:///{path}")
    reference.ensure_reference(engine)
    with engine.connect() as conn:
        villages = conn.execute(
            sa.select(store.desa.c.kode, store.desa.c.nama, store.kecamatan.c.nama)
            .join(store.kecamatan, store.desa.c.kecamatan_kode == store.kecamatan.c.kode)
            .order_by(store.desa.c.kode)).all()
    engine.dispose()
    return path, [tuple(v) for v in villages]


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------

def valid_rows(villages, limit_rows: int | None = None, limit_bytes: int | None = None,
               short: bool = False):
    """Daily snapshots from 1 January 2000, every village each day; stops at a size or count."""
    first = dt.date(2000, 1, 1)
    n = written = 0
    day = 0
    while True:
        date = (first + dt.timedelta(days=day)).strftime("%d/%m/%Y")
        for i, (kode, nama, kec) in enumerate(villages):
            wajib = 1500 + 37 * i + day // 7
            rekam = min(wajib, 900 + 31 * i + day // 5)
            n += 1
            if short:
                line = f"{kode};{date};{angka(wajib)};{angka(rekam)}\r\n"
            else:
                wl, rl = wajib // 2, rekam // 2
                line = (f"{n};{kode};{nama};{kec};{date};{angka(wajib)};{angka(rekam)};"
                        f"{angka(wl)};{angka(wajib - wl)};{angka(rl)};{angka(rekam - rl)};"
                        f"{angka(wajib - rekam)}\r\n")
            written += len(line)
            yield line
            if (limit_rows and n >= limit_rows) or (limit_bytes and written >= limit_bytes):
                return
        day += 1


def wrong_rows(limit_bytes: int):
    """Every row wrong four ways: unknown village, impossible date, decimal, negative."""
    n = written = 0
    while written < limit_bytes:
        n += 1
        line = f"{n};73.02.99.9999;31/02/2018;12,5;-3\r\n"
        written += len(line)
        yield line


def write_csv(path: Path, header: str, rows) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write(header + "\r\n")
        chunk = []
        for line in rows:
            chunk.append(line)
            count += 1
            if len(chunk) == 50_000:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
    return count


FULL_HEADER = ("NO;KODE WILAYAH;NAMA DESA/KEL;KECAMATAN;TANGGAL;WAJIB KTP;SUDAH REKAM;WAJIB L;"
               "WAJIB P;REKAM L;REKAM P;BELUM REKAM")


def zip_bomb(path: Path, cells: int = 40_000_000) -> int:
    """A valid-looking XLSX whose one sheet declares `cells` numeric cells (about 2 MB zipped)."""
    columns = 100
    rows = cells // columns
    cell = "<c t=\"n\"><v>1</v></c>"
    row = "<row>" + cell * columns + "</row>"
    content_types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                     'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
                     'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/><Override '
                     'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
                     'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.spreadsheetml.worksheet+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>')
    workbook = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
                'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats'
                '.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" '
                'r:id="rId1"/></sheets></workbook>')
    workbook_rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                     'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                     'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                     'worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                        b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            block = (row * 1000).encode()
            for _ in range(rows // 1000):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return rows


def make_file(case: str, folder: Path, villages) -> tuple[Path, int]:
    """The file for `case` (generated once per files folder) and its data rows."""
    names = {"valid-10mb": "registri-10mb.csv", "wrong-10mb": "salah-10mb.csv",
             "valid-100mb": "registri-100mb.csv", "wrong-100mb": "salah-100mb.csv",
             "rows-1m": "registri-1juta.csv", "bomb-xlsx": "bom.xlsx",
             "columns-20k": "kolom-20rb.csv"}
    path = folder / names[case]
    count_file = path.with_suffix(path.suffix + ".baris")
    if path.exists() and count_file.exists():
        return path, int(count_file.read_text())
    if case.startswith("valid-"):
        size = 10 * MB if case == "valid-10mb" else 100 * MB
        rows = write_csv(path, FULL_HEADER, valid_rows(villages, limit_bytes=size))
    elif case.startswith("wrong-"):
        size = 10 * MB if case == "wrong-10mb" else 100 * MB
        rows = write_csv(path, "NO;KODE WILAYAH;TANGGAL;WAJIB KTP;SUDAH REKAM", wrong_rows(size))
    elif case == "rows-1m":
        rows = write_csv(path, "Kode Desa;Tanggal;Wajib KTP;Sudah Rekam",
                         valid_rows(villages, limit_rows=1_000_000, short=True))
    elif case == "bomb-xlsx":
        rows = zip_bomb(path)
    else:
        header = ";".join(["Kode Desa", "Tanggal", "Wajib KTP", "Sudah Rekam"]
                          + [f"Kolom {j}" for j in range(20_000 - 4)])
        kode = villages[0][0]
        rows = write_csv(path, header, [f"{kode};19/01/2018;1.000;900" + ";x" * (20_000 - 4) + "\r\n"])
    count_file.write_text(str(rows))
    return path, rows


# ---------------------------------------------------------------------------------------------
# Running the command line
# ---------------------------------------------------------------------------------------------

def run_import(project: Path, store_file: Path, path: Path, case: str, timeout: float) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    shutil.copy(store_file, data_dir / "bulukumba.sqlite")
    env = {**os.environ, "BULUKUMBA_DATA_DIR": str(data_dir), "BULUKUMBA_WILAYAH": WILAYAH,
           "BULUKUMBA_CACHE_DIR": str(data_dir / "cache"), "PYTHONPATH": str(project)}
    env.pop("BULUKUMBA_DB_URL", None)
    if case.startswith("wrong-"):
        env["BULUKUMBA_IMPOR_MAKS_BARIS"] = "100000000"
    limit_memory = case == "bomb-xlsx"

    def limits():
        if limit_memory:
            resource.setrlimit(resource.RLIMIT_AS, (3 * 1024 ** 3, 3 * 1024 ** 3))

    out_path, err_path = data_dir / "keluaran.txt", data_dir / "stderr.txt"
    started = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen([sys.executable, "-m", "bulukumba", "impor", str(path),
                                    "--oleh", "bench"], cwd=project, env=env, stdout=out,
                                   stderr=err, preexec_fn=limits)
        deadline = started + timeout
        status = usage = None
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                _, status, usage = os.wait4(process.pid, 0)
                status = None
                break
            time.sleep(0.05)
    seconds = time.monotonic() - started
    output, errors = out_path.read_bytes(), err_path.read_bytes()
    shutil.rmtree(data_dir, ignore_errors=True)
    if status is None:
        code = "timeout"
    elif os.WIFSIGNALED(status):
        code = f"signal {os.WTERMSIG(status)}"
    else:
        code = str(os.WEXITSTATUS(status))
    return {"code": code, "seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024,
            "out_lines": output.count(b"\n"), "out_bytes": len(output),
            "err_lines": errors.count(b"\n"),
            "first_lines": (output + errors[-300:]).decode("utf-8", "replace").splitlines()[:3]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="valid-10mb,wrong-10mb,valid-100mb,wrong-100mb,rows-1m,"
                                           "bomb-xlsx,columns-20k")
    parser.add_argument("--project", default=str(ROOT), help="checkout whose command line to run")
    parser.add_argument("--files", default=None, help="folder for the generated files (kept)")
    parser.add_argument("--timeout", type=float, default=1200)
    args = parser.parse_args(argv)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = set(cases) - set(CASES)
    if unknown:
        parser.error(f"unknown cases {sorted(unknown)}; choose from {', '.join(CASES)}")
    files = Path(args.files) if args.files else Path(tempfile.mkdtemp(prefix="bench-import-files-"))
    files.mkdir(parents=True, exist_ok=True)
    os.environ["BULUKUMBA_WILAYAH"] = WILAYAH
    os.environ.setdefault("BULUKUMBA_CACHE_DIR", str(files / "cache"))
    store_file, villages = prepare_store(files)
    project = Path(args.project).resolve()
    print(f"project {project}; files in {files}; {len(villages)} villages")
    print(f"{'case':<12} {'size':>9} {'rows':>10} {'exit':>8} {'time':>9} {'CPU':>8} {'peak RSS':>10} "
          f"{'printed (stdout)':>24} {'stderr':>7}")
    for case in cases:
        path, rows = make_file(case, files, villages)
        result = run_import(project, store_file, path, case, args.timeout)
        size = path.stat().st_size / MB
        print(f"{case:<12} {size:>7.1f}MB {rows:>10,} {result['code']:>8} "
              f"{result['seconds']:>8.1f}s {result['cpu']:>7.1f}s {result['peak_mb']:>8.0f}MB "
              f"{result['out_lines']:>9,} lines ({result['out_bytes'] / MB:5.1f} MB) "
              f"{result['err_lines']:>7,}", flush=True)
        for line in result["first_lines"]:
            print(f"    | {line[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
