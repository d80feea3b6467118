"""Fixture tables for the dates check: every kind must flag, and real news must pass."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from qualitybot.checks.dates import Options, article_year, check
from qualitybot.checks.dates_extract import find_clock_times, find_dates
from tests.conftest import SHARED, make_doc, run_cli

PUBLISHED = date(2004, 3, 14)  # the tables' articles are published on this day

# (text, options, expected findings as (line, column, kind, fragment of the message))
MUST_FLAG: list[tuple[str, dict[str, Any], list[tuple[int, int, str, str]]]] = [
    # invalid: a day the month does not have, in every common news format
    ("The vote was on February 30, 2004.", {}, [(1, 17, "invalid", "February has 29 days")]),
    ("It ended on 30 February 2004.", {}, [(1, 13, "invalid", "February has 29 days")]),
    ("Talks began Feb. 30 in Rome.", {}, [(1, 13, "invalid", "February has 29 days")]),
    ("They met on September 31.", {}, [(1, 13, "invalid", "September has 30 days")]),
    ("Filed 2004-02-30 by the clerk.", {}, [(1, 7, "invalid", "February has 29 days")]),
    ("Dated 31/04/2004 on the form.", {}, [(1, 7, "invalid", "in either reading")]),
    ("It rained on February 29, 2023.", {}, [(1, 14, "invalid", "2023 is not a leap year")]),
    ("The fair runs February 27-30, 2004.", {}, [(1, 15, "invalid", "February has 29 days")]),
    ("The fair runs 27-30 February 2004.", {}, [(1, 15, "invalid", "February has 29 days")]),
    ("It was on the 31st of June.", {}, [(1, 15, "invalid", "June has 30 days")]),
    ("Signed on\nApril 31, 2004, in Rome.", {}, [(2, 1, "invalid", "April has 30 days")]),
    # wherever the impossible day stands: after fiscal-year phrases, in brackets, abbreviated
    ("In the fiscal year to September 31 profits rose 8%.", {}, [(1, 23, "invalid", "September has 30 days")]),
    ("Fiscal 2004 ended September 31 with a loss.", {}, [(1, 19, "invalid", "September has 30 days")]),
    ("The year ending 31 September saw sales fall.", {}, [(1, 17, "invalid", "September has 30 days")]),
    ("Results for the quarter (to September 31) were weak.", {}, [(1, 29, "invalid", "September has 30 days")]),
    ("Sales to Sept. 31 rose.", {}, [(1, 10, "invalid", "September has 30 days")]),
    ("It ends Sept 31 this year.", {}, [(1, 9, "invalid", "September has 30 days")]),
    ("It was signed on September 31st.", {}, [(1, 18, "invalid", "September has 30 days")]),
    ("It was signed on the 31st of September, 2003.", {}, [(1, 22, "invalid", "September has 30 days")]),
    ("The six months to February 30 were strong.", {}, [(1, 19, "invalid", "February has 29 days")]),
    ("Analysts expect on June 31 results to improve.", {}, [(1, 20, "invalid", "June has 30 days")]),
    ("September 31 was the deadline.", {}, [(1, 1, "invalid", "September has 30 days")]),
    # a locale decides how numeric dates are read
    ("Dated 04/31/2004 here.", {"day_order": "month-first"}, [(1, 7, "invalid", "read month-first")]),
    ("Dated 04/31/2004 here.", {"day_order": "day-first"}, [(1, 7, "malformed", "no month 31")]),
    ("Dated 12/31/2004 here.", {"day_order": "day-first"}, [(1, 7, "malformed", "no month 31")]),
    ("Dated 31/12/2004 here.", {"day_order": "month-first"}, [(1, 7, "malformed", "no month 31")]),
    # malformed: numbers no calendar has, and dates broken by stray punctuation
    ("He arrived on February 15. 24.", {}, [(1, 15, "malformed", "stray period")]),
    ("The strike began on February 15. 24 and went on.", {}, [(1, 21, "malformed", "stray period")]),
    ("Founded on February 15. 2024.", {}, [(1, 12, "malformed", "stray period")]),
    ("It opened on March 32.", {}, [(1, 14, "malformed", "no month has a day 32")]),
    ("It opened on 32 March 2020.", {}, [(1, 14, "malformed", "no month has a day 32")]),
    ("It opened on March 0, 2020.", {}, [(1, 14, "malformed", "no month has a day 0")]),
    ("Dated 13/13/2020 here.", {}, [(1, 7, "malformed", "no month 13")]),
    ("Dated 2020-13-01 here.", {}, [(1, 7, "malformed", "no month 13")]),
    ("Signed February. 15, 2022 in Kyiv.", {}, [(1, 8, "malformed", "between month and day")]),
    ("Signed February, 15, 2022 in Kyiv.", {}, [(1, 8, "malformed", "between month and day")]),
    ("Signed 15. February 2022 in Kyiv.", {}, [(1, 8, "malformed", "between day and month")]),
    ("Signed March 15,, 2022 in Kyiv.", {}, [(1, 8, "malformed", "punctuation before the year")]),
    ("Signed March 15 ,2022 in Kyiv.", {}, [(1, 8, "malformed", "punctuation before the year")]),
    ("Signed 15th. March 2022 in Kyiv.", {}, [(1, 8, "malformed", "between day and month")]),
    ("Signed February15, 2022 in Kyiv.", {}, [(1, 8, "malformed", "no space")]),
    ("Signed on 15February 2022 in Kyiv.", {}, [(1, 11, "malformed", "no space")]),
    ("Signed on 2022-02-30 in Kyiv.", {}, [(1, 11, "invalid", "February has 28 days")]),
    ("Signed on 30.02.2022 in Kyiv.", {}, [(1, 11, "invalid", "in either reading")]),
    ("Signed on Feb. 29, 2022 in Kyiv.", {}, [(1, 11, "invalid", "2022 is not a leap year")]),
    # weekday: the weekday written next to a date must be that date's
    ("It began on Monday, March 2, 2004, at noon.", {}, [(1, 13, "weekday", "is a Tuesday, not a Monday")]),
    ("It began on March 2, 2004, a Monday.", {}, [(1, 13, "weekday", "is a Tuesday, not a Monday")]),
    ("It began on Sunday 2 March 2004.", {}, [(1, 13, "weekday", "is a Tuesday, not a Sunday")]),
    ("It began on Fri., March 2, 2004.", {}, [(1, 13, "weekday", "is a Tuesday, not a Friday")]),
    ("It began on Thursday, 2004-03-02.", {}, [(1, 13, "weekday", "is a Tuesday, not a Thursday")]),
    # without a year: the year nearest the publication date (2004-03-14); March 2, 2004 is a Tuesday
    ("It began on Monday, March 2.", {}, [(1, 13, "weekday", "2004 is a Tuesday, not a Monday in 2004")]),
    # future-past-event: told in the past, dated after publication (2004-03-14)
    ("The minister said on March 30, 2009 that talks had failed.", {},
     [(1, 22, "future-past-event", "told as a past event ('said')")]),
    ("Police arrested two men on April 2, 2004.", {}, [(1, 28, "future-past-event", "'arrested'")]),
    ("On April 2, 2004, police arrested two men.", {}, [(1, 4, "future-past-event", "'arrested'")]),
    ("The plant was closed March 30, 2004, the union said.", {}, [(1, 22, "future-past-event", "'was'")]),
    ("The bridge collapsed on 2 April 2004.", {}, [(1, 25, "future-past-event", "2004-03-14")]),
    ("The plant closed on 04/02/2004.", {"day_order": "month-first"}, [(1, 21, "future-past-event", "'closed'")]),
    ("Police arrested him on March 20.", {}, [(1, 24, "future-past-event", "March 20 is after")]),
    ("Police arrested him on April 20.", {"yearless_days": 90}, [(1, 24, "future-past-event", "'arrested'")]),
    # anachronism: a full date far before the article's own time (publication 2004)
    ("At a press conference on March 25, 1983, the spokesman denied it.", {},
     [(1, 26, "anachronism", "21 years before the article's time (2004)")]),
    ("At a press conference on March 25, 1983, the spokesman denied it.", {"anachronism_years": 20},
     [(1, 26, "anachronism", "21 years")]),
    # time: clock times that cannot exist, where the text says it is a time
    ("The polls close at 25:61 tonight.", {}, [(1, 20, "time", "minutes run from 00 to 59")]),
    ("The polls close at 25:30 tonight.", {}, [(1, 20, "time", "hours run from 00 to 23")]),
    ("Polls open from 7:00 until 25:00.", {}, [(1, 28, "time", "hours run from 00 to 23")]),
    ("It struck at about 26:10 GMT.", {}, [(1, 20, "time", "hours run from 00 to 23")]),
    ("The polls close at 21:75 tonight.", {}, [(1, 20, "time", "minutes run from 00 to 59")]),
    ("The polls close at 13:30 p.m. tonight.", {}, [(1, 20, "time", "1 to 12 with pm")]),
    ("The shot was fired at 24:30 GMT.", {}, [(1, 23, "time", "hours run from 00 to 23")]),
    ("He finished in 2:61:07.", {}, [(1, 16, "time", "minutes and seconds")]),
    # several in one text, on their own lines
    ("# Title\n\nTalks on Feb. 30 failed.\n\nThey resume at 25:00 GMT on February 15. 24.\n", {},
     [(3, 10, "invalid", "February"), (5, 16, "time", "hours"), (5, 29, "malformed", "stray period")]),
]

MUST_NOT_FLAG: list[tuple[str, dict[str, Any]]] = [
    # valid dates in every format
    ("The vote was on February 29, 2004, a leap year.", {}),
    ("They met on 2 February and again on 28 February 2004.", {}),
    ("Dated 30/04/2003, 04/30/2003 and 2003-04-30.", {}),
    ("Dated 04/05/2004: both readings are real days.", {}),
    ("It began on Tuesday, March 2, 2004, at 9:30 a.m.", {}),
    ("It began on Tuesday 2 March 2004 and ended Wed., March 3, 2004.", {}),
    ("It began on March 2, 2004, a Tuesday.", {}),
    ("It began on Tuesday, March 2.", {}),  # a Tuesday in 2004, the year of publication
    ("It began on Monday, March 2.", {"weekday_assume_year": False}),
    # future events announced in an article published 2004-03-14
    ("Leaders will meet on March 30, 2009.", {}),
    ("The deadline is June 30, 2005, officials said.", {}),
    ("Officials said the vote would be held on April 2, 2004.", {}),
    ("The summit was postponed to April 2, 2004.", {}),
    ("Talks are scheduled for April 2, 2004, the ministry said.", {}),
    ("The contract, signed last year, runs until December 31, 2010.", {}),
    ("The company said it expects to open the plant on June 3, 2005.", {}),
    ("The plant closed on 04/02/2004.", {}),  # April 2 or February 4: which one cannot be known
    ("The council met on March 15, 2004.", {}),  # one day after publication: within the grace
    ("Police arrested him on May 20.", {}),  # without a year and 67 days on: maybe last year
    ("Police arrested him on March 20.", {"yearless_days": 0}),
    ("Police will charge him on March 20.", {}),
    ("By December 31, 2050, emissions must fall to zero.", {}),
    ("Shares rose in the fiscal year ending March 31, 2027.", {}),
    # history and anniversaries
    ("The treaty was signed on May 9, 1945, and is still in force.", {"anachronism_years": 100}),
    ("Security has been tight since September 11, 2001.", {}),
    ("It marks the anniversary of November 9, 1989.", {}),
    ("He was born on May 3, 1990.", {}),
    # ranges, scores, versions, phone numbers, money, ages, counts
    ("The festival runs March 3-5 and 3-5 April.", {}),
    ("United won 3-1 and drew 2-2 on Saturday.", {}),
    ("Version 2.0.24 fixes the bug; 1.12.2 is older.", {}),
    ("Call 555-1234 or +1 202-555-0143, or 0161 496 0000.", {}),
    ("The fund paid $3.12bn (£2.5bn), up 2.5% on 1,200 shares.", {}),
    ("She is 31 and has lived in Leeds since the 1990s.", {}),
    ("In February 30 people were hurt and in September 31 schools closed.", {}),
    ("In July 32 Singaporean officers joined the force.", {}),
    ("The deal ended on February 15. 24 people lost their jobs.", {}),
    ("The service runs 24/7 with a 60:40 split and ratios of 25:61.", {}),
    ("They won the set 25:23 and read John 3:16.", {}),
    ("A split of about 60:40 and 70:30 in the end.", {}),
    ("The polls close at 23:59 and reopen at 24:00 GMT.", {}),
    ("He finished the marathon in 2:03:59.", {}),
    ("We may march in May, and March 2004 was cold.", {}),
    # a clock time is not a year, and a date never joins text across a paragraph break
    ("Kick-off is on Saturday, 28 February 2004\n\n1400 GMT: the teams are out.", {}),
    ("The final is on Saturday, 28 February.\n\n1400 GMT: the teams are out.", {}),
    ("The final is on Saturday, 28 February\n1400 GMT, at Wembley.", {}),
    ("The final is on Saturday, 28 February 1400 GMT, at Wembley.", {}),
    ("Kick-off on Saturday, 28 February at 19:45.", {}),
    ("The match is on Saturday 28 February, 1930 local time.", {}),
    ("Saturday\n\n2 March 2004 was the day.", {}),
    # Markdown code is not prose
    ("# Dates\n\nThe log says `2004-02-30` and\n\n```\nFeb. 30\n```\n", {}),
]


def _found(text: str, options: dict[str, Any], published: date | None = PUBLISHED) -> list[Any]:
    doc = make_doc(text, published_at=published)
    return sorted((*doc.line_col(h.start), h.kind, h.message) for h in check(doc, Options(**options)))


@pytest.mark.parametrize(("text", "options", "expected"), MUST_FLAG)
def test_flags(text: str, options: dict[str, Any], expected: list[tuple[int, int, str, str]]) -> None:
    found = _found(text, options)
    assert [f[:3] for f in found] == [e[:3] for e in expected], found
    for (*_, message), (*_, fragment) in zip(found, expected, strict=True):
        assert fragment in message


@pytest.mark.parametrize(("text", "options"), MUST_NOT_FLAG)
def test_accepts(text: str, options: dict[str, Any]) -> None:
    assert _found(text, options) == []


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # a story whose own dates are 2022: the 2005 conference stands out
        ("Talks on March 1, 2022 failed. The conference on March 25, 2005 was short.",
         date(2022, 3, 14), [(1, 50, "anachronism", "17 years before the article's time (2022)")]),
        # a default "today" for an old story: its own three 2005 dates make the article's time
        ("Talks on March 1, 2005 failed. New talks on May 4, 2005 and June 8, 2005 were planned.",
         date(2026, 3, 14), []),
        # no publication date: three 2005 dates make the article's time, 1985 stands out
        ("On March 1, 2005 and May 4, 2005 and June 8, 2005 they met; on May 2, 1985 too.",
         None, [(1, 64, "anachronism", "(2005)")]),
        # no publication date, fewer than three dates: nothing to compare with
        ("They met on March 25, 2005.", None, []),
        # a yearless weekday in a story published in June may mean last November or next
        ("Shops open on Tuesday 9 November.", date(2005, 6, 1), []),
        ("Shops open on Monday 9 November.", date(2005, 6, 1), [(1, 15, "weekday", "not a Monday")]),
    ],
)
def test_article_time(text: str, published: date | None, expected: list[tuple[int, int, str, str]]) -> None:
    found = _found(text, {}, published)
    assert [f[:3] for f in found] == [e[:3] for e in expected], found
    for (*_, message), (*_, fragment) in zip(found, expected, strict=True):
        assert fragment in message


@pytest.mark.parametrize(
    ("published", "years", "expected"),
    [
        (date(2022, 3, 14), [2005], 2022),
        (date(2022, 3, 14), [2005, 2022, 2022], 2022),
        (date(2022, 3, 14), [2005, 2005, 2022], 2005),  # most of its own dates say 2005
        (date(2026, 3, 14), [2005, 2005, 2006], 2005),  # a default "today" for an old story
        (None, [2004, 2005, 2007], 2005),
        (None, [2005], None),
    ],
)
def test_article_year(published: date | None, years: list[int], expected: int | None) -> None:
    assert article_year(published, years, 10) == expected


def test_weekday_suggests_the_right_day() -> None:
    (hit,) = check(make_doc("It began on Monday, March 2, 2004."), Options())
    assert hit.suggestions == ("Tuesday, March 2, 2004",)
    assert hit.message == "March 2, 2004 is a Tuesday, not a Monday"


@pytest.mark.parametrize(
    ("text", "span", "suggestion"),
    [
        ("It began on Monday, March 2, 2004.", "Monday, March 2, 2004", "Tuesday, March 2, 2004"),
        ("It began on Fri., March 2, 2004.", "Fri., March 2, 2004", "Tue., March 2, 2004"),
        ("It began on March 2, 2004, a Monday.", "March 2, 2004, a Monday", "March 2, 2004, a Tuesday"),
        ("It began on Sunday 2 March 2004.", "Sunday 2 March 2004", "Tuesday 2 March 2004"),
    ],
)
def test_weekday_suggestion_replaces_the_span(text: str, span: str, suggestion: str) -> None:
    doc = make_doc(text)
    (hit,) = check(doc, Options())
    assert (doc.text[hit.start : hit.end], hit.suggestions) == (span, (suggestion,))


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        ("Monday, March 2, 2004", ["named"]),
        ("in April 1998, last October, on Friday, in 1982, the 1990s", ["month-year", "month", "weekday", "year",
                                                                       "decade"]),
        ("2004-02-30 and 31/04/2004 and 3-5 March", ["iso", "numeric", "named"]),
        ("version 2.0.24, 3-1, 24/7, $30 May", []),
    ],
)
def test_extractor_forms(text: str, forms: list[str]) -> None:
    assert [m.form for m in find_dates(text)] == forms


def test_clock_times_need_a_time_context() -> None:
    times = [c.text for c in find_clock_times("at 9:30, a 60:40 split, 10:15 p.m., 25:23 in the set")]
    assert times == ["9:30", "10:15 p.m."]


def test_options_reject_bad_values() -> None:
    with pytest.raises(ValueError, match="day_order"):
        Options(day_order="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="anachronism_years"):
        Options(anachronism_years=0)


# --- end to end: the CLI with the bundled default profile ---------------------------------

ARTICLE = """---
title: Port talks stall
published_at: 2022-03-14
---

# Port talks stall

The strike began on February 15. 24 and would go on until the company gives in.

At the press conference on March 25, 2005, the authority said it had no request.

Unions will meet again on March 30, 2022.
"""


def test_cli_reports_dates_with_line_and_column(tmp_path: Path) -> None:
    article = tmp_path / "story.md"
    article.write_text(ARTICLE, encoding="utf-8")
    result = run_cli("check", "--format", "json", str(article))
    assert result.returncode == 1, result.stderr
    findings = [f for f in json.loads(result.stdout)["documents"][0]["findings"] if f["check"] == "dates"]
    assert [(f["rule"], f["severity"], f["line"], f["column"]) for f in findings] == [
        ("dates.malformed", "error", 8, 21),
        ("dates.anachronism", "warning", 10, 28),
    ]
    assert findings[1]["message"].endswith("17 years before the article's time (2022): is the year right?")


def test_cli_published_at_overrides_front_matter(tmp_path: Path) -> None:
    article = tmp_path / "story.md"
    article.write_text(ARTICLE.replace("The strike began on February 15. 24 and", "The strike began"),
                       encoding="utf-8")
    # Published in 2005, the 2005 conference is of its time and the gate passes.
    result = run_cli("check", "--format", "json", "--published-at", "2005-04-01", str(article))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [f for f in json.loads(result.stdout)["documents"][0]["findings"] if f["check"] == "dates"] == []


def test_cli_severities_and_locale_from_yaml(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "extends: default\nrules:\n  dates:\n    day_order: day-first\n"
        "    severities: {anachronism: error, malformed: warning}\n",
        encoding="utf-8",
    )
    article = tmp_path / "a.txt"
    article.write_text("Dated 12/31/2004.\n\nThe conference on March 25, 1990 was short.\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", "--rules", str(rules), "--published-at", "2022-03-14",
                     str(article))
    findings = json.loads(result.stdout)["documents"][0]["findings"]
    assert [(f["rule"], f["severity"], f["line"]) for f in findings] == [
        ("dates.malformed", "warning", 1),
        ("dates.anachronism", "error", 3),
    ]
    assert result.returncode == 1


def test_cli_bad_option_names_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("rules:\n  dates:\n    day_order: sideways\n", encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Fine.\n", encoding="utf-8")
    result = run_cli("check", "--rules", str(rules), str(article))
    assert result.returncode == 2
    assert f"{rules}:3" in result.stderr and "day_order" in result.stderr
    assert "Traceback" not in result.stderr


SEED = SHARED / "fixtures" / "seed-article.txt"


@pytest.mark.skipif(not SEED.is_file(), reason="the real seed submission (../shared/fixtures) is absent")
def test_real_seed_submission() -> None:
    """The garbled 2022 story: the broken date fails the gate, the 2005 conference is a warning."""
    result = run_cli("check", "--format", "json", "--published-at", "2022-03-14", str(SEED))
    findings = [f for f in json.loads(result.stdout)["documents"][0]["findings"] if f["check"] == "dates"]
    assert [(f["rule"], f["severity"], f["line"]) for f in findings] == [
        ("dates.anachronism", "warning", 31),
        ("dates.malformed", "error", 41),
    ]
    assert "March 25, 2005" in findings[0]["excerpt"] and "February 15. 24" in findings[1]["excerpt"]
    assert result.returncode == 1
