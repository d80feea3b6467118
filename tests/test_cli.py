"""End-to-end: the ``qualitybot`` command in a subprocess, as writers and CI run it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli

FINDING_KEYS = {
    "check", "rule", "severity", "message", "line", "column", "end_line", "end_column",
    "excerpt", "suggestions", "related", "fixable",
}
STRICT_RULES = "rules:\n  readability:\n    severity: error\n    max_sentence_words: 10\n"
LONG = "This sentence is clearly far too long for the strict limit that the test rules set.\n"


def test_examples_flawed_fails_clean_passes() -> None:
    flawed = run_cli("check", str(EXAMPLES / "flawed-article.md"))
    clean = run_cli("check", str(EXAMPLES / "clean-article.md"))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "PASS" in clean.stdout
    assert flawed.returncode == 1, flawed.stdout + flawed.stderr
    assert "FAIL" in flawed.stdout


def test_json_report_matches_the_contract(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(STRICT_RULES)
    article = tmp_path / "a.md"
    article.write_text("# Title\n\n" + LONG)
    result = run_cli("check", "--format", "json", "--rules", str(rules), str(article))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["schema"] == "qualitybot.report/1"
    assert report["verdict"] == "fail"
    assert report["summary"] == {"documents": 1, "failed": 1, "errors": 1, "warnings": 0, "infos": 0}
    (doc,) = report["documents"]
    assert doc["path"] == str(article) and doc["verdict"] == "fail"
    assert {"words", "sentences", "flesch_reading_ease", "flesch_kincaid_grade"} <= set(doc["metrics"])
    (finding,) = doc["findings"]
    assert set(finding) == FINDING_KEYS
    assert (finding["line"], finding["column"]) == (3, 1)
    assert (finding["end_line"], finding["end_column"]) == (3, len(LONG.strip()) + 1)
    assert finding["check"] == "readability" and finding["rule"] == "readability.sentence-length"


def test_stdin_directory_and_output_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.md").write_text("Fine.\n")
    (tmp_path / "two.txt").write_text("Also fine.\n")
    (tmp_path / "skip.py").write_text("print('not an article')\n")
    out = tmp_path / "report.json"
    result = run_cli("check", "--format", "json", "--output", str(out), str(tmp_path))
    assert result.returncode == 0 and result.stdout == ""
    paths = [d["path"] for d in json.loads(out.read_text())["documents"]]
    assert paths == [str(tmp_path / "sub" / "one.md"), str(tmp_path / "two.txt")]
    piped = run_cli("check", "--format", "json", "-", stdin=b"Fine from stdin.\n")
    assert json.loads(piped.stdout)["documents"][0]["path"] == "<stdin>"


def test_text_report_has_line_col_rule_and_verdict(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(STRICT_RULES)
    result = run_cli("check", "--rules", str(rules), "-", stdin=("Intro.\n\n" + LONG).encode())
    assert result.returncode == 1
    assert "3:1" in result.stdout and "error" in result.stdout
    assert "readability.sentence-length" in result.stdout
    assert "\033[" not in result.stdout  # no colour in a pipe
    *_, verdict, rules_line = result.stdout.rstrip().splitlines()
    assert verdict.endswith("FAIL")
    assert rules_line == f"rules: {rules}"


def test_local_rules_file_is_used(tmp_path: Path) -> None:
    (tmp_path / "qualitybot.yml").write_text(STRICT_RULES)
    (tmp_path / "a.md").write_text(LONG)
    assert run_cli("check", "a.md", cwd=tmp_path).returncode == 1


def test_config_error_exit_2_with_file_line_and_hint(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("extends: default\nrules:\n  readability:\n    max_sentence_word: 3\n")
    result = run_cli("check", "--rules", str(rules), str(EXAMPLES / "clean-article.md"))
    assert result.returncode == 2
    assert f"{rules}:4: rules.readability.max_sentence_word: unknown option" in result.stderr
    assert "did you mean 'max_sentence_words'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"", 0, None),
        (b"---\ntitle: Only front matter\n---\n", 0, None),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 2, "not a text file"),
        (b"caf\xe9 au lait\n", 2, "not valid UTF-8"),
        (b"text with a \x00 NUL\n", 2, "NUL byte"),
        (b"\xef\xbb\xbfBOM then text.\r\nWindows lines.\r\n", 0, None),
    ],
)
def test_bad_input_never_tracebacks(tmp_path: Path, content: bytes, code: int, message: str | None) -> None:
    article = tmp_path / "input.txt"
    article.write_bytes(content)
    result = run_cli("check", "--format", "json", str(article))
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    if message:
        assert message in result.stderr
    else:
        assert json.loads(result.stdout)["verdict"] == "pass"


def test_huge_file_is_refused_clearly(tmp_path: Path) -> None:
    article = tmp_path / "huge.txt"
    article.write_bytes(b"All work and no play makes a dull article. " * (20 * 1024 * 1024 // 43 + 1))
    result = run_cli("check", str(article))
    assert result.returncode == 2
    assert "larger than the 5 MiB limit" in result.stderr and "--max-size" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "missing.md"], "missing.md: no such file or directory"),
        (["check", "--published-at", "2022-13-01", "x.md"], "expected YYYY-MM-DD"),
        (["check", "--format", "pdf", "x.md"], "invalid choice"),
        (["check", "--rules", "nope.yml", "x.md"], "nope.yml: rules file not found"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 2 and "no article files" in result.stderr


def test_offline_with_no_nltk_data_and_network_refused(tmp_path: Path) -> None:
    """textstat would download cmudict into NLTK's data dir; the gate uses the shipped copy."""
    guard = tmp_path / "sitecustomize.py"
    guard.write_text(
        "import socket\n"
        "def _refuse(*a, **k):\n    raise OSError('network access attempted')\n"
        "socket.socket.connect = _refuse\nsocket.create_connection = _refuse\nsocket.getaddrinfo = _refuse\n"
    )
    env = {"PYTHONPATH": f"{tmp_path}:{ROOT}", "NLTK_DATA": str(tmp_path / "nltk"), "HOME": str(tmp_path)}
    result = run_cli("check", "--format", "json", str(EXAMPLES / "flawed-article.md"), env=env)
    assert "network access attempted" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["documents"][0]["metrics"]["words"] > 100
    assert not (tmp_path / "nltk").exists()


def test_json_report_of_the_examples_validates_against_the_published_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "schema" / "qualitybot-report.schema.json").read_text())
    result = run_cli("check", "--format", "json", str(EXAMPLES))
    report = json.loads(result.stdout)
    jsonschema.validate(report, schema)
    for doc in report["documents"]:
        for finding in doc["findings"]:
            assert (finding["end_line"], finding["end_column"]) >= (finding["line"], finding["column"])


def test_treshold_typo_names_file_line_and_the_right_key(tmp_path: Path) -> None:
    rules = tmp_path / "newsroom.yml"
    rules.write_text("extends: default\nrules:\n  duplicates:\n    treshold: 90\n")
    result = run_cli("check", "--rules", str(rules), str(EXAMPLES / "clean-article.md"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"qualitybot: {rules}:4: rules.duplicates.treshold: unknown option 'treshold'; did you mean 'threshold'?"
    )
