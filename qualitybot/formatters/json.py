"""The versioned JSON report (schema ``qualitybot.report/1``, see DESIGN.md)."""

from __future__ import annotations

import json

from qualitybot.report import Report


def render(report: Report, color: bool = False) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"
