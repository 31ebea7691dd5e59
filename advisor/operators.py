"""The operators rule conditions may use: one table, each checks its input type.

A type mismatch (a number compared with text, a missing fact) makes the
operator false rather than raising, so a rule stays quiet unless the
workload states the fact (json-rules-engine's convention).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _cmp(fn: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    return lambda a, b: _num(a) and _num(b) and fn(a, b)


def _in(a: Any, b: Any) -> bool:
    return isinstance(b, (list, tuple)) and a is not None and a in b


def _contains(a: Any, b: Any) -> bool:
    return isinstance(a, (list, tuple, str)) and b in a


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
    Operator("not_contains", lambda a, b: isinstance(a, (list, tuple, str)) and b not in a, True, "does not contain"),
    Operator("greater_than", _cmp(lambda a, b: a > b), True, ">"),
    Operator("greater_than_or_equal", _cmp(lambda a, b: a >= b), True, ">="),
    Operator("less_than", _cmp(lambda a, b: a < b), True, "<"),
    Operator("less_than_or_equal", _cmp(lambda a, b: a <= b), True, "<="),
    Operator("exists", lambda a, b: a is not None, False, "is given"),
    Operator("not_exists", lambda a, b: a is None, False, "is not given"),
    Operator("matches", lambda a, b: isinstance(a, str) and re.search(b, a) is not None, True, "matches"),
]}
