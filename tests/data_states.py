"""The data states a real office meets, built as real SQLite stores through the real importer.

- `contoh`: the demo data (what a fresh install shows);
- `satu_snapshot`: right after the office's first real import: one registry file, one date,
  every village; the demo is retired, so there are no targets and no partner activity yet;
- `dua_snapshot`: two registry dates 3 days apart, GERTAK targets and partner activity;
- `tanpa_kegiatan`: registry history and targets, but no partner activity;
- `tanpa_target`: registry history and partner activity, but no targets;
- `kecamatan_kosong`: everything, except that no village of one kecamatan (Kindang) has been
  reported yet (73.02.08);
- `dibatalkan`: nothing left: the first real import retired the demo and was then undone.

`AUDIENCES` are the states every audience is checked on (issue 24): the demo, one real snapshot,
a registry without partner activity, no targets, and nothing after an undo.

Figures are synthetic and deterministic; every page test compares what a page shows with the
data module asked the same question, so the exact values do not matter, only their shape.
"""
from __future__ import annotations

import datetime as dt

from bulukumba.storage import demo, reference, store
from bulukumba import importer

STATES = ("contoh", "satu_snapshot", "dua_snapshot", "tanpa_kegiatan", "tanpa_target", "kecamatan_kosong")
AUDIENCES = ("contoh", "satu_snapshot", "tanpa_kegiatan", "tanpa_target", "dibatalkan")
KINDANG = "73.02.08"
GERTAK_START, GERTAK_END = dt.date(2018, 1, 19), dt.date(2018, 12, 31)
ONE_DAY = dt.date(2018, 6, 30)
HISTORY = [dt.date(2018, 1, 12)] + [dt.date(2018, 1, 19) + dt.timedelta(days=14 * k) for k in range(12)]
TWO_DAYS = [dt.date(2018, 6, 27), dt.date(2018, 6, 30)]


def _villages(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [(r.kode, r.kecamatan_kode) for r in conn.execute(
            store.desa.select().order_by(store.desa.c.kode))]


def _registry_csv(villages, days: list[dt.date]) -> bytes:
    """Every listed village on every day: wajib KTP fixed, recorded rising a little each day."""
    lines = ["Kode Desa;Tanggal;Wajib KTP;Sudah Rekam"]
    for i, (kode, _kec) in enumerate(villages):
        wajib = 1200 + (i * 137) % 2900
        start = int(wajib * (0.86 + (i * 7 % 11) / 100))
        for day in days:
            gained = min(wajib - start, (day - days[0]).days * (1 + i % 4) // 8)
            lines.append(f"{kode};{day:%d/%m/%Y};{wajib};{start + gained}")
    return ("\n".join(lines) + "\n").encode()


def _activity_csv(villages) -> bytes:
    lines = ["Tanggal;Mitra;Kode Desa;Layanan;Jumlah;Cara;Rentan"]
    partners = ["pmi", "dinkes", "bkprmi", "lakpesdam_nu", "ppdi"]
    for month in range(2, 7):
        for i, (kode, _kec) in enumerate(villages[::9]):
            partner = partners[(i + month) % len(partners)]
            rentan = "disabilitas" if partner == "ppdi" else "umum"
            lines.append(f"{10 + i % 15:02d}/{month:02d}/2018;{partner};{kode};rekam_ektp;"
                         f"{5 + (i * month) % 40};jemput_bola;{rentan}")
        lines.append(f"15/{month:02d}/2018;pkk;{villages[month][0]};akta_kematian;{3 + month};dasa_wisma;umum")
    return ("\n".join(lines) + "\n").encode()


def _target_csv(kecamatan: list[str]) -> bytes:
    lines = ["Program;Layanan;Kecamatan;Nilai;Mulai;Selesai;Dasar",
             f"gertak_2018;rekam_ektp;;9000;{GERTAK_START:%d/%m/%Y};{GERTAK_END:%d/%m/%Y};registri",
             f"gertak_2018;akta_kematian;;300;{GERTAK_START:%d/%m/%Y};{GERTAK_END:%d/%m/%Y};kegiatan_mitra"]
    lines += [f"gertak_2018;rekam_ektp;{kode};{900};{GERTAK_START:%d/%m/%Y};{GERTAK_END:%d/%m/%Y};registri"
              for kode in kecamatan]
    return ("\n".join(lines) + "\n").encode()


def _import(engine, content: bytes, name: str, kind: str) -> None:
    result = importer.import_bytes(content, name, kind, engine, oleh="uji")
    assert result.ok, result.pesan + "\n" + "\n".join(map(str, result.report.errors[:5]))


def build(state: str, path, regions) -> str:
    """Create the store for `state` at `path` (a .sqlite file); returns its URL."""
    url = f"sqlite:///{path}"
    engine = store.engine_for(url)
    reference.ensure_reference(engine, regions)
    if state == "contoh":
        demo.load(engine)
        return url
    villages = _villages(engine)
    kecamatan = sorted({kec for _kode, kec in villages})
    if state == "satu_snapshot":
        demo.load(engine)  # what a fresh install holds before the first import retires it
        _import(engine, _registry_csv(villages, [ONE_DAY]), "siak-2018-06-30.csv", "registri")
        return url
    if state == "dibatalkan":
        demo.load(engine)
        _import(engine, _registry_csv(villages, [ONE_DAY]), "siak-2018-06-30.csv", "registri")
        from bulukumba import figures
        importer.undo_import(int(figures.import_history(engine).iloc[0]["id"]), engine, oleh="uji")
        assert figures.latest_date(engine) is None
        return url
    days = TWO_DAYS if state == "dua_snapshot" else HISTORY
    reported = [v for v in villages if not (state == "kecamatan_kosong" and v[1] == KINDANG)]
    _import(engine, _registry_csv(reported, days), "siak.csv", "registri")
    if state != "tanpa_target":
        _import(engine, _target_csv(kecamatan), "target.csv", "target")
    if state != "tanpa_kegiatan":
        _import(engine, _activity_csv(reported), "kegiatan.csv", "kegiatan")
    return url


_built: dict[str, str] = {}


def store_for(state: str, tmp_path_factory, regions) -> str:
    """The URL of `state`'s store, built once per test session (tests must not write to it)."""
    if state not in _built:
        _built[state] = build(state, tmp_path_factory.mktemp(f"keadaan-{state}") / "store.sqlite", regions)
    return _built[state]
