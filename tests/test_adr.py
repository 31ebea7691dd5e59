"""Architecture decision records: written for every example, stable, showing the
user's values, and never rewritten except to mark one superseded.

The recommendation dicts are built by hand from each example's expected
choices, so these tests do not depend on the rule engine.
"""
from __future__ import annotations

import copy
import difflib
import re
from pathlib import Path

import pytest
import yaml

from advisor.adr import INDEX_MARKER, read_folder, record_slug, render_records, rule_index, slugify, title_of
from advisor.units import format_rate
from advisor.workload import load_text
from shared_examples import EXAMPLES, load_case


DECISIONS = ("composition", "orchestrator", "channel", "entry", "compute", "data_store")
SECTIONS = ["## Context and Problem Statement", "## Decision Drivers", "## Considered Options",
            "## Decision Outcome", "### Consequences", "## Pros and Cons of the Options", "## More Information"]
_ENTRY_BY_TRIGGER = {"schedule": "schedule", "upload": "s3-event", "queue": "sqs-poll", "stream": "kinesis-poll",
                     "change-data": "dynamodb-stream-poll", "kafka": "kafka-poll", "mq": "mq-poll"}
_FOLLOWS = {"eventbridge": "eventbridge-rule", "eventbridge-sns": "sns-subscription", "sns": "sns-subscription",
            "sns-sqs": "sqs-poll", "sqs": "sqs-poll", "sqs-fifo": "sqs-poll", "sns-fifo": "sqs-poll",
            "kinesis": "kinesis-poll", "dynamodb-streams": "dynamodb-stream-poll"}
_STORE_BY_DATA = {"none": "none", "key-value": "dynamodb", "relational": "aurora-serverless", "files": "s3"}


def hand_rec(workload, expect: dict | None = None) -> dict:
    """Expected choices (first acceptable one), plain defaults for the rest, no trace."""
    expect, flows, chosen = expect or {}, [], {}
    for f in workload.flows:
        c: dict[str, str] = {}
        for d, v in (expect.get(f.name) or {}).items():
            v = v[0] if isinstance(v, list) else v
            c[d] = _FOLLOWS[chosen[v["follows"]]["channel"]] if isinstance(v, dict) else v
        c.setdefault("orchestrator", "none")
        c.setdefault("composition", "choreography" if c["orchestrator"] == "none" else "orchestration")
        c.setdefault("channel", "eventbridge" if f.consumers else "none")
        if f.trigger == "api":
            c.setdefault("entry", "api-sync" if f.caller_waits else "api-async")
        elif f.trigger == "event":
            c.setdefault("entry", _FOLLOWS[chosen[f.after]["channel"]])
        else:
            c.setdefault("entry", _ENTRY_BY_TRIGGER[f.trigger])
        c.setdefault("compute", "lambda")
        c.setdefault("data_store", _STORE_BY_DATA[f.data])
        chosen[f.name] = c
        flows.append({"name": f.name, "context": f.context, "trigger": f.trigger, "after": f.after,
                      "decisions": {d: {"choice": c[d], "runner_up": None, "reason": "", "scores": {c[d]: 0.0},
                                        "excluded": {}, "trace": []} for d in DECISIONS},
                      "hops": [], "findings": []})
    return {"version": 1, "workload": workload.name, "region": workload.region, "flows": flows, "findings": []}


def load_example(name: str, mutate=None):
    doc = load_case(name)
    if mutate:
        mutate(doc["workload"])
    w = load_text(yaml.safe_dump(doc["workload"], sort_keys=False), f"{name}.yaml")
    return w, hand_rec(w, doc.get("expect"))


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES.glob("e*.yaml"))


def decision(rec: dict, flow: str, name: str) -> dict:
    return next(f for f in rec["flows"] if f["name"] == flow)["decisions"][name]


def texts(files: dict[str, bytes]) -> dict[str, str]:
    return {k: v.decode("utf-8") for k, v in files.items()}


def front_matter(text: str) -> dict[str, str]:
    assert text.startswith("---\n")
    head = text.split("---\n", 2)[1]
    return yaml.safe_load(head)


def record_for(files: dict[str, bytes], flow: str, dec: str) -> tuple[str, str]:
    found = [(k, v.decode()) for k, v in files.items() if k != "README.md"
             and (fm := front_matter(v.decode())).get("advisor-flow") == flow and fm.get("advisor-decision") == dec]
    assert len(found) == 1, f"no single record for {flow}/{dec}: {[k for k, _ in found]}"
    return found[0]


# ------------------------------------------------------------------ every example


@pytest.mark.parametrize("name", example_names())
def test_records_are_written_for_every_example(name):
    w, rec = load_example(name)
    result = render_records(w, rec)
    assert not result.conflicts and not result.kept and not result.superseded
    records = sorted(k for k in result.files if k != "README.md")
    expected = [(f.name, d) for f in w.flows for d in DECISIONS
                if decision(rec, f.name, d)["choice"] != "none"]
    assert len(records) == len(expected)
    assert [int(k[:4]) for k in records] == list(range(1, len(records) + 1))
    for (flow, dec), path in zip(expected, records):  # numbered in flow order, then decision order
        assert re.fullmatch(r"\d{4}-[a-z0-9]+(-[a-z0-9]+)*\.md", path) and len(path) <= 4 + 1 + 60 + 3
        text = result.files[path].decode()
        fm = front_matter(text)
        assert fm["status"] == "accepted"
        assert (fm["advisor-workload"], fm["advisor-flow"], fm["advisor-decision"]) == (w.name, flow, dec)
        assert fm["advisor-choice"] == decision(rec, flow, dec)["choice"]
        positions = [text.find(f"\n{s}\n") for s in SECTIONS]
        assert all(p > 0 for p in positions) and positions == sorted(positions), path
        assert text.count("\n# ") == 1 and f"`{flow}`" in text
    index = result.files["README.md"].decode()
    assert index.startswith(INDEX_MARKER)
    for path in records:
        assert f"]({path})" in index
    for f, d, c in result.skipped:
        assert f"* `{f}`: {d.replace('_', ' ')} (`{c}`)" in index


def test_shop_record_names():
    w, rec = load_example("e02-shop")
    assert sorted(render_records(w, rec).files) == [
        "0001-use-orchestration-for-checkout.md",
        "0002-use-step-functions-express-for-checkout.md",
        "0003-use-eventbridge-for-the-events-of-checkout.md",
        "0004-start-checkout-with-a-synchronous-api.md",
        "0005-run-checkout-on-aws-lambda.md",
        "0006-store-the-data-of-checkout-in-aurora-serverless-v2.md",
        "0007-use-orchestration-for-ship-order.md",
        "0008-use-step-functions-standard-for-ship-order.md",
        "0009-start-ship-order-with-an-eventbridge-rule.md",
        "0010-run-ship-order-on-aws-lambda.md",
        "README.md",
    ]


@pytest.mark.parametrize("name", example_names())
def test_records_are_stable(name):
    w, rec = load_example(name)
    first = render_records(w, rec)
    assert render_records(w, copy.deepcopy(rec)).files == first.files  # same bytes twice
    again = render_records(w, rec, texts(first.files))  # run over its own output
    assert again.files == {"README.md": first.files["README.md"]}
    assert again.kept == tuple(sorted(k for k in first.files if k != "README.md"))
    assert not again.conflicts and not again.superseded and not again.stale


# (example, flow, decision, values from the workload file that must be quoted)
VALUES = [
    ("e02-shop", "checkout", "orchestrator", ["400/s", "5/s", "8s", "validate-cart, charge-card, reserve-stock",
                                              "coupling: tight", "compensation"]),
    ("e02-shop", "checkout", "channel", ["shipping, email, analytics", "fan-out 3", "1KB"]),
    ("e02-shop", "checkout", "entry", ["http API, auth: users", "the caller waits", "400/s"]),
    ("e02-shop", "ship-order", "orchestrator", ["2d", "longest step 30s", "human_approval"]),
    ("e02-shop", "ship-order", "entry", ["after the flow `checkout`"]),
    ("e04-nightly-report", "nightly-report", "compute", ["40m", "longest step 35m", "1/day"]),
    ("e06-ledger-fifo", "record-transaction", "channel", ["ordering, exactly_once", "balance-keeper"]),
    ("e07-saas-events", "ticket-escalated", "channel", ["external targets: datadog, zendesk"]),
    ("e08-spiky-ingest", "submit-response", "entry", ["downstream limit: 100/s", "5000/s at peak (spiky)"]),
    ("e01-thumbnails", "make-thumbnail", "data_store", ["data: files", "50/s at peak"]),
]


@pytest.mark.parametrize("name, flow, dec, values", VALUES, ids=[f"{v[0]}:{v[1]}:{v[2]}" for v in VALUES])
def test_records_quote_the_values_that_drove_them(name, flow, dec, values):
    w, rec = load_example(name)
    _, text = record_for(render_records(w, rec).files, flow, dec)
    context = text.split("## Context and Problem Statement")[1].split("## Decision Drivers")[0]
    for v in values:
        assert v in context, f"{v!r} missing from the context of {flow}/{dec}"


# ------------------------------------------------------------ what a decision says

REF = "https://docs.aws.amazon.com/step-functions/latest/dg/choosing-workflow-type.html"


def rich_shop():
    w, rec = load_example("e02-shop")
    decision(rec, "checkout", "orchestrator").update(
        runner_up="step-functions-standard",
        reason="Executions take 8 seconds and peak at 400/s, which Express runs for less.",
        scores={"step-functions-express": 3.0, "step-functions-standard": 1.5},
        excluded={"none": [{"rule": "O101", "reason": "Three tightly coupled steps need one controller."}]},
        trace=[
            {"rule": "O101", "name": "orchestrator.tight_steps_need_controller", "kind": "limit",
             "effect": {"exclude": ["none"]}, "because": "Three tightly coupled steps need one controller.",
             "references": [REF]},
            {"rule": "O201", "name": "orchestrator.short_high_volume_express", "kind": "preference",
             "effect": {"prefer": {"step-functions-express": 2, "step-functions-standard": -0.5}},
             "because": "Executions take 8 seconds and peak at 400/s.", "references": [REF],
             "tradeoffs": ["Express runs at least once, so every step must be idempotent."],
             "alternatives": [{"option": "step-functions-standard",
                               "when_to_prefer": "An execution must run exactly once."}]},
        ])
    next(f for f in rec["flows"] if f["name"] == "checkout")["findings"] = [
        {"rule": "O201", "severity": "warning", "title": "Charge the card idempotently",
         "message": "An Express execution may run a step twice.", "references": ["https://example.org/idem"]},
        {"rule": "S101", "severity": "info", "title": "Sign-in is needed", "message": "auth: users needs Cognito.",
         "references": []},
        {"rule": "K101", "decision": "data_store", "severity": "warning", "title": "Aurora costs at idle",
         "message": "Scale to 0 ACU.", "references": []},
        {"rule": "C301", "severity": "warning", "title": "Concurrency over the quota", "message": "3,200 at once.",
         "references": [], "evidence": {"all": [{"fact": "decision.compute", "operator": "equal", "value": "lambda",
                                                 "actual": "lambda", "result": True}], "result": True}},
    ]
    return w, rec


def test_record_shows_options_scores_exclusions_and_references():
    w, rec = rich_shop()
    files = render_records(w, rec).files
    path, text = record_for(files, "checkout", "orchestrator")
    assert path == "0002-use-step-functions-express-for-checkout.md"
    assert "| `step-functions-express` (Step Functions Express) | 3 | chosen |" in text
    assert "| `step-functions-standard` (Step Functions Standard) | 1.5 | runner-up |" in text
    assert "| `none` (no workflow engine) | n/a | excluded: O101 Three tightly coupled steps need one controller. |" \
        in text
    assert ("Chosen option: `step-functions-express` (Step Functions Express), because executions take "
            "8 seconds and peak at 400/s, which Express runs for less.") in text
    assert ("* O201 `orchestrator.short_high_volume_express`: Executions take 8 seconds and peak at 400/s "
            "(+2 `step-functions-express`, -0.5 `step-functions-standard`).") in text
    assert "* Bad, because it is excluded by O101: three tightly coupled steps need one controller." in text
    assert text.count("excluded by O101") == 1  # the trace and `excluded` say it once together
    assert "* Neutral: prefer it when an execution must run exactly once (O201)." in text
    assert "* Trade-off (O201): Express runs at least once, so every step must be idempotent." in text
    assert "* Warning (O201): Charge the card idempotently. An Express execution may run a step twice." in text
    assert f"* <{REF}>" in text and "* <https://example.org/idem>" in text
    assert text.count(f"<{REF}>") == 1
    # findings land in the record of the decision they concern
    _, composition = record_for(files, "checkout", "composition")
    assert "Info (S101): Sign-in is needed" in composition and "(about the flow as a whole)" in composition
    assert "Charge the card" not in composition and "Aurora costs" not in composition
    _, store = record_for(files, "checkout", "data_store")
    assert "Warning (K101): Aurora costs at idle. Scale to 0 ACU." in store
    assert "Sign-in is needed" not in store
    _, compute = record_for(files, "checkout", "compute")  # its condition tested decision.compute
    assert "Warning (C301): Concurrency over the quota. 3,200 at once." in compute
    assert "Concurrency" not in composition and "Concurrency" not in store


def test_compact_trace_of_the_engine_is_completed_from_the_rules():
    w, rec = load_example("e02-shop")
    decision(rec, "checkout", "compute").update(
        runner_up=None, scores={"lambda": 0.0, "fargate": 0.0}, excluded={"fargate": ["C150"]},
        trace=[{"rule": "C150", "kind": "limit", "effect": {"exclude": ["fargate"]},
                "because": "Steps of 2.67s at 400/s start faster on Lambda.", "values": {"flow.traffic.peak": 400}}])
    next(f for f in rec["flows"] if f["name"] == "checkout")["findings"] = [
        {"rule": "C301", "severity": "warning", "title": "Concurrency", "message": "3,200 at once.",
         "references": [], "values": {"decision.compute": "lambda", "derived.peak_concurrency": 3200}}]
    rules = {"C150": {"name": "compute.fast_start", "title": "t", "references": ["https://aws.example/c150"],
                      "tradeoffs": ["Cold starts add latency."]}}
    files = render_records(w, rec, rules=rules).files
    _, text = record_for(files, "checkout", "compute")
    assert "| `fargate` (AWS Fargate) | n/a | excluded: C150 Steps of 2.67s at 400/s start faster on Lambda. |" in text
    assert "* C150 `compute.fast_start`: Steps of 2.67s at 400/s start faster on Lambda (excludes `fargate`)." in text
    assert "* <https://aws.example/c150>" in text
    assert "* Warning (C301): Concurrency. 3,200 at once." in text
    _, composition = record_for(files, "checkout", "composition")
    assert "C301" not in composition
    bare = render_records(w, rec).files  # without the catalog: ids only, no links
    assert "* C150: Steps of 2.67s" in record_for(bare, "checkout", "compute")[1]


def test_new_wording_or_links_alone_do_not_make_a_conflict():
    w, rec = load_example("e02-shop")
    decision(rec, "checkout", "orchestrator").update(
        trace=[{"rule": "O209", "kind": "preference", "effect": {"prefer": {"step-functions-express": 2}},
                "because": "Executions take 8 seconds."}])
    first = texts(render_records(w, rec).files)
    decision(rec, "checkout", "orchestrator")["trace"][0]["because"] = "Each execution takes 8s."
    result = render_records(w, rec, first, rules={"O209": {"name": "x.y", "references": ["https://aws.example"]}})
    assert not result.conflicts and OLD in result.kept


def test_none_without_competitor_is_skipped_and_said_so_but_recorded_when_contested():
    w, rec = load_example("e01-thumbnails")
    result = render_records(w, rec)
    assert ("make-thumbnail", "orchestrator", "none") in result.skipped
    assert not any("workflow-engine" in k for k in result.files)
    assert "* `make-thumbnail`: orchestrator (`none`)" in result.files["README.md"].decode()
    decision(rec, "make-thumbnail", "orchestrator").update(
        runner_up="step-functions-express", scores={"none": 1.0, "step-functions-express": 0.0})
    result = render_records(w, rec)
    assert ("make-thumbnail", "orchestrator", "none") not in result.skipped
    path, text = record_for(result.files, "make-thumbnail", "orchestrator")
    assert path == "0002-use-no-workflow-engine-for-make-thumbnail.md"
    assert "| `step-functions-express` (Step Functions Express) | 0 | runner-up |" in text


def test_missing_flow_is_an_error():
    w = load_text("version: 1\nname: x\nflows:\n  - {name: a, trigger: api, duration: 1s}\n")
    rec = hand_rec(w)
    rec["flows"] = []
    with pytest.raises(ValueError, match="a"):
        render_records(w, rec)


# ----------------------------------------------------------- changes and supersede

OLD = "0002-use-step-functions-express-for-checkout.md"
NEW = "0011-use-step-functions-standard-for-checkout.md"


def test_changed_decision_is_a_conflict_and_nothing_is_rewritten():
    w, rec = load_example("e02-shop")
    first = texts(render_records(w, rec).files)
    decision(rec, "checkout", "orchestrator")["choice"] = "step-functions-standard"
    result = render_records(w, rec, first)
    assert [(c.path, c.flow, c.decision) for c in result.conflicts] == [(OLD, "checkout", "orchestrator")]
    assert "changed from `step-functions-express` to `step-functions-standard`" in result.conflicts[0].reason
    assert b"# Use Step Functions Standard for checkout" in result.conflicts[0].proposed
    assert set(result.files) == {"README.md"}  # no record is touched, none is added
    assert OLD not in result.kept and len(result.kept) == 9


def test_changed_facts_with_the_same_choice_are_a_conflict_too():
    w, rec = load_example("e02-shop")
    first = texts(render_records(w, rec).files)

    def busier(doc):
        doc["flows"][0]["traffic"]["peak"] = "800/s"
    w2, rec2 = load_example("e02-shop", busier)
    result = render_records(w2, rec2, first)
    paths = {c.path for c in result.conflicts}
    assert OLD in paths and "0001-use-orchestration-for-checkout.md" not in paths  # composition shows no traffic
    assert all("facts or the reasoning" in c.reason for c in result.conflicts)
    assert all(b"800/s" in c.proposed for c in result.conflicts)


def test_supersede_writes_a_new_record_and_only_marks_the_old_one():
    w, rec = load_example("e02-shop")
    first = texts(render_records(w, rec).files)
    decision(rec, "checkout", "orchestrator")["choice"] = "step-functions-standard"
    result = render_records(w, rec, first, supersede=True)
    assert not result.conflicts
    assert result.superseded == ((OLD, NEW),)
    assert set(result.files) == {OLD, NEW, "README.md"}
    new = result.files[NEW].decode()
    fm = front_matter(new)
    assert fm["status"] == "accepted" and fm["supersedes"] == "0002"
    assert f"Supersedes [0002. Use Step Functions Express for checkout]({OLD})." in new
    old = result.files[OLD].decode()
    assert front_matter(old)["status"] == "superseded by 0011"
    changes = [line for line in difflib.ndiff(first[OLD].splitlines(), old.splitlines()) if line[:1] in "+-"]
    assert changes == ["- status: accepted", "+ status: superseded by 0011",
                       "+ ", f"+ Superseded by [0011. Use Step Functions Standard for checkout]({NEW})."]
    index = result.files["README.md"].decode()
    assert f"| [0002]({OLD}) | Use Step Functions Express for checkout | checkout | superseded by 0011 |" in index
    assert f"| [0011]({NEW}) | Use Step Functions Standard for checkout | checkout | accepted |" in index
    # and the next run over the new folder is quiet
    folder = {**first, **texts(result.files)}
    again = render_records(w, rec, folder, supersede=True)
    assert set(again.files) == {"README.md"} and again.files["README.md"] == result.files["README.md"]
    assert NEW in again.kept and OLD not in again.kept and not again.conflicts


def test_a_record_edited_by_hand_is_kept_while_its_decision_is_unchanged():
    w, rec = load_example("e02-shop")
    folder = texts(render_records(w, rec).files)
    folder[OLD] = folder[OLD].replace("## More Information\n", "## More Information\n\nAgreed with the team.\n")
    folder[OLD] = folder[OLD].replace("\n", "\r\n")  # and checked out with CRLF
    result = render_records(w, rec, folder)
    assert OLD in result.kept and OLD not in result.files and not result.conflicts


def test_numbering_continues_after_records_advisor_did_not_write():
    w, rec = load_example("e02-shop")
    adr_tools = "# 1. Record architecture decisions\n\nDate: 2024-01-01\n\n## Status\n\nAccepted\n\n## Context\n"
    log4brains = "# Use Markdown ADRs\n\n- Status: proposed\n- Date: 2024-01-02\n"
    result = render_records(w, rec, {"0001-record-architecture-decisions.md": adr_tools,
                                     "0007-use-markdown-adrs.md": log4brains, "notes.md": "# notes\n"})
    records = sorted(k for k in result.files if k != "README.md")
    assert records[0] == "0008-use-orchestration-for-checkout.md" and len(records) == 10
    assert "0001-record-architecture-decisions.md" not in result.files
    index = result.files["README.md"].decode()
    assert "| [0001](0001-record-architecture-decisions.md) | Record architecture decisions |  | Accepted |" in index
    assert "| [0007](0007-use-markdown-adrs.md) | Use Markdown ADRs |  | proposed |" in index
    assert "notes.md" not in index


def test_an_index_advisor_did_not_write_is_a_conflict():
    w, rec = load_example("e02-shop")
    result = render_records(w, rec, {"README.md": "# Our decisions\n"})
    assert "README.md" not in result.files
    assert [c.path for c in result.conflicts] == ["README.md"]
    ours = render_records(w, rec).files["README.md"].decode()
    result = render_records(w, rec, {"README.md": ours.replace("Flow", "Flux")})
    assert result.files["README.md"].decode() == ours and not result.conflicts
    assert "README.md" not in render_records(w, rec, index=None).files


def test_records_of_a_removed_flow_are_kept_as_stale():
    w, rec = load_example("e02-shop")
    first = texts(render_records(w, rec).files)

    def rename(doc):
        doc["flows"][1]["name"] = "deliver"
    w2, rec2 = load_example("e02-shop", rename)
    result = render_records(w2, rec2, first)
    assert result.stale == ("0007-use-orchestration-for-ship-order.md",
                            "0008-use-step-functions-standard-for-ship-order.md",
                            "0009-start-ship-order-with-an-eventbridge-rule.md",
                            "0010-run-ship-order-on-aws-lambda.md")
    new = sorted(k for k in result.files if k != "README.md")
    assert new[0].startswith("0011-") and all("-deliver" in k for k in new)
    assert "## No longer produced" in result.files["README.md"].decode()
    assert not any(k in result.files for k in result.stale)


# ------------------------------------------------------------------- small parts


@pytest.mark.parametrize("text, slug", [
    ("Use Step Functions Express for checkout", "use-step-functions-express-for-checkout"),
    ("Store the data of x in Aurora Serverless v2", "store-the-data-of-x-in-aurora-serverless-v2"),
    ("  Weird -- name!! ", "weird-name"),
    ("naïve café", "na-ve-caf"),
    ("!!!", "decision"),
    ("Use " + "very-long-" * 10 + "name", "use-very-long-very-long-very-long-very-long-very-long-very"),
])
def test_slugify(text, slug):
    assert slugify(text) == slug
    assert len(slug) <= 60


@pytest.mark.parametrize("dec, choice, flow, slug", [
    ("orchestrator", "step-functions-express", "checkout", "use-step-functions-express-for-checkout"),
    ("channel", "sns-sqs", "checkout", "use-sns-sqs-for-checkout"),
    ("channel", "eventbridge", "checkout", "use-eventbridge-for-the-events-of-checkout"),
    ("entry", "api-queue", "submit-response", "start-submit-response-with-an-api-that-queues-requests"),
    ("entry", "dynamodb-stream-poll", "x" * 63, "use-dynamodb-stream-poll-for-" + "x" * 31),
])
def test_record_slugs_keep_choice_and_flow(dec, choice, flow, slug):
    assert record_slug(title_of(dec, choice, flow), choice, flow) == slug
    assert len(slug) <= 60


@pytest.mark.parametrize("dec, choice, title", [
    ("orchestrator", "step-functions-express", "Use Step Functions Express for f"),
    ("orchestrator", "none", "Use no workflow engine for f"),
    ("channel", "sns-sqs", "Use an SNS topic with a queue per consumer for the events of f"),
    ("channel", "none", "Publish no events from f"),
    ("entry", "api-queue", "Start f with an API that queues requests"),
    ("compute", "fargate", "Run f on AWS Fargate"),
    ("data_store", "none", "Keep no data store for f"),
    ("composition", "choreography", "Use choreography for f"),
    ("channel", "pigeon", "Use pigeon for the events of f"),
])
def test_titles(dec, choice, title):
    assert title_of(dec, choice, "f") == title


def test_read_folder_reads_markdown_only_and_keeps_bytes(tmp_path):
    assert read_folder(tmp_path / "absent") == {}
    (tmp_path / "0001-a.md").write_bytes(b"# A\r\n")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "sub.md").mkdir()
    assert read_folder(tmp_path) == {"0001-a.md": "# A\r\n"}


# ---------------------------------------------------------------- with the real engine


@pytest.mark.parametrize("name", example_names())
def test_engine_recommendations_give_stable_records(name):
    from advisor import engine
    doc = load_case(name)
    w = load_text(yaml.safe_dump(doc["workload"], sort_keys=False), f"{name}.yaml")
    rec = engine.advise(w).to_dict()
    from advisor.rules import load_catalog
    rules = rule_index(load_catalog())
    first = render_records(w, rec, rules=rules)
    assert not first.conflicts and first.files == render_records(w, engine.advise(w).to_dict(), rules=rules).files
    again = render_records(w, rec, texts(first.files), rules=rules)
    assert set(again.files) == {"README.md"} and not again.conflicts
    peak = format_rate(w.flows[0].traffic.peak)
    _, text = record_for(first.files, w.flows[0].name, "compute")
    assert peak in text
    for f in rec["flows"]:  # every finding of a flow appears in at least one of its records
        records = [v.decode() for k, v in first.files.items() if k != "README.md"
                   and front_matter(v.decode()).get("advisor-flow") == f["name"]]
        for x in f["findings"]:
            assert any(f"({x['rule']}): " in r for r in records), x["rule"]
        for d, dec in f["decisions"].items():  # every rule that fired is named and linked to its references
            if not dec["trace"] or not any(front_matter(r)["advisor-decision"] == d for r in records):
                continue
            text = next(r for r in records if front_matter(r)["advisor-decision"] == d)
            for t in dec["trace"]:
                assert f"{t['rule']} `{rules[t['rule']]['name']}`" in text
                assert all(f"* <{u}>" in text for u in rules[t["rule"]]["references"])
    assert not render_records(w, rec, texts(first.files)).conflicts  # links and names are not the decision


def test_rule_index_reads_the_catalog():
    from advisor.rules import load_catalog
    index = rule_index(load_catalog())
    assert index and all(v["name"] and v["references"] for v in index.values())
    assert all(u.startswith("https://") for v in index.values() for u in v["references"])
