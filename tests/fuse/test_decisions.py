"""Decisions as constraints: replayed in order, later ones win, undone ones drop out; the
fuser keeps split reports apart and merged ones together."""

from __future__ import annotations

from datetime import date
from typing import Any

from corrobora.fuse.decisions import Constraints
from corrobora.fuse.events import EventFuser


def report(i: str, source: str = "A") -> dict[str, Any]:
    return {"id": i, "type": "ARMED_CLASH", "case_label": "ARMED_CLASH",
            "acled_event_type": "Battles", "date": date(2024, 9, 11), "time_precision": 1,
            "geonameid": 1, "geo_precision": 1, "admin1_code": "MX-SIN", "source_key": source,
            "reliability": "C", "hedged": False, "fatalities_min": None,
            "fatalities_max": None}


def decision(seq: int, kind: str, members: list[str], others: list[str],
             undone: str | None = None) -> dict[str, Any]:
    return {"seq": seq, "kind": kind, "members": members, "others": others,
            "undone_by": undone}


def test_later_decisions_win_and_undone_ones_are_ignored() -> None:
    c = Constraints.from_decisions([
        decision(1, "event_merge", ["r3"], ["r1", "r2"]),
        decision(2, "event_split", ["r2"], ["r1", "r3"]),
        decision(3, "report_reject", ["r1"], ["r3"], undone="dec-4"),
    ])
    assert c.must("r1") == {"r3"} and c.cannot("r1") == {"r2"}
    assert c.cannot("r2") == {"r1", "r3"} and not c.must("r2")


def test_fuser_keeps_split_reports_apart_and_merged_reports_together() -> None:
    c = Constraints.from_decisions([decision(1, "event_split", ["r2"], ["r1"])])
    fuser = EventFuser([], [], c)
    e1 = fuser.assign(report("r1"), "d1")[0]
    assert fuser.assign(report("r2", "B"), "d2")[0] != e1
    assert fuser.assign(report("r3", "C"), "d3")[0] in {e1, fuser.report_event["r2"]}

    far = dict(report("r5"), geonameid=99, admin1_code="MX-JAL")
    c = Constraints.from_decisions([decision(1, "event_merge", ["r5"], ["r4"])])
    fuser = EventFuser([], [], c)
    e4 = fuser.assign(report("r4"), "d4")[0]
    assert fuser.assign(far, "d5") == (e4, 1.0)
