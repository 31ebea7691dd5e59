"""Workloads beyond the shared examples, each with what AWS's guidance says the decision should be.

Each row names the guidance it follows (../shared/reference/aws-facts.md sections), so a failing row is a
rule that departs from the guidance, not an expectation to loosen.
"""
from __future__ import annotations

import pytest

from advisor.engine import advise
from advisor.workload import load_text

SCENARIOS = {
    # name: (flow, expected choices, expected findings, guidance)
    "content-routing-between-contexts": (
        "{name: order-placed, trigger: api, caller_waits: false, traffic: {average: 20/s, peak: 500/s, pattern: spiky},"
        " duration: 300ms, consumers: [billing, shipping, marketing], needs: {content_filtering: true}}",
        {"composition": "choreography", "channel": "eventbridge", "entry": "api-async"}, [],
        "1.2 rule 4: routing on event content between bounded contexts -> EventBridge"),
    "short-high-volume-tight-steps": (
        "{name: telemetry, trigger: stream, traffic: {average: 3k/s, peak: 5k/s, pattern: steady}, duration: 200ms,"
        " steps: [parse, enrich, store], coupling: tight}",
        {"composition": "orchestration", "orchestrator": "step-functions-express", "entry": "kinesis-poll"}, [],
        "2.1: high-volume, short, idempotent processing -> Express"),
    "payment-saga-exactly-once": (
        "{name: pay, trigger: api, caller_waits: false, duration: 20s, steps: [reserve, charge, confirm],"
        " coupling: tight, needs: {compensation: true, exactly_once: true, audit: true}}",
        {"composition": "orchestration", "orchestrator": "step-functions-standard"}, [],
        "2.1: exactly-once, auditable, non-idempotent work -> Standard; 2.3 saga"),
    "caller-waits-longer-than-the-api": (
        "{name: report, trigger: api, caller_waits: true, duration: 45s}",
        {"entry": "api-async"}, ["O305"],
        "4 / 10: sync request path > 29/30 s -> hand off (202 + status)"),
    "long-upload-processing": (
        "{name: transcode, trigger: upload, duration: 25m, data: files}",
        {"compute": "fargate", "entry": "s3-event", "data_store": "s3", "composition": "orchestration",
         "orchestrator": "step-functions-standard"}, ["C303"],
        "7: any single run over 15 min -> Fargate, run by Step Functions .sync to ECS"),
    "nightly-batch-with-long-steps": (
        "{name: etl, trigger: schedule, traffic: {average: 1/day, pattern: scheduled}, duration: 3h,"
        " longest_step: 90m, steps: [extract, transform, load], coupling: tight, needs: {timeouts: true}}",
        {"composition": "orchestration", "orchestrator": "step-functions-standard", "compute": "fargate",
         "entry": "schedule"}, ["C303"],
        "2.1 / 10: workflow > 5 min and .sync to ECS -> Standard; step > 15 min -> Fargate"),
    "ordered-fan-out": (
        "{name: ledger, trigger: queue, traffic: {average: 50/s, peak: 100/s}, duration: 50ms,"
        " consumers: [balances, statements, audit-log], needs: {ordering: true}}",
        {"channel": "sns-fifo"}, [],
        "1.2 rule 4: ordered fan-out -> SNS FIFO -> SQS FIFO"),
    "exactly-once-at-high-rate": (
        "{name: trades, trigger: api, caller_waits: false, traffic: {average: 2k/s, peak: 5k/s}, duration: 100ms,"
        " consumers: [settlement], needs: {exactly_once: true, ordering: true}}",
        {"channel": "sqs-fifo"}, ["M302"],
        "5 SQS: FIFO above 3,000 msg/s needs high-throughput mode"),
    "large-payload-fan-out": (
        "{name: documents, trigger: queue, duration: 2s, message_size: 400KB, consumers: [index, archive, notify]}",
        {"channel": "eventbridge"}, ["M304"],
        "0 / 10: SNS still 256 KB; SQS and EventBridge 1 MB"),
    "many-consumers-beyond-a-rule": (
        "{name: user-signed-up, trigger: api, caller_waits: false, duration: 200ms,"
        " consumers: [crm, email, billing, analytics, search, fraud, welcome]}",
        {"channel": "eventbridge"}, [],
        "5 EventBridge: 5 targets per rule, 300 rules per bus; 1.2 rule 10: an event bus once ~3+ services react,"
        " one rule per consumer (10: 'fan-out > 5 targets for one Classic rule -> multiple rules')"),
    "table-changes-to-many-readers": (
        "{name: profile-changed, trigger: change-data, data: key-value, duration: 100ms,"
        " consumers: [search, cache, audit]}",
        {"entry": "dynamodb-stream-poll"}, [],
        "1.2 rule 6: DynamoDB Streams serve at most 2 readers per shard"),
    "busy-stream-with-many-readers": (
        "{name: iot, trigger: stream, traffic: {average: 5k/s, peak: 10k/s, pattern: steady}, duration: 50ms,"
        " consumers: [alerts, archive, dashboards]}",
        {"channel": "kinesis", "entry": "kinesis-poll"}, ["M309"],
        "1.2 rule 5: continuous high-rate stream, many independent readers -> Kinesis (enhanced fan-out)"),
    "table-changes-to-one-reader": (
        "{name: profile-changed, trigger: change-data, data: key-value, duration: 100ms, consumers: [search]}",
        {"channel": "dynamodb-streams", "entry": "dynamodb-stream-poll"}, ["M308"],
        "1.2 rule 6: react to DynamoDB writes -> DynamoDB Streams (<= 2 readers per shard)"),
    "kafka-consumer": (
        "{name: clicks, trigger: kafka, source: msk, traffic: {average: 500/s, peak: 2k/s}, duration: 30ms}",
        {"entry": "kafka-poll", "compute": "lambda", "orchestrator": "none"}, ["Q301"],
        "1.2 rule 8: Kafka clients -> MSK, read by a Lambda event source mapping"),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_follows_the_guidance(name):
    flow, expected, findings, guidance = SCENARIOS[name]
    wl = load_text(f"version: 1\nname: scenario\nflows:\n  - {flow}\n")
    advice = advise(wl).flows[0]
    for decision, want in expected.items():
        wanted = want if isinstance(want, list) else [want]
        got = advice.decisions[decision].choice
        assert got in wanted, f"{decision} = {got}, guidance ({guidance}) says {wanted}"
    fired = {f.rule for f in advice.findings}
    assert set(findings) <= fired, f"missing findings {set(findings) - fired} ({guidance})"
    if name == "table-changes-to-many-readers":
        assert advice.decisions["channel"].choice != "dynamodb-streams"
