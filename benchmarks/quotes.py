"""How many articles of real, edited news get a quotes finding, per kind and severity.

Run from the repository root: ``python benchmarks/quotes.py [--show N]``. It reads
``../shared/eval/`` (not part of the project) and skips a set that is absent.
Edited news should get (close to) no finding at error severity.

Then, for recall, it breaks the quoting of the BBC articles that have no finding,
one defect at a time (a dropped closing mark, a space before a closing mark, an
empty pair, a stray single quote, ...; seeded, reproducible) and counts how often
the check then reports something, and how often at error severity.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import re
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


# Each way of breaking a text: a regex for the places it may apply, and the replacement.
_CLOSING = r'(?<=[\w.,!?])"(?=[\s,.;:!?]|$)'
_OPENING = r'(?:(?<=\s)|^)"(?=\w)'
CORRUPTIONS: dict[str, tuple[str, str]] = {
    "drop a closing mark": (_CLOSING, ""),
    "drop an opening mark": (_OPENING, ""),
    "space before a closing mark": (_CLOSING, ' "'),
    "empty pair after a sentence": (r"(?<=\w\.)(?= [A-Z])", ' " "'),
    "stray mark after a sentence": (r"(?<=\w\.)(?= [A-Z])", ' "'),
    "stray single quote before a name": (r"(?<=[a-z] )(?=[A-Z][a-z]+[ .,])", "'"),
    "curly closing mark used to open": (_OPENING, "”"),
}


def corrupt(text: str, pattern: str, replacement: str, rng: random.Random) -> str | None:
    """The text with one occurrence of ``pattern`` (chosen at random) replaced, or None."""
    places = list(re.finditer(pattern, text, re.MULTILINE))
    if not places:
        return None
    place = rng.choice(places)
    return text[: place.start()] + replacement + text[place.end() :]


def recall(clean: list[tuple[str, str]], options: Options) -> None:
    """How often one injected defect is reported (any kind), and how often at error severity."""
    print(f"recall on injected defects: {len(clean)} BBC articles without any finding, one defect each")
    for name, (pattern, replacement) in CORRUPTIONS.items():
        rng = random.Random(name)
        tried = caught = failed = 0
        for article_id, text in clean:
            broken = corrupt(text, pattern, replacement, rng)
            if broken is None:
                continue
            tried += 1
            kinds = {h.kind for h in check(parse(broken, article_id + ".txt"), options)}
            caught += bool(kinds)
            failed += any(KINDS[k] == "error" for k in kinds)
        print(f"  {name}: {tried} articles, reported {caught} ({100 * caught / max(tried, 1):.1f}%), "
              f"at error severity {failed} ({100 * failed / max(tried, 1):.1f}%)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print up to N findings per set")
    args = parser.parse_args()
    severities = dict(KINDS)
    options = Options()
    assert "quotes" in registry()
    found_any = False
    clean: list[tuple[str, str]] = []
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
            if name == "bbc_news.jsonl" and not hits:
                clean.append((article_id, text))
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
    if clean:
        recall(clean, options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
