"""Markings (TLP 2.0) of what is exported. Documents carry a marking (documents.marking,
TLP:CLEAR by default: Corrobora reads public reporting); until markings are set by analysts
(issue 20) every export is TLP:CLEAR. An event is as restricted as the most restricted
document that reports it; `allowed` is the hook an export filter will call."""

from __future__ import annotations

from collections.abc import Iterable

ORDER = ("TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
DEFAULT = "TLP:CLEAR"


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


def allowed(marking: str | None, ceiling: str = "TLP:RED") -> bool:
    """Whether something of `marking` may go into an export cleared up to `ceiling`."""
    return ORDER.index(normalise(marking)) <= ORDER.index(normalise(ceiling))


def event_marking(event: dict) -> str:
    """An event's marking: the strictest of its reports' documents'."""
    return strictest(r.get("marking") for r in event.get("report_rows") or ())
