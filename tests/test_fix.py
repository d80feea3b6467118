"""``qualitybot check --fix`` / ``--diff``: safe fixes only, applied to the file as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from qualitybot.config import find_rules_file, load_rules
from qualitybot.document import parse
from qualitybot.engine import Engine
from tests.conftest import EXAMPLES, run_cli

SAFE_RULES = {"grammar.repetition", "grammar.article", "dates.weekday", "sentence-spacing"}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(load_rules(find_rules_file(None)))


# (text, rule, fixable, suggestion): the finding of that rule in the text and whether --fix may apply it.
CASES = [
    ("The the port closed on time.", "grammar.repetition", True, "The"),
    ("It was a apple from the market.", "grammar.article", True, "an"),
    ("They met on Monday, March 2, 2004, in Paris.", "dates.weekday", True, "Tuesday, March 2, 2004"),
    ("The port closed.It opened again.", "sentence-spacing", True, "closed. It"),
    # Two suggestions: a writer must choose.
    ("He said the the port closed.", "grammar.typo", False, None),
    # A block quote and a quotation are someone else's words.
    ("> It was a apple from the market.", "grammar.article", False, "an"),
    ('She said: "It was a apple from the market."', "grammar.article", False, "an"),
    ("She said: “It was a apple from the market.”", "grammar.article", False, "an"),
    # Markup around the span stays as it is.
    ("The port **closed.It** opened again.", "sentence-spacing", True, "closed. It"),
]


@pytest.mark.parametrize(("text", "rule", "fixable", "suggestion"), CASES)
def test_fixable_findings(engine: Engine, text: str, rule: str, fixable: bool, suggestion: str | None) -> None:
    findings = [f for f in engine.check(parse(text, "t.md", published_at=None)).findings if f.rule == rule]
    assert findings, f"no {rule} finding in {text!r}"
    (finding,) = findings
    assert finding.fixable is fixable
    if suggestion is not None:
        assert finding.suggestions == (suggestion,)


def _report(path: Path, fmt: str = "json") -> Any:
    result = run_cli("check", "--format", fmt, str(path))
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def _apply_by_hand(text: str, findings: list[dict[str, Any]]) -> str:
    """The fixes applied independently of qualitybot.fix: per line, right to left, by column."""
    lines = text.split("\n")
    for f in sorted(findings, key=lambda f: (f["line"], f["column"]), reverse=True):
        assert f["line"] == f["end_line"]
        line = lines[f["line"] - 1]
        lines[f["line"] - 1] = line[: f["column"] - 1] + f["suggestions"][0] + line[f["end_column"] - 1 :]
    return "\n".join(lines)


def _findings(engine: Engine, path: Path) -> list[dict[str, Any]]:
    """The JSON findings of a file, checked in this process as `check --format json` checks it."""
    report = engine.check(parse(path.read_text(encoding="utf-8"), str(path)))
    return [f.to_json() for f in report.findings]


def test_fix_and_diff_on_the_flawed_example(engine: Engine, tmp_path: Path) -> None:
    article = tmp_path / "flawed-article.md"
    shutil.copy(EXAMPLES / "flawed-article.md", article)
    original = article.read_text(encoding="utf-8")
    before = _findings(engine, article)
    fixable = [f for f in before if f["fixable"]]
    assert {f["rule"] for f in fixable} == SAFE_RULES  # the example has each safe kind
    expected = _apply_by_hand(original, fixable)

    diff = run_cli("check", "--diff", str(article))
    assert diff.returncode == 1, diff.stderr
    assert article.read_text(encoding="utf-8") == original  # --diff changes nothing
    removed = [line[1:] for line in diff.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    changed_lines = sorted({f["line"] for f in fixable})
    assert removed == [original.split("\n")[n - 1] for n in changed_lines]
    assert added == [expected.split("\n")[n - 1] for n in changed_lines]

    fixed = run_cli("check", "--fix", "--format", "json", str(article))
    assert fixed.returncode == 1, fixed.stderr  # the example still fails on what cannot be fixed
    assert f"fixed {len(fixable)} finding(s)" in fixed.stderr
    assert article.read_text(encoding="utf-8") == expected  # nothing else changed

    after = json.loads(fixed.stdout)["documents"][0]["findings"]  # the report of the fixed file
    assert not [f for f in after if f["fixable"]]
    assert not {(f["rule"], f["line"]) for f in fixable} & {(f["rule"], f["line"]) for f in after}
    # Every other finding remains as it was; fluency's message counts the findings, fewer now.
    def same(f: dict[str, Any]) -> tuple[str, int, str]:
        return f["rule"], f["line"], "" if f["check"] == "fluency" else f["message"]

    assert sorted(same(f) for f in after) == sorted(same(f) for f in before if not f["fixable"])


def test_fix_keeps_line_endings_and_byte_order_mark(tmp_path: Path) -> None:
    article = tmp_path / "crlf.md"
    article.write_bytes("\ufeffIt was a apple.\r\n\r\nThe the port closed.\nLast line".encode())
    result = run_cli("check", "--fix", str(article))
    assert result.returncode in (0, 1), result.stderr
    assert article.read_bytes() == "\ufeffIt was an apple.\r\n\r\nThe port closed.\nLast line".encode()


def test_sarif_results_carry_the_fixes(engine: Engine, tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from tests.test_formats import sarif_schema

    article = tmp_path / "flawed-article.md"
    shutil.copy(EXAMPLES / "flawed-article.md", article)
    findings = _findings(engine, article)
    data = _report(article, "sarif")
    assert list(jsonschema.Draft4Validator(sarif_schema()).iter_errors(data)) == []
    results = data["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [f["rule"] for f in findings]
    for result, finding in zip(results, findings, strict=True):
        if not finding["fixable"]:
            assert "fixes" not in result
            continue
        ((change,),) = [fix["artifactChanges"] for fix in result["fixes"]]
        (replacement,) = change["replacements"]
        assert replacement["insertedContent"]["text"] == finding["suggestions"][0]
        region = replacement["deletedRegion"]
        assert (region["startLine"], region["startColumn"], region["endColumn"]) == (
            finding["line"], finding["column"], finding["end_column"]
        )


def test_fix_refuses_stdin() -> None:
    result = run_cli("check", "--fix", "-", stdin=b"It was a apple.")
    assert result.returncode == 2
    assert "stdin" in result.stderr and "Traceback" not in result.stderr


def test_fix_leaves_front_matter_code_and_quotes_alone(engine: Engine) -> None:
    from qualitybot import fix

    text = (
        "---\ntitle: It was a apple\n---\n\n"
        "It was a apple from the market.\n\n"
        "```\nThe the port closed.It opened.\n```\n\n"
        "Run `a apple` in the shell.\n\n"
        "> The the port closed on time.\n\n"
        '"It was a apple," she said.\n'
    )
    report = engine.check(parse(text, "t.md"))
    fixed = fix.apply(text, fix.safe_edits(text, report))
    assert fixed == text.replace("It was a apple from", "It was an apple from")
