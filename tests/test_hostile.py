"""Hostile inputs through every command that reads a file: exit 2 with a position, never a traceback or a hang.

The corpus lives in tests/fixtures/hostile: workload files (``workloads/``), ``init --answers`` files
(``answers/``) and rule folders (``rules/``), each with the message it must give on its first line
(``# expect: LINE:COL: field: message``); ``shapes.py`` generates the large workloads. Everything runs
in-process (a subprocess costs a second of start-up under load) under a per-case deadline of about ten
times the time measured when the case was written, so a hang or a quadratic pass fails the test instead of
stalling the suite, while a slow machine does not.
"""
from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import app

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
sys.path.insert(0, str(HOSTILE))
import shapes  # noqa: E402 - the generators live beside the corpus

WORKLOADS = sorted((HOSTILE / "workloads").glob("*.yaml"))
ANSWERS = sorted((HOSTILE / "answers").glob("*.yaml"))
RULE_DIRS = sorted(p for p in (HOSTILE / "rules").iterdir() if p.is_dir())
GOOD = Path(__file__).resolve().parent / "fixtures" / "workloads" / "good" / "shop.yaml"


def _commands(file: Path, out: Path) -> dict[str, list[str]]:
    """Every command that reads a workload file, each format of recommend."""
    return {
        "validate": ["validate", str(file)],
        **{f"recommend-{f}": ["recommend", str(file), "-f", f] for f in ("json", "table", "markdown", "yaml")},
        "cost": ["cost", str(file)],
        "cost-markdown": ["cost", str(file), "-f", "markdown"],
        "scaffold": ["scaffold", str(file), "-o", str(out / "app")],
        "diagram": ["diagram", str(file)],
        "adr": ["adr", str(file), "-o", str(out / "adr")],
    }


class _Late(Exception):
    pass


@contextlib.contextmanager
def deadline(seconds: float):
    """Fail a case that runs past ``seconds`` (a hang, or work growing faster than the input)."""
    def late(*_):
        raise _Late(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, late)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run(args: list[str], seconds: float = 20):
    """The CLI in-process; the result, after checking that no exception escaped (no traceback)."""
    with deadline(seconds):
        result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: {result.exception!r}") from result.exception
    return result


def expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), path
    return first[len("# expect: "):]


def assert_refused(result, file: Path, fragment: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout[-500:], result.stderr[-500:])
    assert "Traceback" not in result.stderr
    assert f"{file}:{fragment}" in result.stderr, result.stderr[:1000]


# --- values that reach arithmetic ------------------------------------------------------------------------------

@pytest.mark.parametrize("file", WORKLOADS, ids=lambda p: p.stem)
def test_hostile_workload_through_every_command(file, tmp_path):
    fragment = expected(file)
    for name, args in _commands(file, tmp_path).items():
        assert_refused(run(args), file, fragment)
    assert not (tmp_path / "app").exists() and not (tmp_path / "adr").exists()


@pytest.mark.parametrize("parse", ["parse_rate", "parse_duration", "parse_size"])
@pytest.mark.parametrize("value", [10 ** 5000, 10 ** 400, -(10 ** 30), float("nan"), float("inf"), 1e300,
                                   "9" * 400 + "s", "9" * 400 + "/s", "9" * 400 + "MB"],
                         ids=["10^5000", "10^400", "-10^30", "nan", "inf", "1e300", "400-digit-s", "400-digit-rate",
                              "400-digit-MB"])
def test_one_checked_conversion_bounds_every_number(parse, value):
    """Whatever reaches arithmetic is refused with a reason, never an OverflowError or a digit-limit error."""
    from advisor import units

    with pytest.raises(ValueError) as info:
        getattr(units, parse)(value)
    assert "Exceeds the limit" not in str(info.value)


@pytest.mark.parametrize("file", ANSWERS, ids=lambda p: p.stem)
def test_hostile_answers_file(file, tmp_path):
    out = tmp_path / "workload.yaml"
    result = run(["init", str(out), "--non-interactive", "--answers", str(file), "--no-recommend"])
    assert_refused(result, file, expected(file))
    assert not out.exists()


# --- rule files --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("folder", RULE_DIRS, ids=lambda p: p.name)
def test_hostile_rule_through_every_command(folder, tmp_path):
    rule = folder / "X901-hostile.yaml"
    fragment = expected(rule)
    for args in (["rules", "list"], ["rules", "show", "X901"], ["recommend", str(GOOD), "-f", "json"],
                 ["cost", str(GOOD)], ["diagram", str(GOOD)], ["adr", str(GOOD), "-o", str(tmp_path / "adr")],
                 ["scaffold", str(GOOD), "-o", str(tmp_path / "app")]):
        assert_refused(run(args + ["--rules-dir", str(folder)]), rule, fragment)


def _rule_folder(tmp_path: Path, make) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    make(folder / "X901-odd.yaml")
    return folder


@pytest.mark.parametrize("kind", ["symlink-to-dev-zero", "fifo"])
def test_only_regular_files_are_read_as_rules(kind, tmp_path):
    make = (lambda p: p.symlink_to("/dev/zero")) if kind == "symlink-to-dev-zero" else os.mkfifo
    folder = _rule_folder(tmp_path, make)
    result = run(["rules", "list", "--rules-dir", str(folder)], seconds=10)
    assert_refused(result, folder / "X901-odd.yaml", "1:1: is not a regular file")


def test_a_backtracking_pattern_runs_in_linear_time(tmp_path):
    """``(a+)+$`` on a long name of a's and a b takes Python's re longer than the universe; RE2 is linear."""
    folder = tmp_path / "rules"
    folder.mkdir()
    text = (RULE_DIRS[0] / "X901-hostile.yaml").read_text(encoding="utf-8").split("\n", 1)[1]
    text = text.replace("operator: contains", "operator: matches").replace("value: 5", "value: '^(a+)+$'")
    (folder / "X901-hostile.yaml").write_text(text, encoding="utf-8")
    workload = tmp_path / "w.yaml"
    workload.write_text(f"version: 1\nname: re\nflows:\n  - {{name: {'a' * 60}b, trigger: api, duration: 1s}}\n")
    result = run(["recommend", str(workload), "-f", "json", "--rules-dir", str(folder)], seconds=10)
    assert result.exit_code == 0, result.stderr


def test_a_rule_failing_while_running_is_a_finding(monkeypatch):
    """Rules are checked when they load; should one still fail, the others run and it is reported."""
    from advisor import engine, operators
    from advisor.workload import load

    def broken(a, b):
        raise TypeError("boom")

    monkeypatch.setitem(operators.OPERATORS, "equal", operators.Operator("equal", broken, True, "is"))
    rec = engine.advise(load(GOOD))
    failed = [f for fl in rec.flows for f in fl.findings if f.rule == "ADV002"]
    assert failed and "TypeError: boom" in failed[0].message and failed[0].severity == "error"
    assert all(fl.decisions["compute"].choice for fl in rec.flows)


# --- the operating system says no ------------------------------------------------------------------------------

def _refuse(exc):
    def refuse(*args, **kwargs):
        raise exc
    return refuse


@pytest.mark.parametrize("command", ["recommend", "scaffold", "adr"])
@pytest.mark.parametrize("error", [errno.EACCES, errno.ENOSPC])
def test_os_refusal_is_one_line_and_leaves_nothing(command, error, tmp_path, monkeypatch):
    from advisor import writer

    target = tmp_path / "out" / ("r.json" if command == "recommend" else "dir")
    args = {"recommend": ["recommend", str(GOOD), "-f", "json", "-o", str(target)],
            "scaffold": ["scaffold", str(GOOD), "-o", str(target)],
            "adr": ["adr", str(GOOD), "-o", str(target)]}[command]
    monkeypatch.setattr(writer.os, "fsync", _refuse(OSError(error, os.strerror(error))))
    result = run(args)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    # scaffold and adr list their plan first; then one line says what went wrong
    [line] = [ln for ln in result.stderr.strip().splitlines() if not ln.startswith(("create ", "identical "))]
    assert line.startswith("cannot write ") and str(tmp_path / "out") in line
    assert ("free some space" if error == errno.ENOSPC else "permissions") in line
    assert not (tmp_path / "out").exists()  # the folders it made are gone too, and no temporary file is left


@pytest.mark.parametrize("kind", ["symlink-loop", "folder", "dev-full"])
def test_output_paths_that_cannot_take_a_file(kind, tmp_path):
    if kind == "symlink-loop":
        out = tmp_path / "loop"
        out.symlink_to(tmp_path / "loop")
        said = "symbolic links"
    elif kind == "folder":
        out, said = tmp_path, "is a folder"
    else:
        out, said = Path("/dev/full"), "No space left on device"
    result = run(["recommend", str(GOOD), "-f", "json", "-o", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert str(out) in line and said in line


def test_dash_writes_to_stdout():
    result = run(["recommend", str(GOOD), "-f", "json", "-o", "-"])
    assert result.exit_code == 0 and result.stdout.startswith("{") and not Path("-").exists()


def test_dev_stdout_into_a_pipe_ends(run_cli):
    """The writer used to read the existing "file" to compare it, and a pipe never ends."""
    proc = run_cli("recommend", GOOD, "-f", "json", "-o", "/dev/stdout", timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.rstrip().endswith("}")


def test_rule_cache_on_a_full_disk_leaves_no_temporary_file(tmp_path, monkeypatch):
    from advisor import rules

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    real = Path.write_text

    def full(self, *args, **kwargs):
        real(self, "partial", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    assert rules.load_catalog(use_cache=True).rules
    assert [p.name for p in (tmp_path / "advisor").iterdir()] == []


# --- sizes: every pass linear, the unreasonable refused early ---------------------------------------------------

def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# (shape, size, commands that must succeed, seconds: about ten times the time measured on a loaded 2-core box)
# The sizes are those of the issue where they fit a 30-second suite; benchmarks/bench_cli.py --shapes runs
# every shape at its full size (10,000 flows) as separate processes and reports time and peak memory.
ACCEPTED = [
    ("chain", 5_000, ["validate", "recommend-json"], 40),
    ("fan-in", 1_000, ["recommend-yaml", "recommend-markdown", "diagram", "cost-markdown"], 60),
    ("every-trigger", 1_000, ["cost-markdown"], 30),
    ("consumers", 10_000, ["recommend-json", "diagram"], 30),
    ("steps", 10_000, ["recommend-json", "diagram"], 30),
]


@pytest.mark.parametrize("shape,size,commands,seconds", ACCEPTED, ids=[f"{a[0]}-{a[1]}" for a in ACCEPTED])
def test_large_shapes_finish(shape, size, commands, seconds, tmp_path):
    file = _write(tmp_path, shape, shapes.SHAPES[shape](size))
    every = _commands(file, tmp_path)
    for name in commands:
        result = run(every[name], seconds)
        assert result.exit_code == 0, (name, result.stderr[:500])


def test_unknown_after_suggests_with_bounded_work(tmp_path):
    file = _write(tmp_path, "unknown-after", shapes.unknown_after(3_000))
    result = run(["validate", str(file)], 30)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3_001  # one problem a flow, and the summary
    assert "did you mean 'flow-" in lines[1] and "and 2,991 more" in lines[1]  # the list of names is cut


# (shape, size, command, what the refusal says)
REFUSED = [
    ("minimal", 20_001, "validate", "4:3: flows: 20,001 flows are more than the 20,000"),
    ("minimal", 501, "recommend-table", "4:3: flows: 501 flows: more than the 500 advisor accepts in a terminal"),
    ("minimal", 251, "adr", "4:3: flows: 251 flows: more than the 250"),
    ("steps", 10_000, "scaffold", "4:3: flows: 10,000 resources (at least): more than the 500"),
    ("consumers", 10_000, "scaffold", "4:3: flows: 10,001 resources (at least): more than the 500"),
]


@pytest.mark.parametrize("shape,size,command,said", REFUSED, ids=[f"{a[0]}-{a[1]}-{a[2]}" for a in REFUSED])
def test_unreasonable_sizes_are_refused_early(shape, size, command, said, tmp_path):
    file = _write(tmp_path, shape, shapes.SHAPES[shape](size))
    result = run(_commands(file, tmp_path)[command], 30)
    assert_refused(result, file, said)
    assert not (tmp_path / "app").exists() and not (tmp_path / "adr").exists()


def test_init_answers_past_the_limit_are_refused(tmp_path):
    answers = _write(tmp_path, "answers", shapes.init_answers(10_000))
    out = tmp_path / "w.yaml"
    result = run(["init", str(out), "--non-interactive", "--answers", str(answers), "--no-recommend"], 30)
    assert_refused(result, answers, "3:3: flows: 10,000 flows are more than the 1,000 advisor init takes")
    assert not out.exists()


def test_init_answers_at_the_limit_finish(tmp_path):
    answers = _write(tmp_path, "answers", shapes.init_answers(1_000))
    out = tmp_path / "w.yaml"
    result = run(["init", str(out), "--non-interactive", "--answers", str(answers), "--no-recommend"], 40)
    assert result.exit_code == 0, result.stderr[-500:]
    assert "1000 flows" in result.stderr + result.stdout
