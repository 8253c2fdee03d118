"""Everything extraction finds in one document."""

from __future__ import annotations

from dataclasses import dataclass, field

from corrobora.model.event import EventReport
from corrobora.model.mention import Attribution, DateMention, Entity, NumberMention
from corrobora.model.place import Place


@dataclass(slots=True)
class Extraction:
    document_id: str
    lang: str | None
    entities: list[Entity] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    numbers: list[NumberMention] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    events: list[EventReport] = field(default_factory=list)
    event_type: str | None = None
    """The document's main event type, as a CASE 2021 label."""

    def to_contract(self) -> dict[str, object]:
        """The output line of `corrobora extract` (CONTRACTS §1)."""
        return {
            "id": self.document_id,
            "lang": self.lang,
            "entities": [e.to_contract() for e in self.entities],
            "places": [p.to_contract() for p in self.places],
            "event_type": self.event_type,
            "events": [e.to_contract() for e in self.events],
        }
