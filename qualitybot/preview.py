"""``qualitybot preview``: a local page where a writer pastes a draft and sees every finding in place.

The page (``qualitybot/preview_page/``: HTML, CSS and JavaScript, nothing fetched
from elsewhere, so it works offline) posts the text to ``POST /api/check``:

    {"text": "...", "format": "markdown" | "text" | "html", "published_at": "YYYY-MM-DD"}

and gets the JSON report (``qualitybot.report/1``) back. A body over the size
limit gets 413, anything that is not such a JSON object 400, a request from
another site (no ``application/json``, or a foreign ``Host``) 415 or 403; never
a traceback. The page builds everything with DOM text nodes, so an article's
``<script>`` stays text. The server binds 127.0.0.1 unless told otherwise, and
checks with one engine started once, one document at a time.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import sys
import threading
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, TextIO, cast

from qualitybot.config import find_rules_file, load_rules
from qualitybot.contract import CheckUnavailable
from qualitybot.document import Format, parse
from qualitybot.engine import Engine
from qualitybot.report import Report
from qualitybot.sources import DEFAULT_MAX_BYTES

log = logging.getLogger(__name__)

FORMATS = ("markdown", "text", "html")
# The JSON around the text, and \u escapes of non-ASCII text, make the body larger than the text.
MAX_BODY = DEFAULT_MAX_BYTES * 2
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/preview.css": ("preview.css", "text/css; charset=utf-8"),
    "/preview.js": ("preview.js", "text/javascript; charset=utf-8"),
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class RequestError(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def add_parser(commands: Any) -> None:
    sub = commands.add_parser(
        "preview", help="a local web page: paste an article, see its findings in place",
        description="Serve the preview page and its API (POST /api/check) on this machine.",
    )  # fmt: skip
    sub.add_argument("--host", default="127.0.0.1", help="address to bind (default %(default)s: this machine only)")
    sub.add_argument("--port", type=_port, default=8090, help="port (default %(default)s; 0 picks a free one)")
    sub.add_argument("--rules", metavar="FILE", help="rules file (default: as `qualitybot check` finds it)")


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got {value!r}")
    return int(value)


def page_file(name: str) -> bytes:
    return resources.files("qualitybot").joinpath("preview_page", name).read_bytes()


def parse_request(body: bytes) -> tuple[str, str, date | None]:
    """(text, format, published_at) of an API request, or RequestError(400) saying what is wrong."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestError(HTTPStatus.BAD_REQUEST, f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise RequestError(HTTPStatus.BAD_REQUEST, 'expected a JSON object {"text": ..., "format": ...}')
    text, fmt, published = data.get("text"), data.get("format", "markdown"), data.get("published_at")
    if not isinstance(text, str):
        raise RequestError(HTTPStatus.BAD_REQUEST, '"text" must be a string')
    if len(text.encode("utf-8", "surrogatepass")) > DEFAULT_MAX_BYTES:
        raise RequestError(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            f"the article is larger than the {DEFAULT_MAX_BYTES / 1048576:g} MiB limit for one document",
        )
    if fmt not in FORMATS:
        raise RequestError(HTTPStatus.BAD_REQUEST, '"format" must be one of ' + ", ".join(FORMATS))
    when = None
    if published not in (None, ""):
        try:
            when = date.fromisoformat(published) if isinstance(published, str) and len(published) == 10 else None
        except ValueError:
            when = None
        if when is None:
            raise RequestError(HTTPStatus.BAD_REQUEST, '"published_at" must be a date YYYY-MM-DD')
    if "\0" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise RequestError(HTTPStatus.BAD_REQUEST, '"text" must be text (no NUL, no lone surrogates)')
    return text, fmt, when


class Preview:
    """The engine and what the page needs of it."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lock = threading.Lock()

    def check(self, text: str, fmt: str, published_at: date | None) -> dict[str, Any]:
        # The page sends what the writer sees; CRLF from a dropped file counts as one line break.
        suffix = {"markdown": "md", "text": "txt"}.get(fmt, fmt)
        doc = parse(
            text.replace("\r\n", "\n"), f"article.{suffix}", fmt=cast(Format, fmt), published_at=published_at,
            today=date.today(),
        )
        with self.lock:
            return Report([self.engine.check(doc)]).to_json()


def make_handler(preview: Preview, allowed_hosts: set[str]) -> type[BaseHTTPRequestHandler]:
    """The request handler; ``allowed_hosts`` (filled once the port is known) empty: any Host."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "qualitybot-preview"
        sys_version = ""

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s " + format, self.address_string(), *args)

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in SECURITY_HEADERS.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: HTTPStatus, data: Any) -> None:
            self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json")

        def _host_ok(self) -> bool:
            # A page elsewhere must not reach this server through a DNS name pointed at 127.0.0.1.
            host = (self.headers.get("Host") or "").lower()
            return not allowed_hosts or host in allowed_hosts

        def do_GET(self) -> None:
            if not self._host_ok():
                self._json(HTTPStatus.FORBIDDEN, {"error": "unexpected Host header"})
                return
            path = self.path.split("?", 1)[0]
            if path not in STATIC:
                self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
                return
            name, content_type = STATIC[path]
            self._send(HTTPStatus.OK, page_file(name), content_type)

        do_HEAD = do_GET

        def do_POST(self) -> None:
            try:
                self._json(HTTPStatus.OK, self._check())
            except RequestError as exc:
                self.close_connection = True  # an unread body must not be taken for the next request
                self._json(exc.status, {"error": str(exc)})
            except CheckUnavailable as exc:
                self._json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"configuration error: {exc}"})
            except Exception as exc:  # a bug (CheckFailed among them): never a traceback to the page
                log.error("internal error: %r", exc)
                self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal error (see the server's log)"})

        def _check(self) -> dict[str, Any]:
            if not self._host_ok():
                raise RequestError(HTTPStatus.FORBIDDEN, "unexpected Host header")
            if self.path.split("?", 1)[0] != "/api/check":
                raise RequestError(HTTPStatus.NOT_FOUND, "not found")
            if (self.headers.get("Content-Type") or "").split(";")[0].strip().lower() != "application/json":
                raise RequestError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send application/json")
            length = self.headers.get("Content-Length", "")
            if not length.isdigit():
                raise RequestError(HTTPStatus.LENGTH_REQUIRED, "Content-Length required")
            if int(length) > MAX_BODY:
                raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is larger than {MAX_BODY} bytes")
            text, fmt, published_at = parse_request(self.rfile.read(int(length)))
            return preview.check(text, fmt, published_at)

    return Handler


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def run(args: argparse.Namespace, out: TextIO) -> int:
    engine = Engine(load_rules(find_rules_file(args.rules)))
    hosts: set[str] = set()
    try:
        server = ThreadingHTTPServer((args.host, args.port), make_handler(Preview(engine), hosts))
    except OSError as exc:
        print(f"qualitybot: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    engine.start_warm_up()
    port = server.server_address[1]
    if _loopback(args.host):
        hosts.update(f"{name}:{port}" for name in (args.host, "localhost", "127.0.0.1", "[::1]"))
        where = "this machine only"
    else:
        where = f"reachable from the network on {args.host}: anyone who can reach it can use it"
    shown = f"[{args.host}]" if ":" in args.host else args.host
    out.write(f"qualitybot preview: http://{shown}:{port}/ ({where}); Ctrl+C stops it\n")
    out.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0

