"""Actors over time: typed, dated relations between actors with what supports them.

Two origins: the registry (hand-curated and BACRIM/OCVED-derived records, with their sources
and `as_of` snapshot dates) and sentences of ingested documents that state a relation ("a
splinter of the Sinaloa Cartel", "aliados del CJNG"), kept with the sentence as evidence and
the document's date as `as_of`: a report observes a relation, it does not bound it.
A split such as Chapitos vs Mayos is two `faction_of` relations and a `rivalry` with dates,
never a rename of the actor.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from corrobora.extract.actors import SYMMETRIC, ActorRegistry, Relation

# Cue -> relation type; the subject is the registry actor named before the cue in the same
# sentence, the target the first one named after it.
_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("splinter_of", re.compile(
        r"\b(?:a\s+)?(?:splinter(?:\s+group|\s+faction)?|offshoot|breakaway\s+(?:group|faction)"
        r"|escisi[óo]n|desprendimiento|grupo\s+disidente)\s+(?:of|from|de|del)\b", re.I)),
    ("faction_of", re.compile(
        r"\b(?:a\s+)?(?:faction|wing|facci[óo]n|brazo\s+armado)\s+(?:of|de|del)\b", re.I)),
    ("cell_of", re.compile(r"\b(?:a\s+)?(?:cell|c[ée]lula)\s+(?:of|de|del)\b", re.I)),
    ("alliance", re.compile(
        r"\b(?:allied\s+with|allies\s+of|in\s+alliance\s+with|aliad[oa]s?\s+(?:del?|con)"
        r"|en\s+alianza\s+con|alianza\s+con)\b", re.I)),
    ("rivalry", re.compile(
        r"\b(?:rivals?\s+(?:of|to)|at\s+war\s+with|feuding\s+with|enemig[oa]s\s+(?:del?)"
        r"|rivales\s+(?:del?)|en\s+guerra\s+con|disputa\s+con)\b", re.I)),
]
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


def relation_id(type: str, source: str, target: str, origin: str) -> str:
    if type in SYMMETRIC:
        source, target = sorted((source, target))
    return "rel-" + hashlib.sha1(f"{type}\x1f{source}\x1f{target}\x1f{origin}".encode()
                                 ).hexdigest()[:16]


def registry_rows(registry: ActorRegistry) -> list[dict[str, Any]]:
    """The registry's relations as store rows (origin "registry")."""
    return [_row(r, "registry") for r in registry.relations()]


def _row(r: Relation, origin: str) -> dict[str, Any]:
    source, target = (sorted((r.source, r.target)) if r.type in SYMMETRIC
                      else (r.source, r.target))
    return {"id": relation_id(r.type, source, target, origin), "type": r.type,
            "source": source, "target": target, "start_date": r.start, "end_date": r.end,
            "as_of": r.as_of, "origin": origin, "evidence": list(r.evidence)}


def text_rows(document_id: str, text: str, published_at: datetime | None,
              mentions: Sequence[tuple[int, int, str]]) -> list[dict[str, Any]]:
    """Relations a document states: `mentions` are (start, end, actor_id) of registry actors.
    Evidence is "document_id#start-end" of the sentence."""
    rows = []
    as_of = published_at.date().isoformat() if published_at else None
    for sent in _SENTENCE.finditer(text):
        s, e = sent.span()
        inside = sorted(m for m in mentions if s <= m[0] and m[1] <= e)
        if len(inside) < 2:
            continue
        for kind, cue in _CUES:
            for hit in cue.finditer(text, s, e):
                before = [m for m in inside if m[1] <= hit.start()]
                after = [m for m in inside if m[0] >= hit.end()]
                if not before or not after or before[-1][2] == after[0][2]:
                    continue
                r = Relation(kind, before[-1][2], after[0][2], as_of=as_of,
                             evidence=(f"{document_id}#{s}-{e}",))
                rows.append(_row(r, "text"))
    return rows


def export_records(store_actors: Iterable[dict[str, Any]], registry: ActorRegistry,
                   relations: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """CONTRACTS §2 actors: the stored actors and every actor a stored relation names, each
    with its aliases and relations (symmetric ones listed from both sides)."""
    by_actor: dict[str, list[dict[str, Any]]] = {}
    for r in relations:
        rec = {"type": r["type"], "target": r["target"], "start": r["start_date"],
               "end": r["end_date"], "as_of": r["as_of"], "origin": r["origin"],
               "evidence": list(r["evidence"] or [])}
        by_actor.setdefault(r["source"], []).append(rec)
        if r["type"] in SYMMETRIC:
            by_actor.setdefault(r["target"], []).append({**rec, "target": r["source"]})
    stored = {a["id"]: a for a in store_actors}
    out = []
    for actor_id in sorted(stored.keys() | by_actor.keys()):
        known = registry.get(actor_id)
        row = stored.get(actor_id, {})
        out.append({
            "actor_id": actor_id,
            "name": known.name if known else row.get("name", actor_id),
            "aliases": list(known.aliases) if known else [],
            "type": known.type if known else row.get("type"),
            "status": row.get("status", "registry"),
            "relations": sorted(by_actor.get(actor_id, []),
                                key=lambda x: (x["type"], x["target"], x["origin"])),
        })
    return out
