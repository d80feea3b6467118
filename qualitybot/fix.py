"""Fixes applied for the writer: ``qualitybot check --fix`` and ``--diff``.

The engine marks a finding ``fixable`` (in every report) when its check marks its
kind safe (``SAFE_FIXES`` next to the check's ``KINDS``, or ``safe_fix: true`` on a
pattern rule), it has exactly one suggestion (which replaces the finding's span),
and :func:`safe_place` agrees: the span is running prose on one line, never front
matter, code, markup, a block quote or words inside quotation marks (quoted words
are someone else's). Today that covers a doubled word, "a"/"an", a weekday that
contradicts its date and a missing space after a full stop. Fixes that overlap an
earlier one wait for the next run.

The file is rewritten as it was read, byte for byte outside the fixed spans:
line endings (CRLF stays CRLF) and a UTF-8 byte order mark are kept.
"""

from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass
from pathlib import Path

from qualitybot.document import Document
from qualitybot.report import DocumentReport, Finding

BOM = "\ufeff"
# Opening and closing marks of quotations in running text (straight marks count by parity).
_CURLY_OPEN, _CURLY_CLOSE = "“", "”"


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``replacement`` (offsets into the text the checks read)."""

    start: int
    end: int
    replacement: str
    rule: str


@dataclass(frozen=True)
class FileFix:
    path: str
    before: str  # the file as read (BOM and line endings kept)
    after: str
    edits: tuple[Edit, ...]

    def diff(self) -> str:
        """A unified diff of the file, as ``diff -u`` and ``git apply`` read it."""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=f"a/{self.path.lstrip('/')}",
            tofile=f"b/{self.path.lstrip('/')}",
        )
        return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)

    def write(self) -> None:
        Path(self.path).write_bytes(self.after.encode("utf-8"))


def safe_place(doc: Document, start: int, end: int, replacement: str) -> bool:
    """The engine asks: may a fix replace ``doc.text[start:end]`` with ``replacement`` unattended?"""
    span = doc.text[start:end]
    return 0 <= start < end <= len(doc.text) and "\n" not in span and span != replacement and _in_running_prose(
        doc, start, end
    )


def safe_edits(text: str, report: DocumentReport) -> list[Edit]:
    """The fixable findings of ``report`` as edits of ``text``, in text order, none overlapping."""
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    edits: list[Edit] = []
    for finding in report.findings:
        edit = _edit(text, line_starts, finding)
        if edit is not None and (not edits or edit.start >= edits[-1].end):
            edits.append(edit)
    return edits


def _edit(text: str, line_starts: list[int], finding: Finding) -> Edit | None:
    if not finding.fixable or len(finding.suggestions) != 1 or finding.end_line != finding.line:
        return None
    if finding.line > len(line_starts):
        return None
    # 1-based columns in code points, as the engine counts them.
    start = line_starts[finding.line - 1] + finding.column - 1
    end = line_starts[finding.line - 1] + finding.end_column - 1
    span = text[start:end]
    # A report made from other text (the file changed since) no longer points at its finding.
    if not 0 <= start < end <= len(text) or "\n" in span or span.replace("\t", " ") not in finding.excerpt:
        return None
    return Edit(start, end, finding.suggestions[0], finding.rule)


def _in_running_prose(doc: Document, start: int, end: int) -> bool:
    """The span is prose (not markup, code or front matter) in a block that is not a block quote,
    outside quotation marks."""
    # Blocks are sorted and do not overlap: the one that may hold the span is found by bisection
    # (a scan per finding would be quadratic on a document with many blocks and findings).
    index = bisect.bisect_right(doc.blocks, start, key=lambda b: b.start) - 1
    block = doc.blocks[index] if index >= 0 else None
    if block is None or not (block.start <= start and end <= block.end):
        return False  # front matter, code and HTML lie outside every prose block
    if block.kind == "blockquote":
        return False
    # Every visible character of the span is prose: no code span, tag or marker inside it.
    if any(doc.prose[i] != doc.text[i] for i in range(start, end) if not doc.text[i].isspace()):
        return False
    before = doc.prose[block.start : start]
    return before.count('"') % 2 == 0 and before.count(_CURLY_OPEN) <= before.count(_CURLY_CLOSE)


def apply(text: str, edits: list[Edit]) -> str:
    """``text`` with the (sorted, non-overlapping) edits applied."""
    out, pos = [], 0
    for edit in edits:
        out.append(text[pos : edit.start])
        out.append(edit.replacement)
        pos = edit.end
    out.append(text[pos:])
    return "".join(out)


def fix_file(path: str, report: DocumentReport) -> FileFix | None:
    """The fixes of ``report`` applied to the file it was made from; None when nothing applies.

    The file is read again; a finding whose place no longer holds its excerpt (the
    file changed meanwhile) is not applied.
    """
    raw = Path(path).read_bytes().decode("utf-8")
    bom = BOM if raw.startswith(BOM) else ""
    body = raw[len(bom) :]
    crlf = "\r\n" in body
    text = body.replace("\r\n", "\n")
    edits = safe_edits(text, report)
    if not edits:
        return None
    fixed = apply(text, edits)
    if crlf:
        # Line endings as they were: edits never span lines, so each line keeps its ending.
        fixed = _restore_line_endings(body, fixed)
    return FileFix(path, raw, bom + fixed, tuple(edits))


def _restore_line_endings(original: str, fixed: str) -> str:
    endings = ["\r\n" if line.endswith("\r") else "\n" for line in original.split("\n")[:-1]]
    lines = fixed.split("\n")
    return "".join(line + ending for line, ending in zip(lines, endings, strict=False)) + lines[-1]
