"""Store rows to API records: JSON-safe values, events, reports, CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

CREDIBILITY = {1: "confirmed by other sources", 2: "probably true", 3: "possibly true",
               4: "doubtful", 5: "improbable", 6: "cannot be judged"}
RELIABILITY = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
               "D": "not usually reliable", "E": "unreliable",
               "F": "reliability cannot be judged"}

EVENT_CSV_COLUMNS = ["id", "type", "case_label", "acled_event_type", "date", "date_max",
                     "time_precision", "place_name", "admin1_code", "admin2_name",
                     "inegi_code", "country_code", "lat", "lon", "geo_precision",
                     "fatalities_min", "fatalities_max", "n_reports", "independent_sources",
                     "reliability", "credibility", "hedged"]


def jsonable(value: Any) -> Any:
    """Dates as ISO strings, bytes dropped, decimals as floats, containers recursively."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return None
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def public_origin(origin: str | None) -> str | None:
    """Where a document came from without where it lay on the ingesting machine: the file's
    name, with what follows it kept (`!member` of an archive, `:line` of an import).
    `/home/ana/news/feeds/x.zip!2024/a.json` -> `x.zip!2024/a.json`."""
    if not origin:
        return origin
    outer, bang, member = origin.partition("!")
    return re.split(r"[/\\]", outer.rstrip("/\\"))[-1] + bang + member


def place(row: dict[str, Any]) -> dict[str, Any] | None:
    if row.get("geonameid") is None and row.get("place_name") is None:
        return None
    return {"name": row.get("place_name"), "geonameid": row.get("geonameid"),
            "admin1_code": row.get("admin1_code"), "admin2_name": row.get("admin2_name"),
            "inegi_code": row.get("inegi_code"), "country_code": row.get("country_code"),
            "lat": row.get("lat"), "lon": row.get("lon"),
            "geo_precision": row.get("geo_precision")}


def event_summary(row: dict[str, Any]) -> dict[str, Any]:
    """One event as the lists show it."""
    return jsonable({
        "id": row["id"], "type": row["type"], "case_label": row.get("case_label"),
        "acled_event_type": row.get("acled_event_type"),
        "date": row.get("date"), "date_max": row.get("date_max"),
        "time_precision": row.get("time_precision"),
        "place": place(row),
        "fatalities": {"min": row.get("fatalities_min"), "max": row.get("fatalities_max")},
        "n_reports": row.get("n_reports"),
        "independent_sources": row.get("independent_sources"),
        "reliability": row.get("reliability"), "credibility": row.get("credibility"),
        "hedged": row.get("hedged"),
    })


def _count_range(low: int, high: int | None) -> str:
    # A report with no upper bound ("at least 3 dead") reads "≥ 3", never "3-None".
    if high is None:
        return f"≥ {low}"
    return str(low) if low == high else f"{low}-{high}"


def event_detail(row: dict[str, Any]) -> dict[str, Any]:
    """One event with its grading, disagreement ranges, actors and every report with its
    sentence (text and character offsets into its document)."""
    out = event_summary(row)
    reports = row.get("reports") or []
    report_dates = sorted({r["date"] for r in reports if r.get("date")})
    fatal = [(r["fatalities_min"], r["fatalities_max"]) for r in reports
             if r.get("fatalities_min") is not None]
    out["ranges"] = jsonable({
        "date": {"min": row.get("date"), "max": row.get("date_max") or row.get("date"),
                 "reported": report_dates},
        "fatalities": {"min": row.get("fatalities_min"), "max": row.get("fatalities_max"),
                       "reported": sorted({_count_range(a, b) for a, b in fatal})},
        "disagree": {"date": len(report_dates) > 1,
                     "fatalities": len({f for f in fatal}) > 1},
    })
    rel, cred = row.get("reliability"), row.get("credibility")
    out["grading"] = {
        "reliability": rel, "reliability_label": RELIABILITY.get(rel or ""),
        "credibility": cred, "credibility_label": CREDIBILITY.get(cred or 0),
        "independent_sources": row.get("independent_sources"),
        "n_reports": row.get("n_reports"),
        "source_keys": sorted({r["source_key"] for r in reports if r.get("source_key")}),
        "hedged": row.get("hedged"),
    }
    out["actors"] = jsonable(row.get("actors") or [])
    out["reports"] = [report(r) for r in reports]
    return out


def report(r: dict[str, Any]) -> dict[str, Any]:
    return jsonable({
        "id": r["id"], "document_id": r["document_id"], "type": r.get("type"),
        "title": r.get("title"), "source": r.get("source"), "url": r.get("url"),
        "published_at": r.get("published_at"), "duplicate_of": r.get("duplicate_of"),
        "sentence": {"start": r["sentence_start"], "end": r["sentence_end"],
                     "text": r.get("sentence_text")},
        "trigger": {"start": r.get("trigger_start"), "end": r.get("trigger_end")},
        "place_text": r.get("place_text"), "date": r.get("date"),
        "fatalities": {"min": r.get("fatalities_min"), "max": r.get("fatalities_max")},
        "attribution": r.get("attribution") or [], "hedged": r.get("hedged"),
        "source_key": r.get("source_key"), "link_score": r.get("link_score"),
    })


def csv_lines(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text, a header then one line per row, streamed."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    yield buf.getvalue()
    for row in rows:
        buf.seek(0)
        buf.truncate()
        writer.writerow([_cell(row.get(c)) for c in columns])
        yield buf.getvalue()


def _cell(value: Any) -> Any:
    value = jsonable(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        # Text from articles must not become a spreadsheet formula.
        return "'" + value
    return "" if value is None else value
