"""A real store built from the demo corpus (as `corrobora ingest` builds it), shared by the
web tests, and a document written to try to inject markup into the dashboard."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.demo import corpus_path

from ..conftest import StoreSpot

XSS_ID = "xss-probe-1"
XSS_TEXT = (
    "Gunmen attacked a police patrol in Culiacán, Sinaloa, on Monday, killing two officers, "
    "officials said. <script>window.__pwned = 1; alert('xss')</script> The attackers left a "
    "banner reading <img src=x onerror=\"window.__pwned = 2; alert('img')\"> near the scene.")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web")
    db = folder / "demo.duckdb"
    reuse = os.environ.get("CORROBORA_WEB_TEST_STORE")
    if reuse:  # a store this fixture built before (saves the ingest while iterating)
        shutil.copy(reuse, db)
        return db
    _build_demo(db, folder)
    return db


def _build_demo(db: Path | str, folder: Path) -> None:
    probe = folder / "probe.jsonl"
    probe.write_text(json.dumps({
        "id": XSS_ID, "text": XSS_TEXT, "lang": "en", "source": "Probe <b>Wire</b>",
        "title": "<script>alert('title')</script> Attack in Culiacán",
        "published_at": "2025-03-04T10:00:00Z"}, ensure_ascii=False) + "\n", "utf-8")
    result = CliRunner().invoke(
        app, ["ingest", str(corpus_path()), str(probe), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def demo_spot(session_store: StoreSpot, demo_db: Path,
              tmp_path_factory: pytest.TempPathFactory) -> tuple[StoreSpot, Path | str]:
    """demo_db on each engine (the DuckDB one is demo_db itself): the spot it is in (to
    copy it) and its path or URL."""
    if not session_store.postgres:
        return session_store, demo_db
    db = session_store("demo.duckdb")
    _build_demo(db, tmp_path_factory.mktemp("web-pg"))
    return session_store, db
