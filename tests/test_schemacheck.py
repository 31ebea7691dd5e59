"""advisor.schemacheck interprets the workload JSON Schema instead of jsonschema, for speed.

These tests hold it to jsonschema (Draft 2020-12): same verdict on every
corpus file and on generated variations of the good ones; no keyword in the
schema that it does not interpret; and the README's reference table lists
exactly the schema's fields.
"""
from __future__ import annotations

import copy
import math
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import schemacheck, yamlio
from advisor.errors import UserError
from advisor.schemacheck import Checker
from advisor.workload import schema as workload_schema

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = sorted((HERE / "fixtures" / "workloads").glob("*/*.yaml"))


@pytest.fixture(scope="module")
def schema() -> dict:
    return workload_schema()


@pytest.fixture(scope="module")
def validator(schema):
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema)


def _finite(value) -> bool:
    """JSON has no NaN; the checker calls NaN too small, jsonschema lets it through every comparison."""
    if isinstance(value, float):
        return not math.isnan(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def _agree(validator, schema, data) -> None:
    issues = Checker(schema).check(data)
    assert validator.is_valid(data) == (not issues), (data, issues, [e.message for e in validator.iter_errors(data)])


def test_schema_is_valid_draft_2020_12(schema):
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_checker_interprets_every_keyword_of_the_schema(schema):
    assert schemacheck.unsupported_keywords(schema) == []


def test_unsupported_keywords_are_found():
    assert schemacheck.unsupported_keywords(
        {"type": "object", "oneOf": [], "properties": {"a": {"format": "date"}, "b": {"items": {"if": {}}}},
         "$defs": {"x": {"allOf": []}}}) == ["#/oneOf", "#/properties/a/format", "#/properties/b/items/if",
                                              "#/$defs/x/allOf"]


def test_cli_prints_the_schema(run_cli, schema):
    import json

    proc = run_cli("schema")
    assert proc.returncode == 0 and json.loads(proc.stdout) == schema


def _json_data(path: Path):
    """The file's data when the schema is consulted for it: None for files that are not YAML (the loader rejects
    them first) and for NaN (not JSON, so jsonschema has no say)."""
    try:
        data = yamlio.loads(yamlio.decode(path.read_bytes(), str(path)), str(path)).data
    except UserError:
        return None
    return data if _finite(data) else None


PARITY_CORPUS = [p for p in CORPUS if _json_data(p) is not None]


def test_parity_corpus_keeps_most_of_the_corpus():
    assert len(PARITY_CORPUS) >= len(CORPUS) - 10, "only files that are not YAML or hold NaN leave the comparison"


@pytest.mark.parametrize("path", PARITY_CORPUS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_parity_on_the_corpus(path, validator, schema):
    doc_data = _json_data(path)
    _agree(validator, schema, doc_data)
    if path.parent.name == "good":
        assert Checker(schema).check(doc_data) == []


# --- generated variations of the good workloads -----------------------------------------------------------------

def _good_data() -> list:
    return [yamlio.loads(p.read_text(encoding="utf-8-sig")).data for p in CORPUS if p.parent.name == "good"]


GOOD_DATA = _good_data()
KEYS = ["version", "name", "flows", "trigger", "after", "duration", "traffic", "average", "peak", "pattern",
        "needs", "audit", "fan_out", "consumers", "steps", "message_size", "source", "api", "auth", "data",
        "triger", "Name", "extra"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 70), st.floats(allow_nan=False, allow_infinity=True),
    st.sampled_from(["", "5/s", "1.5k/min", "8s", "1h30m", "0s", "4KB", "api", "event", "spiky", "msk", "x", "A",
                     "a-b", "-a", "users", "1", "python3.13", "eu-west-1", "a" * 64, " 5 / s ", "5/week"]),
    st.text(max_size=6),
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3), max_leaves=5)


CONFUSERS = [True, False, 1, 0, 1.0, 0.0, -0.0, 2.0, 2.5, "1", "true", None, [], {}, float("inf"), -1]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _mutate(data, draw):
    paths = list(_paths(data))
    path = draw(st.sampled_from(paths))
    op = draw(st.sampled_from(["replace", "confuse", "drop", "rename", "add", "duplicate"]))
    if not path:
        return draw(VALUES) if op == "replace" else data
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if op == "replace":
        parent[last] = draw(VALUES)
    elif op == "confuse":  # values that equal each other in Python but not in JSON, or nearly
        parent[last] = draw(st.sampled_from(CONFUSERS))
    elif op == "drop":
        del parent[last]
    elif op == "rename" and isinstance(parent, dict):
        new = draw(st.sampled_from(KEYS))
        parent[new] = parent.pop(last)
    elif op == "add" and isinstance(parent[last], dict):
        parent[last][draw(st.sampled_from(KEYS))] = draw(VALUES)
    elif op == "duplicate" and isinstance(parent[last], list) and parent[last]:
        parent[last].append(copy.deepcopy(parent[last][0]))
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_parity_on_mutated_workloads(validator, schema, data):
    value = copy.deepcopy(data.draw(st.sampled_from(GOOD_DATA)))
    for _ in range(data.draw(st.integers(1, 3))):
        value = _mutate(value, data.draw)
    _agree(validator, schema, value)


@pytest.mark.parametrize("path, value", [
    (("version",), v) for v in CONFUSERS] + [
    (("flows", 0, "fan_out"), v) for v in CONFUSERS] + [
    (("flows", 0, "duration"), v) for v in CONFUSERS] + [
    (("flows", 0, "needs"), {"audit": v}) for v in CONFUSERS] + [
    (("flows", 0, "steps"), v) for v in ([1, True], ["a", "a"], [1, 1.0], [[]], [{}], ["a"])] + [
    (("flows", 0, "trigger"), v) for v in ("api", "API", " api", True)], ids=repr)
def test_parity_on_edge_values(validator, schema, path, value):
    data = {"version": 1, "name": "shop", "flows": [{"name": "a", "trigger": "api", "duration": "1s"}]}
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    _agree(validator, schema, data)


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_parity_on_arbitrary_values(validator, schema, value):
    _agree(validator, schema, value)


# --- messages -----------------------------------------------------------------------------------------------------

def _base() -> dict:
    return {"version": 1, "name": "shop", "flows": [{"name": "a", "trigger": "api", "duration": "1s"}]}


def test_all_issues_at_once(schema):
    data = _base()
    data.update(version=2, colour="red")
    data["flows"][0].update(trigger="apii", duration=-1, needs={"audits": True, "replay": "yes"})
    issues = Checker(schema).check(data)
    assert {i.path for i in issues} == {("version",), ("colour",), ("flows", 0, "trigger"), ("flows", 0, "duration"),
                                        ("flows", 0, "needs", "audits"), ("flows", 0, "needs", "replay")}


@pytest.mark.parametrize("path, value, message, hint", [
    (("flows", 0, "trigger"), "evnet", "'evnet' is not one of the choices", "did you mean 'event'?"),
    (("flows", 0, "auth"), "api_key", "'api_key' is not one of the choices", "did you mean 'api-key'?"),
    (("flows", 0, "data"), "relation", "'relation' is not one of the choices", "did you mean 'relational'?"),
    (("flows", 0, "coupling"), "whatever", "'whatever' is not one of the choices", None),
])
def test_enum_did_you_mean(schema, path, value, message, hint):
    data = _base()
    data["flows"][0][path[-1]] = value
    [issue] = Checker(schema).check(data)
    assert (issue.path, issue.message, issue.hint) == (path, message, hint)
    assert issue.expected.startswith("one of ")


@pytest.mark.parametrize("where, key, hint", [
    ((), "flow", "did you mean 'flows'?"), ((), "regoin", "did you mean 'region'?"),
    (("flows", 0), "durations", "did you mean 'duration'?"), (("flows", 0), "consumer", "did you mean 'consumers'?"),
    (("flows", 0), "longest-step", "did you mean 'longest_step'?"), (("flows", 0), "zzz", None),
])
def test_unknown_key_did_you_mean(schema, where, key, hint):
    data = _base()
    target = data
    for part in where:
        target = target[part]
    target[key] = 1
    issues = [i for i in Checker(schema).check(data) if i.path == where + (key,)]
    [issue] = issues
    assert issue.message == f"unknown key '{key}'" and issue.hint == hint and issue.at_key


def test_required_and_type_messages(schema):
    data = {"version": 1, "name": "x", "flows": [{"name": "a", "trigger": "api", "duration": None}], "region": 5}
    del data["flows"][0]["trigger"]
    issues = {i.path: i for i in Checker(schema).check(data)}
    assert issues[("flows", 0)].message == "the required key 'trigger' is missing"
    assert issues[("flows", 0, "duration")].message == "no value is given"
    assert issues[("flows", 0, "duration")].expected.startswith("a duration")
    assert issues[("region",)].message == "5 is a whole number" and issues[("region",)].expected == "an AWS region code, e.g. us-east-1 or eu-west-1"


@pytest.mark.parametrize("value, text", [("abc", "'abc'"), (True, "true"), (None, "None"), (3, "3"), ([1], "a list"),
                                         ({"a": 1}, "a mapping"), ("x" * 100, "'" + "x" * 56 + "...")])
def test_describe(value, text):
    assert schemacheck.describe(value) == text


def test_did_you_mean():
    assert schemacheck.did_you_mean("tigger", ["trigger", "steps"]) == "did you mean 'trigger'?"
    assert schemacheck.did_you_mean("qqq", ["trigger", "steps"]) is None


def test_only_local_refs():
    with pytest.raises(ValueError, match="only local"):
        Checker({"$ref": "https://example.com/schema.json"}).check(1)


# --- the README reference table -----------------------------------------------------------------------------------

def _schema_fields(schema) -> set[str]:
    """Field names as a reference table writes them: `name`, `traffic.average`, `needs.audit`."""
    flow = schema["$defs"]["flow"]["properties"]
    names = set(schema["properties"]) | set(flow)
    for parent in ("traffic", "needs"):
        names |= {f"{parent}.{k}" for k in flow[parent]["properties"]}
    return names


def _readme_fields(text: str) -> set[str] | None:
    m = re.search(r"^(#+)\s*Workload file reference\s*$", text, re.M | re.I)
    if not m:
        return None
    level = len(m.group(1))
    rest = text[m.end():]
    end = re.search(rf"^#{{1,{level}}}\s", rest, re.M)
    section = rest[: end.start()] if end else rest
    names = set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else []
        if not cells or set(cells[0]) <= set("-: ") or cells[0].lower() in ("field", "key", "name", "field path"):
            continue
        for name in re.findall(r"`([^`]+)`", cells[0]):
            names.add(re.sub(r"^(flows(\[\d*\*?\])?|flow)\.", "", name.strip()))
    return names


def test_readme_reference_lists_exactly_the_schema_fields(schema):
    fields = _readme_fields((REPO / "README.md").read_text(encoding="utf-8"))
    assert fields is not None, "README.md has no 'Workload file reference' section"
    expected = _schema_fields(schema)
    fields -= {"traffic", "needs"} - (fields & expected)  # a row for the container itself is optional
    assert fields - {"traffic", "needs"} == expected - {"traffic", "needs"}, (
        f"missing from README: {sorted(expected - fields)}; not in the schema: {sorted(fields - expected)}")


def test_readme_table_parser():
    text = ("# Title\n\n## Workload file reference\n\n| field | type |\n|---|---|\n| `version` | int |\n"
            "| `flows[].traffic.peak` | rate |\n| `needs.audit`, `needs.replay` | bool |\n\n## Next\n| `other` | x |\n")
    assert _readme_fields(text) == {"version", "traffic.peak", "needs.audit", "needs.replay"}
    assert _readme_fields("# Nothing here\n") is None
