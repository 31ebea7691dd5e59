"""The rules/ folder itself: every rule well-formed, tested, explained, referenced; README in sync.

sqlfluff's docstring test and cfn-lint's id tests, for advisor's catalog. The
rule schema is checked here with the real ``jsonschema`` library too, so the
project's own small checker (schemacheck.py) cannot quietly accept what the
published schema rejects.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "rules"
CASES = Path(__file__).resolve().parent / "rule_cases"
SCHEMA = REPO / "advisor" / "schemas" / "rule.schema.json"
AREA_FOLDERS = {"O": "orchestration", "C": "compute", "M": "messaging", "A": "api", "D": "data", "G": "graph",
                "Q": "integration", "K": "cost", "S": "security"}
PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_0-9]+)+)\}")

# Facts no built-in rule uses yet; each stays in the registry for a stated reason.
ALLOWED_UNUSED_FACTS = {
    "flow.steps": "lets a user rule test for a named step (contains)",
    "derived.waiting_seconds": "building block of compute/wait reasoning; for user rules and cost notes",
    "derived.peak_throughput_bytes": "bytes per second at peak; for user rules sizing streams by volume",
    "derived.downstream_flows_count": "part of derived.outcome_consumers; for user rules",
    "derived.context_dependencies": "inbound + outbound of G302, kept as one number for user rules",
    "region.sfn_standard_transition_refill": "Standard state-transition quota, read by the cost model's notes",
    "upstream.composition": "upstream.* mirrors decision.*; only upstream.channel has a built-in use",
    "upstream.compute": "upstream.* mirrors decision.*",
    "upstream.orchestrator": "upstream.* mirrors decision.*",
    "upstream.entry": "upstream.* mirrors decision.*",
    "upstream.data_store": "upstream.* mirrors decision.*",
}

# Rules that no workload accepted by the loader can make fire; each is reported to the maintainers.
UNREACHABLE: dict[str, str] = {}


def _rule_files() -> list[Path]:
    return sorted(p for p in RULES.rglob("*.yaml") if p.is_file())


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


RULE_FILES = _rule_files()
RULE_DOCS = {p: _load(p) for p in RULE_FILES}
RULE_IDS = sorted(d["id"] for d in RULE_DOCS.values())


def _cases(rule_id: str) -> dict:
    path = CASES / f"{rule_id}.yaml"
    return _load(path)["cases"] if path.is_file() else {}


def test_there_is_a_catalog():
    assert len(RULE_FILES) >= 100


@pytest.fixture(scope="module")
def validator():
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem.split("-")[0])
def test_rule_file_is_valid_against_the_published_schema(path, validator):
    errors = sorted(validator.iter_errors(RULE_DOCS[path]), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{path.name}: {list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_schema_rejects_a_rule_without_references(validator):
    """The catalog checks above could pass vacuously with a lax schema: show that it does reject."""
    doc = dict(RULE_DOCS[RULE_FILES[0]])
    doc["references"] = []
    assert list(validator.iter_errors(doc))
    doc["references"] = ["http://insecure.example.com"]
    assert list(validator.iter_errors(doc))


def test_ids_are_unique_and_well_formed():
    assert len(RULE_IDS) == len(set(RULE_IDS)), [i for i in RULE_IDS if RULE_IDS.count(i) > 1]
    for rule_id in RULE_IDS:
        assert re.fullmatch(r"[A-Z][0-9]{3}", rule_id), rule_id
        assert rule_id[1] != "9", f"{rule_id}: 9xx is kept for user rules"


def test_names_are_unique_dotted_snake_case():
    names = [d["name"] for d in RULE_DOCS.values()]
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+", name), name


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem.split("-")[0])
def test_file_name_and_folder_match_the_id(path):
    rule_id = RULE_DOCS[path]["id"]
    assert path.name.startswith(f"{rule_id}-"), f"{path.name} does not start with {rule_id}-"
    assert re.fullmatch(r"[A-Z][0-9]{3}-[a-z0-9]+(-[a-z0-9]+)*\.yaml", path.name), path.name
    assert rule_id[0] in AREA_FOLDERS, f"{rule_id}: unknown area letter"
    assert path.parent.name == AREA_FOLDERS[rule_id[0]], f"{path} should be under rules/{AREA_FOLDERS[rule_id[0]]}/"
    assert path.parent.parent == RULES


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem.split("-")[0])
def test_rule_explains_itself_with_the_users_values_and_references(path):
    from advisor.facts import specs

    doc = RULE_DOCS[path]
    because = doc["explain"]["because"]
    from advisor.catalog import limits

    named_limits = {p for p in PLACEHOLDER.findall(because) if p.startswith("limit.")}
    assert {p[6:] for p in named_limits} <= set(limits()), f"{path.name}: unknown limits {named_limits}"
    placeholders = [p for p in PLACEHOLDER.findall(because) if p not in named_limits]
    assert placeholders, f"{path.name}: 'because' names none of the user's values"
    assert set(placeholders) <= set(specs()), f"{path.name}: unknown placeholders {set(placeholders) - set(specs())}"
    refs = [r for r in doc["references"] if r.startswith("https://")]
    assert refs, f"{path.name}: no https reference"


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem.split("-")[0])
def test_effect_matches_kind_and_options_exist(path):
    from advisor.rules import DECISION_OPTIONS

    doc = RULE_DOCS[path]
    then, kind = doc["then"], doc["kind"]
    effects = [k for k in ("exclude", "only", "prefer") if k in then]
    if kind == "finding":
        assert not effects and doc.get("severity") in ("info", "warning", "error"), path.name
        return
    assert then.get("decision") in DECISION_OPTIONS, path.name
    assert effects == (["prefer"] if kind == "preference" else effects) and len(effects) == 1, path.name
    if kind == "limit":
        assert effects[0] in ("exclude", "only"), path.name
    options = DECISION_OPTIONS[then["decision"]]
    named = then[effects[0]]
    for option in (named.keys() if isinstance(named, dict) else named):
        assert option in options, f"{path.name}: {option!r} is not an option of {then['decision']}"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_has_fire_and_pass_cases(rule_id):
    cases = _cases(rule_id)
    assert cases, f"no tests/rule_cases/{rule_id}.yaml"
    expects = [c.get("expect") for c in cases.values()]
    assert "fire" in expects, f"{rule_id}: no case on which it fires"
    assert "pass" in expects, f"{rule_id}: no case on which it stays quiet"


@pytest.mark.parametrize("rule_id", [pytest.param(i, marks=pytest.mark.xfail(reason=UNREACHABLE[i], strict=True))
                                     if i in UNREACHABLE else i for i in RULE_IDS])
def test_rule_has_a_fire_case_expected_to_work(rule_id):
    """A fire case marked xfail does not count: each rule must be shown to fire on some real input."""
    assert any(c.get("expect") == "fire" and not c.get("xfail") for c in _cases(rule_id).values())


def test_case_files_name_existing_rules():
    for path in sorted(CASES.glob("*.yaml")):
        doc = _load(path)
        assert doc["rule"] == path.stem, f"{path.name} says rule {doc['rule']}"
        assert doc["rule"] in RULE_IDS, f"{path.name}: there is no rule {doc['rule']}"
    assert not [p for p in CASES.iterdir() if p.suffix != ".yaml"], "only <ID>.yaml files belong in rule_cases/"


def test_every_fact_is_used_or_allowed_unused():
    from advisor.conditions import facts_used
    from advisor.facts import specs

    used: set[str] = set()
    for doc in RULE_DOCS.values():
        used |= set(facts_used(doc["when"]))
        used |= {p for p in PLACEHOLDER.findall(doc["explain"]["because"]) if not p.startswith("limit.")}
    unused = set(specs()) - used
    assert unused <= set(ALLOWED_UNUSED_FACTS), f"facts no rule uses: {sorted(unused - set(ALLOWED_UNUSED_FACTS))}"
    stale = set(ALLOWED_UNUSED_FACTS) & used
    assert not stale, f"now used by a rule, drop from ALLOWED_UNUSED_FACTS: {sorted(stale)}"
    assert set(ALLOWED_UNUSED_FACTS) <= set(specs()), "ALLOWED_UNUSED_FACTS names a fact that does not exist"


def test_catalog_loads_through_the_engine_loader():
    """The loader's own checks (placeholders, facts, did-you-mean...) accept every built-in rule."""
    from advisor.rules import load_catalog

    catalog = load_catalog(use_cache=False)
    assert sorted(r.id for r in catalog.rules) == RULE_IDS


def test_readme_is_generated_from_the_catalog():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_rules_readme", REPO / "scripts" / "gen_rules_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    current = (RULES / "README.md").read_text(encoding="utf-8")
    assert current == expected, "rules/README.md is out of date: run python scripts/gen_rules_readme.py"
    for rule_id in RULE_IDS:
        assert f"[{rule_id}](" in current
    from advisor.operators import OPERATORS

    for name in OPERATORS:
        assert f"`{name}`" in current
