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


Place = tuple  # (geonameid, name, admin1, INEGI[, municipality name, feature code])


def build(path: Path, events: list[tuple[date, int, str, list[str | tuple[str | None, str]]]],
          *, places: list[Place] = PLACES, actors: list[tuple[str, str, str]] = ACTORS,
          documents: list[dict[str, object]] = ()) -> Path:
    """events: (day, place geonameid, type, actors: registry ids, or (id or None, text as
    reported)); violent types carry ACLED Battles. `documents`: more document rows."""
    acled = {"CRIMINAL_CLASH": "Battles", "ATTACK": "Violence against civilians",
             "DRUG_SEIZURE": "Strategic developments"}
    b = Batch()
    b.places = [{"geonameid": p[0], "name": p[1], "lat": 0.0, "lon": 0.0, "country_code": "MX",
                 "admin1_code": p[2], "inegi_code": p[3],
                 "admin2_name": p[4] if len(p) > 4 else None,
                 "feature_code": p[5] if len(p) > 5 else "PPL"} for p in places]
    b.actors = [{"id": i, "name": n, "type": "criminal_group", "status": s}
                for i, n, s in actors]
    b.documents += [{"content_hash": str(d["id"]), "text": "x", "origin": "test",
                     "minhash": b"", **d} for d in documents]
    for k, (day, place, type_, named) in enumerate(events):
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
        b.event_report_actors += [
            {"event_report_id": rid, "role": "actor1", "text": a, "actor_id": a}
            if isinstance(a, str) else
            {"event_report_id": rid, "role": "actor1", "text": a[1], "actor_id": a[0]}
            for a in named]
    with Store(path) as store:
        store.write_batch(b)
    return path
