"""``import:`` of Vale rule files and style folders: which files, under which rule ids."""

from __future__ import annotations

from pathlib import Path

RULE_SUFFIXES = (".yml", ".yaml")


class ImportProblem(Exception):
    """An ``import:`` entry that names nothing usable."""


def style_rule_files(ref: str, relative_to: Path) -> list[tuple[str, Path]]:
    """(rule id, file) for a Vale rule file or a style folder, ids ``Style.Rule``.

    A folder is a style: each ``*.yml`` in it is a rule named after the folder and
    the file (``MyStyle/Avoid.yml`` is ``MyStyle.Avoid``). A single file gets the
    name of the folder holding it, as Vale names it.
    """
    path = (relative_to.parent / ref).resolve()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in RULE_SUFFIXES and p.is_file())
        if not files:
            raise ImportProblem(f"import: style folder '{ref}' holds no .yml rule files")
        return [(f"{path.name}.{p.stem}", p) for p in files]
    if path.is_file() and path.suffix in RULE_SUFFIXES:
        return [(f"{path.parent.name}.{path.stem}", path)]
    raise ImportProblem(f"import: no Vale rule file or style folder '{ref}'")
