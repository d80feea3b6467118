"""Posting the sticky comment, against the platform simulator (a real HTTP server on loopback)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from qualitybot.config import ConfigError, PlatformConfig, load_rules
from qualitybot.formatters.markdown import COMMENT_LIMIT, MARKER
from qualitybot.platform import PlatformConfigError, PlatformError, post_report, publish
from qualitybot.report import Report
from tests.platform_sim import Fault, PlatformSimulator
from tests.report_samples import clean_document, failing_report, huge_report, mixed_report

REPORT_SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "qualitybot-report.schema.json"
TOKEN = "s3cr3t-platform-token"
ENV = {"QUALITYBOT_PLATFORM_TOKEN": TOKEN}
# Tiny delays so retries take milliseconds; read timeouts well under the simulator's delays.
FAST: dict[str, Any] = {
    "backoff": 0.01,
    "max_backoff": 0.05,
    "connect_timeout": 1.0,
    "read_timeout": 0.3,
    "deadline": 10.0,
}


@pytest.fixture
def sim() -> Iterator[PlatformSimulator]:
    with PlatformSimulator(token=TOKEN) as simulator:
        yield simulator


def generic(sim: PlatformSimulator, **overrides: Any) -> PlatformConfig:
    return PlatformConfig(api=sim.url, **{**FAST, **overrides})


def github(sim: PlatformSimulator, **overrides: Any) -> PlatformConfig:
    return PlatformConfig(kind="github", api=sim.github_url, repository="news/articles", **{**FAST, **overrides})


# --- create, then update the same comment --------------------------------------------------


def test_creates_then_updates_the_same_comment(sim: PlatformSimulator) -> None:
    first = publish(failing_report(), "sub_1", 1, generic(sim), environ=ENV)
    second = publish(Report([clean_document()]), "sub_1", 2, generic(sim), environ=ENV)

    assert first.created and not second.created
    assert first.comment_id == second.comment_id
    assert len(sim.comments["sub_1"]) == 1
    comment = sim.comments["sub_1"][0]
    assert comment["verdict"] == "pass" and comment["report"]["verdict"] == "pass"
    jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))).validate(comment["report"])
    assert comment["body"].startswith(MARKER) and "passed" in comment["body"]
    assert [(r.method, r.path) for r in sim.requests] == [
        ("GET", "/api/submissions/sub_1/comments"),
        ("POST", "/api/submissions/sub_1/comments"),
        ("GET", "/api/submissions/sub_1/comments"),
        ("GET", "/api/me"),  # whose comment is it? (asked once per process)
        ("PATCH", f"/api/submissions/sub_1/comments/{first.comment_id}"),
    ]
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in sim.requests)
    keys = [r.headers.get("idempotency-key") for r in sim.writes()]
    assert all(keys) and keys[0] != keys[1]


def test_finds_its_comment_among_others_by_the_marker(sim: PlatformSimulator) -> None:
    sim.comments["sub_7"] = [
        {"id": "c_h1", "body": "Looks good to me, but check the date."},
        {"id": "c_bot", "body": f"{MARKER}\nold report", "verdict": "fail", "report": {}},
        {"id": "c_h2", "body": "Fixed the quotes."},
    ]
    comment_id = post_report(failing_report(), "sub_7", 4, generic(sim), environ=ENV)
    assert comment_id == "c_bot"
    assert [c["id"] for c in sim.comments["sub_7"]] == ["c_h1", "c_bot", "c_h2"]
    assert "old report" not in sim.comments["sub_7"][1]["body"]


def test_submission_ids_cannot_escape_their_path(sim: PlatformSimulator) -> None:
    post_report(failing_report(), "../admin/x", 1, generic(sim), environ=ENV)
    assert sim.requests[0].path == "/api/submissions/..%2Fadmin%2Fx/comments"


@pytest.mark.parametrize("submission_id", [".", "..", " ", "\t", "sub 1", "sub\n1", ""])
def test_dot_segments_and_whitespace_ids_are_refused(sim: PlatformSimulator, submission_id: str) -> None:
    # "." and ".." once made the bot request {api}/submissions/comments and {api}/comments.
    with pytest.raises(PlatformConfigError, match="submission id"):
        post_report(failing_report(), submission_id, 1, generic(sim), environ=ENV)
    assert sim.requests == []


@pytest.mark.parametrize("repository", ["../x", "a/..", "./b"])
def test_github_repository_dot_segments_are_refused(sim: PlatformSimulator, repository: str) -> None:
    config = PlatformConfig(kind="github", api=sim.github_url, repository=repository, **FAST)
    with pytest.raises(PlatformConfigError, match="repository"):
        post_report(failing_report(), "1", 1, config, environ={"GITHUB_TOKEN": TOKEN})
    assert sim.requests == []


# --- only our own comment is updated -----------------------------------------------------------

FOREIGN = f"{MARKER}\nI copied the bot's marker into my comment."


def test_a_marked_comment_by_someone_else_is_left_alone(sim: PlatformSimulator) -> None:
    sim.comments["sub_f"] = [{"id": "c_evil", "body": FOREIGN, "author": {"id": "u_mallory"}}]
    posted = publish(failing_report(), "sub_f", 1, generic(sim), environ=ENV)
    again = publish(Report([clean_document()]), "sub_f", 2, generic(sim), environ=ENV)
    assert posted.created and not again.created and again.comment_id == posted.comment_id
    evil, ours = sim.comments["sub_f"]
    assert evil == {"id": "c_evil", "body": FOREIGN, "author": {"id": "u_mallory"}}, "the foreign comment is untouched"
    assert ours["author"] == {"id": "u_bot"} and "passed" in ours["body"]
    assert not [r for r in sim.writes() if r.path.endswith("c_evil")]


def test_the_bot_identity_can_be_configured(sim: PlatformSimulator) -> None:
    sim.identity = "u_newsroom_bot"
    sim.comments["sub_c"] = [
        {"id": "c_evil", "body": FOREIGN, "author": {"id": "u_mallory"}},
        {"id": "c_ours", "body": f"{MARKER}\nold", "author": {"id": "u_newsroom_bot"}},
    ]
    assert post_report(failing_report(), "sub_c", 3, generic(sim, author="u_newsroom_bot"), environ=ENV) == "c_ours"
    assert "/api/me" not in [r.path for r in sim.requests], "configured: not asked"


def test_github_leaves_a_human_comment_with_the_marker_alone(sim: PlatformSimulator) -> None:
    sim.comments["news/articles#5"] = [{"id": 900, "body": FOREIGN, "user": {"login": "mallory", "type": "User"}}]
    posted = publish(failing_report(), "5", 1, github(sim), environ={"GITHUB_TOKEN": TOKEN})
    assert posted.created and posted.comment_id != "900"
    assert sim.comments["news/articles#5"][0]["body"] == FOREIGN


@pytest.mark.parametrize(("in_actions", "created"), [(True, False), (False, None)])
def test_github_installation_token_identity(sim: PlatformSimulator, in_actions: bool, created: bool | None) -> None:
    # GET /user is refused to the Actions token: inside Actions the bot is github-actions[bot].
    sim.github_user_forbidden = True
    bot = {"login": "github-actions[bot]", "type": "Bot"}
    sim.comments["news/articles#8"] = [{"id": 901, "body": f"{MARKER}\nold", "user": bot}]
    env = {"GITHUB_TOKEN": TOKEN, **({"GITHUB_ACTIONS": "true"} if in_actions else {})}
    if created is None:
        with pytest.raises(PlatformConfigError, match="author"):
            publish(failing_report(), "8", 2, github(sim), environ=env)
        return
    assert publish(failing_report(), "8", 2, github(sim), environ=env).comment_id == "901"


# --- tokens ------------------------------------------------------------------------------------


def test_a_token_with_a_trailing_newline_is_stripped(sim: PlatformSimulator) -> None:
    post_report(failing_report(), "sub_nl", 1, generic(sim), environ={"QUALITYBOT_PLATFORM_TOKEN": f"{TOKEN}\n"})
    assert sim.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("token", [f"{TOKEN}\u2019x", f"{TOKEN} x", f"x\n{TOKEN}y"])
def test_an_unusable_token_is_refused_without_showing_it(sim: PlatformSimulator, token: str) -> None:
    with pytest.raises(PlatformConfigError) as caught:
        post_report(failing_report(), "sub_t", 1, generic(sim), environ={"QUALITYBOT_PLATFORM_TOKEN": token})
    assert "QUALITYBOT_PLATFORM_TOKEN" in str(caught.value) and TOKEN not in str(caught.value)
    assert sim.requests == []


def test_same_revision_twice_is_one_comment(sim: PlatformSimulator) -> None:
    for _ in range(3):
        post_report(failing_report(), "sub_2", 5, generic(sim), environ=ENV)
    assert len(sim.comments["sub_2"]) == 1


# --- retries -----------------------------------------------------------------------------------

RETRIED = [
    pytest.param([Fault(status=500)], 2, id="500-then-ok"),
    pytest.param([Fault(status=502), Fault(status=503), Fault(status=504)], 4, id="three-5xx"),
    pytest.param([Fault(status=429, retry_after="0")], 2, id="429-retry-after-0"),
    pytest.param([Fault(delay=2.0)], 2, id="read-timeout"),
    pytest.param([Fault(drop=True)], 2, id="connection-dropped"),
    pytest.param([Fault(status=403, retry_after="0")], 2, id="github-style-403-rate-limit"),
]


@pytest.mark.parametrize(("faults", "gets"), RETRIED)
def test_retries_failures_that_may_pass(sim: PlatformSimulator, faults: list[Fault], gets: int) -> None:
    sim.fail(*faults)
    comment_id = post_report(failing_report(), "sub_3", 1, generic(sim), environ=ENV)
    assert [r.method for r in sim.requests] == ["GET"] * gets + ["POST"]
    assert [c["id"] for c in sim.comments["sub_3"]] == [comment_id]


def test_honours_retry_after(sim: PlatformSimulator) -> None:
    sim.fail(Fault(status=429, retry_after="1"))
    post_report(failing_report(), "sub_4", 1, generic(sim), environ=ENV)
    first, second = sim.requests[0], sim.requests[1]
    assert second.at - first.at >= 1.0  # waited as asked, although the backoff is 10 ms


def test_a_lost_answer_to_a_create_does_not_duplicate_the_comment(sim: PlatformSimulator) -> None:
    # The platform creates the comment but the answer never arrives (read timeout);
    # the retry carries the same Idempotency-Key and gets the first answer back.
    sim.fail(Fault(method="POST", after_processing=True, delay=2.0))
    comment_id = post_report(failing_report(), "sub_5", 1, generic(sim), environ=ENV)
    posts = [r for r in sim.requests if r.method == "POST"]
    assert len(posts) == 2 and posts[1].replayed
    assert posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    assert [c["id"] for c in sim.comments["sub_5"]] == [comment_id]


GIVE_UP = [
    pytest.param(
        [Fault(status=503, message="maintenance")] * 10,
        {"max_attempts": 3},
        3,
        503,
        "maintenance",
        id="attempts-spent",
    ),
    pytest.param(
        [Fault(status=429, retry_after="3600", message="slow down")],
        {},
        1,
        429,
        "deadline",
        id="retry-after-past-deadline",
    ),
    pytest.param(
        [Fault(status=500, message="boom")] * 50,
        {"backoff": 0.2, "max_backoff": 0.2, "deadline": 0.5, "max_attempts": 50},
        None,
        500,
        "deadline",
        id="deadline",
    ),
    pytest.param([Fault(status=401, message="invalid token")], {}, 1, 401, "invalid token", id="401-not-retried"),
    pytest.param(
        [Fault(status=404, message="no such submission")],
        {},
        1,
        404,
        "no such submission",
        id="404-not-retried",
    ),
    pytest.param([Fault(delay=2.0)] * 10, {"max_attempts": 2}, 2, None, "timed out", id="timeouts"),
    pytest.param(
        [Fault(status=403, message="Resource not accessible by integration")],
        {},
        1,
        403,
        "not accessible",
        id="403-permission-not-retried",
    ),
]


@pytest.mark.parametrize(("faults", "overrides", "attempts", "status", "says"), GIVE_UP)
def test_gives_up_with_status_and_message(
    sim: PlatformSimulator,
    faults: list[Fault],
    overrides: dict[str, Any],
    attempts: int | None,
    status: int | None,
    says: str,
) -> None:
    sim.fail(*faults)
    with pytest.raises(PlatformError) as caught:
        post_report(failing_report(), "sub_6", 1, generic(sim, **overrides), environ=ENV)
    error = caught.value
    assert error.status == status
    assert says in str(error)
    assert TOKEN not in str(error)
    if attempts is not None:
        assert len(sim.requests) == attempts
    else:
        assert 1 < len(sim.requests) < 50  # stopped by the deadline, not by the attempts
    assert sim.comments.get("sub_6", []) == []


def test_wrong_token_is_a_clear_401(sim: PlatformSimulator) -> None:
    with pytest.raises(PlatformError) as caught:
        post_report(failing_report(), "sub_8", 1, generic(sim), environ={"QUALITYBOT_PLATFORM_TOKEN": "wrong"})
    assert caught.value.status == 401 and "invalid or missing bearer token" in str(caught.value)
    assert len(sim.requests) == 1


def test_connection_refused_gives_up(sim: PlatformSimulator) -> None:
    url = sim.url
    sim.stop()
    config = PlatformConfig(api=url, **{**FAST, "max_attempts": 2})
    with pytest.raises(PlatformError) as caught:
        post_report(failing_report(), "sub_9", 1, config, environ=ENV)
    assert caught.value.status is None and "cannot connect" in str(caught.value)
    assert "gave up after 2 attempts" in str(caught.value)


# --- configuration -------------------------------------------------------------------------


CONFIG_ERRORS = [
    pytest.param({"api": ""}, ENV, "no platform API URL", id="no-api"),
    pytest.param({"api": "http://127.0.0.1:9/api"}, {}, "QUALITYBOT_PLATFORM_TOKEN", id="no-token"),
    pytest.param(
        {"api": "http://127.0.0.1:9/api", "token_env": "NEWSROOM_TOKEN"},
        ENV,
        "NEWSROOM_TOKEN",
        id="token-env-named",
    ),
    pytest.param({"api": "http://platform.example/api"}, ENV, "plain http", id="http-not-loopback"),
    pytest.param({"api": "https://user:pw@platform.example/api"}, ENV, "credentials", id="credentials-in-url"),
    pytest.param({"api": "ftp://platform.example"}, ENV, "http(s) URL", id="not-http"),
    pytest.param({"kind": "github", "api": "http://127.0.0.1:9"}, ENV, "repository", id="github-no-repo"),
    pytest.param(
        {"kind": "github", "api": "http://127.0.0.1:9", "repository": "a/b"},
        {},
        "GITHUB_TOKEN",
        id="github-no-token",
    ),
]


@pytest.mark.parametrize(("settings", "environ", "says"), CONFIG_ERRORS)
def test_configuration_errors(settings: dict[str, Any], environ: dict[str, str], says: str) -> None:
    with pytest.raises(PlatformConfigError) as caught:
        post_report(failing_report(), "1", 1, PlatformConfig(**settings), environ=environ)
    assert says in str(caught.value)


# --- size ------------------------------------------------------------------------------------


def test_a_huge_report_fits_the_comment_limit(sim: PlatformSimulator) -> None:
    sim.max_comment_chars = COMMENT_LIMIT
    post_report(huge_report(), "sub_big", 1, generic(sim), environ=ENV)
    body = sim.comments["sub_big"][0]["body"]
    assert len(body) <= COMMENT_LIMIT
    assert body.startswith(MARKER) and "shortened" in body


# --- GitHub ------------------------------------------------------------------------------------


def test_github_creates_then_updates_the_pull_request_comment(sim: PlatformSimulator) -> None:
    env = {"GITHUB_TOKEN": TOKEN}
    first = publish(failing_report(), "42", 1, github(sim), environ=env)
    second = publish(mixed_report(), "42", 2, github(sim), environ=env)
    assert first.created and not second.created and first.comment_id == second.comment_id
    assert [(r.method, r.path) for r in sim.requests] == [
        ("GET", "/github/repos/news/articles/issues/42/comments"),
        ("POST", "/github/repos/news/articles/issues/42/comments"),
        ("GET", "/github/repos/news/articles/issues/42/comments"),
        ("GET", "/github/user"),
        ("PATCH", f"/github/repos/news/articles/issues/comments/{first.comment_id}"),
    ]
    assert sim.requests[0].headers["accept"] == "application/vnd.github+json"
    assert sim.requests[0].query["per_page"] == ["100"]
    (comment,) = sim.comments["news/articles#42"]
    assert set(comment) == {"id", "body", "user"} and "2 documents" in comment["body"]


def test_github_walks_the_pages_to_find_its_comment(sim: PlatformSimulator) -> None:
    sim.comments["news/articles#7"] = [{"id": 1000 + n, "body": f"review note {n}"} for n in range(250)]
    sim.comments["news/articles#7"][230]["body"] = f"{MARKER}\nold"
    comment_id = post_report(failing_report(), "7", 3, github(sim), environ={"GITHUB_TOKEN": TOKEN})
    assert comment_id == "1230"
    assert [r.query.get("page", ["1"])[0] for r in sim.requests if r.method == "GET"] == ["1", "2", "3"]
    assert len(sim.comments["news/articles#7"]) == 250


def test_github_repository_from_the_environment(sim: PlatformSimulator) -> None:
    config = PlatformConfig(kind="github", api=sim.github_url, **FAST)
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_REPOSITORY": "desk/stories"}
    post_report(failing_report(), "3", 1, config, environ=env)
    assert list(sim.comments) == ["desk/stories#3"]


def test_github_needs_a_pull_request_number(sim: PlatformSimulator) -> None:
    with pytest.raises(PlatformConfigError, match="pull request number"):
        post_report(failing_report(), "sub_1", 1, github(sim), environ={"GITHUB_TOKEN": TOKEN})
    assert sim.requests == []


def test_a_comment_deleted_meanwhile_is_created_again(sim: PlatformSimulator) -> None:
    sim.comments["sub_10"] = [{"id": "c_gone", "body": f"{MARKER}\nold", "verdict": "fail", "report": {}}]
    sim.fail(Fault(method="PATCH", status=404, message="no such comment"))
    posted = publish(failing_report(), "sub_10", 2, generic(sim), environ=ENV)
    assert posted.created and posted.comment_id != "c_gone"
    assert [r.method for r in sim.requests] == ["GET", "PATCH", "POST"]


def test_simulator_waits_for_background_posts(sim: PlatformSimulator) -> None:
    def has_comment(s: PlatformSimulator) -> bool:
        return bool(s.comments.get("sub_bg"))

    assert not sim.wait_until(has_comment, timeout=0.05)
    poster = threading.Thread(
        target=post_report, args=(failing_report(), "sub_bg", 1, generic(sim)), kwargs={"environ": ENV}
    )
    poster.start()
    assert sim.wait_until(has_comment, timeout=10)
    poster.join(10)


def test_environment_proxies_and_netrc_do_not_interfere(
    sim: PlatformSimulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A proxy that does not exist (loopback is reached directly) and .netrc
    # credentials for the host (the bearer token must not be swapped for them).
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    post_report(failing_report(), "sub_env", 1, generic(sim), environ=ENV)
    assert {r.headers["authorization"] for r in sim.requests} == {f"Bearer {TOKEN}"}
    assert len(sim.comments["sub_env"]) == 1


PLATFORM_SECTIONS = [
    ("  backof: 2\n", "rules.yml:4: platform.backof: unknown key 'backof'; did you mean 'backoff'?"),
    ("  deadline: -1\n", "rules.yml:4: platform.deadline: must be more than 0, got -1"),
    ("  kind: gitlab\n", "rules.yml:4: platform.kind: unknown value 'gitlab'; did you mean 'github'?"),
]


@pytest.mark.parametrize(("extra", "message"), PLATFORM_SECTIONS)
def test_platform_section_errors_name_file_and_line(
    extra: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("rules.yml").write_text(f"extends: default\nplatform:\n  api: https://p.example/api\n{extra}")
    with pytest.raises(ConfigError) as caught:
        load_rules("rules.yml")
    assert any(m.startswith(message) for m in caught.value.messages), caught.value.messages


def test_requests_follow_the_published_comment_api_schema(sim: PlatformSimulator) -> None:
    """docs/platform.md's schema describes what the adapter really sends and reads."""
    from referencing import Registry, Resource

    comment_schema = json.loads((REPORT_SCHEMA.parent / "qualitybot-comment.schema.json").read_text(encoding="utf-8"))
    report_schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    registry = Registry().with_resource(report_schema["$id"], Resource.from_contents(report_schema))
    validator = jsonschema.Draft202012Validator(comment_schema, registry=registry)
    publish(failing_report(), "sub_1", 1, generic(sim), environ=ENV)
    publish(Report([clean_document()]), "sub_1", 2, generic(sim), environ=ENV)
    writes = sim.writes()
    assert [w.method for w in writes] == ["POST", "PATCH"]
    for write in writes:
        validator.validate(write.body)
    listed = [dict(c) for c in sim.comments["sub_1"]]
    for name, instance in (("comment_list", listed), ("me", {"id": sim.identity})):
        jsonschema.Draft202012Validator({**comment_schema["$defs"][name], "$defs": comment_schema["$defs"]}).validate(
            instance
        )
