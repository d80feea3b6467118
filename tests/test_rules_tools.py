"""``qualitybot rules list|explain|validate|schema``, run as editors run them (a subprocess)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from tests.conftest import ROOT, run_cli

PUBLISHED_SCHEMA = ROOT / "schema" / "qualitybot-rules.schema.json"
VALE_RULES = ROOT / "tests" / "fixtures" / "vale" / "qualitybot.yml"


# --- list ----------------------------------------------------------------------------------

LIST_LINES = [
    pytest.param("MyStyle.Hedging  (check pattern, warning, enabled)", id="re-levelled-import"),
    pytest.param("MyStyle.Commas  (check pattern, warning (timeout: error), disabled)", id="disabled-import"),
    pytest.param("MyStyle.WordsPerSentence  (check pattern, info (timeout: error), enabled)", id="suggestion-is-info"),
    pytest.param('    tokens: ["arguably", "appears to be", "very"]  (default [])', id="option-and-default"),
    pytest.param("    ignorecase: false  (default)", id="option-at-default"),
    pytest.param('    extends: "metric"  (required)', id="required-option"),
]


@pytest.fixture(scope="module")
def listing() -> subprocess.CompletedProcess[str]:
    return run_cli("rules", "list", "--rules", str(VALE_RULES))


@pytest.mark.parametrize("line", LIST_LINES)
def test_list(listing: subprocess.CompletedProcess[str], line: str) -> None:
    assert listing.returncode == 0, listing.stderr
    assert line in listing.stdout.splitlines()


def test_list_json_has_every_option_with_its_default() -> None:
    result = run_cli("rules", "list", "--rules", str(VALE_RULES), "--format", "json")
    rules = {r["rule"]: r for r in json.loads(result.stdout)}
    assert set(rules) == {
        f"MyStyle.{n}" for n in ("Commas", "Headings", "Hedging", "Repeated", "Terms", "WordsPerSentence")
    }
    terms = rules["MyStyle.Terms"]
    assert (terms["check"], terms["enabled"], terms["severity"]) == ("pattern", True, "error")
    assert terms["options"]["ignorecase"] == {"value": True, "default": False, "required": False}


def test_list_of_the_default_profile(tmp_path: Path) -> None:
    result = run_cli("rules", "list", cwd=tmp_path)  # no rules file here: the bundled default
    assert result.returncode == 0, result.stderr
    assert "readability  (check readability, warning (timeout: error), enabled)" in result.stdout
    assert "    max_sentence_words: 55  (default 45)" in result.stdout


# --- explain -----------------------------------------------------------------------------------

EXPLAIN = [
    pytest.param(
        ["pattern"],
        [
            "What it catches",
            "Fails (",
            "Passes",
            "Options of every rule:",
            "Options of substitution rules:",
            "  swap (mapping of word: word, required)",
            "  threshold (number, more than 0, at most 1, default 0.8)",
        ],
        id="check",
    ),
    pytest.param(
        ["MyStyle.Terms", "--rules", str(VALE_RULES)],
        [
            "Rule MyStyle.Terms: check pattern, severity error, enabled",
            "What it catches",
            "  ignorecase (true or false, default false; here true)",
        ],
        id="imported-rule",
    ),
    pytest.param(
        ["readability"],
        ["Fails (max_sentence_words: 25)", "  max_sentence_words (whole number, at least 0, default 45; here 55)",
         "  metrics (min/max per metric (metrics: flesch_reading_ease,"],
        id="bundled-rule",
    ),
]


@pytest.mark.parametrize(("args", "lines"), EXPLAIN)
def test_explain(tmp_path: Path, args: list[str], lines: list[str]) -> None:
    result = run_cli("rules", "explain", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for line in lines:
        assert line in result.stdout


def test_explain_unknown_rule_exits_2_with_a_hint(tmp_path: Path) -> None:
    result = run_cli("rules", "explain", "patern", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "qualitybot: no rule or check 'patern'; did you mean 'pattern'?\n"


# --- validate -------------------------------------------------------------------------------------


def test_validate_ok() -> None:
    result = run_cli("rules", "validate", str(VALE_RULES))
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")


INVALID = [
    pytest.param(
        "rules:\n  r:\n    check: pattern\n    extends: existence\n    message: m\n    tokenz: [a]\n",
        ["{file}:6: rules.r.tokenz: unknown option 'tokenz'; did you mean 'tokens'?"],
        id="typo",
    ),
    pytest.param(
        "imports: x\n",
        ["{file}:1: imports: unknown top-level key 'imports'; did you mean 'import'?"],
        id="top-level",
    ),
]


@pytest.mark.parametrize(("content", "errors"), INVALID)
def test_validate_reports_file_line_key(tmp_path: Path, content: str, errors: list[str]) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(content, encoding="utf-8")
    result = run_cli("rules", "validate", str(rules))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"qualitybot: {e.format(file=rules)}" for e in errors]


# --- JSON Schema ------------------------------------------------------------------------------------


def test_published_schema_is_the_generated_one() -> None:
    result = run_cli("rules", "schema")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(PUBLISHED_SCHEMA.read_text(encoding="utf-8")), (
        "regenerate it: qualitybot rules schema > schema/qualitybot-rules.schema.json"
    )


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(PUBLISHED_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


GOOD_FILES = [pytest.param(p, id=p.name) for p in sorted((ROOT / "rules").glob("*.yml"))] + [
    pytest.param(VALE_RULES, id="vale-import"),
]


@pytest.mark.parametrize("path", GOOD_FILES)
def test_schema_accepts_bundled_profiles(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [e.message for e in _validator().iter_errors(data)] == []


SCHEMA_REJECTS = [
    pytest.param({"rules": {"r": {"check": "pattern", "extends": "existence", "tokenz": ["a"]}}}, id="typo"),
    pytest.param({"rules": {"r": {"check": "pattern", "extends": "existance"}}}, id="rule-type"),
    pytest.param({"rules": {"readability": {"max_sentence_words": -1}}}, id="range"),
    pytest.param({"rules": {"Style.Rule": {"sevrity": "error"}}}, id="override-typo"),
    pytest.param({"rulez": {}}, id="top-level"),
]


@pytest.mark.parametrize("data", SCHEMA_REJECTS)
def test_schema_rejects(data: dict[str, object]) -> None:
    assert list(_validator().iter_errors(data)) != []


def test_validate_notes_rules_that_do_not_run(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("rules:\n  spell:\n    check: pattern\n    extends: spelling\n    message: x\n", encoding="utf-8")
    result = run_cli("rules", "validate", str(rules))
    assert (result.returncode, result.stdout) == (0, "ok\n")
    assert result.stderr == (
        "qualitybot: note: spell: Vale rule type 'spelling' is not run by qualitybot; it reports nothing\n"
    )
