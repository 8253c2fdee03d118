"""A resolver shared by the geo tests (the gazetteer is built once into the cache dir)."""

from __future__ import annotations

import pytest

from corrobora.geo.resolver import Resolver


@pytest.fixture(scope="session")
def resolver() -> Resolver:
    return Resolver.load()
