"""The one place that says where the shared example cases live, and how they are scored.

The cases are a copy of the project's ``shared/examples`` (workload + expected decisions), kept in
``tests/fixtures/shared_examples`` so that the suite runs the same in any clone;
``tests/test_shared_examples_drift.py`` says when the copy differs from ``../shared/examples``.
``score`` is the scoring of ``shared/tools/score_examples.py``, including ``entry: {follows: FLOW}``.
"""
from __future__ import annotations

from pathlib import Path

import yaml

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "shared_examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
if not EXAMPLE_FILES:  # a broken checkout must fail loudly, never turn into skipped tests
    raise RuntimeError(f"no example cases in {EXAMPLES}")

# score_examples.py: the entries that match the channel chosen for the followed flow
ENTRY_FOR_CHANNEL = {
    "eventbridge": {"eventbridge-rule", "sqs-poll"},
    "eventbridge-sns": {"sns-subscription", "sqs-poll"},
    "sns": {"sns-subscription", "sqs-poll"},
    "sns-sqs": {"sqs-poll"},
    "sqs": {"sqs-poll"},
    "sqs-fifo": {"sqs-poll"},
    "sns-fifo": {"sqs-poll"},
    "kinesis": {"kinesis-poll"},
    "dynamodb-streams": {"dynamodb-stream-poll"},
}


def example_path(stem: str) -> Path:
    """The case file ``STEM.yaml`` (e.g. ``e02-shop``); a missing one is an error, not a skip."""
    path = EXAMPLES / f"{stem}.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"no example case {stem!r} in {EXAMPLES}")
    return path


def load_case(stem_or_path: str | Path) -> dict:
    """The case (``workload`` and ``expect``) of a stem or a path."""
    path = stem_or_path if isinstance(stem_or_path, Path) else example_path(stem_or_path)
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def score(case: dict, rec: dict) -> tuple[int, int, list[str]]:
    """The decisions of ``rec`` that match the case's expectations (score_examples.py's rules)."""
    flows = {f["name"]: f["decisions"] for f in rec["flows"]}
    matched, total, misses = 0, 0, []
    for flow, wanted in case["expect"].items():
        for decision, ok in wanted.items():
            total += 1
            got = flows.get(flow, {}).get(decision, {}).get("choice")
            if isinstance(ok, dict) and "follows" in ok:
                ok = ENTRY_FOR_CHANNEL.get(flows.get(ok["follows"], {}).get("channel", {}).get("choice"), set())
            ok = {ok} if isinstance(ok, str) else set(ok)
            if got in ok:
                matched += 1
            else:
                misses.append(f"{flow}.{decision} = {got!r}, expected one of {sorted(ok)}")
    return matched, total, misses
