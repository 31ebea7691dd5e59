"""Unit tests of src/{{ function_dir }}/app.py. Run: python -m pytest tests (no AWS access needed)."""
import importlib.util
import json
import pathlib
import sys
import types

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = "{{ source }}"
ACTION = "{{ action }}"
PUBLISH = "{{ publish }}"
AT_LEAST_ONCE = SOURCE in {"sqs", "sns", "eventbridge", "s3", "kinesis", "dynamodb", "kafka", "mq", "schedule",
                           "rest_async"}


class FakeClient:
    """Stands in for a boto3 client: records every call, answers like AWS would."""

    def __init__(self, service, calls):
        self.service, self.calls = service, calls

    def __getattr__(self, name):
        def call(**kwargs):
            self.calls.append((self.service, name, kwargs))
            if name == "start_sync_execution":
                return {"status": "SUCCEEDED", "output": json.dumps({"status": "done"})}
            if name == "start_execution":
                return {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:flow:1"}
            if name == "run_task":
                return {"tasks": [{"taskArn": "arn:aws:ecs:us-east-1:123456789012:task/c/1"}], "failures": []}
            return {}
        return call


@pytest.fixture
def aws(monkeypatch):
    calls = []
    fake = types.ModuleType("boto3")
    fake.client = lambda service, **kwargs: FakeClient(service, calls)
    monkeypatch.setitem(sys.modules, "boto3", fake)
    for name, value in {
        "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:flow", "SYNC": "false",
        "CLUSTER_ARN": "arn:aws:ecs:us-east-1:123456789012:cluster/c", "SUBNETS": "subnet-1,subnet-2",
        "TASK_DEFINITION_ARN": "arn:aws:ecs:us-east-1:123456789012:task-definition/t:1",
        "SECURITY_GROUP": "sg-1",
    }.items():
        monkeypatch.setenv(name, value)
    if PUBLISH != "none":
        monkeypatch.setenv("OUTCOME_KIND", PUBLISH)
        monkeypatch.setenv("OUTCOME_TARGETS", "target-1")
    return calls


class Context:
    aws_request_id = "0f1e2d3c-request"


def load_app():
    path = ROOT / "src" / "{{ function_dir }}" / "app.py"
    spec = importlib.util.spec_from_file_location("app_{{ function_dir }}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sample_event():
    return json.loads((ROOT / "events" / "{{ function_dir }}.json").read_text())


def test_sample_event_is_handled(aws):
    result = load_app().handler(sample_event(), Context())
    if SOURCE in ("sqs", "kinesis", "dynamodb"):
        assert result == {"batchItemFailures": []}
    elif SOURCE in ("http", "websocket"):
        assert result["statusCode"] == 200
    elif SOURCE == "approval":
        assert result == {"notified": True}
    elif SOURCE in ("sns", "s3", "kafka", "mq"):
        assert result == {"processed": 1}
    else:
        assert isinstance(result, dict)
    services = [(service, name) for service, name, _ in aws]
    if ACTION == "start_execution":
        assert ("stepfunctions", "start_execution") in services
    if ACTION == "run_task":
        assert ("ecs", "run_task") in services
    if PUBLISH != "none" and ACTION == "work" and SOURCE != "approval":
        assert any(service == {"events": "events"}.get(PUBLISH, PUBLISH) for service, _ in services)


@pytest.mark.skipif(not AT_LEAST_ONCE, reason="not an at-least-once source")
def test_a_duplicate_delivery_is_processed_once(aws):
    app = load_app()
    app.handler(sample_event(), Context())
    first = len(aws)
    app.handler(sample_event(), Context())
    assert len(aws) == first


@pytest.mark.skipif(SOURCE not in ("sqs", "kinesis", "dynamodb"), reason="no partial batch responses")
def test_a_failing_record_is_reported_alone(aws, monkeypatch):
    app = load_app()

    def boom(payload):
        raise ValueError("bad record")
    monkeypatch.setattr(app, "do_work", boom)
    result = app.handler(sample_event(), Context())
    assert len(result["batchItemFailures"]) == 1


@pytest.mark.skipif(SOURCE != "http", reason="HTTP only")
def test_a_body_that_is_not_json_is_a_400(aws):
    event = sample_event()
    event["body"] = "not json"
    assert load_app().handler(event, Context())["statusCode"] == 400
