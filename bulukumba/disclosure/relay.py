"""Three publications and more: what the new one bounds in the last one, carried back.

A reader holding a chain of publications learns more than each pair shows: the new publication
bounds the hidden cells of the last one (their pair), those bounds, carried into the last one's
pair with the one before it, bound that one's hidden cells, and so on back. `relayed` follows
that chain as far as the bounds differ from those the new publication showing only its zeros
would give, and names what the new publication owes when a small count on the way is pinned
narrower than that (suppress.py widens it in the new publication's pair with the last).
Bounds, not relations, pass along the chain: the model's limit (docs/privacy.md).
"""
from __future__ import annotations

import contextlib

from bulukumba.disclosure.audit import Knowledge, Pair
from bulukumba.disclosure.cells import SHOWN, SMALL_RANGE, Cell, Published
from bulukumba.disclosure.network import Network

#: How far around its value a cell's range matters: whether a small count can move by d (at
#: most 3) depends only on how far every other cell can move within d of its value (the change
#: is a sum of cycles through the count, none carrying more than d), so ranges are measured
#: this far and no further, at every step of a chain.
WINDOW = SMALL_RANGE[1]


def _ranges(net: Network, edges: dict, side: int, cells: list[Cell]) -> dict[tuple, tuple[int, int]]:
    """The range each cell can take in the network, within WINDOW of its value."""
    found = {}
    for cell in cells:
        index = edges[(side, cell.key)]
        found[cell.key] = (cell.value - net.room(index, -WINDOW), cell.value + net.room(index, +WINDOW))
    return found


def relayed(now: Published, seen: list[Published], knowledge: Knowledge,
            chain: "Chain | None" = None) -> list[tuple[tuple, int]]:
    """What a reader holding the new publication and a chain of earlier ones learns beyond the
    pairs: the new one bounds the hidden cells of the last one (their pair); those bounds,
    carried into the last one's pair with the one before it, bound that one's hidden cells;
    and so on back. Each step compares with the same chain started from the new publication
    showing only its zeros (public whatever it shows). If at some step a small count is pinned
    narrower than that, the new publication owes widenings in its pair with the last one:
    (key of a cell of the last publication, how far it must be able to move) for each bound it
    puts there tighter than its zeros alone would. Empty when nothing is narrowed."""
    if len(seen) < 2:
        return []
    chain = chain or Chain()
    last = seen[-1]
    hidden = [c for c in last.table.cells() if last.status[c.key] != SHOWN]
    if not hidden:
        return []
    pair = Pair(now, last, knowledge)
    net, edges = pair.network()
    actual = _ranges(net, edges, 0, hidden)
    bare_net, bare_edges = pair.baseline()
    bare = _ranges(bare_net, bare_edges, 0, hidden)
    if actual == bare:
        return []
    first_actual, first_bare = actual, bare
    for k in range(len(seen) - 1, 0, -1):
        step = chain.pair(seen[k], seen[k - 1], knowledge)
        if _narrower(step, actual, bare):
            return _owed(hidden, first_actual, first_bare)
        earlier = [c for c in seen[k - 1].table.cells() if seen[k - 1].status[c.key] != SHOWN]
        if not earlier:
            return []
        with _bounded(step, actual) as bounded:
            actual = _ranges(*bounded, 0, earlier)
        with _bounded(step, bare) as bounded:
            bare = _ranges(*bounded, 0, earlier)
        if actual == bare:
            return []
    return []


class Chain:
    """The networks of the pairs of earlier publications, built once for every relay of one
    new publication (they do not depend on it)."""

    def __init__(self):
        self._pairs: dict[tuple[int, int], Pair] = {}

    def pair(self, now: Published, other: Published, knowledge: Knowledge) -> Pair:
        key = (id(now), id(other))
        if key not in self._pairs:
            self._pairs[key] = Pair(now, other, knowledge)
            self._pairs[key].built = self._pairs[key].network()
        return self._pairs[key]


def _owed(hidden: list[Cell], actual: dict, bare: dict) -> list[tuple[tuple, int]]:
    owed = []
    for cell in hidden:
        (low, high), (bare_low, bare_high) = actual[cell.key], bare[cell.key]
        step = SMALL_RANGE[1]   # a small count moves no further than this: neither need its bounds
        if low > bare_low:
            owed.append((cell.key, max(bare_low, low - step) - cell.value))
        if high < bare_high:
            owed.append((cell.key, min(bare_high, high + step) - cell.value))
    return owed


@contextlib.contextmanager
def _bounded(pair: Pair, boxes: dict):
    """The pair's network (built once: Chain) with its new side's cells held within `boxes`
    for the duration."""
    net, edges = pair.built
    kept = []
    for key, (low, high) in boxes.items():
        if (1, key) in edges:
            edge = net.edges[edges[(1, key)]]
            kept.append((edge, edge.lo, edge.hi))
            edge.lo, edge.hi = max(edge.lo, low), min(edge.hi, high)
    try:
        yield net, edges
    finally:
        for edge, low, high in reversed(kept):
            edge.lo, edge.hi = low, high


def _narrower(pair: Pair, tighter: dict, bare: dict) -> bool:
    """Do the bounds `tighter` on the pair's new side narrow one of its small counts (either
    side's) beyond the bounds `bare` do?"""
    counts = [(side, cell) for side, published in ((1, pair.now), (0, pair.other))
              for cell in published.table.cells() if cell.small and (side, cell.key) in pair.built[1]]
    reach = {}
    for name, boxes in (("bare", bare), ("tighter", tighter)):
        with _bounded(pair, boxes) as (net, edges):
            for side, cell in counts:
                index = edges[(side, cell.key)]
                span = SMALL_RANGE[1] - SMALL_RANGE[0]
                moves = (-span, span) if cell.total else (SMALL_RANGE[0] - cell.value, int(cell.top) - cell.value)
                reach[(name, side, cell.key)] = [net.room(index, d) if d else 0 for d in moves]
    return any(reach[("tighter", side, cell.key)][i] < reach[("bare", side, cell.key)][i]
               for side, cell in counts for i in (0, 1))
