"""What every request passes before it reaches a route, as pure ASGI middleware (streamed
responses pass through untouched).

- `SecurityHeaders`: article text is untrusted: besides escaping it in the page (textContent
  only), the Content-Security-Policy forbids inline and remote scripts, so a `<script>` that
  slipped through could not run, and no request leaves for another origin.
- `HostGuard`: only the host names this server was started for are answered (loopback by
  default). A page on evil.example whose name is re-pointed at 127.0.0.1 (DNS rebinding)
  reaches the port but sends `Host: evil.example`, and gets 421 on every path.
- `WriteGuard`: every method but GET/HEAD/OPTIONS is a write. Its Origin (or Referer) must be
  an allowed host, never judged from the request's own Host; it must carry the review token
  (`Authorization: Bearer ...`) when the server records decisions; its body is small, UTF-8
  and, when JSON, text a store can hold (no lone surrogate).
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("", "0.0.0.0", "::", "*")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_WRITE_BYTES = 64 * 1024
"""A review decision is a few ids and a note of at most 1,000 characters."""
TOKEN_ENV = "CORROBORA_REVIEW_TOKEN"

_HOST = re.compile(r"\[(?P<v6>[0-9A-Fa-f:.]{2,45})\]|(?P<name>[A-Za-z0-9_.-]{1,253})")


class SecurityHeaders:
    """Adds HEADERS to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _name(raw: str) -> str | None:
    """A host name as compared: lower case, no trailing dot, IPv6 in its short form."""
    m = _HOST.fullmatch(raw)
    if not m:
        return None
    if m["v6"]:
        try:
            return str(ipaddress.IPv6Address(m["v6"]))
        except ValueError:
            return None
    name = m["name"].lower()
    return name[:-1] if name.endswith(".") and len(name) > 1 else name


def split_host(value: str, default_port: int | None = 80, *, bare_v6: bool = False
               ) -> tuple[str, int | None] | None:
    """`name[:port]` or `[v6][:port]` as (name, port), or with `bare_v6` an IPv6 address
    without brackets (as given to --host); None when it is not one."""
    value = value.strip()
    port: int | None = default_port
    m = re.fullmatch(r"(.*?)(?::([0-9]{1,5}))?", value)
    if m is None:  # pragma: no cover - the pattern matches every string
        return None
    host, digits = m[1], m[2]
    if ":" in host and not host.startswith("["):
        if not bare_v6:  # HTTP puts IPv6 addresses in brackets
            return None
        host, digits = f"[{value}]", None
    if digits is not None:
        port = int(digits)
        if not 0 < port < 65536:
            return None
    name = _name(host)
    return (name, port) if name else None


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """The (name, port) pairs this server answers to; a port of None allows any port."""

    allowed: frozenset[tuple[str, int | None]]

    @classmethod
    def build(cls, *, port: int | None = None, host: str | None = None,
              extra: Iterable[str] = ()) -> HostPolicy:
        """Loopback names on the serving `port` (any port when None), the address served
        on unless it is a wildcard, and each `extra` name (`NAME` for any port, or
        `NAME:PORT`). Raises ValueError naming an entry that is not a host name."""
        allowed = {(n, port) for n in LOOPBACK}
        if host and host.strip("[]") not in WILDCARDS:
            parsed = split_host(host, None, bare_v6=True)
            if parsed is None:
                raise ValueError(f"--host {host!r} is not a host name or address")
            allowed.add((parsed[0], port))
        for entry in extra:
            parsed = split_host(entry, None, bare_v6=True)
            if parsed is None:
                raise ValueError(f"--allowed-host {entry!r} is not a host name (NAME or "
                                 "NAME:PORT)")
            allowed.add(parsed)
        return cls(frozenset(allowed))

    def allows(self, name: str, port: int | None) -> bool:
        return (name, port) in self.allowed or (name, None) in self.allowed

    def allows_host_header(self, value: str) -> bool:
        parsed = split_host(value)
        return parsed is not None and self.allows(*parsed)

    def allows_url(self, value: str) -> bool:
        """An Origin (`scheme://host[:port]`) or a Referer (any URL) naming an allowed host."""
        try:
            url = urlsplit(value.strip())
            port = url.port
        except ValueError:
            return False
        if url.scheme not in ("http", "https") or url.username or url.password is not None:
            return False
        host = url.netloc.rpartition("@")[2]
        parsed = split_host(host, port or (443 if url.scheme == "https" else 80))
        return parsed is not None and self.allows(*parsed)

    def example(self) -> str:
        """Where a user should point the browser instead."""
        name, port = min(self.allowed, key=lambda a: (a[0] != "127.0.0.1", a[0]))
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}" + (f":{port}" if port else "") + "/"


def _headers(scope: Scope, name: bytes) -> list[str]:
    return [v.decode("latin-1") for k, v in scope["headers"] if k == name]


def _shown(value: str) -> str:
    """A header value quoted for a message: escapes visible, length bounded."""
    return repr(value[:80] + ("…" if len(value) > 80 else ""))


class HostGuard:
    """421 for a Host this server was not started for (missing or repeated Host: 400)."""

    def __init__(self, app: ASGIApp, policy: HostPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        hosts = _headers(scope, b"host")
        if len(hosts) != 1:
            response = PlainTextResponse("400: a request needs exactly one Host header\n",
                                         status_code=400)
        elif not self.policy.allows_host_header(hosts[0]):
            response = PlainTextResponse(
                f"421: host {_shown(hosts[0])} is not served here; open "
                f"{self.policy.example()} (or start `corrobora serve --allowed-host NAME`)\n",
                status_code=421)
        else:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await response(scope, receive, send)


class _Refused(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers


class WriteGuard:
    """Origin, token and body checks on every write (see the module's docstring).

    `token` None: the server records nothing (read-only); writes still get the Origin and
    body checks, then the routes answer (403 read-only, 405)."""

    def __init__(self, app: ASGIApp, policy: HostPolicy, token: str | None = None,
                 max_bytes: int = MAX_WRITE_BYTES) -> None:
        self.app = app
        self.policy = policy
        self.token = token.encode() if token else None
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        try:
            self._check_origin(scope)
            self._check_token(scope)
            body = await self._body(scope, receive)
            _check_text(body)
        except _Refused as refused:
            response = JSONResponse({"detail": str(refused)}, status_code=refused.status,
                                    headers=refused.headers)
            await response(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _check_origin(self, scope: Scope) -> None:
        origins = _headers(scope, b"origin")
        referers = _headers(scope, b"referer")
        if origins:
            if len(origins) > 1 or not self.policy.allows_url(origins[0]):
                raise _Refused(403, f"write refused: Origin {_shown(origins[0])} is not "
                               "this server; decisions are taken from its own pages only")
        elif referers and (len(referers) > 1 or not self.policy.allows_url(referers[0])):
            raise _Refused(403, f"write refused: Referer {_shown(referers[0])} is not "
                           "this server; decisions are taken from its own pages only")

    def _check_token(self, scope: Scope) -> None:
        if self.token is None:
            return
        principal = scope.get("state", {}).get("principal")
        if (principal is not None and not principal.local) or scope["path"] in (
                "/login", "/logout"):
            return  # team mode: the user's own token was checked (web/auth.py)
        auth = _headers(scope, b"authorization")
        challenge = {"WWW-Authenticate": 'Bearer realm="corrobora review"'}
        if len(auth) != 1 or not auth[0][:7].lower() == "bearer ":
            raise _Refused(401, "this server records decisions only with its review token: "
                           "send `Authorization: Bearer TOKEN` (the token `corrobora serve "
                           "--review` printed at start)", challenge)
        given = auth[0][7:].strip().encode("latin-1")
        if not secrets.compare_digest(given, self.token):
            raise _Refused(401, "wrong review token (see what `corrobora serve --review` "
                           "printed at start)", challenge)

    async def _body(self, scope: Scope, receive: Receive) -> bytes:
        lengths = _headers(scope, b"content-length")
        if lengths:
            if len(lengths) > 1 or not lengths[0].strip().isdigit():
                raise _Refused(400, "request body: Content-Length is not one number")
            if int(lengths[0]) > self.max_bytes:
                raise _Refused(413, f"request body of {int(lengths[0]):,} bytes: a write "
                               f"takes at most {self.max_bytes:,}")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Refused(400, "request body: the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _Refused(413, f"request body over {self.max_bytes:,} bytes: a write "
                               f"takes at most {self.max_bytes:,}")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _check_text(body: bytes) -> None:
    """400 for a body that is not UTF-8, or JSON whose strings a store cannot hold. JSON
    that does not parse is left to the route (422 with the position)."""
    if not body:
        return
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Refused(400, f"request body: not UTF-8 text (byte {exc.start})") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise _Refused(400, "request body: JSON nested too deep") from None
    except ValueError:
        return
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start:exc.end]
        code = bad.encode("unicode_escape", "backslashreplace").decode("ascii")
        raise _Refused(400, f"request body: a string holds a lone surrogate ({code}), "
                       "which is not text; send UTF-8 text") from None
    except RecursionError:
        raise _Refused(400, "request body: JSON nested too deep") from None
