"""Workloads described after public AWS reference architectures, each with what its source says it should decide.

Issue 11: an independent architect described real, documented serverless systems as workload files, and advisor's
hard decisions (channel, workflow type, what cost may decide) departed from them. Each scenario here names the
document that says what the decision should be (an AWS doc, an AWS sample or Serverless Land pattern, an AWS blog
architecture, or a section of ../shared/reference/aws-facts.md). A failing row is a rule that departs from the
source, not an expectation to loosen. ``decided_by`` rows check the standing that decided (rules/README.md,
"Standing of reasons"): a stated need is never outvoted by cost.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from advisor.engine import advise
from advisor.workload import load_text


@dataclass(frozen=True)
class Scenario:
    flows: tuple[str, ...]  # flow mappings in YAML flow style; the first is the one checked unless `flow` says
    expect: dict  # decision -> choice or list of choices
    source: str  # the public document that says what it should decide
    findings: tuple[str, ...] = ()  # rules that must report
    absent: tuple[str, ...] = ()  # rules that must not report
    decided_by: dict = field(default_factory=dict)  # decision -> standing that decided
    flow: str | None = None


SCENARIOS = {
    "serverlesspresso-order-waits-for-the-barista": Scenario(
        ("{name: order-processor, context: orders, trigger: api, caller_waits: false,"
         " traffic: {average: 1/s, peak: 20/s, pattern: spiky}, duration: 15m,"
         " steps: [check-shop-open, wait-for-order, wait-for-barista], coupling: tight,"
         " needs: {callbacks: true, timeouts: true}, consumers: [display, publisher, analytics]}",),
        {"composition": "orchestration", "orchestrator": "step-functions-standard", "channel": "eventbridge",
         "compute": "lambda"},
        "aws-samples/serverless-coffee (Serverlesspresso): a Standard workflow waits on task tokens for the customer"
        " and the barista; services talk through an EventBridge bus. Step Functions docs: .waitForTaskToken is"
        " Standard-only (connect-to-resource.html#connect-wait-token)"),
    "low-volume-payment-saga-needs-exactly-once": Scenario(
        ("{name: pay, context: payments, trigger: api, caller_waits: false, traffic: {average: 2/min, peak: 1/s},"
         " duration: 4s, steps: [reserve, charge, confirm], coupling: tight,"
         " needs: {compensation: true, exactly_once: true}}",),
        {"orchestrator": "step-functions-standard"},
        "Step Functions 'Choosing workflow type': Standard for non-idempotent actions such as payments (exactly-once);"
        " aws-facts 2.1",
        decided_by={"orchestrator": "need"}),
    "audit-history-at-one-run-a-minute": Scenario(
        ("{name: approve-claim, trigger: queue, traffic: {average: 1/min}, duration: 30s,"
         " steps: [score, decide, record], coupling: tight, needs: {audit: true}}",),
        {"orchestrator": "step-functions-standard"},
        "Step Functions 'Choosing workflow type': Standard keeps 90 days of queryable execution history, Express"
        " none in the service; aws-facts 2.1",
        decided_by={"orchestrator": "need"}),
    "steady-high-volume-api-costs-half-on-fargate": Scenario(
        ("{name: bid, trigger: api, traffic: {average: 10k/s, peak: 10k/s, pattern: steady}, duration: 20ms,"
         " data: relational}",),
        {"compute": "fargate", "composition": "choreography", "data_store": "aurora-serverless"},
        "aws-facts 7: 'Steady, high utilisation 24/7 -> Fargate'; the cost formula of aws-facts 7 (Lambda per"
        " request and GB-s, Fargate per task-hour) puts Fargate at about half of Lambda's cost here",
        absent=("D301",), decided_by={"compute": "cost"}),
    "order-placed-to-three-contexts-at-a-few-events-a-second": Scenario(
        ("{name: order-placed, context: orders, trigger: api, caller_waits: false,"
         " traffic: {average: 1/s, peak: 40/s, pattern: spiky}, duration: 300ms,"
         " consumers: [billing, shipping, loyalty]}",),
        {"channel": "eventbridge", "composition": "choreography"},
        "AWS decision guide 'SQS, SNS or EventBridge?' and Serverless Land 'choreography and orchestration': an"
        " event bus between bounded contexts; aws-facts 1.2 rule 10 (a bus once ~3 services react). A 40x peak at a"
        " few events/s is not a reason for a queue per consumer",
        decided_by={"channel": "guidance"}),
    "high-throughput-fan-out-stays-on-sns": Scenario(
        ("{name: price-tick, trigger: stream, traffic: {average: 2k/s, peak: 3k/s, pattern: steady},"
         " duration: 20ms, consumers: [pricing, risk]}",),
        {"channel": ["sns", "sns-sqs", "kinesis"]},
        "aws-facts 1.2 rule 4: very high volume, every consumer wants every event -> SNS (+SQS per consumer);"
        " rule 5: a continuous stream with independent readers -> Kinesis"),
    "saas-targets-through-api-destinations": Scenario(
        ("{name: ticket-escalated, trigger: queue, traffic: {average: 2/s, peak: 30/s, pattern: spiky},"
         " duration: 200ms, external_targets: [pagerduty]}",),
        {"channel": "eventbridge"},
        "AWS Compute Blog 'Using API destinations with Amazon EventBridge' (Zendesk, PagerDuty, Slack as rule"
        " targets); EventBridge docs eb-api-destinations; aws-facts 1.2 rule 2",
        findings=()),
    "twelve-consumers-one-rule-each": Scenario(
        ("{name: customer-registered, trigger: api, caller_waits: false, traffic: {average: 3/s, peak: 30/s},"
         " duration: 200ms, consumers: [crm, email, billing, analytics, search, fraud, welcome, loyalty, support,"
         " marketing, referrals, data-lake]}",),
        {"channel": "eventbridge"},
        "EventBridge quotas (eb-quota): 5 targets per rule, 300 rules per bus; aws-facts 10: 'fan-out > 5 targets"
        " for one Classic rule -> multiple rules'. One rule per consumer never reaches 5 targets"),
    "insurance-claims-claim-check": Scenario(
        ("{name: claim-uploaded, context: claims, trigger: upload, traffic: {average: 1/min, peak: 5/s},"
         " duration: 2s, data: files, message_size: 8MB, consumers: [claims-processing, fraud]}",),
        {"channel": "eventbridge", "entry": "s3-event", "data_store": "s3"},
        "Serverless Land 's3-to-eventbridge-claim-check-pattern' (aws-samples/serverless-patterns): the claim"
        " stays in S3 and the domain event on the bus carries a pointer; SQS docs sqs-managing-large-messages",
        findings=("M310",), absent=("M311", "M304")),
    "occasional-large-records-send-a-pointer": Scenario(
        ("{name: scan-received, trigger: api, caller_waits: false, traffic: {average: 2/s, peak: 20/s},"
         " duration: 1s, message_size: 3MB, event_size: 1KB, consumers: [ocr, archive]}",),
        {"channel": "eventbridge"},
        "Serverless Land 'claim-check-pattern-cdk' (EventBridge Pipes split and re-join the payload); intermittent"
        " large records are not a reason for Kinesis (aws-facts 1.2 rule 5 reserves Kinesis for true streaming)",
        findings=("M310",), absent=("M311",)),
    "mediaconvert-job-complete-starts-post-processing": Scenario(
        ("{name: publish-rendition, trigger: event, source_event: 'aws.mediaconvert: MediaConvert Job State Change',"
         " traffic: {average: 1/min, peak: 1/s}, duration: 10s, data: key-value}",),
        {"entry": "eventbridge-rule", "compute": "lambda", "composition": "choreography"},
        "MediaConvert user guide 'Using EventBridge with AWS Elemental MediaConvert': a rule on the job's COMPLETE"
        " event starts post-processing in Lambda; EventBridge docs eb-service-event"),
    "scatter-gather-quotes-wait-for-callbacks": Scenario(
        ("{name: request-quotes, trigger: api, caller_waits: false, traffic: {average: 1/min}, duration: 2m,"
         " steps: [send-requests, gather-replies, pick-best], needs: {callbacks: true}}",),
        {"composition": "orchestration", "orchestrator": "step-functions-standard"},
        "Serverless Land 'sfn-tasktoken-lambda' and Step Functions 'Wait for a callback with the task token':"
        " each supplier gets a task token and calls back; Standard only"),
    "only-the-transcoding-step-runs-as-a-task": Scenario(
        ("{name: transcode-upload, trigger: upload, traffic: {average: 10/day}, duration: 50m, data: files,"
         " steps: [probe, {name: transcode, duration: 40m, memory: 4096MB}, notify]}",),
        {"compute": "fargate", "orchestrator": "step-functions-standard", "composition": "orchestration"},
        "aws-facts 7 (a run over 15 minutes -> Fargate task run by Step Functions .sync to ECS) and Step Functions"
        " docs connect-ecs: the workflow runs the long step as a task, the short ones stay Lambda functions",
        findings=("C304",)),
    "storage-first-in-front-of-a-standard-workflow": Scenario(
        ("{name: place-booking, trigger: api, caller_waits: false, traffic: {average: 50/s, peak: 800/s,"
         " pattern: spiky}, duration: 30s, steps: [hold-seat, charge, confirm], coupling: tight,"
         " needs: {exactly_once: true, compensation: true}}",),
        {"orchestrator": "step-functions-standard", "entry": "api-queue"},
        "AWS Compute Blog 'Building storage-first applications with HTTP APIs service integrations'; Step Functions"
        " service quotas: Standard StartExecution refills 300/s in us-east-1",
        findings=("O301",), decided_by={"orchestrator": "need"}),
    "order-store-and-event-is-a-dual-write": Scenario(
        ("{name: create-order, trigger: api, caller_waits: false, traffic: {average: 5/s, peak: 50/s},"
         " duration: 200ms, data: key-value, consumers: [billing, shipping]}",),
        {"data_store": "dynamodb", "channel": "eventbridge"},
        "AWS Compute Blog 'Implementing the transactional outbox pattern with Amazon EventBridge Pipes'; Serverless"
        " Land 'dynamodb-streams-to-eventbridge-outbox-pattern'; Prescriptive Guidance transactional-outbox",
        findings=("D302",)),
    "survey-buffer-drains-slower-than-allowed": Scenario(
        ("{name: submit-response, trigger: api, caller_waits: false, traffic: {average: 20/s, peak: 500/s,"
         " pattern: spiky}, duration: 1s, downstream_limit: 100/s, max_delay: 2m, data: relational}",),
        {"entry": "api-queue"},
        "AWS Compute Blog 'storage-first' (the queue absorbs the peak) and Lambda docs services-sqs-scaling"
        " (maximum concurrency drains it at the downstream's pace): the backlog takes minutes to drain",
        findings=("A309",)),
    "waiting-caller-on-sync-express-runs-at-most-once": Scenario(
        ("{name: get-quote, trigger: api, caller_waits: true, traffic: {average: 20/s, peak: 200/s},"
         " duration: 2s, steps: [price, discount, tax], coupling: tight}",),
        {"orchestrator": "step-functions-express", "entry": "api-sync"},
        "Step Functions 'Choosing workflow type': synchronous Express executions run at most once; aws-facts 2.1",
        findings=("O306",)),
    "one-step-refund-with-an-audit-history": Scenario(
        ("{name: refund, trigger: queue, traffic: {average: 1/min}, duration: 2s, consumers: [ledger, notify],"
         " needs: {audit: true}}",),
        {"composition": "orchestration", "orchestrator": "step-functions-standard"},
        "aws-facts 1.3: orchestration when a flow needs per-instance visibility/audit, even against the guidance"
        " that one step and independent consumers are choreographed; 2.1: Standard keeps the history",
        decided_by={"composition": "need", "orchestrator": "need"}),
    "express-starts-beyond-their-quota": Scenario(
        ("{name: enrich-telemetry, trigger: stream, traffic: {average: 6k/s, peak: 9k/s, pattern: steady},"
         " duration: 100ms, steps: [parse, enrich, store], coupling: tight}",),
        {"orchestrator": "step-functions-express"},
        "Step Functions service quotas: Express StartExecution refills 6,000/s (aws-facts 2.2), not unlimited",
        findings=("O307",)),
}


def _advise(s: Scenario):
    body = "".join(f"  - {f}\n" for f in s.flows)
    rec = advise(load_text(f"version: 1\nname: scenario\nflows:\n{body}"))
    name = s.flow or rec.flows[0].name
    return next(f for f in rec.flows if f.name == name)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_reference_architecture_decides_as_its_source(name):
    s = SCENARIOS[name]
    advice = _advise(s)
    for decision, want in s.expect.items():
        wanted = want if isinstance(want, list) else [want]
        got = advice.decisions[decision].choice
        assert got in wanted, f"{decision} = {got}, the source ({s.source}) says {wanted}"
    for decision, standing in s.decided_by.items():
        got = advice.decisions[decision].decided_by
        assert got == standing, f"{decision} was decided by {got}, not {standing}: {advice.decisions[decision].reason}"
    fired = {f.rule for f in advice.findings}
    assert set(s.findings) <= fired, f"missing findings {set(s.findings) - fired} ({s.source})"
    assert not set(s.absent) & fired, f"findings that do not apply: {set(s.absent) & fired}"


def test_a_cost_decision_says_that_guidance_tied_and_gives_both_prices():
    reason = _advise(SCENARIOS["steady-high-volume-api-costs-half-on-fargate"]).decisions["compute"].reason
    assert reason.startswith("fargate and lambda tie on stated needs and AWS's guidance; the cost model decides: ")
    assert "on Fargate and $" in reason and "on Lambda" in reason


def test_explanations_describe_the_system_chosen():
    """A Fargate flow's reasons never describe Lambda as what runs it (issue 11: 'reached from Lambda through RDS
    Proxy' for a Fargate service)."""
    advice = _advise(SCENARIOS["steady-high-volume-api-costs-half-on-fargate"])
    for name, d in advice.decisions.items():
        if name != "compute":
            assert "from Lambda" not in d.reason and "Lambda functions" not in d.reason, (name, d.reason)


def test_a_stated_need_is_not_outvoted_by_a_material_saving():
    """The payment saga at a rate where Express saves a material amount still runs on Standard."""
    s = Scenario(("{name: pay, trigger: queue, traffic: {average: 20/s}, duration: 3s, steps: [reserve, charge,"
                  " confirm], coupling: tight, needs: {exactly_once: true}}",), {}, "")
    d = _advise(s).decisions["orchestrator"]
    assert d.choice == "step-functions-standard" and d.decided_by == "need"
    assert any(f.rule.id == "K101" for f in d.trace), "the cost rule fired (the saving is material) and lost"
