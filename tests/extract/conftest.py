"""Parsed inputs shared by the extraction tests: spaCy models load once per session."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from corrobora.extract.nlp import load_pipeline

PUBLISHED = datetime(2026, 2, 23, 12, 0, tzinfo=UTC)  # a Monday


@pytest.fixture(scope="session")
def nlp_en() -> Language:
    return load_pipeline("en")


@pytest.fixture(scope="session")
def nlp_es() -> Language:
    return load_pipeline("es")


@pytest.fixture(scope="session")
def seed_text(seed_article: Path) -> str:
    """The article body: from its first paragraph to the closing site chrome."""
    raw = seed_article.read_text(encoding="utf-8")
    start = raw.index("The killing of notorious cartel leader")
    end = raw.index("Please follow Blitz")
    return raw[start:end]


@pytest.fixture(scope="session")
def seed_doc(nlp_en: Language, seed_text: str) -> Doc:
    return nlp_en(seed_text)
