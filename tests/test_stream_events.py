"""Events of the news stream (local data, `../shared/data/news-stream/`): one real-world
event, one row. The capture of Ismael Zambada and Joaquín Guzmán López (2024-07-25, near
El Paso), told by the articles of the stream whose file name names the Sinaloa cartel."""

from __future__ import annotations

from pathlib import Path

import pytest

from corrobora.ingest import Ingestor
from corrobora.sources import ReadFailure, read_path
from corrobora.store import Store

ARCHIVE = "data/news-stream/news_2024-07-16_to_2024-08-01.tar.gz"


@pytest.fixture(scope="module")
def zambada_store(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = shared / ARCHIVE
    if not archive.exists():
        pytest.skip(f"{archive} is not here (local data)")
    docs = [d for d in read_path(str(archive)) if not isinstance(d, ReadFailure)
            and "sinaloa" in d.origin.rsplit("/", 1)[-1].lower()]
    for d in docs:
        d.source = "CNN"
    db = tmp_path_factory.mktemp("stream") / "zambada.duckdb"
    with Store(db) as store:
        Ingestor(store).ingest(docs)
    return db


def test_the_zambada_capture_is_one_event_on_its_day_in_the_united_states(
        zambada_store: Path) -> None:
    with Store(zambada_store, read_only=True) as store:
        events = [e for e in store.export_events() if e["case_label"] == "ARREST"]
    biggest = max(events, key=lambda e: len({r["document_id"] for r in e["reports"]}))
    docs = {r["document_id"] for e in events for r in e["reports"]}
    assert str(biggest["date"]) == "2024-07-25"
    assert biggest["country_code"] == "US"
    # One event holds the reports of most articles that report the capture.
    assert len({r["document_id"] for r in biggest["reports"]}) >= 0.6 * len(docs)
    # Every article is CNN's: one outlet, one source, however many articles it wrote.
    assert biggest["independent_sources"] == 1 and biggest["credibility"] >= 3
