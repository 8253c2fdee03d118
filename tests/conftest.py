"""Shared fixtures: where the development data lives (`../shared` beside the checkout)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

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
