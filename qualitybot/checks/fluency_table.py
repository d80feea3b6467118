"""Build the word-class transition table that the fluency check ships with.

The table is general English knowledge from two packages, never from evaluation
text: word-pair counts of the Google Books n-gram corpus as shipped by
``symspellpy`` (the 243,342 most frequent English bigrams) and the part-of-speech
readings of each word in ``lemminflect``'s lexicon. Every word becomes a class:
a function word is its own class (``the``, ``of``, ``could``), any other word the
set of its readings (``NOUN+VERB`` for "run"); the table counts how often each
class follows each other class. Regenerate it (``symspellpy`` is a test
dependency only) with::

    python -m qualitybot.checks.fluency_table > qualitybot/checks/fluency_transitions.json
"""

from __future__ import annotations

import bisect
import gzip
import importlib.util
import json
import os
import sys
from collections import Counter
from functools import cache

BIGRAMS = "frequency_bigramdictionary_en_243_342.txt"

#: Closed-class words, each its own class: their combinations carry the grammar.
_FUNCTION_WORDS = """
    a an the this that these those every each either neither no some any all both half its their our my your his
    her i you he she it we they me him us them myself yourself himself herself itself ourselves themselves one
    who whom whose which what where when why how whether if because although though while since unless until and
    or but nor so yet than as of in on at from with by for into onto upon about over under after before between
    through during without within against among across along around behind beyond toward towards via per despite
    near off out up down like to not be am is are was were been being have has had having do does did done doing
    will would can could shall should may might must there here very too also only just even still already never
    always ever often more most less least much many few such own other another same
"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())


def _package_file(package: str, *parts: str) -> str:
    spec = importlib.util.find_spec(package)  # locate without importing (lemminflect imports numpy)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"package {package!r} is not installed")
    return os.path.join(next(iter(spec.submodule_search_locations)), *parts)


@cache
def _entries() -> list[str]:
    """lemminflect's lexicon, one ``word,upos,lemmas`` line each, sorted for bisection.

    Reading it whole into a dictionary costs about 0.1 s at every cold start; the
    sorted lines cost a tenth of that, and a document asks for a few hundred words.
    """
    path = _package_file("lemminflect", "resources", "lemma_lu.csv.gz")
    with open(path, "rb") as raw:
        return sorted(gzip.decompress(raw.read()).decode("utf-8").splitlines())


_readings: dict[str, str | None] = {}


def readings(word: str) -> str | None:
    """The part-of-speech readings of a lower-case word (``NOUN+VERB``), None when unknown."""
    if word in _readings:
        return _readings[word]
    entries = _entries()
    prefix = word + ","
    tags = set()
    i = bisect.bisect_left(entries, prefix)
    while i < len(entries) and entries[i].startswith(prefix):
        tags.add(entries[i][len(prefix) :].split(",", 1)[0].upper())
        i += 1
    # The lexicon lists participles as verbs only; they are nouns and adjectives too
    # ("spending was", "the proposed deal").
    if "VERB" in tags and word.endswith("ing"):
        tags.add("NOUN")
    elif "VERB" in tags and word.endswith("ed"):
        tags.add("ADJ")
    result = "+".join(sorted(tags)) if tags and word[:1].islower() else None
    _readings[word] = result
    return result


def word_class(word: str) -> str | None:
    """The class of a lower-case word, or None when the lexicon does not know it."""
    if word in FUNCTION_WORDS:
        return word
    return readings(word)


def build() -> dict[str, object]:
    pairs: Counter[str] = Counter()
    with open(_package_file("symspellpy", BIGRAMS), encoding="utf-8") as lines:
        for line in lines:
            first, second, count = line.split()
            a, b = word_class(first), word_class(second)
            if a is not None and b is not None:
                pairs[f"{a} {b}"] += int(count)
    return {"source": f"symspellpy {BIGRAMS} x lemminflect lemma_lu", "pairs": dict(sorted(pairs.items()))}


if __name__ == "__main__":
    json.dump(build(), sys.stdout, indent=0, sort_keys=False)
    sys.stdout.write("\n")
