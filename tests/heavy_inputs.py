"""Inputs built to eat time or memory, and a run of ``advisor validate`` that measures its time and peak memory.

Shared by tests/test_validate_corpus.py (which checks the clean failure and the memory bound) and
benchmarks/bench_cli.py (which reports the time of each against its budget: wall-clock figures are not asserted
in the test suite, where a busy machine would make them flaky).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TIME_BUDGET_S = 2.0  # reported by benchmarks/bench_cli.py
MEMORY_LIMIT_MB = 200  # asserted by the tests: memory does not depend on how busy the machine is
HARD_TIMEOUT_S = 60  # a pathological input that runs this long is a bug (10x above the slowest measured figure)

_WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=%d)
print(json.dumps({"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr,
                  "seconds": time.perf_counter() - start,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
""" % HARD_TIMEOUT_S


def run_measured(path: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run `advisor validate PATH` in a fresh wrapper; return the result, seconds and peak MB of advisor alone."""
    wrapper = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, "-m", "advisor", "validate", str(path)],
                             capture_output=True, text=True, timeout=2 * HARD_TIMEOUT_S, cwd=tmp_path)
    report = json.loads(wrapper.stdout)
    proc = subprocess.CompletedProcess([], report["rc"], report["stdout"], report["stderr"])
    return proc, report["seconds"], report["maxrss_kb"] / 1024


def _nesting(depth: int) -> str:
    return "version: 1\nname: deep\nflows: " + "[" * depth + "]" * depth + "\n"


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["version: 1", "name: bomb", 'lol0: &l0 ["lol"' + ', "lol"' * (width - 1) + "]"]
    for i in range(1, levels):
        lines.append(f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    lines.append(f"flows: *l{levels - 1}")
    return "\n".join(lines) + "\n"


HEAVY = {
    # name: (text, position ("1:1" or a line prefix), message fragment)
    "twenty-megabytes": (lambda: "version: 1\nname: big\n# " + "x" * (20 * 1024 * 1024) + "\n", "1:1", "20.0 MB"),
    "nested-10000-deep": (lambda: _nesting(10_000), "3:", "nest"),
    "nested-100-deep": (lambda: _nesting(100), "3:", "nested more than"),
    "billion-laughs": (_alias_bomb, "", "alias bomb"),
    "flat-list-of-a-million": (lambda: "[" + ",".join(["1"] * 1_000_000) + "]\n", "1:1", "more than 500,000 values"),
}
