"""Webhook signatures: Standard Webhooks (default) and GitHub's X-Hub-Signature-256."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import pytest

from qualitybot.service.signatures import (
    SecretError,
    SignatureError,
    Verifier,
    github_headers,
    standard_headers,
)

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
OTHER = "whsec_" + base64.b64encode(b"another secret, not the platform").decode()
BODY = b'{"type": "submission.created", "submission": {"id": "s", "revision": 1, "body": "x"}}'
Headers = Callable[[int], dict[str, str]]  # the headers, given the time of the test


def signed(secret: str = SECRET, body: bytes = BODY, age: int = 0, msg_id: str = "msg_1") -> Headers:
    return lambda now: standard_headers(secret, msg_id, body, now - age)


def changed(base: Headers, **headers: str) -> Headers:
    return lambda now: {**base(now), **headers}


def several(*signatures: str | None) -> Headers:
    """Several signatures in one header: a secret's (None: ours) or a literal one."""

    def make(now: int) -> dict[str, str]:
        mine = standard_headers(SECRET, "msg_1", BODY, now)
        other = standard_headers(OTHER, "msg_1", BODY, now)["webhook-signature"]
        values = [mine["webhook-signature"] if s is None else other if s == "other" else s for s in signatures]
        return {**mine, "webhook-signature": " ".join(values)}

    return make


def with_signature(value: str) -> Headers:
    return changed(signed(), **{"webhook-signature": value})


def without(name: str) -> Headers:
    return lambda now: {k: v for k, v in signed()(now).items() if k != name}


@pytest.mark.parametrize(
    ("headers", "body", "error"),
    [
        (signed(), BODY, None),
        (signed(age=290), BODY, None),  # inside the 5-minute tolerance
        (signed(age=-290), BODY, None),  # a platform clock a little ahead
        (several("other", None), BODY, None),  # secret rotation: one of several signatures matches
        (several("v2,abc", None), BODY, None),  # unknown versions are skipped
        (several("other", "v1,AAAA"), BODY, "No matching signature"),
        (signed(OTHER), BODY, "No matching signature"),
        (signed(), BODY + b" ", "No matching signature"),  # body changed after signing
        (changed(signed(), **{"webhook-id": "msg_2"}), BODY, "No matching signature"),  # the id is signed too
        (signed(age=310), BODY, "too old"),
        (signed(age=-310), BODY, "too new"),
        (changed(signed(), **{"webhook-timestamp": "yesterday"}), BODY, "Invalid Signature Headers"),
        (with_signature(""), BODY, "Missing required headers"),
        (without("webhook-id"), BODY, "Missing required headers"),
        (with_signature("v1"), BODY, "malformed signature"),
        (with_signature("v1,%%%not-base64"), BODY, "malformed signature"),
        (signed(), b"\xff\xfe not utf-8", "malformed signature"),
    ],
)
def test_standard_webhooks(headers: Headers, body: bytes, error: str | None) -> None:
    verifier = Verifier(SECRET)
    sent = headers(int(time.time()))
    assert verifier.delivery_id(sent) == sent.get("webhook-id", "")
    if error is None:
        verifier.verify(sent, body)
        return
    with pytest.raises(SignatureError, match=error) as caught:
        verifier.verify(sent, body)
    assert SECRET not in str(caught.value)


GH_SECRET = "a plain github secret"


@pytest.mark.parametrize(
    ("headers", "body", "ok"),
    [
        (github_headers(GH_SECRET, "d1", BODY), BODY, True),
        (github_headers("another secret", "d1", BODY), BODY, False),
        (github_headers(GH_SECRET, "d1", BODY), BODY + b"x", False),
        ({"x-github-delivery": "d1"}, BODY, False),
        ({"x-github-delivery": "d1", "x-hub-signature-256": "sha1=abc"}, BODY, False),
        ({"x-github-delivery": "d1", "x-hub-signature-256": "sha256=é"}, BODY, False),
    ],
)
def test_github_signature(headers: dict[str, str], body: bytes, ok: bool) -> None:
    verifier = Verifier(GH_SECRET, "github")
    assert verifier.delivery_id(headers) == "d1"
    if ok:
        verifier.verify(headers, body)
    else:
        with pytest.raises(SignatureError):
            verifier.verify(headers, body)


@pytest.mark.parametrize(
    ("secret", "scheme", "message"),
    [
        ("", "standard", "empty"),
        ("not-prefixed", "standard", "starts with 'whsec_'"),
        ("whsec_%%%%", "standard", "not valid base64"),
        ("", "github", "empty"),
    ],
)
def test_unusable_secrets(secret: str, scheme: str, message: str) -> None:
    with pytest.raises(SecretError, match=message) as caught:
        Verifier(secret, scheme)  # type: ignore[arg-type]
    assert "%%%%" not in str(caught.value)
