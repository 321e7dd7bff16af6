"""A visitor who wants a small count back gets nothing beyond "<5".

For each store where small counts occur (disclosure_scenarios.py), a visitor opens the public
page (both map colourings, both downloads) and every projector slide after every import: dates
that follow each other, a late batch of partner activity for a date already published, three
dates in a row. disclosure_attack.py turns all of it into integer constraints (the trends
included: the key figure's change, the GERTAK strip, the progress chart's coordinates), adds
the worst case across every visit at once (which figures did not move; recorded residents and
partner figures never fall), and asks for the smallest and largest value of every count from 1
to 4. None may be narrowed beyond what public facts force whatever is published (a village at
0 whose wajib KTP rises by 2 has at most 2 unrecorded): each must still be able to be 1, 2, 3
or 4 (a kecamatan total: at least four values).
"""
from __future__ import annotations

import pytest

from conftest import on_postgres
from disclosure_attack import attack, documented, narrowed_beyond_public, truth, visit, withheld_shown_elsewhere
from disclosure_scenarios import SCENARIOS, new_store, scenario, write

#: Its stores are SQLite files whatever database the run's stores are: the PostgreSQL pass would
#: repeat it exactly (the published sets on PostgreSQL: test_disclosure_history.py).
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(on_postgres(), reason="SQLite stores whatever the run's database")]


def visit_every_date(name: str, tmp_path, regions, monkeypatch):
    path = tmp_path / f"{name}.sqlite"
    engine = new_store(path, regions)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("BULUKUMBA_DB_URL", url)
    built = scenario(name, engine)
    observations, truths = [], []
    for i, (day, batches) in enumerate(zip(built.dates, built.batches)):
        write(engine, batches, f"{name}-{i}")
        observations.append(visit(url))
        truths.append(truth(engine, day))
    return engine, observations, truths


@pytest.mark.parametrize("name", SCENARIOS)
def test_no_hidden_small_count_can_be_worked_back(name, tmp_path, regions, monkeypatch):
    _, observations, truths = visit_every_date(name, tmp_path, regions, monkeypatch)

    findings = attack(observations, truths, documented())

    assert len(findings) >= 20, "the scenario should give the attacker small counts to work on"
    narrowed = narrowed_beyond_public(findings, observations, truths, documented())
    shown = [(f.date, f.cell, f.true_value, (f.low, f.high), public) for f, public in narrowed]
    assert not narrowed, f"{len(narrowed)} of {len(findings)} small counts narrowed: {shown[:10]}"
    assert not [withheld_shown_elsewhere(obs) for obs in observations if withheld_shown_elsewhere(obs)]
    recovered = sum(f.recovered for f, _ in findings)
    print(f"\n{name}: {len(findings)} small counts over {len(truths)} visit(s), none narrowed "
          f"({recovered} pinned by public facts alone)")


EVERY_SOURCE = {"tabel desa", "publik-unduh-desa-csv", "publik-unduh-desa-xlsx", "peta belum rekam",
                "peta cakupan", "batang kecamatan", "angka kunci", "prioritas proyektor", "tabel mitra",
                "tabel rentan", "data terbuka desa", "judul desa", "data terbuka kecamatan", "judul kabupaten",
                "data terbuka mitra"}
EVERY_TREND = {"perubahan angka kunci", "vonis capaian", "vonis laju", "titik grafik progres",
               "data terbuka gertak"}


def test_the_attacker_reads_every_output_and_catches_a_publication_without_complements(
        tmp_path, regions, monkeypatch):
    """The same attack on a page that hides the small counts only (no complementary cells):
    it must recover some, or the test above proves nothing."""
    from bulukumba.disclosure import suppress

    def small_counts_only(table, history=(), tanggal=None):
        return suppress.Published(table, {c.key: suppress.first_status(c) for c in table.cells()}, tanggal)

    monkeypatch.setattr(suppress, "suppress", small_counts_only)
    _, observations, truths = visit_every_date("impor_sebagian", tmp_path, regions, monkeypatch)
    sources: list[dict] = []

    findings = attack(observations, truths, documented(), sources)

    for read in sources:
        assert EVERY_SOURCE <= set(read), f"sources that gave no fact: {EVERY_SOURCE - set(read)}"
    assert EVERY_TREND <= set(sources[-1]), f"trends that gave no fact: {EVERY_TREND - set(sources[-1])}"
    recovered = [f for f, top in findings if f.recovered]
    assert len(recovered) >= 5, f"only {len(recovered)} recovered from a page with no complements"
    print(f"\nwithout complements: {len(recovered)} of {len(findings)} small counts recovered exactly")
