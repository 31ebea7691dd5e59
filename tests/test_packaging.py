"""The wheel carries the rule catalog, templates, rule cases, schemas and data, and works outside the checkout;
the pre-commit hooks and the README's CI job use commands that exist and behave as documented."""
from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

# the tests share a module fixture: keep them on one pytest-xdist worker (README: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("wheel")


@pytest.fixture(scope="module")
def unpacked_wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(out), str(ROOT)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    [wheel] = out.glob("*.whl")
    site = out / "site"
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        z.extractall(site)
    return site, names


def test_wheel_contents(unpacked_wheel):
    _, names = unpacked_wheel
    rules = [n for n in names if n.startswith("advisor/_data/rules/") and n.endswith(".yaml")]
    assert len(rules) == len(list((ROOT / "rules").rglob("*.yaml")))
    for needed in ("advisor/_data/templates/sam/base.yaml", "advisor/_data/rule_cases/C101.yaml",
                   "advisor/schemas/workload.schema.json", "advisor/schemas/rule.schema.json",
                   "advisor/schemas/recommendation.schema.json", "advisor/data/prices.yaml",
                   "advisor/data/quotas.yaml", "advisor/data/sizing.yaml"):
        assert needed in names, needed
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_installed_advisor_finds_its_data_outside_the_checkout(unpacked_wheel, tmp_path):
    site, _ = unpacked_wheel
    workload = tmp_path / "shop.yaml"
    workload.write_text((ROOT / "examples" / "shop.yaml").read_text())
    env = {"PYTHONPATH": str(site), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "advisor", *a], capture_output=True, text=True,
                                    cwd=tmp_path, env=env)
    where = subprocess.run([sys.executable, "-c", "import advisor.resources as r; print(r.data_dir('rules'))"],
                           capture_output=True, text=True, cwd=tmp_path, env=env).stdout.strip()
    assert where.startswith(str(site))
    assert run("recommend", str(workload), "-f", "json").returncode == 0
    assert "test cases:" in run("rules", "show", "C101").stdout
    assert run("scaffold", str(workload), "-o", str(tmp_path / "app")).returncode == 0
    assert (tmp_path / "app" / "template.yaml").is_file()


def test_pre_commit_hooks_run_real_commands(tmp_path):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"advisor-validate", "advisor-scaffold-check"}
    for hook in hooks:
        argv = hook["entry"].split()
        assert argv[0] == "advisor"
        proc = subprocess.run([sys.executable, "-m", "advisor", *argv[1:], "--help"], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr


def test_readme_ci_job_validates_fails_on_drift_and_writes_a_summary(tmp_path):
    """The GitHub Actions steps of the README, run here on a copy of an example."""
    text = (ROOT / "README.md").read_text()
    steps = re.findall(r"^      - run: (advisor .*)$", text, re.M)
    assert [s.split()[1] for s in steps] == ["validate", "scaffold", "recommend"]
    (tmp_path / "workload.yaml").write_text((ROOT / "examples" / "shop.yaml").read_text())
    summary = tmp_path / "summary.md"

    def run(step: str) -> subprocess.CompletedProcess:
        cmd = step.replace('"$GITHUB_STEP_SUMMARY"', str(summary)).replace(">>", "").split()
        out = None
        if str(summary) in cmd:
            cmd.remove(str(summary))
            out = summary.open("a")
        try:
            return subprocess.run([sys.executable, "-m", *cmd], cwd=tmp_path, stdout=out or subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        finally:
            if out:
                out.close()

    assert run(steps[0]).returncode == 0
    assert run(steps[1]).returncode == 1, "no committed app yet: drift"
    subprocess.run([sys.executable, "-m", "advisor", "scaffold", "workload.yaml", "-o", "app"], cwd=tmp_path,
                   check=True, capture_output=True)
    assert run(steps[1]).returncode == 0, "the committed app matches"
    template = tmp_path / "app" / "template.yaml"
    template.write_text("# reviewed\n" + template.read_text())
    assert run(steps[1]).returncode == 0, "a hand edit that the next scaffold keeps is not drift"
    workload = tmp_path / "workload.yaml"
    workload.write_text(workload.read_text() + "- {name: audit, trigger: queue, duration: 1s}\n")
    assert run(steps[1]).returncode == 1, "the workload changed and the app was not regenerated: drift"
    assert run(steps[2]).returncode == 0
    assert summary.read_text().startswith("# Architecture recommendation: shop")
