"""Every rule's own YAML test cases (sqlfluff's yaml_test_cases_test.py, checkov's pass/fail lists).

One pytest case per entry of ``tests/rule_cases/<ID>.yaml``, with readable ids
(``C101::fires_for_45_minute_step``). Each case states only what matters: its
``flow`` is merged over the minimal valid flow ``{name: f, trigger: api,
duration: 1s}``; ``workload`` overrides top-level keys (``region``); and
``extra_flows`` adds flows for graph cases (``after`` chains, loops,
downstream flows), each merged over the same base without the name. The
YAML text goes through the real workload loader, then the real engine with
the real catalog.

``expect: fire`` means, for a limit or preference rule, that the rule is in
the trace of its decision for the checked flow (``check_flow``, default the
flow named by ``flow.name``); for a finding rule, that the finding is among
the flow's findings. ``because_contains`` checks the sentence the user reads
(trace ``because`` or finding ``message``) carries their own value.

``xfail: <reason>`` marks a case written for the AWS guidance that the rule
does not follow yet (strict: once the rule is fixed the case must lose its
mark). Each such case is reported to the maintainers.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

CASES_DIR = Path(__file__).resolve().parent / "rule_cases"
BASE_FLOW: dict[str, Any] = {"name": "f", "trigger": "api", "duration": "1s"}
CASE_KEYS = {"flow", "workload", "extra_flows", "expect", "because_contains", "check_flow", "xfail"}


@dataclass(frozen=True)
class RuleCase:
    rule: str
    name: str
    flow: dict
    workload: dict
    extra_flows: tuple
    expect: str
    because_contains: str | None
    check_flow: str
    xfail: str | None
    file: str

    @property
    def id(self) -> str:
        return f"{self.rule}::{self.name}"


def load_case_file(path: Path) -> list[RuleCase]:
    """The cases of one file; a malformed file raises ValueError naming the file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("cases"), dict) or "rule" not in data:
        raise ValueError(f"{path}: expected 'rule: ID' and a 'cases:' mapping")
    out = []
    for name, case in data["cases"].items():
        unknown = set(case) - CASE_KEYS
        if unknown or case.get("expect") not in ("fire", "pass") or not isinstance(case.get("flow", {}), dict):
            raise ValueError(f"{path}: case {name}: needs expect: fire|pass and a flow mapping; unknown keys "
                             f"{sorted(unknown)}")
        flow = {**BASE_FLOW, **case.get("flow", {})}
        out.append(RuleCase(rule=str(data["rule"]), name=str(name), flow=flow, workload=case.get("workload", {}),
                            extra_flows=tuple(case.get("extra_flows", ())), expect=case["expect"],
                            because_contains=case.get("because_contains"),
                            check_flow=case.get("check_flow", flow["name"]), xfail=case.get("xfail"),
                            file=path.name))
    return out


def all_cases() -> list[RuleCase]:
    cases: list[RuleCase] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        cases += load_case_file(path)
    return cases


def workload_text(case: RuleCase) -> str:
    """The YAML text of the case's workload: the base flow, the case's changes, the extra flows."""
    base_extra = {k: v for k, v in BASE_FLOW.items() if k != "name"}
    flows = [case.flow] + [{**base_extra, **extra} for extra in case.extra_flows]
    doc = {"version": 1, "name": "rule-case", **case.workload, "flows": flows}
    return yaml.safe_dump(doc, sort_keys=False)


def pytest_generate_tests(metafunc):
    if "rule_case" in metafunc.fixturenames:
        params = []
        for case in all_cases():
            marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
            params.append(pytest.param(case, id=case.id, marks=marks))
        metafunc.parametrize("rule_case", params)


@pytest.fixture(scope="module")
def catalog():
    from advisor.rules import load_catalog

    return load_catalog(use_cache=False)


def run_case(case: RuleCase, catalog) -> tuple[bool, list[str], dict]:
    """Whether the rule fired on the checked flow, the sentences it produced, and the flow's dict."""
    from advisor.engine import advise
    from advisor.workload import load_text

    rule = catalog.by_id(case.rule)
    assert rule is not None, f"{case.file}: no rule {case.rule} in the catalog"
    rec = advise(load_text(workload_text(case), f"{case.file}::{case.name}"), catalog).to_dict()
    flows = {f["name"]: f for f in rec["flows"]}
    assert case.check_flow in flows, f"no flow {case.check_flow} in the case's workload"
    flow = flows[case.check_flow]
    if rule.kind == "finding":
        sentences = [f["message"] for f in flow["findings"] if f["rule"] == rule.id]
    else:
        sentences = [t["because"] for t in flow["decisions"][rule.decision]["trace"] if t["rule"] == rule.id]
    return bool(sentences), sentences, flow


def test_rule_case(rule_case: RuleCase, catalog):
    fired, sentences, flow = run_case(rule_case, catalog)
    summary = {d: v["choice"] for d, v in flow["decisions"].items()}
    if rule_case.expect == "fire":
        assert fired, f"{rule_case.rule} did not fire; decisions {summary}, findings " \
                      f"{[f['rule'] for f in flow['findings']]}"
        if rule_case.because_contains is not None:
            assert any(rule_case.because_contains in s for s in sentences), \
                f"{rule_case.because_contains!r} not in {sentences}"
    else:
        assert not fired, f"{rule_case.rule} fired: {sentences}"


def test_case_ids_are_unique_and_readable():
    """Two cases of one rule cannot share a name (YAML would silently keep the last), and ids read well."""
    import re

    for path in sorted(CASES_DIR.glob("*.yaml")):
        names = re.findall(r"^  ([A-Za-z0-9_]+):\s*$", path.read_text(encoding="utf-8"), flags=re.M)
        assert len(names) == len(set(names)), f"{path.name}: duplicate case names"
        for name in names:
            assert re.fullmatch(r"[a-z0-9_]+", name), f"{path.name}: case name {name!r} is not snake_case"
