"""What the store holds and what the filters can take."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from corrobora.extract import ontology as onto
from corrobora.web.deps import StoreDep
from corrobora.web.serialize import jsonable

router = APIRouter(prefix="/api", tags=["store"])


@router.get("/stats", summary="Counts of what the store holds")
def stats(store: StoreDep) -> dict[str, Any]:
    s = store.stats()
    s.pop("path", None)
    for key in ("by_language", "by_type", "by_admin1"):
        s[key] = [{"value": k, "count": n} for k, n in s[key]]
    return jsonable(s)


@router.get("/ontology", summary="Event types with their fusion family (event_types.yaml)")
def ontology() -> dict[str, Any]:
    # The dashboard colours events by family: one distinct colour each, and a legend.
    types = [{"type": t.name, "case_label": t.case, "family": onto.family(t.name),
              "acled_event_type": t.acled_event_type} for t in onto.types().values()]
    # The ontology's named families first, in its order, then the types standing alone.
    named = set(onto.families())
    seen = list(dict.fromkeys(t["family"] for t in types))
    return {"families": [f for f in seen if f in named] + [f for f in seen if f not in named],
            "types": types}


@router.get("/facets", summary="Values the event filters can take, with counts")
def facets(store: StoreDep) -> dict[str, Any]:
    return jsonable(store.event_facets())
