"""Analyst review on a real store built from the demo corpus: the queue, split, merge,
confirm, reject, undo, and decisions that hold through re-ingest and re-clustering."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.demo import corpus_path
from corrobora.fuse.events import rebuild
from corrobora.fuse.fusion import recluster, report_reliability
from corrobora.fuse.review import Reviewer, ReviewError
from corrobora.fuse.source_registry import SourceRegistry
from corrobora.ingest import Ingestor
from corrobora.sources import read_paths
from corrobora.store import Store

from .conftest import StoreSpot

runner = CliRunner()


def ingest(store: Store, *paths: str | Path) -> object:
    return Ingestor(store, batch_size=8).ingest(read_paths([str(p) for p in paths]))


@pytest.fixture(scope="module")
def built(module_store: StoreSpot) -> tuple[StoreSpot, Path | str]:
    """The demo corpus ingested once per engine; each test gets a copy."""
    db = module_store("demo.duckdb")
    with Store(db) as store:
        ingest(store, corpus_path())
    return module_store, db


@pytest.fixture()
def store(built: tuple[StoreSpot, Path | str]) -> Iterator[Store]:
    spot, source = built
    with Store(spot.copy(source, f"demo-{secrets.token_hex(4)}.duckdb")) as s:
        yield s


def events_of(store: Store) -> dict[str, str]:
    return dict(store.con.execute("SELECT id, event_id FROM event_reports").fetchall())


def event(store: Store, eid: str) -> dict:
    row = store.event_rows([eid])[eid]
    return row


def expected_row(store: Store, eid: str) -> dict:
    """The event row recomputed independently from its stored reports."""
    sources = SourceRegistry.load()
    reports = store.event_evidence([eid])
    for r in reports:
        r["reliability"] = report_reliability(sources, r["source_key"], r["doc_source"])
    return rebuild(eid, reports, kind=event(store, eid)).row()


def assert_consistent(store: Store, eid: str) -> None:
    row, want = event(store, eid), expected_row(store, eid)
    assert {k: row[k] for k in want} == want


def conflicted(store: Store) -> dict:
    """The first queued link whose event's reports disagree on fatalities."""
    return next(i for i in store.review_event_queue(None) if i["fatalities_conflict"])


def test_queue_lists_the_least_sure_links_first(store: Store) -> None:
    queue = store.review_event_queue(None)
    assert len(queue) >= 3
    priorities = [i["priority"] for i in queue]
    assert priorities == sorted(priorities)
    lowest = min(r for (r,) in store.con.execute(
        "SELECT link_score FROM event_reports r JOIN events e ON e.id = r.event_id "
        "WHERE e.n_reports > 1").fetchall())
    assert queue[0]["priority"] <= lowest
    stories = store.review_story_queue(None)
    assert [s["story_score"] for s in stories] == sorted(s["story_score"] for s in stories)
    assert all(s["link_title"] for s in stories)


def test_split_holds_through_reingest_of_a_new_report_and_reclustering(
        store: Store, tmp_path: Path) -> None:
    item = conflicted(store)
    rid, old = item["report_id"], item["event_id"]
    before = events_of(store)
    left = [r for r, e in before.items() if e == old and r != rid]
    outcome = Reviewer(store, "tester").split([rid], note="another clash")
    new = events_of(store)[rid]
    assert new != old and all(events_of(store)[r] == old for r in left)
    assert_consistent(store, old)
    assert_consistent(store, new)
    assert event(store, old)["n_reports"] == len(left)
    assert outcome.decision_id in {d["id"] for d in store.decisions()}
    assert rid not in {i["report_id"] for i in store.review_event_queue(None)}

    # The same corpus again, plus a new report of the same clash.
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({
        "id": "extra-culiacan", "lang": "en", "source": "Test Wire",
        "published_at": "2024-09-12T08:00:00Z",
        "title": "Deadly clashes in Culiacán",
        "text": "Gunmen killed seven people in Culiacán, Sinaloa, on Wednesday in clashes "
                "between factions of the Sinaloa Cartel, the state prosecutor said. "
                "Schools in the city stayed closed on Thursday.",
    }) + "\n")
    ingest(store, corpus_path(), extra)
    after = events_of(store)
    assert after[rid] != after[left[0]]
    new_reports = [r for r in after if r not in before]
    assert new_reports, "the new document yields event reports"
    for eid in {after[rid], after[left[0]]}:
        assert_consistent(store, eid)

    counts = recluster(store)
    assert counts["reports"] == len(after)
    again = events_of(store)
    assert again[rid] != again[left[0]]
    assert all(again[r] == again[left[0]] for r in left)


def test_merge_recomputes_counts_and_grades_and_survives_reclustering(store: Store) -> None:
    singles = store.con.execute(
        "SELECT e.id FROM events e WHERE e.n_reports = 1 AND e.type = 'ARMED_CLASH' "
        "OR e.n_reports = 1 ORDER BY e.date, e.id LIMIT 2").fetchall()
    (a,), (b,) = singles
    ra, rb = event(store, a), event(store, b)
    outcome = Reviewer(store).merge(a, b)
    assert b in outcome.deleted and not store.event_rows([b])
    merged = event(store, a)
    assert merged["n_reports"] == ra["n_reports"] + rb["n_reports"]
    assert_consistent(store, a)
    assert merged["independent_sources"] >= max(ra["independent_sources"],
                                                rb["independent_sources"])
    assert merged["credibility"] <= max(ra["credibility"], rb["credibility"])
    reports = [r for r, e in events_of(store).items() if e == a]
    recluster(store)
    after = events_of(store)
    assert len({after[r] for r in reports}) == 1
    assert after[reports[0]] == a, "re-clustering keeps the ids of unmoved events"


def test_reclustering_an_unreviewed_store_changes_nothing(store: Store) -> None:
    before = store.con.execute("SELECT * EXCLUDE (updated_at) FROM events ORDER BY id").fetchall()
    counts = recluster(store)
    assert counts["reports_moved"] == 0
    after = store.con.execute("SELECT * EXCLUDE (updated_at) FROM events ORDER BY id").fetchall()
    assert after == before


def test_confirm_takes_links_off_the_queue_and_undo_restores_a_split(store: Store) -> None:
    item = conflicted(store)
    reviewer = Reviewer(store)
    reviewer.confirm(item["event_id"])
    assert item["event_id"] not in {i["event_id"] for i in store.review_event_queue(None)}
    row_before = event(store, item["event_id"])
    split = reviewer.split([item["report_id"]])
    reviewer.undo(split.decision_id)
    assert events_of(store)[item["report_id"]] == item["event_id"]
    row_after = event(store, item["event_id"])
    for k in ("n_reports", "independent_sources", "credibility", "fatalities_min",
              "fatalities_max"):
        assert row_after[k] == row_before[k]
    assert store.get_decision(split.decision_id)["undone_by"]
    with pytest.raises(ReviewError):
        reviewer.undo(split.decision_id)


def test_reject_keeps_the_report_apart_and_bad_ids_are_errors(store: Store) -> None:
    item = conflicted(store)
    reviewer = Reviewer(store)
    reviewer.reject(item["report_id"])
    assert events_of(store)[item["report_id"]] != item["event_id"]
    with pytest.raises(ReviewError):
        reviewer.split(["no-such-report"])
    lone = store.con.execute("SELECT id FROM events WHERE n_reports = 1 LIMIT 1").fetchone()[0]
    (only,) = [r for r, e in events_of(store).items() if e == lone]
    with pytest.raises(ReviewError):
        reviewer.split([only])


def test_story_split_merge_and_undo(store: Store) -> None:
    item = store.review_story_queue(1)[0]
    doc, old = item["document_id"], item["story_id"]
    reviewer = Reviewer(store)
    split = reviewer.story_split([doc])
    new = store.story_ids([doc])[doc]
    assert new != old
    assert doc not in {i["document_id"] for i in store.review_story_queue(None)}
    reviewer.story_merge(old, new)
    assert store.story_ids([doc])[doc] == old
    reviewer.undo(split.decision_id)
    assert store.story_ids([doc])[doc] == old


def test_review_commands(built: tuple[StoreSpot, Path | str]) -> None:
    spot, source = built
    db = spot.copy(source, "cli.duckdb")
    listed = runner.invoke(app, ["review", "list", "--db", str(db), "--format", "jsonl"])
    assert listed.exit_code == 0, listed.output
    first = json.loads(listed.stdout.splitlines()[0])
    text = runner.invoke(app, ["review", "list", "--db", str(db), "--limit", "2"])
    assert first["report_id"] in text.stdout and "“" in text.stdout
    split = runner.invoke(app, ["review", "split", first["report_id"], "--db", str(db),
                                "--by", "ana", "--note", "not the same"])
    assert split.exit_code == 0, split.output
    assert "split from" in split.stdout
    log = runner.invoke(app, ["review", "log", "--db", str(db), "--format", "jsonl"])
    (decision,) = [json.loads(x) for x in log.stdout.splitlines()]
    assert decision["actor"] == "ana" and decision["kind"] == "event_split"
    undo = runner.invoke(app, ["review", "undo", decision["id"], "--db", str(db)])
    assert undo.exit_code == 0, undo.output
    bad = runner.invoke(app, ["review", "merge", "evt-nope", "evt-nada", "--db", str(db)])
    assert bad.exit_code == 1 and "no single event" in bad.output
    story = runner.invoke(app, ["review", "list", "--story", "--db", str(db)])
    assert story.exit_code == 0 and "linked to" in story.stdout
    help_text = runner.invoke(app, ["review", "--help"])
    assert "corrobora review split" in help_text.stdout
