"""The dispatcher: everything ``qualitybot serve`` does besides answering webhooks, in a child process.

The server process only verifies, validates and stores each event in the inbox (one
group-committed fsync) and answers; it shares its interpreter lock with nothing else,
so acknowledgements stay fast however busy the rest is. This process, started by the
server below its CPU priority (``nice``), does the rest:

- **feeds** the task queue: events stored but not yet queued are handed over within
  ``FEED_INTERVAL`` seconds, in batches, and marked queued;
- **reconciles** every ``reconcile_interval``: marks finished events done, and hands
  over again what nobody has in hand (see :meth:`Dispatcher.reconcile`); on start-up,
  with the SQLite queue, the queue is rebuilt from the inbox;
- runs the **huey consumer** (``--workers`` threads, checking in the check processes
  of :mod:`.checking` and posting), unless ``--workers 0``.

It dies with the server (Linux's parent-death signal, and a thread watching the
parent elsewhere), and so do its check processes, which die with it. The server's
``/healthz`` reports it dead or not yet started.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from qualitybot.service import logs
from qualitybot.service.checking import Checker, InlineChecker, PoolChecker, die_with_parent
from qualitybot.service.inbox import Inbox, InboxEvent
from qualitybot.service.settings import Settings
from qualitybot.service.state import open_state
from qualitybot.service.worker import Processor, Publisher, build_queue, consumer, register

log = logging.getLogger("qualitybot.service")

# How often stored events are looked for and handed to the queue.
FEED_INTERVAL = 0.05
# Below the server, which must answer at once; the check processes go lower still.
DISPATCHER_NICENESS = 5


@dataclass(frozen=True)
class DispatcherArgs:
    """What the child needs to rebuild the settings (the environment is inherited)."""

    rules: str
    data_dir: str
    redis: str | None
    workers: int
    check_processes: int
    log_level: str

    @classmethod
    def of(cls, settings: Settings, log_level: str) -> DispatcherArgs:
        return cls(
            str(settings.rules_path),
            str(settings.data_dir),
            settings.redis_url,
            settings.workers,
            settings.check_processes,
            log_level,
        )


class Dispatcher:
    def __init__(self, settings: Settings, publisher: Publisher) -> None:
        self.settings = settings
        self.inbox = Inbox(settings.data_dir, fsync=False)  # it only marks events
        self.state = open_state(settings.data_dir, settings.redis_url)
        self.huey = build_queue(settings)
        self.checker: Checker = (
            PoolChecker(
                settings.rules_path,
                settings.check_processes,
                memory_mib=settings.check_memory,
                timeout=settings.check_timeout,
                large_document=settings.large_document,
            )
            if settings.check_processes
            else InlineChecker(settings.ruleset)
        )
        self.processor = Processor(settings, self.state, publisher, self.checker)
        self.task = register(self.huey, self.processor)
        self.consumer: Any = None

    def start(self) -> None:
        freed = self.state.free_dead_leases()
        single_machine = self.settings.redis_url is None
        if single_machine:
            # Every task in the queue stems from an inbox row not yet done, so the queue is
            # rebuilt from the inbox: tasks that a killed worker had taken are back, exactly once.
            self.huey.flush()
        # With Redis the queue is shared and kept: only what nobody has in hand is handed over.
        requeued = self.reconcile(everything=single_machine)
        log.info(
            "started",
            extra={
                "queue": self.settings.queue_kind,
                "workers": self.settings.workers,
                "requeued": requeued,
                "freed": freed,
            },
        )
        if self.settings.workers:
            threading.Thread(target=self._warm_up, name="warm-up", daemon=True).start()
            self.consumer = consumer(self.huey, self.settings.workers, embedded=True)
            self.consumer.start()

    def run(self, stopping: threading.Event) -> None:
        """Feed and reconcile until ``stopping`` is set."""
        last_reconcile = last_prune = time.monotonic()
        while not stopping.wait(FEED_INTERVAL):
            try:
                self.feed()
                if time.monotonic() - last_reconcile >= self.settings.reconcile_interval:
                    last_reconcile = time.monotonic()
                    self.reconcile()
                if time.monotonic() - last_prune > 3600:
                    last_prune = time.monotonic()
                    self.inbox.prune(self.settings.retention)
            except Exception as exc:  # Redis away for a moment: try again after a pause
                log.error(f"dispatching failed, will retry: {exc!r}")
                stopping.wait(self.settings.reconcile_interval)

    def stop(self) -> None:
        if self.consumer is not None:
            self.consumer.stop(graceful=True)
        self.checker.close()
        self.inbox.close()
        self.state.close()

    def healthy(self) -> bool:
        if self.consumer is None:
            return True
        return all(self.consumer.environment.is_alive(p) for _, p in self.consumer.worker_threads)

    # --- handing events to the queue --------------------------------------------------

    def feed(self) -> int:
        """Hand over the events stored since the last round (the server stores, never queues)."""
        events = self.inbox.unqueued()
        if events:
            self.enqueue(events)
        return len(events)

    def enqueue(self, events: list[InboxEvent]) -> None:
        for event in events:
            self.state.note_received(event.submission_id, event.revision)
            self.task(event.delivery_id, event.submission_id, event.revision, event.body.decode("utf-8"), 0)
        self.inbox.mark_queued(e.delivery_id for e in events)

    def reconcile(self, everything: bool = False) -> int:
        """Mark finished events done; hand over again those that nobody has in hand.

        An event is handed over again if the process that had it in hand is dead, or if it
        has been waiting longer than ``requeue_after`` with no live claim (a worker machine
        may have died with it); events never queued are the feeder's.
        ``everything``: all unfinished events (the single-machine queue was just emptied).
        """
        pending = self.inbox.pending()
        if not pending:
            return 0
        done = self.state.done_many(e.submission_id for e in pending)
        finished = [e for e in pending if done.get(e.submission_id, -1) >= e.revision]
        failures = self.state.failures(e.delivery_id for e in finished)
        if failures:
            self.inbox.mark_failed(failures)
            log.error(
                "events ended without a report (see their reference ids)",
                extra={"failed": self.inbox.counts()["failed"]},
            )
        self.inbox.mark_done(e.delivery_id for e in finished if e.delivery_id not in failures)
        finished_ids = {e.delivery_id for e in finished}
        unfinished = [e for e in pending if e.delivery_id not in finished_ids]
        if everything:
            todo = unfinished
        else:
            unfinished = [e for e in unfinished if e.queued_at is not None]
            claims = self.state.claimed(e.delivery_id for e in unfinished)
            stale_before = time.time() - self.settings.requeue_after
            todo = [
                e
                for e in unfinished
                if claims.get(e.delivery_id) is False  # its holder died
                or (e.delivery_id not in claims and e.queued_at is not None and e.queued_at < stale_before)
            ]
        if todo:
            self.enqueue(todo)
            if not everything:
                log.warning("handed over again", extra={"requeued": len(todo)})
        return len(todo)

    def _warm_up(self) -> None:
        try:
            self.processor.warm_up()
        except Exception as exc:  # the first real event will report it with its ids
            log.error(f"engine warm-up failed: {exc!r}")


def spawn(args: DispatcherArgs) -> tuple[multiprocessing.process.BaseProcess, Any]:
    """Start the dispatcher; (the process, an event set once it has started).

    Call from the main thread: the parent-death signal fires when the *thread* that
    started a process ends.
    """
    context = multiprocessing.get_context("spawn")  # the server has threads: no fork
    ready = context.Event()
    process = context.Process(target=main, args=(args, os.getpid(), ready), name="qb-dispatcher", daemon=False)
    process.start()
    return process, ready


def main(args: DispatcherArgs, parent: int, ready: Any) -> None:
    die_with_parent(parent)
    os.nice(DISPATCHER_NICENESS)
    from qualitybot.service.checking import PR_SET_NAME, _prctl

    _prctl(PR_SET_NAME, b"qb-dispatcher")
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops us
    logs.configure(args.log_level)
    from qualitybot.service.commands import make_publisher

    try:
        settings = Settings.load(args.rules, args.data_dir, args.redis, args.workers, args.check_processes)
        dispatcher = Dispatcher(settings, make_publisher(settings))
    except Exception as exc:  # checked by `serve` a moment ago: the disk or Redis went away
        log.error(f"the dispatcher cannot start: {type(exc).__name__}: {exc}")
        sys.exit(1)
    try:
        dispatcher.start()
        ready.set()
        watch = threading.Thread(target=_watch, args=(dispatcher, stopping), name="health", daemon=True)
        watch.start()
        dispatcher.run(stopping)
    except Exception as exc:  # /healthz reports the dispatcher dead; the inbox keeps every event
        log.error(f"the dispatcher stopped: {type(exc).__name__}: {exc}")
        sys.exit(1)
    finally:
        dispatcher.stop()


def _watch(dispatcher: Dispatcher, stopping: threading.Event) -> None:
    """A dispatcher whose worker threads died exits, so that the server's /healthz says so."""
    while not stopping.wait(1.0):
        if not dispatcher.healthy():
            log.error("a worker thread died; the dispatcher stops")
            stopping.set()
