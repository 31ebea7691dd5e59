"""checkov finds nothing in the generated templates that is not suppressed with a written reason.

checkov pins versions that conflict with advisor's own dependencies (networkx 2.x, packaging 23), so it cannot be
a test extra: it lives in a virtual environment of its own. The test uses, in this order, the command in CHECKOV,
``checkov`` on the PATH, or ``.venv-checkov/bin/checkov`` in the clone, which it creates the first time
(``python -m venv .venv-checkov && .venv-checkov/bin/pip install checkov``, about a minute, in parallel with the
other tests). When none is there and the install fails (no network), the test FAILS and says how to install
checkov: it is never skipped, since the templates' security checks would silently stop being checked.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-checkov"
INSTALL = f"python3 -m venv {VENV} && {VENV}/bin/pip install checkov (or set CHECKOV to a checkov command)"


def checkov_command() -> str:
    """The checkov to run; installs it into .venv-checkov when there is none."""
    found = os.environ.get("CHECKOV") or shutil.which("checkov")
    if found:
        return found
    exe = VENV / ("Scripts/checkov.exe" if os.name == "nt" else "bin/checkov")
    if not exe.exists():
        steps = [[sys.executable, "-m", "venv", str(VENV)],
                 [str(VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")), "-m", "pip", "install",
                  "-q", "checkov"]]
        for step in steps:
            proc = subprocess.run(step, capture_output=True, text=True, timeout=900)
            if proc.returncode != 0:
                pytest.fail(f"checkov is not installed and installing it failed ({' '.join(step)}):\n"
                            f"{proc.stderr[-1500:]}\nInstall it with: {INSTALL}", pytrace=False)
    return str(exe)



@pytest.mark.xdist_group("example-apps")
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
