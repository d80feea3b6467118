"""Suppression comments, qualitybot's and Vale's: what they silence, and what they never are (checked text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualitybot.config import load_rules
from qualitybot.document import parse
from qualitybot.engine import Engine

RULES = """\
import: styles/Acme
rules:
  ban:
    check: pattern
    extends: existence
    message: "'%s' is banned"
    tokens: [zorblax]
"""
ACME_BAN = "extends: existence\nmessage: \"Avoid '%s'\"\nlevel: error\ntokens: [blorp]\n"
ACME_OTHER = "extends: existence\nmessage: \"Avoid '%s'\"\ntokens: [quux]\n"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp("rules")
    (root / "styles" / "Acme").mkdir(parents=True)
    (root / "styles" / "Acme" / "Ban.yml").write_text(ACME_BAN)
    (root / "styles" / "Acme" / "Other.yml").write_text(ACME_OTHER)
    (root / "rules.yml").write_text(RULES)
    return Engine(load_rules(root / "rules.yml"))


def found(engine: Engine, text: str, path: str = "a.md") -> list[tuple[int, str]]:
    return [(f.line, f.rule) for f in engine.check(parse(text, path)).findings]


CASES = [
    # qualitybot's own comments
    ("zorblax\n<!-- qualitybot: disable-next-line ban -->\nzorblax\nzorblax\n", [(1, "ban"), (4, "ban")]),
    ("zorblax <!-- qualitybot: disable-line ban -->\nzorblax\n", [(2, "ban")]),
    ("zorblax blorp <!-- qualitybot: disable-line -->\nzorblax\n", [(2, "ban")]),
    ("<!-- qualitybot: disable ban -->\nzorblax\n<!-- qualitybot: enable ban -->\nzorblax\n", [(4, "ban")]),
    # an unknown rule id: a warning with a did-you-mean, and it silences nothing
    ("<!-- qualitybot: disable-next-line bna -->\nzorblax\n",
     [(1, "suppression.unknown-rule"), (2, "ban")]),
    # Vale's comments silence the pattern rules
    ("blorp\n<!-- vale off -->\nblorp zorblax quux\n<!-- vale on -->\nblorp\n", [(1, "Acme.Ban"), (5, "Acme.Ban")]),
    ("<!-- vale Acme.Ban = NO -->\nblorp quux\n<!-- vale Acme.Ban = YES -->\nblorp\n",
     [(2, "Acme.Other"), (4, "Acme.Ban")]),
    ("<!-- vale Acme = NO -->\nblorp quux zorblax\n", [(2, "ban")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_suppression_comments(engine: Engine, text: str, expected: list[tuple[int, str]]) -> None:
    assert found(engine, text) == expected


def test_unknown_rule_finding_suggests_the_nearest_rule(engine: Engine) -> None:
    report = engine.check(parse("<!-- qualitybot: disable Acme.Bna -->\nText.\n", "a.md"))
    (finding,) = [f for f in report.findings if f.rule == "suppression.unknown-rule"]
    assert finding.severity == "warning"
    assert "did you mean 'Acme.Ban'?" in finding.message
    assert finding.suggestions == ("Acme.Ban",)


@pytest.mark.parametrize("path", ["a.txt", "a.md"])
def test_the_comments_themselves_are_never_checked(tmp_path: Path, path: str) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("extends: default\nrules:\n  q:\n    check: pattern\n    extends: existence\n"
                     "    message: m\n    tokens: [qualitybot, vale]\n")
    engine = Engine(load_rules(rules))
    text = "<!-- qualitybot: disable-next-line quotes -->\nThe council met on Tuesday.\n<!-- vale off -->\n"
    report = engine.check(parse(text, path))
    assert [f.rule for f in report.findings] == []
