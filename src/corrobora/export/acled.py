"""ACLED CSV: one row per fused event in ACLED's 31 columns and codes, so an ACLED user's
tools read Corrobora's events as ACLED's own (and `corrobora import acled` reads them back).

Codes follow the ACLED Codebook: inter codes as numbers (1 state forces ... 8 external
forces; 0 no second actor), the interaction code as the two inter codes, lower first ("13";
"30" for a sole actor), time and geo precision 1-3, fatalities the lowest reported count.
The terms are in data/ontology/acled.yaml. An event that holds an imported ACLED row keeps
ACLED's id, notes and sources; other events take their own id, the sentence of their first
report as notes and their documents' sources. Events of types ACLED does not code
(ORG_CRIME, DIPLO, disasters: no ACLED event type) are left out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, TextIO

import yaml

COLUMNS = ("event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
           "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2",
           "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "iso", "region",
           "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
           "geo_precision", "source", "source_scale", "notes", "fatalities", "tags",
           "timestamp")
ACLED_PREFIX = "acled:"
"""Document ids of imported ACLED rows (imports/base.py: dataset, colon, event_id_cnty)."""


@cache
def codebook() -> dict[str, Any]:
    """data/ontology/acled.yaml (disorder types, inter codes, source scales) and ACLED's
    region of every country (data/acled_regions.tsv) as `region_by_country`."""
    data_dir = resources.files("corrobora").joinpath("data")
    data = yaml.safe_load(data_dir.joinpath("ontology", "acled.yaml").read_text("utf-8"))
    rows = csv.DictReader((line for line in data_dir.joinpath("acled_regions.tsv").read_text(
        "utf-8").splitlines() if not line.startswith("#")), delimiter="\t")
    data["region_by_country"] = {r["iso2"]: r["region"] for r in rows}
    return data


def inter_code(spelled: str | None) -> int | None:
    """An inter code written as a number ("3", "3.0") or as ACLED's name ("Political
    militia", any case); None when empty or unknown."""
    spelled = (spelled or "").strip()
    if not spelled:
        return None
    try:
        return int(float(spelled))
    except ValueError:
        names = {v.lower(): int(k) for k, v in codebook()["inter_codes"].items()}
        return names.get(spelled.lower())


def interaction(inter1: int | None, inter2: int | None) -> str:
    """ACLED's interaction code: both inter codes, the lower first; a sole actor's code
    followed by 0."""
    codes = sorted(c for c in (inter1, inter2) if c)
    if not codes:
        return ""
    return f"{codes[0]}{codes[1] if len(codes) > 1 else 0}"


def _country(code: str | None) -> tuple[str, str]:
    """(ISO 3166-1 numeric, the short English name) of an alpha-2 code."""
    import pycountry

    c = pycountry.countries.get(alpha_2=code) if code else None
    if c is None:
        return "", ""
    return str(int(c.numeric)), getattr(c, "common_name", None) or c.name


def _admin1(code: str | None) -> str:
    import pycountry

    s = pycountry.subdivisions.get(code=code) if code else None
    return s.name if s is not None else ""


def _actors(event: dict[str, Any], names: dict[str, dict[str, Any]]
            ) -> dict[str, list[tuple[str, int | None]]]:
    """(ACLED-style name, inter code) of the event's actors by actor1, actor2 and the
    associated actors of each side (assoc1, assoc2): actors beyond the first of a side
    count as associated with it; an imported row's assoc_actor_2 is stored as "assoc2",
    other associated actors ("assoc", "assoc1") go with actor1."""
    sides: dict[str, list[tuple[str, int | None]]] = {"actor1": [], "actor2": [],
                                                       "assoc1": [], "assoc2": []}
    by_type = codebook()["inter_by_actor_type"]
    # ACLED-coded names first, so an imported row's actor leads its side.
    for a in sorted(event.get("actors") or [], key=lambda a: (a["acled_name"] is None,
                                                               a["text"])):
        known = names.get(a["actor_id"] or "") or {}
        name = a["acled_name"] or known.get("name") or a["text"]
        inter = a["inter"] or known.get("inter_code") or by_type.get(known.get("type") or "")
        side = a["role"] if a["role"] in ("actor1", "actor2", "assoc2") else "assoc1"
        if side in ("actor1", "actor2") and sides[side]:
            side = "assoc1" if side == "actor1" else "assoc2"
        # Reports name one actor in different words: list each ACLED name once.
        if all(name != n for ones in sides.values() for n, _ in ones):
            sides[side].append((name, inter))
    return sides


def source_scale(outlets: Iterable[str], country: str | None) -> str:
    """ACLED's source_scale of these outlets (names as data/sources.yaml lists them, or
    aliases) reporting on an event in `country` (ISO alpha-2): each listed outlet's scale
    by its kind, international for a national, local or official outlet of another
    country, joined in ACLED's order ("National-International"); outlets the registry does
    not know add nothing."""
    from corrobora.fuse.source_registry import SourceRegistry

    book = codebook()
    registry = SourceRegistry.load()
    found = set()
    for name in outlets:
        src = registry.get(name)
        scale = book["source_scales"].get(src.kind or "") if src else None
        if scale in ("National", "Subnational") and country and src and src.country \
                and src.country != country:
            scale = "International"
        if scale:
            found.add(scale)
    return "-".join(s for s in book["source_scale_order"] if s in found)


def row(event: dict[str, Any], names: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One event (records.events_with_reports) as an ACLED CSV row."""
    from corrobora.export.records import sub_event_type
    from corrobora.imports.acled import rendered_notes_and_sources

    book = codebook()
    reports = event.get("report_rows") or []
    acled_reports = [r for r in reports if r["document_id"].startswith(ACLED_PREFIX)]
    event_type = event.get("acled_event_type") or ""
    sub = sub_event_type(event) or ""
    disorder = book["disorder_by_sub_event_type"].get(sub) or book["disorder_types"].get(
        event_type, "")
    sides = _actors(event, names)
    actor1 = sides["actor1"][0] if sides["actor1"] else ("", None)
    actor2 = sides["actor2"][0] if sides["actor2"] else ("", None)
    inter1, inter2 = actor1[1], actor2[1]
    targeted = event_type == "Violence against civilians" or (
        disorder.startswith("Political violence") and 7 in (inter1, inter2))
    iso, country = _country(event.get("country_code"))
    day = event.get("date")
    if acled_reports:
        first = acled_reports[0]
        event_id = first["document_id"][len(ACLED_PREFIX):]
        notes, sources = rendered_notes_and_sources(
            first["sentence_text"] or "", first["fatalities_min"])
    else:
        event_id = event["id"]
        notes = " ".join(next((r["sentence_text"] for r in reports if r.get("sentence_text")),
                              "").split())
        sources = "; ".join(dict.fromkeys(
            s for r in reports for s in (r.get("source"), *(r.get("attribution") or ())) if s))
    # The outlets: an imported row's as ACLED listed them, else the documents' and those
    # they attribute the claim to.
    outlets = [o.strip() for o in (sources or "").split(";") if o.strip()]
    published = [r["published_at"] for r in reports if r.get("published_at")]
    stamp = max(published) if published else None
    fatalities = event.get("fatalities_min")
    return {
        "event_id_cnty": event_id,
        "event_date": day.isoformat() if day else "",
        "year": day.year if day else "",
        "time_precision": event.get("time_precision") or "",
        "disorder_type": disorder,
        "event_type": event_type,
        "sub_event_type": sub,
        "actor1": actor1[0],
        "assoc_actor_1": "; ".join(n for n, _ in sides["assoc1"]),
        "inter1": inter1 if inter1 is not None else ("0" if not actor1[0] else ""),
        "actor2": actor2[0],
        "assoc_actor_2": "; ".join(n for n, _ in sides["assoc2"]),
        "inter2": inter2 if inter2 is not None else ("0" if not actor2[0] else ""),
        "interaction": interaction(inter1, inter2),
        "civilian_targeting": "Civilian targeting" if targeted else "",
        "iso": iso,
        "region": book["region_by_country"].get(event.get("country_code") or "", ""),
        "country": country,
        "admin1": _admin1(event.get("admin1_code")),
        "admin2": event.get("admin2_name") or "",
        # Always empty: the gazetteer's packaged GeoNames data has ADM1 and ADM2 only, no
        # ADM3 (geo/gazetteer.py; the release codebook says so).
        "admin3": "",
        "location": event.get("place_name") or "",
        "latitude": "" if event.get("lat") is None else f"{event['lat']:.4f}",
        "longitude": "" if event.get("lon") is None else f"{event['lon']:.4f}",
        "geo_precision": event.get("geo_precision") or "",
        "source": sources or "",
        "source_scale": source_scale(outlets, event.get("country_code")),
        "notes": notes or "",
        "fatalities": fatalities if fatalities is not None else 0,
        # ACLED's tags are free "key=value" notes: ours carry the grade and the corroboration.
        "tags": f"corrobora grade={event['reliability']}{event['credibility']}; "
                f"independent sources={event['independent_sources']}"
                + ("; hedged" if event.get("hedged") else ""),
        "timestamp": int(stamp.timestamp()) if isinstance(stamp, datetime) else "",
    }


def write(events: Iterable[dict[str, Any]], names: dict[str, dict[str, Any]],
          dst: TextIO) -> int:
    """The ACLED CSV of `events` to `dst`; returns the number of rows."""
    n = -1  # the header
    for chunk in lines(events, names):
        dst.write(chunk)
        n += 1
    return n


def lines(events: Iterable[dict[str, Any]], names: dict[str, dict[str, Any]]
          ) -> Iterator[str]:
    """The same CSV as text chunks, a header then one row each (for streamed downloads).
    Events of types ACLED does not code (CASE-only types) are left out."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    yield buf.getvalue()
    for e in events:
        if not e.get("acled_event_type"):
            continue  # a CASE-only type (ORG_CRIME, DIPLO, disasters): no ACLED event
        buf.seek(0)
        buf.truncate()
        writer.writerow(row(e, names))
        yield buf.getvalue()
