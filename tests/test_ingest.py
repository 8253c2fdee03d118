"""Ingest end to end into a real DuckDB file: the seed article, the demo corpus, re-runs,
interruptions and bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from corrobora.demo import corpus_path
from corrobora.ingest import Ingestor
from corrobora.model import Document
from corrobora.sources import read_paths
from corrobora.store import EventFilter, Store

from .conftest import StoreSpot

SIX_STATES = {"MX-JAL", "MX-MIC", "MX-TAM", "MX-ZAC", "MX-COL", "MX-OAX"}


def ingest(store: Store, *paths: str | Path) -> object:
    return Ingestor(store, batch_size=8).ingest(read_paths([str(p) for p in paths]))


def events_with_places(store: Store) -> list[dict]:
    return store.list_events(EventFilter(limit=None))


@pytest.fixture(scope="module")
def seed_store(module_store: StoreSpot, seed_article: Path) -> Iterator[Store]:
    store = Store(module_store("seed.duckdb"))
    ingest(store, seed_article)
    yield store
    store.close()


def test_seed_article_yields_the_killing_of_el_mencho_in_tapalpa(seed_store: Store) -> None:
    rows = [e for e in events_with_places(seed_store) if e["type"] == "LEADER_KILLED"]
    assert any(e["place_name"] == "Tapalpa" and e["admin1_code"] == "MX-JAL"
               and e["inegi_code"] == "14086" for e in rows)
    event = seed_store.get_event(next(e["id"] for e in rows if e["place_name"] == "Tapalpa"))
    assert event is not None
    assert any(a["actor_id"] == "el-mencho" or "Oseguera" in a["text"] for a in event["actors"])


def test_seed_article_yields_clashes_in_six_states(seed_store: Store) -> None:
    clashes = [e for e in events_with_places(seed_store) if e["case_label"] == "ARMED_CLASH"
               and e["geo_precision"] == 3]
    assert {e["admin1_code"] for e in clashes} >= SIX_STATES
    one = seed_store.get_event(next(e["id"] for e in clashes if e["admin1_code"] == "MX-COL"))
    assert one is not None
    assert any(a["actor_id"] == "cjng" for a in one["actors"])
    assert not one["hedged"]


def test_seed_article_yields_airport_disruptions(seed_store: Store) -> None:
    places = {(e["place_name"], e["admin1_code"]) for e in events_with_places(seed_store)
              if e["type"] == "DISRUPTION"}
    assert {("Guadalajara", "MX-JAL"), ("Puerto Vallarta", "MX-JAL")} <= places


def test_seed_article_intelligence_claim_is_attributed_and_hedged(seed_store: Store) -> None:
    rows = seed_store.con.execute(
        "SELECT r.attribution, r.hedged FROM event_reports r JOIN documents d "
        "ON d.id = r.document_id WHERE r.type = 'INTEL_SHARING' AND "
        "position('CIA channeled' IN substring(d.text, r.sentence_start + 1, "
        "r.sentence_end - r.sentence_start)) > 0"
    ).fetchall()
    assert rows == [(["Reuters", "The New York Times"], True)]


def test_stored_text_has_no_site_chrome(seed_store: Store) -> None:
    (text,) = seed_store.con.execute("SELECT text FROM documents").fetchone()
    for chrome in ("cookies", "menu_open", "More information", "Please follow Blitz",
                   "© Blitz"):
        assert chrome not in text
    assert "Tapalpa, in the western state of Jalisco" in text


def test_every_event_traces_to_a_sentence_of_a_stored_document(seed_store: Store) -> None:
    orphans = seed_store.con.execute(
        "SELECT count(*) FROM events e WHERE NOT EXISTS "
        "(SELECT 1 FROM event_reports r JOIN documents d ON d.id = r.document_id "
        " WHERE r.event_id = e.id AND r.sentence_end <= length(d.text))"
    ).fetchone()[0]
    assert orphans == 0


def test_reingesting_the_same_file_adds_nothing(new_store: StoreSpot, seed_article: Path) -> None:
    with Store(new_store("c.duckdb")) as store:
        first = ingest(store, seed_article)
        counts = store.stats()
        second = ingest(store, seed_article)
        assert (first.new, second.new, second.already_stored) == (1, 0, 1)
        assert store.stats() == counts


@pytest.fixture(scope="module")
def demo_store(module_store: StoreSpot) -> Iterator[Store]:
    store = Store(module_store("demo.duckdb"))
    ingest(store, corpus_path())
    yield store
    store.close()


def test_demo_reprint_is_a_copy_of_the_earlier_report(demo_store: Store) -> None:
    rows = demo_store.con.execute(
        "SELECT d.origin, o.origin FROM documents d JOIN documents o ON o.id = d.duplicate_of"
    ).fetchall()
    assert [(Path(a).name, Path(b).name) for a, b in rows] == [
        ("2024-07-26-el-mayo-arrest-reprint.md", "2024-07-26-el-mayo-arrest.md")]


def test_reprint_does_not_count_as_an_independent_source(demo_store: Store) -> None:
    (event,) = [e for e in events_with_places(demo_store)
                if e["type"] == "LEADER_CAPTURED" and e["place_name"] == "El Paso"]
    reports = demo_store.get_event(event["id"])["reports"]
    by_origin = {Path(r["origin"]).name: r["source_key"] for r in reports}
    # The English original, its reprint and a Spanish report tell it; the reprint adds
    # nothing to the count of independent sources.
    assert by_origin["2024-07-26-el-mayo-arrest-reprint.md"] == \
        by_origin["2024-07-26-el-mayo-arrest.md"]
    # "..., the US Department of Justice said" / "informó el Departamento de Justicia de
    # Estados Unidos": every report stands on the Department, in either language.
    assert by_origin["2024-07-26-el-mayo-arrest.md"] == "US Department of Justice"
    assert "US Department of Justice" in {r["source_key"] for r in reports
                                          if r["origin"].endswith("reports.jsonl")}
    assert event["independent_sources"] == 1


def test_events_filter_by_place_period_type_and_actor(demo_store: Store) -> None:
    sinaloa = demo_store.list_events(EventFilter(place="MX-SIN", limit=None))
    assert sinaloa and all(e["admin1_code"] == "MX-SIN" for e in sinaloa)
    from datetime import date

    in_2024 = demo_store.list_events(EventFilter(place="Culiacán", since=date(2024, 1, 1),
                                                 until=date(2024, 12, 31), limit=None))
    assert in_2024 and all(e["date"].year == 2024 for e in in_2024)
    assert all(e["case_label"] == "ARMED_CLASH" for e in
               demo_store.list_events(EventFilter(type="ARMED_CLASH", limit=None)))
    cjng = demo_store.list_events(EventFilter(actor="cjng", limit=None))
    assert cjng and all(e["id"] for e in cjng)


class Interrupted(Exception):
    pass


def test_interrupted_ingest_leaves_a_consistent_store_and_a_rerun_completes(
        tmp_path: Path) -> None:
    corpus = corpus_path()
    db = tmp_path / "c.duckdb"

    def explode_after(n: int) -> Iterator[object]:
        for i, item in enumerate(read_paths([str(corpus)])):
            if i == n:
                raise Interrupted
            yield item

    with Store(db) as store, pytest.raises(Interrupted):
        Ingestor(store, batch_size=4).ingest(explode_after(6))
    with Store(db) as store:
        # Only the first full batch of 4 was committed; the second (2 items) rolled back.
        assert store.stats()["documents"] == 4
        dangling = store.con.execute(
            "SELECT count(*) FROM event_reports r LEFT JOIN events e ON e.id = r.event_id "
            "WHERE e.id IS NULL").fetchone()[0]
        assert dangling == 0
        summary = Ingestor(store, batch_size=4).ingest(read_paths([str(corpus)]))
        assert summary.already_stored == 4 and summary.new == 10
        assert store.stats()["documents"] == 14


def test_bad_inputs_are_named_and_the_rest_of_the_batch_is_stored(
        tmp_path: Path, seed_article: Path, new_store: StoreSpot) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "noise.bin").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "cut.jsonl").write_text(
        '{"id": "a", "text": "Balacera en Culiacán"}\n{"id": "b", "te')
    with Store(new_store("c.duckdb")) as store:
        ingest(store, seed_article)
        before = store.stats()["documents"]
        summary = ingest(store, tmp_path / "empty.txt", tmp_path / "noise.bin",
                         tmp_path / "cut.jsonl")
        assert summary.new == 1 and summary.failed == 3
        assert all(any(name in f for f in summary.failures)
                   for name in ("empty.txt", "noise.bin", "cut.jsonl:2"))
        assert store.stats()["documents"] == before + 1
        assert store.stats()["failures"] == 3


def test_a_document_id_reused_for_another_text_is_refused(new_store: StoreSpot) -> None:
    docs = [Document("Balacera en Culiacán deja dos muertos.", "a.jsonl", id="x"),
            Document("Otro texto completamente distinto sobre Tijuana.", "b.jsonl", id="x")]
    with Store(new_store("c.duckdb")) as store:
        summary = Ingestor(store).ingest(docs)
        assert summary.new == 1 and summary.failed == 1
        assert "already stored" in summary.failures[0] or "x" in summary.failures[0]


def test_an_earlier_original_ingested_later_takes_over_the_copy_group(new_store: StoreSpot) -> None:
    from datetime import UTC, datetime

    text = (corpus_path() / "notes" / "2024-09-12-culiacan-clashes.md").read_text()
    body = text.split("---", 1)[1].strip()
    late = Document(body, "late.md", title="Culiacán clashes",
                    published_at=datetime(2024, 9, 13, tzinfo=UTC))
    early = Document(body + " Updated.", "early.md", title="Culiacán clashes (first report)",
                     published_at=datetime(2024, 9, 12, tzinfo=UTC))
    with Store(new_store("c.duckdb")) as store:
        Ingestor(store).ingest([late])
        Ingestor(store).ingest([early])
        rows = dict(store.con.execute(
            "SELECT origin, duplicate_of IS NULL FROM documents").fetchall())
        assert rows == {"early.md": True, "late.md": False}
        assert store.con.execute("SELECT count(DISTINCT story_id) FROM documents").fetchone() \
            == (1,)


def _reports(n: int) -> list[dict[str, str]]:
    towns = ["Celaya", "Culiacán", "Tijuana", "Morelia", "Zamora", "Uruapan", "Reynosa"]
    return [{"id": f"r{i:03d}", "text": f"Report {i}: gunmen attacked a bar in "
             f"{towns[i % len(towns)]} on day {i}, police said. No one was detained."}
            for i in range(n)]


def test_a_bad_document_sorted_70th_of_130_costs_only_itself(tmp_path: Path,
                                                             new_store: StoreSpot) -> None:
    # The audit's case: one bad input in the second batch of 64 lost that whole batch and
    # the rest of the run (64 stored, 66 lost).
    import json

    lines = [json.dumps(r) for r in _reports(130)]
    lines[69] = '{"id": "r069", "text": "bad \\ud800 text"}'
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with Store(new_store("c.duckdb")) as store:
        summary = Ingestor(store, batch_size=64).ingest(read_paths([str(path)]))
        assert (summary.new, summary.failed) == (129, 1)
        assert summary.failures == [f"{path}:70: id 'r069': 'text' has a lone surrogate "
                                    "('\\ud800') at character 4; not valid Unicode"]
        assert store.stats()["documents"] == 129


def test_library_document_with_a_lone_surrogate_is_reported_not_fatal(new_store: StoreSpot) -> None:
    docs = [Document("Balacera en Culiacán deja dos muertos.", "a", title="bad \udcff"),
            Document("Otro texto completamente distinto sobre Tijuana.", "b")]
    with Store(new_store("c.duckdb")) as store:
        summary = Ingestor(store).ingest(docs)
        assert (summary.new, summary.failed) == (1, 1)
        assert summary.failures == ["a: 'title' has a lone surrogate ('\\udcff') at character 4"]
        assert store.stats()["documents"] == 1 and store.stats()["failures"] == 1


def test_documents_dated_at_the_calendar_ends_do_not_stop_the_run(new_store: StoreSpot) -> None:
    # OverflowError in the story window (and fusion's) around 0001-01-01 and 9999-12-31.
    from datetime import UTC, datetime

    text = ("Gunmen killed three police officers in Celaya, Guanajuato, yesterday, "
            "officials said on Monday.")
    docs = [Document(text + " One.", "a", id="a", published_at=datetime(1, 1, 1, tzinfo=UTC)),
            Document(text + " Two.", "b", id="b",
                     published_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC)),
            Document("Elementos del Ejército detuvieron a dos personas en Culiacán, Sinaloa.",
                     "c", id="c", published_at=datetime(2024, 1, 1, tzinfo=UTC))]
    with Store(new_store("c.duckdb")) as store:
        summary = Ingestor(store, batch_size=8).ingest(docs)
        stored = {r[0] for r in store.con.execute("SELECT id FROM documents").fetchall()}
        # Each is stored, or refused with one line; never the run's end.
        assert {"b", "c"} <= stored
        assert summary.new + summary.failed == 3 and summary.new == len(stored)
        assert all(f.startswith(("a (id 'a'): ", "b (id 'b'): ")) and "\n" not in f
                   for f in summary.failures)
        assert store.stats()["failures"] == summary.failed


def test_a_document_failing_in_fusion_costs_only_itself(new_store: StoreSpot) -> None:
    # A library caller's naive datetime cannot be compared with the stored (UTC) ones: the
    # batch fails in story assignment, is retried one document at a time, and only that
    # document is refused; counts are of what was written.
    from datetime import UTC, datetime

    text = "Gunmen killed three police officers in Celaya, Guanajuato, on Monday."
    docs = [Document(f"{text} Report {i}.", f"d{i}", id=f"d{i}",
                     published_at=datetime(2024, 5, 3) if i == 2
                     else datetime(2024, 5, i + 1, tzinfo=UTC)) for i in range(5)]
    with Store(new_store("c.duckdb")) as store:
        summary = Ingestor(store, batch_size=8).ingest(docs)
        stats = store.stats()
        assert summary.failures == ["d2 (id 'd2'): failed (TypeError: can't compare "
                                    "offset-naive and offset-aware datetimes)"]
        assert (summary.new, stats["documents"], stats["failures"]) == (4, 4, 1)
        assert summary.event_reports == stats["event_reports"]
        assert sum(summary.by_language.values()) == summary.new
        rerun = Ingestor(store, batch_size=8).ingest(docs)
        assert (rerun.new, rerun.already_stored, rerun.failed) == (0, 4, 1)


def test_a_document_past_its_time_budget_is_not_extracted_a_second_time(
        new_store: StoreSpot, monkeypatch: pytest.MonkeyPatch) -> None:
    # The batch stopped at the slow document; the retry one at a time extracted it again and
    # it spent its whole budget twice. A budget of 0 puts every document past it at once:
    # which document is named first, and how often spaCy tokenized it, involve no timing.
    import sys
    from collections import Counter

    from corrobora.extractor import BUDGET_ENV

    monkeypatch.setenv(BUDGET_ENV, "0")
    docs = [Document(r["text"], f"{r['id']}.txt", id=r["id"], lang="en") for r in _reports(3)]
    tokenized: Counter[str] = Counter()

    def profile(frame: object, event: str, arg: object) -> None:
        code = frame.f_code  # type: ignore[attr-defined]
        if event == "call" and code.co_name == "make_doc" and "spacy" in code.co_filename:
            tokenized[frame.f_locals["text"]] += 1  # type: ignore[attr-defined]

    with Store(new_store("c.duckdb")) as store:
        ingestor = Ingestor(store, batch_size=8)
        sys.setprofile(profile)
        try:
            summary = ingestor.ingest(docs)
        finally:
            sys.setprofile(None)
        assert (summary.new, summary.failed, store.stats()["failures"]) == (0, 3, 3)
    assert [f.split(":")[0] for f in summary.failures] == [
        "r000.txt (id 'r000')", "r001.txt (id 'r001')", "r002.txt (id 'r002')"]
    assert all("over its budget of 0 s" in f for f in summary.failures)
    assert tokenized[docs[0].text] == 1


# A process that kills itself with SIGKILL at a chosen point: no timing involved.
_KILLED_AT = """
import os, signal, sys
from corrobora.store import Store
db, src, at = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = Store(db)
from corrobora.ingest import Ingestor
from corrobora.sources import read_paths

def items():
    for i, item in enumerate(read_paths([src])):
        if i == at:
            os.kill(os.getpid(), signal.SIGKILL)  # mid-batch: the batch in flight is lost
        yield item

Ingestor(store, batch_size=4).ingest(items())
"""


def _killed_at(db: Path, src: Path, at: int) -> None:
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.run([sys.executable, "-c", _KILLED_AT, str(db), str(src), str(at)],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def _consistent(db: Path) -> int:
    with Store(db, read_only=True) as store:
        orphans = store.con.execute(
            "SELECT count(*) FROM event_reports r LEFT JOIN documents d ON d.id = r.document_id "
            "LEFT JOIN events e ON e.id = r.event_id WHERE d.id IS NULL OR e.id IS NULL"
        ).fetchone()[0]
        assert orphans == 0
        return store.stats()["documents"]


def test_kill_9_mid_ingest_keeps_whole_batches_and_a_rerun_completes(tmp_path: Path) -> None:
    import json

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _reports(14)))
    db = tmp_path / "c.duckdb"
    _killed_at(db, src, 6)  # batch 1 (4 documents) written, batch 2 in flight
    assert _consistent(db) == 4
    _killed_at(db, src, 13)  # batches 2 and 3 written, batch 4 in flight
    assert _consistent(db) == 12
    with Store(db) as store:
        summary = Ingestor(store, batch_size=4).ingest(read_paths([str(src)]))
        assert (summary.new, summary.already_stored, summary.failed) == (2, 12, 0)
    assert _consistent(db) == 14
