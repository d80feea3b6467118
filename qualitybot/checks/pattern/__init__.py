"""Pattern rules: banned words, house-style substitutions, counts and formulas, as Vale writes them.

What it catches
    Whatever an editor writes as a rule, in YAML, with the rule types and keys of
    Vale (https://vale.sh/docs/checks/): ``existence`` (words or regexes that must not
    appear), ``substitution`` (a ``swap`` of bad: good forms), ``occurrence`` (too many
    or too few matches of ``token`` per scope, ``max``/``min``), ``repetition``
    (the same word twice in a row), ``capitalization`` (headings in ``$title`` or
    ``$sentence`` case) and ``metric`` (a ``formula`` over document counts with a
    ``condition``); also Vale's ``conditional`` (an acronym needs its definition),
    ``consistency`` (one spelling of each ``either`` pair) and ``readability``
    (average grade of named formulas). ``sequence``, ``spelling`` and ``script``
    rules load but do not run (``rules validate`` and ``check`` say so). Messages are filled
    as Vale fills them (``%s`` is the match; for substitutions the expected form,
    then the observed one). Style folders that editors already keep for Vale are
    read unchanged with ``import:``.

Fails (``extends: substitution``, ``message: "Use '%s' instead of '%s'."``,
``swap: {utilize: use}``)
    The ministry will utilize the funds next year.
    -> Use 'use' instead of 'utilize'.

Passes
    The ministry will use the funds next year.

Options
    ``extends`` (required) chooses the rule type; ``message``, ``level``
    (suggestion -> info, warning, error; ``severity`` wins), ``scope`` (text, raw,
    paragraph, sentence, heading[.hN], list, blockquote, table; ``~`` negates),
    ``link``, ``description``, ``limit`` and ``action`` apply to every type, as does
    qualitybot's own ``safe_fix: true`` (``check --fix`` may apply the alert's
    suggestion when it is the only one); the keys of
    each type are listed by ``qualitybot rules explain pattern``. Regular expressions
    are Go RE2 syntax and run in linear time; patterns RE2 cannot run (look-arounds,
    back-references) run in a backtracking engine with a time budget (0.25 s per
    rule and 1 s for all rules on one document), and a rule whose pattern exhausts
    it is stopped and reported as ``RULE.timeout``.

Implementation: one module per Vale rule type in this package; ``base`` holds
the keys every rule has and picks the rule type's model from ``extends``;
``regex`` compiles patterns so that none can hang; ``styles`` finds the rule
files of a Vale style folder.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator

# Importing the rule type modules registers them with ValeRule (by their ``extends`` name).
from qualitybot.checks.pattern import (  # noqa: F401
    capitalization,
    conditional,
    consistency,
    existence,
    metric,
    occurrence,
    readability,
    repetition,
    substitution,
    unsupported,
)
from qualitybot.checks.pattern.base import ValeRule as Options
from qualitybot.checks.pattern.regex import (
    BACKTRACKING_BUDGET,
    DOCUMENT_BUDGET,
    DocumentBudget,
    PatternTimeout,
    time_budget,
)
from qualitybot.contract import Hit, Severity
from qualitybot.document import Document

__all__ = ["KINDS", "Options", "check"]

KINDS: dict[str, Severity] = {
    "": "warning",  # the rule's own alerts: rule id as is, severity from `level` unless set
    "timeout": "error",  # the rule's regex backtracked past its budget: the rule needs fixing
}


# The backtracking budget each document has left, shared by all its pattern rules.
_budgets: dict[int, DocumentBudget] = {}


def _budget(doc: Document) -> DocumentBudget:
    budget = _budgets.get(id(doc))
    if budget is None:
        budget = _budgets[id(doc)] = DocumentBudget()
        weakref.finalize(doc, _budgets.pop, id(doc), None)  # before the id can be reused
    return budget


def check(doc: Document, options: Options) -> Iterator[Hit]:
    hits: list[Hit] = []
    try:
        with time_budget(document=_budget(doc)):
            for hit in options.run(doc):
                hits.append(hit)
                if options.limit and len(hits) >= options.limit:
                    break
    except PatternTimeout as exc:
        spent = (
            f"needs backtracking, and the {DOCUMENT_BUDGET:g} s that all pattern rules may spend "
            "backtracking on this document ran out"
            if exc.document
            else f"backtracked for over {BACKTRACKING_BUDGET:g} s on this document"
        )
        hits.append(
            Hit(
                0,
                0,
                f"Rule stopped: its regular expression {exc.args[0]!r} {spent}; "
                "rewrite it without nested repeats or look-arounds (RE2 syntax runs in linear time)",
                kind="timeout",
            )
        )
    yield from hits
