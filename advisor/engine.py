"""The rule engine: decide every flow's six decisions, and keep the full trace.

For each flow (upstream flows first, so that ``upstream.*`` facts exist), for
each decision in ``rules.DECISION_ORDER``:

1. limits: every ``limit`` rule whose condition holds excludes options
   (``exclude``) or all but some (``only``);
2. preferences: every ``preference`` rule whose condition holds adds its
   weights to the tier of its standing (need, guidance, cost, simplicity:
   ``rules.STANDINGS``); the options left are ranked tier by tier, so the
   highest standing that tells them apart decides and a lower one only breaks
   its ties, whatever the weights; ties left go to the option listed first in
   ``rules.DECISION_OPTIONS``. The decision records the standing that decided
   (``decided_by``);
3. the choice becomes the fact ``decision.<name>`` for the decisions after it.

When limits exclude every option, the rules contradict each other for this
input: the engine says so as an error finding (ADV001) and decides among all
options by score, so the user still sees the whole picture.

Then ``finding`` rules run on the flow with all its decisions made. Every
fired rule is kept with the values its condition saw (from which ``Firing.evidence``
rebuilds the evaluated condition tree) and its sentence.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import facts
from .graph import EventGraph
from .model import Workload
from .rules import _PLACEHOLDER, DECISION_OPTIONS, DECISION_ORDER, STANDINGS, Catalog, Rule, load_catalog

SEVERITIES = ("info", "warning", "error")


@dataclass(slots=True)
class Firing:
    rule: Rule
    values: dict  # every fact the rule's condition names, with the value it had when the rule fired
    because: str
    effect: dict  # the rule's then without its decision (shared by every firing of the rule in a run)

    @property
    def evidence(self) -> dict:
        """The condition tree with each leaf's actual value and every node's result (no short-circuit),
        rebuilt from the values the rule saw."""
        from .conditions import evaluate

        return evaluate(self.rule.when, self.values.get)

    def to_dict(self) -> dict[str, Any]:
        """Compact on purpose (a 10,000-flow workload fires ~250,000 rules): the rule, its effect, the values it
        saw and its sentence. ``advisor rules show ID`` has the rest (title, condition, references). ``values``
        is shared, not copied (160,000 copies for 10,000 flows): nothing changes it once the rule has fired."""
        return {"rule": self.rule.id, "kind": self.rule.kind, "effect": self.effect, "because": self.because,
                "values": self.values}


@dataclass(slots=True)
class Decision:
    name: str
    choice: str
    runner_up: str | None
    reason: str
    scores: dict[str, float]
    excluded: dict[str, list[Firing]]
    trace: list[Firing]
    decided_by: str = "simplicity"  # the standing that decided (rules.STANDINGS)

    def to_dict(self, trace: bool = True) -> dict[str, Any]:
        d = {
            "choice": self.choice, "runner_up": self.runner_up, "reason": self.reason,
            "decided_by": self.decided_by,
            "scores": dict(self.scores),  # built in DECISION_OPTIONS order by _decide
            "excluded": {o: [f.rule.id for f in fs] for o, fs in self.excluded.items()},
        }
        if trace:
            d["trace"] = [f.to_dict() for f in self.trace]
        return d


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str
    title: str
    message: str
    references: list[str]
    flow: str | None = None
    values: dict | None = None  # the facts the finding's condition saw

    def to_dict(self) -> dict[str, Any]:
        d = {"rule": self.rule, "severity": self.severity, "title": self.title, "message": self.message,
             "references": self.references}
        if self.values is not None:
            d["values"] = dict(self.values)
        return d


@dataclass(slots=True)
class Hop:
    """One edge of the architecture model on a flow's path (architecture.Edge, as the flow's JSON shows it)."""
    source: str
    target: str
    service: str  # the integration's kind: esm, subscription, rule-target, pipe, sdk-call, ...
    model: str  # push | event | poll
    mode: str  # sync | async

    def to_dict(self) -> dict[str, str]:
        return {"from": self.source, "to": self.target, "service": self.service, "model": self.model,
                "mode": self.mode}


@dataclass(slots=True)
class FlowAdvice:
    name: str
    context: str
    trigger: str
    after: str | None
    decisions: dict[str, Decision]
    hops: list[Hop] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def choice(self, decision: str) -> str:
        return self.decisions[decision].choice

    def to_dict(self, trace: bool = True) -> dict[str, Any]:
        return {"name": self.name, "context": self.context, "trigger": self.trigger, "after": self.after,
                "decisions": {d: self.decisions[d].to_dict(trace) for d in DECISION_ORDER},
                "hops": [h.to_dict() for h in self.hops],
                "findings": [f.to_dict() for f in self.findings]}


@dataclass
class Recommendation:
    workload: str
    region: str
    flows: list[FlowAdvice]
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    architecture: Any = None  # architecture.Architecture, built from every flow's decisions

    def all_findings(self) -> list[Finding]:
        return self.findings + [f for fl in self.flows for f in fl.findings]

    def to_dict(self, trace: bool = True) -> dict[str, Any]:
        """The recommendation dict (docs/recommendation-dict.md); ``trace=False`` leaves out every decision's
        ``trace`` (most of its size: ~16 fired rules a flow, each with its values and sentence), for a report
        that does not show it."""
        d = {"version": 1, "workload": self.workload, "region": self.region,
             "flows": [f.to_dict(trace) for f in self.flows],
             "findings": [f.to_dict() for f in self.findings], "notes": list(self.notes)}
        if self.architecture is not None:
            d["architecture"] = self.architecture.to_dict()
        return d


class _Prepared:
    """What the engine needs of a rule, worked out once per run: its fast test, the facts its condition names,
    and its sentence split into literal text and placeholders."""

    __slots__ = ("rule", "test", "facts", "parts", "triggers", "excludes", "effect", "standing")

    def __init__(self, rule: Rule):
        from .conditions import compile_condition, facts_used

        self.rule = rule
        self.standing = rule.standing
        then = rule.then
        self.effect = {k: v for k, v in then.items() if k != "decision"}
        self.excludes = tuple(then["exclude"]) if "exclude" in then else tuple(
            o for o in DECISION_OPTIONS.get(then.get("decision"), ()) if o not in then.get("only", ()))
        self.test = compile_condition(rule.when)
        self.triggers = _trigger_guard(rule.when)
        self.facts = tuple(dict.fromkeys(facts_used(rule.when)))
        pieces = _PLACEHOLDER.split(" ".join(rule.explain["because"].split()))
        self.parts = tuple(p if i % 2 == 0 else _limit_text(p) if p.startswith("limit.") else
                           (p, (facts.spec(p).unit if facts.spec(p) else "text")) for i, p in enumerate(pieces))

    def values(self, resolve) -> dict[str, Any]:
        return {name: resolve(name) for name in self.facts}

    def sentence(self, resolve, values: dict[str, Any] | None = None) -> str:
        """The rule's ``because`` with the user's values, in their units, in place of ``{fact}``; ``values``: the
        facts already resolved for this firing (:meth:`values`), which a sentence mostly names again."""
        fmt = facts.fmt
        seen = values or {}
        return "".join([p if p.__class__ is str else fmt(p[1], seen[p[0]] if p[0] in seen else resolve(p[0]))
                        for p in self.parts])


def _limit_text(placeholder: str) -> str:
    """``{limit.name}`` in a sentence: the limit's value in its unit (a constant, worked out once)."""
    from .catalog import limits

    lim = limits()[placeholder[len("limit."):]]
    return facts.fmt(lim.unit, lim.value)


def _trigger_guard(when: dict) -> frozenset | None:
    """The triggers a rule can fire for, when its top-level ``all`` tests ``flow.trigger`` with ``equal`` or
    ``in`` (about a third of the catalog); None when any trigger may do. Rules whose guard excludes a flow's
    trigger are not even tested for it: the result is the same, and large workloads run faster."""
    for leaf in when.get("all", ()):
        if leaf.get("fact") == "flow.trigger":
            if leaf.get("operator") == "equal" and isinstance(leaf.get("value"), str):
                return frozenset([leaf["value"]])
            if leaf.get("operator") == "in" and isinstance(leaf.get("value"), list):
                return frozenset(leaf["value"])
    return None


def _for_trigger(rules: list[_Prepared], trigger: str) -> list[_Prepared]:
    return [p for p in rules if p.triggers is None or trigger in p.triggers]


def _resolver(ctx: facts.FlowContext):
    """Fact values of one flow: stable facts are computed once, decisions read live. A closure rather than a
    class: it is called about 200 times a flow."""
    cache: dict[str, Any] = {}
    get, live, miss = facts.get, facts.LIVE, _MISS
    decisions, upstream = ctx.decisions, ctx.upstream

    def resolve(name: str) -> Any:
        value = cache.get(name, miss)  # not try/except KeyError: live facts miss every time, and raising is slow
        if value is miss:
            key = _OWN_DECISION.get(name)  # the live facts read most (facts.py: decision.*, upstream.*), direct
            if key is not None:
                return decisions.get(key)
            key = _UPSTREAM_DECISION.get(name)
            if key is not None:
                return upstream.get(key)
            value = get(name, ctx)
            if name not in live:
                cache[name] = value
        return value
    return resolve


_OWN_DECISION = {f"decision.{d}": d for d in DECISION_ORDER}
_UPSTREAM_DECISION = {f"upstream.{d}": d for d in DECISION_ORDER}


_MISS = object()


def advise(workload: Workload, catalog: Catalog | None = None) -> Recommendation:
    """Decide every flow of ``workload`` with the rules of ``catalog`` (the built-in catalog by default)."""
    catalog = catalog or load_catalog()
    by_decision: dict[str, list[_Prepared]] = {d: [] for d in DECISION_ORDER}
    finding_rules: list[_Prepared] = []
    for rule in catalog.rules:
        if rule.kind == "finding":
            finding_rules.append(_Prepared(rule))
        elif rule.decision in by_decision:
            by_decision[rule.decision].append(_Prepared(rule))

    per_trigger: dict[str, tuple[dict[str, list[_Prepared]], list[_Prepared]]] = {}
    graph = EventGraph(workload)
    quotas, known_region = facts.region_quotas(workload.region)
    advice: dict[str, FlowAdvice] = {}
    flows = {f.name: f for f in workload.flows}
    for name in graph.decision_order():
        flow = flows[name]
        upstream = advice.get(flow.after) if flow.after else None
        ctx = facts.FlowContext(workload, flow, graph, quotas, {},
                                {d: upstream.choice(d) for d in DECISION_ORDER} if upstream else {})
        resolve = _resolver(ctx)
        if flow.trigger not in per_trigger:
            per_trigger[flow.trigger] = ({d: _for_trigger(rs, flow.trigger) for d, rs in by_decision.items()},
                                         _for_trigger(finding_rules, flow.trigger))
        decision_rules, flow_finding_rules = per_trigger[flow.trigger]
        decided: dict[str, Decision] = {}
        findings: list[Finding] = []
        for decision in DECISION_ORDER:
            d, conflict = _decide(decision, decision_rules[decision], resolve, findings)
            decided[decision] = d
            ctx.decisions[decision] = d.choice
            if conflict:
                findings.append(conflict)
        for prepared in flow_finding_rules:
            if _fires(prepared, resolve, findings):
                rule = prepared.rule
                values = prepared.values(resolve)
                findings.append(Finding(rule.id, rule.severity or "info", rule.title,
                                        prepared.sentence(resolve, values), list(rule.references), flow.name, values))
        findings.sort(key=lambda f: (-SEVERITIES.index(f.severity), f.rule))
        advice[name] = FlowAdvice(flow.name, flow.context, flow.trigger, flow.after, decided, [], findings)
    from . import architecture, system

    arch = architecture.build(workload, {n: {d: a.decisions[d].choice for d in DECISION_ORDER}
                                         for n, a in advice.items()})
    for edge in arch.edges:
        if edge.flow in advice:
            advice[edge.flow].hops.append(Hop(edge.source, edge.target, edge.kind, edge.model, edge.mode))
    notes = []
    if not known_region:
        notes.append(f"Quotas for region {workload.region} are not in advisor's table; the most conservative "
                     "figures were used. Check the Service Quotas console for your account.")
    return Recommendation(workload.name, workload.region, [advice[f.name] for f in workload.flows],
                          system.findings(workload, arch, quotas), notes + arch.notes, arch)


def _fires(prepared: _Prepared, resolve, findings: list[Finding]) -> bool:
    """Whether a rule's condition holds. Rules are checked when they load, so none should fail here; if a
    user rule still does, it does not fire and the failure is an error finding (ADV002) naming the rule and
    its file, and every other rule still runs."""
    try:
        return prepared.test(resolve)
    except Exception as exc:  # noqa: BLE001 - a user rule's fault must not stop the recommendation
        rule = prepared.rule
        findings.append(Finding("ADV002", "error", f"Rule {rule.id} failed while running",
                                f"Rule {rule.id} ({rule.file}) could not be evaluated for this flow "
                                f"({type(exc).__name__}: {str(exc)[:200]}); it was left out. Fix the rule's "
                                "condition and run again.", []))
        return False


_TIERS = STANDINGS[1:]  # need, guidance, cost, simplicity: the standings of preferences, highest first
_TIER_NAMES = {"need": "stated needs", "guidance": "AWS's guidance", "cost": "cost", "simplicity": "simplicity"}
_DECIDER = {"cost": "the cost model decides", "simplicity": "the simpler option is chosen"}


def tie_prefix(decided_by: str, choice: str, runner_up: str) -> str:
    """What a reason decided below guidance starts with: which standings tied and which one decided."""
    tied = ", ".join(_TIER_NAMES[t] for t in _TIERS[:_TIERS.index(decided_by)])
    tied = " and ".join(tied.rsplit(", ", 1))
    return f"{choice} and {runner_up} tie on {tied}; {_DECIDER[decided_by]}: "


def _decide(decision: str, rules: list[_Prepared], resolve,
            findings: list[Finding] | None = None) -> tuple[Decision, Finding | None]:
    """Limits exclude; the options left are ranked lexicographically by standing (need, guidance, cost,
    simplicity rules, then the order of DECISION_OPTIONS): a lower standing only breaks the ties of the higher
    ones, however heavy its weights. ``scores`` stays the sum over every standing, for the reader. A rule that
    fails while running becomes an ADV002 finding in ``findings`` (see :func:`_fires`)."""
    options = DECISION_OPTIONS[decision]
    scores = {o: 0.0 for o in options}
    tiers = {t: dict.fromkeys(options, 0.0) for t in _TIERS}
    excluded: dict[str, list[Firing]] = {}
    trace: list[Firing] = []
    weighed: list[tuple[str, Firing]] = []  # (standing, firing) of every preference that fired
    failed = findings if findings is not None else []
    for prepared in rules:
        if not _fires(prepared, resolve, failed):
            continue
        rule = prepared.rule
        values = prepared.values(resolve)
        firing = Firing(rule, values, prepared.sentence(resolve, values), prepared.effect)
        trace.append(firing)
        if rule.kind == "limit":
            for o in prepared.excludes:
                excluded.setdefault(o, []).append(firing)
        else:
            tier = tiers[prepared.standing]
            for o, w in rule.then["prefer"].items():
                scores[o] += w
                tier[o] += w
            weighed.append((prepared.standing, firing))
    left = [o for o in options if o not in excluded]
    conflict = None
    if not left:
        left = list(options)
        conflict = Finding("ADV001", "error", f"No {decision} option meets every limit",
                           f"Every option of {decision} is excluded by a limit for this input ("
                           + "; ".join(f"{o}: {', '.join(f.rule.id for f in fs)}" for o, fs in excluded.items())
                           + "). advisor chose by preference among all options: revisit the workload's numbers "
                           "or split the flow.", [])
    by_tier = [tiers[t] for t in _TIERS]
    rank = lambda o: (*[-scores_of[o] for scores_of in by_tier], options.index(o))  # noqa: E731
    ranked = sorted(left, key=rank)
    choice = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None
    # the limit that matters most: the one that removed the option the preferences would otherwise have chosen
    limit = excluded[min(excluded, key=rank)][0].because if excluded else None
    decided_by, reason = _reason(choice, runner_up, tiers, weighed, limit)
    return Decision(decision, choice, runner_up, reason, scores,
                    {o: excluded[o] for o in options if o in excluded}, trace, decided_by), conflict


def _reason(choice, runner_up, tiers, weighed, limit: str | None) -> tuple[str, str]:
    """The standing that decided and the sentence that says why: the rule of the deciding standing that sets the
    choice furthest apart from the runner-up, prefixed, below guidance, by the standings that tied; when the limits
    left one option, the limit that removed the option preferred most."""
    if runner_up is None:
        return ("limit", limit) if limit else ("simplicity", f"{choice} is the only option.")
    decided_by = next((t for t in _TIERS if tiers[t][choice] != tiers[t][runner_up]), None)
    if decided_by is None:
        support = [f for _, f in weighed if f.rule.then["prefer"].get(choice, 0) > 0]
        if support:  # the best-supported options tie on every standing: the first of them is the simplest
            best = max(support, key=lambda f: f.rule.then["prefer"][choice])
            return "simplicity", tie_prefix("simplicity", choice, runner_up) + best.because
        if limit:
            return "limit", limit
        return "simplicity", f"No rule favoured another option; {choice} is the simplest option left."

    def margin(f: Firing) -> float:
        prefer = f.rule.then["prefer"]
        return prefer.get(choice, 0) - prefer.get(runner_up, 0)
    best = max((f for t, f in weighed if t == decided_by), key=margin)
    if decided_by in _DECIDER and any(t in ("need", "guidance") for t, _ in weighed):
        return decided_by, tie_prefix(decided_by, choice, runner_up) + best.because
    return decided_by, best.because
