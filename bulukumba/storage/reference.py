"""Reference data the store needs before any figures: partners and regions.

Partners are the eight organisations the 2018 report names (DOMAIN.md); once in the store, every
page reads their names from there. Villages and kecamatan come from the official boundaries
(bulukumba/regions): they are copied into the store so that figures keep working when the map source
is unavailable later.
"""
from __future__ import annotations

import sqlalchemy as sa

from bulukumba.storage import store

#: (kode, nama, deskripsi) in the report's order.
PARTNERS: tuple[tuple[str, str, str], ...] = (
    ("pkk", "Tim Penggerak PKK", "Akta kematian melalui kelompok dasa wisma."),
    ("lakpesdam_nu", "Lakpesdam NU", "Perekaman di tujuh desa terpencil di Kajang dan Kindang."),
    ("dai_muda", "Dai Muda", "Akta kematian melalui malam takziah."),
    ("pmi", "PMI (Palang Merah Indonesia)", "Mitra perekaman e-KTP."),
    ("himpaudi", "Himpaudi", "Mitra perekaman e-KTP (himpunan pendidik anak usia dini)."),
    ("bkprmi", "BKPRMI", "Mitra perekaman e-KTP (remaja masjid)."),
    ("dinkes", "Dinas Kesehatan", "Mitra perekaman e-KTP."),
    ("ppdi", "PPDI Bulukumba", "Bersama Disdukcapil menjemput warga rentan dan penyandang disabilitas."),
)


def ensure_partners(conn: sa.Connection) -> None:
    """Insert the eight partners if they are missing (idempotent)."""
    present = set(conn.execute(sa.select(store.mitra.c.kode)).scalars())
    rows = [
        {"kode": kode, "nama": nama, "deskripsi": deskripsi, "urutan": i}
        for i, (kode, nama, deskripsi) in enumerate(PARTNERS, start=1)
        if kode not in present
    ]
    if rows:
        conn.execute(store.mitra.insert(), rows)
        store.bump_version(conn)


def sync_regency(conn: sa.Connection, regions) -> None:
    """The regency of `regions` (code and name from the boundary source) in the store."""
    code, name = regions.kabupaten_kode, regions.kabupaten_nama
    found = conn.execute(sa.select(store.kabupaten.c.nama).where(store.kabupaten.c.kode == code)).first()
    if found is None:
        conn.execute(store.kabupaten.insert().values(kode=code, nama=name))
    elif found[0] != name:
        conn.execute(store.kabupaten.update().where(store.kabupaten.c.kode == code).values(nama=name))
    else:
        return
    store.bump_version(conn)


def sync_regions(conn: sa.Connection, regions) -> int:
    """Copy the regency, kecamatan and village reference from `regions` into the store.

    Adds what is missing and updates names; never deletes (figures may point at a code).
    Returns the number of villages added.
    """
    from bulukumba.regions import villages_frame

    sync_regency(conn, regions)
    villages = villages_frame(regions)
    kec = regions.kecamatan[["kode", "nama"]]
    known_kec = set(conn.execute(sa.select(store.kecamatan.c.kode)).scalars())
    regency = regions.kabupaten_kode
    for row in kec.itertuples(index=False):
        if row.kode in known_kec:
            conn.execute(store.kecamatan.update().where(store.kecamatan.c.kode == row.kode)
                         .values(nama=row.nama, kabupaten_kode=regency))
        else:
            conn.execute(store.kecamatan.insert().values(kode=row.kode, nama=row.nama, kabupaten_kode=regency))
    known = set(conn.execute(sa.select(store.desa.c.kode)).scalars())
    columns = ["kode", "nama", "jenis", "kecamatan_kode", "lat", "lng", "luas_km2"]
    records = [
        {c: (float(v) if c in ("lat", "lng", "luas_km2") else v) for c, v in zip(columns, values)}
        for values in villages[columns].itertuples(index=False)
    ]
    new = [r for r in records if r["kode"] not in known]
    if new:
        conn.execute(store.desa.insert(), new)
    for r in records:
        if r["kode"] in known:
            conn.execute(store.desa.update().where(store.desa.c.kode == r["kode"]).values(**r))
    store.bump_version(conn)
    return len(new)


def ensure_reference(engine: sa.Engine, regions=None) -> None:
    """Partners always; regions when the store has none yet (loading them if not given).

    Raises regions.RegionsError when the store has no villages and the boundaries cannot be read.
    """
    with engine.begin() as conn:
        ensure_partners(conn)
        if store.has_regions(conn) and regions is None:
            return
    if regions is None:
        from bulukumba.regions import load_regions

        regions = load_regions()
    with engine.begin() as conn:
        sync_regions(conn, regions)
