"""``qualitybot preview``: its API over real HTTP, and its page in a real headless Chromium."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from qualitybot.sources import DEFAULT_MAX_BYTES
from tests.conftest import EXAMPLES, ROOT, run_cli

CHROMEDRIVER = "/usr/bin/chromedriver"  # Debian's chromium-driver: never a driver downloaded at run time
TIMEOUT = 60


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "qualitybot", "preview", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path_factory.mktemp("preview"),  # no rules file there: the bundled default
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert "127.0.0.1" in banner and "this machine only" in banner, banner + (proc.stderr.read() if proc.stderr else "")
        url = urlparse(banner.split()[2])
        assert url.hostname == "127.0.0.1" and url.port
        yield url.hostname, url.port
    finally:
        proc.kill()
        proc.wait(timeout=10)


def call(
    server: tuple[str, int], body: bytes | None, headers: dict[str, str] | None = None, method: str = "POST",
    path: str = "/api/check",
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(*server, timeout=TIMEOUT)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def check(server: tuple[str, int], request: dict[str, Any]) -> dict[str, Any]:
    status, _, body = call(server, json.dumps(request).encode())
    assert status == 200, body
    return dict(json.loads(body))


def test_api_answers_the_json_report(server: tuple[str, int]) -> None:
    text = (EXAMPLES / "flawed-article.md").read_text(encoding="utf-8")
    report = check(server, {"text": text, "format": "markdown", "published_at": "2022-03-14"})
    assert report["schema"] == "qualitybot.report/1" and report["verdict"] == "fail"
    rules = {f["rule"] for f in report["documents"][0]["findings"]}
    assert {"quotes.empty", "grammar.article", "dates.malformed"} <= rules
    assert check(server, {"text": "The port reopened on Monday.", "format": "text"})["verdict"] == "pass"


@pytest.mark.parametrize(
    ("body", "headers", "status", "says"),
    [
        (b"{not json", {}, 400, "not JSON"),
        (b"[1, 2]", {}, 400, "JSON object"),
        (b'{"format": "markdown"}', {}, 400, '"text"'),
        (b'{"text": "x", "format": "docx"}', {}, 400, '"format"'),
        (b'{"text": "x", "published_at": "14/03/2022"}', {}, 400, "published_at"),
        (b'{"text": "x", "published_at": "2022-02-30"}', {}, 400, "published_at"),
        (b'{"text": "\\ud800"}', {}, 400, "surrogates"),
        (b"\xff\xfe", {}, 400, "not JSON"),
        (b'{"text": "x"}', {"Content-Type": "text/plain"}, 415, "application/json"),  # what a form elsewhere sends
        (b'{"text": "x"}', {"Host": "attacker.example:8090"}, 403, "Host"),  # DNS rebinding
        (json.dumps({"text": "a" * (DEFAULT_MAX_BYTES + 1)}).encode(), {}, 413, "MiB limit"),
    ],
)
def test_api_refuses_bad_requests_cleanly(
    server: tuple[str, int], body: bytes, headers: dict[str, str], status: int, says: str
) -> None:
    got, response_headers, answer = call(server, body, headers)
    assert got == status
    assert response_headers["Content-Type"] == "application/json"
    assert says in json.loads(answer)["error"]
    assert b"Traceback" not in answer


def test_api_refuses_an_oversized_body_unread(server: tuple[str, int]) -> None:
    connection = http.client.HTTPConnection(*server, timeout=TIMEOUT)
    try:
        connection.putrequest("POST", "/api/check")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(64 * 1024 * 1024))
        connection.endheaders()  # no body follows: the answer must not wait for it
        response = connection.getresponse()
        assert response.status == 413
        assert "larger than" in json.loads(response.read())["error"]
    finally:
        connection.close()


def test_the_page_is_self_contained(server: tuple[str, int]) -> None:
    status, headers, page = call(server, None, method="GET", path="/")
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b"/preview.js" in page
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    for path in ("/", "/preview.js", "/preview.css"):
        _, _, body = call(server, None, method="GET", path=path)
        assert b"http://" not in body and b"https://" not in body and b"//cdn" not in body, path  # works offline
    assert call(server, None, method="GET", path="/../../etc/passwd")[0] == 404


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--port", "70000"], "port number from 0 to 65535"),
        (["--host", "203.0.113.9", "--port", "0"], "cannot listen on 203.0.113.9:0"),  # not an address of ours
        (["--rules", "missing.yml"], "missing.yml"),
    ],
)
def test_preview_refuses_bad_options_cleanly(args: list[str], says: str, tmp_path: Path) -> None:
    result = run_cli("preview", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert says in result.stderr and "Traceback" not in result.stderr


# --- the page in a real browser -------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium or not Path(CHROMEDRIVER).is_file():
        reason = "headless Chromium is not installed (apt-get install chromium chromium-driver; .ci/run does it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"in CI: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a driver or a browser
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,1000", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_script_timeout(TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()


def _code_point_offset(text: str, line: int, column: int) -> int:
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    return starts[line - 1] + column - 1


def _paste_and_check(driver: Any, url: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    area = driver.find_element(By.ID, "text")
    # A paste as the page sees it: the text lands in the box and a paste event fires (headless
    # Chromium has no system clipboard to paste from).
    driver.execute_script(
        """const [area, text] = arguments;
        area.focus();
        area.value = text;
        area.dispatchEvent(new ClipboardEvent("paste", {bubbles: true}));""",
        area,
        text,
    )
    WebDriverWait(driver, TIMEOUT).until(lambda d: d.find_element(By.ID, "verdict").text in ("PASS", "FAIL"))


def test_the_page_highlights_every_finding_in_place(
    browser: Any, server: tuple[str, int], tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    text = (EXAMPLES / "flawed-article.md").read_text(encoding="utf-8")
    expected = check(server, {"text": text, "format": "markdown"})["documents"][0]
    _paste_and_check(browser, f"http://{server[0]}:{server[1]}/", text)

    assert browser.find_element(By.ID, "verdict").text == expected["verdict"].upper() == "FAIL"
    items = browser.find_elements(By.CSS_SELECTOR, "#findings li")
    assert len(items) == len(expected["findings"]) > 5
    for item, finding in zip(items, expected["findings"], strict=True):
        assert finding["rule"] in item.text and finding["message"] in item.text
        for suggestion in finding["suggestions"][:5]:
            assert suggestion in item.text
    # Each finding is highlighted exactly over its span of the article.
    marked = browser.execute_script(
        """const out = {};
        for (const mark of document.querySelectorAll("#article mark"))
          for (const i of mark.dataset.findings.split(" ")) out[i] = (out[i] || "") + mark.textContent;
        return out;"""
    )
    for i, finding in enumerate(expected["findings"]):
        start = _code_point_offset(text, finding["line"], finding["column"])
        end = _code_point_offset(text, finding["end_line"], finding["end_column"])
        assert marked[str(i)] == text[start:max(end, start + 1)], finding["rule"]
    # The article reads as it was pasted.
    assert browser.find_element(By.ID, "article").get_attribute("textContent") == text
    metrics = browser.find_element(By.ID, "metrics").text
    assert f"words {expected['metrics']['words']}" in metrics

    # Clicking a finding jumps to it: its highlight lights up inside the visible article.
    last = len(items) - 1
    items[last].click()
    assert browser.execute_script(
        """const marks = [...document.querySelectorAll("#article mark.active")];
        const box = document.getElementById("article").getBoundingClientRect();
        return marks.length > 0 && marks.every((m) => m.dataset.findings.split(" ").includes(arguments[0]))
          && marks[0].getBoundingClientRect().top >= box.top && marks[0].getBoundingClientRect().bottom <= box.bottom;""",
        str(last),
    )
    items[0].click()  # leave the first finding selected in the screenshot
    browser.save_screenshot(str(tmp_path / "preview.png"))
    if os.environ.get("QUALITYBOT_PREVIEW_SCREENSHOT"):  # how docs/preview.png is made
        browser.save_screenshot(os.environ["QUALITYBOT_PREVIEW_SCREENSHOT"])


def test_an_articles_markup_stays_text(browser: Any, server: tuple[str, int]) -> None:
    from selenium.webdriver.common.by import By

    text = (
        '<script>window.pwned = 1</script> It was a apple.\n\n<img src=x onerror="window.pwned = 2"> '
        'The the port "closed".'
    )
    _paste_and_check(browser, f"http://{server[0]}:{server[1]}/", text)
    assert browser.find_elements(By.CSS_SELECTOR, "#article mark")
    assert browser.execute_script("return window.pwned") is None
    assert browser.find_elements(By.CSS_SELECTOR, "#article script, #article img, #findings script") == []
    assert browser.find_element(By.ID, "article").get_attribute("textContent") == text
