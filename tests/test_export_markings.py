"""Markings travel with STIX and MISP objects, and every export takes a visibility filter
(markings.py): a predicate or a reader object, default everything. Until analysts set
markings (issue 20), a document is marked in the real store file directly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import stix2validator
from pymisp import MISPEvent

from corrobora.export.markings import cleared_up_to, event_marking
from corrobora.export.records import events_with_reports
from corrobora.export.release import write_release
from corrobora.export.run import export
from corrobora.export.stix import TLP_IDS
from corrobora.store import Store

from .export_store import export_store


def _amber_store(tmp_path: Path) -> tuple[Path, str, set[str]]:
    """The export store with one document marked TLP:AMBER: (store, document, the events
    it reports)."""
    db = export_store(tmp_path)
    with Store(db, read_only=True) as store:
        events = list(events_with_reports(store))
    doc = next(r["document_id"] for e in events for r in e["report_rows"]
               if not r["document_id"].startswith("acled:"))
    con = duckdb.connect(str(db))
    con.execute("UPDATE documents SET marking = 'TLP:AMBER' WHERE id = ?", [doc])
    con.close()
    hit = {e["id"] for e in events if any(r["document_id"] == doc for r in e["report_rows"])}
    return db, doc, hit


def _events(db: Path, fmt: str, out: Path, **kw: Any) -> str:
    with Store(db, read_only=True) as store:
        export(store, "events", fmt, str(out), **kw)
    return out.read_text("utf-8")


def test_stix_and_misp_carry_each_objects_marking(tmp_path: Path) -> None:
    db, doc, hit = _amber_store(tmp_path)
    text = _events(db, "stix", tmp_path / "bundle.json")
    result = stix2validator.validate_string(text, stix2validator.ValidationOptions())
    assert result.is_valid, [str(e) for o in result.object_results for e in o.errors]
    objects = json.loads(text)["objects"]
    assert {o["name"] for o in objects if o["type"] == "marking-definition"} == {
        "TLP:CLEAR", "TLP:AMBER"}
    for o in objects:
        if o["type"] == "report":
            want = "TLP:AMBER" if o["x_corrobora_event_id"] in hit else "TLP:CLEAR"
            assert o["object_marking_refs"] == [TLP_IDS[want]], o["x_corrobora_event_id"]

    lines = _events(db, "misp", tmp_path / "misp.jsonl").splitlines()
    seen = 0
    for line in lines:
        event = MISPEvent()
        event.load(line)
        data = json.loads(line)["Event"]
        tags = {t["name"] for t in data["Tag"]}
        amber = "(Corrobora " in data["info"] and data["info"].rsplit("(Corrobora ", 1)[
            1].rstrip(")") in hit
        assert ("tlp:amber" in tags) == amber and ("tlp:clear" in tags) != amber
        for a in data["Attribute"]:
            if a["type"] == "text" and doc in a["comment"]:
                assert a["Tag"] == [{"name": "tlp:amber"}]
                seen += 1
    assert seen


class _Reader:
    """A reader as issue 20 may define one: an object with a `visible(row)` method."""

    def __init__(self, hidden: str) -> None:
        self.hidden = hidden

    def visible(self, row: dict[str, Any]) -> bool:
        return row.get("document_id", row.get("id")) != self.hidden


def test_exports_leave_out_what_the_visibility_filter_hides(tmp_path: Path) -> None:
    db, doc, hit = _amber_store(tmp_path)
    everything = [json.loads(x)["event_id"] for x in _events(
        db, "jsonl", tmp_path / "all.jsonl").splitlines()]
    assert hit <= set(everything)
    for visible in (cleared_up_to("TLP:GREEN"), _Reader(doc)):
        shown = [json.loads(x)["event_id"] for x in _events(
            db, "jsonl", tmp_path / "some.jsonl", visible=visible).splitlines()]
        # An event goes out only when every report fused into it may.
        assert shown == [e for e in everything if e not in hit]
        bundle = json.loads(_events(db, "stix", tmp_path / "b.json", visible=visible))
        assert not hit & {o.get("x_corrobora_event_id") for o in bundle["objects"]}
        assert "TLP:AMBER" not in {o.get("name") for o in bundle["objects"]}
        articles = [e for e in map(json.loads, _events(
            db, "ftm", tmp_path / "f.json", visible=visible).splitlines())
            if e["schema"] == "Article"]
        assert articles and all(doc not in a["properties"]["keywords"] for a in articles)
    with Store(db, read_only=True) as store:
        export(store, "documents", "jsonl", str(tmp_path / "docs.jsonl"),
               visible=cleared_up_to("TLP:CLEAR"))
        assert doc not in (tmp_path / "docs.jsonl").read_text("utf-8")
        assert all(event_marking(e) == "TLP:CLEAR" for e in events_with_reports(
            store, visible=cleared_up_to("TLP:CLEAR")))

    # A release says the strictest marking it carries, and carries less when filtered.
    with Store(db) as store:
        full = write_release(store, tmp_path / "rel", "1")
        clear = write_release(store, tmp_path / "rel", "2", visible=cleared_up_to("TLP:CLEAR"))
    assert json.loads((full / "manifest.json").read_text())["marking"] == "TLP:AMBER"
    manifest = json.loads((clear / "manifest.json").read_text())
    assert manifest["marking"] == "TLP:CLEAR"
    docs = pq.read_table(clear / "documents.parquet").column("id").to_pylist()
    assert doc not in docs and manifest["counts"]["events"] == len(everything) - len(hit)
    assert doc in pq.read_table(full / "documents.parquet").column("id").to_pylist()
