"""ACLED coding rules that type an event by who took part and by what else its sentence says.

A trigger names what happened ("recaptured", "killed", "detained"); ACLED's sub-event type
also depends on who did it and in which setting (ACLED codebook: Battles; Protests and
Riots):
- territory: state forces (inter 1, or a country named as the actor) regain territory,
  anyone else overtakes it; taken as the other side withdrew, with no fighting told in the
  sentence, it is a non-violent transfer. "Captured", "seized" or "took" with a place as
  object ("seized a village"; cues.yaml `territory_objects`) is a change of territory, not an
  arrest or a seizure of goods.
- protests: in a sentence that reports a protest, violence by the protesters (cues.yaml
  `protest_violence`: clashes, stones, fires, looting) makes its clashes and attacks a violent
  demonstration, as are fires, missiles and destruction whose actor is the protesters;
  without it a killing or shooting is excessive force against protesters, and an arrest is a
  protest with intervention. A peaceful protest is dropped once the sentence tells of a
  forceful or violent one.
Only base types are recoded: a refinement (LEADER_CAPTURED, CRIMINAL_CLASH) keeps its type.
"""

from __future__ import annotations

from spacy.tokens import Span

from corrobora.extract import ontology
from corrobora.extract._data import find_phrases, fold, lex
from corrobora.model import ActorRef, EventReport, Place

_GOV, _NON_STATE, _NON_VIOLENT = (
    "GOV_REGAINS_TERIT", "NON_STATE_ACTOR_OVERTAKES_TER", "NON_VIOL_TERRIT_TRANSFER")
_CAPTURE_TYPES = {"ARREST", "ORG_CRIME"}
_CAPTURE_VERBS = {"capture", "seize", "take", "overrun", "storm", "capturar", "tomar"}
_FIGHTING = {"ARMED_CLASH", "ATTACK", "AIR_STRIKE", "ART_MISS_ATTACK", "REM_EXPLOS",
             "GRENADE", "SUIC_BOMB", "CHEM_WEAP"}
_PROTEST = {"PEACE_PROTEST", "PROTEST_WITH_INTER", "FORCE_AGAINST_PROTEST", "VIOL_DEMONSTR"}
_BY_PROTESTERS = {"ATTACK", "ART_MISS_ATTACK", "MAN_MADE_DISASTER", "PROPERTY_DISTRUCT"}
# Triggers whose subject is the victim ("four protesters died").
_VICTIM_VERBS = {"die", "dead", "death", "morir", "muerto", "muerte", "fallecer"}
_STATE, _PROTESTERS = 1, 6


def recode(reports: list[EventReport], sent: Span, lang: str,
           places: list[Place]) -> list[EventReport]:
    """The reports of one sentence with ACLED's participant and setting rules applied."""
    if not reports:
        return reports
    labels = {ev.case_label for ev in reports}
    protest = bool(labels & _PROTEST)
    violent = protest and _says(sent, lang, "protest_violence")
    withdrew = not labels & _FIGHTING and _says(sent, lang, "withdrawal")
    for ev in reports:
        if ev.type != ev.case_label:
            continue
        new = _territory(ev, sent, lang, places, withdrew)
        if new is None and protest:
            new = _in_protest(ev, sent, violent)
        if new is not None and new != ev.type:
            ev.type = ev.case_label = new
            ev.acled_event_type, ev.acled_sub_event_type = ontology.acled(new)
    if any(ev.case_label in _PROTEST - {"PEACE_PROTEST"} for ev in reports):
        reports = [ev for ev in reports if ev.case_label != "PEACE_PROTEST"]
    return reports


def _says(sent: Span, lang: str, section: str) -> bool:
    return next(iter(find_phrases(sent, lex("cues.yaml", section, lang))), None) is not None


def _territory(ev: EventReport, sent: Span, lang: str, places: list[Place],
               withdrew: bool) -> str | None:
    if ev.type in _CAPTURE_TYPES:
        if not _takes_place(ev, sent, lang, places):
            return None
    elif ev.type not in (_GOV, _NON_STATE):
        return None
    if withdrew:
        return _NON_VIOLENT
    taker = next((a for a in sorted(ev.actors, key=lambda a: a.start or 0)
                  if a.role == "actor1" and not _is_place(a, places, countries=False)), None)
    if taker is None:
        return ev.type if ev.type in (_GOV, _NON_STATE) else _NON_STATE
    return _GOV if taker.inter == _STATE or _is_place(taker, places, countries=True) \
        else _NON_STATE


def _takes_place(ev: EventReport, sent: Span, lang: str, places: list[Place]) -> bool:
    """Whether the trigger is a capture verb whose object is a place ("seized a village")."""
    verb = next((t for t in sent if t.idx == ev.trigger[0]), None)
    if verb is None or fold(verb.lemma_) not in _CAPTURE_VERBS:
        return False
    nouns = {fold(w) for w in lex("cues.yaml", "territory_objects", lang)}
    for obj in verb.children:
        if obj.dep_ not in ("dobj", "obj"):
            continue
        if fold(obj.lemma_) in nouns or fold(obj.text) in nouns:
            return True
        if any(p.start <= obj.idx < p.end for p in places):
            return True
    return False


def _is_place(ref: ActorRef, places: list[Place], *, countries: bool) -> bool:
    """Whether an actor is a place name and nothing more ("Turkey", not "Turkey-backed
    fighters"): a country (`countries`) or any other place."""
    if ref.start is None or ref.end is None:
        return False
    return any(p.start <= ref.start and ref.end <= p.end
               and (p.feature_code or "").startswith("PCL") == countries for p in places)


def _in_protest(ev: EventReport, sent: Span, violent: bool) -> str | None:
    verb = next((t for t in sent if t.idx == ev.trigger[0]), None)
    victim_verb = verb is not None and fold(verb.lemma_) in _VICTIM_VERBS
    protesters = {a.role for a in ev.actors if a.inter == _PROTESTERS}
    by_protesters = "actor1" in protesters and not victim_verb
    if ev.type == "ARMED_CLASH" or (ev.type in _BY_PROTESTERS and by_protesters):
        return "VIOL_DEMONSTR"
    if ev.type == "ATTACK" and (protesters or any(
            a.role == "actor1" and a.inter == _STATE for a in ev.actors)):
        # Force used on the protest, by state forces or on the protesters themselves.
        return "VIOL_DEMONSTR" if violent else "FORCE_AGAINST_PROTEST"
    if ev.type == "ARREST":
        return "PROTEST_WITH_INTER"
    return None
