"""Deploy translated scaffold templates into moto (server mode) and drive events through them.

Used by tests/test_e2e_runtime.py. The harness knows nothing about how the
generator names things: it discovers topics, buses, rules, queues and state
machines from the translated template, and reads the publisher's message shape
from advisor.scaffold.statemachine (the one place the generated publishers and
the filters are defined).

What moto cannot do, and what the harness does instead, is data (MOTO_GAPS): a
resource type that appears in a generated template and is neither in moto's
CloudFormation model map nor listed there makes the suite fail, so nothing is
left out silently.
"""
from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

REGION = "us-east-1"

NOT_MODELLED = "not in moto's CloudFormation model map"
LINTED = "cfn-lint (and checkov) on the translated template, in tests/test_scaffold*.py"
# type -> (what moto lacks, how the harness or the suite covers that part instead)
MOTO_GAPS: dict[str, tuple[str, str]] = {
    "AWS::SNS::Subscription": (
        NOT_MODELLED,
        "the harness creates each subscription through the SNS API with the template's own Protocol, Endpoint,"
        " FilterPolicy, FilterPolicyScope and RawMessageDelivery, then publishes through it"),
    "AWS::SNS::TopicPolicy": (
        "not in moto's CloudFormation model map (moto does not enforce topic policies either)",
        "the harness sets the policy as the topic's Policy attribute; " + LINTED),
    "AWS::SQS::QueuePolicy": (
        "not in moto's CloudFormation model map (moto does not enforce queue policies either)",
        "the harness sets the policy as the queue's Policy attribute; " + LINTED),
    "AWS::Lambda::EventInvokeConfig": (
        NOT_MODELLED,
        "cfn-lint's serverless rule ES1007 (an async function needs an on-failure destination); " + LINTED),
    "AWS::S3::BucketPolicy": (NOT_MODELLED, LINTED),
    "AWS::Scheduler::Schedule": (NOT_MODELLED, "its name per stack is checked in tests/test_e2e_runtime.py, its"
                                               " expression in tests/test_scaffold_runtime.py; " + LINTED),
    "AWS::ApiGateway::Stage": (NOT_MODELLED, LINTED),
    "AWS::ApiGateway::Deployment": (
        "moto ignores a REST API's OpenAPI Body, so the API has no methods and the deployment fails",
        LINTED + "; the tests read the integrations from the Body itself"),
    "AWS::ApiGatewayV2::Api": (NOT_MODELLED, LINTED),
    "AWS::ApiGatewayV2::Stage": (NOT_MODELLED, LINTED),
    "AWS::ApiGatewayV2::Route": (NOT_MODELLED, LINTED),
    "AWS::ApiGatewayV2::Integration": (NOT_MODELLED, LINTED),
    "AWS::ApiGatewayV2::Deployment": (NOT_MODELLED, LINTED),
    "AWS::ApiGatewayV2::Authorizer": (NOT_MODELLED, LINTED),
    "AWS::Events::ApiDestination": (
        NOT_MODELLED,
        "the rules that target it are evaluated with moto's EventBridge pattern matcher on the published event"),
    "AWS::Events::Connection": (NOT_MODELLED, LINTED),
    "AWS::Cognito::UserPool": (
        NOT_MODELLED,
        "tests/test_e2e_runtime.py checks the pool asks for no feature the default Essentials tier lacks"),
    "AWS::Cognito::UserPoolClient": (NOT_MODELLED, LINTED),
    "AWS::RDS::DBCluster": ("moto has no default engine version for aurora-postgresql and fails the stack",
                            LINTED),
    "AWS::RDS::DBInstance": ("moto has no default engine version for aurora-postgresql and fails the stack",
                             LINTED),
    "AWS::RDS::DBProxy": (NOT_MODELLED, LINTED),
    "AWS::RDS::DBProxyTargetGroup": (NOT_MODELLED, LINTED),
    "AWS::AppSync::GraphQLApi": (NOT_MODELLED, LINTED),
    "AWS::AppSync::GraphQLSchema": (NOT_MODELLED, LINTED),
    "AWS::AppSync::DataSource": (NOT_MODELLED, LINTED),
    "AWS::AppSync::Resolver": (NOT_MODELLED, LINTED),
    "AWS::AppSync::ApiKey": (NOT_MODELLED, LINTED),
    "AWS::ApiGateway::UsagePlan": (NOT_MODELLED, LINTED),
    "AWS::ApiGateway::ApiKey": (NOT_MODELLED, LINTED),
    "AWS::ApiGateway::UsagePlanKey": (NOT_MODELLED, LINTED),
    "AWS::Lambda::Url": (NOT_MODELLED, LINTED),
    "AWS::Lambda::EventSourceMapping": (
        "moto rejects a mapping whose source is outside AWS's own services (MSK, Amazon MQ, self-managed Kafka"
        " given as parameters); mappings of SQS, Kinesis and DynamoDB are created",
        "the harness leaves those out; failure_path_problems checks every mapping's failure settings"),
    "AWS::Pipes::Pipe": (
        NOT_MODELLED,
        "tests/test_e2e_runtime.py checks each pipe reads a queue or stream of the stack and starts one of its"
        " state machines with a role allowed to; " + LINTED),
    "AWS::CloudWatch::Alarm": (
        NOT_MODELLED + " (and moto never evaluates metrics)",
        "the harness creates each alarm with PutMetricAlarm; tests/test_e2e_runtime.py checks that it watches a"
        " queue, function or state machine that exists and acts on the alarm topic; tests/test_scaffold_runtime.py"
        " checks which signals are watched"),
}
# created by the harness through the service API (see MOTO_GAPS), not left out
MATERIALISED = {"AWS::SNS::Subscription", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy", "AWS::CloudWatch::Alarm"}
# behaviour moto lacks (not a resource type), and what the harness does instead
BEHAVIOUR_GAPS = {
    "running Lambda functions": "moto needs Docker for that; the event source mappings are disabled after the"
                                " deploy so the queues keep what they receive, and the harness reads them",
    "EventBridge delivery to SNS, Lambda, Step Functions and API destination targets":
        "the rule's pattern is evaluated with moto's own matcher on the event envelope; for an SNS target the"
        " envelope is published to the topic as its message body, as EventBridge does",
    "SNS delivery to Lambda subscriptions": "the subscription's filter policy is evaluated with moto's own"
                                            " FilterPolicyMatcher on the published message",
    "REST API integrations (OpenAPI Body)": "the tests read the integration from the Body",
}
# in moto's model map but failing in a way that has nothing to do with the app
BROKEN_IN_MOTO = {"AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::ApiGateway::Deployment"}
PARTLY_MODELLED = {"AWS::Lambda::EventSourceMapping"}


def stub_arn(logical_id: str, attribute: str = "Ref") -> str:
    return f"arn:aws:moto-stub:{REGION}:123456789012:{logical_id}/{attribute}"


def code_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return {}\n")
    return buf.getvalue()


class Cloud:
    """One moto server on 127.0.0.1 (free port) and the boto3 clients that talk to it."""

    def __init__(self) -> None:
        import logging
        from moto.server import ThreadedMotoServer
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self._clients: dict[str, Any] = {}
        self.client("s3").create_bucket(Bucket="bucket")
        self.client("s3").put_object(Bucket="bucket", Key="code.zip", Body=code_zip())

    def param_value(self, parameter: dict) -> str:
        """A value for a parameter without default; VPC ids name a VPC made once per server."""
        kind = parameter.get("Type", "String")
        if "EC2" in kind and not hasattr(self, "_vpc"):
            ec2 = self.client("ec2")
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)]
            sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
            self._vpc = {"AWS::EC2::VPC::Id": vpc, "List<AWS::EC2::Subnet::Id>": ",".join(subnets),
                         "AWS::EC2::Subnet::Id": subnets[0], "AWS::EC2::SecurityGroup::Id": sg,
                         "List<AWS::EC2::SecurityGroup::Id>": sg}
        if "EC2" in kind:
            return self._vpc[kind]
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            return "a,b"
        return "moto-" + kind.replace(":", "-").lower()[:20]

    def client(self, service: str) -> Any:
        if service not in self._clients:
            import boto3
            self._clients[service] = boto3.client(
                service, region_name=REGION, endpoint_url=self.endpoint, aws_access_key_id="testing",
                aws_secret_access_key="testing")
        return self._clients[service]

    def stop(self) -> None:
        self.server.stop()


def model_map() -> set[str]:
    from moto.cloudformation.parsing import get_model_map
    return set(get_model_map())


def left_out(template: dict) -> dict[str, str]:
    """Logical id -> type of every resource moto cannot create (materialised ones excluded)."""
    known = model_map()
    params = set(template.get("Parameters", {}))
    return {lid: r["Type"] for lid, r in template["Resources"].items()
            if r["Type"] not in MATERIALISED and (r["Type"] not in known or r["Type"] in BROKEN_IN_MOTO
                                                  or _external_source(r, params))}


def _external_source(resource: dict, params: set[str]) -> bool:
    if resource["Type"] != "AWS::Lambda::EventSourceMapping":
        return False
    source = resource["Properties"].get("EventSourceArn")
    return source is None or isinstance(source, dict) and source.get("Ref") in params


def _replace_refs(node: Any, removed: set[str]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in removed:
            return stub_arn(node["Ref"])
        if set(node) == {"Fn::GetAtt"}:
            target = node["Fn::GetAtt"]
            lid, attr = (target.split(".", 1) if isinstance(target, str) else target)
            if lid in removed:
                return stub_arn(lid, attr)
        if "Fn::Sub" in node:
            text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]
            text = re.sub(r"\$\{([A-Za-z0-9]+)(?:\.([^}]*))?\}", lambda m: stub_arn(m[1], m[2] or "Ref")
                          if m[1] in removed else m[0], text)
            if isinstance(node["Fn::Sub"], str):
                return {"Fn::Sub": text}
            return {"Fn::Sub": [text, _replace_refs(node["Fn::Sub"][1], removed)]}
        return {k: _replace_refs(v, removed) for k, v in node.items()}
    if isinstance(node, list):
        return [_replace_refs(v, removed) for v in node]
    return node


def _swap_refs(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in values:
            return values[node["Ref"]]
        return {k: _swap_refs(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_swap_refs(v, values) for v in node]
    return node


def adapt(template: dict) -> tuple[dict, dict[str, str], dict[str, dict]]:
    """A copy moto can create: (template, left out {id: type}, materialised {id: resource})."""
    t = copy.deepcopy(template)
    gone = left_out(t)
    later = {lid: r for lid, r in t["Resources"].items() if r["Type"] in MATERIALISED}
    for lid in list(gone) + list(later):
        del t["Resources"][lid]
    t["Resources"] = _replace_refs(t["Resources"], set(gone))
    t["Outputs"] = _replace_refs(t.get("Outputs", {}), set(gone))
    for lid, r in t["Resources"].items():
        if isinstance(r.get("DependsOn"), list):
            r["DependsOn"] = [d for d in r["DependsOn"] if d in t["Resources"]]
        elif r.get("DependsOn") and r["DependsOn"] not in t["Resources"]:
            del r["DependsOn"]
        props = r.get("Properties", {})
        # moto: a FIFO queue needs an explicit name ending in .fifo (CloudFormation generates one)
        if r["Type"] == "AWS::SQS::Queue" and props.get("FifoQueue") and "QueueName" not in props:
            props["QueueName"] = {"Fn::Join": ["", [{"Ref": "AWS::StackName"}, "-", lid[-40:], ".fifo"]]}
        # moto: PutEvents fails on a target it cannot deliver to; the harness matches those itself
        if r["Type"] == "AWS::Events::Rule" and "Targets" in props:
            props["Targets"] = [x for x in props["Targets"] if _is_queue(t, x["Arn"])]
        # moto: a REST API needs a Name even when a Body (OpenAPI) gives the title
        if r["Type"] == "AWS::ApiGateway::RestApi" and "Name" not in props:
            props["Name"] = {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, lid]]}
        if r["Type"] == "AWS::SNS::Topic" and props.get("FifoTopic") and "TopicName" not in props:
            props["TopicName"] = {"Fn::Join": ["", [{"Ref": "AWS::StackName"}, "-", lid[-40:], ".fifo"]]}
    # moto: !Ref of an event bus resolves to moto's model object, not the bus name CloudFormation gives
    buses = {lid: r["Properties"]["Name"] for lid, r in t["Resources"].items() if r["Type"] == "AWS::Events::EventBus"}
    t["Resources"] = _swap_refs(t["Resources"], buses)
    # moto creates resources in template order and only follows Ref/GetAtt (not a name): buses first
    t["Resources"] = dict(sorted(t["Resources"].items(), key=lambda kv: kv[1]["Type"] != "AWS::Events::EventBus"))
    return t, gone, later


def _is_queue(template: dict, arn: Any) -> bool:
    target = arn.get("Fn::GetAtt") if isinstance(arn, dict) else None
    lid = (target.split(".")[0] if isinstance(target, str) else target[0]) if target else None
    return lid in template["Resources"] and template["Resources"][lid]["Type"] == "AWS::SQS::Queue"


@dataclass
class Stack:
    cloud: Cloud
    name: str
    template: dict  # translated, before adaptation
    physical: dict[str, str] = field(default_factory=dict)
    left_out: dict[str, str] = field(default_factory=dict)
    status: str = ""
    subscriptions: dict[str, str] = field(default_factory=dict)  # subscription lid -> ARN

    @property
    def resources(self) -> dict:
        return self.template["Resources"]

    def of_type(self, kind: str) -> dict[str, dict]:
        return {lid: r for lid, r in self.resources.items() if r["Type"] == kind}

    # -- resolving -------------------------------------------------------------------

    def queue_arn(self, lid: str) -> str:
        url = self.physical[lid]
        return self.cloud.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]

    def resolve(self, node: Any) -> Any:
        """Ref / GetAtt Arn of this stack's resources, as CloudFormation would resolve them."""
        if isinstance(node, dict) and set(node) == {"Ref"}:
            if node["Ref"] == "AWS::StackName":
                return self.name
            return self.physical.get(node["Ref"]) or stub_arn(node["Ref"])  # a left-out resource: a stub
        if isinstance(node, dict) and set(node) == {"Fn::GetAtt"}:
            target = node["Fn::GetAtt"]
            lid, attr = (target.split(".", 1) if isinstance(target, str) else target)
            kind = self.resources[lid]["Type"]
            if kind == "AWS::SQS::Queue" and attr == "Arn":
                return self.queue_arn(lid)
            if kind == "AWS::SQS::Queue" and attr == "QueueName":
                return self.physical[lid].rsplit("/", 1)[-1]
            if kind == "AWS::Lambda::Function" and attr == "Arn":
                return self.cloud.client("lambda").get_function(FunctionName=self.physical[lid])[
                    "Configuration"]["FunctionArn"]
            if lid in self.left_out or lid not in self.physical:
                return stub_arn(lid, attr)
            return f"{self.physical[lid]}:{attr}"  # only ever compared, never called
        if isinstance(node, dict) and set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
            text = node["Fn::Sub"]
            for name, value in (("AWS::StackName", self.name), ("AWS::Region", REGION),
                                ("AWS::AccountId", "123456789012"), ("AWS::Partition", "aws")):
                text = text.replace("${" + name + "}", value)
            return text
        if isinstance(node, dict):
            return {k: self.resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve(v) for v in node]
        return node

    def bus_name(self, lid: str) -> str:
        return self.resolve(self.resources[lid]["Properties"]["Name"])

    def target_of(self, node: Any) -> str | None:
        """The logical id a Ref/GetAtt points to."""
        if isinstance(node, dict) and "Ref" in node:
            return node["Ref"]
        if isinstance(node, dict) and "Fn::GetAtt" in node:
            t = node["Fn::GetAtt"]
            return t.split(".", 1)[0] if isinstance(t, str) else t[0]
        return None


def deploy(cloud: Cloud, name: str, translated: dict, parameters: dict[str, str] | None = None) -> Stack:
    template, gone, later = adapt(translated)
    params = [{"ParameterKey": k, "ParameterValue": (parameters or {}).get(k, cloud.param_value(p))}
              for k, p in template.get("Parameters", {}).items() if "Default" not in p]
    cfn = cloud.client("cloudformation")
    stack = Stack(cloud, name, translated, left_out=gone)
    from botocore.exceptions import BotoCoreError, ClientError
    try:
        cfn.create_stack(StackName=name, TemplateBody=json.dumps(template), Parameters=params,
                         Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
    except (ClientError, BotoCoreError) as exc:  # moto answers a failed create at once, with the reason
        stack.status = f"CREATE_FAILED: {exc}"
        return stack
    stack.status = cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
    pages = cfn.get_paginator("list_stack_resources").paginate(StackName=name)
    stack.physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                      for page in pages for r in page["StackResourceSummaries"]}
    _materialise(stack, later)
    awslambda = cloud.client("lambda")
    for esm in awslambda.list_event_source_mappings()["EventSourceMappings"]:
        if esm["State"] != "Disabled":
            awslambda.update_event_source_mapping(UUID=esm["UUID"], Enabled=False)
    return stack


def _materialise(stack: Stack, resources: dict[str, dict]) -> None:
    sns, sqs = stack.cloud.client("sns"), stack.cloud.client("sqs")
    for lid, r in sorted(resources.items()):
        props = r["Properties"]
        if r["Type"] == "AWS::SQS::QueuePolicy":
            doc = stack.resolve(props["PolicyDocument"])
            for q in props["Queues"]:
                sqs.set_queue_attributes(QueueUrl=stack.resolve(q), Attributes={"Policy": json.dumps(doc)})
        elif r["Type"] == "AWS::SNS::TopicPolicy":
            doc = stack.resolve(props["PolicyDocument"])
            for topic in props["Topics"]:
                sns.set_topic_attributes(TopicArn=stack.resolve(topic), AttributeName="Policy",
                                         AttributeValue=json.dumps(doc))
        elif r["Type"] == "AWS::CloudWatch::Alarm":
            alarm = stack.resolve(props)
            stack.cloud.client("cloudwatch").put_metric_alarm(AlarmName=f"{stack.name}-{lid}", **alarm)
            stack.physical[lid] = f"{stack.name}-{lid}"
        elif r["Type"] == "AWS::SNS::Subscription" and props["Protocol"] == "sqs":
            attrs = {}
            for key in ("FilterPolicyScope", "FilterPolicy", "RawMessageDelivery", "RedrivePolicy"):
                if key in props:
                    value = stack.resolve(props[key])
                    attrs[key] = json.dumps(value) if isinstance(value, dict) else str(value).lower() \
                        if isinstance(value, bool) else value
            arn = sns.subscribe(TopicArn=stack.resolve(props["TopicArn"]), Protocol="sqs",
                                Endpoint=stack.resolve(props["Endpoint"]), Attributes=attrs,
                                ReturnSubscriptionArn=True)["SubscriptionArn"]
            stack.subscriptions[lid] = arn
        # subscriptions of other protocols (lambda) are evaluated with moto's filter matcher, see Delivery


# -- driving events ------------------------------------------------------------------------


@dataclass
class Delivery:
    """Where one published event ended up: queue lid -> bodies, other targets -> matched."""

    queues: dict[str, list[str]] = field(default_factory=dict)
    targets: list[str] = field(default_factory=list)

    @property
    def reached(self) -> list[str]:
        return sorted([q for q, msgs in self.queues.items() for _ in msgs] + self.targets)


def dlqs(stack: Stack) -> set[str]:
    """Queues that something names as its dead-letter or on-failure target."""
    out: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "deadLetterTargetArn":
                    out.add(stack.target_of(value) or "")
                elif key in ("DeadLetterConfig", "OnFailure") and isinstance(value, dict):
                    out.add(stack.target_of(value.get("Arn") or value.get("TargetArn") or value.get("Destination"))
                            or "")
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(stack.resources)
    return {q for q in out if q in stack.resources and stack.resources[q]["Type"] == "AWS::SQS::Queue"}


def drain(stack: Stack) -> dict[str, list[str]]:
    sqs = stack.cloud.client("sqs")
    got: dict[str, list[str]] = {}
    for lid in stack.of_type("AWS::SQS::Queue"):
        if lid not in stack.physical:
            continue
        while True:
            msgs = sqs.receive_message(QueueUrl=stack.physical[lid], MaxNumberOfMessages=10,
                                       WaitTimeSeconds=0, AttributeNames=["All"]).get("Messages", [])
            if not msgs:
                break
            for m in msgs:
                got.setdefault(lid, []).append(m["Body"])
                sqs.delete_message(QueueUrl=stack.physical[lid], ReceiptHandle=m["ReceiptHandle"])
    return got


def event_envelope(bus: str, source: str, detail_type: str, detail: dict) -> dict:
    """The event as EventBridge hands it to a target (and, as the message body, to an SNS topic)."""
    return {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": detail_type,
            "source": source, "account": "123456789012", "time": "2026-01-02T12:45:07Z", "region": REGION,
            "resources": [], "detail": detail}


def rules_on(stack: Stack, bus_lid: str) -> dict[str, dict]:
    return {lid: r for lid, r in stack.of_type("AWS::Events::Rule").items()
            if stack.target_of(r["Properties"].get("EventBusName")) == bus_lid}


def pattern_matches(pattern: dict, event: dict, stack: Stack) -> bool:
    from moto.events.models import EventPattern
    return EventPattern.load(json.dumps(stack.resolve(pattern))).matches_event(event)


def filter_matches(props: dict, attributes: dict, message: str) -> bool:
    from moto.sns.utils import FilterPolicyMatcher
    policy = props.get("FilterPolicy")
    if not policy:
        return True
    moto_attrs = {k: {"Type": v["DataType"], "Value": v["StringValue"]} for k, v in attributes.items()}
    return FilterPolicyMatcher(policy, props.get("FilterPolicyScope")).matches(moto_attrs, message)


def topic_subscriptions(stack: Stack, topic_lid: str) -> dict[str, dict]:
    return {lid: r["Properties"] for lid, r in stack.of_type("AWS::SNS::Subscription").items()
            if stack.target_of(r["Properties"]["TopicArn"]) == topic_lid}


def publish_to_topic(stack: Stack, topic_lid: str, message: str, attributes: dict, group: str | None = None,
                     delivery: Delivery | None = None) -> Delivery:
    """Publish as an SNS producer does; moto delivers to SQS subscriptions, the others are matched."""
    delivery = delivery or Delivery()
    kw: dict[str, Any] = {"TopicArn": stack.physical[topic_lid], "Message": message}
    if attributes:
        kw["MessageAttributes"] = attributes
    if group is not None:
        kw["MessageGroupId"] = group
    stack.cloud.client("sns").publish(**kw)
    for lid, props in topic_subscriptions(stack, topic_lid).items():
        if props["Protocol"] != "sqs" and filter_matches(props, attributes, message):
            delivery.targets.append(lid)
    return delivery


def put_event(stack: Stack, bus_lid: str, source: str, detail_type: str, detail: dict) -> Delivery:
    """PutEvents on the bus; moto delivers to SQS targets, the other targets are matched with moto's
    pattern matcher, and an SNS target gets the event envelope as its message body, as EventBridge does."""
    delivery = Delivery()
    stack.cloud.client("events").put_events(Entries=[{
        "EventBusName": stack.bus_name(bus_lid), "Source": source, "DetailType": detail_type,
        "Detail": json.dumps(detail)}])
    event = event_envelope(stack.bus_name(bus_lid), source, detail_type, detail)
    for lid, rule in rules_on(stack, bus_lid).items():
        if not pattern_matches(rule["Properties"]["EventPattern"], event, stack):
            continue
        for target in rule["Properties"]["Targets"]:
            to = stack.target_of(target["Arn"])
            kind = stack.resources[to]["Type"] if to in stack.resources else "?"
            if kind == "AWS::SQS::Queue":
                continue  # moto delivered it
            if kind == "AWS::SNS::Topic":
                publish_to_topic(stack, to, json.dumps(event), {}, delivery=delivery)
            else:
                delivery.targets.append(f"{lid}/{target['Id']}")
    return delivery


# -- failure paths, checked on the translated template ------------------------------------------


def failure_path_problems(template: dict) -> list[str]:
    """Where a failure would be lost: an SQS consumer without partial batch responses (one bad message
    retries the whole batch), a work queue without a DLQ, a stream consumer without an on-failure
    destination, a rule target or an SNS subscription without a dead-letter queue."""
    resources = template["Resources"]
    stack = Stack(cloud=None, name="", template=template)  # type: ignore[arg-type]
    dead = dlqs(stack)
    problems = []
    for lid, r in sorted(resources.items()):
        props = r.get("Properties", {})
        if r["Type"] == "AWS::Lambda::EventSourceMapping":
            source = stack.target_of(props.get("EventSourceArn")) or ""
            kind = resources.get(source, {}).get("Type", "")
            if kind == "AWS::SQS::Queue" and "ReportBatchItemFailures" not in props.get("FunctionResponseTypes", []):
                problems.append(f"{lid}: SQS consumer without ReportBatchItemFailures")
            if kind in ("AWS::Kinesis::Stream", "AWS::DynamoDB::Table") and "OnFailure" not in props.get(
                    "DestinationConfig", {}):
                problems.append(f"{lid}: stream consumer without an on-failure destination")
        elif r["Type"] == "AWS::SQS::Queue" and lid not in dead and "RedrivePolicy" not in props:
            problems.append(f"{lid}: queue without a dead-letter queue")
        elif r["Type"] == "AWS::Events::Rule":
            problems += [f"{lid}/{t['Id']}: rule target without a dead-letter queue"
                         for t in props.get("Targets", []) if "DeadLetterConfig" not in t]
        elif r["Type"] == "AWS::SNS::Subscription" and "RedrivePolicy" not in props:
            problems.append(f"{lid}: subscription without a dead-letter queue")
    return problems


def poison_reaches_dlq(stack: Stack, queue: str, attempts: int = 5) -> bool:
    """Receive a message without deleting it (a consumer that keeps failing) as often as the queue's
    maxReceiveCount allows (``attempts`` without one), then look for it in every DLQ of the stack:
    SQS (and moto) move it there only when the queue has a redrive policy."""
    props = stack.resources[queue]["Properties"]
    redrive = props.get("RedrivePolicy") or {}
    sqs = stack.cloud.client("sqs")
    url = stack.physical[queue]
    extra = {"MessageGroupId": "g", "MessageDeduplicationId": "poison"} if props.get("FifoQueue") else {}
    sqs.send_message(QueueUrl=url, MessageBody="poison", **extra)
    for _ in range(int(redrive.get("maxReceiveCount", attempts)) + 1):
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, WaitTimeSeconds=0)
    got = drain(stack)
    return any(got.get(dlq) == ["poison"] for dlq in dlqs(stack))
