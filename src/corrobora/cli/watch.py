"""`corrobora watch`: poll RSS/Atom feeds and pages, ingest what is new (docs/watch.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corrobora.cli._common import DEFAULT_DB, DbOption, _open, err, out, shown


def watch(
    targets: Annotated[list[str], typer.Argument(
        help="Feed URLs, and YAML files listing feeds and pages (docs/watch.md).",
        metavar="FEEDS.yaml|URL...")],
    db: DbOption = Path(DEFAULT_DB),
    every: Annotated[str, typer.Option(
        help="How often to poll each feed (90s, 15m, 2h, 1d); a feed's own `every:` wins.")]
    = "15m",
    once: Annotated[bool, typer.Option(
        "--once", help="Poll every feed once (those backing off excepted) and exit: for cron."
    )] = False,
    pages: Annotated[bool, typer.Option(
        "--pages/--entries-only", help="Fetch each new entry's article page, or store the "
        "feed entry's own text.")] = True,
    allow_private: Annotated[bool, typer.Option(
        "--allow-private", help="Also fetch from private, loopback and link-local addresses "
        "(intranet feeds, tests). Off by default: such addresses are refused.")] = False,
    allow: Annotated[list[str] | None, typer.Option(
        "--allow", help="Fetch from this host even at a private address: NAME, NAME:PORT, "
        "an address or a CIDR block (repeatable).")] = None,
    ca_file: Annotated[Path | None, typer.Option(
        "--ca-file", exists=True, dir_okay=False, help="Trust the certificate authorities in "
        "this PEM file instead of the usual ones (an intranet's own CA).")] = None,
    host_delay: Annotated[str, typer.Option(
        help="Least time between two requests to one host.")] = "2s",
    max_mb: Annotated[float, typer.Option(
        min=0.001, help="Refuse answers larger than this (read no further).")] = 10.0,
    timeout: Annotated[float, typer.Option(
        min=0.1, help="Seconds a whole fetch may take, redirects included.")] = 60.0,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print only errors and new items.")] = False,
) -> None:
    """Poll RSS/Atom feeds and web pages on a schedule and ingest what is new, politely
    (conditional GET, a delay per host, back-off, Retry-After) and SSRF-safe (public
    addresses only unless allowed, checked on every redirect). One line per feed per poll.

    Example: corrobora watch feeds.yaml https://example.org/rss.xml --db corrobora.duckdb
    """
    from corrobora.sources.net import Allowed, NetPolicy, SafeFetcher
    from corrobora.sources.watch import PollResult, Watcher, load_targets, parse_duration

    try:
        feeds = load_targets(targets, pages=pages)
        interval = parse_duration(every)
        delay = parse_duration(host_delay)
        allowed = tuple(Allowed.parse(entry) for entry in allow or ())
    except ValueError as exc:
        err.print(f"[red]error:[/red] {shown(exc)}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    _open(db).close()  # a store that cannot be opened is said now, not at the first poll
    policy = NetPolicy(allow_private=allow_private, allow=allowed,
                       max_bytes=int(max_mb * 1_000_000), total_timeout=timeout,
                       read_timeout=min(20.0, timeout), connect_timeout=min(10.0, timeout),
                       host_delay=delay, ca_file=str(ca_file) if ca_file else None)
    failed = 0

    def report(result: PollResult) -> None:
        nonlocal failed
        if result.outcome == "error":
            failed += 1
            err.print(f"[yellow]{shown(result.line())}[/yellow]", highlight=False,
                      soft_wrap=True)
        elif not quiet or result.outcome == "new":
            out.print(shown(result.line()), highlight=False, soft_wrap=True)
        for note in result.notes:
            err.print(f"  [dim]note[/dim] {shown(note)}", highlight=False, soft_wrap=True)

    def busy(exc: Exception) -> None:
        err.print(f"[yellow]store busy:[/yellow] {shown(exc)}; trying again in {every}",
                  highlight=False, soft_wrap=True)

    try:
        fetcher = SafeFetcher(policy)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        err.print(f"[red]error:[/red] --ca-file {shown(ca_file)}: not PEM certificates "
                  f"({shown(exc)})", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    with fetcher:
        watcher = Watcher(db, fetcher, every=interval)
        try:
            if once:
                for result in watcher.poll(feeds):
                    report(result)
            else:
                if not quiet:
                    err.print(f"watching {len(feeds)} feed(s) every {every} into "
                              f"{shown(db)}; Ctrl-C stops", highlight=False, soft_wrap=True)
                watcher.run(feeds, report, store_busy=busy)
        except KeyboardInterrupt:
            err.print(f"stopped; what each feed gave so far is stored in {shown(db)}",
                      highlight=False, soft_wrap=True)
            raise typer.Exit(130) from None
    if once and failed:
        raise typer.Exit(1)
