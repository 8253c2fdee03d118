"""STIX 2.1 bundles as OpenCTI imports them: valid under stix2-validator, parsed back by the
stix2 library and split by OpenCTI's own client (pycti, installed without its pinned
dependencies: requirements-dev.lock), deterministic ids (the ids pycti derives), the OASIS
TLP 2.0 marking on every object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import stix2
import stix2validator
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.export.stix import TLP_IDS, stix_id
from corrobora.store import Store

from .export_store import export_store

runner = CliRunner()


def _bundle(db: Path, out: Path) -> str:
    r = runner.invoke(app, ["export", "events", "--db", str(db), "--format", "stix",
                            "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out.read_text("utf-8")


def test_stix_bundle_is_valid_and_parses_back_to_every_event(tmp_path: Path) -> None:
    db = export_store(tmp_path)
    text = _bundle(db, tmp_path / "bundle.json")
    result = stix2validator.validate_string(text, stix2validator.ValidationOptions())
    assert result.is_valid, [str(e) for o in result.object_results for e in o.errors]

    parsed = stix2.parse(text, allow_custom=True)
    by_type: dict[str, list] = {}
    for o in parsed.objects:
        by_type.setdefault(o.type, []).append(o)
    with Store(db, read_only=True) as store:
        events = {e["id"]: e for e in store.export_events()}
    reports = {r.x_corrobora_event_id: r for r in by_type["report"]}
    assert set(reports) == set(events)
    ids = {o.id for o in parsed.objects}
    for event_id, report in reports.items():
        assert set(report.object_refs) <= ids  # nothing dangles
        grade = f"{events[event_id]['reliability']}{events[event_id]['credibility']}"
        assert report.x_corrobora_grade == grade
    # OpenCTI's shapes: location types, threat-actor kinds, sources' reliability.
    assert {o.x_opencti_location_type for o in by_type["location"]} <= {
        "City", "Administrative-Area", "Country"}
    assert {o.x_opencti_type for o in by_type["threat-actor"]} <= {
        "Threat-Actor-Group", "Threat-Actor-Individual"}
    sources = [o for o in by_type["identity"] if hasattr(o, "x_opencti_reliability")]
    assert sources and all(o.x_opencti_reliability[0] in "ABCDEF" for o in sources)
    assert all(0 <= r.confidence <= 100 for r in by_type["relationship"]
               if hasattr(r, "confidence"))
    # TLP:CLEAR of the OASIS TLP 2.0 definitions on every object.
    clear = TLP_IDS["TLP:CLEAR"]
    assert clear == "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
    assert [m.name for m in by_type["marking-definition"]] == ["TLP:CLEAR"]
    assert all(o.object_marking_refs == [clear] for o in parsed.objects
               if o.type != "marking-definition")


def test_stix_ids_are_deterministic(tmp_path: Path) -> None:
    db = export_store(tmp_path)
    assert _bundle(db, tmp_path / "a.json") == _bundle(db, tmp_path / "b.json")
    bundle = json.loads((tmp_path / "a.json").read_text("utf-8"))
    # The identity of a source is OpenCTI's: UUIDv5 of its lower-case name and class.
    wire = [o for o in bundle["objects"] if o.get("name") == "Pacific Wire"]
    assert wire
    for o in wire:
        assert o["id"] == stix_id("identity", {"name": "pacific wire",
                                               "identity_class": "organization"})


def test_stix_bundle_survives_opencti_import_splitter_with_every_reference(
        tmp_path: Path) -> None:
    """OpenCTI's import (a connector's send_stix2_bundle, the platform's file import) first
    splits a bundle with pycti's splitter: every object must come out, none refused as
    incompatible, no reference cleaned away, each after what it references."""
    pycti = pytest.importorskip("pycti")
    from pycti.utils.opencti_stix2_splitter import OpenCTIStix2Splitter

    db = export_store(tmp_path)
    text = _bundle(db, tmp_path / "bundle.json")
    given = {o["id"]: o for o in json.loads(text)["objects"]}
    expected, incompatible, bundles = OpenCTIStix2Splitter().split_bundle_with_expectations(
        text, cleanup_inconsistent_bundle=True)
    assert incompatible == []
    assert expected == len(given)
    seen: set[str] = set()
    for part in bundles:
        (obj,) = json.loads(part)["objects"]
        original = given[obj["id"]]
        for key, value in original.items():
            if key.endswith("_refs"):
                assert obj[key] == value, (obj["id"], key)  # nothing cleaned away
                refs = value
            elif key.endswith("_ref"):
                assert obj[key] == value, (obj["id"], key)
                refs = [value]
            else:
                continue
            # The splitter orders by dependencies: what an object references is sent first.
            assert set(refs) <= seen, (obj["id"], key)
        seen.add(obj["id"])
    assert seen == set(given)

    # The ids are the ones OpenCTI derives from the same fields: re-imports merge.
    derive = {
        "report": lambda o: pycti.Report.generate_id(o["name"], o["published"]),
        "location": lambda o: pycti.Location.generate_id(o["name"],
                                                         o["x_opencti_location_type"]),
        "identity": lambda o: pycti.Identity.generate_id(o["name"], o["identity_class"]),
        "threat-actor": lambda o: (
            pycti.ThreatActorGroup if o["x_opencti_type"] == "Threat-Actor-Group"
            else pycti.ThreatActorIndividual).generate_id(o["name"]),
        "relationship": lambda o: pycti.StixCoreRelationship.generate_id(
            o["relationship_type"], o["source_ref"], o["target_ref"], o.get("start_time"),
            o.get("stop_time")),
    }
    checked = 0
    for o in given.values():
        if o["type"] in derive:
            assert o["id"] == derive[o["type"]](o), o["id"]
            checked += 1
    assert checked == len(given) - 1  # all but the OASIS TLP definition
