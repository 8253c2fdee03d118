"""RSS and Atom feeds; entity bombs and external entities refused before parsing."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from corrobora.sources import read_bytes, read_path

from .conftest import split


def test_rss_entries_become_documents(inputs: Path) -> None:
    docs, failures = split(read_path(inputs / "feed.rss"))
    assert failures == []
    assert [d.title for d in docs] == ["Reabren el mercado municipal", "Lluvias en la sierra"]
    first, second = docs
    assert first.source == second.source == "Noticias del Valle"
    assert first.lang == "es"
    assert first.url == "https://valle.example.mx/mercado"
    assert first.published_at == datetime(2026, 2, 23, 20, 5, tzinfo=UTC)
    assert first.text == (
        "El mercado municipal reabrió sus puertas tras seis meses de obras.\n\n"
        "Los locatarios celebraron con música."
    )
    assert second.text == "Se esperan lluvias fuertes en la sierra durante la semana."
    assert first.origin == str(inputs / "feed.rss")
    assert [d.extra["entry"] for d in docs] == [1, 2]


def test_atom_entries_prefer_content_and_convert_dates(inputs: Path) -> None:
    docs, failures = split(read_path(inputs / "feed.atom"))
    assert failures == []
    first, second = docs
    assert first.source == "Harbor Ledger: Latest"
    assert first.text.startswith("The river road between Porto Sereno and Valdoro was closed")
    assert "Short summary" not in first.text
    assert first.published_at == datetime(2026, 3, 4, 8, 15, tzinfo=UTC)  # +01:00 -> UTC
    assert first.url == "https://ledger.example.org/news/river-road-closed"
    # A headline-only entry: the headline is the text, and it says so.
    assert second.text == "Harbour fees to rise"
    assert second.extra["text_from"] == "title"
    assert second.published_at == datetime(2026, 3, 3, 18, 0, tzinfo=UTC)


def test_feed_entity_bomb_is_refused(inputs: Path) -> None:
    path = inputs / "bad" / "entity-bomb.rss"
    start = time.perf_counter()
    docs, failures = split(read_path(path))
    assert time.perf_counter() - start < 2
    assert docs == []
    assert len(failures) == 1
    assert failures[0].origin == str(path)
    assert "entity-expansion bomb" in failures[0].problem


def test_feed_external_entity_is_refused_and_never_resolved(inputs: Path) -> None:
    path = inputs / "bad" / "external-entity.rss"
    docs, failures = split(read_path(path))
    assert docs == []
    assert [str(f) for f in failures] == [
        f"{path}: feed declares an external entity ('secret'); refused, never resolved"
    ]


def test_feed_entity_bomb_in_malformed_xml_is_refused() -> None:
    # Not well-formed (unclosed item), so an XML parser would stop early: still refused.
    data = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><rss version="2.0"><channel><title>T</title>'
        b"<item><title>x</title><description>&b;&b;</description></channel>"
    )
    docs, failures = split(read_bytes(data, "broken.rss", name="broken.rss"))
    assert docs == []
    assert "entity-expansion bomb" in failures[0].problem


def test_feed_with_external_dtd_but_no_entities_is_read() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS '
        b'0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        b'<rss version="0.91"><channel><title>Old Feed</title><link>http://old.example/</link>'
        b"<description>d</description><item><title>Old item</title>"
        b"<link>http://old.example/1</link><description>An item from an old feed.</description>"
        b"</item></channel></rss>"
    )
    docs, failures = split(read_bytes(data, "old.xml", name="old.xml"))
    assert failures == []
    assert [(d.source, d.text) for d in docs] == [("Old Feed", "An item from an old feed.")]


def test_xml_that_is_not_a_feed_fails(tmp_path: Path) -> None:
    path = tmp_path / "config.xml"
    path.write_text('<?xml version="1.0"?><config><key>v</key></config>', encoding="utf-8")
    docs, failures = split(read_path(path))
    assert docs == []
    assert failures[0].problem == "feed has no entries"
