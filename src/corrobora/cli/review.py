"""`corrobora review`: an analyst's decisions over automatic links (docs/fusion.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from corrobora.cli._common import DEFAULT_DB, DbOption, _json_default, _open, err, out, shown

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
ByOption = Annotated[str | None, typer.Option(
    "--by", help="Analyst name recorded with the decision (default: $USER).")]
NoteOption = Annotated[str | None, typer.Option("--note", help="Why, for the record.")]
StoryFlag = Annotated[bool, typer.Option(
    "--story", help="Act on document -> story links instead of report -> event links.")]


def outcome_actor() -> str:
    from corrobora.fuse.review import default_actor

    return default_actor()


def _reviewing(db: Path, by: str | None, action: Any) -> None:
    from corrobora.fuse.review import Reviewer, ReviewError

    with _open(db) as store:
        try:
            outcome = action(Reviewer(store, by))
        except ReviewError as exc:
            err.print(f"[red]error:[/red] {shown(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from exc
        from corrobora.store import access

        # Every analyst decision is audited (docs/team.md), from the CLI too.
        access.audit(store, [access.audit_row(
            access.Principal(by or outcome_actor(), None, "admin", local=True), "decision",
            "decision", outcome.decision_id, None, outcome.kind)])
        out.print(f"{outcome.decision_id}: {shown(outcome.message)}", highlight=False)
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
            out.print(f"[bold]{i}. {shown(it['document_id'])}[/bold] in story {it['story_id']} · "
                      f"score {it['story_score']}", highlight=False)
            for pre in ("", "link_"):
                out.print(f"   {'linked to' if pre else 'document '} " + shown(
                          f"{it['story_link'] if pre else it['document_id']} · "
                          f"{it[pre + 'source'] or '?'} · {it[pre + 'published_at'] or '?'} · "
                          f"{it[pre + 'lang'] or '?'}"), highlight=False)
                out.print(f"     “{shown(one_line(it[pre + 'title'] or it[pre + 'lead']))}”",
                          highlight=False)
            out.print(f"   [dim]corrobora review confirm --story {shown(it['document_id'])} | "
                      f"review reject --story {shown(it['document_id'])}[/dim]", highlight=False)
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

        out.print(f"   this:  {shown(describe(it))}", highlight=False)
        out.print(f"          “{shown(one_line(it['sentence']))}”", highlight=False)
        for o in it["others"]:
            out.print(f"   with:  {shown(describe(o))} (report {o['report_id']})",
                      highlight=False)
            out.print(f"          “{shown(one_line(o['sentence']))}”", highlight=False)
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
