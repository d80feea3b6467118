"""How fast are the report formats, how much of a huge report fits a comment, what does posting cost?

1. Renders synthetic reports of growing size in every format: time (best of 3)
   and output size; for Markdown, how many findings the 65,000-character
   comment keeps.
2. Posts reports to the platform simulator (a real HTTP server on loopback):
   latency of a create and of an update (list + write), and the time a post
   takes when the platform first fails (500, then a read timeout) and is retried.

    python benchmarks/reports.py
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.platform_sim

from qualitybot.config import PlatformConfig
from qualitybot.formatters import renderer
from qualitybot.platform import post_report
from qualitybot.report import DocumentReport, Finding, Report
from tests.platform_sim import Fault, PlatformSimulator

FORMATS = ("markdown", "sarif", "junit", "github", "gitlab", "json")
SIZES = [(1, 100), (1, 10_000), (500, 20)]  # (documents, findings per document)
TOKEN = "bench-token"


def synthetic(documents: int, findings: int) -> Report:
    severities = ("error", "warning", "info")
    docs = []
    for d in range(documents):
        items = [
            Finding(
                check="quotes",
                rule=f"quotes.kind-{n % 7}",
                severity=severities[n % 3],  # type: ignore[arg-type]
                message=f"Closing quote detached by a space (finding {n})",
                line=n + 1,
                column=12,
                end_line=n + 1,
                end_column=15,
                excerpt='...said the minister on Monday. "We will not allow this to continue ".',
            )
            for n in range(findings)
        ]
        docs.append(DocumentReport(f"articles/story-{d:04}.md", items, {"words": 800.0, "flesch_reading_ease": 55.2}))
    return Report(docs)


def best_of(runs: int, render: Callable[[Report, bool], str], report: Report) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(runs):
        started = time.perf_counter()
        out = render(report, False)
        best = min(best, time.perf_counter() - started)
    return best, out


def rendering() -> None:
    print("## Rendering (best of 3)\n")
    print("| documents x findings | format | time | output |")
    print("| --- | --- | ---: | ---: |")
    for documents, findings in SIZES:
        report = synthetic(documents, findings)
        for fmt in FORMATS:
            seconds, out = best_of(3, renderer(fmt), report)
            size = f"{len(out):,} chars"
            if fmt == "markdown":
                shown = len(re.findall(r"^\| \d+:\d+ \|", out, re.M))
                size += f", {shown:,} of {documents * findings:,} findings shown"
            print(f"| {documents} x {findings:,} | {fmt} | {seconds * 1000:,.1f} ms | {size} |")
    print()


def posting() -> None:
    print("## Posting to the simulator (loopback)\n")
    report = synthetic(1, 30)
    with PlatformSimulator(token=TOKEN) as sim:
        env = {"QUALITYBOT_PLATFORM_TOKEN": TOKEN}
        config = PlatformConfig(api=sim.url, backoff=0.05, max_backoff=0.2, read_timeout=0.5, deadline=10)
        creates, updates = [], []
        for n in range(50):
            started = time.perf_counter()
            post_report(report, f"sub_{n}", 1, config, environ=env)
            creates.append(time.perf_counter() - started)
            started = time.perf_counter()
            post_report(report, f"sub_{n}", 2, config, environ=env)
            updates.append(time.perf_counter() - started)
        duplicates = sum(len(thread) - 1 for thread in sim.comments.values())
        print("| what | median | p95 |")
        print("| --- | ---: | ---: |")
        for name, values in (("create (GET + POST)", creates), ("update (GET + PATCH)", updates)):
            p95 = statistics.quantiles(values, n=20)[-1]
            print(f"| {name}, 50 submissions | {statistics.median(values) * 1000:.1f} ms | {p95 * 1000:.1f} ms |")
        print(f"\nComments per submission after 100 posts: 1 (duplicates: {duplicates})\n")
        print("| platform misbehaves | attempts | total time | comments |")
        print("| --- | ---: | ---: | ---: |")
        scenarios = {
            "500 once (backoff 0.05 s)": [Fault(status=500)],
            "429 Retry-After: 1": [Fault(status=429, retry_after="1")],
            "no answer once (read timeout 0.5 s)": [Fault(delay=3.0)],
            "POST lost after it landed (timeout)": [Fault(method="POST", after_processing=True, delay=3.0)],
        }
        for i, (name, faults) in enumerate(scenarios.items()):
            sim.fail(*faults)
            before = len(sim.requests)
            started = time.perf_counter()
            post_report(report, f"retry_{i}", 1, config, environ=env)
            elapsed = time.perf_counter() - started
            attempts = len(sim.requests) - before
            print(f"| {name} | {attempts} requests | {elapsed:.2f} s | {len(sim.comments[f'retry_{i}'])} |")
        sim.fail(*[Fault(status=503)] * 100)
        started = time.perf_counter()
        try:
            post_report(
                report,
                "down",
                1,
                PlatformConfig(api=sim.url, backoff=0.1, max_backoff=1, deadline=3, max_attempts=100),
                environ=env,
            )
        except Exception as exc:  # the point: it gives up, in bounded time
            print(
                f"\nPlatform down (503 forever), deadline 3 s: gave up after {time.perf_counter() - started:.2f} s: "
                f"{str(exc)[-60:]}"
            )


def main() -> int:
    rendering()
    posting()
    return 0


if __name__ == "__main__":
    sys.exit(main())
