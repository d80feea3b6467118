"""Folder walks that skip what is not an article, unreadable paths that never pass, CI-friendly options."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qualitybot.sources import expand

CLEAN = "The council met on Tuesday. It approved the new budget for the library.\n"


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def walked(root: Path, *exclude: str) -> list[str]:
    return [Path(p).relative_to(root).as_posix() for p in expand([str(root)], exclude=exclude)]


# (files in a repository, --exclude globs, articles expected)
WALKS = [
    ({"a.md": "", ".git/x.md": "", ".hidden/b.md": "", ".draft.md": "", "node_modules/pkg/README.md": ""}, (),
     ["a.md"]),
    ({".gitignore": "build/\n*.txt\n!keep.txt\n", "a.md": "", "build/out.md": "", "n.txt": "", "keep.txt": ""}, (),
     ["a.md", "keep.txt"]),
    # A nested .gitignore applies below its folder and can re-include.
    ({".gitignore": "*.html\n", "docs/.gitignore": "!page.html\nold/\n", "docs/page.html": "", "x.html": "",
      "docs/old/a.md": "", "docs/new.md": ""}, (), ["docs/new.md", "docs/page.html"]),
    ({"a.md": "", "drafts/b.md": "", "c.txt": ""}, ("drafts/", "*.txt"), ["a.md"]),
]


@pytest.mark.parametrize(("files", "exclude", "expected"), WALKS)
def test_folder_walks_skip_hidden_ignored_and_excluded_paths(
    tmp_path: Path, files: dict[str, str], exclude: tuple[str, ...], expected: list[str]
) -> None:
    (tmp_path / ".git").mkdir()
    tree(tmp_path, files)
    assert walked(tmp_path, *exclude) == expected


def test_gitignore_above_the_walked_folder_applies_up_to_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    tree(tmp_path, {".gitignore": "generated/\n", "site/generated/a.md": "", "site/b.md": ""})
    assert walked(tmp_path / "site") == ["b.md"]


def run(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "qualitybot", *args], cwd=cwd, capture_output=True, text=True,
                          input=stdin, timeout=120)


def test_check_dot_in_a_repository_skips_git_node_modules_and_ignored_files(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    broken = "They said \"\" nothing.\n"  # an empty quote fails the default profile
    tree(tmp_path, {"story.md": CLEAN, ".git/COMMIT_EDITMSG.md": broken, "node_modules/x/README.md": broken,
                    ".gitignore": "build/\n", "build/story.md": broken})
    result = run("check", ".", "--format", "json", cwd=tmp_path)
    report = json.loads(result.stdout)
    assert [d["path"] for d in report["documents"]] == ["story.md"]
    assert report["verdict"] == "pass" and result.returncode == 0


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif", "junit", "github", "gitlab"])
def test_a_missing_path_is_an_error_never_a_pass(tmp_path: Path, fmt: str) -> None:
    tree(tmp_path, {"ok.md": CLEAN})
    result = run("check", "ok.md", "missing.md", "--format", fmt, cwd=tmp_path)
    assert result.returncode == 2
    assert "missing.md: no such file or directory" in result.stderr
    out = result.stdout
    if fmt == "text":
        assert out.rstrip().splitlines()[-2].endswith(": ERROR")
        assert "missing.md" in out
    elif fmt == "json":
        report = json.loads(out)
        assert report["verdict"] == "error"
        assert report["errors"] == [{"path": "missing.md", "message": "missing.md: no such file or directory"}]
    elif fmt == "markdown":
        assert "**error**" in out and "Not checked" in out
    elif fmt == "sarif":
        invocation = json.loads(out)["runs"][0]["invocations"][0]
        assert invocation["executionSuccessful"] is False
        assert invocation["toolExecutionNotifications"][-1]["level"] == "error"
    elif fmt == "junit":
        suite = ET.fromstring(out).find("testsuite")
        assert suite is not None and suite.get("errors") == "1"
    elif fmt == "github":
        assert "::error file=missing.md" in out and out.rstrip().endswith("ERROR")
    else:
        assert any(issue["check_name"] == "unreadable" for issue in json.loads(out))


def test_only_a_missing_path_is_an_error_too(tmp_path: Path) -> None:
    result = run("check", "missing.md", cwd=tmp_path)
    assert result.returncode == 2
    assert "0 documents checked, 0 failed, 1 path not readable" in result.stdout
    assert "ERROR" in result.stdout and "PASS" not in result.stdout


def test_stdin_filename_names_the_document_and_picks_its_format_and_rules(tmp_path: Path) -> None:
    tree(tmp_path, {"desk/qualitybot.yml": "extends: default\nrules:\n  ban:\n    check: pattern\n"
                    "    extends: existence\n    message: banned\n    tokens: [zorblax]\n"})
    text = "# Title\n\nA zorblax `zorblax` here.\n"
    result = run("check", "-", "--stdin-filename", "desk/story.md", "--format", "json", cwd=tmp_path, stdin=text)
    report = json.loads(result.stdout)
    document = report["documents"][0]
    assert document["path"] == "desk/story.md"
    bans = [(f["line"], f["column"]) for f in document["findings"] if f["rule"] == "ban"]
    assert bans == [(3, 3)]  # Markdown: the one in code is not prose
    assert report["rules"] == "desk/qualitybot.yml"


def test_min_severity_hides_lower_findings_but_keeps_the_verdict(tmp_path: Path) -> None:
    tree(tmp_path, {"rules.yml": "rules:\n  w:\n    check: pattern\n    extends: existence\n    message: w\n"
                    "    level: warning\n    tokens: [alpha]\n  e:\n    check: pattern\n    extends: existence\n"
                    "    message: e\n    level: error\n    tokens: [beta]\n  i:\n    check: pattern\n"
                    "    extends: existence\n    message: i\n    level: suggestion\n    tokens: [gamma]\n",
                    "a.md": "alpha beta gamma\n"})
    every = json.loads(run("check", "a.md", "--rules", "rules.yml", "--format", "json", cwd=tmp_path).stdout)
    assert sorted(f["rule"] for f in every["documents"][0]["findings"]) == ["e", "i", "w"]
    for minimum, expected in [("warning", ["e", "w"]), ("error", ["e"])]:
        result = run("check", "a.md", "--rules", "rules.yml", "--format", "json", "--min-severity", minimum,
                     cwd=tmp_path)
        report = json.loads(result.stdout)
        assert sorted(f["rule"] for f in report["documents"][0]["findings"]) == expected
        assert report["verdict"] == "fail" and result.returncode == 1
