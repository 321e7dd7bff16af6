"""Which cells to hide: small counts, and the complementary cells that keep them hidden against
everything published before.

The protection rule: for every hidden small count, every value from 1 to 4 (or to its village's
wajib KTP, if fewer) stays possible given everything a reader holds: this publication and every
earlier one of the same table (every date, every republication of a date), the structure, and
the ties across publications a careful reader knows (audit.py: figures that did not move,
recorded residents and partner figures that never fall) — except what public facts exclude
whatever this publication shows (audit.Pair.baseline). A reader learns nothing about a hidden
small count beyond "<5" and what was public anyway.

How: start with the small counts hidden, and every figure that did not move since the
publication before (of the same date, else of the date before) with the status it had there:
hiding a figure already shown says nothing, showing one hidden before gives the date before's
back. Then audit the publication alone and against each publication the reader holds, one pair
at a time (the one before first, then the most recent first): while some small count can be
pinned closer than its label allows, hide the cheapest set of shown cells that opens a cycle
through it (network.Network.cheapest_opening). Hiding only ever widens what is possible, so a
pair once settled stays settled, and it ends with every small count protected against every
pair. A table too small to protect cell by cell is withheld ("ditahan").
"""
from __future__ import annotations

import logging

from bulukumba.disclosure.audit import EQUAL, UNORDERED, Knowledge, Pair, link, order
from bulukumba.disclosure.relay import Chain, relayed
from bulukumba.disclosure.cells import (INF, LEAF_COST, MASKED, MASKED_LEAF_RANGE, MASKED_TOTAL_RANGE, SHOWN, SMALL, SMALL_RANGE,
                    THRESHOLD, TOTAL_COST, WITHHELD, WITHHELD_RANGE, Cell, Published, Table, Tree, can_hide,
                    first_status, interval)

log = logging.getLogger(__name__)

__all__ = ["INF", "LEAF_COST", "MASKED", "MASKED_LEAF_RANGE", "MASKED_TOTAL_RANGE", "SHOWN", "SMALL", "SMALL_RANGE",
           "THRESHOLD", "TOTAL_COST", "WITHHELD", "WITHHELD_RANGE", "Cell", "Published", "Table", "Tree", "can_hide",
           "first_status", "interval", "ProtectionError", "suppress", "the_one_before"]


def the_one_before(history: list[Published], tanggal) -> Published | None:
    """The publication a new one of `tanggal` follows: the newest of that date, else the newest
    of the nearest earlier date (None: none before)."""
    earlier = [p for p in history if tanggal is None or p.tanggal is None or p.tanggal <= tanggal]
    return max(earlier, key=lambda p: (p.tanggal, p.urutan)) if earlier else None


def _kept(cell: Cell, before: Published | None, cumulative: bool) -> bool:
    """Did the cell keep its figure since the publication before?"""
    old = before.cell(cell.key) if before is not None else None
    return old is not None and link(cell, old, cumulative, UNORDERED, ()) == EQUAL


def capped(table: Table, before: Published | None) -> set[tuple]:
    """Registry cells that public facts alone cap below 4 unrecorded, to be withheld whatever
    their figure. A village whose wajib KTP moved since the publication before can have at most
    what that one said plus the rise (recorded residents never fall): shown at 0 with two
    residents turned 17, at most 2. "<5" there would say exactly which of 1..2 it is no less
    than the reader already knows, and a 0 shown beside it would tell the two apart; withheld
    ("ditahan", 0 or more) whatever its figure, it says only what wajib KTP says. A kecamatan (or
    the regency) all of whose villages are such, or shown at 0, is capped by their sum: the same.
    The choice reads only published figures (earlier labels, wajib KTP, zeros)."""
    if before is None or table.cumulative:
        return set()
    found: set[tuple] = set()

    def cap(tree) -> float:
        """The public cap of a cell's unrecorded, if it is one of these (else INF)."""
        cell = tree.cell
        if tree.children:
            caps = [cap(child) for child in tree.children]
            within = sum(caps)
            if within < THRESHOLD - 1 and any(child.cell.key in found for child in tree.children):
                found.add(cell.key)
            return within
        old = before.cell(cell.key)
        if old is not None and old.upper != cell.upper and cell.published:
            most = interval(old, before.status[old.key])[1] + (cell.upper - old.upper)
            if most < THRESHOLD - 1:
                found.add(cell.key)
                return max(most, 0)
        return 0 if cell.value == 0 else INF

    regency = Tree(table.inflow[0], table.outflow) if len(table.inflow) == 1 else None
    if regency is not None:
        cap(regency)
    return found


def suppress(table: Table, history: list[Published] = (), tanggal=None) -> Published:
    """The statuses `table` (the figures of `tanggal`) is published with, audited against every
    publication of the same table in `history`."""
    history = list(history)
    before = the_one_before(history, tanggal)
    withheld_by_cap = capped(table, before)
    status = {}
    for cell in table.cells():
        if cell.key in withheld_by_cap:
            status[cell.key] = WITHHELD
        else:
            status[cell.key] = before.status[cell.key] if _kept(cell, before, table.cumulative) else first_status(cell)
    now = Published(table, status, tanggal)
    if not any(c.small for c in table.cells()) and all(
            s == SHOWN for p in history for s in p.status.values()):
        return now  # nothing small now, nothing hidden before: nothing to protect
    knowledge = Knowledge(history)
    seen = sorted(history, key=lambda p: p.urutan)       # in the order a reader saw them
    others = [None] + ([before] if before is not None else []) + sorted(
        (p for p in history if p is not before), key=lambda p: (p.tanggal, p.urutan), reverse=True)
    withheld = False
    for other in others:
        between = seen[seen.index(other) + 1:] if other is not None else []
        pair = Pair(now, other, knowledge, between)
        for _ in range(len(status) + 2):
            net, edges = pair.network()
            found = pair.exposures(net, edges)
            if not found:
                break
            first = found[0]
            if _buy(net, [(e.edge, e.delta) for e in found if (e.side, e.key) == (first.side, first.key)], status):
                continue
            if not withheld:
                log.info("%s %s: withheld; %s cannot be protected cell by cell (against %s)", table.name, tanggal,
                         first, other.tanggal if other is not None else "itself")
                withheld = _withhold(table, before, status)
                continue
            # Only what was published before is exposed, and that is out already.
            log.warning("%s %s: %s stays exposed by what was published before", table.name, tanggal, first.key)
            break
        else:
            raise ProtectionError(f"{table.name}: suppression did not settle")
    _relay(now, seen, knowledge, table, tanggal, before, withheld)
    return now


def _buy(net, wanted: list[tuple[int, int]], status: dict) -> bool:
    """Hide (or withhold) the cheapest cells that open a way for one of `wanted` (edge, shift);
    False when no hiding helps."""
    options = [o for o in (net.cheapest_opening(edge, delta) for edge, delta in wanted) if o]
    if not options:
        return False
    for index, how in min(options, key=lambda o: sum(_cost(net.edges[i], how) for i, how in o)):
        status[net.edges[index].key[1]] = MASKED if how == "hidden" else WITHHELD
    return True


def _withhold(table: Table, before: Published | None, status: dict) -> bool:
    """A table too small to protect cell by cell (say, two partners with one elderly resident
    each, both in one kecamatan, nothing else to hide: "<5" on both sides caps each at 3):
    withhold its figures, zeros included ("ditahan": 0 or more). What did not move keeps its
    status: the reader has it from the publication before."""
    for cell in table.cells():
        if not _kept(cell, before, table.cumulative):
            status[cell.key] = WITHHELD
    return True


def _relay(now: Published, seen: list[Published], knowledge: Knowledge, table: Table, tanggal,
           before: Published | None, withheld: bool) -> None:
    """Settle what the new publication, the last one and the one before it say together
    (audit.relayed): widen, in the new one's pair with the last, every bound it puts on a hidden
    cell of the last one that narrows a small count of the pair before."""
    status, chain = now.status, Chain()
    for _ in range(len(status) + 2):
        owed = relayed(now, seen, knowledge, chain)
        if not owed:
            return
        net, edges = Pair(now, seen[-1], knowledge).network()
        if _buy(net, [(edges[(0, key)], delta) for key, delta in owed if (0, key) in edges], status):
            continue
        if not withheld:
            log.info("%s %s: withheld; three publications together say too much", table.name, tanggal)
            withheld = _withhold(table, before, status)
            continue
        log.warning("%s %s: three publications together stay narrower than the pairs", table.name, tanggal)
        return


def _cost(edge, how: str) -> float:
    return edge.cost if how == "hidden" else edge.withheld_cost


def exposures(now: Published, other: Published | None = None, knowledge: Knowledge | None = None) -> list:
    """Every small count (of either publication) a reader could narrow beyond its label."""
    return Pair(now, other, knowledge or Knowledge()).exposures()


class ProtectionError(RuntimeError):
    """A small count that no suppression pattern can protect (never seen on real structures)."""
