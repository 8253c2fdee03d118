"""Who a claim is attributed to, and whether it is hedged.

Attribution cues (data/ontology/cues.yaml): a preposition before the source ("according
to Reuters", "según la Fiscalía") or a reporting verb with the source as its subject
("officials said", "informó la SEDENA", "X told CNN", where CNN is a source too).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from corrobora.extract._data import find_phrases, fold, lex
from corrobora.extract.nlp import model_lang
from corrobora.model import Attribution

_NAME_ENTS = {"ORG", "PERSON", "PER", "MISC"}
_PLACE_ENTS = {"NORP", "GPE", "LOC"}  # "Mexican officials": a modifier, unless alone
_CITED = {"cited", "quoted", "citadas", "citados", "citado", "citada"}  # "sources cited by X"


def _ents_in(doc: Doc, start: int, end: int, labels: set[str] = _NAME_ENTS) -> list[Span]:
    return [e for e in doc.ents if e.start >= start and e.end <= end and e.label_ in labels]


def _generic(tokens: Span, lang: str) -> Token | None:
    generic = {fold(w) for w in lex("cues.yaml", "generic_sources", lang)}
    for t in tokens:
        if fold(t.text) in generic or fold(t.lemma_) in generic:
            return t
    return None


def _source_phrase_end(doc: Doc, start: int) -> int:
    """The end of a source phrase after a cue: up to a comma, clause or sentence end."""
    sent_end = doc[start].sent.end if start < len(doc) else len(doc)
    i = start
    while i < sent_end and i - start < 14:
        t = doc[i]
        verb = t.pos_ in ("VERB", "AUX") and t.tag_ != "VBN" and fold(t.text) not in _CITED
        if t.text in (",", ";", ":", ".", "(", ")") or verb:
            break
        i += 1
    return i


def _sources_from(doc: Doc, start: int, end: int, lang: str) -> list[tuple[int, int, str]]:
    ents = _ents_in(doc, start, end)
    if ents:
        return [(e.start, e.end, e.text) for e in ents]
    tok = _generic(doc[start:end], lang)
    if tok is None:
        return [(e.start, e.end, e.text) for e in _ents_in(doc, start, end, _PLACE_ENTS)]
    # Keep the noun's own modifiers ("Mexican officials", "la Fiscalía estatal").
    left = min([tok.i] + [c.i for c in tok.lefts if c.dep_ in ("amod", "compound", "nmod")
                          and c.i >= start])
    right = max([tok.i] + [c.i for c in tok.rights if c.dep_ in ("amod", "flat", "compound")
                           and c.i < end])
    return [(left, right + 1, doc[left:right + 1].text)]


def attributions(doc: Doc, lang: str) -> list[Attribution]:
    lang = model_lang(lang)
    cues = lex("cues.yaml", "attribution", lang)
    out: list[Attribution] = []
    seen: set[tuple[int, int]] = set()

    def add(s: int, e: int, text: str, cue: str, cue_start: int) -> None:
        if (s, e) in seen:
            return
        seen.add((s, e))
        a, b = min(s, cue_start), max(e, cue_start + 1)
        out.append(Attribution(doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text),
                               doc[a:b].text, text, cue))

    # "according to X", "según X": the phrase after the cue.
    for cs, ce, cue in find_phrases(doc, cues["preceding"]):
        end = _source_phrase_end(doc, ce)
        for s, e, text in _sources_from(doc, ce, end, lang):
            add(s, e, text, cue, cs)
    # "X said", "said X", "informó la SEDENA", "X told CNN".
    verbs = {fold(v) for v in cues["verbs"]}
    relay = {fold(v) for v in cues["relay_verbs"]}
    for tok in doc:
        if tok.pos_ not in ("VERB", "AUX") or fold(tok.lemma_) not in verbs:
            continue
        for child in tok.children:
            if child.dep_ in ("nsubj", "nsubjpass") or (child.dep_ == "dative" and
                                                        fold(tok.lemma_) in relay):
                sub = list(child.subtree)
                s, e = sub[0].i, sub[-1].i + 1
                if e - s > 12:
                    continue
                for a, b, text in _sources_from(doc, s, e, lang):
                    add(a, b, text, tok.lemma_, tok.i)
        if fold(tok.lemma_) in relay:
            for child in tok.children:
                if child.dep_ in ("dobj", "obj", "iobj", "dative", "obl") and \
                        child.ent_type_ in ("ORG", "PER", "PERSON"):
                    ent = next(e for e in doc.ents if e.start <= child.i < e.end)
                    add(ent.start, ent.end, ent.text, tok.lemma_, tok.i)
        # English "..., the US Department of Justice said." where the parser hung the source
        # on the clause before it: the named entity right before the verb is its subject.
        if lang == "en" and not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
            for ent in doc.ents:
                if ent.label_ in ("ORG", "PERSON", "GPE") and ent.end == tok.i:
                    add(ent.start, ent.end, ent.text, tok.lemma_, tok.i)
        # Spanish inverted order with a misparsed subject: "informó la SEDENA".
        if lang == "es" and not any(c.dep_ == "nsubj" for c in tok.children):
            for ent in doc.ents:
                if ent.label_ in ("ORG", "PER") and 0 < ent.start - tok.i <= 2:
                    add(ent.start, ent.end, ent.text, tok.lemma_, tok.i)
    out.sort(key=lambda a: a.start)
    return out


def hedge_cues(sentence_span: tuple[int, int], doc: Doc, lang: str,
               trigger: tuple[int, int] | None = None) -> list[str]:
    """The hedging cues found in a sentence (char offsets), for explanation."""
    lang = model_lang(lang)
    span = doc.char_span(*sentence_span, alignment_mode="expand")
    if span is None:
        return []
    h = lex("cues.yaml", "hedges", lang)
    found = [p for _, _, p in find_phrases(span, list(h["clause"]) + list(h["hearsay"]))]
    # Spanish conditional perfect: "habría muerto", "habrían participado".
    for t in span:
        if fold(t.lemma_) == "haber" and "Cnd" in t.morph.get("Mood") and t.i + 1 < len(doc) \
                and "Part" in doc[t.i + 1].morph.get("VerbForm"):
            found.append(f"{t.text} {doc[t.i + 1].text}")
    # Adjectives hedge only the noun they modify: the event when it is the trigger.
    if trigger is not None:
        mods = {fold(w) for w in h["modifier"]}
        for t in span:
            if fold(t.text) in mods and t.dep_ in ("amod", "acomp") and \
                    trigger[0] <= t.head.idx < trigger[1]:
                found.append(t.text)
    return found


def is_hedged(sentence_span: tuple[int, int], doc: Doc, lang: str,
              trigger: tuple[int, int] | None = None) -> bool:
    """Is the claim of the sentence hedged? Clause-level cues (reportedly, presuntamente,
    habría + participle, second-hand sourcing) hedge it; an adjective such as "presuntos"
    hedges only its noun, so it counts only when that noun is the event `trigger`."""
    return bool(hedge_cues(sentence_span, doc, lang, trigger))
