"""``metric``: a ``formula`` over document counts, alerting when ``condition`` holds.

The variables are Vale's: ``words``, ``sentences``, ``characters``, ``paragraphs``,
``syllables``, ``polysyllabic_words``, ``complex_words``, ``long_words``, ``pre``,
``list``, ``blockquote`` and ``heading.h1`` .. ``heading.h6``; ``math.sqrt`` and the
other ``math`` functions may be called. The formula is parsed into a small whitelisted
expression tree, never executed as code.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Iterator
from typing import Any, Literal

import textstat
from pydantic import Field, field_validator

from qualitybot.checks.pattern.base import ValeRule, register
from qualitybot.checks.pattern.message import format_message
from qualitybot.checks.pattern.scopes import heading_level
from qualitybot.contract import Hit
from qualitybot.document import Document
from qualitybot.metrics import prose_text

VARIABLES = (
    "words",
    "sentences",
    "characters",
    "paragraphs",
    "syllables",
    "polysyllabic_words",
    "complex_words",
    "long_words",
    "pre",
    "list",
    "blockquote",
    *(f"heading_h{n}" for n in range(1, 7)),
)
_HEADING_VAR = re.compile(r"heading\.(h[1-6])")
_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)", re.MULTILINE)
_COMPLEX_SUFFIX = re.compile(r"(es|ed|ing)$")


@register
class Metric(ValeRule):
    extends: Literal["metric"]
    formula: str = Field(description="an arithmetic formula of the variables, e.g. words / sentences")
    condition: str = Field(description="when the result alerts, e.g. '> 8.0'")

    @field_validator("formula")
    @classmethod
    def _formula(cls, value: str) -> str:
        parse_expression(_HEADING_VAR.sub(r"heading_\1", value))
        return value

    @field_validator("condition")
    @classmethod
    def _condition(cls, value: str) -> str:
        tree = parse_expression("0 " + value)
        if not isinstance(tree, ast.Compare):
            raise ValueError(f"condition '{value}': expected a comparison such as '> 8.0'")
        return value

    def run(self, doc: Document) -> Iterator[Hit]:
        counts = document_counts(doc)
        if not counts["words"]:
            return
        formula = parse_expression(_HEADING_VAR.sub(r"heading_\1", self.formula))
        try:
            result = float(evaluate(formula, counts))
            fires = evaluate(parse_expression(f"{result!r} {self.condition}"), counts)
        except (ZeroDivisionError, OverflowError, ValueError):
            return  # a formula undefined on this document (no sentences, say) says nothing
        if fires:
            yield Hit(0, 0, format_message(self.message, f"{result:.2f}"))


def parse_expression(source: str) -> ast.expr:
    """Parse and whitelist: numbers, known variables, + - * / %, comparisons, math calls."""
    text = source.replace("&&", " and ").replace("||", " or ").strip()
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        raise ValueError(f"'{source.strip()}' is not an arithmetic expression") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in VARIABLES and node.id != "math":
            raise ValueError(f"unknown variable '{node.id}' (known: {', '.join(VARIABLES)})")
        if isinstance(node, ast.Call) and not _math_function(node.func):
            raise ValueError("only math.NAME(...) functions may be called")
        allowed = (
            ast.Expression,
            ast.BinOp,
            ast.UnaryOp,
            ast.Compare,
            ast.BoolOp,
            ast.Call,
            ast.Name,
            ast.Attribute,
            ast.Constant,
            ast.Load,
            ast.operator,
            ast.unaryop,
            ast.cmpop,
            ast.boolop,
        )
        if not isinstance(node, allowed) or (isinstance(node, ast.operator) and type(node) not in _BINARY):
            raise ValueError(f"'{source.strip()}': {type(node).__name__} is not allowed in a formula")
    return tree


def _math_function(func: ast.expr) -> Callable[..., float] | None:
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "math":
        found = getattr(math, func.attr, None)
        return found if callable(found) else None
    return None


def evaluate(node: ast.expr, counts: dict[str, float]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Name):
        return counts[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](evaluate(node.left, counts), evaluate(node.right, counts))
    if isinstance(node, ast.UnaryOp):
        value = evaluate(node.operand, counts)
        return -value if isinstance(node.op, ast.USub) else (not value if isinstance(node.op, ast.Not) else value)
    if isinstance(node, ast.Compare):
        left = evaluate(node.left, counts)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = evaluate(right_node, counts)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        values = [evaluate(v, counts) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Call):
        func = _math_function(node.func)
        if func is not None:
            return func(*(evaluate(a, counts) for a in node.args))
    raise ValueError(f"cannot evaluate {ast.dump(node)}")


def document_counts(doc: Document) -> dict[str, float]:
    """Vale's metric variables for this document."""
    text = prose_text(doc)
    words = text.split()
    counts: dict[str, float] = dict.fromkeys(VARIABLES, 0.0)
    if not words:
        return counts
    syllables = [textstat.syllable_count(w) for w in words]
    counts.update(
        words=float(textstat.lexicon_count(text)),
        sentences=float(len(doc.sentences)),
        characters=float(textstat.char_count(text)),
        paragraphs=float(len(doc.paragraphs)),
        syllables=float(sum(syllables)),
        polysyllabic_words=float(sum(1 for s in syllables if s > 2)),
        complex_words=float(sum(1 for w in words if textstat.syllable_count(_COMPLEX_SUFFIX.sub("", w)) > 2)),
        long_words=float(sum(1 for w in words if len(w.strip(".,;:!?\"'()")) > 6)),
        pre=float(len(_FENCE.findall(doc.text)) // 2) if doc.format == "markdown" else 0.0,
        list=float(_runs(doc, "list_item")),
        blockquote=float(_runs(doc, "blockquote")),
    )
    for block in doc.blocks:
        if block.kind == "heading":
            counts[f"heading_h{heading_level(doc, block)}"] += 1
    return counts


def _runs(doc: Document, kind: str) -> int:
    """How many separate runs of blocks of a kind (a list of three items is one list)."""
    kinds = [b.kind for b in doc.blocks]
    return sum(1 for i, k in enumerate(kinds) if k == kind and (i == 0 or kinds[i - 1] != kind))
