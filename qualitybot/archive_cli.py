"""``qualitybot archive add|stats``: keep the archive of earlier articles that ``check`` compares with.

The archive is a directory (SQLite, embedded) or a Redis URL, named by
``--archive`` or by the rules file (``archive: {path: DIR}`` or ``{redis: URL}``).
A document's id is its front matter ``submission_id``, else its path; adding a
document again under the same id replaces its earlier version.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from qualitybot.config import ArchiveConfig, find_rules_file, load_rules
from qualitybot.document import parse
from qualitybot.sources import DEFAULT_MAX_BYTES, SUFFIXES, InputError, expand, read


class NoArchive(Exception):
    """No archive named: exit 2."""


def archive_config(value: str) -> ArchiveConfig:
    """``--archive DIR`` or ``--archive redis://...``."""
    if value.startswith(("redis://", "rediss://", "unix://")):
        return ArchiveConfig(redis=value)
    if not value.strip():
        raise argparse.ArgumentTypeError("expected a directory or a redis:// URL")
    return ArchiveConfig(path=value)


ARCHIVE_HELP = "archive of earlier articles: a directory (SQLite) or a redis:// URL (default: the rules file's archive)"


def add_parser(commands: Any) -> None:
    archive = commands.add_parser(
        "archive",
        help="add articles to the archive of earlier articles that `check` compares with",
        description=__doc__.split("\n\n")[0],
    )
    sub = archive.add_subparsers(dest="archive_command", required=True, metavar="SUBCOMMAND")
    add = sub.add_parser(
        "add",
        help="add (or replace) documents: id = front matter submission_id, else the path",
        description="Add files or directories (" + " ".join(f"*{s}" for s in SUFFIXES) + ") to the archive. "
        "Exit 0 all added, 2 a document could not be read or no archive is named.",
    )
    add.add_argument("paths", nargs="+", metavar="PATH")
    stats = sub.add_parser("stats", help="how many documents the archive holds, its size and parameters")
    stats.add_argument("--format", choices=("text", "json"), default="text")
    for parser in (add, stats):
        parser.add_argument("--archive", type=archive_config, metavar="DIR|URL", help=ARCHIVE_HELP)
        parser.add_argument("--rules", metavar="FILE", help="rules file naming the archive (default as for `check`)")


def resolve(explicit: ArchiveConfig | None, rules: str | None) -> ArchiveConfig:
    if explicit is not None:
        return explicit
    configured = load_rules(find_rules_file(rules)).archive
    if configured is None:
        raise NoArchive("no archive: give --archive DIR (or a redis:// URL), or set `archive: {path: DIR}` "
                        "in the rules file")
    return configured


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``qualitybot archive ...``; ArchiveError, NoArchive and ConfigError are left to the CLI."""
    from qualitybot.archive import archive_id, open_archive

    archive = open_archive(resolve(args.archive, args.rules).location)
    if args.archive_command == "stats":
        stats = archive.stats()
        if args.format == "json":
            out.write(json.dumps(stats, indent=2) + "\n")
        else:
            out.write("".join(f"{key}: {_show(value)}\n" for key, value in stats.items()))
        return 0
    paths = list(expand(args.paths))
    added = replaced = failed = 0
    for path in paths:
        try:
            source = read(path, DEFAULT_MAX_BYTES)
        except InputError as exc:
            print(f"qualitybot: {exc}", file=sys.stderr)
            failed += 1
            continue
        doc = parse(source.text, source.path)
        replaced += archive.add(archive_id(doc), doc)
        added += 1
    total = archive.stats()["documents"]
    out.write(
        f"added {added} document{'s' if added != 1 else ''} to {archive.store.location}"
        f" ({replaced} replaced an earlier version); {total} in the archive\n"
    )
    return 2 if failed or not paths else 0


def _show(value: Any) -> str:
    if isinstance(value, tuple | list):
        return " x ".join(str(v) for v in value)
    return str(value)
