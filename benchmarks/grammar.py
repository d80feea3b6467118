"""Accuracy and speed of the grammar check with the default profile.

Run from the repository root:  python benchmarks/grammar.py [--limit N] [--speed-sample N]

Reads ../shared/eval/ (not part of the project) and prints:
- edited news (bbc_news.jsonl): grammar findings per 1,000 words by severity and
  kind, and how many articles the grammar rule alone would fail;
- other edited news (timebank_aquaint.jsonl: 1998 newswire; onestop.jsonl: Guardian
  texts rewritten at three levels): the same figures, and every error-severity
  finding with its context, to be read and counted as real or false;
- LanguageTool's example sentences (lt_examples.jsonl): share of marked errors
  (rules on by default) that a finding overlaps, share of correct sentences flagged;
- JFLEG learner sentences, detokenized: share of sentences flagged, before and
  after the human corrections;
- time per 1,000 words: Harper alone (a linter with the profile's rules) against the
  grammar check and against the whole gate (every rule of the default profile).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import harper

from qualitybot.checks import grammar, registry
from qualitybot.config import bundled_profile, load_rules
from qualitybot.contract import Hit
from qualitybot.document import parse
from qualitybot.engine import Engine
from qualitybot.grammar import harper_engine

EVAL = Path("../shared/eval")


@contextlib.contextmanager
def quiet_fd1() -> Iterator[TextIO]:
    """harper-core prints debug lines on fd 1: send them to stderr, keep stdout for figures."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    out = os.fdopen(os.dup(saved), "w", encoding="utf-8", closefd=True)
    try:
        yield out
    finally:
        out.close()
        os.dup2(saved, 1)
        os.close(saved)


def load(name: str) -> list[dict[str, Any]]:
    with (EVAL / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def per_k(count: float, words: int) -> str:
    return f"{1000 * count / words:.3f}"


def bbc(out: TextIO, options: grammar.Options, limit: int | None, speed_sample: int) -> None:
    """Run the whole default gate on each article; count its grammar findings; time a sample."""
    articles = load("bbc_news.jsonl")[:limit]
    ruleset = load_rules(bundled_profile("default"))
    gate = Engine(ruleset)
    without_grammar = Engine(ruleset)
    without_grammar.rules = [(r, spec) for r, spec in gate.rules if r.check != "grammar"]
    # Harper alone: a linter of its own (Harper caches per linter) with the profile's rules.
    alone = harper.Linter(harper_engine.DIALECTS[options.dialect])
    config: dict[str, bool | None] = dict.fromkeys(alone.get_lint_config())
    alone.set_lint_config(config | dict.fromkeys(options.disabled_rules, False))
    for article in load("bbc_news.jsonl")[-5:]:  # warm both linters up on texts outside the sample
        alone.lint(article["text"], language=harper.Language.PLAINTEXT)
        gate.check(parse(article["text"], "warm-up.txt"))
    words = sum(a["n_words"] for a in articles)
    by_severity: collections.Counter[str] = collections.Counter()
    by_kind: collections.Counter[str] = collections.Counter()
    by_engine: collections.Counter[str] = collections.Counter()
    failing = 0
    errors: list[str] = []
    seconds = {"alone": 0.0, "gate": 0.0, "rest": 0.0}
    speed_words = 0
    for i, article in enumerate(articles):
        text = article["title"] + "\n\n" + article["text"] + "\n"
        path = article["id"] + ".txt"
        timed = i < speed_sample
        start = time.perf_counter()
        report = gate.check(parse(text, path))
        if timed:
            speed_words += article["n_words"]
            seconds["gate"] += time.perf_counter() - start
            start = time.perf_counter()
            alone.lint(text, language=harper.Language.PLAINTEXT)
            seconds["alone"] += time.perf_counter() - start
            start = time.perf_counter()
            without_grammar.check(parse(text, path))
            seconds["rest"] += time.perf_counter() - start
        findings = [f for f in report.findings if f.check == "grammar"]
        for f in findings:
            by_severity[f.severity] += 1
            by_kind[f"{f.rule}/{f.severity}"] += 1
            by_engine[f.message.rsplit("(", 1)[-1].split(":")[0]] += 1
            if f.severity == "error":
                errors.append(f"  {article['id']}:{f.line}:{f.column} {f.rule} "
                              f"{f.message.rsplit('(', 1)[-1][:-1]}: {f.excerpt!r}")
        failing += any(f.severity == "error" for f in findings)
    print(f"## Edited news: bbc_news.jsonl, {len(articles)} articles, {words} words", file=out)
    for severity in ("error", "warning", "info"):
        count = by_severity[severity]
        print(f"{severity:8} {count:6d} findings, {per_k(count, words)} per 1,000 words", file=out)
    print(f"articles the grammar rule alone fails: {failing} of {len(articles)}", file=out)
    print("by rule:", ", ".join(f"{k} {n}" for k, n in by_kind.most_common()), file=out)
    print("by engine:", ", ".join(f"{k} {n}" for k, n in by_engine.most_common()), file=out)
    print("error-severity findings:", file=out)
    print("\n".join(errors) if errors else "  none", file=out)
    sample = min(speed_sample, len(articles))
    print(f"\n## Time per 1,000 words (first {sample} articles, {speed_words} words, cold caches)", file=out)
    for key, what in (
        ("alone", "Harper alone (a linter with the profile's rules)"),
        ("gate", "whole gate (parse + every rule of the default profile)"),
        ("rest", "the gate without the grammar rule"),
    ):
        print(f"{what}: {1000 * seconds[key] / max(1, speed_words):.3f} s", file=out)


def other_news(out: TextIO, options: grammar.Options, severities: dict[str, str]) -> None:
    """The grammar check alone on AQUAINT newswire and OneStop texts: densities and every error."""
    sets = {
        "timebank_aquaint.jsonl": [(d["id"], d["text"]) for d in load("timebank_aquaint.jsonl")],
        "onestop.jsonl": [(d["id"], d["text"]) for d in load("onestop.jsonl")],
    }
    for name, texts in sets.items():
        words = sum(len(text.split()) for _, text in texts)
        by_severity: collections.Counter[str] = collections.Counter()
        errors: list[str] = []
        failing = 0
        for doc_id, text in texts:
            doc = parse(text, doc_id + ".txt")
            hits = list(grammar.check(doc, options))
            for hit in hits:
                severity = severities[hit.kind]
                by_severity[severity] += 1
                if severity == "error":
                    line, column = doc.line_col(hit.start)
                    context = text[max(0, hit.start - 40) : hit.end + 30].replace("\n", " ")
                    errors.append(f"  {doc_id}:{line}:{column} {hit.kind} {hit.message.rsplit('(', 1)[-1][:-1]}: "
                                  f"{context!r}")
            failing += any(severities[h.kind] == "error" for h in hits)
        print(f"\n## Edited news: {name}, {len(texts)} texts, {words} words", file=out)
        for severity in ("error", "warning", "info"):
            count = by_severity[severity]
            print(f"{severity:8} {count:6d} findings, {per_k(count, words)} per 1,000 words", file=out)
        print(f"texts the grammar rule alone fails: {failing} of {len(texts)}", file=out)
        print("error-severity findings:", file=out)
        print("\n".join(errors) if errors else "  none", file=out)


def overlaps(hit: Hit, start: int, end: int) -> bool:
    return hit.start < max(end, start + 1) and start < hit.end


def lt_examples(out: TextIO, options: grammar.Options, severities: dict[str, str]) -> None:
    rows = load("lt_examples.jsonl")
    incorrect = [r for r in rows if r["kind"] == "incorrect" and not r["default_off"]]
    correct = [r for r in rows if r["kind"] == "correct"]
    found = found_errors = 0
    by_category: collections.Counter[str] = collections.Counter()
    found_by_category: collections.Counter[str] = collections.Counter()
    for row in incorrect:
        hits = [h for h in grammar.check(parse(row["text"]), options) if severities[h.kind] != "off"]
        by_category[row["category_id"]] += 1
        marked = [h for h in hits if overlaps(h, row["start"], row["end"])]
        found += bool(marked)
        found_errors += any(severities[h.kind] == "error" for h in marked)
        found_by_category[row["category_id"]] += bool(marked)
    flagged = flagged_warnings = flagged_errors = 0
    for row in correct:
        hits = [h for h in grammar.check(parse(row["text"]), options) if severities[h.kind] != "off"]
        flagged += bool(hits)
        flagged_warnings += any(severities[h.kind] in ("error", "warning") for h in hits)
        flagged_errors += any(severities[h.kind] == "error" for h in hits)
    print("\n## LanguageTool examples: lt_examples.jsonl", file=out)
    print(f"marked errors found (rules on by default, {len(incorrect)}): {found / len(incorrect):.1%} "
          f"any severity, {found_errors / len(incorrect):.1%} as errors", file=out)
    print(f"correct sentences flagged ({len(correct)}): {flagged / len(correct):.1%} any severity, "
          f"{flagged_warnings / len(correct):.1%} as warnings or errors, "
          f"{flagged_errors / len(correct):.1%} as errors", file=out)
    print("found by category:", ", ".join(
        f"{c} {found_by_category[c]}/{n}" for c, n in by_category.most_common()), file=out)


_DETOKENIZE = [
    (re.compile(r" ([.,!?;:%)\]}])"), r"\1"),
    (re.compile(r"([(\[{$]) "), r"\1"),
    (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", re.IGNORECASE), r"\1"),
    (re.compile(r"\b(ca|wo|do|does|did|is|are|was|were|have|has|had|could|would|should) n't\b"), r"\1n't"),
    (re.compile(r'" (.*?) "'), r'"\1"'),
]


def detokenize(text: str) -> str:
    for pattern, replacement in _DETOKENIZE:
        text = pattern.sub(replacement, text)
    return text.strip()


def jfleg(out: TextIO, options: grammar.Options, severities: dict[str, str]) -> None:
    rows = load("jfleg_dev.jsonl")

    def flagged(text: str) -> tuple[bool, bool]:
        kinds = [severities[h.kind] for h in grammar.check(parse(detokenize(text)), options)]
        return any(k != "off" for k in kinds), "error" in kinds

    source = [flagged(r["src"]) for r in rows]
    refs = [flagged(ref) for r in rows for ref in r["refs"]]
    print(f"\n## JFLEG dev (learner sentences, detokenized): {len(rows)} sentences", file=out)
    print(f"learner sentences flagged: {sum(a for a, _ in source) / len(source):.1%} any severity, "
          f"{sum(e for _, e in source) / len(source):.1%} as errors", file=out)
    print(f"human corrections flagged ({len(refs)}): {sum(a for a, _ in refs) / len(refs):.1%} any severity, "
          f"{sum(e for _, e in refs) / len(refs):.1%} as errors", file=out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--limit", type=int, help="only the first N news articles")
    parser.add_argument("--speed-sample", type=int, default=200, help="articles timed (default 200)")
    parser.add_argument("--skip", nargs="*", default=[], choices=("bbc", "news", "lt", "jfleg"))
    args = parser.parse_args()
    if not EVAL.is_dir():
        print(f"skipped: {EVAL} not found (run from the repository root next to ../shared/eval)")
        return 0
    rule = load_rules(bundled_profile("default")).rules["grammar"]
    assert isinstance(rule.options, grammar.Options)
    spec = registry()["grammar"]
    severities: dict[str, str] = {kind: rule.severity_of(kind, spec) for kind in grammar.KINDS}
    with quiet_fd1() as out:
        print(f"# grammar benchmark, default profile (engine {rule.options.engine}, dialect "
              f"{rule.options.dialect}), {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores", file=out)
        if "bbc" not in args.skip:
            bbc(out, rule.options, args.limit, args.speed_sample)
        if "news" not in args.skip:
            other_news(out, rule.options, severities)
        if "lt" not in args.skip:
            lt_examples(out, rule.options, severities)
        if "jfleg" not in args.skip:
            jfleg(out, rule.options, severities)
    return 0


if __name__ == "__main__":
    sys.exit(main())
