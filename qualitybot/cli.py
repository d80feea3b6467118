"""The command line: ``qualitybot check PATH...`` (see DESIGN.md for the contract)."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.util
import logging
import math
import os
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from qualitybot import __version__, archive_cli, budget, fix, rules_tools
from qualitybot.batch import Job, Outcome, check_all, default_jobs
from qualitybot.config import ConfigError, PlatformConfig, find_rules_file, load_rules, rules_name
from qualitybot.contract import CheckUnavailable
from qualitybot.engine import CheckFailed, Engine
from qualitybot.exits import EXIT_FAIL, EXIT_INTERNAL, EXIT_PASS, EXIT_USAGE
from qualitybot.formatters import FORMATS, github, renderer
from qualitybot.formatters._common import printable
from qualitybot.platform import PlatformConfigError, PlatformError, publish
from qualitybot.progress import progress_bar
from qualitybot.report import DocumentReport, InputProblem, Report
from qualitybot.service.settings import SettingsError
from qualitybot.sources import DEFAULT_MAX_BYTES, expand

MAX_SIZE_MIB = 1024  # --max-size: a larger document is no article


class UsageError(Exception):
    """Bad arguments: exit 2 with the message."""


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


def _size_mib(value: str) -> float:
    try:
        size = float(value)
    except ValueError:
        size = math.nan
    if not math.isfinite(size) or not 0 < size <= MAX_SIZE_MIB:
        raise argparse.ArgumentTypeError(f"expected a size in MiB above 0 and at most {MAX_SIZE_MIB}, got {value!r}")
    return size


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or not 0 <= seconds <= 86400:
        raise argparse.ArgumentTypeError(f"expected seconds from 0 (no budget) to 86400, got {value!r}")
    return seconds


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qualitybot", description="An automated quality gate for articles."
    )
    parser.add_argument("--version", action="version", version=f"qualitybot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="check articles and report pass/fail",
        description="Check files, directories (*.md *.markdown *.txt *.html) or - (stdin). "
        "Exit 0 all passed, 1 a document failed, 2 usage or configuration error, 3 internal error.",
    )
    check.add_argument("paths", nargs="+", metavar="PATH")
    check.add_argument("--rules", metavar="FILE", help="rules file or bundled profile name (default: "
                       "qualitybot.yml or .qualitybot.yml in each document's folder or the nearest one above it, "
                       "up to the repository's root; else the bundled default profile)")
    check.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                       help="skip paths matching GLOB (gitignore syntax; repeatable); folder walks also skip "
                       "hidden folders, node_modules and git-ignored files")
    check.add_argument("--stdin-filename", metavar="NAME",
                       help="the name of the document read from - (stdin): its format, its rules file, "
                       "the path in reports and annotations")
    check.add_argument("--min-severity", choices=("info", "warning", "error"),
                       help="leave findings below this severity out of the report; the verdict is unchanged")
    check.add_argument("--format", choices=FORMATS, default="text", help="report format")
    check.add_argument("--output", metavar="FILE", help="write the report there instead of stdout")
    check.add_argument("--published-at", type=_iso_date, metavar="YYYY-MM-DD",
                       help="reference date for date checks (else front matter, else today)")
    check.add_argument("--max-size", type=_size_mib, default=DEFAULT_MAX_BYTES / 1048576, metavar="MIB",
                       help="largest document to read, in MiB (default %(default)g)")
    check.add_argument("--time-budget", type=_seconds, metavar="SECONDS",
                       help="time the checks may take on one document; a check that runs over is stopped "
                       "and reported (default: time_budget in the rules file; 0 = no budget)")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    check.add_argument("--jobs", "-j", type=_positive_int, default=0, metavar="N",
                       help="documents checked in parallel (default: one per core)")
    check.add_argument("--post", action="store_true",
                       help="post the report as the comment of the submission, on the platform configured "
                       "in the rules file (token from $QUALITYBOT_PLATFORM_TOKEN or platform.token_env)")
    check.add_argument("--submission", metavar="ID",
                       help="with --post: the submission (github: pull request number); else each "
                       "document's front matter submission_id")
    check.add_argument("--archive", type=archive_cli.archive_config, metavar="DIR|URL",
                       help="compare each document with this archive of earlier articles (a directory or a "
                       "redis:// URL; default: the rules file's archive); see `qualitybot archive`")
    fixing = check.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true",
                        help="apply safe fixes in place (doubled word, a/an, wrong weekday, missing space after "
                        "a full stop), then report what remains")
    fixing.add_argument("--diff", action="store_true",
                        help="print the safe fixes as a unified diff instead of the report; change nothing")
    lsp = commands.add_parser("lsp", help="language server for editors (LSP over stdio)",
                              description="Run the Language Server Protocol server on stdin/stdout.")
    lsp.add_argument("--rules", metavar="FILE", help="rules file (default: as `qualitybot check` finds it "
                     "from the document's workspace folder)")
    lsp.add_argument("--stdio", action="store_true", help="accepted for clients that pass it (stdio is the default)")
    from qualitybot import preview

    preview.add_parser(commands)
    rules_tools.add_parser(commands)
    archive_cli.add_parser(commands)
    from qualitybot.service.commands import add_parsers  # light: the server loads only when run

    add_parsers(commands)
    return parser


def run_check(args: argparse.Namespace, out: TextIO) -> int:
    _check_output(args.output)
    skipped: list[str] = []
    paths = list(expand(args.paths, skipped, args.exclude))
    for note in skipped:
        print(f"qualitybot: {note}", file=sys.stderr)
    if not paths:
        raise UsageError("no article files (*.md *.markdown *.txt *.html) under " + " ".join(args.paths))
    if (args.fix or args.diff) and "-" in paths:
        raise UsageError("--fix and --diff change files: name them instead of - (stdin)")
    # Each document gets the rules file nearest to it (stdin: the current folder), as Vale and ruff do.
    rules_of = _rules_files(paths, args.rules, args.stdin_filename)
    engines: dict[Path, Engine] = {}
    for rules_file in dict.fromkeys(rules_of):
        ruleset = load_rules(rules_file)
        if args.archive:
            ruleset = dataclasses.replace(ruleset, archive=args.archive)
        time_budget = budget.fixed(args.time_budget) if args.time_budget is not None else ruleset.time_budget
        engines[rules_file] = Engine(ruleset, time_budget)
        engines[rules_file].start_warm_up()
    outcomes: dict[int, Outcome] = {}
    problems: list[InputProblem] = []
    with progress_bar(len(paths)) as advance:
        for rules_file, engine in engines.items():
            indexes = [i for i, f in enumerate(rules_of) if f == rules_file]
            job = Job(
                rules_file,
                args.published_at,
                int(args.max_size * 1048576),
                stdin_filename=args.stdin_filename,
                archive=args.archive,
                time_budget=engine.time_budget,
            )
            checked = check_all(engine, job, [paths[i] for i in indexes], args.jobs or default_jobs())
            for i, outcome in zip(indexes, checked, strict=True):
                advance()
                outcomes[i] = outcome
    reports: list[DocumentReport] = []
    front_matter: list[Mapping[str, Any]] = []
    for i in sorted(outcomes):
        outcome = outcomes[i]
        if outcome.input_error:
            print(f"qualitybot: {printable(outcome.input_error)}", file=sys.stderr)
            problems.append(InputProblem(outcome.path, outcome.input_error))
        elif outcome.report:
            outcome.report.rules = rules_name(rules_of[i])
            if args.min_severity and not (args.fix or args.diff):
                _hide_below(outcome.report, args.min_severity)
            reports.append(outcome.report)
            front_matter.append(outcome.front_matter)
    used = [rules_name(f) for f in engines]
    report = Report(reports, rules=used, errors=problems, notes=_not_run_notes(engines.values()))
    if args.fix or args.diff:
        return run_fixes(args, out, report)
    color = args.color == "always" or (
        args.color == "auto" and args.output is None and out.isatty() and "NO_COLOR" not in os.environ
    )
    rendered = renderer(args.format)(report, color)
    try:
        if args.output:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(rendered)
        else:
            out.write(rendered)
            out.flush()
    except OSError as exc:
        raise UsageError(f"cannot write the report to {args.output or 'stdout'}: {exc.strerror or exc}") from None
    if args.format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        github.append_job_summary(report, os.environ["GITHUB_STEP_SUMMARY"])
    if args.post:
        post(ruleset_platform(engines), reports, front_matter, args.submission)
    if problems:
        return EXIT_USAGE
    return EXIT_FAIL if report.verdict == "fail" else EXIT_PASS


def _rules_files(paths: list[str], explicit: str | None, stdin_filename: str | None) -> list[Path]:
    """The rules file of each path: ``--rules``, else the nearest one above the path's folder."""
    found: dict[Path, Path] = {}
    result = []
    for path in paths:
        stdin_folder = Path(stdin_filename).parent if stdin_filename else Path.cwd()
        folder = stdin_folder if path == "-" else Path(path).parent
        if folder not in found:
            found[folder] = find_rules_file(explicit, folder)
        result.append(found[folder])
    return result


def ruleset_platform(engines: Mapping[Path, Engine]) -> PlatformConfig:
    """``--post`` posts where the rules file says; several rules files must agree."""
    platforms = {engine.ruleset.platform for engine in engines.values()}
    if len(platforms) > 1:
        raise UsageError("--post: the documents' rules files configure different platforms; check them separately")
    return platforms.pop()


def _not_run_notes(engines: Iterable[Engine]) -> list[str]:
    """Why some imported rules report nothing (said once per rule, whatever the number of documents)."""
    notes: dict[str, None] = {}
    for engine in engines:
        for rule, _spec in engine.rules:
            why = getattr(rule.options, "not_run", lambda: "")()
            if why:
                notes[f"{rule.id}: {why}; it reports nothing"] = None
    return list(notes)


_SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def _hide_below(report: DocumentReport, minimum: str) -> None:
    """--min-severity: leave lower findings out of the output; errors, and so the verdict, always stay."""
    report.findings = [f for f in report.findings if _SEVERITY_RANK[f.severity] >= _SEVERITY_RANK[minimum]]


def run_fixes(args: argparse.Namespace, out: TextIO, report: Report) -> int:
    """``--diff``: print the safe fixes; ``--fix``: apply them, then check again and report what remains."""
    fixes, failed = [], False
    for doc in report.documents:
        try:
            fixed = fix.fix_file(doc.path, doc)
            if fixed is not None and args.fix:
                fixed.write()
                print(f"qualitybot: {fixed.path}: fixed {len(fixed.edits)} finding(s)", file=sys.stderr)
        except (OSError, UnicodeError) as exc:
            print(f"qualitybot: {doc.path}: cannot fix: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
            failed = True
            continue
        fixes.extend([fixed] if fixed else [])
    if args.diff:
        out.write("".join(f.diff() for f in fixes))
        out.flush()
        return EXIT_USAGE if failed else EXIT_FAIL if report.verdict == "fail" else EXIT_PASS
    status = run_check(argparse.Namespace(**{**vars(args), "fix": False}), out)
    return EXIT_USAGE if failed else status


def _check_output(path: str | None) -> None:
    """Refuse an --output that cannot be written before any document is checked."""
    if path is None:
        return
    if not path:
        raise UsageError("--output: empty file name")
    if os.path.isdir(path):
        raise UsageError(f"--output {printable(path)}: is a directory; name a file")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise UsageError(f"--output {printable(path)}: no such folder {printable(folder)}")
    if not os.access(folder, os.W_OK) and not os.access(path, os.W_OK):
        raise UsageError(f"--output {printable(path)}: not writable")


def post(
    platform: PlatformConfig,
    reports: list[DocumentReport],
    front_matter: list[Mapping[str, Any]],
    submission: str | None,
) -> None:
    """Post one comment per submission: all documents to --submission, else by front matter."""
    groups: dict[str, list[tuple[DocumentReport, int]]] = {}
    for doc, meta in zip(reports, front_matter, strict=True):
        # On GitHub the pull request is the submission; elsewhere the front matter names it.
        target = submission or _pull_request(platform) or _front_matter_submission(meta)
        if not target:
            raise UsageError(
                f"{doc.path}: --post needs --submission ID or submission_id in the document's front matter"
            )
        groups.setdefault(target, []).append((doc, _revision(doc.path, meta)))
    for target, docs in groups.items():
        revision = max(rev for _, rev in docs)
        posted = publish(Report([doc for doc, _ in docs]), target, revision, platform)
        action = "created" if posted.created else "updated"
        print(f"qualitybot: {action} comment {posted.comment_id} on submission {target}", file=sys.stderr)


def _front_matter_submission(meta: Mapping[str, Any]) -> str | None:
    value = meta.get("submission_id")
    return str(value) if isinstance(value, (str, int)) and str(value).strip() else None


def _pull_request(platform: PlatformConfig) -> str | None:
    """On GitHub Actions, the pull request a workflow runs for (GITHUB_REF=refs/pull/N/merge)."""
    if platform.kind != "github":
        return None
    match = re.fullmatch(r"refs/pull/(\d+)/(?:merge|head)", os.environ.get("GITHUB_REF", ""))
    return match.group(1) if match else None


def _revision(path: str, meta: Mapping[str, Any]) -> int:
    value = meta.get("revision", 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{path}: front matter revision must be a positive whole number, got {value!r}")
    return value


SERVICE_MODULES = ("starlette", "uvicorn", "httptools", "uvloop", "huey", "redis", "standardwebhooks", "pebble")


def run_service(args: argparse.Namespace) -> int:
    missing = [name for name in SERVICE_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(
            f"`qualitybot {args.command}` needs the bot service's packages ({', '.join(missing)} missing): "
            "pip install 'qualitybot[service]'"
        )
    from qualitybot.service.commands import run_serve, run_worker

    return run_serve(args) if args.command == "serve" else run_worker(args)


def _pure_stdout() -> TextIO:
    """The real stdout for the report; file descriptor 1 goes to stderr from now on.

    Native engines (harper-core) may print debug lines on fd 1; they must never
    corrupt a JSON or SARIF report, so only the report is written to the real stdout.
    """
    sys.stdout.flush()
    report_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(report_fd, "w", encoding="utf-8", closefd=True)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    if os.environ.get("PRE_COMMIT") == "1" and argv[:1] == ["check"] and "--" not in argv:
        # pre-commit appends file names after the hook's args; without `--` a staged file
        # named `--output=README.md` would be read as an option and overwrite README.md.
        print("qualitybot: in a pre-commit hook, end the hook's args with '--' "
              "(for example args: [--rules, rules.yml, --])", file=sys.stderr)
        return EXIT_USAGE
    args = parser.parse_args(argv)
    logging.basicConfig(format="qualitybot: %(message)s", level=logging.WARNING)
    out = _pure_stdout()
    try:
        if args.command == "check":
            return run_check(args, out)
        if args.command == "lsp":
            from qualitybot.lsp import serve

            return serve(args.rules, sys.stdin.buffer, out.buffer)
        if args.command == "preview":
            from qualitybot import preview

            return preview.run(args, out)
        if args.command == "rules":
            return rules_tools.run(args, out)
        if args.command == "archive":
            return archive_cli.run(args, out)
        if args.command in ("serve", "worker"):
            return run_service(args)
        parser.error(f"unknown command {args.command}")
    except ConfigError as exc:
        for message in exc.messages:
            print(f"qualitybot: {message}", file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, PlatformConfigError, SettingsError, archive_cli.NoArchive) as exc:
        print(f"qualitybot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CheckUnavailable as exc:
        print(f"qualitybot: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except PlatformError as exc:
        print(f"qualitybot: cannot post the report: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except CheckFailed as exc:
        print(f"qualitybot: internal error: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last line of defence: no traceback for users
        print(f"qualitybot: internal error: {exc!r} (please report this)", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        with contextlib.suppress(OSError):  # a full or closed stdout was reported above
            out.flush()
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
