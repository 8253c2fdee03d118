"""Serialized forms of fused knowledge (CONTRACTS §2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corrobora.store import Store

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


def actor_records(store: Store) -> list[dict[str, Any]]:
    """`corrobora export actors`: stored actors and the actors their relations name, with
    aliases and time-bounded relations (CONTRACTS §2). The registry's relations are merged
    into the store first."""
    from corrobora.extract.actors import ActorRegistry
    from corrobora.fuse.relations import export_records, registry_rows

    registry = ActorRegistry.load()
    store.upsert_actor_relations(registry_rows(registry))
    return export_records(store.actor_rows(), registry, store.actor_relations())
