"""``metric``: a ``formula`` over document counts, alerting when ``condition`` holds.

The variables are Vale's: ``words``, ``sentences``, ``characters``, ``paragraphs``,
``syllables``, ``polysyllabic_words``, ``complex_words``, ``long_words``, ``pre``,
``list``, ``blockquote`` and ``heading.h1`` .. ``heading.h6``; the ``math`` functions
of :data:`MATH_FUNCTIONS` (``math.sqrt``, ``math.log``, ...) may be called. A formula
comes from a rules file, which may come from a pull request, so it is never run as
code: it is checked against a whitelist when the rules load (``rules validate``
refuses ``math.factorial(100000000)``), then evaluated by ``simpleeval`` over floats
only, so every number is bounded and every operation takes constant time; a formula
of more than :data:`MAX_FORMULA` characters is refused.
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
from simpleeval import InvalidExpression, SimpleEval

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
MAX_FORMULA = 500  # characters of a formula or condition
# Functions of floats that run in constant time (math.factorial, math.comb, ... do not).
MATH_FUNCTIONS = (
    "sqrt", "cbrt", "exp", "log", "log10", "log2", "log1p", "pow", "ceil", "floor", "trunc",
    "fabs", "hypot", "fmod", "sin", "cos", "tan", "asin", "acos", "atan", "atan2",
)  # fmt: skip


def _on_floats(function: Callable[..., Any]) -> Callable[..., float]:
    """Arguments and result as floats: a huge int can neither go in nor come out."""
    return lambda *args: float(function(*(float(a) for a in args)))


_BINARY: dict[type[ast.AST], Callable[..., float]] = {
    ast.Add: _on_floats(operator.add),
    ast.Sub: _on_floats(operator.sub),
    ast.Mult: _on_floats(operator.mul),
    ast.Div: _on_floats(operator.truediv),
    ast.Mod: _on_floats(operator.mod),
}
_OPERATORS: dict[type[ast.AST], Callable[..., Any]] = {
    **_BINARY,
    ast.USub: _on_floats(operator.neg),
    ast.UAdd: _on_floats(operator.pos),
    ast.Not: operator.not_,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCTIONS = {f"math_{name}": _on_floats(getattr(math, name)) for name in MATH_FUNCTIONS}
_MATH_CALL = re.compile(r"\bmath\.(?=[A-Za-z_])")
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
        try:
            result = float(evaluate(_HEADING_VAR.sub(r"heading_\1", self.formula), counts))
            fires = math.isfinite(result) and evaluate(f"{result!r} {self.condition}", counts)
        except (ZeroDivisionError, OverflowError, ValueError):
            return  # a formula undefined on this document (no sentences, say) says nothing
        if fires:
            yield Hit(0, 0, format_message(self.message, f"{result:.2f}"))


def parse_expression(source: str) -> ast.expr:
    """Parse and whitelist: numbers, known variables, + - * / %, comparisons, math calls."""
    if len(source) > MAX_FORMULA:
        raise ValueError(f"longer than {MAX_FORMULA} characters")
    text = source.replace("&&", " and ").replace("||", " or ").strip()
    try:
        tree = ast.parse(text, mode="eval").body
    except (SyntaxError, RecursionError, MemoryError):
        raise ValueError(f"'{source.strip()}' is not an arithmetic expression") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in VARIABLES and node.id != "math":
            raise ValueError(f"unknown variable '{node.id}' (known: {', '.join(VARIABLES)})")
        if isinstance(node, ast.Attribute) and not _math_function(node):
            raise ValueError(
                f"'{ast.unparse(node)}' is not allowed in a formula "
                f"(functions: {', '.join('math.' + name for name in MATH_FUNCTIONS)})"
            )
        if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Attribute) or node.keywords):
            raise ValueError("only math.NAME(...) functions may be called, without keywords")
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float) or not _finite(node.value)
        ):
            raise ValueError("a formula holds numbers only, each below 1e308")
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


def _math_function(node: ast.Attribute) -> bool:
    return isinstance(node.value, ast.Name) and node.value.id == "math" and node.attr in MATH_FUNCTIONS


def _finite(value: float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int beyond any float
        return False


def evaluate(source: str, counts: dict[str, float]) -> Any:
    """The value of a formula that :func:`parse_expression` accepted, by simpleeval, over floats."""
    parse_expression(source)  # the whitelist, whatever the caller did
    text = _MATH_CALL.sub("math_", source.replace("&&", " and ").replace("||", " or ").strip())
    evaluator = SimpleEval(operators=_OPERATORS, functions=_FUNCTIONS, names=counts)
    try:
        return evaluator.eval(text)
    except InvalidExpression as exc:
        raise ValueError(str(exc)) from None


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
