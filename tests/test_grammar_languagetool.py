"""The LanguageTool engine against a loopback server that speaks LanguageTool's HTTP API.

The server answers ``/v2/languages`` and ``/v2/check`` as LanguageTool does:
offsets and lengths in UTF-16 code units, ``text`` or annotated ``data`` accepted,
matches with ``rule.id``, ``rule.category.id``, ``rule.issueType``, ``replacements``
and ``context``.
Its "rules" are three regular expressions, enough to put spans before, after
and on astral characters.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from qualitybot.checks import grammar
from qualitybot.contract import CheckUnavailable, Hit, Note
from qualitybot.document import parse

FAKE_RULES = [
    # (pattern, rule id, category, issue type, replacements)
    (r"\bteh\b", "MORFOLOGIK_RULE_EN_US", "TYPOS", "misspelling", ["the"]),
    (r"\ba(?= [aeiou])", "EN_A_VS_AN", "MISC", "misspelling", ["an"]),
    (r"(?<!\S)(\S+) \1(?!\S)", "ENGLISH_WORD_REPEAT_RULE", "MISC", "duplication", []),
]


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


class FakeLanguageTool(BaseHTTPRequestHandler):
    requests: list[dict[str, str]]

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def _json(self, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.startswith("/v2/languages"):
            self._json([
                {"name": "English (US)", "code": "en", "longCode": "en-US"},
                {"name": "English (GB)", "code": "en", "longCode": "en-GB"},
            ])
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        if not self.path.startswith("/v2/check"):
            self.send_error(404)
            return
        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.requests.append(form)
        if "data" in form:
            parts = json.loads(form["data"])["annotation"]
            original = "".join(p.get("text", p.get("markup", "")) for p in parts)
            # Markup is not checked: mask it, keeping positions in the original.
            checked = "".join(p["text"] if "text" in p else " " * len(p["markup"]) for p in parts)
        else:
            original = checked = form["text"]
        disabled = set(form.get("disabledRules", "").split(","))
        matches = []
        for pattern, rule_id, category, issue_type, replacements in FAKE_RULES:
            if rule_id in disabled:
                continue
            for m in re.finditer(pattern, checked):
                start, end = utf16(original, m.start()), utf16(original, m.end())
                matches.append({
                    "message": f"fake {rule_id}",
                    "offset": start,
                    "length": end - start,
                    "replacements": [{"value": r} for r in replacements],
                    "context": {"text": original, "offset": start, "length": end - start},
                    "rule": {
                        "id": rule_id,
                        "issueType": issue_type,
                        "category": {"id": category, "name": category},
                    },
                })
        self._json({"matches": matches})


@pytest.fixture(scope="module")
def languagetool() -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []
    handler = type("Handler", (FakeLanguageTool,), {"requests": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


# (text, file name, findings expected: line, column, end column, kind, suggestions)
CASES = [
    ("teh cat sat.\n", "a.txt", [(1, 1, 4, "spelling", ("the",))]),
    # astral characters before a span shift it; inside a span they shift its end
    ("Hi 🎉 teh cat ate a apple. 🎉 🎉\n", "a.txt", [
        (1, 6, 9, "spelling", ("the",)),
        (1, 18, 19, "article", ("an",)),
        (1, 27, 30, "repetition", ()),
    ]),
    # a skin-tone emoji is two code points (four UTF-16 units); U+1D4B3 is one (two units)
    ("\U0001f44d\U0001f3fd\U0001f44d\U0001f3fd teh \U0001d4b3 teh\n", "a.txt", [
        (1, 6, 9, "spelling", ("the",)),
        (1, 12, 15, "spelling", ("the",)),
    ]),
    # Markdown markers are sent as markup: offsets stay those of the file
    ("# Title 🎉\n\nThe **teh** cat.\n", "a.md", [(3, 7, 10, "spelling", ("the",))]),
    ("---\ntitle: teh teh\n---\nA report.\n", "a.md", []),
    # names are not misspellings, whichever engine
    ("Ms Psaki and Mr Draghi met.\n", "a.txt", []),
]


@pytest.mark.parametrize(("text", "path", "expected"), CASES)
def test_languagetool_offsets(
    languagetool: tuple[str, list[dict[str, str]]], text: str, path: str, expected: list[Any]
) -> None:
    url, _ = languagetool
    doc = parse(text, path)
    options = grammar.Options(engine="languagetool", languagetool={"url": url}, house_rules=False)
    found = []
    for hit in grammar.check(doc, options):
        line, column = doc.line_col(hit.start)
        end_line, end_column = doc.line_col(hit.end)
        assert end_line == line
        found.append((line, column, end_column, hit.kind, hit.suggestions))
    assert found == expected


Server = tuple[str, list[dict[str, str]]]


def test_request_carries_language_and_disabled_rules(languagetool: Server) -> None:
    url, seen = languagetool
    options = grammar.Options(
        engine="languagetool",
        dialect="british",
        languagetool={
            "url": url + "/v2/",
            "disabled_rules": ["EN_A_VS_AN"],
            "disabled_categories": ["STYLE"],
        },
    )
    hits = list(grammar.check(parse("It was a apple.\n"), options))
    assert hits == []
    assert seen[-1]["language"] == "en-GB"
    assert seen[-1]["disabledRules"] == "EN_A_VS_AN"
    assert seen[-1]["disabledCategories"] == "STYLE"


def test_auto_uses_languagetool_when_configured(languagetool: Server) -> None:
    url, _ = languagetool
    (hit,) = grammar.check(parse("teh cat.\n"), grammar.Options(languagetool={"url": url}))
    assert hit.message == "fake MORFOLOGIK_RULE_EN_US (languagetool:MORFOLOGIK_RULE_EN_US)"


def test_unreachable_server_is_a_configuration_error(closed_port: int) -> None:
    options = grammar.Options(engine="languagetool", languagetool={"url": f"http://127.0.0.1:{closed_port}"})
    with pytest.raises(CheckUnavailable, match="cannot connect"):
        list(grammar.check(parse("Text.\n"), options))


def test_silent_server_times_out() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        options = grammar.Options(engine="languagetool", languagetool={"url": url, "timeout": 0.5})
        with pytest.raises(CheckUnavailable, match=r"no answer within 0\.5 s"):
            list(grammar.check(parse("Text.\n"), options))


def test_languagetool_without_server_or_install_says_what_to_configure() -> None:
    with pytest.raises(CheckUnavailable, match=r"languagetool\.url .* languagetool\.path"):
        list(grammar.check(parse("Text.\n"), grammar.Options(engine="languagetool")))


def test_install_path_without_server_jar(tmp_path: Path) -> None:
    options = grammar.Options(engine="languagetool", languagetool={"path": str(tmp_path)})
    with pytest.raises(CheckUnavailable, match=r"no languagetool-server\.jar"):
        list(grammar.check(parse("Text.\n"), options))


def test_auto_falls_back_to_harper_with_a_note(closed_port: int) -> None:
    doc = parse("She go to work.\n")
    options = grammar.Options(languagetool={"url": f"http://127.0.0.1:{closed_port}"})
    found = list(grammar.check(doc, options))
    hits = [h for h in found if isinstance(h, Hit)]
    notes = [n.text for n in found if isinstance(n, Note)]
    assert [(h.kind, h.message.rsplit("(", 1)[1]) for h in hits] == [("agreement", "harper:PronounVerbAgreement)")]
    assert len(notes) == 1
    assert "cannot connect; checked with Harper instead" in notes[0]


# -- end to end --------------------------------------------------------------------------


def run_cli(tmp_path: Path, rules: str, text: str, *extra: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "rules.yml").write_text(rules, encoding="utf-8")
    (tmp_path / "draft.txt").write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "qualitybot", "check", "draft.txt", *extra, "--rules", "rules.yml",
         "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_reports_languagetool_columns(tmp_path: Path, languagetool: Server) -> None:
    url, _ = languagetool
    rules = f"rules:\n  grammar:\n    engine: languagetool\n    languagetool: {{url: '{url}'}}\n"
    result = run_cli(tmp_path, rules, "Line one.\n🎉🎉 teh end\n")
    assert result.returncode == 0, result.stderr  # spelling is a warning
    (finding,) = json.loads(result.stdout)["documents"][0]["findings"]
    assert (finding["rule"], finding["line"], finding["column"], finding["end_column"]) == (
        "grammar.spelling", 2, 4, 7
    )


@pytest.mark.parametrize("jobs", [[], ["copy.txt", "--jobs", "2"]])
def test_cli_unreachable_languagetool_exits_2(tmp_path: Path, closed_port: int, jobs: list[str]) -> None:
    rules = f"rules:\n  grammar:\n    engine: languagetool\n    languagetool: {{url: 'http://127.0.0.1:{closed_port}'}}\n"
    (tmp_path / "copy.txt").write_text("Text.\n", encoding="utf-8")
    result = run_cli(tmp_path, rules, "Text.\n", *jobs)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "configuration error: grammar: LanguageTool server" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_auto_fallback_is_noted_in_the_report(tmp_path: Path, closed_port: int) -> None:
    rules = f"rules:\n  grammar:\n    languagetool: {{url: 'http://127.0.0.1:{closed_port}'}}\n"
    result = run_cli(tmp_path, rules, "She go to work.\n")
    assert result.returncode == 1
    document = json.loads(result.stdout)["documents"][0]
    assert [f["rule"] for f in document["findings"]] == ["grammar.agreement"]
    assert "checked with Harper instead" in document["notes"][0]
