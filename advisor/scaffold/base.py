"""The template under construction and its reusable building blocks.

:class:`App` holds the template dict and the list of functions to generate
code for. Its methods add one well-formed component each (a queue with its
DLQ, a function with its log group, a state machine with logging...), with
every property of the checklist in sam-validation.md §6 already set, so that
the per-flow wiring in :mod:`advisor.scaffold.wiring` only connects them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..catalog import limit
from ..errors import TemplateError
from ..sizing import sizing
from .cfn import GetAtt, Intrinsic, Ref, Sub
from .fragments import load_fragment
from .names import NameRegistry, pascal, snake
from .sizes import ModelSettings, tag

KEY = "AppKey"
LOG_RETENTION_DAYS = 30
MAX_RECEIVE_COUNT = 5
RETENTION_SECONDS = 1209600  # 14 days, the SQS maximum: time to look at a DLQ


def cfn_lint_ignore(*ids: str) -> dict:
    return {"cfn-lint": {"config": {"ignore_checks": list(ids)}}}


def checkov_skip(*pairs: tuple[str, str]) -> dict:
    return {"checkov": {"skip": [{"id": i, "comment": c} for i, c in pairs]}}


@dataclass
class FunctionSpec:
    """One generated function: what invokes it (source) and what it does (action)."""

    logical_id: str
    directory: str  # under src/
    flow: str
    title: str
    source: str  # handler kind: sqs, sns, http, sfn_task, ...
    action: str = "work"  # work | start_execution | run_task
    publish: str | None = None  # sns | sqs | events | kinesis | dynamodb
    timeout: int = 10
    sync: bool = False  # invoked synchronously by its source
    node: str | None = None  # the architecture model's node it is built from (None: beside the model)
    extra: dict = field(default_factory=dict)


class App:
    """A SAM template being built, plus the functions whose code to generate."""

    def __init__(self, description: str, runtime: str) -> None:
        self.ids = NameRegistry()
        self.dirs = NameRegistry()
        self.functions: list[FunctionSpec] = []
        self.files: dict[str, bytes] = {}
        self.notes: dict[str, list[str]] = {}
        self._async: dict[str, str] = {}  # function -> its on-failure DLQ
        self.model = ModelSettings({})  # the architecture model's settings (render sets them)
        self.template = load_fragment("base.yaml", description=description[:1000], runtime=runtime)
        self.template.setdefault("Parameters", {})
        self.template.setdefault("Outputs", {})
        for rid in self.template["Resources"]:
            self.ids.claim(rid)
        self.ids.claim("ServerlessRestApi")  # ids SAM may create implicitly
        self.ids.claim("ServerlessHttpApi")

    # -- basics --------------------------------------------------------------

    @property
    def resources(self) -> dict:
        return self.template["Resources"]

    def new_id(self, *parts: str) -> str:
        return self.ids.claim("".join(pascal(p) if not p[:1].isupper() else p for p in parts if p))

    def add(self, logical_id: str, rtype: str, properties: dict, **attrs: Any) -> str:
        if logical_id in self.resources:
            raise TemplateError(f"duplicate logical id {logical_id}")
        res: dict[str, Any] = {"Type": rtype, "Properties": properties}
        res.update({k: v for k, v in attrs.items() if v is not None})
        self.resources[logical_id] = res
        return logical_id

    def param(self, name: str, ptype: str, description: str, default: Any = None, no_echo: bool = False) -> str:
        if name not in self.template["Parameters"]:
            p: dict[str, Any] = {"Type": ptype, "Description": description}
            if default is not None:
                p["Default"] = default
            if no_echo:
                p["NoEcho"] = True
            self.template["Parameters"][name] = p
            self.ids.claim(name)
        return name

    def output(self, name: str, value: Any, description: str) -> None:
        self.template["Outputs"][name] = {"Description": description, "Value": value}

    def note(self, flow: str, text: str) -> None:
        self.notes.setdefault(flow, []).append(text)

    def props(self, logical_id: str) -> dict:
        return self.resources[logical_id]["Properties"]

    # -- logs ------------------------------------------------------------------

    def log_group(self, logical_id: str, name: Any) -> str:
        return self.add(logical_id, "AWS::Logs::LogGroup", {
            "LogGroupName": name, "RetentionInDays": LOG_RETENTION_DAYS, "KmsKeyId": GetAtt(KEY, "Arn")},
            DeletionPolicy="Delete", UpdateReplacePolicy="Delete")

    # -- queues ----------------------------------------------------------------

    def dlq(self, base: str, fifo: bool = False, why: str = "") -> str:
        qid = self.new_id(base, "DLQ")
        props: dict[str, Any] = {"KmsMasterKeyId": Ref(KEY), "MessageRetentionPeriod": RETENTION_SECONDS}
        if fifo:
            props["FifoQueue"] = True
        self.add(qid, "AWS::SQS::Queue", props, DeletionPolicy="Delete", UpdateReplacePolicy="Delete",
                 Metadata={**cfn_lint_ignore("ES6000"),
                           "advisor": {"why": why or "dead-letter queue",
                                       "ES6000": "this queue is itself a DLQ; the rule cannot see the object form of"
                                                 " RedrivePolicy that points here (awslabs/serverless-rules#79, #177)"}})
        return qid

    def queue(self, base: str, fifo: bool = False, visibility: int = 60) -> tuple[str, str]:
        """A work queue and its DLQ, both encrypted with the app key."""
        dlq = self.dlq(base, fifo, why=f"messages that failed {MAX_RECEIVE_COUNT} times on {base}")
        qid = self.new_id(base, "Queue")
        props: dict[str, Any] = {
            "KmsMasterKeyId": Ref(KEY), "MessageRetentionPeriod": 345600,
            "VisibilityTimeout": visibility,
            "RedrivePolicy": {"deadLetterTargetArn": GetAtt(dlq, "Arn"), "maxReceiveCount": MAX_RECEIVE_COUNT}}
        if fifo:
            props["FifoQueue"] = True
            props["ContentBasedDeduplication"] = True
        self.add(qid, "AWS::SQS::Queue", props, DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
        return qid, dlq

    def sized_queue(self, queue_id: str, node: str) -> None:
        """A queue the model has: its visibility timeout is the model's (at least 6x its consumer's timeout,
        architecture.size_visibility_timeout), and it says which node it is."""
        self.props(queue_id)["VisibilityTimeout"] = self.model.setting(node, "visibility_timeout")
        tag(self.resources[queue_id], node)

    def allow_queue(self, queue_id: str, service: str, source_arns: list) -> str:
        """A queue policy letting ``service`` send, only from the given resources."""
        pid = self.new_id(queue_id, pascal(service.split(".")[0]), "Policy")
        return self.add(pid, "AWS::SQS::QueuePolicy", {
            "Queues": [Ref(queue_id)],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": service}, "Action": "sqs:SendMessage",
                "Resource": GetAtt(queue_id, "Arn"),
                "Condition": {"ArnEquals": {"aws:SourceArn": source_arns if len(source_arns) > 1
                                            else source_arns[0]}}}]}})

    # -- functions ---------------------------------------------------------------

    def function(self, spec_name: str, flow: str, title: str, source: str, *, action: str = "work",
                 timeout: float = 10, sync: bool = False, events: dict | None = None,
                 policies: list | None = None, env: dict | None = None, vpc: dict | None = None,
                 async_dlq: bool = False, publish: str | None = None, node: str | None = None) -> FunctionSpec:
        """A function, its log group, and the settings every function needs; a function the architecture model
        has (``node``) takes the model's timeout."""
        logical_id = self.new_id(spec_name, "Function")
        directory = self.dirs.claim(snake(spec_name), sep="_")
        seconds = int(self.model.node(node).get("timeout_seconds")
                      or min(limit("lambda_timeout"), max(3, math.ceil(timeout))))
        props: dict[str, Any] = {
            "CodeUri": f"src/{directory}/",
            "Description": title[:256],
            "MemorySize": sizing().function_memory_mb,
            "Timeout": seconds,
            "Policies": [{"KMSDecryptPolicy": {"KeyId": Ref(KEY)}}, *(policies or [])],
        }
        if events:
            props["Events"] = events
        if env:
            props["Environment"] = {"Variables": env}
        skips = [("CKV_AWS_115", "Reserved concurrency is left to the account owner: a fixed value fails to deploy"
                                 " when it would push unreserved concurrency below 100 (new accounts)")]
        if vpc:
            props["VpcConfig"] = vpc
        else:
            skips.append(("CKV_AWS_117", "No VPC resources to reach; a VPC would add NAT or endpoint cost and"
                                         " cold-start latency"))
        if async_dlq:
            dlq = self.dlq(logical_id, why=f"failed asynchronous invocations of {logical_id}")
            self._async[logical_id] = dlq
            props["Policies"].append({"SQSSendMessagePolicy": {"QueueName": GetAtt(dlq, "QueueName")}})
            skips.append(("CKV_AWS_116", "Failed asynchronous invocations go to an on-failure destination"
                                         " (EventInvokeConfig), which supersedes the legacy DeadLetterQueue"))
        else:
            skips.append(("CKV_AWS_116", "Invoked synchronously or by polling; the Lambda DLQ only applies to"
                                         " asynchronous invocations, and failures go to the source's DLQ"))
        self.add(logical_id, "AWS::Serverless::Function", props, Metadata=checkov_skip(*skips))
        if node in self.model.nodes:
            tag(self.resources[logical_id], node)
        self.log_group(self.ids.claim(logical_id + "LogGroup"), Sub(f"/aws/lambda/${{{logical_id}}}"))
        spec = FunctionSpec(logical_id, directory, flow, title, source, action=action, publish=publish,
                            timeout=seconds, sync=sync, node=node if node in self.model.nodes else None)
        self.functions.append(spec)
        return spec

    def finish(self) -> None:
        """Give every asynchronously invoked function its on-failure destination.

        Functions invoked through SAM events (SNS, S3) get SAM's ``EventInvokeConfig``
        property; those invoked through explicit permissions (EventBridge rules, a REST
        API's asynchronous call) get an explicit resource that names the function the
        same way as the permission, which is how the ES1007 rule pairs them."""
        sam_async = {"SNS", "S3", "Schedule", "CloudWatchEvent", "EventBridgeRule", "ScheduleV2"}
        for logical_id, dlq in sorted(self._async.items()):
            props = self.props(logical_id)
            config = {"MaximumRetryAttempts": 2, "DestinationConfig": {"OnFailure": {"Destination": GetAtt(dlq, "Arn")}}}
            if any(e.get("Type") in sam_async for e in (props.get("Events") or {}).values()):
                config["DestinationConfig"]["OnFailure"]["Type"] = "SQS"
                props["EventInvokeConfig"] = config
            else:
                self.add(self.ids.claim(logical_id + "InvokeConfig"), "AWS::Lambda::EventInvokeConfig", {
                    "FunctionName": Ref(logical_id), "Qualifier": "$LATEST", **config})

    def add_policy(self, function_id: str, *policies: Any) -> None:
        self.props(function_id)["Policies"].extend(policies)

    def add_env(self, function_id: str, **variables: Any) -> None:
        self.props(function_id).setdefault("Environment", {"Variables": {}})["Variables"].update(variables)

    def add_event(self, function_id: str, name: str, event: dict) -> None:
        events = self.props(function_id).setdefault("Events", {})
        key, n = name, 1
        while key in events:
            n += 1
            key = f"{name}{n}"
        events[key] = event

    def kms_statement(self) -> dict:
        """Encrypting to SNS/SQS/Kinesis/DynamoDB with the app key needs both actions."""
        return {"Statement": [{"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                               "Resource": GetAtt(KEY, "Arn")}]}

    # -- state machines -----------------------------------------------------------

    def state_machine(self, base: str, express: bool, definition_path: str, substitutions: dict,
                      policies: list) -> str:
        sm = self.new_id(base, "StateMachine")
        lg = self.log_group(self.ids.claim(sm + "LogGroup"),
                            Sub(f"/aws/vendedlogs/states/${{AWS::StackName}}-{sm}"))
        log_delivery = {"Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
            "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
            "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups"]}]}
        self.add(sm, "AWS::Serverless::StateMachine", {
            "Type": "EXPRESS" if express else "STANDARD",
            "DefinitionUri": definition_path,
            "DefinitionSubstitutions": substitutions,
            "Tracing": {"Enabled": True},
            "Logging": {"Level": "ALL", "IncludeExecutionData": False,
                        "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": GetAtt(lg, "Arn")}}]},
            "Policies": [log_delivery, self.kms_statement(), *policies]})
        return sm

    def service_role(self, base: str, service: str, statements: list) -> str:
        """An IAM role that one AWS service assumes, with exactly these statements."""
        rid = self.new_id(base, "Role")
        self.add(rid, "AWS::IAM::Role", {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "access", "PolicyDocument": {"Version": "2012-10-17",
                                                                      "Statement": statements}}]})
        return rid


def arn_of(resource_id: str) -> Intrinsic:
    return GetAtt(resource_id, "Arn")
