"""``qualitybot serve`` and ``qualitybot worker``: the service's command-line entry points."""

from __future__ import annotations

import argparse
import logging
import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from qualitybot.service import logs
from qualitybot.service.settings import Settings, SettingsError, webhook_secret

if TYPE_CHECKING:
    from qualitybot.service.signatures import Verifier
    from qualitybot.service.worker import Publisher

log = logging.getLogger("qualitybot.service")


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = commands.add_parser(
        "serve",
        help="run the bot service: webhooks in, one up-to-date comment per submission out",
        description="Answer the platform's signed webhooks and post a report per submission. "
        "Environment: QUALITYBOT_WEBHOOK_SECRET (required), QUALITYBOT_PLATFORM_TOKEN, "
        "QUALITYBOT_WEBHOOK_SIGNATURE=standard|github, QUALITYBOT_REDIS_URL. See the README, 'The bot service'.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s)")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (default %(default)s)")
    serve.add_argument(
        "--check-processes",
        type=int,
        default=min(4, os.cpu_count() or 1),
        metavar="N",
        help="processes that run the checks, so that acknowledgements never wait for them, plus one "
        "for large documents (0: in the worker threads; default: one per core, at most 4)",
    )
    serve.add_argument(
        "--max-body",
        type=float,
        default=1.0,
        metavar="MIB",
        help="largest webhook body accepted, in MiB (default %(default)g)",
    )
    serve.add_argument(
        "--header-timeout",
        type=_seconds,
        default=10.0,
        metavar="S",
        help="close a connection that has not sent its request headers within S seconds (default %(default)g)",
    )
    serve.add_argument(
        "--body-timeout",
        type=_seconds,
        default=30.0,
        metavar="S",
        help="answer 408 to a request whose body has not arrived within S seconds (default %(default)g)",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=1000,
        metavar="N",
        help="open connections at most (the longest-waiting idle one is closed for a new one; default %(default)s)",
    )
    worker = commands.add_parser(
        "worker",
        help="run extra queue workers (scale-out: other processes or machines)",
        description="Consume the queue that `qualitybot serve` fills: with --redis on any machine, "
        "or with the SQLite queue on the serve machine (same --data-dir).",
    )
    for parser, default_workers in ((serve, 4), (worker, 4)):
        parser.add_argument(
            "--rules",
            metavar="FILE",
            help="rules file with a `platform:` section (default: ./qualitybot.yml, ./.qualitybot.yml)",
        )
        parser.add_argument("--data-dir", metavar="DIR", help="inbox and queue directory (default ./qualitybot-data)")
        parser.add_argument(
            "--redis",
            metavar="URL",
            help="use huey on Redis instead of SQLite in the data dir (default: $QUALITYBOT_REDIS_URL)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers,
            metavar="N",
            help="worker threads in this process (serve: 0 = only accept; default %(default)s)",
        )
        parser.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text[:40]!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("expected a number of seconds from 0 to 3600")
    return value


def make_publisher(settings: Settings) -> Publisher:
    from qualitybot.platform import PlatformConfigError
    from qualitybot.service.publish import PlatformPublisher

    publisher = PlatformPublisher(settings.ruleset.platform)
    try:
        publisher.check_config()
    except PlatformConfigError as exc:
        raise SettingsError(f"{settings.rules_path}: platform: {exc.message}") from None
    return publisher


def check_redis(settings: Settings) -> None:
    """With --redis, fail now with a clear message if Redis cannot be reached."""
    if not settings.redis_url:
        return
    import redis

    try:
        redis.Redis.from_url(settings.redis_url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (redis.RedisError, ValueError) as exc:
        parts = urlsplit(settings.redis_url)  # the URL may hold a password: name host and port only
        raise SettingsError(f"cannot reach Redis at {parts.hostname}:{parts.port or 6379}: {exc}") from None


def check_serve_settings(args: argparse.Namespace) -> tuple[Settings, Verifier, Publisher]:
    """Everything `serve` needs, validated before anything starts (SettingsError: exit 2)."""
    from qualitybot.service.signatures import SecretError, Verifier

    processes = args.check_processes if args.workers else 0
    settings = Settings.load(args.rules, args.data_dir, args.redis, args.workers, processes)
    secret, scheme = webhook_secret()
    try:
        verifier = Verifier(secret, scheme)
    except SecretError as exc:
        raise SettingsError(f"QUALITYBOT_WEBHOOK_SECRET: {exc}") from None
    publisher = make_publisher(settings)
    check_redis(settings)
    return settings, verifier, publisher


def run_serve(args: argparse.Namespace) -> int:
    settings, verifier, _ = check_serve_settings(args)  # the dispatcher builds its own publisher
    if args.max_connections < 1:
        raise SettingsError("--max-connections must be at least 1")
    if not 0 < args.max_body <= 1024:
        raise SettingsError("--max-body must be more than 0 and at most 1024 MiB")
    # Configuration is sound: only now load the web stack and start logging as JSON.
    import uvicorn

    from qualitybot.service.app import Service, create_app
    from qualitybot.service.connections import connection_cap, guarded
    from qualitybot.service.dispatcher import DispatcherArgs

    logs.configure(args.log_level)
    service = Service(settings, verifier, DispatcherArgs.of(settings, args.log_level))
    app = create_app(service, max_body=int(args.max_body * 1024 * 1024), body_timeout=args.body_timeout)
    cap = connection_cap(args.max_connections)
    protocol = guarded(args.header_timeout, args.body_timeout, cap)
    log.info(f"listening on http://{args.host}:{args.port} (at most {cap} connections)")
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        http=protocol,
        loop="uvloop",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
    return 0


def run_worker(args: argparse.Namespace) -> int:
    from qualitybot.service.checking import InlineChecker
    from qualitybot.service.state import open_state
    from qualitybot.service.worker import Processor, build_queue, consumer, register

    settings = Settings.load(args.rules, args.data_dir, args.redis, args.workers)
    logs.configure(args.log_level)
    if settings.workers < 1:
        raise SettingsError("--workers must be at least 1 for `qualitybot worker`")
    check_redis(settings)
    huey = build_queue(settings)
    state = open_state(settings.data_dir, settings.redis_url)
    state.free_dead_leases()
    processor = Processor(settings, state, make_publisher(settings), InlineChecker(settings.ruleset))
    register(huey, processor)
    processor.warm_up()
    log.info("worker started", extra={"queue": settings.queue_kind, "workers": settings.workers})
    consumer(huey, settings.workers, embedded=False).run()  # returns on SIGINT/SIGTERM
    return 0
