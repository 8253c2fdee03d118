"""States named after a town are places, whatever label the NER model gives them."""

from __future__ import annotations

import pytest

from corrobora.extractor import Extractor
from corrobora.model import Document


@pytest.mark.parametrize(("text", "state"), [
    ("Soldiers clashed with CJNG gunmen in Culiacán, Sinaloa, on Monday.", "Sinaloa"),
    ("The attack in Uruapan, Michoacán left five dead.", "Michoacán"),
])
def test_state_after_a_town_is_a_place_not_an_actor(text: str, state: str) -> None:
    ex = Extractor().extract(Document(text, "t", lang="en"))
    assert [e.label for e in ex.entities if e.text == state] == ["LOC"]
    assert any(p.text == state and p.admin1_code and p.admin1_code.startswith("MX-")
               for p in ex.places)
    assert all(a.text != state for ev in ex.events for a in ev.actors)
