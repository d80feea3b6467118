"""Posting a report as the one sticky comment of a submission (or pull request).

The interface, for ``qualitybot check --post`` and the bot service::

    from qualitybot.platform import PlatformError, post_report

    comment_id = post_report(report, "sub_123", 3, ruleset.platform)

``post_report(report, submission_id, revision, config, *, environ=None) -> str``
    Renders the report as the Markdown comment (``formatters.markdown``, which
    starts with the hidden marker ``<!-- qualitybot:report -->``), lists the
    submission's comments, PATCHes the one carrying the marker, else POSTs a
    new one, and returns that comment's id. Running it again for the same
    submission updates the same comment: never a second one (a comment
    deleted between listing and updating is created again).
    ``publish(...)`` does the same and also says whether the comment was
    created or updated (:class:`Posted`).

``config`` is :class:`qualitybot.config.PlatformConfig` (the rules file's
``platform:`` section): ``kind`` (``generic``: DESIGN.md's webhook API;
``github``: issue comments of a pull request, the submission id being the
pull request number), ``api`` (base URL), ``token_env`` (the environment
variable holding the bearer token; read from ``environ``, default
``os.environ``), ``repository`` (github), ``author`` (the bot's own identity,
see below), and the timeouts and retry bounds. Base URL and token come from
configuration and environment only, never from a document or an event.

The token is stripped of surrounding whitespace (secrets mounted from files
end with a newline) and must then be visible ASCII; otherwise
:class:`PlatformConfigError` says so without showing it.

Only our own comment is updated: a comment carrying the marker is taken as
ours only when its author is the bot's identity (generic: the comment's
``author.id``, compared with ``platform.author`` or the ``id`` that
``GET {api}/me`` returns; github: ``user.login``, compared with
``platform.author`` or the token's own login from ``GET /user``, or
``github-actions[bot]`` for the Actions token). Anyone else's comment that
quotes the marker is left alone and the bot creates its own. (A platform that
lists no authors at all cannot tell; there the marker alone decides.)

Submission ids are data: an empty id, ``.``, ``..`` or one with whitespace
or control characters is refused (PlatformConfigError), and every id is
percent-quoted as one path segment.

Every request has connect/read timeouts; connection errors, timeouts, 429,
5xx (and GitHub's rate-limit 403s) are retried with exponential backoff and
jitter, honouring Retry-After,
within ``max_attempts`` and ``deadline``. Then :class:`PlatformError` is
raised with the HTTP ``status`` (None when there was no answer), the
platform's message, and ``retryable`` (whether trying later may help: a
service with a durable queue retries those itself). A missing URL or token
raises its subclass :class:`PlatformConfigError`. Write requests carry an
``Idempotency-Key`` derived from the submission, its revision, the operation
and the comment's content, so a retried POST cannot create a second comment
on a platform that honours the key.

Callers that post for the same submission from several workers at once must
serialise those calls (one submission, one worker at a time): listing then
creating is not atomic on the platform's side.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from qualitybot.config import PlatformConfig
from qualitybot.formatters import markdown
from qualitybot.platform.http import PlatformConfigError, PlatformError
from qualitybot.report import Report

MARKER = markdown.MARKER

__all__ = [
    "MARKER",
    "Adapter",
    "PlatformConfigError",
    "PlatformError",
    "Posted",
    "adapter_for",
    "check_submission_id",
    "idempotency_key",
    "post_report",
    "publish",
    "read_token",
]


@dataclass(frozen=True)
class Posted:
    comment_id: str
    created: bool  # False: an existing comment was updated


class Adapter(Protocol):
    """What a platform offers: find our comment, create one, update one."""

    def find_comment(self, submission_id: str) -> str | None:
        """The id of the submission's comment carrying MARKER and written by us, if there is one."""

    def create_comment(self, submission_id: str, body: str, report: Report, key: str) -> str:
        """Create the comment; return its id."""

    def update_comment(
        self, submission_id: str, comment_id: str, body: str, report: Report, key: str
    ) -> None:
        """Replace the comment's body."""

    def close(self) -> None: ...


def post_report(
    report: Report,
    submission_id: str,
    revision: int,
    config: PlatformConfig,
    *,
    environ: Mapping[str, str] | None = None,
) -> str:
    """Create or update the submission's qualitybot comment; return the comment id."""
    return publish(report, submission_id, revision, config, environ=environ).comment_id


def publish(
    report: Report,
    submission_id: str,
    revision: int,
    config: PlatformConfig,
    *,
    environ: Mapping[str, str] | None = None,
    body: str | None = None,
) -> Posted:
    """Like :func:`post_report`, and say whether the comment was created or updated.

    ``body``: the comment's Markdown (starting with MARKER), if not the rendered report.
    """
    submission_id = str(submission_id)
    check_submission_id(submission_id)
    if body is None:
        body = markdown.render(report, footer=f"submission {submission_id}, revision {revision}")
    adapter = adapter_for(config, environ)
    try:
        existing = adapter.find_comment(submission_id)
        if existing is None:
            key = idempotency_key(submission_id, revision, "create", body)
            return Posted(adapter.create_comment(submission_id, body, report, key), created=True)
        key = idempotency_key(submission_id, revision, "update", body)
        try:
            adapter.update_comment(submission_id, existing, body, report, key)
        except PlatformError as exc:
            if exc.status != 404:
                raise
            # Deleted between listing and updating: the submission has no comment now.
            key = idempotency_key(submission_id, revision, "create", body)
            return Posted(adapter.create_comment(submission_id, body, report, key), created=True)
        return Posted(existing, created=False)
    finally:
        adapter.close()


_UNSAFE_ID = re.compile(r"[\s\x00-\x1f\x7f]")
_TOKEN = re.compile(r"[\x21-\x7e]+")


def check_submission_id(submission_id: str) -> None:
    """Refuse ids that would be syntax in a URL path rather than data."""
    if not submission_id:
        raise PlatformConfigError("no submission id to post the report to")
    if submission_id in (".", "..") or _UNSAFE_ID.search(submission_id) or len(submission_id) > 200:
        raise PlatformConfigError(
            f"invalid submission id {submission_id[:60]!r}: no '.' or '..', no whitespace, at most 200 characters"
        )


def read_token(environ: Mapping[str, str], name: str) -> str:
    """The token in ``environ[name]``, stripped; PlatformConfigError (not showing it) if unusable."""
    token = environ.get(name, "").strip()
    if token and not _TOKEN.fullmatch(token):
        raise PlatformConfigError(
            f"{name}: the token contains a space, control or non-ASCII character (not shown); "
            "check how the secret is stored"
        )
    return token


def adapter_for(config: PlatformConfig, environ: Mapping[str, str] | None = None) -> Adapter:
    """The adapter of ``config.kind``, with its token read from the environment."""
    environ = os.environ if environ is None else environ
    token = read_token(environ, config.token_env)
    if config.kind == "github":
        from qualitybot.platform.github import GitHubPlatform

        # GitHub Actions hands out GITHUB_TOKEN; use it unless another variable is configured.
        if not token and config.token_env == PlatformConfig().token_env:
            token = read_token(environ, "GITHUB_TOKEN")
        if not token:
            raise PlatformConfigError(
                f"no token: set {config.token_env} (or GITHUB_TOKEN) in the environment"
            )
        return GitHubPlatform(config, token, environ)
    from qualitybot.platform.generic import GenericPlatform

    if not config.api:
        raise PlatformConfigError("no platform API URL: set platform: {api: ...} in the rules file")
    if not token:
        raise PlatformConfigError(f"no token: set {config.token_env} in the environment")
    return GenericPlatform(config, token)


def idempotency_key(submission_id: str, revision: int, operation: str, body: str) -> str:
    """The same key for the same write of the same revision, so retries are harmless.

    The content's digest is part of it: re-checking a revision with changed rules
    is a new write, which a platform that caches keys must not swallow.
    """
    digest = hashlib.sha256(f"{submission_id}\n{revision}\n{operation}\n{body}".encode()).hexdigest()
    return f"qualitybot-r{revision}-{operation}-{digest[:24]}"
