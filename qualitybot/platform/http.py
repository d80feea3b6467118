"""One careful HTTP client for the platform adapters: timeouts, retries, clear errors.

Every request has explicit connect and read timeouts. Failures that may pass
(connection errors, timeouts, 429 and 5xx answers) are retried with
exponential backoff and jitter, waiting at least as long as a ``Retry-After``
header asks, until ``max_attempts`` or the overall ``deadline`` (both from
:class:`~qualitybot.config.PlatformConfig`). Anything else fails at once with a
:class:`PlatformError` carrying the HTTP status and the platform's own message.

The token is sent as ``Authorization: Bearer`` and never appears in an error,
a log line or a repr; it is only sent over HTTPS, or plain HTTP to loopback.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from qualitybot import __version__
from qualitybot.config import PlatformConfig

log = logging.getLogger("qualitybot.platform")

RETRY_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_MESSAGE_CHARS = 300
_REMEMBERED: dict[tuple[str, str, str], str] = {}


class PlatformError(Exception):
    """Posting failed. ``status`` is the last HTTP status (None: no answer).

    ``retryable`` tells a caller with its own queue (the bot service) whether
    trying again later may succeed; ``retry_after`` is the platform's wish in
    seconds, if it said one.
    """

    def __init__(
        self,
        message: str,
        status: int | None = None,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


class PlatformConfigError(PlatformError):
    """The platform is not configured well enough to post (no API URL, no token...)."""


class Client:
    """Requests to one API with a bearer token, retried within the config's bounds."""

    def __init__(
        self,
        base_url: str,
        token: str,
        config: PlatformConfig,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.config = config
        self._token = token
        loopback = _check_transport(self.base_url)
        self.session = requests.Session()
        # The environment's proxies and CA bundle apply (CI behind a proxy, GitHub
        # Enterprise with its own CA), but not to loopback, and explicit auth keeps
        # requests from swapping the bearer token for .netrc credentials.
        self.session.auth = _Bearer(token)
        # Per request: requests merges environment proxies into a request's own.
        self._proxies: dict[str, str | None] = {"http": None, "https": None} if loopback else {}
        self.session.headers.update(
            {"User-Agent": f"qualitybot/{__version__}", "Accept": "application/json", **(headers or {})}
        )

    def __repr__(self) -> str:  # never show the token
        return f"Client({self.base_url!r})"

    def remembered(self, what: str, find: Callable[[], str]) -> str:
        """``find()``, once per API, token and ``what`` in this process (the bot's identity)."""
        key = (self.base_url, hashlib.sha256(self._token.encode()).hexdigest(), what)
        value = _REMEMBERED.get(key)
        if value is None:
            value = _REMEMBERED[key] = find()
        return value

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        idempotency_key: str | None = None,
    ) -> requests.Response:
        """A 2xx response to ``method url`` (a path under the base URL, or a full URL).

        Raises PlatformError once the answer is final or the retries are spent.
        """
        url = url if url.startswith(("http://", "https://")) else self.base_url + url
        what = f"{method} {_without_query(url)}"
        headers = {}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        config = self.config
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            remaining = config.deadline - (time.monotonic() - started)
            timeout = (min(config.connect_timeout, remaining), min(config.read_timeout, remaining))
            try:
                response = self.session.request(
                    method,
                    url,
                    json=json,
                    params=params,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                    proxies=self._proxies,  # type: ignore[arg-type]
                )
            except requests.Timeout as exc:
                failure = PlatformError(f"{what}: timed out ({_reason(exc, self._token)})", retryable=True)
            except requests.ConnectionError as exc:
                failure = PlatformError(
                    f"{what}: cannot connect ({_reason(exc, self._token)})", retryable=True
                )
            except requests.RequestException as exc:
                raise PlatformError(f"{what}: {_reason(exc, self._token)}") from None
            else:
                if 200 <= response.status_code < 300:
                    return response
                failure = self._failure(what, response)
            elapsed = time.monotonic() - started
            delay = self._delay(attempt, failure.retry_after)
            if not failure.retryable or attempt >= config.max_attempts or elapsed + delay >= config.deadline:
                if failure.retryable:
                    failure = _gave_up(failure, attempt, elapsed, delay, config)
                raise failure
            log.warning(
                "%s; retry %d of %d in %.2fs", failure.message, attempt, config.max_attempts - 1, delay
            )
            time.sleep(delay)

    def _failure(self, what: str, response: requests.Response) -> PlatformError:
        status = response.status_code
        headers = response.headers
        message = _scrub(platform_message(response), self._token)
        wish = retry_after(headers.get("Retry-After"))
        # GitHub answers rate limits with 403 and says when to come back.
        rate_limited = status == 403 and (wish is not None or headers.get("X-RateLimit-Remaining") == "0")
        if rate_limited and wish is None:
            wish = _seconds_until(headers.get("X-RateLimit-Reset"))
        retryable = status in RETRY_STATUSES or rate_limited
        text = f"{what}: HTTP {status} {response.reason or ''}".rstrip()
        if 300 <= status < 400:
            text += f" (redirect to {headers.get('Location', '?')} not followed)"
        return PlatformError(
            f"{text}: {message}" if message else text,
            status,
            retryable=retryable,
            retry_after=wish if retryable else None,
        )

    def _delay(self, attempt: int, wish: float | None) -> float:
        return backoff(attempt - 1, self.config.backoff, self.config.max_backoff, wish)


def backoff(retries: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Seconds before the next try: exponential with jitter, never shorter than the platform's Retry-After.

    ``retries`` counts the tries that failed before this one (0 before the first retry).
    The one formula of the CLI's posting and of the bot's queue.
    """
    ceiling = min(cap, base * 2**retries)
    jittered = ceiling * (0.5 + random.random() / 2)
    return float(round(max(jittered, retry_after or 0.0), 3))


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _seconds_until(epoch: str | None) -> float | None:
    try:
        return max(0.0, float(epoch or "") - time.time())
    except ValueError:
        return None


def platform_message(response: requests.Response) -> str:
    """What the platform said about a failure: a JSON ``error``/``message``/``detail``, else text."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error", "message", "detail", "title"):
            value = data.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value.get("detail")
            if isinstance(value, str) and value.strip():
                return _one_line(value)
    return _one_line(response.text or "")


def _gave_up(
    failure: PlatformError, attempt: int, elapsed: float, delay: float, config: PlatformConfig
) -> PlatformError:
    if attempt >= config.max_attempts:
        why = f"gave up after {attempt} attempts in {elapsed:.1f}s"
    else:
        why = (
            f"gave up after {attempt} attempts: the next one, in {delay:.1f}s, "
            f"would pass the {config.deadline:g}s deadline"
        )
    return PlatformError(
        f"{failure.message} ({why})", failure.status, retryable=True, retry_after=failure.retry_after
    )


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "_Bearer(...)"


def _check_transport(base_url: str) -> bool:
    """Refuse URLs that would leak the token; True when the host is loopback."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PlatformConfigError(f"platform API URL must be an http(s) URL, got {base_url!r}")
    if parts.username or parts.password:
        raise PlatformConfigError("platform API URL must not contain credentials; use the token variable")
    loopback = parts.hostname in _LOOPBACK_HOSTS
    if parts.scheme == "http" and not loopback:
        raise PlatformConfigError(f"refusing to send the token over plain http to {parts.hostname}; use https")
    return loopback


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]


def _reason(exc: Exception, token: str) -> str:
    # urllib3 wraps the root cause several times; the innermost reason is the readable one.
    reason: BaseException = exc
    while reason.args and isinstance(reason.args[0], BaseException):
        reason = reason.args[0]
    inner = getattr(reason, "reason", None)
    if isinstance(inner, BaseException):
        reason = inner
    return _scrub(_one_line(str(reason) or type(reason).__name__), token)


def _scrub(text: str, token: str) -> str:
    """``text`` without the token, also as a repr or JSON would escape it."""
    if not token:
        return text
    for form in {token, repr(token)[1:-1], token.encode("unicode_escape").decode("ascii")}:
        text = text.replace(form, "[token]")
    return text


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…"
