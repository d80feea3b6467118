"""Judgement of the default profile on real text: who fails, and on what (issue #13).

Reads ../shared/eval/ (relative to the repository root) at run time and prints, for
each genre: how many documents fail, how many fail only on the fluency verdict,
and the fluency figures (word-class and word-pair surprise, share of sentences
with a grammar finding, findings per 1,000 words). Sets:

- good prose, which should pass: BBC business and tech, AQUAINT newswire,
  OneStopEnglish at each level, MRPC's news sentences of every section (ten per
  document);
- WMT23 zh-en machine translation, by quartile of the human MQM score, and the
  rank correlation of each figure with the MQM fluency errors;
- JFLEG dev: documents of ten learner sentences (one per paragraph, detokenized)
  and documents of their first human correction;
- spun variants of the BBC articles: each word (a run of letters) is replaced,
  with probability 10% or 20%, by a word drawn uniformly from the running text of
  the *other* BBC articles (the draw keeps its own letters; when the replaced
  word started with a capital, so does the new one); the same for MRPC's
  documents at 10%. Seeded, so reproducible.

    python benchmarks/judgement.py                      # BBC sampled to 150 per category
    python benchmarks/judgement.py --sample 0           # every article (slow)
    python benchmarks/judgement.py --dump /tmp/j.jsonl  # per-document figures
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVAL = ROOT.parent / "shared" / "eval"  # --eval DIR from a worktree elsewhere

from qualitybot.config import bundled_profile, load_rules  # noqa: E402
from qualitybot.document import parse  # noqa: E402
from qualitybot.engine import Engine  # noqa: E402

WORD = re.compile(r"[A-Za-z]+")
FIGURES = (
    "fluency_surprise",
    "fluency_word_surprise",
    "fluency_grammar_share",
    "fluency_findings_per_1000_words",
    "fluency_score",
)

_DETOKENIZE = [
    (re.compile(r" ([.,!?;:%)\]}])"), r"\1"),
    (re.compile(r"([(\[{$]) "), r"\1"),
    (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", re.IGNORECASE), r"\1"),
    (re.compile(r'" (.*?) "'), r'"\1"'),
]


def detokenize(text: str) -> str:
    for pattern, replacement in _DETOKENIZE:
        text = pattern.sub(replacement, text)
    return text.strip()


def load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (EVAL / name).read_text(encoding="utf-8").splitlines()]


Doc = tuple[str, str, date | None]  # id, text, publication date


def spin(text: str, share: float, pool: list[str], rng: random.Random) -> str:
    def replace(match: re.Match[str]) -> str:
        if rng.random() >= share:
            return match.group()
        word = rng.choice(pool)
        return word[0].upper() + word[1:] if match.group()[0].isupper() else word

    return WORD.sub(replace, text)


def datasets(sample: int, seed: int) -> dict[str, list[Doc]]:
    rng = random.Random(seed)
    bbc = load("bbc_news.jsonl")
    sets: dict[str, list[Doc]] = {}
    picked: list[dict[str, Any]] = []
    for category in ("business", "tech"):
        rows = [r for r in bbc if r["category"] == category]
        rows = rng.sample(rows, sample) if 0 < sample < len(rows) else rows
        picked += rows
        sets[f"BBC {category}"] = [(r["id"], f"{r['title']}\n\n{r['text']}\n", date(2005, 6, 1)) for r in rows]
    for r in load("timebank_aquaint.jsonl"):
        sets.setdefault("AQUAINT", []).append((r["id"], r["text"], date.fromisoformat(r["dct"][:10])))
    for r in load("onestop.jsonl"):
        sets.setdefault(f"OneStop {r['level']}", []).append((r["id"], r["text"], None))
    wmt = sorted(load("wmt23_zhen_mqm.jsonl"), key=lambda r: r["mqm"])
    quarter = len(wmt) // 4
    for q in range(4):
        rows = wmt[q * quarter : (q + 1) * quarter if q < 3 else len(wmt)]
        sets[f"WMT MQM Q{q + 1}"] = [(r["id"], r["text"], date(2023, 7, 1)) for r in rows]
    # Edited news from other sections and sources: MRPC's sentences (2004-05 web news of every
    # section), ten distinct ones per document, one per paragraph.
    sentences = list(dict.fromkeys(r["s1"] for r in load("paraphrase_mrpc.jsonl")))
    sets["MRPC sentences"] = [
        (f"mrpc/{i}", "\n\n".join(sentences[i : i + 10]), None) for i in range(0, len(sentences) - 9, 10)
    ]
    jfleg = load("jfleg_dev.jsonl")
    for i in range(0, len(jfleg) - 9, 10):
        rows = jfleg[i : i + 10]
        learner = "\n\n".join(detokenize(r["src"]) for r in rows)
        sets.setdefault("JFLEG learner", []).append((f"jfleg/{i}", learner, None))
        sets.setdefault("JFLEG corrected", []).append(
            (f"jfleg/{i}/ref0", "\n\n".join(detokenize(r["refs"][0]) for r in rows), None)
        )
    for share in (0.1, 0.2):
        spun = []
        for r in picked:
            pool = [w for other in rng.sample(bbc, 20) if other["id"] != r["id"] for w in WORD.findall(other["text"])]
            spun.append((r["id"], spin(f"{r['title']}\n\n{r['text']}\n", share, pool, rng), date(2005, 6, 1)))
        sets[f"BBC spun {share:.0%}"] = spun
    # The same spinning on MRPC's documents (about 190 words each, half a BBC story's length).
    mrpc = sets["MRPC sentences"]
    spun = []
    for doc_id, text, published in mrpc:
        pool = [w for _, other, _ in rng.sample(mrpc, 20) for w in WORD.findall(other)]
        spun.append((doc_id, spin(text, 0.1, pool, rng), published))
    sets["MRPC spun 10%"] = spun
    return sets


def spearman(xs: list[float], ys: list[float]) -> float:
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=values.__getitem__)
        out = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                out[order[k]] = (i + j) / 2
            i = j + 1
        return out

    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return cov / var if var else 0.0


def run(engine: Engine, docs: Iterable[Doc]) -> list[dict[str, Any]]:
    out = []
    for doc_id, text, published in docs:
        report = engine.check(parse(text, f"{doc_id}.txt", published_at=published))
        errors = sorted({f.rule for f in report.findings if f.severity == "error"})
        out.append(
            {
                "id": doc_id,
                "verdict": report.verdict,
                "errors": errors,
                "words": report.metrics.get("words", 0),
                **{k: report.metrics.get(k, 0.0) for k in FIGURES},
                "by_check": dict(Counter(f"{f.check}.{f.severity}" for f in report.findings)),
                "message": next((f.message for f in report.findings if f.check == "fluency"), ""),
            }
        )
    return out


def quantiles(values: list[float]) -> str:
    s = sorted(values)
    return " / ".join(f"{s[min(len(s) - 1, int(len(s) * q))]:.2f}" for q in (0.5, 0.9, 0.98))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=150, help="BBC articles per category (0 = all)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--only", help="run only the sets whose name contains this")
    parser.add_argument("--dump", type=Path, help="write per-document figures as JSON lines")
    parser.add_argument("--eval", type=Path, help="the evaluation data (default ../shared/eval)")
    args = parser.parse_args()
    if args.eval:
        global EVAL
        EVAL = args.eval

    engine = Engine(load_rules(bundled_profile("default")))
    sets = datasets(args.sample, args.seed)
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    print("| set | docs | fail | fail on fluency alone | fail without fluency | surprise p50/p90/p98 "
          "| word surprise p50/p90/p98 | grammar share p50/p90/p98 | findings per 1,000 words p50/p90/p98 |")
    print("| --- | ---: | ---: | ---: | ---: | --- | --- | --- | --- |")
    results: dict[str, list[dict[str, Any]]] = {}
    started = time.perf_counter()
    for name, docs in sets.items():
        if args.only and args.only not in name:
            continue
        rows = results[name] = run(engine, docs)
        n = len(rows)
        fail = sum(r["verdict"] == "fail" for r in rows)
        alone = sum(r["errors"] == ["fluency.broken"] for r in rows)
        without = sum(bool(set(r["errors"]) - {"fluency.broken"}) for r in rows)
        cells = [quantiles([r[k] for r in rows]) for k in FIGURES[:4]]
        print(f"| {name} | {n} | {fail / n:.1%} | {alone / n:.1%} | {without / n:.1%} | " + " | ".join(cells) + " |")
        if dump:
            for r in rows:
                dump.write(json.dumps({"set": name, **r}) + "\n")
        sys.stdout.flush()
    wmt = [r for name, rows in results.items() if name.startswith("WMT") for r in rows]
    if wmt:
        truth = {r["id"]: r for r in load("wmt23_zhen_mqm.jsonl")}

        def fluency_errors(row: dict[str, Any]) -> float:
            cats = truth[row["id"]]["categories"]
            return float(sum(v for k, v in cats.items() if k.startswith(("Fluency/", "Style/"))))

        measures: dict[str, Callable[[dict[str, Any]], float]] = {
            "MQM Fluency+Style errors": fluency_errors,
            "MQM score (all categories)": lambda row: float(truth[row["id"]]["mqm"]),
        }
        print("\nWMT23 zh-en, Spearman rank correlation over", len(wmt), "documents:")
        by_source: dict[str, list[dict[str, Any]]] = {}
        for r in wmt:
            by_source.setdefault(truth[r["id"]]["doc"], []).append(r)
        print("| figure | " + " | ".join(f"{m}: all / within a source (mean)" for m in measures) + " |")
        print("| --- | " + " | ".join("---:" for _ in measures) + " |")
        for figure in FIGURES:
            cells = []
            for m in measures.values():
                overall = spearman([r[figure] for r in wmt], [m(r) for r in wmt])
                # The ten systems' translations of one source: same story, different quality.
                within = statistics.fmean(
                    spearman([r[figure] for r in rows], [m(r) for r in rows]) for rows in by_source.values()
                )
                cells.append(f"{overall:.2f} / {within:.2f}")
            print(f"| {figure} | " + " | ".join(cells) + " |")
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
