"""English word classes from the inflection lexicon that ``lemminflect`` ships.

The house rules and the filters on Harper's findings need to know, for any
word, whether it can be a past tense, a past participle, a base verb, a plural
noun...: "he struck" is a past tense, not a disagreement; "could went" is a past
tense where only a base verb can stand. ``lemminflect`` ships that lexicon
(``resources/infl_lu.csv.gz``: 40,000 lemmas with every inflected form, built
from the Automatically Generated Inflection Database and corrected by hand) and
works offline. We read the file directly instead of importing ``lemminflect``:
its import pulls in numpy and its own loader takes over a second, while
reading the four word classes we need takes about a tenth of that, once per
process, on first use (the grammar check's warm-up loads it while Harper's
linter is built). spaCy's taggers were not chosen: a model is a separate
download and takes seconds to load.

Every look-up is on lower-case words; proper nouns (lemmas with a capital) are
kept apart in :attr:`WordClasses.proper`.
"""

from __future__ import annotations

import gzip
import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WordClasses:
    """Lower-case word forms by the part of speech they can have (a word is often in several)."""

    verb_base: frozenset[str]  # VB / VBP: "go", "strike"
    verb_s: frozenset[str]  # VBZ: "goes", "strikes"
    verb_past: frozenset[str]  # VBD: "went", "struck", and zero-past verbs ("put", "forecast")
    verb_participle: frozenset[str]  # VBN: "gone", "struck", "stricken"
    verb_ing: frozenset[str]  # VBG: "going"
    noun: frozenset[str]  # NN and NNS: "official", "officials", "news"
    noun_plural: frozenset[str]  # NNS that differ from their lemma: "officials" (not "news", "series")
    noun_lemma: frozenset[str]  # singular or mass nouns: "official", "news", "economics"
    adjective: frozenset[str]  # JJ, JJR, JJS
    adverb: frozenset[str]  # RB, RBR, RBS
    proper: frozenset[str]  # proper nouns, as spelt: "Aachen", "Wales"

    def past_only(self, word: str) -> bool:
        """A past tense that is no participle, no base verb, noun or adjective: "went", "took"."""
        return (
            word in self.verb_past
            and word not in self.verb_participle
            and word not in self.verb_base
            and word not in self.noun
            and word not in self.adjective
        )

    def is_verb(self, word: str) -> bool:
        return (
            word in self.verb_base
            or word in self.verb_s
            or word in self.verb_past
            or word in self.verb_participle
            or word in self.verb_ing
        )


_lock = threading.Lock()
_classes: WordClasses | None = None


def resources() -> Path:
    """The folder of lemminflect's lexicon files, found without importing lemminflect."""
    spec = importlib.util.find_spec("lemminflect")
    if spec is None or spec.origin is None:
        raise RuntimeError("the lemminflect package is not installed (it ships the grammar lexicon)")
    return Path(spec.origin).parent / "resources"


def classes() -> WordClasses:
    """The word classes, read from lemminflect's lexicon on first use (about 0.1 s)."""
    global _classes
    with _lock:
        if _classes is None:
            _classes = _load(resources())
        return _classes


def _forms(field: str) -> list[str]:
    return [form for form in field.split("/") if form]


def _load(folder: Path) -> WordClasses:
    base: set[str] = set()
    verb_s: set[str] = set()
    past: set[str] = set()
    participle: set[str] = set()
    ing: set[str] = set()
    noun: set[str] = set()
    plural: set[str] = set()
    noun_lemma: set[str] = set()
    adjective: set[str] = set()
    adverb: set[str] = set()
    proper: set[str] = set()
    with gzip.open(folder / "infl_lu.csv.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            lemma, pos, rest = line.rstrip("\n").split(",", 2)
            if lemma[:1].isupper():
                if pos == "noun":
                    proper.add(lemma)
                    proper.update(_forms(rest))
                continue
            fields = rest.split(",")
            if pos == "verb":
                vbd, vbn, vbg, vbz = [*fields, "", "", "", ""][:4]
                base.add(lemma)
                past.update(_forms(vbd))
                # An empty participle field means "same as the past tense".
                participle.update(_forms(vbn) or _forms(vbd))
                ing.update(_forms(vbg))
                verb_s.update(_forms(vbz))
            elif pos == "noun":
                noun.add(lemma)
                noun_lemma.add(lemma)
                forms = _forms(fields[0])
                noun.update(forms)
                plural.update(f for f in forms if f != lemma)
            elif pos == "adj":
                adjective.add(lemma)
                for field in fields:
                    adjective.update(_forms(field))
            elif pos == "adv":
                adverb.add(lemma)
    # "be" is not in the lexicon (lemminflect treats it as an auxiliary apart).
    base.add("be")
    past.update(("was", "were"))
    participle.add("been")
    ing.add("being")
    verb_s.add("is")
    # Overrides correct single forms ("get" VBN "gotten"): added, never removing a form,
    # so that both "has got" and "has gotten" stay participles.
    with (folder / "infl_overrides.csv").open(encoding="utf-8") as lines:
        target = {"VBD": past, "VBN": participle, "VBZ": verb_s, "VBG": ing, "NNS": noun}
        for line in lines:
            parts = line.strip().split(",")
            if len(parts) == 3 and parts[1] in target and not parts[0][:1].isupper():
                target[parts[1]].update(_forms(parts[2]))
    # Zero-past verbs ("put", "set", "broadcast", "forecast"): the base form is a past tense
    # too. The lexicon lists some compounds only with their -ed past ("forecasted").
    heads = ("cast", "set", "put", "cut", "read", "spread", "burst")
    past.update(verb for verb in base if verb.endswith(heads) and verb not in heads)
    plural -= noun_lemma
    return WordClasses(
        verb_base=frozenset(base),
        verb_s=frozenset(verb_s),
        verb_past=frozenset(past),
        verb_participle=frozenset(participle),
        verb_ing=frozenset(ing),
        noun=frozenset(noun),
        noun_plural=frozenset(plural),
        noun_lemma=frozenset(noun_lemma),
        adjective=frozenset(adjective),
        adverb=frozenset(adverb),
        proper=frozenset(proper),
    )
