"""One event as one document tells it."""

from __future__ import annotations

from dataclasses import dataclass, field

from corrobora.model.place import Place


@dataclass(slots=True, frozen=True)
class Range:
    """A count as reported: `at least 12` is (12, None); `entre 5 y 7` is (5, 7)."""

    min: int
    max: int | None = None

    def to_contract(self) -> dict[str, int | None]:
        return {"min": self.min, "max": self.max}


@dataclass(slots=True)
class ActorRef:
    text: str
    role: str
    """actor1 (who acts), actor2 (who is acted upon), or assoc."""
    actor_id: str | None = None
    start: int | None = None
    end: int | None = None

    def to_contract(self) -> dict[str, object]:
        return {"text": self.text, "actor_id": self.actor_id, "role": self.role}


@dataclass(slots=True)
class EventReport:
    type: str
    """A type of the ontology (data/ontology/event_types.yaml), e.g. ARMED_CLASH, LEADER_KILLED."""
    sentence: tuple[int, int]
    trigger: tuple[int, int]
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    case_label: str | None = None
    """The CASE 2021 label the type maps onto."""
    actors: list[ActorRef] = field(default_factory=list)
    place: Place | None = None
    date: str | None = None
    time_precision: int | None = None
    fatalities: Range | None = None
    injured: Range | None = None
    weapons: list[str] = field(default_factory=list)
    attribution: list[str] = field(default_factory=list)
    hedged: bool = False
    score: float = 0.0

    def to_contract(self) -> dict[str, object]:
        return {
            "type": self.type,
            "case_label": self.case_label,
            "acled_event_type": self.acled_event_type,
            "acled_sub_event_type": self.acled_sub_event_type,
            "sentence": list(self.sentence),
            "trigger": list(self.trigger),
            "actors": [a.to_contract() for a in self.actors],
            "place": self.place.event_place() if self.place else None,
            "date": self.date,
            "time_precision": self.time_precision,
            "fatalities": self.fatalities.to_contract() if self.fatalities else None,
            "injured": self.injured.to_contract() if self.injured else None,
            "weapons": self.weapons,
            "attribution": self.attribution,
            "hedged": self.hedged,
            "score": round(self.score, 3),
        }
