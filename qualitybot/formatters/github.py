"""GitHub Actions: one workflow command per finding, so findings show as annotations.

``::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::message`` (``warning``
and ``notice`` for the other severities), escaped as the Actions toolkit does:
``%``, CR and LF in messages (``%25``, ``%0D``, ``%0A``), and also ``:`` and ``,``
in properties (``%3A``, ``%2C``). A last plain line gives the verdict.

When ``$GITHUB_STEP_SUMMARY`` is set, the CLI also appends the Markdown report
to that file (:func:`append_job_summary`), where it shows as the job summary.
"""

from __future__ import annotations

from qualitybot.formatters import markdown
from qualitybot.formatters._common import one_line, plural, repository_path
from qualitybot.report import Finding, Report

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(path: str, finding: Finding) -> str:
    properties = {
        "file": repository_path(path),
        "line": str(finding.line),
        "col": str(finding.column),
        "endLine": str(finding.end_line),
        "endColumn": str(finding.end_column),
        "title": f"qualitybot {finding.rule}",
    }
    message = finding.message
    if finding.suggestions:
        message += "\nSuggestion: " + " | ".join(finding.suggestions[:3])
    if finding.excerpt.strip():
        message += "\n" + one_line(finding.excerpt)
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMANDS[finding.severity]} {joined}::{escape_data(message)}"


def render(report: Report, color: bool = False) -> str:
    lines = [annotation(doc.path, f) for doc in report.documents for f in doc.findings]
    lines += [
        f"::error file={escape_property(repository_path(p.path))},title=qualitybot::{escape_data(p.message)}"
        for p in report.errors
    ]
    s = report.summary()
    lines.append(
        f"qualitybot: {s['failed']} of {plural(s['documents'], 'document')} failed "
        f"({plural(s['errors'], 'error')}, {plural(s['warnings'], 'warning')}, "
        f"{plural(s['infos'], 'info')}): {report.verdict.upper()}"
    )
    return "\n".join(lines) + "\n"


def append_job_summary(report: Report, summary_path: str) -> None:
    """Append the Markdown report to the job summary file (``$GITHUB_STEP_SUMMARY``)."""
    with open(summary_path, "a", encoding="utf-8") as handle:
        handle.write(markdown.render(report) + "\n")
