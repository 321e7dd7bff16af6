"""Figures and query results shared between sessions (bulukumba/figures/sharedresults.py): after an
import every open page reruns at once, and each answer must be worked out once, not per page."""
from __future__ import annotations

import threading

import pytest

from bulukumba.figures.sharedresults import SharedResults


def twenty_sessions_at_once(results: SharedResults, key, build) -> list:
    gate, answers = threading.Barrier(20), []

    def session():
        gate.wait()
        try:
            answers.append(results.get(key, build))
        except Exception as error:  # noqa: BLE001 (the test looks at what each session got)
            answers.append(error)

    threads = [threading.Thread(target=session) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers


class AskedKey:
    """A key that notes each session that looked it up. SharedResults looks a key up under its
    lock, where it also finds the drawing under way: once a session has looked, it shares that
    drawing. So a drawing that waits until all have looked is drawn while every one asks, on a
    loaded machine too (a fixed pause was a bet on how soon twenty threads get to run)."""

    def __init__(self, *parts):
        self.parts = parts
        self._asked = set()
        self._change = threading.Condition()

    def __hash__(self):
        with self._change:
            self._asked.add(threading.get_ident())
            self._change.notify_all()
        return hash(self.parts)

    def __eq__(self, other):
        return isinstance(other, AskedKey) and other.parts == self.parts

    def wait_until_asked_by(self, sessions: int, ceiling: float = 120) -> None:
        with self._change:
            assert self._change.wait_for(lambda: len(self._asked) >= sessions, timeout=ceiling), \
                f"only {len(self._asked)} of {sessions} sessions asked"


def test_twenty_sessions_asking_for_one_figure_while_it_is_drawn_get_one_drawing():
    drawn = []
    key = AskedKey("peta", "73.02.06")

    def draw():
        drawn.append(threading.get_ident())
        key.wait_until_asked_by(20)  # every session asks while it is being drawn
        return {"peta": len(drawn)}

    answers = twenty_sessions_at_once(SharedResults(8), key, draw)
    assert len(drawn) == 1
    assert len(answers) == 20 and all(a is answers[0] for a in answers)


def test_a_failed_drawing_reaches_every_waiting_session_and_the_next_one_tries_again():
    tries = []
    key = AskedKey("peta")

    def fails_once():
        tries.append(1)
        if len(tries) == 1:
            key.wait_until_asked_by(20)  # every session waits for this drawing
            raise RuntimeError("basis data sibuk")
        return "peta"

    results = SharedResults(8)
    answers = twenty_sessions_at_once(results, key, fails_once)
    assert len(tries) == 1 and all(isinstance(a, RuntimeError) for a in answers)
    assert results.get(key, fails_once) == "peta" and len(tries) == 2


def test_the_least_recently_used_result_goes_first_when_full():
    results = SharedResults(2)
    results.get("ringkasan", lambda: 1)
    results.get("peta", lambda: 2)
    results.get("ringkasan", lambda: pytest.fail("still kept: no new drawing"))
    results.get("mitra", lambda: 3)  # full: "peta" was used least recently
    assert len(results) == 2
    assert results.get("peta", lambda: "digambar lagi") == "digambar lagi"
