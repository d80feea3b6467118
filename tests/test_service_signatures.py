"""Webhook signatures: Standard Webhooks (default) and GitHub's X-Hub-Signature-256."""

from __future__ import annotations

import base64
import time

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
NOW = int(time.time())


def signed(secret: str = SECRET, body: bytes = BODY, timestamp: int = NOW, msg_id: str = "msg_1") -> dict[str, str]:
    return standard_headers(secret, msg_id, body, timestamp)


def with_signature(value: str) -> dict[str, str]:
    return {**signed(), "webhook-signature": value}


GOOD = signed()["webhook-signature"]
BAD = signed(OTHER)["webhook-signature"]


@pytest.mark.parametrize(
    ("headers", "body", "error"),
    [
        (signed(), BODY, None),
        (signed(timestamp=NOW - 299), BODY, None),  # inside the 5-minute tolerance
        (signed(timestamp=NOW + 299), BODY, None),  # a platform clock a little ahead
        (with_signature(f"{BAD} {GOOD}"), BODY, None),  # secret rotation: one of several matches
        (with_signature(f"v2,abc {GOOD}"), BODY, None),  # unknown versions are skipped
        (signed(OTHER), BODY, "No matching signature"),
        (signed(), BODY + b" ", "No matching signature"),  # body changed after signing
        ({**signed(), "webhook-id": "msg_2"}, BODY, "No matching signature"),  # id is signed too
        (signed(timestamp=NOW - 301), BODY, "too old"),
        (signed(timestamp=NOW + 301), BODY, "too new"),
        ({**signed(), "webhook-timestamp": "yesterday"}, BODY, "Invalid Signature Headers"),
        (with_signature(""), BODY, "Missing required headers"),
        ({k: v for k, v in signed().items() if k != "webhook-id"}, BODY, "Missing required headers"),
        (with_signature("v1"), BODY, "malformed signature"),
        (with_signature("v1,%%%not-base64"), BODY, "malformed signature"),
        (signed(), b"\xff\xfe not utf-8", "malformed signature"),
    ],
)
def test_standard_webhooks(headers: dict[str, str], body: bytes, error: str | None) -> None:
    verifier = Verifier(SECRET)
    assert verifier.delivery_id(headers) == headers.get("webhook-id", "")
    if error is None:
        verifier.verify(headers, body)
        return
    with pytest.raises(SignatureError, match=error) as caught:
        verifier.verify(headers, body)
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
