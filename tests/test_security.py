"""Attacks of issue #19 on rules files, formulas, patterns and folder walks: each now fails to do harm.

The GitHub Action's attacks (symlinks in a pull request, its rules, forged workflow
commands) are in tests/test_action.py, the pre-commit hook's in tests/test_precommit.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from qualitybot.checks.pattern.metric import evaluate, parse_expression
from qualitybot.checks.pattern.regex import BACKTRACKING_BUDGET, DOCUMENT_BUDGET
from qualitybot.config import MAX_EXTENDS_DEPTH, RULES_ROOT_ENV, ConfigError, load_rules
from qualitybot.document import parse
from qualitybot.engine import Engine
from tests.conftest import run_cli

SECRET = "root:$6$s3cr3t-hash:19000:0:99999:7:::"
# Content that must never be echoed, in the shapes YAML reads: lines of key: value, plain lines.
NOT_RULES_FILES = {
    "shadow": f"{SECRET}\ndaemon:*:19000:0:99999:7:::\n",
    "secrets.yml": "password: s3cr3t-hash\napi_key: s3cr3t-hash\n",
    "notes.txt": "s3cr3t-hash one\ns3cr3t-hash two\n",
}


def layout(tmp_path: Path) -> tuple[Path, Path]:
    """A repository (with .git) holding the rules, and a folder beside it with a secret."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text("[core]\nrules: s3cr3t-hash\n")
    outside.mkdir()
    for name, text in NOT_RULES_FILES.items():
        (outside / name).write_text(text)
        (repo / name).write_text(text)
    return repo, outside


def quick_rules(folder: Path) -> str:
    """A rules file with one fast check, for end-to-end runs that test paths, not checks."""
    (folder / "quick.yml").write_text("rules:\n  quotes: {}\n")
    return str(folder / "quick.yml")


def errors_of(rules: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_rules(rules)
    return caught.value.messages


# --- extends: and import: stay inside the repository; a file that is not a rules file is not quoted ---

OUT_OF_BOUNDS = [
    # (rules file text, what the single error says)
    ("extends: ../outside/secrets.yml\n", "extends: '../outside/secrets.yml' is outside"),
    ("extends: /etc/passwd\n", "extends: '/etc/passwd' is outside"),
    ("extends: [default, ../outside/shadow.yml]\n", "extends: '../outside/shadow.yml'"),
    ("extends: .git/config.yml\n", "no bundled profile or file '.git/config.yml'"),
    ("extends: link.yml\n", "extends: 'link.yml' is outside"),  # a symlink inside, to a file outside
    ("import: ../outside/secrets.yml\n", "import: '../outside/secrets.yml' is outside"),
    ("import: ../outside\n", "import: '../outside' is outside"),  # a style folder: not even listed
    ("import: [link.yml]\n", "import: "),
]


@pytest.mark.parametrize(("text", "says"), OUT_OF_BOUNDS)
def test_extends_and_import_stay_inside_the_repository(tmp_path: Path, text: str, says: str) -> None:
    repo, outside = layout(tmp_path)
    (outside / "shadow.yml").write_text(NOT_RULES_FILES["shadow"])
    (repo / "link.yml").symlink_to(outside / "secrets.yml")
    (repo / "qualitybot.yml").write_text(text)
    [error] = errors_of(repo / "qualitybot.yml")
    assert says in error and "s3cr3t" not in error and "password" not in error


@pytest.mark.parametrize("name", sorted(NOT_RULES_FILES))
def test_a_file_that_is_not_a_rules_file_is_named_never_quoted(tmp_path: Path, name: str) -> None:
    # Attack: `extends: /etc/shadow` printed every line of the file. Inside the repository (or
    # with QUALITYBOT_RULES_ROOT, for trusted use) the file is read, but the error only names it.
    repo, _ = layout(tmp_path)
    (repo / "qualitybot.yml").write_text(f"extends: ./{name}\n")
    result = run_cli("rules", "validate", str(repo / "qualitybot.yml"))
    assert result.returncode == 2
    assert "s3cr3t" not in result.stdout + result.stderr and "password" not in result.stderr
    assert f"{repo / name}:" in result.stderr


def test_the_rules_root_can_be_widened_for_trusted_local_use(tmp_path: Path) -> None:
    repo, outside = layout(tmp_path)
    (outside / "house.yml").write_text("rules:\n  quotes: {severity: error}\n")
    (repo / "qualitybot.yml").write_text("extends: ../outside/house.yml\n")
    assert errors_of(repo / "qualitybot.yml")
    widened = run_cli("rules", "list", "--rules", str(repo / "qualitybot.yml"), env={RULES_ROOT_ENV: str(tmp_path)})
    assert widened.returncode == 0, widened.stderr
    assert "quotes" in widened.stdout


# --- bounded configuration --------------------------------------------------------------------------


def billion_laughs() -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "rules:\n  readability:\n" + "".join(f"    {line}\n" for line in lines)


def diamond(folder: Path, levels: int) -> Path:
    """x0 extends [x1, x1], x1 extends [x2, x2], ...: 2**levels paths to the last file."""
    folder.mkdir()
    for i in range(levels):
        (folder / f"x{i}.yml").write_text(f"extends: [x{i + 1}.yml, x{i + 1}.yml]\n")
    (folder / f"x{levels}.yml").write_text("rules:\n  quotes: {severity: error}\n")
    return folder / "x0.yml"


def test_yaml_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    # Attack: nine levels of nine aliases (10**9 values) hung the gate (killed at 60 s).
    rules = tmp_path / "rules.yml"
    rules.write_text(billion_laughs())
    started = time.monotonic()
    result = run_cli("rules", "validate", str(rules))
    assert time.monotonic() - started < 30  # a safety budget, not a speed target
    assert result.returncode == 2
    assert f"{rules}:" in result.stderr and "YAML aliases expand to more than" in result.stderr


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text("rules:\n  quotes: &strict {severity: error}\n  dates: *strict\n")
    loaded = load_rules(rules)
    assert loaded.rules["quotes"].severity == loaded.rules["dates"].severity == "error"


def test_a_24_level_extends_diamond_is_refused_quickly(tmp_path: Path) -> None:
    # Attack: a 24-level `extends: [x, x]` diamond hung (2**24 loads).
    started = time.monotonic()
    errors = errors_of(diamond(tmp_path / "d", 24))
    assert time.monotonic() - started < 30
    assert errors == [f"{tmp_path / 'd' / f'x{MAX_EXTENDS_DEPTH}.yml'}:1: extends: more than "
                      f"{MAX_EXTENDS_DEPTH} levels deep; refused"]


def test_a_diamond_within_the_limits_reads_each_file_once(tmp_path: Path) -> None:
    loaded = load_rules(diamond(tmp_path / "d", 12))
    assert loaded.rules["quotes"].severity == "error"
    assert len(loaded.sources) == 13  # each file once, not 2**12 times


def test_extends_fan_out_is_bounded(tmp_path: Path) -> None:
    (tmp_path / "base.yml").write_text("rules: {}\n")
    (tmp_path / "rules.yml").write_text(f"extends: [{', '.join(['base.yml'] * 17)}]\n")
    [error] = errors_of(tmp_path / "rules.yml")
    assert "extends: more than 16 entries; refused" in error


# --- Vale metric formulas: evaluated over bounded floats, never executed ----------------------------

COUNTS = {"words": 120.0, "sentences": 6.0, "polysyllabic_words": 9.0, "characters": 600.0}
FORMULAS = [
    # (formula, value on COUNTS)
    ("words / sentences", 20.0),
    ("math.sqrt(polysyllabic_words * 30 / sentences) + 3.1291", (9 * 30 / 6) ** 0.5 + 3.1291),
    ("math.log10(words) * 2 - -1", 2 * 2.0791812460476247 + 1),
    ("(characters % 7) + math.floor(2.5)", 5.0 + 2.0),
    ("1e308 * 1e308 * words", float("inf")),  # floats only: overflow is inf, never a huge integer
]


@pytest.mark.parametrize(("formula", "value"), FORMULAS)
def test_formulas_evaluate_over_floats(formula: str, value: float) -> None:
    parse_expression(formula)
    assert evaluate(formula, COUNTS) == pytest.approx(value)


REFUSED_FORMULAS = [
    # (formula, what the refusal says)
    ("math.factorial(100000000)", "'math.factorial' is not allowed in a formula"),
    ("math.comb(10**9, 10**8)", "'math.comb' is not allowed"),
    ("9 ** 9 ** 9", "Pow is not allowed"),
    ("words.__class__", "'words.__class__' is not allowed"),
    ("math.sqrt(x=words)", "without keywords"),
    ("99" * 200, "each below 1e308"),
    ("words + " * 100 + "1", "longer than 500 characters"),
    ("'a' * 10", "numbers only"),
]


@pytest.mark.parametrize(("formula", "says"), REFUSED_FORMULAS)
def test_unsafe_formulas_are_refused(formula: str, says: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_expression(formula)
    assert says in str(caught.value)


def test_rules_validate_refuses_a_factorial_formula(tmp_path: Path) -> None:
    # Attack: `rules validate` said ok, then the check hung on math.factorial(100000000).
    rule = {"check": "pattern", "extends": "metric", "message": "%s", "formula": "math.factorial(100000000)",
            "condition": "> 1"}
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"rules": {"Slow": rule}}))
    result = run_cli("rules", "validate", str(tmp_path / "rules.yml"))
    assert result.returncode == 2
    assert "rules.Slow.formula: 'math.factorial' is not allowed in a formula" in result.stderr


# --- backtracking patterns: one budget per document, whatever the number of rules ------------------


def test_two_hundred_look_around_rules_share_one_budget_per_document(tmp_path: Path) -> None:
    # Attack: 200 look-around rules took 51 s per document (0.25 s each).
    rules = {
        f"Slow{i}": {"check": "pattern", "extends": "existence", "message": "%s", "nonword": True,
                     "tokens": [f"(a+)+(?=c{i})"]}
        for i in range(200)
    }
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"rules": rules}))
    engine = Engine(load_rules(tmp_path / "rules.yml"))
    started = time.monotonic()
    findings = engine.check(parse("a" * 5000 + "b\n", "a.md")).findings
    assert time.monotonic() - started < 30  # a safety budget; benchmarks/ has no timing claim for this
    assert len(findings) == 200 and all(f.rule.endswith(".timeout") for f in findings)
    own = [f for f in findings if f"over {BACKTRACKING_BUDGET:g} s" in f.message]
    shared = [f for f in findings if f"the {DOCUMENT_BUDGET:g} s that all pattern rules" in f.message]
    # The first rules spend the document's budget; the rest stop at once.
    assert 1 <= len(own) <= DOCUMENT_BUDGET / BACKTRACKING_BUDGET + 1
    assert len(own) + len(shared) == 200
    # The next document has its own budget.
    again = engine.check(parse("a" * 5000 + "b\n", "b.md")).findings
    assert any(f"over {BACKTRACKING_BUDGET:g} s" in f.message for f in again)


# --- folder walks stay inside the repository or the folder given ----------------------------------


def test_a_folder_walk_skips_symlinks_out_of_the_repository(tmp_path: Path) -> None:
    repo, outside = layout(tmp_path)
    (outside / "secret.md").write_text("# Secret\n\nThe s3cr3t-hash is here.\n")
    articles = repo / "articles"
    articles.mkdir()
    (articles / "ok.md").write_text("# Fine\n\nA short line.\n")
    (articles / "shared.md").symlink_to(repo / "articles" / "ok.md")  # inside: checked
    (articles / "leak.md").symlink_to(outside / "secret.md")
    (articles / "git.md").symlink_to(repo / ".git" / "config")
    (articles / "linked-folder").symlink_to(outside)  # folders are not followed at all
    result = run_cli("check", "--rules", quick_rules(repo), "--format", "json", str(articles), cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "s3cr3t" not in result.stdout + result.stderr
    for name in ("leak.md", "git.md"):
        assert f"qualitybot: skipped {articles / name}: a symbolic link to a file outside {repo}" in result.stderr
    assert result.stdout.count('"path"') == 2  # ok.md and shared.md


def test_a_folder_outside_any_repository_is_its_own_boundary(tmp_path: Path) -> None:
    folder, elsewhere = tmp_path / "folder", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    (elsewhere / "x.md").write_text("Elsewhere.\n")
    (folder / "a.md").write_text("Here.\n")
    (folder / "x.md").symlink_to(elsewhere / "x.md")
    result = run_cli("check", "--rules", quick_rules(tmp_path), str(folder))
    assert result.returncode == 0, result.stderr
    assert f"skipped {folder / 'x.md'}" in result.stderr


def test_the_cli_reads_paths_after_double_dash_as_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Kept\n")
    (tmp_path / "--output=README.md").write_text("# Trap\n\nA short line.\n")
    result = run_cli("check", "--rules", quick_rules(tmp_path), "--", "--output=README.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "README.md").read_text() == "# Kept\n"
    assert "--output=README.md" in result.stdout


def test_under_pre_commit_the_cli_insists_on_double_dash(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# Kept\n")
    (tmp_path / "--output=README.md").write_text("# Trap\n")
    result = run_cli("check", "--output=README.md", cwd=tmp_path, env={"PRE_COMMIT": "1"})
    assert result.returncode == 2
    assert "end the hook's args with '--'" in result.stderr
    assert (tmp_path / "README.md").read_text() == "# Kept\n"
