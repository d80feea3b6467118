"""Pattern rules: how fast a pathological regex is stopped, and what the default
profile's pattern rules flag on clean, edited news.

Run from the repository root: ``python benchmarks/patterns.py``. The news part reads
``../shared/eval/bbc_news.jsonl`` at run time and is skipped when it is absent.
"""

from __future__ import annotations

import collections
import json
import sys
import time
from pathlib import Path

from qualitybot.checks import registry
from qualitybot.checks.pattern.base import ValeRule
from qualitybot.config import bundled_profile, load_rules
from qualitybot.document import parse

BBC = Path("../shared/eval/bbc_news.jsonl")


def pathological() -> None:
    check = registry()["pattern"].run
    text = "a" * 100_000 + "b"
    cases = [
        ("RE2, (a+)+$", ["(a+)+$"]),
        ("backtracking (look-ahead), (a+)+(?=c)", ["(a+)+(?=c)"]),
        ("backtracking (back-reference), ((a+)+)\\1c", [r"((a+)+)\1c"]),
    ]
    doc = parse(text, "a.txt")
    for label, tokens in cases:
        rule = ValeRule.model_validate({"extends": "existence", "message": "%s", "nonword": True, "tokens": tokens})
        started = time.perf_counter()
        hits = list(check(doc, rule))
        elapsed = time.perf_counter() - started
        outcome = hits[0].kind or "match" if hits else "no match"
        print(f"{label:45s} on {len(text):,} chars: {elapsed:6.3f} s  ({outcome})")


def clean_news() -> None:
    if not BBC.is_file():
        print(f"skipped: {BBC} not found (evaluation data lives beside the repository)")
        return
    ruleset = load_rules(bundled_profile("default"))
    rules = {rid: r for rid, r in ruleset.rules.items() if r.check == "pattern"}
    check = registry()["pattern"].run
    counts: collections.Counter[str] = collections.Counter()
    articles, flagged, started = 0, set(), time.perf_counter()
    examples = []
    for line in BBC.read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        doc = parse(article["title"] + "\n\n" + article["text"] + "\n", article["id"] + ".txt")
        articles += 1
        for rule_id, rule in rules.items():
            for hit in check(doc, rule.options):
                counts[rule_id] += 1
                flagged.add(article["id"])
                examples.append(f"{article['id']} {rule_id}: {doc.text[hit.start:hit.end]!r}")
    elapsed = time.perf_counter() - started
    print(f"default profile pattern rules on {articles} BBC articles: {sum(counts.values())} findings "
          f"in {len(flagged)} articles, {elapsed / articles * 1000:.1f} ms per article")
    for rule_id in rules:
        print(f"  {rule_id}: {counts[rule_id]}")
    for example in examples:
        print(f"    {example}")


if __name__ == "__main__":
    pathological()
    clean_news()
    sys.exit(0)
