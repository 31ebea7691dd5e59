"""Conditions as data: ``all`` / ``any`` / ``not`` around ``fact`` / ``operator`` / ``value`` leaves.

A value is a literal, ``{fact: name}`` (another fact of the flow) or ``{limit: name}`` (a fixed AWS limit of
advisor/data/limits.yaml, checked when the rule loads and read when the condition is compiled).

Evaluation returns the whole tree annotated with each leaf's actual value
and every node's result (no short-circuit), which is what explanations,
evidence and the JSON trace are built from.
"""
from __future__ import annotations

import operator
from typing import Any, Callable, Iterator

from .operators import OPERATORS
from .operators import _num as is_number

Resolver = Callable[[str], Any]


def limit_value(value: dict) -> float:
    """The number behind ``value: {limit: name}`` (advisor/data/limits.yaml)."""
    from .catalog import limit

    return limit(value["limit"])


def leaves(cond: dict) -> Iterator[dict]:
    """Every leaf of a condition tree, in order."""
    for key in ("all", "any"):
        if key in cond:
            for sub in cond[key]:
                yield from leaves(sub)
            return
    if "not" in cond:
        yield from leaves(cond["not"])
        return
    yield cond


def facts_used(cond: dict) -> list[str]:
    """Facts named by a condition, on the left and as ``value: {fact: ...}``."""
    out: list[str] = []
    for leaf in leaves(cond):
        out.append(leaf["fact"])
        value = leaf.get("value")
        if isinstance(value, dict) and "fact" in value:
            out.append(value["fact"])
    return out


def evaluate(cond: dict, resolve: Resolver) -> dict:
    """The condition tree with ``result`` on every node and ``actual`` on every leaf."""
    for key, combine in (("all", all), ("any", any)):
        if key in cond:
            subs = [evaluate(sub, resolve) for sub in cond[key]]
            return {key: subs, "result": combine(s["result"] for s in subs)}
    if "not" in cond:
        sub = evaluate(cond["not"], resolve)
        return {"not": sub, "result": not sub["result"]}
    actual = resolve(cond["fact"])
    expected = cond.get("value")
    node = {"fact": cond["fact"], "operator": cond["operator"]}
    if isinstance(expected, dict) and "fact" in expected:
        node["value"] = {"fact": expected["fact"], "actual": resolve(expected["fact"])}
        expected = node["value"]["actual"]
    elif isinstance(expected, dict) and "limit" in expected:
        node["value"] = {"limit": expected["limit"], "actual": limit_value(expected)}
        expected = node["value"]["actual"]
    elif "value" in cond:
        node["value"] = expected
    op = OPERATORS[cond["operator"]]
    node["actual"] = actual
    node["result"] = bool(op.fn(actual, expected))
    return node


def compile_condition(cond: dict) -> Callable[[Resolver], bool]:
    """A fast, short-circuiting test of the condition.

    The engine runs it on every rule for every flow and builds the full
    evidence tree with :func:`evaluate` only for rules that fire, so large
    workloads stay linear and quick while fired rules keep complete evidence.
    """
    if "all" in cond:
        subs = [compile_condition(sub) for sub in cond["all"]]
        if len(subs) == 1:
            return subs[0]

        def all_of(resolve: Resolver) -> bool:
            for test in subs:
                if not test(resolve):
                    return False
            return True
        return all_of
    if "any" in cond:
        subs = [compile_condition(sub) for sub in cond["any"]]

        def any_of(resolve: Resolver) -> bool:
            for test in subs:
                if test(resolve):
                    return True
            return False
        return any_of
    if "not" in cond:
        sub = compile_condition(cond["not"])
        return lambda resolve: not sub(resolve)
    fn = OPERATORS[cond["operator"]].fn
    name = cond["fact"]
    expected = cond.get("value")
    if isinstance(expected, dict) and "fact" in expected:
        other = expected["fact"]
        return lambda resolve: bool(fn(resolve(name), resolve(other)))
    if isinstance(expected, dict) and "limit" in expected:
        expected = limit_value(expected)
    return _leaf_test(cond["operator"], name, expected) or (lambda resolve: bool(fn(resolve(name), expected)))


_COMPARE = {"greater_than": operator.gt, "greater_than_or_equal": operator.ge, "less_than": operator.lt,
            "less_than_or_equal": operator.le}


def _leaf_test(op: str, name: str, expected: Any) -> Callable[[Resolver], bool] | None:
    """The same test as ``OPERATORS[op].fn`` with ``expected`` a literal, for the forms the catalog uses
    most, with the operator's type checks on the literal done once here (rules are tested ~100 times a flow);
    None for any other form. Each returns exactly what the generic operator returns for every value a fact
    may have."""
    if op == "equal" and expected.__class__ is str:
        return lambda resolve: resolve(name) == expected  # only a str equals a str: None and bools never do
    if op == "equal" and expected.__class__ is bool:
        return lambda resolve: resolve(name) is expected
    if op == "in" and expected.__class__ is list:
        options = tuple(expected)

        def in_list(resolve: Resolver) -> bool:
            actual = resolve(name)
            return actual is not None and actual in options
        return in_list
    if op in ("exists", "not_exists"):
        given = op == "exists"
        return lambda resolve: (resolve(name) is not None) is given
    if op in _COMPARE and is_number(expected):
        compare = _COMPARE[op]

        def numeric(resolve: Resolver) -> bool:
            actual = resolve(name)
            return isinstance(actual, (int, float)) and actual.__class__ is not bool and compare(actual, expected)
        return numeric
    return None
