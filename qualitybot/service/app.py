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

This process does nothing else: verifying, validating and logging run on the event
loop, the inbox's writer thread fsyncs (the loop awaits it without a thread hop per
request), and queueing, checking and posting happen in the dispatcher's process
(:mod:`.dispatcher`), so acknowledgements never wait for the interpreter lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any, NamedTuple

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from qualitybot.service import dispatcher
from qualitybot.service.dispatcher import DispatcherArgs
from qualitybot.service.events import EventError, Submission, parse_event
from qualitybot.service.inbox import Inbox, RowError
from qualitybot.service.settings import Settings
from qualitybot.service.signatures import SignatureError, Verifier

log = logging.getLogger("qualitybot.service")
DEFAULT_MAX_BODY = 1024 * 1024
# How long a stopping server waits for the dispatcher to finish what it has in hand.
DISPATCHER_STOP_TIMEOUT = 30.0
# An answer sent before the request body was all read ends the connection: the unread rest
# of the body must not be taken for the next request.
CLOSE = {"connection": "close"}

Answer = tuple[int, dict[str, Any]]


class Valid(NamedTuple):
    """A signed, well-formed submission event, ready to be stored."""

    delivery_id: str
    submission: Submission


class Service:
    """The inbox, and the dispatcher process that does everything else."""

    def __init__(self, settings: Settings, verifier: Verifier, dispatcher_args: DispatcherArgs) -> None:
        self.settings = settings
        self.verifier = verifier
        self.inbox = Inbox(settings.data_dir)
        self.dispatcher_args = dispatcher_args
        self.dispatcher: Any = None
        self.dispatcher_ready: Any = None
        self.ready = False

    # --- lifecycle ----------------------------------------------------------

    def start(self) -> None:
        """Start the dispatcher (from the main thread: see :func:`.dispatcher.spawn`)."""
        self.dispatcher, self.dispatcher_ready = dispatcher.spawn(self.dispatcher_args)
        self.ready = True

    def stop(self) -> None:
        self.ready = False
        if self.dispatcher is not None and self.dispatcher.is_alive():
            self.dispatcher.terminate()  # SIGTERM: it finishes what it has in hand
            self.dispatcher.join(DISPATCHER_STOP_TIMEOUT)
            if self.dispatcher.is_alive():
                self.dispatcher.kill()
                self.dispatcher.join(5)
        self.inbox.close()
        log.info("stopped")

    def health(self) -> str:
        """ "ok", "starting" (the dispatcher is rebuilding the queue) or "unhealthy" (it died)."""
        if not self.ready or self.dispatcher is None:
            return "starting"
        if not self.dispatcher.is_alive():
            return "unhealthy"
        return "ok" if self.dispatcher_ready.is_set() else "starting"

    # --- inbound --------------------------------------------------------------

    def validate(self, headers: Mapping[str, str], raw: bytes) -> Answer | Valid:
        """Signature, delivery id and payload: the answer if it is not to be stored."""
        delivery_id = self.verifier.delivery_id(headers)
        try:
            self.verifier.verify(headers, raw)
        except SignatureError as exc:
            log.warning(f"refused: {exc}", extra={"delivery_id": delivery_id[:100] or None, "status": 401})
            return 401, {"error": "invalid signature"}
        if not delivery_id or len(delivery_id) > 200 or not delivery_id.isprintable() or " " in delivery_id:
            return 400, {"error": "missing, overlong or malformed delivery id"}
        try:
            event = parse_event(raw)
        except EventError as exc:
            log.warning(f"malformed event: {exc}", extra={"delivery_id": delivery_id, "status": 400})
            return 400, {"error": str(exc)}
        if not event.checked or event.submission is None:
            log.info(f"ignored event type {event.type[:60]!r}", extra={"delivery_id": delivery_id, "status": 200})
            return 200, {"status": "ignored"}
        return Valid(delivery_id, event.submission)

    async def accept(self, headers: Mapping[str, str], raw: bytes) -> Answer:
        """Verify, validate and store one event; the answer once it is fsynced (or why not).

        A redelivery is recognised by the insert itself (the delivery id is the key), so
        the hot path makes one trip to the database.
        """
        valid = self.validate(headers, raw)
        if not isinstance(valid, Valid):
            return valid
        delivery_id, sub = valid
        ids = {"delivery_id": delivery_id, "submission_id": sub.id, "revision": sub.revision}
        try:
            stored = await self.inbox.store_async(delivery_id, sub.id, sub.revision, raw)
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
        return 202, {"status": "accepted", "delivery_id": delivery_id}


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


def create_app(service: Service, max_body: int = DEFAULT_MAX_BODY, body_timeout: float = 30.0) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service.start()  # on the main thread (the dispatcher's parent-death signal is per thread)
        try:
            yield
        finally:
            await run_in_threadpool(service.stop)

    async def healthz(request: Request) -> JSONResponse:
        status = service.health()
        if status != "ok":
            return JSONResponse({"status": status}, status_code=503)
        counts = await run_in_threadpool(service.inbox.counts)
        return JSONResponse({"status": "ok", "queue": service.settings.queue_kind, **counts})

    async def submissions(request: Request) -> JSONResponse:
        try:
            async with asyncio.timeout(body_timeout):
                raw = await _read_limited(request, max_body)
        except TimeoutError:
            log.warning("refused: body not received in time", extra={"status": 408})
            return JSONResponse(
                {"error": f"body not received within {body_timeout:g} s"}, status_code=408, headers=CLOSE
            )
        except ClientDisconnect:
            return JSONResponse({"error": "client disconnected"}, status_code=400)
        if raw is None:
            log.warning("refused: body too large", extra={"status": 413})
            return JSONResponse({"error": f"body larger than {max_body} bytes"}, status_code=413, headers=CLOSE)
        try:
            status, answer = await service.accept(request.headers, raw)
        except Exception as exc:  # a bug: one line, no traceback, and the platform retries
            log.error(f"internal error while accepting an event: {type(exc).__name__}", extra={"status": 500})
            status, answer = 500, {"error": "internal error"}
        return JSONResponse(answer, status_code=status)

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/webhooks/submissions", submissions, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
