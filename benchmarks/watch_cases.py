"""`corrobora watch` against local servers on 127.0.0.1: every case of issue 20's live
intake (a feed that changes, 304, a failing server, Retry-After, redirects to private
addresses, a huge body, a gzip bomb, a body that is no feed, a slow and a dripping server),
each with the line it is reported in and how long the poll took. Loopback only.

    PYTHONPATH=src python benchmarks/watch_cases.py        # about 30 s (the NLP load included)
"""

from __future__ import annotations

import gzip
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/conftest.py's server

from tests.conftest import start_local_server, stop_local_server

from corrobora.sources.net import Allowed, NetPolicy, SafeFetcher
from corrobora.sources.watch import PollResult, Target, Watcher


def rss(base: str, ids: list[int]) -> bytes:
    items = "".join(
        f"<item><title>Report {n}: gunmen kill {n + 1} police officers in Culiacán</title>"
        f"<guid>r{n}</guid><link>{base}/story/{n}</link><description>Gunmen killed {n + 1} "
        f"police officers in Culiacán, Sinaloa, on Monday, officials said.</description></item>"
        for n in ids)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Wire</title>'
            f"<link>{base}/</link><description>t</description>{items}</channel></rss>").encode()


def main() -> None:
    (server, t1), (other, t2) = start_local_server(), start_local_server()
    base = f"http://127.0.0.1:{server.port}"
    rows: list[tuple[str, str, float]] = []
    policy = NetPolicy(allow=(Allowed.parse(f"127.0.0.1:{server.port}"),), host_delay=0,
                       read_timeout=2, total_timeout=3)
    with tempfile.TemporaryDirectory() as tmp, SafeFetcher(policy) as fetcher:
        watcher = Watcher(Path(tmp) / "w.duckdb", fetcher, every=900)

        def poll(case: str, path: str, kind: str = "feed") -> PollResult:
            start = time.perf_counter()
            [result] = watcher.poll([Target(base + path, kind=kind, pages=False)])  # type: ignore[arg-type]
            rows.append((case, result.line().replace(base, ""), time.perf_counter() - start))
            return result

        server.route("/changing.xml", rss(base, [0, 1]))
        poll("feed, first poll (NLP load included)", "/changing.xml")
        server.route("/changing.xml", rss(base, [2, 0, 1]))
        poll("feed changed: one new entry", "/changing.xml")
        poll("feed unchanged", "/changing.xml")
        server.route("/etag.xml", rss(base, [3]), etag='"v1"')
        poll("conditional GET, first", "/etag.xml")
        poll("conditional GET, again", "/etag.xml")
        server.route("/down.xml", status=500)
        poll("failing server", "/down.xml")
        poll("failing server, polled again", "/down.xml")
        server.route("/busy.xml", status=503, headers={"Retry-After": "120"})
        poll("503 with Retry-After: 120", "/busy.xml")
        for case, location in [("redirect to another loopback port",
                                f"http://127.0.0.1:{other.port}/x"),
                               ("redirect to IPv4-mapped IPv6 loopback",
                                f"http://[::ffff:127.0.0.1]:{other.port}/x"),
                               ("redirect to cloud metadata", "http://169.254.169.254/"),
                               ("redirect to a private network", "http://192.168.1.1/")]:
            path = "/r" + str(len(rows))
            server.route(path, status=302, headers={"Location": location})
            poll(case, path)
        server.route("/huge.xml", b"<rss>" + b" " * 50_000_000, length=False)
        poll("50 MB body, no Content-Length", "/huge.xml")
        server.route("/declared.xml", b"<rss>" + b" " * 50_000_000)
        poll("50 MB body, Content-Length given", "/declared.xml")
        server.route("/bomb.xml", gzip.compress(b"\0" * 200_000_000),
                     headers={"Content-Encoding": "gzip"})
        poll("gzip bomb (200 MB of zeros)", "/bomb.xml")
        server.route("/page.html", b"<html><body><p>Maintenance</p></body></html>")
        poll("HTML where a feed was expected", "/page.html")
        server.route("/slow.xml", rss(base, [4]), delay=5)
        poll("slow server (5 s before answering)", "/slow.xml")
        server.route("/drip.xml", rss(base, [5]), drip=0.05)
        poll("dripping server (a byte every 50 ms)", "/drip.xml")
    stop_local_server(server, t1)
    stop_local_server(other, t2)
    print(f"requests reaching the other loopback server: {len(other.requests)}")
    print("| case | reported | seconds |\n|---|---|---|")
    for case, line, seconds in rows:
        print(f"| {case} | `{line}` | {seconds:.2f} |")


if __name__ == "__main__":
    main()
