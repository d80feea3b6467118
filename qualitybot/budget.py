"""The per-document time budget: a check that runs over it is stopped and reported.

A rules file sets it (all optional)::

    time_budget:
      seconds_per_10k_words: 5   # the budget grows with the document...
      min_seconds: 10            # ...from this for short (or wordless) documents
      max_seconds: 25            # ...up to this; 0 turns the budget off

and ``qualitybot check --time-budget SECONDS`` sets a fixed budget instead.

The budget is for the whole document; the checks run one after another, and
one that starts after the budget is spent still gets a twentieth of it, so one
slow check does not leave the others unrun. A check that runs over is stopped
and reported as ``RULE.timeout`` (an error by default, as the document was not
fully checked); the findings it made before are kept.

How a check is stopped, honestly: checks call :func:`checkpoint` between units
of work (the grammar check between chunks of prose it hands to Harper; the
others per paragraph or mention), and the engine checks between findings.
In the main thread of a process (the CLI, its ``--jobs`` workers, the bot's
check processes) a timer signal also interrupts Python code at once. Native
code cannot be interrupted: one call into Harper on one chunk (at most 8,000
characters, see :mod:`qualitybot.grammar.bounds`) or one regular-expression
match runs to its end first.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

_T = TypeVar("_T")


class OutOfTime(BaseException):
    """A check ran past its deadline (raised by :func:`checkpoint` or the timer)."""


class TimeBudget(BaseModel):
    """How long the checks may take on one document (``time_budget:`` in a rules file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    seconds_per_10k_words: float = Field(default=5.0, ge=0, le=3600, description="budget per 10,000 words")
    min_seconds: float = Field(default=10.0, ge=0, le=86400, description="budget of short or wordless documents")
    max_seconds: float = Field(default=25.0, ge=0, le=86400, description="largest budget; 0 = no time budget")

    def seconds(self, words: int) -> float | None:
        """The budget for a document of ``words`` words; None when there is none."""
        if self.max_seconds == 0:
            return None
        return min(self.max_seconds, max(self.min_seconds, self.seconds_per_10k_words * words / 10_000))


def fixed(seconds: float) -> TimeBudget:
    """A budget of ``seconds`` whatever the document (``--time-budget``); 0 = none."""
    return TimeBudget(seconds_per_10k_words=0, min_seconds=seconds, max_seconds=seconds)


_deadline: ContextVar[float | None] = ContextVar("qualitybot_deadline", default=None)


def checkpoint() -> None:
    """Raise :class:`OutOfTime` when the running check is past its deadline; cheap, call it often."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise OutOfTime


def run_until(deadline: float | None, produce: Callable[[], Iterable[_T]]) -> tuple[list[_T], bool]:
    """Everything ``produce()`` yields until ``deadline`` (monotonic), and whether it was stopped."""
    items: list[_T] = []
    try:
        with _limit(deadline):
            for item in produce():
                items.append(item)
                checkpoint()
    except OutOfTime:
        return items, True
    return items, False


@contextmanager
def _limit(deadline: float | None) -> Iterator[None]:
    token = _deadline.set(deadline)
    previous = _arm(deadline) if deadline is not None else None
    try:
        yield
    finally:
        # The timer may fire while it is being disarmed: run_until catches that OutOfTime,
        # and disarming twice is harmless.
        try:
            _disarm(previous)
        finally:
            _deadline.reset(token)


def _alarm(_signum: int, _frame: Any) -> None:
    raise OutOfTime


def _arm(deadline: float) -> Any:
    """Start a timer that interrupts Python code at ``deadline``; the handler it replaced, or None."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return None
    if signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, _alarm):
        return None  # someone else (a test runner) owns the timer: checkpoints only
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, max(0.001, deadline - time.monotonic()))
    return signal.SIG_DFL


def _disarm(previous: Any) -> None:
    if previous is not None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
