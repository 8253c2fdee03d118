"""`corrobora watch` from the command line, against servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from corrobora.cli import app

Start = Callable[[], Any]
FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Loopback Wire</title>'
        b"<link>https://news.example/</link><description>t</description><item>"
        b"<title>Gunmen kill two police officers in Culiac\xc3\xa1n</title><guid>g1</guid>"
        b"<link>https://news.example/1</link><description>Gunmen killed two police officers "
        b"in Culiac\xc3\xa1n, Sinaloa, on Monday, officials said.</description></item>"
        b"</channel></rss>")


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["watch", *args])


def test_watch_once_ingests_a_feed_then_gets_a_304(local_server: Start, tmp_path: Path) -> None:
    server = local_server()
    server.route("/feed.xml", FEED, etag='"1"')
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"feeds:\n  - url: {server.url('/feed.xml')}\n    pages: false\n", "utf-8")
    db = str(tmp_path / "w.duckdb")
    allow = ["--allow", f"127.0.0.1:{server.port}", "--host-delay", "0.1s", "--db", db]
    first = run(str(feeds), "--once", *allow)
    assert first.exit_code == 0, first.output
    assert f"{server.url('/feed.xml')}: 1 new item, 1 new document stored" in first.output
    again = run(str(feeds), "--once", *allow)
    assert again.exit_code == 0
    assert f"{server.url('/feed.xml')}: not modified (HTTP 304)" in again.output


def test_watch_once_fails_with_one_line_per_bad_feed(local_server: Start, tmp_path: Path) -> None:
    server = local_server()
    server.route("/feed.xml", FEED)
    result = run(server.url("/feed.xml"), "--once", "--db", str(tmp_path / "w.duckdb"))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"{server.url('/feed.xml')}: error: 127.0.0.1, a loopback address; "
                     "refused (pass --allow-private, or --allow with this host or address, to "
                     "fetch it); next poll after " + lines[0].rsplit("after ", 1)[1]]
    assert server.hits("/feed.xml") == 0


def test_watch_names_a_bad_argument(tmp_path: Path) -> None:
    db = str(tmp_path / "w.duckdb")
    notes = tmp_path / "notes.pem"
    notes.write_text("not a certificate\n")
    for args, said in [(["ftp://x/feed"], "'ftp://x/feed' is not an http or https URL"),
                       (["https://x/", "--every", "often"], "'often' is not a duration"),
                       (["https://x/", "--allow", "http://x/"], "give the host, not a URL"),
                       ([str(tmp_path / "absent.yaml")], "absent.yaml: cannot read"),
                       (["https://x/", "--ca-file", str(notes)], "not PEM certificates")]:
        result = run(*args, "--once", "--db", db)
        assert result.exit_code == 2 and said in result.output, result.output
