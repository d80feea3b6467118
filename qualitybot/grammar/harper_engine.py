"""Harper (``harper-py``): the embedded, offline grammar engine.

Building a ``Linter`` loads Harper's curated dictionary and takes about a
second, so one linter per dialect is built on first use and kept for the life of
the process. A ``Linter`` is not thread-safe (the bot service may check in
worker threads): every use holds its lock. Harper's spans are code points into
the linted ``str``, so they are offsets into the text we pass without conversion.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable

import harper

from qualitybot import textstat_offline
from qualitybot.grammar import Issue, lexicon
from qualitybot.grammar.tokens import DOTTED, is_abbreviation

DIALECTS: dict[str, harper.Dialect] = {
    "american": harper.Dialect.AMERICAN,
    "british": harper.Dialect.BRITISH,
    "australian": harper.Dialect.AUSTRALIAN,
    "canadian": harper.Dialect.CANADIAN,
    "indian": harper.Dialect.INDIAN,
}

# Harper's lint kinds (``Lint.lint_kind``) mapped to the stable kinds of the grammar check.
KIND_OF_LINT_KIND = {
    "Agreement": "agreement",
    "Repetition": "repetition",
    "Spelling": "spelling",
    "Typo": "typo",
    "BoundaryError": "typo",
    "WordChoice": "word-choice",
    "Eggcorn": "word-choice",
    "Malapropism": "word-choice",
    "Usage": "word-choice",
    "Nonstandard": "word-choice",
    "Grammar": "syntax",
    "Punctuation": "punctuation",
    "Capitalization": "capitalization",
    "Formatting": "formatting",
    "Style": "style",
    "Redundancy": "style",
    "Enhancement": "style",
    "Readability": "style",
    "Regionalism": "style",
    "Miscellaneous": "other",
}
# Rules whose lint kind is too vague for what they catch.
KIND_OF_RULE = {
    "AnA": "article",
    "ModalOf": "verb-form",
    # Agreement rules that are wrong as often as right on edited news ("the rights
    # associated with it are", "there are few, if any, who"): warnings, not errors.
    "PronounInflectionBe": "syntax",
    "ThereIsAgreement": "syntax",
    # "these kind of games": disputed usage, common in quoted speech (sport, politics), not broken grammar.
    "ThisTypeOfThing": "word-choice",
}
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Doubled words that are correct English ("they had had enough", "said that that was").
LEGITIMATE_DOUBLES = frozenset({"had had", "that that"})
# Words doubled for emphasis or as a fixed reduplication ("very, very", "bye bye"): style, not an error.
EMPHATIC_DOUBLES = _words("""very really so no yes yeah bye ha ho oh ah go well now there tut knock hear blah
    boo hip la pooh choo never more far much long please come wait run again many too""")
# Prepositions that end a clause ("what they had been waiting for") and may meet
# the same preposition opening the next phrase ("for years").
STRANDABLE = _words("for to in on at about with from of by over up out off into through")
# Particles of phrasal verbs ("users checked in in March").
PARTICLES = _words("in on up out off over down around back through along")
# Doubled inside a quotation too, these are slips, not speech: "The the port closed."
FUNCTION_WORDS = _words(
    """the a an of to in on at by for with from and but or as that this it its is are was
    were be he she they we i you his her their our my your"""
)
PREPOSITIONS = STRANDABLE | _words("under after before without within against during")
# "an HIV test", "a HDTV set", "an historic": acronyms are read as letters or as
# words, and "an h-" is accepted British usage; Harper's a/an rule is wrong on both
# in edited news.
_ARTICLE_EXCEPTION = re.compile(r"\s*(?:[A-Z][A-Z0-9]+\b|[Hh]|['\"‘“])")
# "what I will tell you is that...": Harper reads "you is".
_TELL_YOU = re.compile(r"\b(?:tell|told|show|showed|ask|assure|promise)\s+you\s+$", re.IGNORECASE)


class HarperEngine:
    """One Harper linter for one dialect, shared by every rule that uses that dialect."""

    def __init__(self, dialect: str) -> None:
        self._linter = harper.Linter(DIALECTS[dialect])
        # Rule name -> None (Harper's default); disabled rules are set to False.
        self._defaults: dict[str, bool | None] = dict.fromkeys(self._linter.get_lint_config())
        self._disabled: frozenset[str] = frozenset()
        self._lock = threading.Lock()
        self._known: dict[str, bool] = {}

    @property
    def rule_names(self) -> frozenset[str]:
        return frozenset(self._defaults)

    def knows(self, word: str) -> bool:
        """Whether Harper's dictionary for this dialect has the word (no spelling lint on it)."""
        if word not in self._known:
            with self._lock:
                lints = self._linter.lint(word, language=harper.Language.PLAINTEXT)
            self._known[word] = not any(lint.lint_kind == "Spelling" for lint in lints)
        return self._known[word]

    def lint(self, text: str, disabled_rules: Iterable[str] = ()) -> list[Issue]:
        disabled = frozenset(disabled_rules)
        with self._lock:
            if disabled != self._disabled:
                config = self._defaults | dict.fromkeys(disabled & self._defaults.keys(), False)
                self._linter.set_lint_config(config)
                self._disabled = disabled
            organized = self._linter.organized_lints(text, language=harper.Language.PLAINTEXT)
        issues = []
        for rule, lints in organized.items():
            for lint in lints:
                if _known_false_alarm(rule, lint, text):
                    continue
                kind = _demoted(rule, lint, text) or KIND_OF_RULE.get(rule) or KIND_OF_LINT_KIND.get(
                    lint.lint_kind, "other"
                )
                issues.append(
                    Issue(
                        lint.span.start,
                        lint.span.end,
                        kind,
                        lint.message,
                        rule,
                        tuple(_replacement(lint, s) for s in lint.suggestions[:5]),
                    )
                )
        return issues


def _known_false_alarm(rule: str, lint: harper.Lint, text: str) -> bool:
    """Findings of Harper's that are wrong, by rule (each named in docs/grammar.md)."""
    problem = lint.problem_text
    if lint.lint_kind == "Repetition":
        return _legitimate_double(problem, lint.span.start, lint.span.end, text)
    if rule == "PronounVerbAgreement":
        word = problem.split()[-1] if problem.split() else problem
        words = lexicon.classes()
        if word.islower() and word not in ("was", "were") and word in words.verb_past:
            return True  # "he struck", "she strode", "he fed": a past tense agrees with every person
        if word.islower() and word in words.noun_plural and word not in words.verb_s:
            return True  # "we adults", "you players": a pronoun in apposition to a plural noun
        if word.islower() and word in words.noun_plural and _PREDICATE_START.match(text, lint.span.end):
            return True  # "you kids must be hungry", "we fans were": the verb comes after the noun
        following = _NEXT_WORD.match(text, lint.span.end)
        if word.islower() and word in words.adverb and following is not None:
            verb = following.group(1)
            if verb in words.verb_past or verb in words.verb_s:
                return True  # "she last saw him", "he still plays": an adverb, then the verb
        if problem in ("is", "was"):
            return _TELL_YOU.search(text, 0, lint.span.start) is not None
        return False
    if rule == "AnA":
        return _article_fits_sound(problem, lint.span.start, lint.span.end, text)
    if rule == "ItsPossessive":
        # "it's Tom", "Do They Know It's Christmas?", "it's time to go": "it is" before a name or
        # in the idiom, never the possessive ("Rides On It's Own" is still checked).
        following = _NEXT_WORD.match(text, lint.span.end)
        word = following.group(1) if following is not None else ""
        before = _WORD_BEFORE.search(text, 0, lint.span.start)
        if before is not None and before.group(1).lower() in PREPOSITIONS:
            return False  # "for it's time", "by it's cover": the possessive slot
        return (word[:1].isupper() and word.lower() != "own") or word == "time"
    if rule == "Spaces":
        # "and so on ...": AP style spaces an ellipsis; only a space before . , ; : ! ? is a slip.
        return text.startswith(("...", "…"), lint.span.end) or text.startswith((" ...", " …"), lint.span.end)
    if rule == "NominalWants":
        # "as is his wont" (custom); "would she want": an inverted question or clause keeps the base form.
        before = _WORD_BEFORE.search(text, 0, lint.span.start)
        inverted = _INVERTED.search(text, max(0, lint.span.start - 30), lint.span.start) is not None
        return problem.lower() == "wont" or inverted or (before is not None and before.group(1).lower() in _MODALS)
    if rule == "DoubleModal":
        # "whose will could", "this can will" (nouns); "May will", "Will will" (names).
        first = problem.split()[0] if problem.split() else problem
        before = _WORD_BEFORE.search(text, 0, lint.span.start)
        noun = before is not None and before.group(1).lower() in _DETERMINERS
        return noun or first[:1].isupper()
    if rule == "SentenceCapitalization":
        # "Big Lots Inc. posted", "shares of U.S. biotech": an abbreviation's full stop ends no sentence.
        before = _TOKEN_BEFORE.search(text, max(0, lint.span.start - 40), lint.span.start)
        return before is not None and is_abbreviation(before.group(1))
    if rule == "SpellCheck":
        # "www.epa.gov", "info@example.com" are addresses, "N.C." initials: no misspelt words.
        run = next((m for m in _RUN.finditer(text, max(0, lint.span.start - 200)) if m.end() >= lint.span.end), None)
        word = run.group().rstrip(".,;:!?)\"'”’") if run is not None and run.start() <= lint.span.start else ""
        return _ADDRESS.fullmatch(word) is not None or DOTTED.fullmatch(problem) is not None
    if rule == "TheyToThem":
        # "reports show they died", "said they know": "they" is the subject of the clause that follows.
        following = _NEXT_WORD.match(text, lint.span.end)
        verb = following.group(1).lower() if following is not None else ""
        before = _WORD_BEFORE.search(text, max(0, lint.span.start - 40), lint.span.start)
        words = lexicon.classes()
        if verb in words.verb_past or verb in words.verb_s or verb in _MODALS or verb in _AUXILIARIES:
            return True
        return verb in words.verb_base and (before is None or before.group(1).lower() not in _BARE_INFINITIVE_VERBS)
    if rule == "ModalOf":
        # "the will of the people", "the might of the army" are nouns: only "could/would/should/must of" is the slip.
        return problem.split()[0].lower() not in _MODALS_OF
    return False


def _legitimate_double(problem: str, start: int, end: int, text: str) -> bool:
    words = problem.split()
    if " ".join(w.lower() for w in words) in LEGITIMATE_DOUBLES:
        return True
    if len(words) == 2 and all(w[:1].isupper() for w in words):
        return True  # names and titles: "Duran Duran", "Sirhan Sirhan", "New York, New York"
    if text[end : end + 1] in "-‐":
        return True  # "in in-fighting": the second word begins a compound
    following = _NEXT_WORD.match(text, end)
    if following is not None and following.group(1)[:1].isupper() and following.group(1) != "I":
        return True  # "from its I Can't Believe It's Not Butter": a title in capitals
    word = words[0].lower() if words else ""
    before = _WORD_BEFORE.search(text, 0, start)
    if word in PARTICLES and before is not None and lexicon.classes().is_verb(before.group(1).lower()):
        return True  # "users checked in in March": a phrasal verb's particle, then a preposition
    if word in STRANDABLE:
        # "the reform they had waited for for years": a relative clause strands the first preposition.
        before = _WORD_BEFORE.search(text, 0, start)
        sentence = text[max(0, start - 120) : start]
        sentence = re.split(r"[.!?]\s", sentence)[-1]
        classes = lexicon.classes()
        # ... or a subject pronoun right after a noun: "the reform [that] they had waited for".
        reduced = any(m.group(1).lower() in classes.noun for m in _NOUN_PRONOUN.finditer(sentence))
        return (
            before is not None
            and classes.is_verb(before.group(1).lower())
            and (_RELATIVE.search(sentence) is not None or reduced)
        )
    return False


_RELATIVE = re.compile(r"\b(?:what|which|that|who|whom|whose|where|when)\b", re.IGNORECASE)
_NOUN_PRONOUN = re.compile(r"\b([a-z]+)\s+(?:they|we|he|she|I|you)\b")


_WORD_BEFORE = re.compile(r"([A-Za-z]+)\s*$")
_PREDICATE_START = re.compile(
    r"\s+(?:must|can|could|will|would|shall|should|may|might|are|were|have|had|do|did|need|all|both)\b"
)
_MODALS = _words("can could will would shall should may might must do does did")
_INVERTED = re.compile(r"\b(?:would|could|should|will|can|did|does|do|might|may)\s+(?:I|you|he|she|it|we|they)\s+$")
_DETERMINERS = _words("the a an this that his her its their our your my whose whatever free")
_MODALS_OF = _words("could would should must couldn't wouldn't shouldn't")
_QUOTE_MARKS = re.compile("[\"“”]")
_TOKEN_BEFORE = re.compile(r"(\S+)\s+$")
_RUN = re.compile(r"\S+")
# A web or mail address: a scheme or "www.", or labels joined by dots ending in a lower-case top-level
# domain ("epa.gov"; not "thier.Then", a typo run into the next sentence).
_ADDRESS = re.compile(
    r"(?:[a-z][a-z+.-]*://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w-]+(?:\.[\w-]+)*\.(?-i:[a-z]{2,6})(?:/\S*)?)",
    re.IGNORECASE,
)
# Verbs followed by a bare infinitive: "let them go", never "let they go".
_BARE_INFINITIVE_VERBS = _words(
    "let lets make makes made help helps helped have has had watch watched see saw hear heard"
)
_AUXILIARIES = _words("are were have had")


def _demoted(rule: str, lint: harper.Lint, text: str) -> str | None:
    """A lower kind for findings of an error kind that are right only in some contexts."""
    if lint.lint_kind == "Repetition":
        word = lint.problem_text.split()[0].lower() if lint.problem_text.split() else ""
        paragraph_start = text.rfind("\n\n", 0, lint.span.start) + 1
        quoted = len(_QUOTE_MARKS.findall(text, paragraph_start, lint.span.start)) % 2 == 1
        if word in EMPHATIC_DOUBLES or (quoted and word not in FUNCTION_WORDS):
            return "style"  # emphasis ("very very"), or speech reported as spoken ("a big, big day")
    if rule == "ItsPossessive":
        before = _WORD_BEFORE.search(text, 0, lint.span.start)
        after = text[lint.span.end : lint.span.end + 5].lower()
        possessive_slot = before is not None and before.group(1).lower() in PREPOSITIONS
        if not possessive_slot and not after.startswith(" own"):
            # "Do They Know It's Christmas?", "it's people who...": "it's" before a noun is
            # often right; only after a preposition ("by it's cover") is it surely wrong.
            return "word-choice"
    return None


_VOWEL_PHONES = ("AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW")
_NEXT_WORD = re.compile(r"\s*([A-Za-z]+)")


def _article_fits_sound(problem: str, start: int, end: int, text: str) -> bool:
    """Whether Harper's a/an finding is wrong: it judges by letters, English by sound."""
    if text[end : end + 1] in "-‐":
        return True  # "in An-Najaf", "the A-League": part of a name, not an article
    if problem == "A" and start > 0 and re.search(r"[A-Za-z0-9]\s*$", text[max(0, start - 30) : start]):
        before = _WORD_BEFORE.search(text, 0, start)
        if before is None or before.group(1)[:1].isupper() or before.group(1)[:1].isdigit():
            return True  # "Group A", "Serie A", "Plan A": a capital letter as a label, not an article
    if _ARTICLE_EXCEPTION.match(text, end) is not None:
        return True
    article = problem.strip().lower()
    following = _NEXT_WORD.match(text, end)
    if article not in ("a", "an") or following is None:
        return False
    word = following.group(1)
    if not re.search("[aeiouyAEIOUY]", word):
        # No vowel: an initialism read letter by letter ("an ntl spokesman", "an MP").
        return (article == "an") == (word[0].lower() in "aefhilmnorsx")
    phones = textstat_offline.phones(word)
    if phones is None:
        # An unknown name or acronym ("Uefa", "Ukip"): its sound cannot be told from its letters.
        return word[:1].isupper()
    vowel = phones.split()[0].rstrip("012") in _VOWEL_PHONES
    return (article == "an") == vowel


def _replacement(lint: harper.Lint, suggestion: harper.Suggestion) -> str:
    """The text that would stand where the lint is once the suggestion is applied."""
    if suggestion.kind == harper.SuggestionKind.INSERT_AFTER:
        return lint.problem_text + suggestion.replacement_text
    return suggestion.replacement_text


_ENGINES: dict[str, HarperEngine] = {}
_ENGINES_LOCK = threading.Lock()


_prestarted: list[threading.Thread] = []


def prestart(dialect: str = "american") -> None:
    """Build a dialect's engine in a background thread, before anything asks for it.

    Harper releases the GIL while it builds, so the command line calls this first
    and imports and reads everything else meanwhile. A fork waits for the thread
    (``os.register_at_fork``), so forked workers never inherit a half-built engine
    or a held lock.
    """
    thread = threading.Thread(target=engine, args=(dialect,), name="harper-prestart", daemon=True)
    _prestarted.append(thread)
    thread.start()


def _join_prestarted() -> None:
    for thread in _prestarted:
        thread.join()


os.register_at_fork(before=_join_prestarted)


def engine(dialect: str) -> HarperEngine:
    """The process-wide Harper engine for a dialect, built on first use."""
    with _ENGINES_LOCK:
        if dialect not in _ENGINES:
            _ENGINES[dialect] = HarperEngine(dialect)
        return _ENGINES[dialect]
