"""The keys every Vale rule has, and the dispatch on ``extends`` to the rule type's own model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, WithJsonSchema, field_validator, model_validator

from qualitybot.checks.pattern.regex import PatternError, compile_pattern
from qualitybot.checks.pattern.scopes import SCOPE_HELP, check_scope
from qualitybot.contract import CheckOptions, Hit, Severity
from qualitybot.document import Document

RuleType = Literal[
    "existence",
    "substitution",
    "occurrence",
    "repetition",
    "capitalization",
    "metric",
    "conditional",
    "consistency",
    "readability",
    "sequence",
    "spelling",
    "script",
]
RULE_TYPES: tuple[str, ...] = RuleType.__args__  # type: ignore[attr-defined]
Level = Literal["suggestion", "warning", "error"]
LEVELS: dict[str, Severity] = {"suggestion": "info", "warning": "warning", "error": "error"}


# Keys that take a list; Vale also accepts a single string there (a list of one).
LIST_KEYS = ("tokens", "raw", "exceptions", "scope", "indicators", "metrics")
StrList = Annotated[
    list[str],
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
]


class Action(CheckOptions):
    """Vale's ``action``: how an editor integration could fix the alert."""

    name: str = Field("", description="edit | remove | replace | suggest")
    params: list[str] = Field(default_factory=list, description="the action's arguments")


class ValeRule(CheckOptions):
    """A pattern rule: one of Vale's rule types, chosen by ``extends``."""

    extends: RuleType = Field(description="the rule type: " + ", ".join(RULE_TYPES))
    message: str = Field(description="the alert's message (required, as in Vale); %s is filled as Vale fills it")
    level: Level = Field("warning", description="suggestion (info), warning or error; `severity` wins")
    scope: StrList = Field(default_factory=lambda: ["text"], description=SCOPE_HELP)
    description: str = Field("", description="a longer explanation (kept, not shown)")
    link: str = Field("", description="a URL that explains the rule")
    limit: int = Field(0, ge=0, description="report at most this many alerts per document; 0 = all")
    action: Action = Field(Action(name="", params=[]), description="Vale's fix action (kept for editors)")
    safe_fix: bool = Field(
        False, description="qualitybot: `check --fix` may apply the alert's suggestion when it is the only one"
    )

    variants: ClassVar[dict[str, type[ValeRule]]] = {}

    @model_validator(mode="wrap")
    @classmethod
    def _by_type(cls, data: Any, handler: Any) -> Any:
        # The base validates by handing the whole mapping to the model of its rule type,
        # so errors keep their key (file:line: key: why) and unknown keys get a hint.
        if isinstance(data, dict):
            data = {k: _weakly_typed(k, v) for k, v in data.items()}
            if cls is ValeRule and data.get("extends") in cls.variants:
                return cls.variants[data["extends"]].model_validate(data)
        return handler(data)

    @field_validator("scope", mode="before")
    @classmethod
    def _scopes(cls, value: Any) -> Any:
        if isinstance(value, list):
            for scope in value:
                if isinstance(scope, str):
                    check_scope(scope)
        return value

    @classmethod
    def option_names(cls, values: Any) -> list[str]:
        """The keys a mapping may have: those of its rule type (for "did you mean")."""
        kind = values.get("extends") if isinstance(values, dict) else None
        return list(cls.variants.get(kind, cls).model_fields) if isinstance(kind, str) else list(cls.model_fields)

    def default_severities(self) -> dict[str, Severity]:
        """Vale's ``level`` sets the severity of the rule's alerts (not of its ``timeout``)."""
        return {"": LEVELS[self.level]}

    def safe_fix_kinds(self) -> frozenset[str]:
        """``safe_fix: true`` makes the rule's alerts (kind "") fixable; never its ``timeout``."""
        return frozenset({""}) if self.safe_fix else frozenset()

    def not_run(self) -> str:
        """Why this rule reports nothing, for ``rules list``/``validate``; empty: it runs."""
        return ""

    def run(self, doc: Document) -> Iterator[Hit]:  # pragma: no cover - every rule type overrides
        raise NotImplementedError


def _weakly_typed(key: str, value: Any) -> Any:
    """Vale decodes weakly: a string where a list is due is a list of one, a number is its text."""
    if key in LIST_KEYS and isinstance(value, str | int | float):
        value = [value]
    if isinstance(value, list):
        return [_text(v) for v in value]
    if isinstance(value, dict) and key in ("swap", "either"):
        return {_text(k): _text(v) for k, v in value.items()}
    return value


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def register(model: type[ValeRule]) -> type[ValeRule]:
    """Class decorator: make ``model`` the one used for its ``extends`` value."""
    kind = model.model_fields["extends"].annotation.__args__[0]  # type: ignore[union-attr]
    ValeRule.variants[kind] = model
    return model


def valid_patterns(values: list[str]) -> list[str]:
    """Every pattern of a list compiles (the validator of :data:`PatternList`)."""
    for value in values:
        valid_pattern(value)
    return values


def valid_pattern(source: str) -> str:
    """Raise a clear ValueError now, at load time, for a pattern that will not compile."""
    try:
        compile_pattern(source)
    except PatternError as exc:
        raise ValueError(str(exc)) from None
    return source


# A list of regular expressions, each checked to compile when the rule is loaded.
PatternList = Annotated[StrList, AfterValidator(valid_patterns)]
