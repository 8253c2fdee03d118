"""Actors over time: registry relations stored with their sources and dates, relations stated
in text kept with their sentence, and `corrobora export actors` (CONTRACTS §2)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.demo import corpus_path
from corrobora.extract.actors import ActorRegistry
from corrobora.fuse.relations import registry_rows, text_rows
from corrobora.store import Store

from .conftest import StoreSpot

runner = CliRunner()


def test_text_relations_name_both_actors_and_keep_the_sentence() -> None:
    text = ("Los Chapitos, a faction of the Sinaloa Cartel, fought Los Mayos. "
            "El grupo está aliado del CJNG.")
    chap, sin = text.index("Los Chapitos"), text.index("Sinaloa Cartel")
    mentions = [(chap, chap + 12, "los-chapitos"), (sin - 4, sin + 14, "sinaloa-cartel")]
    (row,) = text_rows("d1", text, datetime(2024, 9, 12), mentions)
    assert (row["type"], row["source"], row["target"]) == ("faction_of", "los-chapitos",
                                                           "sinaloa-cartel")
    assert row["as_of"] == "2024-09-12" and row["evidence"] == [f"d1#0-{text.index('.') + 1}"]
    assert row["origin"] == "text"


def test_registry_relations_are_stored_with_sources_and_dates(new_store: StoreSpot) -> None:
    registry = ActorRegistry.load()
    rows = registry_rows(registry)
    assert rows and {r["type"] for r in rows} <= {"alliance", "rivalry", "faction_of",
                                                  "splinter_of", "cell_of", "leader_of",
                                                  "official_of"}
    with Store(new_store("s.duckdb")) as store:
        store.upsert_actor_relations(rows)
        store.upsert_actor_relations(rows)  # idempotent
        stored = store.actor_relations()
        assert len(stored) == len({r["id"] for r in rows})
        assert any(r["evidence"] for r in stored)


def test_export_actors_follows_the_contract(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    ok = runner.invoke(app, ["ingest", str(corpus_path()), "--db", str(db), "-q"])
    assert ok.exit_code == 0, ok.output
    out = tmp_path / "actors.jsonl"
    result = runner.invoke(app, ["export", "actors", "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = {r["actor_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert "cjng" in records
    for r in records.values():
        assert {"actor_id", "name", "aliases", "type", "relations"} <= r.keys()
        for rel in r["relations"]:
            assert {"type", "target", "start", "end", "evidence"} <= rel.keys()
    related = [r for r in records.values() if r["relations"]]
    assert related, "registry relations are exported"
    sinaloa = records.get("sinaloa-cartel")
    if sinaloa:
        assert any(rel["type"] in ("rivalry", "alliance") for rel in sinaloa["relations"])
