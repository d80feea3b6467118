"""Measure the ``dates`` check on real news: extraction recall, findings, speed.

Run from the repository root::

    python benchmarks/dates.py              # AQUAINT (TimeBank) and BBC figures
    python benchmarks/dates.py --compare    # also time dateparser's search_dates, if installed
    python benchmarks/dates.py --show       # also print every finding with its context

Reads ``../shared/eval/timebank_aquaint.jsonl`` (gold TIMEX3 annotations; each
document's ``dct`` is its publication date) and ``../shared/eval/bbc_news.jsonl``
(published 2004-2005: reference date 2005-06-01). The data is not part of the
project; the script says so and exits 0 when it is absent.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qualitybot.checks import registry  # noqa: E402
from qualitybot.checks.dates_extract import find_dates  # noqa: E402
from qualitybot.config import bundled_profile, load_rules  # noqa: E402
from qualitybot.document import Document, parse  # noqa: E402
from qualitybot.engine import Engine  # noqa: E402
from qualitybot.report import Finding  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval"
TIMEBANK = EVAL / "timebank_aquaint.jsonl"
BBC = EVAL / "bbc_news.jsonl"
BBC_PUBLISHED = date(2005, 6, 1)
MONTH_OR_DIGIT = re.compile(
    r"\d|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
)
WEEKDAY = re.compile(r"\b(?:Mon|Tues?|Wed|Thu|Fri|Sat|Sun)[a-z]*day\b|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\.")


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def dates_engine() -> Engine:
    """The bundled default profile with only the dates rule: its severities and options."""
    ruleset = load_rules(bundled_profile("default"))
    only_dates = {rid: r for rid, r in ruleset.rules.items() if r.check == "dates"}
    return Engine(dataclasses.replace(ruleset, rules=only_dates))


def category(gold_text: str) -> str:
    if MONTH_OR_DIGIT.search(gold_text):
        return "calendar (month name or digits)"
    if WEEKDAY.search(gold_text):
        return "weekday"
    return "relative (today, last week, ...)"


def overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def recall(docs: list[dict[str, Any]]) -> None:
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    unmatched: Counter[str] = Counter()
    extracted: Counter[str] = Counter()
    for record in docs:
        mentions = find_dates(record["text"])
        spans = [(m.start, m.end) for m in mentions]
        gold = [t for t in record["timexes"] if t["type"] == "DATE"]
        for timex in gold:
            kind = category(timex["text"])
            total[kind] += 1
            found[kind] += overlaps(timex["start"], timex["end"], spans)
        any_gold = [(t["start"], t["end"]) for t in record["timexes"]]
        for m in mentions:
            extracted[m.form] += 1
            if not overlaps(m.start, m.end, any_gold):
                unmatched[m.form] += 1
    all_found, all_total = sum(found.values()), sum(total.values())
    print(f"extraction recall of gold DATE timexes (span overlap): {all_found}/{all_total} "
          f"= {all_found / all_total:.1%}")
    for kind in sorted(total):
        print(f"  {kind:34} {found[kind]:4}/{total[kind]:<4} = {found[kind] / total[kind]:.1%}")
    after, found_after, with_year = future_gold(docs)
    print(f"gold DATEs valued after the story's date (legitimate future days): {after}; extracted {found_after}"
          f", {with_year} of them written with day, month and year")
    print("extracted mentions by form (and how many overlap no gold timex of any type):")
    for form, count in extracted.most_common():
        print(f"  {form:12} {count:5}  unmatched {unmatched[form]}")


def future_gold(docs: list[dict[str, Any]]) -> tuple[int, int, int]:
    """Gold DATEs valued after the story's date: all, found by find_dates, written with a year."""
    after = found = with_year = 0
    for record in docs:
        published = record["dct"][:10]
        mentions = find_dates(record["text"])
        for timex in record["timexes"]:
            value = str(timex["value"])
            if timex["type"] == "DATE" and re.fullmatch(r"\d{4}-\d\d-\d\d", value) and value > published:
                after += 1
                hits = [m for m in mentions if overlaps(m.start, m.end, [(timex["start"], timex["end"])])]
                found += bool(hits)
                with_year += any(m.year is not None and m.day is not None for m in hits)
    return after, found, with_year


def run_findings(
    engine: Engine, docs: list[tuple[str, str, date]], show: bool, label: str, repeat: int
) -> None:
    findings: list[tuple[Document, Finding]] = []
    parsed = [parse(text, path, "text", published) for path, text, published in docs]
    words = sum(len(d.text.split()) for d in parsed)
    for doc in parsed:
        findings.extend((doc, f) for f in engine.check(doc).findings)
    check = registry()["dates"]
    options = engine.rules[0][0].options
    started = time.perf_counter()
    for _ in range(repeat):
        for doc in parsed:
            list(check.run(doc, options))
    elapsed = (time.perf_counter() - started) / repeat
    by_kind = Counter((f.rule, f.severity) for _, f in findings)
    errors = sum(1 for _, f in findings if f.severity == "error")
    print(f"{label}: {len(parsed)} documents, {words} words: {len(findings)} findings, {errors} at error "
          f"severity; {sum(1 for d in parsed if any(f.severity == 'error' for dd, f in findings if dd is d))}"
          " documents would fail on dates")
    for (rule, severity), count in sorted(by_kind.items()):
        print(f"  {rule:28} {severity:8} {count}")
    print(f"  speed: {elapsed * 1000:.1f} ms for all ({elapsed * 1000 / len(parsed):.2f} ms/document, "
          f"{elapsed * 1e6 / words:.1f} ms per 1000 words; check only, mean of {repeat} runs)")
    if show:
        for doc, f in findings:
            print(f"    {doc.path}:{f.line}:{f.column} {f.rule} [{f.severity}] {f.message}")
            print(f"      {f.excerpt}")


def compare_dateparser(docs: list[dict[str, Any]]) -> None:
    try:
        from dateparser.search import search_dates  # type: ignore[import-not-found]
    except ImportError:
        print("dateparser is not installed: comparison skipped (pip install dateparser)")
        return
    settings = {"RELATIVE_BASE": None, "STRICT_PARSING": False}
    search_dates("warm up on March 3, 2004", languages=["en"])
    started = time.perf_counter()
    hits = unmatched = 0
    for record in docs:
        text = record["text"]
        settings["RELATIVE_BASE"] = None
        results = search_dates(text, languages=["en"]) or []
        gold = [(t["start"], t["end"]) for t in record["timexes"]]
        cursor = 0
        for matched, _ in results:
            start = text.find(matched, cursor)
            if start < 0:
                continue
            cursor = start + len(matched)
            hits += 1
            unmatched += not overlaps(start, cursor, gold)
    elapsed = time.perf_counter() - started
    print(f"dateparser.search.search_dates: {elapsed:.1f} s for {len(docs)} documents "
          f"({elapsed * 1000 / len(docs):.0f} ms/document); {hits} dates found, {unmatched} of them "
          "overlap no gold timex of any type")
    started = time.perf_counter()
    for record in docs:
        find_dates(record["text"])
    mine = time.perf_counter() - started
    print(f"qualitybot.checks.dates_extract.find_dates: {mine * 1000:.1f} ms for the same documents")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", action="store_true", help="also time dateparser's search_dates")
    parser.add_argument("--show", action="store_true", help="print every finding")
    parser.add_argument("--repeat", type=int, default=5, help="timing runs (default 5)")
    args = parser.parse_args()
    if not TIMEBANK.is_file() or not BBC.is_file():
        print(f"evaluation data not found under {EVAL}: nothing measured")
        return 0
    engine = dates_engine()
    timebank = load(TIMEBANK)
    print(f"== AQUAINT (TimeBank): {TIMEBANK}")
    recall(timebank)
    run_findings(
        engine, [(r["id"], r["text"], date.fromisoformat(r["dct"][:10])) for r in timebank],
        args.show, "findings", args.repeat,
    )  # fmt: skip
    print(f"== BBC News, published {BBC_PUBLISHED}: {BBC}")
    bbc = load(BBC)
    run_findings(
        engine, [(r["id"], f"{r['title']}\n\n{r['text']}\n", BBC_PUBLISHED) for r in bbc],
        args.show, "findings", args.repeat,
    )  # fmt: skip
    if args.compare:
        print("== library comparison on AQUAINT")
        compare_dateparser(timebank)
    return 0


if __name__ == "__main__":
    sys.exit(main())
