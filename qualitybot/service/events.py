"""The platform's submission event (DESIGN.md, "The platform's webhook API"), validated.

Only what the gate needs is required: the submission's id, revision and body. Other
fields (title, author, url) are accepted and ignored, so the platform can add fields
without breaking the bot.

Everything is bounded before it reaches storage, so that a hostile but correctly
signed event is a clear 400, never a 500 or a row that breaks a shared commit:

- the body must be JSON nested at most ``MAX_DEPTH`` levels, with no number of more
  than 4,300 digits (Python's own limit);
- ``submission.id`` matches ``SUBMISSION_ID`` (letters, digits, ``_ . : @ ~ -``,
  starting with a letter, digit or ``_``; at most 200 characters): no ``.`` or ``..``
  path segments, no slashes, no whitespace;
- ``submission.revision`` is an integer from 0 to 2**53 - 1 (exact in every JSON
  parser and in SQLite);
- ``type`` and ``title`` have length limits; ``body`` is bounded by ``--max-body``.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qualitybot.document import Document, parse

# Events the gate acts on; any other type is acknowledged and ignored.
CHECKED_TYPES = ("submission.created", "submission.updated")


# The documented pattern of submission ids (README, "The bot service").
SUBMISSION_ID = r"[A-Za-z0-9_][A-Za-z0-9_.:@~-]{0,199}"
MAX_REVISION = 2**53 - 1
MAX_DEPTH = 64


class EventError(Exception):
    """The body is not a valid submission event: answer 400 with this message."""


class Submission(BaseModel):
    """The submission to check; fields not listed here (author, url, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="ignore")
    id: str = Field(pattern=f"^{SUBMISSION_ID}$", description="the platform's id of the submission")
    revision: int = Field(ge=0, le=MAX_REVISION, description="grows with each edit; the newest is reported")
    body: str = Field(description="the article as the writer wrote it")
    title: str = Field(default="", max_length=1000)
    format: Literal["markdown", "text", "html"] = "markdown"
    published_at: datetime | date | None = Field(
        default=None, description="reference date of the dates check (else front matter, else today)"
    )


class Event(BaseModel):
    """A webhook of the platform (``POST /webhooks/submissions``), signed per Standard Webhooks."""

    model_config = ConfigDict(extra="ignore", title="qualitybot submission event")
    type: str = Field(
        min_length=1,
        max_length=100,
        description="submission.created and submission.updated are checked; other types are acknowledged",
    )
    submission: Submission | None = Field(default=None, description="required for the checked types")

    @property
    def checked(self) -> bool:
        return self.type in CHECKED_TYPES


def event_schema() -> dict[str, Any]:
    """The JSON Schema of the webhook event (published as ``schema/qualitybot-event.schema.json``)."""
    schema = Event.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def parse_event(raw: bytes) -> Event:
    """Validate a raw body; EventError names the first problem (never echoes the body)."""
    try:
        data: Any = json.loads(raw)
    except RecursionError:
        raise EventError(f"body is nested more than {MAX_DEPTH} levels deep") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EventError(f"body is not JSON: {exc.__class__.__name__}") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise EventError("body holds a number too large to read") from None
    if _depth(data) > MAX_DEPTH:
        raise EventError(f"body is nested more than {MAX_DEPTH} levels deep")
    try:
        event = Event.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise EventError(f"{where}: {first['msg']}") from None
    if event.checked and event.submission is None:
        raise EventError("submission: field required")
    return event


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in ``value`` (iteratively: no recursion limit)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in item)
    return deepest


def document_of(submission: Submission, today: date) -> Document:
    """The Document to check; its path names submission and revision, so reports say which."""
    published = submission.published_at
    if isinstance(published, datetime):
        published = published.date()
    doc = parse(
        submission.body,
        path=f"{submission.id} (revision {submission.revision})",
        fmt=submission.format,
        published_at=published,
        today=today,
    )
    # Compared with earlier submissions, never with its own revisions.
    return dataclasses.replace(doc, archive_id=submission.id)
