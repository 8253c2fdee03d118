"""Exports of fused knowledge: Corrobora's own JSON Lines (CONTRACTS §2, records.py) and the
field's formats, one module each: ACLED CSV (acled.py), GeoJSON (geojson.py), Parquet
(parquet.py), STIX 2.1 for OpenCTI (stix.py), MISP event JSON (misp.py), FollowTheMoney
entities (ftm.py), and a citable release folder (release.py). Markings travel with every
format (markings.py)."""

from __future__ import annotations

from corrobora.export.records import (
    PLACE_FIELDS,
    actor_names,
    actor_records,
    event_record,
    events_with_reports,
    sub_event_type,
)

# What `corrobora export KIND --format F` writes, by kind: the first format is the default.
FORMATS: dict[str, dict[str, str]] = {
    "events": {
        "jsonl": "CONTRACTS §2 event records, one JSON object a line",
        "csv": "the dashboard's event columns, UTF-8 with a BOM for spreadsheet programs",
        "acled": "ACLED's 31 CSV columns and codes (reads back with `corrobora import acled`)",
        "geojson": "an RFC 7946 FeatureCollection of the events that have a point",
        "parquet": "one typed Parquet table",
        "stix": "a STIX 2.1 bundle shaped for OpenCTI (reports, locations, threat actors, "
                "source identities, relationships, TLP 2.0 markings)",
        "misp": "MISP event JSON, one event each, admiralty-scale and estimative-language tags",
        "ftm": "FollowTheMoney entities (Event, Article, Mention, Organization, Person, "
               "Documentation), one JSON object a line",
    },
    "documents": {
        "jsonl": "CONTRACTS §2 document records",
        "parquet": "document metadata as a typed Parquet table (no text)",
    },
    "actors": {
        "jsonl": "CONTRACTS §2 actor records with aliases and relations",
        "parquet": "actors as a typed Parquet table",
    },
}

__all__ = ["FORMATS", "PLACE_FIELDS", "actor_names", "actor_records", "event_record",
           "events_with_reports", "sub_event_type"]
