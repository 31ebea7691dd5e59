"""Pictures of a recommendation: the AWS architecture, and the bounded-context map.

Both views are derived from the same two inputs as every other output (the
normalised ``Workload`` and the recommendation dict of
docs/recommendation-dict.md), so a diagram can never disagree with the table:
there is no second source of truth. The module builds a small, format-free
``Graph`` first, then writes it as Mermaid (renders on GitHub as is) or as
Graphviz DOT. Writing the text ourselves keeps pydot/graphviz out of the
runtime dependencies; networkx is only imported inside ``contexts_graph``.

Node ids in the output are ``n1, n2, ...`` (and ``g1, ...`` for groups),
assigned in graph order, so whatever a workload calls its flows, consumers or
external targets, the diagram text stays valid and byte-for-byte stable.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .model import Flow, Workload

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


def _members(graph: Graph) -> dict[str | None, list[Node]]:
    """The nodes of each group, in order, gathered once (not a pass over every node for every group)."""
    out: dict[str | None, list[Node]] = {}
    for n in graph.nodes:
        out.setdefault(n.group, []).append(n)
    return out


class _Builder:
    """Collects nodes and edges in insertion order, ignoring exact duplicates."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple[str, str], Edge] = {}
        self.groups: dict[str, Group] = {}
        self.early: set[str] = set()  # entry nodes: drawn first in their group
        self.added: list[str] = []  # node ids in the order they were made (to tell what one step added)

    def group(self, gid: str, label: str) -> str:
        self.groups.setdefault(gid, Group(gid, label))
        return gid

    def node(self, nid: str, label: str, kind: str, group: str | None = None) -> str:
        if nid not in self.nodes:
            self.nodes[nid] = Node(nid, label, kind, group)
            self.added.append(nid)
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

_API_LABELS = {"http": "API Gateway HTTP API", "rest": "API Gateway REST API",
               "websocket": "API Gateway WebSocket API", "graphql": "AppSync GraphQL API"}
_ORCHESTRATOR_LABELS = {"step-functions-standard": "Step Functions Standard",
                        "step-functions-express": "Step Functions Express"}
_STORE = {  # data_store -> (kind, label)
    "dynamodb": ("table", "DynamoDB table"),
    "aurora-serverless": ("database", "Aurora Serverless v2\nvia RDS Proxy"),
    "s3": ("bucket", "S3 bucket"),
}
_SOURCE_LABELS = {"msk": "Amazon MSK topic", "self-managed": "Kafka topic",
                  "activemq": "Amazon MQ (ActiveMQ)", "rabbitmq": "Amazon MQ (RabbitMQ)"}

# Integration model of each entry's first hop (the three Lambda models, plus sync/async:
# "sync" when the sender waits for the target to finish its work).
_ENTRY_MODEL = {
    "api-sync": ("push", "sync"), "api-async": ("event", "async"), "api-queue": ("poll", "async"),
    "schedule": ("event", "async"), "s3-event": ("event", "async"),
    "sqs-poll": ("poll", "async"), "kinesis-poll": ("poll", "async"),
    "dynamodb-stream-poll": ("poll", "async"), "kafka-poll": ("poll", "async"),
    "mq-poll": ("poll", "async"), "eventbridge-rule": ("event", "async"),
    "sns-subscription": ("event", "async"),
}
# How a delivery from a channel node of this kind reaches its target.
_DELIVERY = {"queue": ("poll", "async"), "stream": ("poll", "async"), "topic": ("event", "async"),
             "bus": ("event", "async"), "kafka": ("poll", "async"), "broker": ("poll", "async")}

# How the engine names hop endpoints (``lambda:step``, ``channel:sns``, ``flow:checkout``,
# ``consumer:x``): the part before ":" mapped to the kinds of node drawn here.
_HOP_ALIASES = {
    "client": "api", "api": "api", "api-gateway": "api", "apigateway": "api", "appsync": "api",
    "bucket": "bucket", "s3": "bucket", "s3-bucket": "bucket",
    "schedule": "schedule", "scheduler": "schedule", "eventbridge-scheduler": "schedule",
    "queue": "queue", "sqs": "queue", "sqs-queue": "queue", "sqs-fifo": "queue",
    "topic": "topic", "sns": "topic", "sns-topic": "topic", "sns-fifo": "topic", "sns-sqs": "topic",
    "bus": "bus", "event-bus": "bus", "eventbridge": "bus", "eventbridge-sns": "bus",
    "stream": "stream", "kinesis": "stream", "kinesis-stream": "stream",
    "dynamodb-stream": "stream", "dynamodb-streams": "stream",
    "kafka": "kafka", "msk": "kafka", "kafka-topic": "kafka",
    "broker": "broker", "mq": "broker", "mq-broker": "broker", "amazon-mq": "broker",
    "state-machine": "state-machine", "step-functions": "state-machine", "stepfunctions": "state-machine",
    "function": "function", "lambda": "function",
    "task": "task", "fargate": "task", "fargate-task": "task",
    "table": "table", "dynamodb": "table",
    "database": "database", "aurora": "database", "aurora-serverless": "database",
    "consumer": "consumer", "external": "external",
}


def _hop_kind(name: str, service: str) -> str | None:
    """The kind of node a hop endpoint is: ``channel:<choice>`` by its choice,
    ``flow:<upstream>`` by the service that carries the hop."""
    base, _, rest = name.lower().partition(":")
    if base == "channel":
        return _HOP_ALIASES.get(rest)
    if base == "flow":
        return _HOP_ALIASES.get(service.lower().split("+")[-1])
    return _HOP_ALIASES.get(base)


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


def _hop_table(flow_rec: Mapping[str, Any]) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    table: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for hop in flow_rec.get("hops") or ():
        service = str(hop.get("service") or "")
        src = _hop_kind(str(hop.get("from", "")), service)
        dst = _hop_kind(str(hop.get("to", "")), service)
        if src and dst:
            table.setdefault((src, dst), (hop.get("model"), hop.get("mode")))
    return table


@dataclass
class _FlowParts:
    """What other flows need to know to connect to one flow."""

    group: str
    head: str  # the node the entry delivers to (state machine, or the first step's worker)
    last: str = ""  # the node that publishes the outcome (state machine, or the last step's worker)
    workers: list[str] = field(default_factory=list)  # nodes that run code
    outlet: str | None = None  # the channel node consumers read from
    channel: str = "none"


class _Architecture:
    def __init__(self, workload: Workload, rec: Mapping[str, Any]):
        self.w = workload
        self.recs = _flow_recs(workload, rec)
        self.b = _Builder()
        self.parts: dict[str, _FlowParts] = {}
        self.hops: dict[str, dict] = {f.name: _hop_table(self.recs[f.name]) for f in workload.flows}

    # an edge within flow ``flow``: the dict's hops win over the derived model
    def link(self, flow: str, src: str, dst: str, model: str | None, mode: str | None,
             label: str | None = None) -> None:
        key = (self.b.nodes[src].kind, self.b.nodes[dst].kind)
        if label is None and key in self.hops.get(flow, {}):
            model, mode = self.hops[flow][key]
        self.b.edge(src, dst, model, mode, label)

    def build(self) -> Graph:
        self.followers: dict[str, set[str]] = {}  # flow -> contexts of the flows after it (wide fan-in: once)
        for o in self.w.flows:
            if o.after:
                self.followers.setdefault(o.after, set()).add(o.context)
        for f in self.w.flows:  # pass 1: each flow's own resources
            self.flow_core(f)
        for f in self.w.flows:  # pass 2: entries (may read upstream outlets), consumers
            self.entry(f)
        for f in self.w.flows:
            self.consumers(f)
        return self.b.build(f"{self.w.name}: architecture")

    def flow_core(self, f: Flow) -> None:
        r = self.recs[f.name]
        label = f.name if f.context == f.name else f"{f.name} (context: {f.context})"
        g = self.b.group(f"flow/{f.name}", label)
        orchestrator = _choice(r, "orchestrator")
        compute = _choice(r, "compute", "lambda")
        worker_kind, worker_label = ("task", "Fargate task") if compute == "fargate" else ("function", "Lambda")
        parts = _FlowParts(group=g, head="", channel=_choice(r, "channel"))
        if orchestrator != "none":
            sm = self.b.node(f"{f.name}/state-machine",
                             f"{_ORCHESTRATOR_LABELS.get(orchestrator, orchestrator)}\n{f.name}",
                             "state-machine", g)
            parts.head = sm
            for step in f.steps:
                w = self.b.node(f"{f.name}/{worker_kind}/{step}", f"{worker_label}\n{step}", worker_kind, g)
                parts.workers.append(w)
                self.link(f.name, sm, w, "push", "sync")
            parts.last = sm
        else:  # steps chained through a queue each, as the engine's hops describe them
            for step in f.steps:
                w = self.b.node(f"{f.name}/{worker_kind}/{step}", f"{worker_label}\n{step}", worker_kind, g)
                if parts.workers:
                    q = self.b.node(f"{f.name}/step-queue/{step}", f"SQS queue\nto {step}", "queue", g)
                    self.link(f.name, parts.workers[-1], q, None, "async", label="publish, async")
                    self.link(f.name, q, w, "poll", "async")
                parts.workers.append(w)
            parts.head, parts.last = parts.workers[0], parts.workers[-1]
        self.parts[f.name] = parts
        self.store(f, r, parts)
        self.channel(f, parts)

    def store(self, f: Flow, r: Mapping[str, Any], parts: _FlowParts) -> None:
        choice = _choice(r, "data_store")
        if choice not in _STORE:
            return
        kind, label = _STORE[choice]
        store = self.b.node(f"{f.name}/store", f"{label}\n{f.name}", kind, parts.group)
        for w in parts.workers:
            self.link(f.name, w, store, None, "sync", label="read/write, sync")

    def channel(self, f: Flow, parts: _FlowParts) -> None:
        ch, g, n = parts.channel, parts.group, f.name
        if ch == "none":
            return
        publisher = parts.last
        if ch in ("sqs", "sqs-fifo"):
            out = self.b.node(f"{n}/queue", f"{'SQS FIFO queue' if ch == 'sqs-fifo' else 'SQS queue'}\n{n} events",
                              "queue", g)
        elif ch in ("sns", "sns-sqs", "sns-fifo"):
            out = self.b.node(f"{n}/topic", f"{'SNS FIFO topic' if ch == 'sns-fifo' else 'SNS topic'}\n{n} events",
                              "topic", g)
        elif ch in ("eventbridge", "eventbridge-sns"):
            bus = self.b.node(f"{n}/bus", f"EventBridge bus\n{n} events", "bus", g)
            self.link(n, publisher, bus, None, "async", label="publish, async")
            if ch == "eventbridge":
                out = bus
            else:
                out = self.b.node(f"{n}/topic", f"SNS topic\n{n} events", "topic", g)
                self.link(n, bus, out, "event", "async")
            parts.outlet = out
            return
        elif ch == "kinesis":
            out = self.b.node(f"{n}/stream", f"Kinesis data stream\n{n} events", "stream", g)
        elif ch == "dynamodb-streams":
            out = self.b.node(f"{n}/stream", f"DynamoDB stream\n{n} changes", "stream", g)
            store = f"{n}/store"
            if store in self.b.nodes:  # the stream comes from the table's changes
                self.link(n, store, out, None, "async", label="change data, async")
                parts.outlet = out
                return
        else:  # an unknown channel still gets a box, so nothing silently disappears
            out = self.b.node(f"{n}/channel", f"{ch}\n{n} events", "queue", g)
        self.link(n, publisher, out, None, "async", label="publish, async")
        parts.outlet = out

    def entry(self, f: Flow) -> None:
        before = len(self.b.added)  # not a copy of every node for every flow: 10,000 flows stay linear
        self._entry(f)
        self.b.early.update(self.b.added[before:])

    def _entry(self, f: Flow) -> None:
        r, parts, n = self.recs[f.name], self.parts[f.name], f.name
        entry = _choice(r, "entry")
        g, head = parts.group, parts.head
        model, mode = _ENTRY_MODEL.get(entry, (None, None))
        if entry.startswith("api-"):
            api = self.b.node(f"{n}/api", f"{_API_LABELS.get(f.api or 'http', 'API')}\n{n}", "api", g)
            if entry == "api-queue":
                q = self.b.node(f"{n}/request-queue", f"SQS queue\n{n} requests", "queue", g)
                self.link(n, api, q, "push", "async")
                self.link(n, q, head, "poll", "async")
            else:
                self.link(n, api, head, model, mode)
            return
        if entry == "schedule":
            src = self.b.node(f"{n}/schedule", f"EventBridge Scheduler\n{n}", "schedule", g)
        elif entry == "s3-event":
            src = self.b.node(f"{n}/uploads", f"S3 bucket\n{n} uploads", "bucket", g)
        elif f.trigger == "event" and f.after and f.after in self.parts:
            self.follow(f, entry)
            return
        elif entry == "sqs-poll":
            src = self.b.node(f"{n}/source-queue", f"SQS queue\n{n}", "queue", g)
        elif entry in ("kinesis-poll", "dynamodb-stream-poll"):
            label = "Kinesis data stream" if entry == "kinesis-poll" else "DynamoDB stream"
            src = self.b.node(f"{n}/source-stream", f"{label}\n{n}", "stream", g)
        elif entry == "kafka-poll":
            src = self.b.node(f"{n}/kafka", f"{_SOURCE_LABELS.get(f.source or 'msk', 'Kafka topic')}\n{n}", "kafka", g)
        elif entry == "mq-poll":
            src = self.b.node(f"{n}/broker", f"{_SOURCE_LABELS.get(f.source or 'activemq', 'Amazon MQ')}\n{n}",
                              "broker", g)
        elif entry == "eventbridge-rule":
            if f.trigger == "upload":
                bucket = self.b.node(f"{n}/uploads", f"S3 bucket\n{n} uploads", "bucket", g)
                src = self.b.node(f"{n}/bus", f"EventBridge default bus\n{n}", "bus", g)
                self.link(n, bucket, src, "event", "async")
            else:
                src = self.b.node(f"{n}/source-bus", f"EventBridge bus\n{n}", "bus", g)
        elif entry == "sns-subscription":
            src = self.b.node(f"{n}/source-topic", f"SNS topic\n{n}", "topic", g)
        else:
            src = self.b.node(f"{n}/source", f"{entry or f.trigger}\n{n}", "external", g)
        self.link(n, src, head, model, mode)

    def follow(self, f: Flow, entry: str) -> None:
        """A flow started by another flow's outcome event reads the upstream outlet."""
        up = self.parts[f.after]  # type: ignore[index]
        n, g, head = f.name, self.parts[f.name].group, self.parts[f.name].head
        src = up.outlet or up.head
        src_kind = self.b.nodes[src].kind
        if entry == "sqs-poll" and src_kind != "queue":
            q = self.b.node(f"{n}/inbox", f"SQS queue\n{n} inbox", "queue", g)
            self.link(n, src, q, "event", "async")
            self.link(n, q, head, "poll", "async")
            return
        model, mode = _ENTRY_MODEL.get(entry) or _DELIVERY.get(src_kind, ("event", "async"))
        self.link(n, src, head, model, mode)

    def consumers(self, f: Flow) -> None:
        parts, n = self.parts[f.name], f.name
        out = parts.outlet
        if out is None:
            return
        followers = self.followers.get(f.name, set())
        out_kind = self.b.nodes[out].kind
        for c in f.consumer_names:
            if c in followers:
                continue  # drawn as that flow's own entry
            target = self.b.node(f"consumer:{c}", f"{c}\nconsumer context", "consumer")
            if parts.channel in ("sns-sqs", "sns-fifo"):
                q = self.b.node(f"{n}/queue/{c}", f"{'SQS FIFO queue' if parts.channel == 'sns-fifo' else 'SQS queue'}"
                                f"\n{c}", "queue", parts.group)
                self.link(n, out, q, "event", "async")
                self.link(n, q, target, "poll", "async")
            else:
                self.link(n, out, target, *_DELIVERY.get(out_kind, ("event", "async")))
        for t in f.external_targets:
            target = self.b.node(f"external:{t}", f"{t}\nexternal target", "external")
            self.link(n, out, target, "event", "async")


def architecture_graph(workload: Workload, rec: Mapping[str, Any]) -> Graph:
    """The recommended AWS resources of every flow, grouped by flow, with each hop
    labelled by its integration model (push / event / poll) and sync / async."""
    return _Architecture(workload, rec).build()


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

    for f in workload.flows:
        channel = _choice(recs[f.name], "channel") if f.name in recs else None
        event = f"{f.name} ({channel})" if channel and channel != "none" else f.name
        for c in f.consumer_names:
            add(f.context, c, "consumer-context", event)
        for t in f.external_targets:
            add(f.context, f"external:{t}", "external", event)
        for o in workload.flows:
            if o.after == f.name:
                add(f.context, o.context, "context", event)

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

