"""Actors without a name: the subject and object of an event's verb ("Kurdish students",
"sicarios"), with their role and ACLED inter code, and forces of other countries kept apart
from the registry's Mexican ones."""

from __future__ import annotations

import pytest

from corrobora.extractor import Extractor
from corrobora.model import Document, EventReport


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _event(extractor: Extractor, text: str, lang: str, type_: str) -> EventReport:
    events = extractor.extract(Document(text, "t", lang=lang)).events
    return next(e for e in events if e.case_label == type_)


def _roles(ev: EventReport) -> dict[str, tuple[str, str | None, int | None]]:
    return {a.text: (a.role, a.actor_id, a.inter) for a in ev.actors}


def test_foreign_soldiers_are_not_the_mexican_army(extractor: Extractor) -> None:
    ev = _event(extractor, "Turkish soldiers detained dozens of Kurdish students in "
                "Diyarbakir on Monday.", "en", "ARREST")
    assert _roles(ev) == {"Turkish soldiers": ("actor1", None, 1),
                          "Kurdish students": ("actor2", None, 7)}


def test_mexican_soldiers_stay_the_registry_army(extractor: Extractor) -> None:
    ev = _event(extractor, "Mexican soldiers clashed with gunmen in Culiacán on Monday.",
                "en", "ARMED_CLASH")
    assert any(a.actor_id == "sedena" and a.role == "actor1" for a in ev.actors)


def test_protesters_named_first_are_actor1(extractor: Extractor) -> None:
    # The trigger is the subject itself: word order alone would make them actor2.
    ev = _event(extractor, "Demonstrators blocked a highway in Oaxaca on Monday.", "en",
                "PEACE_PROTEST")
    assert _roles(ev)["Demonstrators"] == ("actor1", None, 6)


def test_subject_taken_from_the_governing_verb(extractor: Extractor) -> None:
    ev = _event(extractor, "Angry farmers marched to the capital to protest against the "
                "new water law.", "en", "PEACE_PROTEST")
    assert _roles(ev)["Angry farmers"][:2] == ("actor1", None)


def test_spanish_hitmen_attack_villagers(extractor: Extractor) -> None:
    ev = _event(extractor, "Un grupo de sicarios atacó a pobladores de Chilapa, Guerrero, "
                "el pasado domingo.", "es", "ATTACK")
    roles = _roles(ev)
    assert roles["sicarios"] == ("actor1", None, 3)
    assert roles["pobladores"][0] == "actor2" and roles["pobladores"][2] == 7


def test_members_of_a_named_force_are_that_force(extractor: Extractor) -> None:
    # "elementos de la Guardia Nacional": the registry actor, not an unnamed "elementos".
    ev = _event(extractor, "Elementos de la Guardia Nacional detuvieron a tres hombres en "
                "Celaya, Guanajuato.", "es", "ARREST")
    assert "Elementos" not in _roles(ev)
    assert any(a.actor_id == "guardia-nacional" and a.role == "actor1" for a in ev.actors)


def test_arrest_roles_of_unnamed_people_and_forces(extractor: Extractor) -> None:
    # Communiqué style: "personal militar" is the army; whoever is detained is acted upon,
    # even as the subject of the next sentence.
    text = ("En Culiacán, Sinaloa, personal militar detuvo a dos personas. Los detenidos "
            "fueron puestos a disposición del Ministerio Público.")
    events = extractor.extract(Document(text, "t", lang="es")).events
    first = _roles(events[0])
    assert first["personal militar"][:2] == ("actor1", "sedena")
    assert first["personas"] == ("actor2", None, 7)
    assert any(a.text == "detenidos" and a.role == "actor2" for e in events for a in e.actors)


def test_armed_men_are_a_group_not_civilians(extractor: Extractor) -> None:
    # Spanish adjectives follow the noun and belong to the actor's name; "civiles" is
    # parsed as an adjective used as a noun.
    ev = _event(extractor, "Un grupo de sujetos armados atacó a civiles inocentes en "
                "Uruapan.", "es", "ATTACK")
    assert _roles(ev) == {"sujetos armados": ("actor1", None, 3),
                          "civiles inocentes": ("actor2", None, 7)}
    ev = _event(extractor, "Armed men attacked villagers in Zamfara state.", "en", "ATTACK")
    assert _roles(ev)["Armed men"] == ("actor1", None, 3)


def _acled(ev: EventReport) -> dict[str, tuple[str | None, str | None]]:
    return {a.text: (a.actor_id, a.acled_name) for a in ev.actors}


def test_acled_names_take_the_country_of_the_event(extractor: Extractor) -> None:
    ev = _event(extractor, "Un grupo de sujetos armados atacó a civiles en Uruapan, "
                "Michoacán.", "es", "ATTACK")
    assert _acled(ev) == {"sujetos armados": (None, "Unidentified Armed Group (Mexico)"),
                          "civiles": (None, "Civilians (Mexico)")}
    # Kurdish students are civilians of Turkey for ACLED; Turkish soldiers are a force of
    # a stated other country, whose name is not guessed.
    ev = _event(extractor, "Turkish soldiers detained dozens of Kurdish students in "
                "Diyarbakir on Monday.", "en", "ARREST")
    assert _acled(ev) == {"Turkish soldiers": (None, None),
                          "Kurdish students": (None, "Civilians (Turkey)")}


def test_bare_police_is_mexican_only_in_mexico(extractor: Extractor) -> None:
    ev = _event(extractor, "Police arrested two suspects in Celaya, Guanajuato.", "en",
                "ARREST")
    assert _acled(ev)["Police"] == ("mx-security-forces", "Police Forces of Mexico")
    ev = _event(extractor, "Police fired tear gas at demonstrators in Nairobi.", "en",
                "PROTEST_WITH_INTER")
    assert _acled(ev) == {"Police": (None, "Police Forces of Kenya"),
                          "demonstrators": (None, "Protesters (Kenya)")}
    assert _roles(ev)["demonstrators"][0] == "actor2"
    # The dispersed protest is not also a peaceful one.
    events = extractor.extract(Document("Police fired tear gas at demonstrators in Nairobi.",
                                        "t", lang="en")).events
    assert "PEACE_PROTEST" not in {e.case_label for e in events}


def test_sentence_initial_group_noun_is_not_a_name(extractor: Extractor) -> None:
    ev = _event(extractor, "Protesters blocked a highway in Lagos, Nigeria.", "en",
                "PEACE_PROTEST")
    assert _roles(ev)["Protesters"] == ("actor1", None, 6)
    assert _acled(ev)["Protesters"] == (None, "Protesters (Nigeria)")
