"""The event graph of a workload: which flow's outcome starts which flow, and
which bounded context consumes which context's events.

Graph algorithms (depth, the longest choreographed chain, a topological order
to decide upstream flows first, loops between contexts) come from networkx.
It is imported only when there is something to compute: some flow has
``after``, or some context both consumes and produces events (a loop needs
one). Otherwise every answer is trivial, and networkx costs more to import
than Python's whole start-up.

A loop of ``after`` links cannot occur: the loader rejects it, since no flow of
such a loop could ever start. Loops between contexts can, through consumers.
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

    @cached_property
    def _nx(self):
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(self.flows)
        g.add_edges_from(self.edges)
        return g

    def downstream(self, name: str) -> list[str]:
        """Flows started by ``name``'s outcome, in file order."""
        return list(self._downstream.get(name, ()))

    @cached_property
    def _depth_and_chain(self) -> tuple[dict[str, int], dict[str, float]]:
        depth = {n: 0 for n in self.flows}
        chain = {n: f.duration for n, f in self.flows.items()}
        if not self.edges:
            return depth, chain
        import networkx as nx

        # Collapse loops so that the rest still gets depths; a loop has no finite chain.
        cond = nx.condensation(self._nx)
        members = cond.graph["mapping"]
        comp_depth: dict[int, int] = {}
        comp_chain: dict[int, float] = {}
        for comp in nx.topological_sort(cond):
            names = cond.nodes[comp]["members"]
            own = max(self.flows[n].duration for n in names)
            preds = list(cond.predecessors(comp))
            comp_depth[comp] = max((comp_depth[p] + 1 for p in preds), default=0)
            comp_chain[comp] = own + max((comp_chain[p] for p in preds), default=0.0)
        for n in self.flows:
            depth[n] = comp_depth[members[n]]
            chain[n] = comp_chain[members[n]]
        return depth, chain

    def depth(self, name: str) -> int:
        return self._depth_and_chain[0][name]

    def chain_duration(self, name: str) -> float:
        return self._depth_and_chain[1][name]

    def decision_order(self) -> list[str]:
        """Flows in an order where each comes after the flow it follows (file order breaks ties; loops keep file
        order)."""
        names = [f.name for f in self.workload.flows]
        if not self.edges:
            return names
        import networkx as nx

        cond = nx.condensation(self._nx)
        index = {n: i for i, n in enumerate(names)}
        order = list(nx.lexicographical_topological_sort(
            cond, key=lambda c: min(index[n] for n in cond.nodes[c]["members"])))
        return [n for c in order for n in sorted(cond.nodes[c]["members"], key=index.get)]

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
        inbound, outbound = self._context_counts
        if not any(outbound[c] for c in inbound):
            return {}
        import networkx as nx

        g = nx.DiGraph(self.context_edges)
        out: dict[str, list[str]] = {}
        for comp in nx.strongly_connected_components(g):
            if len(comp) > 1:
                for name in comp:
                    out[name] = sorted(comp)
        return out

    def context_cycle(self, context: str) -> list[str] | None:
        return self._context_cycles.get(context)

    def context_inbound(self, context: str) -> int:
        return self._context_counts[0][context]

    def context_outbound(self, context: str) -> int:
        return self._context_counts[1][context]
