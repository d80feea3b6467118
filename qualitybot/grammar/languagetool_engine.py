"""LanguageTool over its HTTP API (``/v2/languages``, ``/v2/check``).

Used only when a server URL or a local install is configured: LanguageTool is
never downloaded. Requests have bounded timeouts, so a configured server that is
down gives :class:`EngineUnavailable` within seconds, never a hang.

LanguageTool is Java and counts offsets in UTF-16 code units; Python counts code
points. Both ends of every span are converted (an emoji before or inside an
error shifts it by one unit per astral character). The requests are made here
rather than through ``language_tool_python.LanguageTool``, whose ``Match`` fixes
only the start of a span and whose timeout is five minutes; a local install is
started with the server class that ``language_tool_python`` also runs.

The text is sent as LanguageTool's annotated ``data``: prose as ``text``, the
regions the Document blanked (Markdown markers, HTML, front matter) as
``markup``, so offsets come back relative to the document as given.
"""

from __future__ import annotations

import atexit
import bisect
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests

from qualitybot.grammar import EngineUnavailable, Issue

CONNECT_TIMEOUT = 3.0
START_TIMEOUT = 60.0
SERVER_CLASS = "org.languagetool.server.HTTPServer"

# Rule ids and categories mapped to the stable kinds of the grammar check.
_KIND_OF_RULE = {
    "EN_A_VS_AN": "article",
    "ENGLISH_WORD_REPEAT_RULE": "repetition",
    "ENGLISH_WORD_REPEAT_BEGINNING_RULE": "style",
}
_KIND_OF_CATEGORY = {
    "TYPOS": "typo",
    "GRAMMAR": "syntax",
    "CONFUSED_WORDS": "word-choice",
    "SEMANTICS": "word-choice",
    "NONSTANDARD_PHRASES": "word-choice",
    "PUNCTUATION": "punctuation",
    "TYPOGRAPHY": "formatting",
    "CASING": "capitalization",
    "COMPOUNDING": "typo",
    "REDUNDANCY": "style",
    "STYLE": "style",
    "PLAIN_ENGLISH": "style",
    "COLLOQUIALISMS": "style",
    "REPETITIONS": "repetition",
    "REPETITIONS_STYLE": "style",
    "MISC": "other",
}


def kind_of(rule_id: str, category: str, issue_type: str) -> str:
    """The grammar check's kind for a LanguageTool match."""
    if rule_id in _KIND_OF_RULE:
        return _KIND_OF_RULE[rule_id]
    if issue_type == "misspelling" or rule_id.startswith("MORFOLOGIK_RULE"):
        return "spelling"
    if "AGREEMENT" in rule_id or rule_id.endswith("_AGR") or "_AGREE" in rule_id:
        return "agreement"
    if "REPEAT" in rule_id or "DUPLICATION" in rule_id:
        return "repetition"
    return _KIND_OF_CATEGORY.get(category, "other")


class Utf16Offsets:
    """Converts UTF-16 code-unit offsets of a text to code-point offsets."""

    def __init__(self, text: str) -> None:
        # UTF-16 offset at which each astral (two-unit) character starts.
        self._astral: list[int] = []
        units = 0
        for char in text:
            if ord(char) > 0xFFFF:
                self._astral.append(units)
                units += 2
            else:
                units += 1

    def code_point(self, unit: int) -> int:
        """Code-point offset of a UTF-16 offset (one astral character before it = one less)."""
        return unit - bisect.bisect_left(self._astral, unit)


def annotation(text: str, prose: str) -> list[dict[str, str]]:
    """LanguageTool's annotated text: prose runs as text, blanked runs as markup."""
    parts: list[dict[str, str]] = []
    i = 0
    while i < len(text):
        kept = text[i] == prose[i]
        j = i + 1
        while j < len(text) and (text[j] == prose[j]) == kept:
            j += 1
        if kept:
            parts.append({"text": text[i:j]})
        else:
            blanked = prose[i:j]
            parts.append({"markup": text[i:j], "interpretAs": "\n\n" if "\n" in blanked else " "})
        i = j
    return parts


class LanguageToolServer:
    """A LanguageTool server we talk to over HTTP."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url.rstrip("/")
        if not self.url.endswith("/v2"):
            self.url += "/v2"
        self.timeout = timeout
        self._session = requests.Session()
        self._languages: frozenset[str] | None = None

    def _request(self, method: str, endpoint: str, **kwargs: Any) -> Any:
        try:
            response = self._session.request(
                method,
                f"{self.url}/{endpoint}",
                timeout=(min(CONNECT_TIMEOUT, self.timeout), self.timeout),
                **kwargs,
            )
            response.raise_for_status()
            return response.json()
        except requests.Timeout:
            why = f"no answer within {self.timeout:g} s"
        except requests.ConnectionError:
            why = "cannot connect"
        except requests.HTTPError as exc:
            why = f"HTTP {exc.response.status_code if exc.response is not None else '?'}"
        except ValueError:
            why = "the answer is not LanguageTool's JSON"
        raise EngineUnavailable(f"LanguageTool server {self.url}: {why}")

    def languages(self) -> frozenset[str]:
        if self._languages is None:
            answer = self._request("GET", "languages")
            codes: set[str] = set()
            for entry in answer if isinstance(answer, list) else []:
                if isinstance(entry, dict):
                    codes.update(str(entry.get(key, "")) for key in ("code", "longCode"))
            self._languages = frozenset(codes - {""})
        return self._languages

    def check(
        self,
        text: str,
        prose: str,
        language: str,
        disabled_rules: Iterable[str] = (),
        disabled_categories: Iterable[str] = (),
    ) -> list[Issue]:
        if language not in self.languages():
            raise EngineUnavailable(
                f"LanguageTool server {self.url} does not support language '{language}'"
            )
        form = {"data": json.dumps({"annotation": annotation(text, prose)}), "language": language}
        if rules := ",".join(disabled_rules):
            form["disabledRules"] = rules
        if categories := ",".join(disabled_categories):
            form["disabledCategories"] = categories
        answer = self._request("POST", "check", data=form)
        try:
            return list(_issues(answer["matches"], Utf16Offsets(text)))
        except (KeyError, TypeError, ValueError) as exc:
            raise EngineUnavailable(
                f"LanguageTool server {self.url}: unexpected answer ({exc!r})"
            ) from None


def _issues(matches: list[dict[str, Any]], offsets: Utf16Offsets) -> Iterable[Issue]:
    for match in matches:
        rule = match.get("rule") or {}
        category = (rule.get("category") or {}).get("id", "")
        rule_id = str(rule.get("id", ""))
        start = int(match["offset"])
        end = start + int(match["length"])
        yield Issue(
            offsets.code_point(start),
            offsets.code_point(end),
            kind_of(rule_id, category, str(rule.get("issueType", ""))),
            str(match.get("message", "")),
            rule_id,
            tuple(str(r["value"]) for r in (match.get("replacements") or [])[:5]),
        )


_SERVERS: dict[tuple[str, float], LanguageToolServer] = {}
_LOCAL: dict[str, str] = {}
_LOCK = threading.Lock()


def server(url: str | None, path: str | None, timeout: float) -> LanguageToolServer:
    """The process-wide client for a configured URL, or for a local install started once."""
    with _LOCK:
        if url is None:
            if path is None:
                raise EngineUnavailable("LanguageTool is not configured (set languagetool.url or path)")
            if path not in _LOCAL:
                _LOCAL[path] = _start_local(Path(path))
            url = _LOCAL[path]
        key = (url, timeout)
        if key not in _SERVERS:
            _SERVERS[key] = LanguageToolServer(url, timeout)
        return _SERVERS[key]


def _start_local(directory: Path) -> str:
    """Start ``languagetool-server.jar`` from an existing install; return its URL."""
    jar = directory / "languagetool-server.jar"
    if not jar.is_file():
        raise EngineUnavailable(f"LanguageTool install {directory}: no languagetool-server.jar there")
    java = shutil.which("java")
    if java is None:
        raise EngineUnavailable("LanguageTool install configured but no 'java' on PATH")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [java, "-cp", str(jar), SERVER_CLASS, "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    atexit.register(process.terminate)
    url = f"http://127.0.0.1:{port}/v2"
    probe_server = LanguageToolServer(url, 2.0)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            probe_server.languages()
            return url
        except EngineUnavailable:
            time.sleep(0.5)
    process.terminate()
    raise EngineUnavailable(f"LanguageTool install {directory}: the server did not start")
