"""Durable work: a huey task queue, and the task that checks a submission and posts the report.

The queue is SQLite in the data dir by default (no server needed; workers are
threads of ``qualitybot serve`` or ``qualitybot worker`` processes on the same
machine) or Redis when ``QUALITYBOT_REDIS_URL`` / ``--redis`` is set (workers on
any number of machines share it).

One task per acknowledged event. A task:

1. skips its revision if a newer one of the same submission was received (the
   newer event's task will post it);
2. takes the submission's lease, or comes back in a second if another worker has it
   (so revisions of one submission never race);
3. skips if this revision (or a newer one) is already finished;
4. runs the engine and posts or updates the submission's one sticky comment;
5. records the revision as finished; if the platform is down it comes back later
   with exponential backoff (or after the platform's Retry-After), for as long as it
   takes.
"""

from __future__ import annotations

import logging
import os
import random
import time
from typing import Any, Protocol

from huey import RedisHuey, SqliteHuey
from huey.api import Huey, TaskWrapper
from huey.consumer import Consumer

from qualitybot.report import Report
from qualitybot.service.archiving import archive_submission
from qualitybot.service.checking import Checker
from qualitybot.service.events import EventError
from qualitybot.service.logs import current_event
from qualitybot.service.settings import Settings
from qualitybot.service.state import HOST, SCHEDULED, SubmissionState

log = logging.getLogger("qualitybot.worker")

QUEUE_NAME = "qualitybot"
TASK_NAME = "qualitybot.check_submission"
QUEUE_FILENAME = "queue.sqlite3"
LEASE_BUSY_DELAY = 1.0
# A retry waiting in the schedule is claimed this much longer than its delay (the
# scheduler ticks once a second and the queue may have a backlog).
SCHEDULED_CLAIM_GRACE = 120.0
# Errors other than "the platform is unavailable" (a 4xx, a bad report) are retried
# this many times, then the event is given up on and logged as an error.
MAX_REJECTED_ATTEMPTS = 8


class PlatformUnavailable(Exception):
    """429, 5xx, a timeout or a refused connection: try again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Publisher(Protocol):
    def publish(self, submission_id: str, revision: int, report: Report) -> str:
        """Create or update the submission's sticky comment (say which); PlatformUnavailable: retry."""


def build_queue(settings: Settings) -> Huey:
    """The task queue: huey on SQLite in the data dir, or on Redis when configured."""
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # The inbox is the fsynced record of acknowledged events; the queue only needs to
    # survive a killed process (which the OS page cache gives), not a power cut.
    return SqliteHuey(QUEUE_NAME, filename=str(settings.data_dir / QUEUE_FILENAME), results=False, fsync=False)


def backoff(attempt: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter, never shorter than the platform's Retry-After."""
    delay = min(cap, base * (2**attempt)) * random.uniform(0.8, 1.2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return float(round(max(delay, 0.0), 3))


class Processor:
    """The body of the task; one per process, shared by its worker threads."""

    def __init__(self, settings: Settings, state: SubmissionState, publisher: Publisher, checker: Checker) -> None:
        self.settings = settings
        self.state = state
        self.publisher = publisher
        self.checker = checker
        # The adapter may retry a request for up to its deadline while holding the lease;
        # the lease must outlast that, or a second worker could post alongside.
        self.lease_ttl = max(settings.lease_ttl, settings.ruleset.platform.deadline + 60)
        self.task: TaskWrapper | None = None
        self.token = f"{HOST}:{os.getpid()}:worker"  # claims name this process

    def warm_up(self) -> None:
        """Build the engine and run it once, so the first event is not slowed by loading."""
        started = time.monotonic()
        self.checker.warm_up()
        log.info("engine ready", extra={"duration_ms": round((time.monotonic() - started) * 1000, 1)})

    def later(self, args: tuple[Any, ...], delay: float) -> bool:
        """Run the task again in ``delay`` seconds; False (not finished) for the caller to return."""
        assert self.task is not None
        self.state.claim(args[0], SCHEDULED, delay + SCHEDULED_CLAIM_GRACE)
        self.task.schedule(args=args, delay=delay)
        return False

    def run(self, delivery_id: str, submission_id: str, revision: int, raw: str, attempt: int = 0) -> None:
        ids = {"delivery_id": delivery_id, "submission_id": submission_id, "revision": revision}
        context = current_event.set(ids)
        try:
            self.state.claim(delivery_id, self.token, self.lease_ttl)
            if self._run(ids, raw, attempt):
                self.state.unclaim(delivery_id)
        except Exception as exc:  # the shared state (Redis) is away for a moment: come back later
            delay = backoff(attempt, self.settings.retry_base, self.settings.retry_max)
            log.error(f"task failed, retrying: {exc!r}", extra={**ids, "status": "retry", "delay": delay})
            try:
                self.later((delivery_id, submission_id, revision, raw, attempt + 1), delay)
            except Exception:  # the inbox still has it: the reconciler hands it over again
                log.error("cannot reschedule; the inbox keeps the event", extra={**ids, "status": "retry"})
        finally:
            current_event.reset(context)

    def _run(self, ids: dict[str, Any], raw: str, attempt: int) -> bool:
        """Whether the event is finished with (False: it comes back later)."""
        delivery_id, submission_id, revision = ids["delivery_id"], ids["submission_id"], ids["revision"]
        latest = self.state.latest_received(submission_id)
        if latest is not None and latest > revision:
            log.info("skipped: a newer revision was received", extra={**ids, "status": "superseded"})
            return True
        token = self.state.acquire(submission_id, self.lease_ttl)
        if token is None:
            return self.later((delivery_id, submission_id, revision, raw, attempt), LEASE_BUSY_DELAY)
        try:
            return self._run_leased(ids, raw, attempt)
        finally:
            self.state.release(submission_id, token)

    def _run_leased(self, ids: dict[str, Any], raw: str, attempt: int) -> bool:
        submission_id, revision = ids["submission_id"], ids["revision"]
        done = self.state.done(submission_id)
        if done is not None and done >= revision:
            log.info("skipped: already posted", extra={**ids, "status": "duplicate"})
            return True
        started = time.monotonic()
        args = (ids["delivery_id"], submission_id, revision, raw, attempt + 1)
        try:
            report = self.checker.check(raw)
            outcome = self.publisher.publish(submission_id, revision, report)
            archive_submission(self.settings.ruleset, raw)  # before done: a kill -9 here re-runs the event
        except PlatformUnavailable as exc:
            delay = backoff(attempt, self.settings.retry_base, self.settings.retry_max, exc.retry_after)
            log.warning(
                f"platform unavailable, retrying: {exc}",
                extra={**ids, "status": "retry", "attempt": attempt + 1, "delay": delay},
            )
            return self.later(args, delay)
        except EventError as exc:  # cannot happen for validated events; never retry it
            log.error(f"event cannot be checked: {exc}", extra={**ids, "status": "failed"})
            self.state.set_done(submission_id, revision)
            return True
        except Exception as exc:
            if attempt + 1 >= MAX_REJECTED_ATTEMPTS:
                log.error(
                    f"giving up after {attempt + 1} attempts: {exc!r}",
                    extra={**ids, "status": "failed", "attempt": attempt + 1},
                )
                self.state.set_done(submission_id, revision)
                return True
            delay = backoff(attempt, self.settings.retry_base, self.settings.retry_max)
            log.error(
                f"posting failed, retrying: {exc!r}",
                extra={**ids, "status": "retry", "attempt": attempt + 1, "delay": delay},
            )
            return self.later(args, delay)
        self.state.set_done(submission_id, revision)
        log.info(
            f"posted ({outcome})",
            extra={
                **ids,
                "status": "posted",
                "verdict": report.verdict,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return True


def register(huey: Huey, processor: Processor) -> TaskWrapper:
    task: TaskWrapper = huey.task(name=TASK_NAME)(processor.run)
    processor.task = task
    return task


class EmbeddedConsumer(Consumer):  # type: ignore[misc]  # huey is untyped
    """huey's consumer as threads inside ``qualitybot serve``: uvicorn owns the signals."""

    def _set_signal_handlers(self) -> None:
        pass


def consumer(huey: Huey, workers: int, embedded: bool) -> Consumer:
    cls = EmbeddedConsumer if embedded else Consumer
    # Poll an idle queue at least every half second so a backlog starts promptly.
    return cls(
        huey,
        workers=workers,
        worker_type="thread",
        periodic=False,
        initial_delay=0.05,
        backoff=1.5,
        max_delay=0.5,
        check_worker_health=not embedded,
        shutdown_timeout=10,
    )
