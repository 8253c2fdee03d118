"""Spans found in a document: entities, dates, numbers, attribution cues."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Entity:
    start: int
    end: int
    text: str
    label: str
    """CoNLL label: PER, ORG, LOC or MISC."""
    fine_label: str | None = None
    """The pipeline's own label (GPE, NORP, FAC...)."""
    actor_id: str | None = None

    def to_contract(self) -> dict[str, object]:
        out: dict[str, object] = {"start": self.start, "end": self.end, "text": self.text,
                                  "label": self.label}
        if self.fine_label:
            out["fine_label"] = self.fine_label
        if self.actor_id:
            out["actor_id"] = self.actor_id
        return out


@dataclass(slots=True)
class DateMention:
    start: int
    end: int
    text: str
    value: str | None
    """ISO date (YYYY-MM-DD) the expression refers to, anchored on the publication time."""
    time_precision: int = 1
    """ACLED: 1 day, 2 week, 3 month."""


@dataclass(slots=True)
class NumberMention:
    """A count of people affected: killed, injured, detained, kidnapped..."""

    start: int
    end: int
    text: str
    kind: str
    """fatalities, injured, arrested, abducted, other"""
    min: int
    max: int | None
    """None for open counts: "at least 12"."""


@dataclass(slots=True)
class Attribution:
    """Who a claim is attributed to: `according to Reuters`, `según la Fiscalía`."""

    start: int
    end: int
    text: str
    source: str
    """The named source (`Reuters`), or a generic one (`officials`)."""
    cue: str
    """The cue that introduces it (`according to`, `said`, `según`)."""
