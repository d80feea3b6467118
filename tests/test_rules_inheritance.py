"""Rules files that combine through ``extends:``, are found from any folder, and say where each value came from."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qualitybot.config import ConfigError, bundled_profile, find_rules_file, load_rules

DEFAULT_DISABLED = load_rules(bundled_profile("default")).rules["grammar"].options.disabled_rules  # type: ignore[attr-defined]


def write(folder: Path, text: str, name: str = "rules.yml") -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def option(path: Path, rule: str, name: str) -> object:
    return getattr(load_rules(path).rules[rule].options, name)


# (child rules file over `extends: default`, rule, option, expected final value)
MERGES = [
    # A list of names adds to the parent's.
    ("grammar: {disabled_rules: [SpellCheck]}", "grammar", "disabled_rules", (*DEFAULT_DISABLED, "SpellCheck")),
    # `!remove` drops one inherited entry; the rest stay.
    ("grammar: {disabled_rules: [!remove OxfordComma]}", "grammar", "disabled_rules",
     tuple(r for r in DEFAULT_DISABLED if r != "OxfordComma")),
    # `!replace` takes the list as it is.
    ("grammar: {disabled_rules: !replace [SpellCheck]}", "grammar", "disabled_rules", ("SpellCheck",)),
    # A mapping merges key by key: the other bounds stay.
    ("readability: {metrics: {flesch_reading_ease: {min: 70}}}", "readability", "metrics",
     {"flesch_reading_ease": {"min": 70.0, "max": None}, "flesch_kincaid_grade": {"min": None, "max": 20.0}}),
    ("readability: {metrics: !replace {flesch_reading_ease: {min: 70}}}", "readability", "metrics",
     {"flesch_reading_ease": {"min": 70.0, "max": None}}),
    ("readability:\n    metrics:\n      flesch_kincaid_grade: !remove", "readability", "metrics",
     {"flesch_reading_ease": {"min": 10.0, "max": None}}),
    # A single value replaces.
    ("readability: {max_sentence_words: 40}", "readability", "max_sentence_words", 40),
    # A Vale swap (a mapping) merges; a rule's scope (a list whose order matters) replaces.
    ("sentence-spacing: {swap: {utilize: use}}", "sentence-spacing", "swap",
     {"\\b([a-z]{2,})([.?!])([A-Z][a-z]+)\\b": "$1$2 $3", "utilize": "use"}),
    ("sentence-spacing: {scope: [heading]}", "sentence-spacing", "scope", ["heading"]),
]


def test_vale_tokens_add_to_the_inherited_ones(tmp_path: Path) -> None:
    write(tmp_path, "rules:\n  ban:\n    check: pattern\n    extends: existence\n    message: m\n"
          "    tokens: [alpha, beta]\n", "base.yml")
    child = write(tmp_path, "extends: base.yml\nrules:\n  ban:\n    tokens: [gamma, !remove alpha]\n")
    assert option(child, "ban", "tokens") == ["beta", "gamma"]


@pytest.mark.parametrize(("rules", "rule", "name", "expected"), MERGES)
def test_child_values_merge_with_the_parents(tmp_path: Path, rules: str, rule: str, name: str, expected: object) -> None:
    path = write(tmp_path, f"extends: default\nrules:\n  {rules}\n")
    value = option(path, rule, name)
    if hasattr(value, "items"):
        value = {k: v.model_dump() if hasattr(v, "model_dump") else v for k, v in value.items()}  # type: ignore[union-attr]
    assert value == expected


def test_merging_goes_through_every_level_of_extends(tmp_path: Path) -> None:
    write(tmp_path, "rules:\n  grammar:\n    accept: [Psaki]\n    dialect: british\n", "base.yml")
    write(tmp_path, "extends: base.yml\nrules:\n  grammar:\n    accept: [Zakharova]\n", "desk.yml")
    child = write(tmp_path, "extends: desk.yml\nrules:\n  grammar:\n    accept: [!remove Psaki, Kyiv]\n")
    assert option(child, "grammar", "accept") == ("Zakharova", "Kyiv")
    assert option(child, "grammar", "dialect") == "british"


def test_a_rule_naming_another_rule_type_replaces_the_inherited_one(tmp_path: Path) -> None:
    path = write(tmp_path, "extends: default\nrules:\n  sentence-spacing:\n    extends: substitution\n"
                 "    message: x\n    swap: {a: b}\n")
    rule = load_rules(path).rules["sentence-spacing"]
    assert rule.options.extends == "substitution"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("text", "line", "first"),
    [
        ("rules:\n  grammar: {}\n  grammar: {}\n", 3, 2),
        ("rules:\n  readability:\n    min_words: 1\n    min_words: 2\n", 4, 3),
        ("profile: a\nprofile: b\n", 2, 1),
    ],
)
def test_a_key_set_twice_is_an_error_at_its_line(tmp_path: Path, text: str, line: int, first: int) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    assert info.value.messages[0].startswith(f"{path}:{line}: ")
    assert f"set twice (first on line {first})" in info.value.messages[0]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qualitybot", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_rules_list_effective_names_the_file_and_line_of_each_value(tmp_path: Path) -> None:
    write(tmp_path, "extends: default\nrules:\n  grammar:\n    disabled_rules: [SpellCheck]\n"
          "  readability:\n    metrics: {flesch_reading_ease: {min: 70}}\n", "qualitybot.yml")
    result = run("rules", "list", "--effective", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rules = {r["rule"]: r["settings"] for r in json.loads(result.stdout)}
    disabled = rules["grammar"]["disabled_rules"]
    assert disabled["value"][-1] == "SpellCheck"
    assert disabled["from"].startswith("default:") and disabled["from"].endswith(", qualitybot.yml:4")
    metrics_from = rules["readability"]["metrics"]["from"].split(", ")
    assert "qualitybot.yml:6" in metrics_from and any(f.startswith("default:") for f in metrics_from)
    assert rules["readability"]["max_sentence_words"]["from"].startswith("default:")
    assert rules["readability"]["max_paragraph_words"]["value"] == 0
    assert rules["quotes"]["enabled"]["from"] == "built-in"
    text = run("rules", "list", "--effective", cwd=tmp_path)
    assert "    disabled_rules: [" in text.stdout and "qualitybot.yml:4)" in text.stdout


# --- discovery -------------------------------------------------------------------


def test_the_rules_file_is_found_from_any_folder_up_to_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    rules = write(tmp_path / "repo", "extends: default\n", "qualitybot.yml")
    deep = tmp_path / "repo" / "news" / "2024"
    deep.mkdir(parents=True)
    assert find_rules_file(None, deep).resolve() == rules.resolve()
    assert find_rules_file(None, tmp_path / "repo").resolve() == rules.resolve()
    # Above the repository's root is not looked at.
    write(tmp_path, "extends: default\n", "qualitybot.yml")
    (tmp_path / "other" / ".git").mkdir(parents=True)
    assert find_rules_file(None, tmp_path / "other") == bundled_profile("default")


def test_rules_accepts_a_bundled_profile_name() -> None:
    assert find_rules_file("default") == bundled_profile("default")


def test_check_from_any_folder_uses_the_repository_rules_and_names_them(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "extends: default\nrules:\n  bad-word:\n    check: pattern\n    extends: existence\n"
          "    message: banned\n    level: error\n    tokens: [zorblax]\n", "qualitybot.yml")
    write(repo / "news" / "2024", "A zorblax was seen.\n", "story.md")
    for cwd, path in [(repo, "news/2024/story.md"), (repo / "news", "2024/story.md"), (repo / "news" / "2024", "story.md")]:
        result = run("check", path, "--format", "json", cwd=cwd)
        report = json.loads(result.stdout)
        assert result.returncode == 1, result.stderr
        assert Path(cwd, report["rules"]).resolve() == (repo / "qualitybot.yml").resolve()
        assert report["documents"][0]["findings"][0]["rule"] == "bad-word"
    text = run("check", "story.md", cwd=repo / "news" / "2024")
    assert text.stdout.rstrip().splitlines()[-1] == "rules: ../../qualitybot.yml"
    profile = run("check", "story.md", "--rules", "default", "--format", "json", cwd=repo / "news" / "2024")
    assert json.loads(profile.stdout)["rules"] == "default"


# --- messages in the project's own words --------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # A typo in the rule type: one message, not a follow-on "did you mean 'extends'?" for every key.
        ("check: pattern\n    extends: existance\n    message: m\n    tokens: [a]",
         ["rules.r.extends: unknown value 'existance'; did you mean 'existence'?"]),
        ("check: pattern\n    extends: existence", ["rules.r.message: missing (required)"]),
        ("check: grammar\n    accept: 3", ["rules.r.accept: expected a list of words, e.g. [a, b], got 3"]),
        ("check: readability\n    min_words: {a: 1}", ["rules.r.min_words: expected a whole number, got a mapping"]),
    ],
)
def test_config_errors_speak_the_rules_files_language(tmp_path: Path, rule: str, expected: list[str]) -> None:
    path = write(tmp_path, f"rules:\n  r:\n    {rule}\n")
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    assert [m.split(": ", 1)[1] for m in info.value.messages] == expected
    for message in info.value.messages:
        assert "Input should" not in message and "Field required" not in message and "(got {" not in message
