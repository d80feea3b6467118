"""Vale's ``scope``: which parts of a document a rule reads, as spans of the Document.

``text`` is the prose (markup, code and front matter blanked) block by block, as
Vale lints it: a match never spans a paragraph break; ``summary`` is the whole
prose at once and ``raw`` the file as given; ``paragraph``, ``sentence``, ``heading`` (``heading.h1``..
``heading.h6``, ``title`` = ``heading.h1``), ``list``, ``blockquote`` and ``table``
(``table.cell``, ``table.header``) are the blocks of that kind, each searched on its
own as Vale does. ``~scope`` is every block but those; ``a & b`` the blocks in both
(``heading & ~heading.h1``). Scopes naming markup that the
gate does not read as prose (``code``, ``comment``, ``alt``, ``attr``, ``link``,
``strong``, ``emphasis``, ...) are accepted so that Vale styles import unchanged, and
match nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from qualitybot.document import Block, Document

WHOLE = ("text", "summary", "raw")
BLOCK_KINDS = {"paragraph": "paragraph", "list": "list_item", "blockquote": "blockquote", "table": "table"}
UNREAD = ("code", "comment", "alt", "attr", "link", "strong", "emphasis", "script", "pre", "figure")
SCOPE_HELP = (
    "where the rule looks: text (default), raw, paragraph, sentence, heading[.h1-h6], "
    "title, list, blockquote, table; ~scope negates"
)
_HEADING = re.compile(r"heading(?:\.h([1-6]))?$")
_ATX = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]")


@dataclass(frozen=True)
class Region:
    """A span to search, and whether to search the raw text rather than the prose."""

    start: int
    end: int
    raw: bool = False


def check_scope(scope: str) -> None:
    """Raise ValueError for a scope Vale itself would not know."""
    if "&" in scope:
        for part in scope.split("&"):
            check_scope(part.strip())
        return
    base = scope.removeprefix("~")
    if base.startswith("doc("):
        raise ValueError(f"scope '{scope}': doc() selectors are not supported")
    if " " in base:
        raise ValueError(f"scope '{scope}' contains spaces")
    head = base.split(".")[0]
    if base in WHOLE or base in ("sentence", "title") or _HEADING.match(base):
        return
    if head in BLOCK_KINDS or head in UNREAD:
        return
    raise ValueError(f"unknown scope '{scope}' ({SCOPE_HELP})")


def regions(doc: Document, scopes: list[str]) -> list[Region]:
    """The spans a rule with these scopes reads, in document order, without repeats."""
    found: dict[tuple[int, int, bool], None] = {}
    for scope in scopes:
        for region in _regions(doc, scope):
            found[(region.start, region.end, region.raw)] = None
    return [Region(s, e, r) for s, e, r in sorted(found)]


def _regions(doc: Document, scope: str) -> Iterator[Region]:
    if "&" in scope:
        parts = [{(r.start, r.end, r.raw) for r in _regions(doc, p.strip())} for p in scope.split("&")]
        yield from (Region(*key) for key in sorted(set.intersection(*parts)))
    elif scope == "text":
        # Vale lints each block on its own: a pattern never matches across a paragraph break.
        yield from (Region(b.start, b.end) for b in doc.blocks)
    elif scope == "summary":
        yield Region(0, len(doc.text))
    elif scope == "raw":
        yield Region(0, len(doc.text), raw=True)
    elif scope == "sentence":
        yield from (Region(s.start, s.end) for s in doc.sentences)
    elif scope.startswith("~"):
        excluded = {(r.start, r.end) for r in _regions(doc, scope[1:])}
        yield from (Region(b.start, b.end) for b in doc.blocks if (b.start, b.end) not in excluded)
    else:
        yield from (Region(b.start, b.end) for b in doc.blocks if _block_in(doc, b, scope))


def _block_in(doc: Document, block: Block, scope: str) -> bool:
    if scope == "title":
        scope = "heading.h1"
    heading = _HEADING.match(scope)
    if heading:
        return block.kind == "heading" and (not heading.group(1) or heading_level(doc, block) == int(heading.group(1)))
    kind = BLOCK_KINDS.get(scope.split(".")[0])
    return kind is not None and block.kind == kind


def heading_level(doc: Document, block: Block) -> int:
    """1-6 from ATX ``#`` marks, or a setext underline (``===`` is 1, ``---`` is 2)."""
    line_start = doc.text.rfind("\n", 0, block.start) + 1
    atx = _ATX.match(doc.text, line_start)
    if atx:
        return len(atx.group(1))
    next_line = doc.text[doc.text.find("\n", block.end) + 1 :].lstrip(" ")
    return 1 if next_line.startswith("=") else 2
