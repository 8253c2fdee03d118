"""The HTTP API on a real store: filters, pagination, CSV, GeoJSON, errors."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from corrobora.extract import ontology
from corrobora.web import create_app

from ..conftest import StoreSpot

XSS_ID = "xss-probe-1"  # written by conftest.demo_db


@pytest.fixture(scope="module")
def client(demo_spot: tuple[StoreSpot, Path | str]) -> Iterator[TestClient]:
    # A loopback Host: the server answers no other (tests/web/test_security.py).
    with TestClient(create_app(demo_spot[1]), base_url="http://127.0.0.1:8000") as c:
        yield c


def _all_ids(client: TestClient, **params: object) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        body = client.get("/api/events", params={**params, "limit": 7,
                                                 **({"cursor": cursor} if cursor else {})}
                          ).json()
        ids += [e["id"] for e in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            return ids


def test_cursor_pages_cover_every_event_once_newest_first(client: TestClient) -> None:
    total = client.get("/api/stats").json()["events"]
    ids = _all_ids(client)
    assert len(ids) == total == len(set(ids))
    everything = client.get("/api/events", params={"limit": 500}).json()
    assert [e["id"] for e in everything["items"]] == ids
    dates = [e["date"] for e in everything["items"] if e["date"]]
    assert dates == sorted(dates, reverse=True)
    assert everything["next_cursor"] is None


def test_filters_are_those_of_the_cli(client: TestClient) -> None:
    sin = client.get("/api/events", params={"place": "MX-SIN", "limit": 500}).json()["items"]
    assert sin and all(e["place"]["admin1_code"] == "MX-SIN" for e in sin)
    period = client.get("/api/events", params={
        "place": "MX-SIN", "since": "2024-09-01", "until": "2024-09-30", "limit": 500}
    ).json()["items"]
    assert period and len(period) < len(sin)
    assert all((e["date_max"] or e["date"]) >= "2024-09-01" and e["date"] <= "2024-09-30"
               for e in period)
    typed = client.get("/api/events", params={"type": "BLOCKADE", "limit": 500}).json()
    assert typed["items"] and {e["type"] for e in typed["items"]} == {"BLOCKADE"}
    assert typed["filters"] == {"type": "BLOCKADE"}
    cjng = client.get("/api/events", params={"actor": "cjng", "limit": 500}).json()["items"]
    assert cjng and len(cjng) < client.get("/api/stats").json()["events"]
    graded = client.get("/api/events", params={"min_credibility": 2, "limit": 500}
                        ).json()["items"]
    assert all(e["credibility"] <= 2 for e in graded)
    es = {e["id"] for e in client.get("/api/events", params={"language": "es", "limit": 500}
                                      ).json()["items"]}
    en = {e["id"] for e in client.get("/api/events", params={"language": "EN", "limit": 500}
                                      ).json()["items"]}
    assert es and en and es != en


def test_csv_download_holds_every_matching_event(client: TestClient) -> None:
    r = client.get("/api/events", params={"place": "MX-SIN", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    n = len(client.get("/api/events", params={"place": "MX-SIN", "limit": 500}
                       ).json()["items"])
    assert len(rows) == n and {row["admin1_code"] for row in rows} == {"MX-SIN"}
    for path in ("/api/documents", "/api/actors", "/api/sources"):
        r = client.get(path, params={"format": "csv"})
        assert r.status_code == 200 and r.text.count("\n") > 2, path


def test_csv_cells_from_articles_cannot_be_formulas(client: TestClient) -> None:
    from corrobora.web.serialize import csv_lines

    text = "".join(csv_lines(["title"], [{"title": "=HYPERLINK(\"http://x\")"}]))
    assert "'=HYPERLINK" in text


def test_one_event_has_grading_ranges_and_sentences_with_offsets(client: TestClient) -> None:
    ids = [e["id"] for e in client.get("/api/events", params={"limit": 500}).json()["items"]]
    best = max((client.get(f"/api/events/{i}").json() for i in ids),
               key=lambda e: e["n_reports"])
    assert best["n_reports"] >= 2 and len(best["reports"]) == best["n_reports"]
    g = best["grading"]
    assert g["reliability"] in "ABCDEF" and 1 <= g["credibility"] <= 6
    assert g["credibility_label"] and g["independent_sources"] >= 1
    assert {"date", "fatalities", "disagree"} <= best["ranges"].keys()
    for rep in best["reports"]:
        doc = client.get(f"/api/documents/{rep['document_id']}").json()
        s = rep["sentence"]
        assert doc["text"][s["start"]:s["end"]] == s["text"]
        assert any(sp["kind"] == "event_report" and sp["start"] == s["start"]
                   and sp["event_id"] == best["id"] for sp in doc["spans"])
    # A unique prefix is enough.
    assert client.get(f"/api/events/{best['id'][:10]}").json()["id"] == best["id"]


def test_geojson_points_are_lon_lat_and_filterable(client: TestClient) -> None:
    r = client.get("/api/geo/events", params={"place": "MX-SIN"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and fc["features"]
    for f in fc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert -118 < lon < -86 and 14 < lat < 33
        assert f["properties"]["admin1_code"] == "MX-SIN"
    box = client.get("/api/geo/events", params={"bbox": "-108,24,-107,25"}).json()
    assert box["features"] and all(-108 <= f["geometry"]["coordinates"][0] <= -107
                                   for f in box["features"])
    assert client.get("/api/geo/events", params={"limit": 1}).json()["truncated"] is True
    regions = client.get("/api/geo/regions").json()["items"]
    assert {"code": "MX-SIN"}.items() <= next(r for r in regions if r["code"] == "MX-SIN").items()


def test_timeline_counts_and_facets(client: TestClient) -> None:
    months = client.get("/api/events/counts", params={"by": "month"}).json()["items"]
    assert sum(m["events"] for m in months) <= client.get("/api/stats").json()["events"]
    assert all(m["key"].endswith("-01") for m in months)
    facets = client.get("/api/facets").json()
    assert {"types", "regions", "languages", "actors", "dates"} <= facets.keys()
    assert any(r["value"] == "MX-SIN" for r in facets["regions"])


def test_documents_pages_and_text_spans(client: TestClient) -> None:
    first = client.get("/api/documents", params={"limit": 5}).json()
    assert first["count"] == 5 and first["next_cursor"]
    second = client.get("/api/documents", params={"limit": 5, "cursor": first["next_cursor"]}
                        ).json()
    assert not {d["id"] for d in first["items"]} & {d["id"] for d in second["items"]}
    assert "text" not in first["items"][0]
    es = client.get("/api/documents", params={"lang": "es", "limit": 100}).json()["items"]
    assert es and {d["lang"] for d in es} == {"es"}
    doc = client.get(f"/api/documents/{XSS_ID}").json()
    assert "<script>" in doc["text"]  # stored as text; the page escapes it
    for sp in doc["spans"]:
        assert 0 <= sp["start"] <= sp["end"] <= len(doc["text"])


def test_actors_sources_and_graph(client: TestClient) -> None:
    actors = client.get("/api/actors").json()["items"]
    assert any(a["id"] == "cjng" for a in actors)
    assert client.get("/api/actors", params={"status": "candidate"}).status_code == 200
    sources = client.get("/api/sources").json()["items"]
    reuters = next(s for s in sources if s["name"] == "Reuters")
    assert reuters["reliability"] == "B" and reuters["in_registry"]
    assert any(not s["in_registry"] and s["documents"] for s in sources)
    graph = client.get("/api/actors/graph").json()
    ids = {n["id"] for n in graph["nodes"]}
    assert "cjng" in ids and graph["edges"]
    assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])
    narrow = client.get("/api/actors/graph", params={"since": "2026-01-01"}).json()
    assert {n["id"] for n in narrow["nodes"]} < ids


def test_removal_study_through_the_api(client: TestClient) -> None:
    r = client.get("/api/analyses/removal", params={"removal": "zambada-2024"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["region"] == "MX-SIN" and body["date"] == "2024-07-25"
    assert {"before_mean", "after_mean", "ratio", "ci_low", "ci_high", "method"} <= body.keys()
    assert body["series"] and len(body["before_months"]) == 12
    assert client.get("/api/analyses/removals").json()["count"] >= 1
    assert client.get("/api/analyses/removal", params={"removal": "nobody"}).status_code == 404
    assert client.get("/api/analyses/removal").status_code == 400
    bad = client.get("/api/analyses/removal", params={"region": "Atlantis",
                                                      "date": "2024-07-25"})
    assert bad.status_code == 422 and "ATLANTIS" in bad.json()["detail"]


@pytest.mark.parametrize(("path", "params", "status", "says"), [
    ("/api/events", {"since": "2024-13-01"}, 422, "month"),
    ("/api/events", {"until": "yesterday"}, 422, "valid date"),
    ("/api/events", {"min_credibility": 9}, 422, "less than or equal to 6"),
    ("/api/events", {"limit": 0}, 422, "greater than or equal to 1"),
    ("/api/events", {"format": "xml"}, 422, "json"),
    ("/api/events", {"language": "english!"}, 422, "pattern"),
    ("/api/events", {"since": "2025-01-01", "until": "2024-01-01"}, 400, "after until"),
    ("/api/events", {"cursor": "not-a-cursor"}, 400, "invalid cursor"),
    ("/api/documents", {"cursor": "eyJrIjoiZXZlbnRzIn0"}, 400, "invalid cursor"),
    ("/api/geo/events", {"bbox": "1,2"}, 400, "four numbers"),
    ("/api/geo/events", {"bbox": "10,0,-10,5"}, 400, "out of range"),
    ("/api/events/evt-000000000000", {}, 404, "no single event"),
    ("/api/events/evt", {}, 400, "prefix"),
    ("/api/documents/no-such-doc", {}, 404, "no document"),
])
def test_bad_requests_say_what_is_wrong(client: TestClient, path: str, params: dict,
                                        status: int, says: str) -> None:
    r = client.get(path, params=params)
    assert r.status_code == status, r.text
    assert says in r.text


def test_headers_forbid_inline_and_remote_scripts(client: TestClient) -> None:
    csp = client.get("/api/stats").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'self'" in csp and "http" not in csp
    assert client.get("/").headers["content-security-policy"] == csp


def test_openapi_and_docs_are_served_offline(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/events" in spec["paths"] and "/api/geo/events" in spec["paths"]
    page = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "http://" not in page and "https://" not in page and "<script>" not in page
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_a_missing_store_is_refused_at_start(tmp_path: Path) -> None:
    from corrobora.store import StoreError

    with pytest.raises(StoreError, match="no such store"):
        create_app(tmp_path / "none.duckdb")


def test_no_answer_shows_where_files_lay_on_the_ingesting_machine(
        client: TestClient, demo_db: Path) -> None:
    from corrobora.demo import corpus_path

    folders = {str(corpus_path().resolve()), str(demo_db.parent.resolve()),
               str(Path.home()) + "/", "/tmp/"}
    docs = [d["id"] for d in client.get("/api/documents", params={"limit": 500}
                                        ).json()["items"]]
    events = [e["id"] for e in client.get("/api/events", params={"limit": 500}
                                          ).json()["items"]]
    paths = ["/api/documents?limit=500", "/api/documents?format=csv", "/api/events?limit=500",
             "/api/events?format=csv", "/api/stats", "/api/facets", "/api/sources",
             "/api/actors", "/api/actors/graph", "/api/geo/events", "/api/geo/regions",
             "/api/events/counts", "/api/review?limit=200", "/api/analyses/removals",
             "/api/analyses/removal?removal=zambada-2024",
             *(f"/api/documents/{d}" for d in docs), *(f"/api/events/{e}" for e in events)]
    seen = 0
    for path in paths:
        r = client.get(path)
        if r.status_code == 404 and path.startswith("/api/review"):
            continue
        assert r.status_code == 200, (path, r.text[:200])
        leaks = [f for f in folders if f in r.text]
        assert not leaks, (path, leaks)
        seen += 1
    assert seen > 20
    one = client.get(f"/api/documents/{XSS_ID}").json()
    assert one["origin"] == "probe.jsonl"


def test_ontology_gives_every_type_one_family(client: TestClient) -> None:
    body = client.get("/api/ontology").json()
    assert len(body["families"]) == len(set(body["families"]))
    assert {t["type"] for t in body["types"]} == set(ontology.types())
    assert all(t["family"] in body["families"] for t in body["types"])
    assert body["families"][0] == "political_violence"  # named families first, in order


def test_a_count_with_no_upper_bound_reads_at_least(tmp_path: Path, demo_db: Path) -> None:
    db = tmp_path / "open.duckdb"
    shutil.copy(demo_db, db)
    with duckdb.connect(str(db)) as con:  # one report says "at least N dead"
        event_id, report_id, low = con.execute(
            "SELECT event_id, id, fatalities_min FROM event_reports "
            "WHERE fatalities_min IS NOT NULL ORDER BY id LIMIT 1").fetchone()
        con.execute("UPDATE event_reports SET fatalities_max = NULL WHERE id = ?", [report_id])
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as c:
        reported = c.get(f"/api/events/{event_id}").json()["ranges"]["fatalities"]["reported"]
    assert f"≥ {low}" in reported
    assert not any("None" in r for r in reported)
