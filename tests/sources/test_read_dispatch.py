"""The dispatcher: directories, stdin, format detection by extension and content, laziness."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from corrobora.sources import Document, read_bytes, read_paths
from corrobora.sources.sniff import detect

from .conftest import split


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("page.txt", b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        ("page.txt", b"\n  <div class='a'><p>Some text</p></div>", "html"),
        ("notes.txt", b"Just a note. 3 < 4 and <p> is mentioned.", "text"),
        ("noext", b"# A title\n\nPublished :`2024-07-16 23:37:19`\n", "markdown"),
        ("noext", b'{"id": "a", "text": "b"}\n{"id": "c", "text": "d"}\n', "jsonl"),
        ("noext", b'<?xml version="1.0"?><rss version="2.0"><channel>', "feed"),
        ("noext", b"<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
        ("feed.xml", b'<?xml version="1.0"?><config/>', "feed"),
        ("data.md", b"<!doctype html><html>", "html"),
        ("data.md", b"Text with <b>bold</b> inline html", "markdown"),
        ("x.jsonl", b"not json at all", "jsonl"),
        ("archive.bin", b"PK\x03\x04rest", "zip"),
        ("archive", b"\x1f\x8b\x08\x00", "compressed"),
        ("broken.zip", b"garbage", "zip"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        ("plain", b"Nothing special here.\nSecond line.", "text"),
    ],
)
def test_detect_by_extension_and_content(name: str, head: bytes, expected: str) -> None:
    assert detect(name, head) == expected


def test_directory_is_read_recursively_sorted_skipping_hidden(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Second report, in a folder.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("First report.", encoding="utf-8")
    (tmp_path / "c.md").write_text("# Third\n\nThird report.", encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "x.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / ".notes.txt").write_text("hidden too", encoding="utf-8")
    docs, failures = split(read_paths([str(tmp_path)]))
    assert failures == []
    assert [d.origin for d in docs] == [
        str(tmp_path / "a.txt"),
        str(tmp_path / "b" / "two.txt"),
        str(tmp_path / "c.md"),
    ]
    assert docs[2].title == "Third"


@pytest.mark.parametrize(
    ("fixture", "fmt", "count"),
    [
        ("article.html", "html", 1),
        ("docs.jsonl", None, 3),
        ("bulletin", "markdown", 1),
        ("feed.atom", "feed", 2),
        ("latin1.txt", "text", 1),
    ],
)
def test_stdin_is_sniffed(inputs: Path, fixture: str, fmt: str | None, count: int) -> None:
    stdin = io.BytesIO((inputs / fixture).read_bytes())
    docs, failures = split(read_paths(["-"], stdin=stdin))
    assert failures == []
    assert len(docs) == count
    assert all(d.origin == "-" for d in docs)
    if fmt:
        assert docs[0].extra["format"] == fmt


def test_read_paths_is_lazy(inputs: Path) -> None:
    def paths() -> Iterator[str]:
        yield str(inputs / "brief.md")
        raise AssertionError("the second path was asked for before the first was consumed")

    first = next(read_paths(paths()))
    assert isinstance(first, Document) and first.title == "Bridge inspection finds minor cracks"


def test_read_bytes_uses_the_name_for_detection() -> None:
    (doc,) = split(read_bytes(b"# T\n\nSome *body* text.", "upload-1", name="x.md"))[0]
    assert (doc.origin, doc.title, doc.text) == ("upload-1", "T", "Some body text.")
