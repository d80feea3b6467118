"""Hostile and unlucky input (issue #18): every shape gives a report or a clear error, fast.

The documents are generated (``tests/hostile_cases.py``), not stored. Each runs
through the real CLI in a subprocess with a memory limit (address space) and a
30 s timeout: before the fixes each of these hung for minutes, aborted on
memory, or ended in an internal error (exit 3). Sizes are the smallest that
showed the old failures (100,000 quotes or brackets hung for minutes); the 1-4 MB
figures are in ``benchmarks/hostile.md``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from qualitybot.config import load_rules
from qualitybot.engine import Engine
from tests.conftest import ROOT, make_doc, run_cli
from tests.hostile_cases import CASES, Case

MEMORY_LIMIT = 1536 * 1024 * 1024  # address space: Harper and Python need ~0.6 GiB of it
TIME_LIMIT = 30  # seconds, the budget for any hostile document
SIZE = 100_000
# Cases whose old failure needs more, and whose fix makes that cheap.
SIZES = {"long-word": 1_000_000, "combining": 1_000_000, "bracket-run": 1_000_000, "front-matter": 1_000_000}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _check(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qualitybot", "check", "--jobs", "1", "--format", "json", *args, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=TIME_LIMIT,
        preexec_fn=_limit_memory,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_document_gets_a_report(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"{case.name}{case.suffix}"
    path.write_text(case.make(SIZES.get(case.name, SIZE)), encoding="utf-8", newline="")
    result = _check(path)
    assert result.returncode in (0, 1), f"{case.what}: exit {result.returncode}\n{result.stderr[-2000:]}"
    report = json.loads(result.stdout)
    [document] = report["documents"]
    assert document["path"] == str(path)
    for finding in document["findings"]:  # places are real places in the file
        assert finding["line"] >= 1 and finding["column"] >= 1


def test_long_word_is_reported_once_and_not_sent_to_the_grammar_engine(tmp_path: Path) -> None:
    path = tmp_path / "word.txt"
    path.write_text("The start. " + "a" * 1_000_000 + " and " + "b" * 500 + " end.\n", encoding="utf-8")
    findings = json.loads(_check(path).stdout)["documents"][0]["findings"]
    long_words = [f for f in findings if f["rule"] == "grammar.long-word"]
    assert len(long_words) == 1
    assert "1,000,000 characters" in long_words[0]["message"] and "1 more" in long_words[0]["message"]
    assert (long_words[0]["line"], long_words[0]["column"]) == (1, 12)


def test_a_check_that_runs_over_the_budget_is_stopped_and_named(tmp_path: Path) -> None:
    path = tmp_path / "slow.txt"
    # Plenty of real prose for Harper: far more than 0.5 s of work.
    path.write_text("She have told reporters that the talks could of gone better. " * 3000, encoding="utf-8")
    result = _check(path, "--time-budget", "0.5")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["documents"][0]["findings"]
    timeouts = [f for f in findings if f["rule"].endswith(".timeout")]
    assert "grammar.timeout" in {f["rule"] for f in timeouts}
    grammar = next(f for f in timeouts if f["rule"] == "grammar.timeout")
    assert grammar["severity"] == "error"
    assert "Check 'grammar' gave up" in grammar["message"] and "0.5 s" in grammar["message"]


# --- line endings and control characters -----------------------------------------------------

BREAKS = [
    pytest.param("\n", 3, id="LF"),
    pytest.param("\r\n", 3, id="CRLF"),
    pytest.param("\r", 3, id="CR"),
    # Editors break lines at LF, CRLF and CR only; these stay inside the line.
    pytest.param("\f", 1, id="form-feed"),
    pytest.param("\v", 1, id="vertical-tab"),
    pytest.param("\x85", 1, id="NEL"),
    pytest.param("\u2028", 1, id="line-separator"),
    pytest.param("\u2029", 1, id="paragraph-separator"),
]


def _quote_places(tmp_path: Path, text: str, suffix: str) -> list[tuple[int, int]]:
    rules = tmp_path / "rules.yml"
    rules.write_text("rules:\n  quotes: {}\n", encoding="utf-8")
    report = Engine(load_rules(rules)).check(make_doc(text, f"doc{suffix}"))
    return [(f.line, f.column) for f in report.findings if f.rule == "quotes.empty"]


@pytest.mark.parametrize("suffix", [".txt", ".md"])
@pytest.mark.parametrize(("brk", "line"), BREAKS)
def test_line_endings_give_the_line_editors_show(brk: str, line: int, suffix: str, tmp_path: Path) -> None:
    text = f"First line here.{brk}Second line.{brk}They said “ ” there.\n"
    column = text.rfind("“") + 1 if line == 1 else len("They said ") + 1
    assert _quote_places(tmp_path, text, suffix) == [(line, column)]


def test_mixed_line_endings(tmp_path: Path) -> None:
    text = "# Title\r\rOne.\r\nTwo.\n\rThey said “ ” there.\r"
    assert _quote_places(tmp_path, text, ".md") == [(6, 11)]


def test_old_mac_file_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "mac.md"
    path.write_bytes("# Title\r\rFirst paragraph.\r\rThey said “ ” there.\r".encode())
    result = _check(path)
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["documents"][0]["findings"]
    assert [(f["line"], f["column"]) for f in findings if f["rule"] == "quotes.empty"] == [(5, 11)]


@pytest.mark.parametrize(
    "front_matter",
    ["date: 2024-02-30", "published_at: 2023-02-29 10:00:00", "date: February 30, 2024"],
)
def test_impossible_front_matter_date_is_a_note(front_matter: str) -> None:
    doc = make_doc(f"---\n{front_matter}\n---\nThe council met on Monday.\n", "dated.md")
    assert doc.published_at is None  # the batch then takes today, as for no date at all
    [note] = doc.notes
    assert "is not a real day" in note and front_matter.split(": ", 1)[1] in note


def test_huge_front_matter_is_a_note() -> None:
    doc = make_doc("---\n" + "key: value\n" * 10_000 + "---\nBody text.\n", "big.md")
    assert doc.notes == ("front matter is longer than 65,536 characters and was ignored",)
    assert doc.metadata == {} and doc.prose.strip() == "Body text."


# --- output safe to print; bad options are usage errors ----------------------------------------


def test_text_report_escapes_terminal_control_sequences(tmp_path: Path) -> None:
    path = tmp_path / "evil.txt"
    path.write_text('Title\n\nThey said " " \x1b]0;owned\x07\x1b[2J\u202e here.\n', encoding="utf-8")
    result = run_cli("check", "--jobs", "1", "--color", "never", str(path))
    assert result.returncode == 1, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\u202e" not in result.stdout
    assert "\\x1b]0;owned\\x07\\x1b[2J\\u202e" in result.stdout


OPTION_ERRORS = [
    pytest.param(["--max-size", "inf"], "--max-size", id="max-size-inf"),
    pytest.param(["--max-size", "nan"], "--max-size", id="max-size-nan"),
    pytest.param(["--max-size", "-1"], "--max-size", id="max-size-negative"),
    pytest.param(["--time-budget", "-1"], "--time-budget", id="time-budget-negative"),
    pytest.param(["--output", "{tmp}"], "is a directory", id="output-folder"),
    pytest.param(["--output", "{tmp}/missing/report.txt"], "no such folder", id="output-missing-folder"),
    pytest.param(["--output", "/dev/full"], "No space left on device", id="output-dev-full"),
]


@pytest.mark.parametrize(("args", "message"), OPTION_ERRORS)
def test_bad_options_are_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    if args[1] == "/dev/full" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    path = tmp_path / "ok.txt"
    path.write_text("A short and ordinary text.\n", encoding="utf-8")
    result = run_cli("check", "--jobs", "1", *(a.format(tmp=tmp_path) for a in args), str(path))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
