"""What a reader can work out: one publication against another, as a network, and the small
counts it leaves exposed.

A publication is audited against each publication a reader may hold (history.py), one pair at
a time. A pair is one network (network.py): the new publication's tables forward, the other's
reversed, tied where the reader ties them, through every publication the reader saw between
the two (`chained`):
- a figure that stayed the same from one publication to the next (a village whose wajib KTP and
  unrecorded did not change; a partner count that did not grow) is one edge: the reader is
  assumed to know it did not move;
- a village's (and the regency's) recorded residents never fall between dates: its unrecorded
  rise by at most its rise in wajib KTP, an edge of bounded growth between the two;
- partner figures, counted since the programme's start, never fall, and a partner's vulnerable
  residents served grow by no more than its services.
Each tie is drawn only where it is true of the figures: a reader who assumed a false one would
learn nothing true from it. On top of the pair, what the labels said along a run of
publications in which a figure did not move (`Knowledge`) bounds that figure's edge, so a figure
once shown stays known however it is labelled later. And what the new publication bounds in the
last one is carried back along the chain (relay.py): a reader combining three or more.

The requirement for each hidden small count: every value from 1 to 4 (a total: four values)
stays possible, except what public facts exclude whatever this publication shows: the range it
has when this publication shows nothing but its zeros and the public wajib KTP (`baseline`). A
village of wajib KTP 2 with "<5" has 1 or 2.

The limit: exact for a pair, and for bounds passed along a chain; a reader who solves one
integer program over every publication at once may still combine relations among three or more
that no pair and no bound shows (none found by the tests' readers; docs/privacy.md).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from bulukumba.disclosure.network import Network
from bulukumba.disclosure.cells import (INF, LEAF_COST, MASKED, SHOWN, SMALL_RANGE, TOTAL_COST, WITHHELD, Cell, Published,
                             Tree, can_hide, interval)

EQUAL = "sama"
#: Withholding one cell ("ditahan") costs this many times hiding it: it says less, and is the
#: way out when a label would still say too much (a village whose "disamarkan", 5 or more,
#: gives an earlier "<5" back through its rise in wajib KTP).
WITHHOLD_FACTOR = 3.0
#: Which of two publications is later: +1 the first, -1 the second, 0 neither (one date's
#: registry published twice: a correction, which may go either way).
LATER, EARLIER, UNORDERED = 1, -1, 0


def order(now: Published, other: Published) -> int:
    """Which is later. Registry figures of one date have no order (a corrected file); partner
    figures of one date do (a late report only adds), by publication."""
    if now.tanggal != other.tanggal:
        return LATER if now.tanggal > other.tanggal else EARLIER
    if not now.table.cumulative:
        return UNORDERED
    return LATER if now.urutan > other.urutan else EARLIER


def figure(cell: Cell, cumulative: bool) -> tuple:
    """What identifies a figure across publications: a cumulative count by its value; a
    registry cell by its value and wajib KTP (a village whose row did not change)."""
    return (cell.key, cell.value) if cumulative else (cell.key, cell.value, cell.upper)


class Knowledge:
    """What a reader holding every publication (in the order they were published) knows of a
    leaf whose figure stayed the same from one publication to the next: the intersection of its
    labels along that run. A figure shown once stays known while it does not move, however it
    is labelled later; a figure that moved and came back starts a new run (the reader cannot
    tell). Totals are not carried: whether one moved follows from its leaves, in each pair."""

    def __init__(self, history: list[Published] = ()):
        self._members = {id(p) for p in history}
        self._runs: dict[tuple, tuple[float, float]] = {}   # (id(publication), key) -> interval
        #: Runs still open after the last publication: key -> (figure, interval).
        self._open: dict[tuple, tuple[tuple, tuple[float, float]]] = {}
        current: dict[tuple, tuple[tuple, tuple[float, float], list]] = {}
        for published in sorted(history, key=lambda p: p.urutan):
            cumulative, seen = published.table.cumulative, set()
            for cell in published.table.leaves():
                seen.add(cell.key)
                label, held = interval(cell, published.status[cell.key]), current.get(cell.key)
                if held is not None and held[0] == figure(cell, cumulative):
                    current[cell.key] = (held[0], (max(label[0], held[1][0]), min(label[1], held[1][1])),
                                         held[2] + [id(published)])
                    continue
                if held is not None:
                    self._close(cell.key, current.pop(cell.key))
                current[cell.key] = (figure(cell, cumulative), label, [id(published)])
            for key in [k for k in current if k not in seen]:
                self._close(key, current.pop(key))
        for key, run in current.items():
            self._close(key, run)
            self._open[key] = (run[0], run[1])

    def _close(self, key: tuple, run: tuple) -> None:
        for member in run[2]:
            self._runs[(member, key)] = run[1]

    def of(self, cell: Cell, published: Published) -> tuple[float, float] | None:
        """What the reader knows of `cell` of `published` from the run it belongs to; for a new
        publication, from the run of the last one if its figure is the same."""
        if id(published) in self._members:
            return self._runs.get((id(published), cell.key))
        held = self._open.get(cell.key)
        return held[1] if held is not None and held[0] == figure(cell, published.table.cumulative) else None

    def known(self, cell: Cell, published: Published) -> bool:
        """Shown exactly on some publication of its run."""
        held = self.of(cell, published)
        return held is not None and held[0] == held[1]


NOTHING = Knowledge()


def link(now: Cell, other: Cell | None, cumulative: bool, direction: int, statuses: tuple[str, str]):
    """How a reader ties a figure on two publications: EQUAL (it did not move), the bounds of
    now − other (it moved the one way it can), or None (nothing known)."""
    if other is None:
        return None
    if now.value == other.value and (cumulative or now.upper == other.upper):
        return EQUAL
    if direction == UNORDERED:
        return None
    later, earlier = (now, other) if direction == LATER else (other, now)
    if cumulative:
        if later.value < earlier.value:
            return None
        capped = later.companion is not None and earlier.companion is not None and WITHHELD not in statuses
        bounds = (0, later.companion[1] - earlier.companion[0] if capped else INF)
        if later.value - earlier.value > bounds[1]:
            bounds = (0, INF)  # services that did not grow with it: only "never falls" is true
    else:
        if later.upper - later.value < earlier.upper - earlier.value or INF in (later.upper, earlier.upper):
            return None  # recorded fell: no such tie is true here
        bounds = (-INF, later.upper - earlier.upper)
    return bounds if direction == LATER else (-bounds[1], -bounds[0])


def chained(key: tuple, steps: list[Published], cumulative: bool):
    """The tie a reader has between the first and the last of `steps` (publications in the
    order they were published) through the ties of each to the next: EQUAL if the figure never
    moved; else the sum of each step's bounds on its change; None if a step has no tie."""
    low = high = 0
    for before, after in zip(steps, steps[1:]):
        old, new = before.cell(key), after.cell(key)
        if old is None or new is None:
            return None
        tied = link(new, old, cumulative, order(after, before), (after.status[key], before.status[key]))
        if tied is None:
            return None
        if tied != EQUAL:
            low, high = low + tied[0], high + tied[1]
    return EQUAL if (low, high) == (0, 0) and all(
        link(b.cell(key), a.cell(key), cumulative, UNORDERED, ()) == EQUAL for a, b in zip(steps, steps[1:])) \
        else (low, high)


def build_network(now: Published, other: Published | None = None, knowledge: Knowledge = NOTHING,
                  between: list[Published] = ()) -> tuple[Network, dict]:
    """The network of `now` (forward), joined to `other` (reversed) when given. `between`: the
    publications a reader saw between the two (in order): ties go through them.

    Returns the network and {(side, key): edge index}, side 1 for now, 0 for other.
    """
    net = Network()
    edges: dict[tuple, int] = {}
    cumulative = now.table.cumulative
    direction = order(now, other) if other is not None else UNORDERED
    held = {}
    steps = [other, *between, now]

    def bounds(cell, published):
        low, high = interval(cell, published.status[cell.key])
        known = knowledge.of(cell, published)
        return (max(low, known[0]), min(high, known[1])) if known else (low, high)

    def add(side, cell, published, tail, head, buyable, also=None):
        low, high = bounds(cell, published)
        if also is not None:  # a cell that did not move: what both publications say about it
            low, high = max(low, also[0]), min(high, also[1])
        maskable = buyable and published.status[cell.key] == SHOWN and can_hide(cell)
        cost = (TOTAL_COST if cell.total else LEAF_COST) + cell.value * 1e-6
        edges[(side, cell.key)] = net.add(
            tail, head, low, high, cell.value, key=(side, cell.key),
            hidden=interval(cell, MASKED) if maskable else None, cost=cost if maskable else None,
            withheld=interval(cell, WITHHELD) if buyable else None,
            withheld_cost=WITHHOLD_FACTOR * cost if buyable else None)

    def old_of(cell):
        return other.cell(cell.key) if other is not None else None

    def tie(cell):
        if cell.key not in held:
            old = old_of(cell)
            if old is None:
                held[cell.key] = None
            elif between:
                held[cell.key] = chained(cell.key, steps, cumulative)
            else:
                held[cell.key] = link(cell, old, cumulative, direction, (now.status[cell.key], other.status[old.key]))
        return held[cell.key]

    def buyable(cell):
        """May be hidden (shown now) or withheld on its own (shown or a complement now)."""
        return (now.status[cell.key] in (SHOWN, MASKED) and cell.hideable and cell.published
                and tie(cell) != EQUAL and not knowledge.known(cell, now))

    def other_parent(key):
        parent = parents[key]
        return hub0 if parent == ("hub",) else ("n", 0, parent)

    hub0, hub1 = ("hub", 0), ("hub", 1)
    # Leaves into the hub.
    for cell in now.table.inflow:
        old, tied = old_of(cell), tie(cell)
        if tied == EQUAL:
            add(1, cell, now, hub0, hub1, False, also=bounds(old, other))
            edges[(0, cell.key)] = edges[(1, cell.key)]
        elif tied is not None:
            node = ("growth", cell.key)
            add(0, old, other, hub0, node, False)
            net.add("s", node, tied[0], tied[1], cell.value - old.value, key=("growth", cell.key))
            add(1, cell, now, node, hub1, buyable(cell))
        else:
            add(1, cell, now, "s", hub1, buyable(cell))
            if old is not None:
                add(0, old, other, hub0, "t", False)
    if other is not None:
        for cell in other.table.inflow:
            if now.cell(cell.key) is None:
                add(0, cell, other, hub0, "t", False)

    # Trees out of the hub: now forward (parent -> child), other reversed (child -> parent).
    def walk_now(tree: Tree, parent):
        cell = tree.cell
        if tree.children:
            node = ("n", 1, cell.key)
            add(1, cell, now, parent, node, buyable(cell))
            for child in tree.children:
                walk_now(child, node)
            return
        old, tied = old_of(cell), tie(cell)
        if tied == EQUAL:
            add(1, cell, now, parent, other_parent(cell.key), False, also=bounds(old, other))
            edges[(0, cell.key)] = edges[(1, cell.key)]
        elif tied is not None:
            node = ("growth", cell.key)
            add(1, cell, now, parent, node, buyable(cell))
            add(0, old, other, node, other_parent(cell.key), False)
            net.add(node, "t", tied[0], tied[1], cell.value - old.value, key=("growth", cell.key))
        else:
            add(1, cell, now, parent, "t", buyable(cell))
            if old is not None:
                add(0, old, other, "s", other_parent(cell.key), False)

    def walk_other(tree: Tree, parent):
        cell = tree.cell
        if tree.children:
            node = ("n", 0, cell.key)
            add(0, cell, other, node, parent, False)
            for child in tree.children:
                walk_other(child, node)
        elif now.cell(cell.key) is None:
            add(0, cell, other, "s", parent, False)
        # (leaves on both are added with their counterpart in walk_now)

    parents: dict[tuple, tuple] = {}
    if other is not None:
        for tree in other.table.outflow:
            _record_parents(tree, ("hub",), parents)
            walk_other(tree, hub0)
    for tree in now.table.outflow:
        walk_now(tree, hub1)
    # s and t are one outside node: what leaves the tables at one returns at the other.
    supply = sum(e.x for e in net.edges if e.tail == net.node("s")) - sum(
        e.x for e in net.edges if e.head == net.node("s"))
    net.add("t", "s", -INF, INF, supply, key=("retur",))
    net.check_conservation()
    return net, edges


def _record_parents(tree: Tree, parent_key, out: dict) -> None:
    out[tree.cell.key] = parent_key
    for child in tree.children:
        _record_parents(child, tree.cell.key, out)


# ---------------------------------------------------------------------------------------------
# Exposures
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exposure:
    """A small count a reader could pin closer than its label and public facts allow."""
    side: int
    key: tuple
    edge: int
    delta: int


class Pair:
    """One publication against one other (or alone), with its baseline built when first needed."""

    def __init__(self, now: Published, other: Published | None, knowledge: Knowledge = NOTHING,
                 between: list[Published] = ()):
        self.now, self.other, self.knowledge, self.between = now, other, knowledge, list(between)
        self._baseline = None

    def network(self) -> tuple[Network, dict]:
        return build_network(self.now, self.other, self.knowledge, self.between)

    def baseline(self) -> tuple[Network, dict]:
        """The pair with this publication showing nothing but its zeros (every other cell
        withheld): what public facts force whatever it shows. Zeros are public facts: every
        publication shows a zero as 0 (it points at nobody), short of withholding the table."""
        if self._baseline is None:
            bare = Published(self.now.table, {c.key: SHOWN if c.value == 0 and self.now.status[c.key] == SHOWN
                                              else WITHHELD for c in self.now.table.cells()},
                             self.now.tanggal, self.now.urutan)
            self._baseline = build_network(bare, self.other, self.knowledge, self.between)
        return self._baseline

    def exposures(self, net: Network | None = None, edges: dict | None = None) -> list[Exposure]:
        """Every small count (of either publication) a reader could narrow beyond what its
        label and public facts allow."""
        if net is None:
            net, edges = self.network()
        found = []
        for side, published in ((1, self.now), (0, self.other)):
            if published is None:
                continue
            for cell in published.table.cells():
                if cell.small and published.status[cell.key] != SHOWN and (side, cell.key) in edges:
                    found += self._exposure(net, edges[(side, cell.key)], side, cell)
        return found

    def _reach(self, side: int, cell: Cell, delta: int) -> int:
        """How far toward `delta` the count can move in the baseline, its own label kept (a
        hidden total is 1 or more whatever else is published)."""
        if not delta:
            return 0
        net, edges = self.baseline()
        edge = net.edges[edges[(side, cell.key)]]
        published = self.now if side == 1 else self.other
        kept = edge.lo, edge.hi
        low, high = interval(cell, published.status[cell.key])
        edge.lo, edge.hi = max(edge.lo, low), min(edge.hi, high)
        try:
            return int(math.copysign(net.room(edges[(side, cell.key)], delta), delta))
        finally:
            edge.lo, edge.hi = kept

    def _exposure(self, net: Network, index: int, side: int, cell: Cell) -> list[Exposure]:
        """A leaf must be able to take every value from 1 to its top (or as far as the baseline
        lets it); a total (whose children's "<5" already say it is at least their number) at
        least four values (or as many as the baseline has)."""
        if not cell.total:
            found = []
            for target in (SMALL_RANGE[0], int(cell.top)):
                delta = target - cell.value
                if net.can_shift(index, delta):
                    continue
                reach = self._reach(side, cell, delta)
                if reach and not net.can_shift(index, reach):
                    found.append(Exposure(side, cell.key, index, reach))
            return found
        span = SMALL_RANGE[1] - SMALL_RANGE[0]
        down, up = net.room(index, -span), net.room(index, +span)
        if down + up >= span:
            return []
        need = min(span, abs(self._reach(side, cell, -span)) + abs(self._reach(side, cell, +span)))
        if down + up >= need:
            return []
        return [Exposure(side, cell.key, index, +(need - down)), Exposure(side, cell.key, index, -(need - up))]
