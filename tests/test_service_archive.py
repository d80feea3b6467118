"""The bot keeps the archive of earlier articles: a later copy of a submission fails, across restarts.

Real ``qualitybot serve`` processes, the platform simulator, SQLite and a real redis-server.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from qualitybot.archive import open_archive
from tests.archive_samples import ORIGINAL, UNRELATED, spun
from tests.platform_sim import Fault, PlatformSimulator
from tests.service_harness import TOKEN, RedisServer, Service, event, wait_for

QUICK_PLATFORM = {"max_attempts": 2, "backoff": 0.05, "max_backoff": 0.2, "read_timeout": 10, "deadline": 20}


def write_rules(path: Path, api: str, archive: dict[str, str]) -> Path:
    platform = {"kind": "generic", "api": api, **QUICK_PLATFORM}
    path.write_text(
        f"archive: {json.dumps(archive)}\nrules:\n  duplicates: {{}}\nplatform: {json.dumps(platform)}\n",
        encoding="utf-8",
    )
    return path


def latest_report(sim: PlatformSimulator, submission_id: str, revision: int) -> dict[str, Any] | None:
    thread = sim.comments.get(submission_id) or []
    if not thread:
        return None
    report: dict[str, Any] = thread[-1]["report"]
    if report["documents"][0]["path"] != f"{submission_id} (revision {revision})":
        return None
    return report


def archive_rules(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["rule"], f["message"]) for f in report["documents"][0]["findings"] if "archive" in f["rule"]]


def post_and_wait(service: Service, sim: PlatformSimulator, submission_id: str, revision: int, body: str) -> Any:
    assert service.send(event(submission_id, revision, body)).status_code == 202
    assert wait_for(lambda: latest_report(sim, submission_id, revision) is not None, timeout=60), submission_id
    return latest_report(sim, submission_id, revision)


def test_later_copy_fails_across_a_kill9_between_check_and_add(tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    with PlatformSimulator(token=TOKEN) as sim:
        rules = write_rules(tmp_path / "rules.yml", sim.url, {"path": str(archive_dir)})
        service = Service(rules, tmp_path / "data", tmp_path / "serve-1.log", workers=2).start()
        try:
            # The platform hangs on the first comment: the worker has checked sub-A and is
            # posting its report, and has not added it to the archive yet. Then kill -9.
            sim.fail(*[Fault(status=503, delay=3.0) for _ in range(3)])
            assert service.send(event("sub-A", 1, ORIGINAL)).status_code == 202
            assert wait_for(lambda: len(sim.requests) >= 1, timeout=60), "sub-A was never checked"
            children = service.children()
            service.kill9()
            assert open_archive(str(archive_dir)).stats()["documents"] == 0, "killed before the add"
        finally:
            service.stop()
        sim.faults.clear()
        for pid in children:  # the check processes follow their parent out
            assert wait_for(lambda pid=pid: not Path(f"/proc/{pid}").exists(), timeout=15)

        service = Service(rules, tmp_path / "data", tmp_path / "serve-2.log", workers=2).start()
        try:
            # The restart re-runs sub-A (check, post, add): nothing acknowledged is lost.
            assert wait_for(lambda: latest_report(sim, "sub-A", 1) is not None, timeout=60)
            assert wait_for(lambda: open_archive(str(archive_dir)).stats()["documents"] == 1, timeout=30)
            first = latest_report(sim, "sub-A", 1)
            assert first is not None and archive_rules(first) == []

            # A revision of sub-A is never a copy of its earlier revision, and replaces it.
            revised = post_and_wait(service, sim, "sub-A", 2, spun(ORIGINAL, 0.1))
            assert archive_rules(revised) == []

            copied = post_and_wait(service, sim, "sub-B", 1, spun(ORIGINAL, 0.2))
            assert copied["verdict"] == "fail"
            [(rule, message)] = archive_rules(copied)
            assert rule == "duplicates.archive" and "earlier document 'sub-A'" in message
            [finding] = [f for f in copied["documents"][0]["findings"] if f["rule"] == "duplicates.archive"]
            assert finding["related"] and {p["path"] for p in finding["related"]} == {"sub-A"}
            new_story = post_and_wait(service, sim, "sub-C", 1, UNRELATED)
            assert archive_rules(new_story) == [] and new_story["verdict"] == "pass"
            assert wait_for(lambda: open_archive(str(archive_dir)).stats()["documents"] == 3, timeout=30)
        finally:
            service.stop()


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
def test_later_copy_fails_on_the_redis_queue_across_a_restart(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path).start()
    try:
        with PlatformSimulator(token=TOKEN) as sim:
            rules = write_rules(tmp_path / "rules.yml", sim.url, {"redis": redis.url})
            service = Service(rules, tmp_path / "data", tmp_path / "serve-1.log", workers=2, redis_url=redis.url)
            service.start()
            try:
                first = post_and_wait(service, sim, "sub-A", 1, ORIGINAL)
                assert archive_rules(first) == []
            finally:
                service.stop()
            # Another data dir: nothing of the first process is left but Redis.
            service = Service(rules, tmp_path / "data-2", tmp_path / "serve-2.log", workers=2, redis_url=redis.url)
            service.start()
            try:
                copied = post_and_wait(service, sim, "sub-B", 1, spun(ORIGINAL, 0.2))
                assert copied["verdict"] == "fail"
                [(rule, message)] = archive_rules(copied)
                assert rule == "duplicates.archive" and "earlier document 'sub-A'" in message
            finally:
                service.stop()
            assert open_archive(redis.url).stats()["documents"] == 2
    finally:
        redis.stop()
