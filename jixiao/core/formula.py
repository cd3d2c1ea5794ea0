"""Evaluate a formula as a document writes it, e.g. "（在职人员数÷编制数）×100%",
with the figures the same document gives for its terms.

Used to check a stated rate by the document's own formula, whatever the profile
says. Only + − × ÷ and brackets; every term must be one of the given inputs.
"""

from __future__ import annotations

import re
from decimal import Decimal, DivisionByZero, InvalidOperation

from .numbers import normalize

_OPS = {"+": "+", "-": "-", "−": "-", "×": "*", "*": "*", "÷": "/", "/": "/"}


def evaluate_formula(text: str, inputs: dict[str, Decimal]) -> Decimal | None:
    """The formula's value as a ratio (a trailing "×100%" is dropped), or None when a term is unknown."""
    inputs = {_unquote(k): v for k, v in inputs.items()}
    segments = [seg for seg in _unquote(normalize(text)).split("=") if _has_terms(seg, inputs)]
    if not segments:
        return None
    expr = segments[-1]
    expr = re.sub(r"[×*]\s*100\s*%", "", expr)
    tokens = _tokenize(expr, inputs)
    if tokens is None:
        return None
    try:
        value, pos = _expr(tokens, 0)
    except (IndexError, ValueError, DivisionByZero, InvalidOperation, ZeroDivisionError):
        return None
    return value if pos == len(tokens) else None


def _unquote(text: str) -> str:
    return re.sub(r"[“”\"'‘’]", "", text)


def _has_terms(expr: str, inputs: dict[str, Decimal]) -> bool:
    return any(name in expr for name in inputs)


def _tokenize(expr: str, inputs: dict[str, Decimal]) -> list | None:
    names = sorted(inputs, key=len, reverse=True)
    tokens: list = []
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            tokens.append(ch)
            i += 1
            continue
        if ch in _OPS:
            tokens.append(_OPS[ch])
            i += 1
            continue
        m = re.match(r"\d+(?:\.\d+)?", expr[i:])
        if m:
            tokens.append(Decimal(m.group(0)))
            i += m.end()
            continue
        for name in names:
            if expr.startswith(name, i):
                tokens.append(inputs[name])
                i += len(name)
                break
        else:
            return None  # a term the document gives no figure for
    return tokens


def _expr(tokens: list, pos: int) -> tuple[Decimal, int]:
    value, pos = _term(tokens, pos)
    while pos < len(tokens) and tokens[pos] in ("+", "-"):
        op = tokens[pos]
        rhs, pos = _term(tokens, pos + 1)
        value = value + rhs if op == "+" else value - rhs
    return value, pos


def _term(tokens: list, pos: int) -> tuple[Decimal, int]:
    value, pos = _atom(tokens, pos)
    while pos < len(tokens) and tokens[pos] in ("*", "/"):
        op = tokens[pos]
        rhs, pos = _atom(tokens, pos + 1)
        value = value * rhs if op == "*" else value / rhs
    return value, pos


def _atom(tokens: list, pos: int) -> tuple[Decimal, int]:
    tok = tokens[pos]
    if tok == "(":
        value, pos = _expr(tokens, pos + 1)
        if tokens[pos] != ")":
            raise ValueError("unbalanced")
        return value, pos + 1
    if tok == "-":
        value, pos = _atom(tokens, pos + 1)
        return -value, pos
    if isinstance(tok, Decimal):
        return tok, pos + 1
    raise ValueError(f"unexpected {tok!r}")
