"""Datelines: where a communiqué or wire story was filed ("Reynosa, Tamps., a 1 de diciembre").

Official Mexican releases open with such a line, and the small NER models often miss the
town in it; the town and the state abbreviation are toponyms the resolver should see.
"""

from __future__ import annotations

import re

# A dateline sits near the top: a line "Town , State-abbreviation . , a <day>" (spaces around
# punctuation vary between sources, tokenised or not).
_SEARCH_CHARS = 400
_DATELINE = re.compile(
    r"^[ \t]*(?P<place>[A-ZÁÉÍÓÚÑ][\wÁÉÍÓÚÑáéíóúñü. ]{1,40}?)[ \t]*,[ \t]*"
    r"(?P<state>[A-ZÁÉÍÓÚÑ][\wÁÉÍÓÚÑáéíóúñ. ]{0,12}?)[ \t]*\.?[ \t]*,[ \t]*(?:a[ \t]+)?\d",
    re.MULTILINE,
)


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the town and the state of the first dateline, if any."""
    m = _DATELINE.search(text[:_SEARCH_CHARS])
    if m is None:
        return []
    spans = [m.span("place")]
    state_start, state_end = m.span("state")
    # Keep the abbreviation's own dot ("Tamps .") so it reads as the alias "Tamps.".
    rest = text[state_end:state_end + 3]
    dot = rest.find(".")
    if dot != -1 and not rest[:dot].strip():
        state_end += dot + 1
    spans.append((state_start, state_end))
    return spans


def headline_span(text: str) -> tuple[int, int] | None:
    """The character span of a release's headline: the line right after its dateline lines
    ("Personal militar aseguró cocaína en el Aeropuerto de Cancún, Q. Roo."), when that line
    is one sentence-length line and more text follows. A headline restates what the body
    reports, with less detail."""
    m = _DATELINE.search(text[:_SEARCH_CHARS])
    if m is None:
        return None
    pos = text.find("\n", m.start())
    while pos != -1 and _DATELINE.match(text, pos + 1):  # the dateline repeated
        pos = text.find("\n", pos + 1)
    if pos == -1:
        return None
    end = text.find("\n", pos + 1)
    line = text[pos + 1:end if end != -1 else len(text)]
    if end == -1 or not line.strip() or len(line.split()) > _HEADLINE_WORDS:
        return None
    return pos + 1, end


# Longer lines are the body's first paragraph, not a headline.
_HEADLINE_WORDS = 40
