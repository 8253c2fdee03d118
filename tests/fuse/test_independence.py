"""Independent sources: who really stands behind an event's reports."""

from __future__ import annotations

from corrobora.fuse.grading import Evidence, credibility, independent_sources


def ev(key: str, root: str, attributed: bool, hedged: bool = False) -> Evidence:
    return Evidence(key, "F", hedged, root, attributed)


def test_outlets_relaying_one_wire_are_one_source() -> None:
    evidence = [ev("Reuters", "a", True), ev("Outlet A", "a", False),
                ev("Reuters", "b", True), ev("Reuters", "c", True)]
    assert independent_sources(evidence) == {"Reuters"}
    assert credibility(evidence) == 3


def test_an_outlet_of_its_own_adds_a_source() -> None:
    evidence = [ev("Reuters", "a", True), ev("Outlet B", "b", False),
                ev("Outlet C", "c", False)]
    assert independent_sources(evidence) == {"Reuters", "Outlet B", "Outlet C"}
    assert credibility(evidence) == 1


def test_all_hedged_is_doubtful_whatever_the_count() -> None:
    evidence = [ev("Outlet B", "b", False, hedged=True), ev("Outlet C", "c", False, hedged=True)]
    assert credibility(evidence) == 4


def test_one_article_quoting_officials_a_witness_and_an_outlet_is_one_source() -> None:
    # CNN citing the Justice Department in one sentence and Proceso in another, and stating
    # the rest itself: one copy group, one voice.
    evidence = [ev("US Department of Justice", "cnn-1", True), ev("Proceso", "cnn-1", True),
                ev("US Department of Justice", "cnn-1", True), ev("CNN", "cnn-1", False)]
    assert independent_sources(evidence) == {"US Department of Justice"}
    assert credibility(evidence) == 3


def test_an_article_in_its_own_words_citing_an_outlet_for_a_detail_is_its_outlet() -> None:
    # Three CNN articles tell the capture from US officials; one adds that an airport
    # worker "told Reuters": CNN's report, one source (the Zambada capture, 2024-07-25).
    evidence = [ev("CNN", r, False) for r in ("cnn-1", "cnn-2", "cnn-3") for _ in range(3)]
    evidence += [ev("Reuters", "cnn-2", True)]
    assert independent_sources(evidence) == {"CNN"}
