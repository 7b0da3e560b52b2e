"""The small expression language of rules: arithmetic over indicator codes, parsed once, rendered twice.

``parse("3.3.1.a + 3.3.1.b", known)`` gives a tree; ``evaluate`` computes it in Python over a values
mapping and ``to_excel`` writes the same tree as an Excel formula over defined names. A token that is a
known code is a code; any other number-looking token is a number (so ``100`` is a number in 01b, whose
codes stop at 7).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cchc_xl.model.catalog import name_for

_TOKEN = re.compile(r"\s*(?:([A-Z]+\d+-[0-9]+(?:\.[0-9]+)*(?:\.[a-z])?)|([0-9]+(?:\.[0-9]+)*(?:\.[a-z])?)|(.))")


class ExprError(ValueError):
    pass


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    code: str


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Neg:
    operand: Expr


Expr = Num | Ref | BinOp | Neg


def parse(text: str, known: set[str] | Mapping[str, object]) -> Expr:
    tokens: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(text):
        code, number, other = m.groups()
        if code:
            tokens.append(("ref", code))
        elif number:
            if number in known:
                tokens.append(("ref", number))
            else:
                try:
                    float(number)
                except ValueError:
                    raise ExprError(f"mã '{number}' không có trong mẫu") from None
                tokens.append(("num", number))
        elif other and not other.isspace():
            if other not in "+-*/()":
                raise ExprError(f"ký tự không hợp lệ '{other}' trong '{text}'")
            tokens.append(("op", other))
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise ExprError(f"biểu thức chưa kết thúc: '{text}'")
        pos += 1
        return tokens[pos - 1]

    def expr() -> Expr:
        node = term()
        while (t := peek()) and t[1] in "+-" and t[0] == "op":
            take()
            node = BinOp(t[1], node, term())
        return node

    def term() -> Expr:
        node = factor()
        while (t := peek()) and t[1] in "*/" and t[0] == "op":
            take()
            node = BinOp(t[1], node, factor())
        return node

    def factor() -> Expr:
        kind, value = take()
        if kind == "num":
            return Num(float(value))
        if kind == "ref":
            if value not in known:
                raise ExprError(f"mã '{value}' không có trong mẫu")
            return Ref(value)
        if value == "-":
            return Neg(factor())
        if value == "(":
            node = expr()
            if take() != ("op", ")"):
                raise ExprError(f"thiếu ')' trong '{text}'")
            return node
        raise ExprError(f"không hiểu '{value}' trong '{text}'")

    if not tokens:
        raise ExprError("biểu thức rỗng")
    tree = expr()
    if pos != len(tokens):
        raise ExprError(f"thừa '{tokens[pos][1]}' trong '{text}'")
    return tree


def refs(node: Expr) -> list[str]:
    """Codes read by ``node``, in order of first appearance."""
    out: list[str] = []

    def walk(n: Expr) -> None:
        if isinstance(n, Ref) and n.code not in out:
            out.append(n.code)
        elif isinstance(n, BinOp):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, Neg):
            walk(n.operand)

    walk(node)
    return out


def evaluate(node: Expr, value: Callable[[str], float]) -> float:
    """Evaluate with ``value(code)`` giving each operand (the caller decides what a blank means)."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        return value(node.code)
    if isinstance(node, Neg):
        return -evaluate(node.operand, value)
    a, b = evaluate(node.left, value), evaluate(node.right, value)
    if node.op == "+":
        return a + b
    if node.op == "-":
        return a - b
    if node.op == "*":
        return a * b
    return a / b  # ZeroDivisionError is the caller's "not applicable"


def to_excel(node: Expr, name: Callable[[str], str] = name_for) -> str:
    """The same expression as Excel formula text; blanks read as 0 through N()."""
    if isinstance(node, Num):
        return format(node.value, "g")
    if isinstance(node, Ref):
        return f"N({name(node.code)})"
    if isinstance(node, Neg):
        return f"-({to_excel(node.operand, name)})"
    return f"({to_excel(node.left, name)}{node.op}{to_excel(node.right, name)})"


def to_text(node: Expr) -> str:
    """Readable form for messages: ``3.3.1.a + 3.3.1.b``."""
    if isinstance(node, Num):
        return format(node.value, "g")
    if isinstance(node, Ref):
        return node.code
    if isinstance(node, Neg):
        return f"-{to_text(node.operand)}"
    return f"{to_text(node.left)} {node.op} {to_text(node.right)}"
