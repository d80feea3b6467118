"""The bot service against hostile and unlucky input (issues #18 and #19).

Real ``qualitybot serve`` processes on 127.0.0.1 and the platform simulator; every
case reproduces an attack or accident that once did harm and shows that it no longer
does. Every wait is bounded.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from qualitybot.service.checking import LARGE_LANE
from qualitybot.service.logs import JsonLines, RateLimit
from qualitybot.service.signatures import standard_headers
from tests.hostile_cases import CASES
from tests.platform_sim import PlatformSimulator
from tests.service_harness import (
    SECRET,
    TOKEN,
    Proc,
    Service,
    event,
    named,
    named_children,
    processes_with_env,
    service_env,
    wait_for,
    write_rules,
)
from tests.test_service import QUICK_PLATFORM, all_posted, comments_of, shows_revision

MARKER = "<!-- qualitybot:report -->"
# The token as a secret mounted from a file holds it: with a trailing newline.
PLANTED_TOKEN = TOKEN + "\n"
LARGE = 20_000  # bytes: events above this go to the large-document lane in these tests


def large_body(submission_id: str, revision: int) -> str:
    paragraph = f"Paragraph of revision {revision} of {submission_id}. It has two short sentences.\n\n"
    return paragraph * (LARGE // len(paragraph) + 50)


def raw_event(submission: dict[str, Any], **extra: Any) -> bytes:
    return json.dumps({"type": "submission.updated", "submission": submission, **extra}).encode()


def submission(sub_id: Any, revision: Any = 1, **fields: Any) -> dict[str, Any]:
    return {"id": sub_id, "revision": revision, "body": "A fine sentence.", **fields}


def logged(service: Service, msg: str, **fields: Any) -> list[dict[str, Any]]:
    return [
        line
        for line in service.log_lines()
        if str(line.get("msg", "")).startswith(msg) and all(line.get(k) == v for k, v in fields.items())
    ]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, PlatformSimulator]]:
    tmp = tmp_path_factory.mktemp("hostile")
    with PlatformSimulator(token=TOKEN) as sim:
        rules = write_rules(tmp / "rules.yml", sim.url, **QUICK_PLATFORM)
        env = {
            "QUALITYBOT_PLATFORM_TOKEN": PLANTED_TOKEN,
            "QUALITYBOT_LARGE_DOCUMENT": str(LARGE),
            # Leases expire after a second: a check that outlives its lease is easy to stage.
            "QUALITYBOT_LEASE_TTL": "1",
        }
        # Few file descriptors, as on a small server: a flood of connections must not exhaust them.
        service = Service(
            rules,
            tmp / "data",
            tmp / "serve.log",
            env=env,
            nofile=1024,
            max_body=0.25,
            extra_args=["--header-timeout", "2", "--body-timeout", "2"],
        ).start()
        try:
            yield service, sim
        finally:
            service.stop()
            log = (tmp / "serve.log").read_text(encoding="utf-8")
            assert TOKEN not in log and SECRET not in log, "a secret reached the log"
            assert "Traceback" not in log


# --- payloads are validated before they touch storage -----------------------------------------

DEEP = 30_000
BAD_PAYLOADS: list[tuple[str, bytes, str]] = [
    ("revision 2**63", raw_event(submission("x-r63", 2**63)), "submission.revision"),
    (
        "revision of 5,000 digits",
        raw_event(submission("x-r5k", 0)).replace(b'"revision": 0', b'"revision": ' + b"9" * 5000),
        "number too large",
    ),
    ("negative revision", raw_event(submission("x-neg", -1)), "submission.revision"),
    ("fractional revision", raw_event(submission("x-frac", 1.5)), "submission.revision"),
    (
        "JSON nested 30,000 levels",
        raw_event(submission("x-deep"), extra=[[]]).replace(b"[[]]", b"[" * DEEP + b"]" * DEEP),
        "nested",
    ),
    (
        "JSON nested 100 levels",
        raw_event(submission("x-deep2"), extra=[[]]).replace(b"[[]]", b"[" * 100 + b"]" * 100),
        "nested",
    ),
    ("id '.'", raw_event(submission(".")), "submission.id"),
    ("id '..'", raw_event(submission("..")), "submission.id"),
    ("id ' '", raw_event(submission(" ")), "submission.id"),
    ("id tab", raw_event(submission("\t")), "submission.id"),
    ("id with a space", raw_event(submission("sub 1")), "submission.id"),
    ("id with a slash", raw_event(submission("../admin")), "submission.id"),
    ("id of 201 characters", raw_event(submission("s" * 201)), "submission.id"),
    ("id not a string", raw_event(submission(12)), "submission.id"),
    ("title of 5,000 characters", raw_event(submission("x-title", title="t" * 5000)), "submission.title"),
    ("type of 500 characters", json.dumps({"type": "t" * 500}).encode(), "type"),
]


@pytest.mark.parametrize(("case", "body", "reason"), BAD_PAYLOADS, ids=[b[0] for b in BAD_PAYLOADS])
def test_bad_payloads_are_400_with_a_reason(
    hostile: tuple[Service, PlatformSimulator], case: str, body: bytes, reason: str
) -> None:
    service, _ = hostile
    answer = service.send(body)
    assert answer.status_code == 400, answer.text
    assert reason in answer.json()["error"]


def test_a_malformed_delivery_id_is_400(hostile: tuple[Service, PlatformSimulator]) -> None:
    service, _ = hostile
    assert service.send(event("x-delivery", 1), "msg with spaces").status_code == 400


def test_bad_events_in_a_burst_do_not_fail_the_valid_ones(hostile: tuple[Service, PlatformSimulator]) -> None:
    # Once, 4 events with revision 2**63 among 40 made 11 valid ones fail too (a shared commit).
    service, sim = hostile
    bodies = [(f"burst-{i:02d}", event(f"burst-{i:02d}", 1)) for i in range(40)]
    for i in (5, 15, 25, 35):
        bodies[i] = (f"x-burst-{i}", raw_event(submission(f"x-burst-{i}", 2**63)))

    def send(item: tuple[str, bytes]) -> tuple[str, int]:
        headers = standard_headers(SECRET, f"d-{item[0]}", item[1], int(time.time()))
        answer = requests.post(service.url + "/webhooks/submissions", data=item[1], headers=headers, timeout=30)
        return item[0], answer.status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = dict(pool.map(send, bodies))
    assert {sub for sub, status in answers.items() if status != 202} == {f"x-burst-{i}" for i in (5, 15, 25, 35)}
    assert all(answers[f"x-burst-{i}"] == 400 for i in (5, 15, 25, 35))
    expected = {sub: 1 for sub, status in answers.items() if status == 202}
    assert wait_for(lambda: all_posted(sim, expected), timeout=60)


# --- submissions that once crashed the check get normal reports -----------------------------------

ONCE_POISONOUS = [
    ("cr-only", "First line of the story.\rSecond line of it.\rThird and last.\r"),
    ("feb-30", "---\ntitle: Leap\ndate: 2024-02-30\n---\nIt happened on a day that does not exist.\n"),
    ("control-characters", "A form\ffeed, a vertical\vtab.\x85A next line.\u2028A line separator."),
]


@pytest.mark.parametrize(("sub", "body"), ONCE_POISONOUS, ids=[c[0] for c in ONCE_POISONOUS])
def test_once_poisonous_submissions_get_normal_reports(
    hostile: tuple[Service, PlatformSimulator], sub: str, body: str
) -> None:
    # Once, these were acknowledged, retried 8 times with the same internal error, then dropped.
    service, sim = hostile
    assert service.send(event(sub, 1, body=body)).status_code == 202
    assert wait_for(lambda: all_posted(sim, {sub: 1}), timeout=30)
    (comment,) = sim.comments[sub]
    assert "could not check" not in comment["body"] and comment["verdict"] in ("pass", "fail")


def test_every_hostile_shape_gets_a_report_from_the_bot(hostile: tuple[Service, PlatformSimulator]) -> None:
    # The shapes of tests/hostile_cases.py (the CLI runs them at larger sizes), as submissions.
    service, sim = hostile
    expected = {}
    for case in CASES:
        sub = f"shape-{case.name}"
        fmt = "markdown" if case.suffix == ".md" else "text"
        body = raw_event({"id": sub, "revision": 1, "body": case.make(12_000), "format": fmt})
        assert service.send(body).status_code == 202, case.name
        expected[sub] = 1
    assert wait_for(lambda: all_posted(sim, expected), timeout=120), set(expected) - set(comments_of(sim))
    assert not [sub for sub in expected if "could not check" in sim.comments[sub][0]["body"]]


# --- only our own comment is updated -----------------------------------------------------------


def test_a_foreign_comment_with_the_marker_is_not_overwritten(hostile: tuple[Service, PlatformSimulator]) -> None:
    service, sim = hostile
    foreign = {"id": "c_mallory", "body": f"{MARKER}\nPlease merge.", "author": {"id": "u_mallory"}}
    sim.comments["foreign"] = [dict(foreign)]
    assert service.send(event("foreign", 1)).status_code == 202
    assert wait_for(lambda: len(sim.comments["foreign"]) == 2, timeout=30)
    mine = sim.comments["foreign"][1]
    assert sim.comments["foreign"][0] == foreign and mine["author"] == {"id": "u_bot"}
    assert "revision 1" in mine["body"]


# --- heavy submissions, a lease that expires mid-check, a crashed check process --------------------


def test_heavy_submissions_do_not_starve_others_and_the_newest_revision_wins(
    hostile: tuple[Service, PlatformSimulator],
) -> None:
    service, sim = hostile
    assert service.send(event("big-0", 1, body=large_body("big-0", 1))).status_code == 202
    assert wait_for(lambda: all_posted(sim, {"big-0": 1}), timeout=60), "the large-document lane works"
    (lane,) = named_children(service, LARGE_LANE)
    # The large lane's process stops dead: every heavy submission is stuck behind it.
    os.kill(lane, signal.SIGSTOP)
    try:
        for sub in ("fence", "big-1", "big-2"):
            assert service.send(event(sub, 1, body=large_body(sub, 1))).status_code == 202
        time.sleep(1.5)  # revision 1 of "fence" is in its check; its one-second lease expires
        light = {f"light-{i}": 1 for i in range(10)}
        for sub in light:
            assert service.send(event(sub, 1)).status_code == 202
        assert service.send(event("fence", 2)).status_code == 202  # a small revision 2
        expected = {**light, "fence": 2}
        assert wait_for(lambda: all_posted(sim, expected), timeout=60), "ordinary submissions within a minute"
        assert "big-1" not in comments_of(sim) and "big-2" not in comments_of(sim)
    finally:
        os.kill(lane, signal.SIGCONT)
    # Revision 1's check ends now, after revision 2 was posted: its worker must not post it.
    assert wait_for(lambda: all_posted(sim, {"big-1": 1, "big-2": 1}), timeout=60)

    def fenced() -> bool:
        return bool(logged(service, "not posted: the lease was taken over", submission_id="fence"))

    wait_for(fenced, 10)
    time.sleep(1.0)
    for sub, revision in {**expected, "big-0": 1, "big-1": 1, "big-2": 1}.items():
        thread = sim.comments[sub]
        assert len(thread) == 1 and shows_revision(thread[0], sub, revision), (
            f"{sub}: not one comment of revision {revision}"
        )
    assert fenced(), "the stale worker saw that its lease was taken over"


def test_a_killed_check_process_is_replaced_without_failing_other_events(
    hostile: tuple[Service, PlatformSimulator],
) -> None:
    service, sim = hostile
    if not named_children(service, LARGE_LANE):
        assert service.send(event("big-warm", 1, body=large_body("big-warm", 1))).status_code == 202
        assert wait_for(lambda: bool(named_children(service, LARGE_LANE)), timeout=60)
    (lane,) = named_children(service, LARGE_LANE)
    os.kill(lane, signal.SIGSTOP)
    assert service.send(event("crash", 1, body=large_body("crash", 1))).status_code == 202
    calm = {f"calm-{i}": 1 for i in range(4)}
    for sub in calm:
        assert service.send(event(sub, 1)).status_code == 202
    assert wait_for(lambda: all_posted(sim, calm), timeout=60)
    os.kill(lane, signal.SIGKILL)  # as the kernel's OOM killer would
    assert wait_for(lambda: all_posted(sim, {"crash": 1}), timeout=60), "checked again in a new process"
    assert MARKER in sim.comments["crash"][0]["body"] and "could not check" not in sim.comments["crash"][0]["body"]
    assert named_children(service, LARGE_LANE) != [lane]


# --- slow and idle clients -------------------------------------------------------------------------


def test_thousands_of_stalled_connections_do_not_block_a_webhook(hostile: tuple[Service, PlatformSimulator]) -> None:
    # Once, connections that never finished their headers stayed open for ever; past the file
    # limit new webhooks timed out and the log grew by a million lines a minute.
    service, sim = hostile
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 3500:
        pytest.skip(f"this test needs 3,500 open files (hard limit {hard})")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4000), hard))
    lines_before = len(service.log_lines())
    stalled: list[socket.socket] = []
    try:
        for _ in range(3000):
            sock = socket.create_connection(("127.0.0.1", service.port), timeout=5)
            sock.sendall(b"POST /webhooks/submissions HTTP/1.1\r\nHost: bot\r\n")  # and never more
            stalled.append(sock)
        started = time.monotonic()
        answer = service.send(event("after-flood", 1))
        took = time.monotonic() - started
        assert answer.status_code == 202
        assert took < 8, f"acknowledged after {took:.1f}s"  # about 0.05 s unloaded; the old server never answered
        # The stalled connections are closed: the oldest to make room, the rest after the header timeout.
        first = stalled[0]
        first.settimeout(10)
        try:
            closed = first.recv(1) == b""
        except ConnectionResetError:
            closed = True
        assert closed
    finally:
        for sock in stalled:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert wait_for(lambda: all_posted(sim, {"after-flood": 1}), timeout=30)
    summary = "closed slow or idle connections"
    assert wait_for(lambda: any(summary in str(ln.get("msg")) for ln in service.log_lines()[lines_before:]), 15)
    new_lines = service.log_lines()[lines_before:]
    assert len(new_lines) < 50, f"{len(new_lines)} log lines for one flood"


def test_a_body_that_never_arrives_is_cut_off(hostile: tuple[Service, PlatformSimulator]) -> None:
    service, _ = hostile
    with socket.create_connection(("127.0.0.1", service.port), timeout=60) as sock:
        sock.sendall(b"POST /webhooks/submissions HTTP/1.1\r\nHost: bot\r\nContent-Length: 1000\r\n\r\n{")
        started = time.monotonic()
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
        assert time.monotonic() - started < 15  # --body-timeout 2
        assert data == b"" or data.startswith(b"HTTP/1.1 408")


# --- poison events end visibly ---------------------------------------------------------------------


def test_an_event_that_fails_the_same_way_gets_one_could_not_check_comment(tmp_path: Path) -> None:
    # Once, such an event was retried 8 times with the same internal error, then dropped silently.
    heavy = "A sentence of the endless report goes on.\n\n" * 50_000  # 2 MB: its check outlives the limit
    with PlatformSimulator(token=TOKEN) as sim:
        rules = write_rules(tmp_path / "rules.yml", sim.url, **QUICK_PLATFORM)
        env = {"QUALITYBOT_CHECK_TIMEOUT": "0.5", "QUALITYBOT_CHECK_ATTEMPTS": "3"}
        service = Service(rules, tmp_path / "data", tmp_path / "serve.log", env=env, max_body=4).start()
        try:
            assert service.send(event("poison", 1, body=heavy), "d-poison").status_code == 202
            fine = {f"fine-{i}": 1 for i in range(3)}
            for sub in fine:
                assert service.send(event(sub, 1)).status_code == 202
            assert wait_for(lambda: all_posted(sim, fine) and bool(sim.comments.get("poison")), timeout=90)
            (notice,) = sim.comments["poison"]
            assert notice["body"].startswith(MARKER) and "could not check revision 1" in notice["body"]
            assert notice["verdict"] == "fail", "a submission that breaks the gate does not pass it"
            assert "Traceback" not in notice["body"] and "Error" not in notice["body"]
            reference = notice["body"].split("reference `", 1)[1].split("`", 1)[0]
            (gave_up,) = logged(service, "could not check; posted a notice", delivery_id="d-poison")
            assert reference in gave_up["msg"] and gave_up["failed"] == 1
            assert len(logged(service, "check failed", delivery_id="d-poison")) == 3

            def health() -> dict[str, Any]:
                answer: dict[str, Any] = service.http.get(service.url + "/healthz", timeout=5).json()
                return answer

            assert wait_for(lambda: health()["failed"] == 1 and health()["pending"] == 0, timeout=15), health()
            time.sleep(1)
            assert len(sim.comments["poison"]) == 1 and len([r for r in sim.writes() if "poison" in r.path]) == 1
        finally:
            service.stop()


# --- secrets never leave ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "posts"),
    [(PLANTED_TOKEN, True), (TOKEN + "\u2019\n", False)],  # more shapes: tests/test_platform.py
    ids=["trailing-newline", "non-latin-1"],
)
def test_a_planted_token_never_reaches_output(tmp_path: Path, token: str, posts: bool) -> None:
    with PlatformSimulator(token=TOKEN) as sim:
        write_rules(tmp_path / "rules.yml", sim.url, **QUICK_PLATFORM)
        article = tmp_path / "a.md"
        article.write_text("A short article. It reads well.\n", encoding="utf-8")
        env = service_env({"QUALITYBOT_PLATFORM_TOKEN": token})
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "qualitybot",
                "check",
                "--rules",
                "rules.yml",
                "--post",
                "--submission",
                "s1",
                "a.md",
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        outputs = [cli.stdout, cli.stderr]
        if not posts:  # `serve` refuses to start (with a good token it would run: see the module's service)
            serve = subprocess.run(
                [sys.executable, "-m", "qualitybot", "serve", "--rules", "rules.yml", "--port", "9", "--data-dir", "d"],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert serve.returncode == 2 and "QUALITYBOT_PLATFORM_TOKEN" in serve.stderr
            outputs += [serve.stdout, serve.stderr]
        assert not any(TOKEN in text for text in outputs), outputs
        assert not any("Traceback" in text for text in outputs)
        if posts:
            assert cli.returncode in (0, 1), cli.stderr
            assert sim.requests and all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in sim.requests)
        else:
            assert cli.returncode == 2 and "QUALITYBOT_PLATFORM_TOKEN" in cli.stderr
            assert sim.requests == []


# --- no orphans --------------------------------------------------------------------------------------


def test_check_processes_die_with_a_server_killed_right_after_start(tmp_path: Path) -> None:
    # Once, twice in eight tries, check processes of a server killed with kill -9 stayed alive.
    rules = write_rules(tmp_path / "rules.yml", "http://127.0.0.1:9/api")
    for attempt, delay in enumerate((0.0, 0.5)):
        marker = f"qb-orphan-test-{uuid.uuid4().hex}"
        service = Service(
            rules, tmp_path / f"data{attempt}", tmp_path / f"serve{attempt}.log", env={"QB_TEST_MARK": marker}
        )
        Proc.start(service)  # the process only: no waiting for /healthz
        try:
            assert wait_for(lambda m=marker: bool(named(processes_with_env(m), "qb-check")), timeout=30), (
                "a check process started (in the dispatcher process)"
            )
            time.sleep(delay)
        finally:
            service.kill9()
        assert wait_for(lambda m=marker: not processes_with_env(m), timeout=15), (
            f"orphans after kill -9 at +{delay}s: {processes_with_env(marker)}"
        )


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_the_dispatcher_runs_below_the_server_and_a_dead_one_shows(tmp_path: Path) -> None:
    # Acknowledgements once waited behind the worker threads for the interpreter lock:
    # queueing, checking and posting now run in a child process below the server's priority.
    with PlatformSimulator(token=TOKEN) as sim:
        rules = write_rules(tmp_path / "rules.yml", sim.url, **QUICK_PLATFORM)
        service = Service(rules, tmp_path / "data", tmp_path / "serve-1.log").start()
        try:
            assert service.popen is not None
            (dispatcher,) = named_children(service, "qb-dispatcher")
            assert wait_for(lambda: bool(named_children(service, "qb-check")), timeout=30)
            server_nice = niceness(service.popen.pid)
            assert niceness(dispatcher) > server_nice
            assert all(niceness(pid) > niceness(dispatcher) for pid in named_children(service, "qb-check"))
            os.kill(dispatcher, signal.SIGKILL)
            assert wait_for(lambda: service.http.get(service.url + "/healthz").status_code == 503, timeout=10)
            assert service.http.get(service.url + "/healthz").json() == {"status": "unhealthy"}
            # Still acknowledged while nobody works: the inbox keeps it for the next start.
            assert service.send(event("while-down", 1)).status_code == 202
        finally:
            service.stop()
        assert "while-down" not in sim.comments
        service = Service(rules, tmp_path / "data", tmp_path / "serve-2.log").start()
        try:
            assert wait_for(lambda: all_posted(sim, {"while-down": 1}), timeout=30)
        finally:
            service.stop()


def test_a_body_refused_before_it_is_read_ends_the_connection(hostile: tuple[Service, PlatformSimulator]) -> None:
    # The 413 goes out before the rest of the body arrives; that rest must not be read as the
    # next request's headers (it was: a 431 answered the next webhook on the kept-alive connection).
    service, _ = hostile
    size = 4 * 1024 * 1024  # --max-body is 0.25 MB
    with socket.create_connection(("127.0.0.1", service.port), timeout=10) as sock:
        sock.sendall(f"POST /webhooks/submissions HTTP/1.1\r\nHost: bot\r\nContent-Length: {size}\r\n\r\n".encode())
        answer = b""
        try:
            sock.sendall(b"x" * (512 * 1024))
            answer = sock.recv(4096)
            sock.sendall(b"x" * (size - 512 * 1024))  # the rest, after the answer
            while chunk := sock.recv(4096):
                answer += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"connection: close" in answer.lower()
    assert b"HTTP/1.1 431" not in answer
    assert service.send(event("after-refused-body", 1)).status_code == 202


def test_request_headers_beyond_the_limit_are_refused(hostile: tuple[Service, PlatformSimulator]) -> None:
    # llhttp sets no limit of its own: endless headers would fill the memory before the header timeout.
    service, _ = hostile
    with socket.create_connection(("127.0.0.1", service.port), timeout=10) as sock:
        sock.sendall(b"POST /webhooks/submissions HTTP/1.1\r\nHost: bot\r\n")
        answer = b""
        try:
            for i in range(10_000):  # 200 bytes a header: 2 MB if nothing stopped it
                sock.sendall(f"x-padding-{i}: {'a' * 180}\r\n".encode())
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while chunk := sock.recv(4096):
                answer += chunk
        except ConnectionResetError:
            pass
    assert answer.startswith(b"HTTP/1.1 431")
    assert service.send(event("after-headers", 1)).status_code == 202


# --- memory ----------------------------------------------------------------------------------------


def test_a_check_process_cannot_grow_past_its_memory_limit(tmp_path: Path) -> None:
    # Once, one word of 1 MB made the grammar engine ask for 25.8 GB and the process reach 10.7 GB.
    rules = write_rules(tmp_path / "rules.yml", "http://127.0.0.1:9/api")
    code = f"""
import os
from datetime import date
from qualitybot.service.checking import WARM_UP_EVENT, _check_in_child, _init_child
_init_child({str(rules)!r}, "qb-test", 512, os.getppid())
print(_check_in_child(WARM_UP_EVENT, date.today()).verdict)
try:
    blob = bytearray(1024 * 1024 * 1024)
    print("allocated")
except MemoryError:
    print("refused")
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["pass", "refused"], result.stderr


def test_a_flood_of_identical_log_lines_is_summarised() -> None:
    # Once, 20,000 connections made the log grow by 1.1 million lines in a minute.
    records = [logging.LogRecord("uvicorn.error", logging.ERROR, "x", 1, "accept failed: %s", ("EMFILE",), None)]
    limit = RateLimit(burst=20, window=0.2)
    passed = [limit.filter(records[0]) for _ in range(10_000)]
    assert sum(passed) == 20
    time.sleep(0.3)
    later = logging.LogRecord("uvicorn.error", logging.ERROR, "x", 1, "accept failed: %s", ("EMFILE",), None)
    assert limit.filter(later) and later.__dict__["suppressed"] == 9_980
    assert '"suppressed": 9980' in JsonLines().format(later)
