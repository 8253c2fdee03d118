"""The `corrobora` command: a thin layer over the library, streams in and out."""

from __future__ import annotations

import os

# spaCy's thinc imports PyTorch when it is installed, and PyTorch loads its OpenMP runtime
# into the global symbol scope: the E5 engine's OpenMP calls then run on it, one thread per
# core instead of the one the engine asks for, and on a busy machine a call took 1.7 s
# instead of 0.07 s (benchmarks/e5_call.py). Set before anything loads an OpenMP runtime;
# NumPy's OpenBLAS keeps its own thread count. A user's own setting wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(os.cpu_count() or 1))

import csv
import json
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, NoReturn, TypeVar

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from corrobora.cli._common import (
    DEFAULT_DB,
    DbOption,
    _json_default,
    _open,
    _parse_day,
    err,
    export_warnings,
    out,
    shown,
    shown_path,
)
from corrobora.store import EventFilter, Store, StoreError
from corrobora.store.filters import describe

if TYPE_CHECKING:
    from corrobora.ingest import IngestSummary

app = typer.Typer(
    help="Corrobora: events you can trust from public reporting on organized crime and "
    "political violence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
T = TypeVar("T")


def _counting(items: Iterable[T], progress: Progress, task: Any) -> Iterator[T]:
    for item in items:
        progress.advance(task)
        yield item


def _workers(value: str) -> int:
    """--workers: N, or auto (CORROBORA_WORKERS, else one per core the memory holds)."""
    from corrobora.parallel import parse_workers

    try:
        return parse_workers(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


WorkersOption = Annotated[int, typer.Option(
    parser=_workers, metavar="N|auto",
    help="Worker processes extracting documents (default 1, this process; auto: one per "
         "usable core, as many as "
         "the memory holds). On 2 loaded cores the pool measured little faster: "
         "docs/scaling.md.")]


def run_ingest(paths: list[str], db: Path, *, batch_size: int = 64,
               max_mb: float = 10.0, quiet: bool = False, workers: int = 1,
               marking: Any = None) -> IngestSummary:
    # Imported here: the NLP stack takes seconds to load and `stats` or `show` need none of it.
    from corrobora.ingest import Ingestor
    from corrobora.parallel import ExtractPool
    from corrobora.sources import read_paths

    with _open(db) as store, ExtractPool(workers) as pool:
        if marking is not None:  # team mode: its organisations exist (store/access.py)
            from corrobora.store.access import AccessError, check_marking

            try:
                check_marking(store, marking)
            except AccessError as exc:
                err.print(f"[red]error:[/red] {shown(exc)}", highlight=False)
                raise typer.Exit(2) from exc
        ingestor = Ingestor(store, batch_size=batch_size, pool=pool, marking=marking)
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
            except Exception as exc:  # the store's own failure: documents are isolated
                progress.stop()
                err.print(f"[red]error:[/red] ingest stopped: {shown(_describe(exc))}; "
                          f"{store.stats()['documents']} documents are stored in "
                          f"{shown(store.path)}; the batch in flight was not written",
                          highlight=False, soft_wrap=True)
                raise typer.Exit(2) from exc
            except KeyboardInterrupt:
                # The batch in flight was rolled back; committed batches stay.
                progress.stop()
                err.print(f"interrupted: {store.stats()['documents']} documents are stored in "
                          f"{shown(store.path)}; run the same command again to complete the "
                          "job", highlight=False, soft_wrap=True)
                raise typer.Exit(130) from None
        print_outcome(summary, time.perf_counter() - start, store, quiet=quiet)
    return summary


def print_outcome(summary: IngestSummary, elapsed: float, store: Store, *,
                  quiet: bool = False) -> None:
    """An ingest's skipped documents and notes, one line each, then its summary."""
    for failure in summary.failures:
        err.print(f"[yellow]skipped[/yellow] {shown(failure)}", highlight=False,
                  soft_wrap=True)
    for note in summary.notes:
        err.print(f"[dim]note[/dim] {shown(note)}", highlight=False, soft_wrap=True)
    if not quiet:
        _print_summary(summary, elapsed, store)


def _print_summary(s: IngestSummary, elapsed: float, store: Store) -> None:
    langs = ", ".join(f"{k} {v}" for k, v in s.by_language.most_common()) or "none"
    rate = s.read / elapsed if elapsed else 0.0
    err.print(
        f"documents: {s.new} new ({s.copies} copies of others), {s.already_stored} already "
        f"stored, {s.failed} failed · {rate:.1f} docs/s\n"
        f"by language: {langs}\n"
        f"event reports: {s.event_reports} → events: {s.events_new} new, {s.events_updated} "
        f"updated · places: {s.places}\n"
        f"store: {shown(store.path)} ({store.stats()['events']} events in all)",
        highlight=False, soft_wrap=True,
    )


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, archives; - for stdin.")],
    db: DbOption = Path(DEFAULT_DB),
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per transaction.")] = 64,
    max_mb: Annotated[float, typer.Option(
        min=0.001, help="Refuse documents larger than this.")] = 10.0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    workers: WorkersOption = "1",  # type: ignore[assignment]
    marking: Annotated[str, typer.Option(
        help="TLP marking of every document read (docs/team.md): TLP:CLEAR, TLP:GREEN, "
        "TLP:AMBER, TLP:AMBER+STRICT or TLP:RED.")] = "TLP:CLEAR",
    org: Annotated[str | None, typer.Option(
        help="The organisation that owns the documents (needed past GREEN).")] = None,
    share_with: Annotated[list[str] | None, typer.Option(
        "--share-with", help="TLP:AMBER: another organisation that may read (repeatable).")]
    = None,
    recipient: Annotated[list[str] | None, typer.Option(
        "--recipient", help="TLP:RED: a user who may read (repeatable).")] = None,
) -> None:
    """Read reports (text, Markdown, HTML, JSONL, RSS/Atom, .tar.gz/.zip), extract, store.

    Example: corrobora ingest reports/ feed.xml --db corrobora.duckdb --workers 2

    Example: corrobora ingest field-notes/ --marking TLP:AMBER --org ngo-a
    """
    from corrobora.store.access import AccessError, Marking

    try:
        given = Marking.of(marking, org, share_with or (), recipient or ())
    except AccessError as exc:
        raise typer.BadParameter(str(exc), param_hint="--marking") from None
    summary = run_ingest(paths, db, batch_size=batch_size, max_mb=max_mb, quiet=quiet,
                         workers=workers,
                         marking=given if (given.restricted or given.org) else None)
    if summary.failed and summary.new + summary.already_stored == 0:
        raise typer.Exit(1)


@app.command()
def extract(
    input: Annotated[str, typer.Argument(help="JSON Lines (CONTRACTS §1); - for stdin.")],
    output: Annotated[str, typer.Option("-o", "--output", help="JSON Lines out; - for stdout.")]
    = "-",
    workers: WorkersOption = "1",  # type: ignore[assignment]
) -> None:
    """Extract entities, places and events from JSONL documents, one output line per input line.

    A line that cannot be read or extracted gets no output line: an error line on stderr
    instead, one JSON object ({"error", "input", "line", "id"}), and the exit status is 1.

    Example: corrobora extract docs.jsonl -o extracted.jsonl --workers 2
    """
    from corrobora.model import Document, ReadFailure
    from corrobora.parallel import Extracting, ExtractPool
    from corrobora.sources.base import path_name
    from corrobora.sources.jsonl import read_jsonl_stream

    src = sys.stdin.buffer if input == "-" else _open_input(input)
    try:
        dst = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot write {shown(output)}: {shown(exc.strerror or exc)}",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    name = path_name(input)
    failed = 0

    def error_line(problem: str, line: object = None, doc_id: object = None) -> None:
        nonlocal failed
        failed += 1
        # JSON with ASCII escapes: nothing in it reaches the terminal raw.
        sys.stderr.write(json.dumps({"error": problem, "input": name, "line": line,
                                     "id": doc_id}) + "\n")
        sys.stderr.flush()

    def read_failure(item: ReadFailure) -> None:
        where, _, line = item.origin.rpartition(":")
        error_line(item.problem, int(line) if where == name and line.isdigit() else None)

    def chunks() -> Iterator[tuple[list[ReadFailure], list[Document]]]:
        """Batches of documents, each with the lines that failed to read before it."""
        bad: list[ReadFailure] = []
        chunk: list[Document] = []
        for item in read_jsonl_stream(src, name):
            if isinstance(item, ReadFailure):
                bad.append(item)
                continue
            chunk.append(item)
            if len(chunk) >= 64:
                yield bad, chunk
                bad, chunk = [], []
        if chunk or bad:
            yield bad, chunk

    def write(bad: list[ReadFailure], extracting: Extracting) -> None:
        for item in bad:
            read_failure(item)
        for _doc, ext in extracting.result(lambda doc, problem: error_line(
                problem, doc.extra.get("line"), doc.id)):
            dst.write(json.dumps(ext.to_contract(), ensure_ascii=False) + "\n")

    try:
        with ExtractPool(workers) as pool:
            # The workers extract the next batch while this one is written.
            pending: tuple[list[ReadFailure], Extracting] | None = None
            for bad, chunk in chunks():
                started = (bad, pool.submit(chunk))
                if pending is not None:
                    write(*pending)
                pending = started
            if pending is not None:
                write(*pending)
    finally:
        if src is not sys.stdin.buffer:
            src.close()
        if dst is not sys.stdout:
            dst.close()
    if failed:
        raise typer.Exit(1)


def _open_input(path: str) -> BinaryIO:
    """A file given as input, opened for reading; one line and exit status 2 when it is not a
    readable regular file (a FIFO would block forever, a directory is not JSON Lines)."""
    problem = _not_a_file(path, "; pipe a stream to - (stdin) instead")
    if problem is None:
        try:
            return open(path, "rb")
        except OSError as exc:
            problem = str(exc.strerror or exc)
    _refuse(path, f"cannot read {shown_path(path)}: {shown(problem)}")


def _not_a_file(path: str | Path, hint: str = "") -> str | None:
    """Why `path` cannot be read as one input file, or None when it can."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file or directory"
    except OSError as exc:
        return str(exc.strerror or exc)
    if stat.S_ISDIR(mode):
        return "a directory, not a file"
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO, socket or device)" + hint
    return None


def _refuse(path: str | Path, message: str) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


TABLE_ROWS = 50
"""Events a table shows unless told otherwise; machine formats are complete."""


def _resolved(store: Store, f: EventFilter) -> EventFilter:
    """`f` with its place, actor and type resolved, or one line on stderr and exit 2."""
    from corrobora.store.filters import FilterError, resolve

    try:
        return resolve(store, f)
    except FilterError as exc:
        err.print("[red]error:[/red] " + escape(str(exc)), highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc


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
    limit: Annotated[int | None, typer.Option(
        help=f"At most N events (default: {TABLE_ROWS} in the table, all in jsonl and csv).")]
    = None,
    format: Annotated[str, typer.Option("--format", help="table, jsonl or csv")] = "table",
) -> None:
    """List events, newest first. Places and actors match whatever the case and accents
    (--place culiacan, --actor zetas); an ambiguous place lists its candidates.

    Example: corrobora events --place MX-JAL --since 2026-01-01 --type ARMED_CLASH
    """
    if format not in ("table", "jsonl", "csv"):
        raise typer.BadParameter("choose table, jsonl or csv", param_hint="--format")
    shown = limit if limit is not None else (TABLE_ROWS if format == "table" else None)
    f = EventFilter(type=type, place=place, since=_parse_day(since), until=_parse_day(until),
                    actor=actor, min_credibility=min_credibility, limit=shown)
    with _open(db, read_only=True) as store:
        f = _resolved(store, f)
        rows = store.list_events(f)
        total = store.count_events(f) if shown and len(rows) == shown else len(rows)
    if not rows:
        err.print(escape(f"no events match {describe(f)}"), highlight=False)
    elif total > len(rows) and format == "table":
        err.print(f"showing {len(rows):,} of {total:,} events (use --limit N, or --format csv "
                  "or jsonl for all)", highlight=False)
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
    if not rows:
        return  # said on stderr; an empty table adds nothing
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
        err.print(f"[red]error:[/red] no single event matches {shown(repr(event_id))}",
                  highlight=False, soft_wrap=True)
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
        # Escaped: "[cjng]" would otherwise be read as Rich markup and vanish.
        out.print(escape(f"actor ({a['role']}): {a['text']}"
                         + (f" → {a['actor_name']} [{a['actor_id']}]" if a["actor_id"] else "")
                         + (f", ACLED \"{a['acled_name']}\"" if a.get("acled_name") else "")
                         + (f", inter {a['inter']}" if a.get("inter") else "")))
    for r in event["reports"]:
        out.print()
        meta = [r["source"] or "unknown source", str(r["published_at"] or "undated"),
                r["document_id"]]
        if r["duplicate_of"]:
            meta.append(f"copy of {r['duplicate_of']}")
        out.print(f"[dim]{shown(' · '.join(meta))}[/dim]", highlight=False)
        if r["title"]:
            out.print(f"[italic]{shown(r['title'])}[/italic]", highlight=False)
        tags = []
        if r["attribution"]:
            tags.append("according to " + ", ".join(r["attribution"]))
        if r["hedged"]:
            tags.append("hedged")
        out.print("  “" + shown(" ".join(r["sentence_text"].split())) + "”"
                  + (f"  [dim]({shown('; '.join(tags))})[/dim]" if tags else ""), highlight=False)
        out.print(f"  [dim]{shown(r['origin'])} chars {r['sentence_start']}–"
                  f"{r['sentence_end']}[/dim]", highlight=False)


@app.command()
def stats(db: DbOption = Path(DEFAULT_DB)) -> None:
    """What the store holds.

    Example: corrobora stats --db corrobora.duckdb
    """
    with _open(db, read_only=True) as store:
        s = store.stats()
    out.print(f"store {shown(s['path'])} (schema {s['schema_version']})", highlight=False)
    rows = sum(n for _, n in s["dataset_rows"])
    out.print(f"documents {s['documents'] - rows:,} ({s['copies']:,} copies) · by language: "
              + (", ".join(f"{lang} {n:,}" for lang, n in s["by_language"]) or "none"),
              highlight=False)
    if rows:
        out.print(f"dataset rows {rows:,} (imported, in no language): "
                  + ", ".join(f"{n:,} from {name}" for name, n in s["dataset_rows"]),
                  highlight=False)
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
    format: Annotated[str, typer.Option(
        "--format", help="jsonl (default), or by kind: events: csv, acled, geojson, parquet, "
        "stix, misp, ftm; documents and actors: parquet. See docs/export.md.")] = "jsonl",
    output: Annotated[str, typer.Option("-o", "--output")] = "-",
    type: Annotated[str | None, typer.Option(
        "--type", help="Events only: as in `corrobora events`.")] = None,
    place: Annotated[str | None, typer.Option(help="Events only: as in `events`.")] = None,
    actor: Annotated[str | None, typer.Option(help="Events only: as in `events`.")] = None,
    since: Annotated[str | None, typer.Option(help="Events only: YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="Events only: YYYY-MM-DD")] = None,
    limit: Annotated[int | None, typer.Option(help="Events only: at most N (default all).")]
    = None,
    as_user: Annotated[str | None, typer.Option(
        "--as", help="Team mode: export only what this user may see, figures recomputed "
        "from those reports (docs/team.md).")] = None,
) -> None:
    """Export fused knowledge: JSON Lines (CONTRACTS §2) or the field's formats, complete
    unless filtered.

    Formats: events: jsonl, csv (UTF-8 with BOM), acled (ACLED's 31 columns), geojson,
    parquet, stix (STIX 2.1 for OpenCTI), misp (MISP event JSON), ftm (FollowTheMoney);
    documents and actors: jsonl, parquet.

    Example: corrobora export documents --db corrobora.duckdb -o documents.jsonl
    Example: corrobora export actors --db corrobora.duckdb -o actors.jsonl
    Example: corrobora export events --place culiacan --since 2024-07-25 -o culiacan.jsonl
    Example: corrobora export events --format acled -o events.csv
    Example: corrobora export events --format stix -o bundle.json
    Example: corrobora export events --format misp --as bob -o for-ngo-b.json
    """
    from corrobora.export.run import ExportError, check
    from corrobora.export.run import export as run_export
    from corrobora.export.view import seen_by
    from corrobora.store.access import AccessError

    try:
        check(kind, format)
    except ExportError as exc:
        raise typer.BadParameter(str(exc), param_hint="KIND / --format") from None
    f = EventFilter(type=type, place=place, since=_parse_day(since), until=_parse_day(until),
                    actor=actor, limit=limit)
    if kind != "events" and f != EventFilter(limit=None):
        raise typer.BadParameter("filters apply to events only", param_hint="KIND")
    # Actors: opened for writing, the registry's relations are merged into the stored ones
    # first, so the export has them even for a store ingested before they were kept.
    with _open(db, read_only=kind != "actors") as store:
        try:
            with export_warnings(), seen_by(store, as_user) as seen:
                actor_rows = None
                if kind == "actors":
                    from corrobora.export import actor_records

                    actor_rows = actor_records(store, seen)
                if kind == "events":
                    f = _resolved(seen, f)
                    if not seen.count_events(f):
                        err.print(escape(f"no events match {describe(f)}"), highlight=False)
                run_export(seen, kind, format, output, f=f, actor_rows=actor_rows,
                           default=_json_default)
        except (ExportError, AccessError, OSError) as exc:
            err.print(f"[red]error:[/red] {shown(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from exc


@app.command()
def demo(
    db: DbOption = Path("corrobora-demo.duckdb"),
) -> None:
    """Ingest the bundled demo corpus and show what was found and where to look next."""
    from corrobora.demo import corpus_path

    corpus = corpus_path()
    err.print(f"demo corpus: {shown(corpus)}", highlight=False)
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
    _check_import_file(file)
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
                err.print(f"[red]error:[/red] {shown(exc)}", highlight=False, soft_wrap=True)
                raise typer.Exit(2) from exc
            except Exception as exc:  # never a traceback; batches written before are kept
                progress.stop()
                err.print(f"[red]error:[/red] import of {shown(file)} stopped: "
                          f"{shown(_describe(exc))}", highlight=False, soft_wrap=True)
                raise typer.Exit(2) from exc
        total = store.stats()["events"]
    for problem in s.problems[:50]:
        err.print(f"[yellow]skipped[/yellow] {shown(problem)}", highlight=False,
                  soft_wrap=True)
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
        err.print(f"{shown(s.dataset)} {shown(file)}: {s.rows} rows read in "
                  f"{time.perf_counter() - start:.1f} s · {what}\nskipped: {skipped} · "
                  f"problems: {len(s.problems)}", highlight=False, soft_wrap=True)
    if s.rows and not (s.imported or s.already_stored or s.series_values or s.skipped):
        raise typer.Exit(1)


def _describe(exc: BaseException) -> str:
    from corrobora.ingest import describe

    return describe(exc)


def _check_import_file(file: Path) -> None:
    """One line and exit status 2 for a dataset path that cannot be imported as given: not a
    regular file (a FIFO would block), or a name that is not UTF-8 (the store records it)."""
    from corrobora.sources.base import lone_surrogate

    problem = _not_a_file(file)
    if problem is None and lone_surrogate(str(file)) is not None:
        problem = "the file name is not UTF-8; rename the file (or copy it) to import it"
    if problem:
        _refuse(file, f"{shown_path(file)}: {shown(problem)}")


@app.command()
def serve(
    db: DbOption = Path(DEFAULT_DB),
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    review: Annotated[bool, typer.Option(
        "--review", help="Open the store for writing so the review page can record "
        "split/merge/confirm decisions (each needs the review token).")] = False,
    token: Annotated[str | None, typer.Option(
        envvar="CORROBORA_REVIEW_TOKEN", show_envvar=True,
        help="The review token every write must carry (Authorization: Bearer TOKEN); "
        "one is made and printed when none is given.")] = None,
    reviewer: Annotated[str | None, typer.Option(
        help="Name recorded with each decision (default: your user name).")] = None,
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host", help="Also answer requests for this host name (NAME or "
        "NAME:PORT; repeatable), e.g. behind a proxy. Loopback names and --host are "
        "always allowed.")] = None,
) -> None:
    """Serve the HTTP API and the analyst's dashboard over the store (offline; read-only
    unless --review). Requests naming another host are refused (DNS rebinding).

    Example: corrobora serve --db corrobora.duckdb   then open http://127.0.0.1:8000/
    """
    # Imported here: FastAPI and uvicorn are needed by this command only.
    import uvicorn

    from corrobora.fuse.review import default_actor
    from corrobora.web import create_app

    if token is not None and not review:
        err.print("[yellow]warning:[/yellow] --token (or CORROBORA_REVIEW_TOKEN) is used "
                  "only with --review; this server records nothing")
    elif token is not None and len(token) < 16:
        err.print("[red]error:[/red] --token: use at least 16 characters (or leave it out "
                  "to get a random one)")
        raise typer.Exit(2)
    try:
        web_app = create_app(db, review=review, token=token, port=port, host=host,
                             reviewer=reviewer or default_actor(),
                             allowed_hosts=allowed_host or ())
    except (StoreError, ValueError) as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    base = web_app.state.hosts.example() if host.strip("[]") in ("0.0.0.0", "::") \
        else f"http://{f'[{host}]' if ':' in host else host}:{port}/"
    # soft_wrap: a long path or address stays one line a user can copy.
    err.print(escape(f"serving {db} on {base} (API docs: /docs)"), highlight=False,
              soft_wrap=True)
    if review:
        # The fragment never leaves the browser: the review page keeps the token for the
        # tab (sessionStorage) and sends it with each decision.
        err.print(escape(f"review token: {web_app.state.token}\n"
                         f"open {base}review#token={web_app.state.token}"), highlight=False,
                  soft_wrap=True)
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


# Imported last: the groups register their own commands on their own Typer apps.
from corrobora.cli.analyze import analyze_app  # noqa: E402
from corrobora.cli.release import release  # noqa: E402
from corrobora.cli.report import report_app  # noqa: E402
from corrobora.cli.review import review_app  # noqa: E402
from corrobora.cli.spark import spark_app  # noqa: E402
from corrobora.cli.users import audit, orgs_app, users_app  # noqa: E402
from corrobora.cli.watch import watch  # noqa: E402

app.add_typer(analyze_app, name="analyze")
app.add_typer(review_app, name="review")
app.add_typer(spark_app, name="spark")
app.add_typer(orgs_app, name="orgs")
app.add_typer(users_app, name="users")
app.add_typer(report_app, name="report")
app.command()(audit)
app.command()(watch)
app.command("release")(release)

if __name__ == "__main__":
    app()
