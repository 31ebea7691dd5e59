"""Facts: the named values rules may test, from the workload and derived.

Every fact a rule can name is registered here with its unit (so sentences
can say "400/s" or "8s") and a one-line description (``advisor rules facts``
lists them). Rule files are checked against this registry when they load:
an unknown fact is an error at the rule's file:line:col.

Fact families:

- ``flow.*``: the normalised workload values of the flow;
- ``derived.*``: computed from the flow and the event graph (graph.py);
- ``region.*``: quotas of the workload's region (data/quotas.yaml);
- ``decision.*``: choices already made for this flow (decisions are made in
  a fixed order, so later ones may depend on earlier ones);
- ``upstream.*``: choices made for the flow named by ``after``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

from . import units
from .model import NEEDS, Flow, Workload
from .catalog import limit
from .rules import DECISION_ORDER

MONTH_SECONDS = 30 * 86400
LAMBDA_TIMEOUT_SECONDS = limit("lambda_timeout")
LAMBDA_MAX_MEMORY_BYTES = int(limit("lambda_memory_max_mb")) << 20  # Lambda quotas: memory 128 MB to 10,240 MB
CHANNEL_MAX_BYTES = int(limit("sqs_message_size"))  # the largest message SQS, EventBridge and async Lambda take
CLAIM_CHECK_EVENT_BYTES = 1024  # an event that carries a pointer to S3 (bucket, key, a few attributes)
BURST_SECONDS = 60  # the drain time is given for each minute the peak lasts


@dataclass(frozen=True)
class FactSpec:
    name: str
    unit: str  # rate, seconds, bytes, count, number, bool, text, ratio
    description: str
    path: tuple | None = None  # workload path of the value, for evidence locations


@dataclass
class FlowContext:
    """What the facts of one flow are computed from."""

    workload: Workload
    flow: Flow
    graph: Any  # graph.EventGraph
    quotas: dict
    decisions: dict  # decision -> choice, filled in as decisions are made
    upstream: dict  # decision -> choice of the `after` flow
    memo: dict = field(default_factory=dict)  # facts computed together (the cost model's), once per flow


def fmt(unit: str, value: Any) -> str:
    """A fact's value the way a sentence shows it."""
    if value is None:
        return "not provided"
    if unit == "rate":
        return units.format_rate(value)
    if unit == "seconds":
        return units.format_duration(value)
    if unit == "bytes":
        return units.format_size(int(value))
    if unit == "bool":
        return "yes" if value else "no"
    if unit == "ratio":
        return f"{value:.1f}x"
    if unit == "usd":
        return f"${value:,.2f}/month"
    if unit in ("count", "number") and isinstance(value, float):
        return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}".rstrip("0").rstrip(".")
    if unit in ("count", "number"):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    return str(value)


_REGISTRY: dict[str, tuple[FactSpec, Callable[[FlowContext], Any]]] = {}


def fact(name: str, unit: str, description: str, path: tuple | None = None):
    def register(fn: Callable[[FlowContext], Any]):
        _REGISTRY[name] = (FactSpec(name, unit, description, path), fn)
        return fn
    return register


def _flow_field(name: str, unit: str, description: str, attr: Callable[[Flow], Any], path: tuple | None):
    fact(name, unit, description, path)(lambda c: attr(c.flow))


# -- flow.* : the workload as written (normalised) -------------------------------------------------------------
for _name, _unit, _desc, _attr, _path in [
    ("flow.name", "text", "the flow's name", lambda f: f.name, ("name",)),
    ("flow.context", "text", "the bounded context that owns the flow", lambda f: f.context, ("context",)),
    ("flow.trigger", "text", "what starts one execution", lambda f: f.trigger, ("trigger",)),
    ("flow.after", "text", "the flow whose outcome starts this one (trigger: event)", lambda f: f.after, ("after",)),
    ("flow.caller_waits", "bool", "whether the caller waits for the final result", lambda f: f.caller_waits,
     ("caller_waits",)),
    ("flow.api", "text", "the API style (trigger: api)", lambda f: f.api, ("api",)),
    ("flow.auth", "text", "who may call the API (trigger: api)", lambda f: f.auth, ("auth",)),
    ("flow.traffic.average", "rate", "average executions per second", lambda f: f.traffic.average,
     ("traffic", "average")),
    ("flow.traffic.peak", "rate", "peak executions per second", lambda f: f.traffic.peak, ("traffic", "peak")),
    ("flow.traffic.pattern", "text", "shape of the traffic", lambda f: f.traffic.pattern, ("traffic", "pattern")),
    ("flow.duration_seconds", "seconds", "end-to-end time of one execution, waiting included",
     lambda f: f.duration, ("duration",)),
    ("flow.longest_step_seconds", "seconds", "longest single piece of compute", lambda f: f.longest_step,
     ("longest_step",)),
    ("flow.steps_count", "count", "number of steps", lambda f: len(f.steps), ("steps",)),
    ("flow.steps", "text", "the steps", lambda f: list(f.steps), ("steps",)),
    ("flow.coupling", "text", "tight (one business transaction) or loose", lambda f: f.coupling, ("coupling",)),
    ("flow.fan_out", "count", "number of consumer contexts", lambda f: f.fan_out, ("consumers",)),
    ("flow.consumers", "text", "the consumer contexts", lambda f: list(f.consumers), ("consumers",)),
    ("flow.downstream_limit", "rate", "most the slowest downstream system can take", lambda f: f.downstream_limit,
     ("downstream_limit",)),
    ("flow.external_targets_count", "count", "number of SaaS or third-party targets",
     lambda f: len(f.external_targets), ("external_targets",)),
    ("flow.external_targets", "text", "SaaS or third-party targets", lambda f: list(f.external_targets),
     ("external_targets",)),
    ("flow.message_size_bytes", "bytes", "typical payload size", lambda f: f.message_size, ("message_size",)),
    ("flow.data", "text", "kind of store the flow writes to", lambda f: f.data, ("data",)),
    ("flow.source", "text", "the broker (trigger: kafka or mq)", lambda f: f.source, ("source",)),
    ("flow.source_event", "text", "the AWS service event that starts the flow (trigger: event)",
     lambda f: f.source_event, ("source_event",)),
    ("flow.max_delay_seconds", "seconds", "the longest an event may wait before it is processed",
     lambda f: f.max_delay, ("max_delay",)),
]:
    _flow_field(_name, _unit, _desc, _attr, _path)

for _need in NEEDS:
    _flow_field(f"flow.needs.{_need}", "bool", f"needs.{_need} as stated", lambda f, n=_need: getattr(f.needs, n),
                ("needs", _need))


# -- derived.* ----------------------------------------------------------------------------------------------------
@fact("derived.compute_seconds", "seconds",
      "compute time of one execution: the smaller of the duration and longest step x steps")
def _compute_seconds(c: FlowContext) -> float:
    f = c.flow
    return min(f.duration, f.longest_step * len(f.steps))


@fact("derived.waiting_seconds", "seconds", "time one execution spends waiting, not computing")
def _waiting(c: FlowContext) -> float:
    return max(0.0, c.flow.duration - _compute_seconds(c))


@fact("derived.peak_concurrency", "number",
      "estimated concurrent executions of compute at peak: peak rate x compute seconds")
def _peak_concurrency(c: FlowContext) -> float:
    return c.flow.traffic.peak * _compute_seconds(c)


@fact("derived.average_concurrency", "number", "estimated concurrent executions on average")
def _avg_concurrency(c: FlowContext) -> float:
    return c.flow.traffic.average * _compute_seconds(c)


@fact("derived.monthly_executions", "count", "executions in a 30-day month at the average rate")
def _monthly(c: FlowContext) -> float:
    return c.flow.traffic.average * MONTH_SECONDS


@fact("derived.peak_to_average", "ratio", "how much the peak exceeds the average")
def _burst(c: FlowContext) -> float:
    return c.flow.traffic.peak / c.flow.traffic.average


@fact("derived.downstream_flows_count", "count", "flows of this file started by this flow's outcome (after:)")
def _downstream_flows(c: FlowContext) -> int:
    return len(c.graph.downstream(c.flow.name))


@fact("derived.outcome_consumers", "count", "consumers of the outcome event, each once: flows after it, and the "
                                           "consumer contexts none of those flows stands for")
def _outcome_consumers(c: FlowContext) -> int:
    if "outcome_consumers" not in c.memo:  # three facts build on it: count the targets once per flow
        from .architecture import outcome_targets

        downstream = [c.workload.flow(n) for n in c.graph.downstream(c.flow.name)]
        c.memo["outcome_consumers"] = sum(1 for t in outcome_targets(c.flow, downstream) if t.kind != "external")
    return c.memo["outcome_consumers"]


@fact("derived.targets_count", "count", "everything the outcome event must reach: consumers, later flows, "
                                        "external targets")
def _targets(c: FlowContext) -> int:
    return _outcome_consumers(c) + len(c.flow.external_targets)


@fact("derived.peak_target_invocations", "rate", "outcome deliveries per second at peak: peak x targets")
def _peak_target_invocations(c: FlowContext) -> float:
    return c.flow.traffic.peak * _targets(c)


@fact("derived.peak_over_downstream_limit", "ratio", "peak rate divided by the downstream limit")
def _over_limit(c: FlowContext):
    lim = c.flow.downstream_limit
    return None if lim is None else c.flow.traffic.peak / lim


@fact("derived.chain_depth", "count", "flows before this one in its chain of after: links")
def _depth(c: FlowContext) -> int:
    return c.graph.depth(c.flow.name)


@fact("derived.chain_duration_seconds", "seconds", "end-to-end duration of the choreographed chain up to this flow")
def _chain_duration(c: FlowContext) -> float:
    return c.graph.chain_duration(c.flow.name)


@fact("derived.context_in_cycle", "bool", "the flow's context is in a loop of contexts reacting to each other's "
                                          "events")
def _ctx_in_cycle(c: FlowContext) -> bool:
    return c.graph.context_cycle(c.flow.context) is not None


@fact("derived.context_cycle", "text", "the contexts of the loop the flow's context is in")
def _ctx_cycle(c: FlowContext):
    return c.graph.context_cycle(c.flow.context)


@fact("derived.context_dependencies", "count", "inbound plus outbound event dependencies of the flow's context")
def _ctx_deps(c: FlowContext) -> int:
    return c.graph.context_degree(c.flow.context)


@fact("derived.context_inbound", "count", "contexts whose events the flow's context consumes")
def _ctx_in(c: FlowContext) -> int:
    return c.graph.context_inbound(c.flow.context)


@fact("derived.context_outbound", "count", "contexts that consume the flow's context's events")
def _ctx_out(c: FlowContext) -> int:
    return c.graph.context_outbound(c.flow.context)


@fact("derived.peak_throughput_bytes", "number", "bytes per second at peak: peak x message size")
def _peak_bytes(c: FlowContext) -> float:
    return c.flow.traffic.peak * c.flow.message_size


@fact("derived.kinesis_shards", "count", "provisioned shards a stream needs at peak (1 MB/s and 1,000 records/s "
                                         "per shard)")
def _shards(c: FlowContext) -> int:
    from .architecture import size_shards  # the one shard formula, shared with the model and the cost model

    return size_shards(c.flow.traffic.peak, c.flow.message_size)


def task_steps(flow: Flow) -> tuple[str, ...]:
    """The steps whose own duration or memory, as stated, is beyond what one Lambda invocation offers: only these
    need a task when the flow's steps say what each needs."""
    big = {s for s, d in flow.step_durations if d > LAMBDA_TIMEOUT_SECONDS}
    big |= {s for s, m in flow.step_memory if m > LAMBDA_MAX_MEMORY_BYTES}
    return tuple(s for s in flow.steps if s in big)


@fact("derived.task_steps", "text", "steps that state a duration over 15 minutes or memory over 10,240 MB")
def _task_steps(c: FlowContext):
    return list(task_steps(c.flow))


@fact("derived.task_steps_count", "count", "how many steps state a duration or memory beyond Lambda's")
def _task_steps_count(c: FlowContext) -> int:
    return len(task_steps(c.flow))


@fact("derived.largest_step_memory_bytes", "bytes", "the most memory a step states it needs")
def _largest_memory(c: FlowContext):
    return max((m for _, m in c.flow.step_memory), default=None)


@fact("derived.event_size_bytes", "bytes", "what the channel carries: event_size, else a pointer when the data "
                                           "lands in S3 (claim check), else message_size")
def _event_size(c: FlowContext) -> int:
    f = c.flow
    if f.event_size is not None:
        return f.event_size
    if f.data == "files":
        return min(f.message_size, CLAIM_CHECK_EVENT_BYTES)
    return f.message_size


@fact("derived.claim_check", "bool", "the event carries a pointer: it is smaller than the payload (message_size)")
def _claim_check(c: FlowContext) -> bool:
    return _event_size(c) < c.flow.message_size


@fact("derived.drain_seconds", "seconds", "time a buffer in front of the downstream limit takes to empty after "
                                          "each minute at peak: backlog / (limit - average); not provided when the "
                                          "average alone reaches the limit")
def _drain(c: FlowContext):
    f = c.flow
    lim = f.downstream_limit
    if lim is None or f.traffic.peak <= lim:
        return None
    backlog = (f.traffic.peak - lim) * BURST_SECONDS
    spare = lim - f.traffic.average
    return None if spare <= 0 else backlog / spare


# -- cost.* : list prices at the flow's average rate (advisor/cost.py, data/prices.yaml) -----------------------------
def _cost(c: FlowContext, name: str) -> float | bool | None:
    """One of the cost model's facts; the model is imported, and run for the flow and the decision the fact is
    about, only when a rule asks."""
    part = name.split(".")[1]
    key = f"cost.{part}"
    if key not in c.memo:
        from . import cost

        c.memo[key] = (cost.orchestrator_cost_facts if part == "orchestrator" else cost.compute_cost_facts)(
            c.flow, c.workload.region)
    return c.memo[key].get(name)


_MATERIAL = "(cost.model.material: rules/README.md, standing of reasons)"
for _name, _unit, _desc in [
    ("cost.orchestrator.standard_monthly", "usd", "Step Functions Standard for this flow, per month"),
    ("cost.orchestrator.express_monthly", "usd", "Step Functions Express for this flow, per month"),
    ("cost.orchestrator.standard_over_express_ratio", "ratio", "Standard's monthly cost over Express's"),
    ("cost.orchestrator.express_saving_monthly", "usd", "what Express saves over Standard, per month"),
    ("cost.orchestrator.express_saving_material", "bool", f"Express saves a material amount {_MATERIAL}"),
    ("cost.orchestrator.standard_saving_material", "bool", f"Standard saves a material amount {_MATERIAL}"),
    ("cost.compute.lambda_monthly", "usd", "the flow's steps on Lambda, per month"),
    ("cost.compute.fargate_monthly", "usd", "the flow's steps on Fargate, per month"),
    ("cost.compute.fargate_over_lambda_ratio", "ratio", "Fargate's monthly cost over Lambda's"),
    ("cost.compute.fargate_saving_material", "bool", f"Fargate saves a material amount {_MATERIAL}"),
]:
    fact(_name, _unit, _desc)(lambda c, n=_name: _cost(c, n))


# -- region.* -------------------------------------------------------------------------------------------------------
for _q, _unit, _desc in [
    ("eventbridge_putevents_tps", "rate", "EventBridge PutEvents quota of the region"),
    ("eventbridge_target_invocations", "rate", "EventBridge target invocations quota of the region"),
    ("apigw_account_rps", "rate", "API Gateway account throttle of the region"),
    ("sfn_standard_start_refill", "rate", "Step Functions Standard StartExecution refill rate of the region"),
    ("sfn_express_start_refill", "rate", "Step Functions Express StartExecution refill rate of the region"),
    ("sfn_standard_transition_refill", "rate", "Step Functions Standard state transition refill rate"),
    ("sqs_fifo_ht_tps", "rate", "SQS FIFO high-throughput mode per API action in the region"),
    ("lambda_concurrency", "count", "Lambda concurrent executions default quota"),
]:
    fact(f"region.{_q}", _unit, _desc)(lambda c, q=_q: c.quotas.get(q))

fact("region.name", "text", "the workload's region")(lambda c: c.workload.region)

# -- decision.* and upstream.* ---------------------------------------------------------------------------------
for _d in DECISION_ORDER:
    fact(f"decision.{_d}", "text", f"the {_d} chosen for this flow (once decided)")(
        lambda c, d=_d: c.decisions.get(d))
    fact(f"upstream.{_d}", "text", f"the {_d} chosen for the flow named by after")(
        lambda c, d=_d: c.upstream.get(d))


@fact("decision.poller", "text", "what polls the flow's source, given the compute and orchestrator chosen")
def _poller(c: FlowContext) -> str | None:
    """So that an entry's sentence names the reader that is built (as ``advisor scaffold`` builds it): Lambda's
    event source mapping, handing each batch to the first step, to a function that starts the workflow, or to one
    that runs the Fargate task."""
    compute, orchestrator = c.decisions.get("compute"), c.decisions.get("orchestrator")
    if compute is None or orchestrator is None:
        return None
    if orchestrator != "none":
        return "Lambda's event source mapping (its function starts the workflow)"
    if compute == "fargate":
        return "Lambda's event source mapping (its function runs the Fargate task)"
    return "Lambda's event source mapping"


LIVE = frozenset([n for d in DECISION_ORDER for n in (f"decision.{d}", f"upstream.{d}")] + ["decision.poller"])
"""Facts that change while a flow is decided (its own and its upstream's choices): never cached."""


def specs() -> dict[str, FactSpec]:
    return {name: spec for name, (spec, _) in _REGISTRY.items()}


def get(name: str, ctx: FlowContext) -> Any:
    return _REGISTRY[name][1](ctx)


def spec(name: str) -> FactSpec | None:
    entry = _REGISTRY.get(name)
    return entry[0] if entry else None


@lru_cache(maxsize=None)
def region_quotas(region: str) -> tuple[dict, bool]:
    """Quotas of ``region`` and whether the region is in the table (else the conservative default)."""
    from .resources import read_data

    data = read_data("quotas.yaml")
    regions = data["regions"]
    known = region in regions
    return dict(regions.get(region, regions["default"])), known
