"""Hostile and unlucky documents, generated at any size (issue #18).

Each case is a function of a target size in bytes that returns the document
(and the file name, whose suffix picks the format). ``tests/test_hostile.py``
runs every case through the CLI at a small size; ``benchmarks/hostile.py``
times them at 1 MB and 4 MB to show that the work grows linearly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

_SENTENCE = "The council approved the new budget on Monday after a long debate. "
_PROSE = (
    "The minister said the talks would resume next week. Officials from both sides met in Geneva "
    "on Tuesday, and the mood was described as constructive. "
)


def _fill(unit: str, size: int) -> str:
    """``unit`` repeated to about ``size`` characters (at least once)."""
    return unit * max(1, size // len(unit))


@dataclass(frozen=True)
class Case:
    name: str
    suffix: str  # ".md" or ".txt": the format the CLI reads it as
    make: Callable[[int], str]
    what: str


CASES: tuple[Case, ...] = (
    # From the table.
    Case("long-word", ".txt", lambda n: "a" * n, "one word of n letters, no spaces"),
    Case("long-line", ".txt", lambda n: _fill(_PROSE, n), "prose on one line, no line breaks"),
    Case("emphasis-run", ".md", lambda n: _fill("**a", n), "`**a**a**a...` emphasis markers"),
    Case("bracket-run", ".md", lambda n: "[" * n, "`[[[[...` brackets"),
    Case("straight-quotes", ".txt", lambda n: '"' * n, "a run of straight double quotes"),
    Case("curly-quotes", ".txt", lambda n: _fill("“”", n // 3), "a run of curly quotes"),
    Case("single-quotes", ".txt", lambda n: "'" * n, "a run of single quotes"),
    Case("spaced-quotes", ".txt", lambda n: _fill('a " ', n), "quotes between words on one line"),
    Case(
        "dated-sentences", ".txt",
        lambda n: _fill("On Monday, February 30, 2004 the talks, held on March 3, ended. ", n),
        "many dated sentences in one paragraph",
    ),
    Case("short-lines", ".txt", lambda n: _fill("Short line of text here.\n", n), "100,000s of short lines"),
    Case(
        "suppressions", ".md",
        lambda n: _fill("<!-- qualitybot: disable-next-line grammar -->\nThe the cat.\n\n", n),
        "a suppression comment before every paragraph",
    ),
    Case("short-paragraphs", ".txt", lambda n: _fill("A short paragraph repeats here.\n\n", n),
         "repeated short paragraphs"),
    Case("unclosed-fence", ".md", lambda n: "```\n" + _fill(_PROSE + "\n", n), "an unclosed code fence"),
    Case("long-paragraph", ".txt", lambda n: _fill("A line of a paragraph. It goes on\n", n),
         "one paragraph of many lines"),
    # More shapes an attacker would try.
    Case("nested-lists", ".md", lambda n: _fill("- " * 500 + "item\n", n), "lists nested 500 deep, repeated"),
    Case("nested-quotes", ".md", lambda n: _fill(">" * 500 + " quoted\n", n), "block quotes nested 500 deep"),
    Case("headings", ".md", lambda n: _fill("# Heading\n", n), "a heading on every line"),
    Case("links", ".md", lambda n: _fill("[link](https://example.com/a) ", n), "a link every few words"),
    Case("punctuation", ".txt", lambda n: _fill(".,;:!?-()", n), "runs of punctuation"),
    Case("stars", ".md", lambda n: "*" * n, "one run of asterisks"),
    Case("backticks", ".md", lambda n: _fill("`a", n), "unpaired backticks"),
    Case("underscores", ".md", lambda n: _fill("_a", n), "unpaired underscores"),
    Case("html-comments", ".md", lambda n: _fill("<!-- x ", n), "unclosed HTML comments"),
    Case("combining", ".txt", lambda n: "e" + "\u0301" * (n // 2), "one letter with many combining marks"),
    Case("rtl", ".txt", lambda n: _fill("\u202eمرحبا بالعالم. \u05e9\u05dc\u05d5\u05dd \u202c", n // 2),
         "right-to-left text with direction overrides"),
    Case("front-matter", ".md", lambda n: "---\n" + _fill("key: value\n", n) + "---\nBody.\n",
         "huge front matter"),
    Case(
        "yaml-aliases", ".md",
        lambda n: "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
                  f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
                  for i in range(9))
        + "---\nBody.\n",
        "YAML alias bomb in front matter (billion laughs)",
    ),
    Case("control-chars", ".txt",
         lambda n: _fill("Line one.\fLine two.\vLine three.\x85Line four.\u2028Line five.\u2029\x1b[2J\n", n),
         "form feed, vertical tab, NEL, line and paragraph separators, escapes"),
    Case("cr-only", ".txt", lambda n: _fill("A line with old Mac endings.\r\rAnother one.\r", n),
         "old Mac line endings (CR only)"),
)

BY_NAME = {case.name: case for case in CASES}
