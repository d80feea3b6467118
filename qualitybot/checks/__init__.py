"""The checks, one module each; :func:`registry` is the list the engine runs.

The contract every check module follows is in :mod:`qualitybot.contract`. A new
check is one module in this package plus its name in :data:`CHECK_MODULES`
(and its fixture table in ``tests/``). Modules of this package that are not in
the list are helpers of a check (``dates_extract`` serves ``dates``, ``fluency_table`` builds the table
``fluency`` ships with; the
``pattern`` package holds the Vale rule types that the pattern check runs).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import cache

from qualitybot.contract import ENGINE_KINDS, CheckOptions, CheckSpec, Hit
from qualitybot.document import Document

#: Every check, in the order the engine runs them and the docs list them.
#: ``fluency`` judges the others' findings, so the engine runs it after them.
CHECK_MODULES: tuple[str, ...] = ("readability", "grammar", "quotes", "duplicates", "dates", "pattern", "fluency")


@cache
def registry() -> dict[str, CheckSpec]:
    """Every check of :data:`CHECK_MODULES`, by name (imported on first use, not at import time)."""
    specs = {}
    for name in CHECK_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        specs[name] = CheckSpec(
            name=name,
            doc=(module.__doc__ or "").strip(),
            options=module.Options,
            kinds={**module.KINDS, **ENGINE_KINDS},
            run=getattr(module, "check", _no_hits),
            warm_up=getattr(module, "warm_up", None),
            safe_fixes=frozenset(getattr(module, "SAFE_FIXES", ())),
            judge=getattr(module, "judge", None),
        )
        if not specs[name].safe_fixes <= specs[name].kinds.keys():
            raise TypeError(f"check '{name}' declares SAFE_FIXES that are not among its KINDS")
    return specs


def _no_hits(doc: Document, options: CheckOptions) -> Iterable[Hit]:
    """The first stage of a check that only judges (its ``judge`` runs in the second)."""
    return ()
