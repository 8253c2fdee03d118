"""The learned "does this sentence report an event?" gate (extract/eventhood.py), switched
on with CORROBORA_EVENTHOOD: articles of real events it never learnt from keep their
reports, it leaves the languages it did not learn alone, and its setting is checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corrobora.extract import eventhood
from corrobora.extractor import Extractor
from corrobora.model import Document
from corrobora.sources import ReadFailure, read_path

ARCHIVE = "data/news-stream/news_2024-07-16_to_2024-08-01.tar.gz"
GOLD = "data/events-dev/cnn-events/dev.gold.jsonl"


def _member_id(origin: str) -> str | None:
    """2024/07/24/name.md inside the archive -> the gold's 2024-07-24/name."""
    parts = origin.split("!", 1)[-1].split("/")
    if len(parts) != 4 or not parts[3].endswith(".md"):
        return None
    return f"{parts[0]}-{parts[1]}-{parts[2]}/{parts[3][:-3]}"


@pytest.fixture(scope="module")
def gold_articles(shared: Path) -> list[Document]:
    """The first 20 articles of the event-fusion development gold: each tells a real event,
    and the gate's training left every one of them out."""
    archive = shared / ARCHIVE
    if not archive.exists():
        pytest.skip(f"{archive} is not here (local data)")
    ids: set[str] = set()
    for line in (shared / GOLD).read_text(encoding="utf-8").splitlines():
        if line.strip():
            ids |= set(json.loads(line)["documents"])
    docs = [d for d in read_path(str(archive)) if not isinstance(d, ReadFailure)
            and _member_id(d.origin) in ids]
    return sorted(docs, key=lambda d: d.origin)[:20]


def test_articles_of_real_events_keep_their_reports(gold_articles: list[Document],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORROBORA_EVENTHOOD", "on")
    extractor = Extractor()
    kept = [bool(extractor.extract(d).events) for d in gold_articles]
    # Measured: 44 of the gold's 45 articles keep a report at the shipped threshold.
    assert sum(kept) >= 18, f"{sum(kept)} of {len(kept)} articles keep a report"


def test_the_gate_leaves_the_languages_it_did_not_learn(shared: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = shared / "data/mexico/sedena-dev/sedena.dev.input.jsonl"
    row = json.loads(path.read_text(encoding="utf-8").splitlines()[0])

    def events(setting: str) -> list[tuple[str, list[int]]]:
        monkeypatch.setenv("CORROBORA_EVENTHOOD", setting)
        found = Extractor().extract(Document(row["text"], row["id"], lang="es")).events
        return [(e.type, list(e.sentence)) for e in found]

    off = events("off")
    assert off, "the release reports events"
    assert events("on") == off


def test_a_stricter_threshold_keeps_fewer_reports(seed_article: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (doc,) = [d for d in read_path(str(seed_article)) if not isinstance(d, ReadFailure)]

    def count(setting: str) -> int:
        monkeypatch.setenv("CORROBORA_EVENTHOOD", setting)
        return len(Extractor().extract(doc).events)

    everything, shipped, strict = count("off"), count("on"), count("0.9")
    assert everything > shipped > strict


@pytest.mark.parametrize("setting", ["maybe", "1.5", "-0.2"])
def test_a_bad_gate_setting_is_named(setting: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORROBORA_EVENTHOOD", setting)
    with pytest.raises(ValueError, match="CORROBORA_EVENTHOOD"):
        eventhood.threshold()
