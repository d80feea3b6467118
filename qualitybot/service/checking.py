"""Running the engine on an event: in the worker's own process, or in a pool of processes.

Checking is CPU-bound Python. Inside ``qualitybot serve`` it must not compete for
the interpreter lock with the webhook handler (acknowledgements would wait behind
checks), so ``serve`` checks in a small pool of child processes (``--check-processes``,
one per core by default) while its worker threads only wait: on the pool and on the
platform. ``qualitybot worker`` processes have no webhooks to answer and check inline.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path
from typing import Protocol

from qualitybot.config import RuleSet, load_rules
from qualitybot.engine import Engine
from qualitybot.report import Report
from qualitybot.service.events import document_of, parse_event

WARM_UP_EVENT = json.dumps(
    {
        "type": "submission.created",
        "submission": {"id": "warm-up", "revision": 0, "body": "A short paragraph. It has two sentences."},
    }
)


class Checker(Protocol):
    def check(self, raw: str) -> Report: ...
    def warm_up(self) -> None: ...
    def close(self) -> None: ...


def check_event(engine: Engine, raw: str, today: date) -> Report:
    event = parse_event(raw.encode("utf-8"))
    assert event.submission is not None  # only validated events are stored
    return Report([engine.check(document_of(event.submission, today))])


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
            return check_event(self._engine, raw, date.today())

    def warm_up(self) -> None:
        self.check(WARM_UP_EVENT)

    def close(self) -> None:
        pass


CHILD_NICENESS = 10

# In each pool process: its engine, built once by the initializer.
_child_engine: Engine | None = None


def _init_child(rules_path: str) -> None:
    global _child_engine
    # Below the server in CPU priority: when checks saturate the cores, the webhook
    # handler still gets the CPU at once and acknowledgements stay fast.
    os.nice(CHILD_NICENESS)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    _child_engine = Engine(load_rules(Path(rules_path)))
    check_event(_child_engine, WARM_UP_EVENT, date.today())


def _exit_with_parent(parent: int) -> None:
    """A server killed with SIGKILL cannot stop its pool: the children notice and leave."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _check_in_child(raw: str, today: date) -> Report:
    assert _child_engine is not None
    return check_event(_child_engine, raw, today)


class PoolChecker:
    """Checks in ``processes`` child processes (started fresh with ``spawn``: the server
    has threads, which ``fork`` would copy in an undefined state)."""

    def __init__(self, rules_path: Path, processes: int) -> None:
        self.rules_path = rules_path
        self.processes = processes
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_child,
            initargs=(str(self.rules_path),),
        )

    def check(self, raw: str) -> Report:
        pool = self._pool
        try:
            return pool.submit(_check_in_child, raw, date.today()).result()
        except BrokenProcessPool:
            # A child died (killed, out of memory): start a new pool; the task is retried.
            with self._lock:
                if self._pool is pool:
                    self._pool = self._new_pool()
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    def warm_up(self) -> None:
        for future in [self._pool.submit(_check_in_child, WARM_UP_EVENT, date.today()) for _ in range(self.processes)]:
            future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
