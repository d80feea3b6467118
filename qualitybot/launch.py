"""The ``qualitybot`` console entry point.

For ``qualitybot check`` it starts Harper's linter (about a second, without the
GIL) before importing the rest of qualitybot, so that start-up costs little more
than Harper's own; then it runs :func:`qualitybot.cli.main`.
"""

from __future__ import annotations

import sys


def main() -> int:
    if sys.argv[1:2] == ["check"] and "--help" not in sys.argv and "-h" not in sys.argv:
        from qualitybot.grammar import harper_engine

        harper_engine.prestart()
    from qualitybot.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
