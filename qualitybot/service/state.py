"""What every worker must agree on per submission: the newest revision received, the
newest revision finished, and who is working on it right now (a lease).

- *finished* ("done") only moves forward, and only under the submission's lease, so a
  slow worker holding revision 2 can never overwrite the comment of revision 3.
- *received* lets a worker skip a revision that a newer one has already superseded.
- the *lease* serialises work on one submission across threads, processes and
  machines. It expires (``ttl``) so that a worker killed with ``kill -9`` cannot block
  its submission for ever; a lease of a dead process on the same host (the token
  names host and pid) is freed at once, at start-up or when another worker wants it.
  Every acquisition has a new token, which fences posting: right before it posts, a
  worker *renews* its lease for longer than posting can take (:meth:`renew`, atomic:
  only if the token is still its own). A worker whose lease expired during a long
  check and was taken over finds another token there and does not post, so a stale
  report never overwrites a newer one.
- a *failure* record says that an event ended without a report (it could not be
  checked, or the platform refused the comment), with the reference id given to the
  operator; the inbox marks such events failed.
- a *claim* says that an event is in hand: being worked on (by a process: token) or
  waiting in the queue's schedule for a retry, until a time. The reconciler hands an
  unfinished event over again only when nobody has a live claim on it, so a long
  platform outage does not multiply retries, and an event a killed process had taken
  is handed over as soon as the process is seen dead.

None of this needs to survive a power cut (losing it re-runs work, which is
harmless), so SQLite writes it without waiting for the disk.

Two stores with one interface: SQLite beside the inbox (single machine, the default)
and Redis (shared by worker machines, chosen together with the Redis task queue).
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import redis

from qualitybot.service.inbox import FILENAME as INBOX_FILENAME
from qualitybot.service.inbox import SCHEMA as INBOX_SCHEMA
from qualitybot.service.inbox import connect

FILENAME = "state.sqlite3"
HOST = socket.gethostname()
# Finished revisions are kept a month: longer than any redelivery window.
REDIS_KEY_TTL = 30 * 24 * 3600


def new_token() -> str:
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex}"


# A claim held by the queue's schedule rather than by a process.
SCHEDULED = "scheduled"


def token_is_dead(token: str) -> bool:
    """Whether a lease token belongs to a process of this host that no longer runs."""
    host, _, rest = token.partition(":")
    pid_text = rest.partition(":")[0]
    if host != HOST or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class SubmissionState(Protocol):
    def note_received(self, submission_id: str, revision: int) -> None: ...
    def latest_received(self, submission_id: str) -> int | None: ...
    def done(self, submission_id: str) -> int | None: ...
    def done_many(self, submission_ids: Iterable[str]) -> dict[str, int]: ...
    def set_done(self, submission_id: str, revision: int) -> None: ...
    def acquire(self, submission_id: str, ttl: float) -> str | None: ...
    def release(self, submission_id: str, token: str) -> None: ...
    def renew(self, submission_id: str, token: str, ttl: float) -> bool: ...
    def set_failed(self, delivery_id: str, reference: str) -> None: ...
    def failures(self, delivery_ids: Iterable[str]) -> dict[str, str]: ...
    def free_dead_leases(self) -> int: ...
    def claim(self, delivery_id: str, token: str, ttl: float) -> None: ...
    def unclaim(self, delivery_id: str) -> None: ...
    def claimed(self, delivery_ids: Iterable[str]) -> dict[str, bool]: ...
    def close(self) -> None: ...


class SqliteState:
    """State in ``state.sqlite3`` beside the inbox, whose ``events`` table (attached, only
    read) knows what was received. A file of its own: the workers' many small writes
    (leases, claims, marks) never hold the write lock that the inbox's fsynced commits,
    and so the acknowledgements, wait for."""

    SCHEMA = """
    create table if not exists done (
        submission_id text primary key, revision integer not null, done_at real not null);
    create table if not exists leases (
        submission_id text primary key, token text not null, expires_at real not null);
    create table if not exists claims (
        delivery_id text primary key, token text not null, expires_at real not null);
    create table if not exists failures (
        delivery_id text primary key, reference text not null, failed_at real not null);
    """

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / FILENAME
        self.inbox_path = data_dir / INBOX_FILENAME
        self._local = threading.local()
        with contextlib.closing(connect(self.inbox_path, fsync=False)) as inbox:
            inbox.executescript(INBOX_SCHEMA)
            upgrading = not self.path.exists() and _has_table(inbox, "done")
        self._conn().executescript(self.SCHEMA)
        if upgrading:  # a data dir from before the state had a file of its own: keep the marks
            for table in ("done", "failures"):
                self._conn().execute(f"insert or ignore into main.{table} select * from inbox.{table}")

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, fsync=False)
            conn.execute("attach database ? as inbox", (str(self.inbox_path),))  # read, never written
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def note_received(self, submission_id: str, revision: int) -> None:
        """Nothing to do: the inbox's rows are what was received."""

    def latest_received(self, submission_id: str) -> int | None:
        row = (
            self._conn()
            .execute("select max(revision) from inbox.events where submission_id = ?", (submission_id,))
            .fetchone()
        )
        return None if row[0] is None else int(row[0])

    def done(self, submission_id: str) -> int | None:
        row = self._conn().execute("select revision from done where submission_id = ?", (submission_id,)).fetchone()
        return None if row is None else int(row[0])

    def done_many(self, submission_ids: Iterable[str]) -> dict[str, int]:
        ids = list(set(submission_ids))
        found: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn().execute(
                f"select submission_id, revision from done where submission_id in ({marks})", chunk
            )
            found.update({r[0]: int(r[1]) for r in rows})
        return found

    def set_done(self, submission_id: str, revision: int) -> None:
        self._conn().execute(
            "insert into done (submission_id, revision, done_at) values (?, ?, ?)"
            " on conflict (submission_id) do update"
            " set revision = excluded.revision, done_at = excluded.done_at"
            " where excluded.revision > done.revision",
            (submission_id, revision, time.time()),
        )

    def acquire(self, submission_id: str, ttl: float) -> str | None:
        token = self._try_acquire(submission_id, ttl)
        if token is None and self._free_if_dead(submission_id):
            token = self._try_acquire(submission_id, ttl)
        return token

    def _free_if_dead(self, submission_id: str) -> bool:
        row = self._conn().execute("select token from leases where submission_id = ?", (submission_id,)).fetchone()
        if row is None or not token_is_dead(row[0]):
            return False
        self.release(submission_id, row[0])
        return True

    def _try_acquire(self, submission_id: str, ttl: float) -> str | None:
        token, now = new_token(), time.time()
        cursor = self._conn().execute(
            "insert into leases (submission_id, token, expires_at) values (?, ?, ?)"
            " on conflict (submission_id) do update"
            " set token = excluded.token, expires_at = excluded.expires_at"
            " where leases.expires_at < ?",
            (submission_id, token, now + ttl, now),
        )
        return token if cursor.rowcount == 1 else None

    def release(self, submission_id: str, token: str) -> None:
        self._conn().execute("delete from leases where submission_id = ? and token = ?", (submission_id, token))

    def renew(self, submission_id: str, token: str, ttl: float) -> bool:
        cursor = self._conn().execute(
            "update leases set expires_at = ? where submission_id = ? and token = ?",
            (time.time() + ttl, submission_id, token),
        )
        return cursor.rowcount == 1

    def set_failed(self, delivery_id: str, reference: str) -> None:
        self._conn().execute(
            "insert or replace into failures (delivery_id, reference, failed_at) values (?, ?, ?)",
            (delivery_id, reference, time.time()),
        )

    def failures(self, delivery_ids: Iterable[str]) -> dict[str, str]:
        ids = list(set(delivery_ids))
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn().execute(
                f"select delivery_id, reference from failures where delivery_id in ({marks})", chunk
            )
            found.update({r[0]: str(r[1]) for r in rows})
        return found

    def claim(self, delivery_id: str, token: str, ttl: float) -> None:
        self._conn().execute(
            "insert or replace into claims (delivery_id, token, expires_at) values (?, ?, ?)",
            (delivery_id, token, time.time() + ttl),
        )

    def unclaim(self, delivery_id: str) -> None:
        self._conn().execute("delete from claims where delivery_id = ?", (delivery_id,))

    def claimed(self, delivery_ids: Iterable[str]) -> dict[str, bool]:
        """Those of ``delivery_ids`` with an unexpired claim: is its holder alive?"""
        ids = list(set(delivery_ids))
        found: dict[str, bool] = {}
        now = time.time()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn().execute(
                f"select delivery_id, token from claims where expires_at > ? and delivery_id in ({marks})",
                [now, *chunk],
            )
            found.update({d: not token_is_dead(token) for d, token in rows})
        self._conn().execute("delete from claims where expires_at < ?", (now,))
        return found

    def free_dead_leases(self) -> int:
        rows = self._conn().execute("select submission_id, token from leases").fetchall()
        dead = [(sid, tok) for sid, tok in rows if token_is_dead(tok)]
        for sid, tok in dead:
            self.release(sid, tok)
        return len(dead)


# Set KEYS[1] to ARGV[1] unless it already holds a larger number (atomic "max").
_RAISE_TO = """
local current = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0
"""
# Delete KEYS[1] only if it still holds our token (a lease that expired and was taken
# over by another worker must not be released by us).
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# Extend KEYS[1] to ARGV[2] ms only if it still holds our token (the fence before posting).
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class RedisState:
    def __init__(self, url: str, prefix: str = "qualitybot") -> None:
        self._redis = redis.Redis.from_url(url, decode_responses=True)
        self._prefix = prefix
        self._raise_to = self._redis.register_script(_RAISE_TO)
        self._release = self._redis.register_script(_RELEASE)
        self._renew = self._redis.register_script(_RENEW)

    def _key(self, kind: str, submission_id: str) -> str:
        return f"{self._prefix}:{kind}:{submission_id}"

    def close(self) -> None:
        self._redis.close()

    def note_received(self, submission_id: str, revision: int) -> None:
        self._raise_to(keys=[self._key("received", submission_id)], args=[revision, REDIS_KEY_TTL])

    def latest_received(self, submission_id: str) -> int | None:
        value = self._redis.get(self._key("received", submission_id))
        return None if value is None else int(str(value))

    def done(self, submission_id: str) -> int | None:
        value = self._redis.get(self._key("done", submission_id))
        return None if value is None else int(str(value))

    def done_many(self, submission_ids: Iterable[str]) -> dict[str, int]:
        ids = list(set(submission_ids))
        found: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            values = self._redis.mget([self._key("done", s) for s in chunk])
            found.update({s: int(str(v)) for s, v in zip(chunk, values, strict=True) if v is not None})
        return found

    def set_done(self, submission_id: str, revision: int) -> None:
        self._raise_to(keys=[self._key("done", submission_id)], args=[revision, REDIS_KEY_TTL])

    def acquire(self, submission_id: str, ttl: float) -> str | None:
        key = self._key("lease", submission_id)
        token = new_token()
        if self._redis.set(key, token, nx=True, px=int(ttl * 1000)):
            return token
        holder = self._redis.get(key)
        if holder is None or not token_is_dead(str(holder)) or not self._release(keys=[key], args=[holder]):
            return None
        return token if self._redis.set(key, token, nx=True, px=int(ttl * 1000)) else None

    def release(self, submission_id: str, token: str) -> None:
        self._release(keys=[self._key("lease", submission_id)], args=[token])

    def renew(self, submission_id: str, token: str, ttl: float) -> bool:
        return bool(self._renew(keys=[self._key("lease", submission_id)], args=[token, max(1, int(ttl * 1000))]))

    def set_failed(self, delivery_id: str, reference: str) -> None:
        self._redis.set(self._key("failed", delivery_id), reference, ex=REDIS_KEY_TTL)

    def failures(self, delivery_ids: Iterable[str]) -> dict[str, str]:
        ids = list(set(delivery_ids))
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            values = self._redis.mget([self._key("failed", d) for d in chunk])
            found.update({d: str(v) for d, v in zip(chunk, values, strict=True) if v is not None})
        return found

    def claim(self, delivery_id: str, token: str, ttl: float) -> None:
        self._redis.set(self._key("claim", delivery_id), token, px=max(1, int(ttl * 1000)))

    def unclaim(self, delivery_id: str) -> None:
        self._redis.delete(self._key("claim", delivery_id))

    def claimed(self, delivery_ids: Iterable[str]) -> dict[str, bool]:
        """Those of ``delivery_ids`` with an unexpired claim: is its holder alive?"""
        ids = list(set(delivery_ids))
        found: dict[str, bool] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            tokens = self._redis.mget([self._key("claim", d) for d in chunk])
            found.update({d: not token_is_dead(str(t)) for d, t in zip(chunk, tokens, strict=True) if t is not None})
        return found

    def free_dead_leases(self) -> int:
        freed = 0
        for key in self._redis.scan_iter(match=f"{self._prefix}:lease:*", count=500):
            token = self._redis.get(key)
            if token is not None and token_is_dead(str(token)):
                freed += int(self._release(keys=[key], args=[token]))
        return freed


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("select 1 from sqlite_master where type = 'table' and name = ?", (name,)).fetchone() is not None


def open_state(data_dir: Path, redis_url: str | None) -> SubmissionState:
    return RedisState(redis_url) if redis_url else SqliteState(data_dir)
