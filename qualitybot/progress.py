"""A progress bar for long batches, on a terminal only (never in pipes or CI logs)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm

MIN_DOCUMENTS = 2


def wanted(total: int) -> bool:
    return total >= MIN_DOCUMENTS and sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def progress_bar(total: int) -> Iterator[Callable[[], None]]:
    """Yields ``advance()``; draws on stderr when it is a terminal, else does nothing."""
    if not wanted(total):
        yield lambda: None
        return
    with tqdm(total=total, unit="doc", file=sys.stderr, leave=False, dynamic_ncols=True) as bar:

        def advance() -> None:
            bar.update(1)

        yield advance
