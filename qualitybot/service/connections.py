"""Slow and idle clients cannot exhaust the server.

uvicorn's HTTP/1.1 protocol on httptools (llhttp, in C; with uvloop it took a sixth
off the server's CPU per webhook compared with the pure-Python h11 protocol, see
``benchmarks/service.md``), with four limits added:

- **header timeout**: a connection must deliver a complete request line and headers
  within ``header_timeout`` seconds of opening (or of its previous response, on a
  kept-alive connection), else it is closed;
- **header size**: request line and headers larger than ``MAX_HEADER_BYTES`` are
  answered 431 and the connection is closed (llhttp itself sets no limit);
- **body timeout**: once the headers are in, the whole body must follow within
  ``body_timeout`` seconds (the app answers 408; this closes the connection if the
  app is not reading);
- **connection cap**: at most ``max_connections`` connections are open (kept below
  the process's file-descriptor limit). When the cap is reached, the connection that
  has waited longest without ever sending a complete request is closed to make room
  (failing that, the longest-idle kept-alive one), so thousands of stalled
  connections cannot lock out the platform's next webhook.

Connections closed this way are counted, and one log line every few seconds says
how many (never one line per connection).
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("qualitybot.service")

# File descriptors kept for everything but client connections (databases, pipes to the
# check processes, the platform, Redis).
RESERVED_FDS = 256
SUMMARY_EVERY = 5.0
# h11's default limit, which the server applied before it moved to httptools.
MAX_HEADER_BYTES = 16 * 1024


def raise_fd_limit() -> int:
    """Raise the soft limit on open files to the hard limit; return the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return soft


def connection_cap(wanted: int) -> int:
    """``wanted``, or fewer if the file-descriptor limit cannot hold that many."""
    return max(16, min(wanted, raise_fd_limit() - RESERVED_FDS))


class GuardedProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with header/body timeouts, a header size limit and a connection cap
    (set by :func:`guarded`)."""

    header_timeout: ClassVar[float] = 10.0
    body_timeout: ClassVar[float] = 30.0
    max_connections: ClassVar[int] = 1000
    # Connections without a request in progress, oldest first (a dict keeps insertion order):
    # those that never sent a complete request, and kept-alive ones between requests.
    waiting: ClassVar[dict[GuardedProtocol, None]] = {}
    idle: ClassVar[dict[GuardedProtocol, None]] = {}
    closed: ClassVar[dict[str, int]] = {}
    last_summary: ClassVar[float] = 0.0
    summary_due: ClassVar[bool] = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._header_bytes = 0  # received since the current request began, until its headers are in
        self._in_message = False  # a request has begun and its body is not all in

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait_for_request(self.waiting)
        if len(self.connections) > self.max_connections:
            oldest = next((c for c in self.waiting if c is not self), None) or next(iter(self.idle), None)
            (oldest or self)._close("connection cap reached")

    def connection_lost(self, exc: Exception | None) -> None:
        self._forget()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        reading_headers = self._reading_headers()
        super().data_received(data)
        if reading_headers and self._reading_headers():  # all of it was request line and headers
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self.send_431()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_message = True

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        # The headers are complete: the body has its own deadline.
        self._forget()
        self._arm(self.body_timeout, "body timeout")

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_message = False
        # A whole request is in: the app takes it from here, unless it has already answered
        # (a 413 before the body was read); then the next request's headers have a deadline.
        if self.cycle is not None and self.cycle.response_complete and not self.transport.is_closing():
            self._wait_for_request(self.idle)
        else:
            self._forget()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Kept alive, with no pipelined request already started: the next request's
        # headers have a deadline too. An answer sent before the request's body was all in
        # waits for that body first: its bytes are not the next request's headers.
        if (
            not self.transport.is_closing()
            and not self._in_message
            and (self.cycle is None or self.cycle.response_complete)
        ):
            self._wait_for_request(self.idle)

    def send_431(self) -> None:
        body = b"request headers too large"
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain\r\nconnection: close\r\n"
            b"content-length: %d\r\n\r\n%s" % (len(body), body)
        )
        self._close("headers too large", gently=True)

    # --- helpers ---------------------------------------------------------------------

    def _wait_for_request(self, queue: dict[GuardedProtocol, None]) -> None:
        self._forget()
        self._header_bytes = 0
        queue[self] = None
        self._arm(self.header_timeout, "header timeout")

    def _reading_headers(self) -> bool:
        return not self.transport.is_closing() and (self in self.waiting or self in self.idle)

    def _forget(self) -> None:
        self._disarm()
        self.waiting.pop(self, None)
        self.idle.pop(self, None)

    def _arm(self, seconds: float, why: str) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._close, why)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _close(self, why: str, gently: bool = False) -> None:
        """``gently``: send what is written first (an answer), else drop the connection at once."""
        self._forget()
        if not self.transport.is_closing():
            if gently:
                self.transport.close()
            else:
                self.transport.abort()
        cls = type(self)
        cls.closed[why] = cls.closed.get(why, 0) + 1
        if not cls.summary_due:  # one line now, or at the end of the current window
            cls.summary_due = True
            wait = max(0.0, cls.last_summary + SUMMARY_EVERY - time.monotonic())
            self.loop.call_later(wait, cls.summarise)

    @classmethod
    def summarise(cls) -> None:
        cls.summary_due = False
        cls.last_summary = time.monotonic()
        summary = ", ".join(f"{n} ({reason})" for reason, n in sorted(cls.closed.items()))
        cls.closed.clear()
        log.warning(f"closed slow or idle connections: {summary}")


def guarded(header_timeout: float, body_timeout: float, max_connections: int) -> type[GuardedProtocol]:
    """A protocol class for ``uvicorn.run(http=...)`` with these limits."""
    return type(
        "Guarded",
        (GuardedProtocol,),
        {
            "header_timeout": header_timeout,
            "body_timeout": body_timeout,
            "max_connections": max_connections,
            "waiting": {},
            "idle": {},
            "closed": {},
            "last_summary": 0.0,
            "summary_due": False,
        },
    )
