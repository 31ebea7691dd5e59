"""What the generated handlers' Powertools for AWS Lambda need in the template: the shared layer that
carries the shared module and Powertools itself, the service and metrics names, and the idempotency
table (with its TTL and its policy) for functions fed by an at-least-once source.

Kept apart from the topology (wiring.py, channels.py): it only decorates the functions they made.
"""
from __future__ import annotations

import json

from .base import KEY, App
from .cfn import Intrinsic, Ref
from .channels import _PIPE_SOURCES
from .names import snake
from .statemachine import guard_start

LAYER = "SharedLayer"
IDEMPOTENCY_TABLE = "IdempotencyTable"
# Sources that may deliver the same event more than once (the Lambda developer guide's "at least once"
# for SQS, SNS, EventBridge, S3 and asynchronous invocation; pollers of streams, Kafka and MQ retry batches).
AT_LEAST_ONCE = frozenset({"sqs", "sns", "eventbridge", "s3", "kinesis", "dynamodb", "kafka", "mq", "schedule",
                           "rest_async"})
IDEMPOTENCY_TTL_SECONDS = 3600  # Powertools' default expires_after_seconds
TTL_ATTRIBUTE = "expiration"  # DynamoDBPersistenceLayer's default expiry_attr
KEY_ATTRIBUTE = "id"  # and its default key_attr


def lambda_functions(app: App) -> list:
    """The functions SAM deploys (Fargate steps are listed too, but run in containers)."""
    return [f for f in app.functions if f.source != "ecs_task"]


def needs_idempotency(source: str) -> bool:
    return source in AT_LEAST_ONCE


def add_shared_layer(app: App) -> None:
    """The SharedLayer (src/shared, built by `sam build` with its requirements) on every Python function."""
    if not lambda_functions(app):
        return
    globals_fn = app.template["Globals"]["Function"]
    runtime = globals_fn["Runtime"]
    layer = app.add(app.ids.claim(LAYER), "AWS::Serverless::LayerVersion", {
        "Description": "The app's shared module and Powertools for AWS Lambda",
        "ContentUri": "src/shared/", "CompatibleRuntimes": [runtime], "CompatibleArchitectures": ["arm64"],
        "RetentionPolicy": "Delete"}, Metadata={"BuildMethod": runtime, "BuildArchitecture": "arm64"})
    globals_fn["Layers"] = [Ref(layer)]


def add_service_names(app: App, workload_name: str) -> None:
    """Powertools' service name (logs, traces) and metrics namespace: the app's name."""
    if not lambda_functions(app):
        return
    variables = app.template["Globals"]["Function"]["Environment"]["Variables"]
    variables["POWERTOOLS_SERVICE_NAME"] = snake(workload_name).replace("_", "-")
    variables["POWERTOOLS_METRICS_NAMESPACE"] = snake(workload_name).replace("_", "-")


def add_idempotency(app: App) -> None:
    """One DynamoDB table of idempotency records (expired by TTL), read and written by every function whose
    source delivers at least once."""
    users = [f for f in lambda_functions(app) if needs_idempotency(f.source)]
    workflows = redelivered_workflows(app)
    if not users and not workflows:
        return
    table = app.add(app.ids.claim(IDEMPOTENCY_TABLE), "AWS::DynamoDB::Table", {
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": KEY_ATTRIBUTE, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": KEY_ATTRIBUTE, "KeyType": "HASH"}],
        "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": Ref(KEY)}},
        DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
    for fn in users:
        app.add_env(fn.logical_id, IDEMPOTENCY_TABLE=Ref(table),
                    IDEMPOTENCY_TTL_SECONDS=str(IDEMPOTENCY_TTL_SECONDS))
        app.add_policy(fn.logical_id, {"DynamoDBCrudPolicy": {"TableName": Ref(table)}})
    for sm, source in sorted(workflows.items()):
        guard_workflow(app, sm, source, table)


# the pipe's source parameters name what it reads: the inverse of channels._PIPE_SOURCES
_PIPE_SOURCE_KIND = {next(iter(params)): kind for kind, (_, params) in _PIPE_SOURCES.items()}


def redelivered_workflows(app: App) -> dict[str, str]:
    """Standard state machines whose start may be delivered twice, and how they are started: by a pipe from a
    queue or a stream (its source kind), or by a start function of an at-least-once source ("start_function").
    Express workflows are left out (AWS runs them at least once, so their steps must be idempotent anyway), and
    so are workflows an API starts (each request is new)."""
    found: dict[str, str] = {}
    for logical_id, resource in app.resources.items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Pipes::Pipe":
            kinds = [_PIPE_SOURCE_KIND[k] for k in props.get("SourceParameters", {}) if k in _PIPE_SOURCE_KIND]
            target = props.get("Target")
            if kinds and isinstance(target, Intrinsic) and target.fn == "Ref":
                found.setdefault(target.value, kinds[0])
        elif resource["Type"] == "AWS::Serverless::Function":
            variables = props.get("Environment", {}).get("Variables", {})
            arn = variables.get("STATE_MACHINE_ARN")
            if variables.get("EXECUTION_NAME_FROM") and isinstance(arn, Intrinsic) and arn.fn == "Ref":
                found.setdefault(arn.value, "start_function")
    return {sm: kind for sm, kind in found.items() if app.props(sm).get("Type") == "STANDARD"}


def guard_workflow(app: App, sm: str, source: str, table: str) -> None:
    """The state machine records each delivery in the idempotency table first (statemachine.guard_start)."""
    props = app.props(sm)
    path = props["DefinitionUri"]
    definition = guard_start(json.loads(app.files[path]), source, IDEMPOTENCY_TABLE, KEY_ATTRIBUTE,
                             TTL_ATTRIBUTE, IDEMPOTENCY_TTL_SECONDS)
    app.files[path] = (json.dumps(definition, indent=2, sort_keys=True) + "\n").encode()
    props["DefinitionSubstitutions"][IDEMPOTENCY_TABLE] = Ref(table)
    props["Policies"].append({"DynamoDBWritePolicy": {"TableName": Ref(table)}})
