"""The engine: runs each enabled rule's check over a Document and builds the report."""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

from qualitybot.checks import registry
from qualitybot.config import Rule, RuleSet
from qualitybot.contract import CheckSpec, CheckUnavailable, Elsewhere, Hit
from qualitybot.document import Document, Span
from qualitybot.metrics import document_metrics
from qualitybot.report import DocumentReport, Finding, Place
from qualitybot.suppress import silences

if TYPE_CHECKING:
    from qualitybot.archive import Archive

EXCERPT_BEFORE = 40
EXCERPT_AFTER = 20


class CheckFailed(Exception):
    """A check raised: a bug in qualitybot, reported as an internal error (exit 3)."""


class Engine:
    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        checks = registry()
        self.rules: list[tuple[Rule, CheckSpec]] = [
            (rule, checks[rule.check]) for rule in ruleset.rules.values() if rule.enabled
        ]
        self._warming: threading.Thread | None = None

    def start_warm_up(self) -> None:
        """Start the checks' engines (Harper: about a second) in the background.

        Engines that release the GIL while they start overlap with reading and
        parsing the first document. A check that then needs its engine waits for it.
        """
        if self._warming is None:
            self._warming = threading.Thread(target=self._warm_up, name="qualitybot-warm-up", daemon=True)
            self._warming.start()

    def wait_warm_up(self) -> None:
        """Wait for warm-up; call before forking workers, which then inherit warm engines."""
        if self._warming is not None:
            self._warming.join()

    def _warm_up(self) -> None:
        if self.ruleset.archive is not None:
            with contextlib.suppress(Exception):  # a bad archive is reported when a document is checked
                _archive(self.ruleset.archive.location).warm_up()
        for rule, spec in self.rules:
            if spec.warm_up is not None:
                # A failing start is reported when the check itself runs.
                with contextlib.suppress(Exception):
                    spec.warm_up(rule.options)

    def check(self, doc: Document) -> DocumentReport:
        if doc.archive is None and self.ruleset.archive is not None:
            doc.archive = _archive(self.ruleset.archive.location)
        quiet = silences(doc)
        findings: list[Finding] = []
        for rule, spec in self.rules:
            try:
                hits = list(spec.run(doc, rule.options))
            except CheckUnavailable:
                raise  # a configuration problem (exit 2), not a bug
            except Exception as exc:  # a check's bug must name the check, not crash the batch
                raise CheckFailed(f"check '{spec.name}' (rule '{rule.id}') failed on {doc.path}: {exc!r}") from exc
            for hit in hits:
                if hit.kind not in spec.kinds:
                    # Kinds are part of a check's contract (rules files set their severities).
                    raise CheckFailed(f"check '{spec.name}' reported kind {hit.kind!r}, which it does not declare")
                rule_id = f"{rule.id}.{hit.kind}" if hit.kind else rule.id
                severity = rule.severity_of(hit.kind, spec)
                if severity == "off" or any(s.covers(rule_id, hit.start) for s in quiet):
                    continue
                findings.append(_finding(doc, spec.name, rule_id, severity, hit))
        findings.sort(key=lambda f: (f.line, f.column, f.rule))
        return DocumentReport(doc.path, findings, document_metrics(doc), list(doc.notes))


def _archive(location: str) -> Archive:
    """The archive of earlier articles the rules file names (opened once per process).

    ArchiveError, a CheckUnavailable, says why it cannot be used.
    """
    from qualitybot.archive import open_archive  # numpy and datasketch load only when an archive is used

    return open_archive(location)


def _place(doc: Document, span: Span) -> Place:
    start = max(0, min(span.start, len(doc.text)))
    end = max(start, min(span.end, len(doc.text)))
    line, column = doc.line_col(start)
    end_line, end_column = doc.line_col(end)
    return Place(line, column, end_line, end_column)


def _finding(doc: Document, check: str, rule_id: str, severity: str, hit: Hit) -> Finding:
    place = _place(doc, Span(hit.start, hit.end))
    return Finding(
        check=check,
        rule=rule_id,
        severity=severity,  # type: ignore[arg-type]  # "off" was filtered out above
        message=hit.message,
        line=place.line,
        column=place.column,
        end_line=place.end_line,
        end_column=place.end_column,
        excerpt=excerpt(doc.text, hit.start, hit.end),
        suggestions=hit.suggestions,
        related=tuple(
            Place(r.line, r.column, r.end_line, r.end_column, r.path) if isinstance(r, Elsewhere) else _place(doc, r)
            for r in hit.related
        ),
    )


def excerpt(text: str, start: int, end: int) -> str:
    """The finding with a little context from its line, ``...`` where the line was cut."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    left = max(line_start, start - EXCERPT_BEFORE)
    right = min(line_end, max(end, start + 1) + EXCERPT_AFTER)
    body = text[left:right].replace("\t", " ")
    return ("..." if left > line_start else "") + body + ("..." if right < line_end else "")
