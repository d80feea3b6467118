"""Reading submissions from files, directories and stdin, with clear refusals."""

from __future__ import annotations

import sys
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


def expand(paths: list[str]) -> Iterator[str]:
    """Files as named; directories walked recursively for article files, sorted."""
    for raw in paths:
        path = Path(raw)
        if raw != "-" and path.is_dir():
            yield from sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
        else:
            yield raw


def read(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read one submission as UTF-8 text, or raise InputError saying why not."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file or directory") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(
            f"{path}: larger than the {max_bytes / 1048576:g} MiB limit for one document (raise it with --max-size)"
        )
    nul = data.find(b"\0")
    if nul >= 0:
        raise InputError(f"{path}: not a text file (NUL byte at byte {nul})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte {exc.start}); convert it to UTF-8") from None
    # Line and column refer to the file as given; CRLF is read as one line break.
    return Source("<stdin>" if path == "-" else path, text.replace("\r\n", "\n"))
