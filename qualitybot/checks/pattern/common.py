"""What the rule types share: the text of a region, Vale's regex templates, exceptions."""

from __future__ import annotations

from qualitybot.checks.pattern.regex import Pattern, compile_pattern
from qualitybot.checks.pattern.scopes import Region
from qualitybot.document import Document

IGNORE_CASE = "(?i)"
WORD_TEMPLATE = r"(?m)\b(?:%s)\b"
NONWORD_TEMPLATE = r"(?m)(?:%s)"


def region_text(doc: Document, region: Region) -> str:
    source = doc.text if region.raw else doc.prose
    return source[region.start : region.end]


def make_regexp(tokens: str, *, ignorecase: bool, word: bool, raw: str = "", append: bool = False) -> str:
    """Vale's ``makeRegexp``: word boundaries unless ``nonword``, raw before (or after) the tokens."""
    template = WORD_TEMPLATE if word else NONWORD_TEMPLATE
    regex = template % tokens
    regex = regex + raw if append else raw + regex
    return IGNORE_CASE + regex if ignorecase else regex


def exceptions_pattern(exceptions: list[str]) -> Pattern | None:
    """Vale's ``updateExceptions``: longest first, each case-sensitive unless it says ``(?i)``."""
    if not exceptions:
        return None
    terms = sorted(exceptions, key=len, reverse=True)
    terms = [t if t.startswith("(?i)") else f"(?-i){t}" for t in terms]
    return compile_pattern(make_regexp("|".join(terms), ignorecase=False, word=True))


def excepted(pattern: Pattern | None, observed: str) -> bool:
    return pattern is not None and pattern.search(observed)
