"""The alarms a team needs on day one, all to one topic.

Run once the app is complete: it scans the template for what can fail
silently and watches each signal AWS recommends watching
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html):
messages in a dead-letter queue, function errors and throttles, the
iterator age of stream consumers, failed workflow executions, and 5xx
answers of the APIs. One metric-math alarm watches up to ``PER_ALARM``
resources of a kind, so a large app stays far below CloudFormation's 500
resources. Subscribe the team to the ``AlarmTopic`` output.
"""
from __future__ import annotations

from typing import Any

from .base import KEY, App
from .cfn import GetAtt, Ref

PERIOD = 5 * 60  # seconds: five minutes, a choice within the recommended-alarms page's 1-5 minute periods
PER_ALARM = 9  # metrics in one alarm: with the expression, 10 queries, CloudWatch's limit for a math alarm
STREAM_EVENTS = ("Kinesis", "DynamoDB")

# signal -> (what it means, namespace, metric, statistic, how the group combines)
SIGNALS = {
    "DlqDepth": ("messages wait in a dead-letter queue: inspect them, fix the cause, then redrive",
                 "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", "MAX"),
    "FunctionErrors": ("functions failed", "AWS/Lambda", "Errors", "Sum", "SUM"),
    "FunctionThrottles": ("functions were throttled", "AWS/Lambda", "Throttles", "Sum", "SUM"),
    "IteratorAge": ("a stream consumer falls behind: records wait longer than half their maximum age",
                    "AWS/Lambda", "IteratorAge", "Maximum", "MAX"),
    "ExecutionsFailed": ("workflow executions failed", "AWS/States", "ExecutionsFailed", "Sum", "SUM"),
    "RestApi5xx": ("an API answered 5xx", "AWS/ApiGateway", "5XXError", "Sum", "SUM"),
    "HttpApi5xx": ("an API answered 5xx", "AWS/ApiGateway", "5xx", "Sum", "SUM"),
}


def add_alarms(app: App) -> None:
    watched: dict[str, list[tuple[str, dict[str, Any], float]]] = {k: [] for k in SIGNALS}
    for rid, res in sorted(app.resources.items()):
        kind, props = res["Type"], res.get("Properties") or {}
        if kind == "AWS::SQS::Queue" and "why" in (res.get("Metadata") or {}).get("advisor", {}):
            watched["DlqDepth"].append((rid, {"QueueName": GetAtt(rid, "QueueName")}, 0))
        elif kind == "AWS::Serverless::Function":
            watched["FunctionErrors"].append((rid, {"FunctionName": Ref(rid)}, 0))
            watched["FunctionThrottles"].append((rid, {"FunctionName": Ref(rid)}, 0))
            ages = [e["Properties"].get("MaximumRecordAgeInSeconds", 3600) for e in (props.get("Events") or {}).values()
                    if e.get("Type") in STREAM_EVENTS]
            if ages:  # alarm at half the age after which records go to the on-failure destination
                watched["IteratorAge"].append((rid, {"FunctionName": Ref(rid)}, min(ages) * 1000 // 2))
        elif kind == "AWS::Serverless::StateMachine":
            watched["ExecutionsFailed"].append((rid, {"StateMachineArn": Ref(rid)}, 0))
        elif kind == "AWS::Serverless::Api":
            title = props.get("DefinitionBody", {}).get("info", {}).get("title")
            watched["RestApi5xx"].append((rid, {"ApiName": title, "Stage": props.get("StageName")}, 0))
        elif kind == "AWS::Serverless::HttpApi":
            watched["HttpApi5xx"].append((rid, {"ApiId": Ref(rid)}, 0))
    if not any(watched.values()):
        return
    topic = app.add(app.new_id("AlarmTopic"), "AWS::SNS::Topic", {"KmsMasterKeyId": Ref(KEY)},
                    Metadata={"advisor": {"part": "alarms"}})  # operations, not the event topology
    app.output(topic + "Arn", Ref(topic), "Subscribe the team (e-mail, chat) to every alarm of the app")
    for signal, items in watched.items():
        # one threshold per alarm: group the items that share it
        for threshold in sorted({t for _, _, t in items}):
            same = [(rid, dims) for rid, dims, t in items if t == threshold]
            for start in range(0, len(same), PER_ALARM):
                group = same[start:start + PER_ALARM]
                name = signal if len(same) <= PER_ALARM else f"{signal}{start // PER_ALARM + 1}"
                app.add(app.new_id(name, "Alarm"), "AWS::CloudWatch::Alarm",
                        _alarm(signal, group, threshold, Ref(topic)))


def _alarm(signal: str, group: list[tuple[str, dict[str, Any]]], threshold: float, topic: Any) -> dict:
    meaning, namespace, metric, statistic, combine = SIGNALS[signal]
    queries: list[dict[str, Any]] = [{
        "Id": f"m{i}", "ReturnData": False, "Label": rid,
        "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": [
            {"Name": k, "Value": v} for k, v in dims.items() if v is not None]},
            "Period": PERIOD, "Stat": statistic}} for i, (rid, dims) in enumerate(group)]
    queries.append({"Id": "watched", "ReturnData": True, "Label": signal,
                    "Expression": f"{combine}([{', '.join(q['Id'] for q in queries)}])"})
    return {"AlarmDescription": f"{meaning} ({', '.join(rid for rid, _ in group)})"[:1024],
            "Metrics": queries, "EvaluationPeriods": 1, "Threshold": threshold,
            "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching",
            "AlarmActions": [topic]}
