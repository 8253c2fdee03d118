"""ACLED CSV exports (acleddata.com): one row per event, human-coded.

Columns read (the published export layout): event_id_cnty, event_date, time_precision,
event_type, sub_event_type, actor1, assoc_actor_1, inter1, actor2, assoc_actor_2, inter2,
iso, country, admin1, admin2, admin3, location, latitude, longitude, geo_precision, source,
notes, fatalities, timestamp. `event_id_cnty` is the stable id. Inter codes are read as
numbers ("3", older exports and Corrobora's) or as ACLED's names ("Political militia",
newer exports); armed groups are 2 rebel groups, 3 political militias (ACLED codes Mexican
cartels so), 4 identity militias; 1 is state forces. ACLED's own `time_precision`
and `geo_precision` codes are ours (1 day/town, 2 week/near town, 3 month/region).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from corrobora.export.acled import inter_code
from corrobora.imports.base import (
    ImportedRow,
    Item,
    RowError,
    clean,
    parse_coords,
    parse_date,
    parse_int,
    parsed_rows,
    read_csv,
)
from corrobora.imports.mapping import ActorMapper, PlaceFinder, acled_type, country_iso2, refine
from corrobora.model import EventReport, Range

DATASET = "ACLED"
REQUIRED = ("event_id_cnty", "event_date", "event_type", "country")
_SOURCES = re.compile(r" \(sources: ([^()]*)\)$")


def read(path: Path, actors: ActorMapper, places: PlaceFinder) -> Iterator[Item]:
    return parsed_rows(path, read_csv(path, REQUIRED), parse_row, actors, places)


def parse_row(row: dict[str, str], line: int, actors: ActorMapper,
              places: PlaceFinder) -> ImportedRow:
    row_id = clean(row.get("event_id_cnty"))
    if not row_id:
        raise RowError("empty event_id_cnty")
    day = parse_date(row.get("event_date"), "event_date")
    event_type = clean(row.get("event_type"))
    if not event_type:
        raise RowError("empty event_type")
    sub = clean(row.get("sub_event_type"))
    our = acled_type(event_type, sub)
    if our is None:
        raise RowError(f"unknown ACLED event_type {event_type!r} / sub_event_type {sub!r}")
    time_precision = parse_int(row.get("time_precision"), "time_precision") or 1
    geo_precision = parse_int(row.get("geo_precision"), "geo_precision")
    if time_precision not in (1, 2, 3) or (geo_precision is not None and geo_precision
                                           not in (1, 2, 3)):
        raise RowError("time_precision and geo_precision must be 1, 2 or 3")
    fatalities = parse_int(row.get("fatalities"), "fatalities")
    coords = parse_coords(row.get("latitude"), row.get("longitude"))
    country = country_iso2(clean(row.get("country")), clean(row.get("iso")))
    location = clean(row.get("location"))
    context = tuple(c for c in (row.get("admin2"), row.get("admin1"), row.get("country")) if c)
    place = places.find(location, context, coords, country, geo_precision)

    refs = []
    hints = {}
    for role, name_key, assoc_key, inter_key in (("actor1", "actor1", "assoc_actor_1", "inter1"),
                                                 ("actor2", "actor2", "assoc_actor_2", "inter2")):
        inter = inter_code(row.get(inter_key))
        if inter == 1:
            hints[role] = "state_force"
        ref = actors.ref(row.get(name_key), role, group_hint=inter in (2, 3, 4))
        if ref:
            # ACLED's own actor name is what extraction's `acled_name` imitates.
            ref.inter = inter
            ref.acled_name = clean(row.get(name_key))
            refs.append(ref)
        # Associated actors are listed "A; B"; those of actor2 are stored as "assoc2", so
        # the ACLED export puts them back on their side.
        for assoc in (row.get(assoc_key) or "").split(";"):
            ref = actors.ref(assoc, "assoc2" if role == "actor2" else "assoc")
            if ref:
                ref.acled_name = clean(assoc)
                refs.append(ref)
    our = refine(our, refs, actors.registry, hints)

    sources = clean(row.get("source"))
    notes = clean(row.get("notes"))
    sides = [r for r in refs if not r.role.startswith("assoc")]
    what = f"{event_type}" + (f" / {sub}" if sub else "")
    # The rendering ends with the notes and then the sources: rendered_notes_and_sources
    # reads them back (the ACLED CSV export writes them out again).
    text = (f"ACLED {row_id}, {day.isoformat()}: {what}"
            f"{' in ' + ', '.join(c for c in (location, *context) if c) if location else ''}"
            f"{'; ' + ' vs '.join(r.text for r in sides) if refs else ''}"
            f"{'; ' + str(fatalities) + ' fatalities' if fatalities is not None else ''}."
            f"{' ' + notes if notes else ''}{' (sources: ' + sources + ')' if sources else ''}")
    start = text.index(what)
    report = EventReport(
        type=our, sentence=(0, len(text)), trigger=(start, start + len(what)),
        actors=refs, place=place, date=day.isoformat(), time_precision=time_precision,
        fatalities=Range(fatalities, fatalities) if fatalities is not None else None,
        score=1.0)
    # ACLED's own sub-event type is stored (complete_type keeps it), so an export gives it back.
    report.acled_sub_event_type = sub
    stamp = parse_int(row.get("timestamp"), "timestamp")
    published = datetime.fromtimestamp(stamp, UTC) if stamp else None
    return ImportedRow(DATASET, row_id, line, text, report, published_at=published,
                       extra={"country": country})


def rendered_notes_and_sources(text: str, fatalities: int | None) -> tuple[str, str]:
    """(notes, sources) of an imported row from its rendering (parse_row): the sources are
    the closing "(sources: ...)", the notes what follows the header, which ends with the
    fatalities when the row gave them, else with its first full stop."""
    m = _SOURCES.search(text)
    sources = m.group(1) if m else ""
    body = text[:m.start()] if m else text
    marker = f"; {fatalities} fatalities." if fatalities is not None else "."
    cut = body.find(marker)
    notes = body[cut + len(marker):].strip() if cut >= 0 else ""
    return notes, sources
