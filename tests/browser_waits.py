"""Waiting in the browser tests: on what the page shows, never on the clock.

A loaded machine runs the server and the browser slowly; a fixed pause then ends before the work
does, and the assertion after it either fails or, worse, passes on a page that is not drawn yet
("nothing is cut off" measured before the chart exists). So the tests wait for conditions, each
with a generous ceiling (a ceiling is not a speed claim: benchmarks/ measure speed):

- `settled(page)`: Streamlit is not running the page, every chart on it has drawn, no CSS
  transition is under way, and the page has not changed for a moment;
- `rerun(page, action)`: an action that makes Streamlit run the page again, and that run's end;
- `runs_ended(page)` / `wait_runs(page, n)`: counts of finished runs (refresh ticks included);
- `frames(page)`: the browser has laid out and painted;
- `poll(page, check)`: a condition only Python can see (pixels of a screenshot, responses).

The page is watched by a MutationObserver installed on first use (and again after a reload).
"""
from __future__ import annotations

import time

#: The ceiling for any one wait: minutes, against work that takes seconds on an idle machine.
CEILING_MS = 120_000

#: How long the page must stay unchanged (no DOM mutation) while Streamlit is idle to count as
#: settled. Not a margin for work to finish: work in progress changes the page or shows as a
#: running script, and either restarts the count. It covers what the page cannot show: a rerun
#: already sent whose start has not reached the browser yet. (A column size waiting to be
#: reported is marked on the page, data-ukuran-tertunda; the quiet was 1,000 ms before that
#: mark, when it also covered the report's 150 ms delay.)
QUIET_MS = 600

SCRIPT_DONE = ("document.querySelector('[data-test-script-state]') && document.querySelector("
               "'[data-test-script-state]').getAttribute('data-test-script-state') === 'notRunning'")

#: Installs the watcher once per document: the time of the last change to the page (Streamlit's
#: own run-state attribute aside) and the number of runs that ended (run state left 'running').
_WATCH = """() => {
  if (window.__waits) return window.__waits;
  const w = window.__waits = { changed: performance.now(), runsEnded: 0, lastRunEnd: -1 };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes' && r.attributeName === 'data-test-script-state') {
        if (r.oldValue === 'running') { w.runsEnded += 1; w.lastRunEnd = performance.now(); }
      } else {
        w.changed = performance.now();
      }
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true,
                         attributeOldValue: true });
  return w;
}"""

#: True once the page is settled (see `settled`); installs the watcher if a reload removed it.
_SETTLED = """(quietMs) => {
  const w = (WATCH)();
  const app = document.querySelector('[data-test-script-state]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  // A column's new size waits 150 ms to be reported (web/browser.py), and its report runs the page.
  if (document.querySelector('[data-ukuran-tertunda]')) return false;
  // Every chart has drawn: Plotly's SVG is there and has a size.
  for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    const svg = chart.querySelector('.js-plotly-plot svg.main-svg');
    if (!svg || svg.getBoundingClientRect().width === 0) return false;
  }
  // No transition or finite animation under way (a sidebar sliding, a dialog opening).
  const moving = document.getAnimations().filter(a => a.playState === 'running'
      && a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  if (moving.length) return false;
  return performance.now() - w.changed >= quietMs;
}""".replace("WATCH", _WATCH)


def _watch(page) -> dict:
    return page.evaluate(_WATCH)


def settled(page, timeout: float = CEILING_MS, quiet_ms: int = QUIET_MS) -> None:
    """Wait until Streamlit has finished running the page, every chart on it has drawn, nothing
    is sliding or fading, and the page has stayed unchanged for `quiet_ms` (QUIET_MS unless a
    picture alone, with no assertion on it, is taken: see the gallery)."""
    page.wait_for_function(_SETTLED, arg=quiet_ms, timeout=timeout)


def runs_ended(page) -> int:
    """How many runs of the page (full runs and fragment ticks) have ended since the watcher
    was installed (installing it if needed)."""
    return _watch(page)["runsEnded"]


def wait_runs(page, more_than: int, timeout: float = CEILING_MS) -> None:
    """Wait until more than `more_than` runs have ended and none is running now."""
    page.wait_for_function(f"([n]) => window.__waits && window.__waits.runsEnded > n && {SCRIPT_DONE}",
                           arg=[more_than], timeout=timeout)


def rerun(page, action, timeout: float = CEILING_MS) -> None:
    """Do `action` (a click or key that makes Streamlit run the page again), then wait until a
    run has ended after it and the page has settled."""
    before = runs_ended(page)
    action()
    wait_runs(page, before, timeout)
    settled(page, timeout)


def frames(page, count: int = 2) -> None:
    """Wait until the browser has drawn `count` more frames (layout done after a scroll, a
    click that opens a <details>, a mouse that left a chart)."""
    page.evaluate("""(n) => new Promise(done => {
        const step = () => (n-- <= 0 ? done() : requestAnimationFrame(step));
        requestAnimationFrame(step);
    })""", count)


def poll(page, check, timeout: float = CEILING_MS / 1000, every_ms: int = 250, what: str = "condition"):
    """Call `check()` until it returns something true, and return that; fail after `timeout`
    seconds. For conditions only Python can see (a screenshot's pixels, responses recorded by a
    listener). The pause between tries is a polling interval, not a margin: the loop goes on
    until the condition holds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        page.wait_for_timeout(every_ms)
