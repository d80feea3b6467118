"""Regular expressions from rule files, compiled so that no pattern can hang the gate.

Vale's patterns are Go RE2 syntax, so they are compiled with RE2 (``google-re2``):
linear time, no catastrophic backtracking, same syntax and the same ASCII ``\\b``
as Vale. Vale also accepts look-arounds and back-references (it falls back to a
backtracking engine for them); those patterns are compiled with the ``regex``
module instead and every search runs under a time budget, so a pathological one
stops with :class:`PatternTimeout` instead of hanging. The budget is twofold: one
rule's searches over one document share :data:`BACKTRACKING_BUDGET`, and all rules'
backtracking searches over one document share :data:`DOCUMENT_BUDGET`, so that 200
slow rules cost a document one second, not fifty.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import re2
import regex

# Seconds that backtracking patterns may take, all searches of one rule over one document.
BACKTRACKING_BUDGET = 0.25
# Seconds that backtracking patterns may take, all searches of all rules over one document.
DOCUMENT_BUDGET = 1.0
_deadline: ContextVar[float | None] = ContextVar("deadline", default=None)
_shared: ContextVar[DocumentBudget | None] = ContextVar("document_budget", default=None)


@dataclass
class DocumentBudget:
    """Seconds of backtracking left for one document, whatever the rule spending them."""

    left: float = DOCUMENT_BUDGET

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # errors are reported as rules-file messages, not on stderr


class PatternError(ValueError):
    """A pattern that compiles in neither engine; the message says why."""


class PatternTimeout(Exception):
    """A backtracking pattern ran out of its time budget; ``args[0]`` is the pattern.

    ``document`` is true when the document's shared budget ran out (perhaps spent
    by other rules), false when the rule's own did.
    """

    def __init__(self, source: str, document: bool = False) -> None:
        super().__init__(source)
        self.document = document


@contextmanager
def time_budget(seconds: float = BACKTRACKING_BUDGET, document: DocumentBudget | None = None) -> Iterator[None]:
    """Searches of backtracking patterns inside share ``seconds`` and spend ``document``'s."""
    token = _deadline.set(time.monotonic() + seconds)
    shared = _shared.set(document)
    try:
        yield
    finally:
        _shared.reset(shared)
        _deadline.reset(token)


def _remaining(source: str) -> float:
    deadline = _deadline.get()
    remaining = BACKTRACKING_BUDGET if deadline is None else deadline - time.monotonic()
    if remaining <= 0:
        raise PatternTimeout(source)
    document = _shared.get()
    if document is not None and document.left <= 0:
        raise PatternTimeout(source, document=True)
    return remaining if document is None else min(remaining, document.left)


@contextmanager
def _spending(source: str) -> Iterator[float]:
    """The timeout for one backtracking search; its time is taken from the document's budget."""
    timeout = _remaining(source)
    started = time.monotonic()
    try:
        yield timeout
    except TimeoutError:
        document = _shared.get()
        raise PatternTimeout(source, document=document is not None and document.left <= timeout) from None
    finally:
        if (document := _shared.get()) is not None:
            document.left -= time.monotonic() - started


@dataclass(frozen=True)
class Match:
    """One match: its span in the searched string and its groups' spans ((-1, -1) if unset)."""

    start: int
    end: int
    groups: tuple[tuple[int, int], ...]

    def group(self, text: str, index: int) -> str:
        start, end = self.groups[index - 1]
        return text[start:end] if start >= 0 else ""


@dataclass(frozen=True)
class Pattern:
    """A compiled pattern and the engine that runs it."""

    source: str
    engine: str  # "re2" (linear time) or "regex" (backtracking, time-limited)
    compiled: Any
    groups: int

    def finditer(self, text: str) -> Iterator[Match]:
        """Every non-overlapping match, as Go's FindAll does; raises PatternTimeout."""
        if self.engine == "re2":
            for m in self.compiled.finditer(text):
                yield Match(m.start(), m.end(), tuple(m.span(i) for i in range(1, self.groups + 1)))
            return
        with _spending(self.source) as timeout:
            found = list(self.compiled.finditer(text, timeout=timeout))
        for m in found:
            yield Match(m.start(), m.end(), tuple(m.span(i) for i in range(1, self.groups + 1)))

    def search(self, text: str) -> bool:
        return next(iter(self.finditer(text)), None) is not None

    def fullmatch(self, text: str) -> bool:
        if self.engine == "re2":
            return self.compiled.fullmatch(text) is not None
        with _spending(self.source) as timeout:
            return self.compiled.fullmatch(text, timeout=timeout) is not None


@lru_cache(maxsize=4096)
def compile_pattern(source: str) -> Pattern:
    """Compile once per process; RE2 first, the backtracking engine only when RE2 refuses."""
    try:
        compiled = re2.compile(source, _RE2_OPTIONS)
        return Pattern(source, "re2", compiled, compiled.groups)
    except re2.error as exc:
        re2_error = _reason(exc)
    try:
        fallback = regex.compile(source, regex.VERSION0)
    except regex.error:
        raise PatternError(f"invalid regular expression {source!r}: {re2_error}") from None
    return Pattern(source, "regex", fallback, fallback.groups)


def _reason(exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
