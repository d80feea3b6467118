"""The grammar check: fixture table over Harper and the house rules, and the CLI end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qualitybot.checks import grammar
from qualitybot.config import bundled_profile, load_rules
from qualitybot.document import parse

Expected = list[tuple[int, int, str]]  # line, column, kind

# (text, file name, options, findings expected: line, column, kind)
CASES: list[tuple[str, str, dict[str, Any], Expected]] = [
    # must flag
    ("She go to work every day.\n", "a.txt", {}, [(1, 5, "agreement")]),
    ("Officials say he have resigned.\n", "a.txt", {}, [(1, 18, "agreement")]),
    ("It seem unlikely to change.\n", "a.txt", {}, [(1, 4, "agreement")]),
    ("They could of won the vote.\n", "a.txt", {}, [(1, 6, "verb-form")]),
    ("He bought a apple in the market.\n", "a.txt", {}, [(1, 11, "article")]),
    ("Russia is pursuing chemical or chemical weapons.\n", "a.txt", {}, [(1, 20, "repetition")]),
    ("Prices rose as the the bank cut rates.\n", "a.txt", {}, [(1, 16, "repetition")]),
    ("Their is no reason to leave.\n", "a.txt", {}, [(1, 1, "syntax")]),
    ("The zorbling rate rose.\n", "a.txt", {}, [(1, 5, "spelling")]),
    ("The colour of the organisation changed.\n", "a.txt", {"other_spellings": False}, [
        (1, 5, "spelling"), (1, 19, "spelling"),
    ]),
    # columns count code points: the emoji is one column
    ("🎉 She go home.\n", "a.txt", {}, [(1, 7, "agreement")]),
    # front matter and Markdown keep their lines; findings land in the body
    ("---\ntitle: Draft\n---\n# Budget\n\nShe go home.\n", "a.md", {}, [(6, 5, "agreement")]),
    # turning Harper's rule off leaves the house rule, which catches the same error
    ("She go to work.\n", "a.txt", {"disabled_rules": ["PronounVerbAgreement"]}, [(1, 5, "agreement")]),
    # names are misspellings only when asked
    (
        "Jen Psaki met Maria Zakharova.\n",
        "a.txt",
        {"names": False},
        [(1, 1, "spelling"), (1, 5, "spelling"), (1, 21, "spelling")],
    ),
    # must not flag
    ("The minister has resigned after the vote, officials said.\n", "a.txt", {}, []),
    ("Jen Psaki met Maria Zakharova and Mario Draghi in Rome.\n", "a.txt", {}, []),
    ("Zhao Lijian's statement was brief.\n", "a.txt", {}, []),
    ("The fishermen's union and the women's team met.\n", "a.txt", {}, []),
    ("The zorbling rate rose.\n", "a.txt", {"accept": ["Zorbling"]}, []),
    ("The court insisted that he pay the fine.\n", "a.txt", {}, []),
    ("They had had enough of the talks.\n", "a.txt", {}, []),
    ("We can tell our audience that that programme is popular.\n", "a.txt", {}, []),
    ("Sales rose more and more as the two ran neck and neck.\n", "a.txt", {}, []),
    ("It is an HIV test, an historic day and a HDTV set.\n", "a.txt", {}, []),
    ("What I will tell you is that talks go on.\n", "a.txt", {}, []),
    ("She said it would hit the headlines. It hit the headlines.\n", "a.txt", {}, []),
    ("The colour of the organisation changed.\n", "a.txt", {"dialect": "british"}, []),
    ("The colour of the organisation and its programme changed.\n", "a.txt", {}, []),
    ("The color of the organization changed.\n", "a.txt", {"dialect": "british", "other_spellings": True}, []),
    # Both dialects' spellings unless a dialect is set explicitly (then the other's are misspellings).
    ("Cars parked on the kerbs of a multi-storey block of sizeable flats.\n", "a.txt", {}, []),
    ("The color and the colour.\n", "a.txt", {"dialect": "american"}, [(1, 19, "spelling")]),
    ("Profits rose to $1.13bn (£600m) as 5m users joined.\n", "a.txt", {}, []),
    ("Cafes offer free wi-fi now.\n", "a.txt", {"accept": ["wi-fi"]}, []),
    # code and markup are not prose
    ("Use `teh teh` here.\n\n```\nshe go home\n```\n", "a.md", {}, []),
    ("She go to work.\n", "a.txt", {"disabled_rules": ["PronounVerbAgreement", "ThirdPersonBaseVerb"]}, []),
    ("Russia is pursuing chemical or chemical weapons.\n", "a.txt", {"house_rules": False}, []),
]


@pytest.mark.parametrize(("text", "path", "options", "expected"), CASES)
def test_grammar_findings(text: str, path: str, options: dict[str, Any], expected: Expected) -> None:
    doc = parse(text, path)
    hits = grammar.check(doc, grammar.Options(**options))
    assert sorted((*doc.line_col(h.start), h.kind) for h in hits) == sorted(expected)


def test_findings_name_the_engine_rule_and_suggest() -> None:
    doc = parse("He bought a apple.\n", "a.txt")
    (hit,) = grammar.check(doc, grammar.Options())
    assert hit.message.endswith("(harper:AnA)")
    assert hit.suggestions == ("an",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the default profile turns off house-style rules: Oxford comma, straight "...", ranges
        ("Shares in Apple, Intel and Dell rose 5-10%... Analysts were pleased.\n", []),
        # a loosening, some 2,000: Harper's mass-noun and quantifier rules are wrong on news
        ("The time is ripe for a loosening of the peg. Some 2,000 jobs went.\n", []),
        ("She go to work.\n", [(1, 5, "agreement")]),
    ],
)
def test_default_profile(text: str, expected: Expected) -> None:
    rule = load_rules(bundled_profile("default")).rules["grammar"]
    assert isinstance(rule.options, grammar.Options)
    doc = parse(text, "a.txt")
    assert sorted((*doc.line_col(h.start), h.kind) for h in grammar.check(doc, rule.options)) == expected


def test_unknown_disabled_rule_is_a_configuration_error() -> None:
    from qualitybot.contract import CheckUnavailable

    with pytest.raises(CheckUnavailable, match="did you mean 'OxfordComma'"):
        list(grammar.check(parse("Text.\n"), grammar.Options(disabled_rules=("OxfordComa",))))


# -- end to end --------------------------------------------------------------------------

# harper-core prints "gerund_form: ..." on file descriptor 1 for this sentence.
HARPER_PRINTS = "Commuters are looking forward to snow.\n\nShe go to work on Monday.\n"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qualitybot", "check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_json_report(tmp_path: Path) -> None:
    """One run (Harper is built once): harper-core prints, a flawed and a clean article."""
    (tmp_path / "prints.txt").write_text(HARPER_PRINTS, encoding="utf-8")
    (tmp_path / "flawed.md").write_text(
        "# Talks in Rome\n\n"
        "Officials say Russia is pursuing chemical or chemical weapons.\n\n"
        "The adviser said he have no doubt that the talks could of failed.\n",
        encoding="utf-8",
    )
    (tmp_path / "clean.md").write_text(
        "# Talks in Rome\n\n"
        "White House press secretary Jen Psaki said on Monday that the talks had gone well.\n\n"
        "Italian Prime Minister Mario Draghi met the delegation, officials said.\n",
        encoding="utf-8",
    )
    result = run_cli("prints.txt", "flawed.md", "clean.md", "--format", "json", cwd=tmp_path)
    assert "gerund_form" in result.stderr  # the input did make harper-core print
    assert result.returncode == 1
    documents = {Path(d["path"]).name: d for d in json.loads(result.stdout)["documents"]}
    found = {
        name: {(f["rule"], f["line"], f["column"]) for f in d["findings"]} for name, d in documents.items()
    }
    assert ("grammar.agreement", 3, 5) in found["prints.txt"]
    flawed = {("grammar.repetition", 3, 34), ("grammar.agreement", 5, 21), ("grammar.verb-form", 5, 50)}
    assert flawed <= found["flawed.md"]
    assert [f for f in documents["clean.md"]["findings"] if f["check"] == "grammar"] == []
