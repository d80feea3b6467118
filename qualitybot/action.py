"""The GitHub Action's logic: ``action.yml`` runs ``python -m qualitybot.action``.

What it does, in the workspace (the checked-out repository):

1. Decides what to check. With the input ``paths``: those paths, on any event.
   On a pull request (``pull_request``, ``pull_request_target``): the articles
   (``*.md *.markdown *.txt *.html``) added, copied, modified or renamed between
   the pull request's base and head, as ``git diff base...head`` lists them
   (the commits must be there: check out with ``fetch-depth: 0``; a missing one
   is fetched from ``origin`` once). On any other event (a push): the whole
   workspace.
2. Runs ``qualitybot check --format github``: annotations on the changed lines,
   the Markdown report as the job summary.
3. On a pull request, with ``comment`` true and a token, adds ``--post`` with a
   GitHub platform (``$GITHUB_API_URL``, ``$GITHUB_REPOSITORY``, the pull
   request number from the event), so the one sticky comment is created or
   updated. The user's rules file is extended, not replaced: a small rules file
   in a temporary directory says ``extends: <the user's rules>`` and sets only
   ``platform:``.
4. Exits with qualitybot's status (0 pass, 1 a document failed, 2 usage or
   configuration error, 3 internal error or posting failed), except that a
   failing verdict exits 0 when ``fail-on-findings`` is false, and no changed
   article at all is a pass (said in the log and the job summary).

Inputs come as environment variables that ``action.yml`` sets from
``${{ inputs.* }}`` (:data:`INPUTS`): never interpolated into shell code, so a
branch or path name cannot inject commands. The token is passed to qualitybot in
the environment only and never printed.

Outputs (``$GITHUB_OUTPUT``): ``verdict`` (pass, fail, skipped, error),
``articles`` (how many were checked) and ``exit-code``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from qualitybot.config import bundled_profile, find_rules_file
from qualitybot.exits import EXIT_FAIL, EXIT_PASS, EXIT_USAGE
from qualitybot.formatters.github import escape_data
from qualitybot.platform.github import DEFAULT_API
from qualitybot.sources import SUFFIXES, expand

# The environment variable action.yml sets for each input (tests check they match).
INPUTS = {
    "rules": "INPUT_RULES",
    "paths": "INPUT_PATHS",
    "github-token": "INPUT_GITHUB_TOKEN",
    "comment": "INPUT_COMMENT",
    "fail-on-findings": "INPUT_FAIL_ON_FINDINGS",
}
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
TOKEN_ENV = "QUALITYBOT_GITHUB_TOKEN"  # how the token reaches `qualitybot check --post`

ARTICLE_PATTERNS = "*.md *.markdown *.txt *.html"


class ActionError(Exception):
    """A problem with the inputs or the checkout: exit 2 with the message."""


@dataclass(frozen=True)
class Inputs:
    rules: str
    paths: list[str]
    token: str
    comment: bool
    fail_on_findings: bool


@dataclass(frozen=True)
class PullRequest:
    number: int
    base: str
    head: str


def read_inputs(environ: Mapping[str, str]) -> Inputs:
    token = environ.get(INPUTS["github-token"])
    if token is None:  # run by hand, outside action.yml: the runner's token, if any
        token = environ.get("GITHUB_TOKEN", "")
    return Inputs(
        rules=environ.get(INPUTS["rules"], "").strip(),
        # One path a line (a YAML block) or separated by spaces.
        paths=environ.get(INPUTS["paths"], "").split(),
        token=token.strip(),
        comment=_boolean(environ, "comment", default=True),
        fail_on_findings=_boolean(environ, "fail-on-findings", default=True),
    )


def _boolean(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(INPUTS[name], "").strip().lower()
    if not value:
        return default
    if value in ("true", "false"):
        return value == "true"
    raise ActionError(f"input {name}: expected true or false, got {value!r}")


def pull_request(environ: Mapping[str, str]) -> PullRequest | None:
    """The pull request this run is for, from the event payload; None on other events."""
    if environ.get("GITHUB_EVENT_NAME") not in PULL_REQUEST_EVENTS:
        return None
    event_path = environ.get("GITHUB_EVENT_PATH", "")
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
        pr = event["pull_request"]
        number, base, head = pr["number"], pr["base"]["sha"], pr["head"]["sha"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ActionError(f"cannot read the pull request from GITHUB_EVENT_PATH {event_path!r}: {exc!r}") from None
    if not isinstance(number, int) or not all(isinstance(s, str) and s for s in (base, head)):
        raise ActionError(f"GITHUB_EVENT_PATH {event_path!r}: pull_request has no number, base.sha and head.sha")
    return PullRequest(number, base, head)


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, encoding="utf-8", check=False)
    if done.returncode != 0:
        raise ActionError(f"git {' '.join(args)}: {done.stderr.strip() or f'exit {done.returncode}'}")
    return done.stdout


def _have_commit(sha: str) -> bool:
    done = subprocess.run(["git", "cat-file", "-e", f"{sha}^{{commit}}"], capture_output=True, check=False)
    return done.returncode == 0


def changed_articles(base: str, head: str) -> list[str]:
    """Articles added, copied, modified or renamed from the merge base of ``base`` to ``head``.

    Paths are relative to the working directory; files no longer in the
    workspace are left out.
    """
    missing = [sha for sha in (base, head) if not _have_commit(sha)]
    if missing:
        # A shallow checkout: one fetch of exactly the commits needed, then give up clearly.
        subprocess.run(["git", "fetch", "--no-tags", "--quiet", "origin", *missing], capture_output=True, check=False)
        if not all(_have_commit(sha) for sha in missing):
            raise ActionError(f"commit {missing[0]} is not in the checkout: use actions/checkout with fetch-depth: 0")
    top = Path(_git("rev-parse", "--show-toplevel").strip())
    listed = _git("diff", "--name-only", "-z", "--diff-filter=ACMR", "--find-renames", f"{base}...{head}", "--")
    articles = []
    for name in filter(None, listed.split("\0")):
        path = top / name
        if path.suffix.lower() in SUFFIXES and path.is_file():
            articles.append(os.path.relpath(path))
    return sorted(articles)


def rules_file(name: str) -> Path:
    """The input ``rules`` (a file, or a bundled profile's name), else what the CLI would find."""
    if not name:
        return find_rules_file(None).resolve()
    if Path(name).is_file():
        return Path(name).resolve()
    if "/" not in name and bundled_profile(name).is_file():
        return bundled_profile(name)
    raise ActionError(f"input rules: no rules file or bundled profile {name!r}")


def posting_rules(user_rules: Path, folder: Path, environ: Mapping[str, str]) -> Path:
    """A rules file that extends the user's and posts to this repository's pull requests."""
    platform = {
        "kind": "github",
        "api": environ.get("GITHUB_API_URL") or DEFAULT_API,
        "token_env": TOKEN_ENV,
    }
    derived = folder / "qualitybot-action.yml"
    derived.write_text(yaml.safe_dump({"extends": str(user_rules), "platform": platform}), encoding="utf-8")
    return derived


def write_outputs(environ: Mapping[str, str], **outputs: str | int) -> None:
    if path := environ.get("GITHUB_OUTPUT"):
        with open(path, "a", encoding="utf-8") as handle:
            handle.writelines(f"{name.replace('_', '-')}={value}\n" for name, value in outputs.items())


def say(message: str) -> None:
    print(f"qualitybot: {message}", flush=True)


def run(environ: Mapping[str, str]) -> int:
    inputs = read_inputs(environ)
    pr = pull_request(environ)
    if inputs.paths:
        paths = inputs.paths
        say(f"checking the paths given: {' '.join(paths)}")
    elif pr:
        paths = changed_articles(pr.base, pr.head)
        if not paths:
            message = (
                f"no changed articles ({ARTICLE_PATTERNS}) in pull request #{pr.number} "
                f"between {pr.base[:12]} and {pr.head[:12]}: nothing to check"
            )
            say(message)
            if summary := environ.get("GITHUB_STEP_SUMMARY"):
                with open(summary, "a", encoding="utf-8") as handle:
                    handle.write(f"**qualitybot**: {message}.\n")
            write_outputs(environ, verdict="skipped", articles=0, exit_code=EXIT_PASS)
            return EXIT_PASS
        say(f"checking {len(paths)} changed article(s) of pull request #{pr.number}: {' '.join(paths)}")
    else:
        paths = ["."]
        say(f"not a pull request ({environ.get('GITHUB_EVENT_NAME') or 'no event'}): checking the whole workspace")

    user_rules = rules_file(inputs.rules)
    command = [sys.executable, "-m", "qualitybot", "check", "--format", "github"]
    child_env = {k: v for k, v in environ.items() if k != TOKEN_ENV}
    with tempfile.TemporaryDirectory(prefix="qualitybot-", dir=environ.get("RUNNER_TEMP") or None) as folder:
        if pr and inputs.comment and inputs.token:
            rules = posting_rules(user_rules, Path(folder), environ)
            command += ["--rules", str(rules), "--post", "--submission", str(pr.number)]
            child_env[TOKEN_ENV] = inputs.token
        else:
            command += ["--rules", str(user_rules)]
            if inputs.comment and not pr:
                say("not a pull request: no comment to post")
            elif inputs.comment:
                say("no github-token given: no comment posted")
        status = subprocess.run([*command, "--", *paths], env=child_env, check=False).returncode

    verdict = {EXIT_PASS: "pass", EXIT_FAIL: "fail"}.get(status, "error")
    write_outputs(environ, verdict=verdict, articles=len(list(expand(paths))), exit_code=status)
    if status == EXIT_FAIL and not inputs.fail_on_findings:
        say("the verdict is FAIL, but fail-on-findings is false: the job passes")
        return EXIT_PASS
    return status


def main() -> int:
    try:
        return run(os.environ)
    except ActionError as exc:
        print(f"::error title=qualitybot::{escape_data(str(exc))}", flush=True)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
