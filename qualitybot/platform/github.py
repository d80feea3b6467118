"""The same sticky comment on a GitHub pull request, through the REST API's issue comments.

- ``GET   /repos/{owner}/{repo}/issues/{number}/comments?per_page=100`` (paginated by ``Link``)
- ``POST  /repos/{owner}/{repo}/issues/{number}/comments`` ``{"body"}``
- ``PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}`` ``{"body"}``

The submission id is the pull request number. The base URL is ``api`` (default
``https://api.github.com``; GitHub Enterprise: ``https://HOST/api/v3``), the
repository ``repository`` or ``$GITHUB_REPOSITORY``.

A comment with the marker is ours only if ``user.login`` is the bot's: ``platform.author``,
else the token's own login (``GET /user``), else, for a token that cannot ask (the
Actions ``GITHUB_TOKEN``, an app's installation token), ``github-actions[bot]`` inside
GitHub Actions; elsewhere such a token needs ``platform: {author: "my-app[bot]"}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from qualitybot.config import PlatformConfig
from qualitybot.formatters.markdown import MARKER
from qualitybot.platform.http import Client, PlatformConfigError, PlatformError
from qualitybot.report import Report

DEFAULT_API = "https://api.github.com"
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_NUMBER = re.compile(r"[0-9]{1,20}")
ACTIONS_BOT = "github-actions[bot]"
_MAX_PAGES = 50  # 5,000 comments: a pull request with more is not worth walking further


class GitHubPlatform:
    def __init__(self, config: PlatformConfig, token: str, environ: Mapping[str, str]) -> None:
        repository = config.repository or environ.get("GITHUB_REPOSITORY", "")
        if not _REPOSITORY.fullmatch(repository) or any(p in (".", "..") for p in repository.split("/")):
            raise PlatformConfigError(
                "github: set platform: {repository: owner/name} or GITHUB_REPOSITORY"
                + (f" (got {repository[:100]!r})" if repository else "")
            )
        self.repository = "/".join(quote(part, safe="") for part in repository.split("/"))
        self.author = config.author
        self.in_actions = environ.get("GITHUB_ACTIONS") == "true"
        self.client = Client(
            config.api or DEFAULT_API,
            token,
            config,
            headers={"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"},
        )

    def close(self) -> None:
        self.client.close()

    def _issue(self, number: str) -> str:
        if not _NUMBER.fullmatch(number):
            raise PlatformConfigError(f"github: the submission must be a pull request number, got {number[:60]!r}")
        return f"/repos/{self.repository}/issues/{number}"

    def find_comment(self, submission_id: str) -> str | None:
        url: str | None = f"{self._issue(submission_id)}/comments"
        params: dict[str, str | int] | None = {"per_page": 100}
        origin = urlsplit(self.client.base_url).netloc
        for _ in range(_MAX_PAGES):
            if url is None:
                break
            response = self.client.request("GET", url, params=params)
            comments = _json(response)
            if not isinstance(comments, list):
                raise PlatformError(f"GET comments of pull request {submission_id}: expected a JSON list")
            for comment in comments:
                marked = isinstance(comment, dict) and MARKER in str(comment.get("body") or "") and "id" in comment
                if marked and self._ours(comment):
                    return str(comment["id"])
            following = response.links.get("next", {}).get("url")
            # Follow pages on the same host only: the token must not travel elsewhere.
            url = following if following and urlsplit(following).netloc == origin else None
            params = None  # the next link carries its own query
        return None

    def _ours(self, comment: dict[str, Any]) -> bool:
        user = comment.get("user")
        if not isinstance(user, dict):  # a listing without authors cannot tell: the marker decides
            return "user" not in comment
        return str(user.get("login", "")).lower() == self.identity().lower()

    def identity(self) -> str:
        """The login of the bot's own comments."""
        return self.author or self.client.remembered("user", self._who_am_i)

    def _who_am_i(self) -> str:
        try:
            user = _json(self.client.request("GET", "/user"))
        except PlatformError as exc:
            if exc.retryable or exc.status not in (403, 404):
                raise
            user = None  # an installation token may not ask who it is
        if isinstance(user, dict) and isinstance(user.get("login"), str):
            return str(user["login"])
        if self.in_actions:
            return ACTIONS_BOT
        raise PlatformConfigError(
            "github: this token cannot tell its own login (GET /user refused): "
            "set platform: {author: LOGIN}, e.g. my-app[bot]"
        )

    def create_comment(self, submission_id: str, body: str, report: Report, key: str) -> str:
        response = self.client.request(
            "POST", f"{self._issue(submission_id)}/comments", json={"body": body}, idempotency_key=key
        )
        created = _json(response)
        if not isinstance(created, dict) or "id" not in created:
            raise PlatformError(f"POST comment on pull request {submission_id}: the answer has no comment id")
        return str(created["id"])

    def update_comment(
        self, submission_id: str, comment_id: str, body: str, report: Report, key: str
    ) -> None:
        if not _NUMBER.fullmatch(comment_id):
            raise PlatformError(f"github: unexpected comment id {comment_id[:60]!r}")
        self.client.request(
            "PATCH",
            f"/repos/{self.repository}/issues/comments/{comment_id}",
            json={"body": body},
            idempotency_key=key,
        )


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        raise PlatformError(f"GitHub answered HTTP {response.status_code} with no JSON") from None
