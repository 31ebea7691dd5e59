"""Who owns which file of a generated app.

The generator owns everything it writes (template.yaml, state machine definitions, the adapters
src/<function>/app.py, the shared module, sample events, the adapters' tests, config, README): an
update keeps them in step with the workload, merging a hand edit three ways.

The team owns its business logic and its tests of it, once they exist: ``src/<function>/logic.py``
and ``tests/test_<function>_logic.py`` (TypeScript: ``src/<function>/logic.ts`` and
``tests/<function>.logic.test.ts``). advisor creates them once, then never writes, merges or
checks them again: editing them is never drift.
"""
from __future__ import annotations

import re

TEAM_OWNED = (re.compile(r"src/[^/]+/logic\.(py|ts)"), re.compile(r"tests/test_[^/]+_logic\.py"),
              re.compile(r"tests/[^/]+\.logic\.test\.ts"))


def team_owned(path: str) -> bool:
    return any(p.fullmatch(path) for p in TEAM_OWNED)


def split(files: dict) -> tuple[set[str], set[str]]:
    """(generator-owned, team-owned) paths of a rendered app."""
    team = {p for p in files if team_owned(p)}
    return set(files) - team, team
