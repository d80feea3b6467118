"""The platform's own comment API (DESIGN.md, "The platform's webhook API").

- ``GET   {api}/submissions/{id}/comments`` -> ``[{"id": "c_1", "body": "..."}]``
- ``POST  {api}/submissions/{id}/comments`` ``{"body", "verdict", "report"}`` -> 201 ``{"id": "c_1"}``
- ``PATCH {api}/submissions/{id}/comments/{comment_id}`` same body -> 200

``Authorization: Bearer <token>``, ``Idempotency-Key`` on writes, JSON bodies.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from qualitybot.config import PlatformConfig
from qualitybot.formatters.markdown import MARKER
from qualitybot.platform.http import Client, PlatformError
from qualitybot.report import Report


class GenericPlatform:
    def __init__(self, config: PlatformConfig, token: str) -> None:
        self.client = Client(config.api, token, config)

    def close(self) -> None:
        self.client.close()

    def _comments_path(self, submission_id: str) -> str:
        # Ids end up in the URL path: quoted whole, so "../x" or "a/b" cannot reach another route.
        return f"/submissions/{quote(submission_id, safe='')}/comments"

    def find_comment(self, submission_id: str) -> str | None:
        response = self.client.request("GET", self._comments_path(submission_id))
        comments = _json(response, "GET comments")
        if not isinstance(comments, list):
            raise PlatformError(
                f"GET comments of {submission_id}: expected a JSON list, got {type(comments).__name__}"
            )
        for comment in comments:
            if isinstance(comment, dict) and MARKER in str(comment.get("body", "")) and "id" in comment:
                return str(comment["id"])
        return None

    def create_comment(self, submission_id: str, body: str, report: Report, key: str) -> str:
        response = self.client.request(
            "POST", self._comments_path(submission_id), json=_payload(body, report), idempotency_key=key
        )
        created = _json(response, "POST comment")
        if not isinstance(created, dict) or "id" not in created:
            raise PlatformError(f"POST comment on {submission_id}: the answer has no comment id")
        return str(created["id"])

    def update_comment(
        self, submission_id: str, comment_id: str, body: str, report: Report, key: str
    ) -> None:
        path = f"{self._comments_path(submission_id)}/{quote(comment_id, safe='')}"
        self.client.request("PATCH", path, json=_payload(body, report), idempotency_key=key)


def _payload(body: str, report: Report) -> dict[str, Any]:
    return {"body": body, "verdict": report.verdict, "report": report.to_json()}


def _json(response: Any, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise PlatformError(
            f"{what}: the platform answered HTTP {response.status_code} with no JSON"
        ) from None
