"""The per-submission state every worker agrees on: SQLite (default) and Redis (scale-out).

The inbox, leases and revision marks on real SQLite files and a real redis-server.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from qualitybot.service.inbox import Inbox, RowError
from qualitybot.service.state import HOST, SCHEDULED, RedisState, SqliteState, SubmissionState

BACKENDS = [
    "sqlite",
    pytest.param(
        "redis",
        marks=pytest.mark.skipif(
            shutil.which("redis-server") is None,
            reason="redis-server is not installed (apt-get install redis-server)",
        ),
    ),
]


def open_backend(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[SubmissionState, str]:
    """The state, and the Python expression that opens the same state in another process."""
    if kind == "sqlite":
        return SqliteState(tmp_path), f"SqliteState(Path({str(tmp_path)!r}))"
    url = request.getfixturevalue("redis_url")
    prefix = f"test{abs(hash(str(tmp_path)))}"
    return RedisState(url, prefix), f"RedisState({url!r}, {prefix!r})"


@pytest.mark.parametrize("kind", BACKENDS)
@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        ([3], 3),
        ([1, 2, 3], 3),
        ([3, 2, 1], 3),  # a slow worker finishing an old revision cannot move it back
        ([2, 5, 4, 5], 5),
    ],
)
def test_finished_revision_only_moves_forward(
    kind: str, marks: list[int], expected: int, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    state, _ = open_backend(kind, tmp_path, request)
    assert state.done("sub") is None
    for revision in marks:
        state.set_done("sub", revision)
    assert state.done("sub") == expected
    assert state.done_many(["sub", "other"]) == {"sub": expected}


@pytest.mark.parametrize("kind", BACKENDS)
def test_lease_is_exclusive_until_released(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    state, _ = open_backend(kind, tmp_path, request)
    first = state.acquire("sub", ttl=60)
    assert first is not None
    assert state.acquire("sub", ttl=60) is None
    assert state.acquire("another", ttl=60) is not None
    state.release("sub", "not-the-holder")
    assert state.acquire("sub", ttl=60) is None
    state.release("sub", first)
    assert state.acquire("sub", ttl=60) is not None


@pytest.mark.parametrize("kind", BACKENDS)
def test_expired_lease_can_be_taken(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    state, _ = open_backend(kind, tmp_path, request)
    assert state.acquire("sub", ttl=0.05) is not None
    threading.Event().wait(0.2)
    assert state.acquire("sub", ttl=60) is not None


@pytest.mark.parametrize("kind", BACKENDS)
def test_lease_of_a_killed_process_is_taken_at_once(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    state, opener = open_backend(kind, tmp_path, request)
    code = (
        "import os; from pathlib import Path; from qualitybot.service.state import *\n"
        f"state = {opener}\nassert state.acquire('sub', ttl=3600)\nos._exit(0)  # dies holding it\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert state.acquire("sub", ttl=60) is not None


@pytest.mark.parametrize("kind", BACKENDS)
def test_claims_say_who_has_an_event_in_hand(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    state, opener = open_backend(kind, tmp_path, request)
    code = (
        "import os; from pathlib import Path; from qualitybot.service.state import *\n"
        f"state = {opener}\nstate.claim('d-dead', f'{{HOST}}:{{os.getpid()}}:worker', 3600)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    state.claim("d-working", f"{HOST}:{os.getpid()}:worker", 3600)
    state.claim("d-retrying", SCHEDULED, 3600)
    state.claim("d-other-host", "elsewhere:1:worker", 3600)
    state.claim("d-expired", SCHEDULED, 0.05)
    state.claim("d-finished", SCHEDULED, 3600)
    state.unclaim("d-finished")
    threading.Event().wait(0.2)
    everything = ["d-dead", "d-working", "d-retrying", "d-other-host", "d-expired", "d-finished", "d-never"]
    assert state.claimed(everything) == {"d-dead": False, "d-working": True, "d-retrying": True, "d-other-host": True}


def test_inbox_group_commit_keeps_every_event_once(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path)
    deliveries = [f"d{i % 150}" for i in range(400)]  # each id sent several times, concurrently
    with ThreadPoolExecutor(max_workers=24) as pool:
        stored = list(pool.map(lambda d: inbox.store(d, "sub", int(d[1:]), b"{}"), deliveries))
    assert sum(stored) == 150
    assert inbox.counts() == {"events": 150, "pending": 150, "failed": 0}
    assert SqliteState(tmp_path).latest_received("sub") == 149
    inbox.mark_done(["d1", "d2"])
    assert inbox.counts() == {"events": 150, "pending": 148, "failed": 0}
    assert {e.delivery_id for e in inbox.pending()} == {f"d{i}" for i in range(150)} - {"d1", "d2"}


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_lease_taken_over_cannot_be_renewed(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    # The fence before posting: a worker whose lease expired and was taken over must not post.
    state, _ = open_backend(kind, tmp_path, request)
    old = state.acquire("sub", ttl=0.05)
    assert old is not None and state.renew("sub", old, ttl=0.05), "our own lease renews"
    threading.Event().wait(0.2)
    new = state.acquire("sub", ttl=60)
    assert new is not None
    assert not state.renew("sub", old, ttl=60), "the stale worker is fenced off"
    assert state.renew("sub", new, ttl=60)
    state.release("sub", new)
    assert not state.renew("sub", new, ttl=60), "a released lease is gone"


@pytest.mark.parametrize("kind", BACKENDS)
def test_failures_are_recorded_per_event(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    state, _ = open_backend(kind, tmp_path, request)
    state.set_failed("d-1", "qb-123")
    assert state.failures(["d-1", "d-2"]) == {"d-1": "qb-123"}


def test_one_unstorable_event_does_not_fail_its_batch(tmp_path: Path) -> None:
    # Validation stops such rows first; this is the second line: a row that cannot be
    # written fails alone and the valid events committed with it are kept.
    inbox = Inbox(tmp_path)
    rows = [(f"d{i}", 2**63 if i % 10 == 3 else i) for i in range(40)]
    barrier = threading.Barrier(8)

    def store(row: tuple[str, int]) -> str:
        delivery, revision = row
        if int(delivery[1:]) < 8:
            barrier.wait()  # the first eight arrive together and share a commit
        try:
            return "stored" if inbox.store(delivery, "sub", revision, b"{}") else "duplicate"
        except RowError:
            return "refused"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcome = dict(zip([d for d, _ in rows], pool.map(store, rows), strict=True))
    assert {d for d, o in outcome.items() if o == "refused"} == {f"d{i}" for i in range(3, 40, 10)}
    assert sum(o == "stored" for o in outcome.values()) == 36
    assert inbox.counts() == {"events": 36, "pending": 36, "failed": 0}


def test_finished_marks_of_an_older_data_dir_are_kept(tmp_path: Path) -> None:
    # The state once lived in inbox.sqlite3; a data dir from then keeps its finished and failed marks.
    old = sqlite3.connect(tmp_path / "inbox.sqlite3")
    old.executescript(SqliteState.SCHEMA)
    old.execute("insert into done values ('sub-1', 3, 0)")
    old.execute("insert into failures values ('d-9', 'qb-123', 0)")
    old.commit()
    old.close()
    state = SqliteState(tmp_path)
    assert state.done("sub-1") == 3
    assert state.failures(["d-9"]) == {"d-9": "qb-123"}
    state.set_done("sub-1", 4)
    assert SqliteState(tmp_path).done("sub-1") == 4, "carried over once, not again at the next start"
