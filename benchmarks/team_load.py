"""Team mode under load: `corrobora ingest` writes N news-stream documents into a PostgreSQL
store while C clients read the HTTP API of `corrobora serve` over the same store, on
loopback, for as long as the ingest runs. Prints requests, errors and p50/p99 latency (all
and per endpoint) as one JSON line.

    .venv/bin/python benchmarks/team_load.py [--server URL] [--docs 200] [--clients 4]

--server is a PostgreSQL server URL (default: `bash scripts/postgres start`); a fresh
database is made on it and dropped after. Loopback only; local data, nothing committed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared"))
ARCHIVE = SHARED / "data/news-stream/news_2024-07-16_to_2024-08-01.tar.gz"
# What a dashboard asks for: the list, its map, the counts, one event, the facets.
PATHS = ["/api/events?limit=50", "/api/events?format=geojson&limit=500",
         "/api/events/counts?by=month", "/api/facets", "/api/stats",
         "/api/events?place=MX-SIN&limit=20"]


def corrobora(*args: str, quiet: bool = True) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}"
           f"{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.Popen([sys.executable, "-m", "corrobora.cli", *args], env=env,
                            stdout=subprocess.DEVNULL if quiet else None,
                            stderr=subprocess.PIPE)


def first_documents(archive: Path, n: int, folder: Path) -> Path:
    """The first `n` Markdown articles of the archive, as files in `folder`."""
    taken = 0
    with tarfile.open(archive) as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".md") and taken < n:
                data = tar.extractfile(member)
                if data is not None:
                    (folder / f"{taken:04d}.md").write_bytes(data.read())
                    taken += 1
    return folder


def client(port: int, stop: threading.Event, out: list[tuple[str, float, int]]) -> None:
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i = 0
    while not stop.is_set():
        path = PATHS[i % len(PATHS)]
        i += 1
        t = time.perf_counter()
        try:
            con.request("GET", path)
            answer = con.getresponse()
            answer.read()
            status = answer.status
        except (OSError, http.client.HTTPException):
            status = 0
            con.close()
            con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        out.append((path, time.perf_counter() - t, status))
    con.close()


def summary(rows: list[tuple[str, float, int]]) -> dict[str, float | int]:
    ms = np.array([r[1] for r in rows]) * 1000
    return {"requests": len(rows), "errors": sum(1 for r in rows if r[2] != 200),
            "p50_ms": round(float(np.percentile(ms, 50)), 1) if len(ms) else 0,
            "p99_ms": round(float(np.percentile(ms, 99)), 1) if len(ms) else 0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", help="PostgreSQL server URL (default: scripts/postgres start)")
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--archive", default=str(ARCHIVE))
    args = ap.parse_args()
    server = args.server or subprocess.run(
        ["bash", str(REPO / "scripts/postgres"), "start"], check=True, capture_output=True,
        text=True).stdout.strip()
    name = f"team_load_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    url = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    serve = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            docs = first_documents(Path(args.archive), args.docs, Path(tmp))
            seed = corrobora("ingest", str(REPO / "src/corrobora/demo/corpus/notes"),
                             "--db", url, "-q")
            assert seed.wait() == 0, seed.stderr.read() if seed.stderr else ""
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            serve = corrobora("serve", "--db", url, "--port", str(port))
            for _ in range(300):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            stop = threading.Event()
            rows: list[tuple[str, float, int]] = []
            threads = [threading.Thread(target=client, args=(port, stop, rows))
                       for _ in range(args.clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            ingest = corrobora("ingest", str(docs), "--db", url, "-q")
            code = ingest.wait()
            t1 = time.perf_counter()
            stop.set()
            for t in threads:
                t.join()
            problems = (ingest.stderr.read() if ingest.stderr else b"").decode()[-500:]
        with psycopg.connect(url) as con:
            stored = con.execute("SELECT (SELECT count(*) FROM documents), "
                                 "(SELECT count(*) FROM events)").fetchone()
        by_path = {p: summary([r for r in rows if r[0] == p]) for p in PATHS}
        print(json.dumps({
            "machine": f"{platform.machine()} {os.cpu_count()} cores, "
                       f"Python {platform.python_version()}",
            "postgresql": psycopg.connect(server).info.server_version,
            "docs": args.docs, "clients": args.clients, "ingest_exit": code,
            "ingest_s": round(t1 - t0, 1), "documents": stored[0] if stored else None,
            "events": stored[1] if stored else None, **summary(rows),
            "lock_errors": sum("lock" in problems.lower() for _ in [0]),
            "by_path": by_path}))
    finally:
        if serve is not None:
            serve.terminate()
            serve.wait(timeout=30)
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
