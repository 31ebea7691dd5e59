"""How much advisor accepts, and why: every size limit on an input, in one place (AWS's own limits, like
CloudFormation's resources per template, are data in data/limits.yaml).

Each limit is a size no real system needs, chosen so that everything below it finishes in a few seconds
(benchmarks/bench_cli.py measures the shapes), and above it advisor says so at once instead of working for
minutes. The README's "Limits" section lists them with the figures.
"""
from __future__ import annotations

MAX_FLOWS = 20_000
"""Flows in one workload file. The design size is 10,000 flows (recommend -f json in under 5 s of CPU and
500 MB, see the benchmark); twice that takes twice as long and as much memory (10 s, 920 MB). A file
with more describes many systems: split it by bounded context."""

TABLE_FLOWS = 500
"""Flows shown by ``recommend --format table``. Each flow is a table of ~20 terminal lines drawn by rich (about
10 ms a flow); 500 flows are 10,000 lines, more than anyone reads in a terminal. Markdown, JSON and YAML take
any size; ``--flow NAME`` shows one flow of a larger file."""

INIT_FLOWS = 1_000
"""Flows in an ``advisor init --answers`` file. init is a questionnaire: every answer is checked against the
flows before it, which grows with the square of the flows (1,000 flows take about 2 s). A larger workload is
written as YAML directly and checked with ``advisor validate``."""

ADR_FLOWS = 250
"""Flows ``advisor adr`` writes records for: about four records a flow, each written and synced to disk (1,000
records take a few seconds); a decision log of thousands of records is no log anyone reads. Split
the workload file, one per bounded context."""

MAX_CONSUMERS = 10_000
"""Consumers of one flow (``consumers`` or ``fan_out``). Each is a queue or subscription, a hop in every output
and a handler in the app; ``fan_out: 1000000000`` would make a billion of them. No organisation has 10,000
consumer contexts for one event."""



def cfn_max_resources() -> int:
    """Resources CloudFormation accepts in one template (``cloudformation_resources`` in data/limits.yaml, with
    its source). ``scaffold`` refuses a workload whose app could not deploy as one stack, before rendering it."""
    from .catalog import limit

    return int(limit("cloudformation_resources"))


def too_many(workload, what: str, count: int, limit: int, why: str, hint: str):
    """The problem of a size over its limit, at the workload's ``flows`` (a ``Problem``)."""
    from .errors import Problem

    return Problem(f"{count:,} {what}: more than the {limit:,} advisor accepts {why}",
                   workload.locations.get(("flows",)), "flows", f"at most {limit:,}", hint)
