"""A platform simulator for tests: a real HTTP server on 127.0.0.1 that records requests.

It speaks both comment APIs qualitybot posts to:

- the platform's own (DESIGN.md), under ``sim.url`` (``http://127.0.0.1:PORT/api``):
  ``GET/POST /submissions/{id}/comments``, ``PATCH /submissions/{id}/comments/{cid}``;
- GitHub's issue comments, under ``sim.github_url`` (``http://127.0.0.1:PORT/github``):
  ``GET/POST /repos/{owner}/{repo}/issues/{n}/comments`` (paginated with ``Link``),
  ``PATCH /repos/{owner}/{repo}/issues/comments/{id}``.

Use it as a context manager::

    with PlatformSimulator(token="t0ken") as sim:
        sim.fail(Fault(status=503, retry_after="1"), Fault(status=500))  # the next two requests
        ...post to sim.url...
        assert sim.comments["sub_1"][0]["body"].startswith(...)
        assert [r.method for r in sim.requests] == [...]

Comments carry their author, as real platforms list them: the generic API's
``author: {"id": ...}`` (the token's holder is ``sim.identity``, also answered by
``GET /api/me``), GitHub's ``user: {"login": ...}`` (the token's login is
``sim.github_login``, answered by ``GET /github/user``, or 403 as for an installation
token when ``github_user_forbidden``). Tests plant comments by others with other authors.

Faults are consumed one per request, in order (optionally only by requests of
one ``method``): answer with an HTTP error and ``Retry-After``, answer late
(``delay``, longer than the client's read timeout: a timeout), or close the
connection without answering (``drop``). ``after_processing`` applies the
request first and then fails: the client cannot tell that its write landed,
which is what ``Idempotency-Key`` is for. Writes with a key already seen are
answered from the cache of that key without being applied again.

Also runnable by hand: ``python -m tests.platform_sim --port 8765 --token t``.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

_GENERIC_COMMENTS = re.compile(r"/api/submissions/(?P<sub>[^/]+)/comments(?:/(?P<cid>[^/]+))?")
_GITHUB_ISSUE_COMMENTS = re.compile(r"/github/repos/(?P<repo>[^/]+/[^/]+)/issues/(?P<num>\d+)/comments")
_GITHUB_COMMENT = re.compile(r"/github/repos/(?P<repo>[^/]+/[^/]+)/issues/comments/(?P<cid>\d+)")
_LISTED = ("id", "body", "author", "user")  # what a comment listing shows


@dataclass
class Fault:
    """How to mishandle one request."""

    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0  # seconds to wait before answering (or before dropping)
    drop: bool = False  # close the connection without an answer
    after_processing: bool = False  # apply the request, then fail as above
    method: str | None = None  # only requests with this method take the fault
    message: str = "simulated failure"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, or None
    answered: int | None = None  # status sent; None when dropped
    replayed: bool = False  # answered from the idempotency cache
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass
class PlatformSimulator:
    token: str = "sim-token"
    github_page_size: int = 30  # GitHub's default per_page
    max_comment_chars: int = 65_536  # GitHub's limit on a comment body
    identity: str = "u_bot"  # generic: the author id of the token's holder
    github_login: str = "qualitybot-app[bot]"
    github_user_forbidden: bool = False  # GET /user answers 403, as for an installation token
    host: str = "127.0.0.1"
    port: int = 0
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)  # notified after every answered request
        self._stopping = threading.Event()
        self._idempotent: dict[tuple[str, str], tuple[int, Any]] = {}
        self._next_id = 1
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle ------------------------------------------------------------------

    def start(self) -> PlatformSimulator:
        handler = type("Handler", (_Handler,), {"sim": self})
        self._server = _QuietServer((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="platform-sim", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wake handlers that are sleeping out a delay
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> PlatformSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """Base URL of the platform's own API (``platform: {api: ...}``)."""
        return f"{self.root}/api"

    @property
    def github_url(self) -> str:
        """Base URL of the GitHub-like API (``platform: {kind: github, api: ...}``)."""
        return f"{self.root}/github"

    # --- scripting and inspection ---------------------------------------------------

    def fail(self, *faults: Fault) -> None:
        """Queue faults for the next requests (in order)."""
        with self._lock:
            self.faults.extend(faults)

    def wait_until(self, condition: Callable[[PlatformSimulator], bool], timeout: float = 10.0) -> bool:
        """Block until ``condition(sim)`` holds (checked after every request), or the timeout.

        For code that posts in the background (the bot service's worker)::

            assert sim.wait_until(lambda s: "sub_1" in s.comments and "revision 2" in s.comments["sub_1"][0]["body"])
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method in ("POST", "PATCH")]

    def all_comments(self) -> Iterator[dict[str, Any]]:
        for thread in self.comments.values():
            yield from thread

    # --- the platform ------------------------------------------------------------------

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            for i, fault in enumerate(self.faults):
                if fault.method in (None, method):
                    return self.faults.pop(i)
        return None

    def _apply(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any, dict[str, str]]:
        """The platform's answer to a well-authorised request: status, JSON, extra headers."""
        with self._lock:
            if path == "/api/me" and method == "GET":
                return 200, {"id": self.identity}, {}
            if path == "/github/user" and method == "GET":
                if self.github_user_forbidden:
                    return 403, {"message": "Resource not accessible by integration"}, {}
                return 200, {"login": self.github_login, "type": "Bot"}, {}
            if m := _GENERIC_COMMENTS.fullmatch(path):
                return self._generic(method, m["sub"], m["cid"], body)
            if m := _GITHUB_ISSUE_COMMENTS.fullmatch(path):
                return self._github_issue(method, f"{m['repo']}#{m['num']}", path, query, body)
            if m := _GITHUB_COMMENT.fullmatch(path):
                return self._github_comment(method, m["cid"], body)
        return 404, {"error": f"no route {method} {path}"}, {}

    def _generic(self, method: str, sub: str, cid: str | None, body: Any) -> tuple[int, Any, dict[str, str]]:
        thread = self.comments.setdefault(sub, [])
        if method == "GET" and cid is None:
            return 200, [_listed(c) for c in thread], {}
        if method in ("POST", "PATCH"):
            problem = self._invalid(body, need=("body", "verdict", "report"))
            if problem:
                return 422, {"error": problem}, {}
        if method == "POST" and cid is None:
            comment = {"id": f"c_{self._next_id}", "author": {"id": self.identity}, **body}
            self._next_id += 1
            thread.append(comment)
            return 201, {"id": comment["id"]}, {}
        if method == "PATCH" and cid is not None:
            for comment in thread:
                if comment["id"] == cid:
                    comment.update(body)
                    return 200, {"id": cid}, {}
            return 404, {"error": f"no comment {cid} on submission {sub}"}, {}
        return 405, {"error": f"{method} not allowed here"}, {}

    def _github_issue(
        self, method: str, issue: str, path: str, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        thread = self.comments.setdefault(issue, [])
        if method == "GET":
            per_page = int(query.get("per_page", [self.github_page_size])[0])
            page = int(query.get("page", ["1"])[0])
            chunk = thread[(page - 1) * per_page : page * per_page]
            headers = {}
            if page * per_page < len(thread):
                headers["Link"] = f'<{self.root}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
            return 200, [_listed(c) for c in chunk], headers
        if method == "POST":
            problem = self._invalid(body, need=("body",))
            if problem:
                return 422, {"message": "Validation Failed", "errors": [problem]}, {}
            comment = {"id": self._next_id, "body": body["body"], "user": {"login": self.github_login, "type": "Bot"}}
            self._next_id += 1
            thread.append(comment)
            return 201, comment, {}
        return 404, {"message": "Not Found"}, {}

    def _github_comment(self, method: str, cid: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        if method != "PATCH":
            return 404, {"message": "Not Found"}, {}
        problem = self._invalid(body, need=("body",))
        if problem:
            return 422, {"message": "Validation Failed", "errors": [problem]}, {}
        for comment in self.all_comments():
            if str(comment["id"]) == cid:
                comment["body"] = body["body"]
                return 200, comment, {}
        return 404, {"message": "Not Found"}, {}

    def _invalid(self, body: Any, need: tuple[str, ...]) -> str | None:
        if not isinstance(body, dict) or any(key not in body for key in need):
            return f"a JSON object with {', '.join(need)} is required"
        if not isinstance(body["body"], str) or len(body["body"]) > self.max_comment_chars:
            return f"body is too long (maximum is {self.max_comment_chars} characters)"
        return None


def _listed(comment: dict[str, Any]) -> dict[str, Any]:
    return {key: comment[key] for key in _LISTED if key in comment}


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and left is part of the scenario, not an error


class _Handler(BaseHTTPRequestHandler):
    sim: PlatformSimulator

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _handle(self) -> None:
        try:
            self._serve()
        finally:
            with self.sim._changed:
                self.sim._changed.notify_all()

    def _serve(self) -> None:
        sim = self.sim
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        record = Recorded(
            self.command,
            parts.path,
            parse_qs(parts.query),
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        with sim._lock:
            sim.requests.append(record)
        fault = sim._take_fault(self.command)
        if fault and fault.after_processing:
            self._answer_normally(record)  # applied, but the answer is lost
        if fault:
            if fault.delay:
                sim._stopping.wait(fault.delay)
            if fault.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            record.answered = fault.status
            self._send(fault.status, {"error": fault.message, "message": fault.message}, headers)
            return
        status, answer, headers = self._answer_normally(record)
        record.answered = status
        self._send(status, answer, headers)

    def _answer_normally(self, record: Recorded) -> tuple[int, Any, dict[str, str]]:
        sim = self.sim
        if record.headers.get("authorization") != f"Bearer {sim.token}":
            return 401, {"error": "invalid or missing bearer token", "message": "Bad credentials"}, {}
        key = record.headers.get("idempotency-key")
        if key and record.method in ("POST", "PATCH"):
            with sim._lock:
                cached = sim._idempotent.get((record.method, key))
            if cached:
                record.replayed = True
                return cached[0], cached[1], {}
        status, answer, headers = sim._apply(record.method, record.path, record.query, record.body)
        if key and record.method in ("POST", "PATCH") and status < 500:
            with sim._lock:
                sim._idempotent[(record.method, key)] = (status, answer)
        return status, answer, headers

    def _send(self, status: int, answer: Any, headers: dict[str, str]) -> None:
        data = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client gave up waiting


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the platform simulator until interrupted.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="sim-token")
    args = parser.parse_args()
    sim = PlatformSimulator(token=args.token, port=args.port).start()
    print(f"platform API: {sim.url}\nGitHub API:   {sim.github_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
