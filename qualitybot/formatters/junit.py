"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure, CircleCI...).

One test case per document, named by its path: it fails when the document
fails the gate, with one ``<failure>`` whose message counts the findings and
whose text lists every finding, one per line (``line:column severity rule
message``, then the excerpt). One failure element per test case is what every
reader of the format shows reliably. Warnings and notes of a passing document
go to the test case's ``<system-out>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from qualitybot.formatters._common import one_line, plural
from qualitybot.report import DocumentReport, Finding, Report

# Characters XML 1.0 cannot carry at all; a document's excerpt may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(report: Report, color: bool = False) -> str:
    summary = report.summary()
    counts = {
        "tests": str(summary["documents"] + len(report.errors)),
        "failures": str(summary["failed"]),
        "errors": str(len(report.errors)),
        "skipped": "0",
        "time": "0",
    }
    suites = ET.Element("testsuites", {"name": "qualitybot", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "qualitybot", **counts})
    for doc in report.documents:
        suite.append(_testcase(doc))
    for problem in report.errors:  # a path not checked is an error of the run, not a pass
        case = ET.SubElement(suite, "testcase", {"classname": "qualitybot", "name": _xml(problem.path), "time": "0"})
        ET.SubElement(case, "error", {"type": "unreadable", "message": _xml(problem.message)})
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def _testcase(doc: DocumentReport) -> ET.Element:
    case = ET.Element("testcase", {"classname": "qualitybot", "name": _xml(doc.path), "file": _xml(doc.path)})
    case.set("time", "0")
    listing = "\n".join(_finding(f) for f in doc.findings)
    if doc.verdict == "fail":
        counts = ", ".join(plural(doc.count(s), s) for s in ("error", "warning", "info") if doc.count(s))
        failure = ET.SubElement(case, "failure", {"type": "qualitybot", "message": f"{doc.path}: {counts}"})
        failure.text = listing
    output = "\n".join([*(f"note: {_xml(note)}" for note in doc.notes), *([] if doc.verdict == "fail" else [listing])])
    if output.strip():
        ET.SubElement(case, "system-out").text = output
    return case


def _finding(f: Finding) -> str:
    line = f"{f.line}:{f.column} {f.severity} {f.rule} {f.message}"
    if f.suggestions:
        line += " (suggestion: " + " | ".join(f.suggestions[:3]) + ")"
    if f.excerpt.strip():
        line += "\n    " + one_line(f.excerpt)
    return _xml(line)


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
