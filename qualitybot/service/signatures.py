"""Who sent this event? Verify a webhook's signature over its raw body.

Standard Webhooks (the default, via the ``standardwebhooks`` reference library):
``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` with a
``whsec_<base64>`` secret; several space-separated signatures may be sent (during a
secret rotation) and one match is enough; timestamps more than five minutes away
from now are refused so that a captured request cannot be replayed later.

GitHub style (when configured): ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of
the body>`` with the secret as given, and ``X-GitHub-Delivery`` as the delivery id.
GitHub signs no timestamp, so replays are stopped by the delivery-id dedupe only.

Both compare in constant time. Error messages never contain the secret or a signature.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the library is part of the `service` extra: imported when a verifier is built
    from standardwebhooks.webhooks import Webhook

Scheme = Literal["standard", "github"]
SCHEMES: tuple[Scheme, ...] = ("standard", "github")


class SignatureError(Exception):
    """The event is not from the platform (or is too old): answer 401."""


class SecretError(Exception):
    """The configured secret cannot be used (a configuration error, not a request error)."""


class Verifier:
    """Checks one scheme's signature and names the event's delivery id."""

    def __init__(self, secret: str, scheme: Scheme = "standard") -> None:
        if not secret:
            raise SecretError("the webhook secret is empty")
        self.scheme = scheme
        self._github_key = secret.encode("utf-8")
        self._standard: Webhook | None = None
        if scheme == "standard":
            if not secret.startswith("whsec_"):
                raise SecretError("a Standard Webhooks secret starts with 'whsec_' followed by base64")
            try:
                from standardwebhooks.webhooks import Webhook

                self._standard = Webhook(secret)
            except Exception:  # the library raises binascii.Error or its own: never echo the secret
                raise SecretError("the webhook secret is not valid base64 after 'whsec_'") from None

    def delivery_id(self, headers: Mapping[str, str]) -> str:
        name = "webhook-id" if self.scheme == "standard" else "x-github-delivery"
        return headers.get(name, "").strip()

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Raise SignatureError unless ``body`` was signed with our secret (and is fresh)."""
        if self._standard is not None:
            try:
                self._standard.verify(body, dict(headers), json_parse=False)
            except Exception as exc:  # bad base64, non-UTF-8 body, malformed header: all 401
                reason = str(exc) if type(exc).__name__ == "WebhookVerificationError" else "malformed signature"
                raise SignatureError(reason) from None
            return
        sent = headers.get("x-hub-signature-256", "")
        if not sent.startswith("sha256="):
            raise SignatureError("missing X-Hub-Signature-256")
        expected = "sha256=" + hmac.new(self._github_key, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode("ascii"), sent.strip().encode("utf-8", "replace")):
            raise SignatureError("no matching signature found")


def standard_headers(secret: str, delivery_id: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The headers a platform sends with ``body`` (for tests, benchmarks and simulators)."""
    from standardwebhooks.webhooks import Webhook

    webhook = Webhook(secret)
    signature = webhook.sign(delivery_id, datetime.fromtimestamp(timestamp, UTC), body.decode("utf-8"))
    return {"webhook-id": delivery_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def github_headers(secret: str, delivery_id: str, body: bytes) -> dict[str, str]:
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return {"x-github-delivery": delivery_id, "x-hub-signature-256": f"sha256={digest}"}
