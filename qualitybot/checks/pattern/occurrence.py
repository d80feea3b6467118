"""``occurrence``: the number of matches of ``token`` in each scope must lie within ``min``/``max``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field, field_validator, model_validator

from qualitybot.checks.pattern.base import ValeRule, register, valid_pattern
from qualitybot.checks.pattern.common import IGNORE_CASE, region_text
from qualitybot.checks.pattern.message import format_message
from qualitybot.checks.pattern.regex import compile_pattern
from qualitybot.checks.pattern.scopes import regions
from qualitybot.contract import Hit
from qualitybot.document import Document


@register
class Occurrence(ValeRule):
    extends: Literal["occurrence"]
    token: str = Field(description="the regex to count")
    max: int = Field(0, ge=0, description="more matches than this is an alert; 0 = no maximum")
    min: int = Field(0, ge=0, description="fewer matches than this is an alert; 0 = no minimum")
    ignorecase: bool = Field(False, description="match regardless of case")

    @model_validator(mode="after")
    def _compiles(self) -> Occurrence:
        if not self.max and not self.min:
            raise ValueError("an occurrence rule needs 'max' or 'min'")
        valid_pattern(self.pattern())
        return self

    @field_validator("token")
    @classmethod
    def _token(cls, token: str) -> str:
        return valid_pattern(token)

    def pattern(self) -> str:
        return (IGNORE_CASE if self.ignorecase else "") + f"(?:{self.token})"

    def run(self, doc: Document) -> Iterator[Hit]:
        pattern = compile_pattern(self.pattern())
        for region in regions(doc, self.scope):
            found = list(pattern.finditer(region_text(doc, region)))
            count = len(found)
            if (self.max and count > self.max) or (self.min and count < self.min):
                # Like Vale: at the first match, or at the scope's start when there is none;
                # %s in the message is the number of occurrences.
                start, end = (found[0].start, found[0].end) if found else (0, 0)
                yield Hit(region.start + start, region.start + end, format_message(self.message, str(count)))
