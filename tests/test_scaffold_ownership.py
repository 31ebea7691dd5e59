"""A scaffold a team keeps: their code survives updates, and `--check` only fails on real drift (issue 13).

For every example: scaffold; edit a step's business logic, the team's test of it and a generated test;
`--check` passes; change the workload (a new consumer, a new flow); scaffold again: the template and the
generated files follow, every edit survives; `--check` passes again, and the app's own tests pass. Then a hand
edit to a generated file: merged when it does not overlap the new generation, a reported conflict when it does.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from advisor.writer import BASE_DIR
from scaffold_helpers import assert_app_tests_pass, run_app_tests

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ADDED_FLOW = {"name": "audit-trail", "trigger": "queue", "duration": "1s"}


def scaffold(run_cli, work: Path, *extra: str):
    return run_cli("scaffold", work / "workload.yaml", "-o", work / "app", *extra, env={"ADVISOR_NO_CACHE": "1"})


def change_workload(path: Path) -> None:
    """A real change: a new consumer on the first flow that has some, and a new flow."""
    data = yaml.safe_load(path.read_text())
    for flow in data["flows"]:
        if flow.get("consumers"):
            flow["consumers"].append("ledger")
            flow.pop("fan_out", None)
            break
    data["flows"].append(dict(ADDED_FLOW))
    path.write_text(yaml.safe_dump(data, sort_keys=False))


TEAM_TEST = {"py": "\n\ndef test_the_teams_own_case():\n    assert 1 + 1 == 2\n",
             "ts": "\ntest('the team\\'s own case', () => assert.equal(1 + 1, 2));\n"}
ADDED_TEST = {"py": "\n\ndef test_a_case_the_team_added():\n    assert True\n",
              "ts": "\ntest('a case the team added', () => assert.ok(true));\n"}


def team_edits(app: Path) -> dict[Path, bytes]:
    """Edit one step's logic module, the team's test of it, and one generated adapter test."""
    logic = sorted([*app.glob("src/*/logic.py"), *app.glob("src/*/logic.ts")])[0]
    step, ext = logic.parent.name, logic.suffix[1:]
    comment = "//" if ext == "ts" else "#"
    code = "payload = { ...payload }; // the team's code" if ext == "ts" else "payload = dict(payload)  # the team's code"
    todo = f"  {comment} TODO: business logic goes here" if ext == "ts" else f"    {comment} TODO: business logic goes here"
    text = logic.read_text()
    assert todo in text
    logic.write_text(text.replace(todo, todo.split(comment)[0] + code + "\n" + todo))
    own_test = app / "tests" / (f"{step}.logic.test.ts" if ext == "ts" else f"test_{step}_logic.py")
    own_test.write_text(own_test.read_text() + TEAM_TEST[ext])
    generated = app / "tests" / (f"{step}.adapter.test.ts" if ext == "ts" else f"test_{step}_adapter.py")
    generated.write_text(generated.read_text() + ADDED_TEST[ext])
    return {p: p.read_bytes() for p in (logic, own_test, generated)}


@pytest.mark.parametrize("runtime", ["python3.13", "nodejs22.x"])
@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_team_edits_survive_a_workload_change(example, runtime, run_cli, tmp_path, request):
    data = yaml.safe_load(example.read_text())
    data["runtime"] = runtime  # the workload chooses the language
    (tmp_path / "workload.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    app = tmp_path / "app"
    first = scaffold(run_cli, tmp_path)
    assert first.returncode == 0, first.stderr
    edits = team_edits(app)
    check = scaffold(run_cli, tmp_path, "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    template = (app / "template.yaml").read_bytes()

    change_workload(tmp_path / "workload.yaml")
    drift = scaffold(run_cli, tmp_path, "--check")
    assert drift.returncode == 1 and "template.yaml" in drift.stdout, drift.stdout + drift.stderr
    assert "advisor scaffold" in drift.stderr  # what to run
    again = scaffold(run_cli, tmp_path)
    assert again.returncode == 0, again.stderr
    assert (app / "template.yaml").read_bytes() != template
    assert "AuditTrail" in (app / "template.yaml").read_text()
    new_step = app / "src" / "audit_trail_audit_trail"
    ext = "ts" if runtime.startswith("nodejs") else "py"
    assert (new_step / f"app.{ext}").is_file() and (new_step / f"logic.{ext}").is_file()
    for path, content in edits.items():
        if "adapter" in path.name:  # generated: a clean merge keeps the team's lines
            assert ADDED_TEST[path.suffix[1:]] in path.read_text()
        else:
            assert path.read_bytes() == content, f"{path.name} changed"
    check = scaffold(run_cli, tmp_path, "--check")
    assert check.returncode == 0, check.stdout + check.stderr

    modules = request.getfixturevalue("node_modules") if runtime.startswith("nodejs") else None
    assert_app_tests_pass(run_app_tests(app, modules))


def test_a_hand_edit_to_a_generated_file_is_merged_or_a_reported_conflict(run_cli, tmp_path):
    (tmp_path / "workload.yaml").write_bytes((EXAMPLES / "thumbnails.yaml").read_bytes())
    app = tmp_path / "app"
    assert scaffold(run_cli, tmp_path).returncode == 0
    template = app / "template.yaml"
    lines = template.read_text().splitlines(keepends=True)
    lines.insert(0, "# reviewed by the platform team\n")  # far from anything a new flow changes
    template.write_text("".join(lines))
    edits = team_edits(app)

    change_workload(tmp_path / "workload.yaml")
    merged = scaffold(run_cli, tmp_path)
    assert merged.returncode == 0, merged.stderr
    assert "merge" in merged.stderr and "template.yaml" in merged.stderr
    text = template.read_text()
    assert text.startswith("# reviewed by the platform team\n") and "AuditTrail" in text and "<<<<<<<" not in text
    assert scaffold(run_cli, tmp_path, "--check").returncode == 0

    # now the same line on both sides: the description, edited by hand and changed in the workload
    text = template.read_text()
    description = next(line for line in text.splitlines() if line.startswith("Description:"))
    template.write_text(text.replace(description, 'Description: "our own words"'))
    data = yaml.safe_load((tmp_path / "workload.yaml").read_text())
    data["description"] = "Thumbnails, now with an audit trail"
    data["flows"].append({"name": "reindex", "trigger": "schedule", "duration": "1s"})
    (tmp_path / "workload.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    conflict = scaffold(run_cli, tmp_path)
    assert conflict.returncode == 1
    assert "conflict" in conflict.stderr and "template.yaml" in conflict.stderr
    text = template.read_text()
    assert '<<<<<<< template.yaml (your edit)\nDescription: "our own words"\n=======\n' in text
    assert "Thumbnails, now with an audit trail" in text and ">>>>>>> template.yaml (generated now)" in text
    assert text.startswith("# reviewed by the platform team\n")  # the earlier merge is not lost
    assert "Reindex" in text and (app / "src" / "reindex_reindex" / "app.py").is_file()  # nor is the rest of the run
    for path, content in edits.items():
        if "adapter" not in path.name:
            assert path.read_bytes() == content
    assert (app / BASE_DIR / "template.yaml").read_text().count("<<<<<<<") == 0  # the base is the generation
    check = scaffold(run_cli, tmp_path, "--check")
    assert check.returncode == 1 and "conflict markers" in check.stdout


def test_runtime_flag_chooses_the_language_and_an_unsupported_one_is_exit_2(run_cli, tmp_path):
    (tmp_path / "workload.yaml").write_bytes((EXAMPLES / "thumbnails.yaml").read_bytes())
    proc = scaffold(run_cli, tmp_path, "--runtime", "nodejs20.x")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "app" / "package.json").is_file() and not list((tmp_path / "app").glob("src/*/app.py"))
    bad = run_cli("scaffold", tmp_path / "workload.yaml", "-o", tmp_path / "other", "--runtime", "nodejs18.x")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "nodejs18.x" in bad.stderr and "python3.13" in bad.stderr and "nodejs22.x" in bad.stderr
    assert not (tmp_path / "other").exists()
