"""Our own structural check of Amazon States Language definitions.

No offline validator catches a ``Next`` that names a missing state, a state
nobody can reach, or a Task without error handling (sam-validation.md §8b),
so the generator checks every definition it writes, at run time.
"""
from __future__ import annotations

from typing import Any

_TERMINAL = {"Succeed", "Fail"}


def _targets(state: dict) -> list[str]:
    out = []
    if "Next" in state:
        out.append(state["Next"])
    if "Default" in state:
        out.append(state["Default"])
    for choice in state.get("Choices", []) or []:
        if isinstance(choice, dict) and "Next" in choice:
            out.append(choice["Next"])
    for catcher in state.get("Catch", []) or []:
        if isinstance(catcher, dict) and "Next" in catcher:
            out.append(catcher["Next"])
    return out


def check(definition: Any, where: str = "definition") -> list[str]:
    """Problems in one (possibly nested) state machine definition, as sentences."""
    if not isinstance(definition, dict):
        return [f"{where}: not a JSON object"]
    states = definition.get("States")
    start = definition.get("StartAt")
    if not isinstance(states, dict) or not states:
        return [f"{where}: no States"]
    problems: list[str] = []
    if start not in states:
        problems.append(f"{where}: StartAt {start!r} is not a state")
    for name, state in states.items():
        if not isinstance(state, dict):
            problems.append(f"{where}: state {name!r} is not an object")
            continue
        kind = state.get("Type")
        for target in _targets(state):
            if target not in states:
                problems.append(f"{where}: state {name!r} goes to missing state {target!r}")
        if kind == "Task":
            if not state.get("Retry"):
                problems.append(f"{where}: Task {name!r} has no Retry")
            if not state.get("Catch"):
                problems.append(f"{where}: Task {name!r} has no Catch")
        if kind == "Choice":
            if not state.get("Choices"):
                problems.append(f"{where}: Choice {name!r} has no Choices")
        elif kind not in _TERMINAL and not state.get("End") and "Next" not in state:
            problems.append(f"{where}: state {name!r} neither ends nor has Next")
        for i, branch in enumerate(state.get("Branches", []) or []):
            problems.extend(check(branch, f"{where}/{name}/branch{i}"))
        if "ItemProcessor" in state:
            problems.extend(check(state["ItemProcessor"], f"{where}/{name}/ItemProcessor"))
    # reachability from StartAt
    seen: set[str] = set()
    todo = [start] if start in states else []
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        state = states.get(current)
        if isinstance(state, dict):
            todo.extend(t for t in _targets(state) if t in states)
    for name in states:
        if name not in seen:
            problems.append(f"{where}: state {name!r} is unreachable from StartAt")
    return problems
