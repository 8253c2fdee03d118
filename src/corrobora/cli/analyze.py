"""`corrobora analyze`: removal studies, alerts, fragmentation and spread (docs/analyses.md)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from corrobora.cli._common import _open, _parse_day, err, out, shown
from corrobora.store import StoreError

analyze_app = typer.Typer(
    help="What happens next: removal studies, escalation alerts, fragmentation and spread "
    "(docs/analyses.md).",
    no_args_is_help=True,
)


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
    from corrobora.analyze.series import region_level

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
        from corrobora.store.filters import resolve_region

        if series is not None:
            where = resolve_region(where)
            panel = read_series(series)
        else:
            from corrobora.analyze.events import violent_event_panel

            assert db is not None
            with _open(db, read_only=True) as store:
                where = resolve_region(where, store)
                level = region_level(where)
                if level == "other":
                    raise SeriesError(f"region {where!r} is neither ISO 3166-2 (MX-SIN) nor "
                                      "an INEGI municipality code (17007)")
                panel = violent_event_panel(store, level)
        chosen = None
        if controls is not None:
            chosen = [] if controls.strip().lower() == "none" else controls.split(",")
        study = run_removal_study(
            panel, where, when, months=window_months, lag=lag_months, controls=chosen,
            synth=synth, placebos=placebos, removal_record=record.summary() if record else None)
    except (SeriesError, RegistryError, StoreError, ValueError) as exc:
        _fail(exc)
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
        err.print(f"wrote {shown(path)}", highlight=False)


def _print_study(r: dict[str, Any]) -> None:
    def num(v: float | None, fmt: str = ".2f") -> str:
        return "n/a" if v is None else format(v, fmt)

    who = r.get("removal")
    out.print(f"[bold]{shown(r['region'])}[/bold], removal {r['date']}"
              + (shown(f" ({who['person']} {who['kind']}, {who['group']})") if who else ""))
    for key in ("before", "after"):
        w = r[key]
        out.print(f"{key:<6} {w['from']}..{w['to']}: mean {num(r[key + '_mean'])} a month "
                  f"({w['months']} months)", highlight=False)
    out.print(f"ratio {num(r['ratio'])} (95% CI {num(r['ci_low'])}–{num(r['ci_high'])}, "
              f"p {num(r['p_value'], '.2g')})", highlight=False)
    out.print(f"[dim]{shown(r['method'])}[/dim]")
    c = r.get("controls")
    if c:
        if c["irr"] is None:
            out.print(f"vs controls: {shown(c['note'])}")
        else:
            out.print(f"vs {c['n_controls']} control regions (difference-in-differences): "
                      f"IRR {num(c['irr'])} (95% CI {num(c['ci_low'])}–{num(c['ci_high'])}; "
                      f"placebo interval {num(c['placebo_ci_low'])}–"
                      f"{num(c['placebo_ci_high'])}, placebo p {num(c['placebo_p'], '.3f')} "
                      f"over {c['n_placebos']})", highlight=False)
    s = r.get("synthetic_control")
    if s:
        top = shown(", ".join(f"{k} {v:.2f}" for k, v in list(s["weights"].items())[:4]))
        out.print(f"synthetic control: after {num(s['after_mean'], '.1f')} vs synthetic "
                  f"{num(s['synthetic_after_mean'], '.1f')} a month (gap "
                  f"{num(s['post_gap'], '+.1f')}, ratio {num(s['ratio'])}); pre-fit RMSE "
                  f"{num(s['pre_rmse'])} over {s['fit_months']} months; placebo p "
                  f"{num(s['placebo_p'], '.3f')}; weights {top}", highlight=False)
    out.print(f"[dim]{shown(r['windows'])}. Source: {shown(r['source'])}[/dim]",
              highlight=False)
    _print_warnings(r.get("warnings") or [])


def _print_warnings(warnings: list[str]) -> None:
    """Where the data are too thin, in the reading itself (stdout), after the numbers."""
    for w in warnings:
        out.print("[yellow]warning:[/yellow] " + escape(w), highlight=False)


def _fail(exc: Exception) -> NoReturn:
    err.print("[red]error:[/red] " + escape(str(exc)), highlight=False, soft_wrap=True)
    raise typer.Exit(2) from exc


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
        err.print(f"wrote {shown(path)}", highlight=False)


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
    from corrobora.analyze.series import SeriesError

    if (series is None) == (db is None):
        raise typer.BadParameter("give one of --series FILE.csv or --db PATH")
    if format not in ("text", "json", "csv") or by not in ("region", "actor") \
            or freq not in ("day", "week", "month") or level not in ("admin1", "municipality"):
        raise typer.BadParameter("--format text|json|csv, --by region|actor, --freq "
                                 "day|week|month, --level admin1|municipality")
    from corrobora.store.filters import resolve_actor_id, resolve_region

    try:
        if series is not None:
            where = resolve_region(region) if region else None
            run = al.from_panel(_analysis_panel(series, None, None, level), region=where,
                                alpha=alpha, min_count=min_count)
        else:
            assert db is not None
            with _open(db, read_only=True) as store:
                # Names as a person types them: "Sinaloa", "zetas" (store/filters.py).
                where = resolve_region(region, store) if region else None
                who = resolve_actor_id(store, actor) if actor else None
                run = al.from_store(store, freq=freq, by=by, level=level, region=where,
                                    actor=who, alpha=alpha, min_count=min_count)
    except (SeriesError, StoreError, ValueError) as exc:
        _fail(exc)
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
        every = {"day": "daily"}.get(run.freq, f"{run.freq}ly")
        out.print(f"{len(run.alerts)} alerts over {len(run.series)} series of {every} "
                  f"counts by {run.by} ({run.source})", highlight=False)
        for a in run.alerts:
            ci = (f" (95% CI {a.ci_low:.2f}–{a.ci_high:.2f})" if a.ci_low is not None
                  and a.ci_high is not None else "")
            ratio = f"ratio {a.ratio:.2f}{ci}" if a.ratio is not None else "from zero"
            out.print(f"{a.kind:<5} {shown(a.key):<14} {a.start}..{a.end}: {a.level_before:.1f} → "
                      f"{a.level_after:.1f} a {run.freq}, {ratio}, p {a.p_value:.2g}"
                      + (f"; events {', '.join(a.event_ids[:5])}"
                         + (f" +{len(a.event_ids) - 5}" if len(a.event_ids) > 5 else "")
                         if a.event_ids else ""), highlight=False)
        _print_warnings(run.warnings)
    if format == "csv":
        for w in run.warnings:
            err.print("[yellow]warning:[/yellow] " + escape(w), highlight=False)
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
        err.print(f"[red]error:[/red] {shown(exc)}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    from corrobora.store.filters import FilterError, resolve_region

    try:
        wanted = [resolve_region(r) for r in region or []]
    except FilterError as exc:
        _fail(exc)
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
    from corrobora.analyze.series import SeriesError
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
        from corrobora.store.filters import resolve_region

        result = spread_study(panel, resolve_region(where), when, months=window_months,
                              lag=lag_months, placebos=placebos)
    except (SeriesError, RegistryError, StoreError, ValueError) as exc:
        _fail(exc)
    written = write_outputs(result, plot) if plot is not None else []
    r = result.to_contract()
    if format == "json":
        sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
    else:
        def line(name: str, g: dict[str, Any]) -> str:
            return (f"{name:<16} {g['before_mean']} → {g['after_mean']} a month, ratio "
                    f"{g['ratio']} (95% CI {g['ci_low']}–{g['ci_high']})")

        out.print(f"[bold]{shown(r['region'])}[/bold] {r['date']}; neighbours "
                  f"{shown(', '.join(r['neighbours']))}", highlight=False)
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
            out.print(f"  {shown(n['region'])}: ratio {n['ratio']} (95% CI {n['ci_low']}–"
                      f"{n['ci_high']}); vs far states IRR {n['did_irr']} (placebo p "
                      f"{n['placebo_p']})", highlight=False)
        out.print(f"[dim]{shown(r['windows'])}. Source: {shown(r['source'])}[/dim]",
                  highlight=False)
        _print_warnings(r["warnings"])
    _write_and_report(written)
