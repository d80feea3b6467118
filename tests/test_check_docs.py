"""Every check's documentation tells the truth: its "Fails" example fails and its "Passes" example passes.

The examples are read from each check module's docstring (its user documentation, shown by
``qualitybot rules explain``), as proselint runs the examples of its checks. Options written in
the heading, ``Fails (``key: value``)``, apply to both examples; ``...`` on a line of its own
separates paragraphs; a line ``-> text`` after the example names a finding it must give (a rule
id, a message, or both as ``rule "message"``).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from qualitybot.checks import CHECK_MODULES, registry
from qualitybot.config import load_rules
from qualitybot.contract import ENGINE_KINDS
from qualitybot.engine import Engine
from tests.conftest import make_doc

SECTION = re.compile(r"^(?P<kind>Fails|Passes)(?:\s*\((?P<options>[^)]*)\))?\n(?P<body>(?:[ ]{4}.*\n|\n)+)", re.M)


def examples(check: str) -> tuple[dict[str, Any], str, list[str], str]:
    """(options, failing text, expected findings, passing text) of a check's docstring."""
    doc = registry()[check].doc + "\n"
    sections = {m["kind"]: m for m in SECTION.finditer(doc)}
    assert set(sections) == {"Fails", "Passes"}, f"{check}: its docstring needs a Fails and a Passes example"
    options: dict[str, Any] = {}
    for snippet in re.findall(r"``(.*?)``", sections["Fails"]["options"] or "", re.S):
        options.update(yaml.safe_load(snippet))
    fails, expected = _text(sections["Fails"]["body"])
    passes, _ = _text(sections["Passes"]["body"])
    return options, fails, expected, passes


def _text(body: str) -> tuple[str, list[str]]:
    lines = textwrap.dedent(body).strip("\n").splitlines()
    expected = [line[3:].strip() for line in lines if line.startswith("-> ")]
    prose = [("" if line.strip() == "..." else line) for line in lines if not line.startswith("-> ")]
    return "\n".join(prose).strip() + "\n", expected


def run(tmp_path: Path, check: str, options: dict[str, Any], text: str) -> list[tuple[str, str]]:
    rule = {"check": check, **options} if check == "pattern" else options
    rule_id = "Example.Rule" if check == "pattern" else check
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump({"rules": {rule_id: rule}}), encoding="utf-8")
    report = Engine(load_rules(path)).check(make_doc(text))
    return [(f.rule, f.message) for f in report.findings if f.check == check]


@pytest.mark.parametrize("check", CHECK_MODULES)
def test_documented_examples(tmp_path: Path, check: str) -> None:
    options, fails, expected, passes = examples(check)
    found = run(tmp_path, check, options, fails)
    assert found, f"{check}: the documented failing example gives no finding"
    for want in expected:
        rule, _, message = want.partition(" ")
        if message.startswith('"'):
            assert (rule, message.strip('"')) in found, f"{check}: expected {want}, got {found}"
        else:
            assert any(want in (r, m) for r, m in found), f"{check}: expected {want!r}, got {found}"
    assert run(tmp_path, check, options, passes) == [], f"{check}: the documented passing example gives findings"


README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.parametrize("check", [c for c in CHECK_MODULES if c != "pattern"])
def test_readme_table_names_every_error_kind(check: str) -> None:
    """The README's table of checks lists each kind that fails a document by default (the KINDS are the source)."""
    row = next(line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith(f"| `{check}` |"))
    kinds = registry()[check].kinds
    errors = [kind for kind, severity in kinds.items() if severity == "error" and kind not in ENGINE_KINDS]
    missing = [kind for kind in errors if f"`{kind}`" not in row]
    assert not missing, f"README.md, the row of `{check}`: add the error kinds {missing}"
