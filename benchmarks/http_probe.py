"""Hostile HTTP requests against `corrobora serve` (read-only) and `corrobora serve --review`
on loopback ports over a small store, and a table of how many each kind got accepted.

    .venv/bin/python benchmarks/http_probe.py [--db STORE] [--keep DIR]

Without --db the store is the demo corpus ingested into a temporary folder (a minute); with
it, two copies of that store are served (the review server writes decisions). Requests go
out raw through http.client, so the Host header, the path and the body are exactly what a
hostile page or script would send: Host values a rebinding page sends, forged Origin and
Referer on writes, missing or wrong review tokens, path traversal in the static and document
routes (`..`, `%2e%2e`, absolute paths), SQL-ish and oversized query parameters, lone
surrogates in JSON and in query strings, huge and endless bodies, and methods the routes do
not take. "Accepted" is a 2xx answer (for traversal: one showing a file outside
web/static; for SQL-ish filters: one matching rows); every hostile row should read 0, and no
row should have a 5xx. The last rows are the legitimate requests, which must be accepted.

Works against older versions too (a `serve` without --token is started without it), so the
same table can be printed before and after a change: PYTHONPATH=OLD/src.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

TOKEN = "probe-review-token-0123456789"
EVIL = "evil.example"


@dataclass(slots=True)
class Ask:
    kind: str
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None = None
    hostile: bool = True
    accepted: Callable[[int, bytes], bool] | None = None
    """When a 2xx alone does not mean the attack worked."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(db: Path, port: int, review: bool) -> subprocess.Popen[bytes]:
    base = [sys.executable, "-m", "corrobora.cli", "serve", "--db", str(db), "--port",
            str(port)]
    variants = [[*base, "--review", "--token", TOKEN], [*base, "--review"]] if review \
        else [base]
    for cmd in variants:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return proc
            except OSError:
                time.sleep(0.3)
        out = proc.stdout.read().decode() if proc.stdout and proc.poll() is not None else ""
        if proc.poll() is None:
            proc.kill()
        if "No such option" not in out:  # an older serve without --token: try without
            raise SystemExit(f"corrobora serve did not start: {out}")
    raise SystemExit("corrobora serve did not start")


def send(port: int, ask: Ask) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.putrequest(ask.method, ask.path, skip_host=True, skip_accept_encoding=True)
        for name, value in ask.headers:
            conn.putheader(name, value)
        if ask.body is not None and not any(n.lower() == "transfer-encoding"
                                            for n, _ in ask.headers):
            conn.putheader("Content-Length", str(len(ask.body)))
        conn.endheaders()
        if ask.body is not None:
            # The server may answer and close before the whole body is sent.
            with contextlib.suppress(OSError):
                conn.send(ask.body)
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException) as exc:
        return -1, str(exc).encode()
    finally:
        conn.close()


def _host(port: int) -> tuple[str, str]:
    return ("Host", f"127.0.0.1:{port}")


def battery(read_port: int, write_port: int, report: str, doc: str) -> list[tuple[int, Ask]]:
    asks: list[tuple[int, Ask]] = []
    good_w = [_host(write_port), ("Origin", f"http://127.0.0.1:{write_port}"),
              ("Authorization", f"Bearer {TOKEN}"), ("Content-Type", "application/json")]
    confirm = json.dumps({"id": report}).encode()

    # Host: what a DNS-rebinding page (or a confused proxy) sends.
    hosts = [f"{EVIL}:{read_port}", EVIL, f"127.0.0.1.{EVIL}:{read_port}",
             f"localhost.{EVIL}", f"127.0.0.1:{read_port}@{EVIL}", f"{EVIL}@127.0.0.1",
             "127.0.0.1:1", "[::2]", "0.0.0.0", "", "127.0.0.1 ", "localhost:abc",
             "x" * 300, "127.0.0.1:8000/../"]
    paths = ["/", "/review", "/docs", "/api/openapi.json", "/api/stats", "/api/events",
             f"/api/documents/{doc}", "/api/documents", "/static/js/review.js",
             "/favicon.ico", "/nope"]
    for port in (read_port, write_port):
        for h in hosts:
            for p in paths:
                asks.append((port, Ask("Host: foreign names, GET", "GET", p,
                                       [("Host", h.replace(str(read_port), str(port)))])))
        asks.append((port, Ask("Host: foreign names, GET", "GET", "/api/stats", [])))
        asks.append((port, Ask("Host: foreign names, GET", "GET", "/api/stats",
                               [_host(port), ("Host", EVIL)])))
    for h in (f"{EVIL}:{write_port}", EVIL, f"localhost.{EVIL}:{write_port}"):
        for action, body in (("confirm", confirm),
                             ("split", json.dumps({"reports": [report]}).encode())):
            asks.append((write_port, Ask(
                "Host: foreign names, write", "POST", f"/api/review/{action}",
                [("Host", h), ("Origin", f"http://{h}"), *good_w[2:]], body)))

    # Origin and Referer on writes, with the right token and Host.
    origins = [f"http://{EVIL}:{write_port}", f"http://{EVIL}", "null", "file://",
               f"http://127.0.0.1:{write_port + 1}", f"https://127.0.0.1:{write_port}x",
               f"http://127.0.0.1:{write_port}@{EVIL}", f"http://localhost:{read_port}",
               "http://127.0.0.1", "chrome-extension://abc"]
    for o in origins:
        asks.append((write_port, Ask("Origin forged on writes", "POST", "/api/review/confirm",
                                     [_host(write_port), ("Origin", o), *good_w[2:]],
                                     confirm)))
    referers = [f"http://{EVIL}:{write_port}/review", f"http://{EVIL}/",
                f"http://localhost:{read_port}/review", "about:blank", "/review"]
    for r in referers:
        asks.append((write_port, Ask("Referer forged on writes", "POST",
                                     "/api/review/confirm",
                                     [_host(write_port), ("Referer", r), *good_w[2:]],
                                     confirm)))

    # The review token.
    for auth in (None, "", "Bearer", "Bearer ", "Bearer wrong", f"Basic {TOKEN}",
                 f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"bearer  {TOKEN[1:]}",
                 "Bearer " + "A" * 5000):
        headers = [good_w[0], good_w[1], good_w[3]]
        if auth is not None:
            headers.append(("Authorization", auth))
        for action, body in (("confirm", confirm),
                             ("merge", json.dumps({"events": ["evt-a", "evt-b"]}).encode()),
                             ("undo", json.dumps({"decision_id": "dec-1"}).encode())):
            asks.append((write_port, Ask("token missing or wrong", "POST",
                                         f"/api/review/{action}", headers, body)))

    # Path traversal in the static and document routes.
    def outside(status: int, body: bytes) -> bool:
        return 200 <= status < 300 and (
            b"root:" in body or b"def create_app" in body or b"[project]" in body
            or b"CREATE TABLE" in body or body.startswith(b"DUCK"))

    traversal = ["/static/../app.py", "/static/../../../../etc/passwd",
                 "/static/%2e%2e/app.py", "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                 "/static/..%2fapp.py", "/static/..%2f..%2f..%2fpyproject.toml",
                 "/static/%2e%2e%2f%2e%2e%2fstore/migrations/001_initial.sql",
                 "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/..\\app.py",
                 "/static/js/../../app.py", "/static/%252e%252e/app.py",
                 "/static/.%2e/app.py", "/static/vendor/../../app.py",
                 "/api/documents/..%2F..%2Fetc%2Fpasswd", "/api/documents/%2Fetc%2Fpasswd",
                 "/api/documents/../../etc/passwd", "/api/documents/%2e%2e",
                 "/api/events/..%2F..%2Fetc%2Fpasswd", "//etc/passwd", "/..%2f..%2fetc/passwd",
                 "/static/js/review.js%00.html", "/static/js/review.js/..",
                 "/api/documents/" + "%2e%2e%2f" * 50 + "etc%2fpasswd"]
    for port in (read_port, write_port):
        for p in traversal:
            asks.append((port, Ask("path traversal", "GET", p, [_host(port)],
                                   accepted=outside)))

    # SQL-ish and oversized query parameters.
    def matched(status: int, body: bytes) -> bool:
        if not 200 <= status < 300:
            return False
        try:
            data = json.loads(body)
        except ValueError:
            return True
        return bool(data.get("items") or data.get("features"))

    sqlish = ["' OR 1=1 --", "x' OR 'a'='a", "\"; DROP TABLE events; --",
              "%' OR '%'='", "1); DELETE FROM decisions; --", "') UNION SELECT * FROM "
              "documents --", "\\'; SELECT 1; --", "*", "%", "_"]
    for value in sqlish:
        for path, param in (("/api/events", "place"), ("/api/events", "actor"),
                            ("/api/events", "type"), ("/api/documents", "source"),
                            ("/api/geo/events", "actor"), ("/api/actors/graph", "place")):
            q = urllib.parse.urlencode({param: value})
            asks.append((read_port, Ask("SQL-ish query parameters", "GET", f"{path}?{q}",
                                        [_host(read_port)], accepted=matched)))
    # Each to a route that takes the parameter (others are ignored, as they should be).
    common = ["place=" + "a" * 10_000, "actor=" + "%27" * 3000, "type=" + "x" * 100_000,
              "since=9999-99-99", "until=0000-00-00", "min_credibility=1e309",
              "limit=99999999999999999999999", "limit=-1", "language=" + "e" * 500]
    oversized = {"/api/events": [*common, "cursor=" + "A" * 5000, "cursor=" + "eyJrIjoi" * 60,
                                 "format=" + "csv" * 1000],
                 "/api/geo/events": [*common, "bbox=" + ",".join(["1e309"] * 4),
                                     "bbox=" + "1," * 5000, "bbox=nan,nan,nan,nan"],
                 "/api/documents": ["source=" + "s" * 10_000, "lang=" + "e" * 500,
                                    "cursor=" + "A" * 5000, "limit=1e3"],
                 "/api/events/counts": ["by=" + "x" * 5000, "by=admin1;DROP"]}
    for path, queries in oversized.items():
        for q in queries:
            asks.append((read_port, Ask("oversized or malformed parameters", "GET",
                                        f"{path}?{q}", [_host(read_port)])))

    # Lone surrogates: in JSON bodies (as \u escapes) and as raw bytes in the query.
    for body in ('{"id": "\\ud800abcdef"}', '{"id": "' + report + '", "note": "\\udfff"}',
                 '{"reports": ["\\udbff\\udbff"]}', '{"events": ["\\ud800", "evt-x"]}',
                 '{"decision_id": "dec-\\udc00"}', '{"\\ud800": 1}'):
        action = ("split" if "reports" in body else "merge" if "events" in body
                  else "undo" if "decision_id" in body else "confirm")
        asks.append((write_port, Ask("lone surrogates", "POST", f"/api/review/{action}",
                                     good_w, body.encode())))
    for q in ("place=%ED%A0%80", "actor=%ED%BF%BF", "type=%FF%FE", "type=%C0%AF"):
        asks.append((read_port, Ask("lone surrogates", "GET", f"/api/events?{q}",
                                    [_host(read_port)], accepted=matched)))
        asks.append((read_port, Ask("lone surrogates", "GET",
                                    f"/api/documents/%ED%A0%80?{q}", [_host(read_port)])))

    # Huge bodies, deep nesting, bodies that are not JSON.
    big = b'{"id": "' + b"a" * 5_000_000 + b'"}'
    asks.append((write_port, Ask("huge or malformed bodies", "POST", "/api/review/confirm",
                                 good_w, big)))
    asks.append((write_port, Ask("huge or malformed bodies", "POST", "/api/review/split",
                                 good_w, b"[" * 50_000 + b"]" * 50_000)))
    asks.append((write_port, Ask("huge or malformed bodies", "POST", "/api/review/split",
                                 good_w, b"[" * 30_000 + b"]" * 30_000)))
    asks.append((write_port, Ask("huge or malformed bodies", "POST", "/api/review/merge",
                                 good_w, b'{"events": ' + b"[" * 5000 + b"]" * 5000 + b"}")))
    chunked = b"".join(b"%x\r\n%s\r\n" % (65536, b"a" * 65536) for _ in range(40)) + b"0\r\n\r\n"
    asks.append((write_port, Ask("huge or malformed bodies", "POST", "/api/review/confirm",
                                 [*good_w, ("Transfer-Encoding", "chunked")], chunked)))
    for body in (b"\xff\xfe\x00", b"not json", b'{"id": 12345678}', b"null", b"[]",
                 b'{"id": "' + b"x" * 500 + b'"}', json.dumps({"id": report, "note": "n" * 5000
                                                               }).encode()):
        asks.append((write_port, Ask("huge or malformed bodies", "POST",
                                     "/api/review/confirm", good_w, body)))

    # Methods the routes do not take.
    for port in (read_port, write_port):
        for method in ("PUT", "DELETE", "PATCH", "TRACE", "CONNECT", "PROPFIND", "POST"):
            for p in ("/api/events", f"/api/documents/{doc}", "/api/stats", "/",
                      "/static/js/review.js", "/api/review"):
                headers = [_host(port), ("Origin", f"http://127.0.0.1:{port}"),
                           ("Authorization", f"Bearer {TOKEN}")]
                asks.append((port, Ask("methods the routes do not take", method, p, headers,
                                       b"{}" if method in ("PUT", "PATCH", "POST") else None)))
    asks.append((read_port, Ask("methods the routes do not take", "POST",
                                "/api/review/confirm", [_host(read_port),
                                                        ("Content-Type", "application/json")],
                                confirm)))

    # Legitimate requests: these must be accepted.
    for p in paths[:-1]:  # not /nope
        asks.append((read_port, Ask("legitimate reads (should be accepted)", "GET", p,
                                    [_host(read_port)], hostile=False)))
    for h in (f"localhost:{read_port}", f"[::1]:{read_port}"):
        asks.append((read_port, Ask("legitimate reads (should be accepted)", "GET",
                                    "/api/stats", [("Host", h)], hostile=False)))
    asks.append((write_port, Ask("legitimate writes (should be accepted)", "POST",
                                 "/api/review/confirm", good_w, confirm, hostile=False)))
    asks.append((write_port, Ask("legitimate writes (should be accepted)", "POST",
                                 "/api/review/confirm",
                                 [good_w[0], good_w[2], good_w[3]], confirm, hostile=False)))
    return asks


def _demo_store(folder: Path) -> Path:
    from corrobora.demo import corpus_path

    db = folder / "demo.duckdb"
    subprocess.run([sys.executable, "-m", "corrobora.cli", "ingest", str(corpus_path()),
                    "--db", str(db), "-q"], check=True)
    return db


def _get_json(port: int, path: str) -> dict:
    status, body = send(port, Ask("", "GET", path, [_host(port)]))
    if status != 200:
        raise SystemExit(f"GET {path}: {status} {body[:200]!r}")
    return json.loads(body)


def _decision_count(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM decisions").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def table(rows: Iterable[tuple[str, int, int, int]]) -> str:
    lines = ["| kind | requests | accepted | 5xx |", "| --- | ---: | ---: | ---: |"]
    lines += [f"| {k} | {n} | {a} | {e} |" for k, n, a, e in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a store to copy (default: the demo corpus)")
    parser.add_argument("--show", action="store_true", help="also list each hostile request "
                        "that was accepted and each 5xx")
    parser.add_argument("--keep", type=Path, help="folder for the copies (default: a "
                        "temporary one, removed)")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="http-probe-"))
    folder.mkdir(parents=True, exist_ok=True)
    source = args.db or _demo_store(folder)
    read_db, write_db = folder / "read.duckdb", folder / "write.duckdb"
    shutil.copy(source, read_db)
    shutil.copy(source, write_db)
    read_port, write_port = _free_port(), _free_port()
    procs = [_start(read_db, read_port, False), _start(write_db, write_port, True)]
    try:
        queue = _get_json(write_port, "/api/review?limit=5").get("items") or []
        if queue:
            report = queue[0]["report_id"]
        else:
            event = _get_json(read_port, "/api/events?limit=1")["items"][0]["id"]
            report = _get_json(read_port, f"/api/events/{event}")["reports"][0]["id"]
        doc = _get_json(read_port, "/api/documents?limit=1")["items"][0]["id"]
        stats_before = _get_json(read_port, "/api/stats")
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        order: list[str] = []
        started = time.monotonic()
        for port, ask in battery(read_port, write_port, report, doc):
            status, body = send(port, ask)
            ok = ask.accepted(status, body) if ask.accepted else 200 <= status < 300
            if ask.kind not in counts:
                order.append(ask.kind)
            c = counts[ask.kind]
            c[0] += 1
            c[1] += ok
            c[2] += status >= 500 or status == -1
            if args.show and ((ok and ask.hostile) or status >= 500 or status == -1):
                print(f"{status} {ask.method} {ask.path[:120]} {ask.headers[:2]} "
                      f"{(ask.body or b'')[:60]!r} -> {body[:160]!r}")
        elapsed = time.monotonic() - started
        stats_after = _get_json(read_port, "/api/stats")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
    print(table((k, *counts[k]) for k in order))
    total = sum(c[0] for c in counts.values())
    hostile = sum(c[1] for k, c in counts.items() if not k.startswith("legitimate"))
    print(f"\n{total} requests in {elapsed:.1f} s; hostile accepted: {hostile}; "
          f"5xx or no answer: {sum(c[2] for c in counts.values())}; decisions recorded: "
          f"{_decision_count(write_db)} (1 expected: the legitimate confirm, sent twice); "
          f"read-only store "
          f"unchanged: {stats_before == stats_after}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
