"""Stories: the seed article, a reprint under another outlet's name, a shortened English
rewrite and a Spanish summary are one story; an unrelated report of the same days is not.
Ingested into a real DuckDB store, in two batches, as a user's successive runs would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from corrobora.ingest import Ingestor
from corrobora.model import Document
from corrobora.sources import read_paths
from corrobora.store import Store

REWRITE = (
    "US intelligence helped Mexico kill CJNG leader El Mencho\n\n"
    "Nemesio Oseguera Cervantes, the head of the Jalisco New Generation Cartel known as "
    "El Mencho, died of wounds suffered in a military operation in Tapalpa, Jalisco, Mexican "
    "authorities said. According to Reuters, the CIA passed intelligence to Mexican forces "
    "through the Joint Interagency Task Force Counter Cartel. Gunfights and road blockades "
    "followed in Jalisco and Michoacán, and flights at Puerto Vallarta and Guadalajara "
    "airports were disrupted."
)
SUMMARY_ES = (
    "Inteligencia de la CIA, clave en la muerte de El Mencho\n\n"
    "Nemesio Oseguera Cervantes, \"El Mencho\", líder del Cártel Jalisco Nueva Generación, "
    "murió por las heridas sufridas durante un operativo militar en Tapalpa, Jalisco, según "
    "las autoridades mexicanas. De acuerdo con Reuters y The New York Times, la CIA aportó "
    "información de inteligencia a través de la Fuerza de Tarea Conjunta Contra los Cárteles. "
    "Tras el operativo hubo enfrentamientos y bloqueos en Jalisco y Michoacán, y vuelos "
    "afectados en los aeropuertos de Puerto Vallarta y Guadalajara."
)
UNRELATED = (
    "Fishermen protest fuel prices in Veracruz port\n\n"
    "Hundreds of fishermen blocked the entrance to the port of Veracruz on Monday to protest "
    "a rise in diesel prices, the port authority said. The protest ended peacefully in the "
    "afternoon after talks with federal officials; no arrests were made."
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, seed_article: Path) -> Iterator[Store]:
    seed = next(d for d in read_paths([str(seed_article)]) if isinstance(d, Document))
    day = datetime(2026, 2, 23, 9, tzinfo=UTC)
    seed = Document(seed.text, "seed", id="seed", title=seed.title, source="Blitz",
                    published_at=day)
    reprint = Document(seed.text.replace("Bangladesh", "Pakistan"), "reprint",
                       id="reprint", title=seed.title, source="Daily Times",
                       published_at=day.replace(hour=15))
    st = Store(tmp_path_factory.mktemp("stories") / "stories.duckdb")
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
