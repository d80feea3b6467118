"""Words and marks of a text, with offsets, for the house rules."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    # Whether only spaces (no punctuation, no paragraph break) separate it from the token before.
    joined: bool

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_word(self) -> bool:
        return self.text[:1].isalpha()


# Hyphenated compounds are one token ("non-farm", "policy-makers").
_TOKEN = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*|\d[\d.,]*|\S")
#: Abbreviations that end in a full stop inside a sentence ("Big Lots Inc. posted", "Jan. 5").
_ABBREVIATIONS = """etc vs al approx incl esp cf viz ca fig figs vol vols ch pp sq ft oz lb
    lbs st mt jr sr dr mr mrs ms co corp inc ltd bros dept est govt hr hrs min
    mins sec secs yr yrs wk ed eds rev gen col sgt lt capt cmdr pres rep sen no
    nos op ie eg am pm ave rd blvd jan feb mar apr jun jul aug sep sept oct nov dec
    gov maj adm supt insp det prof messrs mme mlle mil mln bln bn pct"""
ABBREVIATIONS = frozenset(_ABBREVIATIONS.split())
#: Initials and dotted abbreviations: "U.S.", "N.C.", "J.", "a.m.".
DOTTED = re.compile(r"(?:[A-Za-z]\.)+")


def is_abbreviation(word: str) -> bool:
    """ "Inc.", "Jan.", "U.S.", "J.": a word that ends in the full stop of an abbreviation."""
    word = word.lstrip("(\"“‘'")
    return word.endswith(".") and (word[:-1].lower() in ABBREVIATIONS or DOTTED.fullmatch(word) is not None)
# Punctuation after which a clause starts (not a hyphen, slash or apostrophe).
CLAUSE_PUNCTUATION = frozenset('.!?;:,()[]"“”‘—–')


def tokens(text: str) -> list[Token]:
    found: list[Token] = []
    previous_end = 0
    previous_word = False
    for m in _TOKEN.finditer(text):
        gap = text[previous_end : m.start()]
        is_word = m.group()[:1].isalpha()
        joined = previous_word and is_word and "\n\n" not in gap
        found.append(Token(m.group(), m.start(), m.end(), joined))
        previous_end, previous_word = m.end(), is_word
    return found


def spaced(text: str, toks: list[Token], i: int) -> bool:
    """Whether only spaces or one line break separate token ``i`` from the one before (words or not)."""
    if i == 0:
        return False
    gap = text[toks[i - 1].end : toks[i].start]
    return gap.strip(" \t\n") == "" and "\n\n" not in gap
