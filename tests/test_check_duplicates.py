"""Fixture table for the duplicates check: what must be flagged, what must pass."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from qualitybot.checks.duplicates import Options, Unit, _compare, check, find_copies, fold
from qualitybot.config import ConfigError, load_rules
from qualitybot.document import Document, parse
from tests.conftest import SHARED, run_cli

SEED = SHARED / "fixtures" / "seed-article.txt"

BUDGET = (
    "The city council approved a new budget for the coming year on Monday evening, after a debate "
    "that lasted more than four hours and drew dozens of residents to the public gallery."
)
SCHOOLS = (
    "Officials said the plan would raise spending on schools and road repairs while keeping "
    "property taxes at their current level for most households in the district."
)
FORECASTS = (
    "Opposition members argued that the figures relied on optimistic forecasts of sales tax "
    "revenue and warned that cuts might follow later in the year."
)
# The same news told again in other words: a paraphrase, not a copy.
BUDGET_RETOLD = (
    "On Monday evening councillors passed next year's budget following more than four hours of "
    "debate in front of a public gallery packed with residents."
)
PROMISE = "The mayor said the budget would protect jobs and services across the city."
# Modelled on the real submission: a quotation repeated as the start of a longer one.
DELAYS_FIRST = (
    'Ahead of the vote, the mayor warned the developers again. "We will not tolerate any further '
    'delays," she said.'
)
DELAYS_AGAIN = (
    '"We will not tolerate any further delays and there will be consequences for every '
    'contractor on the site," she added.'
)


def near_copy(text: str, *swaps: tuple[str, str]) -> str:
    for old, new in swaps:
        assert old in text
        text = text.replace(old, new, 1)
    return text


def paragraphs(*blocks: str) -> str:
    return "\n\n".join(blocks) + "\n"


Expected = list[tuple[int, int, str, int, int]]  # line, column, kind, related line, related column

FLAGGED: list[tuple[str, str, dict[str, Any], Expected]] = [
    ("exact copy", paragraphs(BUDGET, SCHOOLS, BUDGET), {}, [(5, 1, "paragraph", 1, 1)]),
    (
        "near copy, one word",
        paragraphs(BUDGET, SCHOOLS, near_copy(BUDGET, ("Monday", "Tuesday"))),
        {},
        [(5, 1, "paragraph", 1, 1)],
    ),
    (
        "near copy, three words",
        paragraphs(
            BUDGET,
            SCHOOLS,
            near_copy(BUDGET, ("approved", "passed"), ("dozens", "scores"), ("public", "packed")),
        ),
        {},
        [(5, 1, "paragraph", 1, 1)],
    ),
    (
        "whitespace variant",
        paragraphs(BUDGET, SCHOOLS, BUDGET.replace(" ", "  ").replace("evening, ", "evening,\n")),
        {},
        [(5, 1, "paragraph", 1, 1)],
    ),
    ("case variant", paragraphs(BUDGET, SCHOOLS, BUDGET.upper()), {}, [(5, 1, "paragraph", 1, 1)]),
    (
        "punctuation variant",
        paragraphs(
            BUDGET, SCHOOLS, BUDGET.replace(",", "").replace("more than", "more - than").rstrip(".") + "!"
        ),
        {},
        [(5, 1, "paragraph", 1, 1)],
    ),
    (
        "third copy points at the first",
        paragraphs(BUDGET, SCHOOLS, BUDGET, FORECASTS, BUDGET),
        {},
        [(5, 1, "paragraph", 1, 1), (9, 1, "paragraph", 1, 1)],
    ),
    (
        "repeated sentence across paragraphs",
        paragraphs(f"{SCHOOLS} {PROMISE}", FORECASTS, f"Residents were not convinced. {PROMISE}"),
        {},
        [(5, 31, "sentence", 1, len(SCHOOLS) + 2)],
    ),
    (
        "repeated sentence, case and punctuation changed",
        paragraphs(f"{PROMISE} {SCHOOLS}", f"{FORECASTS} {PROMISE.upper().replace(' SAID', ', SAID,')}"),
        {},
        [(3, len(FORECASTS) + 2, "sentence", 1, 1)],
    ),
    (
        "quotation repeated inside a longer one",
        paragraphs(DELAYS_FIRST, SCHOOLS, DELAYS_AGAIN),
        {},
        [(5, 2, "sentence", 1, DELAYS_FIRST.index("We") + 1)],
    ),
    (
        "long sentence repeated inside a longer one",
        paragraphs(
            f"{SCHOOLS} {PROMISE}",
            FORECASTS,
            PROMISE.rstrip(".") + ", and he would publish the figures soon.",
        ),
        {},
        [(5, 1, "sentence", 1, len(SCHOOLS) + 2)],
    ),
    (
        "boilerplate line",
        paragraphs(BUDGET, "Comments / 0", SCHOOLS, "Share this article", "Comments / 0"),
        {},
        [(9, 1, "boilerplate", 3, 1)],
    ),
    (
        "short sentence repeats when allowed",
        paragraphs(f"{BUDGET} It did not work.", f"{SCHOOLS} It did not work."),
        {"min_sentence_words": 3},
        [(3, len(SCHOOLS) + 2, "sentence", 1, len(BUDGET) + 2)],
    ),
    (
        "lower threshold catches a looser copy",
        paragraphs(
            BUDGET,
            near_copy(
                BUDGET,
                ("approved", "passed"),
                ("dozens", "scores"),
                ("public", "packed"),
                ("Monday", "Tuesday"),
                ("coming", "next"),
            ),
        ),
        {"threshold": 80},
        [(3, 1, "paragraph", 1, 1)],
    ),
]

NOT_FLAGGED: list[tuple[str, str, dict[str, Any]]] = [
    (
        "short sentence reused inside a longer one",
        paragraphs(
            f"{BUDGET} The vote was held on Monday evening.",
            SCHOOLS,
            "The vote was held on Monday evening after the public gallery had emptied.",
        ),
        {},
    ),
    ("same topic, other words", paragraphs(BUDGET, SCHOOLS, BUDGET_RETOLD), {}),
    (
        "short refrains",
        paragraphs(
            f"{BUDGET} It did not work.",
            f"{SCHOOLS} It did not work.",
            "And still they waited.",
            FORECASTS,
            "And still they waited.",
        ),
        {},
    ),
    (
        "list items with the same shape",
        "- Release date to be confirmed on the PC.\n- Release date to be confirmed on the Xbox.\n"
        "- Release date to be confirmed on the Switch.\n",
        {},
    ),
    (
        "list items that differ only in figures",
        "- Revenue in the first quarter rose 5% to $1.2bn compared with the same period a year earlier.\n"
        "- Revenue in the second quarter rose 7% to $1.4bn compared with the same period a year earlier.\n",
        {},
    ),
    (
        "quotes repeating a single word",
        paragraphs(
            f'"No," he said. {BUDGET}',
            f'"No," she replied. "Never, never, never." {SCHOOLS}',
            '"Never," they said.',
        ),
        {},
    ),
    (
        "allowed short lines",
        paragraphs("By Jane Doe", BUDGET, "Advertisement", SCHOOLS, "Advertisement", "By Jane Doe"),
        {},
    ),
    (
        "repeated headings",
        "# Budget\n\n## Background\n\n" + BUDGET + "\n\n## Background\n\n" + SCHOOLS + "\n",
        {},
    ),
    (
        "three words changed is below a strict threshold",
        paragraphs(
            BUDGET, near_copy(BUDGET, ("approved", "passed"), ("dozens", "scores"), ("public", "packed"))
        ),
        {"threshold": 95},
    ),
    (
        "a quotation paraphrased later",
        paragraphs(
            DELAYS_FIRST, '"Any further delays will not be tolerated by this council," the mayor repeated.'
        ),
        {},
    ),
    ("the same line once", paragraphs(BUDGET, "Comments / 0", SCHOOLS, "Comments / 3"), {}),
]


def findings(doc: Document, options: dict[str, Any]) -> Expected:
    out = []
    for hit in check(doc, Options(**options)):
        (related,) = hit.related
        out.append((*doc.line_col(hit.start), hit.kind, *doc.line_col(related.start)))
    return out


@pytest.mark.parametrize(("name", "text", "options", "expected"), FLAGGED, ids=[row[0] for row in FLAGGED])
def test_flagged(name: str, text: str, options: dict[str, Any], expected: Expected) -> None:
    assert findings(parse(text, "t.txt"), options) == expected


@pytest.mark.parametrize(("name", "text", "options"), NOT_FLAGGED, ids=[row[0] for row in NOT_FLAGGED])
def test_not_flagged(name: str, text: str, options: dict[str, Any]) -> None:
    path = "t.md" if text.startswith(("- ", "#")) else "t.txt"
    assert findings(parse(text, path), options) == []


def test_related_spans_cover_the_earlier_copy() -> None:
    doc = parse(paragraphs(DELAYS_FIRST, SCHOOLS, DELAYS_AGAIN), "t.txt")
    (hit,) = check(doc, Options())
    assert doc.text[hit.start : hit.end] == "We will not tolerate any further delays"
    assert doc.text[hit.related[0].start : hit.related[0].end] == "We will not tolerate any further delays,"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            paragraphs(BUDGET, SCHOOLS, near_copy(BUDGET, ("Monday", "Tuesday"))),
            "Paragraph repeats paragraph at line 1 (96% similar)",
        ),
        (
            paragraphs(DELAYS_FIRST, SCHOOLS, DELAYS_AGAIN),
            "Sentence repeats quotation at line 1 (100% similar)",
        ),
        (
            paragraphs("Comments / 0", BUDGET, "Comments / 0"),
            "Boilerplate line repeats line 1 (100% similar)",
        ),
    ],
)
def test_messages_name_the_earlier_line_and_similarity(text: str, message: str) -> None:
    assert [hit.message for hit in check(parse(text, "t.txt"), Options())] == [message]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"threshold": 150}, "less than or equal to 100"),
        ({"threshold": 0.9}, "for 0.9 write 90"),
        ({"threshold": 40}, "greater than or equal to 50"),
        ({"min_sentence_words": 0}, "greater than or equal to 2"),
        ({"allow": ["(unclosed"]}, "not a regular expression"),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], error: str) -> None:
    with pytest.raises(ValidationError, match=error.replace("(", r"\(")):
        Options(**options)


def test_rules_file_names_the_line_of_a_bad_threshold(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("rules:\n  duplicates:\n    threshold: 150\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rules(rules)
    assert f"{rules}:3:" in str(caught.value) and "threshold" in str(caught.value)


def test_long_document_with_many_copies_stays_correct() -> None:
    blocks = [f"Topic {chr(97 + i % 26)}{chr(97 + i // 26)}: {BUDGET_RETOLD} {SCHOOLS}" for i in range(300)]
    text = paragraphs(*blocks, BUDGET, *([BUDGET] * 50))
    hits = list(check(parse(text, "t.txt"), Options()))
    # 299 later paragraphs repeat the first with one word changed; 50 exact copies of BUDGET.
    assert sum(h.kind == "paragraph" for h in hits) == 299 + 50


def duplicate_findings(report: str) -> list[tuple[str, int, int, list[int]]]:
    (document,) = json.loads(report)["documents"]
    return [
        (f["rule"], f["line"], f["column"], [r["line"] for r in f["related"]])
        for f in document["findings"]
        if f["check"] == "duplicates"
    ]


def test_cli_reports_copies_in_own_fixture(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(
        paragraphs(
            "Council passes budget",
            DELAYS_FIRST,
            BUDGET,
            DELAYS_AGAIN,
            BUDGET,
            "Comments / 0",
            "More from the newsroom",
            "Comments / 0",
        ),
        encoding="utf-8",
    )
    result = run_cli("check", str(article), "--format", "json")
    assert result.returncode == 1, result.stderr  # a repeated paragraph is an error in the default profile
    assert duplicate_findings(result.stdout) == [
        ("duplicates.sentence", 7, 2, [3]),
        ("duplicates.paragraph", 9, 1, [5]),
        ("duplicates.boilerplate", 15, 1, [11]),
    ]


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/fixtures/seed-article.txt not present")
def test_cli_on_the_real_submission() -> None:
    result = run_cli("check", str(SEED), "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    assert duplicate_findings(result.stdout) == [
        ("duplicates.sentence", 17, 2, [7]),  # "We will not allow this to continue" first said on line 7
        ("duplicates.boilerplate", 69, 1, [59]),  # "Comments / 0" first on line 59
    ]


def _brute_force(units: list[Unit], threshold: float, partial: bool) -> list[tuple[int, int, int]]:
    """Every pair compared: what the prefilter must agree with."""
    out = []
    for i, later in enumerate(units):
        best = None
        for earlier in units[:i]:
            if earlier.end <= later.start:
                match = _compare(later, earlier, threshold, partial)
                if match and (best is None or match.score > best.score):
                    best = match
        if best:
            out.append((best.later.start, best.earlier.start, round(best.score)))
    return out


@pytest.mark.parametrize("partial", [False, True])
@pytest.mark.parametrize("threshold", [80, 85, 95])
def test_prefilter_finds_what_all_pairs_find(threshold: float, partial: bool) -> None:
    rng = random.Random(threshold)
    words = (BUDGET + " " + SCHOOLS + " " + FORECASTS).split()
    blocks: list[str] = []
    for _ in range(120):
        if blocks and rng.random() < 0.4:
            copy = rng.choice(blocks).split()
            for _ in range(rng.randint(0, 4)):
                copy[rng.randrange(len(copy))] = rng.choice(words)
            blocks.append(" ".join(copy[rng.randrange(3) :]))  # sometimes cut: found inside with partial
        else:
            blocks.append(" ".join(rng.choices(words, k=rng.randint(8, 40))))
    doc = parse(paragraphs(*blocks), "t.txt")
    units = [fold(doc.prose_of(b), b.start, "paragraph") for b in doc.paragraphs]
    found = [(m.later.start, m.earlier.start, round(m.score)) for m in find_copies(units, threshold, partial)]
    expected = _brute_force(units, threshold, partial)
    assert len(expected) >= 10  # the table is not trivially empty
    assert found == expected
