"""A visitor who wants a small count back gets nothing beyond "<5".

For each store where small counts occur (disclosure_scenarios.py), a visitor opens the public
page (both map colourings, both downloads) and every projector slide, on the first date and
again after the next date's figures arrive. disclosure_attack.py turns all of it into integer
constraints, adds the worst case across the two dates (which figures did not move; partner
figures never fall), and asks for the smallest and largest value of every count from 1 to 4.
None of them may be narrowed: each must still be able to be 1, 2, 3 or 4 (a kecamatan total:
at least four values).
"""
from __future__ import annotations

import pytest

from disclosure_attack import attack, documented, truth, visit
from disclosure_scenarios import SCENARIOS, new_store, scenario, write


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
    narrowed = [(f.date, f.cell, f.true_value, (f.low, f.high)) for f, top in findings if f.narrowed(top)]
    assert not narrowed, f"{len(narrowed)} of {len(findings)} small counts narrowed: {narrowed[:10]}"
    print(f"\n{name}: {len(findings)} small counts over {len(truths)} date(s), none narrowed")


def test_three_weeks_of_partial_imports_each_week_against_the_one_before(tmp_path, regions, monkeypatch):
    """The second week was itself protected against the first, so what it published hides more
    than its own figures alone would (suppress.publish_after): the third week must hold against
    what was really published, not only against the model of it."""
    _, observations, truths = visit_every_date("tiga_minggu", tmp_path, regions, monkeypatch)
    assert len(truths) == 3
    for pair in ((0, 1), (1, 2)):
        findings = attack(observations[pair[0]:pair[1] + 1], truths[pair[0]:pair[1] + 1], documented())
        narrowed = [(f.date, f.cell, f.true_value, (f.low, f.high)) for f, top in findings if f.narrowed(top)]
        assert findings and not narrowed, (pair, narrowed[:10])
    everything = attack(observations, truths, documented())
    narrowed = [f for f, top in everything if f.narrowed(top)]
    print(f"\nthree weeks at once (beyond the rule, which is about consecutive dates): "
          f"{len(narrowed)} of {len(everything)} small counts narrowed")


EVERY_SOURCE = {"tabel desa", "publik-unduh-desa-csv", "publik-unduh-desa-xlsx", "peta belum rekam",
                "peta cakupan", "batang kecamatan", "angka kunci", "prioritas proyektor", "tabel mitra",
                "tabel rentan"}


def test_the_attacker_reads_every_output_and_catches_a_publication_without_complements(
        tmp_path, regions, monkeypatch):
    """The same attack on a page that hides the small counts only (no complementary cells):
    it must recover some, or the test above proves nothing."""
    from bulukumba.disclosure import suppress

    def small_counts_only(table, before=None, start=None):
        return suppress.Published(table, {c.key: suppress.first_status(c) for c in table.cells()})

    monkeypatch.setattr(suppress, "suppress", small_counts_only)
    _, observations, truths = visit_every_date("impor_sebagian", tmp_path, regions, monkeypatch)
    sources: list[dict] = []

    findings = attack(observations, truths, documented(), sources)

    for read in sources:
        assert EVERY_SOURCE <= set(read), f"sources that gave no fact: {EVERY_SOURCE - set(read)}"
    recovered = [f for f, top in findings if f.recovered]
    assert len(recovered) >= 5, f"only {len(recovered)} recovered from a page with no complements"
    print(f"\nwithout complements: {len(recovered)} of {len(findings)} small counts recovered exactly")
