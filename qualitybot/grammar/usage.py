"""House rules for usage slips that a fixed context makes certain (part of the house rules).

Each rule fires only in a context where one reading is English and the other is
not, so it needs no tagger, only the word classes of :mod:`.lexicon`:

- ``WordConfusion`` (word-choice): a word written for one that sounds or looks
  alike, in a phrase that settles which is meant: "in principal" (principle),
  "an alter boy" (altar), "the root of the problem" written "route", "bare in
  mind", "sneak peak", "free reign", "more then", "to loose weight". Each entry
  of ``CONFUSIONS`` is a whole phrase, never a word alone.
- ``DoubleNegative`` (syntax): "didn't see nothing", "couldn't hardly"; not
  "it's not nothing" or "can't stand doing nothing".
- ``DeterminerWithoutNoun`` (word-order, an error): an article or a possessive
  determiner right before a word that cannot open a noun phrase: "the of", "a
  for", "its is", "their was", "the and", "the they" (closed classes only:
  prepositions that are never adjectives, finite forms of "be", modals that are
  never nouns, conjunctions, subject pronouns). Edited news has none but real
  slips; one word in ten replaced at random makes them in about half of all
  articles.
- ``ImpossiblePair`` (word-order, an error): two closed-class words that never
  stand side by side: a preposition before "of" ("in of", "for of"; not "out
  of", "instead of", "than of"), a subject pronoun opening a clause before an
  article ("he the", "they a"; not "Is he a...?", "we the people").
- ``DoubledDeterminer`` (syntax): "the a thing", "an a flower"; not "a priori".
- ``NoForNot`` (word-choice): "could no hear", "it is no possible."; not "can no
  longer", "it is no good".
- ``MeasureHyphen`` (punctuation): "a 35 hour week", "a two year old reindeer"
  (35-hour, two-year-old); not "6 foot 2" or "two years old".
- ``MultiplicationSign`` (formatting): "6.6 x 10", "5*2" (×); not "4x4" or "f*ck".
- ``GerundAfter`` (syntax): "enjoy to run", "look forward to see you".
- ``WhoseForWhos`` (word-choice): "who's car" (whose), before a word that can
  only be a noun.
- ``YoureForYour`` (word-choice): "if your using", "your a developer", "your so
  kind" (you're); not "your very own" or "if your thinking is...".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from qualitybot.grammar import Issue, lexicon
from qualitybot.grammar.tokens import CLAUSE_PUNCTUATION, Token, spaced

# (phrase with the wrong word as group "w", the right word). Case-insensitive; the
# replacement takes the written word's capitals.
_SENTENCE_START = r"(?:^|(?<=[.!?:]\s)|(?<=\n)|(?<=[\"“]))"
_POSSESSIVE = r"(?:my|his|her|their|our|your|its|the)"
_CONFUSION_TABLE: tuple[tuple[str, str], ...] = (
    # principle / principal
    (
        _SENTENCE_START + r"(?P<w>in principal)\b(?=,|\s+(?:I|we|you|he|she|it|they|the|this|that|there)\b)",
        "in principle",
    ),
    (r"\b(?:agree[sd]?|agreement|approv(?:e[sd]?|al)|accept(?:s|ed)?)\s+(?P<w>in principal)\b", "in principle"),
    (
        r"\b(?:basic|general|guiding|fundamental|core|moral|democratic|founding|ethical)\s+(?P<w>principals)\b",
        "principles",
    ),
    (
        r"\b(?:against|violates?|violated|betray(?:s|ed)?)\s+(?:all\s+)?(?:"
        + _POSSESSIVE
        + r"\s+)?(?P<w>principals)\b",
        "principles",
    ),
    (
        r"\b(?P<w>principle)\s+(?:investigators?|activity|activities|reason|cause|source|author|dancer|shareholder"
        r"|aim|objective|suspect|component|architect|conductor)\b",
        "principal",
    ),
    (r"\b(?:school|head|assistant|deputy|vice)[\s-](?P<w>principle)\b(?!\s+of\b)", "principal"),
    # altar / alter ("alter" is a noun only in "alter ego")
    (r"\b(?:the|an|this|that|his|her|their|our)\s+(?P<w>alter)\b(?![\s-]+egos?\b)", "altar"),
    (r"\b(?P<w>alter)\s+(?:boys?|girls?|servers?|rails?|cloths?)\b", "altar"),
    # stationery / stationary
    (r"\b(?:office|school|wedding)\s+(?P<w>stationary)\b", "stationery"),
    (r"\b(?P<w>stationary)\s+(?:cupboards?|shops?|stores?|supplies|supplier|items|drawers?|cabinets?)\b", "stationery"),
    (r"\b(?:remain(?:s|ed|ing)?|stay(?:s|ed|ing)?|stood|standing)\s+(?P<w>stationery)\b", "stationary"),
    # one word
    (r"\b(?:an|the|its|their|our|his|her|this|usual)\s+(?P<w>on going)\b", "ongoing"),
    (r"\b(?P<w>Word)\s+War\s+(?:I{1,2}|One|Two|1|2)\b", "World"),
    (
        r"\bthe\s+(?P<w>word's)\s+(?:largest|biggest|best|oldest|tallest|richest|fastest|greatest|highest|leading)\b",
        "world's",
    ),
    (r"\bin\s+(?:any|the)\s+(?P<w>from)\b(?=\s+of\b|\s*[.,;!?])", "form"),
    (r"\b(?:I'm|I’m|am|is|are|was|were)\s+(?P<w>nut)\s+(?:sure|yet|only|going|really|quite|ready)\b", "not"),
    (
        r"\b(?:do not|don't|don’t|doesn't|didn't|cannot|can't|could|would|should|must)\s+(?P<w>us)\s+"
        r"(?:this|these|those|my|your|his|her|our|their|a|an|the)\b",
        "use",
    ),
    (
        r"\b(?:has|have|had|hasn't|haven't|hadn't|'ve|’ve)\s+(?:(?:not|never|just|already|always)\s+)?(?P<w>bee)\s+"
        r"(?=[a-z]+(?:ed|en|ly)\b)",
        "been",
    ),
    (r"\b(?:be|keep|stay|kept|stayed)\s+(?P<w>quite)(?=\s*[.!?,;])", "quiet"),
    (r"\b(?P<w>quiet)\s+a\s+(?:few|bit|while|number|list)\b", "quite"),
    (r"\b(?:consolation|booby|Nobel)\s+(?P<w>price)\b", "prize"),
    (r"\b(?:consolation|booby|Nobel)\s+(?P<w>prices)\b", "prizes"),
    (
        r"\b(?P<w>route)\s+(?:of\s+(?:the|this|that|these|our|all|their|many)\s+(?:problems?|issues?|matter|crisis"
        r"|trouble|conflict|evil)\b|causes?\b)",
        "root",
    ),
    (
        r"\b(?P<w>routes)\s+of\s+(?:the|this|that|these|our|all|their|many)\s+(?:problems?|issues?|matter|crisis"
        r"|trouble|conflict|evil)\b",
        "roots",
    ),
    (r"\bon\s+the\s+(?P<w>lose)\b", "loose"),
    (
        r"\b(?:broke|break|breaks|breaking|knocked|shook|tore|came|come|comes)\s+(?P<w>lose)\b"
        r"(?=\s*(?:[.,;!?]|from\b|$))",
        "loose",
    ),
    (
        r"\b(?:to|will|would|could|might|cannot|can't|don't|didn't|not)\s+(?P<w>loose)\s+(?:weight|their|his|her|my"
        r"|your|our|money|control|hope|sight|track|touch|interest|faith|power|heart)\b",
        "lose",
    ),
    (r"\b(?:switched|turned)\s+(?P<w>of)\b(?=\s*(?:[.,;!?]|$))", "off"),
    (
        r"\b(?:any|some|my|your|his|her|their|our|expert|legal|medical|financial|professional|for|of|give|gave"
        r"|giving|gives|seek|sought|seeking|following)\s+(?:(?:me|us|him|her|them|you)\s+)?(?P<w>advise)\b",
        "advice",
    ),
    (r"\b(?:a|the|our|their|his|her|your|my|any|formal|official|biggest|main|common)\s+(?P<w>complain)\b", "complaint"),
    (r"\b(?:of|formal|official|there\s+are|there\s+were)\s+(?P<w>complains)\b", "complaints"),
    (r"\bof\s+(?P<w>coarse)(?=\s*[,.!?])", "course"),
    (_SENTENCE_START + r"(?P<w>of coarse)\b", "of course"),
    (r"\b(?:golf|race|obstacle|assault|crash|training)\s+(?P<w>coarse)\b", "course"),
    (r"\b(?P<w>coarse)\s+of\s+action\b", "course"),
    # idioms with a sound-alike
    (r"\b(?P<w>bare)\s+(?:in\s+mind|with\s+(?:me|us))\b", "bear"),
    (r"\bsneak\s+(?P<w>peaks?)\b", "peek"),
    (r"\b(?P<w>peaked|peeked)\s+(?:my|his|her|their|our|your)\s+(?:interest|curiosity)\b", "piqued"),
    (r"\bfree\s+(?P<w>reign)\b", "rein"),
    (r"\b(?P<w>baited)\s+breath\b", "bated"),
    (r"\b(?P<w>tow)\s+the\s+(?:party\s+)?line\b", "toe"),
    (r"\bper\s+(?P<w>say)\b(?=\s*[,.;!?])", "se"),
    (r"\b(?P<w>deep-seeded)\b", "deep-seated"),
    (r"\b(?P<w>wreck)\s+havoc\b", "wreak"),
    (r"\b(?P<w>statue)\s+of\s+limitations?\b", "statute"),
    (r"\b(?P<w>lightening)\s+(?:strikes?|bolts?|storms?|struck)\b", "lightning"),
    (r"\b(?:to|can't|cannot|couldn't|could)\s+(?P<w>breath)\b(?!\s+(?:of|test))", "breathe"),
    (r"\b(?P<w>weather)\s+or\s+not\b", "whether"),
    (r"\b(?:the|my|his|her|their|its)\s+(?P<w>breaks)\b(?=\s*[.,;!?])", "brakes"),
    (r"\b(?:slammed|slams|slam|hit|hits|hitting|slamming)\s+on\s+the\s+(?P<w>breaks)\b", "brakes"),
    (r"\bout\s+of\s+(?P<w>site)\b", "sight"),
    (r"\b(?:n't|not|never)\s+(?P<w>phased?)\s+(?:him|her|them|me|us)\b", "faze"),
    (r"\b(?:much|highly|most)[\s-](?P<w>sort)[\s-]after\b", "sought"),
    (r"\bcase\s+(?P<w>and)\s+point\b", "in"),
    (r"\bnip\s+(?:it|this|that)\s+in\s+the\s+(?P<w>butt)\b", "bud"),
    (r"\b(?P<w>shoe-in)\b", "shoo-in"),
    (
        r"\b(?:more|less|better|worse|rather|other|greater|fewer|larger|smaller|higher|lower|bigger|faster|older"
        r"|younger)\s+(?P<w>then)\b(?!\s*,)",
        "than",
    ),
    (
        r"\b(?:an|no|any|positive|negative|significant|adverse|profound|lasting|knock-on)\s+(?P<w>affects?)\s+on\b",
        "effect",
    ),
)
CONFUSIONS = tuple((re.compile(p, re.IGNORECASE), right) for p, right in _CONFUSION_TABLE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _match_case(written: str, right: str) -> str:
    if written.isupper() and len(written) > 1:
        return right.upper()
    if written[:1].isupper():
        return right[:1].upper() + right[1:]
    return right


def word_confusion(text: str, toks: list[Token]) -> Iterator[Issue]:
    for pattern, right in CONFUSIONS:
        for m in pattern.finditer(text):
            written = m.group("w")
            if written.isupper() and len(written) > 1:
                continue  # a heading or an acronym in capitals
            fix = _match_case(written, right)
            yield Issue(
                m.start("w"), m.end("w"), "word-choice", f"'{written}' here should be '{fix}'", "WordConfusion", (fix,)
            )


# --- token rules -----------------------------------------------------------------

_CLAUSE_BREAK = CLAUSE_PUNCTUATION


_NEGATORS = _words("not never")
_SECOND_NEGATIVES = _words("nothing nobody nowhere hardly scarcely")
_COPULAS = _words("is isn't was wasn't are aren't were weren't be been 's")


def _negator(word: str) -> bool:
    return word in _NEGATORS or word.endswith(("n't", "n’t")) or word == "nobody"


def double_negative(text: str, toks: list[Token]) -> Iterator[Issue]:
    words = lexicon.classes()
    for i, token in enumerate(toks):
        tok = token.text
        if not _negator(tok.lower()):
            continue
        for j in range(i + 1, min(i + 5, len(toks))):
            word = toks[j].text.lower()
            if not spaced(text, toks, j) or word in CLAUSE_PUNCTUATION:
                break
            if word not in _SECOND_NEGATIVES:
                if word in ("to", "for") or word.endswith("ing"):
                    break  # "can't stand doing nothing", "don't want to do nothing"
                continue
            if word in ("nobody", "nothing") and j + 1 < len(toks) and spaced(text, toks, j + 1):
                following = toks[j + 1].lower
                if words.is_verb(following) and following not in words.adjective:
                    break  # "can't believe nobody came": the negative opens a clause of its own
            between = [t.lower for t in toks[i + 1 : j]]
            copula = tok.lower() in _COPULAS or (i > 0 and toks[i - 1].text.lower() in _COPULAS)
            there = i > 0 and toks[i - 1].text.lower() == "there"
            if not between and (tok.lower() == "not" or copula) and not (copula and there):
                break  # "it's not nothing", "it wasn't nothing" (litotes); "there wasn't nobody" is the slip
            yield Issue(
                toks[j].start,
                toks[j].end,
                "syntax",
                f"Double negative: '{toks[i].text} ... {toks[j].text}'",
                "DoubleNegative",
            )
            break


# Determiners that are never pronouns ("his is", "her for", "this is" are English), and
# words that can never follow one: prepositions that are never adjectives or nouns ("the in
# crowd", "the off switch" are left out), finite "be", modals that are never nouns.
_PURE_DETERMINERS = _words("the a an my your our their its every")
_NEVER_AFTER_DETERMINER = _words(
    """of for from with at by into onto upon among during without within than
    is are was were should would could shall
    and or but nor if because although whether to he she they we him"""
)


_BE_FORMS = _words("is are was were")


def determiner_without_noun(text: str, toks: list[Token]) -> Iterator[Issue]:
    for i in range(len(toks) - 1):
        first, second = toks[i].text, toks[i + 1].text
        if first.lower() not in _PURE_DETERMINERS or second not in _NEVER_AFTER_DETERMINER:
            continue
        # One space or line break exactly: masked markup (code, links) leaves runs of spaces.
        if text[toks[i].end : toks[i + 1].start] not in (" ", "\n") or (not first[1:].islower() and len(first) > 1):
            continue
        if i + 2 < len(toks) and toks[i + 2].start == toks[i + 1].end and toks[i + 2].text in "-'’":
            continue  # "the by-election", "a would-be buyer"
        if first == "A" or (first == "a" and (second in _BE_FORMS or second == "to")):
            continue  # "Route A from", "Universities A and B", "from a to z": a letter as a label
        yield Issue(toks[i].start, toks[i + 1].end, "word-order",
                    f"'{first} {second}': a determiner needs a noun after it", "DeterminerWithoutNoun")


# Prepositions that never stand before "of" ("out of", "instead of", "than of" do).
_NEVER_BEFORE_OF = _words("in for with to at by from into onto upon during without within among")
_SUBJECTS = _words("he she they")
_ARTICLES = _words("the a an")
# After these a clause (and so a subject) starts: "Is he a...?" has the verb first.
_CLAUSE_OPENERS_BEFORE_SUBJECT = _words("and but so because when if that while although though")


def impossible_pair(text: str, toks: list[Token]) -> Iterator[Issue]:
    for i in range(len(toks) - 1):
        first, second = toks[i], toks[i + 1]
        if text[first.end : second.start] != " ":
            continue
        if i + 2 < len(toks) and toks[i + 2].start == second.end and toks[i + 2].text in "-'’":
            continue  # "in of-course cases" is no pair of words
        before = toks[i - 1].text if i > 0 else "."
        opens = before in CLAUSE_PUNCTUATION or before.lower() in _CLAUSE_OPENERS_BEFORE_SUBJECT
        if (first.lower in _NEVER_BEFORE_OF and second.text == "of") or (
            first.lower in _SUBJECTS and second.text in _ARTICLES and opens
        ):
            yield Issue(first.start, second.end, "word-order",
                        f"'{first.text} {second.text}' is no English word order", "ImpossiblePair")


_DETERMINERS_FIRST = _words("the a an")
_DETERMINERS_SECOND = _words("a an the this these those")
_LATIN_AFTER_A = _words("priori posteriori fortiori cappella capella la propos")


def doubled_determiner(text: str, toks: list[Token]) -> Iterator[Issue]:
    for i in range(len(toks) - 2):
        first, second, after = toks[i].text, toks[i + 1].text, toks[i + 2].text
        if first.lower() not in _DETERMINERS_FIRST or second not in _DETERMINERS_SECOND:
            continue
        if not spaced(text, toks, i + 1) or (not first[1:].islower() and len(first) > 1):
            continue
        if after == "." or after.lower() in _LATIN_AFTER_A or first.lower() == second:
            continue  # "the a.m. flight", "a priori"; "the the" is a repeated word (another rule)
        yield Issue(
            toks[i].start,
            toks[i + 1].end,
            "syntax",
            f"Two determiners in a row: '{first} {second}'",
            "DoubledDeterminer",
            (first, second),
        )


_AUX_BEFORE_NO = _words("could would should can will must might may does did do")
_NO_IDIOMS = _words("good different use wonder worse less more fewer longer better")


def no_for_not(text: str, toks: list[Token]) -> Iterator[Issue]:
    words = lexicon.classes()
    for i in range(1, len(toks) - 1):
        if toks[i].text != "no" or not spaced(text, toks, i) or not spaced(text, toks, i + 1):
            continue
        before, word = toks[i - 1].text.lower(), toks[i + 1].text
        if not word.islower():
            continue
        after = toks[i + 2].text if i + 2 < len(toks) else "."
        verb_only = (
            word in words.verb_base
            and word not in words.noun
            and word not in words.adjective
            and word not in words.adverb
        )
        adjective_only = (
            word in words.adjective
            and word not in words.noun
            and not words.is_verb(word)
            and not word.endswith("er")
            and word not in _NO_IDIOMS
        )
        if (before in _AUX_BEFORE_NO and verb_only) or (
            before in ("is", "was", "it's", "it’s") and adjective_only and (after in _CLAUSE_BREAK or after == "to")
        ):
            yield Issue(
                toks[i].start,
                toks[i].end,
                "word-choice",
                f"'no {word}': did you mean 'not {word}'?",
                "NoForNot",
                ("not",),
            )


_UNITS = _words(
    """year month week day hour minute metre meter mile foot inch yard kilometre kilometer
    kilogram litre liter page storey seat bedroom point game match man"""
)
_NUMBER_WORDS = _words(
    """two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred"""
)
_AFTER_MEASURE = _words(
    """of and or to in on at for ago later earlier before after long tall high wide deep away early
    late from per each a an the old apart off out since into by"""
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _is_number(word: str) -> bool:
    if _NUMBER.fullmatch(word):
        return float(word) != 1
    return word.lower() in _NUMBER_WORDS or (
        "-" in word and all(part.lower() in _NUMBER_WORDS for part in word.split("-"))
    )


def measure_hyphen(text: str, toks: list[Token]) -> Iterator[Issue]:
    words = lexicon.classes()
    for i in range(len(toks) - 2):
        number, unit = toks[i].text, toks[i + 1].text
        if "-" in unit or not spaced(text, toks, i + 2):
            continue
        compound = number.count("-") == 1 and number.split("-")[1] in _UNITS and _is_number(number.split("-")[0])
        if compound:
            # "a two-year old reindeer": the second hyphen is missing
            if unit != "old" or i + 2 >= len(toks) or toks[i + 2].text.lower() not in words.noun:
                continue
            yield _hyphen_issue(toks[i].start, toks[i + 1].end, f"{number} old", f"{number}-old")
            continue
        if unit not in _UNITS or not _is_number(number) or toks[i + 1].start != toks[i].end + 1:
            continue
        after = toks[i + 2].text
        if after == "old":
            following = toks[i + 3].text if i + 3 < len(toks) else ""
            if i + 3 < len(toks) and spaced(text, toks, i + 3) and following.islower() and following in words.noun:
                yield _hyphen_issue(toks[i].start, toks[i + 2].end, f"{number} {unit} old", f"{number}-{unit}-old")
            continue
        if not after.islower() or after in _AFTER_MEASURE or (after not in words.noun and after not in words.adjective):
            continue
        yield _hyphen_issue(toks[i].start, toks[i + 1].end, f"{number} {unit}", f"{number}-{unit}")


def _hyphen_issue(start: int, end: int, written: str, fix: str) -> Issue:
    message = f"'{written}' before a noun is hyphenated: '{fix}'"
    return Issue(start, end, "punctuation", message, "MeasureHyphen", (fix,))


_MULTIPLICATION = re.compile(
    r"(?<![\w.,*])\d[\d.,]*(?:\s(?P<x>x)\s(?=\d)|(?P<x2>x)(?=10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]))"
    r"|(?<![\w*])(?:\d[\d.,]*[a-z]?|[a-z])\s?(?P<star>\*)\s?(?=(?:\d|[a-z](?![\w*])))"
)


def multiplication_sign(text: str, toks: list[Token]) -> Iterator[Issue]:
    for m in _MULTIPLICATION.finditer(text):
        group = next(g for g in ("x", "x2", "star") if m.group(g) is not None)
        yield Issue(
            m.start(group), m.end(group), "formatting", "Multiplication is written '×'", "MultiplicationSign", ("×",)
        )


_ENJOY = _words("enjoy enjoys enjoyed enjoying accustomed")
_LOOK = _words("look looks looked looking")
_SEE_VERBS = _words("see meet hear speak")


def gerund_after(text: str, toks: list[Token]) -> Iterator[Issue]:
    words = lexicon.classes()
    for i in range(len(toks) - 2):
        word = toks[i].text.lower()
        if word in _ENJOY:
            to = i + 1
        elif word in _LOOK and toks[i + 1].text.lower() == "forward" and i + 3 < len(toks):
            to = i + 2
        else:
            continue
        if toks[to].text.lower() != "to" or to + 1 >= len(toks) or not spaced(text, toks, to + 1):
            continue
        verb = toks[to + 1].text
        base_only = verb in words.verb_base and verb not in words.noun and verb not in words.adjective
        # "enjoy to" takes no noun; "accustomed to change", "look forward to work" can
        enjoy = word.startswith("enjoy") and verb in words.verb_base
        if verb.islower() and (base_only or enjoy or verb in _SEE_VERBS):
            yield Issue(
                toks[to + 1].start,
                toks[to + 1].end,
                "syntax",
                f"After '{toks[i].text} to' the verb takes its -ing form",
                "GerundAfter",
            )


_RELATIONS = _words("friends pals mates partners neighbours neighbors enemies rivals allies colleagues")


def whose_for_whos(text: str, toks: list[Token]) -> Iterator[Issue]:
    words = lexicon.classes()
    for i in range(len(toks) - 1):
        if toks[i].text.lower() not in ("who's", "who’s") or not spaced(text, toks, i + 1):
            continue
        noun = toks[i + 1].text
        # A plural noun ("who's standards"): the lexicon lists some adjectives as nouns ("responsible").
        if (
            noun.islower()
            and noun in words.noun_plural
            and noun not in words.verb_s
            and noun not in words.adjective
            and noun not in _RELATIONS
        ):
            yield Issue(
                toks[i].start,
                toks[i].end,
                "word-choice",
                f"'{toks[i].text} {noun}': the possessive is 'whose'",
                "WhoseForWhos",
                (_match_case(toks[i].text, "whose"),),
            )


_YOURE_NEXT = _words("a an the so too not gonna")
_CLAUSE_OPENERS = _words("if when because as that since while although unless once")


def youre_for_your(text: str, toks: list[Token]) -> Iterator[Issue]:
    words = lexicon.classes()
    for i in range(len(toks) - 1):
        if toks[i].text.lower() != "your" or not spaced(text, toks, i + 1):
            continue
        nxt = toks[i + 1].text
        after = toks[i + 2].text.lower() if i + 2 < len(toks) else "."
        wrong = nxt in _YOURE_NEXT
        if not wrong and nxt.endswith("ing") and nxt in words.verb_ing and i > 0:
            # "if your using": the -ing word runs on to an object, not to a verb of its own
            opener = toks[i - 1].text.lower() in _CLAUSE_OPENERS
            wrong = (
                opener and after not in _CLAUSE_BREAK and not words.is_verb(after) and after not in ("skills", "habits")
            )
        if wrong:
            fix = _match_case(toks[i].text, "you're")
            yield Issue(
                toks[i].start,
                toks[i].end,
                "word-choice",
                f"'{toks[i].text} {nxt}': did you mean '{fix}'?",
                "YoureForYour",
                (fix,),
            )


#: Each rule by name; every one reads the text and its tokens.
RULE_FUNCTIONS: dict[str, Callable[[str, list[Token]], Iterator[Issue]]] = {
    "WordConfusion": word_confusion,
    "DoubleNegative": double_negative,
    "DeterminerWithoutNoun": determiner_without_noun,
    "ImpossiblePair": impossible_pair,
    "DoubledDeterminer": doubled_determiner,
    "NoForNot": no_for_not,
    "MeasureHyphen": measure_hyphen,
    "MultiplicationSign": multiplication_sign,
    "GerundAfter": gerund_after,
    "WhoseForWhos": whose_for_whos,
    "YoureForYour": youre_for_your,
}
RULES = tuple(RULE_FUNCTIONS)
