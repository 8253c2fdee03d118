"""GeoJSON (RFC 7946): a FeatureCollection of the events that have a point, longitude first,
WGS 84, each with the event's record (CONTRACTS §2 fields) as properties. Events without a
place are left out and counted."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from corrobora.export.markings import event_marking
from corrobora.export.records import event_record, sub_event_type


def feature(event: dict[str, Any]) -> dict[str, Any] | None:
    """One event as a Feature with a Point, or None when it has no coordinates."""
    if event.get("lat") is None or event.get("lon") is None:
        return None
    props = event_record(event)
    props["acled_sub_event_type"] = sub_event_type(event)
    props["marking"] = event_marking(event)
    return {"type": "Feature", "id": event["id"],
            "geometry": {"type": "Point",
                         "coordinates": [round(event["lon"], 6), round(event["lat"], 6)]},
            "properties": props}


def chunks(events: Iterable[dict[str, Any]], default: Any = None,
           skipped: list[int] | None = None) -> Iterator[str]:
    """The FeatureCollection as text, one feature a chunk (for files and streamed
    downloads: nothing holds more than one feature). Events without a point are counted in
    `skipped[0]` when a list is given."""
    yield '{"type": "FeatureCollection", "features": [\n'
    n = 0
    for e in events:
        f = feature(e)
        if f is None:
            if skipped is not None:
                skipped[0] += 1
            continue
        yield (",\n" if n else "") + json.dumps(f, ensure_ascii=False, default=default)
        n += 1
    yield "\n]}\n"


def write(events: Iterable[dict[str, Any]], dst: TextIO, default: Any = None) -> tuple[int, int]:
    """The FeatureCollection to `dst`, streamed one feature at a time; returns (features,
    events left out for having no point)."""
    skipped = [0]
    n = -2  # the opening and the closing
    for chunk in chunks(events, default, skipped):
        dst.write(chunk)
        n += 1
    return n, skipped[0]
