"""The engine: rule ids, severities, suppression comments, line/column and excerpts."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualitybot.config import load_rules
from qualitybot.engine import Engine, excerpt
from tests.conftest import make_doc

LONG = "word " * 30 + "end."
RULES = "rules:\n  readability:\n    max_sentence_words: 20\n{extra}"


def findings(tmp_path: Path, text: str, extra: str = "") -> list[tuple[int, int, str, str]]:
    path = tmp_path / "rules.yml"
    path.write_text(RULES.format(extra=extra), encoding="utf-8")
    report = Engine(load_rules(path)).check(make_doc(text))
    return [(f.line, f.column, f.rule, f.severity) for f in report.findings]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (LONG, [(1, 1, "readability.sentence-length", "warning")]),
        (f"<!-- qualitybot: disable readability -->\n{LONG}\n", []),
        (f"<!-- qualitybot: disable readability.sentence-length -->\n{LONG}\n", []),
        (f"<!-- qualitybot: disable -->\n{LONG}\n", []),
        (f"<!-- qualitybot: disable quotes -->\n{LONG}\n", [(2, 1, "readability.sentence-length", "warning")]),
        (f"<!-- qualitybot: disable readability -->\n\n{LONG}\n\n<!-- qualitybot: enable readability -->\n\n{LONG}\n",
         [(7, 1, "readability.sentence-length", "warning")]),
        (f"<!-- qualitybot: disable-next-line readability -->\n{LONG}\n\n{LONG}\n",
         [(4, 1, "readability.sentence-length", "warning")]),
        (f"<!-- qualitybot: disable-next-line grammar, readability -->\n{LONG}\n", []),
    ],
)
def test_suppression_comments(tmp_path: Path, text: str, expected: list[tuple[int, int, str, str]]) -> None:
    assert findings(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("    severity: error\n", [(1, 1, "readability.sentence-length", "error")]),
        ("    severities: {sentence-length: info}\n", [(1, 1, "readability.sentence-length", "info")]),
        ("    severities: {sentence-length: off}\n", []),
        ("    enabled: false\n", []),
    ],
)
def test_severity_and_enabled(tmp_path: Path, extra: str, expected: list[tuple[int, int, str, str]]) -> None:
    assert findings(tmp_path, LONG, extra) == expected


def test_verdict_fails_only_on_errors(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(RULES.format(extra="    severity: error\n"), encoding="utf-8")
    engine = Engine(load_rules(path))
    assert engine.check(make_doc(LONG)).verdict == "fail"
    assert engine.check(make_doc("Short and sweet.")).verdict == "pass"


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("short line here", 6, 10, "short line here"),
        ("x" * 60 + " BAD " + "y" * 60, 61, 64, "..." + "x" * 39 + " BAD " + "y" * 19 + "..."),
        ("first\nsecond line\nthird", 6, 12, "second line"),
    ],
)
def test_excerpt(text: str, start: int, end: int, expected: str) -> None:
    assert excerpt(text, start, end) == expected


def test_a_kind_the_check_does_not_declare_is_a_bug(tmp_path: Path) -> None:
    from dataclasses import replace

    from qualitybot.contract import Hit
    from qualitybot.engine import CheckFailed

    path = tmp_path / "rules.yml"
    path.write_text(RULES.format(extra=""), encoding="utf-8")
    engine = Engine(load_rules(path))
    rule, spec = engine.rules[0]
    engine.rules = [(rule, replace(spec, run=lambda doc, options: [Hit(0, 1, "x", kind="no-such-kind")]))]
    with pytest.raises(CheckFailed, match="no-such-kind"):
        engine.check(make_doc(LONG))


def test_check_modules_are_listed_explicitly() -> None:
    import pkgutil

    from qualitybot import checks

    modules = {info.name for info in pkgutil.iter_modules(checks.__path__)}
    # Every listed check exists; every other module is a helper of a listed check.
    assert set(checks.CHECK_MODULES) <= modules
    assert modules - set(checks.CHECK_MODULES) == {"dates_extract", "fluency_table"}
    assert list(checks.registry()) == list(checks.CHECK_MODULES)
