"""When an event happened, and whether a sentence reports one now: the day a sentence states
(or the sentence it continues), the publication day only as a bound; background, plans and
time references are no events; one happening per sentence is one report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from corrobora.extractor import Extractor
from corrobora.model import Document, EventReport

PUBLISHED = datetime(2024, 7, 26, 12, 0, tzinfo=UTC)  # a Friday


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _events(extractor: Extractor, text: str, lang: str = "en") -> list[EventReport]:
    doc = Document(text, "t", lang=lang, published_at=PUBLISHED)
    return extractor.extract(doc).events


def test_a_stated_weekday_is_the_day_of_the_event(extractor: Extractor) -> None:
    (ev,) = [e for e in _events(extractor, "Police arrested the cartel leader Ismael Zambada "
                                "in El Paso, Texas, on Thursday.") if e.case_label == "ARREST"]
    assert (ev.date, ev.time_precision, ev.date_basis) == ("2024-07-25", 1, "sentence")


def test_spanish_pasado_martes(extractor: Extractor) -> None:
    events = _events(extractor, "Elementos del Ejército detuvieron el pasado martes a tres "
                     "hombres en Culiacán, Sinaloa.", "es")
    assert [(e.date, e.date_basis) for e in events if e.case_label == "ARREST"] == [
        ("2024-07-23", "sentence")]


def test_an_undated_event_is_bounded_by_publication(extractor: Extractor) -> None:
    events = _events(extractor, "Gunmen killed four people in Culiacán, Sinaloa.")
    assert events and all((e.date, e.time_precision, e.date_basis) == ("2024-07-26", 2,
                                                                      "published")
                          for e in events)


def test_a_continuing_sentence_keeps_the_day_it_continues(extractor: Extractor) -> None:
    text = ("Gunmen attacked a police station in Culiacán, Sinaloa, on Tuesday. "
            "They also killed two officers in Navolato.")
    killed = [e for e in _events(extractor, text) if e.place and e.place.name == "Navolato"]
    assert killed and killed[0].date == "2024-07-23" and killed[0].date_basis == "context"


@pytest.mark.parametrize("text", [
    # background: a stated date long before publication
    "Gunmen killed 43 students in Iguala, Guerrero, on September 26, 2014.",
    # a plan: a stated date after publication
    "Protesters will march on the Zócalo in Mexico City on August 15.",
    # a time reference: the event noun marks when something else happened
    "Weeks after Zambada's arrest, the cartel's factions remained quiet.",
    "Tras la detención de El Mayo, sus hijos guardaron silencio.",
    # background: the event's clause puts it in a past year
    "Sixteen children were murdered in a school shooting in Dunblane in 1996.",
    "In 2017, a suicide bomber killed 22 people at a concert in Manchester.",
    # a reason or purpose: the event noun says why or what for, of another act
    "A Justice Department aircraft frequently used for extraditions landed near Chicago.",
    "He is wanted for murder in Texas.",
])
def test_background_plans_and_time_references_are_no_events(extractor: Extractor,
                                                             text: str) -> None:
    lang = "es" if text.startswith("Tras") else "en"
    kinds = {"ARREST", "ATTACK", "PEACE_PROTEST", "PROTEST_WITH_INTER", "ARMED_CLASH",
             "LEADER_CAPTURED"}
    found = [e.type for e in _events(extractor, text, lang) if e.case_label in kinds]
    assert found == [], found


def test_a_past_year_of_another_clause_keeps_the_event(extractor: Extractor) -> None:
    events = _events(extractor, "The cartel, founded in 1989, attacked a police station in "
                     "Culiacán.")
    assert [e.type for e in events] == ["ATTACK"]
    assert _events(extractor, "En 2014 desaparecieron 43 estudiantes en Iguala.", "es") == []


def test_an_event_that_is_the_reason_of_another_is_not_reported_on_its_day(
        extractor: Extractor) -> None:
    events = _events(extractor, "Police arrested two men on Friday for the killing of a "
                     "journalist in Tijuana.")
    assert [e.type for e in events] == ["ARREST"]


def test_one_happening_in_one_sentence_is_one_report(extractor: Extractor) -> None:
    # "attack" and "gunfight" name one happening: one report, its dead counted once.
    text = "An attack on a bar in Cuernavaca, Morelos, turned into a gunfight that left 29 dead."
    violent = [e for e in _events(extractor, text)
               if e.acled_event_type in ("Battles", "Violence against civilians")]
    assert len(violent) == 1 and violent[0].fatalities is not None
    assert violent[0].fatalities.min == 29


def test_the_day_of_a_statement_is_not_the_day_of_the_event(extractor: Extractor) -> None:
    text = ("Mexico's president on Friday said the US must give a full report on the arrest "
            "of Ismael Zambada.")
    arrests = [e for e in _events(extractor, text) if e.case_label == "ARREST"]
    assert arrests and all(e.date_basis == "published" for e in arrests)


@pytest.mark.parametrize(("text", "lang"), [
    ("A grand jury on Wednesday indicted Grayson on three counts of first-degree murder.",
     "en"),
    ("El juez vinculó a proceso el miércoles a los detenidos por el homicidio del alcalde.",
     "es"),
    # A speech verb with an accent in its lemma ("señalar") dates the statement too.
    ("La Fiscalía señaló el miércoles que el alcalde fue asesinado.", "es"),
])
def test_the_day_of_a_legal_step_or_statement_is_not_the_day_of_the_event(
        extractor: Extractor, text: str, lang: str) -> None:
    events = _events(extractor, text, lang)
    assert events and all(e.date_basis != "sentence" for e in events)
