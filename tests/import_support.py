"""What the import tests share: a small real store (three kecamatan, a few villages with their
official codes, the eight partners) in a real SQLite file, and files as operators make them.

Nothing here depends on the boundary files, so the import tests run fast and alone.
"""
from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa

from bulukumba.storage import reference, store

TANAH_TOWA = "73.02.06.2006"
LEMBANNA = "73.02.06.2004"
KINDANG = "73.02.08.2003"
KAHAYYA = "73.02.08.2011"
TANAH_KONGKONG = "73.02.02.1001"

KECAMATAN = [("73.02.02", "Ujung Bulu"), ("73.02.06", "Kajang"), ("73.02.08", "Kindang")]
VILLAGES = [
    (TANAH_KONGKONG, "Tanah Kongkong", "kelurahan", "73.02.02"),
    ("73.02.02.1002", "Bentengnge", "kelurahan", "73.02.02"),
    ("73.02.06.1002", "Laikang", "kelurahan", "73.02.06"),
    (LEMBANNA, "Lembanna", "desa", "73.02.06"),
    (TANAH_TOWA, "Tanah Towa", "desa", "73.02.06"),
    (KINDANG, "Kindang", "desa", "73.02.08"),
    (KAHAYYA, "Kahayya", "desa", "73.02.08"),
]


def make_store(path, extra_villages=()) -> sa.Engine:
    """The small synthetic store in a SQLite file at `path` (the `db` fixture in conftest.py)."""
    engine = store.make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(store.kecamatan.insert(), [{"kode": k, "nama": n} for k, n in KECAMATAN])
        conn.execute(store.desa.insert(), [
            {"kode": k, "nama": n, "jenis": j, "kecamatan_kode": kc, "lat": -5.4, "lng": 120.3,
             "luas_km2": 10.0} for k, n, j, kc in (*VILLAGES, *extra_villages)])
        reference.ensure_partners(conn)
    return engine


# --- helpers ---------------------------------------------------------------------------------

def csv_bytes(*lines: str, bom: bool = True, encoding: str = "utf-8") -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def xlsx_bytes(*rows, sheet_title: str = "Data") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TABLES = (store.impor, store.registri, store.kegiatan, store.target, store.desa, store.mitra,
          store.pemetaan_kolom)


def snapshot_of(engine) -> dict:
    """Row count of every table, and the data version."""
    with engine.connect() as conn:
        counts = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                  for t in TABLES}
        counts["versi"] = store.data_version(conn)
    return counts


def error_at(result, baris, kolom) -> str:
    """The message reported for that row and column (fails when there is none)."""
    found = [e.pesan for e in result.errors if e.baris == baris and e.kolom == kolom]
    assert found, f"no error at row {baris}, column {kolom!r}: {result.errors}"
    return found[0]


REGISTRI_CSV = csv_bytes(
    "Kode Desa;Tanggal;WKTP;Rekam",
    f"{TANAH_TOWA};19/01/2018;3.112;2.480",
    f"{KINDANG};19/01/2018;2.400;2.150",
    f"{TANAH_KONGKONG};19/01/2018;4.873;4.702",
)
