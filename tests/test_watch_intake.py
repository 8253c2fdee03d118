"""Live intake (sources/watch.py): feeds and pages polled from servers on 127.0.0.1, what is
new ingested once, every failure handled and reported in one line."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from corrobora.extractor import Extractor
from corrobora.sources.net import Allowed, NetPolicy, SafeFetcher
from corrobora.sources.watch import Target, Watcher, load_targets, parse_duration
from corrobora.store import Store

from .conftest import StoreSpot

Start = Callable[[], Any]
EVERY = 600.0
STORIES = [
    ("Gunmen kill two police officers in Culiacán",
     "Gunmen killed two police officers in Culiacán, Sinaloa, on Monday, officials said. "
     "The attackers fled in a pickup truck."),
    ("Clash in Apatzingán leaves five dead",
     "Five people were killed in a clash between armed groups in Apatzingán, Michoacán, on "
     "Tuesday, the state prosecutor said."),
    ("Mayor abducted in Guerrero",
     "The mayor of a town in Guerrero was abducted by armed men on Wednesday, according to "
     "local media."),
]


def rss(server: Any, stories: list[int], *, pages: bool = True) -> bytes:
    items = "".join(
        f"<item><title>{STORIES[n][0]}</title><guid>story-{n}</guid>"
        f"<link>{server.url(f'/story/{n}') if pages else f'https://news.example/{n}'}</link>"
        f"<description>{STORIES[n][1]}</description>"
        f"<pubDate>Mon, 0{n + 1} Dec 2026 10:00:00 GMT</pubDate></item>"
        for n in stories)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test Wire</title>'
            f"<link>{server.url('/')}</link><description>t</description>{items}"
            "</channel></rss>").encode()


def article(n: int) -> bytes:
    title, text = STORIES[n]
    body = "".join(f"<p>{s.strip()}.</p>" for s in text.split(".") if s.strip())
    return (f'<html lang="en"><head><title>{title}</title></head><body><nav>Home | World</nav>'
            f"<article><h1>{title}</h1>{body}<p>Reporting by the Test Wire desk in the "
            "region, with officials and residents contacted by telephone.</p></article>"
            "</body></html>").encode()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture
def watch(tmp_path: Path, extractor: Extractor
          ) -> Iterator[Callable[..., tuple[Watcher, Clock]]]:
    fetchers: list[SafeFetcher] = []

    def make(server: Any, **policy: Any) -> tuple[Watcher, Clock]:
        allow = (Allowed.parse(f"127.0.0.1:{server.port}"),)
        fetcher = SafeFetcher(NetPolicy(allow=allow, host_delay=0, **policy))
        fetchers.append(fetcher)
        clock = Clock()
        return Watcher(tmp_path / "w.duckdb", fetcher, every=EVERY, extractor=extractor,
                       clock=clock), clock

    yield make
    for fetcher in fetchers:
        fetcher.close()


def documents(db: Path) -> list[dict[str, Any]]:
    with Store(db) as store:
        return store._dicts("SELECT id, title, url, origin, source, text FROM documents "
                            "ORDER BY title")


def test_a_feed_that_changes_has_each_new_item_ingested_once(local_server: Start,
                                                             watch: Any) -> None:
    server = local_server()
    for n in range(3):
        server.route(f"/story/{n}", article(n))
    server.route("/feed.xml", rss(server, [0, 1]))
    watcher, clock = watch(server)
    target = [Target(server.url("/feed.xml"))]
    [first] = watcher.poll(target)
    assert first.line() == f"{server.url('/feed.xml')}: 2 new items, 2 new documents stored"
    server.route("/feed.xml", rss(server, [2, 0, 1]))  # a new story on top
    clock.advance(EVERY)
    [second] = watcher.poll(target)
    assert (second.outcome, second.new_items, second.stored) == ("new", 1, 1)
    clock.advance(EVERY)
    [third] = watcher.poll(target)
    assert third.line() == f"{server.url('/feed.xml')}: nothing new"
    assert [server.hits(f"/story/{n}") for n in range(3)] == [1, 1, 1]
    stored = documents(watcher.db)
    assert [d["title"] for d in stored] == sorted(t for t, _ in STORIES)
    # The article page's text, not the feed's summary; the entry's link as URL.
    assert all("Reporting by the Test Wire desk" in d["text"] for d in stored)
    assert {d["url"] for d in stored} == {server.url(f"/story/{n}") for n in range(3)}


def test_the_same_article_in_two_feeds_is_stored_once(local_server: Start, watch: Any) -> None:
    server = local_server()
    server.route("/story/0", article(0))
    server.route("/a.xml", rss(server, [0]))
    server.route("/b.xml", rss(server, [0]))
    watcher, _ = watch(server)
    a, b = watcher.poll([Target(server.url("/a.xml")), Target(server.url("/b.xml"))])
    assert (a.new_items, a.stored, b.new_items, b.stored) == (1, 1, 1, 0)
    assert len(documents(watcher.db)) == 1


def test_a_304_answer_to_the_conditional_get_ingests_nothing(local_server: Start,
                                                             watch: Any) -> None:
    server = local_server()
    server.route("/feed.xml", rss(server, [0], pages=False), etag='"v1"')
    watcher, clock = watch(server)
    target = [Target(server.url("/feed.xml"), pages=False)]
    watcher.poll(target)
    clock.advance(EVERY)
    [again] = watcher.poll(target)
    assert again.line() == f"{server.url('/feed.xml')}: not modified (HTTP 304)"
    assert server.requests[-1][1]["If-None-Match"] == '"v1"'
    with Store(watcher.db) as store:
        state = store.intake_feed(server.url("/feed.xml"))
    assert state is not None and state["etag"] == '"v1"' and state["items"] == 1
    # Without pages, the entry's own text is the document.
    assert [d["url"] for d in documents(watcher.db)] == ["https://news.example/0"]


def test_a_failing_server_is_backed_off_exponentially(local_server: Start, watch: Any) -> None:
    server = local_server()
    server.route("/feed.xml", status=500)
    watcher, clock = watch(server)
    target = [Target(server.url("/feed.xml"))]
    [failed] = watcher.poll(target)
    assert failed.outcome == "error"
    assert failed.line() == (f"{server.url('/feed.xml')}: error: HTTP 500 Internal Server Error; "
                             "next poll after 2026-12-07 12:20:00 UTC")
    clock.advance(EVERY)
    [waiting] = watcher.poll(target)
    assert waiting.line() == (
        f"{server.url('/feed.xml')}: backing off after 1 failed poll (last: HTTP 500 Internal "
        "Server Error); next poll after 2026-12-07 12:20:00 UTC")
    assert server.hits("/feed.xml") == 1
    clock.advance(EVERY)
    [again] = watcher.poll(target)
    assert again.next_poll == clock.now + timedelta(seconds=4 * EVERY)
    with Store(watcher.db) as store:
        state = store.intake_feed(server.url("/feed.xml"))
        polls = store.intake_overview()["polls"]
    assert state is not None and state["errors"] == 2
    assert [p["outcome"] for p in polls] == ["error", "error"]
    server.route("/feed.xml", rss(server, [0], pages=False))
    clock.advance(4 * EVERY)
    [ok] = watcher.poll(target)
    assert ok.outcome == "new"
    with Store(watcher.db) as store:
        assert store.intake_feed(server.url("/feed.xml"))["errors"] == 0  # type: ignore[index]


def test_retry_after_is_honoured(local_server: Start, watch: Any) -> None:
    server = local_server()
    server.route("/feed.xml", status=429, headers={"Retry-After": "7200"})
    watcher, clock = watch(server)
    [limited] = watcher.poll([Target(server.url("/feed.xml"))])
    assert limited.next_poll == clock.now + timedelta(seconds=7200)
    assert "retry after 7200 s (Retry-After)" in limited.line()


@pytest.mark.parametrize(("case", "said"), [
    ("redirect", "refused (pass --allow-private"),
    ("huge", "body is 3.0 MB, over the 1 MB limit; not read"),
    ("html", "not an RSS/Atom feed (the body is an HTML page)"),
    ("text", "not an RSS/Atom feed (the body is plain text)"),
    ("slow", "no answer within 0.3 s (read timeout)"),
])
def test_a_bad_feed_is_reported_in_one_line(local_server: Start, watch: Any, case: str,
                                            said: str) -> None:
    server, other = local_server(), local_server()
    other.route("/feed.xml", rss(other, [0], pages=False))
    server.route("/redirect", status=302, headers={"Location": other.url("/feed.xml")})
    server.route("/huge", b"<rss>" + b" " * 3_000_000)
    server.route("/html", article(0))
    server.route("/text", b"Service temporarily unavailable, come back later.")
    server.route("/slow", rss(server, [0]), delay=1.5)
    watcher, _ = watch(server, max_bytes=1_000_000, read_timeout=0.3)
    [result] = watcher.poll([Target(server.url(f"/{case}"))])
    line = result.line()
    assert result.outcome == "error" and said in line and "\n" not in line
    assert other.hits("/feed.xml") == 0
    assert documents(watcher.db) == []


def test_an_article_page_that_fails_leaves_the_entry_text_stored(local_server: Start,
                                                                 watch: Any) -> None:
    server = local_server()
    server.route("/feed.xml", rss(server, [1]))  # /story/1 answers 404
    watcher, _ = watch(server)
    [result] = watcher.poll([Target(server.url("/feed.xml"))])
    assert (result.new_items, result.stored) == (1, 1)
    assert result.notes == [f"{server.url('/story/1')}: article page not used (HTTP 404 Not "
                            "Found); the feed entry's text was stored"]
    [doc] = documents(watcher.db)
    assert doc["text"].startswith("Five people were killed")


def test_a_watched_page_is_stored_again_only_when_it_changes(local_server: Start,
                                                             watch: Any) -> None:
    server = local_server()
    server.route("/bulletin", article(0))
    watcher, clock = watch(server)
    target = [Target(server.url("/bulletin"), kind="page")]
    assert watcher.poll(target)[0].outcome == "new"
    clock.advance(EVERY)
    assert watcher.poll(target)[0].outcome == "unchanged"
    server.route("/bulletin", article(2))
    clock.advance(EVERY)
    assert watcher.poll(target)[0].stored == 1
    assert len(documents(watcher.db)) == 2


def test_a_scheduled_pass_polls_only_what_is_due(local_server: Start, watch: Any) -> None:
    server = local_server()
    server.route("/feed.xml", rss(server, [0], pages=False))
    watcher, clock = watch(server)
    slow = Target(server.url("/feed.xml"), pages=False, every=3 * EVERY)
    watcher.poll([slow], scheduled=True)
    clock.advance(EVERY)
    [waiting] = watcher.poll([slow], scheduled=True)
    assert waiting.outcome == "waiting" and "not due yet" in waiting.line()
    assert server.hits("/feed.xml") == 1


def test_feeds_yaml_is_read_and_bad_entries_are_named(tmp_path: Path) -> None:
    good = tmp_path / "feeds.yaml"
    good.write_text("feeds:\n  - https://a.example/rss.xml\n"
                    "  - url: https://b.example/atom.xml\n    pages: false\n    every: 1h\n"
                    "  - {url: 'https://c.example/', kind: page}\n", "utf-8")
    targets = load_targets([str(good), "https://a.example/rss.xml", "https://d.example/f"])
    assert targets == [Target("https://a.example/rss.xml"),
                       Target("https://b.example/atom.xml", pages=False, every=3600),
                       Target("https://c.example/", kind="page"),
                       Target("https://d.example/f")]
    bad = tmp_path / "bad.yaml"
    for text, said in [("- ftp://x/\n", "feed 1: 'ftp://x/' is not an http or https URL"),
                       ("- {url: 'https://x/', kind: blog}\n", "kind must be feed or page"),
                       ("- {url: 'https://x/', every: soon}\n", "is not a duration"),
                       ("feeds: 3\n", "expected a list of feeds"),
                       ("- [unclosed\n", "not valid YAML")]:
        bad.write_text(text, "utf-8")
        with pytest.raises(ValueError, match=said.replace("(", r"\(").replace(")", r"\)")):
            load_targets([str(bad)])
    assert parse_duration("15m") == 900 and parse_duration("90") == 90


def test_a_refused_address_is_not_backed_off(local_server: Start, watch: Any) -> None:
    """An address our rules refuse is no server failure: once allowed, the next run fetches
    it (the poll is recorded as an error, without back-off)."""
    server = local_server()
    server.route("/feed.xml", rss(server, [0], pages=False))
    watcher, _ = watch(server)
    watcher.fetcher.policy.allow = ()
    [refused] = watcher.poll([Target(server.url("/feed.xml"), pages=False)])
    assert refused.line().startswith(f"{server.url('/feed.xml')}: error: 127.0.0.1, a "
                                     "loopback address; refused")
    watcher.fetcher.policy.allow = (Allowed.parse(f"127.0.0.1:{server.port}"),)
    [ok] = watcher.poll([Target(server.url("/feed.xml"), pages=False)])
    assert ok.outcome == "new"


def test_the_loop_sleeps_until_the_next_feed_is_due(local_server: Start, watch: Any) -> None:
    server = local_server()
    server.route("/feed.xml", rss(server, [0], pages=False), etag='"v1"')
    watcher, clock = watch(server)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    watcher.sleep = sleep
    lines: list[str] = []
    watcher.run([Target(server.url("/feed.xml"), pages=False)], lambda r: lines.append(r.line()),
                passes=2)
    assert slept == [EVERY]
    assert lines == [f"{server.url('/feed.xml')}: 1 new item, 1 new document stored",
                     f"{server.url('/feed.xml')}: not modified (HTTP 304)"]


def test_a_store_held_by_another_process_is_reported_and_retried(local_server: Start,
                                                                  watch: Any) -> None:
    server = local_server()
    server.route("/feed.xml", rss(server, [0], pages=False))
    watcher, clock = watch(server)
    Store(watcher.db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); time.sleep(60)", str(watcher.db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        busy: list[str] = []
        watcher.sleep = clock.advance
        watcher.run([Target(server.url("/feed.xml"), pages=False)], lambda r: None, passes=1,
                    store_busy=lambda exc: busy.append(str(exc)))
    finally:
        holder.kill()
        holder.wait()
    assert len(busy) == 1 and "has this store open" in busy[0]
    assert server.hits("/feed.xml") == 0


def test_the_poll_log_keeps_each_feeds_newest_polls(new_store: StoreSpot) -> None:
    from corrobora.store import duckdb_store

    start = datetime(2026, 1, 1, tzinfo=UTC)
    with Store(new_store("log.duckdb")) as store:
        for url in ("https://a.example/rss", "https://b.example/rss"):
            for n in range(duckdb_store.INTAKE_POLLS_KEPT + 20):
                when = start + timedelta(minutes=15 * n)
                store.record_poll(
                    {"url": url, "kind": "feed", "last_polled": when, "errors": 0, "items": 0},
                    [], {"feed_url": url, "polled_at": when, "outcome": "unchanged",
                         "new_items": 0})
        kept = store._dicts("SELECT feed_url, count(*) AS n, min(polled_at) AS oldest "
                            "FROM intake_polls GROUP BY 1 ORDER BY 1")
    assert [k["n"] for k in kept] == [duckdb_store.INTAKE_POLLS_KEPT] * 2
    assert all(k["oldest"] == start + timedelta(minutes=15 * 20) for k in kept)


def test_an_atom_entry_linking_to_a_private_address_keeps_its_own_text(
        local_server: Start, watch: Any) -> None:
    """A feed names any link it likes: an article page at a refused address is not fetched,
    and the entry's own text is stored."""
    server = local_server()
    server.route("/story/0", article(0))
    entries = [(0, server.url("/story/0")), (1, "http://169.254.169.254/latest/meta-data/")]
    server.route("/atom.xml", (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Atom Wire</title><id>urn:wire</id><updated>2026-12-07T10:00:00Z</updated>"
        + "".join(f"<entry><title>{STORIES[n][0]}</title><id>urn:wire:{n}</id>"
                  f'<link href="{link}"/><updated>2026-12-0{n + 1}T10:00:00Z</updated>'
                  f"<summary>{STORIES[n][1]}</summary></entry>" for n, link in entries)
        + "</feed>").encode())
    watcher, _ = watch(server)
    [result] = watcher.poll([Target(server.url("/atom.xml"))])
    assert (result.new_items, result.stored) == (2, 2)
    assert result.notes == [
        "http://169.254.169.254/latest/meta-data/: article page not used (169.254.169.254, a "
        "link-local address (cloud metadata services live there); refused (pass "
        "--allow-private, or --allow with this host or address, to fetch it)); the feed "
        "entry's text was stored"]
    texts = {d["title"]: d["text"] for d in documents(watcher.db)}
    assert "Reporting by the Test Wire desk" in texts[STORIES[0][0]]
    assert texts[STORIES[1][0]] == STORIES[1][1]
