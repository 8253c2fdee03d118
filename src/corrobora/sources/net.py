"""A guarded HTTP GET for live intake: SSRF-safe by default, polite, bounded in size and time.

    fetcher = SafeFetcher(NetPolicy())                     # public addresses only
    answer = fetcher.get("https://example.org/rss.xml", etag='"abc"')
    if answer.not_modified: ...                             # 304: nothing new
    else: handle(answer.body)                               # at most policy.max_bytes

Every problem is a FetchError with one line naming the URL's trouble (never a traceback).
Checks, in order, on the first URL and on every redirect hop (followed here, never by httpx):
http/https only; the host name resolved once, every address it resolves to refused when it is
private, loopback, link-local (cloud metadata), multicast, reserved or otherwise not global
(IPv4-mapped, 6to4 and NAT64 IPv6 addresses are judged by the IPv4 address inside), unless the
policy allows it; then the connection is made to that checked address (the URL's host replaced
by it, the name kept in the Host header and in TLS's SNI and certificate check), so DNS cannot
answer differently between the check and the connect.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from corrobora import __version__
from corrobora.sources.base import DEFAULT_MAX_BYTES, human_size, one_line

USER_AGENT = (f"Corrobora/{__version__} (news intake for event analysis; "
              "+https://github.com/corrobora/corrobora)")
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_RETRY_AFTER = 24 * 3600.0
"""A Retry-After further away than a day is taken as a day: the feed is tried again then."""
# Names of cloud metadata services, refused by name too (they resolve to link-local or
# private addresses, refused anyway, but a resolver could be told otherwise).
_METADATA_NAMES = frozenset({"metadata", "metadata.google.internal", "metadata.goog",
                             "instance-data", "instance-data.ec2.internal"})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class FetchError(Exception):
    """One URL could not be fetched; `str()` is the one line to report."""

    def __init__(self, problem: str, *, status: int | None = None,
                 retry_after: float | None = None, refused: bool = False) -> None:
        super().__init__(problem)
        self.status = status
        self.retry_after = retry_after
        """Seconds the server asked us to wait (Retry-After), when it did."""
        self.refused = refused
        """Refused by our address and scheme rules: nothing a server did wrong (no back-off)."""


@dataclass(slots=True, frozen=True)
class Allowed:
    """One allow-list entry: a host name (any port), HOST:PORT, an address or a CIDR block."""

    host: str | None = None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None

    @classmethod
    def parse(cls, entry: str) -> Allowed:
        text = entry.strip().lower()
        if not text:
            raise ValueError("empty --allow entry")
        if "://" in text:
            raise ValueError(f"--allow {entry!r}: not a host name, HOST:PORT, address or CIDR "
                             "(give the host, not a URL)")
        port: int | None = None
        host = text
        if text.startswith("["):  # [::1]:8080
            inside, _, rest = text[1:].partition("]")
            host, port = inside, _port(rest.removeprefix(":"), entry) if rest else None
        elif text.count(":") == 1:  # NAME:PORT or 1.2.3.4:PORT (more colons: IPv6)
            host, _, rest = text.partition(":")
            port = _port(rest, entry)
        try:
            return cls(network=ipaddress.ip_network(host, strict=False), port=port)
        except ValueError:
            pass
        if not host or any(c in host for c in "/ @"):
            raise ValueError(f"--allow {entry!r}: not a host name, HOST:PORT, address or CIDR")
        return cls(host=host.rstrip("."), port=port)

    def admits(self, host: str, address: IPAddress, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.host is not None:
            return host.lower().rstrip(".") == self.host
        assert self.network is not None
        return address.version == self.network.version and address in self.network


def _port(text: str, entry: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"--allow {entry!r}: {text!r} is not a port")
    return int(text)


@dataclass(slots=True)
class NetPolicy:
    allow_private: bool = False
    """Fetch from any address (tests, intranet feeds): every other check stays."""
    allow: tuple[Allowed, ...] = ()
    max_bytes: int = DEFAULT_MAX_BYTES
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    """Longest wait for any one read (the first byte of the answer included)."""
    total_timeout: float = 60.0
    """Longest a whole fetch may take, redirects included (a server that drips stops here)."""
    max_redirects: int = 5
    host_delay: float = 2.0
    """Least time between two requests to the same host (politeness)."""
    ca_file: str | None = None
    """Certificates (PEM) to trust instead of the usual authorities (an intranet's own CA)."""


def address_problem(address: IPAddress) -> str | None:
    """Why an address must not be fetched from, or None when it is a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            inner = address_problem(embedded)
            return f"{inner} inside an IPv6 address" if inner else None
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata services live there)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_private:
        return "a private address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "not a public address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delay-seconds or an HTTP-date; None if neither."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    wait = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(wait, 0.0), MAX_RETRY_AFTER)


@dataclass(slots=True)
class Fetched:
    url: str
    """Where the answer came from, after redirects."""
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class _Watchdog:
    """Stops a fetch at its total deadline even while a read is blocked: the socket the
    request connected (seen through httpcore's trace hook) is shut down from a timer."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event != "connection.connect_tcp.complete":
            return
        sock = info["return_value"].get_extra_info("socket")
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)

    @contextmanager
    def running(self) -> Iterator[_Watchdog]:
        self._timer.start()
        try:
            yield self
        finally:
            self._timer.cancel()


def _certificate_error(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate check that failed under an httpx error, if that is what it was."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


class SafeFetcher:
    def __init__(self, policy: NetPolicy | None = None, *, resolver: Resolver = system_resolver,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy or NetPolicy()
        self.resolver = resolver
        self.sleep = sleep
        self.clock = clock
        self._last_request: dict[str, float] = {}
        p = self.policy
        # No environment proxies (a proxy would connect where it likes, past every check),
        # no pooled connections (a connection is keyed by the checked address: one opened
        # with one name's TLS certificate must not serve another name on the same address),
        # redirects followed by get() so that each hop is checked.
        self._client = httpx.Client(
            trust_env=False, follow_redirects=False,
            timeout=httpx.Timeout(p.read_timeout, connect=p.connect_timeout),
            limits=httpx.Limits(max_keepalive_connections=0),
            verify=ssl.create_default_context(cafile=p.ca_file) if p.ca_file else True)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SafeFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, *, etag: str | None = None,
            last_modified: str | None = None) -> Fetched:
        """The answer to a GET of `url` (a 200 with its body, or a 304); FetchError for
        anything else: a refused address, too many redirects, an HTTP error, a body over the
        size limit, a timeout."""
        watchdog = _Watchdog(self.policy.total_timeout)
        redirects: list[str] = []
        current = url
        with watchdog.running():
            try:
                while True:
                    try:
                        answer = self._one(current, etag, last_modified, watchdog)
                    except FetchError as exc:
                        if redirects and exc.refused:  # say where the server sent us
                            exc.args = (f"redirected to {exc}",)
                        raise
                    if isinstance(answer, Fetched):
                        answer.redirects = redirects
                        return answer
                    if len(redirects) >= self.policy.max_redirects:
                        raise FetchError(f"more than {self.policy.max_redirects} redirects "
                                         f"(last to {answer})")
                    redirects.append(answer)
                    current = answer
            except httpx.TimeoutException as exc:
                raise FetchError(self._timeout_line(exc, watchdog)) from None
            except (httpx.HTTPError, OSError) as exc:
                if watchdog.expired:
                    raise FetchError(self._total_line()) from None
                bad_certificate = _certificate_error(exc)
                if bad_certificate is not None:
                    raise FetchError("TLS certificate not accepted ("
                                     f"{one_line(bad_certificate.verify_message, 120)})") from None
                raise FetchError(f"network error ({one_line(str(exc), 160) or type(exc).__name__})"
                                 ) from None

    def _total_line(self) -> str:
        return f"took longer than the {self.policy.total_timeout:g} s total time limit"

    def _timeout_line(self, exc: httpx.TimeoutException, watchdog: _Watchdog) -> str:
        if watchdog.expired:
            return self._total_line()
        if isinstance(exc, httpx.ConnectTimeout):
            return f"no connection within {self.policy.connect_timeout:g} s (connect timeout)"
        return f"no answer within {self.policy.read_timeout:g} s (read timeout)"

    def _one(self, url: str, etag: str | None, last_modified: str | None,
             watchdog: _Watchdog) -> Fetched | str:
        """One request: the answer, or the next URL when it is a redirect."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"{url}: only http and https URLs are fetched, not "
                             f"{scheme or 'a relative URL'}", refused=True)
        if parts.username or parts.password:
            raise FetchError(f"{url}: URLs with a user name or password are not fetched",
                             refused=True)
        try:
            parsed = httpx.URL(url)
            # An international name as DNS, the Host header and TLS know it (punycode).
            host = parsed.raw_host.decode("ascii").rstrip(".")
        except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
            raise FetchError(f"{url}: not a valid URL ({one_line(str(exc), 80)})",
                             refused=True) from None
        if not host:
            raise FetchError(f"{url}: no host name", refused=True)
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise FetchError(f"{url}: the port is not a number from 1 to 65535",
                             refused=True) from None
        address = self._checked_address(url, host, port)
        self._wait_politely(host)
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate",
                   "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                             "text/html;q=0.8, */*;q=0.5",
                   "Host": parsed.netloc.decode("ascii"), "Connection": "close"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        target = parsed.copy_with(host=address)
        extensions: dict[str, Any] = {"trace": watchdog.trace}
        if scheme == "https":
            extensions["sni_hostname"] = host  # the certificate is checked against the name
        request = self._client.build_request("GET", target, headers=headers,
                                             extensions=extensions)
        response = self._client.send(request, stream=True)
        try:
            return self._answer(url, response, watchdog)
        finally:
            response.close()

    def _checked_address(self, url: str, host: str, port: int) -> str:
        """The address to connect to: every address the host resolves to, checked."""
        p = self.policy
        named = [a for a in p.allow if a.host is not None and a.admits(host, _ANY, port)]
        if host.lower() in _METADATA_NAMES and not (p.allow_private or named):
            raise FetchError(f"{url}: {host} is a cloud metadata service; refused",
                             refused=True)
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = [ipaddress.ip_address(a.split("%")[0])
                             for a in self.resolver(host, port)]
            except (OSError, UnicodeError, ValueError) as exc:
                raise FetchError(f"{url}: cannot resolve {host} ({one_line(str(exc), 80)})"
                                 ) from None
            if not addresses:
                raise FetchError(f"{url}: {host} resolves to no address")
        if not (p.allow_private or named):
            for address in addresses:
                problem = address_problem(address)
                if problem and not any(a.admits(host, address, port) for a in p.allow):
                    shown = host if literal is not None else f"{host} resolves to {address}"
                    raise FetchError(
                        f"{url}: {shown}, {problem}; refused (pass --allow-private, or "
                        "--allow with this host or address, to fetch it)", refused=True)
        return str(addresses[0])

    def _wait_politely(self, host: str) -> None:
        key = host.lower()
        last = self._last_request.get(key)
        if last is not None:
            wait = last + self.policy.host_delay - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_request[key] = self.clock()

    def _answer(self, url: str, response: httpx.Response, watchdog: _Watchdog) -> Fetched | str:
        status = response.status_code
        if status in REDIRECTS:
            location = response.headers.get("location")
            if not location:
                raise FetchError(f"{url}: HTTP {status} redirect without a Location",
                                 status=status)
            return urljoin(url, location.strip())
        if status == 304:
            return Fetched(url, status, etag=response.headers.get("etag"),
                           last_modified=response.headers.get("last-modified"))
        if status != 200:
            wait = retry_after_seconds(response.headers.get("retry-after"))
            said = f"; retry after {wait:g} s (Retry-After)" if wait is not None else ""
            reason = f" {one_line(response.reason_phrase, 40)}" if response.reason_phrase else ""
            raise FetchError(f"HTTP {status}{reason}{said}", status=status, retry_after=wait)
        body = self._body(url, response, watchdog)
        return Fetched(url, status, body, etag=response.headers.get("etag"),
                       last_modified=response.headers.get("last-modified"),
                       content_type=response.headers.get("content-type"))

    def _body(self, url: str, response: httpx.Response, watchdog: _Watchdog) -> bytes:
        """The body, decompressed here (so the limit bounds what is held, a gzip bomb
        included), read until the limit is passed and no further."""
        limit = self.policy.max_bytes
        over = f"body is over the {human_size(limit, exact=True)} limit; stopped reading"
        declared = response.headers.get("content-length", "")
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if declared.isdigit() and int(declared) > limit and encoding == "identity":
            raise FetchError(f"body is {human_size(int(declared))}, over the "
                             f"{human_size(limit, exact=True)} limit; not read")
        if encoding in ("gzip", "x-gzip", "deflate"):
            wbits = 47 if encoding != "deflate" else zlib.MAX_WBITS  # 47: gzip or zlib header
            decoder: Any = zlib.decompressobj(wbits)
        elif encoding == "identity":
            decoder = None
        else:
            raise FetchError(f"unsupported Content-Encoding {one_line(encoding, 30)!r}")
        parts: list[bytes] = []
        size = 0
        for raw in response.iter_raw(chunk_size=65536):
            if watchdog.expired:
                raise FetchError(self._total_line())
            try:
                chunk = decoder.decompress(raw, limit + 1 - size) if decoder else raw
            except zlib.error:
                raise FetchError(f"body is not valid {encoding} data") from None
            size += len(chunk)
            if size > limit or (decoder is not None and decoder.unconsumed_tail):
                raise FetchError(over)
            parts.append(chunk)
        return b"".join(parts)


# An address no allow-list network holds, for asking name entries whether they admit a host.
_ANY = ipaddress.IPv4Address("0.0.0.0")
