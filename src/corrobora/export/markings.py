"""Markings (TLP 2.0) of what is exported, and which rows an export may show.

Documents carry a marking (documents.marking, TLP:CLEAR by default: Corrobora reads public
reporting); analysts setting markings come with issue 20. A row that has a `marking` of its
own (a report, a document, later an event) is as marked; an event without one is as
restricted as the most restricted document that reports it.

Every export takes a visibility filter: a predicate over a row (`Visibility`), default
`everything`. `cleared_up_to("TLP:AMBER")` lets through what an export cleared up to that
marking may carry; issue 20's readers and teams can pass their own predicate (any callable
of a row, or an object with a `visible(row)` method). An event goes out only when it and
every report fused into it are visible: its grade, tolls and actors are fused from all of
them, so showing it with a hidden report would leak what the report says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

ORDER = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
DEFAULT = "TLP:CLEAR"

Visibility = Callable[[dict[str, Any]], bool]
"""Whether a row (an event, a report, a document) may be exported."""


class Reader(Protocol):
    def visible(self, row: dict[str, Any]) -> bool: ...


def normalise(marking: str | None) -> str:
    """A TLP marking as TLP 2.0 names it (TLP:WHITE is TLP:CLEAR); unknown or none: CLEAR."""
    m = (marking or DEFAULT).strip().upper()
    m = "TLP:CLEAR" if m in ("TLP:WHITE", "WHITE", "CLEAR") else m
    if not m.startswith("TLP:"):
        m = "TLP:" + m
    return m if m in ORDER else DEFAULT


def strictest(markings: Iterable[str | None]) -> str:
    """The most restricted of `markings` (TLP:CLEAR when there are none)."""
    return max((normalise(m) for m in markings), key=ORDER.index, default=DEFAULT)


def least_strict(markings: Iterable[str | None]) -> str:
    """The least restricted of `markings` (TLP:CLEAR when there are none)."""
    return min((normalise(m) for m in markings), key=ORDER.index, default=DEFAULT)


def allowed(marking: str | None, ceiling: str = "TLP:RED") -> bool:
    """Whether something of `marking` may go into an export cleared up to `ceiling`."""
    return ORDER.index(normalise(marking)) <= ORDER.index(normalise(ceiling))


def row_marking(row: dict[str, Any], default: str | None = None) -> str:
    """A row's own marking when it has one (the column may be absent), else `default`."""
    return normalise(row.get("marking") or default)


def event_marking(event: dict[str, Any]) -> str:
    """An event's marking: its own when the row has one, else the strictest of its reports'
    (each report as its row or its document is marked)."""
    if event.get("marking"):
        return normalise(event["marking"])
    return strictest(r.get("marking") for r in event.get("report_rows") or ())


def everything(row: dict[str, Any]) -> bool:
    """The default filter: an export shows every row."""
    return True


def cleared_up_to(ceiling: str) -> Visibility:
    """Rows whose marking an export cleared up to `ceiling` may carry."""
    ceiling = normalise(ceiling)
    return lambda row: allowed(row.get("marking"), ceiling)


def as_visibility(visible: Visibility | Reader | None) -> Visibility:
    """A predicate from a predicate, a reader object (its `visible` method) or None (all)."""
    if visible is None:
        return everything
    method = getattr(visible, "visible", None)
    return method if callable(method) else visible  # type: ignore[return-value]


def event_visible(event: dict[str, Any], visible: Visibility) -> bool:
    """Whether an event (with its report_rows) may be exported: it and all its reports."""
    if visible is everything:
        return True
    return visible({**event, "marking": event_marking(event)}) and all(
        visible(r) for r in event.get("report_rows") or ())
