"""Shared fixtures: where the development data lives (`../shared` beside the checkout)."""

from __future__ import annotations

import os
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"development data not found at {SHARED} (set CORROBORA_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def seed_article(shared: Path) -> Path:
    return shared / "data" / "seed" / "blitz-el-mencho-2026.txt"


# -- a local HTTP server for the live-intake tests (corrobora watch): loopback only --------


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (a slow server)."""
    drip: float = 0.0
    """Seconds between body bytes (a server that never finishes)."""
    etag: str | None = None
    """Answer 304 to a request that names this ETag."""
    length: bool = True
    """Send Content-Length (else the body ends when the connection closes)."""


@dataclass
class LocalServer:
    """An http.server in a thread on 127.0.0.1; tests set `routes` and read `requests`."""

    server: ThreadingHTTPServer
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str], float]] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str) -> str:
        scheme = "https" if isinstance(self.server.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def route(self, path: str, body: bytes = b"", **how: Any) -> None:
        """Answer GET `path` with `body`; `how` sets the other fields of Route."""
        self.routes[path] = Route(body, **how)

    def hits(self, path: str) -> int:
        return sum(1 for p, _, _ in self.requests if p == path)


def _handler(local: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            local.requests.append((self.path, dict(self.headers), time.monotonic()))
            route = local.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            time.sleep(route.delay)
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                if route.drip:
                    for byte in route.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(route.drip)
                else:
                    self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading: what a size or time limit does

    return Handler


@pytest.fixture
def local_server() -> Iterator[Callable[[], LocalServer]]:
    """Start as many loopback servers as a test needs: `server = local_server()`."""
    started: list[tuple[LocalServer, threading.Thread]] = []

    def start(tls: tuple[Path, Path] | None = None) -> LocalServer:
        started.append(start_local_server(tls))
        return started[-1][0]

    yield start
    for local, thread in started:
        stop_local_server(local, thread)


def start_local_server(tls: tuple[Path, Path] | None = None
                       ) -> tuple[LocalServer, threading.Thread]:
    """A LocalServer answering on 127.0.0.1 (a free port) from a daemon thread; over TLS
    with `tls` = (certificate chain file, key file)."""
    local = LocalServer(ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler))
    local.server.RequestHandlerClass = _handler(local)
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        local.server.socket = context.wrap_socket(local.server.socket, server_side=True)
    local.server.daemon_threads = True
    thread = threading.Thread(target=local.server.serve_forever, daemon=True)
    thread.start()
    return local, thread


def stop_local_server(local: LocalServer, thread: threading.Thread) -> None:
    local.server.shutdown()
    local.server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def stored_rows() -> Callable[[Path], dict[str, list[tuple[object, ...]]]]:
    """Every row of every table of a store, sorted, without the times of the run: two stores
    are the same result when these are equal."""
    import duckdb

    def rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
        con = duckdb.connect(str(path), read_only=True)
        try:
            tables = [t for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
            out = {}
            for table in tables:
                # Not the times a run sets to when it ran (default current_timestamp).
                cols = [c for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                    "AND coalesce(column_default, '') NOT ILIKE '%current_timestamp%' "
                    "ORDER BY ordinal_position", [table]).fetchall()]
                listed = ", ".join(f'"{c}"' for c in cols)
                out[table] = con.execute(f'SELECT {listed} FROM "{table}" ORDER BY ALL'
                                         ).fetchall()
            return out
        finally:
            con.close()

    return rows
