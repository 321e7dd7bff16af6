"""What the store holds: regions (names from the store), freshness, import history."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from bulukumba.storage import store
from bulukumba.language import texts
from bulukumba.figures.core import _pinned, fetch, first_row, memoised
from bulukumba.figures.coverage import latest_date

I, KB, KC, D = store.impor, store.kabupaten, store.kecamatan, store.desa


@memoised
def regencies(engine: sa.Engine | None = None) -> pd.DataFrame:
    """Regencies that have villages in the store: kode, nama; by code."""
    with_villages = sa.select(KC.c.kabupaten_kode).where(
        KC.c.kode.in_(sa.select(D.c.kecamatan_kode))).distinct().subquery()
    return fetch(engine, sa.select(KB.c.kode, KB.c.nama)
                 .join(with_villages, with_villages.c.kabupaten_kode == KB.c.kode).order_by(KB.c.kode))


@memoised
def kecamatan_names(engine: sa.Engine | None = None, kabupaten: str | None = None) -> dict[str, str]:
    """kode -> nama of the kecamatan that have villages (of one regency, or all), by code."""
    query = sa.select(KC.c.kode, KC.c.nama).where(KC.c.kode.in_(sa.select(D.c.kecamatan_kode))).order_by(KC.c.kode)
    if kabupaten is not None:
        query = query.where(KC.c.kabupaten_kode == kabupaten)
    frame = fetch(engine, query)
    return dict(zip(frame["kode"], frame["nama"]))


@memoised
def region_label(kecamatan: str | None = None, kabupaten: str | None = None,
                 engine: sa.Engine | None = None) -> str:
    """'Kecamatan Kajang', 'Kabupaten Bulukumba', or for a store of several regencies and no
    choice, 'Semua wilayah (N kabupaten/kota)'. Names from the store."""
    if kecamatan is not None:
        row = first_row(engine, sa.select(KC.c.nama).where(KC.c.kode == kecamatan))
        return f"Kecamatan {row[0] if row else kecamatan}"
    found = regencies(engine)
    if kabupaten is None and len(found) == 1:
        kabupaten = found["kode"].iloc[0]
    if kabupaten is not None:
        names = dict(zip(found["kode"], found["nama"]))
        return texts.regency_title(names.get(kabupaten, kabupaten))
    return f"Semua wilayah ({len(found)} kabupaten/kota)" if len(found) else "Semua wilayah"


@dataclass(frozen=True)
class Freshness:
    versi: int
    data_per: dt.date | None           # newest registry snapshot
    diperbarui: dt.datetime | None     # when the last active batch was written (UTC)
    contoh: bool                       # any demo batch is active: label the figures
    hanya_contoh: bool                 # all active figures are demo


@memoised
def freshness(engine: sa.Engine | None = None) -> Freshness:
    demo = sa.case((I.c.contoh, 1), else_=0)
    with engine.connect() as conn:
        version = _pinned(engine)  # the version this answer is remembered for
        version = store.data_version(conn) if version is None else version
        updated, any_demo, all_demo, batches = conn.execute(
            sa.select(sa.func.max(I.c.waktu), sa.func.max(demo), sa.func.min(demo), sa.func.count())
            .where(I.c.status == "aktif")).one()
    if isinstance(updated, str):  # SQLite gives a text for an aggregate of DATETIME
        updated = dt.datetime.fromisoformat(updated)
    return Freshness(versi=version, data_per=latest_date(engine), diperbarui=updated,
                     contoh=bool(any_demo) if batches else False,
                     hanya_contoh=bool(batches) and bool(all_demo))


@memoised
def import_history(engine: sa.Engine | None = None, limit: int | None = None) -> pd.DataFrame:
    """Every batch, newest first: id, nama_file, jenis, jumlah_baris, waktu, oleh, status, contoh."""
    query = sa.select(I.c.id, I.c.nama_file, I.c.jenis, I.c.jumlah_baris, I.c.waktu, I.c.oleh, I.c.status,
                      I.c.contoh).order_by(I.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    frame = fetch(engine, query)
    frame["contoh"] = frame["contoh"].astype(bool)
    return frame
