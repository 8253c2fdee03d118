"""Shared fixtures: where the development data lives (`../shared` beside the checkout)."""

from __future__ import annotations

import os
import secrets
import shutil
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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


# -- the store on both engines: DuckDB files, and PostgreSQL when CORROBORA_TEST_PG is set --

PG_SERVER = os.environ.get("CORROBORA_TEST_PG", "")
ENGINES = ["duckdb", "postgresql"]


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL server of the PostgreSQL cases (`CORROBORA_TEST_PG`, a URL such as
    `bash scripts/postgres start` prints). Unset: they skip. Set but unreachable: they fail
    (CI sets it; a server that did not start must not pass as skipped tests)."""
    if not PG_SERVER:
        pytest.skip("PostgreSQL case: set CORROBORA_TEST_PG to a server URL "
                    "(export CORROBORA_TEST_PG=$(bash scripts/postgres start))")
    import psycopg

    try:
        psycopg.connect(PG_SERVER, connect_timeout=5).close()
    except psycopg.Error as exc:
        pytest.fail(f"CORROBORA_TEST_PG={PG_SERVER}: cannot connect: {exc}", pytrace=False)
    return PG_SERVER


def _pg_url(server: str, database: str) -> str:
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{database}"))


@contextmanager
def pg_database(server: str, template: str | None = None) -> Iterator[str]:
    """A fresh database on `server` (a copy of the database of URL `template` when given),
    dropped after, as its URL: one PostgreSQL store."""
    import psycopg

    name = f"t_{secrets.token_hex(6)}"
    like = f" TEMPLATE {urlsplit(template).path.lstrip('/')}" if template else ""
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}{like}")
    try:
        yield _pg_url(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as con:
            # A server's pooled connections a test left open must not keep it.
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class StoreSpot:
    """Where a test puts a new store: `spot("c.duckdb")` is that file in a temporary folder
    for DuckDB, a fresh database for PostgreSQL (same name, same database: one store)."""

    def __init__(self, engine: str, folder: Path, stack: ExitStack) -> None:
        self.engine, self.folder, self.stack = engine, folder, stack
        self.made: dict[str, str | Path] = {}

    def __call__(self, name: str = "store.duckdb") -> Any:
        if self.engine == "duckdb":
            return self.folder / name
        if name not in self.made:
            self.made[name] = self.stack.enter_context(pg_database(PG_SERVER))
        return self.made[name]

    def copy(self, source: Any, name: str) -> Any:
        """A new store `name` holding what the (closed) store at `source` holds."""
        if self.engine == "duckdb":
            shutil.copy(source, self.folder / name)
            return self.folder / name
        self.made[name] = self.stack.enter_context(pg_database(PG_SERVER, template=source))
        return self.made[name]

    @property
    def postgres(self) -> bool:
        return self.engine == "postgresql"


@pytest.fixture(params=ENGINES)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreSpot]:
    """Run the test on each engine: it opens its stores at `new_store("name.duckdb")`."""
    if request.param == "postgresql":
        request.getfixturevalue("pg_server")
    with ExitStack() as stack:
        yield StoreSpot(request.param, tmp_path, stack)


@pytest.fixture(scope="module", params=ENGINES)
def module_store(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreSpot]:
    """`new_store` for module fixtures: one spot per engine for the module."""
    if request.param == "postgresql":
        request.getfixturevalue("pg_server")
    with ExitStack() as stack:
        yield StoreSpot(request.param, tmp_path_factory.mktemp(request.param), stack)


@pytest.fixture(scope="session", params=ENGINES)
def session_store(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreSpot]:
    """`new_store` for session fixtures."""
    if request.param == "postgresql":
        request.getfixturevalue("pg_server")
    with ExitStack() as stack:
        yield StoreSpot(request.param, tmp_path_factory.mktemp(request.param), stack)
