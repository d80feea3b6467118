"""Harper (``harper-py``): the embedded, offline grammar engine.

Building a ``Linter`` loads Harper's curated dictionary and takes about a
second, so one linter per dialect is built on first use and kept for the life of
the process. A ``Linter`` is not thread-safe (the bot service may check in
worker threads): every use holds its lock. Harper's spans are code points into
the linted ``str``, so they are offsets into the text we pass without conversion.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable

import harper

from qualitybot.grammar import Issue

DIALECTS: dict[str, harper.Dialect] = {
    "american": harper.Dialect.AMERICAN,
    "british": harper.Dialect.BRITISH,
    "australian": harper.Dialect.AUSTRALIAN,
    "canadian": harper.Dialect.CANADIAN,
    "indian": harper.Dialect.INDIAN,
}

# Harper's lint kinds (``Lint.lint_kind``) mapped to the stable kinds of the grammar check.
KIND_OF_LINT_KIND = {
    "Agreement": "agreement",
    "Repetition": "repetition",
    "Spelling": "spelling",
    "Typo": "typo",
    "BoundaryError": "typo",
    "WordChoice": "word-choice",
    "Eggcorn": "word-choice",
    "Malapropism": "word-choice",
    "Usage": "word-choice",
    "Nonstandard": "word-choice",
    "Grammar": "syntax",
    "Punctuation": "punctuation",
    "Capitalization": "capitalization",
    "Formatting": "formatting",
    "Style": "style",
    "Redundancy": "style",
    "Enhancement": "style",
    "Readability": "style",
    "Regionalism": "style",
    "Miscellaneous": "other",
}
# Rules whose lint kind is too vague for what they catch.
KIND_OF_RULE = {
    "AnA": "article",
    "ModalOf": "verb-form",
    # Agreement rules that are wrong as often as right on edited news ("the rights
    # associated with it are", "there are few, if any, who"): warnings, not errors.
    "PronounInflectionBe": "syntax",
    "ThereIsAgreement": "syntax",
}
# Doubled words that are correct English ("they had had enough", "said that that was").
LEGITIMATE_DOUBLES = frozenset({"had had", "that that"})
# "an HIV test", "a HDTV set", "an historic": acronyms are read as letters or as
# words, and "an h-" is accepted British usage; Harper's a/an rule is wrong on both
# in edited news.
_ARTICLE_EXCEPTION = re.compile(r"\s*(?:[A-Z][A-Z0-9]+\b|[Hh]|['\"‘“])")
# "what I will tell you is that...": Harper reads "you is".
_TELL_YOU = re.compile(r"\b(?:tell|told|show|showed|ask|assure|promise)\s+you\s+$", re.IGNORECASE)


class HarperEngine:
    """One Harper linter for one dialect, shared by every rule that uses that dialect."""

    def __init__(self, dialect: str) -> None:
        self._linter = harper.Linter(DIALECTS[dialect])
        # Rule name -> None (Harper's default); disabled rules are set to False.
        self._defaults: dict[str, bool | None] = dict.fromkeys(self._linter.get_lint_config())
        self._disabled: frozenset[str] = frozenset()
        self._lock = threading.Lock()
        self._known: dict[str, bool] = {}

    @property
    def rule_names(self) -> frozenset[str]:
        return frozenset(self._defaults)

    def knows(self, word: str) -> bool:
        """Whether Harper's dictionary for this dialect has the word (no spelling lint on it)."""
        if word not in self._known:
            with self._lock:
                lints = self._linter.lint(word, language=harper.Language.PLAINTEXT)
            self._known[word] = not any(lint.lint_kind == "Spelling" for lint in lints)
        return self._known[word]

    def lint(self, text: str, disabled_rules: Iterable[str] = ()) -> list[Issue]:
        disabled = frozenset(disabled_rules)
        with self._lock:
            if disabled != self._disabled:
                config = self._defaults | dict.fromkeys(disabled & self._defaults.keys(), False)
                self._linter.set_lint_config(config)
                self._disabled = disabled
            organized = self._linter.organized_lints(text, language=harper.Language.PLAINTEXT)
        issues = []
        for rule, lints in organized.items():
            for lint in lints:
                if _known_false_alarm(rule, lint, text):
                    continue
                kind = KIND_OF_RULE.get(rule) or KIND_OF_LINT_KIND.get(lint.lint_kind, "other")
                issues.append(
                    Issue(
                        lint.span.start,
                        lint.span.end,
                        kind,
                        lint.message,
                        rule,
                        tuple(_replacement(lint, s) for s in lint.suggestions[:5]),
                    )
                )
        return issues


def _known_false_alarm(rule: str, lint: harper.Lint, text: str) -> bool:
    if lint.lint_kind == "Repetition" and " ".join(lint.problem_text.lower().split()) in LEGITIMATE_DOUBLES:
        return True
    if rule == "PronounVerbAgreement" and lint.problem_text in ("is", "was"):
        return _TELL_YOU.search(text, 0, lint.span.start) is not None
    if rule == "AnA":
        return _ARTICLE_EXCEPTION.match(text, lint.span.end) is not None
    return False


def _replacement(lint: harper.Lint, suggestion: harper.Suggestion) -> str:
    """The text that would stand where the lint is once the suggestion is applied."""
    if suggestion.kind == harper.SuggestionKind.INSERT_AFTER:
        return lint.problem_text + suggestion.replacement_text
    return suggestion.replacement_text


_ENGINES: dict[str, HarperEngine] = {}
_ENGINES_LOCK = threading.Lock()


_prestarted: list[threading.Thread] = []


def prestart(dialect: str = "american") -> None:
    """Build a dialect's engine in a background thread, before anything asks for it.

    Harper releases the GIL while it builds, so the command line calls this first
    and imports and reads everything else meanwhile. A fork waits for the thread
    (``os.register_at_fork``), so forked workers never inherit a half-built engine
    or a held lock.
    """
    thread = threading.Thread(target=engine, args=(dialect,), name="harper-prestart", daemon=True)
    _prestarted.append(thread)
    thread.start()


def _join_prestarted() -> None:
    for thread in _prestarted:
        thread.join()


os.register_at_fork(before=_join_prestarted)


def engine(dialect: str) -> HarperEngine:
    """The process-wide Harper engine for a dialect, built on first use."""
    with _ENGINES_LOCK:
        if dialect not in _ENGINES:
            _ENGINES[dialect] = HarperEngine(dialect)
        return _ENGINES[dialect]
