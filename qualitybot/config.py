"""Rules files: load, merge ``extends:``, validate every key, say ``file:line: key: why``.

A rules file::

    profile: newsroom
    extends: default            # a bundled profile (rules/NAME.yml) or a path
    rules:
      readability:              # rule id; its check is the id unless `check:` says otherwise
        severity: warning       # error fails the gate; warning and info don't
        max_sentence_words: 40  # the check's own options
      quotes:
        severities: {single: warning, empty: error}   # per kind; `off` drops a kind
      grammar:
        enabled: false
      Acme.Hedging:             # imported from a Vale style (see `import:`), re-levelled here
        severity: error

``import:`` takes Vale rule files or style folders (``styles/Acme`` gives rules
``Acme.RuleFile``); they run as ``pattern`` rules and the file may override them.

Rules files may come from people the gate does not trust (a pull request), so
loading is bounded (see SECURITY.md): ``extends:`` and ``import:`` reach only
files inside the *rules root* (the git work tree holding the top rules file, else
its folder; ``$QUALITYBOT_RULES_ROOT`` names another, for trusted local use) or
the bundled profiles, never a ``.git`` folder; ``extends:`` is at most
:data:`MAX_EXTENDS_DEPTH` levels deep and :data:`MAX_EXTENDS_FANOUT` wide, each
file is read once per load; YAML aliases may expand to at most
:data:`MAX_YAML_NODES` values; and a file that is not a rules file is named,
never quoted.

Options are validated against the ``Options`` model that each check declares;
an unknown key gets a "did you mean", and every message names the file and line.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qualitybot.budget import TimeBudget
from qualitybot.checks import registry
from qualitybot.checks.pattern.styles import ImportProblem, style_rule_files
from qualitybot.checks.pattern.vale_ini import LEVEL_ORDER, ValeConfig, read_vale_ini
from qualitybot.contract import SEVERITIES, CheckOptions, CheckSpec, Severity

_M = TypeVar("_M", bound=BaseModel)
DEFAULT_RULES_FILES = ("qualitybot.yml", ".qualitybot.yml")
RULE_KEYS = ("check", "severity", "enabled", "severities", "files")
TOP_KEYS = ("profile", "description", "extends", "import", "rules", "platform", "time_budget", "archive")
KindSeverity = Severity | Literal["off"]
RULES_ROOT_ENV = "QUALITYBOT_RULES_ROOT"  # the folder extends/import may reach (trusted local use)
MAX_YAML_NODES = 100_000  # values one rules file may hold, aliases expanded ("billion laughs")
MAX_EXTENDS_DEPTH = 16  # levels of extends: below the top file
MAX_EXTENDS_FANOUT = 16  # entries of one extends: list
MAX_RULES_FILES = 256  # distinct files one load may read (rules files and Vale rule files)


class ConfigError(Exception):
    """A rules file is wrong; ``messages`` are ``file:line: key: why`` lines."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


class PlatformConfig(BaseModel):
    """Where ``--post`` and the bot service send reports (see DESIGN.md and qualitybot.platform)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["generic", "github"] = "generic"
    api: str = Field(default="", description="base URL of the platform's API (github: api.github.com)")
    token_env: str = Field(default="QUALITYBOT_PLATFORM_TOKEN", description="variable holding the token")
    repository: str = Field(default="", description="github: owner/name (default: $GITHUB_REPOSITORY)")
    author: str = Field(
        default="",
        max_length=200,
        description="the bot's own comment author (generic: author id; github: login); default: asked from the API",
    )
    # How hard to try: every request has these timeouts; failures that may pass
    # (connection errors, timeouts, 429, 5xx) are retried with exponential backoff
    # and jitter, honouring Retry-After, until max_attempts or deadline.
    connect_timeout: float = Field(default=5.0, gt=0, le=300, description="seconds to connect")
    read_timeout: float = Field(default=30.0, gt=0, le=600, description="seconds to wait for an answer")
    max_attempts: int = Field(default=6, ge=1, le=100, description="attempts per request, first included")
    backoff: float = Field(default=1.0, ge=0, le=600, description="seconds before a first retry; doubles")
    max_backoff: float = Field(default=60.0, ge=0, le=3600, description="longest wait between two attempts")
    deadline: float = Field(default=300.0, gt=0, le=86400, description="seconds after which posting gives up")


class ArchiveConfig(BaseModel):
    """Where earlier articles are kept (qualitybot.archive): a directory (SQLite) or a Redis URL."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str | None = Field(default=None, min_length=1, description="directory, relative to the rules file")
    redis: str | None = Field(default=None, pattern=r"^(redis|rediss|unix)://", description="Redis URL")

    @model_validator(mode="after")
    def _one_place(self) -> ArchiveConfig:
        if (self.path is None) == (self.redis is None):
            raise ValueError("give either path: DIR or redis: URL")
        return self

    @property
    def location(self) -> str:
        return self.redis or self.path or ""


@dataclass(frozen=True)
class Rule:
    """One validated rule: which check runs, how loud, with which options."""

    id: str
    check: str
    options: CheckOptions
    enabled: bool = True
    severity: Severity | None = None
    severities: Mapping[str, KindSeverity] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # gitignore-style globs of the documents it runs on; empty: all

    def severity_of(self, kind: str, spec: CheckSpec) -> KindSeverity:
        """Per-kind override, else the rule's severity, else the kind's default."""
        if kind in self.severities:
            return self.severities[kind]
        return self.severity or spec.kinds.get(kind, "warning")


@dataclass(frozen=True)
class RuleSet:
    profile: str
    rules: dict[str, Rule]
    sources: tuple[str, ...]
    platform: PlatformConfig = field(default_factory=PlatformConfig)
    # file:line where each key's final value was set, by key path ("rules", id, option)
    origins: Mapping[tuple[str, ...], tuple[str, int]] = field(default_factory=dict)
    time_budget: TimeBudget = field(default_factory=TimeBudget)
    archive: ArchiveConfig | None = None


# --- YAML with line numbers ---------------------------------------------------

Where = tuple[str, int]  # (file, line)


@dataclass
class _Located:
    """Plain YAML data plus the file:line of every mapping key and value."""

    data: Any
    where: dict[tuple[str, ...], Where]


def _read_yaml(path: Path) -> _Located:
    """The file's data with line numbers; never quotes the file in an error (it may not be ours)."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{name}: rules file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{name}: cannot read rules file: {exc}"]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise ConfigError([f"{name}:{line}: invalid YAML: {exc.problem or 'not YAML'}"]) from None
    except yaml.YAMLError:
        raise ConfigError([f"{name}: invalid YAML"]) from None
    except RecursionError:
        raise ConfigError([f"{name}: invalid YAML: nested too deeply"]) from None
    where: dict[tuple[str, ...], Where] = {}
    if node is None:
        return _Located({}, where)
    errors: list[str] = []
    try:
        data = _construct(node, name, (), where, [MAX_YAML_NODES], errors, yaml.SafeLoader(""))
    except RecursionError:
        raise ConfigError([f"{name}: invalid YAML: nested too deeply"]) from None
    if errors:
        raise ConfigError(errors)
    return _Located(data, where)


def _construct(
    node: yaml.Node,
    name: str,
    path: tuple[str, ...],
    where: dict[tuple[str, ...], Where],
    budget: list[int],
    errors: list[str],
    loader: yaml.SafeLoader,
) -> Any:
    # An alias is the node it names, so a "billion laughs" file expands exponentially
    # here: every value built counts against the file's budget.
    budget[0] -= 1
    if budget[0] < 0:
        raise ConfigError([
            f"{name}:{node.start_mark.line + 1}: YAML aliases expand to more than {MAX_YAML_NODES} values; "
            "refused (write the values out, or use extends:)"
        ])
    where.setdefault(path, (name, node.start_mark.line + 1))
    if node.tag in (REPLACE_TAG, REMOVE_TAG):
        # Strip our tag so the node reads as plain YAML, then mark the value.
        plain = type(node)(_implicit_tag(node), node.value, node.start_mark, node.end_mark)
        if isinstance(node, yaml.ScalarNode) and node.value == "" and node.tag == REMOVE_TAG:
            return Remove(None)
        value = _construct(plain, name, path, where, budget, errors, loader)
        return Replace(value) if node.tag == REPLACE_TAG else Remove(value)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            line = key_node.start_mark.line + 1
            if key in result:
                first = where[(*path, key)][1]
                errors.append(f"{name}:{line}: {_key((*path, key))}: set twice (first on line {first}); keep one")
                continue
            where[(*path, key)] = (name, line)
            result[key] = _construct(value_node, name, (*path, key), where, budget, errors, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, name, (*path, str(i)), where, budget, errors, loader) for i, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def _implicit_tag(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "tag:yaml.org,2002:map"
    if isinstance(node, yaml.SequenceNode):
        return "tag:yaml.org,2002:seq"
    tag: str = yaml.SafeLoader("").resolve(yaml.ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
    return tag


# --- loading and merging --------------------------------------------------------


def bundled_profile(name: str) -> Path:
    return Path(str(resources.files("qualitybot.profiles").joinpath(f"{name}.yml")))


def bundled_profiles() -> list[str]:
    folder = resources.files("qualitybot.profiles")
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".yml"))


def find_rules_file(explicit: str | None, cwd: Path | None = None) -> Path:
    """The rules file for documents in folder ``cwd`` (default: the current folder).

    ``--rules`` wins: a file, or a bundled profile's name (``default``). Else, as Vale
    and ruff do, qualitybot.yml or .qualitybot.yml in ``cwd`` or the nearest folder
    above it, up to the repository's root (the folder holding ``.git``) or the
    filesystem's root; else the bundled default profile.
    """
    if explicit:
        path = Path(explicit)
        if not path.exists() and _is_profile_name(explicit) and bundled_profile(explicit).is_file():
            return bundled_profile(explicit)
        return path
    folder = (cwd or Path.cwd()).absolute()
    for candidate_folder in (folder, *folder.parents):
        for candidate in DEFAULT_RULES_FILES:
            if (candidate_folder / candidate).is_file():
                return _as_given(candidate_folder / candidate)
        if (candidate_folder / ".git").exists():
            break
    return bundled_profile("default")


def _is_profile_name(ref: str) -> bool:
    return "/" not in ref and "\\" not in ref and not ref.endswith((".yml", ".yaml"))


def _as_given(path: Path) -> Path:
    """``path`` relative to the current folder when that is shorter (``../../qualitybot.yml``)."""
    try:
        relative = Path(os.path.relpath(path))
    except ValueError:  # another drive (Windows)
        return path
    return relative if len(str(relative)) < len(str(path)) else path


def rules_name(path: Path | str) -> str:
    """How reports name a rules file: its path, or the profile's name for a bundled one."""
    path = Path(path)
    bundled = Path(str(resources.files("qualitybot.profiles")))
    if path.suffix == ".yml" and path.parent.resolve() == bundled.resolve():
        return path.stem
    return str(path)


def rules_root(top: Path) -> Path:
    """The folder that ``extends:`` and ``import:`` of the rules file ``top`` may reach.

    ``$QUALITYBOT_RULES_ROOT`` if set, else the git work tree holding ``top``, else
    ``top``'s folder. Bundled profiles may always be reached.
    """
    if configured := os.environ.get(RULES_ROOT_ENV, "").strip():
        return Path(configured).resolve()
    folder = top.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


@dataclass
class _Loading:
    """One load_rules call: the boundary, and each file merged once (a diamond is not re-read)."""

    root: Path
    done: dict[Path, tuple[dict[str, Any], dict[tuple[str, ...], Where], tuple[str, ...]]] = field(
        default_factory=dict
    )
    files: int = 0

    def allows(self, path: Path) -> bool:
        """Inside the rules root or the bundled profiles, and not in a ``.git`` folder."""
        resolved = path.resolve()
        for folder in (self.root, bundled_profile("default").resolve().parent):
            if resolved.is_relative_to(folder) and ".git" not in resolved.relative_to(folder).parts:
                return True
        return False

    def outside(self, ref: str) -> str:
        return (f"'{ref}' is outside {self.root}, the folder rules files may reach "
                f"(see {RULES_ROOT_ENV} in SECURITY.md); not read")

    def count_file(self) -> bool:
        self.files += 1
        return self.files <= MAX_RULES_FILES


def load_rules(path: Path | str) -> RuleSet:
    """Load, merge and validate a rules file; raise ConfigError listing every problem."""
    errors: list[str] = []
    loading = _Loading(rules_root(Path(path)))
    merged, where, sources = _load_merged(Path(path), errors, (), loading)
    if errors:
        raise ConfigError(errors)
    ruleset = _validate(merged, where, tuple(dict.fromkeys(sources)), errors)
    if errors:
        raise ConfigError(errors)
    return ruleset


def _load_merged(
    path: Path, errors: list[str], chain: tuple[Path, ...], loading: _Loading
) -> tuple[dict[str, Any], dict[tuple[str, ...], Where], tuple[str, ...]]:
    if not loading.count_file():
        errors.append(f"{path}: more than {MAX_RULES_FILES} rules files; refused")
        return {}, {}, ()
    located = _read_yaml(path)
    data, where = located.data, located.where
    name = str(path)
    if not isinstance(data, dict):
        errors.append(f"{name}:1: a rules file is a mapping with keys {', '.join(TOP_KEYS)}")
        return {}, where, (name,)
    if data and not any(key in TOP_KEYS or difflib.get_close_matches(key, TOP_KEYS, 1, 0.75) for key in data):
        # Not a rules file at all, nor one with typos (extends: /etc/shadow): name it, never quote it.
        errors.append(f"{name}:1: not a rules file: it has none of the keys {', '.join(TOP_KEYS)}")
        return {}, {}, (name,)
    for key in data:
        if key not in TOP_KEYS:
            errors.append(_unknown(where, (key,), key, TOP_KEYS, "top-level key"))
    parents = data.get("extends") or []
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        errors.append(_at(where, ("extends",), "extends: expected a profile name or a list of them"))
        parents = []
    if len(parents) > MAX_EXTENDS_FANOUT:
        errors.append(_at(where, ("extends",), f"extends: more than {MAX_EXTENDS_FANOUT} entries; refused"))
        parents = []
    if parents and len(chain) >= MAX_EXTENDS_DEPTH:
        errors.append(_at(where, ("extends",), f"extends: more than {MAX_EXTENDS_DEPTH} levels deep; refused"))
        parents = []
    merged: dict[str, Any] = {}
    merged_where: dict[tuple[str, ...], Where] = {}
    sources: tuple[str, ...] = ()
    for i, parent in enumerate(parents):
        at = ("extends", str(i)) if len(parents) > 1 else ("extends",)
        parent_path = _resolve_extends(parent, path)
        if parent_path is None:
            known = bundled_profiles()
            hint = difflib.get_close_matches(parent, known, 1)
            errors.append(
                _at(where, at,
                    f"extends: no bundled profile or file '{parent}'"
                    + (f"; did you mean '{hint[0]}'?" if hint else f" (bundled: {', '.join(known)})"))
            )
            continue
        if not loading.allows(parent_path):
            errors.append(_at(where, at, f"extends: {loading.outside(parent)}"))
            continue
        key = parent_path.resolve()
        if key in chain or key == path.resolve():
            errors.append(_at(where, ("extends",), f"extends: '{parent}' extends itself in a cycle"))
            continue
        if key not in loading.done:
            try:
                loaded = _load_merged(parent_path, errors, (*chain, path.resolve()), loading)
            except ConfigError as exc:
                errors.extend(exc.messages)
                continue
            loading.done[key] = copy.deepcopy(loaded)
        base, base_where, base_sources = copy.deepcopy(loading.done[key])
        _merge_into(merged, merged_where, base, base_where)
        sources += base_sources
    if "import" in data:
        imported, imported_where, imported_sources = _import_vale(path, data["import"], where, errors, loading)
        if "grammar" not in (merged.get("rules") or {}) and "grammar" not in (data.get("rules") or {}):
            imported.get("rules", {}).pop("grammar", None)  # a vocabulary does not turn the grammar check on
        _merge_into(merged, merged_where, imported, imported_where)
        sources += imported_sources
    _merge_into(merged, merged_where, data, where)
    return merged, merged_where, tuple(dict.fromkeys((*sources, name)))


def _resolve_extends(ref: str, relative_to: Path) -> Path | None:
    if _is_profile_name(ref):
        candidate = bundled_profile(ref)
        return candidate if candidate.is_file() else None
    candidate = (relative_to.parent / ref).resolve()
    return candidate if candidate.is_file() else None


# --- import: Vale rule files and style folders ---------------------------------


def _import_vale(
    path: Path, refs: Any, where: dict[tuple[str, ...], Where], errors: list[str], loading: _Loading
) -> tuple[dict[str, Any], dict[tuple[str, ...], Where], tuple[str, ...]]:
    """Vale rule files as pattern rules ``Style.Rule``; the importing file overrides them."""
    refs = [refs] if isinstance(refs, str) else refs
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        errors.append(_at(where, ("import",), "import: expected a Vale style folder or rule file, or a list"))
        return {}, {}, ()
    rules: dict[str, Any] = {}
    rules_where: dict[tuple[str, ...], Where] = {}
    sources: list[str] = []
    extra: dict[str, Any] = {}
    for i, ref in enumerate(refs):
        at = ("import", str(i)) if len(refs) > 1 else ("import",)
        if not loading.allows(path.parent / ref):  # not even listed
            errors.append(_at(where, at, f"import: {loading.outside(ref)}"))
            continue
        try:
            if ref.endswith(".ini"):
                config = read_vale_ini((path.parent / ref).resolve())
                files = [(r.rule_id, r.file) for r in config.rules]
            else:
                config, files = None, style_rule_files(ref, path)
        except ImportProblem as exc:
            errors.append(_at(where, at, str(exc)))
            continue
        for rule_id, rule_file in files:
            if not loading.allows(rule_file):  # a symbolic link in the style folder
                errors.append(_at(where, at, f"import: {loading.outside(str(rule_file))}"))
                continue
            if not loading.count_file():
                errors.append(f"{rule_file}: more than {MAX_RULES_FILES} rules files; refused")
                break
            try:
                located = _read_yaml(rule_file)
            except ConfigError as exc:
                errors.extend(exc.messages)
                continue
            if not isinstance(located.data, dict) or "extends" not in located.data:
                # Name the file, never quote it: it may be any YAML file at all.
                errors.append(f"{rule_file}:1: not a Vale rule file: a mapping with 'extends' and 'message'")
                continue
            rules[rule_id] = {"check": "pattern", **located.data}
            rules_where.update({("rules", rule_id, *k): v for k, v in located.where.items()})
            sources.append(str(rule_file))
        if config is not None:
            ini_at = where.get(("import", str(i))) or where.get(("import",)) or (str(path), 1)
            _apply_vale_ini(config, rules, rules_where, ini_at, extra)
            sources.append(str((path.parent / ref).resolve()))
    rules.update(extra)
    return {"rules": rules}, rules_where, tuple(sources)


def _apply_vale_ini(
    config: ValeConfig,
    rules: dict[str, Any],
    rules_where: dict[tuple[str, ...], Where],
    at: Where,
    extra: dict[str, Any],
) -> None:
    """What a .vale.ini says of its rules: levels, MinAlertLevel, per-glob files, vocabularies."""
    for imported in config.rules:
        rule = rules.get(imported.rule_id)
        if rule is None:
            continue
        if imported.level:
            rule["level"] = imported.level
            rules_where[("rules", imported.rule_id, "level")] = at
        level = str(rule.get("level", "warning"))
        if LEVEL_ORDER.get(level, 1) < LEVEL_ORDER[config.min_level]:
            rule["enabled"] = False  # below MinAlertLevel: Vale does not report it
            rules_where[("rules", imported.rule_id, "enabled")] = at
        if imported.files:
            rule["files"] = list(imported.files)
            rules_where[("rules", imported.rule_id, "files")] = at
        if config.accept and rule.get("vocab", True) and rule.get("extends") in ("existence", "substitution"):
            rule["exceptions"] = [*rule.get("exceptions", []), *config.accept]  # Vale: accepted terms never alert
    if config.reject:  # Vale's built-in Vale.Avoid: rejected terms are errors
        extra["Vale.Avoid"] = {
            "check": "pattern",
            "extends": "existence",
            "message": "Avoid using '%s'.",
            "level": "error",
            "ignorecase": False,
            "tokens": list(config.reject),
        }
        rules_where[("rules", "Vale.Avoid")] = at
    if config.accept:  # Vale.Spelling accepts them; here the grammar check's spelling does
        extra["grammar"] = {"accept": list(config.accept)}
        rules_where[("rules", "grammar", "accept")] = at


# --- merging: child over parent, key by key ---------------------------------------
#
# Mappings merge key by key, at every depth; lists of names (disabled_rules, accept,
# Vale tokens...) add the child's entries to the parent's; anything else the child
# sets replaces the parent's value. `!replace` on a value takes it as it is instead
# of merging, and `!remove` drops an inherited list entry or mapping key.

REPLACE_TAG, REMOVE_TAG = "!replace", "!remove"
# Lists whose order or position is their meaning: a child's list replaces the parent's.
REPLACED_LISTS = ("scope", "raw", "params")


@dataclass(frozen=True)
class Replace:
    """A value tagged ``!replace``: replaces the inherited value instead of merging with it."""

    value: Any


@dataclass(frozen=True)
class Remove:
    """A list entry or mapping value tagged ``!remove``: drops the inherited entry or key."""

    value: Any


def _merge_into(
    merged: dict[str, Any],
    merged_where: dict[tuple[str, ...], Where],
    data: dict[str, Any],
    where: dict[tuple[str, ...], Where],
) -> None:
    """Merge one file's top-level keys over what its parents set (``extends``/``import`` are its own)."""
    for key, value in data.items():
        if key in ("extends", "import"):
            continue
        if isinstance(value, Remove):
            merged.pop(key, None)
            _drop(merged_where, (key,))
            continue
        merged[key] = _merge_value((key,), merged.get(key), value, merged_where, where)
        if (key,) in where:
            merged_where[(key,)] = where[(key,)]


def _merge_value(
    path: tuple[str, ...],
    old: Any,
    new: Any,
    merged_where: dict[tuple[str, ...], Where],
    new_where: dict[tuple[str, ...], Where],
) -> Any:
    if _replaces_rule(path, old, new):
        new = {"check": old["check"], **new} if "check" in old and "check" not in new else new
        old = None
    if isinstance(new, Replace):
        new, old = new.value, None
    if isinstance(old, dict) and isinstance(new, dict):
        result = dict(old)
        for key, value in new.items():
            sub = (*path, key)
            if isinstance(value, Remove):
                result.pop(key, None)
                _drop(merged_where, sub)
                continue
            result[key] = _merge_value(sub, old.get(key), value, merged_where, new_where)
            if sub in new_where:
                merged_where[sub] = new_where[sub]
        return result
    if isinstance(new, list) and (old is None or _adds(path, old)):
        return _merge_list(path, old or [], new, merged_where, new_where)
    _drop(merged_where, path)
    merged_where.update({k: v for k, v in new_where.items() if k[: len(path)] == path})
    return _plain(new)


def _replaces_rule(path: tuple[str, ...], old: Any, new: Any) -> bool:
    """A rule naming another check, or another Vale rule type, is a new rule, not a change."""
    if len(path) != 2 or path[0] != "rules" or not isinstance(old, dict) or not isinstance(new, dict):
        return False
    return any(key in new and new[key] != old.get(key) for key in ("check", "extends"))


def _adds(path: tuple[str, ...], old: Any) -> bool:
    return isinstance(old, list) and path[-1] not in REPLACED_LISTS


def _merge_list(
    path: tuple[str, ...],
    old: list[Any],
    new: list[Any],
    merged_where: dict[tuple[str, ...], Where],
    new_where: dict[tuple[str, ...], Where],
) -> list[Any]:
    """The parent's entries, less those the child ``!remove``s, then the child's new entries."""
    items = [(value, merged_where.get((*path, str(i)))) for i, value in enumerate(old)]
    for i, value in enumerate(new):
        origin = new_where.get((*path, str(i)))
        if isinstance(value, Remove):
            items = [item for item in items if item[0] != value.value]
        elif not any(value == seen for seen, _ in items):
            items.append((_plain(value), origin))
    key_where = merged_where.get(path)
    _drop(merged_where, path)
    if key_where:
        merged_where[path] = key_where
    for i, (_, origin) in enumerate(items):
        if origin:
            merged_where[(*path, str(i))] = origin
    return [value for value, _ in items]


def _plain(value: Any) -> Any:
    """``value`` without merge tags: nothing to merge with, so ``!replace`` is the value, ``!remove`` nothing."""
    if isinstance(value, Replace):
        return _plain(value.value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if not isinstance(v, Remove)}
    if isinstance(value, list):
        return [_plain(v) for v in value if not isinstance(v, Remove)]
    return None if isinstance(value, Remove) else value


def _drop(where: dict[tuple[str, ...], Where], prefix: tuple[str, ...]) -> None:
    for key in [k for k in where if k[: len(prefix)] == prefix]:
        del where[key]


# --- validation -------------------------------------------------------------


def _validate(
    data: dict[str, Any], where: dict[tuple[str, ...], Where], sources: tuple[str, ...], errors: list[str]
) -> RuleSet:
    checks = registry()
    rules: dict[str, Rule] = {}
    raw_rules = data.get("rules", {}) or {}
    if not isinstance(raw_rules, dict):
        errors.append(_at(where, ("rules",), "rules: expected a mapping of rule id to settings"))
        raw_rules = {}
    for rule_id, raw in raw_rules.items():
        rule = _validate_rule(str(rule_id), raw, checks, where, errors)
        if rule:
            rules[rule.id] = rule
    platform = PlatformConfig()
    if "platform" in data:
        platform = _validate_model(PlatformConfig, data["platform"], ("platform",), where, errors) or platform
    time_budget = TimeBudget()
    if "time_budget" in data:
        time_budget = (
            _validate_model(TimeBudget, data["time_budget"], ("time_budget",), where, errors) or time_budget
        )
    archive = None
    if "archive" in data:
        archive = _validate_model(ArchiveConfig, data["archive"], ("archive",), where, errors)
        if archive and archive.path:
            # A relative directory is relative to the rules file that names it.
            rules_file = where.get(("archive", "path"), where.get(("archive",), ("", 0)))[0]
            if rules_file and not Path(archive.path).is_absolute():
                archive = ArchiveConfig(path=str(Path(rules_file).parent / archive.path))
    profile = data.get("profile", "")
    return RuleSet(
        profile=str(profile),
        rules=rules,
        sources=sources,
        platform=platform,
        origins=dict(where),
        time_budget=time_budget,
        archive=archive,
    )


def _validate_rule(
    rule_id: str,
    raw: Any,
    checks: dict[str, CheckSpec],
    where: dict[tuple[str, ...], Where],
    errors: list[str],
) -> Rule | None:
    path = ("rules", rule_id)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        errors.append(_at(where, path, f"{_key(path)}: expected a mapping of settings"))
        return None
    check_name = raw.get("check", rule_id.split(".")[0])
    if check_name not in checks:
        if "check" in raw:
            errors.append(_unknown(where, (*path, "check"), str(check_name), checks, "check"))
        else:
            errors.append(_at(where, path, f"{_key(path)}: rule needs a 'check:' (one of {', '.join(checks)})"))
        return None
    spec = checks[check_name]
    ok = True
    severity = raw.get("severity")
    if severity is not None and severity not in SEVERITIES:
        errors.append(_unknown(where, (*path, "severity"), str(severity), SEVERITIES, "severity"))
        ok = False
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        errors.append(_at(where, (*path, "enabled"), f"{_key((*path, 'enabled'))}: expected true or false"))
        ok = False
    severities = raw.get("severities", {}) or {}
    if not isinstance(severities, dict):
        where_key = (*path, "severities")
        errors.append(_at(where, where_key, f"{_key(where_key)}: expected a mapping of kind to severity"))
        severities, ok = {}, False
    # YAML 1.1 reads a bare `off` as false.
    severities = {kind: "off" if level is False else level for kind, level in severities.items()}
    for kind, level in severities.items():
        if kind not in spec.kinds:
            what = f"kind of check '{check_name}'"
            errors.append(_unknown(where, (*path, "severities", kind), kind, spec.kinds, what))
            ok = False
        elif level not in (*SEVERITIES, "off"):
            errors.append(_unknown(where, (*path, "severities", kind), str(level), (*SEVERITIES, "off"), "severity"))
            ok = False
    files = raw.get("files", [])
    files = [files] if isinstance(files, str) else files
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        message = f"{_key((*path, 'files'))}: expected a list of globs, e.g. ['*.md']"
        errors.append(_at(where, (*path, "files"), message))
        files, ok = [], False
    option_values = {k: v for k, v in raw.items() if k not in RULE_KEYS}
    options = _validate_model(spec.options, option_values, path, where, errors, extra_keys=RULE_KEYS, what="option")
    if options is None or not ok:
        return None
    return Rule(
        id=rule_id,
        check=check_name,
        options=options,
        enabled=enabled,
        severity=severity,
        severities=dict(severities) if severity else {**options.default_severities(), **severities},
        files=tuple(files),
    )


def _validate_model(
    model: type[_M],
    values: Any,
    path: tuple[str, ...],
    where: dict[tuple[str, ...], Where],
    errors: list[str],
    extra_keys: Iterable[str] = (),
    what: str = "key",
) -> _M | None:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = exc.errors()
        # With an unknown rule type every other key would look unknown too: say only the first thing.
        bad_type = any(err["loc"][:1] == ("extends",) for err in problems)
        for err in problems:
            loc = (*path, *(str(p) for p in err["loc"] if p != "[key]"))
            if err["type"] == "extra_forbidden":
                if bad_type:
                    continue
                names = getattr(model, "option_names", None)  # options whose keys depend on values
                known = [*(names(values) if names else model.model_fields), *extra_keys]
                errors.append(_unknown(where, loc, loc[-1], known, what))
            elif err["type"] == "literal_error":
                expected = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
                kind = "key" if err["loc"][-1:] == ("[key]",) else "value"
                errors.append(_unknown(where, loc, str(err.get("input")), expected, kind))
            else:
                errors.append(_at(where, loc, f"{_key(loc)}: {_in_our_words(err)}"))
        return None


# Validator errors in the words of a rules file's reader (no Python types, no internals).
_EXPECTED = {
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "list_type": "a list, e.g. [a, b]",
    "tuple_type": "a list of words, e.g. [a, b]",
    "set_type": "a list of words, e.g. [a, b]",
    "dict_type": "a mapping, e.g. {key: value}",
    "model_type": "a mapping of settings",
    "model_attributes_type": "a mapping of settings",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "more than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
}


def _in_our_words(err: Any) -> str:
    kind, value = err["type"], err.get("input")
    shown = _shown(value)
    if kind == "missing":
        return "missing (required)"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {shown}"
    if kind in _BOUNDS:
        key, words = _BOUNDS[kind]
        bound = (err.get("ctx") or {}).get(key)
        bound = int(bound) if isinstance(bound, float) and bound.is_integer() else bound
        return f"must be {words} {bound}, got {shown}"
    message = str(err["msg"]).removeprefix("Value error, ")
    return message if kind == "value_error" else f"{message[:1].lower()}{message[1:]}, got {shown}"


def _shown(value: Any) -> str:
    """A value as the rules file writes it: text quoted, a mapping or list as a mapping or list."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nothing"
    return repr(value) if isinstance(value, str) else str(value)


def _key(path: tuple[str, ...]) -> str:
    return ".".join(path)


def _at(where: dict[tuple[str, ...], Where], path: tuple[str, ...], message: str) -> str:
    for cut in range(len(path), -1, -1):
        if path[:cut] in where:
            file, line = where[path[:cut]]
            return f"{file}:{line}: {message}"
    return message


def _unknown(
    where: dict[tuple[str, ...], Where], path: tuple[str, ...], name: str, known: Iterable[str], what: str
) -> str:
    known = list(known)
    hint = difflib.get_close_matches(name, known, 1, 0.6)
    suggestion = f"; did you mean '{hint[0]}'?" if hint else f" (expected one of: {', '.join(known)})"
    return _at(where, path, f"{_key(path)}: unknown {what} '{name}'{suggestion}")
