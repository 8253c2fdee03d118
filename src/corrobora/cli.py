"""The `corrobora` command: a thin layer over the library, streams in and out."""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from corrobora.store import EventFilter, Store, StoreError

if TYPE_CHECKING:
    from corrobora.ingest import IngestSummary

app = typer.Typer(
    help="Corrobora: events you can trust from public reporting on organized crime and "
    "political violence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output gets room for whole rows instead of rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True)

DEFAULT_DB = os.environ.get("CORROBORA_DB", "corrobora.duckdb")
DbOption = Annotated[Path, typer.Option("--db", help="The store (a DuckDB file).")]
T = TypeVar("T")


def _open(db: Path, *, read_only: bool = False) -> Store:
    try:
        return Store(db, read_only=read_only)
    except StoreError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _counting(items: Iterable[T], progress: Progress, task: Any) -> Iterator[T]:
    for item in items:
        progress.advance(task)
        yield item


def run_ingest(paths: list[str], db: Path, *, batch_size: int = 64,
               max_mb: float = 10.0, quiet: bool = False) -> IngestSummary:
    # Imported here: the NLP stack takes seconds to load and `stats` or `show` need none of it.
    from corrobora.ingest import Ingestor
    from corrobora.sources import read_paths

    with _open(db) as store:
        ingestor = Ingestor(store, batch_size=batch_size)
        items = read_paths(paths, stdin=sys.stdin.buffer, max_bytes=int(max_mb * 1_000_000))
        start = time.perf_counter()
        with Progress(
            SpinnerColumn(), TextColumn("[bold]ingesting[/bold]"), BarColumn(bar_width=None),
            TextColumn("{task.completed} documents"),
            TextColumn("{task.fields[rate]:.1f} docs/s"), TimeElapsedColumn(),
            console=err, disable=quiet, transient=False,
        ) as progress:
            task = progress.add_task("ingest", total=None, rate=0.0)

            def tick(_: int) -> None:
                done = progress.tasks[task].completed
                progress.update(task, rate=done / max(time.perf_counter() - start, 1e-9))

            try:
                summary = ingestor.ingest(_counting(items, progress, task), progress=tick)
            except KeyboardInterrupt:
                # The batch in flight was rolled back; committed batches stay.
                progress.stop()
                err.print(f"interrupted: {store.stats()['documents']} documents are stored in "
                          f"{store.path}; run the same command again to complete the job")
                raise typer.Exit(130) from None
        elapsed = time.perf_counter() - start
        for failure in summary.failures:
            err.print(f"[yellow]skipped[/yellow] {failure}", highlight=False, soft_wrap=True)
        if not quiet:
            _print_summary(summary, elapsed, store)
    return summary


def _print_summary(s: IngestSummary, elapsed: float, store: Store) -> None:
    langs = ", ".join(f"{k} {v}" for k, v in s.by_language.most_common()) or "none"
    rate = s.read / elapsed if elapsed else 0.0
    err.print(
        f"documents: {s.new} new ({s.copies} copies of others), {s.already_stored} already "
        f"stored, {s.failed} failed · {rate:.1f} docs/s\n"
        f"by language: {langs}\n"
        f"event reports: {s.event_reports} → events: {s.events_new} new, {s.events_updated} "
        f"updated · places: {s.places}\n"
        f"store: {store.path} ({store.stats()['events']} events in all)",
        highlight=False,
    )


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, archives; - for stdin.")],
    db: DbOption = Path(DEFAULT_DB),
    batch_size: Annotated[int, typer.Option(help="Documents per transaction.")] = 64,
    max_mb: Annotated[float, typer.Option(help="Refuse documents larger than this.")] = 10.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Read reports (text, Markdown, HTML, JSONL, RSS/Atom, .tar.gz/.zip), extract, store.

    Example: corrobora ingest reports/ feed.xml --db corrobora.duckdb
    """
    summary = run_ingest(paths, db, batch_size=batch_size, max_mb=max_mb, quiet=quiet)
    if summary.failed and summary.new + summary.already_stored == 0:
        raise typer.Exit(1)


@app.command()
def extract(
    input: Annotated[str, typer.Argument(help="JSON Lines (CONTRACTS §1); - for stdin.")],
    output: Annotated[str, typer.Option("-o", "--output", help="JSON Lines out; - for stdout.")]
    = "-",
) -> None:
    """Extract entities, places and events from JSONL documents, one output line per input line.

    Example: corrobora extract docs.jsonl -o extracted.jsonl
    """
    from corrobora.extractor import Extractor
    from corrobora.model import Document, ReadFailure
    from corrobora.sources.jsonl import read_jsonl_stream

    extractor = Extractor()
    src = sys.stdin.buffer if input == "-" else open(input, "rb")  # noqa: SIM115
    dst = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
    failures: list[ReadFailure] = []

    def documents() -> Iterator[Document]:
        for item in read_jsonl_stream(src, input):
            if isinstance(item, ReadFailure):
                err.print(f"[red]error[/red] {item}", highlight=False, soft_wrap=True)
                failures.append(item)
            else:
                yield item

    try:
        for _doc, ext in extractor.extract_many(documents()):
            dst.write(json.dumps(ext.to_contract(), ensure_ascii=False) + "\n")
    finally:
        if src is not sys.stdin.buffer:
            src.close()
        if dst is not sys.stdout:
            dst.close()
    if failures:
        raise typer.Exit(1)


def _parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _place_label(e: dict[str, Any]) -> str:
    parts = [e.get("place_name"), e.get("admin1_code")]
    return ", ".join(str(p) for p in parts if p) or "?"


@app.command()
def events(
    db: DbOption = Path(DEFAULT_DB),
    type: Annotated[str | None, typer.Option("--type", help="LEADER_KILLED, ARMED_CLASH...")]
    = None,
    place: Annotated[str | None, typer.Option(help="Name, MX-JAL, municipality or MX.")] = None,
    since: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    actor: Annotated[str | None, typer.Option(help="Actor id (cjng) or name as reported.")]
    = None,
    min_credibility: Annotated[int | None, typer.Option(help="1 (confirmed) to 6.")] = None,
    limit: int = 50,
    format: Annotated[str, typer.Option("--format", help="table, jsonl or csv")] = "table",
) -> None:
    """List events, newest first.

    Example: corrobora events --place MX-JAL --since 2026-01-01 --type ARMED_CLASH
    """
    f = EventFilter(type=type, place=place, since=_parse_day(since), until=_parse_day(until),
                    actor=actor, min_credibility=min_credibility, limit=limit)
    with _open(db, read_only=True) as store:
        rows = store.list_events(f)
    if format == "jsonl":
        for r in rows:
            out.print_json(json.dumps(r, default=_json_default), indent=None)
        return
    if format == "csv":
        writer = csv.writer(sys.stdout)
        cols = ["id", "type", "date", "place_name", "admin1_code", "fatalities_min",
                "fatalities_max", "n_reports", "independent_sources", "reliability",
                "credibility"]
        writer.writerow(cols)
        writer.writerows([[r.get(c) for c in cols] for r in rows])
        return
    table = Table(title=f"{len(rows)} events", show_lines=False)
    for col in ("event", "type", "date", "place", "dead", "reports", "sources", "grade"):
        table.add_column(col, overflow="fold")
    for r in rows:
        dead = "" if r["fatalities_min"] is None else (
            str(r["fatalities_min"]) if r["fatalities_min"] == r["fatalities_max"]
            else f"{r['fatalities_min']}–{r['fatalities_max']}")
        table.add_row(r["id"], r["type"], str(r["date"] or "?"), _place_label(r), dead,
                      str(r["n_reports"]), str(r["independent_sources"]),
                      f"{r['reliability']}{r['credibility']}")
    out.print(table)


@app.command()
def show(
    event_id: Annotated[str, typer.Argument(help="An event id (a unique prefix is enough).")],
    db: DbOption = Path(DEFAULT_DB),
) -> None:
    """Show one event with the sentences and documents behind it.

    Example: corrobora show evt-3f2a
    """
    with _open(db, read_only=True) as store:
        event = store.get_event(event_id)
    if event is None:
        err.print(f"[red]error:[/red] no single event matches {event_id!r}")
        raise typer.Exit(1)
    out.print(f"[bold]{event['id']}[/bold]  {event['type']} ({event['acled_event_type']}; "
              f"CASE {event['case_label']})")
    when = event["date"] or "?"
    if event["date_max"] and event["date_max"] != event["date"]:
        when = f"{event['date']} to {event['date_max']}"
    out.print(f"when: {when} (time precision {event['time_precision']})")
    out.print(f"where: {_place_label(event)}"
              + (f", municipality {event['admin2_name']}" if event.get("admin2_name") else "")
              + (f" [INEGI {event['inegi_code']}]" if event.get("inegi_code") else "")
              + (f" ({event['lat']:.4f}, {event['lon']:.4f}; geo precision "
                 f"{event['geo_precision']})" if event.get("lat") is not None else ""))
    if event["fatalities_min"] is not None:
        out.print(f"fatalities: {event['fatalities_min']}–{event['fatalities_max']}")
    out.print(f"grading: reliability {event['reliability']}, credibility "
              f"{event['credibility']}, {event['independent_sources']} independent source(s), "
              f"{event['n_reports']} report(s)" + (", hedged" if event["hedged"] else ""))
    for a in event["actors"]:
        out.print(f"actor ({a['role']}): {a['text']}"
                  + (f" → {a['actor_name']} [{a['actor_id']}]" if a["actor_id"] else ""))
    for r in event["reports"]:
        out.print()
        meta = [r["source"] or "unknown source", str(r["published_at"] or "undated"),
                r["document_id"]]
        if r["duplicate_of"]:
            meta.append(f"copy of {r['duplicate_of']}")
        out.print(f"[dim]{' · '.join(meta)}[/dim]", highlight=False)
        if r["title"]:
            out.print(f"[italic]{r['title']}[/italic]", highlight=False)
        tags = []
        if r["attribution"]:
            tags.append("according to " + ", ".join(r["attribution"]))
        if r["hedged"]:
            tags.append("hedged")
        out.print("  “" + " ".join(r["sentence_text"].split()) + "”"
                  + (f"  [dim]({'; '.join(tags)})[/dim]" if tags else ""), highlight=False)
        out.print(f"  [dim]{r['origin']} chars {r['sentence_start']}–{r['sentence_end']}[/dim]",
                  highlight=False)


@app.command()
def stats(db: DbOption = Path(DEFAULT_DB)) -> None:
    """What the store holds.

    Example: corrobora stats --db corrobora.duckdb
    """
    with _open(db, read_only=True) as store:
        s = store.stats()
    out.print(f"store {s['path']} (schema {s['schema_version']})")
    out.print(f"documents {s['documents']} ({s['copies']} copies) · by language: "
              + ", ".join(f"{lang} {n}" for lang, n in s["by_language"]))
    out.print(f"mentions {s['mentions']} · places {s['places']} · actors {s['actors']}")
    out.print(f"event reports {s['event_reports']} → events {s['events']}")
    if s["by_type"]:
        out.print("events by type: " + ", ".join(f"{t} {n}" for t, n in s["by_type"]))
    if s["by_admin1"]:
        out.print("events by region: " + ", ".join(f"{t} {n}" for t, n in s["by_admin1"]))
    if s["failures"]:
        out.print(f"inputs that could not be read: {s['failures']}")


@app.command()
def actors(
    db: DbOption = Path(DEFAULT_DB),
    candidates: Annotated[bool, typer.Option(
        "--candidates", help="Only groups named in reports but not in the registry.")] = False,
    format: Annotated[str, typer.Option("--format", help="table or jsonl")] = "table",
) -> None:
    """List the actors events name, most reported first.

    Example: corrobora actors --candidates
    """
    with _open(db, read_only=True) as store:
        rows = store.list_actors("candidate" if candidates else None)
    if format == "jsonl":
        for r in rows:
            out.print_json(json.dumps(r, default=_json_default), indent=None)
        return
    table = Table(title=f"{len(rows)} {'candidate ' if candidates else ''}actors")
    for col in ("actor", "name", "type", "status", "reports", "documents"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["id"], r["name"], r["type"] or "", r["status"], str(r["reports"]),
                      str(r["documents"]))
    out.print(table)


@app.command()
def export(
    kind: Annotated[str, typer.Argument(help="documents, events or actors")],
    db: DbOption = Path(DEFAULT_DB),
    format: Annotated[str, typer.Option("--format")] = "jsonl",
    output: Annotated[str, typer.Option("-o", "--output")] = "-",
) -> None:
    """Export fused knowledge (CONTRACTS §2) as JSON Lines.

    Example: corrobora export documents --db corrobora.duckdb -o documents.jsonl
    Example: corrobora export actors --db corrobora.duckdb -o actors.jsonl
    """
    from corrobora.export import event_record

    if format != "jsonl":
        raise typer.BadParameter("only jsonl is supported", param_hint="--format")
    rows: Iterable[dict[str, Any]] = []
    if kind == "actors":
        from corrobora.export import actor_records

        # Opened for writing: the registry's relations are merged into the stored ones
        # first, so the export has them even for a store ingested before they were kept.
        with _open(db) as store:
            rows = actor_records(store)
    with _open(db, read_only=True) as store:
        if kind == "actors":
            pass
        elif kind == "documents":
            rows = store.export_documents()
        elif kind == "events":
            rows = (event_record(r) for r in store.export_events())
        else:
            raise typer.BadParameter("choose documents, events or actors", param_hint="KIND")
        dst = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
        try:
            for r in rows:
                dst.write(json.dumps(r, ensure_ascii=False, default=_json_default) + "\n")
        finally:
            if dst is not sys.stdout:
                dst.close()


@app.command()
def demo(
    db: DbOption = Path("corrobora-demo.duckdb"),
) -> None:
    """Ingest the bundled demo corpus and show what was found and where to look next."""
    from corrobora.demo import corpus_path

    corpus = corpus_path()
    err.print(f"demo corpus: {corpus}")
    run_ingest([str(corpus)], db)
    with _open(db, read_only=True) as store:
        rows = store.list_events(EventFilter(limit=15))
    out.print()
    table = Table(title="Most recent events in the demo store")
    for col in ("event", "type", "date", "place", "sources", "grade"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["id"], r["type"], str(r["date"] or "?"), _place_label(r),
                      str(r["independent_sources"]), f"{r['reliability']}{r['credibility']}")
    out.print(table)
    first = rows[0]["id"] if rows else "EVENT_ID"
    out.print(
        "\nWhere to look next:\n"
        f"  corrobora stats --db {db}\n"
        f"  corrobora events --db {db} --place MX-SIN\n"
        f"  corrobora show {first} --db {db}\n"
        f"  corrobora export events --db {db} -o events.jsonl\n"
        f"  corrobora serve --db {db}      # map, timeline and API: http://127.0.0.1:8000/",
        highlight=False,
    )


@app.command("import")
def import_(
    kind: Annotated[str, typer.Argument(
        help="acled, ucdp, gdelt, ocved (events) or sesnsp, series (monthly series).")],
    file: Annotated[Path, typer.Argument(help="The dataset file (CSV, TSV, xlsx).")],
    db: DbOption = Path(DEFAULT_DB),
    country: Annotated[str | None, typer.Option(
        help="Keep only rows placed in this country (ISO 3166-1 alpha-2, e.g. MX).")] = None,
    dataset: Annotated[str | None, typer.Option(
        help="Series only: the dataset name stored (default: the kind).")] = None,
    measure: Annotated[str | None, typer.Option(
        help="Series only: what is counted (default homicidio_doloso).")] = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Import structured data: dataset rows become event reports fused with the rest.

    Each row keeps its provenance (dataset, row id, file and line); re-importing is
    idempotent. Bad rows are reported with file and line; the others are imported.
    docs/imports.md describes each kind.

    Example: corrobora import acled acled_mexico.csv --db corrobora.duckdb
    """
    from corrobora.imports import KINDS, ImportFileError, import_file

    if kind.lower() not in KINDS:
        raise typer.BadParameter(f"choose one of {', '.join(KINDS)}", param_hint="KIND")
    start = time.perf_counter()
    with _open(db) as store:
        with Progress(SpinnerColumn(), TextColumn(f"[bold]importing {kind}[/bold]"),
                      TextColumn("{task.completed} rows"), TimeElapsedColumn(),
                      console=err, disable=quiet or format == "json") as progress:
            task = progress.add_task("import", total=None)
            try:
                s = import_file(store, kind, file, country=country, dataset=dataset,
                                measure=measure,
                                progress=lambda n: progress.advance(task, n))
            except ImportFileError as exc:
                progress.stop()
                err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
                raise typer.Exit(2) from exc
        total = store.stats()["events"]
    for problem in s.problems[:50]:
        err.print(f"[yellow]skipped[/yellow] {problem}", highlight=False, soft_wrap=True)
    if len(s.problems) > 50:
        err.print(f"... and {len(s.problems) - 50} more problems", highlight=False)
    if format == "json":
        sys.stdout.write(json.dumps(s.to_dict(), ensure_ascii=False) + "\n")
    elif not quiet:
        top = s.skipped.most_common()
        skipped = ", ".join(f"{n} {why}" for why, n in top[:6]) or "none"
        if len(top) > 6:
            skipped += f", {sum(n for _, n in top[6:])} for {len(top) - 6} other reasons"
        series_kind = kind.lower() in ("sesnsp", "series")
        what = (f"series values stored: {s.series_values}" if series_kind else
                f"imported {s.imported} rows ({s.already_stored} already stored, "
                f"{s.changed} changed) → events: {s.events_new} new, {s.events_updated} "
                f"updated (fused with stored ones); {total} events in the store")
        err.print(f"{s.dataset} {file}: {s.rows} rows read in "
                  f"{time.perf_counter() - start:.1f} s · {what}\nskipped: {skipped} · "
                  f"problems: {len(s.problems)}", highlight=False, soft_wrap=True)
    if s.rows and not (s.imported or s.already_stored or s.series_values or s.skipped):
        raise typer.Exit(1)


@app.command()
def serve(
    db: DbOption = Path(DEFAULT_DB),
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    review: Annotated[bool, typer.Option(
        "--review", help="Open the store for writing so the review page can record "
        "split/merge/confirm decisions.")] = False,
) -> None:
    """Serve the HTTP API and the analyst's dashboard over the store (offline; read-only
    unless --review).

    Example: corrobora serve --db corrobora.duckdb   then open http://127.0.0.1:8000/
    """
    # Imported here: FastAPI and uvicorn are needed by this command only.
    import uvicorn

    from corrobora.web import create_app

    try:
        web_app = create_app(db, review=review)
    except StoreError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    err.print(f"serving {db} on http://{host}:{port}/ (API docs: /docs)", highlight=False)
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


analyze_app = typer.Typer(
    help="What happens next: removal studies on monthly series (docs/analyses.md).",
    no_args_is_help=True,
)
app.add_typer(analyze_app, name="analyze")


@analyze_app.command("removal")
def analyze_removal(
    series: Annotated[Path | None, typer.Option(
        "--series", help="CSV date,region,count, monthly (CONTRACTS §3).")] = None,
    db: Annotated[Path | None, typer.Option(
        "--db", help="Use the violent events of this store instead of --series.")] = None,
    region: Annotated[str | None, typer.Option(
        help="ISO 3166-2 (MX-SIN) or INEGI municipality code (17007).")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Removal day, YYYY-MM-DD.")] = None,
    removal: Annotated[str | None, typer.Option(
        help="A removal of the registry (zambada-2024): its date and region.")] = None,
    window_months: Annotated[int, typer.Option(
        help="Months before and after (the removal month is in neither).")] = 12,
    lag_months: Annotated[int, typer.Option(
        help="Months after the removal month to skip before the after window.")] = 1,
    controls: Annotated[str | None, typer.Option(
        help="Control regions, comma-separated, or 'none'. Default: all other regions of "
        "the same level.")] = None,
    synth: Annotated[bool, typer.Option(help="Fit a synthetic control.")] = True,
    placebos: Annotated[bool, typer.Option(help="Placebo-in-space p-values.")] = True,
    plot: Annotated[Path | None, typer.Option(
        help="Write PATH.png, PATH.svg, PATH.csv and PATH.json.")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Folder for the same files, named after region and date.")] = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Violence before and after a leader's removal, against control regions.

    The after/before ratio with a 95% interval, a difference-in-differences against the
    other regions and a synthetic control (docs/analyses.md says how each is computed).

    Example: corrobora analyze removal --series sesnsp.csv --region MX-SIN --date 2024-07-25
    """
    # Imported here: statsmodels and matplotlib take seconds to load; other commands skip it.
    from corrobora.analyze import SeriesError, read_series, run_removal_study
    from corrobora.analyze.registry import RegistryError, get
    from corrobora.analyze.series import normalise_region, region_level

    if format not in ("text", "json"):
        raise typer.BadParameter("choose text or json", param_hint="--format")
    if (series is None) == (db is None):
        raise typer.BadParameter("give one of --series FILE.csv or --db PATH",
                                 param_hint="--series/--db")
    try:
        record = get(removal) if removal else None
        when = _parse_day(on) or (record.date if record else None)
        where = region or (record.region if record else None)
        if when is None or where is None:
            raise typer.BadParameter("give --region and --date, or --removal ID")
        where = normalise_region(where)
        if series is not None:
            panel = read_series(series)
        else:
            from corrobora.analyze.events import violent_event_panel

            level = region_level(where)
            if level == "other":
                raise SeriesError(f"region {where!r} is neither ISO 3166-2 (MX-SIN) nor an "
                                  "INEGI municipality code (17007)")
            assert db is not None
            with _open(db, read_only=True) as store:
                panel = violent_event_panel(store, level)
        chosen = None
        if controls is not None:
            chosen = [] if controls.strip().lower() == "none" else controls.split(",")
        study = run_removal_study(
            panel, where, when, months=window_months, lag=lag_months, controls=chosen,
            synth=synth, placebos=placebos, removal_record=record.summary() if record else None)
    except (SeriesError, RegistryError, StoreError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    written: list[Path] = []
    if plot is not None or out_dir is not None:
        from corrobora.analyze.plot import write_outputs

        if plot is not None:
            written += write_outputs(study, plot)
        if out_dir is not None:
            written += write_outputs(study, out_dir / f"removal_{study.region}_{when}")
    result = study.to_contract()
    if format == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    else:
        _print_study(result)
    for path in written:
        err.print(f"wrote {path}", highlight=False)


def _print_study(r: dict[str, Any]) -> None:
    def num(v: float | None, fmt: str = ".2f") -> str:
        return "n/a" if v is None else format(v, fmt)

    who = r.get("removal")
    out.print(f"[bold]{r['region']}[/bold], removal {r['date']}"
              + (f" ({who['person']} {who['kind']}, {who['group']})" if who else ""))
    for key in ("before", "after"):
        w = r[key]
        out.print(f"{key:<6} {w['from']}..{w['to']}: mean {num(r[key + '_mean'])} a month "
                  f"({w['months']} months)", highlight=False)
    out.print(f"ratio {num(r['ratio'])} (95% CI {num(r['ci_low'])}–{num(r['ci_high'])}, "
              f"p {num(r['p_value'], '.2g')})", highlight=False)
    out.print(f"[dim]{r['method']}[/dim]")
    c = r.get("controls")
    if c:
        if c["irr"] is None:
            out.print(f"vs controls: {c['note']}")
        else:
            out.print(f"vs {c['n_controls']} control regions (difference-in-differences): "
                      f"IRR {num(c['irr'])} (95% CI {num(c['ci_low'])}–{num(c['ci_high'])}; "
                      f"placebo interval {num(c['placebo_ci_low'])}–"
                      f"{num(c['placebo_ci_high'])}, placebo p {num(c['placebo_p'], '.3f')} "
                      f"over {c['n_placebos']})", highlight=False)
    s = r.get("synthetic_control")
    if s:
        top = ", ".join(f"{k} {v:.2f}" for k, v in list(s["weights"].items())[:4])
        out.print(f"synthetic control: after {num(s['after_mean'], '.1f')} vs synthetic "
                  f"{num(s['synthetic_after_mean'], '.1f')} a month (gap "
                  f"{num(s['post_gap'], '+.1f')}, ratio {num(s['ratio'])}); pre-fit RMSE "
                  f"{num(s['pre_rmse'])} over {s['fit_months']} months; placebo p "
                  f"{num(s['placebo_p'], '.3f')}; weights {top}", highlight=False)
    out.print(f"[dim]{r['windows']}. Source: {r['source']}[/dim]", highlight=False)


@analyze_app.command("removals")
def analyze_removals(
    format: Annotated[str, typer.Option("--format", help="table or jsonl")] = "table",
) -> None:
    """List the registry of leadership removals (src/corrobora/data/removals.yaml).

    Example: corrobora analyze removals
    """
    from corrobora.analyze.registry import removals

    rows = list(removals().values())
    if format == "jsonl":
        for r in rows:
            sys.stdout.write(json.dumps(
                {"id": r.id, "date": r.date.isoformat(), "region": r.region, **r.summary()},
                ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(rows)} removals")
    for col in ("id", "date", "kind", "group", "person", "region"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r.id, r.date.isoformat(), r.kind, r.group, r.person, r.region)
    out.print(table)

review_app = typer.Typer(
    help="Review the automatic links: a queue of the least sure ones, and decisions (split, "
    "merge, confirm, reject, undo) that survive re-ingest and re-clustering "
    "(docs/fusion.md).\n\n"
    "Examples:\n\n"
    "  corrobora review list --limit 10\n\n"
    "  corrobora review split 3f2a9c01 --note 'a different clash, same town'\n\n"
    "  corrobora review merge evt-1a2b evt-3c4d\n\n"
    "  corrobora review confirm evt-1a2b\n\n"
    "  corrobora review list --story\n\n"
    "  corrobora review undo dec-4",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")
ByOption = Annotated[str | None, typer.Option(
    "--by", help="Analyst name recorded with the decision (default: $USER).")]
NoteOption = Annotated[str | None, typer.Option("--note", help="Why, for the record.")]
StoryFlag = Annotated[bool, typer.Option(
    "--story", help="Act on document -> story links instead of report -> event links.")]


def _reviewing(db: Path, by: str | None, action: Any) -> None:
    from corrobora.fuse.review import Reviewer, ReviewError

    with _open(db) as store:
        try:
            outcome = action(Reviewer(store, by))
        except ReviewError as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from exc
        out.print(f"{outcome.decision_id}: {outcome.message}", highlight=False)
        for e in outcome.events:
            out.print(f"  {e['id']}: {e['n_reports']} report(s), {e['independent_sources']} "
                      f"independent source(s), grade {e['reliability']}{e['credibility']}"
                      + (f", fatalities {e['fatalities_min']}–{e['fatalities_max']}"
                         if e["fatalities_min"] is not None else ""), highlight=False)
        for gone in outcome.deleted:
            out.print(f"  {gone}: removed (its reports moved)", highlight=False)


@review_app.command("list")
def review_list(
    db: DbOption = Path(DEFAULT_DB),
    story: StoryFlag = False,
    limit: Annotated[int, typer.Option(help="How many links to show.")] = 20,
    format: Annotated[str, typer.Option("--format", help="text or jsonl")] = "text",
) -> None:
    """The queue: automatic links no analyst has ruled on, least sure first.

    Report -> event links are ranked by link score, lowered when the event's reports
    disagree on fatalities or dates; document -> story links by story score.

    Example: corrobora review list --limit 10
    Example: corrobora review list --story --format jsonl
    """
    # Opened for writing: a store made before the review tables is migrated first.
    with _open(db) as store:
        if story:
            items = store.review_story_queue(limit)
        else:
            items = store.review_event_queue(limit)
            for item in items:
                item["others"] = [r for r in store.event_report_context(item["event_id"])
                                  if r["report_id"] != item["report_id"]][:3]
    if format == "jsonl":
        for item in items:
            sys.stdout.write(json.dumps(item, ensure_ascii=False, default=_json_default) + "\n")
        return
    if not items:
        out.print("nothing to review")
        return

    def one_line(text: str | None, n: int = 160) -> str:
        text = " ".join((text or "").split())
        return text if len(text) <= n else text[: n - 1] + "…"

    for i, it in enumerate(items, 1):
        if story:
            out.print(f"[bold]{i}. {it['document_id']}[/bold] in story {it['story_id']} · "
                      f"score {it['story_score']}", highlight=False)
            for pre in ("", "link_"):
                out.print(f"   {'linked to' if pre else 'document '} "
                          f"{it['story_link'] if pre else it['document_id']} · "
                          f"{it[pre + 'source'] or '?'} · {it[pre + 'published_at'] or '?'} · "
                          f"{it[pre + 'lang'] or '?'}", highlight=False)
                out.print(f"     “{one_line(it[pre + 'title'] or it[pre + 'lead'])}”",
                          highlight=False)
            out.print(f"   [dim]corrobora review confirm --story {it['document_id']} | "
                      f"review reject --story {it['document_id']}[/dim]", highlight=False)
            continue
        flags = [f for f, on in (("fatalities disagree", it["fatalities_conflict"]),
                                 ("dates disagree", it["date_conflict"])) if on]
        out.print(f"[bold]{i}. report {it['report_id']}[/bold] → {it['event_id']} · link "
                  f"{it['link_score']} · {it['type']} · {it['n_reports']} reports"
                  + (f" · [yellow]{', '.join(flags)}[/yellow]" if flags else ""),
                  highlight=False)

        def describe(r: dict[str, Any]) -> str:
            dead = "" if r["fatalities_min"] is None else (
                f" · {r['fatalities_min']}" + (f"–{r['fatalities_max']}" if r["fatalities_max"]
                                               not in (None, r["fatalities_min"]) else "")
                + " dead")
            return (f"{r['date'] or '?'} · {r['place_text'] or '?'}{dead} · "
                    f"{r['source'] or '?'} {r['document_id']}")

        out.print(f"   this:  {describe(it)}", highlight=False)
        out.print(f"          “{one_line(it['sentence'])}”", highlight=False)
        for o in it["others"]:
            out.print(f"   with:  {describe(o)} (report {o['report_id']})", highlight=False)
            out.print(f"          “{one_line(o['sentence'])}”", highlight=False)
        out.print(f"   [dim]corrobora review confirm {it['report_id']} | "
                  f"review split {it['report_id']}[/dim]", highlight=False)


@review_app.command("split")
def review_split(
    ids: Annotated[list[str], typer.Argument(
        help="Event reports (or with --story, documents) to take out together.")],
    db: DbOption = Path(DEFAULT_DB), story: StoryFlag = False, by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Take reports out of their event into an event of their own (with --story: documents
    and their copies out of their story). They never rejoin the reports left behind.

    Example: corrobora review split 3f2a9c01d4e5b6a7
    Example: corrobora review split --story doc-4bfabf1ad7c6a536
    """
    _reviewing(db, by, lambda r: r.story_split(ids, note=note) if story
               else r.split(ids, note=note))


@review_app.command("merge")
def review_merge(
    a: Annotated[str, typer.Argument(help="The event (or story) that stays.")],
    b: Annotated[str, typer.Argument(help="The event (or story) merged into it.")],
    db: DbOption = Path(DEFAULT_DB), story: StoryFlag = False, by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Make one event of two: B's reports join A, and A is recomputed from all of them
    (counts, independent sources, grades, fatality and date ranges). With --story, A and B
    are stories or any of their documents.

    Example: corrobora review merge evt-1a2b3c evt-4d5e6f --note 'same ambush'
    """
    _reviewing(db, by, lambda r: r.story_merge(a, b, note=note) if story
               else r.merge(a, b, note=note))


@review_app.command("confirm")
def review_confirm(
    id: Annotated[str, typer.Argument(
        help="An event report, or an event (all its links); with --story, a document.")],
    db: DbOption = Path(DEFAULT_DB), story: StoryFlag = False, by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Confirm automatic links: they leave the queue and re-clustering keeps them.

    Example: corrobora review confirm evt-1a2b3c
    Example: corrobora review confirm --story doc-4bfabf1ad7c6a536
    """
    _reviewing(db, by, lambda r: r.story_confirm(id, note=note) if story
               else r.confirm(id, note=note))


@review_app.command("reject")
def review_reject(
    id: Annotated[str, typer.Argument(help="An event report; with --story, a document.")],
    db: DbOption = Path(DEFAULT_DB), story: StoryFlag = False, by: ByOption = None,
    note: NoteOption = None,
) -> None:
    """Reject a link: the report leaves its event for one of its own (with --story, the
    document and its copies leave their story) and never rejoins it.

    Example: corrobora review reject 3f2a9c01d4e5b6a7 --note 'another day'
    """
    _reviewing(db, by, lambda r: r.story_reject(id, note=note) if story
               else r.reject(id, note=note))


@review_app.command("undo")
def review_undo(
    decision: Annotated[str, typer.Argument(help="A decision id (see `review log`).")],
    db: DbOption = Path(DEFAULT_DB), by: ByOption = None, note: NoteOption = None,
) -> None:
    """Undo a decision: apply its inverse and drop its constraint.

    Example: corrobora review undo dec-4
    """
    _reviewing(db, by, lambda r: r.undo(decision, note=note))


@review_app.command("log")
def review_log(
    db: DbOption = Path(DEFAULT_DB),
    all: Annotated[bool, typer.Option("--all", help="Include undone decisions.")] = False,
    format: Annotated[str, typer.Option("--format", help="table or jsonl")] = "table",
) -> None:
    """The decisions taken, oldest first.

    Example: corrobora review log --all
    """
    with _open(db) as store:
        rows = store.decisions(active=not all)
    if format == "jsonl":
        for r in rows:
            sys.stdout.write(json.dumps(r, ensure_ascii=False, default=_json_default) + "\n")
        return
    table = Table(title=f"{len(rows)} decisions")
    for col in ("id", "kind", "subject", "target", "reports", "by", "when", "note"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["id"] + (" (undone)" if r["undone_by"] else ""), r["kind"],
                      r["subject"], r["target"] or "",
                      f"{len(r['members'] or [])}/{len(r['others'] or [])}", r["actor"],
                      f"{r['created_at']:%Y-%m-%d %H:%M}", r["note"] or "")
    out.print(table)


@review_app.command("recluster")
def review_recluster(db: DbOption = Path(DEFAULT_DB)) -> None:
    """Fuse every stored report into events again, under every active decision.

    Example: corrobora review recluster --db corrobora.duckdb
    """
    from corrobora.fuse.fusion import recluster

    with _open(db) as store:
        n = recluster(store)
    out.print(f"{n['reports']} reports: {n['events_before']} events before, "
              f"{n['events_after']} after; {n['reports_moved']} reports changed event")


# -- analyses of what happens next (alerts, fragmentation, spread; docs/analyses.md) -------


def _analysis_panel(series: Path | None, db: Path | None, stored: str | None, level: str):
    """A monthly panel from a §3 series file, a stored series (`corrobora import sesnsp`) or
    the store's violent events."""
    from corrobora.analyze.series import panel_from_rows, read_series

    if series is not None:
        return read_series(series)
    assert db is not None
    with _open(db, read_only=True) as store:
        if stored:
            rows = store.series_values(stored)
            if not rows:
                raise StoreError(f"{db}: no stored series {stored!r} (corrobora import sesnsp)")
            return panel_from_rows(rows, source=f"{db} (series {stored})")
        from corrobora.analyze.events import violent_event_panel

        return violent_event_panel(store, level)


def _write_and_report(written: list[Path]) -> None:
    for path in written:
        err.print(f"wrote {path}", highlight=False)


@analyze_app.command("alerts")
def analyze_alerts(
    db: Annotated[Path | None, typer.Option("--db", help="The store (violent events).")] = None,
    series: Annotated[Path | None, typer.Option(
        "--series", help="A monthly §3 series instead of the store (no events behind).")]
    = None,
    region: Annotated[str | None, typer.Option(help="Only this region (MX-SIN).")] = None,
    actor: Annotated[str | None, typer.Option(
        help="Only events naming this actor (registry id, e.g. cjng).")] = None,
    by: Annotated[str, typer.Option(help="region or actor: one series for each.")] = "region",
    freq: Annotated[str, typer.Option(help="day or week (store); series are monthly.")]
    = "week",
    level: Annotated[str, typer.Option(help="admin1 (states) or municipality.")] = "admin1",
    alpha: Annotated[float, typer.Option(help="Spike tail probability threshold.")] = 0.01,
    min_count: Annotated[float, typer.Option(help="Smallest count that can alert.")] = 3,
    plot: Annotated[Path | None, typer.Option(
        help="Write PATH.png, PATH.svg, PATH.csv and PATH.json.")] = None,
    format: Annotated[str, typer.Option("--format", help="text, json or csv")] = "text",
) -> None:
    """Escalation alerts: sustained rises (change points) and spikes, with their events.

    Change points by PELT (ruptures) with a quasi-Poisson ratio interval, spikes against a
    negative-binomial baseline (docs/analyses.md).

    Example: corrobora analyze alerts --db corrobora.duckdb --freq week --by actor
    """
    from corrobora.analyze import alerts as al
    from corrobora.analyze.series import SeriesError, normalise_region

    if (series is None) == (db is None):
        raise typer.BadParameter("give one of --series FILE.csv or --db PATH")
    if format not in ("text", "json", "csv") or by not in ("region", "actor") \
            or freq not in ("day", "week", "month") or level not in ("admin1", "municipality"):
        raise typer.BadParameter("--format text|json|csv, --by region|actor, --freq "
                                 "day|week|month, --level admin1|municipality")
    where = normalise_region(region) if region else None
    try:
        if series is not None:
            run = al.from_panel(_analysis_panel(series, None, None, level), region=where,
                                alpha=alpha, min_count=min_count)
        else:
            assert db is not None
            with _open(db, read_only=True) as store:
                run = al.from_store(store, freq=freq, by=by, level=level, region=where,
                                    actor=actor, alpha=alpha, min_count=min_count)
    except (SeriesError, StoreError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    written = al.write_outputs(run, plot) if plot is not None else []
    if format == "json":
        sys.stdout.write(json.dumps(run.to_contract(), ensure_ascii=False) + "\n")
    elif format == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(["kind", "by", "key", "start", "end", "count", "level_before",
                    "level_after", "ratio", "ci_low", "ci_high", "p_value", "event_ids"])
        for a in run.alerts:
            d = a.to_dict()
            w.writerow([d["kind"], d["by"], d["key"], d["start"], d["end"], d["count"],
                        d["level_before"], d["level_after"], d["ratio"], d["ci_low"],
                        d["ci_high"], d["p_value"], " ".join(a.event_ids)])
    else:
        out.print(f"{len(run.alerts)} alerts over {len(run.series)} series of {run.freq}ly "
                  f"counts by {run.by} ({run.source})", highlight=False)
        for a in run.alerts:
            ci = (f" (95% CI {a.ci_low:.2f}–{a.ci_high:.2f})" if a.ci_low is not None
                  and a.ci_high is not None else "")
            ratio = f"ratio {a.ratio:.2f}{ci}" if a.ratio is not None else "from zero"
            out.print(f"{a.kind:<5} {a.key:<14} {a.start}..{a.end}: {a.level_before:.1f} → "
                      f"{a.level_after:.1f} a {run.freq}, {ratio}, p {a.p_value:.2g}"
                      + (f"; events {', '.join(a.event_ids[:5])}"
                         + (f" +{len(a.event_ids) - 5}" if len(a.event_ids) > 5 else "")
                         if a.event_ids else ""), highlight=False)
    _write_and_report(written)


@analyze_app.command("fragmentation")
def analyze_fragmentation(
    db: Annotated[Path | None, typer.Option("--db", help="The store.")] = None,
    ocved: Annotated[Path | None, typer.Option(
        "--ocved", help="OCVED 2.0 xlsx (presence rows) instead of the store.")] = None,
    period: Annotated[str, typer.Option(help="month, quarter or year.")] = "year",
    level: Annotated[str, typer.Option(help="admin1 (states) or municipality.")] = "admin1",
    region: Annotated[list[str] | None, typer.Option(
        help="Regions to show (repeatable); default all in the table, busiest plotted.")]
    = None,
    plot: Annotated[Path | None, typer.Option(
        help="Write PATH.png, PATH.svg, PATH.csv and PATH.json.")] = None,
    format: Annotated[str, typer.Option("--format", help="text, json or csv")] = "text",
) -> None:
    """Fragmentation: active groups, concentration (HHI) and new group names by region.

    Example: corrobora analyze fragmentation --ocved OCVED_2.0.xlsx --plot frag
    """
    from corrobora.analyze import fragmentation as fr
    from corrobora.analyze.series import normalise_region
    from corrobora.imports import ImportFileError

    if (db is None) == (ocved is None):
        raise typer.BadParameter("give one of --db PATH or --ocved FILE")
    if period not in ("month", "quarter", "year") or level not in ("admin1", "municipality") \
            or format not in ("text", "json", "csv"):
        raise typer.BadParameter("--period month|quarter|year, --level admin1|municipality, "
                                 "--format text|json|csv")
    try:
        if ocved is not None:
            result = fr.from_ocved(ocved, period, level)
        else:
            assert db is not None
            with _open(db, read_only=True) as store:
                result = fr.from_store(store, period, level)
    except (ImportFileError, StoreError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    wanted = [normalise_region(r) for r in region or []]
    if wanted:
        result.cells = [c for c in result.cells if c.region in wanted]
    if not result.cells:
        err.print("[red]error:[/red] no events naming criminal groups with a date and place")
        raise typer.Exit(1)
    written = fr.write_outputs(result, plot, wanted or None) if plot is not None else []
    if format == "json":
        sys.stdout.write(json.dumps(result.to_contract(), ensure_ascii=False) + "\n")
    elif format == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(["region", "period", "events", "groups", "hhi", "effective_groups",
                    "top_group", "top_share", "new_groups", "relations"])
        for c in result.cells:
            d = c.to_dict()
            w.writerow([d["region"], d["period"], d["events"], d["groups"], d["hhi"],
                        d["effective_groups"], d["top_group"], d["top_share"],
                        "; ".join(c.new_groups), "; ".join(c.relations)])
    else:
        table = Table(title=f"fragmentation by {period} ({result.source})")
        for col in ("region", "period", "events", "groups", "HHI", "top group", "new groups"):
            table.add_column(col, overflow="fold")
        for c in result.cells:
            table.add_row(c.region, c.period.isoformat(), str(c.events), str(c.groups),
                          f"{c.hhi:.2f}", f"{c.top_group} ({c.top_share:.0%})",
                          "; ".join(c.new_groups + c.relations))
        out.print(table)
    _write_and_report(written)


@analyze_app.command("spread")
def analyze_spread(
    series: Annotated[Path | None, typer.Option("--series", help="A monthly §3 series.")]
    = None,
    db: Annotated[Path | None, typer.Option(
        "--db", help="The store: its violent events, or --stored-series.")] = None,
    stored_series: Annotated[str | None, typer.Option(
        help="A series imported into --db (e.g. SESNSP) instead of its events.")] = None,
    region: Annotated[str | None, typer.Option(help="The event's state (MX-SIN).")] = None,
    on: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD.")] = None,
    removal: Annotated[str | None, typer.Option(help="A removal of the registry.")] = None,
    window_months: Annotated[int, typer.Option(help="Months before and after.")] = 12,
    lag_months: Annotated[int, typer.Option(help="Months skipped after the event month.")]
    = 1,
    placebos: Annotated[bool, typer.Option(help="Placebo-in-space p-values.")] = True,
    plot: Annotated[Path | None, typer.Option(
        help="Write PATH.png, PATH.svg, PATH.csv and PATH.json.")] = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Spread: violence in the neighbouring states after an event, against far states.

    Example: corrobora analyze spread --series sesnsp.csv --removal zambada-2024 --plot s
    """
    from corrobora.analyze.registry import RegistryError, get
    from corrobora.analyze.series import SeriesError, normalise_region
    from corrobora.analyze.spread import spread_study, write_outputs

    if (series is None) == (db is None):
        raise typer.BadParameter("give one of --series FILE.csv or --db PATH")
    if format not in ("text", "json"):
        raise typer.BadParameter("choose text or json", param_hint="--format")
    try:
        record = get(removal) if removal else None
        when = _parse_day(on) or (record.date if record else None)
        where = region or (record.region if record else None)
        if when is None or where is None:
            raise typer.BadParameter("give --region and --date, or --removal ID")
        panel = _analysis_panel(series, db, stored_series, "admin1")
        result = spread_study(panel, normalise_region(where), when, months=window_months,
                              lag=lag_months, placebos=placebos)
    except (SeriesError, RegistryError, StoreError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    written = write_outputs(result, plot) if plot is not None else []
    r = result.to_contract()
    if format == "json":
        sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
    else:
        def line(name: str, g: dict[str, Any]) -> str:
            return (f"{name:<16} {g['before_mean']} → {g['after_mean']} a month, ratio "
                    f"{g['ratio']} (95% CI {g['ci_low']}–{g['ci_high']})")

        out.print(f"[bold]{r['region']}[/bold] {r['date']}; neighbours "
                  f"{', '.join(r['neighbours'])}", highlight=False)
        out.print(line(r["region"], r["treated"]), highlight=False)
        out.print(line("neighbours", r["neighbours_pooled"]), highlight=False)
        out.print(line("non-neighbours", r["non_neighbours_pooled"]), highlight=False)
        d = r["neighbours_vs_far"] or {}
        if d.get("irr") is not None:
            out.print(f"neighbours vs far states (difference-in-differences): IRR "
                      f"{d['irr']:.2f} (95% CI {d['ci_low']:.2f}–{d['ci_high']:.2f}; placebo "
                      f"p {d['placebo_p'] if d['placebo_p'] is None else round(d['placebo_p'], 3)}"
                      f" over {d['n_placebos']})", highlight=False)
        for n in r["by_neighbour"]:
            out.print(f"  {n['region']}: ratio {n['ratio']} (95% CI {n['ci_low']}–"
                      f"{n['ci_high']}); vs far states IRR {n['did_irr']} (placebo p "
                      f"{n['placebo_p']})", highlight=False)
        out.print(f"[dim]{r['windows']}. Source: {r['source']}[/dim]", highlight=False)
    _write_and_report(written)

def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    raise TypeError(f"cannot serialise {type(value).__name__}")


if __name__ == "__main__":
    app()
