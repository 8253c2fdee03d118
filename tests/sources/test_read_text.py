"""Plain text and Markdown: header lines become metadata, markup becomes words."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from corrobora.sources import read_path, read_paths
from corrobora.sources.plaintext import markdown_to_text

from .conftest import split


def test_news_stream_header_becomes_metadata(inputs: Path) -> None:
    docs, failures = split(read_path(inputs / "bulletin"))  # no extension: sniffed as Markdown
    assert failures == []
    (doc,) = docs
    assert doc.title == "Lighthouse keeper's cottage to become a museum"
    assert doc.published_at == datetime(2024, 7, 20, 8, 30, tzinfo=UTC)
    assert doc.extra["format"] == "markdown"
    assert doc.text.startswith("The district trust has agreed")
    assert "Published" not in doc.text and "---" not in doc.text and "#" not in doc.text


def test_markdown_markup_reduced_to_words(inputs: Path) -> None:
    (doc,) = split(read_path(inputs / "brief.md"))[0]
    assert doc.title == "Bridge inspection finds minor cracks"
    assert doc.published_at == datetime(2024, 7, 18, 17, 45, 10, tzinfo=UTC)
    for markup in ("**Old", "](", "![", "## ", "\n> ", "\n- ", "_eastern", "*minor*", "https://"):
        assert markup not in doc.text, markup
    for words in (
        "found minor cracks in two of its supports, the county engineer said on Thursday.",
        "What happens next",
        "Heavy lorries must take the eastern bypass until repairs end.",
        '"There is no danger to the public," the engineer said.',
        "Photo of the bridge from the river bank",
        '"built like a f***ing fortress"',
    ):
        assert words in doc.text, words


def test_markdown_emphasis_needs_real_delimiters() -> None:
    # Censored words are not emphasis; real emphasis is undone.
    assert markdown_to_text("I saved your a** twice. Not **once**.") == (
        "I saved your a** twice. Not once."
    )
    assert markdown_to_text("bulls**t and b**ches") == "bulls**t and b**ches"
    assert markdown_to_text("a snake_case_name and _this_") == "a snake_case_name and this"
    assert markdown_to_text("see [the report][1]\n\n[1]: https://x.example/r") == (
        "see the report\n\n"
    )


def test_reads_latin1_text(inputs: Path) -> None:
    raw = (inputs / "latin1.txt").read_bytes()
    assert b"Michoac\xe1n" in raw  # really latin-1 on disk
    (doc,) = split(read_path(inputs / "latin1.txt"))[0]
    assert "Michoacán" in doc.text and "Apatzingán" in doc.text and "policía" in doc.text
    assert doc.extra["encoding"] in ("cp1252", "latin_1", "iso8859_15")
    assert doc.title == "Balacera en Michoacán"


def test_seed_article_is_read_without_chrome(seed_article: Path) -> None:
    docs, failures = split(read_paths([str(seed_article)]))
    assert failures == []
    (doc,) = docs
    for chrome in (
        "cookies",
        "menu_open",
        "More information",
        "Please follow Blitz on Google News",
        "© Blitz",
    ):
        assert chrome not in doc.text, chrome
    assert not re.search(r"^\s*14 0\s*$", doc.text, re.MULTILINE)
    assert not re.search(r"^\s*yesterday\s*$", doc.text, re.MULTILINE | re.IGNORECASE)
    # Every body paragraph survives intact.
    raw = seed_article.read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in raw.split("\n\n") if len(p.split()) >= 8]
    assert len(paragraphs) >= 20
    for paragraph in paragraphs:
        if "Blitz" in paragraph or "cookies" in paragraph:
            continue
        assert paragraph in doc.text, paragraph[:60]
    assert "Escalatory Risk:\xa0Leadership elimination may provoke" in doc.text
    assert doc.title == (
        "CIA intelligence key to El Mencho killing, deepening US–Mexico security nexus"
    )


def test_spanish_copied_page_chrome_removed(inputs: Path) -> None:
    (doc,) = split(read_path(inputs / "copied-page.txt"))[0]
    for chrome in (
        "menu_open",
        "cookies",
        "Más información",
        "23 5",
        "hace 2 horas",
        "Síguenos",
        "Compartir",
        "©",
    ):
        assert chrome not in doc.text, chrome
    assert doc.text.startswith("La feria del libro regresa al centro histórico\n\n")
    assert doc.text.endswith("que se pudiera llegar a pie.")
    assert len(doc.text.split("\n\n")) == 4


def test_front_matter_becomes_metadata(tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text(
        "---\ntitle: Harbour dredging starts\ndate: 2026-01-05\nsource: Port Gazette\n"
        "lang: en\nurl: https://gazette.example/dredging\n---\n\nDredgers began work on "
        "the *inner* harbour on Monday.\n",
        encoding="utf-8",
    )
    (doc,) = split(read_path(note))[0]
    assert (doc.title, doc.source, doc.lang, doc.url) == (
        "Harbour dredging starts",
        "Port Gazette",
        "en",
        "https://gazette.example/dredging",
    )
    assert doc.published_at == datetime(2026, 1, 5, tzinfo=UTC)
    assert doc.text == "Dredgers began work on the inner harbour on Monday."


def test_title_only_markdown_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "readme.md"
    path.write_text("# 2024/08/01\n", encoding="utf-8")
    docs, failures = split(read_path(path))
    assert docs == []
    assert [str(f) for f in failures] == [f"{path}: no body text (only a title)"]


def test_plain_text_with_news_stream_header(inputs: Path, tmp_path: Path) -> None:
    path = tmp_path / "bulletin.txt"
    path.write_bytes((inputs / "bulletin").read_bytes())
    (doc,) = split(read_path(path))[0]
    assert doc.extra["format"] == "text"
    assert doc.title == "Lighthouse keeper's cottage to become a museum"
    assert doc.published_at == datetime(2024, 7, 20, 8, 30, tzinfo=UTC)
    assert doc.text.startswith("The district trust")
    assert "*Gull Point*" in doc.text  # plain text: asterisks are the author's, kept


HARD_WRAPPED = """\
Gunmen attacked a police patrol on the highway between
Culiacan and Navolato on Tuesday night, killing three
officers, the Sinaloa state prosecutor's office said in a
statement on Wednesday. The governor of the state, Ruben
Rocha Moya, condemned the attack and said that the army and
the Guardia Nacional had been sent to the area.

Items found at the scene:
1. Two rifles.
2. Forty cartridges.
"""


def test_hard_wrapped_paragraphs_are_joined(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.txt"
    path.write_text(HARD_WRAPPED)
    text = next(read_path(path)).text
    first, items = text.split("\n\n")
    assert "\n" not in first and "Ruben Rocha Moya, condemned the attack" in first
    # Deliberate short lines (a list) keep their breaks.
    assert items == "Items found at the scene:\n1. Two rifles.\n2. Forty cartridges."


def test_names_split_by_a_wrap_are_found_whole(tmp_path: Path) -> None:
    from corrobora.extractor import Extractor

    path = tmp_path / "wrapped.txt"
    path.write_text(HARD_WRAPPED)
    doc = next(read_path(path))
    doc.lang = "en"
    names = {e.text for e in Extractor().extract(doc).entities}
    assert "Ruben Rocha Moya" in names, names
