"""Vale rule types the gate does not run (``sequence``, ``spelling``, ``script``).

They load, so that a Vale style folder imports unchanged, and report nothing;
``qualitybot rules list`` and ``rules validate`` say which rules are not run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import ConfigDict

from qualitybot.checks.pattern.base import ValeRule
from qualitybot.contract import Hit
from qualitybot.document import Document

NOT_RUN = ("sequence", "spelling", "script")


class Unsupported(ValeRule):
    model_config = ConfigDict(extra="allow")
    extends: Literal["sequence", "spelling", "script"]

    def run(self, doc: Document) -> Iterator[Hit]:
        return iter(())

    def not_run(self) -> str:
        return f"Vale rule type '{self.extends}' is not run by qualitybot"


for _kind in NOT_RUN:
    ValeRule.variants[_kind] = Unsupported
