"""The Document model: prose view, blocks, sentences, front matter, line/column."""

from __future__ import annotations

from datetime import date

import pytest

from qualitybot.document import parse


@pytest.mark.parametrize(
    ("text", "path", "expected_blocks"),
    [
        ("One para.\n\nTwo para.\n", "a.txt", [("paragraph", "One para."), ("paragraph", "Two para.")]),
        ("# Title\n\nBody text.\n", "a.md", [("heading", "Title"), ("paragraph", "Body text.")]),
        ("- first item\n- second item\n", "a.md", [("list_item", "first item"), ("list_item", "second item")]),
        ("> quoted words\n", "a.md", [("blockquote", "quoted words")]),
        ("Text.\n\n```\ncode \"here\n```\n", "a.md", [("paragraph", "Text.")]),
        ("    indented code\n\nProse.\n", "a.md", [("paragraph", "Prose.")]),
        ("---\ntitle: T\n---\nBody.\n", "a.md", [("paragraph", "Body.")]),
        ("---\ntitle: T\n---\nBody.\n", "a.txt", [("paragraph", "Body.")]),
        ("<p>Hello <b>world</b></p>\n", "a.html", [("paragraph", "Hello    world")]),
        ("", "a.md", []),
    ],
)
def test_blocks(text: str, path: str, expected_blocks: list[tuple[str, str]]) -> None:
    doc = parse(text, path)
    got = [(b.kind, " ".join(doc.prose_of(b).split(" ")).strip()) for b in doc.blocks]
    assert [(k, " ".join(t.split())) for k, t in got] == [(k, " ".join(t.split())) for k, t in expected_blocks]
    assert len(doc.prose) == len(doc.text)


@pytest.mark.parametrize(
    ("text", "hidden", "kept"),
    [
        ("Use `rm \"x` now.\n", 'rm "x', "now."),
        ("See [the site](http://example.com/a\"b) today.\n", "example.com", "the site"),
        ("Hi <!-- note \" --> there.\n", "note", "there."),
        ("**Bold** and _em_ text.\n", "**", "Bold"),
    ],
)
def test_markdown_prose_masks_non_prose(text: str, hidden: str, kept: str) -> None:
    doc = parse(text, "a.md")
    assert hidden not in doc.prose
    assert kept in doc.prose


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Mr. Smith went to Washington. He met the U.S. envoy.", ["Mr. Smith went to Washington.", "He met the U.S. envoy."]),
        ("Growth was 2.5% in May. Prices rose.", ["Growth was 2.5% in May.", "Prices rose."]),
        ('"It is over," she said. "We lost."', ['"It is over," she said.', '"We lost."']),
        ("J. R. Ewing arrived. Why? Nobody knows!", ["J. R. Ewing arrived.", "Why?", "Nobody knows!"]),
        ("It ends at 5 p.m. Tomorrow too.", ["It ends at 5 p.m. Tomorrow too."]),
    ],
)
def test_sentences(text: str, sentences: list[str]) -> None:
    doc = parse(text, "a.txt")
    assert [doc.text[s.start : s.end] for s in doc.sentences] == sentences


@pytest.mark.parametrize(
    ("text", "offset", "line_col"),
    [
        ("abc\ndef\n", 0, (1, 1)),
        ("abc\ndef\n", 5, (2, 2)),
        ("😀 é\nx", 2, (1, 3)),  # columns count code points, not UTF-16 units or bytes
        ("a\n\nb", 3, (3, 1)),
    ],
)
def test_line_col(text: str, offset: int, line_col: tuple[int, int]) -> None:
    assert parse(text, "a.txt").line_col(offset) == line_col


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("published_at: 2022-03-14T10:00:00Z", date(2022, 3, 14)),
        ("date: 2021-01-02", date(2021, 1, 2)),
        ("date: not a date", None),
        ("title: [unclosed", None),
    ],
)
def test_front_matter_dates(front_matter: str, expected: date | None) -> None:
    doc = parse(f"---\n{front_matter}\n---\nBody.\n", "a.md")
    assert doc.published_at == expected


def test_invalid_front_matter_is_a_note_not_a_crash() -> None:
    doc = parse("---\ntitle: [unclosed\n---\nBody.\n", "a.md")
    assert any("front matter" in n for n in doc.notes)
    assert doc.metadata == {}


def test_explicit_published_at_wins() -> None:
    doc = parse("---\ndate: 2021-01-02\n---\nBody.\n", "a.md", published_at=date(2020, 5, 5))
    assert doc.published_at == date(2020, 5, 5)
