"""``qualitybot lsp`` driven as an editor drives it: JSON-RPC over the stdio of a real subprocess."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, ROOT

TIMEOUT = 60  # seconds: a generous budget for one answer (Harper starts in about a second)


class Client:
    """A minimal LSP client: Content-Length framing, requests by id, notifications in a queue."""

    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qualitybot", "lsp", "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while True:
            headers = {}
            while (line := self.proc.stdout.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            if not line:
                return
            body = self.proc.stdout.read(int(headers["content-length"]))
            self.messages.put(json.loads(body))

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        message = self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)
        assert "error" not in message, message
        return message["result"]

    def wait(self, wanted: Any) -> dict[str, Any]:
        """The next message ``wanted`` accepts; requests from the server are answered on the way."""
        while True:
            try:
                message = self.messages.get(timeout=TIMEOUT)
            except queue.Empty:
                pytest.fail(f"no answer from the server in {TIMEOUT} s: {self.stderr()}")
            if "method" in message and "id" in message:  # e.g. client/registerCapability
                self.send({"id": message["id"], "result": None})
            if wanted(message):
                return message

    def diagnostics(self, uri: str, version: int) -> list[dict[str, Any]]:
        message = self.wait(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version
        )
        return list(message["params"]["diagnostics"])

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode("utf-8", "replace")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    lsp = Client(tmp_path)
    yield lsp
    if lsp.proc.poll() is None:
        lsp.proc.kill()
    lsp.proc.wait(timeout=10)


def initialize(client: Client, root: Path, encodings: list[str]) -> dict[str, Any]:
    result = client.request(
        "initialize",
        {
            "processId": os.getpid(),
            "rootUri": root.as_uri(),
            "capabilities": {
                "general": {"positionEncodings": encodings},
                "textDocument": {"publishDiagnostics": {"relatedInformation": True, "versionSupport": True}},
            },
        },
    )
    client.notify("initialized", {})
    return dict(result["capabilities"])


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_a_session_as_an_editor_runs_it(client: Client, tmp_path: Path) -> None:
    capabilities = initialize(client, tmp_path, ["utf-16"])
    assert capabilities["positionEncoding"] == "utf-16"
    assert capabilities["codeActionProvider"] and capabilities["hoverProvider"]

    # An emoji (two UTF-16 units, one code point) and an accented letter before a finding.
    text = (EXAMPLES / "flawed-article.md").read_text(encoding="utf-8")
    text = text.replace("emergency funds, an request", "emergency funds 🚢 (café), an request")
    assert "🚢 (café), an request" in text
    path = tmp_path / "flawed-article.md"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}},
    )
    diagnostics = client.diagnostics(uri, 1)
    codes = {d["code"] for d in diagnostics}
    assert {"grammar.article", "quotes.empty", "duplicates.sentence", "dates.malformed"} <= codes
    assert all(d["source"] == "qualitybot" for d in diagnostics)

    lines = text.split("\n")
    line = next(i for i, s in enumerate(lines) if "an request" in s)
    column = utf16(lines[line][: lines[line].index("an request")])
    (article,) = [d for d in diagnostics if d["code"] == "grammar.article"]
    assert article["range"] == {
        "start": {"line": line, "character": column},
        "end": {"line": line, "character": column + 2},
    }
    assert article["severity"] == 1  # error
    (empty,) = [d for d in diagnostics if d["code"] == "quotes.empty"]
    assert empty["relatedInformation"][0]["location"]["uri"] == uri
    assert {d["severity"] for d in diagnostics if d["code"] == "duplicates.sentence"} == {2}  # warning
    # The whole-document judgement sits on the first line, pointing at the least fluent paragraph.
    (fluency,) = [d for d in diagnostics if d["code"] == "fluency.broken"]
    assert fluency["range"] == {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": utf16(lines[0])}}
    assert fluency["relatedInformation"][0]["location"]["range"]["start"]["line"] > 0

    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": article["range"], "context": {"diagnostics": [article]}},
    )
    (fix,) = [a for a in actions if a["diagnostics"][0]["code"] == "grammar.article"]
    (edit,) = fix["edit"]["changes"][uri]
    assert edit == {"range": article["range"], "newText": "a"}
    assert fix["isPreferred"] is True

    hover = client.request(
        "textDocument/hover", {"textDocument": {"uri": uri}, "position": article["range"]["start"]}
    )
    assert "grammar.article" in hover["contents"]["value"]

    # The writer applies the fix: the finding goes, the others stay.
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": article["range"], "text": "a"}]},
    )
    after = client.diagnostics(uri, 2)
    assert "grammar.article" not in {d["code"] for d in after}
    assert {"quotes.empty", "duplicates.sentence", "dates.malformed"} <= {d["code"] for d in after}
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri, 2) == after  # saved as checked: the same findings again

    assert client.request("shutdown", None) is None
    client.notify("exit", None)
    assert client.proc.wait(timeout=TIMEOUT) == 0


def test_utf8_positions_and_document_level_findings(client: Client, tmp_path: Path) -> None:
    rules = tmp_path / "qualitybot.yml"  # found as `qualitybot check` finds it in the workspace folder
    rules.write_text(
        "extends: default\nrules:\n  readability:\n    min_words: 1\n    metrics: {flesch_reading_ease: {min: 99}}\n"
        "  house-words:\n    check: pattern\n    extends: substitution\n    message: \"Use '%s' instead of '%s'.\"\n"
        "    link: https://style.example/words#utilize\n    swap: {utilize: use}\n",
        encoding="utf-8",
    )
    capabilities = initialize(client, tmp_path, ["utf-8"])
    assert capabilities["positionEncoding"] == "utf-8"
    text = "# Für Ökonomen 🚢\n\nDie Ökonomen sagten, es war a apple that the committee will utilize.\n"
    uri = (tmp_path / "note.txt").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1,
                                                           "text": text}})
    diagnostics = client.diagnostics(uri, 1)
    (article,) = [d for d in diagnostics if d["code"] == "grammar.article"]
    line = text.split("\n")[2]
    start = len(line[: line.index("a apple")].encode("utf-8"))
    assert article["range"]["start"] == {"line": 2, "character": start}
    (house,) = [d for d in diagnostics if d["code"] == "house-words"]
    assert house["codeDescription"] == {"href": "https://style.example/words#utilize"}
    assert house["range"]["start"]["character"] == len(line[: line.index("utilize")].encode("utf-8"))
    (metric,) = [d for d in diagnostics if d["code"] == "readability.metric"]
    first_line = text.split("\n")[0]
    assert metric["range"] == {"start": {"line": 0, "character": 0},
                               "end": {"line": 0, "character": len(first_line.encode("utf-8"))}}
    client.request("shutdown", None)
    client.notify("exit", None)
    assert client.proc.wait(timeout=TIMEOUT) == 0
