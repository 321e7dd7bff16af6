"""Disclosure control: small counts hidden, complementary cells chosen so no figure gives them back.

The first tests check the machinery against an independent integer program (scipy's HiGHS) on
many random tables; the rest are the stories a visitor meets, on the published set
(bulukumba.disclosure) and its charts and tables. The full attack on the rendered pages is in
test_disclosure_attack.py.
"""
from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd
import pytest

from bulukumba import figures, disclosure
from bulukumba.presentation import svg, tables
from bulukumba.disclosure import audit
from bulukumba.disclosure import suppress as sp
from bulukumba.disclosure.view import registry_table, vulnerable_table
from conftest import on_postgres
from disclosure_reader import narrowed, reader_model

INF = math.inf


# ---------------------------------------------------------------------------------------------
# The audit is exact: it agrees with an integer program written from the rules directly
# ---------------------------------------------------------------------------------------------

FIRST_DAY, SECOND_DAY = dt.date(2018, 9, 7), dt.date(2018, 9, 14)


def random_registry(rng, villages_per_kec=(3, 5), kecamatan=3) -> sp.Table:
    frame = []
    for k in range(kecamatan):
        for v in range(rng.integers(*villages_per_kec)):
            wajib = int(rng.integers(8, 60))
            belum = int(rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 15, 30]))
            frame.append((f"K{k}.{v}", f"K{k}", wajib, min(belum, wajib)))
    villages = pd.DataFrame(frame, columns=["kode", "kecamatan_kode", "wajib_ktp", "belum_rekam"])
    return registry_table(villages)


def random_vulnerable(rng, grow_from=None) -> sp.Table:
    partners = ["p1", "p2", "p3", "p4"]
    kecamatan = ["K0", "K1", "K2"]
    events = list(getattr(grow_from, "events", [])) + [
        (rng.choice(partners), rng.choice(kecamatan), rng.choice(["disabilitas", "lansia"]), int(rng.integers(1, 4)))
        for _ in range(rng.integers(3, 9) if grow_from is None else rng.integers(0, 3))]
    board = pd.DataFrame({"kode": partners,
                          "rentan": [sum(e[3] for e in events if e[0] == p) for p in partners]})
    other = [a + int(rng.integers(0, 3)) for a in getattr(grow_from, "other", [0] * len(partners))]
    board["jumlah"] = board["rentan"] + other  # services to other residents count since the start too
    by_kec = pd.DataFrame({"kode": kecamatan, **{kind: [sum(e[3] for e in events if e[1] == k and e[2] == kind)
                                                        for k in kecamatan] for kind in ("disabilitas", "lansia")}})
    table = vulnerable_table(board, by_kec)
    table.events, table.other = events, other
    return table


def random_statuses(rng, table: sp.Table, before: sp.Published | None = None) -> sp.Published:
    status = {}
    for cell in table.cells():
        old = before.cell(cell.key) if before else None
        if old is not None and old.value == cell.value and (table.cumulative or old.upper == cell.upper):
            status[cell.key] = before.status[cell.key]
        elif rng.random() < 0.08:
            status[cell.key] = sp.WITHHELD
        elif cell.small:
            status[cell.key] = sp.first_status(cell)
        elif sp.can_hide(cell) and rng.random() < 0.4:
            status[cell.key] = sp.MASKED
        else:
            status[cell.key] = sp.SHOWN
    return sp.Published(table, status)


def changed_registry(rng, table: sp.Table) -> sp.Table:
    """The next date: a random half of the villages send new figures: some recorded, some
    residents turned 17 (wajib KTP up), now and then a correction (recorded down)."""
    rows = []
    for tree in table.outflow:
        for leaf in tree.children:
            value, wajib = leaf.cell.value, int(leaf.cell.upper)
            if rng.random() < 0.5:
                wajib += int(rng.choice([0, 0, 1, 2, 5]))
                value = int(rng.choice([0, 1, 2, 3, 6, 12, value, value + 1]))
                wajib = max(wajib, value)
            rows.append((leaf.cell.key[1], tree.cell.key[1], wajib, value))
    return registry_table(pd.DataFrame(rows, columns=["kode", "kecamatan_kode", "wajib_ktp", "belum_rekam"]))


def next_table(rng, kind: str, table: sp.Table) -> sp.Table:
    return changed_registry(rng, table) if kind == "registri" else random_vulnerable(rng, table)


def dated(published: sp.Published, day: dt.date, urutan: int) -> sp.Published:
    published.tanggal, published.urutan = day, urutan
    return published


@pytest.mark.parametrize("seed", range(12))
def test_the_network_audit_agrees_with_an_integer_program(seed):
    """Every edge of a pair's network moves exactly as far as an integer program over the same
    two publications lets its cell move (network matrices: the linear and the integer answer
    are the same), with every tie: equal, recorded that never falls, partner figures that grow."""
    rng = np.random.default_rng(seed)
    checked = 0
    for kind in ("registri", "rentan"):
        first = random_registry(rng) if kind == "registri" else random_vulnerable(rng)
        before = dated(random_statuses(rng, first), FIRST_DAY, 1)
        now = dated(random_statuses(rng, next_table(rng, kind, first), before), SECOND_DAY, 2)
        for pair, publications in (((before, None), [before]), ((now, before), [before, now])):
            net, edges = audit.build_network(*pair)
            model = reader_model(publications)
            for side, published in ((1, pair[0]), (0, pair[1])):
                if published is None:
                    continue
                index = publications.index(published)
                for cell in published.table.cells():
                    if not cell.small or (side, cell.key) not in edges:
                        continue
                    low, high = model.range_of((index, cell.key))
                    edge = edges[(side, cell.key)]
                    for target in range(0, 7):
                        assert net.can_shift(edge, target - cell.value) == (low <= target <= high), \
                            (kind, side, cell.key, cell.value, target, (low, high))
                    checked += 1
    assert checked > 5


def random_history(rng, kind: str, steps: int) -> list[sp.Published]:
    """`steps` publications of one table, each suppressed against those before it: new dates,
    and now and then the same date again (a correction; a late partner report)."""
    history, table, day = [], random_registry(rng, (2, 6), 4) if kind == "registri" else random_vulnerable(rng), FIRST_DAY
    for step in range(steps):
        if step:
            table = next_table(rng, kind, table)
            if rng.random() < 0.7:
                day += dt.timedelta(days=7)
        published = sp.suppress(table, history, day)
        history.append(dated(published, day, step + 1))
    return history


@pytest.mark.slow
@pytest.mark.skipif(on_postgres(), reason="no store: the SQLite pass runs the same computation")
@pytest.mark.parametrize("seed", range(8))
def test_suppression_leaves_no_small_count_that_an_integer_program_over_every_date_can_narrow(seed):
    """Four publications of each table, each audited against those before it (in pairs): a
    reader with every one of them at once, solving one integer program over all, pins no small
    count closer than its label and public facts allow."""
    rng = np.random.default_rng(100 + seed)
    for kind in ("registri", "rentan"):
        history = random_history(rng, kind, 4)
        for published in history:
            for cell in published.table.cells():
                status = published.status[cell.key]
                if cell.small:
                    assert status != sp.SHOWN
                elif status != sp.SHOWN:
                    lo, hi = sp.interval(cell, status)
                    assert lo <= cell.value <= hi  # a label never lies about its cell
        assert not narrowed(history), (kind, narrowed(history))


# ---------------------------------------------------------------------------------------------
# Stories on the published set
# ---------------------------------------------------------------------------------------------

def frames(villages, board=None, vulnerable=None, day=dt.date(2018, 9, 7)) -> disclosure.Frames:
    """Frames for a handful of villages: (kode, kecamatan kode, wajib, unrecorded)."""
    v = pd.DataFrame(villages, columns=["kode", "kecamatan_kode", "wajib_ktp", "belum_rekam"])
    v["nama"] = "Desa " + v["kode"]
    v["jenis"] = "desa"
    v["kecamatan_nama"] = "Kec " + v["kecamatan_kode"]
    v["sudah_rekam"] = v["wajib_ktp"] - v["belum_rekam"]
    v["cakupan"] = v["sudah_rekam"] / v["wajib_ktp"]
    v["tanggal"] = pd.Timestamp(day)
    v["lat"], v["lng"] = -5.4, 120.2 + np.arange(len(v)) * 0.01
    kec = v.groupby(["kecamatan_kode", "kecamatan_nama"], as_index=False).agg(
        desa=("kode", "size"), wajib_ktp=("wajib_ktp", "sum"), sudah_rekam=("sudah_rekam", "sum"))
    kec = kec.rename(columns={"kecamatan_kode": "kode", "kecamatan_nama": "nama"})
    kec["belum_rekam"] = kec["wajib_ktp"] - kec["sudah_rekam"]
    kec["cakupan"] = kec["sudah_rekam"] / kec["wajib_ktp"]
    if board is None:
        board = pd.DataFrame({"kode": ["a", "b"], "nama": ["Mitra A", "Mitra B"], "jumlah": [50, 80],
                              "desa": [3, 4], "rentan": [0, 0]})
    if vulnerable is None:
        vulnerable = pd.DataFrame({"kode": kec["kode"], "nama": kec["nama"], "disabilitas": 0, "lansia": 0})
    return disclosure.Frames(tanggal=day, desa=v, mitra=board, rentan=vulnerable, kecamatan=kec,
                             mitra_urutan=tuple(board["kode"]), kantor=(-5.4, 120.2))


def test_a_village_with_three_unrecorded_is_under_five_everywhere_and_its_complement_masked():
    view = disclosure.publish(frames([("A", "K1", 1000, 3), ("B", "K1", 2000, 50), ("C", "K1", 3000, 200),
                                      ("D", "K2", 1500, 0), ("E", "K2", 900, 40)]))
    v = view.desa.set_index("kode")
    assert v.loc["A", "teks_belum_rekam"] == "<5" and v.loc["A", "teks_sudah_rekam"] == "disamarkan"
    assert v.loc["A", "teks_cakupan"] == "≥ 99,6%"      # what "<5" and wajib 1.000 already say
    assert pd.isna(v.loc["A", "belum_rekam"]) and pd.isna(v.loc["A", "cakupan"])
    assert v.loc["A", "kelas_peta"] == "disamarkan"
    # The kecamatan total stays exact, so one other village of K1 must be hidden with A: the one
    # with room to hide A's 1..4 (50), not the biggest.
    assert v.loc["B", "teks_belum_rekam"] == "disamarkan" and v.loc["C", "teks_belum_rekam"] == "200"
    assert v.loc["D", "teks_belum_rekam"] == "0"         # zero points at nobody
    assert view.kecamatan.set_index("kode").loc["K1", "teks_belum_rekam"] == "253"
    assert view.disamarkan == {"kecil": 1, "pelengkap": 1}
    table = tables.public_village_table(view.desa).set_index("Kode")
    assert table.loc["A", "Belum rekam"] == "<5" and table.loc["C", "Belum rekam"] == 200


def test_a_kecamatan_almost_done_hides_its_total_and_another_kecamatan_with_it():
    view = disclosure.publish(frames([("A", "K1", 1000, 1), ("B", "K1", 800, 0), ("C", "K1", 900, 2),
                                      ("D", "K2", 1500, 30), ("E", "K2", 900, 40), ("F", "K3", 700, 25)]))
    kec = view.kecamatan.set_index("kode")
    assert kec.loc["K1", "teks_belum_rekam"] == "disamarkan"
    assert (kec["teks_belum_rekam"] == "disamarkan").sum() == 2  # else regency − the others gives K1
    assert view.kabupaten.teks_belum_rekam == "98"               # the regency stays exact
    bars = svg.coverage_bars(view.kecamatan)
    names = re.findall(r"text-anchor='end'>([^<]+)</text>", bars)
    assert names[-2:] == sorted(kec.loc[kec["status"] == "disamarkan", "nama"])  # last, not by value
    assert "belum rekam 3" not in bars


def test_a_partner_that_served_one_elderly_resident_shows_neither_count():
    board = pd.DataFrame({"kode": ["ppdi", "lak", "pmi"], "nama": ["PPDI", "Lakpesdam", "PMI"],
                          "jumlah": [40, 1, 300], "desa": [9, 1, 40], "rentan": [38, 1, 0]})
    vulnerable = pd.DataFrame({"kode": ["K1", "K2"], "nama": ["Kec K1", "Kec K2"],
                               "disabilitas": [20, 18], "lansia": [1, 0]})
    view = disclosure.publish(frames([("A", "K1", 1000, 30), ("B", "K2", 900, 40)], board, vulnerable))
    partners = tables.public_leaderboard_table(view.mitra).set_index("Mitra")
    assert partners.loc["Lakpesdam", "Jumlah layanan"] == "<5"     # "1" would cap its vulnerable at 1
    assert partners.loc["Lakpesdam", "Warga rentan dilayani"] == "<5"
    assert partners.loc["PMI", "Warga rentan dilayani"] == 0
    rows = tables.public_vulnerable_table(view.rentan).set_index("Kecamatan")
    assert rows.loc["Kec K1", "Lanjut usia"] == "<5"
    # The column total of elderly residents would be that same 1: hidden too. PPDI's 38 may stay:
    # with the total hidden, 38 + Lakpesdam's "<5" says nothing about either small count.
    assert rows.loc["Jumlah", "Lanjut usia"] == "disamarkan" and rows.loc["Jumlah", "Penyandang disabilitas"] == 38
    assert partners.loc["PPDI", "Warga rentan dilayani"] == 38
    assert not sp.exposures(view.publikasi.rentan)
    assert list(partners.index) == ["PMI", "PPDI", "Lakpesdam"]     # "<5" services sort after 5+


def test_a_complement_that_did_not_move_stays_hidden_the_next_week():
    week_1 = frames([("A", "K1", 1000, 3), ("B", "K1", 2000, 50), ("C", "K1", 3000, 200), ("D", "K2", 900, 70)])
    assert disclosure.publish(week_1).desa.set_index("kode").loc["B", "teks_belum_rekam"] == "disamarkan"
    # A week later only C and D report; A and B keep their figures. Showing B now would give
    # last week's A back (K1's total minus B and C), so B stays hidden.
    week_2 = frames([("A", "K1", 1000, 3), ("B", "K1", 2000, 50), ("C", "K1", 3000, 190), ("D", "K2", 900, 60)],
                    day=dt.date(2018, 9, 14))
    second = disclosure.publish(week_2, previous=week_1)
    assert second.desa.set_index("kode").loc["B", "teks_belum_rekam"] == "disamarkan"
    assert second.sebelumnya == dt.date(2018, 9, 7)


def test_a_regency_total_under_five_withholds_what_would_give_it_back():
    f = frames([("A", "K1", 1000, 1), ("B", "K1", 800, 0), ("C", "K2", 900, 2), ("D", "K2", 700, 0)])
    view = disclosure.publish(f)
    assert view.kabupaten.teks_belum_rekam == "disamarkan"
    assert view.kabupaten.sudah_rekam is None and view.kabupaten.teks_sudah_rekam == "disamarkan"
    assert view.kabupaten.sudah_rekam_30_hari is None


def test_the_map_hatches_hidden_villages_and_colours_only_published_figures(regions):
    from bulukumba.regions import web_geojson

    layer, outlines = web_geojson(regions, "desa"), web_geojson(regions, "kecamatan")
    codes = [f["id"] for f in layer["features"]]
    rows = [(k, k[:8], 2000, 3 if i == 0 else (7 if i == 1 else 40 + i)) for i, k in enumerate(codes)]
    view = disclosure.publish(frames(rows))
    hidden = set(view.desa.loc[view.desa["status"] != "tampil", "nama"])
    assert len(hidden) >= 2
    for quantity in ("belum_rekam", "cakupan"):
        drawn = svg.village_map(layer, outlines, view.desa, quantity)
        fills = {title.split(" · ")[0]: fill for fill, title in
                 re.findall(r"<path d='[^']*' fill='([^']*)'><title>([^<]*)</title>", drawn)}
        assert len(fills) == len(codes)
        for name, fill in fills.items():
            assert (fill == "url(#disamarkan)") == (name in hidden), (name, fill)
        assert "Disamarkan (angka kecil dan pelengkapnya)" in drawn
    drawn = svg.village_map(layer, outlines, view.desa, "belum_rekam")
    shown = view.desa.loc[view.desa["status"] == "tampil", "belum_rekam"]
    legend = re.findall(r"<text x='(?:0|360)' [^>]*>([^<]*)</text>", drawn)
    assert legend == [str(int(shown.min())), str(int(shown.max()))]  # the ends: shown villages


def test_a_villages_rank_in_its_kecamatan_uses_published_coverage_only():
    view = disclosure.publish(frames([("A", "K1", 1000, 3), ("B", "K1", 2000, 60), ("C", "K1", 3000, 30),
                                      ("D", "K1", 500, 0)]))
    v = view.desa.set_index("kode")
    complement = v.index[v["status"] == "disamarkan"]
    assert len(complement) == 1 and pd.isna(v.loc[complement[0], "peringkat_kecamatan"])
    assert v.loc["D", "peringkat_kecamatan"] == 1              # 100%
    assert v.loc["A", "peringkat_kecamatan"] == 2              # "≥ 99,6%": ranked by the band's floor
    other = ({"B", "C"} - set(complement)).pop()
    assert v.loc[other, "peringkat_kecamatan"] == 3


def test_the_projectors_priority_list_scores_shown_villages_only():
    view = disclosure.publish(frames([("A", "K1", 1000, 3), ("B", "K1", 2000, 500), ("C", "K1", 3000, 10),
                                      ("D", "K2", 900, 80), ("E", "K2", 900, 60)]))
    listed = set(view.prioritas["kode"])
    assert listed == set(view.desa.loc[view.desa["status"] == "tampil", "kode"])
    assert view.prioritas["skor"].max() <= 100


# ---------------------------------------------------------------------------------------------
# Between dates, and per data version
# ---------------------------------------------------------------------------------------------

def test_the_demo_hides_nothing_and_the_set_is_kept_per_data_version(demo_engine):
    view = disclosure.public_view(engine=demo_engine)
    assert view.disamarkan == {"kecil": 0, "pelengkap": 0}
    assert disclosure.public_view(engine=demo_engine) is view
    assert view.kabupaten.belum_rekam == figures.coverage_total(engine=demo_engine).belum_rekam
    assert view.sebelumnya == dt.date(2018, 6, 29)  # the demo's snapshot before 30 June


def test_a_new_import_gives_a_new_published_set(tmp_path, regions):
    from disclosure_scenarios import new_store, scenario, write

    engine = new_store(tmp_path / "s.sqlite", regions)
    built = scenario("impor_sebagian", engine)
    write(engine, built.batches[0], "s-0")
    first = disclosure.public_view(engine=engine)
    write(engine, built.batches[1], "s-1")
    second = disclosure.public_view(engine=engine)
    assert (first.tanggal, second.tanggal, second.sebelumnya) == (built.dates[0], built.dates[1], built.dates[0])
    assert first.sebelumnya is None and first.disamarkan["kecil"] > 0


def test_partner_and_kecamatan_tables_that_disagree_are_protected_apart():
    """If the two vulnerable-resident tables ever count differently, neither is tied to the
    other, and the page still opens."""
    board = pd.DataFrame({"kode": ["ppdi", "lak"], "nama": ["PPDI", "Lakpesdam"], "jumlah": [40, 9],
                          "desa": [9, 1], "rentan": [38, 2]})
    vulnerable = pd.DataFrame({"kode": ["K1", "K2"], "nama": ["Kec K1", "Kec K2"],
                               "disabilitas": [20, 21], "lansia": [3, 0]})   # 44, not 40
    view = disclosure.publish(frames([("A", "K1", 1000, 30), ("B", "K2", 900, 40)], board, vulnerable))
    partners = tables.public_leaderboard_table(view.mitra).set_index("Mitra")
    assert partners.loc["Lakpesdam", "Warga rentan dilayani"] == "<5"
    # Untied, the partners' total is published nowhere, so Lakpesdam's "<5" needs no complement.
    assert partners.loc["PPDI", "Warga rentan dilayani"] == 38
    assert not sp.exposures(view.publikasi.rentan)
    assert view.disamarkan["kecil"] == 3  # Lakpesdam, K1's elderly, the elderly column total


def test_counts_beside_labels_are_written_the_indonesian_way():
    from bulukumba import web

    view = disclosure.publish(frames([("A", "K1", 10000, 3), ("B", "K1", 20000, 1500), ("C", "K1", 3000, 200)]))
    drawn = web.big_table_html(tables.public_village_table(view.desa), css_class="ringan")
    assert "18.500" in drawn and "18500" not in drawn          # B's recorded, beside "disamarkan"
    assert "&lt;5" in drawn


# ---------------------------------------------------------------------------------------------
# What rounding says
# ---------------------------------------------------------------------------------------------

def test_coverage_never_reads_100_percent_while_anyone_is_unrecorded():
    """A regency of 325.880 wajib KTP with 20 unrecorded is 99,994% recorded: "99,9%", never
    "100,0%" (which says nobody is left), on the page, in the tables and in the downloads."""
    from bulukumba.language import fmt

    view = disclosure.publish(frames([("A", "K1", 325_860, 20), ("B", "K2", 20, 0)]))
    assert view.kabupaten.belum_rekam == 20 and view.kabupaten.teks_cakupan == "99,9%"
    village = view.desa.set_index("kode").loc["A"]
    assert village["teks_cakupan"] == "99,9%"
    shares = pd.Series([1 - 20 / 325_880, 1.0, 0.0, 4 / 325_880])
    assert fmt.percent_value(shares, 1).tolist() == [99.9, 100.0, 0.0, 0.1]   # tables and downloads
    assert [fmt.percent(s) for s in shares] == ["99,9%", "100,0%", "0,0%", "0,1%"]
    assert fmt.percent(0.9996, 0) == "99%" and fmt.percent(0.9213) == "92,1%"
    kecamatan = tables.kecamatan_table(data_frame_of(view.kecamatan))
    assert kecamatan.set_index("Kode").loc["K1", "Cakupan (%)"] == 99.9


def data_frame_of(kecamatan: pd.DataFrame) -> pd.DataFrame:
    """The published kecamatan frame as the data module's (for the internal table)."""
    return kecamatan[["kode", "nama", "desa", "wajib_ktp", "sudah_rekam", "belum_rekam", "cakupan"]]


def test_the_band_of_a_small_count_is_computed_in_whole_numbers():
    """"<5" on a village of wajib KTP w means at least (w − 4) / w recorded, rounded down to a
    tenth of a percent: for w = 5 that is 20,0% (floating point made it 19,9%)."""
    from fractions import Fraction

    from bulukumba.language import fmt

    assert disclosure.share_band(5) == "≥ 20,0%" and disclosure.share_band(1000) == "≥ 99,6%"
    for wajib in range(5, 20_000, 7):
        floor = Fraction((wajib - 4) * 1000 // wajib, 1000)
        assert floor <= Fraction(wajib - 4, wajib) < floor + Fraction(1, 1000)
        assert disclosure.share_band(wajib) == "≥ " + fmt.percent(float(floor)), wajib
