"""The usage house rules (qualitybot/grammar/usage.py and the its/it's, question and "there is"
rules of house_rules.py): what they flag, and whole word classes they must leave alone.

The must-not-flag tables are generated from the lexicon (every collective noun in a
question, adjectives after "who's", nouns after "its very"...), not from articles.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from qualitybot.grammar import house_rules, lexicon, usage

WORDS = lexicon.classes()


def every(items: Iterable[str], n: int) -> list[str]:
    ordered = sorted(items)
    return ordered[:: max(1, len(ordered) // n)]


def hits(sentence: str) -> list[tuple[str, str]]:
    """(rule, flagged words) of every house rule finding on one sentence."""
    return [(i.rule, sentence[i.start : i.end]) for i in house_rules.check(sentence)]


def assert_left_alone(sentences: Iterable[str], rules: Iterable[str]) -> None:
    wanted = set(rules)
    wrong = {s: found for s in sentences if (found := [h for h in hits(s) if h[0] in wanted])}
    assert not wrong, f"{len(wrong)} correct sentences flagged, e.g. {list(wrong.items())[:5]}"


FLAGGED = [
    ("In principal I don't think it will be difficult.", "WordConfusion", "In principal"),
    ("They agreed in principal to the deal.", "WordConfusion", "in principal"),
    ("He was an alter boy.", "WordConfusion", "alter"),
    ("They danced around the alter.", "WordConfusion", "alter"),
    ("There is an on going investigation.", "WordConfusion", "on going"),
    ("He served during Word War II.", "WordConfusion", "Word"),
    ("Bare in mind that it is late.", "WordConfusion", "Bare"),
    ("It gave them free reign.", "WordConfusion", "reign"),
    ("It is more then enough.", "WordConfusion", "then"),
    ("He wants to loose weight.", "WordConfusion", "loose"),
    ("The route cause is unknown.", "WordConfusion", "route"),
    ("Please give me advise on this.", "WordConfusion", "advise"),
    ("I didn't notice nothing wrong.", "DoubleNegative", "nothing"),
    ("There wasn't nobody in the office.", "DoubleNegative", "nobody"),
    ("She couldn't hardly understand a word.", "DoubleNegative", "hardly"),
    ("Given this, its is not clear.", "DeterminerWithoutNoun", "its is"),
    ("Officials said the of plan was late.", "DeterminerWithoutNoun", "the of"),
    ("Their was a queue.", "DeterminerWithoutNoun", "Their was"),
    ("It could fly, the we need not worry.", "DeterminerWithoutNoun", "the we"),
    ("Officials said the plan in of the city was late.", "ImpossiblePair", "in of"),
    ("The firm grew. He the chairman said so.", "ImpossiblePair", "He the"),
    ("The a thing is this.", "DoubledDeterminer", "The a"),
    ("This is an a flower.", "DoubledDeterminer", "an a"),
    ("She could no hear you.", "NoForNot", "no"),
    ("France has a 35 hour working week.", "MeasureHyphen", "35 hour"),
    ("Rudolph is a two year old reindeer.", "MeasureHyphen", "two year old"),
    ("Rudolph is a two-year old reindeer.", "MeasureHyphen", "two-year old"),
    ("h = 6.626 x 10 J.s", "MultiplicationSign", "x"),
    ("c = 2,998x10⁸ m/s", "MultiplicationSign", "x"),
    ("5*2 = 10", "MultiplicationSign", "*"),
    ("I enjoy to run.", "GerundAfter", "run"),
    ("I look forward to see you.", "GerundAfter", "see"),
    ("By who's standards?", "WhoseForWhos", "who's"),
    ("Let's see if your using multiple servers.", "YoureForYour", "your"),
    ("Your so annoying!", "YoureForYour", "Your"),
    ("For all it's perfection, I did not like it.", "ItsConfusion", "it's"),
    ("What are it's benefits?", "ItsConfusion", "it's"),
    ("New Robot Reproduces On It's Own.", "ItsConfusion", "It's"),
    ("Its difficult to study physics.", "ItsConfusion", "Its"),
    ("Its removing the errors.", "ItsConfusion", "Its"),
    ("Sorry, but its too late.", "ItsConfusion", "its"),
    ("The firm said its going to close.", "ItsConfusion", "its"),
    ("Do your father live in England?", "QuestionAgreement", "Do"),
    ("Have she bought a ticket?", "QuestionAgreement", "Have"),
    ("Where have the man been?", "QuestionAgreement", "have"),
    ("Did the application worked?", "AuxiliaryVerbForm", "worked"),
    ("There is 5 men sitting in the room.", "ThereIsPlural", "There is 5 men"),
]


@pytest.mark.parametrize(("sentence", "rule", "words"), FLAGGED)
def test_flagged(sentence: str, rule: str, words: str) -> None:
    assert (rule, words) in hits(sentence)


LEFT_ALONE = [
    "In principal payments, the bank lost money.",
    "The principal investigator resigned.",
    "The agents reported to their principals.",
    "His alter ego is a superhero; their alter egos differ.",
    "They alter the plan.",
    "He kept on going until dawn, and carried on going.",
    "On going home, he fell asleep.",
    "It was not us the fans blamed.",
    "We have bee hives in the garden.",
    "Not quite! It was quite a few years ago.",
    "Children who are quiet a lot of the time go unnoticed.",
    "The route of the march was changed.",
    "At the turn of the century.",
    "I advise you to go.",
    "Many complain that the trains are late.",
    "It is made of coarse wool.",
    "It's not nothing. It wasn't nothing.",
    "I can't stand doing nothing.",
    "He did not want to do nothing.",
    "It is not for nothing that he won.",
    "I can't believe nobody came to your party.",
    "Those who possess nothing lose nothing.",
    "It was never done before. If nothing else, it is new.",
    "A priori arguments fail. The a.m. flight was late.",
    "She can no longer play. It is no good. It is no different. It's no small feat.",
    "He is two years old and 6 foot 2; she is six foot tall.",
    "The 35-hour week ended. The 100m sprint is today.",
    "The 25 member states and 19 member countries met.",
    "A 4x4 vehicle crashed in the 3x3 tournament.",
    'He said "f*ck off" and "s**t".',
    "I look forward to seeing you. I enjoy running.",
    "Who's there? Who's next? Who's responsible? Who's friends with him?",
    "Your very own copy. If your thinking is muddled, stop. Your cooking skills are great.",
    "He is more than happy. It took three days, then more. Earlier, then, he left.",
    "The war threatens its very existence. Its very own studio opened.",
    "That's all it's good for. That's all it's worth. All in all it's good.",
    "The point is it's too late. It's time to go.",
    "Its better-known rival fell. Its going rate is high. Its growing army of fans cheered.",
    "From its too short shirt to his eyes.",
    "Do the police know? Have the government decided? Do the sheep graze here?",
    "Have it done by Friday? Do the math teachers agree? Does the man like you?",
    "Did a man called John phone? Did the man accused of theft appear?",
    "There's 20 minutes left. There is ten years' worth of data.",
    "What little spending there is stems from savings.",
    "She recommended he walk to the building.",
]


def test_left_alone() -> None:
    assert_left_alone(LEFT_ALONE, house_rules.RULES)


COLLECTIVE_AND_PLURAL = sorted(house_rules._COLLECTIVE) + every(
    (w for w in WORDS.noun_plural if w.isalpha() and w.endswith("s")), 200
)


def test_determiners_before_nouns_adjectives_and_compounds() -> None:
    """A determiner before any noun or adjective, or a hyphenated compound ("the by-election",
    "a would-be buyer"), and the pronouns that look like determiners ("his is", "this is")."""
    words = every((w for w in WORDS.noun_lemma | WORDS.adjective if w.isalpha()), 400)
    sentences = [f"{d} {w} was there." for d in ("The", "A", "Its", "Their") for w in words]
    sentences += ["The by-election and a would-be buyer.", "His is bigger. This is it. Her for ever."]
    sentences += ["Use the `code` of it.", "The Of Mice and Men tour.", "A is for apple.", "From a to z."]
    sentences += ["We recommend Route A from Penrith.", "Universities A and B are old.", "Series A from 2012."]
    sentences += ["The to-do list grew.", "The not-so-secret plan.", "The royal we.", "No ifs and buts."]
    assert_left_alone(sentences, ["DeterminerWithoutNoun"])


def test_pairs_that_english_has() -> None:
    """ "out of", "instead of for", "than of", "Is he a member?", "we the people", and every
    preposition before a noun."""
    sentences = ["Out of reach.", "It closed instead of for two days.", "More of this than of that."]
    sentences += ["Is he a member?", "Was she the winner?", "We the people.", "Neither he nor the firm knew."]
    sentences += [f"He spoke {p} the council." for p in sorted(usage._NEVER_BEFORE_OF)]
    sentences += ["What they are made of into the sea.", "Nothing to be afraid of in this case."]
    assert_left_alone(sentences, ["ImpossiblePair"])


def test_questions_with_collective_or_plural_subjects() -> None:
    """ "Have the government decided?" is British English; "Do the players agree?" is plural."""
    sentences = [f"Have the {noun} decided?" for noun in COLLECTIVE_AND_PLURAL]
    sentences += [f"Do the {noun} agree?" for noun in COLLECTIVE_AND_PLURAL]
    assert_left_alone(sentences, ["QuestionAgreement"])


def test_whos_before_adjectives_and_verbs() -> None:
    """ "Who's responsible?", "Who's coming?": "who is" before every adjective and -ing verb."""
    adjectives = every((w for w in WORDS.adjective if w.isalpha()), 300)
    ings = every((w for w in WORDS.verb_ing if w.isalpha()), 200)
    assert_left_alone([f"Who's {w} here?" for w in adjectives + ings], ["WhoseForWhos"])


def test_its_very_and_its_adjective_before_nouns() -> None:
    """ "its very existence", "its new chief said": the possessive before a noun phrase."""
    nouns = every((w for w in WORDS.noun_lemma if w.isalpha()), 300)
    adjectives = every((w for w in WORDS.adjective if w.isalpha()), 150)
    sentences = [f"It threatens its very {noun}." for noun in nouns]
    sentences += [f"Its {adjective} chief said so." for adjective in adjectives]
    assert_left_alone(sentences, ["ItsConfusion"])


def test_no_before_nouns() -> None:
    """ "It is no secret.", "There could be no doubt": "no" before a noun is a determiner."""
    nouns = every((w for w in WORDS.noun_lemma if w.isalpha()), 300)
    sentences = [f"It is no {noun}." for noun in nouns] + [f"There could no {n} be found." for n in nouns[:100]]
    assert_left_alone(sentences, ["NoForNot"])


def test_measures_used_as_predicates_or_plurals() -> None:
    """ "two years old", "It lasted 35 hours", "in 5 minutes": only a singular unit before a noun is flagged."""
    units = sorted(usage._UNITS)
    sentences = [f"It was {n} {unit}s old and lasted {n} {unit}s." for unit in units for n in ("2", "35", "two")]
    sentences += [f"The {unit} of 2 {unit}s was fine." for unit in units]
    assert_left_alone(sentences, ["MeasureHyphen"])


def test_your_before_nouns() -> None:
    """ "if your plan is", "if your cooking is good": the possessive before a noun or a gerund subject."""
    nouns = every((w for w in WORDS.noun_lemma if w.isalpha()), 200)
    ings = every((w for w in WORDS.verb_ing if w.isalpha()), 200)
    sentences = [f"If your {w} is good, we win." for w in nouns + ings]
    assert_left_alone(sentences, ["YoureForYour"])


def test_every_usage_rule_can_be_turned_off() -> None:
    sentence = "In principal I didn't see nothing; the a thing could no hear a 35 hour week."
    assert {h for h, _ in hits(sentence)} & set(usage.RULES)
    assert not [i for i in house_rules.check(sentence, frozenset(usage.RULES)) if i.rule in usage.RULES]
