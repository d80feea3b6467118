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

The same bigram list also gives the word-pair table
(``fluency_words.txt.gz``): every pair (``first second<TAB>count``) and every
word with how often it starts and ends a pair (``word<TAB>left<TAB>right``),
sorted, so that a lookup is a bisection of the lines; the first line holds the
total and the smallest count. Regenerate it with::

    python -m qualitybot.checks.fluency_table --words qualitybot/checks/fluency_words.txt.gz
"""

from __future__ import annotations

import bisect
import gzip
import importlib.util
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

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


@dataclass(frozen=True)
class WordCounts:
    """The word-pair table: sorted ``word<TAB>left<TAB>right`` and ``first second<TAB>count`` lines.

    A word's ``left`` count is how often it starts a listed pair, ``right`` how
    often it ends one: both come from the same list as the pairs, so a word
    that is common today but rare in the books (``online``) is not expected to
    pair more often than the books let it.
    """

    lines: list[str]
    total: float
    #: The smallest count in the bigram list: a pair it lacks is rarer than this.
    floor: float

    def _counts(self, key: str) -> list[str] | None:
        prefix = key + "\t"
        i = bisect.bisect_left(self.lines, prefix)
        if i < len(self.lines) and self.lines[i].startswith(prefix):
            return self.lines[i][len(prefix) :].split("\t")
        return None

    def lift(self, first: str, second: str) -> float | None:
        """How much more often ``first second`` occurs than chance makes it; None when unknown.

        For a pair the list lacks, the lift is an upper bound (the list's smallest
        count over the pair's expected count), known only when that bound is
        below 1: two rare words are simply not listed together.
        """
        a, b = self._counts(first), self._counts(second)
        if a is None or b is None:
            return None
        expected = float(a[0]) * float(b[1]) / self.total
        pair = self._counts(f"{first} {second}")
        if pair is not None:
            return float(pair[0]) / expected
        return self.floor / expected if expected > self.floor else None


@cache
def word_counts() -> WordCounts:
    """The word-pair table shipped with the package (about 0.07 s to load)."""
    raw = resources.files("qualitybot.checks").joinpath("fluency_words.txt.gz").read_bytes()
    totals, *lines = gzip.decompress(raw).decode("utf-8").splitlines()
    total, floor = (float(x) for x in totals.split("\t")[1:])
    return WordCounts(lines, total, floor)


def build() -> dict[str, object]:
    pairs: Counter[str] = Counter()
    with open(_package_file("symspellpy", BIGRAMS), encoding="utf-8") as lines:
        for line in lines:
            first, second, count = line.split()
            a, b = word_class(first), word_class(second)
            if a is not None and b is not None:
                pairs[f"{a} {b}"] += int(count)
    return {"source": f"symspellpy {BIGRAMS} x lemminflect lemma_lu", "pairs": dict(sorted(pairs.items()))}


def build_words() -> bytes:
    """The word-pair table, gzipped: a totals line, then the sorted lines of words and pairs."""
    bigrams: dict[str, int] = {}
    left: Counter[str] = Counter()
    right: Counter[str] = Counter()
    with open(_package_file("symspellpy", BIGRAMS), encoding="utf-8") as lines:
        for line in lines:
            first, second, count = line.split()
            bigrams[f"{first} {second}"] = int(count)
            left[first] += int(count)
            right[second] += int(count)
    totals = f"#totals\t{sum(bigrams.values())}\t{min(bigrams.values())}"
    # Three significant digits are plenty for a lift, and halve the file.
    words = (f"{word}\t{left[word]:.3g}\t{right[word]:.3g}" for word in left.keys() | right.keys())
    pairs = (f"{pair}\t{count:.3g}" for pair, count in bigrams.items())
    # mtime=0: the same list always gives the same bytes.
    return gzip.compress("\n".join([totals, *sorted([*words, *pairs])]).encode("utf-8") + b"\n", mtime=0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--words"]:
        with open(sys.argv[2], "wb") as out:
            out.write(build_words())
    else:
        json.dump(build(), sys.stdout, indent=0, sort_keys=False)
        sys.stdout.write("\n")
