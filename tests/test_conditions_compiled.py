"""The compiled test of a condition leaf (conditions.compile_condition, with its fast forms for literal values)
gives exactly what the operator table (operators.OPERATORS) gives, for every kind of value a fact may have."""
from __future__ import annotations

import pytest

from advisor.conditions import compile_condition
from advisor.operators import OPERATORS

ACTUALS = [None, True, False, 0, 1, 2, -1, 0.5, 1.0, 3.7, 1e300, "", "sqs", "lambda", "1", [], ["sqs"], ("a",),
           {"k": 1}]
EXPECTED = {
    "equal": ["sqs", "", "1", True, False, 1, 0, 1.0, None],
    "not_equal": ["sqs", True, 1],
    "in": [["sqs", "sns"], [1, 2], [True], [], [None, "x"], ("sqs",)],
    "not_in": [["sqs"], []],
    "contains": ["sqs", 1],
    "greater_than": [0, 1, 0.5, -1, 1e300, True, "1", None],
    "greater_than_or_equal": [0, 1, 2.5, False],
    "less_than": [0, 1, 0.5, True, "a"],
    "less_than_or_equal": [1, 3.7, None],
    "exists": [None],
    "not_exists": [None],
}


@pytest.mark.parametrize("operator", sorted(EXPECTED))
def test_compiled_leaf_matches_the_operator_table(operator):
    fn = OPERATORS[operator].fn
    for expected in EXPECTED[operator]:
        test = compile_condition({"fact": "x", "operator": operator, "value": expected})
        for actual in ACTUALS:
            got = test(lambda name, actual=actual: actual)
            assert got is bool(fn(actual, expected)), (operator, expected, actual)
