"""From a document to everything extraction finds in it (CONTRACTS §1): the per-document stage.

Pure over its input: the same document always gives the same Extraction, so it runs the same
in `corrobora extract`, in `corrobora ingest` and on a cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby

from corrobora.extract import attribution, dates, entities, events, numbers
from corrobora.extract.actors import ActorRegistry
from corrobora.extract.dateline import dateline_spans
from corrobora.extract.nlp import load_pipeline
from corrobora.geo.resolver import Resolver
from corrobora.model import Document, Extraction
from corrobora.text.language import detect

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
        for doc, parsed in zip(docs, nlp.pipe(d.text for d in docs), strict=True):
            yield doc, self._from_parse(doc, parsed, lang)

    def _from_parse(self, doc: Document, parsed: object, lang: str) -> Extraction:
        ents = entities.entities(parsed, lang)
        if doc.toponyms is not None:
            spans = doc.toponyms
        else:
            spans = entities.toponym_spans(ents)
            spans = sorted(spans + [d for d in dateline_spans(doc.text)
                                    if all(d[1] <= s or d[0] >= e for s, e in spans)])
        places = self.resolver.resolve(doc.text, spans, lang=lang)
        found_dates = dates.dates(parsed, lang, doc.published_at)
        found_numbers = numbers.casualties(parsed, lang)
        found_attr = attribution.attributions(parsed, lang)
        found_events = events.find_events(
            parsed, lang, entities=ents, places=places, dates=found_dates,
            numbers=found_numbers, attributions=found_attr, published_at=doc.published_at,
        )
        return Extraction(
            document_id=doc.document_id, lang=doc.lang, entities=ents, places=places,
            dates=found_dates, numbers=found_numbers, attributions=found_attr,
            events=found_events,
            event_type=events.document_event_type(parsed, found_events, lang),
        )
