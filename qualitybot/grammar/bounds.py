"""What the grammar engine is handed: bounded pieces of prose (issue #18).

Harper's time and memory are not linear in everything a submission may hold:
a word of n letters makes it allocate about n² bytes (a 1 MB word asked for
25 GB), and runs of brackets, quotes or blank space cost it 0.1-3 ms per
character, growing with the run. So the prose is handed over

- with every unbroken run of more than :data:`MAX_WORD_CHARS` characters
  blanked (no English word is that long; the grammar check reports such runs
  once, as ``grammar.long-word``), and every run of more than
  :data:`MAX_SYMBOL_RUN` marks that are neither letters, digits nor spaces
  blanked (rules, ASCII art, ``[[[[``): nothing there for a grammar engine;
- in chunks of at most :data:`CHUNK_CHARS` characters, cut at a paragraph
  break where there is one (else a line break, a sentence end, a space), so
  each call is short and a time budget can stop the check between calls.
  Chunks that are not mostly words (fewer than two thirds of their visible
  characters are letters or digits: runs of symbols, markup, ``a " a "``) are
  not sent at all; Harper spends most per character on exactly those.

Blanking keeps every offset: a blanked character becomes a space, line breaks stay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_WORD_CHARS = 100
MAX_SYMBOL_RUN = 32
CHUNK_CHARS = 8000

# Tried only where a run starts, so a text of many shorter runs is scanned once (linear).
_LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_WORD_CHARS + 1},}}")
_SYMBOL_RUN = re.compile(rf"(?<![^\w\s])[^\w\s]{{{MAX_SYMBOL_RUN + 1},}}|(?<!_)_{{{MAX_SYMBOL_RUN + 1},}}")
_URL = re.compile(r"(?:https?|ftp)://|www\.", re.IGNORECASE)
_ALNUM = re.compile(r"[^\W_]")
_SPACE = re.compile(r"\s")
# Where a chunk may end, best first: a paragraph break, a line break, a sentence end, a space.
_CUTS = ("\n\n", "\n", ". ", " ")


@dataclass(frozen=True)
class Bounded:
    """The prose as the engine sees it, and the long runs that were blanked."""

    text: str
    long_runs: list[tuple[int, int]]  # runs of more than MAX_WORD_CHARS (not URLs)


def bound(prose: str) -> Bounded:
    """The prose with overlong runs blanked (offsets unchanged)."""
    spans = [m.span() for m in _LONG_RUN.finditer(prose)]
    long_runs = [(s, e) for s, e in spans if not _URL.match(prose, s)]
    spans += [m.span() for m in _SYMBOL_RUN.finditer(prose)]
    if not spans:
        return Bounded(prose, [])
    pieces = []
    pos = 0
    for start, end in sorted(spans):
        if end <= pos:
            continue
        start = max(start, pos)
        pieces.append(prose[pos:start])
        pieces.append(" " * (end - start))
        pos = end
    pieces.append(prose[pos:])
    return Bounded("".join(pieces), long_runs)


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """``[start, end)`` pieces of at most ``size`` characters that hold a letter or digit."""
    if len(text) <= size:
        if _mostly_words(text, 0, len(text)):
            yield 0, len(text)
        return
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            for cut in _CUTS:
                found = text.rfind(cut, start + size // 2, end)
                if found >= 0:
                    end = found + len(cut)
                    break
        if _mostly_words(text, start, end):
            yield start, end
        start = end


def _mostly_words(text: str, start: int, end: int) -> bool:
    """At least two thirds of the visible characters are letters or digits."""
    visible = end - start - len(_SPACE.findall(text, start, end))
    return visible > 0 and 3 * len(_ALNUM.findall(text, start, end)) >= 2 * visible
