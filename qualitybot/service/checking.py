"""Running the engine on an event: in the worker's own process, or in pools of processes.

Checking is CPU-bound Python. Inside ``qualitybot serve`` it must not compete for
the interpreter lock with the webhook handler (acknowledgements would wait behind
checks), so ``serve`` checks in child processes while its worker threads only wait:
on the checks and on the platform. ``qualitybot worker`` processes have no webhooks
to answer and check inline.

The child processes are kept on a short leash, because a submission is anyone's input:

- **Two lanes.** Events larger than ``large_document`` bytes are checked in a lane of
  their own (one process), so heavy submissions queue behind each other while ordinary
  ones keep flowing through the ``--check-processes`` ordinary processes. When the
  large lane is busy, :class:`LaneBusy` tells the worker to come back later rather
  than hold a worker thread.
- **Limits.** A check runs at most ``timeout`` seconds and its process may map at most
  ``memory_mib`` MiB (``RLIMIT_AS``); past either, that process is killed and replaced,
  and only that event's check fails (:class:`CheckFailed`). Other events in flight
  are untouched (pebble's pool replaces a dead process without failing the others).
- **No orphans.** A child asks Linux to kill it when the server dies
  (``PR_SET_PDEATHSIG``), then checks that the server is still its parent, before
  it takes any task; elsewhere a thread polls for the parent.
- Children run below the server's CPU priority (``nice``), so acknowledgements get
  the CPU at once even when every core is checking.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path
from typing import Protocol

from pebble import ProcessExpired, ProcessPool

from qualitybot.config import RuleSet, load_rules
from qualitybot.engine import Engine
from qualitybot.report import Report
from qualitybot.service.events import EventError, document_of, parse_event

WARM_UP_EVENT = json.dumps(
    {
        "type": "submission.created",
        "submission": {"id": "warm-up", "revision": 0, "body": "A short paragraph. It has two sentences."},
    }
)

CHILD_NICENESS = 10
# Process names (15 characters at most), shown by ps and top.
ORDINARY_LANE = "qb-check"
LARGE_LANE = "qb-check-large"


class CheckFailed(Exception):
    """The check of this event failed (an internal error, a killed or runaway process).

    ``signature`` is short and stable, so that the worker can tell an event that fails
    the same way every time (give up, say so) from a one-off.
    """

    def __init__(self, signature: str) -> None:
        super().__init__(signature)
        self.signature = signature[:200]


class LaneBusy(Exception):
    """The lane for large documents is busy: try this event again in a moment."""


class Checker(Protocol):
    def check(self, raw: str) -> Report: ...
    def warm_up(self) -> None: ...
    def close(self) -> None: ...


def check_event(engine: Engine, raw: str, today: date) -> Report:
    event = parse_event(raw.encode("utf-8"))
    assert event.submission is not None  # only validated events are stored
    return Report([engine.check(document_of(event.submission, today))])


def _failure(exc: BaseException) -> CheckFailed:
    if isinstance(exc, MemoryError):
        return CheckFailed("the check ran out of memory")
    message = " ".join(str(exc).split())
    return CheckFailed(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)


class InlineChecker:
    """The engine in this process. Worker threads take turns: checks may hold native
    engines that are not thread-safe, and the GIL serialises CPU work anyway."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def check(self, raw: str) -> Report:
        with self._lock:
            if self._engine is None:
                self._engine = Engine(self.ruleset)
            try:
                return check_event(self._engine, raw, date.today())
            except EventError:
                raise
            except Exception as exc:
                raise _failure(exc) from None

    def warm_up(self) -> None:
        self.check(WARM_UP_EVENT)

    def close(self) -> None:
        pass


# --- in each child process ------------------------------------------------------------

_child_engine: Engine | None = None
PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15


def _prctl(option: int, value: int | bytes) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent: int) -> None:
    """Be killed when ``parent`` dies; leave now if it already has (the race at start-up)."""
    if sys.platform.startswith("linux"):
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)
    # Elsewhere (and as a second line on Linux) a thread notices the parent's end.
    threading.Thread(target=_exit_with_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _init_child(rules_path: str, lane: str, memory_mib: int, parent: int) -> None:
    global _child_engine
    die_with_parent(parent)
    if sys.platform.startswith("linux"):
        _prctl(PR_SET_NAME, lane.encode("ascii"))
    os.nice(CHILD_NICENESS)
    _child_engine = Engine(load_rules(Path(rules_path)))
    check_event(_child_engine, WARM_UP_EVENT, date.today())
    if memory_mib:
        # After loading: the limit is for what a document makes the process grow to.
        limit = memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _check_in_child(raw: str, today: date) -> Report:
    assert _child_engine is not None
    return check_event(_child_engine, raw, today)


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class Lane:
    """``processes`` child processes (started with ``spawn``: the server has threads,
    which ``fork`` would copy in an undefined state), replaced when one dies."""

    def __init__(self, name: str, processes: int, rules_path: Path, memory_mib: int, timeout: float) -> None:
        self.name = name
        self.processes = processes
        self.rules_path = rules_path
        self.memory_mib = memory_mib
        self.timeout = timeout
        self.busy = 0
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPool:
        return ProcessPool(
            max_workers=self.processes,
            initializer=_init_child,
            initargs=(str(self.rules_path), self.name, self.memory_mib, os.getpid()),
            context=multiprocessing.get_context("spawn"),
        )

    def submit(self, raw: str) -> Future[Report]:
        """Schedule a check; a pool found broken (a process died while idle) is replaced once."""
        for _ in range(2):
            pool = self._pool
            try:
                return pool.schedule(_check_in_child, args=(raw, date.today()), timeout=self.timeout)
            except RuntimeError:  # "the pool is not running": broken or being replaced
                self._replace(pool)
        raise CheckFailed("no check process could be started")

    def run(self, raw: str, limit: int | None = None) -> Report:
        """The report of one event; ``limit``: raise LaneBusy if that many checks are running."""
        with self._lock:
            if limit is not None and self.busy >= limit:
                raise LaneBusy()
            self.busy += 1
        try:
            for _ in range(2):
                future = self.submit(raw)
                try:
                    return future.result()
                except BrokenProcessPool:
                    # Another process of the pool died with no task of its own: not this
                    # event's fault; the pool is replaced and the check runs again.
                    self._replace(self._pool)
                except ProcessExpired as exc:
                    memory = f" (memory limit {self.memory_mib} MiB)" if self.memory_mib else ""
                    raise CheckFailed(f"the check process died: {_describe_exit(exc.exitcode)}{memory}") from None
                except TimeoutError:
                    raise CheckFailed(f"the check ran longer than {self.timeout:g} s") from None
                except EventError:
                    raise
                except Exception as exc:
                    raise _failure(exc) from None
            raise CheckFailed("the check processes keep failing")
        finally:
            with self._lock:
                self.busy -= 1

    def _replace(self, broken: ProcessPool) -> None:
        with self._lock:
            if self._pool is not broken:
                return
            self._pool = self._new_pool()
        threading.Thread(target=_retire, args=(broken,), name="retire-pool", daemon=True).start()

    def close(self) -> None:
        _retire(self._pool)


def _retire(pool: ProcessPool) -> None:
    """Stop a pool and its processes (pebble stops them on join)."""
    pool.stop()  # type: ignore[no-untyped-call]
    with contextlib.suppress(TimeoutError, RuntimeError):
        pool.join(timeout=10)


class PoolChecker:
    """Ordinary events in ``processes`` processes, large ones in a lane of their own."""

    def __init__(
        self,
        rules_path: Path,
        processes: int,
        *,
        memory_mib: int = 2048,
        timeout: float = 120.0,
        large_document: int = 100_000,
    ) -> None:
        self.large_document = large_document
        self.ordinary = Lane(ORDINARY_LANE, processes, rules_path, memory_mib, timeout)
        self.large = Lane(LARGE_LANE, 1, rules_path, memory_mib, timeout)
        # Started now, from the thread that builds the service: Linux's parent-death
        # signal fires when the *thread* that started a process ends.
        self._warming = [self.ordinary.submit(WARM_UP_EVENT) for _ in range(processes)]

    def check(self, raw: str) -> Report:
        if len(raw) <= self.large_document:
            return self.ordinary.run(raw)
        return self.large.run(raw, limit=self.large.processes)

    def warm_up(self) -> None:
        for future in self._warming:
            future.result()

    def close(self) -> None:
        self.ordinary.close()
        self.large.close()
