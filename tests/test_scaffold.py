"""advisor.scaffold: the generated SAM app must lint clean, translate, and its own tests must pass.

"Clean" means: aws-sam-translator transforms it offline, cfn-lint (+ the
serverless rules) reports nothing on the source, nor on the translated
template (except W3037 and ES1001, artefacts named in sam-validation.md),
every ASL file passes our structural check, and the self-check is empty.
Many flows are packed into one workload per test to keep the linter runs
few (one linter setup per session).
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys

import pytest
import yaml

from advisor.errors import TemplateError
from advisor.scaffold import asl, manifest_data, render, self_check
from advisor.scaffold.cfn import GetAtt, Ref, Sub, dump_template, load_template, to_long_form
from advisor.scaffold.fragments import load_fragment, render_text
from advisor.scaffold.names import NameRegistry, pascal, snake
from scaffold_helpers import Validators, assert_app_tests_pass, make_workload, recommendation, run_app_tests
from shared_examples import EXAMPLE_FILES, load_case

CHANNELS = ["none", "sqs", "sqs-fifo", "sns", "sns-fifo", "sns-sqs", "eventbridge", "eventbridge-sns", "kinesis",
            "dynamodb-streams"]
ENTRY_FOR_CHANNEL = {"eventbridge": ["eventbridge-rule", "sqs-poll"], "eventbridge-sns": ["sns-subscription", "sqs-poll"],
                     "sns": ["sns-subscription", "sqs-poll"], "sns-sqs": ["sqs-poll"], "sqs": ["sqs-poll"],
                     "sqs-fifo": ["sqs-poll"], "sns-fifo": ["sqs-poll"], "kinesis": ["kinesis-poll"],
                     "dynamodb-streams": ["dynamodb-stream-poll"]}


_clean_cache: set[str] = set()


def assert_clean(files: dict[str, bytes], validators: Validators) -> None:
    assert self_check(files) == []
    for path, content in files.items():
        if path.endswith(".asl.json"):
            assert asl.check(json.loads(content), path) == []
    digest = hashlib.sha256(files["template.yaml"] + b"".join(
        v for k, v in sorted(files.items()) if k.endswith(".asl.json"))).hexdigest()
    if digest in _clean_cache:
        return
    problems = validators.problems(files)
    assert problems == [], "\n".join(problems)
    _clean_cache.add(digest)


def build(flows: list[dict], choices: dict[str, dict], name: str = "app", **top) -> tuple:
    wl = make_workload({"name": name, "flows": flows, **top})
    rec = recommendation(wl, choices)
    return wl, rec, render(wl, rec)


def flow(name: str, trigger: str, **kw) -> dict:
    return {"name": name, "trigger": trigger, "duration": kw.pop("duration", "2s"), **kw}


# ---------------------------------------------------------------------------------------------
# the examples


@pytest.mark.parametrize("runtime", ["python3.13", "nodejs22.x"])
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_workloads_generate_clean_apps(path, runtime, validators):
    case = load_case(path)
    wl = make_workload(case["workload"])
    rec = recommendation(wl, case.get("expect"))
    files = render(wl, rec, runtime=runtime)
    assert_clean(files, validators)
    template = load_template(files["template.yaml"].decode())
    for f in wl.flows:
        choice = {x["name"]: x for x in rec["flows"]}[f.name]["decisions"]
        types = [r["Type"] for r in template["Resources"].values()]
        if choice["orchestrator"]["choice"] != "none":
            kind = "EXPRESS" if choice["orchestrator"]["choice"].endswith("express") else "STANDARD"
            assert any(r["Type"] == "AWS::Serverless::StateMachine" and r["Properties"]["Type"] == kind
                       for r in template["Resources"].values())
        if choice["data_store"]["choice"] == "aurora-serverless":
            assert "AWS::RDS::DBProxy" in types
        if choice["compute"]["choice"] == "fargate":
            assert "AWS::ECS::TaskDefinition" in types


def test_shop_example_has_a_saga_an_approval_and_a_sync_express_api():
    case = load_case("e02-shop")
    wl = make_workload(case["workload"])
    files = render(wl, recommendation(wl, case["expect"]))
    checkout = json.loads(files["statemachine/checkout.asl.json"])
    # a failure in the third step undoes the second, then the first, then fails
    assert checkout["States"]["StepReserveStock"]["Catch"][0]["Next"] == "UndoChargeCard"
    assert checkout["States"]["UndoChargeCard"]["Next"] == "UndoValidateCart"
    assert checkout["States"]["UndoValidateCart"]["Next"] == "SagaFailed"
    ship = json.loads(files["statemachine/ship_order.asl.json"])
    assert ship["States"]["WaitForApproval"]["Resource"].endswith(".waitForTaskToken")
    assert ship["States"]["IsApproved"]["Type"] == "Choice"
    template = files["template.yaml"].decode()
    assert "StartSyncExecution" in template
    assert "AWS::Cognito::UserPool" in template
    # ship-order consumes checkout's channel
    tpl = load_template(template)
    ship_sm = [r for k, r in tpl["Resources"].items() if k.startswith("ShipOrder") and
               r["Type"] == "AWS::Serverless::StateMachine"]
    assert ship_sm and ship_sm[0]["Properties"]["Type"] == "STANDARD"


# ---------------------------------------------------------------------------------------------
# every trigger, every choice of every decision


def test_every_trigger(validators):
    flows = [flow("web", "api", consumers=["audit"]), flow("tick", "schedule", traffic={"average": "1/h"}),
             flow("upload", "upload", data="files"), flow("queue", "queue"), flow("stream", "stream"),
             flow("changes", "change-data"), flow("follow", "event", after="web"),
             flow("kafka-msk", "kafka", source="msk"), flow("kafka-own", "kafka", source="self-managed"),
             flow("mq-active", "mq", source="activemq"), flow("mq-rabbit", "mq", source="rabbitmq")]
    wl, rec, files = build(flows, {"web": {"channel": "sns"}})
    assert_clean(files, validators)
    template = files["template.yaml"].decode()
    for event_type in ("HttpApi", "ScheduleV2", "S3", "SQS", "Kinesis", "DynamoDB", "MSK", "SelfManagedKafka", "MQ",
                       "SNS"):
        assert f"Type: {event_type}\n" in template, event_type
    assert "VIRTUAL_HOST" in template


def test_composition_and_orchestrator_choices(validators):
    steps = ["reserve", "charge", "ship"]
    flows = [flow("orch", "queue", steps=steps, coupling="tight"),
             flow("chor", "queue", steps=steps),
             flow("standard", "queue", steps=steps, duration="1h", longest_step="10s",
                  needs={"human_approval": True, "compensation": True, "timeouts": True}, consumers=["a"]),
             flow("express", "queue", steps=steps, needs={"compensation": True, "timeouts": True}, consumers=["a"]),
             flow("express-approval", "queue", needs={"human_approval": True}),
             flow("single-approval", "queue", needs={"human_approval": True})]
    choices = {"orch": {"composition": "orchestration", "orchestrator": "step-functions-express"},
               "chor": {"composition": "choreography", "orchestrator": "none"},
               "standard": {"orchestrator": "step-functions-standard", "channel": "eventbridge"},
               "express": {"orchestrator": "step-functions-express", "channel": "sns-sqs"},
               "express-approval": {"orchestrator": "step-functions-express"},
               "single-approval": {"orchestrator": "step-functions-standard"}}
    wl, rec, files = build(flows, choices)
    assert_clean(files, validators)
    standard = json.loads(files["statemachine/standard.asl.json"])
    assert standard["TimeoutSeconds"] == 7200
    assert "WaitForApproval" in standard["States"]
    express = json.loads(files["statemachine/express.asl.json"])
    assert express["TimeoutSeconds"] <= 300
    assert "WaitForApproval" not in json.loads(files["statemachine/express_approval.asl.json"])["States"]
    assert "WaitForApproval" in json.loads(files["statemachine/single_approval.asl.json"])["States"]
    tpl = load_template(files["template.yaml"].decode())
    types = {k: r["Properties"].get("Type") for k, r in tpl["Resources"].items()
             if r["Type"] == "AWS::Serverless::StateMachine"}
    assert types["StandardStateMachine"] == "STANDARD" and types["ExpressStateMachine"] == "EXPRESS"
    # choreography: one function per step, chained by queues
    assert {"ChorReserveFunction", "ChorChargeFunction", "ChorShipFunction"} <= set(tpl["Resources"])
    assert "ChorShipInputQueue" in tpl["Resources"]
    assert "Express approval" not in files["README.md"].decode()
    assert "Standard only" in files["README.md"].decode()


def channel_case(channel: str, p: str = "") -> tuple[list, dict]:
    """A producer with two consumers (content filtering, an external target) and followers for each entry."""
    producer = p + "produce"
    flows = [flow(producer, "api", consumers=["billing", "email"], caller_waits=False,
                  needs={"content_filtering": True}, external_targets=["datadog"])]
    choices: dict[str, dict] = {producer: {"channel": channel}}
    for i, entry in enumerate(ENTRY_FOR_CHANNEL.get(channel, [])):
        name = f"{p}follow-{i}"
        flows.append(flow(name, "event", after=producer))
        choices[name] = {"entry": entry}
    if channel in ("eventbridge", "sns", "kinesis"):  # a state machine behind a rule, a topic, a stream
        flows.append(flow(p + "follow-orch", "event", after=producer, steps=["a", "b"], coupling="tight"))
        choices[p + "follow-orch"] = {"orchestrator": "step-functions-standard", "entry": ENTRY_FOR_CHANNEL[channel][0]}
    return flows, choices


def render_exact(flows: list, choices: dict, name: str = "app") -> dict[str, bytes]:
    """Render with exactly these choices (the helper's entry-follows-channel default is overridden)."""
    wl = make_workload({"name": name, "flows": flows})
    rec = recommendation(wl, choices)
    for f in rec["flows"]:
        for k, v in choices.get(f["name"], {}).items():
            f["decisions"][k]["choice"] = v
    return render(wl, rec)


def structural(files: dict[str, bytes]) -> dict:
    assert self_check(files) == []
    return load_template(files["template.yaml"].decode())


@pytest.mark.parametrize("channel", CHANNELS)
def test_channel_choices(channel):
    tpl = structural(render_exact(*channel_case(channel)))
    types = [r["Type"] for r in tpl["Resources"].values()]
    expected = {"sqs": "AWS::SQS::Queue", "sns": "AWS::SNS::Topic", "eventbridge": "AWS::Events::EventBus",
                "kinesis": "AWS::Kinesis::Stream", "dynamodb": "AWS::DynamoDB::Table"}
    for prefix, rtype in expected.items():
        if channel.startswith(prefix):
            assert rtype in types
    if channel.startswith("eventbridge"):
        assert "AWS::Events::ApiDestination" in types and "AWS::Events::Connection" in types
        for r in tpl["Resources"].values():
            if r["Type"] == "AWS::Events::Rule":
                assert 1 <= len(r["Properties"]["Targets"]) <= 5
                assert all("DeadLetterConfig" in t for t in r["Properties"]["Targets"])
    if channel.endswith("fifo"):
        assert any(r["Properties"].get("FifoQueue") for r in tpl["Resources"].values()
                   if r["Type"] == "AWS::SQS::Queue")
    for r in tpl["Resources"].values():
        if r["Type"] == "AWS::SNS::Subscription":
            assert "RedrivePolicy" in r["Properties"]
            assert "FilterPolicy" in r["Properties"]  # needs.content_filtering
        if r["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" not in r["Properties"]:
            assert "ES6000" in r["Metadata"]["cfn-lint"]["config"]["ignore_checks"]  # only DLQs




ENTRY_CASES = {
    "api-sync": [flow("a", "api"), flow("b", "api", steps=["x", "y"], coupling="tight")],
    "api-async": [flow("a", "api", caller_waits=False), flow("b", "api", steps=["x", "y"], coupling="tight")],
    "api-queue": [flow("a", "api", caller_waits=False), flow("b", "api", steps=["x", "y"], coupling="tight")],
    "schedule": [flow("a", "schedule", traffic={"average": "1/day"}), flow("b", "schedule", steps=["x", "y"],
                                                                          coupling="tight")],
    "s3-event": [flow("a", "upload"), flow("b", "upload", steps=["x", "y"], coupling="tight")],
    "sqs-poll": [flow("a", "queue", needs={"ordering": True}), flow("b", "queue", steps=["x", "y"], coupling="tight")],
    "kinesis-poll": [flow("a", "stream", needs={"replay": True}), flow("b", "stream", steps=["x", "y"],
                                                                       coupling="tight")],
    "dynamodb-stream-poll": [flow("a", "change-data"), flow("b", "change-data", steps=["x", "y"], coupling="tight")],
    "kafka-poll": [flow("a", "kafka", source="msk"), flow("b", "kafka", source="self-managed", steps=["x", "y"],
                                                          coupling="tight")],
    "mq-poll": [flow("a", "mq", source="activemq"), flow("b", "mq", source="rabbitmq", steps=["x", "y"],
                                                          coupling="tight")],
    "eventbridge-rule": [flow("a", "upload"), flow("b", "queue", steps=["x", "y"], coupling="tight")],
    "sns-subscription": [flow("a", "queue"), flow("b", "queue", steps=["x", "y"], coupling="tight")],
}


ENTRY_MARKERS = {"api-async": "X-Amz-Invocation-Type", "api-queue": "Action=SendMessage", "api-sync": "HttpApi",
                 "schedule": "ScheduleV2", "s3-event": "s3:ObjectCreated", "sqs-poll": "ReportBatchItemFailures",
                 "kinesis-poll": "BisectBatchOnFunctionError", "dynamodb-stream-poll": "StreamArn",
                 "kafka-poll": "Topics", "mq-poll": "BASIC_AUTH", "eventbridge-rule": "Object Created",
                 "sns-subscription": "RedrivePolicy"}


def entry_case(entry: str, p: str = "") -> tuple[list, dict]:
    flows = [dict(f, name=p + f["name"]) for f in ENTRY_CASES[entry]]
    return flows, {p + "a": {"entry": entry}, p + "b": {"entry": entry, "orchestrator": "step-functions-express"}}


@pytest.mark.parametrize("entry", sorted(ENTRY_CASES))
def test_entry_choices(entry):
    files = render_exact(*entry_case(entry))
    structural(files)
    assert ENTRY_MARKERS[entry] in files["template.yaml"].decode()




API_CASES = [("http", "users"), ("http", "iam"), ("http", "api-key"), ("rest", "users"), ("rest", "iam"),
             ("rest", "api-key"), ("graphql", "users"), ("graphql", "api-key"), ("graphql", "none"),
             ("websocket", "none"), ("websocket", "iam")]


def api_case(style: str, auth: str, p: str = "") -> tuple[list, dict]:
    flows = [flow(p + "a", "api", api=style, auth=auth),
             flow(p + "b", "api", api=style, auth=auth, steps=["x", "y"], coupling="tight")]
    return flows, {p + "b": {"orchestrator": "step-functions-express"}}


@pytest.mark.parametrize("style,auth", API_CASES)
def test_api_styles_and_auth(style, auth):
    template = render_exact(*api_case(style, auth))["template.yaml"].decode()
    if auth == "users":
        assert "AWS::Cognito::UserPool" in template
    if auth == "api-key" and style != "graphql":
        assert "AWS::ApiGateway::UsagePlan" in template
    if style == "graphql":
        assert "AWS::AppSync::GraphQLApi" in template
    if style == "websocket":
        assert "ProtocolType: WEBSOCKET" in template




COMPUTE_CASES = [("lambda", "none"), ("fargate", "none"), ("fargate", "step-functions-standard"),
                 ("fargate", "step-functions-express")]


def compute_case(compute: str, orchestrator: str, p: str = "") -> tuple[list, dict]:
    flows = [flow(p + "job", "schedule", duration="40m", longest_step="20m", steps=["gather", "publish"],
                  coupling="tight", consumers=["mail"], data="files")]
    return flows, {p + "job": {"compute": compute, "orchestrator": orchestrator, "channel": "sns"}}


@pytest.mark.parametrize("compute,orchestrator", COMPUTE_CASES)
def test_compute_choices(compute, orchestrator):
    files = render_exact(*compute_case(compute, orchestrator))
    structural(files)
    if compute == "fargate" and orchestrator == "step-functions-standard":
        assert "ecs:runTask.sync" in files["statemachine/job.asl.json"].decode()
    if compute == "fargate":
        assert "AWS::ECS::Cluster" in files["template.yaml"].decode()




def test_data_store_choices(validators):
    flows = [flow("kv", "api", data="key-value", context="orders"),
             flow("kv2", "queue", data="key-value", context="orders"),
             flow("sql", "queue", data="relational"), flow("files", "queue", data="files"), flow("nothing", "queue"),
             flow("sql-orch", "queue", data="relational", steps=["x", "y"], coupling="tight")]
    wl, rec, files = build(flows, {})
    assert_clean(files, validators)
    tpl = load_template(files["template.yaml"].decode())
    tables = [r for rid, r in tpl["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"
              and rid != "IdempotencyTable"]  # the idempotency records are not a data store
    assert len(tables) == 1  # one store per bounded context
    t = tables[0]["Properties"]
    assert t["BillingMode"] == "PAY_PER_REQUEST" and t["SSESpecification"]["SSEEnabled"]
    assert t["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    buckets = [r["Properties"] for r in tpl["Resources"].values() if r["Type"] == "AWS::S3::Bucket"]
    assert all(b["VersioningConfiguration"]["Status"] == "Enabled" and b["PublicAccessBlockConfiguration"]
               for b in buckets)
    assert {"VpcSubnetIds", "VpcSecurityGroupId", "DbSecretArn"} <= set(tpl["Parameters"])
    assert tpl["Resources"]["SqlSqlFunction"]["Properties"]["VpcConfig"]


# ---------------------------------------------------------------------------------------------
# the generated app's own tests


ALL_SOURCES = [flow("web", "api", consumers=["audit"], steps=["a", "b"]), flow("async", "api", caller_waits=False),
               flow("gql", "api", api="graphql"), flow("ws", "api", api="websocket"),
               flow("tick", "schedule"), flow("upload", "upload"), flow("queue", "queue", consumers=["k"]),
               flow("stream", "stream"), flow("changes", "change-data"), flow("kafka", "kafka", source="msk"),
               flow("mq", "mq", source="rabbitmq"), flow("mq2", "mq", source="activemq"),
               flow("orch", "queue", steps=["x", "y"], coupling="tight", needs={"human_approval": True}),
               flow("big", "queue", duration="1h", longest_step="30m"),
               flow("follow", "event", after="web")]
ALL_SOURCES_CHOICES = {"web": {"channel": "eventbridge"}, "async": {"entry": "api-async"},
                       "queue": {"channel": "kinesis"}, "orch": {"orchestrator": "step-functions-standard"},
                       "big": {"compute": "fargate", "orchestrator": "none"}, "follow": {"entry": "eventbridge-rule"}}


@pytest.mark.parametrize("runtime", ["python3.13", "nodejs22.x"])
def test_generated_handler_tests_pass(runtime, tmp_path, request):
    wl, rec, files = build(ALL_SOURCES, ALL_SOURCES_CHOICES, runtime=runtime)
    kinds = set()
    for path, content in files.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        if ".adapter." in path or path.endswith("_adapter.py"):
            kinds.add(content.decode().split("events)")[0].rsplit("(", 1)[1].strip())
    # (an approval needs no function: the workflow publishes its task token to SNS itself)
    assert {"http", "rest_async", "appsync", "websocket", "schedule", "s3", "sqs", "kinesis", "dynamodb", "kafka",
            "mq", "sfn_task", "ecs_task", "eventbridge"} <= kinds
    modules = request.getfixturevalue("node_modules") if runtime.startswith("nodejs") else None
    assert_app_tests_pass(run_app_tests(tmp_path, modules))
    if modules is not None:  # and the TypeScript compiles under strict
        proc = subprocess.run(["npm", "run", "typecheck"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


# What a broken handler looks like, per language: (what breaks, text in src/shared/shared.*, its replacement).
MUTATIONS = {
    "python3.13": [
        ("a FIFO group no longer skips only itself", "skip_group_on_error=True", "skip_group_on_error=False"),
        ("no idempotency", 'if not os.environ.get("IDEMPOTENCY_TABLE"):', "if True:"),
        ("one global FIFO group", '{"MessageGroupId": key}', '{"MessageGroupId": "default"}'),
        ("no partial batch response", "return process_partial_response(",
         'return {"batchItemFailures": []} or process_partial_response('),
    ],
    "nodejs22.x": [
        ("a FIFO group no longer skips only itself", "skipGroupOnError: true", "skipGroupOnError: false"),
        ("no idempotency", "if (!process.env.IDEMPOTENCY_TABLE) {", "if (true) {"),
        ("one global FIFO group", "{ MessageGroupId: key }", "{ MessageGroupId: 'default' }"),
        ("no partial batch response", "return processPartialResponse(event, handler, new BatchProcessor(",
         "return { batchItemFailures: [] } || processPartialResponse(event, handler, new BatchProcessor("),
    ],
}


def app_with_passing_tests(files: dict[str, bytes], runtime: str, tmp_path, request) -> tuple:
    """The app written to tmp_path, its own tests passing: (its shared module, that module's text, node_modules)."""
    for path, content in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(content)
    modules = request.getfixturevalue("node_modules") if runtime.startswith("nodejs") else None
    assert_app_tests_pass(run_app_tests(tmp_path, modules))
    shared = next(tmp_path.glob("src/shared/shared.*"))
    return shared, shared.read_text(), modules


@pytest.mark.parametrize("runtime", sorted(MUTATIONS))
def test_the_generated_tests_fail_when_the_handler_breaks(runtime, tmp_path, request):
    """Mutation check: each defect, put into the shared module, makes the app's own tests fail."""
    wl, rec, files = build([flow("queue", "queue", consumers=["k"])], {"queue": {"channel": "sns-sqs"}},
                           runtime=runtime)
    shared, original, modules = app_with_passing_tests(files, runtime, tmp_path, request)
    for what, text, broken in MUTATIONS[runtime]:
        assert original.count(text) == 1, what
        shared.write_text(original.replace(text, broken))
        proc = run_app_tests(tmp_path, modules)
        assert proc.returncode != 0, f"{what}: the generated tests still pass\n{proc.stdout[-2000:]}"
    shared.write_text(original)


def test_an_unsupported_runtime_is_an_error_naming_the_supported_ones():
    with pytest.raises(TemplateError) as info:
        build([flow("web", "api")], {}, runtime="java21")
    message = str(info.value)
    assert "java21" in message and "python3.13" in message and "nodejs22.x" in message


def test_typescript_apps_build_with_esbuild_and_bundle_the_shared_module():
    wl, rec, files = build([flow("web", "api"), flow("queue", "queue")], {}, runtime="nodejs20.x")
    tpl = load_template(files["template.yaml"].decode())
    functions = {k: r for k, r in tpl["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    assert functions and tpl["Globals"]["Function"]["Runtime"] == "nodejs20.x"
    for logical_id, fn in functions.items():
        assert fn["Metadata"]["BuildMethod"] == "esbuild"
        entry = fn["Metadata"]["BuildProperties"]["EntryPoints"][0]
        assert entry in files and entry.endswith("/app.ts")
    assert "SharedLayer" not in tpl["Resources"] and "src/shared/shared.ts" in files
    assert not [p for p in files if p.endswith(".py")]
    assert "@aws-lambda-powertools/batch" in json.loads(files["package.json"])["dependencies"]


# ---------------------------------------------------------------------------------------------
# names, injection, determinism, the building blocks


@pytest.mark.parametrize("text,expected", [("make-thumbnail", "MakeThumbnail"), ("3d-render", "N3dRender"),
                                           ("", "X"), ("a--b", "AB"), ("ÿ!x", "X")])
def test_pascal(text, expected):
    assert pascal(text) == expected


def test_snake_is_a_safe_file_name():
    assert snake("../../etc/passwd") == "etc_passwd"
    assert snake("9lives") == "n_9lives"


def test_name_registry_never_hands_out_a_name_twice():
    reg = NameRegistry()
    assert [reg.claim("Fn"), reg.claim("Fn"), reg.claim("fn"), reg.claim("Fn2")] == ["Fn", "Fn2", "fn3", "Fn22"]


def test_colliding_flow_and_step_names_get_distinct_ids_and_folders():
    flows = [flow("a-b", "queue", steps=["c"]), flow("a", "queue", steps=["b-c"])]
    wl, rec, files = build(flows, {})
    tpl = load_template(files["template.yaml"].decode())
    fns = [k for k, r in tpl["Resources"].items() if r["Type"] == "AWS::Serverless::Function"]
    assert len(fns) == 2 and len({f.lower() for f in fns}) == 2
    assert len([p for p in files if p.endswith("/app.py")]) == 2


def test_description_cannot_inject_yaml():
    evil = 'x"\n  Resources: {Evil: {Type: AWS::IAM::User}}\n!Ref y: ${AWS::Region} # {{ runtime }}'
    wl, rec, files = build([flow("a", "queue", description=evil)], {}, description=evil)
    tpl = load_template(files["template.yaml"].decode())
    assert tpl["Description"] == evil
    assert "Evil" not in tpl["Resources"]
    assert self_check(files) == []


def test_render_is_deterministic():
    case = load_case("e02-shop")
    wl = make_workload(case["workload"])
    rec = recommendation(wl, case["expect"])
    assert render(wl, rec) == render(wl, rec)


def test_runtime_override_and_sections_in_readable_order():
    wl, rec, _ = build([flow("a", "queue")], {})
    text = render(wl, rec, runtime="python3.12")["template.yaml"].decode()
    assert "Runtime: python3.12" in text
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line[0].isspace()]
    assert keys == ["AWSTemplateFormatVersion", "Transform", "Description", "Parameters", "Globals", "Resources",
                    "Outputs"][:len(keys)] or keys[:3] == ["AWSTemplateFormatVersion", "Transform", "Description"]


def test_intrinsics_are_written_short_and_read_back():
    text = dump_template({"Resources": {"A": {"Type": "T", "Properties": {
        "R": Ref("B"), "G": GetAtt("B", "Arn"), "S": Sub("x-${B}"), "L": Sub("${V}", {"V": Ref("B")})}}}})
    assert "!Ref B" in text and "!GetAtt B.Arn" in text and "!Sub x-${B}" in text
    back = load_template(text)
    assert back["Resources"]["A"]["Properties"]["G"] == GetAtt("B", "Arn")
    assert to_long_form(back)["Resources"]["A"]["Properties"]["G"] == {"Fn::GetAtt": ["B", "Arn"]}


def test_self_check_finds_dangling_references_and_broken_asl():
    wl, rec, files = build([flow("a", "queue", steps=["x", "y"], coupling="tight")],
                           {"a": {"orchestrator": "step-functions-standard"}})
    broken = dict(files)
    broken["template.yaml"] = files["template.yaml"].replace(b"!Ref AppKey", b"!Ref NoSuchKey", 1)
    assert any("NoSuchKey" in p for p in self_check(broken))
    asl_path = next(p for p in files if p.endswith(".asl.json"))
    definition = json.loads(files[asl_path])
    definition["States"]["StepX"]["Next"] = "Nowhere"
    broken = dict(files)
    broken[asl_path] = json.dumps(definition).encode()
    assert any("Nowhere" in p for p in self_check(broken))


def test_asl_check():
    good = {"StartAt": "A", "States": {
        "A": {"Type": "Task", "Resource": "r", "Retry": [{}], "Catch": [{"ErrorEquals": ["States.ALL"],
                                                                         "Next": "F"}], "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "BooleanEquals": True, "Next": "S"}],
              "Default": "F"},
        "S": {"Type": "Succeed"}, "F": {"Type": "Fail"}}}
    assert asl.check(good) == []
    bad = json.loads(json.dumps(good))
    del bad["States"]["A"]["Retry"]
    bad["States"]["C"]["Default"] = "Missing"
    bad["States"]["Orphan"] = {"Type": "Pass", "End": True}
    problems = " ".join(asl.check(bad))
    assert "no Retry" in problems and "Missing" in problems and "Orphan" in problems


def test_fragments_are_strict(tmp_path):
    with pytest.raises(TemplateError, match="unknown placeholder"):
        load_fragment("base.yaml", description="d")
    with pytest.raises(TemplateError, match="not used"):
        load_fragment("base.yaml", description="d", runtime="python3.13", extra="x")
    with pytest.raises(TemplateError, match="not a plain name"):
        render_text("app/samconfig.toml", stack_name='x"\n[evil]', region="us-east-1")


def test_manifest_data_lists_the_decisions_per_flow():
    case = load_case("e02-shop")
    wl = make_workload(case["workload"])
    data = manifest_data(wl, recommendation(wl, case["expect"]))
    assert data["flows"]["checkout"]["orchestrator"] == "step-functions-express"
    assert set(data["flows"]["ship-order"]) == {"composition", "orchestrator", "channel", "entry", "compute",
                                                "data_store"}


def test_a_recommendation_without_the_flow_is_an_error():
    wl = make_workload({"name": "x", "flows": [flow("a", "queue")]})
    with pytest.raises(TemplateError, match="no flow named"):
        render(wl, {"flows": []})


def test_readme_explains_each_flow():
    case = load_case("e02-shop")
    wl = make_workload(case["workload"])
    readme = render(wl, recommendation(wl, case["expect"]))["README.md"].decode()
    assert "### checkout" in readme and "`step-functions-express`" in readme and "sam deploy --guided" in readme


def test_engine_recommendation_gives_a_readme_with_diagram_and_the_full_report(tmp_path):
    """With a full recommendation from the engine, the app's README embeds the architecture diagram and links
    RECOMMENDATION.md, the Markdown report with every rule that fired."""
    from advisor.engine import advise
    from advisor.scaffold import render
    from advisor.workload import load_text

    wl = load_text("version: 1\nname: shop\nflows:\n"
                   "  - {name: checkout, trigger: api, duration: 8s, steps: [a, b], coupling: tight,"
                   " consumers: [email, billing]}\n")
    files = render(wl, advise(wl).to_dict())
    readme = files["README.md"].decode()
    assert "```mermaid\nflowchart LR" in readme
    assert "[RECOMMENDATION.md](RECOMMENDATION.md)" in readme
    report = files["RECOMMENDATION.md"].decode()
    assert report.startswith("# Architecture recommendation: shop") and "Trace: every rule that fired" in report
    assert render(wl, advise(wl).to_dict()) == files, "same input, same bytes"


def test_fargate_steps_get_a_dockerfile_for_their_image():
    """SAM builds functions, not task images: an app with Fargate steps gets a Dockerfile whose image holds the
    src/ the task definitions run (and boto3, which only the Lambda runtime provides); an app without gets none."""
    from advisor.engine import advise
    from advisor.scaffold import render
    from advisor.workload import load_text

    long_job = load_text("version: 1\nname: etl\nflows:\n  - {name: nightly, trigger: schedule, duration: 40m,"
                         " longest_step: 35m, steps: [a, b], coupling: tight}\n")
    files = render(long_job, advise(long_job).to_dict())
    docker = files["Dockerfile"].decode()
    assert "FROM public.ecr.aws/docker/library/python:3.13-slim" in docker and "COPY src/ src/" in docker
    assert "boto3" in docker and "USER 1000" in docker
    template = files["template.yaml"].decode()
    for directory in ("nightly_a", "nightly_b"):
        assert f"src/{directory}/app.py" in template and f"src/{directory}/app.py" in files
    short = load_text("version: 1\nname: quick\nflows:\n  - {name: f, trigger: queue, duration: 1s}\n")
    assert "Dockerfile" not in render(short, advise(short).to_dict())


def test_only_the_steps_beyond_lambda_become_tasks_and_service_events_get_a_default_bus_rule(validators):
    """Issue 11: one long step made every step a Fargate task; a flow started by an AWS service's event had no
    way in. The workflow runs the stated long step as a task and the others as functions; the service event is
    matched by a rule on the default bus."""
    from advisor.engine import advise
    from advisor.workload import load_text

    wl = load_text("version: 1\nname: media\nflows:\n"
                   "  - {name: transcode, trigger: upload, duration: 50m, data: files,"
                   " steps: [fetch, {name: convert, duration: 40m}, notify]}\n"
                   "  - {name: publish, trigger: event, source_event: 'aws.mediaconvert: MediaConvert Job State"
                   " Change', duration: 10s}\n")
    files = render(wl, advise(wl).to_dict())
    assert_clean(files, validators)
    template = load_template(files["template.yaml"])
    resources = template["Resources"]
    tasks = [r for r in resources.values() if r["Type"] == "AWS::ECS::TaskDefinition"]
    assert len(tasks) == 1 and "src/transcode_convert/app.py" in str(tasks[0])
    definition = files["statemachine/transcode.asl.json"].decode()
    assert definition.count("ecs:runTask.sync") == 1 and definition.count("lambda:invoke") == 2
    patterns = [r["Properties"]["EventPattern"] for r in resources.values() if r["Type"] == "AWS::Events::Rule"]
    assert {"source": ["aws.mediaconvert"], "detail-type": ["MediaConvert Job State Change"]} in patterns


def test_a_redelivered_start_of_a_standard_workflow_ends_at_once(validators):
    """A pipe cannot name the execution, so a redelivered message would start a second Standard workflow: the
    definition first records the delivery id with a conditional put on the idempotency table and ends at a
    Succeed state when it was there. Express workflows and workflows an API starts are not guarded."""
    steps = ["check", "store"]
    flows = [flow("from-queue", "queue", steps=steps), flow("from-stream", "stream", steps=steps),
             flow("express-queue", "queue", steps=steps), flow("from-api", "api", steps=steps)]
    choices = {"from-queue": {"orchestrator": "step-functions-standard"},
               "from-stream": {"orchestrator": "step-functions-standard"},
               "express-queue": {"orchestrator": "step-functions-express"},
               "from-api": {"orchestrator": "step-functions-standard"}}
    wl, rec, files = build(flows, choices)
    assert_clean(files, validators)
    tpl = load_template(files["template.yaml"].decode())
    machines = {k: r["Properties"] for k, r in tpl["Resources"].items() if r["Type"] == "AWS::Serverless::StateMachine"}
    pipes = {r["Properties"]["Target"].value: r["Properties"]["SourceParameters"]
             for r in tpl["Resources"].values() if r["Type"] == "AWS::Pipes::Pipe"}
    table = next(k for k, r in tpl["Resources"].items() if k.startswith("IdempotencyTable"))
    for name, id_path in (("from_queue", "$states.input[0].messageId"), ("from_stream", "$states.input[0].eventID")):
        definition = json.loads(files[f"statemachine/{name}.asl.json"])
        guard = definition["States"][definition["StartAt"]]
        assert guard["Resource"] == "arn:aws:states:::dynamodb:putItem"
        assert guard["Arguments"]["ConditionExpression"] == "attribute_not_exists(id)"
        assert id_path in guard["Arguments"]["Item"]["id"]["S"] and "expiration" in guard["Arguments"]["Item"]
        dup = [c for c in guard["Catch"] if c["ErrorEquals"] == ["DynamoDB.ConditionalCheckFailedException"]]
        assert dup and definition["States"][dup[0]["Next"]]["Type"] == "Succeed"
        assert "DynamoDB.ConditionalCheckFailedException" not in guard["Retry"][0]["ErrorEquals"]
        assert guard["Next"].startswith("Step")
        sm = next(k for k, p in machines.items() if p["DefinitionUri"] == f"statemachine/{name}.asl.json")
        assert sm in pipes, "this workflow is started by a pipe"
        assert machines[sm]["DefinitionSubstitutions"][guard["Arguments"]["TableName"][2:-1]] == Ref(table)
        assert {"DynamoDBWritePolicy": {"TableName": Ref(table)}} in machines[sm]["Policies"]
    for name in ("express_queue", "from_api"):
        definition = json.loads(files[f"statemachine/{name}.asl.json"])
        assert definition["States"][definition["StartAt"]]["Resource"] != "arn:aws:states:::dynamodb:putItem"


# Where each language's start function passes the execution's name (the mutation below removes it).
NAMED_START = {"python3.13": ("input=body, **named)", "input=body)"),
               "nodejs22.x": ("...(name === undefined ? {} : { name })", "...(name === undefined ? {} : {})")}


@pytest.mark.parametrize("runtime", sorted(NAMED_START))
def test_a_start_function_names_the_execution_after_the_delivery(runtime, tmp_path, request):
    """With EXECUTION_NAME_FROM (set for a Standard workflow's start function of an at-least-once source), the
    shared start_workflow names the execution after the delivery; every start function's generated tests check
    that a redelivered record asks for the same name, and they fail when the name is no longer passed."""
    wl, rec, files = build([flow("chat", "api", api="websocket", steps=["scan", "store"])],
                           {"chat": {"orchestrator": "step-functions-standard"}}, runtime=runtime)
    tests = [v.decode() for k, v in files.items() if k in ("tests/chat_start.adapter.test.ts",
                                                            "tests/test_chat_start_adapter.py")]
    assert len(tests) == 1 and re.search("same.named.execution", tests[0])
    shared, original, modules = app_with_passing_tests(files, runtime, tmp_path, request)
    text, broken = NAMED_START[runtime]
    assert original.count(text) == 1
    shared.write_text(original.replace(text, broken))
    proc = run_app_tests(tmp_path, modules)
    assert proc.returncode != 0, f"the generated tests pass without the name\n{proc.stdout[-2000:]}"
    assert re.search("same.named.execution", proc.stdout + proc.stderr)
    if modules is not None:  # and the TypeScript, this test included, compiles under strict
        shared.write_text(original)
        proc = subprocess.run(["npm", "run", "typecheck"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


def test_a_workflow_its_start_function_names_is_guarded_too():
    """No workload wires a Standard workflow behind a start function of an at-least-once source today (pipes,
    rules and schedules start those), so the function-started case is checked on a hand-built app: the Standard
    workflow whose start function sets EXECUTION_NAME_FROM records the execution's name first; the Express one
    is left alone."""
    from advisor.scaffold.base import App
    from advisor.scaffold.powertools import add_idempotency
    from advisor.scaffold.statemachine import build_definition

    app = App("d", "python3.13")
    definition = build_definition(steps=[{"name": "a", "kind": "lambda", "ref": "AArn"}], express=False,
                                  compensations={}, approval=None, publish=[], timeout=None, step_timeout=60,
                                  approval_timeout=3600)
    machines = {}
    for kind in ("standard", "express"):
        path = f"statemachine/{kind}.asl.json"
        app.files[path] = json.dumps(definition).encode()
        machines[kind] = app.state_machine(pascal(kind), kind == "express", path, {}, [])
        app.add(pascal(kind) + "StartFunction", "AWS::Serverless::Function", {"Environment": {"Variables": {
            "STATE_MACHINE_ARN": Ref(machines[kind]), "EXECUTION_NAME_FROM": "message-id"}}, "Policies": []})
    add_idempotency(app)
    standard = json.loads(app.files["statemachine/standard.asl.json"])
    guard = standard["States"][standard["StartAt"]]
    assert "$states.context.Execution.Name" in guard["Arguments"]["Item"]["id"]["S"]
    assert guard["Next"] == "StepA" and len(standard["States"]) == len(definition["States"]) + 2
    assert asl.check(standard) == []
    express = json.loads(app.files["statemachine/express.asl.json"])
    assert express["StartAt"] == "StepA"
    assert not any("DynamoDBWritePolicy" in p for p in app.props(machines["express"])["Policies"])
