"""``consistency``: of each ``either`` pair of spellings, a document uses one only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, field_validator

from qualitybot.checks.pattern.base import ValeRule, register, valid_pattern
from qualitybot.checks.pattern.common import make_regexp, region_text
from qualitybot.checks.pattern.message import format_message
from qualitybot.checks.pattern.regex import compile_pattern
from qualitybot.checks.pattern.scopes import regions
from qualitybot.contract import Hit
from qualitybot.document import Document


@register
class Consistency(ValeRule):
    extends: Literal["consistency"]
    either: dict[str, str] = Field(description="pairs of forms (advisor: adviser) of which one may appear")
    ignorecase: bool = Field(False, description="match regardless of case")
    nonword: bool = Field(False, description="no word boundaries around the forms")

    @field_validator("either")
    @classmethod
    def _pairs(cls, either: dict[str, str]) -> dict[str, str]:
        if not either:
            raise ValueError("a consistency rule needs at least one pair")
        for one, other in either.items():
            valid_pattern(f"(?:{one})|(?:{other})")
        return either

    def run(self, doc: Document) -> Iterator[Hit]:
        seen: set[tuple[str, int]] = set()  # (first form of the pair, 1 or 2) seen so far in the document
        for region in regions(doc, self.scope):
            text = region_text(doc, region)
            for one, other in self.either.items():
                regex = make_regexp(f"({one})|({other})", ignorecase=self.ignorecase, word=not self.nonword)
                pattern = compile_pattern(regex)
                matches = list(pattern.finditer(text))
                for m in matches:
                    seen.update((one, side) for side in (1, 2) if m.groups[_group(one, side)][0] >= 0)
                if matches and {(one, 1), (one, 2)} <= seen:
                    # Like Vale: once per block, where the last match's text first occurs in it.
                    found = text[matches[-1].start : matches[-1].end]
                    start = region.start + text.find(found)
                    yield Hit(start, start + len(found), format_message(self.message, found))


def _group(one: str, side: int) -> int:
    """Index in Match.groups of side 1 (``one``) or side 2 of the pair's pattern."""
    return 0 if side == 1 else 1 + compile_pattern(one).groups
