"""The architecture model: the one system that is recommended, drawn, priced and built.

A typed graph of concrete resources (``Node``: id, resource type, CloudFormation type, flow, settings) and the
integrations between them (``Edge``: from, to, kind, Lambda's model, sync/async), built once for the whole
workload from its flows and the decisions the engine made for each:

- a producing flow has one outcome channel, shared by all its targets;
- a flow declared ``after:`` another attaches straight to the upstream's channel (a rule, a subscription, an
  event source mapping), never through a function that only relays;
- consumers of a stream or of a table's changes read that stream (a DynamoDB Streams channel is the stream of
  the flow's own table when it keeps one);
- a target is counted once, whether it is named as a consumer, is the context of a downstream flow, or both
  (:func:`outcome_targets`);
- every edge is an integration of advisor/data/integrations.yaml; where AWS offers no direct one the model puts
  the catalog's substitute in between (an EventBridge rule for S3 -> workflow, a pipe for queue -> workflow,
  an API destination for an external HTTP system) and says so in ``notes``;
- settings are sized from the workload's numbers (:func:`size_*`), each formula citing its AWS source.

The resource types and what they may connect to are data (catalog.node_types / catalog.integration); this
module only decides which resources a workload needs and how they are chained.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping

from . import catalog
from .model import Flow, Workload
from .sizing import sizing

API_NODE = {"http": "http-api", "rest": "rest-api", "websocket": "websocket-api", "graphql": "graphql-api"}
# Function memory, Fargate task size and each poll entry's batch size have their home in advisor/data/sizing.yaml
# (advisor.sizing): the model, the scaffold and the cost model read the same figures.


@dataclass(slots=True)
class Node:
    id: str
    type: str  # a node type of integrations.yaml
    flow: str | None  # the flow that owns it (None: shared by the system, e.g. the account's default bus)
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def cfn(self) -> str | None:
        """The CloudFormation type, None for what the template does not create."""
        if self.settings.get("existing"):
            return None
        return catalog.cfn_type(self.type)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "cfn_type": self.cfn, "flow": self.flow,
                "settings": self.settings.copy()}


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    kind: str
    model: str
    mode: str
    flow: str | None  # the flow whose path the edge is part of
    ref: str  # the AWS documentation page of the integration
    settings: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None  # why the model used a substitute

    def to_dict(self) -> dict[str, Any]:
        d = {"from": self.source, "to": self.target, "kind": self.kind, "model": self.model, "mode": self.mode,
             "flow": self.flow}  # ref: catalog.integration(types) has it; 10,000 flows need not repeat it
        if self.settings:
            d["settings"] = dict(self.settings)
        if self.note:
            d["note"] = self.note
        return d


class IntegrationError(ValueError):
    """An edge the integration catalog does not offer (a bug in the model, never the user's input)."""


@dataclass
class Architecture:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def flow_edges(self, flow: str) -> list[Edge]:
        return [e for e in self.edges if e.flow == flow]

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": [n.to_dict() for n in self.nodes.values()], "edges": [e.to_dict() for e in self.edges],
                "notes": list(self.notes)}


# -- sizing: each formula from the workload's numbers, with its AWS source -------------------------------------

@lru_cache(maxsize=4096)
def size_batch(longest_step: float, entry: str = "sqs-poll") -> int:
    """An event source mapping's batch size: the entry's size (advisor/data/sizing.yaml), fewer when a batch of
    slow records would not finish within half of Lambda's timeout.
    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html"""
    most = sizing().poll[entry].batch_size
    fits = int(catalog.limit("lambda_timeout") // max(2 * longest_step, 1))
    return max(1, min(most, fits))


@lru_cache(maxsize=4096)
def size_function_timeout(longest_step: float, batch: int = 1) -> int:
    """A function's timeout covers a full batch with room to spare (2x), within Lambda's limit.
    https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"""
    return int(min(catalog.limit("lambda_timeout"), max(3, math.ceil(2 * longest_step * batch))))


def size_sync_timeout(function_timeout: int) -> int:
    """A function behind an API that waits for it: no longer than API Gateway's integration timeout (29 s),
    after which the caller has its answer (a 504) whatever the function does.
    https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html"""
    return int(min(function_timeout, catalog.limit("apigw_rest_timeout")))


@lru_cache(maxsize=4096)
def size_visibility_timeout(function_timeout: int) -> int:
    """At least 6x the consumer's timeout, within SQS's maximum.
    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"""
    return int(min(catalog.limit("sqs_visibility_max"),
                   max(30, catalog.limit("sqs_visibility_per_timeout") * function_timeout)))


@lru_cache(maxsize=4096)
def size_concurrency(peak: float, seconds_per_event: float, downstream_limit: float | None = None) -> int:
    """Concurrent executions needed at peak (Little's law: rate x time), capped so a protected downstream gets no
    more than its limit. https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html"""
    need = max(1, math.ceil(peak * seconds_per_event))
    if downstream_limit:
        need = min(need, max(1, math.ceil(downstream_limit * seconds_per_event)))
    return need


@lru_cache(maxsize=4096)
def size_esm_concurrency(peak: float, seconds_per_event: float, downstream_limit: float | None = None) -> int:
    """An SQS event source mapping's MaximumConcurrency, within the range AWS allows.
    https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html"""
    return int(min(catalog.limit("sqs_esm_max_concurrency"),
                   max(catalog.limit("sqs_esm_min_concurrency"),
                       size_concurrency(peak, seconds_per_event, downstream_limit))))


def size_shards(peak: float, message_size: int, readers: int = 1) -> int:
    """Provisioned Kinesis shards for the peak: 1 MB/s and 1,000 records/s written per shard, 2 MB/s read per
    shard shared by its (standard, not enhanced fan-out) readers.
    https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html"""
    return max(1, math.ceil(peak / catalog.limit("kinesis_shard_records_in")),
               math.ceil(peak * message_size / catalog.limit("kinesis_shard_bytes_in")),
               math.ceil(peak * message_size * readers / catalog.limit("kinesis_shard_bytes_out")))


def size_destination_rate(downstream_limit: float | None) -> int:
    """An API destination's invocation rate: the downstream's limit, within EventBridge's maximum.
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html"""
    most = catalog.limit("api_destination_rate")
    return int(max(1, min(most, downstream_limit or most)))


def size_workflow_timeout(duration: float, express: bool) -> int:
    """A workflow's TimeoutSeconds: twice the flow's duration, within the workflow type's limit.
    https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html"""
    most = catalog.limit("express_duration" if express else "standard_duration")
    return int(min(most, max(60, math.ceil(duration * 2))))


# -- targets: who receives a flow's outcome, each once ---------------------------------------------------------

@dataclass(frozen=True)
class Target:
    kind: str  # consumer | flow | external
    name: str


def outcome_targets(flow: Flow, downstream: Iterable[Flow]) -> list[Target]:
    """Everything a flow's outcome must reach, each once: the flows started by it, the consumer contexts that
    no such flow already stands for, and the external targets."""
    flows = list(downstream)
    covered = {f.context for f in flows}
    out = [Target("flow", f.name) for f in flows]
    out += [Target("consumer", c) for c in flow.consumer_names if c not in covered]
    out += [Target("external", t) for t in flow.external_targets]
    return out


# -- building ----------------------------------------------------------------------------------------------------

class _Builder:
    def __init__(self, workload: Workload, choices: Mapping[str, Mapping[str, str]]):
        self.workload = workload
        self.choices = choices
        self.arch = Architecture()
        self.flows = {f.name: f for f in workload.flows}
        self.downstream: dict[str, list[Flow]] = {}
        for f in workload.flows:
            if f.after in self.flows:
                self.downstream.setdefault(f.after, []).append(f)
        self.first: dict[str, str] = {}  # flow -> the node its trigger (or upstream channel) delivers to
        self.lasts: dict[str, str] = {}  # flow -> the node that publishes its outcome
        self._function_settings: dict[tuple[str, int], dict[str, Any]] = {}
        self.source: dict[str, str] = {}  # flow -> the stream, queue, ... its trigger (or upstream) delivers on
        self.phase = 0  # 0 entry, 1 work, 2 outcome: a flow's hops read from its trigger to its targets
        self._order: list[tuple[int, int]] = []  # (phase, position) of each edge, to sort them at the end

    # nodes and edges
    def node(self, node_id: str, type_: str, flow: str | None, **settings: Any) -> str:
        if node_id not in self.arch.nodes:
            self.arch.nodes[node_id] = Node(node_id, type_, flow, settings)
        return node_id

    def connect(self, source: str, target: str, flow: str | None, *, mode: str | None = None,
                settings: Mapping[str, Any] | None = None) -> None:
        """An edge from ``source`` to ``target``: the catalog's integration, or its substitute in between."""
        s, t = self.arch.nodes[source], self.arch.nodes[target]
        found = catalog.integration(s.type, t.type, mode=mode)
        if found is None:
            sub = catalog.substitute(s.type, t.type)
            if sub is None:
                raise IntegrationError(f"{s.type} -> {t.type} ({source} -> {target}) is not in integrations.yaml")
            via, why = sub
            if via == "bus":  # S3 sends to the account's default bus once EventBridge notifications are on
                mid = self.node("default-bus", "bus", None, existing=True, name="default")
            else:
                owner = t.flow or flow
                role = target.split("/", 1)[-1].split(":")[-1]  # one per target: a pipe or destination has one
                mid = self.node(f"{owner}/{via}:{role}", via, owner, **self._via_settings(via, t))
            self.arch.notes.append(f"{source} -> {target}: {why}.")
            self.connect(source, mid, flow, settings=settings)
            self.connect(mid, target, flow, mode=mode)
            return
        self.arch.edges.append(Edge(source, target, found.kind, found.model, found.mode, flow, found.ref,
                                    dict(settings or {})))
        self._order.append((self.phase, len(self._order)))

    def _via_settings(self, via: str, target: Node) -> dict[str, Any]:
        if via == "api-destination":
            flow = self.flows.get(target.flow or "")
            return {"invocation_rate_per_second": size_destination_rate(flow.downstream_limit if flow else None)}
        if via == "queue":
            return {"visibility_timeout": size_visibility_timeout(60)}
        return {}

    # one flow
    def build(self) -> Architecture:
        from .graph import EventGraph

        order = EventGraph(self.workload).decision_order()
        for name in order:
            self.flow(self.flows[name])
        for name in order:  # upstream first: a flow's outcome may share the stream its upstream delivers on
            self.outcome(self.flows[name])
        self.idempotency()
        index = {f.name: i for i, f in enumerate(self.workload.flows)}
        keyed = sorted(zip(self._order, self.arch.edges), key=lambda pe: (index.get(pe[1].flow, -1), pe[0]))
        self.arch.edges = [e for _, e in keyed]
        return self.arch

    def idempotency(self) -> None:
        """One table of idempotency records (Powertools), shared by every function an event may reach more than
        once: whatever an asynchronous integration delivers to (a queue, topic, bus, stream, schedule or async
        invocation) is delivered at least once.
        https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html"""
        nodes = self.arch.nodes
        if any(e.mode == "async" and nodes[e.target].type == "function" for e in self.arch.edges):
            self.node("idempotency-store", "table", None, billing="on-demand", purpose="idempotency records")

    def flow(self, f: Flow) -> None:
        c = self.choices[f.name]
        self.phase = 1
        first = self.work(f, c)
        self.first[f.name] = first
        if not f.after or f.after not in self.flows:
            self.phase = 0
            self.entry(f, c, first)

    def work(self, f: Flow, c: Mapping[str, str]) -> str:
        """The compute of a flow: its workflow and steps, or its chained functions; returns the first node."""
        n = f.name
        fargate = c["compute"] == "fargate"
        if c["orchestrator"] != "none":
            type_ = catalog.option("orchestrator", c["orchestrator"])["resources"][0]
            express = type_ == "express-workflow"
            wf = self.node(f"{n}/workflow", type_, n,
                           timeout_seconds=size_workflow_timeout(f.duration, express),
                           peak_starts_per_second=f.traffic.peak)
            from .facts import task_steps

            tasks = set(task_steps(f) or f.steps) if fargate else set()  # only steps beyond Lambda, when stated
            for step in f.steps:
                self.connect(wf, self.compute(f, step, step in tasks), n)
            if f.needs.compensation:  # a saga: each step that may need undoing has a function that undoes it
                # the last step too when the outcome is published after it: that publish can still fail
                for step in (f.steps if c["channel"] != "none" else f.steps[:-1]):
                    self.connect(wf, self.function(f, f"undo:{step}", 1), n)
            if f.needs.human_approval and not express:  # .waitForTaskToken: Standard only
                # the way back of a person: the workflow publishes its task token to a topic the approvers
                # subscribe to, and their answer comes through an IAM-authorised REST API (/approve, /reject)
                # whose Step Functions integration calls SendTaskSuccess / SendTaskFailure
                topic = self.node(f"{n}/approval-topic", "topic", n, purpose="asks the approvers")
                self.connect(wf, topic, n)
                api = self.node(f"{n}/approval-api", "rest-api", n, auth="iam", routes=["/approve", "/reject"],
                                purpose="the approvers' answer")
                self.connect(api, wf, n)
            last = wf
            first = wf
        elif fargate:  # one task runs the flow's steps; a function starts it (ECS RunTask)
            launcher = self.function(f, "start", 1, note="starts the Fargate task (ECS RunTask)")
            task = self.compute(f, n, True)
            self.connect(launcher, task, n)
            first, last = launcher, task
        else:
            first = prev = self.compute(f, f.steps[0], False)
            fn_timeout = size_function_timeout(f.longest_step, size_batch(f.longest_step))
            for step in f.steps[1:]:
                q = self.node(f"{n}/queue:{step}", "queue", n, visibility_timeout=size_visibility_timeout(fn_timeout))
                self.connect(prev, q, n)
                nxt = self.compute(f, step, False)
                self.connect(q, nxt, n, settings=self._esm_if(q, nxt, f))
                prev = nxt
            last = prev
        self.lasts[n] = last
        store = c["data_store"]
        if store != "none":
            stream = c["channel"] == "dynamodb-streams" and store == "dynamodb"
            type_ = "table-stream" if stream else catalog.option("data_store", store)["resources"][0]
            settings = {"billing": "on-demand"} if store == "dynamodb" else {}
            if type_ == "database":  # functions pool their connections through RDS Proxy; tasks hold their own
                settings["rds_proxy"] = c["compute"] == "lambda"
            if stream:
                settings["stream_view"] = "NEW_AND_OLD_IMAGES"
            sid = self.node(f"{n}/store", type_, n, **settings)
            self.connect(last, sid, n)
        return first

    def compute(self, f: Flow, step: str, fargate: bool) -> str:
        if fargate:
            return self.node(f"{f.name}/step:{step}", "task", f.name, cpu_units=sizing().fargate_cpu_units,
                             memory_mb=sizing().fargate_memory_mb,
                             peak_tasks=size_concurrency(f.traffic.peak, _step_seconds(f)))
        return self.function(f, f"step:{step}", 1)

    def function(self, f: Flow, name: str, batch: int, **extra: Any) -> str:
        key = (f.name, batch)
        settings = self._function_settings.get(key)
        if settings is None:  # the same for every function of the flow: worked out once
            settings = self._function_settings[key] = {
                "memory_mb": sizing().function_memory_mb,
                "timeout_seconds": size_function_timeout(f.longest_step, batch),
                "peak_concurrency": size_concurrency(f.traffic.peak, _step_seconds(f), f.downstream_limit)}
        return self.node(f"{f.name}/{name}", "function", f.name, **settings, **extra)

    def esm(self, f: Flow, batch: int) -> dict[str, Any]:
        return {"batch_size": batch,
                "maximum_concurrency": size_esm_concurrency(f.traffic.peak, f.longest_step, f.downstream_limit)}

    def entry(self, f: Flow, c: Mapping[str, str], first: str) -> None:
        """The trigger of a flow that no other flow starts, up to its first node."""
        n = f.name
        entry = c["entry"]
        source = catalog.option("entry", entry)["source"]
        want_mode = catalog.option("entry", entry)["mode"]
        if source == "api":
            style = f.api or "http"
            why = _rest_instead_of_http(f, entry, self.arch.nodes[first].type) if style == "http" else None
            if why:
                style = "rest"
                self.arch.notes.append(f"{n}/api: a REST API rather than an HTTP API: {why}.")
            api = self.node(entry_api(n), API_NODE[style], n, auth=f.auth or "none",
                            peak_requests_per_second=f.traffic.peak)
            if entry == "api-queue":
                q = self.node(f"{n}/requests", "queue", n,
                              visibility_timeout=size_visibility_timeout(size_function_timeout(f.longest_step)))
                self.connect(api, q, n)
                self.connect(q, first, n, settings=self._esm_if(q, first, f))
                return
            mode = want_mode
            if style in ("websocket", "graphql") and self.arch.nodes[first].type.endswith("workflow"):
                # the scaffold builds no AppSync or WebSocket service integration with Step Functions: a function
                # behind the API starts the workflow (StartSyncExecution when an Express one answers)
                start = self.function(f, "start", 1, note="starts the workflow behind the API")
                self.arch.notes.append(f"{n}/api: a function starts the workflow; the {style} API's direct"
                                       " Step Functions integration is not generated.")
                self.connect(start, first, n)
                first, mode = start, None
            elif self.arch.nodes[first].type == "standard-workflow":
                mode = "async"  # a Standard workflow cannot answer the request: StartExecution returns at once
            self.connect(api, first, n, mode=mode)
            node = self.arch.nodes[first]
            if node.type == "function" and (mode == "sync" or style in ("websocket", "graphql")):  # it waits
                self._resize(first, timeout_seconds=size_sync_timeout(node.settings["timeout_seconds"]))
            return
        if entry == "eventbridge-rule" and f.trigger in ("upload", "schedule"):
            if f.trigger == "upload":
                bucket = self.node(f"{n}/uploads", "bucket", n, eventbridge_notifications=True)
                bus = self.node("default-bus", "bus", None, existing=True, name="default")
                self.connect(bucket, bus, n)
                self.connect(bus, first, n)
                return
            source = "schedule"
        # Brokers, and the events of a flow no other flow starts, come from outside the template.
        existing = source in ("kafka-topic", "broker") or f.trigger == "event"
        settings: dict[str, Any] = {"existing": True} if existing else {}
        if source == "stream" and not existing:
            settings["shards"] = size_shards(f.traffic.peak, f.message_size)
        if source == "queue" and not existing:
            settings["visibility_timeout"] = size_visibility_timeout(
                size_function_timeout(f.longest_step, size_batch(f.longest_step)))
        if source == "table-stream":
            settings.update(billing="on-demand", stream_view="NEW_AND_OLD_IMAGES")
        if source == "bus" and existing:
            src = self.node("default-bus", "bus", None, existing=True, name="default")
        else:
            role = {"bucket": "uploads", "schedule": "schedule"}.get(source, f"source:{source}")
            src = self.node(f"{n}/{role}", source, n, **settings)
        self.source[n] = src
        self.connect(src, first, n, settings=self._esm_if(src, first, f))

    def _esm_if(self, source: str, target: str, f: Flow) -> dict[str, Any] | None:
        """Event source mapping settings when ``source`` is read by a function through one."""
        s, t = self.arch.nodes[source].type, self.arch.nodes[target].type
        found = catalog.integration(s, t)
        if found is None or found.kind != "esm":
            return None
        poll = {"stream": "kinesis-poll", "table-stream": "dynamodb-stream-poll", "kafka-topic": "kafka-poll",
                "broker": "mq-poll"}.get(s, "sqs-poll")  # the entry whose batch size (sizing.yaml) applies
        batch = size_batch(f.longest_step, poll)
        if s in ("queue", "fifo-queue"):
            settings = self.esm(f, batch)
        else:
            settings = {"batch_size": batch, "starting_position": "LATEST"}
        self._cover_batch(target, f, batch)
        if s in ("queue", "fifo-queue"):  # a message stays hidden while its consumer may still be working on it
            timeout = self.arch.nodes[target].settings["timeout_seconds"]
            self._resize(source, visibility_timeout=size_visibility_timeout(timeout))
        return settings

    def _cover_batch(self, function: str, f: Flow, batch: int) -> None:
        """The function's timeout covers a full batch of the records it reads."""
        node = self.arch.nodes[function]
        timeout = size_function_timeout(f.longest_step, batch)
        if timeout > node.settings.get("timeout_seconds", 0):
            self._resize(function, timeout_seconds=timeout)

    def _resize(self, node_id: str, **settings: Any) -> None:
        node = self.arch.nodes[node_id]
        self.arch.nodes[node_id] = Node(node.id, node.type, node.flow, {**node.settings, **settings})

    # the outcome channel of a producing flow, shared by all its targets
    def outcome(self, f: Flow) -> None:
        c = self.choices[f.name]
        channel = c["channel"]
        targets = outcome_targets(f, self.downstream.get(f.name, ()))
        if channel == "none" or not targets:
            if self.downstream.get(f.name):
                self.arch.notes.append(f"{f.name} has no outcome channel, so nothing starts "
                                       + ", ".join(d.name for d in self.downstream[f.name]) + ".")
            return
        n = f.name
        self.phase = 2
        opt = catalog.option("channel", channel)
        resources = opt["resources"]
        last = self._last(f)
        read = self._read_stream(f)
        if read is not None and self.arch.nodes[read].type == resources[0]:
            head = read  # consumers read the stream the flow reads: no second stream to copy records into
            if resources[0] == "stream":  # the flow and each of its targets read it
                self._resize(read, shards=size_shards(f.traffic.peak, f.message_size, 1 + len(targets)))
            self.arch.notes.append(f"{n}: its consumers read {read}, the stream the flow itself reads.")
        elif resources[0] == "table-stream":
            store = f"{n}/store"
            if store in self.arch.nodes and self.arch.nodes[store].type == "table-stream":
                head = store
            else:
                head = self.node(f"{n}/changes", "table-stream", n, billing="on-demand",
                                 stream_view="NEW_AND_OLD_IMAGES")
                self.connect(last, head, n)
        else:
            settings: dict[str, Any] = {}
            if resources[0] == "stream":
                settings["shards"] = size_shards(f.traffic.peak, f.message_size, len(targets))
            head = self.node(f"{n}/{resources[0]}", resources[0], n, **settings)
            self.connect(last, head, n)
        fan = head
        if len(resources) > 1 and resources[0] == "bus":  # eventbridge-sns: one rule hands every event to a topic
            fan = self.node(f"{n}/{resources[1]}", resources[1], n)
            self.connect(head, fan, n)
        per_target_queue = resources[-1] if len(resources) > 1 and resources[-1] in ("queue", "fifo-queue") else None
        for target in targets:
            self.phase = 2
            dest = self._target_node(f, target)
            src = fan
            if target.kind == "external" and self.arch.nodes[head].type == "bus":
                src = head  # an external system is reached from the bus, by an API destination with its key
            tflow = self.flows[target.name] if target.kind == "flow" else f
            buffered = (target.kind == "flow" and opt["delivery"] == "event"
                        and self.choices[target.name]["entry"] == "sqs-poll")  # the flow reads its own queue
            if per_target_queue or buffered:
                timeout = size_function_timeout(tflow.longest_step, size_batch(tflow.longest_step))
                q = self.node(f"{n}/queue:{target.name}", per_target_queue or "queue", n,
                              visibility_timeout=size_visibility_timeout(timeout))
                self.connect(fan, q, n)
                src = q
            self.phase = 0 if target.kind == "flow" else 2  # a downstream flow's trigger is this channel
            if target.kind == "flow":
                self.source[target.name] = src
            self.connect(src, dest, tflow.name if target.kind == "flow" else n,
                         settings=self._esm_if(src, dest, tflow))

    def _read_stream(self, f: Flow) -> str | None:
        """The stream (Kinesis, or a table's) a flow reads, its own source or its upstream's channel."""
        node = self.source.get(f.name)
        if node is not None and self.arch.nodes[node].type in ("stream", "table-stream"):
            return node
        return None

    def _last(self, f: Flow) -> str:
        """The node that publishes the flow's outcome: its workflow, its last step, or its task."""
        return self.lasts[f.name]

    def _target_node(self, f: Flow, target: Target) -> str:
        if target.kind == "flow":
            return self.first[target.name]
        if target.kind == "external":
            return self.node(f"{f.name}/external:{target.name}", "external", f.name,
                             rate_per_second=size_destination_rate(f.downstream_limit))
        timeout_batch = size_batch(f.longest_step)
        return self.node(f"{f.name}/consumer:{target.name}", "function", f.name, context=target.name,
                         memory_mb=sizing().function_memory_mb,
                         timeout_seconds=size_function_timeout(f.longest_step, timeout_batch),
                         peak_concurrency=size_concurrency(f.traffic.peak, _step_seconds(f), f.downstream_limit))


def entry_api(flow: str) -> str:
    """The id of the API a flow's requests enter by (a flow may have a second one: its approval API)."""
    return f"{flow}/api"


def _rest_instead_of_http(f: Flow, entry: str, first: str) -> str | None:
    """Why an API the workload calls ``http`` is built as a REST API, if it must be."""
    if f.auth == "api-key":
        return "HTTP APIs have no API keys or usage plans"
    if entry == "api-async" and first == "function":
        return "only a REST API invokes Lambda asynchronously (X-Amz-Invocation-Type: Event)"
    if entry == "api-queue":
        return "the REST API's SQS integration validates each request before it is queued"
    if first in ("express-workflow", "standard-workflow"):
        return "the REST API's Step Functions integration starts the workflow with the request as its input"
    return None


def _step_seconds(f: Flow) -> float:
    """Compute time of one step of one execution: the flow's compute time (the smaller of its duration and
    longest step x steps, as derived.compute_seconds) shared over its steps."""
    return min(f.duration, f.longest_step * len(f.steps)) / len(f.steps)


def build(workload: Workload, choices: Mapping[str, Mapping[str, str]]) -> Architecture:
    """The architecture of ``workload`` given each flow's choices (flow name -> decision -> option)."""
    return _Builder(workload, choices).build()


def from_recommendation(workload: Workload, rec) -> Architecture:
    """The architecture of an engine.Recommendation."""
    return build(workload, {f.name: {d: f.choice(d) for d in f.decisions} for f in rec.flows})


def model_of(workload: Workload, rec: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``architecture`` section of a recommendation dict; built from its choices when the dict has none (a
    dict written by an older advisor, or by hand). What the views (diagram, ADR) read."""
    if isinstance(rec.get("architecture"), Mapping):
        return rec["architecture"]
    from .rules import DECISION_OPTIONS

    recs = {f.get("name"): f for f in rec.get("flows") or ()}
    choices = {}
    for f in workload.flows:
        decided = (recs.get(f.name) or {}).get("decisions") or {}
        default = {d: opts[0] for d, opts in DECISION_OPTIONS.items()}  # a decision the dict lacks: the simplest
        default["entry"] = catalog.options_where("entry", trigger=f.trigger)[0]
        choices[f.name] = {d: str((decided.get(d) or {}).get("choice") or default[d]) for d in DECISION_OPTIONS}
    return build(workload, choices).to_dict()
