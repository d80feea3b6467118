"""Tools for editors who tune the rules: list, explain, validate, and the JSON Schema.

``qualitybot rules list [--rules FILE]``      every rule, its check, severity, state, options
``qualitybot rules list --effective``         each setting's final value and the file:line that set it
``qualitybot rules explain RULE [--rules F]`` a check's documentation and options (RULE is a
                                              rule id of the rules file or a check name)
``qualitybot rules validate FILE``            ``ok`` (exit 0), or ``file:line: key: why`` (exit 2)
``qualitybot rules schema``                   the JSON Schema of rules files (for editors)
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections import Counter
from collections.abc import Mapping
from types import UnionType
from typing import Annotated, Any, Literal, TextIO, Union, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic.json_schema import models_json_schema
from pydantic_core import PydanticUndefined, to_jsonable_python

from qualitybot.budget import TimeBudget
from qualitybot.checks import registry
from qualitybot.config import (
    ArchiveConfig,
    ConfigError,
    PlatformConfig,
    Rule,
    find_rules_file,
    load_rules,
    rules_name,
)
from qualitybot.contract import SEVERITIES, CheckOptions, CheckSpec
from qualitybot.exits import EXIT_PASS as EXIT_OK

SCHEMA_ID = "https://qualitybot.invalid/schema/qualitybot-rules.schema.json"


class UnknownRule(ConfigError):
    """``rules explain`` was given a name that is neither a rule nor a check (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


def add_parser(commands: Any) -> None:
    """The ``rules`` command and its subcommands, on the CLI's subparsers."""
    rules = commands.add_parser(
        "rules",
        help="list, explain and validate rules; print the JSON Schema",
        description=__doc__.split("\n\n")[0],
    )
    sub = rules.add_subparsers(dest="rules_command", required=True, metavar="SUBCOMMAND")
    listing = sub.add_parser("list", help="every rule: check, severity, enabled, options with defaults")
    listing.add_argument("--rules", metavar="FILE", help="rules file (default as for `check`)")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.add_argument("--effective", action="store_true",
                         help="each option's final value and the file:line that set it (after extends/import)")
    explain = sub.add_parser("explain", help="what a rule or check catches, examples, options")
    explain.add_argument("rule", metavar="RULE", help="a rule id or a check name")
    explain.add_argument("--rules", metavar="FILE", help="rules file (default as for `check`)")
    validate = sub.add_parser("validate", help="validate a rules file: exit 0 ok, 2 with file:line: key: why")
    validate.add_argument("file", metavar="FILE")
    sub.add_parser("schema", help="print the JSON Schema of rules files")


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``qualitybot rules ...``; ConfigError and UnknownRule are left to the CLI."""
    if args.rules_command == "validate":
        for rule in load_rules(args.file).rules.values():
            if _not_run(rule):
                print(f"qualitybot: note: {rule.id}: {_not_run(rule)}; it reports nothing", file=sys.stderr)
        out.write("ok\n")
    elif args.rules_command == "schema":
        out.write(json.dumps(rules_schema(), indent=2) + "\n")
    elif args.rules_command == "list":
        ruleset = load_rules(find_rules_file(args.rules))
        rules = ruleset.rules
        if args.effective:
            effective = [effective_summary(r, ruleset.origins) for r in rules.values()]
            out.write(json.dumps(effective, indent=2) + "\n" if args.format == "json" else effective_text(effective))
        elif args.format == "json":
            out.write(json.dumps([rule_summary(r) for r in rules.values()], indent=2) + "\n")
        else:
            out.write(list_text(list(rules.values())))
    else:
        out.write(explain(args.rule, args.rules))
    return EXIT_OK


# --- list ------------------------------------------------------------------------


def rule_summary(rule: Rule) -> dict[str, Any]:
    spec = registry()[rule.check]
    options = type(rule.options)
    values = rule.options.model_dump(mode="json")
    return {
        "rule": rule.id,
        "check": rule.check,
        "enabled": rule.enabled,
        "severity": severities_text(rule),
        "severities": {_finding_id(rule.id, kind): rule.severity_of(kind, spec) for kind in spec.kinds},
        "options": {
            name: {"value": values[name], "default": _plain(_default(field)), "required": field.is_required()}
            for name, field in options.model_fields.items()
        },
    }


def _not_run(rule: Rule) -> str:
    not_run = getattr(rule.options, "not_run", None)
    return str(not_run()) if not_run else ""


def severities_text(rule: Rule) -> str:
    """``warning``; ``warning (timeout: error)`` when a kind differs from the rule's own alerts."""
    spec = registry()[rule.check]
    levels = {kind: rule.severity_of(kind, spec) for kind in spec.kinds}
    main = levels.pop("", None)
    if main is None:  # the level most kinds have, the others named
        main = Counter(levels.values()).most_common(1)[0][0]
    others = ", ".join(f"{kind}: {level}" for kind, level in levels.items() if level != main)
    return f"{main} ({others})" if others else main


def _finding_id(rule_id: str, kind: str) -> str:
    return f"{rule_id}.{kind}" if kind else rule_id


def list_text(rules: list[Rule]) -> str:
    lines = []
    for rule in rules:
        summary = rule_summary(rule)
        state = "enabled" if rule.enabled else "disabled"
        if _not_run(rule):
            state += f"; not run: {_not_run(rule)}"
        lines.append(f"{rule.id}  (check {rule.check}, {summary['severity']}, {state})")
        for name, option in summary["options"].items():
            value, default = option["value"], option["default"]
            note = "default" if value == default else f"default {json.dumps(default)}"
            note = "required" if option["required"] else note
            lines.append(f"    {name}: {json.dumps(value)}  ({note})")
    return "\n".join(lines) + "\n"


def effective_summary(rule: Rule, origins: Mapping[tuple[str, ...], tuple[str, int]]) -> dict[str, Any]:
    """Every setting of a rule with its final value and where it was set (``file:line``, or ``built-in``)."""
    values = rule.options.model_dump(mode="json")
    settings: dict[str, Any] = {
        "enabled": rule.enabled,
        "severity": severities_text(rule),
        **values,
    }
    result: dict[str, Any] = {"rule": rule.id, "check": rule.check, "settings": {}}
    for name, value in settings.items():
        path = ("rules", rule.id, name)
        if name == "severity" and path not in origins and ("rules", rule.id, "severities") in origins:
            path = ("rules", rule.id, "severities")
        result["settings"][name] = {"value": value, "from": _origin(path, value, origins)}
    return result


def _origin(path: tuple[str, ...], value: Any, origins: Mapping[tuple[str, ...], tuple[str, int]]) -> str:
    """``file:line`` of the key; for a list or mapping built over several files, where each file's part starts."""
    if path not in origins:
        return "built-in"
    keys = [str(i) for i in range(len(value))] if isinstance(value, list) else list(value) if isinstance(
        value, dict
    ) else []
    places = [origins[(*path, key)] for key in keys if (*path, key) in origins]
    first_line: dict[str, int] = {}
    for file, line in places or [origins[path]]:
        first_line.setdefault(rules_name(file), line)
    if len(first_line) == 1:
        file, line = origins[path]
        return f"{rules_name(file)}:{line}"  # one file: the key's own line says it
    return ", ".join(f"{file}:{line}" for file, line in first_line.items())


def effective_text(summaries: list[dict[str, Any]]) -> str:
    lines = []
    for summary in summaries:
        lines.append(f"{summary['rule']}  (check {summary['check']})")
        for name, setting in summary["settings"].items():
            lines.append(f"    {name}: {json.dumps(setting['value'])}  ({setting['from']})")
    return "\n".join(lines) + "\n"


# --- explain -----------------------------------------------------------------------


def explain(name: str, rules_file: str | None) -> str:
    checks = registry()
    rules: dict[str, Rule] = {}
    try:
        rules = load_rules(find_rules_file(rules_file)).rules
    except ConfigError:
        if rules_file:
            raise
    rule = rules.get(name) or rules.get(name.rsplit(".", 1)[0])
    if rule is None and name not in checks:
        known = [*rules, *checks]
        hint = difflib.get_close_matches(name, known, 1)
        raise UnknownRule(
            f"no rule or check '{name}'"
            + (f"; did you mean '{hint[0]}'?" if hint else f" (rules: {', '.join(rules)}; checks: {', '.join(checks)})")
        )
    spec = checks[rule.check if rule else name]
    parts = []
    if rule:
        state = "enabled" if rule.enabled else "disabled"
        parts.append(f"Rule {rule.id}: check {rule.check}, severity {severities_text(rule)}, {state}\n")
    parts.append(plain(spec.doc) + "\n")
    parts.append(options_text(spec, rule))
    rule_id = rule.id if rule else "RULE"
    kinds = ", ".join(f"{_finding_id(rule_id, k)} {v}" for k, v in spec.kinds.items())
    parts.append(f"Kinds of finding and default severities: {kinds}\n")
    return "\n".join(parts)


def options_text(spec: CheckSpec, rule: Rule | None) -> str:
    """Each option: type, bounds, default, description (and its value in ``rule``)."""
    if rule is not None:
        return _fields_text("Options", type(rule.options), rule.options.model_dump(mode="json"))
    models = _option_models(spec.options)
    if len(models) == 1:
        return _fields_text("Options", models[0])
    # Rule types (pattern): the keys they share once, then each type's own keys.
    parts = [_fields_text("Options of every rule", spec.options)]
    shared = set(spec.options.model_fields) - {"extends"}
    parts += [_fields_text(f"Options of {_const(m)} rules", m, skip=shared) for m in models]
    return "".join(parts)


def _fields_text(
    title: str,
    model: type[BaseModel],
    values: dict[str, Any] | None = None,
    skip: set[str] | frozenset[str] = frozenset(),
) -> str:
    lines = [f"{title}:"]
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        current = f"; here {yaml_text(values[name])}" if values is not None else ""
        lines.append(f"  {name} ({_type_text(field)}{_default_text(field)}{current})")
        if field.description:
            lines.append(f"      {field.description}")
    return "\n".join(lines) + "\n\n"


def _option_models(options: type[CheckOptions]) -> list[type[CheckOptions]]:
    """The models a check's options may take: its rule types (pattern), else the one model."""
    variants: dict[str, type[CheckOptions]] = getattr(options, "variants", {})
    return list(dict.fromkeys(variants.values())) or [options]


def _const(model: type[BaseModel]) -> str:
    annotation = model.model_fields["extends"].annotation
    return ", ".join(getattr(annotation, "__args__", [model.__name__]))


def _type_text(field: FieldInfo) -> str:
    """The option's type as an editor reads it: number, list of words, one of a, b..."""
    bounds = [
        f"{op} {getattr(m, attr)}"
        for m in field.metadata
        for attr, op in (("ge", "at least"), ("gt", "more than"), ("le", "at most"), ("lt", "less than"))
        if hasattr(m, attr)
    ]
    return ", ".join([editor_type(field.annotation), *bounds])


def editor_type(annotation: Any) -> str:
    origin, args = get_origin(annotation), get_args(annotation)
    if annotation is bool:
        return "true or false"
    if annotation is int:
        return "whole number"
    if annotation is float:
        return "number"
    if annotation is str:
        return "text"
    if origin is Literal:
        return "one of: " + ", ".join(str(a) for a in args)
    if origin in (Union, UnionType):
        return " or ".join(editor_type(a) for a in args if a is not type(None))
    if origin in (list, tuple, set, frozenset):
        return "list of words" if args and args[0] is str else "list"
    if origin is Annotated:
        return editor_type(args[0])
    if origin is dict and len(args) == 2:
        key, value = args
        if isinstance(value, type) and issubclass(value, BaseModel) and set(value.model_fields) == {"min", "max"}:
            names = get_args(key)
            return "min/max per metric" + (f" (metrics: {', '.join(names)})" if names else "")
        if key is str and value is str:
            return "mapping of word: word"
        return f"mapping of {editor_type(key)} to {editor_type(value)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping of settings (" + ", ".join(annotation.model_fields) + ")"
    return str(annotation).replace("typing.", "")


def plain(doc: str) -> str:
    """Docstring markup (``code``) as plain text for the terminal."""
    return doc.replace("``", "")


def _default(field: FieldInfo) -> Any:
    if field.default_factory is not None:
        return field.default_factory()  # type: ignore[call-arg]
    return None if field.default is PydanticUndefined else field.default


def _default_text(field: FieldInfo) -> str:
    if field.is_required():
        return ", required"
    return f", default {yaml_text(_plain(_default(field)))}"


def yaml_text(value: Any) -> str:
    """A value as it is written in a rules file (``[a, b]``, ``{min: 10}``), ``not set`` for nothing."""
    if value is None:
        return "not set"
    text = str(yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False))
    return text.strip().removesuffix("...").strip()


def _plain(value: Any) -> Any:
    return to_jsonable_python(value)


# --- JSON Schema ---------------------------------------------------------------------


def rules_schema() -> dict[str, Any]:
    """The JSON Schema of rules files, generated from every check's Options model."""
    checks = registry()
    wanted: list[type[BaseModel]] = [PlatformConfig, TimeBudget, ArchiveConfig]
    for spec in checks.values():
        wanted.extend(_option_models(spec.options))
    refs, top = models_json_schema([(m, "validation") for m in wanted], ref_template="#/$defs/{model}")
    defs = top["$defs"]

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        return dict(refs[(model, "validation")])

    rule_of_check: dict[str, dict[str, Any]] = {}
    for spec in checks.values():
        for model in _option_models(spec.options):
            definition = defs[ref(model)["$ref"].rsplit("/", 1)[1]]
            definition["properties"] = {**_rule_keys(spec), **definition.get("properties", {})}
        models = [ref(m) for m in _option_models(spec.options)]
        rule_of_check[spec.name] = models[0] if len(models) == 1 else {"oneOf": models}
    all_options = sorted(
        {name for spec in checks.values() for m in _option_models(spec.options) for name in m.model_fields}
    )
    override = {
        "description": "settings for a rule defined elsewhere (a parent profile or an import)",
        "type": "object",
        "not": {"required": ["check"]},
        "properties": {**_rule_keys(None), **{name: {} for name in all_options}},
        "additionalProperties": False,
    }
    any_rule = [{"allOf": [schema, {"required": ["check"]}]} for schema in rule_of_check.values()]
    string_or_list = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    properties: dict[str, Any] = {
        "profile": {"type": "string", "description": "the profile's name"},
        "description": {"type": "string"},
        "extends": {**string_or_list, "description": "bundled profile name(s) or rules file path(s)"},
        "import": {**string_or_list, "description": "Vale style folders or rule files; rules Style.Rule"},
        "rules": {
            "type": "object",
            "description": "rule id -> settings; the check is the id unless `check` says otherwise",
            "properties": rule_of_check,  # a rule named after its check: every option optional
            "additionalProperties": {"anyOf": [*any_rule, override]},
        },
        "platform": ref(PlatformConfig),
        "time_budget": ref(TimeBudget),
        "archive": ref(ArchiveConfig),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "qualitybot rules file",
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "$defs": defs,
    }


def _rule_keys(spec: CheckSpec | None) -> dict[str, Any]:
    severity = {"enum": list(SEVERITIES), "description": "error fails the gate; warning and info don't"}
    kinds: dict[str, Any] = {"type": "string"} if spec is None else {"enum": list(spec.kinds)}
    keys: dict[str, Any] = {
        "check": {"const": spec.name} if spec else {"type": "string"},
        "severity": severity,
        "enabled": {"type": "boolean", "default": True},
        "files": {
            "type": "array",
            "items": {"type": "string"},
            "description": "globs (gitignore syntax) of the documents the rule runs on; default all",
        },
        "severities": {
            "type": "object",
            "description": "severity per kind of finding; off drops the kind",
            "propertyNames": kinds,
            "additionalProperties": {"enum": [*SEVERITIES, "off"]},
        },
    }
    return keys
