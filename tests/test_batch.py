"""Batch mode: parallel workers, deterministic order, a progress bar on terminals only."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.conftest import ROOT, run_cli

RULES = "rules:\n  readability:\n    severity: error\n    max_sentence_words: 12\n"


def make_articles(folder: Path, count: int) -> None:
    for i in range(count):
        long = " and".join([f" sentence number {i} goes on"] * (i % 4 + 1))
        (folder / f"article-{i:03}.md").write_text(f"# Story {i}\n\nA short line. The{long}.\n")


def test_parallel_report_equals_serial_report(tmp_path: Path) -> None:
    make_articles(tmp_path, 12)
    (tmp_path / "rules.yml").write_text(RULES)
    serial = run_cli("check", "--jobs", "1", "--format", "json", "--rules", "rules.yml", ".", cwd=tmp_path)
    parallel = run_cli("check", "--jobs", "3", "--format", "json", "--rules", "rules.yml", ".", cwd=tmp_path)
    assert serial.returncode == parallel.returncode == 1
    assert json.loads(serial.stdout) == json.loads(parallel.stdout)
    paths = [d["path"] for d in json.loads(parallel.stdout)["documents"]]
    assert paths == sorted(paths) and len(paths) == 12


def test_unreadable_file_in_a_batch_is_reported_and_others_checked(tmp_path: Path) -> None:
    make_articles(tmp_path, 3)
    (tmp_path / "broken.txt").write_bytes(b"\xff\xfe bad")
    result = run_cli("check", "--jobs", "2", "--format", "json", str(tmp_path))
    assert result.returncode == 2
    assert "broken.txt: not valid UTF-8" in result.stderr
    assert len(json.loads(result.stdout)["documents"]) == 3


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    result = run_cli("check", "--jobs", "0", "x.md", cwd=tmp_path)
    assert result.returncode == 2 and "at least 1" in result.stderr


def _stderr_on_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal; return exit code and what it drew there."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # a real terminal's size
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualitybot", *args],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=follower, env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    make_articles(tmp_path, 4)
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"PYTHONPATH": str(ROOT)}
    code, drawn = _stderr_on_terminal(["check", "--jobs", "2", "."], tmp_path, env)
    assert code == 0
    assert "/4 [" in drawn and "doc/s" in drawn
    piped = run_cli("check", "--jobs", "2", ".", cwd=tmp_path)
    assert "/4 [" not in piped.stderr
    code, drawn = _stderr_on_terminal(["check", "--jobs", "2", "."], tmp_path, env | {"CI": "true"})
    assert "/4 [" not in drawn
