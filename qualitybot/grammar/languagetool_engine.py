"""LanguageTool through ``language_tool_python``'s client, for a server or a local install.

Used only when a server URL or a local install is configured: LanguageTool is
never downloaded. ``language_tool_python.LanguageTool(remote_server=...)`` talks
to the server, with the configured timeout instead of the library's five minutes,
so a configured server that is down gives :class:`EngineUnavailable` within
seconds, never a hang. A local install (``path:``) is started here with the
server class that the library also runs: the library itself only starts copies
in its own download folder, and downloads one when that folder is empty.

The Document's prose view is sent (the same length as the file, with Markdown
markers, HTML and front matter blanked), so offsets come back relative to the
document as given. LanguageTool is Java and counts in UTF-16 code units; the
library converts the start of a match to code points, and the end is converted
here (an emoji inside an error lengthens it by one unit). The library keeps the
last text's astral positions in a class-wide cache, so checks are serialised.
"""

from __future__ import annotations

import atexit
import bisect
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from qualitybot.grammar import EngineUnavailable, Issue

if TYPE_CHECKING:  # imported when LanguageTool is configured: it costs start-up time otherwise
    from language_tool_python import LanguageTool

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
    """Converts between code-point and UTF-16 code-unit offsets of a text."""

    def __init__(self, text: str) -> None:
        # Code-point offset of each astral (two-unit) character.
        self._astral = [i for i, char in enumerate(text) if ord(char) > 0xFFFF]
        # UTF-16 offset at which each astral character starts.
        self._astral_units = [i + n for n, i in enumerate(self._astral)]

    def code_point(self, unit: int) -> int:
        """Code-point offset of a UTF-16 offset (one astral character before it = one less)."""
        return unit - bisect.bisect_left(self._astral_units, unit)

    def unit(self, code_point: int) -> int:
        """UTF-16 offset of a code-point offset."""
        return code_point + bisect.bisect_left(self._astral, code_point)


class LanguageToolServer:
    """A LanguageTool server, through ``language_tool_python``'s client (one per language)."""

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url.rstrip("/").removesuffix("/v2")
        self.timeout = timeout
        self._clients: dict[str, LanguageTool] = {}
        self._lock = threading.Lock()

    def _unavailable(self, exc: BaseException) -> EngineUnavailable:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, requests.Timeout):
            why = f"no answer within {self.timeout:g} s"
        elif isinstance(cause, requests.ConnectionError):
            why = "cannot connect"
        else:
            why = "the answer is not LanguageTool's JSON"
        return EngineUnavailable(f"LanguageTool server {self.url}/v2: {why}")

    def _client(self, language: str) -> LanguageTool:
        if language not in self._clients:
            import language_tool_python
            from language_tool_python.exceptions import LanguageToolError

            # The library's request timeout is a class attribute (five minutes): ours is configured.
            client_class = type("Client", (language_tool_python.LanguageTool,), {"_TIMEOUT": self.timeout})
            try:
                self._clients[language] = client_class(language=language, remote_server=self.url)
            except LanguageToolError as exc:
                raise self._unavailable(exc) from None
            except (ValueError, AttributeError):
                raise EngineUnavailable(
                    f"LanguageTool server {self.url}/v2 does not support language '{language}'"
                ) from None
        return self._clients[language]

    def check(
        self,
        text: str,
        prose: str,
        language: str,
        disabled_rules: Iterable[str] = (),
        disabled_categories: Iterable[str] = (),
    ) -> list[Issue]:
        from language_tool_python.exceptions import LanguageToolError

        with self._lock:
            client = self._client(language)
            client.disabled_rules = set(disabled_rules)
            client.disabled_categories = set(disabled_categories)
            try:
                matches = client.check(prose)
            except LanguageToolError as exc:
                raise self._unavailable(exc) from None
            except (KeyError, TypeError) as exc:
                raise EngineUnavailable(f"LanguageTool server {self.url}/v2: unexpected answer ({exc!r})") from None
        offsets = Utf16Offsets(prose)
        return [_issue(match, offsets) for match in matches]


def _issue(match: Any, offsets: Utf16Offsets) -> Issue:
    """An Issue of a ``language_tool_python`` Match (its offset is in code points, its length in UTF-16)."""
    start = int(match.offset)
    end = offsets.code_point(offsets.unit(start) + int(match.error_length))
    rule_id = str(match.rule_id)
    return Issue(
        start,
        end,
        kind_of(rule_id, str(match.category), str(match.rule_issue_type)),
        str(match.message),
        rule_id,
        tuple(str(r) for r in (match.replacements or [])[:5]),
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
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            requests.get(f"{url}/v2/languages", timeout=(CONNECT_TIMEOUT, 2.0)).raise_for_status()
            return url
        except requests.RequestException:
            time.sleep(0.5)
    process.terminate()
    raise EngineUnavailable(f"LanguageTool install {directory}: the server did not start")
