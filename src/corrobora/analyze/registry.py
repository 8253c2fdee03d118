"""The registry of leadership removals (data/removals.yaml): dated public events in which a
group's leader was killed, captured or extradited."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

KINDS = ("killed", "captured", "extradited")


class RegistryError(LookupError):
    """No such removal, or a malformed registry entry."""


@dataclass(slots=True, frozen=True)
class Removal:
    id: str
    date: date
    group: str
    person: str
    kind: str
    region: str
    place: dict[str, Any]
    sources: tuple[str, ...]
    faction: str | None = None
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """What an analysis reports about the removal it studies."""
        out: dict[str, Any] = {"id": self.id, "group": self.group, "person": self.person,
                               "kind": self.kind, "place": self.place.get("name"),
                               "sources": list(self.sources)}
        if self.faction:
            out["faction"] = self.faction
        return out


@lru_cache(maxsize=1)
def removals() -> dict[str, Removal]:
    text = (resources.files("corrobora.data") / "removals.yaml").read_text(encoding="utf-8")
    out: dict[str, Removal] = {}
    for row in yaml.safe_load(text)["removals"]:
        rid = row.get("id", "?")
        try:
            when = row["date"]
            removal = Removal(
                id=rid, date=when if isinstance(when, date) else date.fromisoformat(str(when)),
                group=row["group"], person=row["person"], kind=row["kind"],
                region=row["region"], place=dict(row.get("place") or {}),
                sources=tuple(row.get("sources") or ()), faction=row.get("faction"),
                note=row.get("note"))
        except (KeyError, ValueError) as exc:
            raise RegistryError(f"removals.yaml: entry {rid!r}: bad or missing {exc}") from exc
        if removal.kind not in KINDS:
            raise RegistryError(f"removals.yaml: entry {rid!r}: kind {removal.kind!r} is not "
                                f"one of {', '.join(KINDS)}")
        if not removal.sources:
            raise RegistryError(f"removals.yaml: entry {rid!r} cites no source")
        if rid in out:
            raise RegistryError(f"removals.yaml: id {rid!r} twice")
        out[rid] = removal
    return out


def get(removal_id: str) -> Removal:
    known = removals()
    if removal_id in known:
        return known[removal_id]
    near = difflib.get_close_matches(removal_id, list(known), n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise RegistryError(f"no removal {removal_id!r} in the registry{hint} "
                        "(`corrobora analyze removals` lists them)")
