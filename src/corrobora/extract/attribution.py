"""Who a claim is attributed to, and whether it is hedged.

Attribution cues (data/ontology/cues.yaml): a preposition before the source ("according to
Reuters", "según la Fiscalía"), a reporting verb with the source as its subject ("officials
said", "informó la SEDENA", "the attorney for X says"), an outlet that relays the claim
("told CNN", "indicó a Efe", "in an interview with Telecentro"), and a belief held by an
institution ("police believe"). Measured on benchmarks/annotations/ (ATTRIBUTION.md).
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from corrobora.extract._data import find_phrases, fold, lex
from corrobora.extract.nlp import model_lang
from corrobora.model import Attribution

_NAME_ENTS = {"ORG", "PERSON", "PER", "MISC"}
_PLACE_ENTS = {"NORP", "GPE", "LOC"}  # "Mexican officials": a modifier, unless alone
_OUTLET_ENTS = {"ORG", "MISC"}  # who relays a claim: an outlet, not the person told
_CITED = {"cited", "quoted", "citadas", "citados", "citado", "citada"}  # "sources cited by X"
# Clauses inside a subject are not its name: "Officials who spoke with CNN said".
_CLAUSE_DEPS = {"relcl", "acl", "advcl", "ccomp", "parataxis", "acl:relcl"}
_QUOTES = set("\"“”«»")
# Speech verbs whose subject is a source even without a complement clause or a quote;
# others ("coincidir", "admit", "destacar") also have non-reporting senses.
# ("asegurar" is also "to seize" in police reports: it needs its "que" clause.)
_SAYS = {"say", "tell", "state", "report", "announce", "confirm", "decir", "informar",
         "declarar", "afirmar", "senalar", "indicar", "explicar", "precisar",
         "anunciar", "confirmar", "reportar", "agregar", "anadir", "detallar", "comentar",
         "deny", "negar", "desmentir", "document"}
# Objects that carry a claim: "rejected the accusation", "negó la versión".
_CLAIM_NOUNS = {"accusation", "allegation", "claim", "report", "charge", "acusacion", "version",
                "denuncia", "senalamiento"}
# Longest subject phrase searched for a source (tokens); longer ones give the head only.
_MAX_SUBJECT = 24


def _ents_in(doc: Doc, start: int, end: int, labels: set[str] = _NAME_ENTS) -> list[Span]:
    # A CoNLL-style MISC adjective ("Democratic Sen. X", "Mexican officials") is a modifier.
    # The tagger may call it PROPN; the parse still shows it modifying a noun (amod).
    found = [e for e in doc.ents if e.start >= start and e.end <= end and e.label_ in labels
             and not (e.label_ == "MISC" and (e.root.pos_ == "ADJ" or e.root.dep_ == "amod"))]
    return [t for e in found if (t := _unquoted(e)) is not None]


def _unquoted(ent: Span) -> Span | None:
    """The entity without the quotation marks CoNLL-2002 keeps in names ('" Reforma "'):
    a source is the name, not its quotes."""
    s, e = ent.start, ent.end
    while s < e and ent.doc[s].is_quote:
        s += 1
    while e > s and ent.doc[e - 1].is_quote:
        e -= 1
    if (s, e) == (ent.start, ent.end):
        return ent
    return Span(ent.doc, s, e, label=ent.label_) if e > s else None


def _generic_words(lang: str) -> set[str]:
    return {fold(w) for w in lex("cues.yaml", "generic_sources", lang)}


def _generic(tokens: Span, lang: str) -> Token | None:
    """The generic source noun of a phrase: "officials" in "military officials" (whose
    "military" is a generic word too, but a modifier here)."""
    generic = _generic_words(lang)
    found = [t for t in tokens if fold(t.text) in generic or fold(t.lemma_) in generic]
    heads = [t for t in found if t.dep_ not in ("amod", "compound")]
    return (heads or found or [None])[0]


def _noun_phrase(tok: Token, lang: str, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """The noun with its own modifiers ("US law enforcement officials", "la Fiscalía
    estatal", "Zona Militar"), without determiners, clauses or prepositional phrases."""
    hi = len(tok.doc) if hi is None else hi
    lefts = [c.left_edge.i for c in tok.lefts if c.dep_ in ("amod", "compound", "nmod", "flat")
             and c.left_edge.i >= lo and c.pos_ != "DET"]
    right_deps = ("flat", "compound") + (("amod",) if lang != "en" else ())
    rights = [c.right_edge.i for c in tok.rights if c.dep_ in right_deps and c.right_edge.i < hi]
    # Spanish "los empleados del tribunal": a short "de" phrase names whose employees.
    rights += [c.right_edge.i for c in tok.rights if lang != "en" and c.dep_ == "nmod"
               and c.right_edge.i < hi and c.right_edge.i - c.left_edge.i < 4
               and any(fold(k.text) in ("de", "del") for k in c.children if k.dep_ == "case")]
    return min([tok.i, *lefts]), max([tok.i, *rights]) + 1


def _core(tok: Token) -> tuple[int, int]:
    """The contiguous token range of tok's phrase without the clauses inside it."""
    keep: set[int] = set()
    stack = [tok]
    while stack:
        t = stack.pop()
        keep.add(t.i)
        stack.extend(c for c in t.children if c.dep_ not in _CLAUSE_DEPS)
    s = e = tok.i
    while s - 1 in keep:
        s -= 1
    while e + 1 in keep:
        e += 1
    while e > s and tok.doc[e].is_punct:
        e -= 1
    return s, e + 1


def _sources_from(doc: Doc, start: int, end: int, lang: str,
                  head: Token | None = None) -> list[tuple[int, int, str]]:
    """Sources in a phrase: its names; else its generic noun ("officials"); else, when
    `head` is the noun of a reporting verb's subject, that noun ("the attorney", "los
    analistas"); else its places ("Mexico said")."""
    ents = _ents_in(doc, start, end)
    if ents:
        return [(e.start, e.end, e.text) for e in ents]
    tok = head if head is not None and fold(head.lemma_) in _generic_words(lang) else None
    tok = tok or _generic(doc[start:end], lang)
    if tok is None and head is not None and head.pos_ in ("NOUN", "PROPN"):
        tok = head
    if tok is None:
        return [(e.start, e.end, e.text) for e in _ents_in(doc, start, end, _PLACE_ENTS)]
    # "both Mexican officials and US media reports": each generic noun of a coordination.
    generic = _generic_words(lang)
    toks = [tok, *(c for c in tok.conjuncts if start <= c.i < end
                   and (fold(c.text) in generic or fold(c.lemma_) in generic))]
    out = []
    for t in toks:
        named = _apposed_name(doc, t, end)
        s, e = named or _noun_phrase(t, lang, start, end)
        out.append((s, e, doc[s:e].text))
    return out


def _apposed_name(doc: Doc, noun: Token, end: int) -> tuple[int, int] | None:
    """The name right after a common noun, which the name identifies: "el diario Blitz",
    "the newspaper Blitz", "la agencia Efe" (the small NER models often miss such names)."""
    i = noun.i + 1
    while i < end and doc[i].is_alpha and doc[i].text[:1].isupper():
        i += 1
    return (noun.i + 1, i) if i > noun.i + 1 else None


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


def _phrase_head(doc: Doc, start: int, end: int) -> Token | None:
    """The first noun of a phrase after a preposition cue ("according to court filings")."""
    for t in doc[start:end]:
        if t.pos_ in ("NOUN", "PROPN"):
            while t.head.i != t.i and start <= t.head.i < end and t.dep_ in (
                    "compound", "amod", "flat"):
                t = t.head
            return t
    return None


def _subject(tok: Token) -> Token | None:
    """The active subject of a verb, or of the verb it is coordinated with ("sponsored the
    bill and said ...")."""
    v: Token | None = tok
    while v is not None:
        for c in v.children:
            if c.dep_ == "nsubj":
                return c
        v = v.head if v.dep_ == "conj" and v.head.i != v.i else None
    return None


def _impersonal(tok: Token) -> bool:
    """Spanish passive or impersonal "se": "se aseguró el automotor", "como se indica";
    its subject is what was seized or said, not who said it."""
    return any(fold(c.text) == "se" and c.i < tok.i for c in tok.children)


def _speech_like(tok: Token) -> bool:
    """Does the verb report a claim: `say`/`decir`, or a complement clause, or a quote?"""
    if _impersonal(tok):
        return False
    if fold(tok.lemma_) in _SAYS:
        return True
    for c in tok.children:
        if c.dep_ in ("ccomp", "parataxis") or (c.dep_ == "xcomp" and c.pos_ == "VERB"):
            return True
        # "según resaltó X", "as X said"
        if c.dep_ == "mark" and fold(c.text) in ("segun", "como", "as"):
            return True
        if c.dep_ in ("dobj", "obj") and fold(c.lemma_) in _CLAIM_NOUNS:
            return True
    return any(t.text in _QUOTES for t in tok.sent)


def _relays(doc: Doc, tok: Token, relay: bool, lang: str) -> list[Span]:
    """Outlets a reporting verb passes the claim through: "told the AFP news agency",
    "indicó a Efe". The person told is an audience, not a source."""
    out: list[Span] = []
    for child in tok.children:
        target = child
        if child.dep_ == "prep" and fold(child.text) == "to":
            target = next((c for c in child.children if c.dep_ == "pobj"), child)
        elif child.dep_ in ("obj", "iobj", "obl") and lang != "en":
            if not any(fold(c.text) == "a" and c.dep_ == "case" for c in child.children):
                continue
        elif not (relay and child.dep_ in ("dobj", "dative", "obj", "iobj")):
            continue
        s, e = target.left_edge.i, target.right_edge.i + 1
        if e - s <= 8:
            out += _ents_in(doc, s, e, _OUTLET_ENTS)
    return out


def attributions(doc: Doc, lang: str) -> list[Attribution]:
    lang = model_lang(lang)
    cues = lex("cues.yaml", "attribution", lang)
    generic = _generic_words(lang)
    out: list[Attribution] = []
    seen: set[tuple[int, int]] = set()

    def add(s: int, e: int, text: str, cue: str, cue_start: int) -> None:
        if (s, e) in seen or e <= s:
            return
        seen.add((s, e))
        # The span covers the cue when it is next to the source ("Reuters said"); a distant
        # cue would swallow the words between, and the actors among them.
        if (cue_start < s and s - cue_start <= 3) or e <= cue_start <= e + 2:
            a, b = min(s, cue_start), max(e, cue_start + 1)
        else:
            a, b = s, e
        out.append(Attribution(doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text),
                               doc[a:b].text, text, cue))

    # "according to X", "según X": the phrase after the cue.
    for cs, ce, cue in find_phrases(doc, cues["preceding"]):
        end = _source_phrase_end(doc, ce)
        for s, e, text in _sources_from(doc, ce, end, lang, _phrase_head(doc, ce, end)):
            add(s, e, text, cue, cs)
    # "told CNN", "in an interview with Telecentro": outlets after a relay phrase.
    for cs, ce, cue in find_phrases(doc, cues.get("relay_phrases", [])):
        end = min(_source_phrase_end(doc, ce), ce + 8)
        for ent in _ents_in(doc, ce, end, _OUTLET_ENTS):
            add(ent.start, ent.end, ent.text, cue, cs)
    # "X said", "said X", "informó la SEDENA", "X told CNN".
    verbs = {fold(v) for v in cues["verbs"]}
    relay = {fold(v) for v in cues["relay_verbs"]}
    belief = {fold(v) for v in cues.get("belief_verbs", [])}
    for tok in doc:
        lemma = fold(tok.lemma_)
        if tok.pos_ != "VERB" and not (tok.pos_ == "AUX" and lemma in verbs):
            continue
        if lemma in belief:
            for s, e, text in _believers(doc, tok, lang, generic):
                add(s, e, text, tok.lemma_, tok.i)
            continue
        if lemma not in verbs:
            continue
        subj = _subject(tok)
        if subj is not None and subj.pos_ != "PRON" and _speech_like(tok):
            s, e = _core(subj)
            if e - s > _MAX_SUBJECT:
                s, e = _noun_phrase(subj, lang)
            for a, b, text in _sources_from(doc, s, e, lang, subj):
                add(a, b, text, tok.lemma_, tok.i)
        for ent in _relays(doc, tok, lemma in relay, lang):
            add(ent.start, ent.end, ent.text, tok.lemma_, tok.i)
        # English "..., the US Department of Justice said." where the parser hung the source
        # on the clause before it: the named entity right before the verb is its subject.
        if lang == "en" and subj is None:
            for ent in doc.ents:
                if ent.label_ in ("ORG", "PERSON", "PER", "GPE", "LOC") and ent.end == tok.i:
                    add(ent.start, ent.end, ent.text, tok.lemma_, tok.i)
        # Spanish inverted order with a misparsed subject: "informó la SEDENA".
        if lang == "es" and subj is None:
            for ent in doc.ents:
                if ent.label_ in ("ORG", "PER") and 0 < ent.start - tok.i <= 2:
                    add(ent.start, ent.end, ent.text, tok.lemma_, tok.i)
    out.sort(key=lambda a: a.start)
    return out


def _believers(doc: Doc, tok: Token, lang: str, generic: set[str]
               ) -> list[tuple[int, int, str]]:
    """The holder of a belief about a claim, when it is an institution or a generic source
    ("police believe", "Estados Unidos cree que"): a person's belief is part of the story
    ("Zambada believed they were inspecting property"), not a source."""
    # Its own subject and clause: not "..., thought to be civilians" (a reduced passive).
    subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
    if subj is None or tok.tag_ == "VBN" or \
            not any(c.dep_ in ("ccomp", "xcomp") for c in tok.children):
        return []
    if fold(subj.text) in generic or fold(subj.lemma_) in generic:
        s, e = _noun_phrase(subj, lang)
        return [(s, e, doc[s:e].text)]
    s, e = _core(subj)
    return [(x.start, x.end, x.text) for x in _ents_in(doc, s, e, {"ORG", "GPE", "LOC"})]


def _main_clause(tok: Token, trigger: tuple[int, int] | None) -> bool:
    """Does a hedge word bear on the main claim: is it in the main clause (or in a clause
    reported by it, "said the gunmen allegedly killed"), or in the event trigger's clause?
    Not when it sits in a relative, adverbial or prepositional clause ("face charges for
    allegedly leading", "escaped, reportedly by bribing guards", "one of which is said to")."""
    t = tok
    for _ in range(len(tok.doc)):
        if trigger is not None and trigger[0] <= t.idx < trigger[1]:
            return True
        if t.dep_ in ("ROOT", "root") or t.head.i == t.i:
            return True
        if t.dep_ in ("relcl", "acl", "advcl", "pcomp", "pobj", "prep", "appos", "amod",
                      "nmod", "obl", "csubj", "acl:relcl", "case") and t is not tok:
            return False
        if t is tok and t.dep_ in ("relcl", "acl", "advcl", "pcomp", "appos", "amod"):
            return False
        t = t.head
    return True


def _counterfactual(tok: Token) -> bool:
    """Is the cue's clause the consequence of an "if" clause ("si se hubiese hecho, habría
    sido incorrecto")? Then its conditional is hypothetical, not hearsay."""
    head = tok.head if tok.dep_ not in ("ROOT", "root") else tok
    return any(fold(m.text) in ("si", "if") for c in head.children if c.dep_ == "advcl"
               for m in c.children if m.dep_ == "mark")


def _hearsay_sources(span: Span, lang: str) -> list[str]:
    """Unnamed sources a claim rests on ("a law enforcement source familiar with the
    investigation said", "informed sources told ANSA", "según fuentes"): a hedge, as the
    grading reads it. Not official ones ("fuente oficial", like "officials said") nor an
    anaphoric "the source", which refers to a source named before."""
    words = {"source", "sources", "fuente", "fuentes"}
    official = {"official", "officials", "oficial", "oficiales", "gubernamental"}
    definite = {"the", "this", "that", "el", "la", "los", "las", "esa", "esta", "dicha"}
    found = []
    for t in span:
        if fold(t.text) not in words or t.pos_ not in ("NOUN", "PROPN"):
            continue
        kids = {fold(c.text) for c in t.children}
        if kids & official or kids & definite:
            continue
        if t.dep_ == "nsubj" or (t.dep_ in ("pobj", "obl", "nmod") and t.i > span.start
                                 and fold(t.head.text) in ("to", "segun", "con")):
            found.append(t.text)
    return found


def hedge_cues(sentence_span: tuple[int, int], doc: Doc, lang: str,
               trigger: tuple[int, int] | None = None) -> list[str]:
    """The hedging cues found in a sentence (char offsets), for explanation."""
    lang = model_lang(lang)
    span = doc.char_span(*sentence_span, alignment_mode="expand")
    if span is None:
        return []
    h = lex("cues.yaml", "hedges", lang)
    found = [p for _, _, p in find_phrases(span, h["hearsay"])]
    # "May" the month and "Puede" a name are not modals.
    found += [p for s, _, p in find_phrases(span, h["clause"])
              if doc[s].pos_ not in ("PROPN", "NOUN", "NUM") and _main_clause(doc[s], trigger)
              and not _counterfactual(doc[s])]
    found += _hearsay_sources(span, lang)
    # Spanish conditional perfect: "habría muerto", "habrían participado"; not the
    # counterfactual of a "si" clause ("si se hubiese hecho, habría sido incorrecto").
    for t in span:
        if fold(t.lemma_) == "haber" and "Cnd" in t.morph.get("Mood") and t.i + 1 < len(doc) \
                and "Part" in doc[t.i + 1].morph.get("VerbForm") and _main_clause(t, trigger) \
                and not _counterfactual(t):
            found.append(f"{t.text} {doc[t.i + 1].text}")
    # A belief held by a source ("police believe", "Estados Unidos cree que").
    belief = {fold(v) for v in lex("cues.yaml", "attribution", lang).get("belief_verbs", [])}
    generic = _generic_words(lang)
    for t in span:
        if t.pos_ == "VERB" and fold(t.lemma_) in belief and _main_clause(t, trigger) \
                and _believers(doc, t, lang, generic):
            found.append(t.text)
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
    """Is the claim of the sentence hedged? Clause-level cues in the main clause
    (reportedly, presuntamente, habría + participle, may have, podría), unnamed sources and
    an institution's belief hedge it; an adjective such as "presuntos" hedges only its noun,
    so it counts only when that noun is the event `trigger`."""
    return bool(hedge_cues(sentence_span, doc, lang, trigger))


_ARTICLES = {"the", "el", "la", "los", "las", "his", "her", "their", "its", "su", "sus"}


def is_generic_source(name: str) -> bool:
    """Whether a source names nobody in particular: "officials", "Mexican authorities",
    "las autoridades mexicanas", "witnesses" (a generic source noun heads a short phrase),
    as opposed to "Reuters" or "the US Department of Justice"."""
    words = [w for w in fold(name).replace("'s", "").split() if w not in _ARTICLES]
    if not words or len(words) > 3:
        return False
    generic = _generic_words("en") | _generic_words("es")
    # English puts the head noun last ("state officials"), Spanish first ("fuentes oficiales").
    return words[-1] in generic or words[0] in generic
