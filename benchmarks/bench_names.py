"""Names by the millisecond: the time one name costs in each place a name is matched.

The four readers of a name (a column header, a village or kecamatan in an import file, a
partner's name, the public page's "find my village") on the real 136 villages of a store that
holds the regions only, each with short names as people write them (exact, a slip, nonsense)
and with one 50,000-character name. Prints the mean time per call in milliseconds. No asserts:
figures to read, not a test.

    python benchmarks/bench_names.py [--project DIR] [--repeat N]

`--project` times another checkout (e.g. the code before a change: `git archive <commit> | tar -x
-C DIR`); only public calls that both versions have are timed (headers.recognise,
Places.find_village / find_kecamatan / partner, language.search.find).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SHORT_HEADERS = ("Jml Wajib KTP", "KELURHAN", "JMLWAJIBKTP", "Perekaman s.d. Bulan Ini (%)", "Apa Ini")
SHORT_VILLAGES = ("tanah towa", "Tanah Toa", "Kel. Tanah Kongkon", "Tana Lowa Baru", "Zzyzx")
SHORT_QUERIES = ("tanah towa", "Tanah Toa", "desa tanah towo", "Lembanna Kajang", "qwertyuiop")
SHORT_PARTNERS = ("PPDI", "PPDI Bulukumba", "Tim Penggerak PKK", "Organisasi Lain")
LONG = ("Tanah Towa " * 5000)[:50_000]
LONG_HEADER = "WAJIBKTP" * 6250  # one glued word of 50,000 letters


def per_call(function, arguments, repeat: int, prepare=lambda: None) -> float:
    """Mean milliseconds of one call, each argument `repeat` times; `prepare` (untimed) gives
    each call a fresh state, so no call is answered from an earlier one's memory."""
    states = [prepare() for _ in range(repeat * len(arguments))]
    calls = iter(states)
    start = time.perf_counter()
    for _ in range(repeat):
        for argument in arguments:
            function(next(calls), argument)
    return (time.perf_counter() - start) * 1000 / (repeat * len(arguments))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default=str(ROOT), help="checkout whose code is timed")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.project).resolve()))
    os.environ.setdefault("BULUKUMBA_WILAYAH", str(ROOT.parent / "shared" / "wilayah"))

    import pandas as pd
    import sqlalchemy as sa

    from bulukumba.importer import headers
    from bulukumba.importer.places import Places
    from bulukumba.language import search
    from bulukumba.storage import reference, store

    with tempfile.TemporaryDirectory() as folder:
        engine = store.make_engine(f"sqlite:///{folder}/bulukumba.sqlite")
        reference.ensure_reference(engine)
        with engine.connect() as conn:
            places = Places.load(conn)
            villages = pd.DataFrame(conn.execute(
                sa.select(store.desa.c.kode, store.desa.c.nama, store.kecamatan.c.nama.label("kecamatan_nama"))
                .join(store.kecamatan, store.desa.c.kecamatan_kode == store.kecamatan.c.kode)).all())
        engine.dispose()
    kajang = next(kode for kode, nama in places.kecamatan.items() if nama == "Kajang")

    def fresh_places() -> Places:  # Places remembers each spelling: time the first look-up
        return Places(places.desa, places.kecamatan, places.mitra, places.missing_mitra, places.kabupaten)

    def fresh_headers() -> None:  # the header vocabulary remembers words and headers
        for memo in (headers.concepts, getattr(headers, "_known", None)):
            if hasattr(memo, "cache_clear"):
                memo.cache_clear()

    print(f"code: {Path(args.project).resolve()}  ({len(places.desa)} villages, "
          f"{args.repeat} rounds; ms per call)")
    print(f"{'reader':34} {'short names':>12} {'50,000 characters':>18}")
    for label, function, short, long, prepare in (
            ("column header (recognise)", lambda _, h: headers.recognise(h, "registri"), SHORT_HEADERS,
             LONG_HEADER, fresh_headers),
            ("village in Kajang (find_village)", lambda p, n: p.find_village(n, kajang), SHORT_VILLAGES,
             LONG, fresh_places),
            ("kecamatan (find_kecamatan)", lambda p, n: p.find_kecamatan(n), ("Kajang", "Kec. Kajan", "Zzyzx"),
             LONG, fresh_places),
            ("partner (Places.partner)", lambda p, n: p.partner(n), SHORT_PARTNERS, LONG, fresh_places),
            ("find my village (search.find)", lambda _, q: search.find(villages, q), SHORT_QUERIES, LONG,
             lambda: None)):
        quick = per_call(function, short, args.repeat, prepare)
        slow = per_call(function, [long], max(1, min(args.repeat, 5)), prepare)
        print(f"{label:34} {quick:12.3f} {slow:18.3f}")


if __name__ == "__main__":
    main()
