"""Fusion: reports of one event join it; other events stay apart; grading follows evidence."""

from __future__ import annotations

from datetime import date
from typing import Any

from corrobora.fuse.events import EventFuser
from corrobora.fuse.grading import Evidence, credibility


def report(i: str, *, type: str = "ARMED_CLASH", day: int = 11, geonameid: int | None = 1,
           precision: int = 1, admin1: str = "MX-SIN", source: str = "A",
           hedged: bool = False, dead: tuple[int, int | None] | None = None) -> dict[str, Any]:
    return {"id": i, "type": type, "case_label": type, "acled_event_type": "Battles",
            "date": date(2024, 9, day) if day else None, "time_precision": 1,
            "geonameid": geonameid, "geo_precision": precision, "admin1_code": admin1,
            "source_key": source, "reliability": "C", "hedged": hedged,
            "fatalities_min": dead[0] if dead else None,
            "fatalities_max": dead[1] if dead else None}


def test_same_place_and_close_dates_make_one_event() -> None:
    fuser = EventFuser([], [])
    e1, _ = fuser.assign(report("r1", source="A", dead=(5, None)), root="d1")
    e2, score = fuser.assign(report("r2", day=12, source="B", dead=(7, 7)), root="d2")
    assert e1 == e2 and 0 < score <= 1
    new, updated = fuser.changes()
    assert updated == [] and len(new) == 1
    event = new[0]
    assert event["independent_sources"] == 2 and event["credibility"] == 2
    assert (event["fatalities_min"], event["fatalities_max"]) == (5, 7)
    assert (event["date"], event["date_max"]) == (date(2024, 9, 11), date(2024, 9, 12))


def test_different_place_type_or_far_date_make_separate_events() -> None:
    fuser = EventFuser([], [])
    base = fuser.assign(report("r1"), root="d1")[0]
    assert fuser.assign(report("r2", geonameid=2, admin1="MX-JAL"), root="d2")[0] != base
    assert fuser.assign(report("r3", type="ARREST"), root="d3")[0] != base
    assert fuser.assign(report("r4", day=25), root="d4")[0] != base


def test_state_level_report_joins_town_event_in_that_state_and_keeps_the_town() -> None:
    fuser = EventFuser([], [])
    town = fuser.assign(report("r1", geonameid=10, precision=1), root="d1")[0]
    state = fuser.assign(report("r2", geonameid=99, precision=3, source="B"), root="d2")[0]
    assert town == state
    (event,) = fuser.changes()[0]
    assert event["geonameid"] == 10


def test_report_without_date_joins_only_its_own_copy_group() -> None:
    fuser = EventFuser([], [])
    first = fuser.assign(report("r1"), root="d1")[0]
    assert fuser.assign(report("r2", day=0), root="d1")[0] == first
    assert fuser.assign(report("r3", day=0), root="other")[0] != first


def test_stored_event_is_updated_not_duplicated() -> None:
    stored = {"id": "evt-1", "type": "ARMED_CLASH", "case_label": "ARMED_CLASH",
              "acled_event_type": "Battles", "date": date(2024, 9, 11),
              "date_max": date(2024, 9, 11), "time_precision": 1, "geonameid": 1,
              "geo_precision": 1, "admin1_code": "MX-SIN", "fatalities_min": None,
              "fatalities_max": None}
    evidence = [{"event_id": "evt-1", "source_key": "A", "reliability": "B", "hedged": False,
                 "root": "d1"}]
    fuser = EventFuser([stored], evidence)
    assert fuser.assign(report("r2", source="B"), root="d2")[0] == "evt-1"
    new, updated = fuser.changes()
    assert new == [] and updated[0]["n_reports"] == 2 and updated[0]["reliability"] == "B"


def test_credibility_follows_the_admiralty_mapping() -> None:
    def ev(key: str, hedged: bool = False) -> Evidence:
        return Evidence(key, "C", hedged)

    assert credibility([]) == 6
    assert credibility([ev("a")]) == 3
    assert credibility([ev("a"), ev("a")]) == 3  # one source told twice is still one
    assert credibility([ev("a"), ev("b")]) == 2
    assert credibility([ev("a"), ev("b"), ev("c")]) == 1
    assert credibility([ev("a", True), ev("b", True)]) == 4
