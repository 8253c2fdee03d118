"""Named entities as CoNLL labels (PER, ORG, LOC, MISC), with cheap fixes on top of spaCy.

Fixes: spans trimmed of stray whitespace and punctuation (and a leading "the", as CoNLL
does); names in the actor registry get its label and `actor_id` (the registry knows
"El Mencho" is a person and "CJNG" an organisation); Mexican state names become LOC (the
small models tag "Tamaulipas" as a person); LOC spans joining two states ("Michoacán y
Tamaulipas") are split.

Spanish and English entities come from NERs trained on CoNLL-2002 and CoNLL-2003
(`nlp.NER_MODELS`), which already follow the CoNLL conventions, so for them the rules written
against the stock small models are narrower. English: only line breaks, spaces and stray
punctuation are trimmed (`_trim_conll_en`). Spanish (measured on esp.testa): no dateline
relabelling; edge-token trimming keeps capitalised words inside a sentence ("Enron" tagged
VERB), all-capital words and sentence-initial name particles ("De la Serna", "La Coruña");
quotes the model puts around a name stay, as in CoNLL (`" Reforma "`); a state name inside
a longer PER/MISC name ("Emilio Guerrero") does not make it a LOC. The registry and the
state list still apply (on esp.testa they cost or gain at most one entity; they carry
`actor_id` and Mexican states). In both, a surname alone is a person once the document named
the person in full (eng.testa +0.007).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from corrobora.extract._data import fold, load_yaml
from corrobora.extract.actors import ActorRegistry
from corrobora.extract.nlp import NER_MODELS, load_pipeline, model_lang
from corrobora.model import Entity

EN_MAP = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
          "NORP": "MISC", "EVENT": "MISC", "LAW": "MISC", "LANGUAGE": "MISC",
          "PRODUCT": "MISC", "WORK_OF_ART": "MISC"}
CONLL = {"PER", "ORG", "LOC", "MISC"}
_STRIP = " \t\n\r\xa0()[]{},;:\"'“”‘’«»-–—"
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_LEADING_ES = re.compile(r"^(?:el|la|los|las)\s+")  # lower-case: an article, not a name


def _conll(label: str) -> str | None:
    return label if label in CONLL else EN_MAP.get(label)


@cache
def _matchers(lang: str) -> tuple[PhraseMatcher, PhraseMatcher, dict[str, str]]:
    """Matchers for registry aliases and for Mexican states, built on the language's tokenizer."""
    nlp = load_pipeline(lang)
    reg = ActorRegistry.load()
    alias_m = PhraseMatcher(nlp.vocab, attr="LOWER")
    key_to_id: dict[str, str] = {}
    for alias, actor_id in reg.alias_strings():
        for variant in {alias, fold(alias) if not alias.isupper() else alias}:
            key = f"A|{actor_id}"
            key_to_id[key] = actor_id
            alias_m.add(key, [nlp.make_doc(variant)])
    state_m = PhraseMatcher(nlp.vocab, attr="LOWER")
    for st in load_yaml("lexicon.yaml")["mx_states"]:
        state_m.add("STATE", [nlp.make_doc(st), nlp.make_doc(fold(st))])
    return alias_m, state_m, key_to_id


def _trim(text: str, start: int, end: int, lang: str) -> tuple[int, int]:
    # An entity never crosses a line break (headings, list items, page chrome).
    nl = text.find("\n", start, end)
    if nl != -1:
        end = nl
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    if model_lang(lang) == "en":
        m = _LEADING.match(text[start:end])
        if m and end - start > m.end():
            start += m.end()
    m = _LEADING_ES.match(text[start:end])
    if m and end - start > m.end():
        start += m.end()
    return start, end


_EDGE_POS = {"VERB", "AUX", "ADV", "SCONJ", "CCONJ", "PRON", "INTJ", "PUNCT"}


_NAME_PARTICLES = {"de", "del", "la", "las", "el", "los"}  # "De la Serna", "La Coruña"


def _trim_tokens(span: Span, trained: bool = False) -> Span | None:
    """Drop edge tokens no name starts or ends with: sentence-initial verbs and adverbs the
    small models take for names ("Según Viana Baptista", "Asistirán").

    `trained`: the span comes from a CoNLL-trained NER. Then a capitalised token inside a
    sentence is kept whatever its POS (the tagger reads "Enron" as a verb), and so is a
    sentence-initial name particle."""
    s, e = span.start, span.end
    doc = span.doc

    def edge(tok: Token) -> bool:
        if trained and tok.text.isupper() and len(tok.text) > 1:
            return False  # "EU", "PERU": an acronym or a headline word, not a verb
        if tok.pos_ in _EDGE_POS:
            return not trained or tok.is_sent_start or not tok.text[:1].isupper()
        if tok.pos_ in ("ADP", "DET") and tok.is_sent_start:
            return not trained or tok.lower_ not in _NAME_PARTICLES
        return False

    while s < e and edge(doc[s]):
        s += 1
    while e > s and doc[e - 1].pos_ in _EDGE_POS - {"PUNCT"} and (
            not trained or not doc[e - 1].text[:1].isupper()):
        e -= 1
    return doc[s:e] if s < e else None


def _trim_conll_en(text: str, start: int, end: int) -> tuple[int, int]:
    """Edges of a span from the English CoNLL-2003 NER, which already follows CoNLL: only
    line breaks, spaces and stray punctuation go. Its "The Hague", "Ohio-based" and
    "Mladost ( L )" stay whole (measured on eng.testa, the generic trimming of the stock
    model's spans cost 0.3 F1 points here)."""
    nl = text.find("\n", start, end)
    if nl != -1:
        end = nl
    while start < end and text[start] in _STRIP and text[start] not in "(\"'“‘":
        start += 1
    while end > start and text[end - 1] in _STRIP:
        span = text[start:end]
        if text[end - 1] == ")" and span.count("(") >= span.count(")"):
            break
        if text[end - 1] in "\"'”’" and span.count(text[end - 1]) > 1:
            break
        end -= 1
    return start, end


_COORD = re.compile(r"^\s*(?:and|or)\s*$")


def _coordinated_places(text: str, ents: list[Entity]) -> list[Entity]:
    """A one-word PER (no registry id) coordinated with places is a place: "Airports in Puerto
    Vallarta and Guadalajara" (the English model reads "Guadalajara experienced" as a person)."""
    res = list(ents)
    for i, x in enumerate(res):
        if x.label != "PER" or x.actor_id or " " in x.text:
            continue
        near = [res[j] for j in (i - 1, i + 1) if 0 <= j < len(res)]
        if any(n.label == "LOC" and _COORD.match(text[min(n.end, x.end):max(n.start, x.start)])
               for n in near):
            res[i] = Entity(x.start, x.end, x.text, "LOC", x.fine_label, x.actor_id)
    return res


def _surnames_are_people(ents: list[Entity]) -> list[Entity]:
    """A surname alone is a person once the document named the person in full ("Phil
    Simmons took four wickets ... Simmons"): the model, seeing the surname without a first
    name, often calls it an organisation or a place. Registry names keep their label."""
    surnames = {x.text.split()[-1] for x in ents if x.label == "PER" and " " in x.text}
    return [replace(x, label="PER") if x.text in surnames and x.label != "PER"
            and not x.actor_id else x for x in ents]


def _dateline(span: Span) -> bool:
    """An all-capitals place name opening a line before a comma: "MADRID, 21 may (EFE)"."""
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    return (span.text.isupper() and len(span.text) > 2 and span[0].is_sent_start
            and nxt is not None and nxt.text == ",")


_OPEN_Q, _CLOSE_Q = "\"“«'‘", "\"”»'’"


def _requote(text: str, ent: Span, s: int, e: int) -> tuple[int, int]:
    """Give back the quotes a CoNLL-trained NER put around a name (CoNLL includes them:
    `" El País "`), when only they and spaces were trimmed off."""
    a, b = ent.start_char, ent.end_char
    if (e - s < b - a - 1 and a <= s and e <= b and text[a] in _OPEN_Q
            and text[b - 1] in _CLOSE_Q and not text[a + 1:s].strip()
            and not text[e:b - 1].strip()):
        return a, b
    return s, e


def _outside(text: str, s: int, e: int, inside: list[tuple[int, int]]) -> str:
    """What text[s:e] holds besides the `inside` spans and connectors ("y", ",")."""
    chars = [c if all(not a <= s + i < b for a, b in inside) else " "
             for i, c in enumerate(text[s:e])]
    words = "".join(chars).replace(",", " ").split()
    return " ".join(w for w in words if w.lower() not in ("y", "e", "and", "/", "-"))


def entities(doc: Doc, lang: str) -> list[Entity]:
    """CoNLL-labelled entities of a parsed document, char offsets into `doc.text`."""
    lang = model_lang(lang)
    trained = lang in NER_MODELS  # entities from a CoNLL-trained NER, not the stock model
    reg = ActorRegistry.load()
    alias_m, state_m, key_to_id = _matchers(lang)
    text = doc.text

    # Registry aliases: proper names only (some capital letter in the text), exact case
    # for acronyms ("CDS", "GN" must not fire on ordinary words).
    forced: list[tuple[int, int, str, str | None, str]] = []  # start, end, label, id, fine
    spans = []
    for key, s, e in alias_m(doc):
        span = doc[s:e]
        actor_id = key_to_id[doc.vocab.strings[key]]
        if not any(c.isupper() for c in span.text):
            continue
        actor = reg.get(actor_id)
        if actor is None:
            continue
        if len(span.text) < 6 and not any(span.text == a for a in actor.aliases):
            continue
        s0, e0 = _trim(text, span.start_char, span.end_char, "es")
        spans.append((s0, e0, actor.ner_label, actor_id))
    # Longest first, no overlaps.
    spans.sort(key=lambda x: (x[0] - x[1], x[0]))
    taken: list[tuple[int, int]] = []
    for s, e, lab, aid in spans:
        if all(e <= ts or s >= te for ts, te in taken):
            taken.append((s, e))
            forced.append((s, e, lab, aid, "REGISTRY"))

    states = []
    for _, s, e in state_m(doc):
        span = doc[s:e]
        if span.text[:1].isupper():
            states.append((span.start_char, span.end_char))

    out: list[Entity] = []
    for ent0 in doc.ents:
        label = _conll(ent0.label_)
        conll_en = trained and lang == "en"
        ent = ent0 if conll_en else _trim_tokens(ent0, trained) if label else None
        if label is None or ent is None:
            continue
        if not trained and _dateline(ent):
            label = "LOC"
        if conll_en:
            s, e = _trim_conll_en(text, ent.start_char, ent.end_char)
        else:
            s, e = _trim(text, ent.start_char, ent.end_char, lang)
        if s >= e:
            continue
        # A registry span overlapping this entity decides it.
        over = [f for f in forced if f[0] < e and s < f[1]]
        if over:
            f = over[0]
            if f[0] <= s and e <= f[1]:
                continue  # the registry span covers it; added below
            if s <= f[0] and f[1] <= e and len(over) == 1:
                # The model's span is longer ("the Jalisco New Generation Cartel"): keep it
                # when what remains is only an article or acronym, else trust the registry.
                rest = (text[s:f[0]] + text[f[1]:e]).strip(_STRIP)
                if not rest or rest.lower() in ("the", "el", "la", "los"):
                    continue
            continue
        actor = reg.match(text[s:e]) if label in ("PER", "ORG", "MISC") else None
        # States: the model's own label loses to the state list unless part of an ORG.
        in_state = [(a, b) for a, b in states if a < e and s < b]
        if trained and in_state and label != "LOC" and _outside(text, s, e, in_state):
            in_state = []  # a name holding a state's ("Emilio Guerrero"): the model decides
        if in_state and label != "ORG" and actor is None:
            if len(in_state) > 1 or not (in_state[0][0] <= s and e <= in_state[0][1]):
                # "Michoacán y Tamaulipas" as one span: one LOC per state.
                for a, b in in_state:
                    out.append(Entity(a, b, text[a:b], "LOC", ent0.label_))
                continue
            label = "LOC"
        if trained:
            s, e = _requote(text, ent0, s, e)
        out.append(Entity(s, e, text[s:e], actor.ner_label if actor else label, ent0.label_,
                          actor.actor_id if actor else None))
    for s, e, lab, aid, fine in forced:
        out.append(Entity(s, e, text[s:e], lab, fine, aid))
    # States the model missed entirely.
    for a, b in states:
        if all(b <= x.start or a >= x.end for x in out):
            out.append(Entity(a, b, text[a:b], "LOC", "MX_STATE"))
    out.sort(key=lambda x: (x.start, -x.end))
    if trained:
        out = _surnames_are_people(out)
    if trained and lang == "en":
        out = _coordinated_places(text, out)
    dedup: list[Entity] = []
    for ent_ in out:
        if dedup and ent_.start < dedup[-1].end:
            continue
        dedup.append(ent_)
    return dedup


def relabel_containers(ents: list[Entity], text: str,
                       is_region: Callable[[str], bool]) -> list[Entity]:
    """A state or country named right after a place ("Culiacán, Sinaloa", "Uruapan,
    Michoacán") is a place, whatever label the NER model gave it: models trained on Reuters
    news call Mexican states organisations or persons."""
    out = list(ents)
    for i in range(1, len(out)):
        prev, e = out[i - 1], out[i]
        if (e.label in ("ORG", "PER") and prev.label == "LOC" and not e.actor_id
                and text[prev.end:e.start].strip() == "," and is_region(e.text)):
            out[i] = replace(e, label="LOC")
    return out


def toponym_spans(ents: list[Entity]) -> list[tuple[int, int]]:
    """The LOC spans that name places: not inside an organisation's or person's name
    ("Jalisco" in "Jalisco New Generation Cartel", "Sinaloa" in "Cártel de Sinaloa")."""
    others = [(x.start, x.end) for x in ents if x.label != "LOC"]
    return [(x.start, x.end) for x in ents if x.label == "LOC"
            and all(x.end <= s or x.start >= e for s, e in others)]
