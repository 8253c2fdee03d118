"""The event ontology (data/ontology/event_types.yaml) as typed records."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from corrobora.extract._data import load_yaml


@dataclass(slots=True, frozen=True)
class EventType:
    name: str
    case: str
    """The CASE 2021 Task 2 label this type maps onto."""
    acled_event_type: str | None
    acled_sub_event_type: str | None
    plover: str | None
    cameo: str | None
    description: str
    weight: float = 1.0
    parent: str | None = None
    refine: str | None = None
    triggers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    topic: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Words that point to the type for document typing but make no event by themselves."""


@lru_cache(maxsize=1)
def types() -> dict[str, EventType]:
    out: dict[str, EventType] = {}
    for name, row in load_yaml("event_types.yaml")["types"].items():
        acled = row.get("acled") or {}
        trig = {lang: tuple(str(p) for p in (ps or ())) for lang, ps in
                (row.get("triggers") or {}).items()}
        topic = {lang: tuple(str(p) for p in (ps or ())) for lang, ps in
                 (row.get("topic") or {}).items()}
        out[name] = EventType(name=name, case=row["case"],
                              acled_event_type=acled.get("event_type"),
                              acled_sub_event_type=acled.get("sub_event_type"),
                              plover=row.get("plover"),
                              cameo=None if row.get("cameo") is None else str(row["cameo"]),
                              description=row.get("description", ""),
                              weight=float(row.get("weight", 1.0)), parent=row.get("parent"),
                              refine=row.get("refine"), triggers=trig, topic=topic)
    return out


def get(type_name: str) -> EventType:
    try:
        return types()[type_name]
    except KeyError:
        raise KeyError(f"unknown event type {type_name!r}") from None


def case_label(type_name: str) -> str:
    return get(type_name).case


def acled(type_name: str) -> tuple[str | None, str | None]:
    """(event_type, sub_event_type) of ACLED, or (None, None) for CASE-only types."""
    t = get(type_name)
    return t.acled_event_type, t.acled_sub_event_type


def case_labels() -> list[str]:
    return sorted({t.case for t in types().values()})
