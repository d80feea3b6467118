"""The checks, one module each; :func:`registry` is the list the engine runs.

The contract every check module follows is in :mod:`qualitybot.contract`. A new
check is one module in this package plus its name in :data:`CHECK_MODULES`
(and its fixture table in ``tests/``). Modules of this package that are not in
the list are helpers of a check (``dates_extract`` serves ``dates``; the
``pattern`` package holds the Vale rule types that the pattern check runs).
"""

from __future__ import annotations

import importlib
from functools import cache

from qualitybot.contract import ENGINE_KINDS, CheckSpec

#: Every check, in the order the engine runs them and the docs list them.
CHECK_MODULES: tuple[str, ...] = ("readability", "grammar", "quotes", "duplicates", "dates", "pattern")


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
            run=module.check,
            warm_up=getattr(module, "warm_up", None),
            safe_fixes=frozenset(getattr(module, "SAFE_FIXES", ())),
        )
        if not specs[name].safe_fixes <= specs[name].kinds.keys():
            raise TypeError(f"check '{name}' declares SAFE_FIXES that are not among its KINDS")
    return specs
