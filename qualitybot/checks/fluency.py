"""Fluency: a verdict on the whole document, for prose that is broken throughout.

What it catches
    Text in which nearly every sentence is a little wrong, while no single
    finding is an error: machine-spun articles (words swapped for unrelated
    ones), learner English, poor machine translation. It runs after every other
    check and judges the document from four figures:

    - ``surprise``: how implausible the order of the words is. Every pair of
      neighbouring words is read as a pair of word classes (a function word is
      its own class, "the", "of", "could"; any other word the set of its
      readings in lemminflect's lexicon, ``NOUN+VERB`` for "run") and scored by
      how much rarer that pair is in general English (Google Books bigram
      counts, shipped by symspellpy) than chance would make it: ``-ln(lift)``,
      0 for a common pair, up to 4.6 for one never seen ("the of", "could
      went", "a is"). The figure is the mean over the document's pairs. Pairs
      across punctuation, numbers or a paragraph break, with a capitalised word
      (a name; not a function word alone in capitals, "about After the") or a
      word the lexicon does not know are not scored, and a pair of words the
      text repeats counts once. The mean is shrunk towards the
      typical value as if 40 typical pairs were added, since a short
      document's few pairs make a noisy mean.
    - ``word surprise``: the same for the words themselves, where the same
      Google Books counts know the pair: a pair of common words that English
      never puts together ("of was", "its on", "they the") is
      missing from the 243,342 most frequent bigrams although chance alone
      would have put it there, and scores by how far it falls short. This
      catches a content word dropped where it does not belong, which the
      classes cannot tell from a headline's telegraphic style. Pairs of rarer
      words are not scored: their absence from the list says nothing.
    - ``grammar share``: the share of sentences with a grammar finding of any
      severity, typography aside (``punctuation``, ``formatting``, ``style``).
    - ``density``: the other checks' findings per 1,000 words (all severities).

    A finding repeated on the same text (a term flagged wherever it occurs,
    "wi-fi") counts once in both.

    Each figure counts only above what edited news typically shows (surprise
    0.25, word surprise 0.06, grammar share 5%, 3 findings per 1,000 words:
    the medians of the dev sets in benchmarks/judgement.md), as a part that
    reaches 1.0 at the figure's limit; the document fails when the sum of the
    four parts reaches ``max_score``. So one figure at its limit fails a
    document on its own, and two figures each halfway there fail it together. The finding carries the
    figures and points at the worst paragraph (the most implausible pairs and
    findings per word); the figures are also in the document's metrics
    (``fluency_surprise``, ``fluency_word_surprise``, ``fluency_grammar_share``,
    ``fluency_findings_per_1000_words``, ``fluency_score``). Documents shorter
    than ``min_words`` are not judged: a few sentences are too few to tell.

    Calibrated on the dev sets (benchmarks/judgement.md): edited news fails on
    fluency alone 1 time in 1,500; news with one word in ten replaced by a random
    word from other articles fails 94 times in 100 (with the grammar check's
    word-order rules), with one in five nearly always; documents of learner
    English fail, their human corrections mostly pass. It reads word order and the
    other checks' findings, not meaning: a fluent text with wrong facts passes.

Fails (every word order below is rare in English, though no word is misspelled)
    The city council of agreed on Tuesday the to spend more money its on bus
    network, after the a year in which passenger numbers the rose sharply.
    Councillors voted to the buy forty new buses and to of open two routes the
    to hospital and the university. The plan will the cost about twelve million
    pounds over three years, officials of said. The leader of the council said
    the service had been too the slow for too long. She told of reporters that
    people who live on the edge the of city often wait an hour a for bus, and
    that many them of have no car.

Passes
    The city council agreed on Tuesday to spend more money on its bus network,
    after a year in which passenger numbers rose sharply. Councillors voted to
    buy forty new buses and to open two routes to the hospital and the
    university. The plan will cost about twelve million pounds over three
    years, officials said. The leader of the council said the service had been
    too slow for too long. She told reporters that people who live on the edge
    of the city often wait an hour for a bus, and that many of them have no car.

Options
    ``min_words`` (100): shorter documents are not judged. ``max_surprise``
    (0.56), ``max_word_surprise`` (0.22), ``max_grammar_share`` (0.45),
    ``max_findings_per_1000_words`` (80): the value at which each figure alone
    fails a document. ``max_score`` (1.0): the limit of the sum of the four
    parts; raise it to judge more leniently.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from pydantic import Field

from qualitybot.checks.fluency_table import FUNCTION_WORDS, WordCounts, word_class, word_counts
from qualitybot.contract import CheckOptions, Earlier, Hit, Judgement, Severity
from qualitybot.document import Block, Document

KINDS: dict[str, Severity] = {"broken": "error"}

#: A pair rarer than this fraction of chance counts as implausible in the worst-paragraph search.
IMPLAUSIBLE_LIFT = 0.01
#: Lifts are clipped here: a pair never seen scores -ln(0.01) = 4.6.
MIN_LIFT = 0.01

# Words (with an inner apostrophe or hyphen), numbers and symbols; anything but a word breaks a
# pair, and so does a hyphenated compound ("with-profits"), which no table knows.
# The digit is looked for within 64 characters: `\S*\d` would rescan a long run without
# digits from every position in it (quadratic on 1 MB of "[[[[").
_TOKEN = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*|\S{0,64}\d\S*|[^\sA-Za-z]")


#: Each figure counts only above what edited news typically shows (the medians of the BBC,
#: AQUAINT and OneStop dev sets, benchmarks/judgement.md), so that ordinary text scores 0.
TYPICAL_SURPRISE = 0.25
#: Weight of the typical value in the surprise, in pairs (a document of about 70 words).
PRIOR_PAIRS = 40
TYPICAL_WORD_SURPRISE = 0.06
TYPICAL_GRAMMAR_SHARE = 0.05
TYPICAL_FINDINGS_PER_1000_WORDS = 3.0


class Options(CheckOptions):
    min_words: int = Field(default=100, ge=0, description="shorter documents are not judged")
    max_surprise: float = Field(
        default=0.56, gt=TYPICAL_SURPRISE, description="word-order surprise that fails a document on its own"
    )
    max_word_surprise: float = Field(
        default=0.22, gt=TYPICAL_WORD_SURPRISE, description="word-pair surprise that fails a document on its own"
    )
    max_grammar_share: float = Field(
        default=0.45, gt=TYPICAL_GRAMMAR_SHARE, le=1,
        description="share of sentences with a grammar finding that fails a document on its own",
    )  # fmt: skip
    max_findings_per_1000_words: float = Field(
        default=80.0, gt=TYPICAL_FINDINGS_PER_1000_WORDS,
        description="findings per 1,000 words that fail a document on its own",
    )  # fmt: skip
    max_score: float = Field(default=1.0, gt=0, description="the limit of the sum of the four parts")


@dataclass(frozen=True)
class _Table:
    lift: dict[tuple[str, str], float]
    known_left: frozenset[str]
    known_right: frozenset[str]


_lock = threading.Lock()


@cache
def _table_unlocked() -> _Table:
    pairs: dict[str, int] = json.loads(
        resources.files("qualitybot.checks").joinpath("fluency_transitions.json").read_text("utf-8")
    )["pairs"]
    left: Counter[str] = Counter()
    right: Counter[str] = Counter()
    split = {}
    for key, count in pairs.items():
        a, b = key.split(" ")
        split[a, b] = count
        left[a] += count
        right[b] += count
    total = sum(split.values())
    lift = {(a, b): count * total / (left[a] * right[b]) for (a, b), count in split.items()}
    return _Table(lift, frozenset(left), frozenset(right))


def _table() -> _Table:
    with _lock:  # the warm-up thread and the first document may ask at once
        return _table_unlocked()


def warm_up(options: Options) -> None:
    """Load the transition table and the lexicon (a few hundredths of a second) while Harper starts."""
    _table()
    word_counts()
    word_class("the")


@dataclass
class _Tally:
    """Scored word pairs of one paragraph."""

    words: int = 0
    implausible: int = 0
    #: Surprise of each distinct pair of words ("those questioned said" five times is one pair),
    #: by word class and by the words themselves.
    by_class_pair: dict[tuple[str, str], float] = field(default_factory=dict)
    by_word_pair: dict[tuple[str, str], float] = field(default_factory=dict)


def _surprise(lift: float) -> float:
    return -math.log(min(1.0, max(MIN_LIFT, lift)))


def _tally(text: str, table: _Table, counts: WordCounts) -> _Tally:
    tally = _Tally()
    previous: str | None = None  # class of the previous word; None after a break
    previous_word: str | None = None  # the previous word; None after a break or a name
    found = _TOKEN.findall(text)
    for k, token in enumerate(found):
        if not token[0].isalpha():
            previous = previous_word = None  # punctuation, a number or a symbol breaks the pair
            continue
        tally.words += 1
        lower = token.lower().replace("’", "'")
        # A capitalised word inside a sentence, or an acronym or a camel-cased word ("eBay")
        # anywhere, is a name: it has no class and breaks the pair.
        name = lower != "i" and ((token[0].isupper() and previous is not None) or any(c.isupper() for c in token[1:]))
        if name and token[1:].islower() and lower in FUNCTION_WORDS and not _in_capitals(found, k):
            # "lied about After the": a capitalised function word alone is no name (titles run in
            # capitals; "US", "IT" and "A" are acronyms and labels, not "us", "it" and "a").
            name = False
        cls = None if name else word_class(lower)
        word = None if name else lower
        if previous is not None and cls is not None and previous in table.known_left and cls in table.known_right:
            lift = table.lift.get((previous, cls), 0.0)
            tally.implausible += lift < IMPLAUSIBLE_LIFT
            tally.by_class_pair[previous_word or "", lower] = _surprise(lift)
        if previous_word is not None and word is not None:
            word_lift = counts.lift(previous_word, word)
            if word_lift is not None:
                tally.implausible += word_lift < IMPLAUSIBLE_LIFT
                tally.by_word_pair[previous_word, word] = _surprise(word_lift)
        previous, previous_word = cls, word
    return tally


def _in_capitals(tokens: list[str], k: int) -> bool:
    """Whether a neighbour of ``tokens[k]`` is capitalised too, as in a title ("Gone With The Wind")."""
    return any(tokens[j][:1].isupper() for j in (k - 1, k + 1) if 0 <= j < len(tokens))


def _shrunk_mean(by_pair: dict[tuple[str, str], float], typical: float) -> float:
    """The mean over distinct pairs, shrunk towards ``typical`` as if PRIOR_PAIRS typical pairs were added.

    The mean of a short document's few pairs is noisy (one headline, one odd quote).
    """
    return (sum(by_pair.values()) + PRIOR_PAIRS * typical) / (len(by_pair) + PRIOR_PAIRS)


def judge(doc: Document, options: Options, earlier: Sequence[Earlier]) -> Judgement:
    table, counts = _table(), word_counts()
    paragraphs = doc.paragraphs
    tallies = [_tally(doc.prose_of(block), table, counts) for block in paragraphs]
    words = sum(t.words for t in tallies)
    # The means over distinct pairs: a phrase the story repeats is judged once.
    surprise = _shrunk_mean({p: v for t in tallies for p, v in t.by_class_pair.items()}, TYPICAL_SURPRISE)
    word_surprise = _shrunk_mean({p: v for t in tallies for p, v in t.by_word_pair.items()}, TYPICAL_WORD_SURPRISE)
    problems = _distinct(doc, earlier)
    grammar_sentences = _sentences_with(doc, [e for e in problems if e.check == "grammar" and not _typography(e)])
    grammar_share = grammar_sentences / len(doc.sentences) if doc.sentences else 0.0
    density = 1000 * len(problems) / words if words else 0.0
    parts = (
        _part(surprise, TYPICAL_SURPRISE, options.max_surprise),
        _part(word_surprise, TYPICAL_WORD_SURPRISE, options.max_word_surprise),
        _part(grammar_share, TYPICAL_GRAMMAR_SHARE, options.max_grammar_share),
        _part(density, TYPICAL_FINDINGS_PER_1000_WORDS, options.max_findings_per_1000_words),
    )
    score = sum(parts)
    metrics = {
        "fluency_surprise": round(surprise, 3),
        "fluency_word_surprise": round(word_surprise, 3),
        "fluency_grammar_share": round(grammar_share, 3),
        "fluency_findings_per_1000_words": round(density, 1),
        "fluency_score": round(score, 3),
    }
    if words < options.min_words or not paragraphs or score < options.max_score:
        return Judgement((), metrics)
    worst = _worst(paragraphs, tallies, problems)
    by_check = Counter(f"{e.check} {e.severity}" for e in problems)
    detail = ", ".join(f"{key} {1000 * n / words:.1f}" for key, n in by_check.most_common())
    message = (
        f"The prose reads as broken throughout (score {score:.2f}, limit {options.max_score:g}): "
        f"word-order surprise {surprise:.2f} (limit {options.max_surprise:g}) "
        f"and {word_surprise:.2f} by word (limit {options.max_word_surprise:g}), "
        f"grammar problems in {grammar_share:.0%} of sentences (limit {options.max_grammar_share:.0%}), "
        f"{density:.1f} findings per 1,000 words (limit {options.max_findings_per_1000_words:g}"
        f"{'; ' + detail if detail else ''}). The worst paragraph starts here."
    )
    return Judgement((Hit(worst.start, worst.end, message, "broken"),), metrics)


def _part(value: float, typical: float, limit: float) -> float:
    """How far ``value`` lies above what edited news typically shows, 1.0 at ``limit``."""
    return max(0.0, value - typical) / (limit - typical)


# Typography ("a 35 hour week", "6 x 10", a space before a comma) is no sign of broken prose.
TYPOGRAPHY = frozenset({"grammar.punctuation", "grammar.formatting", "grammar.style"})


def _typography(finding: Earlier) -> bool:
    return finding.rule in TYPOGRAPHY


def _distinct(doc: Document, earlier: Sequence[Earlier]) -> list[Earlier]:
    """One finding per rule and flagged text: a term flagged twenty times ("wi-fi") is one problem."""
    seen: set[tuple[str, str]] = set()
    out = []
    for e in earlier:
        key = (e.rule, doc.text[e.start : e.end].lower())
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def _sentences_with(doc: Document, findings: Sequence[Earlier]) -> int:
    starts = [s.start for s in doc.sentences]
    hit = {bisect.bisect_right(starts, f.start) - 1 for f in findings}
    return len(hit - {-1})


def _worst(paragraphs: list[Block], tallies: list[_Tally], earlier: Sequence[Earlier]) -> Block:
    starts = [b.start for b in paragraphs]
    found = Counter(bisect.bisect_right(starts, e.start) - 1 for e in earlier)

    def badness(i: int) -> float:
        return (tallies[i].implausible + found[i]) / max(tallies[i].words, 10)

    return paragraphs[max(range(len(paragraphs)), key=badness)]
