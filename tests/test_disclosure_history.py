"""One published history: what was published is kept, each publication is audited against all
of it, and every trend comes from what was published for the dates it uses.

Stores are the disclosure scenarios (disclosure_scenarios.py) written as imports write them; the
reader that checks the kept publications is an integer program over all of them at once
(disclosure_reader.py), independent of the network audit.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pandas as pd
import pytest
import sqlalchemy as sa

from bulukumba import disclosure
from bulukumba.storage import reference, store
from bulukumba.presentation import svg
from bulukumba.disclosure import history
from bulukumba.disclosure import suppress as sp
from bulukumba.disclosure.view import registry_table
from conftest import PROJECT, new_store_url
from disclosure_reader import narrowed
from disclosure_scenarios import scenario, write


def built_store(name: str, tmp_path, regions, steps: int | None = None):
    url = new_store_url(tmp_path, name)
    engine = store.make_engine(url)
    reference.ensure_reference(engine, regions)
    built = scenario(name, engine)
    views = []
    for i, batches in enumerate(built.batches[:steps]):
        write(engine, batches, f"{name}-{i}")
        views.append(disclosure.public_view(engine=engine))
    return url, engine, built, views


def kept(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(store.terbitan.c.tabel, store.terbitan.c.tanggal)
                                              .order_by(store.terbitan.c.id)).all()]


def test_a_late_partner_batch_publishes_the_date_again_audited_against_the_first(tmp_path, regions):
    """A partner reports work done before a date already published: the date's partner table is
    published again (its registry table, unchanged, is not), and a reader holding both versions
    and the next date, all at once, pins no small count."""
    url, engine, built, views = built_store("mitra_susulan", tmp_path, regions)
    first, late = built.dates[0], built.dates[2]
    assert kept(engine) == [("registri", first), ("rentan", first), ("rentan", first),
                            ("registri", late), ("rentan", late)]
    publications = history.load(engine, "73.02")
    assert len(publications.tables["rentan"]) == 3
    assert not narrowed(publications.tables["rentan"])
    assert not narrowed(publications.tables["registri"])
    assert views[0].publikasi.rentan.status != views[1].publikasi.rentan.status  # it did change
    engine.dispose()


def test_every_trend_comes_from_what_was_published_for_its_dates(tmp_path, regions):
    """The regency was at 3 unrecorded on the first date ("disamarkan"): no change, achievement,
    pace or chart point is drawn against that date; from the second, whose total was published,
    they are."""
    url, engine, built, views = built_store("kabupaten_tuntas", tmp_path, regions)
    first, second, third = built.dates
    assert views[0].kabupaten.teks_belum_rekam == "disamarkan"
    assert list(views[2].riwayat["tanggal"].dt.date) == [second, third]
    assert not views[1].kabupaten.perubahan_30.ada  # its only earlier date was hidden
    change = views[2].kabupaten.perubahan_30
    assert (change.dari, change.sampai) == (second, third)
    published = views[2].riwayat.set_index("tanggal")["sudah_rekam"]
    assert change.sudah_rekam == published[pd.Timestamp(third)] - published[pd.Timestamp(second)]
    strip = views[2].vonis
    assert strip.capaian_sejak == second and strip.laju_dari == second
    assert strip.capaian == published[pd.Timestamp(third)] - published[pd.Timestamp(second)]
    points = set(views[2].gertak_progres["tanggal"].dt.date)
    assert first not in points and {second, third} <= points
    drawn = svg.progress(views[2].gertak_progres, views[2].gertak.target, views[2].gertak.mulai,
                         views[2].gertak.selesai)
    line = re.search(r"<polyline points='([^']*)'", drawn).group(1).split()
    assert len(line) == len(views[2].gertak_progres)  # the start, then one point per published date
    engine.dispose()


def test_a_village_at_zero_whose_wajib_rises_is_withheld_whatever_its_figure():
    """Shown at 0, then two residents turn 17: it can have at most 2 unrecorded, so "<5" would
    say 1 or 2 and a 0 beside it would tell which villages recorded them. Withheld whatever its
    figure (0 included), it says only what its wajib KTP says."""
    def table(rows):
        return registry_table(pd.DataFrame(rows, columns=["kode", "kecamatan_kode", "wajib_ktp", "belum_rekam"]))

    before = sp.suppress(table([("A", "K1", 1000, 0), ("B", "K1", 900, 0), ("C", "K1", 800, 40),
                                ("D", "K2", 700, 30), ("E", "K2", 600, 50)]), tanggal=dt.date(2018, 9, 7))
    before.urutan = 1
    after = sp.suppress(table([("A", "K1", 1002, 1), ("B", "K1", 902, 0), ("C", "K1", 800, 38),
                               ("D", "K2", 700, 30), ("E", "K2", 600, 50)]), [before], dt.date(2018, 9, 14))
    assert after.status[("desa", "A")] == after.status[("desa", "B")] == sp.WITHHELD
    after.urutan = 2
    assert not narrowed([before, after])


def test_a_partner_whose_figures_are_withheld_is_left_out_of_the_projector_and_the_strip():
    """A partner whose figures are withheld ("ditahan") is withheld everywhere: not on the
    projector's partner slide (its e-KTP recordings, 1s included), not the strip's top partner;
    the shares are of the partners shown."""
    from bulukumba.disclosure import view as v
    from test_privacy import frames

    board = pd.DataFrame({"kode": ["a", "b", "c"], "nama": ["Mitra A", "Mitra B", "Mitra C"],
                          "jumlah": [1, 1, 90], "desa": [1, 1, 12], "rentan": [1, 1, 0]})
    vulnerable = pd.DataFrame({"kode": ["K1"], "nama": ["Kec K1"], "disabilitas": [0], "lansia": [2]})
    recordings = pd.DataFrame({"peringkat": [1, 2, 2], "kode": ["c", "a", "b"], "nama": ["Mitra C", "Mitra A", "Mitra B"],
                               "jumlah": [90, 1, 1], "porsi": [90 / 92, 1 / 92, 1 / 92], "desa": [12, 1, 1],
                               "rentan": [0, 1, 1]})
    base = frames([("A", "K1", 1000, 30), ("B", "K1", 900, 40)], board, vulnerable)
    base = disclosure.Frames(**{**base.__dict__, "mitra_perekaman": recordings})
    publication = disclosure.protect(base)
    for kode in ("a", "b"):   # as a table too small to protect cell by cell has them
        publication.rentan.status[("mitra", kode)] = sp.WITHHELD
    view = v.view(base, publication)
    assert publication.withheld_partners() == {"a", "b"}
    assert list(view.mitra_perekaman["kode"]) == ["c"] and view.mitra_perekaman["porsi"].tolist() == [1.0]
    slide = svg.partner_bars(view.mitra_perekaman, "Perekaman e-KTP oleh mitra")
    assert "Mitra A" not in slide and "Mitra B" not in slide and "Mitra C" in slide
    board = view.mitra.set_index("kode")
    assert board.loc["a", "teks_jumlah"] == board.loc["a", "teks_rentan"] == "ditahan"


PUBLISH = """
import sys
from bulukumba import disclosure, store
view = disclosure.public_view(engine=store.make_engine(sys.argv[1]))
print(sorted(view.publikasi.registri.status.items()), sorted(view.publikasi.rentan.status.items()))
"""


@pytest.mark.slow
@pytest.mark.both_databases
def test_two_processes_publishing_at_once_keep_one_publication(tmp_path, regions):
    """Two dashboard processes build the published set of a new import at the same moment: the
    store keeps one publication of each table, and both show the same set."""
    url, engine, built, _ = built_store("impor_sebagian", tmp_path, regions, steps=1)
    write(engine, built.batches[1], "impor_sebagian-1")
    runs = [subprocess.Popen([sys.executable, "-c", PUBLISH, url], cwd=PROJECT, stdout=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs) and outputs[0] == outputs[1], outputs
    second = built.dates[1]
    assert kept(engine)[-2:] == [("registri", second), ("rentan", second)]
    assert len(kept(engine)) == 4
    engine.dispose()


def test_a_publication_waits_for_one_recorded_meanwhile(tmp_path, regions, monkeypatch):
    """Another process records a publication between this one's reading the history and its
    recording: this one reads again and audits against it (here: finds it, and records nothing)."""
    url, engine, built, _ = built_store("impor_sebagian", tmp_path, regions, steps=1)
    write(engine, built.batches[1], "impor_sebagian-1")
    record, calls = history.record, []

    def another_process_first(engine_, kept_, new, version):
        calls.append(len(new))
        if len(calls) == 1:  # the other process got there first, with the same figures
            other = history.load(engine_, kept_.wilayah)
            assert record(engine_, other, new, version)
        return record(engine_, kept_, new, version)

    monkeypatch.setattr(history, "record", another_process_first)
    disclosure.public_view(engine=engine)
    assert calls == [2] and len(kept(engine)) == 4   # read again, found both, recorded nothing more
    engine.dispose()
