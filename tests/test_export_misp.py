"""MISP event JSON: each line loads as a MISPEvent with pymisp (which refuses attribute types
MISP does not know), carries the admiralty-scale and estimative-language taxonomy tags of the
event's grade, and keeps its uuid from one export to the next."""

from __future__ import annotations

from pathlib import Path

from pymisp import MISPEvent
from typer.testing import CliRunner

from corrobora.cli import app
from corrobora.store import Store

from .export_store import exported_events

runner = CliRunner()


def test_misp_events_load_with_pymisp_and_carry_the_grade_as_tags(tmp_path: Path) -> None:
    db, out = exported_events(tmp_path, "misp", "misp.jsonl")
    with Store(db, read_only=True) as store:
        events = {e["id"]: e for e in store.export_events()}
    loaded = []
    for line in out.read_text("utf-8").splitlines():
        event = MISPEvent()
        event.load(line)
        loaded.append(event)
    assert len(loaded) == len(events)
    for event in loaded:
        eid = event.info.rsplit("(Corrobora ", 1)[1].rstrip(")")
        grade = events[eid]
        tags = {t.name for t in event.tags}
        assert "tlp:clear" in tags
        assert (f'admiralty-scale:source-reliability="{grade["reliability"].lower()}"'
                in tags)
        assert f'admiralty-scale:information-credibility="{grade["credibility"]}"' in tags
        assert any(t.startswith("estimative-language:confidence-in-analytic-judgment=")
                   for t in tags)
        assert event.attributes, eid
        assert {a.type for a in event.attributes} <= {"target-location", "threat-actor",
                                                      "text", "link", "datetime"}
    # The same events keep the same uuids.
    again = tmp_path / "again.jsonl"
    runner.invoke(app, ["export", "events", "--db", str(db), "--format", "misp",
                        "-o", str(again)])
    assert again.read_text("utf-8") == out.read_text("utf-8")
