"""Diagrams: the graph built for each example, and the Mermaid / DOT text written from it.

The recommendation dicts are built by hand from each example's expected
choices (reasonable ones for decisions the example leaves open), so these
tests do not depend on the rule engine.

Syntax: DOT is parsed with pydot (a test extra) and, when the Graphviz ``dot``
binary is installed, rendered with ``dot -Tsvg``. No offline Mermaid parser
exists for Python, so Mermaid text is checked against the grammar subset that
``to_mermaid`` emits (every line must match one of its forms, subgraphs must
balance, every edge must refer to a declared node).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

from advisor import diagram
from advisor.architecture import model_of
from advisor.diagram import architecture_graph, contexts_graph, mermaid_block, render, to_dot, to_mermaid
from advisor.workload import load_text
from shared_examples import EXAMPLES, load_case


DECISIONS = ("composition", "orchestrator", "channel", "entry", "compute", "data_store")
_ENTRY_BY_TRIGGER = {"schedule": "schedule", "upload": "s3-event", "queue": "sqs-poll", "stream": "kinesis-poll",
                     "change-data": "dynamodb-stream-poll", "kafka": "kafka-poll", "mq": "mq-poll"}
_FOLLOWS = {"eventbridge": "eventbridge-rule", "eventbridge-sns": "sns-subscription", "sns": "sns-subscription",
            "sns-sqs": "sqs-poll", "sqs": "sqs-poll", "sqs-fifo": "sqs-poll", "sns-fifo": "sqs-poll",
            "kinesis": "kinesis-poll", "dynamodb-streams": "dynamodb-stream-poll"}
_STORE_BY_DATA = {"none": "none", "key-value": "dynamodb", "relational": "aurora-serverless", "files": "s3"}


def workload_of(doc: dict):
    return load_text(yaml.safe_dump(doc, sort_keys=False), "example.yaml")


def hand_rec(workload, expect: dict | None = None, overrides: dict | None = None) -> dict:
    """A recommendation dict with the expected choices (first acceptable one) and
    plain defaults for the rest; ``overrides`` = {flow: {decision: choice}}."""
    expect, overrides = expect or {}, overrides or {}
    flows, chosen = [], {}
    for f in workload.flows:
        want = dict(expect.get(f.name) or {})
        want.update(overrides.get(f.name) or {})
        c: dict[str, str] = {}
        for d, v in want.items():
            if isinstance(v, list):
                v = v[0]
            if isinstance(v, dict):
                v = _FOLLOWS[chosen[v["follows"]]["channel"]]
            c[d] = v
        c.setdefault("orchestrator", "none")
        c.setdefault("composition", "choreography" if c["orchestrator"] == "none" else "orchestration")
        c.setdefault("channel", "none" if not f.consumers else "eventbridge")
        if f.trigger == "api":
            c.setdefault("entry", "api-sync" if f.caller_waits else "api-async")
        elif f.trigger == "event":
            c.setdefault("entry", _FOLLOWS.get(chosen.get(f.after, {}).get("channel"), "eventbridge-rule"))
        else:
            c.setdefault("entry", _ENTRY_BY_TRIGGER[f.trigger])
        c.setdefault("compute", "lambda")
        c.setdefault("data_store", _STORE_BY_DATA[f.data])
        chosen[f.name] = c
        flows.append({"name": f.name, "context": f.context, "trigger": f.trigger, "after": f.after,
                      "decisions": {d: {"choice": c[d], "runner_up": None, "reason": "", "scores": {},
                                        "excluded": {}, "trace": []} for d in DECISIONS},
                      "hops": [], "findings": []})
    return {"version": 1, "workload": workload.name, "region": workload.region, "flows": flows, "findings": []}


def example(name: str, overrides: dict | None = None):
    doc = load_case(name)
    w = workload_of(doc["workload"])
    return w, hand_rec(w, doc.get("expect"), overrides)


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("e*.yaml"))


def edges_of(graph) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.label) for e in graph.edges}


def kinds_of(graph) -> dict[str, str]:
    return {n.id: n.kind for n in graph.nodes}


# ------------------------------------------------------------ architecture, per example

# For each example: nodes (id -> kind) and edges (source, target, label) that must be
# there. Written out by hand from the example's expected choices, not computed.
ARCH_EXPECTED = {
    "e01-thumbnails": (
        {"make-thumbnail/uploads": "bucket", "make-thumbnail/step:make-thumbnail": "function",
         "make-thumbnail/store": "bucket"},
        {("make-thumbnail/uploads", "make-thumbnail/step:make-thumbnail", "event, async"),
         ("make-thumbnail/step:make-thumbnail", "make-thumbnail/store", "push, sync")},
    ),
    "e02-shop": (
        {"checkout/api": "api", "checkout/workflow": "state-machine",
         "checkout/step:validate-cart": "function", "checkout/step:charge-card": "function",
         "checkout/step:reserve-stock": "function", "checkout/store": "database", "checkout/bus": "bus",
         "checkout/consumer:email": "function", "checkout/consumer:analytics": "function",
         "ship-order/workflow": "state-machine", "ship-order/step:pick": "function",
         "ship-order/step:pack": "function", "ship-order/step:hand-to-carrier": "function"},
        {("checkout/api", "checkout/workflow", "push, sync"),
         ("checkout/workflow", "checkout/step:charge-card", "push, sync"),
         ("checkout/workflow", "checkout/store", "push, sync"),
         ("checkout/workflow", "checkout/bus", "push, sync"),
         ("checkout/bus", "checkout/consumer:email", "event, async"),
         ("checkout/bus", "checkout/consumer:analytics", "event, async"),
         ("checkout/bus", "ship-order/workflow", "event, async"),
         ("ship-order/workflow", "ship-order/step:pick", "push, sync")},
    ),
    "e03-alerts-fanout": (
        {"raise-alert/source:queue": "queue", "raise-alert/step:raise-alert": "function",
         "raise-alert/topic": "topic",
         **{f"raise-alert/consumer:{c}": "function"
            for c in ("sms", "email", "push", "pager", "slack", "webhook", "audit")}},
        {("raise-alert/source:queue", "raise-alert/step:raise-alert", "poll, async"),
         ("raise-alert/step:raise-alert", "raise-alert/topic", "push, async"),
         *{("raise-alert/topic", f"raise-alert/consumer:{c}", "event, async")
           for c in ("sms", "email", "push", "pager", "slack", "webhook", "audit")}},
    ),
    "e04-nightly-report": (
        {"nightly-report/schedule": "schedule", "nightly-report/workflow": "state-machine",
         "nightly-report/step:gather": "task", "nightly-report/step:compute": "task",
         "nightly-report/step:publish": "task", "nightly-report/store": "bucket"},
        {("nightly-report/schedule", "nightly-report/workflow", "event, async"),
         ("nightly-report/workflow", "nightly-report/step:compute", "push, sync"),
         ("nightly-report/workflow", "nightly-report/store", "push, sync")},
    ),
    "e05-clickstream": (  # the consumers read the stream the flow reads: no second stream
        {"ingest-events/source:stream": "stream", "ingest-events/step:ingest-events": "function",
         "ingest-events/consumer:aggregator": "function", "ingest-events/consumer:archiver": "function"},
        {("ingest-events/source:stream", "ingest-events/step:ingest-events", "poll, async"),
         ("ingest-events/source:stream", "ingest-events/consumer:aggregator", "poll, async"),
         ("ingest-events/source:stream", "ingest-events/consumer:archiver", "poll, async")},
    ),
    "e06-ledger-fifo": (
        {"record-transaction/api": "api", "record-transaction/step:record-transaction": "function",
         "record-transaction/store": "table", "record-transaction/fifo-queue": "queue",
         "record-transaction/consumer:balance-keeper": "function"},
        {("record-transaction/api", "record-transaction/step:record-transaction", "event, async"),
         ("record-transaction/step:record-transaction", "record-transaction/store", "push, sync"),
         ("record-transaction/step:record-transaction", "record-transaction/fifo-queue", "push, async"),
         ("record-transaction/fifo-queue", "record-transaction/consumer:balance-keeper", "poll, async")},
    ),
    "e07-saas-events": (  # EventBridge reaches each SaaS endpoint through its own API destination
        {"ticket-escalated/api": "api", "ticket-escalated/step:ticket-escalated": "function",
         "ticket-escalated/bus": "bus", "ticket-escalated/consumer:on-call": "function",
         "ticket-escalated/external:datadog": "external", "ticket-escalated/external:zendesk": "external",
         "ticket-escalated/api-destination:datadog": "external"},
        {("ticket-escalated/api", "ticket-escalated/step:ticket-escalated", "push, sync"),
         ("ticket-escalated/bus", "ticket-escalated/consumer:on-call", "event, async"),
         ("ticket-escalated/bus", "ticket-escalated/api-destination:datadog", "push, async"),
         ("ticket-escalated/api-destination:datadog", "ticket-escalated/external:datadog", "push, async"),
         ("ticket-escalated/api-destination:zendesk", "ticket-escalated/external:zendesk", "push, async")},
    ),
    "e08-spiky-ingest": (
        {"submit-response/api": "api", "submit-response/requests": "queue",
         "submit-response/step:submit-response": "function", "submit-response/store": "database"},
        {("submit-response/api", "submit-response/requests", "push, async"),
         ("submit-response/requests", "submit-response/step:submit-response", "poll, async"),
         ("submit-response/step:submit-response", "submit-response/store", "push, sync")},
    ),
}


def test_every_example_has_expectations():
    assert set(example_names()) <= set(ARCH_EXPECTED), "add the new example to ARCH_EXPECTED"


@pytest.mark.parametrize("name", sorted(ARCH_EXPECTED))
def test_architecture_nodes_and_edges(name):
    w, rec = example(name)
    g = architecture_graph(w, rec)
    nodes, edges = ARCH_EXPECTED[name]
    kinds = kinds_of(g)
    for nid, kind in nodes.items():
        assert kinds.get(nid) == kind, f"{nid}: expected a {kind}, got {kinds.get(nid)}"
    missing = edges - edges_of(g)
    assert not missing, f"missing edges: {sorted(missing)}"
    ids = [n.id for n in g.nodes]
    assert len(ids) == len(set(ids))
    for e in g.edges:  # every hop is labelled with a model/role and sync or async
        assert e.source in kinds and e.target in kinds
        assert re.fullmatch(r"(push|event|poll|publish|read/write|change data), (sync|async)", e.label), e
    flows = {f.name for f in w.flows}
    for n in g.nodes:  # every resource of a flow sits in that flow's group
        if "/" in n.id and n.id.split("/")[0] in flows:
            assert n.group == f"flow/{n.id.split('/')[0]}"


def test_shop_follows_upstream_channel_and_skips_consumer_box_for_shipping():
    w, rec = example("e02-shop")
    g = architecture_graph(w, rec)
    assert "checkout/consumer:shipping" not in kinds_of(g)  # ship-order is shipping's own entry
    # no entry API of its own (it starts from checkout's channel); its approval API is the approvers' way back
    assert [n.id for n in g.nodes if n.kind == "api" and n.group == "flow/ship-order"] == ["ship-order/approval-api"]
    labels = {n.id: n.label for n in g.nodes}
    assert labels["checkout/workflow"].startswith("Step Functions Express")
    assert labels["ship-order/workflow"].startswith("Step Functions Standard")
    assert labels["checkout/store"].startswith("Aurora Serverless v2")
    groups = {gr.id: gr.label for gr in g.groups}
    assert groups == {"flow/checkout": "checkout (context: orders)",
                      "flow/ship-order": "ship-order (context: shipping)"}


def test_shop_with_sns_sqs_gives_one_queue_per_target_and_a_pipe_into_ship_order():
    w, rec = example("e02-shop", {"checkout": {"channel": "sns-sqs"}, "ship-order": {"entry": "sqs-poll"}})
    g = architecture_graph(w, rec)
    e = edges_of(g)
    for c in ("email", "analytics"):
        assert ("checkout/topic", f"checkout/queue:{c}", "push, async") in e
        assert (f"checkout/queue:{c}", f"checkout/consumer:{c}", "poll, async") in e
    # SQS cannot start a workflow: the queue of ship-order feeds an EventBridge pipe that does
    assert ("checkout/topic", "checkout/queue:ship-order", "push, async") in e
    assert ("checkout/queue:ship-order", "ship-order/pipe:workflow", "poll, async") in e
    assert ("ship-order/pipe:workflow", "ship-order/workflow", "event, async") in e
    assert "checkout/bus" not in kinds_of(g)
    assert any("pipe" in note for note in model_of(w, rec)["notes"])


def test_eventbridge_sns_puts_a_topic_behind_the_bus():
    w, rec = example("e03-alerts-fanout", {"raise-alert": {"channel": "eventbridge-sns"}})
    e = edges_of(architecture_graph(w, rec))
    assert ("raise-alert/step:raise-alert", "raise-alert/bus", "push, async") in e
    assert ("raise-alert/bus", "raise-alert/topic", "push, async") in e
    assert ("raise-alert/topic", "raise-alert/consumer:sms", "event, async") in e


def test_dynamodb_streams_channel_reads_the_flow_table():
    w, rec = example("e06-ledger-fifo", {"record-transaction": {"channel": "dynamodb-streams"}})
    g = architecture_graph(w, rec)
    e = edges_of(g)
    assert ("record-transaction/step:record-transaction", "record-transaction/store", "push, sync") in e
    assert ("record-transaction/store", "record-transaction/consumer:balance-keeper", "poll, async") in e
    assert kinds_of(g)["record-transaction/store"] == "table"
    tables = [n.id for n in g.nodes if n.kind == "table" and n.group]  # (idempotency-store is the app's, no flow's)
    assert tables == ["record-transaction/store"]  # the flow's own table, not a copy


def test_the_diagram_draws_the_recommendations_architecture():
    w, rec = example("e02-shop")
    rec["architecture"] = {"nodes": [
        {"id": "a/x", "type": "function", "cfn_type": "AWS::Serverless::Function", "flow": "checkout",
         "settings": {}},
        {"id": "a/y", "type": "queue", "cfn_type": "AWS::SQS::Queue", "flow": "checkout", "settings": {}}],
        "edges": [{"from": "a/x", "to": "a/y", "kind": "sdk-call", "model": "push", "mode": "async",
                   "flow": "checkout", "ref": "https://docs.aws.amazon.com/"}], "notes": []}
    g = architecture_graph(w, rec)
    assert [n.id for n in g.nodes] == ["a/x", "a/y"]
    assert edges_of(g) == {("a/x", "a/y", "push, async")}


def test_a_sagas_undo_functions_are_labelled_as_such():
    """Each compensation function is named after the step it undoes; drawn as a plain 'Lambda <step>' it would
    look like a second copy of that step."""
    w, rec = example("e02-shop")
    labels = {n.id: n.label for n in architecture_graph(w, rec).nodes}
    assert labels["checkout/undo:validate-cart"] == "Lambda\nundo validate-cart"
    assert labels["checkout/step:validate-cart"] == "Lambda\nvalidate-cart"


def test_choreographed_steps_are_chained_through_queues():
    w = workload_of({"version": 1, "name": "chain", "flows": [
        {"name": "ingest", "trigger": "upload", "duration": "3s", "steps": ["scan", "resize", "tag"],
         "data": "files"}]})
    g = architecture_graph(w, hand_rec(w))
    e = edges_of(g)
    assert ("ingest/uploads", "ingest/step:scan", "event, async") in e
    assert ("ingest/step:scan", "ingest/queue:resize", "push, async") in e
    assert ("ingest/queue:resize", "ingest/step:resize", "poll, async") in e
    assert ("ingest/queue:tag", "ingest/step:tag", "poll, async") in e
    assert kinds_of(g)["ingest/queue:tag"] == "queue"


def test_missing_flow_in_recommendation_is_an_error():
    w, rec = example("e02-shop")
    rec["flows"].pop()
    with pytest.raises(ValueError, match="ship-order"):
        architecture_graph(w, rec)


# ---------------------------------------------------------------- contexts


def test_contexts_shop():
    w, rec = example("e02-shop")
    g = contexts_graph(w, rec)
    assert [n.id for n in g.nodes] == ["context/orders", "context/shipping", "context/email", "context/analytics"]
    assert {(e.source, e.target) for e in g.edges} == {
        ("context/orders", "context/shipping"), ("context/orders", "context/email"),
        ("context/orders", "context/analytics")}
    assert all(e.label == "checkout (eventbridge)" for e in g.edges)
    assert not any(n.marks for n in g.nodes) and not g.notes


def test_contexts_hub_is_highlighted():
    w, rec = example("e03-alerts-fanout")
    g = contexts_graph(w, rec)
    assert g.node("context/raise-alert").marks == ("hub",)
    assert g.node("context/sms").marks == ()
    assert "hub: raise-alert has 7 event links" in g.notes
    assert "classDef hub" in to_mermaid(g) and "class n1 hub" in to_mermaid(g)


def cyclic_workload():
    return workload_of({"version": 1, "name": "loop", "flows": [
        {"name": "place", "context": "orders", "trigger": "api", "duration": "1s", "consumers": ["billing"]},
        {"name": "bill", "context": "billing", "trigger": "event", "after": "place", "duration": "1s",
         "consumers": ["orders"]},
        {"name": "notify", "context": "comms", "trigger": "event", "after": "bill", "duration": "1s"},
    ]})


def test_contexts_cycle_is_found_and_highlighted():
    w = cyclic_workload()
    g = contexts_graph(w, hand_rec(w))
    assert g.node("context/orders").marks == ("cycle",)
    assert g.node("context/billing").marks == ("cycle",)
    assert g.node("context/comms").marks == ()
    marked = {(e.source, e.target) for e in g.edges if "cycle" in e.marks}
    assert marked == {("context/orders", "context/billing"), ("context/billing", "context/orders")}
    assert g.notes == ("cycle: orders -> billing -> orders",)
    m = to_mermaid(g)
    assert "==>" in m and "linkStyle 0,1 stroke:#c0392b" in m
    d = to_dot(g)
    red = [line for line in d.splitlines() if "->" in line and 'color="#c0392b"' in line]
    assert red == ['  n1 -> n2 [label="place (eventbridge)", color="#c0392b", penwidth=2];',
                   '  n2 -> n1 [label="bill (eventbridge)", color="#c0392b", penwidth=2];']


def test_importing_the_module_does_not_import_networkx():
    code = "import sys, advisor.diagram; print('networkx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- Mermaid syntax

_LABEL = r'"[^"\n]*"'
_SHAPES = "|".join(re.escape(o) + _LABEL + re.escape(c) for o, c in set(diagram._MERMAID_SHAPES.values()))
_MERMAID_LINES = {
    "header": re.compile(r"flowchart LR"),
    "comment": re.compile(r"\s*%%[^\n]*"),
    "subgraph": re.compile(rf"\s+subgraph (g\d+)\[{_LABEL}\]"),
    "end": re.compile(r"\s+end"),
    "node": re.compile(rf"\s+(n\d+)(?:{_SHAPES})"),
    "edge": re.compile(rf"\s+(n\d+) (?:-->|-\.->|==>)(?:\|{_LABEL}\|)? (n\d+)"),
    "classDef": re.compile(r"\s+classDef [a-z]+ [a-z-]+:[#\w]+(,[a-z-]+:[#\w]+)*"),
    "class": re.compile(r"\s+class (n\d+(?:,n\d+)*) [a-z]+"),
    "linkStyle": re.compile(r"\s+linkStyle \d+(?:,\d+)* [a-z-]+:[#\w]+(,[a-z-]+:[#\w]+)*"),
}


def check_mermaid(text: str) -> None:
    """Fail unless every line is one of the forms ``to_mermaid`` may write."""
    lines = text.rstrip("\n").split("\n")
    assert text.endswith("\n") and lines[0] == "flowchart LR"
    declared, depth, edges = set(), 0, 0
    for no, line in enumerate(lines[1:], 2):
        kind = next((k for k, rx in _MERMAID_LINES.items() if rx.fullmatch(line)), None)
        assert kind not in (None, "header"), f"line {no} is not valid Mermaid we emit: {line!r}"
        m = _MERMAID_LINES[kind].fullmatch(line)
        if kind == "subgraph":
            depth += 1
        elif kind == "end":
            depth -= 1
            assert depth >= 0, f"line {no}: end without subgraph"
        elif kind == "node":
            assert m.group(1) not in declared, f"line {no}: {m.group(1)} declared twice"
            declared.add(m.group(1))
        elif kind == "edge":
            edges += 1
            assert {m.group(1), m.group(2)} <= declared, f"line {no}: edge to an undeclared node"
        elif kind == "class":
            assert set(m.group(1).split(",")) <= declared
        elif kind == "linkStyle":
            assert all(int(i) < edges for i in line.split()[1].split(","))
    assert depth == 0


def test_mermaid_checker_rejects_broken_text():
    good = 'flowchart LR\n  n1["a"]\n  n2["b"]\n  n1 -->|"x"| n2\n'
    check_mermaid(good)
    for bad in (good.replace('"a"', '"a"b"'), good.replace("n2 -->", "n3 -->").replace("n1 -->", "n3 -->"),
                good + "  end\n", good.replace("-->", "->"), good.replace('n1["a"]', 'n1["a\nb"]')):
        with pytest.raises(AssertionError):
            check_mermaid(bad)


# ---------------------------------------------------------------- DOT syntax

def _pydot():
    try:
        import pydot
    except ImportError:
        return None
    return pydot


def test_pydot_parses_dot():  # shows as skipped when the test extra is missing
    pydot = _pydot()
    if pydot is None:
        pytest.skip("pydot (test extra) is not installed: DOT text is only rendered with dot, if present")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert pydot.graph_from_dot_data('digraph "x" { n1 -> n2; }')
        with pytest.raises(Exception):
            if not pydot.graph_from_dot_data('digraph "x" { n1 -> ; }'):
                raise ValueError("did not parse")


def check_dot(text: str, graph) -> None:
    """Parse with pydot (when installed) and compare what it read with the graph."""
    pydot = _pydot()
    if pydot is None:
        return
    with warnings.catch_warnings():  # pydot's parser uses pyparsing's old names
        warnings.simplefilter("ignore")
        parsed = pydot.graph_from_dot_data(text)
    assert parsed and len(parsed) == 1, "DOT text did not parse"
    g = parsed[0]

    def walk(sub):
        yield sub
        for s in sub.get_subgraphs():
            yield from walk(s)

    nodes = [n for s in walk(g) for n in s.get_nodes() if n.get_name() not in ("node", "edge", "graph")]
    edges = [e for s in walk(g) for e in s.get_edges()]
    assert len(nodes) == len(graph.nodes)
    assert len(edges) == len(graph.edges)
    labels = sorted(n.get("label") for n in nodes)
    assert labels == sorted(diagram.dot_string(n.label) for n in graph.nodes)
    clusters = [s.get_name() for s in g.get_subgraphs()]
    assert len(clusters) == len(graph.groups) and all(c.startswith("cluster_") for c in clusters)


def dot_renders(text: str) -> None:
    exe = shutil.which("dot")
    if exe is None:
        return
    out = subprocess.run([exe, "-Tsvg"], input=text.encode(), capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr.decode()
    assert b"<svg" in out.stdout and not out.stderr.strip(), out.stderr.decode()


@pytest.mark.parametrize("view", diagram.VIEWS)
@pytest.mark.parametrize("name", sorted(ARCH_EXPECTED))
def test_syntax_of_every_example(name, view):
    w, rec = example(name)
    g = diagram.build_graph(w, rec, view)
    check_mermaid(to_mermaid(g))
    text = to_dot(g)
    check_dot(text, g)
    dot_renders(text)


def test_dot_binary_rejects_broken_text():  # guards dot_renders against passing everything
    if shutil.which("dot") is None:  # Graphviz is a system package, not a test extra: say so, do not skip
        warnings.warn("Graphviz dot is not installed: DOT text is checked by pydot only", UserWarning)
        return
    with pytest.raises(AssertionError):
        dot_renders('digraph "x" { n1 -> ; }\n')


NASTY = ['He said "hi" <b>#1|x', "back\\slash end", "end", "subgraph", "a -->|b| c", "%% not a comment",
         "semi;colon {braces} [brackets] (parens)", "naïve café ✓", "`tick`"]


def nasty_workload():
    return workload_of({"version": 1, "name": "nasty", "flows": [
        {"name": "end", "context": "subgraph", "trigger": "api", "duration": "1s", "consumers": ["graph", "node"],
         "external_targets": NASTY}]})


def test_names_never_break_the_syntax():
    w = nasty_workload()
    rec = hand_rec(w)
    for view in diagram.VIEWS:
        g = diagram.build_graph(w, rec, view)
        m = to_mermaid(g)
        check_mermaid(m)
        for raw in NASTY:  # quotes and markup never reach the text raw
            if set(raw) & set('"<>|#`'):
                assert raw not in m
        d = to_dot(g)
        check_dot(d, g)
        dot_renders(d)


@pytest.mark.parametrize("raw, mermaid, dot", [
    ("plain", '"plain"', '"plain"'),
    ('say "x"', '"say #quot;x#quot;"', '"say \\"x\\""'),
    ("a#b", '"a#35;b"', '"a#b"'),
    ("<b>|", '"#lt;b#gt;#124;"', '"<b>|"'),
    ("two\nlines", '"two<br/>lines"', '"two\\nlines"'),
    ("back\\slash", '"back\\slash"', '"back\\\\slash"'),
])
def test_label_escaping(raw, mermaid, dot):
    assert diagram.mermaid_label(raw) == mermaid
    assert diagram.dot_string(raw) == dot


# ---------------------------------------------------------------- determinism, entry points


@pytest.mark.parametrize("name", sorted(ARCH_EXPECTED))
def test_output_is_deterministic(name):
    w, rec = example(name)
    for view in diagram.VIEWS:
        for fmt in diagram.FORMATS:
            first = render(w, rec, fmt, view)
            w2, rec2 = example(name)
            assert render(w2, rec2, fmt, view) == first


def test_ids_are_assigned_in_order():
    w, rec = example("e01-thumbnails")
    m = render(w, rec, "mermaid", "architecture")
    assert m.splitlines()[:6] == [
        "flowchart LR",
        "  %% thumbnails: architecture",
        '  subgraph g1["make-thumbnail"]',
        '    n1["Lambda<br/>make-thumbnail"]',
        '    n2[("S3 bucket<br/>store")]',
        '    n3[("S3 bucket<br/>uploads")]',
    ]
    assert '  n3 -.->|"event, async"| n1' in m
    assert '  n1 -->|"push, sync"| n2' in m


def test_mermaid_block_is_a_fenced_block():
    w, rec = example("e02-shop")
    block = mermaid_block(w, rec)
    assert block.startswith("```mermaid\nflowchart LR\n") and block.endswith("\n```\n")
    check_mermaid(block[len("```mermaid\n"):-len("```\n")])


def test_unknown_view_or_format_is_refused():
    w = cyclic_workload()
    with pytest.raises(ValueError, match="view"):
        render(w, hand_rec(w), "mermaid", "pictures")
    with pytest.raises(ValueError, match="format"):
        render(w, hand_rec(w), "svg", "architecture")


def test_names_never_collide_across_flows_consumers_and_targets():
    w = workload_of({"version": 1, "name": "clash", "flows": [
        {"name": "consumer", "trigger": "api", "duration": "1s", "consumers": ["function"],
         "external_targets": ["function"]},
        {"name": "external", "trigger": "queue", "duration": "1s", "consumers": ["consumer"]},
    ]})
    g = architecture_graph(w, hand_rec(w))
    kinds = kinds_of(g)
    assert kinds["consumer/step:consumer"] == "function"  # the flow named "consumer"
    assert kinds["consumer/consumer:function"] == "function"  # its consumer context named "function"
    assert kinds["consumer/external:function"] == "external"
    assert kinds["external/step:external"] == "function"
    assert kinds["external/consumer:consumer"] == "function"
    check_mermaid(to_mermaid(g))


# ---------------------------------------------------------------- with the real engine


def _engine_rec(name):
    from advisor import engine
    doc = load_case(name)
    w = workload_of(doc["workload"])
    return w, engine.advise(w).to_dict()


@pytest.mark.parametrize("name", example_names())
def test_engine_recommendations_draw_and_parse(name):
    w, rec = _engine_rec(name)
    for view in diagram.VIEWS:
        g = diagram.build_graph(w, rec, view)
        check_mermaid(to_mermaid(g))
        check_dot(to_dot(g), g)
    g = architecture_graph(w, rec)
    # the diagram draws exactly the model's nodes, and each hop with its model and mode
    assert {n.id for n in g.nodes} == {n["id"] for n in rec["architecture"]["nodes"]}
    drawn = {(e.source, e.target): (e.model, e.mode) for e in g.edges}
    for f in rec["flows"]:
        for hop in f["hops"]:
            assert drawn[(hop["from"], hop["to"])] == (hop["model"], hop["mode"]), (f["name"], hop)


def test_consumers_counted_by_fan_out_alone_are_drawn():
    """fan_out without names still draws (and hops reach) one node per consumer, named as the scaffold names
    them."""
    from advisor.engine import advise
    from advisor.workload import load_text

    wl = load_text("version: 1\nname: fo\nflows:\n  - {name: pub, trigger: api, caller_waits: false,"
                   " duration: 1s, fan_out: 3}\n")
    rec = advise(wl).to_dict()
    assert [h["to"] for h in rec["flows"][0]["hops"]][-3:] == ["pub/consumer:consumer-1", "pub/consumer:consumer-2",
                                                               "pub/consumer:consumer-3"]
    text = diagram.to_mermaid(diagram.architecture_graph(wl, rec))
    assert all(f"consumer-{i}" in text for i in (1, 2, 3))
