"""strip_boilerplate: website chrome goes, body text stays."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from corrobora.sources import read_bytes
from corrobora.text.clean import is_boilerplate_line, strip_boilerplate

from .conftest import split

NEWS = "data/news-stream/news_2024-07-16_to_2024-08-01.tar.gz"


@pytest.mark.parametrize(
    "line",
    [
        "menu_open Columnists",
        "We use cookies to provide some features and experiences in QOSHE",
        "This website uses cookies to ensure you get the best experience. Accept",
        "More information  .  Close",
        "Accept all   Reject all",
        "14 0",
        "yesterday",
        "3 hours ago",
        "Please follow Blitz on Google News Channel",
        "Follow us on Twitter",
        "Share this article",
        "Facebook Twitter Email",
        "© Blitz",
        "Copyright 2026 Example Media Group. All rights reserved.",
        "READ MORE: Harbour fees to rise next spring",
        "Advertisement",
        "Skip to main content",
        "Sign up for our daily newsletter",
        "|",
    ],
)
def test_english_chrome_lines_are_boilerplate(line: str) -> None:
    assert is_boilerplate_line(line, "en")
    assert is_boilerplate_line(line, None)


@pytest.mark.parametrize(
    "line",
    [
        "Utilizamos cookies propias y de terceros para mejorar tu experiencia.",
        "Al continuar navegando aceptas nuestra política de cookies.",
        "Más información . Cerrar",
        "Aceptar todas las cookies",
        "hace 2 horas",
        "ayer",
        "Síguenos en Google Noticias",
        "Compartir en Facebook",
        "Todos los derechos reservados.",
        "Lee también: Reabren el mercado municipal",
        "Publicidad",
        "Suscríbete",
    ],
)
def test_spanish_chrome_lines_are_boilerplate(line: str) -> None:
    assert is_boilerplate_line(line, "es")
    assert is_boilerplate_line(line, None)


@pytest.mark.parametrize(
    "line",
    [
        # Sentences about cookies, sharing or following, in the body, are news.
        "The packaging looks strikingly similar to that of popular foods such as Chips Ahoy! "
        "cookies.",
        "Google said on Monday that it would no longer phase out third-party cookies in its "
        "Chrome browser, reversing a plan that advertisers had opposed for years.",
        "Police said the men would follow the suspects on foot.",
        "Related charges were filed against two others.",
        "Yesterday, the mayor said, was the worst day of the flood.",
        "In 2014 he escaped again.",
        "La policía informó ayer que no hubo heridos.",
        "Compartieron la noticia con los vecinos del barrio.",
        "1. Bar Leone (Hong Kong)",
    ],
)
def test_body_sentences_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate_line(line, None)


def test_language_narrows_the_patterns() -> None:
    assert is_boilerplate_line("Síguenos en Facebook", "es")
    assert not is_boilerplate_line("Síguenos en Facebook", "en")
    assert not is_boilerplate_line("Follow us on Twitter", "es")


def test_strip_boilerplate_keeps_paragraphs_and_folds_blank_runs() -> None:
    text = "menu_open News\n\nFirst paragraph here.\n\n\n14 0\n\nSecond paragraph.\n© Site"
    assert strip_boilerplate(text) == "First paragraph here.\n\nSecond paragraph."


def _git_unquote(name: str) -> str:
    """Git lists non-ASCII paths quoted, with octal escapes of the UTF-8 bytes."""
    if not name.startswith('"'):
        return name
    escaped = name[1:-1].encode("ascii").decode("unicode_escape")
    return escaped.encode("latin-1").decode("utf-8")


def test_news_stream_articles_keep_their_body(shared: Path) -> None:
    """Cartel-related articles of the stream: every paragraph of the body survives reading."""
    listed = (shared / "data/news-stream/cartel_related_paths.txt").read_text().splitlines()
    wanted = [_git_unquote(line) for line in listed if line.strip()]
    assert len(wanted) >= 30
    checked = 0
    with tarfile.open(shared / NEWS) as archive:
        for name in wanted:
            member = archive.extractfile(name)
            assert member is not None
            raw = member.read()
            (doc,), failures = split(read_bytes(raw, name, name=name))
            assert failures == []
            body = raw.decode("utf-8").split("\n---\n", 1)[1]
            paragraphs = [p.strip() for p in body.split("\n\n") if p.strip() not in ("", "---")]
            for paragraph in paragraphs:
                plain = paragraph.lstrip("#").strip()
                assert plain in doc.text, (name, plain[:60])
            assert len(doc.text) >= 0.97 * len(body.strip().rstrip("-").strip())
            checked += 1
    assert checked == len(wanted)
