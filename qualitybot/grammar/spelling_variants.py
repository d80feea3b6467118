"""British and American spellings of one word: "colour"/"color", "organise"/"organize".

Edited news on one site mixes copy from both sides of the Atlantic, so a word
Harper flags in one dialect is accepted when its other-dialect spelling is in
Harper's dictionary. The rewrites are the regular spelling differences; every
candidate is checked against the dictionary, so a real misspelling stays one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_ENDINGS_OR = r"(?=(s|ed|ing|ite|ites|able|ably|er|ers|ful|less|ist)?$)"
_REWRITES = [
    # British -> American
    (r"our" + _ENDINGS_OR, "or"),  # colour, favourite, behaviour
    (r"is(e|es|ed|er|ers|ing|ation|ations)$", r"iz\1"),  # organise, privatisation
    (r"ys(e|es|ed|ing)$", r"yz\1"),  # analyse
    (r"tre(s?)$", r"ter\1"),  # centre, metres
    (r"ence(s?)$", r"ense\1"),  # defence, licence
    (r"ogue(s?)$", r"og\1"),  # catalogue
    (r"ll(ed|ing|er|ers)$", r"l\1"),  # travelled, fuelled
    (r"mme(s?)$", r"m\1"),  # programme
    (r"^scep", "skep"),  # sceptical
    (r"eing$", "ing"),  # ageing
    # American -> British
    (r"or" + _ENDINGS_OR, "our"),
    (r"iz(e|es|ed|er|ers|ing|ation|ations)$", r"is\1"),
    (r"yz(e|es|ed|ing)$", r"ys\1"),
    (r"ter(s?)$", r"tre\1"),
    (r"ense(s?)$", r"ence\1"),
    (r"og(s?)$", r"ogue\1"),
    (r"([aeiou])l(ed|ing|er|ers)$", r"\1ll\2"),
    (r"gram(s?)$", r"gramme\1"),
    (r"^skep", "scep"),
    (r"aging$", "ageing"),
]
_COMPILED = [(re.compile(pattern), replacement) for pattern, replacement in _REWRITES]


def variants(word: str) -> Iterator[str]:
    """Other-dialect spellings of ``word`` (lower case), to look up in a dictionary."""
    lower = word.lower()
    for pattern, replacement in _COMPILED:
        candidate = pattern.sub(replacement, lower, count=1)
        if candidate != lower:
            yield candidate


def other_dialects(dialect: str) -> tuple[str, ...]:
    """The dialects whose spellings a text in ``dialect`` also accepts (British and American)."""
    return ("british",) if dialect == "american" else ("american",) if dialect == "british" else ("american", "british")
