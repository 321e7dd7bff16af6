"""Figures and query results shared between sessions (bulukumba/sharedresults.py): after an
import every open page reruns at once, and each answer must be worked out once, not per page."""
from __future__ import annotations

import threading
import time

import pytest

from bulukumba.sharedresults import SharedResults


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


def test_twenty_sessions_asking_for_one_figure_while_it_is_drawn_get_one_drawing():
    drawn = []

    def draw():
        drawn.append(threading.get_ident())
        time.sleep(0.3)  # long enough that every session asks while it is being drawn
        return {"peta": len(drawn)}

    answers = twenty_sessions_at_once(SharedResults(8), ("peta", "73.02.06"), draw)
    assert len(drawn) == 1
    assert len(answers) == 20 and all(a is answers[0] for a in answers)


def test_a_failed_drawing_reaches_every_waiting_session_and_the_next_one_tries_again():
    tries = []

    def fails_once():
        tries.append(1)
        time.sleep(0.2)
        if len(tries) == 1:
            raise RuntimeError("basis data sibuk")
        return "peta"

    results = SharedResults(8)
    answers = twenty_sessions_at_once(results, "peta", fails_once)
    assert len(tries) == 1 and all(isinstance(a, RuntimeError) for a in answers)
    assert results.get("peta", fails_once) == "peta" and len(tries) == 2


def test_the_least_recently_used_result_goes_first_when_full():
    results = SharedResults(2)
    results.get("ringkasan", lambda: 1)
    results.get("peta", lambda: 2)
    results.get("ringkasan", lambda: pytest.fail("still kept: no new drawing"))
    results.get("mitra", lambda: 3)  # full: "peta" was used least recently
    assert len(results) == 2
    assert results.get("peta", lambda: "digambar lagi") == "digambar lagi"
