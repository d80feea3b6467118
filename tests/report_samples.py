"""Reports built by hand for the formatter and platform tests (no engine involved)."""

from __future__ import annotations

from qualitybot.contract import Severity
from qualitybot.report import DocumentReport, Finding, Place, Report

METRICS = {"words": 412.0, "sentences": 21.0, "flesch_reading_ease": 52.3, "flesch_kincaid_grade": 10.4}


def finding(
    line: int,
    column: int,
    rule: str,
    severity: Severity = "error",
    message: str = "Empty quotation marks",
    excerpt: str = 'said on Monday. " "',
    suggestions: tuple[str, ...] = (),
    related: tuple[Place, ...] = (),
    length: int = 3,
) -> Finding:
    return Finding(
        check=rule.split(".")[0],
        rule=rule,
        severity=severity,
        message=message,
        line=line,
        column=column,
        end_line=line,
        end_column=column + length,
        excerpt=excerpt,
        suggestions=suggestions,
        related=related,
    )


def failing_document(path: str = "articles/harbour-fire.md") -> DocumentReport:
    return DocumentReport(
        path,
        [
            finding(7, 41, "quotes.empty"),
            finding(9, 12, "quotes.detached", message="Closing quote detached by a space", excerpt='the crew ".'),
            finding(
                12,
                1,
                "duplicates.sentence",
                "warning",
                "Sentence repeated from line 4",
                "The fire started shortly after midnight.",
                related=(Place(4, 1, 4, 41),),
                length=40,
            ),
            finding(
                15,
                3,
                "dates.malformed",
                message="Malformed date 'March 15. 21'",
                excerpt="on March 15. 21 the",
            ),
            finding(
                18,
                22,
                "grammar.spelling",
                "info",
                "Possible spelling mistake",
                "the harbor master recieved",
                suggestions=("received",),
            ),
        ],
        dict(METRICS),
    )


def clean_document(path: str = "articles/council-vote.md") -> DocumentReport:
    return DocumentReport(path, [], {**METRICS, "flesch_reading_ease": 61.0})


def failing_report() -> Report:
    return Report([failing_document()])


def mixed_report() -> Report:
    return Report([failing_document(), clean_document()])


def huge_report(documents: int = 40, findings: int = 150) -> Report:
    """Far more findings than fit in one comment."""
    docs = []
    for d in range(documents):
        items = [
            finding(
                n + 1,
                5,
                "readability.sentence-length" if n % 3 else "quotes.unclosed",
                "warning" if n % 3 else "error",
                f"Sentence has {60 + n} words (max 55) in paragraph {n}",
                "A sentence that goes on and on about the harbour, the fire and the council " * 2,
                length=80,
            )
            for n in range(findings)
        ]
        docs.append(DocumentReport(f"articles/long-{d:03}.md", items, dict(METRICS)))
    return Report(docs)
