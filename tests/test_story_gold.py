"""The story/copy dev gold (benchmarks/annotations/stories.dev.jsonl) is well-formed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

GOLD = Path(__file__).resolve().parents[1] / "benchmarks" / "annotations" / "stories.dev.jsonl"
FIELDS = {"id", "title", "published_at", "source", "story", "duplicate_of", "path"}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def when(row: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(row["published_at"]).replace("Z", "+00:00"))


def test_fields_and_unique_ids(rows: list[dict[str, object]]) -> None:
    assert 250 <= len(rows) <= 400
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    paths = [r["path"] for r in rows]
    assert len(paths) == len(set(paths))
    for r in rows:
        assert r.keys() >= FIELDS, r
        assert isinstance(r["story"], str) and r["story"].strip(), r
        assert isinstance(r["title"], str) and r["title"], r
        when(r)


def test_ids_derive_from_paths(rows: list[dict[str, object]]) -> None:
    for r in rows:
        path = str(r["path"])
        digest = hashlib.sha1(path.encode()).hexdigest()[:10]
        assert r["id"] == f"ns-{path[:10].replace('/', '')}-{digest}", r


def test_duplicate_of_points_to_an_earlier_root_of_the_same_story(
        rows: list[dict[str, object]]) -> None:
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        target = r["duplicate_of"]
        if target is None:
            continue
        assert target != r["id"], r
        assert target in by_id, r
        root = by_id[target]
        assert root["duplicate_of"] is None, f"{r['id']} points to a non-root {target}"
        assert root["story"] == r["story"], r
        assert when(root) <= when(r), r
        # the root is the earliest document of its copy group
        group = [x for x in rows if x["duplicate_of"] == target]
        assert all(when(root) <= when(x) for x in group)


def test_set_is_informative(rows: list[dict[str, object]]) -> None:
    stories: dict[str, set[object]] = {}
    for r in rows:
        stories.setdefault(str(r["story"]), set()).add(r["duplicate_of"] or r["id"])
    # stories made of several distinct articles (not only copies of one article)
    assert sum(1 for groups in stories.values() if len(groups) > 1) >= 8
    assert sum(1 for r in rows if r["duplicate_of"]) >= 50
    assert sum(1 for groups in stories.values() if len(groups) == 1) >= 50
