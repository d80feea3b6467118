"""Grammar engines behind one interface: Harper (embedded), LanguageTool (a server), house rules.

Every engine turns text into :class:`Issue` objects whose offsets are code points
into the text it was given, and whose ``kind`` is one of the stable kinds of the
``grammar`` check (``agreement``, ``repetition``, ``spelling``...). The check
module maps issues to hits; the engines know nothing of rules files or reports.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem an engine found in a text: span in code points, stable kind, why."""

    start: int
    end: int
    kind: str
    message: str
    rule: str
    suggestions: tuple[str, ...] = ()


class EngineUnavailable(Exception):
    """An engine the configuration asks for cannot be used (not installed, unreachable)."""
