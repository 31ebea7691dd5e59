"""Performance work must not change a byte of output: every example, the mixed app fixture and a generated
200-flow workload (the benchmark's own mix of triggers, chains, consumers and steps) give the outputs recorded
in tests/fixtures/golden/outputs.json, in every format of `recommend` and `cost`.

The record holds one SHA-256 per (file, command) so that it stays small; it was written from main before the
engine, architecture model and formatters were optimised. When an output changes on purpose, rewrite it with
``python tests/test_golden_output.py --write`` and say why in the commit.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advisor.cli import app

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
RECORD = TESTS / "fixtures" / "golden" / "outputs.json"
GENERATED_FLOWS = 200
COMMANDS = {
    "recommend json": ["recommend", "{file}", "-f", "json"],
    "recommend yaml": ["recommend", "{file}", "-f", "yaml"],
    "recommend markdown": ["recommend", "{file}", "-f", "markdown"],
    "recommend markdown explain": ["recommend", "{file}", "-f", "markdown", "--explain"],
    "recommend json cost": ["recommend", "{file}", "-f", "json", "--cost"],
    "cost json": ["cost", "{file}", "-f", "json"],
    "cost markdown detail": ["cost", "{file}", "-f", "markdown", "--detail"],
    "recommend table": ["recommend", "{file}", "-f", "table"],
    "recommend table explain": ["recommend", "{file}", "-f", "table", "--explain"],
    "diagram": ["diagram", "{file}"],
}


def _bench_workload(flows: int) -> str:
    """The benchmark's generator (benchmarks/bench_cli.py), so that the golden file is the shape measured."""
    spec = importlib.util.spec_from_file_location("bench_cli", REPO / "benchmarks" / "bench_cli.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.workload(flows)


def _inputs(tmp: Path) -> dict[str, Path]:
    files = {f"examples/{p.name}": p for p in sorted((REPO / "examples").glob("*.yaml"))}
    files.update({f"apps/{p.name}": p for p in sorted((TESTS / "fixtures" / "apps").glob("*.yaml"))})
    generated = tmp / f"bench-{GENERATED_FLOWS}.yaml"
    generated.write_text(_bench_workload(GENERATED_FLOWS), encoding="utf-8")
    files[f"bench-{GENERATED_FLOWS}"] = generated
    return files


def _digest(file: Path, argv: list[str]) -> str:
    """The output and the exit code (a table of the 200-flow workload is refused: that must stay so too)."""
    result = CliRunner().invoke(app, [a.replace("{file}", str(file)) for a in argv])
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{argv} {file}: {result.exception!r}"
    return hashlib.sha256(result.stdout_bytes + f"exit {result.exit_code}".encode()).hexdigest()


def _record(tmp: Path) -> dict[str, str]:
    return {f"{name} | {command}": _digest(path, argv)
            for name, path in _inputs(tmp).items() for command, argv in COMMANDS.items()}


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_outputs_are_byte_identical_to_the_record(tmp_path):
    expected = json.loads(RECORD.read_text(encoding="utf-8"))
    actual = _record(tmp_path)
    assert sorted(actual) == sorted(expected), "the set of recorded cases changed: rewrite the record"
    changed = [key for key in expected if actual[key] != expected[key]]
    assert not changed, f"output changed for: {changed}"


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_golden_output.py --write")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        RECORD.write_text(json.dumps(_record(Path(tmp)), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RECORD}")
