"""Spanish extraction on hand-written sentences in the style of Mexican press reports."""

from __future__ import annotations

from spacy.language import Language

from corrobora.extract.attribution import attributions, is_hedged
from corrobora.extract.dates import dates
from corrobora.extract.entities import entities, toponym_spans
from corrobora.extract.events import find_events
from corrobora.extract.numbers import casualties
from corrobora.model import EventReport, Place

from .conftest import PUBLISHED

SENTENCE = ("El pasado martes, elementos de la Guardia Nacional repelieron una agresión de "
            "presuntos integrantes del CJNG en Apatzingán, Michoacán; murieron cinco agresores.")


def _run(nlp: Language, text: str, places: list[Place]) -> list[EventReport]:
    doc = nlp(text)
    ents = entities(doc, "es")
    return find_events(doc, "es", entities=ents, places=places,
                       dates=dates(doc, "es", PUBLISHED), numbers=casualties(doc, "es"),
                       attributions=attributions(doc, "es"), published_at=PUBLISHED)


def _place(text: str, name: str, admin1: str, fcode: str) -> Place:
    s = text.index(name)
    return Place(s, s + len(name), name, name=name, country_code="MX", admin1_code=admin1,
                 feature_code=fcode)


def test_state_clash_in_apatzingan(nlp_es: Language) -> None:
    places = [_place(SENTENCE, "Apatzingán", "MX-MIC", "PPLA2"),
              _place(SENTENCE, "Michoacán", "MX-MIC", "ADM1")]
    evs = [e for e in _run(nlp_es, SENTENCE, places) if e.case_label == "ARMED_CLASH"]
    assert len(evs) == 1
    ev = evs[0]
    assert ev.type == "STATE_CLASH"
    roles = {a.actor_id: a.role for a in ev.actors}
    assert roles == {"guardia-nacional": "actor1", "cjng": "actor2"}
    # The state is the container of the town: the event is at the town.
    assert ev.place is not None and ev.place.name == "Apatzingán"
    # Published Monday 2026-02-23: "el pasado martes" is Tuesday 2026-02-17.
    assert (ev.date, ev.time_precision) == ("2026-02-17", 1)
    assert ev.fatalities is not None and (ev.fatalities.min, ev.fatalities.max) == (5, 5)
    # "presuntos integrantes" hedges who the attackers were, not that the clash happened.
    assert ev.hedged is False


def test_presuntamente_hedges_the_event(nlp_es: Language) -> None:
    text = "Presuntamente, sicarios del Cártel de Sinaloa asesinaron a tres policías en Culiacán."
    doc = nlp_es(text)
    assert is_hedged((0, len(text)), doc, "es")
    text2 = "El Mencho habría muerto durante el operativo en Tapalpa, según la Sedena."
    doc2 = nlp_es(text2)
    assert is_hedged((0, len(text2)), doc2, "es")
    text3 = "Sicarios asesinaron a tres policías en Culiacán."
    assert not is_hedged((0, len(text3)), nlp_es(text3), "es")


def test_criminal_clash_and_attribution(nlp_es: Language) -> None:
    text = ("Según la Fiscalía General de la República, integrantes del Cártel de Sinaloa y "
            "del CJNG se enfrentaron a balazos en Zacatecas; hubo seis detenidos y dos "
            "personas lesionadas.")
    evs = _run(nlp_es, text, [_place(text, "Zacatecas", "MX-ZAC", "ADM1")])
    clash = [e for e in evs if e.type == "CRIMINAL_CLASH"]
    assert clash, [e.type for e in evs]
    ev = clash[0]
    assert {a.actor_id for a in ev.actors} >= {"sinaloa-cartel", "cjng"}
    assert "fgr" not in {a.actor_id for a in ev.actors}  # the source, not an actor
    assert any("Fiscalía" in s for s in ev.attribution)
    assert ev.injured is not None and ev.injured.min == 2
    assert "firearms" in ev.weapons


def test_spanish_state_lists_are_split(nlp_es: Language) -> None:
    text = "Hubo bloqueos en Michoacán y Tamaulipas tras la captura."
    doc = nlp_es(text)
    spans = [text[s:e] for s, e in toponym_spans(entities(doc, "es"))]
    assert "Michoacán" in spans and "Tamaulipas" in spans
