"""One event as one document tells it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
    """actor1 (who acts), actor2 (who is acted upon), or assoc (assoc2: with actor2)."""
    actor_id: str | None = None
    """The registry actor; None for a name the registry does not know."""
    start: int | None = None
    end: int | None = None
    hedged: bool = False
    """The identity is doubted: "presuntos integrantes del CJNG", "alleged members of"."""
    candidate: str | None = None
    """`candidate:<slug>` for a group the registry does not know ("Cártel de X"), kept
    apart from registry actors until someone confirms it; actor_id stays None."""
    inter: int | None = None
    """ACLED inter code of the actor (1 state forces ... 8 external forces); an unknown
    criminal group counts as a political militia (3), as ACLED codes Mexican cartels."""

    acled_name: str | None = None
    """ACLED's name for an actor without a name or named by a bare noun ("police"), with the
    country of the event's place ("Unidentified Armed Group (Mexico)", "Police Forces of
    Nigeria"); None for names, forces of a stated other country, and events without one."""

    def to_contract(self) -> dict[str, object]:
        # CONTRACTS §1 allows extra keys; the three it names keep their meaning.
        out: dict[str, object] = {"text": self.text, "actor_id": self.actor_id,
                                  "role": self.role, "hedged": self.hedged}
        if self.candidate:
            out["candidate"] = self.candidate
        if self.inter is not None:
            out["inter"] = self.inter
        if self.acled_name:
            out["acled_name"] = self.acled_name
        return out

    def copy(self) -> ActorRef:
        """An independent copy (one per event report: roles may differ between them)."""
        return replace(self)


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
    place_basis: str | None = None
    """How the sentence names the place: `locative` (a place governed by "in", "near", "en"...),
    `list` (one of the places a list names), `sentence` (a place the sentence names without a
    locative: "Paris police said"), `paragraph` (the last place of the paragraph before it) or
    `dateline`. Fusion lets only a locative or listed place keep two reports of one story
    apart: the others often say whose or who, not where."""
    date: str | None = None
    time_precision: int | None = None
    date_basis: str | None = None
    """Where the date comes from: `sentence` (a date the sentence states), `context` (the
    sentence it continues, or the dateline) or `published` (the publication day, when
    nothing dates the event: the event happened on or shortly before it)."""
    fatalities: Range | None = None
    injured: Range | None = None
    weapons: list[str] = field(default_factory=list)
    attribution: list[str] = field(default_factory=list)
    hedged: bool = False
    score: float = 0.0

    @property
    def interaction(self) -> int | None:
        """ACLED interaction code: the inter codes of the first actor1 and actor2, the lower
        digit first (13: state forces against a political militia); a sole actor's code
        times ten (30)."""
        codes = [next((a.inter for a in self.actors if a.role == role and a.inter), None)
                 for role in ("actor1", "actor2")]
        known = sorted(c for c in codes if c)
        if not known:
            return None
        return known[0] * 10 + (known[1] if len(known) > 1 else 0)

    def to_contract(self) -> dict[str, object]:
        return {
            "type": self.type,
            "case_label": self.case_label,
            "acled_event_type": self.acled_event_type,
            "acled_sub_event_type": self.acled_sub_event_type,
            "sentence": list(self.sentence),
            "trigger": list(self.trigger),
            "actors": [a.to_contract() for a in self.actors],
            "interaction": self.interaction,
            "place": self.place.event_place() if self.place else None,
            "place_basis": self.place_basis if self.place else None,
            "date": self.date,
            "time_precision": self.time_precision,
            "date_basis": self.date_basis,
            "fatalities": self.fatalities.to_contract() if self.fatalities else None,
            "injured": self.injured.to_contract() if self.injured else None,
            "weapons": self.weapons,
            "attribution": self.attribution,
            "hedged": self.hedged,
            "score": round(self.score, 3),
        }
