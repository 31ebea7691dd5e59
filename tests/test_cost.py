"""Tests of advisor.cost: AWS's own worked pricing examples to the cent, then properties."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor import cost
from advisor.model import Flow, Needs, Traffic, Workload

MONTH = 30 * 24 * 3600


def per_second(per_month: float) -> float:
    return per_month / MONTH


def make_flow(**overrides) -> Flow:
    """A minimal valid flow; tests state only what matters."""
    rate = overrides.pop("rate", 1.0)
    base = dict(name="f", index=0, context="f", trigger="api",
                traffic=Traffic(rate, overrides.pop("peak", rate), overrides.pop("pattern", "unpredictable")),
                duration=1.0, longest_step=1.0, steps=("f",), coupling="loose", consumers=(), fan_out=0,
                needs=Needs(), caller_waits=True, message_size=1024, data="none", api="http")
    base.update(overrides)
    return Flow(**base)


def usd(oc) -> Decimal:
    return oc.monthly_usd


# --------------------------------------------------------------------------- AWS's worked examples


def test_lambda_pricing_page_example_1_to_the_cent():
    """AWS Lambda pricing page, Example 1 (https://aws.amazon.com/lambda/pricing/, US East):
    512 MB, 3 million executions a month, 1 s each. Compute: 3M s x 0.5 GB = 1,500,000 GB-s,
    minus the 400,000 GB-s free tier = 1,100,000 GB-s x $0.00001667 = $18.34. Requests: 3M - 1M free
    = 2M x $0.20/M = $0.40. Total $18.74.

    The example quotes the GB-s rate rounded to $0.00001667; the table holds $0.0000166667, so the
    example is reproduced with the example's own rate, and the table rate gives one cent less.
    """
    flow = make_flow(rate=per_second(3_000_000), duration=1.0, longest_step=1.0)
    example_rate = cost.load_price_table().with_price("lambda.duration", value="0.00001667")
    oc = cost.estimate_option(flow, "compute", "lambda", free_tier=True, prices=example_rate, memory_mb=512)
    by_key = {ln.price: ln for ln in oc.lines}
    assert by_key["lambda.duration"].quantity == Decimal(1_100_000)
    assert by_key["lambda.duration"].usd == Decimal("18.34")
    assert by_key["lambda.requests"].quantity == Decimal(2_000_000)
    assert by_key["lambda.requests"].usd == Decimal("0.40")
    assert usd(oc) == Decimal("18.74")
    # the same with the table's unrounded rate: 1,100,000 x 0.0000166667 = 18.333 -> $18.33
    assert usd(cost.estimate_option(flow, "compute", "lambda", free_tier=True, memory_mb=512)) == Decimal("18.73")


def test_lambda_1ms_billing_blog_example_requests():
    """AWS News Blog "New for AWS Lambda - 1ms Billing Granularity Adds Cost Savings" (Dec 2020):
    100,000 users x 20 invocations x 30 days = 60 million invocations x $0.20/M = $12 of requests
    (free tier ignored). Compute, by hand: 60M x 0.028 s x 1 GB = 1,680,000 GB-s x $0.0000166667
    = $28.00."""
    flow = make_flow(rate=per_second(60_000_000), duration=0.028, longest_step=0.028)
    oc = cost.estimate_option(flow, "compute", "lambda", memory_mb=1024)
    by_key = {ln.price: ln for ln in oc.lines}
    assert by_key["lambda.requests"].usd == Decimal("12.00")
    assert by_key["lambda.duration"].quantity == Decimal(1_680_000)
    assert by_key["lambda.duration"].usd == Decimal("28.00")
    assert usd(oc) == Decimal("40.00")


def test_step_functions_express_pricing_page_example_to_the_cent():
    """Step Functions pricing page, Express example (https://aws.amazon.com/step-functions/pricing/,
    as mirrored at https://mdsite.deno.dev/https://aws.amazon.com/step-functions/pricing):
    100 million workflows a month, 10 s each, 64 MB billed memory.
    Requests: 100M x $1.00/M = $100.00. Duration: 1e9 s x 64/1024 GB = 62,500,000 GB-s
    = 17,361.11 GB-h: 1,000 x $0.06 = $60.00; 4,000 x $0.03 = $120.00; 12,361.11 x $0.01642
    = $202.97. Duration $382.97, total $482.97."""
    flow = make_flow(rate=per_second(100_000_000), duration=10.0, longest_step=10.0)
    oc = cost.estimate_option(flow, "orchestrator", "step-functions-express")
    usds = [ln.usd for ln in oc.lines]
    assert usds == [Decimal("100.00"), Decimal("60.00"), Decimal("120.00"), Decimal("202.97")]
    assert usd(oc) == Decimal("482.97")


def test_express_memory_estimate_matches_pricing_page_formula():
    """Pricing page: memory = 50 MB + definition + payload, billed in 64 MB chunks."""
    assert cost.express_billed_memory_mb(1024) == 64
    assert cost.express_billed_memory_mb(256 * 1024) == 64
    assert cost.express_billed_memory_mb(15 * 1024 * 1024) == 128


def test_step_functions_standard_startup_guide_example():
    """AWS startup-advisor Step Functions guide (aws-facts.md section 6): 100K executions a day x 10
    transitions ~= $750/month on Standard. By hand: 100,000 x 30 x 10 = 30M transitions x
    $0.025/1,000 = $750.00; with the 4,000 free transitions: 29,996,000 x $0.000025 = $749.90."""
    flow = make_flow(rate=100_000 / 86_400, duration=2.0, longest_step=0.2,
                     steps=tuple(f"s{i}" for i in range(10)))
    assert usd(cost.estimate_option(flow, "orchestrator", "step-functions-standard")) == Decimal("750.00")
    assert usd(cost.estimate_option(flow, "orchestrator", "step-functions-standard",
                                    free_tier=True)) == Decimal("749.90")


def test_step_functions_workshop_standard_example_unrounded():
    """The AWS Step Functions Workshop, module 13 "Review the Cost Impact": 1,000 executions x 3
    transitions x $0.000025 = $0.075 (free tier ignored). Lines round to the cent: $0.08."""
    price = cost.load_price_table().get("sfn.standard.transitions", "us-east-1")
    (line,) = cost.charge(price, 3000)
    assert line.quantity * line.unit_price == Decimal("0.075")
    assert line.usd == Decimal("0.08")


# --------------------------------------------------------------------------- hand-computed cases


def test_sqs_sns_eventbridge_chunks_and_consumers():
    """A 100 KB message is two 64 KB chunks. 1M messages/month, 3 consumers:
    EventBridge 2M events x $1/M = $2.00; SNS 2M publishes x $0.50/M = $1.00 (Lambda deliveries free [U]);
    SQS one queue per consumer: 1M x 2 chunks x 3 requests x 3 queues = 18M x $0.40/M = $7.20."""
    flow = make_flow(rate=per_second(1_000_000), message_size=100 * 1024, fan_out=3, consumers=("a", "b", "c"))
    fc = cost.estimate_flow(flow)
    assert usd(fc.option("channel", "eventbridge")) == Decimal("2.00")
    assert usd(fc.option("channel", "sns")) == Decimal("1.00")
    assert usd(fc.option("channel", "sqs")) == Decimal("7.20")
    assert usd(fc.option("channel", "sns-sqs")) == Decimal("8.20")
    assert usd(fc.option("channel", "none")) == Decimal("0")


def test_kinesis_shards_from_peak_rate_and_size():
    """Peak 3,000/s of 1 KB: records need 3 shards, bytes 3 (3,072,000 B/s over 1 MiB/s), reads by
    4 consumers need ceil(12,288,000 / 2 MiB) = 6. 6 shards x 720 h x $0.015 = $64.80."""
    assert cost.kinesis_shards(3000, 1024, 1) == 3
    assert cost.kinesis_shards(3000, 1024, 4) == 6
    assert cost.kinesis_shards(0.001, 10, 1) == 1
    flow = make_flow(rate=10, peak=3000, fan_out=4, consumers=("a", "b", "c", "d"))
    lines = {ln.price: ln for ln in cost.estimate_option(flow, "channel", "kinesis").lines}
    assert lines["kinesis.shard_hours"].quantity == Decimal(6 * 720)
    assert lines["kinesis.shard_hours"].usd == Decimal("64.80")
    # 10/s x 2,592,000 = 25,920,000 PUT payload units x $0.014/M = $0.36288 -> $0.36
    assert lines["kinesis.put_payload_units"].usd == Decimal("0.36")


def test_api_styles_http_vs_rest():
    """10M requests: HTTP $1.00/M = $10.00, REST $3.50/M = $35.00."""
    flow = make_flow(rate=per_second(10_000_000))
    fc = cost.estimate_flow(flow)
    assert usd(fc.option("api_style", "http")) == Decimal("10.00")
    assert usd(fc.option("api_style", "rest")) == Decimal("35.00")
    rest_flow = make_flow(rate=per_second(10_000_000), api="rest")
    assert usd(cost.estimate_option(rest_flow, "entry", "api-sync")) == Decimal("35.00")
    # api-queue adds the queue: 10M x 3 requests x $0.40/M = $12.00
    assert usd(cost.estimate_option(rest_flow, "entry", "api-queue")) == Decimal("47.00")


def test_graphql_and_websocket_entries():
    """AppSync $4.00/M operations; WebSocket $1.00/M messages (2 per execution) + $0.25/M
    connection-minutes (1 per execution for a 30 s flow)."""
    gql = make_flow(rate=per_second(1_000_000), api="graphql")
    assert usd(cost.estimate_option(gql, "entry", "api-sync")) == Decimal("4.00")
    ws = make_flow(rate=per_second(1_000_000), api="websocket", duration=30, longest_step=30)
    assert usd(cost.estimate_option(ws, "entry", "api-sync")) == Decimal("2.25")


def test_fargate_service_vs_per_execution_tasks():
    """The scaffold's task size (0.5 vCPU, 1 GB: advisor/data/sizing.yaml). Average concurrency 2.5
    (5/s x 0.5 s) -> 3 tasks all month: 2,160 task-hours x (0.5 x $0.04048 + 1 x $0.004445) = $43.72 + $9.60.
    Once a day for 10 s -> 30 tasks of 60 s minimum."""
    steady = make_flow(rate=5, duration=0.5, longest_step=0.5)
    oc = cost.estimate_option(steady, "compute", "fargate")
    assert [ln.usd for ln in oc.lines] == [Decimal("43.72"), Decimal("9.60")]
    daily = make_flow(rate=1 / 86_400, duration=10, longest_step=10, trigger="schedule")
    lines = cost.estimate_option(daily, "compute", "fargate").lines
    assert lines[0].quantity == Decimal("0.25")  # 30 x 60 s / 3600 x 0.5 vCPU
    assert any("one task per execution" in a for a in cost.estimate_option(daily, "compute", "fargate").assumptions)
    # 0.5/s of 1 s: a task per execution (1.296M x 60 s minimum) would cost far more than one task
    # all month (720 h x (0.5 x $0.04048 + 1 x $0.004445) = $14.57 + $3.20): the cheaper plan is used.
    half = make_flow(rate=0.5, duration=1, longest_step=1)
    assert usd(cost.estimate_option(half, "compute", "fargate")) == Decimal("17.77")


def test_lambda_busy_time_ignores_waiting():
    """A 2-day flow with three 30 s steps computes 90 s, not 2 days."""
    flow = make_flow(rate=per_second(1000), duration=2 * 86_400, longest_step=30, steps=("a", "b", "c"))
    lines = {ln.price: ln for ln in cost.estimate_option(flow, "compute", "lambda").lines}
    assert lines["lambda.duration"].quantity == Decimal(1000 * 90 * cost.DEFAULT_MEMORY_MB / 1024)
    assert lines["lambda.requests"].quantity == Decimal(3000)


def test_data_stores():
    """1M executions of 1 KB: DynamoDB 1M WRU x $0.625/M = $0.625 -> $0.63, 1M RRU x $0.125/M
    = $0.125 -> $0.13 (each line rounds to the cent, half up, as AWS's examples do): $0.76.
    Aurora: 0.5 ACU x 720 h x $0.12 = $43.20, 2M I/O x $0.20/M = $0.40, proxy 8 x 720 x $0.015 = $86.40.
    S3: 1M PUT x $0.005/1000 = $5.00 + 1M GET x $0.0004/1000 = $0.40."""
    flow = make_flow(rate=per_second(1_000_000))
    fc = cost.estimate_flow(flow)
    assert usd(fc.option("data_store", "dynamodb")) == Decimal("0.76")
    assert usd(fc.option("data_store", "aurora-serverless")) == Decimal("130.00")
    assert usd(fc.option("data_store", "s3")) == Decimal("5.40")


def test_express_too_long_is_flagged():
    flow = make_flow(duration=600, longest_step=60)
    oc = cost.estimate_option(flow, "orchestrator", "step-functions-express")
    assert any("only a comparison" in a for a in oc.assumptions)


def test_entry_options_follow_trigger_and_chosen():
    assert set(cost.estimate_flow(make_flow(trigger="schedule", api=None)).decisions["entry"]) == {
        "schedule", "eventbridge-rule"}
    fc = cost.estimate_flow(make_flow(trigger="queue", api=None), chosen={"entry": "api-queue"})
    assert set(fc.decisions["entry"]) == {"sqs-poll", "api-queue"}
    assert "api_style" not in fc.decisions


def test_scheduler_free_tier():
    """14M free invocations: a once-a-minute schedule (43,200/month) is free with the free tier."""
    flow = make_flow(trigger="schedule", api=None, rate=1 / 60)
    assert usd(cost.estimate_option(flow, "entry", "schedule", free_tier=True)) == Decimal("0")
    assert usd(cost.estimate_option(flow, "entry", "schedule")) == Decimal("0.04")


# --------------------------------------------------------------------------- regions, table, staleness


def test_region_fallback_is_stated_once_for_the_workload():
    """Said once per estimate, not once per option and flow (213 repeats for six flows before)."""
    flows = [make_flow(name=n, index=i) for i, n in enumerate("abc")]
    w = Workload(1, "w", tuple(flows))
    wc = cost.estimate_workload(w, recommendation_for(*flows), region="ap-southeast-9")
    all_notes = list(wc.assumptions) + [a for fc in wc.flows for a in fc.assumptions] + [
        a for fc in wc.flows for opts in fc.decisions.values() for oc in opts.values() for a in oc.assumptions]
    said = [a for a in all_notes if "us-east-1's" in a]
    assert said == ["region ap-southeast-9 is not in the price table: every price is us-east-1's"]
    # a region in the table that lacks some prices: one note naming them all
    wc = cost.estimate_workload(w, recommendation_for(*flows), region="eu-west-1")
    notes = [a for a in wc.assumptions if "used us-east-1's" in a]
    assert len(notes) == 1 and "lambda.requests" in notes[0]
    text = cost.format_cost(wc, "table", detail=True)
    assert text.count("us-east-1's") == 1


def test_regional_price_is_used_where_read():
    """sa-east-1 state transitions are $0.0375/1,000: 1M transitions = $37.50."""
    flow = make_flow(rate=per_second(1_000_000))
    oc = cost.estimate_option(flow, "orchestrator", "step-functions-standard", region="sa-east-1")
    assert usd(oc) == Decimal("37.50")
    assert not any("sfn.standard.transitions" in a and "used" in a for a in oc.assumptions)


def test_shipped_table_is_complete_and_dated():
    table = cost.load_price_table()
    base = table.entries[table.base_region]
    for key, price in base.items():
        assert price.source.startswith("https://"), key
        assert price.confidence in cost.CONFIDENCE, key
        assert isinstance(price.read, date), key
        if price.confidence == "U":
            assert price.uncertain, key
    assert {"lambda.requests", "lambda.duration", "sfn.standard.transitions", "sfn.express.duration"} <= set(base)
    assert base["sns.deliveries.lambda_sqs"].uncertain


def test_every_option_prices_only_known_keys():
    """Every estimator of every decision runs on every trigger without a missing price."""
    for trigger in ("api", "schedule", "upload", "queue", "stream", "change-data", "event", "kafka", "mq"):
        flow = make_flow(trigger=trigger, api="http" if trigger == "api" else None, fan_out=2, consumers=("a", "b"))
        for decision, options in cost.ESTIMATORS.items():
            for option in options:
                oc = cost.estimate_option(flow, decision, option)
                assert oc.monthly_usd >= 0


def test_bad_table_rejected(tmp_path):
    good = yaml.safe_load(cost.PRICES_PATH.read_text())
    bad = json.loads(json.dumps(good, default=str))  # dates become strings
    with pytest.raises(cost.PriceTableError):
        cost.parse_price_table(bad)
    good["regions"]["us-east-1"]["sns.publishes"]["confidence"] = "U"
    good["regions"]["us-east-1"]["sns.publishes"]["uncertain"] = False
    with pytest.raises(cost.PriceTableError, match="uncertain"):
        cost.parse_price_table(good)


def test_stale_warning_with_fixed_today():
    table_date = cost.load_price_table().date
    fresh = cost.price_table_info(today=date(table_date.year, table_date.month, table_date.day))
    assert fresh["stale"] is False and fresh["warning"] is None
    from datetime import timedelta
    a_year = cost.price_table_info(today=table_date + timedelta(days=365))
    later = cost.price_table_info(today=table_date + timedelta(days=366))
    assert a_year["stale"] is False
    stale = cost.price_table_info(today=date(table_date.year + 2, 1, 1))
    assert stale["stale"] is True
    assert table_date.isoformat() in stale["warning"]
    assert later["stale"] is True
    flow_workload = Workload(1, "w", (make_flow(),))
    text = cost.format_cost(cost.estimate_workload(flow_workload, today=date(table_date.year + 2, 1, 1)), "markdown")
    assert "Warning" in text and table_date.isoformat() in text


# --------------------------------------------------------------------------- workload, rendering, facts


def recommendation_for(*flows: Flow, **choices) -> dict:
    decisions = {"orchestrator": "step-functions-express", "channel": "eventbridge", "entry": "api-sync",
                 "compute": "lambda", "data_store": "dynamodb"} | choices
    return {"version": 1, "workload": "w", "region": "us-east-1",
            "flows": [{"name": f.name, "decisions": {d: {"choice": o} for d, o in decisions.items()}
                       | {"composition": {"choice": "orchestration"}}} for f in flows], "findings": []}


def test_workload_total_applies_free_tier_once():
    """Two flows of 3M executions each, 1 s, 512 MB, Lambda: 6M requests - 1M free = 5M x $0.20/M = $1.00;
    3M GB-s - 400,000 free = 2.6M x $0.0000166667 = $43.33. Each flow alone lists $0.60 + $25.00
    for Lambda plus 3M HTTP API requests x $1.00/M = $3.00."""
    a = make_flow(name="a", rate=per_second(3_000_000))
    b = make_flow(name="b", index=1, rate=per_second(3_000_000))
    rec = recommendation_for(a, b, orchestrator="none", channel="none", data_store="none")
    wc = cost.estimate_workload(Workload(1, "w", (a, b)), rec, memory_mb=512)
    lam = {ln.price: ln.usd for ln in wc.lines if ln.service == "lambda"}
    assert lam == {"lambda.requests": Decimal("1.00"), "lambda.duration": Decimal("43.33")}
    assert wc.flows[0].chosen_monthly_usd == Decimal("28.60")
    assert wc.per_service()["lambda"] == Decimal("44.33")
    assert wc.monthly_usd == sum(wc.per_service().values())


def test_without_recommendation_nothing_is_totalled():
    wc = cost.estimate_workload(Workload(1, "w", (make_flow(),)))
    assert wc.lines is None and wc.to_dict()["total"] is None


@pytest.mark.parametrize("fmt", ["json", "markdown", "table"])
def test_format_is_deterministic_and_complete(fmt):
    flow = make_flow(fan_out=2, consumers=("x", "y"))
    w = Workload(1, "w", (flow,))
    rec = recommendation_for(flow)
    one = cost.format_cost(cost.estimate_workload(w, rec, today=date(2026, 12, 1)), fmt, detail=True)
    two = cost.format_cost(cost.estimate_workload(w, rec, today=date(2026, 12, 1)), fmt, detail=True)
    assert one == two
    assert "2026-11-26" in one
    assert "eventbridge" in one and "step-functions-standard" in one
    if fmt == "json":
        data = json.loads(one)
        assert list(data) == sorted(data)
        assert data["total"]["monthly_usd"] == pytest.approx(sum(data["total"]["per_service"].values()))
        opt = data["flows"][0]["decisions"]["orchestrator"]["step-functions-express"]
        assert opt["monthly_usd"] == round(sum(ln["usd"] for ln in opt["lines"]), 2)
        assert opt["assumptions"]


def test_format_rejects_unknown():
    with pytest.raises(ValueError):
        cost.format_cost(cost.estimate_workload(Workload(1, "w", (make_flow(),))), "xml")


def test_attach_costs_puts_prices_next_to_options():
    flow = make_flow()
    rec = recommendation_for(flow)
    out = cost.attach_costs(rec, cost.estimate_workload(Workload(1, "w", (flow,)), rec))
    dec = out["flows"][0]["decisions"]
    assert set(dec["orchestrator"]["cost"]) == {"none", "step-functions-express", "step-functions-standard"}
    assert "cost" not in dec["composition"]
    assert out["cost"]["price_table_date"] == "2026-11-26"
    assert out["flows"][0]["cost"]["monthly_usd"] > 0
    assert "cost" not in rec["flows"][0]["decisions"]["orchestrator"]  # input untouched


def test_cost_facts():
    """The facts K101 (rules/cost) compares: AWS's own example, 100K executions a day x 10 transitions on
    Standard = $750/month, with Express "typically ~90% cheaper"."""
    busy = make_flow(rate=100_000 / 86_400, duration=2.0, longest_step=0.2, steps=tuple(f"s{i}" for i in range(10)))
    facts = cost.cost_facts(busy)
    assert set(facts) <= set(cost.FACTS)
    assert facts["cost.orchestrator.standard_monthly"] == 750.0
    assert facts["cost.orchestrator.standard_over_express_ratio"] > 10  # "~90% cheaper"
    assert cost.orchestrator_cost_facts(busy).items() <= facts.items()
    # a trickle: Standard costs cents, so there is no saving worth deciding on
    trickle = make_flow(rate=1 / 3600, duration=2, longest_step=1, steps=("a", "b"))
    assert cost.cost_facts(trickle)["cost.orchestrator.express_saving_monthly"] < 1
    assert "cost.entry.http_api_monthly" not in cost.cost_facts(make_flow(trigger="queue", api=None))


# --------------------------------------------------------------------------- properties

rates = st.floats(min_value=0.001, max_value=5000, allow_nan=False, allow_infinity=False)
ALL_OPTIONS = [(d, o) for d in ("orchestrator", "channel", "compute", "data_store") for o in cost.ESTIMATORS[d]]


@settings(max_examples=40, deadline=None, database=None)
@given(r1=rates, r2=rates, size=st.integers(min_value=1, max_value=1024 * 1024))
def test_cost_never_falls_when_rate_grows(r1, r2, size):
    lo, hi = sorted((r1, r2))
    for d, o in ALL_OPTIONS:
        a = cost.estimate_option(make_flow(rate=lo, message_size=size), d, o).monthly_usd
        b = cost.estimate_option(make_flow(rate=hi, message_size=size), d, o).monthly_usd
        assert a <= b, (d, o, lo, hi)


@settings(max_examples=30, deadline=None, database=None)
@given(rate=st.floats(min_value=1, max_value=1000), n=st.integers(min_value=1, max_value=20))
def test_more_consumers_cost_more_for_per_delivery_services(rate, n):
    def channel(option, k):
        names = tuple(f"c{i}" for i in range(k))
        return cost.estimate_option(make_flow(rate=rate, fan_out=k, consumers=names), "channel", option).monthly_usd
    for option in ("sqs", "sqs-fifo", "sns-sqs", "sns-fifo"):
        assert channel(option, n) < channel(option, n + 1), option
    for option in ("sns", "eventbridge", "eventbridge-sns", "kinesis", "dynamodb-streams"):
        assert channel(option, n) <= channel(option, n + 1), option


def test_estimates_are_deterministic():
    flow = make_flow(rate=3.3, fan_out=2, consumers=("a", "b"), message_size=70_000)
    one = json.dumps(cost.estimate_flow(flow).to_dict(), sort_keys=True)
    two = json.dumps(cost.estimate_flow(flow).to_dict(), sort_keys=True)
    assert one == two


# --- the summary, batch sizes of poll entries, one memory figure (issue 14) ------------------------------------

@pytest.mark.parametrize("fmt", ["markdown", "table"])
def test_summary_by_default_detail_on_request(fmt):
    flows = [make_flow(name=f"f{i}", index=i, fan_out=2, consumers=("x", "y")) for i in range(6)]
    w = Workload(1, "w", tuple(flows))
    wc = cost.estimate_workload(w, recommendation_for(*flows), today=date(2026, 12, 1))
    summary, detail = cost.format_cost(wc, fmt), cost.format_cost(wc, fmt, detail=True)
    assert all(f"f{i}" in summary for i in range(6))
    assert "step-functions-express $" in summary, "the chosen option and its cost"
    assert "step-functions-standard" not in summary and "step-functions-standard" in detail
    assert "add --detail" in summary and "add --detail" not in detail
    assert len(summary.splitlines()) < 50 < len(detail.splitlines())
    assert f"{_total(wc)}" in summary


def _total(wc) -> str:
    return f"${wc.monthly_usd:,.2f}"


def test_cli_cost_summary_and_detail(tmp_path):
    from typer.testing import CliRunner

    from advisor.cli import app

    path = tmp_path / "w.yaml"
    path.write_text("version: 1\nname: w\nregion: eu-west-1\nflows:\n"
                    + "".join(f"  - {{name: f{i}, trigger: queue, duration: 1s, consumers: [a, b]}}\n"
                              for i in range(6)))
    summary = CliRunner().invoke(app, ["cost", str(path)])
    detail = CliRunner().invoke(app, ["cost", str(path), "--detail"])
    assert summary.exit_code == detail.exit_code == 0, summary.output + detail.output
    assert len(summary.stdout.splitlines()) < 40, summary.stdout
    assert summary.stdout.count("us-east-1's") == detail.stdout.count("us-east-1's") == 1
    assert len(detail.stdout.splitlines()) > 3 * len(summary.stdout.splitlines())


def test_poll_entries_are_billed_per_batch_not_per_record():
    """A polled function is invoked once per batch: Kinesis at 2,000 records/s fills batches of 100, SQS at
    100/s batches of 10; at 0.5/s each invocation carries one record."""
    def requests(trigger, rate, **kw):
        flow = make_flow(trigger=trigger, rate=rate, caller_waits=False, api=None, **kw)
        oc = cost.estimate_flow(flow, chosen=kw.pop("chosen", None)).option("compute", "lambda")
        return dict(oc.usage)["lambda.requests"], flow

    q, flow = requests("stream", 2000)
    assert q == (_executions(flow) / 100).quantize(Decimal("0.000001"))
    q, flow = requests("queue", 100)
    assert q == _executions(flow) / 10
    q, flow = requests("queue", 0.5)
    assert q == _executions(flow)
    q, flow = requests("queue", 5, steps=("a", "b"))
    assert q == _executions(flow) + _executions(flow) / 5, "only the first step reads the batch"
    # a state machine started per record invokes every step once per execution
    flow = make_flow(trigger="queue", rate=100, caller_waits=False, api=None)
    fc = cost.estimate_flow(flow, chosen={"entry": "sqs-poll", "orchestrator": "step-functions-express"})
    assert dict(fc.option("compute", "lambda").usage)["lambda.requests"] == _executions(flow)
    # an API call is one invocation
    flow = make_flow(rate=100)
    assert dict(cost.estimate_flow(flow).option("compute", "lambda").usage)["lambda.requests"] == _executions(flow)


def _executions(flow) -> Decimal:
    return Decimal(str(flow.traffic.average)) * MONTH


def test_batch_sizes_and_memory_are_the_templates():
    """The cost model prices what the scaffold writes: one memory figure, one task size, one batch size each."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_scaffold import render_exact

    from advisor.sizing import sizing

    flows = [{"name": n, "trigger": t, "duration": "2s", **({"source": s} if s else {})} for n, t, s in (
        ("q", "queue", None), ("k", "stream", None), ("d", "change-data", None), ("m", "kafka", "msk"),
        ("r", "mq", "rabbitmq"), ("long", "queue", None))]
    entries = {"q": "sqs-poll", "k": "kinesis-poll", "d": "dynamodb-stream-poll", "m": "kafka-poll", "r": "mq-poll",
               "long": "sqs-poll"}
    choices = {n: {"entry": e, "orchestrator": "none", "composition": "choreography"} for n, e in entries.items()}
    choices["long"]["compute"] = "fargate"
    template = yaml.load(render_exact(flows, choices)["template.yaml"], Loader=_AnyTagLoader)
    resources = template["Resources"].values()
    memory = {r["Properties"].get("MemorySize") for r in resources if r["Type"] == "AWS::Serverless::Function"}
    assert memory == {sizing().function_memory_mb} == {cost.DEFAULT_MEMORY_MB}
    entry_of = {"SQS": "sqs-poll", "Kinesis": "kinesis-poll", "DynamoDB": "dynamodb-stream-poll",
                "MSK": "kafka-poll", "MQ": "mq-poll"}
    events = [ev for r in resources if r["Type"] == "AWS::Serverless::Function"
              for ev in (r["Properties"].get("Events") or {}).values() if ev["Type"] in entry_of]
    assert {ev["Type"] for ev in events} == set(entry_of)
    for ev in events:
        assert ev["Properties"]["BatchSize"] == sizing().poll[entry_of[ev["Type"]]].batch_size, ev
    [task] = [r["Properties"] for r in resources if r["Type"] == "AWS::ECS::TaskDefinition"]
    assert Decimal(task["Cpu"]) / 1024 == cost.model.FARGATE_TASK_VCPU
    assert Decimal(task["Memory"]) / 1024 == cost.model.FARGATE_TASK_GB


class _AnyTagLoader(yaml.SafeLoader):
    """Reads CloudFormation's short intrinsics (!Ref, !GetAtt...) as plain values."""


_AnyTagLoader.add_multi_constructor("!", lambda loader, suffix, node: None)
