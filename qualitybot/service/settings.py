"""The service's configuration: command-line options, then environment, then defaults.

Secrets come from the environment only (never from argv, where ``ps`` shows them)
and are never logged or printed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from qualitybot.config import RuleSet, find_rules_file, load_rules
from qualitybot.service.signatures import SCHEMES, Scheme

SECRET_ENV = "QUALITYBOT_WEBHOOK_SECRET"
SIGNATURE_ENV = "QUALITYBOT_WEBHOOK_SIGNATURE"
REDIS_ENV = "QUALITYBOT_REDIS_URL"
DEFAULT_DATA_DIR = "qualitybot-data"


class SettingsError(Exception):
    """Unusable configuration: exit 2 with this message."""


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected a number, got {raw[:40]!r}") from None
    if not 0 <= value < 1e12:
        raise SettingsError(f"{name}: must be a number from 0 to 1e12")
    return value


@dataclass(frozen=True)
class Settings:
    rules_path: Path
    ruleset: RuleSet
    data_dir: Path
    redis_url: str | None
    workers: int
    # Processes that run the checks for `serve`'s worker threads (0: in the threads themselves).
    check_processes: int = 0
    # How long one worker may hold a submission before another may take over.
    lease_ttl: float = 300.0
    # Retry delays while the platform is down: base * 2**attempt, at most retry_max.
    retry_base: float = 1.0
    retry_max: float = 300.0
    # An event handed to the queue that is still not done after this long is handed
    # over again (a worker machine may have died with it); re-runs are harmless.
    requeue_after: float = 900.0
    reconcile_interval: float = 5.0
    # An event whose check fails the same way this many times gets a "could not check" comment.
    check_attempts: int = 3
    # A check process is killed past this many seconds, or past this much memory (MiB, 0: no limit).
    check_timeout: float = 120.0
    check_memory: int = 2048
    # Events larger than this (bytes) are checked in the lane for large documents.
    large_document: int = 100_000
    # How long delivery ids are remembered for deduplication.
    retention: float = 7 * 24 * 3600.0

    @property
    def queue_kind(self) -> str:
        return "redis" if self.redis_url else "sqlite"

    @classmethod
    def load(
        cls,
        rules: str | None,
        data_dir: str | None,
        redis_url: str | None,
        workers: int,
        check_processes: int = 0,
    ) -> Settings:
        rules_path = find_rules_file(rules)
        ruleset = load_rules(rules_path)  # ConfigError: reported by the CLI with file:line
        platform = ruleset.platform
        if platform.kind == "generic" and not platform.api:
            raise SettingsError(
                f"{rules_path}: platform: the service needs `platform: {{kind: generic, api: URL}}` in the rules file"
            )
        if workers < 0 or check_processes < 0:
            raise SettingsError("--workers and --check-processes must be 0 or more")
        return cls(
            rules_path=rules_path,
            ruleset=ruleset,
            data_dir=Path(data_dir or DEFAULT_DATA_DIR),
            redis_url=redis_url or os.environ.get(REDIS_ENV) or None,
            workers=workers,
            check_processes=check_processes,
            lease_ttl=_env_float("QUALITYBOT_LEASE_TTL", cls.lease_ttl),
            retry_base=_env_float("QUALITYBOT_RETRY_BASE", cls.retry_base),
            retry_max=_env_float("QUALITYBOT_RETRY_MAX", cls.retry_max),
            requeue_after=_env_float("QUALITYBOT_REQUEUE_AFTER", cls.requeue_after),
            reconcile_interval=max(0.2, _env_float("QUALITYBOT_RECONCILE_INTERVAL", cls.reconcile_interval)),
            check_attempts=max(1, int(_env_float("QUALITYBOT_CHECK_ATTEMPTS", cls.check_attempts))),
            check_timeout=max(0.1, _env_float("QUALITYBOT_CHECK_TIMEOUT", cls.check_timeout)),
            check_memory=int(_env_float("QUALITYBOT_CHECK_MEMORY", cls.check_memory)),
            large_document=int(_env_float("QUALITYBOT_LARGE_DOCUMENT", cls.large_document)),
        )


def webhook_secret() -> tuple[str, Scheme]:
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        raise SettingsError(f"set {SECRET_ENV} to the secret the platform signs webhooks with (whsec_...)")
    scheme = os.environ.get(SIGNATURE_ENV, "standard")
    if scheme not in SCHEMES:
        raise SettingsError(f"{SIGNATURE_ENV}: expected one of {', '.join(SCHEMES)}, got {scheme!r}")
    return secret, scheme
