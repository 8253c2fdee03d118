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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from corrobora.model import Document, Extraction

if TYPE_CHECKING:
    from corrobora.extractor import Extractor

log = logging.getLogger(__name__)

WORKERS_ENV = "CORROBORA_WORKERS"
SETTINGS_PREFIX = "CORROBORA_"
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
    """Take the models the fork server loaded (corrobora/preload.py), or load them here
    (a spawned worker, or a fork server whose preload failed), before the first task."""
    global _EXTRACTOR
    # Ctrl-C reaches the whole process group: the parent stops the run, workers just end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from threadpoolctl import threadpool_limits

    from corrobora import preload

    threadpool_limits(threads)  # BLAS threads: the cores are shared by the workers
    _EXTRACTOR = preload.EXTRACTOR
    if _EXTRACTOR is None:
        from corrobora.extract.nlp import load_pipeline
        from corrobora.extractor import Extractor

        _EXTRACTOR = Extractor()
        _ = _EXTRACTOR.resolver, _EXTRACTOR.actors
        load_pipeline("en")  # other languages' models load at their first document, once


def _settings() -> dict[str, str]:
    """The parent's CORROBORA_* settings (time budget, switches read at each call): a task
    runs under those in force at its call, as in one process, not those the fork server
    started with."""
    return {k: v for k, v in os.environ.items() if k.startswith(SETTINGS_PREFIX)}


def _extract_task(docs: list[Document], settings: dict[str, str]) -> list[Outcome]:
    from corrobora.ingest import extract_isolated

    assert _EXTRACTOR is not None, "worker not initialised"
    for name in [k for k in os.environ if k.startswith(SETTINGS_PREFIX)]:
        if name not in settings:
            del os.environ[name]
    os.environ.update(settings)
    problems: dict[int, str] = {}
    done = extract_isolated(_EXTRACTOR, docs,
                            lambda doc, problem: problems.__setitem__(id(doc), problem))
    found = {id(doc): ext for doc, ext in done}
    return [(doc, found.get(id(doc)), problems.get(id(doc))) for doc in docs]


def _context() -> multiprocessing.context.BaseContext:
    """Workers forked from a fork server that loaded the models (corrobora/preload.py): they
    start at once and share the models' memory copy-on-write. Where there is no fork server
    (Windows), spawned workers that load their own."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # Read by the fork server when it starts (once per process): models loaded there once.
    ctx.set_forkserver_preload(["corrobora.preload"])
    return ctx


# -- in the parent ---------------------------------------------------------------------------


class ExtractPool:
    """Worker processes that extract documents; `workers=1` extracts in this process."""

    def __init__(self, workers: int | None = None, *, chunk: int = CHUNK,
                 extractor: Extractor | None = None) -> None:
        self.workers = default_workers() if workers is None else max(1, workers)
        self.chunk = max(1, chunk)
        self._extractor = extractor
        self._executor: ProcessPoolExecutor | None = None
        self._generation = 0

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
            # Not a fork of this process: that would copy its DuckDB connection and threads
            # in whatever state they are in. A fork server is a fresh interpreter.
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=_context(),
                initializer=_init_worker, initargs=(threads,))
        return self._executor

    def _restart(self) -> ProcessPoolExecutor:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self._generation += 1
        return self._start()

    def _submit(self, chunk: list[Document], settings: dict[str, str]) -> _Task:
        return _Task(self._generation, self._start().submit(_extract_task, chunk, settings))

    def extract_isolated(self, docs: Sequence[Document],
                         failed: Callable[[Document, str], object]
                         ) -> list[tuple[Document, Extraction]]:
        """As `corrobora.ingest.extract_isolated`: extractions in input order, each document
        that fails passed to `failed` with its one line (in input order) and left out."""
        return self.submit(docs).result(failed)

    def submit(self, docs: Sequence[Document]) -> Extracting:
        """Start extracting a batch and return at once: the workers extract it while the
        caller stores the batch before (ingest) or writes what it has. `result` gives what
        `extract_isolated` would. A batch extracted here (one worker, or a small first
        batch) is extracted when its result is asked for."""
        docs = list(docs)
        if self.workers == 1 or (not self.started and len(docs) <= self.chunk):
            return Extracting(self, docs, [], [])
        settings = _settings()
        chunks = [docs[i:i + self.chunk] for i in range(0, len(docs), self.chunk)]
        return Extracting(self, docs, chunks, [self._submit(c, settings) for c in chunks],
                          settings)

    def _one_at_a_time(self, chunk: list[Document], settings: dict[str, str]
                       ) -> list[Outcome]:
        """A chunk whose worker died, extracted again one document per task on a fresh pool,
        so the death is pinned on the document that causes it."""
        log.debug("a worker died; extracting its chunk one document at a time")
        outcomes: list[Outcome] = []
        executor = self._restart()
        for doc in chunk:
            try:
                (outcome,) = executor.submit(_extract_task, [doc], settings).result()
            except BrokenProcessPool:
                outcome = (doc, None, "failed (the worker process extracting it died: out of "
                                      "memory or killed)")
                executor = self._restart()
            outcomes.append(outcome)
        return outcomes


@dataclass(slots=True)
class _Task:
    generation: int
    """Which of the pool's executors runs it: a task of an executor since replaced died with
    it, and is submitted again whole."""
    future: Future[list[Outcome]]


@dataclass(slots=True)
class Extracting:
    """A batch being extracted by a pool (ExtractPool.submit)."""

    pool: ExtractPool
    docs: list[Document]
    chunks: list[list[Document]]
    tasks: list[_Task]
    settings: dict[str, str] = field(default_factory=dict)

    def result(self, failed: Callable[[Document, str], object]
               ) -> list[tuple[Document, Extraction]]:
        """The extractions in input order; each document that fails is passed to `failed`
        with its one line (in input order) and left out."""
        if not self.chunks:
            from corrobora.ingest import extract_isolated

            return extract_isolated(self.pool.extractor, self.docs, failed)
        done: list[tuple[Document, Extraction]] = []
        for i, chunk in enumerate(self.chunks):
            outcomes = self._outcomes(i)
            for doc, (worked, ext, problem) in zip(chunk, outcomes, strict=True):
                # What the worker learnt of the document (its language) is the parent's too.
                doc.lang, doc.extra = worked.lang, worked.extra
                if ext is None:
                    failed(doc, problem or "failed (no extraction)")
                else:
                    done.append((doc, ext))
        return done

    def _outcomes(self, i: int) -> list[Outcome]:
        pool = self.pool
        while True:
            task = self.tasks[i]
            try:
                return task.future.result()
            except BrokenProcessPool:
                if task.generation == pool._generation:
                    # Its own executor died: a document of this chunk (or of one beside it)
                    # killed a worker; one document per task finds which.
                    outcomes = pool._one_at_a_time(self.chunks[i], self.settings)
                    self._again(i + 1)
                    return outcomes
                self._again(i)

    def _again(self, first: int) -> None:
        """Submit again, whole, the chunks from `first` on that died with an executor since
        replaced."""
        for j in range(first, len(self.chunks)):
            if self.tasks[j].generation != self.pool._generation:
                self.tasks[j] = self.pool._submit(self.chunks[j], self.settings)
