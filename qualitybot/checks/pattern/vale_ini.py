"""``import: .vale.ini``: the styles and rule settings of a Vale configuration file, as Vale reads them.

Read: ``StylesPath`` (relative to the .ini file), ``MinAlertLevel`` (rules below it
are off), ``Vocab`` (``accept.txt``/``reject.txt`` under
``StylesPath/config/vocabularies/NAME/``, or Vale 2's ``StylesPath/Vocab/NAME/``), and
per-glob sections (``[*]``, ``[*.md]``, ``[*.{md,txt}]``) with ``BasedOnStyles``,
``Style.Rule = NO|YES|suggestion|warning|error`` and ``Style = NO``. A rule
enabled in some sections only gets ``files:`` globs, so it runs on those files
only. Keys the gate has no use for (``Packages``, ``BlockIgnores``,
``TokenIgnores``, ``IgnoredScopes``, ...) are listed in :attr:`ValeConfig.ignored`.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path

from qualitybot.checks.pattern.styles import ImportProblem, style_rule_files

LEVEL_ORDER = {"suggestion": 0, "warning": 1, "error": 2}
_GLOBAL = "__global__"
_BUILT_IN_STYLE = "Vale"  # Vale's own rules (Spelling, Terms, Repetition): not files to import
_USED_GLOBAL_KEYS = {"StylesPath", "MinAlertLevel", "Vocab"}


@dataclass
class ImportedRule:
    """A rule file of a style, with what the .ini says about it."""

    rule_id: str
    file: Path
    level: str | None = None  # a level set in the .ini, overriding the rule file's
    files: list[str] = field(default_factory=list)  # gitignore-style globs where it runs; empty: everywhere


@dataclass
class ValeConfig:
    rules: list[ImportedRule]
    min_level: str
    accept: list[str]
    reject: list[str]
    ignored: list[str]  # keys read but not used, for a note


def read_vale_ini(path: Path) -> ValeConfig:
    """Parse a .vale.ini and find its rule files; ImportProblem says what is wrong."""
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive rule ids
    try:
        parser.read_string(f"[{_GLOBAL}]\n" + path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise ImportProblem(f"import: cannot read Vale configuration '{path}': {exc}") from None
    settings = parser[_GLOBAL]
    styles_path = (path.parent / settings.get("StylesPath", "styles")).resolve()
    min_level = settings.get("MinAlertLevel", "suggestion").strip().lower()
    if min_level not in LEVEL_ORDER:
        raise ImportProblem(f"import: {path}: MinAlertLevel '{min_level}' is not suggestion, warning or error")
    ignored = [k for k in settings if k not in _USED_GLOBAL_KEYS]
    # Each section, in file order: what it turns on and off, per style and per rule.
    # rule or style -> (position in the file, pattern); ``!glob`` turns off; the last match wins
    on: dict[str, list[tuple[int, str]]] = {}
    levels: dict[str, str] = {}
    styles: list[str] = []
    for section in parser.sections():
        if section == _GLOBAL:
            continue
        globs = _globs(section)
        for key, value in parser[section].items():
            position = len([p for patterns in on.values() for p in patterns])
            value = value.strip()
            if key == "BasedOnStyles":
                for style in (s.strip() for s in value.split(",") if s.strip()):
                    styles.append(style)
                    on.setdefault(style, []).extend((position, g) for g in globs)
            elif re.fullmatch(r"[\w-]+(\.[\w-]+)?", key) and value.upper() in ("YES", "NO"):
                turned = globs if value.upper() == "YES" else [f"!{g}" for g in globs]
                on.setdefault(key, []).extend((position, g) for g in turned)
            elif "." in key and value.lower() in LEVEL_ORDER:
                levels[key] = value.lower()
                on.setdefault(key, []).extend((position, g) for g in globs)
            else:
                ignored.append(f"[{section}] {key}")
    rules: dict[str, ImportedRule] = {}
    for name in dict.fromkeys([*styles, *(k for k in on if "." in k)]):
        style = name.split(".")[0]
        if style == _BUILT_IN_STYLE:
            continue
        folder = styles_path / style
        ref = str(folder if "." not in name else folder / f"{name.split('.', 1)[1]}.yml")
        for rule_id, file in style_rule_files(ref, path):
            if rule_id in rules:
                continue
            patterns = [p for _, p in sorted([*on.get(style, []), *on.get(rule_id, [])])]
            rules[rule_id] = ImportedRule(rule_id, file, levels.get(rule_id), _simplified(patterns))
    vocab = [v.strip() for v in settings.get("Vocab", "").split(",") if v.strip()]
    accept, reject = _vocabularies(styles_path, vocab)
    return ValeConfig(list(rules.values()), min_level, accept, reject, ignored)


def _globs(section: str) -> list[str]:
    """A section's glob as gitignore patterns: ``*.{md,txt}`` is ``*.md`` and ``*.txt``."""
    brace = re.search(r"\{([^}]*)\}", section)
    if not brace:
        return [section]
    return [section[: brace.start()] + part + section[brace.end() :] for part in brace.group(1).split(",")]


def _simplified(patterns: list[str]) -> list[str]:
    """No globs when the rule simply runs everywhere."""
    return [] if patterns == ["*"] or set(patterns) == {"*"} else patterns


def _vocabularies(styles_path: Path, names: list[str]) -> tuple[list[str], list[str]]:
    accept: list[str] = []
    reject: list[str] = []
    for name in names:
        for folder in (styles_path / "config" / "vocabularies" / name, styles_path / "Vocab" / name):
            if folder.is_dir():
                accept += _terms(folder / "accept.txt")
                reject += _terms(folder / "reject.txt")
                break
        else:
            raise ImportProblem(f"import: Vale vocabulary '{name}' not found under {styles_path}")
    return accept, reject


def _terms(path: Path) -> list[str]:
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
