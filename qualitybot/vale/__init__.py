"""Vale-compatible pattern rules: the six rule types, their options and how they run.

One module per rule type (``existence``, ``substitution``, ``occurrence``,
``repetition``, ``capitalization``, ``metric``, and Vale's ``conditional``,
``consistency`` and ``readability``; ``unsupported`` loads the rest); ``base`` holds the keys every rule
has and picks the rule type's model from ``extends``; ``regex`` compiles patterns
so that none can hang; ``styles`` finds the rule files of a Vale style folder.
"""

from qualitybot.vale import (
    capitalization,
    conditional,
    consistency,
    existence,
    metric,
    occurrence,
    readability,
    repetition,
    substitution,
    unsupported,
)
from qualitybot.vale.base import LEVELS, RULE_TYPES, ValeRule

__all__ = [
    "LEVELS",
    "RULE_TYPES",
    "ValeRule",
    "capitalization",
    "conditional",
    "consistency",
    "existence",
    "metric",
    "occurrence",
    "readability",
    "repetition",
    "substitution",
    "unsupported",
]
