"""Structured logs: one JSON object per line on stderr.

Every record about an event carries ``delivery_id`` and ``submission_id`` (pass them
with ``extra=``), so one grep follows an event from the webhook to the comment.
Only the fields listed in ``FIELDS`` are ever written: headers, bodies, tokens and
secrets are never handed to the logger, and unknown extras are dropped.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from contextvars import ContextVar
from typing import Any

# The event a worker thread is busy with: added to every record logged meanwhile, so
# that the platform adapter's own warnings carry the ids too.
current_event: ContextVar[dict[str, Any] | None] = ContextVar("current_event", default=None)

FIELDS = (
    "delivery_id",
    "submission_id",
    "revision",
    "status",
    "reason",
    "attempt",
    "delay",
    "verdict",
    "duration_ms",
    "pending",
    "requeued",
    "workers",
    "queue",
    "freed",
    "failed",
    "suppressed",
)


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        context = current_event.get() or {}
        for name in FIELDS:
            value = record.__dict__.get(name, context.get(name))
            if value is not None:
                entry[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = f"{record.exc_info[0].__name__}: {record.exc_info[1]}"
        return json.dumps(entry, ensure_ascii=False, default=str)


class RateLimit(logging.Filter):
    """At most ``burst`` lines with the same message template per ``window`` seconds.

    A flood of identical complaints (a client storm, a resource running out) must not
    become a flood of log lines: the rest are counted, and the next line that passes
    says how many were suppressed.
    """

    def __init__(self, burst: int = 20, window: float = 10.0) -> None:
        super().__init__()
        self.burst, self.window = burst, window
        self._seen: dict[tuple[str, object], tuple[float, int, int]] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg)
        now = time.monotonic()
        with self._lock:
            start, passed, dropped = self._seen.get(key, (now, 0, 0))
            if now - start > self.window:
                start, passed = now, 0
            if passed >= self.burst:
                self._seen[key] = (start, passed, dropped + 1)
                return False
            self._seen[key] = (start, passed + 1, 0)
            if len(self._seen) > 10_000:  # many distinct messages: forget the old windows
                self._seen.clear()
        if dropped:
            record.suppressed = dropped
        return True


def configure(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    handler.addFilter(RateLimit())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # huey logs every task at INFO; ours say more, with ids.
    logging.getLogger("huey").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
