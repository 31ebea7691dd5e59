"""Pictures of a recommendation: the AWS architecture, and the bounded-context map.

The architecture view draws the recommendation's ``architecture`` section (the
model of advisor/architecture.py: the same nodes and edges the JSON lists, the
cost prices and the scaffold builds); the contexts view draws the workload's
bounded contexts. A diagram never derives a topology of its own. The module builds a small, format-free
``Graph`` first, then writes it as Mermaid (renders on GitHub as is) or as
Graphviz DOT. Writing the text ourselves keeps pydot/graphviz out of the
runtime dependencies; networkx is only imported inside ``contexts_graph``.

Node ids in the output are ``n1, n2, ...`` (and ``g1, ...`` for groups),
assigned in graph order, so whatever a workload calls its flows, consumers or
external targets, the diagram text stays valid and byte-for-byte stable.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .model import Workload

VIEWS = ("architecture", "contexts")
FORMATS = ("mermaid", "dot")
HUB_DEGREE = 4  # a context with this many inbound + outbound event links is highlighted


# --------------------------------------------------------------------------- graph


@dataclass(frozen=True)
class Node:
    """One box: ``id`` is a semantic key (never written out), ``kind`` picks the shape."""

    id: str
    label: str
    kind: str
    group: str | None = None
    marks: tuple[str, ...] = ()  # "cycle", "hub": drawn highlighted


@dataclass(frozen=True)
class Edge:
    """One hop. ``model``/``mode`` are the integration model and sync/async when known."""

    source: str
    target: str
    label: str = ""
    model: str | None = None
    mode: str | None = None
    marks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    id: str
    label: str


@dataclass(frozen=True)
class Graph:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    groups: tuple[Group, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. the cycles found, one sentence each

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)


class _Builder:
    """Collects nodes and edges in insertion order, ignoring exact duplicates."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple[str, str], Edge] = {}
        self.groups: dict[str, Group] = {}
        self.early: set[str] = set()  # entry nodes: drawn first in their group

    def group(self, gid: str, label: str) -> str:
        self.groups.setdefault(gid, Group(gid, label))
        return gid

    def node(self, nid: str, label: str, kind: str, group: str | None = None) -> str:
        if nid not in self.nodes:
            self.nodes[nid] = Node(nid, label, kind, group)
        return nid

    def edge(self, source: str, target: str, model: str | None, mode: str | None,
             label: str | None = None) -> None:
        if (source, target) in self.edges:
            return
        text = label if label is not None else ", ".join(p for p in (model, mode) if p)
        self.edges[(source, target)] = Edge(source, target, text, model, mode)

    def build(self, title: str, notes: Iterable[str] = ()) -> Graph:
        used = {n.group for n in self.nodes.values()}
        groups = tuple(g for g in self.groups.values() if g.id in used)
        rank = {g.id: i for i, g in enumerate(groups)}
        order = {nid: i for i, nid in enumerate(self.nodes)}
        nodes = sorted(self.nodes.values(), key=lambda n: (rank.get(n.group, len(rank)), n.id not in self.early,
                                                           order[n.id]))
        pos = {n.id: i for i, n in enumerate(nodes)}  # edges read in the order of their sources
        edges = sorted(self.edges.values(), key=lambda e: pos[e.source])
        return Graph(title, tuple(nodes), tuple(edges), groups, tuple(notes))


# ------------------------------------------------------------ architecture view

# How each resource type of the architecture model (advisor/data/integrations.yaml) is drawn.
_KIND = {
    "http-api": "api", "rest-api": "api", "websocket-api": "api", "graphql-api": "api", "client": "api",
    "schedule": "schedule", "bucket": "bucket", "queue": "queue", "fifo-queue": "queue", "topic": "topic",
    "fifo-topic": "topic", "bus": "bus", "stream": "stream", "table": "table", "table-stream": "table",
    "database": "database", "kafka-topic": "kafka", "broker": "broker", "function": "function", "task": "task",
    "express-workflow": "state-machine", "standard-workflow": "state-machine", "pipe": "function",
    "api-destination": "external", "external": "external",
}


def _choice(flow_rec: Mapping[str, Any], decision: str, default: str = "none") -> str:
    d = (flow_rec.get("decisions") or {}).get(decision) or {}
    return str(d.get("choice") or default)


def _flow_recs(workload: Workload, rec: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The recommendation of each workload flow, by name (every flow must have one)."""
    by_name = {f.get("name"): f for f in rec.get("flows") or ()}
    missing = [f.name for f in workload.flows if f.name not in by_name]
    if missing:
        raise ValueError(f"the recommendation has no entry for flow(s): {', '.join(missing)}")
    return by_name


def _node_label(node: Mapping[str, Any]) -> str:
    from .catalog import node_types

    role = str(node["id"]).split("/", 1)[-1]
    kind, _, name = role.partition(":")
    what = node_types().get(node["type"], {}).get("label", node["type"])
    if node["type"] == "function" and kind == "consumer":
        what = f"Lambda (consumer {name})"
    elif node["type"] == "external":
        what = "external target"
    elif node["type"] == "function":
        what = "Lambda"
        if kind == "undo":  # a saga's compensation: named after the step it undoes, so say so
            name = f"undo {name}"
    elif node["type"] == "database" and (node.get("settings") or {}).get("rds_proxy"):
        what += "\nvia RDS Proxy"
    return f"{what}\n{name or role}"


def architecture_graph(workload: Workload, rec: Mapping[str, Any]) -> Graph:
    """The architecture model's resources (``rec["architecture"]``), grouped by flow, each integration labelled
    with Lambda's model (push / event / poll) and sync / async: the same nodes and edges the JSON lists and the
    scaffold builds."""
    from .architecture import model_of

    _flow_recs(workload, rec)  # every flow must have its recommendation
    model = model_of(workload, rec)
    b = _Builder()
    for f in workload.flows:
        b.group(f"flow/{f.name}", f.name if f.context == f.name else f"{f.name} (context: {f.context})")
    for node in model["nodes"]:
        group = f"flow/{node['flow']}" if node.get("flow") else None
        b.node(node["id"], _node_label(node), _KIND.get(node["type"], "function"), group)
    for edge in model["edges"]:
        b.edge(edge["from"], edge["to"], edge["model"], edge["mode"])
    return b.build(f"{workload.name}: architecture")  # the model's notes name users' values: the JSON has them


# ---------------------------------------------------------------- contexts view


def contexts_graph(workload: Workload, rec: Mapping[str, Any] | None = None,
                   hub_degree: int = HUB_DEGREE) -> Graph:
    """The bounded-context map: contexts as nodes, outcome events as edges from the
    producing context to each consumer (``consumers`` and ``after`` links).

    Edges on a cycle, and the contexts on it, are marked ``cycle``; contexts with
    ``hub_degree`` or more event links in and out are marked ``hub``.
    """
    import networkx as nx  # heavy: only when a context map is asked for

    recs = {f.get("name"): f for f in (rec or {}).get("flows") or ()}
    owners: dict[str, list[str]] = {}
    for f in workload.flows:
        owners.setdefault(f.context, []).append(f.name)
    order: list[str] = list(owners)
    kinds: dict[str, str] = {c: "context" for c in order}
    links: dict[tuple[str, str], list[str]] = {}

    def add(src: str, dst: str, kind: str, event: str) -> None:
        if dst not in kinds:
            order.append(dst)
            kinds[dst] = kind
        names = links.setdefault((src, dst), [])
        if event not in names:
            names.append(event)

    after: dict[str, list[str]] = {}  # flow -> contexts of the flows after it, gathered once (wide fan-in)
    for o in workload.flows:
        if o.after:
            after.setdefault(o.after, []).append(o.context)
    for f in workload.flows:
        channel = _choice(recs[f.name], "channel") if f.name in recs else None
        event = f"{f.name} ({channel})" if channel and channel != "none" else f.name
        for c in f.consumer_names:
            add(f.context, c, "consumer-context", event)
        for t in f.external_targets:
            add(f.context, f"external:{t}", "external", event)
        for context in after.get(f.name, ()):
            add(f.context, context, "context", event)

    g = nx.DiGraph()
    g.add_nodes_from(order)
    g.add_edges_from(links)
    in_cycle: set[str] = set()
    for comp in nx.strongly_connected_components(g):
        if len(comp) > 1:
            in_cycle |= comp
    in_cycle |= {u for u, v in links if u == v}
    cycle_edges = {(u, v) for u, v in links if u in in_cycle and v in in_cycle
                   and (u == v or nx.has_path(g, v, u))}
    degree = {c: sum(1 for (u, v) in links if c in (u, v)) for c in order}
    rank = {c: i for i, c in enumerate(order)}
    cycles = []
    for cyc in nx.simple_cycles(g):
        start = min(range(len(cyc)), key=lambda i: rank[cyc[i]])
        cyc = cyc[start:] + cyc[:start]
        cycles.append(tuple(cyc))
    cycles.sort(key=lambda c: [rank[x] for x in c])
    notes = [f"cycle: {' -> '.join(c + (c[0],))}" for c in cycles[:20]]
    notes += [f"hub: {c} has {degree[c]} event links" for c in order if degree[c] >= hub_degree]

    nodes = []
    for c in order:
        marks = tuple(m for m, on in (("cycle", c in in_cycle), ("hub", degree[c] >= hub_degree)) if on)
        if kinds[c] == "external":
            label = f"{c.removeprefix('external:')}\nexternal target"
        elif c in owners:
            label = f"{c}\nflows: {', '.join(owners[c])}"
        else:
            label = f"{c}\nconsumer context"
        nodes.append(Node(f"context/{c}", label, kinds[c], None, marks))
    edges = tuple(Edge(f"context/{u}", f"context/{v}", ", ".join(ev), None, None,
                       ("cycle",) if (u, v) in cycle_edges else ())
                  for (u, v), ev in links.items())
    return Graph(f"{workload.name}: bounded contexts", tuple(nodes), edges, (), tuple(notes))


# ------------------------------------------------------------------- writers

# Mermaid shapes: (open, close) around the quoted label.
_MERMAID_SHAPES = {
    "api": ("([", "])"), "schedule": ("((", "))"), "state-machine": ("[[", "]]"),
    "function": ("[", "]"), "task": ("[", "]"), "queue": ("[/", "/]"), "stream": ("[/", "/]"),
    "kafka": ("[/", "/]"), "broker": ("[/", "/]"), "topic": ("{{", "}}"), "bus": ("{{", "}}"),
    "table": ("[(", ")]"), "database": ("[(", ")]"), "bucket": ("[(", ")]"),
    "consumer": ("(", ")"), "context": ("(", ")"), "consumer-context": ("(", ")"), "external": (">", "]"),
}
_DOT_SHAPES = {
    "api": "oval", "schedule": "circle", "state-machine": "box3d", "function": "box", "task": "box",
    "queue": "parallelogram", "stream": "parallelogram", "kafka": "parallelogram", "broker": "parallelogram",
    "topic": "hexagon", "bus": "hexagon", "table": "cylinder", "database": "cylinder", "bucket": "cylinder",
    "consumer": "box", "context": "box", "consumer-context": "box", "external": "cds",
}
_MARK_STYLES = {"cycle": ("fill:#fde2e2,stroke:#c0392b,stroke-width:2px", "#fde2e2", "#c0392b"),
                "hub": ("fill:#fff3cd,stroke:#b7791f,stroke-width:2px", "#fff3cd", "#b7791f")}


def _ids(graph: Graph) -> tuple[dict[str, str], dict[str, str]]:
    nodes = {n.id: f"n{i}" for i, n in enumerate(graph.nodes, 1)}
    groups = {g.id: f"g{i}" for i, g in enumerate(graph.groups, 1)}
    return nodes, groups


def mermaid_label(text: str) -> str:
    """A label as a Mermaid quoted string: entity codes for the characters that
    would end the string or be read as markup; line breaks as ``<br/>``."""
    out = (text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;")
           .replace(">", "#gt;").replace("|", "#124;").replace("`", "#96;"))
    out = " ".join(out.replace("\r", "").split(" "))
    return '"' + out.replace("\n", "<br/>") + '"'


def _members(graph: Graph) -> dict[str | None, list[Node]]:
    """The nodes of each group, in order, gathered once (not a pass over every node for every group)."""
    out: dict[str | None, list[Node]] = {}
    for n in graph.nodes:
        out.setdefault(n.group, []).append(n)
    return out


def to_mermaid(graph: Graph) -> str:
    """Mermaid ``flowchart LR`` text: one subgraph per group, sync hops as solid
    arrows, async hops dotted, cycle edges thick and red."""
    nid, gid = _ids(graph)
    lines = ["flowchart LR", f"  %% {_comment(graph.title)}"]
    for note in graph.notes:
        lines.append(f"  %% {_comment(note)}")

    def node_line(n: Node, indent: str) -> str:
        o, c = _MERMAID_SHAPES.get(n.kind, ("[", "]"))
        return f"{indent}{nid[n.id]}{o}{mermaid_label(n.label)}{c}"

    members = _members(graph)
    for g in graph.groups:
        lines.append(f"  subgraph {gid[g.id]}[{mermaid_label(g.label)}]")
        lines.extend(node_line(n, "    ") for n in members.get(g.id, ()))
        lines.append("  end")
    lines.extend(node_line(n, "  ") for n in graph.nodes if n.group not in gid)
    red = []
    for i, e in enumerate(graph.edges):
        arrow = "==>" if "cycle" in e.marks else ("-.->" if e.mode == "async" else "-->")
        if "cycle" in e.marks:
            red.append(str(i))
        label = f"|{mermaid_label(e.label)}|" if e.label else ""
        lines.append(f"  {nid[e.source]} {arrow}{label} {nid[e.target]}")
    for mark, (css, _, _) in _MARK_STYLES.items():
        marked = [nid[n.id] for n in graph.nodes if mark in n.marks]
        if marked:
            lines.append(f"  classDef {mark} {css}")
            lines.append(f"  class {','.join(marked)} {mark}")
    if red:
        lines.append(f"  linkStyle {','.join(red)} stroke:#c0392b,stroke-width:3px")
    return "\n".join(lines) + "\n"


def dot_string(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks as ``\\n``."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
    return '"' + out.replace("\n", "\\n") + '"'


def to_dot(graph: Graph) -> str:
    """Graphviz DOT text: one ``cluster_`` subgraph per group."""
    nid, gid = _ids(graph)
    lines = [f"digraph {dot_string(graph.title)} {{",
             '  graph [rankdir=LR, fontname="Helvetica", fontsize=11];',
             '  node [fontname="Helvetica", fontsize=10, shape=box];',
             '  edge [fontname="Helvetica", fontsize=9];']

    def node_line(n: Node, indent: str) -> str:
        attrs = [f"label={dot_string(n.label)}", f"shape={_DOT_SHAPES.get(n.kind, 'box')}"]
        for mark in ("cycle", "hub"):
            if mark in n.marks:
                _, fill, stroke = _MARK_STYLES[mark]
                attrs += ["style=filled", f'fillcolor="{fill}"', f'color="{stroke}"', "penwidth=2"]
                break
        return f"{indent}{nid[n.id]} [{', '.join(attrs)}];"

    members = _members(graph)
    for g in graph.groups:
        lines.append(f"  subgraph cluster_{gid[g.id]} {{")
        lines.append(f"    label={dot_string(g.label)};")
        lines.append('    style=rounded; color="#888888";')
        lines.extend(node_line(n, "    ") for n in members.get(g.id, ()))
        lines.append("  }")
    lines.extend(node_line(n, "  ") for n in graph.nodes if n.group not in gid)
    for e in graph.edges:
        attrs = []
        if e.label:
            attrs.append(f"label={dot_string(e.label)}")
        if e.mode == "async":
            attrs.append("style=dashed")
        if "cycle" in e.marks:
            attrs += ['color="#c0392b"', "penwidth=2"]
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {nid[e.source]} -> {nid[e.target]}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _comment(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ entry points


def build_graph(workload: Workload, rec: Mapping[str, Any], view: str = "architecture") -> Graph:
    if view == "architecture":
        return architecture_graph(workload, rec)
    if view == "contexts":
        return contexts_graph(workload, rec)
    raise ValueError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")


def render(workload: Workload, rec: Mapping[str, Any], fmt: str = "mermaid", view: str = "architecture") -> str:
    """The diagram text for ``advisor diagram``: ``fmt`` mermaid|dot, ``view`` architecture|contexts."""
    graph = build_graph(workload, rec, view)
    if fmt == "mermaid":
        return to_mermaid(graph)
    if fmt == "dot":
        return to_dot(graph)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def mermaid_block(workload: Workload, rec: Mapping[str, Any], view: str = "architecture") -> str:
    """A fenced Mermaid block, ready to embed in Markdown (the ``recommend`` report,
    the scaffolded README): GitHub renders it as a picture."""
    return "```mermaid\n" + to_mermaid(build_graph(workload, rec, view)) + "```\n"

