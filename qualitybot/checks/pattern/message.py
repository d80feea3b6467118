"""Messages filled the way Vale fills them (Go's ``fmt.Sprintf`` via ``core.FormatMessage``)."""

from __future__ import annotations

import re

_VERB = re.compile(r"%(%|s)")


def format_message(message: str, *subs: str) -> str:
    """Fill each ``%s`` with the next of ``subs``; ``%%`` is a percent sign.

    Like Vale, extra values are ignored and a ``%s`` without a value reads
    ``%!s(MISSING)`` (what Go prints), so a wrong message is visible, not silent.
    """
    values = iter(subs)

    def fill(m: re.Match[str]) -> str:
        if m.group(1) == "%":
            return "%"
        return next(values, "%!s(MISSING)")

    return _VERB.sub(fill, message)


def to_sentence(words: list[str], conjunction: str = "or") -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b', or 'c'`` (Vale's ``core.ToSentence``)."""
    quoted = [f"'{w}'" for w in words]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} {conjunction} {quoted[1]}"
    quoted[-1] = f"{conjunction} {quoted[-1]}"
    return ", ".join(quoted)


def unquote_first(message: str) -> str:
    """Vale's ``convertMessage``: ``'%s'`` twice -> the first loses its quotes (to_sentence quotes)."""
    for spec in ("'%s'", '"%s"'):
        if message.count(spec) == 2:
            message = message.replace(spec, "%s", 1)
    return message
