"""FollowTheMoney entities (the data model of Aleph and OpenSanctions), one JSON object a
line: each event an `Event` (its actors `involved`), each document that reports it an
`Article` tied to the event by a `Documentation`, each registry actor an `Organization` (or
a `Person` for people, as reported), and each actor as a report names it a `Mention` in its
article, `resolved` to the actor when the registry knows it. Entities shared by events
(articles, actors) are written once.

Written as plain JSON (`{"id", "schema", "properties"}`), so `export` does not need the
followthemoney library at run time (it pulls PyICU in its newer releases); the tests check
every entity against the library's model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

PREFIX = "corrobora"
_PERSON_TYPES = {"person"}


def entity_id(kind: str, key: str) -> str:
    """A stable id: readable kind, hashed key (FtM ids are opaque strings)."""
    return f"{PREFIX}-{kind}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:20]}"


def _entity(eid: str, schema: str, **props: Any) -> dict[str, Any]:
    clean = {}
    for k, v in props.items():
        values = [str(x) for x in (v if isinstance(v, list | tuple) else [v])
                  if x is not None and x != ""]
        if values:
            clean[k] = list(dict.fromkeys(values))
    return {"id": eid, "schema": schema, "properties": clean}


def entities(events: Iterable[dict[str, Any]], names: dict[str, dict[str, Any]]
             ) -> Iterator[dict[str, Any]]:
    """The entities of `events` (records.events_with_reports), each once."""
    seen: set[str] = set()

    def once(entity: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if entity["id"] not in seen:
            seen.add(entity["id"])
            yield entity

    for e in events:
        actors: dict[str, dict[str, Any]] = {}
        for a in e.get("actors") or ():
            if not a.get("actor_id"):
                continue
            known = names.get(a["actor_id"]) or {}
            schema = "Person" if known.get("type") in _PERSON_TYPES else "Organization"
            actors[a["actor_id"]] = _entity(
                entity_id("actor", a["actor_id"]), schema,
                name=known.get("name") or a["text"], alias=known.get("aliases") or [],
                description=known.get("type"), keywords=[a["actor_id"]])
        for actor in actors.values():
            yield from once(actor)
        event_id = entity_id("event", e["id"])
        reports = e.get("report_rows") or []
        where = f" in {e['place_name']}" if e.get("place_name") else ""
        yield from once(_entity(
            event_id, "Event",
            name=f"{e['type']}{where}, {e.get('date') or 'undated'}",
            startDate=e.get("date"), endDate=e.get("date_max"),
            location=e.get("place_name"),
            country=(e.get("country_code") or "").lower(),
            summary=next((r["sentence_text"] for r in reports if r.get("sentence_text")), None),
            keywords=[e["type"], e.get("acled_event_type")],
            involved=[a["id"] for a in actors.values()],
            notes=f"Admiralty grade {e.get('reliability')}{e.get('credibility')}; "
                  f"{e.get('independent_sources')} independent sources",
            sourceUrl=[r["url"] for r in reports if r.get("url")],
            recordId=e["id"]))
        for r in reports:
            doc_id = entity_id("document", r["document_id"])
            yield from once(_entity(
                doc_id, "Article", title=r.get("title") or r["document_id"],
                publishedAt=r["published_at"].isoformat() if r.get("published_at") else None,
                publisher=r.get("source"), sourceUrl=r.get("url"),
                language=_language(r.get("lang")),
                # Article has no recordId: the document id goes in keywords, as actor ids do.
                keywords=[r["document_id"]]))
            yield from once(_entity(
                entity_id("documentation", f"{r['document_id']}|{e['id']}"), "Documentation",
                document=doc_id, entity=event_id, role="reports the event",
                date=r.get("date"), summary=r.get("sentence_text")))
            for a in r.get("actors") or ():
                known = names.get(a.get("actor_id") or "") or {}
                schema = "Person" if known.get("type") in _PERSON_TYPES else "Organization"
                yield from once(_entity(
                    entity_id("mention", f"{r['document_id']}|{a['text']}"), "Mention",
                    document=doc_id, name=a["text"], detectedSchema=schema,
                    resolved=entity_id("actor", a["actor_id"]) if a.get("actor_id") else None,
                    contextCountry=(e.get("country_code") or "").lower()))


def _language(code: str | None) -> str | None:
    """FtM languages are ISO 639-3 ("spa"); documents carry ISO 639-1 ("es")."""
    import pycountry

    found = pycountry.languages.get(alpha_2=code) if code else None
    return found.alpha_3 if found is not None else None
