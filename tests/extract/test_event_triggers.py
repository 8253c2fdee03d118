"""Event triggers matched in context: a word's part of speech where the lexicon asks for it
("fire/NOUN"), and phrases instead of bare words that name something else as often."""

from __future__ import annotations

import pytest

from corrobora.extractor import Extractor
from corrobora.model import Document


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _types(extractor: Extractor, text: str) -> set[str]:
    return {e.case_label for e in extractor.extract(Document(text, "t", lang="en")).events}


@pytest.mark.parametrize("text", [
    "Police fired tear gas at demonstrators in Nairobi.",  # the verb: shooting
    "The deputy was fired from the sheriff's office in Springfield.",  # dismissed
    "The coach who trains him was in Las Vegas on Saturday.",
    "Venezuela has lived through the worst economic collapse of a country at peace.",
])
def test_not_a_man_made_disaster(extractor: Extractor, text: str) -> None:
    assert "MAN_MADE_DISASTER" not in _types(extractor, text)


@pytest.mark.parametrize("text", [
    "A fire at a textile factory in Dhaka killed 12 workers.",
    "A train derailed near Balasore in Odisha on Friday.",
    "A building collapsed in Lagos on Monday, trapping dozens.",
])
def test_man_made_disaster(extractor: Extractor, text: str) -> None:
    assert "MAN_MADE_DISASTER" in _types(extractor, text)


@pytest.mark.parametrize(("text", "lang"), [
    ("Zambada, 76, had never been arrested in decades at the top of the cartel.", "en"),
    ("The mayor was not detained, his office said.", "en"),
    ("El alcalde no fue detenido, informó su oficina.", "es"),
    ("El Mayo nunca había sido detenido.", "es"),
])
def test_a_negated_event_is_no_event(extractor: Extractor, text: str, lang: str) -> None:
    events = extractor.extract(Document(text, "t", lang=lang)).events
    assert not any(e.case_label == "ARREST" for e in events), [e.type for e in events]


def test_an_event_beside_a_negation_still_counts(extractor: Extractor) -> None:
    text = "Police arrested two men in Tijuana; no one was injured."
    assert "ARREST" in _types(extractor, text)


@pytest.mark.parametrize(("text", "lang", "seizure"), [
    ("Police seized 14 rifles and a grenade in Culiacan on Monday.", "en", "DISR_WEAP"),
    ("Soldados aseguraron armas largas, granadas y cartuchos en Culiacán.", "es", "DISR_WEAP"),
])
def test_seized_weapon_is_no_attack(extractor: Extractor, text: str, lang: str,
                                    seizure: str) -> None:
    types = {e.case_label for e in extractor.extract(Document(text, "t", lang=lang)).events}
    assert types == {seizure}


def test_thrown_grenade_is_an_attack(extractor: Extractor) -> None:
    assert "GRENADE" in _types(extractor, "Gunmen threw a grenade at a bar in Celaya on Monday.")
