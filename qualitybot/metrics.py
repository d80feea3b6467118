"""Document metrics (textstat), computed offline (see :mod:`qualitybot.textstat_offline`)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Literal, get_args

import textstat

from qualitybot.document import Document
from qualitybot.textstat_offline import get_cmudict

# Whoever imported textstat first, its syllable counter reads the shipped dictionary.
_syllables = importlib.import_module("textstat.backend.counts._count_syllables")
_syllables.get_cmudict = get_cmudict  # type: ignore[attr-defined]

MetricName = Literal[
    "flesch_reading_ease",
    "flesch_kincaid_grade",
    "gunning_fog",
    "smog_index",
    "coleman_liau_index",
    "automated_readability_index",
    "dale_chall_readability_score",
]

# The metrics a rules file may set thresholds on, by report name.
METRICS: dict[MetricName, Callable[[str], float]] = {
    "flesch_reading_ease": textstat.flesch_reading_ease,
    "flesch_kincaid_grade": textstat.flesch_kincaid_grade,
    "gunning_fog": textstat.gunning_fog,
    "smog_index": textstat.smog_index,
    "coleman_liau_index": textstat.coleman_liau_index,
    "automated_readability_index": textstat.automated_readability_index,
    "dale_chall_readability_score": textstat.dale_chall_readability_score,
}
assert set(METRICS) == set(get_args(MetricName))


def words(text: str) -> int:
    return int(textstat.lexicon_count(text))


# Longer runs without spaces are cut to this length: textstat's hyphenator (pyphen)
# is not linear in the length of a word, and no word is that long.
MAX_WORD_CHARS = 100
_LONG_RUN = re.compile(rf"(?<!\S)(\S{{{MAX_WORD_CHARS}}})\S+")


def prose_text(doc: Document) -> str:
    """The document's prose, one block per paragraph, as textstat expects it."""
    text = "\n\n".join(" ".join(doc.prose_of(b).split()) for b in doc.blocks)
    return _LONG_RUN.sub(r"\1", text)


def document_metrics(doc: Document) -> dict[str, float]:
    """Word and sentence counts and every readability metric, rounded to one decimal."""
    text = prose_text(doc)
    result: dict[str, float] = {"words": words(text), "sentences": len(doc.sentences)}
    for name, metric in METRICS.items():
        result[name] = round(float(metric(text)), 1) if text.strip() else 0.0
    return result
