"""Who is asking: every request is authorised before it reaches a route (docs/team.md).

- A store without users is the single-analyst local mode (what `corrobora serve` always
  did): requests from this machine are answered as the local analyst, who sees everything;
  a client known to be elsewhere is refused, since nobody could be told apart.
- Once a user exists, every call but the login form and the static files needs an API
  token: `Authorization: Bearer TOKEN`, or the cookie the login form sets from one. API
  calls without one get 401; pages redirect to /login. Viewers read; analysts also write
  (review decisions, reports); admin endpoints need an admin.

The principal goes in the request's state for the routes (`principal`), and the store a
route reads is restricted to what it may see (web/deps.py, store/access.py).
"""

from __future__ import annotations

import html
import ipaddress
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from corrobora.store import access
from corrobora.store.access import LOCAL, Principal

COOKIE = "corrobora_token"
OPEN_PATHS = ("/login", "/logout", "/favicon.ico")
OPEN_PREFIXES = ("/static/",)
ADMIN_PREFIXES = ("/api/team",)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_LOGIN_BYTES = 4096


def _header(scope: Scope, name: bytes) -> list[str]:
    return [v.decode("latin-1") for k, v in scope["headers"] if k == name]


def _cookie(scope: Scope, name: str) -> str | None:
    for raw in _header(scope, b"cookie"):
        for part in raw.split(";"):
            key, _, value = part.strip().partition("=")
            if key == name and value:
                return value
    return None


def remote_client(scope: Scope) -> bool:
    """Whether the client is known to be another machine (an IP address off loopback)."""
    client = scope.get("client")
    if not client:
        return False  # a Unix socket, or a test client: this machine
    try:
        address = ipaddress.ip_address(client[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_loopback


def bearer(scope: Scope) -> tuple[str | None, str | None]:
    """(token, how it came: "bearer" or "cookie"), or (None, None)."""
    auth = _header(scope, b"authorization")
    if len(auth) == 1 and auth[0][:7].lower() == "bearer ":
        return auth[0][7:].strip(), "bearer"
    cookie = _cookie(scope, COOKIE)
    return (cookie, "cookie") if cookie else (None, None)


class AuthGuard:
    """Resolves the principal of each request, or answers 401/403/redirect itself."""

    def __init__(self, app: ASGIApp, store: Any) -> None:
        self.app = app
        self.store = store

    def _team_mode(self) -> bool:
        reader = self.store.reader()
        try:
            return access.team_mode(reader)
        finally:
            reader.con.close()

    def _principal(self, token: str) -> Principal | None:
        reader = self.store.reader()
        try:
            return access.principal_for_token(reader, token)
        finally:
            reader.con.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        state = scope.setdefault("state", {})
        team = self._team_mode()
        state["team"] = team
        if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
            await self.app(scope, receive, send)
            return
        if not team:
            if remote_client(scope):
                await _refuse(scope, receive, send, 403, (
                    "this store has no users: the single-analyst local mode answers this "
                    "machine only; add users (`corrobora users add`) to serve others"))
                return
            state["principal"] = LOCAL
            await self.app(scope, receive, send)
            return
        token, via = bearer(scope)
        principal = self._principal(token) if token else None
        if principal is None:
            if not path.startswith("/api/") and scope["method"] in SAFE_METHODS:
                target = "/login?next=" + quote(path, safe="/")
                await RedirectResponse(target, status_code=303)(scope, receive, send)
                return
            message = ("this server needs an API token: send `Authorization: Bearer TOKEN` "
                       "(`corrobora users token NAME` makes one) or log in at /login"
                       if token is None else "unknown, revoked or disabled API token")
            await _refuse(scope, receive, send, 401, message,
                          {"WWW-Authenticate": 'Bearer realm="corrobora"'})
            return
        if scope["method"] not in SAFE_METHODS:
            if not principal.can("analyst"):
                await _refuse(scope, receive, send, 403, f"user {principal.user!r} is a "
                              "viewer: only analysts and admins write")
                return
            if via == "cookie" and not (_header(scope, b"origin")
                                        or _header(scope, b"referer")):
                # A cookie rides on any request a browser sends: a write on one must say
                # where it comes from (WriteGuard then checks that it is this server).
                await _refuse(scope, receive, send, 403, "write refused: a write made with "
                              "the login cookie needs an Origin or Referer header")
                return
        if path.startswith(ADMIN_PREFIXES) and not principal.can("admin"):
            await _refuse(scope, receive, send, 403, f"user {principal.user!r} is not an "
                          "admin")
            return
        state["principal"] = principal
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str,
                  headers: dict[str, str] | None = None) -> None:
    await JSONResponse({"detail": message}, status_code=status, headers=headers)(
        scope, receive, send)


def principal_of(request: Any) -> Principal:
    """The request's principal (set by AuthGuard); none means the guard did not run: 401."""
    from fastapi import HTTPException

    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise HTTPException(401, "not authorised")
    return principal


# -- the login form ---------------------------------------------------------------------------

_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Corrobora · log in</title>
<link rel="stylesheet" href="/static/css/app.css"></head>
<body><main class="login"><h1>Corrobora</h1>
<p>This server is shared: log in with your API token (<code>corrobora users token NAME</code>
prints one).</p>{problem}
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<label>API token <input type="password" name="token" autocomplete="off" required></label>
<button type="submit">Log in</button></form></main></body></html>
"""


def _safe_next(value: str | None) -> str:
    """A path on this server only (no scheme, no host, no `//`): no open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    return "/" if parts.scheme or parts.netloc else value


def login_form(next_path: str | None = None, problem: str | None = None,
               status: int = 200) -> HTMLResponse:
    shown = f'<p class="error">{html.escape(problem)}</p>' if problem else ""
    return HTMLResponse(_FORM.format(problem=shown, next=html.escape(_safe_next(next_path))),
                        status_code=status, headers={"Cache-Control": "no-store"})


def login(body: bytes, store: Any) -> Response:
    """POST /login (form-encoded `token`, `next`): the cookie, or the form again."""
    if len(body) > MAX_LOGIN_BYTES:
        return login_form(problem="request too large", status=413)
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=5)
    token = (fields.get("token") or [""])[0].strip()
    next_path = _safe_next((fields.get("next") or ["/"])[0])
    reader = store.reader()
    try:
        principal = access.principal_for_token(reader, token) if token else None
    finally:
        reader.con.close()
    if principal is None:
        return login_form(next_path, "unknown, revoked or disabled API token", status=401)
    response = RedirectResponse(next_path, status_code=303)
    # HttpOnly: no script reads it; SameSite=Strict: no other site's page sends it.
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/",
                        max_age=12 * 3600)
    return response


def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
