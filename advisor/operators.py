"""The operators rule conditions may use: one table, each checks its input type.

A type mismatch (a number compared with text, a missing fact) makes the
operator false rather than raising, so a rule stays quiet unless the
workload states the fact (json-rules-engine's convention).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _cmp(fn: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    return lambda a, b: _num(a) and _num(b) and fn(a, b)


def _in(a: Any, b: Any) -> bool:
    return isinstance(b, (list, tuple)) and a is not None and a in b


def _contains(a: Any, b: Any) -> bool:
    if isinstance(a, str):
        return isinstance(b, str) and b in a
    return isinstance(a, (list, tuple)) and b in a


def _not_contains(a: Any, b: Any) -> bool:
    if isinstance(a, str):
        return isinstance(b, str) and b not in a
    return isinstance(a, (list, tuple)) and b not in a


MAX_PATTERN = 1000  # characters of a `matches` pattern: RE2's memory for a compiled pattern grows with it


@lru_cache(maxsize=256)
def safe_pattern(pattern: str):
    """``pattern`` compiled with RE2, whose matching time is linear in the text (Python's ``re`` backtracks,
    and a pattern like ``(a+)+$`` from a user rule could take years). Raises ``ValueError`` saying why a
    pattern is refused: too long, or not RE2 syntax (backreferences and lookarounds are not)."""
    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"the pattern has {len(pattern):,} characters, more than {MAX_PATTERN:,}")
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"not a pattern advisor can match safely: {detail}") from None


def _matches(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and safe_pattern(b).search(a) is not None


def _finite_number(x: Any) -> bool:
    return _num(x) and math.isfinite(x)


def check_value(operator: str, value: Any, unit: str | None) -> tuple[str, str, str | None] | None:
    """What is wrong with a rule leaf's ``value`` for ``operator`` and a fact of ``unit``, as
    (message, expected, hint), or None. Run when rules load, so that no rule fails when it runs."""
    if isinstance(value, dict):
        if len(value) == 1 and isinstance(value.get("fact", value.get("limit")), str):
            return None
        return ("a value that is a mapping must be {fact: name} or {limit: name}",
                "{fact: <a fact name>}, {limit: <a limit name>} or a literal", None)
    if operator == "matches":
        if not isinstance(value, str):
            return f"'matches' needs a pattern (text), not {value!r}", "a regular expression in quotes", None
        try:
            safe_pattern(value)
        except ValueError as exc:
            return str(exc), "an RE2 regular expression", "see https://github.com/google/re2/wiki/Syntax"
        return None
    if operator.startswith(("greater", "less")):
        if not _finite_number(value):
            return f"'{operator}' compares numbers, not {value!r}", "a finite number", None
        return None
    if operator in ("in", "not_in"):
        if not isinstance(value, list):
            return f"'{operator}' needs a list, not {value!r}", "a list, e.g. [api, queue]", None
        return None
    if operator in ("contains", "not_contains") and unit == "text" and not isinstance(value, str):
        return f"'{operator}' looks for text in a text fact, not {value!r}", "a value in quotes", None
    if isinstance(value, float) and not math.isfinite(value):
        return f"the value {value!r} is not a finite number", "a finite number", None
    return None


@dataclass(frozen=True)
class Operator:
    name: str
    fn: Callable[[Any, Any], bool]
    takes_value: bool
    text: str  # how a sentence says it


OPERATORS: dict[str, Operator] = {op.name: op for op in [
    Operator("equal", lambda a, b: a is not None and isinstance(a, bool) == isinstance(b, bool) and a == b, True,
             "is"),
    Operator("not_equal", lambda a, b: a is not None and a != b, True, "is not"),
    Operator("in", _in, True, "is one of"),
    Operator("not_in", lambda a, b: a is not None and isinstance(b, (list, tuple)) and a not in b, True,
             "is not one of"),
    Operator("contains", _contains, True, "contains"),
    Operator("not_contains", _not_contains, True, "does not contain"),
    Operator("greater_than", _cmp(lambda a, b: a > b), True, ">"),
    Operator("greater_than_or_equal", _cmp(lambda a, b: a >= b), True, ">="),
    Operator("less_than", _cmp(lambda a, b: a < b), True, "<"),
    Operator("less_than_or_equal", _cmp(lambda a, b: a <= b), True, "<="),
    Operator("exists", lambda a, b: a is not None, False, "is given"),
    Operator("not_exists", lambda a, b: a is None, False, "is not given"),
    Operator("matches", _matches, True, "matches"),
]}
