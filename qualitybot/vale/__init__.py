"""Vale-compatible pattern rules: the six rule types, their options and how they run.

One module per rule type (``existence``, ``substitution``, ``occurrence``,
``repetition``, ``capitalization``, ``metric``); ``base`` holds the keys every rule
has and picks the rule type's model from ``extends``; ``regex`` compiles patterns
so that none can hang; ``styles`` finds the rule files of a Vale style folder.
"""

from qualitybot.vale import capitalization, existence, metric, occurrence, repetition, substitution
from qualitybot.vale.base import LEVELS, RULE_TYPES, ValeRule

__all__ = [
    "LEVELS",
    "RULE_TYPES",
    "ValeRule",
    "capitalization",
    "existence",
    "metric",
    "occurrence",
    "repetition",
    "substitution",
]
