"""The architecture model (advisor/architecture.py): one system built from every flow's decisions, whose every
edge AWS offers, with targets counted once, downstream flows attached to their upstream's channel, settings
sized from the workload, and system-level findings over the whole model."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from advisor import architecture, catalog
from advisor.engine import advise
from advisor.workload import load, load_text

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
OPTIONS = catalog.decision_options()


def _choices(**per_flow):
    base = {"composition": "choreography", "compute": "lambda", "orchestrator": "none", "channel": "none",
            "entry": "api-sync", "data_store": "none"}
    return {name: {**base, **c} for name, c in per_flow.items()}


def _assert_valid(arch):
    """Every edge is an integration of the catalog, between nodes that exist, with the catalog's model/mode."""
    for e in arch.edges:
        s, t = arch.node(e.source), arch.node(e.target)
        found = catalog.integration(s.type, t.type, mode=e.mode)
        assert found is not None, f"{e.source} ({s.type}) -> {e.target} ({t.type}) is not offered by AWS"
        assert (found.kind, found.model, found.mode) == (e.kind, e.model, e.mode), e


def _relays(arch):
    """Functions that only pass an event on: fed by a channel and writing only to another channel."""
    channels = {"queue", "fifo-queue", "topic", "fifo-topic", "bus", "stream", "table-stream"}
    out = []
    for node in arch.nodes.values():
        if node.type != "function":
            continue
        ins = [arch.node(e.source).type for e in arch.edges if e.target == node.id]
        outs = [arch.node(e.target).type for e in arch.edges if e.source == node.id]
        if ins and outs and set(ins) <= channels and set(outs) <= channels and ":" not in node.id.split("/")[-1][:5]:
            out.append(node.id)
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_builds_a_valid_model_with_no_relay(path):
    rec = advise(load(path))
    _assert_valid(rec.architecture)
    assert not _relays(rec.architecture)
    d = rec.to_dict()
    ids = {n["id"] for n in d["architecture"]["nodes"]}
    for flow in d["flows"]:  # hops are the model's edges
        assert flow["hops"], flow["name"]
        for hop in flow["hops"]:
            assert hop["from"] in ids and hop["to"] in ids


def test_every_choice_combination_builds_only_offered_integrations():
    wl = load_text("version: 1\nname: combos\nflows:\n"
                   "- {name: up, context: a, trigger: api, duration: 2s, steps: [s1, s2], consumers: [b, c],"
                   " external_targets: [x], data: key-value}\n"
                   "- {name: down, context: b, trigger: event, after: up, duration: 2s, steps: [t1]}\n")
    for ch, orch, comp, orch2, comp2 in itertools.product(OPTIONS["channel"], OPTIONS["orchestrator"],
                                                          OPTIONS["compute"], OPTIONS["orchestrator"],
                                                          OPTIONS["compute"]):
        entry = catalog.option("channel", ch).get("downstream_entry", "sqs-poll")
        arch = architecture.build(wl, _choices(
            up={"compute": comp, "orchestrator": orch, "channel": ch, "data_store": "dynamodb"},
            down={"compute": comp2, "orchestrator": orch2, "entry": entry}))
        _assert_valid(arch)


@pytest.mark.parametrize("entry, trigger", [(e, t) for e, a in catalog.decisions()["entry"].items()
                                            for t in a["trigger"] if t != "event"])
def test_every_entry_reaches_every_kind_of_first_work(entry, trigger):
    extra = {"kafka": ", source: msk", "mq": ", source: activemq"}.get(trigger, "")
    for style in (("http", "rest", "websocket", "graphql") if trigger == "api" else ("http",)):
        api = f", api: {style}" if trigger == "api" else ""
        wl = load_text(f"version: 1\nname: e\nflows:\n- {{name: a, trigger: {trigger}, duration: 2s, steps: [s1]"
                       f"{extra}{api}}}\n")
        for orch, comp in itertools.product(OPTIONS["orchestrator"], OPTIONS["compute"]):
            _assert_valid(architecture.build(wl, _choices(a={"entry": entry, "orchestrator": orch,
                                                              "compute": comp})))


SHOP = """version: 1
name: shop
flows:
- {name: checkout, context: orders, trigger: api, duration: 8s, steps: [pay], consumers: [shipping, email]}
- {name: ship, context: shipping, trigger: event, after: checkout, duration: 2s, steps: [pack]}
"""


def test_a_consumer_that_is_also_a_downstream_flow_is_counted_once():
    wl = load_text(SHOP)
    targets = architecture.outcome_targets(wl.flow("checkout"), [wl.flow("ship")])
    assert [(t.kind, t.name) for t in targets] == [("flow", "ship"), ("consumer", "email")]
    rec = advise(wl)
    fired = {f.rule.id: f.values for f in rec.flows[0].decisions["channel"].trace}
    assert all(v.get("derived.targets_count", 2) == 2 for v in fired.values())
    arch = rec.architecture
    assert "checkout/consumer:shipping" not in arch.nodes


@pytest.mark.parametrize("channel", [c for c in OPTIONS["channel"] if c != "none"])
def test_a_downstream_flow_attaches_to_the_upstream_channel(channel):
    wl = load_text(SHOP)
    entry = catalog.option("channel", channel)["downstream_entry"]
    arch = architecture.build(wl, _choices(checkout={"channel": channel, "data_store": "dynamodb"},
                                           ship={"entry": entry}))
    into_ship = [e for e in arch.edges if e.target == "ship/step:pack"]
    assert len(into_ship) == 1
    source = arch.node(into_ship[0].source)
    assert source.type != "function"  # no function relays the event
    assert source.flow == "checkout" and source.type in catalog.option("channel", channel)["resources"]
    channel_heads = {arch.node(e.target).id for e in arch.edges if e.source == "checkout/step:pay"
                     and arch.node(e.target).type != "table"}
    assert len(channel_heads) == 1  # one outcome channel shared by every target


def test_a_stream_flow_shares_its_stream_with_its_consumers():
    wl = load_text("version: 1\nname: s\nflows:\n- {name: ingest, trigger: stream, duration: 1s, steps: [parse],"
                   " consumers: [agg, arch]}\n")
    arch = architecture.build(wl, _choices(ingest={"entry": "kinesis-poll", "channel": "kinesis"}))
    assert [n.id for n in arch.nodes.values() if n.type == "stream"] == ["ingest/source:stream"]
    assert {e.target for e in arch.edges if e.source == "ingest/source:stream"} == {
        "ingest/step:parse", "ingest/consumer:agg", "ingest/consumer:arch"}


def test_substitutes_are_built_and_said():
    wl = load_text("version: 1\nname: u\nflows:\n- {name: up, trigger: upload, duration: 1s, steps: [a]}\n")
    arch = architecture.build(wl, _choices(up={"entry": "s3-event", "orchestrator": "step-functions-standard"}))
    pairs = {(e.source, e.target) for e in arch.edges}
    assert {("up/uploads", "default-bus"), ("default-bus", "up/workflow")} <= pairs
    assert ("up/uploads", "up/workflow") not in pairs
    assert arch.node("default-bus").cfn is None  # the account's default bus is not created
    assert any("S3 cannot start a workflow" in n for n in arch.notes)


def test_settings_are_sized_from_the_workload():
    wl = load_text("version: 1\nname: q\nflows:\n- {name: work, trigger: queue, duration: 40s, longest_step: 40s,"
                   " steps: [do], traffic: {average: 10/s, peak: 100/s}, downstream_limit: 20/s}\n")
    arch = architecture.build(wl, _choices(work={"entry": "sqs-poll"}))
    fn = arch.node("work/step:do").settings
    queue = arch.node("work/source:queue").settings
    esm = next(e for e in arch.edges if e.kind == "esm").settings
    assert esm["batch_size"] == 10  # 10 x 40 s x 2 fits in 900 s
    assert fn["timeout_seconds"] == 800  # a full batch of ten 40 s records, twice over
    assert queue["visibility_timeout"] >= 6 * fn["timeout_seconds"]
    assert esm["maximum_concurrency"] == 800  # 20/s downstream x 40 s, not 100/s x 40 s
    from advisor.sizing import sizing

    assert fn["memory_mb"] == sizing().function_memory_mb
    assert architecture.size_batch(200) == 2  # 2 x 200 s x 2 <= 900 s
    assert architecture.size_esm_concurrency(0.01, 1) == catalog.limit("sqs_esm_min_concurrency")
    assert architecture.size_shards(2500, 100) == 3
    assert architecture.size_destination_rate(None) == catalog.limit("api_destination_rate")
    assert architecture.size_destination_rate(12) == 12


def test_model_is_deterministic():
    wl = load(REPO / "examples" / "shop.yaml")
    assert advise(wl).to_dict()["architecture"] == advise(wl).to_dict()["architecture"]


TWO_BUSY = """version: 1
name: busy
region: eu-central-1
flows:
- {name: a, trigger: queue, duration: 1s, steps: [x], traffic: {average: 100/s, peak: 600/s}}
- {name: b, trigger: queue, duration: 1s, steps: [y], traffic: {average: 100/s, peak: 700/s}}
"""


def test_lambda_concurrency_is_summed_over_all_flows():
    rec = advise(load_text(TWO_BUSY))
    found = [f for f in rec.findings if f.rule == "ADV101"]
    assert found and "1,300" in found[0].message and "1,000" in found[0].message
    assert found[0].values["flows"] == {"b": 700, "a": 600}
    assert not any(f.rule == "C301" for fl in rec.flows for f in fl.findings)  # each flow alone fits
    one = advise(load_text(TWO_BUSY.replace("peak: 700/s", "peak: 300/s")))
    assert not [f for f in one.findings if f.rule == "ADV101"]


def test_regional_throughput_quotas_are_summed_over_flows_sharing_them():
    flows = "\n".join(f"- {{name: f{i}, trigger: api, caller_waits: false, duration: 1s, steps: [s], "
                      f"traffic: {{average: 10/s, peak: 6000/s}}}}" for i in range(2))
    rec = advise(load_text(f"version: 1\nname: apis\nregion: eu-central-1\nflows:\n{flows}\n"))
    api = [f for f in rec.findings if f.rule == "ADV105"]
    assert api and "need 12,000 API requests" in api[0].message and "above the 10,000" in api[0].message


def test_a_shared_resource_is_priced_once():
    """ship attaches to checkout's channel: its queue is priced with checkout's channel, for each target
    counted once (ship stands for the shipping consumer), and ship's entry adds nothing."""
    from advisor.cost import estimate_workload

    wl = load_text(SHOP)
    rec = {"flows": [{"name": n, "decisions": {d: {"choice": c} for d, c in choice.items()}}
                     for n, choice in _choices(checkout={"channel": "sns-sqs"}, ship={"entry": "sqs-poll"}).items()]}
    wc = estimate_workload(wl, rec)
    by_flow = {fc.flow: fc for fc in wc.flows}
    assert by_flow["ship"].decisions["entry"]["sqs-poll"].usage == ()
    queues = dict(by_flow["checkout"].decisions["channel"]["sns-sqs"].usage)
    alone = dict(estimate_workload(load_text(SHOP.replace("consumers: [shipping, email]", "consumers: [email]")
                                             .split("- {name: ship")[0]), {"flows": rec["flows"][:1]})
                 .flows[0].decisions["channel"]["sns-sqs"].usage)
    assert queues["sns.deliveries.lambda_sqs"] == 2 * alone["sns.deliveries.lambda_sqs"]  # ship + email, not 3


def test_the_scaffold_counts_a_target_once_and_sizes_from_the_model():
    """shop's shipping consumer is the ship flow: the template has no second function for it, and the
    timeouts are the model's."""
    from advisor.scaffold import render
    from advisor.scaffold.cfn import load_template

    wl = load_text(SHOP.replace("duration: 8s, steps: [pay]", "duration: 8s, longest_step: 8s, steps: [pay]"))
    rec = advise(wl)
    files = render(wl, rec.to_dict())
    resources = load_template(files["template.yaml"].decode())["Resources"]
    names = [k for k, r in resources.items() if r["Type"] == "AWS::Serverless::Function"]
    assert not any("Shipping" in n for n in names), names
    model = rec.architecture
    pay = next(r for k, r in resources.items() if r["Type"] == "AWS::Serverless::Function" and "Pay" in k)
    assert pay["Properties"]["Timeout"] == model.node("checkout/step:pay").settings["timeout_seconds"]


def test_decision_records_say_what_the_model_builds():
    from advisor.adr import render_records

    wl = load(REPO / "examples" / "shop.yaml")
    rec = advise(wl).to_dict()
    files = render_records(wl, rec).files
    entry = next(t.decode() for name, t in files.items() if "start-ship-order" in name)
    built = entry.split("### What it builds", 1)[1].split("###", 1)[0]
    attach = [e for e in rec["architecture"]["edges"] if e["flow"] == "ship-order"][0]
    assert f"`{attach['from']}` -> `{attach['to']}`" in built
    pipes = [n["id"] for n in rec["architecture"]["nodes"] if n["type"] == "pipe" and n["flow"] == "ship-order"]
    assert all(f"`{p}`" in built for p in pipes)  # behind a queue, the record names the pipe that starts it


# -- the scaffold builds the model -------------------------------------------------------------------------------

_SAM_EVENT_KIND = {"SQS": "esm", "Kinesis": "esm", "DynamoDB": "esm", "MSK": "esm", "SelfManagedKafka": "esm",
                   "MQ": "esm", "SNS": "subscription", "EventBridgeRule": "rule-target", "ScheduleV2": "rule-target",
                   "S3": "notification"}
_SAM_EVENT_RESOURCE = {"ScheduleV2": "AWS::Scheduler::Schedule"}  # what the SAM transform creates from the event
_BUILT = {"esm", "subscription", "rule-target", "notification"}


def _template_counts(resources):
    """Primary resources by CloudFormation type (dead-letter queues aside), and deliveries by kind."""
    kinds = {t["cfn"] for t in catalog.node_types().values() if t["cfn"]}
    types, edges = {}, {}

    def add(counter, key, n=1):
        counter[key] = counter.get(key, 0) + n
    for rid, r in resources.items():
        if ((r.get("Metadata") or {}).get("advisor") or {}).get("part"):
            continue  # alarms and a human approval's way back: parts beside the event topology the model draws
        if r["Type"] in kinds and not (r["Type"] == "AWS::SQS::Queue" and rid.endswith("DLQ")):
            add(types, r["Type"])
        for event in ((r.get("Properties") or {}).get("Events") or {}).values():
            if event["Type"] in _SAM_EVENT_KIND:
                add(edges, _SAM_EVENT_KIND[event["Type"]])
            if event["Type"] in _SAM_EVENT_RESOURCE:
                add(types, _SAM_EVENT_RESOURCE[event["Type"]])
        if r["Type"] == "AWS::S3::Bucket" and (r["Properties"].get("NotificationConfiguration") or {}).get(
                "EventBridgeConfiguration"):
            add(edges, "notification")  # the bucket sends its events to the default bus
        if r["Type"] == "AWS::SNS::Subscription":
            add(edges, "subscription")
        if r["Type"] == "AWS::Events::Rule":
            add(edges, "rule-target", len(r["Properties"].get("Targets", ())))
        if r["Type"] == "AWS::Lambda::EventSourceMapping":
            add(edges, "esm")
    return types, edges


def _model_counts(model):
    nodes = {n["id"]: n for n in model["nodes"]}
    types, edges = {}, {}
    for n in model["nodes"]:
        if n["cfn_type"]:
            types[n["cfn_type"]] = types.get(n["cfn_type"], 0) + 1
    for e in model["edges"]:
        if e["kind"] in _BUILT:
            edges[e["kind"]] = edges.get(e["kind"], 0) + 1
    return types, edges, nodes


def _scenario_workloads():
    from test_scenarios import SCENARIOS

    return {f"scenario-{name}": f"version: 1\nname: scenario\nflows:\n  - {row[0]}\n"
            for name, row in SCENARIOS.items()}


def _all_workloads():
    out = {f"example-{p.stem}": p.read_text(encoding="utf-8") for p in EXAMPLES}
    out.update(_scenario_workloads())
    import yaml
    from shared_examples import EXAMPLE_FILES

    for p in EXAMPLE_FILES:  # the shared example cases, copied into tests/fixtures
        out[f"shared-{p.stem}"] = yaml.safe_dump(yaml.safe_load(p.read_text(encoding="utf-8"))["workload"])
    return out


WORKLOADS = _all_workloads()


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_the_scaffold_builds_exactly_the_model_and_the_diagram_draws_it(name):
    from advisor.diagram import architecture_graph
    from advisor.scaffold import render
    from advisor.scaffold.cfn import load_template

    wl = load_text(WORKLOADS[name])
    rec = advise(wl).to_dict()
    resources = load_template(render(wl, rec)["template.yaml"].decode())["Resources"]
    model_types, model_edges, nodes = _model_counts(rec["architecture"])
    types, edges = _template_counts(resources)
    assert types == model_types, f"resources: template {types} != model {model_types}"
    assert edges == model_edges, f"deliveries: template {edges} != model {model_edges}"
    pipes = sum(1 for r in resources.values() if r["Type"] == "AWS::Pipes::Pipe")
    assert pipes == sum(1 for n in nodes.values() if n["type"] == "pipe")
    assert {n.id for n in architecture_graph(wl, rec).nodes} == set(nodes)
    assert not _relays(advise(wl).architecture)


def test_the_api_is_priced_as_the_model_builds_it():
    from advisor.cost import estimate_workload

    wl = load_text("version: 1\nname: a\nflows:\n- {name: order, trigger: api, api: http, caller_waits: true,"
                   " duration: 2s, steps: [a, b], coupling: tight, needs: {compensation: true}}\n")
    rec = advise(wl).to_dict()
    assert any(n["type"] == "rest-api" for n in rec["architecture"]["nodes"])  # Step Functions behind it
    entry = rec["flows"][0]["decisions"]["entry"]["choice"]
    usage = dict(estimate_workload(wl, rec).flows[0].decisions["entry"][entry].usage)
    assert "apigw.rest.requests" in usage and not any(k.startswith("apigw.http") for k in usage)
