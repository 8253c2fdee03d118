"""The server answers only the hosts it was started for, takes writes only from its own
origin with its review token, and refuses bodies a store cannot hold: real HTTP requests to
the real application over a copy of the demo store."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corrobora.cli import app as cli_app
from corrobora.web import create_app

from ..conftest import StoreSpot

XSS_ID = "xss-probe-1"  # written by conftest.demo_db
TOKEN = "test-token-0123456789abcdef"
PORT = 8000
BASE = f"http://127.0.0.1:{PORT}"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Origin": BASE}


@pytest.fixture()
def review_db(demo_spot: tuple[StoreSpot, Path | str]) -> Path | str:
    spot, demo = demo_spot  # a copy: these tests record decisions
    return spot.copy(demo, f"review-{secrets.token_hex(4)}.duckdb")


@pytest.fixture()
def review(review_db: Path | str) -> Iterator[TestClient]:
    app = create_app(review_db, review=True, token=TOKEN, reviewer="ana", port=PORT,
                     allowed_hosts=["corrobora.lan", "proxy.example:443"])
    with TestClient(app, base_url=BASE) as c:
        yield c


@pytest.fixture(scope="module")
def reader(demo_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(demo_db, port=PORT), base_url=BASE) as c:
        yield c


def _decisions(client: TestClient) -> list[tuple]:
    """Every decision recorded, read through the server's own store handle."""
    return [(d["id"], d["kind"], d["subject"], d["actor"])
            for d in client.app.state.store.decisions(active=False)]


def _a_report(client: TestClient) -> str:
    items = client.get("/api/review").json()["items"]
    if items:
        return str(items[0]["report_id"])
    event = client.get("/api/events", params={"limit": 1}).json()["items"][0]
    return str(client.get(f"/api/events/{event['id']}").json()["reports"][0]["id"])


@pytest.mark.parametrize("path", [
    f"/api/documents/{XSS_ID}", "/api/documents", "/api/events", "/api/stats", "/",
    "/review", "/document", "/docs", "/api/openapi.json", "/static/js/review.js",
    "/favicon.ico", "/no/such/page"])
@pytest.mark.parametrize("host", [
    "evil.example:8000", "evil.example", "127.0.0.1.evil.example:8000", "localhost:8001",
    "127.0.0.1:80", "evil@127.0.0.1:8000", "127.0.0.1:8000/x", "[::2]:8000", ""])
def test_a_request_for_another_host_is_refused_on_every_path(reader: TestClient, path: str,
                                                              host: str) -> None:
    r = reader.get(path, headers={"Host": host})
    assert r.status_code in (400, 421), (host, path, r.status_code)
    assert r.headers["content-type"].startswith("text/plain")
    assert "Gunmen attacked" not in r.text and len(r.text) < 300
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("host", [
    "127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "localhost.:8000", "[::1]:8000",
    "[0:0:0:0:0:0:0:1]:8000", "corrobora.lan", "corrobora.lan:8443", "proxy.example:443"])
def test_loopback_names_and_allowed_hosts_are_served(review: TestClient, host: str) -> None:
    r = review.get(f"/api/documents/{XSS_ID}", headers={"Host": host})
    assert r.status_code == 200, (host, r.text)


def test_an_allowed_host_with_a_port_allows_that_port_only(review: TestClient) -> None:
    assert review.get("/api/stats", headers={"Host": "proxy.example:8000"}).status_code == 421
    assert review.get("/api/stats", headers={"Host": "proxy.example"}).status_code == 421


def test_a_rebound_host_cannot_record_a_decision(review: TestClient, review_db: Path) -> None:
    report = _a_report(review)
    before = _decisions(review)
    evil = "http://evil.example:8000"
    r = review.post("/api/review/confirm", json={"id": report},
                    headers={"Host": "evil.example:8000", "Origin": evil,
                             "Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 421, r.text
    assert _decisions(review) == before


@pytest.mark.parametrize(("headers", "says"), [
    ({"Origin": "http://evil.example:8000"}, "Origin"),
    ({"Origin": "http://evil.example"}, "Origin"),
    ({"Origin": "null"}, "Origin"),
    ({"Origin": "http://127.0.0.1:9999"}, "Origin"),
    ({"Origin": "http://127.0.0.1:8000@evil.example"}, "Origin"),
    ({"Origin": "file://"}, "Origin"),
    ({"Referer": "http://evil.example:8000/review"}, "Referer"),
    ({"Referer": "http://localhost:3000/"}, "Referer"),
])
def test_a_write_from_another_origin_is_refused(review: TestClient, review_db: Path,
                                                headers: dict[str, str], says: str) -> None:
    report = _a_report(review)
    before = _decisions(review)
    r = review.post("/api/review/confirm", json={"id": report},
                    headers={"Authorization": f"Bearer {TOKEN}", **headers})
    assert r.status_code == 403, r.text
    assert says in r.json()["detail"]
    assert _decisions(review) == before


@pytest.mark.parametrize("auth", [None, "", "Bearer", "Bearer ", "Bearer wrong-token",
                                  f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"])
def test_a_write_without_the_review_token_is_refused(review: TestClient, review_db: Path,
                                                     auth: str | None) -> None:
    report = _a_report(review)
    before = _decisions(review)
    headers = {"Origin": BASE} | ({"Authorization": auth} if auth is not None else {})
    r = review.post("/api/review/confirm", json={"id": report}, headers=headers)
    assert r.status_code == 401, r.text
    assert "token" in r.json()["detail"]
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert _decisions(review) == before


def test_a_decision_with_the_token_records_its_reviewer(review: TestClient,
                                                        review_db: Path) -> None:
    report = _a_report(review)
    r = review.post("/api/review/confirm", json={"id": report}, headers=AUTH)
    assert r.status_code == 200, r.text
    # No Origin and no Referer (curl, scripts): the token alone suffices.
    again = review.post("/api/review/confirm", json={"id": report},
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert again.status_code == 200, again.text
    assert [d[1:] for d in _decisions(review)] == [("report_confirm", report, "ana")]


def test_confirming_the_same_link_twice_is_one_decision(review: TestClient,
                                                        review_db: Path) -> None:
    report = _a_report(review)
    first = review.post("/api/review/confirm", json={"id": report}, headers=AUTH).json()
    second = review.post("/api/review/confirm", json={"id": report}, headers=AUTH).json()
    assert second["decision_id"] == first["decision_id"]
    assert "already confirmed" in second["message"]
    assert len(_decisions(review)) == 1
    event = review.get("/api/review").json()  # the queue still answers
    assert all(it["report_id"] != report for it in event["items"])


@pytest.mark.parametrize(("body", "says"), [
    ('{"id": "\\ud800abcdefgh"}', "lone surrogate (\\ud800)"),
    ('{"id": "evt-1234567", "note": "ok \\udfff"}', "lone surrogate"),
    ('{"\\ud83d": 1, "id": "abcdefgh"}', "lone surrogate"),
    (b'{"id": "\xff\xfeabcdef"}', "not UTF-8"),
    ("[" * 100_000 + "]" * 100_000, None),
])
def test_a_body_a_store_cannot_hold_is_a_400(review: TestClient, review_db: Path,
                                             body: str | bytes, says: str | None) -> None:
    r = review.post("/api/review/confirm", content=body,
                    headers={**AUTH, "Content-Type": "application/json"})
    if says is None:  # too big to be a decision
        assert r.status_code == 413, r.text
    else:
        assert r.status_code == 400, r.text
        assert says in r.json()["detail"]
    assert _decisions(review) == []


def test_deeply_nested_json_is_a_400(review: TestClient) -> None:
    r = review.post("/api/review/confirm", content="[" * 20_000 + "]" * 20_000,
                    headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 400 and "nested too deep" in r.json()["detail"]


def test_a_valid_surrogate_pair_is_text(review: TestClient, review_db: Path) -> None:
    report = _a_report(review)
    body = '{"id": "' + report + '", "note": "\\ud83d\\ude00"}'
    r = review.post("/api/review/confirm", content=body,
                    headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert len(_decisions(review)) == 1


def test_a_huge_body_is_refused_before_it_is_read(review: TestClient) -> None:
    r = review.post("/api/review/split", content=b'{"reports": ["' + b"a" * 5_000_000
                    + b'"]}', headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413 and "at most" in r.json()["detail"]


def test_a_read_only_server_records_nothing(reader: TestClient, demo_db: Path) -> None:
    r = reader.post("/api/review/confirm", json={"id": "abcdefgh"},
                    headers={"Origin": BASE, "Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 403 and "read-only" in r.json()["detail"]
    assert reader.get("/api/review").json()["writable"] is False


def test_a_review_server_makes_a_token_when_none_is_given(review_db: Path) -> None:
    app = create_app(review_db, review=True)
    try:
        assert isinstance(app.state.token, str) and len(app.state.token) >= 24
    finally:
        app.state.store.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _raw(port: int, method: str, path: str, headers: dict[str, str],
         body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


@pytest.fixture()
def served(review_db: Path) -> Iterator[tuple[int, str, subprocess.Popen[str]]]:
    """`corrobora serve --review` as a user starts it, with the token it prints."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "CORROBORA_REVIEW_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "corrobora.cli", "serve", "--db", str(review_db), "--port",
         str(port), "--review", "--reviewer", "ana", "--allowed-host", "corrobora.lan"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        lines = []
        assert proc.stdout is not None
        while not any("#token=" in line for line in lines):
            line = proc.stdout.readline()
            if not line:
                pytest.fail("serve ended: " + "".join(lines))
            lines.append(line)
        token = "".join(lines).split("#token=")[1].split()[0]
        assert f"review token: {token}" in "".join(lines)
        deadline = time.monotonic() + 60
        while True:
            try:
                if _raw(port, "GET", "/api/stats", {"Host": f"127.0.0.1:{port}"})[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield port, token, proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_review_prints_a_token_and_refuses_rebound_and_tokenless_writes(
        served: tuple[int, str, subprocess.Popen[str]], review_db: Path) -> None:
    port, token, _ = served
    assert len(token) >= 24
    host = {"Host": f"127.0.0.1:{port}"}
    status, body = _raw(port, "GET", f"/api/documents/{XSS_ID}", {"Host": f"evil.example:{port}"})
    assert status == 421 and b"Gunmen" not in body
    assert _raw(port, "GET", "/api/stats", {"Host": "corrobora.lan"})[0] == 200
    assert _raw(port, "GET", "/api/stats", {})[0] == 400  # no Host at all
    report = json.loads(_raw(port, "GET", "/api/review", host)[1])["items"][0]["report_id"]
    confirm = json.dumps({"id": report}).encode()
    post = {**host, "Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"}
    assert _raw(port, "POST", "/api/review/confirm", post, confirm)[0] == 401
    assert _raw(port, "POST", "/api/review/confirm",
                {**post, "Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}",
                 "Authorization": f"Bearer {token}"}, confirm)[0] == 421
    status, body = _raw(port, "POST", "/api/review/confirm",
                        {**post, "Authorization": f"Bearer {token}"}, confirm)
    assert status == 200, body
    status, body = _raw(port, "POST", "/api/review/confirm",
                        {**post, "Authorization": f"Bearer {token}"},
                        b'{"id": "\\ud800abcdef"}')
    assert status == 400 and b"lone surrogate" in body


def test_serve_refuses_a_bad_allowed_host_in_one_line(review_db: Path) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(review_db),
                                          "--allowed-host", "evil/host"])
    assert result.exit_code == 2
    assert "--allowed-host 'evil/host' is not a host name" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_serve_refuses_a_short_token(review_db: Path) -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(review_db), "--review",
                                          "--token", "1234"])
    assert result.exit_code == 2 and "at least 16 characters" in result.output
