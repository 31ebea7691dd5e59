"""User rules through ``--rules-dir``: override a built-in by id, add a 9xx rule, and every load-time error.

Rule folders are built in ``tmp_path``. Errors are checked twice: as the
``RuleError`` problems of ``load_catalog`` (message, ``file:line:col``,
did-you-mean), and through the CLI (exit 2, the location on stderr, nothing
on stdout, no traceback).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import app
from advisor.errors import RuleError
from advisor.rules import load_catalog

REF = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"

RULE = """\
id: {id}
name: custom.rule_{lid}
title: A custom rule
kind: {kind}
when:
  all:
  - fact: {fact}
    operator: {op}
    value: {value}
then:
  decision: compute
  {effect}
explain:
  because: {because}
references:
- {ref}
"""


def rule_text(id="C901", kind="preference", fact="flow.traffic.peak", op="greater_than", value="100",
              effect="prefer: {fargate: 2}", because="The peak is {flow.traffic.peak}.") -> str:
    return RULE.format(id=id, lid=id.lower(), kind=kind, fact=fact, op=op, value=value, effect=effect,
                       because=because, ref=REF)


def build_file_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def workload_file(tmp_path) -> Path:
    path = tmp_path / "workload.yaml"
    path.write_text("version: 1\nname: w\nflows:\n"
                    "  - {name: report, trigger: schedule, duration: 2m}\n"
                    "  - {name: checkout, trigger: api, duration: 8s, traffic: {average: 5/s, peak: 400/s}}\n",
                    encoding="utf-8")
    return path


def invoke(*args) -> "object":
    return CliRunner().invoke(app, [str(a) for a in args])


# -- adding and overriding ----------------------------------------------------------------------------------------

def test_user_rule_in_the_9xx_range_is_added_and_used(tmp_path, workload_file):
    rules = build_file_tree(tmp_path / "mine", {"compute/C901-schedules-on-fargate.yaml": rule_text(
        fact="flow.trigger", op="equal", value="schedule", effect="prefer: {fargate: 10}",
        because="Scheduled jobs ({flow.trigger}) run on our Fargate cluster.")})
    catalog = load_catalog([rules], use_cache=False)
    added = catalog.by_id("C901")
    assert added is not None and added.builtin is False and added.file.endswith("C901-schedules-on-fargate.yaml")
    assert catalog.by_id("C101").builtin is True, "built-in rules stay"

    result = invoke("recommend", workload_file, "--rules-dir", rules, "--format", "json")
    assert result.exit_code == 0, result.stderr
    flows = {f["name"]: f for f in json.loads(result.stdout)["flows"]}
    report = flows["report"]["decisions"]["compute"]
    assert report["choice"] == "fargate"
    mine = [t for t in report["trace"] if t["rule"] == "C901"]  # the trace is in id order: K rules come after
    assert [t["because"] for t in mine] == ["Scheduled jobs (schedule) run on our Fargate cluster."]
    assert flows["checkout"]["decisions"]["compute"]["choice"] == "lambda", "the rule stays quiet for the API flow"


def test_user_rule_overrides_a_builtin_by_id(tmp_path, workload_file):
    # our platform stops functions after one minute: a 2-minute job cannot run on Lambda
    rules = build_file_tree(tmp_path / "mine", {"C101-our-lambda-timeout.yaml": rule_text(
        id="C101", kind="limit", fact="flow.longest_step_seconds", value="60", effect="exclude: [lambda]",
        because="The longest step takes {flow.longest_step_seconds}; our functions stop after 1 minute.")})
    catalog = load_catalog([rules], use_cache=False)
    c101 = catalog.by_id("C101")
    assert c101.builtin is False and c101.name == "custom.rule_c101"
    assert sum(1 for r in catalog.rules if r.id == "C101") == 1, "replaced, not duplicated"

    result = invoke("recommend", workload_file, "--rules-dir", rules, "--format", "json")
    assert result.exit_code == 0, result.stderr
    compute = json.loads(result.stdout)["flows"][0]["decisions"]["compute"]
    assert compute["choice"] == "fargate"
    assert compute["excluded"] == {"lambda": ["C101"]}
    assert "takes 2m; our functions stop after 1 minute" in compute["reason"]

    plain = invoke("recommend", workload_file, "--format", "json")
    assert json.loads(plain.stdout)["flows"][0]["decisions"]["compute"]["choice"] == "lambda"


def test_later_rules_dir_overrides_an_earlier_one(tmp_path):
    first = build_file_tree(tmp_path / "a", {"C901-x.yaml": rule_text(because="first {flow.trigger}")})
    second = build_file_tree(tmp_path / "b", {"C901-y.yaml": rule_text(because="second {flow.trigger}")})
    catalog = load_catalog([first, second], use_cache=False)
    assert catalog.by_id("C901").explain["because"] == "second {flow.trigger}"


def test_rules_list_and_show_include_user_rules(tmp_path):
    rules = build_file_tree(tmp_path / "mine", {"C901-x.yaml": rule_text()})
    listed = invoke("rules", "list", "--rules-dir", rules)
    assert listed.exit_code == 0 and "C901  custom.rule_c901" in listed.stdout
    shown = invoke("rules", "show", "c901", "--rules-dir", rules)
    assert shown.exit_code == 0 and "C901-x.yaml" in shown.stdout and "greater_than" in shown.stdout


def test_builtin_rules_may_not_use_the_user_range(tmp_path):
    from advisor.rules import check_rule
    from advisor.yamlio import loads

    path = tmp_path / "C901-x.yaml"
    rule, problems = check_rule(loads(rule_text(), str(path)), path, builtin=True)
    assert rule is None and any("9xx" in p.message for p in problems)


def test_rules_dir_that_is_not_a_folder_is_an_error(tmp_path, workload_file):
    result = invoke("recommend", workload_file, "--rules-dir", tmp_path / "missing")
    assert result.exit_code == 2 and "not a folder of rule files" in result.stderr


# -- every load-time error, with file:line:col ----------------------------------------------------------------------

ERRORS = {
    # name: (files, file with the error, line, column, words the message must contain)
    "unknown_fact": ({"C901-x.yaml": rule_text(fact="flow.traffic.peek")}, "C901-x.yaml", 6, 3,
                     ["unknown fact 'flow.traffic.peek'", "did you mean 'flow.traffic.peak'"]),
    "unknown_operator": ({"C901-x.yaml": rule_text(op="bigger_than")}, "C901-x.yaml", 8, 15,
                         ["'bigger_than'", "greater_than"]),
    "unknown_placeholder": ({"C901-x.yaml": rule_text(because="The peak is {flow.traffic.peek}.")}, "C901-x.yaml",
                            14, 12, ["unknown placeholder '{flow.traffic.peek}'"]),
    "no_placeholder": ({"C901-x.yaml": rule_text(because="The peak is high.")}, "C901-x.yaml", 14, 12,
                       ["names none of the user's values"]),
    "unknown_option": ({"C901-x.yaml": rule_text(effect="prefer: {fargat: 2}")}, "C901-x.yaml", 12, 11,
                       ["'fargat' is not an option of compute", "did you mean 'fargate'"]),
    "effect_not_matching_kind": ({"C901-x.yaml": rule_text(effect="exclude: [lambda]")}, "C901-x.yaml", 11, 3,
                                 ["a preference rule needs exactly one effect of: prefer"]),
    "limit_with_prefer": ({"C901-x.yaml": rule_text(kind="limit")}, "C901-x.yaml", 11, 3,
                          ["a limit rule needs exactly one effect of: exclude, only"]),
    "duplicate_ids": ({"C901-a.yaml": rule_text(), "C901-b.yaml": rule_text()}, "C901-b.yaml", 1, 5,
                      ["the rule id C901 is also used by", "C901-a.yaml"]),
    "file_name_not_matching_id": ({"C902-x.yaml": rule_text()}, "C902-x.yaml", 1, 5,
                                  ["the file name 'C902-x.yaml' does not start with the rule id C901"]),
    "yaml_syntax_error": ({"C901-x.yaml": "id: C901\nname: [unclosed\ntitle: x\n"}, "C901-x.yaml", 3, 6,
                          ["YAML syntax error"]),
    "missing_reference": ({"C901-x.yaml": rule_text().replace(f"- {REF}\n", "")}, "C901-x.yaml", None, None,
                          ["references"]),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_load_error_is_reported_with_its_location(tmp_path, name):
    files, bad, line, column, words = ERRORS[name]
    rules = build_file_tree(tmp_path / "mine", files)
    with pytest.raises(RuleError) as info:
        load_catalog([rules], use_cache=False)
    problems = [p for p in info.value.problems if p.location and p.location.file == str(rules / bad)]
    assert problems, [str(p) for p in info.value.problems]
    text = " ".join(str(p) for p in problems)
    for word in words:
        assert word in text
    if line is not None:
        assert any((p.location.line, p.location.column) == (line, column) for p in problems), text


@pytest.mark.parametrize("name", list(ERRORS))
def test_load_error_exits_2_through_the_cli_without_traceback(tmp_path, workload_file, name):
    files, bad, line, column, words = ERRORS[name]
    rules = build_file_tree(tmp_path / "mine", files)
    result = invoke("recommend", workload_file, "--rules-dir", rules, "--format", "json")
    assert result.exit_code == 2
    assert result.stdout == "", "nothing is decided on bad rules"
    assert "Traceback" not in result.stderr
    assert isinstance(result.exception, SystemExit), f"a bug escaped the error boundary: {result.exception!r}"
    where = f"{rules / bad}:{line}:{column}:" if line is not None else f"{rules / bad}:"
    assert where in result.stderr
    assert words[0] in result.stderr


def test_every_bad_file_is_reported_at_once(tmp_path):
    rules = build_file_tree(tmp_path / "mine", {
        "C901-a.yaml": rule_text(fact="flow.traffic.peek"),
        "C902-b.yaml": rule_text(id="C902", effect="prefer: {fargat: 1}"),
    })
    with pytest.raises(RuleError) as info:
        load_catalog([rules], use_cache=False)
    files = {Path(p.location.file).name for p in info.value.problems}
    assert files == {"C901-a.yaml", "C902-b.yaml"}


def test_unknown_fact_in_a_fact_comparison_is_caught(tmp_path):
    rules = build_file_tree(tmp_path / "mine", {"C901-x.yaml": rule_text(value="{fact: region.lambda_concurency}")})
    with pytest.raises(RuleError) as info:
        load_catalog([rules], use_cache=False)
    assert "did you mean 'region.lambda_concurrency'" in str(info.value.problems[0])


def test_the_rule_cache_follows_edits_to_the_rule_files(tmp_path, monkeypatch):
    """Built-in rules are cached by their files' names, sizes and times: an edited rule is read again."""
    import shutil

    import advisor.rules as rules_mod
    from advisor.resources import data_dir

    folder = tmp_path / "rules"
    shutil.copytree(data_dir("rules"), folder)
    monkeypatch.setattr(rules_mod, "data_dir", lambda name: folder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ADVISOR_NO_CACHE", raising=False)
    first = rules_mod.load_catalog()
    assert list((tmp_path / "cache" / "advisor").glob("rules-*.json")), "the catalog was cached"
    assert rules_mod.load_catalog().by_id("C101").title == first.by_id("C101").title
    [c101] = folder.glob("compute/C101-*.yaml")
    c101.write_text(c101.read_text().replace("title: ", "title: Edited ", 1))
    assert rules_mod.load_catalog().by_id("C101").title.startswith("Edited ")
