"""A store with events, their reports and the actors they name, built directly (no NLP): for
the alert and fragmentation tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from corrobora.store import Store
from corrobora.store.duckdb_store import Batch

PLACES = [  # geonameid, name, admin1, INEGI
    (1, "Culiacán", "MX-SIN", "25006"),
    (2, "Hermosillo", "MX-SON", "26030"),
    (3, "Apatzingán", "MX-MIC", "16006"),
]
ACTORS = [("los-chapitos", "Los Chapitos", "confirmed"), ("los-mayos", "Los Mayos", "confirmed"),
          ("cjng", "Cártel de Jalisco Nueva Generación", "confirmed"),
          ("candidate:los-nuevos", "Los Nuevos", "candidate")]


def build(path: Path, events: list[tuple[date, int, str, list[str]]]) -> Path:
    """events: (day, place geonameid, type, actor ids); violent types carry ACLED Battles."""
    acled = {"CRIMINAL_CLASH": "Battles", "ATTACK": "Violence against civilians",
             "DRUG_SEIZURE": "Strategic developments"}
    b = Batch()
    b.places = [{"geonameid": g, "name": n, "lat": 0.0, "lon": 0.0, "country_code": "MX",
                 "admin1_code": a, "inegi_code": c} for g, n, a, c in PLACES]
    b.actors = [{"id": i, "name": n, "type": "criminal_group", "status": s}
                for i, n, s in ACTORS]
    for k, (day, place, type_, actors) in enumerate(events):
        did, eid, rid = f"doc-{k}", f"evt-{k}", f"rep-{k}"
        b.documents.append({"id": did, "content_hash": did, "text": "x", "origin": "test",
                            "minhash": b"", "ingest_seq": k})
        b.new_events.append({"id": eid, "type": type_, "case_label": type_,
                             "acled_event_type": acled.get(type_), "date": day,
                             "geonameid": place, "n_reports": 1, "independent_sources": 1,
                             "reliability": "C", "credibility": 3, "hedged": False})
        b.event_reports.append({"id": rid, "document_id": did, "event_id": eid, "type": type_,
                                "sentence_start": 0, "sentence_end": 1, "trigger_start": 0,
                                "trigger_end": 1, "geonameid": place, "date": day,
                                "source_key": "test", "hedged": False})
        b.event_report_actors += [{"event_report_id": rid, "role": "actor1", "text": a,
                                   "actor_id": a} for a in actors]
    with Store(path) as store:
        store.write_batch(b)
    return path
