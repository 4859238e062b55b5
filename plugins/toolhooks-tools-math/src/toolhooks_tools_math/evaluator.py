"""A safe arithmetic evaluator: ``ast.parse`` and a walk over a whitelist of nodes, never ``eval``.

Every resource is bounded before it is spent: the expression's length, the syntax tree's depth
and size, the size of every integer (checked *before* a power or a product is computed, so
``9**9**9`` is refused in microseconds), and the wall-clock time of the walk.
"""

from __future__ import annotations

import ast
import difflib
import math
import operator
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from toolhooks import InvalidArguments, ToolError

__all__ = ["CONSTANTS", "FUNCTIONS", "Limits", "evaluate"]

Number = int | float

#: Named constants the expression may use.
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau}

_LN2 = math.log(2)


@dataclass(frozen=True, slots=True)
class Limits:
    """The bounds one evaluation runs under (see ``MathSettings``)."""

    max_length: int = 1000
    max_depth: int = 40
    max_nodes: int = 1000
    max_int_digits: int = 1000
    max_seconds: float = 1.0

    @property
    def max_int_bits(self) -> int:
        # digits -> bits, rounded up: a number with this many bits has at most ~max_int_digits
        return math.ceil(self.max_int_digits * math.log2(10))


class _Budget:
    __slots__ = ("deadline", "limits")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise ToolError(
                f"The calculation took longer than {self.limits.max_seconds:g} s and was stopped.",
                suggestion="Split the calculation into smaller steps.",
            )


def _too_big(limits: Limits, what: str = "an intermediate integer") -> ToolError:
    return ToolError(
        f"The calculation was refused: {what} would have more than {limits.max_int_digits} digits.",
        type="refused",
        suggestion="Use smaller numbers, or a float (write 9.0 instead of 9) to get an "
        "approximate result in scientific notation.",
    )


def _check_int(value: Number, limits: Limits) -> Number:
    if isinstance(value, int) and value.bit_length() > limits.max_int_bits:
        raise _too_big(limits)
    return value


def _check_float(value: Number) -> Number:
    if isinstance(value, float) and not math.isfinite(value):
        raise ToolError(
            "The result is outside the range of floating-point numbers (overflow or NaN).",
            suggestion="Use smaller numbers or rewrite the expression (for example with log).",
        )
    return value


def _pow(base: Number, exp: Number, limits: Limits) -> Number:
    if isinstance(base, int) and isinstance(exp, int) and exp > 0 and abs(base) > 1:
        # bits of the result ~ exp * log2|base|: refuse before computing anything
        estimated_bits = exp * (base.bit_length() - 1)
        if estimated_bits > limits.max_int_bits:
            raise _too_big(limits, "the result of the power")
    if isinstance(base, int) and isinstance(exp, int) and exp < 0 and base == 0:
        raise ToolError(
            "Division by zero: 0 cannot be raised to a negative power.",
            suggestion="Check the base and the exponent.",
        )
    try:
        result = base**exp
    except OverflowError:
        raise ToolError(
            "The result of the power is too large for a floating-point number.",
            suggestion="Use smaller numbers, or compute the logarithm of the result instead.",
        ) from None
    except ZeroDivisionError:
        raise ToolError(
            "Division by zero: 0 cannot be raised to a negative power.",
            suggestion="Check the base and the exponent.",
        ) from None
    if isinstance(result, complex):
        raise ToolError(
            "A negative number raised to a fractional power has no real result.",
            suggestion="Only real numbers are supported; check the sign of the base.",
        )
    return result


def _mul(a: Number, b: Number, limits: Limits) -> Number:
    if (
        isinstance(a, int)
        and isinstance(b, int)
        and a.bit_length() + b.bit_length() - 1 > limits.max_int_bits
    ):
        raise _too_big(limits, "the product")
    return a * b


def _div(op: Callable[[Number, Number], Number], symbol: str) -> Callable[[Number, Number], Number]:
    def run(a: Number, b: Number) -> Number:
        if b == 0:
            raise ToolError(
                f"Division by zero in '{symbol}'.",
                suggestion="Check the divisor; the expression divides by an expression that "
                "equals 0.",
            )
        try:
            return op(a, b)
        except OverflowError:
            raise ToolError(
                "The quotient is too large for a floating-point number.",
                suggestion="Use // for an exact integer quotient.",
            ) from None

    return run


_BINARY: dict[type[ast.operator], tuple[str, Callable[..., Number]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Div: ("/", _div(operator.truediv, "/")),
    ast.FloorDiv: ("//", _div(operator.floordiv, "//")),
    ast.Mod: ("%", _div(operator.mod, "%")),
}

_NOT_SUPPORTED_OPS: dict[type[ast.AST], str] = {
    ast.BitXor: "'^' is bitwise XOR in this syntax, not a power; write a**b for powers",
    ast.BitAnd: "bitwise '&' is not supported",
    ast.BitOr: "bitwise '|' is not supported",
    ast.LShift: "'<<' is not supported",
    ast.RShift: "'>>' is not supported",
    ast.MatMult: "'@' is not supported",
    ast.Invert: "'~' is not supported",
    ast.Not: "'not' is not supported",
}


# -- functions -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Function:
    fn: Callable[..., Any]
    min_args: int
    max_args: int | None  # None: any number
    signature: str
    ints_only: bool = False


def _log(x: Number, base: Number | None = None) -> float:
    if base is None:
        return math.log(x)
    if base <= 0 or base == 1:
        raise ValueError("bad base")
    return math.log(x, base)


def _round(x: Number, ndigits: int | None = None) -> Number:
    if ndigits is None:
        return round(x)
    if not isinstance(ndigits, int):
        raise ToolError(
            "round(x, ndigits): ndigits must be an integer.",
            type="invalid_arguments",
            suggestion="Write round(x) or round(x, 2).",
        )
    if abs(ndigits) > 400:
        raise ToolError(
            "round(x, ndigits): ndigits must be between -400 and 400.",
            type="invalid_arguments",
        )
    return round(x, ndigits)


#: The functions the expression may call.
FUNCTIONS: dict[str, _Function] = {
    "sqrt": _Function(math.sqrt, 1, 1, "sqrt(x)"),
    "cbrt": _Function(math.cbrt, 1, 1, "cbrt(x)"),
    "exp": _Function(math.exp, 1, 1, "exp(x)"),
    "log": _Function(_log, 1, 2, "log(x) natural, log(x, base)"),
    "ln": _Function(math.log, 1, 1, "ln(x)"),
    "log10": _Function(math.log10, 1, 1, "log10(x)"),
    "log2": _Function(math.log2, 1, 1, "log2(x)"),
    "sin": _Function(math.sin, 1, 1, "sin(x) in radians"),
    "cos": _Function(math.cos, 1, 1, "cos(x) in radians"),
    "tan": _Function(math.tan, 1, 1, "tan(x) in radians"),
    "asin": _Function(math.asin, 1, 1, "asin(x)"),
    "acos": _Function(math.acos, 1, 1, "acos(x)"),
    "atan": _Function(math.atan, 1, 1, "atan(x)"),
    "atan2": _Function(math.atan2, 2, 2, "atan2(y, x)"),
    "sinh": _Function(math.sinh, 1, 1, "sinh(x)"),
    "cosh": _Function(math.cosh, 1, 1, "cosh(x)"),
    "tanh": _Function(math.tanh, 1, 1, "tanh(x)"),
    "degrees": _Function(math.degrees, 1, 1, "degrees(radians)"),
    "radians": _Function(math.radians, 1, 1, "radians(degrees)"),
    "hypot": _Function(math.hypot, 1, None, "hypot(x, y, ...)"),
    "abs": _Function(abs, 1, 1, "abs(x)"),
    "round": _Function(_round, 1, 2, "round(x) or round(x, ndigits)"),
    "floor": _Function(math.floor, 1, 1, "floor(x)"),
    "ceil": _Function(math.ceil, 1, 1, "ceil(x)"),
    "trunc": _Function(math.trunc, 1, 1, "trunc(x)"),
    "min": _Function(min, 1, None, "min(a, b, ...)"),
    "max": _Function(max, 1, None, "max(a, b, ...)"),
    "factorial": _Function(math.factorial, 1, 1, "factorial(n), n a non-negative integer", True),
    "gcd": _Function(math.gcd, 1, None, "gcd(a, b, ...) of integers", True),
    "lcm": _Function(math.lcm, 1, None, "lcm(a, b, ...) of integers", True),
    "comb": _Function(math.comb, 2, 2, "comb(n, k) of integers", True),
    "perm": _Function(math.perm, 2, 2, "perm(n, k) of integers", True),
}


def _factorial_digits(n: int) -> float:
    # log10(n!) via lgamma: how many digits n! has, without computing it
    return math.lgamma(n + 1) / math.log(10) if n > 1 else 1.0


def _check_call_size(name: str, args: list[Number], limits: Limits) -> None:
    """Refuse integer functions whose result would be too big, before computing them."""
    if name == "factorial":
        n = args[0]
        if isinstance(n, int) and n > 0 and _factorial_digits(n) > limits.max_int_digits:
            raise _too_big(limits, f"factorial({n})")
    elif name in ("comb", "perm"):
        n, k = args
        if isinstance(n, int) and isinstance(k, int) and 0 <= k <= n:
            # log10 of n!/(n-k)! bounds both perm and comb
            digits = (math.lgamma(n + 1) - math.lgamma(n - k + 1)) / math.log(10)
            if digits > limits.max_int_digits:
                raise _too_big(limits, f"{name}({n}, {k})")
    elif name == "lcm":
        bits = sum(a.bit_length() for a in args if isinstance(a, int))
        if bits > limits.max_int_bits:
            raise _too_big(limits, "the lcm")


def _call(name: str, args: list[Number], limits: Limits) -> Number:
    spec = FUNCTIONS[name]
    if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
        raise InvalidArguments(
            f"{name}() got {len(args)} argument{'s' if len(args) != 1 else ''}.",
            suggestion=f"Call it as {spec.signature}.",
        )
    if spec.ints_only and not all(isinstance(a, int) for a in args):
        raise InvalidArguments(
            f"{name}() takes integers only.",
            suggestion=f"Call it as {spec.signature}; use floor() or round() to get integers.",
        )
    _check_call_size(name, args, limits)
    try:
        result = spec.fn(*args)
    except ToolError:
        raise
    except ValueError:
        raise ToolError(
            f"Math domain error: {name}() is not defined for {', '.join(_show(a) for a in args)}.",
            suggestion=_domain_hint(name),
        ) from None
    except OverflowError:
        raise ToolError(
            f"The result of {name}() is too large for a floating-point number.",
            suggestion="Use smaller numbers, or work with logarithms.",
        ) from None
    if not isinstance(result, int | float) or isinstance(result, bool):
        raise ToolError(f"{name}() did not return a real number.")
    return result


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _domain_hint(name: str) -> str:
    hints = {
        "sqrt": "sqrt needs x >= 0 (only real results are supported).",
        "log": "log needs x > 0, and a base > 0 other than 1.",
        "ln": "ln needs x > 0.",
        "log10": "log10 needs x > 0.",
        "log2": "log2 needs x > 0.",
        "asin": "asin needs -1 <= x <= 1.",
        "acos": "acos needs -1 <= x <= 1.",
        "factorial": "factorial needs a non-negative integer.",
        "comb": "comb(n, k) needs non-negative integers.",
        "perm": "perm(n, k) needs non-negative integers.",
    }
    return hints.get(name, "Check the function's arguments.")


# -- the walk ------------------------------------------------------------------------------


def _parse(expression: str, limits: Limits) -> ast.expr:
    text = expression.strip()
    if not text:
        raise InvalidArguments(
            "The expression is empty.", suggestion="Pass an expression such as '2 * (3 + 4)'."
        )
    if len(expression) > limits.max_length:
        raise InvalidArguments(
            f"The expression is {len(expression)} characters long; the limit is "
            f"{limits.max_length}.",
            suggestion="Split the calculation into several smaller ones.",
        )
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset else ""
        raise InvalidArguments(
            f"The expression is not valid arithmetic syntax{where}.",
            suggestion="Use numbers, + - * / // % **, parentheses, and functions like sqrt(x); "
            "write powers as a**b and multiplication explicitly (2*x, not 2x).",
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise InvalidArguments(
            "The expression is nested too deeply or is otherwise too complex to parse.",
            suggestion="Simplify the expression or split it into steps.",
        ) from None
    _check_shape(tree.body, limits)
    return tree.body


def _check_shape(root: ast.expr, limits: Limits) -> None:
    """Depth and size of the tree, iteratively (no recursion on untrusted depth)."""
    stack: list[tuple[ast.AST, int]] = [(root, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += isinstance(node, ast.expr)  # operators are not parts of their own
        if depth > limits.max_depth:
            raise InvalidArguments(
                f"The expression is nested more than {limits.max_depth} levels deep.",
                suggestion="Simplify the expression or split it into steps.",
            )
        if count > limits.max_nodes:
            raise InvalidArguments(
                f"The expression has more than {limits.max_nodes} parts.",
                suggestion="Split the calculation into several smaller ones.",
            )
        for child in ast.iter_child_nodes(node):
            # a left-associative chain (1 + 2 + 3 ...) is evaluated in a loop, not by recursion:
            # its left operand does not count as a level
            same_level = isinstance(node, ast.BinOp) and child is node.left
            stack.append((child, depth if same_level else depth + 1))


def _unknown_name(name: str) -> InvalidArguments:
    known = sorted([*CONSTANTS, *FUNCTIONS])
    close = difflib.get_close_matches(name.lower(), known, n=3)
    hint = f"Did you mean {', '.join(close)}? " if close else ""
    return InvalidArguments(
        f"Unknown name {name!r}: variables are not supported.",
        suggestion=f"{hint}Constants: {', '.join(CONSTANTS)}. Functions: "
        f"{', '.join(sorted(FUNCTIONS))}.",
    )


def _binop(node: ast.BinOp, left: Number, right: Number, limits: Limits) -> Number:
    op_type = type(node.op)
    if op_type in _NOT_SUPPORTED_OPS:
        raise InvalidArguments(
            f"Operator not supported: {_NOT_SUPPORTED_OPS[op_type]}.",
            suggestion="Use + - * / // % ** and parentheses.",
        )
    try:
        if op_type is ast.Pow:
            result = _pow(left, right, limits)
        elif op_type is ast.Mult:
            result = _mul(left, right, limits)
        else:
            _, fn = _BINARY[op_type]
            result = fn(left, right)
    except OverflowError:  # a big integer mixed with a float: int -> float conversion overflows
        raise ToolError(
            "An integer in the calculation is too large to combine with a floating-point number.",
            suggestion="Use smaller numbers, or keep the calculation in integers.",
        ) from None
    return _check_float(_check_int(result, limits))


def _walk(node: ast.AST, budget: _Budget) -> Number:
    budget.tick()
    limits = budget.limits
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidArguments(
                f"Only real numbers are supported, got {type(value).__name__} "
                f"{_show(value) if isinstance(value, int | float | complex) else ''}".rstrip()
                + ".",
                suggestion="Use integers and decimals such as 42 or 3.14 (no strings, no 1j).",
            )
        return _check_float(_check_int(value, limits))  # 1e309 reads as inf
    if isinstance(node, ast.BinOp):
        # walk down the left spine iteratively, then apply the operators bottom-up
        spine: list[ast.BinOp] = []
        current: ast.expr = node
        while isinstance(current, ast.BinOp):
            spine.append(current)
            current = current.left
        value = _walk(current, budget)
        for binop in reversed(spine):
            value = _binop(binop, value, _walk(binop.right, budget), limits)
        return value
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.USub):
            return -_walk(node.operand, budget)
        if isinstance(node.op, ast.UAdd):
            return +_walk(node.operand, budget)
        raise InvalidArguments(
            f"Operator not supported: {_NOT_SUPPORTED_OPS.get(type(node.op), 'unknown')}.",
            suggestion="Use + - * / // % ** and parentheses.",
        )
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise InvalidArguments(
                f"{node.id} is a function: call it with parentheses.",
                suggestion=f"Write {FUNCTIONS[node.id].signature}.",
            )
        raise _unknown_name(node.id)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise InvalidArguments(
                "Only the built-in functions can be called, by name.",
                suggestion=f"Functions: {', '.join(sorted(FUNCTIONS))}.",
            )
        name = node.func.id
        if name not in FUNCTIONS:
            raise _unknown_name(name)
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise InvalidArguments(
                f"{name}() takes positional arguments only.",
                suggestion=f"Call it as {FUNCTIONS[name].signature}.",
            )
        args = [_walk(a, budget) for a in node.args]
        return _check_float(_check_int(_call(name, args, limits), limits))
    what = {
        ast.Compare: "comparisons",
        ast.BoolOp: "'and'/'or'",
        ast.IfExp: "conditional expressions",
        ast.Attribute: "attribute access",
        ast.Subscript: "indexing",
        ast.Lambda: "lambdas",
        ast.List: "lists",
        ast.Tuple: "tuples (a stray comma?)",
    }.get(type(node), type(node).__name__)
    raise InvalidArguments(
        f"Not supported in an arithmetic expression: {what}.",
        suggestion="Use numbers, + - * / // % **, parentheses, the constants "
        f"{', '.join(CONSTANTS)} and the functions {', '.join(sorted(FUNCTIONS))}.",
    )


def evaluate(expression: str, limits: Limits | None = None) -> Number:
    """Evaluate *expression* within *limits*.

    :raises InvalidArguments: the expression is malformed, too long or too deep, or uses
        something outside the whitelist.
    :raises ToolError: division by zero, a domain error, an overflow, a result too large
        (``type="refused"``), or the time limit.
    """
    limits = limits or Limits()
    tree = _parse(expression, limits)
    budget = _Budget(limits)
    try:
        return _check_float(_walk(tree, budget))  # never NaN/Infinity: not JSON
    except RecursionError:  # cannot happen within max_depth, but never leak it
        raise InvalidArguments(
            "The expression is nested too deeply.", suggestion="Split it into steps."
        ) from None
    except ValueError:
        # int -> str conversions past Python's digit limit and similar: refuse cleanly
        raise _too_big(limits, "a number") from None
