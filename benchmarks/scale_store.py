"""A synthetic national-size store, generated inside the database in bulk (for bench_scale.py).

Shape (defaults): 514 regencies, 7,200 kecamatan, 83,000 villages (about 1 in 6 a kelurahan);
36 monthly registry snapshots per village (31 January 2016 … 31 December 2018), one import
batch per month, plus a correction batch that re-reports 1% of the villages for the last
month (the later batch wins) and a cancelled batch (its rows must count nowhere); 10 million
partner activity rows spread over the same three years; GERTAK 2018 and partnership-2017
targets for the whole store, per regency and per kecamatan.

Regions are made in Python (a few MB) and written with COPY (PostgreSQL) or executemany
(SQLite). The big tables are written by one INSERT … SELECT each over generated integers
(PostgreSQL's generate_series, SQLite's recursive CTE), so no row crosses into Python. Foreign
keys are not checked during the bulk load (the generator joins only to rows it just wrote), and
the big tables' indexes are built after the load; CHECK constraints and SQLite's date triggers
still run on every row.
"""
from __future__ import annotations

import datetime as dt
import io
import random
import time

import sqlalchemy as sa

from bulukumba.storage import reference, store, summaries

FIRST_MONTH = dt.date(2016, 1, 1)
PARTNERS = [p[0] for p in reference.PARTNERS]
SERVICES = ["rekam_ektp", "rekam_ektp", "rekam_ektp", "akta_kematian", "akta_kelahiran", "kk", "kia"]
DELIVERY = ["jemput_bola", "dasa_wisma", "malam_takziah", "posko_desa", "layanan_kantor", "sekolah"]


def month_end(first: dt.date, months: int) -> dt.date:
    year, month = divmod(first.month - 1 + months + 1, 12)
    return dt.date(first.year + year, month + 1, 1) - dt.timedelta(days=1)


def regions(n_regencies: int, n_kecamatan: int, n_villages: int, seed: int = 11):
    """(kabupaten, kecamatan, desa) rows with real-looking codes: PP.RR, PP.RR.KK, PP.RR.KK.VVVV."""
    rng = random.Random(seed)
    kab, kec, desa = [], [], []
    province, regency = 11, 0
    per_regency = [n_kecamatan // n_regencies + (1 if i < n_kecamatan % n_regencies else 0)
                   for i in range(n_regencies)]
    kec_sizes = [n_villages // n_kecamatan] * n_kecamatan
    for i in rng.sample(range(n_kecamatan), n_villages % n_kecamatan):
        kec_sizes[i] += 1
    k = 0
    for r in range(n_regencies):
        regency += 1
        if regency > 15:  # ~15 regencies per province
            province, regency = province + 1, 1
        kab_code = f"{province:02d}.{regency:02d}"
        lat0, lng0 = rng.uniform(-10, 5), rng.uniform(95, 140)
        kab.append({"kode": kab_code, "nama": f"Kabupaten Uji {r + 1}", "kantor_lat": lat0, "kantor_lng": lng0})
        for kk in range(per_regency[r]):
            kec_code = f"{kab_code}.{kk + 1:02d}"
            kec.append({"kode": kec_code, "nama": f"Kecamatan Uji {k + 1}", "kabupaten_kode": kab_code})
            for v in range(kec_sizes[k]):
                kelurahan = v < kec_sizes[k] // 6
                desa.append({
                    "kode": f"{kec_code}.{1 if kelurahan else 2}{v + 1:03d}",
                    "nama": f"{'Kelurahan' if kelurahan else 'Desa'} Uji {len(desa) + 1}",
                    "jenis": "kelurahan" if kelurahan else "desa", "kecamatan_kode": kec_code,
                    "lat": lat0 + rng.uniform(-0.5, 0.5), "lng": lng0 + rng.uniform(-0.5, 0.5),
                    "luas_km2": rng.uniform(1, 80)})
            k += 1
    return kab, kec, desa


def _copy(conn: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
    else:
        conn.execute(table.insert(), rows)


def _integers(conn: sa.Connection, n: int) -> str:
    """A FROM item with one column `g` holding 1..n."""
    if conn.dialect.name == "postgresql":
        return f"generate_series(1::bigint, {n}) AS s(g)"
    return (f"(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {n}) "
            f"SELECT g FROM s) AS s")


def _run(conn: sa.Connection, sql: str) -> None:
    conn.execute(sa.text(sql))  # through text(): '%' is modulo, not a driver placeholder


def _batch(conn, name: str, jenis: str, rows: int, status: str = "aktif", when: dt.datetime | None = None) -> int:
    batch = store.start_batch(conn, nama_file=name, sha256=name.encode().hex()[:64].ljust(64, "0"),
                              jenis=jenis, jumlah_baris=rows, oleh="bench_scale")
    if status != "aktif":
        store.cancel_batch(conn, batch, "bench_scale")
    return batch


def generate(engine: sa.Engine, n_regencies: int = 514, n_kecamatan: int = 7_200, n_villages: int = 83_000,
             months: int = 36, activity: int = 10_000_000, log=print) -> dict:
    """Fill an empty store; returns the figures of the generated shape and how long each step took."""
    steps = {}
    started = time.perf_counter()
    kab, kec, desa = regions(n_regencies, n_kecamatan, n_villages)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as outer:
        if sqlite:
            outer.exec_driver_sql("PRAGMA foreign_keys = OFF")  # outside a transaction, or it is ignored
            outer.commit()
        try:
            counts = _fill(outer, kab, kec, desa, months, activity, steps, started, log)
        finally:
            if sqlite:
                outer.exec_driver_sql("PRAGMA foreign_keys = ON")
                outer.commit()
    t = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE")
    steps["analyze"] = time.perf_counter() - t
    steps["total"] = time.perf_counter() - started
    log(f"  statistics ({steps['analyze']:.1f} s); generated in {steps['total']:.0f} s")
    return {**counts, "steps": steps}


def _fill(outer: sa.Connection, kab, kec, desa, months, activity, steps, started, log) -> dict:
    big = [store.registri, store.kegiatan]
    with outer.begin():
        conn = outer
        if conn.execute(sa.select(sa.func.count()).select_from(store.desa)).scalar_one():
            raise SystemExit("the store is not empty; give bench_scale.py a fresh one")
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))  # no FK triggers
        whole = "INTEGER" if conn.dialect.name == "sqlite" else "BIGINT"  # SQLite: rowid alias
        for table in big:
            for index in table.indexes:
                index.drop(conn)
        reference.ensure_partners(conn)
        _copy(conn, store.kabupaten, kab)
        _copy(conn, store.kecamatan, kec)
        _copy(conn, store.desa, desa)
        steps["regions"] = time.perf_counter() - started
        log(f"  regions: {len(kab):,} regencies, {len(kec):,} kecamatan, {len(desa):,} villages "
            f"({steps['regions']:.1f} s)")
        # Helper tables: village, month and day numbers to join generated integers to.
        for ddl in (f"CREATE TEMPORARY TABLE b_desa (i {whole} PRIMARY KEY, kode VARCHAR(13))",
                    "CREATE TEMPORARY TABLE b_bulan (m INTEGER PRIMARY KEY, tanggal DATE, impor_id INTEGER)",
                    "CREATE TEMPORARY TABLE b_hari (h INTEGER PRIMARY KEY, tanggal DATE)",
                    "CREATE TEMPORARY TABLE b_mitra (p INTEGER PRIMARY KEY, kode VARCHAR(20))",
                    "CREATE TEMPORARY TABLE b_layanan (l INTEGER PRIMARY KEY, kode VARCHAR(20), cara VARCHAR(20))"):
            conn.exec_driver_sql(ddl)
        conn.execute(sa.text("INSERT INTO b_desa VALUES (:i, :kode)"),
                     [{"i": i, "kode": row["kode"]} for i, row in enumerate(desa)])
        month_batches = []
        for m in range(months):
            day = month_end(FIRST_MONTH, m)
            month_batches.append({"m": m, "tanggal": day,
                                  "impor_id": _batch(conn, f"registri-{day:%Y-%m}.csv", "registri", len(desa))})
        conn.execute(sa.text("INSERT INTO b_bulan VALUES (:m, :tanggal, :impor_id)"), month_batches)
        n_days = (month_end(FIRST_MONTH, months - 1) - FIRST_MONTH).days + 1
        conn.execute(sa.text("INSERT INTO b_hari VALUES (:h, :tanggal)"),
                     [{"h": h, "tanggal": FIRST_MONTH + dt.timedelta(days=h)} for h in range(n_days)])
        conn.execute(sa.text("INSERT INTO b_mitra VALUES (:p, :kode)"),
                     [{"p": p, "kode": kode} for p, kode in enumerate(PARTNERS)])
        conn.execute(sa.text("INSERT INTO b_layanan VALUES (:l, :kode, :cara)"),
                     [{"l": l, "kode": kode, "cara": DELIVERY[l % len(DELIVERY)]} for l, kode in enumerate(SERVICES)])

        t = time.perf_counter()
        # wajib KTP grows a little every month; the gap to full coverage shrinks from ~10% to ~3%.
        _run(conn,
            "INSERT INTO registri (desa_kode, tanggal, wajib_ktp, sudah_rekam, impor_id) "
            "SELECT d.kode, b.tanggal, 800 + (d.i * 7919) % 2400 + b.m * 3, "
            "800 + (d.i * 7919) % 2400 + b.m * 3 "
            "  - ((800 + (d.i * 7919) % 2400) * (40 + (d.i * 104729) % 80) * (48 - b.m)) / 48000, "
            "b.impor_id FROM b_desa d CROSS JOIN b_bulan b")
        last = month_batches[-1]
        fix = _batch(conn, f"koreksi-{last['tanggal']:%Y-%m}.csv", "registri", len(desa) // 100)
        _run(conn,
            "INSERT INTO registri (desa_kode, tanggal, wajib_ktp, sudah_rekam, impor_id) "
            f"SELECT r.desa_kode, r.tanggal, r.wajib_ktp + 10, r.sudah_rekam + 5, {fix} FROM registri r "
            f"JOIN b_desa d ON d.kode = r.desa_kode WHERE r.impor_id = {last['impor_id']} AND d.i % 100 = 7")
        undone = _batch(conn, "salah-unggah.csv", "registri", len(desa) // 50)  # cancelled below
        _run(conn,
            "INSERT INTO registri (desa_kode, tanggal, wajib_ktp, sudah_rekam, impor_id) "
            f"SELECT r.desa_kode, r.tanggal, r.wajib_ktp * 2, 0, {undone} FROM registri r "
            f"JOIN b_desa d ON d.kode = r.desa_kode WHERE r.impor_id = {last['impor_id']} AND d.i % 50 = 3")
        steps["registri"] = time.perf_counter() - t
        log(f"  registry: {len(desa) * months:,} monthly snapshots + corrections ({steps['registri']:.1f} s)")

        t = time.perf_counter()
        k_batch = _batch(conn, "kegiatan-mitra.csv", "kegiatan", activity)
        n_villages_ = len(desa)
        _run(conn,
            "INSERT INTO kegiatan (tanggal, mitra_kode, desa_kode, layanan, jumlah, cara, rentan, impor_id) "
            "SELECT h.tanggal, p.kode, d.kode, l.kode, 1 + (g * 13) % 29, l.cara, "
            "CASE g % 23 WHEN 0 THEN 'disabilitas' WHEN 1 THEN 'lansia' ELSE 'umum' END, "
            f"{k_batch} FROM {_integers(conn, activity)} "
            f"JOIN b_desa d ON d.i = (g * 48271) % {n_villages_} "
            f"JOIN b_hari h ON h.h = (g * 16807) % {n_days} "
            f"JOIN b_mitra p ON p.p = ((g * 31) / 7) % {len(PARTNERS)} "
            f"JOIN b_layanan l ON l.l = ((g * 17) / 3) % {len(SERVICES)}")
        steps["kegiatan"] = time.perf_counter() - t
        log(f"  activity: {activity:,} rows ({steps['kegiatan']:.1f} s)")

        t_batch = _batch(conn, "target.csv", "target", 0)
        targets = []
        for program, start, end in (("gertak_2018", dt.date(2018, 1, 19), dt.date(2018, 12, 31)),
                                    ("kemitraan_2017", dt.date(2017, 5, 1), dt.date(2017, 12, 31))):
            common = {"program": program, "mulai": start, "selesai": end, "impor_id": t_batch}
            for service in store.SERVICES:
                basis = "registri" if service == "rekam_ektp" and program == "gertak_2018" else "kegiatan_mitra"
                targets.append({**common, "layanan": service, "kecamatan_kode": None, "kabupaten_kode": None,
                                "nilai": 2_000_000, "dasar": basis})
            if program == "gertak_2018":
                targets += [{**common, "layanan": "rekam_ektp", "kecamatan_kode": None,
                             "kabupaten_kode": row["kode"], "nilai": 4_000, "dasar": "registri"} for row in kab]
                targets += [{**common, "layanan": "rekam_ektp", "kecamatan_kode": row["kode"],
                             "kabupaten_kode": None, "nilai": 280, "dasar": "registri"} for row in kec]
        conn.execute(store.target.insert(), targets)
        t = time.perf_counter()
        for table in big:
            for index in table.indexes:
                index.create(conn)
        store.cancel_batch(conn, undone, "bench_scale")  # a mistaken upload, undone: counts nowhere
        summaries.mark_all_dirty(conn)  # triggers were off for the load: rebuild on first read
        steps["indexes"] = time.perf_counter() - t
        log(f"  indexes on the big tables ({steps['indexes']:.1f} s)")
    return {"kabupaten": len(kab), "kecamatan": len(kec), "desa": len(desa), "months": months,
            "activity": activity, "targets": len(targets)}


def regency_month_csv(engine: sa.Engine, kabupaten: str, day: dt.date) -> bytes:
    """One regency's registry file for a new month, as an office would upload it."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(store.desa.c.kode).join(store.kecamatan)
                            .where(store.kecamatan.c.kabupaten_kode == kabupaten)
                            .order_by(store.desa.c.kode)).scalars().all()
    out = io.StringIO()
    out.write("Kode Desa;Tanggal;Wajib KTP;Sudah Rekam\n")
    for i, kode in enumerate(rows):
        wajib = 1000 + (i * 37) % 2000
        out.write(f"{kode};{day:%d/%m/%Y};{wajib};{wajib - 20 - i % 50}\n")
    return out.getvalue().encode()


def regency_activity_csv(engine: sa.Engine, kabupaten: str, day: dt.date) -> bytes:
    """One regency's late partner activity for a day (two rows per village, each by a different
    partner), as an office would upload it: it lands inside a programme's period."""
    with engine.connect() as conn:
        villages = conn.execute(sa.select(store.desa.c.kode).join(store.kecamatan)
                                .where(store.kecamatan.c.kabupaten_kode == kabupaten)
                                .order_by(store.desa.c.kode)).scalars().all()
        partners = conn.execute(sa.select(store.mitra.c.kode).order_by(store.mitra.c.urutan)).scalars().all()
    out = io.StringIO()
    out.write("Tanggal;Nama Mitra;Kode Desa;Jenis Layanan;Jumlah;Metode;Kelompok Rentan\n")
    for i, kode in enumerate(villages):
        out.write(f"{day:%d/%m/%Y};{partners[i % len(partners)]};{kode};Perekaman e-KTP;{3 + i % 7};Jemput Bola;\n")
        out.write(f"{day:%d/%m/%Y};{partners[(i + 3) % len(partners)]};{kode};KK;{1 + i % 4};Jemput Bola;Lansia\n")
    return out.getvalue().encode()
