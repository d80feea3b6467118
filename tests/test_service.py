"""The bot service end to end: real ``qualitybot serve`` processes, the platform simulator, kill -9.

Every test starts its own processes on 127.0.0.1 and bounds every wait.
"""

from __future__ import annotations

import base64
import json
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qualitybot.cli import build_parser
from qualitybot.service.commands import check_serve_settings
from qualitybot.service.settings import SettingsError
from qualitybot.service.signatures import github_headers, standard_headers
from tests.platform_sim import Fault, PlatformSimulator
from tests.service_harness import (
    SECRET,
    TOKEN,
    RedisServer,
    Service,
    Worker,
    alive,
    event,
    service_env,
    wait_for,
    write_rules,
)

OTHER_SECRET = "whsec_" + base64.b64encode(b"not the secret the bot was given").decode()
# Adapter retries in milliseconds and only twice, so the queue's own retries are exercised.
QUICK_PLATFORM = {"max_attempts": 2, "backoff": 0.05, "max_backoff": 0.2, "read_timeout": 5, "deadline": 10}


def comments_of(sim: PlatformSimulator) -> dict[str, list[dict[str, Any]]]:
    return {sub: thread for sub, thread in sim.comments.items() if thread}


def shows_revision(comment: dict[str, Any], submission_id: str, revision: int) -> bool:
    return (
        f"revision {revision}" in comment["body"]
        and comment["report"]["documents"][0]["path"] == f"{submission_id} (revision {revision})"
    )


def all_posted(sim: PlatformSimulator, expected: dict[str, int]) -> bool:
    posted = comments_of(sim)
    return all(sub in posted and shows_revision(posted[sub][-1], sub, rev) for sub, rev in expected.items())


def assert_exactly_one_latest(sim: PlatformSimulator, expected: dict[str, int]) -> None:
    posted = comments_of(sim)
    assert set(posted) == set(expected), "comments only for acknowledged submissions"
    for sub, rev in expected.items():
        assert len(posted[sub]) == 1, f"{sub}: {len(posted[sub])} comments"
        assert shows_revision(posted[sub][0], sub, rev), f"{sub}: not showing revision {rev}"


def assert_no_secrets(*logs: Path) -> None:
    for log in logs:
        text = log.read_text(encoding="utf-8")
        assert SECRET not in text and SECRET[6:] not in text and TOKEN not in text, f"secret in {log}"


# --- what the webhook answers ----------------------------------------------------------------


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, PlatformSimulator]]:
    tmp = tmp_path_factory.mktemp("service")
    with PlatformSimulator(token=TOKEN) as sim:
        rules = write_rules(tmp / "rules.yml", sim.url, **QUICK_PLATFORM)
        service = Service(rules, tmp / "data", tmp / "serve.log").start()
        try:
            yield service, sim
        finally:
            service.stop()
            assert_no_secrets(tmp / "serve.log")


# (case, submission id, body, request options, status); rows that must not post use "x-" ids.
ANSWERS: list[tuple[str, str, bytes, dict[str, Any], int]] = [
    ("signed event", "ok-1", event("ok-1", 1), {}, 202),
    ("signed twice (secret rotation)", "ok-2", event("ok-2", 2), {"rotate": True}, 202),
    ("wrong secret", "x-secret", event("x-secret", 1), {"secret": OTHER_SECRET}, 401),
    ("stale timestamp", "x-stale", event("x-stale", 1), {"age": 360}, 401),
    ("timestamp from the future", "x-future", event("x-future", 1), {"age": -360}, 401),
    ("no signature", "x-nosig", event("x-nosig", 1), {"headers": {"webhook-signature": ""}}, 401),
    ("body changed after signing", "x-tamper", event("x-tamper", 1), {"tamper": True}, 401),
    ("not JSON", "x-json", b"{not json", {}, 400),
    ("no submission", "x-nosub", b'{"type": "submission.created"}', {}, 400),
    (
        "negative revision",
        "x-rev",
        json.dumps({"type": "submission.created", "submission": {"id": "x-rev", "revision": -1, "body": "x"}}).encode(),
        {},
        400,
    ),
    (
        "body is not text",
        "x-body",
        json.dumps(
            {"type": "submission.created", "submission": {"id": "x-body", "revision": 1, "body": ["x"]}}
        ).encode(),
        {},
        400,
    ),
    (
        "unknown format",
        "x-fmt",
        json.dumps(
            {
                "type": "submission.created",
                "submission": {"id": "x-fmt", "revision": 1, "body": "x", "format": "docx"},
            }
        ).encode(),
        {},
        400,
    ),
    ("event type the gate ignores", "x-deleted", event("x-deleted", 1, kind="submission.deleted"), {}, 200),
    ("too large", "x-large", event("x-large", 1, body="word " * 20_000), {}, 413),
]


@pytest.mark.parametrize(("case", "sub", "body", "options", "status"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_webhook_answers(
    running: tuple[Service, PlatformSimulator],
    case: str,
    sub: str,
    body: bytes,
    options: dict[str, Any],
    status: int,
) -> None:
    service, _ = running
    options = dict(options)
    extra = dict(options.pop("headers", {}))
    now = int(time.time())
    if "age" in options:
        options["timestamp"] = now - options.pop("age")
    if options.pop("rotate", False):
        good = standard_headers(SECRET, f"rot-{sub}", body, now)["webhook-signature"]
        bad = standard_headers(OTHER_SECRET, f"rot-{sub}", body, now)["webhook-signature"]
        extra["webhook-signature"] = f"{bad} {good}"
        extra["webhook-timestamp"] = str(now)
        options["delivery_id"] = f"rot-{sub}"
    if options.pop("tamper", False):
        extra["webhook-signature"] = standard_headers(SECRET, "tampered", body + b" ", now)["webhook-signature"]
        extra["webhook-id"] = "tampered"
        extra["webhook-timestamp"] = str(now)
    answer = service.send(body, headers=extra, **options)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"


def test_redelivery_is_acknowledged_once(running: tuple[Service, PlatformSimulator]) -> None:
    service, _ = running
    body = event("ok-redelivered", 1)
    assert service.send(body, "delivery-twice").status_code == 202
    again = service.send(body, "delivery-twice")
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})


def test_only_accepted_events_were_posted(running: tuple[Service, PlatformSimulator]) -> None:
    service, sim = running
    expected = {"ok-1": 1, "ok-2": 2, "ok-redelivered": 1}
    assert wait_for(lambda: all_posted(sim, expected), timeout=20), comments_of(sim)
    time.sleep(0.5)  # nothing else may arrive late
    assert_exactly_one_latest(sim, expected)
    health = service.http.get(service.url + "/healthz", timeout=5).json()
    assert health["status"] == "ok" and health["queue"] == "sqlite"
    accepted = [line for line in service.log_lines() if line.get("msg") == "accepted"]
    assert {(line["delivery_id"], line["submission_id"]) for line in accepted} >= {("delivery-twice", "ok-redelivered")}


GITHUB_SECRET = "a plain github webhook secret"


@pytest.mark.parametrize(
    ("case", "headers", "status"),
    [
        ("signed", github_headers(GITHUB_SECRET, "gh-1", event("gh", 1)), 202),
        ("redelivered", github_headers(GITHUB_SECRET, "gh-1", event("gh", 1)), 200),
        ("wrong secret", github_headers("another secret", "gh-2", event("gh", 1)), 401),
        ("Standard Webhooks headers", {"webhook-id": "gh-3", "webhook-signature": "v1,AAAA"}, 401),
        (
            "no delivery id",
            {"x-hub-signature-256": github_headers(GITHUB_SECRET, "-", event("gh", 1))["x-hub-signature-256"]},
            400,
        ),
    ],
)
def test_github_signatures_when_configured(
    github_service: Service, case: str, headers: dict[str, str], status: int
) -> None:
    answer = github_service.http.post(
        github_service.url + "/webhooks/submissions", data=event("gh", 1), headers=headers, timeout=10
    )
    assert answer.status_code == status, answer.text


@pytest.fixture(scope="module")
def github_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    tmp = tmp_path_factory.mktemp("github")
    rules = write_rules(tmp / "rules.yml", "http://127.0.0.1:9/api")
    env = {"QUALITYBOT_WEBHOOK_SIGNATURE": "github", "QUALITYBOT_WEBHOOK_SECRET": GITHUB_SECRET}
    service = Service(rules, tmp / "data", tmp / "serve.log", workers=0, env=env).start()
    try:
        yield service
    finally:
        service.stop()
    assert GITHUB_SECRET not in (tmp / "serve.log").read_text(encoding="utf-8")


# --- kill -9 in the middle of the stream --------------------------------------------------------


def stream(submissions: int, revisions: int, seed: int) -> list[tuple[str, int]]:
    """Revisions of each submission, interleaved; some arrive out of order."""
    rng = random.Random(seed)
    events = []
    for rev in range(1, revisions + 1):
        batch = [(f"sub_{i:03d}", rev) for i in range(submissions)]
        rng.shuffle(batch)
        events += batch
    for i in range(0, len(events) - 1, 7):  # a newer revision overtakes an older one
        events[i], events[i + 1] = events[i + 1], events[i]
    return events


def send_all(
    service: Service,
    events: list[tuple[str, int]],
    acked: dict[str, tuple[str, bytes]],
    latest: dict[str, int],
) -> None:
    for sub, rev in events:
        delivery = f"d-{sub}-{rev}"
        body = event(sub, rev)
        answer = service.send(body, delivery)
        assert answer.status_code == 202, answer.text
        acked[delivery] = (sub, body)
        latest[sub] = max(latest.get(sub, 0), rev)


def test_kill9_mid_stream_and_restart(tmp_path: Path) -> None:
    events = stream(submissions=16, revisions=3, seed=7)
    first, second = events[:28], events[28:]
    acked: dict[str, tuple[str, bytes]] = {}
    latest: dict[str, int] = {}
    with PlatformSimulator(token=TOKEN) as sim:
        rules = write_rules(tmp_path / "rules.yml", sim.url, **QUICK_PLATFORM)
        # The platform struggles: errors, rate limits, a write that lands but whose answer is lost.
        sim.fail(
            Fault(status=500),
            Fault(status=503),
            Fault(status=429, retry_after="1"),
            Fault(status=500),
            Fault(status=500),
            Fault(status=502, method="POST", after_processing=True),
            Fault(status=500),
            Fault(status=429, retry_after="1"),
        )
        service = Service(rules, tmp_path / "data", tmp_path / "serve-1.log").start()
        send_all(service, first, acked, latest)
        # Make the platform hang so that workers are inside requests, then kill -9.
        seen = len(sim.requests)
        sim.fail(*[Fault(status=503, delay=1.5) for _ in range(4)])
        send_all(service, second[:6], acked, latest)
        assert wait_for(lambda: len(sim.requests) >= seen + 4, timeout=10)
        check_processes = service.children()
        assert check_processes, "serve checks in child processes"
        service.kill9()
        assert wait_for(lambda: not any(alive(pid) for pid in check_processes), timeout=10), "orphans left"
        sim.faults.clear()

        service = Service(rules, tmp_path / "data", tmp_path / "serve-2.log").start()
        started = [line for line in service.log_lines() if line.get("msg") == "started"]
        assert started and started[0]["requeued"] > 0, "the restart re-runs what was in flight"
        send_all(service, second[6:], acked, latest)
        try:
            assert wait_for(lambda: all_posted(sim, latest), timeout=30), "not every submission got its comment"
            assert_exactly_one_latest(sim, latest)
            statuses = [r.answered for r in sim.requests]
            assert {500, 503, 429} <= set(statuses), "platform failures were exercised"

            # Redeliveries (re-signed, same delivery ids) are recognised and change nothing.
            writes = len(sim.writes())
            for delivery in list(acked)[:: len(acked) // 8]:
                _, body = acked[delivery]
                assert service.send(body, delivery).status_code == 200
            time.sleep(1.5)
            assert len(sim.writes()) == writes
            assert_exactly_one_latest(sim, latest)
            assert wait_for(lambda: service.http.get(service.url + "/healthz").json()["pending"] == 0, 10)
        finally:
            service.stop()
        assert_no_secrets(tmp_path / "serve-1.log", tmp_path / "serve-2.log")


# --- scale-out: the queue in Redis, workers in other processes -----------------------------------


@pytest.mark.skipif(
    shutil.which("redis-server") is None,
    reason="redis-server is not installed (Debian: apt-get install redis-server)",
)
def test_redis_queue_with_separate_workers(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path).start()
    events = stream(submissions=12, revisions=2, seed=3)
    acked: dict[str, tuple[str, bytes]] = {}
    latest: dict[str, int] = {}
    # A worker is killed with tasks in hand: the reconciler sees their claims' holder
    # dead and hands them over at once (not after the 15-minute requeue_after).
    env: dict[str, str] = {}
    procs: list[Any] = []
    try:
        with PlatformSimulator(token=TOKEN) as sim:
            rules = write_rules(tmp_path / "rules.yml", sim.url, **QUICK_PLATFORM)
            sim.fail(Fault(status=500), Fault(status=429, retry_after="1"), Fault(status=503))
            workers = [
                Worker(rules, redis.url, tmp_path / f"w{i}", tmp_path / f"worker-{i}.log", env=env) for i in range(2)
            ]
            procs += [w.start() for w in workers]
            service = Service(
                rules, tmp_path / "data", tmp_path / "serve.log", workers=0, redis_url=redis.url, env=env
            ).start()
            procs.append(service)
            for worker in workers:
                worker.wait_ready()
            send_all(service, events[:12], acked, latest)
            seen = len(sim.requests)
            sim.fail(*[Fault(status=503, delay=1.5) for _ in range(4)])
            send_all(service, events[12:16], acked, latest)
            assert wait_for(lambda: len(sim.requests) >= seen + 4, timeout=10)
            workers[0].kill9()
            sim.faults.clear()
            send_all(service, events[16:], acked, latest)

            assert wait_for(lambda: all_posted(sim, latest), timeout=30), "not every submission got its comment"
            assert_exactly_one_latest(sim, latest)
            handed_over = [line for line in service.log_lines() if line.get("msg") == "handed over again"]
            assert handed_over, "the killed worker's events were handed over again"
            # Both took tasks from the queue; whether the killed one got to post before the
            # kill depends on timing, so "took a task" is what is asserted of it.
            tasks_taken = [
                len({line["delivery_id"] for line in w.log_lines() if "delivery_id" in line}) for w in workers
            ]
            assert all(n > 0 for n in tasks_taken), f"both workers shared the queue: {tasks_taken}"
            assert any(str(line.get("msg", "")).startswith("posted") for line in workers[1].log_lines())
            health = service.http.get(service.url + "/healthz", timeout=5).json()
            assert health["queue"] == "redis"
    finally:
        for proc in procs:
            proc.stop()
        redis.stop()
    assert_no_secrets(*(tmp_path / name for name in ("serve.log", "worker-0.log", "worker-1.log")))


# --- configuration errors: a clear message, exit 2, no traceback -----------------------------------


@pytest.mark.parametrize(
    ("env", "platform", "message"),
    [
        ({"QUALITYBOT_WEBHOOK_SECRET": ""}, True, "set QUALITYBOT_WEBHOOK_SECRET"),
        ({"QUALITYBOT_WEBHOOK_SECRET": "plain"}, True, "starts with 'whsec_'"),
        ({"QUALITYBOT_WEBHOOK_SIGNATURE": "hmac"}, True, "QUALITYBOT_WEBHOOK_SIGNATURE: expected one of"),
        ({}, False, "the service needs `platform:"),
        ({"QUALITYBOT_PLATFORM_TOKEN": ""}, True, "no token: set QUALITYBOT_PLATFORM_TOKEN"),
        ({"QUALITYBOT_RETRY_MAX": "soon"}, True, "QUALITYBOT_RETRY_MAX: expected a number"),
        ({"QUALITYBOT_REDIS_URL": "redis://:hunter2@127.0.0.1:1/0"}, True, "cannot reach Redis at 127.0.0.1:1"),
    ],
)
def test_configuration_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], platform: bool, message: str
) -> None:
    rules = tmp_path / "rules.yml"
    if platform:
        write_rules(rules, "http://127.0.0.1:9/api")
    else:
        rules.write_text("rules:\n  readability: {}\n", encoding="utf-8")
    for name, value in service_env(env).items():
        if name.startswith("QUALITYBOT_"):
            monkeypatch.setenv(name, value)
    args = build_parser().parse_args(["serve", "--rules", str(rules), "--data-dir", str(tmp_path / "d")])
    with pytest.raises(SettingsError, match=re.escape(message)) as caught:
        check_serve_settings(args)
    assert "hunter2" not in str(caught.value) and SECRET not in str(caught.value)
    assert not (tmp_path / "d").exists(), "nothing is created before the configuration is sound"


def test_configuration_error_from_the_command_line(tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules.yml", "http://127.0.0.1:9/api")
    result = subprocess.run(
        [sys.executable, "-m", "qualitybot", "serve", "--rules", str(rules), "--port", "9"],
        env=service_env({"QUALITYBOT_WEBHOOK_SECRET": ""}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "qualitybot: set QUALITYBOT_WEBHOOK_SECRET to the secret the platform signs webhooks with (whsec_...)"
    )
