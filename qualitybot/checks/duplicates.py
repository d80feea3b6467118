"""Duplicates: paragraphs and sentences that repeat earlier text, and repeated boilerplate.

What it catches
    Copy-paste accidents and spun or scraped text: a paragraph that repeats an
    earlier paragraph exactly or nearly (a few words, the case, the spacing or
    the punctuation changed); a sentence repeated later, or a quotation (or a
    sentence of 10+ words) repeated word for word inside a longer sentence, as
    in "We will not allow this to continue," ... "We will not allow this to
    continue and ..."; and short non-sentence lines left over from a web page
    that repeat ("Comments / 0"). Each finding sits on the *later* copy; its
    message names the earlier line and the similarity, and ``related`` points at
    the earlier copy.

    Similarity is rapidfuzz's ``fuzz.ratio`` over the two sequences of words
    (case, punctuation and spacing folded away): 100 x (1 - words inserted or
    deleted / all words). One word changed in a 30-word paragraph is 97%.

What it leaves alone
    Paragraphs on the same topic in other words (paraphrases share far fewer
    words in order); short refrains and one-word quotes (below
    ``min_sentence_words``); short texts that differ in a word ("Release date:
    PC" / "Release date: Xbox": a near copy must share at least 10 words);
    paragraphs and list items with the same shape but other figures (texts whose
    numbers differ state other facts); headings and table cells; a quotation
    paraphrased later; short lines ending like a sentence, and short lines on
    the ``allow`` list (advertisement markers, bylines, datelines).

Fails
    The council approved the new budget on Monday after a debate that lasted
    more than four hours and drew dozens of residents to the public gallery.
    ...
    The council approved the new budget on Tuesday after a debate that lasted
    more than four hours and drew dozens of residents to the public gallery.
    -> duplicates.paragraph "Paragraph repeats paragraph at line 1 (96% similar)"

Passes
    The council approved the new budget on Monday after a debate that lasted
    more than four hours and drew dozens of residents to the public gallery.
    ...
    On Monday evening councillors passed next year's budget following more
    than four hours of debate in front of a public gallery packed with residents.

Options
    ``threshold``: similarity cut-off in percent, 50-100 (default 85); texts at
    or above it are duplicates. ``min_paragraph_words`` (default 8): shorter
    paragraphs are not compared as paragraphs. ``min_sentence_words`` (default
    6): shorter sentences and quotations are not compared, so refrains and
    one-word quotes pass. ``allow``: regular expressions; a short line that
    matches one in full may repeat (the default list covers "Advertisement",
    bylines and datelines; setting ``allow`` replaces it). Kinds and default
    severities: ``duplicates.paragraph`` (error), ``duplicates.sentence``
    (warning), ``duplicates.boilerplate`` (warning), ``duplicates.archive``
    (error), ``duplicates.archive-paragraph`` (warning).

Copies of earlier articles
    With an archive of earlier articles (``qualitybot check --archive DIR``, or
    ``archive: {path: DIR}`` / ``{redis: URL}`` in the rules file; fill it with
    ``qualitybot archive add``, the bot adds each submission it checks), each
    document is also compared with everything archived under another id:
    ``duplicates.archive`` (error) when most of it copies one earlier document,
    spun copies included (words swapped, sentences reordered or cut), and
    ``duplicates.archive-paragraph`` (warning) for a single paragraph copied
    from another earlier document. Messages name the earlier document (its
    front matter ``submission_id``, else its path); ``related`` gives the
    earlier paragraphs with that id as ``path``. A document is never a copy of
    itself or of its own earlier revision (the same id). How copies are found
    and how the thresholds were chosen: docs/duplicates.md.

How it stays fast
    Exact copies are found by hashing. Near-copy candidates come from an
    inverted index of word shingles (runs of 3 words) with prefix filtering:
    each text is indexed under its rarest shingles, and two texts are compared
    only if they share enough of the shorter one's shingles (30% at the default
    threshold: a near copy keeps far more). Only those candidates reach
    rapidfuzz, so the work grows with the document and its near copies, not
    with the square of its length.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator
from rapidfuzz import fuzz

from qualitybot.contract import CheckOptions, Elsewhere, Hit, Severity
from qualitybot.document import Document, Span

if TYPE_CHECKING:
    from qualitybot.archive import Comparison

KINDS: dict[str, Severity] = {
    "paragraph": "error",
    "sentence": "warning",
    "boilerplate": "warning",
    "archive": "error",
    "archive-paragraph": "warning",
}

# Short lines that may repeat: matched in full against the line, spaces collapsed.
DEFAULT_ALLOW: tuple[str, ...] = (
    r"(?i)advert(isement)?|sponsored( content)?",
    r"(?i)by\s+\S.*",  # bylines: "By Jane Doe, Health reporter"
    # agency datelines: "NAIROBI, Kenya (AP) _", "LONDON (Reuters) -"
    r"[A-Z][A-Za-z .,'-]*\((AP|Reuters|AFP|PA|UPI|[A-Z]{2,})\)\s*[-_\u2013\u2014]*",
    # datelines on a line of their own: "LONDON -", "PARIS, March 3"
    r"[A-Z][A-Z .'-]{2,}(,\s*[A-Z][a-z]+\.?\s+\d{1,2}(,\s*\d{4})?)?\s*[-:\u2013\u2014]*",
)

# Prefilter: texts are compared only if they share enough of the shorter one's
# shingles (runs of SHINGLE_WORDS words); see candidate_overlap().
SHINGLE_WORDS = 3
# Texts that differ at all must share this many words (in order) to count as near
# copies: "Release date: DS" and "Release date: PC" are list items, not copies.
NEAR_COPY_MIN_WORDS = 10
# A shingle found in more texts than this indexes only its first ones: bounds the
# work on pathological input (thousands of near-identical lines).
POSTINGS_CAP = 64
# A short line ending like a sentence is a refrain, not boilerplate.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s*$")
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")

UnitKind = Literal["paragraph", "sentence", "quotation"]
_QUOTATION = re.compile(r'"([^"]+)"|\u201c([^\u201c\u201d]+)\u201d')  # within one block


class Options(CheckOptions):
    threshold: float = Field(
        default=85, ge=50, le=100, description="similarity in percent (50-100) that makes a duplicate"
    )
    min_paragraph_words: int = Field(
        default=8, ge=1, description="paragraphs with fewer words are not compared as paragraphs"
    )
    min_sentence_words: int = Field(
        default=6, ge=2, description="sentences and quotations with fewer words are not compared"
    )
    allow: tuple[str, ...] = Field(
        default=DEFAULT_ALLOW, description="regular expressions for short lines that may repeat (full match)"
    )

    @field_validator("threshold", mode="before")
    @classmethod
    def _percent(cls, value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 1:
            raise ValueError(f"a percentage from 50 to 100 is expected: for {value:g} write {value * 100:g}")
        return value

    @field_validator("allow")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {pattern!r} ({exc})") from None
        return patterns


@dataclass
class Unit:
    """A text that may be a copy: a paragraph, sentence or quotation, folded for comparison."""

    kind: UnitKind
    start: int  # offsets into Document.text
    end: int
    text: str  # the prose of the unit, as given
    tokens: list[str]  # its words, case-folded, without punctuation
    numbers: Counter[str]  # words with digits: texts with other figures state other facts

    @property
    def norm(self) -> str:
        return " ".join(self.tokens)

    def span_of_words(self, first: int, end: int) -> Span:
        """The text offsets of ``tokens[first:end]``."""
        spans = [m.span() for m in _WORD.finditer(self.text)]
        return Span(self.start + spans[first][0], self.start + spans[max(first, end - 1)][1])


def fold(text: str, offset: int, kind: UnitKind) -> Unit:
    """Fold case, punctuation and spacing away; the words stay in order."""
    tokens = [word.casefold() for word in _WORD.findall(text)]
    numbers = Counter(t for t in tokens if _DIGIT.search(t)) if _DIGIT.search(text) else Counter()
    return Unit(kind, offset, offset + len(text), text, tokens, numbers)


@dataclass(frozen=True)
class Match:
    later: Unit
    earlier: Unit
    score: float
    later_span: Span
    earlier_span: Span


def check(doc: Document, options: Options) -> Iterator[Hit]:
    paragraphs, sentences, short_lines = _units(doc, options)
    reported = _Covered()
    for match in find_copies(paragraphs, options.threshold, partial=False):
        reported.add(match.later_span)
        yield _hit(doc, match, "paragraph")
    for match in find_copies(sentences, options.threshold, partial=True):
        if reported.overlaps(match.later_span):
            continue
        reported.add(match.later_span)
        yield _hit(doc, match, "sentence")
    yield from _boilerplate(doc, short_lines, options)
    if doc.archive is not None:
        from qualitybot.archive import archive_id  # numpy and datasketch load only when an archive is used

        yield from archive_hits(doc.archive.compare(doc, archive_id(doc)))


def archive_hits(found: Comparison) -> Iterator[Hit]:
    """Findings for copies of earlier articles: the document as a whole, then single paragraphs."""
    if found.copy_of is not None:
        yield Hit(
            found.first_start,
            found.first_end,
            f"Most of this document copies earlier document '{found.copy_of}' "
            f"({math.floor(found.share * 100)}% of its word pairs are found there)",
            kind="archive",
            related=tuple(Elsewhere(p.doc_id, p.line, p.column, p.end_line, p.end_column) for p in found.sources),
        )
    for copied in found.paragraphs:
        earlier = copied.earlier
        yield Hit(
            copied.start,
            copied.end,
            f"Paragraph copies a paragraph of earlier document '{earlier.doc_id}' at line {earlier.line} "
            f"({math.floor(copied.share * 100)}% of its word pairs are found there)",
            kind="archive-paragraph",
            related=(Elsewhere(earlier.doc_id, earlier.line, earlier.column, earlier.end_line, earlier.end_column),),
        )


class _Covered:
    """Spans already reported, kept merged: whether a span overlaps one is a lookup, not a scan."""

    def __init__(self) -> None:
        # Disjoint and sorted: the only one a span can overlap is the last that starts before it ends.
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, span: Span) -> bool:
        i = bisect.bisect_left(self.starts, span.end)
        return i > 0 and self.ends[i - 1] > span.start

    def add(self, span: Span) -> None:
        start, end = span.start, span.end
        first = bisect.bisect_right(self.ends, start)  # the first that ends after the span starts
        last = bisect.bisect_left(self.starts, end)  # past the last that starts before it ends
        if first < last:  # overlapping spans: merge them into one
            start, end = min(start, self.starts[first]), max(end, self.ends[last - 1])
        self.starts[first:last] = [start]
        self.ends[first:last] = [end]


def _units(doc: Document, options: Options) -> tuple[list[Unit], list[Unit], list[Unit]]:
    """Paragraph units, sentence and quotation units, and short non-sentence lines."""
    paragraphs: list[Unit] = []
    sentences: list[Unit] = []
    short_lines: list[Unit] = []
    prose_blocks = {i for i, b in enumerate(doc.blocks) if b.kind not in ("heading", "table")}
    for i in sorted(prose_blocks):
        block = doc.blocks[i]
        text = doc.prose_of(block)
        unit = fold(text, block.start, "paragraph")
        if len(unit.tokens) >= options.min_paragraph_words:
            paragraphs.append(unit)
        elif unit.tokens and not _SENTENCE_END.search(text):
            short_lines.append(unit)
        for m in _QUOTATION.finditer(text):
            quoted = fold(m.group(1) or m.group(2), block.start + m.start() + 1, "quotation")
            if len(quoted.tokens) >= options.min_sentence_words:
                sentences.append(quoted)
    for sentence in doc.sentences:
        if sentence.block in prose_blocks:
            unit = fold(doc.prose_of(sentence), sentence.start, "sentence")
            if len(unit.tokens) >= options.min_sentence_words:
                sentences.append(unit)
    # Document order; a sentence before the quotations inside it.
    sentences.sort(key=lambda u: (u.start, -u.end))
    return paragraphs, sentences, short_lines


def candidate_overlap(threshold: float) -> float:
    """The share of the shorter text's shingles that a near copy at ``threshold`` keeps.

    Changing c of n words costs at most SHINGLE_WORDS * c shingles, and a word-level
    similarity t allows c <= (1 - t) * n; a quarter is kept in reserve for short
    texts. At the default 85 a pair must share 30%; found-inside matches share all.
    """
    return max(0.1, 1 - SHINGLE_WORDS * (1 - threshold / 100) - 0.25)


def find_copies(units: Sequence[Unit], threshold: float, partial: bool) -> Iterator[Match]:
    """Each unit that repeats an earlier, non-overlapping unit, with its best match.

    ``units`` are in document order. With ``partial`` the shorter text may be
    found inside the longer one. Of equally good matches the earliest wins.
    Candidates come from prefix filtering: with every unit's shingles in one
    global order, rarest first, a pair sharing at least ``overlap`` of the
    shorter unit's shingles shares one of that unit's first
    ``n - ceil(overlap * n) + 1``, so only those need looking up.
    """
    overlap = candidate_overlap(threshold)
    features, first_shared = _ranked_shingles(units)
    in_any: dict[int, list[int]] = defaultdict(list)  # shingle -> units containing it
    in_prefix: dict[int, list[int]] = defaultdict(list)  # shingle -> units it is among the rarest of
    exact_copies: dict[str, list[int]] = {}
    for i, unit in enumerate(units):
        copies = exact_copies.setdefault(unit.norm, [])
        exact = next((j for j in copies if units[j].end <= unit.start), None)
        copies.append(i)
        if exact is not None:
            # Not indexed: thousands of identical copies must not grow the postings.
            span = Span(unit.start, unit.end)
            yield Match(unit, units[exact], 100.0, span, Span(units[exact].start, units[exact].end))
            continue
        mine = features[i]
        prefix_end = len(mine) - math.ceil(overlap * len(mine)) + 1
        # Shingles found in one unit only cannot lead to another: skip them.
        shared = mine[bisect.bisect_left(mine, first_shared) :]
        shared_prefix = shared[: max(0, prefix_end - (len(mine) - len(shared)))]
        candidates: set[int] = set()
        for s in shared_prefix:
            candidates.update(in_any.get(s, ()))
        for s in shared:
            candidates.update(in_prefix.get(s, ()))
        if candidates:
            # Count filter: the pair must really share that much of the shorter text.
            own = set(mine)
            close = [
                units[j]
                for j in sorted(candidates)
                if len(own.intersection(features[j])) >= overlap * min(len(mine), len(features[j]))
            ]
            best = _best_match(unit, close, threshold, partial)
            if best:
                yield best
        for s in shared:
            if len(in_any[s]) < POSTINGS_CAP:
                in_any[s].append(i)
        for s in shared_prefix:
            if len(in_prefix[s]) < POSTINGS_CAP:
                in_prefix[s].append(i)


def _ranked_shingles(units: Sequence[Unit]) -> tuple[list[list[int]], int]:
    """Each unit's word shingles as ranks, rarest first, and the first rank seen in two units.

    Prefix filtering needs one global order: rarest first, ties by first appearance.
    """
    vocabulary: dict[str, int] = {}
    word_ids = [[vocabulary.setdefault(t, len(vocabulary)) for t in unit.tokens] for unit in units]
    base = len(vocabulary) + 1
    shingles = []
    for ids in word_ids:
        # Texts shorter than a shingle are one shingle; word ids are packed into one int.
        width = min(SHINGLE_WORDS, len(ids))
        keys = set()
        for i in range(len(ids) - width + 1):
            key = width
            for word in ids[i : i + width]:
                key = key * base + word
            keys.add(key)
        shingles.append(keys)
    frequency = Counter(chain.from_iterable(shingles))
    order = sorted(frequency, key=frequency.__getitem__)
    rank = {s: r for r, s in enumerate(order)}
    first_shared = next((r for r, s in enumerate(order) if frequency[s] > 1), len(order))
    return [sorted(map(rank.__getitem__, group)) for group in shingles], first_shared


def _best_match(unit: Unit, candidates: list[Unit], threshold: float, partial: bool) -> Match | None:
    best: Match | None = None
    for other in candidates:
        if other.end > unit.start:
            continue  # overlaps (a quotation inside its own sentence): not a copy
        match = _compare(unit, other, threshold, partial)
        if match and (best is None or match.score > best.score):
            best = match
    return best


def _compare(later: Unit, earlier: Unit, threshold: float, partial: bool) -> Match | None:
    """The two units as a match if they are similar enough, else None.

    Whole texts are compared word by word with ``fuzz.ratio``. With ``partial``,
    a quotation, or a sentence long enough to be no stock phrase, may also be
    found word for word inside a longer sentence (``fuzz.partial_ratio``).
    """
    whole_later = Span(later.start, later.end)
    whole_earlier = Span(earlier.start, earlier.end)
    shorter, longer = sorted((later, earlier), key=lambda u: len(u.tokens))
    contained_ok = shorter.kind == "quotation" or len(shorter.tokens) >= NEAR_COPY_MIN_WORDS
    if partial and contained_ok and len(shorter.tokens) < 0.9 * len(longer.tokens):
        if shorter.numbers - longer.numbers:
            return None
        # Word for word only: a lede paraphrasing a quote given in full later is normal news.
        found = fuzz.partial_ratio_alignment(shorter.tokens, longer.tokens, score_cutoff=100)
        if found is None or found.score < 100:
            return None
        inside = longer.span_of_words(found.dest_start, found.dest_end)
        if shorter is later:
            return Match(later, earlier, found.score, whole_later, inside)
        return Match(later, earlier, found.score, inside, whole_earlier)
    if 2 * len(shorter.tokens) < threshold / 100 * (len(shorter.tokens) + len(longer.tokens)):
        return None  # lengths alone rule it out
    score = fuzz.ratio(later.tokens, earlier.tokens, score_cutoff=threshold)
    if not score or later.numbers != earlier.numbers:
        return None
    shared_words = (len(later.tokens) + len(earlier.tokens)) * score / 200
    if score < 100 and shared_words < NEAR_COPY_MIN_WORDS:
        return None  # in a short text one other word is another statement, not an edit
    return Match(later, earlier, score, whole_later, whole_earlier)


def _boilerplate(doc: Document, lines: list[Unit], options: Options) -> Iterator[Hit]:
    allowed = [re.compile(p) for p in options.allow]
    first: dict[str, Unit] = {}
    for line in lines:
        text = " ".join(doc.prose[line.start : line.end].split())
        if any(p.fullmatch(text) for p in allowed):
            continue
        earlier = first.setdefault(line.norm, line)
        if earlier is not line:
            where = doc.line_col(earlier.start)[0]
            yield Hit(line.start, line.end, f"Boilerplate line repeats line {where} (100% similar)",
                      kind="boilerplate", related=(Span(earlier.start, earlier.end),))


def _hit(doc: Document, match: Match, kind: str) -> Hit:
    later, earlier = match.later, match.earlier
    where = doc.line_col(match.earlier_span.start)[0]
    what: str = earlier.kind
    if match.earlier_span != Span(earlier.start, earlier.end):
        what = f"part of the {earlier.kind}"  # the later text is found inside a longer earlier one
    return Hit(
        match.later_span.start,
        match.later_span.end,
        f"{later.kind.capitalize()} repeats {what} at line {where} ({math.floor(match.score)}% similar)",
        kind=kind,
        related=(match.earlier_span,),
    )
