"""OCVED 2.0 (Osorio and Beltrán 2020): the violent presence of organized criminal groups in
Mexican municipalities by day, 2000-2018, coded from news by machine (xlsx, first sheet).

Columns: date (YYYYMMDD), date_elapsed, year, month, day, state, mun (INEGI code without
its leading zero), counter (reports that day), actor_main (the organization), actor_sub (the
cell, faction, person or role named), longitude, latitude. A row says that a group was
reported acting violently in a municipality on a day; it becomes an ORG_CRIME report (not
an ACLED violent type: presence is not a count of violent events) placed at the
municipality, with the group as actor. No row says what happened (Eventus ID extracted
only group names and places, the release's README says; `actor_sub` roles such as hitman
or leader are not acts), so no row maps onto a violent type: analyses of violent events
say so when a store holds only these (analyze/events.py). OCVED has no row id: the date,
municipality and the two actor fields identify a row (they are unique in the release).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

from corrobora.imports.base import (
    ImportedRow,
    ImportFileError,
    Item,
    RowError,
    parse_int,
    parsed_rows,
    read_xlsx,
)
from corrobora.imports.mapping import MX_STATES, ActorMapper, PlaceFinder
from corrobora.model import EventReport

DATASET = "OCVED"
COLUMNS = ("date", "state", "mun", "counter", "actor_main", "actor_sub", "longitude",
           "latitude")
GENERIC = frozenset({"individual", "hitman", "criminal", "cartel member", "drugtrafficker",
                     "leader", "key operator", "other", "unidentified criminal group", ""})
"""actor_sub values that name a role, not a group; actor_main "Other" is no group either."""


def group_names(main: str, sub: str) -> tuple[str | None, str | None]:
    """(organization, cell or person) named by a row, None where the field is generic."""
    m = None if main.strip().lower() in GENERIC else main.strip()
    s = None if sub.strip().lower() in GENERIC or sub.strip() == main.strip() else sub.strip()
    return m, s


def rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, fields) of the OCVED sheet; a missing column fails the file."""
    it = read_xlsx(path)
    header = next(it, None)
    if header is None:
        raise ImportFileError(f"{path}: empty sheet")
    names = [h.strip().lower() for h in header[1]]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ImportFileError(f"{path}:1: missing column{'s' if len(missing) > 1 else ''} "
                              f"{', '.join(missing)}")
    for n, cells in it:
        if any(c.strip() for c in cells):
            yield n, dict(zip(names, (c.strip() for c in cells), strict=False))


def parse_day(value: str) -> date:
    v = value.strip().split(".")[0]
    if len(v) != 8 or not v.isdigit():
        raise RowError(f"bad date {value!r} (expected YYYYMMDD)")
    try:
        return date(int(v[:4]), int(v[4:6]), int(v[6:]))
    except ValueError as exc:
        raise RowError(f"bad date {value!r}: {exc}") from None


def read(path: Path, actors: ActorMapper, places: PlaceFinder) -> Iterator[Item]:
    return parsed_rows(path, rows(path), parse_row, actors, places)


def parse_row(row: dict[str, str], line: int, actors: ActorMapper,
              places: PlaceFinder) -> ImportedRow:
    day = parse_day(row.get("date", ""))
    mun = parse_int(row.get("mun"), "mun", required=True)
    assert mun is not None
    inegi = f"{mun:05d}"
    counter = parse_int(row.get("counter"), "counter")
    main, sub = row.get("actor_main", ""), row.get("actor_sub", "")
    group, cell = group_names(main, sub)
    # The municipality code places the row; its coordinates are the municipality's and add
    # nothing (some are swapped or garbled in the release, which must not cost the row).
    place = places.by_inegi(inegi, precision=2)
    if place is None:
        # A code missing from the INEGI catalogue the gazetteer uses (a municipality created
        # later, or a typo): the row is kept at the level of its state.
        state = MX_STATES.get(inegi[:2])
        place = places.by_admin1(state) if state else None
        if place is None:
            raise RowError(f"unknown INEGI municipality {inegi}")
    refs = []
    if cell:
        refs.append(actors.ref(cell, "actor1", group_hint=True))
        if group:
            refs.append(actors.ref(group, "assoc", group_hint=True))
    elif group:
        refs.append(actors.ref(group, "actor1", group_hint=True))
    else:
        refs.append(actors.ref(main or "Unidentified Criminal Group", "actor1"))
    refs = [r for r in refs if r is not None]
    row_id = "-".join([day.strftime("%Y%m%d"), inegi, _slug(main), _slug(sub)])
    who = " / ".join(x for x in (main, sub) if x) or "unidentified group"
    what = "violent presence"
    text = (f"OCVED {day.isoformat()}: {what} of {who} in {place.name}, "
            f"{place.admin1_code} (INEGI {inegi}); {counter or 1} report(s) that day.")
    at = text.index(what)
    report = EventReport(type="ORG_CRIME", sentence=(0, len(text)), trigger=(at, at + len(what)),
                         actors=refs, place=place, date=day.isoformat(), time_precision=1,
                         score=1.0)
    return ImportedRow(DATASET, row_id, line, text, report, extra={"country": "MX"})


def _slug(text: str) -> str:
    from corrobora.extract.actors import slug

    return slug(text) or "none"
