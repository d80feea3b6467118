"""Find the dates, weekdays and clock times that a news text writes, with their offsets.

This is a compact extractor of regular expressions, written for the ``dates``
check (see that module for why no date-parsing library is used). It reports
what is *written*, not what it would mean: a mention keeps its numbers as
they stand, even when they name no real day ("February 30", "13/13/2020"),
because those are exactly what the check must see. Validation lives in the
check.

Forms found (month names are case-sensitive, so "may" and "march" are words):

- named dates: ``March 2, 2004``, ``Feb. 30``, ``2 February 2004``,
  ``3rd of March``, ranges ``March 3-5`` and ``3-5 March``, with an attached
  weekday before (``Monday, March 2``) or after (``March 2, 2004, a Monday``);
- month and year: ``March 2004``;
- numeric dates: ISO ``2004-02-30`` and ``2004/02/30``; ``31/04/2004``,
  ``31.04.2004``, ``31-04-2004`` (a two-digit year only with slashes, so that
  versions "2.0.24" and scores "3-1" are not dates);
- broken dates: ``February 15. 24``, ``February. 15, 2022``, ``15. February 2022``,
  ``March 15,, 2022``;
- lone weekdays (``Friday``), months (``in April``), decades (``the 1990s``) and
  years (``in 1982``): the check does not judge these, but they are counted when
  recall is measured;
- clock times in a time context (``at 25:61``, ``9:75 p.m.``, ``25:61:00``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}  # fmt: skip
_ABBREVIATED_MONTHS = {
    "jan": 1, "feb": 2, "febr": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ABBREVIATED_WEEKDAYS = {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip


def _capitalised(words: list[str]) -> str:
    return "|".join(w.capitalize() for w in sorted(words, key=len, reverse=True))


_FULL_MONTH = _capitalised(list(MONTHS))
# Abbreviations need their period or a day right after them ("Mar 3"); "Mar" alone is a name.
_MONTH = rf"(?:{_FULL_MONTH}|(?:{_capitalised(list(_ABBREVIATED_MONTHS))})\.?)"
_WEEKDAY = rf"(?:{'|'.join(WEEKDAYS)}|(?:{_capitalised(list(_ABBREVIATED_WEEKDAYS))})\.)"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DASH = r"\s*[-–]\s*"  # hyphen or en dash
# A number that is part of a larger one (1,200 / 3.5 / $30 / 24/7) is not a day.
_NOT_AFTER_NUMBER = r"(?<![\d,.$£€/:-])"
_NOT_BEFORE_NUMBER = r"(?!\d|[.,]\d|[/:-]\d)"
# A four-digit number followed by a time zone or "hours" is a 24-hour clock time ("1400 GMT").
_NOT_CLOCK = (
    r"(?!\s*(?:GMT|UTC|BST|CET|CEST|EST|EDT|CST|CDT|MST|MDT|PST|PDT|ET|PT|local\b|hours?\b|hrs\b|h\b|Z\b))"
)
_YEAR4 = rf"(?:1\d{{3}}|2\d{{3}}){_NOT_CLOCK}"
# Space inside a date: at most one line break (hard-wrapped text), never a paragraph break.
_GAP = r"(?:[ \t]+|[ \t]*\r?\n[ \t]*)"

_MONTH_FIRST = re.compile(
    rf"\b(?P<month>{_MONTH}){_GAP}(?P<day>\d{{1,2}}){_ORDINAL}(?!\d)"
    rf"(?:{_DASH}(?P<day2>\d{{1,2}}){_ORDINAL}(?!\d))?"
    rf"(?:,?{_GAP}(?P<year>{_YEAR4})\b)?{_NOT_BEFORE_NUMBER}"
)
_DAY_FIRST = re.compile(
    rf"{_NOT_AFTER_NUMBER}\b(?P<day>\d{{1,2}}){_ORDINAL}"
    rf"(?:{_DASH}(?P<day2>\d{{1,2}}){_ORDINAL})?{_GAP}(?:of{_GAP})?(?P<month>{_MONTH})"
    rf"(?:,?{_GAP}(?P<year>{_YEAR4})\b{_NOT_BEFORE_NUMBER})?"
)
_MONTH_YEAR = re.compile(rf"\b(?P<month>{_MONTH}){_GAP}(?:of{_GAP})?(?P<year>{_YEAR4})\b{_NOT_BEFORE_NUMBER}")
_ISO = re.compile(
    rf"(?<![\w./-])(?P<year>{_YEAR4})(?P<sep>[-/])(?P<month>\d{{1,2}})(?P=sep)(?P<day>\d{{1,2}})"
    r"(?!\d|[-/.]\d)"
)
_NUMERIC = re.compile(
    r"(?<![\w./:-])(?P<first>\d{1,2})(?P<sep>[/.-])(?P<second>\d{1,2})(?P=sep)"
    rf"(?P<year>{_YEAR4}|\d{{2}})(?!\d|[-/.]\d|\w)"
)
_LONE_WEEKDAY = re.compile(rf"\b{_WEEKDAY}(?!\w)")
# A month on its own ("in April", "last October"); "May" and "March" only after such a word.
_LONE_MONTH = re.compile(
    rf"\b(?P<month>{_capitalised([m for m in MONTHS if m not in ('may', 'march')])})\b"
    r"|\b(?:in|by|of|to|last|next|late|early|mid|this|since|until)[ -](?P<ambiguous>May|March)\b"
)
_DECADE = re.compile(r"(?<![\w,.$£€/:-])(?:1[6-9]|20)\d0s\b")
_LONE_YEAR = re.compile(r"(?<![\w,.$£€/:-])(?:1[6-9]\d\d|20\d\d)(?!\d|[.,]\d|%|s\b|[/:-]\d)" + _NOT_CLOCK)
_WEEKDAY_BEFORE = re.compile(rf"(?P<weekday>{_WEEKDAY}),?{_GAP}(?:the{_GAP})?\Z")
_WEEKDAY_AFTER = re.compile(rf"\A(?:,{_GAP}(?:a{_GAP})?|{_GAP}\(\s*)(?P<weekday>{_WEEKDAY})\)?(?!\w)")

# Broken dates, each with why it is broken.
_BROKEN: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        # "February 15. 24." / "February 15. 24 and ..." / "February 15. 2024." -- a period where a
        # comma or nothing belongs; "February 15. 24 people" is a sentence that starts with a
        # number, and is left alone: only punctuation or a conjunction may follow the number.
        re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}){_ORDINAL}\.\s+(?P<tail>\d{{2}}|{_YEAR4})"
                   r"(?=\s*(?:[.,;:!?)\"'”’]|$)"
                   r"|\s+(?:and|or|but|when|while|until|till|then|because|which|where)\b)"),
        "a stray period splits the date",
    ),
    (
        re.compile(rf"\b(?P<month>{_FULL_MONTH})\s*(?:[.;:]|,(?=\s*\d{{1,2}}{_ORDINAL},))\s*"
                   rf"(?P<day>\d{{1,2}}){_ORDINAL},?\s+(?P<tail>{_YEAR4})\b{_NOT_BEFORE_NUMBER}"),
        "stray punctuation between month and day",
    ),
    (
        re.compile(rf"{_NOT_AFTER_NUMBER}\b(?P<day>\d{{1,2}}){_ORDINAL}\.\s+(?P<month>{_FULL_MONTH}),?\s+"
                   rf"(?P<tail>{_YEAR4})\b{_NOT_BEFORE_NUMBER}"),
        "stray period between day and month",
    ),
    (
        re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}}){_ORDINAL}(?:\s+,|,\s*,|\.\s*,|,\s*\.)\s*"
                   rf"(?P<tail>{_YEAR4})\b{_NOT_BEFORE_NUMBER}"),
        "doubled or misplaced punctuation before the year",
    ),
    (
        # "February15, 2022" / "15February 2022": the space between day and month was lost.
        re.compile(rf"\b(?P<month>{_FULL_MONTH})(?P<day>\d{{1,2}}){_ORDINAL},?\s+(?P<tail>{_YEAR4})\b{_NOT_BEFORE_NUMBER}"
                   rf"|{_NOT_AFTER_NUMBER}\b(?P<day_>\d{{1,2}}){_ORDINAL}(?P<month_>{_FULL_MONTH}),?\s+"
                   rf"(?P<tail_>{_YEAR4})\b{_NOT_BEFORE_NUMBER}"),
        "no space between day and month",
    ),
)

_CLOCK = re.compile(
    r"(?<![\w.:/-])(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?![\d:]|\.\d)"
    r"(?P<meridiem>\s*(?:[ap]\.m\.|[ap]m\b|[AP]M\b))?"
)
# A clock number is only a time where the text says so: "at 25:61", "25:61 GMT", "9:75 p.m.".
# ("and", "to" and "about" alone would make ratios times: "60:40 and 70:30", "about 60:40".)
_TIME_BEFORE = re.compile(
    r"\b(?:at|by|from|until|till|before|after|since|between)\s+(?:about\s+|around\s+|approximately\s+)?\Z",
    re.IGNORECASE,
)
_TIME_AFTER = re.compile(
    r"\A\s*(?:GMT|UTC|BST|CET|CEST|EST|EDT|CST|CDT|MST|MDT|PST|PDT|ET|PT|local\b|hours?\b|hrs\b|h\b|"
    r"o'clock|in the (?:morning|afternoon|evening))"
)

MentionForm = Literal["named", "month-year", "iso", "numeric", "broken", "weekday", "month", "decade", "year"]


@dataclass(frozen=True)
class DateMention:
    """A date as written. Numbers are kept as they stand, valid or not.

    ``day``/``month`` are None when the form does not give them. A numeric date
    like ``04/05/2004`` is ambiguous: ``first``/``second`` keep both numbers and
    ``month``/``day`` stay None until a day order is chosen.
    """

    start: int
    end: int
    text: str
    form: MentionForm
    year: int | None = None
    month: int | None = None
    day: int | None = None
    day2: int | None = None  # the end of a range "March 3-5"
    first: int | None = None
    second: int | None = None
    weekday: int | None = None  # 0 = Monday, when a weekday is written next to the date
    weekday_text: str = ""
    why: str = ""  # for broken dates: what is broken
    followed_by: str = ""  # the word right after the date ("people" in "March 30 people")
    preceded_by: str = ""  # the word right before it ("in" in "In March 30 people")

    @property
    def has_year(self) -> bool:
        return self.year is not None


@dataclass(frozen=True)
class ClockMention:
    start: int
    end: int
    text: str
    hour: int
    minute: int
    second: int | None
    meridiem: str  # "am", "pm" or ""


def month_number(name: str) -> int:
    """1-12 for a month name or abbreviation as matched by the patterns above."""
    key = name.rstrip(".").lower()
    return MONTHS.get(key) or _ABBREVIATED_MONTHS[key]


def weekday_number(name: str) -> int:
    key = name.rstrip(".").lower()
    if key.capitalize() in WEEKDAYS:
        return WEEKDAYS.index(key.capitalize())
    return _ABBREVIATED_WEEKDAYS[key]


def _year(text: str | None) -> int | None:
    return int(text) if text else None


def _int(text: str | None) -> int | None:
    return int(text) if text else None


_NEXT_WORD = re.compile(r"\A\s+([A-Za-z]+)")
_PREVIOUS_WORD = re.compile(r"([A-Za-z]+)\s+\Z")


def _next_word(text: str, end: int) -> str:
    match = _NEXT_WORD.match(text[end : end + 40])
    return match.group(1) if match else ""


def _previous_word(text: str, start: int) -> str:
    match = _PREVIOUS_WORD.search(text, max(0, start - 40), start)
    return match.group(1) if match else ""


def _candidates(text: str) -> Iterator[DateMention]:
    for pattern, why in _BROKEN:
        for m in pattern.finditer(text):
            groups = {k.rstrip("_"): v for k, v in m.groupdict().items() if v is not None}
            yield DateMention(
                m.start(), m.end(), m.group(), "broken",
                month=month_number(groups["month"]), day=int(groups["day"]),
                year=_year(groups["tail"]) if len(groups["tail"]) == 4 else None, why=why,
            )  # fmt: skip
    for m in _ISO.finditer(text):
        yield DateMention(
            m.start(), m.end(), m.group(), "iso",
            year=int(m.group("year")), month=int(m.group("month")), day=int(m.group("day")),
        )  # fmt: skip
    for m in _NUMERIC.finditer(text):
        year = m.group("year")
        if len(year) == 2 and m.group("sep") != "/":
            continue  # "2.0.24" is a version, "3-1-24" a list of scores
        full_year = int(year) if len(year) == 4 else 2000 + int(year) if int(year) < 50 else 1900 + int(year)
        yield DateMention(
            m.start(), m.end(), m.group(), "numeric",
            year=full_year, first=int(m.group("first")), second=int(m.group("second")),
        )  # fmt: skip
    for pattern in (_MONTH_FIRST, _DAY_FIRST):
        for m in pattern.finditer(text):
            yield DateMention(
                m.start(), m.end(), m.group(), "named",
                year=_year(m.group("year")), month=month_number(m.group("month")),
                day=int(m.group("day")), day2=_int(m.group("day2")),
                followed_by=_next_word(text, m.end()), preceded_by=_previous_word(text, m.start()),
            )  # fmt: skip
    for m in _MONTH_YEAR.finditer(text):
        yield DateMention(
            m.start(), m.end(), m.group(), "month-year",
            year=int(m.group("year")), month=month_number(m.group("month")),
        )  # fmt: skip
    for m in _LONE_WEEKDAY.finditer(text):
        yield DateMention(m.start(), m.end(), m.group(), "weekday", weekday=weekday_number(m.group()))
    for m in _LONE_MONTH.finditer(text):
        group = "month" if m.group("month") else "ambiguous"
        name = m.group(group)
        yield DateMention(m.start(group), m.end(group), name, "month", month=month_number(name))
    for m in _DECADE.finditer(text):
        yield DateMention(m.start(), m.end(), m.group(), "decade", year=int(m.group()[:4]))
    for m in _LONE_YEAR.finditer(text):
        yield DateMention(m.start(), m.end(), m.group(), "year", year=int(m.group()))


# When two candidates overlap, the more specific form wins, then the longer one.
_PRIORITY: dict[MentionForm, int] = {
    "broken": 0, "iso": 1, "numeric": 1, "named": 2, "month-year": 3,
    "weekday": 4, "month": 4, "decade": 5, "year": 5,
}  # fmt: skip


def find_dates(text: str) -> list[DateMention]:
    """Every date mention in ``text``, in order, without overlaps; weekdays attached to dates."""
    chosen: list[DateMention] = []
    # The chosen spans never overlap, so sorted by start their ends are sorted too: the only
    # one that can overlap a candidate is the last that starts before the candidate ends.
    taken_starts: list[int] = []
    taken_ends: list[int] = []
    for mention in sorted(_candidates(text), key=lambda c: (_PRIORITY[c.form], c.start - c.end, c.start)):
        i = bisect.bisect_left(taken_starts, mention.end)
        if i and taken_ends[i - 1] > mention.start:
            continue
        chosen.append(mention)
        taken_starts.insert(i, mention.start)
        taken_ends.insert(i, mention.end)
    chosen.sort(key=lambda c: c.start)
    return _attach_weekdays(text, chosen)


def _attach_weekdays(text: str, mentions: list[DateMention]) -> list[DateMention]:
    """Fold "Monday, March 2" and "March 2, a Monday" into one mention with its weekday."""
    absorbed: set[int] = set()
    out: list[DateMention] = []
    for i, m in enumerate(mentions):
        if m.form not in ("named", "iso", "numeric"):
            out.append(m)
            continue
        before = _WEEKDAY_BEFORE.search(text, max(0, m.start - 20), m.start)
        after = _WEEKDAY_AFTER.match(text[m.end : m.end + 20])
        if before:
            absorbed.update(j for j in (i - 1,) if j >= 0 and mentions[j].start == before.start())
            m = _with_weekday(m, before.group("weekday"), before.start(), m.end)
        elif after:
            weekday_start = m.end + after.start("weekday")
            absorbed.update(j for j in (i + 1,) if j < len(mentions) and mentions[j].start == weekday_start)
            m = _with_weekday(m, after.group("weekday"), m.start, m.end + after.end())
        out.append(m)
    dropped = {id(mentions[j]) for j in absorbed}
    return [m for m in out if id(m) not in dropped]


def _with_weekday(m: DateMention, weekday: str, start: int, end: int) -> DateMention:
    return DateMention(
        start, end, m.text, m.form, m.year, m.month, m.day, m.day2, m.first, m.second,
        weekday_number(weekday), weekday.rstrip("."), m.why, m.followed_by, m.preceded_by,
    )  # fmt: skip


def find_clock_times(text: str) -> Iterator[ClockMention]:
    """Clock times that the text marks as times (a preposition, a zone, am/pm, or seconds)."""
    for m in _CLOCK.finditer(text):
        meridiem = (m.group("meridiem") or "").strip().replace(".", "").lower()
        in_context = (
            meridiem
            or m.group("second")
            or _TIME_BEFORE.search(text, max(0, m.start() - 30), m.start())
            or _TIME_AFTER.match(text[m.end() : m.end() + 30])
        )
        if in_context:
            yield ClockMention(
                m.start(), m.end(), m.group().strip(), int(m.group("hour")), int(m.group("minute")),
                _int(m.group("second")), meridiem,
            )  # fmt: skip
