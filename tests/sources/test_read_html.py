"""Web pages: trafilatura's main text and metadata, chrome removed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from corrobora.sources import read_path
from corrobora.sources.html import fragment_to_text

from .conftest import split


def test_html_page_main_text_and_metadata(inputs: Path) -> None:
    docs, failures = split(read_path(inputs / "article.html"))
    assert failures == []
    (doc,) = docs
    assert doc.title == "Floodwaters close the river road near Porto Sereno"
    assert doc.source == "The Harbor Ledger"
    assert doc.url == "https://ledger.example.org/news/river-road-closed"
    assert doc.published_at == datetime(2026, 3, 4, 9, 15, tzinfo=UTC)
    assert doc.lang == "en"
    assert doc.extra["format"] == "html"
    paragraphs = doc.text.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The regional roads office closed the river road")
    assert paragraphs[3].endswith("away from the river.")
    for chrome in (
        "Home",
        "Sport",
        "cookies",
        "Accept all",
        "Share on",
        "Follow us",
        "©",
        "All rights reserved",
        "Related stories",
        "Harbour fees",
        "analytics",
    ):
        assert chrome not in doc.text, chrome


def test_spanish_html_page(inputs: Path) -> None:
    (doc,) = split(read_path(inputs / "nota.html"))[0]
    assert doc.lang == "es"
    assert doc.source == "Diario del Valle"
    assert doc.title == "Cierran la carretera de la sierra por deslaves"
    # 14:05 at UTC-6 is 20:05 UTC.
    assert doc.published_at == datetime(2026, 2, 23, 20, 5, tzinfo=UTC)
    assert doc.text.startswith("La carretera que une a San Jerónimo del Monte")
    assert "vehículos ligeros." in doc.text
    for chrome in ("Inicio", "Utilizamos cookies", "Compartir", "Síguenos", "derechos"):
        assert chrome not in doc.text, chrome


def test_txt_that_is_html_is_read_as_html(inputs: Path) -> None:
    (doc,) = split(read_path(inputs / "saved-page.txt"))[0]
    assert doc.extra["format"] == "html"
    assert "<" not in doc.text and "Home | Local" not in doc.text
    assert doc.title == "Market hall reopens after repairs"
    assert doc.source == "Town Crier Weekly"
    assert doc.text.startswith("The covered market hall on Chestnut Square reopened")


def test_html_all_script_fails(inputs: Path) -> None:
    path = inputs / "bad" / "all-script.html"
    docs, failures = split(read_path(path))
    assert docs == []
    assert [f.origin for f in failures] == [str(path)]
    assert "no main text" in failures[0].problem


def test_fragment_to_text_keeps_paragraphs_drops_scripts() -> None:
    html = "<p>First <b>bold</b> line.</p><script>evil()</script><p>Second<br>line.</p>"
    assert fragment_to_text(html) == "First bold line.\n\nSecond\nline."
    assert fragment_to_text("Plain summary, no tags.") == "Plain summary, no tags."


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="windows-1251"><title>Новости</title></head><body><article>'
        "<p>Сегодня в городе открылась новая библиотека, и жители пришли посмотреть на неё.</p>"
        "<p>Директор сказал, что в библиотеке будет больше десяти тысяч книг для детей.</p>"
        "</article></body></html>"
    )
    path = tmp_path / "cyrillic.html"
    path.write_bytes(page.encode("cp1251"))
    (doc,) = split(read_path(path))[0]
    assert doc.extra["encoding"] == "cp1251"
    assert "новая библиотека" in doc.text
