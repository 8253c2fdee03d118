"""GDELT event files (1.0 daily/historical and 2.0 15-minute exports): tab-separated, no
header, one row per machine-coded event with a CAMEO code.

The layout is told by the number of fields: 57 (GDELT 1.0 historical, no SOURCEURL), 58
(1.0 daily, with SOURCEURL) or 61 (2.0, with ADM2 codes); a header line, if present, is
skipped. GlobalEventID is the stable id. Only rows whose CAMEO code the ontology maps onto
one of our types are imported (statements, appeals and consultations are not events
Corrobora models: skipped and counted). GDELT counts reports as events (one kidnapping can
be hundreds of rows); fusion merges the rows that agree on type, place and day.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from corrobora.imports.base import (
    ImportedRow,
    ImportFileError,
    Item,
    RowError,
    RowProblem,
    Skipped,
    clean,
    open_text,
    parse_coords,
    parse_int,
)
from corrobora.imports.mapping import ActorMapper, PlaceFinder, cameo_type
from corrobora.model import EventReport

DATASET = "GDELT"
_ACTOR = ["code", "name", "countrycode", "knowngroupcode", "ethniccode", "religion1code",
          "religion2code", "type1code", "type2code", "type3code"]
_EVENT = ["isrootevent", "eventcode", "eventbasecode", "eventrootcode", "quadclass",
          "goldsteinscale", "nummentions", "numsources", "numarticles", "avgtone"]


def _geo(prefix: str, adm2: bool) -> list[str]:
    cols = ["type", "fullname", "countrycode", "adm1code"] + (["adm2code"] if adm2 else []) \
        + ["lat", "long", "featureid"]
    return [f"{prefix}geo_{c}" for c in cols]


def columns(n_fields: int) -> list[str] | None:
    head = ["globaleventid", "day", "monthyear", "year", "fractiondate"]
    actors = [f"actor1{c}" for c in _ACTOR] + [f"actor2{c}" for c in _ACTOR]
    v2 = n_fields == 61
    if n_fields not in (57, 58, 61):
        return None
    geo = _geo("actor1", v2) + _geo("actor2", v2) + _geo("action", v2)
    tail = ["dateadded"] + (["sourceurl"] if n_fields >= 58 else [])
    return head + actors + _EVENT + geo + tail


# GDELT geo types: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (ADM1).
_GEO_PRECISION = {"1": 3, "2": 3, "3": 1, "4": 1, "5": 3}


def read(path: Path, actors: ActorMapper, places: PlaceFinder) -> Iterator[Item]:
    handle = open_text(path)
    with handle:
        try:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            for record in reader:
                line = reader.line_num
                if not any(c.strip() for c in record):
                    continue
                if line == 1 and not record[0].strip().isdigit():
                    continue  # a header line
                names = columns(len(record))
                if names is None:
                    yield RowProblem(str(path), line, f"{len(record)} fields; GDELT event rows "
                                     "have 57 or 58 (1.0) or 61 (2.0)")
                    continue
                row = dict(zip(names, (c.strip() for c in record), strict=True))
                try:
                    yield parse_row(row, line, actors, places)
                except RowError as exc:
                    yield RowProblem(str(path), line, str(exc))
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{path}: not UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:
            raise ImportFileError(f"{path}: not tab-separated: {exc}") from exc


def _day(value: str, name: str) -> datetime:
    value = value.strip()
    for fmt in ("%Y%m%d%H%M%S", "%Y%m%d"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise RowError(f"bad {name} {value!r} (expected YYYYMMDD)")


def parse_row(row: dict[str, str], line: int, actors: ActorMapper,
              places: PlaceFinder) -> ImportedRow | Skipped:
    row_id = row["globaleventid"]
    if not row_id.isdigit():
        raise RowError(f"GlobalEventID {row_id!r} is not a number")
    day = _day(row["day"], "SQLDATE").date()
    code = row["eventcode"]
    if not code.isdigit():
        raise RowError(f"EventCode {code!r} is not a CAMEO code")
    our = cameo_type(code)
    if our is None:
        return Skipped(line, f"CAMEO {code[:2]} outside the ontology")
    coords = parse_coords(row.get("actiongeo_lat"), row.get("actiongeo_long"))
    full = [p.strip() for p in (row.get("actiongeo_fullname") or "").split(",") if p.strip()]
    geo_type = row.get("actiongeo_type", "")
    precision = _GEO_PRECISION.get(geo_type)
    place = None
    if full:
        place = places.find(full[0], tuple(full[1:]), coords, None, precision)
    refs = [r for r in (actors.ref(row.get("actor1name"), "actor1", candidates=False),
                        actors.ref(row.get("actor2name"), "actor2", candidates=False)) if r]
    sources = parse_int(row.get("numsources"), "NumSources")
    articles = parse_int(row.get("numarticles"), "NumArticles")
    what = f"CAMEO {code}"
    text = (f"GDELT {row_id}, {day.isoformat()}: {what}"
            f"{' in ' + ', '.join(full) if full else ''}"
            f"{'; ' + ' -> '.join(r.text for r in refs) if refs else ''}"
            f"; {sources or 0} sources, {articles or 0} articles.")
    at = text.index(what)
    report = EventReport(type=our, sentence=(0, len(text)), trigger=(at, at + len(what)),
                         actors=refs, place=place, date=day.isoformat(), time_precision=1,
                         score=1.0)
    added = clean(row.get("dateadded"))
    return ImportedRow(DATASET, row_id, line, text, report,
                       published_at=_day(added, "DATEADDED").replace(tzinfo=UTC) if added else None,
                       url=clean(row.get("sourceurl")),
                       extra={"country": place.country_code if place else None})
