"""Published tables as cells, and what each label tells a reader.

A published table is a hub with leaves flowing in (the regency total; the partners) and trees
flowing out (kecamatan and their villages; the vulnerable-resident columns and their kecamatan
cells). Every cell is shown exactly, or hidden with a label whose meaning is public:

- "<5" on a leaf (a village, a partner, a kecamatan cell): the count is 1 to 4;
- "disamarkan" on a leaf: a complementary cell, hidden to protect a small one; its count is 5
  or more (a small count would say "<5", a zero is never hidden);
- "disamarkan" on a total (kecamatan, regency, column): 1 or more, no more said;
- "ditahan": the last resort for a table too small to protect cell by cell: 0 or more.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

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

    def leaves(self) -> list[Cell]:
        """The cells a reader ties across publications: leaves into the hub and out of its trees."""
        found = list(self.inflow)
        stack = list(self.outflow)
        while stack:
            tree = stack.pop()
            if tree.children:
                stack += tree.children
            else:
                found.append(tree.cell)
        return found


@dataclass
class Published:
    """A table as published: its cells and their statuses, the date it is for, and its place
    among the publications of the same table (`urutan`: the store's order; a new one comes
    after every stored one)."""
    table: Table
    status: dict[tuple, str]
    tanggal: dt.date | None = None
    urutan: float = INF
    sidik: str | None = None      # the fingerprint of its figures (history.sidik)

    def cell(self, key: tuple) -> Cell | None:
        return self._cells.get(key)

    def __post_init__(self):
        self._cells = {c.key: c for c in self.table.cells()}


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


def can_hide(cell: Cell) -> bool:
    """Hideable as a complement: its label's range must hold its value."""
    low, high = interval(cell, MASKED)
    return cell.hideable and low <= cell.value <= high
