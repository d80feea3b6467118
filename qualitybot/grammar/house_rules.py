"""Precise rules of our own for errors Harper misses and a news editor cares about.

Each rule is precise by construction: it fires only where the word classes of
:mod:`qualitybot.grammar.lexicon` (every inflected form of 40,000 English
lemmas) leave no correct reading, and ``tests/test_grammar_house_rules.py``
runs each over tables generated from that lexicon (every irregular past tense,
every plural noun...) that it must not flag. Each was then measured on edited
news (``benchmarks/grammar.py``).

- ``CoordinatedRepetition`` (repetition): the same lower-case word on both
  sides of *or* ("chemical or chemical weapons"), not "may or may not".
- ``ThirdPersonBaseVerb`` (agreement): *he*, *she* or *it*, perhaps an adverb,
  then a bare verb that needs its -s form ("she go", "he always walk").
- ``PluralSubjectVerb`` (agreement): a plural noun that opens a clause, then
  *has*, *is*, *was* or *does* ("Officials has not given details").
- ``NonThirdPersonS`` (agreement): *I*, *you*, *we*, *they*, an adverb, then an
  -s verb ("They always works here").
- ``AuxiliaryVerbForm`` (verb-form): a form that cannot follow a modal, *do*,
  *have* or infinitive *to*: "could went", "can been", "did went", "doesn't
  needs", "has took", "to gave".
- ``StrayFullStop`` (sentence-break): a full stop inside a sentence, before a
  lower-case word ("we are looking at this. very well."); abbreviations
  ("etc.", "vs.", "a.m.") are left alone.
- ``TimeFragment`` (fragment): a time phrase standing alone as a sentence
  after another ("... in November. Last year."), the mark of spun text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from qualitybot.grammar import Issue, lexicon, usage
from qualitybot.grammar.tokens import ABBREVIATIONS, CLAUSE_PUNCTUATION, Token, is_abbreviation, tokens

# A house finding replaces the engine's findings of these rules on the same words.
SUPERSEDES = {
    "StrayFullStop": frozenset({"SentenceCapitalization"}),
    "AuxiliaryVerbForm": frozenset({"SimplePastToPastParticiple", "DidPast"}),
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Lower case only: "Outlook or Outlook Express" names two products.
_COORDINATED = re.compile(r"\b([a-z][a-z'-]+)\s+(or)\s+(\1)\b(?!\s+not\b|n't)")
# "will or will not", "is or is not": an auxiliary offered both ways is an idiom.
_AUXILIARIES = _words("may might can could will would shall should must do does did is are was were has have had")


def coordinated_repetition(text: str) -> Iterator[Issue]:
    for m in _COORDINATED.finditer(text):
        if m.group(1) in _AUXILIARIES:
            continue
        yield Issue(
            m.start(),
            m.end(),
            "repetition",
            f"'{m.group(1)}' is repeated on both sides of '{m.group(2)}': "
            "one of them is probably a different word",
            "CoordinatedRepetition",
        )


# Verbs whose bare form after he/she/it is an error: common, and with a past tense
# that differs from the base form ("it hit the headlines" is past tense).
_BASE_VERBS = _words(
    """have do go say seem make want need know think take come give look find
    tell ask feel try leave call keep begin show hear play run believe bring
    happen write provide sit stand lose pay meet include continue learn change
    lead understand speak spend grow open walk win offer remember love consider
    appear buy wait serve die send expect build stay fall reach kill remain
    suggest raise pass sell require decide return explain hope develop carry
    break receive agree support produce eat cover catch draw choose cause
    seek argue admit insist plan claim deny"""
)
# Words before the pronoun that make a bare verb correct: questions and inversion
# ("did he go"), causatives and perception ("let it go", "saw her go"),
# subjunctive ("insisted that he go"), infinitive markers.
_GOVERNORS = _words(
    """do does did don't doesn't didn't will would can could should shall may
    might must won't wouldn't can't couldn't shouldn't mustn't let lets make
    makes made making help helps helped helping see sees saw seen watch watched
    hear heard have has had having that lest whether unless if to why how where
    when what rather bid recommend recommends recommended insist insists insisted suggest
    suggests suggested demand demands demanded require requires required propose proposes
    proposed urge urges urged request requests requested"""
)
# Adverbs that may stand between a subject or auxiliary and its verb.
_ADVERBS = _words(
    """not never always also still just only really already ever often usually
    sometimes rarely seldom even then now soon probably certainly surely
    actually simply definitely clearly generally normally typically frequently
    all both each once"""
)
# Words after which a clause (and so a subject) starts.
_CLAUSE_OPENERS = _words(
    """and but so because when if as after before since while although though
    then once until unless where whereas yet or"""
)
_SUBJECT_PRONOUNS = _words("i you we they he she it")
_MODALS = _words(
    """can could will would shall should may might must cannot can't couldn't
    won't wouldn't shouldn't mustn't mightn't shan't"""
)
# Modals that are also nouns ("his will", "a can", "with all his might", "a must").
_NOUN_MODALS = _words("will can may might must")
# A plural subject after "and" or "or" ends a coordination ("storms and earthquakes"), after
# "as" a comparison ("Cuyo as well as the other communities is").
_SUBJECT_OPENERS = (_CLAUSE_OPENERS - {"and", "or", "as"}) | {"that"}
_DETERMINERS = _words(
    """a an the his her its their our your my this that these those whose
    free own political popular last good ill general no every any some"""
)
_DO = _words("do does did")
_DO_NEGATED = _words("don't doesn't didn't don’t doesn’t didn’t")
_HAVE = _words("have has had")
# Objects after which an infinitive's verb may be in the past ("to renamed the project").
_OBJECT_STARTS = _words("the a an his her him them me us it this that their our my your its these those")


def _clause_start(toks: list[Token], i: int, openers: frozenset[str] = _CLAUSE_OPENERS) -> bool:
    """Whether a clause starts at token ``i`` (sentence start, punctuation, a conjunction)."""
    if i == 0 or toks[i - 1].text in CLAUSE_PUNCTUATION:
        return True
    if not toks[i].joined:
        return toks[i - 1].text[:1].isalnum()  # a paragraph break
    return toks[i - 1].lower in openers


def _has_subject_before(toks: list[Token], i: int) -> bool:
    """Whether the auxiliary at ``i`` has a subject pronoun or noun phrase opening its clause.

    "what he had went" and "everything they did was" end a relative clause: the
    verb after the auxiliary belongs to the main clause, so they are left alone.
    """
    if i == 0 or not toks[i].joined:
        return False
    j = i - 1
    if toks[j].lower in _MODALS and toks[i].lower in _HAVE:
        return True  # "must have write": the modal's own subject
    if toks[j].lower in _SUBJECT_PRONOUNS:
        return _clause_start(toks, j)
    words = lexicon.classes()
    if toks[j].lower in words.noun:
        # The noun phrase: a determiner, adjectives, the noun ("the damage Skulls does" is a relative clause).
        k = j
        while k > 0 and toks[k].joined and i - k < 4 and toks[k - 1].lower in words.adjective:
            k -= 1
        if k > 0 and toks[k].joined and toks[k - 1].lower in _DETERMINERS:
            return _clause_start(toks, k - 1)
    return False


def _skip_adverbs(toks: list[Token], i: int) -> int:
    """The index of the first token from ``i`` on that is not an adverb joined to the one before."""
    while i < len(toks) and toks[i].joined and toks[i].lower in _ADVERBS:
        i += 1
    return i


def _verb_after(toks: list[Token], i: int) -> tuple[Token | None, bool]:
    """The word after an auxiliary at ``i`` (adverbs skipped) and whether an adverb stood between."""
    j = _skip_adverbs(toks, i + 1)
    if j >= len(toks) or not toks[j].joined or not toks[j].text.islower():
        return None, False
    return toks[j], j > i + 1


def _is_s_form(word: str, words: lexicon.WordClasses, strict: bool) -> bool:
    """An -s verb form that is no base verb; with ``strict``, no noun or adjective either."""
    if word not in words.verb_s or word in words.verb_base:
        return False
    return not strict or (word not in words.noun and word not in words.adjective)


def _participle_only(v: str, words: lexicon.WordClasses) -> bool:
    """A past participle that is nothing else: "been", "gone", "taken"."""
    return (
        v in words.verb_participle
        and v not in words.verb_base
        and v not in words.verb_past
        and v not in words.adjective
        and v not in words.noun
    )


def _base_only(v: str, words: lexicon.WordClasses) -> bool:
    """A base verb that is no participle, past tense, noun or adjective: "modify", "write"."""
    return (
        v in words.verb_base
        and v not in words.verb_participle
        and v not in words.verb_past
        and v not in words.noun
        and v not in words.adjective
    )


def _wrong_after(aux: str, v: str, negated: bool, words: lexicon.WordClasses) -> str | None:
    """Why ``v`` cannot follow the auxiliary ``aux`` (lower case), or None when it can."""
    if aux in _MODALS:
        strict = aux in _NOUN_MODALS
        if words.past_only(v) or _participle_only(v, words) or _is_s_form(v, words, strict=strict):
            return "the verb takes its base form"
    elif aux in _DO or aux in _DO_NEGATED:
        if v in ("is", "was", "were"):
            return None  # "the least you could do is wait": "do" ends a subject clause
        if words.past_only(v) or _is_s_form(v, words, strict=not negated):
            return "the verb takes its base form"
    elif (aux in _HAVE or aux.endswith(("'ve", "’ve"))) and (words.past_only(v) or _base_only(v, words)):
        return "the verb takes its past participle"
    return None


def auxiliary_verb_form(toks: list[Token]) -> Iterator[Issue]:
    words = lexicon.classes()
    for i, tok in enumerate(toks):
        low = tok.lower
        if not tok.is_word:
            continue
        if low in _MODALS or low in _DO or low in _DO_NEGATED or low in _HAVE or low.endswith(("'ve", "’ve")):
            if low in _NOUN_MODALS and i > 0 and toks[i].joined and toks[i - 1].lower in _DETERMINERS:
                continue  # "his will", "a can"
            opens = i == 0 or toks[i - 1].text in ".!?\"“" or (toks[i].joined and toks[i - 1].lower in _WH)
            asking = opens and _ends_with_question_mark(toks, i)
            subject_next = i + 2 < len(toks) and toks[i + 1].lower in _SUBJECT_PRONOUNS and toks[i + 1].joined
            if asking and subject_next:
                # A question: "Did you forgot it?", "Have you went to Italy?", "Can it been done?"
                verb = toks[_skip_adverbs(toks, i + 2)] if _skip_adverbs(toks, i + 2) < len(toks) else None
                if verb is not None and verb.joined and verb.text.islower():
                    why = _wrong_after(low, verb.lower, negated=False, words=words)
                    if why:
                        yield _form_issue(verb, f"after '{tok.text} {toks[i + 1].text}' {why}", words)
                continue
            if asking and low in _DO:
                verb = _past_after_noun_phrase(toks, i + 1, words)
                if verb is not None:
                    yield _form_issue(verb, f"after '{tok.text}' the verb takes its base form", words)
                continue
            if not tok.text.islower() and not low.startswith(("i'", "i’")):
                continue  # "May has struggled": a name, or a question the branch above judged
            verb, _ = _verb_after(toks, i)
            if verb is None:
                continue
            negated = low in _DO_NEGATED or (i + 1 < len(toks) and toks[i + 1].lower == "not")
            # "what he did was", "the money they had went": a relative clause ends at do/have, so
            # those need a subject opening their clause; a modal never ends a clause.
            needs_subject = (low in _DO and not negated) or low in _HAVE
            if needs_subject and not _has_subject_before(toks, i):
                continue
            why = _wrong_after(low, verb.lower, negated, words)
            if why:
                yield _form_issue(verb, f"after '{tok.text}' {why}", words)
        elif low == "to" and i + 1 < len(toks) and toks[i + 1].joined and toks[i + 1].text.islower():
            verb = toks[i + 1]
            v = verb.lower
            object_follows = i + 2 < len(toks) and toks[i + 2].joined and toks[i + 2].lower in _OBJECT_STARTS
            past_verb = (
                v in words.verb_past
                and v not in words.verb_base
                and v not in words.noun
                and v not in words.adjective
            )
            # "the students we talked to said": a preposition stranded at the end of a relative clause.
            stranded = (
                i >= 2
                and words.is_verb(toks[i - 1].lower)
                and toks[i - 2].lower in _SUBJECT_PRONOUNS
                and not _clause_start(toks, i - 2)
            )
            if stranded:
                continue
            if v in ("is", "was", "has"):
                continue  # "the college he wants to go to is fine": "to" ends a relative clause
            wrong = words.past_only(v) or v == "been" or _is_s_form(v, words, strict=True)
            if wrong or (past_verb and object_follows):
                yield _form_issue(verb, "after infinitive 'to' the verb takes its base form", words)


_WH = _words("what why where when how who which whom whose")
_ARTICLES_AND_POSSESSIVES = _words("the a an your my his her their our its this that")


def _past_after_noun_phrase(toks: list[Token], j: int, words: lexicon.WordClasses) -> Token | None:
    """In "Did the application worked?", the -ed verb after the subject noun phrase starting at ``j``.

    Only when an object or the question mark follows it: "Did a man called John phone?" has
    a participle modifying the noun.
    """
    if j >= len(toks) or toks[j].lower not in _ARTICLES_AND_POSSESSIVES or not toks[j].joined:
        return None
    k = j + 1
    while k < min(j + 4, len(toks)) and toks[k].joined and not toks[k].lower.endswith("ed"):
        if toks[k].lower not in words.noun and toks[k].lower not in words.adjective:
            return None
        k += 1
    if k == j + 1 or k + 1 >= len(toks) or not toks[k].joined or not toks[k].text.islower():
        return None
    verb, after = toks[k], toks[k + 1]
    if not verb.lower.endswith("ed") or verb.lower not in words.verb_past or verb.lower in words.adjective:
        return None
    return verb if after.text == "?" or (after.joined and after.lower in _OBJECT_STARTS) else None


def _form_issue(verb: Token, why: str, words: lexicon.WordClasses) -> Issue:
    return Issue(
        verb.start,
        verb.end,
        "verb-form",
        f"Wrong verb form '{verb.text}': {why}",
        "AuxiliaryVerbForm",
    )


# Nouns that are plural in form but take a singular verb ("news is", "darts is").
_SINGULAR_PLURALS = _words(
    """news series species means thanks whereabouts headquarters crossroads
    barracks darts bowls billiards measles mumps diabetes rabies herpes
    innings odds gallows kudos"""
)
# Words before a plural subject that make it a measure or part of a larger phrase.
_PLURAL_DETERMINERS = _words(
    "the these those my your his her our their its many some most all both several few other such"
)
_NOT_A_SUBJECT_START = _words("every each one a an another this that")
_SINGULAR_VERBS = _words("has is was does hasn't isn't wasn't doesn't")


def plural_subject_verb(toks: list[Token]) -> Iterator[Issue]:
    words = lexicon.classes()
    for i in range(1, len(toks)):
        verb, noun = toks[i], toks[i - 1]
        if verb.lower not in _SINGULAR_VERBS or not verb.joined or not noun.is_word:
            continue
        n = noun.lower
        if (
            n not in words.noun_plural
            or not n.endswith("s")
            or n.endswith(("ss", "ics", "'s", "’s"))
            or n in _SINGULAR_PLURALS
            or n in words.verb_s
            or n in words.noun_lemma
        ):
            continue
        # Walk back over at most two modifiers and one determiner to the clause start.
        k = i - 1
        if not noun.text.islower() and not (k == 0 or not toks[k].joined or _after_sentence_end(toks, k)):
            continue  # a capitalised plural inside a sentence: a name or title ("Desperate Housewives")
        if not noun.text.islower() and noun.text in words.proper:
            continue  # "Wales", "Athens"
        start = k
        while start > 0 and toks[start].joined and k - start < 3:
            before = toks[start - 1].lower
            if before in _NOT_A_SUBJECT_START or before in _CLAUSE_OPENERS:
                break
            if not (before in words.adjective or before in words.noun or before.endswith(("'s", "’s", "s'"))):
                break
            if words.is_verb(before) and before not in words.noun and before not in words.adjective:
                break
            start -= 1
        if start > 0 and toks[start].joined and toks[start - 1].lower in _NOT_A_SUBJECT_START:
            continue
        if start > 0 and toks[start].joined and toks[start - 1].lower in _PLURAL_DETERMINERS:
            start -= 1
        if not _sentence_or_clause_start(toks, start) or _after_number(toks, start):
            continue
        if start > 0 and toks[start - 1].text in "\"“‘'":
            continue  # a quoted title
        yield Issue(
            verb.start,
            verb.end,
            "agreement",
            f"'{verb.text}' does not agree with the plural subject '{noun.text}'",
            "PluralSubjectVerb",
            (_plural_of(verb.lower),),
        )


def _sentence_or_clause_start(toks: list[Token], k: int) -> bool:
    """A sentence start, or a subordinate clause start ("because officials..."), not after a comma."""
    if k == 0 or (toks[k - 1].text in ".!?;:\"“”(" and not _abbreviation_stop(toks, k - 1)):
        return True
    if not toks[k].joined:
        return toks[k - 1].text[:1].isalnum()
    return toks[k - 1].lower in _SUBJECT_OPENERS


def _after_sentence_end(toks: list[Token], k: int) -> bool:
    return k > 0 and toks[k - 1].text in ".!?\"“”:;" and not _abbreviation_stop(toks, k - 1)


def _abbreviation_stop(toks: list[Token], j: int) -> bool:
    """Whether the full stop ``toks[j]`` ends an abbreviation or an initial ("Mr. Parsons", "J. Smith")."""
    if toks[j].text != "." or j == 0 or toks[j].start != toks[j - 1].end:
        return False
    return is_abbreviation(toks[j - 1].text + ".")


_NUMBER_WORDS = _words(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty
    thirty forty fifty hundred hundreds thousand thousands million millions
    billion billions dozen dozens half"""
)


def _after_number(toks: list[Token], k: int) -> bool:
    """ "Two years is a long time", "5m tonnes is": a measure takes a singular verb."""
    if k > 0 and toks[k - 1].text[:1].isdigit():
        return True
    return toks[k].lower in _NUMBER_WORDS


def _plural_of(verb: str) -> str:
    return {"has": "have", "is": "are", "was": "were", "does": "do", "hasn't": "haven't",
            "isn't": "aren't", "wasn't": "weren't", "doesn't": "don't"}[verb]


_NON_THIRD = _words("i you we they")


def non_third_person_s(toks: list[Token]) -> Iterator[Issue]:
    """ "They always works": an adverb between hides the subject from Harper."""
    words = lexicon.classes()
    for i, tok in enumerate(toks):
        if tok.lower not in _NON_THIRD or not _clause_start(toks, i):
            continue
        verb, adverb_between = _verb_after(toks, i)
        if verb is None or not adverb_between:
            continue
        if verb.lower in words.verb_s and verb.lower not in words.verb_base:
            yield Issue(
                verb.start, verb.end, "agreement", f"'{verb.text}' does not agree with '{tok.text}'", "NonThirdPersonS"
            )


_PRONOUN_VERB = re.compile(
    r"\b(he|she|it|(?:every|some|no|any)(?:body|one)(?:\s+else)?)\s+((?:(?:always|never|often|usually|also|still|just|only|really|sometimes|rarely)\s+)?)([a-z]+)\b",
    re.IGNORECASE,
)
_WORD_BEFORE = re.compile(r"([A-Za-z']+)[^A-Za-z']*$")
_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)")
# "it" is often an object ("make it work"); only trust it as a subject after these.
_CLAUSE_START = re.compile(
    r"(^|[.!?;:\"(]\s*|\b(?:and|but|because|so|as|while|although)\s+)$", re.IGNORECASE
)


def third_person_base_verb(text: str) -> Iterator[Issue]:
    words = lexicon.classes()
    for m in _PRONOUN_VERB.finditer(text):
        pronoun, verb = m.group(1), m.group(3)
        if not verb.islower():
            continue  # "He Yafei": a name
        if verb in ("need", "dare") and text[m.end(3) : m.end(3) + 4] == " not":
            continue  # "she need not have worried": the modal "need"
        indefinite = pronoun.lower() not in ("he", "she", "it")
        lexical = (
            verb in words.verb_base
            and (indefinite or verb not in words.noun)
            and verb not in words.verb_past
            and verb not in words.adjective
            and verb not in words.verb_participle
            and verb not in ("like", "else")
        )
        if verb not in _BASE_VERBS and not lexical:
            continue
        following = _NEXT_WORD.match(text, m.end(3))
        if following is not None and verb in words.adverb and words.is_verb(following.group(1).lower()):
            continue  # "she last saw him": an adverb spelt like a verb, then the verb
        before = text[max(0, m.start() - 40) : m.start()]
        previous = _WORD_BEFORE.search(before)
        if previous and previous.group(1).lower() in _GOVERNORS:
            continue
        if pronoun.lower() == "it" and not _CLAUSE_START.search(before):
            continue
        if pronoun.lower() not in ("he", "she", "it") and (
            verb not in words.verb_base or verb in words.adjective or verb in _MODALS or verb in _AUXILIARIES
        ):
            continue  # "everyone present", "someone close to him", "anyone can"
        yield Issue(
            m.start(3),
            m.end(3),
            "agreement",
            f"After '{pronoun}' the verb takes its -s form: '{verb}' does not agree",
            "ThirdPersonBaseVerb",
            (_third_person(verb),),
        )


def _third_person(verb: str) -> str:
    irregular = {"have": "has", "do": "does", "go": "goes", "say": "says"}
    if verb in irregular:
        return irregular[verb]
    if re.search(r"(s|sh|ch|x|z|o)$", verb):
        return verb + "es"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ies"
    return verb + "s"


_STRAY_STOP = re.compile(r"(?<![.\w])([a-z]{2,})(\.[\"'”’]?)[ \t]+([a-z]+)\b")


def stray_full_stop(text: str) -> Iterator[Issue]:
    words = lexicon.classes()
    for m in _STRAY_STOP.finditer(text):
        before, after = m.group(1), m.group(3)
        if before in ABBREVIATIONS:
            continue
        known = (
            after in words.noun or after in words.adjective or after in words.adverb or words.is_verb(after)
            or after in _FUNCTION_WORDS
        )
        if not known or (len(m.group(2)) > 1 and words.is_verb(after)):
            continue  # '..." said Mr Smith': a comma-for-stop slip in reported speech, not a broken sentence
        yield Issue(
            m.start(2),
            m.end(3),
            "sentence-break",
            f"A full stop breaks the sentence before '{after}': remove it or start a new sentence",
            "StrayFullStop",
            (f" {after}",),
        )


_FUNCTION_WORDS = _words(
    """the a an of to in on at by for with from and but or so as that this
    these those it its he she they we you i his her their our your my him them
    us me who which what when where why how not no is are was were be been has
    have had do does did will would can could should may might must themselves
    himself herself itself"""
)
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_TIME_FRAGMENT = re.compile(
    r"(?:(?<=[a-z0-9][.]\s)|(?<=[a-z0-9][.]\s\s))"
    r"((?:(?:in|on|at|by|since|until|during|from|for|over)\s+)?"
    r"(?:(?:last|next|this|that|the\s+following|the\s+previous|the\s+same|early|late|earlier\s+this|later\s+this)\s+)?"
    rf"(?:years?|months?|weeks?|weekend|season|day|night|morning|afternoon|evening|summer|winter|spring|autumn"
    rf"|decade|century|quarter|{_DAYS}|{_MONTHS}|\d{{4}})"
    r"|yesterday|today|tonight|tomorrow)[.](?=\s|$)",
    re.IGNORECASE,
)


def time_fragment(text: str) -> Iterator[Issue]:
    for m in _TIME_FRAGMENT.finditer(text):
        phrase = m.group(1)
        if " " not in phrase and phrase.lower() not in ("yesterday", "today", "tonight", "tomorrow"):
            continue  # a bare "March." or "2004." may be a list item or a heading
        yield Issue(
            m.start(1),
            m.end(),
            "fragment",
            f"'{phrase}.' stands alone as a sentence: join it to the sentence it belongs to",
            "TimeFragment",
        )


_QUESTION_VERBS = _words("is was has does isn't wasn't hasn't doesn't")
_PLURAL_PRONOUNS = _words("i you we they")
_POSSESSIVES = _words("the your my his her their our its these those")


def question_agreement(toks: list[Token]) -> Iterator[Issue]:
    """ "Does your parents live...?", "What is you doing?": an inverted singular verb, a plural subject."""
    words = lexicon.classes()
    for i, tok in enumerate(toks[:-1]):
        if tok.lower not in _QUESTION_VERBS or not (_clause_start(toks, i) or toks[i - 1].lower in _WH):
            continue
        if not _ends_with_question_mark(toks, i):
            continue
        nxt = toks[i + 1]
        if not nxt.joined:
            continue
        if nxt.lower in _PLURAL_PRONOUNS and not (nxt.lower == "i" and tok.lower in ("was", "wasn't")):
            subject = nxt
        elif nxt.lower in _POSSESSIVES and i + 2 < len(toks) and toks[i + 2].joined:
            noun = toks[i + 2].lower
            plural = noun in words.noun_plural and noun not in words.verb_s and noun not in _SINGULAR_PLURALS
            if not plural or not noun.endswith("s"):
                continue
            subject = toks[i + 2]
        else:
            continue
        yield Issue(
            tok.start, tok.end, "agreement",
            f"'{tok.text}' does not agree with the subject '{subject.text}'", "QuestionAgreement",
        )
    yield from _plural_verb_singular_subject(toks, words)


# Nouns that take a plural verb in British English ("Have the government decided?") or are
# their own plural ("Do the sheep graze?"): a question with them is right either way.
_COLLECTIVE = _words(
    """data media staff police people cattle clergy public government team club board committee
    council family crew squad party cabinet jury audience band company firm group side management
    union army navy couple majority minority press panel commission parliament congress senate bank
    league federation association orchestra choir class school university college community
    electorate opposition administration ministry department agency authority regime coalition
    alliance crowd youth sheep deer fish aircraft series species offspring salmon trout moose bison
    headquarters means crossroads"""
)
_ASK_PLURAL = {"do": "does", "have": "has", "don't": "doesn't", "haven't": "hasn't"}


def _plural_verb_singular_subject(toks: list[Token], words: lexicon.WordClasses) -> Iterator[Issue]:
    """ "Do your father live in England?", "Have she bought a ticket?": "do"/"have" with a singular subject."""
    for i, tok in enumerate(toks[:-3]):
        if tok.lower not in _ASK_PLURAL or not (_clause_start(toks, i) or (i > 0 and toks[i - 1].lower in _WH)):
            continue
        if not _ends_with_question_mark(toks, i) or not toks[i + 1].joined:
            continue
        j = i + 1
        if toks[j].lower in ("he", "she"):
            subject = toks[j]
        elif toks[j].lower in _POSSESSIVES and toks[j + 1].joined and toks[j + 1].text.islower():
            j += 1
            noun = toks[j].lower
            if noun not in words.noun_lemma or noun in words.noun_plural or noun in _COLLECTIVE or noun.endswith("s"):
                continue
            subject = toks[j]
        else:
            continue
        verb = toks[j + 1]
        fits = words.verb_base if tok.lower.startswith("do") else words.verb_participle
        if not verb.joined or not verb.text.islower() or verb.lower not in fits or verb.lower in words.noun_plural:
            continue
        right = _ASK_PLURAL[tok.lower]
        yield Issue(
            tok.start, tok.end, "agreement",
            f"'{tok.text}' does not agree with the subject '{subject.text}'", "QuestionAgreement",
            (right.capitalize() if tok.text[0].isupper() else right,),
        )


def _ends_with_question_mark(toks: list[Token], i: int) -> bool:
    for tok in toks[i + 1 : i + 25]:
        if tok.text in ".!":
            return False
        if tok.text == "?":
            return True
    return False


# Words that cannot follow the possessive "its" ("its going" and "its too short shirt" can).
_ITS_BEFORE = _words("a an the not so gonna been okay ok where")
# Prepositions, after which "it's" is the possessive ("by it's cover"); not "all" ("all in all it's good").
_ITS_AFTER = _words("by of for with from at in on into under over through about without within against during")
# Words after "its" at a clause start that make it "it's": "Its difficult to", "Its better for".
_AFTER_ITS_ADJECTIVE = CLAUSE_PUNCTUATION | _words("to for than that")


def _its_is_it_is(toks: list[Token], i: int, words: lexicon.WordClasses) -> bool:
    """Whether "its" at ``i`` can only be "it's": before an article, "not", "too", or running on as a clause."""
    nxt, after = toks[i + 1], toks[i + 2] if i + 2 < len(toks) else None
    if nxt.lower in _ITS_BEFORE:
        return True
    if after is None or (not after.joined and after.text not in _AFTER_ITS_ADJECTIVE):
        return False
    if nxt.lower in ("very", "too"):  # "its too late.", "its very good to"; "its very existence", "its too short shirt"
        following = toks[i + 3].text.lower() if i + 3 < len(toks) else "."
        adjective = after.lower in words.adjective and after.lower not in words.noun and after.lower != "own"
        return adjective and following in _AFTER_ITS_ADJECTIVE
    if nxt.lower == "going" and after.lower == "to":
        return True  # "its going to rain"
    if not _clause_start(toks, i):
        return False
    adjective = nxt.lower in words.adjective and nxt.lower not in words.noun
    running_on = nxt.lower in words.verb_ing and after.lower in _OBJECT_STARTS  # "Its removing the errors"
    return (adjective and after.text.lower() in _AFTER_ITS_ADJECTIVE) or running_on


def _its_is_possessive(toks: list[Token], i: int, words: lexicon.WordClasses) -> bool:
    """Whether "it's" at ``i`` can only be "its": after a preposition, before "own", "all it's windows"."""
    tok, nxt = toks[i], toks[i + 1]
    before = toks[i - 1].lower if i > 0 and tok.joined else ""
    if nxt.lower == "own" and (tok.text[0].islower() or nxt.text == "Own"):
        return True  # "on it's own", and in a title "Rides On It's Own"
    if not tok.text[0].islower():
        return False
    if before in _ITS_AFTER:
        return True
    if before == "all" and nxt.text.islower() and nxt.lower in words.noun:
        # "all it's windows", not "all it's got", "all it's worth", "all it's good for"
        return nxt.lower not in words.adjective and nxt.lower not in words.verb_base and not (
            nxt.lower in words.verb_past or nxt.lower in words.verb_participle
        )
    # "What are it's benefits?": after a wh-word and "be", "it is" has no place
    return before in ("is", "are", "was", "were") and i > 1 and toks[i - 2].lower in _WH and nxt.lower in words.noun


def its_confusion(toks: list[Token]) -> Iterator[Issue]:
    """ "its a shame" (it's), "by it's cover" (its)."""
    words = lexicon.classes()
    for i, tok in enumerate(toks[:-1]):
        if not toks[i + 1].joined:
            continue
        if tok.lower == "its" and _its_is_it_is(toks, i, words):
            yield Issue(tok.start, tok.end, "word-choice", f"'{tok.text} {toks[i + 1].text}': did you mean 'it's'?",
                        "ItsConfusion", ("It's" if tok.text[0].isupper() else "it's",))
        elif tok.lower in ("it's", "it’s") and _its_is_possessive(toks, i, words):
            yield Issue(tok.start, tok.end, "word-choice", f"'{tok.text}' means 'it is': the possessive is 'its'",
                        "ItsConfusion", ("Its" if tok.text[0].isupper() else "its",))


_THERE_QUANTIFIERS = _words("many several few some no")
_IRREGULAR_PLURALS = _words("men women children feet teeth mice geese")
_MEASURES = _words(
    """seconds minutes hours days weeks months years miles metres meters yards feet inches points
    goals runs pounds dollars euros percent kilometres kilometers laps games"""
)


def _text_after(toks: list[Token], j: int) -> str:
    """The token after ``j`` when it touches ``j`` (no space between), else ""."""
    return toks[j + 1].text if j + 1 < len(toks) and toks[j + 1].start == toks[j].end else ""


def there_is_plural(toks: list[Token]) -> Iterator[Issue]:
    """ "There is many problems", "There was updates daily"."""
    words = lexicon.classes()
    for i, tok in enumerate(toks[:-2]):
        if tok.lower not in ("there", "here", "there's", "here's"):
            continue
        previous = toks[i - 1].lower if i > 0 and tok.joined else ""
        relative = previous in words.noun or previous in words.verb_ing
        if relative and previous not in words.verb_past and previous not in words.verb_s:
            continue  # "what little spending there is stems from": "there is" ends a relative clause
        j = i + 1
        if "'" not in tok.lower:
            if toks[j].lower not in ("is", "was") or not toks[j].joined:
                continue
            j += 1
        number = j < len(toks) and toks[j].text[:1].isdigit() and toks[j].start - toks[j - 1].end == 1
        if j < len(toks) and (number or (toks[j].joined and toks[j].lower in _THERE_QUANTIFIERS)):
            j += 1
        if j >= len(toks) or not toks[j].text.islower() or not (toks[j].joined or toks[j - 1].text[:1].isdigit()):
            continue
        noun = toks[j].lower
        if (
            noun in words.noun_plural and (noun.endswith("s") or noun in _IRREGULAR_PLURALS)
            and noun not in _SINGULAR_PLURALS and noun not in ("lots", "plenty")
            and not _noun_follows(toks, j, words)
            and not (number and noun in _MEASURES)  # "there's 20 minutes left": a measure is singular
            and _text_after(toks, j)[:1] not in ("'", "’")  # "there is ten years' worth"
        ):
            yield Issue(tok.start, toks[j].end, "syntax",
                        f"'{toks[j].text}' is plural: the verb should be 'are' or 'were'", "ThereIsPlural")


def _noun_follows(toks: list[Token], j: int, words: lexicon.WordClasses) -> bool:
    """Whether a noun-only word follows token ``j`` ("no communications department")."""
    if j + 1 >= len(toks) or not toks[j + 1].joined:
        return False
    w = toks[j + 1].lower
    return w in words.noun and not words.is_verb(w) and w not in words.adjective and w not in words.adverb


# Each rule by name; the rules of usage.py follow. Some read the text, others its tokens.
RULE_FUNCTIONS: dict[str, Callable[[str, list[Token]], Iterator[Issue]]] = {
    "CoordinatedRepetition": lambda text, toks: coordinated_repetition(text),
    "ThirdPersonBaseVerb": lambda text, toks: third_person_base_verb(text),
    "PluralSubjectVerb": lambda text, toks: plural_subject_verb(toks),
    "NonThirdPersonS": lambda text, toks: non_third_person_s(toks),
    "AuxiliaryVerbForm": lambda text, toks: auxiliary_verb_form(toks),
    "QuestionAgreement": lambda text, toks: question_agreement(toks),
    "ItsConfusion": lambda text, toks: its_confusion(toks),
    "ThereIsPlural": lambda text, toks: there_is_plural(toks),
    "StrayFullStop": lambda text, toks: stray_full_stop(text),
    "TimeFragment": lambda text, toks: time_fragment(text),
    **usage.RULE_FUNCTIONS,
}
RULES = tuple(RULE_FUNCTIONS)


def check(text: str, disabled: frozenset[str] = frozenset()) -> Iterator[Issue]:
    """Every house rule not in ``disabled`` over ``text``."""
    toks = tokens(text)
    for name, rule in RULE_FUNCTIONS.items():
        if name not in disabled:
            yield from rule(text, toks)
