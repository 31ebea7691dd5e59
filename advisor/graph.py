"""The event graph of a workload: which flow's outcome starts which flow.

Graph algorithms (cycles, depth, the longest choreographed chain, a
topological order to decide upstream flows first) come from networkx. It is
imported only when some flow has ``after``: without such edges every
answer is trivial, and networkx costs more to import than Python's whole
start-up.
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

    @cached_property
    def _cycles(self) -> dict[str, tuple[str, ...]]:
        """Flow -> the flows of its event loop (sorted), for flows in a loop."""
        if not self.edges:
            return {}
        import networkx as nx

        out: dict[str, tuple[str, ...]] = {}
        for comp in nx.strongly_connected_components(self._nx):
            if len(comp) > 1:
                members = tuple(sorted(comp))
                for name in comp:
                    out[name] = members
        return out

    def downstream(self, name: str) -> list[str]:
        """Flows started by ``name``'s outcome, in file order."""
        return list(self._downstream.get(name, ()))

    def in_cycle(self, name: str) -> bool:
        return name in self._cycles

    def cycle_of(self, name: str) -> list[str] | None:
        members = self._cycles.get(name)
        return list(members) if members else None

    def cycles(self) -> list[tuple[str, ...]]:
        return sorted(set(self._cycles.values()))

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

    def context_inbound(self, context: str) -> int:
        return self._context_counts[0][context]

    def context_outbound(self, context: str) -> int:
        return self._context_counts[1][context]
