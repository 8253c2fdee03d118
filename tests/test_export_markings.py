"""Markings travel with STIX and MISP objects and name what a release carries
(markings.py); a marking that cannot be read is the most restrictive, never TLP:CLEAR. A
document is marked in the real store file directly here; what a team reader may see is
tests/test_export_reader.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
import stix2validator
from pymisp import MISPEvent
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.export.markings import event_marking
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


def test_release_names_the_strictest_marking_it_carries(tmp_path: Path) -> None:
    db, doc, hit = _amber_store(tmp_path)
    with Store(db) as store:
        full = write_release(store, tmp_path / "rel", "1")
    assert json.loads((full / "manifest.json").read_text())["marking"] == "TLP:AMBER"
    assert doc in pq.read_table(full / "documents.parquet").column("id").to_pylist()
    events = pq.read_table(full / "events.parquet").to_pylist()
    assert {e["event_id"] for e in events if e["marking"] == "TLP:AMBER"} == hit


@pytest.mark.parametrize("bad", ["TLP:PURPLE", "amber strict please", ""])
def test_unknown_marking_is_exported_as_the_most_restrictive_never_clear(
        tmp_path: Path, bad: str) -> None:
    db = export_store(tmp_path)
    with Store(db, read_only=True) as store:
        events = list(events_with_reports(store))
    doc = next(r["document_id"] for e in events for r in e["report_rows"]
               if not r["document_id"].startswith("acled:"))
    hit = {e["id"] for e in events if any(r["document_id"] == doc for r in e["report_rows"])}
    con = duckdb.connect(str(db))
    con.execute("UPDATE documents SET marking = ? WHERE id = ?", [bad, doc])
    con.close()

    r = CliRunner().invoke(app, ["export", "events", "--db", str(db), "--format", "stix",
                                 "-o", str(tmp_path / "b.json")])
    assert r.exit_code == 0, r.output
    # One line names the document and the marking it could not read.
    assert f"document {doc}: unknown marking {bad!r}, exported as TLP:RED" in r.output
    objects = json.loads((tmp_path / "b.json").read_text("utf-8"))["objects"]
    reports = {o["x_corrobora_event_id"]: o for o in objects if o["type"] == "report"}
    for eid in hit:
        assert reports[eid]["object_marking_refs"] == [TLP_IDS["TLP:RED"]]

    with Store(db, read_only=True) as store:
        assert {e["id"] for e in events_with_reports(store)
                if event_marking(e) == "TLP:RED"} == hit
        export(store, "events", "misp", str(tmp_path / "m.jsonl"))
    for line in (tmp_path / "m.jsonl").read_text("utf-8").splitlines():
        data = json.loads(line)["Event"]
        eid = data["info"].rsplit("(Corrobora ", 1)[1].rstrip(")")
        tags = {t["name"] for t in data["Tag"]}
        assert ("tlp:red" in tags) == (eid in hit) and ("tlp:clear" in tags) != (eid in hit)
    with Store(db) as store:
        rel = write_release(store, tmp_path / "rel", "1")
    assert json.loads((rel / "manifest.json").read_text())["marking"] == "TLP:RED"
    docs = pq.read_table(rel / "documents.parquet").to_pylist()
    assert next(d for d in docs if d["id"] == doc)["marking"] == bad  # stored as it was
