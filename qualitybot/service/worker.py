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
4. runs the engine; if the check fails (an internal error, a killed or runaway check
   process) it comes back later, and once it has failed the same way
   ``check_attempts`` times it posts a short "could not check" notice with a
   reference id instead of a report and is recorded as failed (a poison event ends
   visibly, never silently);
5. posts or updates the submission's one sticky comment, fenced: only if its lease
   is still its own (renewed for the time posting may take) and no newer revision
   was received or posted meanwhile;
6. records the revision as finished; if the platform is down it comes back later
   with exponential backoff (or after the platform's Retry-After), for as long as it
   takes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from typing import Any, NamedTuple, Protocol

from huey import RedisHuey, SqliteHuey
from huey.api import Huey, TaskWrapper
from huey.consumer import Consumer

from qualitybot.formatters.markdown import MARKER
from qualitybot.platform.http import backoff
from qualitybot.report import DocumentReport, Finding, Report
from qualitybot.service.archiving import archive_submission
from qualitybot.service.checking import Checker, CheckFailed, LaneBusy
from qualitybot.service.events import EventError
from qualitybot.service.logs import current_event
from qualitybot.service.settings import Settings
from qualitybot.service.state import HOST, SCHEDULED, SubmissionState

log = logging.getLogger("qualitybot.worker")

QUEUE_NAME = "qualitybot"
TASK_NAME = "qualitybot.check_submission"
QUEUE_FILENAME = "queue.sqlite3"
LEASE_BUSY_DELAY = 1.0
# How soon a large document comes back when the large-document lane is busy.
LANE_BUSY_DELAY = 2.0
# A retry waiting in the schedule is claimed this much longer than its delay (the
# scheduler ticks once a second and the queue may have a backlog).
SCHEDULED_CLAIM_GRACE = 120.0
# Posting errors other than "the platform is unavailable" (a 4xx) are retried this
# many times, then the event is given up on: marked failed and logged as an error.
MAX_REJECTED_ATTEMPTS = 8


class PlatformUnavailable(Exception):
    """429, 5xx, a timeout or a refused connection: try again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Publisher(Protocol):
    def publish(self, submission_id: str, revision: int, report: Report, body: str | None = None) -> str:
        """Create or update the submission's sticky comment (say which); PlatformUnavailable: retry.

        ``body``: the comment's text, if not the rendered report (the "could not check" notice).
        """


def build_queue(settings: Settings) -> Huey:
    """The task queue: huey on SQLite in the data dir, or on Redis when configured."""
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, results=False)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # The inbox is the fsynced record of acknowledged events; the queue only needs to
    # survive a killed process (which the OS page cache gives), not a power cut.
    return SqliteHuey(QUEUE_NAME, filename=str(settings.data_dir / QUEUE_FILENAME), results=False, fsync=False)


class Processor:
    """The body of the task; one per process, shared by its worker threads."""

    def __init__(self, settings: Settings, state: SubmissionState, publisher: Publisher, checker: Checker) -> None:
        self.settings = settings
        self.state = state
        self.publisher = publisher
        self.checker = checker
        # A lease covers the check; right before posting it is renewed for as long as the
        # adapter may take (three requests, each retried up to its deadline), with room.
        self.lease_ttl = settings.lease_ttl
        self.post_ttl = 3 * settings.ruleset.platform.deadline + 60
        self.task: TaskWrapper | None = None
        self.token = f"{HOST}:{os.getpid()}:worker"  # claims name this process
        self.failed = 0  # events given up on by this process (logged with each one)

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

    def run(
        self,
        delivery_id: str,
        submission_id: str,
        revision: int,
        raw: str,
        attempt: int = 0,
        failure: tuple[str, int] | None = None,
    ) -> None:
        """``failure``: how the check failed so far (signature, times in a row), if it did."""
        ids = {"delivery_id": delivery_id, "submission_id": submission_id, "revision": revision}
        context = current_event.set(ids)
        job = Job(delivery_id, submission_id, revision, raw, attempt, failure)
        try:
            self.state.claim(delivery_id, self.token, self.lease_ttl + self.post_ttl + SCHEDULED_CLAIM_GRACE)
            if self._run(ids, job):
                self.state.unclaim(delivery_id)
        except Exception as exc:  # the shared state (Redis) is away for a moment: come back later
            delay = backoff(attempt, self.settings.retry_base, self.settings.retry_max)
            log.error(f"task failed, retrying: {type(exc).__name__}", extra={**ids, "status": "retry", "delay": delay})
            try:
                self.later(job.next(), delay)
            except Exception:  # the inbox still has it: the reconciler hands it over again
                log.error("cannot reschedule; the inbox keeps the event", extra={**ids, "status": "retry"})
        finally:
            current_event.reset(context)

    def _run(self, ids: dict[str, Any], job: Job) -> bool:
        """Whether the event is finished with (False: it comes back later)."""
        latest = self.state.latest_received(job.submission_id)
        if latest is not None and latest > job.revision:
            log.info("skipped: a newer revision was received", extra={**ids, "status": "superseded"})
            return True
        lease = self.state.acquire(job.submission_id, self.lease_ttl)
        if lease is None:
            return self.later(job.again(), LEASE_BUSY_DELAY)
        try:
            return self._run_leased(ids, job, lease)
        finally:
            self.state.release(job.submission_id, lease)

    def _run_leased(self, ids: dict[str, Any], job: Job, lease: str) -> bool:
        done = self.state.done(job.submission_id)
        if done is not None and done >= job.revision:
            log.info("skipped: already posted", extra={**ids, "status": "duplicate"})
            return True
        if job.failure is not None and job.failure[1] >= self.settings.check_attempts:
            return self._give_up(ids, job, lease)  # only the notice is left to post
        started = time.monotonic()
        try:
            report = self.checker.check(job.raw)
        except LaneBusy:
            return self.later(job.again(), LANE_BUSY_DELAY)
        except EventError as exc:  # cannot happen for validated events; never retry it
            log.error(f"event cannot be checked: {exc}", extra={**ids, "status": "failed"})
            self.state.set_done(job.submission_id, job.revision)
            return True
        except CheckFailed as exc:
            same = job.failure is not None and job.failure[0] == exc.signature
            times = job.failure[1] + 1 if same and job.failure is not None else 1
            job = job._replace(failure=(exc.signature, times))
            if times >= self.settings.check_attempts:
                log.error(
                    f"check failed {times} times the same way, giving up: {exc.signature}",
                    extra={**ids, "status": "failed", "attempt": job.attempt + 1},
                )
                return self._give_up(ids, job, lease)
            delay = backoff(job.attempt, self.settings.retry_base, self.settings.retry_max)
            log.error(
                f"check failed, retrying: {exc.signature}",
                extra={**ids, "status": "retry", "attempt": job.attempt + 1, "delay": delay},
            )
            return self.later(job.next(), delay)
        outcome = self._post(ids, job, lease, report)
        if outcome is None:
            return True
        if outcome in ("retry", "stale"):
            return False
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

    def _give_up(self, ids: dict[str, Any], job: Job, lease: str) -> bool:
        """Post the short "could not check" comment, and record the event as failed."""
        reference = reference_for(job.delivery_id)
        report, body = could_not_check(job.submission_id, job.revision, reference)
        outcome = self._post(ids, job, lease, report, body)
        if outcome is None:
            return True
        if outcome in ("retry", "stale"):
            return False
        self.state.set_failed(job.delivery_id, reference)
        self.failed += 1
        log.error(
            f"could not check; posted a notice ({outcome}) with reference {reference}",
            extra={**ids, "status": "failed", "reason": (job.failure or ("", 0))[0], "failed": self.failed},
        )
        return True

    def _post(self, ids: dict[str, Any], job: Job, lease: str, report: Report, body: str | None = None) -> str | None:
        """Post, fenced: "created"/"updated"; "retry" or "stale" (it comes back later); None: done without posting."""
        submission_id, revision = job.submission_id, job.revision
        # The fence: only a worker that still holds its lease may post, and only a revision
        # that nothing newer has superseded. Renewed, the lease outlasts the posting.
        if not self.state.renew(submission_id, lease, self.post_ttl):
            log.warning("not posted: the lease was taken over during the check", extra={**ids, "status": "stale"})
            self.later(job.again(), LEASE_BUSY_DELAY)
            return "stale"
        latest, done = self.state.latest_received(submission_id), self.state.done(submission_id)
        if (latest is not None and latest > revision) or (done is not None and done >= revision):
            log.info("not posted: a newer revision was received meanwhile", extra={**ids, "status": "superseded"})
            return None
        try:
            outcome = self.publisher.publish(submission_id, revision, report, body)
        except PlatformUnavailable as exc:
            delay = backoff(job.attempt, self.settings.retry_base, self.settings.retry_max, exc.retry_after)
            log.warning(
                f"platform unavailable, retrying: {exc}",
                extra={**ids, "status": "retry", "attempt": job.attempt + 1, "delay": delay},
            )
            self.later(job.next(), delay)
            return "retry"
        except Exception as exc:
            reason = redacted(exc)
            if job.attempt + 1 >= MAX_REJECTED_ATTEMPTS:
                reference = reference_for(job.delivery_id)
                self.state.set_failed(job.delivery_id, reference)
                self.state.set_done(submission_id, revision)
                self.failed += 1
                log.error(
                    f"giving up after {job.attempt + 1} attempts: {reason}; reference {reference}",
                    extra={**ids, "status": "failed", "attempt": job.attempt + 1, "failed": self.failed},
                )
                return None
            delay = backoff(job.attempt, self.settings.retry_base, self.settings.retry_max)
            log.error(
                f"posting failed, retrying: {reason}",
                extra={**ids, "status": "retry", "attempt": job.attempt + 1, "delay": delay},
            )
            self.later(job.next(), delay)
            return "retry"
        if body is None:  # a checked submission joins the archive; before done: a kill -9 here re-runs the event
            archive_submission(self.settings.ruleset, job.raw)
        self.state.set_done(submission_id, revision)
        return outcome


class Job(NamedTuple):
    """A task's arguments (positional, as huey stores them)."""

    delivery_id: str
    submission_id: str
    revision: int
    raw: str
    attempt: int
    failure: tuple[str, int] | None

    def again(self) -> tuple[Any, ...]:
        """The same attempt, later (waiting for a lease or a lane is not a failure)."""
        return tuple(self)

    def next(self) -> tuple[Any, ...]:
        return tuple(self._replace(attempt=self.attempt + 1))


def reference_for(delivery_id: str) -> str:
    """A short id for a failed event, the same in its comment and in the log."""
    return "qb-" + hashlib.sha256(delivery_id.encode("utf-8")).hexdigest()[:12]


def could_not_check(submission_id: str, revision: int, reference: str) -> tuple[Report, str]:
    """The notice posted instead of a report. Its verdict fails: a submission that
    crashes the gate must not pass it."""
    finding = Finding(
        check="qualitybot",
        rule="qualitybot.could-not-check",
        severity="error",
        message=f"qualitybot could not check this revision (reference {reference})",
        line=1,
        column=1,
        end_line=1,
        end_column=1,
        excerpt="",
    )
    report = Report([DocumentReport(f"{submission_id} (revision {revision})", [finding])])
    body = (
        f"{MARKER}\n\n**qualitybot could not check revision {revision} of this submission.** "
        f"The check stopped with an internal error; the operator can look it up with reference "
        f"`{reference}`. A new revision is checked as usual.\n"
    )
    return report, body


def redacted(exc: BaseException) -> str:
    """What to log about an unexpected error: platform errors are already scrubbed of
    secrets; anything else is named by its type only (its text might hold a header)."""
    from qualitybot.platform import PlatformError

    if isinstance(exc, PlatformError):
        return exc.message
    return type(exc).__name__


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
