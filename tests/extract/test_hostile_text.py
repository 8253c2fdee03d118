"""Hostile text (issue 18): documents longer than spaCy's limit, long punctuation runs, many
numbers, pathological Markdown, dates at the calendar's ends, and the per-document time
budget. The inputs are generated here; each test asserts what comes out, never how fast."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest
from spacy.language import Language

from corrobora.extract import dates
from corrobora.extract.actors import group_mentions
from corrobora.extract.nlp import LONG_RUN, PIECE_CHARS, pieces
from corrobora.extractor import BUDGET_ENV, DocumentTooSlow, Extractor
from corrobora.model import Document, Extraction
from corrobora.sources.base import ReadError
from corrobora.sources.plaintext import markdown_to_text, read_text

STORY = ("Gunmen killed three police officers in Culiacán, Sinaloa, on Tuesday, "
         "the state prosecutor said.")
LATER = "Soldiers arrested Juan Pérez in Tijuana on Friday, the army said."


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


def _offsets_hold(text: str, ext: Extraction) -> None:
    """Every span of the extraction indexes the text it was extracted from."""
    for x in [*ext.entities, *ext.places, *ext.dates, *ext.numbers, *ext.attributions]:
        assert text[x.start:x.end] == x.text, x
    for ev in ext.events:
        s, e = ev.sentence
        assert 0 <= s < e <= len(text)
        assert s <= ev.trigger[0] < ev.trigger[1] <= e
        for a in ev.actors:
            if a.start is not None:
                assert text[a.start:a.end] == a.text, a


def test_document_longer_than_spacy_limit_extracts_with_offsets_in_the_whole_text(
        extractor: Extractor) -> None:
    rule = "=" * 999 + "\n"
    filler = rule * 600  # 600,000 characters of rules, cheap to parse
    text = f"{STORY}\n\n{filler}\n{STORY}\n\n{filler}\n{LATER}\n"
    assert len(text) > 1_200_000  # spaCy's nlp.max_length is 1,000,000
    ext = extractor.extract(Document(text, "long.txt", id="long", lang="en"))
    _offsets_hold(text, ext)
    last = text.rindex("Tijuana")
    assert any(p.start == last and p.name == "Tijuana" for p in ext.places)
    assert sum(p.text == "Culiacán" for p in ext.places) == 2
    assert any(ev.sentence[0] > 1_000_000 for ev in ext.events)  # the arrest, past the limit
    assert any(e.start == text.rindex("Juan Pérez") for e in ext.entities)


def test_pieces_cover_the_text_within_the_limit_cut_at_paragraphs() -> None:
    text = ("A sentence of a paragraph. " * 30 + "\n\n") * 200
    cuts = pieces(text, limit=2_000)
    assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in pairwise(cuts))
    assert all(0 < e - s <= 2_000 for s, e in cuts)
    assert all(text[:e].endswith("\n\n") for _, e in cuts[:-1])
    # no break anywhere: cut at the limit
    assert pieces("x" * 5_000, limit=2_000) == [(0, 2_000), (2_000, 4_000), (4_000, 5_000)]
    assert pieces("short") == [(0, 5)] and PIECE_CHARS < 1_000_000


def test_run_of_punctuation_becomes_few_tokens_with_exact_offsets(
        nlp_en: Language, extractor: Extractor) -> None:
    text = f"{STORY} " + "=" * 30_000 + f" {LATER}"
    doc = nlp_en(text)
    assert doc.text == text
    assert all(text[t.idx:t.idx + len(t.text)] == t.text for t in doc)
    assert len(doc) < 200  # 30,000 "=" were 30,000 tokens
    assert max(len(t.text) for t in doc) == LONG_RUN
    ext = extractor.extract(Document(text, "rule.txt", id="rule", lang="en"))
    _offsets_hold(text, ext)
    assert any(p.name == "Tijuana" and p.start == text.index("Tijuana") for p in ext.places)


def test_text_without_long_runs_tokenises_as_spacy_does(nlp_en: Language,
                                                        seed_text: str) -> None:
    plain = nlp_en.tokenizer.tokenizer  # the wrapped spaCy tokenizer
    text = seed_text + " http://example.com/" + "a" * (LONG_RUN - 19)
    assert [(t.text, t.whitespace_) for t in nlp_en.tokenizer(text)] == \
        [(t.text, t.whitespace_) for t in plain(text)]


def test_many_numbers_in_one_sentence_still_give_the_count(extractor: Extractor) -> None:
    numbers = " ".join(str(i % 997) for i in range(10_000))
    text = f"Gunmen killed 5 people in Culiacán and listed {numbers} in a ledger."
    ext = extractor.extract(Document(text, "numbers.txt", id="numbers", lang="en"))
    _offsets_hold(text, ext)
    assert any(n.kind == "fatalities" and n.min == 5 and n.start == text.index("5 people")
               for n in ext.numbers)


def test_group_name_after_a_long_run_of_numbers_is_found() -> None:
    text = " ".join(str(i) for i in range(5_000)) + " and the Sinaloa cartel. The Gulf Cartel"
    assert [g.text for g in group_mentions(text)] == ["Sinaloa cartel", "The Gulf Cartel"]


def test_pathological_markdown_keeps_its_words() -> None:
    hostile = "\n\n".join([
        "![" * 20_000, " _a" * 20_000, "](" + "[" * 20_000, "*" * 50_000,
        "\n".join("  " * (i % 60) + "- item" for i in range(2_000)),
        "\n".join(">" * (i % 60) + " quote" for i in range(2_000)),
    ])
    text = f"# Title\n\n{STORY}\n\n{hostile}\n\nSee ![the map](map.png) and **this**.\n"
    doc = read_text(text, "hostile.md", markdown=True)
    assert STORY in doc.text
    assert "See the map and this." in doc.text
    assert markdown_to_text("[a link](http://x.org) and _emphasis_") == "a link and emphasis"


@pytest.mark.parametrize("published", [datetime(1, 1, 1, tzinfo=UTC),
                                       datetime(9999, 12, 31, tzinfo=UTC)])
def test_dates_at_the_calendar_ends_do_not_overflow(nlp_en: Language, nlp_es: Language,
                                                    published: datetime) -> None:
    en = ("Yesterday, last week, last month, this week, on Tuesday, last Sunday, in July, "
          "on July 4 and over the weekend, and the day before that, police said.")
    es = "Ayer, anteayer, la semana pasada, el mes pasado, el pasado martes y en julio."
    for doc, lang in ((nlp_en(en), "en"), (nlp_es(es), "es")):
        found = dates.dates(doc, lang, published)
        assert found
        for d in found:
            assert d.value is None or 1 <= int(d.value[:4]) <= 9999


def test_document_dated_year_one_extracts(extractor: Extractor) -> None:
    doc = Document(f"{STORY} Yesterday more died.", "old.txt", id="old", lang="en",
                   published_at=datetime(1, 1, 1, tzinfo=UTC))
    assert extractor.extract(doc).places


def test_time_budget_fails_the_document_naming_it(extractor: Extractor,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BUDGET_ENV, "0")
    doc = Document(STORY, "slow.txt", id="slow-doc", lang="en")
    with pytest.raises(DocumentTooSlow) as err:
        extractor.extract(doc)
    assert isinstance(err.value, ReadError)  # an input error: ingest skips the document
    assert "'slow-doc'" in str(err.value) and "budget of 0 s" in str(err.value)
    assert BUDGET_ENV in str(err.value) and err.value.document_id == "slow-doc"
    monkeypatch.setenv(BUDGET_ENV, "off")
    assert extractor.extract(doc).places


def test_time_budget_with_an_unreadable_value_says_so(extractor: Extractor,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BUDGET_ENV, "two minutes")
    with pytest.raises(ValueError, match=BUDGET_ENV):
        extractor.extract(Document(STORY, "x.txt", lang="en"))
