"""`corrobora report`: an analyst's own report (a human source), graded, marked and fused
like any report (corrobora/analyst_reports.py, docs/team.md)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from corrobora.cli._common import DEFAULT_DB, DbOption, _open, err, out, shown
from corrobora.store import access

report_app = typer.Typer(
    help="Analysts' own reports (human sources), with Admiralty grades and a TLP marking."
    "\n\nExample:\n\n  corrobora report add --source 'informant K-7' --reliability C "
    "--credibility 3 --marking TLP:AMBER --org ngo-a --as alice "
    "--text 'Gunmen killed five officers in Culiacán, Sinaloa, on Monday.'",
    no_args_is_help=True)


@report_app.command("add")
def report_add(
    source: Annotated[str, typer.Option(help="Who told it (a code name, a field team).")],
    reliability: Annotated[str, typer.Option(help="Admiralty source reliability A-F.")],
    credibility: Annotated[int, typer.Option(help="Admiralty information credibility 1-6.")],
    text: Annotated[str | None, typer.Option(help="The report; - or none: read stdin.")]
    = None,
    title: Annotated[str | None, typer.Option()] = None,
    marking: Annotated[str, typer.Option(help="TLP:CLEAR, GREEN, AMBER, AMBER+STRICT, RED.")]
    = "TLP:CLEAR",
    org: Annotated[str | None, typer.Option(help="Owning organisation (default: the "
                                            "user's).")] = None,
    share_with: Annotated[list[str] | None, typer.Option(
        "--share-with", help="TLP:AMBER: another organisation that may read (repeatable).")]
    = None,
    recipient: Annotated[list[str] | None, typer.Option(
        "--recipient", help="TLP:RED: a user who may read (repeatable).")] = None,
    provenance: Annotated[str | None, typer.Option(help="How it was obtained.")] = None,
    received: Annotated[str | None, typer.Option(help="When (ISO 8601; default now).")]
    = None,
    lang: Annotated[str | None, typer.Option(help="en, es (default: detected).")] = None,
    as_user: Annotated[str | None, typer.Option(
        "--as", help="The user submitting it (team mode); default: the local analyst.")]
    = None,
    db: DbOption = Path(DEFAULT_DB),
) -> None:
    """Store one analyst report and fuse it with the stored events."""
    from corrobora.analyst_reports import AnalystReport, ReportError, submit

    body = sys.stdin.read() if text in (None, "-") else text
    try:
        when = datetime.fromisoformat(received) if received else None
    except ValueError:
        raise typer.BadParameter(f"{received!r} is not an ISO 8601 time",
                                 param_hint="--received") from None
    with _open(db) as store:
        try:
            principal = access.principal_for_user(store, as_user)
            recipients = list(recipient or ())
            if principal.user and marking.upper().endswith("RED"):
                recipients.insert(0, principal.user)
            m = access.Marking.of(marking, org or principal.org, share_with or (), recipients)
            doc_id, summary = submit(store, AnalystReport(
                text=body, source=source, reliability=reliability.upper(),
                credibility=credibility, marking=m, title=title, provenance=provenance,
                published_at=when, lang=lang), principal)
        except (ReportError, access.AccessError) as exc:
            err.print(f"[red]error:[/red] {shown(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from exc
        events = store._dicts("SELECT DISTINCT event_id FROM event_reports "
                              "WHERE document_id = ? ORDER BY 1", [doc_id])
    out.print(doc_id, highlight=False)
    err.print(f"{m.marking} report stored: {summary.event_reports} event report(s) → "
              f"{', '.join(e['event_id'] for e in events) or 'no event'}", highlight=False)
