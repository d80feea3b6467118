"""``qualitybot lsp``: the gate inside the writer's editor, as a Language Server (pygls).

Over stdio, for Markdown, plain text and HTML documents. Diagnostics are
published when a document is opened or saved, and after a pause in typing
(``DEBOUNCE`` seconds) when it changes. Each document is checked with the
rules file ``qualitybot check`` would use when run from the document's
workspace folder (``--rules`` wins); each rules file gets one engine, started
once for the life of the server.

A diagnostic's ``code`` is the finding's rule id, with a link to the rule's
documentation when the rule has one (pattern rules' ``link``); ``error``,
``warning`` and ``info`` map to the LSP severities; ``related`` places become
``relatedInformation``. Judgements of the whole document (readability scores,
fluency) sit on the first line, with the place they point at as related. Code
actions apply a suggestion; hover shows the rule's explanation. Ranges use the position encoding negotiated with the
client (UTF-16 unless the client offers UTF-8 or UTF-32), so a finding after
an emoji or an accented letter lands on the right characters.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from qualitybot import __version__
from qualitybot.checks import registry
from qualitybot.config import ConfigError, find_rules_file, load_rules
from qualitybot.contract import CheckUnavailable
from qualitybot.document import Format, guess_format, parse
from qualitybot.engine import CheckFailed, Engine
from qualitybot.report import Finding, Place
from qualitybot.sources import DEFAULT_MAX_BYTES

log = logging.getLogger(__name__)

DEBOUNCE = 0.4  # seconds of quiet after an edit before the document is checked again
SOURCE = "qualitybot"
LANGUAGES: dict[str, Format] = {"markdown": "markdown", "plaintext": "text", "text": "text", "html": "html"}
SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
# Judgements of the whole text, as (check, kind): the checks anchor them to a sentence or to the
# least fluent paragraph; an editor shows them on the first line, with that place as related.
DOCUMENT_LEVEL = frozenset({("readability", "metric"), ("fluency", "broken")})


@dataclass(frozen=True)
class Checked:
    """The last diagnostics of a document, with the findings they came from (for code actions and hover)."""

    version: int | None
    diagnostics: tuple[tuple[types.Diagnostic, Finding], ...]


class QualityServer(LanguageServer):
    def __init__(self, rules: str | None) -> None:
        super().__init__("qualitybot", __version__)
        self.rules = rules
        self.engines: dict[Path, Engine] = {}
        self.checked: dict[str, Checked] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        # One thread runs every check: engines are built for one caller at a time.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qualitybot-check")

    def engine_for(self, path: Path) -> Engine:
        rules_file = find_rules_file(self.rules, cwd=self._workspace_dir(path)).resolve()
        if rules_file not in self.engines:
            engine = Engine(load_rules(rules_file))
            engine.start_warm_up()
            self.engines[rules_file] = engine
        return self.engines[rules_file]

    def _workspace_dir(self, path: Path) -> Path:
        """The workspace folder that holds ``path`` (the innermost), else the server's working directory."""
        folders = [Path(_path_of(f.uri)) for f in self.workspace.folders.values()]
        if self.workspace.root_uri:
            folders.append(Path(_path_of(self.workspace.root_uri)))
        holding = [f for f in folders if path.is_relative_to(f)]
        return max(holding, key=lambda f: len(f.parts)) if holding else Path.cwd()


def _path_of(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme == "file" else uri


def document_format(doc: TextDocument) -> Format | None:
    """The format to check a document as; None for languages qualitybot does not read."""
    if doc.language_id in LANGUAGES:
        return LANGUAGES[doc.language_id]
    suffix = Path(_path_of(doc.uri)).suffix.lower()
    if suffix in (".md", ".markdown", ".txt", ".html", ".htm"):
        return guess_format(suffix)
    return None


def check_text(server: QualityServer, uri: str, text: str, fmt: Format) -> list[Finding]:
    """The findings of one document (runs in the check thread); problems become findings too."""
    path = Path(_path_of(uri))
    try:
        engine = server.engine_for(path)
        if len(text.encode("utf-8")) > DEFAULT_MAX_BYTES:
            return [_problem(f"larger than the {DEFAULT_MAX_BYTES / 1048576:g} MiB limit for one document")]
        doc = parse(text.replace("\r\n", "\n"), str(path), fmt=fmt, today=date.today())
        return engine.check(doc).findings
    except ConfigError as exc:
        return [_problem("rules file: " + "; ".join(exc.messages))]
    except CheckUnavailable as exc:
        return [_problem(f"configuration error: {exc}")]
    except CheckFailed as exc:
        log.exception("check failed")
        return [_problem(f"internal error: {exc}")]
    except Exception as exc:  # a bug: say so in the editor rather than fall silent
        log.exception("check failed")
        return [_problem(f"internal error: {exc!r} (please report this)")]


def _problem(message: str) -> Finding:
    return Finding("qualitybot", "qualitybot", "error", f"qualitybot: {message}", 1, 1, 1, 1, "")


def to_diagnostic(doc: TextDocument, finding: Finding, links: dict[str, str]) -> types.Diagnostic:
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=doc.uri, range=_range(doc, place)), message="Also here"
        )
        for place in finding.related
    ]
    document_level = _document_level(finding)
    if document_level and finding.excerpt:  # where the check anchored its judgement
        where = types.Location(uri=doc.uri, range=_range(doc, _place(finding)))
        related.insert(0, types.DiagnosticRelatedInformation(location=where, message="Most of all here"))
    message = finding.message
    if finding.suggestions:
        message += "\nSuggestion: " + " | ".join(finding.suggestions[:3])
    link = links.get(finding.rule)
    return types.Diagnostic(
        range=_first_line(doc) if document_level else _range(doc, _place(finding)),
        message=message,
        severity=SEVERITIES[finding.severity],
        code=finding.rule,
        code_description=types.CodeDescription(href=link) if link else None,
        source=SOURCE,
        related_information=related or None,
        data={"suggestions": list(finding.suggestions), "fixable": finding.fixable},
    )


def _document_level(finding: Finding) -> bool:
    empty = (finding.line, finding.column) == (finding.end_line, finding.end_column)
    kind = finding.rule.rsplit(".", 1)[-1] if "." in finding.rule else ""
    return (finding.check, kind) in DOCUMENT_LEVEL or (empty and (finding.line, finding.column) == (1, 1))


def _place(finding: Finding) -> Place:
    return Place(finding.line, finding.column, finding.end_line, finding.end_column)


def _range(doc: TextDocument, place: Place) -> types.Range:
    """1-based code-point line/column -> the client's position encoding (0-based)."""
    lines = doc.lines
    start = _position(lines, doc, place.line, place.column)
    end = _position(lines, doc, place.end_line, place.end_column)
    return types.Range(start=start, end=end)


def _position(lines: Sequence[str], doc: TextDocument, line: int, column: int) -> types.Position:
    if line - 1 >= len(lines):
        return types.Position(line=line - 1, character=0)  # just past a final line break
    text = lines[line - 1].rstrip("\r\n")
    return types.Position(line=line - 1, character=doc.position_codec.client_num_units(text[: max(0, column - 1)]))


def _first_line(doc: TextDocument) -> types.Range:
    first = doc.lines[0].rstrip("\r\n") if doc.lines else ""
    return types.Range(
        start=types.Position(line=0, character=0),
        end=types.Position(line=0, character=doc.position_codec.client_num_units(first)),
    )


def rule_links(engine: Engine) -> dict[str, str]:
    """Rule id -> documentation link, for the rules that name one (pattern rules' ``link``)."""
    return {
        rule.id: link
        for rule, _spec in engine.rules
        if isinstance(link := getattr(rule.options, "link", ""), str) and link
    }


def explanation(finding: Finding) -> str:
    """The rule's explanation: the paragraphs of its check's documentation that name the rule, else the
    first paragraph."""
    spec = registry().get(finding.check)
    if spec is None:
        return ""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", spec.doc) if p.strip()]
    named = [p for p in paragraphs if f"``{finding.rule}``" in p]
    return "\n\n".join(named or paragraphs[:1])


def build_server(rules: str | None) -> QualityServer:
    server = QualityServer(rules)

    async def check_now(uri: str) -> None:
        doc = server.workspace.get_text_document(uri)
        fmt = document_format(doc)
        if fmt is None:
            return
        version, text = doc.version, doc.source
        loop = asyncio.get_running_loop()
        findings = await loop.run_in_executor(server.executor, check_text, server, uri, text, fmt)
        doc = server.workspace.get_text_document(uri)
        if doc.version != version or uri not in server.workspace.text_documents:
            return  # edited (or closed) meanwhile: a newer check is on its way
        engine_links = await loop.run_in_executor(server.executor, _links_for, server, uri)
        pairs = tuple((to_diagnostic(doc, f, engine_links), f) for f in findings)
        server.checked[uri] = Checked(version, pairs)
        server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[d for d, _ in pairs])
        )

    def schedule(uri: str, delay: float) -> None:
        previous = server.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()

        async def later() -> None:
            if delay:
                await asyncio.sleep(delay)
            await check_now(uri)

        task = asyncio.ensure_future(later())
        server.pending[uri] = task
        task.add_done_callback(lambda t: server.pending.pop(uri, None) if server.pending.get(uri) is t else None)

    @server.feature(types.INITIALIZED)
    def initialized(ls: QualityServer, params: types.InitializedParams) -> None:
        # Start the default engine now, so the first document does not wait for Harper to load.
        ls.executor.submit(_warm, ls)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: QualityServer, params: types.DidOpenTextDocumentParams) -> None:
        schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: QualityServer, params: types.DidChangeTextDocumentParams) -> None:
        schedule(params.text_document.uri, DEBOUNCE)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: QualityServer, params: types.DidSaveTextDocumentParams) -> None:
        schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: QualityServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.checked.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: QualityServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        checked = ls.checked.get(uri)
        if checked is None:
            return []
        actions = []
        for diagnostic, finding in checked.diagnostics:
            if not _overlaps(diagnostic.range, params.range) or _document_level(finding):
                continue
            for suggestion in finding.suggestions[:5]:
                edit = types.TextEdit(range=diagnostic.range, new_text=suggestion)
                actions.append(
                    types.CodeAction(
                        title=f"Replace with '{suggestion}'" if suggestion else "Remove",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=types.WorkspaceEdit(changes={uri: [edit]}),
                        is_preferred=finding.fixable or None,
                    )
                )
        return actions

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: QualityServer, params: types.HoverParams) -> types.Hover | None:
        checked = ls.checked.get(params.text_document.uri)
        if checked is None:
            return None
        here = types.Range(start=params.position, end=params.position)
        parts = [
            f"**{finding.rule}** ({finding.severity}): {finding.message}\n\n{explanation(finding)}".strip()
            for diagnostic, finding in checked.diagnostics
            if _overlaps(diagnostic.range, here)
        ]
        if not parts:
            return None
        value = "\n\n---\n\n".join(parts)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=value))

    return server


def _warm(server: QualityServer) -> None:
    try:
        server.engine_for(Path.cwd() / "untitled.md")
    except (ConfigError, CheckUnavailable) as exc:
        log.warning("rules file: %s", exc)  # reported on each document as it is checked


def _links_for(server: QualityServer, uri: str) -> dict[str, str]:
    try:
        return rule_links(server.engine_for(Path(_path_of(uri))))
    except (ConfigError, CheckUnavailable):
        return {}


def _overlaps(a: types.Range, b: types.Range) -> bool:
    """Ranges overlap or touch (a cursor at either end of a diagnostic counts)."""
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (
        b.start.line,
        b.start.character,
    ) <= (a.end.line, a.end.character)


def serve(rules: str | None, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:
    """Run the server until the client says ``exit``."""
    logging.getLogger("pygls").setLevel(logging.WARNING)
    server = build_server(rules)
    out = stdout or sys.stdout.buffer
    # pygls closes its output on exit: give it its own descriptor, so the caller's stays usable.
    with os.fdopen(os.dup(out.fileno()), "wb") as own:
        server.start_io(stdin or sys.stdin.buffer, own)
    server.executor.shutdown(wait=False, cancel_futures=True)
    return 0

