"""The Document every check reads: the text as given, and where its prose is.

A Document keeps the file as it was given (``text``, with each line break, CRLF
or a lone CR, read as ``\n``: line numbers are those editors show) and a *prose view*
of it (``prose``): a string of the same length in which everything that is not
prose (front matter, code blocks, inline code, HTML tags and comments, link
targets, Markdown markers) is replaced by spaces, newlines kept. Checks search
``prose`` and report offsets that are therefore offsets into ``text``, which
``line_col`` turns into 1-based line and column (code points).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

if TYPE_CHECKING:
    from qualitybot.archive import Archive

Format = Literal["text", "markdown", "html"]
BlockKind = Literal["paragraph", "heading", "list_item", "blockquote", "table"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|\Z)", re.DOTALL)
_HTML_NOISE = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>|<[A-Za-z/!][^>]*>", re.DOTALL | re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
# Editors break lines at LF, CRLF and a lone CR (old Mac files), and so does markdown-it;
# form feed, vertical tab, NEL and U+2028/2029 are characters within a line to both.
_LINE_BREAK = re.compile(r"\r\n?")
# A Markdown document with more inline markup characters than this is read as plain
# text: markdown-it spends up to ~65 us on each (runs of ``[``, ``**a**a``), so
# this bounds its time to a few seconds (see benchmarks/hostile.md).
MAX_MARKUP_CHARS = 100_000
_MARKUP_CHARS = "[]*_`<"
_SUFFIX_FORMATS: dict[str, Format] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}


@dataclass(frozen=True)
class Span:
    """Character offsets ``[start, end)`` into ``Document.text``."""

    start: int
    end: int


@dataclass(frozen=True)
class Block(Span):
    """A prose block: a paragraph, heading, list item, quoted paragraph or table cell."""

    kind: BlockKind = "paragraph"


@dataclass(frozen=True)
class Sentence(Span):
    """A sentence, and the index of the block it belongs to in ``Document.blocks``."""

    block: int = 0


@dataclass(frozen=True)
class Document:
    """A submission ready to be checked; build one with :func:`parse` (immutable: derive
    another with ``dataclasses.replace``)."""

    path: str
    text: str
    format: Format
    prose: str
    blocks: list[Block]
    sentences: list[Sentence]
    metadata: dict[str, Any] = field(default_factory=dict)
    published_at: date | None = None
    notes: tuple[str, ...] = ()
    # Earlier articles to compare with (qualitybot.archive), set by whoever checks the
    # document; ``archive_id`` is its own id there (else front matter submission_id, else path).
    archive: Archive | None = field(default=None, repr=False)
    archive_id: str = ""

    @cached_property
    def _line_starts(self) -> list[int]:
        return [0] + [m.end() for m in re.finditer(r"\n", self.text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of a character offset."""
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def prose_of(self, span: Span) -> str:
        """The prose view of a span (same length as the span)."""
        return self.prose[span.start : span.end]

    @property
    def paragraphs(self) -> list[Block]:
        """Blocks that are running text (not headings): what editors call paragraphs."""
        return [b for b in self.blocks if b.kind != "heading"]


def guess_format(path: str) -> Format:
    """The format a file name suggests; anything unknown is plain text."""
    suffix = path[path.rfind(".") :].lower() if "." in path else ""
    return _SUFFIX_FORMATS.get(suffix, "text")


def parse(
    text: str,
    path: str = "<stdin>",
    fmt: Format | None = None,
    published_at: date | None = None,
    today: date | None = None,
) -> Document:
    """Build a Document.

    Its reference date (what the dates check calls "now") is resolved here, once:
    ``published_at`` if given, else the front matter's ``published_at``/``date``, else
    ``today`` (the caller's clock; None leaves it unknown, as tests and benchmarks do).
    """
    fmt = fmt or guess_format(path)
    text = _LINE_BREAK.sub("\n", text)
    prose = list(text)
    metadata: dict[str, Any] = {}
    notes: list[str] = []
    if fmt == "markdown" and _too_much_markup(text):
        fmt = "text"
        notes.append(
            f"more than {MAX_MARKUP_CHARS:,} Markdown markup characters: checked as plain text, "
            "its structure was not parsed"
        )
    body_start = 0
    match = _FRONT_MATTER.match(text)
    if match:
        body_start = match.end()
        source = match.group(1) or ""
        loaded = None
        if len(source) > MAX_FRONT_MATTER_CHARS:
            notes.append(f"front matter is longer than {MAX_FRONT_MATTER_CHARS:,} characters and was ignored")
        else:
            try:
                loaded = yaml.load(source, Loader=_FrontMatterLoader)  # a SafeLoader: no objects
            except (yaml.YAMLError, ValueError, RecursionError) as exc:  # ValueError: a date like 2024-02-30
                notes.append(f"front matter is not valid YAML and was ignored ({_first_line(exc)})")
        if isinstance(loaded, dict):
            metadata = {str(k): v for k, v in loaded.items()}
        _blank(prose, 0, body_start)

    if fmt == "markdown":
        blocks = _markdown_blocks(text, prose, body_start)
    else:
        if fmt == "html":
            notes.append("HTML is checked as text with its tags masked; structure is not parsed yet")
            for m in _HTML_NOISE.finditer(text, body_start):
                _blank(prose, m.start(), m.end())
        blocks = _text_blocks("".join(prose), body_start)
    prose_text = "".join(prose)
    sentences = [s for i, b in enumerate(blocks) for s in split_sentences(prose_text, b, i)]
    dated = metadata_date(metadata)
    if published_at is None and dated is None:
        given = next((metadata[k] for k in ("published_at", "date") if metadata.get(k) not in (None, "")), None)
        if given is not None:
            shown = str(given)[:40]
            notes.append(f"front matter date {shown!r} is not a real day written YYYY-MM-DD and was ignored")
    return Document(
        path=path,
        text=text,
        format=fmt,
        prose=prose_text,
        blocks=blocks,
        sentences=sentences,
        metadata=metadata,
        published_at=published_at or dated or today,
        notes=tuple(notes),
    )


MAX_FRONT_MATTER_CHARS = 65_536


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that keeps a timestamp naming no real day ("2024-02-30") as the text written."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)  # type: ignore[arg-type]
        except ValueError:
            return self.construct_scalar(node)  # type: ignore[arg-type]


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _FrontMatterLoader.construct_yaml_timestamp)


def metadata_date(metadata: dict[str, Any]) -> date | None:
    """The publication date named in front matter (``published_at`` or ``date``), if any."""
    for key in ("published_at", "date"):
        value = metadata.get(key)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def _too_much_markup(text: str) -> bool:
    return sum(map(text.count, _MARKUP_CHARS)) > MAX_MARKUP_CHARS


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def _text_blocks(prose: str, start: int) -> list[Block]:
    blocks = []
    pos = start
    for sep in [*_BLANK_LINES.finditer(prose, start), None]:
        end = sep.start() if sep else len(prose)
        chunk = prose[pos:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            blocks.append(Block(pos + lead, pos + lead + len(stripped)))
        pos = sep.end() if sep else end
    return blocks


_MD = MarkdownIt("commonmark").enable("table").use(front_matter_plugin)
_CONTAINERS: dict[str, BlockKind] = {
    "list_item_open": "list_item",
    "blockquote_open": "blockquote",
    "td_open": "table",
    "th_open": "table",
}


def _markdown_blocks(text: str, prose: list[str], body_start: int) -> list[Block]:
    """Keep only the text of inline tokens in ``prose``; return their blocks."""
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)] + [len(text) + 1]
    # Everything is blanked first; the text runs of inline tokens are restored.
    kept = [False] * len(text)
    blocks: list[Block] = []
    containers: list[BlockKind] = []
    heading = False
    for token in _MD.parse(text):
        if token.type in _CONTAINERS:
            containers.append(_CONTAINERS[token.type])
        elif token.type.replace("_close", "_open") in _CONTAINERS and token.nesting == -1:
            containers.pop()
        elif token.type == "heading_open":
            heading = True
        elif token.type == "heading_close":
            heading = False
        elif token.type == "inline" and token.map and token.children is not None:
            start = line_starts[token.map[0]]
            end = min(line_starts[token.map[1]] - 1, len(text))
            kind: BlockKind = "heading" if heading else (containers[-1] if containers else "paragraph")
            span = _restore_inline(text, token.children, start, end, kept)
            if span and span[0] >= body_start:
                blocks.append(Block(span[0], span[1], kind))
    for i, keep in enumerate(kept):
        if not keep and prose[i] != "\n":
            prose[i] = " "
    return blocks


def _restore_inline(text: str, children: list[Token], start: int, end: int, kept: list[bool]) -> tuple[int, int] | None:
    """Find each child's text in the source, in order; mark text runs as kept."""
    cursor = start
    first = last = None
    # A run that is not found costs a scan to the end of the block; once the scans add
    # up to a few times the block, each search looks only a little way ahead (linear).
    budget = 4 * (end - start) + 65536
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            needle = child.content
            if not needle:
                continue
            limit = end if budget > 0 else min(end, cursor + 2 * len(needle) + 1024)
            found = text.find(needle, cursor, limit)
            length = len(needle)
            if found < 0 and child.type == "text":
                # The token holds `\"` decoded as `"`: find it with its backslash escapes.
                match = re.compile(_escaped_pattern(needle)).search(text, cursor, limit)
                if match:
                    found, length = match.start(), match.end() - match.start()
            if found < 0:
                budget -= limit - cursor
                continue  # decoded entities (&amp;): that run stays blanked
            budget -= found + length - cursor
            cursor = found + length
            if child.type == "text":
                for i in range(found, cursor):
                    kept[i] = True
                first = found if first is None else first
                last = cursor
    return (first, last) if first is not None and last is not None else None


_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _escaped_pattern(content: str) -> str:
    """A regex matching ``content`` as written in Markdown, each punctuation mark maybe escaped."""
    return "".join(
        "\\\\?" + re.escape(c) if c in _ASCII_PUNCTUATION else re.escape(c) for c in content
    )


# Abbreviations after which a period does not end a sentence (lower case, no dot).
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "prof",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "maj",
        "rev",
        "hon",
        "pres",
        "supt",
        "insp",
        "det",
        "no",
        "nos",
        "vs",
        "etc",
        "al",
        "inc",
        "ltd",
        "co",
        "corp",
        "bros",
        "dept",
        "est",
        "fig",
        "approx",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mt",
        "ft",
        "u.s",
        "u.k",
        "u.n",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
    ]
)
_CLOSERS = "\"'”’)\\]"
# Possessive, and only at the start of a run of marks: linear on runs of "....." too.
_BOUNDARY = re.compile(
    rf"(?<![.!?…])[.!?…]++[{_CLOSERS}]*+(?=\s++[\"'“‘(\[]*+[A-Z0-9])"  # end mark, closers, then a capital
    rf"|(?<![.!?…])[.!?…]++[{_CLOSERS}]*+(?=\s*+$)"  # or the end of the block
)
# The word before a period is looked up this far back at most: abbreviations are short.
_WORD_WINDOW = 64


def split_sentences(prose: str, block: Span, index: int = 0) -> list[Sentence]:
    """Split a block into sentences, keeping abbreviations, initials and decimals whole."""
    sentences: list[Sentence] = []
    pos = block.start
    segment = prose[block.start : block.end]
    for m in _BOUNDARY.finditer(segment):
        end = block.start + m.end()
        if segment[m.start()] == ".":
            token = _word_before(segment, m.start()).lower()
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        _append_sentence(sentences, prose, pos, end, index)
        pos = end
    _append_sentence(sentences, prose, pos, block.end, index)
    return sentences


def _word_before(segment: str, dot: int) -> str:
    """The run of word characters and periods that ends at ``dot``, without it ("U.S" in "U.S.")."""
    i, lowest = dot, max(0, dot - _WORD_WINDOW)
    while i > lowest and (segment[i - 1] == "." or segment[i - 1] == "_" or segment[i - 1].isalnum()):
        i -= 1
    return segment[i:dot]


def _append_sentence(out: list[Sentence], prose: str, start: int, end: int, index: int) -> None:
    chunk = prose[start:end]
    if chunk.strip():
        lead = len(chunk) - len(chunk.lstrip())
        out.append(Sentence(start + lead, start + len(chunk.rstrip()), index))
