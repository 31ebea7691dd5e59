"""End to end: every generated app is created in moto's CloudFormation (twice) and events are driven through it.

One moto server per session (127.0.0.1, a free port, so each xdist worker has
its own); each app is generated, translated and deployed once per session.
What moto lacks is listed in e2e_harness.MOTO_GAPS with how that part is
covered instead; a resource type outside that table fails the suite.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import e2e_harness as h
from advisor.scaffold import render
from advisor.scaffold.names import pascal
from advisor.scaffold.statemachine import _publish_task
from advisor.engine import advise
from advisor.workload import load, load_text
from scaffold_helpers import make_workload, recommendation
from test_scenarios import SCENARIOS

# one worker builds and deploys every app once; the others run the rest of the suite
pytestmark = pytest.mark.xdist_group("e2e")

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml")) + sorted((REPO / "tests" / "fixtures" / "apps").glob("*.yaml"))


def _flow(name: str, trigger: str, **kw) -> dict:
    return {"name": name, "trigger": trigger, "duration": kw.pop("duration", "2s"), **kw}


# apps the examples do not cover: each channel that routes, with content filters; ordered fan-out; approval
BUILT = {
    "routing": ([
        _flow("order-placed", "queue", consumers=["billing", "shipping"], needs={"content_filtering": True}),
        _flow("after-order", "event", after="order-placed"),
        _flow("paid", "queue", consumers=["ledger", "mailer"], needs={"content_filtering": True}),
        _flow("refund", "queue", consumers=["ledger", "mailer"], needs={"content_filtering": True},
              external_targets=["crm"]),
        _flow("after-refund", "event", after="refund"),
        _flow("signup", "queue", consumers=["welcome", "stats"], needs={"content_filtering": True}),
        _flow("plain", "queue", consumers=["a", "b"]),
    ], {"order-placed": {"channel": "sns-sqs"}, "paid": {"channel": "eventbridge-sns"},
        "refund": {"channel": "eventbridge"}, "signup": {"channel": "sns"}, "plain": {"channel": "eventbridge-sns"}}),
    "ordered": ([
        _flow("ledger", "queue", consumers=["balances", "statements"], needs={"ordering": True}),
        _flow("trades", "queue", consumers=["settlement"], needs={"ordering": True}),
    ], {"ledger": {"channel": "sns-fifo"}, "trades": {"channel": "sqs-fifo"}}),
    "approval": ([
        _flow("refund-request", "queue", duration="2d", longest_step="30s", steps=["check", "pay"],
              coupling="tight", needs={"human_approval": True, "compensation": True}),
        _flow("quote", "api", duration="3s", steps=["price", "reserve", "confirm"], coupling="tight",
              needs={"compensation": True}, consumers=["crm"]),
    ], {"refund-request": {"orchestrator": "step-functions-standard"},
        "quote": {"orchestrator": "step-functions-express", "channel": "sns-sqs"}}),
}


class App:
    def __init__(self, name: str, workload, rec: dict, validators, twice: bool = True) -> None:
        self.name, self.workload, self.rec, self.twice = name, workload, rec, twice
        self.files = render(workload, rec)
        self.translated = validators.translate(self.files)
        self.choices = {f["name"]: {k: d["choice"] for k, d in f["decisions"].items()} for f in rec["flows"]}
        self.stacks: list[h.Stack] = []


def _apps(validators) -> dict[str, App]:
    apps = {}
    for path in EXAMPLES:
        wl = load(path)
        apps[path.stem] = App(path.stem, wl, advise(wl).to_dict(), validators)
    for name, (flows, choices) in BUILT.items():
        wl = make_workload({"name": name, "flows": flows})
        apps[name] = App(name, wl, recommendation(wl, choices), validators)
    for name, row in SCENARIOS.items():
        wl = load_text(f"version: 1\nname: {name}\nflows:\n  - {row[0]}\n")
        # one stack each: the second stack of an app is proven on the examples and built apps (same
        # naming code); the fixed-name check below still reads every scenario's template
        apps[name] = App(name, wl, advise(wl).to_dict(), validators, twice=False)
    return apps


APP_NAMES = [p.stem for p in EXAMPLES] + list(BUILT) + sorted(SCENARIOS)


@pytest.fixture(scope="session")
def cloud():
    c = h.Cloud()
    yield c
    c.stop()


@pytest.fixture(scope="session")
def deployed(cloud, validators) -> dict[str, App]:
    """Every app, created in stacks <app>-a and (``twice``) <app>-b in the same account and region."""
    apps = _apps(validators)
    for app in apps.values():
        for suffix in ("a", "b")[:2 if app.twice else 1]:
            app.stacks.append(h.deploy(cloud, f"{app.name}-{suffix}", app.translated))
    return apps


def subscribers(app: App, flow) -> list[str]:
    """Who must receive the flow's outcome: its consumers and the flows after it, as the scaffold's
    architecture counts them (each once). Where they are delivered is what the tests check."""
    from advisor.scaffold.wiring import FlowBuilder
    return FlowBuilder(None, app.workload, flow, app.choices[flow.name], {}, {}).subscribers()


def published_to(stack: h.Stack) -> set[str]:
    """Resources a producer writes outcome events to: a function's OUTCOME_TARGETS, a workflow's
    substitutions (its publish task names the target through them)."""
    refs = [r["Properties"].get("Environment", {}).get("Variables", {}).get("OUTCOME_TARGETS")
            for r in stack.of_type("AWS::Lambda::Function").values()]
    refs += [v for r in stack.of_type("AWS::StepFunctions::StateMachine").values()
             for v in r["Properties"].get("DefinitionSubstitutions", {}).values()]
    found = set()

    def walk(node):
        if isinstance(node, dict) and set(node) in ({"Ref"}, {"Fn::GetAtt"}):
            found.add(stack.target_of(node))
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(refs)
    return found


def producer_message(kind: str, audience: str) -> dict:
    """What the generated publisher sends (statemachine._publish_task is the publisher's one definition),
    with the audience a producer sets."""
    params = json.loads(json.dumps(_publish_task({"kind": kind, "ref": "Target"})["Parameters"]))
    if kind == "sns":
        attrs = params.get("MessageAttributes", {})
        for value in attrs.values():
            if value.get("StringValue") == "all":
                value["StringValue"] = audience
        return {"attributes": attrs, "body": {"audience": audience, "result": {"id": "o-1"}}}
    entry = params["Entries"][0]
    detail = {k.removesuffix(".$"): ({"id": "o-1"} if k.endswith(".$") else audience if v == "all" else v)
              for k, v in entry["Detail"].items()}
    return {"detail": detail}


def channel_of(stack: h.Stack, flow) -> tuple[str, str] | None:
    """(kind, logical id) the flow's producer publishes to: its bus, else its topic."""
    prefix = pascal(flow.name)
    for kind, type_ in (("events", "AWS::Events::EventBus"), ("sns", "AWS::SNS::Topic")):
        found = sorted(lid for lid in stack.of_type(type_) if lid.startswith(prefix) and
                       not lid.startswith(prefix + "Approval") and not lid.startswith("Alarm"))
        if found:
            return kind, found[0]
    return None


def publish(stack: h.Stack, app: App, flow, audience: str) -> list[str]:
    kind, lid = channel_of(stack, flow)
    msg = producer_message(kind, audience)
    if kind == "sns":
        fifo = stack.resources[lid]["Properties"].get("FifoTopic")
        delivery = h.publish_to_topic(stack, lid, json.dumps(msg["body"]), msg["attributes"],
                                      group="g1" if fifo else None)
    else:
        delivery = h.put_event(stack, lid, app.workload.name, f"{flow.name}.completed", msg["detail"])
    delivery.queues = h.drain(stack)
    return delivery.reached


def routed_flows(app: App) -> list:
    return [f for f in app.workload.flows if app.choices[f.name].get("channel") in (
        "sns", "sns-sqs", "sns-fifo", "eventbridge", "eventbridge-sns")]


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", APP_NAMES)
def test_app_deploys_twice_side_by_side(deployed, name):
    """The stack is created; a second stack of the same app is too (examples and built apps), and no name the
    template fixes would collide with another stack or with a retained resource after a redeploy."""
    app = deployed[name]
    a = app.stacks[0]
    assert [s.status for s in app.stacks] == ["CREATE_COMPLETE"] * (2 if app.twice else 1)
    unknown = {t for t in a.left_out.values() if t not in h.MOTO_GAPS}
    assert not unknown, f"moto cannot create {sorted(unknown)}: add each to MOTO_GAPS with how it is covered"
    # a name the template fixes must differ per stack, or a second deploy in the account collides
    fixed = [f"{lid}.{key}" for lid, r in a.resources.items() for key, value in r.get("Properties", {}).items()
             if key == UNIQUE_NAMES.get(r["Type"]) and not _varies_per_stack(value)]
    assert not fixed, f"names that do not vary per stack: {fixed}"
    # a retained bucket outlives its stack: a redeploy under the same stack name must not meet its name again
    for lid, r in a.of_type("AWS::S3::Bucket").items():
        if r.get("DeletionPolicy") == "Retain" and "BucketName" in r["Properties"]:
            assert "AWS::StackId" in json.dumps(r["Properties"]["BucketName"]), f"{lid}: redeploy would collide"


# the name property of each type whose names are unique in an account and region (or globally, for buckets)
UNIQUE_NAMES = {
    "AWS::S3::Bucket": "BucketName", "AWS::SQS::Queue": "QueueName", "AWS::SNS::Topic": "TopicName",
    "AWS::Lambda::Function": "FunctionName", "AWS::DynamoDB::Table": "TableName", "AWS::Kinesis::Stream": "Name",
    "AWS::IAM::Role": "RoleName", "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::Logs::LogGroup": "LogGroupName", "AWS::KMS::Alias": "AliasName", "AWS::Events::EventBus": "Name",
    "AWS::Events::Rule": "Name", "AWS::Scheduler::Schedule": "Name", "AWS::Events::ApiDestination": "Name",
    "AWS::Events::Connection": "Name", "AWS::ECS::Cluster": "ClusterName", "AWS::RDS::DBCluster":
    "DBClusterIdentifier", "AWS::RDS::DBProxy": "DBProxyName", "AWS::SecretsManager::Secret": "Name"}


def _varies_per_stack(value) -> bool:
    """True when the name is built from the stack name or from another resource of the stack."""
    import re
    text = json.dumps(value)
    refs = re.findall(r'"Ref": "([^"]+)"', text) + re.findall(r'"Fn::GetAtt": \[?"([^".]+)', text) + \
        re.findall(r"\$\{([^}.]+)", text)
    return any(r == "AWS::StackName" or not r.startswith("AWS::") for r in refs)


@pytest.mark.parametrize("name", APP_NAMES)
def test_outcome_event_reaches_exactly_its_subscribers(deployed, name):
    app = deployed[name]
    stack = app.stacks[0]
    for flow in routed_flows(app):
        subs = subscribers(app, flow)
        kind, lid = channel_of(stack, flow)
        external = len(flow.external_targets) if kind == "events" else 0
        reached = publish(stack, app, flow, "all")
        assert len(reached) == len(subs) + external and len(set(reached)) == len(reached), (flow.name, reached)
        assert not set(reached) & h.dlqs(stack), (flow.name, reached)
        if not flow.needs.content_filtering:
            continue
        everyone = publish(stack, app, flow, "nobody-at-all")  # what ignores the audience: external targets
        assert len(everyone) == external, (flow.name, everyone)
        picked = []
        for sub in subs:
            got = [t for t in publish(stack, app, flow, sub) if t not in everyone]
            assert len(got) == 1, f"{flow.name}: an event for {sub} reached {got}"
            picked += got
        assert len(set(picked)) == len(subs), f"{flow.name}: two subscribers share a filter: {picked}"


@pytest.mark.parametrize("name", APP_NAMES)
def test_stream_and_queue_channels_reach_every_subscriber(deployed, name):
    """Every reader of a stream channel has its own mapping; a queue channel sends to one queue per subscriber
    (no routing to run here: each reader reads everything)."""
    app = deployed[name]
    stack = app.stacks[0]
    mappings = stack.of_type("AWS::Lambda::EventSourceMapping")
    written = published_to(stack)
    for flow in app.workload.flows:
        channel = app.choices[flow.name].get("channel")
        subs = subscribers(app, flow)
        prefix = pascal(flow.name)
        if channel in ("kinesis", "dynamodb-streams"):
            kind = "AWS::Kinesis::Stream" if channel == "kinesis" else "AWS::DynamoDB::Table"
            # the flow's stream: the one it publishes to, or the one it reads and shares with its consumers
            sources = {lid for lid in stack.of_type(kind) if lid.startswith(prefix)}
            readers = {stack.target_of(m["Properties"]["FunctionName"]) for m in mappings.values()
                       if stack.target_of(m["Properties"].get("EventSourceArn")) in sources}
            assert len(readers) >= len(subs), (flow.name, sources, readers, subs)
        elif channel in ("sqs", "sqs-fifo"):
            queues = {lid for lid, r in stack.of_type("AWS::SQS::Queue").items() if lid.startswith(prefix)}
            fed = {stack.target_of(m["Properties"].get("EventSourceArn")) for m in mappings.values()} & queues & written
            assert len(fed - h.dlqs(stack)) >= len(subs), (flow.name, fed, subs)


@pytest.mark.parametrize("name", APP_NAMES)
def test_fifo_queues_keep_the_order_within_a_group(deployed, name):
    stack = deployed[name].stacks[0]
    sqs = stack.cloud.client("sqs")
    fifo = [lid for lid, r in stack.of_type("AWS::SQS::Queue").items() if r["Properties"].get("FifoQueue")]
    for lid in fifo:
        url = stack.physical[lid]
        for i in range(5):
            for group in ("g1", "g2"):
                sqs.send_message(QueueUrl=url, MessageBody=f"{group}-{i}", MessageGroupId=group,
                                 MessageDeduplicationId=f"{group}-{i}")
        got = [b for b in h.drain(stack).get(lid, [])]
        assert [b for b in got if b.startswith("g1")] == [f"g1-{i}" for i in range(5)], (lid, got)
    for topic, r in stack.of_type("AWS::SNS::Topic").items():
        if not r["Properties"].get("FifoTopic"):
            continue
        for i in range(5):
            h.publish_to_topic(stack, topic, json.dumps({"n": i}), {}, group="g1")
        got = h.drain(stack)
        queues = [stack.target_of(p["Endpoint"]) for p in h.topic_subscriptions(stack, topic).values()]
        assert queues
        for q in queues:
            assert [json.loads(b)["n"] for b in got.get(q, [])] == list(range(5)), (topic, q, got)


@pytest.mark.parametrize("name", APP_NAMES)
def test_a_message_that_keeps_failing_lands_in_its_dlq(deployed, name):
    stack = deployed[name].stacks[-1]
    for lid in sorted(set(stack.of_type("AWS::SQS::Queue")) - h.dlqs(stack)):
        assert h.poison_reaches_dlq(stack, lid), f"{lid}: a poison message never reaches a DLQ"


@pytest.mark.parametrize("name", APP_NAMES)
def test_every_failure_has_somewhere_to_go(deployed, name):
    assert h.failure_path_problems(deployed[name].translated) == []


@pytest.mark.parametrize("name", APP_NAMES)
def test_every_waiting_workflow_has_a_way_back(deployed, name):
    """A task token goes to a person (SNS) and something in the stack may call SendTaskSuccess/Failure."""
    app = deployed[name]
    stack = app.stacks[0]
    iam = stack.cloud.client("iam")
    waiting = 0
    for lid, definition in definitions(app).items():
        waits = [s for s in definition["States"].values()
                 if str(s.get("Resource", "")).endswith(".waitForTaskToken")]
        if not waits:
            continue
        waiting += 1
        for state in waits:
            assert state["Resource"].startswith("arn:aws:states:::sns:publish"), \
                f"{lid}: the task token must reach a person (an SNS notification), got {state['Resource']}"
            assert "$$.Task.Token" in json.dumps(state["Parameters"]), lid
        callers = [role for role, r in stack.of_type("AWS::IAM::Role").items()
                   if _allows(r, {"states:SendTaskSuccess", "states:SendTaskFailure"}, lid, stack)]
        assert callers, f"{lid}: nothing in the stack may call SendTaskSuccess/SendTaskFailure"
        for role in callers:  # and the role exists in moto with that policy
            names = iam.list_role_policies(RoleName=stack.physical[role])["PolicyNames"]
            docs = [json.dumps(iam.get_role_policy(RoleName=stack.physical[role], PolicyName=n)["PolicyDocument"])
                    for n in names]
            assert any("states:SendTaskSuccess" in d for d in docs), role
        apis = [a for a, r in stack.resources.items() if r["Type"] == "AWS::ApiGateway::RestApi" and
                "SendTaskSuccess" in json.dumps(r["Properties"].get("Body", {}))]
        assert apis, f"{lid}: no API a person's client can call to approve or reject"
    flows = [f for f in app.workload.flows if f.needs.human_approval and app.choices[f.name].get(
        "orchestrator") == "step-functions-standard"]
    assert waiting == len(flows), f"{len(flows)} flows need an approval, {waiting} workflows wait for one"


def definitions(app: App) -> dict[str, dict]:
    """State machine logical id -> its ASL (from the generated file the template points at)."""
    from advisor.scaffold.cfn import load_template
    source = load_template(app.files["template.yaml"].decode())["Resources"]
    return {lid: json.loads(app.files[r["Properties"]["DefinitionUri"]]) for lid, r in source.items()
            if r["Type"] == "AWS::Serverless::StateMachine"}


def _allows(role: dict, actions: set[str], sm: str, stack: h.Stack) -> bool:
    for policy in role["Properties"].get("Policies", []):
        for st in policy["PolicyDocument"]["Statement"]:
            acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            res = st.get("Resource")
            # SendTask* have no resource-level permissions: "*" (the token names the execution)
            if actions <= set(acts) and (res == "*" or sm in json.dumps(res)):
                return True
    return False


def test_moto_gaps_are_real_and_every_app_type_is_known(deployed):
    """The gap table lists only what moto really lacks, and covers every type an app uses."""
    used = {r["Type"] for app in deployed.values() for r in app.translated["Resources"].values()}
    known = h.model_map()
    missing = {t for t in used if (t not in known or t in h.BROKEN_IN_MOTO) and t not in h.MOTO_GAPS}
    assert not missing, sorted(missing)
    stale = {t for t in h.MOTO_GAPS if t in known and t not in h.BROKEN_IN_MOTO and t not in h.PARTLY_MODELLED}
    assert not stale, f"moto now supports {sorted(stale)}: drop them from MOTO_GAPS"


@pytest.mark.parametrize("name", APP_NAMES)
def test_user_pools_ask_only_for_what_the_default_tier_has(deployed, name):
    """moto has no Cognito in CloudFormation: check the pool against the Essentials tier new pools get.
    Threat protection (AdvancedSecurityMode AUDIT/ENFORCED) needs the Plus tier:
    https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html"""
    for lid, r in deployed[name].stacks[0].of_type("AWS::Cognito::UserPool").items():
        props = r["Properties"]
        mode = props.get("UserPoolAddOns", {}).get("AdvancedSecurityMode", "OFF")
        assert mode == "OFF" or props.get("UserPoolTier") == "PLUS", f"{lid}: {mode} needs the Plus tier"


# ---------------------------------------------------------------------------------------------
# mutations: break a generated app the way a careless edit would; the checks above must notice


def _mutated(app: App, edit) -> dict[str, bytes]:
    from advisor.scaffold.cfn import dump_template, load_template
    template = load_template(app.files["template.yaml"].decode())
    edit(template["Resources"])
    return {**app.files, "template.yaml": dump_template(template).encode()}


def test_removing_a_catch_is_caught(deployed):
    from advisor.scaffold import self_check
    app = deployed["approval"]
    path = next(p for p in sorted(app.files) if p.endswith(".asl.json"))
    definition = json.loads(app.files[path])
    task = next(s for s in definition["States"].values() if s["Type"] == "Task" and "Catch" in s)
    del task["Catch"]
    problems = self_check({**app.files, path: json.dumps(definition).encode()})
    assert any("has no Catch" in p for p in problems), problems


def test_removing_partial_batch_responses_is_caught(deployed, validators):
    def edit(resources):
        for r in resources.values():
            for event in (r.get("Properties") or {}).get("Events", {}).values():
                if event["Type"] == "SQS":
                    event["Properties"].pop("FunctionResponseTypes")
                    return
        raise AssertionError("no SQS consumer to mutate")
    assert h.failure_path_problems(deployed["alerts"].translated) == []
    problems = h.failure_path_problems(validators.translate(_mutated(deployed["alerts"], edit)))
    assert any("ReportBatchItemFailures" in p for p in problems), problems


def test_removing_a_dlq_is_caught_in_the_template_and_at_run_time(deployed, validators, cloud):
    queue = next(lid for lid, r in sorted(deployed["alerts"].stacks[0].of_type("AWS::SQS::Queue").items())
                 if "RedrivePolicy" in r["Properties"])

    def edit(resources):
        resources[queue]["Properties"].pop("RedrivePolicy")
    translated = validators.translate(_mutated(deployed["alerts"], edit))
    assert any(p.startswith(queue) and "dead-letter" in p for p in h.failure_path_problems(translated))
    stack = h.deploy(cloud, "alerts-mutant", translated)
    assert stack.status == "CREATE_COMPLETE"
    assert not h.poison_reaches_dlq(stack, queue)


@pytest.mark.parametrize("name", APP_NAMES)
def test_alarms_exist_and_notify_the_alarm_topic(deployed, name):
    """The harness creates the alarms through the CloudWatch API (moto's CloudFormation has no alarms, and moto
    never evaluates metrics): each acts on the app's one alarm topic and watches something that exists."""
    stack = deployed[name].stacks[0]
    wanted = stack.of_type("AWS::CloudWatch::Alarm")
    assert wanted, "an app without alarms"
    topics = {stack.target_of(a) for r in wanted.values() for a in r["Properties"]["AlarmActions"]}
    assert len(topics) == 1 and stack.resources[next(iter(topics))]["Type"] == "AWS::SNS::Topic"
    pages = stack.cloud.client("cloudwatch").get_paginator("describe_alarms").paginate(
        AlarmNames=[stack.physical[lid] for lid in wanted])
    alarms = [a for page in pages for a in page["MetricAlarms"]]
    assert len(alarms) == len(wanted)
    assert {tuple(a["AlarmActions"]) for a in alarms} == {(stack.physical[next(iter(topics))],)}
    cloud = stack.cloud
    exists = {"QueueName": lambda v: cloud.client("sqs").get_queue_url(QueueName=v),
              "FunctionName": lambda v: cloud.client("lambda").get_function(FunctionName=v),
              "StateMachineArn": lambda v: cloud.client("stepfunctions").describe_state_machine(stateMachineArn=v)}
    for alarm in alarms:
        for query in alarm["Metrics"]:
            for d in query.get("MetricStat", {}).get("Metric", {}).get("Dimensions", []):
                if d["Name"] in exists:
                    exists[d["Name"]](d["Value"])  # raises when the alarm watches nothing


@pytest.mark.parametrize("name", APP_NAMES)
def test_pipes_read_the_stack_and_may_start_its_workflow(deployed, name):
    """moto has no pipes: each one must read a queue or stream of the stack (or a broker or Kafka cluster the
    stack is given as a parameter) and start one of its state machines, with a role that allows exactly that
    start."""
    stack = deployed[name].stacks[0]
    for lid, pipe in stack.of_type("AWS::Pipes::Pipe").items():
        props = pipe["Properties"]
        source, target = stack.target_of(props["Source"]), stack.target_of(props["Target"])
        if source in stack.template.get("Parameters", {}):  # outside the stack: the pipe reads it by its ARN
            assert {"ActiveMQBrokerParameters", "RabbitMQBrokerParameters",
                    "ManagedStreamingKafkaParameters"} & set(props["SourceParameters"]), lid
        elif "SelfManagedKafkaParameters" in props["SourceParameters"]:
            assert "smk://" in json.dumps(props["Source"]), lid
        else:
            assert stack.resources[source]["Type"] in ("AWS::SQS::Queue", "AWS::Kinesis::Stream",
                                                       "AWS::DynamoDB::Table")
        assert stack.resources[target]["Type"] == "AWS::StepFunctions::StateMachine", lid
        role = stack.resources[stack.target_of(props["RoleArn"])]
        statements = [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]
        assert any(s["Action"] == "states:StartExecution" and stack.target_of(s["Resource"]) == target
                   for s in statements), lid
