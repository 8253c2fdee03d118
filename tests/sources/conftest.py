"""Fixtures for the reader tests: the small hand-written inputs and helpers to collect results."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from corrobora.model.document import Document, ReadFailure

INPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "inputs"


@pytest.fixture(scope="session")
def inputs() -> Path:
    return INPUTS


def split(items: Iterable[Document | ReadFailure]) -> tuple[list[Document], list[ReadFailure]]:
    """Documents and failures, each in stream order."""
    documents: list[Document] = []
    failures: list[ReadFailure] = []
    for item in items:
        (documents if isinstance(item, Document) else failures).append(item)  # type: ignore[arg-type]
    return documents, failures
