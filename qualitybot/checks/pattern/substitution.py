"""``substitution``: a ``swap`` of observed -> expected forms; report the observed ones."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal

from pydantic import Field, field_validator, model_validator

from qualitybot.checks.pattern.base import PatternList, ValeRule, register, valid_pattern, valid_patterns
from qualitybot.checks.pattern.common import excepted, exceptions_pattern, make_regexp, region_text
from qualitybot.checks.pattern.message import format_message, to_sentence, unquote_first
from qualitybot.checks.pattern.regex import Match, PatternError, compile_pattern
from qualitybot.checks.pattern.scopes import regions
from qualitybot.contract import Hit
from qualitybot.document import Document

_GROUP_REF = re.compile(r"\$(\d+)")
_PHRASE = re.compile(r"[\w\s-]*")  # Vale's phrase(): letters, digits, spaces, hyphens


@register
class Substitution(ValeRule):
    extends: Literal["substitution"]
    swap: dict[str, str] = Field(description="observed: expected pairs; keys are regexes, values may use $1")
    ignorecase: bool = Field(False, description="match regardless of case")
    nonword: bool = Field(False, description="no word boundaries around the keys")
    exceptions: PatternList = Field(default_factory=list, description="matches to accept")
    capitalize: bool = Field(False, description="capitalize the suggestion when the match is capitalized")
    vocab: bool = Field(True, description="Vale vocabularies (qualitybot has none; accepted)")

    @model_validator(mode="after")
    def _compiles(self) -> Substitution:
        if not self.swap:
            raise ValueError("a substitution rule needs at least one 'swap' pair")
        valid_pattern(self.pattern())
        return self

    @field_validator("swap")
    @classmethod
    def _keys(cls, swap: dict[str, str]) -> dict[str, str]:
        valid_patterns(list(swap))
        return swap

    def pattern(self) -> str:
        tokens = "|".join(f"({key})" for key in self.swap)
        return make_regexp(tokens, ignorecase=self.ignorecase, word=not self.nonword)

    def _group_of_each_key(self) -> list[tuple[int, str, str]]:
        """(group number, key, expected) per key: each key is one group plus its own groups."""
        result, group = [], 1
        for key, expected in self.swap.items():
            result.append((group, key, expected))
            group += 1 + compile_pattern(key).groups
        return result

    def run(self, doc: Document) -> Iterator[Hit]:
        pattern = compile_pattern(self.pattern())
        keys = self._group_of_each_key()
        except_re = exceptions_pattern(self.exceptions)
        for region in regions(doc, self.scope):
            text = region_text(doc, region)
            for m in pattern.finditer(text):
                for group, _key, template in keys:
                    start, end = m.groups[group - 1]
                    if start < 0:
                        continue
                    observed = text[start:end].strip()
                    expected = _expand(template, m, group, text)
                    if self._conforms(expected, observed) or excepted(except_re, observed):
                        break
                    yield self._hit(region.start + start, region.start + end, expected, observed)
                    break

    def _conforms(self, expected: str, observed: str) -> bool:
        """Vale's ``matchToken``: a plain phrase must be equal; a regex must match all of it."""
        if _PHRASE.fullmatch(expected):
            return expected == observed
        flags = "(?i)" if self.ignorecase else ""
        try:
            return compile_pattern(f"^(?:{flags}{expected})$").search(observed)
        except PatternError:
            return expected == observed

    def _hit(self, start: int, end: int, expected: str, observed: str) -> Hit:
        options = expected.split("|")
        if self.capitalize and observed[:1].isupper():
            options = [o[:1].upper() + o[1:] for o in options]
            expected = "|".join(options)
        message = self.message
        if self.action.name == "replace" and not self.action.params:
            expected = to_sentence(options, "or")
            message = unquote_first(message)
        suggestions = tuple(self.action.params or options) if self.action.name in ("", "replace") else ()
        return Hit(start, end, format_message(message, expected, observed), suggestions=suggestions)


def _expand(template: str, m: Match, group: int, text: str) -> str:
    """``$1``.. in a swap value are the key's own capture groups."""

    def ref(found: re.Match[str]) -> str:
        index = group + int(found.group(1))
        return m.group(text, index) if index - 1 < len(m.groups) else found.group(0)

    return _GROUP_REF.sub(ref, template)
