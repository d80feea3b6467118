"""Grammar: broken grammar, wrong word forms, doubled words and misspellings.

What it catches
    Subject-verb agreement ("he have", "she go"), wrong articles ("a apple"),
    doubled and garbled words ("the the", "chemical or chemical weapons"),
    confused words ("could of", "their is"), misspellings and other slips,
    each with the rule behind it and suggested replacements where the engine
    has them. The engine is Harper (``harper-py``: embedded, offline) by
    default, or a LanguageTool server or local install when one is configured;
    precise house rules cover what Harper misses (see
    ``qualitybot/grammar/house_rules.py`` and ``usage.py``: sound-alikes in
    phrases that settle them, "in principal", "more then"; double negatives;
    "its too late"; measures before a noun, "a 35 hour week").

    Findings are reported by kind, each with its own default severity:
    ``grammar.agreement``, ``grammar.article``, ``grammar.repetition``,
    ``grammar.verb-form`` ("could went", "has took"), ``grammar.sentence-break``
    ("at this. very well."), ``grammar.word-order`` ("the of", "its is")
    (errors); ``grammar.syntax``, ``grammar.word-choice``,
    ``grammar.typo``, ``grammar.spelling``, ``grammar.punctuation``,
    ``grammar.capitalization``, ``grammar.fragment`` ("... in November. Last
    year."), ``grammar.other`` (warnings); ``grammar.style``,
    ``grammar.formatting`` (info). ``grammar.long-word`` (warning), once per document: text
    without spaces longer than 100 characters (no English word is; URLs aside) is not
    handed to the grammar engine, whose cost grows with the square of a word's
    length. The engine rule is named at the end of each message, e.g.
    ``(harper:PronounVerbAgreement)``, so it can be listed in ``disabled_rules``.

    Names are not errors: an unknown capitalised word (Psaki, Zakharova,
    Draghi) is taken for a name and not reported as a misspelling
    (``names: true``); neither are units after a number ("$1.1bn", "10GB")
    nor British spellings in American text or the reverse ("colour",
    "organise"); add other words with ``accept`` ("wi-fi" accepts the whole
    hyphenated word). The price: a misspelling that starts with a capital
    letter (at the start of a sentence) is taken for a name too.

Fails
    She have told reporters that Russia could of used chemical or chemical
    weapons.

Passes
    She has told reporters that Russia could have used chemical or biological
    weapons, Ms Psaki said.

Options
    ``engine``: ``auto`` (LanguageTool when configured and reachable, else
    Harper, with a note in the report), ``harper`` or ``languagetool`` (a
    configuration error, exit 2, when it is not configured or not reachable).
    ``dialect``: ``american``, ``british``, ``australian``, ``canadian``,
    ``indian``. ``languagetool``: ``{url: http://host:8081}`` or ``{path:
    /opt/LanguageTool-6.6}`` (an installed directory with
    ``languagetool-server.jar``; never downloaded), ``language`` (default from
    ``dialect``, e.g. ``en-GB``), ``timeout`` in seconds, ``disabled_rules`` and
    ``disabled_categories`` (LanguageTool ids). ``disabled_rules``: Harper rule
    names (e.g. ``OxfordComma``) and house rules (``CoordinatedRepetition``,
    ``ThirdPersonBaseVerb``, ``PluralSubjectVerb``, ``NonThirdPersonS``,
    ``QuestionAgreement``, ``AuxiliaryVerbForm``, ``ItsConfusion``,
    ``ThereIsPlural``, ``StrayFullStop``, ``TimeFragment``, ``WordConfusion``,
    ``DoubleNegative``, ``DeterminerWithoutNoun``, ``ImpossiblePair``,
    ``DoubledDeterminer``, ``NoForNot``, ``MeasureHyphen``,
    ``MultiplicationSign``, ``GerundAfter``, ``WhoseForWhos``, ``YoureForYour``)
    to turn off. ``accept``: words never reported.
    ``names``: treat unknown capitalised words as names (default true).
    ``other_spellings``: accept the British spelling of a word in American text
    and the reverse ("colour", "organise", "kerbs", "multi-storey"); by default
    they are accepted unless the rules file sets ``dialect`` explicitly.
    ``house_rules``: run the house rules (default true).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import time
from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from qualitybot.budget import checkpoint
from qualitybot.contract import CheckOptions, CheckUnavailable, Hit, Note, Severity
from qualitybot.document import Document
from qualitybot.grammar import (
    EngineUnavailable,
    Issue,
    bounds,
    harper_engine,
    house_rules,
    languagetool_engine,
    lexicon,
    spelling_variants,
)

KINDS: dict[str, Severity] = {
    "agreement": "error",
    "article": "error",
    "repetition": "error",
    "verb-form": "error",
    "sentence-break": "error",
    "word-order": "error",
    "fragment": "warning",
    "syntax": "warning",
    "word-choice": "warning",
    "typo": "warning",
    "spelling": "warning",
    "punctuation": "warning",
    "capitalization": "warning",
    "other": "warning",
    "style": "info",
    "formatting": "info",
    "long-word": "warning",
}
# A doubled word ("the the" -> "the") and "a"/"an" have one right answer when the
# engine offers exactly one: `check --fix` applies it.
SAFE_FIXES = frozenset({"repetition", "article"})

Dialect = Literal["american", "british", "australian", "canadian", "indian"]
LANGUAGE_OF_DIALECT: dict[str, str] = {
    "american": "en-US",
    "british": "en-GB",
    "australian": "en-AU",
    "canadian": "en-CA",
    "indian": "en-US",
}
# After a configured LanguageTool failed under ``engine: auto``, Harper is used
# without asking again for this long: a batch must not wait on a dead server per file.
RETRY_AFTER_SECONDS = 60.0


class LanguageToolOptions(CheckOptions):
    url: str | None = Field(default=None, description="LanguageTool server, e.g. http://localhost:8081")
    path: str | None = Field(
        default=None, description="directory of an installed LanguageTool (with languagetool-server.jar)"
    )
    language: str | None = Field(default=None, description="language code; default from dialect (en-US...)")
    timeout: float = Field(default=10.0, gt=0, le=120, description="seconds to wait for the server")
    disabled_rules: tuple[str, ...] = Field(default=(), description="LanguageTool rule ids to turn off")
    disabled_categories: tuple[str, ...] = Field(
        default=(), description="LanguageTool categories to turn off"
    )

    @property
    def configured(self) -> bool:
        return bool(self.url or self.path)


class Options(CheckOptions):
    engine: Literal["auto", "harper", "languagetool"] = Field(
        default="auto", description="auto: LanguageTool when configured, else Harper"
    )
    dialect: Dialect = Field(default="american", description="English dialect for spelling and usage")
    languagetool: LanguageToolOptions = Field(
        default_factory=lambda: LanguageToolOptions(), description="where LanguageTool runs"
    )
    accept: tuple[str, ...] = Field(default=(), description="words never reported (names, jargon)")
    names: bool = Field(default=True, description="unknown capitalised words are names, not misspellings")
    other_spellings: bool | None = Field(
        default=None,
        description="accept British spellings in American text and vice versa (default: yes, unless `dialect` is set)",
    )
    disabled_rules: tuple[str, ...] = Field(
        default=(), description="Harper rules and house rules to turn off"
    )
    house_rules: bool = Field(default=True, description="run qualitybot's own precise rules too")


_unavailable_until: dict[str, float] = {}


def warm_up(options: Options) -> None:
    """Load the word lexicon and build the Harper linter ahead of the first document (in a thread)."""
    if options.house_rules or options.engine != "languagetool":
        lexicon.classes()  # while Harper's linter is built (it releases the GIL)
    if options.engine != "languagetool":
        harper_engine.engine(options.dialect)


def check(doc: Document, options: Options) -> Iterator[Hit | Note]:
    bounded = bounds.bound(doc.prose)
    if bounded.long_runs:
        start, end = bounded.long_runs[0]
        others = len(bounded.long_runs) - 1
        yield Hit(
            start, end,
            f"Text without spaces of {end - start:,} characters is not checked for grammar"
            + (f" (nor {others:,} more such runs)" if others else ""),
            kind="long-word",
        )  # fmt: skip
    issues, notes = _engine_issues(doc, options, bounded.text)
    yield from notes
    if options.house_rules:
        house = list(house_rules.check(bounded.text, frozenset(options.disabled_rules)))
        superseding = [i for i in house if i.rule in house_rules.SUPERSEDES]
        issues = [
            known
            for known in issues
            if not any(
                _overlap(i, known) and known.rule.partition(":")[2] in house_rules.SUPERSEDES[i.rule]
                for i in superseding
            )
        ]
        # A house finding gives way to the engine's on the same words, except to a spelling finding:
        # "could beseeched" is both an unknown word and a wrong verb form.
        grammatical = [known for known in issues if known.kind not in ("spelling", "typo")]
        issues += [_tagged(i, "house") for i in house if not any(_overlap(i, known) for known in grammatical)]
    accepted = {w.casefold() for w in options.accept}
    for issue in sorted(issues, key=lambda i: (i.start, i.end)):
        word = _word(doc.text[issue.start : issue.end])
        if _blanked(doc, issue) or accepted & {word.casefold(), _token(doc.text, issue).casefold()}:
            continue
        if issue.kind in ("spelling", "typo") and _not_a_misspelling(doc.text, issue, word, options):
            continue
        yield Hit(
            issue.start,
            issue.end,
            f"{issue.message} ({issue.rule})",
            kind=issue.kind,
            suggestions=issue.suggestions,
        )


def _engine_issues(doc: Document, options: Options, prose: str) -> tuple[list[Issue], list[Note]]:
    """The engine's issues, and a note when LanguageTool could not be used and Harper stood in."""
    lt = options.languagetool
    if options.engine == "languagetool" or (options.engine == "auto" and lt.configured):
        if not lt.configured:
            raise CheckUnavailable(
                "grammar: engine 'languagetool' needs languagetool.url (a LanguageTool server) "
                "or languagetool.path (an installed LanguageTool); it is never downloaded"
            )
        where = lt.url or lt.path or ""
        if options.engine == "languagetool" or time.monotonic() >= _unavailable_until.get(where, 0.0):
            try:
                server = languagetool_engine.server(lt.url, lt.path, lt.timeout)
                language = lt.language or LANGUAGE_OF_DIALECT[options.dialect]
                found = server.check(
                    doc.text, doc.prose, language, lt.disabled_rules, lt.disabled_categories
                )
                return [_tagged(issue, "languagetool") for issue in found], []
            except EngineUnavailable as exc:
                if options.engine == "languagetool":
                    raise CheckUnavailable(f"grammar: {exc}") from None
                _unavailable_until[where] = time.monotonic() + RETRY_AFTER_SECONDS
                note = Note(f"grammar: {exc}; checked with Harper instead")
        else:
            note = Note(f"grammar: LanguageTool {where} was unreachable; checked with Harper instead")
        return _harper_issues(options, prose), [note]
    return _harper_issues(options, prose), []


def _harper_issues(options: Options, prose: str) -> list[Issue]:
    """Harper's issues over ``prose`` (long runs blanked), chunk by chunk (see grammar.bounds)."""
    engine = harper_engine.engine(options.dialect)
    known = engine.rule_names | set(house_rules.RULES)
    unknown = [name for name in options.disabled_rules if name not in known]
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise CheckUnavailable(f"grammar: disabled_rules: unknown rule '{unknown[0]}'{hint}")
    harper_rules = set(options.disabled_rules) - set(house_rules.RULES)
    issues = []
    for start, end in bounds.chunks(prose):
        checkpoint()
        issues += [
            _tagged(dataclasses.replace(issue, start=issue.start + start, end=issue.end + start), "harper")
            for issue in engine.lint(prose[start:end], harper_rules)
        ]
    return issues


def _tagged(issue: Issue, engine: str) -> Issue:
    """The issue with its rule named by engine ("harper:AnA"), as users disable it."""
    return dataclasses.replace(issue, rule=f"{engine}:{issue.rule}")


def _overlap(a: Issue, b: Issue) -> bool:
    return a.start < b.end and b.start < a.end


def _blanked(doc: Document, issue: Issue) -> bool:
    """Whether the issue touches text the Document blanked (markup, code, front matter)."""
    return any(doc.prose[i] != doc.text[i] for i in range(issue.start, issue.end))


_POSSESSIVE = re.compile("['\u2019]s?$")


def _word(problem: str) -> str:
    """The word of a problem text, without a possessive ending ("Lijian's" -> "Lijian")."""
    return _POSSESSIVE.sub("", problem.strip())


def _token(text: str, issue: Issue) -> str:
    """The whole hyphenated or dotted token around an issue ("wi" -> "wi-fi")."""
    start, end = issue.start, issue.end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-.'"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] in "-'"):
        end += 1
    return text[start:end].strip(".'-")


def _not_a_misspelling(text: str, issue: Issue, word: str, options: Options) -> bool:
    """Names, units after numbers ("$1.1bn"), known possessives, other-dialect spellings."""
    if options.names and word[:1].isupper():
        return True  # capitalised or all capitals: a name, place, organisation or acronym
    if issue.start > 0 and text[issue.start - 1].isdigit():
        return True
    if text[: issue.start].endswith(("...", "…")) or text[issue.end :].startswith(("...", "…")):
        return True  # a word cut short by an ellipsis ("...evel of expertise") is not misspelt
    if not issue.rule.startswith("harper:"):
        return False
    engine = harper_engine.engine(options.dialect)
    if word != text[issue.start : issue.end].strip() and engine.knows(word):
        return True  # Harper misses some possessives: "fishermen's"
    other = options.other_spellings
    if not (other if other is not None else "dialect" not in options.model_fields_set):
        return False
    if any(engine.knows(v) for v in spelling_variants.variants(word)):
        return True
    if issue.kind != "spelling" or not word.replace("-", "").isalpha():
        return False  # a typo ("the the") is no other spelling
    # Words the rewrites miss ("kerbs", "storey", "sizeable"): the other dialect's dictionary.
    return any(harper_engine.engine(d).knows(word) for d in spelling_variants.other_dialects(options.dialect))

