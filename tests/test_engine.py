"""The engine's two passes, tie-breaks, conflicts and trace, on small hand-made catalogs.

Each test builds the few rules it needs as ``Rule`` objects (no files), so a
test states the whole catalog it depends on and cannot break when the
built-in rules change. Workloads go through the real loader.
"""
from __future__ import annotations

import dataclasses

import pytest

from advisor.engine import advise
from advisor.rules import DECISION_OPTIONS, DECISION_ORDER, Catalog, Rule
from advisor.workload import load_text

REF = ("https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",)


def rule(rule_id: str, kind: str, when: dict, then: dict, because: str = "value {flow.trigger}",
         severity: str | None = None) -> Rule:
    return Rule(id=rule_id, name=f"test.rule_{rule_id.lower()}", title=f"rule {rule_id}", kind=kind, when=when,
                then=then, explain={"because": because}, references=REF, severity=severity, builtin=False)


def leaf(fact: str, operator: str, value=None) -> dict:
    d = {"fact": fact, "operator": operator}
    if value is not None:
        d["value"] = value
    return d


def workload(flow: str = "{name: f, trigger: api, duration: 1s}", *more: str, region: str | None = None):
    lines = ["version: 1", "name: w"] + ([f"region: {region}"] if region else []) + ["flows:"]
    lines += [f"  - {f}" for f in (flow, *more)]
    return load_text("\n".join(lines) + "\n")


def decide(rules: list[Rule], wl=None, flow: str = "f") -> dict:
    rec = advise(wl or workload(), Catalog(sorted(rules, key=lambda r: r.id)))
    return next(f for f in rec.to_dict()["flows"] if f["name"] == flow)


API = {"all": [leaf("flow.trigger", "equal", "api")]}


# -- pass 1: limits, pass 2: preferences ---------------------------------------------------------------------------

def test_limit_excludes_even_a_heavily_preferred_option():
    flow = decide([
        rule("C901", "limit", API, {"decision": "compute", "exclude": ["lambda"]},
             because="excluded for {flow.trigger}"),
        rule("C902", "preference", API, {"decision": "compute", "prefer": {"lambda": 1000}}),
    ])
    compute = flow["decisions"]["compute"]
    assert compute["choice"] == "fargate"
    assert compute["scores"] == {"lambda": 1000.0, "fargate": 0.0}, "an excluded option keeps its score, for the reader"
    assert compute["excluded"] == {"lambda": ["C901"]}
    assert compute["runner_up"] is None, "nothing else was left"
    assert compute["reason"] == "excluded for api", "the only option left is explained by the limit"
    assert [t["rule"] for t in compute["trace"]] == ["C901", "C902"]


def test_preferences_rank_the_options_left_by_summed_weight():
    flow = decide([
        rule("M901", "preference", API, {"decision": "channel", "prefer": {"kinesis": 2, "sns": 1}}),
        rule("M902", "preference", API, {"decision": "channel", "prefer": {"sns": 2, "kinesis": -1.5}},
             because="sns wins for {flow.trigger}"),
    ])
    channel = flow["decisions"]["channel"]
    assert channel["choice"] == "sns"
    assert channel["scores"]["sns"] == 3.0 and channel["scores"]["kinesis"] == 0.5
    assert channel["runner_up"] == "kinesis"
    assert channel["reason"] == "sns wins for api", "the reason is the sentence of the rule that weighed most"


# -- standing of reasons: need > guidance > cost > simplicity, whatever the weights ------------------------------

def standing(r: Rule, value: str) -> Rule:
    return dataclasses.replace(r, standing_given=value)


def test_a_stated_need_is_not_outvoted_by_heavier_guidance():
    flow = decide([
        standing(rule("O901", "preference", API, {"decision": "orchestrator",
                                                  "prefer": {"step-functions-standard": 1}},
                      because="need for {flow.trigger}"), "need"),
        rule("O902", "preference", API, {"decision": "orchestrator", "prefer": {"step-functions-express": 50}}),
    ])
    d = flow["decisions"]["orchestrator"]
    assert d["choice"] == "step-functions-standard" and d["decided_by"] == "need"
    assert d["scores"]["step-functions-express"] == 50.0, "scores stay the plain sum, for the reader"
    assert d["reason"] == "need for api"


def test_cost_decides_only_where_guidance_ties_and_says_so():
    guidance = [rule("C901", "preference", API, {"decision": "compute", "prefer": {"lambda": 2}}),
                rule("C902", "preference", API, {"decision": "compute", "prefer": {"fargate": 2}})]
    cost = rule("K901", "preference", API, {"decision": "compute", "prefer": {"fargate": 1}},
                because="fargate costs less for {flow.trigger}")
    d = decide(guidance + [cost])["decisions"]["compute"]
    assert d["choice"] == "fargate" and d["decided_by"] == "cost", "a K rule has the standing of cost"
    assert d["reason"] == ("fargate and lambda tie on stated needs and AWS's guidance; the cost model decides: "
                           "fargate costs less for api")
    heavier = [guidance[0], rule("C903", "preference", API, {"decision": "compute", "prefer": {"lambda": 1}}),
               guidance[1], dataclasses.replace(cost, then={"decision": "compute", "prefer": {"fargate": 100}})]
    d = decide(heavier)["decisions"]["compute"]
    assert d["choice"] == "lambda" and d["decided_by"] == "guidance", "cost never outvotes guidance"


def test_the_reason_is_the_rule_that_separates_the_choice_from_the_runner_up():
    flow = decide([
        rule("M901", "preference", API, {"decision": "channel", "prefer": {"sns": 1, "eventbridge": 1}},
             because="both for {flow.trigger}"),
        rule("M902", "preference", API, {"decision": "channel", "prefer": {"eventbridge": 2}},
             because="bus for {flow.trigger}"),
    ])
    d = flow["decisions"]["channel"]
    assert (d["choice"], d["runner_up"], d["decided_by"], d["reason"]) == ("eventbridge", "sns", "guidance",
                                                                         "bus for api")


def test_a_standing_on_a_limit_is_refused(tmp_path):
    from advisor.errors import RuleError
    from advisor.rules import load_catalog

    (tmp_path / "C950-x.yaml").write_text(
        "id: C950\nname: test.limit_with_standing\ntitle: t\nkind: limit\nstanding: need\n"
        "when: {all: [{fact: flow.trigger, operator: equal, value: api}]}\n"
        "then: {decision: compute, exclude: [lambda]}\nexplain: {because: 'x {flow.trigger}'}\n"
        "references: ['https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html']\n")
    with pytest.raises(RuleError, match="has no standing to give"):
        load_catalog([tmp_path], use_cache=False)


@pytest.mark.parametrize("decision", DECISION_ORDER)
def test_without_rules_every_decision_takes_the_first_option(decision):
    flow = decide([])
    d = flow["decisions"][decision]
    assert d["choice"] == DECISION_OPTIONS[decision][0]
    assert d["runner_up"] == DECISION_OPTIONS[decision][1]
    assert list(d["scores"]) == list(DECISION_OPTIONS[decision]), "scores list every option in tie-break order"
    assert d["trace"] == [] and d["excluded"] == {}


def test_ties_break_by_decision_options_order_not_by_rule_or_dict_order():
    options = DECISION_OPTIONS["channel"]
    assert options.index("sqs") < options.index("kinesis")
    flow = decide([
        rule("M901", "preference", API, {"decision": "channel", "prefer": {"kinesis": 2}}),
        rule("M902", "preference", API, {"decision": "channel", "prefer": {"sqs": 2}}),
    ])
    assert flow["decisions"]["channel"]["choice"] == "sqs"
    assert flow["decisions"]["channel"]["runner_up"] == "kinesis"


def test_tie_among_options_left_after_a_limit():
    flow = decide([
        rule("M901", "limit", API, {"decision": "channel", "exclude": ["none", "sqs"]}),
        rule("M902", "preference", API, {"decision": "channel", "prefer": {"eventbridge": 1, "sqs": 5, "sns": 1}}),
    ])
    assert flow["decisions"]["channel"]["choice"] == "sns", "sqs scores most but is excluded; sns precedes eventbridge"


def test_only_excludes_every_other_option():
    flow = decide([rule("A901", "limit", API, {"decision": "entry", "only": ["api-queue", "api-async"]})])
    entry = flow["decisions"]["entry"]
    assert entry["choice"] == "api-async", "first of the options left, in DECISION_OPTIONS order"
    assert set(entry["excluded"]) == set(DECISION_OPTIONS["entry"]) - {"api-queue", "api-async"}
    assert all(rules == ["A901"] for rules in entry["excluded"].values())


def test_every_limit_that_excludes_an_option_is_listed():
    flow = decide([
        rule("C901", "limit", API, {"decision": "compute", "exclude": ["lambda"]}),
        rule("C902", "limit", API, {"decision": "compute", "only": ["fargate"]}),
    ])
    assert flow["decisions"]["compute"]["excluded"] == {"lambda": ["C901", "C902"]}


def test_all_options_excluded_is_an_adv001_error_and_still_decides():
    flow = decide([
        rule("C901", "limit", API, {"decision": "compute", "exclude": ["lambda"]}),
        rule("C902", "limit", API, {"decision": "compute", "exclude": ["fargate"]}),
        rule("C903", "preference", API, {"decision": "compute", "prefer": {"fargate": 1}}),
    ])
    compute = flow["decisions"]["compute"]
    assert compute["choice"] == "fargate", "chosen by score among all options"
    assert compute["excluded"] == {"lambda": ["C901"], "fargate": ["C902"]}
    adv = [f for f in flow["findings"] if f["rule"] == "ADV001"]
    assert len(adv) == 1 and adv[0]["severity"] == "error"
    assert "compute" in adv[0]["title"] and "C901" in adv[0]["message"] and "C902" in adv[0]["message"]
    assert flow["findings"][0]["rule"] == "ADV001", "errors come first"


def test_rules_that_do_not_hold_leave_no_trace():
    flow = decide([rule("C901", "limit", {"all": [leaf("flow.trigger", "equal", "queue")]},
                        {"decision": "compute", "exclude": ["lambda"]})])
    assert flow["decisions"]["compute"]["choice"] == "lambda"
    assert flow["decisions"]["compute"]["trace"] == []


# -- the trace: evaluated trees with actual values --------------------------------------------------------------

def test_trace_keeps_the_evaluated_tree_with_actual_values():
    when = {"all": [leaf("flow.traffic.peak", "greater_than", 100),
                    {"any": [leaf("flow.trigger", "equal", "api"), leaf("flow.duration_seconds", "greater_than", 60)]},
                    {"not": leaf("flow.downstream_limit", "exists")}]}
    wl = workload("{name: f, trigger: api, duration: 8s, traffic: {average: 5/s, peak: 400/s}}")
    rec = advise(wl, Catalog([rule("C901", "preference", when, {"decision": "compute", "prefer": {"fargate": 1}},
                                   because="peak {flow.traffic.peak}, {flow.duration_seconds}")]))
    firing = rec.flows[0].decisions["compute"].trace[0]
    tree = firing.evidence
    assert tree["result"] is True
    peak, any_node, not_node = tree["all"]
    assert peak == {"fact": "flow.traffic.peak", "operator": "greater_than", "value": 100, "actual": 400.0,
                    "result": True}
    # no short-circuit: the second branch of `any` is evaluated and shows its value although the first held
    assert [n["actual"] for n in any_node["any"]] == ["api", 8.0]
    assert [n["result"] for n in any_node["any"]] == [True, False]
    assert not_node["result"] is True and not_node["not"]["actual"] is None, "a missing fact shows as None"
    assert firing.because == "peak 400/s, 8s", "the sentence carries the user's values in their units"
    values = rec.to_dict()["flows"][0]["decisions"]["compute"]["trace"][0]["values"]
    assert values == {"flow.traffic.peak": 400.0, "flow.trigger": "api", "flow.duration_seconds": 8.0,
                      "flow.downstream_limit": None}


def test_fact_compared_with_another_fact_shows_both_values():
    when = {"all": [leaf("flow.traffic.peak", "greater_than", {"fact": "region.apigw_account_rps"})]}
    wl = workload("{name: f, trigger: api, duration: 1s, traffic: {average: 5/s, peak: 3000/s}}", region="ap-east-1")
    flow = decide([rule("A901", "finding", when, {}, because="{flow.traffic.peak} > {region.apigw_account_rps}",
                        severity="warning")], wl)
    finding = flow["findings"][0]
    assert finding["rule"] == "A901" and finding["severity"] == "warning"
    assert finding["message"] == "3000/s > 2500/s"
    assert finding["values"] == {"flow.traffic.peak": 3000.0, "region.apigw_account_rps": 2500}


def test_missing_fact_keeps_a_rule_quiet():
    flow = decide([rule("C901", "limit", {"all": [leaf("flow.downstream_limit", "less_than", 1000)]},
                        {"decision": "compute", "exclude": ["lambda"]})])
    assert flow["decisions"]["compute"]["choice"] == "lambda"


def test_later_decisions_read_earlier_choices():
    wl = workload("{name: f, trigger: queue, duration: 20m}")
    flow = decide([
        rule("C901", "limit", {"all": [leaf("flow.longest_step_seconds", "greater_than", 900)]},
             {"decision": "compute", "exclude": ["lambda"]}),
        rule("D901", "preference", {"all": [leaf("decision.compute", "equal", "fargate")]},
             {"decision": "data_store", "prefer": {"s3": 1}}, because="runs on {decision.compute}"),
    ], wl)
    assert flow["decisions"]["data_store"]["choice"] == "s3"
    assert flow["decisions"]["data_store"]["trace"][0]["because"] == "runs on fargate"


def test_upstream_facts_read_the_after_flows_choices():
    wl = workload("{name: f, trigger: event, after: up, duration: 1s}", "{name: up, trigger: api, duration: 1s}")
    rules = [
        rule("M901", "preference", {"all": [leaf("flow.trigger", "equal", "api")]},
             {"decision": "channel", "prefer": {"kinesis": 1}}),
        rule("A901", "limit", {"all": [leaf("upstream.channel", "equal", "kinesis")]},
             {"decision": "entry", "only": ["kinesis-poll"]}, because="after {flow.after} on {upstream.channel}"),
    ]
    flow = decide(rules, wl, flow="f")
    assert flow["decisions"]["entry"]["choice"] == "kinesis-poll"
    assert flow["decisions"]["entry"]["trace"][0]["because"] == "after up on kinesis"


def test_flows_are_reported_in_file_order_whatever_the_decision_order():
    wl = workload("{name: late, trigger: event, after: early, duration: 1s}", "{name: early, trigger: api, duration: 1s}")
    rec = advise(wl, Catalog([])).to_dict()
    assert [f["name"] for f in rec["flows"]] == ["late", "early"]
    assert rec["flows"][0]["after"] == "early"


def test_advise_is_deterministic():
    wl = workload("{name: f, trigger: api, duration: 8s, consumers: [a, b, c], data: relational}")
    from advisor.rules import load_catalog

    catalog = load_catalog(use_cache=False)
    assert advise(wl, catalog).to_dict() == advise(wl, catalog).to_dict()


def test_advise_loads_the_builtin_catalog_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rec = advise(workload("{name: f, trigger: queue, duration: 20m}")).to_dict()
    compute = rec["flows"][0]["decisions"]["compute"]
    assert compute["choice"] == "fargate" and compute["excluded"] == {"lambda": ["C101"]}
    assert list((tmp_path / "cache" / "advisor").glob("rules-*.json")), "the parsed catalog is cached"
    again = advise(workload("{name: f, trigger: queue, duration: 20m}")).to_dict()
    assert again == rec, "the cached catalog gives the same advice"


def test_unknown_region_uses_conservative_quotas_and_says_so():
    wl = workload("{name: f, trigger: api, duration: 1s, traffic: {average: 100/s, peak: 2600/s}}", region="xx-mars-1")
    rule_ = rule("A901", "finding", {"all": [leaf("flow.traffic.peak", "greater_than",
                                                  {"fact": "region.apigw_account_rps"})]}, {},
                 because="{region.apigw_account_rps} in {region.name}", severity="warning")
    rec = advise(wl, Catalog([rule_])).to_dict()
    assert rec["region"] == "xx-mars-1"
    assert rec["flows"][0]["findings"][0]["message"] == "2500/s in xx-mars-1"
    assert any("xx-mars-1" in n for n in rec["notes"])


def test_a_loop_of_after_links_built_in_the_model_is_still_decided():
    """The loader rejects loops of after: links (no flow of one could start); an engine given one anyway (a
    model built in code) still decides every flow, upstream first where it can, in file order inside the loop."""
    from advisor.rules import load_catalog

    wl = workload("{name: a, trigger: api, duration: 1s}", "{name: b, trigger: event, after: a, duration: 1s}")
    a, b = wl.flows
    looped = dataclasses.replace(wl, flows=(dataclasses.replace(a, trigger="event", after="b"), b))
    rec = advise(looped, load_catalog(use_cache=False)).to_dict()
    assert [f["name"] for f in rec["flows"]] == ["a", "b"]
    assert all(len(f["decisions"]) == 6 for f in rec["flows"])

def test_a_standard_workflow_behind_a_waiting_api_is_started_not_awaited():
    """A Standard workflow cannot answer the request (StartExecution returns at once): the API's hop into it is
    event/async, while an Express workflow answers synchronously (push/sync)."""
    from advisor import architecture
    from advisor.rules import load_catalog

    wl = workload("{name: f, trigger: api, caller_waits: true, duration: 20s, steps: [a, b], coupling: tight,"
                  " needs: {human_approval: true}}")
    flow = advise(wl, load_catalog(use_cache=False)).flows[0]
    assert flow.choice("orchestrator") == "step-functions-standard" and flow.choice("entry") == "api-sync"
    first = flow.hops[0]
    assert (first.source, first.target, first.model, first.mode) == ("f/api", "f/workflow", "event", "async")
    express = {d: flow.choice(d) for d in flow.decisions}
    express["orchestrator"] = "step-functions-express"
    edge = architecture.build(wl, {"f": express}).flow_edges("f")[0]
    assert (edge.source, edge.target, edge.model, edge.mode) == ("f/api", "f/workflow", "push", "sync")
