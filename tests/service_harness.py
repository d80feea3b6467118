"""Run ``qualitybot serve`` / ``qualitybot worker`` / ``redis-server`` as real processes on loopback.

Shared by the service tests and ``benchmarks/service.py``: sign and send events like
the platform does, kill a process with SIGKILL, restart it on the same data dir.
"""

from __future__ import annotations

import base64
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from qualitybot.service.signatures import standard_headers

SECRET = "whsec_" + base64.b64encode(b"test-secret-for-the-bot-service!").decode()
TOKEN = "platform-token-for-tests"
REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_rules(path: Path, api: str, **platform: Any) -> Path:
    """A rules file with one cheap rule (fast checks) and the simulator as platform."""
    settings = {"kind": "generic", "api": api, **platform}
    path.write_text(
        f"rules:\n  readability:\n    min_words: 0\n    max_sentence_words: 30\nplatform: {json.dumps(settings)}\n",
        encoding="utf-8",
    )
    return path


def event(submission_id: str, revision: int, body: str | None = None, kind: str = "submission.updated") -> bytes:
    text = body if body is not None else f"Revision {revision} of {submission_id}. It reads well enough."
    payload = {
        "type": kind,
        "submission": {
            "id": submission_id,
            "revision": revision,
            "title": "T",
            "body": text,
            "format": "markdown",
            "author": {"id": "u_1", "name": "A"},
            "published_at": "2022-03-14T10:00:00Z",
        },
    }
    return json.dumps(payload).encode()


class Proc:
    """A qualitybot command run as a subprocess, its JSON-lines log in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path, nofile: int | None = None) -> None:
        self.args, self.env, self.log_path = args, env, log_path
        self.nofile = nofile  # a limit on open files for the process (soft and hard)
        self.popen: subprocess.Popen[bytes] | None = None

    def _limit(self) -> None:
        if self.nofile:
            resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    def start(self) -> Proc:
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "qualitybot", *self.args],
            env=self.env,
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            cwd=REPO_ROOT,
            preexec_fn=self._limit if self.nofile else None,
        )
        log.close()
        return self

    def children(self) -> list[int]:
        """Pids of the processes this one started, and they started (Linux /proc: the
        dispatcher and its check processes)."""
        if not self.popen:
            return []
        found: list[int] = []
        todo = [self.popen.pid]
        while todo:
            for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
                try:
                    pids = [int(pid) for pid in (task / "children").read_text().split()]
                except OSError:
                    continue
                found += pids
                todo += pids
        return found

    def kill9(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)

    def stop(self) -> int | None:
        if self.popen and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.kill9()
        return self.popen.returncode if self.popen else None

    def log_lines(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                lines.append({"raw": line})
        return lines


def service_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUALITYBOT_")}
    env.update(
        {
            "QUALITYBOT_WEBHOOK_SECRET": SECRET,
            "QUALITYBOT_PLATFORM_TOKEN": TOKEN,
            # Queue-level retries in fractions of a second (the scheduler ticks every second).
            "QUALITYBOT_RETRY_BASE": "0.2",
            "QUALITYBOT_RETRY_MAX": "1",
            "QUALITYBOT_RECONCILE_INTERVAL": "0.5",
        }
    )
    env.update(extra or {})
    return env


class Service(Proc):
    def __init__(
        self,
        rules: Path,
        data_dir: Path,
        log_path: Path,
        *,
        workers: int = 4,
        redis_url: str | None = None,
        env: dict[str, str] | None = None,
        check_processes: int = 1,
        max_body: float = 0.0625,
        extra_args: list[str] | None = None,
        nofile: int | None = None,
    ) -> None:
        self.port = free_port()
        args = [
            "serve",
            "--rules",
            str(rules),
            "--data-dir",
            str(data_dir),
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--max-body",
            str(max_body),
            "--check-processes",
            str(check_processes),
            *(extra_args or []),
        ]
        if redis_url:
            args += ["--redis", redis_url]
        super().__init__(args, service_env(env), log_path, nofile)
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = requests.Session()

    def start(self, timeout: float = 30.0) -> Service:
        super().start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise RuntimeError(f"qualitybot serve exited with {self.popen.returncode}: {self.log_path}")
            try:
                if self.http.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"qualitybot serve not ready after {timeout}s: {self.log_path}")

    def send(
        self,
        body: bytes,
        delivery_id: str | None = None,
        *,
        secret: str = SECRET,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        delivery_id = delivery_id or f"msg_{uuid.uuid4().hex}"
        signed = standard_headers(secret, delivery_id, body, int(time.time()) if timestamp is None else timestamp)
        signed["content-type"] = "application/json"
        signed.update(headers or {})
        return self.http.post(self.url + "/webhooks/submissions", data=body, headers=signed, timeout=10)


class Worker(Proc):
    def __init__(
        self,
        rules: Path,
        redis_url: str | None,
        data_dir: Path,
        log_path: Path,
        workers: int = 2,
        env: dict[str, str] | None = None,
    ) -> None:
        args = ["worker", "--rules", str(rules), "--data-dir", str(data_dir), "--workers", str(workers)]
        if redis_url:
            args += ["--redis", redis_url]
        super().__init__(args, service_env(env), log_path)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(line.get("msg") == "engine ready" for line in self.log_lines()):
                return
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise RuntimeError(f"qualitybot worker exited with {self.popen.returncode}: {self.log_path}")
            time.sleep(0.05)
        raise RuntimeError(f"qualitybot worker not ready after {timeout}s: {self.log_path}")


class RedisServer:
    """A throwaway redis-server on a free loopback port (no persistence)."""

    def __init__(self, workdir: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        assert self.binary, "redis-server not installed"
        self.popen = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.terminate()
            self.popen.wait(10)


def named(pids: list[int], name: str) -> list[int]:
    """The processes among ``pids`` with this process name (the check lanes name theirs)."""
    found = []
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                found.append(pid)
        except OSError:
            continue
    return found


def named_children(proc: Proc, name: str) -> list[int]:
    """Child processes of ``proc`` with this process name."""
    return named(proc.children(), name)


def processes_with_env(marker: str) -> list[int]:
    """Live processes whose environment holds ``marker`` (a process and all it started)."""
    needle = marker.encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes() and alive(int(entry.name)):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n", 1)[0].lower()
    except (OSError, IndexError):
        return "gone"


def wait_for(predicate: Any, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
