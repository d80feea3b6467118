"""Readability: document scores within bounds, and no overlong sentence or paragraph.

What it catches
    Documents whose readability scores (textstat: Flesch reading ease,
    Flesch-Kincaid grade, Gunning fog, SMOG, Coleman-Liau, ARI, Dale-Chall) fall
    outside the bounds the profile sets; sentences and paragraphs longer than a
    limit in words, each reported where it starts. Long sentences are the
    commonest reason a news story reads badly; machine-spun text often runs
    clauses together.

Fails (``max_sentence_words: 25``)
    The minister, who had arrived late from a summit in Brussels where talks on
    the budget had stalled for a third day, said on Monday that the government
    would not change course however loud the protests became outside.

Passes
    The minister arrived late from Brussels. Budget talks there had stalled.
    On Monday she said the government would not change course.

Options
    ``metrics``: bounds per metric, e.g. ``{flesch_reading_ease: {min: 30},
    flesch_kincaid_grade: {max: 16}}``; a score outside its bounds is a
    ``readability.metric`` finding at the start of the document.
    ``min_words``: documents shorter than this are not scored (scores of very
    short texts mean little). ``max_sentence_words`` and ``max_paragraph_words``
    (0 = no limit) give ``readability.sentence-length`` and
    ``readability.paragraph-length`` findings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pydantic import Field, model_validator

from qualitybot.contract import CheckOptions, Hit, Severity
from qualitybot.document import Document, Span
from qualitybot.metrics import MetricName, document_metrics, words

KINDS: dict[str, Severity] = {
    "metric": "warning",
    "sentence-length": "warning",
    "paragraph-length": "warning",
}


class Bounds(CheckOptions):
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class Options(CheckOptions):
    metrics: dict[MetricName, Bounds] = Field(default_factory=dict, description="bounds per readability metric")
    min_words: int = Field(100, ge=0, description="documents shorter than this are not scored")
    max_sentence_words: int = Field(45, ge=0, description="longest sentence in words; 0 = off")
    max_paragraph_words: int = Field(0, ge=0, description="longest paragraph in words; 0 = off")


def check(doc: Document, options: Options) -> Iterator[Hit]:
    yield from _too_long(doc, doc.sentences, options.max_sentence_words, "Sentence", "sentence-length")
    yield from _too_long(doc, doc.paragraphs, options.max_paragraph_words, "Paragraph", "paragraph-length")
    if not options.metrics or not doc.blocks:
        return
    scores = document_metrics(doc)
    if scores["words"] < options.min_words:
        return
    first = doc.blocks[0]
    for name, bounds in options.metrics.items():
        score = scores[name]
        if bounds.min is not None and score < bounds.min:
            why = f"below the minimum {bounds.min:g}"
        elif bounds.max is not None and score > bounds.max:
            why = f"above the maximum {bounds.max:g}"
        else:
            continue
        yield Hit(first.start, first.end, f"{name} is {score:g}, {why}", kind="metric")


def _too_long(doc: Document, spans: Sequence[Span], limit: int, what: str, kind: str) -> Iterator[Hit]:
    """Spans of more than ``limit`` words (0: no limit), each reported where it is."""
    if not limit:
        return
    advice = ": split it" if kind == "sentence-length" else ""
    for span in spans:
        count = words(doc.prose_of(span))
        if count > limit:
            yield Hit(span.start, span.end, f"{what} has {count} words (limit {limit}){advice}", kind=kind)
