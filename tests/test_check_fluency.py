"""Fixture tables for the fluency check: prose broken throughout fails, edited prose passes."""

from __future__ import annotations

import json
import random
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from qualitybot.checks import fluency, registry
from qualitybot.checks.fluency_table import build, build_words, word_counts
from qualitybot.config import bundled_profile, load_rules
from qualitybot.contract import Earlier
from qualitybot.document import parse
from qualitybot.engine import Engine
from tests.conftest import make_doc, run_cli

CLEAN = """\
The city council agreed on Tuesday to spend more money on its bus network, after a year in which \
passenger numbers rose sharply.

Councillors voted to buy forty new buses and to open two routes to the hospital and the university. \
The plan will cost about twelve million pounds over three years, officials said.

The leader of the council said the service had been too slow for too long. She told reporters that \
people who live on the edge of the city often wait an hour for a bus, and that many of them have no car.

Opposition members said they supported the plan but warned that the money would have to come from \
other services. They asked for a report on the cost of the new routes before the end of the summer.

Work on the first route is expected to start in the spring, and the new buses should arrive later in \
the year.
"""

# The same story with its function words shuffled into places no English puts them.
BROKEN = """\
The city council of agreed on Tuesday the to spend more money its on bus network, after the a year \
in which passenger numbers the rose sharply.

Councillors voted to the buy forty new buses and to of open two routes the to hospital and the \
university. The plan will the cost about twelve million pounds over three years, officials of said.

The leader of the council said the service had been too the slow for too long. She told of reporters \
that people who live on the edge the of city often wait an hour a for bus, and that many them of have \
no car.

Opposition members said they the supported the plan but warned that the money would the have to come \
from other of services. They asked for a report the on cost of the new routes the before end of summer.

Work on the first route is the expected to start in of the spring, and the new buses should the arrive \
later the in year.
"""

WORD = re.compile(r"[A-Za-z]+")


def spun(text: str, share: float, seed: int) -> str:
    """Replace a share of the words with words drawn at random from the text itself."""
    rng = random.Random(seed)
    pool = WORD.findall(text)
    return WORD.sub(lambda m: rng.choice(pool).lower() if rng.random() < share else m.group(), text)


def judge(text: str, options: dict[str, Any] | None = None, earlier: tuple[Earlier, ...] = ()) -> Any:
    return fluency.judge(make_doc(text), fluency.Options(**(options or {})), earlier)


# (text, options, broken?)
TABLE: list[tuple[str, dict[str, Any], bool]] = [
    (CLEAN, {}, False),
    (BROKEN, {}, True),
    (spun(CLEAN, 0.25, 1), {}, True),
    (spun(CLEAN, 0.25, 2), {}, True),
    # too short to judge, however broken
    (BROKEN, {"min_words": 1000}, False),
    # the word pairs alone fail it, and so do the word classes alone
    (BROKEN, {"max_surprise": 5.0}, True),
    (BROKEN, {"max_word_surprise": 5.0}, True),
    # lenient limits let it pass
    (BROKEN, {"max_surprise": 5.0, "max_word_surprise": 5.0}, False),
    (BROKEN, {"max_score": 10.0}, False),
    # many findings fail even the clean story, below (test_grammar_share_alone_fails)
]


@pytest.mark.parametrize(("text", "options", "broken"), TABLE)
def test_verdict(text: str, options: dict[str, Any], broken: bool) -> None:
    judgement = judge(text, options)
    assert [h.kind for h in judgement.hits] == (["broken"] if broken else []), judgement.metrics


def test_word_order_surprise() -> None:
    clean, broken = judge(CLEAN).metrics, judge(BROKEN).metrics
    assert clean["fluency_surprise"] < 0.3 < broken["fluency_surprise"]
    assert clean["fluency_score"] < 0.2 < 1.0 <= broken["fluency_score"]  # ordinary text: about what edited news shows
    assert clean["fluency_word_surprise"] < 0.1 < broken["fluency_word_surprise"]
    assert set(clean) == {"fluency_surprise", "fluency_word_surprise", "fluency_grammar_share",
                          "fluency_findings_per_1000_words", "fluency_score"}


# (pair of words, implausible?): classes from the lexicon, counts from general English bigrams.
PAIRS = [
    ("of the", False), ("the company", False), ("could go", False), ("has taken", False),
    ("the spending", False), ("the proposed", False),
    ("the of", True), ("could the", True), ("a is", True), ("of will", True),
]


def tally(text: str) -> Any:
    return fluency._tally(text, fluency._table(), word_counts())


@pytest.mark.parametrize(("pair", "implausible"), PAIRS)
def test_class_pairs(pair: str, implausible: bool) -> None:
    (surprise,) = tally(pair).by_class_pair.values()
    # -ln(lift): 0 for a pair at least as common as chance, 4.6 for one never seen
    assert surprise > 2.0 if implausible else surprise < 0.7


# (pair of words, surprise: None when the counts cannot tell, else implausible?)
WORD_PAIRS: list[tuple[str, bool | None]] = [
    ("of the", False), ("the company", False), ("said the", False), ("council of", False),
    # common words that English does not put together, listed or not
    ("the of", True), ("its on", True), ("the with", True), ("of was", True), ("they the", True),
    # two rarer words: their absence from the list says nothing
    ("ferret zoologist", None), ("broadband auctions", None),
]


@pytest.mark.parametrize(("pair", "implausible"), WORD_PAIRS)
def test_word_pairs(pair: str, implausible: bool | None) -> None:
    scored = tally(pair).by_word_pair
    if implausible is None:
        assert scored == {}
    else:
        (surprise,) = scored.values()
        assert surprise > 2.0 if implausible else surprise < 0.7


def test_breaks_and_names_are_not_pairs() -> None:
    def pairs(text: str) -> tuple[int, int]:
        t = tally(text)
        return len(t.by_class_pair), len(t.by_word_pair)

    assert pairs("the. of") == (0, 0)  # punctuation breaks
    assert pairs("the 12 of") == (0, 0)  # so does a number
    assert pairs("said the BBC of") == (1, 1)  # an acronym is a name
    assert pairs("met Smith of") == (0, 0)  # a capitalised word inside a sentence too
    assert pairs("sold on eBay the") == (1, 1)  # and a camel-cased one anywhere
    assert pairs("the with-profits fund") == (0, 0)  # a hyphenated compound is known to no table
    assert pairs("lied about After the") == (3, 3)  # a function word alone is no name
    assert pairs("the US economy") == (0, 0)  # an acronym is no function word ("us")
    assert pairs("the film Gone With The Wind") == (1, 1)  # but in a title it is: only "the film" is a pair


def test_grammar_findings_count_once_per_text() -> None:
    doc = make_doc(CLEAN)
    start = CLEAN.index("bus network")
    # the same word flagged five times is one problem; five different words are five
    same = tuple(Earlier("grammar", "grammar.spelling", "warning", start, start + 3) for _ in range(5))
    words = [m for m in WORD.finditer(CLEAN)][:5]
    different = tuple(Earlier("grammar", "grammar.spelling", "warning", m.start(), m.end()) for m in words)
    options = fluency.Options()
    one = fluency.judge(doc, options, same).metrics["fluency_findings_per_1000_words"]
    five = fluency.judge(doc, options, different).metrics["fluency_findings_per_1000_words"]
    assert five == pytest.approx(5 * one, rel=0.01) and one > 0


def test_grammar_share_alone_fails() -> None:
    sentences = make_doc(CLEAN).sentences
    earlier = tuple(Earlier("grammar", "grammar.agreement", "warning", s.start, s.end) for s in sentences)
    judgement = judge(CLEAN, {}, earlier)
    assert judgement.metrics["fluency_grammar_share"] == 1.0
    assert [h.kind for h in judgement.hits] == ["broken"]
    assert "grammar problems in 100% of sentences" in judgement.hits[0].message


def test_points_at_the_worst_paragraph() -> None:
    text = CLEAN.replace("Opposition members said they supported", "Opposition the of members of said the they of")
    text = text.replace("from other services", "from the of other of services")
    judgement = judge(text, {"max_score": 0.01})
    hit = judgement.hits[0]
    assert text[hit.start :].startswith("Opposition")


def test_engine_runs_fluency_after_the_other_checks() -> None:
    assert list(registry())[-1] == "fluency" and registry()["fluency"].judge is not None
    engine = Engine(load_rules(bundled_profile("default")))
    report = engine.check(parse(BROKEN, "broken.txt"))
    assert report.verdict == "fail"
    assert [f.rule for f in report.findings if f.check == "fluency"] == ["fluency.broken"]
    assert report.metrics["fluency_surprise"] > 0.3
    clean = engine.check(parse(CLEAN, "clean.txt"))
    assert clean.verdict == "pass" and "fluency_score" in clean.metrics


def test_cli_reports_the_figures(tmp_path: Path) -> None:
    path = tmp_path / "spun.txt"
    path.write_text(BROKEN, encoding="utf-8")
    result = run_cli("check", "--format", "json", str(path))
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)["documents"][0]
    finding = next(f for f in doc["findings"] if f["rule"] == "fluency.broken")
    assert "word-order surprise" in finding["message"] and finding["severity"] == "error"
    assert doc["metrics"]["fluency_surprise"] > 0.3


def test_options_reject_bad_values() -> None:
    with pytest.raises(ValueError):
        fluency.Options(max_surprise=0)
    with pytest.raises(ValueError):
        fluency.Options(min_words=-1)
    with pytest.raises(ValueError):
        fluency.Options(unknown=1)  # type: ignore[call-arg]


def test_shipped_word_table_is_the_generated_one() -> None:
    shipped = resources.files("qualitybot.checks").joinpath("fluency_words.txt.gz").read_bytes()
    assert shipped == build_words(), (
        "regenerate: python -m qualitybot.checks.fluency_table --words qualitybot/checks/fluency_words.txt.gz"
    )


def test_shipped_table_is_the_generated_one() -> None:
    shipped = json.loads(resources.files("qualitybot.checks").joinpath("fluency_transitions.json").read_text("utf-8"))
    assert shipped == build(), "regenerate: python -m qualitybot.checks.fluency_table > qualitybot/checks/fluency_transitions.json"
