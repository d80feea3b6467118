"""Imported Vale styles behave as Vale runs them: block by block, with Vale's comments and .vale.ini."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qualitybot.config import ConfigError, load_rules
from qualitybot.document import parse
from qualitybot.engine import Engine

# A text rule in the manner of RedHat.Spacing: a full stop and a capital with no space between.
SPACING = "extends: existence\nmessage: \"Keep one space between sentences: '%s'.\"\nlevel: error\nnonword: true\n" \
    "tokens: ['[a-z][.?!]\\s*[A-Z]', '[.?!] {2,}[A-Z]']\n"
SWAP = "extends: substitution\nmessage: \"Use '%s' instead of '%s'.\"\nlevel: suggestion\nswap: {utilize: use}\n" \
    "link: https://example.invalid/utilize\ndescription: Plain words.\n"
WEASEL = "extends: existence\nmessage: \"'%s' is a weasel word\"\nlevel: warning\ntokens: [very, quite]\n"


def styles(root: Path) -> Path:
    for style, rules in {"Acme": {"Spacing": SPACING, "Swap": SWAP}, "Other": {"Weasel": WEASEL}}.items():
        (root / "styles" / style).mkdir(parents=True, exist_ok=True)
        for name, text in rules.items():
            (root / "styles" / style / f"{name}.yml").write_text(text)
    return root


def engine_for(root: Path, rules: str) -> Engine:
    (root / "rules.yml").write_text(rules)
    return Engine(load_rules(root / "rules.yml"))


def found(engine: Engine, text: str, path: str = "a.md") -> list[tuple[int, str]]:
    return sorted((f.line, f.rule) for f in engine.check(parse(text, path)).findings)


@pytest.mark.parametrize("path", ["a.md", "a.txt"])
def test_text_rules_never_match_across_a_paragraph_break(tmp_path: Path, path: str) -> None:
    engine = engine_for(styles(tmp_path), "import: styles/Acme\n")
    # Each paragraph ends with a full stop and the next starts with a capital: Vale sees two blocks.
    text = "The first paragraph ends here.\n\nThe second one starts here.\n\nBad spacing.Here it is.\n"
    assert found(engine, text, path) == [(5, "Acme.Spacing")]


def vale_ini(root: Path, text: str) -> Engine:
    styles(root)
    (root / ".vale.ini").write_text(text)
    return engine_for(root, "import: .vale.ini\n")


def test_vale_ini_with_based_on_styles_and_a_rule_turned_off(tmp_path: Path) -> None:
    engine = vale_ini(tmp_path, "StylesPath = styles\n\n[*]\nBasedOnStyles = Acme, Other\nAcme.Spacing = NO\n")
    assert sorted(engine.ruleset.rules) == ["Acme.Spacing", "Acme.Swap", "Other.Weasel"]
    assert found(engine, "It is very good.Really. We utilize it.\n") == [(1, "Acme.Swap"), (1, "Other.Weasel")]


def test_vale_ini_levels_min_alert_level_sections_and_style_toggles(tmp_path: Path) -> None:
    engine = vale_ini(
        tmp_path,
        "StylesPath = styles\nMinAlertLevel = warning\nPackages = Google\n\n[*.{md,txt}]\nBasedOnStyles = Acme\n"
        "Acme.Spacing = warning\n\n[*.md]\nBasedOnStyles = Other\n\n[*.txt]\nAcme = NO\n",
    )
    rules = engine.ruleset.rules
    assert rules["Acme.Spacing"].severity_of("", engine.rules[0][1]) == "warning"
    assert not rules["Acme.Swap"].enabled  # a suggestion, below MinAlertLevel
    text = "It is very good.Really. We utilize it.\n"
    assert found(engine, text, "a.md") == [(1, "Acme.Spacing"), (1, "Acme.Spacing"), (1, "Other.Weasel")]
    assert found(engine, text, "a.txt") == []  # Acme = NO for .txt; Other only for .md


def test_vale_ini_vocabularies_accept_and_reject(tmp_path: Path) -> None:
    vocab = tmp_path / "styles" / "config" / "vocabularies" / "News"
    vocab.mkdir(parents=True)
    (vocab / "accept.txt").write_text("# names\nquite\n")
    (vocab / "reject.txt").write_text("synergy\n")
    engine = vale_ini(tmp_path, "StylesPath = styles\nVocab = News\n\n[*]\nBasedOnStyles = Other\n")
    assert found(engine, "It is quite very synergy.\n") == [(1, "Other.Weasel"), (1, "Vale.Avoid")]


def test_a_vale_ini_naming_a_missing_style_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / ".vale.ini").write_text("StylesPath = styles\n[*]\nBasedOnStyles = Nope\n")
    (tmp_path / "rules.yml").write_text("import: .vale.ini\n")
    with pytest.raises(ConfigError) as info:
        load_rules(tmp_path / "rules.yml")
    assert "rules.yml:1: import: no Vale rule file or style folder" in info.value.messages[0]


def test_link_and_description_reach_json_and_sarif(tmp_path: Path) -> None:
    styles(tmp_path)
    (tmp_path / "rules.yml").write_text("import: styles/Acme\n")
    (tmp_path / "a.md").write_text("We utilize it.\n")
    for fmt in ("json", "sarif"):
        result = subprocess.run([sys.executable, "-m", "qualitybot", "check", "a.md", "--rules", "rules.yml",
                                 "--format", fmt], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        out = json.loads(result.stdout)
        if fmt == "json":
            finding = out["documents"][0]["findings"][0]
            assert (finding["link"], finding["description"]) == ("https://example.invalid/utilize", "Plain words.")
        else:
            (rule,) = out["runs"][0]["tool"]["driver"]["rules"]
            assert rule["helpUri"] == "https://example.invalid/utilize"
            assert rule["fullDescription"]["text"] == "Plain words."


def test_check_notes_the_imported_rules_it_does_not_run(tmp_path: Path) -> None:
    styles(tmp_path)
    (tmp_path / "styles" / "Acme" / "Spell.yml").write_text("extends: spelling\nmessage: x\n")
    (tmp_path / "rules.yml").write_text("import: styles/Acme\n")
    (tmp_path / "a.md").write_text("Fine.\n")
    result = subprocess.run([sys.executable, "-m", "qualitybot", "check", "a.md", "--rules", "rules.yml",
                             "--format", "json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert json.loads(result.stdout)["notes"] == [
        "Acme.Spell: Vale rule type 'spelling' is not run by qualitybot; it reports nothing"
    ]
