"""``qualitybot check --post`` end to end: the CLI in a subprocess, the platform simulator on loopback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal

import pytest

from qualitybot import cli
from qualitybot.config import PlatformConfig
from qualitybot.formatters.markdown import MARKER
from tests.platform_sim import Fault, PlatformSimulator
from tests.report_samples import clean_document, failing_document

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "reports"
HARBOUR = FIXTURES / "harbour-fire.md"  # front matter: submission_id sub_harbour, revision 2
TOKEN = "tok_live_do-not-print-me-8c1f"
FAST = "  backoff: 0.01\n  max_backoff: 0.05\n  read_timeout: 0.5\n  deadline: 10\n"


@pytest.fixture
def sim() -> Iterator[PlatformSimulator]:
    with PlatformSimulator(token=TOKEN) as simulator:
        yield simulator


def qualitybot(
    tmp_path: Path, platform: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    rules = tmp_path / "qualitybot.yml"
    rules.write_text(f"extends: default\nplatform:\n{platform}{FAST}", encoding="utf-8")
    environ = {"PATH": "", "PYTHONIOENCODING": "utf-8", "QUALITYBOT_PLATFORM_TOKEN": TOKEN, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "qualitybot", "check", "--rules", str(rules), "--post", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environ,
        cwd=ROOT,
        timeout=300,
    )


def test_post_creates_then_updates_one_comment(sim: PlatformSimulator, tmp_path: Path) -> None:
    platform = f"  api: {sim.url}\n"
    first = qualitybot(tmp_path, platform, str(HARBOUR), "--format", "json")
    second = qualitybot(tmp_path, platform, str(HARBOUR), "--format", "json")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    (comment,) = sim.comments["sub_harbour"]
    assert f"created comment {comment['id']} on submission sub_harbour" in first.stderr
    assert f"updated comment {comment['id']} on submission sub_harbour" in second.stderr
    assert comment["body"].startswith(MARKER) and "revision 2" in comment["body"]
    assert comment["report"]["documents"][0]["path"] == str(HARBOUR)
    assert [r.method for r in sim.requests] == ["GET", "POST", "GET", "GET", "PATCH"]  # the 2nd GET: /me
    assert all(r.headers["idempotency-key"].startswith("qualitybot-r2-") for r in sim.writes())


def test_post_to_the_submission_given(sim: PlatformSimulator, tmp_path: Path) -> None:
    done = qualitybot(tmp_path, f"  api: {sim.url}\n", str(FIXTURES), "--submission", "sub_99", "--format", "sarif")
    assert done.returncode == 0, done.stderr
    (comment,) = sim.comments["sub_99"]
    assert len(comment["report"]["documents"]) == 2  # both fixture articles in one comment
    assert list(sim.comments) == ["sub_99"]


def test_retries_then_succeeds_without_showing_the_token(sim: PlatformSimulator, tmp_path: Path) -> None:
    sim.fail(Fault(status=503, retry_after="0", message="warming up"), Fault(drop=True))
    done = qualitybot(tmp_path, f"  api: {sim.url}\n", str(HARBOUR))
    assert done.returncode == 0, done.stderr
    assert "HTTP 503" in done.stderr and "retry 1 of" in done.stderr
    assert TOKEN not in done.stdout + done.stderr
    assert len(sim.comments["sub_harbour"]) == 1


def test_gives_up_with_exit_3_status_and_message(sim: PlatformSimulator, tmp_path: Path) -> None:
    sim.fail(*[Fault(status=500, message="database on fire")] * 5)
    done = qualitybot(tmp_path, f"  api: {sim.url}\n  max_attempts: 3\n", str(HARBOUR), "--format", "json")
    assert done.returncode == 3
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("qualitybot: cannot post the report:")
    assert "HTTP 500" in last and "database on fire" in last and "gave up after 3 attempts" in last
    assert TOKEN not in done.stdout + done.stderr
    assert '"verdict"' in done.stdout  # the report itself was still written


ERRORS = [
    # (platform settings, arguments, environment, exit status, message)
    pytest.param("", ["-"], {}, 2, "--post needs --submission ID", id="no-submission"),
    pytest.param(
        "  api: API\n",
        ["--submission", "s1", str(HARBOUR)],
        {"QUALITYBOT_PLATFORM_TOKEN": ""},
        2,
        "no token: set QUALITYBOT_PLATFORM_TOKEN",
        id="no-token",
    ),
    pytest.param(
        "  api: API\n",
        [str(HARBOUR)],
        {"QUALITYBOT_PLATFORM_TOKEN": "wrong"},
        3,
        "HTTP 401",
        id="wrong-token",
    ),
]


@pytest.mark.parametrize(("settings", "args", "env", "status", "says"), ERRORS)
def test_post_errors(
    sim: PlatformSimulator,
    tmp_path: Path,
    settings: str,
    args: list[str],
    env: dict[str, str],
    status: int,
    says: str,
) -> None:
    done = qualitybot(tmp_path, settings.replace("API", sim.url) or f"  api: {sim.url}\n", *args, env=env)
    assert done.returncode == status
    assert says in done.stderr
    assert "Traceback" not in done.stderr and TOKEN not in done.stderr
    assert sim.writes() == []


def test_github_pull_request_from_the_workflow(sim: PlatformSimulator, tmp_path: Path) -> None:
    platform = f"  kind: github\n  api: {sim.github_url}\n  repository: news/desk\n"
    env = {"QUALITYBOT_PLATFORM_TOKEN": "", "GITHUB_TOKEN": TOKEN, "GITHUB_REF": "refs/pull/17/merge"}
    done = qualitybot(tmp_path, platform, str(FIXTURES / "council-vote.md"), env=env)
    assert done.returncode == 0, done.stderr
    (comment,) = sim.comments["news/desk#17"]
    assert comment["body"].startswith(MARKER) and "passed" in comment["body"]


REVISIONS = [
    ({}, 1),
    ({"revision": 3}, 3),
    ({"revision": 0}, None),
    ({"revision": "2"}, None),
    ({"revision": True}, None),
]


@pytest.mark.parametrize(("front_matter", "revision"), REVISIONS)
def test_revision_from_front_matter(front_matter: dict[str, object], revision: int | None) -> None:
    if revision is None:
        with pytest.raises(cli.UsageError, match="revision must be a positive whole number"):
            cli._revision("a.md", front_matter)
    else:
        assert cli._revision("a.md", front_matter) == revision


PULL_REQUESTS = [
    ("github", "refs/pull/42/merge", "42"),
    ("github", "refs/heads/main", None),
    ("generic", "refs/pull/42/merge", None),
]


@pytest.mark.parametrize(("kind", "ref", "number"), PULL_REQUESTS)
def test_pull_request_from_github_ref(
    kind: Literal["generic", "github"], ref: str, number: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_REF", ref)
    assert cli._pull_request(PlatformConfig(kind=kind)) == number


def test_one_comment_per_submission_named_in_front_matter(sim: PlatformSimulator) -> None:
    platform = PlatformConfig(api=sim.url, backoff=0.01)
    reports = [failing_document("a.md"), clean_document("b.md"), clean_document("c.md")]
    front_matter: list[Mapping[str, object]] = [
        {"submission_id": "sub_a", "revision": 4},
        {"submission_id": "sub_b"},
        {"submission_id": "sub_a", "revision": 5},
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("QUALITYBOT_PLATFORM_TOKEN", TOKEN)
        cli.post(platform, reports, front_matter, None)
    assert sorted(sim.comments) == ["sub_a", "sub_b"]
    assert [d["path"] for d in sim.comments["sub_a"][0]["report"]["documents"]] == ["a.md", "c.md"]
    assert "revision 5" in sim.comments["sub_a"][0]["body"]  # the newest revision of the group
