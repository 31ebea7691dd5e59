"""The event graph of a workload: which flow's outcome starts which flow, and
which bounded context consumes which context's events.

The ``after`` relation is a forest by construction: a flow names at most one
``after``, and the loader rejects loops (no flow of a loop could ever start).
Depth, the choreographed chain's duration and an upstream-first order are
therefore a walk up each flow's parents, linear and exact, with no graph
library. The context map is a general directed graph, and its loops (contexts
reacting to each other's events) come from networkx, imported only when a loop
exists at all (a linear peeling of the map decides that first):
networkx costs more to import than Python's whole start-up.
"""
from __future__ import annotations

from collections import Counter
from functools import cached_property

from .model import Workload


class EventGraph:
    def __init__(self, workload: Workload):
        self.workload = workload
        self.flows = {f.name: f for f in workload.flows}
        self.edges = [(f.after, f.name) for f in workload.flows if f.after]
        self._downstream: dict[str, list[str]] = {}
        for a, b in self.edges:
            self._downstream.setdefault(a, []).append(b)

    def downstream(self, name: str) -> list[str]:
        """Flows started by ``name``'s outcome, in file order."""
        return list(self._downstream.get(name, ()))

    def _parent(self, name: str) -> str | None:
        after = self.flows[name].after
        return after if after in self.flows else None

    def upstream_chain(self, name: str) -> list[str]:
        """The flows before ``name``, nearest first. A loop (possible only in a model built in code, the loader
        rejects it) ends the chain where it comes back."""
        chain, seen = [], {name}
        parent = self._parent(name)
        while parent is not None and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = self._parent(parent)
        return chain

    @cached_property
    def _depth_and_chain(self) -> tuple[dict[str, int], dict[str, float]]:
        """Depth and chain duration of every flow, parents first so each is one step from its parent's."""
        depth: dict[str, int] = {}
        chain: dict[str, float] = {}
        for name in self.decision_order():
            parent = self._parent(name)
            if parent is not None and parent in depth and parent != name:
                depth[name] = depth[parent] + 1
                chain[name] = chain[parent] + self.flows[name].duration
            else:  # a root, or a loop built in code: walk what there is
                up = self.upstream_chain(name)
                depth[name] = len(up)
                chain[name] = self.flows[name].duration + sum(self.flows[n].duration for n in up)
        return depth, chain

    def depth(self, name: str) -> int:
        return self._depth_and_chain[0][name]

    def chain_duration(self, name: str) -> float:
        return self._depth_and_chain[1][name]

    def decision_order(self) -> list[str]:
        """Every flow after the flow it follows; otherwise file order. Each walk up stops at a flow already
        placed, so the whole order costs one pass over the flows."""
        order: list[str] = []
        placed: set[str] = set()
        for f in self.workload.flows:
            pending, seen, name = [], set(), f.name
            while name is not None and name not in placed and name not in seen:
                pending.append(name)
                seen.add(name)
                name = self._parent(name)
            for name in reversed(pending):
                placed.add(name)
                order.append(name)
        return order

    @cached_property
    def context_edges(self) -> list[tuple[str, str]]:
        """Producer context -> consumer context, for consumers and after: links (distinct, sorted)."""
        edges = set()
        for f in self.workload.flows:
            for consumer in f.consumers:
                if consumer != f.context:
                    edges.add((f.context, consumer))
            if f.after and f.after in self.flows and self.flows[f.after].context != f.context:
                edges.add((self.flows[f.after].context, f.context))
        return sorted(edges)

    @cached_property
    def _context_counts(self) -> tuple[Counter, Counter]:
        inbound: Counter = Counter()
        outbound: Counter = Counter()
        for a, b in self.context_edges:
            outbound[a] += 1
            inbound[b] += 1
        return inbound, outbound

    def context_degree(self, context: str) -> int:
        inbound, outbound = self._context_counts
        return inbound[context] + outbound[context]

    @cached_property
    def _context_cycles(self) -> dict[str, list[str]]:
        """Context -> the contexts of its loop (sorted), for contexts in a loop."""
        if not self._context_loop_exists():
            return {}
        import networkx as nx

        g = nx.DiGraph(self.context_edges)
        out: dict[str, list[str]] = {}
        for comp in nx.strongly_connected_components(g):
            if len(comp) > 1:
                for name in comp:
                    out[name] = sorted(comp)
        return out

    def _context_loop_exists(self) -> bool:
        """Whether the context map has a loop at all: Kahn's topological peeling, linear in the map's size.
        It spares the networkx import for the usual map without loops."""
        indegree: Counter = Counter(b for _, b in self.context_edges)
        successors: dict[str, list[str]] = {}
        for a, b in self.context_edges:
            successors.setdefault(a, []).append(b)
        nodes = {n for edge in self.context_edges for n in edge}
        ready = [n for n in nodes if indegree[n] == 0]
        peeled = 0
        while ready:
            node = ready.pop()
            peeled += 1
            for nxt in successors.get(node, ()):
                indegree[nxt] -= 1
                if indegree[nxt] == 0:
                    ready.append(nxt)
        return peeled < len(nodes)

    def context_cycle(self, context: str) -> list[str] | None:
        return self._context_cycles.get(context)

    def context_inbound(self, context: str) -> int:
        return self._context_counts[0][context]

    def context_outbound(self, context: str) -> int:
        return self._context_counts[1][context]
