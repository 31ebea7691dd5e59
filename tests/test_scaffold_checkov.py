"""checkov finds nothing in the generated templates that is not suppressed with a written reason.

checkov pins versions that conflict with advisor's own dependencies (networkx 2.x, packaging 23), so it cannot be
a test extra: it lives in a virtual environment of its own. The test uses, in this order, the command in CHECKOV,
``checkov`` on the PATH, or ``.venv-checkov/bin/checkov`` in the clone, which it creates the first time
(``python -m venv .venv-checkov && .venv-checkov/bin/pip install checkov``, about a minute, in the background from
the moment the test is collected: tests/checkov_install.py). When none is there and the install fails (no
network), the test FAILS and says how to install checkov: it is never skipped, since the templates' security
checks would silently stop being checked.
"""
from __future__ import annotations

import json
import subprocess

import pytest

import checkov_install


def checkov_command() -> str:
    """The checkov to run (tests/checkov_install.py); the test fails, saying how to install it, when there is none."""
    found, problem = checkov_install.wait()
    if found is None:
        pytest.fail(f"{problem}\nInstall it with: {checkov_install.INSTALL}", pytrace=False)
    return found


# its own group: on the same worker as the cfn-lint check of these apps (group "example-apps") the two would be
# one serial chain, the longest of the suite; another worker scaffolds the apps again (~0.5 s of CPU each) instead
@pytest.mark.xdist_group("checkov")
def test_checkov_finds_nothing_unsuppressed(example_apps):
    checkov = checkov_command()
    apps = next(iter(example_apps.values())).parent
    proc = subprocess.run([checkov, "-d", str(apps), "--framework", "cloudformation", "--skip-download",
                           "-o", "json"], capture_output=True, text=True, timeout=600)
    reports = json.loads(proc.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [(c["check_id"], c["file_path"], c["resource"]) for r in reports
              for c in r["results"]["failed_checks"]]
    assert not failed, failed
    skipped = [c for r in reports for c in r["results"]["skipped_checks"]]
    assert skipped, "the templates carry their suppressions"
    assert all(len((c.get("check_result") or {}).get("suppress_comment") or "") >= 20 for c in skipped), \
        "every suppression has a written reason"
    passed = sum(len(r["results"]["passed_checks"]) for r in reports)
    assert passed > 300
