"""checkov finds nothing in the generated templates that is not suppressed with a written reason.

checkov pins versions that conflict with advisor's own dependencies (networkx 2.x, packaging 23), so it
lives in a virtual environment of its own: .ci/run installs it and sets CHECKOV to its command. Without
checkov on the path or in CHECKOV, this test is skipped with that reason.
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
CHECKOV = os.environ.get("CHECKOV") or shutil.which("checkov")

MIXED = """version: 1
name: mixed
flows:
  - {name: ask, trigger: api, api: graphql, auth: users, duration: 1s, data: key-value}
  - {name: chat, trigger: api, api: websocket, duration: 1s}
  - name: orders
    trigger: api
    api: rest
    auth: api-key
    caller_waits: false
    duration: 2s
    steps: [a, b]
    coupling: tight
    consumers: [x, y, z, w, v, u]
    needs: {content_filtering: true}
    external_targets: [zendesk]
  - {name: feed, trigger: kafka, source: self-managed, duration: 1s, consumers: [p], needs: {ordering: true, replay: true}}
  - {name: legacy, trigger: mq, source: rabbitmq, duration: 20m, data: relational}
  - {name: nightly, trigger: schedule, duration: 40m, longest_step: 35m, steps: [a, b], coupling: tight, data: files}
"""


@pytest.mark.skipif(not CHECKOV, reason="checkov is not installed (.ci/run installs it in its own venv and sets "
                                        "CHECKOV)")
def test_checkov_finds_nothing_unsuppressed(tmp_path):
    workloads = sorted((ROOT / "examples").glob("*.yaml"))
    (tmp_path / "mixed.yaml").write_text(MIXED)
    workloads.append(tmp_path / "mixed.yaml")
    apps = tmp_path / "apps"
    for wl in workloads:
        for runtime in ("python3.13", "nodejs22.x"):  # the TypeScript apps build differently (esbuild, no layer)
            out = apps / f"{wl.stem}-{runtime}"
            subprocess.run([sys.executable, "-m", "advisor", "scaffold", str(wl), "-o", str(out), "--runtime", runtime],
                           check=True, capture_output=True)
    proc = subprocess.run([CHECKOV, "-d", str(apps), "--framework", "cloudformation", "--skip-download",
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
