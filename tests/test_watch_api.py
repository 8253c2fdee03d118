"""The dashboard's view of live intake: /api/intake and the sources page's panel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from corrobora.sources.net import Allowed, NetPolicy, SafeFetcher
from corrobora.sources.watch import Target, Watcher
from corrobora.store import Store
from corrobora.web import create_app

Start = Callable[[], Any]
FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Wire</title>'
        b"<link>https://news.example/</link><description>t</description><item>"
        b"<title>Clash in Apatzing\xc3\xa1n leaves five dead</title><guid>g1</guid>"
        b"<link>https://news.example/1</link><description>Five people were killed in a clash "
        b"in Apatzing\xc3\xa1n, Michoac\xc3\xa1n, on Tuesday, the prosecutor said."
        b"</description></item></channel></rss>")


def test_the_intake_api_lists_feeds_items_and_problems(local_server: Start,
                                                       tmp_path: Path) -> None:
    server = local_server()
    server.route("/feed.xml", FEED)
    server.route("/down.xml", status=503, headers={"Retry-After": "60"})
    db = tmp_path / "w.duckdb"
    policy = NetPolicy(allow=(Allowed.parse(f"127.0.0.1:{server.port}"),), host_delay=0)
    with SafeFetcher(policy) as fetcher:
        Watcher(db, fetcher).poll([Target(server.url("/feed.xml"), pages=False),
                                   Target(server.url("/down.xml"))])
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as client:
        data = client.get("/api/intake").json()
        page = client.get("/sources")
    feeds = {f["url"]: f for f in data["feeds"]}
    assert data["count"] == 2
    assert feeds[server.url("/feed.xml")]["last_outcome"] == "new"
    assert feeds[server.url("/feed.xml")]["items"] == 1
    down = feeds[server.url("/down.xml")]
    assert (down["last_outcome"], down["errors"]) == ("error", 1)
    assert down["last_error"] == "HTTP 503 Service Unavailable; retry after 60 s (Retry-After)"
    assert "etag" not in down  # the validators stay in the store
    [item] = data["items"]
    assert item["title"] == "Clash in Apatzingán leaves five dead"
    assert item["document_id"].startswith("doc-")
    assert [p["problem"] for p in data["polls"] if p["problem"]] == [down["last_error"]]
    assert page.status_code == 200 and "sources.js" in page.text


def test_the_intake_api_is_empty_for_a_store_never_watched(tmp_path: Path) -> None:
    db = tmp_path / "plain.duckdb"
    Store(db).close()
    with Store(db) as store:  # a store from before migration 008, as a read-only serve sees it
        for table in ("intake_feeds", "intake_items", "intake_polls"):
            store.con.execute(f"DROP TABLE {table}")
        store.con.execute("DELETE FROM schema_version WHERE version = 8")
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as client:
        assert client.get("/api/intake").json() == {"feeds": [], "items": [], "polls": [],
                                                    "count": 0}
