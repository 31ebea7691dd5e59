"""Amazon States Language for one orchestrated flow.

Steps run in order; every Task retries transient errors and catches the
rest. With ``compensation`` a failure runs the undo task of every step that
already finished, newest first, then fails (a saga). With an approval the
workflow waits for a person's decision through a task token before the last
step. The outcome event is published by a service integration, so no code
is needed for it. ``${Name}`` strings are ``DefinitionSubstitutions``.
"""
from __future__ import annotations

from typing import Any

LAMBDA_RETRY = {"ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                                "Lambda.TooManyRequestsException"],
                "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2, "JitterStrategy": "FULL"}
SERVICE_RETRY = {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2,
                 "JitterStrategy": "FULL"}


def _state_name(prefix: str, step: str) -> str:
    return prefix + "".join(w[:1].upper() + w[1:] for w in step.replace("_", "-").split("-") if w)


def _catch(next_state: str) -> list:
    return [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": next_state}]


def _lambda_task(ref: str, timeout: int | None = None) -> dict:
    task: dict[str, Any] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": f"${{{ref}}}", "Payload.$": "$"},
                            "ResultSelector": {"result.$": "$.Payload"}, "ResultPath": "$.last",
                            "Retry": [LAMBDA_RETRY]}
    if timeout:
        task["TimeoutSeconds"] = timeout
    return task


def _ecs_task(ref: str, express: bool, timeout: int) -> dict:
    task = {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask" + ("" if express else ".sync"),
            "Parameters": {
                "Cluster": "${ClusterArn}", "TaskDefinition": f"${{{ref}}}", "LaunchType": "FARGATE",
                "NetworkConfiguration": {"AwsvpcConfiguration": {
                    "Subnets.$": "States.StringSplit('${Subnets}', ',')",
                    "SecurityGroups": ["${SecurityGroup}"], "AssignPublicIp": "DISABLED"}},
                "Overrides": {"ContainerOverrides": [{"Name": "app", "Environment": [
                    {"Name": "INPUT", "Value.$": "States.JsonToString($)"}]}]}},
            "ResultPath": "$.last", "Retry": [{**SERVICE_RETRY, "ErrorEquals": ["ECS.AmazonECSException",
                                                                                 "ECS.ServerException"]}]}
    if not express:
        task["TimeoutSeconds"] = timeout
    return task


def _publish_task(p: dict) -> dict:
    ref, kind = p["ref"], p["kind"]
    if kind == "sns":
        params: dict[str, Any] = {"TopicArn": f"${{{ref}}}", "Message.$": "States.JsonToString($)",
                                  "MessageAttributes": {"audience": {"DataType": "String", "StringValue": "all"}}}
        if p.get("fifo"):
            params["MessageGroupId.$"] = "$$.Execution.Name"
        resource = "arn:aws:states:::sns:publish"
    elif kind == "sqs":
        params = {"QueueUrl": f"${{{ref}}}", "MessageBody.$": "$"}
        if p.get("fifo"):
            params["MessageGroupId.$"] = "$$.Execution.Name"
        resource = "arn:aws:states:::sqs:sendMessage"
    elif kind == "events":
        params = {"Entries": [{"EventBusName": f"${{{ref}}}", "Source": "${EventSource}",
                               "DetailType": "${DetailType}", "Detail": {"audience": "all", "result.$": "$.last"}}]}
        resource = "arn:aws:states:::events:putEvents"
    elif kind == "kinesis":
        params = {"StreamARN": f"${{{ref}}}", "Data.$": "States.JsonToString($)",
                  "PartitionKey.$": "$$.Execution.Name"}
        resource = "arn:aws:states:::aws-sdk:kinesis:putRecord"
    else:  # dynamodb
        params = {"TableName": f"${{{ref}}}", "Item": {
            "pk": {"S.$": "$$.Execution.Name"}, "sk": {"S": "outcome"},
            "body": {"S.$": "States.JsonToString($)"}}}
        resource = "arn:aws:states:::dynamodb:putItem"
    return {"Type": "Task", "Resource": resource, "Parameters": params, "ResultPath": None,
            "Retry": [{**SERVICE_RETRY, "ErrorEquals": ["States.TaskFailed", "States.Timeout"]}]}


def build_definition(*, steps: list[dict], express: bool, compensations: dict[str, str], approval: str | None,
                     publish: list[dict], timeout: int | None, step_timeout: int,
                     approval_timeout: int) -> dict:
    """The definition as a dict; ``steps`` items are ``{"name", "kind": lambda|ecs, "ref"}``."""
    states: dict[str, dict] = {}
    order: list[tuple[str, dict, list[str]]] = []  # (state, body, steps done before it)
    done: list[str] = []
    for i, step in enumerate(steps):
        if approval and i == max(0, len(steps) - 1) and len(steps) > 1:
            order.extend(_approval_states(approval, approval_timeout, list(done)))
        name = _state_name("Step", step["name"])
        body = _lambda_task(step["ref"]) if step["kind"] == "lambda" else \
            _ecs_task(step["ref"], express, step_timeout)
        order.append((name, body, list(done)))
        done.append(step["name"])
    if approval and len(steps) <= 1:
        order.extend(_approval_states(approval, approval_timeout, list(done)))
    if publish:
        if len(publish) == 1:
            order.append(("PublishOutcome", _publish_task(publish[0]), list(done)))
        else:
            branches = [{"StartAt": f"Publish{i}", "States": {f"Publish{i}": {
                **_publish_task(p), "Catch": _catch(f"Publish{i}Failed"), "End": True},
                f"Publish{i}Failed": {"Type": "Fail", "Error": "PublishFailed",
                                      "Cause": "The outcome event could not be published"}}}
                for i, p in enumerate(publish)]
            order.append(("PublishOutcome", {"Type": "Parallel", "Branches": branches, "ResultPath": None,
                                             "Retry": [{**SERVICE_RETRY, "ErrorEquals": ["States.ALL"]}]},
                          list(done)))

    failed = "Failed"
    states[failed] = {"Type": "Fail", "Error": "FlowFailed", "Cause": "A step failed; see the execution history"}

    def on_error(done_before: list[str]) -> str:
        undo = [s for s in reversed(done_before) if s in compensations]
        return _state_name("Undo", undo[0]) if undo else failed

    for idx, (name, body, done_before) in enumerate(order):
        nxt = order[idx + 1][0] if idx + 1 < len(order) else "Done"
        if body["Type"] == "Choice":
            body["Choices"][0]["Next"] = nxt
            body["Default"] = on_error(done_before) if compensations else "Rejected"
            if not compensations:
                states["Rejected"] = {"Type": "Fail", "Error": "Rejected", "Cause": "A person rejected the request"}
        else:
            body["Catch"] = _catch(on_error(done_before))
            body["Next"] = nxt
        states[name] = body
    states["Done"] = {"Type": "Succeed"}

    if compensations:
        undo_order = [s["name"] for s in steps if s["name"] in compensations]
        for i, step in enumerate(undo_order):
            previous = undo_order[i - 1] if i > 0 else None
            states[_state_name("Undo", step)] = {
                **_lambda_task(compensations[step]), "ResultPath": None,
                "Catch": _catch("CompensationFailed"),
                "Next": _state_name("Undo", previous) if previous else "SagaFailed"}
        states["SagaFailed"] = {"Type": "Fail", "Error": "SagaRolledBack",
                                "Cause": "A step failed; the completed steps were undone in reverse order"}
        states["CompensationFailed"] = {"Type": "Fail", "Error": "CompensationFailed",
                                        "Cause": "Undoing a step failed; manual repair needed"}
    # drop terminal states nothing points to (e.g. Failed when every error compensates)
    definition: dict[str, Any] = {"Comment": "Generated by advisor scaffold; edit freely", "StartAt": order[0][0],
                                  "States": states}
    if timeout:
        definition["TimeoutSeconds"] = timeout
    from .asl import _targets
    used = {t for s in states.values() for t in _targets(s)} | {definition["StartAt"]}
    for name in [n for n, s in states.items() if s["Type"] in ("Fail", "Succeed") and n not in used]:
        del states[name]
    return definition


def _approval_states(ref: str, timeout: int, done: list[str]) -> list[tuple[str, dict, list[str]]]:
    """Notify the approvers (SNS topic ``${ref}``) with the task token and wait; their answer comes back
    through the approval API (``${ApprovalApiUrl}``), which calls SendTaskSuccess or SendTaskFailure."""
    wait = {"Type": "Task", "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
            "Parameters": {"TopicArn": f"${{{ref}}}", "Subject": "Approval needed",
                           "Message": {"request.$": "$", "taskToken.$": "$$.Task.Token",
                                       "approve": "POST ${ApprovalApiUrl}/approve with {\"taskToken\": ...}",
                                       "reject": "POST ${ApprovalApiUrl}/reject with {\"taskToken\": ...,"
                                                 " \"reason\": ...}"}},
            "ResultPath": "$.approval", "TimeoutSeconds": timeout,
            "Retry": [{**SERVICE_RETRY, "ErrorEquals": ["SNS.SdkClientException", "SNS.InternalErrorException",
                                                        "SNS.ThrottledException"]}]}
    choice = {"Type": "Choice", "Choices": [{"Variable": "$.approval.approved", "BooleanEquals": True,
                                             "Next": "?"}]}
    return [("WaitForApproval", wait, done), ("IsApproved", choice, done)]


# Where the delivery id is in a Standard execution's input. A pipe sends the batch as a JSON array even with a
# batch size of 1 (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html);
# the record shapes are the pipe sources' (eb-pipes-sqs.html: messageId; eb-pipes-kinesis.html and
# eb-pipes-dynamodb.html: eventID). A start function names the execution after its delivery, so the name is it.
DELIVERY_ID = {"sqs": "$states.input[0].messageId", "kinesis": "$states.input[0].eventID",
               "dynamodb": "$states.input[0].eventID", "start_function": "$states.context.Execution.Name"}
GUARD_STATE = "RecordDelivery"
ALREADY_STARTED = "AlreadyStarted"
GUARD_RETRY = {**SERVICE_RETRY, "ErrorEquals": [  # never ConditionalCheckFailed: that is the answer, not a fault
    "DynamoDB.InternalServerErrorException", "DynamoDB.ThrottlingException",
    "DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.RequestLimitExceeded", "States.Timeout"]}


def guard_start(definition: dict, source: str, table_ref: str, key_attribute: str, ttl_attribute: str,
                ttl_seconds: int) -> dict:
    """Make a redelivered start a no-op: the first state puts the delivery id into the idempotency table
    ``${table_ref}`` only if it is not there yet (a conditional write); when it is, the execution ends at once
    ("already started"). The record expires after ``ttl_seconds`` through the table's TTL attribute. The state
    uses JSONata (a state may choose its query language) because JSONPath cannot turn the execution's start time
    into the epoch seconds a TTL attribute holds."""
    states = definition["States"]
    if GUARD_STATE in states:
        return definition
    first = definition["StartAt"]
    states.setdefault("Failed", {"Type": "Fail", "Error": "FlowFailed",
                                 "Cause": "A step failed; see the execution history"})
    expires = f"$floor($toMillis($states.context.Execution.StartTime) / 1000) + {ttl_seconds}"
    states[GUARD_STATE] = {
        "Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::dynamodb:putItem",
        "Arguments": {
            "TableName": f"${{{table_ref}}}",
            "Item": {key_attribute: {"S": f"{{% 'workflow#' & $states.context.StateMachine.Id & '#' & "
                                          f"{DELIVERY_ID[source]} %}}"},
                     ttl_attribute: {"N": f"{{% $string({expires}) %}}"}},
            "ConditionExpression": f"attribute_not_exists({key_attribute})"},
        "Output": "{% $states.input %}",
        "Retry": [GUARD_RETRY],
        "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": ALREADY_STARTED},
                  {"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
        "Next": first}
    states[ALREADY_STARTED] = {"Type": "Succeed", "Comment": "already started: this delivery was seen before"}
    definition["StartAt"] = GUARD_STATE
    return definition
