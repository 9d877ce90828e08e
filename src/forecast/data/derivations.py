"""Derived values: the arithmetic a ``derivation`` states, evaluated and re-checked.

A derived row says how it was computed, e.g. ``{production:China:total:2024} / (1 + 0.24)``;
validation evaluates that expression on the other rows and refuses a value it does not give.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from forecast.data.schema import Key, Row, fail, label

__all__ = ["DERIVATION_TOLERANCE", "check_derivation", "evaluate_derivation"]

#: Derived values are typed to two decimals; the check allows that rounding and no more.
DERIVATION_TOLERANCE = 0.0051

_REF = re.compile(r"\{([a-z0-9_]+):([A-Za-z0-9_]+):([a-z0-9_]+):(\d{4})\}")
_OPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


def evaluate_derivation(expr: str, lookup: Callable[[Key], float | None]) -> float:
    """Evaluate a derivation such as ``{production:China:total:2024} / (1 + 0.24)``.

    References ``{series:region:segment:year}`` are replaced by values from ``lookup``;
    the rest may hold numbers, ``+ - * /`` and parentheses only (parsed with :mod:`ast`,
    never ``eval``).

    Raises
    ------
    KeyError
        A reference has no value.
    ValueError
        The expression is not plain arithmetic.
    """
    values: list[float] = []

    def substitute(match: re.Match[str]) -> str:
        key = (match[1], match[2], match[3], int(match[4]))
        value = lookup(key)
        if value is None:
            raise KeyError(label(key))
        values.append(value)
        return f"_v{len(values) - 1}"

    text = _REF.sub(substitute, expr)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ValueError(f"not an arithmetic expression: {expr}") from None

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id.startswith("_v"):
            return values[int(node.id[2:])]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        raise ValueError(f"not an arithmetic expression: {expr}")

    return walk(tree)


def check_derivation(path: Path, row: Row, res: Mapping[Key, Row]) -> None:
    """Re-compute a derived row from the rows ``res`` resolves to, within the tolerance.

    Raises
    ------
    DataValidationError
        ``derivation-reference`` (a reference without a value), ``derivation-syntax`` (not
        plain arithmetic) or ``derivation-check`` (the expression gives another value).
    """

    def lookup(key: Key) -> float | None:
        ref = res.get(key)
        return None if ref is None else ref.value

    try:
        computed = evaluate_derivation(row.derivation, lookup)
    except KeyError as exc:
        msg = f"the derivation refers to {exc.args[0]}, which has no value"
        fail(path, row.line, "derivation", "derivation-reference", msg)
    except (ValueError, ZeroDivisionError) as exc:
        fail(path, row.line, "derivation", "derivation-syntax", str(exc))
    if abs(computed - row.value) > DERIVATION_TOLERANCE:
        msg = f"value {row.value:g} but its derivation gives {computed:.4g}"
        fail(path, row.line, "value", "derivation-check", msg)
