"""Reading submissions from files, directories and stdin, with clear refusals."""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pathspec

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
# Never articles, even where no .gitignore says so.
ALWAYS_SKIPPED = ("node_modules",)
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class InputError(Exception):
    """A submission cannot be read as text; the message says why."""


@dataclass(frozen=True)
class Source:
    path: str
    text: str


def expand(paths: list[str], notes: list[str] | None = None, exclude: Iterable[str] = ()) -> Iterator[str]:
    """Files as named; directories walked recursively for article files, sorted.

    A walk skips hidden files and folders (``.git``), ``node_modules``, whatever the
    repository's ``.gitignore`` files ignore, and paths matching an ``exclude`` glob
    (gitignore syntax, relative to the folder walked: ``drafts/``, ``*.txt``). A file
    named on the command line is checked unless an ``exclude`` glob matches it.

    A walk stays inside its boundary (:func:`boundary`): a symbolic link to a file
    outside it, or into a ``.git`` folder, is skipped and ``notes`` says so.
    (Links to folders are not followed at all.)
    """
    excluded = pathspec.GitIgnoreSpec.from_lines(exclude)
    for raw in paths:
        path = Path(raw)
        if raw != "-" and path.is_dir():
            root = boundary(path)
            for found in _walk(path, excluded):
                if inside(Path(found), root):
                    yield found
                elif notes is not None:
                    notes.append(f"skipped {display(found)}: a symbolic link to a file outside {root}")
        elif raw == "-" or not excluded.match_file(path.as_posix()):
            yield raw


@dataclass(frozen=True)
class _Ignore:
    """The patterns of one .gitignore (or of --exclude), relative to its folder."""

    folder: Path
    spec: pathspec.GitIgnoreSpec

    def verdict(self, path: Path, is_dir: bool) -> bool | None:
        """True: ignored; False: re-included (``!pattern``); None: no pattern matched."""
        try:
            relative = path.absolute().relative_to(self.folder).as_posix()
        except ValueError:
            return None
        return self.spec.check_file(relative + ("/" if is_dir else "")).include


def _walk(root: Path, excluded: pathspec.GitIgnoreSpec) -> Iterator[str]:
    found: list[str] = []
    start = [_Ignore(root.absolute(), excluded), *_gitignores_above(root)]
    own: dict[Path, list[_Ignore]] = {}  # folder -> its .gitignore, if any (read once)
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        own[here] = [_gitignore(here)] if ".gitignore" in files else []
        ignores = start + [i for f in _parents_within(here, root) for i in own.get(f, [])]
        dirs[:] = [
            d for d in dirs
            if not d.startswith(".") and d not in ALWAYS_SKIPPED and not _ignored(ignores, here / d, True)
        ]
        for name in files:
            candidate = here / name
            if name.startswith(".") or candidate.suffix.lower() not in SUFFIXES:
                continue
            if not _ignored(ignores, candidate, False) and candidate.is_file():
                found.append(str(candidate))
    yield from sorted(found)


def _ignored(ignores: list[_Ignore], path: Path, is_dir: bool) -> bool:
    # --exclude (first) always wins; then the deepest .gitignore that has a say, as in git.
    if ignores[0].verdict(path, is_dir):
        return True
    for ignore in reversed(ignores[1:]):
        verdict = ignore.verdict(path, is_dir)
        if verdict is not None:
            return verdict
    return False


def _gitignore(folder: Path) -> _Ignore:
    try:
        lines = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    return _Ignore(folder.absolute(), pathspec.GitIgnoreSpec.from_lines(lines))


def _gitignores_above(root: Path) -> list[_Ignore]:
    """The .gitignore files of the folders above ``root`` up to its repository's root, outermost first."""
    folder = root.absolute()
    above: list[_Ignore] = []
    for parent in folder.parents:
        if (parent / ".gitignore").is_file():
            above.append(_gitignore(parent))
        if (parent / ".git").exists():
            return above[::-1]
    return []  # not in a repository: no .gitignore outside the folder walked applies


def _parents_within(here: Path, root: Path) -> list[Path]:
    """``root`` and each folder below it down to ``here``."""
    relative = here.relative_to(root)
    folders = [root]
    for part in relative.parts:
        folders.append(folders[-1] / part)
    return folders


def boundary(folder: Path) -> Path:
    """What a walk of ``folder`` may reach: the git work tree holding it, else the folder itself."""
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def inside(path: Path, root: Path) -> bool:
    """``path``, links resolved, is in ``root`` and not in a ``.git`` folder (credentials, hooks)."""
    resolved = path.resolve()
    return resolved.is_relative_to(root) and ".git" not in resolved.relative_to(root).parts


def display(name: str) -> str:
    """A file name fit for a log line: control characters (line breaks) shown as escapes."""
    return "".join(
        c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
        for c in name
    )


def read(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read one submission as UTF-8 text, or raise InputError saying why not."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{display(path)}: no such file or directory") from None
    except IsADirectoryError:
        raise InputError(f"{display(path)}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{display(path)}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(
            f"{display(path)}: larger than the {max_bytes / 1048576:g} MiB limit for one document "
            "(raise it with --max-size)"
        )
    nul = data.find(b"\0")
    if nul >= 0:
        raise InputError(f"{display(path)}: not a text file (NUL byte at byte {nul})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{display(path)}: not valid UTF-8 (byte {exc.start}); convert it to UTF-8") from None
    # Line and column refer to the file as given; CRLF is read as one line break.
    return Source("<stdin>" if path == "-" else path, text.replace("\r\n", "\n"))
