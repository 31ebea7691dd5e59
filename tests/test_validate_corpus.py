"""`advisor validate` against the bad-input corpus, run as a real program.

Each file in fixtures/workloads/bad starts with three comment lines:

    # expect: <a fragment of the message>
    # at: LINE:COL
    # field: <the field path, or - when the problem has none>

and the CLI must exit 2, print ``FILE:LINE:COL: <field>: ...<fragment>...``,
show no traceback and finish within 2 s. Inputs that are too big, too deep,
binary or unreadable are generated in tmp_path, and the memory-hungry ones
run under a small wrapper that reports the peak memory of the advisor process
alone (``ru_maxrss`` of RUSAGE_CHILDREN is a maximum over all children of a
process, so it has to be a fresh process).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from heavy_inputs import HARD_TIMEOUT_S, HEAVY, MEMORY_LIMIT_MB, run_measured
from shared_examples import EXAMPLE_FILES, load_case

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURES = HERE / "fixtures"

BAD = FIXTURES / "workloads" / "bad"
GOOD = FIXTURES / "workloads" / "good"


def _header(path: Path) -> dict[str, str]:
    head: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:3]:
        m = re.match(r"#\s*(expect|at|field):\s*(.*)$", line)
        if m:
            head[m.group(1)] = m.group(2).strip()
    return head


BAD_FILES = sorted(BAD.glob("*.yaml"))


def _assert_clean_failure(proc, shown: str) -> list[str]:
    """Exit 2, nothing on stdout, no traceback, and every error line starts with FILE:LINE:COL."""
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    assert proc.returncode == 2, out
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert lines and re.fullmatch(r"\d+ of \d+ files? invalid", lines[-1]), lines
    errors = lines[:-1]
    assert errors, "no error was printed"
    for line in errors:
        assert re.match(rf"{re.escape(shown)}:\d+:\d+: ", line), line
    return errors


def test_corpus_is_big_enough():
    assert len(BAD_FILES) >= 40
    for path in BAD_FILES:
        head = _header(path)
        assert {"expect", "at", "field"} <= head.keys(), f"{path.name}: missing '# expect/# at/# field' header"
        assert re.fullmatch(r"\d+:\d+", head["at"]), path.name


def _run(path: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "advisor", "validate", str(path)], cwd=cwd,
                          capture_output=True, text=True, timeout=HARD_TIMEOUT_S)


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_file(path: Path, tmp_path):
    """Each bad file in its own process (one test each, so pytest-xdist spreads them over the cores)."""
    head = _header(path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    proc = _run(path, cwd)
    errors = _assert_clean_failure(proc, str(path))
    prefix = f"{path}:{head['at']}: " + ("" if head["field"] == "-" else f"{head['field']}: ")
    matching = [e for e in errors if e.startswith(prefix) and head["expect"] in e]
    assert matching, f"wanted {prefix!r} with {head['expect']!r}; got:\n" + "\n".join(errors)
    assert "; expected " in matching[0] or head["field"] == "-", matching[0]
    # the !!python/object/apply case would have run `touch advisor-was-here` in the working directory
    assert list(cwd.iterdir()) == []


def test_did_you_mean_for_keys_and_enums(run_cli):
    for name, hint in (("unknown-flow-key", "(did you mean 'trigger'?)"), ("auth-enum", "(did you mean 'users'?)"),
                       ("after-missing-flow", "(did you mean 'checkout'?)")):
        proc = run_cli("validate", BAD / f"{name}.yaml")
        assert hint in proc.stderr, proc.stderr


def test_every_error_of_a_file_at_once(run_cli, tmp_path):
    path = tmp_path / "several.yaml"
    path.write_text(
        "version: 2\n"                                  # 1
        "name: Shop\n"                                  # 2
        "colour: blue\n"                                # 3
        "flows:\n"                                      # 4
        "  - name: checkout\n"                          # 5
        "    trigger: apii\n"                           # 6
        "    duration: 8 parsecs\n"                        # 7
        "    traffic: {average: 5/s, peak: 1/s}\n"      # 8
        "  - name: ship\n"                              # 9
        "    trigger: event\n"                          # 10
        "    after: nowhere\n"                          # 11
        "    duration: 1s\n"                            # 12
        "    longest_step: 2s\n"                        # 13
        "    fan_out: 1\n"                              # 14
        "    consumers: [a, b]\n"                       # 15
        "    duration: 2s\n",                           # 16
        encoding="utf-8")
    proc = run_cli("validate", path)
    errors = _assert_clean_failure(proc, str(path))
    expected = [
        ("1:10", "version: ", "not supported"),
        ("2:7", "name: ", "cannot read 'Shop'"),
        ("3:1", "colour: ", "unknown key 'colour'"),
        ("6:14", "flows[0].trigger: ", "did you mean 'api'"),
        ("7:15", "flows[0].duration: ", "cannot read '8 parsecs'"),
        ("8:35", "flows[0].traffic.peak: ", "below the average"),
        ("11:12", "flows[1].after: ", "no flow named 'nowhere'"),
        ("13:19", "flows[1].longest_step: ", "longer than the whole flow"),
        ("14:5", "flows[1].fan_out: ", "fan_out is 1 but 2 consumer(s)"),
        ("16:5", "flows[1].duration: ", "duplicate key 'duration'"),
    ]
    for at, field, fragment in expected:
        prefix = f"{path}:{at}: {field}"
        assert any(e.startswith(prefix) and fragment in e for e in errors), (prefix, fragment, errors)
    assert len(errors) == len(expected), "\n".join(errors)
    positions = [tuple(map(int, e[len(str(path)) + 1:].split(":")[:2])) for e in errors]
    assert positions == sorted(positions), "errors are not in file order"


def _summary_ok(path: Path, line: str) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    n = len(data["flows"])
    assert line.startswith(f"{path}: "), line
    assert f"'{data['name']}'" in line and re.search(rf"\b{n} flows?\b", line), line


GOOD_FILES = sorted(GOOD.glob("*.yaml"))


def test_good_files_one_line_each(run_cli):
    assert len(GOOD_FILES) >= 10
    proc = run_cli("validate", *GOOD_FILES)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and "Traceback" not in proc.stdout
    lines = proc.stdout.splitlines()
    assert len(lines) == len(GOOD_FILES)
    for path, line in zip(GOOD_FILES, lines):
        _summary_ok(path, line)


@pytest.mark.parametrize("path", GOOD_FILES[:2], ids=lambda p: p.stem)
def test_good_file_alone(path, run_cli):
    proc = run_cli("validate", path)
    assert (proc.returncode, proc.stderr) == (0, "")
    [line] = proc.stdout.splitlines()
    _summary_ok(path, line)


def test_mixed_good_and_bad(run_cli):
    good, bad = GOOD / "minimal.yaml", BAD / "trigger-enum.yaml"
    proc = run_cli("validate", good, bad)
    assert proc.returncode == 2
    _summary_ok(good, proc.stdout.strip())
    assert f"{bad}:8:14: flows[0].trigger: " in proc.stderr
    assert proc.stderr.splitlines()[-1] == "1 of 2 files invalid"


def test_shared_examples_are_valid(run_cli, tmp_path):
    paths = []
    for example in EXAMPLE_FILES:
        doc = load_case(example)
        target = tmp_path / example.name
        target.write_text(yaml.safe_dump(doc["workload"], sort_keys=False, allow_unicode=True), encoding="utf-8")
        paths.append(target)
    assert paths
    proc = run_cli("validate", *paths)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == len(paths)


# --- generated inputs: missing, directory, unreadable, binary ----------------------------------------------------

def test_missing_path(run_cli, tmp_path):
    path = tmp_path / "nope.yaml"
    proc = run_cli("validate", path)
    [error] = _assert_clean_failure(proc, str(path))
    assert error.startswith(f"{path}:1:1: ") and "no such workload file" in error


def test_directory(run_cli, tmp_path):
    proc = run_cli("validate", tmp_path)
    [error] = _assert_clean_failure(proc, str(tmp_path))
    assert "is a directory" in error


def test_not_utf8(run_cli, tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"version: 1\nname: caf\xe9\nflows: []\n")
    proc = run_cli("validate", path)
    [error] = _assert_clean_failure(proc, str(path))
    assert error.startswith(f"{path}:2:10: ") and "0xe9 is not valid UTF-8" in error


def test_binary_file(run_cli, tmp_path):
    path = tmp_path / "random.yaml"
    path.write_bytes(bytes(range(256)) * 4)
    proc = run_cli("validate", path)
    [error] = _assert_clean_failure(proc, str(path))
    assert "not valid UTF-8" in error


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(run_cli, tmp_path):
    path = tmp_path / "secret.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    path.chmod(0)
    try:
        proc = run_cli("validate", path)
    finally:
        path.chmod(0o600)
    [error] = _assert_clean_failure(proc, str(path))
    assert "permission denied" in error


def test_unreadable_file_in_process(monkeypatch, tmp_path):
    """The same through the CLI in-process, with Path.open refusing (works as root too)."""
    from typer.testing import CliRunner

    from advisor.cli import app

    path = tmp_path / "secret.yaml"
    path.write_text("version: 1\n", encoding="utf-8")

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{path}:1:1: permission denied" in result.output


# --- generated inputs that would eat time or memory ---------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(HEAVY))
def test_heavy_input_is_cheap(name, tmp_path):
    make, at, fragment = HEAVY[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(make(), encoding="utf-8")
    proc, _seconds, peak_mb = run_measured(path, tmp_path)  # time: benchmarks/bench_cli.py
    [error] = _assert_clean_failure(proc, str(path))
    assert error.startswith(f"{path}:{at}"), error
    assert fragment in error, error
    assert peak_mb < MEMORY_LIMIT_MB, f"used {peak_mb:.0f} MB"
