"""Analyses over the store's violent events: the removal study (docs/analyses.md)."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from corrobora.web.deps import StoreDep

router = APIRouter(prefix="/api/analyses", tags=["analyses"])


@router.get("/removals", summary="The registry of leadership removals")
def list_removals() -> dict[str, Any]:
    from corrobora.analyze.registry import removals

    items = [{"id": r.id, "date": r.date.isoformat(), "region": r.region, **r.summary()}
             for r in removals().values()]
    return {"items": items, "count": len(items)}


@router.get("/removal", summary="Violence before and after a leader's removal "
            "(CONTRACTS §3, on the store's violent events), with the monthly series")
def removal_study(
    store: StoreDep,
    region: Annotated[str | None, Query(
        description="ISO 3166-2 (MX-SIN) or INEGI municipality code (17007).",
        max_length=20)] = None,
    on: Annotated[date | None, Query(alias="date", description="Removal day, YYYY-MM-DD.")]
    = None,
    removal: Annotated[str | None, Query(
        description="A removal of the registry (zambada-2024): its date and region.",
        max_length=100)] = None,
    window_months: Annotated[int, Query(ge=1, le=60)] = 12,
    lag_months: Annotated[int, Query(ge=0, le=24)] = 1,
    synth: Annotated[bool, Query(description="Fit a synthetic control.")] = False,
    placebos: Annotated[bool, Query(description="Placebo-in-space p-values.")] = False,
) -> dict[str, Any]:
    from corrobora.analyze import SeriesError, run_removal_study
    from corrobora.analyze.events import violent_event_panel
    from corrobora.analyze.registry import RegistryError, get
    from corrobora.analyze.series import normalise_region, region_level

    try:
        record = get(removal) if removal else None
    except RegistryError as exc:
        raise HTTPException(404, str(exc)) from None
    when = on or (record.date if record else None)
    where = region or (record.region if record else None)
    if when is None or where is None:
        raise HTTPException(400, "give region and date, or removal (an id from "
                            "/api/analyses/removals)")
    try:
        where = normalise_region(where)
        level = region_level(where)
        if level == "other":
            raise SeriesError(f"region {where!r} is neither ISO 3166-2 (MX-SIN) nor an INEGI "
                              "municipality code (17007)")
        panel = violent_event_panel(store, level)
        study = run_removal_study(panel, where, when, months=window_months, lag=lag_months,
                                  synth=synth, placebos=placebos,
                                  removal_record=record.summary() if record else None)
    except (SeriesError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
    out = study.to_contract()
    # The store's file name, not where it lies on the server.
    out["source"] = str(out.get("source", "")).replace(str(store.path), store.path.name)
    out["series"] = [{"month": m.isoformat(),
                      "count": None if math.isnan(float(v)) else float(v)}
                     for m, v in zip(study.series_months, study.series, strict=True)]
    out["before_months"] = [m.isoformat() for m in study.before_months]
    out["after_months"] = [m.isoformat() for m in study.after_months]
    return _finite(out)


def _finite(value: Any) -> Any:
    """NaN and infinities are not JSON: null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
