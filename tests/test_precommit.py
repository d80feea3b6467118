"""The pre-commit hook, installed and run by pre-commit itself from this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
STRICT = "rules:\n  readability:\n    severity: error\n    max_sentence_words: 8\n"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.skipif(not Path(PRE_COMMIT).exists(), reason="pre-commit is not installed")
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    repo = tmp_path / "articles"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "qualitybot.yml").write_text(STRICT)
    (repo / "good.md").write_text("# Short\n\nA short and tidy line.\n")
    (repo / "bad.md").write_text("# Long\n\nThis sentence keeps going on and on well past the limit.\n")
    (repo / "notes.py").write_text("x = 'not an article'\n")
    git(repo, "add", ".")
    # A cache beside the checkout, so that reruns reuse the hook's environment.
    env = os.environ | {"PRE_COMMIT_HOME": str(ROOT / ".pre-commit-cache")}

    def run(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [PRE_COMMIT, "try-repo", str(ROOT), "qualitybot", "--files", *files],
            cwd=repo, capture_output=True, text=True, env=env, timeout=900,
        )

    passed = run("good.md", "notes.py")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    failed = run("good.md", "bad.md")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "bad.md" in failed.stdout and "readability.sentence-length" in failed.stdout
    assert "good.md" in failed.stdout  # both articles were handed to one qualitybot run


@pytest.mark.skipif(not Path(PRE_COMMIT).exists(), reason="pre-commit is not installed")
def test_pre_commit_reads_files_named_like_options_as_files(tmp_path: Path) -> None:
    # Attack: staged files named like options. Before, `--output=README.md` made qualitybot
    # overwrite README.md with its report, and `--rules=x.md` broke the hook.
    repo = tmp_path / "articles"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "qualitybot.yml").write_text(STRICT)
    readme = "# Read me\n\nShort and kept.\n"
    (repo / "README.md").write_text(readme)
    (repo / "--output=README.md").write_text("# Trap\n\nThis sentence keeps going on and on well past the limit.\n")
    (repo / "--rules=x.md").write_text("# Trap\n\nShort.\n")
    git(repo, "add", ".")
    env = os.environ | {"PRE_COMMIT_HOME": str(ROOT / ".pre-commit-cache")}
    done = subprocess.run(
        [PRE_COMMIT, "try-repo", str(ROOT), "qualitybot", "--all-files"],
        cwd=repo, capture_output=True, text=True, env=env, timeout=900,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # the long sentence in `--output=README.md` fails
    assert (repo / "README.md").read_text() == readme
    # Both were checked as articles, with the repository's rules.
    assert "--output=README.md" in done.stdout and "readability.sentence-length" in done.stdout
    assert "--rules=x.md" in done.stdout
