"""Fixture table for the quotes check: broken quoting is flagged, news conventions are not.

Every fixture is our own text; the lines marked "seed" imitate the defects of the
real submission in ``../shared/fixtures/seed-article.txt`` without copying it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qualitybot.checks import registry
from qualitybot.checks.quotes import KINDS, Options, check
from qualitybot.contract import ENGINE_KINDS
from qualitybot.document import Document
from tests.conftest import SHARED, make_doc, run_cli

SEED = SHARED / "fixtures" / "seed-article.txt"

Expected = list[tuple[int, int, str]]


def found(doc: Document, options: Options | None = None) -> Expected:
    return [(*doc.line_col(h.start), h.kind) for h in check(doc, options or Options())]


MUST_FLAG: list[tuple[str, str, dict[str, Any], Expected]] = [
    # empty: nothing between the marks
    ("empty-spaced", 'He said " " and left.', {}, [(1, 9, "empty")]),
    ("empty-adjacent", 'They called it "" twice.', {}, [(1, 16, "empty")]),
    ("empty-curly", "She wrote “ ” on the wall.", {}, [(1, 11, "empty")]),
    ("seed: empty after sentences", 'The two sides met in November. Last year. " "', {}, [(1, 43, "empty")]),
    # detached: a straight mark between spaces that pairs with nothing
    (
        "seed: stray closing",
        'It was a sign that they were ready to act. themselves ".',
        {},
        [(1, 55, "detached")],
    ),
    (
        "seed: stray after a closed quote",
        'He called it "a warning to all who might fall." for him. "',
        {},
        [(1, 58, "detached")],
    ),
    ("stray between words", 'The talks " ended on Monday.', {}, [(1, 11, "detached")]),
    # spacing: the mark pairs, but a space separates it from the quote
    (
        "seed: closing spaced",
        'A spokesman said "we are looking at this. very well. "',
        {},
        [(1, 54, "spacing")],
    ),
    ("opening spaced", 'He said it could be " very important to us".', {}, [(1, 21, "spacing")]),
    ("curly closing spaced", "She called it “a story ”.", {}, [(1, 24, "spacing")]),
    # unclosed
    (
        "unclosed at paragraph end",
        'He said "we will never give up.\n\nThe meeting ended.',
        {},
        [(1, 9, "unclosed")],
    ),
    (
        "unclosed before a new quote",
        'He said "we will go, and she said "no" to that.',
        {},
        [(1, 9, "unclosed")],
    ),
    ("unclosed last paragraph of a run", '"We will win.\n\n"We will never stop.', {}, [(3, 1, "unclosed")]),
    (
        "next paragraph opens its own quote",
        '"We will win.\n\nShe said "yes" later.',
        {},
        [(1, 1, "unclosed")],
    ),
    (
        "closing mark lost before the attribution",
        '"We will go, he said. "Then we stay," she said.',
        {},
        [(1, 1, "unclosed")],
    ),
    (
        "attribution inside a paragraph left open",
        '"We will go, said the minister.\n\n"Then we stay," she said.',
        {},
        [(1, 1, "unclosed")],
    ),
    ("latex unclosed", "``It was a bomb, said the official.\n\nNothing else.", {}, [(1, 1, "unclosed")]),
    ("curly unclosed", "He said “we will go.\n\nThey went home.", {}, [(1, 9, "unclosed")]),
    # unopened
    ("unopened", 'The vote was close," he said.', {}, [(1, 20, "unopened")]),
    ("unopened curly", "The vote was close,” he said.", {}, [(1, 20, "unopened")]),
    ("unopened after a pair", '"Yes," he said. It was over."', {}, [(1, 29, "unopened")]),
    # mismatched: curly marks the wrong way round, or styles mixed in one pair
    ("curly reversed", "He said ”no“ to the plan.", {}, [(1, 9, "mismatched"), (1, 12, "mismatched")]),
    ("curly opened twice", "He said “no“ to the plan.", {}, [(1, 12, "mismatched")]),
    ("curly closed twice", "He said ”no” to the plan.", {}, [(1, 9, "mismatched")]),
    ("curly opened, straight closed", 'He said “no" to the plan.', {}, [(1, 12, "mismatched")]),
    ("straight opened, curly closed", 'He said "no” to the plan.', {}, [(1, 12, "mismatched")]),
    ("latex opened, straight closed", 'He said ``no" to the plan.', {}, [(1, 13, "mismatched")]),
    # single: single quotes used as quotation marks that do not pair
    (
        "seed: single never closed",
        "Russia asked for help with its build-up with the US 'Ukraine. The official said no more.",
        {},
        [(1, 53, "single")],
    ),
    ("single never opened", "He said the plan was dead' and left.", {}, [(1, 26, "single")]),
    ("single between spaces", "The score was ' three to one.", {}, [(1, 15, "single")]),
    ("single open inside a double", '"He told me \'go home," she said.', {}, [(1, 13, "single")]),
    ("curly single never closed", "They call it ‘the deal. It failed.", {}, [(1, 14, "single")]),
    ("empty beside markup", 'He said " " and *left*.', {"path": "t.md"}, [(1, 9, "empty")]),
    (
        "single in a heading",
        "# Minister 'sorry for the delay\n\nText.",
        {"path": "t.md"},
        [(1, 12, "single")],
    ),
    ("elision not listed", "See 'ya later.", {}, [(1, 5, "single")]),
    # options change what is accepted
    (
        "no continued paragraphs",
        '"We will win.\n\n"We will never stop," he said.',
        {"continued_paragraphs": False},
        [(1, 1, "unclosed")],
    ),
    (
        "no reopening inside a paragraph",
        'The official said it was worrying, "but we need action. "If the gaps persist, we suffer," he said.',
        {"reopen_in_paragraph": False},
        [(1, 36, "unclosed")],
    ),
]

# Each row names the kind a naive check would wrongly report on it.
MUST_NOT_FLAG: list[tuple[str, str, dict[str, Any], str]] = [
    ("straight pair", 'He said "we will not allow this to continue," and left.', {}, "unclosed"),
    ("curly pair", "He said “we will not allow this.”", {}, "mismatched"),
    ("several pairs", '"One," she said, "two," and "three".', {}, "unopened"),
    ("quotation over paragraphs", '"We will win.\n\n"We will never stop.\n\n"Never," he said.', {}, "unclosed"),
    (
        "merged paragraphs reopen inside a paragraph",
        'The official said it was worrying, "but we need action in that direction. '
        '"If the gaps persist, growth will suffer," he said.',
        {},
        "unclosed",
    ),
    ("continued paragraph without a reopening mark", "“We thank the club and\n\nall of its fans.”", {}, "unopened"),
    (
        "apostrophes",
        "In the '90s, rock 'n' roll was the Joneses' thing; Chris' band played until one o'clock. Don't worry.",
        {},
        "single",
    ),
    ("plural possessives", "The analysts' forecasts and Yukos' debts rose, the U.S.'s envoy said.", {}, "single"),
    ("feet and inches", "He is 6'2\" tall and she is 5' 10\" in her shoes.", {}, "unopened"),
    ("inches after a number", 'The screen measures 32" across.', {}, "unopened"),
    ("quote ends after a number", 'She said "the target is 2010" and left.', {}, "unclosed"),
    ("nested single in double", "\"He told me 'go home' and left,\" she said.", {}, "single"),
    ("nested ends together", "\"He told me 'go home.'\" She left.", {}, "single"),
    ("nested over sentences", "\"He told me: 'Go. Now.' Then he left,\" she said.", {}, "single"),
    ("scare quotes in single", "Beijing hopes to promote its 'world vision', officials say.", {}, "single"),
    ("headline single quotes", "Blair 'sorry' over the delay\n\nThe prime minister spoke.", {}, "single"),
    ("latex pair", "``It was definitely a bomb,'' said an official. ``You can see the crater.''", {}, "mismatched"),
    ("latex nested", "He wanted a ``catalyst for `peace','' he said. ``A `new' start.''", {}, "mismatched"),
    ("newswire two apostrophes", "''Here, no one gives up!'' Castro said.", {}, "mismatched"),
    ("curly apostrophes", "It’s the Joneses’ “new” idea from the ’90s.", {}, "single"),
    ("curly singles nested", "“He said ‘no’ to the plan,” she said.", {}, "single"),
    ("clipped words", "Zombie or 'bot nets are rented out; the 'phone rang 'til dawn.", {}, "single"),
    ("punctuation outside", 'He called it "stupid". Others said "fine"; some "great"!', {}, "detached"),
    ("leading ellipsis", 'He said "...and then it fell."', {}, "detached"),
    ("domain names", "Amazon wants “.amazon” and “.book” as domains.", {}, "spacing"),
    ("in parentheses", 'The plan ("Project Fear") failed.', {}, "unopened"),
    ("after a dash", 'He began—"No." Then "We will—" he stopped.', {}, "detached"),
    ("inline code", 'Type `"` or `it\'s "` to quote.', {"path": "t.md"}, "empty"),
    (
        "markup inside quotes",
        'He said "*no*" and "**never**," then "[left](https://example.org)".',
        {"path": "t.md"},
        "spacing",
    ),
    ("quoted inline code", 'The "`--force`" flag and "<b>bold</b>" moves.', {"path": "t.md"}, "empty"),
    ("code block", '```\nprint("hi)\n```\n\nAll "fine" here.', {"path": "t.md"}, "unclosed"),
    ("heading pair", '# The "new" deal\n\nText with "quotes".', {"path": "t.md"}, "unclosed"),
    ("listed elision", "See 'ya later.", {"elisions": ["ya"]}, "single"),
    ("mixed styles allowed", 'He said “no" to the plan.', {"allow_mixed": True}, "mismatched"),
    (
        "single quotes not counted",
        "the US 'Ukraine. The end.",
        {"marks": ["straight-double", "curly-double"]},
        "single",
    ),
    ("straight doubles not counted", 'He said " " and left.', {"marks": ["curly-double"]}, "empty"),
]


def _run(text: str, settings: dict[str, Any]) -> Expected:
    settings = dict(settings)
    doc = make_doc(text, settings.pop("path", "t.txt"))
    return found(doc, Options(**settings))


@pytest.mark.parametrize(("name", "text", "settings", "expected"), MUST_FLAG, ids=[r[0] for r in MUST_FLAG])
def test_flags(name: str, text: str, settings: dict[str, Any], expected: Expected) -> None:
    assert _run(text, settings) == expected


@pytest.mark.parametrize(("name", "text", "settings", "guards"), MUST_NOT_FLAG, ids=[r[0] for r in MUST_NOT_FLAG])
def test_accepts(name: str, text: str, settings: dict[str, Any], guards: str) -> None:
    assert _run(text, settings) == []


def test_every_kind_has_fixtures_both_ways() -> None:
    flagged = {kind for *_, expected in MUST_FLAG for *_, kind in expected}
    assert flagged == set(KINDS)
    assert {guards for *_, guards in MUST_NOT_FLAG} == set(KINDS)
    assert set(KINDS) >= {"empty", "detached", "unclosed", "unopened", "mismatched", "single"}


# Where each hit points (line, column of the mark) and what ``related`` points at.
RELATED: list[tuple[str, str, tuple[int, int], list[tuple[int, int]]]] = [
    ("empty: the closing mark", 'He said " " and left.', (1, 9), [(1, 11)]),
    (
        "spacing: the opening quote",
        'A spokesman said "we are looking at this. very well. "',
        (1, 54),
        [(1, 18)],
    ),
    ("unclosed: the paragraph end", 'He said "we will never give up.\n\nThe end.', (1, 9), [(1, 32)]),
    ("unclosed run: its end and its first mark", '"We win.\n\n"We never stop.', (3, 1), [(3, 16), (1, 1)]),
    ("unclosed: where the attribution begins", '"We go, he said. "We stay," she said.', (1, 1), [(1, 7)]),
    ("unopened: the sentence start", 'It ended. The vote was close," he said.', (1, 30), [(1, 11)]),
    ("mismatched: the opening mark", 'He said “no" to it.', (1, 12), [(1, 9)]),
    ("single: the sentence end", "With the US 'Ukraine. More text.", (1, 13), [(1, 22)]),
]


@pytest.mark.parametrize(("name", "text", "where", "related"), RELATED, ids=[r[0] for r in RELATED])
def test_related(name: str, text: str, where: tuple[int, int], related: list[tuple[int, int]]) -> None:
    doc = make_doc(text, "t.txt")
    (hit,) = check(doc, Options())
    assert doc.line_col(hit.start) == where
    assert hit.end - hit.start >= 1
    assert [doc.line_col(span.start) for span in hit.related] == related


def test_messages_say_what_is_wrong() -> None:
    doc = make_doc('He said “no" to it. The vote was close," he said.', "t.txt")
    messages = [h.message for h in check(doc, Options())]
    assert messages == [
        'Quotation opened with “ is closed with "',
        "Closing quotation mark with no opening mark",
    ]


def test_options_reject_unknown_marks() -> None:
    with pytest.raises(ValueError, match="marks"):
        Options(marks=["guillemets"])  # type: ignore[list-item]


def test_registered() -> None:
    spec = registry()["quotes"]
    assert spec.kinds == {**KINDS, **ENGINE_KINDS}
    assert "Fails" in spec.doc and "Passes" in spec.doc


SEED_LIKE = """Talks in the capital

The official said "we will not allow this to continue," and left.

He said the US 'Ukraine. Nobody explained it.

The meeting was in November. Last year. " "

It was a sign that they were ready. themselves ".

The "new" plan is 6'2" of rock 'n' roll from the '90s, the analysts' favourite.
"""


def _quote_findings(stdout: str) -> list[tuple[str, str, int, int]]:
    report = json.loads(stdout)
    return [
        (f["rule"], f["severity"], f["line"], f["column"])
        for f in report["documents"][0]["findings"]
        if f["check"] == "quotes"
    ]


def test_cli_reports_quotes_with_default_profile(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(SEED_LIKE, encoding="utf-8")
    result = run_cli("check", str(article), "--format", "json")
    assert result.returncode == 1, result.stderr
    assert _quote_findings(result.stdout) == [
        ("quotes.single", "warning", 5, 16),
        ("quotes.empty", "error", 7, 41),
        ("quotes.detached", "error", 9, 48),
    ]


@pytest.mark.skipif(not SEED.exists(), reason="../shared/fixtures/seed-article.txt is not present")
def test_cli_on_the_real_seed_article() -> None:
    result = run_cli("check", str(SEED), "--format", "json")
    assert result.returncode == 1, result.stderr
    found_lines = {(rule, line) for rule, _severity, line, _column in _quote_findings(result.stdout)}
    assert ("quotes.empty", 19) in found_lines  # `" "`
    assert ("quotes.detached", 25) in found_lines  # `themselves ".`
    assert ("quotes.single", 9) in found_lines  # `the US 'Ukraine.`
    assert {line for _rule, line in found_lines} <= {9, 19, 25, 27, 37}


@pytest.mark.parametrize(
    ("text", "suggestions"),
    [
        ("He said ”no“ to it.", [("“",), ("”",)]),
        ('He said “no" to it.', [("”",)]),
        ("They said ‘no‘ to it.", [("’",)]),
        ('He said ``no" to it.', [("''",)]),
    ],
)
def test_mismatched_marks_suggest_the_right_one(text: str, suggestions: list[tuple[str, ...]]) -> None:
    hits = list(check(make_doc(text, "t.txt"), Options()))
    assert [h.kind for h in hits] == ["mismatched"] * len(suggestions)
    assert [h.suggestions for h in hits] == suggestions
