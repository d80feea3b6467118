"""What several formatters share: stable fingerprints and short descriptions of the checks."""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from qualitybot.checks import registry
from qualitybot.report import DocumentReport, Finding, Report

# Characters a terminal acts on rather than shows: C0 and C1 controls (ESC starts the
# sequences that move the cursor, recolour or retitle the terminal), line and paragraph
# separators, and the bidirectional overrides that reorder what is shown.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: each control character shown escaped (``\\x1b``)."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def check_description(check: str) -> str:
    """The first line of the check's own documentation (its module docstring), the one source."""
    spec = registry().get(check)
    if spec is not None and spec.doc:
        return spec.doc.splitlines()[0]
    if check == "suppression":
        return "A suppression comment that names a rule the rules file does not have."
    return f"The qualitybot '{check}' check."


def fingerprints(doc: DocumentReport) -> Iterator[tuple[Finding, str]]:
    """Each finding with a fingerprint that survives edits elsewhere in the file.

    Built from what the finding is (path, rule, message, the excerpt's text), not
    where it is, so CI systems can follow a finding when lines move; identical
    findings are told apart by their order of occurrence.
    """
    seen: Counter[str] = Counter()
    for finding in doc.findings:
        identity = "\x1f".join((doc.path, finding.rule, finding.message, " ".join(finding.excerpt.split())))
        seen[identity] += 1
        digest = hashlib.sha256(f"{identity}\x1f{seen[identity]}".encode()).hexdigest()
        yield finding, digest[:32]


def all_findings(report: Report) -> Iterator[tuple[DocumentReport, Finding]]:
    for doc in report.documents:
        for finding in doc.findings:
            yield doc, finding


def repository_path(path: str) -> str:
    """``path`` relative to the working directory when it lies under it, with ``/``.

    CI systems place annotations and code-quality issues by paths relative to the
    checkout (GitLab requires it); a run given absolute paths would otherwise
    point nowhere.
    """
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(Path(os.getcwd())).as_posix()
        except ValueError:
            return path
    return candidate.as_posix() if os.sep != "/" else path


def one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line, cut with an ellipsis past ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plural(n: int, word: str, plural_word: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural_word or word + 's'}"
