"""The dashboard driven in headless Chromium (Debian's /usr/bin/chromium through Playwright
for Python; no browser is ever downloaded) against `corrobora serve` on a loopback port:
filter by a state and a period, open an event, follow it to its sentences, record review
decisions, and check that markup inside an article is shown as text."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium "
                "(apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests need Playwright for Python")

ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
XSS_ID = "xss-probe-1"  # written by conftest.demo_db
SHOTS = Path(os.environ.get("CORROBORA_SCREENSHOTS", "out/screenshots"))
REVIEW_TOKEN = "browser-test-review-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # A copy: the review test writes decisions, the API tests read the original.
    db = tmp_path_factory.mktemp("serve") / "demo.duckdb"
    shutil.copy(demo_db, db)
    port = _free_port()
    cmd = [sys.executable, "-m", "corrobora.cli", "serve", "--db", str(db),
           "--port", str(port), "--review"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "CORROBORA_REVIEW_TOKEN": REVIEW_TOKEN})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/stats", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode() if proc.stdout else ""
                    pytest.fail(f"corrobora serve did not start: {out}")
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Watched:
    """A page with every dialog, page error and console error recorded."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type == "error" else None)

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        self.ready()
        return self.page

    def ready(self) -> None:
        self.page.wait_for_selector("body[data-state=ready]", timeout=30000)

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture()
def tab(browser: Any, server: str) -> Iterator[Watched]:
    w = Watched(browser, server)
    yield w
    w.context.close()


def _api(base: str, path: str) -> Any:
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return json.loads(r.read())


def test_filter_by_state_and_period_then_open_an_event_and_its_sentences(tab: Watched) -> None:
    page = tab.open("/")
    assert page.locator("#event-rows tr").count() > 10
    assert page.locator(".leaflet-interactive").count() > 0  # states and points drawn
    tab.shot("01-map-all")
    page.select_option("#f-place", "MX-SIN")
    page.fill("#f-since", "2024-09-01")
    page.fill("#f-until", "2024-09-30")
    page.click("#f-apply")
    page.wait_for_function("() => document.querySelectorAll('#event-rows tr').length > 0 "
                           "&& location.search.includes('since=2024-09-01')")
    tab.ready()
    assert "place=MX-SIN" in page.url and "until=2024-09-30" in page.url
    rows = page.locator("#event-rows tr")
    expected = _api(tab.base, "/api/events?place=MX-SIN&since=2024-09-01&until=2024-09-30")
    page.wait_for_function(f"() => document.querySelectorAll('#event-rows tr').length === "
                           f"{expected['count']}")
    assert all("MX-SIN" in t for t in rows.locator("td:nth-child(4)").all_inner_texts())
    assert page.locator(".timeline .brush").get_attribute("width") not in (None, "0")
    tab.shot("02-map-sinaloa-september-2024")
    # The URL alone reproduces the view (shareable).
    again = tab.open(page.url.replace(tab.base, ""))
    assert again.locator("#event-rows tr").count() == expected["count"]

    again.locator("#event-rows a.event-link").first.click()
    tab.ready()
    assert "/event?" in again.url
    assert again.locator("#independent").inner_text().strip().isdigit()
    reports = again.locator("li.report")
    assert reports.count() >= 1
    sentence = reports.first.locator("q.sentence").inner_text().strip("“”\" ")
    tab.shot("03-event")
    reports.first.locator("a.to-document").click()
    tab.ready()
    highlighted = again.locator("#doc-text .current")
    assert highlighted.count() >= 1
    text = "".join(highlighted.all_text_contents())
    assert " ".join(text.split()) == " ".join(sentence.split())
    tab.shot("04-document-sentence")
    assert not tab.errors and not tab.dialogs


def test_markup_in_an_article_is_shown_as_text(tab: Watched) -> None:
    page = tab.open(f"/document?id={XSS_ID}")
    body = page.locator("#doc-text")
    shown = body.inner_text()
    assert "<script>window.__pwned = 1; alert('xss')</script>" in shown
    assert "<img src=x onerror=" in shown
    assert body.locator("img, script").count() == 0
    assert page.locator("#doc-title").inner_text().startswith("<script>")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img[src=x]").count() == 0
    tab.shot("05-document-with-markup")
    # The event pages quoting it escape it too.
    doc = _api(tab.base, f"/api/documents/{XSS_ID}")
    for event_id in {r["event_id"] for r in doc["event_reports"]}:
        tab.open(f"/event?id={event_id}")
        assert page.evaluate("typeof window.__pwned") == "undefined"
    assert not tab.dialogs, tab.dialogs
    assert not tab.errors, tab.errors


def test_spanish_interface_and_other_pages(tab: Watched) -> None:
    page = tab.open("/?lang=es&place=MX-JAL")
    assert page.locator("#nav-sources").inner_text() == "Fuentes"
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("#f-place").input_value() == "MX-JAL"
    page = tab.open("/sources")
    assert "Reuters" in page.locator("#source-table").inner_text()
    page = tab.open("/actors?since=2024-01-01")
    page.wait_for_selector("#graph canvas")
    assert page.locator("#graph-count").inner_text().strip()
    tab.shot("06-actors")
    page = tab.open("/analyses")
    page.select_option("#removal", "zambada-2024")
    page.click("#run")
    page.wait_for_selector("#study-plot, #study .error", state="attached", timeout=60000)
    assert page.locator("#study .error").count() == 0, page.locator("#study").inner_text()
    assert "MX-SIN" in page.locator("#study-results").inner_text()
    assert page.locator("#study-plot rect.bar").count() >= 12
    tab.shot("07-removal-study")
    page.goto(tab.base + "/docs")  # Swagger UI's own page: no data-state
    page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
    assert page.locator(".opblock").count() >= 10
    assert not tab.errors, tab.errors


def test_review_confirm_split_and_merge_from_the_queue(tab: Watched) -> None:
    # As `serve --review` prints it: the page keeps the token and drops the fragment.
    page = tab.open(f"/review#token={REVIEW_TOKEN}")
    assert "token" not in page.url
    items = page.locator("li.review-item")
    if items.count() == 0:
        pytest.skip("the demo store has no link to review")
    first = items.first
    report = first.get_attribute("data-report")
    first.locator("button.confirm").click()
    page.wait_for_function("() => document.querySelector('#review-status').className !== ''")
    assert page.locator("#review-status").get_attribute("class") == "ok", \
        page.locator("#review-status").inner_text()
    assert page.locator(f"li.review-item[data-report='{report}']").count() == 0
    # Split a report out of its event, then merge it back from the queue.
    item = page.locator("li.review-item").first
    event_id = item.get_attribute("data-event")
    split_report = item.get_attribute("data-report")
    item.locator("button.split").click()
    page.wait_for_function("() => document.querySelector('#review-status').textContent"
                           ".includes('split') || document.querySelector('#review-status')"
                           ".className === 'error'")
    assert page.locator("#review-status").get_attribute("class") == "ok"
    moved = _api(tab.base, f"/api/events/{event_id}")
    assert all(r["id"] != split_report for r in moved["reports"])
    new_event = next(e["id"] for e in _api(tab.base, "/api/events?limit=500")["items"]
                     if e["id"] != event_id and any(
                         r["id"] == split_report
                         for r in _api(tab.base, f"/api/events/{e['id']}")["reports"]))
    unauthorised = page.evaluate(
        "([a, b]) => fetch('/api/review/merge', {method: 'POST', headers: {'Content-Type': "
        "'application/json'}, body: JSON.stringify({events: [a, b]})}).then(r => r.status)",
        [event_id, new_event])
    assert unauthorised == 401
    page.evaluate("([a, b, t]) => fetch('/api/review/merge', {method: 'POST', headers: "
                  "{'Content-Type': 'application/json', Authorization: `Bearer ${t}`}, "
                  "body: JSON.stringify({events: [a, b]})}).then(r => r.status)",
                  [event_id, new_event, REVIEW_TOKEN])
    merged = _api(tab.base, f"/api/events/{event_id}")
    assert any(r["id"] == split_report for r in merged["reports"])
    tab.shot("08-review")
    errors = [e for e in tab.errors if "401 (Unauthorized)" not in e]  # the one refused
    assert not errors, errors
