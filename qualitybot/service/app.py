"""The HTTP side: ``POST /webhooks/submissions`` and ``GET /healthz`` (DESIGN.md, "The bot service").

A webhook is answered as soon as its event is in the inbox (fsynced), before any
checking or posting happens, so the platform gets its 2xx in milliseconds however
slow the checks or the platform's own API are:

=====  =============================================================
202    stored; a worker will check it and post the comment
200    a delivery id already stored (nothing new happens), or an event
       type the gate does not act on
400    not a valid submission event (the answer says why)
401    bad or missing signature, or a timestamp more than 5 minutes off
413    body larger than ``--max-body``
503    the inbox cannot be written right now (the platform retries)
=====  =============================================================

Events that cannot be stored never share the fate of the valid events committed
with them: validation runs before storage, and a row that still cannot be written
fails alone. Slow and idle clients are held to time limits by
:mod:`.connections`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from qualitybot.service.checking import Checker, InlineChecker, PoolChecker
from qualitybot.service.events import EventError, parse_event
from qualitybot.service.inbox import Inbox, InboxEvent, RowError
from qualitybot.service.settings import Settings
from qualitybot.service.signatures import SignatureError, Verifier
from qualitybot.service.state import open_state
from qualitybot.service.worker import Processor, Publisher, build_queue, consumer, register

log = logging.getLogger("qualitybot.service")
DEFAULT_MAX_BODY = 1024 * 1024

Answer = tuple[int, dict[str, Any]]


class Service:
    """Inbox, queue and (unless ``workers == 0``) the embedded huey consumer."""

    def __init__(self, settings: Settings, verifier: Verifier, publisher: Publisher) -> None:
        self.settings = settings
        self.verifier = verifier
        self.inbox = Inbox(settings.data_dir)
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
        self.ready = False
        self._stopping = threading.Event()
        self._reconciler: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------

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
        self._reconciler = threading.Thread(target=self._reconcile_loop, name="reconciler", daemon=True)
        self._reconciler.start()
        self.ready = True

    def stop(self) -> None:
        self.ready = False
        self._stopping.set()
        if self.consumer is not None:
            self.consumer.stop(graceful=True)
        self.checker.close()
        if self._reconciler is not None:
            self._reconciler.join(timeout=5)
        self.inbox.close()
        self.state.close()
        log.info("stopped")

    def healthy(self) -> bool:
        if not self.ready:
            return False
        if self.consumer is not None:
            return all(self.consumer.environment.is_alive(p) for _, p in self.consumer.worker_threads)
        return True

    # --- inbound --------------------------------------------------------------

    def accept(self, headers: Mapping[str, str], raw: bytes) -> Answer:
        """Verify, deduplicate, validate and store one event (runs in a thread: it fsyncs)."""
        delivery_id = self.verifier.delivery_id(headers)
        try:
            self.verifier.verify(headers, raw)
        except SignatureError as exc:
            log.warning(f"refused: {exc}", extra={"delivery_id": delivery_id[:100] or None, "status": 401})
            return 401, {"error": "invalid signature"}
        if not delivery_id or len(delivery_id) > 200 or not delivery_id.isprintable() or " " in delivery_id:
            return 400, {"error": "missing, overlong or malformed delivery id"}
        if self.inbox.seen(delivery_id):
            log.info("duplicate delivery", extra={"delivery_id": delivery_id, "status": 200})
            return 200, {"status": "duplicate"}
        try:
            event = parse_event(raw)
        except EventError as exc:
            log.warning(f"malformed event: {exc}", extra={"delivery_id": delivery_id, "status": 400})
            return 400, {"error": str(exc)}
        if not event.checked or event.submission is None:
            log.info(f"ignored event type {event.type[:60]!r}", extra={"delivery_id": delivery_id, "status": 200})
            return 200, {"status": "ignored"}
        sub = event.submission
        ids = {"delivery_id": delivery_id, "submission_id": sub.id, "revision": sub.revision}
        try:
            stored = self.inbox.store(delivery_id, sub.id, sub.revision, raw)
        except RowError as exc:
            log.warning(f"malformed event: {exc}", extra={**ids, "status": 400})
            return 400, {"error": str(exc)}
        except Exception as exc:  # the disk, not the event: the platform will deliver it again
            log.error(f"inbox unavailable: {type(exc).__name__}", extra={**ids, "status": 503})
            return 503, {"error": "cannot store events right now; deliver again later"}
        if not stored:
            log.info("duplicate delivery", extra={**ids, "status": 200})
            return 200, {"status": "duplicate"}
        log.info("accepted", extra={**ids, "status": 202})
        try:
            self.state.note_received(sub.id, sub.revision)
            self.task(delivery_id, sub.id, sub.revision, raw.decode("utf-8"), 0)
        except Exception as exc:  # stored durably: the reconciler hands it over later
            log.error(f"queue unavailable, will retry: {exc!r}", extra=ids)
            self.inbox.mark_unqueued(delivery_id)
        return 202, {"status": "accepted", "delivery_id": delivery_id}

    # --- reconciling the inbox with the queue ---------------------------------------

    def enqueue(self, events: list[InboxEvent]) -> None:
        for event in events:
            self.task(event.delivery_id, event.submission_id, event.revision, event.body.decode("utf-8"), 0)
        self.inbox.mark_queued(e.delivery_id for e in events)

    def reconcile(self, everything: bool = False) -> int:
        """Mark finished events done; hand over again those that nobody has in hand.

        An unfinished event is handed over again if it never reached the queue, if the
        process that had it in hand is dead, or if it has been waiting longer than
        ``requeue_after`` with no live claim (a worker machine may have died with it).
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
            claims = self.state.claimed(e.delivery_id for e in unfinished)
            stale_before = time.time() - self.settings.requeue_after
            todo = [
                e
                for e in unfinished
                if claims.get(e.delivery_id) is False  # its holder died
                or (e.delivery_id not in claims and (e.queued_at is None or e.queued_at < stale_before))
            ]
        if todo:
            for event in todo:
                self.state.note_received(event.submission_id, event.revision)
            self.enqueue(todo)
            if not everything:
                log.warning("handed over again", extra={"requeued": len(todo)})
        return len(todo)

    def _warm_up(self) -> None:
        try:
            self.processor.warm_up()
        except Exception as exc:  # the first real event will report it with its ids
            log.error(f"engine warm-up failed: {exc!r}")

    def _reconcile_loop(self) -> None:
        last_prune = 0.0
        while not self._stopping.wait(self.settings.reconcile_interval):
            try:
                self.reconcile()
                if time.time() - last_prune > 3600:
                    self.inbox.prune(self.settings.retention)
                    last_prune = time.time()
            except Exception as exc:  # Redis away for a moment: try again next round
                log.error(f"reconcile failed: {exc!r}")


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The raw body, or None once it is larger than ``limit`` (never buffering more)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(service: Service, max_body: int = DEFAULT_MAX_BODY, body_timeout: float = 30.0) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(service.start)
        try:
            yield
        finally:
            await run_in_threadpool(service.stop)

    app = FastAPI(title="qualitybot", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        if not service.healthy():
            return JSONResponse({"status": "starting" if not service.ready else "unhealthy"}, status_code=503)
        counts = await run_in_threadpool(service.inbox.counts)
        return JSONResponse({"status": "ok", "queue": service.settings.queue_kind, **counts})

    @app.post("/webhooks/submissions")
    async def submissions(request: Request) -> JSONResponse:
        try:
            async with asyncio.timeout(body_timeout):
                raw = await _read_limited(request, max_body)
        except TimeoutError:
            log.warning("refused: body not received in time", extra={"status": 408})
            return JSONResponse({"error": f"body not received within {body_timeout:g} s"}, status_code=408)
        except ClientDisconnect:
            return JSONResponse({"error": "client disconnected"}, status_code=400)
        if raw is None:
            log.warning("refused: body too large", extra={"status": 413})
            return JSONResponse({"error": f"body larger than {max_body} bytes"}, status_code=413)
        try:
            status, answer = await run_in_threadpool(service.accept, dict(request.headers), raw)
        except Exception as exc:  # a bug: one line, no traceback, and the platform retries
            log.error(f"internal error while accepting an event: {type(exc).__name__}", extra={"status": 500})
            status, answer = 500, {"error": "internal error"}
        return JSONResponse(answer, status_code=status)

    return app
