"""The per-document stage on worker processes (corrobora/parallel.py): the same stored result
as one process, in input order, each failure costing its own document only."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.demo import corpus_path
from corrobora.extractor import BUDGET_ENV
from corrobora.ingest import Ingestor
from corrobora.model import Document
from corrobora.parallel import WORKERS_ENV, ExtractPool, default_workers, parse_workers
from corrobora.sources import read_paths
from corrobora.store import Store

runner = CliRunner()

TEXTS = [
    "Gunmen killed three police officers in Culiacán, Sinaloa, on Monday, officials said.",
    "Soldiers arrested a cartel leader in Guadalajara, Jalisco, the army said on Tuesday.",
    "Hombres armados asesinaron a dos personas en Zamora, Michoacán, informó la fiscalía.",
    "A bomb exploded near a market in Tijuana, Baja California, injuring five people.",
    "The council met on Wednesday to discuss the new library in Leeds.",
]


@pytest.fixture(scope="module")
def pool() -> Iterator[ExtractPool]:
    """Two workers, chunks of two documents: even a small batch is spread over both. One pool
    for the module: each worker loads the models once."""
    with ExtractPool(2, chunk=2) as shared:
        yield shared


def _docs() -> list[Document]:
    return [Document(text=t, origin=f"t{i}.txt", id=f"doc-{i}") for i, t in enumerate(TEXTS)]


def test_two_workers_store_what_one_process_stores(
        tmp_path: Path, stored_rows: Callable[[Path], dict[str, list[tuple[object, ...]]]],
        pool: ExtractPool) -> None:
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    with Store(one) as store:
        first = Ingestor(store, batch_size=8).ingest(read_paths([str(corpus_path())]))
    with Store(two) as store:
        second = Ingestor(store, batch_size=8, pool=pool).ingest(
            read_paths([str(corpus_path())]))
        assert pool.started
    assert first.new == second.new > 8 and first.event_reports == second.event_reports > 0
    a, b = stored_rows(one), stored_rows(two)
    assert a.keys() == b.keys()
    for table in a:
        assert a[table] == b[table], table


def test_extractions_come_back_in_input_order_with_the_language_found(
        pool: ExtractPool) -> None:
    docs = _docs()
    done = pool.extract_isolated(docs, lambda doc, problem: pytest.fail(problem))
    assert [d.id for d, _ in done] == [d.id for d in docs]
    assert [ext.document_id for _, ext in done] == [d.id for d in docs]
    # The worker detected each language; the parent's documents say so too.
    assert [d.lang for d in docs] == ["en", "en", "es", "en", "en"]
    assert all("lang_score" in d.extra for d in docs)
    assert any(ev.type for _, ext in done for ev in ext.events)


def test_a_document_over_its_budget_fails_alone_in_a_worker(
        monkeypatch: pytest.MonkeyPatch, pool: ExtractPool) -> None:
    monkeypatch.setenv(BUDGET_ENV, "0")  # the parent's setting at the call, as in one process
    failed: list[tuple[str | None, str]] = []
    done = pool.extract_isolated(_docs(), lambda doc, problem: failed.append(
        (doc.id, problem)))
    assert done == []
    assert [doc_id for doc_id, _ in failed] == [f"doc-{i}" for i in range(len(TEXTS))]
    for doc_id, problem in failed:
        assert f"document {doc_id!r}: extraction stopped" in problem
        assert "budget of 0 s" in problem and BUDGET_ENV in problem


class _EndsTheProcessThatLoadsIt:
    """Unpickled in a worker, ends it at once: a stand-in for a document that gets its
    worker killed (out of memory)."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return os._exit, (9,)


def test_a_worker_that_dies_costs_only_the_document_it_was_extracting(
        pool: ExtractPool) -> None:
    docs = _docs()
    docs[1].extra["poison"] = _EndsTheProcessThatLoadsIt()
    failed: list[tuple[str | None, str]] = []
    done = pool.extract_isolated(docs, lambda doc, problem: failed.append((doc.id, problem)))
    # The pool works on after it: a fresh batch goes through.
    again = pool.extract_isolated(_docs()[:3], lambda doc, problem: pytest.fail(problem))
    assert [d.id for d, _ in done] == ["doc-0", "doc-2", "doc-3", "doc-4"]
    assert failed == [("doc-1", "failed (the worker process extracting it died: out of "
                                "memory or killed)")]
    assert len(again) == 3


def test_extract_with_workers_writes_what_one_process_writes(tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    lines = [json.dumps({"id": f"d{i}", "text": t}) for i, t in enumerate(TEXTS * 4)]
    lines.insert(3, "{not json")
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        result = runner.invoke(app, ["extract", str(src), "-o", str(out),
                                     "--workers", workers])
        assert result.exit_code == 1  # the bad line
        assert len(result.stderr.splitlines()) == 1 and '"line": 4' in result.stderr
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
    assert [json.loads(line)["id"] for line in outs[1].splitlines()] == \
        [f"d{i}" for i in range(len(TEXTS) * 4)]


def test_worker_counts_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_workers("3") == 3
    for bad in ("0", "-1", "two"):
        with pytest.raises(ValueError, match="--workers"):
            parse_workers(bad)
    monkeypatch.setenv(WORKERS_ENV, "1")
    assert default_workers() == 1 and parse_workers("auto") == 1
    monkeypatch.setenv(WORKERS_ENV, "lots")
    with pytest.raises(ValueError, match=WORKERS_ENV):
        default_workers()
    monkeypatch.delenv(WORKERS_ENV)
    assert 1 <= default_workers() <= (os.cpu_count() or 1)
    result = runner.invoke(app, ["extract", "-", "--workers", "0"], input="")
    assert result.exit_code == 2 and "--workers" in result.stderr


def test_workers_share_the_models_memory_of_the_process_that_loaded_them(
        pool: ExtractPool) -> None:
    """Workers are forked from a fork server that loaded the models (corrobora/preload.py):
    the models' pages are shared, not loaded again in each worker (about 1.1 GB each)."""
    rollup = Path("/proc/self/smaps_rollup")
    if not rollup.exists():
        pytest.skip("needs Linux /proc")
    pool.extract_isolated(_docs(), lambda doc, problem: pytest.fail(problem))
    # Read in a worker: a bound method of a Path pickles by value.
    text = pool._start().submit(rollup.read_text).result()
    kib = {line.split(":")[0]: int(line.split()[1]) for line in text.splitlines()[1:]}
    shared = kib["Shared_Clean"] + kib["Shared_Dirty"]
    assert shared > 400 * 1024, text  # the language detectors alone are ~330 MB


def test_a_document_repeated_in_the_next_batch_is_stored_once_with_workers(
        tmp_path: Path, stored_rows: Callable[[Path], dict[str, list[tuple[object, ...]]]],
        pool: ExtractPool) -> None:
    """The pool extracts the next batch while the last is stored: a document of the next
    batch that repeats one of the batch in flight (its text, or its id with another text)
    is judged as one process judges it, after that batch is stored."""
    docs = [(f"doc-{i}", t) for i, t in enumerate(TEXTS)]
    items = [*docs[:4], ("doc-again", TEXTS[3]), ("doc-1", "Another text with the same id."),
             *docs[4:]]

    def read() -> list[Document]:
        return [Document(text=t, origin=f"t{i}.txt", id=doc_id)
                for i, (doc_id, t) in enumerate(items)]

    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    with Store(one) as store:
        first = Ingestor(store, batch_size=4).ingest(read())
    with Store(two) as store:
        second = Ingestor(store, batch_size=4, pool=pool).ingest(read())
    assert (first.new, first.already_stored, first.failed) == (5, 1, 1)
    assert (second.new, second.already_stored, second.failed) == (5, 1, 1)
    assert second.failures == first.failures
    assert stored_rows(one) == stored_rows(two)
