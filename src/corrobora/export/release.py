"""`corrobora release`: a versioned, citable folder of the store, as a dataset its users cite.

    corrobora-events-VERSION/
      events.parquet reports.parquet actors.parquet documents.parquet
      codebook.md     every column of every table and every code
      manifest.json   version, created, counts, sha256 and size of every file, how to cite

Documents are metadata only unless `with_text`: the reporting belongs to its publishers, and a
release is for sharing. The folder is written beside its final name and renamed into place,
so a release is whole or absent; an existing release of the same version is never written
over.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from corrobora.export import parquet
from corrobora.export.acled import codebook as acled_codebook
from corrobora.export.records import actor_records, events_with_reports

if TYPE_CHECKING:
    from corrobora.store import Store

COLUMNS: dict[str, dict[str, str]] = {
    "events": {
        "event_id": "Stable id of the fused event.",
        "type": "Corrobora event type (see Event types below).",
        "case_label": "CASE 2021 Task 2 label of the type.",
        "acled_event_type": "ACLED event type the type maps onto (null for CASE-only types).",
        "acled_sub_event_type": "ACLED sub-event type (as an imported ACLED row coded it, "
                                "else the type's).",
        "date": "First day of the event.",
        "date_max": "Last possible day when reports disagree on the date (else null).",
        "time_precision": "ACLED time precision: 1 day, 2 week, 3 month.",
        "geonameid": "GeoNames id of the place.",
        "place_name": "Name of the place.",
        "lat": "Latitude (WGS 84) of the place.",
        "lon": "Longitude (WGS 84) of the place.",
        "country_code": "ISO 3166-1 alpha-2 country.",
        "admin1_code": "ISO 3166-2 first-level region.",
        "admin2_name": "Second-level region (municipality in Mexico).",
        "inegi_code": "5-digit INEGI municipality code (Mexico).",
        "geo_precision": "ACLED geo precision: 1 the town, 2 near it, 3 the region.",
        "fatalities_min": "Lowest reported death toll.",
        "fatalities_max": "Highest reported death toll (null: no upper bound stated).",
        "actors": "Actors named by the reports: text, actor_id, role (actor1, actor2, "
                  "assoc, assoc2: associated with actor2), ACLED inter code, ACLED's name for an "
                  "unnamed actor.",
        "n_reports": "Reports fused into the event.",
        "independent_sources": "Independent sources among them (copies and shared wire "
                               "copy count once).",
        "reliability": "Admiralty reliability A-F of the best source.",
        "credibility": "Admiralty credibility 1-6 of the information.",
        "hedged": "Every report hedges the claim (\"allegedly\", \"presuntamente\").",
        "marking": "TLP 2.0 marking: the strictest of its documents'.",
    },
    "reports": {
        "report_id": "Stable id of the event report (one sentence of one document).",
        "event_id": "The event it is fused into.",
        "document_id": "The document it comes from.",
        "type": "Event type of the report.",
        "acled_sub_event_type": "ACLED sub-event type of the report.",
        "sentence_start": "Start offset of the sentence in the document's text.",
        "sentence_end": "End offset (exclusive).",
        "sentence_text": "The sentence (null when the release carries no text).",
        "date": "Day the report gives.",
        "time_precision": "ACLED time precision of that day.",
        "geonameid": "GeoNames id of the place it gives.",
        "place_text": "The place as written.",
        "geo_precision": "ACLED geo precision.",
        "fatalities_min": "Lowest toll it gives.",
        "fatalities_max": "Highest toll it gives.",
        "attribution": "Sources it attributes the claim to.",
        "source": "The document's source.",
        "source_key": "The independent source it counts as.",
        "source_reliability": "Admiralty reliability of the document's source.",
        "hedged": "The report hedges the claim.",
        "score": "Extraction confidence, 0-1.",
        "marking": "TLP 2.0 marking of the document.",
    },
    "actors": {
        "actor_id": "Stable id (registry slug, or candidate:slug for unconfirmed groups).",
        "name": "Name.",
        "aliases": "Other names.",
        "type": "criminal_group, state_force, government, person, ...",
        "status": "confirmed, candidate, or registry (named by a relation only).",
        "relations": "Time-bounded relations: type (alliance, rivalry, cell_of, ...), "
                     "target actor, start and end (ISO dates or null).",
    },
    "documents": {
        "id": "Stable id (the input's id when one was given).",
        "title": "Title.",
        "lang": "ISO 639-1 language (null for imported dataset rows).",
        "published_at": "Publication time, UTC.",
        "source": "Source (outlet or dataset).",
        "url": "Where it was published.",
        "origin": "The file (and line or archive member) it was read from.",
        "marking": "TLP 2.0 marking.",
        "duplicate_of": "Earliest document it republishes, else null.",
        "story_id": "The news story it belongs to.",
        "content_hash": "SHA-256 of its normalised text.",
        "text": "Text (null unless the release was made with --with-text).",
    },
}

RELIABILITY = {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable",
               "D": "not usually reliable", "E": "unreliable",
               "F": "reliability cannot be judged"}
CREDIBILITY = {1: "confirmed by other sources", 2: "probably true", 3: "possibly true",
               4: "doubtful", 5: "improbable", 6: "truth cannot be judged"}


class ReleaseError(Exception):
    """A release that cannot be written, with the folder and why."""


def codebook_markdown(version: str) -> str:
    from corrobora.extract import ontology

    lines = [f"# Corrobora events, release {version}: codebook", "",
             "Tables are Parquet files; every column is listed with its meaning, then every "
             "code the columns use.", ""]
    types = parquet.SCHEMAS
    for table, docs in COLUMNS.items():
        lines += [f"## {table}.parquet", "", "| column | type | meaning |", "|---|---|---|"]
        for field in types[table]:
            lines.append(f"| `{field.name}` | {field.type} | {docs.get(field.name, '')} |")
        lines.append("")
    lines += ["## Event types", "", "| type | CASE label | ACLED event type | ACLED sub-event "
              "type | description |", "|---|---|---|---|---|"]
    for t in ontology.types().values():
        lines.append(f"| `{t.name}` | {t.case} | {t.acled_event_type or ''} | "
                     f"{t.acled_sub_event_type or ''} | {t.description} |")
    lines += ["", "## Admiralty grades", "", "| reliability | meaning |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in RELIABILITY.items()]
    lines += ["", "| credibility | meaning |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in CREDIBILITY.items()]
    lines += ["", "## Precision (ACLED)", "", "| code | time_precision | geo_precision |",
              "|---|---|---|", "| 1 | the day | the town |",
              "| 2 | within a week | near the town, or its municipality |",
              "| 3 | within a month | the region |", "",
              "## ACLED inter codes (actors.inter)", "", "| code | actor |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in acled_codebook()["inter_codes"].items()]
    lines += ["", "## Markings", "",
              "TLP 2.0: TLP:CLEAR (public), TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT, TLP:RED. "
              "A marking that could not be read is given as TLP:RED.", "",
              "## ACLED CSV (`corrobora export events --format acled`)", "",
              "The same events in ACLED's 31 columns. `region` is ACLED's region of the "
              "country; `admin1` and `admin2` are the place's first- and second-level "
              "units (`admin1_code`, `admin2_name` above). `admin3` is always empty: the "
              "gazetteer is built from GeoNames data that packages ship (cities500 and the "
              "ADM1/ADM2 divisions, no ADM3), so no place knows a third-level unit, and an "
              "imported ACLED row's own `admin3` is not stored.", ""]
    return "\n".join(lines)



def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def write_release(store: Store, out: Path | str, version: str | None = None, *,
                  with_text: bool = False, title: str = "Corrobora events",
                  user: str | None = None) -> Path:
    """The release folder `out/corrobora-events-VERSION` (VERSION defaults to today's date,
    YYYY.MM.DD); returns its path. With `user`, the release holds what that user may see,
    as the API shows it to them (export/view.py); the manifest names the strictest marking
    the release carries. `store` must be writable: the registry's actor relations are
    merged into it first (records.actor_records)."""
    from corrobora.export.markings import strictest
    from corrobora.export.view import seen_by

    carried: set[str] = set()
    out = Path(out)
    created = datetime.now(UTC).replace(microsecond=0)
    version = version or created.strftime("%Y.%m.%d")
    if not version.replace(".", "").replace("-", "").isalnum():
        raise ReleaseError(f"version {version!r}: use letters, digits, dots and dashes")
    final = out / f"corrobora-events-{version}"
    if final.exists():
        raise ReleaseError(f"{final}: a release {version} exists; choose another --version")
    work = out / f".{final.name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        with seen_by(store, user) as seen:
            _tables(store, seen, work, with_text, carried)
        counts = {name: pq.read_metadata(work / f"{name}.parquet").num_rows
                  for name in ("events", "reports", "actors", "documents")}
        (work / "codebook.md").write_text(codebook_markdown(version), "utf-8")
        files = {p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size}
                 for p in sorted(work.iterdir())}
        manifest: dict[str, Any] = {
            "title": title, "version": version, "created": created.isoformat(),
            "generator": f"corrobora {_version()}", "counts": counts,
            "documents_text": with_text, "marking": strictest(carried),
            "files": files,
            "cite": f"{title}, release {version} ({created.date().isoformat()}), made with "
                    "Corrobora from public reporting. Cite the version; check files against "
                    "the sha256 listed in manifest.json.",
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False)
                                            + "\n", "utf-8")
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final


def _tables(store: Store, seen: Store, work: Path, with_text: bool,
            carried: set[str]) -> None:
    """The four Parquet tables into `work`, read from `seen` (the store as the release's
    reader sees it), the markings they carry added to `carried`."""
    from corrobora.export.markings import row_marking

    # One pass over the events writes both tables a row group at a time, so memory stays
    # flat however large the store.
    with parquet.TableWriter("events", work / "events.parquet") as events, \
            parquet.TableWriter("reports", work / "reports.parquet") as reports:
        for e in events_with_reports(seen, with_text=with_text):
            row = parquet.event_row(e)
            carried.add(row["marking"])
            events.add(row)
            for r in e["report_rows"]:
                reports.add(parquet.report_row(r))
    with parquet.TableWriter("documents", work / "documents.parquet") as documents:
        for d in seen.export_document_rows(with_text=with_text):
            carried.add(row_marking(d, item=f"document {d['id']}"))
            documents.add(d)
    parquet.write("actors", parquet.actor_rows(actor_records(store, seen)),
                  work / "actors.parquet")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("corrobora")
    except PackageNotFoundError:
        return "unknown"
