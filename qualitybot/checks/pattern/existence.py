"""``existence``: report every match of ``tokens`` (and ``raw``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, model_validator

from qualitybot.checks.pattern.base import PatternList, StrList, ValeRule, register, valid_pattern
from qualitybot.checks.pattern.common import excepted, exceptions_pattern, make_regexp, region_text
from qualitybot.checks.pattern.message import format_message
from qualitybot.checks.pattern.regex import compile_pattern
from qualitybot.checks.pattern.scopes import regions
from qualitybot.contract import Hit
from qualitybot.document import Document


@register
class Existence(ValeRule):
    extends: Literal["existence"]
    tokens: PatternList = Field(default_factory=list, description="words or regexes to report")
    raw: StrList = Field(default_factory=list, description="regex pieces joined as they are, no boundaries")
    append: bool = Field(False, description="put raw after the tokens instead of before")
    ignorecase: bool = Field(False, description="match regardless of case")
    nonword: bool = Field(False, description="no word boundaries around the tokens")
    exceptions: PatternList = Field(default_factory=list, description="matches to accept")
    vocab: bool = Field(True, description="Vale vocabularies (qualitybot has none; accepted)")

    @model_validator(mode="after")
    def _compiles(self) -> Existence:
        if not any(t.strip() for t in self.tokens) and not "".join(self.raw):
            raise ValueError("an existence rule needs 'tokens' or 'raw'")
        valid_pattern(self.pattern())
        return self

    def pattern(self) -> str:
        tokens = "|".join(t for t in self.tokens if t.strip())
        raw = "".join(self.raw)
        word = not self.nonword and bool(tokens)
        return make_regexp(tokens, ignorecase=self.ignorecase, word=word, raw=raw, append=self.append)

    def run(self, doc: Document) -> Iterator[Hit]:
        pattern = compile_pattern(self.pattern())
        except_re = exceptions_pattern(self.exceptions)
        for region in regions(doc, self.scope):
            text = region_text(doc, region)
            for m in pattern.finditer(text):
                matched = text[m.start : m.end]
                if m.end == m.start or excepted(except_re, matched.strip()):
                    continue
                yield Hit(region.start + m.start, region.start + m.end, format_message(self.message, matched))
