"""``repetition``: the same match of ``tokens`` twice in a row ("the the"), within one sentence."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Literal

from pydantic import Field, model_validator

from qualitybot.checks.pattern.base import PatternList, ValeRule, register, valid_pattern
from qualitybot.checks.pattern.common import IGNORE_CASE, excepted, exceptions_pattern, region_text
from qualitybot.checks.pattern.message import format_message
from qualitybot.checks.pattern.regex import compile_pattern
from qualitybot.checks.pattern.scopes import regions
from qualitybot.contract import Hit
from qualitybot.document import Document


@register
class Repetition(ValeRule):
    extends: Literal["repetition"]
    tokens: PatternList = Field(description="regexes whose consecutive equal matches are reported")
    max: int = Field(0, ge=0, description="repeats allowed before an alert")
    ignorecase: bool = Field(False, description="compare matches regardless of case")
    alpha: bool = Field(False, description="only matches made of letters count")
    exceptions: PatternList = Field(default_factory=list, description="repeats to accept")
    vocab: bool = Field(True, description="Vale vocabularies (qualitybot has none; accepted)")

    @model_validator(mode="after")
    def _compiles(self) -> Repetition:
        if not self.tokens:
            raise ValueError("a repetition rule needs 'tokens'")
        valid_pattern(self.pattern())
        return self

    def pattern(self) -> str:
        return (IGNORE_CASE if self.ignorecase else "") + "(" + "|".join(self.tokens) + ")"

    def run(self, doc: Document) -> Iterator[Hit]:
        pattern = compile_pattern(self.pattern())
        except_re = exceptions_pattern(self.exceptions)
        sentence_starts = [s.start for s in doc.sentences]
        for region in regions(doc, self.scope):
            text = region_text(doc, region)
            prev, prev_start, count = "", 0, 0
            # Vale's loop, count and all: the count only resets after an alert.
            for m in pattern.finditer(text):
                curr = text[m.start : m.end].strip()
                same = curr.casefold() == prev.casefold() if self.ignorecase else curr == prev
                hit = same and curr != "" and (not self.alpha or curr.isalpha())
                if hit:
                    count += 1
                if hit and count > self.max:
                    start, end = region.start + prev_start, region.start + m.end
                    one_sentence = _sentence_of(sentence_starts, start) == _sentence_of(sentence_starts, end - 1)
                    if one_sentence and not excepted(except_re, doc.text[start:end]):
                        yield Hit(start, end, format_message(self.message, curr))
                        count = 0
                prev, prev_start = curr, m.start


def _sentence_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset)
