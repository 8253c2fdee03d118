"""Plain text and Markdown: a header block becomes metadata, markup becomes plain words.

The header is the one of the news stream and of notes written by hand:

    # Title
    Published :`2024-07-16 23:37:19`
    ---

(a YAML front matter block with `title`/`date`/`source`/`url`/`lang` is read too).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml

from corrobora.model.document import Document
from corrobora.sources.base import ReadError, normalize_lang, normalize_newlines, parse_datetime
from corrobora.text.clean import strip_boilerplate, unwrap

_TITLE = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$")
_DATE_LINE = re.compile(
    r"^(?:published|date|posted|updated|fecha|publicado|actualizado)"
    r"[ \t]*:[ \t]*`?([^`]+?)`?[ \t]*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^[ \t]*(?:-[ \t]*){3,}$|^[ \t]*(?:\*[ \t]*){3,}$|^[ \t]*(?:_[ \t]*){3,}$")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")

# Markdown, reduced to its words. Emphasis is undone only between delimiters that open after
# a space or punctuation and close before one, so "a** twice" or "f***ing" stay as written.
# What a bracket or delimiter encloses is at most _SPAN characters: unbounded, every opener
# without a closer scanned to the end of the line or text, quadratic in it ("![" * 20,000).
_SPAN = 500
_FENCE = re.compile(r"^[ \t]*(```|~~~).*$", re.MULTILINE)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
_SETEXT = re.compile(r"^[ \t]*(=+|-+)[ \t]*$", re.MULTILINE)
_QUOTE = re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+", re.MULTILINE)
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+(?=\S)", re.MULTILINE)
_IMAGE = re.compile(rf"!\[([^\]]{{0,{_SPAN}}})\]\([^)]{{0,{_SPAN}}}\)")
_LINK = re.compile(rf"\[([^\]]{{1,{_SPAN}}})\]\((?:[^()\s]|\([^()]*\))*(?:[ \t]+\"[^\"]*\")?\)")
_REF_LINK = re.compile(rf"\[([^\]]{{1,{_SPAN}}})\]\[[^\]]{{0,{_SPAN}}}\]")
_REF_DEF = re.compile(rf"^[ \t]{{0,3}}\[[^\]]{{1,{_SPAN}}}\]:[ \t]*\S+.*$", re.MULTILINE)
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_CODE = re.compile(r"`([^`\n]+)`")


def _emphasis(delimiter: str) -> tuple[str, re.Pattern[str]]:
    d, c = re.escape(delimiter), re.escape(delimiter[0])
    return delimiter, re.compile(rf"(?<![\w{c}]){d}(?=\S)(.{{1,{_SPAN}}}?)(?<=\S){d}(?![\w{c}])")


_EMPHASIS = [_emphasis(d) for d in ("***", "___", "**", "__", "~~", "*", "_")]
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
# Each rule runs only when its trigger character occurs: most news text has no markup at all.
_RULES: list[tuple[str, re.Pattern[str], str]] = [
    ("```", _FENCE, ""),
    ("~~~", _FENCE, ""),
    ("]:", _REF_DEF, ""),
    ("#", _HEADING, r"\1"),
    ("=", _SETEXT, ""),
    ("--", _SETEXT, ""),
    (">", _QUOTE, ""),
    ("", _BULLET, r"\1"),
    ("![", _IMAGE, r"\1"),
    ("](", _LINK, r"\1"),
    ("][", _REF_LINK, r"\1"),
    ("<", _AUTOLINK, r"\1"),
    ("<", _HTML_TAG, ""),
    ("`", _CODE, r"\1"),
    *((char, pattern, r"\1") for char, pattern in _EMPHASIS),
    ("\\", _ESCAPE, r"\1"),
]


def markdown_to_text(markdown: str) -> str:
    """Markdown reduced to plain text, keeping every word (link texts, image alt texts)."""
    text = markdown
    for trigger, pattern, replacement in _RULES:
        if trigger in text:
            text = pattern.sub(replacement, text)
    return text


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, text
    if not isinstance(meta, dict):
        return {}, text
    return {str(k).lower(): v for k, v in meta.items()}, text[match.end() :]


def _header(lines: list[str]) -> tuple[str | None, datetime | None, int]:
    """Title, date and the index of the first body line, from the leading header lines."""
    i = 0
    n = len(lines)

    def skip_blank(j: int) -> int:
        while j < n and not lines[j].strip():
            j += 1
        return j

    i = skip_blank(i)
    title = None
    published = None
    if i < n and (match := _TITLE.match(lines[i])):
        title = markdown_to_text(match.group(1)).strip()
        i = skip_blank(i + 1)
    if i < n and (match := _DATE_LINE.match(lines[i].strip())):
        published = parse_datetime(match.group(1))
        if published is not None:
            i = skip_blank(i + 1)
    if (title or published) and i < n and _RULE.match(lines[i]):
        i += 1
    return title, published, i


def _guess_title(body: str) -> str | None:
    """A copied page often opens with its headline alone on a line: short, no final stop."""
    first, sep, rest = body.partition("\n\n")
    first = first.strip()
    if (
        sep
        and rest.strip()
        and "\n" not in first
        and 3 <= len(first.split()) <= 25
        and len(first) <= 200
        and first[-1] not in ".:;,!?…\"”'’)"
    ):
        return first
    return None


def read_text(text: str, origin: str, *, markdown: bool = False) -> Document:
    """One document from plain text or Markdown; ReadError when no body text is left."""
    text = normalize_newlines(text).lstrip("\ufeff")
    meta, text = _front_matter(text) if markdown or text.startswith("---") else ({}, text)
    lines = text.split("\n")
    title, published, start = _header(lines)
    body = "\n".join(lines[start:])
    if markdown:
        body = markdown_to_text(body)
    lang = normalize_lang(meta.get("lang") or meta.get("language"))
    body = strip_boilerplate(body, lang)
    body = _BLANK_RUNS.sub("\n\n", "\n".join(line.rstrip() for line in body.split("\n"))).strip()
    body = unwrap(body)
    if not body:
        what = "only a title" if title else "only boilerplate or markup"
        raise ReadError(f"no body text ({what})")

    extra: dict[str, object] = {}
    title = title or _str(meta.get("title"))
    if title is None and (title := _guess_title(body)):
        extra["title_guessed"] = True
    if published is None:
        for key in ("published_at", "published", "date"):
            if (published := parse_datetime(_date_value(meta.get(key)))) is not None:
                break
    return Document(
        text=body,
        origin=origin,
        title=title,
        lang=lang,
        published_at=published,
        source=_str(meta.get("source") or meta.get("sitename")),
        url=_str(meta.get("url")),
        extra=extra,
    )


def _str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _date_value(value: object) -> object:
    # YAML reads an unquoted date as datetime.date.
    if value is not None and not isinstance(value, (str, datetime)) and hasattr(value, "isoformat"):
        return value.isoformat()
    return value
