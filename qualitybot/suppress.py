"""Inline suppression comments, qualitybot's and Vale's.

``<!-- qualitybot: disable RULE[, RULE...] -->`` silences rules until
``<!-- qualitybot: enable RULE -->`` (or the end of the file);
``<!-- qualitybot: disable-next-line RULE -->`` silences them on the next line and
``<!-- qualitybot: disable-line RULE -->`` on the comment's own line.
Without rule ids the comment applies to every rule. A rule id also covers its
kinds: ``quotes`` silences ``quotes.empty`` and ``quotes.single``. A rule id that
the rules file does not know gives a warning (``suppression.unknown-rule``) with
a "did you mean", since a misspelt id silences nothing.

Vale's comments work on the pattern rules (Vale's rule types), so articles
written for Vale keep their exceptions: ``<!-- vale off -->`` / ``<!-- vale on -->``,
``<!-- vale Style.Rule = NO -->`` / ``= YES``, and ``<!-- vale Style = NO -->``
for every rule of an imported style.

The comments themselves are never checked, in plain text files too.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from qualitybot.document import Document

# The rule list stops at the next "<" or ">": an unclosed comment costs a short scan, not one to
# the end of the file for every comment (quadratic on a file of unclosed comments).
_COMMENT = re.compile(r"<!--\s*qualitybot:\s*(disable-next-line|disable-line|disable|enable)\b([^<>]*?)-->")
_VALE = re.compile(r"<!--\s*vale\s+(off|on|([\w.-]+)\s*=\s*(YES|NO))\s*-->", re.IGNORECASE)
_ALL = ""  # the key of a silence of every rule
_VALE_OFF = "\0vale"  # the key of `vale off`: every pattern rule


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


def silences(doc: Document, vale_rules: Iterable[str] = ()) -> list[Silence]:
    """What the document's comments silence; ``vale_rules`` are the rules ``vale off`` covers."""
    vale = frozenset(vale_rules)
    result: list[Silence] = []
    open_since: dict[str, tuple[int, frozenset[str]]] = {}  # key -> (offset where disabled, rules)
    for action, ids, m in _controls(doc.text):
        if action == "disable-next-line":
            start = _line_start(doc.text, m.end(), 1)
            result.append(Silence(start, _line_start(doc.text, start, 1), ids))
        elif action == "disable-line":
            result.append(Silence(doc.text.rfind("\n", 0, m.start()) + 1, _line_start(doc.text, m.end(), 1), ids))
        elif action == "disable":
            for rule in ids or {_ALL}:
                open_since.setdefault(rule, (m.end(), vale if rule == _VALE_OFF else frozenset({rule} - {_ALL})))
        else:
            for rule in ids or [r for r in open_since if r != _VALE_OFF]:
                if rule in open_since:
                    start, rules = open_since.pop(rule)
                    if rules or rule == _ALL:
                        result.append(Silence(start, m.start(), rules))
    result.extend(
        Silence(start, len(doc.text) + 1, rules) for key, (start, rules) in open_since.items() if rules or key == _ALL
    )
    return result


def _controls(text: str) -> Iterator[tuple[str, frozenset[str], re.Match[str]]]:
    """(action, rule ids, comment) for qualitybot's and Vale's comments, in document order."""
    found: list[tuple[int, str, frozenset[str], re.Match[str]]] = []
    for m in _COMMENT.finditer(text):
        found.append((m.start(), m.group(1), rule_ids(m.group(2)), m))
    for m in _VALE.finditer(text):
        if m.group(2):
            action = "disable" if m.group(3).upper() == "NO" else "enable"
            found.append((m.start(), action, frozenset({m.group(2)}), m))
        else:
            action = "disable" if m.group(1).lower() == "off" else "enable"
            found.append((m.start(), action, frozenset({_VALE_OFF}), m))
    for _, action, ids, m in sorted(found, key=lambda item: item[0]):
        yield action, ids, m


def rule_ids(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[\w.-]+", text))


def comment_spans(text: str) -> list[tuple[int, int]]:
    """Where the control comments are: no check reads them."""
    spans = [(m.start(), m.end()) for m in _COMMENT.finditer(text)]
    spans += [(m.start(), m.end()) for m in _VALE.finditer(text)]
    return sorted(spans)


def without_comments(doc: Document) -> str:
    """``doc.prose`` with the control comments blanked (Markdown already blanks them; plain text does not)."""
    spans = comment_spans(doc.text)
    if not spans:
        return doc.prose
    prose = list(doc.prose)
    for start, end in spans:
        for i in range(start, end):
            if prose[i] != "\n":
                prose[i] = " "
    return "".join(prose)


@dataclass(frozen=True)
class UnknownRule:
    start: int
    end: int
    rule: str
    hint: str | None


def unknown_rules(doc: Document, known: Iterable[str]) -> list[UnknownRule]:
    """Rule ids named in qualitybot comments that no rule (or kind of finding) of the rules file has."""
    known = list(known)
    known_set = set(known)
    found = []
    for m in _COMMENT.finditer(doc.text):
        for name in sorted(rule_ids(m.group(2))):
            if name not in known_set:
                hint = difflib.get_close_matches(name, known, 1, 0.6)
                found.append(UnknownRule(m.start(), m.end(), name, hint[0] if hint else None))
    return found


def _line_start(text: str, offset: int, lines: int) -> int:
    """Offset of the start of the line ``lines`` lines after the one holding ``offset``."""
    for _ in range(lines):
        nl = text.find("\n", offset)
        if nl < 0:
            return len(text)
        offset = nl + 1
    return offset
