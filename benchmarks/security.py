"""Hostile configuration (issue #19): how long the gate takes to refuse or bound it.

Run from the repository root: ``python benchmarks/security.py``. Each case builds its
hostile input in a temporary folder; times are wall clock on this machine.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from qualitybot.config import ConfigError, load_rules
from qualitybot.document import parse
from qualitybot.engine import Engine


def timed(label: str, work: Callable[[], str]) -> None:
    started = time.perf_counter()
    outcome = work()
    print(f"{label:48s} {time.perf_counter() - started:7.3f} s  {outcome}")


def refused(path: Path) -> str:
    try:
        load_rules(path)
    except ConfigError as exc:
        return "refused: " + exc.messages[0].split(": ", 1)[1][:70]
    return "loaded"


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="qualitybot-security-"))
    laughs = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    laughs += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    (folder / "laughs.yml").write_text("rules:\n  readability:\n" + "".join(f"    {x}\n" for x in laughs))
    timed("YAML billion laughs (10**9 values)", lambda: refused(folder / "laughs.yml"))

    for levels in (12, 24):
        d = folder / f"diamond{levels}"
        d.mkdir()
        for i in range(levels):
            (d / f"x{i}.yml").write_text(f"extends: [x{i + 1}.yml, x{i + 1}.yml]\n")
        (d / f"x{levels}.yml").write_text("rules:\n  quotes: {}\n")
        timed(f"{levels}-level extends: [x, x] diamond", lambda d=d: refused(d / "x0.yml"))  # type: ignore[misc]

    metric = {"check": "pattern", "extends": "metric", "message": "%s",
              "formula": "math.factorial(100000000)", "condition": "> 1"}
    (folder / "metric.yml").write_text(yaml.safe_dump({"rules": {"M": metric}}))
    timed("metric formula math.factorial(100000000)", lambda: refused(folder / "metric.yml"))

    rules = {
        f"Slow{i}": {"check": "pattern", "extends": "existence", "message": "%s", "nonword": True,
                     "tokens": [f"(a+)+(?=c{i})"]}
        for i in range(200)
    }
    (folder / "slow.yml").write_text(yaml.safe_dump({"rules": rules}))
    engine = Engine(load_rules(folder / "slow.yml"))
    doc_text = "a" * 5000 + "b\n"

    def check() -> str:
        findings = engine.check(parse(doc_text, "a.md")).findings
        return f"{sum(f.rule.endswith('.timeout') for f in findings)} rules stopped"

    timed("200 look-around rules, one 5,000-char document", check)


if __name__ == "__main__":
    main()
