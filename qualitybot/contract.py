"""The contract between the engine and the checks: what a check receives and what it yields.

A check module (listed in :data:`qualitybot.checks.CHECK_MODULES`) defines:

- a docstring: its user documentation (what it catches and why, an example
  that fails and one that passes, its options);
- ``Options``: a subclass of :class:`CheckOptions` declaring every option with
  its type, default and allowed range (pydantic fields);
- ``KINDS``: the kinds of finding it reports, each with its default severity
  (a hit of kind ``empty`` from rule ``quotes`` becomes finding ``quotes.empty``);
- ``SAFE_FIXES`` (optional): the kinds whose suggestion can be applied without a
  human looking (``check --fix``), when a hit has exactly one; a suggestion always
  replaces the hit's whole span;
- ``check(doc, options)``: yields :class:`Hit` objects with character offsets
  into ``doc.text``, and :class:`Note` objects for what concerns the whole run
  rather than a place ("LanguageTool was unreachable; checked with Harper");
  the Document is immutable, so a check never writes to it;
- or, for a check that judges the others' findings (a second-stage check such as
  ``fluency``), ``judge(doc, options, earlier)`` instead of ``check``: the engine
  runs it after every other check and hands it their findings as
  :class:`Earlier` records (after severities and suppressions were applied); it
  returns a :class:`Judgement`, its hits and the figures it adds to the
  document's metrics.

Checks never read YAML, format reports or touch the network: the engine adds
rule id, severity, line/column, suppression and verdict. This module imports
nothing of qualitybot but the Document, so reports, formatters and the checks
can all depend on it without depending on each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from qualitybot.document import Document, Span

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
#: Kinds the engine reports for any check, added to every check's own KINDS:
#: ``timeout``, the check ran past the document's time budget (see qualitybot.budget).
ENGINE_KINDS: dict[str, Severity] = {"timeout": "error"}


class CheckOptions(BaseModel):
    """Base of every check's options: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def default_severities(self) -> dict[str, Severity]:
        """Severity per kind when the rules file sets no ``severity`` (pattern rules: Vale's ``level``)."""
        return {}

    def safe_fix_kinds(self) -> frozenset[str]:
        """Kinds this rule's own options declare safe to fix, beyond the check's ``SAFE_FIXES``."""
        return frozenset()


class CheckUnavailable(Exception):
    """A check cannot run as configured (an engine it needs is missing or unreachable).

    A configuration problem, not a bug: the CLI reports the message and exits 2.
    """


@dataclass(frozen=True)
class Elsewhere:
    """A place in another document (an earlier article in the archive): its id or path, 1-based range."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Hit:
    """One problem a check found: where (offsets into ``Document.text``) and why."""

    start: int
    end: int
    message: str
    kind: str = ""
    suggestions: tuple[str, ...] = ()
    related: tuple[Span | Elsewhere, ...] = ()  # earlier copies: in this document, or elsewhere


@dataclass(frozen=True)
class Note:
    """What a check tells the reader about how the document was checked; it is no finding."""

    text: str


@dataclass(frozen=True)
class Earlier:
    """A finding of a first-stage check, as a second-stage check sees it."""

    check: str
    rule: str
    severity: Severity
    start: int
    end: int


@dataclass(frozen=True)
class Judgement:
    """What a second-stage check returns: its hits and the figures for the document's metrics."""

    hits: tuple[Hit, ...] = ()
    metrics: Mapping[str, float] = field(default_factory=dict)


Judge = Callable[[Document, CheckOptions, Sequence[Earlier]], Judgement]


@dataclass(frozen=True)
class CheckSpec:
    """What the engine knows of a check module."""

    name: str
    doc: str
    options: type[CheckOptions]
    kinds: Mapping[str, Severity]
    run: Callable[[Document, CheckOptions], Iterable[Hit | Note]] = field(repr=False)
    warm_up: Callable[[CheckOptions], None] | None = field(default=None, repr=False)
    safe_fixes: frozenset[str] = frozenset()
    #: Set for a second-stage check (``run`` then yields nothing).
    judge: Judge | None = field(default=None, repr=False)
