"""How many articles of real, edited news get a quotes finding, per kind and severity.

Run from the repository root: ``python benchmarks/quotes.py [--show N]``. It reads
``../shared/eval/`` (not part of the project) and skips a set that is absent.
Edited news should get (close to) no finding at error severity.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from qualitybot.checks import registry
from qualitybot.checks.quotes import KINDS, Options, check
from qualitybot.document import parse

EVAL = Path("..") / "shared" / "eval"
# (file, what it is, how to rebuild the article as a file)
SETS = (
    ("bbc_news.jsonl", "BBC News 2004-05, straight quotes, merged paragraphs"),
    ("timebank_aquaint.jsonl", "AQUAINT newswire 1998, ``LaTeX'' quotes"),
    ("onestop.jsonl", "OneStopEnglish (Guardian), curly quotes, three levels"),
)


def articles(path: Path) -> Iterator[tuple[str, str]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            title = record.get("title")
            # The layout of the original files: title, a blank line, the paragraphs.
            text = (title + "\n\n" if title else "") + record["text"] + "\n"
            yield record["id"], text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print up to N findings per set")
    args = parser.parse_args()
    severities = dict(KINDS)
    options = Options()
    assert "quotes" in registry()
    found_any = False
    for name, what in SETS:
        path = EVAL / name
        if not path.exists():
            print(f"{name}: skipped, {path} not found (run from the repository root)")
            continue
        found_any = True
        documents = 0
        flagged: collections.Counter[str] = collections.Counter()
        hits_per_kind: collections.Counter[str] = collections.Counter()
        shown = 0
        started = time.perf_counter()
        for article_id, text in articles(path):
            documents += 1
            doc = parse(text, article_id + ".txt")
            hits = list(check(doc, options))
            kinds = {h.kind for h in hits}
            for kind in kinds:
                flagged["kind:" + kind] += 1
            for severity in {severities[k] for k in kinds}:
                flagged["severity:" + severity] += 1
            if hits:
                flagged["any"] += 1
            hits_per_kind.update(h.kind for h in hits)
            for hit in hits:
                if shown < args.show:
                    shown += 1
                    line, column = doc.line_col(hit.start)
                    context = text[max(0, hit.start - 50) : hit.end + 30].replace("\n", "⏎")
                    print(f"  {article_id}:{line}:{column} {hit.kind}: {context}")
        elapsed = time.perf_counter() - started
        print(f"{name}: {what}")
        print(f"  documents: {documents}; with any quotes finding: {flagged['any']}; "
              f"{elapsed:.1f} s ({1000 * elapsed / max(documents, 1):.1f} ms per document)")
        for severity in ("error", "warning", "info"):
            print(f"  at {severity} severity: {flagged['severity:' + severity]} documents")
        for kind, severity in KINDS.items():
            print(f"  quotes.{kind} ({severity}): {flagged['kind:' + kind]} documents, "
                  f"{hits_per_kind[kind]} findings")
    if not found_any:
        print("no evaluation data found; nothing measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
