"""Ingest: documents in, every layer of the flow stored, one transaction per batch.

A batch is read, extracted, checked for copies, fused into events and written at once; a crash
or Ctrl-C loses at most the batch in flight, and running the same command again skips what is
stored (by content hash) and completes the rest.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any

import numpy as np

from corrobora.extract.attribution import is_generic_source
from corrobora.extractor import DocumentTooSlow, Extractor
from corrobora.fuse import copies, relations
from corrobora.fuse.events import people
from corrobora.fuse.fusion import fuse_batch
from corrobora.fuse.source_registry import SourceRegistry
from corrobora.fuse.stories import (
    LEAD_CHARS,
    StoryClusterer,
    StoryDoc,
    lead_text,
    story_keys,
    window_around,
)
from corrobora.model import Document, EventReport, Extraction, ReadFailure
from corrobora.sources.base import USABLE_YEARS, ReadError, lone_surrogate, one_line, path_name
from corrobora.store import Batch, Store
from corrobora.text import fingerprint

if TYPE_CHECKING:
    from corrobora.parallel import Extracting, ExtractPool
    from corrobora.store.access import Marking

log = logging.getLogger(__name__)

# What fusion reads of a new event report beside the columns stored.
_FUSION_ONLY = ("admin1_code", "country_code", "feature_code", "story", "people",
                "reliability", "attributed")


@dataclass(slots=True)
class IngestSummary:
    new: int = 0
    already_stored: int = 0
    copies: int = 0
    failed: int = 0
    event_reports: int = 0
    events_new: int = 0
    events_updated: int = 0
    places: int = 0
    by_language: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Documents stored with part of their input set aside ("'lang' ignored: ...")."""

    @property
    def read(self) -> int:
        return self.new + self.already_stored + self.failed

    def add(self, other: IngestSummary) -> None:
        """Count in what a batch stored (kept apart until its transaction commits)."""
        for name in ("new", "copies", "event_reports", "events_new", "events_updated",
                     "places"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.by_language.update(other.by_language)
        self.notes += other.notes


def _hid(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:16]


Item = Document | ReadFailure


@dataclass(slots=True)
class _Started:
    """A batch screened (failures, the documents not stored yet) and being extracted."""

    chunk: list[Item]
    fresh: list[Document]
    failures: list[dict[str, str]]
    extracting: Extracting | None
    """The pool's extraction of `fresh`; None: extracted here, when the batch is finished."""

    def holds(self, chunk: list[Item]) -> bool:
        """Whether a document of `chunk` has the text or the id of one of this batch."""
        hashes = {d.content_hash for d in self.fresh}
        ids = {d.document_id for d in self.fresh}
        return any(isinstance(d, Document) and (d.content_hash in hashes or d.document_id in ids)
                   for d in chunk)


def where(doc: Document) -> str:
    """A document as a failure line names it: where it was read, and its id when given."""
    line = doc.extra.get("line")
    place = f"{doc.origin}:{line}" if line else doc.origin
    return f"{place} (id {doc.id!r})" if doc.id else place


def describe(exc: BaseException) -> str:
    """One line for a document's failure: an input error's own message; for anything else
    (a bug, a library's surprise) its type too, never a traceback."""
    message = one_line(str(exc))
    if isinstance(exc, ReadError):
        return message
    return f"failed ({type(exc).__name__}{': ' + message if message else ''})"


def _invalid(doc: Document) -> str | None:
    """What makes a document unstorable before any work is spent on it: text no UTF-8
    writer accepts (a reader guards this; a library caller's Document may not)."""
    for name in ("id", "text", "title", "source", "url", "origin"):
        value = getattr(doc, name)
        if isinstance(value, str) and (at := lone_surrogate(value)) is not None:
            return f"'{name}' has a lone surrogate ({value[at]!r}) at character {at}"
    return None


def extract_isolated(extractor: Extractor, docs: list[Document],
                     failed: Callable[[Document, str], object]
                     ) -> list[tuple[Document, Extraction]]:
    """Extractions in input order; a document whose extraction raises is passed to `failed`
    with one line (`describe`) and left out. The batch is extracted at once (spaCy batches);
    when that raises, the documents not yet extracted are extracted one at a time, so only
    the one at fault fails. A document past its time budget is named by its DocumentTooSlow:
    it fails without a second try (which would spend its budget again) and the rest are
    extracted as a batch again."""
    done: list[tuple[Document, Extraction]] = []
    pending = list(docs)
    while pending:
        try:
            done.extend(extractor.extract_many(pending))
            pending = []
        except Exception as exc:
            finished = {id(d) for d, _ in done}
            pending = [d for d in pending if id(d) not in finished]
            slow = next((d for d in pending if d.document_id == exc.document_id), None) \
                if isinstance(exc, DocumentTooSlow) else None
            if slow is None:
                log.debug("batch extraction failed; retrying one document at a time",
                          exc_info=True)
                break
            failed(slow, describe(exc))
            pending = [d for d in pending if d is not slow]
    for doc in pending:  # left by a batch that failed without naming the document at fault
        try:
            done.append((doc, extractor.extract(doc)))
        except Exception as exc:
            failed(doc, describe(exc))
            log.debug("extracting %s failed", where(doc), exc_info=True)
    # In input order: the retried ones came after those the batch had finished.
    order = {id(d): i for i, d in enumerate(docs)}
    return sorted(done, key=lambda pair: order[id(pair[0])])


def _event_day(value: str | None) -> date | None:
    """An event's day; none for a day in the calendar's first or last year (anchored on a
    placeholder publication date), where fusion's date windows would overflow."""
    day = date.fromisoformat(value) if value else None
    return day if day is not None and day.year in USABLE_YEARS else None


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class Ingestor:
    def __init__(self, store: Store, extractor: Extractor | None = None, *,
                 batch_size: int = 64, sources: SourceRegistry | None = None,
                 pool: ExtractPool | None = None, marking: Marking | None = None) -> None:
        self.store = store
        self.marking = marking
        """Team mode: the marking every document of this ingest gets (store/access.py)."""
        self.extra_rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
        """Rows of other tables (table: rows) written with the document of this id."""
        self.extractor = extractor or (pool.extractor if pool else Extractor())
        self.pool = pool
        """Worker processes that extract each batch (corrobora/parallel.py); None: here."""
        self.batch_size = batch_size
        self.sources = sources or SourceRegistry.load()

    def ingest(self, items: Iterable[Document | ReadFailure],
               progress: Callable[[int], None] | None = None) -> IngestSummary:
        """Ingest batch by batch. With a pool, the workers extract the next batch while this
        process stores and fuses the last; each batch is still stored in input order, in its
        own transaction, as without a pool."""
        summary = IngestSummary()
        pending: _Started | None = None
        for chunk in _batches(items, self.batch_size):
            if pending is not None and pending.holds(chunk):
                # A document of this batch is one of the batch in flight (same text or id):
                # whether it is new depends on how that one is stored, so it waits.
                self._finish(pending, summary, progress)
                pending = None
            started = self._start_batch(chunk, summary)
            if self.pool is None:
                self._finish(started, summary, progress)
                continue
            if pending is not None:
                self._finish(pending, summary, progress)
            pending = started
        if pending is not None:
            self._finish(pending, summary, progress)
        return summary

    def ingest_reports(self, items: Iterable[tuple[Document, list[EventReport]]],
                       progress: Callable[[int], None] | None = None) -> IngestSummary:
        """Store documents that arrive with their event reports already made (structured
        imports: one synthetic document per dataset row, corrobora/imports/) and fuse the
        reports with everything stored, through the same `_fuse` as extracted reports.
        Nothing is extracted; a dataset row is no republication, so each document is its own
        copy group and story. Already stored documents are skipped, so re-running is
        idempotent."""
        summary = IngestSummary()
        it = iter(items)
        while chunk := list(islice(it, self.batch_size)):
            failures: list[dict[str, str]] = []
            fresh = {id(d) for d in self._new_documents([d for d, _ in chunk], failures,
                                                        summary)}
            extracted = [(d, Extraction(d.document_id, d.lang, events=reports))
                         for d, reports in chunk if id(d) in fresh]
            self._store_isolated(extracted, failures, summary, structured=True)
            if progress:
                progress(len(chunk))
        return summary

    def _structured_documents(self, extracted: list[tuple[Document, Extraction]], batch: Batch,
                              summary: IngestSummary) -> dict[str, copies.Known]:
        known: dict[str, copies.Known] = {}
        seqs = self.store.next_ingest_seq(len(extracted))
        for (doc, _ext), seq in zip(extracted, seqs, strict=True):
            sig = fingerprint.signature(doc.text)
            known[doc.document_id] = copies.Known(doc.document_id, sig, doc.published_at, seq,
                                                  None)
            summary.new += 1
            summary.by_language[doc.lang or "?"] += 1
            source = self.sources.canonical(doc.source) if doc.source else None
            if source:
                batch.sources.append(self.sources.row_for(source))
            batch.documents.append({
                "id": doc.document_id, "content_hash": doc.content_hash, "title": doc.title,
                "text": doc.text, "lang": doc.lang, "published_at": doc.published_at,
                "source": source, "url": doc.url, "origin": doc.origin,
                "minhash": fingerprint.to_bytes(sig), "duplicate_of": None,
                "story_id": doc.document_id, "ingest_seq": seq,
            })
        return known

    # -- one batch ------------------------------------------------------------------------

    def _start_batch(self, chunk: list[Document | ReadFailure], summary: IngestSummary
                     ) -> _Started:
        """Screen a batch and start extracting what is new in it (on the pool, when there
        is one: its result is collected by `_finish`)."""
        failures = [{"origin": path_name(f.origin), "problem": f.problem}
                    for f in chunk if isinstance(f, ReadFailure)]
        docs = []
        for doc in (d for d in chunk if isinstance(d, Document)):
            problem = _invalid(doc)
            if problem:
                failures.append(self._failure(doc, problem))
            else:
                docs.append(doc)
        fresh = self._new_documents(docs, failures, summary)
        extracting = self.pool.submit(fresh) if self.pool is not None else None
        return _Started(chunk, fresh, failures, extracting)

    def _finish(self, started: _Started, summary: IngestSummary,
                progress: Callable[[int], None] | None) -> None:
        """One transaction for the batch; a document that fails anywhere is reported with one
        line and skipped, and the rest of its batch is stored."""
        failures = started.failures

        def failed(doc: Document, problem: str) -> None:
            failures.append(self._failure(doc, problem))

        if started.extracting is not None:
            extracted = started.extracting.result(failed)
        else:
            extracted = extract_isolated(self.extractor, started.fresh, failed)
        self._store_isolated(extracted, failures, summary)
        if progress:
            progress(len(started.chunk))

    def _store_isolated(self, extracted: list[tuple[Document, Extraction]],
                        failures: list[dict[str, str]], summary: IngestSummary, *,
                        structured: bool = False) -> None:
        """`_store` the batch; when that raises, store its documents one at a time so only
        those at fault fail (each with one line), then the failure lines."""
        try:
            self._store(extracted, failures, summary, structured=structured)
            return
        except Exception as exc:
            if not extracted:
                raise  # nothing but failure lines: the store itself is at fault
            log.debug("storing a batch failed; retrying one document at a time", exc_info=True)
            if len(extracted) == 1:
                failures.append(self._failure(extracted[0][0], describe(exc)))
        for one in extracted if len(extracted) > 1 else ():
            try:
                self._store([one], [], summary, structured=structured)
            except Exception as exc:
                failures.append(self._failure(one[0], describe(exc)))
                log.debug("storing %s failed", where(one[0]), exc_info=True)
        self._store([], failures, summary)

    @staticmethod
    def _failure(doc: Document, problem: str) -> dict[str, str]:
        return {"origin": path_name(where(doc)), "problem": problem}

    def _store(self, extracted: list[tuple[Document, Extraction]], failures: list[dict[str, str]],
               summary: IngestSummary, *, structured: bool = False) -> None:
        """Copies, mentions, stories and fusion of extracted documents (only fusion for
        `structured` dataset rows), written in one transaction with the failures given;
        `summary` counts them only once written."""
        batch = Batch(failures=list(failures))
        part = IngestSummary()
        seeded = self._relations_seeded
        try:
            # From the batch's first read of the store to its write, no other writer of the
            # database (another ingest into the same PostgreSQL store) fuses meanwhile.
            with self.store.exclusive():
                extracted = self._not_stored_meanwhile(extracted, part)
                if structured:
                    known = self._structured_documents(extracted, batch, part)
                else:
                    known = self._detect_copies(extracted, batch, part)
                    self._add_mentions(extracted, batch)
                    self._assign_stories(batch)
                self._fuse(extracted, known, batch, part)
                self._mark(batch)
                self.store.write_batch(batch)
        except BaseException:
            self._relations_seeded = seeded  # the registry's relations were not written
            raise
        summary.add(part)
        summary.notes += [f"{where(d)}: {w}" for d, _ in extracted
                          for w in d.extra.get("warnings", ()) or ()]  # type: ignore[union-attr]
        summary.failed += len(batch.failures)
        summary.failures += [f"{f['origin']}: {f['problem']}" for f in batch.failures]

    def _mark(self, batch: Batch) -> None:
        """The ingest's marking on each new document, written in the same transaction."""
        for row in batch.documents:
            for table, rows in self.extra_rows.get(row["id"], {}).items():
                batch.markings.setdefault(table, []).extend(rows)
            if self.marking is None:
                continue
            row["marking"] = self.marking.marking
            for table, rows in self.marking.rows("document", row["id"]).items():
                batch.markings.setdefault(table, []).extend(rows)
            audited = "audit_log" in self.extra_rows.get(row["id"], {})
            if self.marking.restricted and not audited:  # restricted writes are audited
                from corrobora.store import access

                batch.markings.setdefault("audit_log", []).append(access.audit_row(
                    access.LOCAL, "write", "document", row["id"], self.marking.marking,
                    f"ingest {row['origin']}"[:300]))

    def _not_stored_meanwhile(self, extracted: list[tuple[Document, Extraction]],
                              summary: IngestSummary) -> list[tuple[Document, Extraction]]:
        """The documents of `extracted` that another ingest into the same database has not
        stored since this one read them (counted as already stored)."""
        if not extracted:
            return extracted
        stored = self.store.stored_hashes(d.content_hash for d, _ in extracted)
        summary.already_stored += sum(1 for d, _ in extracted if d.content_hash in stored)
        return [(d, e) for d, e in extracted if d.content_hash not in stored]

    def _new_documents(self, docs: list[Document], failures: list[dict[str, str]],
                       summary: IngestSummary) -> list[Document]:
        stored = self.store.stored_hashes(d.content_hash for d in docs)
        stored_ids = self.store.stored_ids(d.document_id for d in docs)
        seen_hashes: set[str] = set()
        seen_ids: set[str] = set()
        fresh = []
        for doc in docs:
            h = doc.content_hash
            if h in stored or h in seen_hashes:
                summary.already_stored += 1
                continue
            if doc.document_id in stored_ids or doc.document_id in seen_ids:
                failures.append(self._failure(doc, (
                    f"id {doc.document_id!r} is already stored with a different text; "
                    "give this document another id")))
                continue
            seen_hashes.add(h)
            seen_ids.add(doc.document_id)
            fresh.append(doc)
        return fresh

    def _detect_copies(self, extracted: list[tuple[Document, Extraction]], batch: Batch,
                       summary: IngestSummary) -> dict[str, copies.Known]:
        seqs = self.store.next_ingest_seq(len(extracted))
        sigs = [fingerprint.signature(doc.text) for doc, _ in extracted]
        keys = [fingerprint.band_keys(sig) for sig in sigs]
        all_keys = sorted({k for ks in keys for k in ks})
        known = {row["id"]: copies.Known.from_row(row)
                 for row in self.store.copy_candidates(all_keys)}
        key_index: dict[int, set[str]] = {}
        for row_id, k in self._stored_band_index(all_keys):
            key_index.setdefault(k, set()).add(row_id)
        for (doc, _ext), seq, sig, ks in zip(extracted, seqs, sigs, keys, strict=True):
            new = copies.Known(doc.document_id, sig, doc.published_at, seq, None)
            cands = [known[i] for k in ks for i in key_index.get(k, ()) if i in known]
            decision = copies.decide(new, cands, known)
            new.duplicate_of = decision.duplicate_of
            if decision.reroot:
                old_root, new_root = decision.reroot
                batch.reroots.append(decision.reroot)
                for k in known.values():
                    if k.id == old_root or k.duplicate_of == old_root:
                        k.duplicate_of = new_root
            known[new.id] = new
            for k in ks:
                key_index.setdefault(k, set()).add(new.id)
            if new.duplicate_of or decision.reroot:
                summary.copies += 1
            summary.new += 1
            summary.by_language[doc.lang or "?"] += 1
            source = self.sources.canonical(doc.source) if doc.source else None
            if source:
                batch.sources.append(self.sources.row_for(source))
            batch.documents.append({
                "id": doc.document_id, "content_hash": doc.content_hash, "title": doc.title,
                "text": doc.text, "lang": doc.lang, "lang_score": doc.extra.get("lang_score"),
                "published_at": doc.published_at, "source": source, "url": doc.url,
                "origin": doc.origin, "minhash": fingerprint.to_bytes(sig),
                "duplicate_of": new.duplicate_of, "duplicate_score": decision.score,
                "ingest_seq": seq,
            })
            batch.bands += [{"band": b, "key": k, "document_id": doc.document_id}
                            for b, k in enumerate(ks)]
        # Documents rerooted after they were queued point at the new original too.
        for row in batch.documents:
            row["duplicate_of"] = known[row["id"]].duplicate_of
        return known

    def _assign_stories(self, batch: Batch) -> None:
        """Originals join stories by similarity (fuse/stories.py); copies take their
        original's story; an earlier original that took over a stored copy group keeps the
        group's story."""
        mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in batch.mentions:
            mentions[m["document_id"]].append(m)
        rows = {r["id"]: r for r in batch.documents}
        originals = [StoryDoc(r["id"], r["published_at"], lead_text(r["title"], r["text"]),
                              story_keys(mentions[r["id"]]))
                     for r in batch.documents if r["duplicate_of"] is None]
        span = window_around(d.published_at for d in originals if d.published_at is not None)
        pool = [] if span is None else [
            StoryDoc(p["id"], p["published_at"], lead_text(p["title"], p["lead"]),
                     story_keys(p["mentions"] or []), story_id=p["story_id"],
                     vector=np.asarray(p["embedding"], dtype=np.float32))
            for p in self.store.story_pool(*span, LEAD_CHARS)]
        links = StoryClusterer(pool).assign(originals)
        for doc in originals:
            row, link = rows[doc.id], links[doc.id]
            row["story_id"], row["story_link"], row["story_score"] = (
                link.story_id, link.linked_to, link.score)
            row["embedding"] = doc.vector.tolist() if doc.vector is not None else None
        stored_groups = [old for old, new in batch.reroots if old not in rows]
        stored = self.store.story_ids(
            stored_groups + [r["duplicate_of"] for r in batch.documents
                             if r["duplicate_of"] and r["duplicate_of"] not in rows])
        for old, new in batch.reroots:
            if old in stored:
                rows[new]["story_id"] = stored[old]
        for row in batch.documents:
            root = row["duplicate_of"]
            if root is not None:
                row["story_id"] = rows[root]["story_id"] if root in rows else stored.get(root)

    def _stored_band_index(self, keys: list[int]) -> Iterator[tuple[str, int]]:
        for row in self.store.band_members(keys):
            yield row["document_id"], row["key"]

    def _add_mentions(self, extracted: list[tuple[Document, Extraction]], batch: Batch) -> None:
        for doc, ext in extracted:
            did = doc.document_id

            def mention(kind: str, start: int, end: int, text: str, did: str = did,
                        **kw: Any) -> None:
                batch.mentions.append({"id": _hid(did, kind, start, end), "document_id": did,
                                       "kind": kind, "start_char": start, "end_char": end,
                                       "text": text, **kw})

            for e in ext.entities:
                actor_id = self._add_actor(e.actor_id, batch) if e.actor_id else None
                mention("entity", e.start, e.end, e.text, label=e.label,
                        fine_label=e.fine_label, actor_id=actor_id)
            for p in ext.places:
                if p.resolved and p.geonameid is not None:
                    self._add_place(p, batch)
                mention("place", p.start, p.end, p.text, geonameid=p.geonameid,
                        geo_precision=p.geo_precision, score=p.score, value=p.name)
            for d in ext.dates:
                mention("date", d.start, d.end, d.text, value=d.value,
                        label=str(d.time_precision))
            for n in ext.numbers:
                mention("number", n.start, n.end, n.text, label=n.kind,
                        value=f"{n.min}-{n.max if n.max is not None else ''}")
            for a in ext.attributions:
                mention("attribution", a.start, a.end, a.text, label=a.cue, value=a.source)
        # The same span can be found twice (an entity that is also a date): keep one.
        batch.mentions = list({m["id"]: m for m in batch.mentions}.values())

    def _add_place(self, p: Any, batch: Batch) -> None:
        batch.places.append({
            "geonameid": p.geonameid, "name": p.name or p.text, "lat": p.lat, "lon": p.lon,
            "country_code": p.country_code, "admin1_code": p.admin1_code,
            "admin2_name": p.admin2_name, "inegi_code": p.inegi_code,
            "feature_code": p.feature_code, "population": p.population,
        })

    def _add_actor(self, actor_id: str, batch: Batch) -> str | None:
        """Queue the registry's actor for storing; None when the registry does not know it."""
        actor = self.extractor.actors.get(actor_id)
        if actor is None:
            return None
        batch.actors.append({"id": actor.actor_id, "name": actor.name, "type": actor.type,
                             "inter_code": actor.inter, "status": "confirmed",
                             "origin": actor.source})
        return actor_id

    @staticmethod
    def _add_candidate(candidate_id: str, text: str, document_id: str, batch: Batch) -> str:
        """Queue a group the registry does not know, kept apart as a candidate until an
        analyst confirms it (the first report that names it is its origin)."""
        batch.actors.append({"id": candidate_id, "name": text, "type": "criminal_group",
                             "inter_code": 3, "status": "candidate",
                             "origin": f"named in document {document_id}"})
        return candidate_id

    # -- fusion -------------------------------------------------------------------------

    def _source_key(self, report: EventReport, root: str,
                    root_source: str | None) -> tuple[str, bool]:
        """The source a report speaks for, and whether it is one the report cites: the first
        source it cites that publishes in its own name (the source registry knows it:
        a wire, an outlet, an agency's releases); else its copy group's outlet. Officials,
        witnesses and people quoted by name speak through the outlet that quotes them."""
        for name in report.attribution:
            if not is_generic_source(name) and self.sources.get(name) is not None:
                return self.sources.canonical(name), True
        return root_source or f"doc:{root}", False

    _relations_seeded = False

    def _relations(self, extracted: list[tuple[Document, Extraction]], batch: Batch) -> None:
        """Actor relations: the registry's, once per run (merged into the stored ones), and
        those the batch's sentences state between registry actors."""
        if not self._relations_seeded:
            batch.actor_relations += relations.registry_rows(self.extractor.actors)
            self._relations_seeded = True
        for doc, ext in extracted:
            named = [(e.start, e.end, e.actor_id) for e in ext.entities if e.actor_id]
            if len(named) >= 2:
                batch.actor_relations += relations.text_rows(
                    doc.document_id, doc.text, doc.published_at, named)

    def _fuse(self, extracted: list[tuple[Document, Extraction]],
              known: dict[str, copies.Known], batch: Batch, summary: IngestSummary) -> None:
        rows: list[tuple[dict[str, Any], str, EventReport, str]] = []
        doc_sources = {r["id"]: r["source"] for r in batch.documents}
        doc_stories = {r["id"]: r.get("story_id") for r in batch.documents}
        roots = {known[doc.document_id].root for doc, _ in extracted}
        missing = [r for r in roots if r not in doc_sources]
        doc_sources.update(self.store.document_sources(missing))
        for doc, ext in extracted:
            did = doc.document_id
            root = known[did].root
            for ev in ext.events:
                place = ev.place
                if place is not None and place.resolved and place.geonameid is not None:
                    self._add_place(place, batch)
                else:
                    place = None
                key, attributed = self._source_key(ev, root, doc_sources.get(root))
                row = {
                    "id": _hid(did, ev.type, ev.sentence, ev.trigger,
                               place.geonameid if place else None),
                    "document_id": did, "type": ev.type, "case_label": ev.case_label,
                    "acled_event_type": ev.acled_event_type,
                    "acled_sub_event_type": ev.acled_sub_event_type,
                    "sentence_start": ev.sentence[0], "sentence_end": ev.sentence[1],
                    "trigger_start": ev.trigger[0], "trigger_end": ev.trigger[1],
                    "geonameid": place.geonameid if place else None,
                    "place_text": place.text if place else None,
                    "place_basis": ev.place_basis if place else None,
                    "geo_precision": place.geo_precision if place else None,
                    "admin1_code": place.admin1_code if place else None,
                    "date": _event_day(ev.date),
                    "time_precision": ev.time_precision, "date_basis": ev.date_basis,
                    "country_code": place.country_code if place else None,
                    "feature_code": place.feature_code if place else None,
                    "story": doc_stories.get(did),
                    "people": people([a.to_contract() for a in ev.actors]),
                    "fatalities_min": ev.fatalities.min if ev.fatalities else None,
                    "fatalities_max": ev.fatalities.max if ev.fatalities else None,
                    "injured_min": ev.injured.min if ev.injured else None,
                    "injured_max": ev.injured.max if ev.injured else None,
                    "weapons": ev.weapons, "attribution": ev.attribution,
                    "source_key": key, "attributed": attributed, "hedged": ev.hedged,
                    "score": ev.score,
                    "reliability": self.sources.grade(key) if self.sources.get(key)
                    else self.sources.grade(doc_sources.get(did)),
                }
                rows.append((row, root, ev, did))
        self._relations(extracted, batch)
        rows = list({r[0]["id"]: r for r in rows}.values())
        if not rows:
            return
        # Candidates, evidence and analyst decisions are read and applied in fuse/fusion.py.
        batch.new_events, batch.updated_events = fuse_batch(
            self.store, [(row, root) for row, root, _ev, _did in rows], self.sources)
        for row, _root, ev, did in rows:
            for actor in ev.actors:
                if actor.actor_id:
                    actor_id = self._add_actor(actor.actor_id, batch)
                elif actor.candidate:
                    actor_id = self._add_candidate(actor.candidate, actor.text, did, batch)
                else:
                    actor_id = None
                batch.event_report_actors.append({"event_report_id": row["id"], "role": actor.role,
                                                  "text": actor.text, "actor_id": actor_id,
                                                  "inter": actor.inter,
                                                  "acled_name": actor.acled_name})
            for key in _FUSION_ONLY:
                del row[key]
            batch.event_reports.append(row)
        summary.event_reports += len(rows)
        summary.events_new += len(batch.new_events)
        summary.events_updated += len(batch.updated_events)
        summary.places += len({p["geonameid"] for p in batch.places})
