"""Whole-gate speed against Harper alone, cold start, and memory over batch size.

Reads the edited BBC news in ../shared/eval/bbc_news.jsonl and prints, in one run:

- articles per second and ms per 1,000 words for the whole gate (default profile,
  one process) and for Harper alone on the same texts, and their ratio;
- cold start: wall time of ``qualitybot check`` on one article in a new process,
  against a new process that imports Harper, builds its linter and lints the article;
- peak memory (max RSS) of ``qualitybot check --jobs 1`` over 100, 400 and all articles;
- batch throughput of ``qualitybot check`` on every article with --jobs 1 and the default.

    python benchmarks/gate.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "eval" / "bbc_news.jsonl"
HARPER_ALONE = (
    "import sys, harper; text = open(sys.argv[1], encoding='utf-8').read(); "
    "harper.Linter().lint(text)"
)


def load_articles(limit: int | None) -> list[str]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()]
    return [f"{r['title']}\n\n{r['text']}\n" for r in rows[:limit]]


def in_process(texts: list[str]) -> dict[str, float]:
    import harper

    from qualitybot.config import bundled_profile, load_rules
    from qualitybot.document import parse
    from qualitybot.engine import Engine
    from qualitybot.metrics import words

    engine = Engine(load_rules(bundled_profile("default")))
    linter = harper.Linter()
    engine.check(parse(texts[0], "warmup.txt"))  # engines start once, outside the timing
    n_words = sum(words(t) for t in texts)

    started = time.perf_counter()
    for text in texts:
        linter.lint(text)
    harper_s = time.perf_counter() - started

    started = time.perf_counter()
    for i, text in enumerate(texts):
        engine.check(parse(text, f"{i}.txt"))
    gate_s = time.perf_counter() - started
    return {"words": n_words, "harper_s": harper_s, "gate_s": gate_s}


def wall(cmd: list[str], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def max_rss_mib(cmd: list[str]) -> float:
    """Peak resident memory of one child process, in MiB (Linux reports KiB)."""
    code = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], capture_output=True, text=True, cwd=ROOT)
    return int(out.stdout.strip()) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="use only the first N articles")
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"evaluation data not found: {DATA}", file=sys.stderr)
        return 2
    texts = load_articles(args.limit)
    print(f"{len(texts)} BBC articles, {os.cpu_count()} cores")

    r = in_process(texts)
    per_k = 1000 / r["words"]
    for name, seconds in (("harper alone", r["harper_s"]), ("whole gate", r["gate_s"])):
        print(f"{name:13}: {len(texts) / seconds:7.1f} articles/s  {seconds * per_k * 1000:6.1f} ms/1k words")
    print(f"gate / harper time ratio: {r['gate_s'] / r['harper_s']:.2f} (target <= 1.5)")

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, text in enumerate(texts):
            path = Path(folder) / f"article-{i:04}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        gate_cmd = [sys.executable, "-m", "qualitybot", "check", "--published-at", "2005-06-01"]
        cold_gate = wall([*gate_cmd, paths[0]])
        cold_harper = wall([sys.executable, "-c", HARPER_ALONE, paths[0]])
        print(f"cold start   : gate {cold_gate:.2f} s, harper alone {cold_harper:.2f} s, "
              f"ratio {cold_gate / cold_harper:.2f} (target <= 1.5)")
        for count in sorted({min(100, len(paths)), min(400, len(paths)), len(paths)}):
            rss = max_rss_mib([*gate_cmd, "--jobs", "1", "--format", "json", *paths[:count]])
            print(f"peak memory  : {count:4} articles, --jobs 1: {rss:6.1f} MiB")
        for jobs in ("1", str(os.cpu_count() or 1)):
            seconds = wall([*gate_cmd, "--jobs", jobs, "--format", "json", folder], repeat=1)
            print(f"batch        : {len(paths)} articles, --jobs {jobs}: {len(paths) / seconds:6.1f} articles/s")
    print(f"max RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
