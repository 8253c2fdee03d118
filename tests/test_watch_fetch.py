"""The guarded fetcher of live intake (sources/net.py), against servers on 127.0.0.1."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from corrobora.sources.net import (
    Allowed,
    FetchError,
    NetPolicy,
    SafeFetcher,
    retry_after_seconds,
)

Start = Callable[[], Any]
LocalServer = Any  # tests/conftest.py


def fetcher_for(server: LocalServer, **policy: object) -> SafeFetcher:
    """Private addresses refused, except this one server (an exact HOST:PORT entry)."""
    allow = (Allowed.parse(f"127.0.0.1:{server.port}"),)
    return SafeFetcher(NetPolicy(allow=allow, host_delay=0, **policy))  # type: ignore[arg-type]


def test_loopback_is_refused_by_default(local_server: Start) -> None:
    server = local_server()
    server.route("/feed.xml", b"<rss/>")
    with SafeFetcher(NetPolicy(host_delay=0)) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/feed.xml"))
    assert "127.0.0.1, a loopback address; refused" in str(caught.value)
    assert server.hits("/feed.xml") == 0


def test_conditional_get_answers_304_with_the_stored_etag(local_server: Start) -> None:
    server = local_server()
    server.route("/feed.xml", b"<rss/>", etag='"v1"',
                                       headers={"Last-Modified": "Mon, 07 Dec 2026 10:00:00 GMT"})
    with fetcher_for(server) as fetcher:
        first = fetcher.get(server.url("/feed.xml"))
        again = fetcher.get(server.url("/feed.xml"), etag=first.etag,
                            last_modified=first.last_modified)
    assert (first.status, first.body, first.etag) == (200, b"<rss/>", '"v1"')
    assert first.last_modified == "Mon, 07 Dec 2026 10:00:00 GMT"
    assert again.not_modified and again.body == b""
    sent = server.requests[-1][1]
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Mon, 07 Dec 2026 10:00:00 GMT"
    assert sent["User-Agent"].startswith("Corrobora/")


@pytest.mark.parametrize("target", [
    "http://127.0.0.1:{other}/feed.xml",          # another local service
    "http://[::ffff:127.0.0.1]:{other}/feed.xml",  # the same, IPv4-mapped IPv6
    "http://169.254.169.254/latest/meta-data/",   # cloud metadata
    "http://10.0.0.1/feed.xml",                   # private network
    "http://[::1]:{other}/feed.xml",              # IPv6 loopback
    "http://metadata.google.internal/computeMetadata/v1/",
])
def test_a_redirect_to_a_private_address_is_refused(local_server: Start, target: str) -> None:
    server, other = local_server(), local_server()
    other.route("/feed.xml", b"<rss/>")
    location = target.format(other=other.port)
    server.route("/feed.xml", status=302, headers={"Location": location})
    with fetcher_for(server) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/feed.xml"))
    assert caught.value.refused
    assert str(caught.value).startswith(f"redirected to {location}: ")
    assert "refused" in str(caught.value)
    assert other.hits("/feed.xml") == 0


def test_redirects_on_an_allowed_server_are_followed(local_server: Start) -> None:
    server = local_server()
    server.route("/old", status=301, headers={"Location": "/new"})
    server.route("/new", b"<rss/>")
    with fetcher_for(server) as fetcher:
        answer = fetcher.get(server.url("/old"))
    assert answer.body == b"<rss/>" and answer.url == server.url("/new")
    assert answer.redirects == [server.url("/new")]


def test_more_than_five_redirects_are_refused(local_server: Start) -> None:
    server = local_server()
    for n in range(7):
        server.route(f"/r{n}", status=307, headers={"Location": f"/r{n + 1}"})
    with fetcher_for(server) as fetcher, pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.get(server.url("/r0"))
    assert server.hits("/r6") == 0


def test_a_redirect_to_another_scheme_is_refused(local_server: Start) -> None:
    server = local_server()
    server.route("/feed.xml", status=302, headers={"Location": "file:///etc/passwd"})
    with fetcher_for(server) as fetcher, pytest.raises(FetchError,
                                                       match="only http and https"):
        fetcher.get(server.url("/feed.xml"))


def test_the_connection_goes_to_the_checked_address(local_server: Start) -> None:
    """A name is resolved once per hop and the request connects to that address (named in
    the Host header): a resolver that would answer otherwise the next time is not asked."""
    server = local_server()
    server.route("/feed.xml", b"<rss/>")
    answers = [["127.0.0.1"], ["10.0.0.1"]]
    asked: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[len(asked) - 1]

    policy = NetPolicy(allow=(Allowed.parse(f"127.0.0.1:{server.port}"),), host_delay=0)
    with SafeFetcher(policy, resolver=rebinding) as fetcher:
        answer = fetcher.get(f"http://feeds.example:{server.port}/feed.xml")
    assert answer.body == b"<rss/>" and asked == ["feeds.example"]
    assert server.requests[0][1]["Host"] == f"feeds.example:{server.port}"


def test_a_name_resolving_to_any_private_address_is_refused() -> None:
    with SafeFetcher(NetPolicy(host_delay=0),
                     resolver=lambda host, port: ["93.184.215.14", "192.168.1.9"]) as fetcher, \
            pytest.raises(FetchError, match=r"resolves to 192\.168\.1\.9, a private address"):
        fetcher.get("http://news.example/feed.xml")


def test_a_huge_body_is_cut_at_the_limit(local_server: Start) -> None:
    server = local_server()
    huge = b"<rss>" + b"x" * 3_000_000
    server.route("/declared", huge)
    server.route("/undeclared", huge, length=False)
    server.route("/bomb", gzip.compress(b"\0" * 50_000_000),
                                   headers={"Content-Encoding": "gzip"})
    with fetcher_for(server, max_bytes=1_000_000) as fetcher:
        for path, said in [("/declared", "body is 3.0 MB, over the 1 MB limit; not read"),
                           ("/undeclared", "body is over the 1 MB limit; stopped reading"),
                           ("/bomb", "body is over the 1 MB limit; stopped reading")]:
            with pytest.raises(FetchError) as caught:
                fetcher.get(server.url(path))
            assert str(caught.value) == said


def test_gzip_bodies_are_decompressed(local_server: Start) -> None:
    server = local_server()
    server.route("/feed.xml", gzip.compress(b"<rss/>"),
                                       headers={"Content-Encoding": "gzip"})
    with fetcher_for(server) as fetcher:
        assert fetcher.get(server.url("/feed.xml")).body == b"<rss/>"


def test_a_slow_server_hits_the_read_timeout(local_server: Start) -> None:
    server = local_server()
    server.route("/slow", b"<rss/>", delay=1.5)
    with fetcher_for(server, read_timeout=0.3) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/slow"))
    assert str(caught.value) == "no answer within 0.3 s (read timeout)"


def test_a_dripping_server_hits_the_total_time_limit(local_server: Start) -> None:
    server = local_server()
    server.route("/drip", b"<rss>" + b"x" * 200, drip=0.05)
    with fetcher_for(server, read_timeout=5, total_timeout=0.5) as fetcher, \
            pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/drip"))
    assert str(caught.value) == "took longer than the 0.5 s total time limit"


def test_retry_after_is_read_in_seconds_and_as_a_date(local_server: Start) -> None:
    server = local_server()
    server.route("/busy", status=503, headers={"Retry-After": "120"})
    with fetcher_for(server) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.get(server.url("/busy"))
    assert caught.value.status == 503 and caught.value.retry_after == 120
    assert str(caught.value) == "HTTP 503 Service Unavailable; retry after 120 s (Retry-After)"
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    in_ten_minutes = format_datetime(now + timedelta(minutes=10), usegmt=True)
    assert retry_after_seconds(in_ten_minutes, now) == 600
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now) == 0
    assert retry_after_seconds("tomorrow", now) is None
    assert retry_after_seconds("99999999", now) == 24 * 3600


def test_requests_to_one_host_are_spaced_by_the_host_delay(local_server: Start) -> None:
    server = local_server()
    server.route("/a", b"a")
    server.route("/b", b"b")
    with fetcher_for(server) as fetcher:
        fetcher.policy.host_delay = 0.3
        fetcher.get(server.url("/a"))
        fetcher.get(server.url("/b"))
    first, second = (t for _, _, t in server.requests)
    assert second - first >= 0.29  # a lower bound sleep() guarantees, not a speed figure


@pytest.mark.parametrize(("entry", "problem"), [
    ("", "empty"), ("http://x/", "not a host name"), ("host:99999", "not a port")])
def test_a_bad_allow_entry_is_named(entry: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Allowed.parse(entry)


def test_an_international_host_name_is_resolved_and_sent_as_punycode(local_server: Start
                                                                      ) -> None:
    server = local_server()
    server.route("/feed.xml", b"<rss/>")
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    policy = NetPolicy(allow=(Allowed.parse(f"127.0.0.1:{server.port}"),), host_delay=0)
    with SafeFetcher(policy, resolver=resolver) as fetcher:
        fetcher.get(f"http://noticias.méxico.example:{server.port}/feed.xml")
    assert asked == ["noticias.xn--mxico-bsa.example"]
    assert server.requests[0][1]["Host"] == f"noticias.xn--mxico-bsa.example:{server.port}"


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A test CA and a certificate it signed for feeds.example, made with openssl."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    d = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"),
             "-subj", "/CN=Corrobora test CA", "-days", "2",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign")
    _openssl("req", *ec, "-keyout", str(d / "leaf.key"), "-out", str(d / "leaf.csr"),
             "-subj", "/CN=feeds.example")
    (d / "ext.cnf").write_text("subjectAltName=DNS:feeds.example\n")
    _openssl("x509", "-req", "-in", str(d / "leaf.csr"), "-CA", str(d / "ca.pem"),
             "-CAkey", str(d / "ca.key"), "-CAcreateserial", "-out", str(d / "leaf.pem"),
             "-days", "2", "-extfile", str(d / "ext.cnf"))
    return d


@pytest.mark.parametrize(("name", "outcome"), [
    ("feeds.example", "fetched"),
    ("other.example", "certificate"),  # served the feeds.example certificate: refused
])
def test_https_connects_to_the_checked_address_and_checks_the_name(
        local_server: Start, certificates: Path, name: str, outcome: str) -> None:
    server = local_server(tls=(certificates / "leaf.pem", certificates / "leaf.key"))
    server.route("/feed.xml", b"<rss/>")
    policy = NetPolicy(allow=(Allowed.parse(f"127.0.0.1:{server.port}"),), host_delay=0,
                       ca_file=str(certificates / "ca.pem"))
    url = f"https://{name}:{server.port}/feed.xml"
    with SafeFetcher(policy, resolver=lambda host, port: ["127.0.0.1"]) as fetcher:
        if outcome == "fetched":
            assert fetcher.get(url).body == b"<rss/>"
            assert server.requests[0][1]["Host"] == f"feeds.example:{server.port}"
        else:
            with pytest.raises(FetchError) as caught:
                fetcher.get(url)
            assert str(caught.value) == ("TLS certificate not accepted (Hostname mismatch, "
                                         "certificate is not valid for 'other.example'.)")
