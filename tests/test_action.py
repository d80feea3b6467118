"""The GitHub Action: ``python -m qualitybot.action`` in a subprocess, as action.yml runs it.

Each test builds a real git repository (a base commit and a head commit), the
environment a runner sets for a pull_request (or push) event, and points the
GitHub API at the loopback simulator ``tests/platform_sim.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from qualitybot import action
from qualitybot.formatters.markdown import MARKER
from tests.platform_sim import PlatformSimulator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "ghs_action-token-never-printed-41c2"
REPOSITORY = "newsroom/articles"
PR_NUMBER = 17
RULES = "rules:\n  quotes: {}\n"  # one fast, deterministic check

FAILING = '# Council vote\n\nThe mayor said " " and left.\n'  # quotes.empty: an error
CLEAN = '# Council vote\n\nThe mayor said "yes" and left.\n'
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}

# The base commit; every head below changes it.
BASE = {
    "qualitybot.yml": RULES,
    "articles/old-failing.md": FAILING,  # unchanged: must not be checked (it would fail)
    "articles/edited.md": CLEAN,
    "articles/to-rename.txt": CLEAN,
    "articles/deleted.md": CLEAN,
    "site/config.json": "{}\n",
}


@dataclass
class Repo:
    path: Path
    base: str
    head: str


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(repo.parent)}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


def make_repo(
    tmp_path: Path,
    head_changes: dict[str, str | None],
    renames: dict[str, str] | None = None,
    links: dict[str, str] | None = None,
    base: dict[str, str] | None = None,
) -> Repo:
    """A repository with BASE committed, then one commit applying ``head_changes`` (None deletes).

    ``links`` adds symbolic links (name: target) in the head commit.
    """
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    for name, text in (BASE if base is None else base).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "base")
    base_commit = git(repo, "rev-parse", "HEAD")
    for old, new in (renames or {}).items():
        git(repo, "mv", old, new)
    for name, changed in head_changes.items():
        if changed is None:
            (repo / name).unlink()
        else:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(changed, encoding="utf-8")
    for name, target in (links or {}).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).symlink_to(target)
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "--allow-empty", "-m", "head")
    return Repo(repo, base_commit, git(repo, "rev-parse", "HEAD"))


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str
    summary: str
    outputs: dict[str, str]

    def annotated_files(self) -> set[str]:
        return set(re.findall(r"^::(?:error|warning|notice) file=([^,]+),", self.stdout, re.M))

    def documents_checked(self) -> int:
        match = re.search(r"^qualitybot: \d+ of (\d+) documents? failed", self.stdout, re.M)
        assert match, self.stdout
        return int(match.group(1))


def run_action(repo: Repo, sim: PlatformSimulator, event: str = "pull_request", **inputs: str) -> Run:
    runner = repo.path.parent / "runner"
    runner.mkdir(exist_ok=True)
    payload: dict[str, object] = {"ref": "refs/heads/main", "before": repo.base, "after": repo.head}
    if event == "pull_request":
        payload = {
            "action": "synchronize",
            "number": PR_NUMBER,
            "pull_request": {"number": PR_NUMBER, "base": {"sha": repo.base}, "head": {"sha": repo.head}},
        }
    (runner / "event.json").write_text(json.dumps(payload), encoding="utf-8")
    summary, outputs = runner / "summary.md", runner / "output.txt"
    summary.write_text("", encoding="utf-8")
    outputs.write_text("", encoding="utf-8")
    env = {
        "PATH": os.environ["PATH"],  # git
        "HOME": str(runner),
        "PYTHONIOENCODING": "utf-8",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(runner / "event.json"),
        "GITHUB_REF": f"refs/pull/{PR_NUMBER}/merge" if event == "pull_request" else "refs/heads/main",
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_WORKSPACE": str(repo.path),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": sim.github_url,
        "RUNNER_TEMP": str(runner),
        # What action.yml sets from its inputs (defaults as action.yml declares them).
        "INPUT_RULES": "",
        "INPUT_PATHS": "",
        "INPUT_GITHUB_TOKEN": TOKEN,
        "INPUT_COMMENT": "true",
        "INPUT_FAIL_ON_FINDINGS": "true",
        **{action.INPUTS[name.replace("_", "-")]: value for name, value in inputs.items()},
    }
    done = subprocess.run(
        [sys.executable, "-m", "qualitybot.action"],
        cwd=repo.path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert TOKEN not in done.stdout + done.stderr
    pairs = (line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    return Run(done.returncode, done.stdout, done.stderr, summary.read_text(encoding="utf-8"), dict(pairs))


@pytest.fixture
def sim() -> Iterator[PlatformSimulator]:
    with PlatformSimulator(token=TOKEN) as simulator:
        yield simulator


PULL_REQUEST_CHANGES: dict[str, str | None] = {
    "articles/new-failing.md": FAILING,  # added
    "articles/edited.md": CLEAN.replace("left", "walked out"),  # modified
    "articles/deleted.md": None,  # deleted: nothing to check
    "site/config.json": '{"x": 1}\n',  # not an article
    "site/build.py": "print()\n",  # not an article
}


def test_pull_request_checks_changed_articles_and_keeps_one_comment(sim: PlatformSimulator, tmp_path: Path) -> None:
    repo = make_repo(tmp_path, PULL_REQUEST_CHANGES, renames={"articles/to-rename.txt": "articles/renamed.txt"})
    first = run_action(repo, sim)
    assert first.status == 1, first.stdout + first.stderr
    # Added, modified and renamed articles; not the unchanged failing one, the deleted one or non-articles.
    assert first.documents_checked() == 3
    assert first.annotated_files() == {"articles/new-failing.md"}
    assert "::error file=articles/new-failing.md,line=3,col=16," in first.stdout
    assert "new-failing.md" in first.summary and "FAIL" in first.summary.upper()
    assert first.outputs == {"verdict": "fail", "articles": "3", "exit-code": "1"}

    (comment,) = sim.comments[f"{REPOSITORY}#{PR_NUMBER}"]
    assert comment["body"].startswith(MARKER) and "new-failing.md" in comment["body"]
    assert f"created comment {comment['id']} on submission {PR_NUMBER}" in first.stderr

    second = run_action(repo, sim)
    assert second.status == 1
    assert len(sim.comments[f"{REPOSITORY}#{PR_NUMBER}"]) == 1  # updated, not duplicated
    assert f"updated comment {comment['id']} on submission {PR_NUMBER}" in second.stderr
    # The second run asks whose token it holds (GET /user) before it updates a marked comment.
    assert [r.method for r in sim.requests] == ["GET", "POST", "GET", "GET", "PATCH"]
    assert sim.requests[3].path.endswith("/user")
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in sim.requests)


CASES = [
    # (head changes, inputs, exit status, verdict output, documents checked or None when skipped)
    pytest.param({"articles/edited.md": CLEAN + "\nMore.\n"}, {}, 0, "pass", 1, id="clean-article"),
    pytest.param({"articles/new.md": FAILING}, {"fail_on_findings": "false"}, 0, "fail", 1, id="fail-not-enforced"),
    pytest.param({"site/config.json": "[]\n"}, {}, 0, "skipped", None, id="no-changed-articles"),
    pytest.param({"articles/deleted.md": None}, {}, 0, "skipped", None, id="only-a-deletion"),
    pytest.param(
        {"articles/new.md": CLEAN},
        {"paths": "articles/old-failing.md\narticles/new.md"},
        1,
        "fail",
        2,
        id="paths-input",
    ),
]


@pytest.mark.parametrize(("changes", "inputs", "status", "verdict", "checked"), CASES)
def test_pull_request_outcomes(
    sim: PlatformSimulator,
    tmp_path: Path,
    changes: dict[str, str | None],
    inputs: dict[str, str],
    status: int,
    verdict: str,
    checked: int | None,
) -> None:
    run = run_action(make_repo(tmp_path, changes), sim, **inputs)
    assert run.status == status, run.stdout + run.stderr
    assert run.outputs["verdict"] == verdict
    if checked is None:
        assert "no changed articles (*.md *.markdown *.txt *.html)" in run.stdout
        assert "nothing to check" in run.summary
        assert sim.requests == []  # no comment for a pull request without articles
    else:
        assert run.documents_checked() == checked
        assert len(sim.comments[f"{REPOSITORY}#{PR_NUMBER}"]) == 1


def test_no_comment_when_disabled_or_without_token(sim: PlatformSimulator, tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"articles/new.md": FAILING})
    disabled = run_action(repo, sim, comment="false")
    no_token = run_action(repo, sim, github_token="")
    assert disabled.status == no_token.status == 1
    assert "no github-token given" in no_token.stdout
    assert sim.requests == []


def test_push_checks_the_workspace_without_commenting(sim: PlatformSimulator, tmp_path: Path) -> None:
    run = run_action(make_repo(tmp_path, {"articles/new.md": CLEAN}), sim, event="push")
    assert run.status == 1  # the unchanged failing article is part of the workspace
    assert "articles/old-failing.md" in run.annotated_files()
    assert "not a pull request: no comment to post" in run.stdout
    assert sim.requests == []


BAD_INPUTS = [
    pytest.param({"comment": "yes please"}, "input comment: expected true or false", id="boolean"),
    pytest.param({"rules": "missing.yml"}, "input rules: no rules file or bundled profile 'missing.yml'", id="rules"),
]


@pytest.mark.parametrize(("inputs", "says"), BAD_INPUTS)
def test_bad_inputs_exit_2_with_a_message(
    sim: PlatformSimulator, tmp_path: Path, inputs: dict[str, str], says: str
) -> None:
    run = run_action(make_repo(tmp_path, {"articles/new.md": CLEAN}), sim, **inputs)
    assert run.status == 2
    assert f"::error title=qualitybot::{says}" in run.stdout
    assert "Traceback" not in run.stderr


def test_missing_base_commit_says_how_to_check_out(sim: PlatformSimulator, tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"articles/new.md": CLEAN})
    repo.base = "0" * 40  # as in a shallow clone without the base
    run = run_action(repo, sim)
    assert run.status == 2
    assert "fetch-depth: 0" in run.stdout


# --- a pull request is not trusted (issue #19) ------------------------------------------------------

CREDENTIAL = "persisted-credential-4b1d"  # what actions/checkout leaves in .git/config
# A pull request's rules file with a rule that quotes every line it sees.
QUOTE_EVERYTHING = (
    "rules:\n  Leak:\n    check: pattern\n    extends: existence\n    message: 'leaked %s'\n"
    "    level: error\n    nonword: true\n    raw: ['[^\\n]+']\n"
)


@pytest.mark.parametrize("opt_in", ["false", "true"], ids=["base-rules", "rules-from-pull-request"])
def test_a_symlink_out_of_the_repository_is_not_checked(sim: PlatformSimulator, tmp_path: Path, opt_in: str) -> None:
    # Attack: the pull request adds articles/leak.md -> ../.git/config and a qualitybot.yml that
    # quotes every line. Before, the credential appeared in the PR comment and the annotations.
    repo = make_repo(
        tmp_path,
        {"qualitybot.yml": QUOTE_EVERYTHING, "articles/new.md": CLEAN},
        links={"articles/leak.md": "../.git/config", "articles/passwd.md": "/etc/passwd"},
    )
    git(repo.path, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {CREDENTIAL}")
    run = run_action(repo, sim, rules_from_pull_request=opt_in)
    assert run.status == (1 if opt_in == "true" else 0), run.stdout + run.stderr
    everything = run.stdout + run.stderr + run.summary + json.dumps(sim.comments)
    assert CREDENTIAL not in everything and "root:x:0:0" not in everything
    assert "[core]" not in everything
    for link in ("articles/leak.md", "articles/passwd.md"):
        assert f"qualitybot: skipped {link}: a symbolic link to a file outside the repository" in run.stdout
    assert run.documents_checked() == 1  # articles/new.md only
    # The pull request's own rules judge it only when the workflow opts in.
    assert ("Leak" in run.stdout) == (opt_in == "true")
    if opt_in == "false":
        assert "rules from the base commit" in run.stdout


def test_rules_come_from_the_base_commit_with_their_extends(sim: PlatformSimulator, tmp_path: Path) -> None:
    # The base's rules extend a file in a subfolder; the pull request rewrites that file to pass anything.
    base = {**BASE, "qualitybot.yml": "extends: styles/house.yml\n", "styles/house.yml": RULES}
    repo = make_repo(
        tmp_path,
        {"styles/house.yml": "rules:\n  quotes: {enabled: false}\n", "articles/new.md": FAILING},
        base=base,
    )
    judged = run_action(repo, sim)
    assert judged.status == 1, judged.stdout + judged.stderr  # the base's quotes rule still runs
    assert judged.annotated_files() == {"articles/new.md"}
    trusted = run_action(repo, sim, rules_from_pull_request="true")
    assert trusted.status == 0, trusted.stdout + trusted.stderr


def test_file_names_cannot_forge_workflow_commands(sim: PlatformSimulator, tmp_path: Path) -> None:
    # Attack: a file named "x\n::stop-commands::h4lt\n.md". Before, the log printed it raw, which
    # switched off the real annotations and let the name forge `::error` lines.
    name = "articles/x\n::stop-commands::h4lt\n::error title=forged::pwned\n.md"
    repo = make_repo(tmp_path, {name: FAILING})
    run = run_action(repo, sim)
    assert run.status == 1, run.stdout + run.stderr
    for line in (run.stdout + run.stderr).splitlines():
        assert not line.startswith("::") or line.startswith(("::error file=", "::warning file=", "::notice file=")), line
    assert "stop-commands" in run.stdout  # shown, escaped, as data
    assert "::error file=articles/x%0A%3A%3Astop-commands%3A%3Ah4lt%0A%3A%3Aerror title=forged%3A%3Apwned%0A.md," in (
        run.stdout
    )


# --- action.yml runs exactly this script, with every input wired through ---------------------------


def test_action_yml_runs_the_tested_script_with_its_inputs() -> None:
    spec = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert spec["runs"]["using"] == "composite"
    steps = spec["runs"]["steps"]
    setup, install, check = steps
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    assert spec["inputs"]["python-version"]["default"] == "3.11"
    assert "pip install" in install["run"] and '"$GITHUB_ACTION_PATH"' in install["run"]
    assert check["run"].strip() == "python -m qualitybot.action"
    assert check["shell"] == install["shell"] == "bash"
    # Every input the script reads is declared and passed by the environment variable it reads.
    assert check["env"] == {variable: f"${{{{ inputs.{name} }}}}" for name, variable in action.INPUTS.items()}
    assert set(spec["inputs"]) == {*action.INPUTS, "python-version"}
    assert spec["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert spec["inputs"]["comment"]["default"] == spec["inputs"]["fail-on-findings"]["default"] == "true"
    # No input is pasted into shell code (script injection).
    assert all("${{" not in step.get("run", "") for step in steps)
    # The outputs the action declares are the ones the script writes.
    assert {o["value"] for o in spec["outputs"].values()} == {
        f"${{{{ steps.check.outputs.{name} }}}}" for name in ("verdict", "articles", "exit-code")
    }
    assert check["id"] == "check"
