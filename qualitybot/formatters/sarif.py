"""SARIF 2.1.0, as GitHub code scanning reads it (``github/codeql-action/upload-sarif``).

One run of the tool ``qualitybot``: ``tool.driver.rules`` lists every rule that
has a finding, with its descriptions and default level; each finding is a
result with ``ruleId``/``ruleIndex``, ``level`` (error, warning, note), the
message, a region in code points (``columnKind: unicodeCodePoints``), its
related places, the fix ``check --fix`` would apply (``fixes``, for fixable
findings), and a ``partialFingerprints`` entry that survives edits
elsewhere in the file. Document notes become tool notifications.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from qualitybot import __version__
from qualitybot.formatters._common import check_description, fingerprints, repository_path
from qualitybot.report import DocumentReport, Finding, Place, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "qualitybot/v1"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(report: Report, color: bool = False) -> str:
    # Compact: SARIF files of big batches run to megabytes, and code scanning caps
    # uploads by size; indenting would also take json's slow pure-Python path.
    return json.dumps(sarif(report), ensure_ascii=False, separators=(",", ":")) + "\n"


def sarif(report: Report) -> dict[str, Any]:
    rules, index = _rules(report)
    results = [
        _result(doc, finding, fingerprint, index)
        for doc in report.documents
        for finding, fingerprint in fingerprints(doc)
    ]
    notifications = [
        {"level": "note", "message": {"text": note}, "locations": [_location(doc.path)]}
        for doc in report.documents
        for note in doc.notes
    ]
    notifications += [{"level": "note", "message": {"text": note}} for note in report.notes]
    notifications += [
        {"level": "error", "message": {"text": problem.message}, "locations": [_location(problem.path)]}
        for problem in report.errors
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "qualitybot",
                        "semanticVersion": __version__,
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _rules(report: Report) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One reportingDescriptor per rule id, in order of first appearance."""
    first: dict[str, Finding] = {}
    for doc in report.documents:
        for finding in doc.findings:
            first.setdefault(finding.rule, finding)
    rules: list[dict[str, Any]] = []
    for rule_id, finding in first.items():
        description = check_description(finding.check)
        rules.append(
            {
                "id": rule_id,
                "name": _pascal(rule_id),
                "shortDescription": {"text": _title(rule_id)},
                "fullDescription": {
                    "text": f"{description} Rule '{rule_id}'; for example: {_sentence(finding.message)}"
                },
                "help": {
                    "text": f"{description} Silence one place with <!-- qualitybot: disable-next-line {rule_id} -->.",
                    "markdown": f"{description}\n\nSilence one place with "
                    f"`<!-- qualitybot: disable-next-line {rule_id} -->`; "
                    "change the rule in the rules file (`qualitybot.yml`).",
                },
                "defaultConfiguration": {"level": LEVELS[finding.severity]},
                "properties": {"tags": ["qualitybot", finding.check]},
            }
        )
        if finding.link:
            rules[-1]["helpUri"] = finding.link
        if finding.description:
            rules[-1]["fullDescription"] = {"text": finding.description}
    return rules, {rule["id"]: i for i, rule in enumerate(rules)}


def _result(doc: DocumentReport, finding: Finding, fingerprint: str, index: dict[str, int]) -> dict[str, Any]:
    message = finding.message
    if finding.suggestions:
        message += " Suggestion: " + " | ".join(finding.suggestions[:3])
    location = _location(doc.path, _region(finding))
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.fixable:
        # What `check --fix` applies: the one suggestion replaces the finding's region.
        (suggestion,) = finding.suggestions
        result["fixes"] = [
            {
                "description": {"text": f"Replace with '{suggestion}'"},
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(doc.path),
                        "replacements": [
                            {
                                "deletedRegion": _place_region(_place_of(finding)),
                                "insertedContent": {"text": suggestion},
                            }
                        ],
                    }
                ],
            }
        ]
    if finding.related:
        result["relatedLocations"] = [
            {
                **_location(place.path or doc.path, _place_region(place)),
                "id": i,
                # A place in another document is an earlier article in the archive, named by its id.
                "message": {"text": f"Earlier in {place.path}" if place.path else "Also here"},
            }
            for i, place in enumerate(finding.related, start=1)
        ]
    return result


def _place_of(finding: Finding) -> Place:
    return Place(finding.line, finding.column, finding.end_line, finding.end_column)


def _region(finding: Finding) -> dict[str, Any]:
    region = _place_region(_place_of(finding))
    if finding.excerpt.strip():
        region["snippet"] = {"text": finding.excerpt}
    return region


def _place_region(place: Place) -> dict[str, Any]:
    region = {"startLine": max(1, place.line), "startColumn": max(1, place.column)}
    end_line = max(region["startLine"], place.end_line)
    end_column = place.end_column
    if end_line == region["startLine"]:
        end_column = max(end_column, region["startColumn"] + 1)  # never an empty region
    region |= {"endLine": end_line, "endColumn": max(1, end_column)}
    return region


def _location(path: str, region: dict[str, Any] | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(path)}
    if region:
        physical["region"] = region
    return {"physicalLocation": physical}


@lru_cache(maxsize=1024)
def _artifact_cached(path: str, cwd: str) -> tuple[tuple[str, str], ...]:  # cwd: part of the key
    path = repository_path(path)
    location = {"uri": artifact_uri(path)}
    if not PurePath(path).is_absolute():
        location["uriBaseId"] = "%SRCROOT%"
    return tuple(location.items())


def _artifact(path: str) -> dict[str, str]:
    return dict(_artifact_cached(path, os.getcwd()))


def artifact_uri(path: str) -> str:
    """A URI reference for a path: relative paths stay relative (code scanning resolves them)."""
    pure = PurePath(path)
    if pure.is_absolute():
        return "file://" + quote(pure.as_posix())
    return quote(pure.as_posix())


def _pascal(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in rule_id.replace("-", ".").replace("_", ".").split("."))


def _title(rule_id: str) -> str:
    """``readability.sentence-length`` -> ``Readability: sentence length``."""
    check, _, kind = rule_id.partition(".")
    title = check[:1].upper() + check[1:]
    return f"{title}: {kind.replace('-', ' ').replace('_', ' ')}" if kind else title


def _sentence(message: str) -> str:
    return message if len(message) <= 120 else message[:119] + "…"
