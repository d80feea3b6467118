"""The engine: runs each enabled rule's check over a Document and builds the report."""

from __future__ import annotations

import contextlib
import dataclasses
import heapq
import threading
from collections import Counter
from typing import TYPE_CHECKING

import pathspec

from qualitybot.budget import TimeBudget, run_until
from qualitybot.budget import now as budget_clock
from qualitybot.checks import registry
from qualitybot.config import Rule, RuleSet
from qualitybot.contract import CheckSpec, CheckUnavailable, Earlier, Elsewhere, Hit, Note
from qualitybot.document import Document, Span
from qualitybot.fix import safe_place
from qualitybot.metrics import document_metrics
from qualitybot.report import DocumentReport, Finding, Place
from qualitybot.suppress import Silence, UnknownRule, silences, unknown_rules, without_comments

if TYPE_CHECKING:
    from qualitybot.archive import Archive

EXCERPT_BEFORE = 40
EXCERPT_AFTER = 20


Kept = tuple[str, str, str, Hit, bool]  # check, rule id, severity, hit, fixable

class CheckFailed(Exception):
    """A check raised: a bug in qualitybot, reported as an internal error (exit 3)."""


# Findings listed per rule id and document; a document with more (a run of 100,000
# quotes) gets a note with the count instead: the report stays readable and small.
MAX_FINDINGS_PER_RULE = 1000
# A check that starts after the document's budget is spent still gets this share of it.
LATE_SHARE = 0.05


class Engine:
    def __init__(self, ruleset: RuleSet, time_budget: TimeBudget | None = None) -> None:
        self.ruleset = ruleset
        self.time_budget = time_budget or ruleset.time_budget
        checks = registry()
        self.rules: list[tuple[Rule, CheckSpec]] = [
            (rule, checks[rule.check]) for rule in ruleset.rules.values() if rule.enabled
        ]
        self._warming: threading.Thread | None = None
        self._files: dict[str, pathspec.GitIgnoreSpec] = {}
        # What suppression comments may name: every rule and kind of finding of the rules
        # file, and every check's (an article may be checked with other rules files).
        named = [(rule.id, checks[rule.check]) for rule in ruleset.rules.values()]
        named += [(spec.name, spec) for spec in checks.values()]
        self.known_ids = list(
            dict.fromkeys(f"{name}.{kind}" if kind else name for name, spec in named for kind in ("", *spec.kinds))
        )
        self.vale_rules = frozenset(rule.id for rule, _ in self.rules if rule.check == "pattern")
        # Vale rules keep their link and description (SARIF helpUri, JSON).
        self._links = {
            rule.id: (getattr(rule.options, "link", ""), getattr(rule.options, "description", ""))
            for rule, _ in self.rules
            if getattr(rule.options, "link", "") or getattr(rule.options, "description", "")
        }

    def _with_link(self, finding: Finding) -> Finding:
        if finding.rule not in self._links:
            return finding
        link, description = self._links[finding.rule]
        return dataclasses.replace(finding, link=link, description=description)

    def _runs_on(self, rule: Rule, path: str) -> bool:
        """A rule with ``files:`` globs (from a .vale.ini section) runs on matching documents only."""
        if rule.id not in self._files:
            self._files[rule.id] = pathspec.GitIgnoreSpec.from_lines(rule.files)
        return self._files[rule.id].match_file(path)

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
        # One thread per engine: Harper builds without the GIL while another check
        # loads its lexicon on the other core.
        threads = [
            threading.Thread(target=_quiet_warm_up, args=(spec, rule), name=f"qualitybot-warm-up-{spec.name}")
            for rule, spec in self.rules
            if spec.warm_up is not None
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def check(self, doc: Document) -> DocumentReport:
        silence_list = silences(doc, self.vale_rules)
        unknown = [_unknown_rule_finding(doc, u) for u in unknown_rules(doc, self.known_ids)]
        archive = doc.archive
        if archive is None and self.ruleset.archive is not None:
            archive = _archive(self.ruleset.archive.location)
        # The comments themselves are never checked.
        doc = dataclasses.replace(doc, prose=without_comments(doc), archive=archive)
        kept: list[Kept] = []
        check_notes: list[str] = []
        budget = self.time_budget.seconds(len(doc.prose.split()))
        started = budget_clock()
        for rule, spec in self.rules:
            if rule.files and not self._runs_on(rule, doc.path):
                continue
            if spec.judge is not None:
                continue  # second stage, below
            deadline = None
            if budget is not None:
                deadline = max(started + budget, budget_clock() + LATE_SHARE * budget)
            try:
                hits, stopped = run_until(deadline, lambda: spec.run(doc, rule.options))  # noqa: B023
            except CheckUnavailable:
                raise  # a configuration problem (exit 2), not a bug
            except Exception as exc:  # a check's bug must name the check, not crash the batch
                raise CheckFailed(f"check '{spec.name}' (rule '{rule.id}') failed on {doc.path}: {exc!r}") from exc
            if stopped:
                assert budget is not None
                hits.append(_timeout(spec.name, budget))
            check_notes += [item.text for item in hits if isinstance(item, Note)]
            kept.extend(k for hit in hits if isinstance(hit, Hit) and (k := _kept(doc, spec, rule, hit)) is not None)
        metrics = document_metrics(doc)
        # Second stage: checks that judge the findings of the others (after suppressions).
        quiet = _silenced(silence_list, [(rule_id, hit.start) for _, rule_id, _, hit, _ in kept])
        earlier = tuple(
            Earlier(check, rule_id, severity, hit.start, hit.end)  # type: ignore[arg-type]  # "off" was dropped
            for (check, rule_id, severity, hit, _), silenced in zip(kept, quiet, strict=True)
            if not silenced
        )
        for rule, spec in self.rules:
            if spec.judge is None:
                continue
            deadline = None if budget is None else max(started + budget, budget_clock() + LATE_SHARE * budget)
            judge = spec.judge
            try:
                judged, stopped = run_until(deadline, lambda: [judge(doc, rule.options, earlier)])  # noqa: B023
            except CheckUnavailable:
                raise
            except Exception as exc:
                raise CheckFailed(f"check '{spec.name}' (rule '{rule.id}') failed on {doc.path}: {exc!r}") from exc
            if stopped:
                assert budget is not None
                kept.extend(k for k in [_kept(doc, spec, rule, _timeout(spec.name, budget))] if k is not None)
                continue
            metrics.update(judged[0].metrics)
            kept.extend(k for hit in judged[0].hits if (k := _kept(doc, spec, rule, hit)) is not None)
        quiet = _silenced(silence_list, [(rule_id, hit.start) for _, rule_id, _, hit, _ in kept])
        shown, notes = _capped([item for item, silenced in zip(kept, quiet, strict=True) if not silenced])
        findings = unknown + [self._with_link(_finding(doc, *item)) for item in shown]
        findings.sort(key=lambda f: (f.line, f.column, f.rule))
        return DocumentReport(doc.path, findings, metrics, [*doc.notes, *dict.fromkeys(check_notes), *notes])


def _timeout(check: str, budget: float) -> Hit:
    message = (
        f"Check '{check}' gave up: it ran past the document's time budget of {budget:g} s "
        "(what it found before that is kept). Raise time_budget in the rules file, "
        "or check a smaller document"
    )
    return Hit(0, 0, message, kind="timeout")


def _capped(items: list[Kept]) -> tuple[list[Kept], list[str]]:
    """At most MAX_FINDINGS_PER_RULE findings of each rule id, the first ones; a note for the rest."""
    counts = Counter(rule_id for _, rule_id, *_ in items)
    over = {rule_id for rule_id, n in counts.items() if n > MAX_FINDINGS_PER_RULE}
    if not over:
        return items, []
    shown: list[Kept] = []
    taken: Counter[str] = Counter()
    for item in sorted(items, key=lambda item: item[3].start):
        taken[item[1]] += 1
        if taken[item[1]] <= MAX_FINDINGS_PER_RULE:
            shown.append(item)
    notes = [
        f"{rule_id}: {counts[rule_id] - MAX_FINDINGS_PER_RULE:,} more findings after the first "
        f"{MAX_FINDINGS_PER_RULE:,} are not listed"
        for rule_id in sorted(over)
    ]
    return shown, notes


def _kept(doc: Document, spec: CheckSpec, rule: Rule, hit: Hit) -> Kept | None:
    """A hit as the engine keeps it (check, rule id, severity, the hit, whether its fix is safe); None when off."""
    if hit.kind not in spec.kinds:
        # Kinds are part of a check's contract (rules files set their severities).
        raise CheckFailed(f"check '{spec.name}' reported kind {hit.kind!r}, which it does not declare")
    rule_id = f"{rule.id}.{hit.kind}" if hit.kind else rule.id
    severity = rule.severity_of(hit.kind, spec)
    if severity == "off":
        return None
    fixable = (
        len(hit.suggestions) == 1
        and (hit.kind in spec.safe_fixes or hit.kind in rule.options.safe_fix_kinds())
        and safe_place(doc, hit.start, hit.end, hit.suggestions[0])
    )
    return (spec.name, rule_id, severity, hit, fixable)


def _quiet_warm_up(spec: CheckSpec, rule: Rule) -> None:
    if spec.warm_up is not None:
        # A failing start is reported when the check itself runs.
        with contextlib.suppress(Exception):
            spec.warm_up(rule.options)


def _unknown_rule_finding(doc: Document, unknown: UnknownRule) -> Finding:
    hint = f"; did you mean '{unknown.hint}'?" if unknown.hint else ""
    message = f"The suppression comment names '{unknown.rule}', neither a rule of the rules file nor a check{hint}"
    suggestions = (unknown.hint,) if unknown.hint else ()
    hit = Hit(unknown.start, unknown.end, message, suggestions=suggestions)
    return _finding(doc, "suppression", "suppression.unknown-rule", "warning", hit)


def _silenced(quiet: list[Silence], items: list[tuple[str, int]]) -> list[bool]:
    """Whether a silence covers each (rule id, offset): one sweep, not silences x findings."""
    result = [False] * len(items)
    if not quiet:
        return result
    by_start = sorted(quiet, key=lambda s: s.start)
    active: list[tuple[int, int, Silence]] = []  # the silences begun so far, by end
    j = 0
    for i in sorted(range(len(items)), key=lambda i: items[i][1]):
        rule, offset = items[i]
        while j < len(by_start) and by_start[j].start <= offset:
            heapq.heappush(active, (by_start[j].end, j, by_start[j]))
            j += 1
        while active and active[0][0] <= offset:
            heapq.heappop(active)
        result[i] = any(s.covers(rule, offset) for _, _, s in active)
    return result


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


def _finding(doc: Document, check: str, rule_id: str, severity: str, hit: Hit, fixable: bool = False) -> Finding:
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
        fixable=fixable,
    )


def excerpt(text: str, start: int, end: int) -> str:
    """The finding with a little context from its line, ``...`` where the line was cut."""
    # Only a window around the finding is searched: on a line of megabytes with many
    # findings, finding the whole line each time would be quadratic.
    window = EXCERPT_BEFORE + EXCERPT_AFTER + max(0, end - start) + 1
    line_start = text.rfind("\n", max(0, start - window), start) + 1 or max(0, start - window)
    line_end = text.find("\n", start, start + window)
    line_end = min(len(text), start + window) if line_end < 0 else line_end
    left = max(line_start, start - EXCERPT_BEFORE)
    right = min(line_end, max(end, start + 1) + EXCERPT_AFTER)
    body = text[left:right].replace("\t", " ")
    return ("..." if left > line_start else "") + body + ("..." if right < line_end else "")
