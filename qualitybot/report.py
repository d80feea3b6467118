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
    link: str = ""  # a page explaining the rule (Vale's `link`)
    description: str = ""  # the rule's longer explanation (Vale's `description`)
    # The one suggestion replaces the span safely (a kind its check marks safe): ``check --fix`` applies it.
    fixable: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["suggestions"] = list(self.suggestions)
        data["related"] = [p.to_json() for p in self.related]
        for key in ("link", "description"):
            if not data[key]:
                del data[key]
        return data


@dataclass
class DocumentReport:
    path: str
    findings: list[Finding]
    metrics: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rules: str = ""  # the rules file it was checked with, as given

    @property
    def verdict(self) -> str:
        return "fail" if any(f.severity == "error" for f in self.findings) else "pass"

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def to_json(self, with_rules: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "verdict": self.verdict,
            "metrics": self.metrics,
            "findings": [f.to_json() for f in self.findings],
        }
        if self.notes:
            data["notes"] = self.notes
        if with_rules and self.rules:
            data["rules"] = self.rules
        return data


@dataclass(frozen=True)
class InputProblem:
    """A path given to check that could not be read (missing, unreadable, not text): verdict ``error``."""

    path: str
    message: str


@dataclass
class Report:
    documents: list[DocumentReport]
    # The rules files the documents were checked with, as given (``default``: the bundled profile).
    rules: list[str] = field(default_factory=list)
    errors: list[InputProblem] = field(default_factory=list)
    # Why imported rules do not run ("Acme.Spelling: Vale rule type 'spelling' is not run").
    notes: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        """``error`` when a path could not be checked: never ``pass`` for what was not read."""
        if self.errors:
            return "error"
        return "fail" if any(d.verdict == "fail" for d in self.documents) else "pass"

    @property
    def rules_text(self) -> str:
        return ", ".join(self.rules)

    def summary(self) -> dict[str, int]:
        return {
            "documents": len(self.documents),
            "failed": sum(1 for d in self.documents if d.verdict == "fail"),
            "errors": sum(d.count("error") for d in self.documents),
            "warnings": sum(d.count("warning") for d in self.documents),
            "infos": sum(d.count("info") for d in self.documents),
        }

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"schema": SCHEMA, "verdict": self.verdict}
        if self.rules:
            data["rules"] = self.rules[0] if len(self.rules) == 1 else list(self.rules)
        data["summary"] = self.summary()
        several = len(self.rules) > 1
        data["documents"] = [d.to_json(with_rules=several) for d in self.documents]
        if self.errors:
            data["errors"] = [{"path": e.path, "message": e.message} for e in self.errors]
        if self.notes:
            data["notes"] = list(self.notes)
        return data
