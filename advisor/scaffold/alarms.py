"""The alarms a team needs on day one, all to one topic.

Run once the app is complete: it scans the template for what can fail
silently and adds one CloudWatch alarm per signal AWS recommends watching
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html):
messages in a dead-letter queue, function errors and throttles, the
iterator age of stream consumers, failed workflow executions, and 5xx
answers of the APIs. Subscribe the team to the ``AlarmTopic`` output.
"""
from __future__ import annotations

from typing import Any

from .base import KEY, App
from .cfn import GetAtt, Ref

PERIOD = 300  # seconds; the recommended-alarms page uses 1-5 minute periods
STREAM_EVENTS = ("Kinesis", "DynamoDB")


def add_alarms(app: App) -> None:
    resources = dict(app.resources)
    alarms: list[tuple[str, dict]] = []
    for rid, res in sorted(resources.items()):
        kind, props = res["Type"], res.get("Properties") or {}
        if kind == "AWS::SQS::Queue" and "why" in (res.get("Metadata") or {}).get("advisor", {}):
            alarms.append((rid + "Depth", _alarm(
                f"{rid} holds messages that failed: inspect them, fix the cause, then redrive",
                "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": GetAtt(rid, "QueueName")},
                "Maximum", 0)))
        elif kind == "AWS::Serverless::Function":
            for metric in ("Errors", "Throttles"):
                alarms.append((rid + metric, _alarm(f"{rid}: {metric.lower()} in the last 5 minutes", "AWS/Lambda",
                                                    metric, {"FunctionName": Ref(rid)}, "Sum", 0)))
            for event in (props.get("Events") or {}).values():
                if event.get("Type") in STREAM_EVENTS:
                    # alarm at half the age after which records are dropped to the on-failure destination
                    limit = event["Properties"].get("MaximumRecordAgeInSeconds", 3600) * 1000 // 2
                    alarms.append((rid + "IteratorAge", _alarm(
                        f"{rid} falls behind its stream: records older than {limit // 1000} s",
                        "AWS/Lambda", "IteratorAge", {"FunctionName": Ref(rid)}, "Maximum", limit)))
                    break
        elif kind == "AWS::Serverless::StateMachine":
            alarms.append((rid + "Failed", _alarm(f"{rid}: executions failed", "AWS/States", "ExecutionsFailed",
                                                  {"StateMachineArn": Ref(rid)}, "Sum", 0)))
        elif kind == "AWS::Serverless::Api":
            title = props.get("DefinitionBody", {}).get("info", {}).get("title")
            alarms.append((rid + "5xx", _alarm(f"{rid} answers 5xx", "AWS/ApiGateway", "5XXError",
                                               {"ApiName": title, "Stage": props.get("StageName")}, "Sum", 0)))
        elif kind == "AWS::Serverless::HttpApi":
            alarms.append((rid + "5xx", _alarm(f"{rid} answers 5xx", "AWS/ApiGateway", "5xx",
                                               {"ApiId": Ref(rid)}, "Sum", 0)))
    if not alarms:
        return
    topic = app.add(app.new_id("AlarmTopic"), "AWS::SNS::Topic", {"KmsMasterKeyId": Ref(KEY)})
    app.output(topic + "Arn", Ref(topic), "Subscribe the team (e-mail, chat) to every alarm of the app")
    for name, props in alarms:
        props["AlarmActions"] = [Ref(topic)]
        app.add(app.new_id(name, "Alarm"), "AWS::CloudWatch::Alarm", props)


def _alarm(description: str, namespace: str, metric: str, dimensions: dict[str, Any], statistic: str,
           above: float) -> dict:
    return {"AlarmDescription": description, "Namespace": namespace, "MetricName": metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items() if v is not None],
            "Statistic": statistic, "Period": PERIOD, "EvaluationPeriods": 1, "Threshold": above,
            "ComparisonOperator": "GreaterThanThreshold", "TreatMissingData": "notBreaching"}
