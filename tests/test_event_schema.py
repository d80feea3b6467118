"""schema/qualitybot-event.schema.json is the webhook event the bot validates, for platform engineers."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from qualitybot.service.events import EventError, event_schema, parse_event

PUBLISHED = Path(__file__).resolve().parent.parent / "schema" / "qualitybot-event.schema.json"

GOOD = {"type": "submission.created", "submission": {"id": "sub_123", "revision": 3, "body": "Text.", "format": "markdown",
        "author": {"id": "u_9"}, "published_at": "2022-03-14T10:00:00Z"}}


def test_published_event_schema_is_the_generated_one() -> None:
    assert json.loads(PUBLISHED.read_text(encoding="utf-8")) == event_schema(), (
        "regenerate it: python -c 'import json; from qualitybot.service.events import event_schema; "
        "print(json.dumps(event_schema(), indent=2))' > schema/qualitybot-event.schema.json"
    )


@pytest.mark.parametrize(
    ("change", "valid"),
    [
        ({}, True),
        ({"id": ".."}, False),
        ({"id": "a b"}, False),
        ({"revision": 2**63}, False),
        ({"format": "docx"}, False),
    ],
)
def test_schema_and_bot_agree(change: dict[str, object], valid: bool) -> None:
    event = {**GOOD, "submission": {**GOOD["submission"], **change}}  # type: ignore[dict-item]
    schema_says = jsonschema.Draft202012Validator(event_schema()).is_valid(event)
    try:
        parse_event(json.dumps(event).encode())
        bot_says = True
    except EventError:
        bot_says = False
    assert schema_says == bot_says == valid
