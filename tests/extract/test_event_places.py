"""Where an event happened, and how the sentence says it: a place a locative governs ("in",
"near", "en") says where; a place merely named ("an Illinois woman") or borrowed from the
paragraph or the dateline is weaker, and fusion treats it so (docs/fusion.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from corrobora.extractor import Extractor
from corrobora.model import Document, EventReport

PUBLISHED = datetime(2024, 7, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _events(extractor: Extractor, text: str, lang: str = "en") -> list[EventReport]:
    doc = Document(text, "t", lang=lang, published_at=PUBLISHED)
    return extractor.extract(doc).events


@pytest.mark.parametrize(("text", "lang", "place", "basis"), [
    ("Gunmen killed four people in Culiacán, Sinaloa, on Thursday.", "en", "Culiacán",
     "locative"),
    ("Hombres armados asesinaron a cuatro personas en Navolato el jueves.", "es", "Navolato",
     "locative"),
    ("Gunmen attacked police stations in Culiacán and Navolato on Thursday.", "en",
     "Culiacán", "list"),
    # Illinois says whose woman; it happens to hold the town, but the sentence does not say so.
    ("An Illinois woman was fatally shot by a deputy on Saturday.", "en", "Illinois",
     "sentence"),
])
def test_the_place_basis_says_how_the_sentence_names_the_place(
        extractor: Extractor, text: str, lang: str, place: str, basis: str) -> None:
    events = [e for e in _events(extractor, text, lang) if e.place is not None]
    assert events
    assert {e.place_basis for e in events} == {basis}
    assert place in {e.place.name for e in events if e.place}
    assert all(e.to_contract()["place_basis"] == basis for e in events)


def test_a_place_from_the_paragraph_says_so(extractor: Extractor) -> None:
    text = ("Soldiers patrolled the municipality of Navolato, Sinaloa, on Thursday. "
            "Gunmen killed four people the same night.")
    killed = [e for e in _events(extractor, text) if e.fatalities and e.place is not None]
    assert killed and killed[0].place_basis == "paragraph"


def test_no_place_no_basis(extractor: Extractor) -> None:
    events = _events(extractor, "Gunmen killed four people on Thursday.")
    assert events and all(e.place is None and e.place_basis is None for e in events)
    assert all(e.to_contract()["place_basis"] is None for e in events)


@pytest.mark.parametrize(("text", "not_place"), [
    ("Police in Culiacán said gunmen killed four people in Navolato on Friday.", "Culiacán"),
    ("The strike on Saturday hit a soccer field and killed at least 12 children, according "
     "to Israel.", "Israel"),
])
def test_a_place_in_the_phrase_naming_a_source_is_not_where_it_happened(
        extractor: Extractor, text: str, not_place: str) -> None:
    events = _events(extractor, text)
    assert events and all(e.place is None or e.place.name != not_place for e in events)
