"""Which cells to hide: small counts, and the complementary cells that keep them hidden.

A published table is a hub with leaves flowing in (the regency total; the partners) and trees
flowing out (kecamatan and their villages; the vulnerable-resident columns and their kecamatan
cells). Every cell is shown exactly, or hidden with a label whose meaning is public:

- "<5" on a leaf (a village, a partner, a kecamatan cell): the count is 1 to 4;
- "disamarkan" on a leaf: a complementary cell, hidden to protect a small one; its count is 5
  or more (a small count would say "<5", a zero is never hidden);
- "disamarkan" on a total (kecamatan, regency, column): 1 or more, no more said;
- "ditahan": the last resort for a table too small to protect cell by cell: 0 or more.

The protection rule: for every hidden small count, every value from 1 to 4 (or to its village's
wajib KTP, if fewer) stays possible given everything published on this date and on the date
before: the figures, the labels, the structure, and — the worst case — which cells did not move
between the two dates (equal) and, for figures counted since a programme's start, that they
never fall and that a partner's vulnerable residents cannot grow by more than its services. A
reader learns nothing about a hidden small count beyond "<5".

How: start with the small counts hidden (and, between two dates, every cell that did not move
keeps the status it had); while some small count can be pinned closer than 1..4, hide the
cheapest set of shown cells that opens a cycle through it (network.Network.cheapest_opening);
repeat. Every pass hides at least one cell, and hiding only ever widens what is possible, so it
ends with every small count protected. Between dates, see `publish_after`: each date is audited
against the date before's standalone pattern, which every published pattern contains.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

from .network import Network

log = logging.getLogger(__name__)
INF = math.inf
THRESHOLD = 5
SMALL = "<5"
MASKED = "disamarkan"
SHOWN = "tampil"
WITHHELD = "ditahan"

#: What each label tells a reader, as (lowest, highest) count; a cell's structural upper bound
#: (its wajib KTP, a partner's services) caps the highest.
SMALL_RANGE = (1, THRESHOLD - 1)
MASKED_LEAF_RANGE = (THRESHOLD, INF)
MASKED_TOTAL_RANGE = (1, INF)
WITHHELD_RANGE = (0, INF)

#: Cost of hiding a cell as a complement: a kecamatan or column total says more than a leaf.
LEAF_COST, TOTAL_COST = 1.0, 4.0


@dataclass
class Cell:
    key: tuple
    value: int
    upper: float = INF            # structural bound: wajib KTP, a partner's services
    total: bool = False           # a total (label "disamarkan" when hidden), not a leaf
    hideable: bool = True         # may be hidden as a complement (the regency may not)
    #: Cumulative cells with a companion count that bounds their growth (a partner's services,
    #: published as this interval): new vulnerable residents ≤ new services.
    companion: tuple[float, float] | None = None
    published: bool = True        # False: a structural cell nobody sees (always withheld)

    @property
    def small(self) -> bool:
        return 1 <= self.value < THRESHOLD

    @property
    def top(self) -> float:
        """The highest value a hidden small count must stay able to take."""
        return min(SMALL_RANGE[1], self.upper)


@dataclass
class Tree:
    cell: Cell
    children: list[Tree] = field(default_factory=list)


@dataclass
class Table:
    """One published table: `inflow` leaves into a hub, `outflow` trees out of it."""
    name: str
    inflow: list[Cell]
    outflow: list[Tree]
    cumulative: bool = False      # counted since a fixed start: never falls between dates

    def cells(self) -> list[Cell]:
        found = list(self.inflow)
        stack = list(self.outflow)
        while stack:
            tree = stack.pop()
            found.append(tree.cell)
            stack += tree.children
        return found


def interval(cell: Cell, status: str) -> tuple[float, float]:
    """What a reader knows about `cell` from its status alone."""
    if status == SHOWN:
        return (cell.value, cell.value)
    if status == SMALL:
        return (SMALL_RANGE[0], min(SMALL_RANGE[1], cell.upper))
    if status == WITHHELD:  # a companion count that bounds the cell is withheld with it
        return (WITHHELD_RANGE[0], WITHHELD_RANGE[1] if cell.companion else min(WITHHELD_RANGE[1], cell.upper))
    low, high = MASKED_TOTAL_RANGE if cell.total else MASKED_LEAF_RANGE
    return (low, min(high, cell.upper))


def first_status(cell: Cell) -> str:
    if not cell.published:
        return WITHHELD
    if cell.small:
        return MASKED if cell.total else SMALL
    return SHOWN


def _can_hide(cell: Cell) -> bool:
    """Hideable as a complement: its label's range must hold its value."""
    low, high = interval(cell, MASKED)
    return cell.hideable and low <= cell.value <= high


# ---------------------------------------------------------------------------------------------
# The network of one date, or of two consecutive dates
# ---------------------------------------------------------------------------------------------

@dataclass
class Published:
    """A table as published on one date: its cells and their statuses."""
    table: Table
    status: dict[tuple, str]

    def cell(self, key: tuple) -> Cell | None:
        return self._cells.get(key)

    def __post_init__(self):
        self._cells = {c.key: c for c in self.table.cells()}


def _linked(now: Cell, before: Cell | None, cumulative: bool) -> bool:
    """Did the cell keep its figure? (A reader is assumed to know.) A village keeps it when its
    registry row is unchanged (unrecorded and wajib KTP); a cumulative count when it did not grow."""
    if before is None or before.value != now.value:
        return False
    return cumulative or before.upper == now.upper


def _grew(now: Cell, before: Cell | None, cumulative: bool) -> bool:
    return cumulative and before is not None and now.value > before.value


def build_network(now: Published, before: Published | None = None) -> tuple[Network, dict]:
    """The network of `now` (forward), joined to `before` (reversed) when given.

    Returns the network and {(date, key): edge index}, date 1 for now, 0 for before.
    """
    net = Network()
    edges: dict[tuple, int] = {}
    cumulative = now.table.cumulative

    def add(date, cell, status, tail, head, buyable, also=None):
        low, high = interval(cell, status)
        if also is not None:  # a cell that did not move: what both dates say about it
            low, high = max(low, also[0]), min(high, also[1])
        hidden = interval(cell, MASKED) if buyable else None
        cost = (TOTAL_COST if cell.total else LEAF_COST) + cell.value * 1e-6 if buyable else None
        edges[(date, cell.key)] = net.add(tail, head, low, high, cell.value, key=(date, cell.key),
                                          hidden=hidden, cost=cost)

    def old_of(cell):
        return before.cell(cell.key) if before is not None else None

    def linked(cell):
        return _linked(cell, old_of(cell), cumulative)

    def shared(cell):
        old = old_of(cell)
        return interval(old, before.status[old.key])

    def buyable(cell):
        return now.status[cell.key] == SHOWN and _can_hide(cell) and not linked(cell)

    def before_parent(key):
        parent = _parent_key[key]
        return hub0 if parent == ("hub",) else ("n", 0, parent)

    hub0, hub1 = ("hub", 0), ("hub", 1)
    # Leaves into the hub.
    for cell in now.table.inflow:
        old = old_of(cell)
        if linked(cell):
            add(1, cell, now.status[cell.key], hub0, hub1, False, also=shared(cell))
            edges[(0, cell.key)] = edges[(1, cell.key)]
        elif _grew(cell, old, cumulative):
            growth = _growth_cap(cell, old) if WITHHELD not in (now.status[cell.key], before.status[old.key]) else INF
            node = ("growth", cell.key)
            add(0, old, before.status[old.key], hub0, node, False)
            net.add("s", node, 0, growth, cell.value - old.value, key=("growth", cell.key))
            add(1, cell, now.status[cell.key], node, hub1, buyable(cell))
        else:
            add(1, cell, now.status[cell.key], "s", hub1, buyable(cell))
            if old is not None:
                add(0, old, before.status[old.key], hub0, "t", False)
    if before is not None:
        for cell in before.table.inflow:
            if now.cell(cell.key) is None:
                add(0, cell, before.status[cell.key], hub0, "t", False)

    # Trees out of the hub: now forward (parent -> child), before reversed (child -> parent).
    def walk_now(tree: Tree, parent):
        cell = tree.cell
        old = old_of(cell)
        if tree.children:
            node = ("n", 1, cell.key)
            add(1, cell, now.status[cell.key], parent, node, buyable(cell))
            for child in tree.children:
                walk_now(child, node)
            return
        if linked(cell):
            add(1, cell, now.status[cell.key], parent, before_parent(cell.key), False, also=shared(cell))
            edges[(0, cell.key)] = edges[(1, cell.key)]
        elif _grew(cell, old, cumulative):
            node = ("growth", cell.key)
            add(1, cell, now.status[cell.key], parent, node, buyable(cell))
            add(0, old, before.status[old.key], node, before_parent(cell.key), False)
            net.add(node, "t", 0, INF, cell.value - old.value, key=("growth", cell.key))
        else:
            add(1, cell, now.status[cell.key], parent, "t", buyable(cell))
            if old is not None:
                add(0, old, before.status[old.key], "s", before_parent(cell.key), False)

    def walk_before(tree: Tree, parent):
        cell = tree.cell
        if tree.children:
            node = ("n", 0, cell.key)
            add(0, cell, before.status[cell.key], node, parent, False)
            for child in tree.children:
                walk_before(child, node)
        elif now.cell(cell.key) is None:
            add(0, cell, before.status[cell.key], "s", parent, False)
        # (leaves present on both dates are added with their counterpart in walk_now)

    _parent_key: dict[tuple, tuple] = {}
    if before is not None:
        for tree in before.table.outflow:
            _record_parents(tree, ("hub",), _parent_key)
            walk_before(tree, hub0)
    for tree in now.table.outflow:
        walk_now(tree, hub1)
    _close(net)
    net.check_conservation()
    return net, edges


def _record_parents(tree: Tree, parent_key, out: dict) -> None:
    out[tree.cell.key] = parent_key
    for child in tree.children:
        _record_parents(child, tree.cell.key, out)


def _growth_cap(now: Cell, before: Cell) -> float:
    """A cumulative leaf never falls, and grows by no more than its companion count could have
    grown (new vulnerable residents served ≤ new services)."""
    if now.companion is None or before.companion is None:
        return INF
    return now.companion[1] - before.companion[0]


def _close(net: Network) -> None:
    """Return what reaches t to s, so the flows form a circulation."""
    supply = sum(e.x for e in net.edges if e.tail == net.node("s"))
    net.add("t", "s", 0, INF, supply, key=("retur",))


# ---------------------------------------------------------------------------------------------
# Audit and suppression
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exposure:
    """A small count a reader could pin closer than 1..4."""
    date: int
    key: tuple
    edge: int
    delta: int


def exposures(now: Published, before: Published | None = None) -> list[Exposure]:
    """Every small count (of either date) that a reader could narrow beyond its label."""
    net, edges = build_network(now, before)
    return _exposures(net, edges, now, before)


def _exposures(net: Network, edges: dict, now: Published, before: Published | None) -> list[Exposure]:
    found = []
    for date, published in ((1, now), (0, before)):
        if published is None:
            continue
        for cell in published.table.cells():
            if cell.small and (date, cell.key) in edges:
                found += _exposure(net, edges[(date, cell.key)], date, cell)
    return found


def _exposure(net: Network, index: int, date: int, cell: Cell) -> list[Exposure]:
    """What a small count still needs: a leaf must be able to take every value from 1 to its
    top; a total (whose children's "<5" labels already say it is at least their number) must
    be able to take at least four values, as many as "<5" allows."""
    if not cell.total:
        return [Exposure(date, cell.key, index, int(target) - cell.value)
                for target in (SMALL_RANGE[0], cell.top) if not net.can_shift(index, int(target) - cell.value)]
    span = SMALL_RANGE[1] - SMALL_RANGE[0]
    down, up = net.room(index, -span), net.room(index, +span)
    if down + up >= span:
        return []
    return [Exposure(date, cell.key, index, +(span - down)), Exposure(date, cell.key, index, -(span - up))]


def suppress(table: Table, before: Published | None = None, start: dict[tuple, str] | None = None) -> Published:
    """The statuses `table` is published with, audited together with `before` (the date
    before, as a reader may know it). `start`: statuses to begin from (default: the small
    counts hidden); a cell that kept its figure keeps the status it had before, unless `start`
    hides it anyway."""
    status = {}
    for cell in table.cells():
        old = before.cell(cell.key) if before else None
        first = start[cell.key] if start is not None else first_status(cell)
        status[cell.key] = before.status[old.key] if first == SHOWN and _linked(cell, old, table.cumulative) \
            else first
    now = Published(table, status)
    if not any(c.small for c in table.cells()) and (
            before is None or all(s == SHOWN for s in before.status.values())):
        return now  # nothing small now, nothing hidden before: nothing to protect
    for _ in range(len(status) + 1):
        net, edges = build_network(now, before)
        found = _exposures(net, edges, now, before)
        if not found:
            return now
        first = found[0]
        options = [net.cheapest_opening(e.edge, e.delta) for e in found if e.key == first.key and e.date == first.date]
        options = [o for o in options if o]
        opening = min(options, key=lambda o: sum(net.edges[i].cost for i in o)) if options else None
        if opening is None:
            if any(status[k] != WITHHELD for k in _withholdable(table, before)):
                # A table too small to protect cell by cell (say, two partners with one elderly
                # resident each, both in one kecamatan: "<5" on both sides caps each at 3):
                # withhold its figures, zeros included ("ditahan": 0 or more).
                for key in _withholdable(table, before):
                    status[key] = WITHHELD
                continue
            # Only what the date before published is exposed, and that is out already.
            log.warning("%s: %s stays exposed by the date before's pattern", table.name, first.key)
            return now
        for index in opening:
            _date, key = net.edges[index].key
            status[key] = MASKED
    raise ProtectionError(f"{table.name}: suppression did not settle")


def _withholdable(table: Table, before: Published | None) -> list[tuple]:
    """Cells whose status may still change: all but those that kept their figure."""
    return [c.key for c in table.cells()
            if not _linked(c, before.cell(c.key) if before else None, table.cumulative)]


def publish_after(table: Table, table_before: Table | None) -> tuple[Published, Published | None]:
    """The statuses `table` is published with when the date before had `table_before`.

    Each date has a standalone pattern Q (its own figures only). What is published, P, starts
    from Q and adds whatever the joint audit with the date before's Q needs. So every published
    pattern hides at least its date's Q, and a reader of the date before knew at most what Q
    showed: auditing against Q is auditing against a reader who knows more than any real one.
    That needs two dates' figures, not the whole history. Returns (P, the date before's Q).
    """
    alone = suppress(table)
    if table_before is None:
        return alone, None
    before = suppress(table_before)
    return suppress(table, before, start=alone.status), before


class ProtectionError(RuntimeError):
    """A small count that no suppression pattern can protect (never seen on real structures)."""
