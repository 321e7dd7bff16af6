"""The verdict strip: one function says whether GERTAK 2018 is on track and who delivers, and it
stays true on every data state (a pace only from two real dates, a partner only when one did
something, and a clear way forward when something is missing)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

import data_states
from apptest_support import open_app, parse_angka
from readback import strip_items
from bulukumba import figures
from bulukumba.language import fmt, texts
from bulukumba.storage import store
from bulukumba.figures import verdict
from bulukumba.figures.trends import day_number


@pytest.fixture(scope="module", params=data_states.STATES)
def state(request, tmp_path_factory, regions):
    url = data_states.store_for(request.param, tmp_path_factory, regions)
    return request.param, url, store.engine_for(url)


def test_the_verdict_is_computed_from_the_data_module(state):
    name, _url, engine = state
    latest = figures.latest_date(engine)
    v = verdict.gertak_verdict(engine=engine)
    status = figures.programme_status("gertak_2018", "rekam_ektp", None, latest, engine)

    assert v.tanggal == latest
    if status is None:
        assert v.keadaan == "tanpa_target" and v.badge == "tanpa target"
        assert v.sisa is None and v.proyeksi_selesai is None
        assert "template target" in texts.verdict_note(v)
    else:
        assert (v.target, v.capaian, v.sisa, v.selesai) == (status.target, status.capaian, status.sisa,
                                                             status.selesai)
        assert v.perlu_per_hari == pytest.approx(status.laju_perlu)
        change = figures.recorded_change(latest, 28, None, engine)
        if change.ada:
            # The pace is the rise between two real dates, per day actually between them.
            assert v.laju == pytest.approx(change.sudah_rekam / change.hari)
            assert v.laju_hari == change.hari and v.laju_dari == change.dari
            if v.laju > 0 and v.sisa:
                assert v.proyeksi_selesai == latest + dt.timedelta(days=math.ceil(v.sisa / v.laju))
                late = (v.proyeksi_selesai - v.selesai).days
                assert v.badge == (f"terlambat {fmt.number(late)} hari" if late > 0 else "tepat waktu")
        else:
            assert v.laju is None and v.proyeksi_selesai is None and v.badge == "belum bisa dinilai"

    board = figures.partner_leaderboard(v.mitra_mulai, latest, "rekam_ektp", None, engine)
    if board["jumlah"].sum() == 0:
        assert v.mitra is None
        assert "template kegiatan" in texts.verdict_note(v)
    else:
        top = board.iloc[0]
        assert (v.mitra.nama, v.mitra.jumlah) == (top["nama"], top["jumlah"])
        assert v.mitra.porsi == pytest.approx(top["porsi"])


def test_the_verdicts_of_every_kecamatan_at_once_are_each_kecamatans_own(state):
    """The GERTAK page and the download judge every kecamatan in one pass (thousands of them at
    national size); each verdict must be the one the kecamatan's own strip shows, on every data
    state and on a date inside the programme as well as the newest."""
    _name, _url, engine = state
    latest = figures.latest_date(engine)
    for day in (None, dt.date(2018, 3, 20), dt.date(2018, 1, 19)):
        together = verdict.programme_verdicts("gertak_2018", "kecamatan", day, engine)
        expected = [verdict.programme_verdict("gertak_2018", v.layanan, day, v.kecamatan, engine, with_partner=False)
                    for v in together]
        assert together == expected, (day, latest)
    assert {v.keadaan for v in verdict.programme_verdicts("gertak_2018", "kecamatan", None, engine)} <= set(verdict.TONE)


def test_the_progress_chart_draws_exactly_the_kecamatan_the_verdicts_give_a_target(state):
    """The GERTAK page's chart of every kecamatan reads the statuses without judging them; it
    must draw the same kecamatan, with the same figures, as the verdicts would ("belum ada data"
    left out), on every data state and date."""
    _name, _url, engine = state
    for day in (None, dt.date(2018, 3, 20), dt.date(2018, 1, 19), dt.date(2017, 1, 1)):
        drawn = [(s.kecamatan_kode, s.capaian, s.target, s.mulai, s.selesai, s.tanggal)
                 for s in verdict.statuses_with_figures("gertak_2018", day, engine)]
        judged = [(v.kecamatan, v.capaian, v.target, v.mulai, v.selesai, v.tanggal)
                  for v in verdict.programme_verdicts("gertak_2018", "kecamatan", day, engine) if v.target is not None]
        assert drawn == judged, day


def _same_change(a: figures.Change, b: figures.Change) -> bool:
    """Equal, a coverage change of NaN (no one wajib KTP) equal to NaN."""
    nan = lambda c: c.cakupan_poin is not None and math.isnan(c.cakupan_poin)  # noqa: E731
    return (dataclasses.replace(a, cakupan_poin=None) == dataclasses.replace(b, cakupan_poin=None)
            and (a.cakupan_poin == b.cakupan_poin or (nan(a) and nan(b))))


def test_the_changes_of_every_kecamatan_at_once_are_each_kecamatans_own(state):
    """The per-kecamatan verdicts read every kecamatan's recent change in one vectorised pass
    (figures.Trends); each must be what that kecamatan's own recorded_change says, for any date and
    window, and "no data" for a kecamatan without any."""
    _name, _url, engine = state
    trends = figures.kecamatan_trends(engine)
    codes = sorted(figures.kecamatan_names(engine)) + ["99.99.99"]
    for day in (None, dt.date(2018, 3, 20), dt.date(2018, 1, 19), dt.date(2017, 1, 1)):
        for days in (7, 28, 30):
            together = trends.changes(trends.numbers(codes), np.full(len(codes), day_number(day)), days)
            for code, change in zip(codes, together):
                alone = figures.recorded_change(day, days, code, engine)
                assert _same_change(change, alone), (code, day, days, change, alone)


def test_which_kecamatan_have_figures_is_read_from_the_trends_as_from_each_total(state):
    """The table of every kecamatan says "belum ada data" where a kecamatan has no one wajib KTP
    by the day; it reads that from the trends it already holds, and each answer must be what the
    kecamatan's own total says."""
    _name, _url, engine = state
    trends = figures.kecamatan_trends(engine)
    codes = sorted(figures.kecamatan_names(engine)) + ["99.99.99"]
    for day in (None, dt.date(2018, 3, 20), dt.date(2018, 1, 19), dt.date(2017, 1, 1)):
        together = trends.reported(trends.numbers(codes), np.full(len(codes), day_number(day))).tolist()
        alone = [figures.coverage_total(day, code, engine).wajib_ktp > 0 for code in codes]
        assert together == alone, day


def test_what_each_state_says(state):
    name, _url, engine = state
    v = verdict.gertak_verdict(engine=engine)
    expected = {
        "contoh": "terlambat",            # the demo's pace is too slow (DOMAIN: half the gap by June)
        "satu_snapshot": "tanpa_target",  # the first import retired the demo and its targets
        "dua_snapshot": None,             # a pace from 3 days: on time or late, but judged
        "tanpa_kegiatan": None,
        "tanpa_target": "tanpa_target",
        "kecamatan_kosong": None,
    }[name]
    if expected:
        assert v.keadaan == expected
    else:
        assert v.keadaan in ("tepat_waktu", "terlambat") and v.laju is not None
    if name == "dua_snapshot":
        assert v.laju_hari == 3  # not spread over 28 days as if nothing happened before
    if name in ("satu_snapshot", "tanpa_kegiatan"):
        assert v.mitra is None
    if name == "kecamatan_kosong":
        empty = verdict.gertak_verdict(kecamatan=data_states.KINDANG, engine=engine)
        assert empty.keadaan == "tanpa_data" and empty.badge == "belum ada data"
        assert "Kecamatan Kindang" in texts.verdict_note(empty) and "template registri" in texts.verdict_note(empty)


def test_one_snapshot_gives_a_verdict_that_waits_for_a_pace(tmp_path, regions):
    """A target and a single registry date: remaining and needed are known, the pace is not."""
    url = data_states.build("satu_snapshot", tmp_path / "s.sqlite", regions)
    engine = store.engine_for(url)
    from bulukumba import importer

    villages = figures.coverage_kecamatan(engine=engine)["kode"].tolist()
    assert importer.import_bytes(data_states._target_csv(villages), "t.csv", "target", engine).ok
    v = verdict.gertak_verdict(engine=engine)
    assert v.keadaan == "belum_ada_laju" and v.badge == "belum bisa dinilai"
    assert v.sisa == v.target  # nothing achieved can be measured from one date
    assert v.laju is None and v.proyeksi_selesai is None
    assert "baru satu tanggal data registri" in texts.verdict_note(v)
    assert "baru satu tanggal data registri" in v.kalimat


def test_ringkasan_opens_with_the_strip_and_its_figures_read_back(state):
    name, url, engine = state
    at = open_app("pages/ringkasan.py", db_url=url)
    assert not at.exception, at.exception
    v = verdict.gertak_verdict(engine=engine)
    shown = strip_items(at)

    assert shown["lencana"] == v.badge
    if v.sisa is not None:
        assert parse_angka(shown["sisa"]) == v.sisa
        assert f"dari target {fmt.number(v.target)}" in shown["sisa"]
        assert parse_angka(shown["perlu"]) == pytest.approx(v.perlu_per_hari, abs=0.05)
        if v.laju is None:
            assert shown["laju"].startswith(fmt.KOSONG)
        else:
            assert parse_angka(shown["laju"]) == pytest.approx(v.laju, abs=0.05)
            assert f"{fmt.number(v.laju_hari)} hari terakhir" in shown["laju"]
        if v.proyeksi_selesai:
            assert shown["proyeksi"] == fmt.date_short(v.proyeksi_selesai)
    else:
        assert "sisa" not in shown and "proyeksi" not in shown
    if v.mitra:
        assert shown["mitra"].startswith(v.mitra.nama)
        assert parse_angka(shown["mitra"].removeprefix(v.mitra.nama)) == v.mitra.jumlah
    else:
        assert texts.VONIS_TANPA_MITRA_SINGKAT in shown["mitra"]
    assert (texts.DEMO_LABEL in " ".join(h.proto.body for h in at.get("html"))) == (name == "contoh")

    # The metrics below it: a change only where a comparison date exists.
    m = {metric.label: metric for metric in at.metric}
    total = figures.coverage_total(engine=engine)
    assert parse_angka(m["Sudah rekam"].value) == total.sudah_rekam
    change = figures.recorded_change(None, 7, None, engine)
    captions = " ".join(c.value for c in at.caption)
    if change.ada:
        assert m["Sudah rekam"].delta == f"{fmt.signed(change.sudah_rekam)} dalam {fmt.number(change.hari)} hari"
        assert f"{fmt.date(change.dari)} – {fmt.date(change.sampai)}" in captions
    else:
        assert not m["Sudah rekam"].delta and not m["Belum rekam"].delta
        assert "Belum ada data pembanding" in captions
        assert fmt.number(total.sudah_rekam) not in (m["Sudah rekam"].delta or "")
    # A distance from the target carries no arrow.
    assert "poin" in m["Cakupan"].delta and "target 96%" in m["Cakupan"].delta
    from streamlit.proto.Metric_pb2 import Metric

    assert m["Cakupan"].proto.direction == Metric.MetricDirection.NONE
    assert m["Cakupan"].proto.color == Metric.MetricColor.GRAY


def test_achievement_counted_from_the_first_registry_date_says_so(state):
    """Two snapshots 3 days apart, months after GERTAK began: what was recorded before the first
    snapshot is not in the data, and the strip says from when it counts."""
    name, _url, engine = state
    v = verdict.gertak_verdict(engine=engine)
    if name != "dua_snapshot":
        assert v.capaian_sejak in (None, v.mulai)
        return
    first = figures.recorded_trend(engine=engine)["tanggal"].iloc[0].date()
    assert v.capaian_sejak == first > v.mulai
    assert f"Capaian dihitung sejak data registri pertama ({fmt.date(first)})" in texts.verdict_note(v)
