"""The dashboard driven in headless Chromium (Debian's /usr/bin/chromium through Playwright
for Python; no browser is ever downloaded) against `corrobora serve` on a loopback port:
filter by a state and a period, open an event, follow it to its sentences, record review
decisions, and check that markup inside an article is shown as text."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from corrobora.extract import ontology
from corrobora.extract.actors import ActorRegistry
from corrobora.store import Store
from corrobora.store.duckdb_store import Batch

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


@contextmanager
def _serve(db: Path, *extra: str) -> Iterator[str]:
    """`corrobora serve` on this store on a free loopback port, until the block ends."""
    port = _free_port()
    cmd = [sys.executable, "-m", "corrobora.cli", "serve", "--db", str(db),
           "--port", str(port), *extra]
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
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # A copy: the review test writes decisions, the API tests read the original.
    db = tmp_path_factory.mktemp("serve") / "demo.duckdb"
    shutil.copy(demo_db, db)
    with _serve(db, "--review") as base:
        yield base


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
        self.page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}")
                     if r.status >= 400 else None)

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


def test_the_list_downloads_csv_with_a_bom_acled_csv_and_geojson_of_the_filtered_events(
        tab: Watched) -> None:
    import csv as csvlib
    import io

    from corrobora.export.acled import COLUMNS

    page = tab.open("/?place=MX-SIN&since=2024-09-01&until=2024-09-30")
    expected = _api(tab.base, "/api/events?place=MX-SIN&since=2024-09-01&until=2024-09-30"
                    "&limit=500")
    ids = {e["id"] for e in expected["items"]}
    assert ids
    page.wait_for_function("() => document.getElementById('geojson').href"
                           ".includes('place=MX-SIN')")
    got = {}
    for button in ("csv", "acled", "geojson"):
        with page.expect_download() as download:
            page.click(f"#{button}")
        got[button] = Path(download.value.path()).read_bytes()
    # Spreadsheet programs read UTF-8 only after a byte-order mark.
    assert got["csv"].startswith(b"\xef\xbb\xbf")
    rows = list(csvlib.DictReader(io.StringIO(got["csv"].decode("utf-8-sig"))))
    assert {r["id"] for r in rows} == ids
    assert got["acled"].startswith(b"\xef\xbb\xbf")
    acled = list(csvlib.DictReader(io.StringIO(got["acled"].decode("utf-8-sig"))))
    assert acled and tuple(acled[0]) == COLUMNS
    assert {r["event_id_cnty"] for r in acled if r["event_id_cnty"].startswith("evt-")} <= ids
    assert all(r["admin1"] == "Sinaloa" for r in acled)
    features = json.loads(got["geojson"])["features"]
    assert features and {f["id"] for f in features} <= ids
    assert all(len(f["geometry"]["coordinates"]) == 2 for f in features)
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


def test_the_review_page_in_spanish_asks_for_the_token_in_spanish(tab: Watched,
                                                                   busy_tab: Watched) -> None:
    es = tab.open("/review?lang=es").evaluate(
        "() => import('/static/js/i18n.js').then(m => m.STRINGS.es)")
    page = tab.page
    form = page.locator("#review-token")
    assert form.is_visible()  # no token given yet
    assert page.locator("#review-token label").inner_text().strip() == es["review_token"].strip()
    assert page.locator("#review-token button").inner_text() == es["ok"] == "Aceptar"
    metas = page.locator("li.review-item .meta").all_inner_texts()
    assert all(es["link"] in m and " link " not in m for m in metas), metas
    # Without --review the page says it is read-only, in Spanish too.
    busy_tab.open("/review?lang=es")
    assert busy_tab.page.locator("#review-status").inner_text() == es["review_read_only"]
    assert not tab.errors and not busy_tab.errors, (tab.errors, busy_tab.errors)


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
    errors = [e for e in tab.errors if "401" not in e]  # the one refused on purpose
    assert not errors, errors


# -- a busy store: more events than the map's point window, every event type, many actors --

MAP_WINDOW = 20000  # points the dashboard's map asks for (static/js/index.js)
BUSY_EVENTS = MAP_WINDOW + 600
BUSY_ACTORS = 60
OPEN_COUNT_EVENT = "evt-open-count"  # its reports say "3" and "at least 3" dead
# (code, lat, lon) of a few states' centres: the synthetic places are scattered around them.
CENTRES = [("MX-SIN", 25.0, -107.5), ("MX-JAL", 20.6, -103.6), ("MX-GRO", 17.6, -99.9),
           ("MX-CHH", 28.6, -106.1), ("MX-TAM", 24.3, -98.6), ("MX-MIC", 19.2, -101.9),
           ("MX-OAX", 17.0, -96.4), ("MX-SON", 29.3, -110.7)]


def _busy_store(demo_db: Path, db: Path) -> None:
    """The demo store plus BUSY_EVENTS synthetic events (older than the demo's, of every
    type of the ontology, at 40 places), 600 of them reported by a demo document naming
    3-6 of BUSY_ACTORS registry actors each, and one event whose reports give 3 and
    "at least 3" dead. Written through Store.write_batch, as ingest writes."""
    shutil.copy(demo_db, db)
    rng = random.Random(18)
    registry = ActorRegistry.load()
    related = sorted({a for r in registry.relations() for a in (r.source, r.target)
                      if registry.get(a)})[:BUSY_ACTORS]
    actors = [{"id": a, "name": registry.get(a).name, "type": registry.get(a).type,
               "inter_code": registry.get(a).inter, "status": "confirmed",
               "origin": "registry"} for a in related]
    places = [{"geonameid": 9_000_000 + i, "name": f"Lugar {i}",
               "lat": lat + rng.uniform(-0.8, 0.8), "lon": lon + rng.uniform(-0.8, 0.8),
               "country_code": "MX", "admin1_code": code, "admin2_name": f"Municipio {i}",
               "feature_code": "PPL"}
              for i, (code, lat, lon) in enumerate(CENTRES * 5)]
    types = sorted(ontology.types())
    events, reports, named = [], [], []
    with Store(db) as store:
        doc = store.con.execute("SELECT id FROM documents ORDER BY id LIMIT 1").fetchone()[0]
        for i in range(BUSY_EVENTS):
            kind = types[i % len(types)]
            events.append({
                "id": f"evt-busy-{i:06d}", "type": kind, "case_label": ontology.case_label(kind),
                "date": date(2012, 1, 1) + timedelta(days=i % 3600), "time_precision": 1,
                "geonameid": places[i % len(places)]["geonameid"], "geo_precision": 2,
                "fatalities_min": i % 4, "fatalities_max": i % 4, "n_reports": 1,
                "independent_sources": 1, "reliability": "C", "credibility": 3,
                "hedged": False})
        for i in range(600):
            report_id = f"rep-busy-{i:06d}"
            reports.append(_report(report_id, doc, f"evt-busy-{i:06d}", 1, 1))
            for role, actor in enumerate(rng.sample(related, rng.randint(3, 6))):
                named.append({"event_report_id": report_id, "role": f"actor{role % 2 + 1}",
                              "text": actor, "actor_id": actor})
        events.append({**events[0], "id": OPEN_COUNT_EVENT, "type": "ATTACK",
                       "date": date(2025, 6, 1), "fatalities_min": 3, "fatalities_max": 3,
                       "n_reports": 2})
        reports += [_report("rep-open-1", doc, OPEN_COUNT_EVENT, 3, 3),
                    _report("rep-open-2", doc, OPEN_COUNT_EVENT, 3, None)]
        store.write_batch(Batch(places=places, actors=actors, new_events=events,
                                event_reports=reports, event_report_actors=named))


def _report(report_id: str, doc: str, event_id: str, low: int, high: int | None
            ) -> dict[str, Any]:
    return {"id": report_id, "document_id": doc, "event_id": event_id, "link_score": 0.9,
            "type": "ATTACK", "sentence_start": 0, "sentence_end": 40, "trigger_start": 0,
            "trigger_end": 5, "fatalities_min": low, "fatalities_max": high,
            "source_key": f"src-{report_id}", "hedged": False, "date": date(2025, 6, 1)}


@pytest.fixture(scope="module")
def busy(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("busy") / "busy.duckdb"
    _busy_store(demo_db, db)
    with _serve(db) as base:
        yield base


@pytest.fixture()
def busy_tab(browser: Any, busy: str) -> Iterator[Watched]:
    w = Watched(browser, busy)
    yield w
    w.context.close()


def _row_ids(page: Any) -> list[str]:
    return page.locator("#event-rows tr").evaluate_all("rows => rows.map(r => r.dataset.id)")


def test_clearing_the_timeline_lists_the_other_filters_events_once(busy_tab: Watched) -> None:
    page = busy_tab.open("/?place=MX-JAL")
    box = page.locator("#timeline svg").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=5)
    page.mouse.up()
    page.wait_for_function("() => location.search.includes('since=')")
    busy_tab.ready()
    assert page.locator("#timeline-clear").is_visible()  # the other way to clear it
    page.mouse.dblclick(box["x"] + box["width"] * 0.5, y)
    page.wait_for_function("() => !location.search.includes('since=')")
    busy_tab.ready()
    page.wait_for_load_state("networkidle")
    expected = [e["id"] for e in _api(busy_tab.base, "/api/events?place=MX-JAL&limit=50")["items"]]
    ids = _row_ids(page)
    assert len(ids) == len(set(ids)), "a row is listed twice"
    assert ids == expected
    assert page.locator(".timeline .brush").get_attribute("width") in (None, "0")
    assert "place=MX-JAL" in page.url
    assert not page.locator("#timeline-clear").is_visible()
    total = sum(x["events"] for x in _api(busy_tab.base, "/api/events/counts?by=type"
                                                         "&place=MX-JAL")["items"])
    assert page.locator("#count").inner_text() == f"showing 50 of {total:,} events"
    assert not busy_tab.errors, busy_tab.errors


def test_the_map_says_when_it_shows_fewer_points_than_the_filters_match(
        busy_tab: Watched) -> None:
    page = busy_tab.open("/")
    notice = page.locator("#map-notice")
    regions = sum(r["events"] for r in _api(busy_tab.base, "/api/geo/regions")["items"])
    assert regions > MAP_WINDOW
    text = notice.inner_text()
    assert notice.is_visible() and "20,000" in text and f"{regions:,}" in text, text
    # The shading says what it counts, so the two numbers are not read as one.
    assert f"{regions:,}" in page.locator("#shading-key").inner_text()
    busy_tab.shot("09-map-window")
    # Zoomed in to central Mexico, the view holds fewer events than the window: all drawn.
    page.click(".leaflet-control-zoom-in")
    page.wait_for_load_state("networkidle")  # the first zoom's points have come
    page.click(".leaflet-control-zoom-in")
    page.wait_for_function("() => document.getElementById('map-notice').hidden")
    page = busy_tab.open("/?place=MX-SIN")
    assert not page.locator("#map-notice").is_visible()
    shown = page.locator("#shading-key").inner_text()
    sinaloa = _api(busy_tab.base, "/api/geo/regions?place=MX-SIN")["items"]
    assert f"{sum(r['events'] for r in sinaloa):,}" in shown
    assert not busy_tab.errors, busy_tab.errors


def test_every_event_family_has_its_own_colour_and_a_legend_entry(busy_tab: Watched) -> None:
    page = busy_tab.open("/")
    onto = _api(busy_tab.base, "/api/ontology")
    family = {t["type"]: t["family"] for t in onto["types"]}
    present = {family[t["value"]] for t in _api(busy_tab.base, "/api/facets")["types"]}
    assert len(present) == len(onto["families"])  # the busy store has every type
    keys = page.locator("#legend .key")
    assert keys.count() == len(present)
    colours = keys.locator(".swatch").evaluate_all(
        "s => s.map(x => getComputedStyle(x).backgroundColor)")
    assert len(set(colours)) == len(colours), colours
    by_family = dict(zip(keys.evaluate_all("k => k.map(x => x.dataset.family)"), colours,
                         strict=True))
    rows = page.locator("#event-rows tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.type, "
        "getComputedStyle(r.querySelector('.swatch')).backgroundColor])")
    assert rows and all(by_family[family[kind]] == colour for kind, colour in rows)


@pytest.mark.parametrize("width", [1280, 1340, 1400])
def test_the_event_table_fits_its_panel(browser: Any, busy: str, width: int) -> None:
    w = Watched(browser, busy)
    try:
        w.page.set_viewport_size({"width": width, "height": 900})
        page = w.open("/")
        sizes = page.evaluate("""() => {
          const p = document.querySelector('.list-panel');
          const t = document.querySelector('table.events');
          return {panel: p.clientWidth, scroll: p.scrollWidth,
                  right: t.getBoundingClientRect().right,
                  edge: p.getBoundingClientRect().right,
                  page: document.documentElement.scrollWidth, view: innerWidth};
        }""")
        assert sizes["scroll"] <= sizes["panel"], sizes
        assert sizes["right"] <= sizes["edge"], sizes
        assert sizes["page"] <= sizes["view"], sizes
        # A cut cell keeps its whole text in its title.
        cut = page.locator("#event-rows td[title]")
        assert cut.count() >= page.locator("#event-rows tr").count()
        w.shot(f"10-table-{width}")
    finally:
        w.context.close()


UNSET_WORDS = re.compile(r"\b(None|null|undefined|NaN)\b")


def _pages(base: str) -> list[str]:
    doc = _api(base, f"/api/events/{OPEN_COUNT_EVENT}")["reports"][0]["document_id"]
    return ["/", f"/event?id={OPEN_COUNT_EVENT}", f"/document?id={doc}", "/sources",
            "/actors", "/analyses", "/review"]


def _show(tab: Watched, path: str) -> Any:
    """Open a page; on the analyses page, run a study too."""
    page = tab.open(path)
    if path.startswith("/analyses"):
        page.select_option("#removal", "zambada-2024")
        page.click("#run")
        page.wait_for_selector("#study-results, #study .error", timeout=60000)
    return page


def test_no_page_shows_none_null_or_undefined(busy_tab: Watched) -> None:
    for path in _pages(busy_tab.base):
        page = _show(busy_tab, path)
        text = page.locator("body").inner_text()
        assert not UNSET_WORDS.search(text), (path, UNSET_WORDS.findall(text))
    page = busy_tab.open(f"/event?id={OPEN_COUNT_EVENT}")
    assert "≥ 3" in page.locator(".disagree").inner_text()


# Every visible text node of a page, without the words that are data (numbers, codes).
VISIBLE_TEXT = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const e = n.parentElement;
    if (!e || !n.textContent.trim() || e.closest('script, style, option')) continue;
    if (!e.getClientRects().length || getComputedStyle(e).visibility === 'hidden') continue;
    out.push(n.textContent);
  }
  return out;
}"""


def _bare(text: str) -> str:
    return " ".join(re.sub(r"[\d.,:;()·/…%–+-]+", " ", text).split()).lower()


def test_the_spanish_interface_has_no_english_string(busy_tab: Watched) -> None:
    codes = {t["type"] for t in _api(busy_tab.base, "/api/ontology")["types"]}  # OTHER
    for path in _pages(busy_tab.base):
        page = _show(busy_tab, path + ("&" if "?" in path else "?") + "lang=es")
        table = page.evaluate("() => import('/static/js/i18n.js').then(m => m.STRINGS)")
        english_only = {_bare(v) for k, v in table["en"].items()
                        if _bare(v) != _bare(table["es"].get(k, ""))} - {""}
        shown = [t for t in page.evaluate(VISIBLE_TEXT)
                 if _bare(t) in english_only and t.strip() not in codes]
        assert not shown, (path, shown)
    assert not busy_tab.errors, busy_tab.errors


def test_the_actor_graph_shows_the_top_actors_with_legible_labels_and_a_legend(
        busy_tab: Watched) -> None:
    page = busy_tab.open("/actors")
    page.wait_for_selector("#graph canvas")
    every = len(_api(busy_tab.base, "/api/actors/graph")["nodes"])
    assert every > 40
    limit = int(page.locator("#top-n").input_value())
    assert page.evaluate("() => window.corroboraGraph.nodes().length") == limit < every
    page.select_option("#top-n", "10")
    page.wait_for_function("() => window.corroboraGraph.nodes().length === 10")
    busy_tab.ready()
    graph = page.evaluate("""() => {
      const cy = window.corroboraGraph;
      return cy.nodes().map(n => ({events: n.data('events'), size: n.width(),
        labelled: n.hasClass('labelled'),
        box: n.hasClass('labelled') ? n.boundingBox({includeNodes: false,
          includeEdges: false, includeLabels: true}) : null}));
    }""")
    by_events = sorted(graph, key=lambda n: n["events"])
    assert [n["size"] for n in by_events] == sorted(n["size"] for n in graph)
    boxes = [n["box"] for n in graph if n["labelled"]]
    assert boxes, "no node is labelled"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = (a["x2"] <= b["x1"] or b["x2"] <= a["x1"] or a["y2"] <= b["y1"]
                     or b["y2"] <= a["y1"])
            assert apart, ("labels overlap", a, b)
    # The biggest node is labelled; an unlabelled one shows its label on hover.
    assert max(graph, key=lambda n: n["size"])["labelled"]
    kinds = {e["type"] for e in page.evaluate(
        "() => window.corroboraGraph.edges().map(e => e.data())")}
    nodes = set(page.evaluate("() => window.corroboraGraph.nodes().map(n => n.data('type'))"))
    assert page.locator("#graph-legend .key").count() >= len(kinds) + len(nodes)
    assert page.locator("#graph-legend .key[data-kind=co_occurs]").count() == 1
    busy_tab.shot("11-actors-top-10")
    assert "top=10" in page.url  # the choice is in the URL, so the view can be shared
    page = busy_tab.open("/actors?top=0")
    page.wait_for_selector("#graph canvas")
    assert page.evaluate("() => window.corroboraGraph.nodes().length") == every
    assert not busy_tab.errors, busy_tab.errors
