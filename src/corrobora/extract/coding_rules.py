"""ACLED coding rules that type an event by who took part and by what else its sentence says.

A trigger names what happened ("recaptured", "killed", "detained"); ACLED's sub-event type
also depends on who did it and in which setting (ACLED codebook: Battles; Protests and
Riots):
- territory: state forces (inter 1, or a country named as the actor) regain territory,
  anyone else overtakes it; taken as the other side withdrew, with no fighting told in the
  sentence, it is a non-violent transfer. "Captured", "seized" or "took" with a place as
  object ("seized a village"; cues.yaml `territory_objects`) is a change of territory, not an
  arrest or a seizure of goods. What "fell to" someone was taken by them, not by the
  subject of the sentence.
- protests: a clash, killing or arrest is part of a protest when the sentence reports one and
  a protest word hangs from its trigger ("detained protesters", "shot dead during a
  demonstration"; cues.yaml `protest_words`). Then violence by the protesters (cues.yaml
  `protest_violence`: clashes, stones, fires, looting) makes a violent demonstration of its
  clashes and attacks, and of the fires, missiles and destruction whose actor is the
  protesters; without it a killing or shooting is excessive force against protesters, and
  an arrest is a protest with intervention. A peaceful protest is dropped once the sentence
  tells of a forceful or violent one.
Only base types are recoded: a refinement (LEADER_CAPTURED, CRIMINAL_CLASH) keeps its type.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from spacy.tokens import Span, Token

from corrobora.extract import ontology
from corrobora.extract._data import actor_nouns, find_phrases, fold, lex
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
_SUBJECTS = {"nsubj", "nsubjpass", "nsubj:pass"}


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
            new = _in_protest(ev, sent, lang, violent)
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
    verb = _token_at(sent, ev.trigger[0])
    if verb is not None and fold(verb.lemma_) == "fall":
        return _fallen_to(ev, verb, lang) or ev.type
    taker = next((a for a in sorted(ev.actors, key=lambda a: a.start or 0)
                  if a.role == "actor1" and not _is_place(a, places, countries=False)), None)
    if taker is None:
        return ev.type if ev.type in (_GOV, _NON_STATE) else _NON_STATE
    return _GOV if taker.inter == _STATE or _is_place(taker, places, countries=True) \
        else _NON_STATE


def _fallen_to(ev: EventReport, verb: Token, lang: str) -> str | None:
    """"The base fell to rebel fighters": the taker is the object of "to", not the subject."""
    taker = next((g for c in verb.children if c.dep_ == "prep" and c.lower_ == "to"
                  for g in c.children if g.dep_ == "pobj"), None)
    if taker is None:
        return None
    ref = next((a for a in ev.actors if a.start is not None and a.end is not None
                and a.start <= taker.idx < a.end), None)
    inter = ref.inter if ref is not None and ref.inter else \
        actor_nouns(lang)[0].get(fold(taker.lemma_))
    if inter is None:
        return None
    return _GOV if inter == _STATE else _NON_STATE


def _takes_place(ev: EventReport, sent: Span, lang: str, places: list[Place]) -> bool:
    """Whether the trigger is a capture verb whose object is a place ("seized a village")."""
    verb = _token_at(sent, ev.trigger[0])
    if verb is None or fold(verb.lemma_) not in _CAPTURE_VERBS:
        return False
    nouns = _folded("territory_objects", lang)
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


def _in_protest(ev: EventReport, sent: Span, lang: str, violent: bool) -> str | None:
    trigger = _token_at(sent, ev.trigger[0])
    if trigger is None or not _about_protest(trigger, lang):
        return None
    words = _folded("protest_words", lang)
    by_protesters = fold(trigger.lemma_) not in _VICTIM_VERBS and (
        any(a.role == "actor1" and a.inter == _PROTESTERS for a in ev.actors)
        or any(c.dep_ == "nsubj" and fold(c.lemma_) in words for c in trigger.children))
    if ev.type == "ARMED_CLASH" or (ev.type == "ATTACK" and by_protesters) or (
            ev.type in _BY_PROTESTERS and by_protesters and violent):
        return "VIOL_DEMONSTR"
    if ev.type == "ATTACK":
        return "VIOL_DEMONSTR" if violent else "FORCE_AGAINST_PROTEST"
    if ev.type == "ARREST":
        return "PROTEST_WITH_INTER"
    return None


def _token_at(sent: Span, char: int) -> Token | None:
    return next((t for t in sent if t.idx == char), None)


def _about_protest(trigger: Token, lang: str) -> bool:
    """Whether a protest word hangs from the trigger ("detained protesters", "killed during a
    demonstration"), is the noun it qualifies ("protesters clashing with police") or the
    subject of the clause it depends on ("the protesters were cleared out after clashing with
    police"); another clause's protest ("the murder that led to protests") does not count,
    nor one it is listed with ("the risk of protests, terrorism and cyberattacks")."""
    words = _folded("protest_words", lang)
    tokens = list(_clause(trigger))
    if trigger.dep_ in ("amod", "compound", "acl"):
        tokens.append(trigger.head)
    head = trigger
    for _ in range(3):
        if any(c.dep_ in _SUBJECTS for c in head.children) or head.head is head \
                or head.dep_ in ("relcl", "ccomp"):
            break
        head = head.head
        tokens += [t for c in head.children if c.dep_ in _SUBJECTS for t in c.subtree]
    return any(fold(t.text) in words or fold(t.lemma_) in words for t in tokens)


@cache
def _folded(section: str, lang: str) -> frozenset[str]:
    """A cues.yaml word list, accent- and case-folded."""
    return frozenset(fold(w) for w in lex("cues.yaml", section, lang))


def _clause(tok: Token) -> Iterator[Token]:
    """The token and what hangs from it, less other clauses: relative and complement
    clauses, and verbs joined to it ("was arrested and encouraged supporters to protest")."""
    yield tok
    for c in tok.children:
        if c.dep_ not in ("relcl", "ccomp", "acl:relcl") and not (
                c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")):
            yield from _clause(c)
