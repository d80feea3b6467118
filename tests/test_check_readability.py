"""Fixture table for the readability check."""

from __future__ import annotations

from typing import Any

import pytest

from qualitybot.checks.readability import Options, check
from tests.conftest import make_doc

LONG_SENTENCE = (
    "The minister, who had arrived late from a summit in Brussels where talks on the budget had "
    "stalled for a third day, said on Monday that the government would not change course however "
    "loud the protests became outside."
)
SHORT_SENTENCES = "The minister arrived late. Talks had stalled. She said the plan stands."
HARD_TEXT = (
    "Notwithstanding considerable institutional heterogeneity, intergovernmental coordination "
    "mechanisms demonstrate substantially ameliorated administrative effectiveness characteristics. "
) * 10
EASY_TEXT = "The cat sat on the mat. The dog ran to the park. We had fun in the sun. " * 10


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        # sentence length: (line, column, kind)
        (LONG_SENTENCE, {"max_sentence_words": 25}, [(1, 1, "sentence-length")]),
        (SHORT_SENTENCES + "\n\n" + LONG_SENTENCE, {"max_sentence_words": 25}, [(3, 1, "sentence-length")]),
        (SHORT_SENTENCES, {"max_sentence_words": 25}, []),
        (LONG_SENTENCE, {"max_sentence_words": 0}, []),
        # paragraph length
        (SHORT_SENTENCES * 3, {"max_sentence_words": 0, "max_paragraph_words": 20}, [(1, 1, "paragraph-length")]),
        (SHORT_SENTENCES, {"max_sentence_words": 0, "max_paragraph_words": 20}, []),
        # document metrics
        (HARD_TEXT, {"min_words": 10, "metrics": {"flesch_reading_ease": {"min": 30}}}, [(1, 1, "metric")]),
        (EASY_TEXT, {"min_words": 10, "metrics": {"flesch_reading_ease": {"min": 30}}}, []),
        (HARD_TEXT, {"min_words": 10, "metrics": {"flesch_kincaid_grade": {"max": 16}}}, [(1, 1, "metric")]),
        (EASY_TEXT, {"min_words": 10, "metrics": {"flesch_kincaid_grade": {"max": 16}}}, []),
        (HARD_TEXT, {"min_words": 1000, "metrics": {"flesch_reading_ease": {"min": 30}}}, []),
        ("```\n" + HARD_TEXT + "\n```\n", {"min_words": 1, "metrics": {"flesch_reading_ease": {"min": 30}}}, []),
    ],
)
def test_readability(text: str, options: dict[str, Any], expected: list[tuple[int, int, str]]) -> None:
    doc = make_doc(text)
    hits = list(check(doc, Options(**options)))
    assert [(*doc.line_col(h.start), h.kind) for h in hits] == expected


def test_messages_say_what_and_limit() -> None:
    doc = make_doc(LONG_SENTENCE)
    (hit,) = check(doc, Options(max_sentence_words=25))
    assert hit.message == "Sentence has 38 words (limit 25): split it"
    (metric,) = check(make_doc(HARD_TEXT), Options(min_words=1, max_sentence_words=0,
                                                    metrics={"flesch_reading_ease": {"min": 30}}))
    assert metric.message.startswith("flesch_reading_ease is ") and "below the minimum 30" in metric.message
