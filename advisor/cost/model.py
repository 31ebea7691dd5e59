"""The cost model: what each option of each decision costs a flow per month, line by line."""
from __future__ import annotations

import math
from functools import lru_cache
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any, Callable, Iterable, Mapping

from ..catalog import limit
from ..model import DEFAULT_REGION, Flow, Workload
from ..sizing import sizing
from .prices import (_MICRO, HOURS_PER_MONTH, SECONDS_PER_MONTH, Price, PriceTable, _ceil_div, _cents, _d, _fmt,
                     _num, _unit_num, load_price_table, price_table_info)

DEFAULT_MEMORY_MB = sizing().function_memory_mb  # what the scaffold's functions get (advisor/data/sizing.yaml)

# Sizing assumptions, stated in every estimate that uses them.
SQS_REQUESTS_PER_MESSAGE = 3  # SendMessage + ReceiveMessage + DeleteMessage, unbatched
FARGATE_TASK_VCPU = Decimal(sizing().fargate_cpu_units) / 1024  # the scaffold's task definition
FARGATE_TASK_GB = Decimal(sizing().fargate_memory_mb) / 1024
POLL_CYCLE_S = 1  # a poller with no batching window is assumed to find at most a second's worth of records
FARGATE_MIN_TASK_SECONDS = 60
EXPRESS_BASE_MEMORY_MB = 50  # pricing page: memory = 50 MB + definition + payload
EXPRESS_DEFINITION_BYTES = 16 * 1024
AURORA_MIN_ACU = Decimal("0.5")
AURORA_IOS_PER_EXECUTION = 2
# When cost may weigh into a decision is a rule's call (rules/cost/K1xx-*.yaml), from FACTS below, and only where
# the saving is material (rules/README.md, "Standing of reasons"):
MATERIAL_RATIO = Decimal(2)  # the cheaper option costs at most half the other: smaller gaps are within the model's
#                              error (512 MB functions, 0.25 vCPU tasks, list prices without free tiers)
MATERIAL_USD = Decimal(50)  # and saves at least $50 a month: less is under an hour of an engineer's time a month


@dataclass(frozen=True, slots=True)
class Line:
    """One billed quantity: ``quantity`` units at ``unit_price``, ``usd`` rounded to the cent."""
    service: str
    price: str  # price table key
    quantity: Decimal
    unit: str
    unit_price: Decimal
    usd: Decimal
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "price": self.price, "quantity": _num(self.quantity),
                "unit": self.unit, "unit_price": _unit_num(self.unit_price), "usd": float(self.usd),
                "note": self.note}


def charge(price: Price, quantity: Decimal | float | int, *, free: Decimal | float | int = 0) -> list[Line]:
    """Price ``quantity`` units: subtract ``free`` units, then walk the tiers.

    One line per tier actually used (one zero line when nothing is billed),
    each rounded to the cent like AWS's worked examples.
    """
    qty = _d(quantity)
    free_used = min(qty, _d(free))
    billable = qty - free_used
    free_note = f"after {_fmt(free_used)} free" if free_used > 0 else None
    lines: list[Line] = []
    lower = Decimal(0)
    for i, (up_to, value) in enumerate(price.tiers):
        unit_price = value / price.per
        band = billable - lower if up_to is None else min(billable, up_to) - lower
        if band <= 0 and lines:
            break
        band = max(band, Decimal(0))
        note = free_note if not lines else None
        if len(price.tiers) > 1:
            tier = f"tier {i + 1}"
            note = f"{note}; {tier}" if note else tier
        lines.append(Line(price.service, price.key, band, price.unit, unit_price, _cents(band * unit_price), note))
        if up_to is None or billable <= up_to:
            break
        lower = up_to
    return lines


@dataclass(frozen=True, slots=True)
class OptionCost:
    """The monthly cost of one option of one decision for one flow."""
    decision: str
    option: str
    usage: tuple[tuple[str, Decimal], ...]  # price key -> monthly quantity, before free tiers
    lines: tuple[Line, ...]
    assumptions: tuple[str, ...]

    @property
    def monthly_usd(self) -> Decimal:
        return sum((ln.usd for ln in self.lines), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "option": self.option, "monthly_usd": float(self.monthly_usd),
                "lines": [ln.to_dict() for ln in self.lines], "assumptions": list(self.assumptions)}


@dataclass(frozen=True, slots=True)
class FlowCost:
    flow: str
    region: str
    executions_per_month: Decimal
    memory_mb: int
    free_tier: bool
    decisions: Mapping[str, Mapping[str, OptionCost]]
    assumptions: tuple[str, ...]
    chosen: Mapping[str, str] | None = None  # decision -> option, from a recommendation

    def option(self, decision: str, option: str) -> OptionCost:
        return self.decisions[decision][option]

    @property
    def chosen_monthly_usd(self) -> Decimal | None:
        if not self.chosen:
            return None
        return sum((self.decisions[d][o].monthly_usd for d, o in self.chosen.items()), Decimal(0))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "flow": self.flow, "region": self.region, "memory_mb": self.memory_mb,
            "executions_per_month": _num(self.executions_per_month), "free_tier_applied": self.free_tier,
            "assumptions": list(self.assumptions),
            "decisions": {d: {o: oc.to_dict() for o, oc in sorted(opts.items())}
                          for d, opts in sorted(self.decisions.items())},
            "chosen": dict(sorted(self.chosen.items())) if self.chosen else None,
            "chosen_monthly_usd": None if self.chosen is None else float(self.chosen_monthly_usd or 0),
        }
        return out


@dataclass(frozen=True)
class WorkloadCost:
    workload: str
    region: str
    flows: tuple[FlowCost, ...]
    table: Mapping[str, Any]
    lines: tuple[Line, ...] | None  # totals of the chosen options, free tiers applied once
    assumptions: tuple[str, ...]

    @property
    def monthly_usd(self) -> Decimal | None:
        if self.lines is None:
            return None
        return sum((ln.usd for ln in self.lines), Decimal(0))

    def per_service(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for ln in self.lines or ():
            out[ln.service] = out.get(ln.service, Decimal(0)) + ln.usd
        return dict(sorted(out.items()))

    def total_dict(self) -> dict[str, Any] | None:
        """The ``total`` of :meth:`to_dict` alone (without every flow's breakdown)."""
        if self.lines is None:
            return None
        return {"monthly_usd": float(self.monthly_usd or 0),
                "per_service": {s: float(v) for s, v in self.per_service().items()},
                "lines": [ln.to_dict() for ln in self.lines]}

    def to_dict(self) -> dict[str, Any]:
        return {"workload": self.workload, "region": self.region, "currency": self.table.get("currency", "USD"),
                "price_table": dict(self.table), "assumptions": list(self.assumptions),
                "flows": [f.to_dict() for f in self.flows], "total": self.total_dict()}


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True, slots=True)
class _Ctx:
    """Everything an option estimate needs, derived once per flow."""
    flow: Flow
    prices: PriceTable
    region: str
    memory_mb: int
    executions: Decimal  # per month
    entry: str | None = None  # the chosen entry (or the trigger's only one)
    orchestrated: bool = False  # a state machine invokes the steps
    targets: int | None = None  # what the outcome reaches, each once (architecture.outcome_targets)
    api: str | None = None  # the API style the architecture builds (REST where an 'http' API cannot do the job)

    @property
    def n_steps(self) -> int:
        return max(1, len(self.flow.steps))

    @property
    def busy_seconds(self) -> Decimal:
        """Compute time per execution: waiting (timers, people) is not compute."""
        return min(_d(self.flow.duration), _d(self.flow.longest_step) * self.n_steps)

    @property
    def consumers(self) -> int:
        return max(1, self.flow.fan_out if self.targets is None else self.targets)

    def chunks(self, unit_bytes: int) -> int:
        return _ceil_div(self.flow.message_size, unit_bytes)


_Usage = list[tuple[str, Decimal]]
_Estimator = Callable[[_Ctx], tuple[_Usage, list[str]]]


def _nothing(why: str) -> _Estimator:
    def est(ctx: _Ctx) -> tuple[_Usage, list[str]]:
        return [], [why]
    return est


def _sqs_usage(ctx: _Ctx, key: str, queues: int) -> tuple[_Usage, str]:
    chunks = ctx.chunks(64 * 1024)
    qty = ctx.executions * chunks * SQS_REQUESTS_PER_MESSAGE * queues
    why = (f"{SQS_REQUESTS_PER_MESSAGE} SQS requests (send, receive, delete, unbatched) per message"
           f" x {chunks} 64 KB chunk(s) x {queues} queue(s); Lambda's poller batches receives and deletes,"
           " which lowers this, and adds empty receives, which raises it")
    return [(key, qty)], why


# orchestrator ----------------------------------------------------------------

def _sfn_standard(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    n = ctx.n_steps
    return [("sfn.standard.transitions", ctx.executions * n)], [
        f"{n} state transition(s) per execution, one per step; retries, Choice, Wait and Pass states add more"]


def express_billed_memory_mb(message_size: int) -> int:
    """Pricing-page formula: 50 MB + definition + payload, billed in 64 MB chunks (no Map/Parallel assumed)."""
    used_mb = EXPRESS_BASE_MEMORY_MB + (EXPRESS_DEFINITION_BYTES + message_size) / (1024 * 1024)
    return 64 * math.ceil(used_mb / 64)


def _sfn_express(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    billed_s = (_d(ctx.flow.duration) * 10).to_integral_value(rounding=ROUND_CEILING) / 10
    mem_mb = express_billed_memory_mb(ctx.flow.message_size)
    gb_hours = ctx.executions * billed_s * _d(mem_mb) / 1024 / 3600
    notes = [f"one request per execution; {_fmt(billed_s)} s billed per execution (rounded up to 100 ms)",
             f"{mem_mb} MB billed memory: 50 MB + a 16 KB definition + the {ctx.flow.message_size} B payload,"
             " in 64 MB chunks, no Map or Parallel state"]
    if ctx.flow.duration > limit("express_duration"):
        notes.append(f"Express stops an execution after {limit('express_duration'):g} s; this flow takes "
                     f"{_fmt(ctx.flow.duration)} s, so this figure is only a comparison")
    return [("sfn.express.requests", ctx.executions), ("sfn.express.duration", gb_hours)], notes


# channel ---------------------------------------------------------------------

def _messages_note(ctx: _Ctx) -> str:
    return (f"one outcome event of {ctx.flow.message_size} B per execution, {ctx.consumers} consumer(s)"
            + ("" if ctx.flow.fan_out else " (none declared: one assumed)"))


def _ch_sqs(key: str) -> _Estimator:
    def est(ctx: _Ctx) -> tuple[_Usage, list[str]]:
        usage, why = _sqs_usage(ctx, key, ctx.consumers)
        return usage, [_messages_note(ctx), "one queue per consumer: the producer sends to each", why]
    return est


def _sns_publish(ctx: _Ctx, key: str = "sns.publishes") -> _Usage:
    return [(key, ctx.executions * ctx.chunks(64 * 1024)),
            ("sns.deliveries.lambda_sqs", ctx.executions * ctx.consumers)]


def _ch_sns(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    return _sns_publish(ctx), [_messages_note(ctx), "one publish per 64 KB chunk; subscribers are Lambda or SQS"]


def _ch_sns_fifo(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    usage, why = _sqs_usage(ctx, "sqs.fifo.requests", ctx.consumers)
    return _sns_publish(ctx, "sns.fifo.publishes") + usage, [
        _messages_note(ctx), "SNS FIFO delivers only to SQS FIFO queues: one per consumer, its send counted", why,
        "the SNS FIFO per-GB payload charge is not in the table and is left out"]


def _ch_sns_sqs(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    usage, why = _sqs_usage(ctx, "sqs.standard.requests", ctx.consumers)
    return _sns_publish(ctx) + usage, [_messages_note(ctx), "one SQS queue per consumer subscribed to the topic,"
                                       " SNS's delivery counted as the send", why]


def _ch_eventbridge(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    return [("eventbridge.events", ctx.executions * ctx.chunks(64 * 1024))], [
        _messages_note(ctx), "one custom event per 64 KB chunk; same-account rule targets are not charged"]


def _ch_eventbridge_sns(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    events = [("eventbridge.events", ctx.executions * ctx.chunks(64 * 1024))]
    return events + _sns_publish(ctx), [_messages_note(ctx), "each event is published once to an SNS topic,"
                                        " which delivers to every consumer"]


def kinesis_shards(peak_per_s: float, message_size: int, readers: int) -> int:
    """Provisioned shards for the peak: the architecture model's formula (architecture.size_shards), so the
    estimate prices the shards the scaffold provisions."""
    from ..architecture import size_shards

    return size_shards(peak_per_s, message_size, readers)


def _kinesis(readers: Callable[[_Ctx], int]) -> _Estimator:
    def est(ctx: _Ctx) -> tuple[_Usage, list[str]]:
        n_readers = readers(ctx)
        shards = kinesis_shards(ctx.flow.traffic.peak, ctx.flow.message_size, n_readers)
        units = ctx.executions * ctx.chunks(25 * 1024)
        return [("kinesis.shard_hours", _d(shards * HOURS_PER_MONTH)), ("kinesis.put_payload_units", units)], [
            f"provisioned mode: {shards} shard(s) for the peak of {_fmt(ctx.flow.traffic.peak)}/s of "
            f"{ctx.flow.message_size} B with {n_readers} reader(s) sharing 2 MB/s per shard, all month",
            "one record per execution; no enhanced fan-out, no extended retention"]
    return est


def _ch_dynamodb_streams(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    return [("dynamodb.streams.lambda_reads", ctx.executions * ctx.consumers)], [
        "stream reads by Lambda triggers; the table writes that feed the stream are priced under data_store"]


# entry -----------------------------------------------------------------------

def _api_usage(ctx: _Ctx, style: str) -> tuple[_Usage, list[str]]:
    if style == "rest":
        return [("apigw.rest.requests", ctx.executions)], ["REST API: one request per execution"]
    if style == "websocket":
        minutes = _ceil_div(ctx.flow.duration, 60)
        msgs = ctx.executions * 2 * ctx.chunks(32 * 1024)
        return ([("apigw.websocket.messages", msgs),
                 ("apigw.websocket.connection_minutes", ctx.executions * minutes)],
                ["WebSocket API: a request and a reply message per execution (32 KB units), one connection"
                 f" held {minutes} minute(s) per execution"])
    if style == "graphql":
        return [("appsync.operations", ctx.executions)], ["AppSync: one query or mutation per execution,"
                                                          " no subscriptions or caching"]
    units = ctx.chunks(512 * 1024)
    return [("apigw.http.requests", ctx.executions * units)], [f"HTTP API: {units} 512 KB request unit(s) per"
                                                               " execution; 12-month free tier not applied"]


def _entry_api(kind: str) -> _Estimator:
    def est(ctx: _Ctx) -> tuple[_Usage, list[str]]:
        usage, notes = _api_usage(ctx, ctx.api or ctx.flow.api or "http")
        if kind == "api-queue":
            q, why = _sqs_usage(ctx, "sqs.standard.requests", 1)
            usage, notes = usage + q, notes + ["the API writes each request to an SQS queue", why]
        elif kind == "api-async":
            notes = notes + ["the async hand-off (StartExecution, PutEvents, async invoke) is priced with the"
                             " orchestrator, channel and compute options"]
        return usage, notes
    return est


def _entry_schedule(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    return [("scheduler.invocations", ctx.executions)], ["EventBridge Scheduler: one invocation per execution"]


def _entry_eventbridge_rule(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    why = {"event": "the events are already priced in the upstream flow's channel",
           "schedule": "scheduled rules on the default bus are not charged (recalled, not read from a page)",
           "upload": "AWS service events on the default bus are free"}.get(
        ctx.flow.trigger, "events from AWS services on the default bus are free; custom events are priced"
                          " where they are published")
    return [], [why]


def _entry_s3_event(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    return [("s3.put_requests", ctx.executions)], ["one S3 PUT (the upload) per execution; the event"
                                                   " notification itself is not charged"]


def _entry_sqs_poll(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    usage, why = _sqs_usage(ctx, "sqs.standard.requests", 1)
    return usage, ["Lambda's SQS poller is free; the queue's requests are not", why]


def _entry_stream_poll(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    return [("dynamodb.streams.lambda_reads", ctx.executions)], ["stream reads by a Lambda trigger"]


# compute ---------------------------------------------------------------------

def records_per_invocation(entry: str | None, rate_per_s: float) -> Decimal:
    """Records one invocation of a poll entry's function handles: what arrives at ``rate_per_s`` in the batching
    window (at least ``POLL_CYCLE_S``), between 1 and the batch size the scaffold sets. 1 for other entries."""
    poll = sizing().poll.get(entry or "")
    if poll is None:
        return Decimal(1)
    window = max(_d(poll.window_s), _d(POLL_CYCLE_S))
    return min(_d(poll.batch_size), max(Decimal(1), _d(rate_per_s) * window))


def _lambda(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    n, busy = ctx.n_steps, ctx.busy_seconds
    gb_s = ctx.executions * busy * _d(ctx.memory_mb) / 1024
    batch = Decimal(1) if ctx.orchestrated else records_per_invocation(ctx.entry, ctx.flow.traffic.average)
    requests = ctx.executions * (n - 1) + ctx.executions / batch
    notes = [f"one invocation per step ({n} per execution), {_fmt(busy)} s of compute per execution in all,"
             f" {ctx.memory_mb} MB, x86, on-demand; INIT time (billed since Aug 2025) not included"]
    if batch > 1:
        poll = sizing().poll[ctx.entry or ""]
        notes.append(f"the first step reads its {ctx.entry} source in batches: {_fmt(batch.quantize(Decimal('0.1')))}"
                     f" record(s) per invocation (batch size {poll.batch_size}; what arrives at"
                     f" {_fmt(ctx.flow.traffic.average)}/s in {_fmt(max(poll.window_s, POLL_CYCLE_S))} s)")
    return [("lambda.requests", requests), ("lambda.duration", gb_s)], notes


def _fargate(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    """The cheaper of two ways to run the steps: a task per execution, or an always-on service."""
    busy = ctx.busy_seconds
    concurrency = _d(ctx.flow.traffic.average) * busy
    per_task = max(busy, _d(FARGATE_MIN_TASK_SECONDS))
    per_execution_hours = ctx.executions * per_task / 3600
    tasks = max(1, math.ceil(concurrency))
    service_hours = _d(tasks * HOURS_PER_MONTH)
    if per_execution_hours <= service_hours:
        task_hours = per_execution_hours
        how = (f"one task per execution, running {_fmt(per_task)} s (busy time, 1-minute minimum), cheaper than"
               f" {tasks} task(s) running all month")
    else:
        task_hours = service_hours
        how = (f"a service of {tasks} task(s) running all month for an average concurrency of {_fmt(concurrency)},"
               " cheaper than a task per execution; scaling out for the peak is not priced")
    return [("fargate.vcpu_hours", task_hours * FARGATE_TASK_VCPU), ("fargate.gb_hours", task_hours * FARGATE_TASK_GB)], [
        f"task size {FARGATE_TASK_VCPU} vCPU / {FARGATE_TASK_GB} GB per concurrent execution, Linux/x86", how]


# data store ------------------------------------------------------------------

def _dynamodb(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    w, r = ctx.chunks(1024), ctx.chunks(4096)
    return [("dynamodb.write_request_units", ctx.executions * w), ("dynamodb.read_request_units", ctx.executions * r)], [
        f"on-demand: one write ({w} WRU) and one strongly consistent read ({r} RRU) of the payload per execution;"
        " storage, indexes and streams not included"]


def _aurora(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    proxy = ctx.prices.get("rds_proxy.capacity_hours", ctx.region)
    proxy_capacity = max(AURORA_MIN_ACU, proxy.minimum_capacity or Decimal(0))
    return [("aurora.acu_hours", AURORA_MIN_ACU * HOURS_PER_MONTH),
            ("aurora.io_requests", ctx.executions * AURORA_IOS_PER_EXECUTION),
            ("rds_proxy.capacity_hours", proxy_capacity * HOURS_PER_MONTH)], [
        f"Aurora Serverless v2 at its {AURORA_MIN_ACU} ACU minimum all month (RDS Proxy rules out scaling to 0);"
        " capacity above the minimum for the load is not priced",
        f"RDS Proxy billed for {_fmt(proxy_capacity)} capacity units all month",
        f"{AURORA_IOS_PER_EXECUTION} I/O requests per execution (Aurora Standard); storage not included"]


def _s3(ctx: _Ctx) -> tuple[_Usage, list[str]]:
    return [("s3.put_requests", ctx.executions), ("s3.get_requests", ctx.executions)], [
        "one PUT and one GET per execution; storage and transfer not included"]


ESTIMATORS: dict[str, dict[str, _Estimator]] = {
    "orchestrator": {
        "step-functions-standard": _sfn_standard,
        "step-functions-express": _sfn_express,
        "none": _nothing("no state machine; the steps' compute is priced under compute"),
    },
    "channel": {
        "none": _nothing("no channel: nothing is published"),
        "sqs": _ch_sqs("sqs.standard.requests"),
        "sqs-fifo": _ch_sqs("sqs.fifo.requests"),
        "sns": _ch_sns,
        "sns-fifo": _ch_sns_fifo,
        "sns-sqs": _ch_sns_sqs,
        "eventbridge": _ch_eventbridge,
        "eventbridge-sns": _ch_eventbridge_sns,
        "kinesis": _kinesis(lambda ctx: ctx.consumers),
        "dynamodb-streams": _ch_dynamodb_streams,
    },
    "entry": {
        "api-sync": _entry_api("api-sync"),
        "api-async": _entry_api("api-async"),
        "api-queue": _entry_api("api-queue"),
        "schedule": _entry_schedule,
        "s3-event": _entry_s3_event,
        "sqs-poll": _entry_sqs_poll,
        "kinesis-poll": _kinesis(lambda ctx: 1),
        "dynamodb-stream-poll": _entry_stream_poll,
        "kafka-poll": _nothing("the Kafka cluster (MSK or self-managed) is not priced; Lambda's poller is free"),
        "mq-poll": _nothing("the Amazon MQ broker is not priced; Lambda's poller is free"),
        "eventbridge-rule": _entry_eventbridge_rule,
        "sns-subscription": _nothing("the publishes are priced in the upstream flow's channel; delivery to"
                                     " Lambda is not charged [U]"),
    },
    "compute": {"lambda": _lambda, "fargate": _fargate},
    "data_store": {
        "dynamodb": _dynamodb,
        "aurora-serverless": _aurora,
        "s3": _s3,
        "none": _nothing("no data store"),
    },
    # Not a decision of the recommendation contract: the API style is the user's
    # input, but its price is worth showing next to the others.
    "api_style": {style: (lambda s: lambda ctx: _api_usage(ctx, s))(style)
                  for style in ("http", "rest", "websocket", "graphql")},
}

@lru_cache(maxsize=None)
def entry_options_for(trigger: str) -> tuple[str, ...]:
    """The entry options that can start a flow with this trigger (decisions.yaml's ``trigger`` attribute, read
    once: every option estimate of every flow asks)."""
    from ..catalog import options_where

    return options_where("entry", trigger=trigger)


def _options_for(flow: Flow, decision: str) -> tuple[str, ...]:
    if decision == "entry":
        return entry_options_for(flow.trigger)
    if decision == "api_style":
        if flow.trigger != "api":
            return ()
        return tuple(sorted({"http", "rest", flow.api or "http"}))
    return tuple(ESTIMATORS[decision])


def _option_cost(ctx: _Ctx, decision: str, option: str, free_tier: bool,
                 estimator: _Estimator | None = None) -> OptionCost:
    usage, notes = (estimator or ESTIMATORS[decision][option])(ctx)
    usage = [(k, q.quantize(_MICRO, rounding=ROUND_HALF_UP)) for k, q in usage]
    lines: list[Line] = []
    pools: dict[str, Decimal] = {}
    for key, qty in usage:
        price = ctx.prices.get(key, ctx.region)
        free = Decimal(0)
        if free_tier and price.free_per_month:
            pool = price.free_pool or key
            left = pools.setdefault(pool, price.free_per_month)
            free = min(left, qty)
            pools[pool] = left - free
        lines.extend(charge(price, qty, free=free))
    notes = list(notes) + _price_notes(ctx.prices, ctx.region, (k for k, _ in usage))
    if free_tier and pools:
        notes.append("always-free monthly allowances applied as if this flow were alone in the account")
    return OptionCost(decision, option, tuple(usage), tuple(lines), tuple(notes))


def _fallback_note(prices: PriceTable, region: str, keys: Iterable[str]) -> list[str]:
    """One note for every price taken from the base region (said once per estimate, not per option)."""
    if region not in prices.entries:
        return [f"region {region} is not in the price table: every price is {prices.base_region}'s"]
    missing = sorted(k for k in set(keys) if prices.get(k, region).fallback_from)  # each key looked up once
    if not missing:
        return []
    return [f"no {region} price in the table for {', '.join(missing)}: used {prices.base_region}'s"]


def _price_notes(prices: PriceTable, region: str, keys: Iterable[str]) -> list[str]:
    notes = []
    for key in sorted(set(keys)):
        p = prices.get(key, region)
        if p.uncertain:
            notes.append(f"price {key} is marked uncertain [{p.confidence}]: verify at {p.source}")
    return notes


def _context(flow: Flow, region: str, memory_mb: int, prices: PriceTable,
             chosen: Mapping[str, str] | None = None, targets: int | None = None, api: str | None = None) -> _Ctx:
    executions = (_d(flow.traffic.average) * SECONDS_PER_MONTH).quantize(_MICRO, rounding=ROUND_HALF_UP)
    entries = entry_options_for(flow.trigger)
    entry = (chosen or {}).get("entry") or (entries[0] if len(entries) == 1 else None)
    orchestrated = (chosen or {}).get("orchestrator", "none") != "none"
    return _Ctx(flow, prices, region, memory_mb, executions, entry, orchestrated, targets, api)


def estimate_option(flow: Flow, decision: str, option: str, region: str = DEFAULT_REGION, *,
                    memory_mb: int = DEFAULT_MEMORY_MB, free_tier: bool = False,
                    prices: PriceTable | None = None) -> OptionCost:
    """The monthly cost of one option (any option of ``ESTIMATORS``, whatever the trigger)."""
    ctx = _context(flow, region, memory_mb, prices or load_price_table())
    return _option_cost(ctx, decision, option, free_tier)


def estimate_flow(flow: Flow, region: str = DEFAULT_REGION, *, memory_mb: int = DEFAULT_MEMORY_MB,
                  free_tier: bool = False, prices: PriceTable | None = None,
                  chosen: Mapping[str, str] | None = None, targets: int | None = None,
                  attached_to: str | None = None, api: str | None = None) -> FlowCost:
    """Every option of every decision for one flow, per 30-day month.

    Entry options are those that fit the flow's trigger; ``chosen``
    (decision -> option, e.g. from a recommendation) adds any option it names. ``targets`` is how many
    targets the outcome reaches, each once (else the consumer contexts); ``attached_to`` names the upstream
    flow whose channel starts this one: that channel (its queue, subscription or rule) is priced there,
    once, so this flow's entry costs nothing more. ``api`` is the API style the architecture builds.
    """
    prices = prices or load_price_table()
    ctx = _context(flow, region, memory_mb, prices, chosen, targets, api)
    attached = _nothing(f"the upstream flow {attached_to}'s channel delivers here; it is priced there, once"
                        ) if attached_to else None
    decisions: dict[str, dict[str, OptionCost]] = {}
    for decision in ESTIMATORS:
        options = set(_options_for(flow, decision))
        if chosen and decision in chosen and chosen[decision] in ESTIMATORS[decision]:
            options.add(chosen[decision])
        if options:
            decisions[decision] = {o: _option_cost(ctx, decision, o, free_tier,
                                                   attached if decision == "entry" else None)
                                   for o in sorted(options)}
    notes = [f"{_fmt(flow.traffic.average)} executions/s on average = {_fmt(ctx.executions)} per 30-day month",
             f"{memory_mb} MB per function where memory matters"]
    if not free_tier:
        notes.append("list prices without free tiers (they are per account: see the workload total)")
    known = {d: o for d, o in (chosen or {}).items() if d in decisions and o in decisions[d]}
    return FlowCost(flow.name, region, ctx.executions, memory_mb, free_tier, decisions, tuple(notes),
                    known or None)


COST_DECISIONS = ("orchestrator", "channel", "entry", "compute", "data_store")


def _api_styles(workload: Workload, recommendation: Mapping[str, Any]) -> dict[str, str]:
    """flow -> the API style its architecture builds (the model's API node), which the entry is priced at."""
    from ..architecture import API_NODE, entry_api, model_of

    style = {node_type: name for name, node_type in API_NODE.items()}
    return {n["flow"]: style[n["type"]] for n in model_of(workload, recommendation)["nodes"]
            if n["type"] in style and n.get("flow") and n["id"] == entry_api(n["flow"])}


def _shared(workload: Workload, chosen: Mapping[str, Mapping[str, str]]) -> tuple[dict[str, int], dict[str, str]]:
    """What the architecture model shares between flows, so each resource is priced once: the targets each
    flow's outcome reaches (counted once, as architecture.outcome_targets counts them), and the flows that
    attach to an upstream flow's channel (whose queue or subscription the upstream's channel prices)."""
    from ..architecture import outcome_targets

    downstream: dict[str, list[Flow]] = {}
    for f in workload.flows:
        if f.after:
            downstream.setdefault(f.after, []).append(f)
    targets = {f.name: len(outcome_targets(f, downstream.get(f.name, ()))) - len(f.external_targets)
               for f in workload.flows}
    attached = {f.name: f.after for f in workload.flows
                if f.after and chosen.get(f.after, {}).get("channel", "none") != "none"}
    return targets, attached


def chosen_options(recommendation: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """flow name -> decision -> chosen option, read from a recommendation dict."""
    out: dict[str, dict[str, str]] = {}
    for f in recommendation.get("flows", []):
        decisions = f.get("decisions", {})
        out[f["name"]] = {d: decisions[d]["choice"] for d in COST_DECISIONS
                          if d in decisions and decisions[d].get("choice") is not None}
    return out


def estimate_workload(workload: Workload, recommendation: Mapping[str, Any] | None = None, *,
                      region: str | None = None, memory_mb: int = DEFAULT_MEMORY_MB,
                      prices: PriceTable | None = None, today: date | None = None) -> WorkloadCost:
    """Every flow's options, and, given a recommendation, the monthly total of its choices.

    The total sums the chosen options' quantities over all flows per price,
    then applies each always-free allowance once and the volume tiers to the sum.
    """
    prices = prices or load_price_table()
    region = region or workload.region
    chosen = chosen_options(recommendation) if recommendation else {}
    targets, attached = _shared(workload, chosen)
    apis = _api_styles(workload, recommendation) if recommendation else {}
    flows = tuple(estimate_flow(f, region, memory_mb=memory_mb, prices=prices, chosen=chosen.get(f.name),
                                targets=targets.get(f.name), attached_to=attached.get(f.name), api=apis.get(f.name))
                  for f in workload.flows)
    notes = ["a month is 30 days; rates are the workload's averages (Kinesis shards: the peak)",
             "data transfer, storage, logs, metrics and tracing are not included"]
    notes += _fallback_note(prices, region, (key for fc in flows for opts in fc.decisions.values()
                                             for oc in opts.values() for key, _ in oc.usage))
    lines: tuple[Line, ...] | None = None
    if recommendation is not None:
        totals: dict[str, Decimal] = {}
        for fc in flows:
            for d, o in (fc.chosen or {}).items():
                for key, qty in fc.decisions[d][o].usage:
                    totals[key] = totals.get(key, Decimal(0)) + qty
        out: list[Line] = []
        pools: dict[str, Decimal] = {}
        free_keys = []
        for key in sorted(totals):
            price = prices.get(key, region)
            free = Decimal(0)
            if price.free_per_month:
                pool = price.free_pool or key
                left = pools.setdefault(pool, price.free_per_month)
                free = min(left, totals[key])
                pools[pool] = left - free
                free_keys.append(key)
            out.extend(charge(price, totals[key], free=free))
        lines = tuple(out)
        if free_keys:
            notes.append("always-free monthly allowances applied once to the workload's total: "
                         + ", ".join(free_keys))
        notes.extend(_price_notes(prices, region, totals))
    else:
        notes.append("no recommendation given: options are listed but nothing is totalled")
    return WorkloadCost(workload.name, region, flows, price_table_info(today, prices), lines, tuple(notes))


# --------------------------------------------------------------------------- facts for the engine

FACTS: dict[str, str] = {
    "cost.orchestrator.standard_monthly": "USD/month of Step Functions Standard for this flow (list price)",
    "cost.orchestrator.express_monthly": "USD/month of Step Functions Express for this flow (list price)",
    "cost.orchestrator.standard_over_express_ratio": "Standard / Express monthly cost (0 when Express costs 0)",
    "cost.orchestrator.express_saving_monthly": "Standard minus Express, USD/month",
    "cost.compute.lambda_monthly": "USD/month of the flow's steps on Lambda",
    "cost.compute.fargate_monthly": "USD/month of the flow's steps on Fargate",
    "cost.compute.fargate_over_lambda_ratio": "Fargate / Lambda monthly cost (0 when Lambda costs 0)",
    "cost.compute.lambda_saving_monthly": "Fargate minus Lambda, USD/month (negative: Fargate is cheaper)",
    "cost.orchestrator.express_saving_material": "Express saves a material amount over Standard (material())",
    "cost.orchestrator.standard_saving_material": "Standard saves a material amount over Express (material())",
    "cost.compute.fargate_saving_material": "Fargate saves a material amount over Lambda (material())",
    "cost.compute.lambda_saving_material": "Lambda saves a material amount over Fargate (material())",
    "cost.entry.http_api_monthly": "USD/month of an HTTP API for this flow (trigger api only)",
    "cost.entry.rest_api_monthly": "USD/month of a REST API for this flow (trigger api only)",
}


def _ratio(a: Decimal, b: Decimal) -> float:
    return round(float(a / b), 2) if b > 0 else 0.0


def material(cheaper: Decimal, dearer: Decimal) -> bool:
    """Whether choosing ``cheaper`` over ``dearer`` saves enough for cost to decide: at most half the cost and at
    least MATERIAL_USD a month less."""
    return dearer - cheaper >= MATERIAL_USD and cheaper * MATERIAL_RATIO <= dearer


def _pair_facts(flow: Flow, region: str, memory_mb: int, prices: PriceTable | None, decision: str,
                x: tuple[str, str], y: tuple[str, str]) -> dict[str, float | bool]:
    """Two options of one decision compared: ``cost.<decision>.`` {x}_monthly, {y}_monthly, {x}_over_{y}_ratio,
    {y}_saving_monthly (x minus y) and whether either saves a material amount. ``x`` and ``y`` are (option,
    short name)."""
    est = lambda o: estimate_option(flow, decision, o, region, memory_mb=memory_mb,  # noqa: E731
                                    prices=prices).monthly_usd
    (xo, xn), (yo, yn) = x, y
    xv, yv = est(xo), est(yo)
    p = f"cost.{decision}."
    return {
        f"{p}{xn}_monthly": float(xv),
        f"{p}{yn}_monthly": float(yv),
        f"{p}{xn}_over_{yn}_ratio": _ratio(xv, yv),
        f"{p}{yn}_saving_monthly": float(xv - yv),
        f"{p}{yn}_saving_material": material(yv, xv),
        f"{p}{xn}_saving_material": material(xv, yv),
    }


def orchestrator_cost_facts(flow: Flow, region: str = DEFAULT_REGION, *, memory_mb: int = DEFAULT_MEMORY_MB,
                            prices: PriceTable | None = None) -> dict[str, float | bool]:
    """The ``cost.orchestrator.*`` facts alone (the engine's K101 and K103 need only these, for many flows)."""
    return _pair_facts(flow, region, memory_mb, prices, "orchestrator", ("step-functions-standard", "standard"),
                       ("step-functions-express", "express"))


def compute_cost_facts(flow: Flow, region: str = DEFAULT_REGION, *, memory_mb: int = DEFAULT_MEMORY_MB,
                       prices: PriceTable | None = None) -> dict[str, float | bool]:
    """The ``cost.compute.*`` facts alone (the engine's K102)."""
    return _pair_facts(flow, region, memory_mb, prices, "compute", ("fargate", "fargate"), ("lambda", "lambda"))


def cost_facts(flow: Flow, region: str = DEFAULT_REGION, *, memory_mb: int = DEFAULT_MEMORY_MB,
               prices: PriceTable | None = None) -> dict[str, float]:
    """Numbers the rule engine may compare (names and meaning in ``FACTS``), list prices, no free tier."""
    est = lambda d, o: estimate_option(flow, d, o, region, memory_mb=memory_mb, prices=prices).monthly_usd  # noqa: E731
    facts = {
        **orchestrator_cost_facts(flow, region, memory_mb=memory_mb, prices=prices),
        **compute_cost_facts(flow, region, memory_mb=memory_mb, prices=prices),
    }
    if flow.trigger == "api":
        facts["cost.entry.http_api_monthly"] = float(est("api_style", "http"))
        facts["cost.entry.rest_api_monthly"] = float(est("api_style", "rest"))
    return dict(sorted(facts.items()))


