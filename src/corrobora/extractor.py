"""From a document to everything extraction finds in it (CONTRACTS §1): the per-document stage.

Pure over its input: the same document always gives the same Extraction, so it runs the same
in `corrobora extract`, in `corrobora ingest` and on a cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import groupby
from typing import TypeVar

from spacy.tokens import Doc

from corrobora.extract import attribution, dates, entities, events, numbers
from corrobora.extract.actors import ActorRegistry
from corrobora.extract.dateline import dateline_spans
from corrobora.extract.nlp import load_pipeline, model_lang
from corrobora.extract.place_cues import cued_place_spans
from corrobora.geo.resolver import Resolver
from corrobora.model import (
    Attribution,
    DateMention,
    Document,
    Entity,
    EventReport,
    Extraction,
    NumberMention,
    Place,
)
from corrobora.text.language import detect, language_runs

# Documents of languages without a pipeline of their own are parsed with the closest one.
PIPE_BATCH = 16


class Extractor:
    def __init__(self, resolver: Resolver | None = None,
                 actors: ActorRegistry | None = None) -> None:
        self._resolver = resolver
        self._actors = actors

    @property
    def resolver(self) -> Resolver:
        if self._resolver is None:
            self._resolver = Resolver.load()
        return self._resolver

    @property
    def actors(self) -> ActorRegistry:
        if self._actors is None:
            self._actors = ActorRegistry.load()
        return self._actors

    def extract(self, document: Document) -> Extraction:
        return next(self.extract_many([document]))[1]

    def extract_many(self, documents: Iterable[Document]) -> Iterator[tuple[Document, Extraction]]:
        """Extract in input order, parsing runs of same-language documents in spaCy batches."""
        labelled = (self._with_language(d) for d in documents)
        for lang, run in groupby(labelled, key=lambda d: d.lang or "en"):
            chunk: list[Document] = []
            for doc in run:
                chunk.append(doc)
                if len(chunk) >= PIPE_BATCH:
                    yield from self._extract_chunk(lang, chunk)
                    chunk = []
            if chunk:
                yield from self._extract_chunk(lang, chunk)

    @staticmethod
    def _with_language(doc: Document) -> Document:
        if not doc.lang:
            doc.lang, score = detect(doc.text)
            doc.extra["lang_score"] = score
        return doc

    def _extract_chunk(self, lang: str,
                       docs: list[Document]) -> Iterator[tuple[Document, Extraction]]:
        nlp = load_pipeline(lang)
        runs = [language_runs(d.text, model_lang(lang)) if d.toponyms is None
                else [(0, len(d.text), lang)] for d in docs]
        whole = nlp.pipe(d.text for d, r in zip(docs, runs, strict=True) if len(r) == 1)
        for doc, doc_runs in zip(docs, runs, strict=True):
            if len(doc_runs) == 1:
                yield doc, self._from_parts(doc, [(0, next(whole), lang)])
            else:
                parts = [(s, load_pipeline(run_lang)(doc.text[s:e]), run_lang)
                         for s, e, run_lang in doc_runs]
                yield doc, self._from_parts(doc, parts)

    def _entities(self, parsed: Doc, lang: str) -> list[Entity]:
        found = entities.entities(parsed, lang)
        # The English model learnt from Reuters news; the Spanish one knows Mexican states.
        if model_lang(lang) == "en":
            found = entities.relabel_containers(found, parsed.text, self.resolver.is_region)
        return found

    def _from_parts(self, doc: Document, parts: list[tuple[int, Doc, str]]) -> Extraction:
        """Extraction from the parses of consecutive parts of a document, each in its own
        language (one part for most documents), with offsets in the whole document."""
        ents = [_shifted(e, off) for off, parsed, lang in parts
                for e in self._entities(parsed, lang)]
        if doc.toponyms is not None:
            spans = doc.toponyms
        else:
            spans = entities.toponym_spans(ents)
            # Demonyms say where a story is ("Mexican troops"); CoNLL tags them MISC.
            demonyms = [(e.start, e.end) for e in ents
                        if e.label == "MISC" and self.resolver.is_demonym(e.text)]
            for cued in [*dateline_spans(doc.text), *cued_place_spans(doc.text), *demonyms]:
                if all(cued[1] <= s or cued[0] >= e for s, e in spans):
                    spans.append(cued)
            spans.sort()
        # The document's language and type are those of its main part, the longest.
        _, main, main_lang = max(parts, key=lambda part: len(part[1].text))
        places = self.resolver.resolve(doc.text, spans, lang=main_lang)
        found_dates: list[DateMention] = []
        found_numbers: list[NumberMention] = []
        found_attr: list[Attribution] = []
        found_events: list[EventReport] = []
        for off, parsed, lang in parts:
            end = off + len(parsed.text)
            local = [_shifted(p, -off) for p in places if off <= p.start and p.end <= end]
            part_ents = [_shifted(e, -off) for e in ents if off <= e.start and e.end <= end]
            part_dates = dates.dates(parsed, lang, doc.published_at)
            part_numbers = numbers.casualties(parsed, lang)
            part_attr = attribution.attributions(parsed, lang)
            part_events = events.find_events(
                parsed, lang, entities=part_ents, places=local, dates=part_dates,
                numbers=part_numbers, attributions=part_attr, published_at=doc.published_at,
            )
            found_dates += [_shifted(d, off) for d in part_dates]
            found_numbers += [_shifted(n, off) for n in part_numbers]
            found_attr += [_shifted(a, off) for a in part_attr]
            found_events += [_shifted_event(ev, off) for ev in part_events]
        return Extraction(
            document_id=doc.document_id, lang=doc.lang, entities=ents, places=places,
            dates=found_dates, numbers=found_numbers, attributions=found_attr,
            events=found_events,
            event_type=events.document_event_type(main, found_events, main_lang),
        )


_Spanned = TypeVar("_Spanned", Entity, Place, DateMention, NumberMention, Attribution)


def _shifted(x: _Spanned, delta: int) -> _Spanned:
    return x if delta == 0 else replace(x, start=x.start + delta, end=x.end + delta)


def _shifted_event(ev: EventReport, delta: int) -> EventReport:
    if delta == 0:
        return ev
    return replace(
        ev, sentence=(ev.sentence[0] + delta, ev.sentence[1] + delta),
        trigger=(ev.trigger[0] + delta, ev.trigger[1] + delta),
        actors=[replace(a, start=None if a.start is None else a.start + delta,
                        end=None if a.end is None else a.end + delta) for a in ev.actors],
        place=_shifted(ev.place, delta) if ev.place else None)
