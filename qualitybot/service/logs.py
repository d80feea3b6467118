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


def configure(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # huey logs every task at INFO; ours say more, with ids.
    logging.getLogger("huey").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
