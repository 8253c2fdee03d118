"""Markings (TLP 2.0) of what is exported: how every format names them.

Documents carry a marking (documents.marking, TLP:CLEAR by default: Corrobora reads public
reporting; team mode sets others, store/access.py). A row that has a `marking` of its own (a
report, a document) is as marked; an event is as restricted as the most restricted report
fused into it.

Which rows an export shows is not decided here: an export for a reader reads the store as
that reader sees it (export/view.py over store/access.py's `restrict`, the same view the web
API answers from), so the events, their figures and their markings are those of the reports
the reader may see.

A marking this module cannot read (a typo, a level TLP 2.0 does not have) is taken for the
most restrictive, TLP:RED, never for TLP:CLEAR: a malformed marking must not publish what it
was meant to restrict. Each such value is reported once, with the row it came from, through
the `corrobora.export` logger.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from corrobora.store.access import MARKINGS as ORDER
from corrobora.store.access import AccessError, parse_marking

DEFAULT = "TLP:CLEAR"
STRICTEST = ORDER[-1]
log = logging.getLogger("corrobora.export")
_reported: set[tuple[str, str]] = set()


def normalise(marking: str | None, item: str | None = None) -> str:
    """A TLP marking as TLP 2.0 names it (TLP:WHITE is TLP:CLEAR; none is TLP:CLEAR).
    Unknown or malformed: TLP:RED, reported once naming `item` (the row it marks)."""
    if marking is None:
        return DEFAULT
    try:
        return parse_marking(marking)
    except AccessError:
        if (str(item), marking) not in _reported:
            _reported.add((str(item), marking))
            log.warning("%s: unknown marking %r, exported as %s", item or "a row", marking,
                        STRICTEST)
        return STRICTEST


def _label(row: dict[str, Any]) -> str:
    """What names a row in a warning: its document, else its id."""
    if row.get("document_id"):
        return f"document {row['document_id']}"
    return f"row {row.get('id')}"


def strictest(markings: Iterable[str | None]) -> str:
    """The most restricted of `markings` (TLP:CLEAR when there are none)."""
    return max((normalise(m) for m in markings), key=ORDER.index, default=DEFAULT)


def least_strict(markings: Iterable[str | None]) -> str:
    """The least restricted of `markings` (TLP:CLEAR when there are none)."""
    return min((normalise(m) for m in markings), key=ORDER.index, default=DEFAULT)


def row_marking(row: dict[str, Any], default: str | None = None,
                item: str | None = None) -> str:
    """A row's own marking when it has one (the column may be absent or null), else
    `default`. An empty one is malformed, not absent. `item` names the row in a warning
    (default: its document)."""
    own = row.get("marking")
    return normalise(own if own is not None else default, item or _label(row))


def event_marking(event: dict[str, Any]) -> str:
    """An event's marking: its own when the row has one, else the strictest of its reports'
    (each report as its row or its document is marked)."""
    if event.get("marking") is not None:
        return normalise(event["marking"], f"event {event.get('id')}")
    return max((row_marking(r) for r in event.get("report_rows") or ()), key=ORDER.index,
               default=DEFAULT)
