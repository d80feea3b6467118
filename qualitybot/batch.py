"""Checking many documents: one engine per worker process, results in input order.

Each worker loads the rules and builds the engine once (Harper and other engines
start once per process, not once per document), then reads, parses and checks the
paths it is handed. ``Pool.imap`` streams results back in input order, so the
report is the same whatever the number of jobs.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from qualitybot.budget import TimeBudget
from qualitybot.config import ArchiveConfig, load_rules
from qualitybot.document import parse
from qualitybot.engine import Engine
from qualitybot.report import DocumentReport
from qualitybot.sources import InputError, read


@dataclass(frozen=True)
class Job:
    """What every worker needs to check a document, whatever the path."""

    rules_file: Path
    published_at: date | None
    max_bytes: int
    stdin_filename: str | None = None  # the name reports give a document read from stdin
    archive: ArchiveConfig | None = None  # --archive: instead of the rules file's archive
    time_budget: TimeBudget | None = None  # None: the rules file's


@dataclass(frozen=True)
class Outcome:
    """A document's report, or why the document could not be read."""

    path: str
    report: DocumentReport | None = None
    input_error: str | None = None
    front_matter: dict[str, Any] = field(default_factory=dict)  # where --post finds submission_id


_worker_engine: Engine | None = None
_worker_job: Job | None = None


def check_path(engine: Engine, job: Job, path: str) -> Outcome:
    try:
        source = read(path, job.max_bytes)
    except InputError as exc:
        return Outcome(path, input_error=str(exc))
    name = job.stdin_filename if path == "-" and job.stdin_filename else source.path
    doc = parse(source.text, name, published_at=job.published_at, today=date.today())
    return Outcome(path, report=engine.check(doc), front_matter=doc.metadata)


def _init_worker(job: Job) -> None:
    global _worker_engine, _worker_job
    ruleset = load_rules(job.rules_file)
    if job.archive:
        ruleset = dataclasses.replace(ruleset, archive=job.archive)
    _worker_engine, _worker_job = Engine(ruleset, job.time_budget), job


def _check_in_worker(path: str) -> Outcome:
    assert _worker_engine is not None and _worker_job is not None, "worker not initialised"
    return check_path(_worker_engine, _worker_job, path)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def check_all(engine: Engine, job: Job, paths: list[str], jobs: int) -> Iterator[Outcome]:
    """Outcomes in the order of ``paths``; ``jobs`` > 1 spreads them over processes."""
    jobs = max(1, min(jobs, len(paths)))
    if jobs == 1 or "-" in paths:
        for path in paths:
            yield check_path(engine, job, path)
        return
    # fork shares the imported modules and the warmed-up engines (Harper's linter)
    # with every worker; the warm-up thread must be done first, as fork copies no thread.
    engine.wait_warm_up()
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_init_worker, initargs=(job,)) as pool:
        yield from pool.imap(_check_in_worker, paths, chunksize=1)
