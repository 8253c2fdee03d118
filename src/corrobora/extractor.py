"""From a document to everything extraction finds in it (CONTRACTS §1): the per-document stage.

Pure over its input: the same document always gives the same Extraction, so it runs the same
in `corrobora extract`, in `corrobora ingest` and on a cluster.

Each document has a time budget (`CORROBORA_DOC_BUDGET` seconds, default 120, read at each
call): a document still being extracted past it raises DocumentTooSlow, an input error that
costs that document only. The check is cooperative, between stages (tokenising, each
pipeline component, each extraction step of each piece): no threads or signals, so it works
the same in a process pool.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import groupby
from typing import TypeVar

from spacy.language import Language
from spacy.tokens import Doc

from corrobora.extract import attribution, dates, entities, events, numbers
from corrobora.extract.actors import ActorRegistry
from corrobora.extract.dateline import dateline_spans
from corrobora.extract.event_classifier import prefetch_leads
from corrobora.extract.nlp import load_pipeline, model_lang, pieces
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
from corrobora.sources.base import ReadError
from corrobora.text.language import detect, language_runs

# Documents of languages without a pipeline of their own are parsed with the closest one.
PIPE_BATCH = 16

BUDGET_ENV = "CORROBORA_DOC_BUDGET"
DEFAULT_BUDGET = 120.0  # seconds; a long report takes a few


class DocumentTooSlow(ReadError):
    """A document whose extraction ran past its time budget: it fails, the run goes on."""

    def __init__(self, document_id: str, budget: float, spent: float, stage: str) -> None:
        super().__init__(
            f"document {document_id!r}: extraction stopped after {spent:.1f} s, over its "
            f"budget of {budget:g} s (at {stage}); set {BUDGET_ENV} to allow more")
        self.document_id = document_id
        self.budget = budget
        self.stage = stage


def document_budget() -> float | None:
    """Seconds one document may take (`CORROBORA_DOC_BUDGET`; "off" for no limit)."""
    raw = os.environ.get(BUDGET_ENV, "").strip()
    if not raw:
        return DEFAULT_BUDGET
    if raw.lower() in ("off", "none"):
        return None
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also NaN
        raise ValueError(f"{BUDGET_ENV}={raw!r}: expected a number of seconds or 'off'")
    return seconds


class _Clock:
    """The time one document has taken: work done for it alone (`run`) plus its share of
    work done for a batch (`charge`)."""

    def __init__(self, document_id: str, budget: float | None) -> None:
        self.document_id = document_id
        self.budget = budget
        self.spent = 0.0
        self._since: float | None = None

    def run(self) -> None:
        """From now on, the time passing is this document's."""
        self._since = time.perf_counter()

    def charge(self, seconds: float, stage: str) -> None:
        self.spent += seconds
        self.check(stage)

    def check(self, stage: str) -> None:
        if self._since is not None:
            now = time.perf_counter()
            self.spent += now - self._since
            self._since = now
        if self.budget is not None and self.spent > self.budget:
            raise DocumentTooSlow(self.document_id, self.budget, self.spent, stage)


def _parse(nlp: Language, texts: list[str], clocks: list[_Clock]
           ) -> list[Doc | DocumentTooSlow]:
    """Parse texts as one batch, component by component (as nlp.pipe does). Each document
    is charged its own tokenising and, of each component's time, its share by tokens; one
    over its budget is dropped from the batch and comes back as its DocumentTooSlow."""
    out: list[Doc | DocumentTooSlow] = []
    for text, clock in zip(texts, clocks, strict=True):
        t0 = time.perf_counter()
        doc = nlp.make_doc(text)
        try:
            clock.charge(time.perf_counter() - t0, "tokenizing")
            out.append(doc)
        except DocumentTooSlow as exc:
            out.append(exc)
    for name, proc in nlp.pipeline:
        alive = [i for i, d in enumerate(out) if isinstance(d, Doc)]
        batch = [out[i] for i in alive]
        if not batch:
            break
        t0 = time.perf_counter()
        done = list(proc.pipe(batch)) if hasattr(proc, "pipe") else [proc(d) for d in batch]
        per_token = (time.perf_counter() - t0) / max(1, sum(len(d) for d in done))
        for i, doc in zip(alive, done, strict=True):
            out[i] = doc
            try:
                clocks[i].charge(per_token * len(doc), name)
            except DocumentTooSlow as exc:
                out[i] = exc
    return out


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
        """The document's extraction; DocumentTooSlow past the time budget."""
        return next(self.extract_many([document]))[1]

    def extract_many(self, documents: Iterable[Document]) -> Iterator[tuple[Document, Extraction]]:
        """Extract in input order, parsing runs of same-language documents in spaCy batches.
        A document past its budget raises DocumentTooSlow when its turn comes (those before
        it have been given)."""
        budget = document_budget()
        labelled = (self._with_language(d) for d in documents)
        for lang, run in groupby(labelled, key=lambda d: d.lang or "en"):
            chunk: list[Document] = []
            for doc in run:
                chunk.append(doc)
                if len(chunk) >= PIPE_BATCH:
                    yield from self._extract_chunk(lang, chunk, budget)
                    chunk = []
            if chunk:
                yield from self._extract_chunk(lang, chunk, budget)

    @staticmethod
    def _with_language(doc: Document) -> Document:
        if not doc.lang:
            doc.lang, score = detect(doc.text)
            doc.extra["lang_score"] = score
        return doc

    @staticmethod
    def _parts(doc: Document, lang: str) -> list[tuple[int, int, str]]:
        """(start, end, language) of the pieces of the document parsed apart: its language
        runs, each cut to at most PIECE_CHARS characters."""
        runs = language_runs(doc.text, model_lang(lang)) if doc.toponyms is None \
            else [(0, len(doc.text), lang)]
        return [(s + a, s + b, run_lang) for s, e, run_lang in runs
                for a, b in pieces(doc.text[s:e])]

    def _extract_chunk(self, lang: str, docs: list[Document], budget: float | None
                       ) -> Iterator[tuple[Document, Extraction]]:
        clocks = [_Clock(d.document_id, budget) for d in docs]
        parts = [self._parts(d, lang) for d in docs]
        single = [i for i, p in enumerate(parts) if len(p) == 1]
        # Their lead embeddings (for the document type) are computed while they are parsed.
        prefetch_leads([docs[i].text for i in single])
        parsed = dict(zip(single, _parse(load_pipeline(lang), [docs[i].text for i in single],
                                         [clocks[i] for i in single]), strict=True))
        for i, (doc, clock) in enumerate(zip(docs, clocks, strict=True)):
            if i in parsed:
                whole = parsed.pop(i)
                if isinstance(whole, DocumentTooSlow):
                    raise whole
                clock.run()
                yield doc, self._from_parts(doc, [(0, whole, lang)], clock)
                continue
            done: list[tuple[int, Doc, str]] = []
            for s, e, run_lang in parts[i]:
                (got,) = _parse(load_pipeline(run_lang), [doc.text[s:e]], [clock])
                if isinstance(got, DocumentTooSlow):
                    raise got
                done.append((s, got, run_lang))
            clock.run()
            yield doc, self._from_parts(doc, done, clock)

    def _entities(self, parsed: Doc, text: str, lang: str) -> list[Entity]:
        found = entities.entities(parsed, lang)
        # The English model learnt from Reuters news; the Spanish one knows Mexican states.
        if model_lang(lang) == "en":
            found = entities.relabel_containers(found, text, self.resolver.is_region)
        return found

    def _from_parts(self, doc: Document, parts: list[tuple[int, Doc, str]],
                    clock: _Clock) -> Extraction:
        """Extraction from the parses of consecutive parts of a document, each in its own
        language (one part for most documents), with offsets in the whole document."""
        ents = []
        for off, parsed, lang in parts:
            text = doc.text[off:off + _text_len(parsed)]
            ents += [_shifted(e, off) for e in self._entities(parsed, text, lang)]
            clock.check("entities")
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
        _, main, main_lang = max(parts, key=lambda part: _text_len(part[1]))
        places = self.resolver.resolve(doc.text, spans, lang=main_lang)
        clock.check("places")
        found_dates: list[DateMention] = []
        found_numbers: list[NumberMention] = []
        found_attr: list[Attribution] = []
        found_events: list[EventReport] = []
        for off, parsed, lang in parts:
            end = off + _text_len(parsed)
            local = [_shifted(p, -off) for p in places if off <= p.start and p.end <= end]
            part_ents = [_shifted(e, -off) for e in ents if off <= e.start and e.end <= end]
            part_dates = dates.dates(parsed, lang, doc.published_at)
            clock.check("dates")
            part_numbers = numbers.casualties(parsed, lang)
            clock.check("numbers")
            part_attr = attribution.attributions(parsed, lang)
            clock.check("attributions")
            part_events = events.find_events(
                parsed, lang, entities=part_ents, places=local, dates=part_dates,
                numbers=part_numbers, attributions=part_attr, published_at=doc.published_at,
            )
            clock.check("events")
            found_dates += [_shifted(d, off) for d in part_dates]
            found_numbers += [_shifted(n, off) for n in part_numbers]
            found_attr += [_shifted(a, off) for a in part_attr]
            found_events += [_shifted_event(ev, off) for ev in part_events]
        event_type = events.document_event_type(main, found_events, main_lang)
        clock.check("event type")
        return Extraction(
            document_id=doc.document_id, lang=doc.lang, entities=ents, places=places,
            dates=found_dates, numbers=found_numbers, attributions=found_attr,
            events=found_events, event_type=event_type,
        )


def _text_len(parsed: Doc) -> int:
    """len(parsed.text), without joining the text again from its tokens (Doc.text does)."""
    if not len(parsed):
        return 0
    last = parsed[-1]
    return last.idx + len(last.text_with_ws)


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
