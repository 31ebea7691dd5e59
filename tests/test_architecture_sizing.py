"""The scaffold sizes nothing itself: every setting the architecture model sizes (function timeouts, event source
mapping batch size and maximum concurrency, queue visibility timeouts, Kinesis shards, API destination rates) is
the model's, in the template, for every example, scenario and shared workload (issue 12 item 3)."""
from __future__ import annotations

import pytest

from advisor import catalog
from advisor.engine import advise
from advisor.scaffold import render
from advisor.scaffold.cfn import load_template
from advisor.workload import load_text
from test_architecture import WORKLOADS, _choices


def _node_of(resource):
    return ((resource.get("Metadata") or {}).get("advisor") or {}).get("node")


def _template(wl, rec):
    resources = load_template(render(wl, rec)["template.yaml"].decode())["Resources"]
    return resources, {_node_of(r): r for r in resources.values() if _node_of(r)}


def _esm_events(function):
    return [e for e in (function["Properties"].get("Events") or {}).values()
            if e["Type"] in ("SQS", "Kinesis", "DynamoDB", "MSK", "SelfManagedKafka", "MQ")]


def _queue_id(props):
    arn = props["Queue"]  # !GetAtt Queue.Arn
    return arn.value[0] if isinstance(arn.value, (list, tuple)) else arn.value.split(".")[0]


def _assert_template_is_sized_by(model, resources, tagged):
    nodes = {n["id"]: n for n in model["nodes"]}
    esm = {e["to"]: e for e in model["edges"] if e["kind"] == "esm"}
    for node_id, r in tagged.items():
        settings = nodes[node_id]["settings"]
        props = r["Properties"]
        if r["Type"] == "AWS::Serverless::Function":
            assert props["Timeout"] == settings["timeout_seconds"], node_id
            assert props["MemorySize"] == settings["memory_mb"], node_id
            for event in _esm_events(r):
                sized = esm[node_id]["settings"]
                assert event["Properties"]["BatchSize"] == sized["batch_size"], node_id
                if event["Type"] == "SQS" and "ScalingConfig" in event["Properties"]:
                    assert event["Properties"]["ScalingConfig"]["MaximumConcurrency"] == sized["maximum_concurrency"]
        elif r["Type"] == "AWS::SQS::Queue":
            assert props["VisibilityTimeout"] == settings["visibility_timeout"], node_id
        elif r["Type"] == "AWS::Kinesis::Stream":
            assert props["ShardCount"] == settings["shards"], node_id
        elif r["Type"] == "AWS::Events::ApiDestination":
            assert props["InvocationRateLimitPerSecond"] == settings["invocation_rate_per_second"], node_id
    # nothing the model sizes is left to the scaffold's own figures
    for n in nodes.values():
        sized = n["type"] in ("function", "stream", "api-destination") or (
            n["type"] in ("queue", "fifo-queue") and any(e["from"] == n["id"] for e in esm.values()))
        if sized and n["cfn_type"]:
            assert n["id"] in tagged, f"{n['id']} is built without the model's settings"
    # AWS's guidance holds in the template itself: each queue a function reads is hidden >= 6x its timeout
    for fn in resources.values():
        for event in _esm_events(fn) if fn["Type"] == "AWS::Serverless::Function" else ():
            if event["Type"] == "SQS":
                queue = resources[_queue_id(event["Properties"])]["Properties"]
                assert queue["VisibilityTimeout"] >= 6 * fn["Properties"]["Timeout"]


@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_the_template_settings_are_the_models(name):
    wl = load_text(WORKLOADS[name])
    rec = advise(wl).to_dict()
    resources, tagged = _template(wl, rec)
    _assert_template_is_sized_by(rec["architecture"], resources, tagged)


def _rec(choices):
    return {"flows": [{"name": n, "decisions": {d: {"choice": c} for d, c in ch.items()}}
                      for n, ch in choices.items()]}


def test_sqs_consumers_keep_up_with_the_arrival_rate():
    """200 messages/s that take 1 s each need 200 at work at once (Little's law); a fixed 5 lets the backlog
    grow until messages expire."""
    wl = load_text("version: 1\nname: q\nflows:\n- {name: work, trigger: queue, duration: 1s, longest_step: 1s,"
                   " steps: [do], traffic: {average: 50/s, peak: 200/s}}\n")
    rec = advise(wl).to_dict()
    resources, tagged = _template(wl, rec)
    fn = tagged["work/step:do"]["Properties"]
    event = _esm_events(tagged["work/step:do"])[0]["Properties"]
    per_instance = 1 / 1.0  # messages one concurrent invocation finishes per second
    assert event["ScalingConfig"]["MaximumConcurrency"] * per_instance >= 200
    assert event["ScalingConfig"]["MaximumConcurrency"] <= catalog.limit("sqs_esm_max_concurrency")
    assert fn["Timeout"] >= event["BatchSize"] * 1.0  # a full batch finishes
    queue = resources[_queue_id(event)]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * fn["Timeout"]
    quiet = load_text("version: 1\nname: q\nflows:\n- {name: work, trigger: queue, duration: 1s, steps: [do],"
                      " traffic: {average: 1/s, peak: 1/s}}\n")
    _, tagged = _template(quiet, advise(quiet).to_dict())
    low = _esm_events(tagged["work/step:do"])[0]["Properties"]["ScalingConfig"]["MaximumConcurrency"]
    assert low == catalog.limit("sqs_esm_min_concurrency")


def test_api_destination_rate_is_the_downstream_limit():
    wl = load_text("version: 1\nname: x\nflows:\n- {name: sell, trigger: api, duration: 1s, steps: [a],"
                   " external_targets: [crm], downstream_limit: 12/s}\n")
    rec = _rec(_choices(sell={"channel": "eventbridge"}))
    resources, tagged = _template(wl, rec)
    dest = [r for r in resources.values() if r["Type"] == "AWS::Events::ApiDestination"]
    assert [d["Properties"]["InvocationRateLimitPerSecond"] for d in dest] == [12]


def test_kinesis_shards_cover_the_peak():
    """2,500 records/s of 100 bytes: 3 shards by the 1,000 records/s a shard takes in."""
    wl = load_text("version: 1\nname: k\nflows:\n- {name: ingest, trigger: stream, duration: 1s, steps: [parse],"
                   " message_size: 100B, traffic: {average: 100/s, peak: 2500/s}}\n")
    rec = _rec(_choices(ingest={"entry": "kinesis-poll"}))
    resources, _ = _template(wl, rec)
    streams = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Kinesis::Stream"]
    assert [(s["StreamModeDetails"]["StreamMode"], s["ShardCount"]) for s in streams] == [("PROVISIONED", 3)]


# -- the model and the scaffold agree where they used to differ -------------------------------------------------

def _counts_agree(wl, rec):
    from advisor.architecture import model_of
    from test_architecture import _model_counts, _template_counts

    resources = load_template(render(wl, rec)["template.yaml"].decode())["Resources"]
    model = model_of(wl, rec)
    m_types, m_edges, nodes = _model_counts(model)
    t_types, t_edges = _template_counts(resources)
    assert (t_types, t_edges) == (m_types, m_edges)
    return resources, model


@pytest.mark.parametrize("trigger, source", [("kafka", "msk"), ("kafka", "self-managed"), ("mq", "activemq"),
                                             ("mq", "rabbitmq")])
def test_a_broker_starts_a_workflow_through_a_pipe(trigger, source):
    """EventBridge Pipes read MSK, self-managed Kafka and Amazon MQ: no function only calls StartExecution."""
    wl = load_text(f"version: 1\nname: b\nflows:\n- {{name: take, trigger: {trigger}, source: {source},"
                   " duration: 2s, steps: [a, b]}\n")
    entry = catalog.options_where("entry", trigger=trigger)[0]
    rec = _rec(_choices(take={"entry": entry, "orchestrator": "step-functions-standard"}))
    resources, model = _counts_agree(wl, rec)
    pipes = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Pipes::Pipe"]
    assert len(pipes) == 1 and pipes[0]["TargetParameters"]["StepFunctionStateMachineParameters"]
    assert [n["type"] for n in model["nodes"] if n["type"] == "pipe"] == ["pipe"]
    assert not any("start" in k.lower() for k, r in resources.items() if r["Type"] == "AWS::Serverless::Function")


@pytest.mark.parametrize("style", ["graphql", "websocket"])
def test_a_graphql_or_websocket_api_starts_its_workflow_as_the_model_says(style):
    wl = load_text(f"version: 1\nname: g\nflows:\n- {{name: ask, trigger: api, api: {style}, duration: 2s,"
                   " steps: [a, b]}\n")
    rec = _rec(_choices(ask={"entry": "api-sync", "orchestrator": "step-functions-express"}))
    resources, model = _counts_agree(wl, rec)
    edges = [(e["from"], e["to"]) for e in model["edges"]]
    assert ("ask/api", "ask/start") in edges and ("ask/start", "ask/workflow") in edges
    _, tagged = _template(wl, rec)
    assert tagged["ask/start"]["Properties"]["Timeout"] <= catalog.limit("apigw_rest_timeout")
