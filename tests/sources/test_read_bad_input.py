"""Bad input: each becomes one ReadFailure naming the file and the problem; the stream goes on."""

from __future__ import annotations

import io
import json
import time
import tracemalloc
from pathlib import Path

import pytest

from corrobora.sources import ReadFailure, read_path, read_paths

from .conftest import split

FIFTY_MB = 50_000_000


def _only_failure(path: Path) -> ReadFailure:
    docs, failures = split(read_path(path))
    assert docs == []
    assert len(failures) == 1
    assert failures[0].origin == str(path)
    assert "\n" not in str(failures[0])
    assert str(failures[0]).startswith(f"{path}: ")
    return failures[0]


def test_empty_file_fails(inputs: Path) -> None:
    assert _only_failure(inputs / "bad" / "empty.txt").problem == "empty file"


def test_whitespace_only_file_fails(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_text("\n   \n\t\n", encoding="utf-8")
    assert _only_failure(path).problem == "empty file (only whitespace)"


def test_png_is_refused_as_binary(inputs: Path) -> None:
    assert (
        _only_failure(inputs / "bad" / "pixel.png").problem == "binary file (PNG image), not text"
    )


def test_random_bytes_are_refused_as_binary(inputs: Path) -> None:
    assert _only_failure(inputs / "bad" / "random.bin").problem.startswith("binary file")


def test_binary_with_text_extension_is_refused(inputs: Path, tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes((inputs / "bad" / "pixel.png").read_bytes())
    assert _only_failure(path).problem == "binary file (PNG image), not text"


def test_invalid_utf8_fails(inputs: Path) -> None:
    problem = _only_failure(inputs / "bad" / "invalid-utf8.txt").problem
    assert problem.startswith("invalid UTF-8 at byte 35")


def test_cp1252_text_is_decoded_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes("Dijo: “el señor llegó ayer” — según la policía de Tapalpa.".encode("cp1252"))
    (doc,) = split(read_path(path))[0]
    assert doc.text == "Dijo: “el señor llegó ayer” — según la policía de Tapalpa."
    assert doc.extra["encoding"] == "cp1252"


def test_utf16_with_bom_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes("Informe de Culiacán, Sinaloa.".encode("utf-16"))
    (doc,) = split(read_path(path))[0]
    assert doc.text == "Informe de Culiacán, Sinaloa."
    assert doc.extra["encoding"] == "utf-16"


def test_fifty_megabyte_line_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as out:
        chunk = b"a" * 1_000_000
        for _ in range(50):
            out.write(chunk)
    tracemalloc.start()
    start = time.perf_counter()
    failure = _only_failure(path)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert failure.problem == "document is 50.0 MB, over the 10 MB limit"
    assert elapsed < 2
    assert peak < 5 * 1024 * 1024


def test_fifty_megabyte_jsonl_line_fails_and_next_line_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as out:
        out.write(b'{"id": "big", "text": "')
        chunk = b"a" * 1_000_000
        for _ in range(50):
            out.write(chunk)
        out.write(b'"}\n')
        out.write(json.dumps({"id": "small", "text": "Still read."}).encode() + b"\n")
    tracemalloc.start()
    start = time.perf_counter()
    docs, failures = split(read_path(path))
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [d.id for d in docs] == ["small"]
    assert [str(f) for f in failures] == [f"{path}:1: document is 50.0 MB, over the 10 MB limit"]
    assert elapsed < 5
    assert peak < 40 * 1024 * 1024  # one limit's worth, not the whole line


def test_fifty_megabytes_on_stdin_are_refused() -> None:
    stdin = io.BytesIO(b"b" * FIFTY_MB)
    start = time.perf_counter()
    docs, failures = split(read_paths(["-"], stdin=stdin))
    assert time.perf_counter() - start < 5
    assert docs == []
    assert [str(f) for f in failures] == ["-: document is over the 10 MB limit"]


def test_size_limit_is_a_parameter(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("A short note about the harbour.\n" * 100, encoding="utf-8")
    assert split(read_path(path))[1] == []
    failure = split(read_path(path, max_bytes=1000))[1][0]
    assert failure.problem == "document is 3.2 KB, over the 1 KB limit"


def test_missing_path_fails(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "report.txt"
    assert [str(f) for f in read_paths([str(missing)])] == [f"{missing}: no such file or directory"]


@pytest.mark.parametrize(
    "name",
    [
        "all-script.html",
        "corrupt.zip",
        "empty.txt",
        "entity-bomb.rss",
        "external-entity.rss",
        "invalid-utf8.txt",
        "pixel.png",
        "random.bin",
    ],
)
def test_each_bad_fixture_fails_alone(inputs: Path, name: str) -> None:
    _only_failure(inputs / "bad" / name)


def test_stream_goes_on_after_failures(inputs: Path, tmp_path: Path) -> None:
    paths = [str(tmp_path / "missing.txt"), str(inputs / "bad"), str(inputs / "brief.md")]
    items = list(read_paths(paths))
    assert isinstance(items[0], ReadFailure)
    assert items[-1].origin == str(inputs / "brief.md")
    assert not isinstance(items[-1], ReadFailure)
    failures = [i for i in items if isinstance(i, ReadFailure)]
    # every bad fixture is named; the good lines of records.jsonl and note0 still come through
    named = {Path(f.origin.split("!")[0].split(":")[0]).name for f in failures}
    assert named >= {
        "missing.txt",
        "all-script.html",
        "corrupt.zip",
        "empty.txt",
        "entity-bomb.rss",
        "external-entity.rss",
        "invalid-utf8.txt",
        "pixel.png",
        "random.bin",
        "records.jsonl",
        "truncated.tar.gz",
    }
    assert len(items) - len(failures) == 4  # ok-1, ok-5, note0, brief.md


def test_blank_jsonl_file_fails(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_text("\n\n  \n", encoding="utf-8")
    assert _only_failure(path).problem == "empty file (only whitespace)"
