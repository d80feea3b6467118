"""The platform's own comment API (DESIGN.md, "The platform's webhook API").

- ``GET   {api}/submissions/{id}/comments`` -> ``[{"id": "c_1", "body": "...", "author": {"id": "u_1"}}]``
- ``GET   {api}/me`` -> ``{"id": "u_1"}``: whose token this is (unless ``platform.author`` says)
- ``POST  {api}/submissions/{id}/comments`` ``{"body", "verdict", "report"}`` -> 201 ``{"id": "c_1"}``
- ``PATCH {api}/submissions/{id}/comments/{comment_id}`` same body -> 200

``Authorization: Bearer <token>``, ``Idempotency-Key`` on writes, JSON bodies.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from qualitybot.config import PlatformConfig
from qualitybot.formatters.markdown import MARKER
from qualitybot.platform.http import Client, PlatformConfigError, PlatformError
from qualitybot.report import Report


class GenericPlatform:
    def __init__(self, config: PlatformConfig, token: str) -> None:
        self.client = Client(config.api, token, config)
        self.author = config.author

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
        listed = [c for c in comments if isinstance(c, dict)]
        marked = [c for c in listed if MARKER in str(c.get("body", "")) and "id" in c]
        if not marked:
            return None
        if not any("author" in c for c in listed):  # this platform does not say who wrote what
            return str(marked[0]["id"])
        me = self.identity()
        for comment in marked:
            if _author_id(comment) == me:
                return str(comment["id"])
        return None  # only others' comments quote the marker: ours is created

    def identity(self) -> str:
        """The author id of the bot's own comments."""
        return self.author or self.client.remembered("me", self._who_am_i)

    def _who_am_i(self) -> str:
        try:
            me = _json(self.client.request("GET", "/me"), "GET me")
        except PlatformError as exc:
            if exc.retryable:
                raise
            me = None
        if not isinstance(me, dict) or not isinstance(me.get("id"), (str, int)):
            raise PlatformConfigError(
                "the platform lists comment authors, but GET /me did not say which is the bot: "
                "set platform: {author: ID} to the bot's own author id"
            )
        return str(me["id"])

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


def _author_id(comment: dict[str, Any]) -> str | None:
    author = comment.get("author")
    if isinstance(author, dict):
        author = author.get("id")
    return str(author) if isinstance(author, (str, int)) else None


def _payload(body: str, report: Report) -> dict[str, Any]:
    return {"body": body, "verdict": report.verdict, "report": report.to_json()}


def _json(response: Any, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise PlatformError(
            f"{what}: the platform answered HTTP {response.status_code} with no JSON"
        ) from None
