"""A flow's outcome channel: the resources, how producers publish, how subscribers attach.

Subscribers are the flow's consumers (one small function each) and the
flows that run ``after`` it. Every edge gets its failure path: a DLQ per
queue, a redrive policy per SNS subscription, a DLQ per EventBridge target,
an on-failure destination per stream consumer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from ..catalog import option
from ..sizing import sizing
from .base import KEY, App, FunctionSpec
from .sizes import tag
from .cfn import GetAtt, Ref, Sub
from .names import pascal
from . import stores

MAX_RULE_TARGETS = 5  # a Classic EventBridge rule has at most 5 targets


_QUEUES = ("queue", "fifo-queue")
_TOPICS = ("topic", "fifo-topic")


@dataclass
class Publish:
    """One place a producer writes the outcome event to."""

    kind: str  # sns | sqs | events | kinesis | dynamodb
    resource: str
    fifo: bool = False

    def env(self) -> Any:
        return {"sns": Ref, "sqs": Ref, "events": Ref, "kinesis": Ref, "dynamodb": Ref}[self.kind](self.resource)

    def policy(self) -> dict:
        r = self.resource
        return {
            "sns": lambda: {"SNSPublishMessagePolicy": {"TopicName": GetAtt(r, "TopicName")}},
            "sqs": lambda: {"SQSSendMessagePolicy": {"QueueName": GetAtt(r, "QueueName")}},
            "events": lambda: {"EventBridgePutEventsPolicy": {"EventBusName": Ref(r)}},
            "kinesis": lambda: {"Statement": [self.statement()]},  # write only: no SAM template is narrower
            "dynamodb": lambda: {"DynamoDBWritePolicy": {"TableName": Ref(r)}},
        }[self.kind]()

    def statement(self) -> dict:
        action, res = {
            "sns": ("sns:Publish", Ref(self.resource)),
            "sqs": ("sqs:SendMessage", GetAtt(self.resource, "Arn")),
            "events": ("events:PutEvents", GetAtt(self.resource, "Arn")),
            "kinesis": (["kinesis:PutRecord", "kinesis:PutRecords"], GetAtt(self.resource, "Arn")),
            "dynamodb": ("dynamodb:PutItem", GetAtt(self.resource, "Arn")),
        }[self.kind]
        return {"Effect": "Allow", "Action": action, "Resource": res}


@dataclass
class Channel:
    app: App
    flow: Any
    kind: str
    workload_name: str
    publish: list[Publish] = field(default_factory=list)
    topic: str | None = None
    bus: str | None = None
    stream: str | None = None
    table: str | None = None
    queues: dict[str, str] = field(default_factory=dict)  # subscriber -> queue
    rules: list[str] = field(default_factory=list)
    _rule_dlq: str | None = None
    _sns_dlq: str | None = None

    @property
    def base(self) -> str:
        return pascal(self.flow.name)

    @property
    def resources(self) -> list[str]:
        """The resource types the channel option creates, in order (decisions.yaml): what is built reads
        them, not the option's name."""
        return option("channel", self.kind)["resources"]

    @property
    def fifo(self) -> bool:
        return option("channel", self.kind)["ordering"] == "per-group"

    @property
    def detail_type(self) -> str:
        return f"{self.flow.name}.completed"

    # -- building ----------------------------------------------------------------

    def build(self, subscribers: list[str], data_table: str | None) -> None:
        app, base = self.app, self.base
        res = self.resources
        if res[0] in _QUEUES:
            for sub in subscribers or ["outcome"]:
                q, _ = app.queue(base + pascal(sub), fifo=self.fifo)
                self.queues[sub] = q
                self.publish.append(Publish("sqs", q, self.fifo))
        elif res[-1] in _TOPICS or (len(res) > 1 and res[0] in _TOPICS):
            self.topic = self._topic()
            if res[0] == "bus":
                self.bus = self._bus()
                self.publish.append(Publish("events", self.bus))
                self._rule("ToTopic", {"Id": "topic", "Arn": Ref(self.topic)})
                app.add(app.new_id(self.topic, "EventsPolicy"), "AWS::SNS::TopicPolicy", {
                    "Topics": [Ref(self.topic)],
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish",
                        "Resource": Ref(self.topic),
                        "Condition": {"ArnEquals": {"aws:SourceArn": GetAtt(self.rules[-1], "Arn")}}}]}})
            else:
                self.publish.append(Publish("sns", self.topic, self.fifo))
            if res[-1] in _QUEUES:  # a queue per subscriber behind the topic
                for sub in subscribers:
                    self.queue_for(sub)
        elif res == ["bus"]:
            self.bus = self._bus()
            self.publish.append(Publish("events", self.bus))
        elif res == ["stream"]:
            if self.stream is None:  # else the consumers read the stream the flow itself reads: nothing to copy
                self.stream = kinesis_stream(app, base, f"{self.flow.name}/stream", replay=self.flow.needs.replay)
                self.publish.append(Publish("kinesis", self.stream))
        elif res == ["table-stream"]:
            if self.table is not None:  # the table whose changes the flow reads: its consumers read them too
                pass
            elif data_table:
                stores.enable_stream(app, data_table)
                self.table = data_table
            else:
                self.table = stores.table(app, base + "Outcome", stream=True)
            self.publish.append(Publish("dynamodb", self.table))
        if self.bus and self.flow.external_targets:
            self._external_targets()

    def _topic(self) -> str:
        tid = self.app.new_id(self.base, "Topic")
        props: dict[str, Any] = {"KmsMasterKeyId": Ref(KEY)}
        if self.fifo:
            props.update({"FifoTopic": True, "ContentBasedDeduplication": True})
        self.app.add(tid, "AWS::SNS::Topic", props)
        return tid

    def _bus(self) -> str:
        bid = self.app.new_id(self.base, "Bus")
        self.app.add(bid, "AWS::Events::EventBus", {"Name": Sub(f"${{AWS::StackName}}-{self.flow.name}")})
        return bid

    def pattern(self, subscriber: str | None = None) -> dict:
        pattern: dict[str, Any] = {"source": [self.workload_name], "detail-type": [self.detail_type]}
        if subscriber and self.flow.needs.content_filtering:
            # a real filter on content that the generated producer sets; narrow it per consumer
            pattern["detail"] = {"audience": [subscriber, "all"]}
        return pattern

    def rule_dlq(self) -> str:
        if self._rule_dlq is None:
            self._rule_dlq = self.app.dlq(self.base + "Rules", why=f"events the rules of {self.flow.name}"
                                          " could not deliver")
        return self._rule_dlq

    def _rule(self, name: str, *targets: dict, pattern: dict | None = None) -> str:
        if len(targets) > MAX_RULE_TARGETS:
            raise ValueError("too many targets for one rule")
        rid = self.app.new_id(self.base, name, "Rule")
        dlq = self.rule_dlq()
        self.app.add(rid, "AWS::Events::Rule", {
            "EventBusName": Ref(self.bus), "State": "ENABLED",
            "EventPattern": pattern or self.pattern(),
            "Targets": [{**t, "DeadLetterConfig": {"Arn": GetAtt(dlq, "Arn")},
                         "RetryPolicy": {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 3600}}
                        for t in targets]})
        self.rules.append(rid)
        return rid

    def _external_targets(self) -> None:
        app = self.app
        destinations = []
        for target in self.flow.external_targets:
            tp = pascal(target)
            url = app.param(app.new_id(self.base, tp, "Endpoint"), "String",
                            f"HTTPS endpoint that receives {self.flow.name} events for {target}")
            key = app.param(app.new_id(self.base, tp, "ApiKey"), "String",
                            f"API key sent to {target} in the x-api-key header", no_echo=True)
            conn = app.add(app.new_id(self.base, tp, "Connection"), "AWS::Events::Connection", {
                "AuthorizationType": "API_KEY",
                "AuthParameters": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": Ref(key)}}})
            dest = app.add(app.new_id(self.base, tp, "Destination"), "AWS::Events::ApiDestination", {
                "ConnectionArn": GetAtt(conn, "Arn"), "InvocationEndpoint": Ref(url), "HttpMethod": "POST",
                "InvocationRateLimitPerSecond": app.model.setting(
                    f"{self.flow.name}/api-destination:{target}", "invocation_rate_per_second")})
            tag(app.resources[dest], f"{self.flow.name}/api-destination:{target}")
            destinations.append((target, dest))
        role = app.service_role(self.base + "ApiDestinations", "events.amazonaws.com", [{
            "Effect": "Allow", "Action": "events:InvokeApiDestination",
            "Resource": [GetAtt(d, "Arn") for _, d in destinations]}])
        for i in range(0, len(destinations), MAX_RULE_TARGETS):
            chunk = destinations[i:i + MAX_RULE_TARGETS]
            self._rule(f"External{i // MAX_RULE_TARGETS + 1}",
                       *[{"Id": f"t{j}", "Arn": GetAtt(d, "Arn"), "RoleArn": GetAtt(role, "Arn")}
                         for j, (_, d) in enumerate(chunk)])

    # -- attaching subscribers -------------------------------------------------------

    def queue_for(self, subscriber: str) -> str:
        """A queue that receives every outcome event, for a polling subscriber."""
        if subscriber in self.queues:
            return self.queues[subscriber]
        app, base = self.app, self.base
        if self.resources[0] in _QUEUES:
            raise KeyError(subscriber)
        q, _ = app.queue(base + pascal(subscriber), fifo=self.fifo)
        self.queues[subscriber] = q
        if self.topic:
            sub = app.add(app.new_id(q, "Subscription"), "AWS::SNS::Subscription", {
                "TopicArn": Ref(self.topic), "Protocol": "sqs", "Endpoint": GetAtt(q, "Arn"),
                "RawMessageDelivery": True,
                "RedrivePolicy": {"deadLetterTargetArn": GetAtt(self.sns_dlq(), "Arn")},
                **self._filter(subscriber)})
            del sub
            app.allow_queue(q, "sns.amazonaws.com", [Ref(self.topic)])
        elif self.bus:
            rule = self._rule(pascal(subscriber), {"Id": "queue", "Arn": GetAtt(q, "Arn")},
                              pattern=self.pattern(subscriber))
            app.allow_queue(q, "events.amazonaws.com", [GetAtt(rule, "Arn")])
        else:
            raise KeyError(subscriber)
        return q

    def _filter(self, subscriber: str) -> dict:
        """Filter on what the publisher writes: an SNS producer sets the ``audience`` message attribute;
        EventBridge hands the topic the whole event as the message body, with ``audience`` in its detail and
        no message attributes at all."""
        if not self.flow.needs.content_filtering:
            return {}
        audience = [subscriber, "all"]
        if self.bus:  # eventbridge-sns
            return {"FilterPolicyScope": "MessageBody", "FilterPolicy": {"detail": {"audience": audience}}}
        return {"FilterPolicyScope": "MessageAttributes", "FilterPolicy": {"audience": audience}}

    def sns_dlq(self) -> str:
        if self._sns_dlq is None:
            self._sns_dlq = self.app.dlq(self.base + "Subscriptions", fifo=self.fifo,
                                         why=f"messages the {self.flow.name} topic could not deliver")
            self.app.allow_queue(self._sns_dlq, "sns.amazonaws.com", [Ref(self.topic)])
        return self._sns_dlq

    def finish(self) -> None:
        """Policies that can only be written once every rule exists."""
        if self._rule_dlq is not None:
            self.app.allow_queue(self._rule_dlq, "events.amazonaws.com", [GetAtt(r, "Arn") for r in self.rules])

    def attach(self, subscriber: str, make_function: Callable[[str], FunctionSpec], *, prefer_queue: bool,
               sm_target: Callable[[], tuple[str, str]] | None = None) -> str:
        """Deliver outcome events to a subscriber. ``make_function(source_kind)`` creates the
        function that handles them; ``sm_target`` names a state machine (and the role EventBridge may use to
        start it): a rule starts it from a bus, a pipe from a queue or a stream, never a relay function.
        Returns the delivery kind used."""
        app = self.app
        res = self.resources
        streams = res[0] in ("stream", "table-stream")
        workflow = sm_target()[0] if sm_target is not None and (res != ["bus"] or prefer_queue) else None
        if res[-1] in _QUEUES or (workflow and not streams) or (prefer_queue and res[-1] in _TOPICS + ("bus",)):
            q = self.queue_for(subscriber)
            if workflow:  # a queue cannot start a workflow: a pipe reads it and does
                pipe_to_state_machine(app, self.base + pascal(subscriber), "sqs", GetAtt(q, "Arn"), workflow)
                return "sqs-poll"
            fn = make_function("sqs")
            sqs_event(app, fn, q)
            return "sqs-poll"
        if res[-1] in _TOPICS:
            fn = make_function("sns")
            app.add_event(fn.logical_id, "Topic", {"Type": "SNS", "Properties": {
                "Topic": Ref(self.topic), "RedrivePolicy": {"deadLetterTargetArn": GetAtt(self.sns_dlq(), "Arn")},
                **self._filter(subscriber)}})
            return "sns-subscription"
        if res == ["bus"]:
            if sm_target is not None:
                sm, role = sm_target()
                self._rule(pascal(subscriber), {"Id": "workflow", "Arn": Ref(sm), "RoleArn": GetAtt(role, "Arn")},
                           pattern=self.pattern(subscriber))
                return "eventbridge-rule"
            fn = make_function("eventbridge")
            rule = self._rule(pascal(subscriber), {"Id": "function", "Arn": GetAtt(fn.logical_id, "Arn")},
                              pattern=self.pattern(subscriber))
            lambda_permission(app, fn.logical_id, "events.amazonaws.com", GetAtt(rule, "Arn"))
            return "eventbridge-rule"
        if res == ["stream"] and workflow:
            pipe_to_state_machine(app, self.base + pascal(subscriber), "kinesis", GetAtt(self.stream, "Arn"), workflow)
            return "kinesis-poll"
        if res == ["table-stream"] and workflow:
            pipe_to_state_machine(app, self.base + pascal(subscriber), "dynamodb", GetAtt(self.table, "StreamArn"),
                                  workflow)
            return "dynamodb-stream-poll"
        if res == ["stream"]:
            fn = make_function("kinesis")
            stream_event(app, fn, "Kinesis", GetAtt(self.stream, "Arn"), self.base + pascal(subscriber))
            return "kinesis-poll"
        if res == ["table-stream"]:
            fn = make_function("dynamodb")
            stream_event(app, fn, "DynamoDB", GetAtt(self.table, "StreamArn"), self.base + pascal(subscriber))
            return "dynamodb-stream-poll"
        raise KeyError(self.kind)


# -- shared event helpers ----------------------------------------------------------------


def kinesis_stream(app: App, base: str, node: str, replay: bool = False) -> str:
    """A provisioned stream with the shards the model sized for its peak (architecture.size_shards), the
    capacity the cost model prices."""
    sid = app.new_id(base, "Stream")
    app.add(sid, "AWS::Kinesis::Stream", {
        "StreamModeDetails": {"StreamMode": "PROVISIONED"}, "ShardCount": app.model.setting(node, "shards"),
        "RetentionPeriodHours": 168 if replay else 24,
        "StreamEncryption": {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}})
    tag(app.resources[sid], node)
    return sid


def sqs_event(app: App, fn: FunctionSpec, queue: str) -> None:
    """The function reads the queue: batch size, maximum concurrency and the queue's visibility timeout are the
    model's (architecture.size_batch, size_esm_concurrency, size_visibility_timeout)."""
    poll = sizing().poll["sqs-poll"]
    source, esm = app.model.esm(fn.node or "")
    batch_size = esm["batch_size"]
    app.sized_queue(queue, source)
    app.add_policy(fn.logical_id, {"SQSPollerPolicy": {"QueueName": GetAtt(queue, "QueueName")}})
    props: dict[str, Any] = {"Queue": GetAtt(queue, "Arn"), "BatchSize": batch_size,
                             "FunctionResponseTypes": ["ReportBatchItemFailures"]}
    if not app.props(queue).get("FifoQueue"):  # FIFO scales by message group, not by this setting
        props["ScalingConfig"] = {"MaximumConcurrency": esm["maximum_concurrency"]}
    if batch_size > 10 or poll.window_s:  # a window is required above 10 (deploy-time check only)
        props["MaximumBatchingWindowInSeconds"] = max(1, math.ceil(poll.window_s))
    app.add_event(fn.logical_id, "Queue", {"Type": "SQS", "Properties": props})


def stream_event(app: App, fn: FunctionSpec, kind: str, stream_arn: Any, base: str) -> None:
    poll = sizing().poll["kinesis-poll" if kind == "Kinesis" else "dynamodb-stream-poll"]
    _, esm = app.model.esm(fn.node or "")
    dlq = app.dlq(base + kind, why=f"records {fn.logical_id} failed on (stream metadata only)")
    app.add_policy(fn.logical_id, {"SQSSendMessagePolicy": {"QueueName": GetAtt(dlq, "QueueName")}})
    app.add_event(fn.logical_id, "Stream", {"Type": kind, "Properties": {
        "Stream": stream_arn, "StartingPosition": "TRIM_HORIZON", "BatchSize": esm["batch_size"],
        "MaximumBatchingWindowInSeconds": math.ceil(poll.window_s),
        "BisectBatchOnFunctionError": True, "MaximumRetryAttempts": 3, "MaximumRecordAgeInSeconds": 3600,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": GetAtt(dlq, "Arn")}}}})


_PIPE_SOURCES = {  # what a pipe reads: the role's actions and the source parameters
    "sqs": (["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            {"SqsQueueParameters": {"BatchSize": 1}}),
    "kinesis": (["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                 "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard"],
                {"KinesisStreamParameters": {"StartingPosition": "LATEST", "BatchSize": 1}}),
    "dynamodb": (["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                  "dynamodb:ListStreams"],
                 {"DynamoDBStreamParameters": {"StartingPosition": "LATEST", "BatchSize": 1}}),
}


def pipe_to_state_machine(app: App, base: str, source: str, source_arn: Any, state_machine: str) -> str:
    """An EventBridge pipe that starts ``state_machine`` for each message or record of a queue or stream:
    SQS, Kinesis and DynamoDB Streams cannot start a workflow themselves, and a function that only calls
    StartExecution is a relay (integrations.yaml, substitutes). Each execution is started, not awaited."""
    actions, params = _PIPE_SOURCES[source]
    return pipe_from(app, base, source_arn, state_machine, params,
                     [{"Effect": "Allow", "Action": actions, "Resource": source_arn}])


def pipe_from(app: App, base: str, source: Any, state_machine: str, parameters: dict, statements: list,
              managed: list | None = None) -> str:
    """A pipe from any source EventBridge Pipes reads (SQS, Kinesis, DynamoDB Streams, MSK, self-managed
    Kafka, Amazon MQ: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-source.html)
    that starts ``state_machine``; ``statements`` let its role read the source."""
    role = app.service_role(base + "Pipe", "pipes.amazonaws.com", [
        *statements,
        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": GetAtt(KEY, "Arn")},
        {"Effect": "Allow", "Action": "states:StartExecution", "Resource": Ref(state_machine)}])
    if managed:
        app.props(role)["ManagedPolicyArns"] = managed
    source_arn, params = source, parameters
    return app.add(app.new_id(base, "Pipe"), "AWS::Pipes::Pipe", {
        "RoleArn": GetAtt(role, "Arn"), "Source": source_arn, "SourceParameters": params,
        "Target": Ref(state_machine),
        "TargetParameters": {"StepFunctionStateMachineParameters": {"InvocationType": "FIRE_AND_FORGET"}}})


def lambda_permission(app: App, function_id: str, principal: str, source_arn: Any) -> str:
    return app.add(app.new_id(function_id, pascal(principal.split(".")[0]), "Permission"),
                   "AWS::Lambda::Permission", {
                       "Action": "lambda:InvokeFunction", "FunctionName": Ref(function_id),
                       "Principal": principal, "SourceArn": source_arn})
