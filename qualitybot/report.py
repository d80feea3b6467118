"""The report: findings with rule, severity and place; verdicts; the JSON contract.

Formatters and platform adapters depend on these types only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from qualitybot.contract import Severity

SCHEMA = "qualitybot.report/1"


@dataclass(frozen=True)
class Place:
    """A 1-based line/column range; ``end_*`` point just past the last character.

    ``path`` is set when the place is in another document (an earlier article in
    the archive, named by its id); else the place is in the finding's document.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.path is None:
            del data["path"]
        return data


@dataclass(frozen=True)
class Finding:
    check: str
    rule: str
    severity: Severity
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    excerpt: str
    suggestions: tuple[str, ...] = ()
    related: tuple[Place, ...] = ()
    # The one suggestion replaces the span safely (a kind its check marks safe): ``check --fix`` applies it.
    fixable: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["suggestions"] = list(self.suggestions)
        data["related"] = [p.to_json() for p in self.related]
        return data


@dataclass
class DocumentReport:
    path: str
    findings: list[Finding]
    metrics: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "fail" if any(f.severity == "error" for f in self.findings) else "pass"

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "verdict": self.verdict,
            "metrics": self.metrics,
            "findings": [f.to_json() for f in self.findings],
        }
        if self.notes:
            data["notes"] = self.notes
        return data


@dataclass
class Report:
    documents: list[DocumentReport]

    @property
    def verdict(self) -> str:
        return "fail" if any(d.verdict == "fail" for d in self.documents) else "pass"

    def summary(self) -> dict[str, int]:
        return {
            "documents": len(self.documents),
            "failed": sum(1 for d in self.documents if d.verdict == "fail"),
            "errors": sum(d.count("error") for d in self.documents),
            "warnings": sum(d.count("warning") for d in self.documents),
            "infos": sum(d.count("info") for d in self.documents),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "verdict": self.verdict,
            "summary": self.summary(),
            "documents": [d.to_json() for d in self.documents],
        }
