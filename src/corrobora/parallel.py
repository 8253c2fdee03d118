"""The per-document stage on a pool of worker processes, one machine.

Extraction is pure (corrobora/extractor.py): a document gives the same Extraction in any
process, so a batch is cut into chunks that workers extract while the parent keeps the order
of its input. Each worker loads the models once (its initializer) and extracts its chunks with
`extract_isolated`, the same per-document failure isolation as one process: a document that
raises, or runs past its time budget (DocumentTooSlow), fails alone with one line. A worker
that dies (killed, out of memory) costs only the document it was extracting: its chunk is
extracted again one document per task on fresh workers.

    with ExtractPool(workers=2) as pool:
        for doc, extraction in pool.extract_isolated(docs, failed):
            ...

Workers start at the first batch with more than one chunk: a small run (a few files) is
extracted in the parent, where starting processes and loading models twice would cost more
than the second core gives back.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from corrobora.model import Document, Extraction

if TYPE_CHECKING:
    from corrobora.extractor import Extractor

log = logging.getLogger(__name__)

WORKERS_ENV = "CORROBORA_WORKERS"
CHUNK = 16
"""Documents per task: the Extractor's spaCy batch (PIPE_BATCH), so a worker parses as one
process does, and a batch of 64 keeps two workers busy."""

# Peak resident memory of one worker on news-stream documents, English and Spanish models and
# the gazetteer loaded (benchmarks/throughput.py), and of the parent beside it (store, fusion).
WORKER_BYTES = 1_100 * 2**20
PARENT_BYTES = 700 * 2**20

Outcome = tuple[Document, Extraction | None, str | None]
"""A document as the worker left it (its language detected), and its extraction or the one
line saying why it failed."""


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def available_memory() -> int | None:
    """Bytes the system can give without swapping (MemAvailable), None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def default_workers() -> int:
    """`CORROBORA_WORKERS` when set; else one worker per usable core, as many as the memory
    available holds beside the parent."""
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if raw:
        return parse_workers(raw, WORKERS_ENV)
    cores = usable_cores()
    memory = available_memory()
    if memory is None:
        return cores
    return max(1, min(cores, (memory - PARENT_BYTES) // WORKER_BYTES))


def parse_workers(raw: str, name: str = "--workers") -> int:
    """A worker count as given on the command line or in the environment ("auto" or N ≥ 1)."""
    if raw.strip().lower() == "auto" and name != WORKERS_ENV:
        return default_workers()
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(f"{name}={raw!r}: expected a number of worker processes (1 or more)"
                         + ("" if name == WORKERS_ENV else " or 'auto'"))
    return n


# -- in a worker -----------------------------------------------------------------------------

_EXTRACTOR: Extractor | None = None


def _init_worker(threads: int) -> None:
    """Load what every document needs once, before the first task."""
    global _EXTRACTOR
    # Ctrl-C reaches the whole process group: the parent stops the run, workers just end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from threadpoolctl import threadpool_limits

    from corrobora.extract.nlp import load_pipeline
    from corrobora.extractor import Extractor

    threadpool_limits(threads)  # BLAS threads: the cores are shared by the workers
    _EXTRACTOR = Extractor()
    _ = _EXTRACTOR.resolver, _EXTRACTOR.actors
    load_pipeline("en")  # other languages' models load at their first document, once


def _extract_task(docs: list[Document], budget: str | None) -> list[Outcome]:
    from corrobora.extractor import BUDGET_ENV
    from corrobora.ingest import extract_isolated

    assert _EXTRACTOR is not None, "worker not initialised"
    # The time budget in force is the parent's at the call, as in one process.
    if budget is None:
        os.environ.pop(BUDGET_ENV, None)
    else:
        os.environ[BUDGET_ENV] = budget
    problems: dict[int, str] = {}
    done = extract_isolated(_EXTRACTOR, docs,
                            lambda doc, problem: problems.__setitem__(id(doc), problem))
    found = {id(doc): ext for doc, ext in done}
    return [(doc, found.get(id(doc)), problems.get(id(doc))) for doc in docs]


# -- in the parent ---------------------------------------------------------------------------


class ExtractPool:
    """Worker processes that extract documents; `workers=1` extracts in this process."""

    def __init__(self, workers: int | None = None, *, chunk: int = CHUNK,
                 extractor: Extractor | None = None) -> None:
        self.workers = default_workers() if workers is None else max(1, workers)
        self.chunk = max(1, chunk)
        self._extractor = extractor
        self._executor: ProcessPoolExecutor | None = None

    @property
    def extractor(self) -> Extractor:
        """The parent's own Extractor, for batches extracted here."""
        if self._extractor is None:
            from corrobora.extractor import Extractor

            self._extractor = Extractor()
        return self._extractor

    @property
    def started(self) -> bool:
        return self._executor is not None

    def __enter__(self) -> ExtractPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _start(self) -> ProcessPoolExecutor:
        if self._executor is None:
            threads = max(1, usable_cores() // self.workers)
            # spawn: a fork would copy the parent's DuckDB and BLAS threads in whatever state
            # they are in; a fresh interpreter loads only what extraction needs.
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker, initargs=(threads,))
        return self._executor

    def _restart(self) -> ProcessPoolExecutor:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        return self._start()

    def extract_isolated(self, docs: Sequence[Document],
                         failed: Callable[[Document, str], object]
                         ) -> list[tuple[Document, Extraction]]:
        """As `corrobora.ingest.extract_isolated`: extractions in input order, each document
        that fails passed to `failed` with its one line (in input order) and left out."""
        from corrobora.ingest import extract_isolated

        docs = list(docs)
        if self.workers == 1 or (not self.started and len(docs) <= self.chunk):
            return extract_isolated(self.extractor, docs, failed)
        from corrobora.extractor import BUDGET_ENV

        executor = self._start()
        budget = os.environ.get(BUDGET_ENV)
        chunks = [docs[i:i + self.chunk] for i in range(0, len(docs), self.chunk)]
        futures: list[Future[list[Outcome]]] = [executor.submit(_extract_task, c, budget)
                                                for c in chunks]
        done: list[tuple[Document, Extraction]] = []
        for i, chunk in enumerate(chunks):
            try:
                outcomes = futures[i].result()
            except BrokenProcessPool:
                outcomes = self._one_at_a_time(chunk, budget)
                # The chunks after it died with the pool: submitted again, whole.
                futures[i + 1:] = [self._start().submit(_extract_task, c, budget)
                                   for c in chunks[i + 1:]]
            for doc, (worked, ext, problem) in zip(chunk, outcomes, strict=True):
                # What the worker learnt of the document (its language) is the parent's too.
                doc.lang, doc.extra = worked.lang, worked.extra
                if ext is None:
                    failed(doc, problem or "failed (no extraction)")
                else:
                    done.append((doc, ext))
        return done

    def _one_at_a_time(self, chunk: list[Document], budget: str | None) -> list[Outcome]:
        """A chunk whose worker died, extracted again one document per task on a fresh pool,
        so the death is pinned on the document that causes it."""
        log.debug("a worker died; extracting its chunk one document at a time")
        outcomes: list[Outcome] = []
        executor = self._restart()
        for doc in chunk:
            try:
                (outcome,) = executor.submit(_extract_task, [doc], budget).result()
            except BrokenProcessPool:
                outcome = (doc, None, "failed (the worker process extracting it died: out of "
                                      "memory or killed)")
                executor = self._restart()
            outcomes.append(outcome)
        return outcomes
