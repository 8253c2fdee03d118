"""Serialized forms of fused knowledge (CONTRACTS §2)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corrobora.store import EventFilter, Store

PLACE_FIELDS = ("geonameid", "lat", "lon", "country_code", "admin1_code", "admin2_name",
                "inegi_code", "feature_code", "geo_precision")


def event_record(row: dict[str, Any]) -> dict[str, Any]:
    """One event as `corrobora export events` writes it."""
    place = {k: row[k] for k in PLACE_FIELDS if row.get(k) is not None}
    if row.get("place_name"):
        place["name"] = row["place_name"]
    return {
        "event_id": row["id"],
        "type": row["type"],
        "case_label": row["case_label"],
        "acled_event_type": row["acled_event_type"],
        "date": row["date"],
        "date_max": row["date_max"],
        "time_precision": row["time_precision"],
        "place": place or None,
        "actors": row["actors"] or [],
        "fatalities": {"min": row["fatalities_min"], "max": row["fatalities_max"]},
        "reports": row["reports"] or [],
        "independent_sources": row["independent_sources"],
        "reliability": row["reliability"],
        "credibility": row["credibility"],
        "hedged": row["hedged"],
    }


def actor_records(store: Store, seen: Store | None = None) -> list[dict[str, Any]]:
    """`corrobora export actors`: stored actors and the actors their relations name, with
    aliases and time-bounded relations (CONTRACTS §2). The registry's relations are merged
    into `store` (writable) first; the records are read from `seen` when given (the store
    as one reader sees it, export/view.py), else from `store`."""
    from corrobora.extract.actors import ActorRegistry
    from corrobora.fuse.relations import export_records, registry_rows

    registry = ActorRegistry.load()
    store.upsert_actor_relations(registry_rows(registry))
    seen = store if seen is None else seen
    return export_records(seen.actor_rows(), registry, seen.actor_relations())


def events_with_reports(store: Store, f: EventFilter | None = None, *, chunk: int = 500,
                        with_text: bool = True, ids: Sequence[str] | None = None
                        ) -> Iterator[dict[str, Any]]:
    """Each stored event (or those `f` matches, among `ids` if given) as `export_events`
    gives it, with
    `report_rows`: its reports with their documents' source, grade, url and marking (the
    sentence text unless `with_text` is false). Read `chunk` events at a time, so an export
    of a large store streams. What `store` shows is what goes out: a handle restricted to a
    reader (export/view.py) gives that reader's events, figures and reports."""
    rows = store.export_events(f, ids=ids)
    while batch := list(islice(rows, chunk)):
        reports: dict[str, list[dict[str, Any]]] = {}
        for r in store.export_reports([e["id"] for e in batch], with_text=with_text):
            reports.setdefault(r["event_id"], []).append(r)
        for e in batch:
            e["report_rows"] = reports.get(e["id"], [])
            # list(DISTINCT ...) has no order: sorted, so every export is the same bytes.
            e["actors"] = sorted(e.get("actors") or [], key=lambda a: (
                a["role"], a["text"], a["actor_id"] or "", a["acled_name"] or ""))
            yield e


def sub_event_type(event: dict[str, Any]) -> str | None:
    """The event's ACLED sub-event type: the one its reports of the event's type were stored
    with most often (an imported ACLED row keeps ACLED's), else the ontology's for the type."""
    from corrobora.extract import ontology

    stored = Counter(r["acled_sub_event_type"] for r in event.get("report_rows") or ()
                     if r.get("acled_sub_event_type") and r.get("type") == event["type"])
    if stored:
        return stored.most_common(1)[0][0]
    try:
        return ontology.acled(event["type"])[1]
    except KeyError:
        return None


def actor_names(store: Store) -> dict[str, dict[str, Any]]:
    """Stored actors by id (name, type, inter code), with the registry's name where known."""
    from corrobora.extract.actors import ActorRegistry

    registry = ActorRegistry.load()
    out = {}
    for a in store.actor_rows():
        known = registry.get(a["id"])
        out[a["id"]] = {**a, "name": known.name if known else a["name"],
                        "aliases": list(known.aliases) if known else [],
                        "type": (known.type if known else None) or a["type"]}
    return out
