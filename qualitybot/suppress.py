"""Inline suppression comments.

``<!-- qualitybot: disable RULE[, RULE...] -->`` silences rules until
``<!-- qualitybot: enable RULE -->`` (or the end of the file);
``<!-- qualitybot: disable-next-line RULE -->`` silences them on the next line.
Without rule ids the comment applies to every rule. A rule id also covers its
kinds: ``quotes`` silences ``quotes.empty`` and ``quotes.single``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualitybot.document import Document

# The rule list stops at the next "<" or ">": an unclosed comment costs a short scan, not one to
# the end of the file for every comment (quadratic on a file of unclosed comments).
_COMMENT = re.compile(r"<!--\s*qualitybot:\s*(disable-next-line|disable|enable)\b([^<>]*?)-->")


@dataclass(frozen=True)
class Silence:
    """Rules (empty: all) silenced over ``[start, end)`` character offsets."""

    start: int
    end: int
    rules: frozenset[str]

    def covers(self, rule: str, offset: int) -> bool:
        if not self.start <= offset < self.end:
            return False
        return not self.rules or any(rule == r or rule.startswith(r + ".") for r in self.rules)


def silences(doc: Document) -> list[Silence]:
    result: list[Silence] = []
    open_since: dict[str, int] = {}  # rule id ("" = all) -> offset where it was disabled
    for m in _COMMENT.finditer(doc.text):
        action, ids = m.group(1), frozenset(re.findall(r"[\w.-]+", m.group(2)))
        if action == "disable-next-line":
            start = _line_start(doc.text, m.end(), 1)
            result.append(Silence(start, _line_start(doc.text, start, 1), ids))
        elif action == "disable":
            for rule in ids or {""}:
                open_since.setdefault(rule, m.end())
        else:
            for rule in ids or list(open_since):
                if rule in open_since:
                    result.append(Silence(open_since.pop(rule), m.start(), frozenset({rule} - {""})))
    result.extend(Silence(start, len(doc.text) + 1, frozenset({rule} - {""})) for rule, start in open_since.items())
    return result


def _line_start(text: str, offset: int, lines: int) -> int:
    """Offset of the start of the line ``lines`` lines after the one holding ``offset``."""
    for _ in range(lines):
        nl = text.find("\n", offset)
        if nl < 0:
            return len(text)
        offset = nl + 1
    return offset
