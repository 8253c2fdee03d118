"""Counts of people killed, injured, arrested or abducted, as ranges.

A count is a number (digits or words, "a dozen", "entre 5 y 7") with an optional modifier
("at least" → open max). Its kind comes from the words around it: the participle or noun
right after ("dos policías muertos", "seis detenidos"), or the verb that governs it
("killing three", "murieron 4 personas", "12 people were killed").
"""

from __future__ import annotations

import re
from functools import cache

from spacy.tokens import Doc, Token

from corrobora.extract._data import find_phrases, fold, lex
from corrobora.extract.nlp import model_lang
from corrobora.extract.sentences import sentence_end, sentence_start
from corrobora.model import NumberMention

KINDS = ("fatalities", "injured", "arrested", "abducted")
_SKIP_ENTS = {"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "QUANTITY"}
_WINDOW = 4  # tokens after a count where its kind may appear


# spaCy tags "between 5 and 7" as DATE; bare numbers like it are counts, not dates.
_BARE = re.compile(r"^(?:between\s+)?\d{1,3}(?:\s+(?:and|to|or|-)\s+\d{1,3})?$", re.I)


def _entity_texts(doc: Doc) -> dict[int, str]:
    """The text of the entity each entity token is in (one pass: a scan of every entity per
    number was quadratic)."""
    return {i: ent.text for ent in doc.ents for i in range(ent.start, ent.end)}


@cache
def _table(lang: str, section: str) -> dict[str, int]:
    """A number-word table of the lexicon with accent-folded keys."""
    return {fold(k): int(v) for k, v in lex("lexicon.yaml", "numbers", lang)[section].items()}


def _numword(tok: Token, lang: str) -> int | None:
    t = fold(tok.text)
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})*|\d+", tok.text):
        return int(re.sub(r"[,.]", "", tok.text))
    units = _table(lang, "units")
    if t in units:
        return int(units[t])
    if "-" in t:  # "twenty-five" as one token
        parts = t.split("-")
        if all(p in units for p in parts):
            return sum(int(units[p]) for p in parts)
    return None


def _parse_count(doc: Doc, i: int, lang: str) -> tuple[int, int, int, bool] | None:
    """(start, end, value, open) of the number phrase at token i, or None."""
    opens, mults = _table(lang, "open"), _table(lang, "multipliers")
    t = fold(doc[i].text)
    if t in opens:
        return i, i + 1, int(opens[t]), True
    v = _numword(doc[i], lang)
    if v is None:
        return None
    j = i + 1
    total = v
    while j < len(doc):
        w = fold(doc[j].text)
        if w in ("-", "and", "y") and j + 1 < len(doc) and _numword(doc[j + 1], lang) is not None \
                and total >= 20 and total % 10 == 0 and _numword(doc[j + 1], lang) < 10:  # type: ignore[operator]
            total += _numword(doc[j + 1], lang)  # type: ignore[operator]
            j += 2
            continue
        if w in mults:
            total *= int(mults[w])
            j += 1
            continue
        nv = _numword(doc[j], lang)
        if nv is not None and total >= 20 and total % 10 == 0 and nv < 10 and doc[j].is_alpha:
            total += nv
            j += 1
            continue
        break
    return i, j, total, False


def _kind_at(doc: Doc, start: int, end: int, kinds: dict[str, list[str]]) -> str | None:
    """The kind of a phrase matching at token `start` (and ending before `end`)."""
    for kind, words in kinds.items():
        if any(s == start for s, _, _ in find_phrases(doc[start:end], words)):
            return kind
    return None


def _kind(doc: Doc, s: int, e: int, lang: str) -> str | None:
    kinds = lex("lexicon.yaml", "count_kinds", lang)
    people = {fold(w) for w in lex("lexicon.yaml", "people_nouns", lang)}
    sent_end = sentence_end(doc, s)
    # 1. Right after the count, skipping people nouns and auxiliaries ("12 people were killed").
    j = e
    steps = 0
    while j < sent_end and steps < _WINDOW:
        tok = doc[j]
        k = _kind_at(doc, j, min(j + 4, sent_end), kinds)
        if k:
            return k
        if tok.is_punct and tok.text not in ("-",):
            break
        # "decenas de lesionados", "dozens of wounded": the kind follows a partitive.
        between = (fold(tok.text) in people or fold(tok.text) in ("de", "of")
                   or tok.pos_ in ("AUX", "ADV", "ADJ", "DET", "PART", "NOUN", "PROPN")
                   or tok.lemma_ in ("be", "have", "ser", "estar", "haber", "resultar",
                                     "quedar", "leave", "dejar"))
        if not between:
            break
        j += 1
        steps += 1
    # 2. The verb governing the count or its noun ("killing three", "murieron 4 personas").
    head = doc[s]
    for _ in range(3):
        head = head.head
        if head.pos_ in ("VERB", "AUX") or head.i == head.head.i:
            k = _kind_at(doc, head.i, head.i + 1, kinds)
            if k:
                return k
            break
    # 3. A count right after a kind word ("killed 12", "dejó sin vida a tres").
    for back in range(1, 3):
        if s - back >= sentence_start(doc, s):
            k = _kind_at(doc, s - back, s, kinds)
            if k:
                return k
    return None


_YEAR = re.compile(r"^(?:1[5-9]|20)\d\d$")


def _is_year(doc: Doc, i: int) -> bool:
    """A bare four-digit number from 1500 to 2099 not followed by a noun it counts is a year
    ("died in 1981 and her mother in 2008"), not a count: the small NER models of CoNLL tag
    no dates."""
    if not _YEAR.match(doc[i].text):
        return False
    nxt = doc[i + 1] if i + 1 < len(doc) else None
    return nxt is None or nxt.pos_ not in ("NOUN", "PROPN", "ADJ")


def casualties(doc: Doc, lang: str) -> list[NumberMention]:
    """Counts of people killed, injured, arrested or abducted, in text order."""
    lang = model_lang(lang)
    mods = lex("lexicon.yaml", "count_modifiers", lang)
    out: list[NumberMention] = []
    ent_text = _entity_texts(doc)
    i = 0
    n = len(doc)
    while i < n:
        tok = doc[i]
        skipped_entity = tok.ent_type_ in _SKIP_ENTS and not _BARE.match(
            ent_text.get(i, tok.text))
        not_count = skipped_entity or _is_year(doc, i)
        if not_count or (i + 1 < n and doc[i + 1].text in ("%", "-year", "años")):
            i += 1
            continue
        parsed = _parse_count(doc, i, lang)
        if parsed is None:
            i += 1
            continue
        s, e, value, open_ = parsed
        lo, hi = value, (None if open_ else value)
        # Articles "un/una/a/one" count only right before a kind word ("un muerto").
        if fold(tok.text) in ("un", "una") and not _kind_at(doc, e, min(e + 2, n),
                                                          lex("lexicon.yaml", "count_kinds", lang)):
            i = e
            continue
        # Ranges: "entre 5 y 7", "between 5 and 7", "5 to 7", "5-7", "5 or 6".
        if e + 1 < n and fold(doc[e].text) in ("y", "and", "to", "a", "-", "or", "o"):
            second = _parse_count(doc, e + 1, lang)
            if second and second[2] > value and not second[3]:
                hi = second[2]
                e = second[1]
        if s > 0 and fold(doc[s - 1].text) in ("entre", "between"):
            s -= 1
        # Modifiers before the count: "at least" opens the top, "up to" the bottom.
        before = fold(doc[max(0, s - 3):s].text)
        for kind_mod, phrases in mods.items():
            if any(re.search(rf"(^|\s){re.escape(fold(p))}$", before) for p in phrases):
                if kind_mod == "at_least":
                    hi = None
                elif kind_mod == "at_most":
                    lo, hi = 1, (hi if hi is not None else value)
                break
        if s > 0 and fold(tok.text) == "dozen" and fold(doc[s - 1].text) == "a":
            s -= 1
        kind = _kind(doc, s, e, lang)
        if kind:
            span = doc[s:e]
            out.append(NumberMention(span.start_char, span.end_char, span.text, kind, lo, hi))
        i = max(e, i + 1)
    return sorted(out + _conjoined_totals(doc, out), key=lambda m: (m.start, -m.end))


def _conjoined_totals(doc: Doc, counts: list[NumberMention]) -> list[NumberMention]:
    """Totals of counts joined under one predicate: "killed four police officers and two
    civilians" adds a count of 6 over both, while "3 dead, including two children" stays 3."""
    totals: list[NumberMention] = []
    run: list[NumberMention] = []
    whole = doc.text  # rebuilt from every token on each access

    def noun(m: NumberMention) -> Token | None:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        return span[-1].head if span is not None else None

    def close() -> None:
        if len(run) > 1:
            lo = sum(m.min for m in run)
            hi = None if any(m.max is None for m in run) else sum(m.max or 0 for m in run)
            last = noun(run[-1])
            end = max(run[-1].end, last.idx + len(last.text)) if last is not None else run[-1].end
            text = whole[run[0].start:end]
            totals.append(NumberMention(run[0].start, end, text, run[0].kind, lo, hi))

    for m in counts:
        head = noun(m)
        prev = noun(run[-1]) if run else None
        joined = (run and m.kind == run[-1].kind and head is not None and prev is not None
                  and head.dep_ == "conj" and head.head.i == prev.i)
        if not joined:
            close()
            run = []
        run.append(m)
    close()
    return totals

