"""System-level findings: limits that hold per account and region, checked over the whole architecture model.

Per-flow rules (C301, O301, M110, A301, ...) see one flow at a time: two flows at 600 and 700 concurrent
executions each pass a 1,000 quota that together they exceed. These checks add up, over the model's nodes and
edges, what the flows that share a regional quota ask of it at peak (assuming their peaks coincide, the safe
reading), and report any total above the region's figure (advisor/data/quotas.yaml). A total that one flow
alone exceeds is left to that flow's own rule.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from .architecture import Architecture
from .model import Workload

_PUBLISH_KINDS = {"sdk-call", "service-integration", "pipe"}


@dataclass(frozen=True)
class _Check:
    id: str
    quota: str  # key of quotas.yaml
    title: str
    what: str  # "concurrent executions", "PutEvents calls per second", ...
    advice: str
    reference: str
    demand: Callable[[Workload, Architecture], dict[str, float]]  # flow -> its share at peak


def _lambda_concurrency(workload: Workload, arch: Architecture) -> dict[str, float]:
    out: dict[str, float] = {}
    for node in arch.nodes.values():
        if node.type == "function" and node.flow:
            out[node.flow] = out.get(node.flow, 0) + node.settings.get("peak_concurrency", 0)
    return out


def _peak(workload: Workload, flow: str | None) -> float:
    return workload.flow(flow).traffic.peak if flow else 0.0


def _put_events(workload: Workload, arch: Architecture) -> dict[str, float]:
    out: dict[str, float] = {}
    for e in arch.edges:
        if arch.nodes[e.target].type == "bus" and e.kind in _PUBLISH_KINDS and e.flow:
            out[e.flow] = out.get(e.flow, 0) + _peak(workload, e.flow)
    return out


def _target_invocations(workload: Workload, arch: Architecture) -> dict[str, float]:
    out: dict[str, float] = {}
    for e in arch.edges:
        source = arch.nodes[e.source]
        if source.type == "bus" and e.kind == "rule-target":
            flow = source.flow or e.flow  # the publishing flow's rate reaches every target
            if flow:
                out[flow] = out.get(flow, 0) + _peak(workload, flow)
    return out


def _standard_starts(workload: Workload, arch: Architecture) -> dict[str, float]:
    return {n.flow: n.settings.get("peak_starts_per_second", 0) for n in arch.nodes.values()
            if n.type == "standard-workflow" and n.flow}


def _api_requests(workload: Workload, arch: Architecture) -> dict[str, float]:
    from .architecture import entry_api

    return {n.flow: n.settings.get("peak_requests_per_second", 0) for n in arch.nodes.values()
            if n.type in ("http-api", "rest-api", "websocket-api") and n.flow and n.id == entry_api(n.flow)}


CHECKS = (
    _Check("ADV101", "lambda_concurrency", "Lambda concurrency of all flows over the account quota",
           "concurrent Lambda executions", "request a higher concurrent-executions quota before launch, or cap "
           "the pollers with maximum concurrency so the flows share the quota on purpose",
           "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html", _lambda_concurrency),
    _Check("ADV102", "eventbridge_putevents_tps", "EventBridge PutEvents of all flows over the regional quota",
           "PutEvents calls per second", "request a higher PutEvents quota, or batch up to 10 events per call",
           "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html", _put_events),
    _Check("ADV103", "eventbridge_target_invocations",
           "EventBridge target invocations of all flows over the regional quota", "rule target invocations per "
           "second", "request a higher invocations quota, or fan out through SNS behind one rule",
           "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html", _target_invocations),
    _Check("ADV104", "sfn_standard_start_refill",
           "Standard workflow starts of all flows over the regional StartExecution rate",
           "Standard StartExecution calls per second", "buffer the starts in a queue, move the short flows to "
           "Express, or request a higher quota",
           "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html", _standard_starts),
    _Check("ADV105", "apigw_account_rps", "API requests of all flows over the account's API Gateway throttle",
           "API requests per second", "request a higher account throttle, or set per-stage throttles so one "
           "API cannot starve the others",
           "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html", _api_requests),
)


def findings(workload: Workload, arch: Architecture, quotas: dict) -> list:
    """The system-level findings of ``arch`` against the region's ``quotas``."""
    from .engine import Finding

    out = []
    for check in CHECKS:
        quota = quotas.get(check.quota)
        demand = {f: v for f, v in check.demand(workload, arch).items() if v > 0}
        total = sum(demand.values())
        if not quota or total <= quota or max(demand.values(), default=0) > quota or len(demand) < 2:
            continue
        top = sorted(demand.items(), key=lambda kv: (-kv[1], kv[0]))
        shown = ", ".join(f"{f} {_fmt(v)}" for f, v in top[:5])
        more = f" and {len(top) - 5} more" if len(top) > 5 else ""
        out.append(Finding(
            check.id, "warning", check.title,
            f"Each flow fits, but together {len(demand)} flows need {_fmt(total)} {check.what} at peak "
            f"({shown}{more}), above the {_fmt(quota)} of {workload.region}: {check.advice}.",
            [check.reference], None, {"total": total, "quota": quota, "flows": dict(top)}))
    return out


def _fmt(value: float) -> str:
    return f"{math.ceil(value):,}"
