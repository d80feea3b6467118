"""Report formatters, one module each: ``render(report, color=False) -> str``.

Formatters depend only on :mod:`qualitybot.report`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from qualitybot.report import Report

Renderer = Callable[..., str]

FORMATS = ("text", "json", "markdown", "sarif", "junit", "github", "gitlab")


def renderer(name: str) -> Callable[[Report, bool], str]:
    """The render function of the formatter called ``name`` (one of FORMATS)."""
    module = importlib.import_module(f"{__name__}.{name}")
    render: Callable[[Report, bool], str] = module.render
    return render
