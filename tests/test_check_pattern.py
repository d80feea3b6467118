"""Pattern rules (check ``pattern``): Vale's rule types, messages, positions, imports.

Each table row is a rule as an editor writes it (the examples of Vale's documentation
at https://vale.sh/docs/checks/), a text, and the findings expected as
(line, column, message) with 1-based columns in code points.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import textstat
import yaml

from qualitybot.checks.pattern.existence import Existence
from qualitybot.config import ConfigError, load_rules
from qualitybot.document import parse
from qualitybot.engine import Engine
from qualitybot.report import Finding
from tests.conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "vale"


def findings(tmp_path: Path, rule: dict[str, Any], text: str, name: str = "article.md") -> list[Finding]:
    rules_file = tmp_path / "rules.yml"
    rules_file.write_text(yaml.safe_dump({"rules": {"r": {"check": "pattern", **rule}}}), encoding="utf-8")
    engine = Engine(load_rules(rules_file))
    return engine.check(parse(text, name)).findings


def places(found: list[Finding]) -> list[tuple[int, int, str]]:
    return [(f.line, f.column, f.message) for f in found]


# --- existence ------------------------------------------------------------------------

HEDGING = {
    "extends": "existence",
    "message": "Consider removing '%s'",
    "ignorecase": True,
    "tokens": ["appears to be", "arguably"],
}

EXISTENCE = [
    pytest.param(
        HEDGING,
        "It arguably works. It Appears to be fine.",
        [(1, 4, "Consider removing 'arguably'"), (1, 23, "Consider removing 'Appears to be'")],
        id="docs-example-ignorecase",
    ),
    pytest.param(
        {**HEDGING, "ignorecase": False},
        "Arguably, it Appears to be fine.",
        [],
        id="case-sensitive-by-default",
    ),
    pytest.param(
        {"extends": "existence", "message": "'%s'", "tokens": ["cat"]},
        "concatenate the cat",
        [(1, 17, "'cat'")],
        id="word-boundaries",
    ),
    pytest.param(
        {"extends": "existence", "message": "'%s'", "tokens": ["cat"], "nonword": True},
        "concatenate the cat",
        [(1, 4, "'cat'"), (1, 17, "'cat'")],
        id="nonword",
    ),
    pytest.param(
        {
            "extends": "existence",
            "message": "Spell out '%s'",
            "tokens": ["[A-Z]{2,}"],
            "exceptions": ["NASA"],
        },
        "NASA and the FBI",
        [(1, 14, "Spell out 'FBI'")],
        id="exceptions",
    ),
    pytest.param(
        {
            "extends": "existence",
            "message": "One space after a full stop",
            "nonword": True,
            "raw": [r"\.\s{2,}"],
        },
        "One.  Two. Three.",
        [(1, 4, "One space after a full stop")],
        id="raw",
    ),
    pytest.param(
        {"extends": "existence", "message": "'%s'", "tokens": ["very"]},
        "Café très\nvery bad",
        [(2, 1, "'very'")],
        id="line-and-code-point-column",
    ),
    pytest.param(
        {"extends": "existence", "message": "'%s'", "tokens": ["very"]},
        "Café très very bad",
        [(1, 11, "'very'")],
        id="column-counts-code-points",
    ),
    pytest.param(
        {"extends": "existence", "message": "Found %s and %s", "tokens": ["very"]},
        "very",
        [(1, 1, "Found very and %!s(MISSING)")],
        id="missing-value-as-go-prints-it",
    ),
    pytest.param(
        {"extends": "existence", "message": "100%% '%s'", "tokens": ["very"]},
        "very",
        [(1, 1, "100% 'very'")],
        id="percent-escape",
    ),
    pytest.param(
        {"extends": "existence", "message": "'%s'", "tokens": ["very"], "scope": "heading"},
        "# A very good day\n\nA very good night.\n",
        [(1, 5, "'very'")],
        id="scope-heading",
    ),
    pytest.param(
        {"extends": "existence", "message": "'%s'", "tokens": ["very"], "limit": 1},
        "very very very",
        [(1, 1, "'very'")],
        id="limit",
    ),
]


@pytest.mark.parametrize(("rule", "text", "expected"), EXISTENCE)
def test_existence(tmp_path: Path, rule: dict[str, Any], text: str, expected: list[Any]) -> None:
    assert places(findings(tmp_path, rule, text)) == expected


def test_existence_regex_is_built_as_vale_documents() -> None:
    rule = Existence.model_validate(HEDGING)
    assert rule.pattern() == r"(?i)(?m)\b(?:appears to be|arguably)\b"


def test_markdown_code_is_not_prose(tmp_path: Path) -> None:
    rule = {"extends": "existence", "message": "'%s'", "tokens": ["very"]}
    text = "Use `very` here.\n\n```\nvery\n```\n\nA very good day.\n"
    assert places(findings(tmp_path, rule, text, "a.md")) == [(7, 3, "'very'")]


# --- substitution -----------------------------------------------------------------------

SUBSTITUTION = [
    pytest.param(
        {
            "extends": "substitution",
            "message": "Consider using '%s' instead of '%s'",
            "swap": {"abundance": "plenty", "accelerate": "speed up"},
        },
        "An abundance of caution may accelerate it.",
        [
            (1, 4, "Consider using 'plenty' instead of 'abundance'"),
            (1, 29, "Consider using 'speed up' instead of 'accelerate'"),
        ],
        id="docs-example",
    ),
    pytest.param(
        {
            "extends": "substitution",
            "message": "Use '%s' instead of '%s'.",
            "swap": {"(?:give|gave) rise to": "lead to"},
        },
        "It gave rise to protests.",
        [(1, 4, "Use 'lead to' instead of 'gave rise to'.")],
        id="regex-key",
    ),
    pytest.param(
        {
            "extends": "substitution",
            "message": "Use '%s' instead of '%s'.",
            "ignorecase": True,
            "swap": {"javascript": "JavaScript"},
        },
        "javascript and JavaScript",
        [(1, 1, "Use 'JavaScript' instead of 'javascript'.")],
        id="ignorecase-accepts-expected-form",
    ),
    pytest.param(
        {
            "extends": "substitution",
            "message": "Use '%s' instead of '%s'.",
            "swap": {r"within the (\w+) directory": "in the $1 directory"},
        },
        "Put it within the docs directory.",
        [(1, 8, "Use 'in the docs directory' instead of 'within the docs directory'.")],
        id="capture-group-in-suggestion",
    ),
    pytest.param(
        {
            "extends": "substitution",
            "message": "Consider using %s instead of '%s.'",
            "action": {"name": "replace"},
            "swap": {"utilize": "use|employ"},
        },
        "We utilize it.",
        [(1, 4, "Consider using 'use' or 'employ' instead of 'utilize.'")],
        id="multiple-suggestions",
    ),
    pytest.param(
        {
            "extends": "substitution",
            "message": "Use '%s' instead of '%s'.",
            "action": {"name": "replace"},
            "swap": {"utilize": "use|employ|apply"},
        },
        "We utilize it.",
        [(1, 4, "Use 'use', 'employ', or 'apply' instead of 'utilize'.")],
        id="quoted-message-not-doubled",
    ),
    pytest.param(
        {"extends": "substitution", "message": "'%s' not '%s'", "swap": {"cat": "feline"}},
        "concatenate",
        [],
        id="word-boundaries",
    ),
    pytest.param(
        {
            "extends": "substitution",
            "message": "'%s' not '%s'",
            "swap": {"e-mail": "email"},
            "exceptions": ["e-mail"],
        },
        "Send an e-mail.",
        [],
        id="exceptions",
    ),
]


@pytest.mark.parametrize(("rule", "text", "expected"), SUBSTITUTION)
def test_substitution(tmp_path: Path, rule: dict[str, Any], text: str, expected: list[Any]) -> None:
    assert places(findings(tmp_path, rule, text)) == expected


def test_substitution_suggests_each_option(tmp_path: Path) -> None:
    rule = {"extends": "substitution", "message": "%s", "swap": {"utilize": "use|employ"}}
    [finding] = findings(tmp_path, rule, "We utilize it.")
    assert finding.suggestions == ("use", "employ")
    assert (finding.column, finding.end_column) == (4, 11)


# --- occurrence ---------------------------------------------------------------------------

COMMAS = {
    "extends": "occurrence",
    "message": "More than 3 commas!",
    "scope": "sentence",
    "max": 3,
    "token": ",",
}

OCCURRENCE = [
    pytest.param(COMMAS, "A, b, c, d, e. F, g.", [(1, 2, "More than 3 commas!")], id="docs-example"),
    pytest.param(
        COMMAS,
        "Apples, pears, plums, figs. Eggs, ham, jam, tea, rye.",
        [(1, 33, "More than 3 commas!")],
        id="per-sentence",
    ),
    pytest.param(COMMAS, "A, b, c, d.", [], id="at-max"),
    pytest.param(
        {**COMMAS, "message": "Too many commas (found: %s)."},
        "A, b, c, d, e.",
        [(1, 2, "Too many commas (found: 4).")],
        id="percent-s-is-the-count",
    ),
    pytest.param(
        {
            "extends": "occurrence",
            "message": "Credit the agency",
            "scope": "paragraph",
            "min": 1,
            "token": "Reuters",
        },
        "Para one.\n\nPara two, Reuters said.",
        [(1, 1, "Credit the agency")],
        id="min-with-none-reports-scope-start",
    ),
]


@pytest.mark.parametrize(("rule", "text", "expected"), OCCURRENCE)
def test_occurrence(tmp_path: Path, rule: dict[str, Any], text: str, expected: list[Any]) -> None:
    assert places(findings(tmp_path, rule, text)) == expected


# --- repetition -----------------------------------------------------------------------------

REPEATED = {"extends": "repetition", "message": "'%s' is repeated!", "alpha": True, "tokens": [r"[^\s]+"]}

REPETITION = [
    pytest.param(
        REPEATED,
        "This is is a sentence with a repeated word.",
        [(1, 6, "'is' is repeated!")],
        id="docs-example",
    ),
    pytest.param(REPEATED, "Nothing repeats in this sentence.", [], id="clean"),
    pytest.param({**REPEATED, "alpha": False}, "It cost 1 1 dollar.", [(1, 9, "'1' is repeated!")], id="digits"),
    pytest.param(REPEATED, "It cost 1 1 dollar.", [], id="alpha-skips-digits"),
    pytest.param({**REPEATED, "ignorecase": True}, "The the cat.", [(1, 1, "'the' is repeated!")], id="ignorecase"),
    pytest.param(REPEATED, "The the cat.", [], id="case-sensitive"),
    pytest.param(
        {**REPEATED, "tokens": [r"\w+"], "ignorecase": True},
        "I forgot about that. That is it.",
        [],
        id="not-across-sentences",
    ),
    pytest.param({**REPEATED, "exceptions": ["Tiny Tiny"]}, "We use Tiny Tiny RSS.", [], id="exceptions"),
]


@pytest.mark.parametrize(("rule", "text", "expected"), REPETITION)
def test_repetition(tmp_path: Path, rule: dict[str, Any], text: str, expected: list[Any]) -> None:
    assert places(findings(tmp_path, rule, text)) == expected


def test_repetition_spans_both_words(tmp_path: Path) -> None:
    [finding] = findings(tmp_path, REPEATED, "This is is a test.")
    assert (finding.column, finding.end_column) == (6, 11)


# --- capitalization -------------------------------------------------------------------------

TITLE = {
    "extends": "capitalization",
    "message": "'%s' should be in title case",
    "scope": "heading",
    "match": "$title",
}
SENTENCE = {
    "extends": "capitalization",
    "message": "'%s' should be in sentence case",
    "scope": "heading",
    "match": "$sentence",
}

CAPITALIZATION = [
    pytest.param(
        TITLE,
        "# The story of a day\n",
        [(1, 3, "'The story of a day' should be in title case")],
        id="title-fails",
    ),
    pytest.param(TITLE, "# The Story of a Day\n", [], id="title-passes-ap"),
    pytest.param(
        {**TITLE, "style": "Chicago"},
        "# Walking Through the Park\n",
        [(1, 3, "'Walking Through the Park' should be in title case")],
        id="title-chicago-preposition",
    ),
    pytest.param(
        SENTENCE,
        "# This Is Not Sentence Case\n",
        [(1, 3, "'This Is Not Sentence Case' should be in sentence case")],
        id="sentence-fails",
    ),
    pytest.param(SENTENCE, "# This is sentence case\n", [], id="sentence-passes"),
    pytest.param(
        SENTENCE,
        "# Results: What we found\n",
        [(1, 3, "'Results: What we found' should be in sentence case")],
        id="sentence-without-indicator",
    ),
    pytest.param({**SENTENCE, "indicators": [":"]}, "# Results: What we found\n", [], id="sentence-indicator"),
    pytest.param(
        SENTENCE,
        "# Deploying with Kubernetes today\n",
        [(1, 3, "'Deploying with Kubernetes today' should be in sentence case")],
        id="sentence-proper-noun",
    ),
    pytest.param(
        {**SENTENCE, "exceptions": ["Kubernetes"]},
        "# Deploying with Kubernetes today\n",
        [],
        id="sentence-exceptions",
    ),
    pytest.param(
        {**SENTENCE, "scope": "heading.h2"},
        "# Not Checked Here\n\n## Checked Here\n",
        [(3, 4, "'Checked Here' should be in sentence case")],
        id="heading-level",
    ),
    pytest.param(
        {
            "extends": "capitalization",
            "message": "'%s' must be upper case",
            "scope": "heading",
            "match": "$upper",
        },
        "# WARNING\n\n# Warning\n",
        [(3, 3, "'Warning' must be upper case")],
        id="upper",
    ),
]


@pytest.mark.parametrize(("rule", "text", "expected"), CAPITALIZATION)
def test_capitalization(tmp_path: Path, rule: dict[str, Any], text: str, expected: list[Any]) -> None:
    assert places(findings(tmp_path, rule, text, "article.md")) == expected


# --- metric ---------------------------------------------------------------------------------

WPS = {
    "extends": "metric",
    "message": "This has %s words per sentence.",
    "formula": "words / sentences",
    "condition": "> 3.0",
}

METRIC = [
    pytest.param(
        WPS,
        "One two three four. Five six seven eight.",
        [(1, 1, "This has 4.00 words per sentence.")],
        id="words-per-sentence",
    ),
    pytest.param({**WPS, "condition": "> 5.0"}, "One two three four. Five six seven eight.", [], id="below"),
    pytest.param(
        {
            "extends": "metric",
            "message": "Too many sections (%s).",
            "formula": "heading.h2",
            "condition": "> 2.0",
        },
        "# T\n\n## A\n\nx.\n\n## B\n\ny.\n\n## C\n\nz.\n",
        [(1, 1, "Too many sections (3.00).")],
        id="heading-variable",
    ),
    pytest.param(
        {"extends": "metric", "message": "%s", "formula": "math.sqrt(words)", "condition": ">= 2.0"},
        "One two three four.",
        [(1, 1, "2.00")],
        id="math-function",
    ),
]


@pytest.mark.parametrize(("rule", "text", "expected"), METRIC)
def test_metric(tmp_path: Path, rule: dict[str, Any], text: str, expected: list[Any]) -> None:
    assert places(findings(tmp_path, rule, text, "article.md")) == expected


# --- conditional, consistency, readability, and the types that do not run ------------------------

ACRONYMS = {
    "extends": "conditional",
    "message": "'%s' has no definition.",
    "first": r"\b([A-Z]{3,5})\b",
    "second": r"(?:\b[A-Z][a-z]+ )+\(([A-Z]{3,5})\)",
    "exceptions": ["NASA"],
}
SPELLING = {
    "extends": "consistency",
    "message": "Inconsistent spelling of '%s'.",
    "ignorecase": True,
    "either": {"advisor": "adviser", "centre": "center"},
}
GRADE = {"extends": "readability", "message": "Grade level (%s) too high.", "metrics": ["Flesch-Kincaid"], "grade": 8}
HARD = "The intergovernmental organization's comprehensive reconsideration necessitated unprecedented deliberation."

OTHER_TYPES = [
    pytest.param(
        ACRONYMS,
        "The World Health Organization (WHO) met. The WHO and the IMF agreed. NASA too.",
        [(1, 58, "'IMF' has no definition.")],
        id="conditional-acronym",
    ),
    pytest.param(
        {**ACRONYMS, "first": r"\bsaid\b", "second": r"\baccording to\b", "message": "'%s': source?"},
        "He said so, according to them.",
        [],
        id="conditional-presence",
    ),
    pytest.param(
        SPELLING,
        "The advisor spoke. The Adviser left. The centre opened.",
        [(1, 24, "Inconsistent spelling of 'Adviser'.")],
        id="consistency-mixed",
    ),
    pytest.param(SPELLING, "The advisor spoke. The advisor left.", [], id="consistency-one-form"),
    # Vale formats the grade with two decimals; the grade itself is textstat's Flesch-Kincaid.
    pytest.param(
        GRADE,
        HARD,
        [(1, 1, f"Grade level ({textstat.flesch_kincaid_grade(HARD):.2f}) too high.")],
        id="readability-too-hard",
    ),
    pytest.param({**GRADE, "grade": 60}, HARD, [], id="readability-within"),
    pytest.param({"extends": "spelling", "message": "x", "custom": True}, "teh", [], id="spelling-is-not-run"),
]


@pytest.mark.parametrize(("rule", "text", "expected"), OTHER_TYPES)
def test_other_vale_types(tmp_path: Path, rule: dict[str, Any], text: str, expected: list[Any]) -> None:
    assert places(findings(tmp_path, rule, text)) == expected


WEAKLY_TYPED = [
    pytest.param(
        {"extends": "existence", "message": "'%s'", "tokens": [2019]},
        "In 2019 it rained.",
        [(1, 4, "'2019'")],
        id="number-token-is-text",
    ),
    pytest.param(
        {"extends": "existence", "message": "'%s'", "tokens": "very"},
        "A very day.",
        [(1, 3, "'very'")],
        id="string-is-a-list-of-one",
    ),
    pytest.param({**GRADE, "metrics": "Flesch-Kincaid", "grade": 60}, HARD, [], id="metrics-string"),
]


@pytest.mark.parametrize(("rule", "text", "expected"), WEAKLY_TYPED)
def test_values_are_decoded_weakly_as_vale_does(
    tmp_path: Path, rule: dict[str, Any], text: str, expected: list[Any]
) -> None:
    assert places(findings(tmp_path, rule, text)) == expected


# --- levels and severities -------------------------------------------------------------------

LEVELS = [
    pytest.param({"level": "suggestion"}, "info", id="suggestion-is-info"),
    pytest.param({"level": "warning"}, "warning", id="warning"),
    pytest.param({"level": "error"}, "error", id="error"),
    pytest.param({}, "warning", id="vale-default-is-warning"),
    pytest.param({"level": "suggestion", "severity": "error"}, "error", id="severity-wins"),
]


@pytest.mark.parametrize(("settings", "severity"), LEVELS)
def test_level_maps_to_severity(tmp_path: Path, settings: dict[str, Any], severity: str) -> None:
    rule = {"extends": "existence", "message": "'%s'", "tokens": ["very"], **settings}
    assert [f.severity for f in findings(tmp_path, rule, "very")] == [severity]


# --- bad rules: file:line: key: why ------------------------------------------------------------

BAD_RULES = [
    pytest.param({"extends": "existance"}, "rules.r.extends: unknown value 'existance'; did you mean 'existence'?", id="unknown-type"),
    pytest.param(
        {"extends": "existence", "tokenz": ["a"]},
        "rules.r.tokenz: unknown option 'tokenz'; did you mean 'tokens'?",
        id="typo-gets-hint-from-its-rule-type",
    ),
    pytest.param(
        {"extends": "existence", "tokens": ["(unclosed"]},
        "rules.r.tokens: invalid regular expression",
        id="bad-regex",
    ),
    pytest.param({"extends": "existence"}, "rules.r: an existence rule needs 'tokens' or 'raw'", id="no-tokens"),
    pytest.param(
        {"extends": "substitution", "swap": {"a": "b"}, "level": "fatal"},
        "rules.r.level: unknown value 'fatal' (expected one of: suggestion, warning, error)",
        id="bad-level",
    ),
    pytest.param(
        {"extends": "metric", "formula": "words / sentencez", "condition": "> 1"},
        "rules.r.formula: unknown variable 'sentencez'",
        id="bad-formula",
    ),
    pytest.param(
        {"extends": "metric", "formula": "__import__('os')", "condition": "> 1"},
        "rules.r.formula: only math.NAME(...) functions may be called",
        id="formula-is-not-code",
    ),
    pytest.param(
        {"extends": "occurrence", "token": "x", "max": 1, "scope": "bogus"},
        "rules.r.scope: unknown scope 'bogus'",
        id="bad-scope",
    ),
    pytest.param({"extends": "capitalization", "match": "$titel"}, "rules.r.match: expected $title", id="bad-match"),
]


@pytest.mark.parametrize(("rule", "message"), BAD_RULES)
def test_bad_rules_name_file_line_and_key(tmp_path: Path, rule: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        findings(tmp_path, {"message": "m", **rule}, "")
    [error] = caught.value.messages
    assert error.startswith(f"{tmp_path / 'rules.yml'}:")
    assert message in error


def test_message_is_required_as_in_vale(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        findings(tmp_path, {"extends": "existence", "tokens": ["very"]}, "")
    [error] = caught.value.messages
    assert error.startswith(f"{tmp_path / 'rules.yml'}:2: rules.r.message: missing (required)")


# --- regular expressions that would backtrack forever --------------------------------------------


def test_catastrophic_pattern_runs_in_linear_time(tmp_path: Path) -> None:
    # RE2 has no backtracking: the classic (a+)+$ on "aaaa...b" is just "no match".
    rule = {"extends": "existence", "message": "'%s'", "nonword": True, "tokens": ["(a+)+$"]}
    assert findings(tmp_path, rule, "a" * 50_000 + "b") == []


def test_backtracking_pattern_is_stopped_with_a_clear_message(tmp_path: Path) -> None:
    # A look-ahead needs the backtracking engine; its time budget stops it.
    rule = {"extends": "existence", "message": "'%s'", "nonword": True, "tokens": ["(a+)+(?=c)"]}
    [finding] = findings(tmp_path, rule, "a" * 5_000 + "b")
    assert (finding.rule, finding.severity) == ("r.timeout", "error")
    assert "Rule stopped: its regular expression '(?m)(?:(a+)+(?=c))' backtracked" in finding.message


def test_look_arounds_still_work(tmp_path: Path) -> None:
    rule = {"extends": "existence", "message": "'%s'", "tokens": [r"data(?= is)"]}
    assert places(findings(tmp_path, rule, "The data is in; data are plural.")) == [(1, 5, "'data'")]


# --- suppression comments ---------------------------------------------------------------------

SUPPRESSED = """A very good start.

<!-- qualitybot: disable-next-line r -->
A very quiet line.

<!-- qualitybot: disable r -->
Very quiet too.
<!-- qualitybot: enable r -->

A very loud end.
"""


def test_suppression_comments(tmp_path: Path) -> None:
    rule = {"extends": "existence", "message": "'%s'", "ignorecase": True, "tokens": ["very"]}
    assert [f.line for f in findings(tmp_path, rule, SUPPRESSED, "a.md")] == [1, 10]


# --- Vale style folders -----------------------------------------------------------------------


def test_imported_vale_style_runs_with_overrides() -> None:
    result = run_cli(
        "check", "--rules", str(FIXTURES / "qualitybot.yml"), "--format", "json", str(FIXTURES / "article.md")
    )
    assert result.returncode == 1, result.stderr
    found = [
        (f["rule"], f["severity"], f["line"], f["column"], f["message"])
        for f in json.loads(result.stdout)["documents"][0]["findings"]
    ]
    assert found == [
        ("MyStyle.Hedging", "warning", 3, 15, "Consider removing 'very'."),  # suggestion, re-levelled
        ("MyStyle.Repeated", "error", 3, 42, "'the' is repeated!"),
        ("MyStyle.Terms", "error", 3, 61, "Use 'use' instead of 'utilize'."),
        (
            "MyStyle.Headings",
            "warning",
            5,
            4,
            "'Rates Will Stay High For Longer' should be in sentence case.",
        ),
    ]  # MyStyle.Commas is disabled; the words per sentence stay under 25


def test_import_of_a_single_rule_file_and_suppression_of_its_id(tmp_path: Path) -> None:
    # Imports reach only inside the rules root (the rules file's folder here): copy the style in.
    shutil.copytree(FIXTURES / "MyStyle", tmp_path / "MyStyle")
    (tmp_path / "rules.yml").write_text("import: MyStyle/Hedging.yml\n", encoding="utf-8")
    article = tmp_path / "a.md"
    article.write_text(
        "Very good.\n\n<!-- qualitybot: disable-next-line MyStyle.Hedging -->\nVery quiet.\n",
        encoding="utf-8",
    )
    result = run_cli("check", "--rules", str(tmp_path / "rules.yml"), "--format", "json", str(article))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)["documents"][0]["findings"]
    assert [(f["rule"], f["severity"], f["line"]) for f in found] == [("MyStyle.Hedging", "info", 1)]


IMPORT_ERRORS = [
    pytest.param("import: nowhere\n", "rules.yml:1: import: no Vale rule file or style folder 'nowhere'", id="missing"),
    pytest.param("import: [1]\n", "rules.yml:1: import: expected a Vale style folder", id="not-a-path"),
]


@pytest.mark.parametrize(("content", "message"), IMPORT_ERRORS)
def test_import_errors(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "rules.yml").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path / "rules.yml")
    assert caught.value.messages[0].endswith(message.split(":", 1)[1]) or message in caught.value.messages[0]


def test_error_in_an_imported_vale_file_names_that_file(tmp_path: Path) -> None:
    style = tmp_path / "Acme"
    style.mkdir()
    (style / "Bad.yml").write_text("extends: existence\nmessage: x\ntokenz: [a]\n", encoding="utf-8")
    (tmp_path / "rules.yml").write_text("import: Acme\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path / "rules.yml")
    assert caught.value.messages == [
        f"{style / 'Bad.yml'}:3: rules.Acme.Bad.tokenz: unknown option 'tokenz'; did you mean 'tokens'?"
    ]
