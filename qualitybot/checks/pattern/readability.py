"""``readability``: the average grade of the named ``metrics`` must not exceed ``grade``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

import textstat
from pydantic import Field

from qualitybot.checks.pattern.base import ValeRule, register
from qualitybot.checks.pattern.message import format_message
from qualitybot.contract import Hit
from qualitybot.document import Document
from qualitybot.metrics import prose_text

GRADES: dict[str, Callable[[str], float]] = {
    "Gunning Fog": textstat.gunning_fog,
    "Coleman-Liau": textstat.coleman_liau_index,
    "Flesch-Kincaid": textstat.flesch_kincaid_grade,
    "SMOG": textstat.smog_index,
    "Automated Readability": textstat.automated_readability_index,
}
MetricName = Literal["Gunning Fog", "Coleman-Liau", "Flesch-Kincaid", "SMOG", "Automated Readability"]


@register
class Readability(ValeRule):
    extends: Literal["readability"]
    metrics: list[MetricName] = Field(min_length=1, description="grade formulas to average (textstat's)")
    grade: float = Field(description="the highest acceptable average grade")

    def run(self, doc: Document) -> Iterator[Hit]:
        text = prose_text(doc)
        if not text.strip():
            return
        grade = sum(float(GRADES[name](text)) for name in self.metrics) / len(self.metrics)
        if grade > self.grade:
            yield Hit(0, 0, format_message(self.message, f"{grade:.2f}"))
