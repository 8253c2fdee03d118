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
    # The stored report as the store gives it back (Store.event_evidence).
    evidence = [{**report("r1", source="A"), "event_id": "evt-1", "reliability": "B",
                 "root": "d1"}]
    fuser = EventFuser([stored], evidence)
    assert fuser.assign(report("r2", source="B"), root="d2")[0] == "evt-1"
    new, updated = fuser.changes()
    assert new == [] and updated[0]["n_reports"] == 2 and updated[0]["reliability"] == "B"


def test_credibility_follows_the_admiralty_mapping() -> None:
    def ev(key: str, hedged: bool = False) -> Evidence:
        return Evidence(key, "C", hedged, root="doc-" + key)

    assert credibility([]) == 6
    assert credibility([ev("a")]) == 3
    assert credibility([ev("a"), ev("a")]) == 3  # one source told twice is still one
    assert credibility([ev("a"), ev("b")]) == 2
    assert credibility([ev("a"), ev("b"), ev("c")]) == 1
    assert credibility([ev("a", True), ev("b", True)]) == 4


def story_report(i: str, *, day: int | None, basis: str, geonameid: int | None = None,
                 story: str = "s1", type: str = "ATTACK", level_code: str = "PPL",
                 cc: str = "US", admin1: str = "US-IL") -> dict[str, Any]:
    r = report(i, type=type, day=day or 0, geonameid=geonameid, admin1=admin1,
               source="outlet-" + i)
    r.update(date_basis=basis, time_precision=1 if basis != "published" else 2, story=story,
             country_code=cc, feature_code=level_code if geonameid else None)
    return r


def test_follow_ups_of_a_story_join_its_event_without_place_or_day() -> None:
    fuser = EventFuser([], [])
    first = fuser.assign(story_report("r1", day=6, basis="sentence", geonameid=10), "d1")[0]
    # Published on the 18th and the 22nd, no place, no stated day: the story ties them.
    assert fuser.assign(story_report("r2", day=18, basis="published"), "d2")[0] == first
    assert fuser.assign(story_report("r3", day=22, basis="published"), "d3")[0] == first
    (event,) = fuser.changes()[0]
    # The day is the stated one, not a publication day; the place is the one reported.
    assert (event["date"], event["date_max"], event["time_precision"]) == (
        date(2024, 9, 6), date(2024, 9, 6), 1)
    assert event["geonameid"] == 10


def test_two_stated_days_in_one_story_and_town_are_two_events() -> None:
    fuser = EventFuser([], [])
    monday = fuser.assign(story_report("r1", day=9, basis="sentence", geonameid=10), "d1")[0]
    wednesday = fuser.assign(story_report("r2", day=11, basis="sentence", geonameid=10),
                             "d2")[0]
    assert monday != wednesday


def test_another_country_or_only_a_country_does_not_tie_reports() -> None:
    fuser = EventFuser([], [])
    israel = fuser.assign(story_report("r1", day=27, basis="sentence", geonameid=294640,
                                       level_code="PCLI", cc="IL", admin1=""), "d1")[0]
    # A town of another country, the same day and story: another event.
    beirut = story_report("r2", day=27, basis="sentence", geonameid=276781,
                          level_code="PPLC", cc="LB", admin1="LB-BA")
    assert fuser.assign(beirut, "d2")[0] != israel
    # Another story naming only the same country on the same day is not the same event.
    other = story_report("r3", day=27, basis="sentence", geonameid=294640, story="s2",
                         level_code="PCLI", cc="IL", admin1="")
    assert fuser.assign(other, "d3")[0] != israel


def test_the_place_most_reports_support_and_the_type_most_groups_give_win() -> None:
    fuser = EventFuser([], [])
    # One report names the state, three a town in it (the story ties them), one of the
    # town's reports calls it a clash.
    eid = fuser.assign(story_report("r1", day=25, basis="sentence", geonameid=1,
                                    admin1="US-TX", level_code="ADM1"), "d1")[0]
    for i, kind in ((2, "ATTACK"), (3, "ATTACK"), (4, "ARMED_CLASH")):
        assert fuser.assign(story_report(f"r{i}", day=25, basis="sentence", geonameid=2,
                                         admin1="US-TX", type=kind), f"d{i}")[0] == eid
    (event,) = fuser.changes()[0]
    assert event["geonameid"] == 2 and event["type"] == "ATTACK"
    assert event["independent_sources"] == 4


def test_a_named_person_ties_reports_of_two_stories() -> None:
    fuser = EventFuser([], [])
    a = story_report("r1", day=25, basis="sentence", geonameid=1, type="ARREST")
    b = story_report("r2", day=26, basis="published", story="s2", type="ARREST")
    a["people"] = b["people"] = ["actor:ismael-zambada-garcia"]
    assert fuser.assign(a, "d1")[0] == fuser.assign(b, "d2")[0]


def test_a_place_named_without_a_locative_does_not_split_a_story() -> None:
    fuser = EventFuser([], [])
    # "A woman was shot in her home in Springfield on Saturday", then twice "a Chicago
    # woman was shot on Saturday": Chicago says whose woman, not where it happened.
    springfield = story_report("r1", day=6, basis="sentence", geonameid=4250542)
    springfield["place_basis"] = "locative"
    eid = fuser.assign(springfield, "d1")[0]
    for i in (2, 3):
        chicago = story_report(f"r{i}", day=6, basis="sentence", geonameid=4887398)
        chicago["place_basis"] = "sentence"
        assert fuser.assign(chicago, f"d{i}")[0] == eid
    (event,) = fuser.changes()[0]
    # Two mentions without a locative weigh as one report with it: the tie goes to the
    # place said to be where it happened.
    assert event["n_reports"] == 3 and event["geonameid"] == 4250542
    # A town the sentence governs with a locative still keeps another event apart.
    peoria = story_report("r4", day=6, basis="sentence", geonameid=4905687)
    peoria["place_basis"] = "locative"
    assert fuser.assign(peoria, "d4")[0] != eid
