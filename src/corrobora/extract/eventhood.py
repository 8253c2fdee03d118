"""Does this sentence report an event? A learned gate on trigger hits.

A trigger word is not an event: "tried to kill the tobacco industry", "teammates mobbed
him", "if you're overrun by fire", "previous arrests of cartel leaders have often resulted
in...", "weeks after his arrest", "the 1944 uprising". An ACLED coder codes a specific
action at a time and place, recent to the report. This module scores each trigger hit for
that, with a logistic regression over:

- the rules as features: the trigger's part of speech, number and determiner; the tense,
  mood and aspect of the verb that carries it (past, present, future or modal, perfect,
  pluperfect, passive); habitual, irrealis (plans, threats, calls, conditions), background
  and own-voice cues (cues.yaml `habitual`, `irrealis`, `background`, `own_voice`); a past
  year; a question; quotes; a date the sentence states and how recent it is; a place, a
  count, a named actor in the sentence; the lead; hedging; the fusion family, its share of
  the document's hits and whether the lead has one; whether the event noun is the subject
  of another verb ("the killing marks a watershed");
- the document's relevance: the log-odds, from a second logistic regression over the e5
  vector of the article's lead (the one the document typing computes), that the article
  reports a codeable event at all. Sport, business and health stories lend event words
  other senses that a sentence's own cues cannot tell;
- optionally (the model's config says), the sentence's static multilingual embedding
  (text/embedding.py), which carries the sense: sport, medicine, business. The shipped
  model does without: with it the gate scored higher on the stream but ranked crime
  reporting's commentary above its events (BENCHMARKS.md).

It was trained on sentences of the news stream read and labelled by hand
(benchmarks/annotations/event_sentences.jsonl, EVENT_SENTENCES.md; training/eventhood/).
The weights are plain arrays (corrobora/models/eventhood/, checked against MANIFEST.json);
inference needs numpy and the static embedding model only.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Sequence
from contextlib import ExitStack
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc, Span, Token

from corrobora.extract import ontology
from corrobora.extract._data import find_phrases, fold, lex
from corrobora.extract.nlp import model_lang, verify_model_dir
from corrobora.model import DateMention, Entity, NumberMention, Place

MODEL_NAME = "eventhood"
WEIGHTS = "weights.npz"
CONFIG = "config.json"
LEAD_CHARS = 400
_MODALS = {"will", "would", "could", "may", "might", "should", "must", "can", "shall"}

# Training sets this to a list: each scored hit is appended as (sentence span, trigger span,
# type, features) and every hit is kept, so the labelled sentences can be matched.
collecting: ContextVar[list[tuple[tuple[int, int], tuple[int, int], str, dict[str, float]]]
                       | None] = ContextVar("eventhood_collecting", default=None)


def _carrier(tok: Token) -> Token:
    """The verb that carries the trigger: the trigger itself when it is a verb, else the
    nearest verb above it."""
    head = tok
    for _ in range(4):
        if head.pos_ in ("VERB", "AUX") or head.head is head:
            return head
        head = head.head
    return head


@cache
def _cues(section: str, lang: str) -> tuple[str, ...]:
    return tuple(fold(w) for w in lex("cues.yaml", section, lang))


def features(doc: Doc, sent: Span, trigger: tuple[int, int], type_name: str, lang: str, *,
             entities: Sequence[Entity], places: Sequence[Place],
             dates: Sequence[DateMention], numbers: Sequence[NumberMention],
             published_at: datetime | None, hedged: bool,
             families: Counter[str], lead_families: set[str],
             relevance: float = 0.0) -> dict[str, float]:
    """The named features of one trigger hit (`trigger`: token indices). `families` counts
    the document's hits by fusion family and `lead_families` are those of its lead: a
    document's main event is restated across it. `relevance` is the log-odds that the
    document reports an event at all (document_relevance)."""
    tok = doc[trigger[0]]
    verb = _carrier(tok)
    s0, s1 = sent.start_char, sent.end_char
    f: dict[str, float] = {}
    f["trig_verb"] = float(tok.pos_ == "VERB")
    f["trig_noun"] = float(tok.pos_ in ("NOUN", "PROPN"))
    f["trig_plural"] = float("Plur" in tok.morph.get("Number"))
    f["trig_definite"] = float(any(c.dep_ in ("det", "poss") and c.lower_ in (
        "the", "his", "her", "their", "its", "this", "that", "el", "la", "los", "las", "su",
        "sus") for c in tok.children))
    f["trig_subject"] = float(tok.dep_ in ("nsubj", "nsubjpass") and tok.head.pos_ in (
        "VERB", "AUX") and tok.pos_ in ("NOUN", "PROPN"))
    f["trig_root"] = float(tok.dep_ == "ROOT")
    tenses = verb.morph.get("Tense")
    f["past"] = float("Past" in tenses or verb.tag_ in ("VBD", "VBN"))
    f["present"] = float("Pres" in tenses and verb.tag_ != "VBN")
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    f["modal"] = float(any(c.lower_ in _MODALS for c in aux) or "Fut" in tenses
                       or "Cnd" in verb.morph.get("Mood"))
    f["perfect"] = float(any(c.lemma_ == "have" for c in aux) and verb.tag_ == "VBN")
    f["pluperfect"] = float(any(c.lower_ == "had" for c in aux) and verb.tag_ == "VBN")
    f["passive"] = float(any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children))
    f["infinitive"] = float(verb.tag_ == "VB" and any(c.lower_ == "to" for c in aux))
    f["question"] = float("?" in sent.text)
    f["quoted"] = float(any(q in sent.text for q in ('"', "“", "”", "«")))
    f["habitual"] = _cue(sent, "habitual", lang)
    f["background"] = _cue(sent, "background", lang)
    year = published_at.year if published_at else None
    f["past_year"] = float(year is not None and any(
        t.like_num and len(t.text) == 4 and t.text.isdigit() and 1800 < int(t.text) < year
        for t in sent))
    f["irrealis"] = _cue(sent, "irrealis", lang)
    f["own_voice"] = float(any(fold(t.lower_) in _cues("own_voice", lang) for t in sent
                               if t.pos_ == "PRON"))
    stated = next((d for d in dates if s0 <= d.start < s1 and d.value), None)
    f["date_stated"] = float(stated is not None)
    f["date_recent"] = 0.0
    if stated is not None and published_at is not None and stated.value:
        days = (published_at.date() - date.fromisoformat(stated.value)).days
        f["date_recent"] = float(-1 <= days <= 14)
    f["place"] = float(any(s0 <= p.start < s1 and p.resolved for p in places))
    f["count"] = float(any(s0 <= n.start < s1 for n in numbers))
    f["named_actor"] = float(any(s0 <= e.start < s1 and e.label in ("PER", "ORG")
                                 for e in entities))
    f["lead"] = float(s0 < LEAD_CHARS)
    f["hedged"] = float(hedged)
    f["length"] = math.log1p(len(sent))
    fam = ontology.family(type_name)
    f["family_share"] = families[fam] / max(1, sum(families.values()))
    f["lead_family"] = float(fam in lead_families)
    for name in ontology.families():
        f["family=" + name] = float(fam == name)
    f["doc_relevance"] = relevance
    return f


def _cue(sent: Span, section: str, lang: str) -> float:
    return 1.0 if next(iter(find_phrases(sent, _cues(section, lang))), None) else 0.0


class EventhoodModel:
    """The packaged gate: named features and the sentence embedding, standardised, then a
    logistic regression; hits scoring below the threshold report no event."""

    def __init__(self, path: Path) -> None:
        self.manifest = verify_model_dir(path)
        self.config: dict[str, Any] = json.loads((path / CONFIG).read_text(encoding="utf-8"))
        with np.load(path / WEIGHTS, allow_pickle=False) as z:
            self.coef = z["coef"]
            self.intercept = float(z["intercept"])
            self.mean = z["mean"]
            self.scale = z["scale"]
            # The document model: P(the document reports an event) from its e5 lead.
            self.doc_coef = z.get("doc_coef")
            self.doc_intercept = float(z.get("doc_intercept", 0.0))
        self.names: list[str] = list(self.config["features"])
        self.threshold = float(self.config["threshold"])
        self.embedding = bool(self.config.get("embedding", True))
        self.languages = frozenset(self.config.get("languages", ("en",)))
        self._col = {n: i for i, n in enumerate(self.names)}
        width = len(self.names) + (64 if self.embedding else 0)
        if self.coef.shape != (width,) or self.mean.shape != (width,):
            raise ValueError(f"model {path}: weight shapes do not match its features")

    def vector(self, feats: dict[str, float], embedding: np.ndarray | None) -> np.ndarray:
        x = np.zeros(len(self.names), dtype=np.float32)
        for name, value in feats.items():
            i = self._col.get(name)
            if i is not None:
                x[i] = value
        if self.embedding:
            emb = embedding if embedding is not None else np.zeros(64, dtype=np.float32)
            x = np.concatenate([x, emb.astype(np.float32)])
        return x

    def relevance(self, lead: np.ndarray) -> float:
        """Log-odds that a document with this e5 lead vector reports an event; 0 when the
        model has no document part."""
        if self.doc_coef is None:
            return 0.0
        return log_odds(1.0 / (1.0 + math.exp(-(float(lead @ self.doc_coef)
                                                + self.doc_intercept))))

    def probability(self, rows: np.ndarray) -> np.ndarray:
        z = ((rows - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


_RESOURCES = ExitStack()


@cache
def load_model() -> EventhoodModel:
    """The packaged model in corrobora/models/eventhood, hash-checked, loaded once."""
    resource = files("corrobora") / "models" / MODEL_NAME
    return EventhoodModel(_RESOURCES.enter_context(as_file(resource)))


def log_odds(p: float) -> float:
    """The feature's scale: log-odds, clipped so that no document decides alone."""
    p = min(max(p, 1e-3), 1 - 1e-3)
    return math.log(p / (1 - p))


def document_relevance(doc: Doc) -> float:
    """The document feature of every hit in doc: how likely its lead (the same e5 vector
    the document typing uses, computed once) tells a codeable event at all. News of sport,
    business, culture and health lends event words other senses; a sentence's own cues
    cannot tell that, the story's topic can. 0 while collecting training rows (training
    fills it in, cross-fitted) or with the gate off."""
    if collecting.get() is not None or not enabled():
        return 0.0
    from corrobora.extract import event_classifier

    words = event_classifier.load_model().lead_words
    return load_model().relevance(event_classifier.document_lead_vector(doc, words))


def sentence_embeddings(texts: Sequence[str]) -> np.ndarray:
    from corrobora.text.embedding import embed

    return embed(list(texts))


def setting() -> str:
    return os.environ.get("CORROBORA_EVENTHOOD", "").strip().lower()


def enabled() -> bool:
    """Whether the learned gate filters hits: with CORROBORA_EVENTHOOD=on (the model's
    threshold) or a threshold ("0.7"), for now. On the news stream's held-out half it keeps
    76% of the reporting hits at 35% precision (F1 0.48; every hit kept: 12%, F1 0.22), 65%
    at 50% at 0.72 (F1 0.57), but it was learnt from English general news and drops real
    events of crime analysis (the seed article) (BENCHMARKS.md): the rules before it
    (negation, time references, events talked about, background and plan dates) run always."""
    return setting() not in ("", "off", "0", "false", "no")


def threshold() -> float:
    """The probability a hit needs: CORROBORA_EVENTHOOD's number, else the model's."""
    value = setting()
    try:
        cut = float(value)
    except ValueError:
        if value != "on":
            raise ValueError(f"CORROBORA_EVENTHOOD={value!r}: use on, off or a threshold "
                             "between 0 and 1") from None
        return load_model().threshold
    if not 0.0 < cut < 1.0:
        raise ValueError(f"CORROBORA_EVENTHOOD={value!r}: a threshold is between 0 and 1")
    return cut


def applies(lang: str) -> bool:
    """Whether the gate filters the hits of text in lang: when enabled, and only in the
    languages it learnt from (the model's config says which). Its features carry language:
    learnt from English news, it dropped a third of the Spanish communiqués' seizures and
    arrests (BENCHMARKS.md)."""
    return enabled() and model_lang(lang) in load_model().languages


def reports_event(feats: Sequence[dict[str, float]], sentences: Sequence[str]) -> list[bool]:
    """Whether each hit (its features and its sentence's text) reports an event."""
    if not enabled():
        return [True] * len(feats)
    model = load_model()
    emb = sentence_embeddings(sentences) if model.embedding else [None] * len(sentences)
    rows = np.stack([model.vector(f, e) for f, e in zip(feats, emb, strict=True)])
    cut = threshold()
    return [bool(p >= cut) for p in model.probability(rows)]
