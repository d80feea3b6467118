"""Reading submissions from files, directories and stdin, with clear refusals."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class InputError(Exception):
    """A submission cannot be read as text; the message says why."""


@dataclass(frozen=True)
class Source:
    path: str
    text: str


def expand(paths: list[str], notes: list[str] | None = None) -> Iterator[str]:
    """Files as named; directories walked recursively for article files, sorted.

    A walk stays inside its boundary (:func:`boundary`): a symbolic link to a file
    outside it, or into a ``.git`` folder, is skipped and ``notes`` says so.
    (Links to folders are not followed at all.)
    """
    for raw in paths:
        path = Path(raw)
        if raw != "-" and path.is_dir():
            root = boundary(path)
            for found in sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()):
                if ".git" in found.relative_to(path).parts:
                    continue  # git's own files are no articles
                if inside(found, root):
                    yield str(found)
                elif notes is not None:
                    notes.append(f"skipped {display(str(found))}: a symbolic link to a file outside {root}")
        else:
            yield raw


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
