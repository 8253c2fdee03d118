"""UCDP Georeferenced Event Dataset (GED) CSV: one row per event of organised violence with
at least one death.

Columns read (the published GED layout): id, type_of_violence, side_a, side_b, dyad_name,
where_prec, where_coordinates, adm_1, adm_2, latitude, longitude, country, date_prec,
date_start, date_end, best, low, high, source_article, source_headline. `id` is the stable
id. Precision codes are mapped onto ACLED's: date_prec 1 (day) -> 1, 2-3 (within a week)
-> 2, 4-5 (month or coarser) -> 3; where_prec 1 (exact) -> 1, 2-3 (near, municipality) -> 2,
4-7 (region, country, water) -> 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
from corrobora.imports.mapping import ActorMapper, PlaceFinder, country_iso2, refine
from corrobora.model import EventReport, Range

DATASET = "UCDP GED"
REQUIRED = ("id", "type_of_violence", "side_a", "side_b", "country", "date_start")
# 1 state-based conflict, 2 non-state conflict (between armed groups: cartel wars),
# 3 one-sided violence (an armed group or the state against civilians).
VIOLENCE = {1: ("ARMED_CLASH", "state-based armed conflict"),
            2: ("ARMED_CLASH", "non-state conflict"),
            3: ("ATTACK", "one-sided violence")}
_DATE_PREC = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}
_WHERE_PREC = {1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 3, 7: 3}


def read(path: Path, actors: ActorMapper, places: PlaceFinder) -> Iterator[Item]:
    return parsed_rows(path, read_csv(path, REQUIRED), parse_row, actors, places)


def parse_row(row: dict[str, str], line: int, actors: ActorMapper,
              places: PlaceFinder) -> ImportedRow:
    row_id = clean(row.get("id"))
    if not row_id:
        raise RowError("empty id")
    violence = parse_int(row.get("type_of_violence"), "type_of_violence", required=True)
    if violence not in VIOLENCE:
        raise RowError(f"type_of_violence {violence} is not 1, 2 or 3")
    our, kind = VIOLENCE[violence]
    start = parse_date(row.get("date_start"), "date_start")
    end = parse_date(row["date_end"], "date_end") if clean(row.get("date_end")) else start
    if end < start:
        raise RowError(f"date_end {end} before date_start {start}")
    date_prec = parse_int(row.get("date_prec"), "date_prec")
    where_prec = parse_int(row.get("where_prec"), "where_prec")
    time_precision = _DATE_PREC.get(date_prec or 1, 3)
    if (end - start).days > 0:
        time_precision = max(time_precision, 2 if (end - start).days <= 7 else 3)
    geo_precision = _WHERE_PREC.get(where_prec or 1, 3)
    best = parse_int(row.get("best"), "best")
    low = parse_int(row.get("low"), "low")
    high = parse_int(row.get("high"), "high")
    fatalities = None
    if best is not None or low is not None or high is not None:
        lo = low if low is not None else best
        hi = high if high is not None else best
        if lo is not None and hi is not None and lo > hi:
            raise RowError(f"low {lo} above high {hi}")
        fatalities = Range(lo if lo is not None else 0, hi)
    coords = parse_coords(row.get("latitude"), row.get("longitude"))
    country_name = clean(row.get("country"))
    country = country_iso2(country_name)
    # where_coordinates is "Town village (or district)": the name before the bracket.
    where = clean((row.get("where_coordinates") or "").split("(")[0].split(" village")[0])
    adm2 = clean((row.get("adm_2") or "").replace(" municipality", "").replace(" district", ""))
    adm1 = clean((row.get("adm_1") or "").replace(" state", "").replace(" province", ""))
    context = tuple(c for c in (adm2, adm1, country_name) if c)
    place = places.find(where, context, coords, country, geo_precision)

    # One-sided violence: side_b is the civilians the group or state attacked.
    refs = [r for r in (actors.ref(row.get("side_a"), "actor1", group_hint=violence == 2),
                        actors.ref(row.get("side_b"), "actor2", group_hint=violence == 2))
            if r]
    our = refine(our, refs, actors.registry)
    who = " vs ".join(r.text for r in refs)
    deaths = "" if fatalities is None else (
        f"; {best if best is not None else fatalities.min} deaths (best estimate"
        f"{', low ' + str(low) if low is not None else ''}"
        f"{', high ' + str(high) if high is not None else ''})")
    headline = clean(row.get("source_headline"))
    text = (f"UCDP GED {row_id}, {start.isoformat()}"
            f"{'..' + end.isoformat() if end != start else ''}: {kind}"
            f"{' in ' + ', '.join(c for c in (where, *context) if c) if where or context else ''}"
            f"{'; ' + who if who else ''}{deaths}."
            f"{' Sources: ' + headline if headline else ''}")
    at = text.index(kind)
    report = EventReport(
        type=our, sentence=(0, len(text)), trigger=(at, at + len(kind)), actors=refs,
        place=place, date=start.isoformat(), time_precision=time_precision,
        fatalities=fatalities, score=1.0)
    return ImportedRow(DATASET, row_id, line, text, report, extra={"country": country})
