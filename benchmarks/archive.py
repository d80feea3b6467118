"""Benchmark of the archive of earlier articles: recall on spun copies, false alarms, scale.

Run from the repository root::

    python benchmarks/archive.py recall             # needs ../shared/eval (read at run time, never copied)
    python benchmarks/archive.py scale              # synthetic articles only: 10,000 ... 100,000
    python benchmarks/archive.py scale --sizes 1000,10000 --redis redis://127.0.0.1:6379/0

recall: 1,000 articles are archived (edited BBC news, then the other news sets
    of ../shared/eval, then synthetic articles to make up the number); copies of
    100 archived BBC articles are spun (sentences reordered within paragraphs, a
    fifth of the sentences dropped, 0/10/20/30% of the words replaced by other
    words of the corpus) and checked against the archive; 100 BBC articles that
    are not archived are checked too. Near-duplicate BBC articles (the set holds
    the same story twice, reworded) are first grouped and one kept per group, so
    that "not archived" means no copy is archived. For shingles of 2 and 3 words
    it prints, per share threshold, how many spun copies are found with the right
    earlier document and how many unarchived articles are called copies; then the
    share of MRPC sentence pairs (paraphrases and not) above the paragraph threshold.
scale: fills an archive with synthetic articles (about 450 words, 6 paragraphs)
    and reports, at each size, the time to add, the time to query one article
    (spun copies and new articles), disk (SQLite) or Redis memory, and this
    process's peak memory.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import qualitybot.archive as archive_module
from qualitybot.archive import Archive, RedisStore, SqliteStore, decode, encode, fingerprint, shingles_of
from qualitybot.document import parse

# Relative to the repository root; QUALITYBOT_EVAL names it elsewhere (a worktree in another folder).
EVAL = Path(os.environ.get("QUALITYBOT_EVAL", "../shared/eval"))
_WORD = re.compile(r"\w+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


def records(name: str) -> Iterator[dict[str, Any]]:
    with (EVAL / name).open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def spin(text: str, replace: float, vocabulary: list[str], rng: random.Random) -> str:
    """Sentences reordered within paragraphs, a fifth of all sentences dropped, words replaced."""
    paragraphs = [_SENTENCE.split(p.strip()) for p in text.split("\n\n") if p.strip()]
    places = [(i, j) for i, sentences in enumerate(paragraphs) for j in range(len(sentences))]
    dropped = set(rng.sample(places, len(places) // 5))
    out = []
    for i, sentences in enumerate(paragraphs):
        kept = [s for j, s in enumerate(sentences) if (i, j) not in dropped]
        if not kept:
            continue
        rng.shuffle(kept)
        body = " ".join(kept)
        out.append(_WORD.sub(lambda m: rng.choice(vocabulary) if rng.random() < replace else m.group(0), body))
    return "\n\n".join(out) + "\n"


class Synthetic:
    """Articles from a Zipf-distributed vocabulary: sentences of 12-28 words, 4 a paragraph, 6 paragraphs.

    ``article(i)`` is the same text for the same seed and index in every process.
    """

    def __init__(self, seed: int, words: int = 20000) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        syllables = ["ka", "lo", "mi", "ren", "tu", "sa", "vel", "or", "in", "dra", "pe", "qua", "sto", "li", "mon"]
        vocab = set()
        while len(vocab) < words:
            vocab.add("".join(self.rng.choice(syllables) for _ in range(self.rng.randint(1, 4))))
        self.vocabulary = sorted(vocab)
        self.rng.shuffle(self.vocabulary)
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.vocabulary))))

    def article(self, index: int | None = None) -> str:
        rng = self.rng if index is None else random.Random(self.seed * 10_000_019 + index)
        paragraphs = []
        for _ in range(6):
            sentences = []
            for _ in range(4):
                words = rng.choices(self.vocabulary, cum_weights=self.cumulative, k=rng.randint(12, 28))
                sentences.append(" ".join(words).capitalize() + ".")
            paragraphs.append(" ".join(sentences))
        return "\n\n".join(paragraphs) + "\n"


# --- recall ---------------------------------------------------------------------


def bbc_without_near_duplicates() -> tuple[list[dict[str, Any]], int]:
    """BBC articles, one per group of near-duplicates (half of either's word pairs in the other)."""
    articles = list(records("bbc_news.jsonl"))
    sets = [shingles_of_text(a["text"], 2) for a in articles]
    index: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for h in s:
            index[h].append(i)
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, s in enumerate(sets):
        shared: dict[int, int] = defaultdict(int)
        for h in s:
            for j in index[h]:
                if j > i:
                    shared[j] += 1
        for j, n in shared.items():
            if n >= 0.5 * min(len(s), len(sets[j])):
                parent[root(j)] = root(i)
    kept = [a for i, a in enumerate(articles) if root(i) == i]
    return kept, len(articles) - len(kept)


def shingles_of_text(text: str, width: int) -> set[int]:
    words = [w.casefold() for w in _WORD.findall(text)]
    saved = archive_module.SHINGLE_WORDS
    archive_module.SHINGLE_WORDS = width
    try:
        return shingles_of(words)
    finally:
        archive_module.SHINGLE_WORDS = saved


def recall(seed: int) -> None:
    if not EVAL.is_dir():
        sys.exit(f"{EVAL} not found: run from the repository root, next to ../shared")
    rng = random.Random(seed)
    bbc, removed = bbc_without_near_duplicates()
    rng.shuffle(bbc)
    held_out, archived_bbc = bbc[:100], bbc[100:]
    others = [r["text"] for r in records("timebank_aquaint.jsonl")]
    others += [r["text"] for r in records("onestop.jsonl") if r["level"] == "adv"]
    others += list({r["doc"]: r["text"] for r in records("wmt23_zhen_mqm.jsonl")}.values())
    archive_texts = [(a["id"], a["title"] + "\n\n" + a["text"] + "\n") for a in archived_bbc]
    archive_texts += [(f"other/{i}", t) for i, t in enumerate(others)]
    synthetic = Synthetic(seed)
    filler = 1000 - len(archive_texts)
    archive_texts += [(f"synthetic/{i}", synthetic.article()) for i in range(max(0, filler))]
    archive_texts = archive_texts[:1000]
    vocabulary = [w for a in archived_bbc for w in _WORD.findall(a["text"])]
    targets = archived_bbc[:100]
    print(f"BBC: {len(bbc) + removed} articles, {removed} dropped as near-duplicates of another; archived "
          f"{len(archive_texts)} documents ({len(archived_bbc)} BBC, {len(others)} other news, "
          f"{max(0, filler)} synthetic); 100 BBC articles held out; seed {seed}")
    spins = {p: [spin(a["text"], p, vocabulary, random.Random(seed * 1000 + i)) for i, a in enumerate(targets)]
             for p in (0.0, 0.1, 0.2, 0.3)}
    thresholds = (0.3, 0.35, 0.4, 0.42, 0.45, 0.5)
    print()
    print("duplicates.archive: spun copies found with the right earlier document / unarchived articles called copies")
    print("| shingle | share | " + " | ".join(f"{int(p * 100)}% replaced" for p in spins) + " | not archived |")
    print("| --- | ---: | " + " | ".join("---:" for _ in spins) + " | ---: |")
    defaults = (archive_module.SHINGLE_WORDS, archive_module.DOCUMENT_SHARE)
    verdicts: list[str] = []
    for width in (2, 3):
        archive_module.SHINGLE_WORDS = width
        archive_module.DOCUMENT_SHARE = 0.0  # report every best candidate; thresholds are applied below
        with tempfile.TemporaryDirectory() as folder:
            store = Archive(SqliteStore(Path(folder)))
            started = time.perf_counter()
            for doc_id, text in archive_texts:
                store.add(doc_id, parse(text, f"{doc_id}.txt"))
            added = time.perf_counter() - started
            best = {p: [_best(store, text) for text in texts] for p, texts in spins.items()}
            negatives = [_best(store, a["title"] + "\n\n" + a["text"] + "\n") for a in held_out]
            if width == defaults[0]:
                archive_module.DOCUMENT_SHARE = defaults[1]
                verdicts = _with_defaults(store, targets, spins[0.2], held_out)
            store.close()
        for threshold in thresholds:
            cells = []
            for found in best.values():
                right = sum(1 for (doc, share), a in zip(found, targets, strict=True)
                            if doc == a["id"] and share >= threshold)
                cells.append(f"{right}%")
            false = sum(1 for _, share in negatives if share >= threshold)
            print(f"| {width} | {threshold:.2f} | " + " | ".join(cells) + f" | {false}% |")
        shares = sorted((s for _, s in negatives), reverse=True)[:5]
        print(f"  ({width}-word shingles: added 1,000 in {added:.1f} s; highest shares of unarchived articles: "
              + ", ".join(f"{s:.2f}" for s in shares) + "; lowest of 20% spun copies: "
              + ", ".join(f"{s:.2f}" for _, s in sorted(best[0.2], key=lambda x: x[1])[:3]) + ")")
    archive_module.SHINGLE_WORDS, archive_module.DOCUMENT_SHARE = defaults
    print()
    print("\n".join(verdicts))
    print()
    print("MRPC sentence pairs (not identical) whose shingles are found in the other at the paragraph share or more")
    pairs = list(records("paraphrase_mrpc.jsonl"))
    print(f"  (pairs whose shorter sentence has at least {archive_module.MIN_PARAGRAPH_WORDS} words, "
          "as a compared paragraph must)")
    for width in (2, 3):
        for label, name in ((1, "paraphrase"), (0, "not paraphrase")):
            shares = []
            for r in pairs:
                short = min(len(_WORD.findall(r["s1"])), len(_WORD.findall(r["s2"])))
                if r["label"] != label or short < archive_module.MIN_PARAGRAPH_WORDS:
                    continue
                a, b = shingles_of_text(r["s1"], width), shingles_of_text(r["s2"], width)
                if a != b and a and b:
                    shares.append(max(len(a & b) / len(a), len(a & b) / len(b)))
            cells = ", ".join(f">={t}: {sum(s >= t for s in shares) / len(shares):.1%}" for t in (0.6, 0.75, 0.85, 0.9))
            print(f"  {width}-word shingles, {name} ({len(shares)} pairs): {cells}")


def _with_defaults(
    store: Archive, targets: list[dict[str, Any]], spun: list[str], held_out: list[dict[str, Any]]
) -> list[str]:
    """The "done when" figures, with the module's own thresholds."""
    right = sum(
        store.compare(parse(text, "q.txt"), "q").copy_of == a["id"] for text, a in zip(spun, targets, strict=True)
    )
    found = [store.compare(parse(a["title"] + "\n\n" + a["text"] + "\n", "q.txt"), "q") for a in held_out]
    return [
        f"With the defaults ({archive_module.SHINGLE_WORDS}-word shingles, document share "
        f"{archive_module.DOCUMENT_SHARE}, paragraph share {archive_module.PARAGRAPH_SHARE}):",
        f"  copies spun with 20% of words replaced, found with the right earlier document: {right} of {len(spun)}",
        f"  unarchived articles with duplicates.archive: {sum(f.copy_of is not None for f in found)} of {len(found)}; "
        f"with duplicates.archive-paragraph: {sum(bool(f.paragraphs) for f in found)} "
        f"({sum(len(f.paragraphs) for f in found)} paragraphs)",
    ]


def _best(store: Archive, text: str) -> tuple[str | None, float]:
    found = store.compare(parse(text, "query.txt"), "query")
    return found.copy_of, found.share


# --- scale ---------------------------------------------------------------------


_pool_synthetic: Synthetic | None = None


def _pool_init(seed: int) -> None:
    global _pool_synthetic
    _pool_synthetic = Synthetic(seed)


def _pool_record(index: int) -> tuple[str, bytes, list[int]]:
    """What ``Archive.add`` stores for synthetic article ``index``, computed in a pool process."""
    assert _pool_synthetic is not None
    fp = fingerprint(parse(_pool_synthetic.article(index), f"a/{index}.txt"))
    return f"a/{index}", encode(fp), fp.bands()


def scale(sizes: list[int], redis_url: str | None, seed: int, queries: int, timed_adds: int, jobs: int) -> None:
    synthetic = Synthetic(seed)
    rng = random.Random(seed)
    folder = tempfile.TemporaryDirectory()
    if redis_url:
        store = Archive(RedisStore(redis_url, prefix=f"bench:{seed}:"))
    else:
        store = Archive(SqliteStore(Path(folder.name)))
    count = 0
    print(f"store: {store.store.location if redis_url else 'sqlite (temporary directory)'}; the archive is filled "
          f"by {jobs} processes computing records, then {timed_adds} articles are added through Archive.add and "
          f"timed; {queries} queries at each size: half spun copies (20% of words), half new articles")
    print("| articles | add ms/article (CPU) | query mean ms (CPU) | query p50 ms | query p95 ms | copies found | "
          "disk / Redis memory | peak RSS |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_pool_init, initargs=(seed,)) as pool:
        for size in sizes:
            fill = range(count, max(count, size - timed_adds))
            for doc_id, record, bands in pool.imap(_pool_record, fill, chunksize=64):
                store.store.put(doc_id, record, bands, lambda old: decode(old).bands())
            count = max(count, size - timed_adds)
            started, cpu = time.perf_counter(), time.process_time()
            first = count
            while count < size:
                store.add(f"a/{count}", parse(synthetic.article(count), f"a/{count}.txt"))
                count += 1
            add_ms = (time.perf_counter() - started) * 1000 / max(1, count - first)
            add_cpu = (time.process_time() - cpu) * 1000 / max(1, count - first)
            times, cpu_times, found = [], [], 0
            for i in range(queries):
                if i % 2 == 0:
                    index = rng.randrange(count)
                    doc_id, query = f"a/{index}", spin(synthetic.article(index), 0.2, synthetic.vocabulary, rng)
                else:
                    doc_id, query = "", synthetic.article()
                doc = parse(query, "query.txt")
                started, cpu = time.perf_counter(), time.process_time()
                result = store.compare(doc, "query")
                times.append((time.perf_counter() - started) * 1000)
                cpu_times.append((time.process_time() - cpu) * 1000)
                found += bool(doc_id) and result.copy_of == doc_id
            stats = store.stats()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            times.sort()
            print(f"| {size:,} | {add_ms:.1f} ({add_cpu:.1f}) | {statistics.mean(times):.1f} "
                  f"({statistics.mean(cpu_times):.1f}) | {times[len(times) // 2]:.1f} | "
                  f"{times[int(0.95 * len(times))]:.1f} | "
                  f"{found}/{queries // 2 + queries % 2} | {stats['bytes'] / 1048576:.0f} MiB | {peak:.0f} MiB |",
                  flush=True)
    store.close()
    folder.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", choices=("recall", "scale"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sizes", default="10000,30000,100000", help="scale: archive sizes to measure at")
    parser.add_argument("--queries", type=int, default=200, help="scale: queries at each size")
    parser.add_argument("--redis", metavar="URL", help="scale: measure the Redis store instead of SQLite")
    parser.add_argument("--timed-adds", type=int, default=500, help="scale: adds timed at each size")
    parser.add_argument("--jobs", type=int, default=2, help="scale: processes computing the filler records")
    args = parser.parse_args()
    if args.part == "recall":
        recall(args.seed)
    else:
        scale([int(s) for s in args.sizes.split(",")], args.redis, args.seed, args.queries, args.timed_adds, args.jobs)


if __name__ == "__main__":
    main()
