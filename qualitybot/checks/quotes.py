"""Quotes: quotation marks that do not pair up, while accepting how edited news quotes.

What it catches
    Broken quoting, typical of copy-pasted or machine-spun text. Kinds:
    ``empty`` (``" "``, ``""``); ``detached``, a straight mark standing between a
    space and the end of a sentence that pairs with nothing (``themselves ".``);
    ``unclosed``, a quotation never closed; ``unopened``, a closing mark with no
    opening; ``mismatched``, curly marks the wrong way round or a pair mixing
    styles (``“..."``, ``”...“``); ``single``, single quotes used as quotation
    marks that do not pair (``the US 'Ukraine.``); ``spacing``, a mark that pairs
    but is separated from its quote by a space (``“a story ”``). Each finding
    points at the mark; ``related`` points at its partner, or at the place where
    one was expected (the end of the paragraph, the start of the sentence, the
    comma of an attribution).

    Marks are paired over the whole document, paragraph by paragraph and
    sentence by sentence, not counted per line. What edited news does is
    accepted: a quotation running over several paragraphs (each paragraph opens
    with a quote mark and only the last one closes; when the paragraphs were
    merged, the reopening mark starts a sentence inside the paragraph; some
    writers do not reopen at all and close in the next paragraph), apostrophes
    (``don't``, ``o'clock``, ``'90s``, ``rock 'n' roll``, ``the Joneses'``,
    ``analysts'``, ``U.S.'s``), feet and inches (``6'2"``, ``5' 10"``, ``32"``),
    single quotes nested in double quotes, ````LaTeX''`` quotes and newswire
    ``''quotes''``, straight and curly marks. Marks in code (inline code, code
    blocks) are not prose and are ignored; each heading is checked on its own.
    A quotation that contains its own attribution (``"We won, he said. "Next``)
    is not taken to run on: its closing mark was lost.

    In Markdown, backticks start code spans, so ````LaTeX''`` quotes are only
    recognised in plain text.

Fails
    The talks ended in November. Last year. " "
    The minister was ready to act. themselves ".

Passes
    The minister said: "We will not allow this. It is 6'2" of rock 'n' roll
    from the '90s, the Joneses' favourite."

Options
    ``marks``: which marks count as quotation marks, any of ``straight-double``
    (``"``), ``curly-double`` (``“ ”``), ``straight-single`` (``'``),
    ``curly-single`` (``‘ ’``) and ``latex`` (````...''`` and ```...'``); all by
    default. ``allow_mixed``: a quotation may open in one style and close in
    another (``“..."``); off by default, such a pair is ``mismatched``.
    ``continued_paragraphs``: accept a quotation left open at the end of a
    paragraph when the next paragraph continues it (on by default).
    ``reopen_in_paragraph``: accept the reopening mark at the start of a
    sentence inside a paragraph, as in news whose paragraphs were merged (on by
    default; turn it off for sources whose paragraphs are intact).
    ``elisions``: words that a leading apostrophe shortens (``'em``, ``'til``,
    ``'bot``) and that therefore do not open a single quotation.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from pydantic import Field

from qualitybot.contract import CheckOptions, Hit, Severity
from qualitybot.document import Block, Document, Span

# Errors are marks that pair with nothing and that no convention explains: they come
# from spun or mangled text. The rest occur, rarely, in professionally edited news
# (see benchmarks/quotes.md): worth a warning, not a failed gate.
KINDS: dict[str, Severity] = {
    "empty": "error",
    "detached": "error",
    "unclosed": "warning",
    "unopened": "warning",
    "mismatched": "warning",
    "single": "warning",
    "spacing": "warning",
}

MarkName = Literal["straight-double", "curly-double", "straight-single", "curly-single", "latex"]
ALL_MARKS: tuple[MarkName, ...] = (
    "straight-double", "curly-double", "straight-single", "curly-single", "latex"
)
# rock 'n' roll, 'em, 'til; 'bot and 'phone are old clippings still seen in tech news.
ELISIONS = ("n", "em", "til", "tis", "twas", "cause", "bout", "cos", "nuff", "ol",
            "bot", "bots", "phone", "phones")


class Options(CheckOptions):
    marks: list[MarkName] = Field(
        default_factory=lambda: list(ALL_MARKS), description="which marks count as quotation marks"
    )
    allow_mixed: bool = Field(
        default=False, description="a quotation may open in one style and close in another"
    )
    continued_paragraphs: bool = Field(
        default=True, description="a paragraph may leave a quotation open for the next one to continue"
    )
    reopen_in_paragraph: bool = Field(
        default=True,
        description="a quotation left open may be reopened at the start of a sentence (merged paragraphs)",
    )
    elisions: list[str] = Field(
        default_factory=lambda: list(ELISIONS),
        description="words shortened by a leading apostrophe ('em, 'til), not quotations",
    )


Family = Literal["double", "single"]
Style = Literal["straight", "curly", "latex"]
Role = Literal["open", "close", "loose", "either"]


@dataclass(frozen=True)
class Mark:
    """One quotation mark in the prose, and what its surroundings say it does."""

    start: int
    end: int
    family: Family
    style: Style
    role: Role  # from the context: open before words, close after them, loose between spaces
    glyph: Literal["open", "close"] | None  # the direction the glyph itself has (curly, LaTeX)
    sentence: int  # index into the block's sentences
    sentence_start: bool  # first thing in its sentence (after . ! ? or at the start of the block)
    apostrophe: bool = False  # certainly not a quotation mark: don't, '90s, 6'2", rock 'n' roll
    trailing: bool = False  # a quote only if one is open: analysts', Chris', 5' (feet), 2004" (inches)

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass
class _Open:
    """A quotation that is open: the mark that opened it last, and the first one of its run."""

    mark: Mark
    first: Mark
    sentence_end: int  # where the sentence of the opening mark ends
    detached: bool = False  # opened by a loose mark (between spaces)
    implicit: bool = False  # carried into a paragraph that did not reopen it


# Glyphs: (family, style, direction of the glyph itself).
_GLYPHS: dict[str, tuple[Family, Style, Literal["open", "close"] | None, MarkName]] = {
    '"': ("double", "straight", None, "straight-double"),
    "“": ("double", "curly", "open", "curly-double"),
    "”": ("double", "curly", "close", "curly-double"),
    "'": ("single", "straight", None, "straight-single"),
    "‘": ("single", "curly", "open", "curly-single"),
    "’": ("single", "curly", "close", "curly-single"),
    "``": ("double", "latex", "open", "latex"),
    "''": ("double", "latex", None, "latex"),  # newswire also opens with it: ''Here, no one...
    "`": ("single", "latex", "open", "latex"),
}
# The right mark to suggest, by (family, style), for a mark that opens or closes.
_OPENING_GLYPH: dict[tuple[Family, Style], str] = {
    ("double", "straight"): '"', ("double", "curly"): "“", ("double", "latex"): "``",
    ("single", "straight"): "'", ("single", "curly"): "‘", ("single", "latex"): "`",
}
_CLOSING_GLYPH: dict[tuple[Family, Style], str] = {
    ("double", "straight"): '"', ("double", "curly"): "”", ("double", "latex"): "''",
    ("single", "straight"): "'", ("single", "curly"): "’", ("single", "latex"): "'",
}
_QUOTE_CHARS = frozenset("\"'`“”‘’")
_QUOTE_RUN = re.compile("[" + re.escape("".join(sorted(_QUOTE_CHARS))) + "]+")
_OPENING_PUNCT = frozenset("([{<—–/")  # a mark after these opens, like after a space
_CLOSING_PUNCT = frozenset(".,;:!?)]}>…—–/")  # a mark before these closes, like before a space
_SENTENCE_END = frozenset(".!?…")
_WORD = re.compile(r"[A-Za-z]+")
_LEADING_DOTS = re.compile(r"[.…]+\w")  # "...and then", ".com": the quote opens
# A quotation that runs on does not contain its own attribution: in `"We won, he said.`
# the closing mark before the comma was lost, so the quotation cannot be reopened.
_ATTRIBUTION = re.compile(
    r"[,?!](?=\s+(?!(?:and|but|or|so|because|which|who|that|when|while|as|if|then|I)\b)"
    r"(?:[\w.'’-]+\s+){0,6}?"
    r"(?:said|says|told|tells|added|adds|asked|asks|explained|explains|warned|warns|argued|argues"
    r"|insisted|insists|wrote|writes)\b)"
)
_ROCK_N_ROLL = re.compile(r"(?<!\w)['’]n['’](?!\w)", re.IGNORECASE)
_FEET_INCHES = re.compile(r"\d\s?['’′]\s?\d{1,2}(?:\.\d+)?\s?[\"”″]")


@lru_cache(maxsize=16)
def _mark_pattern(marks: frozenset[str]) -> re.Pattern[str]:
    """A regex for the enabled marks; LaTeX pairs first so ``''`` is not read as two apostrophes."""
    parts = []
    if "latex" in marks:
        parts += ["``", "''(?!')", "`"]
    chars = "".join(g for g, (_f, _s, _d, name) in _GLYPHS.items() if len(g) == 1 and name in marks)
    if chars:
        parts.append("[" + re.escape(chars) + "]")
    return re.compile("|".join(parts)) if parts else re.compile(r"(?!)")


def check(doc: Document, options: Options) -> Iterator[Hit]:
    sentences: dict[int, list[Span]] = {}
    for sentence in doc.sentences:
        sentences.setdefault(sentence.block, []).append(sentence)
    view = _context_view(doc)
    pairing = _Pairing(doc, options, view)
    for index, block in enumerate(doc.blocks):
        in_block = sentences.get(index) or [block]
        pairing.block(block, in_block, _marks(view, block, in_block, options))
    pairing.finish()
    yield from sorted(pairing.hits, key=lambda h: (h.start, h.kind))


def _context_view(doc: Document) -> str:
    """The prose in which blanked code and markup read as a letter, not as a space.

    In ``"*no*"`` or ``"`x`"`` the marks touch the quoted text; the prose view blanks
    the markup, which would leave them standing between spaces. Marks in code are
    gone either way, as the placeholder is not a quote mark.
    """
    if doc.prose == doc.text:
        return doc.prose
    return "".join(
        "x" if shown == " " and not given.isspace() else shown for shown, given in zip(doc.prose, doc.text, strict=True)
    )


def _marks(prose: str, block: Block, sentences: list[Span], options: Options) -> list[Mark]:
    """The quote marks of one block, each classified by its neighbours (``prose``: the context view)."""
    sentence_starts = [s.start for s in sentences]
    elisions = {e.lower() for e in options.elisions}
    rock_n_roll = {m.start() for m in _ROCK_N_ROLL.finditer(prose, block.start, block.end)}
    rock_n_roll |= {start + 2 for start in rock_n_roll}
    feet_inches = {
        i
        for m in _FEET_INCHES.finditer(prose, block.start, block.end)
        for i in range(m.start(), m.end())
        if prose[i] in "'’′\"”″"
    }
    # Runs of quote marks, so each mark finds its neighbours without walking the run (linear).
    runs = [r.span() for r in _QUOTE_RUN.finditer(prose, block.start, block.end)]
    run_starts = [start for start, _ in runs]
    marks = []
    for m in _mark_pattern(frozenset(options.marks)).finditer(prose, block.start, block.end):
        family, style, glyph, _name = _GLYPHS[m.group()]
        start, end = m.start(), m.end()
        run_start, run_end = runs[bisect.bisect_right(run_starts, start) - 1]
        before = prose[run_start - 1] if run_start > block.start else " "
        after = prose[run_end] if run_end < block.end else " "
        role = _role(before, after, prose, end, block)
        previous = _previous_char(prose, start, block)
        apostrophe = trailing = False
        if family == "single" and style != "latex":
            apostrophe, trailing = _apostrophe(prose, start, block, elisions)
            apostrophe = apostrophe or start in rock_n_roll or start in feet_inches
        elif family == "double":
            apostrophe = start in feet_inches
            # 10" is inches unless a quotation is open
            trailing = start > block.start and prose[start - 1].isdigit()
        marks.append(
            Mark(
                start,
                end,
                family,
                style,
                role,
                glyph,
                sentence=max(0, bisect.bisect_right(sentence_starts, start) - 1),
                sentence_start=previous in _SENTENCE_END or previous == "",
                apostrophe=apostrophe,
                trailing=trailing,
            )
        )
    return marks


def _previous_char(prose: str, start: int, block: Block) -> str:
    """The last character before ``start`` in the block that is not a space ("" at its start)."""
    i = start - 1
    while i >= block.start and prose[i].isspace():
        i -= 1
    return prose[i] if i >= block.start else ""


def _role(before: str, after: str, prose: str, end: int, block: Block) -> Role:
    space_before = before.isspace()
    opens = space_before or before in _OPENING_PUNCT
    closes = after.isspace() or (after in _CLOSING_PUNCT and not _LEADING_DOTS.match(prose, end, block.end))
    if space_before and closes:
        return "loose"
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    return "either"


def _apostrophe(prose: str, start: int, block: Block, elisions: set[str]) -> tuple[bool, bool]:
    """Whether a single mark is an apostrophe or prime (certainly, or only if no quote is open)."""
    before = prose[start - 1] if start > block.start else " "
    after = prose[start + 1] if start + 1 < block.end else " "
    if before.isalnum() and after.isalnum():
        return True, False  # don't, o'clock, 6'2"
    if not before.isspace() and after in "sS" and not prose[start + 2 : start + 3].isalnum():
        return True, False  # U.S.'s, "Meet the Press"'s
    if not before.isalnum():
        if after.isdigit():
            return True, False  # '90s
        word = _WORD.match(prose, start + 1, block.end)
        if word and word.group().lower() in elisions:
            return True, False  # 'em, 'til
        return False, False
    # The mark follows a word or number: a possessive, feet, or a closing quote.
    possessive = before in "sSzZxX" or before.isdigit()
    dropped_g = prose[start - 2 : start] == "in"  # nothin', goin'
    return False, possessive or dropped_g


def _same_style(opening: Mark, closing: Mark) -> bool:
    """Whether two marks make a pair of one style; LaTeX closes a single `quote' with an apostrophe."""
    if opening.style == "latex" and opening.family == "single":
        return closing.style in ("latex", "straight")
    return opening.style == closing.style


@dataclass
class _Pairing:
    """Pairs the marks of one document, block by block; collects hits."""

    doc: Document
    options: Options
    view: str  # the prose, with blanked code and markup as letters
    hits: list[Hit] = field(default_factory=list)
    carried: _Open | None = None  # a quotation left open at the end of the previous paragraph
    previous: Block | None = None
    stack: list[_Open] = field(default_factory=list)
    sentences: list[Span] = field(default_factory=list)

    def block(self, block: Block, sentences: list[Span], marks: Sequence[Mark]) -> None:
        self.sentences = sentences
        self.stack = []
        marks = [m for m in marks if not m.apostrophe]
        if self.carried is not None:
            first = marks[0] if marks else None
            if (
                first is not None
                and block.kind != "heading"
                and first.family == "double"
                and first.role in ("open", "either")
                and not self.doc.prose[block.start : first.start].strip()
            ):
                self.stack.append(_Open(first, self.carried.first, self._sentence_end(first)))
                marks = marks[1:]
            elif block.kind != "heading":
                # Some writers do not reopen: the quotation may still close in this paragraph.
                carried = self.carried
                self.stack.append(_Open(carried.mark, carried.first, carried.sentence_end, implicit=True))
            else:
                self._unclosed(self.carried, self._end_of(self.previous), "before the paragraph ends")
            self.carried = None
        skip = False
        for i, mark in enumerate(marks):
            if skip:
                skip = False
                continue
            self._end_sentences(mark.sentence)
            partner = marks[i + 1] if i + 1 < len(marks) else None
            if partner is not None and self._empty(mark, partner):
                skip = True
            elif mark.family == "double":
                self._double(mark)
            else:
                self._single(mark)
        self._end_block(block)
        self.previous = block

    def finish(self) -> None:
        if self.carried is not None:
            self._unclosed(self.carried, self._end_of(self.previous), "before the paragraph ends")
            self.carried = None

    # -- one mark --------------------------------------------------------------------------

    def _empty(self, mark: Mark, partner: Mark) -> bool:
        between = self.view[mark.end : partner.start]
        if (
            partner.family != mark.family
            or between.strip()
            or mark.role == "close"
            or partner.role == "open"
            or mark.trailing
            or (mark.role == "either" and self._top(mark.family) is not None)
        ):
            return False
        self._hit(mark.start, partner.end, "empty", "Empty quotation marks: nothing is quoted", partner.span)
        return True

    def _double(self, mark: Mark) -> None:
        top = self._top("double")
        if mark.trailing and top is None and mark.role != "open":
            return  # 10" inches
        role = mark.role
        if role == "either":
            role = "close" if top is not None else "open"
        elif role != "loose" and mark.glyph is not None and mark.glyph != role:
            self._wrong_glyph(mark, role, top)
        if role == "loose":
            if top is None:
                self._push(mark, detached=True)
            else:
                opened = self._pop_to(top)
                self._spacing(mark, opened.first)
        elif role == "open":
            if top is not None:
                opened = self.stack[top]
                if opened.detached:
                    self._pop_to(top)
                    self._stray(opened.mark)
                elif opened.implicit:
                    self._pop_to(top)
                    self._unclosed(opened, self._end_of(self.previous), "before the paragraph ends")
                else:
                    reopens = self.options.reopen_in_paragraph and mark.sentence_start
                    lost = self._attribution(opened.mark.end, mark.start) if reopens else None
                    self._pop_to(top)
                    if reopens and lost is None:
                        self.stack.append(_Open(mark, opened.first, self._sentence_end(mark)))
                        return
                    if lost is not None:
                        self._unclosed(opened, Span(lost, lost), "before its attribution")
                    else:
                        self._unclosed(opened, Span(mark.start, mark.start), "before the next quotation opens")
            self._push(mark)
        elif top is None:
            self._unopened(mark)
        else:
            self._close(self._pop_to(top), mark)

    def _single(self, mark: Mark) -> None:
        top = self._top("single")
        if mark.trailing and top is None:
            return  # analysts', Chris', 5' feet
        role = mark.role
        if role == "either" or mark.trailing:
            role = "close" if top is not None else "open"
        elif role != "loose" and mark.glyph is not None and mark.glyph != role:
            self._wrong_glyph(mark, role, top)
        if role == "open":
            self._push(mark)
        elif top is not None:
            opened = self._pop_to(top)
            if role == "loose":
                self._spacing(mark, opened.mark)
            else:
                self._close(opened, mark)
        elif role == "loose":
            self._hit_mark(mark, "single", "Stray single quote: it neither opens nor closes a quotation")
        else:
            self._hit_mark(
                mark, "single", "Single quote closes a quotation that was never opened",
                Span(self._sentence_start(mark), self._sentence_start(mark)),
            )

    def _close(self, opened: _Open, mark: Mark) -> None:
        if opened.detached:
            self._spacing(opened.mark, mark)
        elif not _same_style(opened.mark, mark) and not self.options.allow_mixed:
            message = f"Quotation opened with {self._glyph(opened.mark)} is closed with {self._glyph(mark)}"
            closing = _CLOSING_GLYPH[(opened.mark.family, opened.mark.style)]
            self._hit(mark.start, mark.end, "mismatched", message, opened.mark.span, suggestions=(closing,))

    def _wrong_glyph(self, mark: Mark, role: Role, top: int | None) -> None:
        related = (self.stack[top].mark.span,) if top is not None and role == "close" else ()
        used = "opening" if mark.glyph == "open" else "closing"
        message = f"{used.capitalize()} mark {self._glyph(mark)} used to {role} a quotation"
        glyphs = _OPENING_GLYPH if role == "open" else _CLOSING_GLYPH
        suggestion = glyphs[(mark.family, mark.style)]
        self._hit(mark.start, mark.end, "mismatched", message, *related, suggestions=(suggestion,))

    # -- the stack -------------------------------------------------------------------------

    def _top(self, family: Family) -> int | None:
        """The innermost open quotation of a family; a single quote cannot close across a double."""
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].mark.family == family:
                return i
            if family == "single":
                return None
        return None

    def _push(self, mark: Mark, detached: bool = False) -> None:
        self.stack.append(_Open(mark, mark, self._sentence_end(mark), detached))

    def _pop_to(self, index: int) -> _Open:
        """Remove the quotation at ``index``; what was opened inside it and not closed is reported."""
        while len(self.stack) > index + 1:
            self._leftover(self.stack.pop(), "before the enclosing quotation ends")
        return self.stack.pop()

    def _end_sentences(self, sentence: int) -> None:
        """Single quotes outside double quotes do not run past the end of their sentence."""
        while (
            self.stack
            and self.stack[-1].mark.family == "single"
            and self.stack[-1].mark.sentence < sentence
            and not any(o.mark.family == "double" for o in self.stack)
        ):
            self._leftover(self.stack.pop(), "before the sentence ends")

    def _end_block(self, block: Block) -> None:
        while self.stack:
            opened = self.stack.pop()
            if opened.implicit:  # carried over one paragraph without reopening or closing
                self._unclosed(opened, self._end_of(self.previous), "before the paragraph ends")
            elif (
                opened.mark.family == "double"
                and not opened.detached
                and not self.stack
                and self.options.continued_paragraphs
                and block.kind != "heading"
            ):
                lost = self._attribution(opened.mark.end, block.end)
                if lost is None:
                    self.carried = opened  # the next paragraph may reopen it
                else:
                    self._unclosed(opened, Span(lost, lost), "before its attribution")
            else:
                self._leftover(opened, "before the paragraph ends", self._end_of(block))

    def _leftover(self, opened: _Open, why: str, where: Span | None = None) -> None:
        if opened.detached:
            self._stray(opened.mark)
        elif opened.mark.family == "single":
            if not any(o.mark.family == "double" for o in self.stack):
                why = "before the sentence ends"
            end = min(opened.sentence_end, where.start) if where else opened.sentence_end
            self._hit_mark(
                opened.mark, "single", f"Single quote opens a quotation that is never closed ({why})",
                Span(end, end),
            )
        else:
            self._unclosed(opened, where or Span(opened.sentence_end, opened.sentence_end), why)

    def _attribution(self, start: int, end: int) -> int | None:
        """Where an attribution (``, he said``) begins between two offsets, if one does."""
        found = _ATTRIBUTION.search(self.view, start, end)
        return found.start() if found else None

    # -- findings --------------------------------------------------------------------------

    def _unclosed(self, opened: _Open, where: Span, why: str) -> None:
        related = [where] + ([opened.first.span] if opened.first is not opened.mark else [])
        self._hit_mark(opened.mark, "unclosed", f"Quotation is never closed ({why})", *related)

    def _unopened(self, mark: Mark) -> None:
        start = self._sentence_start(mark)
        self._hit_mark(mark, "unopened", "Closing quotation mark with no opening mark", Span(start, start))

    def _spacing(self, mark: Mark, partner: Mark) -> None:
        side = "after the opening" if mark.start < partner.start else "before the closing"
        message = f"Space {side} quotation mark: it is detached from the quote"
        self._hit_mark(mark, "spacing", message, partner.span)

    def _stray(self, mark: Mark) -> None:
        message = "Stray quotation mark detached by a space: it neither opens nor closes a quotation"
        self._hit_mark(mark, "detached", message)

    def _hit_mark(self, mark: Mark, kind: str, message: str, *related: Span) -> None:
        self._hit(mark.start, mark.end, kind, message, *related)

    def _hit(
        self, start: int, end: int, kind: str, message: str, *related: Span, suggestions: tuple[str, ...] = ()
    ) -> None:
        self.hits.append(Hit(start, end, message, kind=kind, suggestions=suggestions, related=tuple(related)))

    # -- places ----------------------------------------------------------------------------

    def _glyph(self, mark: Mark) -> str:
        return self.doc.text[mark.start : mark.end]

    def _sentence_end(self, mark: Mark) -> int:
        return self.sentences[min(mark.sentence, len(self.sentences) - 1)].end

    def _sentence_start(self, mark: Mark) -> int:
        return self.sentences[min(mark.sentence, len(self.sentences) - 1)].start

    @staticmethod
    def _end_of(block: Block | None) -> Span:
        end = block.end if block else 0
        return Span(end, end)
