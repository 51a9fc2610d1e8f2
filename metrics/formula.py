"""Evaluate a KPI formula (``a / b * 100``) over columns of measures, carrying null reasons.

A value is null (NaN) only with a reason: the source has no rows in scope, or a
denominator is zero. Never 0 in place of "unknown".
"""

from __future__ import annotations

import ast
from functools import cache

import numpy as np
import pandas as pd

from i18n import _

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)


@cache
def parse(formula: str) -> ast.expr:
    """Parse and check a formula: names, numbers, + - * / and parentheses only."""
    tree = ast.parse(formula, mode="eval").body
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and not isinstance(node.op, _BINOPS):
            raise ValueError(f"Operator not allowed in formula {formula!r}")
        if not isinstance(node, (ast.BinOp, ast.Name, ast.Constant, ast.Load, *_BINOPS)):
            raise ValueError(f"Formula {formula!r} may use only names, numbers and + - * /")
    return tree


def measure_names(formula: str) -> list[str]:
    """The measure names a formula uses, in order of appearance."""
    return list(dict.fromkeys(n.id for n in ast.walk(parse(formula)) if isinstance(n, ast.Name)))


def evaluate(
    formula: str,
    values: pd.DataFrame,
    missing: dict[str, pd.Series],
    labels: dict[str, str],
) -> tuple[pd.Series, pd.Series]:
    """Evaluate ``formula`` row-wise.

    ``values`` has a column per measure; ``missing[name]`` is a Series of reasons
    (or None) per row for measures whose source has no rows in scope.
    Returns (value, reason); reason is None where value is set.
    """
    index = values.index

    def walk(node: ast.expr) -> tuple[pd.Series, pd.Series]:
        if isinstance(node, ast.Constant):
            return pd.Series(float(node.value), index=index), pd.Series(None, index=index, dtype=object)
        if isinstance(node, ast.Name):
            reason = missing[node.id]
            value = values[node.id].astype(float).where(reason.isna())
            return value, reason
        left, left_reason = walk(node.left)
        right, right_reason = walk(node.right)
        reason = left_reason.where(left_reason.notna(), right_reason)
        if isinstance(node.op, ast.Add):
            return left + right, reason
        if isinstance(node.op, ast.Sub):
            return left - right, reason
        if isinstance(node.op, ast.Mult):
            return left * right, reason
        zero = right.eq(0) & reason.isna()
        name = ast.unparse(node.right)
        reason = reason.where(~zero, _("{measure} is zero").format(measure=labels.get(name, name)))
        return (left / right.replace(0, np.nan)), reason

    value, reason = walk(parse(formula))
    reason = reason.where(value.isna(), None)
    return value, reason
