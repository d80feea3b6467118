"""The worker's side of the platform adapter (:mod:`qualitybot.platform`, not re-implemented here).

The adapter retries a failing request a few times within its own bounds (the rules
file's ``platform:`` timeouts, ``max_attempts`` and ``deadline``); when those are
spent and the failure may pass (429, 5xx, timeouts), it is turned into
:class:`~qualitybot.service.worker.PlatformUnavailable` so the queue tries again
later, for as long as it takes, instead of a worker thread sleeping on it.
"""

from __future__ import annotations

from qualitybot import platform
from qualitybot.config import PlatformConfig
from qualitybot.report import Report
from qualitybot.service.worker import PlatformUnavailable


class PlatformPublisher:
    def __init__(self, config: PlatformConfig) -> None:
        self.config = config

    def check_config(self) -> None:
        """Raise PlatformConfigError now (at start-up) if no report could ever be posted."""
        platform.adapter_for(self.config).close()

    def publish(self, submission_id: str, revision: int, report: Report, body: str | None = None) -> str:
        try:
            posted = platform.publish(report, submission_id, revision, self.config, body=body)
        except platform.PlatformError as exc:
            if exc.retryable:
                raise PlatformUnavailable(exc.message, exc.retry_after) from None
            raise
        return "created" if posted.created else "updated"
