"""A small circulation network for auditing what a suppression pattern lets a reader work out.

The published relations (regency = Σ kecamatan = Σ villages; vulnerable residents served = Σ
partners = Σ kecamatan cells), on one date or on two consecutive dates tied together by the
figures that did not move, form a network: every count is the flow on one edge and every
relation is conservation at one node. The true figures are one feasible circulation; what a
reader knows about a cell is the interval its edge is published with.

A hidden cell can take the value t exactly when its flow can be moved from x to t with every
other edge staying within its published bounds: when |t − x| units can be pushed around a
cycle through it. Network matrices are totally unimodular, so the answer is the same for whole
numbers as for real ones: a reader with a linear or integer program learns no more than these
pushes show (the test attacker checks this with an integer program).

Pure Python: a handful of breadth-first searches per question, on a few hundred edges.
"""
from __future__ import annotations

import heapq
import math
from collections import defaultdict, deque
from dataclasses import dataclass

INF = math.inf


@dataclass
class Edge:
    tail: int
    head: int
    lo: float
    hi: float
    x: int                      # the true value
    key: object = None          # the cell it carries
    #: Bounds the edge would have if its cell were hidden, and the cost of hiding it
    #: (None: it cannot be hidden here).
    hidden: tuple[float, float] | None = None
    cost: float | None = None
    #: The same if its cell were withheld on its own ("ditahan": 0 or more), for when hiding
    #: it with a label is not enough.
    withheld: tuple[float, float] | None = None
    withheld_cost: float | None = None


class Network:
    def __init__(self) -> None:
        self.edges: list[Edge] = []
        self._touching: dict[int, list[int]] = defaultdict(list)
        self._nodes: dict[object, int] = {}

    def node(self, name) -> int:
        if name not in self._nodes:
            self._nodes[name] = len(self._nodes)
        return self._nodes[name]

    def add(self, tail, head, lo: float, hi: float, x: int, key=None,
            hidden: tuple[float, float] | None = None, cost: float | None = None,
            withheld: tuple[float, float] | None = None, withheld_cost: float | None = None) -> int:
        if not lo <= x <= hi:
            raise ValueError(f"{key}: true value {x} outside its published bounds [{lo}, {hi}]")
        edge = Edge(self.node(tail), self.node(head), lo, hi, int(x), key, hidden, cost, withheld, withheld_cost)
        self.edges.append(edge)
        index = len(self.edges) - 1
        self._touching[edge.tail].append(index)
        self._touching[edge.head].append(index)
        return index

    def check_conservation(self) -> None:
        balance: dict[int, int] = defaultdict(int)
        for edge in self.edges:
            balance[edge.tail] -= edge.x
            balance[edge.head] += edge.x
        wrong = {n: b for n, b in balance.items() if b}
        if wrong:
            names = {v: k for k, v in self._nodes.items()}
            raise ValueError(f"the figures do not add up at {[names[n] for n in wrong]}")

    # -----------------------------------------------------------------------------------------

    def _steps(self, node: int, extra: dict[int, int], skip: int):
        """(edge, next node, residual capacity) of each way out of `node`."""
        for i in self._touching[node]:
            if i == skip:
                continue
            edge = self.edges[i]
            x = edge.x + extra.get(i, 0)
            if edge.tail == node:
                yield i, edge.head, +1, edge.hi - x
            if edge.head == node:
                yield i, edge.tail, -1, x - edge.lo

    def can_shift(self, index: int, delta: int) -> bool:
        """Can edge `index` carry x + delta, every other edge within its bounds?"""
        if delta == 0:
            return True
        edge = self.edges[index]
        if not edge.lo <= edge.x + delta <= edge.hi:
            return False
        # Raising the edge's flow means sending delta units from its head back to its tail.
        source, sink = (edge.head, edge.tail) if delta > 0 else (edge.tail, edge.head)
        return self._push(source, sink, abs(delta), skip=index)[0] >= abs(delta)

    def room(self, index: int, delta: int) -> int:
        """How far (up to |delta|) edge `index` can move in delta's direction."""
        edge = self.edges[index]
        limit = min(abs(delta), edge.hi - edge.x if delta > 0 else edge.x - edge.lo)
        if limit <= 0:
            return 0
        source, sink = (edge.head, edge.tail) if delta > 0 else (edge.tail, edge.head)
        return self._push(source, sink, int(limit), skip=index)[0]

    def _push(self, source: int, sink: int, need: int, skip: int) -> tuple[int, dict[int, int]]:
        """How many units (up to `need`) can go from source to sink, by augmenting paths; and
        the flow changes that carry them."""
        extra: dict[int, int] = {}
        pushed = 0
        while pushed < need:
            parent: dict[int, tuple[int, int, int]] = {source: (-1, 0, 0)}
            queue = deque([source])
            while queue and sink not in parent:
                node = queue.popleft()
                for i, nxt, direction, capacity in self._steps(node, extra, skip):
                    if capacity > 0 and nxt not in parent:
                        parent[nxt] = (i, direction, node)
                        queue.append(nxt)
            if sink not in parent:
                break
            path, node = [], sink
            while node != source:
                i, direction, previous = parent[node]
                path.append((i, direction))
                node = previous
            amount = need - pushed
            for i, direction in path:
                edge = self.edges[i]
                x = edge.x + extra.get(i, 0)
                amount = min(amount, edge.hi - x if direction > 0 else x - edge.lo)
            amount = int(amount)
            for i, direction in path:
                extra[i] = extra.get(i, 0) + direction * amount
            pushed += amount
        return pushed, extra

    def cheapest_opening(self, index: int, delta: int) -> list[tuple[int, str]] | None:
        """The cheapest cells to hide so that edge `index` gets closer to shifting by `delta`:
        (edge, "hidden" or "withheld") pairs.

        Pushes what it can as published now, then looks for the cheapest path back around the
        cycle in what is left: each edge usable as published (free), once hidden, or once
        withheld (their costs). A path that carries all that is missing is preferred; else one
        that adds at least a unit (the caller asks again). None when no hiding helps.
        """
        edge = self.edges[index]
        need = abs(delta)
        source, sink = (edge.head, edge.tail) if delta > 0 else (edge.tail, edge.head)
        pushed, extra = self._push(source, sink, need, skip=index)
        if pushed >= need:
            return []
        for capacity in (need - pushed, 1):
            found = self._cheapest_path(source, sink, capacity, extra, skip=index)
            if found is not None:
                return found
        return None

    def _cheapest_path(self, source: int, sink: int, capacity: int, extra: dict[int, int],
                       skip: int) -> list[tuple[int, str]] | None:
        best = {source: 0.0}
        back: dict[int, tuple[int, int, str | None]] = {}
        heap = [(0.0, source)]
        while heap:
            cost, node = heapq.heappop(heap)
            if node == sink:
                break
            if cost > best.get(node, INF):
                continue
            for i in self._touching[node]:
                if i == skip:
                    continue
                e = self.edges[i]
                x = e.x + extra.get(i, 0)
                for nxt, forward in ((e.head, True), (e.tail, False)):
                    if (e.tail if forward else e.head) != node:
                        continue
                    room = (e.hi - x) if forward else (x - e.lo)
                    if room >= capacity:
                        step, buys = 0.0, None
                    elif e.hidden is not None and e.cost is not None and \
                            ((e.hidden[1] - x) if forward else (x - e.hidden[0])) >= capacity:
                        step, buys = e.cost, "hidden"
                    elif e.withheld is not None and e.withheld_cost is not None and \
                            ((e.withheld[1] - x) if forward else (x - e.withheld[0])) >= capacity:
                        step, buys = e.withheld_cost, "withheld"
                    else:
                        continue
                    if cost + step < best.get(nxt, INF):
                        best[nxt] = cost + step
                        back[nxt] = (i, node, buys)
                        heapq.heappush(heap, (cost + step, nxt))
        if sink not in best:
            return None
        bought, node = [], sink
        while node != source:
            i, previous, buys = back[node]
            if buys:
                bought.append((i, buys))
            node = previous
        return bought
