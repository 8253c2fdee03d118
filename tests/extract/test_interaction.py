"""ACLED inter codes of an event's actors and the interaction code they make."""

from __future__ import annotations

from corrobora.extractor import Extractor
from corrobora.model import ActorRef, Document, EventReport


def test_state_forces_against_a_cartel_is_interaction_13() -> None:
    text = "Soldiers of the Mexican Army clashed with CJNG gunmen in Culiacán on Monday."
    events = Extractor().extract(Document(text, "t", lang="en")).events
    clash = next(e for e in events if e.type == "STATE_CLASH")
    inter = {a.actor_id: a.inter for a in clash.actors if a.actor_id}
    assert inter == {"sedena": 1, "cjng": 3}
    assert clash.interaction == 13 and clash.to_contract()["interaction"] == 13


def test_sole_actor_and_unknown_codes() -> None:
    ev = EventReport("ATTACK", (0, 1), (0, 1), actors=[ActorRef("gunmen", "actor1")])
    assert ev.interaction is None
    ev.actors = [ActorRef("Cártel de X", "actor1", candidate="candidate:cartel-de-x", inter=3)]
    assert ev.interaction == 30
