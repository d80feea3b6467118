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
   The rules: on a pull request, the rules file and every YAML file it may
   ``extends:`` or ``import:`` are taken from the pull request's *base* commit
   (copied to a temporary folder, which is then the rules root), so a pull
   request cannot change the rules that judge it nor make them read a file of
   the runner; ``rules-from-pull-request: true`` opts in to the checked-out
   rules. Either way ``extends:``/``import:`` stay inside the repository (see
   SECURITY.md). A changed article that is a symbolic link to a file outside the
   repository (or into ``.git``) is skipped with a note, and file names are
   printed with control characters escaped, so a name cannot forge a workflow
   command (``::stop-commands::``) in the log.
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

from qualitybot.config import DEFAULT_RULES_FILES, RULES_ROOT_ENV, bundled_profile, find_rules_file, rules_root
from qualitybot.exits import EXIT_FAIL, EXIT_PASS, EXIT_USAGE
from qualitybot.formatters.github import escape_data
from qualitybot.platform.github import DEFAULT_API
from qualitybot.sources import SUFFIXES, display, expand, inside

# The environment variable action.yml sets for each input (tests check they match).
INPUTS = {
    "rules": "INPUT_RULES",
    "paths": "INPUT_PATHS",
    "github-token": "INPUT_GITHUB_TOKEN",
    "comment": "INPUT_COMMENT",
    "fail-on-findings": "INPUT_FAIL_ON_FINDINGS",
    "rules-from-pull-request": "INPUT_RULES_FROM_PULL_REQUEST",
}
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
TOKEN_ENV = "QUALITYBOT_GITHUB_TOKEN"  # how the token reaches `qualitybot check --post`

ARTICLE_PATTERNS = "*.md *.markdown *.txt *.html"
RULES_SUFFIXES = (".yml", ".yaml")  # what is copied from the base commit: rules files, Vale styles
MAX_RULES_FILE_BYTES = 1024 * 1024


class ActionError(Exception):
    """A problem with the inputs or the checkout: exit 2 with the message."""


@dataclass(frozen=True)
class Inputs:
    rules: str
    paths: list[str]
    token: str
    comment: bool
    fail_on_findings: bool
    rules_from_pull_request: bool = False


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
        rules_from_pull_request=_boolean(environ, "rules-from-pull-request", default=False),
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


def changed_articles(base: str, head: str, notes: list[str] | None = None) -> list[str]:
    """Articles added, copied, modified or renamed from the merge base of ``base`` to ``head``.

    Paths are relative to the working directory; files no longer in the
    workspace are left out, and so are symbolic links to a file outside the
    repository or inside ``.git`` (``notes`` says which).
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
        if path.suffix.lower() not in SUFFIXES or not path.is_file():
            continue
        if inside(path, top.resolve()):
            articles.append(os.path.relpath(path))
        elif notes is not None:
            notes.append(f"skipped {display(name)}: a symbolic link to a file outside the repository")
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


def base_rules_file(name: str, base: str, folder: Path) -> tuple[Path, Path | None]:
    """The rules as the base commit has them: (rules file, rules root or None for a bundled profile).

    Every ``*.yml``/``*.yaml`` file of the base commit is copied under ``folder``
    (rules files, the files they extend, Vale styles), which is then the rules root.
    """
    top = Path(_git("rev-parse", "--show-toplevel").strip()).resolve()
    here = Path.cwd().resolve()
    if name and not Path(name).is_absolute() and not (here / name).resolve().is_relative_to(top):
        raise ActionError(f"input rules: {name!r} is outside the repository")
    if name and Path(name).is_absolute() and not Path(name).resolve().is_relative_to(top):
        return rules_file(name), None  # the workflow's own file, not the pull request's
    _copy_base_yaml(base, folder)
    if name:
        copied = folder / (here / name).resolve().relative_to(top)
        if copied.is_file():
            return copied, folder
        if "/" not in name and bundled_profile(name).is_file():
            return bundled_profile(name), None
        raise ActionError(
            f"input rules: no rules file or bundled profile {name!r} "
            f"(rules files are read from the base commit {base[:12]})"
        )
    for candidate in DEFAULT_RULES_FILES:
        copied = folder / here.relative_to(top) / candidate
        if copied.is_file():
            return copied, folder
    return bundled_profile("default"), None


def _copy_base_yaml(commit: str, folder: Path) -> None:
    listed = _git("ls-tree", "-r", "-z", "-l", "--full-tree", commit)
    blobs: list[tuple[str, str]] = []
    for entry in filter(None, listed.split("\0")):
        meta, _, name = entry.partition("\t")
        mode, kind, sha, length = meta.split()
        # Regular files only (a symbolic link in the base commit is not followed either),
        # and not the repository's large YAML data: no rules file is that big.
        if (kind == "blob" and mode in ("100644", "100755") and name.lower().endswith(RULES_SUFFIXES)
                and int(length) <= MAX_RULES_FILE_BYTES):
            blobs.append((sha, name))
    if not blobs:
        return
    batch = subprocess.run(
        ["git", "cat-file", "--batch"], input="".join(f"{sha}\n" for sha, _ in blobs).encode(),
        capture_output=True, check=False,
    )
    if batch.returncode != 0:
        raise ActionError(f"git cat-file --batch: {batch.stderr.decode(errors='replace').strip()}")
    out, at = batch.stdout, 0
    for _, name in blobs:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split()[2])
        data = out[header_end + 1 : header_end + 1 + size]
        at = header_end + 2 + size
        target = (folder / name).resolve()
        if not target.is_relative_to(folder.resolve()):  # git never stores such a name; be sure
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


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
    """A plain log line; names in it went through :func:`display` (no line break can forge a command)."""
    print(f"qualitybot: {display(message)}", flush=True)


def run(environ: Mapping[str, str]) -> int:
    inputs = read_inputs(environ)
    pr = pull_request(environ)
    if inputs.paths:
        paths = inputs.paths
        say(f"checking the paths given: {' '.join(paths)}")
    elif pr:
        notes: list[str] = []
        paths = changed_articles(pr.base, pr.head, notes)
        for note in notes:
            say(note)
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

    command = [sys.executable, "-m", "qualitybot", "check", "--format", "github"]
    child_env = {k: v for k, v in environ.items() if k != TOKEN_ENV}
    with tempfile.TemporaryDirectory(prefix="qualitybot-", dir=environ.get("RUNNER_TEMP") or None) as folder:
        if pr and not inputs.rules_from_pull_request:
            user_rules, root = base_rules_file(inputs.rules, pr.base, Path(folder) / "base")
            say(f"rules from the base commit {pr.base[:12]} (rules-from-pull-request: false): {user_rules.name}")
        else:
            user_rules = rules_file(inputs.rules)
            root = Path(environ[RULES_ROOT_ENV]) if environ.get(RULES_ROOT_ENV) else rules_root(user_rules)
            if user_rules.resolve().parent == bundled_profile("default").resolve().parent:
                root = None  # a bundled profile reaches only bundled profiles
        if root is not None:
            child_env[RULES_ROOT_ENV] = str(root)
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
