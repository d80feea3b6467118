"""A writer's install (no `service` extra) checks articles; `serve` then says what to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs the CLI as if the service extra were not installed: its packages cannot be imported.
WITHOUT_SERVICE = """
import sys
from importlib.abc import MetaPathFinder

HIDDEN = {"fastapi", "uvicorn", "httptools", "uvloop", "huey", "redis", "standardwebhooks", "starlette"}

class Hide(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Hide())
import importlib.util
real_find_spec = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name.split(".")[0] in HIDDEN else real_find_spec(name, *a)
from qualitybot.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_without_service(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_SERVICE, *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_check_works_without_the_service_extra() -> None:
    result = run_without_service("check", "--format", "json", "examples/flawed-article.md")
    assert result.returncode == 1, result.stderr
    assert '"verdict": "fail"' in result.stdout


def test_serve_without_the_service_extra_says_what_to_install() -> None:
    result = run_without_service("serve")
    assert result.returncode == 2
    assert "pip install 'qualitybot[service]'" in result.stderr
    assert "Traceback" not in result.stderr
