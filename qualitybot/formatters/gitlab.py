"""GitLab Code Quality: a JSON list of issues (the Code Climate subset GitLab reads).

Each finding becomes ``{description, check_name, fingerprint, severity,
location: {path, lines: {begin, end}}}``; severities map error -> major,
warning -> minor, info -> info. Fingerprints are stable across edits
elsewhere in the file, so merge requests show new and fixed findings.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from qualitybot.formatters._common import fingerprints, repository_path
from qualitybot.report import Report

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(report: Report, color: bool = False) -> str:
    return json.dumps(issues(report), ensure_ascii=False, indent=2) + "\n"


def issues(report: Report) -> list[dict[str, Any]]:
    out = []
    for doc in report.documents:
        for finding, fingerprint in fingerprints(doc):
            description = finding.message
            if finding.suggestions:
                description += " (suggestion: " + " | ".join(finding.suggestions[:3]) + ")"
            out.append(
                {
                    "type": "issue",
                    "engine_name": "qualitybot",
                    "check_name": finding.rule,
                    "description": description,
                    "categories": ["Style"],
                    "severity": SEVERITIES[finding.severity],
                    "fingerprint": fingerprint,
                    "location": {
                        "path": repository_path(doc.path),
                        "lines": {"begin": finding.line, "end": max(finding.line, finding.end_line)},
                    },
                }
            )
    for problem in report.errors:  # a path not checked must not read as a clean report
        out.append(
            {
                "type": "issue",
                "engine_name": "qualitybot",
                "check_name": "unreadable",
                "description": problem.message,
                "categories": ["Bug Risk"],
                "severity": "blocker",
                "fingerprint": hashlib.sha256(f"unreadable\x1f{problem.path}".encode()).hexdigest()[:32],
                "location": {"path": repository_path(problem.path), "lines": {"begin": 1, "end": 1}},
            }
        )
    return out
