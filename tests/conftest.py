"""Shared fixtures: where the development data lives (`../shared` beside the checkout)."""

from __future__ import annotations

import os
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
