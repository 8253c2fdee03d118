"""JSON Lines in the CONTRACTS §1 input format."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from corrobora.sources import read_path
from corrobora.sources.jsonl import read_jsonl_stream

from .conftest import split


def test_jsonl_contract_fields(inputs: Path) -> None:
    docs, failures = split(read_path(inputs / "docs.jsonl"))
    assert failures == []
    assert [d.id for d in docs] == ["doc-1", "doc-2", "doc-3"]
    first, second, third = docs
    assert first.text == "Heavy rain flooded the low streets of Valdoro on Tuesday."
    assert first.toponyms == [(38, 45)]
    assert first.text[38:45] == "Valdoro"
    assert (first.lang, first.title, first.source, first.url) == (
        "en",
        "Rain floods Valdoro",
        "The Harbor Ledger",
        "https://ledger.example.org/a",
    )
    assert first.published_at == datetime(2026, 3, 4, 9, 15, tzinfo=UTC)
    assert first.origin == str(inputs / "docs.jsonl")
    assert first.extra["line"] == 1
    assert second.lang == "es"  # from "es-MX"
    assert second.published_at == datetime(2026, 2, 23, 14, 5, tzinfo=UTC)  # naive: UTC
    assert second.extra["fields"] == {"story": "feria"}
    assert third.extra["line"] == 4  # the blank line 3 is skipped, still counted
    assert third.toponyms is None and third.lang is None


def test_jsonl_bad_lines_fail_and_the_others_are_read(inputs: Path) -> None:
    path = inputs / "bad" / "records.jsonl"
    docs, failures = split(read_path(path))
    assert [d.id for d in docs] == ["ok-1", "ok-5"]
    by_line = {f.origin: f.problem for f in failures}
    assert list(by_line) == [f"{path}:{n}" for n in (2, 3, 4, 6, 7)]
    assert "invalid JSON" in by_line[f"{path}:2"]
    assert "missing required field 'text'" in by_line[f"{path}:3"]
    assert "'id' must be a non-empty string, got 4" in by_line[f"{path}:4"]
    assert "expected a JSON object" in by_line[f"{path}:6"]
    assert "outside the text" in by_line[f"{path}:7"]
    assert str(failures[0]).startswith(f"{path}:2: invalid JSON")
    assert all("\n" not in str(f) for f in failures)


def test_jsonl_text_is_kept_verbatim(tmp_path: Path) -> None:
    # Offsets index into the text: no cleaning, no newline folding, no boilerplate removal.
    text = "  14 0\r\nFollow us on Twitter\n\n\nTapalpa, Jalisco.  "
    path = tmp_path / "raw.jsonl"
    start = text.index("Tapalpa")
    record = {"id": "r1", "text": text, "toponyms": [{"start": start, "end": start + 7}]}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (doc,) = split(read_path(path))[0]
    assert doc.text == text
    assert doc.toponyms == [(start, start + 7)]
    assert doc.text[start : start + 7] == "Tapalpa"


def test_jsonl_bad_optional_field_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "warn.jsonl"
    record = {"id": "w1", "text": "Some text.", "published_at": "last Tuesday", "title": 5}
    path.write_text(json.dumps(record), encoding="utf-8")  # no final newline
    (doc,) = split(read_path(path))[0]
    assert doc.published_at is None and doc.title is None
    assert len(doc.extra["warnings"]) == 2  # type: ignore[arg-type]


def test_json_array_file(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(
        json.dumps([{"id": "a", "text": "First."}, {"id": "b"}, {"id": "c", "text": "Third."}]),
        encoding="utf-8",
    )
    docs, failures = split(read_path(path))
    assert [d.id for d in docs] == ["a", "c"]
    assert [f.origin for f in failures] == [f"{path}[1]"]


def test_jsonl_stream_reader_for_extract(inputs: Path) -> None:
    # `corrobora extract` reads JSON Lines from a stream (stdin), whatever it looks like.
    with (inputs / "bad" / "records.jsonl").open("rb") as stream:
        docs, failures = split(read_jsonl_stream(stream, "-"))
    assert [d.id for d in docs] == ["ok-1", "ok-5"]
    assert [f.origin for f in failures] == ["-:2", "-:3", "-:4", "-:6", "-:7"]
