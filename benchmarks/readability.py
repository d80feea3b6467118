"""Do the readability metrics order OneStopEnglish's three reading levels correctly?

Each of the 60 texts exists at Elementary, Intermediate and Advanced level. A grade
metric should rise with the level and reading ease should fall. For every metric this
prints the share of triples ordered exactly right, and the share of the 180 level
pairs (ele<int, int<adv, ele<adv) ordered right.

    python benchmarks/readability.py [path/to/onestop.jsonl]
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from qualitybot.document import parse
from qualitybot.metrics import document_metrics

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "onestop.jsonl"
EASE_METRICS = {"flesch_reading_ease"}  # higher = easier; every other metric is a grade


def main() -> int:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    if not data.is_file():
        print(f"evaluation data not found: {data} (pass its path)", file=sys.stderr)
        return 2
    groups: dict[str, dict[int, dict[str, float]]] = defaultdict(dict)
    started = time.perf_counter()
    words = 0
    for line in data.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        metrics = document_metrics(parse(record["text"], f"{record['id']}.txt"))
        words += int(metrics["words"])
        groups[record["group"]][record["level_num"]] = metrics
    elapsed = time.perf_counter() - started
    triples = [g for g in groups.values() if set(g) == {0, 1, 2}]
    names = [k for k in triples[0][0] if k not in ("words", "sentences")]
    print(f"{len(triples)} triples, {words} words, {elapsed:.1f} s ({words / elapsed / 1000:.0f}k words/s)")
    print(f"{'metric':32} {'triples right':>14} {'pairs right':>12}")
    for name in names:
        sign = -1 if name in EASE_METRICS else 1
        right_triples = right_pairs = 0
        for g in triples:
            ele, mid, adv = (sign * g[level][name] for level in (0, 1, 2))
            right_triples += ele < mid < adv
            right_pairs += (ele < mid) + (mid < adv) + (ele < adv)
        print(
            f"{name:32} {right_triples / len(triples):>13.1%} {right_pairs / (3 * len(triples)):>12.1%}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
