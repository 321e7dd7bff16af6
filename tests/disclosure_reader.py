"""The reader of published tables, as an integer program written from the rules directly.

Independent of the network audit (bulukumba/disclosure/audit.py): every publication a reader
holds (of one table: each date, each republication, in the order they were published) is a set
of integer variables, one per cell, each within its label's interval; each tree node is the sum
of its children and the hub's inflow equals its outflow; between each publication and the one
before it, the reader ties a leaf that kept its figure (equal), a village whose recorded
residents did not fall (its unrecorded rise by at most its rise in wajib KTP), and a partner
count that did not fall (growing by no more than its services could). All publications at once:
chains of any length, not pairs.

`narrowed` lists the small counts some publication let this reader pin closer than their label
and public facts allowed then (the range a count has with the publications before it, and that
one showing nothing but its zeros and wajib KTP).
"""
from __future__ import annotations

from bulukumba.disclosure import suppress as sp
from bulukumba.disclosure.audit import EQUAL, link, order
from disclosure_attack import INF, Model


def _sums(model: Model, i: int, tree: sp.Tree) -> None:
    if tree.children:
        model.constrain({(i, tree.cell.key): 1, **{(i, c.cell.key): -1 for c in tree.children}}, 0, 0)
        for child in tree.children:
            _sums(model, i, child)


def reader_model(publications: list[sp.Published], observed_before: int | None = None,
                 own: tuple | None = None) -> Model:
    """Publications from `observed_before` on show only their zeros (the rest withheld); `own`
    (index, key) keeps its label."""
    model = Model()
    cutoff = len(publications) if observed_before is None else observed_before
    for i, published in enumerate(publications):
        for cell in published.table.cells():
            status = published.status[cell.key]
            if i >= cutoff and (i, cell.key) != own:
                status = sp.SHOWN if cell.value == 0 and cell.published else sp.WITHHELD
            model.var((i, cell.key), *sp.interval(cell, status))
        for tree in published.table.outflow:
            _sums(model, i, tree)
        model.constrain({**{(i, c.key): 1 for c in published.table.inflow},
                         **{(i, t.cell.key): -1 for t in published.table.outflow}}, 0, 0)
    for i in range(1, len(publications)):
        now, other = publications[i], publications[i - 1]
        direction = order(now, other)
        for cell in now.table.leaves():
            old = other.cell(cell.key)
            if old is None:
                continue
            statuses = (now.status[cell.key], other.status[old.key])
            if i >= cutoff:
                statuses = (sp.WITHHELD, sp.WITHHELD)
            tied = link(cell, old, now.table.cumulative, direction, statuses)
            if tied == EQUAL:
                model.constrain({(i, cell.key): 1, (i - 1, cell.key): -1}, 0, 0)
            elif tied is not None:
                model.constrain({(i, cell.key): 1, (i - 1, cell.key): -1}, tied[0], tied[1])
    return model


def small_counts(publications: list[sp.Published]):
    """(index, cell) of every small count the publications hold."""
    return [(i, cell) for i, published in enumerate(publications) for cell in published.table.cells() if cell.small]


def narrowed(publications: list[sp.Published]) -> list[tuple]:
    """(step, index, key, value, range, allowed) of every small count that some publication let
    this reader pin closer than its label and what public facts already said: after step j
    (publications up to j held), each small count's range must reach as far toward 1 and its
    top (a total: four values) as it could with the publications before j and only the zeros
    and wajib KTP of j (`reader_model(..., observed_before=j)`)."""
    final = reader_model(publications)
    found = []
    for i, cell in small_counts(publications):
        low, high = final.range_of((i, cell.key))
        assert low <= cell.value <= high, (i, cell.key, cell.value, (low, high))
        if _holds(cell, low, high, (1, cell.top)):
            continue  # not narrowed at all, so by no step either
        for step in range(i, len(publications)):
            held = reader_model(publications[:step + 1]).range_of((i, cell.key))
            base = reader_model(publications[:step + 1], observed_before=step,
                                own=(i, cell.key) if i == step else None).range_of((i, cell.key))
            allowed = (max(1, base[0]), min(cell.top, base[1]) if not cell.total else base[1])
            if not _holds(cell, *held, allowed, allowed):
                found.append((step, i, cell.key, cell.value, held, allowed))
                break
    return found


def _holds(cell: sp.Cell, low, high, wanted, allowed=None) -> bool:
    """A leaf: its range reaches both ends of `wanted`; a total: four values, or as many as
    `allowed` has."""
    if cell.total:
        span = 4 if allowed is None else min(4, (allowed[1] - allowed[0] + 1) if allowed[1] < INF else 4)
        return (high - low + 1 if high < INF else INF) >= span
    return low <= wanted[0] and high >= wanted[1]
