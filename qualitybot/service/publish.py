"""The bridge from the worker to the platform adapter (qualitybot.platform)."""

from __future__ import annotations

from collections.abc import Callable

from qualitybot.report import Report
from qualitybot.service.settings import Settings
from qualitybot.service.worker import PlatformUnavailable, Publisher


class _Missing:
    def publish(self, submission_id: str, report: Report) -> None:
        raise PlatformUnavailable("platform adapter not available yet")


def publisher_factory(settings: Settings) -> Callable[[], Publisher]:
    return _Missing
