"""The event ontology (data/ontology/event_types.yaml) as typed records."""

from __future__ import annotations

from collections.abc import Iterable
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


@lru_cache(maxsize=1)
def _families() -> dict[str, str]:
    by_label: dict[str, str] = {}
    known = {t.case for t in types().values()}
    for family, labels in (load_yaml("event_types.yaml").get("families") or {}).items():
        for label in labels:
            if label not in known:
                raise ValueError(f"event_types.yaml: family {family!r} names unknown CASE "
                                 f"label {label!r}")
            if label in by_label:
                raise ValueError(f"event_types.yaml: CASE label {label!r} is in two families")
            by_label[label] = str(family)
    return by_label


def families() -> list[str]:
    """The fusion families the ontology names (event_types.yaml `families`)."""
    return sorted(set(_families().values()))


def family(label: str) -> str:
    """The fusion family of a CASE label or a type (data/ontology/event_types.yaml
    `families`): reports of one family may tell one happening. A label no family lists is
    its own family."""
    case = types()[label].case if label in types() else label
    return _families().get(case, case)


def family_labels(families: Iterable[str]) -> list[str]:
    """The CASE labels of these fusion families."""
    wanted = set(families)
    return sorted(label for label in case_labels() if family(label) in wanted)


def case_labels() -> list[str]:
    return sorted({t.case for t in types().values()})
