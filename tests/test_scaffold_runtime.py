"""What a generated app does at run time that no emulator here can execute: the saga's last undo, the
status a synchronous Express API answers, execution names, alarms, outputs, policies and schedules.

Each test reads the generated template or state machine; the end-to-end harness
(tests/test_e2e_runtime.py) covers what moto can run.
"""
from __future__ import annotations

import json

import pytest

from advisor.scaffold import render
from advisor.scaffold.cfn import GetAtt, load_template
from advisor.scaffold.names import pascal
from scaffold_helpers import make_workload, recommendation


def _flow(name: str, trigger: str, **kw) -> dict:
    return {"name": name, "trigger": trigger, "duration": kw.pop("duration", "2s"), **kw}


FLOWS = [
    _flow("pay", "api", steps=["reserve", "charge"], coupling="tight", needs={"compensation": True},
          consumers=["mail"]),
    _flow("refund", "queue", duration="1d", longest_step="30s", steps=["check", "pay"], coupling="tight",
          needs={"human_approval": True}),
    _flow("clicks", "queue", consumers=["stats"]),  # a producer that writes to its Kinesis channel
    _flow("report", "schedule", traffic={"average": "1/day", "pattern": "scheduled"}),
    _flow("poll", "schedule", traffic={"average": "1/h"}),
    _flow("orders", "change-data"),
    _flow("photos", "upload"),
    _flow("signup", "queue", consumers=["crm"]),
    _flow("review", "event", after="signup", duration="1d", longest_step="10s", steps=["check", "open"],
          coupling="tight"),
    _flow("settle", "kafka", source="msk", duration="1d", longest_step="10s", steps=["match", "book"],
          coupling="tight"),
]
CHOICES = {"pay": {"orchestrator": "step-functions-express", "channel": "sns-sqs"},
           "refund": {"orchestrator": "step-functions-standard"}, "clicks": {"channel": "kinesis"},
           "signup": {"channel": "sns"}, "review": {"orchestrator": "step-functions-standard",
                                                    "entry": "sns-subscription"},
           "settle": {"orchestrator": "step-functions-standard"}}


@pytest.fixture(scope="module")
def app():
    wl = make_workload({"name": "runtime", "flows": FLOWS})
    files = render(wl, recommendation(wl, CHOICES))
    return wl, files, load_template(files["template.yaml"].decode())


def _resources(template, kind):
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def test_saga_undoes_the_last_step_when_the_outcome_cannot_be_published(app):
    _, files, _ = app
    asl = json.loads(files["statemachine/pay.asl.json"])["States"]
    assert asl["PublishOutcome"]["Catch"][0]["Next"] == "UndoCharge"
    assert asl["UndoCharge"]["Next"] == "UndoReserve"
    assert asl["StepCharge"]["Catch"][0]["Next"] == "UndoReserve"  # a failed step has nothing to undo itself


def test_sync_express_api_answers_an_error_status_when_the_execution_failed(app):
    _, _, template = app
    body = repr(template["Resources"]["PayRestApi"]["Properties"]["DefinitionBody"])
    assert "StartSyncExecution" in body
    integration = template["Resources"]["PayRestApi"]["Properties"]["DefinitionBody"]["paths"]["/pay"]["post"][
        "x-amazon-apigateway-integration"]
    mapping = integration["responses"]["default"]["responseTemplates"]["application/json"]
    ok, failed = mapping.split("#{else}", 1)
    assert ok.endswith('#if($r.status == "SUCCEEDED")$r.output') and "responseOverride" not in ok
    # VTL has no #if inside #set: one #set per status
    assert '#if($r.status == "TIMED_OUT")#set($context.responseOverride.status = 504)' in failed
    assert "#{else}#set($context.responseOverride.status = 500)#end" in failed


def test_standard_executions_started_from_a_message_are_named_after_it(app):
    _, _, template = app
    starters = {k: r for k, r in _resources(template, "AWS::Serverless::Function").items()
                if "STATE_MACHINE_ARN" in r["Properties"].get("Environment", {}).get("Variables", {})}
    # (queues, streams, Kafka topics and brokers start workflows through pipes, which cannot name an execution:
    # see the report of issue 12; a start function that a message reaches names it)
    from_messages = [k for k, r in starters.items() if k.startswith(("Refund", "Review", "Settle"))]
    assert any(k.startswith("Settle") for k in _resources(template, "AWS::Pipes::Pipe"))  # the Kafka topic's
    for k in from_messages:
        assert starters[k]["Properties"]["Environment"]["Variables"].get("EXECUTION_NAME_FROM") == "message-id", k
    # an Express workflow behind an API is not redelivered: no name needed (and none is unique for Express)
    pay = [r for k, r in starters.items() if k.startswith("Pay")]
    assert all("EXECUTION_NAME_FROM" not in r["Properties"]["Environment"]["Variables"] for r in pay)


def test_human_approval_notifies_a_person_and_has_a_callback(app):
    _, files, template = app
    wait = json.loads(files["statemachine/refund.asl.json"])["States"]["WaitForApproval"]
    assert wait["Resource"] == "arn:aws:states:::sns:publish.waitForTaskToken"
    assert wait["Parameters"]["Message"]["taskToken.$"] == "$$.Task.Token"
    sm = template["Resources"]["RefundStateMachine"]["Properties"]
    assert {"ApprovalTopicArn", "ApprovalApiUrl"} <= set(sm["DefinitionSubstitutions"])
    api = template["Resources"]["RefundApprovalRestApi"]["Properties"]["DefinitionBody"]
    assert set(api["paths"]) == {"/approve", "/reject"}
    for path, action in (("/approve", "SendTaskSuccess"), ("/reject", "SendTaskFailure")):
        op = api["paths"][path]["post"]
        assert action in repr(op["x-amazon-apigateway-integration"]["uri"])
        assert op["security"] == [{"sigv4": []}]  # the token alone must not decide
    assert "RefundApprovalTopicArn" in template["Outputs"]


def test_day_one_alarms_go_to_one_topic(app):
    _, _, template = app
    alarms = _resources(template, "AWS::CloudWatch::Alarm")
    topics = {repr(a["Properties"]["AlarmActions"]) for a in alarms.values()}
    assert len(topics) == 1 and "AlarmTopicArn" in template["Outputs"]

    def watched(metric):
        return [repr(d["Value"]) for a in alarms.values() for q in a["Properties"]["Metrics"] if "MetricStat" in q
                and q["MetricStat"]["Metric"]["MetricName"] == metric for d in q["MetricStat"]["Metric"]["Dimensions"]
                if d["Name"] != "Stage"]
    dlqs = [k for k, r in _resources(template, "AWS::SQS::Queue").items() if "why" in r.get("Metadata", {}).get(
        "advisor", {})]
    assert dlqs and sorted(watched("ApproximateNumberOfMessagesVisible")) == sorted(
        repr(GetAtt(q, "QueueName")) for q in dlqs)
    functions = _resources(template, "AWS::Serverless::Function")
    assert len(watched("Errors")) == len(watched("Throttles")) == len(functions)
    streams = [k for k, r in functions.items() if any(e["Type"] in ("Kinesis", "DynamoDB")
                                                      for e in r["Properties"].get("Events", {}).values())]
    assert streams and len(watched("IteratorAge")) == len(streams)
    assert len(watched("ExecutionsFailed")) == len(_resources(template, "AWS::Serverless::StateMachine"))
    assert len(watched("5XXError")) >= 1  # PayRestApi


def test_kinesis_producers_may_only_write(app):
    _, _, template = app
    text = repr(template["Resources"])
    assert "KinesisCrudPolicy" not in text
    producer = [r for r in _resources(template, "AWS::Serverless::Function").values()
                if r["Properties"].get("Environment", {}).get("Variables", {}).get("OUTCOME_KIND") == "kinesis"]
    assert producer
    actions = {a for r in producer for p in r["Properties"]["Policies"] if isinstance(p, dict) and "Statement" in p
               for st in p["Statement"] for a in (st["Action"] if isinstance(st["Action"], list) else [st["Action"]])
               if a.startswith("kinesis:")}
    assert actions == {"kinesis:PutRecord", "kinesis:PutRecords"}


def test_a_scheduled_daily_job_runs_at_a_fixed_hour(app):
    wl, _, template = app
    expressions = {}
    for r in template["Resources"].values():
        for e in (r.get("Properties") or {}).get("Events", {}).values():
            if e["Type"] == "ScheduleV2":
                expressions[repr(e["Properties"]["Name"])] = e["Properties"]["ScheduleExpression"]
    values = sorted(expressions.values())
    assert values == ["cron(0 2 * * ? *)", "rate(1 hour)"]


def test_every_entry_point_is_in_the_outputs(app):
    wl, _, template = app
    described = " ".join(o["Description"] for o in template["Outputs"].values())
    for flow in wl.flows:
        if flow.trigger in ("api", "queue", "stream", "change-data", "upload"):
            assert f"start {flow.name}" in described, flow.name


def test_samconfig_leaves_the_translator_in_sam_validate(app):
    import tomllib
    _, files, _ = app
    config = tomllib.loads(files["samconfig.toml"].decode())
    assert not config["default"].get("validate", {}).get("parameters", {}).get("lint")


def test_names_resolve_per_stack(app):
    _, _, template = app
    bucket = [r for k, r in _resources(template, "AWS::S3::Bucket").items() if k.startswith(pascal("photos"))]
    assert bucket and "AWS::StackId" in repr(bucket[0]["Properties"]["BucketName"])
