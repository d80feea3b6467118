"""The platform's submission event (DESIGN.md, "The platform's webhook API"), validated.

Only what the gate needs is required: the submission's id, revision and body. Other
fields (title, author, url) are accepted and ignored, so the platform can add fields
without breaking the bot.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qualitybot.document import Document, parse

# Events the gate acts on; any other type is acknowledged and ignored.
CHECKED_TYPES = ("submission.created", "submission.updated")


class EventError(Exception):
    """The body is not a valid submission event: answer 400 with this message."""


class Submission(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=200)
    revision: int = Field(ge=0)
    body: str
    title: str = ""
    format: Literal["markdown", "text", "html"] = "markdown"
    published_at: datetime | date | None = None


class Event(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str = Field(min_length=1)
    submission: Submission | None = None

    @property
    def checked(self) -> bool:
        return self.type in CHECKED_TYPES


def parse_event(raw: bytes) -> Event:
    """Validate a raw body; EventError names the first problem (never echoes the body)."""
    try:
        data: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EventError(f"body is not JSON: {exc.__class__.__name__}") from None
    try:
        event = Event.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise EventError(f"{where}: {first['msg']}") from None
    if event.checked and event.submission is None:
        raise EventError("submission: field required")
    return event


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
    )
    if doc.published_at is None:
        doc.published_at = today
    doc.archive_id = submission.id  # compared with earlier submissions, never with its own revisions
    return doc
