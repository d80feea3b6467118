"""Rules files: every mistake an editor can make gives exit-2 quality messages with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualitybot.config import ConfigError, find_rules_file, load_rules


def write(tmp_path: Path, text: str, name: str = "rules.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        ("rules:\n  readability:\n    max_sentence_word: 3\n", 3,
         ["rules.readability.max_sentence_word", "unknown option", "did you mean 'max_sentence_words'"]),
        ("rules:\n  readability:\n    max_sentence_words: -1\n", 3, ["max_sentence_words", "must be at least 0, got -1"]),
        ("rules:\n  readability:\n    max_sentence_words: many\n", 3, ["max_sentence_words", "expected a whole number, got 'many'"]),
        ("rules:\n  readability:\n    severity: eror\n", 3, ["unknown severity 'eror'", "did you mean 'error'"]),
        ("rules:\n  readability:\n    enabled: maybe\n", 3, ["enabled", "true or false"]),
        ("rules:\n  readability:\n    severities: {metrik: error}\n", 3, ["unknown kind", "did you mean 'metric'"]),
        ("rules:\n  readability:\n    metrics: {flesch_reading_eas: {min: 3}}\n", 3, ["metrics.flesch_reading_eas", "unknown key", "did you mean 'flesch_reading_ease'"]),
        ("rules:\n  readability:\n    metrics: {flesch_reading_ease: {min: 9, max: 3}}\n", 3, ["greater than max"]),
        ("rules:\n  readabilty: {}\n", 2, ["rule needs a 'check:'"]),
        ("rules:\n  mine:\n    check: readabilty\n", 3, ["unknown check 'readabilty'", "did you mean 'readability'"]),
        ("rulez: {}\n", 1, ["unknown top-level key 'rulez'", "did you mean 'rules'"]),
        ("extends: defualt\n", 1, ["did you mean 'default'"]),
        ("rules: [\n", 2, ["invalid YAML"]),
        ("- a\n- b\n", 1, ["a rules file is a mapping"]),
        ("rules:\n  readability: 3\n", 2, ["expected a mapping"]),
    ],
)
def test_config_errors_name_file_line_and_key(tmp_path: Path, text: str, line: int, fragments: list[str]) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    message = info.value.messages[0]
    assert message.startswith(f"{path}:{line}: "), message
    for fragment in fragments:
        assert fragment in message


def test_all_errors_are_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  readability:\n    a: 1\n    b: 2\n")
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    assert [m.split(":")[1] for m in info.value.messages] == ["3", "4"]


def test_extends_merges_rule_by_rule(tmp_path: Path) -> None:
    write(tmp_path, "rules:\n  readability:\n    max_sentence_words: 30\n    min_words: 5\n", "base.yml")
    child = write(tmp_path, "extends: base.yml\nrules:\n  readability:\n    min_words: 9\n    severity: error\n")
    rule = load_rules(child).rules["readability"]
    assert rule.options.max_sentence_words == 30  # type: ignore[attr-defined]
    assert rule.options.min_words == 9  # type: ignore[attr-defined]
    assert rule.severity == "error"


def test_errors_in_an_extended_file_name_that_file(tmp_path: Path) -> None:
    base = write(tmp_path, "rules:\n  readability:\n    bogus: 1\n", "base.yml")
    child = write(tmp_path, "extends: base.yml\n")
    with pytest.raises(ConfigError) as info:
        load_rules(child)
    assert info.value.messages[0].startswith(f"{base}:3: ")


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "extends: b.yml\n", "a.yml")
    b = write(tmp_path, "extends: a.yml\n", "b.yml")
    with pytest.raises(ConfigError) as info:
        load_rules(b)
    assert "cycle" in info.value.messages[0]


def test_bundled_default_profile_is_valid() -> None:
    ruleset = load_rules(find_rules_file(None, cwd=Path("/")))
    assert "readability" in ruleset.rules


def test_local_rules_file_is_found(tmp_path: Path) -> None:
    write(tmp_path, "extends: default\n", ".qualitybot.yml")
    # The path comes back relative to the current folder when that is shorter: compare the files.
    assert find_rules_file(None, cwd=tmp_path).resolve() == (tmp_path / ".qualitybot.yml").resolve()


def test_per_kind_severity_and_off(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  readability:\n    severity: info\n    severities: {metric: off}\n")
    rule = load_rules(path).rules["readability"]
    from qualitybot.checks import registry

    spec = registry()["readability"]
    assert rule.severity_of("metric", spec) == "off"
    assert rule.severity_of("sentence-length", spec) == "info"
