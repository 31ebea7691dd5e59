"""The knowledge catalogs (advisor/data/decisions.yaml, limits.yaml, integrations.yaml) are complete for their
readers, and nothing outside them keeps its own copy of an option list or an AWS limit."""
from __future__ import annotations

import ast
import io
import json
import tokenize
from pathlib import Path

import pytest
import yaml

from advisor import catalog
from advisor.model import TRIGGERS

REPO = Path(__file__).resolve().parent.parent
MODELS = {"push", "event", "poll"}
MODES = {"sync", "async"}
DECISIONS = catalog.decisions()

# What each decision's readers need of every option (the architecture model, the ADRs, the diagrams, cost).
NEEDS = {
    "composition": {"label", "short"},
    "compute": {"label", "short", "resources"},
    "orchestrator": {"label", "short", "resources"},
    "channel": {"label", "short", "resources", "delivery", "ordering", "fan_out", "replay"},
    "entry": {"label", "short", "trigger", "source", "mode"},
    "data_store": {"label", "short", "resources"},
}

# Files that still keep a table of option names, each with the reason (none left): the test fails when one of
# them no longer does, so this list only shrinks.
PENDING_OPTION_TABLES: dict[str, str] = {}
# Registries keyed by option on purpose: one estimator per option, checked complete below.
REGISTRIES = {"advisor/cost/model.py": "ESTIMATORS: the cost estimator of each option"}
# Numbers in code that equal a limit but mean something else.
NOT_LIMITS = {30: "days in a month, and SQS's default visibility timeout"}


def test_decisions_are_the_rule_catalogs_options():
    from advisor.rules import DECISION_OPTIONS, DECISION_ORDER

    assert DECISION_ORDER == ("composition", "compute", "orchestrator", "channel", "entry", "data_store")
    assert DECISION_OPTIONS == {d: tuple(opts) for d, opts in DECISIONS.items()}


@pytest.mark.parametrize("decision", list(NEEDS))
def test_every_option_has_what_its_readers_need(decision):
    for name, attrs in DECISIONS[decision].items():
        missing = NEEDS[decision] - set(attrs)
        assert not missing, f"decisions.yaml: {decision}.{name} lacks {sorted(missing)}"
        for resource in attrs.get("resources", ()):
            assert resource in catalog.node_types(), f"{decision}.{name}: unknown resource type {resource}"


def test_channel_options_name_their_limit_and_downstream_entry():
    entries = DECISIONS["entry"]
    for name, attrs in DECISIONS["channel"].items():
        assert attrs["delivery"] in MODELS | {"none"}, name
        if name == "none":
            continue
        assert attrs["max_message"] in catalog.limits(), f"channel {name}: max_message names no limit"
        assert catalog.limits()[attrs["max_message"]].unit == "bytes", name
        assert attrs["downstream_entry"] in entries, f"channel {name}: downstream_entry is not an entry option"
        assert "event" in entries[attrs["downstream_entry"]]["trigger"], name
        first = attrs["resources"][0]
        assert catalog.integration("function", first), f"a function cannot publish to {first} ({name})"


def test_entry_options_serve_known_triggers_from_known_sources():
    served = set()
    for name, attrs in DECISIONS["entry"].items():
        assert set(attrs["trigger"]) <= set(TRIGGERS), name
        assert attrs["mode"] in MODES, name
        assert attrs["source"] in catalog.node_types() or attrs["source"] == "api", name
        served |= set(attrs["trigger"])
    assert served == set(TRIGGERS), "a trigger no entry option serves"


def test_every_option_has_a_cost_estimator():
    from advisor.cost import ESTIMATORS

    for decision in ("orchestrator", "channel", "entry", "compute", "data_store"):
        assert set(ESTIMATORS[decision]) == set(DECISIONS[decision]), decision


def test_orchestrator_durations_are_limits():
    for name, attrs in DECISIONS["orchestrator"].items():
        if name != "none":
            assert catalog.limits()[attrs["max_duration"]].unit == "seconds"


def test_limits_have_a_value_a_unit_and_an_aws_source():
    for name, lim in catalog.limits().items():
        assert isinstance(lim.value, (int, float)) and lim.value > 0, name
        assert lim.unit in {"seconds", "bytes", "count", "rate", "ratio"}, name
        assert lim.source.startswith("https://"), name
        assert lim.what, name


def test_integrations_are_well_formed():
    data = yaml.safe_load((REPO / "advisor" / "data" / "integrations.yaml").read_text(encoding="utf-8"))
    types = set(data["nodes"])
    for source, targets in data["edges"].items():
        assert source in types, source
        for target, entry in targets.items():
            assert target in types, f"{source} -> {target}"
            assert entry["model"] in MODELS and entry["mode"] in MODES, f"{source} -> {target}"
            assert entry["ref"] in data["refs"], f"{source} -> {target}: unknown ref {entry['ref']}"
    for ref in data["refs"].values():
        assert ref.startswith("https://docs.aws.amazon.com/"), ref
    for sub in data["substitutes"]:
        assert catalog.integration(sub["from"], sub["to"]) is None, f"{sub}: the direct form exists"
        assert catalog.integration(sub["from"], sub["via"]), f"{sub}: no first leg"
        assert sub["why"]


def test_known_missing_integrations_stay_missing():
    """What issue 10 found printed though AWS does not offer it."""
    for source, target in [("bucket", "standard-workflow"), ("queue", "express-workflow"),
                           ("stream", "standard-workflow"), ("queue", "external"), ("topic", "bus")]:
        assert catalog.integration(source, target) is None, (source, target)


def test_recommendation_schema_enums_match_the_catalog():
    schema = json.loads((REPO / "advisor" / "schemas" / "recommendation.schema.json").read_text(encoding="utf-8"))
    found = {}

    def walk(node):
        if isinstance(node, dict):
            enum = node.get("enum")
            if isinstance(enum, list):
                for decision, opts in DECISIONS.items():
                    if set(enum) & (set(opts) - {"none"}) and len(set(enum) & set(opts)) >= 2:
                        found.setdefault(decision, []).append(enum)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(schema)
    for decision, enums in found.items():
        for enum in enums:
            assert set(enum) - {None} == set(DECISIONS[decision]), f"schema enum for {decision}: {enum}"


def _python_files():
    return sorted(p for p in (REPO / "advisor").rglob("*.py"))


def test_no_option_name_lists_outside_the_catalog():
    options = {d: set(o) - {"none"} for d, o in catalog.decision_options().items()}
    found = {}
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                elts = node.elts
            elif isinstance(node, ast.Dict):
                elts = [k for k in node.keys if k is not None]
            else:
                continue
            strs = {e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
            for decision, names in options.items():
                # a list of options: two or more, and nothing else ("sqs", "sns" beside "events" name services)
                if len(strs & names) >= 2 and strs <= names | {"none"}:
                    found.setdefault(path.relative_to(REPO).as_posix(), []).append(f"{node.lineno}: {decision}")
    unexpected = {f: where for f, where in found.items() if f not in PENDING_OPTION_TABLES and f not in REGISTRIES}
    assert not unexpected, f"option lists outside advisor/data/decisions.yaml: {unexpected}"
    cleaned = set(PENDING_OPTION_TABLES) - set(found)
    assert not cleaned, f"no option table left in {cleaned}: drop it from PENDING_OPTION_TABLES"


def test_no_limit_literals_in_python():
    values = {lim.value: name for name, lim in catalog.limits().items() if lim.unit in ("seconds", "bytes")}
    found = []
    for path in _python_files():
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
            if tok.type == tokenize.NUMBER:
                try:
                    number = float(tok.string)
                except ValueError:
                    continue
                if number in values and number not in NOT_LIMITS:
                    found.append(f"{path.relative_to(REPO)}:{tok.start[0]}: {tok.string} is limit "
                                 f"{values[number]}")
    assert not found, "use advisor.catalog.limit(name): " + "; ".join(found)


def test_no_limit_literals_in_rules():
    """A rule compares a seconds or bytes fact with a limit by name, never by its number."""
    from advisor.conditions import leaves
    from advisor.facts import specs

    limit_values = {(lim.unit, lim.value) for lim in catalog.limits().values() if lim.unit in ("seconds", "bytes")}
    found = []
    for path in sorted((REPO / "rules").rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for leaf in leaves(doc["when"]):
            spec = specs().get(leaf["fact"])
            value = leaf.get("value")
            if spec and isinstance(value, (int, float)) and (spec.unit, value) in limit_values:
                found.append(f"{path.name}: {leaf['fact']} {value}")
    assert not found, "name the limit (value: {limit: name}): " + "; ".join(found)


def test_a_rule_naming_an_unknown_limit_is_refused(tmp_path):
    from advisor.errors import RuleError
    from advisor.rules import load_catalog

    (tmp_path / "C901-x.yaml").write_text(
        "id: C901\nname: compute.x\ntitle: x\nkind: limit\nwhen:\n  all:\n  - fact: flow.longest_step_seconds\n"
        "    operator: greater_than\n    value: {limit: lambda_timeot}\nthen:\n  decision: compute\n"
        "  exclude: [lambda]\nexplain:\n  because: takes {flow.longest_step_seconds}\n"
        "references:\n- https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html\n", encoding="utf-8")
    with pytest.raises(RuleError) as exc:
        load_catalog([tmp_path], use_cache=False)
    text = str(exc.value)
    assert "unknown limit 'lambda_timeot'" in text and "lambda_timeout" in text


def test_a_rule_compares_with_a_limit_by_name():
    from advisor.conditions import compile_condition, evaluate

    cond = {"fact": "flow.longest_step_seconds", "operator": "greater_than", "value": {"limit": "lambda_timeout"}}
    values = {"flow.longest_step_seconds": 901}
    assert compile_condition(cond)(values.get)
    assert not compile_condition(cond)({"flow.longest_step_seconds": 900}.get)
    assert evaluate(cond, values.get)["value"] == {"limit": "lambda_timeout", "actual": 900}


def test_recommendation_schema_node_types_match_the_integration_catalog():
    schema = json.loads((REPO / "advisor" / "schemas" / "recommendation.schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["arch_node"]["properties"]["type"]["enum"] == list(catalog.node_types())
