"""The terminal report a writer reads: grouped by file, one finding a line, then the verdict."""

from __future__ import annotations

from qualitybot.formatters._common import printable
from qualitybot.report import DocumentReport, Report

_COLORS = {"error": "31", "warning": "33", "info": "36", "fail": "1;31", "pass": "1;32", "dim": "2"}
_COLORS["error_verdict"] = "1;31"


def _paint(text: str, style: str, color: bool) -> str:
    return f"\033[{_COLORS[style]}m{text}\033[0m" if color else text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _document(doc: DocumentReport, color: bool) -> list[str]:
    # Everything from the article (and its file name) is shown with control characters escaped.
    path = printable(doc.path)
    lines = [path if not color else f"\033[4m{path}\033[0m"]
    for note in doc.notes:
        lines.append(f"  note: {printable(note)}")
    width = max((len(f"{f.line}:{f.column}") for f in doc.findings), default=0)
    rule_width = max((len(f.rule) for f in doc.findings), default=0)
    for f in doc.findings:
        place = f"{f.line}:{f.column}".ljust(width)
        severity = _paint(f.severity.ljust(7), f.severity, color)
        lines.append(f"  {place}  {severity}  {printable(f.rule).ljust(rule_width)}  {printable(f.message)}")
        indent = " " * (width + 4)
        if f.excerpt.strip():
            lines.append(indent + _paint(printable(f.excerpt.strip()), "dim", color))
        if f.suggestions:
            lines.append(indent + "suggestion: " + " | ".join(printable(s) for s in f.suggestions[:3]))
    counts = ", ".join(_plural(doc.count(s), s) for s in ("error", "warning", "info"))
    verdict = _paint(doc.verdict.upper(), doc.verdict, color)
    lines.append(f"  {verdict}  {counts}")
    return lines


def render(report: Report, color: bool = False) -> str:
    out: list[str] = []
    for doc in report.documents:
        out.extend(_document(doc, color))
        out.append("")
    for problem in report.errors:
        out.append(f"{problem.path}\n  {_paint('not checked', 'error', color)}: {problem.message}\n")
    for note in report.notes:
        out.append(f"note: {note}")
    if report.notes:
        out.append("")
    s = report.summary()
    style = "error_verdict" if report.verdict == "error" else report.verdict
    verdict = _paint(report.verdict.upper(), style, color)
    unread = f", {_plural(len(report.errors), 'path')} not readable" if report.errors else ""
    out.append(
        f"{_plural(s['documents'], 'document')} checked, {s['failed']} failed{unread} "
        f"({_plural(s['errors'], 'error')}, {_plural(s['warnings'], 'warning')}, "
        f"{_plural(s['infos'], 'info')}): {verdict}"
    )
    if report.rules:
        out.append(f"rules: {report.rules_text}")
    return "\n".join(out) + "\n"
