"""Stories and independence: the seed article, a reprint under another outlet's name, a
shortened English rewrite and a Spanish summary (both crediting the seed's outlet) are one
story and one source; an unrelated report of the same days is another story. Ingested into a
real DuckDB store, in two batches, as a user's successive runs would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from corrobora.ingest import Ingestor
from corrobora.model import Document
from corrobora.sources import read_paths
from corrobora.store import EventFilter, Store

from ..conftest import StoreSpot

REWRITE = (
    "US intelligence helped Mexico kill CJNG leader El Mencho\n\n"
    "Nemesio Oseguera Cervantes, the head of the Jalisco New Generation Cartel known as "
    "El Mencho, died of wounds suffered in a military operation in Tapalpa, Jalisco, the "
    "newspaper Blitz reported. According to Reuters, the CIA passed intelligence to Mexican "
    "forces through the Joint Interagency Task Force Counter Cartel. Gunfights and road "
    "blockades followed in Jalisco and Michoacán, and flights at Puerto Vallarta and "
    "Guadalajara airports were disrupted, Blitz said."
)
SUMMARY_ES = (
    "Inteligencia de la CIA, clave en la muerte de El Mencho\n\n"
    "Nemesio Oseguera Cervantes, \"El Mencho\", líder del Cártel Jalisco Nueva Generación, "
    "murió por las heridas sufridas durante un operativo militar en Tapalpa, Jalisco, según "
    "el diario Blitz. De acuerdo con Reuters y The New York Times, la CIA aportó información "
    "de inteligencia a través de la Fuerza de Tarea Conjunta Contra los Cárteles."
)
UNRELATED = (
    "Fishermen protest fuel prices in Veracruz port\n\n"
    "Hundreds of fishermen blocked the entrance to the port of Veracruz on Monday to protest "
    "a rise in diesel prices, the port authority said. The protest ended peacefully in the "
    "afternoon after talks with federal officials; no arrests were made."
)


@pytest.fixture(scope="module")
def store(module_store: StoreSpot, seed_article: Path) -> Iterator[Store]:
    seed = next(d for d in read_paths([str(seed_article)]) if isinstance(d, Document))
    day = datetime(2026, 2, 23, 9, tzinfo=UTC)
    seed = Document(seed.text, "seed", id="seed", title=seed.title, source="Blitz",
                    published_at=day)
    reprint = Document(seed.text.replace("Bangladesh", "Pakistan"), "reprint",
                       id="reprint", title=seed.title, source="Daily Times",
                       published_at=day.replace(hour=15))
    st = Store(module_store("stories.duckdb"))
    Ingestor(st).ingest([seed])
    # A later run: the reprint, the rewrites and an unrelated story join what is stored.
    Ingestor(st).ingest([
        reprint,
        Document(REWRITE, "rewrite", id="rewrite", source="Wire Digest",
                 published_at=day.replace(day=24)),
        Document(SUMMARY_ES, "summary-es", id="summary-es", lang="es",
                 source="Noticias MX", published_at=day.replace(day=24, hour=12)),
        Document(UNRELATED, "unrelated", id="unrelated", source="Wire Digest",
                 published_at=day.replace(day=24, hour=8)),
    ])
    yield st
    st.close()


def test_reprint_rewrite_and_spanish_summary_are_one_story(store: Store) -> None:
    docs = {d["id"]: d for d in store.export_documents()}
    assert docs["reprint"]["duplicate_of"] == "seed"
    assert docs["rewrite"]["duplicate_of"] is None
    story = docs["seed"]["story_id"]
    assert {i for i, d in docs.items() if d["story_id"] == story} == {
        "seed", "reprint", "rewrite", "summary-es"}
    assert docs["unrelated"]["story_id"] not in (story, None)


def test_each_story_link_is_a_recorded_decision(store: Store) -> None:
    rows = {r[0]: r[1:] for r in store.con.execute(
        "SELECT id, story_link, story_score FROM documents").fetchall()}
    assert rows["seed"] == (None, None)  # opened its story
    link, score = rows["summary-es"]
    assert link in ("seed", "rewrite") and score is not None and score >= 1.0


def test_reprints_and_rewrites_of_one_article_are_one_independent_source(store: Store) -> None:
    killings = [e for e in store.list_events(EventFilter(type="LEADER_KILLED", limit=None))
                if e["place_name"] == "Tapalpa"]
    assert len(killings) == 1
    event = store.get_event(killings[0]["id"])
    assert {r["document_id"] for r in event["reports"]} >= {"seed", "rewrite", "summary-es"}
    # Four documents, one source: the reprint is a copy, the rewrites credit Blitz.
    assert killings[0]["independent_sources"] == 1
    assert killings[0]["credibility"] == 3  # "possibly true": one source, stated as fact
