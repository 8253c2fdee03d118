"""Web pages: main text and metadata through trafilatura; fragments (feed entries) through lxml."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
import trafilatura
from lxml import etree
from lxml_html_clean import Cleaner

from corrobora.model.document import Document
from corrobora.sources.base import ReadError, normalize_lang, parse_datetime
from corrobora.text.clean import strip_boilerplate

# htmldate, inside trafilatura: no guessing from the body text (a date in a sentence is not the
# publication date), original rather than last-modified date, time and offset when present.
_DATE_PARAMS = {
    "extensive_search": False,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}
_HTML_LANG = re.compile(
    rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)", re.I
)
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
    | {"table", "tr", "section", "article", "header", "footer", "figure", "figcaption", "dd", "dt"}
)
_SPACES = re.compile(r"[ \t\u00a0]+")


def read_html(html: str, origin: str) -> Document:
    """One document from a web page; ReadError when no main text can be found."""
    try:
        extracted: Any = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except (ValueError, etree.LxmlError) as exc:
        raise ReadError(f"HTML could not be parsed ({exc})") from None
    raw = (getattr(extracted, "text", None) or "").strip() if extracted is not None else ""
    if not raw:
        raise ReadError("no main text found in the HTML page (only scripts, menus or markup)")

    lang_match = _HTML_LANG.search(html[:4096].encode("utf-8", errors="ignore"))
    lang = normalize_lang(lang_match.group(1).decode() if lang_match else None)
    lang = lang or normalize_lang(getattr(extracted, "language", None))
    title = (extracted.title or "").strip() or None
    paragraphs = [p.strip() for p in raw.split("\n") if p.strip()]
    if title and paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]  # the page's own <h1>, already the title
    text = strip_boilerplate("\n\n".join(paragraphs), lang)
    if not text:
        raise ReadError("no main text found in the HTML page (only boilerplate)")
    extra: dict[str, object] = {}
    if extracted.author:
        extra["author"] = extracted.author
    if extracted.hostname:
        extra["hostname"] = extracted.hostname
    return Document(
        text=text,
        origin=origin,
        title=title,
        lang=lang,
        published_at=parse_datetime(extracted.date),
        source=(extracted.sitename or "").strip() or None,
        url=extracted.url or None,
        extra=extra,
    )


_CLEANER = Cleaner(
    scripts=True, javascript=True, style=True, comments=True, forms=True, embedded=True, frames=True
)


def fragment_to_text(fragment: str) -> str:
    """Text of an HTML fragment (a feed summary), one paragraph per block element."""
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        root = _CLEANER.clean_html(root)
    except (ValueError, etree.LxmlError):
        return re.sub(r"<[^>]+>", " ", fragment).strip()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n\n" + (element.tail or "")
            if element.tag.lower() == "br":
                element.tail = "\n" + element.tail[2:]
    text = root.text_content()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
