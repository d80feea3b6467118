"""Benchmark of the duplicates check: false alarms, findings on edited news, speed.

Run from the repository root::

    python benchmarks/duplicates.py            # everything
    python benchmarks/duplicates.py speed      # only the timings (no evaluation data needed)

(a) false alarms: every MRPC and STS sentence pair is checked as a two-paragraph
    document; a pair that is not identical after folding case and punctuation but
    gets a duplicates finding is a false alarm (paraphrases are not copies).
(b) BBC news (clean, edited): findings per article as they are; then recall on
    the same articles after planting a near copy of one paragraph (two words
    changed) and a repeated sentence.
(c) speed: documents of 500, 5,000 and 20,000 generated paragraphs.

The evaluation data is read from ../shared/eval/ at run time and never copied.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Indel

from qualitybot.checks.duplicates import Options, check, fold
from qualitybot.contract import Hit
from qualitybot.document import parse

EVAL = Path("../shared/eval")
THRESHOLDS = (80.0, 85.0, 90.0, 95.0)


def records(name: str) -> Iterator[dict[str, Any]]:
    with (EVAL / name).open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def pair_hits(s1: str, s2: str, options: Options) -> list[Hit]:
    return list(check(parse(f"{s1}\n\n{s2}\n", "pair.txt"), options))


def false_alarms() -> None:
    print("(a) false alarms on paraphrase / similarity pairs (non-identical pairs flagged)")
    mrpc, sts = list(records("paraphrase_mrpc.jsonl")), list(records("similarity_sts.jsonl"))
    sets = {
        "MRPC paraphrase (label 1)": [(r["s1"], r["s2"]) for r in mrpc if r["label"] == 1],
        "MRPC not paraphrase (label 0)": [(r["s1"], r["s2"]) for r in mrpc if r["label"] == 0],
        "STS score >= 4": [(r["s1"], r["s2"]) for r in sts if r["score"] >= 4],
        "STS score < 4": [(r["s1"], r["s2"]) for r in sts if r["score"] < 4],
    }
    print(
        f"  {'set':30} {'pairs':>6} {'identical':>9} "
        + " ".join(f"{'t=' + format(t, 'g'):>10}" for t in THRESHOLDS)
    )
    default = Options().threshold
    why: dict[str, Counter[str]] = {}
    examples: list[tuple[str, str]] = []
    for name, pairs in sets.items():
        distinct = [(a, b) for a, b in pairs if fold(a, 0, "sentence").norm != fold(b, 0, "sentence").norm]
        counts = []
        for t in THRESHOLDS:
            flagged = 0
            for a, b in distinct:
                hits = pair_hits(a, b, Options(threshold=t))
                flagged += bool(hits)
                if hits and t == default:
                    why.setdefault(name, Counter())[_why(hits[0], a, b)] += 1
                    examples.extend([(a, b)] if len(examples) < 6 else [])
            counts.append(f"{flagged:>4} {100 * flagged / max(1, len(distinct)):4.1f}%")
        print(
            f"  {name:30} {len(pairs):>6} {len(pairs) - len(distinct):>9} "
            + " ".join(f"{c:>10}" for c in counts)
        )
    print(f"  why pairs were flagged at the default threshold {default:g}:")
    for name, reasons in why.items():
        print(f"    {name:30} " + ", ".join(f"{n} {reason}" for reason, n in reasons.most_common()))
    print("  examples:")
    for a, b in examples:
        print(f"    - {a[:110]!r}\n      {b[:110]!r}")


def _why(hit: Hit, s1: str, s2: str) -> str:
    if "quotation" in hit.message:
        return "same quotation word for word"
    changed = Indel.distance(fold(s1, 0, "sentence").tokens, fold(s2, 0, "sentence").tokens)
    return "texts differ by <= 3 words (inserted+deleted)" if changed <= 3 else "texts differ by 4+ words"


def bbc_articles() -> list[tuple[str, list[str]]]:
    return [(r["title"], r["paragraphs"]) for r in records("bbc_news.jsonl")]


def layout(title: str, paragraphs: list[str]) -> str:
    """The original file layout: paragraph k (0-based) is on line 3 + 2k."""
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def bbc_findings(articles: list[tuple[str, list[str]]]) -> None:
    print("(b) BBC news, clean edited articles")
    kinds: Counter[str] = Counter()
    flagged_articles = 0
    shown = 0
    for title, paragraphs in articles:
        doc = parse(layout(title, paragraphs), "bbc.txt")
        hits = list(check(doc, Options()))
        flagged_articles += bool(hits)
        kinds.update(h.kind for h in hits)
        for hit in hits:
            if shown < 8:
                shown += 1
                line = doc.line_col(hit.start)[0]
                print(
                    f"    {title[:40]!r} line {line}: {hit.message}: {doc.text[hit.start : hit.end][:80]!r}"
                )
    print(f"  articles: {len(articles)}, with findings: {flagged_articles}, findings by kind: {dict(kinds)}")

    rng = random.Random(5)
    para_found = para_total = sent_found = sent_total = figures_changed = 0
    for title, paragraphs in articles:
        if len(paragraphs) < 3:
            continue
        # A near copy of an earlier paragraph (two words changed) appended at the end.
        k = rng.randrange(len(paragraphs) - 1)
        words = paragraphs[k].split()
        if len(words) >= 12:
            for _ in range(2):
                words[rng.randrange(len(words))] = rng.choice(("also", "then", "however", "still"))
            edited = [*paragraphs, " ".join(words)]
            doc = parse(layout(title, edited), "bbc.txt")
            para_total += 1
            figures_changed += (
                fold(" ".join(words), 0, "paragraph").numbers != fold(paragraphs[k], 0, "paragraph").numbers
            )
            para_found += any(
                h.kind == "paragraph"
                and doc.line_col(h.start)[0] == 3 + 2 * len(paragraphs)
                and h.related
                and doc.line_col(h.related[0].start)[0] == 3 + 2 * k
                for h in check(doc, Options())
            )
        # A sentence of the first paragraph repeated at the end of the last one.
        first = parse(paragraphs[0], "p.txt")
        long_sentences = [
            first.text[s.start : s.end]
            for s in first.sentences
            if len(first.text[s.start : s.end].split()) >= 8
        ]
        if long_sentences:
            sentence = rng.choice(long_sentences)
            edited = [*paragraphs[:-1], paragraphs[-1] + " " + sentence]
            doc = parse(layout(title, edited), "bbc.txt")
            sent_total += 1
            sent_found += any(
                h.kind == "sentence"
                and doc.line_col(h.start)[0] == 3 + 2 * (len(paragraphs) - 1)
                and h.related
                and doc.line_col(h.related[0].start)[0] == 3
                for h in check(doc, Options())
            )
    print(
        f"  planted near-copy paragraphs found (right line and related): {para_found}/{para_total}"
        f" ({figures_changed} of the copies had a figure replaced, which the check treats as other facts)"
    )
    print(f"  planted repeated sentences found (right line and related):   {sent_found}/{sent_total}")


def generated_document(paragraphs: int, seed: int = 1) -> tuple[str, int]:
    """Paragraphs of 30-120 words from a Zipf-like vocabulary; about 1% are near copies."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = [letters[i % 26] + letters[i // 26 % 26] + letters[i // 676 % 26] for i in range(17_576)]
    weights = [1 / (i + 1) for i in range(len(vocabulary))]
    out: list[str] = []
    copies = 0
    for i in range(paragraphs):
        if i > 10 and rng.random() < 0.01:
            words = rng.choice(out).split()
            words[rng.randrange(len(words))] = "changed"
            copies += 1
        else:
            words = rng.choices(vocabulary, weights, k=rng.randint(30, 120))
        out.append(" ".join(words))
    return "\n\n".join(out) + "\n", copies


def speed() -> None:
    print("(c) speed on generated documents: median of 3 runs of the check (CPU and wall clock);")
    print("    parsing the document (qualitybot.document.parse) is timed apart")
    previous = None
    for size in (500, 5_000, 20_000):
        text, planted = generated_document(size)
        started = time.perf_counter()
        doc = parse(text, "generated.txt")
        parse_seconds = time.perf_counter() - started
        cpu, wall, found = [], [], 0
        for _ in range(3):
            started, started_cpu = time.perf_counter(), time.process_time()
            found = sum(h.kind == "paragraph" for h in check(doc, Options()))
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started)
        seconds = statistics.median(cpu)
        growth = (
            f"  (x{seconds / previous[1]:.1f} CPU for x{size / previous[0]:g} paragraphs)" if previous else ""
        )
        print(
            f"  {size:>6} paragraphs ({len(text.split()):>9,} words): check CPU {seconds:6.2f} s, "
            f"wall {statistics.median(wall):6.2f} s, parse {parse_seconds:5.2f} s; "
            f"{found} paragraph findings for {planted} planted copies{growth}"
        )
        previous = (size, seconds)


def main() -> int:
    parts = sys.argv[1:] or ["alarms", "bbc", "speed"]
    if {"alarms", "bbc"} & set(parts) and not EVAL.is_dir():
        print(f"skipping (a) and (b): {EVAL} not found (run from the repository root next to ../shared)")
        parts = [p for p in parts if p == "speed"]
    if "alarms" in parts:
        false_alarms()
    if "bbc" in parts:
        bbc_findings(bbc_articles())
    if "speed" in parts:
        speed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
