"""`corrobora orgs`, `corrobora users` and `corrobora audit`: the team mode's organisations,
users, roles and API tokens, and the audit log (docs/team.md). Once a store has a user,
`corrobora serve` asks every request for a token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from corrobora.cli._common import DEFAULT_DB, DbOption, _json_default, _open, err, out, shown
from corrobora.store import access
from corrobora.store.postgres import is_url

orgs_app = typer.Typer(
    help="Organisations: each user belongs to one, and owns what it marks (docs/team.md)."
    "\n\nExamples:\n\n  corrobora orgs add ngo-a --name 'NGO A'\n\n  corrobora orgs list",
    no_args_is_help=True)
users_app = typer.Typer(
    help="Users, their roles (viewer reads; analyst also reviews and reports; admin also "
    "manages users) and API tokens. The first user turns on team mode: from then on "
    "`corrobora serve` needs a token on every call (docs/team.md).\n\nExamples:\n\n"
    "  corrobora users add alice --org ngo-a --role analyst\n\n"
    "  corrobora users token alice     # prints a new token, once\n\n"
    "  corrobora users list\n\n  corrobora users disable alice",
    no_args_is_help=True)


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[red]error:[/red] {shown(exc)}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


@orgs_app.command("add")
def orgs_add(
    org: Annotated[str, typer.Argument(help="Short id: lower case, digits, . _ -")],
    name: Annotated[str | None, typer.Option(help="Full name (default: the id).")] = None,
    db: DbOption = Path(DEFAULT_DB),
) -> None:
    """Add an organisation. Example: corrobora orgs add ngo-a --name 'NGO A'"""
    with _open(db) as store:
        try:
            access.add_org(store, org, name)
        except access.AccessError as exc:
            raise _fail(exc) from exc
    err.print(f"organisation {shown(org)} added", highlight=False)


@orgs_app.command("list")
def orgs_list(db: DbOption = Path(DEFAULT_DB)) -> None:
    """The organisations, with how many users each has."""
    with _open(db) as store:
        rows = access.list_orgs(store)
    table = Table("org", "name", "users", "created")
    for r in rows:
        table.add_row(shown(r["id"]), shown(r["name"]), str(r["users"]),
                      f"{r['created_at']:%Y-%m-%d}")
    out.print(table)


@users_app.command("add")
def users_add(
    user: Annotated[str, typer.Argument(help="Login name: lower case, digits, . _ -")],
    org: Annotated[str, typer.Option("--org", help="The user's organisation.")],
    role: Annotated[str, typer.Option(help="viewer, analyst or admin.")] = "viewer",
    db: DbOption = Path(DEFAULT_DB),
) -> None:
    """Add a user. Example: corrobora users add alice --org ngo-a --role analyst"""
    with _open(db) as store:
        try:
            first = not access.team_mode(store)
            access.add_user(store, user, org, role)
        except access.AccessError as exc:
            raise _fail(exc) from exc
    err.print(f"user {shown(user)} ({role}, {shown(org)}) added; make a token with "
              f"`corrobora users token {shown(user)}`", highlight=False)
    if first:
        err.print("note: this store now has users: `corrobora serve` asks every call for "
                  "a token (the local single-analyst mode is over)", highlight=False)


@users_app.command("list")
def users_list(
    db: DbOption = Path(DEFAULT_DB),
    format: Annotated[str, typer.Option("--format", help="text or jsonl")] = "text",
) -> None:
    """The users with organisation, role, state and how many live tokens."""
    with _open(db) as store:
        rows = access.list_users(store)
    if format == "jsonl":
        for r in rows:
            out.print(json.dumps(r, default=_json_default), highlight=False, soft_wrap=True)
        return
    table = Table("user", "org", "role", "state", "tokens")
    for r in rows:
        table.add_row(shown(r["id"]), shown(r["org_id"]), r["role"],
                      "disabled" if r["disabled"] else "active", str(r["tokens"]))
    out.print(table)


@users_app.command("disable")
def users_disable(user: str, db: DbOption = Path(DEFAULT_DB)) -> None:
    """Disable a user: their tokens stop working at once (nothing they wrote is lost)."""
    _set_disabled(db, user, True)


@users_app.command("enable")
def users_enable(user: str, db: DbOption = Path(DEFAULT_DB)) -> None:
    """Enable a disabled user again (their unrevoked tokens work again)."""
    _set_disabled(db, user, False)


def _set_disabled(db: Path, user: str, disabled: bool) -> None:
    with _open(db) as store:
        try:
            access.set_disabled(store, user, disabled)
        except access.AccessError as exc:
            raise _fail(exc) from exc
    err.print(f"user {shown(user)} {'disabled' if disabled else 'enabled'}", highlight=False)


@users_app.command("token")
def users_token(
    user: str,
    label: Annotated[str | None, typer.Option(help="What the token is for.")] = None,
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke every token of the user "
                                         "instead.")] = False,
    db: DbOption = Path(DEFAULT_DB),
) -> None:
    """Print a new API token for the user (shown once: only its hash is kept), or revoke
    them all. Example: corrobora users token alice --label laptop"""
    with _open(db) as store:
        try:
            if revoke:
                n = access.revoke_tokens(store, user)
                err.print(f"{n} token(s) of {shown(user)} revoked", highlight=False)
                return
            token = access.issue_token(store, user, label)
        except access.AccessError as exc:
            raise _fail(exc) from exc
    out.print(token, highlight=False)
    err.print("shown once: keep it (send it as `Authorization: Bearer TOKEN`, or log in "
              "at /login)", highlight=False)


def audit(
    db: DbOption = Path(DEFAULT_DB),
    user: Annotated[str | None, typer.Option(help="Only this user's lines.")] = None,
    action: Annotated[str | None, typer.Option(
        help="Only read, decision or report lines.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many lines, newest first.")] = 100,
    format: Annotated[str, typer.Option("--format", help="text or jsonl")] = "text",
) -> None:
    """The audit log, newest first: reads and writes of restricted (not CLEAR or GREEN)
    items and every analyst decision, with user, organisation, time, action and object.

    Example: corrobora audit --user alice --limit 20
    """
    with _open(db, read_only=is_url(db) or Path(db).exists()) as store:
        rows = access.audit_entries(store, user=user, action=action, limit=limit)
    if format == "jsonl":
        for r in rows:
            out.print(json.dumps(r, default=_json_default, ensure_ascii=False),
                      highlight=False, soft_wrap=True)
        return
    table = Table("time (UTC)", "user", "org", "action", "object", "marking", "detail")
    for r in rows:
        table.add_row(f"{r['at_time']:%Y-%m-%d %H:%M:%S}", shown(r["user_id"] or "local"),
                      shown(r["org_id"] or ""), r["action"],
                      shown(f"{r['object_kind']} {r['object_id']}"), r["marking"] or "",
                      shown(r["detail"] or ""))
    out.print(table)
