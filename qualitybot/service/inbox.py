"""The durable inbox: one SQLite row per acknowledged event, written and fsynced before the 202.

The inbox is what makes "acknowledged means never lost" true. The task queue may
lose a task that a worker had taken when the process is killed (huey removes a task
from the queue when a worker starts it), so the inbox, not the queue, is the record of
what is still to do: on start-up every row not yet done is handed to the queue again,
and a row is done once the submission's finished revision (see :mod:`.state`) has
caught up with it. Re-running an event is harmless: the worker skips revisions that
are already posted and the sticky comment is updated in place, never duplicated.

The delivery id is the primary key, so a redelivery is recognised (200, nothing new)
for as long as its row is kept (``retention``, a week by default).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

FILENAME = "inbox.sqlite3"
SCHEMA = """
create table if not exists events (
    delivery_id   text primary key,
    submission_id text not null,
    revision      integer not null,
    body          blob,           -- the raw signed event; dropped once done
    received_at   real not null,
    queued_at     real,           -- last handed to the task queue (NULL: not yet)
    done_at       real,           -- NULL while there is work to do
    failure       text            -- done, but could not be checked or posted: the reference id
);
create index if not exists events_pending on events (done_at, received_at);
create index if not exists events_submission on events (submission_id, revision);
create index if not exists events_unqueued on events (received_at) where queued_at is null and done_at is null;
"""


@dataclass(frozen=True)
class InboxEvent:
    delivery_id: str
    submission_id: str
    revision: int
    body: bytes
    received_at: float
    queued_at: float | None


def connect(path: Path, fsync: bool = True) -> sqlite3.Connection:
    """A WAL connection that waits on locks; ``fsync``: every commit reaches the disk
    (synchronous=FULL), else it survives a killed process but maybe not a power cut."""
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.execute("pragma journal_mode=wal")
    conn.execute(f"pragma synchronous={'full' if fsync else 'normal'}")
    conn.execute("pragma busy_timeout=30000")
    return conn


class RowError(Exception):
    """This one event could not be written (the others of its commit were)."""


@dataclass
class _Write:
    """One event waiting for the next group commit; ``notify`` is called once it is settled."""

    row: tuple[str, str, int, bytes, float, float | None]
    notify: Callable[[_Write], object]
    stored: bool = False
    error: BaseException | None = None

    def result(self) -> bool:
        if self.error is not None:
            raise self.error
        return self.stored


class Inbox:
    """The inbox of one process. Writes share commits (group commit): one writer thread
    writes everything that is waiting in one transaction and one fsync, so a burst of
    webhooks does not queue behind one fsync each, and the event loop that waits for
    them (:meth:`store_async`) never blocks on the disk.
    """

    def __init__(self, data_dir: Path, fsync: bool = True) -> None:
        """``fsync=False``: for the dispatcher, which only marks events (queued, done); losing
        a mark in a power cut re-runs an event, which is harmless."""
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / FILENAME
        self._conn = connect(self.path, fsync)
        self._conn.executescript(SCHEMA)
        columns = {row[1] for row in self._conn.execute("pragma table_info(events)")}
        if "failure" not in columns:  # a data dir from an earlier version
            self._conn.execute("alter table events add column failure text")
        self._lock = threading.Lock()  # the connection: one statement or transaction at a time
        self._waiting: list[_Write] = []
        self._turn = threading.Condition()
        self._writer: threading.Thread | None = None
        self._closed = False

    def close(self) -> None:
        with self._turn:
            self._closed = True
            self._turn.notify_all()
        if self._writer is not None:
            self._writer.join(timeout=30)
        with self._lock:
            self._conn.close()

    def store(self, delivery_id: str, submission_id: str, revision: int, body: bytes, queued: bool = False) -> bool:
        """Write the event durably (fsynced when this returns); False if the delivery id was stored before.

        ``queued``: the caller hands the event to the queue itself (else the dispatcher does).
        """
        settled = threading.Event()
        write = self._submit(delivery_id, submission_id, revision, body, queued, lambda _: settled.set())
        settled.wait()
        return write.result()

    def store_async(self, delivery_id: str, submission_id: str, revision: int, body: bytes) -> asyncio.Future[bool]:
        """:meth:`store` for the event loop: the future is settled once the commit is on disk."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()

        def settle(write: _Write) -> None:
            if future.cancelled():
                return
            if write.error is not None:
                future.set_exception(write.error)
            else:
                future.set_result(write.stored)

        def notify(write: _Write) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits for the answer
                loop.call_soon_threadsafe(settle, write)

        self._submit(delivery_id, submission_id, revision, body, False, notify)
        return future

    def _submit(
        self,
        delivery_id: str,
        submission_id: str,
        revision: int,
        body: bytes,
        queued: bool,
        notify: Callable[[_Write], object],
    ) -> _Write:
        now = time.time()
        write = _Write((delivery_id, submission_id, revision, body, now, now if queued else None), notify)
        with self._turn:
            if self._closed:
                raise RuntimeError("the inbox is closed")
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_loop, name="inbox-writer", daemon=True)
                self._writer.start()
            self._waiting.append(write)
            self._turn.notify()
        return write

    def _write_loop(self) -> None:
        while True:
            with self._turn:
                while not self._waiting and not self._closed:
                    self._turn.wait()
                if not self._waiting:
                    return  # closed, and everything written
                batch, self._waiting = self._waiting, []
            self._commit(batch)
            for write in batch:
                try:
                    write.notify(write)
                except Exception:  # one waiter's trouble must not stop the writer for everyone
                    continue

    def _commit(self, batch: list[_Write]) -> None:
        with self._lock:
            try:
                self._conn.execute("begin immediate")
                for item in batch:
                    # One row that cannot be written (validation should have caught it) fails
                    # alone: the other events of the batch are still committed.
                    try:
                        cursor = self._conn.execute(
                            "insert or ignore into events"
                            " (delivery_id, submission_id, revision, body, received_at, queued_at)"
                            " values (?, ?, ?, ?, ?, ?)",
                            item.row,
                        )
                    except (OverflowError, ValueError, TypeError, sqlite3.InterfaceError) as exc:
                        item.error = RowError(f"cannot store the event: {type(exc).__name__}")
                        continue
                    item.stored = cursor.rowcount == 1
                self._conn.execute("commit")
            except BaseException as exc:
                if self._conn.in_transaction:
                    self._conn.execute("rollback")
                for item in batch:
                    item.error = item.error or exc
                    item.stored = False

    def unqueued(self, limit: int = 1000) -> list[InboxEvent]:
        """Events stored but not yet handed to the queue, oldest first (what the dispatcher feeds)."""
        return self._events("queued_at is null and done_at is null", limit)

    def _events(self, where: str, limit: int) -> list[InboxEvent]:
        with self._lock:
            rows = self._conn.execute(
                "select delivery_id, submission_id, revision, body, received_at, queued_at from events"
                f" where {where} order by received_at limit ?",
                (limit,),
            ).fetchall()
        return [InboxEvent(r[0], r[1], r[2], bytes(r[3]), r[4], r[5]) for r in rows]

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (in autocommit mode every row of an ``executemany`` would
        be a transaction of its own, each taking the write lock that the commits of new
        events wait for)."""
        with self._lock:
            self._conn.execute("begin immediate")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("rollback")
                raise
            self._conn.execute("commit")

    def mark_queued(self, delivery_ids: Iterable[str]) -> None:
        now = time.time()
        with self._transaction():
            self._conn.executemany(
                "update events set queued_at = ? where delivery_id = ?", [(now, d) for d in delivery_ids]
            )

    def pending(self, limit: int = 10_000) -> list[InboxEvent]:
        """Events not done yet, oldest first."""
        return self._events("done_at is null", limit)

    def mark_failed(self, failures: dict[str, str]) -> None:
        """Done without a report: delivery id -> the reference id its comment and log name."""
        now = time.time()
        with self._transaction():
            self._conn.executemany(
                "update events set done_at = ?, body = null, failure = ? where delivery_id = ?",
                [(now, ref, d) for d, ref in failures.items()],
            )

    def mark_done(self, delivery_ids: Iterable[str]) -> None:
        now = time.time()
        with self._transaction():
            self._conn.executemany(
                "update events set done_at = ?, body = null where delivery_id = ?",
                [(now, d) for d in delivery_ids],
            )

    def prune(self, retention: float) -> int:
        """Forget done events older than ``retention`` seconds (their ids stop deduplicating)."""
        with self._lock:
            cursor = self._conn.execute(
                "delete from events where done_at is not null and received_at < ?", (time.time() - retention,)
            )
            return cursor.rowcount

    def counts(self) -> dict[str, int]:
        with self._lock:
            total, pending, failed = self._conn.execute(
                "select count(*), count(*) - count(done_at), count(failure) from events"
            ).fetchone()
        return {"events": int(total), "pending": int(pending), "failed": int(failed)}
