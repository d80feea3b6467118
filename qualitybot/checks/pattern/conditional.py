"""``conditional``: a match of ``first`` needs ``second`` (an acronym needs its definition)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, field_validator

from qualitybot.checks.pattern.base import PatternList, ValeRule, register, valid_pattern
from qualitybot.checks.pattern.common import excepted, exceptions_pattern, region_text
from qualitybot.checks.pattern.message import format_message
from qualitybot.checks.pattern.regex import compile_pattern
from qualitybot.checks.pattern.scopes import regions
from qualitybot.contract import Hit
from qualitybot.document import Document


@register
class Conditional(ValeRule):
    extends: Literal["conditional"]
    first: str = Field(description="the antecedent regex, e.g. an acronym \\b([A-Z]{3,5})\\b")
    second: str = Field(description="what must also appear; its capture groups name what is defined")
    exceptions: PatternList = Field(default_factory=list, description="antecedents to accept")
    ignorecase: bool = Field(False, description="accepted for Vale compatibility (Vale ignores it here)")
    vocab: bool = Field(True, description="Vale vocabularies (qualitybot has none; accepted)")

    @field_validator("first", "second")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return valid_pattern(value)

    def run(self, doc: Document) -> Iterator[Hit]:
        first, second = compile_pattern(self.first), compile_pattern(self.second)
        except_re = exceptions_pattern(self.exceptions)
        defined: set[str] = set()  # like Vale's per-file sequences: a definition holds from there on
        for region in regions(doc, self.scope):
            text = region_text(doc, region)
            if not second.groups:
                # Without a group it is a presence check: `second` anywhere in the block will do.
                if second.search(text):
                    continue
            else:
                for m in second.finditer(text):
                    defined.update(m.group(text, i) for i in range(1, second.groups + 1) if m.group(text, i))
            for m in first.finditer(text):
                found = text[m.start : m.end]
                if (second.groups and found in defined) or excepted(except_re, found):
                    continue
                yield Hit(region.start + m.start, region.start + m.end, format_message(self.message, found))
