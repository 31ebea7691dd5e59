#!/usr/bin/env python3
"""Time advisor's commands beside Python's own start-up, in one run.

Usage: python benchmarks/bench_cli.py [--runs N] [--quick] [--shapes]
       (SAM_CLI=/path/to/sam to compare scaffold with `sam validate --lint`; aws-sam-cli pins versions that
       conflict with the test tools, so give it a virtual environment of its own)

Every case runs as a fresh process (what a user or a CI job pays), N times
(default 11), and the median wall time is reported with its ratio to
``python -c "import yaml"`` measured in the same run, so figures taken on a
busy or slow machine still compare. The interpreter is the one running this
script; ``advisor`` is run as ``python -m advisor`` from the same
environment, which costs the same as the console script.

Targets (issues 2, 3 and 4): ``--help`` within 2x and ``validate`` /
``recommend`` of a small file within 3x of ``import yaml``; 10,000 flows
validated and recommended in under 5 s, growing linearly; scaffolding 10 flows
faster than ``sam validate --lint`` (or, without the SAM CLI, cfn-lint) on
the result.

Budgets (issue 14; the test suite checks the behaviour, never the time): every
hostile input of tests/heavy_inputs.py refused within 2 s, a chain of 3,000
flows loaded within 5 s. Each is printed with its budget and "ok" or "OVER".

``--shapes`` runs instead the large shapes of issue 15 (tests/fixtures/hostile/shapes.py: long ``after:``
chains, wide fan-in, one flow with 10,000 consumers or steps, many minimal flows, flows after unknown names,
every trigger) at 1,000 and 10,000 flows, and this benchmark's workload at 1,000, 10,000 and 20,000 flows
(the largest accepted), through every command, once each, with the wall time and the peak memory (resident
set) of each process. Targets: recommend -f json of the 10,000-flow workload under 5 s and 500 MB on 2 cores;
every accepted case within a few seconds, growing linearly; refused sizes refused at once (exit 2).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "hostile"))

ROOT = Path(__file__).resolve().parent.parent
TRIGGERS = ["api", "schedule", "upload", "queue", "stream", "change-data", "kafka", "mq"]


def workload(flows: int) -> str:
    """A valid workload of ``flows`` flows mixing triggers, needs and after: links."""
    lines = ["version: 1", f"name: bench-{flows}", "flows:"]
    for i in range(flows):
        lines.append(f"  - name: flow-{i}")
        if i % 5 == 4:
            lines += ["    trigger: event", f"    after: flow-{i - 1}"]
        else:
            trigger = TRIGGERS[i % len(TRIGGERS)]
            lines.append(f"    trigger: {trigger}")
            if trigger == "api":
                lines.append(f"    caller_waits: {'true' if i % 2 else 'false'}")
            lines.append(f"    traffic: {{average: {1 + i % 50}/s, peak: {10 + i % 500}/s, pattern: spiky}}")
        lines.append(f"    duration: {1 + i % 40}s")
        if i % 3 == 0:
            lines += ["    steps: [validate, process, publish]", "    coupling: tight",
                      "    needs: {compensation: true, audit: true}"]
        if i % 4 == 1:
            lines.append("    consumers: [billing, email, analytics]")
        if i % 7 == 2:
            lines.append("    data: key-value")
    return "\n".join(lines) + "\n"


def median_ms(argv: list[str], runs: int, cwd: str) -> float:
    """Median wall time; stdout goes to a file, as with `advisor recommend big.yaml -f json > out.json` (a pipe
    read by this script would time the reading too: 80 MB for 10,000 flows)."""
    times = []
    out_path = os.path.join(cwd, "stdout.txt")
    for _ in range(runs):
        with open(out_path, "wb") as out:
            t = time.perf_counter()
            proc = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, cwd=cwd)
            times.append(time.perf_counter() - t)
        if proc.returncode not in (0, 1):
            sys.exit(f"failed ({proc.returncode}): {' '.join(argv)}\n{proc.stderr.decode()[-2000:]}")
    return statistics.median(times) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--quick", action="store_true", help="3 runs, and 10,000 flows only once")
    ap.add_argument("--shapes", action="store_true", help="the large shapes: time and peak memory per command")
    args = ap.parse_args()
    if args.shapes:
        return shapes_main()
    runs = 3 if args.quick else args.runs
    py = sys.executable
    adv = [py, "-m", "advisor"]
    tmp = tempfile.mkdtemp(prefix="advisor-bench-")
    env_cache = os.path.join(tmp, "cache")
    os.environ["XDG_CACHE_HOME"] = env_cache  # a fresh rule cache, filled by the warm-up run below
    # Measure what an installed advisor costs: pip writes bytecode for the packages it installs, so compile
    # ours too (an editable checkout, or PYTHONDONTWRITEBYTECODE, would otherwise recompile every module on
    # every start and add some 25 ms).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    import advisor
    import compileall

    compileall.compile_dir(os.path.dirname(advisor.__file__), quiet=1)
    try:
        files = {}
        for n in (1, 10, 100, 1000, 10000):
            p = Path(tmp, f"w{n}.yaml")
            p.write_text(workload(n))
            files[n] = str(p)
        subprocess.run(adv + ["recommend", files[1], "-f", "json"], capture_output=True)  # warm caches
        cases = [
            ("python -c pass", [py, "-c", "pass"], runs),
            ('python -c "import yaml"', [py, "-c", "import yaml"], runs),
            ('python -c "import typer"', [py, "-c", "import typer"], runs),  # the floor of any typer CLI
            ("advisor --help", adv + ["--help"], runs),
            ("advisor validate (1 flow)", adv + ["validate", files[1]], runs),
            ("advisor validate (100 flows)", adv + ["validate", files[100]], runs),
            ("advisor validate (1,000 flows)", adv + ["validate", files[1000]], runs),
            ("advisor validate (10,000 flows)", adv + ["validate", files[10000]], 1 if args.quick else 3),
            ("advisor recommend -f json (1 flow)", adv + ["recommend", files[1], "-f", "json"], runs),
            ("advisor recommend -f json (10 flows)", adv + ["recommend", files[10], "-f", "json"], runs),
            ("advisor recommend -f json (1,000 flows)", adv + ["recommend", files[1000], "-f", "json"], 3),
            ("advisor recommend -f json (10,000 flows)", adv + ["recommend", files[10000], "-f", "json"],
             1 if args.quick else 3),
        ]
        results = {}
        for label, argv, n in cases:
            results[label] = median_ms(argv, n, tmp)
        base = results['python -c "import yaml"']
        print(f"{'case':45s} {'median':>10s} {'x import yaml':>14s}")
        for label, ms in results.items():
            print(f"{label:45s} {ms:9.1f}ms {ms / base:13.2f}x")
        _scaffold(adv, files[10], tmp, runs)
        _budgets(py, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _scaffold(adv: list[str], wl: str, tmp: str, runs: int) -> None:
    """Scaffold 10 flows (with its self-checks) against linting the result."""
    probe = subprocess.run(adv + ["scaffold", "--help"], capture_output=True)
    if probe.returncode != 0:
        print("scaffold: not available in this build")
        return
    out = os.path.join(tmp, "app")
    times = []
    for i in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        subprocess.run(adv + ["scaffold", wl, "-o", out], capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    scaffold_ms = statistics.median(times) * 1000
    template = os.path.join(out, "template.yaml")
    sam = os.environ.get("SAM_CLI") or shutil.which("sam")
    if sam:
        lint, label = [sam, "validate", "--lint", "-t", template, "--region", "us-east-1"], "sam validate --lint"
    else:
        lint, label = [sys.executable, "-m", "cfnlint", template], "cfn-lint (no SAM CLI here)"
    lint_ms = median_ms(lint, max(1, runs // 3), tmp)
    print(f"{'advisor scaffold (10 flows)':45s} {scaffold_ms:9.1f}ms")
    print(f"{label:45s} {lint_ms:9.1f}ms   scaffold/lint = {scaffold_ms / lint_ms:.2f}")



CHAIN_BUDGET_S = 5.0


def _budgets(py: str, tmp: str) -> None:
    """The time budgets the test suite does not assert: hostile inputs and a long after: chain."""
    sys.path.insert(0, str(ROOT / "tests"))
    from heavy_inputs import HEAVY, TIME_BUDGET_S, run_measured

    print(f"{'budget':45s} {'time':>10s} {'budget':>8s}")
    for name in sorted(HEAVY):
        path = Path(tmp, f"{name}.yaml")
        path.write_text(HEAVY[name][0](), encoding="utf-8")
        _, seconds, peak_mb = run_measured(path, Path(tmp))
        print(f"{'validate ' + name:45s} {seconds:9.2f}s {TIME_BUDGET_S:7.1f}s "
              f"{'ok' if seconds < TIME_BUDGET_S else 'OVER'} ({peak_mb:.0f} MB)")
    flows = ["{name: f0, trigger: api, duration: 1s}"]
    flows += [f"{{name: f{i}, trigger: event, after: f{i - 1}, duration: 1s}}" for i in range(1, 3000)]
    code = ("import sys, time\nfrom advisor.graph import EventGraph\nfrom advisor.workload import load_text\n"
            "text = open(sys.argv[1]).read()\nt = time.perf_counter()\nEventGraph(load_text(text)).depth('f2999')\n"
            "print(time.perf_counter() - t)\n")
    chain = Path(tmp, "chain.yaml")
    chain.write_text("version: 1\nname: chain\nflows:\n" + "".join(f"  - {f}\n" for f in flows))
    seconds = float(subprocess.run([py, "-c", code, str(chain)], capture_output=True, text=True,
                                   check=True).stdout)
    print(f"{'load + graph of a 3,000-flow after: chain':45s} {seconds:9.2f}s {CHAIN_BUDGET_S:7.1f}s "
          f"{'ok' if seconds < CHAIN_BUDGET_S else 'OVER'}")


SHAPE_COMMANDS = {
    "validate": lambda f, o: ["validate", f],
    "recommend json": lambda f, o: ["recommend", f, "-f", "json"],
    "recommend yaml": lambda f, o: ["recommend", f, "-f", "yaml"],
    "recommend markdown": lambda f, o: ["recommend", f, "-f", "markdown"],
    "recommend table": lambda f, o: ["recommend", f, "-f", "table"],
    "cost markdown": lambda f, o: ["cost", f, "-f", "markdown"],
    "diagram": lambda f, o: ["diagram", f],
    "scaffold": lambda f, o: ["scaffold", f, "-o", os.path.join(o, "app")],
    "adr": lambda f, o: ["adr", f, "-o", os.path.join(o, "adr")],
}


def measured(argv: list[str], cwd: str) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak resident MB and exit code of one process (os.wait4 gives that child's
    own figures; CPU time is what to compare on a machine busy with other work)."""
    with open(os.path.join(cwd, "stdout.txt"), "wb") as out:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def shapes_main() -> int:
    import shapes

    adv = [sys.executable, "-m", "advisor"]
    tmp = tempfile.mkdtemp(prefix="advisor-shapes-")
    os.environ["XDG_CACHE_HOME"] = os.path.join(tmp, "cache")
    cases = [(f"bench workload {n:,}", workload(n)) for n in (1000, 10000, 20000)]
    cases += [(f"{name} {n:,}", make(n)) for name, make in shapes.SHAPES.items() for n in (1000, 10000)]
    try:
        subprocess.run(adv + ["rules", "list"], capture_output=True)  # fill the rule cache
        print(f"{'case':26s} {'command':20s} {'wall s':>8s} {'CPU s':>8s} {'peak MB':>8s}  exit")
        slowest: dict[str, tuple[float, str]] = {}
        for label, text in cases:
            path = os.path.join(tmp, "w.yaml")
            Path(path).write_text(text)
            for command, argv in SHAPE_COMMANDS.items():
                out = os.path.join(tmp, "out")
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                seconds, cpu, mb, code = measured(adv + argv(path, out), tmp)
                print(f"{label:26s} {command:20s} {seconds:8.2f} {cpu:8.2f} {mb:8.0f}  {code}", flush=True)
                if cpu > slowest.get(command, (0.0, ""))[0]:
                    slowest[command] = (cpu, label)
        print("\nslowest case per command (CPU seconds):")
        for command, (cpu, label) in slowest.items():
            print(f"  {command:20s} {cpu:6.2f} s  {label}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
