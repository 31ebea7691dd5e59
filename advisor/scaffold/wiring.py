"""Per flow: turn the six decisions into connected components.

Order of work for one flow: its data store, its compute (functions or
Fargate tasks, and the state machine when orchestrated), its outcome
channel with the consumers' functions, then its entry. Flows are built
upstream first, so a ``trigger: event`` flow can attach to the channel of
its ``after`` flow.
"""
from __future__ import annotations

import json
import math
from typing import Any

from ..architecture import outcome_targets, size_function_timeout, size_workflow_timeout
from ..catalog import limit, option
from ..errors import TemplateError
from ..sizing import sizing
from . import apis, stores
from .base import KEY, App, FunctionSpec
from .cfn import GetAtt, Intrinsic, Join, Ref, Sub, stack_suffix
from .channels import (Channel, kinesis_stream, lambda_permission, pipe_from, pipe_to_state_machine, sqs_event,
                       stream_event)
from .names import pascal, snake
from .powertools import needs_idempotency
from .statemachine import build_definition

ASYNC_SOURCES = {"sns", "eventbridge", "s3", "schedule", "rest_async"}


def flow_order(workload: Any) -> list:
    """Upstream flows first (``after``), file order otherwise; a cycle is an input error."""
    by_name = {f.name: f for f in workload.flows}
    done: list = []
    state: dict[str, int] = {}

    def visit(f: Any, path: tuple) -> None:
        if state.get(f.name) == 2:
            return
        if state.get(f.name) == 1:
            raise TemplateError(f"flows trigger each other in a cycle: {' -> '.join(path + (f.name,))}")
        state[f.name] = 1
        if f.trigger == "event" and f.after in by_name:
            visit(by_name[f.after], path + (f.name,))
        state[f.name] = 2
        done.append(f)
    for f in workload.flows:
        visit(f, ())
    return done


NIGHTLY_HOUR_UTC = 2  # a calendar job runs at a fixed time; rate(1 day) drifts to whenever it was deployed


def schedule_expression(average_per_second: float, calendar: bool = False) -> str:
    """``rate(...)`` for a period; a daily or weekly job the workload calls scheduled (or nightly/daily) gets a
    ``cron(...)`` at a fixed hour instead (EventBridge Scheduler expressions:
    https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html)."""
    period = 1.0 / average_per_second if average_per_second > 0 else 86400
    minutes = max(1, round(period / 60))
    if calendar and minutes in (1440, 7 * 1440):
        return f"cron(0 {NIGHTLY_HOUR_UTC} {'* * ?' if minutes == 1440 else '? * MON'} *)"
    if minutes % 1440 == 0:
        n, unit = minutes // 1440, "day"
    elif minutes % 60 == 0:
        n, unit = minutes // 60, "hour"
    else:
        n, unit = minutes, "minute"
    return f"rate({n} {unit}{'s' if n > 1 else ''})"


class FlowBuilder:
    def __init__(self, app: App, workload: Any, flow: Any, choices: dict, channels: dict, stores_by_key: dict):
        self.app, self.workload, self.flow, self.choices = app, workload, flow, choices
        self.channels, self.stores = channels, stores_by_key
        self.base = pascal(flow.name)
        self.store: stores.Store | None = None
        self.channel: Channel | None = None
        self.sm: str | None = None
        self.express = choices["orchestrator"] == "step-functions-express"
        self.orchestrated = choices["orchestrator"] != "none"
        self.fargate = choices["compute"] == "fargate"
        self.ecs: dict[str, Any] = {}
        self.step_functions: list[FunctionSpec] = []
        self.first_publish: list = []
        self.input_stream: str | None = None  # the Kinesis stream the flow reads, when its channel shares it
        self.input_table: str | None = None  # the table whose changes it reads, when its channel shares them

    # ------------------------------------------------------------------------------

    def build(self) -> Channel | None:
        self._data_store()
        self._channel()
        if self.fargate:
            self._fargate()
        if self.orchestrated:
            self._state_machine()
        else:
            self._choreography_tail()
        self._entry()
        return self.channel

    @property
    def step_timeout(self) -> int:
        return size_function_timeout(self.flow.longest_step)

    def note(self, text: str) -> None:
        self.app.note(self.flow.name, text)

    # -- data ------------------------------------------------------------------------

    def _data_store(self) -> None:
        kind = self.choices["data_store"]
        if kind == "none":
            return
        key = (self.flow.context, kind)
        if key not in self.stores:
            self.stores[key] = stores.make_store(self.app, kind, pascal(self.flow.context))
        self.store = self.stores[key]

    def grant(self, fn: FunctionSpec) -> None:
        if self.store:
            self.store.grant(self.app, fn)

    # -- channel -----------------------------------------------------------------------

    def subscribers(self) -> list[str]:
        """Who receives the outcome, each once (architecture.outcome_targets): a consumer context that a
        downstream flow stands for is that flow, not a second function."""
        downstream = [f for f in self.workload.flows if f.trigger == "event" and f.after == self.flow.name]
        targets = outcome_targets(self.flow, downstream)
        return ([t.name for t in targets if t.kind == "consumer"] + [t.name for t in targets if t.kind == "flow"])

    def _channel(self) -> None:
        kind = self.choices["channel"]
        if kind == "none":
            if self.flow.consumers or self.flow.fan_out:
                self.note("channel `none`: the consumers listed get no events from this scaffold.")
            return
        table = self.store.resource if self.store and self.store.kind == "dynamodb" else None
        self.channel = Channel(self.app, self.flow, kind, self.workload.name)
        self._share_read_stream(kind)
        subscribers = self.subscribers()
        self.channel.build(subscribers, table)
        consumers = [s for s in subscribers if s not in
                     {f.name for f in self.workload.flows if f.after == self.flow.name}]
        for consumer in consumers:
            def make(source: str, consumer: str = consumer) -> FunctionSpec:
                return self.function(f"{self.flow.name}-{consumer}", f"{consumer} reacts to {self.flow.name}",
                                     source, node=f"{self.flow.name}/consumer:{consumer}")
            self.channel.attach(consumer, make, prefer_queue=False)
        if self.flow.external_targets and not self.channel.bus:
            self.note("external targets are only wired for EventBridge channels (API destinations);"
                      f" with `{kind}` they are left to you.")

    def _share_read_stream(self, kind: str) -> None:
        """A flow that reads a stream (its own input, or its upstream's channel) and publishes on the same kind
        of stream lets its consumers read that stream (architecture model): no second stream or table."""
        upstream = self.channels.get(self.flow.after) if self.flow.trigger == "event" else None
        if kind == "kinesis":
            if self.flow.trigger == "stream":
                self.input_stream = kinesis_stream(self.app, self.base + "Input", f"{self.flow.name}/source:stream",
                                                   replay=self.flow.needs.replay)
            elif upstream is not None and upstream.kind == "kinesis":
                self.input_stream = upstream.stream
            self.channel.stream = self.input_stream
        elif kind == "dynamodb-streams":
            if self.flow.trigger == "change-data":
                self.input_table = stores.table(self.app, self.base + "Source", stream=True)
            elif upstream is not None and upstream.kind == "dynamodb-streams":
                self.input_table = upstream.table
            self.channel.table = self.input_table

    # -- functions -----------------------------------------------------------------------

    def function(self, name: str, title: str, source: str, *, action: str = "work", timeout: float | None = None,
                 publish: list | None = None, node: str | None = None) -> FunctionSpec:
        """A function of the flow; one the architecture model has (``node``) is sized by it."""
        app = self.app
        sync_api = source in ("http", "appsync", "websocket")
        seconds = timeout if timeout is not None else self.step_timeout
        if sync_api:
            seconds = min(seconds, int(limit("apigw_rest_timeout")))
        fn = app.function(name, self.flow.name, title, source, action=action, timeout=seconds, node=node,
                          async_dlq=source in ASYNC_SOURCES, sync=source not in ASYNC_SOURCES)
        app.add_policy(fn.logical_id, app.kms_statement())
        if publish:
            fn.publish = publish[0].kind
            app.add_env(fn.logical_id, OUTCOME_KIND=publish[0].kind,
                        OUTCOME_TARGETS=Join(",", [p.env() for p in publish]) if len(publish) > 1
                        else publish[0].env(),
                        OUTCOME_SOURCE=self.workload.name, OUTCOME_DETAIL_TYPE=f"{self.flow.name}.completed")
            app.add_policy(fn.logical_id, *[p.policy() for p in publish])
        return fn

    # -- compute: Fargate ------------------------------------------------------------------

    def _fargate(self) -> None:
        app, base = self.app, self.base
        vpc = stores.vpc_params(app)
        image = app.param(app.new_id(base, "ImageUri"), "String",
                          f"Container image (ECR URI) with the code of {self.flow.name}'s steps")
        cluster = app.add(app.new_id(base, "Cluster"), "AWS::ECS::Cluster", {
            "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]})
        lg = app.log_group(app.new_id(base, "TaskLogs"), Sub(f"/ecs/${{AWS::StackName}}-{self.flow.name}"))
        exec_role = app.add(app.new_id(base, "TaskExecutionRole"), "AWS::IAM::Role", {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "ManagedPolicyArns": [Sub("arn:${AWS::Partition}:iam::aws:policy/service-role/"
                                      "AmazonECSTaskExecutionRolePolicy")]})
        statements = [{"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                       "Resource": GetAtt(KEY, "Arn")}]
        if self.store:
            statements += self.store.statements()
        if self.channel and not self.orchestrated:
            statements += [p.statement() for p in self.channel.publish]
        task_role = app.service_role(base + "Task", "ecs-tasks.amazonaws.com", statements)
        steps = self.flow.steps if self.orchestrated else (self.flow.name,)
        if self.orchestrated:  # steps that state their needs: only those beyond Lambda become tasks
            from ..facts import task_steps
            steps = task_steps(self.flow) or steps
        tasks = {}
        for step in steps:
            directory = app.dirs.claim(snake(f"{self.flow.name}-{step}"), sep="_")
            env = [{"Name": "STEP", "Value": step}]
            if self.store:
                env += [{"Name": k, "Value": v} for k, v in sorted(self.store.env.items())]
            if self.channel and not self.orchestrated:
                p = self.channel.publish
                env += [{"Name": "OUTCOME_KIND", "Value": p[0].kind},
                        {"Name": "OUTCOME_TARGETS", "Value": Join(",", [x.env() for x in p])},
                        {"Name": "OUTCOME_SOURCE", "Value": self.workload.name},
                        {"Name": "OUTCOME_DETAIL_TYPE", "Value": f"{self.flow.name}.completed"}]
            td = app.add(app.new_id(base, step, "TaskDefinition"), "AWS::ECS::TaskDefinition", {
                "RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc",
                "Cpu": str(sizing().fargate_cpu_units), "Memory": str(sizing().fargate_memory_mb),
                "RuntimePlatform": {"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
                "ExecutionRoleArn": GetAtt(exec_role, "Arn"), "TaskRoleArn": GetAtt(task_role, "Arn"),
                "ContainerDefinitions": [{
                    "Name": "app", "Image": Ref(image), "Essential": True, "ReadonlyRootFilesystem": True,
                    "Command": ["python", f"src/{directory}/app.py"], "Environment": env,
                    "LogConfiguration": {"LogDriver": "awslogs", "Options": {
                        "awslogs-group": Ref(lg), "awslogs-region": Ref("AWS::Region"),
                        "awslogs-stream-prefix": snake(step)}}}]})
            tasks[step] = td
            app.functions.append(FunctionSpec(td, directory, self.flow.name, f"{self.flow.name}: {step} (Fargate task)",
                                              "ecs_task", publish=(self.channel.publish[0].kind if self.channel
                                                                   and not self.orchestrated else None),
                                              timeout=int(self.flow.longest_step)))
        self.ecs = {"cluster": cluster, "tasks": tasks, "vpc": vpc, "roles": [exec_role, task_role]}

    def ecs_statements(self) -> list[dict]:
        return [
            {"Effect": "Allow", "Action": "ecs:RunTask", "Resource": [Ref(t) for t in self.ecs["tasks"].values()]},
            {"Effect": "Allow", "Action": ["ecs:StopTask", "ecs:DescribeTasks"], "Resource": "*",
             "Condition": {"ArnEquals": {"ecs:cluster": GetAtt(self.ecs["cluster"], "Arn")}}},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": [GetAtt(r, "Arn") for r in self.ecs["roles"]]}]

    # -- compute: orchestrated -------------------------------------------------------------

    def _state_machine(self) -> None:
        app, flow = self.app, self.flow
        subs: dict[str, Any] = {}
        policies: list = []
        steps = []
        for step in flow.steps:
            if self.fargate and step in self.ecs["tasks"]:
                td = self.ecs["tasks"][step]
                subs[td + "Arn"] = Ref(td)
                steps.append({"name": step, "kind": "ecs", "ref": td + "Arn"})
            else:
                fn = self.function(f"{flow.name}-{step}", f"{flow.name}: {step}", "sfn_task",
                                   node=f"{flow.name}/step:{step}")
                self.grant(fn)
                subs[fn.logical_id + "Arn"] = GetAtt(fn.logical_id, "Arn")
                policies.append({"LambdaInvokePolicy": {"FunctionName": Ref(fn.logical_id)}})
                steps.append({"name": step, "kind": "lambda", "ref": fn.logical_id + "Arn"})
        if self.fargate:
            subs["ClusterArn"] = GetAtt(self.ecs["cluster"], "Arn")
            subs["Subnets"] = Join(",", Ref(stores.VPC_SUBNETS))
            subs["SecurityGroup"] = Ref(stores.VPC_SG)
            policies.append({"Statement": self.ecs_statements() + ([] if self.express else [{
                "Effect": "Allow", "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
                "Resource": Sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/"
                                "StepFunctionsGetEventsForECSTaskRule")}])})
        compensations = {}
        if flow.needs.compensation:
            # the last step is undone too when the outcome publish after it can still fail
            for step in (flow.steps if self.channel else flow.steps[:-1]):
                fn = self.function(f"{flow.name}-undo-{step}", f"{flow.name}: undo {step} (compensation)",
                                   "sfn_task", node=f"{flow.name}/undo:{step}")
                self.grant(fn)
                subs[fn.logical_id + "Arn"] = GetAtt(fn.logical_id, "Arn")
                policies.append({"LambdaInvokePolicy": {"FunctionName": Ref(fn.logical_id)}})
                compensations[step] = fn.logical_id + "Arn"
        approval = None
        if flow.needs.human_approval:
            if self.express:
                self.note("human approval needs a Standard workflow (callbacks with .waitForTaskToken are"
                          " Standard only); with Express it is left out.")
            else:
                approval = self._approval(subs, policies)
        publish = []
        if self.channel:
            for p in self.channel.publish:
                key = p.resource + ("Arn" if p.kind in ("sns", "events", "kinesis") else
                                    "Url" if p.kind == "sqs" else "Name")
                subs[key] = {"sns": Ref, "sqs": Ref, "events": lambda r: GetAtt(r, "Name"),
                             "kinesis": Ref, "dynamodb": Ref}[p.kind](p.resource)
                publish.append({"kind": p.kind, "ref": key, "fifo": p.fifo})
                policies.append(p.policy())
            subs["EventSource"] = self.workload.name
            subs["DetailType"] = f"{flow.name}.completed"
        if self.fargate and self.express:
            self.note("Express workflows cannot wait for an ECS task (.sync); the tasks are started and not"
                      " awaited. Prefer Standard for Fargate steps.")
        definition = build_definition(
            steps=steps, express=self.express, compensations=compensations, approval=approval,
            publish=publish, timeout=self._flow_timeout() if flow.needs.timeouts else None,
            step_timeout=int(max(60, math.ceil(flow.longest_step * 2))),
            approval_timeout=int(min(limit("standard_duration"), max(3600, math.ceil(flow.duration * 2)))))
        path = f"statemachine/{snake(flow.name)}.asl.json"
        if path in app.files:
            path = f"statemachine/{snake(flow.name)}_{len(app.files)}.asl.json"
        app.files[path] = (json.dumps(definition, indent=2, sort_keys=True) + "\n").encode()
        self.sm = app.state_machine(self.base, self.express, path, subs, policies)
        app.output(self.sm + "Arn", Ref(self.sm), f"State machine of {flow.name}")

    def _approval(self, subs: dict, policies: list) -> str:
        """The way back of a human approval: the workflow publishes its task token to a topic the approvers
        subscribe to, and waits; the approvers' client POSTs the token to /approve or /reject of an IAM-authorised
        API that calls SendTaskSuccess / SendTaskFailure. Returns the substitution naming the topic."""
        app, flow = self.app, self.flow
        topic = app.add(app.new_id(self.base, "ApprovalTopic"), "AWS::SNS::Topic", {"KmsMasterKeyId": Ref(KEY)},
                        Metadata={"advisor": {"node": f"{flow.name}/approval-topic"}})
        app.output(topic + "Arn", Ref(topic), f"Subscribe the people who approve {flow.name} (e.g. by e-mail)")
        api = apis.approval_api(app, self.base, flow)
        subs["ApprovalTopicArn"] = Ref(topic)
        subs["ApprovalApiUrl"] = Sub(f"https://${{{api}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/v1")
        policies.append({"SNSPublishMessagePolicy": {"TopicName": GetAtt(topic, "TopicName")}})
        return "ApprovalTopicArn"

    def _flow_timeout(self) -> int:
        return size_workflow_timeout(self.flow.duration, self.express)

    # -- compute: choreography -------------------------------------------------------------

    def _choreography_tail(self) -> None:
        """Steps 2..n of an un-orchestrated Lambda flow, each behind its own queue."""
        if self.fargate:
            return
        outcome = self.channel.publish if self.channel else []
        steps = list(self.flow.steps)
        nxt = outcome
        for step in reversed(steps[1:]):
            fn = self.function(f"{self.flow.name}-{step}", f"{self.flow.name}: {step}", "sqs", publish=nxt,
                               node=f"{self.flow.name}/step:{step}")
            self.grant(fn)
            q, _ = self.app.queue(self.base + pascal(step) + "Input")
            sqs_event(self.app, fn, q)
            from .channels import Publish
            nxt = [Publish("sqs", q)]
        self.first_publish = nxt

    def entry_function(self, source: str, title: str | None = None) -> FunctionSpec:
        """The function an entry delivers to: the first step, or a starter for a state machine
        or a Fargate task."""
        flow = self.flow
        if self.orchestrated:
            fn = self.function(f"{flow.name}-start", title or f"{flow.name}: start the workflow", source,
                               action="start_execution", timeout=10, node=f"{flow.name}/start")
            sync = self.express and source in ("http", "appsync", "websocket")
            self.app.add_env(fn.logical_id, STATE_MACHINE_ARN=Ref(self.sm), SYNC="true" if sync else "false")
            if not self.express and needs_idempotency(source):  # an at-least-once source (powertools.py)
                # a Standard execution name is unique for 90 days: named after the message, a redelivery
                # cannot start the workflow twice (StartExecution is idempotent for the same name and input)
                self.app.add_env(fn.logical_id, EXECUTION_NAME_FROM="message-id")
            self.app.add_policy(fn.logical_id, {"StepFunctionsExecutionPolicy": {
                "StateMachineName": GetAtt(self.sm, "Name")}})
            if sync:
                self.app.add_policy(fn.logical_id, {"Statement": [{
                    "Effect": "Allow", "Action": "states:StartSyncExecution", "Resource": Ref(self.sm)}]})
            return fn
        if self.fargate:
            fn = self.function(f"{flow.name}-launch", title or f"{flow.name}: run the Fargate task", source,
                               action="run_task", timeout=10, node=f"{flow.name}/start")
            td = next(iter(self.ecs["tasks"].values()))
            self.app.add_env(fn.logical_id, CLUSTER_ARN=GetAtt(self.ecs["cluster"], "Arn"),
                             TASK_DEFINITION_ARN=Ref(td), SUBNETS=Join(",", Ref(stores.VPC_SUBNETS)),
                             SECURITY_GROUP=Ref(stores.VPC_SG))
            self.app.add_policy(fn.logical_id, {"Statement": self.ecs_statements()})
            return fn
        first = flow.steps[0]
        fn = self.function(f"{flow.name}-{first}", title or f"{flow.name}: {first}", source,
                           publish=self.first_publish, node=f"{flow.name}/step:{first}")
        self.grant(fn)
        return fn

    # -- entry -------------------------------------------------------------------------------

    def _entry(self) -> None:
        entry = self.choices["entry"]
        flow = self.flow
        if flow.trigger == "event":
            return self._event_entry(entry)
        handler = getattr(self, "_entry_" + entry.replace("-", "_"), None)
        if handler is None:
            raise TemplateError(f"flow {flow.name}: unknown entry {entry!r}")
        handler()

    def _event_entry(self, entry: str) -> None:
        if self.flow.source_event:  # an AWS service's event: a rule on the default bus matches it (A119)
            source, _, detail_type = (part.strip() for part in self.flow.source_event.partition(":"))
            return self._own_bus_rule({"source": [source], **({"detail-type": [detail_type]} if detail_type else {})})
        upstream = self.channels.get(self.flow.after)
        if upstream is None:
            raise TemplateError(f"flow {self.flow.name} runs after {self.flow.after}, which has no outcome channel;"
                                " nothing can deliver its events")
        channel = option("channel", upstream.kind)  # the entry a flow after it gets (decisions.yaml), or a queue
        expected = {channel["downstream_entry"]} | ({"sqs-poll"} if channel["delivery"] == "event" else set())
        if entry not in expected:
            self.note(f"entry `{entry}` does not match the `{upstream.kind}` channel of {self.flow.after};"
                      f" wired as {sorted(expected)[0]} instead.")
            entry = sorted(expected)[0]
        sm_target = None
        if self.orchestrated:
            def sm_target() -> tuple[str, str]:
                """The workflow: a rule on the bus starts it (with a role), a pipe from a queue or stream does."""
                if upstream.kind != "eventbridge" or entry != "eventbridge-rule":
                    return self.sm, ""
                role = self.app.service_role(self.base + "EventsStart", "events.amazonaws.com", [{
                    "Effect": "Allow", "Action": "states:StartExecution", "Resource": Ref(self.sm)}])
                return self.sm, role
        upstream.attach(self.flow.name, lambda source: self.entry_function(source),
                        prefer_queue=entry == "sqs-poll", sm_target=sm_target)

    def _api(self, mode: str) -> None:
        app, flow, base = self.app, self.flow, self.base
        style = flow.api or "http"
        path = "/" + flow.name
        if style == "graphql":
            fn = self.entry_function("appsync")
            apis.appsync(app, base, flow, fn.logical_id)
            if mode != "sync":
                self.note(f"GraphQL APIs answer in the request; `api-{mode}` is served by the resolver function.")
            return
        if style == "websocket":
            fn = self.entry_function("websocket")
            apis.websocket(app, base, flow, fn.logical_id)
            return
        if mode == "queue":
            q, _ = app.queue(base + "Requests")
            apis.rest_api(app, base, flow, path, apis.sqs_send(q), role_statements=[
                {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": GetAtt(q, "Arn")},
                {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": GetAtt(KEY, "Arn")}])
            if self.orchestrated:  # a queue cannot start a workflow: a pipe reads it and does (integrations.yaml)
                pipe_to_state_machine(app, base + "Requests", "sqs", GetAtt(q, "Arn"), self.sm)
            else:
                sqs_event(app, self.entry_function("sqs"), q)
            if style == "http":
                self.note("storage-first entry: API Gateway REST API writes straight to SQS (HTTP APIs can too,"
                          " but REST gives request validation and usage plans).")
            return
        if self.orchestrated:
            sync = mode == "sync" and self.express
            if mode == "sync" and not self.express:
                self.note("Standard workflows have no synchronous start; the API returns the execution ARN.")
            action = "states:StartSyncExecution" if sync else "states:StartExecution"
            apis.rest_api(app, base, flow, path, apis.sfn_start(self.sm, sync), role_statements=[
                {"Effect": "Allow", "Action": action, "Resource": Ref(self.sm)}])
            return
        if mode == "sync":
            fn = self.entry_function("http")
            if style == "http" and (flow.auth or "none") != "api-key":
                apis.http_api(app, base, flow, fn.logical_id, path)
            else:
                if style == "http":
                    self.note("HTTP APIs have no API keys; this flow uses a REST API with a usage plan.")
                apis.rest_api(app, base, flow, path, apis.lambda_proxy(fn.logical_id), invoke_function=fn.logical_id)
            return
        fn = self.entry_function("rest_async")
        apis.rest_api(app, base, flow, path, apis.lambda_async(fn.logical_id), invoke_function=fn.logical_id)

    def _entry_api_sync(self) -> None:
        self._api("sync")

    def _entry_api_async(self) -> None:
        self._api("async")

    def _entry_api_queue(self) -> None:
        self._api("queue")

    def _entry_schedule(self) -> None:
        app = self.app
        dlq = app.dlq(self.base + "Schedule", why=f"schedule runs of {self.flow.name} that could not start")
        target = Ref(self.sm) if self.orchestrated else None
        if target is None:
            fn = self.entry_function("schedule")
            target_id, action, arn = fn.logical_id, "lambda:InvokeFunction", GetAtt(fn.logical_id, "Arn")
        else:
            target_id, action, arn = self.sm, "states:StartExecution", Ref(self.sm)
        role = app.service_role(self.base + "Scheduler", "scheduler.amazonaws.com", [
            {"Effect": "Allow", "Action": action, "Resource": arn},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": GetAtt(dlq, "Arn")},
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": GetAtt(KEY, "Arn")}])
        expression = schedule_expression(self.flow.traffic.average, calendar=self._calendar())
        if expression.startswith("cron"):
            self.note(f"the run is a cron at {NIGHTLY_HOUR_UTC:02d}:00 UTC (a rate would drift to the deploy time);"
                      " change the hour to suit.")
        event = {"Type": "ScheduleV2", "Properties": {
            # SAM names the schedule after its logical id, which collides in a second stack of the app
            "Name": Sub(f"{self.flow.name[:50]}-${{Suffix}}", {"Suffix": stack_suffix()}),
            "ScheduleExpression": expression,
            "FlexibleTimeWindow": {"Mode": "OFF"}, "RoleArn": GetAtt(role, "Arn"),
            "DeadLetterConfig": {"Arn": GetAtt(dlq, "Arn")},
            "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}}}
        if self.orchestrated:
            app.props(self.sm).setdefault("Events", {})["Schedule"] = event
        else:
            app.add_event(target_id, "Schedule", event)

    def _calendar(self) -> bool:
        words = f"{self.flow.name} {self.flow.description or ''}".lower()
        return self.flow.traffic.pattern == "scheduled" or any(w in words for w in ("nightly", "daily", "weekly"))

    def _entry_s3_event(self) -> None:
        if self.orchestrated:  # S3 cannot start a workflow: its events go to EventBridge, whose rule does
            return self._entry_eventbridge_rule()
        # The function's policy names the bucket by a name, not by !Ref: that breaks the cycle role -> bucket
        # -> notification -> permission -> function. The name carries the stack's unique suffix, so two stacks
        # of the app (dev, prod) and a redeploy after a delete (the bucket is retained) never collide.
        name = Sub(f"${{AWS::AccountId}}-{snake(self.flow.name).replace('_', '-')[:24]}-uploads-${{Suffix}}",
                   {"Suffix": stack_suffix()})
        bucket = stores.bucket(self.app, self.base + "Uploads", name=name)
        self.app.output(bucket + "Name", Ref(bucket), f"Upload files here to start {self.flow.name}")
        fn = self.entry_function("s3")
        self.app.add_event(fn.logical_id, "Upload", {"Type": "S3", "Properties": {
            "Bucket": Ref(bucket), "Events": "s3:ObjectCreated:*"}})
        self.app.add_policy(fn.logical_id, {"S3ReadPolicy": {"BucketName": name}})

    def _own_bus_rule(self, pattern: dict) -> None:
        """eventbridge-rule without an upstream flow: a rule on the default bus."""
        app = self.app
        fake = Channel(app, self.flow, "eventbridge", self.workload.name)
        fake.bus = "__default__"
        dlq = fake.rule_dlq()
        rid = app.new_id(self.base, "TriggerRule")
        if self.orchestrated:
            role = app.service_role(self.base + "EventsStart", "events.amazonaws.com", [{
                "Effect": "Allow", "Action": "states:StartExecution", "Resource": Ref(self.sm)}])
            target = {"Id": "workflow", "Arn": Ref(self.sm), "RoleArn": GetAtt(role, "Arn")}
        else:
            fn = self.entry_function("eventbridge")
            target = {"Id": "function", "Arn": GetAtt(fn.logical_id, "Arn")}
            lambda_permission(app, fn.logical_id, "events.amazonaws.com", GetAtt(rid, "Arn"))
        app.add(rid, "AWS::Events::Rule", {"State": "ENABLED", "EventPattern": pattern, "Targets": [{
            **target, "DeadLetterConfig": {"Arn": GetAtt(dlq, "Arn")},
            "RetryPolicy": {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 3600}}]})
        app.allow_queue(dlq, "events.amazonaws.com", [GetAtt(rid, "Arn")])

    def _entry_eventbridge_rule(self) -> None:
        if self.flow.trigger == "upload":
            bucket = stores.bucket(self.app, self.base + "Uploads", eventbridge=True)
            self.app.output(bucket + "Name", Ref(bucket), f"Upload files here to start {self.flow.name}")
            self._own_bus_rule({"source": ["aws.s3"], "detail-type": ["Object Created"],
                                "detail": {"bucket": {"name": [Ref(bucket)]}}})
        else:
            self._own_bus_rule({"source": [self.workload.name], "detail-type": [f"{self.flow.name}.requested"]})

    def _entry_sqs_poll(self) -> None:
        q, _ = self.app.queue(self.base + "Input", fifo=self.flow.needs.ordering)
        self.app.output(q + "Url", Ref(q), f"Send messages here to start {self.flow.name}")
        if self.orchestrated:
            pipe_to_state_machine(self.app, self.base, "sqs", GetAtt(q, "Arn"), self.sm)
            return
        fn = self.entry_function("sqs")
        sqs_event(self.app, fn, q)

    def _entry_sns_subscription(self) -> None:
        own = Channel(self.app, self.flow, "sns", self.workload.name)
        own.topic = own._topic()
        self.app.output(own.topic + "Arn", Ref(own.topic), f"Publish here to start {self.flow.name}")
        own.attach(self.flow.name, lambda source: self.entry_function(source), prefer_queue=False)

    def _entry_kinesis_poll(self) -> None:
        stream = self.input_stream or kinesis_stream(self.app, self.base + "Input", f"{self.flow.name}/source:stream",
                                                     replay=self.flow.needs.replay)
        self.app.output(stream + "Name", Ref(stream), f"Put records here to start {self.flow.name}")
        if self.orchestrated:
            pipe_to_state_machine(self.app, self.base, "kinesis", GetAtt(stream, "Arn"), self.sm)
            return
        fn = self.entry_function("kinesis")
        stream_event(self.app, fn, "Kinesis", GetAtt(stream, "Arn"), self.base + "Input")

    def _entry_dynamodb_stream_poll(self) -> None:
        if self.store and self.store.kind == "dynamodb" and not (self.channel and self.channel.table):
            self.note("the flow reacts to changes of its own table; make sure it does not write back"
                      " what it reads, or it triggers itself.")
        table = self.input_table or stores.table(self.app, self.base + "Source", stream=True)
        self.app.output(table + "Name", Ref(table), f"Changes to this table start {self.flow.name}")
        if self.orchestrated:
            pipe_to_state_machine(self.app, self.base, "dynamodb", GetAtt(table, "StreamArn"), self.sm)
            return
        fn = self.entry_function("dynamodb")
        stream_event(self.app, fn, "DynamoDB", GetAtt(table, "StreamArn"), self.base + "Source")

    def _entry_kafka_poll(self) -> None:
        app = self.app
        topic = app.param(app.new_id(self.base, "KafkaTopic"), "String", f"Kafka topic {self.flow.name} reads",
                          default=f"{self.flow.name}-events")
        if self.orchestrated:  # Kafka cannot start a workflow: a pipe reads the topic and does (integrations.yaml)
            return self._kafka_pipe(topic)
        fn = self.entry_function("kafka")
        dlq = app.dlq(self.base + "Kafka", why="records the consumer failed on")
        app.add_policy(fn.logical_id, {"SQSSendMessagePolicy": {"QueueName": GetAtt(dlq, "QueueName")}})
        common = {"Topics": [Ref(topic)], "StartingPosition": "LATEST",
                  "BatchSize": app.model.esm(fn.node or "")[1]["batch_size"],
                  "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": GetAtt(dlq, "Arn")}}}
        if self.flow.source == "msk":
            cluster = app.param("MskClusterArn", "String", "ARN of the MSK cluster")
            app.add_event(fn.logical_id, "Kafka", {"Type": "MSK", "Properties": {"Stream": Ref(cluster), **common}})
            app.add_policy(fn.logical_id, Sub("arn:${AWS::Partition}:iam::aws:policy/service-role/"
                                              "AWSLambdaMSKExecutionRole"))
        else:
            servers = app.param("KafkaBootstrapServers", "CommaDelimitedList", "host:port of the Kafka brokers")
            secret = app.param("KafkaSecretArn", "String", "Secrets Manager secret with the SASL/SCRAM credentials")
            props = dict(common)
            props.pop("StartingPosition")
            app.add_event(fn.logical_id, "Kafka", {"Type": "SelfManagedKafka", "Properties": {
                "KafkaBootstrapServers": Ref(servers), **props, "StartingPosition": "LATEST",
                "SourceAccessConfigurations": [{"Type": "SASL_SCRAM_512_AUTH", "URI": Ref(secret)}]}})
            app.add_policy(fn.logical_id, {"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": Ref(secret)}})

    def _kafka_pipe(self, topic: str) -> None:
        """A pipe from the Kafka topic (MSK or self-managed) to the workflow, one record per execution."""
        app = self.app
        common = {"TopicName": Ref(topic), "StartingPosition": "LATEST", "BatchSize": 1}
        if self.flow.source == "msk":
            cluster = app.param("MskClusterArn", "String", "ARN of the MSK cluster")
            pipe_from(app, self.base, Ref(cluster), self.sm, {"ManagedStreamingKafkaParameters": common},
                                  [{"Effect": "Allow", "Action": ["kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers"],
                                    "Resource": Ref(cluster)}],
                                  managed=[Sub("arn:${AWS::Partition}:iam::aws:policy/service-role/"
                                               "AWSLambdaMSKExecutionRole")])  # the ENIs in the cluster's VPC
            return
        servers = app.param("KafkaBootstrapServers", "CommaDelimitedList", "host:port of the Kafka brokers")
        secret = app.param("KafkaSecretArn", "String", "Secrets Manager secret with the SASL/SCRAM credentials")
        pipe_from(app, self.base, Sub("smk://${First}", {"First": Intrinsic("Select", [0, Ref(servers)])}), self.sm,
                              {"SelfManagedKafkaParameters": {**common, "AdditionalBootstrapServers": Ref(servers),
                                                              "Credentials": {"SaslScram512Auth": Ref(secret)}}},
                              [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": Ref(secret)}])

    def _entry_mq_poll(self) -> None:
        app = self.app
        broker = app.param("MqBrokerArn", "String", "ARN of the Amazon MQ broker")
        secret = app.param("MqSecretArn", "String", "Secrets Manager secret with the broker's username/password")
        queue = app.param(app.new_id(self.base, "MqQueue"), "String", f"Broker queue {self.flow.name} reads",
                          default=self.flow.name)
        if self.orchestrated:  # a broker cannot start a workflow: a pipe reads its queue and does
            kind = "RabbitMQBrokerParameters" if self.flow.source == "rabbitmq" else "ActiveMQBrokerParameters"
            params = {kind: {"QueueName": Ref(queue), "Credentials": {"BasicAuth": Ref(secret)}, "BatchSize": 1,
                             **({"VirtualHost": "/"} if self.flow.source == "rabbitmq" else {})}}
            pipe_from(app, self.base, Ref(broker), self.sm, params, [
                {"Effect": "Allow", "Action": "mq:DescribeBroker", "Resource": Ref(broker)},
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": Ref(secret)}])
            return
        fn = self.entry_function("mq")
        access: list = [{"Type": "BASIC_AUTH", "URI": Ref(secret)}]
        if self.flow.source == "rabbitmq":
            access.append({"Type": "VIRTUAL_HOST", "URI": "/"})
        app.add_event(fn.logical_id, "Broker", {"Type": "MQ", "Properties": {
            "Broker": Ref(broker), "Queues": [Ref(queue)], "SourceAccessConfigurations": access,
            "BatchSize": app.model.esm(fn.node or "")[1]["batch_size"]}})
        app.add_policy(fn.logical_id, {"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": Ref(secret)}},
                       {"Statement": [{"Effect": "Allow", "Action": "mq:DescribeBroker", "Resource": Ref(broker)}]})
