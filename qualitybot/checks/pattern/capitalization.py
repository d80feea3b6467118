"""``capitalization``: each scope (typically ``heading``) must be in the case ``match`` names.

``$title`` (AP or Chicago ``style``), ``$sentence``, ``$lower``, ``$upper``, or a regex
the text must contain. ``$title`` and ``$sentence`` pass when more than ``threshold``
of the words conform, as in Vale; ``exceptions`` are words or phrases taken as written
and ``indicators`` are endings (such as ``:``) after which a capital is fine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, field_validator

from qualitybot.checks.pattern.base import PatternList, StrList, ValeRule, register, valid_pattern
from qualitybot.checks.pattern.common import excepted, exceptions_pattern, region_text
from qualitybot.checks.pattern.message import format_message
from qualitybot.checks.pattern.regex import Pattern, compile_pattern
from qualitybot.checks.pattern.scopes import regions
from qualitybot.contract import Hit
from qualitybot.document import Document

_WORD = r"[\p{N}\p{L}*]+[^\s]*"
# Words a title keeps in lower case unless first or last (AP: short function words;
# Chicago: also every preposition).
_AP_SMALL = frozenset(str.split("a an and as at but by en for if in nor of on or so the to up v vs via yet"))
_CHICAGO_SMALL = _AP_SMALL | frozenset(
    str.split(
        "about above across after against along among around before behind below beneath beside between "
        "beyond down during except from inside into like near off onto out outside over past since "
        "through throughout toward under underneath until upon with within without"
    )
)
_APOSTROPHES = "'\u2019"
_OPENING = "\"'\u201c\u201d\u2018\u2019([{"
_CLOSING = ".,;:!?\"'\u201d\u2019)]}"


@register
class Capitalization(ValeRule):
    extends: Literal["capitalization"]
    match: str = Field(description="$title, $sentence, $lower, $upper, or a regex the text must match")
    style: Literal["AP", "Chicago"] = Field("AP", description="title-case style for $title")
    exceptions: PatternList = Field(default_factory=list, description="words or phrases taken as written")
    indicators: StrList = Field(default_factory=list, description="endings after which a capital is fine")
    threshold: float = Field(0.8, gt=0, le=1, description="share of words that must conform")
    vocab: bool = Field(True, description="Vale vocabularies (qualitybot has none; accepted)")

    @field_validator("match")
    @classmethod
    def _match(cls, match: str) -> str:
        if not match.startswith("$"):
            return valid_pattern(match)
        if match not in ("$title", "$sentence", "$lower", "$upper"):
            raise ValueError("expected $title, $sentence, $lower, $upper or a regex")
        return match

    def run(self, doc: Document) -> Iterator[Hit]:
        except_re = exceptions_pattern(self.exceptions)
        for region in regions(doc, self.scope):
            text = region_text(doc, region).strip()
            if text and not self.conforms(text, except_re):
                start = region.start + region_text(doc, region).find(text)
                yield Hit(start, start + len(text), format_message(self.message, text))

    def conforms(self, text: str, except_re: Pattern | None) -> bool:
        if self.match == "$lower":
            return text == text.lower() or excepted(except_re, text)
        if self.match == "$upper":
            return text == text.upper() or excepted(except_re, text)
        if self.match == "$title":
            return self._title(text, except_re)
        if self.match == "$sentence":
            return self._sentence(text, except_re)
        return compile_pattern(self.match).search(text) or excepted(except_re, text)

    def _words(self, text: str, except_re: Pattern | None) -> list[str]:
        source = f"{except_re.source}|{_WORD}" if except_re else _WORD
        found = compile_pattern(source)
        return [text[m.start : m.end] for m in found.finditer(text)]

    def _title(self, text: str, except_re: Pattern | None) -> bool:
        expected = self._words(title_case(text, self.style), except_re)
        words = self._words(text, except_re)
        count = 0
        for i, word in enumerate(words):
            if i >= len(expected) or word == expected[i] or excepted(except_re, word) or word == word.upper():
                count += 1
        return bool(words) and count / len(words) > self.threshold

    def _sentence(self, text: str, except_re: Pattern | None) -> bool:
        words = self._words(text.rstrip("?!.:"), except_re)
        count = 0
        for i, word in enumerate(words):
            prev = words[i - 1] if i else ""
            for mark in "-" + _APOSTROPHES:
                if mark in word:
                    word = word.split(mark)[0]
                    break
            if word == word.upper() or any(prev.endswith(s) for s in self.indicators) or excepted(except_re, word):
                count += 1
            elif i == 0 and word != go_title(word.lower()):
                return False
            elif i == 0 or word == word.lower():
                count += 1
        return bool(words) and count / len(words) > self.threshold


def title_case(text: str, style: str = "AP") -> str:
    """Title case: every word capitalized but short function words inside the title."""
    small = _CHICAGO_SMALL if style == "Chicago" else _AP_SMALL
    words = text.split(" ")
    last = max((i for i, w in enumerate(words) if w), default=0)
    out = []
    after_colon = True
    for i, word in enumerate(words):
        bare = word.strip(_OPENING).lower().rstrip(_CLOSING)
        if not after_colon and i != last and bare in small:
            out.append(word.lower())
        elif any(c.isupper() for c in word[1:]):
            out.append(word)  # iPhone, NASA, McDonald: written as meant
        else:
            out.append(_capitalize_first_letter(word))
        after_colon = word.endswith(":") if word else after_colon
    return " ".join(out)


def _capitalize_first_letter(word: str) -> str:
    for i, c in enumerate(word):
        if c.isalpha():
            return word[:i] + c.upper() + word[i + 1 :]
    return word


def go_title(word: str) -> str:
    """Go's ``strings.Title``: a letter after a separator (not a letter, digit or _) is capitalized."""
    out, prev_sep = [], True
    for c in word:
        out.append(c.upper() if prev_sep else c)
        prev_sep = not (c.isalnum() or c == "_")
    return "".join(out)
