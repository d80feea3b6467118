"""Dates: impossible, malformed or mis-dated dates, wrong weekdays and impossible times.

What it catches
    ``dates.invalid``: a day its month does not have: "February 30, 2004",
    "30 February 2004", "Feb. 30", "September 31", "2004-02-30", "31/04/2004",
    "February 29, 2023" (not a leap year). A numeric date such as "31/04/2004"
    is read both day-first and month-first (``day_order: auto``) and is only
    flagged when neither reading is a real day.
    ``dates.malformed``: numbers no calendar has ("March 32", "13/13/2020") and
    dates broken by stray punctuation ("February 15. 24", "February. 15, 2022",
    "15. February 2022", "15th. March 2022", "March 15,, 2022", "March 15 ,2022",
    "February15, 2022").
    ``dates.weekday``: a weekday that does not match its date ("Monday, March
    2, 2004": it was a Tuesday). A date without a year is flagged only when
    its weekday fits none of the years that put it within 300 days of the
    publication date (``weekday_assume_year``). Its suggestion, the mention with
    the right weekday, is applied by ``check --fix``.
    ``dates.future-past-event``: a date after the publication date told as a
    past event in its own clause ("said on March 30, 2031" in an article
    published in 2026; "was arrested on March 20" in one of March 14).
    Announced events are fine: a future, modal or present-tense word ("will",
    "would", "is", "scheduled", "deadline", "until", ...) in the clause, or no
    past-tense verb, and the date is left alone.
    ``dates.anachronism`` (a warning): a full date many years before the
    article's own time ("a press conference on March 25, 2005" in a 2022
    story). The article's time is the publication year; when most of the
    article's own full dates (at least three) disagree with it, their median
    year is taken instead, since the publication date is then probably a
    default. Historical cues in the clause ("since", "anniversary", "born",
    "ago", ...) and dates after the article's time are not anachronisms.
    ``dates.time``: clock times that cannot exist ("at 25:61", "13:30 p.m."),
    where the text marks a time (a preposition, a time zone, am/pm, seconds),
    so that ratios ("a 60:40 split") and sports scores are not read as times.

    Real news that passes: "will meet on March 12", "the deadline is June 30,
    2027", ranges "March 3-5", scores "3-1", versions "2.0.24", phone
    numbers, money, ages, "In February 30 people were hurt" (a count, not a
    date: only after a word that takes a month alone, "in", "last", "during",
    or at the start of a sentence; "the year to September 31 profits rose" is
    an impossible date), historical dates ("founded on May 4, 1919"). A
    24-hour clock time is never a year ("26 February" then "1400 GMT"), and
    a date never runs across a paragraph break.

Fails
    The minister said on Monday, March 2, 2004 that the talks, held on
    February 30, had failed. The summit opened on February 15. 24.

Passes
    The minister said on Tuesday, March 2, 2004 that the talks, held on
    February 27, had failed. Leaders will meet again on March 3-5, 2004.

Options
    ``day_order``: ``auto`` (flag numeric dates only when impossible in both
    readings), ``day-first`` (31/04/2004 is April 31) or ``month-first``
    (04/31/2004 is April 31).
    ``anachronism_years``: how many years before the article's time a full
    date may lie before it is an anachronism (default 10).
    ``future_grace_days``: days after the publication date still taken as
    "now" (time zones, late editions; default 1).
    ``weekday_assume_year``: check weekdays of dates without a year against
    the years near the publication date (default true).
    ``yearless_days``: a date without a year up to this many days after
    publication is taken in the publication year for ``future-past-event``
    ("police arrested him on March 20" in a story of March 14; default 60,
    0 = only dates that give their year).

Why a hand-written extractor
    Date libraries turn text into *valid* dates, which hides exactly what this
    check must report. Tried on the fixtures: ``dateparser.search.search_dates``
    reads "February 30, 2004" as the bare year 2004, returns nothing for
    "13/13/2020" and a clean February 15 for "February 15. 24"; dateutil's
    fuzzy parser raises on the first two without saying where, reads
    "February 15. 24" as 2024-02-15, finds one date per string and gives no
    offsets. On the 73 AQUAINT stories (``benchmarks/dates.md``) search_dates
    takes about 100 ms per story, and about a fifth of what it finds is no
    date at all ("we", "now", "may", "10"). The regular expressions of
    :mod:`qualitybot.checks.dates_extract` keep every date as written, with its
    offsets, in a few milliseconds per story (about 40 times faster), and
    raise no error-severity finding on that news; validity, weekdays and leap
    years come from the standard ``calendar`` and ``datetime`` modules.
"""

from __future__ import annotations

import bisect
import calendar
import re
import statistics
from collections.abc import Iterator
from datetime import date
from typing import Any, Literal

from pydantic import Field

from qualitybot.checks.dates_extract import MONTHS, WEEKDAYS, DateMention, find_clock_times, find_dates
from qualitybot.contract import CheckOptions, Hit, Severity
from qualitybot.document import Document

KINDS: dict[str, Severity] = {
    "invalid": "error",
    "malformed": "error",
    "weekday": "error",
    "future-past-event": "error",
    "anachronism": "warning",
    "time": "error",
}
# A weekday that contradicts its full date is replaced by the date's weekday (`check --fix`).
SAFE_FIXES = frozenset({"weekday"})

# English names, index 1-12 (calendar.month_name follows the process locale).
MONTH_NAMES = ("", *(name.capitalize() for name in MONTHS))


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


class Options(CheckOptions):
    day_order: Literal["auto", "day-first", "month-first"] = Field(
        "auto", description="how to read numeric dates such as 04/05/2004; auto = flag only what "
        "is impossible in both readings"
    )
    anachronism_years: int = Field(
        10, ge=1, le=500, description="years a full date may lie before the article's time"
    )
    future_grace_days: int = Field(
        1, ge=0, le=366, description="days after the publication date still taken as now"
    )
    weekday_assume_year: bool = Field(
        True, description="check weekdays of dates without a year in the year nearest publication"
    )
    yearless_days: int = Field(
        60, ge=0, le=180, description="a date without a year this many days after publication is "
        "taken in the publication year when checking past events; 0 = only dates with a year"
    )


def check(doc: Document, options: Options) -> Iterator[Hit]:
    mentions = find_dates(doc.prose)
    full_dates = [(m, d) for m in mentions if (d := _full_date(m, options)) is not None]
    reference = doc.published_at
    for m in mentions:
        yield from _calendar_hits(doc.text, m, options, reference)
    for m, day in full_dates + _soon_after(mentions, reference, options):
        hit = _past_event_after_publication(doc, m, day, reference, options)
        if hit:
            yield hit
    own_year = article_year(reference, [d.year for _, d in full_dates], options.anachronism_years)
    if own_year is not None:
        for m, day in full_dates:
            if own_year - day.year > options.anachronism_years and not _historical(doc, m):
                yield Hit(
                    m.start, m.end,
                    f"{_show(m)} is {own_year - day.year} years before the article's time "
                    f"({own_year}): is the year right?",
                    kind="anachronism",
                )  # fmt: skip
    for clock in find_clock_times(doc.prose):
        why = _impossible_time(clock.hour, clock.minute, clock.second, clock.meridiem)
        if why:
            yield Hit(clock.start, clock.end, f"{clock.text} is not a time: {why}", kind="time")


# --- calendar validity ----------------------------------------------------------

# After a date without a year, these words still read as a date ("March 30 and 31", "March 30
# at noon"); any other word may make the number a count ("In March 30 people died", "In July 32
# Singaporean officers ...").
_DATE_CONTINUATIONS = _word_set(
    """and or to through thru until till at in on when after before as from by for that the this
    he she it they we i was were is are will would has had have there but with while so his her
    its their our a an of"""
)
# ... and only after a word that takes a month alone ("In March", "last July") or at the start
# of a sentence: after any other word ("the year to September 31 profits rose", "ending 31
# September") the number belongs to the month. An abbreviated month ("Feb. 30") is a date:
# no one writes "In Feb. 30 people".
_MONTH_ALONE_BEFORE = _word_set("in during last this next early late mid of")


def _is_count(m: DateMention) -> bool:
    word = m.followed_by
    return (
        m.year is None
        and bool(word) and word.lower() not in _DATE_CONTINUATIONS
        and m.preceded_by.lower() in _MONTH_ALONE_BEFORE | {""}
        and m.text[0].isalpha() and "." not in m.text
    )  # fmt: skip


def _calendar_hits(source: str, m: DateMention, options: Options, reference: date | None) -> Iterator[Hit]:
    if m.form == "broken":
        yield Hit(m.start, m.end, f"Malformed date '{m.text}': {m.why}", kind="malformed",
                  suggestions=_broken_suggestions(m))  # fmt: skip
        return
    if m.form == "numeric":
        yield from _numeric_hits(source, m, options)
        return
    if m.form not in ("named", "iso") or m.month is None or m.day is None or _is_count(m):
        return
    if m.month > 12:
        yield Hit(m.start, m.end, f"Malformed date '{m.text}': there is no month {m.month}", kind="malformed")
        return
    for day in (m.day, m.day2):
        if day is not None:
            problem = _day_problem(m.month, day, m.year)
            if problem:
                kind, why = problem
                yield Hit(m.start, m.end, f"'{m.text}' is not a date: {why}", kind=kind)
                return
    yield from _weekday_hits(source, m, options, reference)


def _day_problem(month: int, day: int, year: int | None) -> tuple[str, str] | None:
    """('malformed' | 'invalid', why) when ``day`` is not a day of ``month`` (in ``year``)."""
    if day < 1 or day > 31:
        return "malformed", f"no month has a day {day}"
    name = MONTH_NAMES[month]
    if year is None:
        longest = 29 if month == 2 else calendar.monthrange(2001, month)[1]
        if day > longest:
            return "invalid", f"{name} has {longest} days"
        return None
    length = calendar.monthrange(year, month)[1]
    if day <= length:
        return None
    if month == 2 and day == 29:
        return "invalid", f"{year} is not a leap year (February {year} has 28 days)"
    return "invalid", f"{name} has {length} days"


def _numeric_hits(source: str, m: DateMention, options: Options) -> Iterator[Hit]:
    assert m.first is not None and m.second is not None and m.year is not None
    readings = {"day-first": (m.second, m.first), "month-first": (m.first, m.second)}
    orders = list(readings) if options.day_order == "auto" else [options.day_order]
    problems = []
    valid = []
    for order in orders:
        month, day = readings[order]
        if not 1 <= month <= 12:
            problems.append(("malformed", f"{order}: there is no month {month}"))
            continue
        problem = _day_problem(month, day, m.year)
        if problem is None:
            valid.append((month, day))
        else:
            problems.append((problem[0], f"{order}: {problem[1]}"))
    if len(set(valid)) == 1:  # with two real readings the weekday cannot tell which is meant
        yield from _weekday_hits(source, _resolved(m, *valid[0]), options, None)
    if valid:
        return
    # Invalid when one reading names a real month that is merely too short; malformed otherwise.
    kind = "invalid" if any(kind == "invalid" for kind, _ in problems) else "malformed"
    reading = "in either reading" if len(orders) == 2 else f"read {orders[0]}"
    yield Hit(m.start, m.end, f"'{m.text}' is not a date {reading} ({'; '.join(w for _, w in problems)})",
              kind=kind)  # fmt: skip


def _resolved(m: DateMention, month: int, day: int) -> DateMention:
    return DateMention(m.start, m.end, m.text, m.form, m.year, month, day, None, None, None,
                       m.weekday, m.weekday_text, m.why, m.followed_by, m.preceded_by)  # fmt: skip


def _weekday_hits(source: str, m: DateMention, options: Options, reference: date | None) -> Iterator[Hit]:
    if m.weekday is None or m.month is None or m.day is None:
        return
    if m.year is not None:
        years, assumed = [m.year], False
    elif options.weekday_assume_year and reference is not None:
        years, assumed = _years_near(m.month, m.day, reference), True
    else:
        return
    actual = [date(year, m.month, m.day).weekday() for year in years]
    if not actual or m.weekday in actual:
        return
    year, weekday = years[0], actual[0]
    where = f" in {year} (the year nearest the publication date)" if assumed else ""
    yield Hit(
        m.start, m.end,
        f"{MONTH_NAMES[m.month]} {m.day}, {year} is a {WEEKDAYS[weekday]}, not a "
        f"{WEEKDAYS[m.weekday]}{where}",
        kind="weekday", suggestions=_right_weekday(source[m.start : m.end], m.weekday_text, weekday),
    )  # fmt: skip


def _right_weekday(written: str, weekday_text: str, weekday: int) -> tuple[str, ...]:
    """The mention as written with its weekday corrected: a suggestion replaces the whole span.

    An abbreviation stays abbreviated ("Fri., March 2" -> "Tue., March 2"), capitals stay capitals.
    """
    full = weekday_text.capitalize() in WEEKDAYS
    name = WEEKDAYS[weekday] if full else WEEKDAYS[weekday][:3]
    name = name.upper() if weekday_text.isupper() and len(weekday_text) > 1 else name
    found = re.search(rf"\b{re.escape(weekday_text)}\b", written) if weekday_text else None
    if not found:
        return ()
    return (written[: found.start()] + name + written[found.end() :],)


# A date without a year is taken in every year that puts it this close to publication: a story
# published in June may mean last November or next; its weekday must fit one of them.
_NEAR_DAYS = 300


def _years_near(month: int, day: int, reference: date) -> list[int]:
    """Years (nearest first) in which month/day lies within _NEAR_DAYS of ``reference``."""
    near = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        day_in_year = _real_day(year, month, day)
        if day_in_year is not None and abs((day_in_year - reference).days) <= _NEAR_DAYS:
            near.append((abs((day_in_year - reference).days), year))
    return [year for _, year in sorted(near)]


def _broken_suggestions(m: DateMention) -> tuple[str, ...]:
    if m.month is None or m.day is None or not 1 <= m.day <= 31:
        return ()
    if m.year is not None:
        return (f"{MONTH_NAMES[m.month]} {m.day}, {m.year}",)
    return ()


def _impossible_time(hour: int, minute: int, second: int | None, meridiem: str) -> str:
    if second is not None and (minute > 59 or second > 59):
        return "minutes and seconds run from 00 to 59"
    if second is not None:
        return ""  # "2:03:59" may be a race time: hours are not bounded
    if minute > 59:
        return "minutes run from 00 to 59"
    if meridiem and not 1 <= hour <= 12:
        return f"hours run from 1 to 12 with {meridiem}"
    if hour > 24 or (hour == 24 and minute):
        return "hours run from 00 to 23"
    return ""


# --- time: the article's own, and past events after it ---------------------------------


def _full_date(m: DateMention, options: Options) -> date | None:
    """The real day a mention names when it gives day, month and year; else None."""
    if m.form not in ("named", "iso", "numeric") or m.year is None:
        return None
    if m.form == "numeric":
        assert m.first is not None and m.second is not None
        orders = ("day-first", "month-first") if options.day_order == "auto" else (options.day_order,)
        readings = {_real_day(m.year, *((m.second, m.first) if o == "day-first" else (m.first, m.second)))
                    for o in orders} - {None}
        # 04/05/2004 read both ways is two days: which one is meant cannot be known.
        return readings.pop() if len(readings) == 1 else None
    if m.month is None or m.day is None:
        return None
    try:
        return date(m.year, m.month, m.day2 or m.day)
    except ValueError:
        return None


def _real_day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _soon_after(
    mentions: list[DateMention], reference: date | None, options: Options
) -> list[tuple[DateMention, date]]:
    """Dates without a year that fall within ``yearless_days`` after publication in its year."""
    if reference is None or not options.yearless_days:
        return []
    out = []
    for m in mentions:
        if m.form == "named" and m.year is None and m.month and m.day and not _is_count(m):
            day = _real_day(reference.year, m.month, m.day2 or m.day)
            if day and 0 < (day - reference).days <= options.yearless_days:
                out.append((m, day))
    return out


def article_year(published: date | None, years: list[int], tolerance: int) -> int | None:
    """The year the article is set in: its publication year, unless its own dates disagree.

    When at least three full dates are given and most lie more than ``tolerance``
    years from the publication year, the publication date is likely a default
    (today) for an older story: their median year is the article's time.
    """
    if len(years) >= 3:
        median = int(statistics.median_low(years))
        if published is None:
            return median
        far = sum(1 for y in years if abs(y - published.year) > tolerance)
        if far * 2 > len(years):
            return median
    return published.year if published else None


# A future, modal or present-tense word in the date's clause makes it an announcement or a state
# of things ("the deadline is June 30"), not the report of an event.
_FUTURE_WORDS = _word_set(
    """will would shall 'll going is are be been being to until till by before next upcoming
    scheduled slated planned plan plans expected expects expect due deadline set postponed delayed
    moved deferred extended expire expires expiry could may might should must can starting
    effective begins begin if unless forecast projected target aims aim goal hopes intends
    proposed tentatively through from"""
)
# Past-tense verbs that report an event; any other past form ending in -ed counts too.
_PAST_WORDS = _word_set(
    """was were had did said told held took occurred happened died killed signed met ended began
    started opened closed reported published released launched arrested elected won lost
    resigned agreed approved voted visited attacked fell rose hit left arrived declared
    confirmed denied sold bought paid filed issued ruled returned came went gave made saw
    got found sent struck broke shot fled quit spoke wrote"""
)
_WORD = re.compile(r"[A-Za-z']+")


_NOT_PAST = _word_set("hundred indeed sacred wicked naked kindred beloved")


def _is_past(word: str) -> bool:
    """A past-tense verb: one of _PAST_WORDS, or a regular -ed form ("exploded", not "exceed")."""
    return word in _PAST_WORDS or (
        len(word) > 4 and word.endswith("ed") and not word.endswith("eed") and word not in _NOT_PAST
    )


_CLAUSE_BREAK = re.compile(r"[,;:!?()\"“”]|\.\s")


_bounds_of: list[Any] = [None, [], []]  # the blocks last seen, their starts and ends, sorted


def _block_bounds(doc: Document) -> tuple[list[int], list[int]]:
    """Sorted block starts and ends, computed once per document (a lookup per date is then log n)."""
    if _bounds_of[0] is not doc.blocks:
        _bounds_of[:] = [doc.blocks, sorted(b.start for b in doc.blocks), sorted(b.end for b in doc.blocks)]
    return _bounds_of[1], _bounds_of[2]


def _clause(doc: Document, m: DateMention) -> tuple[str, str]:
    """The words of the date's clause before and after it (within its block)."""
    starts, ends = _block_bounds(doc)
    first_after = bisect.bisect_right(starts, m.start)
    block_start = starts[first_after - 1] if first_after else 0
    last_before = bisect.bisect_left(ends, m.end)
    block_end = ends[last_before] if last_before < len(ends) else len(doc.prose)
    before = doc.prose[max(block_start, m.start - 200) : m.start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    before = before[breaks[-1].end() :] if breaks else before
    after = doc.prose[m.end : min(block_end, m.end + 200)]
    opening = not _WORD.findall(before) or before.strip().lower() in ("on", "as of", "on the")
    # A date that opens its clause ("On March 30, 2031, police arrested ...") belongs to the next one.
    lead = re.match(r"\s*,", after) if opening else None
    rest = after[lead.end() :] if lead else after
    cut = _CLAUSE_BREAK.search(rest)
    after = rest[: cut.start()] if cut else rest
    return before, after


def _past_event_after_publication(
    doc: Document, m: DateMention, day: date, reference: date | None, options: Options
) -> Hit | None:
    if reference is None or (day - reference).days <= options.future_grace_days:
        return None
    before, after = _clause(doc, m)
    words_before = [w.lower() for w in _WORD.findall(before)]
    words = words_before + [w.lower() for w in _WORD.findall(after)]
    if words_before and not (words_before[-1] == "on" or _is_past(words_before[-1])):
        return None  # "postponed to", "between", "of": not the day an event happened
    if any(w in _FUTURE_WORDS for w in words):
        return None
    cue = next((w for w in words if _is_past(w)), None)
    if cue is None:
        return None
    return Hit(
        m.start, m.end,
        f"{_show(m)} is after the publication date ({reference.isoformat()}) but is told as a past "
        f"event ('{cue}')",
        kind="future-past-event",
    )  # fmt: skip


# Words in the clause that announce a look back in time.
_HISTORICAL_WORDS = _word_set(
    """since anniversary anniversaries born died death founded established ago history historic
    historical dating dates original originally first former previous previously earlier once
    memorial commemorate commemorates commemorating recalled remembered years decades"""
)


def _historical(doc: Document, m: DateMention) -> bool:
    before, after = _clause(doc, m)
    words = {w.lower() for w in _WORD.findall(before) + _WORD.findall(after)}
    return bool(words & _HISTORICAL_WORDS)


def _show(m: DateMention) -> str:
    return m.text if m.form != "numeric" else f"'{m.text}'"
