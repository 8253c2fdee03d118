"""Extraction on the article Corrobora was conceived from (data/seed/)."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc

from corrobora.extract.attribution import attributions, hedge_cues
from corrobora.extract.dates import dates
from corrobora.extract.entities import entities, toponym_spans
from corrobora.extract.events import document_event_type, find_events
from corrobora.extract.numbers import casualties
from corrobora.model import Entity, EventReport, Place

from .conftest import PUBLISHED

ADMIN = {"Tapalpa": ("MX-JAL", "PPL"), "Jalisco": ("MX-JAL", "ADM1"),
         "Michoacan": ("MX-MIC", "ADM1"), "Tamaulipas": ("MX-TAM", "ADM1"),
         "Zacatecas": ("MX-ZAC", "ADM1"), "Colima": ("MX-COL", "ADM1"),
         "Oaxaca": ("MX-OAX", "ADM1"), "Puerto Vallarta": ("MX-JAL", "PPL"),
         "Guadalajara": ("MX-JAL", "PPLA")}


@pytest.fixture(scope="module")
def ents(seed_doc: Doc) -> list[Entity]:
    return entities(seed_doc, "en")


@pytest.fixture(scope="module")
def events(seed_doc: Doc, ents: list[Entity]) -> list[EventReport]:
    text = seed_doc.text
    # Places as the geo stage would resolve them (coordinates left out: not needed here).
    places = [Place(s, e, text[s:e], name=text[s:e], country_code="MX",
                    admin1_code=ADMIN[text[s:e]][0], feature_code=ADMIN[text[s:e]][1])
              for s, e in toponym_spans(ents) if text[s:e] in ADMIN]
    return find_events(seed_doc, "en", entities=ents, places=places,
                       dates=dates(seed_doc, "en", PUBLISHED),
                       numbers=casualties(seed_doc, "en"),
                       attributions=attributions(seed_doc, "en"), published_at=PUBLISHED)


def _find(ents: list[Entity], text: str) -> list[Entity]:
    return [e for e in ents if e.text == text]


def test_entities(ents: list[Entity]) -> None:
    assert any(e.label == "PER" for e in _find(ents, "Nemesio Oseguera Cervantes"))
    cjng = _find(ents, "CJNG")
    assert cjng and all(e.label == "ORG" and e.actor_id == "cjng" for e in cjng)
    jngc = _find(ents, "Jalisco New Generation Cartel")
    assert jngc and jngc[0].label == "ORG" and jngc[0].actor_id == "cjng"
    assert _find(ents, "Tapalpa")[0].label == "LOC"
    assert _find(ents, "Reuters")[0].label == "ORG"
    assert any(e.label == "ORG" and "New York Times" in e.text for e in ents)
    # "El Mencho" is a person, whatever the small model says.
    assert all(e.label == "PER" for e in _find(ents, "El Mencho"))
    # States the model mislabels (PERSON, NORP) come back as LOC.
    for state in ("Tamaulipas", "Colima", "Michoacan"):
        assert _find(ents, state)[0].label == "LOC", state


def test_toponyms_exclude_names_inside_organisations(seed_doc: Doc, ents: list[Entity]) -> None:
    text = seed_doc.text
    spans = toponym_spans(ents)
    org = text.index("Jalisco New Generation Cartel")
    assert all(not (s <= org < e) for s, e in spans)
    assert any(text[s:e] == "Jalisco" for s, e in spans)  # the state, elsewhere
    assert any(text[s:e] == "Tapalpa" for s, e in spans)


def test_leader_killed_at_tapalpa(events: list[EventReport]) -> None:
    killed = [e for e in events if e.type == "LEADER_KILLED" and e.place is not None]
    assert killed, [e.type for e in events]
    ev = killed[0]
    assert ev.place is not None and ev.place.name == "Tapalpa"
    assert ev.case_label == "ARMED_CLASH" and ev.acled_event_type == "Battles"
    assert any(a.actor_id == "nemesio-oseguera-cervantes" and a.role == "actor2"
               for a in ev.actors)
    assert not ev.hedged


def test_six_clashes_one_per_state(events: list[EventReport]) -> None:
    clashes = [e for e in events if e.type == "STATE_CLASH"]
    assert sorted(e.place.name for e in clashes if e.place) == sorted(
        ["Jalisco", "Michoacan", "Tamaulipas", "Zacatecas", "Colima", "Oaxaca"])
    for ev in clashes:
        ids = {a.actor_id: a.role for a in ev.actors}
        assert ids.get("cjng") == "actor1"
        assert ids.get("mx-security-forces") == "actor2"
        # The gunfights are the article's own statement of fact: no source cited, no hedge.
        assert not ev.hedged
        assert ev.attribution == []
        assert ev.case_label == "ARMED_CLASH"
        assert ev.date == "2026-02-23" and ev.time_precision == 2


def test_airport_disruptions(events: list[EventReport]) -> None:
    disr = [e for e in events if e.type == "DISRUPTION" and e.place is not None]
    assert {e.place.name for e in disr if e.place} == {"Puerto Vallarta", "Guadalajara"}
    assert not any(e.hedged for e in disr)
    assert all(e.attribution == [] for e in disr)


def test_intelligence_claim_attributed_and_hedged(seed_doc: Doc,
                                                  events: list[EventReport]) -> None:
    text = seed_doc.text
    claim = text.index("According to sources cited by Reuters")
    intel = [e for e in events if e.type == "INTEL_SHARING" and e.sentence[0] == claim]
    assert len(intel) == 1
    ev = intel[0]
    # Exactly the two outlets: the unnamed sources behind them are what hedges the claim.
    assert ev.attribution == ["Reuters", "The New York Times"]
    assert ev.hedged
    assert "sources cited by" in hedge_cues(ev.sentence, seed_doc, "en", ev.trigger)
    assert {"cia", "jitf-cc"} <= {a.actor_id for a in ev.actors}
    # The outlets are sources, not actors.
    assert not any(a.actor_id in ("reuters", "new-york-times") for a in ev.actors)


def test_every_hedged_report_has_a_hedge_in_its_main_clause(seed_doc: Doc,
                                                            events: list[EventReport]) -> None:
    """The killing, the clashes and the disruptions are facts; only the intelligence claims
    (unnamed sources, "reportedly") are hedged."""
    hedged = {e.type for e in events if e.hedged}
    assert "INTEL_SHARING" in hedged
    assert not hedged & {"LEADER_KILLED", "STATE_CLASH", "DISRUPTION"}


def test_killing_confirmed_by_mexican_authorities(seed_doc: Doc,
                                                  events: list[EventReport]) -> None:
    text = seed_doc.text
    confirmed = text.index("Mexican authorities confirmed")
    ev = next(e for e in events if e.type == "LEADER_KILLED" and e.sentence[0] == confirmed)
    assert ev.attribution == ["Mexican authorities"]
    assert not ev.hedged


def test_document_type(seed_doc: Doc, events: list[EventReport]) -> None:
    label = document_event_type(seed_doc, events, "en")
    assert label is not None



@pytest.mark.parametrize("commentary", [
    "Previous eliminations or arrests of cartel leaders",  # generic, habitual
    "The killing of El Mencho must also be contextualized",  # an event talked about
    "The death of El Mencho represents a significant milestone",
    "The killing of notorious cartel leader",  # "... marks a watershed moment"
])
def test_no_event_from_commentary(seed_doc: Doc, events: list[EventReport],
                                  commentary: str) -> None:
    start = seed_doc.text.index(commentary)
    assert not [e.type for e in events if e.sentence[0] == start]
