"""``advisor recommend`` end to end: the JSON contract and its schema, determinism, the shared examples'
expected decisions, explanations with the user's values, --fail-on, --flow, every format, and ``advisor rules``.

The examples and the scoring of shared/tools/score_examples.py (including ``entry: {follows: FLOW}``) come
from tests/shared_examples.py, so the suite holds the advisor to the same bar as the scorer.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from advisor.cli import app
from advisor.engine import tie_prefix
from shared_examples import ENTRY_FOR_CHANNEL, EXAMPLE_FILES, load_case, score

REPO = Path(__file__).resolve().parent.parent
SCHEMA = REPO / "advisor" / "schemas" / "recommendation.schema.json"
# Workloads with several flows linked by after:, so hops and upstream facts are exercised too.
GRAPH_CASES = {
    "chain-and-fan": """\
version: 1
name: chain
flows:
  - {name: place, context: orders, trigger: api, duration: 2s, steps: [check, save], coupling: tight,
     consumers: [email, analytics, billing], data: relational, traffic: {average: 20/s, peak: 500/s, pattern: spiky}}
  - {name: ship, context: shipping, trigger: event, after: place, duration: 3d, longest_step: 20m,
     steps: [pick, pack], needs: {human_approval: true}}
  - {name: notify, context: notify, trigger: event, after: ship, duration: 200ms, external_targets: [twilio]}
  - {name: archive, context: archive, trigger: event, after: notify, duration: 1s, data: files}
""",
    "streams-and-brokers": """\
version: 1
name: streams
region: eu-central-1
flows:
  - {name: clicks, trigger: stream, duration: 50ms, traffic: {average: 2k/s, peak: 8k/s}, needs: {replay: true},
     consumers: [search]}
  - {name: enrich, trigger: event, after: clicks, duration: 100ms, data: key-value}
  - {name: changes, trigger: change-data, duration: 100ms, data: key-value, consumers: [audit]}
  - {name: index, trigger: event, after: changes, duration: 100ms}
  - {name: legacy, trigger: mq, source: activemq, duration: 1s, message_size: 2MB, consumers: [erp]}
  - {name: orders-topic, trigger: kafka, duration: 1s, needs: {ordering: true, exactly_once: true},
     consumers: [ledger], traffic: {average: 100/s, peak: 4000/s}}
""",
}


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def validator():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def write_workload(tmp_path: Path, doc_or_text, name: str = "workload.yaml") -> Path:
    path = tmp_path / name
    text = doc_or_text if isinstance(doc_or_text, str) else yaml.safe_dump(doc_or_text, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def recommend_json(path: Path, *extra) -> tuple[dict, str]:
    result = invoke("recommend", path, "--format", "json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stdout


def test_scorer_reimplementation_follows_the_channel_of_the_followed_flow():
    rec = {"flows": [{"name": "a", "decisions": {"channel": {"choice": "eventbridge"}}},
                     {"name": "b", "decisions": {"entry": {"choice": "eventbridge-rule"}}}]}
    assert score({"expect": {"b": {"entry": {"follows": "a"}}}}, rec)[:2] == (1, 1)
    rec["flows"][1]["decisions"]["entry"]["choice"] = "kinesis-poll"
    assert score({"expect": {"b": {"entry": {"follows": "a"}}}}, rec)[:2] == (0, 1)
    assert score({"expect": {"a": {"channel": ["sns", "eventbridge"]}}}, rec)[:2] == (1, 1)


# -- the shared examples ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_output_matches_schema_and_expected_decisions(path, tmp_path, validator):
    case = load_case(path)
    rec, _ = recommend_json(write_workload(tmp_path, case["workload"]))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(rec)]
    assert not errors, errors
    assert [f["name"] for f in rec["flows"]] == [f["name"] for f in case["workload"]["flows"]]
    matched, total, misses = score(case, rec)
    assert matched == total and total > 0, misses


def test_examples_score_100_percent_overall(tmp_path):
    matched = total = 0
    for path in EXAMPLE_FILES:
        case = load_case(path)
        rec, _ = recommend_json(write_workload(tmp_path, case["workload"], f"{path.stem}.yaml"))
        m, t, _ = score(case, rec)
        matched, total = matched + m, total + t
    assert total >= 30 and matched == total, f"score {matched}/{total}"


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_same_input_gives_the_same_bytes(path, tmp_path):
    wl = write_workload(tmp_path, load_case(path)["workload"])
    _, first = recommend_json(wl)
    _, second = recommend_json(wl)
    assert first == second

    def keys_sorted(pairs):
        keys = [k for k, _ in pairs]
        assert keys == sorted(keys), f"keys not sorted: {keys}"
        return dict(pairs)

    json.loads(first, object_pairs_hook=keys_sorted)
    assert first.endswith("}\n")


def test_same_bytes_across_processes(tmp_path, run_cli):
    """Set and dict order must not depend on the interpreter's hash seed."""
    wl = write_workload(tmp_path, load_case(EXAMPLE_FILES[1])["workload"])
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    one = run_cli("recommend", wl, "--format", "json", env={**env, "PYTHONHASHSEED": "1"})
    two = run_cli("recommend", wl, "--format", "json", env={**env, "PYTHONHASHSEED": "2"})
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert one.stdout == two.stdout


def test_explanations_name_the_users_values_shop(tmp_path):
    rec, _ = recommend_json(write_workload(tmp_path, load_case("e02-shop")["workload"]))
    checkout = rec["flows"][0]
    d = checkout["decisions"]
    assert "peak 400/s" in d["channel"]["reason"]
    assert "8s" in d["entry"]["reason"] and "8s" in d["orchestrator"]["reason"]
    assert "3 step(s)" in d["composition"]["reason"]
    assert any("3 other context(s) (shipping, email, analytics)" in t["because"] for t in d["composition"]["trace"])
    concurrency = next(f for f in checkout["findings"] if f["rule"] == "C301")
    assert "(400/s x 8s)" in concurrency["message"] and concurrency["values"]["derived.peak_concurrency"] == 3200.0
    ship = rec["flows"][1]["decisions"]
    assert "human approval: yes" in ship["composition"]["reason"]
    assert ship["orchestrator"]["excluded"]["step-functions-express"] == ["O203", "O204"]


def test_explanations_name_the_users_values_other_examples(tmp_path):
    report, _ = recommend_json(write_workload(tmp_path, load_case("e04-nightly-report")["workload"]))
    compute = report["flows"][0]["decisions"]["compute"]
    assert "35m" in compute["reason"] and compute["excluded"] == {"lambda": ["C101"]}
    alerts, _ = recommend_json(write_workload(tmp_path, load_case("e03-alerts-fanout")["workload"]))
    assert "peak 5000/s" in alerts["flows"][0]["decisions"]["channel"]["reason"]
    assert "7 consumers" in alerts["flows"][0]["decisions"]["channel"]["reason"]
    spiky, _ = recommend_json(write_workload(tmp_path, load_case("e08-spiky-ingest")["workload"]))
    assert "5000/s" in spiky["flows"][0]["decisions"]["entry"]["reason"]
    assert "100/s" in spiky["flows"][0]["decisions"]["entry"]["reason"]


REASON_GAPS: dict[str, str] = {}


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xfail(reason=REASON_GAPS[p.stem], strict=True))
                                  if p.stem in REASON_GAPS else p for p in EXAMPLE_FILES], ids=lambda p: p.stem)
def test_every_decision_reason_is_a_sentence_of_a_rule_that_fired(path, tmp_path):
    """A decision's one-line reason must be one of its fired rules' sentences (which carry the user's values),
    not a generic line, whenever some rule fired for it."""
    rec, _ = recommend_json(write_workload(tmp_path, load_case(path)["workload"]))
    gaps = []
    for flow in rec["flows"]:
        for name, d in flow["decisions"].items():
            sentences = {t["because"] for t in d["trace"]}
            reason = d["reason"]
            if d["decided_by"] in ("cost", "simplicity") and d["runner_up"]:  # "x and y tie on ...; cost decides: "
                reason = reason.removeprefix(tie_prefix(d["decided_by"], d["choice"], d["runner_up"]))
            if sentences and reason not in sentences:
                gaps.append(f"{flow['name']}.{name}: {d['reason']}")
            for t in d["trace"]:
                assert "{" not in t["because"], f"unfilled placeholder: {t['because']}"
    assert not gaps, gaps


# -- graph cases ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(GRAPH_CASES))
def test_graph_cases_match_the_schema(name, tmp_path, validator):
    rec, text = recommend_json(write_workload(tmp_path, GRAPH_CASES[name]))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(rec)]
    assert not errors, errors
    assert text == recommend_json(write_workload(tmp_path, GRAPH_CASES[name], "again.yaml"))[1]
    flows = {f["name"]: f for f in rec["flows"]}
    for flow in rec["flows"]:
        if flow["after"]:
            upstream_channel = flows[flow["after"]]["decisions"]["channel"]["choice"]
            assert flow["decisions"]["entry"]["choice"] in ENTRY_FOR_CHANNEL[upstream_channel], flow["name"]
            nodes = {n["id"]: n for n in rec["architecture"]["nodes"]}
            # the flow starts straight from its upstream's channel: no function of its own relays the event
            assert nodes[flow["hops"][0]["from"]]["flow"] == flow["after"], flow["hops"][0]
            assert nodes[flow["hops"][0]["from"]]["type"] != "function"


def test_chain_facts_reach_the_output(tmp_path):
    rec, _ = recommend_json(write_workload(tmp_path, GRAPH_CASES["chain-and-fan"]))
    archive = rec["flows"][3]
    o304 = [f for f in archive["findings"] if f["rule"] == "O304"]
    assert o304 and "3 hops down a chain of events" in o304[0]["message"]
    ship = rec["flows"][1]["decisions"]
    assert ship["compute"]["choice"] == "fargate" and ship["orchestrator"]["choice"] == "step-functions-standard"


def test_schema_rejects_a_wrong_choice_and_a_missing_decision(validator, tmp_path):
    rec, _ = recommend_json(write_workload(tmp_path, GRAPH_CASES["chain-and-fan"]))
    rec["flows"][0]["decisions"]["compute"]["choice"] = "ec2"
    assert list(validator.iter_errors(rec))
    rec, _ = recommend_json(write_workload(tmp_path, GRAPH_CASES["chain-and-fan"]))
    del rec["flows"][0]["decisions"]["entry"]
    assert list(validator.iter_errors(rec))
    rec, _ = recommend_json(write_workload(tmp_path, GRAPH_CASES["chain-and-fan"]))
    rec["cost"] = {"total_usd": 12.5}
    rec["flows"][0]["cost"] = {"total_usd": 1.0}
    rec["flows"][0]["decisions"]["compute"]["cost"] = {"lambda": 1.0, "fargate": 30.0}
    assert not list(validator.iter_errors(rec)), "cost objects are allowed where the cost model adds them"


def test_schema_options_match_the_engine():
    from advisor.rules import DECISION_OPTIONS

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for decision, options in DECISION_OPTIONS.items():
        assert schema["$defs"][f"decision_{decision}"]["properties"]["choice"]["enum"] == list(options)


def test_advisor_schema_prints_the_recommendation_schema():
    result = invoke("schema", "recommendation")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"].startswith("advisor recommendation")


# -- --fail-on, --flow, formats -----------------------------------------------------------------------------------

def _severities(rec: dict) -> set[str]:
    return {f["severity"] for f in rec["findings"]} | {f["severity"] for fl in rec["flows"] for f in fl["findings"]}


@pytest.mark.parametrize("level", ["info", "warning", "error"])
def test_fail_on_exits_1_only_for_findings_at_or_above_the_level(level, tmp_path):
    wl = write_workload(tmp_path, GRAPH_CASES["chain-and-fan"])
    rec, _ = recommend_json(wl)
    order = ["info", "warning", "error"]
    expected = 1 if any(order.index(s) >= order.index(level) for s in _severities(rec)) else 0
    result = invoke("recommend", wl, "--format", "json", "--fail-on", level)
    assert result.exit_code == expected
    assert json.loads(result.stdout) == rec, "the recommendation is printed either way"


def test_fail_on_distinguishes_levels(tmp_path):
    quiet = write_workload(tmp_path, "version: 1\nname: q\nflows:\n  - {name: f, trigger: schedule, duration: 1s}\n",
                           "quiet.yaml")
    rec, _ = recommend_json(quiet)
    assert _severities(rec) <= {"info"}
    assert invoke("recommend", quiet, "--format", "json", "--fail-on", "warning").exit_code == 0
    assert invoke("recommend", quiet, "--format", "json").exit_code == 0
    # a caller waiting 45 s on an API is an error finding (O305)
    bad = write_workload(tmp_path, "version: 1\nname: b\nflows:\n  - {name: f, trigger: api, duration: 45s}\n",
                         "bad.yaml")
    assert "error" in _severities(recommend_json(bad)[0])
    assert invoke("recommend", bad, "--format", "json", "--fail-on", "error").exit_code == 1


def test_flow_filter_and_did_you_mean(tmp_path):
    wl = write_workload(tmp_path, GRAPH_CASES["chain-and-fan"])
    rec, _ = recommend_json(wl, "--flow", "ship")
    assert [f["name"] for f in rec["flows"]] == ["ship"]
    assert rec["flows"][0]["decisions"]["entry"]["choice"] in ENTRY_FOR_CHANNEL[
        recommend_json(wl)[0]["flows"][0]["decisions"]["channel"]["choice"]], "upstream still decided"
    bad = invoke("recommend", wl, "--format", "json", "--flow", "shp")
    assert bad.exit_code == 2 and bad.stdout == ""
    assert "there is no flow named 'shp'" in bad.stderr and "did you mean 'ship'" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize("fmt", ["markdown", "table", "yaml", "json"])
def test_flow_filter_on_a_multi_flow_workload_in_every_format(fmt, tmp_path):
    """--flow used to crash markdown (the diagram wanted every flow): one flow's decisions, the whole diagram."""
    wl = write_workload(tmp_path, GRAPH_CASES["chain-and-fan"])
    result = invoke("recommend", wl, "--format", fmt, "--flow", "ship")
    assert result.exit_code == 0, result.output
    assert result.exception is None, result.exception
    if fmt == "markdown":
        assert "## Flow `ship`" in result.stdout and "## Flow `place`" not in result.stdout
        assert "```mermaid" in result.stdout


def test_bad_workload_exits_2_with_location(tmp_path):
    wl = write_workload(tmp_path, "version: 1\nname: w\nflows:\n  - {name: f, trigger: apii, duration: 1s}\n")
    result = invoke("recommend", wl, "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{wl}:4:" in result.stderr


def _format_inputs() -> list:
    params = [pytest.param(GRAPH_CASES["chain-and-fan"], id="graph-chain-and-fan")]
    params += [pytest.param(load_case(p)["workload"], id=p.stem) for p in EXAMPLE_FILES]
    return params


@pytest.mark.parametrize("workload", _format_inputs())
def test_every_format_renders(workload, tmp_path):
    wl = write_workload(tmp_path, workload)
    rec, _ = recommend_json(wl)
    md = invoke("recommend", wl, "--format", "markdown")
    assert md.exit_code == 0, md.stderr
    assert md.stdout.startswith(f"# Architecture recommendation: {rec['workload']}")
    table = invoke("recommend", wl, "--format", "table")
    assert table.exit_code == 0, table.stderr
    out = invoke("recommend", wl, "--format", "yaml")
    assert out.exit_code == 0 and yaml.safe_load(out.stdout) == rec
    for flow in rec["flows"]:
        assert flow["name"] in md.stdout and flow["name"] in table.stdout
        for d in flow["decisions"].values():
            assert d["choice"] in md.stdout and d["choice"] in table.stdout


@pytest.mark.parametrize("fmt", [
    "markdown",
    "table"])
def test_explain_renders_every_fired_rule(fmt, tmp_path):
    wl = write_workload(tmp_path, GRAPH_CASES["chain-and-fan"])
    rec, _ = recommend_json(wl)
    result = invoke("recommend", wl, "--format", fmt, "--explain")
    assert result.exit_code == 0, repr(result.exception)
    fired = {t["rule"] for f in rec["flows"] for d in f["decisions"].values() for t in d["trace"]}
    for rule_id in fired:
        assert rule_id in result.stdout


def test_output_file_option_writes_the_same_bytes(tmp_path):
    wl = write_workload(tmp_path, GRAPH_CASES["chain-and-fan"])
    _, text = recommend_json(wl)
    out = tmp_path / "advice.json"
    result = invoke("recommend", wl, "--format", "json", "-o", out)
    assert result.exit_code == 0 and out.read_text(encoding="utf-8") == text


# -- advisor rules ------------------------------------------------------------------------------------------------

def test_rules_list_show_and_facts():
    from advisor.facts import specs
    from advisor.rules import load_catalog

    ids = [r.id for r in load_catalog(use_cache=False).rules]
    listed = invoke("rules", "list")
    assert listed.exit_code == 0
    lines = listed.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ids
    assert any(line.startswith("C101  compute.step_longer_than_lambda_limit") and "limit" in line for line in lines)

    shown = invoke("rules", "show", "C101")
    assert shown.exit_code == 0
    assert shown.stdout.startswith("# ") and "C101-step-longer-than-lambda-limit.yaml" in shown.stdout
    body = yaml.safe_load(shown.stdout.split("\n", 1)[1])
    assert body["id"] == "C101" and body["then"] == {"decision": "compute", "exclude": ["lambda"]}

    by_name = invoke("rules", "show", "compute.step_longer_than_lambda_limit")
    assert by_name.exit_code == 0, by_name.output
    assert by_name.stdout == shown.stdout, "the name that 'rules list' prints shows the same rule"
    assert invoke("rules", "show", "c101").stdout == shown.stdout
    typo = invoke("rules", "show", "compute.step_longer_than_lambda_limt")
    assert typo.exit_code == 2 and "did you mean 'compute.step_longer_than_lambda_limit'" in typo.stderr

    missing = invoke("rules", "show", "C1O1")
    assert missing.exit_code == 2 and "there is no rule C1O1" in missing.stderr and "C101" in missing.stderr

    facts = invoke("rules", "facts")
    assert facts.exit_code == 0
    assert [line.split()[0] for line in facts.stdout.splitlines()] == sorted(specs())
    assert any(line.split()[:2] == ["flow.traffic.peak", "rate"] for line in facts.stdout.splitlines())


def test_recommend_json_is_the_default_when_not_a_terminal(tmp_path):
    wl = write_workload(tmp_path, GRAPH_CASES["chain-and-fan"])
    result = invoke("recommend", wl)
    assert result.exit_code == 0 and json.loads(result.stdout)["version"] == 1


def test_no_cache_env_still_works(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    wl = write_workload(tmp_path, GRAPH_CASES["chain-and-fan"])
    recommend_json(wl)
    assert not (tmp_path / "cache" / "advisor").exists()
    assert os.environ["ADVISOR_NO_CACHE"] == "1"


def test_output_file_is_not_overwritten_when_it_differs(tmp_path):
    """-o creates the file, leaves it alone when identical, and refuses (exit 2) to overwrite a file that
    differs (it may hold the user's edits) unless --force."""
    wl = write_workload(tmp_path, GRAPH_CASES["chain-and-fan"])
    out = tmp_path / "report.md"
    assert invoke("recommend", wl, "--format", "markdown", "-o", out).exit_code == 0
    first = out.read_bytes()
    assert invoke("recommend", wl, "--format", "markdown", "-o", out).exit_code == 0
    out.write_bytes(first + b"my notes\n")
    refused = invoke("recommend", wl, "--format", "markdown", "-o", out)
    assert refused.exit_code == 2 and out.read_bytes() == first + b"my notes\n"
    assert invoke("recommend", wl, "--format", "markdown", "-o", out, "--force").exit_code == 0
    assert out.read_bytes() == first


def test_rules_show_says_the_standing_of_a_preference():
    """rules/README.md: a K rule has the standing of cost unless it says otherwise; O206 says need."""
    derived = invoke("rules", "show", "K102")
    assert derived.exit_code == 0 and "# standing: cost (derived" in derived.stdout
    given = invoke("rules", "show", "O206")
    assert yaml.safe_load(given.stdout.split("\n", 1)[1])["standing"] == "need"
    assert "# standing:" not in given.stdout, "a written standing is shown as written, once"
