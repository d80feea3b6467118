"""The Markdown report: the comment posted on a submission or pull request.

Verdict first, then counts by severity, then one section per document with a
table of findings (line:column, severity, rule, message with the excerpt and
suggestions) and the document's readability metrics. Sections fold into
``<details>`` when the report is long. The comment starts with the hidden
:data:`MARKER`, by which the platform adapters find their own comment again.

Comments have a size limit (GitHub's is 65,536 characters), so the report is
kept under :data:`COMMENT_LIMIT`: when it would be longer, the most important
findings are kept (errors first) and the comment says how many findings and
documents it leaves out.

Everything that comes from a document (paths, messages, excerpts) is escaped:
a submission cannot inject Markdown, HTML, @-mentions or a second marker.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from qualitybot import __version__
from qualitybot.formatters._common import plural
from qualitybot.report import DocumentReport, Finding, Report

MARKER = "<!-- qualitybot:report -->"
COMMENT_LIMIT = 65_000

# A document with more findings than this, or any report of several documents,
# folds its sections so the comment stays scannable.
FOLD_AFTER_FINDINGS = 10
# Failing documents stay unfolded while there are at most this many of them.
OPEN_FAILED_DOCUMENTS = 3
MAX_CELL_CHARS = 300
MAX_EXCERPT_CHARS = 120

_ICONS = {"error": "❌", "warning": "⚠️", "info": "ℹ️"}
_VERDICT = {
    "fail": "❌ qualitybot: **failed**",
    "pass": "✅ qualitybot: **passed**",
    "error": "❌ qualitybot: **error** (some files could not be checked)",
}
_METRIC_NAMES = {
    "words": "Words",
    "sentences": "Sentences",
    "flesch_reading_ease": "Flesch reading ease",
    "flesch_kincaid_grade": "Flesch-Kincaid grade",
    "gunning_fog": "Gunning fog index",
    "smog_index": "SMOG index",
    "coleman_liau_index": "Coleman-Liau index",
    "automated_readability_index": "Automated readability index",
    "dale_chall_readability_score": "Dale-Chall score",
}
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")

Shown = set[tuple[int, int]]  # (document index, finding index) pairs to show


def render(report: Report, color: bool = False, *, limit: int = COMMENT_LIMIT, footer: str = "") -> str:
    """The comment for ``report``, at most ``limit`` characters. ``color`` is ignored."""
    composer = _Composer(report, footer)
    full = composer.compose(None)
    if len(full) <= limit:
        return full
    return _shortened(composer, limit)


# --- escaping ---------------------------------------------------------------------


def text(value: str, limit: int = MAX_CELL_CHARS) -> str:
    """Untrusted text as inert Markdown on one line (safe in a table cell)."""
    value = _clip(" ".join(value.split()), limit)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MARKDOWN_PUNCTUATION.sub(r"\\\1", value)
    return value.replace("@", "@\u2060")  # a word joiner: no @-mention, looks the same


def code(value: str, limit: int = MAX_EXCERPT_CHARS) -> str:
    """Untrusted text as a code span on one line (safe in a table cell)."""
    value = _clip(" ".join(value.split()), limit)
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    if value.startswith("`") or value.endswith("`"):
        value = f" {value} "
    return fence + value.replace("|", "\\|") + fence


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


# --- composing ----------------------------------------------------------------------


@dataclass
class _Composer:
    report: Report
    footer: str
    rows: dict[int, str] = field(default_factory=dict)  # rendered rows by id(finding), reused

    def row(self, finding: Finding) -> str:
        key = id(finding)
        if key not in self.rows:
            self.rows[key] = row(finding)
        return self.rows[key]

    def compose(self, shown: Shown | None) -> str:
        """The whole comment; with ``shown``, only those findings and their documents."""
        report = self.report
        parts: list[str] = []
        folded = len(report.documents) > 1
        failed_seen = 0
        clean: list[DocumentReport] = []
        hidden_findings = hidden_documents = 0
        for i, doc in enumerate(report.documents):
            visible = [j for j in range(len(doc.findings)) if shown is None or (i, j) in shown]
            if shown is not None and not visible and (i, -1) not in shown:
                hidden_documents += 1
                hidden_findings += len(doc.findings)
                continue
            hidden_findings += len(doc.findings) - len(visible)
            if not doc.findings and not doc.notes and folded:
                clean.append(doc)
                continue
            failed_seen += doc.verdict == "fail"
            fold = folded or len(doc.findings) > FOLD_AFTER_FINDINGS
            opened = doc.verdict == "fail" and failed_seen <= OPEN_FAILED_DOCUMENTS
            parts.extend(self.document(doc, visible, fold, opened))
        if clean:
            parts.extend(self.clean_documents(clean))
        head = [MARKER, "", self.headline(), "", self.counts(), ""]
        if hidden_findings or hidden_documents:  # said up front, where a reader looks first
            head.extend(self.shortened_note(hidden_findings, hidden_documents))
        for problem in report.errors:
            head += [f"> ❌ **Not checked:** {code(problem.path, 200)}: {text(problem.message)}", ""]
        head += [f"> **Note:** {text(note)}\n" for note in report.notes]
        parts = head + parts
        footer = [f"qualitybot {__version__}"]
        if report.rules:
            footer.append(f"rules: {text(report.rules_text)}")
        if self.footer:
            footer.append(text(self.footer))
        parts.append(f"<sub>{' · '.join(footer)}</sub>")
        return "\n".join(parts) + "\n"

    def headline(self) -> str:
        return "### " + _VERDICT[self.report.verdict]

    def counts(self) -> str:
        s = self.report.summary()
        documents = (
            f"**{s['failed']:,} of {plural(s['documents'], 'document')} failed**"
            if s["failed"]
            else f"**{plural(s['documents'], 'document')} passed**"
        )
        # An icon only where there is something: "❌ 0 errors" would alarm for nothing.
        severities = " · ".join(
            f"{_ICONS[key] + ' ' if s[key + 's'] else ''}{plural(s[key + 's'], key)}"
            for key in ("error", "warning", "info")
        )
        return f"{documents} — {severities}"

    def document(self, doc: DocumentReport, visible: list[int], fold: bool, opened: bool) -> list[str]:
        icon = "❌" if doc.verdict == "fail" else "✅"
        counts = ", ".join(plural(doc.count(s), s) for s in ("error", "warning", "info") if doc.count(s))
        counts = counts or "no findings"
        lines: list[str] = []
        if fold:
            # An HTML block: no Markdown inside <summary>, so the path is HTML-escaped.
            summary = f"{icon} <code>{html.escape(_clip(doc.path, 200))}</code> — {counts}"
            lines += [f"<details{' open' if opened else ''}>", f"<summary>{summary}</summary>", ""]
        else:
            lines += [f"#### {icon} {code(doc.path, 200)} — {counts}", ""]
        lines += [f"> **Note:** {text(note)}" for note in doc.notes]
        if doc.notes:
            lines.append("")
        missing = len(doc.findings) - len(visible)
        if visible:
            lines += ["| Line | Severity | Rule | Message |", "| ---: | --- | --- | --- |"]
            lines += [self.row(doc.findings[j]) for j in visible]
            if missing:
                lines.append(f"| | | | *…and {plural(missing, 'more finding')} not shown (size limit)* |")
            lines.append("")
        elif missing:
            lines += [f"*{plural(missing, 'finding')} not shown (size limit)*", ""]
        if len(self.report.documents) > 1:  # one line each: many tables of metrics would drown the findings
            lines += [f"<sub>Readability{_metrics_brief(doc)}</sub>", ""] if doc.metrics else []
        else:
            lines += metrics(doc)
        if fold:
            lines += ["</details>", ""]
        return lines

    def clean_documents(self, docs: list[DocumentReport]) -> list[str]:
        lines = ["<details>", f"<summary>✅ {plural(len(docs), 'document')} without findings</summary>", ""]
        for doc in docs:
            lines.append(f"- {code(doc.path, 200)}{_metrics_brief(doc)}")
        return [*lines, "", "</details>", ""]

    def shortened_note(self, findings: int, documents: int) -> list[str]:
        left_out = [plural(findings, "finding")] if findings else []
        if documents:
            left_out.append(plural(documents, "document"))
        return [
            f"> ⚠️ **This comment is shortened** to stay under the size limit for comments: "
            f"{' and '.join(left_out)} left out (errors were kept first). "
            "Run `qualitybot check` on the files for the full report.",
            "",
        ]


def row(finding: Finding) -> str:
    message = text(finding.message)
    if finding.excerpt.strip():
        message += "<br>" + code(finding.excerpt)
    elsewhere = [p for p in finding.related if p.path]
    if elsewhere:  # earlier articles in the archive, named by their ids
        message += "<br>Earlier: " + ", ".join(f"{code(p.path or '', 80)} line {p.line}" for p in elsewhere[:3])
    if finding.suggestions:
        message += "<br>Suggestion: " + ", ".join(code(s, 60) for s in finding.suggestions[:3])
    severity = f"{_ICONS.get(finding.severity, '')}\u00a0{finding.severity}"  # no break after the icon
    return f"| {finding.line}:{finding.column} | {severity} | {code(finding.rule, 80)} | {message} |"


def metrics(doc: DocumentReport) -> list[str]:
    if not doc.metrics:
        return []
    lines = ["<details>", f"<summary>Readability metrics{_metrics_brief(doc)}</summary>", ""]
    lines += ["| Metric | Value |", "| --- | ---: |"]
    lines += [f"| {_METRIC_NAMES.get(k, text(k))} | {_number(v)} |" for k, v in doc.metrics.items()]
    return [*lines, "", "</details>", ""]


def _metrics_brief(doc: DocumentReport) -> str:
    brief = [f"{_number(doc.metrics[k])} {k}" for k in ("words",) if k in doc.metrics]
    if "flesch_reading_ease" in doc.metrics:
        brief.append(f"reading ease {_number(doc.metrics['flesch_reading_ease'])}")
    if "flesch_kincaid_grade" in doc.metrics:
        brief.append(f"grade {_number(doc.metrics['flesch_kincaid_grade'])}")
    return (" — " + ", ".join(brief)) if brief else ""


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


# --- shortening -----------------------------------------------------------------------


def _shortened(composer: _Composer, limit: int) -> str:
    """The comment with as many findings as fit, errors and failing documents first."""
    order = _priority(composer.report)
    # Each item's cost is measured on its own rendering; the budget keeps a
    # margin for the table headers, folds and the note the composer adds.
    cost = {item: _cost(composer, item) for item in order}
    budget = limit - len(composer.compose(set())) - 200
    while True:
        shown: Shown = set()
        spent = 0
        for item in order:
            doc_index, finding_index = item
            if finding_index >= 0 and (doc_index, -1) not in shown:
                continue
            if spent + cost[item] <= budget:
                shown.add(item)
                spent += cost[item]
        result = composer.compose(shown)
        if len(result) <= limit:
            return result
        if budget <= 0:
            # Not even the headline and the note fit: cut hard, but keep the marker.
            return result[: limit - 2].rstrip() + "…\n"
        budget -= max(len(result) - limit, limit // 50)


def _priority(report: Report) -> list[tuple[int, int]]:
    """Documents (finding index -1) and findings, most important first.

    Each failing document with its errors, in order; then the warnings, with the
    documents that have only warnings; then infos; then clean documents. A
    document shown with its errors beats a long list of documents shown empty.
    """
    docs = report.documents

    def rank(item: tuple[int, int]) -> tuple[int, int, int]:
        i, j = item
        if j < 0:
            return (0 if docs[i].verdict == "fail" else 1 if docs[i].findings else 3, i, j)
        return ({"error": 0, "warning": 1}.get(docs[i].findings[j].severity, 2), i, j)

    items = [(i, j) for i, doc in enumerate(docs) for j in range(-1, len(doc.findings))]
    return sorted(items, key=rank)


def _cost(composer: _Composer, item: tuple[int, int]) -> int:
    doc_index, finding_index = item
    doc = composer.report.documents[doc_index]
    if finding_index >= 0:
        return len(composer.row(doc.findings[finding_index])) + 1
    return sum(len(line) + 1 for line in composer.document(doc, [], True, True))
